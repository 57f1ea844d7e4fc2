"""Centred-dipole geomagnetic field (IGRF-14 2025.0): analytic dipole properties, ranges, and
an honest comparison with published declinations.

What is checked tightly is what a dipole must satisfy exactly: agreement with the vector form
B = (a/r)^3 [3 (g.r)r - g] rotated into geodetic NED, a radial field of twice the equatorial
strength at the geomagnetic pole, a horizontal field on the dipole equator, a horizontal field
that points along the great circle to the geomagnetic pole. Comparison with the real field is
loose by necessity: a dipole's declination is wrong by up to ~15-20 deg at mid latitudes
(London: -14.6 deg dipole vs +1.2 deg published) and by ~50 deg near the poles (WMM2025 test
points 80 N 0 E: dipole -50.0 deg vs 1.28 deg; 80 S 240 E: 22.6 vs 68.78), where the real dip
poles are far from the dipole axis. Those polar points are documented here, not asserted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.geo.magfield import (
    G10_NT,
    G11_NT,
    H11_NT,
    NT_PER_GAUSS,
    RE_MAG_M,
    declination_rad,
    dipole_coeffs_nt,
    dipole_field_ned_sc,
    field_elements,
    geomagnetic_north_pole,
    inclination_rad,
    mag_field_ned,
    mag_field_ned_sc,
)
from longwing.geo.wgs84 import (
    ecef_to_geodetic,
    ecef_to_ned_vec,
    geodetic_to_ecef,
    ned_to_ecef_vec,
)

D = math.radians
G_VEC = np.array([G11_NT, H11_NT, G10_NT]) / NT_PER_GAUSS  # dipole vector, ECEF, gauss
B0_G = float(np.linalg.norm(G_VEC))  # equatorial field at r = a, gauss


def _dipole_ecef(x: float, y: float, z: float) -> np.ndarray:
    """Reference: B = (a/r)^3 [3 (g . r_hat) r_hat - g] in ECEF (gauss)."""
    r = np.array([x, y, z])
    rn = float(np.linalg.norm(r))
    rh = r / rn
    return (RE_MAG_M / rn) ** 3 * (3.0 * float(G_VEC @ rh) * rh - G_VEC)


def _ecef_field(lat: float, lon: float, h: float) -> np.ndarray:
    """mag_field_ned rotated to ECEF."""
    return np.array(ned_to_ecef_vec(lat, lon, *mag_field_ned(lat, lon, h)))


def test_coefficients_are_igrf14_2025() -> None:
    assert (G10_NT, G11_NT, H11_NT) == (-29350.0, -1410.3, 4545.5)
    assert dipole_coeffs_nt(2025.0) == (G10_NT, G11_NT, H11_NT)
    g10, g11, h11 = dipole_coeffs_nt(2030.0)
    assert g10 == pytest.approx(-29350.0 + 5 * 12.6)
    assert g11 == pytest.approx(-1410.3 + 5 * 10.0)
    assert h11 == pytest.approx(4545.5 - 5 * 21.5)


def test_geomagnetic_pole_is_published_position() -> None:
    # IGRF-14 2025.0 geomagnetic (dipole) north pole: 80.8 N, 72.8 W.
    lat, lon = geomagnetic_north_pole(G10_NT, G11_NT, H11_NT)
    assert math.degrees(lat) == pytest.approx(80.79, abs=0.05)
    assert math.degrees(lon) == pytest.approx(-72.76, abs=0.05)


def test_matches_vector_dipole_everywhere() -> None:
    """Spherical-component route + geocentric->geodetic rotation == the vector formula."""
    rng = np.random.default_rng(7)
    lats = np.concatenate([rng.uniform(-90.0, 90.0, 400), [90.0, -90.0, 0.0, 89.999]])
    for i, lat_deg in enumerate(lats):
        lat = D(lat_deg)
        lon = D(rng.uniform(-180.0, 180.0))
        h = [-400.0, 0.0, 3000.0, 20000.0][i % 4]
        want = _dipole_ecef(*geodetic_to_ecef(lat, lon, h))
        got = _ecef_field(lat, lon, h)
        assert np.allclose(got, want, rtol=0.0, atol=1e-13), (lat_deg, h, got, want)


def test_sin_cos_form_matches() -> None:
    lat, lon, h = D(47.3), D(8.5), 1200.0
    a = mag_field_ned(lat, lon, h)
    b = mag_field_ned_sc(math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon), h)
    c = dipole_field_ned_sc(
        math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon), h, G10_NT, G11_NT, H11_NT
    )
    assert a == b == c


@pytest.mark.parametrize("radius_m", [RE_MAG_M, 6378137.0, 6400000.0])
def test_pole_radial_and_twice_equator(radius_m: float) -> None:
    """At the geomagnetic pole B points straight into the Earth with 2 B0 (a/r)^3; on the dipole
    equator at the same radius it is horizontal (perpendicular to r) with B0 (a/r)^3."""
    plat, plon = geomagnetic_north_pole(G10_NT, G11_NT, H11_NT)
    axis = np.array(
        [math.cos(plat) * math.cos(plon), math.cos(plat) * math.sin(plon), math.sin(plat)]
    )
    scale = (RE_MAG_M / radius_m) ** 3
    lat, lon, h = ecef_to_geodetic(*(radius_m * axis))
    b_pole = _ecef_field(lat, lon, h)
    assert np.linalg.norm(b_pole) == pytest.approx(2.0 * B0_G * scale, rel=1e-12)
    assert float(b_pole @ axis) == pytest.approx(-2.0 * B0_G * scale, rel=1e-12)  # inward
    # Points on the dipole equator: axis x e for a few directions e.
    for k in range(12):
        e = np.array([math.cos(k * 0.5), math.sin(k * 0.5), 0.3 * k - 1.0])
        u = np.cross(axis, e)
        u /= np.linalg.norm(u)
        lat, lon, h = ecef_to_geodetic(*(radius_m * u))
        b_eq = _ecef_field(lat, lon, h)
        assert abs(float(b_eq @ u)) < 1e-12  # horizontal (no radial part)
        assert np.linalg.norm(b_pole) / np.linalg.norm(b_eq) == pytest.approx(2.0, rel=1e-12)
        assert float(b_eq @ axis) == pytest.approx(B0_G * scale, rel=1e-12)  # towards the pole
        # Geodetic inclination differs from 0 only by the geodetic-geocentric vertical angle
        # (<= 0.193 deg on WGS84).
        inc = field_elements(*mag_field_ned(lat, lon, h))[1]
        assert abs(math.degrees(inc)) < 0.2


def test_declination_points_to_geomagnetic_pole() -> None:
    """The horizontal field follows the great circle to the geomagnetic pole. Checked with the
    geocentric latitude of the point; the geodetic frame tilts the horizontal plane by <= 0.19
    deg, which moves the declination by < 0.3 deg below 60 deg latitude."""
    plat, plon = geomagnetic_north_pole(G10_NT, G11_NT, H11_NT)
    rng = np.random.default_rng(3)
    for _ in range(500):
        lat, lon = D(rng.uniform(-60.0, 60.0)), D(rng.uniform(-180.0, 180.0))
        x, y, z = geodetic_to_ecef(lat, lon, 0.0)
        latc = math.atan2(z, math.hypot(x, y))
        dl = plon - lon
        az = math.atan2(
            math.sin(dl) * math.cos(plat),
            math.cos(latc) * math.sin(plat) - math.sin(latc) * math.cos(plat) * math.cos(dl),
        )
        err = (declination_rad(lat, lon, 0.0) - az + math.pi) % (2.0 * math.pi) - math.pi
        assert abs(math.degrees(err)) < 0.3


def test_magnitude_in_earth_range() -> None:
    """Real surface field: ~0.22-0.67 G; the dipole: B0 = 0.297 G (equator) to 2 B0 (poles)."""
    mags = []
    for lat in np.arange(-90.0, 90.1, 5.0):
        for lon in np.arange(-180.0, 180.0, 10.0):
            for h in (0.0, 5000.0):
                mags.append(field_elements(*mag_field_ned(D(lat), D(lon), h))[3])
    assert 0.25 < min(mags) < 0.31
    assert 0.58 < max(mags) < 0.65


def test_inclination_sign_by_hemisphere() -> None:
    """Down in the north, up in the south, away from the dipole equator (tilted 9.2 deg)."""
    for lat in np.arange(10.0, 90.1, 5.0):
        for lon in np.arange(-180.0, 180.0, 15.0):
            assert inclination_rad(D(lat), D(lon), 0.0) > 0.0
            assert inclination_rad(D(-lat), D(lon), 0.0) < 0.0
    # Steep at high latitude, shallow near the equator.
    assert math.degrees(inclination_rad(D(75.0), D(-100.0), 0.0)) > 80.0
    assert abs(math.degrees(inclination_rad(D(0.0), D(-70.0), 0.0))) < 25.0


# Published declinations (deg, east +). WMM2025 official test value (NOAA NCEI
# WMM2025_TestValues.txt, 2025.0, h = 0); NOAA NCEI WMM2025 calculator values for 2026-07-04
# (declination changes < 0.2 deg/yr there, immaterial at this tolerance).
PUBLISHED_DECLINATION = [
    # name, lat, lon, declination
    ("WMM test 0N 120E", 0.0, 120.0, -0.16),
    ("London", 51.5074, -0.1278, 1.16),
    ("Sydney", -33.8688, 151.2093, 12.82),
    ("Reykjavik", 64.1466, -21.9426, -11.13),
]
# A centred dipole's declination error at latitudes below ~65 deg is up to ~15-20 deg (London
# 15.8 deg, Reykjavik 8.6, Sydney 4.5, the equatorial Pacific 2.2); 20 deg is that budget.
DIPOLE_DECLINATION_TOL_DEG = 20.0


@pytest.mark.parametrize(("name", "lat", "lon", "published"), PUBLISHED_DECLINATION)
def test_declination_near_published(name: str, lat: float, lon: float, published: float) -> None:
    got = math.degrees(declination_rad(D(lat), D(lon), 0.0))
    assert abs(got - published) < DIPOLE_DECLINATION_TOL_DEG, (name, got, published)


def test_field_elements() -> None:
    dec, inc, h, f = field_elements(0.2, -0.2, 0.4)
    assert dec == pytest.approx(-math.pi / 4)
    assert h == pytest.approx(math.sqrt(0.08))
    assert f == pytest.approx(math.sqrt(0.24))
    assert inc == pytest.approx(math.atan2(0.4, math.sqrt(0.08)))
    # Consistent with the NED components of the model.
    bn, be, bd = mag_field_ned(D(40.0), D(-105.0), 1600.0)
    n, e, d_ = ecef_to_ned_vec(D(40.0), D(-105.0), *_ecef_field(D(40.0), D(-105.0), 1600.0))
    assert (n, e, d_) == pytest.approx((bn, be, bd), abs=1e-15)
