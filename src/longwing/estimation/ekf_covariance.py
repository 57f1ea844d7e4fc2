"""Covariance of the error state: prediction and bookkeeping.

``P <- F P F^T + Q`` with ``F = I + A dt`` as sparse in-place row and column operations
(:func:`_predict_covariance`), run over the time the state has been predicted since the last
step (:func:`_flush_covariance`: at most ``cov_predict_max_dt_s`` apart and before every
fusion, as ArduPilot's EKF3 predicts its covariance at a lower rate than its state), and the
bookkeeping that keeps P symmetric and its variances within their block's limits (EKF3's
ForceSymmetry and ConstrainVariances).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import _dcm_nb, _is_dead_reckoning
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.state import (
    COV_DT,
    COV_F,
    E_BA,
    E_BB,
    E_BG,
    E_MB,
    E_P,
    E_TH,
    E_V,
    E_W,
    N_ERR,
)

# variance limits per error-state block: (min, max)
VAR_LIMITS = (
    (1.0e-12, 1.0),  # attitude, rad^2
    (1.0e-8, 1.0e4),  # velocity, (m/s)^2
    (1.0e-6, 1.0e12),  # position, m^2
    (1.0e-16, 1.0e-2),  # gyro bias, (rad/s)^2
    (1.0e-12, 1.0),  # accel bias, (m/s^2)^2
    (1.0e-6, 900.0),  # wind, (m/s)^2
    (1.0e-6, 1.0e6),  # baro bias, m^2
    (1.0e-14, 0.25),  # mag bias, gauss^2
)
BLOCK_OF_ERR = (0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 7, 7)
# the same per error state (read-only constants the kernels inline)
_VAR_LO = np.array([VAR_LIMITS[b][0] for b in BLOCK_OF_ERR])
_VAR_HI = np.array([VAR_LIMITS[b][1] for b in BLOCK_OF_ERR])
_VAR_LO.setflags(write=False)
_VAR_HI.setflags(write=False)


@njit(cache=True)
def _limit_variances(P: np.ndarray) -> None:
    """Keep every variance within its block's limits (P stays PSD)."""
    for i in range(N_ERR):
        lo = _VAR_LO[i]
        v = P[i, i]
        if not v >= lo:  # also catches NaN
            for j in range(N_ERR):
                P[i, j] = 0.0
                P[j, i] = 0.0
            P[i, i] = lo
        elif v > _VAR_HI[i]:
            s = math.sqrt(_VAR_HI[i] / v)
            for j in range(N_ERR):
                P[i, j] *= s
                P[j, i] *= s
            P[i, i] = _VAR_HI[i]


@njit(cache=True)
def _constrain(P: np.ndarray) -> None:
    """Symmetrise P and keep every variance within its block's limits (P stays PSD)."""
    n = N_ERR
    for i in range(n):
        for j in range(i + 1, n):
            a = 0.5 * (P[i, j] + P[j, i])
            P[i, j] = a
            P[j, i] = a
    _limit_variances(P)


@njit(cache=True, inline="always")
def _zero_cross(P: np.ndarray, i: int, var: float) -> None:
    """Decorrelate error state ``i`` from all others and set its variance."""
    for j in range(N_ERR):
        P[i, j] = 0.0
        P[j, i] = 0.0
    P[i, i] = var


@njit(cache=True)
def _flush_covariance(xk: np.ndarray, P: np.ndarray, p: EkfParams) -> None:
    """Propagate P over the time predicted since the last covariance step, in one step.

    The state follows every IMU sample; the covariance, the costly part, follows in steps of
    at most ``cov_predict_max_dt_s`` and always before a fusion, with the interval's mean
    specific force (ArduPilot's EKF3 likewise predicts the covariance at a lower rate than
    the state, up to 0.1 s apart). Over <= 50 ms the transition is still first order:
    |A dt| <= 0.5 only in the tilt-to-velocity block, whose second-order term the
    process noise dominates.
    """
    t = xk[COV_DT]
    if t <= 0.0:
        return
    _predict_covariance(xk, P, xk[COV_F] / t, xk[COV_F + 1] / t, xk[COV_F + 2] / t, t, p)
    xk[COV_DT] = 0.0
    xk[COV_F] = 0.0
    xk[COV_F + 1] = 0.0
    xk[COV_F + 2] = 0.0


