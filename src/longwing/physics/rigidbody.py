"""6-DOF rigid-body equations of motion on the rotating WGS84 Earth, and the RK4 step.

Translational motion is integrated in the Earth-fixed frame:

    r' = v
    v' = C_eb (F_aero + F_thrust) / m + g(lat, h) - 2 Omega x v

where g is the normal-gravity model (Somigliana, which includes the centrifugal term) and
the Coriolis term accounts for the Earth's rotation. Rotational motion uses the inertial body
rate w (Euler's equations with the Beard & McLain inertia constants) and the quaternion
kinematics q' = 1/2 q (x) (w - C_be Omega). Mass falls as fuel burns; the dry inertia is
constant (fuel is a point mass at the CG).

``env`` carries the surroundings for the step: steady wind in NED (m/s, the direction the
air moves), the turbulence velocity in body axes, the ground level under the vehicle (m,
ellipsoidal), the brake command and a fuel leak (kg/s):
[wn, we, wd, ug, vg, wg, ground_alt_m, brake, fuel_leak_kgps].
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.airframe.params import AeroParams, MassParams, PropulsionParams
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import gravity_ned_sc
from longwing.geo.rotation import quat_rotate, quat_rotate_inv
from longwing.geo.wgs84 import (
    OMEGA_EARTH_RADPS,
    ecef_to_geodetic_fast,
    ned_to_ecef_sc,
)
from longwing.physics.aero import aero_forces_moments
from longwing.physics.ground import GroundParams, ground_forces
from longwing.physics.propulsion import engine
from longwing.physics.state import FUEL, N_STATE, PX, QW, VX, WP

N_ENV = 9
ENV_GROUND_ALT = 6
ENV_BRAKE = 7
ENV_FUEL_LEAK = 8  # fuel lost overboard, kg/s (a leak), on top of the engine's burn
GROUND_MARGIN_M = 2.0  # beyond the contact reach: per-stage surroundings below this height


# aerodynamics on, as a numpy bool: numba specialises a jitted callee on a literal True, so
# callers in compiled code pass this to share one compiled ``derivatives`` with Python's calls
AERO_ON = np.bool_(True)


@njit(cache=True)
def air_relative_body_sc(
    x: np.ndarray, sl: float, cl: float, so: float, co: float, env: np.ndarray
) -> tuple[float, float, float]:
    """Velocity relative to the air mass in body axes (m/s), given sin/cos of lat and lon."""
    wx, wy, wz = ned_to_ecef_sc(sl, cl, so, co, env[0], env[1], env[2])
    ub, vb, wb = quat_rotate_inv(
        x[QW], x[QW + 1], x[QW + 2], x[QW + 3], x[VX] - wx, x[VX + 1] - wy, x[VX + 2] - wz
    )
    return ub - env[3], vb - env[4], wb - env[5]


@njit(cache=True)
def air_relative_body(
    x: np.ndarray, lat: float, lon: float, env: np.ndarray
) -> tuple[float, float, float]:
    """Velocity of the vehicle relative to the air mass, in body axes (m/s)."""
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    return air_relative_body_sc(x, sl, cl, so, co, env)


@njit(cache=True)
def body_rates_rel_earth(x: np.ndarray) -> tuple[float, float, float]:
    """Body rates relative to the Earth (inertial rate minus Earth rate), body axes."""
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    # Earth rate (0, 0, Omega) in ECEF -> body: Omega times the third row of C_eb.
    om = OMEGA_EARTH_RADPS
    ex = 2.0 * (q1 * q3 - q0 * q2) * om
    ey = 2.0 * (q2 * q3 + q0 * q1) * om
    ez = (q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3) * om
    return x[WP] - ex, x[WP + 1] - ey, x[WP + 2] - ez


@njit(cache=True, inline="always")
def inertia_gammas(mp: MassParams) -> tuple[float, float, float, float, float, float, float, float]:
    """Beard & McLain inertia constants Gamma1..Gamma8."""
    g = mp.Jx * mp.Jz - mp.Jxz * mp.Jxz
    g1 = mp.Jxz * (mp.Jx - mp.Jy + mp.Jz) / g
    g2 = (mp.Jz * (mp.Jz - mp.Jy) + mp.Jxz * mp.Jxz) / g
    g3 = mp.Jz / g
    g4 = mp.Jxz / g
    g5 = (mp.Jz - mp.Jx) / mp.Jy
    g6 = mp.Jxz / mp.Jy
    g7 = ((mp.Jx - mp.Jy) * mp.Jx + mp.Jxz * mp.Jxz) / g
    g8 = mp.Jx / g
    return g1, g2, g3, g4, g5, g6, g7, g8


@njit(cache=True)
def derivatives(
    x: np.ndarray,
    ctrl: np.ndarray,
    env: np.ndarray,
    engine_on: bool,
    aero_on: bool,
    aero: AeroParams,
    mp: MassParams,
    prop: PropulsionParams,
    gp: GroundParams,
    out: np.ndarray,
) -> tuple[float, float]:
    """Write dx/dt into ``out``; return (shaft power W, fuel flow kg/s)."""
    h, sl, cl, so, co, rho, gx, gy, gz = surroundings(x[PX], x[PX + 1], x[PX + 2])
    return _derivatives_in(x, ctrl, env, engine_on, aero_on, aero, mp, prop, gp,
                           inertia_gammas(mp), h, sl, cl, so, co, rho, gx, gy, gz,
                           out)  # fmt: skip


@njit(cache=True, inline="always")
def surroundings(
    px: float, py: float, pz: float
) -> tuple[float, float, float, float, float, float, float, float, float]:
    """(h, sin/cos lat, sin/cos lon, ISA density, gravity in ECEF) at an ECEF position."""
    h, sl, cl, so, co = ecef_to_geodetic_fast(px, py, pz)
    _, _, rho = isa(h)
    gn, ge, gd = gravity_ned_sc(sl, cl, h)
    gx, gy, gz = ned_to_ecef_sc(sl, cl, so, co, gn, ge, gd)
    return h, sl, cl, so, co, rho, gx, gy, gz


@njit(cache=True)
def _derivatives_in(
    x: np.ndarray,
    ctrl: np.ndarray,
    env: np.ndarray,
    engine_on: bool,
    aero_on: bool,
    aero: AeroParams,
    mp: MassParams,
    prop: PropulsionParams,
    gp: GroundParams,
    gam: tuple[float, float, float, float, float, float, float, float],
    h: float,
    sl: float,
    cl: float,
    so: float,
    co: float,
    rho: float,
    gx: float,
    gy: float,
    gz: float,
    out: np.ndarray,
) -> tuple[float, float]:
    """dx/dt given the surroundings: geodetic height and sin/cos of latitude and longitude,
    ISA density and gravity (ECEF components)."""
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    p, q, r = x[WP], x[WP + 1], x[WP + 2]
    pe, qe, re = body_rates_rel_earth(x)
    fuel = max(x[FUEL], 0.0)
    inv_mass = 1.0 / (mp.dry_mass_kg + fuel)

    ua, va_, wa = air_relative_body_sc(x, sl, cl, so, co, env)
    va = math.sqrt(ua * ua + va_ * va_ + wa * wa)
    fx = fy = fz = l_ = m_ = n_ = 0.0
    if aero_on:
        fx, fy, fz, l_, m_, n_ = aero_forces_moments(
            ua, va_, wa, pe, qe, re, ctrl[0], ctrl[1], ctrl[2], rho, aero, h - env[ENV_GROUND_ALT]
        )
    thrust, power, fuel_flow = engine(ctrl[3], va, rho, engine_on, fuel, prop)
    fx += thrust
    if h - env[ENV_GROUND_ALT] <= gp.reach_m:  # a contact point may touch: ground forces
        gx_, gy_, gz_, gl, gm, gn_, _ = ground_forces(
            q0, q1, q2, q3, x[VX], x[VX + 1], x[VX + 2], pe, qe, re, sl, cl, so, co, h,
            env[ENV_GROUND_ALT], env[ENV_BRAKE], gp,
        )  # fmt: skip
        fx += gx_
        fy += gy_
        fz += gz_
        l_ += gl
        m_ += gm
        n_ += gn_

    # Translational: specific force to ECEF, plus gravity and Coriolis.
    ax, ay, az = quat_rotate(q0, q1, q2, q3, fx * inv_mass, fy * inv_mass, fz * inv_mass)
    om = OMEGA_EARTH_RADPS
    out[PX] = x[VX]
    out[PX + 1] = x[VX + 1]
    out[PX + 2] = x[VX + 2]
    out[VX] = ax + gx + 2.0 * om * x[VX + 1]
    out[VX + 1] = ay + gy - 2.0 * om * x[VX]
    out[VX + 2] = az + gz

    # Attitude kinematics with the rate relative to the Earth-fixed frame.
    out[QW] = 0.5 * (-q1 * pe - q2 * qe - q3 * re)
    out[QW + 1] = 0.5 * (q0 * pe + q2 * re - q3 * qe)
    out[QW + 2] = 0.5 * (q0 * qe - q1 * re + q3 * pe)
    out[QW + 3] = 0.5 * (q0 * re + q1 * qe - q2 * pe)

    # Euler's equations (inertial rates).
    g1, g2, g3, g4, g5, g6, g7, g8 = gam
    out[WP] = g1 * p * q - g2 * q * r + g3 * l_ + g4 * n_
    out[WP + 1] = g5 * p * r - g6 * (p * p - r * r) + m_ / mp.Jy
    out[WP + 2] = g7 * p * q - g1 * q * r + g4 * l_ + g8 * n_

    out[FUEL] = -fuel_flow - (env[ENV_FUEL_LEAK] if fuel > 0.0 else 0.0)
    return power, fuel_flow


def make_work() -> np.ndarray:
    """Scratch space for :func:`rk4_step` (allocate once per run, not per step)."""
    return np.zeros((5, N_STATE))


@njit(cache=True)
def rk4_step(
    x: np.ndarray,
    ctrl: np.ndarray,
    env: np.ndarray,
    engine_on: bool,
    aero_on: bool,
    aero: AeroParams,
    mp: MassParams,
    prop: PropulsionParams,
    gp: GroundParams,
    dt: float,
    work: np.ndarray,
) -> None:
    """Advance ``x`` in place by one classical Runge-Kutta step; inputs held over the step.

    Clear of the ground, the surroundings (geodetic position, ISA density, gravity) are
    evaluated once, at the step's predicted midpoint x + v dt / 2, for all four stages; the
    dynamics (velocity, attitude, rates, forces) at every stage. Across a step the aircraft
    moves ~0.25 m, over which gravity changes by ~1e-6 m/s^2 and density by ~3e-5 of itself:
    the midpoint rule keeps that error second order in dt (energy of a ballistic fall is still
    conserved to ~1e-9). Within reach of the ground every stage evaluates its own position,
    as the stiff contact springs need.
    """
    k1, k2, k3, k4, tmp = work[0], work[1], work[2], work[3], work[4]
    n = x.shape[0]
    gam = inertia_gammas(mp)
    hd = 0.5 * dt
    h, sl, cl, so, co, rho, gx, gy, gz = surroundings(
        x[PX] + hd * x[VX], x[PX + 1] + hd * x[VX + 1], x[PX + 2] + hd * x[VX + 2]
    )
    near_ground = h - env[ENV_GROUND_ALT] <= gp.reach_m + GROUND_MARGIN_M
    for stage in range(4):
        src = x if stage == 0 else tmp
        k = work[stage]
        if near_ground:  # each stage at its own position (stiff contact springs)
            h, sl, cl, so, co, rho, gx, gy, gz = surroundings(src[PX], src[PX + 1], src[PX + 2])
        _derivatives_in(src, ctrl, env, engine_on, aero_on, aero, mp, prop, gp, gam,
                        h, sl, cl, so, co, rho, gx, gy, gz, k)  # fmt: skip
        if stage < 3:
            c = dt if stage == 2 else hd
            for i in range(n):
                tmp[i] = x[i] + c * k[i]
    for i in range(n):
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
    nq = math.sqrt(x[QW] ** 2 + x[QW + 1] ** 2 + x[QW + 2] ** 2 + x[QW + 3] ** 2)
    for i in range(QW, QW + 4):
        x[i] /= nq
    if x[FUEL] < 0.0:
        x[FUEL] = 0.0
