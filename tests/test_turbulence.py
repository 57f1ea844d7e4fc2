"""Dryden turbulence (MIL-F-8785C): intensities, exact discretisation, sample statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from longwing.physics.turbulence import (
    TURB_STATE_SIZE,
    Turbulence,
    dryden_series,
    dryden_stationary_init,
    dryden_step,
    mil8785c_intensity,
    new_turb_state,
    parse_turbulence,
    turbulence_noise,
)

FT = 0.3048

# ---------------------------------------------------------------------------------------------
# severity parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", Turbulence.NONE),
        ("Light", Turbulence.LIGHT),
        (" MODERATE ", Turbulence.MODERATE),
        ("severe", Turbulence.SEVERE),
        ("0", Turbulence.NONE),
        ("3", Turbulence.SEVERE),
    ],
)
def test_parse_turbulence(text: str, expected: Turbulence) -> None:
    assert parse_turbulence(text) is expected


@pytest.mark.parametrize("text", ["", "heavy", "4", "-1", "light-ish"])
def test_parse_turbulence_errors(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_turbulence(text)
    assert str(info.value) == (
        f"invalid turbulence {text!r}: expected one of none, light, moderate, severe (or 0-3)"
    )


# ---------------------------------------------------------------------------------------------
# MIL-F-8785C intensities and scale lengths, hand-computed.
# Low altitude: k = 0.177 + 0.000823 h_ft; sigma_w = 0.1 W20 (W20 = 15/30/45 kt, 1 kt =
# 1852/3600 m/s); sigma_uv = sigma_w / k^0.4; L_uv = h / k^1.2; L_w = h.
#   h = 100 ft: k = 0.2593, k^0.4 = 0.582804, k^1.2 = 0.197950 -> L_uv = 505.17 ft = 153.9756 m
#   h = 500 ft: k = 0.5885, k^0.4 = 0.808899, k^1.2 = 0.529262 -> L_uv = 944.71 ft = 287.9315 m
# Chart (ft/s): 2000 ft = 1750 + 1/8 of the 1750->3750 interval: light 6.9625, moderate 9.725,
# severe 18.275. 5000 ft = 3750 + 1/3 of 3750->7500: 7.1667, 10.4333, 23.2. 10000 ft =
# 7500 + 1/3 of 7500->15000: 6.0, 9.4, 23.1.
# 1500 ft blend: midway between 0.1 W20 (2.53171/5.06343/7.59514 ft/s) and the 2000 ft chart
# value; L midway between 1000 ft and 1750 ft = 1375 ft = 419.1 m.

LOW_ALT_CASES = [
    # h_ft, severity, sigma_uv (m/s), sigma_w (m/s), L_uv (m), L_w (m)
    (100.0, 1, 1.324063, 0.771667, 153.9756, 30.48),
    (100.0, 2, 2.648127, 1.543333, 153.9756, 30.48),
    (100.0, 3, 3.972190, 2.315000, 153.9756, 30.48),
    (500.0, 1, 0.953962, 0.771667, 287.9315, 152.4),
    (500.0, 2, 1.907924, 1.543333, 287.9315, 152.4),
    (500.0, 3, 2.861887, 2.315000, 287.9315, 152.4),
]


@pytest.mark.parametrize(("h_ft", "sev", "s_uv", "s_w", "l_uv", "l_w"), LOW_ALT_CASES)
def test_intensity_low_altitude(
    h_ft: float, sev: int, s_uv: float, s_w: float, l_uv: float, l_w: float
) -> None:
    got = mil8785c_intensity(h_ft * FT, sev)
    assert got == pytest.approx((s_uv, s_uv, s_w, l_uv, l_uv, l_w), rel=2e-6)


ISOTROPIC_CASES = [
    # h_ft, severity, sigma (m/s), L (m)
    (1500.0, 1, 1.446918, 419.1),
    (1500.0, 2, 2.253757, 419.1),
    (1500.0, 3, 3.942610, 419.1),
    (2000.0, 1, 6.9625 * FT, 533.4),
    (2000.0, 3, 18.275 * FT, 533.4),
    (5000.0, 1, 2.184400, 533.4),
    (5000.0, 2, 3.180080, 533.4),
    (5000.0, 3, 7.071360, 533.4),
    (10000.0, 1, 1.828800, 533.4),
    (10000.0, 2, 2.865120, 533.4),
    (10000.0, 3, 7.040880, 533.4),
    (40000.0, 1, 0.2 * FT, 533.4),  # light curve: 0.4 ft/s at 35000 ft -> 0 at 45000 ft
]


@pytest.mark.parametrize(("h_ft", "sev", "sigma", "scale"), ISOTROPIC_CASES)
def test_intensity_blend_and_chart(h_ft: float, sev: int, sigma: float, scale: float) -> None:
    got = mil8785c_intensity(h_ft * FT, sev)
    assert got == pytest.approx((sigma, sigma, sigma, scale, scale, scale), rel=2e-6)


def test_intensity_continuous_at_region_boundaries() -> None:
    for sev in (1, 2, 3):
        for h_ft in (1000.0, 2000.0):
            below = np.array(mil8785c_intensity((h_ft - 1e-6) * FT, sev))
            above = np.array(mil8785c_intensity((h_ft + 1e-6) * FT, sev))
            np.testing.assert_allclose(below, above, rtol=1e-6)


def test_intensity_clamps_and_none() -> None:
    # below 10 ft (and below ground) the 10 ft values are used
    assert mil8785c_intensity(-5.0, 2) == mil8785c_intensity(10.0 * FT, 2)
    assert mil8785c_intensity(1.0, 2) == mil8785c_intensity(10.0 * FT, 2)
    assert mil8785c_intensity(10.0 * FT, 2)[5] == pytest.approx(3.048)
    # above the chart's last altitude (80000 ft) the last column is held
    assert mil8785c_intensity(30000.0, 3)[0] == pytest.approx(5.1 * FT)
    for h_m in (3.0, 400.0, 3000.0):
        none = mil8785c_intensity(h_m, 0)
        assert none[:3] == (0.0, 0.0, 0.0) and min(none[3:]) > 0.0
    # severity order: stronger everywhere
    for h_m in (10.0, 150.0, 450.0, 1500.0, 6000.0):
        s = [mil8785c_intensity(h_m, sev)[0] for sev in (1, 2, 3)]
        assert s[0] < s[1] < s[2]


def test_intensity_accepts_enum_and_rejects_bad_severity() -> None:
    assert mil8785c_intensity(100.0, Turbulence.SEVERE) == mil8785c_intensity(100.0, 3)
    with pytest.raises(ValueError):
        mil8785c_intensity(100.0, 4)


# ---------------------------------------------------------------------------------------------
# Exactness of the discretisation: impulse responses give the stationary autocovariance of the
# discrete process exactly (gamma_m = sum_j h_j h_(j+m)); compare with the continuous Dryden
# autocorrelations sampled at m dt, for step/correlation-time ratios from 1e-4 to 50.


def r_u(tau_over_t: np.ndarray) -> np.ndarray:
    return np.exp(-tau_over_t)


def r_vw(tau_over_t: np.ndarray) -> np.ndarray:
    # Dryden transverse correlation: Fourier transform of (T/pi)(1+3(T w)^2)/(1+(T w)^2)^2
    return (1.0 - 0.5 * tau_over_t) * np.exp(-tau_over_t)


@pytest.mark.parametrize("theta", [1e-4, 3e-3, 0.05, 0.3, 1.0, 3.0, 50.0])
def test_discrete_autocovariance_is_exact(theta: float) -> None:
    va, scale = 25.0, 100.0
    dt = theta * scale / va
    n = int(40.0 / theta) + 50  # impulse response has decayed below 1e-15
    noise = np.zeros((n, 3))
    noise[0] = 1.0
    h = dryden_series(new_turb_state(), noise, va, 1.0, 1.0, 1.0, scale, scale, scale, dt)
    lags = np.array([0, 1, 2, 5, int(1.0 / theta) + 1, int(2.5 / theta) + 1])
    for ch, model in ((0, r_u), (1, r_vw), (2, r_vw)):
        acov = np.array([np.dot(h[: n - m, ch], h[m:, ch]) for m in lags])
        # rounding over ~4e5 near-unit-root steps leaves ~5e-10; an O(dt) scheme would be off 1e-4
        np.testing.assert_allclose(acov, model(lags * theta), rtol=1e-9, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# Sample statistics with a seeded generator


def sample_acf(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float(np.dot(x[:-lag], x[lag:]) / np.dot(x, x))


def simulate(seed: int, va: float, sig: tuple, scale: float, dt: float, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    state = new_turb_state()
    dryden_stationary_init(state, rng.standard_normal(5), va, scale, scale, scale, dt)
    return dryden_series(state, turbulence_noise(rng, n), va, *sig, scale, scale, scale, dt)


@pytest.mark.parametrize(
    ("va", "scale", "dt", "n"),
    [
        (25.0, 10.0, 0.01, 1_000_000),  # dt = T/40
        (30.0, 15.0, 0.2, 400_000),  # dt = 0.4 T  (> T/5)
        (50.0, 5.0, 1.0, 400_000),  # dt = 10 T
    ],
)
def test_sample_std_matches_sigma(va: float, scale: float, dt: float, n: int) -> None:
    sig = (1.3, 0.9, 2.2)
    y = simulate(7, va, sig, scale, dt, n)
    rel = y.std(axis=0) / np.array(sig) - 1.0
    assert np.all(np.abs(rel) < 0.03), rel
    assert np.all(np.abs(y.mean(axis=0)) < 0.03 * np.array(sig))
    # channels are independent
    c = np.corrcoef(y.T)
    assert np.all(np.abs(c[np.triu_indices(3, 1)]) < 0.02)


def test_autocorrelation_u_exponential_vw_dryden() -> None:
    va, scale, dt = 25.0, 10.0, 0.01  # T = 0.4 s = 40 steps
    y = simulate(11, va, (1.0, 1.0, 1.0), scale, dt, 1_000_000)
    t_steps = scale / va / dt
    for lag in (4, 20, 40, 80, 120):
        tau = lag / t_steps
        assert sample_acf(y[:, 0], lag) == pytest.approx(math.exp(-tau), abs=0.02)
        expected_vw = (1.0 - 0.5 * tau) * math.exp(-tau)
        assert sample_acf(y[:, 1], lag) == pytest.approx(expected_vw, abs=0.02)
        assert sample_acf(y[:, 2], lag) == pytest.approx(expected_vw, abs=0.02)
    # the v/w correlation changes sign beyond tau = 2T (minimum -e^-3/2 = -0.025 at 3T), unlike u
    assert sample_acf(y[:, 1], 120) < -0.01 < 0.03 < sample_acf(y[:, 0], 120)
    assert sample_acf(y[:, 2], 120) < -0.01


def test_autocorrelation_with_coarse_step() -> None:
    va, scale, dt = 30.0, 15.0, 0.2  # theta = 0.4
    y = simulate(5, va, (1.0, 1.0, 1.0), scale, dt, 400_000)
    for lag in (1, 2, 5):
        tau = 0.4 * lag
        assert sample_acf(y[:, 0], lag) == pytest.approx(math.exp(-tau), abs=0.01)
        assert sample_acf(y[:, 2], lag) == pytest.approx((1 - tau / 2) * math.exp(-tau), abs=0.01)


@njit(cache=False)
def _ensemble_var(
    noise0: np.ndarray, noise: np.ndarray, va: float, scale: float, dt: float, stationary: bool
) -> np.ndarray:
    """Variance over independent chains of each channel after 0 and noise.shape[1] steps."""
    n_chains, n_steps = noise.shape[0], noise.shape[1]
    acc = np.zeros((2, 3))
    state = np.zeros(5)
    ug = vg = wg = 0.0
    for c in range(n_chains):
        state[:] = 0.0
        if stationary:
            dryden_stationary_init(state, noise0[c], va, scale, scale, scale, dt)
        acc[0, 0] += state[0] ** 2
        acc[0, 1] += state[1] ** 2
        acc[0, 2] += state[3] ** 2
        for k in range(n_steps):
            ug, vg, wg = dryden_step(state, noise[c, k], va, 1.0, 1.0, 1.0, scale, scale, scale, dt)
        acc[1, 0] += ug**2
        acc[1, 1] += vg**2
        acc[1, 2] += wg**2
    return acc / n_chains


def test_stationary_init_has_no_transient_at_fine_step() -> None:
    # T = 533 m / 20 m/s = 26.7 s, dt = 0.01 s: far too slow to check by time averages, so use
    # 40k independent chains started from the stationary draw and run 50 steps.
    rng = np.random.default_rng(3)
    noise0 = rng.standard_normal((40_000, 5))
    noise = rng.standard_normal((40_000, 50, 3))
    var = _ensemble_var(noise0, noise, 20.0, 533.4, 0.01, True)
    assert np.all(np.abs(var - 1.0) < 0.03), var
    # From a quiescent (zero) state the u variance after t = 0.5 s is 1 - exp(-2t/T) = 0.0368
    # and v, w are also far below 1: the start-up transient is real.
    var0 = _ensemble_var(noise0, noise, 20.0, 533.4, 0.01, False)
    assert var0[0, 0] == 0.0
    assert var0[1, 0] == pytest.approx(1.0 - math.exp(-2.0 * 0.5 * 20.0 / 533.4), abs=0.003)
    assert np.all(var0[1, 1:] < 0.2)


# ---------------------------------------------------------------------------------------------
# Determinism and kernel properties


def test_same_seed_same_series_different_seed_differs() -> None:
    a = simulate(42, 25.0, (1.0, 1.0, 1.0), 50.0, 0.01, 20_000)
    b = simulate(42, 25.0, (1.0, 1.0, 1.0), 50.0, 0.01, 20_000)
    c = simulate(43, 25.0, (1.0, 1.0, 1.0), 50.0, 0.01, 20_000)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert turbulence_noise(np.random.default_rng(1), 10).shape == (10, 3)


def test_output_scales_with_sigma_and_zero_sigma_is_calm() -> None:
    noise = turbulence_noise(np.random.default_rng(9), 500)
    args = (100.0, 80.0, 30.0, 0.02)
    one = dryden_series(new_turb_state(), noise, 22.0, 1.0, 1.0, 1.0, *args)
    two = dryden_series(new_turb_state(), noise, 22.0, 2.0, 3.0, 0.5, *args)
    np.testing.assert_allclose(two, one * np.array([2.0, 3.0, 0.5]), rtol=1e-14)
    zero = dryden_series(new_turb_state(), noise, 22.0, 0.0, 0.0, 0.0, *args)
    assert np.all(zero == 0.0)


def test_state_size_and_low_airspeed_guard() -> None:
    assert TURB_STATE_SIZE == 5 and new_turb_state().shape == (5,)
    noise = np.array([0.3, -1.2, 0.7])
    s0, s1 = new_turb_state(), new_turb_state()
    out0 = dryden_step(s0, noise, 0.0, 1.0, 1.0, 1.0, 50.0, 50.0, 10.0, 0.01)
    out1 = dryden_step(s1, noise, 1.0, 1.0, 1.0, 1.0, 50.0, 50.0, 10.0, 0.01)
    assert all(math.isfinite(v) for v in out0)
    assert out0 == out1
    np.testing.assert_array_equal(s0, s1)


def test_varying_airspeed_keeps_variance() -> None:
    """Coefficients are recomputed every step: a slowly varying V keeps sigma."""

    @njit
    def run(noise: np.ndarray, dt: float) -> np.ndarray:
        state = np.zeros(5)
        out = np.empty((noise.shape[0], 3))
        for k in range(noise.shape[0]):
            va = 25.0 + 10.0 * math.sin(2.0 * math.pi * k * dt / 600.0)
            ug, vg, wg = dryden_step(state, noise[k], va, 1.0, 1.0, 1.0, 10.0, 10.0, 10.0, dt)
            out[k, 0] = ug
            out[k, 1] = vg
            out[k, 2] = wg
        return out

    y = run(turbulence_noise(np.random.default_rng(21), 600_000), 0.01)
    assert np.all(np.abs(y[1000:].std(axis=0) - 1.0) < 0.03)
