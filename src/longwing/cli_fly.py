"""`longwing fly`: fly a mission, write a run folder, say how the flight ended.

Every input is checked before the flight starts (the output path included: see
:mod:`longwing.logs.outputs`); a bad one is one line and exit code 2 with nothing written.
The run folder keeps exact copies of the mission and airframe files and records every
input in ``summary.json`` (``scenario``, ``provenance``), so ``longwing fly --rerun RUN_DIR
--out NEW`` flies the same flight again, bit for bit.

Exit codes: 0 the flight was simulated to its end, whatever the outcome (stated on the
terminal and in summary.json); 2 bad input; 130 interrupted (Ctrl-C), nothing written.
"""

from __future__ import annotations

import math
import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from longwing.cli_errors import UsageFailure
from longwing.cli_fly_inputs import (
    FlyArgs,
    Prepared,
    load_rerun,
    prepare,
    scenario_run_args,
    sha256,
)
from longwing.cli_options import DemOption

err = Console(stderr=True)
out = Console()
COLD_COMPILE_S = 60  # measured: a first flight on an empty numba cache, 2-core machine
COMPILE_NOTE = f"compiling flight kernels (one time, about {COLD_COMPILE_S} s)"
RERUN_OPTIONS = ("out_dir", "as_json", "rerun")  # the options --rerun may be given with
PLOT_ROWS = 20_000  # the report plots 20,000-40,000 rows of the log (every k-th)
BIN_NAME = "flight.bin"  # the run's ArduPilot DataFlash log (docs/logs.md)


def kernels_cold(kernel=None) -> bool:
    """True if ``kernel`` (default: the closed loop) is not in numba's disk cache, so that
    its first call compiles it (about a minute)."""
    try:
        if kernel is None:
            from longwing.sim.closedloop import run_chunk as kernel
        return len(kernel._cache._cache_file._load_index()) == 0
    except Exception:  # noqa: BLE001 - a private numba API: if it changes, say nothing
        return False


def note_compile(kernel=None) -> None:
    """One line before the progress bar when the flight kernels must be compiled first."""
    if kernels_cold(kernel):
        err.print(COMPILE_NOTE)


def fly_params(prep: Prepared) -> list[tuple[str, float, float]]:
    """(name, value, default) of every parameter the flight flies with (the DataFlash
    log's PARM records): the SITL's parameter table with the --param values."""
    from longwing.mavlink.params import ParamStore

    store = ParamStore(prep.scenario.airframe)
    store.update(prep.params)
    return [(n, float(v), float(store.info(n).default)) for n, v in store.values().items()]


def _scenario_record(args: FlyArgs, prep: Prepared, copies: dict[str, str]) -> dict:
    sc = prep.scenario
    return {
        **{k: v for k, v in asdict(args).items() if k not in ("faults", "params")},
        "faults": list(args.faults),
        "params": dict(prep.params),
        "airframe_name": sc.airframe.name,
        "mission_sha256": sha256(prep.mission_bytes),
        "airframe_sha256": sha256(prep.airframe_bytes),
        "mission_copy": copies["mission"],
        "airframe_copy": copies["airframe"],
        # the report's Wind row: the file (and start) when the wind came from one
        **(
            {"wind": f"{args.wind_file} from {args.start_time or 'its first time'}"}
            if args.wind_file
            else {}
        ),
        "wind_sha256": prep.wind_sha256,
        "dem_sha256": prep.dem_sha256,
        "wind_copy": copies.get("wind"),  # None: too large, flown again from wind_file
        "wind_grid": sc.wind.describe() if hasattr(sc.wind, "describe") else None,
        **(_drawn_record(args, prep) if prep.drawn is not None else {}),
    }


