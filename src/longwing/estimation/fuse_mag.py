"""3-axis magnetometer fusion, with the body-axis bias a consider state in straight flight
(ArduPilot: AP_NavEKF3_MagFusion).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import Vec3, _dcm_nb, _record, _record_nonfinite
from longwing.estimation.ekf_covariance import _flush_covariance
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.ekf_update import (
    _begin_group,
    _clear_h,
    _fuse_scalar,
    _inject,
    _innov_var,
)
from longwing.estimation.state import (
    CH_MAG,
    E_MB,
    E_TH,
    MBX,
    SCR_H,
    YAW_RATE,
)


@njit(cache=True, inline="always")
def _finite3(v: Vec3) -> bool:
    return math.isfinite(v[0]) and math.isfinite(v[1]) and math.isfinite(v[2])


@njit(cache=True)
def _mag_row(xk: np.ndarray, c: tuple, k: int, bn: float, be: float, bd: float) -> float:
    """Write the measurement row of mag axis ``k``; return the predicted reading (gauss)."""
    r0, r1, r2 = c[k], c[3 + k], c[6 + k]  # C_bn row k
    _clear_h(xk)
    xk[SCR_H + E_TH] = r1 * bd - r2 * be
    xk[SCR_H + E_TH + 1] = r2 * bn - r0 * bd
    xk[SCR_H + E_TH + 2] = r0 * be - r1 * bn
    xk[SCR_H + E_MB + k] = 1.0
    return r0 * bn + r1 * be + r2 * bd + xk[MBX + k]


@njit(cache=True)
def ekf_fuse_mag(
    xk: np.ndarray,
    P: np.ndarray,
    mag_body: Vec3,
    field_ned: Vec3,
    params: EkfParams,
) -> float:
    """Fuse a 3-axis magnetometer reading (gauss) against the reference field (NED, gauss).

    m_b = C_bn B_n + b_m; observes attitude (mostly heading) and the body mag bias.
    ``field_ned`` is the model field at the current position
    (``longwing.geo.magfield.mag_field_ned``). Returns the largest per-axis test ratio; all
    three axes are rejected if it exceeds 1.

    The bias is learnt only while the vehicle turns (|yaw rate| >=
    ``params.mag_bias_learn_min_yaw_rate_radps``). In straight flight bias and heading are
    not separable; estimating both there lets the EKF's re-linearisation invent heading
    information (the classic inconsistency), so the bias is then treated as a Schmidt
    *consider* state: its uncertainty limits what the magnetometer says about the heading,
    correctly for a constant error, but the reading does not change the bias estimate.

    A reading or reference field with a NaN/inf component is dropped (state and covariance
    untouched, returns 0) and counted (``F_N_NONFINITE``).
    """
    if not (_finite3(mag_body) and _finite3(field_ned)):
        _record_nonfinite(xk, CH_MAG)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    c = _dcm_nb(xk)
    bn, be, bd = field_ned[0], field_ned[1], field_ned[2]
    r = p.mag_gauss**2
    gate2 = p.mag_gate**2
    ratio = 0.0
    for k in range(3):
        pred = _mag_row(xk, c, k, bn, be, bd)
        innov = mag_body[k] - pred
        s = _innov_var(xk, P, r)
        ratio = max(ratio, innov * innov / (gate2 * s))
    ok = ratio <= 1.0
    _record(xk, CH_MAG, ratio, ok)
    # the bias is only observable while the body turns in the field; otherwise it is a
    # consider state (see the docstring)
    c0 = np.int64(E_MB)  # a numpy int: one compiled _fuse_scalar (see NO_CONSIDER)
    c_n = 0 if abs(xk[YAW_RATE]) >= p.mag_bias_learn_min_yaw_rate_radps else 3
    if ok:
        _begin_group(xk)
        for k in range(3):
            pred = _mag_row(xk, c, k, bn, be, bd)
            _fuse_scalar(xk, P, mag_body[k] - pred, r, c0, c0 + c_n)
        _inject(xk, P)
    return ratio
