"""Dryden continuous turbulence per MIL-F-8785C, discretised exactly for any step.

Intensities and scale lengths (:func:`mil8785c_intensity`)
------------------------------------------------------------
* Low altitude, h < 1000 ft AGL (h clamped to >= 10 ft; MIL-F-8785C 3.7.3.2)::

      L_u = L_v = h / (0.177 + 0.000823 h)^1.2 ft,   L_w = h ft
      sigma_w = 0.1 W20,   sigma_u = sigma_v = sigma_w / (0.177 + 0.000823 h)^0.4

  with the wind speed at 20 ft W20 = 15 / 30 / 45 kt for light / moderate / severe.
* Medium/high altitude, h >= 2000 ft: L_u = L_v = L_w = 1750 ft and sigma_u = sigma_v = sigma_w
  from the probability-of-exceedance chart (:data:`POE_SIGMA_FTPS`), light <-> POE 1e-2,
  moderate <-> 1e-3, severe <-> 1e-5, linear in altitude between the chart's altitudes.
* 1000..2000 ft: linear in altitude between the low-altitude values at 1000 ft (where
  L = 1000 ft and sigma_u = sigma_v = sigma_w = 0.1 W20) and the chart values at 2000 ft.

Forming filters (V airspeed, T = L/V)::

    H_u(s) = sigma_u sqrt(2 L_u / (pi V)) / (1 + T_u s)
    H_v(s) = sigma_v sqrt(L_v / (pi V)) (1 + sqrt(3) T_v s) / (1 + T_v s)^2      (w alike)

driven by unit white noise (one-sided PSD convention). Their outputs have variance sigma^2 and
autocorrelations R_u(tau) = sigma^2 exp(-tau/T_u) and R_v(tau) = sigma^2 (1 - tau/(2 T_v))
exp(-tau/T_v).

Exact discretisation (theta = dt / T, a = exp(-theta))
------------------------------------------------------
u: the OU process sampled every dt is exactly AR(1): ``y <- a y + sqrt(1 - a^2) n``.

v, w: the sampled process is ARMA(2, 1) with AR polynomial (1 - a z^-1)^2. Its MA(1) part
m_k = y_k - 2a y_(k-1) + a^2 y_(k-2) has, from the sampled autocorrelation
r_j = (1 - j theta/2) a^j (unit variance), gamma_0 = 1 - a^4 + 2 a^2 theta and
gamma_1 = a (a^2 - 1 - theta (1 + a^2)/2), and factorises in closed form as
m_k = b0 e_k + b1 e_(k-1) with::

    b0 = [(1 + a) sqrt(1 - a^2 + a theta) + (1 - a) sqrt(1 - a^2 - a theta)] / 2
    b1 = [(1 - a) sqrt(1 - a^2 - a theta) - (1 + a) sqrt(1 - a^2 + a theta)] / 2

(gamma_0 +- 2 gamma_1 = (1 -+ a)^2 (1 - a^2 -+ a theta); |b1| <= b0, the invertible root, so
e_k are the innovations). Driving it with one standard normal per step reproduces the
continuous process's autocorrelation at every lag k dt exactly, hence variance sigma^2, for any
dt / T from 1e-6 to 1e6. It is realised with two states, the current value y_k and the one-step
prediction p_k = E[y_(k+1) | past]::

    y_(k+1) = p_k + b0 e_(k+1)
    p_(k+1) = 2a y_(k+1) - a^2 y_k + b1 e_(k+1)

States are kept normalised (unit variance) and scaled by sigma on output, so intensity changes
take effect immediately; T (airspeed, scale length) may change every step, which perturbs the
statistics only transiently. Airspeed is floored at 1 m/s.

Gusts are returned in body axes (u_g along body x, v_g along y, w_g along z; air velocity, so
add them to the wind). MIL-F-8785C defines the low-altitude components in mean-wind axes; like
most flight simulators we apply them in body axes unrotated. The rotary gust terms
(p_g, q_g, r_g) are not modelled.

State layout (``turb_state``, float64[TURB_STATE_SIZE]), all dimensionless (unit variance)::

    [0] u: current value y_u
    [1] v: current value y_v         [2] v: one-step prediction p_v
    [3] w: current value y_w         [4] w: one-step prediction p_w

Zeros are a valid (quiescent) start; :func:`dryden_stationary_init` draws a stationary state.
"""

from __future__ import annotations

import enum
import math

import numpy as np
from numba import njit

