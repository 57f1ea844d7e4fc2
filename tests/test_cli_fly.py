"""`longwing fly` as a user sees it: the last lines say how the flight ended, run folders
never replace the user's files, Ctrl-C leaves nothing, a run is reproducible from its folder,
log.parquet is typed, and the command starts fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_cli import run_cli  # the in-process `longwing` of the CLI tests

from longwing.mission import load_mission

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "examples" / "short_survey.plan"
EXE = Path(sys.executable).with_name("longwing")


def test_terminal_states_landed_completed_and_navigation_items(monkeypatch, capsys, tmp_path):
    code, out, _ = run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--wind", "60@8",
                           "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0
    lines = out.strip().splitlines()
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert lines[0] == f"LANDED: {s['end_reason']}"
    # 14 navigation items of the 19 (5 DO commands are not counted on either side)
    nav = len(load_mission(SURVEY).nav_items())
    assert nav == 14
    assert lines[1] == f"completed: yes; navigation items reached {nav}/{nav}"
    assert "failsafes: none" in lines


def test_terminal_states_each_failsafe_and_not_completed(monkeypatch, capsys, tmp_path):
    code, out, _ = run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--fault", "link_loss@200",
                           "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["end_state"] == "landed" and not s["completed"]
    assert "completed: no (diverted by the link_loss failsafe (RTL at t = " in out
    assert f"failsafes: {len(s['failsafes'])}" in out
    for f in s["failsafes"]:
        t = int(round(f["t_s"]))
        hms = f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
        assert f"  {hms} {f['kind']}: {f['action']} at {f['lat_deg']:.5f}" in out


def test_crash_is_stated_and_exit_code_is_0(monkeypatch, capsys, tmp_path):
    # skids that take no more than 0.3 m/s of sink (the flare touches down at ~0.5 m/s)
    import longwing.airframe

    toml = (Path(longwing.airframe.__file__).parent / "data" / "aerosonde.toml").read_text()
    assert "max_sink_mps = 2.1\n" in toml
    frail = tmp_path / "frail.toml"
    frail.write_text(toml.replace("max_sink_mps = 2.1\n", "max_sink_mps = 0.3\n"))
    code, out, _ = run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--wind", "60@8",
                           "--airframe", str(frail), "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0  # simulated to its end; the outcome is stated
    assert out.startswith("CRASHED: touchdown beyond the airframe's limits: sink")
    assert "completed: no" in out


def test_ctrl_c_exits_130_and_writes_nothing(monkeypatch, capsys, tmp_path):
    from longwing.sim import runner

    def interrupted(self, until_s=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.Flight, "run", interrupted)
    code, out, err = run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--out",
                             str(tmp_path / "r"))  # fmt: skip
    assert code == 130
    assert "interrupted: nothing written" in err
    assert list(tmp_path.iterdir()) == []


def test_replacing_an_earlier_run_folder_is_allowed(monkeypatch, capsys, tmp_path):
    out_dir = tmp_path / "r"
    args = ("fly", str(SURVEY), "--max-duration-s", "60", "--out", str(out_dir))
    assert run_cli(monkeypatch, capsys, *args)[0] == 0
    marker = json.loads((out_dir / ".longwing-run").read_text())
    assert marker["made_by"] == "longwing" and marker["kind"] == "fly"
    (out_dir / "stale.txt").write_text("from the first run")
    assert run_cli(monkeypatch, capsys, *args, "--seed", "2")[0] == 0
    assert not (out_dir / "stale.txt").exists()  # replaced whole
    assert json.loads((out_dir / "summary.json").read_text())["scenario"]["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging left


def test_rerun_is_bit_identical(monkeypatch, capsys, tmp_path):
    """A flight with wind, turbulence, a fault and parameters, flown again from its folder."""
    first, second = tmp_path / "a", tmp_path / "b"
    code, _, _ = run_cli(
        monkeypatch, capsys, "fly", str(SURVEY), "--wind", "200@6", "--turbulence", "light",
        "--seed", "7", "--fault", "gnss_loss@150:40", "--param", "NAVL1_PERIOD=15",
        "--param", "RTL_ALTITUDE=120", "--max-duration-s", "400", "--out", str(first),
    )  # fmt: skip
    assert code == 0
    s1 = json.loads((first / "summary.json").read_text())
    sc = s1["scenario"]
    assert (sc["wind"], sc["turbulence"], sc["seed"]) == ("200@6", "light", 7)
    assert sc["faults"] == ["gnss_loss@150:40"]
    assert sc["params"] == {"NAVL1_PERIOD": 15.0, "RTL_ALTITUDE": 120.0}
    assert sc["mission_sha256"] == __import__("hashlib").sha256(SURVEY.read_bytes()).hexdigest()
    assert (first / sc["mission_copy"]).read_bytes() == SURVEY.read_bytes()
    prov = s1["provenance"]
    assert prov["command_line"][:3] == ["longwing", "fly", str(SURVEY)]
    assert prov["longwing_version"] and prov["python"].startswith("3.")
    code, _, _ = run_cli(monkeypatch, capsys, "fly", "--rerun", str(first), "--out", str(second))
    assert code == 0
    assert (second / "log.parquet").read_bytes() == (first / "log.parquet").read_bytes()
    s2 = json.loads((second / "summary.json").read_text())
    assert s2["rerun_of"] == str(first)
    for key in ("end_state", "flight_time_s", "fuel_remaining_kg", "failsafes"):
        assert s2[key] == s1[key]


def test_rerun_refuses_a_changed_copy(monkeypatch, capsys, tmp_path):
    first = tmp_path / "a"
    assert run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--max-duration-s", "30",
                   "--out", str(first))[0] == 0  # fmt: skip
    (first / "airframe.toml").write_text((first / "airframe.toml").read_text() + "\n")
    code, _, err = run_cli(monkeypatch, capsys, "fly", "--rerun", str(first), "--out",
                           str(tmp_path / "b"))  # fmt: skip
    assert code == 2 and "airframe.toml differs from the run's record" in err
    assert not (tmp_path / "b").exists()


def test_log_parquet_is_typed_and_states_its_datum(monkeypatch, capsys, tmp_path):
    assert run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--out", str(tmp_path / "r"))[0] == 0
    t = pq.read_table(tmp_path / "r" / "log.parquet")
    assert str(t.schema.field("seq").type) == "int64"
    meta = json.loads(t.schema.metadata[b"longwing"])
    assert meta["altitude_datum"] == "WGS84 ellipsoid"
    assert "ellipsoid" in meta["columns"]["alt_m"]
    mode, target, seq = (t.column(c).to_pylist() for c in ("mode", "target", "seq"))
    assert set(mode) == {"AUTO"}
    assert target[0] == "takeoff" and target[-1] == "land" and "loiter" in target
    # the target kind follows the item: the take-off rows are item 1, the loiter item 15
    assert {s for s, k in zip(seq, target, strict=True) if k == "takeoff"} == {1}
    assert {s for s, k in zip(seq, target, strict=True) if k == "loiter"} == {15}


def _cpu_s(*args: str) -> float:
    """CPU time (user + system) of the command, the least of three runs: unlike wall time it
    does not grow when other tests share the machine's two cores."""
    import resource

    best = float("inf")
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([str(EXE), *args], capture_output=True, check=True)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return best


