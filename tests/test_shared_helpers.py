"""The shared small helpers: standard gravity, clamp, wrap_pi and its named variants (one
definition each)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.geo.constants import G0_MPS2
from longwing.mathx import clamp, wrap_pi, wrap_pi_atan2, wrap_pi_upper


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


@pytest.mark.parametrize("a", [-10.0, -math.pi, -1.0, -1e-12, 0.0, 2.5, math.pi, 7.0, 100.0])
def test_wrap_pi_upper_is_the_gnss_expression(a):
    """(-pi, pi]: the expression the GNSS model used for longitudes, bit for bit."""
    w = wrap_pi_upper(a)
    assert w == math.pi - (math.pi - a) % (2.0 * math.pi)
    assert -math.pi < w <= math.pi
    assert math.isclose(math.sin(w), math.sin(a), abs_tol=1e-12)


@pytest.mark.parametrize("a", [-10.0, -math.pi, -1.0, -1e-12, 0.0, 2.5, math.pi, 7.0, 100.0])
def test_wrap_pi_atan2_is_the_guidance_expression(a):
    """atan2(sin a, cos a): what geo.legs and L1 used, bit for bit."""
    w = wrap_pi_atan2(a)
    assert w == math.atan2(math.sin(a), math.cos(a))
    assert -math.pi <= w <= math.pi
    assert math.isclose(math.sin(w), math.sin(a), abs_tol=1e-12)


def test_wrap_variants_at_the_boundary_and_near_zero():
    assert (wrap_pi(math.pi), wrap_pi(-math.pi)) == (-math.pi, -math.pi)
    assert (wrap_pi_upper(math.pi), wrap_pi_upper(-math.pi)) == (math.pi, math.pi)
    assert (wrap_pi_atan2(math.pi), wrap_pi_atan2(-math.pi)) == (math.pi, -math.pi)
    # a small angle: atan2 keeps it exactly, the modulo forms round it to ~4.4e-16 rad steps
    assert wrap_pi_atan2(1e-10) == 1e-10
    assert wrap_pi(1e-10) != 1e-10 and abs(wrap_pi(1e-10) - 1e-10) < 4.5e-16
    assert abs(wrap_pi_upper(1e-10) - 1e-10) < 4.5e-16


@pytest.mark.parametrize("lim, tol", [(math.pi, 6e-16), (2.0 * math.pi, 1.3e-15), (20.0, 3e-15)])
def test_wrap_variants_agree_to_the_last_bits(lim, tol):
    """Away from +/-pi the three differ only by rounding: a few ulps of |a| + pi."""
    rng = np.random.default_rng(7)
    for a in rng.uniform(-lim, lim, 3000):
        w = wrap_pi(a)
        if math.pi - abs(w) < 1e-9:
            continue
        assert abs(wrap_pi_upper(a) - w) <= tol
        assert abs(wrap_pi_atan2(a) - w) <= tol
