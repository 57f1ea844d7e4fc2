"""TECS alone (pure kernel checks) and flying the nonlinear Aerosonde through the attitude
loops (the closed-loop harness of tests/test_attitude.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_attitude import (
    CLIMB,
    MODE_TECS,
    PHI,
    TAS,
    THR,
    UNDERSPEED,
    H,
    T,
    run,
    start,
)

from longwing.control.params import build_params
from longwing.control.tecs import (
    HDEM_RATE_LTD,
    HGT_DEM,
    INTEG_SEB,
    INTEG_THR,
    SKE_WEIGHT,
    TAS_DEM,
    TAS_STATE,
    new_tecs_state,
    tecs_reset,
    tecs_update,
)
from longwing.geo.atmosphere import isa
from longwing.geo.constants import G0_MPS2

DT = 0.01
ALT0 = 1000.0
EAS2TAS = math.sqrt(1.225 / isa(ALT0)[2])
THETA0 = math.radians(4.76)
THR0 = 0.39


def tp(**overrides):
    return build_params(overrides or None).tecs


def steady(p, n, state, hgt_dem=ALT0, eas_dem=25.0 / EAS2TAS, hgt=ALT0, tas=25.0, phi=0.0,
           climb=0.0):  # fmt: skip
    """n updates with constant measurements (no acceleration along the path)."""
    out = None
    for _ in range(n):
        out = tecs_update(state, p, DT, hgt_dem, eas_dem, hgt, climb, tas, EAS2TAS,
                          G0_MPS2 * math.sin(THETA0), THETA0, phi)  # fmt: skip
    return out


# --- the kernel alone ------------------------------------------------------------------


def test_reset_is_an_equilibrium():
    p = tp()
    st = new_tecs_state()
    tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
    pitch, thr, under = steady(p, 1000, st)
    assert pitch == pytest.approx(THETA0, abs=1e-9)
    assert thr == pytest.approx(THR0, abs=1e-9)
    assert not under


def test_height_demand_is_rate_limited():
    p = tp()
    st = new_tecs_state()
    tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
    prev = st[HDEM_RATE_LTD]
    for _ in range(200):
        steady(p, 1, st, hgt_dem=ALT0 + 100.0)
        assert st[HDEM_RATE_LTD] - prev <= p.climb_max_mps * DT + 1e-9
        prev = st[HDEM_RATE_LTD]
    assert st[HGT_DEM] < st[HDEM_RATE_LTD] < ALT0 + 100.0  # lagged, still climbing
    st = new_tecs_state()
    tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
    steady(p, 100, st, hgt_dem=ALT0 - 100.0)
    assert st[HDEM_RATE_LTD] == pytest.approx(ALT0 - p.sink_max_mps * 1.0, abs=1e-6)


def test_underspeed_protection():
    """Below 0.9 AIRSPEED_MIN: speed weight 2, demand at the minimum, throttle at THR_MAX."""
    p = tp(THR_MAX=90.0)
    st = new_tecs_state()
    tecs_reset(st, p, ALT0, 17.0, THETA0, THR0)
    pitch, thr, under = steady(p, 2, st, tas=17.0)  # detected in step 1, applied from 2
    assert under
    assert thr == pytest.approx(0.9)
    assert st[SKE_WEIGHT] == 2.0
    assert st[TAS_DEM] == pytest.approx(20.0 * EAS2TAS)
    # pitch flies speed only: a height error (100 m low) does not raise the nose
    st2 = new_tecs_state()
    tecs_reset(st2, p, ALT0, 17.0, THETA0, THR0)
    pitch_low, _, _ = steady(p, 2, st2, tas=17.0, hgt=ALT0 - 100.0)
    assert pitch_low == pytest.approx(pitch, abs=1e-12)
    # recovered speed at the demanded height: protection ends
    for _ in range(300):
        _, _, under = steady(p, 1, st, tas=25.0)
    assert not under


@pytest.mark.parametrize("weight", [0.0, 2.0])
def test_speed_weighting(weight):
    """SPDWEIGHT 0: pitch ignores airspeed errors; 2: pitch ignores height errors (1 s of
    a constant 2 m/s airspeed or 20 m height error)."""
    p = tp(TECS_SPDWEIGHT=weight)

    def pitch_after_1s(**kw):
        st = new_tecs_state()
        tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
        return steady(p, 100, st, **kw)[0], st[TAS_STATE]

    base, _ = pitch_after_1s()
    assert base == pytest.approx(THETA0, abs=1e-12)
    fast, tas_filtered = pitch_after_1s(tas=27.0)
    low, _ = pitch_after_1s(hgt=ALT0 - 20.0)
    if weight == 0.0:  # only pitch = (energy-balance rate) / (V g) scales with V
        assert fast == pytest.approx(base * 25.0 / tas_filtered, rel=1e-9)
        assert low > base + 0.05
    else:
        assert low == pytest.approx(base, abs=1e-12)
        assert fast > base + 0.05  # too fast: nose up


def test_bank_adds_throttle():
    """RLL2THR feed-forward: 45 deg of bank adds RLL2THR over the energy-rate span."""
    p = tp(THR_SLEWRATE=0.0)
    thr = []
    for phi in (0.0, math.radians(45.0)):
        st = new_tecs_state()
        tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
        thr.append(steady(p, 1, st, phi=phi)[1])
    span = (p.climb_max_mps + p.sink_min_mps) * G0_MPS2
    assert thr[1] - thr[0] == pytest.approx(p.rll2thr / span, rel=1e-6)


def test_integrators_are_bounded():
    """A height error that cannot be flown (measurements frozen 500 m low) for 10 min: the
    throttle integrator stays within half the throttle range, the pitch one within 5 deg of
    the pitch limits, the outputs within their limits."""
    p = tp()
    st = new_tecs_state()
    tecs_reset(st, p, ALT0, 25.0, THETA0, THR0)
    for _ in range(60000):
        pitch, thr, _ = steady(p, 1, st, hgt_dem=ALT0 + 500.0)
        assert p.pitch_min_rad <= pitch <= p.pitch_max_rad
        assert p.thr_min <= thr <= p.thr_max
    assert abs(st[INTEG_THR]) <= 0.5 * (p.thr_max - p.thr_min) + 1e-12
    gain_inv = st[TAS_STATE] * G0_MPS2
    assert st[INTEG_SEB] / gain_inv <= p.pitch_max_rad + math.radians(5.0) + 1e-9


# --- flying the Aerosonde --------------------------------------------------------------


def eas(tas_mps: float) -> float:
    return tas_mps / EAS2TAS


def test_climb_100m():
    """+100 m at 25 m/s: climb rate <= TECS_CLMB_MAX, airspeed within 2 m/s, converged.
    Measured: peak climb 2.44 m/s (limit 2.5), airspeed 24.4-25.7 m/s, overshoot 2.2 m,
    within 0.5 m of the demand 65 s after the step."""
    p = build_params().tecs
    log = run(start(alt=ALT0), 150.0, mode=MODE_TECS, eas_dem=eas(25.0),
              hgt_dem=lambda t: ALT0 + 100.0 if t >= 1.0 else ALT0)  # fmt: skip
    print(
        f"climb: max rate {log[:, CLIMB].max():.3f} m/s, airspeed "
        f"[{log[:, TAS].min():.2f}, {log[:, TAS].max():.2f}], max h {log[:, H].max():.2f}"
    )
    assert log[:, CLIMB].max() <= p.climb_max_mps
    assert log[:, CLIMB].max() > 0.9 * p.climb_max_mps  # and it does climb at the limit
    assert np.abs(log[:, TAS] - 25.0).max() < 2.0
    assert log[:, H].max() < ALT0 + 105.0
    late = log[:, T] > 80.0
    assert np.abs(log[late, H] - (ALT0 + 100.0)).max() < 0.5
    # same EAS higher up: TAS rises by the density ratio
    assert log[-1, TAS] == pytest.approx(25.0 * math.sqrt(isa(ALT0)[2] / isa(ALT0 + 100)[2]),
                                         abs=0.05)  # fmt: skip


def test_descent_100m():
    p = build_params().tecs
    log = run(start(alt=ALT0), 150.0, mode=MODE_TECS, eas_dem=eas(25.0),
              hgt_dem=lambda t: ALT0 - 100.0 if t >= 1.0 else ALT0)  # fmt: skip
    assert log[:, CLIMB].min() >= -p.sink_max_mps
    assert np.abs(log[:, TAS] - 25.0).max() < 2.0
    assert np.abs(log[log[:, T] > 100.0, H] - (ALT0 - 100.0)).max() < 0.5


def test_airspeed_step_25_to_30():
    """Measured: 30 +/- 0.5 m/s 10.6 s after the step, 0.46 m/s overshoot, height -2.3/+0.6 m."""
    log = run(start(alt=ALT0), 90.0, mode=MODE_TECS, hgt_dem=ALT0,
              eas_dem=lambda t: eas(30.0 if t >= 1.0 else 25.0))  # fmt: skip
    t, v = log[:, T], log[:, TAS]
    outside = (t > 1.0) & (np.abs(v - 30.0) > 0.5)
    print(
        f"speed step: within 0.5 m/s after {t[outside][-1] - 1.0:.1f} s, overshoot "
        f"{v.max() - 30:.2f}, height [{log[:, H].min():.2f}, {log[:, H].max():.2f}]"
    )
    assert t[outside][-1] < 30.0
    assert v.max() < 31.0
    assert np.abs(log[:, H] - ALT0).max() < 5.0
    assert abs(v[-1] - 30.0) < 0.05


def test_underspeed_recovery():
    """Start trimmed at 20 m/s TAS (19 m/s EAS) with AIRSPEED_MIN = 23 m/s: protection on,
    full throttle, the nose lowered for speed; back above the minimum within 10 s with
    under 10 m of height lost, protection off, then cruise at the demand.
    Measured: 4.2 s of protection, height within -1.8/+1.4 m."""
    log = run(start(airspeed=20.0, alt=ALT0, overrides={"AIRSPEED_MIN": 23.0}), 60.0,
              mode=MODE_TECS, hgt_dem=ALT0, eas_dem=eas(25.0))  # fmt: skip
    t = log[:, T]
    under = log[:, UNDERSPEED] > 0
    assert under[0]
    assert not under[t > 10.0].any()
    # throttle slews (2 /s) to full while protected
    assert np.all(log[under & (t > 0.5), THR] > 0.99)
    recovered = t[log[:, TAS] / EAS2TAS > 23.0][0]
    print(
        f"underspeed: {under.sum() * (t[1] - t[0]):.1f} s protected, above minimum at "
        f"{recovered:.1f} s, height [{log[:, H].min():.1f}, {log[:, H].max():.1f}]"
    )
    assert recovered < 10.0
    assert log[:, H].min() > ALT0 - 10.0
    late = t > 40.0
    assert np.abs(log[late, H] - ALT0).max() < 0.5
    assert np.abs(log[late, TAS] - 25.0).max() < 0.1


def test_level_turn_holds_height_and_speed():
    """A 30 deg banked turn flown by TECS: height within 2 m, airspeed within 0.5 m/s."""
    log = run(start(alt=ALT0), 60.0, mode=MODE_TECS, hgt_dem=ALT0, eas_dem=eas(25.0),
              roll_cmd=lambda t: math.radians(30.0) if t >= 1.0 else 0.0)  # fmt: skip
    assert np.degrees(log[-1, PHI]) == pytest.approx(30.0, abs=0.5)
    print(
        f"turn: height [{log[:, H].min():.2f}, {log[:, H].max():.2f}], airspeed "
        f"[{log[:, TAS].min():.2f}, {log[:, TAS].max():.2f}]"
    )
    assert np.abs(log[:, H] - ALT0).max() < 2.0
    assert np.abs(log[:, TAS] - 25.0).max() < 0.5
