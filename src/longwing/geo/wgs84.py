"""WGS84 ellipsoid: constants, geodetic <-> ECEF, local NED frame, radii of curvature.

Pure compiled kernels (no I/O). Angles in radians, lengths in metres.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

A_M = 6378137.0
F = 1.0 / 298.257223563
B_M = A_M * (1.0 - F)
E2 = F * (2.0 - F)  # first eccentricity squared
EP2 = E2 / (1.0 - E2)  # second eccentricity squared
OMEGA_EARTH_RADPS = 7.292115e-5  # WGS84 angular velocity of the Earth


@njit(cache=True, inline="always")
def radii_of_curvature(lat_rad: float) -> tuple[float, float]:
    """Meridian (M) and prime-vertical (N) radii of curvature at geodetic latitude."""
    s = math.sin(lat_rad)
    w2 = 1.0 - E2 * s * s
    n = A_M / math.sqrt(w2)
    m = A_M * (1.0 - E2) / (w2 * math.sqrt(w2))
    return m, n


@njit(cache=True, inline="always")
def geodetic_to_ecef(lat_rad: float, lon_rad: float, h_m: float) -> tuple[float, float, float]:
    """Geodetic (lat, lon, ellipsoidal height) to Earth-centred Earth-fixed x, y, z."""
    sl = math.sin(lat_rad)
    cl = math.cos(lat_rad)
    n = A_M / math.sqrt(1.0 - E2 * sl * sl)
    x = (n + h_m) * cl * math.cos(lon_rad)
    y = (n + h_m) * cl * math.sin(lon_rad)
    z = (n * (1.0 - E2) + h_m) * sl
    return x, y, z


@njit(cache=True)
def ecef_to_geodetic_fast(x: float, y: float, z: float) -> tuple[float, float, float, float, float]:
    """Height and sin/cos of latitude and longitude from ECEF, with no trigonometric call.

    Bowring's (1976) parametric-latitude formula, iterated twice, in vector form: latitude
    to machine precision (< 1e-15 rad) and height to nanometres from 1 km below the
    ellipsoid to 100 km above it, poles included; height from
    h = p cos(lat) + z sin(lat) - a sqrt(1 - e^2 sin^2(lat)), which is insensitive to small
    latitude errors. This is the per-derivative conversion of the hot path.
    """
    p = math.sqrt(x * x + y * y)
    # parametric latitude beta, first guess tan(beta) = (a z) / (b p)
    tb_n = A_M * z
    tb_d = B_M * p
    sl = 0.0
    cl = 1.0
    for _ in range(2):
        r = math.sqrt(tb_n * tb_n + tb_d * tb_d)
        sb = tb_n / r
        cb = tb_d / r
        num = z + EP2 * B_M * sb * sb * sb
        den = p - E2 * A_M * cb * cb * cb
        rr = math.sqrt(num * num + den * den)
        sl = num / rr
        cl = den / rr
        tb_n = (1.0 - F) * sl  # tan(beta) = (1 - f) tan(lat)
        tb_d = cl
    h = p * cl + z * sl - A_M * math.sqrt(1.0 - E2 * sl * sl)
    if p > 0.0:
        so = y / p
        co = x / p
    else:
        so = 0.0
        co = 1.0
    return h, sl, cl, so, co


@njit(cache=True, inline="always")
def ecef_to_geodetic(x: float, y: float, z: float) -> tuple[float, float, float]:
    """ECEF to geodetic latitude, longitude (rad) and ellipsoidal height (m)."""
    h, sl, cl, _, _ = ecef_to_geodetic_fast(x, y, z)
    return math.atan2(sl, cl), math.atan2(y, x), h


@njit(cache=True)
def ned_to_ecef_sc(
    sl: float, cl: float, so: float, co: float, vn: float, ve: float, vd: float
) -> tuple[float, float, float]:
    """Rotate an NED vector to ECEF given sin/cos of latitude and longitude."""
    x = -sl * co * vn - so * ve - cl * co * vd
    y = -sl * so * vn + co * ve - cl * so * vd
    z = cl * vn - sl * vd
    return x, y, z


@njit(cache=True, inline="always")
def ecef_to_ned_sc(
    sl: float, cl: float, so: float, co: float, x: float, y: float, z: float
) -> tuple[float, float, float]:
    """Rotate an ECEF vector to NED given sin/cos of latitude and longitude."""
    vn = -sl * co * x - sl * so * y + cl * z
    ve = -so * x + co * y
    vd = -cl * co * x - cl * so * y - sl * z
    return vn, ve, vd


@njit(cache=True)
def ned_to_ecef_dcm(lat_rad: float, lon_rad: float) -> np.ndarray:
    """Rotation matrix C_en taking NED components to ECEF components (columns N, E, D)."""
    sl = math.sin(lat_rad)
    cl = math.cos(lat_rad)
    so = math.sin(lon_rad)
    co = math.cos(lon_rad)
    c = np.empty((3, 3))
    c[0, 0] = -sl * co
    c[1, 0] = -sl * so
    c[2, 0] = cl
    c[0, 1] = -so
    c[1, 1] = co
    c[2, 1] = 0.0
    c[0, 2] = -cl * co
    c[1, 2] = -cl * so
    c[2, 2] = -sl
    return c


@njit(cache=True)
def ned_to_ecef_vec(
    lat_rad: float, lon_rad: float, vn: float, ve: float, vd: float
) -> tuple[float, float, float]:
    """Rotate one NED vector into ECEF components (no allocation)."""
    return ned_to_ecef_sc(
        math.sin(lat_rad), math.cos(lat_rad), math.sin(lon_rad), math.cos(lon_rad), vn, ve, vd
    )


@njit(cache=True)
def ecef_to_ned_vec(
    lat_rad: float, lon_rad: float, x: float, y: float, z: float
) -> tuple[float, float, float]:
    """Rotate one ECEF vector into local NED components (no allocation)."""
    return ecef_to_ned_sc(
        math.sin(lat_rad), math.cos(lat_rad), math.sin(lon_rad), math.cos(lon_rad), x, y, z
    )
