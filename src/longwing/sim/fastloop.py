"""The compiled fast loop of open-loop flight: physics + wind + hold loops, N steps at a time.

:func:`run_chunk` advances the vehicle ``n_steps`` fixed steps, writes every
``log_every``-th sample into a preallocated log array and returns early on an event. It owns
no algorithm: it calls the kernels of ``physics``, ``control`` and the wind models in order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams, AeroParams, MassParams, PropulsionParams
from longwing.control.holds import HoldGains, hold_step
from longwing.geo.rotation import quat_rotate
from longwing.geo.wgs84 import ecef_to_geodetic, ecef_to_geodetic_fast, ecef_to_ned_sc
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import air_data
from longwing.physics.ground import GroundParams
from longwing.physics.rigidbody import (
    AERO_ON,
    ENV_GROUND_ALT,
    air_relative_body_sc,
    body_rates_rel_earth,
    derivatives,
    rk4_step,
)
from longwing.physics.state import FUEL, PX, QW, VX
from longwing.physics.turbulence import dryden_step, mil8785c_intensity
from longwing.physics.wind import steady_wind_ned
from longwing.sim.events import EV_FUEL_EXHAUSTED, EV_GROUND_CONTACT, EV_NONE, EV_NONFINITE

# Log columns (kernel units: SI, radians). The run writer converts to file units.
LOG_COLUMNS = (
    "t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad", "pitch_rad", "yaw_rad",
    "vn_mps", "ve_mps", "vd_mps", "tas_mps", "alpha_rad", "beta_rad",
    "p_radps", "q_radps", "r_radps", "elevator_rad", "aileron_rad", "rudder_rad", "throttle",
    "power_w", "fuel_kg", "fuel_flow_kgps", "wind_n_mps", "wind_e_mps", "wind_d_mps",
    "groundspeed_mps", "mass_kg", "distance_m",
)  # fmt: skip
N_LOG = len(LOG_COLUMNS)

# Reference vector for the hold loops.
REF_HEADING, REF_ALT, REF_AIRSPEED, REF_THETA = 0, 1, 2, 3
N_REF = 4


@njit(cache=True)
def attitude_ned(
    x: np.ndarray, sl: float, cl: float, so: float, co: float
) -> tuple[float, float, float]:
    """Roll, pitch, yaw (rad) of the body relative to local NED (sin/cos of lat, lon given)."""
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    bx = quat_rotate(q0, q1, q2, q3, 1.0, 0.0, 0.0)
    by = quat_rotate(q0, q1, q2, q3, 0.0, 1.0, 0.0)
    bz = quat_rotate(q0, q1, q2, q3, 0.0, 0.0, 1.0)
    xn, xe, xd = ecef_to_ned_sc(sl, cl, so, co, bx[0], bx[1], bx[2])
    _, _, yd = ecef_to_ned_sc(sl, cl, so, co, by[0], by[1], by[2])
    _, _, zd = ecef_to_ned_sc(sl, cl, so, co, bz[0], bz[1], bz[2])
    phi = math.atan2(yd, zd)
    theta = -math.asin(min(1.0, max(-1.0, xd)))
    psi = math.atan2(xe, xn)
    return phi, theta, psi


@njit(cache=True)
def write_log_row(
    row: np.ndarray,
    t: float,
    x: np.ndarray,
    act: np.ndarray,
    env: np.ndarray,
    engine_on: bool,
    aero: AeroParams,
    mp: MassParams,
    prop: PropulsionParams,
    gp: GroundParams,
    scratch: np.ndarray,
    distance_m: float,
) -> None:
    lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    phi, theta, psi = attitude_ned(x, sl, cl, so, co)
    vn, ve, vd = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
    ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
    tas, alpha, beta = air_data(ua, va_, wa)
    pe, qe, re = body_rates_rel_earth(x)
    power, fuel_flow = derivatives(x, act, env, engine_on, AERO_ON, aero, mp, prop, gp, scratch)
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    gx, gy, gz = quat_rotate(q0, q1, q2, q3, env[3], env[4], env[5])
    gn, ge, gd = ecef_to_ned_sc(sl, cl, so, co, gx, gy, gz)
    vals = (
        t, lat, lon, h, phi, theta, psi, vn, ve, vd, tas, alpha, beta, pe, qe, re,
        act[0], act[1], act[2], act[3], power, x[FUEL], fuel_flow,
        env[0] + gn, env[1] + ge, env[2] + gd, math.hypot(vn, ve),
        mp.dry_mass_kg + x[FUEL], distance_m,
    )  # fmt: skip
    for i in range(len(vals)):
        row[i] = vals[i]


@njit(cache=True)
def run_chunk(
    x: np.ndarray,
    act: np.ndarray,
    cmd: np.ndarray,
    env: np.ndarray,
    hold_state: np.ndarray,
    turb_state: np.ndarray,
    work: np.ndarray,
    noise: np.ndarray,
    wind_alt: np.ndarray,
    wind_n: np.ndarray,
    wind_e: np.ndarray,
    severity: int,
    ground_alt_m: float,
    ref: np.ndarray,
    trim_ctrl: np.ndarray,
    hold_on: bool,
    engine_on: bool,
    aero: AeroParams,
    mp: MassParams,
    prop: PropulsionParams,
    gp: GroundParams,
    actp: ActuatorParams,
    gains: HoldGains,
    dt: float,
    step0: int,
    n_steps: int,
    log_every: int,
    log: np.ndarray,
    distance_m: float,
) -> tuple[int, int, int, float]:
    """Advance up to ``n_steps`` from the flight's step ``step0`` (time ``step * dt``, the same
    however the flight is chunked); return (steps done, event code, rows logged, distance m)."""
    n_logged = 0
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    for k in range(n_steps):
        t = (step0 + k) * dt
        wn, we, wd = steady_wind_ned(h, wind_alt, wind_n, wind_e)
        env[0] = wn
        env[1] = we
        env[2] = wd
        env[ENV_GROUND_ALT] = ground_alt_m
        if severity > 0:
            su, sv, sw, lu, lv, lw = mil8785c_intensity(max(h - ground_alt_m, 0.0), severity)
            ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
            tas, _, _ = air_data(ua, va_, wa)
            ug, vg, wg = dryden_step(turb_state, noise[k], tas, su, sv, sw, lu, lv, lw, dt)
            env[3] = ug
            env[4] = vg
            env[5] = wg
        if (step0 + k) % log_every == 0 and n_logged < log.shape[0]:
            write_log_row(log[n_logged], t, x, act, env, engine_on, aero, mp, prop, gp,
                          work[4], distance_m)  # fmt: skip
            n_logged += 1
        if hold_on:
            phi, theta, psi = attitude_ned(x, sl, cl, so, co)
            pe, qe, re = body_rates_rel_earth(x)
            ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
            tas, _, _ = air_data(ua, va_, wa)
            hold_step(
                hold_state, trim_ctrl, ref[REF_THETA], ref[REF_HEADING], ref[REF_ALT],
                ref[REF_AIRSPEED], phi, theta, psi, pe, qe, re, h, tas, gains, dt, cmd,
            )  # fmt: skip
        actuator_step(act, cmd, actp, dt)
        had_fuel = x[FUEL] > 0.0
        rk4_step(x, act, env, engine_on, AERO_ON, aero, mp, prop, gp, dt, work)
        vn, ve, _ = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
        distance_m += math.hypot(vn, ve) * dt
        ok = True
        for i in range(x.shape[0]):
            if not math.isfinite(x[i]):
                ok = False
        if not ok:
            return k + 1, EV_NONFINITE, n_logged, distance_m
        h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
        if h <= ground_alt_m:
            return k + 1, EV_GROUND_CONTACT, n_logged, distance_m
        if had_fuel and x[FUEL] <= 0.0:
            return k + 1, EV_FUEL_EXHAUSTED, n_logged, distance_m
    return n_steps, EV_NONE, n_logged, distance_m
