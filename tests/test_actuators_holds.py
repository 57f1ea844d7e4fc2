"""Actuator limits and the open-loop hold loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.airframe.loader import load_airframe
from longwing.physics.actuators import actuator_step
from longwing.physics.turbulence import Turbulence
from longwing.sim import fastloop as fl
from longwing.sim.events import EV_NONE
from longwing.sim.openloop import OpenLoopScenario, simulate_open_loop

AF = load_airframe("aerosonde")
COL = {name: i for i, name in enumerate(fl.LOG_COLUMNS)}


def test_rate_and_position_limits():
    act = np.zeros(4)
    cmd = np.array([1.0, -1.0, 0.2, 1.0])  # beyond travel on de and da
    dt = 0.01
    actuator_step(act, cmd, AF.actuators, dt)
    rate = math.radians(200.0) * dt
    np.testing.assert_allclose(act, [rate, -rate, rate, 2.0 * dt])
    for _ in range(1000):
        actuator_step(act, cmd, AF.actuators, dt)
    np.testing.assert_allclose(act, [math.radians(30), -math.radians(25), 0.2, 1.0])
    actuator_step(act, np.array([0.0, 0.0, 0.0, -5.0]), AF.actuators, dt)
    assert act[3] == pytest.approx(1.0 - 2.0 * dt)  # throttle slews at 2 /s toward 0


def test_heading_change_is_flown_within_bank_limit():
    """Start at heading 0 and hold 90 deg: the hold turns, banking no more than 30 deg."""
    sc = OpenLoopScenario(AF, 25.0, 1000.0, math.radians(45.0), 0.0, 0.0, 120.0, 4.0, log_hz=10.0)
    sc = OpenLoopScenario(**{**sc.__dict__, "heading_rad": 0.0})
    res = simulate_open_loop(sc)
    assert abs(res.log[-1, COL["yaw_rad"]]) < 0.02  # control: nothing to do, nothing done
    # Now command 90 deg from a 0 deg start via the fast loop's reference.
    from longwing.control.holds import HoldGains, new_hold_state
    from longwing.physics.rigidbody import N_ENV, make_work
    from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
    from longwing.physics.turbulence import new_turb_state
    from longwing.physics.wind import WindField

    tr, x = trim_on_ellipsoid(AF, TrimCondition(25.0, 1000.0, 0.8, 4.0), 0.0, 0.0)
    act = tr.controls()
    ref = np.array([math.radians(90.0), 1000.0, 25.0, tr.theta_rad])
    log = np.zeros((200, fl.N_LOG))
    wa, wn, we = WindField.calm().arrays()
    _, ev, n, _ = fl.run_chunk(
        x, act, act.copy(), np.zeros(N_ENV), new_hold_state(), new_turb_state(), make_work(),
        np.zeros((12000, 3)), wa, wn, we, 0, 0.0, ref, tr.controls(), True, True, AF.aero,
        AF.mass, AF.prop, AF.ground, AF.actuators, HoldGains(), 0.01, 0, 12000, 100, log, 0.0,
    )  # fmt: skip
    log = log[:n]
    assert ev == EV_NONE
    assert np.max(np.abs(log[:, COL["roll_rad"]])) < math.radians(31.0)
    assert np.max(np.abs(log[:, COL["roll_rad"]])) > math.radians(20.0)
    assert math.degrees(log[-1, COL["yaw_rad"]]) == pytest.approx(90.0, abs=1.0)
    assert np.max(np.abs(log[:, COL["alt_m"]] - 1000.0)) < 10.0
    assert np.max(np.abs(log[:, COL["beta_rad"]])) < math.radians(3.0)


def test_severe_turbulence_stays_upright():
    sc = OpenLoopScenario(
        AF, 25.0, 1500.0, 0.8, 0.0, 0.0, 900.0, 4.0, turbulence=Turbulence.SEVERE, seed=3,
        log_hz=2.0,
    )  # fmt: skip
    res = simulate_open_loop(sc)
    assert res.summary["end_reason"] == "completed"
    assert np.max(np.abs(res.log[:, COL["roll_rad"]])) < math.radians(60.0)
    # sigma_w ~ 7 m/s at 1500 m in severe turbulence exceeds the ~3 m/s climb margin: the
    # aircraft is pushed around in height (more than in moderate), but stays flying.
    moderate = simulate_open_loop(
        OpenLoopScenario(**{**sc.__dict__, "turbulence": Turbulence.MODERATE})
    )
    assert moderate.summary["end_reason"] == "completed"
    assert moderate.summary["rms_alt_err_m"] < 60.0
    assert res.summary["rms_alt_err_m"] > moderate.summary["rms_alt_err_m"]
