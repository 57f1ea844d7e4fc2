"""A batch's results from its rows: P(success) with its 95 % Wilson interval, end-state
counts, fuel-reserve and landing-error percentiles, CEP50/CEP95, cross-track percentiles,
failure modes ranked (docs/batch.md). Computed from ``runs.parquet``, the rows a user sees.
Pure: no I/O."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pyarrow as pa

from longwing.batch.engine import wilson

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


def batch_summary(rows: pa.Table, runs_asked: int) -> dict:
    """The summary of the rows (one per finished run)."""
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
    }  # fmt: skip
