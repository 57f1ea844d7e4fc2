"""Navigation EKF robustness: bad samples caught where they enter, the finite-state check,
dead-reckoning bookkeeping and the airspeed-consistency kernels (unit level; the flights
against truth are in test_ekf.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.estimation.ekf import (
    EkfParams,
    airspeed_consistency,
    ekf_dead_reckoning,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_health,
    ekf_init,
    ekf_is_finite,
    ekf_predict,
    ekf_synthetic_airspeed,
    ekf_time_gnss_fused,
    new_ekf,
)
from longwing.estimation.state import (
    ALT,
    CH_BARO,
    CH_GNSS_POS_H,
    CH_GNSS_POS_V,
    CH_GNSS_VEL,
    CH_MAG,
    CH_TAS,
    E_P,
    E_V,
    E_W,
    F_N_FUSED,
    F_N_NONFINITE,
    F_T_NONFINITE,
    LAT,
    LON,
    N_CH,
    N_GNSS_RESETS,
    N_IMU_SKIPPED,
    T_DR_START,
    T_IMU_SKIPPED,
    T_S,
    VD,
    VE,
    VN,
    WE,
    WN,
    channel,
)
from longwing.estimation.wrapper import Ekf
from longwing.geo.gravity import gravity_ned

LAT0, LON0, ALT0 = 0.8, 0.2, 500.0
G = gravity_ned(LAT0, ALT0)[2]
R_EARTH = 6.37e6
FIELD = (0.18, 0.01, 0.42)  # reference field, gauss
DT = 0.01
# a filter started level, heading north at 25 m/s, with the heading known well enough for the
# air data to start at once
PARAMS = EkfParams(init_yaw_rad=0.05)


def flying_filter(params: EkfParams = PARAMS) -> tuple[np.ndarray, np.ndarray]:
    xk, P = new_ekf(params)
    ekf_init(xk, P, LAT0, LON0, ALT0, 25.0, 0.0, 0.0, 0.0, 0.0, 0.0, params)
    return xk, P


# the sensor events of one step of a short flight: (kernel, step period)
EVENTS = (("predict", 1), ("gnss", 20), ("baro", 5), ("airspeed", 5), ("mag", 5))


def event_args(kind: str, xk: np.ndarray, k: int) -> list:
    """Arguments (measurements) of sensor event ``kind`` at step ``k``: a steady, nearly
    consistent flight north with small perturbations so every fusion really corrects."""
    wiggle = math.sin(0.37 * k)
    if kind == "predict":
        return [np.array([1e-4 * wiggle, 2e-4, -1e-4]), np.array([0.05 * wiggle, 0.02, -G]), DT]
    if kind == "gnss":
        return [xk[LAT] + 1.0 / R_EARTH, xk[LON] - 0.5 / R_EARTH, xk[ALT] + 0.7,
                25.0 + 0.05 * wiggle, 0.03, -0.02]  # fmt: skip
    if kind == "baro":
        return [xk[ALT] + 30.0 + 0.2 * wiggle]
    if kind == "airspeed":
        return [25.3 + 0.2 * wiggle]
    return [np.array([FIELD[0] + 0.002 * wiggle, FIELD[1] + 0.003, FIELD[2]]), np.array(FIELD)]


def call(kind: str, xk: np.ndarray, P: np.ndarray, args: list, p: EkfParams) -> None:
    if kind == "predict":
        ekf_predict(xk, P, args[0], args[1], args[2], p)
    elif kind == "gnss":
        ekf_fuse_gnss(xk, P, *args, p)
    elif kind == "baro":
        ekf_fuse_baro(xk, P, args[0], p)
    elif kind == "airspeed":
        ekf_fuse_airspeed(xk, P, args[0], p)
    else:
        ekf_fuse_mag(xk, P, args[0], args[1], p)


def run(
    n_steps: int,
    bad: tuple[str, int, int, float] | None = None,
    skip: tuple[str, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fly ``n_steps``; ``bad`` = (kind, step, argument position, value) replaces one input of
    one event; ``skip`` = (kind, step) leaves that event out."""
    xk, P = flying_filter()
    for k in range(n_steps):
        for kind, every in EVENTS:
            if k % every:
                continue
            if skip is not None and (kind, k) == skip:
                continue
            args = event_args(kind, xk, k)
            if bad is not None and (kind, k) == bad[:2]:
                pos, value = bad[2], bad[3]
                if kind in ("predict", "mag") and pos < 6:
                    arr, i = pos // 3, pos % 3
                    args[arr] = args[arr].copy()
                    args[arr][i] = value
                else:
                    args[2 if kind == "predict" else pos] = value
            call(kind, xk, P, args, PARAMS)
    return xk, P


