"""Running a batch: runs in chunks on local processes or a dask.distributed cluster, each
finished chunk's rows written
atomically as one Parquet part of ``runs.parquet`` (a folder pyarrow reads as one table),
resumable, stopping early when P(success) is known well enough (docs/batch.md).

* :func:`fly_rows` flies a chunk of run indices in this process and returns their rows (a
  worker's task: the scenario is read once per task);
* :func:`run_batch` runs the runs not yet in ``runs.parquet``, ``workers`` processes at a
  time, and writes each chunk's rows as ``part-<first run>.parquet`` (written under a
  temporary name, then renamed: a batch killed at any moment leaves only whole parts, so a
  resumed batch loses nothing finished and repeats nothing);
* :func:`wilson` is the 95 % Wilson interval of P(success) (scipy's ``binomtest``).

A run's row depends only on the scenario and its index: the same whatever the number of
workers, the chunking or the order (tests).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from longwing.batch.dispersions import DISPERSION_NAMES

RUNS_DIR = "runs.parquet"
CHUNKS_PER_WORKER = 8  # tasks per worker over a batch (load balance vs per-task overhead)
MAX_CHUNK = 50
UNTIL_CI_CHUNK = 5
PARENT_POLL_S = 1.0  # how often a local worker checks that its batch process is alive
TRACK_POINTS = 200  # points of each run's track kept in its row (the report's track bundle)


def fly_rows(scenario_path: str, runs: list[int]) -> list[dict]:
    """Fly runs ``runs`` of the scenario; one row each (see the module doc)."""
    from longwing.airframe.loader import load_airframe
    from longwing.batch.run_inputs import design_matrix, judge, run_scenario
    from longwing.batch.scenario import load_scenario, scenario_wind
    from longwing.mission import load_mission
    from longwing.sim.runner import fly

    sc = load_scenario(scenario_path)
    af, mission = load_airframe(sc.airframe), load_mission(sc.plan)
    wind = scenario_wind(sc, af, mission)
    unit = design_matrix(sc)  # a sobol design's matrix: once per task
    rows = []
    for i in runs:
        t0 = time.perf_counter()
        fs, inputs = run_scenario(sc, af, mission, wind, i, unit)
        res = fly(fs)
        s = res.summary
        lat, lon = _track(res.log)
        ok, why = judge(s, sc.success)
        td = s.get("touchdown") or {}
        row = {"run": i, "end_state": s["end_state"], "success": ok, "why": "; ".join(why),
               "fuel_remaining_kg": s["fuel_remaining_kg"],
               "flight_time_s": s["flight_time_s"], "distance_km": s["distance_km"],
               "landing_lat_deg": td.get("lat_deg", math.nan),
               "landing_lon_deg": td.get("lon_deg", math.nan),
               "landing_error_m": td.get("distance_m", math.nan),
               "landing_along_m": td.get("along_m", math.nan),
               "landing_across_m": td.get("across_m", math.nan),
               "rms_xtrack_m": s.get("rms_xtrack_m") or math.nan,
               "max_xtrack_m": s.get("max_xtrack_m") or math.nan,
               "failsafes": ",".join(e["detail"].split(":", 1)[0] for e in s["events"]
                                     if e["kind"] == "failsafe"),
               "end_reason": s["end_reason"], "track_lat_deg": lat,
               "track_lon_deg": lon}  # fmt: skip
        for name in DISPERSION_NAMES:
            if name in inputs:
                row[f"in_{name}"] = inputs[name]
        for name in ("engine_failure", "gnss_loss"):
            if name in inputs:
                row[f"in_{name}"] = bool(inputs[name])
                row[f"in_{name}_t_s"] = inputs.get(f"{name}_t_s", math.nan)
        row["wall_s"] = time.perf_counter() - t0  # the one column that varies between runs
        rows.append(row)
    return rows


def _track(log) -> tuple[list[float], list[float]]:
    """The flown track (truth), thinned to at most TRACK_POINTS points, degrees."""
    from longwing.sim import closedloop as cl

    step = max(1, math.ceil(len(log) / TRACK_POINTS))
    rows = log[::step]
    lat = rows[:, cl.LOG_COLUMNS.index("lat_rad")]
    lon = rows[:, cl.LOG_COLUMNS.index("lon_rad")]
    return [math.degrees(v) for v in lat], [math.degrees(v) for v in lon]


def done_runs(out: Path) -> set[int]:
    """The run indices already in ``out/runs.parquet``."""
    folder = out / RUNS_DIR
    if not folder.is_dir() or not any(folder.glob("part-*.parquet")):
        return set()
    t = pq.read_table(folder, columns=["run"])
    return set(t.column("run").to_pylist())


def read_rows(out: Path) -> pa.Table:
    """Every row of the batch so far, sorted by run."""
    t = pq.read_table(out / RUNS_DIR)
    return t.sort_by("run")


def _write_part(out: Path, rows: list[dict]) -> None:
    folder = out / RUNS_DIR
    folder.mkdir(exist_ok=True)
    first = min(r["run"] for r in rows)
    final = folder / f"part-{first:09d}.parquet"
    tmp = folder / f".part-{first:09d}.parquet.partial"
    pq.write_table(pa.Table.from_pylist(sorted(rows, key=lambda r: r["run"])), tmp)
    os.replace(tmp, final)


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def chunks_of(todo: list[int], workers: int, cap: int = MAX_CHUNK) -> list[list[int]]:
    size = max(1, min(cap, math.ceil(len(todo) / (workers * CHUNKS_PER_WORKER))))
    return [todo[k : k + size] for k in range(0, len(todo), size)]


def _die_with_parent(parent_pid: int) -> None:
    """A worker's initializer: end the worker when the batch process is gone (a batch killed
    with SIGKILL would otherwise leave its workers waiting for ever)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="longwing-parent-watch").start()


