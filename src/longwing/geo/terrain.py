"""Terrain heights from a digital elevation model (DEM), and terrain along geodesics.

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

Readers and writers: :func:`load_dem` reads any single-band raster GDAL reads (GeoTIFF,
SRTM .hgt, ...), in geographic WGS84; a projected raster is refused with a message saying how
to reproject it, or reprojected on load (bilinear, ``reproject=True``). :func:`save_dem`
writes a GeoTIFF atomically. Every problem raises :class:`TerrainError` with a one-line
message naming the file.

Synthetic terrain for tests and demos: :func:`synthetic_terrain` (seeded fractal noise or
random hills, from the caller's ``numpy.random.Generator``), :func:`ridge_terrain` (an
analytic east-west ridge, exact under bilinear interpolation) and
:func:`terrain_from_function`.

Terrain along a path: :func:`sample_route` (and :func:`sample_geodesic` for one leg) puts
points every ``spacing_m`` (or closer, evenly spaced per leg, both ends included) on the WGS84
geodesic of every leg; :func:`profile_along_geodesic` and :func:`profile_along_route` add the
terrain under them; :func:`clearance_profile` and :func:`clearance_along_route` give the
clearance of a flight altitude above it and its minimum (over the samples: sample at the DEM's
pixel size or finer, or a crest between samples is missed). Sampling costs one geographiclib
inverse per leg and one geographiclib position every 10 km; the points between those nodes are
on the great circle of the auxiliary geocentric sphere through the neighbouring nodes (the
central projection of the node chord onto the ellipsoid), spaced evenly in angle. Against
geographiclib's own positions at the same distances they are within 6e-8 deg (7 mm) on legs
from 1 km to 3,000 km at latitudes up to 80 deg (tests/test_terrain.py asserts 1e-7 deg). A
3,000 km route of 200 legs sampled every 100 m (30,000 points) takes about 35 ms, most of it
in the 200 geographiclib inverses.

Heights: terrain heights are AMSL as stored in the DEM; clearances compare them with flight
altitudes in the same datum (longwing uses ellipsoidal height as AMSL; no geoid yet).

This module is pure except for the explicit reader and writer :func:`load_dem` and
:func:`save_dem`.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.geo.wgs84 import A_M, E2

__all__ = [
    "Bounds",
    "Clearance",
    "RoutePoints",
    "Terrain",
    "TerrainError",
    "TerrainProfile",
    "alt_along_route_m",
    "clearance_along_route",
    "clearance_profile",
    "load_dem",
    "profile_along_geodesic",
    "profile_along_route",
    "ridge_terrain",
    "sample_geodesic",
    "sample_route",
    "save_dem",
    "synthetic_terrain",
    "terrain_from_function",
]

#: Spacing of the geographiclib positions that anchor the sampled points of a long leg.
NODE_SPACING_M = 10_000.0
#: Largest synthetic grid side (samples).
MAX_GRID_SIDE = 8193
#: A fractional pixel index closer than this to an integer is taken as that integer, so a
#: point at a pixel centre gives zero weight to its neighbours (which may be nodata).
_SNAP_PIXEL = 1e-9

_GEOD = Geodesic.WGS84
_GEOD_CAPS = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.DISTANCE_IN


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


# ----------------------------------------------------------------------------------------
# Reading and writing DEM files
# ----------------------------------------------------------------------------------------


def _crs_problem(crs) -> str | None:
    """None if ``crs`` is geographic WGS84, else what it is instead."""
    if crs is None:
        return "has no coordinate reference system (CRS)"
    if crs.is_geographic:
        if crs.to_epsg() == 4326:
            return None
        params = crs.to_dict()
        if params.get("datum") == "WGS84" or params.get("ellps") == "WGS84":
            return None
        return f"has a geographic CRS on another datum ({crs.to_string()}), not WGS84"
    kind = "projected" if crs.is_projected else "not geographic"
    return f"has a {kind} CRS ({crs.to_string()}), not geographic WGS84"


def load_dem(path: str | os.PathLike[str], *, reproject: bool = False) -> Terrain:
    """Read a single-band DEM raster (GeoTIFF or any GDAL raster) into a :class:`Terrain`.

    The raster must be geographic WGS84 (EPSG:4326 or an equivalent longitude/latitude CRS on
    the WGS84 datum) and north-up without rotation. Another CRS raises :class:`TerrainError`
    unless ``reproject`` is true, in which case the raster is warped to EPSG:4326 (bilinear,
    exact coordinate transformation, at GDAL's default resolution for the warp: resampling
    smooths the DEM a little). Nodata pixels become NaN.
    """
    import rasterio
    from rasterio.errors import RasterioError

    label = str(path)
    p = Path(path)
    if not p.exists():
        raise TerrainError(f"{label}: DEM file not found")
    if not p.is_file():
        raise TerrainError(f"{label}: is not a file")
    try:
        with rasterio.open(p) as ds:
            return _read_dataset(ds, label, reproject)
    except TerrainError:
        raise
    except RasterioError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TerrainError(f"{label}: is not a raster file GDAL can read ({reason})") from exc
    except (OSError, ValueError, MemoryError) as exc:
        raise TerrainError(f"{label}: cannot read DEM ({exc})") from exc


def _read_dataset(ds, label: str, reproject: bool) -> Terrain:
    if ds.count != 1:
        raise TerrainError(f"{label}: has {ds.count} bands; a DEM must have exactly one")
    problem = _crs_problem(ds.crs)
    if problem is not None and ds.crs is None:
        raise TerrainError(f"{label}: {problem}; expected geographic WGS84 (EPSG:4326)")
    t = ds.transform
    if problem is None:
        if t.b != 0.0 or t.d != 0.0:
            raise TerrainError(f"{label}: raster is rotated or sheared; expected north-up")
        heights = ds.read(1, masked=True).astype(np.float64).filled(np.nan)
    elif not reproject:
        raise TerrainError(
            f"{label}: {problem}; longwing needs geographic WGS84 (EPSG:4326): reproject it "
            f"(e.g. gdalwarp -t_srs EPSG:4326 -r bilinear {_file_name(label)} dem_wgs84.tif) "
            "or load it with reproject=True"
        )
    else:
        heights, t = _warp_to_wgs84(ds)
    if not np.isfinite(heights).any():
        raise TerrainError(f"{label}: DEM has no valid heights (every pixel is nodata)")
    dlon, dlat = t.a, t.e
    if not (math.isfinite(dlon) and math.isfinite(dlat)) or dlon == 0.0 or dlat == 0.0:
        raise TerrainError(f"{label}: raster has a degenerate geotransform {tuple(t)[:6]}")
    lat0 = t.f + 0.5 * dlat
    lon0 = t.c + 0.5 * dlon
    if dlon < 0.0:  # east-to-west columns: flip to west-to-east
        heights = heights[:, ::-1]
        lon0 = t.c + (heights.shape[1] - 0.5) * dlon
        dlon = -dlon
    try:
        return Terrain(heights, lat0, lon0, dlat, dlon, source=label)
    except TerrainError as exc:
        raise TerrainError(f"{label}: {str(exc).split(': ', 1)[-1]}") from exc


def _file_name(label: str) -> str:
    """The file name part of a path label (for example commands in messages)."""
    return Path(label).name or label


def _warp_to_wgs84(ds):
    from rasterio.crs import CRS
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    dst_crs = CRS.from_epsg(4326)
    with warnings.catch_warnings():  # rasterio 1.4 uses the deprecated Affine '*' inside
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        transform, width, height = calculate_default_transform(
            ds.crs, dst_crs, ds.width, ds.height, *ds.bounds
        )
    src = ds.read(1, masked=True).astype(np.float64).filled(np.nan)
    dst = np.full((height, width), np.nan)
    reproject(
        source=src,
        destination=dst,
        src_transform=ds.transform,
        src_crs=ds.crs,
        src_nodata=np.nan,
        dst_transform=transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
        tolerance=0.0,  # exact coordinate transformation (GDAL's default approximates)
    )
    return dst, transform


def save_dem(
    terrain: Terrain,
    path: str | os.PathLike[str],
    *,
    dtype: Literal["float32", "float64"] = "float32",
) -> None:
    """Write ``terrain`` as a north-up GeoTIFF (EPSG:4326, deflate, nodata NaN), atomically.

    The file is written under a temporary name in the same directory and renamed over
    ``path``, so a failure never leaves a partial DEM. ``float32`` keeps heights to better
    than a millimetre below 9 km; ``float64`` round-trips them exactly.
    """
    import rasterio
    from affine import Affine
    from rasterio.crs import CRS
    from rasterio.errors import RasterioError

    label = str(path)
    target = Path(path)
    if dtype not in ("float32", "float64"):
        raise TerrainError(f"{label}: dtype must be 'float32' or 'float64', not {dtype!r}")
    directory = target.parent
    if not directory.is_dir():
        raise TerrainError(f"{label}: directory {str(directory)!r} does not exist")
    heights = terrain.heights_m
    step = abs(terrain.dlat_deg)
    north = terrain.bounds.north_deg
    if terrain.dlat_deg > 0.0:
        heights = heights[::-1]
    transform = Affine(terrain.dlon_deg, 0.0, terrain.bounds.west_deg, 0.0, -step, north)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
    except OSError as exc:
        raise TerrainError(f"{label}: cannot write ({exc.strerror or exc})") from exc
    try:
        with rasterio.open(
            tmp_name,
            "w",
            driver="GTiff",
            height=heights.shape[0],
            width=heights.shape[1],
            count=1,
            dtype=dtype,
            crs=CRS.from_epsg(4326),
            transform=transform,
            nodata=np.nan,
            compress="deflate",
        ) as ds:
            ds.write(heights.astype(dtype), 1)
        os.replace(tmp_name, target)
    except (RasterioError, OSError) as exc:
        raise TerrainError(f"{label}: cannot write DEM ({exc})") from exc
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)


# ----------------------------------------------------------------------------------------
# Synthetic terrain
# ----------------------------------------------------------------------------------------


class _LocalGrid(NamedTuple):
    n: int  # samples per side (odd: the centre sample is at lat0, lon0)
    dlat_deg: float  # negative (north-up)
    dlon_deg: float
    north_m: np.ndarray  # (n,) north offset of each row from the centre
    east_m: np.ndarray  # (n,) east offset of each column from the centre


def _local_grid(lat0_deg: float, lon0_deg: float, size_km: float, spacing_m: float) -> _LocalGrid:
    if not (math.isfinite(size_km) and size_km > 0.0):
        raise TerrainError(f"synthetic terrain: size_km must be positive, not {size_km}")
    if not (math.isfinite(spacing_m) and spacing_m > 0.0):
        raise TerrainError(f"synthetic terrain: spacing_m must be positive, not {spacing_m}")
    if not (math.isfinite(lat0_deg) and abs(lat0_deg) <= 85.0 and math.isfinite(lon0_deg)):
        raise TerrainError(
            f"synthetic terrain: centre ({lat0_deg}, {lon0_deg}) must have |lat| <= 85 deg"
        )
    half = int(round(size_km * 1000.0 / (2.0 * spacing_m)))
    n = 2 * half + 1
    if half < 1 or n > MAX_GRID_SIDE:
        raise TerrainError(
            f"synthetic terrain: {size_km} km at {spacing_m} m gives {n} samples a side; "
            f"allowed 3 to {MAX_GRID_SIDE}"
        )
    phi = math.radians(lat0_deg)
    w2 = 1.0 - E2 * math.sin(phi) ** 2
    m_m = A_M * (1.0 - E2) / (w2 * math.sqrt(w2))  # meridian radius of curvature
    n_m = A_M / math.sqrt(w2)  # prime-vertical radius of curvature
    dlat = -math.degrees(spacing_m / m_m)
    dlon = math.degrees(spacing_m / (n_m * math.cos(phi)))
    if abs(lat0_deg) + half * abs(dlat) > 90.0:
        raise TerrainError("synthetic terrain: grid reaches beyond a pole")
    offsets = (np.arange(n) - half) * spacing_m
    return _LocalGrid(n, dlat, dlon, -offsets, offsets)


def terrain_from_function(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    height_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    source: str = "analytic",
) -> Terrain:
    """A square grid centred on (lat0, lon0) with heights ``height_fn(north_m, east_m)``.

    The grid has an odd number of samples a side, ``spacing_m`` apart (the centre sample is
    at lat0, lon0), about ``size_km`` across. ``north_m``/``east_m`` are 2-D arrays of the
    offsets of the sample centres from the centre: exact along the central meridian and
    parallel, equirectangular elsewhere (latitude steps use the meridian radius at lat0,
    longitude steps the parallel's radius at lat0).
    """
    g = _local_grid(lat0_deg, lon0_deg, size_km, spacing_m)
    north, east = np.meshgrid(g.north_m, g.east_m, indexing="ij")
    heights = np.broadcast_to(np.asarray(height_fn(north, east), dtype=np.float64), north.shape)
    half = g.n // 2
    return Terrain(
        heights,
        lat0_deg - half * g.dlat_deg,
        lon0_deg - half * g.dlon_deg,
        g.dlat_deg,
        g.dlon_deg,
        source,
    )


def ridge_terrain(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    *,
    height_m: float,
    half_width_m: float,
    base_m: float = 0.0,
) -> Terrain:
    """An east-west ridge: ``base_m`` plus a triangle of ``height_m`` whose crest is the
    parallel through lat0 and whose flanks reach the base ``half_width_m`` north and south.

    The crest is a row of pixel centres and the heights depend on the row only, so when
    ``half_width_m`` is a multiple of ``spacing_m`` bilinear interpolation reproduces the
    ridge exactly (a piecewise-linear function of latitude).
    """
    if not half_width_m > 0.0:
        raise TerrainError(f"ridge terrain: half_width_m must be positive, not {half_width_m}")

    def ridge(north_m: np.ndarray, east_m: np.ndarray) -> np.ndarray:
        return base_m + height_m * np.maximum(0.0, 1.0 - np.abs(north_m) / half_width_m)

    return terrain_from_function(lat0_deg, lon0_deg, size_km, spacing_m, ridge, "ridge")


def synthetic_terrain(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    rng: np.random.Generator,
    *,
    relief_m: float = 500.0,
    base_m: float = 100.0,
    kind: Literal["fractal", "hills"] = "fractal",
    hurst: float = 0.8,
) -> Terrain:
    """Plausible random terrain centred on (lat0, lon0), deterministic for a given ``rng``.

    ``kind="fractal"``: spectral synthesis of fractional Brownian relief (amplitude spectrum
    ~ k^-(hurst+1), rolled off below one cycle per grid size; computed on a grid twice the
    size and cropped, so it does not wrap around). ``kind="hills"``: a sum of 8-24 Gaussian
    hills of random position, width (size/20 to size/5) and height. Either is then scaled so
    its lowest point is exactly ``base_m`` and its highest exactly ``base_m + relief_m``.
    The grid is that of :func:`terrain_from_function`. Only ``rng`` supplies randomness.
    """
    if not (math.isfinite(relief_m) and relief_m >= 0.0 and math.isfinite(base_m)):
        raise TerrainError(
            f"synthetic terrain: relief_m must be >= 0 and base_m finite ({relief_m}, {base_m})"
        )
    g = _local_grid(lat0_deg, lon0_deg, size_km, spacing_m)
    size_m = g.n * spacing_m
    if kind == "fractal":
        if not 0.0 < hurst <= 1.0:
            raise TerrainError(f"synthetic terrain: hurst must be in (0, 1], not {hurst}")
        m = 2 * g.n
        white = rng.standard_normal((m, m))
        kk = np.hypot(
            np.fft.fftfreq(m, d=spacing_m)[:, None], np.fft.rfftfreq(m, d=spacing_m)[None, :]
        )
        k0 = 1.0 / size_m
        amplitude = (kk * kk + k0 * k0) ** (-(hurst + 1.0) / 2.0)
        amplitude[0, 0] = 0.0
        field_ = np.fft.irfft2(np.fft.rfft2(white) * amplitude, s=(m, m))[: g.n, : g.n]
    elif kind == "hills":
        n_hills = int(rng.integers(8, 25))
        cn = rng.uniform(-0.5, 0.5, n_hills) * size_m
        ce = rng.uniform(-0.5, 0.5, n_hills) * size_m
        sigma = rng.uniform(size_m / 20.0, size_m / 5.0, n_hills)
        amp = rng.uniform(0.3, 1.0, n_hills)
        north, east = np.meshgrid(g.north_m, g.east_m, indexing="ij")
        field_ = np.zeros((g.n, g.n))
        for a, n0, e0, s in zip(amp, cn, ce, sigma, strict=True):
            field_ += a * np.exp(-((north - n0) ** 2 + (east - e0) ** 2) / (2.0 * s * s))
    else:
        raise TerrainError(f"synthetic terrain: kind must be 'fractal' or 'hills', not {kind!r}")
    lo, hi = float(field_.min()), float(field_.max())
    span = hi - lo if hi > lo else 1.0
    heights = base_m + relief_m * (field_ - lo) / span
    half = g.n // 2
    return Terrain(
        heights,
        lat0_deg - half * g.dlat_deg,
        lon0_deg - half * g.dlon_deg,
        g.dlat_deg,
        g.dlon_deg,
        f"synthetic {kind}",
    )


# ----------------------------------------------------------------------------------------
# Points along geodesics
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RoutePoints:
    """Points on the geodesics of a route's legs, in order, each waypoint once.

    ``distance_m`` is the distance along the route from the first waypoint; ``leg_index``
    the leg a point is on (a waypoint belongs to the leg it ends; the first to leg 0);
    ``waypoint_distance_m`` the distance of every waypoint along the route.
    """

    distance_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    leg_index: np.ndarray
    waypoint_distance_m: np.ndarray

    @property
    def length_m(self) -> float:
        return float(self.waypoint_distance_m[-1])


@dataclass(frozen=True, eq=False)
class TerrainProfile:
    """Terrain under points along a route (see :class:`RoutePoints`); NaN = no data."""

    distance_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    terrain_m: np.ndarray
    leg_index: np.ndarray
    waypoint_distance_m: np.ndarray

    @property
    def length_m(self) -> float:
        return float(self.waypoint_distance_m[-1])


def _surface_ecef(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """ECEF (m) of points on the ellipsoid surface, shape (..., 3)."""
    phi = np.radians(lat_deg)
    lam = np.radians(lon_deg)
    sphi = np.sin(phi)
    n = A_M / np.sqrt(1.0 - E2 * sphi * sphi)
    cphi = np.cos(phi)
    return np.stack(
        (n * cphi * np.cos(lam), n * cphi * np.sin(lam), n * (1.0 - E2) * sphi), axis=-1
    )


def _slerp_surface(a: np.ndarray, b: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surface points at angle fraction ``u`` from ``a`` to ``b`` (ECEF, (..., 3)) on the
    great circle of the geocentric directions; returns geodetic (lat_deg, lon_deg)."""
    dot = np.einsum("...i,...i->...", a, b)
    crs = np.linalg.norm(np.cross(a, b), axis=-1)
    theta = np.arctan2(crs, dot)
    s = np.sin(theta)
    small = s < 1e-12
    s_safe = np.where(small, 1.0, s)
    wa = np.where(small, 1.0 - u, np.sin((1.0 - u) * theta) / s_safe)
    wb = np.where(small, u, np.sin(u * theta) / s_safe)
    # the weights scale a and b, not their directions: compensate for |a| != |b|
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    p = (wa / na)[..., None] * a + (wb / nb)[..., None] * b
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    lat = np.degrees(np.arctan2(z, (1.0 - E2) * np.hypot(x, y)))
    lon = np.degrees(np.arctan2(y, x))
    return lat, lon


def _check_waypoints(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    if lat.shape != lon.shape or lat.size < 2:
        raise TerrainError("route: need at least two waypoints, with as many lats as lons")
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        raise TerrainError("route: waypoint latitudes and longitudes must be finite")
    if (np.abs(lat) > 90.0).any():
        raise TerrainError("route: waypoint latitudes must be within [-90, 90] deg")
    return lat, lon


def sample_route(
    lat_deg: np.ndarray | list[float],
    lon_deg: np.ndarray | list[float],
    spacing_m: float = 100.0,
) -> RoutePoints:
    """Points on the WGS84 geodesic of each leg, at most ``spacing_m`` apart (evenly spaced
    within a leg), both ends of every leg included and each waypoint once.

    Waypoints are returned exactly as given; points between them have longitudes in
    [-180, 180]. Positions agree with geographiclib's at the same distance to within 7 mm.
    """
    if not (math.isfinite(spacing_m) and spacing_m > 0.0):
        raise TerrainError(f"route: spacing_m must be positive, not {spacing_m}")
    lat, lon = _check_waypoints(lat_deg, lon_deg)
    node_lat: list[np.ndarray] = []
    node_lon: list[np.ndarray] = []
    seg: list[np.ndarray] = []
    frac: list[np.ndarray] = []
    dist: list[np.ndarray] = []
    legs: list[np.ndarray] = []
    wp_dist = np.zeros(lat.size)
    n_nodes = 0
    for k in range(lat.size - 1):
        line = _GEOD.InverseLine(lat[k], lon[k], lat[k + 1], lon[k + 1], _GEOD_CAPS)
        length = float(line.s13)
        m = max(1, math.ceil(length / NODE_SPACING_M))
        la = np.empty(m + 1)
        lo = np.empty(m + 1)
        la[0], lo[0], la[m], lo[m] = lat[k], lon[k], lat[k + 1], lon[k + 1]
        for q in range(1, m):
            pos = line.Position(length * q / m, Geodesic.LATITUDE | Geodesic.LONGITUDE)
            la[q], lo[q] = pos["lat2"], pos["lon2"]
        n = max(1, math.ceil(length / spacing_m - 1e-9))
        i = np.arange(0 if k == 0 else 1, n + 1)
        j = np.minimum((i * m) // n, m - 1)
        seg.append(n_nodes + j)
        frac.append((i * m - j * n) / n)
        dist.append(wp_dist[k] + length * i / n)
        legs.append(np.full(i.size, k, dtype=np.intp))
        node_lat.append(la)
        node_lon.append(lo)
        n_nodes += m + 1
        wp_dist[k + 1] = wp_dist[k] + length
    nodes_lat = np.concatenate(node_lat)
    nodes_lon = np.concatenate(node_lon)
    nodes = _surface_ecef(nodes_lat, nodes_lon)
    j = np.concatenate(seg)
    u = np.concatenate(frac)
    out_lat, out_lon = _slerp_surface(nodes[j], nodes[j + 1], u)
    at_a = u == 0.0
    at_b = u == 1.0
    out_lat[at_a], out_lon[at_a] = nodes_lat[j[at_a]], nodes_lon[j[at_a]]
    out_lat[at_b], out_lon[at_b] = nodes_lat[j[at_b] + 1], nodes_lon[j[at_b] + 1]
    distance = np.concatenate(dist)
    distance[-1] = wp_dist[-1]
    return RoutePoints(distance, out_lat, out_lon, np.concatenate(legs), wp_dist)


def sample_geodesic(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, spacing_m: float = 100.0
) -> RoutePoints:
    """Points on the geodesic from point 1 to point 2 (see :func:`sample_route`)."""
    return sample_route([lat1_deg, lat2_deg], [lon1_deg, lon2_deg], spacing_m)


def _profile(terrain: Terrain, points: RoutePoints) -> TerrainProfile:
    return TerrainProfile(
        points.distance_m,
        points.lat_deg,
        points.lon_deg,
        terrain.height_m(points.lat_deg, points.lon_deg),
        points.leg_index,
        points.waypoint_distance_m,
    )


def profile_along_geodesic(
    terrain: Terrain,
    lat1_deg: float,
    lon1_deg: float,
    lat2_deg: float,
    lon2_deg: float,
    spacing_m: float = 100.0,
) -> TerrainProfile:
    """Terrain under points every ``spacing_m`` (or closer) on the geodesic 1 -> 2."""
    return _profile(terrain, sample_geodesic(lat1_deg, lon1_deg, lat2_deg, lon2_deg, spacing_m))


def profile_along_route(
    terrain: Terrain,
    lat_deg: np.ndarray | list[float],
    lon_deg: np.ndarray | list[float],
    spacing_m: float = 100.0,
) -> TerrainProfile:
    """Terrain under points every ``spacing_m`` (or closer) along a route's geodesic legs."""
    return _profile(terrain, sample_route(lat_deg, lon_deg, spacing_m))


# ----------------------------------------------------------------------------------------
# Clearance
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Clearance:
    """Clearance of a flight altitude above the terrain along a profile.

    ``clearance_m = alt_m - terrain_m`` per point (NaN where there is no terrain data). The
    minimum over the points with data is ``min_clearance_m`` at point ``min_index`` (NaN and
    -1 if no point has data). ``n_no_data`` counts the points without terrain data.

    The minimum is over the samples: a crest between two samples is missed by up to its
    slope times half the spacing, so sample at (or finer than) the DEM's pixel size.
    """

    distance_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    terrain_m: np.ndarray
    clearance_m: np.ndarray
    min_clearance_m: float
    min_index: int
    min_distance_m: float
    min_lat_deg: float
    min_lon_deg: float
    n_no_data: int

    def below(self, threshold_m: float) -> np.ndarray:
        """Boolean mask of the points whose clearance is below ``threshold_m``."""
        with np.errstate(invalid="ignore"):
            return self.clearance_m < threshold_m


def alt_along_route_m(
    profile: TerrainProfile | RoutePoints, waypoint_alt_m: np.ndarray | list[float]
) -> np.ndarray:
    """Altitude at each profile point, linear in distance between the waypoint altitudes."""
    wp_alt = np.asarray(waypoint_alt_m, dtype=np.float64).ravel()
    if wp_alt.shape != profile.waypoint_distance_m.shape:
        raise TerrainError(
            f"route: {wp_alt.size} waypoint altitudes for "
            f"{profile.waypoint_distance_m.size} waypoints"
        )
    # position within each point's own leg, so zero-length legs do not confuse np.interp
    k = profile.leg_index
    d0 = profile.waypoint_distance_m[k]
    d1 = profile.waypoint_distance_m[k + 1]
    span = np.where(d1 > d0, d1 - d0, 1.0)
    t = np.clip((profile.distance_m - d0) / span, 0.0, 1.0)
    return wp_alt[k] + t * (wp_alt[k + 1] - wp_alt[k])


def clearance_profile(profile: TerrainProfile, alt_m: np.ndarray | float) -> Clearance:
    """Clearance of ``alt_m`` (scalar, or one altitude per profile point) above the terrain."""
    alt = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), profile.terrain_m.shape).copy()
    clearance = alt - profile.terrain_m
    has_data = np.isfinite(clearance)
    n_no_data = int(clearance.size - np.count_nonzero(has_data))
    if has_data.any():
        idx = int(np.argmin(np.where(has_data, clearance, np.inf)))
        min_c = float(clearance[idx])
        where = (float(profile.distance_m[idx]), float(profile.lat_deg[idx]))
        min_lon = float(profile.lon_deg[idx])
    else:
        idx, min_c, where, min_lon = -1, math.nan, (math.nan, math.nan), math.nan
    return Clearance(
        profile.distance_m,
        profile.lat_deg,
        profile.lon_deg,
        alt,
        profile.terrain_m,
        clearance,
        min_c,
        idx,
        where[0],
        where[1],
        min_lon,
        n_no_data,
    )


def clearance_along_route(
    terrain: Terrain,
    lat_deg: np.ndarray | list[float],
    lon_deg: np.ndarray | list[float],
    alt_m: np.ndarray | list[float],
    spacing_m: float = 100.0,
) -> Clearance:
    """Clearance of a route flown at waypoint altitudes ``alt_m`` (AMSL, linear in distance
    along each leg) above the terrain, sampled every ``spacing_m`` or closer."""
    profile = profile_along_route(terrain, lat_deg, lon_deg, spacing_m)
    return clearance_profile(profile, alt_along_route_m(profile, alt_m))
