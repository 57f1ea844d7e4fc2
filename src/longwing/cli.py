"""The `longwing` command line: airframes, trim, open-loop sim, fly, plan.

Bad input (unknown airframe, impossible trim, malformed wind, ...) prints one line on stderr
and exits with code 2; no traceback, no partial output.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from longwing.airframe.loader import AirframeError, list_bundled_airframes, load_airframe
from longwing.airframe.params import Airframe
from longwing.cli_errors import UsageFailure
from longwing.cli_plan import plan_app
from longwing.cli_sitl import sitl

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="longwing: long-range fixed-wing UAV flight stack (simulation, trim, missions).",
)
app.add_typer(plan_app, name="plan")
app.command()(sitl)
err = Console(stderr=True)
out = Console()


def _airframe(name_or_path: str) -> Airframe:
    try:
        return load_airframe(name_or_path)
    except AirframeError as exc:
        raise UsageFailure(str(exc)) from None


AirframeOpt = Annotated[
    str, typer.Option("--airframe", help="Bundled airframe name or path to a TOML file.")
]


@app.command()
def airframes() -> None:
    """List the bundled airframes."""
    for name in list_bundled_airframes():
        out.print(name)


@app.command()
def trim(
    airframe: AirframeOpt = "aerosonde",
    airspeed: Annotated[float, typer.Option(help="True airspeed, m/s.")] = 25.0,
    altitude: Annotated[float, typer.Option(help="Altitude, m above mean sea level.")] = 500.0,
    latitude: Annotated[float, typer.Option(help="Latitude, deg (sets gravity).")] = 45.0,
    climb_deg: Annotated[float, typer.Option(help="Flight-path angle, deg.")] = 0.0,
    fuel_kg: Annotated[float | None, typer.Option(help="Fuel on board, kg [full].")] = None,
    turn_radius: Annotated[
        float | None,
        typer.Option(help="Coordinated turn radius, m (> 0 right, < 0 left); omit: straight."),
    ] = None,
    modes: Annotated[bool, typer.Option("--modes", help="Also linearise: modes.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve trim (level, climbing, or coordinated turn) and optionally the linear modes."""
    from longwing.physics import trim as trim_mod

    af = _airframe(airframe)
    fuel = af.mass.fuel_capacity_kg if fuel_kg is None else fuel_kg
    if turn_radius is not None and (turn_radius == 0.0 or not math.isfinite(turn_radius)):
        raise UsageFailure(f"--turn-radius must be a non-zero finite number, got {turn_radius}")
    if not -90.0 <= latitude <= 90.0:
        raise UsageFailure(f"--latitude {latitude:g} is outside [-90, 90] deg")
    if not -89.0 < climb_deg < 89.0:
        raise UsageFailure(f"--climb-deg {climb_deg:g} is outside (-89, 89) deg")
    cond = trim_mod.TrimCondition(
        airspeed_mps=airspeed,
        altitude_m=altitude,
        latitude_rad=math.radians(latitude),
        fuel_kg=fuel,
        climb_rad=math.radians(climb_deg),
        turn_radius_m=math.inf if turn_radius is None else turn_radius,
    )
    try:
        tr = trim_mod.trim(af, cond)
    except trim_mod.TrimError as exc:
        raise UsageFailure(str(exc)) from None
    result = {
        "airframe": af.name,
        "airspeed_mps": airspeed,
        "altitude_m": altitude,
        "latitude_deg": latitude,
        "climb_deg": climb_deg,
        "turn_radius_m": turn_radius,
        "fuel_kg": fuel,
        "mass_kg": tr.mass_kg,
        "alpha_deg": math.degrees(tr.alpha_rad),
        "beta_deg": math.degrees(tr.beta_rad),
        "elevator_deg": math.degrees(tr.elevator_rad),
        "aileron_deg": math.degrees(tr.aileron_rad),
        "rudder_deg": math.degrees(tr.rudder_rad),
        "throttle": tr.throttle,
        "bank_deg": math.degrees(tr.phi_rad),
        "pitch_deg": math.degrees(tr.theta_rad),
        "power_w": tr.power_w,
        "thrust_n": tr.thrust_n,
        "fuel_flow_kg_per_h": tr.fuel_flow_kgps * 3600.0,
        "lift_to_drag": tr.lift_to_drag,
        "gravity_mps2": tr.gravity_mps2,
        "density_kgpm3": tr.rho_kgpm3,
    }
    if modes:
        result["modes"] = {k: m.as_dict() for k, m in trim_mod.modes(af, cond, tr).items()}
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"Trim: {af.name}", show_header=True)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, val in result.items():
        if key == "modes":
            continue
        table.add_row(key, f"{val:.4g}" if isinstance(val, float) else str(val))
    out.print(table)
    if modes:
        mt = Table(title="Linear modes (decoupled)")
        for col in ("mode", "eigenvalue", "freq rad/s", "damping", "time const s"):
            mt.add_column(col, justify="right")
        for name, m in result["modes"].items():
            re, im = m["eigenvalues"][0]
            tc = m["time_constant_s"]
            timing = f"{tc:.2f}" if tc is not None else f"doubles in {m['time_to_double_s']:.1f}"
            mt.add_row(name, f"{re:.4f} ± {abs(im):.4f}j" if im else f"{re:.4f}",
                       f"{m['frequency_rad_s']:.3f}", f"{m['damping']:.3f}", timing)  # fmt: skip
        out.print(mt)


