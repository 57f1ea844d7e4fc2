"""Go-around: the compiled judgement on final, planned/commanded/automatic go-arounds flown
and the second approach landed, and the alternative after LAND_ATTEMPTS approaches. Flights
are judged on what the user sees (the summary: end state, touchdown, events)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from longwing.airframe.loader import load_airframe
from longwing.control import landing as ld
from longwing.control import target as tg
from longwing.mission import load_mission
from longwing.mission.items import MavCmd, MavFrame, MissionItem
from longwing.physics.wind import parse_wind
from longwing.sim.runner import Flight, FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AF = load_airframe("aerosonde")
SURVEY = load_mission(EXAMPLES / "short_survey.plan")  # DO_LAND_START 17, NAV_LAND 19
GROUND_M = SURVEY.home.alt_m  # the landing point is at home's elevation


def _with_go_around_item(before_seq: int, alt_m: float):
    items = list(SURVEY.items)
    items.insert(before_seq - 1, MissionItem(MavCmd.DO_GO_AROUND, MavFrame.MISSION,
                                             (alt_m, 0.0, 0.0, 0.0)))  # fmt: skip
    return replace(SURVEY, items=tuple(items))


def _events(s: dict, *kinds: str) -> list[dict]:
    return [e for e in s["events"] if e["kind"] in kinds]


# --- the judgement (compiled, pure) -------------------------------------------------------------


def _code(slope_agl=10.0, agl=10.0, remaining=400.0, gs=20.0, xtrack=0.0, planned=False):
    # decision height 15 m, flare 2 m at 60 m before B, planned slope 2 deg + 3 deg margin,
    # zone 200 m, ground speed limit 27 m/s
    return ld.go_around_code(slope_agl, 15.0, agl, 2.0, remaining, 60.0, math.radians(2.0),
                             math.radians(3.0), 200.0, gs, 27.0, xtrack, planned)  # fmt: skip


def test_go_around_code_table():
    assert _code() == ld.GA_NONE
    assert _code(slope_agl=15.1, gs=40.0, planned=True) == ld.GA_NONE  # above the decision
    assert _code(planned=True) == ld.GA_PLANNED
    assert _code(gs=27.0) == ld.GA_NONE  # at the limit
    assert _code(gs=27.1) == ld.GA_GROUNDSPEED
    assert _code(xtrack=-200.5) == ld.GA_OFFSET
    assert _code(xtrack=199.0) == ld.GA_NONE
    # too high: 400 m to go, 60 m of flare, 200 m of zone = 540 m of run; 5 deg over it is
    # 47.2 m above the flare height
    assert _code(agl=2.0 + 540.0 * math.tan(math.radians(4.99))) == ld.GA_NONE
    assert _code(agl=2.0 + 540.0 * math.tan(math.radians(5.01))) == ld.GA_HIGH


# --- flights ------------------------------------------------------------------------------------


def test_planned_go_around_then_the_second_approach_lands():
    """DO_GO_AROUND before the DO_LAND_START: the first approach is abandoned at the decision
    height, the aircraft climbs to 40 m and flies the sequence again, and lands."""
    s = fly(FlightScenario(AF, _with_go_around_item(17, 40.0), wind=parse_wind("90@8"),
                           seed=1)).summary  # fmt: skip
    (ga,) = _events(s, "go_around")
    assert "approach 1 of 2 abandoned: planned go-around" in ga["detail"]
    assert 14.0 < ga["alt_m"] - GROUND_M < 19.0  # at the decision height (15 m)
    (restart,) = _events(s, "landing_restart")
    assert restart["detail"] == "from DO_LAND_START item 18"
    assert 34.0 <= restart["alt_m"] - GROUND_M <= 45.0  # climbed to 40 m (within 5 m)
    assert len(_events(s, "landing_direction")) == 2  # decided again
    assert s["end_state"] == "landed" and s["completed"]
    td = s["touchdown"]
    assert td["within_limits"] and td["distance_m"] < 30.0
    assert td["t_s"] > restart["t_s"]


def test_attempt_limit_then_loiter_over_home():
    """DO_GO_AROUND inside the sequence: every approach is abandoned; after LAND_ATTEMPTS (2)
    the aircraft loiters over home below the fence's ceiling, and the flight ends in the air."""
    s = fly(FlightScenario(AF, _with_go_around_item(18, 40.0), wind=parse_wind("90@8"), seed=1,
                           max_duration_s=1500.0)).summary  # fmt: skip
    gas = _events(s, "go_around")
    assert [g["detail"].split(":")[0] for g in gas] == [
        "approach 1 of 2 abandoned", "approach 2 of 2 abandoned"]  # fmt: skip
    (ab,) = _events(s, "landing_abandoned")
    assert ab["detail"] == ("2 approaches abandoned (LW_LAND_ATTEMPTS 2): loitering over home "
                            "at 140 m for the operator")  # fmt: skip
    assert s["end_state"] == "airborne" and not s["completed"]
    assert s.get("touchdown") is None
    assert s["failsafes"] == []  # inside the fence (its ceiling is 150 m)
    assert s["mode"] == "RTL"
    fin = s["final"]
    assert abs(fin["alt_m"] - (GROUND_M + 140.0)) < 10.0


