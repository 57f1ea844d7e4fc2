"""Radio links: path loss, link budget, line of sight over the effective Earth and terrain.

References: textbook free-space loss (dB = 20 log10 d_km + 20 log10 f_MHz + 32.45), the
closed-form smooth-Earth radio horizon sqrt(2 k R h1) + sqrt(2 k R h2), the geometry of a
ray grazing a ridge crest (Earth bulge d1 d2 / (2 k R), first Fresnel radius
sqrt(lambda d1 d2 / D)), with positions and distances from geographiclib.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.geo.radio_budget import free_space_path_loss_db, fresnel_radius_m, radio_horizon_m
from longwing.geo.radio_config import AircraftRadio, GroundStation, RadioConfig, RadioError
from longwing.geo.radio_route import evaluate_link, evaluate_route, out_of_contact_segments
from longwing.geo.terrain_profile import sample_route
from longwing.geo.terrain_synthetic import ridge_terrain, synthetic_terrain
from longwing.io.radio_file import load_radio

GEOD = Geodesic.WGS84
R_EARTH_M = 6371.0e3  # the textbook radius, deliberately not the module's constant
C_MPS = 299_792_458.0


def station(
    name="base",
    lat=0.0,
    lon=0.0,
    alt=0.0,
    agl=10.0,
    tx=30.0,
    gain=6.0,
    sens=-105.0,
    freq=915e6,
    cable=0.0,
) -> GroundStation:
    return GroundStation(name, lat, lon, alt, agl, tx, gain, sens, freq, cable)


def config(*stations: GroundStation, fade=10.0, k=4.0 / 3.0, fresnel=0.0, aircraft=None):
    aircraft = aircraft or AircraftRadio(
        tx_power_dbm=30.0, antenna_gain_dbi=2.0, rx_sensitivity_dbm=-105.0
    )
    return RadioConfig(
        tuple(stations), aircraft, fade_margin_db=fade, k_factor=k, fresnel_fraction=fresnel
    )


# ----------------------------------------------------------------------------------------
# Path loss and link budget
# ----------------------------------------------------------------------------------------


def test_free_space_path_loss_textbook_values():
    def textbook(d_m, f_hz):
        return 20.0 * math.log10(d_m / 1e3) + 20.0 * math.log10(f_hz / 1e6) + 32.45

    assert free_space_path_loss_db(1_000.0, 2.4e9) == pytest.approx(100.05, abs=0.01)
    assert free_space_path_loss_db(10_000.0, 900e6) == pytest.approx(111.53, abs=0.01)
    for d, f in ((1_000.0, 2.4e9), (10_000.0, 900e6), (250_000.0, 433e6), (50.0, 5.8e9)):
        assert free_space_path_loss_db(d, f) == pytest.approx(textbook(d, f), abs=0.01)
    losses = free_space_path_loss_db(np.array([1e3, 2e3, 4e3]), 915e6)
    np.testing.assert_allclose(np.diff(losses), 20.0 * math.log10(2.0), atol=1e-12)
    assert fresnel_radius_m(5e3, 5e3, 2.4e9) == pytest.approx(
        math.sqrt(C_MPS / 2.4e9 * 2.5e3), rel=1e-12
    )
    # k = 4/3, 10 m and 1,000 m antennas: the well-known ~143 km
    assert radio_horizon_m(10.0, 1000.0) / 1e3 == pytest.approx(143.4, abs=0.2)


def test_margin_falls_6_db_per_doubling_and_worse_direction_decides():
    st = station(tx=20.0, gain=6.0, sens=-100.0, cable=1.5)
    aircraft = AircraftRadio(
        tx_power_dbm=30.0, antenna_gain_dbi=2.0, rx_sensitivity_dbm=-105.0, cable_loss_db=0.5
    )
    cfg = config(st, aircraft=aircraft, fade=0.0)
    dists = np.array([2e3, 4e3, 8e3, 16e3])
    pts = [GEOD.Direct(0.0, 0.0, 90.0, d) for d in dists]
    r = evaluate_route(cfg, [p["lat2"] for p in pts], [p["lon2"] for p in pts], 10.0)
    assert r.los.all()
    margin = r.margin_db
    np.testing.assert_allclose(np.diff(margin), -6.02, atol=0.01)
    slant = r.slant_range_m
    np.testing.assert_allclose(np.diff(margin), -20.0 * np.log10(slant[1:] / slant[:-1]), atol=1e-9)
    # absolute budget, both directions, with the textbook loss at the geodesic distance
    fspl = 20.0 * np.log10(dists / 1e3) + 20.0 * math.log10(915.0) + 32.45
    up = 20.0 - 1.5 + 6.0 - fspl + 2.0 - 0.5 - (-105.0)
    down = 30.0 - 0.5 + 2.0 - fspl + 6.0 - 1.5 - (-100.0)
    np.testing.assert_allclose(r.station_uplink_margin_db[:, 0], up, atol=0.01)
    np.testing.assert_allclose(r.station_downlink_margin_db[:, 0], down, atol=0.01)
    np.testing.assert_allclose(margin, np.minimum(up, down), atol=0.01)  # uplink is worse here
    assert (r.station_uplink_margin_db < r.station_downlink_margin_db).all()
    # the link is ok only while the margin holds the required fade margin
    strict = config(st, aircraft=aircraft, fade=float(margin[2]) - 0.1)
    ok = evaluate_route(strict, [p["lat2"] for p in pts], [p["lon2"] for p in pts], 10.0).ok
    np.testing.assert_array_equal(ok, [True, True, True, False])


# ----------------------------------------------------------------------------------------
# Line of sight
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [4.0 / 3.0, 1.0])
def test_smooth_earth_radio_horizon(k):
    cfg = config(station(alt=0.0, agl=10.0), k=k, fade=0.0)
    formula = math.sqrt(2.0 * k * R_EARTH_M * 10.0) + math.sqrt(2.0 * k * R_EARTH_M * 1000.0)
    dists = np.arange(formula - 15e3, formula + 15e3, 100.0)
    line = GEOD.DirectLine(0.0, 0.0, 90.0, dists[-1])
    lat = [line.Position(d)["lat2"] for d in dists]
    lon = [line.Position(d)["lon2"] for d in dists]
    r = evaluate_route(cfg, lat, lon, 1000.0)
    assert r.los[0] and not r.los[-1]
    assert np.all(np.diff(r.los.astype(int)) <= 0)  # one transition, LOS then none
    transition = dists[np.flatnonzero(r.los)[-1]]
    assert abs(transition - formula) < 200.0  # measured: within the 100 m step
    if k > 1.0:
        assert formula / 1e3 == pytest.approx(143.4, abs=0.2)
    # the margin alone would allow the link: the Earth blocks it
    assert (r.margin_db[~r.los] > 0.0).all() and not r.ok[~r.los].any()
    # single-point form agrees
    far = evaluate_link(cfg, lat[-1], lon[-1], 1000.0)
    assert not far.los and not far.ok and far.station == "base"
    near = evaluate_link(cfg, lat[0], lon[0], 1000.0)
    assert near.los and near.ok and near.ground_distance_m == pytest.approx(dists[0], abs=1.0)


RIDGE_LAT, RIDGE_LON = 46.0, 7.0
D1_M, D2_M = 11_250.0, 33_750.0  # station to crest, crest to aircraft


def ridge_case(fresnel: float = 0.0):
    """Station south of an east-west ridge (crest 1,000 m AMSL, base 200 m), aircraft north."""
    terrain = ridge_terrain(
        RIDGE_LAT, RIDGE_LON, 100.0, 100.0, height_m=800.0, half_width_m=2000.0, base_m=200.0
    )
    st_pos = GEOD.Direct(RIDGE_LAT, RIDGE_LON, 180.0, D1_M)
    ac_pos = GEOD.Direct(RIDGE_LAT, RIDGE_LON, 0.0, D2_M)
    st = station(lat=st_pos["lat2"], lon=st_pos["lon2"], alt=math.nan, agl=10.0)
    cfg = config(st, fresnel=fresnel)
    d = D1_M + D2_M
    k_r = 4.0 / 3.0 * R_EARTH_M
    h_s = 200.0 + 10.0  # ground from the terrain + mast
    bulge = D1_M * D2_M / (2.0 * k_r)
    f1 = math.sqrt(C_MPS / 915e6 * D1_M * D2_M / d)
    # the ray from the antenna that grazes crest + bulge (+ Fresnel allowance), at the aircraft
    h_required = h_s + (1000.0 + bulge + fresnel * f1 - h_s) * d / D1_M
    return terrain, cfg, ac_pos, h_required


@pytest.mark.parametrize("fresnel", [0.0, 0.6])
def test_ridge_blocks_until_the_aircraft_climbs_above_the_grazing_ray(fresnel):
    terrain, cfg, ac, h_req = ridge_case(fresnel)
    # measured: the LOS flips within 0.2 m of the geometric altitude (about 3,460 m)
    low = evaluate_link(cfg, ac["lat2"], ac["lon2"], h_req - 3.0, terrain)
    high = evaluate_link(cfg, ac["lat2"], ac["lon2"], h_req + 3.0, terrain)
    assert not low.los and not low.ok
    assert low.margin_db > cfg.fade_margin_db  # blocked by the ridge, not by the budget
    assert high.los and high.ok
    # clearance at the crest is (h - h_required) * d1 / D
    for result, dh in ((low, -3.0), (high, 3.0)):
        assert result.stations[0].los_clearance_m == pytest.approx(
            dh * D1_M / (D1_M + D2_M), abs=0.2
        )
        assert not result.stations[0].terrain_missing
    # without the ridge (smooth Earth, same 200 m ground at the station) nothing blocks
    smooth = replace(cfg, stations=(replace(cfg.stations[0], alt_m=200.0),))
    assert evaluate_link(smooth, ac["lat2"], ac["lon2"], h_req - 15.0).los


def test_route_over_the_ridge_and_a_plain_callable_terrain():
    terrain, cfg, ac, h_req = ridge_case()
    alts = np.array([h_req - 100.0, h_req - 15.0, h_req + 15.0, h_req + 100.0])
    lat = np.full(4, ac["lat2"])
    lon = np.full(4, ac["lon2"])
    r = evaluate_route(cfg, lat, lon, alts, terrain)
    np.testing.assert_array_equal(r.los, [False, False, True, True])
    # any vectorised callable works as the terrain (no min-height shortcut then)
    r2 = evaluate_route(cfg, lat, lon, alts, lambda la, lo: terrain.height_m(la, lo))
    np.testing.assert_array_equal(r2.los, r.los)
    np.testing.assert_allclose(r2.station_los_clearance_m, r.station_los_clearance_m)
    # the station's ground height came from the terrain: same as giving 200 m
    explicit = replace(cfg, stations=(replace(cfg.stations[0], alt_m=200.0),))
    r3 = evaluate_route(explicit, lat, lon, alts, terrain)
    np.testing.assert_allclose(r3.station_los_clearance_m, r.station_los_clearance_m)
    # no ground height and no terrain: a clear error
    with pytest.raises(RadioError, match="station 'base': alt_m is not given"):
        evaluate_route(cfg, lat, lon, alts)


def test_best_station_prefers_a_working_link_over_a_stronger_blocked_one():
    # aircraft at 100 m over the sea; "near" has a 1 m antenna 60 km away (beyond its
    # 45 km horizon), "far" a 500 m mast 100 km away (horizon 133 km)
    near_pos = GEOD.Direct(0.0, 0.0, 90.0, 60e3)
    far_pos = GEOD.Direct(0.0, 0.0, 270.0, 100e3)
    cfg = config(
        station("near", lat=near_pos["lat2"], lon=near_pos["lon2"], agl=1.0),
        station("far", lat=far_pos["lat2"], lon=far_pos["lon2"], agl=500.0),
        fade=0.0,
    )
    res = evaluate_link(cfg, 0.0, 0.0, 100.0)
    near, far = res.stations
    assert near.margin_db > far.margin_db and not near.los
    assert far.los and far.ok
    assert res.ok and res.station == "far" and res.margin_db == far.margin_db
    assert res.distance_m == far.slant_range_m
    route = evaluate_route(cfg, [0.0], [0.0], [100.0])
    assert list(route.station) == ["far"] and route.station_index[0] == 1
    assert route.margin_db[0] == far.margin_db and route.los[0]
    assert route.slant_range_m[0] == far.slant_range_m


# ----------------------------------------------------------------------------------------
# Out-of-contact stretches
# ----------------------------------------------------------------------------------------


def test_out_of_contact_segments():
    d = np.arange(10.0) * 100.0
    ok = [True, True, False, False, True, True, False, True, False, False]
    assert out_of_contact_segments(d, ok) == [(100.0, 400.0), (500.0, 700.0), (700.0, 900.0)]
    assert out_of_contact_segments([0.0, 5.0, 9.0], [False, False, True]) == [(0.0, 9.0)]
    assert out_of_contact_segments([0.0, 5.0], [True, True]) == []
    assert out_of_contact_segments([0.0, 5.0, 7.0], [False] * 3) == [(0.0, 7.0)]
    assert out_of_contact_segments([], []) == []
    with pytest.raises(RadioError, match="differ in length"):
        out_of_contact_segments([0.0, 1.0], [True])


def test_gap_between_two_stations_along_a_route():
    # along the equator from 0 to 4 deg E (445 km), stations at both ends, aircraft at 1,000 m
    length = GEOD.Inverse(0.0, 0.0, 0.0, 4.0)["s12"]
    cfg = config(station("west", lon=0.0), station("east", lon=4.0), fade=0.0)
    pts = sample_route([0.0, 0.0], [0.0, 4.0], spacing_m=1_000.0)
    r = evaluate_route(cfg, pts.lat_deg, pts.lon_deg, 1000.0)
    horizon = math.sqrt(2.0 * 4.0 / 3.0 * R_EARTH_M * 10.0) + math.sqrt(
        2.0 * 4.0 / 3.0 * R_EARTH_M * 1000.0
    )
    gaps = out_of_contact_segments(pts.distance_m, r.ok)
    assert len(gaps) == 1
    start, end = gaps[0]
    assert abs(start - horizon) < 2_000.0
    assert abs(end - (length - horizon)) < 2_000.0
    west = r.station_index[pts.distance_m < start]
    assert (np.asarray(r.station_names)[west] == "west").all()


def test_route_with_dem_is_fast():
    """3,000 points, three stations, a 400 km DEM: the planning benchmark's size."""
    rng = np.random.default_rng(2)
    terrain = synthetic_terrain(45.0, 10.0, 200.0, 400.0, rng, relief_m=1500.0)
    cfg = config(
        station("a", lat=44.3, lon=9.2, alt=math.nan),
        station("b", lat=45.0, lon=10.0, alt=math.nan),
        station("c", lat=45.7, lon=10.8, alt=math.nan),
    )
    lat = np.linspace(44.2, 45.8, 3000)
    lon = np.linspace(9.0, 11.0, 3000)
    evaluate_route(cfg, lat[:10], lon[:10], 2500.0, terrain)  # warm up
    start = time.perf_counter()
    r = evaluate_route(cfg, lat, lon, 2500.0, terrain)
    elapsed = time.perf_counter() - start
    assert r.ok.mean() > 0.5
    assert elapsed < 1.5  # measured about 0.1 s; generous for loaded machines


