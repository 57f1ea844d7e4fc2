"""WGS84 frames and normal gravity against published values and independent references.

Independent references used here:
- Somigliana normal gravity: the values published in NIMA TR8350.2 (3rd ed., 2000) and its
  series expansion (eq. 4-3), plus the closed form rebuilt in this file from the defining
  constants (a, f from geographiclib; the equatorial and polar gravity).
- ECEF <-> geodetic: geographiclib 2.1 for Python has no ``Geocentric`` class (only the
  C++/Java ports do), so the reference is written here with a *different* algorithm than
  the code's: the forward map through the reduced (parametric) latitude, and the reverse
  map by Newton's method on that forward map, run to convergence. The ellipsoid
  metric is tied to geographiclib directly: ECEF chords of 1 km equal geographiclib's
  geodesic distances.
- NED axes: finite differences of the geodetic -> ECEF map (north = d r / d lat, east =
  d r / d lon, down = -d r / d h).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.geo.gravity import gravity_ned, gravity_potential, somigliana_mps2
from longwing.geo.wgs84 import (
    A_M,
    E2,
    F,
    ecef_to_geodetic,
    ecef_to_ned_vec,
    geodetic_to_ecef,
    ned_to_ecef_dcm,
    ned_to_ecef_vec,
    radii_of_curvature,
)

GEOD = Geodesic.WGS84
A_REF = GEOD.a
F_REF = GEOD.f
B_REF = A_REF * (1.0 - F_REF)
E2_REF = F_REF * (2.0 - F_REF)

G_EQ = 9.7803253359  # TR8350.2 (2000), normal gravity at the equator
G_POLE = 9.8321849378  # ... at the poles


# ---------------------------------------------------------------------------------------------
# independent references


def ref_geodetic_to_ecef(lat: float, lon: float, h: float) -> np.ndarray:
    """Forward map through the reduced latitude beta (tan beta = (1 - f) tan lat)."""
    beta = math.atan2((1.0 - F_REF) * math.sin(lat), math.cos(lat))
    rho = A_REF * math.cos(beta) + h * math.cos(lat)
    z = B_REF * math.sin(beta) + h * math.sin(lat)
    return np.array([rho * math.cos(lon), rho * math.sin(lon), z])


def ref_ecef_to_geodetic(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Reverse map: Newton's method on the reference forward map, in the meridian plane.

    The fixed point depends only on the forward map (the Jacobian, built from the local
    north and up directions, sets the convergence rate, not the answer), so this shares
    nothing with the code's closed-form or Bowring-type solutions.
    """
    p = math.hypot(x, y)
    lat = math.atan2(z, p)  # geocentric first guess
    h = math.hypot(p, z) - A_REF
    for _ in range(30):
        r = ref_geodetic_to_ecef(lat, 0.0, h)
        dp, dz = p - r[0], z - r[2]
        sl, cl = math.sin(lat), math.cos(lat)
        m = A_REF * (1.0 - E2_REF) / (1.0 - E2_REF * sl * sl) ** 1.5
        lat += (-sl * dp + cl * dz) / (m + h)
        h += cl * dp + sl * dz
        if abs(dp) + abs(dz) < 1e-8:
            break
    return lat, math.atan2(y, x), h


def ref_somigliana(lat: float) -> float:
    """Closed form rebuilt from the defining constants: k = b g_p / (a g_e) - 1."""
    k = B_REF * G_POLE / (A_REF * G_EQ) - 1.0
    s2 = math.sin(lat) ** 2
    return G_EQ * (1.0 + k * s2) / math.sqrt(1.0 - E2_REF * s2)


def tr8350_series(lat: float) -> float:
    """TR8350.2 eq. 4-3: the series expansion of Somigliana's formula."""
    s2 = math.sin(lat) ** 2
    return G_EQ * (
        1.0 + 0.0052790414 * s2 + 0.0000232718 * s2**2 + 0.0000001262 * s2**3 + 0.0000000007 * s2**4
    )


