"""L1 lateral guidance (ArduPlane AP_L1_Control semantics): legs and loiter circles -> bank.

Park, Deyst and How's nonlinear guidance law as ArduPlane runs it, on the ellipsoid:

- The L1 distance follows the ground speed so that the loop keeps its period
  ``NAVL1_PERIOD`` and damping ``NAVL1_DAMPING``: ``L1 = damping * period * V / pi``; the
  lateral acceleration demand is ``a = 4 damping^2 V^2 / L1 * sin(Nu)``, with ``Nu`` the angle
  from the ground velocity to the L1 point (limited to +/-90 deg) and V the ground speed.
- Legs (:func:`l1_leg`, :func:`l1_waypoint`): ``Nu = Nu1 + Nu2``, ``Nu2`` the angle of the
  ground velocity from the track, ``Nu1 = asin(-xtrack / L1)`` limited to 45 deg (the capture
  angle from far away), plus a small integrator ``NAVL1_XTRACK_I`` of ``Nu1`` active within
  5 deg of the track (limited to 0.1 rad). Behind a 135 deg arc around A and farther than L1
  from it, the aircraft flies to A (:func:`behind_leg_start`); more than 3 s of ground speed
  past B, it flies to B.
  The geometry (cross-track, along-track, track bearing) comes from :mod:`longwing.geo.legs`,
  the normal section of the ellipsoid through A and B: legs of thousands of kilometres
  are flown like short ones.
- Loiter (:func:`l1_loiter`): from outside, the L1 law toward the centre ("capture") until
  the circle law asks for more turn; then a PD law on the radial error with gains
  ``(2 pi / period)^2`` and ``2 damping (2 pi / period)`` plus the centripetal
  acceleration of the tangential ground speed. ``direction`` +1 is clockwise seen from
  above (right turns), -1 anticlockwise.
- Indecision guard: flying away from the target with ``Nu`` near +/-180 deg, the previous
  turn direction is kept.
- Bank command ``atan(a / g)``, limited to ``LW_NAV_ROLL_DEG`` (positive right).

Inputs are the position in ECEF (m), the ground velocity north and east (m/s), the leg ends or
loiter centre in ECEF (heights ignored). State (cross-track integrator, last Nu, circle
captured) is a float64 array owned by the caller; :func:`l1_reset` it when the target changes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.geo.constants import G0_MPS2
from longwing.geo.legs import LegFrame, leg_frame, leg_track, loiter_geometry, target_bearing
from longwing.mathx import clamp, wrap_pi_atan2

CAPTURE_SIN_MAX = math.sqrt(0.5)  # sin(45 deg): the track capture angle limit
XTRACK_I_WINDOW_RAD = math.radians(5.0)
XTRACK_I_MAX_RAD = 0.1
NU_INDECISION_RAD = 0.9 * math.pi
PAST_B_S = 3.0  # fly back to B when this many seconds of ground speed past it


class L1Params(NamedTuple):
    """L1 guidance parameters (SI)."""

    period_s: float  # NAVL1_PERIOD
    damping: float  # NAVL1_DAMPING
    xtrack_i: float  # NAVL1_XTRACK_I, 1/s
    bank_limit_rad: float  # LW_NAV_ROLL_DEG
    wp_radius_m: float  # WP_RADIUS, acceptance radius of waypoints
    loiter_radius_m: float  # WP_LOITER_RAD, default loiter radius


XTRACK_I_STATE, LAST_NU, CIRCLE_CAPTURED = 0, 1, 2
N_L1_STATE = 3


def new_l1_state() -> np.ndarray:
    """A zeroed guidance state (allocate once per run)."""
    return np.zeros(N_L1_STATE)


@njit(cache=True)
def l1_reset(state: np.ndarray) -> None:
    """Forget the integrator, the last turn decision and the capture (new target)."""
    state[:] = 0.0


@njit(cache=True, inline="always")
def _ground(vn: float, ve: float, fallback_course: float) -> tuple[float, float, float, float]:
    """Ground speed (>= 0.1 m/s) and its north/east components, and the course (rad)."""
    vg = math.hypot(vn, ve)
    if vg < 0.1:
        vg = 0.1
        vn, ve = vg * math.cos(fallback_course), vg * math.sin(fallback_course)
    return vg, vn, ve, math.atan2(ve, vn)


@njit(cache=True, inline="always")
def _prevent_indecision(state: np.ndarray, nu: float, target_brg: float, course: float) -> float:
    last = state[LAST_NU]
    if (
        abs(nu) > NU_INDECISION_RAD
        and abs(last) > NU_INDECISION_RAD
        and abs(wrap_pi_atan2(target_brg - course)) > math.radians(120.0)
        and nu * last < 0.0
    ):
        nu = last
    state[LAST_NU] = nu
    return nu


@njit(cache=True)
def bank_from_lateral_accel(p: L1Params, lat_acc_mps2: float) -> float:
    """Coordinated-turn bank (rad) for a lateral acceleration, limited to the nav limit."""
    phi = math.atan(lat_acc_mps2 / G0_MPS2)
    return clamp(phi, -p.bank_limit_rad, p.bank_limit_rad)


@njit(cache=True, inline="always")
def l1_distance_m(p: L1Params, groundspeed_mps: float) -> float:
    """L1 distance (m) = damping * period * V / pi."""
    return p.damping * p.period_s * groundspeed_mps / math.pi


@njit(cache=True, inline="always")
def behind_leg_start(along_m: float, dist_a_m: float, l1_m: float) -> bool:
    """True where L1 flies to the leg's start A before the track: farther than ``l1_m``
    from A and behind the 135 deg arc around it (``along_m``, the along-track distance from
    A, below -sin(45 deg) x ``dist_a_m``, the distance from A). Shared with the planner
    (:mod:`longwing.planning.flight_model`)."""
    return dist_a_m > l1_m and along_m / max(dist_a_m, 1.0) < -CAPTURE_SIN_MAX


@njit(cache=True)
def l1_leg(
    state: np.ndarray,
    p: L1Params,
    dt: float,
    f: LegFrame,
    px: float,
    py: float,
    pz: float,
    vn: float,
    ve: float,
    ax: float,
    ay: float,
    az: float,
    bx: float,
    by: float,
    bz: float,
) -> tuple[float, float, float, float]:
    """Guidance along the leg A -> B of frame ``f`` (from :func:`legs.leg_frame(A, B)`).

    Returns (bank command rad, lateral acceleration demand m/s^2 (+ right), cross-track m
    (+ right of track), distance remaining to B along the track m (negative past B)).
    """
    xt, along, remaining, track = leg_track(f, px, py, pz)
    vg, vn, ve, course = _ground(vn, ve, track)
    l1 = max(l1_distance_m(p, vg), 0.1)
    brg_b, _ = target_bearing(px, py, pz, bx, by, bz)
    behind_a = False
    brg_a = 0.0
    if along < 0.0:  # only then can the aircraft be well behind A
        brg_a, dist_a = target_bearing(px, py, pz, ax, ay, az)
        behind_a = behind_leg_start(along, dist_a, l1)
    if behind_a:
        nu = wrap_pi_atan2(brg_a - course)  # well behind A: fly to A first
    elif along > f.length_m + PAST_B_S * vg:
        nu = wrap_pi_atan2(brg_b - course)  # overshot B: come back to it
    else:
        nu2 = wrap_pi_atan2(track - course)
        nu1 = math.asin(clamp(-xt / l1, -CAPTURE_SIN_MAX, CAPTURE_SIN_MAX))
        if p.xtrack_i <= 0.0:
            state[XTRACK_I_STATE] = 0.0
        elif abs(nu1) < XTRACK_I_WINDOW_RAD:
            integ = state[XTRACK_I_STATE] + nu1 * p.xtrack_i * dt
            state[XTRACK_I_STATE] = clamp(integ, -XTRACK_I_MAX_RAD, XTRACK_I_MAX_RAD)
        nu = nu1 + state[XTRACK_I_STATE] + nu2
    nu = _prevent_indecision(state, nu, brg_b, course)
    nu = clamp(nu, -0.5 * math.pi, 0.5 * math.pi)
    lat_acc = 4.0 * p.damping * p.damping * vg * vg / l1 * math.sin(nu)
    state[CIRCLE_CAPTURED] = 0.0
    return bank_from_lateral_accel(p, lat_acc), lat_acc, xt, remaining


@njit(cache=True)
def l1_waypoint(
    state: np.ndarray,
    p: L1Params,
    dt: float,
    px: float,
    py: float,
    pz: float,
    vn: float,
    ve: float,
    ax: float,
    ay: float,
    az: float,
    bx: float,
    by: float,
    bz: float,
) -> tuple[float, float, float, float]:
    """:func:`l1_leg` building the leg frame of A -> B on each call (all ECEF, m)."""
    f = leg_frame(ax, ay, az, bx, by, bz)
    return l1_leg(state, p, dt, f, px, py, pz, vn, ve, ax, ay, az, bx, by, bz)


@njit(cache=True)
def l1_loiter(
    state: np.ndarray,
    p: L1Params,
    px: float,
    py: float,
    pz: float,
    vn: float,
    ve: float,
    cx: float,
    cy: float,
    cz: float,
    radius_m: float,
    direction: float,
) -> tuple[float, float, float, bool]:
    """Guidance onto and around the circle of ``radius_m`` about C (ECEF, m).

    ``direction`` +1 clockwise (right turns), -1 anticlockwise. Returns (bank command rad,
    lateral acceleration demand m/s^2, radial error m (+ outside), circle captured).
    """
    radius = abs(radius_m)
    dirn = 1.0 if direction >= 0.0 else -1.0
    r, brg = loiter_geometry(px, py, pz, cx, cy, cz)
    vg, vn, ve, course = _ground(vn, ve, brg + dirn * 0.5 * math.pi)
    vg = max(vg, 1.0)
    l1 = max(l1_distance_m(p, vg), 0.1)
    if r > 0.1:
        un, ue = math.cos(brg), math.sin(brg)  # unit vector centre -> aircraft
    else:
        un, ue = vn / vg, ve / vg
    k_l1 = 4.0 * p.damping * p.damping
    omega = 2.0 * math.pi / p.period_s
    kx = omega * omega
    kv = 2.0 * p.damping * omega

    # Capture: the L1 law toward the centre.
    xvel = un * ve - ue * vn  # tangential ground speed, + clockwise
    lvel = -(vn * un + ve * ue)  # radial ground speed, + inbound
    nu = _prevent_indecision(state, math.atan2(xvel, lvel), brg + math.pi, course)
    nu = clamp(nu, -0.5 * math.pi, 0.5 * math.pi)
    acc_cap = k_l1 * vg * vg / l1 * math.sin(nu)

    # Circle: PD on the radial error plus the centripetal acceleration.
    xerr = r - radius
    acc_pd = xerr * kx - lvel * kv
    vtan = xvel * dirn
    if lvel < 0.0 and vtan < 0.0:  # flying out the wrong way round: do not turn back in
        acc_pd = max(acc_pd, 0.0)
    acc_ctr = vtan * vtan / max(0.5 * radius, radius + xerr)
    acc_circ = dirn * (acc_pd + acc_ctr)

    if xerr > 0.0 and dirn * acc_cap < dirn * acc_circ:
        lat_acc = acc_cap
    else:
        lat_acc = acc_circ
        state[CIRCLE_CAPTURED] = 1.0
    return bank_from_lateral_accel(p, lat_acc), lat_acc, xerr, state[CIRCLE_CAPTURED] > 0.0


@njit(cache=True, inline="always")
def waypoint_reached(xtrack_m: float, remaining_m: float, radius_m: float) -> bool:
    """True within ``radius_m`` of B, or once past the perpendicular to the track at B
    (remaining <= 0): the acceptance test of pass-through waypoints."""
    return remaining_m <= 0.0 or math.hypot(xtrack_m, remaining_m) <= radius_m
