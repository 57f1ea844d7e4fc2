"""Terrain in the simulated world (issue 13, deliverable 1 and the `fly` half of 5): the
ground under the aircraft is the DEM, looked up in the compiled loop; a flat DEM at home's
elevation flies bit for bit as no DEM; a ridge across a leg is hit (crashed, "terrain",
where and how fast); a landing site on higher ground is landed on; `fly --dem` refuses a
route plan check calls a terrain conflict, in plan check's words, unless told to fly it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from test_cli import run_cli

from longwing.airframe.loader import load_airframe
from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_synthetic import ridge_terrain, synthetic_terrain, terrain_from_function
from longwing.io.dem import save_dem
from longwing.mission.items import MavCmd, MavFrame, MissionItem
from longwing.mission.model import Home, Mission
from longwing.mission.planfile import save_plan
from longwing.physics.terrain import terrain_grid, terrain_height_m
from longwing.sim import closedloop as cl
from longwing.sim.runner import FlightScenario, fly

G = Geodesic.WGS84
AF = load_airframe("aerosonde")
HOME = Home(47.63, -52.93, 60.0)
REL = 3


def _pt(brg: float, dist_m: float) -> tuple[float, float]:
    d = G.Direct(HOME.lat_deg, HOME.lon_deg, brg, dist_m)
    return d["lat2"], d["lon2"]


def _mission() -> Mission:
    """North 12 km at 100 m above home, back, and land 2 km north of home heading south."""
    items = (
        MissionItem.takeoff(HOME.lat_deg, HOME.lon_deg, 100.0, REL),
        MissionItem.waypoint(*_pt(0.0, 10_000.0), 100.0, REL),
        MissionItem.waypoint(*_pt(0.0, 12_000.0), 100.0, REL),
        MissionItem.land_start(*_pt(0.0, 2_000.0)),
        MissionItem.waypoint(*_pt(0.0, 4_000.0), 60.0, REL),
        MissionItem.land(*_pt(0.0, 2_000.0), 0.0, REL),
    )
    return Mission(home=HOME, items=items)


def _ridge(height_m: float) -> Terrain:
    """An east-west ridge 6 km north of home on ground at home's elevation."""
    lat, _ = _pt(0.0, 6_000.0)
    return ridge_terrain(lat, HOME.lon_deg, 40.0, 50.0, height_m=height_m, half_width_m=500.0,
                         base_m=HOME.alt_m)  # fmt: skip


def test_kernel_heights_equal_the_grid_interpolation():
    """The loop's lookup against Terrain.height_m (the DEM reader's interpolation, tested
    against rasterio in test_terrain) at 2,000 random points inside a fractal DEM."""
    t = synthetic_terrain(HOME.lat_deg, HOME.lon_deg, 20.0, 90.0, np.random.default_rng(3))
    g = terrain_grid(t)
    b = t.bounds
    rng = np.random.default_rng(4)
    lat = rng.uniform(b.south_deg, b.north_deg, 2000)
    lon = rng.uniform(b.west_deg, b.east_deg, 2000)
    want = t.height_m(lat, lon)
    got = [terrain_height_m(math.radians(a), math.radians(o), g, math.nan)
           for a, o in zip(lat, lon, strict=True)]  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=0.0, atol=1e-6)
    # beyond the grid the nearest edge value is held; without a DEM the flat ground
    north = terrain_height_m(math.radians(b.north_deg + 1.0), math.radians(lon[0]), g, 0.0)
    assert north == pytest.approx(float(t.height_m(b.north_deg - 1e-9, lon[0])), abs=1e-6)
    assert terrain_height_m(0.1, 0.2, terrain_grid(None), 123.0) == 123.0


def test_a_flat_dem_flies_bit_for_bit_as_the_flat_world():
    flat = Terrain.from_bounds(np.full((40, 40), HOME.alt_m),
                               (47.5, -53.1, 47.8, -52.8), "flat")  # fmt: skip
    a = fly(FlightScenario(AF, _mission(), seed=2))
    b = fly(FlightScenario(AF, _mission(), seed=2, terrain=flat))
    assert a.summary["end_state"] == "landed"
    np.testing.assert_array_equal(a.log, b.log)


