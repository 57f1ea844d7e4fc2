"""How flights end: every end state of docs/end_states.md, judged against the airframe's
touchdown limits; a crash is never a landing; `completed` only for a mission flown as
planned."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.items import MavFrame, MissionItem
from longwing.mission.manager import MissionSettings
from longwing.mission.model import Home, Mission
from longwing.physics.wind import parse_wind
from longwing.sim.outcome import EndState, Outcome, Touchdown, touchdown_violations
from longwing.sim.runner import Flight, FlightScenario, fly

AF = load_airframe("aerosonde")
LIM = AF.landing
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SURVEY = load_mission(EXAMPLES / "short_survey.plan")
REL = MavFrame.GLOBAL_RELATIVE_ALT
HOME = Home(47.63, -52.93, 60.0)


def _pt(lat, lon, brg, dist):
    d = Geodesic.WGS84.Direct(lat, lon, brg, dist)
    return d["lat2"], d["lon2"]


def _td(**kw) -> Touchdown:
    base = dict(t_s=100.0, lat_deg=0.0, lon_deg=0.0, sink_mps=0.5, bank_rad=0.0,
                pitch_rad=math.radians(4.0), groundspeed_mps=20.0)  # fmt: skip
    return Touchdown(**{**base, **kw})


# --- the touchdown judged against the limits (airframe [landing]) --------------------------


def test_aerosonde_limits_are_the_documented_ones():
    assert LIM.max_sink_mps == 2.1
    assert LIM.max_groundspeed_mps == 27.0
    # the wingtip-strike bank of the [ground] geometry: atan(0.15 / (1.45 - 0.12)) = 6.4 deg
    g = AF.ground
    strike = math.degrees(math.atan((g.main_z_m - g.tip_z_m) / (g.tip_y_m - g.main_y_m)))
    assert strike == pytest.approx(6.43, abs=0.01)
    assert math.degrees(LIM.max_bank_rad) == pytest.approx(6.0, abs=1e-12)
    assert math.degrees(LIM.max_bank_rad) < strike
    assert math.degrees(LIM.min_pitch_rad) == pytest.approx(-3.0, abs=1e-12)
    assert math.degrees(LIM.max_pitch_rad) == pytest.approx(12.0, abs=1e-12)
    assert LIM.site_radius_m == 200.0


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        ({"sink_mps": 2.11}, "sink 2.11 m/s > 2.1 m/s"),
        ({"groundspeed_mps": 27.1}, "ground speed 27.1 m/s > 27 m/s"),
        ({"bank_rad": math.radians(-6.2)}, "bank -6.2 deg beyond +/-6 deg"),
        ({"pitch_rad": math.radians(-3.5)}, "pitch -3.5 deg < -3 deg (nose first)"),
        ({"pitch_rad": math.radians(12.5)}, "pitch 12.5 deg > 12 deg (tail strike)"),
        ({"sink_mps": math.nan}, "sink nan m/s > 2.1 m/s"),
    ],
)
def test_each_limit_is_a_violation(kw, text):
    assert touchdown_violations(_td(**kw), LIM) == (text,)


def test_within_limits_at_the_edges():
    td = _td(sink_mps=2.1, groundspeed_mps=27.0, bank_rad=LIM.max_bank_rad,
             pitch_rad=LIM.min_pitch_rad)  # fmt: skip
    assert touchdown_violations(td, LIM) == ()
    assert len(touchdown_violations(_td(sink_mps=3.0, groundspeed_mps=34.0), LIM)) == 2


def test_outcome_cannot_call_a_crash_completed():
    with pytest.raises(ValueError):
        Outcome(EndState.CRASHED, "x", True)


# --- flights ------------------------------------------------------------------------------


def test_waypoint_below_the_ground_is_a_crash_at_once():
    """A waypoint at -5000 m: the aircraft dives into the ground and the flight ends there,
    crashed (it used to slide on for 23 minutes and report 'landed')."""
    a = _pt(HOME.lat_deg, HOME.lon_deg, 90.0, 3000.0)
    b = _pt(HOME.lat_deg, HOME.lon_deg, 90.0, 6000.0)
    m = Mission(home=HOME, items=(
        MissionItem.takeoff(*a, 80.0, REL),
        MissionItem.waypoint(*b, -5000.0, MavFrame.GLOBAL),
        MissionItem.land(HOME.lat_deg, HOME.lon_deg, 0.0, REL),
    ))  # fmt: skip
    s = fly(FlightScenario(AF, m, seed=1)).summary
    assert s["end_state"] == "crashed" and not s["completed"]
    assert s["end_reason"].startswith("hit the ground outside a landing (leg, AUTO, item 2)")
    assert s["flight_time_s"] < 200.0  # ended at the impact, no slide
    td = s["touchdown"]  # however gentle, ground contact outside a landing is a crash
    assert not td["within_limits"] and td["groundspeed_mps"] > 15.0
    assert s["flight_time_s"] - td["t_s"] < 0.05
    assert [e["kind"] for e in s["events"]][-1] == "ground_contact"
    assert "landed" not in [e["kind"] for e in s["events"]]


def test_tailwind_touchdown_beyond_the_gear_limit_is_a_crash():
    """The survey lands on course 060; a 15 m/s wind from 240 is a tailwind: about 35 m/s
    over the ground at touchdown, beyond the skids' 27 m/s. (Landing into the wind and the
    go-around are switched off here: a tailwind limit of 20 m/s, no decision height.)"""
    af = replace(AF, landing=replace(AF.landing, max_tailwind_mps=20.0))
    no_go_around = replace(MissionSettings(), LAND_DECIDE_ALT=0.0)
    s = fly(FlightScenario(af, SURVEY, wind=parse_wind("240@15"), seed=1,
                           settings=no_go_around)).summary  # fmt: skip
    td = s["touchdown"]
    assert td["groundspeed_mps"] > 33.0
    assert s["end_state"] == "crashed" and not s["completed"]
    assert s["end_reason"] == (f"touchdown beyond the airframe's limits: ground speed "
                               f"{td['groundspeed_mps']:.1f} m/s > 27 m/s")  # fmt: skip
    assert td["violations"] == [f"ground speed {td['groundspeed_mps']:.1f} m/s > 27 m/s"]
    assert s["flight_time_s"] - td["t_s"] < 0.05  # ends at the touchdown, no roll-out
    assert "landed" not in [e["kind"] for e in s["events"]]


def test_headwind_landing_is_landed_and_completed():
    s = fly(FlightScenario(AF, SURVEY, wind=parse_wind("60@8"), seed=1)).summary
    td = s["touchdown"]
    assert td["within_limits"] and td["groundspeed_mps"] < 20.0
    assert s["end_state"] == "landed" and s["completed"]
    assert s["end_reason"] == (f"landed at the mission's NAV_LAND (item 19), "
                               f"{td['distance_m']:.0f} m from the landing point")  # fmt: skip
    assert (s["nav_items_reached"], s["nav_items_total"]) == (14, 14)


def _no_land() -> Mission:
    a = _pt(HOME.lat_deg, HOME.lon_deg, 0.0, 2000.0)
    b = _pt(HOME.lat_deg, HOME.lon_deg, 45.0, 3000.0)
    return Mission(home=HOME, items=(
        MissionItem.takeoff(*a, 80.0, REL),
        MissionItem.waypoint(*b, 100.0, REL),
    ))  # fmt: skip


def test_plan_ending_in_the_air_is_airborne_by_design():
    s = fly(FlightScenario(AF, _no_land(), seed=1)).summary
    assert s["end_state"] == "airborne" and s["completed"]
    assert s["end_reason"].startswith("mission complete after item 2")
    assert "touchdown" not in s


def test_loiter_unlimited_at_the_end_is_airborne_by_design_at_the_time_limit():
    b = _pt(HOME.lat_deg, HOME.lon_deg, 45.0, 2000.0)
    m = Mission(home=HOME, items=(*_no_land().items[:1],
                                  MissionItem(17, REL, (0, 0, 0, 0), *b, 100.0)))  # fmt: skip
    s = fly(FlightScenario(AF, m, seed=1, max_duration_s=600.0)).summary
    assert s["end_state"] == "airborne" and s["completed"]
    assert s["end_reason"].startswith("loitering at item 2 (NAV_LOITER_UNLIM) as planned")
    assert s["flight_time_s"] == pytest.approx(600.0, abs=0.01)


def test_time_limit_before_the_end_is_airborne_not_completed():
    s = fly(FlightScenario(AF, SURVEY, seed=1, max_duration_s=300.0)).summary
    assert s["end_state"] == "airborne" and not s["completed"]
    assert s["end_reason"].startswith("time limit of 300 s reached in AUTO at item")
    assert s["why_not_completed"][0] == "the flight was cut by the time limit"
    assert s["flight_time_s"] == pytest.approx(300.0, abs=0.01)
    assert s["nav_items_reached"] < s["nav_items_total"] == 14


def test_a_flight_stopped_by_its_caller_is_interrupted():
    f = Flight(FlightScenario(AF, SURVEY, seed=1))
    assert not f.run(until_s=120.0)
    s = f.result().summary
    assert s["end_state"] == "interrupted" and not s["completed"]
    assert s["end_reason"] == "stopped by the caller at t = 120.0 s, before the flight ended"


def test_runway_take_off_that_never_rolls_is_aborted():
    """A runway aircraft whose engine gives (almost) no power never reaches rotation speed:
    still on the ground 60 s into the take-off run, the take-off is abandoned."""
    weak = replace(AF, launch=replace(AF.launch, method="runway"),
                   prop=AF.prop._replace(power_sl_w=1e-3))  # fmt: skip
    s = fly(FlightScenario(weak, SURVEY, seed=1)).summary
    assert s["end_state"] == "aborted" and not s["completed"]
    assert s["end_reason"].startswith("take-off abandoned: still on the ground")
    assert s["distance_km"] < 0.05 and s["flight_time_s"] < 70.0


def test_failsafe_diversion_is_not_completed_even_when_landed():
    s = fly(FlightScenario(AF, SURVEY, seed=1, faults=())).summary
    assert s["completed"]
    from longwing.sim.faults import parse_fault

    s = fly(FlightScenario(AF, SURVEY, seed=1, faults=(parse_fault("link_loss@200"),))).summary
    assert s["failsafes"] and s["failsafes"][-1]["action"] == "RTL"
    assert s["end_state"] == "landed" and not s["completed"]
    why = s["why_not_completed"]
    assert why[0].startswith("diverted by the link_loss failsafe (RTL at t = ")
    assert why[1].startswith("8 navigation item(s) not reached: 7, 8, 9")
