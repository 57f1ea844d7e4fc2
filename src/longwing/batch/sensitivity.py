"""Which dispersed inputs drive a batch's fuel left and its success: variance-based indices
with SALib, and standardised regression coefficients for the sign (docs/batch.md).

* Given data (every batch): SALib's ``delta.analyze`` on the rows, one input at a time:
  Borgonovo's moment-independent ``delta`` (Plischke, Borgonovo & Smith 2013; SALib's
  ``delta_raw``: bootstrap on the sample as drawn) and the first-order Sobol index ``S1``
  (the variance of the output's mean over classes of the input's ranks, over the output's
  variance), each with its 95 % bootstrap half-width. The inputs: every ``in_*`` column that
  varies (numbers and yes/no; a ``choice`` of non-numbers, e.g. turbulence, as the index of
  its value in the scenario's ``values`` list; the fault onset times ``in_*_t_s`` are left
  out, being defined only when the fault happens).
* Saltelli design (``[run] design = "sobol"``): the runs are the rows of SALib's
  ``sample.sobol.sample`` (``calc_second_order=False``, scrambled): N base points, N * (D + 2)
  runs for D dispersed inputs (the factors, in :data:`DISPERSION_NAMES` order), N a power of
  2 (at least 2); ``sobol.analyze`` gives each factor's first-order ``S1`` and total ``ST``
  (Saltelli 2010 / Jansen estimators) with their 95 % bootstrap half-widths.
* ``src``: standardised regression coefficients (the sign and size of a linear effect).

Every SALib call is seeded from the scenario's seed (:func:`analysis_seed`), so the indices
are the same each time the summary is made. SALib's delta estimator seeds numpy's global
generator and sets warning filters; both are restored after each call. Pure: no I/O.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import pyarrow as pa

from longwing.batch.dispersions import DISPERSION_NAMES, Dispersion

DESIGNS = ("random", "sobol")
OUTPUTS = ("fuel_remaining_kg", "success")
MIN_GIVEN_DATA_RUNS = 20  # fewer runs: no given-data indices (the estimator needs classes)
MIN_DELTA_MINORITY = 10  # a 0/1 output needs this many runs of each outcome for delta
MAX_DELTA_BINS = 10  # SALib's default bins of the balanced bootstrap (fewer for small N)
NUM_RESAMPLES = 100  # bootstrap resamples of every confidence interval
CONF_LEVEL = 0.95
METHODS = {
    "S1_given_data": "first-order Sobol index from the sample (SALib delta.analyze, 'S1')",
    "delta": "Borgonovo's moment-independent delta from the sample (SALib delta.analyze, "
    "'delta_raw')",
    "S1_ST_sobol": "first-order and total Sobol indices from the Saltelli design (SALib "
    "sobol.analyze, calc_second_order=False)",
    "src": "standardised linear regression coefficient (sign and size of a linear effect)",
}


def factors(dispersions: Mapping[str, Dispersion]) -> list[str]:
    """The dispersed inputs in :data:`DISPERSION_NAMES` order: the columns of a design."""
    return [n for n in DISPERSION_NAMES if n in dispersions]


def saltelli_base(runs: int, n_factors: int) -> int | None:
    """N when ``runs`` is N * (D + 2) with N a power of 2 (>= 2), else None."""
    n, rem = divmod(runs, n_factors + 2)
    return n if rem == 0 and n >= 2 and n & (n - 1) == 0 else None


def saltelli_counts(n_factors: int, how_many: int = 6) -> list[int]:
    """The first run counts a Saltelli design of D factors allows (N = 2, 4, 8, ...)."""
    return [(n_factors + 2) * 2**k for k in range(1, how_many + 1)]


def saltelli_unit(n_factors: int, n_base: int, seed: int) -> np.ndarray:
    """The Saltelli design on the unit hypercube: N * (D + 2) rows (run i is row i), one
    column per factor; deterministic for a seed."""
    from SALib.sample import sobol

    problem = _problem(n_factors)
    return sobol.sample(problem, n_base, calc_second_order=False, scramble=True, seed=seed)


def analysis_seed(seed: int) -> int:
    """The seed of SALib's bootstraps from the scenario's: in [1, 2^32) (numpy's legacy
    seeding, which SALib's delta uses, takes 32 bits, and SALib skips a seed of 0)."""
    return 1 + seed % (2**32 - 1)


def _problem(n: int) -> dict:
    # neutral names: SALib's delta refuses names ending in _conf, _raw, _step, _balanced
    return {"num_vars": n, "names": [f"x{j}" for j in range(n)], "bounds": [[0.0, 1.0]] * n}


@contextmanager
def _contained() -> Iterator[None]:
    """SALib's side effects undone: numpy's global generator state, warning filters and
    format; its warnings are not printed."""
    state, fmt = np.random.get_state(), warnings.formatwarning  # noqa: NPY002 (restored)
    try:
        with warnings.catch_warnings(record=True):
            yield
    finally:
        np.random.set_state(state)  # noqa: NPY002
        warnings.formatwarning = fmt


def _f(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def encode_inputs(rows: pa.Table, choices: Mapping[str, tuple] | None = None
                  ) -> tuple[list[str], np.ndarray]:  # fmt: skip
    """(names, X: runs x inputs) of the ``in_*`` columns that vary: numbers and yes/no as
    numbers, text (a choice's values) as the index of the value in ``choices[name]`` (the
    scenario's ``values`` list; sorted values when not given); ``*_t_s`` left out."""
    choices = choices or {}
    names, cols = [], []
    for c in rows.column_names:
        if not c.startswith("in_") or c.endswith("_t_s"):
            continue
        name, kind, values = c[3:], rows.schema.field(c).type, rows.column(c).to_pylist()
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            order = [str(v) for v in choices.get(name, sorted({str(v) for v in values}))]
            x = np.array([order.index(str(v)) if str(v) in order else math.nan
                          for v in values], dtype=float)  # fmt: skip
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            x = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
        else:
            continue
        if np.all(np.isfinite(x)) and np.ptp(x) > 1e-12 * max(1.0, abs(float(x.mean()))):
            names.append(name)
            cols.append(x)
    x = np.stack(cols, axis=1) if cols else np.zeros((rows.num_rows, 0))
    return names, x


def given_data(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[list[dict], list[str]]:
    """Per input (column of ``x``): S1 and delta from the sample, with their 95 %
    half-widths (None where the estimator cannot be had, with a note why)."""
    from SALib.analyze import delta

    n = len(y)
    problem, notes = _problem(1), []
    binary = bool(np.all((y == 0.0) | (y == 1.0)))
    minority = int(min(np.sum(y == 0.0), np.sum(y == 1.0))) if binary else n
    if minority < MIN_DELTA_MINORITY:
        notes.append(f"delta: {minority} runs of the rarer outcome (fewer than "
                     f"{MIN_DELTA_MINORITY}): its bootstrap needs both outcomes")  # fmt: skip
    bins = max(2, min(MAX_DELTA_BINS, n // 10))
    out = []
    for j in range(x.shape[1]):
        xj = x[:, [j]]
        with _contained():
            s = delta.analyze(problem, xj, y, num_resamples=NUM_RESAMPLES,
                              conf_level=CONF_LEVEL, seed=seed, method="sobol")  # fmt: skip
        entry = {"S1": _f(s["S1"][0]), "S1_conf": _f(s["S1_conf"][0]), "delta": None,
                 "delta_conf": None}  # fmt: skip
        if minority >= MIN_DELTA_MINORITY:
            try:
                with _contained():
                    d = delta.analyze(problem, xj, y, num_resamples=NUM_RESAMPLES,
                                      conf_level=CONF_LEVEL, seed=seed, method="delta",
                                      bins_specs={"x0": bins})  # fmt: skip
                entry["delta"], entry["delta_conf"] = (_f(d["delta_raw"][0]),
                                                       _f(d["delta_raw_conf"][0]))  # fmt: skip
            except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
                notes.append(f"delta of input {j}: {exc}")
        out.append(entry)
    return out, notes


def sobol_design(y: np.ndarray, n_factors: int, seed: int) -> list[dict]:
    """Per factor: S1 and ST from the Saltelli design's outputs (in run order)."""
    from SALib.analyze import sobol

    with _contained():
        s = sobol.analyze(_problem(n_factors), y, calc_second_order=False,
                          num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                          seed=seed)  # fmt: skip
    return [{k: _f(s[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            for j in range(n_factors)]  # fmt: skip


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(SRC per column, R^2) of the least-squares fit of standardised y on standardised x."""
    if x.shape[1] == 0 or y.std() == 0.0 or len(y) <= x.shape[1] + 1:
        return None
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    beta, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    return beta, 1.0 - float(np.sum((ys - xs @ beta) ** 2) / np.sum(ys**2))


def src(rows: pa.Table, output: str) -> dict | None:
    """Standardised regression coefficients of ``output`` on the dispersed numeric inputs
    (the floating ``in_*`` columns that vary): a least-squares fit of the standardised output
    on the standardised inputs; SRC_j is the output's change in standard deviations per
    standard deviation of input j, and with R^2 near 1 SRC_j^2 is the share of the output's
    variance input j explains. Ranked by |SRC|."""
    names = [c for c in rows.column_names if c.startswith("in_")
             and pa.types.is_floating(rows.schema.field(c).type)]  # fmt: skip
    y = np.asarray(rows.column(output).to_pylist(), dtype=float)
    cols, used = [], []
    for c in names:
        x = rows.column(c).to_numpy(zero_copy_only=False).astype(float)
        if np.all(np.isfinite(x)) and x.std() > 1e-9 * max(1.0, abs(x.mean())):
            cols.append(x)
            used.append(c[3:])
    fit = _src(np.stack(cols, axis=1) if cols else np.zeros((len(y), 0)), y)
    if fit is None:
        return None
    ranked = sorted(zip(used, fit[0], strict=True), key=lambda t: -abs(t[1]))
    return {"method": "SRC (standardised linear regression)", "r2": fit[1],
            "inputs": [{"input": n, "src": float(b)} for n, b in ranked]}  # fmt: skip


def output_sensitivity(rows: pa.Table, output: str, design: str = "random",
                       dispersions: Mapping[str, Dispersion] | None = None,
                       seed: int = 1) -> dict:  # fmt: skip
    """The indices of one output (``fuel_remaining_kg`` or ``success`` as 0/1): ``inputs``
    ranked (by ST in a Sobol design, else by delta, else S1), or ``inputs: None`` with the
    ``reason``; ``notes`` say what else was left out."""
    dispersions = dispersions or {}
    rows = rows.sort_by("run")
    n = rows.num_rows
    y = np.asarray(rows.column(output).to_pylist(), dtype=float)
    base = {"design": design, "runs": n, "inputs": None, "reason": None, "notes": []}
    choices = {k: tuple(d.values) for k, d in dispersions.items() if d.dist == "choice"}
    names, x = encode_inputs(rows, choices)
    if not np.all(np.isfinite(y)):
        return base | {"reason": f"{output} is not a number in every run"}
    if n < 2 or np.ptp(y) == 0.0:
        return base | {"reason": f"no variance: every run has the same {output}"}
    if not names:
        return base | {"reason": "no dispersed input varies over the runs"}
    s = analysis_seed(seed)
    entries = {name: {"input": name} for name in names}
    notes: list[str] = []
    fit = _src(x, y)
    for j, name in enumerate(names):
        entries[name]["src"] = None if fit is None else float(fit[0][j])
    if n >= MIN_GIVEN_DATA_RUNS:
        gd, notes = given_data(x, y, s)
        notes = [_named(t, names) for t in notes]
        for name, e in zip(names, gd, strict=True):
            entries[name] |= e if design != "sobol" else {k: e[k] for k in ("delta", "delta_conf")}
    else:
        what = "delta" if design == "sobol" else "S1 and delta"
        notes.append(f"{what} from the sample: {n} runs, fewer than {MIN_GIVEN_DATA_RUNS}")
    key = "delta"
    if design == "sobol":
        key = "ST"
        fac = factors(dispersions)
        if [int(r) for r in rows.column("run").to_pylist()] != list(range(n)) or (
            saltelli_base(n, len(fac)) is None
        ):
            notes.append(f"S1 and ST: the {n} runs are not a whole Saltelli design")
        else:
            for name, e in zip(fac, sobol_design(y, len(fac), s), strict=True):
                entries.setdefault(name, {"input": name, "src": None}).update(e)
    methods = {"src": METHODS["src"]}
    if design == "sobol":
        methods |= {"S1": METHODS["S1_ST_sobol"], "ST": METHODS["S1_ST_sobol"]}
    else:
        methods["S1"] = METHODS["S1_given_data"]
    methods["delta"] = METHODS["delta"]
    fields = ("S1", "S1_conf", *(("ST", "ST_conf") if design == "sobol" else ()), "delta",
              "delta_conf", "src")  # fmt: skip
    inputs = [{"input": e["input"], **{k: e.get(k) for k in fields}} for e in entries.values()]
    key = next((k for k in (key, "delta", "S1", "src") if any(e[k] is not None
                                                             for e in inputs)), key)  # fmt: skip
    # the indices by value (their bias-corrected estimates may dip below 0), SRC by size
    size = abs if key == "src" else float
    inputs.sort(key=lambda e: -size(e[key]) if e[key] is not None else math.inf)
    return {"design": design, "runs": n, "ranked_by": key, "methods": methods,
            "src_r2": None if fit is None else fit[1], "inputs": inputs, "reason": None,
            "notes": notes}  # fmt: skip


def _named(note: str, names: list[str]) -> str:
    for j, name in enumerate(names):
        note = note.replace(f"input {j}:", f"{name}:").replace(f"[x{j}]", f"[{name}]")
    return note


def batch_sensitivity(rows: pa.Table, design: str = "random",
                      dispersions: Mapping[str, Dispersion] | None = None,
                      seed: int = 1) -> dict:  # fmt: skip
    """``{fuel_remaining_kg: ..., success: ...}`` (:func:`output_sensitivity`)."""
    return {y: output_sensitivity(rows, y, design, dispersions, seed) for y in OUTPUTS}
