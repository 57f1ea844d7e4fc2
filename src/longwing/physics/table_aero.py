"""Table aerodynamics (a JSBSim aircraft's compiled functions) inside the flight kernels.

An airframe built from a JSBSim file carries ``AeroParams.table``, a :class:`TableAero`: the
compiled program (:mod:`longwing.jsbsim.compile_aero`), a scratch ``props`` array and which
of the aircraft's own flight-control properties are the aileron. A linear (Beard & McLain)
airframe carries ``None``; :func:`table_forces` is then a constant ``False`` that the
compiler removes, so those kernels are the same as before.

:func:`table_forces_moments` fills the properties from the simulator's state, in SI, the way
JSBSim's FGAuxiliary defines them (alpha = atan2(w, u), beta = atan2(v, sqrt(u^2 + w^2)),
qbar = rho V^2 / 2, body rates relative to the air) and evaluates the aircraft. Where the
simulator differs from JSBSim (docs/jsbsim.md, "In the flight core"):

* the Mach and Reynolds numbers take the ISA temperature of the air's density;
* the control surfaces are the simulator's actuator positions: elevator ``de``, left
  aileron ``da`` and right aileron ``-da`` (and every aircraft input listed in
  ``aileron_slots``, e.g. c172x's ``fcs/effective-aileron-pos``), rudder ``dr``; the flaps
  stay up and the gear down (no flap or gear channel yet);
* ``aero/alphadot-rad_sec`` and ``aero/betadot-rad_sec`` are 0: the derivative function is
  evaluated before the accelerations it would need (JSBSim takes them from the previous
  step);
* ``aero/h_b-mac-ft`` and ``aero/h_b-cg-ft`` are both the height of the CG above the ground
  over the span (JSBSim moves the first by the reference point's height in the local
  frame: inches on these aircraft);
* ``aero/stall-hyst-norm`` and ``aero/cl-squared`` are kept in ``props`` from one evaluation
  to the next (as JSBSim keeps them from one step to the next); :func:`reset_table_aero`
  clears them when a flight starts.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import overload

from longwing.geo.atmosphere import GAMMA_AIR, R_AIR, RHO0_KGPM3, T0_K
from longwing.jsbsim import properties as P
from longwing.jsbsim.aero import aero_forces_moments_si, stall_hysteresis
from longwing.jsbsim.compile_aero import AeroKernel
from longwing.jsbsim.units import FT_M, LBF_N, SLUG_KG

SLUGFT3_PER_KGPM3 = FT_M**3 / SLUG_KG
NO_GROUND_M = 1.0e6  # height above ground when there is none near (trim, planning)
# the input slots this module fills (properties.PROPERTIES)
P_AERO = P.SLOT["velocities/p-aero-rad_sec"]
Q_AERO = P.SLOT["velocities/q-aero-rad_sec"]
R_AERO = P.SLOT["velocities/r-aero-rad_sec"]
P_BODY = P.SLOT["velocities/p-rad_sec"]
Q_BODY = P.SLOT["velocities/q-rad_sec"]
R_BODY = P.SLOT["velocities/r-rad_sec"]
U_AERO_FPS = P.SLOT["velocities/u-aero-fps"]
V_AERO_FPS = P.SLOT["velocities/v-aero-fps"]
W_AERO_FPS = P.SLOT["velocities/w-aero-fps"]
H_B_MAC = P.SLOT["aero/h_b-mac-ft"]
H_B_CG = P.SLOT["aero/h_b-cg-ft"]
RHO_SLUGFT3 = P.SLOT["atmosphere/rho-slugs_ft3"]
GEAR_POS = P.SLOT["gear/gear-pos-norm"]
MACH = P.SLOT["velocities/mach"]
RE = P.SLOT["aero/Re"]
SUTHERLAND_BETA = 1.458e-6  # kg/(m s K^0.5), the 1976 standard's
SUTHERLAND_S_K = 110.4
HYST_SLOT = P.SLOT["aero/stall-hyst-norm"]
CL_SQ_SLOT = P.SLOT["aero/cl-squared"]


class TableAero(NamedTuple):
    """What the kernels read of a table-aerodynamics airframe."""

    kernel: AeroKernel
    props: np.ndarray  # float64 scratch, n_slots + stack; keeps the hysteresis and CL^2
    aileron_slots: np.ndarray  # int64: aircraft inputs that equal the aileron deflection
    drag_scale: float  # factor on the drag (batch dispersion), 1 as the file says


@njit(cache=True)
def isa_temperature_from_density(rho: float) -> float:
    """The ISA temperature (K) where the standard density is ``rho``: the troposphere's
    T = T0 (rho/rho0)^(1/(g/(L R) - 1)), 216.65 K above it (Mach and Reynolds numbers of
    table aerodynamics; the kernels carry density, not height)."""
    t = T0_K * (rho / RHO0_KGPM3) ** (1.0 / (9.80665 / (0.0065 * R_AIR) - 1.0))
    return max(t, 216.65)


def reset_table_aero(t: TableAero | None) -> None:
    """Clear what the properties keep between evaluations (a flight's start)."""
    if t is not None:
        t.props[CL_SQ_SLOT] = 0.0
        t.props[HYST_SLOT] = 0.0


@njit(cache=True)
def fill_props(t: TableAero, u: float, v: float, w: float, p: float, q: float, r: float,
               de: float, da: float, dr: float, rho: float, agl_m: float) -> float:  # fmt: skip
    """The input properties from the SI state (see the module doc); returns the airspeed."""
    props = t.props
    vt = math.sqrt(u * u + v * v + w * w)
    uw = math.sqrt(u * u + w * w)
    alpha = math.atan2(w, u) if uw > 0.0 else 0.0
    beta = math.atan2(v, uw) if vt > 0.0 else 0.0
    fps = 1.0 / FT_M
    rho_slugft3 = rho * SLUGFT3_PER_KGPM3
    vt_fps = vt * fps
    props[P.QBAR_PSF] = 0.5 * rho_slugft3 * vt_fps * vt_fps  # as FGAuxiliary
    props[P.VT_FPS] = vt_fps
    props[P.ALPHA_RAD] = alpha
    props[P.BETA_RAD] = beta
    props[P.ALPHADOT] = 0.0
    props[P.BETADOT] = 0.0
    props[P_AERO] = p
    props[Q_AERO] = q
    props[R_AERO] = r
    props[P_BODY] = p
    props[Q_BODY] = q
    props[R_BODY] = r
    props[U_AERO_FPS] = u * fps
    props[V_AERO_FPS] = v * fps
    props[W_AERO_FPS] = w * fps
    hb = agl_m / (props[P.BW_FT] * FT_M)
    props[H_B_MAC] = hb
    props[H_B_CG] = hb
    props[RHO_SLUGFT3] = rho_slugft3
    temp_k = isa_temperature_from_density(rho)
    props[MACH] = vt / math.sqrt(GAMMA_AIR * R_AIR * temp_k)
    mu = SUTHERLAND_BETA * temp_k**1.5 / (temp_k + SUTHERLAND_S_K)  # Pa s
    props[RE] = rho * vt * props[P.CBARW_FT] * FT_M / mu
    props[P.ELEVATOR_RAD] = de
    props[P.LEFT_AILERON_RAD] = da
    props[P.RIGHT_AILERON_RAD] = -da
    props[P.RUDDER_RAD] = dr
    props[GEAR_POS] = 1.0
    for i in range(t.aileron_slots.shape[0]):
        props[t.aileron_slots[i]] = da
    props[HYST_SLOT] = stall_hysteresis(t.kernel, alpha, props[HYST_SLOT])
    return vt


@njit(cache=True)
def table_forces_moments(t: TableAero, u: float, v: float, w: float, p: float, q: float,
                         r: float, de: float, da: float, dr: float, rho: float,
                         agl_m: float) -> tuple:  # fmt: skip
    """Body-axis force (N) and moment about the CG (N m) from the SI state: air-relative
    velocity, body rates relative to the air, surfaces (rad), density, height over ground."""
    vt = fill_props(t, u, v, w, p, q, r, de, da, dr, rho, agl_m)
    return forces_from_props(t, u, v, w, vt)


@njit(cache=True)
def forces_from_props(t: TableAero, u: float, v: float, w: float, vt: float) -> tuple:
    """Evaluate the aircraft on the properties filled (:func:`fill_props`), the drag scale
    applied and CL^2 kept for the next evaluation."""
    props = t.props
    alpha = props[P.ALPHA_RAD]
    fx, fy, fz, ml, mm, mn = aero_forces_moments_si(t.kernel, props)
    if t.drag_scale != 1.0:  # the drag along the air's direction, scaled
        ux, vy, wz = u / vt, v / vt, w / vt
        along = fx * ux + fy * vy + fz * wz  # -drag (N)
        extra = (t.drag_scale - 1.0) * along
        fx += extra * ux
        fy += extra * vy
        fz += extra * wz
    qa = props[P.QBAR_AREA]
    if qa > 0.0:  # lift: the force across the airflow in the plane of symmetry
        lift = fx * math.sin(alpha) - fz * math.cos(alpha)
        cl = lift / (qa * LBF_N)
        props[CL_SQ_SLOT] = cl * cl
    return fx, fy, fz, ml, mm, mn


def table_forces(t, u, v, w, p, q, r, de, da, dr, rho, agl_m):  # pragma: no cover
    """(True, forces and moments) for a table airframe, (False, zeros) for ``None``; the
    compiled form is chosen by the type of ``t`` (numba overload below)."""
    raise NotImplementedError("compiled only")


@overload(table_forces)
def _table_forces(t, u, v, w, p, q, r, de, da, dr, rho, agl_m):
    if isinstance(t, types.NoneType):

        def none_impl(t, u, v, w, p, q, r, de, da, dr, rho, agl_m):
            return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0

        return none_impl

    def impl(t, u, v, w, p, q, r, de, da, dr, rho, agl_m):
        fx, fy, fz, ml, mm, mn = table_forces_moments(t, u, v, w, p, q, r, de, da, dr, rho,
                                                      agl_m)  # fmt: skip
        return True, fx, fy, fz, ml, mm, mn

    return impl
