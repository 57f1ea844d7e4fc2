"""`longwing plan ...`: mission planning commands (survey grids, route checks, routes).

The commands adapt the pure libraries of :mod:`longwing.planning` and :mod:`longwing.geo`;
like the rest of the CLI, bad input prints one line and exits with code 2, and a file is
written whole (temporary name, then renamed) or not at all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

plan_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan before take-off: survey grids, wind/fuel/terrain/radio route checks, routes.",
)
out = Console()

G0_MPS2 = 9.80665


class PlanUsageError(Exception):
    """A user error in a plan command: one line, exit code 2 (see ``longwing.cli.main``)."""


def _lat_lon(text: str, what: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise PlanUsageError(f"{what} {text!r} must be LAT,LON in degrees") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise PlanUsageError(f"{what} {text!r} is outside [-90, 90], [-180, 180] deg")
    return lat, lon


def _terrain(dem: Path | None):
    if dem is None:
        return None
    from longwing.geo.terrain import TerrainError, load_dem

    try:
        return load_dem(dem)
    except TerrainError as exc:
        raise PlanUsageError(str(exc)) from None


def turn_radius_for(airframe) -> tuple[float, float]:
    """(cruise TAS m/s, turn radius m at the navigation bank limit) of an airframe."""
    v = airframe.envelope.airspeed_cruise_mps
    return v, v * v / (G0_MPS2 * math.tan(airframe.envelope.bank_nav_rad))


@plan_app.command()
def survey(
    area_file: Annotated[Path, typer.Argument(help="Survey polygon: GeoJSON or KML.")],
    camera: Annotated[
        str, typer.Option(help="SENSOR_W_MM,SENSOR_H_MM,FOCAL_MM,PX_W,PX_H")
    ] = "",
    gsd_cm: Annotated[
        float | None, typer.Option("--gsd-cm", help="Ground sample distance, cm.")
    ] = None,
    alt_m: Annotated[
        float | None, typer.Option("--alt-m", help="Height above ground, m.")
    ] = None,
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
    """Plan a survey grid over a polygon and write it as a flyable QGroundControl .plan."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.mission.items import MissionError
    from longwing.mission.planfile import save_plan
    from longwing.planning.area import AreaError, load_area
    from longwing.planning.camera import parse_camera
    from longwing.planning.survey import SurveyError, plan_survey

    if not camera:
        raise PlanUsageError("--camera SENSOR_W_MM,SENSOR_H_MM,FOCAL_MM,PX_W,PX_H is required")
    if (gsd_cm is None) == (alt_m is None):
        raise PlanUsageError("give exactly one of --gsd-cm and --alt-m")
    if out_file.suffix.lower() != ".plan":
        raise PlanUsageError(f"--out {out_file}: the survey is written as a .plan file")
    try:
        af = load_airframe(airframe)
        cam = parse_camera(camera)
        area = load_area(area_file)
        terrain = _terrain(dem)
        lat_lon = _lat_lon(home, "--home") if home else area.centre_deg()
        tas, radius = turn_radius_for(af)
        plan = plan_survey(
            area, cam, turn_radius_m=radius,
            gsd_m=None if gsd_cm is None else gsd_cm / 100.0, alt_m=alt_m,
            front_overlap=front_overlap, side_overlap=side_overlap, portrait=portrait,
            home=lat_lon, terrain=terrain, cruise_airspeed_mps=tas,
        )  # fmt: skip
        save_plan(plan.to_mission(), out_file)
    except (AirframeError, AreaError, SurveyError, MissionError, ValueError, OSError) as exc:
        raise PlanUsageError(str(exc)) from None
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
        "items": len(plan.items),
    }
    if as_json:
        print(json.dumps(figures))
        return
    out.print(
        f"{plan.line_count} lines, spacing {plan.line_spacing_m:.1f} m, heading "
        f"{plan.heading_deg:.0f} deg; camera every {plan.trigger_distance_m:.1f} m "
        f"({plan.photo_count} photos) at {plan.alt_m:.0f} m, GSD {plan.gsd_m * 100:.2f} cm\n"
        f"flight {plan.flight_length_m / 1000:.2f} km, predicted "
        f"{plan.predicted_time_s / 60:.1f} min at {tas:.0f} m/s; wrote {out_file} "
        f"({len(plan.items)} items)"
    )
