"""Monte Carlo batch throughput (issue 15, item 6): runs per minute of
examples/bay_survey_mc.toml (bay_survey.plan, flights of about an hour) with 1 and 2 local
workers and through a dask.distributed cluster of 2 worker processes on this machine, and
the wall time of a whole 200-run batch on 2 local workers (target < 3 min).

    .venv/bin/python benchmarks/bench_batch.py [--runs 32] [--big 200]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "bay_survey_mc.toml"
BIN = Path(sys.executable).parent


def _batch(out: Path, runs: int, *extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "longwing"), "batch", str(SCENARIO), "--runs", str(runs),
                    "--out", str(out), *extra], check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def task_overhead() -> None:
    """Per-task overhead inside a worker: a task's wall time against the sum of its runs'
    own flight times (``wall_s``): reading the scenario, plan and airframe, building rows."""
    from longwing.batch.engine import fly_rows

    fly_rows(str(SCENARIO), [0])  # warm
    for size in (5, 13, 25):
        t0 = time.perf_counter()
        rows = fly_rows(str(SCENARIO), list(range(100, 100 + size)))
        wall = time.perf_counter() - t0
        own = sum(r["wall_s"] for r in rows)
        print(f"  task of {size:>2} runs: {wall:6.2f} s, overhead {(wall - own) / wall:.2%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=32)
    ap.add_argument("--big", type=int, default=200)
    args = ap.parse_args()
    n = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _batch(tmp / "warm", 2, "--workers", "2")  # numba caches warm
        w1 = _batch(tmp / "w1", n, "--workers", "1")
        w2 = _batch(tmp / "w2", n, "--workers", "2")
        port = _free_port()
        addr = f"tcp://127.0.0.1:{port}"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp}
        procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-dashboard"], **quiet)]  # fmt: skip
        try:
            time.sleep(2.0)
            procs += [subprocess.Popen([str(BIN / "dask"), "worker", addr, "--nworkers", "1",
                                        "--nthreads", "1", "--no-dashboard"], **quiet)
                      for _ in range(2)]  # fmt: skip
            from distributed import Client

            with Client(addr, timeout="60s") as c:
                c.wait_for_workers(2, timeout=120)
                c.run(lambda: __import__("longwing.batch.engine"))
            _batch(tmp / "dwarm", 2, "--dask", addr)
            dk = _batch(tmp / "dk", n, "--dask", addr)
        finally:
            for p in reversed(procs):
                p.kill()
                p.wait()
        big = _batch(tmp / "big", args.big, "--workers", "2")
        import pyarrow.parquet as pq

        flown_h = pq.read_table(tmp / "big" / "runs.parquet").column("flight_time_s").to_numpy()
        flown_h = flown_h / 3600.0
    rate = {k: n / v * 60.0 for k, v in (("1 worker", w1), ("2 workers", w2), ("dask 2", dk))}
    print(
        f"bay_survey_mc.toml, {n} runs (whole `longwing batch` commands, process start included):"
    )
    for k, v in rate.items():
        print(f"  {k:>10}: {v:7.1f} runs/min")
    print(f"  2 workers / 1 worker: {rate['2 workers'] / rate['1 worker']:.2f}x (target >= 1.8x)")
    print(f"  dask / 2 local workers: {rate['dask 2'] / rate['2 workers']:.2f} (target >= 0.9)")
    print(
        f"{args.big} runs on 2 local workers: {big:.1f} s (target < 180 s); flights of "
        f"{flown_h.mean():.2f} h on average ({flown_h.min():.2f}-{flown_h.max():.2f} h)"
    )
    print("per-task overhead (target < 2 %):")
    task_overhead()


if __name__ == "__main__":
    main()
