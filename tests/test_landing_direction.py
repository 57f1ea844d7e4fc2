"""Into-wind landings: the mirror geometry, the decision table, the flight and `plan check`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.landing_choice import (
    LandingSequence,
    choose_landing,
    landing_sequences,
    mirror_needed,
    mirror_point,
    site_landing_course_deg,
    wind_on_course,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
G = Geodesic.WGS84


def wind_from(dir_deg: float, speed_mps: float) -> tuple[float, float]:
    """(north, east) of the air's velocity for a wind FROM ``dir_deg``."""
    r = math.radians(dir_deg)
    return -speed_mps * math.cos(r), -speed_mps * math.sin(r)


# --- geometry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "brg", "dist"),
    [(47.63, -52.93, 240.0, 1500.0), (0.0, 10.0, 10.0, 3000.0), (-60.0, 170.0, 95.0, 800.0),
     (70.0, 0.0, 359.0, 5000.0)],
)  # fmt: skip
def test_mirror_point_same_distance_opposite_bearing(lat, lon, brg, dist):
    p = G.Direct(lat, lon, brg, dist)
    mlat, mlon = mirror_point(lat, lon, p["lat2"], p["lon2"])
    inv = G.Inverse(lat, lon, mlat, mlon)
    assert inv["s12"] == pytest.approx(dist, abs=1e-6)
    assert (inv["azi1"] - (brg + 180.0) + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-9)
    # mirrored twice: the original point
    blat, blon = mirror_point(lat, lon, mlat, mlon)
    assert G.Inverse(blat, blon, p["lat2"], p["lon2"])["s12"] < 1e-6


def test_mirror_of_the_landing_point_is_itself():
    assert mirror_point(47.0, -52.0, 47.0, -52.0) == (47.0, -52.0)


# --- the decision table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wind_dir", "speed", "mirror"),
    [
        (60.0, 10.0, False),  # headwind
        (240.0, 3.0, False),  # tailwind at the limit: kept
        (240.0, 3.01, True),  # just above
        (240.0, 8.0, True),  # tailwind
        (150.0, 15.0, False),  # pure crosswind (from the right)
        (330.0, 15.0, False),  # pure crosswind (from the left)
        (210.0, 3.4, False),  # 30 deg off the tail: 2.94 m/s tailwind
        (210.0, 3.5, True),  # 3.03 m/s
        (0.0, 0.0, False),  # calm
    ],
)
def test_decision_table(wind_dir, speed, mirror):
    wn, we = wind_from(wind_dir, speed)
    assert mirror_needed(60.0, wn, we, 3.0) is mirror


def test_wind_components():
    w = wind_on_course(60.0, *wind_from(90.0, 8.0))
    assert w.headwind_mps == pytest.approx(8.0 * math.cos(math.radians(30.0)))
    assert w.crosswind_mps == pytest.approx(4.0)  # from the right
    assert w.tailwind_mps == pytest.approx(-w.headwind_mps)


def test_site_without_a_direction_lands_into_the_wind():
    assert site_landing_course_deg(10.0, *wind_from(270.0, 8.0)) == pytest.approx(270.0)
    assert site_landing_course_deg(10.0, *wind_from(270.0, 1.9)) == pytest.approx(10.0)


def _seq(start, course, lat=47.0, lon=-52.0):
    return LandingSequence(start, start + 2, lat, lon, lat, lon - 0.01, course)


def test_several_sequences_the_most_into_the_wind():
    seqs = [_seq(10, 60.0), _seq(20, 150.0), _seq(30, 240.0)]
    c = choose_landing(seqs, *wind_from(160.0, 8.0), 3.0)
    assert c.sequence.start_seq == 20 and not c.mirrored
    c = choose_landing(seqs, *wind_from(250.0, 8.0), 3.0)
    assert c.sequence.start_seq == 30 and not c.mirrored
    # calm: all tied, the nearest (ArduPlane's rule)
    far = _seq(10, 60.0, lat=48.0)
    near = _seq(20, 240.0, lat=47.01)
    c = choose_landing([far, near], 0.0, 0.0, 3.0, 47.0, -52.0)
    assert c.sequence.start_seq == 20
    # one sequence with a strong tailwind: mirrored
    c = choose_landing([_seq(10, 60.0)], *wind_from(240.0, 15.0), 3.0)
    assert c.mirrored and c.course_deg == pytest.approx(240.0)
    assert c.wind.headwind_mps == pytest.approx(15.0)
    assert choose_landing([], 0.0, 0.0, 3.0) is None


def test_short_survey_sequence():
    m = load_mission(EXAMPLES / "short_survey.plan")
    (s,) = landing_sequences(m.items)
    assert (s.start_seq, s.land_seq) == (17, 19)
    inv = G.Inverse(s.from_lat_deg, s.from_lon_deg, s.land_lat_deg, s.land_lon_deg)
    assert s.final_course_deg == pytest.approx(inv["azi2"] % 360.0)
    assert 55.0 < s.final_course_deg < 65.0


