"""Beard & McLain's transfer-function constants of an airframe, by numerical linearisation.

The constants of Beard & McLain ("Small Unmanned Aircraft", ch. 5) are found here not from
the aerodynamic coefficients but by central differences of the very nonlinear derivatives
the simulator flies (:func:`longwing.physics.trim.body_dynamics`, the function trim and
:func:`~longwing.physics.trim.modes` use) around a wings-level trim. An airframe whose
aerodynamics are tables evaluated inside that function is linearised the same way.

With the body-axis accelerations ``f = (u', v', w', p', q', r')`` of the state
``(Va, alpha, beta, p, q, r, theta)`` and the controls ``(de, da, dr, dt)``:

- roll: ``p' = -a_phi1 p + a_phi2 da``: ``a_phi1 = -dp'/dp``, ``a_phi2 = dp'/dda``;
- pitch: ``q' = -a_theta1 q - a_theta2 alpha + a_theta3 de``: ``a_theta1 = -dq'/dq``,
  ``a_theta2 = -dq'/dalpha``, ``a_theta3 = dq'/dde``;
- airspeed: ``Va' = -a_V1 Va + a_V2 dt - a_V3 theta``: ``a_V1 = -dVa'/dVa`` (drag and the
  propeller's thrust lapse), ``a_V2 = dVa'/ddt``, ``a_V3 = -dVa'/dtheta = g cos(theta - alpha)``;
- sideslip: ``beta' = -a_beta1 beta + a_beta2 dr``;

and three more that the ArduPlane-structured loops need: the flight-path lag
``tau_gamma = 1 / (dgamma'/dalpha)`` (pitch to climb angle), the elevator per pitch rate of a
steady pull-up (short-period equations with ``alpha' = q' = 0``: the pitch feed-forward)
and the specific energy rate per unit throttle ``Va a_V2`` (the throttle's authority).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from longwing.airframe.params import Airframe
from longwing.physics.trim import TrimCondition, TrimResult, body_dynamics, trim

# central-difference steps: airspeed (fraction of Va), angles (rad), rates (rad/s), controls
STEP_VA = 1e-4
STEP_ANGLE_RAD = 1e-5
STEP_RATE_RADPS = 1e-5
STEP_CONTROL = 1e-5


class TfModel(NamedTuple):
    """Beard & McLain's transfer-function constants at one trim (SI; see the module doc)."""

    airspeed_mps: float  # true airspeed of the trim
    altitude_m: float
    rho_kgpm3: float
    mass_kg: float
    alpha_rad: float
    theta_rad: float
    elevator_trim_rad: float
    throttle_trim: float
    a_phi1_per_s: float
    a_phi2_per_s2: float  # rad/s^2 of roll acceleration per rad of aileron
    a_theta1_per_s: float
    a_theta2_per_s2: float
    a_theta3_per_s2: float  # per rad of elevator (trailing edge down): negative
    a_v1_per_s: float
    a_v2_mps2: float  # m/s^2 per unit throttle
    a_v3_mps2: float
    a_beta1_per_s: float
    a_beta2_per_s: float
    path_lag_s: float  # tau_gamma: flight-path angle lag behind pitch
    pitch_ff_s: float  # elevator (rad, trailing edge up) per rad/s of steady pull-up
    energy_rate_per_throttle_m2ps3: float  # specific energy rate per unit throttle


