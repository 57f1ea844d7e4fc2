"""U.S. Standard Atmosphere 1976 (ISA), from 5 km below sea level to 47 km.

Layers are defined in geopotential altitude; :func:`isa` takes geometric altitude (m above
mean sea level) and converts with the 1976 effective Earth radius.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.geo.constants import G0_MPS2  # the ISA's standard gravity

R_STAR = 8.31432  # J/(mol K), the 1976 standard's gas constant
M0_KG_PER_MOL = 0.0289644
R_AIR = R_STAR / M0_KG_PER_MOL  # 287.053 J/(kg K)
GAMMA_AIR = 1.4
R0_GEOPOTENTIAL_M = 6356766.0
T0_K = 288.15
P0_PA = 101325.0
RHO0_KGPM3 = P0_PA / (R_AIR * T0_K)  # 1.2250 kg/m^3

# Layer base geopotential altitude (m), lapse rate (K/m): 0-11, 11-20, 20-32, 32-47 km.
_H_BASE_M = (0.0, 11000.0, 20000.0, 32000.0, 47000.0)
_LAPSE_KPM = (-0.0065, 0.0, 0.001, 0.0028)
H_MIN_M = -5000.0
H_MAX_M = 47000.0


@njit(cache=True, inline="always")
def geopotential_altitude_m(z_m: float) -> float:
    """Geopotential altitude from geometric altitude (1976 standard, r0 = 6356.766 km)."""
    return R0_GEOPOTENTIAL_M * z_m / (R0_GEOPOTENTIAL_M + z_m)


@njit(cache=True)
def isa_geopotential(hgp_m: float) -> tuple[float, float, float]:
    """Temperature (K), pressure (Pa), density (kg/m^3) at geopotential altitude.

    Clamped to [-5 km, 47 km]; the layers are integrated exactly (hydrostatic, ideal gas).
    """
    h = min(max(hgp_m, H_MIN_M), H_MAX_M)
    t_b = T0_K
    p_b = P0_PA
    for i in range(4):
        h0 = _H_BASE_M[i]
        h1 = _H_BASE_M[i + 1]
        lapse = _LAPSE_KPM[i]
        top = h if (h <= h1 or i == 3) else h1
        dh = top - h0
        if lapse == 0.0:
            p = p_b * math.exp(-G0_MPS2 * dh / (R_AIR * t_b))
            t = t_b
        else:
            t = t_b + lapse * dh
            p = p_b * (t / t_b) ** (-G0_MPS2 / (R_AIR * lapse))
        if top == h:
            return t, p, p / (R_AIR * t)
        t_b = t
        p_b = p
    return t_b, p_b, p_b / (R_AIR * t_b)


@njit(cache=True, inline="always")
def isa(alt_m: float) -> tuple[float, float, float]:
    """Temperature (K), pressure (Pa), density (kg/m^3) at geometric altitude (m MSL)."""
    return isa_geopotential(geopotential_altitude_m(alt_m))


@njit(cache=True)
def isa_arrays(alt_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`isa` of every altitude of an array (logs): temperature, pressure, density."""
    n = alt_m.shape[0]
    t_k, p_pa, rho = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        t_k[i], p_pa[i], rho[i] = isa(alt_m[i])
    return t_k, p_pa, rho


@njit(cache=True)
def speed_of_sound_mps(t_k: float) -> float:
    return math.sqrt(GAMMA_AIR * R_AIR * t_k)
