"""`longwing plan survey|check|route`: the planning commands on real files, their verdicts
against what the simulator then flies, and their errors."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from rich.console import Console

from longwing.airframe.loader import load_airframe
from longwing.cli_plan import PROGRESS_DELAY_S, LazyProgress
from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_synthetic import ridge_terrain
from longwing.io.dem import save_dem
from longwing.mission import load_mission
from longwing.mission.items import MavFrame, MissionItem
from longwing.mission.model import Home, Mission
from longwing.mission.planfile import load_plan
from longwing.physics.wind import parse_wind
from longwing.sim.runner import FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CAMERA = "13.2,8.8,10.4,5472,3648"
G = Geodesic.WGS84


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longwing.cli", *args], capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def _area(tmp_path: Path) -> Path:
    p = tmp_path / "area.geojson"
    ring = [[-52.95, 47.60], [-52.93, 47.60], [-52.93, 47.61], [-52.95, 47.61], [-52.95, 47.60]]
    p.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    return p


# --- survey ---------------------------------------------------------------------------------


def test_plan_survey_writes_a_flyable_plan(tmp_path: Path):
    out = tmp_path / "s.plan"
    r = run("plan", "survey", str(_area(tmp_path)), "--camera", CAMERA, "--gsd-cm", "3",
            "--home", "47.595,-52.96", "--out", str(out), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    fig = json.loads(r.stdout)
    # GSD 3 cm with this camera: altitude = 0.03 * 10.4 * 5472 / 13.2 = 129.3 m; footprint
    # across (long side) = 13.2 mm * 129.3 m / 10.4 mm = 164.2 m; 60 % side overlap -> 65.7 m
    assert fig["alt_m"] == pytest.approx(129.3, abs=0.1)
    assert fig["line_spacing_m"] == pytest.approx(65.7, abs=0.1)
    assert fig["trigger_distance_m"] == pytest.approx(0.3 * 8.8 * 129.33 / 10.4, abs=0.1)
    # 0.01 deg of latitude = 1112 m across the lines -> ceil(1112 / 65.7) = 17 lines
    assert fig["line_count"] == 17
    mission = load_plan(out)
    assert mission.home.lat_deg == pytest.approx(47.595)
    sc = FlightScenario(load_airframe("aerosonde"), mission, max_duration_s=4000.0)
    s = fly(sc).summary
    assert s["camera_triggers"] == pytest.approx(fig["photo_count"], rel=0.02)
    assert s["flight_time_s"] == pytest.approx(fig["predicted_time_s"], rel=0.05)


# --- check ------------------------------------------------------------------------------------


def _check(*args: str) -> dict:
    r = run("plan", "check", *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_plan_check_json_has_the_documented_fields():
    d = _check(str(EXAMPLES / "short_survey.plan"), "--wind", "60@10")
    for key in ("feasible", "reasons", "total_time_s", "total_fuel_kg", "fuel_remaining_kg",
                "pnr", "legs"):  # fmt: skip
        assert key in d
    for key in ("from_seq", "to_seq", "distance_m", "course_deg", "heading_deg",
                "airspeed_mps", "ground_speed_mps", "time_s", "fuel_kg", "min_clearance_m",
                "link_ok"):  # fmt: skip
        assert key in d["legs"][0]
    assert d["feasible"] is True and d["reasons"] == []
    # wind correction: on a leg at course C in a 10 m/s wind from 60 deg the heading differs
    leg = max(d["legs"], key=lambda g: g["distance_m"])
    assert abs(leg["heading_deg"] - leg["course_deg"]) > 1.0


def test_plan_check_verdict_matches_the_flight():
    """Feasible with a full tank: the simulator completes it; infeasible with 25 g: the
    simulator's low-fuel failsafe turns it back before the end (mission not completed)."""
    ok = _check(str(EXAMPLES / "short_survey.plan"), "--wind", "60@10")
    bad = _check(str(EXAMPLES / "short_survey.plan"), "--wind", "60@10", "--fuel-kg", "0.025")
    assert ok["feasible"] and not bad["feasible"]
    assert any(r.startswith("fuel") for r in bad["reasons"])
    af = load_airframe("aerosonde")
    mission = load_mission(EXAMPLES / "short_survey.plan")
    s_ok = fly(FlightScenario(af, mission, wind=parse_wind("60@10"))).summary
    s_bad = fly(FlightScenario(af, mission, wind=parse_wind("60@10"), fuel_kg=0.025)).summary
    assert s_ok["completed"]
    assert s_ok["flight_time_s"] == pytest.approx(ok["total_time_s"], rel=0.03)
    assert not s_bad["completed"]
    assert any(f["kind"] == "low_fuel" for f in s_bad["failsafes"])