# ----------------------------------------------------------------------------------------
# The radio file
# ----------------------------------------------------------------------------------------

GOOD = """\
fade_margin_db = 12.0
fresnel_fraction = 0.6

[aircraft]
tx_power_dbm = 30.0
antenna_gain_dbi = 2.0
rx_sensitivity_dbm = -105.0

[[station]]
name = "base"
lat_deg = 52.0
lon_deg = 5.0
alt_m = 12.0
antenna_agl_m = 10.0
tx_power_dbm = 30
antenna_gain_dbi = 9.0
rx_sensitivity_dbm = -105.0
frequency_mhz = 915.0
cable_loss_db = 1.5

[[station]]
name = "relay"
lat_deg = 52.5
lon_deg = 6.0
antenna_agl_m = 20.0
tx_power_dbm = 27.0
antenna_gain_dbi = 6.0
rx_sensitivity_dbm = -100.0
frequency_mhz = 868.0
"""


def test_load_radio_reads_the_documented_format(tmp_path):
    path = tmp_path / "radio.toml"
    path.write_text(GOOD)
    cfg = load_radio(path)
    assert cfg.fade_margin_db == 12.0 and cfg.fresnel_fraction == 0.6
    assert cfg.k_factor == pytest.approx(4.0 / 3.0)
    assert cfg.station_names == ("base", "relay")
    base, relay = cfg.stations
    assert base.frequency_hz == 915e6 and base.cable_loss_db == 1.5 and base.alt_m == 12.0
    assert isinstance(base.tx_power_dbm, float)
    assert math.isnan(relay.alt_m) and relay.cable_loss_db == 0.0
    assert relay.wavelength_m == pytest.approx(C_MPS / 868e6)
    assert cfg.aircraft == AircraftRadio(30.0, 2.0, -105.0, 0.0)
    assert cfg.source == str(path)