def _accel(
    af: Airframe, tr: TrimResult, fuel_kg: float, va: float, alpha: float, beta: float,
    pqr: tuple[float, float, float], theta: float, ctrl: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """(Va', alpha', beta', p', q', r') of the wings-level state, from body_dynamics."""
    ca, sa, cb, sb = math.cos(alpha), math.sin(alpha), math.cos(beta), math.sin(beta)
    u, v, w = va * ca * cb, va * sb, va * sa * cb
    acc, _, _, _ = body_dynamics(
        af, (u, v, w), pqr, 0.0, theta, ctrl, tr.rho_kgpm3, tr.gravity_mps2, fuel_kg
    )
    du, dv, dw = acc[0], acc[1], acc[2]
    va_dot = (u * du + v * dv + w * dw) / va
    alpha_dot = (u * dw - w * du) / (u * u + w * w)
    beta_dot = (va * dv - v * va_dot) / (va * va * cb)
    return np.array([va_dot, alpha_dot, beta_dot, acc[3], acc[4], acc[5]])


def tf_model(af: Airframe, cond: TrimCondition) -> TfModel:
    """Trim ``af`` wings-level at ``cond`` and linearise (TrimError if it cannot trim)."""
    if not math.isinf(cond.turn_radius_m):
        raise ValueError("the transfer functions are taken about wings-level flight")
    tr = trim(af, cond)
    va0, fuel = cond.airspeed_mps, cond.fuel_kg
    x0 = np.array([va0, tr.alpha_rad, 0.0, 0.0, 0.0, 0.0, tr.theta_rad])
    u0 = tr.controls()
    steps_x = np.array([STEP_VA * va0, STEP_ANGLE_RAD, STEP_ANGLE_RAD] + [STEP_RATE_RADPS] * 3
                       + [STEP_ANGLE_RAD])  # fmt: skip

    def f(x: np.ndarray, ctrl: np.ndarray) -> np.ndarray:
        return _accel(af, tr, fuel, x[0], x[1], x[2], (x[3], x[4], x[5]), x[6], ctrl)

    a = np.zeros((6, 7))  # d(Va', alpha', beta', p', q', r') / d(Va, alpha, beta, p, q, r, theta)
    for j in range(7):
        dx = np.zeros(7)
        dx[j] = steps_x[j]
        a[:, j] = (f(x0 + dx, u0) - f(x0 - dx, u0)) / (2.0 * steps_x[j])
    b = np.zeros((6, 4))  # ... / d(de, da, dr, dt)
    for j in range(4):
        du = np.zeros(4)
        du[j] = STEP_CONTROL
        b[:, j] = (f(x0, u0 + du) - f(x0, u0 - du)) / (2.0 * STEP_CONTROL)
    VA, AL, BE, P, Q, R, TH = range(7)
    DE, DA, DR, DT = range(4)
    va_dot, al_dot, be_dot, p_dot, q_dot = 0, 1, 2, 3, 4
    # Steady pull-up: alpha' = q' = 0 at pitch rate q: solve for (dalpha, de) per unit q.
    m = np.array([[a[al_dot, AL], b[al_dot, DE]], [a[q_dot, AL], b[q_dot, DE]]])
    rhs = -np.array([a[al_dot, Q], a[q_dot, Q]])
    _, de_per_q = np.linalg.solve(m, rhs)
    # flight path gamma = theta - alpha: gamma' = q - alpha', so dgamma'/dalpha = -dalpha'/dalpha
    path_rate = -a[al_dot, AL]
    return TfModel(
        airspeed_mps=va0,
        altitude_m=cond.altitude_m,
        rho_kgpm3=tr.rho_kgpm3,
        mass_kg=tr.mass_kg,
        alpha_rad=tr.alpha_rad,
        theta_rad=tr.theta_rad,
        elevator_trim_rad=tr.elevator_rad,
        throttle_trim=tr.throttle,
        a_phi1_per_s=-a[p_dot, P],
        a_phi2_per_s2=b[p_dot, DA],
        a_theta1_per_s=-a[q_dot, Q],
        a_theta2_per_s2=-a[q_dot, AL],
        a_theta3_per_s2=b[q_dot, DE],
        a_v1_per_s=-a[va_dot, VA],
        a_v2_mps2=b[va_dot, DT],
        a_v3_mps2=-a[va_dot, TH],
        a_beta1_per_s=-a[be_dot, BE],
        a_beta2_per_s=b[be_dot, DR],
        path_lag_s=1.0 / path_rate if path_rate > 0.0 else math.inf,
        pitch_ff_s=-float(de_per_q),
        energy_rate_per_throttle_m2ps3=va0 * b[va_dot, DT],
    )
