"""Actuator position and rate limits (elevator, aileron, rudder, throttle)."""

from __future__ import annotations

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams


@njit(cache=True, inline="always")
def _move(pos: float, cmd: float, rate: float, lo: float, hi: float, dt: float) -> float:
    target = min(hi, max(lo, cmd))
    step = rate * dt
    return pos + min(step, max(-step, target - pos))


@njit(cache=True)
def actuator_step(act: np.ndarray, cmd: np.ndarray, p: ActuatorParams, dt: float) -> None:
    """Move actuator positions ``act`` toward ``cmd`` in place, within rate and travel."""
    act[0] = _move(act[0], cmd[0], p.de_rate_radps, -p.de_max_rad, p.de_max_rad, dt)
    act[1] = _move(act[1], cmd[1], p.da_rate_radps, -p.da_max_rad, p.da_max_rad, dt)
    act[2] = _move(act[2], cmd[2], p.dr_rate_radps, -p.dr_max_rad, p.dr_max_rad, dt)
    act[3] = _move(act[3], cmd[3], p.dt_rate_per_s, 0.0, 1.0, dt)
