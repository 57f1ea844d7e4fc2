"""L1 guidance on a kinematic point mass flying on the WGS84 ellipsoid.

The point mass flies at constant airspeed and height; its air-relative heading turns at
``g tan(phi) / V`` (coordinated turn) plus the transport rate ``v_east tan(lat) / (N + h)``
(so that wings level is a geodesic, not a rhumb line); its bank follows the command with a
0.5 s lag and a 45 deg/s rate limit; ground velocity = air velocity + a steady wind (NED).
Positions are propagated in ECEF, so the guidance is tested on the real geometry, including
a 1,000 km leg at 60 deg latitude.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from numba import njit

from longwing.control.l1 import (
    CIRCLE_CAPTURED,
    bank_from_lateral_accel,
    l1_distance_m,
    l1_leg,
    l1_loiter,
    new_l1_state,
    waypoint_reached,
)
from longwing.control.params import build_params
from longwing.geo.legs import leg_frame, leg_track, loiter_geometry
from longwing.geo.wgs84 import (
    ecef_to_geodetic_fast,
    geodetic_to_ecef,
    ned_to_ecef_sc,
    radii_of_curvature,
)

GEOD = Geodesic.WGS84
G = 9.80665
V_AIR = 25.0
H0 = 1000.0
BANK_TAU_S = 0.5
BANK_RATE_MAX = math.radians(45.0)
P = build_params().l1

# log columns
T, XT, ALONG, REM, BANK, COURSE, RADIUS, CAPTURED, N_COL = range(9)
MODE_LEG, MODE_LOITER = 0, 1


@njit(cache=True)
def fly_l1(pos, psi, phi, state, p, mode, a, b, centre, radius, direction, wind, v_air, h0,
           dt, n, log, log_every):  # fmt: skip
    """Fly n steps of the point mass under L1 (leg A -> B or loiter); log every k-th step.

    Returns (position, heading, bank, steps logged, step at which B was reached or -1).
    """
    f = leg_frame(a[0], a[1], a[2], b[0], b[1], b[2])
    n_log = 0
    reached_at = -1
    for k in range(n):
        h, sl, cl, so, co = ecef_to_geodetic_fast(pos[0], pos[1], pos[2])
        vn = v_air * math.cos(psi) + wind[0]
        ve = v_air * math.sin(psi) + wind[1]
        if mode == 0:
            bank_c, _, xt, rem = l1_leg(state, p, dt, f, pos[0], pos[1], pos[2], vn, ve,
                                        a[0], a[1], a[2], b[0], b[1], b[2])  # fmt: skip
            _, along, _, _ = leg_track(f, pos[0], pos[1], pos[2])
            if reached_at < 0 and waypoint_reached(xt, rem, p.wp_radius_m):
                reached_at = k
            r = 0.0
            cap = False
        else:
            bank_c, _, xerr, cap = l1_loiter(state, p, pos[0], pos[1], pos[2], vn, ve,
                                             centre[0], centre[1], centre[2], radius,
                                             direction)  # fmt: skip
            r = radius + xerr
            xt = along = rem = 0.0
        if k % log_every == 0 and n_log < log.shape[0]:
            row = (k * dt, xt, along, rem, phi, math.atan2(ve, vn), r, 1.0 if cap else 0.0)
            for i in range(len(row)):
                log[n_log, i] = row[i]
            n_log += 1
        # bank: first-order lag, rate limited; heading: coordinated turn + transport rate
        rate = min(BANK_RATE_MAX, max(-BANK_RATE_MAX, (bank_c - phi) / BANK_TAU_S))
        phi += rate * dt
        _, n_rad = radii_of_curvature(math.atan2(sl, cl))
        psi += (G * math.tan(phi) / v_air + ve * sl / cl / (n_rad + h)) * dt
        dx, dy, dz = ned_to_ecef_sc(sl, cl, so, co, vn * dt, ve * dt, 0.0)
        pos[0] += dx
        pos[1] += dy
        pos[2] += dz
        h2, sl2, cl2, so2, co2 = ecef_to_geodetic_fast(pos[0], pos[1], pos[2])
        pos[0] -= (h2 - h0) * cl2 * co2  # stay at constant height
        pos[1] -= (h2 - h0) * cl2 * so2
        pos[2] -= (h2 - h0) * sl2
    return psi, phi, n_log, reached_at


def ecef(lat_deg, lon_deg, h=0.0):
    return np.array(geodetic_to_ecef(math.radians(lat_deg), math.radians(lon_deg), h))


def offset(lat, lon, azi_deg, dist_m):
    """Geodesic Direct: (lat, lon) after dist_m along azimuth azi_deg."""
    d = GEOD.Direct(lat, lon, azi_deg, dist_m)
    return d["lat2"], d["lon2"]


def leg_run(a, b, start_latlon, heading_deg, duration_s, wind=(0.0, 0.0), dt=0.05, every=20,
            p=P):  # fmt: skip
    """Fly leg A -> B (ECEF) from start (lat, lon) on the given heading; return log, reached."""
    pos = ecef(*start_latlon, H0)
    n = round(duration_s / dt)
    log = np.zeros((n // every + 1, N_COL))
    _, _, m, reached = fly_l1(pos, math.radians(heading_deg), 0.0, new_l1_state(), p, MODE_LEG,
                              a, b, a, 0.0, 1.0, np.array([*wind, 0.0]), V_AIR, H0, dt, n, log,
                              every)  # fmt: skip
    return log[:m], (reached * dt if reached >= 0 else None)


def loiter_run(centre_latlon, start_latlon, heading_deg, radius, direction, duration_s,
               wind=(0.0, 0.0), dt=0.05, every=10):  # fmt: skip
    c = ecef(*centre_latlon)
    pos = ecef(*start_latlon, H0)
    n = round(duration_s / dt)
    log = np.zeros((n // every + 1, N_COL))
    _, _, m, _ = fly_l1(pos, math.radians(heading_deg), 0.0, new_l1_state(), P, MODE_LOITER, c,
                        c, c, radius, direction, np.array([*wind, 0.0]), V_AIR, H0, dt, n, log,
                        every)  # fmt: skip
    return log[:m]


def crab_heading_deg(track_deg: float, wind: tuple[float, float]) -> float:
    """Air heading that makes good ``track_deg`` in the wind (north, east m/s)."""
    tr = math.radians(track_deg)
    w_perp = -wind[0] * math.sin(tr) + wind[1] * math.cos(tr)
    return math.degrees(tr - math.asin(w_perp / V_AIR))


def short_leg(lat=45.0, lon=10.0, azi=30.0, length=60e3):
    end = offset(lat, lon, azi, length)
    return ecef(lat, lon), ecef(*end)


# --- pure functions ---------------------------------------------------------------------


def test_l1_distance_and_bank():
    assert l1_distance_m(P, 25.0) == pytest.approx(0.75 * 17.0 * 25.0 / math.pi)
    assert bank_from_lateral_accel(P, G) == pytest.approx(math.radians(30.0))  # limited
    assert bank_from_lateral_accel(P, 0.5 * G) == pytest.approx(math.atan(0.5))
    assert bank_from_lateral_accel(P, -3.0) == pytest.approx(-math.atan(3.0 / G))


def test_waypoint_reached():
    assert waypoint_reached(10.0, 50.0, 60.0)  # inside the acceptance radius
    assert not waypoint_reached(10.0, 70.0, 60.0)
    assert waypoint_reached(500.0, -0.1, 60.0)  # crossed the perpendicular at B
    assert not waypoint_reached(0.0, 1000.0, 60.0)


@pytest.mark.parametrize(("xtrack", "expect_sign"), [(100.0, -1.0), (-100.0, 1.0)])
def test_lateral_acceleration_sign_on_a_leg(xtrack, expect_sign):
    """Right of a northbound track, flying north: turn left (negative), and vice versa."""
    a, b = ecef(0.0, 0.0), ecef(0.5, 0.0)
    lat, lon = offset(0.1, 0.0, 90.0, xtrack)
    st = new_l1_state()
    bank, acc, xt, rem = l1_leg(st, P, 0.1, leg_frame(*a, *b), *ecef(lat, lon, H0), 25.0, 0.0,
                                *a, *b)  # fmt: skip
    assert xt == pytest.approx(xtrack, abs=1e-6)
    assert np.sign(acc) == expect_sign and np.sign(bank) == expect_sign
    # 100 m with L1 = 101 m: Nu1 limited to 45 deg, a = 4 zeta^2 V^2 / L1 sin(45 deg)
    l1 = l1_distance_m(P, 25.0)
    assert abs(acc) == pytest.approx(4 * 0.75**2 * 625.0 / l1 * math.sqrt(0.5), rel=1e-9)


# --- flights -----------------------------------------------------------------------------


@pytest.mark.parametrize("side", [1.0, -1.0])
@pytest.mark.parametrize("wind", [(0.0, 0.0), (5.0, -8.660254), (-5.0, 8.660254)])
def test_line_capture_from_1km(side, wind):
    """1 km off a 60 km leg, parallel to it: captured at <= 45 deg, overshoot < 7.5 m, then
    cross-track RMS ~ 0 with or without a 10 m/s crosswind (from either side)."""
    a, b = short_leg()
    start = offset(45.0, 10.0, 30.0 + side * 90.0, 1000.0)
    log, reached = leg_run(a, b, start, crab_heading_deg(30.0, wind), 1200.0, wind=wind)
    assert reached is None
    xt = log[:, XT] * side  # positive on the starting side
    assert xt[0] == pytest.approx(1000.0, abs=0.01)
    overshoot = max(0.0, -xt.min())
    course_rel = np.degrees(np.arctan2(np.sin(log[:, COURSE] - math.radians(30.0)),
                                       np.cos(log[:, COURSE] - math.radians(30.0))))  # fmt: skip
    print(f"side {side:+.0f} wind {wind}: overshoot {overshoot:.2f} m, "
          f"intercept {np.abs(course_rel).max():.2f} deg")  # fmt: skip
    assert overshoot < 7.5  # measured 2.7-5.0 m (2026-12-07)
    assert np.abs(course_rel).max() < 45.5  # the 45 deg capture angle limit (+ lag)
    steady = log[:, T] > 300.0
    rms = math.sqrt(np.mean(log[steady, XT] ** 2))
    assert rms < 0.05
    assert np.abs(log[log[:, T] > 600.0, XT]).max() < 0.01


def test_leg_flown_to_b_and_reached():
    a, b = short_leg(length=10e3)
    log, reached = leg_run(a, b, (45.0, 10.0), 30.0, 500.0)
    assert reached == pytest.approx(10e3 / V_AIR - P.wp_radius_m / V_AIR, abs=1.0)


def test_flies_to_a_from_behind():
    """Starting 2 km behind A, heading away from it: turns round, passes near A, tracks."""
    a, b = short_leg()
    start = offset(45.0, 10.0, 210.0, 2000.0)
    log, _ = leg_run(a, b, start, 210.0, 600.0)
    assert log[0, ALONG] == pytest.approx(-2000.0, abs=1.0)
    late = log[:, T] > 400.0
    assert np.abs(log[late, XT]).max() < 1.0
    assert log[-1, ALONG] > 5000.0


@pytest.mark.parametrize(
    ("azi", "wind"), [(90.0, (0.0, 0.0)), (90.0, (10.0, 0.0)), (45.0, (0.0, 10.0)),
                      (45.0, (-7.0, 7.0))],
)  # fmt: skip
def test_1000km_leg_at_60_north(azi, wind):
    """A 1,000 km leg at 60 deg N, started on the track (crabbed into the wind): the
    cross-track stays below 1 m all the way to B (measured: < 1 mm)."""
    end = offset(60.0, 10.0, azi, 1e6)
    a, b = ecef(60.0, 10.0), ecef(*end)
    track0 = math.degrees(leg_track(leg_frame(*a, *b), *a)[3])
    log, reached = leg_run(a, b, (60.0, 10.0), crab_heading_deg(track0, wind), 1e6 / 20.0,
                           wind=wind, dt=0.1, every=50)  # fmt: skip
    assert reached is not None
    before_b = log[:, T] < reached
    print(f"azi {azi} wind {wind}: max |xt| {np.abs(log[before_b, XT]).max():.2e} m")
    assert np.abs(log[before_b, XT]).max() < 1.0
    assert np.abs(log[before_b, BANK]).max() < math.radians(1.0)


@pytest.mark.parametrize("direction", [1.0, -1.0])
@pytest.mark.parametrize(
    ("start_kind", "radius", "tol"),
    [("outside", 300.0, 0.02), ("centre", 300.0, 0.02), ("inside", 300.0, 0.02),
     ("outside", 200.0, 0.05)],
)  # fmt: skip
def test_loiter_in_10mps_wind(direction, start_kind, radius, tol):
    """Capture from 2 km out, from the centre and from inside; then hold the radius within
    2 % (300 m) in a 10 m/s wind; within 5 % at the 200 m default, where the downwind
    ground speed of 35 m/s needs more than the 30 deg bank limit (measured 4.1 %)."""
    c = (60.0, 10.0)
    starts = {"outside": (offset(*c, 200.0, 2000.0), 0.0), "centre": (c, 90.0),
              "inside": (offset(*c, 45.0, 0.5 * radius), 200.0)}  # fmt: skip
    start, heading = starts[start_kind]
    wind = (10.0 * math.cos(math.radians(70.0)), 10.0 * math.sin(math.radians(70.0)))
    log = loiter_run(c, start, heading, radius, direction, 500.0, wind=wind)
    cap = log[:, CAPTURED] > 0
    assert cap.any()
    t_cap = log[cap, T][0]
    assert t_cap < 120.0
    after = log[:, T] > t_cap + 120.0  # a couple of laps after capture
    r = log[after, RADIUS]
    err = np.abs(r - radius).max() / radius
    print(f"{start_kind} R={radius} dir {direction:+.0f}: captured at {t_cap:.1f} s, "
          f"radius error {err * 100:.2f} %")  # fmt: skip
    assert err < tol
    assert np.all(np.sign(log[after, BANK]) == direction)  # turning the commanded way


def test_loiter_state_reports_capture():
    st = new_l1_state()
    c = ecef(0.0, 0.0)
    far = ecef(*offset(0.0, 0.0, 0.0, 3000.0), H0)
    *_, captured = l1_loiter(st, P, *far, -25.0, 0.0, *c, 300.0, 1.0)  # heading inbound
    assert not captured and st[CIRCLE_CAPTURED] == 0.0
    on = ecef(*offset(0.0, 0.0, 0.0, 300.0), H0)
    bank, acc, xerr, captured = l1_loiter(st, P, *on, 0.0, 25.0, *c, 300.0, 1.0)
    assert captured
    assert xerr == pytest.approx(0.0, abs=1e-3)
    assert acc == pytest.approx(625.0 / 300.0, rel=1e-3)  # centripetal V^2 / R, right turn
    assert loiter_geometry(*on, *c)[0] == pytest.approx(300.0, abs=1e-6)
