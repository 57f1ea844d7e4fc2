"""`longwing plan ...`: mission planning commands (survey grids, route checks, routes).

The commands adapt the pure libraries of :mod:`longwing.planning` and :mod:`longwing.geo`;
like the rest of the CLI, bad input prints one line and exits with code 2, and a file is
written whole (temporary name, then renamed) or not at all. ``--out`` is checked before any
work (:func:`longwing.logs.outputs.check_plan_file`): a new ``.plan``, or one longwing
wrote; anything else there is the user's and is refused. A plan that would put the
aircraft below the ground (:mod:`longwing.mission.preflight`) is not written.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from longwing.cli_errors import UsageFailure
from longwing.geo.constants import G0_MPS2

plan_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan before take-off: survey grids, wind/fuel/terrain/radio route checks, routes.",
)
# wide enough for the per-leg table when the output is not a terminal (make demo, pipes)
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

#: A survey's progress bar appears once its layout has taken this long.
PROGRESS_DELAY_S = 1.0


class LazyProgress:
    """``progress(stage, done, total)`` for :func:`~longwing.planning.survey.plan_survey`: a
    transient rich progress bar on ``console`` (stderr), shown only once the work has taken
    ``delay_s``, so quick surveys print nothing. Call :meth:`close` at the end."""

    def __init__(
        self, console: Console, delay_s: float = PROGRESS_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.console = console
        self.delay_s = delay_s
        self.clock = clock
        self.t0 = clock()
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.t0 < self.delay_s:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(TextColumn("survey {task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                console=self.console, transient=True)  # fmt: skip
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    @property
    def shown(self) -> bool:
        return self.bar is not None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _out_file(path: Path) -> Path:
    """``--out``, checked before any work (a new .plan, or one longwing wrote)."""
    from longwing.logs.outputs import OutputError, check_plan_file

    try:
        return check_plan_file(path)
    except OutputError as exc:
        raise UsageFailure(str(exc)) from None


def _preflight(mission, terrain, what: str) -> None:
    """Refuse to write a plan that puts the aircraft below the ground."""
    from longwing.mission.items import MissionError
    from longwing.mission.preflight import check_preflight

    try:
        check_preflight(mission, terrain)
    except MissionError as exc:
        raise UsageFailure(f"the {what} would go below the ground: {exc}") from None


def _lat_lon(text: str, what: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise UsageFailure(f"{what} {text!r} must be LAT,LON in degrees") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise UsageFailure(f"{what} {text!r} is outside [-90, 90], [-180, 180] deg")
    return lat, lon


def _terrain(dem, home=None):
    """--dem: DEM file(s), or a synthetic spec laid around ``home()`` (lat, lon, alt)."""
    if not dem:
        return None
    from longwing.io.dem import TerrainError, load_world_terrain

    try:
        return load_world_terrain(dem, home)
    except TerrainError as exc:
        raise UsageFailure(str(exc)) from None


def turn_radius_for(airframe) -> tuple[float, float]:
    """(cruise TAS m/s, turn radius m at the navigation bank limit) of an airframe."""
    v = airframe.envelope.airspeed_cruise_mps
    return v, v * v / (G0_MPS2 * math.tan(airframe.envelope.bank_nav_rad))


@plan_app.command()
def survey(
    area_file: Annotated[Path, typer.Argument(help="Survey polygon: GeoJSON or KML.")],
    camera: Annotated[
        str,
        typer.Option(
            help="SENSOR_W_MM,SENSOR_H_MM,FOCAL_MM,PX_W,PX_H[,MIN_INTERVAL_S] "
            "(shortest time between photos, default 1 s)."
        ),
    ] = "",
    gsd_cm: Annotated[
        float | None, typer.Option("--gsd-cm", help="Ground sample distance, cm.")
    ] = None,
    alt_m: Annotated[float | None, typer.Option("--alt-m", help="Height above ground, m.")] = None,
    front_overlap: Annotated[float, typer.Option(help="Along-track overlap, 0-0.95.")] = 0.7,
    side_overlap: Annotated[float, typer.Option(help="Across-track overlap, 0-0.95.")] = 0.6,
    home: Annotated[
        str | None, typer.Option(help="Take-off point LAT,LON [the area's centre].")
    ] = None,
    dem: Annotated[Path | None, typer.Option(help="DEM GeoTIFF: terrain following.")] = None,
    portrait: Annotated[
        bool, typer.Option("--portrait", help="Sensor's long side along track.")
    ] = False,
    airframe: Annotated[str, typer.Option(help="Bundled airframe or TOML file.")] = "aerosonde",
    out_file: Annotated[Path, typer.Option("--out", help=".plan file to write.")] = Path(
        "survey.plan"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Plan a survey grid over a polygon and write it as a flyable QGroundControl .plan.

    Limits (refused with one line, exit 2): at most 100,000 photos (estimated before the
    layout), a MAVLink mission's 65,534 items, photos no faster than the camera's minimum
    interval at the cruise airspeed, a predicted flight within the airframe's endurance on
    a full tank (a warning when it leaves less than a 30 min / 10 % reserve).
    """
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.mission.items import MissionError
    from longwing.mission.planfile import save_plan
    from longwing.planning.area import AreaError, load_area
    from longwing.planning.camera import parse_camera
    from longwing.planning.survey import SurveyError, SurveySpec, plan_survey

    if not camera:
        raise UsageFailure("--camera SENSOR_W_MM,SENSOR_H_MM,FOCAL_MM,PX_W,PX_H is required")
    if (gsd_cm is None) == (alt_m is None):
        raise UsageFailure("give exactly one of --gsd-cm and --alt-m")
    out_file = _out_file(out_file)
    progress = LazyProgress(err)
    try:
        af = load_airframe(airframe)
        cam = parse_camera(camera)
        area = load_area(area_file)
        terrain = _terrain(dem)
        lat_lon = _lat_lon(home, "--home") if home else area.centre_deg()
        tas, radius = turn_radius_for(af)
        spec = SurveySpec(
            cam, turn_radius_m=radius,
            gsd_m=None if gsd_cm is None else gsd_cm / 100.0, alt_m=alt_m,
            front_overlap=front_overlap, side_overlap=side_overlap, portrait=portrait,
            home=lat_lon, terrain=terrain, cruise_airspeed_mps=tas,
        )  # fmt: skip
        plan = plan_survey(area, spec, progress=progress)
        mission = plan.to_mission()
        from longwing.planning.performance import PerformanceTable  # scipy: after the limits
        from longwing.planning.survey_limits import endurance_problems, endurance_s

        endurance = endurance_s(af, PerformanceTable.build(af), tas,
                                mission.home.alt_m + plan.alt_m)  # fmt: skip
        refusal, warning = endurance_problems(plan.predicted_time_s or 0.0, endurance)
        if refusal is not None:
            raise SurveyError(refusal)
        _preflight(mission, terrain, "survey")
        save_plan(mission, out_file)
    except (AirframeError, AreaError, SurveyError, MissionError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    finally:
        progress.close()
    warnings = [warning] if warning is not None else []
    figures = {
        "out": str(out_file),
        "line_count": plan.line_count,
        "line_spacing_m": round(plan.line_spacing_m, 2),
        "trigger_distance_m": round(plan.trigger_distance_m, 2),
        "alt_m": round(plan.alt_m, 1),
        "gsd_cm": round(plan.gsd_m * 100.0, 2),
        "heading_deg": round(plan.heading_deg, 1),
        "photo_count": plan.photo_count,
        "area_km2": round(plan.area_m2 / 1e6, 4),
        "flight_length_km": round(plan.flight_length_m / 1000.0, 3),
        "predicted_time_s": round(plan.predicted_time_s, 1),
        "endurance_s": round(endurance, 1),
        "items": len(plan.items),
        "warnings": warnings,
    }
    if as_json:
        print(json.dumps(figures))
        return
    out.print(
        f"{plan.line_count} lines, spacing {plan.line_spacing_m:.1f} m, heading "
        f"{plan.heading_deg:.0f} deg; camera every {plan.trigger_distance_m:.1f} m "
        f"({plan.photo_count} photos) at {plan.alt_m:.0f} m, GSD {plan.gsd_m * 100:.2f} cm\n"
        f"flight {plan.flight_length_m / 1000:.2f} km, predicted "
        f"{plan.predicted_time_s / 60:.1f} min at {tas:.0f} m/s (endurance "
        f"{endurance / 3600:.1f} h); wrote {out_file} ({len(plan.items)} items)"
    )
    for w in warnings:
        out.print(f"  warning: {w}", highlight=False)


def _wind_source(wind: str | None, wind_file: Path | None, start_time: str | None = None,
                 mission=None, af=None):  # fmt: skip
    """--wind, or --wind-file (CSV grid, or a GRIB2/NetCDF forecast read for the mission's
    box and time span from ``start_time``; docs/winds.md)."""
    from longwing.io.wind_file import load_mission_wind
    from longwing.physics.wind import parse_wind
    from longwing.planning.windgrid import WindGridError

    if wind is not None and wind_file is not None:
        raise UsageFailure("give --wind or --wind-file, not both")
    if start_time is not None and wind_file is None:
        raise UsageFailure("--start-time is the time of a --wind-file; give one")
    try:
        if wind_file is not None:
            return load_mission_wind(wind_file, mission, af, start_time)
        return parse_wind(wind or "calm")
    except (WindGridError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None


def _fmt(v, spec: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return format(v, spec)


@plan_app.command()
def check(
    mission_file: Annotated[Path, typer.Argument(help="QGC .plan or QGC WPL 110 mission.")],
    airframe: Annotated[str, typer.Option(help="Bundled airframe or TOML file.")] = "aerosonde",
    wind: Annotated[
        str | None, typer.Option(help="DIR_DEG@SPEED_MPS, or ALT:DIR@SPD,... layers.")
    ] = None,
    wind_file: Annotated[
        Path | None,
        typer.Option(help="Wind from a file: GRIB2, NetCDF or CSV grid (docs/winds.md)."),
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(help="Launch time, ISO 8601 UTC, for --wind-file [its first time]."),
    ] = None,
    dem: Annotated[
        list[Path] | None,
        typer.Option(help="DEM for terrain clearance (repeat for tiles; or synthetic:...)."),
    ] = None,
    radio: Annotated[
        Path | None, typer.Option(help="Ground stations TOML (see io.radio_file).")
    ] = None,
    fuel_kg: Annotated[float | None, typer.Option(help="Fuel at launch, kg [full].")] = None,
    min_clearance_m: Annotated[float, typer.Option(help="Terrain clearance required, m.")] = 50.0,
    param: Annotated[
        list[str] | None,
        typer.Option(help="NAME=VALUE: a parameter as `fly --param` takes it (repeatable)."),
    ] = None,
    turbulence: Annotated[
        str, typer.Option(help="Expected turbulence at the launch: none|light|moderate|severe.")
    ] = "none",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Will the mission make it? Ground, geofence, wind, fuel, reserve, point of no return,
    terrain, radio.

    Not feasible: an item, rally point or breach-return point below the ground (the DEM's,
    or the home elevation), the predicted route outside the geofence (zones, ceiling,
    floor), short of fuel or the reserve, too low over the DEM or off it, out of radio
    contact long enough for an RTL. Exit code 0 whether feasible or not; 2 for bad input
    (an unreadable mission, or one with no navigation items).
    """
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.cli_fly_inputs import parse_params
    from longwing.io.dem import plan_home
    from longwing.io.radio_file import RadioError, load_radio
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError
    from longwing.physics.turbulence import parse_turbulence
    from longwing.planning.check import check_mission

    try:
        af = load_airframe(airframe)
        terrain = _terrain(dem, lambda: plan_home(mission_file))
        mission = load_mission(mission_file, terrain)
        source = _wind_source(wind, wind_file, start_time, mission, af)
        config = load_radio(radio) if radio is not None else None
        if fuel_kg is not None and not 0.0 < fuel_kg <= af.mass.fuel_capacity_kg:
            raise ValueError(
                f"--fuel-kg {fuel_kg:g} is outside (0, {af.mass.fuel_capacity_kg:g}] kg"
            )
        if not (math.isfinite(min_clearance_m) and min_clearance_m >= 0.0):
            raise ValueError("--min-clearance-m must be >= 0")
        ap, fs, ms, _ = parse_params(tuple(param or ()), af)
        level = parse_turbulence(turbulence)
        result = check_mission(mission, af, wind=source, fuel_kg=fuel_kg, terrain=terrain,
                               radio=config, min_clearance_m=min_clearance_m, failsafe=fs,
                               settings=ms, autopilot=ap, turbulence=level)  # fmt: skip
    except MissionError as exc:
        named = exc if exc.source else exc.with_context(source=str(mission_file))
        raise UsageFailure(str(named)) from None
    except (AirframeError, RadioError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    summary = result.summary()
    if as_json:
        print(json.dumps(summary, default=float))
        return
    from rich.table import Table

    table = Table(title=f"plan check: {mission_file.name}")
    for col in ("leg", "items", "kind", "km", "course", "heading", "TAS", "GS", "min",
                "fuel kg", "left kg", "clear m", "link"):  # fmt: skip
        table.add_column(col, justify="right")
    for k, leg in enumerate(summary["legs"], start=1):
        table.add_row(
            str(k), f"{leg['from_seq']}->{leg['to_seq']}", leg["kind"],
            _fmt(leg["distance_m"] / 1000.0, ".1f"), _fmt(leg["course_deg"], ".0f"),
            _fmt(leg["heading_deg"], ".0f"), _fmt(leg["airspeed_mps"], ".1f"),
            _fmt(leg["ground_speed_mps"], ".1f"), _fmt(leg["time_s"] / 60.0, ".1f"),
            _fmt(leg["fuel_kg"], ".3f"), _fmt(leg["fuel_remaining_kg"], ".3f"),
            _fmt(leg["min_clearance_m"], ".0f"),
            "-" if leg["link_ok"] is None else ("ok" if leg["link_ok"] else "LOST"),
        )  # fmt: skip
    out.print(table)
    pnr = summary["pnr"]
    out.print(
        f"{summary['total_distance_m'] / 1000:.1f} km in {summary['total_time_s'] / 3600:.2f} h, "
        f"fuel {summary['total_fuel_kg']:.3f} kg of {summary['fuel_at_launch_kg']:.3f} kg, "
        f"{summary['fuel_remaining_kg']:.3f} kg left (reserve {summary['reserve_kg']:.3f} kg)"
        + (f"\npoint of no return: {pnr['lat_deg']:.5f}, {pnr['lon_deg']:.5f} at "
           f"{pnr['along_m'] / 1000:.1f} km, t = {pnr['t_s'] / 3600:.2f} h" if pnr else "")
    )  # fmt: skip
    if summary["landing"] is not None:
        out.print(f"landing: {summary['landing']['text']}", highlight=False)
    for note in summary["notes"]:
        out.print(f"note: {note}", highlight=False)
    if hasattr(source, "describe"):  # a forecast file: what was read (docs/winds.md)
        out.print(f"wind: {source.describe()}", highlight=False, soft_wrap=True)
    if summary["feasible"]:
        out.print("[bold green]FEASIBLE[/]")
    else:
        out.print("[bold red]NOT FEASIBLE[/]")
        for r in summary["reasons"]:
            out.print(f"  - {r}", highlight=False)


@plan_app.command()
def route(
    from_: Annotated[str, typer.Option("--from", help="Take-off (home) LAT,LON.")] = "",
    to: Annotated[str, typer.Option(help="Landing LAT,LON.")] = "",
    via: Annotated[list[str] | None, typer.Option(help="Waypoint LAT,LON (repeatable).")] = None,
    alt_m: Annotated[float, typer.Option("--alt-m", help="Cruise height above home, m.")] = 0.0,
    home_alt_m: Annotated[float, typer.Option(help="Home elevation AMSL, m.")] = 0.0,
    land_alt_m: Annotated[
        float | None, typer.Option(help="Landing-site elevation AMSL, m [home's].")
    ] = None,
    max_leg_km: Annotated[float, typer.Option(help="Longest leg, km.")] = 200.0,
    wind: Annotated[str | None, typer.Option(help="Wind for the time/fuel estimate.")] = None,
    airframe: Annotated[str, typer.Option(help="Bundled airframe or TOML file.")] = "aerosonde",
    out_file: Annotated[Path, typer.Option("--out", help=".plan file to write.")] = Path(
        "route.plan"
    ),
) -> None:
    """Write a take-off-to-landing .plan along geodesics, legs split to --max-leg-km."""
    from geographiclib.geodesic import Geodesic

    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.mission.items import MavFrame, MissionError, MissionItem
    from longwing.mission.model import Home, Mission
    from longwing.mission.planfile import save_plan
    from longwing.planning.performance import PerformanceTable
    from longwing.planning.predict import predict_mission
    from longwing.planning.route import split_route

    if not from_ or not to:
        raise UsageFailure("--from LAT,LON and --to LAT,LON are required")
    if not (math.isfinite(alt_m) and 30.0 <= alt_m <= 10000.0):
        raise UsageFailure(f"--alt-m {alt_m:g} must be in [30, 10000] m above home")
    if not (math.isfinite(max_leg_km) and 1.0 <= max_leg_km <= 20000.0):
        raise UsageFailure(f"--max-leg-km {max_leg_km:g} must be in [1, 20000]")
    start = _lat_lon(from_, "--from")
    end = _lat_lon(to, "--to")
    mids = [_lat_lon(v, "--via") for v in via or ()]
    out_file = _out_file(out_file)
    try:
        af = load_airframe(airframe)
        home = Home(start[0], start[1], home_alt_m)
        g = Geodesic.WGS84
        land_alt = home_alt_m if land_alt_m is None else land_alt_m
        pts = split_route([start, *mids, end], max_leg_km * 1000.0)
        if g.Inverse(*pts[-2], *pts[-1])["s12"] < 3000.0 and len(pts) > 2:
            pts.pop(-2)  # keep room for the approach
        final = g.Inverse(*pts[-2], *pts[-1])
        app = g.Direct(end[0], end[1], final["azi2"] + 180.0, 1500.0)
        amsl = MavFrame.GLOBAL
        items = [MissionItem.takeoff(start[0], start[1], home_alt_m + min(alt_m, 60.0), amsl)]
        items += [MissionItem.waypoint(p[0], p[1], home_alt_m + alt_m, amsl) for p in pts[1:-1]]
        items += [
            MissionItem.land_start(end[0], end[1]),
            MissionItem.waypoint(app["lat2"], app["lon2"], land_alt + 50.0, amsl),
            MissionItem.land(end[0], end[1], land_alt, amsl),
        ]
        mission = Mission(home=home, items=tuple(items))
        source = _wind_source(wind, None)
        pred = predict_mission(mission, af, PerformanceTable.build(af), source)
        _preflight(mission, None, "route")
        save_plan(mission, out_file)
    except (AirframeError, MissionError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    out.print(
        f"{len(pts) - 1} legs, {pred.distance_m / 1000:.1f} km; predicted "
        f"{pred.time_s / 3600:.2f} h and {pred.fuel_used_kg:.3f} kg "
        f"({pred.fuel_remaining_kg:.3f} kg left); wrote {out_file} ({len(items)} items)"
    )
    for v in pred.verdict:
        out.print(f"  warning: {v}", highlight=False)
