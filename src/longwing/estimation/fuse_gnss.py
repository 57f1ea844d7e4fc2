"""GNSS position and velocity fusion.

The fix is compared with the state at the measurement time (the current state minus the
prediction increments of the last ``gnss_delay_s``), gated per group (horizontal position,
height, velocity), and a group rejected for ``gnss_reset_timeout_s`` (or failing after an
outage while dead reckoning) resets the state to GNSS (ArduPilot: AP_NavEKF3_PosVelFusion).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import (
    _is_dead_reckoning,
    _record,
    _record_nonfinite,
    _rejected_for,
    _update_dead_reckoning,
)
from longwing.estimation.ekf_covariance import _flush_covariance, _zero_cross
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.ekf_update import (
    NO_CONSIDER,
    _begin_group,
    _clear_h,
    _fuse_scalar,
    _inject,
)
from longwing.estimation.state import (
    ALT,
    CH_GNSS_POS_H,
    CH_GNSS_POS_V,
    CH_GNSS_VEL,
    E_P,
    E_V,
    HIST0,
    HIST_COUNT,
    HIST_FIELDS,
    HIST_HEAD,
    HIST_LEN,
    LAT,
    LON,
    N_GNSS_RESETS,
    SCR_DX,
    SCR_H,
    T_GNSS_RX,
    T_S,
    VD,
    VE,
    VN,
)
from longwing.geo.wgs84 import radii_of_curvature
from longwing.mathx import wrap_pi


@njit(cache=True)
def _history_delta(
    xk: np.ndarray, delay_s: float
) -> tuple[float, float, float, float, float, float]:
    """Sum of the prediction increments over the last ``delay_s`` (linear within a step)."""
    sums0 = sums1 = sums2 = sums3 = sums4 = sums5 = 0.0
    count = int(xk[HIST_COUNT])
    head = int(xk[HIST_HEAD])
    remaining = delay_s
    k = 0
    while remaining > 0.0 and k < count:
        r = HIST0 + ((head - k) % HIST_LEN) * HIST_FIELDS
        dt = xk[r]
        frac = 1.0 if dt <= remaining else remaining / dt
        sums0 += frac * xk[r + 1]
        sums1 += frac * xk[r + 2]
        sums2 += frac * xk[r + 3]
        sums3 += frac * xk[r + 4]
        sums4 += frac * xk[r + 5]
        sums5 += frac * xk[r + 6]
        remaining -= dt
        k += 1
    return sums0, sums1, sums2, sums3, sums4, sums5


@njit(cache=True)
def _reset_to_gnss(
    xk: np.ndarray,
    P: np.ndarray,
    pos: bool,
    vel: bool,
    innov: tuple[float, float, float, float, float, float],
    p: EkfParams,
) -> None:
    """Move the state by the GNSS innovation and reset the matching covariance."""
    _begin_group(xk)
    if pos:
        xk[SCR_DX + E_P] = innov[0]
        xk[SCR_DX + E_P + 1] = innov[1]
        _zero_cross(P, E_P, p.gnss_pos_h_m**2)
        _zero_cross(P, E_P + 1, p.gnss_pos_h_m**2)
    if vel:
        for i in range(3):
            xk[SCR_DX + E_V + i] = innov[3 + i]
        _zero_cross(P, E_V, p.gnss_vel_h_mps**2)
        _zero_cross(P, E_V + 1, p.gnss_vel_h_mps**2)
        _zero_cross(P, E_V + 2, p.gnss_vel_v_mps**2)
    _inject(xk, P)
    xk[N_GNSS_RESETS] += 1.0


@njit(cache=True)
def ekf_fuse_gnss(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    params: EkfParams,
) -> tuple[float, float, float]:
    """Fuse one GNSS fix (geodetic position, ellipsoidal height, NED velocity).

    The fix is taken to be ``params.gnss_delay_s`` old. Returns the test ratios
    (horizontal position, height, velocity); a ratio > 1 means that group was rejected.

    A fix with any NaN/inf input is dropped whole (state and covariance untouched, returns
    zeros) and counted on the channel(s) of the bad input(s) (``F_N_NONFINITE``).

    A group rejected continuously for ``params.gnss_reset_timeout_s`` resets the state to
    GNSS. **Re-acquisition after an outage**: the first fix after a gap in the GNSS data
    longer than ``params.dead_reckoning_after_s``, arriving while the filter is dead
    reckoning, resets a group that fails its gate at once (see :func:`ekf_dead_reckoning`).
    """
    bad_h = not (math.isfinite(lat_rad) and math.isfinite(lon_rad))
    bad_v = not math.isfinite(alt_m)
    bad_vel = not (math.isfinite(vn_mps) and math.isfinite(ve_mps) and math.isfinite(vd_mps))
    if bad_h or bad_v or bad_vel:
        if bad_h:
            _record_nonfinite(xk, CH_GNSS_POS_H)
        if bad_v:
            _record_nonfinite(xk, CH_GNSS_POS_V)
        if bad_vel:
            _record_nonfinite(xk, CH_GNSS_VEL)
        return 0.0, 0.0, 0.0
    _flush_covariance(xk, P, params)
    p = params
    # a fix after an outage (not after a run of rejected fixes) while dead reckoning
    reacquired = _is_dead_reckoning(xk) and xk[T_S] - xk[T_GNSS_RX] > p.dead_reckoning_after_s
    xk[T_GNSS_RX] = xk[T_S]
    d_lat, d_lon, d_h, d_vn, d_ve, d_vd = _history_delta(xk, p.gnss_delay_s)
    lat_d = xk[LAT] - d_lat
    m_rad, n_rad = radii_of_curvature(lat_d)
    h_d = xk[ALT] - d_h
    innov = (
        (lat_rad - lat_d) * (m_rad + h_d),
        wrap_pi(lon_rad - (xk[LON] - d_lon)) * (n_rad + h_d) * math.cos(lat_d),
        -(alt_m - h_d),
        vn_mps - (xk[VN] - d_vn),
        ve_mps - (xk[VE] - d_ve),
        vd_mps - (xk[VD] - d_vd),
    )
    r_pos_h = p.gnss_pos_h_m**2
    r_pos_v = p.gnss_pos_v_m**2
    r_vel_h = p.gnss_vel_h_mps**2
    r_vel_v = p.gnss_vel_v_mps**2
    g_pos = p.gnss_pos_gate**2
    g_vel = p.gnss_vel_gate**2
    ratio_ph = max(
        innov[0] ** 2 / (g_pos * (P[E_P, E_P] + r_pos_h)),
        innov[1] ** 2 / (g_pos * (P[E_P + 1, E_P + 1] + r_pos_h)),
    )
    ratio_pv = innov[2] ** 2 / (g_pos * (P[E_P + 2, E_P + 2] + r_pos_v))
    ratio_v = max(
        innov[3] ** 2 / (g_vel * (P[E_V, E_V] + r_vel_h)),
        innov[4] ** 2 / (g_vel * (P[E_V + 1, E_V + 1] + r_vel_h)),
        innov[5] ** 2 / (g_vel * (P[E_V + 2, E_V + 2] + r_vel_v)),
    )
    ok_ph = ratio_ph <= 1.0
    ok_pv = ratio_pv <= 1.0
    ok_v = ratio_v <= 1.0
    _record(xk, CH_GNSS_POS_H, ratio_ph, ok_ph)
    _record(xk, CH_GNSS_POS_V, ratio_pv, ok_pv)
    _record(xk, CH_GNSS_VEL, ratio_v, ok_v)

    t_reset = p.gnss_reset_timeout_s
    reset_pos = (not ok_ph) and (reacquired or _rejected_for(xk, CH_GNSS_POS_H) > t_reset)
    reset_vel = (not ok_v) and (reacquired or _rejected_for(xk, CH_GNSS_VEL) > t_reset)
    if reset_pos or reset_vel:
        _reset_to_gnss(xk, P, reset_pos, reset_vel, innov, p)
        if reset_pos:
            _record(xk, CH_GNSS_POS_H, 0.0, True)
        if reset_vel:
            _record(xk, CH_GNSS_VEL, 0.0, True)
        _update_dead_reckoning(xk, p)
        return ratio_ph, ratio_pv, ratio_v

    _begin_group(xk)
    for i in range(6):
        if i < 2:
            use, r = ok_ph, r_pos_h
        elif i == 2:
            use, r = ok_pv, r_pos_v
        elif i < 5:
            use, r = ok_v, r_vel_h
        else:
            use, r = ok_v, r_vel_v
        if use:
            _clear_h(xk)
            xk[SCR_H + (E_P + i if i < 3 else E_V + i - 3)] = 1.0
            _fuse_scalar(xk, P, innov[i], r, NO_CONSIDER, NO_CONSIDER)
    _inject(xk, P)
    _update_dead_reckoning(xk, p)
    return ratio_ph, ratio_pv, ratio_v