def test_commanded_go_around_then_lands():
    """MAV_CMD_DO_GO_AROUND on final (the flight's API, as the MAVLink layer will call it)."""
    fl = Flight(FlightScenario(AF, SURVEY, wind=parse_wind("90@8"), seed=1))
    assert fl.command_go_around() is False  # not on a final: refused
    while not (fl.mgr.seq == 19 and int(fl.target[tg.KIND]) == tg.TK_LAND):
        assert not fl.run(fl.t_s + 5.0)
    fl.run(fl.t_s + 20.0)  # well down the final
    assert fl.command_go_around(50.0) is True
    fl.run()
    s = fl.result().summary
    (ga,) = _events(s, "go_around")
    assert "commanded (DO_GO_AROUND); climbing to 50 m" in ga["detail"]
    assert [e["kind"] for e in _events(s, "go_around_refused")] == ["go_around_refused"]
    assert s["end_state"] == "landed" and s["completed"]
    assert s["touchdown"]["within_limits"]


def test_automatic_go_around_on_ground_speed_then_the_alternative():
    """An airframe that accepts a 20 m/s tailwind keeps the planned direction in a 10 m/s
    tailwind: about 32 m/s over the ground on final, beyond the 27 m/s touchdown limit. Both
    approaches are abandoned before touchdown (no crash), then the loiter over home."""
    af = replace(AF, landing=replace(AF.landing, max_tailwind_mps=20.0))
    s = fly(FlightScenario(af, SURVEY, wind=parse_wind("240@10"), seed=1,
                           max_duration_s=1800.0)).summary  # fmt: skip
    gas = _events(s, "go_around")
    assert len(gas) == 2
    assert all("ground speed above the touchdown limit" in g["detail"] for g in gas)
    assert len(_events(s, "landing_abandoned")) == 1
    assert s["end_state"] == "airborne" and s.get("touchdown") is None


@pytest.mark.parametrize("wind", ["90@8"])
def test_no_go_around_on_a_normal_approach(wind):
    s = fly(FlightScenario(AF, SURVEY, wind=parse_wind(wind), seed=1)).summary
    assert not _events(s, "go_around")
    assert s["end_state"] == "landed"


def test_wind_shear_automatic_go_around_recheck_and_second_approach_lands():
    """A wind that turns with height (from 060 at 5 m/s 140 m up, from 240 at 15 m/s on the
    ground): at the DO_LAND_START the estimate shows no tailwind worth turning for; down the
    final the ground speed passes the touchdown limit: automatic go-around. The second time
    the direction is kept at the DO_LAND_START (2.9 m/s of tailwind, under the 3 m/s limit)
    but turned at the start of the final (re-check), and the aircraft lands into the wind."""
    s = fly(FlightScenario(AF, SURVEY, wind=parse_wind("60:240@15,200:60@5"), seed=1)).summary
    (ga,) = _events(s, "go_around")
    assert "approach 1 of 2 abandoned: ground speed above the touchdown limit" in ga["detail"]
    dirs = [e["detail"] for e in _events(s, "landing_direction")]
    assert len(dirs) == 3
    assert "as planned" in dirs[0] and "as planned" in dirs[1]
    assert dirs[2].startswith("re-checked at the start of the final")
    assert "mirrored (into the wind): final course 240 deg" in dirs[2]
    assert s["end_state"] == "landed" and s["completed"]
    td = s["touchdown"]
    assert td["within_limits"] and td["groundspeed_mps"] < 8.0 and td["distance_m"] < 60.0


def test_updraft_on_final_too_high_go_around_then_lands():
    """A 15 m/s (1 - cos) updraft for 12 s as the approach reaches the decision height lifts
    the aircraft ~40 m above the glide slope: it could only reach the touchdown zone on a
    slope far steeper than planned, so it goes around and lands from the second approach."""
    from longwing.sim.faults import parse_fault

    sc = FlightScenario(AF, SURVEY, wind=parse_wind("90@8"), seed=1,
                        faults=(parse_fault("gust@780,amp=15,len=12"),))  # fmt: skip
    s = fly(sc).summary
    (ga,) = _events(s, "go_around")
    assert "approach 1 of 2 abandoned: too high to touch down in the zone" in ga["detail"]
    assert 780.0 < ga["t_s"] < 792.0
    assert s["end_state"] == "landed" and s["completed"]
    td = s["touchdown"]
    assert td["within_limits"] and td["distance_m"] < 30.0 and td["t_s"] > ga["t_s"] + 120.0


def test_a_failsafe_during_the_go_around_climb_takes_over():
    """Manager only: a LAND_AT failsafe while climbing away; the climb's end is not taken
    for the go-around's (the failsafe's own sequence is flown)."""
    from longwing.mission.manager import MissionManager, MissionSettings, Position

    m = MissionManager(SURVEY, MissionSettings(), tg.new_target(), AF.landing)
    here = Position(47.62, -52.95, 100.0)
    m._advance(0.0, here, 17)  # DO_LAND_START, the approach point
    m.on_target_done(10.0, here)  # the final
    assert m.on_landing()
    assert m.command_go_around(20.0, here) is True
    assert int(m.tgt[tg.KIND]) == tg.TK_TAKEOFF and m.going_around is not None
    site = Position(47.6237685, -52.9246785, 60.0)
    m.failsafe_land_at(25.0, here, site, (0.0, 0.0), "land at rally point 1")
    assert m.going_around is None
    m.on_target_done(60.0, here)  # the loiter down over the site is done
    assert [e.kind for e in m.events][-1] == "failsafe_step"
    assert not [e for e in m.events if e.kind == "landing_restart"]
