"""Aerodynamic forces and moments (Beard & McLain model with stall blending, or a JSBSim
aircraft's tables: :mod:`longwing.physics.table_aero`).

Pure compiled kernels: inputs are air-relative body velocity, body rates relative to the
air mass, surface deflections and density; outputs are body-axis force (N) and moment (N m).
"""

from __future__ import annotations

import math

from numba import njit

from longwing.airframe.params import AeroParams
from longwing.physics.table_aero import NO_GROUND_M, table_forces

VA_MIN_MPS = 0.1  # below this the aerodynamic forces are taken as zero


@njit(cache=True)
def air_data(u: float, v: float, w: float) -> tuple[float, float, float]:
    """Airspeed (m/s), angle of attack and sideslip (rad) from air-relative body velocity."""
    va = math.sqrt(u * u + v * v + w * w)
    alpha = math.atan2(w, u)
    beta = math.asin(min(1.0, max(-1.0, v / va))) if va > 0.0 else 0.0
    return va, alpha, beta


@njit(cache=True)
def stall_blend(alpha: float, p: AeroParams) -> float:
    """sigma(alpha): 0 in the linear region, 1 deep in stall."""
    a = math.exp(-p.stall_M * (alpha - p.alpha0_rad))
    # b = exp(M (alpha + alpha0)) = exp(2 M alpha0) / a: one exponential instead of two (a
    # stays within (0, inf) for |alpha| <= pi and any realistic M, alpha0)
    b = math.exp(2.0 * p.stall_M * p.alpha0_rad) / a
    return (1.0 + a + b) / ((1.0 + a) * (1.0 + b))


@njit(cache=True)
def _lift_coefficient_sc(alpha: float, sa: float, ca: float, p: AeroParams) -> float:
    s = stall_blend(alpha, p)
    sign = 1.0 if alpha >= 0.0 else -1.0
    return (1.0 - s) * (p.CL0 + p.CLalpha * alpha) + s * 2.0 * sign * sa * sa * ca


@njit(cache=True)
def lift_coefficient(alpha: float, p: AeroParams) -> float:
    """Static CL(alpha) blending the linear lift curve with flat-plate lift past stall."""
    return _lift_coefficient_sc(alpha, math.sin(alpha), math.cos(alpha), p)


@njit(cache=True)
def drag_coefficient(alpha: float, p: AeroParams) -> float:
    """Static CD(alpha): parasite plus induced drag of the linear lift."""
    cl_lin = p.CL0 + p.CLalpha * alpha
    return p.CDp + cl_lin * cl_lin / (math.pi * p.e_oswald * p.AR)


@njit(cache=True)
def aero_forces_moments(
    u: float,
    v: float,
    w: float,
    p_r: float,
    q_r: float,
    r_r: float,
    de: float,
    da: float,
    dr: float,
    rho: float,
    p: AeroParams,
    agl_m: float = NO_GROUND_M,
) -> tuple[float, float, float, float, float, float]:
    """Body-axis aerodynamic force (fx, fy, fz) [N] and moment (l, m, n) [N m]; ``agl_m``
    the height over the ground (ground effect of table aerodynamics)."""
    hit, fx, fy, fz, l_, m_, n_ = table_forces(p.table, u, v, w, p_r, q_r, r_r, de, da, dr,
                                               rho, agl_m)  # fmt: skip
    if hit:  # a JSBSim aircraft's tables (physics/table_aero.py)
        return fx, fy, fz, l_, m_, n_
    va, alpha, beta = air_data(u, v, w)
    if va < VA_MIN_MPS:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    qbar_s = 0.5 * rho * va * va * p.S_m2
    cq = p.c_m / (2.0 * va)
    bq = p.b_m / (2.0 * va)
    uw = math.sqrt(u * u + w * w)
    if uw > 0.0:
        ca = u / uw
        sa = w / uw
    else:  # flying straight sideways: alpha = atan2(0, 0) = 0
        ca = 1.0
        sa = 0.0
    lift = qbar_s * (_lift_coefficient_sc(alpha, sa, ca, p) + p.CLq * cq * q_r + p.CLde * de)
    drag = qbar_s * (drag_coefficient(alpha, p) + p.CDq * cq * q_r + p.CDde * de)
    fx = -drag * ca + lift * sa
    fz = -drag * sa - lift * ca
    fy = qbar_s * (
        p.CY0 + p.CYbeta * beta + p.CYp * bq * p_r + p.CYr * bq * r_r + p.CYda * da + p.CYdr * dr
    )
    l_ = (
        qbar_s
        * p.b_m
        * (
            p.Cl0
            + p.Clbeta * beta
            + p.Clp * bq * p_r
            + p.Clr * bq * r_r
            + p.Clda * da
            + p.Cldr * dr
        )
    )
    m_ = qbar_s * p.c_m * (p.Cm0 + p.Cmalpha * alpha + p.Cmq * cq * q_r + p.Cmde * de)
    n_ = (
        qbar_s
        * p.b_m
        * (
            p.Cn0
            + p.Cnbeta * beta
            + p.Cnp * bq * p_r
            + p.Cnr * bq * r_r
            + p.Cnda * da
            + p.Cndr * dr
        )
    )
    return fx, fy, fz, l_, m_, n_
