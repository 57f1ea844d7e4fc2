"""Tracking accuracy recomputed from what a user gets, log.parquet, with geographiclib - not
from the simulator's own statistics - and the summary's figures checked against it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from geographiclib.geodesic import Geodesic
from test_cli import run_cli  # the in-process `longwing` of the CLI tests

from longwing.mission import load_mission

SURVEY = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"
G = Geodesic.WGS84


def _fly(monkeypatch, capsys, out: Path) -> tuple[dict, dict]:
    code, _, _ = run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--wind", "150@8",
                         "--seed", "3", "--out", str(out))  # fmt: skip
    assert code == 0
    t = pq.read_table(out / "log.parquet")
    cols = {n: t.column(n).to_numpy(zero_copy_only=False) for n in t.column_names}
    return cols, json.loads((out / "summary.json").read_text())


def _lines() -> dict[int, tuple[tuple[float, float], tuple[float, float]]]:
    """Item seq -> (A, B) of the survey's photo lines: the waypoints flown from the previous
    waypoint while the camera triggers (items 7 to 13 of examples/short_survey.plan)."""
    items = load_mission(SURVEY).items
    out = {}
    for seq in range(7, 14):
        a, b = items[seq - 2].position, items[seq - 1].position
        out[seq] = ((a[0], a[1]), (b[0], b[1]))
    return out


def test_tracking_figures_recomputed_from_the_log(monkeypatch, capsys, tmp_path):
    cols, s = _fly(monkeypatch, capsys, tmp_path / "r")
    sum2, n, worst = 0.0, 0, 0.0
    for seq, (a, b) in _lines().items():
        ab = G.Inverse(*a, *b)
        assert ab["s12"] > 100.0
        rows = np.flatnonzero((cols["seq"] == seq) & (cols["target"] == "leg"))
        captured = False  # counted from when the line is captured, as a pilot would judge
        for i in rows:
            ap = G.Inverse(*a, cols["lat_deg"][i], cols["lon_deg"][i])
            xt = ap["s12"] * math.sin(math.radians(ap["azi1"] - ab["azi1"]))
            course = math.degrees(math.atan2(cols["ve_mps"][i], cols["vn_mps"][i]))
            c_err = (course - ab["azi1"] + 180.0) % 360.0 - 180.0
            captured = captured or (abs(xt) < 10.0 and abs(c_err) < 10.0)
            if captured:
                sum2 += xt * xt
                n += 1
                worst = max(worst, abs(xt))
    rms = math.sqrt(sum2 / n)
    assert n > 2000  # the photo lines, at 10 Hz
    # the autopilot holds the lines in a 8 m/s crosswind (measured 2026-12-07 on the log:
    # RMS 1.1 m, worst 5.4 m); the summary (all legs, its own capture test) is of that order
    # the autopilot holds the lines in an 8 m/s crosswind (measured 2026-12-07 on the log:
    # RMS 2.32 m, worst 10.7 m), and the summary's figure (all legs, the simulator's own
    # capture test on the same log; measured 2.00 m) agrees within a quarter
    assert rms < 3.2 and worst < 15.0
    assert abs(s["rms_xtrack_m"] - rms) < 0.25 * rms
    # height on the lines: truth against the demand
    on_lines = np.isin(cols["seq"], list(_lines())) & (cols["target"] == "leg")
    err = cols["alt_m"][on_lines] - cols["alt_cmd_m"][on_lines]
    assert math.sqrt(np.mean(err**2)) < 0.5  # measured 0.21 m
