"""Ground contact: spring-damper contact points with Coulomb friction (regularised).

Up to five body-frame contact points (a front point on the centreline, a left/right main
pair, and a left/right wingtip pair). Each point that is below the ground level pushes back
along the local vertical with a spring-damper normal force, and friction opposes the point's
horizontal velocity, split along the body's heading (rolling or skid friction, more with
brakes) and across it (side friction). The ground is a level plane at ``ground_alt_m`` for
now (terrain comes with DEM support). Forces and moments are returned in body axes.
"""

from __future__ import annotations

import math

from numba import njit

from longwing.airframe.params import GroundParams
from longwing.geo.rotation import quat_rotate, quat_rotate_inv
from longwing.geo.wgs84 import ecef_to_ned_sc, ned_to_ecef_sc

FRICTION_SPEED_MPS = 0.1  # friction reaches full strength above this sliding speed


N_CONTACTS = 5


@njit(cache=True, inline="always")
def contact_point(gp: GroundParams, i: int) -> tuple[float, float, float]:
    """Body-axis position (m) of contact point ``i``: front, left/right main, left/right tip."""
    if i == 0:
        return gp.front_x_m, 0.0, gp.front_z_m
    if i == 1:
        return gp.main_x_m, -gp.main_y_m, gp.main_z_m
    if i == 2:
        return gp.main_x_m, gp.main_y_m, gp.main_z_m
    if i == 3:
        return gp.tip_x_m, -gp.tip_y_m, gp.tip_z_m
    return gp.tip_x_m, gp.tip_y_m, gp.tip_z_m


@njit(cache=True)
def _contact(
    px: float,
    py: float,
    pz: float,
    q0: float,
    q1: float,
    q2: float,
    q3: float,
    vx: float,
    vy: float,
    vz: float,
    pe: float,
    qe: float,
    re: float,
    sl: float,
    cl: float,
    so: float,
    co: float,
    h: float,
    ground_alt_m: float,
    xh_n: float,
    xh_e: float,
    mu_long: float,
    gp: GroundParams,
) -> tuple[float, float, float, float, float, float, float]:
    """Body force and moment of one contact point, and its penetration depth (m)."""  # fmt: skip
    dx, dy, dz = quat_rotate(q0, q1, q2, q3, px, py, pz)
    _, _, dd = ecef_to_ned_sc(sl, cl, so, co, dx, dy, dz)
    depth = ground_alt_m - (h - dd)
    if depth <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    # velocity of the point relative to the Earth: v + C_eb (w_eb x p)
    wx = qe * pz - re * py
    wy = re * px - pe * pz
    wz = pe * py - qe * px
    ox, oy, oz = quat_rotate(q0, q1, q2, q3, wx, wy, wz)
    vn, ve, vd = ecef_to_ned_sc(sl, cl, so, co, vx + ox, vy + oy, vz + oz)
    normal = max(0.0, gp.stiffness_npm * depth + gp.damping_nspm * vd)
    v_long = vn * xh_n + ve * xh_e
    v_lat = -vn * xh_e + ve * xh_n
    f_long = -mu_long * normal * math.tanh(v_long / FRICTION_SPEED_MPS)
    f_lat = -gp.mu_side * normal * math.tanh(v_lat / FRICTION_SPEED_MPS)
    fn = f_long * xh_n - f_lat * xh_e
    fe = f_long * xh_e + f_lat * xh_n
    ex, ey, ez = ned_to_ecef_sc(sl, cl, so, co, fn, fe, -normal)
    fbx, fby, fbz = quat_rotate_inv(q0, q1, q2, q3, ex, ey, ez)
    return (
        fbx, fby, fbz, py * fbz - pz * fby, pz * fbx - px * fbz, px * fby - py * fbx, depth,
    )  # fmt: skip


@njit(cache=True)
def ground_forces(
    q0: float,
    q1: float,
    q2: float,
    q3: float,
    vx: float,
    vy: float,
    vz: float,
    pe: float,
    qe: float,
    re: float,
    sl: float,
    cl: float,
    so: float,
    co: float,
    h: float,
    ground_alt_m: float,
    brake: float,
    gp: GroundParams,
) -> tuple[float, float, float, float, float, float, float]:
    """Total contact force (N) and moment (N m) in body axes, and the deepest penetration.

    ``vx, vy, vz``: Earth-relative velocity (ECEF axes); ``pe, qe, re``: body rates relative
    to the Earth; ``sl..co``: sin/cos of latitude and longitude; ``brake`` in [0, 1].
    """  # fmt: skip
    if h - ground_alt_m > gp.reach_m or gp.stiffness_npm <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    # body x axis projected on the local horizontal (heading direction)
    bx, by, bz = quat_rotate(q0, q1, q2, q3, 1.0, 0.0, 0.0)
    xn, xe, _ = ecef_to_ned_sc(sl, cl, so, co, bx, by, bz)
    nh = math.hypot(xn, xe)
    if nh < 1e-6:  # pointing straight up or down: any horizontal direction will do
        xn, xe, nh = 1.0, 0.0, 1.0
    xh_n, xh_e = xn / nh, xe / nh
    mu_long = gp.mu_long + min(1.0, max(0.0, brake)) * (gp.mu_brake - gp.mu_long)
    fx = fy = fz = l_ = m_ = n_ = deepest = 0.0
    for i in range(N_CONTACTS):
        px, py, pz = contact_point(gp, i)
        a, b, c, d, e, f, depth = _contact(
            px, py, pz, q0, q1, q2, q3, vx, vy, vz, pe, qe, re, sl, cl, so, co, h,
            ground_alt_m, xh_n, xh_e, mu_long, gp,
        )  # fmt: skip
        fx += a
        fy += b
        fz += c
        l_ += d
        m_ += e
        n_ += f
        deepest = max(deepest, depth)
    return fx, fy, fz, l_, m_, n_, deepest