@pytest.mark.parametrize("args", [("--help",), ("airframes",)])
def test_start_up_is_fast(args):
    """Help and listings load no numerical stack (measured 0.21-0.27 s wall, quiet machine)."""
    assert _cpu_s(*args) < 0.4
    code = ("import sys, longwing.cli; print(' '.join(m for m in ('numba', 'numpy', 'pyarrow', "
            "'matplotlib', 'scipy', 'pymavlink') if m in sys.modules))")  # fmt: skip
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""


def test_cold_numba_cache_is_announced(tmp_path):
    """On an empty cache the closed loop is not compiled yet: fly says so before its bar."""
    code = ("from longwing.cli_fly import kernels_cold; from longwing.sim.fastloop import "
            "run_chunk; print(kernels_cold(), kernels_cold(run_chunk))")  # fmt: skip
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.stdout.split() == ["True", "True"]
    from longwing.airframe.loader import load_airframe
    from longwing.cli_fly import kernels_cold
    from longwing.sim.runner import FlightScenario, fly

    fly(FlightScenario(load_airframe("aerosonde"), load_mission(SURVEY), max_duration_s=1.0))
    assert kernels_cold() is False


def test_run_folder_from_before_markers_is_replaced_but_not_with_extra_files(
    monkeypatch, capsys, tmp_path
):
    """`make demo` run by an older longwing left runs/demo without a marker: its exact four
    files and a fly summary identify it; one extra file of the user's makes it theirs."""
    args = ("fly", str(SURVEY), "--max-duration-s", "30")
    old = tmp_path / "old"
    assert run_cli(monkeypatch, capsys, *args, "--out", str(old))[0] == 0
    (old / ".longwing-run").unlink()
    for name in ("mission.plan", "airframe.toml", "flight.bin"):  # not written by the older version
        (old / name).unlink()
    assert run_cli(monkeypatch, capsys, *args, "--out", str(old))[0] == 0
    assert (old / ".longwing-run").is_file()
    (old / ".longwing-run").unlink()
    for name in ("mission.plan", "airframe.toml"):
        (old / name).unlink()
    (old / "notes.txt").write_text("mine")
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(old))
    assert code == 2 and "longwing did not make" in err
    assert (old / "notes.txt").read_text() == "mine"


def test_log_parquet_reads_in_pandas_and_polars(monkeypatch, capsys, tmp_path):
    """The streamed log (byte-split float32, dictionary strings, row groups) is ordinary
    Parquet: pandas and polars read it, with the same values as pyarrow."""
    import pandas
    import polars

    out = tmp_path / "r"
    assert run_cli(monkeypatch, capsys, "fly", str(SURVEY), "--out", str(out))[0] == 0
    path = out / "log.parquet"
    t = pq.read_table(path)
    df = pandas.read_parquet(path)
    pl = polars.read_parquet(path)
    assert len(df) == pl.height == t.num_rows > 7000
    for name in ("t_s", "lat_deg", "alt_m", "tas_mps", "seq"):
        ref = t.column(name).to_numpy()
        assert (df[name].to_numpy() == ref).all() and (pl[name].to_numpy() == ref).all()
    assert list(df["mode"].astype(str).unique()) == ["AUTO"]
    assert set(pl["target"].cast(polars.String).unique()) == {"takeoff", "leg", "loiter", "land"}
    assert str(df["alt_m"].dtype) == "float32" and str(df["lat_deg"].dtype) == "float64"