# (kernel, argument position, channel whose non-finite counter counts it; -1: the IMU)
# predict: gyro x/y/z (0-2), accel x/y/z (3-5), dt (6); mag: reading (0-2), field (3-5)
CASES = (
    [("predict", i, -1) for i in range(7)]
    + [("gnss", i, ch) for i, ch in enumerate(
        (CH_GNSS_POS_H, CH_GNSS_POS_H, CH_GNSS_POS_V, CH_GNSS_VEL, CH_GNSS_VEL, CH_GNSS_VEL))]
    + [("baro", 0, CH_BARO), ("airspeed", 0, CH_TAS)]
    + [("mag", i, CH_MAG) for i in range(6)]
)  # fmt: skip
BAD_STEP = 100  # every event occurs at this step (a multiple of 20)
N_STEPS = 300


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("kind", "pos", "ch"), CASES)
def test_nonfinite_input_is_dropped_where_it_enters(
    kind: str, pos: int, ch: int, value: float
) -> None:
    """Each input of each kernel, made NaN/inf at one step: the filter ends exactly where a
    run without that sample ends (for the IMU: without that prediction), and counts it."""
    xk_bad, P_bad = run(N_STEPS, bad=(kind, BAD_STEP, pos, value))
    xk_ref, P_ref = run(N_STEPS, skip=(kind, BAD_STEP))
    assert ekf_is_finite(xk_bad, P_bad) and np.all(np.isfinite(P_bad))
    # (not vacuous: the good sample at that step does change the outcome)
    _, P_good = run(N_STEPS)
    assert not np.array_equal(P_good, P_ref)
    assert np.array_equal(P_bad, P_ref)
    # the filter time at the event (fusions follow the step's prediction)
    t_bad = (BAD_STEP + (0 if kind == "predict" else 1)) * DT
    if ch < 0:
        counters = (N_IMU_SKIPPED, T_IMU_SKIPPED)
    else:
        counters = (channel(ch, F_N_NONFINITE), channel(ch, F_T_NONFINITE))
    assert xk_bad[counters[0]] == 1.0
    assert xk_bad[counters[1]] == pytest.approx(t_bad)
    assert xk_ref[counters[0]] == 0.0
    others = np.ones(xk_bad.size, bool)
    others[list(counters)] = False
    assert np.array_equal(xk_bad[others], xk_ref[others])
    # the fusions really were in use, and the health record reports the drop
    assert xk_ref[channel(CH_TAS, F_N_FUSED)] > 30 and xk_ref[channel(CH_MAG, F_N_FUSED)] > 30
    h = ekf_health(xk_bad, P_bad, PARAMS)
    assert h[0]  # healthy
    assert (h[10], h[11]) == ((1, 0) if ch < 0 else (0, 1))


def test_whole_fix_dropped_and_counted_per_bad_input() -> None:
    """A GNSS fix with a bad height and velocity is dropped whole: the good horizontal
    position is not used either; each bad input's channel counts it."""
    xk, P = run(50)
    xk0, P0 = xk.copy(), P.copy()
    r = ekf_fuse_gnss(xk, P, xk[LAT], xk[LON], math.nan, math.inf, 0.0, 0.0, PARAMS)
    assert r == (0.0, 0.0, 0.0)
    assert np.array_equal(P, P0)
    assert xk[channel(CH_GNSS_POS_H, F_N_NONFINITE)] == 0.0
    assert xk[channel(CH_GNSS_POS_V, F_N_NONFINITE)] == 1.0
    assert xk[channel(CH_GNSS_VEL, F_N_NONFINITE)] == 1.0
    changed = np.flatnonzero(xk != xk0)
    assert set(changed) == {
        channel(ch, f)
        for ch in (CH_GNSS_POS_V, CH_GNSS_VEL)
        for f in (F_N_NONFINITE, F_T_NONFINITE)
    }


