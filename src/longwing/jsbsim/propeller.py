"""FGPropeller as njit functions of a ``Propeller`` record (SI).

One step of JSBSim's propeller, in its order (FGPropeller::Calculate):

1. ``governor_pitch``: a constant-speed propeller moves its blade angle towards the
   requested rpm (``min_rpm + (max_rpm - min_rpm) * advance``) by
   ``-(rpm_requested - rpm) * dt`` degrees when the propeller turns above 200 rpm, clamped to
   [min_pitch, max_pitch]. A fixed-pitch or manual propeller keeps its angle.
2. ``propeller_thrust_power`` at the rpm of the start of the step and that blade angle:
   J = V / (n D) (V / D when n <= 0.01 rev/s), C_T and C_P from the tables (over J, or J and
   the blade angle), times ct_factor/cp_factor and the CT_MACH/CP_MACH factors at the helical
   tip Mach; thrust = C_T rho n^2 D^4; power absorbed = C_P rho max(n, 0.01)^3 D^5; the
   induced velocity of momentum theory (signed, as JSBSim).
3. ``propeller_rpm_step``: rpm += (P_engine - P_absorbed) / (omega Ixx) / (2 pi) * 60 dt
   (explicit Euler with the step dt; omega taken as 1 when <= 0.01 rad/s), never below 0.
   Only the propeller's Ixx: JSBSim gives the engine no inertia. The engine turns at
   ``rpm * gear_ratio``.

V is the air-relative velocity along the propeller shaft at the propeller (JSBSim: the
aerodynamic velocity plus the body rates crossed with the arm from the CG). Angles of the
blade are in degrees (the tables' keys).
"""

from __future__ import annotations

import math

from numba import njit

from longwing.jsbsim.propulsion_model import Propeller
from longwing.jsbsim.tables import lookup

TWO_PI = 2.0 * math.pi


@njit(cache=True)
def advance_ratio(prop: Propeller, v_axial_mps: float, rpm: float) -> float:
    """J = V / (n D); V / D when n <= 0.01 rev/s (FGPropeller's rule)."""
    rps = rpm / 60.0
    if rps > 0.01:
        return v_axial_mps / (prop.diameter_m * rps)
    return v_axial_mps / prop.diameter_m


@njit(cache=True)
def governor_pitch(
    prop: Propeller, pitch_deg: float, rpm: float, advance: float, dt: float
) -> float:
    """The blade angle after a step of the constant-speed governor (advance in 0..1)."""
    if prop.max_pitch_deg == prop.min_pitch_deg or prop.constant_speed == 0:
        return pitch_deg
    rpm_req = prop.min_rpm + (prop.max_rpm - prop.min_rpm) * advance
    if rpm > 200.0:
        pitch_deg -= (rpm_req - rpm) * dt
    if pitch_deg < prop.min_pitch_deg:
        return prop.min_pitch_deg
    if pitch_deg > prop.max_pitch_deg:
        return prop.max_pitch_deg
    return pitch_deg


@njit(cache=True)
def propeller_thrust_power(
    prop: Propeller,
    v_axial_mps: float,
    rpm: float,
    rho: float,
    sound_speed_mps: float,
    pitch_deg: float,
) -> tuple[float, float, float, float, float, float]:
    """(J, C_T, thrust N, power absorbed W, induced velocity m/s, helical tip Mach) of the
    propeller turning at ``rpm`` (propeller rpm) with the blade angle ``pitch_deg``."""
    d = prop.diameter_m
    rps = rpm / 60.0
    v = v_axial_mps
    v_tip = rps * d * math.pi
    tip_mach = math.sqrt(v_tip * v_tip + v * v) / sound_speed_mps
    j = advance_ratio(prop, v, rpm)
    t = prop.tables
    # 1-D tables (fixed pitch) ignore the blade angle; 2-D ones are over (J, angle)
    cp = lookup(t, prop.cp_table, j, pitch_deg, 0.0)
    ct = lookup(t, prop.ct_table, j, pitch_deg, 0.0)
    cp *= prop.cp_factor
    if prop.cp_mach_table >= 0:
        cp *= lookup(t, prop.cp_mach_table, tip_mach, 0.0, 0.0)
    ct *= prop.ct_factor
    if prop.ct_mach_table >= 0:
        ct *= lookup(t, prop.ct_mach_table, tip_mach, 0.0, 0.0)
    d4 = d * d * d * d
    thrust = ct * rps * rps * d4 * rho
    n = rps if rps >= 0.01 else 0.01
    power = cp * n * n * n * d4 * d * rho
    area = 0.25 * d * d * math.pi
    v2sum = v * abs(v) + 2.0 * thrust / (rho * area)
    if v2sum > 0.0:
        v_induced = 0.5 * (-v + math.sqrt(v2sum))
    else:
        v_induced = 0.5 * (-v - math.sqrt(-v2sum))
    return j, ct, thrust, power, v_induced, tip_mach


@njit(cache=True)
def rpm_derivative(
    prop: Propeller, engine_power_w: float, power_absorbed_w: float, rpm: float
) -> float:
    """d(propeller rpm)/dt, rpm/s: the excess power over omega, over the propeller's Ixx."""
    omega = rpm / 60.0 * TWO_PI
    excess = engine_power_w - power_absorbed_w
    torque = excess / omega if omega > 0.01 else excess
    return torque / prop.ixx_kgm2 / TWO_PI * 60.0


@njit(cache=True)
def propeller_rpm_step(
    prop: Propeller, rpm: float, engine_power_w: float, power_absorbed_w: float, dt: float
) -> float:
    """The propeller rpm after a step dt (JSBSim's explicit Euler; not below 0)."""
    out = rpm + rpm_derivative(prop, engine_power_w, power_absorbed_w, rpm) * dt
    return out if out > 0.0 else 0.0


@njit(cache=True)
def propeller_moments(
    prop: Propeller, engine_power_w: float, rpm: float, p: float, q: float, r: float
) -> tuple[float, float, float]:
    """The reaction torque and gyroscopic moment, N m, body axes (x forward, y right,
    z down) for a thruster along the body x axis (orient 0): torque -sense P / max(0.01,
    omega) about x; the spinning propeller's angular momentum Ixx omega sense (times the
    file's sense multiplier) crossed by the inertial body rates p, q, r (rad/s)."""
    omega = rpm / 60.0 * TWO_PI
    torque = -prop.sense * engine_power_w / max(0.01, omega)
    h = prop.ixx_kgm2 * omega * prop.sense * prop.sense_multiplier
    # (p, q, r) x (h, 0, 0) = (0, r h, -q h)
    return torque, r * h, -q * h
