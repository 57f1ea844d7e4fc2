"""ISA 1976 against the published U.S. Standard Atmosphere 1976 tables.

Reference values are copied from the printed tables of the standard (NOAA/NASA/USAF 1976),
not recomputed from the code's formulas. The layer-boundary values (geopotential altitude)
are printed with more digits; the geometric-altitude tables with five significant digits
for pressure and density. Tolerance: one unit in the last printed digit (the tables are
rounded from the standard's own intermediate values, so a fresh double-precision
evaluation can differ from the printed last digit by one, e.g. 12 111.8 Pa at 15 km where
the table prints 1.2111E+04).
"""

from __future__ import annotations

import math

import pytest

from longwing.geo.atmosphere import (
    geopotential_altitude_m,
    isa,
    isa_geopotential,
    speed_of_sound_mps,
)

# (geopotential altitude m, T K, p Pa, rho kg/m^3, dT, dp, drho): the layer boundaries.
GEOPOTENTIAL_TABLE = [
    (0.0, 288.15, 101325.0, 1.2250, 0.005, 0.5, 5e-5),
    (11000.0, 216.65, 22632.06, 0.36392, 0.005, 0.01, 1e-5),
    (20000.0, 216.65, 5474.89, 0.088035, 0.005, 0.01, 1e-6),
    (32000.0, 228.65, 868.019, 0.013225, 0.005, 0.001, 1e-6),
    (47000.0, 270.65, 110.906, 0.0014275, 0.005, 0.001, 1e-7),
]

# (geometric altitude m, T K, p Pa, rho kg/m^3, dT, dp, drho): interior points.
GEOMETRIC_TABLE = [
    (-2000.0, 301.154, 1.2778e5, 1.4782, 0.001, 10.0, 1e-4),
    (1000.0, 281.651, 8.9876e4, 1.1117, 0.001, 1.0, 1e-4),
    (5000.0, 255.676, 5.4048e4, 0.73643, 0.001, 1.0, 1e-5),
    (10000.0, 223.252, 2.6500e4, 0.41351, 0.001, 1.0, 1e-5),
    (15000.0, 216.650, 1.2111e4, 0.19476, 0.001, 1.0, 1e-5),
    (20000.0, 216.650, 5.5293e3, 0.088910, 0.001, 0.1, 1e-6),
    (30000.0, 226.509, 1.1970e3, 0.018410, 0.001, 0.1, 1e-6),
]


@pytest.mark.parametrize(("h", "t_ref", "p_ref", "rho_ref", "dt", "dp", "drho"), GEOPOTENTIAL_TABLE)
def test_layer_boundaries_geopotential(
    h: float, t_ref: float, p_ref: float, rho_ref: float, dt: float, dp: float, drho: float
) -> None:
    t, p, rho = isa_geopotential(h)
    assert abs(t - t_ref) <= dt, (h, t)
    assert abs(p - p_ref) <= dp, (h, p)
    assert abs(rho - rho_ref) <= drho, (h, rho)


@pytest.mark.parametrize(("z", "t_ref", "p_ref", "rho_ref", "dt", "dp", "drho"), GEOMETRIC_TABLE)
def test_geometric_altitude_table(
    z: float, t_ref: float, p_ref: float, rho_ref: float, dt: float, dp: float, drho: float
) -> None:
    t, p, rho = isa(z)
    assert abs(t - t_ref) <= dt, (z, t)
    assert abs(p - p_ref) <= dp, (z, p)
    assert abs(rho - rho_ref) <= drho, (z, rho)


def test_sea_level_and_speed_of_sound() -> None:
    t, p, rho = isa(0.0)
    assert t == pytest.approx(288.15, abs=1e-9)
    assert p == pytest.approx(101325.0, abs=1e-6)
    assert rho == pytest.approx(1.2250, abs=5e-5)
    assert speed_of_sound_mps(t) == pytest.approx(340.294, abs=5e-4)  # table: 340.294 m/s
    # 11 km geopotential (table: 295.070 m/s)
    assert speed_of_sound_mps(isa_geopotential(11000.0)[0]) == pytest.approx(295.070, abs=5e-4)


def test_geopotential_conversion() -> None:
    # Table pairs (rounded to the metre): geometric 15 000 m <-> geopotential 14 965 m,
    # 30 000 m <-> 29 859 m. Confusing the two altitudes would be off by 35 m and 141 m.
    assert geopotential_altitude_m(15000.0) == pytest.approx(14965.0, abs=0.5)
    assert geopotential_altitude_m(30000.0) == pytest.approx(29859.0, abs=0.5)
    assert geopotential_altitude_m(0.0) == 0.0


@pytest.mark.parametrize("z", [-3000.0, 500.0, 4000.0, 10500.0, 11500.0, 18000.0, 25000.0])
def test_hydrostatic_in_geometric_altitude(z: float) -> None:
    """dp/dz = -rho g(z) with g(z) = g0 (r0 / (r0 + z))^2, and p = rho R T (ideal gas).

    An independent physical identity: the tables are built from it, in geometric altitude,
    so it checks the geopotential conversion and every layer's exponent at once.
    """
    g0, r0 = 9.80665, 6356766.0
    dz = 0.5
    _, p_hi, _ = isa(z + dz)
    _, p_lo, _ = isa(z - dz)
    t, p, rho = isa(z)
    dpdz = (p_hi - p_lo) / (2.0 * dz)
    g = g0 * (r0 / (r0 + z)) ** 2
    assert dpdz == pytest.approx(-rho * g, rel=1e-6)
    assert p / (rho * t) == pytest.approx(8.31432 / 0.0289644, rel=1e-12)


def test_continuity_at_layer_boundaries() -> None:
    for h in (11000.0, 20000.0, 32000.0):
        below = isa_geopotential(h - 1e-6)
        above = isa_geopotential(h + 1e-6)
        for a, b in zip(below, above, strict=True):
            assert a == pytest.approx(b, rel=1e-8)
    # the lapse above 20 km is +1 K/km, above 32 km +2.8 K/km (geopotential)
    assert isa_geopotential(26000.0)[0] == pytest.approx(216.65 + 6.0, abs=1e-9)
    assert isa_geopotential(40000.0)[0] == pytest.approx(228.65 + 8.0 * 2.8, abs=1e-9)
    assert math.isfinite(isa(0.0)[2])


def test_isa_arrays_is_isa_at_every_altitude() -> None:
    import numpy as np

    from longwing.geo.atmosphere import isa_arrays

    alt = np.array([-400.0, 0.0, 60.0, 5_000.0, 11_000.0, 15_000.0, 30_000.0])
    t_k, p_pa, rho = isa_arrays(alt)
    for i, h in enumerate(alt):
        assert (t_k[i], p_pa[i], rho[i]) == isa(float(h))
