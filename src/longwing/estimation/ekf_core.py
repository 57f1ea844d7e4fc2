"""Pieces every stage of the navigation EKF shares.

The input vector type, nominal-state helpers (C_nb, the normalised quaternion write), the
per-channel fusion records (test ratio, counts and times of each aiding channel;
layout in :mod:`longwing.estimation.state`) and the dead-reckoning flag (see
:func:`~longwing.estimation.ekf_output.ekf_dead_reckoning`).

Names with a leading underscore here and in the other ``ekf_*``/``fuse_*`` modules are
private to :mod:`longwing.estimation`; the public API is :mod:`longwing.estimation.ekf`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.state import (
    CH0,
    CH_FIELDS,
    CH_GNSS_POS_H,
    CH_GNSS_VEL,
    F_N_CONSEC_REJ,
    F_N_FUSED,
    F_N_NONFINITE,
    F_N_REJECTED,
    F_T_LAST_OK,
    F_T_NONFINITE,
    F_T_REJ_START,
    F_TEST_RATIO,
    FLAG_DEAD_RECKONING,
    FLAGS,
    QW,
    T_DR_START,
    T_S,
)

Vec3 = np.ndarray | tuple[float, float, float]  # float64[3] array or a tuple of 3 floats

COS_LAT_MIN = 1.0e-4  # |lat| < 89.99 deg keeps the longitude rate finite


@njit(cache=True, inline="always")
def _dcm_nb(xk: np.ndarray) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Row-major C_nb (body -> NED) of the quaternion in ``xk``."""
    q0, q1, q2, q3 = xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3]
    return (
        q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3,
        2.0 * (q1 * q2 - q0 * q3),
        2.0 * (q1 * q3 + q0 * q2),
        2.0 * (q1 * q2 + q0 * q3),
        q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3,
        2.0 * (q2 * q3 - q0 * q1),
        2.0 * (q1 * q3 - q0 * q2),
        2.0 * (q2 * q3 + q0 * q1),
        q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
    )


@njit(cache=True, inline="always")
def _set_quat(xk: np.ndarray, q0: float, q1: float, q2: float, q3: float) -> None:
    n = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
    if q0 < 0.0:
        n = -n
    xk[QW] = q0 / n
    xk[QW + 1] = q1 / n
    xk[QW + 2] = q2 / n
    xk[QW + 3] = q3 / n


@njit(cache=True, inline="always")
def _ch(ch: int, field: int) -> int:
    return CH0 + ch * CH_FIELDS + field


@njit(cache=True, inline="always")
def _record(xk: np.ndarray, ch: int, ratio: float, accepted: bool) -> None:
    """Book-keep one fusion attempt of channel ``ch``."""
    xk[_ch(ch, F_TEST_RATIO)] = ratio
    if accepted:
        xk[_ch(ch, F_N_FUSED)] += 1.0
        xk[_ch(ch, F_T_LAST_OK)] = xk[T_S]
        xk[_ch(ch, F_N_CONSEC_REJ)] = 0.0
    else:
        xk[_ch(ch, F_N_REJECTED)] += 1.0
        if xk[_ch(ch, F_N_CONSEC_REJ)] == 0.0:
            xk[_ch(ch, F_T_REJ_START)] = xk[T_S]
        xk[_ch(ch, F_N_CONSEC_REJ)] += 1.0


@njit(cache=True, inline="always")
def _rejected_for(xk: np.ndarray, ch: int) -> float:
    """Time the channel has been rejected continuously (0 if its last attempt passed), s."""
    if xk[_ch(ch, F_N_CONSEC_REJ)] == 0.0:
        return 0.0
    return xk[T_S] - xk[_ch(ch, F_T_REJ_START)]


@njit(cache=True, inline="always")
def _record_nonfinite(xk: np.ndarray, ch: int) -> None:
    """Book-keep a measurement of channel ``ch`` dropped for a NaN/inf input."""
    xk[_ch(ch, F_N_NONFINITE)] += 1.0
    xk[_ch(ch, F_T_NONFINITE)] = xk[T_S]


@njit(cache=True, inline="always")
def _t_gnss_fused(xk: np.ndarray) -> float:
    """Filter time of the last accepted GNSS horizontal position or velocity, s."""
    return max(xk[_ch(CH_GNSS_POS_H, F_T_LAST_OK)], xk[_ch(CH_GNSS_VEL, F_T_LAST_OK)])


@njit(cache=True, inline="always")
def _is_dead_reckoning(xk: np.ndarray) -> bool:
    return int(xk[FLAGS]) & FLAG_DEAD_RECKONING != 0


@njit(cache=True)
def _update_dead_reckoning(xk: np.ndarray, p: EkfParams) -> None:
    """Set or clear FLAG_DEAD_RECKONING from the time since the last GNSS fusion."""
    dr = xk[T_S] - _t_gnss_fused(xk) > p.dead_reckoning_after_s
    flags = int(xk[FLAGS])
    if dr and flags & FLAG_DEAD_RECKONING == 0:
        xk[FLAGS] = flags | FLAG_DEAD_RECKONING
        xk[T_DR_START] = xk[T_S]
    elif not dr and flags & FLAG_DEAD_RECKONING != 0:
        xk[FLAGS] = flags & ~FLAG_DEAD_RECKONING