def _drawn_record(args: FlyArgs, prep: Prepared) -> dict:
    """What a batch scenario's run flew (not the CLI's defaults): its wind, turbulence,
    flight seed, fuel, faults and every input drawn for it."""
    from longwing.batch.scenario import load_scenario

    sc, fs, drawn = load_scenario(args.scenario), prep.scenario, prep.drawn
    if sc.wind_file is None and fs.wind.alt_m.size == 1:  # one layer: the wind flown
        wn, we = float(fs.wind.wn_mps[0]), float(fs.wind.we_mps[0])
        wind = f"{math.degrees(math.atan2(-we, -wn)) % 360.0:.1f}@{math.hypot(wn, we):.2f}"
    else:
        wind = f"{sc.wind_file} from {sc.start_time or 'its first time'}" if sc.wind_file \
            else sc.wind  # fmt: skip
        if "wind_speed_scale" in drawn or "wind_dir_offset_deg" in drawn:
            wind += (f" x {drawn.get('wind_speed_scale', 1.0):.3f}, veered "
                     f"{drawn.get('wind_dir_offset_deg', 0.0):+.1f} deg")  # fmt: skip
    faults = [f"{f.kind}@{f.t_s:g}" + ("" if f.duration_s is None else f":{f.duration_s:g}")
              for f in fs.faults]  # fmt: skip
    return {"wind": wind, "turbulence": fs.turbulence.name.lower(), "seed": fs.seed,
            "fuel_kg": fs.fuel_kg, "faults": faults, "drawn": drawn}  # fmt: skip


def _provenance() -> dict:
    import numba
    import numpy

    from longwing.provenance import git_commit, version

    argv = ["longwing", *sys.argv[1:]]
    return {
        "longwing_version": version(),
        "git_commit": git_commit(),
        "command_line": argv,
        "command": shlex.join(argv),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "numba": numba.__version__,
    }


