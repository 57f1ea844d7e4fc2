"""The truth's specific force (what an accelerometer measures), for the IMU model."""

from __future__ import annotations

import numpy as np
from numba import njit

from longwing.geo.gravity import gravity_ned_sc
from longwing.geo.rotation import quat_rotate_inv
from longwing.geo.wgs84 import OMEGA_EARTH_RADPS, ned_to_ecef_sc
from longwing.physics.rigidbody import AERO_ON, derivatives
from longwing.physics.state import QW, VX


@njit(cache=True)
def specific_force_body(
    x: np.ndarray, act: np.ndarray, env: np.ndarray, engine_on: bool, work: np.ndarray,
    xdot: np.ndarray, aero, mass, prop, ground, sl: float, cl: float, so: float, co: float,
    h: float, fresh: bool,
) -> tuple[float, float, float]:  # fmt: skip
    """Specific force (non-gravitational acceleration) of the truth in body axes, m/s^2.

    With ``fresh`` it evaluates the equations of motion at the current state; otherwise it
    reuses the last RK4 stage of the previous step (the derivative at x + dt k3, which is the
    current state to second order in dt, with the previous step's controls): a 10 ms-old
    specific force that differs from the current one by ~1e-3 m/s^2, a tenth of the
    accelerometer's noise per sample, for one derivative evaluation less per step.
    """
    if fresh:
        derivatives(x, act, env, engine_on, AERO_ON, aero, mass, prop, ground, xdot)
    else:
        xdot = work[3]
    gn, ge, gd = gravity_ned_sc(sl, cl, h)
    gx, gy, gz = ned_to_ecef_sc(sl, cl, so, co, gn, ge, gd)
    om = OMEGA_EARTH_RADPS
    fx = xdot[VX] - gx - 2.0 * om * x[VX + 1]
    fy = xdot[VX + 1] - gy + 2.0 * om * x[VX]
    fz = xdot[VX + 2] - gz
    return quat_rotate_inv(x[QW], x[QW + 1], x[QW + 2], x[QW + 3], fx, fy, fz)
