"""Every bad input of the `longwing` command is one line on stderr, exit code 2, and nothing
written: the table below (fly, sim, trim, plan, sitl, airframes), each case run in-process
with the working folder's whole tree compared before and after."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from longwing import cli

ROOT = Path(__file__).resolve().parents[1]
SURVEY = str(ROOT / "examples" / "short_survey.plan")
AEROSONDE = (ROOT / "src/longwing/airframe/data/aerosonde.toml").read_text()


def _tree(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


def _setup(tmp: Path) -> None:
    """The user's own things the commands must leave alone."""
    (tmp / "mine").mkdir()
    (tmp / "mine" / "notes.txt").write_text("my notes\n")
    (tmp / "file.txt").write_text("my file\n")
    (tmp / "user.plan").write_text(json.dumps({"fileType": "Plan", "groundStation": "QGC"}))
    (tmp / "heavy.toml").write_text(AEROSONDE.replace("dry_mass_kg = 9.1", "dry_mass_kg = 10000"))
    (tmp / "nofuel.toml").write_text(AEROSONDE.replace("capacity_kg = 4.0 ", "capacity_kg = 0.0 "))
    (tmp / "badland.toml").write_text(AEROSONDE.replace("max_sink_mps = 2.1", "max_sink_mps = -1"))
    (tmp / "noland.toml").write_text(AEROSONDE.split("[landing]")[0])
    (tmp / "bad.plan").write_text("{not json")
    from longwing.mission.items import MavFrame, MissionItem
    from longwing.mission.model import Home, Mission
    from longwing.mission.planfile import save_plan

    home = Home(47.63, -52.93, 60.0)
    save_plan(Mission(home=home, items=()), tmp / "empty.plan")
    save_plan(Mission(home=home, items=(
        MissionItem.takeoff(47.64, -52.93, 80.0, MavFrame.GLOBAL_RELATIVE_ALT),
        MissionItem.waypoint(47.65, -52.93, -5000.0, MavFrame.GLOBAL),
        MissionItem.land(47.63, -52.93, 0.0, MavFrame.GLOBAL_RELATIVE_ALT),
    )), tmp / "below.plan")  # fmt: skip
    (tmp / "empty.waypoints").write_text("")
    sim_run = tmp / "simrun"
    sim_run.mkdir()
    (sim_run / ".longwing-run").write_text('{"made_by": "longwing", "kind": "sim"}\n')
    (tmp / "notarun").mkdir()
    (tmp / "notarun" / "summary.json").write_text("{}")


OUT = "runs/x"  # a new folder: must not appear
FLY = ["fly", SURVEY, "--out", OUT]
SIM = ["sim", "--duration-s", "30", "--out", OUT]
ROUTE = ["plan", "route", "--from", "47,-52", "--to", "47.5,-52", "--alt-m", "300"]