def test_a_ridge_across_the_leg_is_hit():
    """A ridge crest 150 m above home under a leg flown 100 m above home: crashed on the
    terrain at the ridge, at cruise speed; a 40 m ridge is flown over and the flight lands."""
    s = fly(FlightScenario(AF, _mission(), seed=1, terrain=_ridge(150.0))).summary
    assert s["end_state"] == "crashed"
    assert s["end_reason"].startswith("hit terrain (")
    assert "(leg, AUTO, item 2)" in s["end_reason"]
    td = s["touchdown"]
    crest = _pt(0.0, 6_000.0)
    # the leg at 160 m AMSL meets the flank where the ridge is 100 m high: 167 m short of
    # the crest (half width 500 m x (1 - 100/150))
    along = G.Inverse(HOME.lat_deg, HOME.lon_deg, td["lat_deg"], td["lon_deg"])["s12"]
    assert along == pytest.approx(6_000.0 - 500.0 / 3.0, abs=30.0)
    assert G.Inverse(*crest, td["lat_deg"], td["lon_deg"])["s12"] < 200.0
    assert 20.0 < td["groundspeed_mps"] < 32.0
    ok = fly(FlightScenario(AF, _mission(), seed=1, terrain=_ridge(40.0))).summary
    assert ok["end_state"] == "landed"


def test_a_landing_site_on_higher_ground_is_landed_on():
    """The ground at the landing point 15 m above home (a smooth rise): the approach ends on
    the DEM's ground there and the aircraft lands intact at the point; the logged height at
    the stop is the DEM's plus the skids' (contact points 0.1-0.2 m below the CG)."""
    c = _pt(0.0, 2_000.0)

    def rise(north_m, east_m):
        return HOME.alt_m + 15.0 * np.exp(-(north_m**2 + east_m**2) / (2.0 * 600.0**2))

    ter = terrain_from_function(c[0], c[1], 30.0, 50.0, rise, "rise")
    r = fly(FlightScenario(AF, _mission(), seed=1, terrain=ter))
    s = r.summary
    assert s["end_state"] == "landed" and s["touchdown"]["within_limits"]
    assert s["touchdown"]["distance_m"] < 100.0
    last = dict(zip(cl.LOG_COLUMNS, r.log[-1], strict=True))
    ground = float(ter(math.degrees(last["lat_rad"]), math.degrees(last["lon_rad"])))
    assert ground > HOME.alt_m + 14.0
    assert last["alt_m"] - ground == pytest.approx(0.2, abs=0.3)


@pytest.fixture
def files(tmp_path):
    save_plan(_mission(), tmp_path / "m.plan")
    save_dem(_ridge(150.0), tmp_path / "ridge.tif", dtype="float64")
    save_dem(_ridge(10.0), tmp_path / "low.tif", dtype="float64")
    return tmp_path


def test_fly_refuses_what_plan_check_calls_a_conflict(monkeypatch, capsys, files):
    plan, dem = str(files / "m.plan"), str(files / "ridge.tif")
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "check", plan, "--dem", dem, "--json")
    assert code == 0
    reasons = [r for r in json.loads(out)["reasons"] if r.startswith("terrain:")]
    assert reasons and "passes" in reasons[0]
    out_dir = files / "run"
    code, _, err = run_cli(monkeypatch, capsys, "fly", plan, "--dem", dem, "--out", str(out_dir))
    assert code == 2 and not out_dir.exists()
    line = err.strip()
    assert "\n" not in line and reasons[0] in line and "--ignore-terrain" in line
    # told to fly it anyway: it flies into the ridge
    code, out, _ = run_cli(monkeypatch, capsys, "fly", plan, "--dem", dem, "--ignore-terrain",
                           "--out", str(out_dir), "--json")  # fmt: skip
    assert code == 0
    s = json.loads(out)
    assert s["end_state"] == "crashed" and s["end_reason"].startswith("hit terrain")
    assert s["scenario"]["dem"] == [dem] and len(s["scenario"]["dem_sha256"][0]) == 64