@pytest.mark.parametrize(
    ("gyro", "accel", "dt"),
    [
        ((100.0, 0.0, 0.0), (0.0, 0.0, -9.8), DT),  # beyond any gyro's full scale
        ((0.0, 0.0, 0.0), (0.0, -2.0e3, -9.8), DT),  # beyond any accelerometer's
        ((0.0, 0.0, 0.0), (0.0, 0.0, -9.8), 0.0),
        ((0.0, 0.0, 0.0), (0.0, 0.0, -9.8), -DT),
        ((0.0, 0.0, 0.0), (0.0, 0.0, -9.8), 5.0),  # a 5 s "IMU interval"
        ((1e300, 0.0, 0.0), (0.0, 0.0, -9.8), DT),
    ],
)
def test_implausible_imu_sample_skipped(gyro: tuple, accel: tuple, dt: float) -> None:
    xk, P = run(50)
    xk0, P0 = xk.copy(), P.copy()
    ekf_predict(xk, P, np.array(gyro), np.array(accel), dt, PARAMS)
    assert np.array_equal(P, P0)
    assert xk[N_IMU_SKIPPED] == 1.0
    xk0[N_IMU_SKIPPED] = 1.0
    xk0[T_IMU_SKIPPED] = xk[T_S]
    assert np.array_equal(xk, xk0)
    # a plausible sample still passes
    ekf_predict(xk, P, np.array((0.0, 0.0, 0.0)), np.array((0.0, 0.0, -9.8)), DT, PARAMS)
    assert xk[N_IMU_SKIPPED] == 1.0 and xk[T_S] == pytest.approx(xk0[T_S] + DT)


def test_is_finite() -> None:
    xk, P = run(50)
    assert ekf_is_finite(xk, P)
    for i in (LAT, VN, WE, T_S):
        bad = xk.copy()
        bad[i] = math.nan
        assert not ekf_is_finite(bad, P)
    bad_p = P.copy()
    bad_p[E_V + 1, E_V + 1] = math.inf
    assert not ekf_is_finite(xk, bad_p)
    assert not ekf_health(xk, bad_p, PARAMS)[0]


def test_wrapper_reports_nonfinite_and_dead_reckoning() -> None:
    e = Ekf(PARAMS)
    e.init(LAT0, LON0, ALT0, (25.0, 0.0, 0.0), 0.0, 0.0, 0.0)
    e.predict((math.nan, 0.0, 0.0), (0.0, 0.0, -G), DT)
    e.fuse_baro(math.inf)
    e.fuse_mag((0.2, math.nan, 0.4), FIELD)
    assert e.nonfinite() == {"gnss_pos_h": 0, "gnss_pos_v": 0, "gnss_vel": 0, "baro": 1,
                             "airspeed": 0, "mag": 1, "sideslip": 0, "imu": 1}  # fmt: skip
    h = e.health()
    assert h.healthy and h.n_imu_skipped == 1 and h.n_meas_nonfinite == 2
    assert e.is_finite() and not e.dead_reckoning and not h.wind_initialised
    assert e.time_s == 0.0  # the skipped sample did not advance the filter time
    for _ in range(250):
        e.predict((0.0, 0.0, 0.0), (0.0, 0.0, -G), DT)
    assert e.dead_reckoning and e.health().dead_reckoning  # 2.5 s, never a GNSS fix
    assert e.time_gnss_fused_s == 0.0


# --------------------------------------------------------------------------------------------
# dead reckoning


def fly_for(xk: np.ndarray, P: np.ndarray, k0: int, n: int, gnss: bool, p: EkfParams) -> int:
    """``n`` steps of the short flight from step ``k0`` with or without GNSS; returns k0 + n."""
    for k in range(k0, k0 + n):
        for kind, every in EVENTS:
            if k % every == 0 and (gnss or kind != "gnss"):
                call(kind, xk, P, event_args(kind, xk, k), p)
    return k0 + n


