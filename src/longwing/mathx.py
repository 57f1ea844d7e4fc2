"""Small numeric helpers shared by the kernels and the Python around them (one definition
each): :func:`clamp`, :func:`wrap_pi`. Compiled (numba, cached); callable from Python too."""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def clamp(v: float, lo: float, hi: float) -> float:
    """``v`` limited to [lo, hi] (callers keep NaN out: min/max do not propagate it)."""
    return min(hi, max(lo, v))


@njit(cache=True)
def wrap_pi(a_rad: float) -> float:
    """An angle wrapped to [-pi, pi)."""
    return (a_rad + math.pi) % (2.0 * math.pi) - math.pi
