"""The planner's side of terrain following (a terrain-frame waypoint over a DEM): the
altitude demand along the leg as the aircraft makes it (:mod:`longwing.control.terrain_follow`):
the terrain under the point plus the height sloping from A's to the item's, raised where the
terrain within ``TERRAIN_LOOKAHD`` ahead needs more than half the maximum climb. The one
approximation: the look-ahead gradient uses the leg's airspeed where the aircraft uses its
ground speed. Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from longwing.control.terrain_follow import CLIMB_FRACTION, LOOKAHEAD_POINTS

STEP_M = 50.0  # the prediction's step along a terrain-following leg


@dataclass
class TerrainFollowProfile:
    """The :class:`~longwing.planning.flight_model.AltitudeProfile` interface (``at``) for a
    terrain-following leg; ``max_step_m`` caps the prediction's step on it."""

    leg: object  # planning.route.RouteLeg
    terrain: object  # a TerrainFn (a Terrain: vectorised height_m)
    hagl_a_m: float
    hagl_b_m: float
    lookahead_m: float
    climb_mps: float
    max_step_m: float = STEP_M

    def _ground(self, s: np.ndarray) -> np.ndarray:
        lat, lon = self.leg.position(s)
        vec = getattr(self.terrain, "height_m", None)
        if vec is not None:
            return np.asarray(vec(lat, lon), float)
        return np.array([float(self.terrain(a, o)) for a, o in zip(lat, lon, strict=True)])

    def _demand(self, s: float) -> float:
        dist = max(self.leg.distance_m, 1.0)
        s = max(s, 0.0)
        hagl = self.hagl_a_m + min(s / dist, 1.0) * (self.hagl_b_m - self.hagl_a_m)
        n = LOOKAHEAD_POINTS if self.lookahead_m > 0.0 else 0
        d = self.lookahead_m * np.arange(n + 1) / max(n, 1)
        ground = self._ground(s + d)
        gradient = CLIMB_FRACTION * self.climb_mps / max(self.leg.speed_mps, 1.0)
        need = ground + hagl - d * gradient
        if not np.isfinite(need[0]):
            return self.leg.alt1_m + min(s / dist, 1.0) * (self.leg.alt2_m - self.leg.alt1_m)
        return float(np.nanmax(need))

    def at(self, rem: float) -> tuple[float, float]:
        """(demand m, slope: dh_demand per metre of progress) with ``rem`` metres to B."""
        s = self.leg.distance_m - rem
        h = self._demand(s)
        return h, self._demand(s + 1.0) - h


def terrain_profile_for(leg, terrain, lookahead_m: float, climb_mps: float):
    """The profile of a route leg to a terrain-frame waypoint (``leg.hagl_m`` finite) over
    ``terrain``; None for any other leg or without terrain."""
    if terrain is None or not math.isfinite(getattr(leg, "hagl_m", math.nan)):
        return None
    ground_a = float(terrain(leg.lat1_deg, leg.lon1_deg))
    hagl_a = leg.alt1_m - ground_a if math.isfinite(ground_a) else leg.hagl_m
    return TerrainFollowProfile(leg, terrain, hagl_a, leg.hagl_m, lookahead_m, climb_mps)
