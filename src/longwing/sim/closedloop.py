"""The compiled closed loop: physics -> sensors -> estimator -> guidance -> control, N steps.

:func:`run_chunk` advances the whole vehicle toward the current guidance target (see
:mod:`longwing.control.target`) and returns early on an event the mission manager must act
on (:mod:`longwing.sim.events`). It owns no algorithm; it wires the libraries at two rates,
as an autopilot on real hardware runs:

* every physics step (``dt``, 100 Hz by default): wind and turbulence, the IMU sample (the
  truth's specific force and rates), the attitude loops on the fresh gyro, the actuators and
  the RK4 step of the truth; then the camera, ground contact and the other events;
* every autopilot tick (``div_ap`` steps: ArduPlane's ``SCHED_LOOP_RATE``, 50 Hz by
  default, :func:`_tick`): the mean of the IMU samples since the last tick goes to the EKF,
  the GNSS, baro, pitot and magnetometer sample and fuse at their rates
  (:func:`_estimate`), guidance runs at the navigation rate, TECS, the landing and take-off
  laws set the demands the attitude loops hold (:func:`_control`), and every
  ``log_every``-th tick is logged (:func:`_log_row`).

The loop's own state is one named record (:mod:`longwing.sim.loopstate`). No Python objects
and no allocation per step. Statistics are computed from the log (:mod:`longwing.sim.stats`),
not here.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams, AeroParams, MassParams, PropulsionParams
from longwing.control import target as tg
from longwing.control.attitude import attitude_update
from longwing.control.guidance import guidance_update
from longwing.control.landing import (
    FLARE_BANK_MAX_RAD,
    approach_speed_mps,
    flare_commands,
    flare_due,
    flare_sink_demand,
)
from longwing.control.params import AutopilotParams
from longwing.control.takeoff import takeoff_commands
from longwing.control.tecs import tecs_reset, tecs_update
from longwing.estimation.airdata_health import navigation_airspeed_mps, pitot_failed
from longwing.estimation.ekf import (
    EkfParams,
    airspeed_consistency,
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
from longwing.estimation.state import LAT as E_LAT
from longwing.estimation.state import LON as E_LON
from longwing.geo.atmosphere import isa
from longwing.geo.magfield import mag_field_ned_sc
from longwing.geo.wgs84 import (
    ecef_to_geodetic_fast,
    ecef_to_ned_sc,
    geodetic_to_ecef,
    ned_to_ecef_sc,
)
from longwing.mathx import clamp
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import air_data
from longwing.physics.contact import touching
from longwing.physics.ground import GroundParams
from longwing.physics.propulsion import engine
from longwing.physics.rigidbody import (
    ENV_BRAKE,
    ENV_GROUND_ALT,
    air_relative_body_sc,
    body_rates_rel_earth,
    rk4_step,
)
from longwing.physics.rotation import quat_rotate
from longwing.physics.specific_force import specific_force_body
from longwing.physics.state import FUEL, PX, QW, VX, WP
from longwing.physics.turbulence import dryden_advance, dryden_coefficients, mil8785c_intensity
from longwing.physics.wind import steady_wind_ned
from longwing.sensors.baro import baro_sample
from longwing.sensors.camera import N_TRIG, TRIGGER_COLUMNS, camera_due, record_photo
from longwing.sensors.gnss import gnss_push, gnss_sample
from longwing.sensors.imu import imu_bias_walk, imu_sample_white
from longwing.sensors.mag import mag_sample
from longwing.sensors.noise import BARO0, GNSS0, IMU0, MAG0, N_SENSOR_NOISE, PITOT0
from longwing.sensors.params import SensorParams
from longwing.sensors.pitot import pitot_sample
from longwing.sim.events import (
    EV_FUEL_EXHAUSTED,
    EV_GROUND_CONTACT,
    EV_HEALTH,
    EV_NONE,
    EV_NONFINITE,
    EV_STOPPED,
    EV_TARGET_DONE,
    EV_TOUCHDOWN,
    EV_TRIGGERS_FULL,
)
from longwing.sim.fastloop import attitude_ned
from longwing.sim.faults import gnss_drift, gust_down_mps
from longwing.sim.loopstate import NAN_BARO, NAN_GNSS, NAN_IMU, NAN_MAG, NAN_PITOT

__all__ = ["LOG_COLUMNS", "N_LOG", "N_TRIG", "TRIGGER_COLUMNS", "LoopArrays", "run_chunk"]

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
    "est_sigma_wind_mps", "loiter_captured",
)  # fmt: skip
N_LOG = len(LOG_COLUMNS)

STOPPED_SPEED_MPS = 0.5
TAKEOFF_ROLL_MAX_S = 60.0  # stopped on the ground this long into a take-off: failed
WIND_KNOWN_SIGMA_MPS = 1.0  # the EKF knows the wind once its wind sigma is below this
LANDED_MAX_ALT_AGL_M = 2.0  # off the ground again (a bounce, the launch) above this


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
    tgt: np.ndarray  # guidance target (control.target)
    st: np.ndarray  # the loop's state: one LOOP_STATE record (sim.loopstate)
    wind_alt: np.ndarray
    wind_n: np.ndarray
    wind_e: np.ndarray
    noise: np.ndarray  # standard normals in use: sensors (noise.py layout), then turbulence (3)
    leg: np.ndarray  # the current target's LegFrame fields (guid.leg_ok)
    trig: np.ndarray  # camera triggers (n, N_TRIG)
    log: np.ndarray  # (n, N_LOG)


class NavSolution(NamedTuple):
    """What the autopilot flies on at a tick (the EKF's, or the truth with --truth-nav)."""

    lat: float
    lon: float
    alt: float
    vn: float
    ve: float
    vd: float
    phi: float
    theta: float
    psi: float
    wind_n: float
    wind_e: float
    sigma_pos: float
    sigma_wind: float
    ax: float  # forward specific force, bias corrected (TECS)
    tas: float
    gyro_bias_x: float
    gyro_bias_y: float
    gyro_bias_z: float
    accel_bias_y: float


@njit(cache=True)
def _draw(rng: np.random.Generator, buf: np.ndarray, i0: int, n: int) -> None:
    """``n`` standard normals from the run's generator into ``buf[i0:i0 + n]``: drawn where
    and when a model uses them, so the stream does not depend on how the flight is cut into
    chunks."""
    for i in range(i0, i0 + n):
        buf[i] = rng.standard_normal()


@njit(cache=True)
def _turbulence(
    turb: np.ndarray, tc: np.ndarray, env: np.ndarray, noise: np.ndarray,
    rng: np.random.Generator, x: np.ndarray, sl: float, cl: float, so: float, co: float,
    agl: float, severity: int, dt: float, refresh: bool,
) -> None:  # fmt: skip
    """Dryden turbulence (body axes) into ``env``; intensities, scale lengths and filter
    coefficients follow the height and airspeed when ``refresh`` (the navigation rate)."""
    if refresh:
        su, sv, sw, lu, lv, lw = mil8785c_intensity(agl, severity)
        ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
        tas_t, _, _ = air_data(ua, va_, wa)
        c8 = dryden_coefficients(tas_t, lu, lv, lw, dt)
        for i in range(8):
            tc[i] = c8[i]
        tc[8] = su
        tc[9] = sv
        tc[10] = sw
    c8 = (tc[0], tc[1], tc[2], tc[3], tc[4], tc[5], tc[6], tc[7])
    nt = noise[N_SENSOR_NOISE:]
    _draw(rng, nt, 0, 3)
    ug, vg, wg = dryden_advance(turb, nt, c8, tc[8], tc[9], tc[10])
    env[3] = ug
    env[4] = vg
    env[5] = wg


@njit(cache=True)
def _imu_accumulate(imu, health, gx: float, gy: float, gz: float, ax: float, ay: float,
                    az: float) -> None:  # fmt: skip
    """Add a sample to the tick's sums; a non-finite one is dropped where it enters."""
    if math.isfinite(gx + gy + gz + ax + ay + az):
        imu.gyro_sum[0] += gx
        imu.gyro_sum[1] += gy
        imu.gyro_sum[2] += gz
        imu.accel_sum[0] += ax
        imu.accel_sum[1] += ay
        imu.accel_sum[2] += az
        imu.n += 1
    else:
        health.nan_inputs += 1


@njit(cache=True)
def _imu_tick_mean(imu, dt: float, dt_ap: float) -> float:
    """The mean of the tick's samples into ``gyro``/``accel`` (kept when there was none: the
    autopilot coasts on the last good mean); returns the time the samples span."""
    dt_imu = dt_ap
    if imu.n > 0:
        dt_imu = imu.n * dt
        for i in range(3):
            imu.gyro[i] = imu.gyro_sum[i] / imu.n
            imu.accel[i] = imu.accel_sum[i] / imu.n
    for i in range(3):
        imu.gyro_sum[i] = 0.0
        imu.accel_sum[i] = 0.0
    imu.n = 0
    return dt_imu


@njit(cache=True)
def _estimate(
    a: LoopArrays, sp: SensorParams, ep: EkfParams, cfg: LoopConfig, rng: np.random.Generator,
    tick: int, time_s: float, dt_imu: float, h: float, sl: float, cl: float, so: float,
    co: float, tas_true: float, rho: float,
) -> tuple[NavSolution, bool]:  # fmt: skip
    """The sensors sample and the EKF fuses at their rates; returns the navigation solution
    and whether the pitot was just declared failed."""
    st = a.st[0]
    fa = st.faults
    hl = st.health
    ns = a.noise
    xk = a.ekf_x
    imu = st.imu
    dt_ap = cfg.dt * cfg.div_ap
    health_event = False
    ekf_predict(xk, a.ekf_p, (imu.gyro[0], imu.gyro[1], imu.gyro[2]),
                (imu.accel[0], imu.accel[1], imu.accel[2]), dt_imu, ep)  # fmt: skip
    if tick % cfg.div_gnss == 0 and not fa.gnss_off:
        _draw(rng, ns, GNSS0, 6)
        ok, glat, glon, galt, gvn, gve, gvd = gnss_sample(a.gnss_buf, time_s, ns[12:18], sp)
        if ok and fa.nan_mask & NAN_GNSS:
            glat = math.nan
        if ok and not math.isfinite(glat + glon + galt + gvn + gve + gvd):
            hl.nan_inputs += 1  # the EKF would drop it too
        elif ok:
            if fa.drift_rate_mps > 0.0:  # a fix walking away from the truth
                glat, glon = gnss_drift(glat, glon, fa.drift_rate_mps, fa.drift_dir_rad,
                                        fa.drift_t0_s, time_s)  # fmt: skip
            hl.gnss_t_s = time_s
            ekf_fuse_gnss(xk, a.ekf_p, glat, glon, galt, gvn, gve, gvd, ep)
    if tick % cfg.div_baro == 0:
        _draw(rng, ns, BARO0, 2)
        b = baro_sample(a.sens, ns[18:20], h, sp, dt_ap * cfg.div_baro)
        if fa.nan_mask & NAN_BARO:
            b = math.nan
        if math.isfinite(b):
            hl.baro_meas_m = b
            ekf_fuse_baro(xk, a.ekf_p, b, ep)
        else:  # keep the last good reading
            hl.nan_inputs += 1
    if tick % cfg.div_pitot == 0:
        if fa.pitot_stuck:
            tas_m = fa.pitot_value_mps  # blocked: trapped pressure
        else:
            _draw(rng, ns, PITOT0, 1)
            tas_m = pitot_sample(a.sens, ns[20:21], tas_true, rho, hl.baro_meas_m, sp)
        if fa.nan_mask & NAN_PITOT:
            tas_m = math.nan
        tas_ok = math.isfinite(tas_m)
        if tas_ok:
            hl.tas_meas_mps = tas_m
        else:  # keep the last good reading
            hl.nan_inputs += 1
        if tas_ok and not st.veh.on_ground and not hl.pitot_failed:
            ekf_fuse_airspeed(xk, a.ekf_p, hl.tas_meas_mps, ep)
            hl.pitot_err_mps = airspeed_consistency(xk, hl.tas_meas_mps)
            if pitot_failed(xk, dt_ap * cfg.div_pitot, hl.wind_known, time_s - hl.gnss_t_s):
                hl.pitot_failed = True
                health_event = True
    if tick % cfg.div_mag == 0 and not fa.mag_off:
        x = a.x
        bn, be, bd = mag_field_ned_sc(sl, cl, so, co, h)
        bex, bey, bez = ned_to_ecef_sc(sl, cl, so, co, bn, be, bd)
        _draw(rng, ns, MAG0, 3)
        mx, my, mz = mag_sample(a.sens, ns[21:24], x[QW], x[QW + 1], x[QW + 2], x[QW + 3],
                                bex, bey, bez, sp)  # fmt: skip
        if fa.nan_mask & NAN_MAG:
            mx = math.nan
        if not (math.isfinite(mx) and math.isfinite(my) and math.isfinite(mz)):
            hl.nan_inputs += 1  # the EKF drops it
        e_lat, e_lon, e_alt = xk[E_LAT], xk[E_LON], xk[E_ALT]
        sl_e, cl_e = math.sin(e_lat), math.cos(e_lat)
        so_e, co_e = math.sin(e_lon), math.cos(e_lon)
        fbn, fbe, fbd = mag_field_ned_sc(sl_e, cl_e, so_e, co_e, e_alt)
        ekf_fuse_mag(xk, a.ekf_p, (mx, my, mz), (fbn, fbe, fbd), ep)
    (n_lat, n_lon, n_alt, n_vn, n_ve, n_vd, n_phi, n_theta, n_psi, e_wn, e_we, sig_pos, _, _,
     sig_wind, _, _) = ekf_output(xk, a.ekf_p)  # fmt: skip
    hl.wind_known = sig_wind < WIND_KNOWN_SIGMA_MPS
    bgx, bgy, bgz, bax, bay, baz, _, _, _, _ = ekf_biases(xk)
    n_tas = navigation_airspeed_mps(hl.tas_meas_mps, hl.pitot_failed, xk)
    nav = NavSolution(
        n_lat,
        n_lon,
        n_alt,
        n_vn,
        n_ve,
        n_vd,
        n_phi,
        n_theta,
        n_psi,
        e_wn,
        e_we,
        sig_pos,
        sig_wind,
        imu.accel[0] - bax,
        n_tas,
        bgx,
        bgy,
        bgz,
        bay,
    )
    return nav, health_event


@njit(cache=True)
def _control(
    a: LoopArrays, ap: AutopilotParams, ep: EkfParams, cfg: LoopConfig, nav: NavSolution,
    tick: int, time_s: float, agl: float,
) -> tuple[bool, float, float, float]:  # fmt: skip
    """Guidance (at the navigation rate), TECS, the landing and take-off laws: sets the
    demands the attitude loops hold; returns (target done, bank, height and speed demands)."""
    st = a.st[0]
    t = a.tgt
    guid = st.guid
    kind = int(t[tg.KIND])
    dt_ap = cfg.dt * cfg.div_ap
    done = False
    npx, npy, npz = geodetic_to_ecef(nav.lat, nav.lon, nav.alt)
    if tick % cfg.div_nav == 0 or guid.run_now:
        guid.run_now = False
        done = guidance_update(a.l1, ap.l1, t, guid, st.loiter, a.leg, time_s,
                               dt_ap * cfg.div_nav, npx, npy, npz, nav.vn, nav.ve, nav.alt,
                               agl)  # fmt: skip
    else:
        guid.remaining_m -= math.hypot(nav.vn, nav.ve) * dt_ap
    bank_cmd = guid.bank_rad
    alt_dem = guid.alt_dem_m
    _, _, rho_n = isa(nav.alt)
    eas2tas = math.sqrt(1.225 / rho_n)

    # --- speed/height (TECS), landing, take-off -------------------------------------------
    landing = st.landing
    spd_dem = t[tg.SPEED]
    sink_dem = 0.0
    if kind == tg.TK_LAND:
        n_agl = nav.alt - t[tg.GROUND_ALT]
        if not cfg.truth_nav:
            spd_dem = approach_speed_mps(spd_dem, ekf_gust_sigma(a.ekf_x, nav.tas, ep))
        if not landing.flare and flare_due(n_agl, nav.vd, guid.remaining_m, t[tg.FLARE_ALT],
                                           t[tg.FLARE_SEC], t[tg.FLARE_DIST]):  # fmt: skip
            landing.flare = True
            landing.flare_pitch_rad = nav.theta
        if landing.flare:
            sink_dem = flare_sink_demand(n_agl, math.hypot(nav.vn, nav.ve), guid.remaining_m,
                                         t[tg.FLARE_SINK])  # fmt: skip
            alt_dem = nav.alt
            bank_cmd = clamp(bank_cmd, -FLARE_BANK_MAX_RAD, FLARE_BANK_MAX_RAD)
    if kind == tg.TK_GROUND:
        spd_dem = 0.0
    # engine out: pitch flies the best-glide airspeed, throttle closed
    tp = ap.tecs_glide if st.veh.glide else ap.tecs
    pitch_cmd, thr_cmd, _ = tecs_update(
        a.tecs, tp, dt_ap, alt_dem, spd_dem / eas2tas, nav.alt, -nav.vd, nav.tas, eas2tas,
        nav.ax, nav.theta, nav.phi,
    )  # fmt: skip
    on_ground = st.veh.on_ground
    if kind == tg.TK_TAKEOFF:
        pitch_cmd, thr_cmd, bank_cmd = takeoff_commands(
            pitch_cmd, bank_cmd, on_ground, nav.tas, t[tg.ROTATE_SPEED], t[tg.CLIMB_PITCH]
        )
    if landing.flare:
        pitch_cmd, thr_cmd = flare_commands(landing.flare_pitch_rad, nav.vd, sink_dem, spd_dem,
                                            nav.tas)  # fmt: skip
    if kind == tg.TK_GROUND or (kind == tg.TK_LAND and on_ground):
        thr_cmd = 0.0
        pitch_cmd = 0.0
        bank_cmd = 0.0
        a.env[ENV_BRAKE] = 1.0
    else:
        a.env[ENV_BRAKE] = 0.0
    if kind == tg.TK_TAKEOFF or landing.flare or on_ground:
        # TECS is overridden here: keep it aligned with the flight so that it takes over
        # without a transient when the take-off (or a bounce) ends
        tecs_reset(a.tecs, ap.tecs, nav.alt, max(nav.tas, 1.0), nav.theta, thr_cmd)

    # --- demands the attitude loops hold (they run every step) ------------------------------
    held = st.held
    held.bank_rad = bank_cmd
    held.pitch_rad = pitch_cmd
    held.throttle = thr_cmd
    held.phi_rad = nav.phi
    held.theta_rad = nav.theta
    held.tas_mps = max(nav.tas, 1.0)
    held.eas2tas = eas2tas
    held.gyro_bias[0] = nav.gyro_bias_x
    held.gyro_bias[1] = nav.gyro_bias_y
    held.gyro_bias[2] = nav.gyro_bias_z
    held.accel_bias_y = nav.accel_bias_y
    return done, alt_dem, spd_dem, bank_cmd


@njit(cache=True)
def _log_row(
    a: LoopArrays, vp: VehicleParams, row: np.ndarray, nav: NavSolution, time_s: float,
    h: float, sl: float, cl: float, so: float, co: float, wn: float, we: float, wd: float,
    tas_true: float, alpha_t: float, beta_t: float, rho: float, engine_on: bool,
    alt_dem: float, spd_dem: float, bank_cmd: float,
) -> None:  # fmt: skip
    """One log row: the state at the start of the step, with this tick's demands."""
    x = a.x
    st = a.st[0]
    lat = math.atan2(sl, cl)
    lon = math.atan2(so, co)
    vn_t, ve_t, vd_t = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
    phi_t, theta_t, psi_t = attitude_ned(x, sl, cl, so, co)
    pe, qe, re = body_rates_rel_earth(x)
    gxe, gye, gze = quat_rotate(x[QW], x[QW + 1], x[QW + 2], x[QW + 3], a.env[3], a.env[4],
                                a.env[5])  # fmt: skip
    gn_, ge_, gd_ = ecef_to_ned_sc(sl, cl, so, co, gxe, gye, gze)
    _, power, fuel_flow = engine(a.act[3], tas_true, rho, engine_on, max(x[FUEL], 0.0), vp.prop)
    npx, npy, npz = geodetic_to_ecef(nav.lat, nav.lon, nav.alt)
    ex_, ey_, ez_ = npx - x[PX], npy - x[PX + 1], npz - x[PX + 2]
    en_, ee_, _ = ecef_to_ned_sc(sl, cl, so, co, ex_, ey_, ez_)
    captured = 1.0 if st.loiter.captured else 0.0
    vals = (
        time_s, lat, lon, h, phi_t, theta_t, psi_t, vn_t, ve_t, vd_t, tas_true,
        alpha_t, beta_t, pe, qe, re, a.act[0], a.act[1], a.act[2], a.act[3], power,
        x[FUEL], fuel_flow, wn + gn_, we + ge_, wd + gd_, math.hypot(vn_t, ve_t),
        vp.mass.dry_mass_kg + x[FUEL], st.veh.dist_m,
        nav.lat, nav.lon, nav.alt, nav.phi, nav.theta, nav.psi, nav.vn, nav.ve, nav.vd,
        nav.wind_n, nav.wind_e, math.hypot(en_, ee_), nav.sigma_pos, nav.tas, bank_cmd,
        st.held.pitch_rad, alt_dem, spd_dem, st.guid.xtrack_m, a.tgt[tg.SEQ], nav.sigma_wind,
        captured,
    )  # fmt: skip
    for i in range(len(vals)):
        row[i] = vals[i]


@njit(cache=True)
def _tick(
    a: LoopArrays, vp: VehicleParams, ap: AutopilotParams, sp: SensorParams, ep: EkfParams,
    cfg: LoopConfig, rng: np.random.Generator, step: int, time_s: float, h: float, sl: float,
    cl: float, so: float, co: float, wn: float, we: float, wd: float, agl: float,
    engine_on: bool, n_logged: int,
) -> tuple[bool, bool, int]:  # fmt: skip
    """One autopilot tick (see the module doc): (target done, health event, rows logged)."""
    st = a.st[0]
    x = a.x
    ns = a.noise
    tick = step // cfg.div_ap
    dt_ap = cfg.dt * cfg.div_ap
    dt_imu = _imu_tick_mean(st.imu, cfg.dt, dt_ap)
    _draw(rng, ns, IMU0 + 6, 6)
    imu_bias_walk(a.sens, ns[6:12], sp, dt_ap)  # the biases step at the tick rate
    lat = math.atan2(sl, cl)
    lon = math.atan2(so, co)
    vn_t, ve_t, vd_t = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
    gnss_push(a.gnss_buf, time_s, lat, lon, h, vn_t, ve_t, vd_t)
    ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, a.env)
    tas_true, alpha_t, beta_t = air_data(ua, va_, wa)
    _, _, rho = isa(h)
    health = False
    if cfg.truth_nav:
        phi, theta, psi = attitude_ned(x, sl, cl, so, co)
        fbx = a.work[4, 0]  # the specific force of this step, kept by the caller
        nav = NavSolution(lat, lon, h, vn_t, ve_t, vd_t, phi, theta, psi, wn, we, 0.0, 0.0,
                          fbx, tas_true, 0.0, 0.0, 0.0, 0.0)  # fmt: skip
    else:
        nav, health = _estimate(a, sp, ep, cfg, rng, tick, time_s, dt_imu, h, sl, cl, so, co,
                                tas_true, rho)  # fmt: skip
    done, alt_dem, spd_dem, bank_cmd = _control(a, ap, ep, cfg, nav, tick, time_s, agl)
    if tick % cfg.log_every == 0 and n_logged < a.log.shape[0]:
        _log_row(a, vp, a.log[n_logged], nav, time_s, h, sl, cl, so, co, wn, we, wd, tas_true,
                 alpha_t, beta_t, rho, engine_on, alt_dem, spd_dem, bank_cmd)  # fmt: skip
        n_logged += 1
    return done, health, n_logged