def random_points(n: int, seed: int = 7) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    pts = [
        (math.pi / 2, 0.3, 0.0),  # north pole
        (-math.pi / 2, -2.0, 1500.0),  # south pole
        (math.pi / 2, 0.0, 100000.0),
        (0.0, 0.0, 0.0),
        (0.0, math.pi, -5000.0),  # date line, below the ellipsoid
        (0.3, -math.pi, 1000.0),
        (-0.7, math.pi - 1e-12, 20000.0),
        (math.radians(89.9999), 1.0, 500.0),
        (math.radians(-89.99999), -1.0, -300.0),
        (1e-10, 2.0, 100000.0),
    ]
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-math.pi, math.pi, n)
    h = rng.uniform(-6000.0, 100000.0, n)
    pts += list(zip(lat.tolist(), lon.tolist(), h.tolist(), strict=True))
    return pts


POINTS = random_points(2000)


# ---------------------------------------------------------------------------------------------
# constants and normal gravity


def test_ellipsoid_constants_match_geographiclib() -> None:
    assert A_M == A_REF == 6378137.0
    assert F == pytest.approx(F_REF, rel=1e-15)
    assert E2 == pytest.approx(E2_REF, rel=1e-15)


def test_somigliana_published_values() -> None:
    assert somigliana_mps2(0.0) == pytest.approx(9.7803253359, abs=1e-10)
    assert somigliana_mps2(math.pi / 2) == pytest.approx(9.8321849378, abs=1e-10)
    assert somigliana_mps2(-math.pi / 2) == pytest.approx(9.8321849378, abs=1e-10)
    # 45 deg: closed form with the 2000 constants gives 9.8061977694 m/s^2. (The often-quoted
    # 9.806199203 belongs to the 1987 edition's constants, g_e = 9.7803267714, and is
    # inconsistent with the equatorial value above by 1.4e-6 m/s^2.)
    assert somigliana_mps2(math.radians(45.0)) == pytest.approx(9.8061977694, abs=2e-10)


@pytest.mark.parametrize("lat_deg", [-75.0, -30.0, 10.0, 45.0, 60.0, 89.0])
def test_somigliana_against_series_and_closed_form(lat_deg: float) -> None:
    lat = math.radians(lat_deg)
    g = somigliana_mps2(lat)
    assert g == pytest.approx(ref_somigliana(lat), abs=1e-10)
    assert g == pytest.approx(tr8350_series(lat), abs=3e-8)  # series: rounded coefficients


@pytest.mark.parametrize("h", [0.0, 500.0, 1500.0, 11000.0, -400.0])
@pytest.mark.parametrize("lat_deg", [0.0, 37.0, -68.0])
def test_free_air_gradient(h: float, lat_deg: float) -> None:
    lat = math.radians(lat_deg)
    gn, ge, gd = gravity_ned(lat, h)
    assert gd == pytest.approx(ref_somigliana(lat) - 3.086e-6 * h, abs=1e-10)
    assert ge == 0.0
    # the plumb-line tilt is tiny: |g_north| < h * 0.06 / 6.3e6
    assert abs(gn) <= abs(h) * 0.06 / 6.3e6 + 1e-15