def test_plan_check_terrain_violation_on_a_ridge(tmp_path: Path):
    """A 300 m ridge east-west across the survey area: the 120 m legs pass below its top."""
    dem = ridge_terrain(47.62, -52.93, 20.0, 100.0, height_m=300.0, half_width_m=500.0,
                        base_m=0.0)  # fmt: skip
    path = tmp_path / "ridge.tif"
    save_dem(dem, path)
    d = _check(str(EXAMPLES / "short_survey.plan"), "--dem", str(path))
    assert not d["feasible"]
    assert any(r.startswith("terrain:") for r in d["reasons"])
    worst = min(g["min_clearance_m"] for g in d["legs"] if g["min_clearance_m"] is not None)
    assert worst < 50.0
    # flat ground well below: feasible, clearance = flight altitude - ground
    flat = ridge_terrain(47.62, -52.93, 20.0, 100.0, height_m=0.0, half_width_m=500.0,
                         base_m=0.0)  # fmt: skip
    save_dem(flat, tmp_path / "flat.tif")
    d2 = _check(str(EXAMPLES / "short_survey.plan"), "--dem", str(tmp_path / "flat.tif"))
    assert d2["feasible"], d2["reasons"]


def test_plan_check_radio_outage_beyond_the_horizon(tmp_path: Path):
    """A station at home with a 5 m mast: the long-range route (460 m AMSL) goes beyond the
    smooth 4/3-Earth radio horizon sqrt(2 k R h1) + sqrt(2 k R h2) (~122 km): an outage,
    which with FS_LONG_ACTN 1 means RTL -> not feasible as planned. The link is lost where
    the distance from home crosses that horizon."""
    mission = load_mission(EXAMPLES / "long_range.plan")
    h = mission.home
    radio = tmp_path / "radio.toml"
    radio.write_text(f"""
[aircraft]
tx_power_dbm = 30.0
antenna_gain_dbi = 2.0
rx_sensitivity_dbm = -110.0
[[station]]
name = "home"
lat_deg = {h.lat_deg}
lon_deg = {h.lon_deg}
alt_m = {h.alt_m}
antenna_agl_m = 5.0
tx_power_dbm = 30.0
antenna_gain_dbi = 6.0
rx_sensitivity_dbm = -110.0
frequency_mhz = 900.0
""")
    d = _check(str(EXAMPLES / "long_range.plan"), "--radio", str(radio))
    assert not d["feasible"]
    assert d["link_outages"] and any(r.startswith("radio:") for r in d["reasons"])
    first = d["link_outages"][0]
    k_r = 4.0 / 3.0 * 6_371_008.8
    # smooth Earth = the sea-level sphere: heights AMSL (station 60 m + 5 m mast)
    horizon = math.sqrt(2 * k_r * (h.alt_m + 5.0)) + math.sqrt(2 * k_r * first["start_alt_m"])
    ground = G.Inverse(h.lat_deg, h.lon_deg, first["start_lat_deg"], first["start_lon_deg"])
    # sampled every 1 km along the route, which crosses the horizon at an angle
    assert ground["s12"] == pytest.approx(horizon, abs=2500.0)
    assert any(g["link_ok"] is False for g in d["legs"])
    assert any(g["link_ok"] is True for g in d["legs"])


# --- route ----------------------------------------------------------------------------------


