"""Small numeric helpers shared by the kernels and the Python around them (one definition
each): :func:`clamp`, :func:`wrap_pi` and its two named variants. Compiled (numba, cached);
callable from Python too.

Wrapping an angle, three ways. Away from +/-pi all three agree to within a few units in the
last place of ``|a| + pi`` (under 6e-16 rad for |a| < pi); they differ in those last bits and
at the boundary, and each kernel keeps the one it was written with, so a flight's results
are bit for bit what they were when the private copies moved here:

=====================  ==============================  ==========================================
function               range                           used by
=====================  ==============================  ==========================================
:func:`wrap_pi`        [-pi, pi)                       EKF longitude, planner, open-loop holds
:func:`wrap_pi_upper`  (-pi, pi]                       GNSS longitude (interpolation, output)
:func:`wrap_pi_atan2`  [-pi, pi], sign of sin(a)       leg geometry (geo.legs), L1 guidance
=====================  ==============================  ==========================================

:func:`wrap_pi_atan2` keeps the full relative precision of a small angle (the modulo forms
round it to a multiple of about 4.4e-16 rad: 1e-10 becomes 1.00000008e-10) and keeps the
sign of an input at exactly +/-pi.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True, inline="always")
def clamp(v: float, lo: float, hi: float) -> float:
    """``v`` limited to [lo, hi] (callers keep NaN out: min/max do not propagate it)."""
    return min(hi, max(lo, v))


@njit(cache=True, inline="always")
def wrap_pi(a_rad: float) -> float:
    """An angle wrapped to [-pi, pi)."""
    return (a_rad + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True, inline="always")
def wrap_pi_upper(a_rad: float) -> float:
    """An angle wrapped to (-pi, pi]: the upper end included (pi stays pi, -pi becomes pi)."""
    return math.pi - (math.pi - a_rad) % (2.0 * math.pi)


@njit(cache=True, inline="always")
def wrap_pi_atan2(a_rad: float) -> float:
    """An angle wrapped to [-pi, pi] as ``atan2(sin a, cos a)``: a small angle keeps its
    relative precision, and +/-pi keep their sign (the sign of ``sin(a)`` decides)."""
    return math.atan2(math.sin(a_rad), math.cos(a_rad))
