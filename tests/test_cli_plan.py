"""`longwing plan survey|check|route`: the planning commands on real files, their verdicts
against what the simulator then flies, and their errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.geo.terrain import ridge_terrain, save_dem
from longwing.mission import load_mission
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


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--camera", "13.2,8.8", "--gsd-cm", "3"], "W_MM,H_MM,FOCAL_MM,PX_W,PX_H"),
        (["--camera", CAMERA], "exactly one of --gsd-cm and --alt-m"),
        (["--camera", CAMERA, "--gsd-cm", "3", "--alt-m", "100"], "exactly one"),
        (["--camera", CAMERA, "--gsd-cm", "3", "--home", "95,0"], "--home"),
        (["--camera", CAMERA, "--gsd-cm", "3", "--front-overlap", "1.5"], "overlap"),
    ],
)
def test_plan_survey_bad_input_exit_2(tmp_path: Path, extra: list[str], message: str):
    r = run("plan", "survey", str(_area(tmp_path)), "--out", str(tmp_path / "s.plan"), *extra)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "s.plan").exists()


def test_plan_survey_missing_area_file(tmp_path: Path):
    r = run("plan", "survey", str(tmp_path / "none.geojson"), "--camera", CAMERA, "--alt-m",
            "100", "--out", str(tmp_path / "s.plan"))  # fmt: skip
    assert r.returncode == 2 and "none.geojson" in r.stderr


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.plan"], "nope.plan"),
        ([str(EXAMPLES / "short_survey.plan"), "--wind", "270@x"], "wind"),
        ([str(EXAMPLES / "short_survey.plan"), "--fuel-kg", "9"], "--fuel-kg 9"),
        ([str(EXAMPLES / "short_survey.plan"), "--dem", "none.tif"], "none.tif"),
        ([str(EXAMPLES / "short_survey.plan"), "--radio", "none.toml"], "none.toml"),
        ([str(EXAMPLES / "short_survey.plan"), "--wind", "1@1", "--wind-file", "w.csv"],
         "not both"),
    ],
)  # fmt: skip
def test_plan_check_bad_input_exit_2(args: list[str], message: str):
    r = run("plan", "check", *args)
    assert r.returncode == 2, r.stdout
    assert message in r.stderr and "Traceback" not in r.stderr


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "52,-10", "--alt-m", "500"], "--from"),
        (["--from", "47,-52", "--to", "52,-10", "--alt-m", "5"], "--alt-m"),
        (["--from", "47,-52", "--to", "52,-10", "--alt-m", "500", "--max-leg-km", "0"],
         "--max-leg-km"),
        (["--from", "47;-52", "--to", "52,-10", "--alt-m", "500"], "LAT,LON"),
    ],
)  # fmt: skip
def test_plan_route_bad_input_exit_2(tmp_path: Path, args: list[str], message: str):
    r = run("plan", "route", *args, "--out", str(tmp_path / "r.plan"))
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
