"""Aerodynamic forces and moments of a compiled JSBSim aircraft, as FGAerodynamics::Run.

``aero_forces_moments(kernel, props)`` completes the derived properties, runs the
functions, sums the axes and returns body-axis forces (lbf) and moments about the CG
(lbf ft) in JSBSim's body frame (x forward, y right, z down):

- LIFT/DRAG/SIDE (wind axes): (-D, S, -L) rotated to body axes by JSBSim's Tw2b(alpha,
  beta); X/Y/Z: body axes as they are; AXIAL/NORMAL: (-A, S, -N); STABILITY frame: by Ts2b;
- moments about the aero reference point (ROLL/PITCH/YAW, body axes unless the axes say
  STABILITY or WIND), plus r x F with r = AERORP - CG in body axes (feet), as
  FGMassBalance::StructuralToBody makes it; ``apply_at_cg`` forces are added after;
- ``aero_forces_moments_si`` is the same in N and N m for the flight core.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.jsbsim import properties as P
from longwing.jsbsim.compile_aero import (
    FORCES_AXIAL_NORMAL,
    FORCES_BODY,
    FORCES_STABILITY,
    FORCES_WIND,
    MOMENTS_STABILITY,
    MOMENTS_WIND,
    AeroKernel,
)
from longwing.jsbsim.functions import evaluate
from longwing.jsbsim.units import FT_M, LBF_N

INCHTOFT = 1.0 / 12.0  # JSBSim's inchtoft


@njit(cache=True)
def _tw2b(alpha: float, beta: float, v1: float, v2: float, v3: float) -> tuple:
    """FGAuxiliary's wind-to-body matrix times (v1, v2, v3)."""
    ca = math.cos(alpha)
    sa = math.sin(alpha)
    cb = math.cos(beta)
    sb = math.sin(beta)
    x = v1 * (ca * cb) + v2 * (-ca * sb) + v3 * (-sa)
    y = v1 * sb + v2 * cb + v3 * 0.0
    z = v1 * (sa * cb) + v2 * (-sa * sb) + v3 * ca
    return x, y, z


@njit(cache=True)
def _ts2b(alpha: float, v1: float, v2: float, v3: float) -> tuple:
    """FGAerodynamics' stability-to-body matrix times (v1, v2, v3)."""
    ca = math.cos(alpha)
    sa = math.sin(alpha)
    return v1 * ca + v2 * 0.0 + v3 * (-sa), v1 * 0.0 + v2 + v3 * 0.0, v1 * sa + v2 * 0.0 + v3 * ca


@njit(cache=True)
def _to_body(kind: int, alpha: float, beta: float, a: float, b: float, c: float) -> tuple:
    if kind == FORCES_BODY:
        return a, b, c
    if kind == FORCES_AXIAL_NORMAL:
        return -a, b, -c
    if kind == FORCES_STABILITY:
        return _ts2b(alpha, -a, b, -c)
    return _tw2b(alpha, beta, -a, b, -c)  # FORCES_WIND


@njit(cache=True)
def axis_sums(k: AeroKernel, props: np.ndarray) -> tuple:
    """The six axis sums (native axes, about the reference point) and the three at-CG
    force sums, after evaluate(); each summed from 0 in the functions' order, as JSBSim."""
    f1 = f2 = f3 = m1 = m2 = m3 = g1 = g2 = g3 = 0.0
    for i in range(k.sum_slot.shape[0]):
        v = props[k.sum_slot[i]]
        ax = k.sum_axis[i]
        if k.sum_at_cg[i] == 1:
            if ax == 0:
                g1 += v
            elif ax == 1:
                g2 += v
            else:
                g3 += v
        elif ax == 0:
            f1 += v
        elif ax == 1:
            f2 += v
        elif ax == 2:
            f3 += v
        elif ax == 3:
            m1 += v
        elif ax == 4:
            m2 += v
        else:
            m3 += v
    return f1, f2, f3, m1, m2, m3, g1, g2, g3


@njit(cache=True)
def aero_forces_moments(k: AeroKernel, props: np.ndarray) -> tuple:
    """(fx_lbs, fy_lbs, fz_lbs, l_lbft, m_lbft, n_lbft): body axes, moments about the CG.

    props: the inputs set by the caller (properties.PROPERTIES, the aircraft inputs);
    the derived slots and the functions' slots are written here."""
    P.complete_props(props)
    evaluate(k.program, props)
    f1, f2, f3, m1, m2, m3, g1, g2, g3 = axis_sums(k, props)
    alpha = props[P.ALPHA_RAD]
    beta = props[P.BETA_RAD]
    fx, fy, fz = _to_body(k.force_axes, alpha, beta, f1, f2, f3)
    cx, cy, cz = _to_body(k.force_axes, alpha, beta, g1, g2, g3)
    if k.moment_axes == MOMENTS_STABILITY:
        m1, m2, m3 = _ts2b(alpha, m1, m2, m3)
    elif k.moment_axes == MOMENTS_WIND:
        m1, m2, m3 = _tw2b(alpha, beta, m1, m2, m3)
    # the reference point from the CG in body axes, feet (StructuralToBody)
    rx = INCHTOFT * (props[P.CG_X_IN] - k.rp_x_in)
    ry = INCHTOFT * (k.rp_y_in - props[P.CG_Y_IN])
    rz = INCHTOFT * (props[P.CG_Z_IN] - k.rp_z_in)
    l_lbft = m1 + (ry * fz - rz * fy)
    m_lbft = m2 + (rz * fx - rx * fz)
    n_lbft = m3 + (rx * fy - ry * fx)
    return fx + cx, fy + cy, fz + cz, l_lbft, m_lbft, n_lbft


@njit(cache=True)
def aero_forces_moments_si(k: AeroKernel, props: np.ndarray) -> tuple:
    """(fx_n, fy_n, fz_n, l_nm, m_nm, n_nm): aero_forces_moments in SI (props stay in
    JSBSim's units: they are what the aircraft's tables are written in)."""
    fx, fy, fz, ml, mm, mn = aero_forces_moments(k, props)
    nm = LBF_N * FT_M
    return fx * LBF_N, fy * LBF_N, fz * LBF_N, ml * nm, mm * nm, mn * nm


@njit(cache=True)
def stall_hysteresis(k: AeroKernel, alpha_rad: float, previous: float) -> float:
    """The next aero/stall-hyst-norm as FGAerodynamics updates it (the limits given)."""
    if k.hyst_max_rad != 0.0 and k.hyst_min_rad != 0.0:
        if alpha_rad > k.hyst_max_rad:
            return 1.0
        if alpha_rad < k.hyst_min_rad:
            return 0.0
    return previous


__all__ = [
    "FORCES_WIND",
    "aero_forces_moments",
    "aero_forces_moments_si",
    "axis_sums",
    "stall_hysteresis",
]
