"""Terrain grids, DEM files, synthetic terrain and terrain along geodesics.

References are independent of the code under test: planes and hand-placed pixel centres for
the interpolation, rasterio writing the files (and PROJ transforming coordinates) for the
reader, geographiclib's Direct/Inverse for the geodesic sampling, the analytic ridge for
the clearance.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
import pytest
import rasterio
from affine import Affine
from geographiclib.geodesic import Geodesic
from rasterio.crs import CRS
from rasterio.warp import transform as proj_transform

from longwing.geo.terrain_grid import Terrain, TerrainError
from longwing.geo.terrain_profile import (
    alt_along_route_m,
    clearance_along_route,
    clearance_profile,
    profile_along_geodesic,
    profile_along_route,
    sample_route,
)
from longwing.geo.terrain_synthetic import ridge_terrain, synthetic_terrain, terrain_from_function
from longwing.io.dem import load_dem, save_dem

GEOD = Geodesic.WGS84


def plane(lat, lon):
    return 120.0 + 35.0 * (lat - 45.0) - 17.5 * (lon - 7.0)


def small_grid(rows: int = 7, cols: int = 9) -> tuple[Terrain, tuple[float, float, float, float]]:
    bounds = (44.9, 6.8, 45.6, 7.7)  # south, west, north, east: 0.1 deg pixels
    south, west, north, east = bounds
    dlat = (north - south) / rows
    dlon = (east - west) / cols
    lat_c = north - (np.arange(rows) + 0.5) * dlat
    lon_c = west + (np.arange(cols) + 0.5) * dlon
    heights = plane(lat_c[:, None], lon_c[None, :])
    return Terrain.from_bounds(heights, bounds, "plane"), bounds


# ----------------------------------------------------------------------------------------
# Interpolation and grid convention
# ----------------------------------------------------------------------------------------


def test_bilinear_reproduces_a_plane_exactly():
    t, (south, west, north, east) = small_grid()
    rng = np.random.default_rng(3)
    # inside the hull of the pixel centres (half a pixel in from the edges)
    lat = rng.uniform(south + 0.05, north - 0.05, 500)
    lon = rng.uniform(west + 0.05, east - 0.05, 500)
    np.testing.assert_allclose(t.height_m(lat, lon), plane(lat, lon), rtol=0, atol=1e-9)
    # the same plane on a south-up grid (positive latitude step)
    flipped = Terrain(t.heights_m[::-1], south + 0.05, t.lon0_deg, 0.1, t.dlon_deg)
    np.testing.assert_allclose(flipped.height_m(lat, lon), plane(lat, lon), atol=1e-9)
    # a 2-D query keeps its shape; the scalar form agrees
    assert t.height_m(lat.reshape(20, 25), lon.reshape(20, 25)).shape == (20, 25)
    assert t(float(lat[0]), float(lon[0])) == pytest.approx(plane(lat[0], lon[0]), abs=1e-9)


def test_sample_belongs_to_the_pixel_centre():
    rng = np.random.default_rng(4)
    heights = rng.uniform(0.0, 3000.0, (5, 6))
    south, west, north, east = -3.0, 30.0, -2.5, 30.6  # 0.1 deg pixels
    t = Terrain.from_bounds(heights, (south, west, north, east))
    assert tuple(t.bounds) == pytest.approx((south, west, north, east), abs=1e-12)
    for i in range(5):
        for j in range(6):
            lat_c = north - (i + 0.5) * 0.1
            lon_c = west + (j + 0.5) * 0.1
            assert t(lat_c, lon_c) == heights[i, j]
    # the corner shared by four pixels is the mean of the four
    corner = t(north - 0.2, west + 0.3)
    assert corner == pytest.approx(heights[1:3, 2:4].mean(), abs=1e-9)
    # in the outer half pixel the edge sample is held, up to the raster edge
    assert t(north - 0.001, west + 0.05) == pytest.approx(heights[0, 0], abs=1e-9)
    assert t(south + 0.001, east - 0.001) == pytest.approx(heights[-1, -1], abs=1e-9)


def test_nan_outside_coverage_and_longitude_wrap():
    t, (south, west, north, east) = small_grid()
    eps = 1e-7
    inside = t.height_m([south + eps, north - eps, 45.2, 45.2], [7.0, 7.0, west + eps, east - eps])
    assert np.isfinite(inside).all()
    outside = t.height_m(
        [south - eps, north + eps, 45.2, 45.2, 89.0, np.nan],
        [7.0, 7.0, west - eps, east + eps, 7.0, 7.0],
    )
    assert np.isnan(outside).all()
    assert math.isnan(t(45.2, 7.0 + 180.0))
    assert not t.contains(45.2, 8.0) and t.contains(45.2, 7.2)
    # a grid across the antimeridian, given with longitudes 179..181
    heights = np.arange(4.0)[None, :] * np.ones((2, 1))
    wrap = Terrain.from_bounds(heights, (10.0, 179.0, 11.0, 181.0))
    assert wrap(10.5, -179.25) == pytest.approx(3.0)  # = 180.75 deg E, last column centre
    assert wrap(10.5, 179.25) == pytest.approx(0.0)
    assert wrap(10.5, 180.0) == pytest.approx(1.5)
    assert math.isnan(wrap(10.5, -178.9))


def test_nodata_is_nan_only_where_it_weighs():
    heights = np.full((4, 4), 100.0)
    heights[1, 1] = np.nan
    t = Terrain.from_bounds(heights, (0.0, 0.0, 4.0, 4.0))  # 1 deg pixels
    assert math.isnan(t(2.5, 1.5))  # centre of the nodata pixel
    assert t(2.5, 2.5) == 100.0  # centre of its neighbour: the nodata sample has no weight
    assert t(1.5, 1.5) == 100.0
    assert math.isnan(t(2.2, 1.8))  # between them
    assert t(0.7, 3.3) == 100.0
    assert t.min_height_m == 100.0 and t.max_height_m == 100.0


def test_terrain_rejects_bad_grids():
    with pytest.raises(TerrainError, match="2-D"):
        Terrain(np.zeros(5), 0.0, 0.0, -1.0, 1.0)
    with pytest.raises(TerrainError, match="dlon_deg positive"):
        Terrain(np.zeros((2, 2)), 0.0, 0.0, -1.0, -1.0)
    t = Terrain(np.zeros((2, 2)), 0.0, 0.0, -1.0, 1.0)
    with pytest.raises(ValueError):
        t.heights_m[0, 0] = 5.0  # read-only


# ----------------------------------------------------------------------------------------
# DEM files
# ----------------------------------------------------------------------------------------


def from_origin(west: float, north: float, dx: float, dy: float) -> Affine:
    """North-up geotransform: pixel corners, the origin at the north-west corner."""
    return Affine(dx, 0.0, west, 0.0, -dy, north)


def write_raster(path, data, *, crs="EPSG:4326", transform=None, nodata=None, count=1):
    transform = transform or from_origin(7.0, 46.0, 0.01, 0.01)
    data = np.asarray(data)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[0],
        width=data.shape[1],
        count=count,
        dtype=data.dtype,
        crs=CRS.from_string(crs) if crs else None,
        transform=transform,
        nodata=nodata,
    ) as ds:
        for band in range(1, count + 1):
            ds.write(data, band)


def test_save_load_round_trip(tmp_path):
    t = synthetic_terrain(46.5, 8.0, 6.0, 90.0, np.random.default_rng(7), relief_m=1500.0)
    path = tmp_path / "dem.tif"
    save_dem(t, path, dtype="float64")
    assert sorted(os.listdir(tmp_path)) == ["dem.tif"]  # no temporary file left
    back = load_dem(path)
    np.testing.assert_array_equal(back.heights_m, t.heights_m)
    assert back.lat0_deg == pytest.approx(t.lat0_deg, abs=1e-12)
    assert back.lon0_deg == pytest.approx(t.lon0_deg, abs=1e-12)
    assert back.dlat_deg == pytest.approx(t.dlat_deg, rel=1e-12)
    assert back.dlon_deg == pytest.approx(t.dlon_deg, rel=1e-12)
    assert back.source == str(path)
    # what another GIS reads: EPSG:4326, pixel-corner origin at the north-west corner
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == 4326
        assert ds.transform.c == pytest.approx(t.bounds.west_deg, abs=1e-12)
        assert ds.transform.f == pytest.approx(t.bounds.north_deg, abs=1e-12)
        assert ds.transform.e < 0.0
        np.testing.assert_array_equal(ds.read(1), t.heights_m)
    rng = np.random.default_rng(8)
    b = t.bounds
    lat = rng.uniform(b.south_deg, b.north_deg, 200)
    lon = rng.uniform(b.west_deg, b.east_deg, 200)
    np.testing.assert_allclose(back.height_m(lat, lon), t.height_m(lat, lon), atol=1e-9)
    # float32 (the default) keeps heights to a millimetre; overwriting is fine
    save_dem(t, path)
    np.testing.assert_allclose(load_dem(path).heights_m, t.heights_m, atol=1e-3)
    # a south-up grid is written north-up and reads back the same heights
    south_up = Terrain(
        t.heights_m[::-1], t.bounds.south_deg - t.dlat_deg / 2, t.lon0_deg, -t.dlat_deg, t.dlon_deg
    )
    save_dem(south_up, tmp_path / "su.tif", dtype="float64")
    np.testing.assert_allclose(
        load_dem(tmp_path / "su.tif").height_m(lat, lon), t.height_m(lat, lon), atol=1e-9
    )


def test_load_dem_nodata_and_pixel_centres(tmp_path):
    data = np.arange(20, dtype=np.int16).reshape(4, 5) * 10
    data[2, 3] = -32768
    path = tmp_path / "srtm_like.tif"
    write_raster(path, data, transform=from_origin(7.0, 46.0, 0.02, 0.01), nodata=-32768)
    t = load_dem(path)
    assert t.heights_m.dtype == np.float64
    assert math.isnan(t.heights_m[2, 3])
    assert np.isnan(t.heights_m).sum() == 1
    for i in range(4):
        for j in range(5):
            h = t(46.0 - (i + 0.5) * 0.01, 7.0 + (j + 0.5) * 0.02)
            if (i, j) == (2, 3):
                assert math.isnan(h)
            else:
                assert h == data[i, j]
    assert tuple(t.bounds) == pytest.approx((45.96, 7.0, 46.0, 7.1), abs=1e-12)


def test_load_dem_error_messages(tmp_path):
    missing = tmp_path / "nope.tif"
    with pytest.raises(TerrainError, match=r"nope\.tif: DEM file not found"):
        load_dem(missing)
    text = tmp_path / "notes.tif"
    text.write_text("this is not a raster\n")
    with pytest.raises(TerrainError) as err:
        load_dem(text)
    assert str(err.value).startswith(f"{text}: is not a raster file GDAL can read")
    assert "\n" not in str(err.value)
    with pytest.raises(TerrainError, match="is not a file"):
        load_dem(tmp_path)
    rgb = tmp_path / "rgb.tif"
    write_raster(rgb, np.zeros((3, 3), np.uint8), count=3)
    with pytest.raises(TerrainError, match=r"rgb\.tif: has 3 bands; a DEM must have exactly one"):
        load_dem(rgb)
    no_crs = tmp_path / "nocrs.tif"
    write_raster(no_crs, np.zeros((3, 3), np.float32), crs=None)
    with pytest.raises(TerrainError, match=r"nocrs\.tif: has no coordinate reference system"):
        load_dem(no_crs)
    utm = tmp_path / "utm.tif"
    write_raster(
        utm,
        np.zeros((3, 3), np.float32),
        crs="EPSG:32632",
        transform=from_origin(400000.0, 5100000.0, 30.0, 30.0),
    )
    with pytest.raises(TerrainError) as err:
        load_dem(utm)
    message = str(err.value)
    assert message.startswith(f"{utm}: has a projected CRS (EPSG:32632)")
    assert "EPSG:4326" in message and "reproject" in message and "\n" not in message
    nad83 = tmp_path / "nad83.tif"
    write_raster(nad83, np.zeros((3, 3), np.float32), crs="EPSG:4269")
    with pytest.raises(TerrainError, match="another datum"):
        load_dem(nad83)
    empty = tmp_path / "empty.tif"
    write_raster(empty, np.full((3, 3), -9999.0, np.float32), nodata=-9999.0)
    with pytest.raises(TerrainError, match="no valid heights"):
        load_dem(empty)


def test_load_dem_reprojects_a_projected_raster_on_request(tmp_path):
    # a plane in UTM zone 32N (EPSG:32632): h = 500 + 0.01 E' - 0.02 N'
    e0, n0, step = 420000.0, 5_100_000.0, 50.0
    rows, cols = 120, 140
    east = e0 + (np.arange(cols) + 0.5) * step
    north = n0 - (np.arange(rows) + 0.5) * step
    data = 500.0 + 0.01 * (east[None, :] - e0) - 0.02 * (n0 - north[:, None])
    path = tmp_path / "utm_plane.tif"
    write_raster(path, data, crs="EPSG:32632", transform=from_origin(e0, n0, step, step))
    t = load_dem(path, reproject=True)
    rng = np.random.default_rng(5)
    e = rng.uniform(e0 + 500.0, e0 + cols * step - 500.0, 50)
    n = rng.uniform(n0 - rows * step + 500.0, n0 - 500.0, 50)
    lon, lat = proj_transform("EPSG:32632", "EPSG:4326", e, n)
    expected = 500.0 + 0.01 * (e - e0) - 0.02 * (n0 - n)
    # GDAL's warp kernel (bilinear, 50 m UTM to ~64 x 44 m lat/lon pixels) is the error here:
    # about 0.1 m on this 0.022 m/m slope, i.e. a few metres of position
    np.testing.assert_allclose(t.height_m(lat, lon), expected, atol=0.15)
    assert t.dlat_deg < 0.0 and t.source == str(path)


def test_save_dem_errors(tmp_path):
    t, _ = small_grid()
    with pytest.raises(TerrainError, match="does not exist"):
        save_dem(t, tmp_path / "no_such_dir" / "dem.tif")
    with pytest.raises(TerrainError, match="dtype"):
        save_dem(t, tmp_path / "dem.tif", dtype="int16")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------
# Synthetic terrain
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fractal", "hills"])
def test_synthetic_terrain_is_deterministic_and_in_range(kind):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it stays untouched)
    a = synthetic_terrain(
        47.0, 11.0, 10.0, 100.0, np.random.default_rng(42), kind=kind, relief_m=800.0, base_m=300.0
    )
    b = synthetic_terrain(
        47.0, 11.0, 10.0, 100.0, np.random.default_rng(42), kind=kind, relief_m=800.0, base_m=300.0
    )
    c = synthetic_terrain(
        47.0, 11.0, 10.0, 100.0, np.random.default_rng(43), kind=kind, relief_m=800.0, base_m=300.0
    )
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    np.testing.assert_array_equal(a.heights_m, b.heights_m)
    assert np.abs(a.heights_m - c.heights_m).max() > 50.0
    h = a.heights_m
    assert h.shape == (101, 101)
    assert np.isfinite(h).all()
    assert h.min() == pytest.approx(300.0, abs=1e-9)
    assert h.max() == pytest.approx(1100.0, abs=1e-9)
    assert h.std() > 40.0  # real relief, not a single spike
    # neighbouring samples are correlated (terrain, not white noise)
    assert np.corrcoef(h[:, :-1].ravel(), h[:, 1:].ravel())[0, 1] > 0.9


def test_synthetic_grid_geometry():
    t = synthetic_terrain(-33.0, 151.0, 4.0, 200.0, np.random.default_rng(1))
    n = t.n_rows
    assert n == t.n_cols == 21 and t.dlat_deg < 0.0
    centre = n // 2
    assert t.lat0_deg + centre * t.dlat_deg == pytest.approx(-33.0, abs=1e-12)
    assert t.lon0_deg + centre * t.dlon_deg == pytest.approx(151.0, abs=1e-12)
    # adjacent pixel centres through the centre are spacing_m apart on the ellipsoid
    ns = GEOD.Inverse(-33.0, 151.0, -33.0 + t.dlat_deg, 151.0)["s12"]
    ew = GEOD.Inverse(-33.0, 151.0, -33.0, 151.0 + t.dlon_deg)["s12"]
    assert ns == pytest.approx(200.0, rel=1e-6)
    assert ew == pytest.approx(200.0, rel=1e-6)
    with pytest.raises(TerrainError, match="kind"):
        synthetic_terrain(0.0, 0.0, 4.0, 200.0, np.random.default_rng(1), kind="dunes")  # type: ignore[arg-type]
    with pytest.raises(TerrainError, match="samples a side"):
        synthetic_terrain(0.0, 0.0, 1000.0, 10.0, np.random.default_rng(1))


def test_terrain_from_function_offsets():
    t = terrain_from_function(10.0, 20.0, 2.0, 100.0, lambda n, e: 1000.0 + 0.1 * n + 0.05 * e)
    # along the central meridian and parallel the offsets are exact distances
    north = GEOD.Direct(10.0, 20.0, 0.0, 700.0)
    east = GEOD.Direct(10.0, 20.0, 90.0, 400.0)
    assert t(north["lat2"], north["lon2"]) == pytest.approx(1070.0, abs=1e-3)
    assert GEOD.Inverse(10.0, 20.0, 10.0, 20.0 + 4.0 * t.dlon_deg)["s12"] == pytest.approx(400.0)
    assert t(10.0, 20.0 + 4.0 * t.dlon_deg) == pytest.approx(1020.0, abs=1e-9)
    assert t(east["lat2"], east["lon2"]) == pytest.approx(1020.0, abs=1e-3)


# ----------------------------------------------------------------------------------------
# Geodesic sampling and profiles
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat1", "lon1", "azi", "length_m"),
    [
        (45.0, 7.0, 30.0, 1_000.0),
        (10.0, -60.0, 100.0, 50_000.0),
        (60.0, 170.0, 80.0, 1_000_000.0),  # crosses the antimeridian
        (-40.0, 20.0, 150.0, 3_000_000.0),
        (75.0, 0.0, 0.0, 2_000_000.0),  # over the pole region
    ],
)
def test_profile_points_lie_on_the_geodesic(lat1, lon1, azi, length_m):
    end = GEOD.Direct(lat1, lon1, azi, length_m)
    lat2, lon2 = end["lat2"], end["lon2"]
    spacing = max(100.0, length_m / 2000.0)
    t = Terrain(np.zeros((2, 2)), 0.0, 0.0, -1.0, 1.0)  # terrain is not the point here
    p = profile_along_geodesic(t, lat1, lon1, lat2, lon2, spacing_m=spacing)
    # endpoints exact, evenly spaced, never further apart than asked
    assert (p.lat_deg[0], p.lon_deg[0], p.lat_deg[-1], p.lon_deg[-1]) == (lat1, lon1, lat2, lon2)
    assert p.distance_m[0] == 0.0
    assert p.distance_m[-1] == pytest.approx(length_m, abs=1e-6)
    steps = np.diff(p.distance_m)
    assert steps.max() <= spacing + 1e-9
    np.testing.assert_allclose(steps, steps.mean(), rtol=1e-9)
    assert p.length_m == pytest.approx(length_m, abs=1e-6)
    # every point where geographiclib's Direct puts the same distance (< 1e-7 deg = 1 cm)
    pick = np.unique(np.linspace(0, p.distance_m.size - 1, 60).astype(int))
    for k in pick:
        q = GEOD.Direct(lat1, lon1, azi, float(p.distance_m[k]))
        assert abs(q["lat2"] - p.lat_deg[k]) < 1e-7
        dlon = (q["lon2"] - p.lon_deg[k] + 180.0) % 360.0 - 180.0
        assert abs(dlon) * math.cos(math.radians(q["lat2"])) < 1e-7


def test_route_sampling_keeps_every_waypoint_once():
    lats = [45.0, 45.3, 45.3, 44.8, 45.0]
    lons = [7.0, 7.2, 7.9, 8.1, 7.0]
    r = sample_route(lats, lons, spacing_m=500.0)
    legs = [GEOD.Inverse(lats[k], lons[k], lats[k + 1], lons[k + 1])["s12"] for k in range(4)]
    np.testing.assert_allclose(
        r.waypoint_distance_m, np.concatenate(([0.0], np.cumsum(legs))), atol=1e-6
    )
    for k in range(5):
        at = np.flatnonzero((r.lat_deg == lats[k]) & (r.lon_deg == lons[k]))
        # waypoint 0 and 4 coincide; each appears once per visit
        assert at.size == (2 if k in (0, 4) else 1)
    assert np.all(np.diff(r.distance_m) > 0.0)
    assert np.all(np.diff(r.distance_m) <= 500.0 + 1e-9)
    np.testing.assert_array_equal(np.unique(r.leg_index), np.arange(4))
    # a waypoint belongs to the leg it ends
    wp1 = np.flatnonzero(r.distance_m == r.waypoint_distance_m[1])[0]
    assert r.leg_index[wp1] == 0 and r.leg_index[wp1 + 1] == 1
    with pytest.raises(TerrainError, match="two waypoints"):
        sample_route([45.0], [7.0])
    with pytest.raises(TerrainError, match="spacing_m"):
        sample_route(lats, lons, spacing_m=0.0)


# ----------------------------------------------------------------------------------------
# Clearance
# ----------------------------------------------------------------------------------------


RIDGE_LAT, RIDGE_LON = 46.0, 7.0


def make_ridge() -> Terrain:
    # crest 1000 m AMSL along the parallel 46 N, flanks down to 200 m 2 km either side
    return ridge_terrain(
        RIDGE_LAT, RIDGE_LON, 20.0, 100.0, height_m=800.0, half_width_m=2000.0, base_m=200.0
    )


def ridge_height(lat_deg: float, lon_deg: float) -> float:
    """The analytic ridge, from geographiclib's distance to the crest parallel."""
    d = GEOD.Inverse(RIDGE_LAT, lon_deg, lat_deg, lon_deg)["s12"]
    return 200.0 + 800.0 * max(0.0, 1.0 - d / 2000.0)