def test_aerosonde_tailwind_limit():
    af = load_airframe("aerosonde")
    assert af.landing.max_tailwind_mps == 3.0
    # the approach speed plus the limit stays 2 m/s inside the touchdown ground speed limit
    assert 22.0 + af.landing.max_tailwind_mps == af.landing.max_groundspeed_mps - 2.0


# --- plan check -------------------------------------------------------------------------------


def _plan_check(wind: str) -> dict:
    from typer.testing import CliRunner

    from longwing.cli import app

    r = CliRunner().invoke(app, ["plan", "check", str(EXAMPLES / "short_survey.plan"),
                                 "--wind", wind, "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_plan_check_reports_the_direction():
    tail = _plan_check("270@8")["landing"]
    assert tail["mirrored"] is True
    assert tail["course_deg"] == pytest.approx(240.0, abs=0.5)
    assert tail["headwind_mps"] == pytest.approx(6.93, abs=0.01)
    head = _plan_check("90@8")["landing"]
    assert head["mirrored"] is False
    assert head["course_deg"] == pytest.approx(60.0, abs=0.5)


# --- flights ------------------------------------------------------------------------------------


def _fly(wind: str) -> dict:
    from longwing.physics.wind import parse_wind
    from longwing.sim.runner import FlightScenario, fly

    m = load_mission(EXAMPLES / "short_survey.plan")
    return fly(FlightScenario(load_airframe("aerosonde"), m, wind=parse_wind(wind),
                              seed=1)).summary  # fmt: skip


def _direction_events(s: dict) -> list[str]:
    return [e["detail"] for e in s["events"] if e["kind"] == "landing_direction"]


def test_tailwind_above_the_limit_lands_into_the_wind():
    """240@15 is a 15 m/s tailwind on the planned final (060): before this change the
    aircraft touched down at 34.7 m/s over the ground (crashed); now it lands on 240."""
    s = _fly("240@15")
    (detail,) = _direction_events(s)
    assert detail.startswith("wind 240@1")
    assert "mirrored (into the wind): final course 240 deg" in detail
    assert s["end_state"] == "landed" and s["completed"]
    td = s["touchdown"]
    assert td["within_limits"]
    assert td["groundspeed_mps"] < 8.0  # 22 m/s airspeed into 15 m/s of wind
    assert td["distance_m"] < 60.0
    # the touchdown is on the mirrored final: the aircraft came from the north-east
    land = landing_sequences(load_mission(EXAMPLES / "short_survey.plan").items)[0]
    inv = G.Inverse(land.land_lat_deg, land.land_lon_deg, s["landing_lat"], s["landing_lon"])
    assert inv["s12"] == pytest.approx(td["distance_m"], abs=1.0)


def test_headwind_keeps_the_planned_direction_and_matches_plan_check():
    s = _fly("90@8")
    (detail,) = _direction_events(s)
    assert "as planned: final course 60 deg" in detail
    td = s["touchdown"]
    assert s["end_state"] == "landed"
    assert 11.0 < td["groundspeed_mps"] < 15.0
    # the flight's decision is the one plan check reports
    assert _plan_check("90@8")["landing"]["text"] in detail


def test_plan_check_direction_is_the_flights_in_a_tailwind():
    s = _fly("270@8")
    (detail,) = _direction_events(s)
    assert _plan_check("270@8")["landing"]["text"] in detail
    assert s["end_state"] == "landed"
    assert s["touchdown"]["groundspeed_mps"] < 16.0


# --- the manager (no physics) ---------------------------------------------------------------


def _manager(items, wind_ne):
    from longwing.control import target as tg
    from longwing.mission.manager import MissionManager, MissionSettings
    from longwing.mission.model import Home, Mission

    mission = Mission(home=Home(47.63, -52.93, 60.0), items=tuple(items))
    limits = load_airframe("aerosonde").landing
    m = MissionManager(mission, MissionSettings(), tg.new_target(), limits)
    m.wind_fn = lambda: wind_ne
    return m


def _target_points(m):
    from longwing.control import target as tg
    from longwing.geo.wgs84 import ecef_to_geodetic

    t = m.tgt
    a = ecef_to_geodetic(t[tg.AX], t[tg.AY], t[tg.AZ])
    b = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
    return tuple((math.degrees(p[0]), math.degrees(p[1]), p[2]) for p in (a, b))


def test_manager_mirrors_the_approach_points_of_the_sequence():
    from longwing.control import target as tg
    from longwing.mission.items import MissionItem
    from longwing.mission.manager import Position

    land = (47.6304497, -52.9288477)
    appr = (47.6237028, -52.9461299)
    items = [MissionItem(16, 3, (0, 0, 0, 0), 47.62, -52.96, 100.0),
             MissionItem(189, 2), MissionItem(16, 3, (0, 0, 0, 0), *appr, 50.0),
             MissionItem(21, 3, (0, 0, 0, 0), *land, 0.0)]  # fmt: skip
    here = Position(47.62, -52.96, 160.0)
    m = _manager(items, wind_from(240.0, 8.0))  # 8 m/s tailwind on the planned 060
    m._advance(0.0, here, 2)  # DO_LAND_START, then the approach point
    assert m.landing.mirrored
    _, b = _target_points(m)
    want = mirror_point(*land, *appr)
    assert G.Inverse(b[0], b[1], *want)["s12"] < 0.01
    assert b[2] == pytest.approx(110.0, abs=1e-6)  # the approach point's altitude
    m.on_target_done(10.0, Position(b[0], b[1], b[2]))  # the final, from the mirror point
    assert int(m.tgt[tg.KIND]) == tg.TK_LAND
    a, b = _target_points(m)
    assert G.Inverse(a[0], a[1], *want)["s12"] < 0.01
    assert G.Inverse(b[0], b[1], *land)["s12"] < 0.01
    inv = G.Inverse(a[0], a[1], b[0], b[1])
    assert inv["azi2"] % 360.0 == pytest.approx(240.0, abs=0.1)


def test_manager_flies_to_the_mirrored_final_start_without_an_approach_point():
    """A sequence whose final starts before its DO_LAND_START: a leg to the mirrored start of
    the final first, then the final from there."""
    from longwing.control import target as tg
    from longwing.mission.items import MissionItem
    from longwing.mission.manager import Position

    land = (47.6304497, -52.9288477)
    appr = (47.6237028, -52.9461299)
    items = [MissionItem(16, 3, (0, 0, 0, 0), *appr, 50.0), MissionItem(189, 2),
             MissionItem(21, 3, (0, 0, 0, 0), *land, 0.0)]  # fmt: skip
    m = _manager(items, wind_from(240.0, 8.0))
    here = Position(*appr, 110.0)
    m._advance(0.0, here, 1)
    m.on_target_done(5.0, here)  # the waypoint reached: DO_LAND_START, NAV_LAND
    assert m.landing.mirrored and int(m.tgt[tg.KIND]) == tg.TK_LEG
    _, b = _target_points(m)
    want = mirror_point(*land, *appr)
    assert G.Inverse(b[0], b[1], *want)["s12"] < 0.01
    m.on_target_done(60.0, Position(b[0], b[1], b[2]))
    assert int(m.tgt[tg.KIND]) == tg.TK_LAND
    a, b = _target_points(m)
    assert G.Inverse(a[0], a[1], *want)["s12"] < 0.01
    assert G.Inverse(b[0], b[1], *land)["s12"] < 0.01
    # in a headwind the planned final is flown directly
    m2 = _manager(items, wind_from(60.0, 8.0))
    m2._advance(0.0, here, 1)
    m2.on_target_done(5.0, here)
    assert not m2.landing.mirrored and int(m2.tgt[tg.KIND]) == tg.TK_LAND


def test_rtl_autoland_takes_the_sequence_most_into_the_wind():
    """Two DO_LAND_START sequences to the same point, finals on 060 and 240: RTL autoland
    flies the one with the headwind, as planned (no mirror needed)."""
    from longwing.mission.items import MissionItem
    from longwing.mission.manager import Mode, Position

    land = (47.6304497, -52.9288477)
    sw = (47.6237028, -52.9461299)  # the final on 060 starts here
    ne = mirror_point(*land, *sw)  # ... and the one on 240 here
    items = [MissionItem(16, 3, (0, 0, 0, 0), 47.64, -52.90, 100.0),
             MissionItem(189, 2), MissionItem(16, 3, (0, 0, 0, 0), *sw, 50.0),
             MissionItem(21, 3, (0, 0, 0, 0), *land, 0.0),
             MissionItem(189, 2), MissionItem(16, 3, (0, 0, 0, 0), *ne, 50.0),
             MissionItem(21, 3, (0, 0, 0, 0), *land, 0.0)]  # fmt: skip
    here = Position(47.64, -52.90, 160.0)
    for wind_dir, start in ((60.0, 2), (240.0, 5)):
        m = _manager(items, wind_from(wind_dir, 8.0))
        m._advance(0.0, here, 1)
        m.set_mode(5.0, int(Mode.RTL), here)
        assert m.mode == Mode.AUTO and m.seq == start + 1  # flying its approach point
        assert m.landing.sequence.start_seq == start and not m.landing.mirrored
        (ev,) = [e for e in m.events if e.kind == "landing_direction"]
        assert ev.detail.startswith(f"wind {wind_dir:03.0f}@8.0 m/s: DO_LAND_START item {start}")