def test_fly_over_a_dem_plan_check_accepts(monkeypatch, capsys, files):
    plan, dem = str(files / "m.plan"), str(files / "low.tif")
    code, out, _ = run_cli(monkeypatch, capsys, "fly", plan, "--dem", dem, "--out",
                           str(files / "run"), "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["end_state"] == "landed"
    # and flown again from the run folder, over the same DEM
    code, out2, _ = run_cli(monkeypatch, capsys, "fly", "--rerun", str(files / "run"), "--out",
                            str(files / "again"), "--json")  # fmt: skip
    assert code == 0 and json.loads(out2)["end_state"] == "landed"


def test_home_must_be_on_the_dems_ground(monkeypatch, capsys, files):
    high = Mission(home=Home(HOME.lat_deg, HOME.lon_deg, HOME.alt_m + 30.0),
                   items=_mission().items)  # fmt: skip
    save_plan(high, files / "high.plan")
    code, _, err = run_cli(monkeypatch, capsys, "fly", str(files / "high.plan"), "--dem",
                           str(files / "low.tif"), "--out", str(files / "run"))  # fmt: skip
    assert code == 2
    assert "home altitude 90.0 m AMSL is +30.0 m from the DEM's 60.0 m" in err


def test_sitl_with_a_dem_refuses_to_arm_into_a_ridge(files):
    """`longwing sitl --dem`: a pymavlink GCS's arming is refused with plan check's terrain
    reason as the PreArm; over the low ridge it arms."""
    from pymavlink.dialects.v20 import ardupilotmega as M
    from sitl_gcs import arm_refusal, command, port_base, sitl_gcs

    plan = str(files / "m.plan")
    with sitl_gcs(files / "sitl", port_base(31500), "--dem", str(files / "ridge.tif"),
                  "--mission", plan) as (conn, _):  # fmt: skip
        ack, text = arm_refusal(conn)
        assert ack is not None and ack.result == M.MAV_RESULT_FAILED
        assert text and text.startswith("PreArm: terrain: leg 2 (leg, item 1 -> 2) passes")
    with sitl_gcs(files / "sitl2", port_base(31500), "--dem", str(files / "low.tif"),
                  "--mission", plan) as (conn, _):  # fmt: skip
        ack = command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED


# --- QGroundControl's altitude modes over a DEM (the shape of QGC's own ArduPlane test plan:
# test/plans/ArduPilotSITL-ArduPlane.plan in the QGroundControl repository) -----------------
QGC_HOME = (-35.363261, 149.16523, 584.0)
HILL = (-35.3902, 149.1818)  # an 80 m hill between the terrain-relative items


def _qgc_item(seq, command, frame, mode, alt, lat, lon, params=(0, 0, 0, None), amsl=None):
    p6 = None if mode == 3 else alt
    return {"AMSLAltAboveTerrain": amsl, "Altitude": alt, "AltitudeMode": mode,
            "autoContinue": True, "command": command, "doJumpId": seq, "frame": frame,
            "params": [*params, lat, lon, p6], "type": "SimpleItem"}  # fmt: skip


def _qgc_plan(path):
    items = [
        _qgc_item(1, 22, 3, 1, 50, -35.3605661, 149.16523, (15, 0, 0, None)),
        _qgc_item(2, 16, 3, 1, 120, -35.3497863, 149.1817532),
        _qgc_item(3, 16, 0, 2, 784.0, -35.363261, 149.1982764),
        _qgc_item(4, 18, 0, 3, 150, -35.3902103, 149.1982764, (2, 0, 250, 1)),
        _qgc_item(5, 16, 10, 4, 100, -35.3902103, 149.16523),
        _qgc_item(6, 31, 3, 1, 80, -35.3902103, 149.1321836, (0, -200, 0, 0)),
        {"autoContinue": True, "command": 178, "doJumpId": 7, "frame": 2,
         "params": [1, 18, -1, 0, 0, 0, 0], "type": "SimpleItem"},
        _qgc_item(8, 16, 3, 1, 60, -35.363261, 149.1321836),
        _qgc_item(9, 16, 3, 1, 40, -35.3408032, 149.143199),
        _qgc_item(10, 21, 3, 1, 0, -35.3659559, 149.16523),
    ]  # fmt: skip
    doc = {"fileType": "Plan", "groundStation": "QGroundControl", "version": 1,
           "geoFence": {"circles": [], "polygons": [], "version": 2},
           "rallyPoints": {"points": [], "version": 2},
           "mission": {"cruiseSpeed": 15, "firmwareType": 3, "globalPlanAltitudeMode": 0,
                       "hoverSpeed": 5, "items": items, "plannedHomePosition": list(QGC_HOME),
                       "vehicleType": 1, "version": 2}}  # fmt: skip
    path.write_text(json.dumps(doc, indent=4))
    return path


def _qgc_dem():
    lat0, lon0, _ = QGC_HOME

    def hill(north_m, east_m):
        d = G.Inverse(lat0, lon0, *HILL)
        n0 = d["s12"] * math.cos(math.radians(d["azi1"]))
        e0 = d["s12"] * math.sin(math.radians(d["azi1"]))
        return QGC_HOME[2] + 80.0 * np.exp(-((north_m - n0) ** 2 + (east_m - e0) ** 2)
                                           / (2.0 * 1000.0**2))  # fmt: skip

    return terrain_from_function(lat0, lon0, 20.0, 50.0, hill, "qgc-hill")


def test_qgc_altitude_modes_need_and_use_the_dem(tmp_path):
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError

    plan = _qgc_plan(tmp_path / "qgc.plan")
    with pytest.raises(MissionError, match=r"item 4 \(NAV_LOITER_TURNS\): AltitudeMode 3 "
                                           r"\(calculated above terrain\) has no computed "
                                           r"altitude: give a DEM"):  # fmt: skip
        load_mission(plan)
    dem = _qgc_dem()
    m = load_mission(plan, dem)
    loiter, wp10 = m.items[3], m.items[4]
    assert loiter.alt_m == pytest.approx(float(dem(loiter.lat_deg, loiter.lon_deg)) + 150.0)
    assert loiter.plan_altitude.amsl_alt_above_terrain_m == loiter.alt_m
    assert wp10.frame == 10 and wp10.alt_m == 100.0  # flown above the terrain under it
    assert m.resolve_alt(5, terrain=dem) == pytest.approx(
        float(dem(wp10.lat_deg, wp10.lon_deg)) + 100.0
    )


def test_qgc_plan_flown_over_its_dem(monkeypatch, capsys, tmp_path):
    """The QGC-shaped plan over a DEM with a hill: `fly --dem` flies every item at the
    altitude its mode means (mode 3 and frame 10 above the DEM, mode 1 above home, mode 2
    AMSL: each within 8 m where the item is reached) and lands; plan check predicts the same
    item altitudes."""
    plan = _qgc_plan(tmp_path / "qgc.plan")
    dem_path = tmp_path / "dem.tif"
    dem = _qgc_dem()
    save_dem(dem, dem_path, dtype="float64")
    # the approach waypoints at 40-60 m above home are below plan check's 50 m default
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "check", str(plan), "--dem",
                           str(dem_path), "--min-clearance-m", "30", "--json")  # fmt: skip
    assert code == 0
    c = json.loads(out)
    assert c["feasible"], c["reasons"]
    code, out, _ = run_cli(monkeypatch, capsys, "fly", str(plan), "--dem", str(dem_path),
                           "--min-clearance-m", "30", "--out", str(tmp_path / "run"),
                           "--json")  # fmt: skip
    assert code == 0
    s = json.loads(out)
    assert s["end_state"] == "landed", s["end_reason"]
    events = [json.loads(line) for line in
              (tmp_path / "run" / "events.jsonl").read_text().splitlines()]  # fmt: skip
    reached = {e["seq"]: e for e in events if e["kind"] == "item_reached"}
    home_alt = QGC_HOME[2]

    def ground(seq):
        e = reached[seq]
        return float(dem(e["lat_deg"], e["lon_deg"]))

    want = {2: home_alt + 120.0, 3: 784.0, 8: home_alt + 60.0, 9: home_alt + 40.0}
    for seq, alt in want.items():
        assert reached[seq]["alt_m"] == pytest.approx(alt, abs=5.0), (seq, reached[seq])
    # the frame-10 waypoint, 100 m above the DEM there, is reached still descending from
    # the 150 m loiter (measured 7.9 m above); the planner's leg ends there too (3.6 m above)
    assert reached[5]["alt_m"] == pytest.approx(ground(5) + 100.0, abs=10.0)
    legs = {leg["to_seq"]: leg for leg in c["legs"]}
    assert legs[5]["alt_end_m"] == pytest.approx(reached[5]["alt_m"], abs=6.0)


