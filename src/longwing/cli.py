"""The `longwing` command line: airframes, trim, tune, open-loop sim, fly, plan.

Bad input (unknown airframe, impossible trim, malformed wind, ...) prints one line on stderr
and exits with code 2; no traceback, no partial output.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from longwing.airframe.loader import AirframeError, list_bundled_airframes, load_airframe
from longwing.airframe.params import Airframe
from longwing.cli_batch import batch
from longwing.cli_errors import UsageFailure
from longwing.cli_fly import fly, note_compile, write_sim_folder
from longwing.cli_params import params
from longwing.cli_plan import plan_app
from longwing.cli_sitl import sitl
from longwing.cli_tune import tune

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="longwing: long-range fixed-wing UAV flight stack (simulation, trim, missions).",
)
app.add_typer(plan_app, name="plan")
app.command()(sitl)
app.command()(fly)
app.command()(params)
app.command()(batch)
app.command()(tune)
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
def airframes(
    jsbsim: Annotated[
        bool, typer.Option("--jsbsim", help="Also the installed jsbsim package's aircraft.")
    ] = False,
) -> None:
    """List the bundled airframes; with --jsbsim also the aircraft of the installed jsbsim
    package longwing can fly (piston engines), as --airframe jsbsim:NAME takes them."""
    for name in list_bundled_airframes():
        out.print(name)
    if jsbsim:
        from longwing.airframe.jsbsim_catalog import list_jsbsim_aircraft

        for name in list_jsbsim_aircraft():
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
    from rich.table import Table

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
    from longwing.logs.logfile import file_columns
    from longwing.logs.outputs import check_run_dir
    from longwing.logs.report import render_report
    from longwing.logs.runfolder import dumps
    from longwing.physics.trim import TrimError
    from longwing.physics.turbulence import parse_turbulence
    from longwing.physics.wind import parse_wind
    from longwing.sim.fastloop import LOG_COLUMNS
    from longwing.sim.openloop import OpenLoopScenario, simulate_open_loop, start_state

    for flag, value in (("--airspeed", airspeed), ("--altitude", altitude),
                        ("--latitude", latitude), ("--longitude", longitude),
                        ("--heading-deg", heading_deg), ("--duration-s", duration_s),
                        ("--fuel-kg", fuel_kg), ("--dt", dt), ("--log-hz", log_hz)):  # fmt: skip
        if value is not None and not math.isfinite(value):
            raise UsageFailure(f"{flag} must be a finite number, got {value}")
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
        start = start_state(sc)
    except (ValueError, TrimError) as exc:
        raise UsageFailure(str(exc)) from None

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from longwing.sim.fastloop import run_chunk

    note_compile(run_chunk)
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

        res = simulate_open_loop(sc, on_progress, start)
    summary = dict(res.summary)
    summary["out_dir"] = str(out_dir)
    events = [e.as_dict() for e in res.events]
    cols = file_columns(LOG_COLUMNS, res.log)
    report = render_report(f"longwing sim: {af.name}", cols, summary, events)
    write_sim_folder(out_dir, LOG_COLUMNS, res.log, summary, events, report)
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


def main() -> None:
    # Arrow's default allocator keeps freed memory for reuse; the system one gives it back,
    # which keeps a long flight's resident memory lower (the user's setting wins)
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        err.print("interrupted: nothing written")
        sys.exit(130)
    except UsageFailure as exc:
        # the message is the user's text (file names, keys in brackets): no markup, no emoji
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True,
                  emoji=False)  # fmt: skip
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("interrupted: nothing written")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option value, unknown option
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc}", highlight=False, markup=False, emoji=False)
        sys.exit(2)
    if isinstance(code, int) and code != 0:  # 130: click caught a Ctrl-C
        if code == 130:
            err.print("interrupted: nothing written")
        sys.exit(code)


if __name__ == "__main__":
    main()
