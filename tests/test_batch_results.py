"""Batch results from rows (issue 15, item 4): the landing ellipses hold the share of a
bivariate normal cloud the k-sigma ellipse must (1 - exp(-k^2/2)); the standardised
regression coefficients recover known linear effects; summary figures from the rows."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from longwing.batch.results import batch_summary, landing_ellipses, src


def _table(n: int, rng: np.random.Generator, **cols) -> pa.Table:
    base = {"run": np.arange(n), "end_state": ["landed"] * n, "success": [True] * n,
            "why": [""] * n, "fuel_remaining_kg": rng.uniform(1, 2, n),
            "landing_error_m": rng.uniform(0, 50, n), "rms_xtrack_m": rng.uniform(0, 5, n),
            "landing_along_m": rng.normal(0, 1, n),
            "landing_across_m": rng.normal(0, 1, n)}  # fmt: skip
    base.update(cols)
    return pa.table(base)


def test_ellipses_hold_the_normal_shares():
    rng = np.random.default_rng(1)
    n = 20_000
    angle = math.radians(30.0)
    u, v = rng.normal(0, 40.0, n), rng.normal(0, 10.0, n)  # 40 m along the major axis
    along = 5.0 + u * math.cos(angle) - v * math.sin(angle)
    across = -2.0 + u * math.sin(angle) + v * math.cos(angle)
    e = landing_ellipses(_table(n, rng, landing_along_m=along, landing_across_m=across))
    assert e["mean_along_m"] == pytest.approx(5.0, abs=1.0)
    assert abs((e["major_axis_deg"] - 30.0 + 90.0) % 180.0 - 90.0) < 1.0
    a1, b1 = e["ellipses"][0]["semi_major_m"], e["ellipses"][0]["semi_minor_m"]
    assert a1 == pytest.approx(40.0, rel=0.02) and b1 == pytest.approx(10.0, rel=0.02)
    for k in (1, 2, 3):
        ell = e["ellipses"][k - 1]
        x, y = along - e["mean_along_m"], across - e["mean_across_m"]
        t = math.radians(e["major_axis_deg"])
        p = (x * math.cos(t) + y * math.sin(t)) / ell["semi_major_m"]
        q = (-x * math.sin(t) + y * math.cos(t)) / ell["semi_minor_m"]
        share = np.mean(p * p + q * q <= 1.0)
        assert share == pytest.approx(1 - math.exp(-k * k / 2), abs=0.01), k


def test_src_recovers_linear_effects():
    rng = np.random.default_rng(2)
    n = 2000
    x1, x2, x3 = rng.normal(8, 2, n), rng.uniform(0.9, 1.1, n), rng.normal(0, 1, n)
    y = 3.0 * (x1 - 8) / 2 - 1.0 * (x2 - 1.0) / 0.0577 + rng.normal(0, 0.1, n)
    t = _table(n, rng, fuel_remaining_kg=y, in_wind_speed_mps=x1, in_bsfc_scale=x2,
               in_drag_scale=x3, in_fuel_kg=np.full(n, 4.0))  # fmt: skip
    out = src(t, "fuel_remaining_kg")
    names = [i["input"] for i in out["inputs"]]
    assert names[:2] == ["wind_speed_mps", "bsfc_scale"] and "fuel_kg" not in names
    b = {i["input"]: i["src"] for i in out["inputs"]}
    total = math.sqrt(3.0**2 + 1.0**2)
    assert b["wind_speed_mps"] == pytest.approx(3.0 / total, abs=0.02)
    assert b["bsfc_scale"] == pytest.approx(-1.0 / total, abs=0.02)
    assert abs(b["drag_scale"]) < 0.03 and out["r2"] > 0.99


def test_summary_counts_and_percentiles():
    rng = np.random.default_rng(3)
    t = _table(10, rng, end_state=["landed"] * 8 + ["crashed"] * 2,
               success=[True] * 7 + [False] * 3,
               why=[""] * 7 + ["landed 150 m from the point (> 100 m)", "end state crashed",
                               "end state crashed; fuel left 0.100 kg < 0.2"])  # fmt: skip
    s = batch_summary(t, 10)
    assert (s["runs"], s["successes"], s["p_success"]) == (10, 7, 0.7)
    assert s["end_states"] == {"crashed": 2, "landed": 8}
    assert s["failure_modes"][0] == {"mode": "end state crashed", "runs": 2}
    fuel = t.column("fuel_remaining_kg").to_numpy()
    assert s["fuel_remaining_kg"]["p50"] == pytest.approx(np.percentile(fuel, 50))
    err = t.column("landing_error_m").to_numpy()[:8]
    assert s["cep50_m"] == pytest.approx(np.percentile(err, 50))
