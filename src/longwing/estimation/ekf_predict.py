"""Prediction: strapdown mechanisation on the rotating ellipsoid at every IMU sample.

The state follows every sample; the covariance follows in steps of at most
``cov_predict_max_dt_s`` (:mod:`longwing.estimation.ekf_covariance`), with the interval's
mean specific force accumulated here. Each step's increments are kept in a ring buffer for
the GNSS latency compensation (:mod:`longwing.estimation.fuse_gnss`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import (
    COS_LAT_MIN,
    Vec3,
    _set_quat,
    _update_dead_reckoning,
)
from longwing.estimation.ekf_covariance import _flush_covariance
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.state import (
    ALT,
    BAX,
    BGX,
    COV_DT,
    COV_F,
    HIST0,
    HIST_COUNT,
    HIST_FIELDS,
    HIST_HEAD,
    HIST_LEN,
    LAT,
    LON,
    N_IMU_SKIPPED,
    QW,
    T_IMU_SKIPPED,
    T_S,
    VD,
    VE,
    VN,
    YAW_RATE,
)
from longwing.geo.gravity import gravity_ned_sc
from longwing.geo.rotation import quat_mul, quat_rotate, quat_rotate_inv, rotvec_to_quat
from longwing.geo.wgs84 import OMEGA_EARTH_RADPS, radii_of_curvature
from longwing.mathx import wrap_pi


@njit(cache=True)
def _imu_ok(gyro: Vec3, accel: Vec3, dt: float, p: EkfParams) -> bool:
    """The IMU sample is finite and plausible (comparisons with NaN are False)."""
    if not 0.0 < dt <= p.imu_max_dt_s:
        return False
    for k in range(3):
        if not abs(gyro[k]) <= p.imu_max_rate_radps:
            return False
        if not abs(accel[k]) <= p.imu_max_accel_mps2:
            return False
    return True


@njit(cache=True)
def ekf_predict(
    xk: np.ndarray,
    P: np.ndarray,
    gyro_radps: Vec3,
    accel_mps2: Vec3,
    dt: float,
    params: EkfParams,
) -> None:
    """Advance the filter by one IMU sample held over ``dt`` seconds (state and covariance).

    ``gyro_radps``: inertial angular rate in body axes (+ bias + noise), rad/s.
    ``accel_mps2``: specific force in body axes (+ bias + noise), m/s^2.

    A sample with a NaN/inf or implausible component (beyond ``params.imu_max_rate_radps``,
    ``params.imu_max_accel_mps2``) or a ``dt`` outside (0, ``params.imu_max_dt_s``] is
    skipped: state, covariance and filter time are left exactly as they were (the filter time
    is the integrated IMU time); it is counted in ``N_IMU_SKIPPED`` with its time in
    ``T_IMU_SKIPPED`` (:func:`ekf_health`).
    """
    if not _imu_ok(gyro_radps, accel_mps2, dt, params):
        xk[N_IMU_SKIPPED] += 1.0
        xk[T_IMU_SKIPPED] = xk[T_S]
        return
    lat, h = xk[LAT], xk[ALT]
    vn, ve, vd = xk[VN], xk[VE], xk[VD]
    wx = gyro_radps[0] - xk[BGX]
    wy = gyro_radps[1] - xk[BGX + 1]
    wz = gyro_radps[2] - xk[BGX + 2]
    fx = accel_mps2[0] - xk[BAX]
    fy = accel_mps2[1] - xk[BAX + 1]
    fz = accel_mps2[2] - xk[BAX + 2]

    sl, cl = math.sin(lat), math.cos(lat)
    cl = max(cl, COS_LAT_MIN)
    m_rad, n_rad = radii_of_curvature(lat)
    rm = m_rad + h
    rn = n_rad + h
    # Earth rate and transport rate, NED
    wie_n = OMEGA_EARTH_RADPS * cl
    wie_d = -OMEGA_EARTH_RADPS * sl
    wen_n = ve / rn
    wen_e = -vn / rm
    wen_d = -ve * sl / (cl * rn)

    # attitude: body increment minus the rotation of the navigation frame
    q0, q1, q2, q3 = xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3]
    bx, by, bz = quat_rotate_inv(q0, q1, q2, q3, wie_n + wen_n, wen_e, wie_d + wen_d)
    d0, d1, d2, d3 = rotvec_to_quat((wx - bx) * dt, (wy - by) * dt, (wz - bz) * dt)
    n0, n1, n2, n3 = quat_mul(q0, q1, q2, q3, d0, d1, d2, d3)
    _, _, xk[YAW_RATE] = quat_rotate(q0, q1, q2, q3, wx - bx, wy - by, wz - bz)
    # specific force in NED with the mid-step attitude
    an, ae, ad = quat_rotate(q0, q1, q2, q3, fx, fy, fz)
    cn, ce, cd = quat_rotate(n0, n1, n2, n3, fx, fy, fz)
    fn = 0.5 * (an + cn)
    fe = 0.5 * (ae + ce)
    fd = 0.5 * (ad + cd)
    _set_quat(xk, n0, n1, n2, n3)

    # velocity: specific force + gravity - Coriolis and transport-rate terms
    gn, ge, gd = gravity_ned_sc(sl, cl, h)
    on = 2.0 * wie_n + wen_n
    oe = wen_e
    od = 2.0 * wie_d + wen_d
    an_ = fn + gn - (oe * vd - od * ve)
    ae_ = fe + ge - (od * vn - on * vd)
    ad_ = fd + gd - (on * ve - oe * vn)
    vn1 = vn + an_ * dt
    ve1 = ve + ae_ * dt
    vd1 = vd + ad_ * dt
    xk[VN] = vn1
    xk[VE] = ve1
    xk[VD] = vd1
    dlat = 0.5 * (vn + vn1) / rm * dt
    dlon = 0.5 * (ve + ve1) / (rn * cl) * dt
    dh = -0.5 * (vd + vd1) * dt
    xk[LAT] = lat + dlat
    xk[LON] = wrap_pi(xk[LON] + dlon)
    xk[ALT] = h + dh
    xk[T_S] += dt
    _update_dead_reckoning(xk, params)

    # increment history for delayed measurements
    head = (int(xk[HIST_HEAD]) + 1) % HIST_LEN
    xk[HIST_HEAD] = head
    xk[HIST_COUNT] = min(xk[HIST_COUNT] + 1.0, float(HIST_LEN))
    r = HIST0 + head * HIST_FIELDS
    xk[r] = dt
    xk[r + 1] = dlat
    xk[r + 2] = dlon
    xk[r + 3] = dh
    xk[r + 4] = vn1 - vn
    xk[r + 5] = ve1 - ve
    xk[r + 6] = vd1 - vd

    # the covariance follows in one step per interval (see _flush_covariance)
    xk[COV_DT] += dt
    xk[COV_F] += fn * dt
    xk[COV_F + 1] += fe * dt
    xk[COV_F + 2] += fd * dt
    if xk[COV_DT] >= params.cov_predict_max_dt_s:
        _flush_covariance(xk, P, params)
