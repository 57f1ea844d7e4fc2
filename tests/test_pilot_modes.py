"""Pilot modes (issue 14, item 1): what ArduPlane's MANUAL, STABILIZE, TRAINING, ACRO, FBWA
and FBWB make of the sticks, flown in the closed loop (control.pilot), checked against
ArduPlane's own formulas (FBWA: bank = roll stick x ROLL_LIMIT; FBWB: climb = pitch stick x
FBWB_CLIMB_RATE) on the logged truth; and the RC mapping (ArduPilot's RC_Channel) and the RC
failsafe's timing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from longwing.airframe.loader import load_airframe
from longwing.mavlink.rc_input import RcFailsafe, RcInput
from longwing.mission import load_mission
from longwing.mission.manager import Mode
from longwing.physics.wind import parse_wind
from longwing.sim import closedloop as cl
from longwing.sim.outcome import EndState
from longwing.sim.runner import Flight, FlightScenario
from longwing.sim.summary import here_of

AF = load_airframe("aerosonde")
SURVEY = load_mission(Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan")
COL = {c: i for i, c in enumerate(cl.LOG_COLUMNS)}
ROLL_LIMIT = AF.envelope.bank_max_rad  # ROLL_LIMIT_DEG's default for this airframe
FBWB_CLIMB = 2.0
RATE = math.radians(180.0)


def _airborne() -> Flight:
    f = Flight(FlightScenario(AF, SURVEY, wind=parse_wind("calm"), seed=3))
    f.run(until_s=200.0)  # the climb-out is over: cruising the survey
    assert not f.done and f.log_buf[f.n_log - 1, COL["alt_m"]] > 150.0
    return f


def _fly(f: Flight, mode: Mode, sticks: tuple[float, float, float, float], s: float):
    """Fly ``s`` seconds in ``mode`` with (roll, pitch, yaw, throttle); the log rows."""
    if f.mgr.mode != mode:
        f.mgr.set_mode(f.t_s, int(mode), here_of(f.x))
        f.retarget()
    f.set_sticks(*sticks, FBWB_CLIMB, RATE, RATE)
    n0 = f.n_log
    f.run(until_s=f.t_s + s)
    return f.log_buf[n0 : f.n_log]


def test_fbwa_banks_to_the_stick_times_roll_limit_and_levels_centred():
    f = _airborne()
    rows = _fly(f, Mode.FBWA, (0.5, 0.0, 0.0, 0.6), 20.0)
    roll = rows[-50:, COL["roll_rad"]]  # the last 5 s
    assert np.all(np.abs(roll - 0.5 * ROLL_LIMIT) < math.radians(1.5))
    rows = _fly(f, Mode.FBWA, (0.0, 0.0, 0.0, 0.6), 20.0)
    assert np.all(np.abs(rows[-50:, COL["roll_rad"]]) < math.radians(1.0))
    assert np.allclose(rows[-50:, COL["throttle"]], 0.6, atol=0.01)  # the throttle stick


def test_fbwb_descends_at_the_stick_times_fbwb_climb_rate():
    """(A descent: the survey's fence ceiling is close above.)"""
    f = _airborne()
    _fly(f, Mode.FBWB, (0.0, 0.0, 0.0, 0.5), 20.0)  # settle: level at its height
    rows = _fly(f, Mode.FBWB, (0.0, -1.0, 0.0, 0.5), 30.0)
    alt, t = rows[:, COL["alt_m"]], rows[:, COL["t_s"]]
    last = t >= t[-1] - 15.0  # after the descent has built up
    rate = np.polyfit(t[last], alt[last], 1)[0]
    assert abs(rate + FBWB_CLIMB) < 0.3, rate
    assert f.mgr.mode == Mode.FBWB
    rows = _fly(f, Mode.FBWB, (0.0, 0.0, 0.0, 0.5), 30.0)  # centred: holds the height reached
    assert np.ptp(rows[-100:, COL["alt_m"]]) < 3.0


def test_manual_surfaces_follow_the_sticks_about_their_trim():
    f = _airborne()
    rows = _fly(f, Mode.MANUAL, (0.0, 0.0, 0.0, 0.5), 2.0)
    trim = rows[-1, COL["aileron_rad"]]
    rows = _fly(f, Mode.MANUAL, (0.2, 0.0, 0.0, 0.5), 1.0)
    da = rows[-1, COL["aileron_rad"]] - trim
    assert da == pytest.approx(0.2 * AF.actuators.da_max_rad, abs=1e-3)
    assert rows[-1, COL["roll_rad"]] > rows[0, COL["roll_rad"]] + math.radians(5)  # rolls right
    assert np.allclose(rows[-5:, COL["throttle"]], 0.5, atol=0.01)


def test_stabilize_levels_and_training_stops_at_the_roll_limit():
    f = _airborne()
    _fly(f, Mode.FBWA, (0.8, 0.0, 0.0, 0.5), 10.0)  # banked
    rows = _fly(f, Mode.STABILIZE, (0.0, 0.0, 0.0, 0.5), 15.0)
    assert abs(rows[-1, COL["roll_rad"]]) < math.radians(2.0)
    rows = _fly(f, Mode.TRAINING, (1.0, 0.0, 0.0, 0.5), 15.0)  # full stick: held at the limit
    roll = rows[-50:, COL["roll_rad"]]
    assert np.all(np.abs(roll - ROLL_LIMIT) < math.radians(3.0)), np.degrees(roll).max()


def test_acro_rolls_at_the_rate_and_holds_the_attitude_centred():
    f = _airborne()
    _fly(f, Mode.ACRO, (0.0, 0.0, 0.0, 0.5), 5.0)
    rows = _fly(f, Mode.ACRO, (0.1, 0.0, 0.0, 0.5), 2.0)  # 18 deg/s demanded
    held = rows[-1, COL["roll_rad"]]
    assert math.radians(20) < held < math.radians(45)
    rows = _fly(f, Mode.ACRO, (0.0, 0.0, 0.0, 0.5), 10.0)
    assert abs(rows[-1, COL["roll_rad"]] - math.radians(36)) < math.radians(6)


def test_a_gentle_landing_in_fbwa_is_judged_not_called_a_crash():
    """Throttle closed, a little back stick: a glide to the ground away from any site ends
    landed_out with the touchdown within the airframe's limits (a pilot may land anywhere)."""
    f = _airborne()
    _fly(f, Mode.FBWA, (0.0, 0.1, 0.0, 0.0), 400.0)
    assert f.done and f.end_state == EndState.LANDED_OUT, f.end_reason
    assert f.touchdown["within_limits"] and f.touchdown["sink_mps"] < AF.landing.max_sink_mps


# --- the RC mapping and the RC failsafe (pure) ------------------------------------------


def _param(values: dict):
    return lambda name, default: values.get(name, default)


def test_rc_channels_normalised_as_ardupilot():
    rc = RcInput()
    p = _param({"RC2_REVERSED": 1, "RC4_DZ": 30})
    rc.override([1700, 1300, 1550, 1520] + [0] * 14, now=0.0)
    s = rc.sticks(p)
    assert s.roll == pytest.approx(200 / 400)  # (1700 - 1500) / (1900 - 1500)
    assert s.pitch == pytest.approx(200 / 400)  # reversed: 1300 is nose up
    assert s.throttle == pytest.approx(450 / 800)  # (1550 - 1100) / (1900 - 1100)
    assert s.yaw == 0.0  # within RC4_DZ of the trim
    rc.override([65535, 0] + [0] * 16, now=1.0)  # ch1 unchanged, ch2 released
    assert rc.pwm[0] == 1700 and rc.pwm[1] == 0
    rc.expire(now=3.5, param=p)  # ch1 set at t 0: older than RC_OVERRIDE_TIME (3 s)
    assert rc.pwm[0] == 0 and rc.pwm[2] == 0 and not rc.has_sticks(p)


def test_manual_control_maps_as_arduplane():
    rc = RcInput()
    rc.manual_control(x=500, y=-1000, z=250, r=0, param=_param({}), now=0.0)
    # over RCn_MIN..MAX (1100..1900): roll y; pitch x reversed; throttle z; yaw r
    assert rc.pwm[:4] == [1100, 1300, 1300, 1500]
    s = rc.sticks(_param({}))
    assert s.roll == pytest.approx(-1.0) and s.pitch == pytest.approx(-0.5)
    assert s.throttle == pytest.approx(0.25) and s.yaw == 0.0
    rc.manual_control(x=32767, y=1001, z=-1, r=32767, param=_param({}), now=1.0)
    assert rc.pwm[:4] == [1100, 1300, 1300, 1500]  # INT16_MAX, out of range: unchanged


def test_flight_mode_switch_bands():
    rc = RcInput()
    p = _param({"FLTMODE2": 5})
    got = []
    for pwm in (1100, 1300, 1300, 1450, 1600, 1700, 1900):
        rc.override([1500] * 7 + [pwm] + [0] * 10, now=0.0)
        got.append(rc.mode_switch(p))
    assert got == [11, 5, None, 5, 5, 0, 0]  # FLTMODE1..6, acting on a change of band only


def test_rc_failsafe_short_then_long_and_recovery():
    fs = RcFailsafe()
    assert fs.update(True, True, 0.0, 1.5, 20.0, 5) is None
    assert fs.update(True, False, 1.0, 1.5, 20.0, 5) is None
    kind, mode, _ = fs.update(True, False, 2.5, 1.5, 20.0, 5)
    assert (kind, mode) == ("short", 1)  # CIRCLE after FS_SHORT_TIMEOUT
    kind, mode, _ = fs.update(True, True, 3.0, 1.5, 20.0, 1)
    assert (kind, mode) == ("off", 5)  # sticks back: the mode flown before
    fs.update(True, False, 10.0, 1.5, 20.0, 5)
    fs.update(True, False, 12.0, 1.5, 20.0, 5)
    kind, mode, _ = fs.update(True, False, 30.0, 1.5, 20.0, 1)
    assert (kind, mode) == ("long", 11)  # RTL after FS_LONG_TIMEOUT
    auto = RcFailsafe()  # in AUTO (not a pilot mode) RC loss changes nothing
    assert all(auto.update(False, False, t, 1.5, 20.0, 10) is None for t in (0.0, 5.0, 60.0))


def test_outputs_repeat_servo_and_timed_capture():
    """DO_REPEAT_SERVO: count cycles of PWM then trim, each half a period (ArduPilot); and
    IMAGE_START_CAPTURE's photos every interval (sim time)."""
    from longwing.mavlink.outputs import Outputs

    out = Outputs()
    out.start_repeat(channel=6, pwm=1900, count=2, period_s=2.0, t_s=10.0)
    seen = []
    for t in np.arange(10.0, 15.0, 0.5):
        out.tick(float(t))
        seen.append(out.servo_pwm[5])
    assert seen == [1900, 1900, 1500, 1500, 1900, 1900, 1500, 1500, 1500, 1500]
    assert out.repeat is None
    out.start_capture(interval_s=2.0, total=3, t_s=0.0)
    photos = [out.tick(t) for t in (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)]
    assert photos == [1, 0, 1, 0, 1, 0, 0] and out.capture is None
