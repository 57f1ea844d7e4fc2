"""Allocation and (re)initialisation of the filter arrays ``(xk, P)``."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import Vec3, _set_quat
from longwing.estimation.ekf_covariance import _constrain
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.state import (
    A_T_PREV,
    AIR0,
    AIR_FIELDS,
    ALT,
    E_BA,
    E_BB,
    E_BG,
    E_MB,
    E_P,
    E_TH,
    E_V,
    E_W,
    LAT,
    LON,
    N_ERR,
    QW,
    VD,
    VE,
    VN,
    XK_SIZE,
)
from longwing.geo.rotation import euler_to_quat
from longwing.mathx import wrap_pi


def new_ekf(params: EkfParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Allocate the filter arrays ``(xk, P)`` once per run (level attitude, zero covariance).

    Call :func:`ekf_init` (or :func:`ekf_init_from_sensors`) before the first prediction.
    ``params`` is accepted for symmetry with the other entry points (the sizes are fixed).
    """
    xk = np.zeros(XK_SIZE)
    xk[QW] = 1.0
    for ach in range(2):
        xk[AIR0 + ach * AIR_FIELDS + A_T_PREV] = -1.0
    return xk, np.zeros((N_ERR, N_ERR))


@njit(cache=True)
def ekf_init(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    roll_rad: float,
    pitch_rad: float,
    yaw_rad: float,
    params: EkfParams,
) -> None:
    """(Re)start the filter at a geodetic position, NED velocity and attitude.

    Biases and wind start at zero; the covariance is diagonal from the ``init_*`` sigmas of
    ``params``; counters, history and time are cleared.
    """
    for i in range(XK_SIZE):
        xk[i] = 0.0
    for ach in range(2):
        xk[AIR0 + ach * AIR_FIELDS + A_T_PREV] = -1.0  # no air-data sample yet
    xk[LAT] = lat_rad
    xk[LON] = wrap_pi(lon_rad)
    xk[ALT] = alt_m
    xk[VN] = vn_mps
    xk[VE] = ve_mps
    xk[VD] = vd_mps
    q0, q1, q2, q3 = euler_to_quat(roll_rad, pitch_rad, yaw_rad)
    _set_quat(xk, q0, q1, q2, q3)
    for i in range(N_ERR):
        for j in range(N_ERR):
            P[i, j] = 0.0
    p = params
    P[E_TH, E_TH] = p.init_tilt_rad**2
    P[E_TH + 1, E_TH + 1] = p.init_tilt_rad**2
    P[E_TH + 2, E_TH + 2] = p.init_yaw_rad**2
    for i in range(3):
        P[E_V + i, E_V + i] = p.init_vel_mps**2
        P[E_BG + i, E_BG + i] = p.init_gyro_bias_radps**2
        P[E_BA + i, E_BA + i] = p.init_accel_bias_mps2**2
        P[E_MB + i, E_MB + i] = p.init_mag_bias_gauss**2
    P[E_P, E_P] = p.init_pos_h_m**2
    P[E_P + 1, E_P + 1] = p.init_pos_h_m**2
    P[E_P + 2, E_P + 2] = p.init_pos_v_m**2
    P[E_W, E_W] = p.init_wind_mps**2
    P[E_W + 1, E_W + 1] = p.init_wind_mps**2
    P[E_BB, E_BB] = p.init_baro_bias_m**2
    _constrain(P)


@njit(cache=True)
def attitude_from_sensors(
    accel_mps2: Vec3, mag_body: Vec3, field_ned: Vec3
) -> tuple[float, float, float]:
    """Roll, pitch from the gravity direction and yaw from the magnetometer (rad).

    Valid when the vehicle is not accelerating (on the ground, or steady straight flight);
    the magnetometer bias is taken as zero and the declination comes from ``field_ned``.
    """
    ax, ay, az = accel_mps2[0], accel_mps2[1], accel_mps2[2]
    roll = math.atan2(-ay, -az)
    pitch = math.atan2(ax, math.sqrt(ay * ay + az * az))
    cr, sr = math.cos(roll), math.sin(roll)
    cp, sp = math.cos(pitch), math.sin(pitch)
    mx, my, mz = mag_body[0], mag_body[1], mag_body[2]
    mxh = mx * cp + my * sr * sp + mz * cr * sp
    myh = my * cr - mz * sr
    decl = math.atan2(field_ned[1], field_ned[0])
    yaw = wrap_pi(math.atan2(-myh, mxh) + decl)
    return roll, pitch, yaw


@njit(cache=True)
def ekf_init_from_sensors(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    accel_mps2: Vec3,
    mag_body: Vec3,
    field_ned: Vec3,
    params: EkfParams,
) -> None:
    """:func:`ekf_init` with the attitude from :func:`attitude_from_sensors`."""
    roll, pitch, yaw = attitude_from_sensors(accel_mps2, mag_body, field_ned)
    ekf_init(xk, P, lat_rad, lon_rad, alt_m, vn_mps, ve_mps, vd_mps, roll, pitch, yaw, params)
