"""A batch's results from its rows: P(success) with its 95 % Wilson interval, end-state
counts, fuel-reserve and landing-error percentiles, CEP50/CEP95, cross-track percentiles,
failure modes ranked, landing ellipses, the sensitivity of fuel left and success to the
dispersed inputs (:mod:`longwing.batch.sensitivity`) (docs/batch.md). Computed from
``runs.parquet``, the rows a user sees. Pure: no I/O."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pyarrow as pa

from longwing.batch.engine import wilson
from longwing.batch.sensitivity import batch_sensitivity
from longwing.batch.sensitivity import src as src  # re-exported (it lived here)

PERCENTILES = (5, 25, 50, 75, 95)


def _pct(values: np.ndarray) -> dict[str, float] | None:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    return {f"p{p}": float(np.percentile(v, p)) for p in PERCENTILES}


def _mode(why: str) -> str:
    """A failure mode from one reason of ``judge``."""
    if why.startswith("end state "):
        return why
    if why.startswith("landed "):
        return "landed beyond landed_within_m"
    if why.startswith("fuel left "):
        return "fuel below min_fuel_kg"
    return why


def batch_summary(rows: pa.Table, runs_asked: int, scenario=None) -> dict:
    """The summary of the rows (one per finished run); ``scenario`` (a
    :class:`~longwing.batch.scenario.Scenario`) gives the sensitivity its design, seed and
    choice values (without it: a random design, seed 1, text values in sorted order)."""
    n = rows.num_rows
    ok = int(sum(rows.column("success").to_pylist()))
    lo, hi = wilson(ok, n) if n else (math.nan, math.nan)
    states = Counter(rows.column("end_state").to_pylist())
    fuel = rows.column("fuel_remaining_kg").to_numpy()
    err = rows.column("landing_error_m").to_numpy(zero_copy_only=False)
    landed = np.array([s == "landed" for s in rows.column("end_state").to_pylist()])
    xt = rows.column("rms_xtrack_m").to_numpy(zero_copy_only=False)
    whys = Counter(_mode(x) for why in rows.column("why").to_pylist() if why
                   for x in why.split("; "))  # fmt: skip
    land_err = err[landed & np.isfinite(err)]
    return {
        "runs": n, "runs_asked": runs_asked, "successes": ok,
        "p_success": ok / n if n else None, "p_success_ci95": [lo, hi] if n else None,
        "end_states": dict(sorted(states.items())),
        "fuel_remaining_kg": _pct(fuel),
        "landing_error_m": _pct(land_err),
        "cep50_m": float(np.percentile(land_err, 50)) if land_err.size else None,
        "cep95_m": float(np.percentile(land_err, 95)) if land_err.size else None,
        "rms_xtrack_m": _pct(xt),
        "failure_modes": [{"mode": m, "runs": c} for m, c in whys.most_common()],
        "landing_ellipses": landing_ellipses(rows),
        "sensitivity": batch_sensitivity(rows, *_design(scenario)),
    }  # fmt: skip


def landing_ellipses(rows: pa.Table) -> dict | None:
    """The 1-2-3 sigma ellipses of the landed runs' touchdowns about their mean, in the
    landing's frame (along the final approach, across it; m): from the 2 x 2 covariance's
    eigen-decomposition. For a bivariate normal cloud the k-sigma ellipse holds
    1 - exp(-k^2 / 2) of the points (39 %, 86 %, 99 %)."""
    states = rows.column("end_state").to_pylist()
    al = rows.column("landing_along_m").to_numpy(zero_copy_only=False)
    ac = rows.column("landing_across_m").to_numpy(zero_copy_only=False)
    keep = np.array([s == "landed" for s in states]) & np.isfinite(al) & np.isfinite(ac)
    if keep.sum() < 3:
        return None
    xy = np.stack([al[keep], ac[keep]])
    mean = xy.mean(axis=1)
    lam, vec = np.linalg.eigh(np.cov(xy))
    lam = np.clip(lam, 0.0, None)
    major = vec[:, 1]
    angle = math.degrees(math.atan2(major[1], major[0]))  # from the along axis to across
    return {"landed_runs": int(keep.sum()), "mean_along_m": float(mean[0]),
            "mean_across_m": float(mean[1]), "major_axis_deg": angle,
            "ellipses": [{"sigma": k, "semi_major_m": k * math.sqrt(lam[1]),
                          "semi_minor_m": k * math.sqrt(lam[0])} for k in (1, 2, 3)]}  # fmt: skip


def _design(scenario) -> tuple:
    if scenario is None:
        return "random", {}, 1
    return scenario.design, scenario.dispersions, scenario.seed
