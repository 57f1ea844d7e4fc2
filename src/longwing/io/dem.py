"""DEM files: read a raster into a :class:`~longwing.geo.terrain_grid.Terrain`, write one.

:func:`load_dem` reads any single-band raster GDAL reads (GeoTIFF, SRTM .hgt, ...), in
geographic WGS84; a projected raster is refused with a message saying how to reproject it,
or reprojected on load (bilinear, ``reproject=True``). :func:`save_dem` writes a GeoTIFF
atomically. Every problem raises :class:`~longwing.geo.terrain_grid.TerrainError` (the
terrain's own error, re-exported here) with a one-line message naming the file. rasterio is
imported inside the functions, so importing this module is cheap.

The grid convention (heights at pixel centres, rasterio's transforms at pixel corners) is
:mod:`longwing.geo.terrain_grid`'s.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from longwing.geo.terrain_grid import Terrain, TerrainError

__all__ = ["TerrainError", "load_dem", "save_dem"]


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


def load_world_terrain(texts, home) -> Terrain:
    """``--dem`` (given once or more): raster files (:func:`load_dem`, reprojected; several
    are mosaicked, :func:`load_dem_tiles`), or one synthetic terrain spec (``synthetic:...``,
    :mod:`longwing.geo.terrain_spec`) laid around ``home()`` (a callable giving (lat_deg,
    lon_deg, alt_m), asked only for a spec). TerrainError: one line."""
    from longwing.geo.terrain_spec import is_spec, terrain_from_spec

    texts = [str(t) for t in ([texts] if isinstance(texts, (str, os.PathLike)) else texts)]
    if any(is_spec(t) for t in texts):
        if len(texts) > 1:
            raise TerrainError("--dem: a synthetic terrain spec cannot be combined with tiles")
        return terrain_from_spec(texts[0], *home())
    if len(texts) == 1:
        return load_dem(texts[0], reproject=True)
    return load_dem_tiles(texts)


def load_dem_tiles(paths: list[str]) -> Terrain:
    """Several DEM tiles (one CRS) mosaicked into one :class:`Terrain` (rasterio's merge;
    where tiles overlap the first given wins), reprojected to WGS84 when needed."""
    import contextlib

    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.io import MemoryFile
    from rasterio.merge import merge

    label = " + ".join(paths)
    for p in paths:
        if not Path(p).is_file():
            raise TerrainError(f"{p}: DEM file not found" if not Path(p).exists()
                               else f"{p}: is not a file")  # fmt: skip
    try:
        with contextlib.ExitStack() as stack:
            dss = [stack.enter_context(rasterio.open(p)) for p in paths]
            for p, ds in zip(paths, dss, strict=True):
                if ds.count != 1:
                    raise TerrainError(f"{p}: has {ds.count} bands; a DEM must have one")
            if len({str(ds.crs) for ds in dss}) > 1:
                raise TerrainError(f"{label}: the tiles are in different CRSs; give them one")
            with warnings.catch_warnings():  # rasterio 1.4 uses the deprecated Affine '*'
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                arr, transform = merge(dss, nodata=np.nan, dtype="float64")
            with MemoryFile() as mem:
                with mem.open(driver="GTiff", height=arr.shape[1], width=arr.shape[2], count=1,
                              dtype="float64", crs=dss[0].crs, transform=transform,
                              nodata=np.nan) as dst:  # fmt: skip
                    dst.write(arr[0], 1)
                with mem.open() as ds:
                    return _read_dataset(ds, label, True)
    except TerrainError:
        raise
    except (RasterioError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TerrainError(f"{label}: cannot mosaic the tiles ({reason})") from exc


def plan_home(path: str | os.PathLike[str]) -> tuple[float, float, float]:
    """Home (lat, lon, alt) of a mission file without resolving its altitudes (a ``.plan``'s
    plannedHomePosition may be needed before the DEM that resolves them exists)."""
    import json

    from longwing.mission import load_mission
    from longwing.mission.items import MissionError

    try:
        h = load_mission(path).home
        return h.lat_deg, h.lon_deg, h.alt_m
    except MissionError as exc:  # e.g. AltitudeMode 3 items waiting for this very terrain
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
            lat, lon, alt = (float(v) for v in doc["mission"]["plannedHomePosition"])
        except (OSError, ValueError, KeyError, TypeError):
            raise exc from None  # the mission's own one-line error
        return lat, lon, alt
