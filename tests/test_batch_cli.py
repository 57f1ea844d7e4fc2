"""`longwing batch` (issue 15, item 2 and part of 4): identical rows with 1 and 2 workers, a
batch killed with SIGKILL and resumed loses nothing and repeats nothing, --until-ci stops
when the interval is narrow enough, summary.json against a Wilson interval computed here
from the rows, and bad input as one line with exit code 2."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCENARIO = EXAMPLES / "survey_mc.toml"


def _batch(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longwing.cli", "batch", *args],
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def _rows(out: Path) -> list[dict]:
    """The rows (NaN as None, so that equal rows compare equal), without the wall time."""
    t = pq.read_table(out / "runs.parquet").sort_by("run")
    nan = lambda v: None if isinstance(v, float) and math.isnan(v) else v  # noqa: E731
    return [{k: nan(v) for k, v in r.items() if k != "wall_s"} for r in t.to_pylist()]


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_one_and_two_workers_give_the_same_rows_and_the_summary(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ra = _batch(str(SCENARIO), "--runs", "8", "--workers", "1", "--out", str(a))
    rb = _batch(str(SCENARIO), "--runs", "8", "--workers", "2", "--out", str(b))
    assert ra.returncode == 0 and rb.returncode == 0, ra.stderr + rb.stderr
    rows = _rows(a)
    assert rows == _rows(b) and [r["run"] for r in rows] == list(range(8))
    assert all(0.0 <= r["in_wind_dir_deg"] < 360.0 for r in rows)
    s = json.loads((a / "summary.json").read_text())
    k = sum(r["success"] for r in rows)
    assert s["runs"] == 8 and s["successes"] == k and s["p_success"] == k / 8
    lo, hi = _wilson(k, 8)
    assert s["p_success_ci95"] == pytest.approx([lo, hi], abs=1e-9)
    assert sum(s["end_states"].values()) == 8
    assert "P(success)" in ra.stdout
    report = (a / "report.html").read_text()
    assert report.count("<img ") == 4 and report.rstrip().endswith("</html>")
    assert f"longwing fly --scenario {SCENARIO} --run " in report
    assert all(1 <= len(r["track_lat_deg"]) <= 200 for r in rows)


def _processes_naming(path: Path) -> list[int]:
    """Live processes whose command line names ``path`` (a batch and its workers)."""
    pids = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and str(path).encode() in (d / "cmdline").read_bytes():
                status = (d / "status").read_text()
                if "State:\tZ" not in status:
                    pids.append(int(d.name))
        except OSError:
            continue
    return pids


def test_killed_then_resumed_loses_and_repeats_nothing(tmp_path):
    out = tmp_path / "k"
    proc = subprocess.Popen([sys.executable, "-m", "longwing.cli", "batch", str(SCENARIO),
                             "--runs", "24", "--workers", "1", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    parts = out / "runs.parquet"
    end = time.monotonic() + 300
    while time.monotonic() < end and len(list(parts.glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    end = time.monotonic() + 10  # its workers end with it (they poll for it every second)
    while time.monotonic() < end and _processes_naming(out):
        time.sleep(0.1)
    assert not _processes_naming(out)
    before = _rows(out)
    assert 0 < len(before) < 24, len(before)  # killed mid-batch
    r = _batch(str(SCENARIO), "--runs", "24", "--workers", "2", "--out", str(out), "--resume")
    assert r.returncode == 0, r.stderr
    after = _rows(out)
    assert [x["run"] for x in after] == list(range(24))  # nothing lost, nothing twice
    assert after[: len(before)] == before  # the finished rows kept as they were
    fresh = tmp_path / "f"
    assert _batch(str(SCENARIO), "--runs", "24", "--workers", "2", "--out",
                  str(fresh)).returncode == 0  # fmt: skip
    assert after == _rows(fresh)


def test_until_ci_stops_when_the_interval_is_narrow(tmp_path):
    out = tmp_path / "c"
    r = _batch(str(SCENARIO), "--runs", "400", "--workers", "2", "--out", str(out),
               "--until-ci", "0.15")  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = _rows(out)
    k, n = sum(x["success"] for x in rows), len(rows)
    lo, hi = _wilson(k, n)
    assert n < 400 and (hi - lo) / 2 < 0.15
    assert n < 60  # stopped near where the interval became narrow enough


def test_bad_input_is_one_line_exit_2(tmp_path):
    r = _batch(str(tmp_path / "none.toml"))
    assert r.returncode == 2 and "no such file" in r.stderr and r.stderr.count("\n") == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    r = _batch(str(SCENARIO), "--runs", "2", "--out", str(mine))
    assert r.returncode == 2 and "did not make" in r.stderr
    assert (mine / "notes.txt").read_text() == "mine" and len(list(mine.iterdir())) == 1
    done = tmp_path / "done"
    assert _batch(str(SCENARIO), "--runs", "2", "--workers", "1", "--out",
                  str(done)).returncode == 0  # fmt: skip
    r = _batch(str(SCENARIO), "--runs", "2", "--out", str(done))
    assert r.returncode == 2 and "--resume" in r.stderr
    r = _batch(str(SCENARIO), "--workers", "0", "--out", str(tmp_path / "w"))
    assert r.returncode == 2 and "--workers 0" in r.stderr and not (tmp_path / "w").exists()


def test_fly_scenario_run_equals_the_batch_row_and_reruns(tmp_path):
    out = tmp_path / "b"
    assert _batch(str(SCENARIO), "--runs", "6", "--workers", "2", "--out",
                  str(out)).returncode == 0  # fmt: skip
    row = _rows(out)[5]
    fly_dir, again = tmp_path / "run5", tmp_path / "again"
    cmd = [sys.executable, "-m", "longwing.cli", "fly"]
    r = subprocess.run([*cmd, "--scenario", str(SCENARIO), "--run", "5", "--out", str(fly_dir),
                        "--json"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["end_state"], s["fuel_remaining_kg"], s["flight_time_s"]) == (
        row["end_state"],
        row["fuel_remaining_kg"],
        row["flight_time_s"],
    )  # bit for bit
    assert s["touchdown"]["distance_m"] == row["landing_error_m"]
    rec = json.loads((fly_dir / "summary.json").read_text())["scenario"]  # what it flew
    assert rec["turbulence"] == row["in_turbulence"] and rec["fuel_kg"] == row["in_fuel_kg"]
    frm, speed = (float(x) for x in rec["wind"].split("@"))
    assert frm == pytest.approx(row["in_wind_dir_deg"] % 360.0, abs=0.05)
    assert speed == pytest.approx(row["in_wind_speed_mps"], abs=0.005)
    r = subprocess.run([*cmd, "--rerun", str(fly_dir), "--out", str(again), "--json"],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fuel_remaining_kg"] == row["fuel_remaining_kg"]
    r = subprocess.run([*cmd, str(EXAMPLES / "short_survey.plan"), "--scenario", str(SCENARIO),
                        "--run", "1", "--out", str(tmp_path / "x")],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 2 and "--scenario S --run I" in r.stderr
