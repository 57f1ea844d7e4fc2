"""Air data: true airspeed and the synthetic sideslip (ArduPilot: AP_NavEKF3_AirDataFusion).

The first airspeed sample with the heading known initialises the wind (:func:`_init_wind`);
each channel then learns its gust intensity from its own innovations and fuses with the
white noise equivalent to the correlated gust error (:func:`_fuse_air`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import (
    _ch,
    _dcm_nb,
    _is_dead_reckoning,
    _record,
    _record_nonfinite,
)
from longwing.estimation.ekf_covariance import _constrain, _flush_covariance
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.ekf_update import (
    _begin_group,
    _clear_h,
    _fuse_scalar,
    _inject,
    _innov_var,
)
from longwing.estimation.state import (
    A_DVAR,
    A_HPVAR,
    A_LP,
    A_PREV,
    A_T_PREV,
    AIR0,
    AIR_BETA,
    AIR_FIELDS,
    AIR_TAS,
    CH_BETA,
    CH_TAS,
    E_TH,
    E_V,
    E_W,
    F_N_FUSED,
    F_N_REJECTED,
    F_TEST_RATIO,
    FLAG_WIND_INIT,
    FLAGS,
    N_ERR,
    QW,
    SCR_H,
    T_S,
    VD,
    VE,
    VN,
    WE,
    WN,
)
from longwing.geo.rotation import quat_to_euler


@njit(cache=True)
def _init_wind(xk: np.ndarray, P: np.ndarray, tas_mps: float, p: EkfParams) -> None:
    """Wind = ground velocity - TAS along the heading (zero sideslip), with its covariance.

    w = v_h - tas (cos psi, sin psi): the wind error is J x_err + noise with
    J = [I_2 on the horizontal velocity, tas (sin psi, -cos psi) on the yaw error]. The noise
    is that of the airspeed along the heading and of the zero-sideslip assumption across it,
    each with the prior gust intensity ``wind_init_gust_mps`` (one sample does not tell a gust
    from the mean wind; the gust variance is learnt only afterwards).
    """
    _, _, yaw = quat_to_euler(xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3])
    cy, sy = math.cos(yaw), math.sin(yaw)
    xk[WN] = xk[VN] - tas_mps * cy
    xk[WE] = xk[VE] - tas_mps * sy
    jy = (tas_mps * sy, -tas_mps * cy)
    g2 = p.wind_init_gust_mps**2
    r_along = p.tas_mps**2 + g2
    r_across = (tas_mps * p.beta_rad) ** 2 + g2
    u = (cy, sy)
    n = N_ERR
    # rows of J P (wind rows), using the velocity and yaw rows
    for a in range(2):
        for j in range(n):
            P[E_W + a, j] = P[E_V + a, j] + jy[a] * P[E_TH + 2, j]
    for a in range(2):
        for j in range(n):
            P[j, E_W + a] = P[E_W + a, j]
    # wind-wind block: J P J^T + r_along u u^T + r_across u' u'^T, u' = (-sin, cos)
    for a in range(2):
        for b in range(2):
            ua_ub = u[a] * u[b]
            perp = (1.0 if a == b else 0.0) - ua_ub  # u' u'^T = I - u u^T
            P[E_W + a, E_W + b] = (
                P[E_V + a, E_V + b]
                + jy[a] * P[E_TH + 2, E_V + b]
                + jy[b] * P[E_V + a, E_TH + 2]
                + jy[a] * jy[b] * P[E_TH + 2, E_TH + 2]
                + r_along * ua_ub
                + r_across * perp
            )
    for a in range(2):
        P[E_W + a, E_W + a] += 0.01  # keep the block strictly positive
    _constrain(P)
    xk[FLAGS] = int(xk[FLAGS]) | FLAG_WIND_INIT


@njit(cache=True, inline="always")
def _hp_gain(ach: int, t_corr: float, p: EkfParams) -> float:
    """Fraction of a unit-variance Dryden gust that passes the first-order high-pass.

    Longitudinal (airspeed, first-order spectrum): tau / (T + tau); lateral (sideslip,
    Dryden v spectrum): tau (3 T + 2 tau) / (2 (T + tau)^2).
    """
    tau = p.gust_hp_tau_s
    if ach == AIR_TAS:
        return tau / (t_corr + tau)
    return tau * (3.0 * t_corr + 2.0 * tau) / (2.0 * (t_corr + tau) ** 2)


@njit(cache=True, inline="always")
def _gust_var(xk: np.ndarray, ach: int, t_corr: float, p: EkfParams) -> float:
    """Per-sample variance of the gust error of air-data channel ``ach`` (see _fuse_air)."""
    i0 = AIR0 + ach * AIR_FIELDS
    r_white = 0.5 * xk[i0 + A_DVAR]
    return max(0.0, xk[i0 + A_HPVAR] - r_white) / _hp_gain(ach, t_corr, p)


@njit(cache=True, inline="always")
def _init_gust_stats(xk: np.ndarray, ach: int, sigma: float, t_corr: float, p: EkfParams) -> None:
    """Start the gust statistics of a channel at the prior gust intensity ``sigma``."""
    i0 = AIR0 + ach * AIR_FIELDS
    r_white = p.tas_mps**2 if ach == AIR_TAS else 0.0
    xk[i0 + A_LP] = 0.0
    xk[i0 + A_HPVAR] = sigma * sigma * _hp_gain(ach, t_corr, p) + r_white
    xk[i0 + A_DVAR] = 2.0 * r_white
    xk[i0 + A_PREV] = 0.0
    xk[i0 + A_T_PREV] = xk[T_S]


@njit(cache=True)
def _fuse_air(
    xk: np.ndarray,
    P: np.ndarray,
    innov: float,
    r_floor: float,
    airspeed: float,
    gate: float,
    ch: int,
    ach: int,
    p: EkfParams,
) -> float:
    """Gate and fuse one air-data scalar (row in the scratch H) in gusty air.

    Turbulence adds to the air-data innovation a gust error that the state does not model:
    large (sigma_g ~ 1-3 m/s of airspeed, 0.05-0.1 rad of sideslip in moderate turbulence)
    and correlated over T = gust_length / airspeed (10-25 s). Fused as white noise of
    variance ``r_floor`` at 20 Hz it makes the wind chase every gust (a 1 Hz wind bandwidth)
    with a sigma that claims 0.1 m/s, and it rejects the data outright while a gust exceeds
    the gate. Here:

    * sigma_g^2 is inferred from the innovations themselves: their high-passed part
      (time constant tau_h = ``gust_hp_tau_s``; a persistent error of the wind state does
      not pass) has the mean square (over ``gust_var_tau_s``) r_white + g sigma_g^2, with the
      gain g of :func:`_hp_gain` (tau_h / (T + tau_h) for the longitudinal spectrum). The
      white noise r_white is half the mean square of consecutive-sample differences (a gust
      hardly changes within one sample). In calm air sigma_g^2 is 0 and nothing changes. At
      the wind initialisation the statistics start from ``wind_init_gust_mps``, weighted as
      tau_h of data, so that the first seconds of gusty air cannot collapse the covariance;
    * the gate tests the innovation against its per-sample variance H P H^T + r_floor +
      sigma_g^2;
    * the update uses the white noise equivalent to the correlated gust error at the sampling
      interval dt, r_floor + sigma_g^2 max(1, 2 T / dt) (the same spectral density
      2 sigma_g^2 T at low frequency): N samples then carry the information they really hold,
      about one independent sample per 2 T, and the wind state estimates the mean wind under
      the gusts, with a covariance that says how well.

    Returns the test ratio; updates the channel's record and its gust statistics.
    """
    i0 = AIR0 + ach * AIR_FIELDS
    t = xk[T_S]
    dt = t - xk[i0 + A_T_PREV] if xk[i0 + A_T_PREV] >= 0.0 else 0.0
    xk[i0 + A_T_PREV] = t
    t_corr = p.gust_length_m / max(airspeed, p.min_airspeed_mps)
    var_g = _gust_var(xk, ach, t_corr, p)
    hph = _innov_var(xk, P, 0.0)
    s_gate = hph + r_floor + var_g
    ratio = innov * innov / (gate * gate * s_gate)
    # gust statistics of the innovation (clipped at the gate): mean squares of its high-passed
    # part and of its sample-to-sample difference (2 x the white noise)
    lim = gate * math.sqrt(s_gate)
    y = max(-lim, min(innov, lim))
    # averaging weight: a running mean in which the prior set at the wind initialisation
    # counts as gust_hp_tau_s of data, then an exponential average over gust_var_tau_s
    n_seen = xk[_ch(ch, F_N_FUSED)] + xk[_ch(ch, F_N_REJECTED)]
    a_var = min(1.0, dt / min(p.gust_var_tau_s, n_seen * dt + p.gust_hp_tau_s))
    h = y - xk[i0 + A_LP]
    d = y - xk[i0 + A_PREV]
    xk[i0 + A_LP] += min(dt / p.gust_hp_tau_s, 1.0) * h
    xk[i0 + A_HPVAR] += a_var * (h * h - xk[i0 + A_HPVAR])
    xk[i0 + A_DVAR] += a_var * (d * d - xk[i0 + A_DVAR])
    xk[i0 + A_PREV] = y
    ok = ratio <= 1.0
    _record(xk, ch, ratio, ok)
    if ok:
        # low-frequency spectral density (two-sided) of the gust error: 2 sigma^2 T for the
        # first-order longitudinal spectrum, sigma^2 T for the lateral one
        s0_t = 2.0 * t_corr if ach == AIR_TAS else t_corr
        k_white = max(1.0, s0_t / dt) if dt > 0.0 else 1.0
        # dead reckoning: the wind is a consider state (air data correct the velocity and
        # attitude against the frozen wind, see ekf_dead_reckoning)
        c0, c1 = (E_W, E_W + 2) if _is_dead_reckoning(xk) else (0, 0)
        _begin_group(xk)
        _fuse_scalar(xk, P, innov, r_floor + var_g * k_white, c0, c1)
        _inject(xk, P)
    return ratio


@njit(cache=True)
def _fuse_beta(xk: np.ndarray, P: np.ndarray, p: EkfParams) -> float:
    """Synthetic sideslip beta = v_air_body_y / v_air_body_x = 0 (see ekf_fuse_sideslip)."""
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        return 0.0
    a0 = xk[VN] - xk[WN]
    a1 = xk[VE] - xk[WE]
    a2 = xk[VD]
    c = _dcm_nb(xk)
    # v_air_body = C_bn a; C_bn row k = C_nb column k
    vx = c[0] * a0 + c[3] * a1 + c[6] * a2
    vy = c[1] * a0 + c[4] * a1 + c[7] * a2
    if vx < p.min_airspeed_mps:
        return 0.0
    beta = vy / vx
    # d(vb_k)/d(dtheta) = (C_bn row k) x a; d/d(dv) = C_bn row k; d/d(dw) = -(first two)
    rx0, rx1, rx2 = c[0], c[3], c[6]
    ry0, ry1, ry2 = c[1], c[4], c[7]
    tx = (rx1 * a2 - rx2 * a1, rx2 * a0 - rx0 * a2, rx0 * a1 - rx1 * a0)
    ty = (ry1 * a2 - ry2 * a1, ry2 * a0 - ry0 * a2, ry0 * a1 - ry1 * a0)
    rx = (rx0, rx1, rx2)
    ry = (ry0, ry1, ry2)
    inv = 1.0 / vx
    _clear_h(xk)
    for k in range(3):
        xk[SCR_H + E_TH + k] = (ty[k] - beta * tx[k]) * inv
        xk[SCR_H + E_V + k] = (ry[k] - beta * rx[k]) * inv
    for k in range(2):
        xk[SCR_H + E_W + k] = -xk[SCR_H + E_V + k]
    # channel numbers as numpy ints: one compiled _fuse_air for both (not one per literal)
    ch, ach = np.int64(CH_BETA), np.int64(AIR_BETA)
    return _fuse_air(xk, P, -beta, p.beta_rad**2, vx, p.beta_gate, ch, ach, p)


@njit(cache=True)
def ekf_fuse_airspeed(xk: np.ndarray, P: np.ndarray, tas_mps: float, params: EkfParams) -> float:
    """Fuse the air data of one pitot sample: true airspeed TAS = |v_n - (w_n, w_e, 0)| and,
    at the same epoch, the synthetic sideslip beta = 0 (:func:`ekf_fuse_sideslip`).

    Returns the airspeed test ratio (0: not fused). Fused only above
    ``params.min_airspeed_mps``. The first sample after the heading uncertainty has fallen
    below ``params.wind_init_max_yaw_sigma_rad`` initialises the wind; before that airspeed
    is not used (returns 0). TAS alone observes only the wind along the air velocity: in
    straight flight the wind across it would be unobservable (and, in turbulence, would
    drift without bound), so the sideslip is always fused with the airspeed. In turbulence
    both are fused as described in :func:`_fuse_air`.

    A NaN/inf sample is dropped (state and covariance untouched, returns 0) and counted
    (``F_N_NONFINITE`` of the airspeed channel). While dead reckoning the wind is a consider
    state of both fusions (see :func:`ekf_dead_reckoning`).
    """
    if not math.isfinite(tas_mps):
        _record_nonfinite(xk, CH_TAS)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    if tas_mps < p.min_airspeed_mps:
        return 0.0
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        if P[E_TH + 2, E_TH + 2] > p.wind_init_max_yaw_sigma_rad**2:
            return 0.0
        _init_wind(xk, P, tas_mps, p)
        _record(xk, CH_TAS, 0.0, True)
        t_corr = p.gust_length_m / tas_mps
        _init_gust_stats(xk, AIR_TAS, p.wind_init_gust_mps, t_corr, p)
        _init_gust_stats(xk, AIR_BETA, p.wind_init_gust_mps / tas_mps, t_corr, p)
        return 0.0
    van = xk[VN] - xk[WN]
    vae = xk[VE] - xk[WE]
    vad = xk[VD]
    tas_pred = math.sqrt(van * van + vae * vae + vad * vad)
    if tas_pred < 1.0:
        return 0.0
    _clear_h(xk)
    xk[SCR_H + E_V] = van / tas_pred
    xk[SCR_H + E_V + 1] = vae / tas_pred
    xk[SCR_H + E_V + 2] = vad / tas_pred
    xk[SCR_H + E_W] = -van / tas_pred
    xk[SCR_H + E_W + 1] = -vae / tas_pred
    r = p.tas_mps**2
    ch, ach = np.int64(CH_TAS), np.int64(AIR_TAS)  # numpy ints: see ekf_fuse_beta
    ratio = _fuse_air(xk, P, tas_mps - tas_pred, r, tas_pred, p.tas_gate, ch, ach, p)
    _fuse_beta(xk, P, p)
    return ratio


@njit(cache=True)
def ekf_fuse_sideslip(xk: np.ndarray, P: np.ndarray, params: EkfParams) -> float:
    """Fuse the synthetic measurement beta = v_air_body_y / v_air_body_x = 0 (fixed-wing).

    Observes the wind across the heading. Fused once the wind is initialised (see
    :func:`ekf_fuse_airspeed`) and when the estimated air-relative speed
    along the body x axis exceeds ``params.min_airspeed_mps``. Returns the test ratio.

    :func:`ekf_fuse_airspeed` already fuses the sideslip with every airspeed sample; a call
    at the same epoch (no prediction in between) does not fuse it a second time and returns
    that fusion's test ratio. Call this on its own only for sideslip without airspeed.
    """
    _flush_covariance(xk, P, params)
    t_prev = xk[AIR0 + AIR_BETA * AIR_FIELDS + A_T_PREV]
    if t_prev >= 0.0 and t_prev == xk[T_S]:
        return xk[_ch(CH_BETA, F_TEST_RATIO)]
    return _fuse_beta(xk, P, params)