@njit(cache=True)
def _predict_covariance(
    xk: np.ndarray, P: np.ndarray, fn: float, fe: float, fd: float, dt: float, p: EkfParams
) -> None:
    """P <- F P F^T + Q, F = I + A dt, as sparse in-place row then column operations.

    Non-zero blocks of A: A[P, V] = I; A[V, TH] = -[f_n x]; A[V, BA] = -C_nb;
    A[TH, BG] = -C_nb. Rows are updated in an order that only reads rows not yet updated
    (P, then V, then TH), and the same for columns.
    """
    c = _dcm_nb(xk)
    n = N_ERR
    # -[f x] = [[0, fd, -fe], [-fd, 0, fn], [fe, -fn, 0]]. The yaw column couples the heading
    # error into velocity through the horizontal specific force; in unaccelerated flight that
    # force is mostly the estimate's own tilt error (noise), which would feed the filter
    # false heading information. A dead band keeps manoeuvres (turns: g tan(bank)) and drops
    # the noise.
    fh = math.sqrt(fn * fn + fe * fe)
    k_yaw = max(0.0, fh - p.yaw_accel_deadband_mps2) / fh if fh > 0.0 else 0.0
    m00, m01, m02 = 0.0, fd, -fe * k_yaw
    m10, m11, m12 = -fd, 0.0, fn * k_yaw
    m20, m21, m22 = fe, -fn, 0.0
    # rows: F P
    for j in range(n):
        for i in range(3):
            P[E_P + i, j] += dt * P[E_V + i, j]
        t0, t1, t2 = P[E_TH, j], P[E_TH + 1, j], P[E_TH + 2, j]
        a0, a1, a2 = P[E_BA, j], P[E_BA + 1, j], P[E_BA + 2, j]
        P[E_V, j] += dt * (m00 * t0 + m01 * t1 + m02 * t2 - (c[0] * a0 + c[1] * a1 + c[2] * a2))
        P[E_V + 1, j] += dt * (m10 * t0 + m11 * t1 + m12 * t2 - (c[3] * a0 + c[4] * a1 + c[5] * a2))
        P[E_V + 2, j] += dt * (m20 * t0 + m21 * t1 + m22 * t2 - (c[6] * a0 + c[7] * a1 + c[8] * a2))
        g0, g1, g2 = P[E_BG, j], P[E_BG + 1, j], P[E_BG + 2, j]
        P[E_TH, j] -= dt * (c[0] * g0 + c[1] * g1 + c[2] * g2)
        P[E_TH + 1, j] -= dt * (c[3] * g0 + c[4] * g1 + c[5] * g2)
        P[E_TH + 2, j] -= dt * (c[6] * g0 + c[7] * g1 + c[8] * g2)
    # columns: (F P) F^T
    for i in range(n):
        for k in range(3):
            P[i, E_P + k] += dt * P[i, E_V + k]
        t0, t1, t2 = P[i, E_TH], P[i, E_TH + 1], P[i, E_TH + 2]
        a0, a1, a2 = P[i, E_BA], P[i, E_BA + 1], P[i, E_BA + 2]
        P[i, E_V] += dt * (m00 * t0 + m01 * t1 + m02 * t2 - (c[0] * a0 + c[1] * a1 + c[2] * a2))
        P[i, E_V + 1] += dt * (m10 * t0 + m11 * t1 + m12 * t2 - (c[3] * a0 + c[4] * a1 + c[5] * a2))
        P[i, E_V + 2] += dt * (m20 * t0 + m21 * t1 + m22 * t2 - (c[6] * a0 + c[7] * a1 + c[8] * a2))
        g0, g1, g2 = P[i, E_BG], P[i, E_BG + 1], P[i, E_BG + 2]
        P[i, E_TH] -= dt * (c[0] * g0 + c[1] * g1 + c[2] * g2)
        P[i, E_TH + 1] -= dt * (c[3] * g0 + c[4] * g1 + c[5] * g2)
        P[i, E_TH + 2] -= dt * (c[6] * g0 + c[7] * g1 + c[8] * g2)
    # process noise
    q_th = p.gyro_noise_radps_rthz**2 * dt
    q_v = p.accel_noise_mps2_rthz**2 * dt
    q_bg = p.gyro_bias_rw_radps_rts**2 * dt
    q_ba = p.accel_bias_rw_mps2_rts**2 * dt
    q_mb = p.mag_bias_rw_gauss_rts**2 * dt
    for i in range(3):
        P[E_TH + i, E_TH + i] += q_th
        P[E_V + i, E_V + i] += q_v
        P[E_BG + i, E_BG + i] += q_bg
        P[E_BA + i, E_BA + i] += q_ba
        P[E_MB + i, E_MB + i] += q_mb
    # the wind is frozen while dead reckoning (see ekf_dead_reckoning)
    w_rw = p.dead_reckoning_wind_rw_mps_rts if _is_dead_reckoning(xk) else p.wind_rw_mps_rts
    q_w = w_rw * w_rw * dt
    P[E_W, E_W] += q_w
    P[E_W + 1, E_W + 1] += q_w
    P[E_BB, E_BB] += p.baro_bias_rw_m_rts**2 * dt
    _constrain(P)