def run_fly(args: FlyArgs, out_dir: Path, as_json: bool, rerun_of: Path | None = None) -> None:
    """Check, fly, write, report (see the module doc). The log streams into the run
    folder's staging folder during the flight; everything else is written at the end."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from longwing.io.memory import release_freed_memory
    from longwing.logs.dataflash_flight import FlightDataflash
    from longwing.logs.logfile import LogTee, LogWriter
    from longwing.logs.outputs import check_run_dir
    from longwing.logs.report import PLOT_COLUMNS
    from longwing.sim import closedloop as cl
    from longwing.sim.runner import Flight

    try:
        check_run_dir(out_dir, "fly")
        prep = prepare(args)
        cold = kernels_cold()  # before Flight() loads (or compiles) the trim kernels
        flight = Flight(prep.scenario)
    except (ValueError, OSError) as exc:  # MissionError, AirframeError, FaultError, ...
        raise UsageFailure(str(exc)) from None
    if cold:  # every input is good: now say why the first flight waits
        err.print(COMPILE_NOTE)
    with _stage(out_dir, "fly") as stage:
        writer = LogWriter(stage.path / "log.parquet", cl.LOG_COLUMNS, ("mode", "target"),
                           plot_columns=PLOT_COLUMNS, plot_rows=PLOT_ROWS)  # fmt: skip
        bin_file = open(stage.path / BIN_NAME, "wb")  # noqa: SIM115 - closed after the flight
        binlog = FlightDataflash(bin_file, flight, cl.LOG_COLUMNS, fly_params(prep))
        flight.stream_log_to(LogTee(writer, binlog))
        route_km = flight.route_m / 1000.0
        progress = Progress(
            TextColumn("[bold]fly"), BarColumn(), TextColumn("{task.fields[t]:>8.0f} s"),
            TextColumn("{task.fields[dist]:>8.1f}/{task.fields[route]:.0f} km"),
            TextColumn("fuel {task.fields[fuel]:.3f} kg"), TextColumn("item {task.fields[seq]}"),
            TimeElapsedColumn(), console=err,
        )  # fmt: skip
        with progress:
            task = progress.add_task("fly", total=max(route_km, 1e-3), t=0.0, dist=0.0,
                                     route=route_km, fuel=flight.fuel0, seq=0)  # fmt: skip

            def on_progress(t_s: float, fuel: float, dist_m: float, seq: int) -> None:
                progress.update(task, completed=min(dist_m / 1000.0, route_km), t=t_s,
                                dist=dist_m / 1000.0, fuel=fuel, seq=seq)  # fmt: skip

            flight.progress = on_progress
            try:
                flight.run()
            finally:
                writer.close()
                binlog.close()
                bin_file.close()
        res = flight.result()
        del flight  # its buffers are not needed for the report
        release_freed_memory()
        _commit_fly_folder(stage, args, prep, res, writer.plot_sample(), rerun_of)
    summary = res.summary
    if as_json:
        from longwing.logs.runfolder import dumps

        print(dumps(summary))
        return
    print_outcome(summary, out_dir)


class _stage:
    """A RunStage whose file errors are one line for the user (exit 2)."""

    def __init__(self, out_dir: Path, kind: str) -> None:
        from longwing.logs.runfolder import RunStage

        self.out_dir = out_dir
        try:
            self.stage = RunStage(out_dir, kind)
        except OSError as exc:
            raise UsageFailure(f"--out {out_dir}: cannot write the run folder: "
                               f"{exc.strerror or exc}") from None  # fmt: skip
        except ValueError as exc:  # OutputError
            raise UsageFailure(str(exc)) from None

    def __enter__(self):
        return self.stage

    def __exit__(self, kind, exc, tb) -> bool:
        self.stage.__exit__(kind, exc, tb)
        if isinstance(exc, OSError):
            raise UsageFailure(f"--out {self.out_dir}: cannot write the run folder: "
                               f"{exc.strerror or exc}") from None  # fmt: skip
        from longwing.logs.outputs import OutputError

        if isinstance(exc, OutputError):  # the path changed under us during the flight
            raise UsageFailure(str(exc)) from None
        return False


def _commit_fly_folder(stage, args: FlyArgs, prep: Prepared, res, cols: dict,
                       rerun_of) -> None:  # fmt: skip
    from longwing.logs.report import render_report
    from longwing.logs.runfolder import to_file_units
    from longwing.sim import closedloop as cl

    suffix = Path(args.mission_file).suffix.lower() or ".txt"
    copies = {"mission": f"mission{suffix}", "airframe": "airframe.toml"}
    if prep.wind_bytes is not None:
        copies["wind"] = "wind" + (Path(str(args.wind_file)).suffix.lower() or ".dat")
    summary = res.summary
    summary["mission_file"] = args.mission_file
    summary["out_dir"] = str(stage.out_dir)
    summary["scenario"] = _scenario_record(args, prep, copies)
    summary["provenance"] = _provenance()
    if rerun_of is not None:
        summary["rerun_of"] = str(rerun_of)
    late = [f for f in summary.get("faults", ()) if f["t_s"] > summary["flight_time_s"]]
    if late:
        summary["faults_not_applied"] = late
    triggers = to_file_units(cl.TRIGGER_COLUMNS, res.triggers)
    mission_events = [e.as_dict() for e in res.events]
    events = mission_events + [{"kind": "camera_trigger", **row} for row in triggers.to_pylist()]
    title = f"longwing fly: {Path(args.mission_file).name}"
    extra = {
        "report.html": render_report(title, cols, summary, mission_events),
        copies["mission"]: prep.mission_bytes,
        copies["airframe"]: prep.airframe_bytes,
    }
    if prep.wind_bytes is not None:
        extra[copies["wind"]] = prep.wind_bytes
    stage.commit(summary, events, extra)


def write_sim_folder(out_dir: Path, columns, log, summary: dict, events: list,
                     report: str) -> None:  # fmt: skip
    """`longwing sim`'s run folder, atomically; file errors are one line."""
    from longwing.logs.logfile import write_log

    with _stage(out_dir, "sim") as stage:
        write_log(stage.path / "log.parquet", columns, log)
        stage.commit(summary, events, {"report.html": report})


