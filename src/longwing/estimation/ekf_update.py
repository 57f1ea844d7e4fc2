"""The measurement update every fusion shares.

A fusion writes each scalar measurement's row of H into the scratch area of ``xk``
(:func:`_clear_h`), tests it with :func:`_innov_var`, and fuses a group of scalars between
:func:`_begin_group` and :func:`_inject`: sequential scalar updates (:func:`_fuse_scalar`, no
matrix inverse, optional Schmidt consider states) accumulate the error estimate, which is
then added to the nominal state and reset to zero.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import COS_LAT_MIN, _set_quat
from longwing.estimation.ekf_covariance import _limit_variances
from longwing.estimation.state import (
    ALT,
    BARO_BIAS,
    BAX,
    BGX,
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
    MBX,
    N_ERR,
    N_NUMERICAL,
    QW,
    SCR_DX,
    SCR_H,
    SCR_PHT,
    VN,
    WE,
    WN,
)
from longwing.geo.rotation import quat_mul, rotvec_to_quat
from longwing.geo.wgs84 import radii_of_curvature
from longwing.mathx import wrap_pi


@njit(cache=True, inline="always")
def _clear_h(xk: np.ndarray) -> None:
    for i in range(N_ERR):
        xk[SCR_H + i] = 0.0


@njit(cache=True)
def _innov_var(xk: np.ndarray, P: np.ndarray, r_var: float) -> float:
    """H P H^T + R for the measurement row in the scratch area."""
    s = r_var
    for i in range(N_ERR):
        hi = xk[SCR_H + i]
        if hi != 0.0:
            for j in range(N_ERR):
                hj = xk[SCR_H + j]
                if hj != 0.0:
                    s += hi * P[i, j] * hj
    return s


# c0 = c1 = 0 (no consider states) as a numpy integer: numba specialises a jitted callee on
# a literal int argument, so passing a bare 0 would compile _fuse_scalar once more
NO_CONSIDER = np.int64(0)


@njit(cache=True)
def _fuse_scalar(
    xk: np.ndarray, P: np.ndarray, innov: float, r_var: float, c0: int, c1: int
) -> bool:
    """One sequential scalar update with the measurement row in the scratch area.

    ``innov`` is z - h(nominal state); it is corrected here for the error already estimated
    by earlier scalars of the same group (accumulated in the scratch dx). Error states
    ``c0 <= i < c1`` are *consider* states (Schmidt-Kalman): their uncertainty enters the
    innovation variance and their cross-covariances are updated, but their estimate and
    their own covariance block are left unchanged (pass c0 = c1 for a plain update).
    Returns False (and counts a numerical fault) if the update would make a variance negative.
    """
    y = innov
    for j in range(N_ERR):
        y -= xk[SCR_H + j] * xk[SCR_DX + j]
    # P H^T as a sum of the rows of P (= its columns, P being symmetric) picked by the
    # non-zero entries of H: no reduction chain, so the inner loop vectorises
    for i in range(N_ERR):
        xk[SCR_PHT + i] = 0.0
    for j in range(N_ERR):
        hj = xk[SCR_H + j]
        if hj != 0.0:
            for i in range(N_ERR):
                xk[SCR_PHT + i] += P[j, i] * hj
    s = r_var
    for i in range(N_ERR):
        s += xk[SCR_H + i] * xk[SCR_PHT + i]
    if not s > 0.0:
        xk[N_NUMERICAL] += 1.0
        return False
    for i in range(N_ERR):
        if xk[SCR_PHT + i] * xk[SCR_PHT + i] / s > P[i, i] and not c0 <= i < c1:
            xk[N_NUMERICAL] += 1.0
            return False
    inv_s = 1.0 / s
    for i in range(N_ERR):
        if not c0 <= i < c1:
            xk[SCR_DX + i] += xk[SCR_PHT + i] * inv_s * y
    # P <- P - K (P H^T)^T, leaving the consider block alone (branch-free outside its rows)
    for i in range(N_ERR):
        ki = xk[SCR_PHT + i] * inv_s
        if c0 <= i < c1:
            for j in range(N_ERR):
                if not c0 <= j < c1:
                    P[i, j] -= ki * xk[SCR_PHT + j]
        else:
            for j in range(N_ERR):
                P[i, j] -= ki * xk[SCR_PHT + j]
    return True


@njit(cache=True, inline="always")
def _begin_group(xk: np.ndarray) -> None:
    for i in range(N_ERR):
        xk[SCR_DX + i] = 0.0


@njit(cache=True)
def _inject(xk: np.ndarray, P: np.ndarray) -> None:
    """Add the accumulated error estimate to the nominal state and reset it to zero."""
    dx = SCR_DX
    # attitude: C_true = (I + [dtheta x]) C_est  ->  q <- exp(dtheta) (x) q
    d0, d1, d2, d3 = rotvec_to_quat(xk[dx + E_TH], xk[dx + E_TH + 1], xk[dx + E_TH + 2])
    q0, q1, q2, q3 = quat_mul(d0, d1, d2, d3, xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3])
    _set_quat(xk, q0, q1, q2, q3)
    for i in range(3):
        xk[VN + i] += xk[dx + E_V + i]
        xk[BGX + i] += xk[dx + E_BG + i]
        xk[BAX + i] += xk[dx + E_BA + i]
        xk[MBX + i] += xk[dx + E_MB + i]
    m_rad, n_rad = radii_of_curvature(xk[LAT])
    h = xk[ALT]
    xk[LAT] += xk[dx + E_P] / (m_rad + h)
    xk[LON] = wrap_pi(
        xk[LON] + xk[dx + E_P + 1] / ((n_rad + h) * max(math.cos(xk[LAT]), COS_LAT_MIN))
    )
    xk[ALT] -= xk[dx + E_P + 2]
    xk[WN] += xk[dx + E_W]
    xk[WE] += xk[dx + E_W + 1]
    xk[BARO_BIAS] += xk[dx + E_BB]
    for i in range(N_ERR):
        xk[dx + i] = 0.0
    # the scalar updates keep P symmetric to rounding; the covariance prediction (at most
    # cov_predict_max_dt_s later) symmetrises it
    _limit_variances(P)
