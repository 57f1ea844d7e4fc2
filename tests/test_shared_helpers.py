"""The shared small helpers: standard gravity, clamp, wrap_pi (one definition each)."""

from __future__ import annotations

import math

import pytest

from longwing.geo.constants import G0_MPS2
from longwing.mathx import clamp, wrap_pi


def test_standard_gravity():
    assert G0_MPS2 == 9.80665


def test_clamp_floats_ints_and_infinities():
    assert clamp(0.3, -1.0, 1.0) == 0.3
    assert clamp(-2.0, -1.0, 1.0) == -1.0
    assert clamp(math.inf, -0.5, 0.5) == 0.5
    assert clamp(-math.inf, 0.0, 4.0) == 0.0
    assert clamp(7, 0, 5) == 5 and isinstance(clamp(7, 0, 5), int)


@pytest.mark.parametrize("a", [-10.0, -math.pi, -1.0, 0.0, 2.5, math.pi, 7.0, 100.0])
def test_wrap_pi_is_the_planners_expression(a):
    """The same numbers as ``(a + pi) % (2 pi) - pi``, which the planner inlined before."""
    w = wrap_pi(a)
    assert w == (a + math.pi) % (2.0 * math.pi) - math.pi
    assert -math.pi <= w < math.pi
    assert math.isclose(math.sin(w), math.sin(a), abs_tol=1e-12)
