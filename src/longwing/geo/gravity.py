"""Normal gravity of the WGS84 ellipsoid (Somigliana) with the free-air gradient.

The field is the gradient of one potential, so that energy is conserved exactly by the
equations of motion (and a ballistic test can prove the integrator):

    U(lat, h) = g0(lat) * h - 0.5 * K_FREE_AIR * h**2          [J/kg, zero on the ellipsoid]
    g_down    =  dU/dh                 = g0(lat) - K_FREE_AIR * h
    g_north   = -dU/dlat / (M + h)     = -h * g0'(lat) / (M + h)  (plumb-line curvature)

g0 is Somigliana's closed form; it already contains the centrifugal acceleration, so it is
used in the Earth-fixed (rotating) frame together with the Coriolis term.
"""

from __future__ import annotations

import math

from numba import njit

from longwing.geo.wgs84 import A_M, E2

G_EQUATOR_MPS2 = 9.7803253359
SOMIGLIANA_K = 0.00193185265241
SOMIGLIANA_E2 = 0.00669437999013
K_FREE_AIR_PER_S2 = 3.086e-6


@njit(cache=True)
def _somigliana_s(sl: float) -> float:
    s2 = sl * sl
    return G_EQUATOR_MPS2 * (1.0 + SOMIGLIANA_K * s2) / math.sqrt(1.0 - SOMIGLIANA_E2 * s2)


@njit(cache=True)
def somigliana_mps2(lat_rad: float) -> float:
    """Normal gravity on the ellipsoid surface at geodetic latitude (m/s^2)."""
    return _somigliana_s(math.sin(lat_rad))


@njit(cache=True, inline="always")
def gravity_ned_sc(sl: float, cl: float, h_m: float) -> tuple[float, float, float]:
    """Gravity (north, east, down) in m/s^2 from sin/cos of geodetic latitude and height."""
    s2 = sl * sl
    w = 1.0 - SOMIGLIANA_E2 * s2
    sw = math.sqrt(w)
    g0 = G_EQUATOR_MPS2 * (1.0 + SOMIGLIANA_K * s2) / sw
    dg_ds2 = G_EQUATOR_MPS2 * (
        SOMIGLIANA_K / sw + (1.0 + SOMIGLIANA_K * s2) * 0.5 * SOMIGLIANA_E2 / (w * sw)
    )
    w_e = 1.0 - E2 * s2
    m = A_M * (1.0 - E2) / (w_e * math.sqrt(w_e))
    g_down = g0 - K_FREE_AIR_PER_S2 * h_m
    g_north = -h_m * dg_ds2 * 2.0 * sl * cl / (m + h_m)
    return g_north, 0.0, g_down


@njit(cache=True, inline="always")
def gravity_ned(lat_rad: float, h_m: float) -> tuple[float, float, float]:
    """Gravity vector (north, east, down) in m/s^2 at geodetic latitude and height."""
    return gravity_ned_sc(math.sin(lat_rad), math.cos(lat_rad), h_m)


@njit(cache=True)
def gravity_potential(lat_rad: float, h_m: float) -> float:
    """Potential energy per unit mass of the gravity model (J/kg), zero on the ellipsoid."""
    return somigliana_mps2(lat_rad) * h_m - 0.5 * K_FREE_AIR_PER_S2 * h_m * h_m
