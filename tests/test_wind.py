"""Steady wind field: CLI parsing, direction convention, altitude interpolation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.physics.wind import WindField, parse_wind, steady_wind_ned, steady_wind_ned_wd

SYNTAX = "expected DIR@SPEED (e.g. 270@8) or ALT_M:DIR@SPEED,... (e.g. 0:270@5,1000:250@12)"


@pytest.mark.parametrize(
    ("text", "wn", "we"),
    [
        ("270@8", 0.0, 8.0),  # westerly: air moves east
        ("90@5", 0.0, -5.0),  # easterly: air moves west
        ("0@10", -10.0, 0.0),  # northerly: air moves south
        ("360@10", -10.0, 0.0),
        ("180@3", 3.0, 0.0),  # southerly: air moves north
        ("45@10", -10.0 / math.sqrt(2.0), -10.0 / math.sqrt(2.0)),
        ("200@0", 0.0, 0.0),
        (" 270 @ 8 ", 0.0, 8.0),
    ],
)
def test_from_direction_convention(text: str, wn: float, we: float) -> None:
    field = parse_wind(text)
    got = field.at(123.0)
    assert got[0] == pytest.approx(wn, abs=1e-12)
    assert got[1] == pytest.approx(we, abs=1e-12)
    assert got[2] == 0.0


def test_westerly_is_exactly_east() -> None:
    alt, wn, we = parse_wind("270@8").arrays()
    assert wn[0] == 0.0 and we[0] == 8.0
    assert alt.dtype == wn.dtype == we.dtype == np.float64


def test_constant_matches_parse() -> None:
    a = WindField.constant(250.0, 12.0).at(0.0)
    b = parse_wind("250@12").at(0.0)
    assert a == pytest.approx(b)
    assert math.hypot(a[0], a[1]) == pytest.approx(12.0)
    # air moves toward 070 deg: north and east both positive, bearing 70 deg
    assert math.degrees(math.atan2(a[1], a[0])) == pytest.approx(70.0)


def test_layered_interpolation_at_between_outside() -> None:
    field = parse_wind("0:270@5,1000:180@10")
    # at the layers
    assert field.at(0.0) == pytest.approx((0.0, 5.0, 0.0), abs=1e-12)
    assert field.at(1000.0) == pytest.approx((10.0, 0.0, 0.0), abs=1e-12)
    # between: components interpolate linearly
    assert field.at(250.0) == pytest.approx((2.5, 3.75, 0.0), abs=1e-12)
    assert field.at(500.0) == pytest.approx((5.0, 2.5, 0.0), abs=1e-12)
    # outside: clamped to the end layers
    assert field.at(-200.0) == pytest.approx((0.0, 5.0, 0.0), abs=1e-12)
    assert field.at(30000.0) == pytest.approx((10.0, 0.0, 0.0), abs=1e-12)


def test_three_layers_pick_the_right_segment() -> None:
    field = WindField.layered([(0.0, 270.0, 2.0), (500.0, 270.0, 4.0), (2000.0, 270.0, 10.0)])
    alt, wn, we = field.arrays()
    for alt_m, we_expected in [(100.0, 2.4), (499.0, 3.996), (500.0, 4.0), (1250.0, 7.0)]:
        got = steady_wind_ned(alt_m, alt, wn, we)
        assert got[1] == pytest.approx(we_expected, abs=1e-12)
        assert got[0] == pytest.approx(0.0, abs=1e-12)


def test_kernel_single_layer_and_vertical_component() -> None:
    one = np.array([100.0])
    assert steady_wind_ned(5000.0, one, np.array([1.0]), np.array([2.0])) == (1.0, 2.0, 0.0)
    alt = np.array([0.0, 100.0])
    got = steady_wind_ned_wd(25.0, alt, np.zeros(2), np.zeros(2), np.array([0.0, -2.0]))
    assert got == pytest.approx((0.0, 0.0, -0.5))


def test_calm_and_readonly() -> None:
    calm = parse_wind("calm")
    assert calm.is_calm and calm.at(1e4) == (0.0, 0.0, 0.0)
    assert WindField.calm().is_calm
    assert not parse_wind("270@8").is_calm
    alt, _, _ = parse_wind("0:270@5,1000:250@12").arrays()
    with pytest.raises(ValueError):
        alt[0] = 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"invalid wind '': empty; {SYNTAX}"),
        ("270", f"invalid wind '270': {SYNTAX}"),
        ("270@", f"invalid wind '270@': {SYNTAX}"),
        ("@8", f"invalid wind '@8': {SYNTAX}"),
        ("270@8@9", f"invalid wind '270@8@9': {SYNTAX}"),
        ("400@8", "invalid wind '400@8': direction 400 deg outside [0, 360]"),
        ("-10@8", "invalid wind '-10@8': direction -10 deg outside [0, 360]"),
        ("270@-1", "invalid wind '270@-1': speed -1 m/s is negative"),
        ("270@150", "invalid wind '270@150': speed 150 m/s exceeds 100 m/s"),
        ("west@8", "invalid wind 'west@8': direction 'west' is not a number"),
        ("270@fast", "invalid wind '270@fast': speed 'fast' is not a number"),
        ("270@inf", "invalid wind '270@inf': speed 'inf' is not finite"),
        (
            "1000:270@5,0:250@12",
            "invalid wind '1000:270@5,0:250@12': altitudes must be strictly ascending "
            "(0 m after 1000 m)",
        ),
        (
            "0:270@5,0:250@12",
            "invalid wind '0:270@5,0:250@12': altitudes must be strictly ascending (0 m after 0 m)",
        ),
        ("270@8,1000:250@12", f"invalid wind '270@8,1000:250@12': {SYNTAX}"),
        ("0:270@5,", f"invalid wind '0:270@5,': {SYNTAX}"),
        ("high:270@5", "invalid wind 'high:270@5': altitude 'high' is not a number"),
        (
            "0:270@5,1000:361@12",
            "invalid wind '0:270@5,1000:361@12': direction 361 deg outside [0, 360]",
        ),
    ],
)
def test_parse_wind_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_wind(text)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match=r"direction 400 deg outside \[0, 360\]"):
        WindField.constant(400.0, 8.0)
    with pytest.raises(ValueError, match="strictly ascending"):
        WindField.layered([(100.0, 270.0, 5.0), (50.0, 270.0, 5.0)])
    with pytest.raises(ValueError, match="at least one layer"):
        WindField.layered([])
    with pytest.raises(ValueError, match="equal length"):
        WindField(np.array([0.0, 1.0]), np.zeros(1), np.zeros(2))
