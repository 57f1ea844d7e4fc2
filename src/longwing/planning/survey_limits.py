"""Survey limits: what a survey may ask of the planner, the camera and the aircraft.

Checked by :func:`longwing.planning.survey.plan_survey` *before* it lays out any line (from
the area, the footprint and the overlaps), so an impossible request fails at once:

* **photos**: at most :data:`MAX_PHOTOS` (100,000) per survey. The count is estimated per
  line from the mean length of the area along the lines (``area / width``) over the
  trigger distance, plus the photo at the start of the camera interval and the camera
  margins at both ends (:func:`estimate_photo_count`, within 0.5 % of the planned count on
  convex areas); the planned count is checked again after the layout. Beyond that, the
  survey is a job for several flights (and the planner's time and memory grow with it).
* **mission items**: at most :data:`MAX_MISSION_ITEMS` (65,535: MAVLink's ``MISSION_COUNT``
  is 16 bits, home included); every line costs at least :data:`ITEMS_PER_LINE` items.
* **camera trigger interval**: the time between photos, ``trigger distance / ground
  speed``, taken at the cruise airspeed in still air, must not be shorter than the
  camera's minimum (:attr:`~longwing.planning.camera.Camera.min_interval_s`, default 1 s).
  A tailwind shortens it further: keep a margin.

And by the ``plan survey`` command, once the survey is laid out:

* **endurance**: :func:`endurance_s` (level flight at the cruise airspeed at the survey
  height from a full tank to empty, with the fuel flow of the simulator's own trim:
  :class:`~longwing.planning.performance.PerformanceTable`). A survey whose predicted time
  (no wind, no climb) exceeds it is refused; one that leaves less than the reserve
  (:func:`reserve_s`: 30 min or 10 % of the flight, a rough time margin before the wind
  is known; ``plan check`` then applies the aircraft's fuel rule, planning/reach.py) gets a
  warning.

Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the performance table pulls in scipy: not needed to refuse a survey
    from longwing.airframe.params import Airframe
    from longwing.planning.performance import PerformanceTable

__all__ = [
    "ITEMS_PER_LINE",
    "MAX_MISSION_ITEMS",
    "MAX_PHOTOS",
    "endurance_problems",
    "endurance_s",
    "estimate_photo_count",
    "items_problem",
    "photo_limit_problem",
    "reserve_s",
    "size_problem",
    "trigger_interval_problem",
]

#: The most photos one survey may plan.
MAX_PHOTOS = 100_000
#: The most items a MAVLink mission can hold (MISSION_COUNT is a uint16; home is seq 0).
MAX_MISSION_ITEMS = 65_535
#: The fewest items a line costs: two turn waypoints, camera-on and camera-off waypoints
#: and their two DO_SET_CAM_TRIGG_DIST.
ITEMS_PER_LINE = 6
#: The time margin a survey should leave (the larger of these), before plan check's fuel rule.
RESERVE_MINUTES = 30.0
RESERVE_FRACTION = 0.10


def estimate_photo_count(
    area_m2: float, width_m: float, trigger_m: float, n_lines: int, margin_m: float
) -> int:
    """Photos of a survey of ``n_lines`` lines over ``area_m2``, ``width_m`` wide across
    the lines: per line, the mean length along the lines (``area_m2 / width_m``) over the
    trigger distance, the first photo of its camera interval, and the ``margin_m`` the
    camera runs beyond the area at each end."""
    per_line = area_m2 / max(width_m, 1e-9) / trigger_m + 1.0 + 2.0 * margin_m / trigger_m
    return int(math.ceil(n_lines * per_line))


def photo_limit_problem(
    photos: int, gsd_m: float, area_m2: float, limit: int = MAX_PHOTOS, estimated: bool = True
) -> str | None:
    """A one-line refusal when ``photos`` exceeds ``limit``, else None."""
    if photos <= limit:
        return None
    about = "about " if estimated else ""
    return (
        f"the survey needs {about}{photos:,} photos (GSD {gsd_m * 100.0:.3g} cm over "
        f"{area_m2 / 1e6:.3g} km2); at most {limit:,} are planned per survey: raise the GSD "
        "or the height, lower the overlaps, or split the area"
    )


def items_problem(n_items: int, about: str = "") -> str:
    """The refusal of a survey of ``n_items`` mission items (beyond MAVLink's count)."""
    return (
        f"the survey needs {about}{n_items:,} mission items; a MAVLink mission holds at most "
        f"{MAX_MISSION_ITEMS - 1:,} (and home): raise the GSD or the height, lower the side "
        "overlap, or split the area"
    )


def size_problem(
    area_m2: float,
    gsd_m: float,
    width_m: float,
    trigger_m: float,
    margin_m: float,
    n_lines: int,
    max_photos: int = MAX_PHOTOS,
) -> str | None:
    """Before any layout: the refusal of a survey (``width_m`` across its ``n_lines``
    lines) whose estimated photos exceed
    ``max_photos`` or whose ``n_lines`` lines need more mission items than MAVLink holds;
    None if it is within the limits."""
    photos = estimate_photo_count(area_m2, width_m, trigger_m, n_lines, margin_m)
    problem = photo_limit_problem(photos, gsd_m, area_m2, max_photos)
    if problem is None and n_lines * ITEMS_PER_LINE >= MAX_MISSION_ITEMS:
        problem = items_problem(n_lines * ITEMS_PER_LINE, "at least ")
    return problem


def trigger_interval_problem(
    trigger_m: float, ground_speed_mps: float, min_interval_s: float
) -> str | None:
    """A one-line refusal when photos ``trigger_m`` apart at ``ground_speed_mps`` come
    faster than the camera's ``min_interval_s``, else None."""
    interval_s = trigger_m / ground_speed_mps
    if interval_s >= min_interval_s:
        return None
    return (
        f"the camera would fire every {interval_s:.2f} s ({trigger_m:.1f} m apart at "
        f"{ground_speed_mps:.1f} m/s) but needs {min_interval_s:g} s between photos: raise "
        "the GSD or the height, lower the front overlap, or fly at most "
        f"{trigger_m / min_interval_s:.1f} m/s"
    )


def endurance_s(
    airframe: Airframe,
    table: PerformanceTable,
    tas_mps: float,
    alt_m: float,
    fuel_kg: float | None = None,
    n_steps: int = 64,
) -> float:
    """Time (s) to burn ``fuel_kg`` (default: a full tank) in level flight at ``tas_mps``
    and ``alt_m`` AMSL, the mass falling as the fuel burns: the integral of
    ``dm / fuel_flow(m)`` (trapezoids over ``n_steps``)."""
    fuel = airframe.mass.fuel_capacity_kg if fuel_kg is None else float(fuel_kg)
    masses = airframe.mass.dry_mass_kg + np.linspace(0.0, fuel, n_steps + 1)
    flow = np.asarray(table.fuel_flow_kgps(masses, alt_m, tas_mps), dtype=float)
    return float(np.trapezoid(1.0 / flow, masses))


def reserve_s(flight_s: float) -> float:
    """The time a survey of ``flight_s`` should leave in the tank: the larger of
    :data:`RESERVE_MINUTES` and :data:`RESERVE_FRACTION` of the flight."""
    return max(RESERVE_MINUTES * 60.0, RESERVE_FRACTION * flight_s)


def endurance_problems(flight_s: float, endurance: float) -> tuple[str | None, str | None]:
    """``(refusal, warning)`` for a flight of ``flight_s`` on a tank that lasts
    ``endurance`` s: refused beyond the endurance, warned when it leaves less than
    :func:`reserve_s`."""
    hours = f"{flight_s / 3600.0:.1f} h"
    if flight_s > endurance:
        return (
            f"the survey's predicted flight of {hours} (no wind) is longer than the "
            f"airframe's endurance of {endurance / 3600.0:.1f} h on a full tank at cruise: "
            "split the area or raise the GSD or the height"
        ), None
    reserve = reserve_s(flight_s)
    if flight_s > endurance - reserve:
        return None, (
            f"the survey's predicted flight of {hours} (no wind) leaves less than the "
            f"{reserve / 60.0:.0f} min reserve of the {endurance / 3600.0:.1f} h endurance "
            "on a full tank: check the plan with the wind (longwing plan check)"
        )
    return None, None
