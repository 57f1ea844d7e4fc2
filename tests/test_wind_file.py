"""Forecast wind files (io/wind_file.py) and the 4-D grid (planning/wind4d.py): reading
GRIB2 and NetCDF written here, interpolation against analytic references, the ISA pressure
altitudes, lazy windows, and each bad file as one line and exit code 2 from the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from windfiles import T0, grid, times, write_grib, write_nc

from longwing.geo.atmosphere import geopotential_altitude_m
from longwing.io.wind_file import (
    WindFileError,
    WindRequest,
    load_wind_file,
    parse_start_time,
)
from longwing.planning.wind4d import (
    WindGrid4D,
    WindSpanError,
    geopotential_height_to_alt_m,
    pressure_altitude_m,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SURVEY = EXAMPLES / "short_survey.plan"  # home 47.63 N, 52.93 W


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longwing.cli", *args], capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def _grid4(nt=3, nz=4, nlat=3, nlon=4, seed=7) -> WindGrid4D:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(600.0, 7200.0, nt)) - 1000.0
    lat = np.cumsum(rng.uniform(0.2, 1.0, nlat)) + 40.0
    lon = np.cumsum(rng.uniform(0.2, 1.0, nlon)) - 60.0
    z = np.cumsum(rng.uniform(200.0, 2000.0, nz))
    alt = np.broadcast_to(z[None, :, None, None], (nt, nz, nlat, nlon))
    shape = (nt, nz, nlat, nlon)
    return WindGrid4D(t, lat, lon, alt, rng.normal(0, 8, shape), rng.normal(0, 8, shape))


# --- interpolation ----------------------------------------------------------------------


def test_nodes_give_the_node_values_exactly():
    g = _grid4()
    for idx in np.ndindex(g.shape):
        it, k, i, j = idx
        wn, we = g.at(g.lat_deg[i], g.lon_deg[j], g.alt_m[it, k, i, j], t_s=g.t_s[it])
        assert wn == g.wn_mps[idx] and we == g.we_mps[idx]


def test_midpoints_give_the_mean_of_the_corners():
    g = _grid4()
    for it, k, i, j in [(0, 0, 0, 0), (1, 2, 1, 2), (0, 1, 1, 0)]:
        tm = 0.5 * (g.t_s[it] + g.t_s[it + 1])
        zm = 0.5 * (g.alt_m[0, k, 0, 0] + g.alt_m[0, k + 1, 0, 0])
        la = 0.5 * (g.lat_deg[i] + g.lat_deg[i + 1])
        lo = 0.5 * (g.lon_deg[j] + g.lon_deg[j + 1])
        box = (slice(it, it + 2), slice(k, k + 2), slice(i, i + 2), slice(j, j + 2))
        wn, we = g.at(la, lo, zm, t_s=tm)
        assert wn == pytest.approx(g.wn_mps[box].mean(), abs=1e-12)
        assert we == pytest.approx(g.we_mps[box].mean(), abs=1e-12)
        # the midpoint of one axis only: the mean of the two nodes along it
        wn1, _ = g.at(g.lat_deg[i], g.lon_deg[j], g.alt_m[0, k, 0, 0], t_s=tm)
        assert wn1 == pytest.approx(0.5 * (g.wn_mps[it, k, i, j] + g.wn_mps[it + 1, k, i, j]),
                                    abs=1e-12)  # fmt: skip


def test_a_field_linear_in_each_dimension_is_reproduced():
    g0 = _grid4(nt=4, nz=5, nlat=4, nlon=5)
    T, Z, Y, X = np.meshgrid(g0.t_s, g0.alt_m[0, :, 0, 0], g0.lat_deg, g0.lon_deg, indexing="ij")

    def f(t, z, y, x):
        return 1.5 + 2e-4 * t - 3e-3 * z + 0.7 * y - 1.1 * x

    g = WindGrid4D(g0.t_s, g0.lat_deg, g0.lon_deg, g0.alt_m, f(T, Z, Y, X), -f(T, Z, Y, X))
    rng = np.random.default_rng(3)
    n = 500
    t = rng.uniform(g.t_s[0], g.t_s[-1], n)
    z = rng.uniform(g.alt_m[0, 0, 0, 0], g.alt_m[0, -1, 0, 0], n)
    y = rng.uniform(g.lat_deg[0], g.lat_deg[-1], n)
    x = rng.uniform(g.lon_deg[0], g.lon_deg[-1], n)
    wn, we = g.at(y, x, z, t_s=t)
    np.testing.assert_allclose(wn, f(t, z, y, x), rtol=0, atol=1e-9)
    np.testing.assert_allclose(we, -f(t, z, y, x), rtol=0, atol=1e-9)


def test_vertical_ends_held_and_times_outside_refused():
    g = _grid4()
    top = g.alt_m[0, -1, 0, 0]
    bottom = g.alt_m[0, 0, 0, 0]
    la, lo, t = g.lat_deg[1], g.lon_deg[2], g.t_s[1]
    assert g.at(la, lo, top + 5000.0, t_s=t) == g.at(la, lo, top, t_s=t)
    assert g.at(la, lo, bottom - 500.0, t_s=t) == g.at(la, lo, bottom, t_s=t)
    with pytest.raises(WindSpanError, match="outside the file's span"):
        g.at(la, lo, 500.0, t_s=g.t_s[-1] + 60.0)
    with pytest.raises(WindSpanError):
        g.at(la, lo, 500.0, t_s=g.t_s[0] - 60.0)


def test_pressure_altitudes_against_the_isa_table():
    # ICAO standard atmosphere: geopotential pressure altitudes (m) of the common levels
    table = {1000: 111, 925: 762, 850: 1457, 700: 3012, 500: 5574, 300: 9164, 250: 10363,
             200: 11784, 100: 16180}  # fmt: skip
    for hpa, h_gp in table.items():
        z = float(pressure_altitude_m(hpa * 100.0))
        assert abs(geopotential_altitude_m(z) - h_gp) < 1.0, hpa
    # geometric from geopotential: the inverse of the standard's relation
    for h in (0.0, 1457.0, 11784.0, 30000.0):
        assert geopotential_altitude_m(float(geopotential_height_to_alt_m(h))) == pytest.approx(
            h, abs=1e-6)  # fmt: skip


# --- files ------------------------------------------------------------------------------

LAT = np.arange(44.0, 51.01, 1.0)
LON = np.arange(-58.0, -48.0 + 0.01, 2.0)
LEV = [1000.0, 850.0, 700.0, 500.0]
REQ = WindRequest(47.0, 48.0, -54.0, -52.0, need_s=3600.0, window_s=4 * 3600.0)


def _field():
    T, K, Y, X = grid(LAT, LON, LEV, 3)
    return 2.0 + T + 3.0 * K + 0.1 * Y + 0.05 * X, -1.0 - 0.5 * T + 0.001 * Y * X


def test_grib_and_netcdf_of_one_field_give_the_same_wind(tmp_path):
    u, v = _field()
    nc = write_nc(tmp_path / "f.nc", LAT, LON, LEV, times(3), u, v)
    gb = write_grib(tmp_path / "f.grib2", LAT, LON, LEV, times(3), u, v)
    a = load_wind_file(nc, REQ)
    b = load_wind_file(gb, REQ)
    for name in ("t_s", "lat_deg", "lon_deg", "alt_m", "wn_mps", "we_mps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.ref_time == b.ref_time == T0
    # a node of the file, read back exactly: lat 47, lon -54, 850 hPa, second time
    wn, we = a.at(47.0, -54.0, float(pressure_altitude_m(85000.0)), t_s=3 * 3600.0)
    i, j = list(LAT).index(47.0), list(LON).index(-54.0)
    assert (we, wn) == (u[1, 1, i, j], v[1, 1, i, j])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.grib2", "f.nc"]  # no index file


def test_netcdf3_and_the_start_time(tmp_path):
    u, v = _field()
    nc3 = write_nc(tmp_path / "f3.nc", LAT, LON, LEV, times(3), u, v, engine="scipy")
    start = parse_start_time("2026-12-07T01:30Z")
    g = load_wind_file(nc3, WindRequest(**{**REQ.__dict__, "start": start}))
    assert g.ref_time == start
    np.testing.assert_array_equal(g.t_s, [-5400.0, 5400.0, 16200.0])  # from 00Z, to 06Z
    assert parse_start_time("2026-12-07T03:30+02:00") == start


def test_only_the_route_window_is_loaded(tmp_path):
    lat = np.arange(90.0, -90.1, -1.0)  # global 1 deg, north first, 0..359 east
    lon = np.arange(0.0, 360.0, 1.0)
    lev = [1000.0, 500.0]
    T, K, Y, X = grid(lat, lon, lev, 8)
    u = np.sin(np.radians(X)) * 10.0 + K + T
    v = Y / 10.0
    path = write_nc(tmp_path / "global.nc", lat, lon, lev, times(8), u, v)
    req = WindRequest(47.3, 47.9, -0.5, 0.6, need_s=3600.0, window_s=4 * 3600.0)
    g = load_wind_file(path, req)
    # times 00Z-06Z (covering 4 h at 3-hourly), lat 47.1..48.1 -> nodes 47..49,
    # lon -0.7..0.8 -> nodes -1..1 across the file's 0/360 seam
    assert g.shape == (3, 2, 3, 3)
    np.testing.assert_array_equal(g.lat_deg, [47.0, 48.0, 49.0])
    np.testing.assert_array_equal(g.lon_deg, [-1.0, 0.0, 1.0])
    wn, we = g.at(48.0, -1.0, 0.0, t_s=3 * 3600.0)
    assert we == pytest.approx(np.sin(np.radians(359.0)) * 10.0 + 1.0, abs=1e-12)
    assert wn == pytest.approx(4.8, abs=1e-12)


def test_longitude_conventions_agree(tmp_path):
    lat = np.arange(40.0, 50.1, 1.0)
    lon180 = np.arange(-70.0, -40.0 + 0.1, 1.0)
    T, K, Y, X = grid(lat, lon180, LEV, 2)
    u, v = 0.3 * X + K, 0.2 * Y - T
    a = load_wind_file(write_nc(tmp_path / "a.nc", lat, lon180, LEV, times(2), u, v), REQ)
    b = load_wind_file(write_nc(tmp_path / "b.nc", lat, lon180 + 360.0, LEV, times(2), u, v),
                       REQ)  # fmt: skip
    np.testing.assert_array_equal(a.lon_deg, b.lon_deg)
    np.testing.assert_array_equal(a.we_mps, b.we_mps)
    assert a.at(47.5, -52.5, 900.0, t_s=100.0) == b.at(47.5, 307.5, 900.0, t_s=100.0)


def test_geopotential_and_height_levels(tmp_path):
    u, v = _field()
    T, K, Y, X = grid(LAT, LON, LEV, 3)
    z = 9.80665 * (100.0 + 1500.0 * K + 2.0 * Y)  # geopotential, m^2/s^2
    g = load_wind_file(write_nc(tmp_path / "z.nc", LAT, LON, LEV, times(3), u, v, z=z), REQ)
    assert "geopotential" in g.levels
    i = list(g.lat_deg).index(47.0)
    h = 100.0 + 1500.0 * 2 + 2.0 * 47.0
    assert g.alt_m[0, 2, i, 0] == pytest.approx(float(geopotential_height_to_alt_m(h)),
                                                    abs=1e-6)  # fmt: skip
    hg = [10.0, 100.0, 500.0, 2000.0]
    req = WindRequest(**{**REQ.__dict__, "ground_alt_m": 60.0})
    agl = load_wind_file(write_nc(tmp_path / "h.nc", LAT, LON, hg, times(3), u, v,
                                  level_name="height", level_units="m"), req)  # fmt: skip
    np.testing.assert_array_equal(agl.alt_m[0, :, 0, 0], [70.0, 160.0, 560.0, 2060.0])
    asl = load_wind_file(write_nc(tmp_path / "s.nc", LAT, LON, hg, times(3), u, v,
                                  level_name="altitude", level_units="m"), req)  # fmt: skip
    np.testing.assert_array_equal(asl.alt_m[0, :, 0, 0], hg)


def test_a_real_grib_file_without_wind_lists_its_variables():
    import xarray

    path = Path(xarray.__file__).parent / "tests" / "data" / "example.grib"  # xarray's wheel
    if not path.exists():
        pytest.skip("xarray's example.grib is not installed")
    with pytest.raises(WindFileError, match=r"no u/v wind variables \(the file has: t, z\)"):
        load_wind_file(path, REQ)


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    u, v = _field()
    garbage = tmp_path / "garbage.grib"
    garbage.write_bytes(b"GRIB\x00\x00\x00\x02 not really")
    no_uv = write_nc(tmp_path / "no_uv.nc", LAT, LON, LEV, times(3), u, v)
    import xarray as xr

    with xr.open_dataset(no_uv, engine="h5netcdf") as ds:
        renamed = ds.rename({"u": "temp", "v": "rh"}).load()
    no_uv.unlink()
    renamed.to_netcdf(no_uv, engine="h5netcdf")
    no_latlon = write_nc(tmp_path / "no_latlon.nc", LAT * 1e4, LON * 1e4, LEV, times(3), u, v,
                         lat_name="y", lon_name="x", latlon_units=("m", "m"))  # fmt: skip
    far = write_nc(tmp_path / "far.nc", LAT - 30.0, LON, LEV, times(3), u, v)
    short = write_grib(tmp_path / "short.grib2", LAT, LON, LEV, times(3, step_h=1.0 / 60.0), u, v)
    return {
        "missing": (tmp_path / "missing.nc", "cannot read"),
        "garbage": (garbage, "cannot read as GRIB"),
        "no_uv": (no_uv, "no u/v wind variables (the file has: rh, temp)"),
        "no_latlon": (no_latlon, "no latitude/longitude axes"),
        "far": (far, "route outside the file's coverage"),
        "short": (short, "times outside the file's span"),
    }


def test_each_bad_file_is_one_line_and_exit_2_from_plan_check(tmp_path):
    for name, (path, words) in _bad_files(tmp_path).items():
        res = run("plan", "check", str(SURVEY), "--wind-file", str(path))
        assert res.returncode == 2, (name, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], (name, lines)
        assert "Traceback" not in res.stderr


def test_bad_files_and_options_from_fly(tmp_path):
    bad = _bad_files(tmp_path)
    cases = [
        (["--wind-file", str(bad["garbage"][0])], "cannot read as GRIB"),
        (["--wind-file", str(bad["short"][0])], "times outside the file's span"),
        (["--wind-file", str(bad["far"][0]), "--start-time", "2026-12-07T00:00Z"],
         "route outside"),
        (["--wind", "200@8", "--wind-file", str(bad["far"][0])], "not both"),
        (["--start-time", "2026-12-07T00:00Z"], "--start-time"),
    ]  # fmt: skip
    u, v = _field()
    good = write_nc(tmp_path / "good.nc", LAT, LON, LEV, times(3), u, v)
    cases.append((["--wind-file", str(good), "--start-time", "yesterday"], "ISO 8601"))
    cases.append((["--wind-file", str(good), "--start-time", "2026-12-08T00:00Z"],
                  "times outside the file's span"))  # fmt: skip
    for k, (opts, words) in enumerate(cases):
        out = tmp_path / f"run{k}"
        res = run("fly", str(SURVEY), *opts, "--out", str(out))
        assert res.returncode == 2, (opts, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (opts, lines)
        assert not out.exists()


def test_grib_forecast_steps_mixed_level_types_and_the_10m_wind(tmp_path):
    lon360 = LON + 360.0  # GFS/ECMWF files run 0..360
    u, v = _field()
    T1 = grid(LAT, LON, [10.0], 3)[0]
    req = WindRequest(**{**REQ.__dict__, "ground_alt_m": 60.0})
    by_time = load_wind_file(write_grib(tmp_path / "t.grib2", LAT, lon360, LEV, times(3), u, v),
                             req)  # fmt: skip
    by_step = load_wind_file(write_grib(tmp_path / "s.grib2", LAT, lon360, LEV, times(3), u, v,
                                        steps=True), req)  # fmt: skip
    np.testing.assert_array_equal(by_step.t_s, [0.0, 10800.0, 21600.0])  # steps 0, 3, 6 h
    np.testing.assert_array_equal(by_step.we_mps, by_time.we_mps)
    mixed = write_grib(tmp_path / "m.grib2", LAT, lon360, LEV, times(3), u, v)
    write_grib(mixed, LAT, lon360, [10], times(3), 5.0 + 0 * T1, 6.0 + 0 * T1,
               type_of_level="heightAboveGround", params=(165, 166), mode="ab")  # fmt: skip
    g = load_wind_file(mixed, req)  # the profile, not the 10 m wind
    assert g.shape[1] == len(LEV) and g.levels.startswith("pressure levels")
    np.testing.assert_array_equal(g.we_mps, by_time.we_mps)
    only10 = write_grib(tmp_path / "10m.grib2", LAT, lon360, [10], times(3), 5.0 + 0 * T1,
                        6.0 + 0 * T1, type_of_level="heightAboveGround",
                        params=(165, 166))  # fmt: skip
    g10 = load_wind_file(only10, req)
    np.testing.assert_array_equal(g10.alt_m[:, 0], 70.0)  # 10 m above home (60 m)
    assert g10.at(47.5, -53.0, 500.0, t_s=10.0) == (6.0, 5.0)


def test_a_route_across_the_antimeridian(tmp_path):
    from longwing.planning.wind4d import route_box

    box = route_box([9.5, 10.5], [179.5, -179.5])
    assert box == (9.5, 10.5, 179.5, 180.5)
    req = WindRequest(*box, need_s=600.0, window_s=3600.0)
    lat = np.arange(0.0, 20.1, 1.0)
    global_lon = np.arange(-180.0, 180.0, 1.0)  # round the Earth, the seam at 180
    regional_lon = np.concatenate([np.arange(170.0, 180.0), np.arange(-180.0, -169.0)])
    for k, lon in enumerate((global_lon, regional_lon)):
        T, K, Y, X = grid(lat, lon, [1000.0, 500.0], 2)
        u, v = 10.0 * np.cos(np.radians(X)) + 0.0 * T, 0.1 * Y + K
        g = load_wind_file(write_nc(tmp_path / f"{k}.nc", lat, lon, [1000.0, 500.0],
                                    times(2), u, v), req)  # fmt: skip
        np.testing.assert_array_equal(g.lon_deg, [179.0, 180.0, 181.0])  # +/- 0.2 deg margin
        np.testing.assert_array_equal(g.lat_deg, [9.0, 10.0, 11.0])
        we, wn = g.at(10.0, -179.0, 0.0)[::-1]
        assert we == pytest.approx(10.0 * np.cos(np.radians(179.0)), abs=1e-12)
        we_mid = g.at(10.0, 179.5, 0.0)[1]  # between 179 E and 180
        assert we_mid == pytest.approx(5.0 * (np.cos(np.radians(179.0)) - 1.0), abs=1e-12)
    far = WindRequest(9.5, 10.5, 160.0, 165.0)
    with pytest.raises(WindFileError, match="route outside the file's coverage: longitudes "
                                            "170 to -170 deg"):  # fmt: skip
        load_wind_file(tmp_path / "1.nc", far)


def test_netcdf_names_of_other_producers(tmp_path):
    """NCEP's THREDDS names (u-component_of_wind_isobaric on 'isobaric' in Pa) and CF
    standard names read as the same wind as ECMWF's (u, v on pressure_level in hPa)."""
    u, v = _field()
    ref = load_wind_file(write_nc(tmp_path / "ecmwf.nc", LAT, LON, LEV, times(3), u, v), REQ)
    names = ("u-component_of_wind_isobaric", "v-component_of_wind_isobaric")
    ncep = write_nc(tmp_path / "ncep.nc", LAT, LON, np.array(LEV) * 100.0, times(3), u, v,
                    level_name="isobaric", level_units="Pa", names=names)  # fmt: skip
    g = load_wind_file(ncep, REQ)
    for name in ("t_s", "lat_deg", "lon_deg", "alt_m", "wn_mps", "we_mps"):
        np.testing.assert_array_equal(getattr(g, name), getattr(ref, name), err_msg=name)
