"""The sensors and the estimator at their rates, for the closed loop: IMU samples summed
between autopilot ticks (a non-finite one dropped where it enters), and at each tick the
EKF's prediction on their mean, then the GNSS, baro, pitot and magnetometer samples fused
at their rates (with the injected faults applied), and the navigation solution the
autopilot flies on (:class:`~longwing.sim.loop_types.NavSolution`)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.airdata_health import navigation_airspeed_mps, pitot_failed
from longwing.estimation.ekf import (
    EkfParams,
    airspeed_consistency,
    ekf_biases,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_output,
    ekf_predict,
)
from longwing.estimation.state import ALT as E_ALT
from longwing.estimation.state import LAT as E_LAT
from longwing.estimation.state import LON as E_LON
from longwing.geo.magfield import mag_field_ned_sc
from longwing.geo.wgs84 import ned_to_ecef_sc
from longwing.physics.state import QW
from longwing.sensors.baro import baro_sample
from longwing.sensors.gnss import gnss_sample
from longwing.sensors.mag import mag_sample
from longwing.sensors.noise import BARO0, GNSS0, MAG0, PITOT0
from longwing.sensors.params import SensorParams
from longwing.sensors.pitot import pitot_sample
from longwing.sim.faults import gnss_drift
from longwing.sim.loop_types import LoopArrays, LoopConfig, NavSolution, draw_normals
from longwing.sim.loopstate import NAN_BARO, NAN_GNSS, NAN_MAG, NAN_PITOT

WIND_KNOWN_SIGMA_MPS = 1.0  # the EKF knows the wind once its wind sigma is below this


@njit(cache=True, inline="always")
def imu_accumulate(imu, health, gx: float, gy: float, gz: float, ax: float, ay: float,
                    az: float) -> None:  # fmt: skip
    """Add a sample to the tick's sums; a non-finite one is dropped where it enters."""
    if math.isfinite(gx + gy + gz + ax + ay + az):
        imu.gx_sum += gx
        imu.gy_sum += gy
        imu.gz_sum += gz
        imu.ax_sum += ax
        imu.ay_sum += ay
        imu.az_sum += az
        imu.n += 1
    else:
        health.nan_inputs += 1


@njit(cache=True, inline="always")
def imu_tick_mean(imu, dt: float, dt_ap: float) -> float:
    """The mean of the tick's samples into ``gyro``/``accel`` (kept when there was none: the
    autopilot coasts on the last good mean); returns the time the samples span."""
    dt_imu = dt_ap
    if imu.n > 0:
        dt_imu = imu.n * dt
        imu.gx = imu.gx_sum / imu.n
        imu.gy = imu.gy_sum / imu.n
        imu.gz = imu.gz_sum / imu.n
        imu.ax = imu.ax_sum / imu.n
        imu.ay = imu.ay_sum / imu.n
        imu.az = imu.az_sum / imu.n
    imu.gx_sum = imu.gy_sum = imu.gz_sum = 0.0
    imu.ax_sum = imu.ay_sum = imu.az_sum = 0.0
    imu.n = 0
    return dt_imu


@njit(cache=True, inline="always")
def estimate(
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
    ekf_predict(xk, a.ekf_p, (imu.gx, imu.gy, imu.gz), (imu.ax, imu.ay, imu.az), dt_imu, ep)
    if tick % cfg.div_gnss == 0 and not fa.gnss_off:
        draw_normals(rng, ns, GNSS0, 6)
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
        draw_normals(rng, ns, BARO0, 2)
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
            draw_normals(rng, ns, PITOT0, 1)
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
        draw_normals(rng, ns, MAG0, 3)
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
        imu.ax - bax,
        n_tas,
        bgx,
        bgy,
        bgz,
        bay,
    )
    return nav, health_event