# --- terrain following (frame 10 legs) -------------------------------------------------------


def _follow_mission() -> Mission:
    """Two terrain-frame waypoints 80 m above the ground, 3 and 15 km north, across a ridge
    9 km north; the landing 19 km north, heading south."""
    terr = MavFrame.GLOBAL_TERRAIN_ALT
    items = (
        MissionItem.takeoff(HOME.lat_deg, HOME.lon_deg, 100.0, REL),
        MissionItem.waypoint(*_pt(0.0, 3_000.0), 80.0, terr),
        MissionItem.waypoint(*_pt(0.0, 15_000.0), 80.0, terr),
        MissionItem.land_start(*_pt(0.0, 19_000.0)),
        MissionItem.waypoint(*_pt(0.0, 21_000.0), 60.0, REL),
        MissionItem.land(*_pt(0.0, 19_000.0), 0.0, REL),
    )
    return Mission(home=HOME, items=items)


def _follow_ridge() -> Terrain:
    """150 m high, flanks 1.5 km (a 10 % slope: 2.5 m/s of climb at 25 m/s, the Aerosonde's
    TECS_CLMB_MAX)."""
    lat, _ = _pt(0.0, 9_000.0)
    return ridge_terrain(lat, HOME.lon_deg, 60.0, 50.0, height_m=150.0, half_width_m=1500.0,
                         base_m=HOME.alt_m)  # fmt: skip


