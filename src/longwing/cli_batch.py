"""`longwing batch SCENARIO.toml`: a Monte Carlo batch on this machine's cores (docs/batch.md).

The scenario is checked and the output folder cleared for writing before any flight; each
finished chunk of runs is written atomically to ``OUT/runs.parquet`` (kill it at any time;
``--resume`` flies only the runs not there); ``--until-ci`` stops once the 95 % Wilson
interval of P(success) is narrower than asked; ``summary.json`` is written (atomically) at
the end. A rich progress bar shows the runs done, the ETA and the running P(success).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from longwing.cli_errors import UsageFailure


def batch(
    scenario: Annotated[Path, typer.Argument(help="The scenario TOML (docs/batch.md).")],
    runs: Annotated[int | None, typer.Option("--runs", help="Runs (default: [run] runs).")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local processes (default: every core).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Results folder.")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the batch already in --out.")
    ] = False,
    until_ci: Annotated[
        float | None,
        typer.Option("--until-ci", help="Stop when the 95 % interval's half-width is below."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Run on this dask.distributed scheduler (tcp://HOST:PORT)."),
    ] = None,
) -> None:
    """Fly a Monte Carlo batch of a scenario and summarise P(success)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from longwing.batch.engine import RUNS_DIR, read_rows, run_batch
    from longwing.batch.report import render_batch_report
    from longwing.batch.results import batch_summary
    from longwing.batch.scenario import ScenarioError, load_scenario
    from longwing.logs.outputs import OutputError, check_run_dir, mark_dir, read_marker

    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        raise UsageFailure(str(exc)) from None
    if sc.wind_file is not None:  # the file serves the mission: checked before any run
        from longwing.airframe.loader import load_airframe
        from longwing.batch.scenario import scenario_wind
        from longwing.mission import load_mission

        try:
            scenario_wind(sc, load_airframe(sc.airframe), load_mission(sc.plan))
        except ScenarioError as exc:
            raise UsageFailure(str(exc)) from None
    if sc.design == "sobol" and runs is not None and runs != sc.runs:
        raise UsageFailure(f"--runs {runs}: the scenario's sobol design flies exactly its "
                           f"[run] runs = {sc.runs} (N x (D + 2)); change it there")  # fmt: skip
    if sc.design == "sobol" and until_ci is not None:
        raise UsageFailure("--until-ci: a sobol design needs every one of its runs; fly the "
                           "whole design, or use design = \"random\"")  # fmt: skip
    n = sc.runs if runs is None else runs
    if not 1 <= n <= 10_000_000:
        raise UsageFailure(f"--runs {n}: must be in 1..10000000")
    k = workers if workers is not None else (os.cpu_count() or 1)
    if not 1 <= k <= 512:
        raise UsageFailure(f"--workers {k}: must be in 1..512")
    if dask is not None and not dask.startswith(("tcp://", "tls://", "ws://", "wss://")):
        raise UsageFailure(f"--dask {dask}: a scheduler address like tcp://HOST:8786")
    if until_ci is not None and not 0.0 < until_ci < 0.5:
        raise UsageFailure(f"--until-ci {until_ci}: a half-width in (0, 0.5)")
    out = out if out is not None else Path("runs") / f"batch-{scenario.stem}"
    try:
        check_run_dir(out, "batch")
    except OutputError as exc:
        raise UsageFailure(str(exc)) from None
    if (out / RUNS_DIR).exists() and not resume:
        raise UsageFailure(f"--out {out} holds a batch already: --resume continues it, or "
                           "choose another folder")  # fmt: skip
    if resume and read_marker(out) is None:
        raise UsageFailure(f"--resume: {out} holds no batch to continue")
    mark_dir(out, "batch")
    console = Console(highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} runs"),
               TextColumn("{task.fields[p]}"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("batch", total=n, p="")

        def progress(done: int, total: int, ok: int) -> None:
            p = f"P(success) {ok / done:.3f}" if done else ""
            bar.update(task, completed=done, p=p)

        try:
            run_batch(sc.path, out, n, k, until_ci, progress, dask_address=dask)
        except OSError as exc:  # no scheduler there (distributed raises OSError subclasses)
            raise UsageFailure(f"--dask {dask}: cannot use the cluster: {exc}") from None
    rows = read_rows(out)
    summary = batch_summary(rows, n, sc)
    summary["scenario"] = str(sc.path)
    _write_atomic(out / "summary.json", json.dumps(summary, indent=2))
    _write_atomic(out / "report.html", render_batch_report(rows, summary, str(scenario)))
    lo, hi = summary["p_success_ci95"]
    console.print(f"{summary['runs']} runs: P(success) {summary['p_success']:.3f} "
                  f"(95 % CI {lo:.3f}-{hi:.3f}); end states {summary['end_states']}")  # fmt: skip
    console.print(f"results: {out / 'summary.json'}, {out / 'report.html'}, rows: "
                  f"{out / RUNS_DIR}")  # fmt: skip


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
