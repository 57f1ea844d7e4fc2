"""Closed-loop missions, take-off to landing, against the issue's accuracy figures.

Every flight here runs the whole compiled loop (physics, sensors, EKF, L1, TECS, attitude
loops) unless it says truth_nav. Seeds and winds are stated in each test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.items import MissionItem
from longwing.mission.model import Home, Mission
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import parse_wind
from longwing.sim import closedloop as cl
from longwing.sim.runner import FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AF = load_airframe("aerosonde")
COL = {n: i for i, n in enumerate(cl.LOG_COLUMNS)}


@pytest.fixture(scope="module")
def survey_calm():
    mission = load_mission(EXAMPLES / "short_survey.plan")
    return mission, fly(FlightScenario(AF, mission, seed=1, log_hz=10))


def test_calm_survey_lands_and_meets_accuracy(survey_calm):
    mission, res = survey_calm
    s = res.summary
    assert s["completed"] and s["end_state"] == "landed"
    nav_seqs = [seq for seq, it in mission.nav_items()]
    assert set(nav_seqs) <= set(s["items_reached"])
    # issue 3, calm air: straight-leg cross-track RMS < 3 m, altitude RMS < 2 m, airspeed
    # RMS < 0.5 m/s; EKF position error < 5 m RMS, wind error < 1 m/s
    assert s["rms_xtrack_m"] < 3.0
    assert s["rms_alt_err_m"] < 2.0
    assert s["rms_airspeed_err_mps"] < 0.5
    assert s["nav_rms_pos_err_m"] < 5.0
    assert s["nav_rms_wind_err_mps"] < 1.0
    # touchdown within 30 m of the landing point along the approach, 5 m across, sink < 1.5
    td = s["touchdown"]
    assert abs(td["along_m"]) < 30.0 and abs(td["across_m"]) < 5.0
    assert 0.0 < td["sink_mps"] < 1.5
    assert abs(td["bank_deg"]) < 5.0


def test_survey_camera_triggers_are_spaced_by_the_trigger_distance(survey_calm):
    _, res = survey_calm
    trig = res.triggers
    assert len(trig) > 50
    g = Geodesic.WGS84
    gaps = [
        g.Inverse(*np.degrees(trig[i, 1:3]), *np.degrees(trig[i + 1, 1:3]))["s12"]
        for i in range(len(trig) - 1)
    ]
    # DO_SET_CAM_TRIGG_DIST 40 m: consecutive photos 40 m apart along the flown path
    assert np.median(gaps) == pytest.approx(40.0, abs=1.0)
    # photos carry attitude: on the survey lines the wings are near level
    assert np.median(np.abs(np.degrees(trig[:, 4]))) < 5.0


def test_events_follow_the_mission(survey_calm):
    _, res = survey_calm
    kinds = [e.kind for e in res.events]
    assert kinds[0] == "mode" and kinds[-1] == "landed"
    assert "touchdown" in kinds
    reached = [e.seq for e in res.events if e.kind == "item_reached"]
    assert reached == sorted(reached)
    speeds = [e.detail for e in res.events if "DO_CHANGE_SPEED" in e.detail]
    assert speeds == ["DO_CHANGE_SPEED: speed 22 m/s", "DO_CHANGE_SPEED: speed 20 m/s"]


def test_wind_and_moderate_turbulence_accuracy():
    """Wind 10 m/s from 60 deg (down the runway) + moderate turbulence, seed 3: cross-track
    RMS < 10 m, altitude RMS < 5 m, and it still lands intact on the centreline.

    The issue's touchdown figures are for calm air. In moderate turbulence the approach
    speed carries a gust additive (1.5 x the gust intensity the EKF has learnt) and the flare
    starts early in a downdraft (LAND_FLARE_SEC at its sink rate), so touchdowns scatter: over
    seeds 1-30 all 30 landed intact (sink 0.2-2.7 m/s), 184 m short to 145 m long, all within
    2 m of the centreline."""
    mission = load_mission(EXAMPLES / "short_survey.plan")
    sc = FlightScenario(AF, mission, wind=parse_wind("60@10"), turbulence=Turbulence.MODERATE,
                        seed=3, log_hz=2)  # fmt: skip
    s = fly(sc).summary
    assert s["end_state"] == "landed"  # intact: sink < 3 m/s, bank < 10 deg
    assert -250.0 < s["touchdown"]["along_m"] < 250.0
    assert abs(s["touchdown"]["across_m"]) < 5.0
    assert s["rms_xtrack_m"] < 10.0
    assert s["rms_alt_err_m"] < 5.0
    assert s["nav_rms_pos_err_m"] < 5.0
    # the EKF's wind is the mean wind: within 1.5 m/s of it despite ~2-3 m/s gusts
    assert s["nav_rms_wind_err_mps"] < 1.5


def test_steady_wind_is_estimated_within_1_mps():
    """Wind 10 m/s from 60 deg, no turbulence, seed 3: once the EKF reports its wind
    known (sigma < 1 m/s), the estimate is within 1 m/s RMS of the truth."""
    mission = load_mission(EXAMPLES / "short_survey.plan")
    s = fly(FlightScenario(AF, mission, wind=parse_wind("60@10"), seed=3, log_hz=1)).summary
    assert s["end_state"] == "landed"
    assert s["nav_rms_wind_err_mps"] < 1.0
    assert s["nav_rms_pos_err_m"] < 5.0


def _loiter_mission(radius_m: float, turns: float) -> Mission:
    home = Home(47.63, -52.93, 60.0)
    items = (
        MissionItem(22, 3, (10.0, 0, 0, 0), 47.635, -52.93, 100.0),  # NAV_TAKEOFF
        MissionItem(18, 3, (turns, 0, radius_m, 0), 47.66, -52.93, 150.0),  # LOITER_TURNS
        MissionItem(20, 3, (0, 0, 0, 0), 0.0, 0.0, 0.0),  # RTL
    )
    return Mission(home=home, items=items)


@pytest.mark.parametrize("radius_m", [250.0, -180.0])
def test_loiter_radius_within_5_percent_in_wind(radius_m):
    mission = _loiter_mission(radius_m, 3.0)
    sc = FlightScenario(AF, mission, wind=parse_wind("200@8"), seed=2, log_hz=5,
                        max_duration_s=1500.0)  # fmt: skip
    res = fly(sc)
    on_circle = (res.log[:, COL["seq"]] == 2) & (np.abs(res.log[:, COL["xtrack_m"]]) < 30.0)
    loit = res.log[on_circle]
    assert len(loit) > 100
    g = Geodesic.WGS84
    # true radius from the circle centre while on the circle (radial error < 30 m)
    r = np.array([g.Inverse(47.66, -52.93, math.degrees(row[1]), math.degrees(row[2]))["s12"]
                  for row in loit])  # fmt: skip
    assert np.mean(r) == pytest.approx(abs(radius_m), rel=0.05)
    # direction: clockwise for positive radius (bank right)
    assert np.sign(np.median(loit[:, COL["roll_rad"]])) == np.sign(radius_m)
    # three turns, then RTL: loiter lasts about 3 circumferences at ~25 m/s ground speed
    kinds = [(e.kind, e.seq) for e in res.events]
    assert ("item_reached", 2) in kinds


def test_truth_nav_and_determinism():
    mission = load_mission(EXAMPLES / "short_survey.plan")
    a = fly(FlightScenario(AF, mission, seed=5, log_hz=1, max_duration_s=200.0,
                           turbulence=Turbulence.LIGHT))  # fmt: skip
    b = fly(FlightScenario(AF, mission, seed=5, log_hz=1, max_duration_s=200.0,
                           turbulence=Turbulence.LIGHT))  # fmt: skip
    np.testing.assert_array_equal(a.log, b.log)
    t = fly(FlightScenario(AF, mission, seed=5, log_hz=1, max_duration_s=200.0,
                           turbulence=Turbulence.LIGHT, truth_nav=True))  # fmt: skip
    # flying on truth, the estimate columns are the truth
    np.testing.assert_allclose(t.log[:, COL["est_alt_m"]], t.log[:, COL["alt_m"]])
    assert t.summary["nav_rms_pos_err_m"] is None
    assert np.max(np.abs(a.log[:, COL["est_alt_m"]] - a.log[:, COL["alt_m"]])) > 0.01


def test_runway_take_off_and_landing(tmp_path):
    """A wheeled variant of the aerosonde takes off from the runway (ground roll, rotation at
    the airframe's rotate speed) and lands with brakes, in calm air."""
    text = Path(__file__).resolve().parents[1] / "src/longwing/airframe/data/aerosonde.toml"
    src = text.read_text()
    for old, new in (('method = "catapult"', 'method = "runway"'),
                     ("friction_long = 0.35", "friction_long = 0.04"),
                     ("friction_brake = 0.35", "friction_brake = 0.4")):  # fmt: skip
        assert old in src
        src = src.replace(old, new)
    path = tmp_path / "wheels.toml"
    path.write_text(src)
    af = load_airframe(path)
    mission = load_mission(EXAMPLES / "short_survey.plan")
    res = fly(FlightScenario(af, mission, seed=4, log_hz=10))
    s = res.summary
    assert s["end_state"] == "landed", s["end_reason"]
    log = res.log
    on_ground = log[:, COL["alt_m"]] - mission.home.alt_m < 0.5
    # the ground roll: accelerating on the runway before lift-off, then climbing
    roll = log[: np.argmin(on_ground) + 1]
    assert len(roll) > 20 and roll[-1, COL["tas_mps"]] > 0.95 * af.launch.rotate_speed_mps
    assert np.all(np.diff(roll[:, COL["groundspeed_mps"]]) > -0.05)
    td = s["touchdown"]
    assert abs(td["along_m"]) < 30.0 and abs(td["across_m"]) < 5.0 and td["sink_mps"] < 1.5
    # wheels + brakes: the roll-out after touchdown is longer than the skids' but bounded
    assert s["flight_time_s"] - td["t_s"] < 15.0