def _height_over(ter: Terrain, lat_deg, lon_deg, alt_m):
    north = np.array([G.Inverse(HOME.lat_deg, HOME.lon_deg, a, o)["s12"]
                      for a, o in zip(lat_deg, lon_deg, strict=True)])  # fmt: skip
    return north, np.asarray(alt_m) - ter.height_m(lat_deg, lon_deg)


def _flown(lookahead_m: float):
    from longwing.mission.manager import MissionSettings

    ter = _follow_ridge()
    r = fly(FlightScenario(AF, _follow_mission(), seed=1, terrain=ter, log_hz=10,
                           settings=MissionSettings(TERRAIN_LOOKAHD=lookahead_m)))  # fmt: skip
    col = {n: k for k, n in enumerate(cl.LOG_COLUMNS)}
    on = r.log[:, col["seq"]] == 3  # the leg to the second terrain-frame waypoint
    north, hagl = _height_over(
        ter,
        np.degrees(r.log[on, col["lat_rad"]]),
        np.degrees(r.log[on, col["lon_rad"]]),
        r.log[on, col["alt_m"]],
    )
    return r.summary, north, hagl  # fmt: skip


def test_terrain_frame_legs_follow_the_ground_over_a_ridge():
    """Measured (seed 1): 80 m above the ground within 1 m on the flat; over the ridge the
    look-ahead (2 km, half the maximum climb) keeps at least 73 m (62 m without it) and the
    descent behind the crest leaves at most 147 m; the aircraft lands."""
    s, north, hagl = _flown(2000.0)
    assert s["end_state"] == "landed"
    flat = ((north > 4_000.0) & (north < 5_500.0)) | ((north > 12_500.0) & (north < 14_500.0))
    assert np.abs(hagl[flat] - 80.0).max() < 2.0
    ridge = (north > 7_000.0) & (north < 12_000.0)
    assert hagl[ridge].min() > 70.0 and hagl[ridge].max() < 155.0
    _, north0, hagl0 = _flown(0.0)
    assert hagl0[(north0 > 7_000.0) & (north0 < 12_000.0)].min() < hagl[ridge].min() - 8.0


def test_plan_check_predicts_the_terrain_following_profile():
    """plan check --dem on the same mission: FEASIBLE (its clearance over the ridge is the
    followed height, not a straight line through the hill: that would pass 70 m below the
    crest); the predicted height above the ground along the leg within 16 m of the flown one
    at every kilometre (measured at most 14 m, where TECS lags the look-ahead's raised
    demand), and its least clearance on the leg within 12 m of the flown (82 vs 73 m)."""
    from longwing.planning.check import check_mission

    ter = _follow_ridge()
    c = check_mission(_follow_mission(), AF, terrain=ter)
    assert c.feasible, c.reasons
    leg = next(lg for lg in c.prediction.legs if lg.to_seq == 3)
    p_north, p_hagl = _height_over(ter, leg.lat_deg, leg.lon_deg, leg.alt_m)
    _, f_north, f_hagl = _flown(2000.0)
    for km in range(4, 15):
        want = np.interp(km * 1000.0, f_north, f_hagl)
        got = np.interp(km * 1000.0, p_north, p_hagl)
        assert got == pytest.approx(want, abs=16.0), km
    planned_min = c.summary()["legs"][2]["min_clearance_m"]
    assert planned_min == pytest.approx(f_hagl[(f_north > 4_000.0) & (f_north < 14_500.0)].min(),
                                        abs=12.0)  # fmt: skip


