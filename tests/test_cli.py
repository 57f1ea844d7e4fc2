"""The `longwing` command: JSON outputs, run folders, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from longwing import cli


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["longwing", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_trim_json(monkeypatch, capsys):
    code, out, _ = run_cli(
        monkeypatch, capsys, "trim", "--airframe", "aerosonde", "--airspeed", "25",
        "--altitude", "500", "--latitude", "45", "--climb-deg", "0", "--fuel-kg", "4",
        "--modes", "--json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    for key in ("alpha_deg", "beta_deg", "elevator_deg", "aileron_deg", "rudder_deg",
                "throttle", "bank_deg", "power_w", "fuel_flow_kg_per_h"):  # fmt: skip
        assert isinstance(res[key], float), key
    assert res["alpha_deg"] == pytest.approx(4.42, abs=0.02)
    assert set(res["modes"]) == {"short_period", "phugoid", "roll", "dutch_roll", "spiral"}
    for mode in res["modes"].values():
        assert {"eigenvalues", "frequency_rad_s", "damping"} <= set(mode)


def test_trim_turn_json(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "trim", "--turn-radius", "-300", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["bank_deg"] == pytest.approx(
        -math.degrees(math.atan(25**2 / (9.806 * 300))), abs=0.3
    )


def test_trim_table(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "trim", "--modes")
    assert code == 0
    assert "alpha_deg" in out and "short_period" in out and "dutch_roll" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["trim", "--airspeed", "15"], "error: below stall: 15 m/s needs CL"),
        (["trim", "--airspeed", "40"], "error: beyond power: needs throttle 1.38 > 1"),
        (["trim", "--airframe", "cessna"], "error: unknown airframe 'cessna'"),
        (["trim", "--airframe", "missing.toml"], "error: missing.toml: file not found"),
        (["trim", "--turn-radius", "0"], "error: --turn-radius must be a non-zero"),
        (["trim", "--latitude", "95"], "error: --latitude 95 is outside [-90, 90] deg"),
        (["trim", "--fuel-kg", "7"], "error: fuel 7.0 kg is outside [0, 4.0] kg"),
        (["trim", "--airspeed", "fast"], "Invalid value for '--airspeed'"),
        (["sim", "--wind", "270@"], "error: invalid wind '270@'"),
        (["sim", "--turbulence", "extreme"], "error: invalid turbulence 'extreme'"),
        (["sim", "--duration-s", "-5"], "error: duration must be positive"),
        (["sim", "--altitude", "-50"], "error: altitude -50 m is not above the ground"),
    ],
)
def test_bad_input_exit_code_2_one_line(monkeypatch, capsys, tmp_path, args, message):
    code, out, err = run_cli(monkeypatch, capsys, *args, *(
        ["--out", str(tmp_path / "r")] if args[0] == "sim" else []))  # fmt: skip
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    if message.startswith("error:"):
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_bad_airframe_file_names_field(monkeypatch, capsys, tmp_path):
    from importlib.resources import files

    text = (files("longwing.airframe") / "data" / "aerosonde.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("dry_mass_kg = 9.1", "dry_mass_kg = -9.1"))
    code, _, err = run_cli(monkeypatch, capsys, "trim", "--airframe", str(bad))
    assert code == 2
    assert "field 'mass.dry_mass_kg' = -9.1 is out of range" in err


def test_sim_writes_run_folder(monkeypatch, capsys, tmp_path):
    out_dir = tmp_path / "runs" / "x"
    code, out, _ = run_cli(
        monkeypatch, capsys, "sim", "--airspeed", "25", "--altitude", "1500",
        "--heading-deg", "60", "--duration-s", "300", "--wind", "270@8",
        "--turbulence", "moderate", "--seed", "1", "--out", str(out_dir), "--json",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    assert summary == json.loads((out_dir / "summary.json").read_text())
    assert summary["end_reason"] == "completed"
    assert summary["flight_time_s"] == pytest.approx(300.0)
    assert summary["fuel_used_kg"] > 0.0
    log = pq.read_table(out_dir / "log.parquet")
    assert log.num_rows == 3000
    for col in ("t_s", "lat_deg", "lon_deg", "alt_m", "roll_deg", "pitch_deg", "yaw_deg",
                "tas_mps", "fuel_kg", "fuel_flow_kg_per_h"):  # fmt: skip
        assert col in log.column_names
    lat = log.column("lat_deg").to_numpy()
    assert lat[0] == pytest.approx(47.63, abs=1e-6)
    assert summary["final"]["lat_deg"] == pytest.approx(lat[-1], abs=1e-3)
    assert [p.name for p in out_dir.parent.iterdir()] == ["x"]  # no staging left over
    report = (out_dir / "report.html").read_text()
    assert report.count("data:image/png;base64,") == 4  # track, altitude, speed, fuel
    assert "https://" not in report and "http://" not in report  # offline, no CDN


def test_sim_failure_keeps_previous_result(monkeypatch, capsys, tmp_path):
    import longwing.logs.runfolder as rf

    out_dir = tmp_path / "r"
    code, _, _ = run_cli(monkeypatch, capsys, "sim", "--duration-s", "30", "--out", str(out_dir))
    assert code == 0
    before = (out_dir / "summary.json").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(rf, "dumps", boom)  # the new summary cannot be written
    with pytest.raises(OSError), rf.RunStage(out_dir, "sim") as stage:
        (stage.path / "log.parquet").write_bytes(b"partial")
        stage.commit({"x": 1}, [], {})
    assert (out_dir / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_console_script_installed():
    exe = Path(sys.executable).with_name("longwing")
    res = subprocess.run([str(exe), "airframes"], capture_output=True, text=True, check=True)
    assert "aerosonde" in res.stdout.split()


def test_fly_writes_run_folder(monkeypatch, capsys, tmp_path):
    examples = Path(__file__).resolve().parents[1] / "examples"
    out_dir = tmp_path / "fly"
    code, out, _ = run_cli(
        monkeypatch, capsys, "fly", str(examples / "short_survey.plan"), "--wind", "60@5",
        "--seed", "2", "--out", str(out_dir), "--json",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    for key in ("completed", "flight_time_s", "distance_km", "fuel_used_kg",
                "fuel_remaining_kg", "items_reached", "rms_xtrack_m", "max_xtrack_m",
                "rms_alt_err_m", "events", "wall_time_s", "realtime_factor"):  # fmt: skip
        assert key in summary, key
    assert summary["completed"] is True and summary["end_state"] == "landed"
    assert summary == json.loads((out_dir / "summary.json").read_text())
    events = [json.loads(line) for line in (out_dir / "events.jsonl").read_text().splitlines()]
    kinds = {e["kind"] for e in events}
    assert {"item_reached", "camera_trigger", "touchdown", "landed", "mode"} <= kinds
    trig = [e for e in events if e["kind"] == "camera_trigger"]
    assert {"t_s", "lat_deg", "lon_deg", "alt_m", "roll_deg", "pitch_deg", "yaw_deg"} <= set(
        trig[0]
    )
    log = pq.read_table(out_dir / "log.parquet")
    for col in ("est_lat_deg", "alt_cmd_m", "xtrack_m", "roll_cmd_deg", "meas_tas_mps"):
        assert col in log.column_names
    dt = np.diff(log.column("t_s").to_numpy())
    assert np.allclose(dt, 0.1)  # 10 Hz
    report = (out_dir / "report.html").read_text()
    assert "Cross-track error" in report and "touchdown" in report


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"fileType": "Plan", "version": 1, "mission": {"items": [', "invalid JSON"),
        ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t95.0\t-52.9\t60\t1\n"
         "1\t0\t3\t16\t0\t0\t0\t0\t47.6\t-52.9\t100\t1\n", "latitude 95.0 is outside"),
        ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t47.6\t-52.9\t60\t1\n"
         "1\t0\t3\t16\t0\t-5\t0\t0\t47.6\t-52.9\t100\t1\n", "item 1 (NAV_WAYPOINT)"),
    ],
)  # fmt: skip
def test_fly_bad_mission_is_one_line_exit_2(monkeypatch, capsys, tmp_path, text, message):
    bad = tmp_path / ("m.plan" if text.startswith("{") else "m.waypoints")
    bad.write_text(text)
    code, out, err = run_cli(monkeypatch, capsys, "fly", str(bad), "--out", str(tmp_path / "r"))
    assert code == 2
    assert message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