class _LocalPool:
    """Local processes behind the two calls the batch loop needs."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                        initargs=(os.getpid(),))  # fmt: skip
        self.workers = workers

    def submit(self, *args):
        return self.pool.submit(*args)

    def wait_first(self, running: set) -> tuple[set, set]:
        done, rest = wait(running, return_when=FIRST_COMPLETED)
        return set(done), set(rest)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class _DaskPool:
    """An existing dask.distributed cluster (its scheduler's address) behind the same calls;
    the workers must see the scenario's files at the same paths."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, timeout="30s")
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def wait_first(self, running: set) -> tuple[set, set]:
        from distributed import wait as dwait

        done, rest = dwait(list(running), return_when="FIRST_COMPLETED")
        return set(done), set(rest)

    def close(self) -> None:
        self.client.close()


def run_batch(scenario_path: Path, out: Path, runs: int, workers: int,
              until_ci: float | None = None,
              progress: Callable[[int, int, int], None] | None = None,
              dask_address: str | None = None) -> int:  # fmt: skip
    """Run the runs 0..runs-1 not yet done; returns how many were flown now. ``progress``
    (done, total, successes so far) after each chunk; ``until_ci``: stop once the 95 %
    Wilson interval's half-width over every finished run is below it (the chunks already
    flying are kept, and the interval judged again with them); ``dask_address``: on that
    dask.distributed scheduler instead of ``workers`` local processes."""
    for stale in (out / RUNS_DIR).glob(".part-*.partial"):
        stale.unlink()  # a part a killed batch never finished: its runs are flown again
    have = done_runs(out)
    todo = [i for i in range(runs) if i not in have]
    n_done = len(have)
    n_ok = 0
    if have:
        t = read_rows(out)
        n_ok = sum(t.column("success").to_pylist())
    flown = 0

    def enough() -> bool:
        if until_ci is None or n_done < 2:
            return False
        lo, hi = wilson(n_ok, n_done)
        return (hi - lo) / 2.0 < until_ci

    if progress is not None:
        progress(n_done, runs, n_ok)
    pool = _DaskPool(dask_address) if dask_address is not None else _LocalPool(workers)
    try:
        # stopping on the interval: small chunks, so that little is flown past the point
        pending = chunks_of(todo, pool.workers,
                            UNTIL_CI_CHUNK if until_ci is not None else MAX_CHUNK)  # fmt: skip
        running: set = set()
        while True:
            if not enough():  # narrow enough: no new chunks; those running still count
                while pending and len(running) < 2 * pool.workers:
                    running.add(pool.submit(fly_rows, str(scenario_path), pending.pop(0)))
            if not running:
                break
            finished, running = pool.wait_first(running)
            for fut in finished:
                rows = fut.result()
                _write_part(out, rows)
                n_done += len(rows)
                flown += len(rows)
                n_ok += sum(r["success"] for r in rows)
                if progress is not None:
                    progress(n_done, runs, n_ok)
    finally:
        pool.close()
    return flown
