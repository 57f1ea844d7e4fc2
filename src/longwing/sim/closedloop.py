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
  (:func:`longwing.sim.sensing.estimate`), guidance runs at the navigation rate, TECS, the
  landing and take-off laws set the demands the attitude loops hold (:func:`_control`), and every
  ``log_every``-th tick is logged (:func:`_log_row`).

The loop's own state is one named record (:mod:`longwing.sim.loopstate`). No Python objects
and no allocation per step. Statistics are computed from the log (:mod:`longwing.sim.stats`),
not here.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.control import target as tg
from longwing.control.attitude import attitude_update
from longwing.control.guidance import guidance_update
from longwing.control.landing import (
    BANK_TAPER_AGL_M,
    FLARE_BANK_MAX_RAD,
    approach_speed_mps,
    flare_commands,
    flare_due,
    flare_sink_demand,
    go_around_code,
    landing_bank_limit_rad,
)
from longwing.control.params import AutopilotParams
from longwing.control.pilot import pilot_demands, pilot_engage, pilot_surfaces
from longwing.control.takeoff import takeoff_commands
from longwing.control.tecs import tecs_reset, tecs_update
from longwing.control.terrain_follow import terrain_follow_alt_m
from longwing.estimation.ekf import EkfParams, ekf_gust_sigma
from longwing.geo.atmosphere import isa
from longwing.geo.rotation import quat_rotate
from longwing.geo.wgs84 import ecef_to_geodetic_fast, ecef_to_ned_sc, geodetic_to_ecef
from longwing.mathx import clamp
from longwing.physics.actuators import actuator_step
from longwing.physics.aero import air_data
from longwing.physics.contact import touching
from longwing.physics.propulsion import engine
from longwing.physics.rigidbody import (
    AERO_ON,
    ENV_BRAKE,
    ENV_GROUND_ALT,
    air_relative_body_sc,
    body_rates_rel_earth,
    rk4_step,
)
from longwing.physics.specific_force import specific_force_body
from longwing.physics.state import FUEL, PX, QW, VX, WP
from longwing.physics.terrain import terrain_height_m
from longwing.physics.turbulence import dryden_advance, dryden_coefficients, mil8785c_intensity
from longwing.physics.wind import gridded_wind_ne, steady_wind_ned
from longwing.sensors.camera import N_TRIG, TRIGGER_COLUMNS, camera_due, record_photo
from longwing.sensors.gnss import gnss_push
from longwing.sensors.imu import imu_bias_walk, imu_sample_white
from longwing.sensors.noise import IMU0, N_SENSOR_NOISE
from longwing.sensors.params import SensorParams
from longwing.sensors.rangefinder import rangefinder_agl_m
from longwing.sim.events import (
    EV_FUEL_EXHAUSTED,
    EV_GO_AROUND,
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
from longwing.sim.faults import gust_down_mps
from longwing.sim.loop_types import (
    LOG_COLUMNS,
    N_LOG,
    LoopArrays,
    LoopConfig,
    NavSolution,
    VehicleParams,
    draw_normals,
)
from longwing.sim.loopstate import NAN_IMU
from longwing.sim.sensing import estimate, imu_accumulate, imu_tick_mean

__all__ = [
    "LOG_COLUMNS", "N_LOG", "N_TRIG", "TRIGGER_COLUMNS", "LoopArrays", "LoopConfig",
    "VehicleParams", "run_chunk",
]  # fmt: skip

STOPPED_SPEED_MPS = 0.5
TAKEOFF_ROLL_MAX_S = 60.0  # stopped on the ground this long into a take-off: failed
LANDED_MAX_ALT_AGL_M = 2.0  # off the ground again (a bounce, the launch) above this


@njit(cache=True, inline="always")
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
    draw_normals(rng, nt, 0, 3)
    ug, vg, wg = dryden_advance(turb, nt, c8, tc[8], tc[9], tc[10])
    env[3] = ug
    env[4] = vg
    env[5] = wg


@njit(cache=True, inline="always")
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
    if kind == tg.TK_PILOT:
        pass  # the sticks fly (below): no guidance
    elif tick % cfg.div_nav == 0 or guid.run_now:
        guid.run_now = False
        done = guidance_update(a.l1, ap.l1, t, guid, st.loiter, a.leg, time_s,
                               dt_ap * cfg.div_nav, npx, npy, npz, nav.vn, nav.ve, nav.alt,
                               agl)  # fmt: skip
    else:
        guid.remaining_m -= math.hypot(nav.vn, nav.ve) * dt_ap
    bank_cmd = guid.bank_rad
    alt_dem = guid.alt_dem_m
    if t[tg.TF_ON] > 0.5 and a.ap_terrain.heights_m.shape[0] > 0:  # terrain following
        frac = 1.0
        if kind == tg.TK_LEG:
            frac = clamp(1.0 - guid.remaining_m / max(t[tg.LEG_LEN], 1.0), 0.0, 1.0)
        hagl = t[tg.TF_HAGL_A] + frac * (t[tg.TF_HAGL_B] - t[tg.TF_HAGL_A])
        alt_dem = terrain_follow_alt_m(nav.lat, nav.lon, math.atan2(nav.ve, nav.vn),
                                       math.hypot(nav.vn, nav.ve), hagl, t[tg.TF_LOOKAHEAD],
                                       ap.tecs.climb_max_mps, a.ap_terrain)  # fmt: skip
    _, _, rho_n = isa(nav.alt)
    eas2tas = math.sqrt(1.225 / rho_n)

    # --- speed/height (TECS), landing, take-off -------------------------------------------
    landing = st.landing
    spd_dem = t[tg.SPEED]
    sink_dem = 0.0
    if kind == tg.TK_LAND:
        n_agl = nav.alt - t[tg.GROUND_ALT]
        if t[tg.RNG_LAND] > 0.5 and math.isfinite(landing.rng_agl_m):
            # the ground is where the rangefinder sees it: the glide slope moves with it
            alt_dem += n_agl - landing.rng_agl_m
            n_agl = landing.rng_agl_m
        if not cfg.truth_nav:
            spd_dem = approach_speed_mps(spd_dem, ekf_gust_sigma(a.ekf_x, nav.tas, ep))
        if not landing.flare and t[tg.GA_ON] > 0.5 and not st.veh.on_ground:
            landing.abort_code = go_around_code(
                guid.alt_dem_m - t[tg.GROUND_ALT], t[tg.GA_DECIDE_ALT], n_agl, t[tg.FLARE_ALT],
                guid.remaining_m, t[tg.FLARE_DIST], t[tg.GA_SLOPE_PLAN], t[tg.GA_SLOPE],
                t[tg.GA_ZONE], math.hypot(nav.vn, nav.ve), t[tg.GA_MAX_GS], guid.xtrack_m,
                t[tg.GA_ASKED] > 0.5,
            )  # fmt: skip
        if not landing.flare and flare_due(n_agl, nav.vd, guid.remaining_m, t[tg.FLARE_ALT],
                                           t[tg.FLARE_SEC], t[tg.FLARE_DIST]):  # fmt: skip
            landing.flare = True
            landing.flare_pitch_rad = nav.theta
        if landing.flare:
            sink_dem = flare_sink_demand(n_agl, math.hypot(nav.vn, nav.ve), guid.remaining_m,
                                         t[tg.FLARE_SINK])  # fmt: skip
            alt_dem = nav.alt
            bank_cmd = clamp(bank_cmd, -FLARE_BANK_MAX_RAD, FLARE_BANK_MAX_RAD)
        if n_agl < BANK_TAPER_AGL_M:
            bank_lim = landing_bank_limit_rad(n_agl)
            bank_cmd = clamp(bank_cmd, -bank_lim, bank_lim)
    if kind == tg.TK_GROUND:
        spd_dem = 0.0
    pilot_tecs = True
    p_pitch = p_thr = 0.0
    if kind == tg.TK_PILOT:
        pl = st.pilot
        if not pl.engaged:
            pilot_engage(pl, a.cmd[0], a.cmd[1], a.cmd[2], nav.phi, nav.theta, nav.alt)
        bank_cmd, p_pitch, p_thr, alt_dem, spd_eas, pilot_tecs = pilot_demands(
            pl, ap.attitude.roll_limit_rad, ap.attitude.pitch_max_rad,
            ap.attitude.pitch_min_rad, ap.tecs.airspeed_min_mps, ap.tecs.airspeed_max_mps,
            nav.phi, nav.theta, nav.alt, dt_ap,
        )  # fmt: skip
        spd_dem = spd_eas * eas2tas
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
    if not pilot_tecs:  # the pilot's pitch and throttle
        pitch_cmd, thr_cmd = p_pitch, p_thr
    if landing.flare:
        pitch_cmd, thr_cmd = flare_commands(landing.flare_pitch_rad, nav.vd, sink_dem, spd_dem,
                                            nav.tas, t[tg.SPEED])  # fmt: skip
    if kind == tg.TK_GROUND or (kind == tg.TK_LAND and on_ground):
        thr_cmd = 0.0
        pitch_cmd = 0.0
        bank_cmd = 0.0
        a.env[ENV_BRAKE] = 1.0
    else:
        a.env[ENV_BRAKE] = 0.0
    if kind == tg.TK_TAKEOFF or landing.flare or on_ground or not pilot_tecs:
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
    held.gyro_bias_x = nav.gyro_bias_x
    held.gyro_bias_y = nav.gyro_bias_y
    held.gyro_bias_z = nav.gyro_bias_z
    held.accel_bias_y = nav.accel_bias_y
    return done, alt_dem, spd_dem, bank_cmd


@njit(cache=True, inline="always")
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


@njit(cache=True, inline="always")
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
    dt_imu = imu_tick_mean(st.imu, cfg.dt, dt_ap)
    draw_normals(rng, ns, IMU0 + 6, 6)
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
        nav, health = estimate(a, sp, ep, cfg, rng, tick, time_s, dt_imu, h, sl, cl, so, co,
                                tas_true, rho)  # fmt: skip
    if sp.rng_max_m > 0.0 and tick % cfg.div_rng == 0:  # the rangefinder (truth + noise)
        phi_t, theta_t, _ = attitude_ned(x, sl, cl, so, co)
        st.landing.rng_agl_m = rangefinder_agl_m(
            h - a.env[ENV_GROUND_ALT], phi_t, theta_t, nav.phi, nav.theta,
            sp.rng_noise_m * rng.standard_normal(), sp.rng_max_m,
        )  # fmt: skip
    done, alt_dem, spd_dem, bank_cmd = _control(a, ap, ep, cfg, nav, tick, time_s, agl)
    if tick % cfg.log_every == 0 and n_logged < a.log.shape[0]:
        _log_row(a, vp, a.log[n_logged], nav, time_s, h, sl, cl, so, co, wn, we, wd, tas_true,
                 alpha_t, beta_t, rho, engine_on, alt_dem, spd_dem, bank_cmd)  # fmt: skip
        n_logged += 1
    return done, health, n_logged


@njit(cache=True, inline="always")
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
        r_p = gx - held.gyro_bias_x
        r_q = gy - held.gyro_bias_y
        r_r = gz - held.gyro_bias_z
        r_ay = ay - held.accel_bias_y
    else:  # no valid sample this step: the last tick's mean
        r_p = st.imu.gx - held.gyro_bias_x
        r_q = st.imu.gy - held.gyro_bias_y
        r_r = st.imu.gz - held.gyro_bias_z
        r_ay = st.imu.ay - held.accel_bias_y
    de, da, dr = attitude_update(
        a.att, ap.attitude, vp.act, cfg.dt, held.bank_rad, held.pitch_rad, held.phi_rad,
        held.theta_rad, r_p, r_q, r_r, r_ay, held.tas_mps, held.eas2tas,
    )  # fmt: skip
    if a.tgt[tg.KIND] == tg.TK_PILOT:
        at, ac = ap.attitude, vp.act
        de, da, dr = pilot_surfaces(st.pilot, de, da, dr, held.phi_rad, held.theta_rad,
                                    at.roll_limit_rad, at.pitch_max_rad, at.pitch_min_rad,
                                    ac.de_max_rad, ac.da_max_rad, ac.dr_max_rad)  # fmt: skip
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
    step0: int,
    n_steps: int,
) -> tuple[int, int, int]:
    """Advance up to ``n_steps`` from the flight's step ``step0``; return (steps done, event
    code, log rows written). Time is ``step * dt`` from the integer step, so a flight cut
    into chunks anywhere computes the very same times as an uncut one."""
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
        time_s = step * dt
        engine_on = veh.engine_on

        # --- air mass and ground ----------------------------------------------------------
        if a.wind_grid.t_s.shape[0] == 0:  # constant or layered
            wn, we, wd = steady_wind_ned(h, a.wind_alt, a.wind_n, a.wind_e)
        elif step % cfg.div_ap == 0:  # a forecast grid: looked up each tick, held between
            wn, we = gridded_wind_ne(time_s, math.atan2(sl, cl), math.atan2(so, co), h,
                                     a.wind_grid)  # fmt: skip
            wd = 0.0
        else:
            wn, we, wd = a.env[0], a.env[1], 0.0
        wd += gust_down_mps(time_s, fa.gust_t0_s, fa.gust_len_s, fa.gust_amp_mps)
        a.env[0] = wn
        a.env[1] = we
        a.env[2] = wd
        ground = t[tg.GROUND_ALT]
        if a.terrain.heights_m.shape[0] > 0:  # the DEM under the aircraft
            ground = terrain_height_m(math.atan2(sl, cl), math.atan2(so, co), a.terrain, ground)
        a.env[ENV_GROUND_ALT] = ground
        agl = h - ground
        if cfg.severity > 0 and agl > 0.0:
            # at the navigation rate, and first whenever none were computed yet (by state and
            # step only: the same however the flight is cut into chunks)
            refresh = step % (cfg.div_nav * cfg.div_ap) == 0 or a.turb_c[8] == 0.0
            _turbulence(a.turb, a.turb_c, a.env, a.noise, rng, x, sl, cl, so, co, agl,
                        cfg.severity, dt, refresh)  # fmt: skip
        else:
            a.env[3] = a.env[4] = a.env[5] = 0.0

        # --- IMU (every step; the autopilot gets the mean of its samples since its last
        # tick, as an INS hands delta angles and velocities to the EKF) -----------------
        fbx, fby, fbz = specific_force_body(x, a.act, a.env, engine_on, a.work, a.xdot, vp.aero,
                                            vp.mass, vp.prop, vp.ground, sl, cl, so, co, h,
                                            step == 0)  # fmt: skip
        a.work[4, 0] = fbx  # for --truth-nav's TECS (the RK4 scratch row 4 is free here)
        draw_normals(rng, a.noise, IMU0, 6)
        gx, gy, gz, ax, ay, az = imu_sample_white(
            a.sens, a.noise[0:6], x[WP], x[WP + 1], x[WP + 2], fbx, fby, fbz, sp, dt
        )
        if fa.nan_mask & NAN_IMU:
            gx = math.nan
        imu_ok = math.isfinite(gx + gy + gz + ay)
        imu_accumulate(st.imu, st.health, gx, gy, gz, ax, ay, az)

        done = False
        health = False
        if step % cfg.div_ap == 0:  # --- autopilot tick --------------------------------
            # the autopilot's height over the ground it knows (home, the landing point)
            done, health, n_logged = _tick(a, vp, ap, sp, ep, cfg, rng, step, time_s, h, sl,
                                           cl, so, co, wn, we, wd, h - t[tg.GROUND_ALT],
                                           engine_on, n_logged)  # fmt: skip

        # --- attitude loops, actuators, physics ------------------------------------------
        _attitude_loops(a, vp, ap, cfg, gx, gy, gz, ay, fby, imu_ok)
        actuator_step(a.act, a.cmd, vp.act, dt)
        had_fuel = x[FUEL] > 0.0
        rk4_step(x, a.act, a.env, engine_on, AERO_ON, vp.aero, vp.mass, vp.prop, vp.ground, dt,
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
        ground = t[tg.GROUND_ALT]
        if a.terrain.heights_m.shape[0] > 0:
            ground = terrain_height_m(math.atan2(sl, cl), math.atan2(so, co), a.terrain, ground)
        agl_now = h - ground
        contact = agl_now <= vp.ground.reach_m and touching(x, sl, cl, so, co, h, ground, vp.ground)
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
                if kind != tg.TK_LAND and kind != tg.TK_PILOT:  # a pilot may land anywhere
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
        if st.landing.abort_code != 0:
            return k + 1, EV_GO_AROUND, n_logged
        if health:
            return k + 1, EV_HEALTH, n_logged
    return n_steps, EV_NONE, n_logged