@pytest.mark.parametrize("h", [1000.0, 10000.0, 100000.0, -3000.0])
@pytest.mark.parametrize("lat_deg", [-60.0, 10.0, 45.0, 80.0])
def test_gravity_is_the_gradient_of_the_potential(h: float, lat_deg: float) -> None:
    """g = -grad(U): down = dU/dh, north = -dU/dlat / (M + h), east = 0."""
    lat = math.radians(lat_deg)
    gn, _, gd = gravity_ned(lat, h)
    # (a) in geodetic coordinates with the meridian radius of curvature
    m, _ = radii_of_curvature(lat)
    dlat = 1e-5
    du_dlat = (gravity_potential(lat + dlat, h) - gravity_potential(lat - dlat, h)) / (2 * dlat)
    assert -du_dlat / (m + h) == pytest.approx(gn, rel=1e-7, abs=1e-12)
    dh = 10.0
    du_dh = (gravity_potential(lat, h + dh) - gravity_potential(lat, h - dh)) / (2 * dh)
    assert du_dh == pytest.approx(gd, rel=1e-11)
    # (b) by moving the point itself in ECEF along the local north and down axes, so that the
    # radius of curvature is not used at all (the metric comes from the ECEF conversions).
    lon = 0.4
    r = np.array(geodetic_to_ecef(lat, lon, h))
    c_en = ned_to_ecef_dcm(lat, lon)
    step = 500.0
    for axis, g_ref in ((0, gn), (2, gd)):
        up = np.asarray(ecef_to_geodetic(*(r + step * c_en[:, axis])))
        dn = np.asarray(ecef_to_geodetic(*(r - step * c_en[:, axis])))
        dudx = (gravity_potential(up[0], up[2]) - gravity_potential(dn[0], dn[2])) / (2 * step)
        # along north: g_n = -dU/dx_n; along down: g_d = -dU/dx_d
        assert -dudx == pytest.approx(g_ref, rel=1e-5, abs=1e-11), axis


# ---------------------------------------------------------------------------------------------
# geodetic <-> ECEF


def test_radii_of_curvature() -> None:
    m, n = radii_of_curvature(0.0)
    assert m == pytest.approx(A_REF * (1.0 - E2_REF), rel=1e-14)
    assert n == pytest.approx(A_REF, rel=1e-15)
    m, n = radii_of_curvature(math.pi / 2)
    assert m == pytest.approx(A_REF * A_REF / B_REF, rel=1e-14)
    assert n == pytest.approx(A_REF * A_REF / B_REF, rel=1e-14)
    # |dr/dlat| = M + h, |dr/dlon| = (N + h) cos(lat) on the independent forward map
    for lat_deg, h in ((23.0, 0.0), (-51.0, 3000.0), (74.0, 90000.0)):
        lat = math.radians(lat_deg)
        m, n = radii_of_curvature(lat)
        d = 1e-5
        dr_dlat = (
            ref_geodetic_to_ecef(lat + d, 0.2, h) - ref_geodetic_to_ecef(lat - d, 0.2, h)
        ) / (2 * d)
        dr_dlon = (
            ref_geodetic_to_ecef(lat, 0.2 + d, h) - ref_geodetic_to_ecef(lat, 0.2 - d, h)
        ) / (2 * d)
        assert np.linalg.norm(dr_dlat) == pytest.approx(m + h, rel=1e-9)
        assert np.linalg.norm(dr_dlon) == pytest.approx((n + h) * math.cos(lat), rel=1e-9)


def test_forward_against_reduced_latitude_form() -> None:
    worst = 0.0
    for lat, lon, h in POINTS:
        got = np.array(geodetic_to_ecef(lat, lon, h))
        worst = max(worst, float(np.max(np.abs(got - ref_geodetic_to_ecef(lat, lon, h)))))
    assert worst < 1e-7, worst  # metres


def test_reverse_against_iterative_reference() -> None:
    worst_h = worst_lat = worst_lon = 0.0
    for lat, lon, h in POINTS:
        r = ref_geodetic_to_ecef(lat, lon, h)
        lat1, lon1, h1 = ecef_to_geodetic(*r)
        lat2, lon2, h2 = ref_ecef_to_geodetic(*r)
        m, n = radii_of_curvature(lat2)
        worst_lat = max(worst_lat, abs(lat1 - lat2) * (m + h2))  # metres along the meridian
        if abs(lat2) < math.radians(89.99):
            dlon = math.remainder(lon1 - lon2, 2 * math.pi)
            worst_lon = max(worst_lon, abs(dlon) * (n + h2) * math.cos(lat2))
        worst_h = max(worst_h, abs(h1 - h2))
        # both agree with the input to well below a millimetre
        assert abs(h2 - h) < 1e-6
    assert worst_lat < 1e-6, worst_lat
    assert worst_lon < 1e-6, worst_lon
    assert worst_h < 1e-6, worst_h


