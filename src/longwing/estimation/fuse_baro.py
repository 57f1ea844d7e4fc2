"""Baro altitude fusion: baro_alt = h + baro_bias (the bias from the first sample)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import _record, _record_nonfinite
from longwing.estimation.ekf_covariance import _flush_covariance, _zero_cross
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.ekf_update import (
    NO_CONSIDER,
    _begin_group,
    _clear_h,
    _fuse_scalar,
    _inject,
    _innov_var,
)
from longwing.estimation.state import (
    ALT,
    BARO_BIAS,
    CH_BARO,
    E_BB,
    E_P,
    FLAG_BARO_INIT,
    FLAGS,
    SCR_H,
)


@njit(cache=True)
def ekf_fuse_baro(xk: np.ndarray, P: np.ndarray, baro_alt_m: float, params: EkfParams) -> float:
    """Fuse a baro (pressure) altitude: baro_alt = h + baro_bias. Returns the test ratio.

    The first sample initialises the baro bias (ratio 0). A NaN/inf sample is dropped
    (state and covariance untouched, returns 0) and counted (``F_N_NONFINITE``).
    """
    if not math.isfinite(baro_alt_m):
        _record_nonfinite(xk, CH_BARO)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    r = p.baro_m**2
    flags = int(xk[FLAGS])
    if flags & FLAG_BARO_INIT == 0:
        xk[BARO_BIAS] = baro_alt_m - xk[ALT]
        _zero_cross(P, E_BB, P[E_P + 2, E_P + 2] + r)
        xk[FLAGS] = flags | FLAG_BARO_INIT
        _record(xk, CH_BARO, 0.0, True)
        return 0.0
    innov = baro_alt_m - (xk[ALT] + xk[BARO_BIAS])
    _clear_h(xk)
    xk[SCR_H + E_P + 2] = -1.0
    xk[SCR_H + E_BB] = 1.0
    s = _innov_var(xk, P, r)
    ratio = innov * innov / (p.baro_gate**2 * s)
    ok = ratio <= 1.0
    _record(xk, CH_BARO, ratio, ok)
    if ok:
        _begin_group(xk)
        _fuse_scalar(xk, P, innov, r, NO_CONSIDER, NO_CONSIDER)
        _inject(xk, P)
    return ratio