def test_a_dem_of_two_tiles_through_a_vrt(monkeypatch, capsys, tmp_path):
    """Two GeoTIFF tiles (west and east halves of the ridge DEM), mosaicked by a GDAL VRT
    written here or given as a list (`--dem w.tif --dem e.tif`): the flight is the one over
    the single grid (the ridge is hit at the same place, to the metre)."""
    ter = _ridge(150.0)
    h = np.asarray(ter.heights_m)
    half = h.shape[1] // 2
    b = ter.bounds
    lon_mid = b.west_deg + half * ter.dlon_deg
    for name, part, west, east in (("w.tif", h[:, :half], b.west_deg, lon_mid),
                                   ("e.tif", h[:, half:], lon_mid, b.east_deg)):  # fmt: skip
        save_dem(Terrain.from_bounds(part, (b.south_deg, west, b.north_deg, east)),
                 tmp_path / name, dtype="float64")  # fmt: skip
    rows, cols = h.shape

    def source(name, x_off, width):
        return (f"<ComplexSource><SourceFilename relativeToVRT=\"1\">{name}</SourceFilename>"
                f"<SourceBand>1</SourceBand><SrcRect xOff=\"0\" yOff=\"0\" xSize=\"{width}\" "
                f"ySize=\"{rows}\"/><DstRect xOff=\"{x_off}\" yOff=\"0\" xSize=\"{width}\" "
                f"ySize=\"{rows}\"/><NODATA>nan</NODATA></ComplexSource>")  # fmt: skip

    vrt = (f"<VRTDataset rasterXSize=\"{cols}\" rasterYSize=\"{rows}\"><SRS>EPSG:4326</SRS>"
           f"<GeoTransform>{b.west_deg!r}, {ter.dlon_deg!r}, 0, {b.north_deg!r}, 0, "
           f"{-abs(ter.dlat_deg)!r}</GeoTransform>"
           f"<VRTRasterBand dataType=\"Float64\" band=\"1\"><NoDataValue>nan</NoDataValue>"
           f"{source('w.tif', 0, half)}{source('e.tif', half, cols - half)}"
           f"</VRTRasterBand></VRTDataset>")  # fmt: skip
    (tmp_path / "tiles.vrt").write_text(vrt)
    save_plan(_mission(), tmp_path / "m.plan")
    direct = fly(FlightScenario(AF, _mission(), seed=1, terrain=ter)).summary["end_reason"]
    assert direct.startswith("hit terrain (160 m AMSL)")
    # the VRT, and the two tiles given as a list (mosaicked on load)
    for k, dems in enumerate((["tiles.vrt"], ["w.tif", "e.tif"])):
        args = [a for d in dems for a in ("--dem", str(tmp_path / d))]
        code, out, _ = run_cli(monkeypatch, capsys, "fly", str(tmp_path / "m.plan"), *args,
                               "--ignore-terrain", "--out", str(tmp_path / f"run{k}"),
                               "--json")  # fmt: skip
        assert code == 0
        assert json.loads(out)["end_reason"] == direct, dems