def _hms(t_s: float) -> str:
    t = int(round(t_s))
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"


def print_outcome(s: dict, out_dir: Path) -> None:
    """The last lines of `fly`: how it ended, completed or not, and every failsafe."""
    style = {"landed": "bold green", "crashed": "bold red", "landed_out": "bold yellow"}
    state = s["end_state"]
    lines = [
        f"[{style.get(state, 'bold')}]{state.upper()}[/]: {s['end_reason']}",
        f"completed: {'yes' if s['completed'] else 'no'}"
        + (f" ({'; '.join(s['why_not_completed'])})" if s.get("why_not_completed") else "")
        + f"; navigation items reached {s['nav_items_reached']}/{s['nav_items_total']}",
        f"{s['distance_km']:.1f} km in {s['flight_time_s'] / 3600:.2f} h; fuel used "
        f"{s['fuel_used_kg']:.3f} kg, remaining {s['fuel_remaining_kg']:.3f} kg"
        + (f" (ran dry at {_hms(s['fuel_exhausted_t_s'])})" if s["fuel_exhausted_t_s"] else ""),
    ]
    td = s.get("touchdown")
    if td is not None:
        where = (f"{td['along_m']:+.1f} m along, {td['across_m']:+.1f} m across the landing "
                 "point; " if "along_m" in td else "")  # fmt: skip
        lines.append(f"touchdown: {where}sink {td['sink_mps']:.2f} m/s, ground speed "
                     f"{td['groundspeed_mps']:.1f} m/s, bank {td['bank_deg']:.1f} deg, pitch "
                     f"{td['pitch_deg']:.1f} deg")  # fmt: skip
    from longwing.mission.failsafe import NOTICE_KINDS

    every = s.get("failsafes", [])
    fs = [f for f in every if f["kind"] not in NOTICE_KINDS]
    lines.append(f"failsafes: {len(fs)}" if fs else "failsafes: none")
    for f in every:  # in time order; notices (no action) say so
        label = "notice " if f["kind"] in NOTICE_KINDS else ""
        lines.append(f"  {_hms(f['t_s'])} {label}{f['kind']}: {f['action']} at "
                     f"{f['lat_deg']:.5f}, {f['lon_deg']:.5f}, {f['alt_m']:.0f} m "
                     f"({f['detail']})")  # fmt: skip
    for f in s.get("faults_not_applied", []):
        lines.append(f"  note: fault {f['kind']}@{f['t_s']:g} s was never applied: the flight "
                     f"ended at {s['flight_time_s']:.0f} s")  # fmt: skip
    rtf = s.get("realtime_factor")
    lines.append((f"{rtf:.0f}x real time; " if rtf else "")
                 + f"wrote {out_dir}/ (report: {out_dir}/report.html)")  # fmt: skip
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)


