"""Navigation EKF against truth: the nonlinear Aerosonde flown on the rotating WGS84 Earth.

A compiled driver flies the 6-DOF truth model (``physics.rigidbody.rk4_step`` from
``trim_on_ellipsoid``, held on heading/altitude schedules by the basic hold loops) and
synthesises every sensor itself from the truth state -- independent of ``longwing.sensors``:

* IMU at 100 Hz: inertial body rate and specific force ((aero + thrust) / m, body axes),
  averaged over the step (what an integrating IMU reports), + constant bias + white noise;
* GNSS at 5 Hz: truth 0.11 s earlier (latency) + white noise + a slow Gauss-Markov error;
* baro at 20 Hz: height + offset + drift + noise; pitot TAS at 20 Hz (+ synthetic sideslip);
* magnetometer at 20 Hz: ``geo.magfield`` field rotated into body axes + hard-iron bias + noise.

(The 1,000 km leg runs at 50 Hz with 0.1 s latency to keep the test fast.)

Noise levels are those of ``sensors.params.SensorParams`` (typed in here, not imported).
The estimator is started from a perturbed state and judged against the truth.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from numba import njit

from longwing.airframe.loader import load_airframe
from longwing.control.holds import HoldGains, hold_step, new_hold_state
from longwing.estimation import (
    Ekf,
    EkfParams,
    attitude_from_sensors,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_fuse_sideslip,
    ekf_init,
    ekf_predict,
    new_ekf,
)
from longwing.estimation.ekf import ekf_dead_reckoning, euler_to_quat
from longwing.estimation.state import (
    BAX,
    BGX,
    CH_BETA,
    CH_GNSS_POS_H,
    CH_GNSS_VEL,
    CH_TAS,
    E_P,
    E_TH,
    E_V,
    E_W,
    F_N_REJECTED,
    F_TEST_RATIO,
    N_ERR,
    N_GNSS_RESETS,
    QW,
    WE,
    WN,
    channel,
)
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import gravity_ned
from longwing.geo.magfield import mag_field_ned
from longwing.geo.rotation import quat_rotate, quat_rotate_inv
from longwing.geo.wgs84 import (
    ecef_to_geodetic_fast,
    ecef_to_ned_sc,
    ned_to_ecef_sc,
    radii_of_curvature,
)
from longwing.mathx import wrap_pi
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import aero_forces_moments, air_data
from longwing.physics.propulsion import engine
from longwing.physics.rigidbody import (
    ENV_GROUND_ALT,
    N_ENV,
    air_relative_body_sc,
    body_rates_rel_earth,
    make_work,
    rk4_step,
)
from longwing.physics.state import FUEL, PX, VX, WP
from longwing.physics.state import QW as TQW
from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
from longwing.physics.turbulence import dryden_step, mil8785c_intensity, new_turb_state

AF = load_airframe("aerosonde")
DEG = math.pi / 180.0


class Truth(NamedTuple):
    """Truth sensor model and scenario switches for the driver (SI units)."""

    dt_s: float = 0.01
    gyro_noise_radps_rthz: float = 1.5e-4
    accel_noise_mps2_rthz: float = 120e-6 * 9.80665
    gbx: float = 2.0e-3  # gyro bias, rad/s
    gby: float = -1.5e-3
    gbz: float = 1.0e-3
    abx: float = 0.08  # accel bias, m/s^2
    aby: float = -0.06
    abz: float = 0.10
    gnss_every: float = 20.0  # steps
    gnss_delay_steps: float = 11.0
    gnss_h_m: float = 1.7  # white, per axis
    gnss_v_m: float = 3.0
    gnss_vel_mps: float = 0.1
    gnss_gm_m: float = 0.7  # time-correlated part, per axis
    gnss_gm_tau_s: float = 60.0
    baro_every: float = 5.0
    baro_noise_m: float = 0.2
    baro_offset_m: float = 23.0  # pressure altitude - ellipsoidal height at t = 0
    baro_drift_mps: float = 1.0e-3
    tas_every: float = 5.0
    tas_noise_mps: float = 0.3
    mag_every: float = 5.0
    mag_noise_gauss: float = 0.005
    mbx: float = 0.02  # hard-iron bias, gauss
    mby: float = -0.015
    mbz: float = 0.01
    outage_start_s: float = -1.0  # GNSS withheld in [start, end)
    outage_end_s: float = -1.0
    outlier_t_s: float = -1.0  # one GNSS fix this far off (north, m) at this time
    outlier_m: float = 0.0
    severity: float = 0.0  # Dryden turbulence 0-3
    log_every: float = 10.0  # steps


# log columns
(L_T, L_EN, L_EE, L_ED, L_EVN, L_EVE, L_EVD, L_EROLL, L_EPITCH, L_EYAW, L_EWN, L_EWE,
 L_SN, L_SE, L_SD, L_SVN, L_SVE, L_SVD, L_STILT_N, L_STILT_E, L_SYAW, L_SWN, L_SWE,
 L_BGX, L_BGY, L_BGZ, L_BAX, L_BAY, L_BAZ, L_RPH, L_RV, L_REJ, L_ROLL, L_DIST,
 L_GUSTN, L_GUSTE, L_DR, N_LOG) = range(38)  # fmt: skip
HL = 64  # truth history (steps) for GNSS latency

# pre-drawn standard normals per step
I_RATIO_PH = channel(CH_GNSS_POS_H, F_TEST_RATIO)  # xk index of the last GNSS position ratio
I_REJ_PH = channel(CH_GNSS_POS_H, F_N_REJECTED)
I_RATIO_V = channel(CH_GNSS_VEL, F_TEST_RATIO)

NZ_IMU, NZ_GNSS, NZ_GM, NZ_BARO, NZ_TAS, NZ_MAG, NZ_TURB = 0, 6, 12, 15, 16, 17, 20
N_NOISE = 23


@njit(cache=True)
def specific_force_body(
    x: np.ndarray, act: np.ndarray, env: np.ndarray, aero, mp, prop
) -> tuple[float, float, float]:
    """Truth specific force (aero + thrust) / m in body axes, m/s^2 (airborne)."""
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    _, _, rho = isa(h)
    ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
    va, _, _ = air_data(ua, va_, wa)
    pe, qe, re = body_rates_rel_earth(x)
    fx, fy, fz, _, _, _ = aero_forces_moments(
        ua, va_, wa, pe, qe, re, act[0], act[1], act[2], rho, aero
    )
    fuel = max(x[FUEL], 0.0)
    thrust, _, _ = engine(act[3], va, rho, True, fuel, prop)
    m = mp.dry_mass_kg + fuel
    return (fx + thrust) / m, fy / m, fz / m


@njit(cache=True)
def truth_euler(x: np.ndarray, sl: float, cl: float, so: float, co: float):
    """Roll, pitch, yaw (rad) of the truth body relative to local NED."""
    q0, q1, q2, q3 = x[TQW], x[TQW + 1], x[TQW + 2], x[TQW + 3]
    bx = quat_rotate(q0, q1, q2, q3, 1.0, 0.0, 0.0)
    by = quat_rotate(q0, q1, q2, q3, 0.0, 1.0, 0.0)
    bz = quat_rotate(q0, q1, q2, q3, 0.0, 0.0, 1.0)
    xn, xe, xd = ecef_to_ned_sc(sl, cl, so, co, bx[0], bx[1], bx[2])
    _, _, yd = ecef_to_ned_sc(sl, cl, so, co, by[0], by[1], by[2])
    _, _, zd = ecef_to_ned_sc(sl, cl, so, co, bz[0], bz[1], bz[2])
    return math.atan2(yd, zd), -math.asin(min(1.0, max(-1.0, xd))), math.atan2(xe, xn)


@njit(cache=True)
def fly_chunk(
    x, act, cmd, env, hold_state, turb_state, work, trim_ctrl, trim_theta, airspeed_cmd,
    sched, hist, sim, noise, xk, P, ekp, tc, aero, mp, prop, gp, actp, gains,
    step0, n_steps, log, n_logged, aiding,
):  # fmt: skip
    """Fly ``n_steps`` of truth + sensors + EKF; append log rows; return rows logged.

    ``sched``: rows (t_start_s, heading_rad, alt_m). ``hist``: (HL, 6) truth ring buffer
    (lat, lon, h, vn, ve, vd). ``sim``: [gnss GM error n, e, d (m), distance flown (m)].
    ``aiding``: False runs the strapdown alone (no fusion) with perfect IMU data.
    """
    dt = tc.dt_s
    sq = math.sqrt(dt)
    a_gm = math.exp(-dt / tc.gnss_gm_tau_s)
    b_gm = tc.gnss_gm_m * math.sqrt(1.0 - a_gm * a_gm)
    gb = (tc.gbx, tc.gby, tc.gbz)
    ab = (tc.abx, tc.aby, tc.abz)
    mb = (tc.mbx, tc.mby, tc.mbz)
    sig_g = tc.gyro_noise_radps_rthz / sq if aiding else 0.0
    sig_a = tc.accel_noise_mps2_rthz / sq if aiding else 0.0
    gyro = np.empty(3)
    accel = np.empty(3)
    mag = np.empty(3)
    field = np.empty(3)
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    for k in range(n_steps):
        step = step0 + k
        t = step * dt
        nz = noise[k]
        seg = 0
        while seg + 1 < sched.shape[0] and sched[seg + 1, 0] <= t:
            seg += 1
        if tc.severity > 0.0:
            su, sv, sw, lu, lv, lw = mil8785c_intensity(h, int(tc.severity))
            ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
            tas_t, _, _ = air_data(ua, va_, wa)
            ug, vg, wg = dryden_step(
                turb_state, nz[NZ_TURB : NZ_TURB + 3], tas_t, su, sv, sw, lu, lv, lw, dt
            )
            env[3] = ug
            env[4] = vg
            env[5] = wg
        phi, theta, psi = truth_euler(x, sl, cl, so, co)
        pe, qe, re = body_rates_rel_earth(x)
        ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
        tas_t, _, _ = air_data(ua, va_, wa)
        hold_step(hold_state, trim_ctrl, trim_theta, sched[seg, 1], sched[seg, 2],
                  airspeed_cmd, phi, theta, psi, pe, qe, re, h, tas_t, gains, dt, cmd)  # fmt: skip
        actuator_step(act, cmd, actp, dt)
        f0 = specific_force_body(x, act, env, aero, mp, prop)
        w0 = (x[WP], x[WP + 1], x[WP + 2])
        rk4_step(x, act, env, True, True, aero, mp, prop, gp, dt, work)
        f1 = specific_force_body(x, act, env, aero, mp, prop)
        for i in range(3):
            b_g = gb[i] if aiding else 0.0
            b_a = ab[i] if aiding else 0.0
            gyro[i] = 0.5 * (w0[i] + x[WP + i]) + b_g + sig_g * nz[NZ_IMU + i]
            accel[i] = 0.5 * (f0[i] + f1[i]) + b_a + sig_a * nz[NZ_IMU + 3 + i]
        ekf_predict(xk, P, gyro, accel, dt, ekp)

        # truth after the step
        h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
        lat = math.atan2(sl, cl)
        lon = math.atan2(so, co)
        vn, ve, vd = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
        sim[3] += math.hypot(vn, ve) * dt
        s1 = step + 1
        t1 = s1 * dt
        hr = hist[s1 % HL]
        hr[0] = lat
        hr[1] = lon
        hr[2] = h
        hr[3] = vn
        hr[4] = ve
        hr[5] = vd
        for i in range(3):
            sim[i] = a_gm * sim[i] + b_gm * nz[NZ_GM + i]
        if aiding:
            in_outage = tc.outage_start_s <= t1 < tc.outage_end_s
            if s1 % int(tc.gnss_every) == 0 and s1 >= tc.gnss_delay_steps and not in_outage:
                d = hist[(s1 - int(tc.gnss_delay_steps)) % HL]
                r_m = 6.371e6 + d[2]
                en = sim[0] + tc.gnss_h_m * nz[NZ_GNSS]
                ee = sim[1] + tc.gnss_h_m * nz[NZ_GNSS + 1]
                ed = sim[2] + tc.gnss_v_m * nz[NZ_GNSS + 2]
                if abs(t1 - tc.outlier_t_s) < 0.5 * dt:
                    en += tc.outlier_m
                ekf_fuse_gnss(
                    xk, P, d[0] + en / r_m, d[1] + ee / (r_m * math.cos(d[0])), d[2] - ed,
                    d[3] + tc.gnss_vel_mps * nz[NZ_GNSS + 3],
                    d[4] + tc.gnss_vel_mps * nz[NZ_GNSS + 4],
                    d[5] + tc.gnss_vel_mps * nz[NZ_GNSS + 5], ekp,
                )  # fmt: skip
            if s1 % int(tc.baro_every) == 0:
                baro = h + tc.baro_offset_m + tc.baro_drift_mps * t1 + tc.baro_noise_m * nz[NZ_BARO]
                ekf_fuse_baro(xk, P, baro, ekp)
            if s1 % int(tc.tas_every) == 0:
                ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
                tas_t, _, _ = air_data(ua, va_, wa)
                ekf_fuse_airspeed(xk, P, tas_t + tc.tas_noise_mps * nz[NZ_TAS], ekp)
                ekf_fuse_sideslip(xk, P, ekp)
            if s1 % int(tc.mag_every) == 0:
                bn, be, bd = mag_field_ned(lat, lon, h)
                bx, by, bz = ned_to_ecef_sc(sl, cl, so, co, bn, be, bd)
                m = quat_rotate_inv(x[TQW], x[TQW + 1], x[TQW + 2], x[TQW + 3], bx, by, bz)
                for i in range(3):
                    mag[i] = m[i] + mb[i] + tc.mag_noise_gauss * nz[NZ_MAG + i]
                fn, fe, fd = mag_field_ned(xk[0], xk[1], xk[2])
                field[0] = fn
                field[1] = fe
                field[2] = fd
                ekf_fuse_mag(xk, P, mag, field, ekp)

        if s1 % int(tc.log_every) == 0 and n_logged < log.shape[0]:
            row = log[n_logged]
            n_logged += 1
            m_rad, n_rad = radii_of_curvature(lat)
            roll, pitch, yaw = truth_euler(x, sl, cl, so, co)
            q0, q1, q2, q3 = xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3]
            e_roll = math.atan2(2.0 * (q0 * q1 + q2 * q3), 1.0 - 2.0 * (q1 * q1 + q2 * q2))
            e_pitch = math.asin(min(1.0, max(-1.0, 2.0 * (q0 * q2 - q3 * q1))))
            e_yaw = math.atan2(2.0 * (q0 * q3 + q1 * q2), 1.0 - 2.0 * (q2 * q2 + q3 * q3))
            row[L_T] = t1
            row[L_EN] = (xk[0] - lat) * (m_rad + h)
            row[L_EE] = wrap_pi(xk[1] - lon) * (n_rad + h) * cl
            row[L_ED] = -(xk[2] - h)
            row[L_EVN] = xk[3] - vn
            row[L_EVE] = xk[4] - ve
            row[L_EVD] = xk[5] - vd
            row[L_EROLL] = wrap_pi(e_roll - roll)
            row[L_EPITCH] = e_pitch - pitch
            row[L_EYAW] = wrap_pi(e_yaw - yaw)
            row[L_EWN] = xk[WN] - env[0]
            row[L_EWE] = xk[WE] - env[1]
            for i in range(3):
                row[L_SN + i] = math.sqrt(P[E_P + i, E_P + i])
                row[L_SVN + i] = math.sqrt(P[E_V + i, E_V + i])
                row[L_BGX + i] = xk[BGX + i]
                row[L_BAX + i] = xk[BAX + i]
            row[L_STILT_N] = math.sqrt(P[E_TH, E_TH])
            row[L_STILT_E] = math.sqrt(P[E_TH + 1, E_TH + 1])
            row[L_SYAW] = math.sqrt(P[E_TH + 2, E_TH + 2])
            row[L_SWN] = math.sqrt(P[E_W, E_W])
            row[L_SWE] = math.sqrt(P[E_W + 1, E_W + 1])
            row[L_RPH] = xk[I_RATIO_PH]
            row[L_RV] = xk[I_RATIO_V]
            row[L_REJ] = xk[I_REJ_PH]
            row[L_ROLL] = roll
            row[L_DIST] = sim[3]
            gx, gy, gz = quat_rotate(x[TQW], x[TQW + 1], x[TQW + 2], x[TQW + 3],
                                     env[3], env[4], env[5])  # fmt: skip
            row[L_GUSTN], row[L_GUSTE], _ = ecef_to_ned_sc(sl, cl, so, co, gx, gy, gz)
            row[L_DR] = 1.0 if ekf_dead_reckoning(xk) else 0.0
    return n_logged


class Flight(NamedTuple):
    log: np.ndarray
    xk: np.ndarray
    P: np.ndarray
    truth: Truth
    wind_ned: tuple[float, float, float]
    start: tuple[float, float]
    end: tuple[float, float]


def col(f: Flight, c: int) -> np.ndarray:
    return f.log[:, c]


def fly(
    duration_s: float,
    sched: list[tuple[float, float, float]],
    *,
    lat_deg: float = 45.0,
    lon_deg: float = 10.0,
    wind_ned: tuple[float, float, float] = (6.0, 8.0, 0.0),
    truth: Truth | None = None,
    ekp: EkfParams | None = None,
    seed: int = 1,
    init_err: tuple[float, float, float, float] = (3.0, 0.5, 2.0 * DEG, 10.0 * DEG),
    aiding: bool = True,
) -> Flight:
    """Fly the schedule (t_s, heading_deg, alt_m) from trim and run the EKF alongside.

    ``init_err``: (position north m, velocity north m/s, roll and pitch rad, yaw rad); the
    initial height is always 2 m off.
    """
    truth = truth if truth is not None else Truth()
    ekp = ekp if ekp is not None else EkfParams(gnss_delay_s=truth.gnss_delay_steps * truth.dt_s)
    s = np.array([(t, h * DEG, a) for t, h, a in sched], dtype=float)
    alt0 = s[0, 2]
    cond = TrimCondition(25.0, alt0, lat_deg * DEG, 3.0)
    tr, x = trim_on_ellipsoid(AF, cond, lon_deg * DEG, s[0, 1], wind_ned)
    act = tr.controls()
    cmd = act.copy()
    env = np.zeros(N_ENV)
    env[:3] = wind_ned
    env[ENV_GROUND_ALT] = -1.0e4
    hold_state = new_hold_state()
    turb_state = new_turb_state()
    work = make_work()
    gains = HoldGains(gravity_mps2=tr.gravity_mps2)
    rng = np.random.default_rng(seed)
    # truth initial navigation state
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    lat0, lon0 = math.atan2(sl, cl), math.atan2(so, co)
    vn, ve, vd = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
    roll, pitch, yaw = truth_euler(x, sl, cl, so, co)
    xk, P = new_ekf(ekp)
    e_pos, e_vel, e_tilt, e_yaw = init_err
    ekf_init(xk, P, lat0 + e_pos / 6.37e6, lon0, h + 2.0, vn + e_vel, ve, vd, roll + e_tilt,
             pitch - e_tilt, yaw + e_yaw, ekp)  # fmt: skip
    hist = np.zeros((HL, 6))
    hist[0] = (lat0, lon0, h, vn, ve, vd)  # truth at step 0 (GNSS reads it with latency)
    sim = np.zeros(4)
    dt = truth.dt_s
    n_total = round(duration_s / dt)
    log = np.zeros((n_total // int(truth.log_every) + 2, N_LOG))
    chunk = round(60.0 / dt)
    n_logged = 0
    step = 0
    while step < n_total:
        n = min(chunk, n_total - step)
        noise = rng.standard_normal((n, N_NOISE))
        n_logged = fly_chunk(
            x, act, cmd, env, hold_state, turb_state, work, tr.controls(), tr.theta_rad, 25.0,
            s, hist, sim, noise, xk, P, ekp, truth, AF.aero, AF.mass, AF.prop, AF.ground,
            AF.actuators, gains, step, n, log, n_logged, aiding,
        )  # fmt: skip
        step += n
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    end = (math.atan2(sl, cl), math.atan2(so, co))
    return Flight(log[:n_logged], xk, P, truth, wind_ned, (lat0, lon0), end)


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


def horizontal_error(f: Flight) -> np.ndarray:
    return np.hypot(col(f, L_EN), col(f, L_EE))


def z_scores(f: Flight, sel: np.ndarray, gnss_corr: bool) -> np.ndarray:
    """Horizontal position errors in units of their 1-sigma, north and east stacked.

    With ``gnss_corr`` the sigma includes the GNSS receiver's time-correlated error, which no
    filter fusing only that receiver can observe (the filter's sigma is relative to it).
    """
    extra = f.truth.gnss_gm_m**2 if gnss_corr else 0.0
    return np.concatenate(
        [
            col(f, e)[sel] / np.sqrt(col(f, s)[sel] ** 2 + extra)
            for e, s in ((L_EN, L_SN), (L_EE, L_SE))
        ]
    )


# A survey-like pattern: straight legs, 90-180 deg turns both ways, climbs and descents.
PATTERN = [
    (0.0, 30.0, 600.0),
    (90.0, 120.0, 600.0),
    (150.0, 300.0, 650.0),
    (240.0, 210.0, 650.0),
    (300.0, 30.0, 600.0),
    (390.0, 100.0, 620.0),
    (450.0, 280.0, 580.0),
    (540.0, 10.0, 600.0),
]


@pytest.fixture(scope="module")
def pattern_flight() -> Flight:
    return fly(720.0, PATTERN, seed=11)


def test_accuracy_straight_and_turning_with_gnss(pattern_flight: Flight) -> None:
    """Issue requirement: position < 5 m RMS and wind < 1 m/s with GNSS, in 10 m/s wind.

    The filter starts 10 deg off in heading, 2 deg in roll and pitch, 3 m and 0.5 m/s off;
    heading (and with it the wind) becomes observable in the first turn (t = 90 s).
    """
    f = pattern_flight
    after = col(f, L_T) > 120.0  # after convergence
    turning = after & (np.abs(col(f, L_ROLL)) > 10.0 * DEG)
    straight = after & (np.abs(col(f, L_ROLL)) < 2.0 * DEG)
    assert turning.sum() > 300 and straight.sum() > 1000  # both flight regimes present
    for sel in (after, turning, straight):
        assert rms(horizontal_error(f)[sel]) < 5.0
        assert rms(np.hypot(col(f, L_EVN), col(f, L_EVE))[sel]) < 0.3
        for c in (L_EROLL, L_EPITCH, L_EYAW):
            assert rms(col(f, c)[sel]) < 1.0 * DEG
        assert np.max(np.hypot(col(f, L_EWN), col(f, L_EWE))[sel]) < 1.0
    assert rms(col(f, L_ED)[after]) < 3.0
    assert rms(col(f, L_EVD)[after]) < 0.2
    assert f.xk[I_REJ_PH] == 0 and f.xk[N_GNSS_RESETS] == 0


def test_biases_converge(pattern_flight: Flight) -> None:
    f, tc = pattern_flight, pattern_flight.truth
    last = col(f, L_T) > col(f, L_T)[-1] - 60.0
    gyro_true = (tc.gbx, tc.gby, tc.gbz)
    accel_true = (tc.abx, tc.aby, tc.abz)
    for i in range(3):
        g_err = np.mean(col(f, L_BGX + i)[last]) - gyro_true[i]
        a_err = np.mean(col(f, L_BAX + i)[last]) - accel_true[i]
        # from 100 % error at the start (biases start at zero) to a small fraction
        assert abs(g_err) < 0.1 * abs(gyro_true[i]), (i, g_err)
        assert abs(a_err) < 0.1 * abs(accel_true[i]), (i, a_err)


def test_covariance_consistent_and_positive(pattern_flight: Flight) -> None:
    f = pattern_flight
    P = f.P
    assert np.allclose(P, P.T, atol=1e-12)
    assert np.linalg.eigvalsh(P).min() > 0.0
    after = col(f, L_T) > 120.0
    z = z_scores(f, after, gnss_corr=True)
    assert 0.6 < rms(z) < 1.4  # measured 0.93
    assert np.mean(np.abs(z) < 3.0) > 0.99
    # velocity, heading and wind: the tuning is conservative, heading and wind the most (the
    # wind's random walk is sized for real winds; this one is constant). Lower bounds at
    # 3/4 of what was measured (2026-12-07: vn 0.62, ve 0.70, yaw 0.52, wind 0.23), so a
    # filter growing more pessimistic fails
    for e, s, lo in ((L_EVN, L_SVN, 0.47), (L_EVE, L_SVE, 0.52), (L_EYAW, L_SYAW, 0.39),
                     (L_EWN, L_SWN, 0.17)):  # fmt: skip
        z = col(f, e)[after] / col(f, s)[after]
        assert lo < rms(z) < 1.4, (e, rms(z))
        assert np.mean(np.abs(z) < 3.0) > 0.99


@pytest.fixture(scope="module")
def outage_flight() -> Flight:
    tc = Truth(outage_start_s=300.0, outage_end_s=360.0, severity=1.0)
    return fly(480.0, PATTERN[:6], truth=tc, seed=6)


def test_gnss_outage_dead_reckoning_in_light_turbulence(outage_flight: Flight) -> None:
    """60 s without GNSS in light turbulence: airspeed + wind + heading dead reckoning.

    Position error grows but stays bounded; the covariance grows with it consistently.
    """
    f = outage_flight
    t = col(f, L_T)
    err = horizontal_error(f)
    sig = np.hypot(col(f, L_SN), col(f, L_SE))
    before = (t > 120.0) & (t < 300.0)
    during = (t >= 300.0) & (t < 360.0)
    end = (t > 355.0) & (t < 360.0)
    # aided, in turbulence: still the position accuracy; the estimated wind is the
    # mean wind under the gusts (~3.7 m/s RMS horizontally here, correlated over ~20 s: an
    # error of the air data, see test_wind_in_moderate_turbulence) to within 1.5 m/s RMS
    assert rms(err[before]) < 5.0
    wind_err = np.hypot(col(f, L_EWN), col(f, L_EWE))
    gust = np.hypot(col(f, L_GUSTN), col(f, L_GUSTE))
    assert rms(gust[before]) > 2.0
    assert rms(wind_err[before]) < 1.5
    assert rms(err[during]) > 2.0 * rms(err[before])  # it drifts...
    assert np.max(err[during]) < 60.0  # ...but stays bounded
    assert sig[end].mean() > 10.0 * sig[before].mean()  # and the filter knows
    z = z_scores(f, during, gnss_corr=True)
    assert np.mean(np.abs(z) < 3.0) > 0.95
    # GNSS back: accepted through the gate (no reset needed), accuracy recovers
    assert f.xk[N_GNSS_RESETS] == 0 and f.xk[I_REJ_PH] == 0
    assert rms(err[t > 390.0]) < 5.0
    assert sig[t > 390.0].max() < 1.0


# GNSS-denied dead reckoning: 300 s with GNSS (turns make heading, biases and wind known),
# then 600 s without (straight, or with turns), then GNSS again; steady air, 25 m/s TAS in an
# 8 m/s wind (towards 300 deg), noisy IMU, baro, pitot and magnetometer.
DR_PRE = [(0.0, 30.0, 600.0), (90.0, 120.0, 600.0), (150.0, 300.0, 650.0), (240.0, 210.0, 650.0)]
DR_SCHEDULES = {
    "straight": DR_PRE + [(300.0, 60.0, 600.0)],
    "turns": DR_PRE + [(300.0, 60.0, 600.0), (420.0, 150.0, 600.0), (540.0, 280.0, 620.0),
                       (660.0, 10.0, 600.0), (780.0, 200.0, 600.0), (900.0, 100.0, 600.0)],
}  # fmt: skip
DR_WIND = (4.0, -6.928, 0.0)
DR_T0, DR_T1 = 300.0, 900.0  # GNSS outage


def dr_flight(kind: str, seed: int = 1, **ekp_kw: float) -> Flight:
    tc = Truth(outage_start_s=DR_T0, outage_end_s=DR_T1)
    ekp = EkfParams(gnss_delay_s=tc.gnss_delay_steps * tc.dt_s, **ekp_kw)
    return fly(DR_T1 + 60.0, DR_SCHEDULES[kind], wind_ned=DR_WIND, truth=tc, ekp=ekp, seed=seed)


def dr_figures(f: Flight) -> tuple[float, float, float, float]:
    """(error at the end of the outage, distance flown in it, its RMS error, sigma at its end)."""
    t = col(f, L_T)
    err = horizontal_error(f)
    i0 = np.searchsorted(t, DR_T0)
    i1 = np.searchsorted(t, DR_T1 - 0.05) - 1  # the last row before GNSS returns
    out = (t >= DR_T0) & (t < DR_T1)
    dist = col(f, L_DIST)[i1] - col(f, L_DIST)[i0]
    return err[i1], dist, rms(err[out]), float(np.hypot(col(f, L_SN), col(f, L_SE))[i1])


@pytest.mark.parametrize("kind", ["straight", "turns"])
def test_gnss_denied_dead_reckoning(kind: str) -> None:
    """600 s without GNSS: the wind is frozen and airspeed + sideslip + heading carry the
    position. Measured (seeds 1-8): 0.1-0.4 % of the distance (15-50 m after ~13-15 km), with
    a 1-sigma of 105-140 m; without the freeze 0.1-1.5 % (see the next test)."""
    f = dr_flight(kind)
    t = col(f, L_T)
    err = horizontal_error(f)
    sig = np.hypot(col(f, L_SN), col(f, L_SE))
    dr = col(f, L_DR)
    out = (t >= DR_T0) & (t < DR_T1)
    before = (t > 150.0) & (t < DR_T0)
    # dead reckoning from dead_reckoning_after_s (2 s) after the last fix until GNSS is back
    assert not dr[t < DR_T0].any()
    assert dr[(t > DR_T0 + 2.5) & (t < DR_T1)].all()
    assert not dr[t > DR_T1 + 0.5].any()
    # the wind estimate stays (the air data cannot drag it; the magnetometer may shift it a
    # little through its correlation with the heading) and its uncertainty does not grow
    wind_err = np.hypot(col(f, L_EWN), col(f, L_EWE))
    frozen = (t > DR_T0 + 2.5) & (t < DR_T1)
    assert np.ptp(col(f, L_EWN)[frozen]) < 0.05 and np.ptp(col(f, L_EWE)[frozen]) < 0.05
    assert wind_err[frozen].max() < 0.3
    sw = np.hypot(col(f, L_SWN), col(f, L_SWE))[frozen]
    assert sw[-1] <= sw[0] + 1e-9
    # the requirement: < 3 % of the distance flown after 600 s
    err_end, dist, _, sig_end = dr_figures(f)
    assert dist > 12_000.0
    assert err_end < 0.03 * dist
    assert err_end < 0.01 * dist  # (the margin actually achieved)
    # the uncertainty grows all the time and bounds the error (the filter's sigma is relative
    # to the receiver's slowly varying error, hence gnss_corr)
    s_min = sig[out].reshape(-1, 100).mean(axis=1)  # 10 s means
    assert np.all(np.diff(s_min) > 0.0)
    assert sig_end > 30.0 * sig[before].mean()
    assert np.max(np.abs(z_scores(f, out, gnss_corr=True))) < 3.0
    assert err[out].max() < 3.0 * sig_end
    # GNSS back: the fix lies inside the grown gate and is fused (no reset needed), back
    # under 5 m at once and well within the required 30 s
    assert err[t >= DR_T1 + 1.0].max() < 5.0
    assert f.xk[N_GNSS_RESETS] == 0
    assert rms(err[t > DR_T1 + 30.0]) < 3.0


@pytest.mark.parametrize("kind", ["straight", "turns"])
def test_wind_freeze_helps_dead_reckoning(kind: str) -> None:
    """Without the freeze (dead reckoning disabled) the air data explain velocity errors as a
    changing wind, and the velocity drifts like a free inertial solution. Measured over seeds
    1-8: RMS error over the outage 5-29 m frozen against 15-113 m without, end error
    0.06-0.37 % against 0.09-1.48 % of the distance."""
    frozen, free = [], []
    for seed in (1, 2, 3):
        frozen.append(dr_figures(dr_flight(kind, seed)))
        free.append(dr_figures(dr_flight(kind, seed, dead_reckoning_after_s=math.inf)))
    rms_frozen = np.mean([r[2] for r in frozen])
    rms_free = np.mean([r[2] for r in free])
    assert rms_frozen < 0.6 * rms_free
    assert np.mean([r[0] for r in frozen]) < 0.6 * np.mean([r[0] for r in free])
    # the frozen filter's uncertainty is tighter (the wind cannot walk) and still bounds it
    for r_frozen, r_free in zip(frozen, free, strict=True):
        assert r_frozen[0] < 3.0 * r_frozen[3]
        assert r_frozen[3] < r_free[3]


@pytest.fixture(scope="module")
def turbulent_flight() -> Flight:
    # the survey pattern 200 m above the ground in moderate Dryden turbulence (MIL-F-8785C
    # low altitude: sigma_u = sigma_v ~ 2 m/s, L ~ 300 m, correlated over ~12 s) and 10 m/s wind
    sched = [(t, hdg, 200.0) for t, hdg, _ in PATTERN]
    return fly(720.0, sched, truth=Truth(severity=2.0), seed=5)


def test_wind_in_moderate_turbulence(turbulent_flight: Flight) -> None:
    """Gusts are an error of the air data, not wind the filter can separate from the mean.

    The pitot sees the longitudinal gust (~2 m/s) and the aircraft really sideslips in the
    lateral one (~0.08 rad), both correlated over ~12 s; fused as white noise they made the
    wind chase the gusts with a sigma of 0.3 m/s (2.4 m/s RMS, 5 m/s peaks from the mean
    wind, z-scores ~8). The filter now learns the gust intensity from the innovations and
    fuses the air data at their real information content: the wind estimate is the mean wind,
    with a covariance that says how well it is known, and no air data are rejected.
    """
    f = turbulent_flight
    t = col(f, L_T)
    after = t > 150.0  # wind known from the first turn (t = 90 s) on
    gust = np.hypot(col(f, L_GUSTN), col(f, L_GUSTE))
    wind_err = np.hypot(col(f, L_EWN), col(f, L_EWE))
    assert rms(gust[after]) > 2.0  # moderate turbulence really reaches the air data
    assert rms(wind_err[after]) < 1.2
    assert np.max(wind_err[after]) < 2.5
    z = np.concatenate(
        [col(f, e)[after] / col(f, s)[after] for e, s in ((L_EWN, L_SWN), (L_EWE, L_SWE))]
    )
    assert 0.3 < rms(z) < 1.5
    assert np.mean(np.abs(z) < 3.0) > 0.99
    for ch in (CH_TAS, CH_BETA):
        assert f.xk[channel(ch, F_N_REJECTED)] == 0
    # the navigation solution is unaffected
    assert rms(horizontal_error(f)[after]) < 5.0
    assert rms(col(f, L_EYAW)[after]) < 1.0 * DEG


def test_gross_gnss_outlier_rejected() -> None:
    f = fly(200.0, PATTERN[:2], truth=Truth(outlier_t_s=150.0, outlier_m=300.0), seed=3)
    t = col(f, L_T)
    rej = col(f, L_REJ)
    assert rej[t < 149.9].max() == 0
    assert rej[-1] == 1
    i = np.searchsorted(t, 150.0)
    assert col(f, L_RPH)[i] > 100.0  # (300 m / ~2 m)^2 / 5^2
    assert col(f, L_RV)[i] < 1.0  # the velocity of that fix was fine and was used
    around = (t > 140.0) & (t < 170.0)
    assert np.max(horizontal_error(f)[around]) < 5.0


def test_gnss_latency_compensated() -> None:
    """The 0.11 s GNSS latency costs 1.5-4 m along track if ignored; compensated it is gone."""
    errs = []
    for delay in (0.11, 0.0):
        f = fly(300.0, PATTERN[:4], ekp=EkfParams(gnss_delay_s=delay), seed=2)
        errs.append(rms(horizontal_error(f)[col(f, L_T) > 120.0]))
    assert errs[1] > 1.5
    assert errs[0] < 0.6 * errs[1]


LONG_TRUTH = Truth(dt_s=0.02, gnss_every=10.0, gnss_delay_steps=5.0, baro_every=2.0,
                   tas_every=2.0, mag_every=2.0, log_every=50.0)  # fmt: skip


def test_1000_km_leg_at_high_latitude() -> None:
    """Climb-out turns, then a 1,000 km rhumb-line leg from 70 N 20 W to 74.5 N 6 E (8 h).

    Position lives on the ellipsoid: nothing degrades with distance or with the 26 deg of
    longitude crossed.
    """
    sched = [(0.0, 60.0, 700.0), (60.0, 150.0, 700.0), (120.0, 330.0, 700.0),
             (200.0, 60.0, 700.0)]  # fmt: skip
    # a tailwind from the south-west shortens the leg: 1,000 km in 8 h
    f = fly(29_000.0, sched, lat_deg=70.0, lon_deg=-20.0, wind_ned=(5.0, 8.66, 0.0),
            truth=LONG_TRUTH, seed=7)  # fmt: skip
    t = col(f, L_T)
    dist = Geodesic.WGS84.Inverse(*(math.degrees(v) for v in f.start + f.end))["s12"]
    assert dist > 1.0e6
    assert math.degrees(f.end[1] - f.start[1]) > 25.0
    first = (t > 300.0) & (t < 3600.0)
    last = t > t[-1] - 3300.0
    for sel in (first, last):
        assert rms(horizontal_error(f)[sel]) < 5.0
        assert rms(np.hypot(col(f, L_EVN), col(f, L_EVE))[sel]) < 0.3
        for c in (L_EROLL, L_EPITCH, L_EYAW):
            assert rms(col(f, c)[sel]) < 1.0 * DEG
        assert np.max(np.hypot(col(f, L_EWN), col(f, L_EWE))[sel]) < 1.0
        assert np.mean(np.abs(z_scores(f, sel, gnss_corr=True)) < 3.0) > 0.99
    assert rms(horizontal_error(f)[last]) < 1.5 * rms(horizontal_error(f)[first]) + 0.5
    assert f.xk[N_GNSS_RESETS] == 0 and f.xk[I_REJ_PH] == 0


def test_heading_uncertainty_honest_in_straight_flight() -> None:
    """Heading is unobservable in straight flight (mag bias ~ heading, wind ~ heading): a
    10 deg initial error must stay inside the filter's sigma rather than be 'confirmed';
    the first turn then resolves it. 70 N, where the horizontal field is only 0.085 G."""
    f = fly(480.0, [(0.0, 60.0, 700.0), (360.0, 180.0, 700.0)], lat_deg=70.0, lon_deg=-20.0,
            truth=LONG_TRUTH, seed=4, init_err=(3.0, 0.5, 0.5 * DEG, -10.0 * DEG))  # fmt: skip
    t = col(f, L_T)
    straight = t < 360.0
    z = col(f, L_EYAW)[straight] / col(f, L_SYAW)[straight]
    assert np.max(np.abs(z)) < 3.0
    assert np.min(col(f, L_SYAW)[straight]) > 5.0 * DEG
    after_turn = t > 420.0
    assert np.max(np.abs(col(f, L_EYAW)[after_turn])) < 1.0 * DEG
    assert np.max(np.hypot(col(f, L_EWN), col(f, L_EWE))[after_turn]) < 1.0


def test_strapdown_alone_follows_truth() -> None:
    """Perfect IMU, no aiding: the mechanisation (gravity, Earth rate, Coriolis, transport
    rate, ellipsoid radii) reproduces the independent ECEF truth through turns and climbs."""
    f = fly(60.0, [(0.0, 30.0, 600.0), (10.0, 150.0, 650.0)], aiding=False, lat_deg=60.0,
            init_err=(0.0, 0.0, 0.0, 0.0))  # fmt: skip
    # the start height is offset by 2 m on purpose (ekf_init call in fly)
    assert np.max(horizontal_error(f)) < 1.0
    assert np.max(np.abs(col(f, L_ED) + 2.0)) < 1.0
    assert np.max(np.hypot(col(f, L_EVN), col(f, L_EVE))) < 0.05
    for c in (L_EROLL, L_EPITCH, L_EYAW):
        assert np.max(np.abs(col(f, c))) < 0.02 * DEG


# ------------------------------------------------------------------------------------------
# smaller unit checks


def test_init_from_sensors() -> None:
    roll, pitch, yaw = -4.0 * DEG, 6.0 * DEG, -100.0 * DEG
    lat, lon, alt = 0.9, 0.3, 50.0
    field = mag_field_ned(lat, lon, alt)
    q = euler_to_quat(roll, pitch, yaw)
    e = Ekf()
    accel = quat_rotate_inv(*q, 0.0, 0.0, -9.81)
    e.init_from_sensors(lat, lon, alt, (0.0, 0.0, 0.0), accel, quat_rotate_inv(*q, *field))
    out = e.output()
    assert (out.roll_rad, out.pitch_rad, out.yaw_rad) == pytest.approx((roll, pitch, yaw), abs=1e-9)
    assert out.sigma_yaw_rad == pytest.approx(e.params.init_yaw_rad)


def test_attitude_from_sensors() -> None:
    roll, pitch, yaw = 5.0 * DEG, -3.0 * DEG, 140.0 * DEG
    field = mag_field_ned(1.0, 0.2, 100.0)
    xk, P = new_ekf()
    ekf_init(xk, P, 1.0, 0.2, 100.0, 0.0, 0.0, 0.0, roll, pitch, yaw, EkfParams())
    q = xk[QW : QW + 4]
    g = 9.81
    accel = quat_rotate_inv(q[0], q[1], q[2], q[3], 0.0, 0.0, -g)
    mag = quat_rotate_inv(q[0], q[1], q[2], q[3], *field)
    r, p, y = attitude_from_sensors(np.array(accel), np.array(mag), np.array(field))
    assert r == pytest.approx(roll, abs=1e-9)
    assert p == pytest.approx(pitch, abs=1e-9)
    assert wrap_pi(y - yaw) == pytest.approx(0.0, abs=1e-9)


def test_wrapper_roundtrip_and_health() -> None:
    """The Python wrapper, the health record and the reset after persistent rejection."""
    lat, lon, alt = 0.5, -3.1, 300.0
    g = gravity_ned(lat, alt)[2]
    e = Ekf()
    e.init(lat, lon, alt, (0.0, 0.0, 0.0), 0.0, 0.0, 0.25)
    out = e.output()
    assert out.lat_rad == lat and out.lon_rad == pytest.approx(lon)
    assert out.yaw_rad == pytest.approx(0.25)
    assert out.sigma_pos_h_m == pytest.approx(math.sqrt(2.0) * e.params.init_pos_h_m)

    def still(seconds: float) -> None:  # a vehicle at rest, level
        for _ in range(round(seconds / 0.01)):
            e.predict((0.0, 0.0, 0.0), (0.0, 0.0, -g), 0.01)

    still(0.1)
    r = e.fuse_gnss(lat, lon, alt, (0.0, 0.0, 0.0))
    assert all(v < 1.0 for v in r)
    assert e.fuse_baro(alt + 10.0) == 0.0  # the first sample sets the bias
    assert e.biases().baro_m == pytest.approx(10.0, abs=0.5)
    e.fuse_mag((0.2, 0.0, 0.4))  # reference field from geo.magfield
    h = e.health()
    assert h.healthy and h.gnss_aiding and h.n_numerical == 0
    assert e.counters()["gnss_pos_h"] == (1, 0)
    # a position 1 km away is rejected; after the reset timeout the filter resets to it
    far = lat + 1000.0 / 6.37e6
    assert e.fuse_gnss(far, lon, alt, (0.0, 0.0, 0.0))[0] > 1.0
    assert e.output().lat_rad == pytest.approx(lat, abs=1.0 / 6.37e6)
    for _ in range(70):
        still(0.1)
        e.fuse_gnss(far, lon, alt, (0.0, 0.0, 0.0))
    assert e.counters()["gnss_resets"][0] == 1
    assert e.output().lat_rad == pytest.approx(far, abs=2.0 / 6.37e6)
    assert e.health().healthy and e.health().gnss_aiding
    assert e.time_s == pytest.approx(7.1)
    # a baro that disagrees persistently (no reset for baro) makes the filter unhealthy
    for _ in range(70):
        still(0.1)
        e.fuse_gnss(far, lon, alt, (0.0, 0.0, 0.0))
        assert e.fuse_baro(alt + 500.0) > 1.0
    assert not e.health().healthy
    assert e.counters()["baro"][1] == 70


def test_scalar_updates_keep_covariance_positive() -> None:
    """Many repeated precise updates (a classic way to lose positivity) keep P PSD."""
    xk, P = new_ekf()
    p = EkfParams(gnss_pos_h_m=0.01, gnss_vel_h_mps=0.001, mag_gauss=1e-4, tas_mps=1e-3)
    ekf_init(xk, P, 0.7, 0.1, 500.0, 25.0, 0.0, 0.0, 0.0, 0.05, 0.0, p)
    for k in range(2000):
        ekf_predict(xk, P, (0.0, 0.001 * (k % 7), 0.0), (0.5, 0.1, -9.8), 0.01, p)
        if k % 5 == 0:
            ekf_fuse_gnss(xk, P, xk[0], xk[1], xk[2], xk[3], xk[4], xk[5], p)
            ekf_fuse_airspeed(xk, P, 25.0, p)
            ekf_fuse_mag(xk, P, (0.2, 0.0, 0.4), (0.2, 0.0, 0.4), p)
    assert np.all(np.isfinite(P))
    assert np.allclose(P, P.T, atol=1e-15)
    assert np.linalg.eigvalsh(P).min() >= 0.0
    assert P.shape == (N_ERR, N_ERR)