def test_dead_reckoning_flag_and_time() -> None:
    p = PARAMS
    xk, P = flying_filter()
    k = fly_for(xk, P, 0, 1000, True, p)  # 10 s with GNSS
    t_fix = ekf_time_gnss_fused(xk)
    assert t_fix == pytest.approx(9.81)  # the last fix (step 980, after its prediction)
    assert not ekf_dead_reckoning(xk)
    k = fly_for(xk, P, k, 180, False, p)  # 1.99 s since the last fix
    assert not ekf_dead_reckoning(xk)
    k = fly_for(xk, P, k, 3, False, p)
    assert ekf_dead_reckoning(xk)
    assert xk[T_DR_START] == pytest.approx(t_fix + p.dead_reckoning_after_s, abs=0.015)
    assert ekf_time_gnss_fused(xk) == t_fix
    ekf_fuse_gnss(xk, P, *event_args("gnss", xk, k), p)  # a good fix ends it
    assert not ekf_dead_reckoning(xk)
    assert ekf_time_gnss_fused(xk) == xk[T_S]
    # disabled
    p_off = PARAMS._replace(dead_reckoning_after_s=math.inf)
    xk, P = flying_filter(p_off)
    fly_for(xk, P, 0, 1000, False, p_off)
    assert not ekf_dead_reckoning(xk)


def test_wind_frozen_while_dead_reckoning() -> None:
    """Dead reckoning: no wind process noise, and airspeed/sideslip move the velocity but
    neither the wind estimate nor its covariance; with GNSS the same airspeed moves the wind."""
    p = PARAMS
    xk, P = flying_filter()
    k = fly_for(xk, P, 0, 1000, True, p)
    # with GNSS: an airspeed 1 m/s above the prediction moves the wind
    xk1, P1 = xk.copy(), P.copy()
    ekf_fuse_airspeed(xk1, P1, ekf_synthetic_airspeed(xk1) + 1.0, p)
    assert abs(xk1[WN] - xk[WN]) > 1e-3
    # dead reckoning
    k = fly_for(xk, P, k, 300, False, p)
    assert ekf_dead_reckoning(xk)
    w0 = xk[WN : WE + 1].copy()
    pw0 = P[E_W : E_W + 2, E_W : E_W + 2].copy()
    for _ in range(100):
        ekf_predict(xk, P, np.zeros(3), np.array((0.0, 0.0, -G)), DT, p)
    assert np.array_equal(xk[WN : WE + 1], w0)
    assert np.allclose(P[E_W : E_W + 2, E_W : E_W + 2], pw0, rtol=1e-12, atol=0.0)
    v0 = xk[VN : VD + 1].copy()
    ratio = ekf_fuse_airspeed(xk, P, ekf_synthetic_airspeed(xk) + 1.0, p)
    assert 0.0 < ratio < 1.0
    assert np.array_equal(xk[WN : WE + 1], w0)
    assert np.allclose(P[E_W : E_W + 2, E_W : E_W + 2], pw0, rtol=1e-12, atol=0.0)
    # the airspeed pulled the (northbound) velocity up (a little per sample: the gust
    # intensity is still the prior here, see ekf._fuse_air)
    assert xk[VN] - v0[0] > 1e-4
    # the position uncertainty keeps growing
    s0 = P[E_P, E_P]
    fly_for(xk, P, k + 100, 1000, False, p)
    assert P[E_P, E_P] > s0 + 1.0
    # an optional wind random walk while dead reckoning grows the wind covariance (1 s, give
    # or take the deferred covariance prediction's 0.05 s)
    p_rw = PARAMS._replace(dead_reckoning_wind_rw_mps_rts=0.02)
    pw1 = P[E_W, E_W]
    for _ in range(100):
        ekf_predict(xk, P, np.zeros(3), np.array((0.0, 0.0, -G)), DT, p_rw)
    assert P[E_W, E_W] == pytest.approx(pw1 + 0.02**2 * 1.0, abs=0.02**2 * 0.06)