def test_synthetic_terrain_spec(monkeypatch, capsys, tmp_path):
    """--dem synthetic:...: laid around home with home on its ground; the same spec gives
    plan check and fly the same world; a fly over it is flown again by --rerun; mistakes are
    one line naming the key."""
    from longwing.geo.terrain_spec import terrain_from_spec

    spec = "synthetic:ridge,height_m=300,north_km=6"
    t = terrain_from_spec(spec, HOME.lat_deg, HOME.lon_deg, HOME.alt_m)
    assert float(t(HOME.lat_deg, HOME.lon_deg)) == pytest.approx(HOME.alt_m, abs=1e-6)
    assert float(t(*_pt(0.0, 6_000.0))) == pytest.approx(HOME.alt_m + 300.0, abs=3.0)
    f = terrain_from_spec("synthetic:fractal,relief_m=40,seed=3,size_km=30", HOME.lat_deg,
                          HOME.lon_deg, HOME.alt_m)  # fmt: skip
    assert float(f(HOME.lat_deg, HOME.lon_deg)) == pytest.approx(HOME.alt_m, abs=1e-6)
    assert f.max_height_m - f.min_height_m == pytest.approx(40.0)
    save_plan(_mission(), tmp_path / "m.plan")
    plan = str(tmp_path / "m.plan")
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "check", plan, "--dem", spec, "--json")
    reasons = [r for r in json.loads(out)["reasons"] if r.startswith("terrain:")]
    assert code == 0 and reasons
    code, _, err = run_cli(monkeypatch, capsys, "fly", plan, "--dem", spec, "--out",
                           str(tmp_path / "r0"))  # fmt: skip
    assert code == 2 and reasons[0] in err
    low = "synthetic:fractal,relief_m=20,seed=3,size_km=40"
    code, out, _ = run_cli(monkeypatch, capsys, "fly", plan, "--dem", low, "--out",
                           str(tmp_path / "r1"), "--json")  # fmt: skip
    s = json.loads(out)
    assert code == 0 and s["end_state"] == "landed"
    assert s["scenario"]["dem"] == [low] and s["scenario"]["dem_sha256"] is None
    code, out, _ = run_cli(monkeypatch, capsys, "fly", "--rerun", str(tmp_path / "r1"), "--out",
                           str(tmp_path / "r2"), "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["flight_time_s"] == s["flight_time_s"]
    for bad, why in (("synthetic:volcano", "kind 'volcano' is not one of"),
                     ("synthetic:hills,seed=1.5", "seed must be a whole number"),
                     ("synthetic:ridge,height=3", "'height=3' is not KEY=VALUE")):  # fmt: skip
        code, _, err = run_cli(monkeypatch, capsys, "fly", plan, "--dem", bad, "--out",
                               str(tmp_path / "r3"))  # fmt: skip
        assert code == 2 and why in err and err.count("\n") == 1, err


def test_terrain_follow_rtl_flies_home_above_the_terrain():
    """TERRAIN_FOLLOW = 1 (ArduPlane's): an RTL over the ridge holds RTL_ALTITUDE above the
    ground; with 0 it holds RTL_ALTITUDE above home and passes lower over the crest. The RTL
    is the mission's own (NAV_RETURN_TO_LAUNCH at 15 km north, RTL_AUTOLAND off)."""
    from longwing.mission.manager import MissionSettings

    terr = MavFrame.GLOBAL_TERRAIN_ALT
    items = (
        MissionItem.takeoff(HOME.lat_deg, HOME.lon_deg, 100.0, REL),
        MissionItem.waypoint(*_pt(0.0, 3_000.0), 250.0, terr),
        MissionItem.waypoint(*_pt(0.0, 15_000.0), 250.0, terr),
        MissionItem(MavCmd.NAV_RETURN_TO_LAUNCH, 2, (0.0, 0.0, 0.0, 0.0), 0.0, 0.0, 0.0, True),
    )
    mission = Mission(home=HOME, items=items)
    ter = _follow_ridge()
    col = {n: k for k, n in enumerate(cl.LOG_COLUMNS)}
    lows = []
    for follow in (0, 1):
        s = MissionSettings(TERRAIN_FOLLOW=follow, RTL_ALTITUDE=200.0, RTL_AUTOLAND=0)
        r = fly(FlightScenario(AF, mission, seed=1, terrain=ter, max_duration_s=2400.0,
                               settings=s))  # fmt: skip
        log = r.log
        back = (log[:, col["seq"]] == 4) & (log[:, col["vn_mps"]] < -5.0)
        north, hagl = _height_over(
            ter,
            np.degrees(log[back, col["lat_rad"]]),
            np.degrees(log[back, col["lon_rad"]]),
            log[back, col["alt_m"]],
        )
        ridge = (north > 8_500.0) & (north < 9_500.0)
        lows.append(hagl[ridge].min())
    # without: descending from 250 m over the ground to 200 m above home, 81 m over the
    # 150 m crest (measured); with: 194 m over it (measured)
    assert lows[0] < 90.0
    assert lows[1] > 185.0