def test_ridge_terrain_matches_the_analytic_ridge():
    t = make_ridge()
    for lat in np.linspace(RIDGE_LAT - 0.03, RIDGE_LAT + 0.03, 41):
        lon = 7.0123
        # the grid's north offsets use the meridian radius at 46 N: 1 cm over 3 km
        assert t(lat, lon) == pytest.approx(ridge_height(lat, lon), abs=0.05)


def test_clearance_minimum_on_the_ridge_crest():
    t = make_ridge()
    south = GEOD.Direct(RIDGE_LAT, RIDGE_LON, 180.0, 5000.0)
    north = GEOD.Direct(RIDGE_LAT, RIDGE_LON, 0.0, 5000.0)
    p = profile_along_geodesic(t, south["lat2"], south["lon2"], north["lat2"], north["lon2"], 100.0)
    c = clearance_profile(p, 1500.0)
    assert c.n_no_data == 0
    # the middle sample is on the crest (to the 7 mm of the sampling; slope 0.4)
    assert c.min_clearance_m == pytest.approx(500.0, abs=0.005)
    assert c.min_distance_m == pytest.approx(5000.0, abs=1e-6)
    assert c.min_lat_deg == pytest.approx(RIDGE_LAT, abs=1e-7)
    assert c.min_lon_deg == pytest.approx(RIDGE_LON, abs=1e-9)
    np.testing.assert_allclose(c.clearance_m, 1500.0 - c.terrain_m)
    # flanks: terrain at every point against the analytic ridge
    for k in range(0, p.distance_m.size, 7):
        assert p.terrain_m[k] == pytest.approx(ridge_height(p.lat_deg[k], p.lon_deg[k]), abs=0.05)
    # an oblique crossing (azimuth 30 deg): lowest clearance within one sample of the crest
    a = GEOD.Direct(RIDGE_LAT, 7.01, 210.0, 4000.0)
    b = GEOD.Direct(RIDGE_LAT, 7.01, 30.0, 4000.0)
    c2 = clearance_profile(
        profile_along_geodesic(t, a["lat2"], a["lon2"], b["lat2"], b["lon2"], 100.0), 1500.0
    )
    assert 500.0 <= c2.min_clearance_m <= 500.0 + 800.0 / 2000.0 * 50.0 + 1e-6
    assert abs(c2.min_distance_m - 4000.0) <= 50.0 + 1e-6
    assert GEOD.Inverse(c2.min_lat_deg, c2.min_lon_deg, RIDGE_LAT, 7.01)["s12"] <= 50.0 + 1e-3