def bad_file(tmp_path, text: str) -> str:
    path = tmp_path / "radio.toml"
    path.write_text(text)
    with pytest.raises(RadioError) as err:
        load_radio(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_load_radio_error_messages(tmp_path):
    with pytest.raises(RadioError, match=r"missing\.toml: radio file not found"):
        load_radio(tmp_path / "missing.toml")
    msg = bad_file(tmp_path, GOOD.replace('name = "relay"', 'name = "relay'))
    assert "is not valid TOML" in msg and "line 22" in msg
    msg = bad_file(tmp_path, GOOD.replace("frequency_mhz = 868.0\n", ""))
    assert "station 2 ('relay'): missing required field 'frequency_mhz'" in msg
    assert "MHz" in msg
    msg = bad_file(tmp_path, GOOD.replace("frequency_mhz = 915.0", "frequency_mhz = -915.0"))
    assert "station 1 ('base'): field 'frequency_mhz' = -915 is out of range [1, 100000] MHz" in msg
    msg = bad_file(tmp_path, GOOD.replace("lat_deg = 52.5", "lat_deg = 95.0"))
    assert "station 2 ('relay'): field 'lat_deg' = 95 is out of range [-90, 90] deg" in msg
    msg = bad_file(tmp_path, GOOD.replace("frequency_mhz = 868.0", "frequncy_mhz = 868.0"))
    assert "unknown field 'frequncy_mhz' (did you mean 'frequency_mhz'?)" in msg
    msg = bad_file(tmp_path, GOOD.replace("antenna_agl_m = 20.0", 'antenna_agl_m = "20 m"'))
    assert "field 'antenna_agl_m' = '20 m' must be a number" in msg
    msg = bad_file(tmp_path, GOOD.replace("antenna_agl_m = 20.0", "antenna_agl_m = true"))
    assert "must be a number" in msg
    msg = bad_file(tmp_path, GOOD.replace('name = "relay"', 'name = "base"'))
    assert "station 2 ('base'): station name 'base' is already used" in msg
    msg = bad_file(tmp_path, GOOD.replace('name = "relay"\n', ""))
    assert "station 2: missing required field 'name'" in msg
    msg = bad_file(tmp_path, GOOD.split("[[station]]")[0])
    assert "no [[station]] sections" in msg
    msg = bad_file(tmp_path, GOOD.replace("[aircraft]", "[plane]"))
    assert "unknown field 'plane'" in msg
    msg = bad_file(tmp_path, GOOD.replace("rx_sensitivity_dbm = -105.0\n\n[[", "\n[["))
    assert "aircraft: missing required field 'rx_sensitivity_dbm'" in msg
    msg = bad_file(tmp_path, GOOD.replace("fade_margin_db = 12.0", "fade_margin_db = -3.0"))
    assert "field 'fade_margin_db' = -3 is out of range [0, 60] dB" in msg
    msg = bad_file(tmp_path, "k_factor = 0.1\n" + GOOD)
    assert "field 'k_factor' = 0.1 is out of range [0.5, 10]" in msg


def test_dataclasses_validate_too():
    with pytest.raises(RadioError, match="station 'x': field 'frequency_mhz' = -915"):
        station("x", freq=-915e6)
    with pytest.raises(RadioError, match="non-empty"):
        station("  ")
    with pytest.raises(RadioError, match="at least one station"):
        RadioConfig((), AircraftRadio(30.0, 2.0, -105.0))
    with pytest.raises(RadioError, match="used twice"):
        config(station("a"), station("a"))
    with pytest.raises(RadioError, match="aircraft: field 'rx_sensitivity_dbm'"):
        AircraftRadio(30.0, 2.0, 5.0)
