"""Terrain heights on a regular latitude/longitude grid (a digital elevation model, DEM).

A :class:`Terrain` is a regular latitude/longitude grid (geographic WGS84, EPSG:4326) of
terrain heights above mean sea level in metres, NaN where the model has no data. It is
immutable; :meth:`Terrain.height_m` interpolates it bilinearly over numpy arrays and
``terrain(lat_deg, lon_deg)`` is the scalar form (the ``TerrainFn`` of
:mod:`longwing.mission.items`).

Grid convention: a stored sample is the height at the *centre* of its pixel. GDAL/rasterio
transforms give pixel *corners*, so the centre of pixel (row i, column j) is at
``lat = north + (i + 0.5) * dlat`` (dlat < 0 for the usual north-up raster) and
``lon = west + (j + 0.5) * dlon``. Between pixel centres heights are bilinear in latitude and
longitude (exact for any plane a + b lat + c lon); in the outer half pixel, between the last
centre and the raster edge, the edge value is held. Outside the raster's extent (its pixel
corners) and wherever a sample with a non-zero interpolation weight is nodata the height is
NaN. Longitudes are taken modulo 360 degrees, so a grid crossing the antimeridian (or given
in 0-360 degrees) works.

Heights: terrain heights are AMSL as stored in the DEM; clearances compare them with flight
altitudes in the same datum (longwing uses ellipsoidal height as AMSL; no geoid yet).

Where terrain comes from: DEM files are read and written by :mod:`longwing.io.dem` (this
package opens no files); synthetic and analytic terrain is made by
:mod:`longwing.geo.terrain_synthetic`; terrain along geodesics and the clearance of a route
are in :mod:`longwing.geo.terrain_profile`. Every problem raises :class:`TerrainError` with a
one-line message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = ["Bounds", "Terrain", "TerrainError"]

#: A fractional pixel index closer than this to an integer is taken as that integer, so a
#: point at a pixel centre gives zero weight to its neighbours (which may be nodata).
_SNAP_PIXEL = 1e-9


class TerrainError(ValueError):
    """A DEM file, terrain grid or terrain request that cannot be used; one-line message."""


class Bounds(NamedTuple):
    """Extent of a grid in degrees (pixel corners): south, west, north, east."""

    south_deg: float
    west_deg: float
    north_deg: float
    east_deg: float


@dataclass(frozen=True, eq=False)
class Terrain:
    """A regular latitude/longitude grid of terrain heights AMSL (m); NaN is "no data".

    ``heights_m[i, j]`` is the height at the centre of pixel (i, j), at latitude
    ``lat0_deg + i * dlat_deg`` and longitude ``lon0_deg + j * dlon_deg``. ``dlat_deg`` is
    negative for a north-up grid (row 0 is the northernmost); ``dlon_deg`` must be positive.
    The array is copied to float64 and made read-only. ``source`` names where it came from
    (a file name, ``"synthetic"``) for messages.
    """

    heights_m: np.ndarray
    lat0_deg: float
    lon0_deg: float
    dlat_deg: float
    dlon_deg: float
    source: str = ""
    _min_m: float = field(init=False, repr=False, default=math.nan)
    _max_m: float = field(init=False, repr=False, default=math.nan)

    def __post_init__(self) -> None:
        heights = np.array(self.heights_m, dtype=np.float64, copy=True)
        name = self.source or "terrain"
        if heights.ndim != 2 or heights.shape[0] < 1 or heights.shape[1] < 1:
            raise TerrainError(f"{name}: heights must be a non-empty 2-D array")
        values = (self.lat0_deg, self.lon0_deg, self.dlat_deg, self.dlon_deg)
        if not all(math.isfinite(v) for v in values):
            raise TerrainError(f"{name}: grid origin and steps must be finite")
        if self.dlat_deg == 0.0 or not self.dlon_deg > 0.0:
            raise TerrainError(f"{name}: dlat_deg must be non-zero and dlon_deg positive")
        if self.dlon_deg * heights.shape[1] > 360.0 + 1e-9:
            raise TerrainError(f"{name}: grid spans more than 360 degrees of longitude")
        heights.flags.writeable = False
        object.__setattr__(self, "heights_m", heights)
        for attr in ("lat0_deg", "lon0_deg", "dlat_deg", "dlon_deg"):
            object.__setattr__(self, attr, float(getattr(self, attr)))
        finite = heights[np.isfinite(heights)]
        object.__setattr__(self, "_min_m", float(finite.min()) if finite.size else math.nan)
        object.__setattr__(self, "_max_m", float(finite.max()) if finite.size else math.nan)

    @classmethod
    def from_bounds(
        cls,
        heights_m: np.ndarray,
        bounds: Bounds | tuple[float, float, float, float],
        source: str = "",
    ) -> Terrain:
        """A north-up grid (row 0 north) covering ``(south, west, north, east)`` corners."""
        h = np.asarray(heights_m)
        if h.ndim != 2:
            raise TerrainError(f"{source or 'terrain'}: heights must be a 2-D array")
        south, west, north, east = (float(b) for b in bounds)
        if not (north > south and east > west):
            raise TerrainError(
                f"{source or 'terrain'}: bounds must have north > south, east > west"
            )
        dlat = -(north - south) / h.shape[0]
        dlon = (east - west) / h.shape[1]
        return cls(h, north + 0.5 * dlat, west + 0.5 * dlon, dlat, dlon, source)

    @property
    def n_rows(self) -> int:
        return int(self.heights_m.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.heights_m.shape[1])

    @property
    def bounds(self) -> Bounds:
        """Extent of the grid (pixel corners), degrees."""
        lat_a = self.lat0_deg - 0.5 * self.dlat_deg
        lat_b = self.lat0_deg + (self.n_rows - 0.5) * self.dlat_deg
        west = self.lon0_deg - 0.5 * self.dlon_deg
        return Bounds(
            min(lat_a, lat_b), west, max(lat_a, lat_b), west + self.n_cols * self.dlon_deg
        )

    @property
    def min_height_m(self) -> float:
        """Lowest height in the grid (NaN if it has no data at all)."""
        return self._min_m

    @property
    def max_height_m(self) -> float:
        """Highest height in the grid (NaN if it has no data at all)."""
        return self._max_m

    def _fractional_index(self, lat_deg: np.ndarray, lon_deg: np.ndarray):
        """Fractional row/column of pixel centres and whether the point is in the extent."""
        r = (lat_deg - self.lat0_deg) / self.dlat_deg
        west = self.lon0_deg - 0.5 * self.dlon_deg
        c = np.mod(lon_deg - west, 360.0) / self.dlon_deg - 0.5
        inside = (r >= -0.5) & (r <= self.n_rows - 0.5) & (c >= -0.5) & (c <= self.n_cols - 0.5)
        return r, c, inside

    def contains(self, lat_deg: np.ndarray | float, lon_deg: np.ndarray | float) -> np.ndarray:
        """Whether points are inside the grid's extent (they may still be nodata)."""
        lat, lon = np.broadcast_arrays(
            np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
        )
        return self._fractional_index(lat, lon)[2]

    def height_m(self, lat_deg: np.ndarray | float, lon_deg: np.ndarray | float) -> np.ndarray:
        """Bilinear terrain height AMSL (m) at points; NaN outside the grid or on nodata.

        ``lat_deg`` and ``lon_deg`` broadcast against each other; the result has their
        broadcast shape (a 0-d array for scalars).
        """
        lat, lon = np.broadcast_arrays(
            np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
        )
        r, c, inside = self._fractional_index(lat, lon)
        nr, nc = self.n_rows, self.n_cols
        r = np.clip(np.where(inside, r, 0.0), 0.0, nr - 1.0)
        c = np.clip(np.where(inside, c, 0.0), 0.0, nc - 1.0)
        r = _snap(r)
        c = _snap(c)
        i0 = np.minimum(r.astype(np.intp), max(nr - 2, 0))
        j0 = np.minimum(c.astype(np.intp), max(nc - 2, 0))
        fr = r - i0
        fc = c - j0
        i1 = np.minimum(i0 + 1, nr - 1)
        j1 = np.minimum(j0 + 1, nc - 1)
        flat = self.heights_m.ravel()
        out = np.zeros(lat.shape)
        for ii, jj, w in (
            (i0, j0, (1.0 - fr) * (1.0 - fc)),
            (i0, j1, (1.0 - fr) * fc),
            (i1, j0, fr * (1.0 - fc)),
            (i1, j1, fr * fc),
        ):
            h = flat[ii * nc + jj]
            out += np.where(w > 0.0, w * h, 0.0)
        out[~inside] = np.nan
        return out

    def __call__(self, lat_deg: float, lon_deg: float) -> float:
        """Scalar height AMSL (m) at one point; NaN where there is no data."""
        return float(self.height_m(lat_deg, lon_deg))


def _snap(x: np.ndarray) -> np.ndarray:
    nearest = np.rint(x)
    return np.where(np.abs(x - nearest) < _SNAP_PIXEL, nearest, x)
