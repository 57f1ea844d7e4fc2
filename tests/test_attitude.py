"""Attitude loops, alone and closed around the nonlinear Aerosonde (6-DOF on the ellipsoid).

The closed-loop harness :func:`fly` (also used by tests/test_tecs.py) runs the package's
rigid body (``rk4_step``) from ``trim_on_ellipsoid`` at 100 Hz with actuator limits, measuring
what the sensors would: Euler angles, gyro rates, lateral and longitudinal specific force,
true airspeed, height and climb rate (truth, no noise: the loops are tested, not the
estimator).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from longwing.airframe.loader import load_airframe
from longwing.control.attitude import (
    PITCH_I,
    ROLL_I,
    attitude_reset,
    attitude_update,
    new_attitude_state,
    pitch_update,
    roll_update,
    speed_scalers,
)
from longwing.control.params import build_params
from longwing.control.tecs import new_tecs_state, tecs_reset, tecs_update
from longwing.geo.atmosphere import isa
from longwing.geo.wgs84 import ecef_to_geodetic_fast, ecef_to_ned_sc
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import aero_forces_moments, air_data
from longwing.physics.propulsion import engine
from longwing.physics.rigidbody import (
    N_ENV,
    air_relative_body_sc,
    body_rates_rel_earth,
    rk4_step,
)
from longwing.physics.state import FUEL, PX, VX, WP
from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
from longwing.sim.fastloop import attitude_ned

AF = load_airframe("aerosonde")
DT = 0.01
RHO0 = 1.225

# Log columns of fly()
(T, H, TAS, PHI, THETA, PSI, BETA, CLIMB, DE, DA, DR, THR, PITCH_CMD, UNDERSPEED, ALPHA, AY,
 N_COL) = range(17)  # fmt: skip

MODE_ATTITUDE, MODE_TECS = 0, 1


@njit(cache=True)
def fly(x, act, att, tecs, ap, tp, actp, aero, mp, prop, gp, mode, roll_cmd, pitch_cmd, throttle,
        hgt_dem, eas_dem, wind_ned, dt, log, log_every):  # fmt: skip
    """Fly len(roll_cmd) steps; commands are per-step arrays. mode 0: pitch_cmd and the
    fixed ``throttle`` go to the attitude loops; mode 1: TECS flies hgt_dem / eas_dem."""
    env = np.zeros(N_ENV)
    env[0], env[1], env[2] = wind_ned[0], wind_ned[1], wind_ned[2]
    work = np.zeros((5, x.shape[0]))
    cmd = np.zeros(4)
    n_log = 0
    for k in range(roll_cmd.shape[0]):
        h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
        phi, theta, psi = attitude_ned(x, sl, cl, so, co)
        ua, va, wa = air_relative_body_sc(x, sl, cl, so, co, env)
        tas, alpha, beta = air_data(ua, va, wa)
        _, _, rho = isa(h)
        eas2tas = math.sqrt(RHO0 / rho)
        pe, qe, re = body_rates_rel_earth(x)
        fx, fy, _, _, _, _ = aero_forces_moments(ua, va, wa, pe, qe, re, act[0], act[1],
                                                 act[2], rho, aero)  # fmt: skip
        thrust, _, _ = engine(act[3], tas, rho, True, x[FUEL], prop)
        mass = mp.dry_mass_kg + x[FUEL]
        ax = (fx + thrust) / mass
        ay = fy / mass
        _, _, vd = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
        us = False
        if mode == 1:
            pitch_c, thr_c, us = tecs_update(tecs, tp, dt, hgt_dem[k], eas_dem[k], h, -vd, tas,
                                             eas2tas, ax, theta, phi)  # fmt: skip
        else:
            pitch_c = pitch_cmd[k]
            thr_c = throttle
        de, da, dr = attitude_update(att, ap, actp, dt, roll_cmd[k], pitch_c, phi, theta,
                                     x[WP], x[WP + 1], x[WP + 2], ay, tas, eas2tas)  # fmt: skip
        if k % log_every == 0 and n_log < log.shape[0]:
            row = (k * dt, h, tas, phi, theta, psi, beta, -vd, act[0], act[1], act[2], act[3],
                   pitch_c, 1.0 if us else 0.0, alpha, ay)  # fmt: skip
            for i in range(len(row)):
                log[n_log, i] = row[i]
            n_log += 1
        cmd[0], cmd[1], cmd[2], cmd[3] = de, da, dr, thr_c
        actuator_step(act, cmd, actp, dt)
        rk4_step(x, act, env, True, True, aero, mp, prop, gp, dt, work)
    return n_log


def start(airspeed=25.0, alt=1000.0, lat_deg=45.0, heading_deg=0.0, wind=(0.0, 0.0, 0.0),
          overrides=None):  # fmt: skip
    """Trimmed truth state, actuators, reset controller states, parameter records."""
    cond = TrimCondition(airspeed, alt, math.radians(lat_deg), 4.0)
    tr, x = trim_on_ellipsoid(AF, cond, 0.0, math.radians(heading_deg), wind)
    ap = build_params(overrides, airframe=AF)
    att = new_attitude_state()
    attitude_reset(att, ap.attitude, tr.elevator_rad, tr.aileron_rad, tr.rudder_rad)
    tecs = new_tecs_state()
    tecs_reset(tecs, ap.tecs, alt, airspeed, tr.theta_rad, tr.throttle)
    return tr, x, tr.controls(), att, tecs, ap


def run(setup, duration_s, roll_cmd=0.0, pitch_cmd=None, hgt_dem=None, eas_dem=None,
        mode=MODE_ATTITUDE, wind=(0.0, 0.0, 0.0), log_every=5):  # fmt: skip
    """Fly from ``setup`` (see :func:`start`); commands are scalars or f(t) -> value."""
    tr, x, act, att, tecs, ap = setup
    t = np.arange(round(duration_s / DT)) * DT

    def arr(v, default):
        v = default if v is None else v
        return np.array([v(ti) for ti in t]) if callable(v) else np.full(t.size, float(v))

    log = np.zeros((t.size // log_every + 1, N_COL))
    n = fly(x, act, att, tecs, ap.attitude, ap.tecs, AF.actuators, AF.aero, AF.mass, AF.prop,
            AF.ground, mode, arr(roll_cmd, 0.0), arr(pitch_cmd, tr.theta_rad), tr.throttle,
            arr(hgt_dem, 0.0), arr(eas_dem, 0.0), np.array(wind, dtype=float), DT, log,
            log_every)  # fmt: skip
    return log[:n]


def deg(x):
    return np.degrees(x)


def settling_time(t, y, target, band, t0):
    """Time after t0 of the last sample outside target +/- band."""
    outside = (t >= t0) & (np.abs(y - target) > band)
    return float(t[outside][-1] - t0) if outside.any() else 0.0


# --- the loops alone ---------------------------------------------------------------------


def test_speed_scalers():
    ap = build_params(airframe=AF).attitude
    assert speed_scalers(ap, 25.0, 1.0) == pytest.approx((1.0, 1.0))
    s_eas, s_tas = speed_scalers(ap, 30.0, 1.2)  # EAS 25 at altitude, TAS 30
    assert s_eas == pytest.approx(1.0) and s_tas == pytest.approx(25.0 / 30.0)
    assert speed_scalers(ap, 5.0, 1.0) == pytest.approx((2.0, 2.0))  # limited
    assert speed_scalers(ap, 100.0, 1.0) == pytest.approx((0.5, 0.5))


def test_bumpless_engagement():
    """Reset to the trim surfaces with commands equal to the attitude: outputs = trim."""
    ap = build_params(airframe=AF).attitude
    st = new_attitude_state()
    attitude_reset(st, ap, -0.2, 0.01, 0.003)
    de, da, dr = attitude_update(st, ap, AF.actuators, 0.01, 0.1, 0.05, 0.1, 0.05, 0.0, 0.0,
                                 0.0, 0.0, 25.0, 1.0)  # fmt: skip
    # the level-turn terms of a 0.1 rad bank are the only demands left
    assert de == pytest.approx(-0.2, abs=0.01) and da == pytest.approx(0.01, abs=0.01)
    assert dr == pytest.approx(0.003, abs=0.01)
    st2 = new_attitude_state()
    attitude_reset(st2, ap, -0.2, 0.01, 0.003)
    de, da, dr = attitude_update(st2, ap, AF.actuators, 0.01, 0.0, 0.05, 0.0, 0.05, 0.0, 0.0,
                                 0.0, 0.0, 25.0, 1.0)  # fmt: skip
    assert (de, da, dr) == pytest.approx((-0.2, 0.01, 0.003), abs=1e-12)


def test_signs_of_the_surfaces():
    """Roll right -> +aileron; pitch up -> -elevator (TE up); yaw rate right -> +rudder."""
    ap = build_params(airframe=AF).attitude
    act = AF.actuators
    st = new_attitude_state()
    assert roll_update(st, ap, act, 0.01, 0.3, 0.0, 0.0, 0.0, 25.0, 1.0) > 0.0
    assert pitch_update(st, ap, act, 0.01, 0.1, 0.0, 0.0, 0.0, 25.0, 1.0) < 0.0
    _, _, dr = attitude_update(new_attitude_state(), ap, act, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0,
                               0.0, 0.2, 0.0, 25.0, 1.0)  # fmt: skip
    assert dr > 0.0  # Cn_dr < 0: positive rudder yaws left, against the excess rate


def test_integrator_limit_and_anti_windup():
    ap = build_params({"RLL_RATE_IMAX": 5.0}, airframe=AF).attitude
    st = new_attitude_state()
    for _ in range(5000):  # 50 s of a roll error the aircraft "cannot" remove
        da = roll_update(st, ap, AF.actuators, 0.01, 0.5, 0.0, 0.0, 0.0, 25.0, 1.0)
    assert st[ROLL_I] == pytest.approx(math.radians(5.0))  # held at IMAX
    rate = 0.5 / ap.roll_tconst_s
    assert da == pytest.approx((ap.roll_rate_ff + ap.roll_rate_p) * rate + math.radians(5.0))
    # saturated by the proportional part alone: the integrator does not wind further
    st = new_attitude_state()
    for _ in range(500):
        de = pitch_update(st, ap, AF.actuators, 0.01, -0.4, 0.0, 0.4, 0.0, 25.0, 1.0)
    assert de == pytest.approx(AF.actuators.de_max_rad)
    i_sat = st[PITCH_I]
    for _ in range(500):
        pitch_update(st, ap, AF.actuators, 0.01, -0.4, 0.0, 0.4, 0.0, 25.0, 1.0)
    assert st[PITCH_I] == i_sat
    # below 0.8 AIRSPEED_MIN the integrators hold
    st = new_attitude_state()
    roll_update(st, ap, AF.actuators, 0.01, 0.5, 0.0, 0.0, 0.0, 15.0, 1.0)
    assert st[ROLL_I] == 0.0


# --- closed loop on the nonlinear Aerosonde ---------------------------------------------


def test_roll_step_settles_in_2s_without_overshoot():
    """Bank 0 -> 30 deg at t = 1 s (25 m/s, 1,000 m): within 5 % by 2 s, < 10 % overshoot
    (measured: 5 % in 0.96 s, 2 % in 1.15 s, 0.25 deg overshoot); pitch held within 0.5
    deg; sideslip below 1 deg (measured 0.76 deg); then a reversal to -30 deg."""
    su = start()
    th0 = su[0].theta_rad
    log = run(su, 30.0, roll_cmd=lambda t: math.radians(30.0 if t < 16.0 else -30.0)
              if t >= 1.0 else 0.0, log_every=1)  # fmt: skip
    t, phi = log[:, T], deg(log[:, PHI])
    first = (t >= 1.0) & (t < 16.0)
    print(f"roll: 5 % in {settling_time(t[first], phi[first], 30.0, 1.5, 1.0):.2f} s, "
          f"2 % in {settling_time(t[first], phi[first], 30.0, 0.6, 1.0):.2f} s, "
          f"overshoot {phi[first].max() - 30.0:.2f} deg, max |beta| "
          f"{np.abs(deg(log[:, BETA])).max():.2f} deg")  # fmt: skip
    assert settling_time(t[first], phi[first], 30.0, 1.5, 1.0) < 2.0
    assert phi[first].max() < 33.0
    second = t >= 16.0
    assert settling_time(t[second], phi[second], -30.0, 3.0, 16.0) < 2.5
    assert phi[second].min() > -36.0
    assert np.abs(deg(log[:, THETA] - th0)).max() < 0.5  # turn pitch feed-forward works
    assert np.abs(deg(log[:, BETA])).max() < 1.0


@pytest.mark.parametrize(("airspeed", "alt"), [(20.0, 1000.0), (35.0, 100.0), (25.0, 4000.0)])
def test_roll_step_across_the_envelope(airspeed, alt):
    """The airspeed scaling keeps the roll response the same from 20 to 35 m/s and at
    4,000 m (measured: 5 % settling 0.96-1.04 s, overshoot < 0.4 deg)."""
    su = start(airspeed=airspeed, alt=alt)
    log = run(su, 6.0, roll_cmd=lambda t: math.radians(30.0) if t >= 1.0 else 0.0,
              log_every=1)  # fmt: skip
    t, phi = log[:, T], deg(log[:, PHI])
    assert settling_time(t, phi, 30.0, 1.5, 1.0) < 1.5
    assert phi.max() < 31.5
    assert np.abs(deg(log[:, BETA])).max() < 2.5


@pytest.mark.parametrize("step_deg", [5.0, -5.0])
def test_pitch_step_tracking(step_deg):
    """Pitch +/-5 deg from trim at fixed throttle (the airspeed drifts by 3 m/s and the trim
    elevator by 5 deg meanwhile): within 5 % by 1 s after the step, error < 0.3 deg over
    the rest (the integrator follows the trim), overshoot < 10 %."""
    su = start()
    th0 = su[0].theta_rad
    step = math.radians(step_deg)
    log = run(su, 8.0, pitch_cmd=lambda t: th0 + (step if t >= 1.0 else 0.0), log_every=1)
    t, dth = log[:, T], deg(log[:, THETA] - th0)
    ts = settling_time(t, dth, step_deg, 0.05 * abs(step_deg), 1.0)
    after = t >= 3.0
    err = np.abs(dth[after] - step_deg).max()
    print(f"pitch {step_deg:+.0f} deg: 5 % in {ts:.2f} s, later error < {err:.3f} deg, "
          f"airspeed {log[-1, TAS]:.1f} m/s")  # fmt: skip
    assert ts < 2.0
    assert err < 0.3
    assert np.abs(dth).max() < 1.1 * abs(step_deg)


def test_sustained_turn_is_coordinated():
    """A 60 s, 30 deg banked turn: sideslip stays below 1 deg with the yaw damper alone
    (measured 0.72 deg); with the sideslip integrator the ball is centred (a_y -> 0)."""
    su = start()
    log = run(su, 60.0, roll_cmd=math.radians(30.0))
    late = log[:, T] > 20.0
    assert np.abs(deg(log[late, BETA])).max() < 1.0
    assert np.abs(deg(log[late, PHI]) - 30.0).max() < 0.2
    su = start(overrides={"YAW2SRV_INT": 0.2})
    log = run(su, 60.0, roll_cmd=math.radians(30.0))
    late = log[:, T] > 20.0
    assert np.abs(log[late, AY]).max() < 0.01
    assert np.abs(deg(log[late, BETA])).max() < 0.5


# --- the parameter table -----------------------------------------------------------------


def test_parameter_table_is_well_formed():
    from longwing.control.params import MAX_NAME_LEN, PARAMS, default_values, validate_values

    names = [p.name for p in PARAMS]
    assert len(names) == len(set(names))
    for p in PARAMS:
        assert len(p.name) <= MAX_NAME_LEN, p.name
        assert p.lo <= p.default <= p.hi, p.name
        assert p.doc and p.targets, p.name
    assert validate_values(default_values()) == default_values()
    for must in ("NAVL1_PERIOD", "NAVL1_DAMPING", "TECS_TIME_CONST", "TECS_CLMB_MAX",
                 "TECS_SINK_MIN", "TECS_SINK_MAX", "TECS_SPDWEIGHT", "TECS_PTCH_DAMP",
                 "TECS_INTEG_GAIN", "TECS_THR_DAMP", "TECS_RLL2THR", "TECS_SPD_OMEGA",
                 "TECS_PITCH_MAX", "TECS_PITCH_MIN", "THR_MIN", "THR_MAX", "TRIM_THROTTLE",
                 "AIRSPEED_CRUISE", "AIRSPEED_MIN", "AIRSPEED_MAX", "ROLL_LIMIT_DEG",
                 "PTCH_LIM_MAX_DEG", "PTCH_LIM_MIN_DEG", "RLL2SRV_TCONST", "RLL_RATE_P",
                 "PTCH2SRV_TCONST", "PTCH_RATE_P", "YAW2SRV_DAMP", "KFF_RDDRMIX", "WP_RADIUS",
                 "WP_LOITER_RAD"):  # fmt: skip
        assert must in names


def test_build_params_converts_units_and_roundtrips():
    from longwing.control.params import param_values

    ap = build_params({"TECS_PITCH_MAX": 12.0, "THR_MAX": 80.0, "NAVL1_PERIOD": 20.0})
    assert ap.tecs.pitch_max_rad == pytest.approx(math.radians(12.0))
    assert ap.tecs.thr_max == pytest.approx(0.8)
    assert ap.l1.period_s == 20.0
    assert ap.tecs.airspeed_min_mps == ap.attitude.airspeed_min_mps == 20.0
    vals = param_values(ap)
    assert vals["TECS_PITCH_MAX"] == pytest.approx(12.0)
    assert vals["THR_MAX"] == pytest.approx(80.0)
    assert build_params(vals) == ap


def test_defaults_for_airframe_envelope():
    from dataclasses import replace

    from longwing.control.params import defaults_for

    env = replace(AF.envelope, airspeed_min_mps=15.0, airspeed_cruise_mps=22.0,
                  airspeed_max_mps=30.0, bank_max_rad=math.radians(40.0),
                  bank_nav_rad=math.radians(25.0), pitch_max_rad=math.radians(12.0),
                  pitch_min_rad=math.radians(-20.0))  # fmt: skip
    af = replace(AF, envelope=env)
    vals = defaults_for(af)
    assert (vals["AIRSPEED_MIN"], vals["AIRSPEED_CRUISE"], vals["AIRSPEED_MAX"]) == (15, 22, 30)
    assert vals["SCALING_SPEED"] == 22.0
    assert vals["ROLL_LIMIT_DEG"] == pytest.approx(40.0)
    assert vals["LW_NAV_ROLL_DEG"] == pytest.approx(25.0)
    assert vals["PTCH_LIM_MAX_DEG"] == pytest.approx(12.0)
    assert vals["TECS_PITCH_MAX"] == pytest.approx(12.0)  # kept inside the airframe limit
    assert vals["TECS_PITCH_MIN"] == pytest.approx(-15.0)
    ap = build_params(airframe=af)
    assert ap.l1.bank_limit_rad == pytest.approx(math.radians(25.0))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TECS_CLMB_MAXX": 3.0}, "unknown autopilot parameter 'TECS_CLMB_MAXX' (did you mean "
                                  "TECS_CLMB_MAX?)"),
        ({"TECS_CLMB_MAX": 50.0}, "TECS_CLMB_MAX = 50 is outside [0.1, 20] m/s"),
        ({"NAVL1_DAMPING": float("nan")}, "NAVL1_DAMPING = nan is outside [0.6, 1]"),
        ({"THR_MAX": "full"}, "THR_MAX must be a number in [0, 100] %, got 'full'"),
        ({"AIRSPEED_MIN": 30.0}, "AIRSPEED_MIN (30) must be < AIRSPEED_CRUISE (25)"),
        ({"LW_NAV_ROLL_DEG": 50.0}, "LW_NAV_ROLL_DEG (50) must be <= ROLL_LIMIT_DEG (45)"),
    ],
)  # fmt: skip
def test_invalid_parameters_are_named(overrides, message):
    with pytest.raises(ValueError) as exc:
        build_params(overrides)
    assert str(exc.value) == message