CASES = [
    # --- fly: the output path -----------------------------------------------------------
    ("fly-out-user-folder", ["fly", SURVEY, "--out", "mine"], "longwing did not make"),
    ("fly-out-file", ["fly", SURVEY, "--out", "file.txt"], "is an existing file"),
    ("fly-out-dot", ["fly", SURVEY, "--out", "."], "not the current or a parent folder"),
    ("fly-out-dotdot", ["fly", SURVEY, "--out", ".."], "not the current or a parent folder"),
    ("fly-out-unwritable", ["fly", SURVEY, "--out", "/proc/longwing-x"], "cannot write in"),
    ("fly-out-sim-run", ["fly", SURVEY, "--out", "simrun"], "holds a longwing sim folder"),
    # --- fly: numbers and parameters ------------------------------------------------------
    ("fly-seed-negative", [*FLY, "--seed", "-1"], "--seed -1 must be in [0, 2^63)"),
    ("fly-param-nan", [*FLY, "--param", "NAVL1_PERIOD=nan"], "NAVL1_PERIOD must be finite"),
    ("fly-param-negative", [*FLY, "--param", "NAVL1_PERIOD=-5"], "NAVL1_PERIOD = -5 is outside"),
    ("fly-param-huge", [*FLY, "--param", "NAVL1_PERIOD=1e9"], "NAVL1_PERIOD = 1e+09 is outside"),
    ("fly-param-not-int", [*FLY, "--param", "FS_LONG_ACTN=1.5"], "FS_LONG_ACTN must be an integer"),
    ("fly-param-enum", [*FLY, "--param", "FENCE_ACTION=3"], "FENCE_ACTION = 3: expected one of"),
    ("fly-param-rtl-alt", [*FLY, "--param", "RTL_ALTITUDE=-100"], "RTL_ALTITUDE = -100 is outside"),
    ("fly-param-unknown", [*FLY, "--param", "NAVL1_PERIOX=17"], "did you mean NAVL1_PERIOD?"),
    ("fly-param-no-eq", [*FLY, "--param", "NAVL1_PERIOD"], "expected NAME=VALUE"),
    ("fly-param-text", [*FLY, "--param", "NAVL1_PERIOD=abc"], "'abc' is not a number"),
    ("fly-param-order", [*FLY, "--param", "AIRSPEED_MIN=30"], "AIRSPEED_MIN (30) must be <"),
    (
        "fly-param-twice",
        [*FLY, "--param", "WP_RADIUS=50", "--param", "WP_RADIUS=60"],
        "WP_RADIUS is given twice",
    ),
    ("fly-param-read-only", [*FLY, "--param", "SIM_SPEEDUP=2"], "SIM_SPEEDUP is read-only"),
    ("fly-max-duration-0", [*FLY, "--max-duration-s", "0"], "--max-duration-s 0 must be > 0"),
    ("fly-max-duration-neg", [*FLY, "--max-duration-s", "-5"], "--max-duration-s -5 must be > 0"),
    ("fly-max-duration-nan", [*FLY, "--max-duration-s", "nan"], "must be > 0"),
    ("fly-fuel-zero", [*FLY, "--fuel-kg", "0"], "fuel 0.0 kg is outside (0, 4"),
    ("fly-fuel-over", [*FLY, "--fuel-kg", "10"], "fuel 10.0 kg is outside (0, 4"),
    ("fly-fuel-nan", [*FLY, "--fuel-kg", "nan"], "fuel nan kg is outside"),
    ("fly-log-hz-0", [*FLY, "--log-hz", "0"], "log rate must be in [1, 50] Hz"),
    ("fly-log-hz-big", [*FLY, "--log-hz", "1000"], "log rate must be in [1, 50] Hz"),
    ("fly-wind-bad", [*FLY, "--wind", "270@"], "invalid wind '270@'"),
    ("fly-wind-negative", [*FLY, "--wind", "270@-5"], "speed -5 m/s is negative"),
    ("fly-turbulence", [*FLY, "--turbulence", "extreme"], "invalid turbulence 'extreme'"),
    ("fly-seed-text", [*FLY, "--seed", "one"], "Invalid value for '--seed'"),
    # --- fly: faults ----------------------------------------------------------------------
    ("fly-fault-after-end", [*FLY, "--fault", "gust@99999999"], "starts after the flight's"),
    ("fly-fault-kind", [*FLY, "--fault", "bogus@10"], "unknown kind 'bogus'"),
    ("fly-fault-no-at", [*FLY, "--fault", "gnss_loss"], "expected KIND@T[:DURATION]"),
    ("fly-fault-negative", [*FLY, "--fault", "gnss_loss@-5"], "start time -5.0 s must be >= 0"),
    ("fly-fault-duration", [*FLY, "--fault", "gust@10:5"], "gust: takes no duration"),
    ("fly-fault-mask", [*FLY, "--fault", "sensor_nan@10,mask=1.5"], "must be a whole number"),
    ("fly-fault-param", [*FLY, "--fault", "fuel_leak@10,rate=99"], "rate = 99 kg/h is outside"),
    ("fly-fault-param-name", [*FLY, "--fault", "fuel_leak@10,speed=1"], "unknown parameter"),
    # --- fly: files -----------------------------------------------------------------------
    ("fly-airframe-missing", [*FLY, "--airframe", "missing.toml"], "missing.toml: file not found"),
    ("fly-airframe-unknown", [*FLY, "--airframe", "cessna"], "unknown airframe 'cessna'"),
    ("fly-airframe-heavy", [*FLY, "--airframe", "heavy.toml"], "below stall"),
    ("fly-airframe-no-fuel", [*FLY, "--airframe", "nofuel.toml"], "no fuel"),
    (
        "fly-airframe-bad-landing",
        [*FLY, "--airframe", "badland.toml"],
        "'landing.max_sink_mps' = -1 is out of range",
    ),
    (
        "fly-airframe-no-landing",
        [*FLY, "--airframe", "noland.toml"],
        "missing required field 'landing.max_sink_mps'",
    ),
    ("fly-mission-missing", ["fly", "nope.plan", "--out", OUT], "nope.plan"),
    ("fly-mission-bad-json", ["fly", "bad.plan", "--out", OUT], "bad.plan"),
    ("fly-mission-folder", ["fly", "mine", "--out", OUT], "mine"),
    ("fly-mission-empty-file", ["fly", "empty.waypoints", "--out", OUT], "empty.waypoints"),
    ("fly-no-mission", ["fly", "--out", OUT], "give a MISSION file (or --rerun RUN_DIR)"),
    (
        "fly-mission-no-items",
        ["fly", "empty.plan", "--out", OUT],
        "the mission has no navigation items",
    ),
    (
        "fly-mission-below-ground",
        ["fly", "below.plan", "--out", OUT],
        "item 2 (NAV_WAYPOINT): altitude -5000 m AMSL is 5060 m below the ground",
    ),
    ("fly-rerun-not-run", ["fly", "--rerun", "notarun", "--out", OUT], "not a longwing fly run"),
    ("fly-rerun-sim-run", ["fly", "--rerun", "simrun", "--out", OUT], "not a longwing fly run"),
    (
        "fly-rerun-extra",
        ["fly", "--rerun", "notarun", "--out", OUT, "--seed", "3"],
        "--rerun flies the run's own inputs; remove --seed",
    ),
    # --- sim ------------------------------------------------------------------------------
    ("sim-out-user-folder", ["sim", "--out", "mine"], "longwing did not make"),
    ("sim-out-file", ["sim", "--out", "file.txt"], "is an existing file"),
    ("sim-duration-0", [*SIM, "--duration-s", "0"], "duration must be positive"),
    ("sim-duration-long", [*SIM, "--duration-s", "1e9"], "exceeds 30 days"),
    ("sim-altitude-ground", [*SIM, "--altitude", "-50"], "is not above the ground"),
    ("sim-heading-nan", [*SIM, "--heading-deg", "nan"], "--heading-deg must be a finite number"),
    ("sim-airspeed-stall", [*SIM, "--airspeed", "15"], "below stall"),
    ("sim-seed-negative", [*SIM, "--seed", "-1"], "seed -1 must be in [0, 2^63)"),
    ("sim-dt-zero", [*SIM, "--dt", "0"], "time step must be in (0, 0.1] s"),
    ("sim-longitude", [*SIM, "--longitude", "400"], "--longitude 400 is outside"),
    # --- trim -----------------------------------------------------------------------------
    ("trim-stall", ["trim", "--airspeed", "15"], "below stall"),
    ("trim-power", ["trim", "--airspeed", "40"], "beyond power"),
    ("trim-latitude", ["trim", "--latitude", "95"], "--latitude 95 is outside"),
    ("trim-fuel", ["trim", "--fuel-kg", "7"], "fuel 7.0 kg is outside"),
    ("trim-turn", ["trim", "--turn-radius", "0"], "--turn-radius must be a non-zero"),
    # --- plan -----------------------------------------------------------------------------
    ("plan-check-missing", ["plan", "check", "nope.plan"], "nope.plan"),
    ("plan-check-fuel", ["plan", "check", SURVEY, "--fuel-kg", "9"], "--fuel-kg 9 is outside"),
    ("plan-check-wind", ["plan", "check", SURVEY, "--wind", "x@y"], "invalid wind"),
    (
        "plan-check-param",
        ["plan", "check", SURVEY, "--param", "LW_FUEL_RSV_PCT=150"],
        "LW_FUEL_RSV_PCT = 150 is outside [0, 100] %",
    ),
    (
        "plan-check-param-name",
        ["plan", "check", SURVEY, "--param", "NOPE=1"],
        "unknown parameter 'NOPE'",
    ),
    (
        "plan-check-turbulence",
        ["plan", "check", SURVEY, "--turbulence", "bogus"],
        "invalid turbulence 'bogus'",
    ),
    ("plan-route-user-file", [*ROUTE, "--out", "user.plan"], "not written by longwing"),
    ("plan-route-not-plan", [*ROUTE, "--out", "file.txt"], ".plan"),
    # --- sitl -----------------------------------------------------------------------------
    ("sitl-tcp-port", ["sitl", "--tcp-port", "70000", "--out", OUT], "must be in 1-65535"),
    ("sitl-bind", ["sitl", "--bind", "999.1.1.1", "--out", OUT], "is not an IP address"),
    ("sitl-out-user-folder", ["sitl", "--out", "mine"], "longwing did not make"),
    ("sitl-speedup", ["sitl", "--speedup", "0", "--out", OUT], "--speedup 0 must be in"),
    (
        "sitl-mission-below-ground",
        ["sitl", "--mission", "below.plan", "--out", OUT],
        "item 2 (NAV_WAYPOINT): altitude -5000 m AMSL",
    ),
    (
        "sitl-wind-file-no-mission",
        ["sitl", "--wind-file", "file.txt", "--out", OUT],
        "--wind-file needs --mission",
    ),
    (
        "sitl-wind-and-wind-file",
        ["sitl", "--mission", SURVEY, "--wind", "270@5", "--wind-file", "file.txt", "--out", OUT],
        "give --wind or --wind-file, not both",
    ),
    (
        "sitl-start-time-alone",
        ["sitl", "--start-time", "2026-12-07T00:00Z", "--out", OUT],
        "--start-time is the time of a --wind-file",
    ),
    (
        "sitl-wind-file-not-wind",
        ["sitl", "--mission", SURVEY, "--wind-file", "file.txt", "--out", OUT],
        "file.txt",
    ),
    (
        "sitl-min-clearance",
        ["sitl", "--min-clearance-m", "-1", "--out", OUT],
        "--min-clearance-m must be >= 0",
    ),
    (
        "fly-min-clearance",
        [*FLY, "--dem", "empty.waypoints", "--min-clearance-m", "nan"],
        "empty.waypoints",
    ),
    ("fly-ignore-terrain-alone", [*FLY, "--ignore-terrain"], "--ignore-terrain is about a --dem"),
    ("plan-check-no-items", ["plan", "check", "empty.plan"], "no navigation items"),
]


def test_the_table_holds_at_least_sixty_cases():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("args", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_nothing_written(
    monkeypatch, capsys, tmp_path, args, fragment
):
    _setup(tmp_path)
    monkeypatch.chdir(tmp_path)
    # as on a fresh install: the kernels not compiled yet (the note must not come first)
    monkeypatch.setattr("longwing.cli_fly.kernels_cold", lambda kernel=None: True)
    before = _tree(tmp_path)
    monkeypatch.setattr(sys, "argv", ["longwing", *args])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    cap = capsys.readouterr()
    assert exc.value.code == 2, cap.err
    lines = [ln for ln in cap.err.strip().splitlines() if ln.strip()]
    if "Invalid value" in fragment:  # typer's own usage error: a short usage box
        assert fragment in cap.err
    else:
        assert len(lines) == 1 and lines[0].startswith("error: "), cap.err
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in cap.err and cap.out == ""
    assert _tree(tmp_path) == before
    assert not os.path.exists(tmp_path / "runs")
