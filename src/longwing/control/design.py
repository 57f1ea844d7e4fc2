"""Autopilot gains designed from the airframe's model: successive loop closure.

Beard & McLain ("Small Unmanned Aircraft", ch. 6) close the loops from the inside out, each
outer loop several times slower than the one it commands (bandwidth separation), with the
inner loops' proportional gains set by the actuator limits. Here the same steps design the
gains of longwing's ArduPlane-structured loops (:mod:`longwing.control.attitude`,
:mod:`~longwing.control.tecs`, :mod:`~longwing.control.l1`) from the transfer-function
constants of :func:`longwing.control.design_model.tf_model` (numerical linearisation of the
simulator's own derivatives). docs/tuning.md has the equations.

Roll (``p' = -a_phi1 p + a_phi2 da``; the loop: ``p_cmd = (phi_c - phi) / TCONST``,
``da = FF p_cmd + P (p_cmd - p) + I int(p_cmd - p)``):

- ``RLL_RATE_FF = a_phi1 / a_phi2``: the aileron that holds a roll rate against the roll
  damping;
- Beard & McLain's angle gain from the limits: ``kp_phi = da_max / e_phi_max`` (the bank
  limit), giving ``wn_phi = sqrt(a_phi2 kp_phi)``;
- rate damping for ``zeta_phi``: ``P = (2 zeta wn - a_phi1) / a_phi2``, at least
  ``P_MIN_OF_FF`` x FF (rate feedback against gusts even when the airframe's own roll damping
  is more than enough); then ``TCONST = (FF + P) / kp_phi`` (the same angle stiffness);
- ``I = I_OF_KP kp_phi``.

Course (L1): its natural frequency ``2 pi / NAVL1_PERIOD`` is the roll loop's bandwidth
(its slower closed-loop pole when overdamped) divided by ``W_CHI``; ``NAVL1_DAMPING`` =
``ZETA_CHI``.

Pitch (short period ``q' = -a_theta1 q - a_theta2 alpha + a_theta3 de``; the loop as roll's
on the elevator): FF the elevator of a steady pull-up; ``kp_theta = de_max / e_theta_max``
(the TECS pitch limit: the largest pitch step TECS demands), ``wn_theta = sqrt(a_theta2 +
|a_theta3| kp_theta)``, ``P = (2 zeta wn - a_theta1) / |a_theta3|``, TCONST and I as roll's.

TECS: ``TECS_TIME_CONST = W_H (PTCH2SRV_TCONST + tau_gamma)`` (the pitch angle response and
the flight-path lag behind it); each energy loop is a lag ``tau`` + the TECS PI law with its
damping term ``d`` and integrator, closed around ``SEB' = G (pitch V g)``,
``STE' = G_t throttle``: the characteristic polynomial is a cubic (docs/tuning.md) and ``d``
is the smallest that gives every closed-loop root the damping ``ZETA_ENERGY`` (else the
best in [0, 1]).

Airspeed-scaled gains: P, I and D apply as designed at ``SCALING_SPEED`` = the design EAS;
the feed-forwards are multiplied in flight by ``SCALING_SPEED / TAS`` and so are designed as
``FF * TAS / EAS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from longwing.airframe.params import Airframe
from longwing.control.design_model import TfModel, tf_model
from longwing.control.params import PARAM_INDEX
from longwing.geo.atmosphere import isa
from longwing.geo.constants import G0_MPS2
from longwing.physics.trim import TrimCondition, TrimError

ZETA_PHI = 0.707
ZETA_THETA = 0.707
ZETA_CHI = 0.75  # NAVL1_DAMPING (ArduPlane's default)
ZETA_ENERGY = 0.7  # least damping of the TECS energy loops' closed-loop roots
W_CHI = 6.0  # course (L1) bandwidth below roll's (Beard & McLain: 5 - 10)
W_H = 5.0  # energy (TECS) time constant over the pitch + flight-path lag
P_MIN_OF_FF = 0.5  # rate-loop P at least this fraction of the feed-forward
I_OF_KP = 0.25  # rate integrator as a fraction of the angle stiffness kp
TECS_INTEG_DEFAULT = PARAM_INDEX["TECS_INTEG_GAIN"].default
TECS_SPDWEIGHT = PARAM_INDEX["TECS_SPDWEIGHT"].default
ENERGY_RATE_FILTER_S = 0.5  # tecs.py low-passes the energy-rate error over 0.5 s
DESIGN_LATITUDE_RAD = math.radians(45.0)
DAMP_GRID = np.linspace(0.0, 1.0, 101)

#: the gains the design sets: what a flight takes from it for an airframe that gives none
#: (the design's params also hold SCALING_SPEED, the EAS they are designed at)
DESIGNED_GAINS = (
    "RLL2SRV_TCONST", "RLL_RATE_P", "RLL_RATE_I", "RLL_RATE_D", "RLL_RATE_FF",
    "PTCH2SRV_TCONST", "PTCH_RATE_P", "PTCH_RATE_I", "PTCH_RATE_D", "PTCH_RATE_FF",
    "NAVL1_PERIOD", "NAVL1_DAMPING", "TECS_TIME_CONST", "TECS_PTCH_DAMP", "TECS_THR_DAMP",
)  # fmt: skip


class LoopFigures(NamedTuple):
    """Why the gains are what they are: the closed-loop figures of each loop (rad/s, s)."""

    roll_kp_rad_per_rad: float  # Beard & McLain kp_phi = da_max / e_phi_max
    roll_wn_radps: float
    roll_damping: float
    roll_bandwidth_radps: float  # the roll loop's slower closed-loop pole (or wn)
    course_wn_radps: float  # 2 pi / NAVL1_PERIOD
    course_separation: float  # roll bandwidth / course wn (>= 5)
    pitch_kp_rad_per_rad: float
    pitch_wn_radps: float
    pitch_damping: float
    pitch_dc_gain: float  # Beard & McLain's K_theta_DC without the integrator
    pitch_lag_s: float  # PTCH2SRV_TCONST + flight-path lag: what TECS flies through
    energy_separation: float  # TECS_TIME_CONST / pitch lag (>= 5)
    seb_damping: float  # least damping ratio of the pitch (energy balance) loop's roots
    ste_damping: float  # ... of the throttle (total energy) loop's roots
    ste_gain_ratio: float  # true / TECS-assumed energy rate per throttle


class GainDesign(NamedTuple):
    """A design: the condition, the transfer-function constants, the figures and the
    parameters (table names and units, within the table's ranges)."""

    airspeed_tas_mps: float
    airspeed_eas_mps: float
    altitude_m: float
    model: TfModel
    figures: LoopFigures
    params: Mapping[str, float]
    clamped: tuple[str, ...]  # parameters the table's range limited


def _damped_pair_bandwidth(wn: float, zeta: float) -> float:
    """The slower root's magnitude of ``s^2 + 2 zeta wn s + wn^2`` (``wn`` if oscillatory)."""
    if zeta <= 1.0:
        return wn
    return wn * (zeta - math.sqrt(zeta * zeta - 1.0))


def _least_damping(coeffs: list[float]) -> float:
    roots = np.roots(coeffs)
    return float(min(-r.real / abs(r) for r in roots))


def _seb_cubic(tau: float, gain: float, tc: float, ki: float, d: float) -> list[float]:
    """Energy-balance loop: lag ``tau``, pitch law ``(1+d) e/T + d e' + ki (e + int e/T)``."""
    return [tau, 1.0 + gain * d, gain * ((1.0 + d) / tc + ki), gain * ki / tc]


def _ste_cubic(tau: float, gain: float, tc: float, ki: float, d: float) -> list[float]:
    """Total-energy loop: lag ``tau``, throttle law ``(e + d (e/T + e') + ki int e) / T``."""
    return [tau, 1.0 + gain * d / tc, gain / tc * (1.0 + d / tc), gain * ki / tc]


def _pick_damping(cubic, *args: float) -> tuple[float, float]:
    """The smallest damping term in [0, 1] giving ZETA_ENERGY, else the best: (d, zeta)."""
    zetas = [_least_damping(cubic(*args, float(d))) for d in DAMP_GRID]
    for d, z in zip(DAMP_GRID, zetas, strict=True):
        if z >= ZETA_ENERGY:
            return float(d), z
    i = int(np.argmax(zetas))
    return float(DAMP_GRID[i]), zetas[i]


def _clamp_to_table(values: dict[str, float]) -> tuple[dict[str, float], tuple[str, ...]]:
    out, clamped = {}, []
    for name, v in values.items():
        p = PARAM_INDEX[name]
        c = min(p.hi, max(p.lo, v))
        if c != v:
            clamped.append(name)
        out[name] = float(f"{c:.4g}")
    return out, tuple(clamped)


def design_gains(
    af: Airframe, airspeed_mps: float | None = None, altitude_m: float = 0.0,
    fuel_kg: float | None = None,
) -> GainDesign:  # fmt: skip
    """Design the loop gains of ``af`` at ``airspeed_mps`` (true airspeed; default the
    envelope's cruise) and ``altitude_m``. TrimError if it cannot trim there."""
    va = af.envelope.airspeed_cruise_mps if airspeed_mps is None else float(airspeed_mps)
    fuel = af.mass.fuel_capacity_kg if fuel_kg is None else float(fuel_kg)
    m = tf_model(af, TrimCondition(va, altitude_m, DESIGN_LATITUDE_RAD, fuel))
    _, _, rho0 = isa(0.0)
    eas = va * math.sqrt(m.rho_kgpm3 / rho0)
    ff_scale = va / eas  # feed-forwards are multiplied by SCALING_SPEED / TAS in flight
    act, env = af.actuators, af.envelope

    # roll-rate and roll-angle loops
    a1, a2 = m.a_phi1_per_s, m.a_phi2_per_s2
    roll_ff = a1 / a2
    kp_phi = act.da_max_rad / env.bank_max_rad
    wn_phi = math.sqrt(a2 * kp_phi)
    roll_p = max((2.0 * ZETA_PHI * wn_phi - a1) / a2, P_MIN_OF_FF * roll_ff)
    zeta_phi = (a1 + a2 * roll_p) / (2.0 * wn_phi)
    roll_tc = (roll_ff + roll_p) / kp_phi
    roll_bw = _damped_pair_bandwidth(wn_phi, zeta_phi)

    # course: L1 period from the bandwidth separation
    wn_chi = roll_bw / W_CHI
    l1_period = math.ceil(2.0 * math.pi / wn_chi * 100.0) / 100.0  # up: keep the separation

    # pitch-rate and pitch-angle loops
    t1, t2, b = m.a_theta1_per_s, m.a_theta2_per_s2, -m.a_theta3_per_s2
    pitch_ff = m.pitch_ff_s
    e_theta_max = min(math.radians(PARAM_INDEX["TECS_PITCH_MAX"].default), env.pitch_max_rad)
    kp_theta = act.de_max_rad / e_theta_max
    wn_theta = math.sqrt(t2 + b * kp_theta)
    pitch_p = max((2.0 * ZETA_THETA * wn_theta - t1) / b, P_MIN_OF_FF * pitch_ff)
    zeta_theta = (t1 + b * pitch_p) / (2.0 * wn_theta)
    pitch_tc = (pitch_ff + pitch_p) / kp_theta
    dc_gain = b * kp_theta / (t2 + b * kp_theta)

    # TECS: time constant from the separation, damping terms from the energy loops
    pitch_lag = pitch_tc + m.path_lag_s
    tecs_tc = min(10.0, max(3.0, math.ceil(W_H * pitch_lag * 100.0) / 100.0))
    w_k = min(TECS_SPDWEIGHT, 1.0)
    w_p = min(2.0 - TECS_SPDWEIGHT, 1.0)
    seb_gain = w_p + w_k  # a climb angle gains potential and loses kinetic energy
    ptch_damp, seb_zeta = _pick_damping(_seb_cubic, pitch_lag, seb_gain, tecs_tc,
                                        TECS_INTEG_DEFAULT)  # fmt: skip
    stedot_range = PARAM_INDEX["TECS_CLMB_MAX"].default + PARAM_INDEX["TECS_SINK_MIN"].default
    ste_gain = m.energy_rate_per_throttle_m2ps3 / (stedot_range * G0_MPS2)
    thr_damp, ste_zeta = _pick_damping(_ste_cubic, ENERGY_RATE_FILTER_S, ste_gain, tecs_tc,
                                       TECS_INTEG_DEFAULT)  # fmt: skip

    raw = {
        "RLL2SRV_TCONST": roll_tc,
        "RLL_RATE_P": roll_p,
        "RLL_RATE_I": I_OF_KP * kp_phi,
        "RLL_RATE_D": 0.0,
        "RLL_RATE_FF": roll_ff * ff_scale,
        "PTCH2SRV_TCONST": pitch_tc,
        "PTCH_RATE_P": pitch_p,
        "PTCH_RATE_I": I_OF_KP * kp_theta,
        "PTCH_RATE_D": 0.0,
        "PTCH_RATE_FF": pitch_ff * ff_scale,
        "NAVL1_PERIOD": l1_period,
        "NAVL1_DAMPING": ZETA_CHI,
        "TECS_TIME_CONST": tecs_tc,
        "TECS_PTCH_DAMP": ptch_damp,
        "TECS_THR_DAMP": thr_damp,
        "SCALING_SPEED": eas,
    }
    params, clamped = _clamp_to_table(raw)
    figures = LoopFigures._make(float(v) for v in LoopFigures(
        roll_kp_rad_per_rad=kp_phi,
        roll_wn_radps=wn_phi,
        roll_damping=zeta_phi,
        roll_bandwidth_radps=roll_bw,
        course_wn_radps=2.0 * math.pi / params["NAVL1_PERIOD"],
        course_separation=roll_bw * params["NAVL1_PERIOD"] / (2.0 * math.pi),
        pitch_kp_rad_per_rad=kp_theta,
        pitch_wn_radps=wn_theta,
        pitch_damping=zeta_theta,
        pitch_dc_gain=dc_gain,
        pitch_lag_s=pitch_lag,
        energy_separation=params["TECS_TIME_CONST"] / pitch_lag,
        seb_damping=seb_zeta,
        ste_damping=ste_zeta,
        ste_gain_ratio=ste_gain,
    ))  # fmt: skip
    return GainDesign(va, eas, altitude_m, m, figures, params, clamped)


def designed_defaults(af: Airframe) -> dict[str, float]:
    """:data:`DESIGNED_GAINS` of ``af`` designed at its cruise airspeed at sea level (so
    that SCALING_SPEED, the cruise EAS, is the scaling speed they apply at); empty if it
    cannot trim there (its flights report that; the table defaults stand)."""
    try:
        d = design_gains(af)
    except TrimError:
        return {}
    return {name: d.params[name] for name in DESIGNED_GAINS}
