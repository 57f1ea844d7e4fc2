"""Earth's main magnetic field as a centred tilted dipole (IGRF-14, epoch 2025.0).

The model
---------
The degree-1 part of the IGRF spherical-harmonic expansion: with the geomagnetic reference
radius a = 6371.2 km and geocentric spherical coordinates (r, colatitude theta, longitude phi),

    V = a (a/r)^2 [g10 cos(theta) + (g11 cos(phi) + h11 sin(phi)) sin(theta)]

or, in vector form with g = (g11, h11, g10) in ECEF axes, V = a^3 (g . r) / r^3 and

    B = -grad V = (a/r)^3 [3 (g . r_hat) r_hat - g].

Its components in the local geocentric frame (north, east, down) are

    X' = -B_theta = -(a/r)^3 [g10 sin(theta) - (g11 cos(phi) + h11 sin(phi)) cos(theta)]
    Y  =  B_phi   =  (a/r)^3 [g11 sin(phi) - h11 cos(phi)]
    Z' = -B_r     = -2 (a/r)^3 [g10 cos(theta) + (g11 cos(phi) + h11 sin(phi)) sin(theta)]

and the geodetic (WGS84 NED) components follow by a rotation about east through the angle
psi = (geodetic latitude - geocentric latitude), as in the IGRF/WMM reference software:
X = X' cos(psi) + Z' sin(psi), Z = Z' cos(psi) - X' sin(psi). Nothing is singular at the
poles (B_phi needs no division by sin(theta) for degree 1).

Coefficients (nT), IGRF-14 main field for 2025.0 and secular variation for 2025-2030:
International Association of Geomagnetism and Aeronomy (2024), "IGRF-14",
doi:10.5281/zenodo.14012302 (file igrf14coeffs.txt, columns "2025.0" and "SV 2025-30"),
https://www.ncei.noaa.gov/products/international-geomagnetic-reference-field.

Accuracy (what a dipole can and cannot do)
------------------------------------------
The dipole holds about 93 % of the main field's power at the surface (Lowes-Mauersberger
spectrum of IGRF-14). Total intensity is typically within 10-20 % of the full model but up to
~40 % off in the South Atlantic anomaly (real field ~0.22 G); inclination is within ~5 deg at
mid latitudes; declination is off by up to ~15-20 deg at mid latitudes (London: dipole
-14.6 deg, published +1.2 deg) and by tens of degrees near the poles, because the real dip
poles (~86 N, ~64 S) are far from the geomagnetic (dipole) poles (80.8 N, 72.8 W and its
antipode). This is adequate where the simulator's truth and the estimator share the model
(``docs/conventions.md``), as they do here; a vehicle flying on real magnetometer data needs
the full IGRF/WMM declination.

Units: kernels return gauss (1 G = 1e5 nT = 1e-4 T); angles are radians.
"""

from __future__ import annotations

import math

from numba import njit

from longwing.geo.wgs84 import A_M, E2

RE_MAG_M = 6371200.0  # geomagnetic reference radius a (IGRF), m
NT_PER_GAUSS = 1.0e5
EPOCH_YEAR = 2025.0

# IGRF-14 degree-1 Gauss coefficients at 2025.0 (nT) and their secular variation 2025-2030
# (nT/yr); source in the module docstring.
G10_NT = -29350.0
G11_NT = -1410.3
H11_NT = 4545.5
G10_SV_NTPY = 12.6
G11_SV_NTPY = 10.0
H11_SV_NTPY = -21.5


@njit(cache=True)
def dipole_coeffs_nt(decimal_year: float) -> tuple[float, float, float]:
    """(g10, g11, h11) in nT at ``decimal_year`` with IGRF-14's linear secular variation.

    Meant for 2025.0-2030.0 (the IGRF-14 predictive interval); outside it the linear trend
    is extrapolated unchanged.
    """
    dy = decimal_year - EPOCH_YEAR
    return G10_NT + G10_SV_NTPY * dy, G11_NT + G11_SV_NTPY * dy, H11_NT + H11_SV_NTPY * dy


