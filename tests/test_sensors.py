"""Sensor kernels: exact behaviour with zero noise, noise statistics, bias random walks,
GNSS latency, rates and reproducibility.

Statistical tolerances are ~4-5 standard errors of the estimate (the standard error of a
sample standard deviation from n normals is sigma / sqrt(2 n)), with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from longwing.geo.atmosphere import isa
from longwing.geo.rotation import dcm_to_quat, euler_to_dcm
from longwing.geo.wgs84 import radii_of_curvature
from longwing.sensors.baro import baro_sample, pressure_altitude_m
from longwing.sensors.gnss import (
    gnss_buffer_rows,
    gnss_push,
    gnss_reset,
    gnss_sample,
    new_gnss_buffer,
)
from longwing.sensors.imu import imu_sample
from longwing.sensors.mag import mag_sample
from longwing.sensors.noise import (
    BARO_COLS,
    GNSS_COLS,
    IMU_COLS,
    MAG_COLS,
    N_SENSOR_NOISE,
    PITOT_COLS,
    sensor_noise,
)
from longwing.sensors.params import SensorParams, check_sensor_params
from longwing.sensors.pitot import pitot_sample
from longwing.sensors.rates import rate_divider
from longwing.sensors.state import (
    ACCEL_BIAS,
    BARO_BIAS,
    FAULT_SLICE,
    GYRO_BIAS,
    MAG_BIAS,
    SENSOR_STATE_SIZE,
    new_sensor_state,
)

QUIET = SensorParams(
    gyro_noise_density_radps_rthz=0.0,
    gyro_bias_rw_radps_rts=0.0,
    gyro_bias_init_sigma_radps=0.0,
    accel_noise_density_mps2_rthz=0.0,
    accel_bias_rw_mps2_rts=0.0,
    accel_bias_init_sigma_mps2=0.0,
    gnss_pos_sigma_h_m=0.0,
    gnss_pos_sigma_v_m=0.0,
    gnss_vel_sigma_mps=0.0,
    baro_noise_m=0.0,
    baro_bias_drift_m_rts=0.0,
    baro_bias_init_sigma_m=0.0,
    pitot_noise_mps=0.0,
    mag_noise_gauss=0.0,
    mag_bias_sigma_gauss=0.0,
)

# ---------------------------------------------------------------------------------------------
# compiled drivers


@njit
def _imu_series(
    s: np.ndarray, noise: np.ndarray, p: SensorParams, dt: float, truth: np.ndarray
) -> np.ndarray:
    """IMU outputs (n, 6) for constant truth (6,) over noise (n, 12)."""
    n = noise.shape[0]
    out = np.empty((n, 6))
    for k in range(n):
        out[k] = imu_sample(
            s, noise[k], truth[0], truth[1], truth[2], truth[3], truth[4], truth[5], p, dt
        )
    return out


@njit
def _bias_paths(s: np.ndarray, noise: np.ndarray, p: SensorParams, dt: float) -> np.ndarray:
    """Gyro + accel bias (n, 6) after each of n IMU samples."""
    n = noise.shape[0]
    out = np.empty((n, 6))
    for k in range(n):
        imu_sample(s, noise[k], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, p, dt)
        for i in range(3):
            out[k, i] = s[GYRO_BIAS + i]
            out[k, 3 + i] = s[ACCEL_BIAS + i]
    return out


@njit
def _gnss_fixed(
    buf: np.ndarray, noise: np.ndarray, p: SensorParams, truth: np.ndarray
) -> np.ndarray:
    """GNSS fixes (n, 7) of a stationary truth pushed at 120 Hz, one fix per noise row."""
    n = noise.shape[0]
    out = np.empty((n, 7))
    dt = 1.0 / 120.0
    for k in range(n):
        t = k * dt
        gnss_push(buf, t, truth[0], truth[1], truth[2], truth[3], truth[4], truth[5])
        valid, lat, lon, alt, vn, ve, vd = gnss_sample(buf, t, noise[k], p)
        out[k, 0] = 1.0 if valid else 0.0
        out[k, 1] = lat
        out[k, 2] = lon
        out[k, 3] = alt
        out[k, 4] = vn
        out[k, 5] = ve
        out[k, 6] = vd
    return out


@njit
def _baro_series(s: np.ndarray, noise: np.ndarray, alt_m: float, p: SensorParams, dt: float):
    n = noise.shape[0]
    out = np.empty(n)
    for k in range(n):
        out[k] = baro_sample(s, noise[k], alt_m, p, dt)
    return out


@njit
def _flight(
    s: np.ndarray,
    buf: np.ndarray,
    noise: np.ndarray,
    p: SensorParams,
    dt: float,
    div_gnss: int,
    div_baro: int,
    div_pitot: int,
    div_mag: int,
) -> np.ndarray:
    """All sensors on a simple climbing, turning track, at their rates (NaN when not sampled)."""
    n = noise.shape[0]
    out = np.full((n, 18), np.nan)
    for k in range(n):
        t = k * dt
        lat = 0.8 + 1e-6 * t
        lon = 0.2 + 2e-6 * t
        alt = 500.0 + 2.0 * t
        out[k, 0:6] = imu_sample(
            s, noise[k, 0:12], 0.01, 0.02 * math.sin(t), 0.1, 0.5, 0.0, -9.8, p, dt
        )
        gnss_push(buf, t, lat, lon, alt, 20.0, 5.0, -2.0)
        if k % div_gnss == 0:
            valid, la, lo, al, vn, ve, vd = gnss_sample(buf, t, noise[k, 12:18], p)
            if valid:
                out[k, 6] = la
                out[k, 7] = lo
                out[k, 8] = al
                out[k, 9] = vn
        if k % div_baro == 0:
            out[k, 10] = baro_sample(s, noise[k, 18:20], alt, p, div_baro * dt)
        if k % div_pitot == 0:
            _, _, rho = isa(alt)
            out[k, 11] = pitot_sample(s, noise[k, 20:21], 25.0, rho, out[k - k % div_baro, 10], p)
        if k % div_mag == 0:
            c = 0.5 * t
            out[k, 12:15] = mag_sample(
                s, noise[k, 21:24], math.cos(c), 0.0, 0.0, math.sin(c), 0.2, 0.01, 0.45, p
            )
    return out


# ---------------------------------------------------------------------------------------------
# parameters, state, noise layout, rates


def test_default_params_are_valid_and_rates_divide_common_loops() -> None:
    p = check_sensor_params(SensorParams())
    for imu_hz in (50.0, 100.0, 120.0, 200.0):  # autopilot loops
        for hz in (p.gnss_rate_hz, p.baro_rate_hz, p.pitot_rate_hz, p.mag_rate_hz):
            div = rate_divider(imu_hz, hz)
            assert imu_hz / div == pytest.approx(hz)


@pytest.mark.parametrize(
    "bad",
    [{"gyro_noise_density_radps_rthz": -1e-4}, {"gnss_rate_hz": 0.0}, {"mag_rate_hz": 500.0},
     {"baro_noise_m": math.nan}],
)  # fmt: skip
def test_check_sensor_params_rejects(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        check_sensor_params(SensorParams()._replace(**bad))


@pytest.mark.parametrize(
    ("imu_hz", "hz", "div"), [(120.0, 5.0, 24), (120.0, 20.0, 6), (100.0, 10.0, 10),
                              (200.0, 50.0, 4), (120.0, 120.0, 1), (100.0, 33.3, 3)],
)  # fmt: skip
def test_rate_divider(imu_hz: float, hz: float, div: int) -> None:
    assert rate_divider(imu_hz, hz) == div


@pytest.mark.parametrize(("imu_hz", "hz"), [(120.0, 50.0), (100.0, 200.0), (100.0, 0.0),
                                            (0.0, 5.0), (100.0, 30.0)])  # fmt: skip
def test_rate_divider_rejects(imu_hz: float, hz: float) -> None:
    with pytest.raises(ValueError):
        rate_divider(imu_hz, hz)


def test_new_sensor_state_draws_initial_biases() -> None:
    p = SensorParams()
    s = new_sensor_state(np.random.default_rng(5), p)
    n = np.random.default_rng(5).standard_normal(10)
    assert s.shape == (SENSOR_STATE_SIZE,)
    assert np.array_equal(s[GYRO_BIAS : GYRO_BIAS + 3], p.gyro_bias_init_sigma_radps * n[0:3])
    assert np.array_equal(s[ACCEL_BIAS : ACCEL_BIAS + 3], p.accel_bias_init_sigma_mps2 * n[3:6])
    assert s[BARO_BIAS] == p.baro_bias_init_sigma_m * n[6]
    assert np.array_equal(s[MAG_BIAS : MAG_BIAS + 3], p.mag_bias_sigma_gauss * n[7:10])
    assert np.all(s[FAULT_SLICE] == 0.0)
    assert np.all(new_sensor_state(np.random.default_rng(5), QUIET) == 0.0)


def test_noise_layout() -> None:
    cols = [IMU_COLS, GNSS_COLS, BARO_COLS, PITOT_COLS, MAG_COLS]
    widths = [c.stop - c.start for c in cols]
    assert widths == [12, 6, 2, 1, 3]
    assert cols[0].start == 0 and cols[-1].stop == N_SENSOR_NOISE == 24
    assert all(a.stop == b.start for a, b in zip(cols, cols[1:], strict=False))
    z = sensor_noise(np.random.default_rng(1), 1000)
    assert z.shape == (1000, 24)
    assert np.array_equal(z, sensor_noise(np.random.default_rng(1), 1000))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02


# ---------------------------------------------------------------------------------------------
# IMU


def test_imu_zero_noise_is_truth_plus_bias() -> None:
    s = np.zeros(SENSOR_STATE_SIZE)
    s[GYRO_BIAS : GYRO_BIAS + 3] = [0.01, -0.02, 0.03]
    s[ACCEL_BIAS : ACCEL_BIAS + 3] = [0.1, 0.2, -0.3]
    before = s.copy()
    out = imu_sample(s, np.ones(12), 0.5, -0.4, 0.3, 1.0, 2.0, -9.0, QUIET, 0.01)
    assert out == pytest.approx((0.51, -0.42, 0.33, 1.1, 2.2, -9.3), abs=1e-15)
    assert np.array_equal(s, before)  # zero random walk -> bias unchanged


@pytest.mark.parametrize("dt", [1.0 / 100.0, 1.0 / 200.0])
def test_imu_white_noise_std(dt: float) -> None:
    """sigma = density / sqrt(dt); 2e5 samples x 3 axes -> 0.1 % standard error."""
    p = QUIET._replace(gyro_noise_density_radps_rthz=2e-4, accel_noise_density_mps2_rthz=1.5e-3)
    noise = sensor_noise(np.random.default_rng(11), 200_000)[:, IMU_COLS]
    out = _imu_series(np.zeros(SENSOR_STATE_SIZE), noise, p, dt, np.array([0.1, 0, 0, 0, 0, 0.0]))
    gyro = out[:, 0:3] - np.array([0.1, 0.0, 0.0])
    assert np.allclose(gyro.std(axis=0), 2e-4 / math.sqrt(dt), rtol=0.006)
    assert np.allclose(out[:, 3:6].std(axis=0), 1.5e-3 / math.sqrt(dt), rtol=0.006)
    assert np.all(np.abs(gyro.mean(axis=0)) < 5 * 2e-4 / math.sqrt(dt) / math.sqrt(200_000))


def test_imu_angle_random_walk() -> None:
    """Integrated gyro noise over T has sigma N sqrt(T): the density is dt-independent."""
    dens = 3e-4
    p = QUIET._replace(gyro_noise_density_radps_rthz=dens)
    for dt, seed in ((1.0 / 100.0, 1), (1.0 / 200.0, 2)):
        noise = sensor_noise(np.random.default_rng(seed), 400_000)[:, IMU_COLS]
        out = _imu_series(np.zeros(SENSOR_STATE_SIZE), noise, p, dt, np.zeros(6))
        m = round(1.0 / dt)  # 1 s blocks
        angle = out[:, 0:3].reshape(-1, m, 3).sum(axis=1) * dt  # (blocks, 3)
        assert np.allclose(angle.std(axis=0), dens * math.sqrt(1.0), rtol=0.05)


@pytest.mark.parametrize("dt", [1.0 / 100.0, 1.0 / 200.0])
def test_imu_bias_random_walk_grows_as_sqrt_t(dt: float) -> None:
    """Ensemble of 1500 seeds: the bias after t has sigma K sqrt(t), at every t, for any dt;
    increments over disjoint intervals are uncorrelated (a random walk, not a ramp)."""
    kg, ka = 2e-4, 3e-3
    p = QUIET._replace(gyro_bias_rw_radps_rts=kg, accel_bias_rw_mps2_rts=ka)
    n_steps = round(4.0 / dt)
    checks = [round(0.25 / dt) - 1, round(1.0 / dt) - 1, n_steps - 1]  # t = 0.25, 1, 4 s
    paths = []
    for seed in range(1500):
        noise = sensor_noise(np.random.default_rng(1000 + seed), n_steps)[:, IMU_COLS]
        paths.append(_bias_paths(np.zeros(SENSOR_STATE_SIZE), noise, p, dt)[checks])
    b = np.array(paths)  # (seeds, 3 times, 6)
    for j, k in enumerate(checks):
        t = (k + 1) * dt
        assert np.allclose(b[:, j, 0:3].std(axis=0), kg * math.sqrt(t), rtol=0.1)
        assert np.allclose(b[:, j, 3:6].std(axis=0), ka * math.sqrt(t), rtol=0.1)
        pooled = b[:, j, 0:3].std() / (kg * math.sqrt(t))
        assert abs(pooled - 1.0) < 0.05  # 4500 values: 1 % standard error
    inc1 = b[:, 1, 0:3] - b[:, 0, 0:3]
    inc2 = b[:, 2, 0:3] - b[:, 1, 0:3]
    assert abs(np.corrcoef(inc1.ravel(), inc2.ravel())[0, 1]) < 0.06


def test_imu_first_sample_shows_turn_on_bias() -> None:
    p = SensorParams()._replace(
        gyro_noise_density_radps_rthz=0.0, accel_noise_density_mps2_rthz=0.0
    )
    s = new_sensor_state(np.random.default_rng(3), p)
    b0 = s.copy()
    out = imu_sample(s, np.ones(12), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, p, 0.01)
    assert out == pytest.approx(tuple(b0[0:6]), abs=1e-15)
    assert not np.array_equal(s[0:6], b0[0:6])  # then the biases walk


# ---------------------------------------------------------------------------------------------
# GNSS


def test_gnss_buffer_size() -> None:
    p = SensorParams()
    assert gnss_buffer_rows(0.11, 120.0) == 16  # ceil(13.2) + 2
    assert gnss_buffer_rows(0.1, 100.0) == 12  # exactly 10 steps
    assert gnss_buffer_rows(0.0, 100.0) == 2
    assert new_gnss_buffer(p).shape == (17, 7)
    assert new_gnss_buffer(p, 200.0).shape == (1 + 24, 7)  # 0.11 * 200 = 22 steps exactly
    with pytest.raises(ValueError):
        gnss_buffer_rows(-0.1, 100.0)


@pytest.mark.parametrize(("latency_s", "hz"), [(0.1, 100.0), (0.2, 120.0), (0.0, 120.0)])
def test_gnss_latency_whole_steps_reproduces_delayed_truth_exactly(
    latency_s: float, hz: float
) -> None:
    """Arbitrary (random) truth pushed every step; with zero noise the fix at step k is
    exactly the truth pushed at step k - latency/dt."""
    p = QUIET._replace(gnss_latency_s=latency_s)
    buf = new_gnss_buffer(p, hz)
    lag = round(latency_s * hz)
    rng = np.random.default_rng(9)
    truth = np.column_stack(
        [rng.uniform(-1.5, 1.5, 500), rng.uniform(-3.1, 3.1, 500), rng.uniform(0, 5e3, 500),
         rng.normal(0, 30, (500, 3))]
    )  # fmt: skip
    zeros = np.zeros(6)
    for k in range(500):
        t = k / hz
        gnss_push(buf, t, *truth[k])
        valid, *fix = gnss_sample(buf, t, zeros, p)
        assert valid == (k >= lag)
        if valid:
            assert np.allclose(fix, truth[k - lag], rtol=0.0, atol=1e-9), k


def test_gnss_latency_fractional_steps_interpolates_exactly() -> None:
    """Latency 0.11 s at 120 Hz = 13.2 steps. A track linear in time is reproduced at
    t - 0.11 to rounding; random truth gives the 0.8/0.2 blend of the bracketing samples."""
    p = QUIET._replace(gnss_latency_s=0.11)
    hz = 120.0
    buf = new_gnss_buffer(p, hz)
    rate = np.array([1e-5, -2e-5, 3.0, 0.5, -0.25, 0.125])
    start = np.array([0.7, 2.9, 1000.0, 20.0, -5.0, 1.0])
    for k in range(300):
        t = k / hz
        gnss_push(buf, t, *(start + rate * t))
        valid, *fix = gnss_sample(buf, t, np.zeros(6), p)
        assert valid == (k >= 14)
        if valid:
            assert np.allclose(fix, start + rate * (t - 0.11), rtol=0.0, atol=1e-9), k
    gnss_reset(buf)
    assert not gnss_sample(buf, 300 / hz, np.zeros(6), p)[0]
    rng = np.random.default_rng(4)
    truth = rng.normal(0.0, 1.0, (100, 6))
    for k in range(100):
        gnss_push(buf, k / hz, *truth[k])
    valid, *fix = gnss_sample(buf, 99 / hz, np.zeros(6), p)
    assert valid
    # t - 0.11 lies 0.8 of a step after sample 85 (99 - 13.2 = 85.8).
    want = truth[85] + 0.8 * (truth[86] - truth[85])
    assert np.allclose(fix, want, rtol=0.0, atol=1e-12)


def test_gnss_invalid_without_history_or_future_query() -> None:
    p = QUIET._replace(gnss_latency_s=0.05)
    buf = new_gnss_buffer(p, 100.0)
    assert not gnss_sample(buf, 0.0, np.zeros(6), p)[0]  # empty
    for k in range(3):
        gnss_push(buf, k * 0.01, 0.1, 0.1, 10.0, 0.0, 0.0, 0.0)
    assert not gnss_sample(buf, 0.02, np.zeros(6), p)[0]  # t - latency before the first push
    assert gnss_sample(buf, 0.07, np.zeros(6), p)[0]  # t - latency == newest sample
    assert not gnss_sample(buf, 0.08, np.zeros(6), p)[0]  # newer than anything pushed


def test_gnss_interpolates_across_date_line() -> None:
    p = QUIET._replace(gnss_latency_s=0.005)
    buf = new_gnss_buffer(p, 100.0)
    gnss_push(buf, 0.0, 0.3, math.pi - 1e-6, 0.0, 0.0, 0.0, 0.0)
    gnss_push(buf, 0.01, 0.3, -math.pi + 1e-6, 0.0, 0.0, 0.0, 0.0)
    valid, _, lon, *_ = gnss_sample(buf, 0.01, np.zeros(6), p)
    assert valid
    assert abs(abs(lon) - math.pi) < 1e-9  # on the date line, not near Greenwich


def test_gnss_noise_std_in_metres() -> None:
    p = SensorParams()._replace(gnss_latency_s=0.11)
    lat0, lon0, alt0 = math.radians(60.0), math.radians(10.0), 1500.0
    truth = np.array([lat0, lon0, alt0, 10.0, -3.0, 0.5])
    n = 60_000
    noise = sensor_noise(np.random.default_rng(21), n)[:, GNSS_COLS]
    out = _gnss_fixed(new_gnss_buffer(p), noise, p, truth)
    ok = out[:, 0] == 1.0
    assert ok.sum() == n - 14
    m, nr = radii_of_curvature(lat0)
    dn = (out[ok, 1] - lat0) * (m + alt0)
    de = (out[ok, 2] - lon0) * (nr + alt0) * math.cos(lat0)
    rel = 5.0 / math.sqrt(2 * n)  # 5 standard errors
    assert dn.std() == pytest.approx(p.gnss_pos_sigma_h_m, rel=rel)
    assert de.std() == pytest.approx(p.gnss_pos_sigma_h_m, rel=rel)
    assert (out[ok, 3] - alt0).std() == pytest.approx(p.gnss_pos_sigma_v_m, rel=rel)
    for i in range(3):
        assert (out[ok, 4 + i] - truth[3 + i]).std() == pytest.approx(p.gnss_vel_sigma_mps, rel=rel)
    # Each fix uses the noise row of its own step (north noise = column 0 of that row).
    assert np.allclose(dn, p.gnss_pos_sigma_h_m * noise[ok, 0], atol=1e-6)


def test_gnss_noise_past_the_pole_is_reflected() -> None:
    p = SensorParams()._replace(gnss_latency_s=0.0, gnss_pos_sigma_h_m=5.0)
    buf = new_gnss_buffer(p, 100.0)
    gnss_push(buf, 0.0, 0.5 * math.pi - 1e-8, 0.3, 100.0, 0.0, 0.0, 0.0)
    valid, lat, lon, *_ = gnss_sample(buf, 0.0, np.array([3.0, 0.0, 0.0, 0.0, 0.0, 0.0]), p)
    assert valid and lat <= 0.5 * math.pi
    assert lon == pytest.approx(0.3 - math.pi)
    # 15 m north of a point 0.06 m short of the pole lands ~14.9 m down the other side.
    m, _ = radii_of_curvature(0.5 * math.pi)
    assert (0.5 * math.pi - lat) * (m + 100.0) == pytest.approx(15.0 - 1e-8 * (m + 100.0), abs=1e-3)


# ---------------------------------------------------------------------------------------------
# barometer


def test_pressure_altitude_inverts_isa() -> None:
    assert pressure_altitude_m(101325.0) == 0.0
    for h in np.concatenate([np.linspace(-4000.0, 47000.0, 205), [11019.0, 20063.1, 32161.9]]):
        _, p_pa, _ = isa(h)
        assert pressure_altitude_m(p_pa) == pytest.approx(h, abs=1e-6)


def test_baro_zero_noise_equals_truth() -> None:
    s = np.zeros(SENSOR_STATE_SIZE)
    for h in (-300.0, 0.0, 1234.5, 10999.0, 11500.0, 25000.0):
        assert baro_sample(s, np.ones(2), h, QUIET, 0.05) == pytest.approx(h, abs=1e-6)
    s[BARO_BIAS] = 7.5
    assert baro_sample(s, np.ones(2), 800.0, QUIET, 0.05) == pytest.approx(807.5, abs=1e-6)


def test_baro_noise_std_and_bias_drift() -> None:
    p = QUIET._replace(baro_noise_m=0.4)
    n = 100_000
    noise = sensor_noise(np.random.default_rng(31), n)[:, BARO_COLS]
    out = _baro_series(np.zeros(SENSOR_STATE_SIZE), noise, 2000.0, p, 0.05)
    assert (out - 2000.0).std() == pytest.approx(0.4, rel=5.0 / math.sqrt(2 * n))
    assert abs((out - 2000.0).mean()) < 5 * 0.4 / math.sqrt(n)
    # Drift alone: after 400 samples at 20 Hz (20 s) sigma = K sqrt(20 s), over 3000 seeds.
    p = QUIET._replace(baro_bias_drift_m_rts=0.05)
    ends = []
    for seed in range(3000):
        s = np.zeros(SENSOR_STATE_SIZE)
        _baro_series(s, sensor_noise(np.random.default_rng(seed), 400)[:, BARO_COLS], 0.0, p, 0.05)
        ends.append(s[BARO_BIAS])
    assert np.std(ends) == pytest.approx(0.05 * math.sqrt(20.0), rel=5.0 / math.sqrt(2 * 3000))


# ---------------------------------------------------------------------------------------------
# pitot


def test_pitot_zero_noise_and_density() -> None:
    s = np.zeros(SENSOR_STATE_SIZE)
    z = np.zeros(1)
    for alt in (0.0, 1500.0, 4000.0):
        _, _, rho = isa(alt)
        assert pitot_sample(s, z, 27.0, rho, alt, QUIET) == pytest.approx(27.0, rel=1e-14)
    # Baro reading 100 m high -> density too low -> airspeed reads high by sqrt(rho ratio).
    rho_true, rho_100 = isa(1000.0)[2], isa(1100.0)[2]
    got = pitot_sample(s, z, 27.0, rho_true, 1100.0, QUIET)
    assert got == pytest.approx(27.0 * math.sqrt(rho_true / rho_100), rel=1e-14)
    assert got > 27.0


def test_pitot_below_minimum_speed_reads_zero_plus_noise() -> None:
    s = np.zeros(SENSOR_STATE_SIZE)
    rho = isa(0.0)[2]
    assert pitot_sample(s, np.zeros(1), 4.9, rho, 0.0, QUIET) == 0.0
    assert pitot_sample(s, np.zeros(1), 5.1, rho, 0.0, QUIET) == pytest.approx(5.1)
    p = SensorParams()
    noise = np.random.default_rng(2).standard_normal(20_000)
    at_rest = np.array([pitot_sample(s, noise[i : i + 1], 1.0, rho, 0.0, p) for i in range(20_000)])
    assert np.all(at_rest >= 0.0)
    assert np.mean(at_rest == 0.0) == pytest.approx(0.5, abs=0.02)
    # Half-normal mean sigma sqrt(2/pi) / 2 over all samples (zeros included).
    assert at_rest.mean() == pytest.approx(p.pitot_noise_mps / math.sqrt(2 * math.pi), rel=0.05)
    cruise = np.array([pitot_sample(s, noise[i : i + 1], 25.0, rho, 0.0, p) for i in range(20_000)])
    assert cruise.std() == pytest.approx(p.pitot_noise_mps, rel=0.035)
    assert cruise.mean() == pytest.approx(25.0, abs=0.01)


# ---------------------------------------------------------------------------------------------
# magnetometer


def test_mag_body_vector_is_rotated_field() -> None:
    rng = np.random.default_rng(8)
    s = np.zeros(SENSOR_STATE_SIZE)
    b_ned = np.array([0.18, -0.03, 0.42])
    for _ in range(50):
        phi, theta, psi = rng.uniform(-math.pi, math.pi), rng.uniform(-1.5, 1.5), rng.uniform(-3, 3)
        c_nb = euler_to_dcm(phi, theta, psi)
        q = dcm_to_quat(c_nb)
        got = np.array(mag_sample(s, np.ones(3), q[0], q[1], q[2], q[3], *b_ned, QUIET))
        assert np.allclose(got, c_nb.T @ b_ned, rtol=0.0, atol=1e-15)
    # Level, heading east: body x points east, so the field's east part is along +x.
    q = dcm_to_quat(euler_to_dcm(0.0, 0.0, 0.5 * math.pi))
    got = mag_sample(s, np.zeros(3), q[0], q[1], q[2], q[3], *b_ned, QUIET)
    assert got == pytest.approx((-0.03, -0.18, 0.42), abs=1e-15)


def test_mag_bias_and_noise() -> None:
    s = np.zeros(SENSOR_STATE_SIZE)
    s[MAG_BIAS : MAG_BIAS + 3] = [0.01, -0.02, 0.03]
    p = QUIET._replace(mag_noise_gauss=0.004)
    noise = sensor_noise(np.random.default_rng(12), 50_000)[:, MAG_COLS]
    out = np.array(
        [mag_sample(s, noise[k], 1.0, 0.0, 0.0, 0.0, 0.2, 0.0, 0.4, p) for k in range(50_000)]
    )
    err = out - np.array([0.21, -0.02, 0.43])
    assert np.allclose(err.mean(axis=0), 0.0, atol=5 * 0.004 / math.sqrt(50_000))
    assert np.allclose(err.std(axis=0), 0.004, rtol=5.0 / math.sqrt(1e5))


# ---------------------------------------------------------------------------------------------
# all together: reproducibility


def _run(seed: int) -> np.ndarray:
    p = SensorParams()
    rng = np.random.default_rng(seed)
    s = new_sensor_state(rng, p)
    noise = sensor_noise(rng, 1200)
    divs = [rate_divider(120.0, hz) for hz in (p.gnss_rate_hz, p.baro_rate_hz, p.pitot_rate_hz,
                                               p.mag_rate_hz)]  # fmt: skip
    return _flight(s, new_gnss_buffer(p), noise, p, 1.0 / 120.0, *divs)


def test_same_seed_same_measurements() -> None:
    a, b, c = _run(42), _run(42), _run(43)
    assert np.array_equal(a, b, equal_nan=True)
    assert not np.allclose(a[:, 0:6], c[:, 0:6])
    # Rates: GNSS (5 Hz) every 24th step once 14 steps of history exist, baro/pitot/mag
    # (10 Hz) every 12th.
    assert np.flatnonzero(~np.isnan(a[:, 6])).tolist() == list(range(24, 1200, 24))
    assert np.flatnonzero(~np.isnan(a[:, 10])).tolist() == list(range(0, 1200, 12))
    assert np.flatnonzero(~np.isnan(a[:, 12])).tolist() == list(range(0, 1200, 12))
    assert np.all(np.isfinite(a[:, 0:6]))