@njit(cache=True)
def _attitude_loops(a: LoopArrays, vp: VehicleParams, ap: AutopilotParams, cfg: LoopConfig,
                    gx: float, gy: float, gz: float, ay: float, fby: float,
                    imu_ok: bool) -> None:  # fmt: skip
    """The attitude loops on the fresh gyro (bias corrected), then the surface commands;
    a non-finite command is never sent (the last is held and counted)."""
    st = a.st[0]
    held = st.held
    if cfg.truth_nav:
        r_p, r_q, r_r = body_rates_rel_earth(a.x)
        r_ay = fby
    elif imu_ok:
        r_p = gx - held.gyro_bias[0]
        r_q = gy - held.gyro_bias[1]
        r_r = gz - held.gyro_bias[2]
        r_ay = ay - held.accel_bias_y
    else:  # no valid sample this step: the last tick's mean
        r_p = st.imu.gyro[0] - held.gyro_bias[0]
        r_q = st.imu.gyro[1] - held.gyro_bias[1]
        r_r = st.imu.gyro[2] - held.gyro_bias[2]
        r_ay = st.imu.accel[1] - held.accel_bias_y
    de, da, dr = attitude_update(
        a.att, ap.attitude, vp.act, cfg.dt, held.bank_rad, held.pitch_rad, held.phi_rad,
        held.theta_rad, r_p, r_q, r_r, r_ay, held.tas_mps, held.eas2tas,
    )  # fmt: skip
    thr = held.throttle
    if math.isfinite(de) and math.isfinite(da) and math.isfinite(dr) and math.isfinite(thr):
        a.cmd[0] = de
        a.cmd[1] = da
        a.cmd[2] = dr
        a.cmd[3] = thr
    else:  # never a NaN to the actuators: hold the last commands, count it
        st.health.nonfinite_cmds += 1


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
    st = a.st[0]
    veh = st.veh
    fa = st.faults
    dt = cfg.dt
    n_logged = 0
    h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
    kind = int(t[tg.KIND])
    for k in range(n_steps):
        step = step0 + k
        time_s = t0 + k * dt
        engine_on = veh.engine_on

        # --- air mass and ground ----------------------------------------------------------
        wn, we, wd = steady_wind_ned(h, a.wind_alt, a.wind_n, a.wind_e)
        wd += gust_down_mps(time_s, fa.gust_t0_s, fa.gust_len_s, fa.gust_amp_mps)
        a.env[0] = wn
        a.env[1] = we
        a.env[2] = wd
        a.env[ENV_GROUND_ALT] = t[tg.GROUND_ALT]
        agl = h - t[tg.GROUND_ALT]
        if cfg.severity > 0 and agl > 0.0:
            refresh = k == 0 or step % (cfg.div_nav * cfg.div_ap) == 0
            _turbulence(a.turb, a.turb_c, a.env, a.noise, rng, x, sl, cl, so, co, agl,
                        cfg.severity, dt, refresh)  # fmt: skip
        else:
            a.env[3] = a.env[4] = a.env[5] = 0.0

        # --- IMU (every step; the autopilot gets the mean of its samples since its last
        # tick, as an INS hands delta angles and velocities to the EKF) -----------------
        fbx, fby, fbz = specific_force_body(x, a.act, a.env, engine_on, a.work, a.xdot, vp.aero,
                                            vp.mass, vp.prop, vp.ground, sl, cl, so, co, h,
                                            k == 0)  # fmt: skip
        a.work[4, 0] = fbx  # for --truth-nav's TECS (the RK4 scratch row 4 is free here)
        _draw(rng, a.noise, IMU0, 6)
        gx, gy, gz, ax, ay, az = imu_sample_white(
            a.sens, a.noise[0:6], x[WP], x[WP + 1], x[WP + 2], fbx, fby, fbz, sp, dt
        )
        if fa.nan_mask & NAN_IMU:
            gx = math.nan
        imu_ok = math.isfinite(gx + gy + gz + ay)
        _imu_accumulate(st.imu, st.health, gx, gy, gz, ax, ay, az)

        done = False
        health = False
        if step % cfg.div_ap == 0:  # --- autopilot tick --------------------------------
            done, health, n_logged = _tick(a, vp, ap, sp, ep, cfg, rng, step, time_s, h, sl,
                                           cl, so, co, wn, we, wd, agl, engine_on,
                                           n_logged)  # fmt: skip

        # --- attitude loops, actuators, physics ------------------------------------------
        _attitude_loops(a, vp, ap, cfg, gx, gy, gz, ay, fby, imu_ok)
        actuator_step(a.act, a.cmd, vp.act, dt)
        had_fuel = x[FUEL] > 0.0
        rk4_step(x, a.act, a.env, engine_on, True, vp.aero, vp.mass, vp.prop, vp.ground, dt,
                 a.work)  # fmt: skip
        h, sl, cl, so, co = ecef_to_geodetic_fast(x[PX], x[PX + 1], x[PX + 2])
        vn2, ve2, vd2 = ecef_to_ned_sc(sl, cl, so, co, x[VX], x[VX + 1], x[VX + 2])
        gs = math.hypot(vn2, ve2)
        veh.dist_m += gs * dt
        for i in range(x.shape[0]):
            if not math.isfinite(x[i]):
                return k + 1, EV_NONFINITE, n_logged

        # --- events ---------------------------------------------------------------------
        if camera_due(veh.dist_m, veh.cam_last_m, t[tg.CAM_DIST]):
            veh.cam_last_m = veh.dist_m
            if veh.n_trig >= a.trig.shape[0]:
                return k + 1, EV_TRIGGERS_FULL, n_logged
            phi_t, theta_t, psi_t = attitude_ned(x, sl, cl, so, co)
            record_photo(a.trig, veh.n_trig, time_s + dt, math.atan2(sl, cl), math.atan2(so, co),
                         h, phi_t, theta_t, psi_t)  # fmt: skip
            veh.n_trig += 1
        agl_now = h - t[tg.GROUND_ALT]
        contact = agl_now <= vp.ground.reach_m and touching(
            x, sl, cl, so, co, h, t[tg.GROUND_ALT], vp.ground
        )
        if contact and not veh.on_ground:
            veh.on_ground = True
            if kind != tg.TK_GROUND:
                td = st.td
                phi_t, theta_t, _ = attitude_ned(x, sl, cl, so, co)
                td.seen = True
                td.t_s = time_s + dt
                td.sink_mps = vd2
                td.bank_rad = phi_t
                td.pitch_rad = theta_t
                td.lat_rad = math.atan2(sl, cl)
                td.lon_rad = math.atan2(so, co)
                td.groundspeed_mps = gs
                if kind != tg.TK_LAND:
                    return k + 1, EV_GROUND_CONTACT, n_logged
                return k + 1, EV_TOUCHDOWN, n_logged
        elif not contact and veh.on_ground and agl_now > LANDED_MAX_ALT_AGL_M:
            veh.on_ground = False  # airborne again (after launch, or a bounce)
        slow_on_ground = veh.on_ground and gs < STOPPED_SPEED_MPS
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
