"""Barometer: pressure altitude (ISA altitude of the measured static pressure) + bias + noise.

    p_static   = ISA pressure at the true altitude          (longwing.geo.atmosphere.isa)
    baro_alt_m = h_ISA(p_static) + b_baro + sigma_baro n    (m)
    b_baro    <- b_baro + K_baro sqrt(dt) n'                (after the sample)

:func:`pressure_altitude_m` inverts the U.S. Standard Atmosphere 1976 exactly (layer by layer,
then geopotential -> geometric), so with zero noise and bias the reading equals the true
altitude while the truth atmosphere is the ISA; a non-standard truth atmosphere would enter
through :func:`baro_sample_pressure`. Noise and bias are specified in metres: a pressure
error dp appears as an altitude error dp / (rho g), so metres are what an estimator tunes
and compare directly with GNSS height. The bias (state slot ``BARO_BIAS``) stands for weather
and sensor drift.

Noise (``noise2``): [0] white, [1] bias walk. ``dt`` is the interval between baro samples.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.geo.atmosphere import (
    _H_BASE_M,
    _LAPSE_KPM,
    G0_MPS2,
    P0_PA,
    R0_GEOPOTENTIAL_M,
    R_AIR,
    T0_K,
    isa,
)
from longwing.sensors.params import SensorParams
from longwing.sensors.state import BARO_BIAS

N_BARO_NOISE = 2


@njit(cache=True)
def pressure_altitude_m(p_pa: float) -> float:
    """Geometric ISA altitude (m) at which the 1976 standard pressure equals ``p_pa`` (Pa).

    Exact inverse of :func:`longwing.geo.atmosphere.isa` over -5 km..47 km; outside, the
    bottom and top layers are extrapolated (``isa`` clamps there instead).
    """
    t_b = T0_K
    p_b = P0_PA
    hgp = 0.0
    for i in range(4):
        h0 = _H_BASE_M[i]
        lapse = _LAPSE_KPM[i]
        dh = _H_BASE_M[i + 1] - h0
        if lapse == 0.0:
            t_top = t_b
            p_top = p_b * math.exp(-G0_MPS2 * dh / (R_AIR * t_b))
        else:
            t_top = t_b + lapse * dh
            p_top = p_b * (t_top / t_b) ** (-G0_MPS2 / (R_AIR * lapse))
        if p_pa >= p_top or i == 3:
            if lapse == 0.0:
                hgp = h0 - R_AIR * t_b / G0_MPS2 * math.log(p_pa / p_b)
            else:
                t = t_b * (p_pa / p_b) ** (-R_AIR * lapse / G0_MPS2)
                hgp = h0 + (t - t_b) / lapse
            break
        t_b = t_top
        p_b = p_top
    return R0_GEOPOTENTIAL_M * hgp / (R0_GEOPOTENTIAL_M - hgp)


@njit(cache=True)
def baro_sample_pressure(
    sens_state: np.ndarray, noise2: np.ndarray, static_p_pa: float, p: SensorParams, dt: float
) -> float:
    """Baro altitude (m) from the true static pressure (Pa); advances the bias in place."""
    alt = pressure_altitude_m(static_p_pa) + sens_state[BARO_BIAS] + p.baro_noise_m * noise2[0]
    sens_state[BARO_BIAS] += p.baro_bias_drift_m_rts * math.sqrt(dt) * noise2[1]
    return alt


@njit(cache=True)
def baro_sample(
    sens_state: np.ndarray, noise2: np.ndarray, alt_m: float, p: SensorParams, dt: float
) -> float:
    """Baro altitude (m) at true altitude ``alt_m`` (m, the ISA altitude of the truth)."""
    _, p_pa, _ = isa(alt_m)
    return baro_sample_pressure(sens_state, noise2, p_pa, p, dt)
