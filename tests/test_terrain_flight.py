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
from longwing.mission.items import MissionItem
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
    assert s["scenario"]["dem"] == dem and len(s["scenario"]["dem_sha256"]) == 64


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
    import time

    from pymavlink.dialects.v20 import ardupilotmega as M
    from sitl_gcs import command, port_base, recv, sitl_gcs

    plan = str(files / "m.plan")
    with sitl_gcs(files / "sitl", port_base(28650), "--dem", str(files / "ridge.tif"),
                  "--mission", plan) as (conn, _):  # fmt: skip
        conn.mav.command_long_send(1, 1, M.MAV_CMD_COMPONENT_ARM_DISARM, 0, 1, 0, 0, 0, 0, 0, 0)
        ack, text = None, []
        end = time.time() + 20
        while time.time() < end and (ack is None or not text):
            m = recv(conn, ["COMMAND_ACK", "STATUSTEXT"], 0.5)
            if m is None:
                continue
            if m.get_type() == "COMMAND_ACK" and m.command == M.MAV_CMD_COMPONENT_ARM_DISARM:
                ack = m
            elif m.get_type() == "STATUSTEXT" and m.text.startswith("PreArm"):
                text.append(m.text)
        assert ack is not None and ack.result == M.MAV_RESULT_FAILED
        assert text and text[0].startswith("PreArm: terrain: leg 2 (leg, item 1 -> 2) passes")
    with sitl_gcs(files / "sitl2", port_base(28650), "--dem", str(files / "low.tif"),
                  "--mission", plan) as (conn, _):  # fmt: skip
        ack = command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED
