"""The compiled closed loop: physics -> sensors -> estimator -> guidance -> control, N steps.

:func:`run_chunk` advances the whole vehicle toward the current guidance target (see
:mod:`longwing.sim.target`) and returns early on an event the mission manager must act on
(target done, touchdown, stopped, fuel exhausted, ground contact, non-finite state, trigger
buffer full). It owns no algorithm; it calls the kernels at two rates, as an autopilot on
real hardware runs:

* every physics step (``dt``, 100 Hz by default): wind and turbulence, the IMU sample (from
  the truth's specific force and rates), the actuators and the RK4 step of the truth;
* every autopilot tick (``div_ap`` steps: ArduPlane's ``SCHED_LOOP_RATE``, 50 Hz by
  default): the mean of the IMU samples since the last tick goes to the EKF (as an INS hands
  accumulated delta angles and velocities to the filter), the GNSS, baro, pitot and
  magnetometer sample and fuse at their rates, L1 guidance runs at the navigation rate, TECS
  and the attitude loops update the surface and throttle commands, held until the next tick.

It writes every ``log_every``-th tick into a preallocated log array and keeps running
statistics. No Python objects and no allocation per step.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams, AeroParams, MassParams, PropulsionParams
from longwing.control.attitude import attitude_update
from longwing.control.l1 import l1_leg, l1_loiter, waypoint_reached
from longwing.control.params import AutopilotParams
from longwing.control.tecs import tecs_reset, tecs_update
from longwing.estimation.ekf import (
    EkfParams,
    ekf_biases,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_gust_sigma,
    ekf_output,
    ekf_predict,
)
from longwing.estimation.state import ALT as E_ALT
from longwing.estimation.state import CH_TAS, F_N_CONSEC_REJ, channel
from longwing.estimation.state import LAT as E_LAT
from longwing.estimation.state import LON as E_LON
from longwing.estimation.state import VD as E_VD
from longwing.estimation.state import VE as E_VE
from longwing.estimation.state import VN as E_VN
from longwing.estimation.state import WE as E_WE
from longwing.estimation.state import WN as E_WN
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import gravity_ned_sc
from longwing.geo.legs import LegFrame, leg_frame, leg_track, loiter_geometry
from longwing.geo.magfield import mag_field_ned_sc
from longwing.geo.wgs84 import (
    OMEGA_EARTH_RADPS,
    ecef_to_geodetic_fast,
    ecef_to_ned_sc,
    geodetic_to_ecef,
    ned_to_ecef_sc,
)
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import air_data
from longwing.physics.ground import N_CONTACTS, GroundParams, contact_point
from longwing.physics.propulsion import engine
from longwing.physics.rigidbody import (
    ENV_BRAKE,
    ENV_GROUND_ALT,
    air_relative_body_sc,
    body_rates_rel_earth,
    derivatives,
    rk4_step,
)
from longwing.physics.rotation import quat_rotate, quat_rotate_inv
from longwing.physics.state import FUEL, PX, QW, VX, WP
from longwing.physics.turbulence import dryden_advance, dryden_coefficients, mil8785c_intensity
from longwing.physics.wind import steady_wind_ned
from longwing.sensors.baro import baro_sample
from longwing.sensors.gnss import gnss_push, gnss_sample
from longwing.sensors.imu import imu_bias_walk, imu_sample_white
from longwing.sensors.mag import mag_sample
from longwing.sensors.noise import BARO0, GNSS0, IMU0, MAG0, N_SENSOR_NOISE, PITOT0
from longwing.sensors.params import SensorParams
from longwing.sensors.pitot import pitot_sample
from longwing.sim import target as tg
from longwing.sim.fastloop import attitude_ned

# events
EV_NONE = 0
EV_TARGET_DONE = 1
EV_TOUCHDOWN = 2
EV_STOPPED = 3
EV_FUEL_EXHAUSTED = 4
EV_GROUND_CONTACT = 5  # touching the ground outside a landing: a crash
EV_NONFINITE = 6
EV_TRIGGERS_FULL = 7
EV_HEALTH = 8  # a sensor was declared failed (the failsafe logic announces it now)

# Loop scalar state (float64 array, owned by the runner).
(
    MS_DIST, MS_CAM_LAST, MS_LOIT_ANGLE, MS_LOIT_BRG, MS_LOIT_ON, MS_LOIT_T0, MS_TD,
    MS_TD_T, MS_TD_SINK, MS_TD_ROLL, MS_TD_LAT, MS_TD_LON, MS_TD_GS, MS_FLARE, MS_FLARE_PITCH,
    MS_N_TRIG, MS_XT_SUM2, MS_XT_N, MS_XT_MAX, MS_ALT_SUM2, MS_ALT_N,
    MS_SPD_SUM2, MS_SPD_N, MS_NAV_SUM2, MS_NAV_N, MS_WIND_SUM2, MS_WIND_N, MS_TAS_MEAS,
    MS_BARO_MEAS, MS_ENGINE_ON, MS_ON_GROUND, MS_XTRACK,
    MS_NAV_MAX, MS_STATS_ON, MS_LEG_CAP, MS_ALT_CAP, MS_BANK_CMD, MS_ALT_G, MS_REMAIN,
    MS_NAV_NOW, MS_IMU_SUM, _MS_IMU_SUM1, _MS_IMU_SUM2, _MS_IMU_SUM3, _MS_IMU_SUM4,
    _MS_IMU_SUM5, MS_IMU_N, MS_GNSS_T, MS_ASPD_BAD, MS_ASPD_ERR, MS_NONFINITE, MS_GLIDE,
    MS_WIND_KNOWN, MS_NAN_IN, MS_IMU_LAST, _MS_IMU_LAST1, _MS_IMU_LAST2, _MS_IMU_LAST3,
    _MS_IMU_LAST4, _MS_IMU_LAST5, MS_LEG_OK, MS_AT_BANK, MS_AT_PITCH, MS_AT_THR, MS_AT_PHI,
    MS_AT_THETA, MS_AT_TAS, MS_AT_E2T, MS_AT_BG, _MS_AT_BG1, _MS_AT_BG2, MS_AT_BAY,
    MS_TD_PITCH,
) = range(73)  # fmt: skip
N_MS = 73
# MS_IMU_SUM .. +5: sums of the IMU samples (gyro xyz, accel xyz) since the last autopilot
# tick, MS_IMU_N their count. Health the failsafes read: MS_GNSS_T time of the last GNSS fix
# delivered, MS_ASPD_BAD the pitot declared failed (synthetic airspeed in use), MS_ASPD_ERR
# the last pitot - synthetic airspeed (diagnostic), MS_WIND_KNOWN the EKF's wind sigma < 1 m/s,
# MS_NONFINITE non-finite commands replaced; MS_GLIDE (set by the runner) engine out: TECS
# flies airspeed on pitch, throttle closed. MS_NAN_IN: non-finite sensor samples dropped where
# they enter (the EKF counts the ones it is handed per channel too). MS_IMU_LAST..+5: the last
# good IMU mean, which the autopilot coasts on through a tick without a valid sample.
# MS_LEG_OK: ``leg`` holds the LegFrame of the current target's A -> B (built once per
# target, not per guidance call). MS_AT_*: what the attitude loops, which run every physics
# step (as an autopilot's rate loops run at the IMU rate), hold between autopilot ticks: the
# bank/pitch/throttle demands, the estimated attitude, airspeed and EAS->TAS ratio, and the
# EKF's gyro biases and lateral accelerometer bias (to correct each fresh IMU sample).

# Fault state written by the runner (``faults`` array): see longwing.sim.faults.
(
    FT_GNSS_OFF, FT_DRIFT_RATE, FT_DRIFT_DIR, FT_DRIFT_T0, FT_PITOT_STUCK, FT_PITOT_VALUE,
    FT_MAG_OFF, FT_GUST_T0, FT_GUST_LEN, FT_GUST_AMP, FT_NAN_MASK,
) = range(11)  # fmt: skip
N_FT = 11
# FT_NAN_MASK bits: the sensor outputs NaN (a glitching driver), to test containment
NAN_IMU, NAN_GNSS, NAN_BARO, NAN_PITOT, NAN_MAG = 1, 2, 4, 8, 16
# flags that belong to one guidance target: cleared by the runner when the target changes
PER_TARGET_FLAGS = (MS_LOIT_ON, MS_LOIT_ANGLE, MS_LEG_CAP, MS_ALT_CAP, MS_FLARE, MS_LEG_OK)

# Log columns (kernel units: SI, radians).
LOG_COLUMNS = (
    "t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad", "pitch_rad", "yaw_rad",
    "vn_mps", "ve_mps", "vd_mps", "tas_mps", "alpha_rad", "beta_rad",
    "p_radps", "q_radps", "r_radps", "elevator_rad", "aileron_rad", "rudder_rad", "throttle",
    "power_w", "fuel_kg", "fuel_flow_kgps", "wind_n_mps", "wind_e_mps", "wind_d_mps",
    "groundspeed_mps", "mass_kg", "distance_m",
    "est_lat_rad", "est_lon_rad", "est_alt_m", "est_roll_rad", "est_pitch_rad", "est_yaw_rad",
    "est_vn_mps", "est_ve_mps", "est_vd_mps", "est_wind_n_mps", "est_wind_e_mps",
    "est_pos_err_m", "est_sigma_pos_m", "meas_tas_mps",
    "roll_cmd_rad", "pitch_cmd_rad", "alt_cmd_m", "tas_cmd_mps", "xtrack_m", "seq",
)  # fmt: skip
N_LOG = len(LOG_COLUMNS)

TRIGGER_COLUMNS = ("t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad", "pitch_rad", "yaw_rad")
N_TRIG = len(TRIGGER_COLUMNS)

STOPPED_SPEED_MPS = 0.5
ASPD_FAIL_S = 10.0  # the EKF rejecting every pitot sample this long: the pitot has failed
TAS_CONSEC_REJ = channel(CH_TAS, F_N_CONSEC_REJ)  # index in the EKF state
TAKEOFF_ROLL_MAX_S = 60.0  # stopped on the ground this long into a take-off: failed
CAPTURE_XTRACK_M = 10.0  # a leg counts in the tracking statistics once this close
CAPTURE_COURSE_RAD = math.radians(10.0)  # ... and flying along it within this angle
WIND_KNOWN_SIGMA_MPS = 1.0  # wind statistics count once the EKF's wind sigma is below this
CAPTURE_ALT_M = 5.0  # height and speed count once the height is this close to the demand
LANDED_MAX_ALT_AGL_M = 2.0
FLARE_BANK_MAX_RAD = math.radians(5.0)
FLARE_SINK_MAX = 1.2  # m/s, the most the flare asks for
FLARE_PITCH_PER_SINK = 0.12  # rad of pitch per m/s of sink-rate error in the flare
FLARE_PITCH_MIN_RAD = math.radians(-2.0)
FLARE_SPEED_MARGIN_MPS = 2.0  # airspeed below approach speed tolerated at idle in the flare
FLARE_THR_PER_MPS = 0.25  # throttle per m/s of airspeed below that
FLARE_THR_MAX = 0.7
FLARE_THR_PER_SINK = 0.3  # throttle per m/s of sink beyond the demand + tolerance
FLARE_SINK_TOL_MPS = 0.5
FLARE_PITCH_MAX_RAD = math.radians(12.0)
GUST_ADD_SIGMAS = 1.5  # approach-speed additive per m/s of learnt gust intensity
GUST_ADD_MAX_MPS = 5.0
FLARE_PITCH_PER_DEFICIT = math.radians(3.0)  # less pitch cap per m/s of airspeed deficit
FLARE_DIST_MAX_AGL = 2.0  # the distance trigger needs the height within this x FLARE_ALT


class VehicleParams(NamedTuple):
    aero: AeroParams
    mass: MassParams
    prop: PropulsionParams
    ground: GroundParams
    act: ActuatorParams


class LoopConfig(NamedTuple):
    dt: float  # physics (and IMU) step, s
    div_ap: int  # physics steps per autopilot tick (SCHED_LOOP_RATE)
    truth_nav: bool
    severity: int
    # the rest count autopilot ticks
    div_gnss: int
    div_baro: int
    div_pitot: int
    div_mag: int
    div_nav: int  # guidance (L1 and target exits) every div_nav ticks
    div_stats: int  # tracking statistics every div_stats ticks
    log_every: int


class LoopArrays(NamedTuple):
    x: np.ndarray  # truth state
    act: np.ndarray  # actuator positions
    cmd: np.ndarray  # actuator commands
    env: np.ndarray  # wind, turbulence, ground level, brake
    turb: np.ndarray  # Dryden filter state
    turb_c: np.ndarray  # Dryden coefficients (8) and intensities (3), held between nav steps
    work: np.ndarray  # RK4 scratch (5, N_STATE)
    xdot: np.ndarray  # derivative scratch (N_STATE)
    sens: np.ndarray  # sensor biases
    gnss_buf: np.ndarray  # GNSS latency buffer
    ekf_x: np.ndarray
    ekf_p: np.ndarray
    att: np.ndarray
    tecs: np.ndarray
    l1: np.ndarray
    tgt: np.ndarray  # guidance target (sim.target)
    ms: np.ndarray  # loop scalar state (MS_*)
    wind_alt: np.ndarray
    wind_n: np.ndarray
    wind_e: np.ndarray
    faults: np.ndarray  # FT_* fault state
    noise: np.ndarray  # standard normals in use: sensors (noise.py layout), then turbulence (3)
    leg: np.ndarray  # the current target's LegFrame fields (see MS_LEG_OK)
    trig: np.ndarray  # camera triggers (n, N_TRIG)
    log: np.ndarray  # (n, N_LOG)


@njit(cache=True)
def specific_force_body(
    x: np.ndarray,
    act: np.ndarray,
    env: np.ndarray,
    engine_on: bool,
    work: np.ndarray,
    xdot: np.ndarray,
    vp: VehicleParams,
    sl: float,
    cl: float,
    so: float,
    co: float,
    h: float,
    fresh: bool,
) -> tuple[float, float, float]:
    """Specific force (non-gravitational acceleration) of the truth in body axes, m/s^2.

    With ``fresh`` it evaluates the equations of motion at the current state; otherwise it
    reuses the last RK4 stage of the previous step (the derivative at x + dt k3, which is the
    current state to second order in dt, with the previous step's controls): a 10 ms-old
    specific force that differs from the current one by ~1e-3 m/s^2, a tenth of the
    accelerometer's noise per sample, for one derivative evaluation less per step.
    """  # fmt: skip
    if fresh:
        derivatives(x, act, env, engine_on, True, vp.aero, vp.mass, vp.prop, vp.ground, xdot)
    else:
        xdot = work[3]
    gn, ge, gd = gravity_ned_sc(sl, cl, h)
    gx, gy, gz = ned_to_ecef_sc(sl, cl, so, co, gn, ge, gd)
    om = OMEGA_EARTH_RADPS
    fx = xdot[VX] - gx - 2.0 * om * x[VX + 1]
    fy = xdot[VX + 1] - gy + 2.0 * om * x[VX]
    fz = xdot[VX + 2] - gz
    return quat_rotate_inv(x[QW], x[QW + 1], x[QW + 2], x[QW + 3], fx, fy, fz)


@njit(cache=True)
def _leg_frame(t: np.ndarray, ms: np.ndarray, leg: np.ndarray) -> LegFrame:
    """The LegFrame of the target's A -> B, built on first use and kept in ``leg``."""
    if ms[MS_LEG_OK] < 0.5:
        f = leg_frame(t[tg.AX], t[tg.AY], t[tg.AZ], t[tg.BX], t[tg.BY], t[tg.BZ])
        for i in range(len(f)):
            leg[i] = f[i]
        ms[MS_LEG_OK] = 1.0
        return f
    return LegFrame(leg[0], leg[1], leg[2], leg[3], leg[4], leg[5], leg[6], leg[7], leg[8],
                    leg[9], leg[10], leg[11], leg[12], leg[13], leg[14], leg[15], leg[16],
                    leg[17], leg[18], leg[19])  # fmt: skip


@njit(cache=True)
def _draw(rng: np.random.Generator, buf: np.ndarray, i0: int, n: int) -> None:
    """``n`` standard normals from the run's generator into ``buf[i0:i0 + n]``: drawn where
    and when a model uses them, so the stream does not depend on how the flight is cut into
    chunks."""
    for i in range(i0, i0 + n):
        buf[i] = rng.standard_normal()


@njit(cache=True)
def _clamp(v: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, v))


@njit(cache=True)
def _guidance(
    l1: np.ndarray,
    t: np.ndarray,
    ms: np.ndarray,
    leg: np.ndarray,
    ap: AutopilotParams,
    kind: int,
    time_s: float,
    dt_nav: float,
    npx: float,
    npy: float,
    npz: float,
    n_vn: float,
    n_ve: float,
    n_alt: float,
    agl: float,
) -> tuple[float, float, float, float, bool]:
    """L1 guidance and the target's altitude profile and exit test (run at the nav rate).

    Returns (bank command rad, altitude demand m, cross-track m, remaining to B m, done).
    """  # fmt: skip
    bank_cmd = 0.0
    alt_dem = t[tg.ALT_B]
    xtrack = 0.0
    remaining = 0.0
    done = False
    if (kind == tg.TK_LEG or kind == tg.TK_LAND) and t[tg.LEG_LEN] < 1.0:
        done = kind == tg.TK_LEG  # a degenerate leg: nothing to fly
    elif kind == tg.TK_LEG or kind == tg.TK_TAKEOFF or kind == tg.TK_LAND:
        bank_cmd, _, xtrack, remaining = l1_leg(
            l1, ap.l1, dt_nav, _leg_frame(t, ms, leg), npx, npy, npz, n_vn, n_ve, t[tg.AX],
            t[tg.AY], t[tg.AZ], t[tg.BX], t[tg.BY], t[tg.BZ],
        )  # fmt: skip
        if kind == tg.TK_LAND:
            # glide slope from A down to the flare height at FLARE_DIST before B, so that
            # the flare ends (touchdown) at B
            span = max(t[tg.LEG_LEN] - t[tg.FLARE_DIST], 1.0)
            frac = _clamp(1.0 - (remaining - t[tg.FLARE_DIST]) / span, 0.0, 1.0)
            alt_end = t[tg.GROUND_ALT] + t[tg.FLARE_ALT]
            alt_dem = t[tg.ALT_A] + frac * (alt_end - t[tg.ALT_A])
        else:
            frac = _clamp(1.0 - remaining / max(t[tg.LEG_LEN], 1.0), 0.0, 1.0)
            alt_dem = t[tg.ALT_A] + frac * (t[tg.ALT_B] - t[tg.ALT_A])
        if kind == tg.TK_LEG and t[tg.EXIT] == tg.EXIT_REACH:
            if t[tg.PASS] > 0.5:
                done = waypoint_reached(xtrack, remaining, t[tg.ACCEPT])
            else:
                done = math.hypot(xtrack, remaining) <= t[tg.ACCEPT] or remaining <= 0.0
        elif kind == tg.TK_TAKEOFF:
            alt_dem = t[tg.ALT_B]
            done = n_alt >= t[tg.ALT_B] - tg.ALT_TOL_M
            if agl < 10.0:
                bank_cmd = _clamp(bank_cmd, -FLARE_BANK_MAX_RAD, FLARE_BANK_MAX_RAD)
    elif kind == tg.TK_LOITER:
        bank_cmd, _, rad_err, captured = l1_loiter(
            l1, ap.l1, npx, npy, npz, n_vn, n_ve, t[tg.BX], t[tg.BY], t[tg.BZ],
            t[tg.RADIUS], t[tg.DIR],
        )  # fmt: skip
        xtrack = rad_err
        _, brg = loiter_geometry(npx, npy, npz, t[tg.BX], t[tg.BY], t[tg.BZ])
        if captured and ms[MS_LOIT_ON] < 0.5:
            ms[MS_LOIT_ON] = 1.0
            ms[MS_LOIT_T0] = time_s
            ms[MS_LOIT_BRG] = brg
            ms[MS_LOIT_ANGLE] = 0.0
        elif ms[MS_LOIT_ON] > 0.5:
            d = (brg - ms[MS_LOIT_BRG] + math.pi) % (2.0 * math.pi) - math.pi
            ms[MS_LOIT_ANGLE] += d * (1.0 if t[tg.DIR] >= 0.0 else -1.0)
            ms[MS_LOIT_BRG] = brg
        ex = t[tg.EXIT]
        if ms[MS_LOIT_ON] > 0.5:
            if ex == tg.EXIT_TURNS:
                done = ms[MS_LOIT_ANGLE] >= 2.0 * math.pi * t[tg.EXIT_VALUE]
            elif ex == tg.EXIT_TIME:
                done = time_s - ms[MS_LOIT_T0] >= t[tg.EXIT_VALUE]
            elif ex == tg.EXIT_ALT:
                done = abs(n_alt - t[tg.ALT_B]) <= tg.ALT_TOL_M
    return bank_cmd, alt_dem, xtrack, remaining, done


@njit(cache=True)
def run_chunk(
    a: LoopArrays,
    vp: VehicleParams,
    ap: AutopilotParams,
    sp: SensorParams,
    ep: EkfParams,
    cfg: LoopConfig,
    rng: np.random.Generator,
    t0: float,
    step0: int,
    n_steps: int,
) -> tuple[int, int, int]:
    """Advance up to ``n_steps``; return (steps done, event code, log rows written)."""
    x = a.x
    t = a.tgt
    ms = a.ms
    dt = cfg.dt
    dt_ap = cfg.dt * cfg.div_ap
    n_logged = 0
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    kind = int(t[tg.KIND])
    for k in range(n_steps):
        step = step0 + k
        time_s = t0 + k * dt
        engine_on = ms[MS_ENGINE_ON] > 0.5

        # --- air mass and ground ------------------------------------------------------
        wn, we, wd = steady_wind_ned(h, a.wind_alt, a.wind_n, a.wind_e)
        fa = a.faults
        if fa[FT_GUST_LEN] > 0.0 and fa[FT_GUST_T0] <= time_s < fa[FT_GUST_T0] + fa[FT_GUST_LEN]:
            # discrete (1 - cos) vertical gust, + up (MIL-F-8785C shape)
            ph = 2.0 * math.pi * (time_s - fa[FT_GUST_T0]) / fa[FT_GUST_LEN]
            wd -= 0.5 * fa[FT_GUST_AMP] * (1.0 - math.cos(ph))
        a.env[0] = wn
        a.env[1] = we
        a.env[2] = wd
        a.env[ENV_GROUND_ALT] = t[tg.GROUND_ALT]
        agl = h - t[tg.GROUND_ALT]
        if cfg.severity > 0 and agl > 0.0:
            tc = a.turb_c
            if k == 0 or step % (cfg.div_nav * cfg.div_ap) == 0:
                # intensities, scale lengths and filter coefficients follow the height and
                # airspeed at the navigation rate
                su, sv, sw, lu, lv, lw = mil8785c_intensity(agl, cfg.severity)
                ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, a.env)
                tas_t, _, _ = air_data(ua, va_, wa)
                c8 = dryden_coefficients(tas_t, lu, lv, lw, dt)
                for i in range(8):
                    tc[i] = c8[i]
                tc[8] = su
                tc[9] = sv
                tc[10] = sw
            c8 = (tc[0], tc[1], tc[2], tc[3], tc[4], tc[5], tc[6], tc[7])
            nt = a.noise[N_SENSOR_NOISE:]
            _draw(rng, nt, 0, 3)
            ug, vg, wg = dryden_advance(a.turb, nt, c8, tc[8], tc[9], tc[10])
            a.env[3] = ug
            a.env[4] = vg
            a.env[5] = wg
        else:
            a.env[3] = a.env[4] = a.env[5] = 0.0

        # --- IMU (every step; the autopilot gets the mean of its samples since its last
        # tick, as an INS hands delta angles and velocities to the EKF) ----------------
        # (the kernels take the arrays they use, not the LoopArrays record: passing a record
        # of ~20 arrays to a called kernel costs more than the kernel itself)
        fbx, fby, fbz = specific_force_body(x, a.act, a.env, engine_on, a.work, a.xdot, vp, sl,
                                            cl, so, co, h, k == 0)  # fmt: skip
        ns = a.noise
        _draw(rng, ns, IMU0, 6)
        gx_m, gy_m, gz_m, ax_m, ay_m, az_m = imu_sample_white(
            a.sens, ns[0:6], x[WP], x[WP + 1], x[WP + 2], fbx, fby, fbz, sp, dt
        )
        nan_mask = int(a.faults[FT_NAN_MASK])
        if nan_mask & NAN_IMU:
            gx_m = math.nan
        imu_step_ok = math.isfinite(gx_m + gy_m + gz_m + ay_m)
        g_step_x, g_step_y, g_step_z, a_step_y = gx_m, gy_m, gz_m, ay_m
        if math.isfinite(gx_m + gy_m + gz_m + ax_m + ay_m + az_m):  # NaN/inf anywhere: not
            ms[MS_IMU_SUM] += gx_m
            ms[MS_IMU_SUM + 1] += gy_m
            ms[MS_IMU_SUM + 2] += gz_m
            ms[MS_IMU_SUM + 3] += ax_m
            ms[MS_IMU_SUM + 4] += ay_m
            ms[MS_IMU_SUM + 5] += az_m
            ms[MS_IMU_N] += 1.0
        else:  # dropped where it enters
            ms[MS_NAN_IN] += 1.0

        done = False
        health = False
        if step % cfg.div_ap == 0:
            # --- autopilot tick (SCHED_LOOP_RATE): sensors, EKF, guidance, control -------
            tick = step // cfg.div_ap
            n_imu = ms[MS_IMU_N]
            imu_ok = n_imu > 0.0
            dt_imu = n_imu * dt
            if imu_ok:
                for i in range(6):
                    ms[MS_IMU_LAST + i] = ms[MS_IMU_SUM + i] / n_imu
            else:  # no valid sample since the last tick: coast on the last good mean
                dt_imu = dt_ap
            gx_m = ms[MS_IMU_LAST]
            gy_m = ms[MS_IMU_LAST + 1]
            gz_m = ms[MS_IMU_LAST + 2]
            ax_m = ms[MS_IMU_LAST + 3]
            ay_m = ms[MS_IMU_LAST + 4]
            az_m = ms[MS_IMU_LAST + 5]
            for i in range(7):
                ms[MS_IMU_SUM + i] = 0.0
            _draw(rng, ns, IMU0 + 6, 6)
            imu_bias_walk(a.sens, ns[6:12], sp, dt_ap)  # the biases step at the tick rate
            lat = math.atan2(sl, cl)
            lon = math.atan2(so, co)
            vn_t, ve_t, vd_t = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
            gnss_push(a.gnss_buf, time_s, lat, lon, h, vn_t, ve_t, vd_t)
            ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, a.env)
            tas_true, alpha_t, beta_t = air_data(ua, va_, wa)
            _, _, rho = isa(h)

            # --- estimator -----------------------------------------------------------------
            if not cfg.truth_nav:
                ekf_predict(a.ekf_x, a.ekf_p, (gx_m, gy_m, gz_m), (ax_m, ay_m, az_m), dt_imu, ep)
                if tick % cfg.div_gnss == 0 and fa[FT_GNSS_OFF] < 0.5:
                    _draw(rng, ns, GNSS0, 6)
                    ok, glat, glon, galt, gvn, gve, gvd = gnss_sample(
                        a.gnss_buf, time_s, ns[12:18], sp
                    )
                    if ok and nan_mask & NAN_GNSS:
                        glat = math.nan
                    if ok and not math.isfinite(glat + glon + galt + gvn + gve + gvd):
                        ms[MS_NAN_IN] += 1.0  # the EKF would drop it too
                    elif ok:
                        if fa[FT_DRIFT_RATE] > 0.0:  # a fix walking away from the truth
                            d = fa[FT_DRIFT_RATE] * max(time_s - fa[FT_DRIFT_T0], 0.0)
                            glat += d * math.cos(fa[FT_DRIFT_DIR]) / 6.371e6
                            glon += d * math.sin(fa[FT_DRIFT_DIR]) / (6.371e6 * math.cos(glat))
                        ms[MS_GNSS_T] = time_s
                        ekf_fuse_gnss(a.ekf_x, a.ekf_p, glat, glon, galt, gvn, gve, gvd, ep)
                if tick % cfg.div_baro == 0:
                    _draw(rng, ns, BARO0, 2)
                    b = baro_sample(a.sens, ns[18:20], h, sp, dt_ap * cfg.div_baro)
                    if nan_mask & NAN_BARO:
                        b = math.nan
                    if math.isfinite(b):
                        ms[MS_BARO_MEAS] = b
                        ekf_fuse_baro(a.ekf_x, a.ekf_p, b, ep)
                    else:  # keep the last good reading
                        ms[MS_NAN_IN] += 1.0
                if tick % cfg.div_pitot == 0:
                    if fa[FT_PITOT_STUCK] > 0.5:
                        tas_m = fa[FT_PITOT_VALUE]  # blocked: trapped pressure
                    else:
                        _draw(rng, ns, PITOT0, 1)
                        tas_m = pitot_sample(a.sens, ns[20:21], tas_true, rho, ms[MS_BARO_MEAS],
                                             sp)  # fmt: skip
                    if nan_mask & NAN_PITOT:
                        tas_m = math.nan
                    tas_ok = math.isfinite(tas_m)
                    if tas_ok:
                        ms[MS_TAS_MEAS] = tas_m
                    else:  # keep the last good reading
                        ms[MS_NAN_IN] += 1.0
                    if tas_ok and ms[MS_ON_GROUND] < 0.5 and ms[MS_ASPD_BAD] < 0.5:
                        ekf_fuse_airspeed(a.ekf_x, a.ekf_p, ms[MS_TAS_MEAS], ep)
                        # consistency with the airspeed the EKF infers from GNSS and wind:
                        # its innovation test (which allows for the gusts it has learnt)
                        # rejecting the pitot continuously, with GNSS fixes arriving and the
                        # wind known, means the pitot has failed (the runner announces it)
                        xe = a.ekf_x
                        ms[MS_ASPD_ERR] = ms[MS_TAS_MEAS] - math.sqrt(
                            (xe[E_VN] - xe[E_WN]) ** 2 + (xe[E_VE] - xe[E_WE]) ** 2
                            + xe[E_VD] ** 2
                        )  # fmt: skip
                        rej = xe[TAS_CONSEC_REJ] * dt_ap * cfg.div_pitot
                        if (rej >= ASPD_FAIL_S and ms[MS_WIND_KNOWN] > 0.5
                                and time_s - ms[MS_GNSS_T] < 1.0):  # fmt: skip
                            ms[MS_ASPD_BAD] = 1.0
                            health = True
                if tick % cfg.div_mag == 0 and fa[FT_MAG_OFF] < 0.5:
                    bn, be, bd = mag_field_ned_sc(sl, cl, so, co, h)
                    bex, bey, bez = ned_to_ecef_sc(sl, cl, so, co, bn, be, bd)
                    _draw(rng, ns, MAG0, 3)
                    mx, my, mz = mag_sample(a.sens, ns[21:24], x[QW], x[QW + 1], x[QW + 2],
                                            x[QW + 3], bex, bey, bez, sp)  # fmt: skip
                    if nan_mask & NAN_MAG:
                        mx = math.nan
                    if not (math.isfinite(mx) and math.isfinite(my) and math.isfinite(mz)):
                        ms[MS_NAN_IN] += 1.0  # the EKF drops it
                    e_lat, e_lon, e_alt = a.ekf_x[E_LAT], a.ekf_x[E_LON], a.ekf_x[E_ALT]
                    sl_e, cl_e = math.sin(e_lat), math.cos(e_lat)
                    so_e, co_e = math.sin(e_lon), math.cos(e_lon)
                    fbn, fbe, fbd = mag_field_ned_sc(sl_e, cl_e, so_e, co_e, e_alt)
                    ekf_fuse_mag(a.ekf_x, a.ekf_p, (mx, my, mz), (fbn, fbe, fbd), ep)
                (n_lat, n_lon, n_alt, n_vn, n_ve, n_vd, n_phi, n_theta, n_psi, e_wn, e_we,
                 sig_pos, _, _, sig_wind, _, _) = ekf_output(a.ekf_x, a.ekf_p)  # fmt: skip
                ms[MS_WIND_KNOWN] = 1.0 if sig_wind < WIND_KNOWN_SIGMA_MPS else 0.0
                bgx, bgy, bgz, bax, bay, baz, _, _, _, _ = ekf_biases(a.ekf_x)
                n_ax = ax_m - bax
                n_tas = ms[MS_TAS_MEAS]
                if ms[MS_ASPD_BAD] > 0.5:  # synthetic airspeed: ground velocity - wind
                    n_tas = math.sqrt((n_vn - e_wn) ** 2 + (n_ve - e_we) ** 2 + n_vd * n_vd)
            else:
                n_lat, n_lon, n_alt = lat, lon, h
                n_vn, n_ve, n_vd = vn_t, ve_t, vd_t
                n_phi, n_theta, n_psi = attitude_ned(x, sl, cl, so, co)
                n_ax = fbx
                n_tas = tas_true
                e_wn, e_we = wn, we
                sig_pos = 0.0
                sig_wind = 0.0
            npx, npy, npz = geodetic_to_ecef(n_lat, n_lon, n_alt)
            _, _, rho_n = isa(n_alt)
            eas2tas = math.sqrt(1.225 / rho_n)

            # --- guidance (at the navigation rate; held in between) -------------------------
            if tick % cfg.div_nav == 0 or ms[MS_NAV_NOW] > 0.5:
                ms[MS_NAV_NOW] = 0.0
                bank_g, alt_g, xt_g, rem_g, done_g = _guidance(
                    a.l1, t, ms, a.leg, ap, kind, time_s, dt_ap * cfg.div_nav, npx, npy, npz, n_vn,
                    n_ve, n_alt, agl,
                )  # fmt: skip
                ms[MS_BANK_CMD] = bank_g
                ms[MS_ALT_G] = alt_g
                ms[MS_XTRACK] = xt_g
                ms[MS_REMAIN] = rem_g
                done = done_g
            else:
                ms[MS_REMAIN] -= math.hypot(n_vn, n_ve) * dt_ap
                done = False
            bank_cmd = ms[MS_BANK_CMD]
            alt_dem = ms[MS_ALT_G]
            xtrack = ms[MS_XTRACK]
            remaining = ms[MS_REMAIN]

            # --- speed/height (TECS) and landing -------------------------------------------
            spd_dem = t[tg.SPEED]
            flare = ms[MS_FLARE] > 0.5
            sink_dem = 0.0
            if kind == tg.TK_LAND:
                n_agl = n_alt - t[tg.GROUND_ALT]
                if not cfg.truth_nav:
                    # gust additive to the approach speed, as a pilot adds half the gust
                    # factor: GUST_ADD_SIGMAS x the gust intensity the EKF has learnt
                    spd_dem += min(GUST_ADD_SIGMAS * ekf_gust_sigma(a.ekf_x, n_tas, ep),
                                   GUST_ADD_MAX_MPS)  # fmt: skip
                # flare at LAND_FLARE_ALT, or LAND_FLARE_SEC before the ground at the present
                # sink rate (a gust's downdraft starts it higher), or FLARE_DIST before B
                # (the last only when near the flare height: high there, the approach goes on
                # down the glide slope rather than flaring ten metres up)
                flare_h = max(t[tg.FLARE_ALT], t[tg.FLARE_SEC] * n_vd)
                near = (
                    remaining <= t[tg.FLARE_DIST] and n_agl <= FLARE_DIST_MAX_AGL * t[tg.FLARE_ALT]
                )
                if not flare and (n_agl <= flare_h or near):
                    ms[MS_FLARE] = 1.0
                    ms[MS_FLARE_PITCH] = n_theta
                    flare = True
                if flare:
                    # aim the touchdown at B: the sink rate that reaches the ground there, within
                    # [FLARE_SINK, FLARE_SINK_MAX]; past B, the flare sink
                    gs_n = max(math.hypot(n_vn, n_ve), 1.0)
                    if remaining > 1.0:
                        sink_dem = _clamp(
                            n_agl * gs_n / remaining, t[tg.FLARE_SINK], FLARE_SINK_MAX
                        )
                    else:
                        sink_dem = t[tg.FLARE_SINK]
                    alt_dem = n_alt
                    bank_cmd = _clamp(bank_cmd, -FLARE_BANK_MAX_RAD, FLARE_BANK_MAX_RAD)
            if kind == tg.TK_GROUND:
                spd_dem = 0.0
            # engine out: pitch flies the best-glide airspeed, throttle closed
            tp = ap.tecs_glide if ms[MS_GLIDE] > 0.5 else ap.tecs
            pitch_cmd, thr_cmd, _ = tecs_update(
                a.tecs, tp, dt_ap, alt_dem, spd_dem / eas2tas, n_alt, -n_vd, n_tas, eas2tas,
                n_ax, n_theta, n_phi,
            )  # fmt: skip
            if kind == tg.TK_TAKEOFF:
                pitch_cmd = max(pitch_cmd, t[tg.CLIMB_PITCH])
                thr_cmd = 1.0
                if ms[MS_ON_GROUND] > 0.5 and n_tas < t[tg.ROTATE_SPEED]:
                    pitch_cmd = 0.0  # ground roll: level until rotation speed
                    bank_cmd = 0.0
            if flare:
                # sink-rate hold on pitch around the pitch at the flare start, engine idle
                # the nose comes up less as the airspeed falls below the approach speed - margin
                deficit = max(spd_dem - FLARE_SPEED_MARGIN_MPS - n_tas, 0.0)
                pitch_max = max(FLARE_PITCH_MAX_RAD - FLARE_PITCH_PER_DEFICIT * deficit,
                                FLARE_PITCH_MIN_RAD)  # fmt: skip
                pitch_cmd = _clamp(ms[MS_FLARE_PITCH] + FLARE_PITCH_PER_SINK * (n_vd - sink_dem),
                                   FLARE_PITCH_MIN_RAD, pitch_max)  # fmt: skip
                # idle, unless a gust has taken the airspeed well below the approach speed or a
                # downdraft sinks the aircraft faster than the flare can arrest on pitch alone
                thr_cmd = _clamp(FLARE_THR_PER_MPS * (spd_dem - FLARE_SPEED_MARGIN_MPS - n_tas)
                                 + FLARE_THR_PER_SINK * (n_vd - sink_dem - FLARE_SINK_TOL_MPS),
                                 0.0, FLARE_THR_MAX)  # fmt: skip
            on_ground = ms[MS_ON_GROUND] > 0.5
            if kind == tg.TK_GROUND or (kind == tg.TK_LAND and on_ground):
                thr_cmd = 0.0
                pitch_cmd = 0.0
                bank_cmd = 0.0
                a.env[ENV_BRAKE] = 1.0
            else:
                a.env[ENV_BRAKE] = 0.0
            if kind == tg.TK_TAKEOFF or flare or on_ground:
                # TECS is overridden here: keep it aligned with the flight so that it takes over
                # without a transient when the take-off (or a bounce) ends
                tecs_reset(a.tecs, ap.tecs, n_alt, max(n_tas, 1.0), n_theta, thr_cmd)

            # --- demands for the attitude loops (run below, every step) --------------------
            ms[MS_AT_BANK] = bank_cmd
            ms[MS_AT_PITCH] = pitch_cmd
            ms[MS_AT_THR] = thr_cmd
            ms[MS_AT_PHI] = n_phi
            ms[MS_AT_THETA] = n_theta
            ms[MS_AT_TAS] = max(n_tas, 1.0)
            ms[MS_AT_E2T] = eas2tas
            if cfg.truth_nav:
                ms[MS_AT_BG] = ms[MS_AT_BG + 1] = ms[MS_AT_BG + 2] = ms[MS_AT_BAY] = 0.0
            else:
                ms[MS_AT_BG] = bgx
                ms[MS_AT_BG + 1] = bgy
                ms[MS_AT_BG + 2] = bgz
                ms[MS_AT_BAY] = bay

            # --- log (state at the start of the step, with this step's commands) --------------
            if tick % cfg.log_every == 0 and n_logged < a.log.shape[0]:
                row = a.log[n_logged]
                phi_t, theta_t, psi_t = attitude_ned(x, sl, cl, so, co)
                pe, qe, re = body_rates_rel_earth(x)
                q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
                gxe, gye, gze = quat_rotate(q0, q1, q2, q3, a.env[3], a.env[4], a.env[5])
                gn_, ge_, gd_ = ecef_to_ned_sc(sl, cl, so, co, gxe, gye, gze)
                _, power, fuel_flow = engine(
                    a.act[3], tas_true, rho, engine_on, max(x[FUEL], 0.0), vp.prop
                )
                ex_, ey_, ez_ = npx - x[PX], npy - x[PX + 1], npz - x[PX + 2]
                en_, ee_, _ = ecef_to_ned_sc(sl, cl, so, co, ex_, ey_, ez_)
                vals = (
                    time_s, lat, lon, h, phi_t, theta_t, psi_t, vn_t, ve_t, vd_t, tas_true,
                    alpha_t, beta_t, pe, qe, re, a.act[0], a.act[1], a.act[2], a.act[3], power,
                    x[FUEL], fuel_flow, wn + gn_, we + ge_, wd + gd_, math.hypot(vn_t, ve_t),
                    vp.mass.dry_mass_kg + x[FUEL], ms[MS_DIST],
                    n_lat, n_lon, n_alt, n_phi, n_theta, n_psi, n_vn, n_ve, n_vd, e_wn, e_we,
                    math.hypot(en_, ee_), sig_pos, n_tas, bank_cmd, pitch_cmd, alt_dem, spd_dem,
                    xtrack, t[tg.SEQ],
                )  # fmt: skip
                for i in range(len(vals)):
                    row[i] = vals[i]
                n_logged += 1

            # --- statistics (truth against the demands) ---------------------------------------
            if ms[MS_STATS_ON] > 0.5 and tick % cfg.div_stats == 0:
                # tracking statistics on straight legs once captured (within CAPTURE_XTRACK_M of
                # the track), and for height/speed once the height demand has been met
                if kind == tg.TK_LEG and t[tg.LEG_LEN] >= 1.0:
                    xt_true, _, _, trk = leg_track(
                        _leg_frame(t, ms, a.leg), x[PX], x[PX + 1], x[PX + 2]
                    )
                    crs_err = (math.atan2(ve_t, vn_t) - trk + math.pi) % (2.0 * math.pi) - math.pi
                    if abs(xt_true) < CAPTURE_XTRACK_M and abs(crs_err) < CAPTURE_COURSE_RAD:
                        ms[MS_LEG_CAP] = 1.0
                    if ms[MS_LEG_CAP] > 0.5:
                        ms[MS_XT_SUM2] += xt_true * xt_true
                        ms[MS_XT_N] += 1.0
                        ms[MS_XT_MAX] = max(ms[MS_XT_MAX], abs(xt_true))
                if kind == tg.TK_LEG or (kind == tg.TK_LOITER and ms[MS_LOIT_ON] > 0.5):
                    if abs(h - alt_dem) < CAPTURE_ALT_M:
                        ms[MS_ALT_CAP] = 1.0
                    if ms[MS_ALT_CAP] > 0.5:
                        ms[MS_ALT_SUM2] += (h - alt_dem) ** 2
                        ms[MS_ALT_N] += 1.0
                        ms[MS_SPD_SUM2] += (tas_true - spd_dem) ** 2
                        ms[MS_SPD_N] += 1.0
                if not cfg.truth_nav:
                    ex_, ey_, ez_ = npx - x[PX], npy - x[PX + 1], npz - x[PX + 2]
                    en_, ee_, _ = ecef_to_ned_sc(sl, cl, so, co, ex_, ey_, ez_)
                    e2 = en_ * en_ + ee_ * ee_
                    ms[MS_NAV_SUM2] += e2
                    ms[MS_NAV_N] += 1.0
                    ms[MS_NAV_MAX] = max(ms[MS_NAV_MAX], math.sqrt(e2))
                    if sig_wind < WIND_KNOWN_SIGMA_MPS:  # once the filter says it knows the wind
                        ms[MS_WIND_SUM2] += (e_wn - wn) ** 2 + (e_we - we) ** 2
                        ms[MS_WIND_N] += 1.0

        # --- attitude loops (every step, on the fresh gyro) and actuators -------------------
        if cfg.truth_nav:
            r_p, r_q, r_r = body_rates_rel_earth(x)
            r_ay = fby
        elif imu_step_ok:
            r_p = g_step_x - ms[MS_AT_BG]
            r_q = g_step_y - ms[MS_AT_BG + 1]
            r_r = g_step_z - ms[MS_AT_BG + 2]
            r_ay = a_step_y - ms[MS_AT_BAY]
        else:  # no valid sample this step: the last tick's mean
            r_p = ms[MS_IMU_LAST] - ms[MS_AT_BG]
            r_q = ms[MS_IMU_LAST + 1] - ms[MS_AT_BG + 1]
            r_r = ms[MS_IMU_LAST + 2] - ms[MS_AT_BG + 2]
            r_ay = ms[MS_IMU_LAST + 4] - ms[MS_AT_BAY]
        de, da, dr = attitude_update(
            a.att, ap.attitude, vp.act, dt, ms[MS_AT_BANK], ms[MS_AT_PITCH], ms[MS_AT_PHI],
            ms[MS_AT_THETA], r_p, r_q, r_r, r_ay, ms[MS_AT_TAS], ms[MS_AT_E2T],
        )  # fmt: skip
        thr_cmd = ms[MS_AT_THR]
        if (math.isfinite(de) and math.isfinite(da) and math.isfinite(dr)
                and math.isfinite(thr_cmd)):  # fmt: skip
            a.cmd[0] = de
            a.cmd[1] = da
            a.cmd[2] = dr
            a.cmd[3] = thr_cmd
        else:  # never a NaN to the actuators: hold the last commands, count it
            ms[MS_NONFINITE] += 1.0

        # --- physics ---------------------------------------------------------------------
        actuator_step(a.act, a.cmd, vp.act, dt)
        had_fuel = x[FUEL] > 0.0
        rk4_step(x, a.act, a.env, engine_on, True, vp.aero, vp.mass, vp.prop, vp.ground, dt,
                 a.work)  # fmt: skip
        h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
        vn2, ve2, vd2 = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
        gs = math.hypot(vn2, ve2)
        ms[MS_DIST] += gs * dt

        ok = True
        for i in range(x.shape[0]):
            if not math.isfinite(x[i]):
                ok = False
        if not ok:
            return k + 1, EV_NONFINITE, n_logged

        # camera triggers by distance flown
        if t[tg.CAM_DIST] > 0.0 and ms[MS_DIST] - ms[MS_CAM_LAST] >= t[tg.CAM_DIST]:
            ms[MS_CAM_LAST] = ms[MS_DIST]
            i = int(ms[MS_N_TRIG])
            if i >= a.trig.shape[0]:
                return k + 1, EV_TRIGGERS_FULL, n_logged
            phi_t, theta_t, psi_t = attitude_ned(x, sl, cl, so, co)
            a.trig[i, 0] = time_s + dt
            a.trig[i, 1] = math.atan2(sl, cl)
            a.trig[i, 2] = math.atan2(so, co)
            a.trig[i, 3] = h
            a.trig[i, 4] = phi_t
            a.trig[i, 5] = theta_t
            a.trig[i, 6] = psi_t
            ms[MS_N_TRIG] = i + 1

        # ground contact: the lowest contact point reaches the ground plane
        agl_now = h - t[tg.GROUND_ALT]
        touching = agl_now <= vp.ground.reach_m and _touching(
            x, sl, cl, so, co, h, t[tg.GROUND_ALT], vp.ground
        )
        if touching and ms[MS_ON_GROUND] < 0.5:
            ms[MS_ON_GROUND] = 1.0
            if kind != tg.TK_GROUND:
                phi_t, theta_t, _ = attitude_ned(x, sl, cl, so, co)
                ms[MS_TD] = 1.0
                ms[MS_TD_T] = time_s + dt
                ms[MS_TD_SINK] = vd2
                ms[MS_TD_ROLL] = phi_t
                ms[MS_TD_PITCH] = theta_t
                ms[MS_TD_LAT] = math.atan2(sl, cl)
                ms[MS_TD_LON] = math.atan2(so, co)
                ms[MS_TD_GS] = gs
                if kind != tg.TK_LAND:
                    return k + 1, EV_GROUND_CONTACT, n_logged
                return k + 1, EV_TOUCHDOWN, n_logged
        elif not touching and ms[MS_ON_GROUND] > 0.5 and agl_now > LANDED_MAX_ALT_AGL_M:
            ms[MS_ON_GROUND] = 0.0  # airborne again (after launch, or a bounce)
        slow_on_ground = ms[MS_ON_GROUND] > 0.5 and gs < STOPPED_SPEED_MPS
        if slow_on_ground and kind != tg.TK_GROUND and kind != tg.TK_TAKEOFF:
            return k + 1, EV_STOPPED, n_logged
        if slow_on_ground and kind == tg.TK_TAKEOFF and time_s > TAKEOFF_ROLL_MAX_S:
            return k + 1, EV_STOPPED, n_logged  # never got rolling: a failed take-off
        if had_fuel and x[FUEL] <= 0.0:
            return k + 1, EV_FUEL_EXHAUSTED, n_logged
        if done:
            return k + 1, EV_TARGET_DONE, n_logged
        if health:
            return k + 1, EV_HEALTH, n_logged
    return n_steps, EV_NONE, n_logged


@njit(cache=True)
def _touching(
    x: np.ndarray,
    sl: float,
    cl: float,
    so: float,
    co: float,
    h: float,
    ground_alt: float,
    gp: GroundParams,
) -> bool:
    """Any contact point at or below the ground plane."""  # fmt: skip
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    for i in range(N_CONTACTS):
        px, py, pz = contact_point(gp, i)
        dx, dy, dz = quat_rotate(q0, q1, q2, q3, px, py, pz)
        _, _, dd = ecef_to_ned_sc(sl, cl, so, co, dx, dy, dz)
        if h - dd <= ground_alt:
            return True
    return False
