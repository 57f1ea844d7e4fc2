"""Line of sight between a ground station and the aircraft, over the effective Earth.

Line of sight over an effective Earth of radius k R (R = 6,371,008.8 m, k = 4/3 for standard
refraction): along the path, at ground distance d from the station (D in all), the ray at
height ``h_s + (h_a - h_s) d / D`` must clear the terrain plus the Earth bulge
``d (D - d) / (2 k R)`` plus ``fresnel_fraction`` times the first Fresnel radius
``sqrt(lambda d (D - d) / D)``. Heights are AMSL (the station's ground height plus its
antenna height; the aircraft's altitude). Without terrain the ground is the sea-level
sphere, which reproduces the smooth-Earth radio horizon
``D = sqrt(2 k R h_s) + sqrt(2 k R h_a)`` exactly.

Approximations, and their size:

- Ground distance D comes from the chord between the two points on the ellipsoid,
  ``D = 2 R asin(chord / 2 R)`` (computed by :mod:`longwing.geo.radio_route`): within about
  1 m of the geodesic below 300 km and 10 m at 700 km (the local radius of curvature differs
  from R by up to 0.5 %, and D - chord is only ``chord^3 / (24 R^2)``).
- The terrain is sampled at ``los_samples - 1`` points evenly spaced along the path, which
  runs on the great circle of the geocentric directions of the two ends (the central
  projection onto the ellipsoid). That path is within 1.5 m of the geodesic at 150 km and
  10 m at 400 km, far less than a DEM pixel. A terrain feature narrower than the sample
  spacing ``D / los_samples`` can fall between samples (e.g. 2.3 km at 150 km with the
  default 64 samples): raise ``los_samples`` for narrow ridges on long paths.
- Terrain samples without data (outside the DEM or nodata) count as sea level (the smooth
  Earth); such links are flagged ``terrain_missing``. Diffraction, multipath, rain and
  atmospheric absorption are not modelled: the fade margin is there for them.

Pure: the terrain is a :class:`~longwing.geo.terrain_grid.Terrain` or any vectorised height
function (:data:`TerrainHeights`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from longwing.geo.radio_budget import MIN_RANGE_M
from longwing.geo.radio_config import GroundStation, RadioError
from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_profile import slerp_surface
from longwing.geo.wgs84 import A_M, E2

__all__ = [
    "TerrainHeights",
    "ecef_points_m",
    "ray_clearance_m",
    "station_ground_m",
    "terrain_heights",
]

#: A vectorised terrain model: (lat_deg array, lon_deg array) -> height AMSL (m), NaN = none.
TerrainHeights = Callable[[np.ndarray, np.ndarray], np.ndarray]


def ecef_points_m(lat_deg: np.ndarray, lon_deg: np.ndarray, h_m: np.ndarray | float) -> np.ndarray:
    """ECEF (m) of geodetic points (degrees, height above the ellipsoid), shape (..., 3)."""
    phi = np.radians(lat_deg)
    lam = np.radians(lon_deg)
    s = np.sin(phi)
    c = np.cos(phi)
    n = A_M / np.sqrt(1.0 - E2 * s * s)
    return np.stack(
        ((n + h_m) * c * np.cos(lam), (n + h_m) * c * np.sin(lam), (n * (1.0 - E2) + h_m) * s),
        axis=-1,
    )


def terrain_heights(terrain: Terrain | TerrainHeights | None) -> TerrainHeights | None:
    """The vectorised height function of a terrain model (None: the smooth sea-level Earth)."""
    if terrain is None:
        return None
    fn = getattr(terrain, "height_m", None)
    if callable(fn):
        return fn
    if callable(terrain):
        return terrain
    raise RadioError(f"terrain must be a Terrain or a vectorised callable, not {terrain!r}")


def station_ground_m(station: GroundStation, heights: TerrainHeights | None) -> float:
    """Ground height AMSL under a station: its ``alt_m``, or the terrain's when not given."""
    if not math.isnan(station.alt_m):
        return station.alt_m
    if heights is None:
        raise RadioError(
            f"station '{station.name}': alt_m is not given and there is no terrain model"
        )
    at = heights(np.array([station.lat_deg]), np.array([station.lon_deg]))
    ground = float(np.asarray(at, dtype=np.float64).ravel()[0])
    if not math.isfinite(ground):
        raise RadioError(
            f"station '{station.name}': alt_m is not given and the terrain model has no "
            f"height at ({station.lat_deg}, {station.lon_deg})"
        )
    return ground


def ray_clearance_m(
    sta_surface: np.ndarray,
    h_s: float,
    air_surface: np.ndarray,
    h_a: np.ndarray,
    dist_m: np.ndarray,
    heights: TerrainHeights | None,
    k_r: float,
    fresnel_m2: float,
    n_samples: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest clearance along rays from one station to aircraft positions (m), and
    whether any terrain sample was missing."""
    t = np.arange(1, n_samples) / n_samples
    d = dist_m[:, None] * t
    d2 = dist_m[:, None] - d
    obstruction = d * d2 / (2.0 * k_r)
    if fresnel_m2 > 0.0:
        obstruction += np.sqrt(fresnel_m2 * d * d2 / np.maximum(dist_m, MIN_RANGE_M)[:, None])
    missing = np.zeros(dist_m.shape, dtype=bool)
    if heights is not None:
        lat, lon = slerp_surface(sta_surface[None, None, :], air_surface[:, None, :], t)
        ground = np.asarray(heights(lat, lon), dtype=np.float64)
        nan = np.isnan(ground)
        missing = nan.any(axis=1)
        obstruction += np.where(nan, 0.0, ground)
    ray = h_s + (h_a[:, None] - h_s) * t
    return (ray - obstruction).min(axis=1), missing
