"""A new guidance target clears what belonged to the old one (L1's cross-track integrator and
turn memory, the loiter count, the flare, the leg frame), through the one place targets
change, Flight.retarget; and a flight cut into slices is bit-identical to one run whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from longwing.airframe.loader import load_airframe
from longwing.control import target as tg
from longwing.control.l1 import CIRCLE_CAPTURED, LAST_NU, XTRACK_I_STATE
from longwing.mission import load_mission
from longwing.mission.manager import Mode
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import parse_wind
from longwing.sim import runner
from longwing.sim.runner import Flight, FlightScenario, fly
from longwing.sim.summary import here_of

AF = load_airframe("aerosonde")
SURVEY = load_mission(Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan")


def _mid_leg() -> Flight:
    f = Flight(FlightScenario(AF, SURVEY, wind=parse_wind("200@6"), seed=3))
    f.run(until_s=240.0)
    assert f.target[tg.KIND] == tg.TK_LEG
    return f


def test_retarget_clears_l1_and_the_per_target_state():
    f = _mid_leg()
    st = f.state
    f.arrays.l1[XTRACK_I_STATE] = 0.05  # as a leg flown in a crosswind leaves them
    f.arrays.l1[LAST_NU] = 1.0
    f.arrays.l1[CIRCLE_CAPTURED] = 1.0
    st["loiter"]["captured"] = True
    st["loiter"]["angle_rad"] = 3.0
    st["landing"]["flare"] = True
    st["guid"]["run_now"] = False
    f.mgr.set_mode(f.t_s, Mode.LOITER, here_of(f.x))
    assert f.target[tg.KIND] == tg.TK_LOITER
    f.retarget()
    assert np.all(f.arrays.l1 == 0.0)
    assert not st["loiter"]["captured"] and st["loiter"]["angle_rad"] == 0.0
    assert not st["landing"]["flare"] and not st["guid"]["leg_ok"] and st["guid"]["run_now"]


def test_a_new_airspeed_alone_is_the_same_target():
    f = _mid_leg()
    f.arrays.l1[XTRACK_I_STATE] = 0.05
    f.target[tg.SPEED] = 28.0  # DO_CHANGE_SPEED from a GCS
    f.retarget()
    assert f.arrays.l1[XTRACK_I_STATE] == 0.05


def test_every_target_change_resets_l1(monkeypatch):
    """Flying the survey: L1 is reset at each of its target changes (it never was before)."""
    calls = []
    monkeypatch.setattr(runner, "l1_reset", lambda l1: (calls.append(1), l1.fill(0.0)))
    s = fly(FlightScenario(AF, SURVEY, seed=1)).summary
    assert s["end_state"] == "landed"
    # take-off -> 13 waypoints / loiter -> land: one reset per item reached after the first
    assert len(calls) >= s["nav_items_reached"] - 1


def test_sliced_flight_is_bit_identical_to_an_uncut_one():
    """The MAVLink vehicle advances a flight in 20 ms slices, the CLI in one go: same result,
    bit for bit (random draws inside the kernel, targets changed only between chunks)."""
    sc = FlightScenario(AF, SURVEY, wind=parse_wind("200@6"), seed=4, max_duration_s=900.0,
                        turbulence=Turbulence.LIGHT)  # fmt: skip
    whole = fly(sc)
    # a real flight (in moderate turbulence this seed stalled 1 s after the catapult)
    assert whole.summary["flight_time_s"] > 800.0
    f = Flight(sc)
    t = 0.0
    rng = np.random.default_rng(0)
    while not f.run(until_s=t):
        t += float(rng.uniform(0.02, 37.0))  # slices of 20 ms to 37 s, cut anywhere
    sliced = f.result()
    assert np.array_equal(whole.log, sliced.log)
    assert np.array_equal(whole.triggers, sliced.triggers)
    for key in ("end_state", "flight_time_s", "distance_km", "fuel_remaining_kg",
                "rms_xtrack_m", "items_reached"):  # fmt: skip
        assert whole.summary[key] == sliced.summary[key], key