TURB_STATE_SIZE = 5

FT_M = 0.3048
KT_MPS = 1852.0 / 3600.0
MIN_AIRSPEED_MPS = 1.0
MIN_LOW_ALT_FT = 10.0
LOW_ALT_TOP_FT = 1000.0
HIGH_ALT_BASE_FT = 2000.0
HIGH_ALT_SCALE_FT = 1750.0  # MIL-F-8785C 3.7.2.1: L_u = L_v = L_w = 1750 ft at medium/high alt

# Low-altitude wind speed at 20 ft by severity NONE, LIGHT, MODERATE, SEVERE (MIL-F-8785C
# 3.7.3.2: 15, 30, 45 kt).
W20_KT = (0.0, 15.0, 30.0, 45.0)

# MIL-F-8785C medium/high-altitude turbulence intensity chart ("turbulence severity and
# exceedance probability"; JSBSim cites it as Figure 7, p. 49): sigma (ft/s) versus altitude (ft)
# for seven probability-of-exceedance curves. Values as digitised in JSBSim's
# src/models/atmosphere/FGWinds.cpp (POE_Table, rows 1-7 = POE 2e-1 ... 1e-6); MathWorks' Dryden
# blocks use the same curves and the same light/moderate/severe <-> 1e-2/1e-3/1e-5 mapping.
POE_ALT_FT = (
    500.0, 1750.0, 3750.0, 7500.0, 15000.0, 25000.0, 35000.0, 45000.0, 55000.0, 65000.0,
    75000.0, 80000.0,
)  # fmt: skip
POE_LEVELS = (2e-1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)
POE_SIGMA_FTPS = (
    (3.2, 2.2, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # 2e-1
    (4.2, 3.6, 3.3, 1.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # 1e-1
    (6.6, 6.9, 7.4, 6.7, 4.6, 2.7, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0),  # 1e-2  light
    (8.6, 9.6, 10.6, 10.1, 8.0, 6.6, 5.0, 4.2, 2.7, 0.0, 0.0, 0.0),  # 1e-3  moderate
    (11.8, 13.0, 16.0, 15.1, 11.6, 9.7, 8.1, 8.2, 7.9, 4.9, 3.2, 2.1),  # 1e-4
    (15.6, 17.6, 23.0, 23.6, 22.1, 20.0, 16.0, 15.1, 12.1, 7.9, 6.2, 5.1),  # 1e-5  severe
    (18.7, 21.5, 28.4, 30.2, 30.7, 31.0, 25.2, 23.1, 17.5, 10.7, 8.4, 7.2),  # 1e-6
)
# Row of POE_SIGMA_FTPS used for severity NONE, LIGHT, MODERATE, SEVERE (-1: none).
SEVERITY_POE_ROW = (-1, 2, 3, 5)


class Turbulence(enum.IntEnum):
    """Turbulence severity (MIL-F-8785C qualitative levels)."""

    NONE = 0
    LIGHT = 1
    MODERATE = 2
    SEVERE = 3


def parse_turbulence(text: str) -> Turbulence:
    """Severity from a CLI string: ``none|light|moderate|severe`` (any case) or ``0``-``3``."""
    key = text.strip().lower()
    for member in Turbulence:
        if key in (member.name.lower(), str(member.value)):
            return member
    raise ValueError(
        f"invalid turbulence {text!r}: expected one of none, light, moderate, severe (or 0-3)"
    )


@njit(cache=True)
def _poe_sigma_ftps(alt_ft: float, row: int) -> float:
    """Chart sigma (ft/s) on POE curve ``row`` at ``alt_ft``, linear in altitude, clamped."""
    n = len(POE_ALT_FT)
    if alt_ft <= POE_ALT_FT[0]:
        return POE_SIGMA_FTPS[row][0]
    if alt_ft >= POE_ALT_FT[n - 1]:
        return POE_SIGMA_FTPS[row][n - 1]
    i = 1
    while POE_ALT_FT[i] < alt_ft:
        i += 1
    f = (alt_ft - POE_ALT_FT[i - 1]) / (POE_ALT_FT[i] - POE_ALT_FT[i - 1])
    return POE_SIGMA_FTPS[row][i - 1] + f * (POE_SIGMA_FTPS[row][i] - POE_SIGMA_FTPS[row][i - 1])


@njit(cache=True, inline="always")
def _low_alt_ft(h_ft: float, w20_ftps: float) -> tuple[float, float, float, float]:
    """Low-altitude (sigma_uv, sigma_w, L_uv, L_w) in ft/s and ft at h_ft (>= 10 ft)."""
    k = 0.177 + 0.000823 * h_ft
    sigma_w = 0.1 * w20_ftps
    return sigma_w / k**0.4, sigma_w, h_ft / k**1.2, h_ft


@njit(cache=True)
def mil8785c_intensity(
    alt_agl_m: float, severity: int
) -> tuple[float, float, float, float, float, float]:
    """MIL-F-8785C Dryden parameters at ``alt_agl_m`` (m above ground) for ``severity`` (0-3).

    Returns (sigma_u, sigma_v, sigma_w) in m/s and (L_u, L_v, L_w) in m. Severity 0 gives zero
    intensities (scale lengths stay positive).
    """
    sev = severity + 0  # plain int64 even for a Turbulence member
    if sev < 0 or sev > 3:
        raise ValueError("turbulence severity must be 0..3")
    h_ft = max(alt_agl_m / FT_M, MIN_LOW_ALT_FT)
    w20_ftps = W20_KT[sev] * KT_MPS / FT_M
    row = SEVERITY_POE_ROW[sev]
    if h_ft < LOW_ALT_TOP_FT:
        s_uv, s_w, l_uv, l_w = _low_alt_ft(h_ft, w20_ftps)
    else:
        s_hi = 0.0 if row < 0 else _poe_sigma_ftps(max(h_ft, HIGH_ALT_BASE_FT), row)
        if h_ft >= HIGH_ALT_BASE_FT:
            s_uv = s_w = s_hi
            l_uv = l_w = HIGH_ALT_SCALE_FT
        else:
            f = (h_ft - LOW_ALT_TOP_FT) / (HIGH_ALT_BASE_FT - LOW_ALT_TOP_FT)
            s_lo = 0.1 * w20_ftps  # sigma_u = sigma_v = sigma_w at 1000 ft (k = 1)
            s_uv = s_w = s_lo + f * (s_hi - s_lo)
            l_uv = l_w = LOW_ALT_TOP_FT + f * (HIGH_ALT_SCALE_FT - LOW_ALT_TOP_FT)
    return s_uv * FT_M, s_uv * FT_M, s_w * FT_M, l_uv * FT_M, l_uv * FT_M, l_w * FT_M


@njit(cache=True, inline="always")
def _theta(va_mps: float, scale_m: float, dt_s: float) -> float:
    """Step in units of the correlation time: dt V / L (V floored at 1 m/s)."""
    return dt_s * max(va_mps, MIN_AIRSPEED_MPS) / scale_m


@njit(cache=True, inline="always")
def dryden2_coeffs(theta: float) -> tuple[float, float, float]:
    """(a, b0, b1) of the exact ARMA(2,1) step for the v/w Dryden filter at dt/T = theta."""
    a = math.exp(-theta)
    one_m_a2 = -math.expm1(-2.0 * theta)
    at = a * theta
    s_plus = (1.0 + a) * math.sqrt(one_m_a2 + at)
    s_minus = -math.expm1(-theta) * math.sqrt(max(one_m_a2 - at, 0.0))
    return a, 0.5 * (s_plus + s_minus), 0.5 * (s_minus - s_plus)


@njit(cache=True, inline="always")
def dryden_coefficients(
    va_mps: float, L_u: float, L_v: float, L_w: float, dt_s: float
) -> tuple[float, float, float, float, float, float, float, float]:
    """Coefficients of one exact step of the three unit-variance Dryden filters.

    Returns (a_u, s_u, a_v, b0_v, b1_v, a_w, b0_w, b1_w): the AR(1) decay and noise gain of u,
    and the ARMA(2,1) (a, b0, b1) of v and w, for airspeed ``va_mps`` over ``dt_s``. They
    depend on the airspeed and the scale lengths only, so a caller may hold them while those
    change little (the closed loop refreshes them at the navigation rate).
    """
    th_u = _theta(va_mps, L_u, dt_s)
    a_v, b0_v, b1_v = dryden2_coeffs(_theta(va_mps, L_v, dt_s))
    a_w, b0_w, b1_w = dryden2_coeffs(_theta(va_mps, L_w, dt_s))
    return (math.exp(-th_u), math.sqrt(-math.expm1(-2.0 * th_u)), a_v, b0_v, b1_v,
            a_w, b0_w, b1_w)  # fmt: skip


@njit(cache=True, inline="always")
def _step2(state: np.ndarray, i: int, a: float, b0: float, b1: float, n: float) -> float:
    """Exact ARMA(2,1) step of a unit-variance Dryden v/w process stored at state[i:i+2]."""
    y_old = state[i]
    y_new = state[i + 1] + b0 * n
    state[i] = y_new
    state[i + 1] = 2.0 * a * y_new - a * a * y_old + b1 * n
    return y_new


@njit(cache=True)
def dryden_advance(
    turb_state: np.ndarray,
    noise3: np.ndarray,
    c: tuple[float, float, float, float, float, float, float, float],
    sigma_u: float,
    sigma_v: float,
    sigma_w: float,
) -> tuple[float, float, float]:
    """Advance the filters one step with coefficients ``c`` from :func:`dryden_coefficients`."""
    turb_state[0] = c[0] * turb_state[0] + c[1] * noise3[0]
    yv = _step2(turb_state, 1, c[2], c[3], c[4], noise3[1])
    yw = _step2(turb_state, 3, c[5], c[6], c[7], noise3[2])
    return sigma_u * turb_state[0], sigma_v * yv, sigma_w * yw


@njit(cache=True)
def dryden_step(
    turb_state: np.ndarray,
    noise3: np.ndarray,
    va_mps: float,
    sigma_u: float,
    sigma_v: float,
    sigma_w: float,
    L_u: float,
    L_v: float,
    L_w: float,
    dt_s: float,
) -> tuple[float, float, float]:
    """Advance the Dryden filters by ``dt_s`` (s) and return body-axis gusts (ug, vg, wg), m/s.

    ``turb_state``: float64[5], updated in place (layout in the module docstring).
    ``noise3``: three independent standard normals (u, v, w) for this step.
    ``va_mps``: airspeed (m/s, floored at 1); sigmas in m/s; scale lengths ``L_*`` in m (> 0).
    """
    c = dryden_coefficients(va_mps, L_u, L_v, L_w, dt_s)
    return dryden_advance(turb_state, noise3, c, sigma_u, sigma_v, sigma_w)


@njit(cache=True)
def dryden_stationary_init(
    turb_state: np.ndarray,
    noise5: np.ndarray,
    va_mps: float,
    L_u: float,
    L_v: float,
    L_w: float,
    dt_s: float,
) -> None:
    """Fill ``turb_state`` with a draw from the stationary distribution (no start-up transient).

    ``noise5``: five independent standard normals. For v/w, y ~ N(0, 1) and the prediction p
    has cov(y, p) = r_1 = (1 - theta/2) a and var(p) = 1 - b0^2.
    """
    turb_state[0] = noise5[0]
    for k in range(2):
        i = 1 + 2 * k
        theta = _theta(va_mps, L_v if k == 0 else L_w, dt_s)
        a, b0, _ = dryden2_coeffs(theta)
        r1 = (1.0 - 0.5 * theta) * a
        y = noise5[i]
        turb_state[i] = y
        turb_state[i + 1] = r1 * y + math.sqrt(max(1.0 - b0 * b0 - r1 * r1, 0.0)) * noise5[i + 1]


@njit(cache=True)
def dryden_series(
    turb_state: np.ndarray,
    noise: np.ndarray,
    va_mps: float,
    sigma_u: float,
    sigma_v: float,
    sigma_w: float,
    L_u: float,
    L_v: float,
    L_w: float,
    dt_s: float,
) -> np.ndarray:
    """Run :func:`dryden_step` over ``noise`` (n, 3) at fixed parameters; returns (n, 3) gusts.

    Test/analysis driver; ``turb_state`` is advanced in place.
    """
    n = noise.shape[0]
    out = np.empty((n, 3))
    for k in range(n):
        ug, vg, wg = dryden_step(
            turb_state, noise[k], va_mps, sigma_u, sigma_v, sigma_w, L_u, L_v, L_w, dt_s
        )
        out[k, 0] = ug
        out[k, 1] = vg
        out[k, 2] = wg
    return out


def new_turb_state() -> np.ndarray:
    """A quiescent (all-zero) Dryden state, float64[TURB_STATE_SIZE]."""
    return np.zeros(TURB_STATE_SIZE)


def turbulence_noise(rng: np.random.Generator, n_steps: int) -> np.ndarray:
    """Pre-drawn standard normals for ``n_steps`` calls of :func:`dryden_step`, shape (n, 3)."""
    return rng.standard_normal((n_steps, 3))