@njit(cache=True, inline="always")
def dipole_field_ned_sc(
    sl: float,
    cl: float,
    so: float,
    co: float,
    alt_m: float,
    g10_nt: float,
    g11_nt: float,
    h11_nt: float,
) -> tuple[float, float, float]:
    """Dipole field in geodetic NED (gauss) from sin/cos of geodetic lat and lon, height (m).

    ``alt_m`` is the height above the WGS84 ellipsoid; the Gauss coefficients are in nT.
    The sin/cos form lets the fast loop reuse the values of ``ecef_to_geodetic_fast``.
    """
    # Geocentric position (WGS84), its radius and geocentric latitude.
    n = A_M / math.sqrt(1.0 - E2 * sl * sl)
    p = (n + alt_m) * cl
    z = (n * (1.0 - E2) + alt_m) * sl
    r = math.sqrt(p * p + z * z)
    s_gc = z / r  # sin(geocentric lat) = cos(colatitude)
    c_gc = p / r  # cos(geocentric lat) = sin(colatitude)
    k = (RE_MAG_M / r) ** 3 / NT_PER_GAUSS
    m = g11_nt * co + h11_nt * so
    b_r = 2.0 * k * (g10_nt * s_gc + m * c_gc)
    b_t = k * (g10_nt * c_gc - m * s_gc)
    b_p = k * (g11_nt * so - h11_nt * co)
    x_c = -b_t
    z_c = -b_r
    # Rotate about east from geocentric to geodetic vertical: psi = lat_geodetic - lat_gc.
    c_psi = cl * c_gc + sl * s_gc
    s_psi = sl * c_gc - cl * s_gc
    return x_c * c_psi + z_c * s_psi, b_p, z_c * c_psi - x_c * s_psi


@njit(cache=True, inline="always")
def mag_field_ned_sc(
    sl: float, cl: float, so: float, co: float, alt_m: float
) -> tuple[float, float, float]:
    """IGRF-14 2025.0 dipole field in NED (gauss), given sin/cos of geodetic lat and lon."""
    return dipole_field_ned_sc(sl, cl, so, co, alt_m, G10_NT, G11_NT, H11_NT)


@njit(cache=True)
def mag_field_ned(lat_rad: float, lon_rad: float, alt_m: float) -> tuple[float, float, float]:
    """IGRF-14 2025.0 dipole field (bn, be, bd) in gauss at geodetic lat, lon (rad), height (m).

    ``alt_m`` is the height above the WGS84 ellipsoid. Down is positive: bd > 0 north of the
    dipole equator.
    """
    return dipole_field_ned_sc(
        math.sin(lat_rad),
        math.cos(lat_rad),
        math.sin(lon_rad),
        math.cos(lon_rad),
        alt_m,
        G10_NT,
        G11_NT,
        H11_NT,
    )


@njit(cache=True)
def field_elements(bn: float, be: float, bd: float) -> tuple[float, float, float, float]:
    """(declination rad, inclination rad, horizontal intensity, total intensity) of a field.

    Declination is the angle from true north to the horizontal field, positive east, in
    (-pi, pi]; inclination is the dip below the horizontal, positive down, in [-pi/2, pi/2].
    Intensities are in the field's units.
    """
    h = math.hypot(bn, be)
    return math.atan2(be, bn), math.atan2(bd, h), h, math.sqrt(h * h + bd * bd)


@njit(cache=True)
def declination_rad(lat_rad: float, lon_rad: float, alt_m: float) -> float:
    """Magnetic declination (rad, positive east of true north) of the 2025.0 dipole."""
    bn, be, _ = mag_field_ned(lat_rad, lon_rad, alt_m)
    return math.atan2(be, bn)


@njit(cache=True)
def inclination_rad(lat_rad: float, lon_rad: float, alt_m: float) -> float:
    """Magnetic inclination (dip, rad, positive down) of the 2025.0 dipole."""
    bn, be, bd = mag_field_ned(lat_rad, lon_rad, alt_m)
    return math.atan2(bd, math.hypot(bn, be))


@njit(cache=True)
def geomagnetic_north_pole(g10_nt: float, g11_nt: float, h11_nt: float) -> tuple[float, float]:
    """Geocentric latitude and longitude (rad) where the dipole axis leaves the north.

    The boreal geomagnetic pole is along -g = -(g11, h11, g10): the field there points
    straight down (into the Earth). For IGRF-14 2025.0: 80.8 N, 72.8 W.
    """
    b0 = math.sqrt(g10_nt * g10_nt + g11_nt * g11_nt + h11_nt * h11_nt)
    return math.asin(-g10_nt / b0), math.atan2(-h11_nt, -g11_nt)