def test_plan_route_splits_legs_and_lands(tmp_path: Path):
    out = tmp_path / "r.plan"
    r = run("plan", "route", "--from", "47.6,-52.7", "--to", "52.0,-10.0", "--alt-m", "1000",
            "--max-leg-km", "250", "--out", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    m = load_plan(out)
    pts = [(m.home.lat_deg, m.home.lon_deg)] + [
        (it.lat_deg, it.lon_deg) for it in m.items if it.position is not None
    ]
    legs = [G.Inverse(*a, *b)["s12"] for a, b in zip(pts, pts[1:], strict=False)]
    assert max(legs) <= 250_000.0 + 1.0
    total = G.Inverse(47.6, -52.7, 52.0, -10.0)["s12"]
    assert sum(legs) == pytest.approx(total, rel=0.01)  # along the geodesic
    assert m.items[0].name == "NAV_TAKEOFF" and m.items[-1].name == "NAV_LAND"
    assert m.items[-1].lat_deg == pytest.approx(52.0)
    assert "h and" in r.stdout and math.isfinite(np.mean(legs))


def test_plan_route_and_survey_replace_their_own_plans_only(tmp_path: Path, inproc):
    """--out: a .plan longwing wrote (groundStation "longwing") is replaced; a user's is not
    (see the bad-input table)."""
    out = tmp_path / "r.plan"
    args = ("plan", "route", "--from", "47.6,-52.9", "--to", "47.7,-52.7", "--alt-m", "300")
    assert inproc(*args, "--out", str(out)).code == 0
    assert json.loads(out.read_text())["groundStation"] == "longwing"
    first = out.read_text()
    r = inproc(*args[:5], "47.75,-52.7", *args[6:], "--out", str(out))
    assert r.code == 0, r.err
    assert out.read_text() != first and json.loads(out.read_text())["groundStation"] == "longwing"
    s_out = tmp_path / "s.plan"
    survey = ("plan", "survey", str(_area(tmp_path)), "--camera", CAMERA, "--gsd-cm", "3")
    assert inproc(*survey, "--out", str(s_out)).code == 0
    assert json.loads(s_out.read_text())["groundStation"] == "longwing"
    assert inproc(*survey, "--out", str(s_out)).code == 0


# --- check: ground, fence, DEM coverage -----------------------------------------------------


def _check_in(inproc, *args: str) -> dict:
    """``plan check ... --json`` in this process."""
    r = inproc("plan", "check", *args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _write_plan(mission, path: Path) -> Path:
    from longwing.mission.planfile import save_plan

    save_plan(mission, path)
    return path


def test_plan_check_a_waypoint_below_the_ground_is_not_feasible(tmp_path: Path, inproc):
    m = load_mission(EXAMPLES / "short_survey.plan")
    items = list(m.items)
    items[5] = replace(items[5], frame=int(MavFrame.GLOBAL), alt_m=-5000.0)
    path = _write_plan(m.with_items(items), tmp_path / "deep.plan")
    d = _check_in(inproc, str(path))
    assert d["feasible"] is False
    problem = ("item 6 (NAV_WAYPOINT): altitude -5000 m AMSL is 5060 m below the ground "
               "(60 m AMSL, the home elevation)")  # fmt: skip
    assert d["preflight_problems"] == [problem]
    assert f"preflight: {problem}" in d["reasons"]


def test_plan_check_the_bundled_examples_have_no_ground_or_fence_problem(inproc):
    for name in ("short_survey.plan", "long_range.plan"):
        d = _check_in(inproc, str(EXAMPLES / name))
        assert d["feasible"] is True, d["reasons"]
        assert d["preflight_problems"] == [] and d["fence_violations"] == []
        assert d["terrain_no_data"] == []
    # laima: no fence or ground problem; short of fuel in still air (it needs a tailwind)
    d = _check_in(inproc, str(EXAMPLES / "laima.plan"))
    assert d["preflight_problems"] == [] and d["fence_violations"] == []
    assert all(r.startswith("fuel") for r in d["reasons"])
    assert _check_in(inproc, str(EXAMPLES / "laima.plan"), "--wind", "250@12")["feasible"] is True


def test_plan_check_a_leg_through_the_exclusion_circle(tmp_path: Path, inproc):
    """Long range: item 4 moved onto the airport's 5 km exclusion circle's centre."""
    m = load_mission(EXAMPLES / "long_range.plan")
    c = m.fence.circles[0]
    items = list(m.items)
    items[3] = replace(items[3], lat_deg=c.center_lat_deg, lon_deg=c.center_lon_deg)
    d = _check_in(inproc, str(_write_plan(m.with_items(items), tmp_path / "cyyt.plan")))
    hits = [v for v in d["fence_violations"] if v["rule"] == "exclusion_circle"]
    assert [(v["leg"], v["from_seq"], v["to_seq"], v["zone"]) for v in hits] == [
        (3, 3, 4, 1), (4, 4, 5, 1)]  # fmt: skip
    for v in hits:
        depth = c.radius_m - G.Inverse(c.center_lat_deg, c.center_lon_deg, v["lat_deg"],
                                       v["lon_deg"])["s12"]  # fmt: skip
        assert v["by_m"] == pytest.approx(depth, abs=0.01)
        assert 4900.0 < v["by_m"] <= 5000.0  # within the acceptance radius of the centre
    assert any(r.startswith("fence: leg 3 (leg, item 3 -> 4) enters exclusion circle 1 by ")
               for r in d["reasons"])  # fmt: skip


def test_plan_check_legs_outside_the_dem_are_not_feasible(tmp_path: Path, inproc):
    """A DEM that ends at 52.85 W; the route flies 7.5 km east to 52.8 W and back: the
    3.7 km beyond the DEM's edge on the way out and back are unknown clearance."""
    home = Home(47.60, -52.90, 10.0)
    items = (
        MissionItem.takeoff(47.60, -52.90, 100.0),
        MissionItem.waypoint(47.60, -52.80, 200.0),
        MissionItem.waypoint(47.60, -52.90, 200.0),
        MissionItem.land(47.605, -52.92, 0.0),
    )
    plan = _write_plan(Mission(home=home, items=items), tmp_path / "east.plan")
    dem = Terrain.from_bounds(np.zeros((60, 60)), (47.55, -53.00, 47.65, -52.85), "west.tif")
    save_dem(dem, tmp_path / "west.tif")
    d = _check_in(inproc, str(plan), "--dem", str(tmp_path / "west.tif"))
    assert d["feasible"] is False
    outside = G.Inverse(47.60, -52.85, 47.60, -52.80)["s12"]
    gaps = d["terrain_no_data"]
    assert [(g["leg"], g["from_seq"], g["to_seq"]) for g in gaps] == [(2, 1, 2), (3, 2, 3)]
    # sampled every 100 m: out, the leg ends 60 m before its waypoint; back, the turn there
    # (half a circle of 25^2 / (g tan 30 deg) = 110 m) is flown off the DEM too
    assert outside - 100.0 < gaps[0]["points"] * 100.0 < outside + 100.0
    assert outside < gaps[1]["points"] * 100.0 < outside + math.pi * 110.0 + 300.0
    for g in gaps:  # points at most 100 m apart (closer on the short pieces of a turn)
        span_m = (g["end_km"] - g["start_km"]) * 1000.0
        assert outside - 150.0 < span_m <= g["points"] * 100.0
    text = [r for r in d["reasons"] if r.startswith("terrain:")]
    assert text[0] == (f"terrain: leg 2 (leg, item 1 -> 2) has {gaps[0]['points']} points "
                       f"outside the DEM (from km {gaps[0]['start_km']:.1f} to "
                       f"{gaps[0]['end_km']:.1f}): its clearance is unknown")  # fmt: skip
    assert d["preflight_problems"] == [
        f"item 2 (NAV_WAYPOINT) at 47.60000, -52.80000 is outside the DEM ({tmp_path}/west.tif): "
        "the ground under it is unknown"
    ]
    assert not any("outside the DEM" in n for n in d["notes"])


# --- the bad inputs of the plan commands ------------------------------------------------------


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def inproc(monkeypatch, capsys):
    """Run ``longwing ...`` in this process (as ``longwing.cli.main`` does; no interpreter
    start-up per case): exit code, stdout, stderr."""
    from longwing import cli

    def call(*argv: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["longwing", *argv])
        capsys.readouterr()
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        cap = capsys.readouterr()
        return Result(code, cap.out, cap.err)

    return call


def _inputs(tmp: Path) -> dict[str, str]:
    """The files the bad-input cases use."""
    area = _area(tmp)
    big = tmp / "big.geojson"  # 15 x 14 km: ~38 h of survey at 3 cm
    ring = [[-53.0, 47.5], [-52.8, 47.5], [-52.8, 47.625], [-53.0, 47.625], [-53.0, 47.5]]
    big.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    (tmp / "user.plan").write_text(json.dumps({"fileType": "Plan", "groundStation":
                                               "QGroundControl", "version": 1}))  # fmt: skip
    (tmp / "dir.plan").mkdir()
    (tmp / "dir.plan" / "keep.txt").write_text("mine")
    doc = json.loads((EXAMPLES / "short_survey.plan").read_text())
    doc["mission"]["items"] = []
    (tmp / "empty.plan").write_text(json.dumps(doc))
    doc = json.loads((EXAMPLES / "short_survey.plan").read_text())
    doc["mission"]["items"] = [it for it in doc["mission"]["items"] if it["command"] >= 100]
    (tmp / "do_only.plan").write_text(json.dumps(doc))
    return {"area": str(area), "big": str(big), "tmp": str(tmp),
            "ex": str(EXAMPLES / "short_survey.plan")}  # fmt: skip


def _snapshot(tmp: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tmp)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(tmp.rglob("*"))}  # fmt: skip


S = ["plan", "survey", "{area}"]
SC = [*S, "--camera", CAMERA]
SO = ["--out", "{tmp}/s.plan"]
R = ["plan", "route", "--from", "47.6,-52.9", "--to", "47.7,-52.7"]
RO = ["--out", "{tmp}/r.plan"]
C = ["plan", "check"]
BAD_INPUTS = [
    # survey
    ("survey-no-camera", [*S, "--gsd-cm", "3", *SO], "--camera SENSOR_W_MM"),
    ("survey-camera-2", [*S, "--camera", "13.2,8.8", "--gsd-cm", "3", *SO],
     "must be W_MM,H_MM,FOCAL_MM,PX_W,PX_H[,MIN_INTERVAL_S] (5 or 6 numbers, got 2)"),
    ("survey-camera-interval-0", [*S, "--camera", CAMERA + ",0", "--gsd-cm", "3", *SO],
     "camera min_interval_s 0.0 must be > 0"),
    ("survey-no-gsd-alt", [*SC, *SO], "give exactly one of --gsd-cm and --alt-m"),
    ("survey-gsd-and-alt", [*SC, "--gsd-cm", "3", "--alt-m", "100", *SO], "exactly one of"),
    ("survey-home", [*SC, "--gsd-cm", "3", "--home", "95,0", *SO],
     "--home '95,0' is outside [-90, 90]"),
    ("survey-overlap", [*SC, "--gsd-cm", "3", "--front-overlap", "1.5", *SO],
     "front_overlap 1.5 must be in [0, 0.95]"),
    ("survey-photos", [*SC, "--gsd-cm", "0.01", *SO],
     "photos (GSD 0.01 cm over 1.67 km2); at most 100,000 are planned per survey"),
    ("survey-trigger-interval", [*SC, "--gsd-cm", "1", *SO],
     "the camera would fire every 0.44 s (10.9 m apart at 25.0 m/s) but needs 1 s"),
    ("survey-slow-camera", [*S, "--camera", CAMERA + ",2", "--gsd-cm", "3", *SO],
     "(32.8 m apart at 25.0 m/s) but needs 2 s between photos"),
    ("survey-endurance", ["plan", "survey", "{big}", "--camera", CAMERA, "--gsd-cm", "3", *SO],
     "longer than the airframe's endurance of 22.4 h"),
    ("survey-out-suffix", [*SC, "--gsd-cm", "3", "--out", "{tmp}/s.txt"],
     "the mission is written as a .plan file"),
    ("survey-out-user-file", [*SC, "--gsd-cm", "3", "--out", "{tmp}/user.plan"],
     "user.plan exists and was not written by longwing; refusing to replace it"),
    ("survey-out-folder", [*SC, "--gsd-cm", "3", "--out", "{tmp}/dir.plan"], "is a folder"),
    ("survey-no-area", ["plan", "survey", "{tmp}/none.geojson", "--camera", CAMERA,
                        "--alt-m", "100", *SO], "none.geojson"),
    ("survey-airframe", [*SC, "--gsd-cm", "3", "--airframe", "nope", *SO],
     "unknown airframe 'nope'"),
    ("survey-dem", [*SC, "--gsd-cm", "3", "--dem", "{tmp}/none.tif", *SO], "none.tif"),
    # route
    ("route-no-from", ["plan", "route", "--to", "52,-10", "--alt-m", "500", *RO],
     "--from LAT,LON and --to LAT,LON are required"),
    ("route-alt", [*R, "--alt-m", "5", *RO], "--alt-m 5 must be in [30, 10000] m above home"),
    ("route-max-leg", [*R, "--alt-m", "500", "--max-leg-km", "0", *RO],
     "--max-leg-km 0 must be in [1, 20000]"),
    ("route-lat-lon", ["plan", "route", "--from", "47;-52", "--to", "52,-10", "--alt-m", "500",
                       *RO], "must be LAT,LON in degrees"),
    ("route-out-user-file", [*R, "--alt-m", "300", "--out", "{tmp}/user.plan"],
     "exists and was not written by longwing"),
    ("route-out-suffix", [*R, "--alt-m", "300", "--out", "{tmp}/r.json"],
     "the mission is written as a .plan file"),
    ("route-below-ground", [*R, "--alt-m", "300", "--home-alt-m", "500", "--land-alt-m", "10",
                            *RO], "the route would go below the ground: item 3 (NAV_WAYPOINT): "
     "altitude 60 m AMSL is 440 m below the ground (500 m AMSL, the home elevation)"),
    # check
    ("check-no-file", [*C, "{tmp}/nope.plan"], "nope.plan"),
    ("check-wind", [*C, "{ex}", "--wind", "270@x"], "wind"),
    ("check-fuel", [*C, "{ex}", "--fuel-kg", "9"], "--fuel-kg 9 is outside (0, 4] kg"),
    ("check-dem", [*C, "{ex}", "--dem", "{tmp}/none.tif"], "none.tif"),
    ("check-radio", [*C, "{ex}", "--radio", "{tmp}/none.toml"], "none.toml"),
    ("check-two-winds", [*C, "{ex}", "--wind", "1@1", "--wind-file", "{tmp}/w.csv"],
     "give --wind or --wind-file, not both"),
    ("check-empty", [*C, "{tmp}/empty.plan"], "empty.plan: the mission has no navigation items"),
    ("check-do-only", [*C, "{tmp}/do_only.plan"],
     "do_only.plan: the mission has no navigation items"),
    ("check-clearance", [*C, "{ex}", "--min-clearance-m", "-1"],
     "--min-clearance-m must be >= 0"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])  # fmt: skip
def test_plan_bad_input_one_line_exit_2_nothing_written(tmp_path, inproc, argv, message):
    paths = _inputs(tmp_path)
    before = _snapshot(tmp_path)
    r = inproc(*(a.format(**paths) for a in argv))
    assert r.code == 2, (r.out, r.err)
    assert message in r.err, r.err
    line = r.err.strip()
    assert line.startswith("error: ") and "\n" not in line and "Traceback" not in r.err
    assert _snapshot(tmp_path) == before  # nothing written, nothing replaced


def test_plan_bad_input_table_covers_the_commands():
    assert len(BAD_INPUTS) >= 20
    assert {c[1][1] for c in BAD_INPUTS} == {"survey", "route", "check"}


def test_plan_survey_refuses_a_huge_photo_count_quickly(tmp_path, inproc):
    """--gsd-cm 0.01: ~70 million photos, refused from the estimate before the layout."""
    area = _area(tmp_path)
    inproc("plan", "survey", "--help")  # imports done
    t0 = time.perf_counter()
    r = inproc("plan", "survey", str(area), "--camera", CAMERA, "--gsd-cm", "0.01",
               "--out", str(tmp_path / "s.plan"))  # fmt: skip
    elapsed = time.perf_counter() - t0
    assert r.code == 2 and "the survey needs about 69,8" in r.err
    assert elapsed < 0.5, f"{elapsed:.2f} s"


def test_empty_mission_exit_2_through_the_entry_point(tmp_path: Path):
    _inputs(tmp_path)
    r = run("plan", "check", str(tmp_path / "empty.plan"))
    assert r.returncode == 2 and "the mission has no navigation items" in r.stderr


# --- the survey's progress bar ----------------------------------------------------------------


def test_lazy_progress_shows_only_after_the_delay():
    clock = [100.0]
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    bar = LazyProgress(console, delay_s=1.0, clock=lambda: clock[0])
    bar("lines", 0, 500)
    clock[0] += 0.9
    bar("lines", 200, 500)
    assert not bar.shown and buf.getvalue() == ""
    clock[0] += 0.2  # 1.1 s after the start
    bar("lines", 300, 500)
    bar("items", 10, 500)
    assert bar.shown and set(bar.tasks) == {"lines", "items"}
    bar.close()
    assert "survey lines" in buf.getvalue()
    assert PROGRESS_DELAY_S == 1.0