def test_clearance_along_route_with_waypoint_altitudes():
    t = make_ridge()
    lats = [45.96, 46.04, 46.04]
    lons = [7.0, 7.0, 7.05]
    alts = [1100.0, 1300.0, 900.0]
    c = clearance_along_route(t, lats, lons, alts, spacing_m=100.0)
    # altitude linear in distance along each leg
    legs = [GEOD.Inverse(lats[k], lons[k], lats[k + 1], lons[k + 1])["s12"] for k in range(2)]
    on_leg2 = c.distance_m > legs[0]
    expected = np.where(
        on_leg2,
        1300.0 - 400.0 * (c.distance_m - legs[0]) / legs[1],
        1100.0 + 200.0 * c.distance_m / legs[0],
    )
    np.testing.assert_allclose(c.alt_m, expected, atol=1e-6)
    # crest crossed on leg 1 at alt 1100 + 200 * (distance to 46 N) / leg; the samples
    # (99.9 m apart) straddle it, so the sampled minimum is up to 0.4 * 50 m higher
    d_crest = GEOD.Inverse(45.96, 7.0, RIDGE_LAT, 7.0)["s12"]
    at_crest = 1100.0 + 200.0 * d_crest / legs[0] - 1000.0
    assert at_crest <= c.min_clearance_m <= at_crest + 0.4 * 50.0 + 0.01
    assert abs(c.min_distance_m - d_crest) <= 50.0
    assert c.below(c.min_clearance_m + 1.0).any() and not c.below(c.min_clearance_m).any()
    # leaving the DEM: points without data are counted, not used
    c_out = clearance_along_route(t, [46.0, 46.0], [7.0, 7.3], [2000.0, 2000.0], spacing_m=200.0)
    assert c_out.n_no_data > 0 and np.isfinite(c_out.min_clearance_m)
    assert np.isnan(c_out.clearance_m[-1])
    with pytest.raises(TerrainError, match="waypoint altitudes"):
        alt_along_route_m(profile_along_route(t, lats, lons), [1.0, 2.0])


def test_long_route_profile_is_fast():
    """3,000 km in 200 legs, every 100 m (30,000 points): the planning benchmark's size."""
    rng = np.random.default_rng(11)
    lats, lons = [50.0], [0.0]
    for _ in range(200):
        q = GEOD.Direct(lats[-1], lons[-1], 90.0 + rng.uniform(-40.0, 40.0), 15_000.0)
        lats.append(q["lat2"])
        lons.append(q["lon2"])
    t = synthetic_terrain(50.0, 20.0, 40.0, 500.0, np.random.default_rng(1))
    clearance_along_route(t, lats[:3], lons[:3], [1000.0] * 3)  # warm up
    start = time.perf_counter()
    c = clearance_along_route(t, lats, lons, np.full(201, 1500.0), spacing_m=100.0)
    elapsed = time.perf_counter() - start
    assert c.distance_m.size == 30_001
    assert c.distance_m[-1] == pytest.approx(3_000_000.0, abs=1e-3)
    assert elapsed < 1.0  # measured about 0.035 s; generous for loaded machines
