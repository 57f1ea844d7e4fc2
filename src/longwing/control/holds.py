"""Basic hold loops for open-loop flight: heading, altitude and airspeed hold.

Successive loop closure in the Beard & McLain style around the trim controls: heading error
-> bank command -> aileron (with roll-rate damping); altitude error -> pitch command ->
elevator (with pitch-rate damping); airspeed error -> throttle (PI); a yaw damper that
leaves the steady turn rate alone. These keep an open-loop flight upright and on heading;
the full autopilot (TECS, L1) is a separate library.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.geo.constants import G0_MPS2
from longwing.mathx import wrap_pi


class HoldGains(NamedTuple):
    k_bank_per_heading: float = 1.0  # rad bank per rad heading error
    bank_max_rad: float = math.radians(30.0)
    k_aileron_per_roll: float = 0.8  # rad aileron per rad roll error
    k_aileron_per_p: float = 0.08  # rad aileron per rad/s roll rate
    k_rudder_per_r: float = 0.2  # rad rudder per rad/s unexpected yaw rate
    k_pitch_per_alt: float = 0.004  # rad pitch per m altitude error
    k_pitch_per_alt_int: float = 0.0002  # rad pitch per m s
    pitch_max_rad: float = math.radians(15.0)
    k_elevator_per_pitch: float = 1.5  # rad elevator per rad pitch error
    k_elevator_per_q: float = 0.15  # rad elevator per rad/s pitch rate
    k_throttle_per_speed: float = 0.08  # throttle per m/s
    k_throttle_per_speed_int: float = 0.02  # throttle per m
    gravity_mps2: float = G0_MPS2


HOLD_STATE_SIZE = 2  # [altitude error integral (m s), airspeed error integral (m)]


def new_hold_state() -> np.ndarray:
    return np.zeros(HOLD_STATE_SIZE)


@njit(cache=True)
def hold_step(
    hold_state: np.ndarray,
    trim_ctrl: np.ndarray,
    trim_theta_rad: float,
    heading_cmd_rad: float,
    alt_cmd_m: float,
    airspeed_cmd_mps: float,
    phi: float,
    theta: float,
    psi: float,
    p: float,
    q: float,
    r: float,
    alt_m: float,
    airspeed_mps: float,
    g: HoldGains,
    dt: float,
    cmd: np.ndarray,
) -> None:
    """Write surface and throttle commands into ``cmd``; update integrators in place."""
    bank = g.k_bank_per_heading * wrap_pi(heading_cmd_rad - psi)
    bank = min(g.bank_max_rad, max(-g.bank_max_rad, bank))
    cmd[1] = trim_ctrl[1] + g.k_aileron_per_roll * (bank - phi) - g.k_aileron_per_p * p
    r_turn = g.gravity_mps2 / max(airspeed_mps, 1.0) * math.sin(phi) * math.cos(theta)
    cmd[2] = trim_ctrl[2] + g.k_rudder_per_r * (r - r_turn)  # Cn_dr < 0

    alt_err = alt_cmd_m - alt_m
    pitch = trim_theta_rad + g.k_pitch_per_alt * alt_err + g.k_pitch_per_alt_int * hold_state[0]
    pitch_sat = min(g.pitch_max_rad, max(-g.pitch_max_rad, pitch))
    if pitch == pitch_sat:  # integrate only when not saturated (anti-windup)
        hold_state[0] += alt_err * dt
    cmd[0] = trim_ctrl[0] - g.k_elevator_per_pitch * (pitch_sat - theta) + g.k_elevator_per_q * q

    spd_err = airspeed_cmd_mps - airspeed_mps
    thr = (
        trim_ctrl[3] + g.k_throttle_per_speed * spd_err + g.k_throttle_per_speed_int * hold_state[1]
    )
    thr_sat = min(1.0, max(0.0, thr))
    if thr == thr_sat:
        hold_state[1] += spd_err * dt
    cmd[3] = thr_sat