def test_round_trip_sub_millimetre() -> None:
    worst_pos = worst_h = 0.0
    for lat, lon, h in POINTS:
        r = np.array(geodetic_to_ecef(lat, lon, h))
        lat1, lon1, h1 = ecef_to_geodetic(*r)
        r1 = np.array(geodetic_to_ecef(lat1, lon1, h1))
        worst_pos = max(worst_pos, float(np.linalg.norm(r1 - r)))
        worst_h = max(worst_h, abs(h1 - h))
        assert abs(lat1 - lat) < 1e-12  # 6 micrometres
        if abs(lat) < math.radians(89.999):
            assert abs(math.remainder(lon1 - lon, 2 * math.pi)) < 1e-12
    assert worst_pos < 1e-6, worst_pos  # metres; "sub-mm" with three orders of margin
    assert worst_h < 1e-6, worst_h


def test_ecef_metric_matches_geographiclib_geodesics() -> None:
    """1 km ECEF chords between points on the ellipsoid equal geographiclib's geodesic
    lengths (the chord is shorter than the arc by s^3 / (24 R^2) ~ 1.6e-6 m). This ties the
    code's ellipsoid to geographiclib's, including the meridian and prime-vertical radii."""
    s = 1000.0
    for lat0 in (-89.0, -60.0, -20.0, 0.0, 33.0, 70.0, 89.5):
        for azi in (0.0, 45.0, 90.0, 135.0):
            d = GEOD.Direct(lat0, 179.999, azi, s)
            r1 = np.array(geodetic_to_ecef(math.radians(lat0), math.radians(179.999), 0.0))
            r2 = np.array(geodetic_to_ecef(math.radians(d["lat2"]), math.radians(d["lon2"]), 0.0))
            m, n = radii_of_curvature(math.radians(lat0))
            az = math.radians(azi)
            r_dir = 1.0 / (math.cos(az) ** 2 / m + math.sin(az) ** 2 / n)  # Euler's formula
            chord = s - s**3 / (24.0 * r_dir**2)
            assert np.linalg.norm(r2 - r1) == pytest.approx(chord, abs=2e-6), (lat0, azi)


# ---------------------------------------------------------------------------------------------
# NED axes


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg"),
    [(0.0, 0.0), (45.0, -30.0), (-33.0, 151.0), (89.9, 180.0), (-89.9, -179.9), (60.0, 95.0)],
)
def test_ned_axes(lat_deg: float, lon_deg: float) -> None:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    c = ned_to_ecef_dcm(lat, lon)
    assert np.allclose(c.T @ c, np.eye(3), atol=1e-15)
    assert np.linalg.det(c) == pytest.approx(1.0, abs=1e-15)
    h, d = 500.0, 1e-6
    north = ref_geodetic_to_ecef(lat + d, lon, h) - ref_geodetic_to_ecef(lat - d, lon, h)
    east = ref_geodetic_to_ecef(lat, lon + d, h) - ref_geodetic_to_ecef(lat, lon - d, h)
    down = ref_geodetic_to_ecef(lat, lon, h - 1.0) - ref_geodetic_to_ecef(lat, lon, h + 1.0)
    for col, ref in ((0, north), (1, east), (2, down)):
        assert np.allclose(c[:, col], ref / np.linalg.norm(ref), atol=1e-8), col
    rng = np.random.default_rng(3)
    for _ in range(20):
        v = rng.normal(size=3) * 30.0
        e = np.array(ned_to_ecef_vec(lat, lon, *v))
        assert np.allclose(e, c @ v, atol=1e-13)
        back = np.array(ecef_to_ned_vec(lat, lon, *e))
        assert np.allclose(back, v, atol=1e-13)
        assert np.allclose(np.array(ecef_to_ned_vec(lat, lon, *v)), c.T @ v, atol=1e-13)
