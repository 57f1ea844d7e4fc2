"""Terrain following (ArduPlane's terrain-frame flight with TERRAIN_LOOKAHD in role): the
altitude demand over a DEM for a terrain-frame item. Pure compiled functions.

The demand is the terrain under the aircraft plus the commanded height, raised where a
point within the look-ahead distance along the course needs more climb than the aircraft
can make from here: at distance d ahead the aircraft must be at ground(d) + height, and at
the climb rate it has it gains d x climb / ground speed on the way, so the demand is at
least ground(d) + height - d x climb / ground speed (checked at LOOKAHEAD_POINTS points).
"""

from __future__ import annotations

import math

from numba import njit

from longwing.physics.terrain import TerrainGrid, terrain_height_m

LOOKAHEAD_POINTS = 10
EARTH_R_M = 6_371_000.0  # small offsets ahead: a sphere is exact enough for a lookup
MIN_GS_MPS = 5.0
CLIMB_FRACTION = 0.5  # of the maximum climb rate planned for: the rest absorbs TECS lag


@njit(cache=True)
def terrain_follow_alt_m(
    lat_rad: float, lon_rad: float, course_rad: float, groundspeed_mps: float,
    height_m: float, lookahead_m: float, climb_mps: float, g: TerrainGrid,
) -> float:  # fmt: skip
    """Altitude demand AMSL (m) holding ``height_m`` above the terrain of ``g``."""
    best = terrain_height_m(lat_rad, lon_rad, g, 0.0) + height_m
    if lookahead_m <= 0.0:
        return best
    gradient = CLIMB_FRACTION * climb_mps / max(groundspeed_mps, MIN_GS_MPS)
    cn = math.cos(course_rad) / EARTH_R_M
    ce = math.sin(course_rad) / (EARTH_R_M * max(math.cos(lat_rad), 1e-6))
    for k in range(1, LOOKAHEAD_POINTS + 1):
        d = lookahead_m * k / LOOKAHEAD_POINTS
        ground = terrain_height_m(lat_rad + d * cn, lon_rad + d * ce, g, 0.0)
        best = max(best, ground + height_m - d * gradient)
    return best
