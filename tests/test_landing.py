"""The landing and take-off laws alone (control/landing.py, control/takeoff.py), against
hand-computed values."""

from __future__ import annotations

import math

import pytest

from longwing.control import landing as ld
from longwing.control.takeoff import takeoff_bank_rad, takeoff_commands, takeoff_done


def test_flare_distance_from_the_mean_of_approach_and_flare_sink():
    # 50 m over 1,000 m at 22 m/s: approach sink 1.1 m/s, mean with 0.4 m/s is 0.75 m/s;
    # 2 m of flare at that mean sink takes 2 / 0.75 s, i.e. 22 * 2 / 0.75 = 58.67 m
    assert ld.flare_distance_m(22.0, 2.0, 0.4, 50.0, 1000.0) == pytest.approx(58.6667, abs=1e-3)
    # at most half the final leg (5 m over 60 m would flare over 39 m); a climbing
    # "approach" counts as level (mean sink floored at 0.1 m/s)
    assert ld.flare_distance_m(22.0, 2.0, 0.4, 5.0, 60.0) == 30.0
    assert ld.flare_distance_m(22.0, 2.0, 0.0, -10.0, 1000.0) == pytest.approx(440.0)


def test_glide_slope_from_a_to_the_flare_point():
    a, ground, flare_alt, leg, fd = 110.0, 60.0, 2.0, 1200.0, 60.0
    assert ld.glide_slope_alt_m(a, ground, flare_alt, leg, fd, leg) == pytest.approx(a)
    assert ld.glide_slope_alt_m(a, ground, flare_alt, leg, fd, fd) == pytest.approx(62.0)
    mid = fd + 0.5 * (leg - fd)
    assert ld.glide_slope_alt_m(a, ground, flare_alt, leg, fd, mid) == pytest.approx(86.0)
    # clamped: before A it is A's height, past the flare point the flare height
    assert ld.glide_slope_alt_m(a, ground, flare_alt, leg, fd, 5000.0) == pytest.approx(a)
    assert ld.glide_slope_alt_m(a, ground, flare_alt, leg, fd, 0.0) == pytest.approx(62.0)


def test_gust_additive_is_one_and_a_half_sigmas_capped_at_5():
    assert ld.approach_speed_mps(22.0, 0.0) == 22.0
    assert ld.approach_speed_mps(22.0, 2.0) == pytest.approx(25.0)
    assert ld.approach_speed_mps(22.0, 10.0) == pytest.approx(27.0)


@pytest.mark.parametrize(
    ("agl", "sink", "remaining", "due"),
    [
        (2.1, 0.5, 500.0, False),  # above the flare height, slow sink, far
        (2.0, 0.5, 500.0, True),  # at the flare height
        (5.9, 3.0, 500.0, True),  # 3 m/s sink: 2 s before the ground is 6 m up
        (3.9, 0.5, 40.0, True),  # within the flare distance and below 2 x flare height
        (4.1, 0.5, 40.0, False),  # ... but not from higher up
    ],
)
def test_flare_trigger(agl, sink, remaining, due):
    assert ld.flare_due(agl, sink, remaining, 2.0, 2.0, 60.0) is due


def test_flare_sink_aims_at_the_landing_point():
    # 2 m up, 25 m/s over the ground, 100 m to go: 0.5 m/s reaches the ground at B
    assert ld.flare_sink_demand(2.0, 25.0, 100.0, 0.4) == pytest.approx(0.5)
    assert ld.flare_sink_demand(2.0, 25.0, 1000.0, 0.4) == 0.4  # never below the flare sink
    assert ld.flare_sink_demand(4.0, 25.0, 20.0, 0.4) == ld.FLARE_SINK_MAX_MPS
    assert ld.flare_sink_demand(1.0, 25.0, 0.5, 0.4) == 0.4  # past B


def test_flare_law_pitch_and_throttle():
    p0 = math.radians(4.0)
    pitch, thr = ld.flare_commands(p0, 0.5, 0.5, 22.0, 22.0)  # on the demand, on speed
    assert pitch == pytest.approx(p0) and thr == 0.0
    pitch, thr = ld.flare_commands(p0, 1.5, 0.5, 22.0, 22.0)  # 1 m/s too fast down
    assert pitch == pytest.approx(p0 + 0.12)
    assert thr == 0.0  # 2 m/s above (approach - margin) outweighs 0.5 m/s of excess sink
    pitch, thr = ld.flare_commands(p0, 3.0, 0.5, 22.0, 22.0)  # pitch capped at 12 deg
    assert pitch == pytest.approx(ld.FLARE_PITCH_MAX_RAD)
    assert thr == pytest.approx(0.3 * 2.0 - 0.25 * 2.0)  # a downdraft: some power
    # 4 m/s slow (2 below the margin): 6 deg less pitch-up allowed, throttle 0.5
    pitch, thr = ld.flare_commands(p0, 3.0, 0.5, 22.0, 18.0)
    assert pitch == pytest.approx(math.radians(6.0))
    assert thr == ld.FLARE_THR_MAX  # 0.25 * 2 + 0.3 * 2 = 1.1, capped


def test_take_off_laws():
    climb = math.radians(8.0)
    # on the runway below rotation speed: level, full throttle
    assert takeoff_commands(0.2, 0.3, True, 15.0, 20.0, climb) == (0.0, 1.0, 0.0)
    # airborne: at least the climb pitch, full throttle, navigation bank kept
    assert takeoff_commands(0.05, 0.3, False, 22.0, 20.0, climb) == (climb, 1.0, 0.3)
    assert takeoff_commands(0.2, 0.3, False, 22.0, 20.0, climb) == (0.2, 1.0, 0.3)
    assert takeoff_bank_rad(0.5, 9.0) == pytest.approx(ld.FLARE_BANK_MAX_RAD)
    assert takeoff_bank_rad(0.5, 11.0) == 0.5
    assert takeoff_done(95.1, 100.0) and not takeoff_done(94.9, 100.0)
