"""Attitude loops: roll and pitch angle -> body-rate -> surface, and a yaw damper / turn
coordinator on the rudder (the ArduPlane structure of AP_RollController, AP_PitchController
and AP_YawController, in SI units).

Roll and pitch: the angle error over a time constant (``RLL2SRV_TCONST``, ``PTCH2SRV_TCONST``)
is a demanded Euler-angle rate, limited and turned into a body-rate demand (adding the body
rates a level coordinated turn needs: ``p = -psi_dot sin(theta)``,
``q = psi_dot sin(phi) cos(theta)`` with ``psi_dot = g tan(phi) / V``; the latter, scaled by
``PTCH2SRV_RLL``, is the pitch feed-forward for the extra lift a bank needs). The rate loop is
feed-forward + P + I + D on the rate error, scaled for airspeed as surface effectiveness goes:

- P, I and D act on angular acceleration, and a surface's moment is proportional to the
  dynamic pressure, i.e. to EAS^2: they are multiplied by ``(SCALING_SPEED / EAS)^2``;
- the feed-forward maps a rate to the deflection that holds it against the aerodynamic
  damping, whose moment goes as rho V p: it is multiplied by ``SCALING_SPEED / TAS``.

The speed scalers are limited to [0.5, 2]. Integrators hold surface deflection (so trim does
not change with the scaler), are limited to +/-IMAX, stop integrating toward a saturated
output (anti-windup) and hold below 0.8 AIRSPEED_MIN (the surfaces lose authority near the
stall). :func:`attitude_reset` preloads them with the current deflections for a bumpless
engagement, e.g. from trim (the elevator of this class of airframe trims at -11 deg).

Yaw: a rate damper on ``r - r_turn`` (``r_turn = YAW2SRV_RLL g sin(phi) cos(theta) / V``, the
yaw rate of the coordinated turn, so a steady turn is not opposed), a sideslip loop on the
lateral specific force ``ay`` (zero in a coordinated turn; ``YAW2SRV_SLIP`` proportional,
``YAW2SRV_INT`` integral) and an aileron-to-rudder feed-forward ``KFF_RDDRMIX`` against adverse
yaw. Damper and slip gains are scaled by EAS^2 like the rate loops.

Sign conventions: the loops compute "moment demands" in the sense of positive roll (right
wing down), pitch (nose up) and yaw (nose right), then map them to surfaces with the model's
signs: aileron = +roll (Cl_da > 0), elevator = -pitch (trailing edge down is nose down,
Cm_de < 0), rudder = -yaw (Cn_dr < 0). Gains are therefore all positive.

Units: angles in rad, rates in rad/s, P in rad of surface per rad/s of rate error (at the
scaling speed), I in rad per rad (of integrated rate error), D in rad per rad/s^2, FF in rad
per rad/s, slip gains in rad per m/s^2 (and per m/s for the integral).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams
from longwing.geo.constants import G0_MPS2
from longwing.mathx import clamp

SCALER_MIN = 0.5
SCALER_MAX = 2.0
INTEG_MIN_SPEED_FRACTION = 0.8  # integrators hold below this fraction of AIRSPEED_MIN
D_FILTER_HZ = 20.0  # low-pass on the measured angular acceleration of the D terms
PHI_TURN_MAX_RAD = math.radians(80.0)  # bank used in the turn terms is limited to this


class AttitudeParams(NamedTuple):
    """Gains and limits of the attitude loops (SI units; see the module docstring)."""

    roll_tconst_s: float  # RLL2SRV_TCONST
    roll_rate_p: float  # RLL_RATE_P
    roll_rate_i: float  # RLL_RATE_I
    roll_rate_d: float  # RLL_RATE_D
    roll_rate_ff: float  # RLL_RATE_FF
    roll_imax_rad: float  # RLL_RATE_IMAX
    roll_rate_max_radps: float  # RLL2SRV_RMAX, 0 = no limit
    pitch_tconst_s: float  # PTCH2SRV_TCONST
    pitch_rate_p: float  # PTCH_RATE_P
    pitch_rate_i: float  # PTCH_RATE_I
    pitch_rate_d: float  # PTCH_RATE_D
    pitch_rate_ff: float  # PTCH_RATE_FF
    pitch_imax_rad: float  # PTCH_RATE_IMAX
    pitch_rate_max_up_radps: float  # PTCH2SRV_RMAX_UP, 0 = no limit
    pitch_rate_max_dn_radps: float  # PTCH2SRV_RMAX_DN, 0 = no limit
    pitch_roll_ff: float  # PTCH2SRV_RLL
    yaw_damp: float  # YAW2SRV_DAMP, rad rudder per rad/s
    yaw_slip: float  # YAW2SRV_SLIP, rad rudder per m/s^2
    yaw_int: float  # YAW2SRV_INT, rad rudder per (m/s^2 s)
    yaw_imax_rad: float  # YAW2SRV_IMAX
    yaw_roll_ff: float  # YAW2SRV_RLL
    rudder_mix: float  # KFF_RDDRMIX, rad rudder per rad aileron
    scaling_speed_mps: float  # SCALING_SPEED (EAS at which the gains apply unscaled)
    roll_limit_rad: float  # ROLL_LIMIT_DEG
    pitch_max_rad: float  # PTCH_LIM_MAX_DEG
    pitch_min_rad: float  # PTCH_LIM_MIN_DEG
    airspeed_min_mps: float  # AIRSPEED_MIN (EAS)


# Indices of the controller state array (float64, owned by the caller).
ROLL_I, PITCH_I, YAW_I = 0, 1, 2  # integrators (rad of roll / pitch / yaw moment demand)
# Last measured rate, its low-passed derivative, and 1 once the last rate is valid.
P_LAST, P_DOT, P_VALID = 3, 4, 5
Q_LAST, Q_DOT, Q_VALID = 6, 7, 8
N_ATTITUDE_STATE = 9


def new_attitude_state() -> np.ndarray:
    """A zeroed controller state (allocate once per run)."""
    return np.zeros(N_ATTITUDE_STATE)


@njit(cache=True)
def attitude_reset(
    state: np.ndarray,
    p: AttitudeParams,
    elevator_rad: float,
    aileron_rad: float,
    rudder_rad: float,
) -> None:
    """Preload the integrators so the outputs start at the given deflections (bumpless)."""
    state[:] = 0.0
    state[ROLL_I] = aileron_rad
    state[PITCH_I] = -elevator_rad
    state[YAW_I] = -rudder_rad - p.rudder_mix * aileron_rad


@njit(cache=True)
def speed_scalers(p: AttitudeParams, tas_mps: float, eas2tas: float) -> tuple[float, float]:
    """(SCALING_SPEED / EAS, SCALING_SPEED / TAS), each limited to [0.5, 2]."""
    tas = max(tas_mps, 1.0)
    eas = tas / eas2tas
    s_eas = min(SCALER_MAX, max(SCALER_MIN, p.scaling_speed_mps / eas))
    s_tas = min(SCALER_MAX, max(SCALER_MIN, p.scaling_speed_mps / tas))
    return s_eas, s_tas


@njit(cache=True, inline="always")
def _integrate(integ: float, delta: float, u_without_i: float, limit: float, imax: float) -> float:
    """Integrator step with anti-windup: no growth toward a saturated output, |I| <= imax."""
    u = u_without_i + integ
    if (u >= limit and delta > 0.0) or (u <= -limit and delta < 0.0):
        delta = 0.0
    return clamp(integ + delta, -imax, imax)


@njit(cache=True, inline="always")
def _rate_derivative(state: np.ndarray, i_last: int, rate: float, dt: float) -> float:
    """Low-passed derivative of a measured rate (rad/s^2); state[i_last:i_last + 3] holds
    the last rate, the derivative and the validity flag (P_LAST, P_DOT, P_VALID or the Q_
    triple)."""
    if state[i_last + 2] > 0.0 and dt > 0.0:
        raw = (rate - state[i_last]) / dt
        a = dt / (dt + 1.0 / (2.0 * math.pi * D_FILTER_HZ))
        state[i_last + 1] += a * (raw - state[i_last + 1])
    state[i_last] = rate
    state[i_last + 2] = 1.0
    return state[i_last + 1]


@njit(cache=True)
def roll_update(
    state: np.ndarray,
    p: AttitudeParams,
    act: ActuatorParams,
    dt: float,
    roll_cmd_rad: float,
    phi_rad: float,
    theta_rad: float,
    p_radps: float,
    tas_mps: float,
    eas2tas: float,
) -> float:
    """Aileron (rad) for the demanded bank; updates the roll integrator in place."""
    s_eas, s_tas = speed_scalers(p, tas_mps, eas2tas)
    s2 = s_eas * s_eas
    phi_c = clamp(roll_cmd_rad, -p.roll_limit_rad, p.roll_limit_rad)
    rate = (phi_c - phi_rad) / max(p.roll_tconst_s, 0.05)
    if p.roll_rate_max_radps > 0.0:
        rate = clamp(rate, -p.roll_rate_max_radps, p.roll_rate_max_radps)
    phi_t = clamp(phi_rad, -PHI_TURN_MAX_RAD, PHI_TURN_MAX_RAD)
    psi_dot = G0_MPS2 * math.tan(phi_t) / max(tas_mps, 1.0)
    p_cmd = rate - psi_dot * math.sin(theta_rad)
    err = p_cmd - p_radps
    pdot = _rate_derivative(state, P_LAST, p_radps, dt)
    u = p.roll_rate_ff * s_tas * p_cmd + p.roll_rate_p * s2 * err - p.roll_rate_d * s2 * pdot
    if tas_mps / eas2tas >= INTEG_MIN_SPEED_FRACTION * p.airspeed_min_mps:
        state[ROLL_I] = _integrate(
            state[ROLL_I], p.roll_rate_i * s2 * err * dt, u, act.da_max_rad, p.roll_imax_rad
        )
    return clamp(u + state[ROLL_I], -act.da_max_rad, act.da_max_rad)


@njit(cache=True)
def pitch_update(
    state: np.ndarray,
    p: AttitudeParams,
    act: ActuatorParams,
    dt: float,
    pitch_cmd_rad: float,
    phi_rad: float,
    theta_rad: float,
    q_radps: float,
    tas_mps: float,
    eas2tas: float,
) -> float:
    """Elevator (rad, trailing edge down positive) for the demanded pitch angle."""
    s_eas, s_tas = speed_scalers(p, tas_mps, eas2tas)
    s2 = s_eas * s_eas
    theta_c = clamp(pitch_cmd_rad, p.pitch_min_rad, p.pitch_max_rad)
    rate = (theta_c - theta_rad) / max(p.pitch_tconst_s, 0.05)
    if p.pitch_rate_max_up_radps > 0.0:
        rate = min(rate, p.pitch_rate_max_up_radps)
    if p.pitch_rate_max_dn_radps > 0.0:
        rate = max(rate, -p.pitch_rate_max_dn_radps)
    phi_t = clamp(phi_rad, -PHI_TURN_MAX_RAD, PHI_TURN_MAX_RAD)
    # Level coordinated turn: q = psi_dot sin(phi) cos(theta) = g tan(phi) sin(phi) cos/V.
    q_turn = G0_MPS2 * math.tan(phi_t) * math.sin(phi_t) * math.cos(theta_rad)
    q_turn *= p.pitch_roll_ff / max(tas_mps, 1.0)
    q_cmd = rate * math.cos(phi_t) + q_turn
    err = q_cmd - q_radps
    qdot = _rate_derivative(state, Q_LAST, q_radps, dt)
    u = p.pitch_rate_ff * s_tas * q_cmd + p.pitch_rate_p * s2 * err - p.pitch_rate_d * s2 * qdot
    if tas_mps / eas2tas >= INTEG_MIN_SPEED_FRACTION * p.airspeed_min_mps:
        state[PITCH_I] = _integrate(
            state[PITCH_I], p.pitch_rate_i * s2 * err * dt, u, act.de_max_rad, p.pitch_imax_rad
        )
    return -clamp(u + state[PITCH_I], -act.de_max_rad, act.de_max_rad)


@njit(cache=True)
def yaw_update(
    state: np.ndarray,
    p: AttitudeParams,
    act: ActuatorParams,
    dt: float,
    aileron_rad: float,
    phi_rad: float,
    theta_rad: float,
    r_radps: float,
    ay_mps2: float,
    tas_mps: float,
    eas2tas: float,
) -> float:
    """Rudder (rad): yaw damper around the coordinated-turn rate, sideslip loop on the
    lateral specific force ``ay_mps2`` (body y, m/s^2), aileron-to-rudder mix."""
    s_eas, _ = speed_scalers(p, tas_mps, eas2tas)
    s2 = s_eas * s_eas
    phi_t = clamp(phi_rad, -PHI_TURN_MAX_RAD, PHI_TURN_MAX_RAD)
    r_turn = p.yaw_roll_ff * G0_MPS2 * math.sin(phi_t) * math.cos(theta_rad)
    r_turn /= max(tas_mps, 1.0)
    u = -p.yaw_damp * s2 * (r_radps - r_turn) - p.yaw_slip * s2 * ay_mps2
    u += p.rudder_mix * aileron_rad
    if tas_mps / eas2tas >= INTEG_MIN_SPEED_FRACTION * p.airspeed_min_mps:
        state[YAW_I] = _integrate(
            state[YAW_I], -p.yaw_int * s2 * ay_mps2 * dt, u, act.dr_max_rad, p.yaw_imax_rad
        )
    return -clamp(u + state[YAW_I], -act.dr_max_rad, act.dr_max_rad)


@njit(cache=True)
def attitude_update(
    state: np.ndarray,
    p: AttitudeParams,
    act: ActuatorParams,
    dt: float,
    roll_cmd_rad: float,
    pitch_cmd_rad: float,
    phi_rad: float,
    theta_rad: float,
    p_radps: float,
    q_radps: float,
    r_radps: float,
    ay_mps2: float,
    tas_mps: float,
    eas2tas: float,
) -> tuple[float, float, float]:
    """One step of all three loops: (elevator, aileron, rudder) in rad.

    Inputs: demanded bank and pitch (rad); Euler roll and pitch (rad); body rates p, q, r
    (rad/s, gyro); lateral specific force (m/s^2, accelerometer y); true airspeed (m/s) and
    the TAS/EAS ratio sqrt(rho0 / rho). ``dt`` is the step (s).
    """
    aileron = roll_update(state, p, act, dt, roll_cmd_rad, phi_rad, theta_rad, p_radps,
                          tas_mps, eas2tas)  # fmt: skip
    elevator = pitch_update(state, p, act, dt, pitch_cmd_rad, phi_rad, theta_rad, q_radps,
                            tas_mps, eas2tas)  # fmt: skip
    rudder = yaw_update(state, p, act, dt, aileron, phi_rad, theta_rad, r_radps, ay_mps2,
                        tas_mps, eas2tas)  # fmt: skip
    return elevator, aileron, rudder
