"""The ground under the aircraft in the compiled loop: a DEM held as a flat array.

:class:`TerrainGrid` is :class:`~longwing.geo.terrain_grid.Terrain` in the form the numba
kernels take (radians, no-data filled); :func:`terrain_height_m` interpolates it bilinearly
between pixel centres with the same convention as ``Terrain.height_m`` (the edge value held
in the outer half pixel), and beyond the grid's extent holds the nearest edge value (the
callers check before a flight that the route lies inside the DEM). An empty grid (no DEM)
gives the flat ground the caller passes: the home or landing-point elevation, as before
terrain existed.

No-data samples (the sea in most SRTM/Copernicus tiles, voids) are taken as sea level,
0 m AMSL (:func:`terrain_grid`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

NODATA_HEIGHT_M = 0.0  # what a no-data sample is taken as: sea level


class TerrainGrid(NamedTuple):
    heights_m: np.ndarray  # (rows, cols) float64 AMSL at pixel centres; (0, 0): no DEM
    lat0_rad: float  # latitude of row 0's centres
    dlat_rad: float  # row step (negative: north-up)
    lon0_rad: float  # longitude of column 0's centres
    dlon_rad: float  # column step (positive)


def no_terrain() -> TerrainGrid:
    """The flat world: the loop uses the target's ground altitude."""
    return TerrainGrid(np.zeros((0, 0)), 0.0, -1.0, 0.0, 1.0)


def terrain_grid(terrain) -> TerrainGrid:
    """A :class:`~longwing.geo.terrain_grid.Terrain` (or None: :func:`no_terrain`) for the
    kernels."""
    if terrain is None:
        return no_terrain()
    h = np.array(terrain.heights_m, dtype=np.float64, order="C", copy=True)
    h[~np.isfinite(h)] = NODATA_HEIGHT_M
    return TerrainGrid(h, math.radians(terrain.lat0_deg), math.radians(terrain.dlat_deg),
                       math.radians(terrain.lon0_deg), math.radians(terrain.dlon_deg))  # fmt: skip


@njit(cache=True, inline="always")
def _axis(x: float, n: int) -> tuple[int, int, float]:
    """Lower index, upper index and weight of fractional pixel index ``x`` (clamped)."""
    if n == 1:
        return 0, 0, 0.0
    x = min(max(x, 0.0), n - 1.0)
    i0 = min(int(x), n - 2)
    return i0, i0 + 1, x - i0


@njit(cache=True)
def terrain_height_m(lat_rad: float, lon_rad: float, g: TerrainGrid, flat_m: float) -> float:
    """Terrain height AMSL (m) under a point; ``flat_m`` when ``g`` is empty."""
    nr, nc = g.heights_m.shape
    if nr == 0:
        return flat_m
    r = (lat_rad - g.lat0_rad) / g.dlat_rad
    west = g.lon0_rad - 0.5 * g.dlon_rad
    c = ((lon_rad - west) % (2.0 * math.pi)) / g.dlon_rad - 0.5
    if c > nc - 0.5:  # east of the grid: the nearer edge, east or west round the globe
        c = nc - 1.0 if c - (nc - 0.5) < 2.0 * math.pi / g.dlon_rad - c - 0.5 else 0.0
    i0, i1, fr = _axis(r, nr)
    j0, j1, fc = _axis(c, nc)
    hh = g.heights_m
    top = hh[i0, j0] + fc * (hh[i0, j1] - hh[i0, j0])
    bot = hh[i1, j0] + fc * (hh[i1, j1] - hh[i1, j0])
    return top + fr * (bot - top)