@app.command()
def sim(
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder to write.")] = Path("runs/sim"),
    airframe: AirframeOpt = "aerosonde",
    airspeed: Annotated[float, typer.Option(help="Airspeed, m/s.")] = 25.0,
    altitude: Annotated[float, typer.Option(help="Altitude, m MSL.")] = 1500.0,
    latitude: Annotated[float, typer.Option(help="Start latitude, deg.")] = 47.63,
    longitude: Annotated[float, typer.Option(help="Start longitude, deg.")] = -52.93,
    heading_deg: Annotated[float, typer.Option(help="Heading to hold, deg true.")] = 60.0,
    duration_s: Annotated[float, typer.Option(help="Simulated time, s.")] = 3600.0,
    fuel_kg: Annotated[float | None, typer.Option(help="Fuel at start, kg [full].")] = None,
    wind: Annotated[
        str, typer.Option(help="DIR_DEG@SPEED_MPS (from), or ALT:DIR@SPD,... layers.")
    ] = "calm",
    turbulence: Annotated[str, typer.Option(help="none|light|moderate|severe")] = "none",
    seed: Annotated[int, typer.Option(help="Random seed (turbulence).")] = 1,
    dt: Annotated[float, typer.Option(help="Integration step, s.")] = 1.0 / 120.0,
    log_hz: Annotated[float, typer.Option(help="Log rate, Hz.")] = 10.0,
    hold: Annotated[
        bool, typer.Option("--hold/--no-hold", help="Heading/altitude/airspeed hold loops.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Fly open loop from trim (trim controls held, with simple hold loops) and log it."""
    from longwing.logs.outputs import check_run_dir
    from longwing.logs.report import render_report
    from longwing.logs.runfolder import dumps, to_file_units
    from longwing.physics.trim import TrimError
    from longwing.physics.turbulence import parse_turbulence
    from longwing.physics.wind import parse_wind
    from longwing.sim.fastloop import LOG_COLUMNS
    from longwing.sim.openloop import OpenLoopScenario, simulate_open_loop

    af = _airframe(airframe)
    try:
        check_run_dir(out_dir, "sim")
        wind_field = parse_wind(wind)
        turb = parse_turbulence(turbulence)
        if not -180.0 <= longitude <= 360.0:
            raise ValueError(f"--longitude {longitude:g} is outside [-180, 360] deg")
        if duration_s > 30 * 86400:
            raise ValueError(f"--duration-s {duration_s:g} exceeds 30 days")
        sc = OpenLoopScenario(
            airframe=af,
            airspeed_mps=airspeed,
            alt_m=altitude,
            lat_rad=math.radians(latitude),
            lon_rad=math.radians(longitude),
            heading_rad=math.radians(heading_deg),
            duration_s=duration_s,
            fuel_kg=af.mass.fuel_capacity_kg if fuel_kg is None else fuel_kg,
            wind=wind_field,
            turbulence=turb,
            seed=seed,
            dt_s=dt,
            log_hz=log_hz,
            hold=hold,
        )
    except ValueError as exc:
        raise UsageFailure(str(exc)) from None

    progress = Progress(
        TextColumn("[bold]sim"),
        BarColumn(),
        TextColumn("{task.fields[t]:>9.0f}/{task.total:.0f} s"),
        TextColumn("{task.fields[dist]:>8.1f} km"),
        TextColumn("fuel {task.fields[fuel]:.3f} kg"),
        TimeElapsedColumn(),
        console=err,
    )
    with progress:
        task = progress.add_task("sim", total=duration_s, t=0.0, dist=0.0, fuel=sc.fuel_kg)

        def on_progress(t_s: float, fuel: float, dist_m: float) -> None:
            progress.update(task, completed=t_s, t=t_s, dist=dist_m / 1000.0, fuel=fuel)

        try:
            res = simulate_open_loop(sc, on_progress)
        except TrimError as exc:
            raise UsageFailure(str(exc)) from None
    summary = dict(res.summary)
    summary["out_dir"] = str(out_dir)
    table = to_file_units(LOG_COLUMNS, res.log)
    events = [e.as_dict() for e in res.events]
    cols = {name: table.column(name).to_numpy() for name in table.column_names}
    report = render_report(f"longwing sim: {af.name}", cols, summary, events)
    _write(out_dir, table, summary, events, report, "sim")
    if as_json:
        print(dumps(summary))
        return
    fin = summary["final"]
    out.print(
        f"[bold]{summary['end_reason']}[/]: flew {summary['distance_flown_km']:.1f} km over "
        f"ground in {summary['flight_time_s']:.0f} s ({summary['displacement_km']:.1f} km from "
        f"start, bearing {summary['displacement_azimuth_deg']:.1f} deg)\n"
        f"fuel used {summary['fuel_used_kg']:.3f} kg, remaining "
        f"{summary['fuel_remaining_kg']:.3f} kg\n"
        f"final position {fin['lat_deg']:.5f}, {fin['lon_deg']:.5f}, {fin['alt_m']:.1f} m\n"
        f"{summary['realtime_factor']:.0f}x real time; wrote {out_dir}/ (report: "
        f"{out_dir}/report.html)"
    )


@app.command()
def fly(
    mission_file: Annotated[Path, typer.Argument(help="QGC .plan or QGC WPL 110 mission.")],
    airframe: AirframeOpt = "aerosonde",
    wind: Annotated[
        str, typer.Option(help="DIR_DEG@SPEED_MPS (from), or ALT:DIR@SPD,... layers.")
    ] = "calm",
    turbulence: Annotated[str, typer.Option(help="none|light|moderate|severe")] = "none",
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
            "gnss_drift, pitot_blocked, mag_fail, engine_failure, fuel_leak, link_loss, gust."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            help="Set a parameter NAME=VALUE (repeatable): autopilot gains (e.g. "
            "NAVL1_PERIOD), failsafe settings (e.g. FS_LONG_ACTN) or mission settings "
            "(e.g. RTL_ALTITUDE)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Fly a mission from launch to landing and write a run folder with a report."""
    from longwing.logs.outputs import check_run_dir
    from longwing.logs.report import render_report
    from longwing.logs.runfolder import dumps, to_file_units
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError
    from longwing.physics.turbulence import parse_turbulence
    from longwing.physics.wind import parse_wind
    from longwing.sim import closedloop as cl
    from longwing.sim.faults import parse_fault
    from longwing.sim.runner import FlightScenario
    from longwing.sim.runner import fly as fly_mission

    af = _airframe(airframe)
    try:
        check_run_dir(out_dir, "fly")
        faults = tuple(parse_fault(f) for f in fault or ())
        ap_params, fs_settings, settings = _split_params(param or ())
        mission = load_mission(mission_file)
        sc = FlightScenario(
            airframe=af,
            mission=mission,
            wind=parse_wind(wind),
            turbulence=parse_turbulence(turbulence),
            seed=seed,
            fuel_kg=fuel_kg,
            truth_nav=truth_nav,
            max_duration_s=max_duration_s,
            log_hz=log_hz,
            faults=faults,
            autopilot=ap_params,
            failsafe=fs_settings,
            settings=settings,
        )
    except (MissionError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    route_km = mission.route_length_m() / 1000.0
    progress = Progress(
        TextColumn("[bold]fly"),
        BarColumn(),
        TextColumn("{task.fields[t]:>8.0f} s"),
        TextColumn("{task.fields[dist]:>8.1f}/{task.fields[route]:.0f} km"),
        TextColumn("fuel {task.fields[fuel]:.3f} kg"),
        TextColumn("item {task.fields[seq]}"),
        TimeElapsedColumn(),
        console=err,
    )
    with progress:
        task = progress.add_task(
            "fly", total=max(route_km, 1e-3), t=0.0, dist=0.0, route=route_km,
            fuel=sc.fuel_kg or af.mass.fuel_capacity_kg, seq=0,
        )  # fmt: skip

        def on_progress(t_s: float, fuel: float, dist_m: float, seq: int) -> None:
            progress.update(task, completed=min(dist_m / 1000.0, route_km), t=t_s,
                            dist=dist_m / 1000.0, fuel=fuel, seq=seq)  # fmt: skip

        res = fly_mission(sc, on_progress)
    summary = dict(res.summary)
    summary["mission_file"] = str(mission_file)
    summary["out_dir"] = str(out_dir)
    table = to_file_units(cl.LOG_COLUMNS, res.log)
    mission_events = [e.as_dict() for e in res.events]
    triggers = to_file_units(cl.TRIGGER_COLUMNS, res.triggers)
    events = mission_events + [{"kind": "camera_trigger", **row} for row in triggers.to_pylist()]
    cols = {name: table.column(name).to_numpy() for name in table.column_names}
    report = render_report(f"longwing fly: {mission_file.name}", cols, summary, mission_events)
    _write(out_dir, table, summary, events, report, "fly")
    if as_json:
        print(dumps(summary))
        return
    td = summary.get("touchdown")
    out.print(
        f"[bold]{summary['end_state']}[/] ({summary['stop_reason']}): "
        f"{summary['distance_km']:.1f} km in {summary['flight_time_s'] / 3600:.2f} h, "
        f"items {len(summary['items_reached'])}/{summary['items_total']}\n"
        f"fuel used {summary['fuel_used_kg']:.3f} kg, remaining "
        f"{summary['fuel_remaining_kg']:.3f} kg; cross-track RMS "
        f"{_fmt_opt(summary['rms_xtrack_m'])} m, altitude RMS "
        f"{_fmt_opt(summary['rms_alt_err_m'])} m"
        + (f"\ntouchdown {td.get('along_m', 0):+.1f} m along, {td.get('across_m', 0):+.1f} m "
           f"across, sink {td['sink_mps']:.2f} m/s" if td else "")
        + f"\n{summary['realtime_factor']:.0f}x real time; wrote {out_dir}/ (report: "
        f"{out_dir}/report.html)"
    )  # fmt: skip


def _write(out_dir: Path, table, summary: dict, events: list, report: str, kind: str) -> None:
    """The run folder, atomically; a path that became unusable during the run is one line."""
    from longwing.logs.runfolder import write_run_folder

    try:
        write_run_folder(out_dir, table, summary, events, {"report.html": report}, kind=kind)
    except OSError as exc:
        raise UsageFailure(f"--out {out_dir}: cannot write the run folder: "
                           f"{exc.strerror or exc}") from None  # fmt: skip
    except ValueError as exc:  # OutputError: the path changed under us
        raise UsageFailure(str(exc)) from None


def _split_params(pairs) -> tuple[dict[str, float], object, object]:
    """``NAME=VALUE`` strings -> (autopilot overrides, FailsafeSettings, MissionSettings)."""
    from dataclasses import fields, replace

    from longwing.control.params import PARAM_INDEX
    from longwing.mission.failsafe import FailsafeSettings
    from longwing.mission.manager import MissionSettings

    fs, ms = FailsafeSettings(), MissionSettings()
    fs_names = {f.name: f for f in fields(FailsafeSettings)}
    ms_names = {f.name: f for f in fields(MissionSettings)}
    ap: dict[str, float] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip().upper()
        if not eq:
            raise ValueError(f"--param {pair!r}: expected NAME=VALUE")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"--param {pair!r}: {text!r} is not a number") from None
        if name in PARAM_INDEX:
            ap[name] = value
        elif name in fs_names:
            typ = int if fs_names[name].type in (int, "int") else float
            fs = replace(fs, **{name: typ(value)})
        elif name in ms_names:
            typ = int if ms_names[name].type in (int, "int") else float
            ms = replace(ms, **{name: typ(value)})
        else:
            raise ValueError(f"--param {pair!r}: unknown parameter {name}")
    return ap, fs, ms


def _fmt_opt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def main() -> None:
    try:
        app(standalone_mode=False)
    except UsageFailure as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option value, unknown option
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