def fly(
    ctx: typer.Context,
    mission_file: Annotated[
        Path | None, typer.Argument(help="QGC .plan or QGC WPL 110 mission.")
    ] = None,
    airframe: Annotated[
        str, typer.Option("--airframe", help="Bundled airframe name or path to a TOML file.")
    ] = "aerosonde",
    wind: Annotated[
        str | None,
        typer.Option(help="DIR_DEG@SPEED_MPS (from), or ALT:DIR@SPD,... layers [calm]."),
    ] = None,
    wind_file: Annotated[
        Path | None,
        typer.Option(
            help="The truth's wind from a file: GRIB2, NetCDF or CSV grid (docs/winds.md)."
        ),  # fmt: skip
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(
            help="Launch time, ISO 8601 UTC (2026-12-07T12:00Z), for --wind-file "
            "[the file's first time]."
        ),  # fmt: skip
    ] = None,
    turbulence: Annotated[str, typer.Option(help="none|light|moderate|severe")] = "none",
    dem: DemOption = None,
    ignore_terrain: Annotated[
        bool,
        typer.Option("--ignore-terrain", help="Fly legs plan check calls terrain conflicts."),
    ] = False,
    min_clearance_m: Annotated[
        float, typer.Option(help="With --dem: the clearance plan check requires, m.")
    ] = 50.0,
    seed: Annotated[int, typer.Option(help="Random seed (sensors, turbulence).")] = 1,
    fuel_kg: Annotated[float | None, typer.Option(help="Fuel at launch, kg [full].")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder to write.")] = Path("runs/fly"),
    truth_nav: Annotated[
        bool, typer.Option("--truth-nav", help="Fly on the true state (debug).")
    ] = False,
    max_duration_s: Annotated[
        float | None, typer.Option(help="Stop after this much simulated time, s.")
    ] = None,
    log_hz: Annotated[float, typer.Option(help="Log rate, Hz.")] = 10.0,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject a fault: KIND@T[:DURATION][,PARAM=V] (repeatable), kinds gnss_loss, "
            "gnss_drift, pitot_blocked, mag_fail, engine_failure, fuel_leak, link_loss, gust, "
            "sensor_nan."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            help="Set a parameter NAME=VALUE (repeatable), ArduPlane names as `longwing sitl` "
            "lists them: autopilot gains (NAVL1_PERIOD), failsafes (FS_LONG_ACTN), mission "
            "settings (RTL_ALTITUDE)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    rerun: Annotated[
        Path | None,
        typer.Option(help="Fly an earlier run again from its folder (with --out NEW)."),
    ] = None,
    scenario: Annotated[
        Path | None, typer.Option(help="A batch scenario TOML: fly its run --run alone.")
    ] = None,
    run: Annotated[int | None, typer.Option(help="The run of --scenario to fly.")] = None,
) -> None:
    """Fly a mission from launch to landing and write a run folder with a report.

    Exit codes: 0 simulated to its end (the outcome is stated), 2 bad input, 130
    interrupted (nothing written).
    """
    if rerun is not None:
        given = [
            name for name in ctx.params
            if name not in RERUN_OPTIONS
            and getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
        ]  # fmt: skip
        if given:
            flags = ", ".join("MISSION" if n == "mission_file" else "--" + n.replace("_", "-")
                              for n in given)  # fmt: skip
            raise UsageFailure(f"--rerun flies the run's own inputs; remove {flags}")
        try:
            args = load_rerun(rerun)
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
        run_fly(args, out_dir, as_json, rerun_of=rerun)
        return
    if scenario is not None or run is not None:
        given = [
            name for name in ctx.params
            if name not in RERUN_OPTIONS + ("scenario", "run")
            and getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
        ]  # fmt: skip
        if scenario is None or run is None or given:
            raise UsageFailure("--scenario S --run I fly a batch's run as it is: give both, "
                               "and no mission or flight options")  # fmt: skip
        try:
            args = scenario_run_args(scenario, run)
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
        run_fly(args, out_dir, as_json)
        return
    if mission_file is None:
        raise UsageFailure("give a MISSION file (or --rerun RUN_DIR)")
    if wind is not None and wind_file is not None:
        raise UsageFailure("give --wind or --wind-file, not both")
    args = FlyArgs(
        mission_file=str(mission_file), airframe=airframe, wind=wind or "calm",
        wind_file=None if wind_file is None else str(wind_file), start_time=start_time,
        turbulence=turbulence,
        seed=seed, fuel_kg=fuel_kg, truth_nav=truth_nav, max_duration_s=max_duration_s,
        log_hz=log_hz, faults=tuple(fault or ()), params=tuple(param or ()),
        dem=tuple(str(d) for d in dem) if dem else None, ignore_terrain=ignore_terrain,
        min_clearance_m=min_clearance_m,
    )  # fmt: skip
    run_fly(args, out_dir, as_json)
