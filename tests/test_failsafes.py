"""The failsafe test matrix: one flight per failure x phase, each asserting its designed end
state (docs/failsafes.md lists the matrix and the measured figures).

Flights use examples/short_survey.plan (take-off, survey, DO_LAND_START landing, an
inclusion fence, one rally point) or a long out-and-back built here, with a light 270@5 wind
and the EKF (not truth) in the loop. Phases: climb (< 60 s), cruise/survey, loiter,
approach.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.failsafe import (
    FailsafeSettings,
    best_glide,
    glide_reach_margin_m,
    ground_speed_along_mps,
)
from longwing.mission.fence import Fence, FencePolygon
from longwing.mission.items import MavFrame, MissionItem
from longwing.mission.model import Home, Mission
from longwing.physics.wind import parse_wind
from longwing.sim.faults import Fault, FaultError, parse_fault
from longwing.sim.runner import FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AF = load_airframe("aerosonde")
SURVEY = load_mission(EXAMPLES / "short_survey.plan")
G = Geodesic.WGS84


def _dist_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return G.Inverse(a[0], a[1], b[0], b[1])["s12"]


def _out_and_back(leg_km: float, loiter_s: float = 0.0) -> Mission:
    """Take-off, out ``leg_km`` east at 150 m, (loiter), back, DO_LAND_START, land at home."""
    home = Home(47.0, 8.0, 400.0)
    rel = MavFrame.GLOBAL_RELATIVE_ALT
    far = G.Direct(home.lat_deg, home.lon_deg, 90.0, leg_km * 1000.0)
    app = G.Direct(home.lat_deg, home.lon_deg, 90.0, 1500.0)
    items = [MissionItem.takeoff(home.lat_deg, home.lon_deg, 60.0, rel),
             MissionItem.waypoint(far["lat2"], far["lon2"], 150.0, rel)]  # fmt: skip
    if loiter_s:
        items.append(MissionItem.loiter_time(far["lat2"], far["lon2"], 150.0, rel,
                                             loiter_time_s=loiter_s))  # fmt: skip
    items += [MissionItem.land_start(home.lat_deg, home.lon_deg),
              MissionItem.waypoint(app["lat2"], app["lon2"], 50.0, rel),
              MissionItem.land(home.lat_deg, home.lon_deg, 0.0, rel)]  # fmt: skip
    return Mission(home=home, items=tuple(items))


@functools.cache
def _fly(name: str, faults: tuple[str, ...] = (), fs: tuple = (), fuel_kg: float | None = None,
         wind: str = "270@5") -> dict:  # fmt: skip
    mission = {
        "survey": SURVEY,
        "long": _out_and_back(40.0),
        "loiter": _out_and_back(8.0, loiter_s=900.0),
        "fence_tight": dataclasses.replace(SURVEY, fence=_tight_fence()),
    }[name]
    sc = FlightScenario(AF, mission, wind=parse_wind(wind), seed=2, fuel_kg=fuel_kg,
                        faults=tuple(parse_fault(f) for f in faults),
                        failsafe=FailsafeSettings(**dict(fs)))  # fmt: skip
    return fly(sc).summary


def _tight_fence() -> Fence:
    """An inclusion polygon around home that the survey lines leave (a breach in cruise)."""
    h = SURVEY.home
    pts = [G.Direct(h.lat_deg, h.lon_deg, az, 1800.0) for az in (0, 90, 180, 270)]
    return Fence(polygons=(FencePolygon(tuple((p["lat2"], p["lon2"]) for p in pts), True),))


def _kinds(s: dict) -> list[tuple[str, str]]:
    return [(f["kind"], f["action"]) for f in s["failsafes"]]


def _landed_home(s: dict, within_m: float = 150.0) -> None:
    assert s["end_state"] == "landed", s["end_reason"]
    home = (s["home_lat_deg"], s["home_lon_deg"]) if "home_lat_deg" in s else None
    if home is not None:
        assert _dist_m(home, (s["landing_lat"], s["landing_lon"])) < within_m


# --- faults: parsing ----------------------------------------------------------------------


def test_parse_fault_forms_and_defaults():
    f = parse_fault("gnss_loss@1800:600")
    assert (f.kind, f.t_s, f.duration_s, f.end_s) == ("gnss_loss", 1800.0, 600.0, 2400.0)
    f = parse_fault("fuel_leak@3600,rate=0.3")
    assert f.params["rate"] == 0.3 and f.duration_s is None and math.isinf(f.end_s)
    g = parse_fault("gust@10,amp=-4")
    assert g.params == {"amp": -4.0, "len": 2.0} and g.end_s == 10.0
    assert parse_fault("gnss_drift@5").params == {"rate": 0.5, "dir": 45.0}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope@10", "unknown kind 'nope'"),
        ("gnss_loss", "expected KIND@T"),
        ("gnss_loss@-5", "must be >= 0"),
        ("gnss_loss@x", "time 'x' is not a number"),
        ("gnss_loss@10:0", "duration 0.0 s must be > 0"),
        ("engine_failure@10:5", "takes no duration"),
        ("fuel_leak@10,rate=-1", "rate = -1 kg/h is outside [0, 50]"),
        ("fuel_leak@10,speed=1", "unknown parameter 'speed' (allowed: rate)"),
        ("gust@10,amp", "must be NAME=VALUE"),
        ("link_loss@nan", "is not finite"),
    ],
)
def test_parse_fault_errors_name_the_problem(spec: str, message: str):
    with pytest.raises(FaultError) as err:
        parse_fault(spec)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_fault_kinds_validate_as_objects_too():
    with pytest.raises(FaultError, match="unknown fault kind"):
        Fault("meteor", 10.0)


# --- pure helpers -------------------------------------------------------------------------


def test_wind_triangle_ground_speed():
    # 25 m/s, 10 m/s headwind / tailwind / crosswind
    assert ground_speed_along_mps(0.0, 25.0, -10.0, 0.0) == pytest.approx(15.0)
    assert ground_speed_along_mps(0.0, 25.0, 10.0, 0.0) == pytest.approx(35.0)
    assert ground_speed_along_mps(0.0, 25.0, 0.0, 10.0) == pytest.approx(math.sqrt(525.0))
    assert ground_speed_along_mps(0.0, 25.0, -30.0, 0.0) == 0.0


def test_best_glide_is_the_polar_optimum():
    """Against a brute-force search of CL/CD over the parabolic polar."""
    a = AF.aero
    v, ld = best_glide(a, AF.mass_kg(2.0), 1.2)
    k = math.pi * a.e_oswald * a.AR
    best = max((cl / (a.CDp + cl * cl / k), cl) for cl in [i * 1e-4 for i in range(1, 20000)])
    assert ld == pytest.approx(best[0], rel=1e-6)
    assert v == pytest.approx(math.sqrt(2 * AF.mass_kg(2.0) * 9.80665 / (1.2 * a.S_m2 * best[1])),
                              rel=1e-3)  # fmt: skip
    # reach: from 1000 m over a site 10 km away in calm air the margin is 1000 - 10000/LD
    m = glide_reach_margin_m(47.0, 8.0, 1000.0, (47.0, 8.131, 0.0), v, ld, 0.0, 0.0)
    d = _dist_m((47.0, 8.0), (47.0, 8.131))
    assert m == pytest.approx(1000.0 - d / ld, rel=1e-9)


def test_failsafe_settings_are_validated():
    with pytest.raises(ValueError, match="FS_LONG_ACTN"):
        FailsafeSettings(FS_LONG_ACTN=3)
    with pytest.raises(ValueError, match="FS_LONG_TIMEOUT must be longer"):
        FailsafeSettings(FS_SHORT_TIMEOUT=30.0, FS_LONG_TIMEOUT=20.0)


# --- the matrix: GCS link loss ------------------------------------------------------------


def test_link_loss_short_in_auto_carries_on():
    """Cruise, 10 s outage (short only): AUTO carries on and the mission completes."""
    s = _fly("survey", ("link_loss@300:10",))
    assert _kinds(s)[:2] == [("link_loss", "continue"), ("link_recovered", "none")]
    assert s["completed"] and s["end_state"] == "landed"


@pytest.mark.parametrize(("phase", "t_s"), [("climb", 20.0), ("cruise", 300.0),
                                            ("approach", 760.0)])  # fmt: skip
def test_link_loss_long_returns_and_lands(phase: str, t_s: float):
    """Long outage in climb / cruise / approach: RTL (autoland via DO_LAND_START), lands
    intact on the landing site (within 200 m of the point: the 270@5 wind has a tailwind
    component on this final, which lengthens the float)."""
    s = _fly("survey", (f"link_loss@{t_s}:600",))
    assert ("link_loss", "RTL") in _kinds(s)
    rtl_t = next(f["t_s"] for f in s["failsafes"] if f["action"] == "RTL")
    assert rtl_t == pytest.approx(t_s + 20.0, abs=1.5)  # FS_LONG_TIMEOUT
    assert s["end_state"] == "landed"
    land = SURVEY.items[-1]
    assert _dist_m((land.lat_deg, land.lon_deg), (s["landing_lat"], s["landing_lon"])) < 200.0


def test_link_loss_in_loiter_without_autoland_circles_home():
    """Loiter phase, RTL without a landing (RTL_AUTOLAND off in the mission: the long
    out-and-back's loiter, link lost for good): the aircraft circles home within 2 min of
    reaching it."""
    mission = _out_and_back(8.0, loiter_s=900.0)
    mission = dataclasses.replace(mission, items=mission.items[:3])  # no landing sequence
    sc = FlightScenario(
        AF,
        mission,
        wind=parse_wind("270@5"),
        seed=2,
        faults=(parse_fault("link_loss@600"),),
        max_duration_s=1500.0,
    )
    s = fly(sc).summary
    assert ("link_loss", "RTL") in _kinds(s)
    home = (mission.home.lat_deg, mission.home.lon_deg)
    final = (s["final"]["lat_deg"], s["final"]["lon_deg"])
    # WP_LOITER_RAD 120 m: on the circle (+ tracking) at the end
    assert _dist_m(home, final) < 200.0
    assert s["mode"] == "RTL" and s["end_state"] == "airborne"


# --- GNSS ---------------------------------------------------------------------------------


def test_gnss_loss_10_min_dead_reckoning_and_return():
    """Cruise on the long out-and-back, GNSS lost 600 s, FS_GPS_ACTN=2 (RTL at 300 s):
    position error < 3 % of the distance flown without GNSS, it returns and lands."""
    s = _fly("long", ("gnss_loss@400:600",), (("FS_GPS_ACTN", 2),))
    kinds = _kinds(s)
    assert ("gnss_loss", "dead reckoning") in kinds and ("gnss_loss", "RTL") in kinds
    assert ("gnss_recovered", "none") in kinds
    flown_m = 600.0 * 25.0
    assert s["nav_max_pos_err_m"] < 0.03 * flown_m
    assert s["end_state"] == "landed"


def test_gnss_loss_short_circles_then_resumes():
    """Survey, GNSS lost for 400 s with FS_GPS_TIMEOUT 120 s: CIRCLE at 120 s, resume AUTO
    when fixes return, complete the survey and land."""
    s = _fly("survey", ("gnss_loss@250:400",), (("FS_GPS_TIMEOUT", 120.0),))
    kinds = _kinds(s)
    assert ("gnss_loss", "CIRCLE") in kinds and ("gnss_recovered", "resume") in kinds
    assert s["completed"] and s["end_state"] == "landed"


def test_gnss_drift_is_announced_and_the_flight_ends_landed():
    """A fast GNSS drift (5 m/s for 60 s) is rejected by the EKF's innovation gates; the
    persistent rejection ends in announced resets; the aircraft lands intact."""
    s = _fly("survey", ("gnss_drift@300:60,rate=5",))
    assert any(k == "ekf_reset" for k, _ in _kinds(s))
    assert s["end_state"] == "landed"


# --- air data, compass --------------------------------------------------------------------


def test_pitot_blocked_is_detected_and_flown_on_synthetic_airspeed():
    """Pitot blocked in the survey; the speed changes of the landing sequence (20 m/s, then
    approach speed) expose it; airspeed failure announced; lands intact."""
    s = _fly("survey", ("pitot_blocked@300",))
    assert ("airspeed_failure", "synthetic airspeed") in _kinds(s)
    t_fail = next(f["t_s"] for f in s["failsafes"] if f["kind"] == "airspeed_failure")
    assert t_fail > 300.0
    assert s["end_state"] == "landed"


@pytest.mark.parametrize("t_s", [30.0, 300.0])
def test_magnetometer_failure_mission_completes(t_s: float):
    s = _fly("survey", (f"mag_fail@{t_s}",))
    assert s["completed"] and s["end_state"] == "landed"
    assert s["nav_rms_pos_err_m"] < 10.0


# --- engine and fuel ------------------------------------------------------------------------


def test_engine_failure_high_glides_home_and_lands_in_the_footprint():
    """Engine out at ~350 m AGL about 3.5 km from home (climbing out to the first waypoint,
    3 km east at 350 m): glides to home, spirals down, lands intact near home and within the
    glide footprint (the still-air glide range from the failure point)."""
    home = Home(47.0, 8.0, 400.0)
    rel = MavFrame.GLOBAL_RELATIVE_ALT
    p1 = G.Direct(home.lat_deg, home.lon_deg, 90.0, 3000.0)
    p2 = G.Direct(home.lat_deg, home.lon_deg, 90.0, 20000.0)
    app = G.Direct(home.lat_deg, home.lon_deg, 90.0, 1500.0)
    mission = Mission(home=home, items=(
        MissionItem.takeoff(home.lat_deg, home.lon_deg, 60.0, rel),
        MissionItem.waypoint(p1["lat2"], p1["lon2"], 350.0, rel),
        MissionItem.waypoint(p2["lat2"], p2["lon2"], 350.0, rel),
        MissionItem.land_start(home.lat_deg, home.lon_deg),
        MissionItem.waypoint(app["lat2"], app["lon2"], 50.0, rel),
        MissionItem.land(home.lat_deg, home.lon_deg, 0.0, rel),
    ))  # fmt: skip
    # wind from the east: a tailwind home (into a 5 m/s headwind the site would be out of
    # reach with the 100 m GLIDE_MARGIN_M: 338 m - 334 m of glide loss)
    sc = FlightScenario(AF, mission, wind=parse_wind("90@5"), seed=2,
                        faults=(parse_fault("engine_failure@180"),))  # fmt: skip
    s = fly(sc).summary
    fs = s["failsafes"][0]
    assert fs["kind"] == "engine_failure" and fs["action"] == "glide to home", fs
    # intact, but short of the strip: a landing out (the site extends 200 m from its point)
    td = s["touchdown"]
    assert td["within_limits"] and td["distance_m"] > AF.landing.site_radius_m
    assert s["end_state"] == "landed_out" and not s["completed"]
    assert f"landed intact {td['distance_m']:.0f} m from the landing point" in s["end_reason"]
    _, ld = best_glide(AF.aero, AF.mass_kg(4.0), 1.2)
    reach = (fs["alt_m"] - mission.home.alt_m) * ld
    d = _dist_m((fs["lat_deg"], fs["lon_deg"]), (s["landing_lat"], s["landing_lon"]))
    assert d < reach
    assert _dist_m((home.lat_deg, home.lon_deg), (s["landing_lat"], s["landing_lon"])) < 1500.0


def test_engine_failure_low_and_far_lands_ahead():
    """Engine out in the survey (~120 m AGL, no site within glide reach + margin): lands
    straight ahead, intact, within the footprint."""
    s = _fly("survey", ("engine_failure@400",))
    fs = s["failsafes"][0]
    assert (fs["kind"], fs["action"]) == ("engine_failure", "land ahead")
    assert s["end_state"] == "landed_out" and s["touchdown"]["within_limits"]
    assert s["end_reason"].startswith("forced landing away from any landing site")
    _, ld = best_glide(AF.aero, AF.mass_kg(4.0), 1.2)
    reach = (fs["alt_m"] - SURVEY.home.alt_m) * ld
    assert _dist_m((fs["lat_deg"], fs["lon_deg"]), (s["landing_lat"], s["landing_lon"])) < reach


def test_fuel_leak_triggers_rtl_and_lands_with_fuel_left():
    """A 1.5 kg/h leak in cruise on the 40 km out-and-back with 1.2 kg: the fuel gauge's
    burn rate rises above the engine's, the leak is added to every way's cost, the aircraft
    lands at home with fuel, and says why."""
    s = _fly("long", ("fuel_leak@300,rate=1.5",), fuel_kg=1.2)
    fs = [f for f in s["failsafes"] if f["kind"] == "low_fuel"]
    assert [f["action"] for f in fs] == ["land at home"]
    assert "kg/h more than the engine should" in fs[0]["detail"]
    assert s["end_state"] == "landed" and s["fuel_remaining_kg"] > 0.0


def test_low_fuel_without_a_fault_turns_back_at_once():
    """Too little fuel for the planned 2 x 40 km (0.35 kg, reserve 0.4 kg): the mission
    cannot be finished with the reserve, which the first fuel check (30 s) says; the
    aircraft lands at home with nearly all of it."""
    s = _fly("long", (), fuel_kg=0.35)
    fs = s["failsafes"][0]
    assert (fs["kind"], fs["action"]) == ("low_fuel", "land at home")
    assert fs["t_s"] <= 60.0 and "cannot finish the mission with the reserve" in fs["detail"]
    assert s["end_state"] == "landed" and not s["completed"]
    assert s["fuel_remaining_kg"] > 0.3


# --- fence ----------------------------------------------------------------------------------


def test_fence_breach_returns_home_and_lands():
    s = _fly("fence_tight")
    kinds = _kinds(s)
    assert kinds[0] == ("fence_breach", "RTL")
    assert "outside inclusion polygon 1" in s["failsafes"][0]["detail"]
    assert s["end_state"] == "landed"


def test_fence_report_only_carries_on():
    s = _fly("fence_tight", (), (("FENCE_ACTION", 2),))
    assert _kinds(s)[0] == ("fence_breach", "report")
    assert ("fence_reentry", "none") in _kinds(s)
    assert s["completed"] and s["end_state"] == "landed"


# --- gusts and numerical robustness -----------------------------------------------------------


@pytest.mark.parametrize("t_s", [300.0, 790.0])
def test_discrete_gust_in_cruise_and_approach(t_s: float):
    """An 8 m/s (1 - cos) updraft over 3 s in the survey or on the final approach: no
    crash, mission completes."""
    s = _fly("survey", (f"gust@{t_s},amp=8,len=3",))
    assert s["completed"] and s["end_state"] == "landed"
    assert s["nonfinite_commands"] == 0


@pytest.mark.parametrize(("mask", "sensors"), [(1, "IMU"), (2, "GNSS"), (4, "baro"),
                                               (8, "pitot"), (16, "magnetometer"),
                                               (31, "all")])  # fmt: skip
def test_nan_from_every_sensor_is_stopped_where_it_enters(mask: int, sensors: str):
    """Each sensor (and all at once) outputs NaN for 3 s in the survey: the samples are
    dropped at the input (counted), no NaN reaches the actuators (no command had to be
    held), and the flight completes and lands. Without the IMU the autopilot coasts on its
    last good mean for the 3 s (in a turn that costs tens of metres of position, recovered
    from the next GNSS fixes)."""
    s = _fly("survey", (f"sensor_nan@300:3,mask={mask}",))
    assert s["nonfinite_inputs"] > 0, sensors
    assert s["nonfinite_commands"] == 0
    assert s["completed"] and s["end_state"] == "landed"
    assert s["nav_max_pos_err_m"] < (100.0 if mask & 1 else 10.0)
    assert s["nav_rms_pos_err_m"] < 10.0


def test_low_fuel_far_from_home_lands_at_the_rally_point_in_reach():
    """A 4 kg/h leak near the far end of the 40 km out-and-back (1 kg aboard), a rally point
    36 km out: home is out of reach, the rally point is not -> land there (within 100 m)."""
    from longwing.mission.fence import RallyPoint

    mission = _out_and_back(40.0)
    p = G.Direct(mission.home.lat_deg, mission.home.lon_deg, 90.0, 36000.0)
    mission = dataclasses.replace(mission, rally=(RallyPoint(p["lat2"], p["lon2"], 80.0),))
    sc = FlightScenario(AF, mission, wind=parse_wind("270@5"), seed=2, fuel_kg=1.0,
                        faults=(parse_fault("fuel_leak@1300,rate=4"),))  # fmt: skip
    s = fly(sc).summary
    low = [k for k in _kinds(s) if k[0] == "low_fuel"]
    assert low == [("low_fuel", "land at rally point 1")], s["failsafes"]
    assert s["end_state"] == "landed" and not s["completed"]
    assert _dist_m((p["lat2"], p["lon2"]), (s["landing_lat"], s["landing_lon"])) < 100.0
    assert s["fuel_remaining_kg"] > 0.0


def test_fuel_exhaustion_is_flown_as_an_engine_failure():
    """A 3 kg/h leak: the RTL decided at the onset (the gauge's 2-minute burn rate does not
    yet show the whole leak) runs dry on the way; the empty tank stops the engine, which the
    engine-out failsafe flies as a glide: landed intact, not at home."""
    mission = _out_and_back(40.0)
    sc = FlightScenario(AF, mission, wind=parse_wind("270@5"), seed=2, fuel_kg=1.0,
                        faults=(parse_fault("fuel_leak@1300,rate=3"),))  # fmt: skip
    s = fly(sc).summary
    kinds = [k for k in _kinds(s) if k[0] != "pnr"]
    assert kinds[0] == ("low_fuel", "land at home")
    assert kinds[-1][0] == "engine_failure"
    assert s["end_state"] == "landed_out" and s["fuel_remaining_kg"] == 0.0
    assert s["touchdown"]["within_limits"] and not s["completed"]