def test_reacquisition_after_outage_resets_at_once_but_a_glitch_does_not() -> None:
    """After an outage the first fix beyond the gate resets the position at once; fixes that
    keep arriving but disagree (a glitch) still need gnss_reset_timeout_s of rejections."""
    p = PARAMS
    off = 2000.0 / R_EARTH  # 2 km north: far beyond any gate here

    def fix(xk: np.ndarray, k: int, dlat: float, dve: float = 0.0) -> tuple[float, float, float]:
        a = event_args("gnss", xk, k)
        a[0] = xk[LAT] + dlat
        a[4] += dve
        return ekf_fuse_gnss(xk, P, *a, p)

    # outage of 3 s, then a fix 2 km away: reset at once
    xk, P = flying_filter()
    k = fly_for(xk, P, 0, 1000, True, p)
    k = fly_for(xk, P, k, 300, False, p)
    lat_fix = xk[LAT] + off
    r = fix(xk, k, off)
    assert r[0] > 1.0
    assert xk[N_GNSS_RESETS] == 1
    # (the fix is taken gnss_delay_s old: the state is moved to it plus 25 m/s x the delay)
    assert xk[LAT] == pytest.approx(lat_fix + 25.0 * p.gnss_delay_s / R_EARTH, abs=0.5 / R_EARTH)
    assert not ekf_dead_reckoning(xk)
    assert P[E_P, E_P] == pytest.approx(p.gnss_pos_h_m**2)

    # a glitch: fixes keep arriving, 2 km and 20 m/s off; dead reckoning starts 2 s after the
    # last fusion, but the reset waits for the 5 s of continuous rejection
    xk, P = flying_filter()
    k = fly_for(xk, P, 0, 1000, True, p)
    dr_seen = False
    resets_at = -1.0
    for _ in range(40):  # 8 s of fixes every 0.2 s, the first at t = 10.2 s
        k = fly_for(xk, P, k, 20, False, p)
        dr_seen = dr_seen or ekf_dead_reckoning(xk)
        r = fix(xk, k, off, 20.0)
        if xk[N_GNSS_RESETS] > 0:
            if resets_at < 0.0:
                resets_at = xk[T_S]
        else:
            assert r[0] > 1.0 and r[2] > 1.0
    assert dr_seen
    t_reset = 10.2 + p.gnss_reset_timeout_s
    assert t_reset - 0.05 < resets_at < t_reset + 0.25
    # only the position glitching: the velocity is still fused, so no dead reckoning
    xk, P = flying_filter()
    k = fly_for(xk, P, 0, 1000, True, p)
    for _ in range(20):
        k = fly_for(xk, P, k, 20, False, p)
        r = fix(xk, k, off)
        assert r[0] > 1.0 and r[2] < 1.0
        assert not ekf_dead_reckoning(xk)


def test_synthetic_airspeed_and_consistency() -> None:
    xk, _ = new_ekf()
    xk[VN], xk[VE], xk[VD] = 20.0, 10.0, 1.0
    xk[WN], xk[WE] = -4.0, 3.0
    # air velocity (24, 7, 1): |.| = sqrt(576 + 49 + 1) = sqrt(626)
    assert ekf_synthetic_airspeed(xk) == pytest.approx(25.019992006393608, abs=1e-12)
    assert airspeed_consistency(xk, 26.0) == pytest.approx(26.0 - 25.019992006393608, abs=1e-12)
    assert airspeed_consistency(xk, 24.0) == pytest.approx(-1.019992006393608, abs=1e-12)
    xk[VN], xk[VE], xk[VD], xk[WN], xk[WE] = 0.0, -8.0, 0.0, 3.0, -4.0  # air (-3, -4, 0)
    assert ekf_synthetic_airspeed(xk) == 5.0
    assert airspeed_consistency(xk, 5.0) == 0.0
    assert math.isnan(airspeed_consistency(xk, math.nan))
    e = Ekf()
    e.xk[:] = xk
    assert e.synthetic_airspeed() == 5.0 and e.airspeed_consistency(7.5) == 2.5


def test_airspeed_consistency_is_the_fused_innovation() -> None:
    """The consistency is the innovation the airspeed fusion forms: a sample equal to the
    synthetic airspeed has test ratio 0; the ratio grows with the square of the offset."""
    xk, P = run(200)
    assert xk[channel(CH_TAS, F_N_FUSED)] > 10
    tas = ekf_synthetic_airspeed(xk)
    assert airspeed_consistency(xk, tas) == 0.0
    ratios = []
    for d in (0.0, 1.0, 2.0):
        xk1, P1 = xk.copy(), P.copy()
        assert airspeed_consistency(xk1, tas + d) == pytest.approx(d, abs=1e-12)
        ratios.append(ekf_fuse_airspeed(xk1, P1, tas + d, PARAMS))
    assert ratios[0] == 0.0
    assert ratios[2] == pytest.approx(4.0 * ratios[1], rel=1e-9)
    assert all(xk[channel(ch, F_N_NONFINITE)] == 0.0 for ch in range(N_CH))
