"""Missions: MAVLink mission items, the Mission model, geofence/rally, plan file I/O.

- :mod:`~longwing.mission.items`: :class:`MissionItem`, :class:`MavCmd`, :class:`MavFrame`,
  validation, :class:`MissionError`.
- :mod:`~longwing.mission.model`: :class:`Mission` (home at MAVLink seq 0, items from 1).
- :mod:`~longwing.mission.fence`: :class:`Fence`, :class:`RallyPoint`.
- :mod:`~longwing.mission.planfile`: QGroundControl ``.plan`` JSON.
- :mod:`~longwing.mission.wpl`: ``QGC WPL 110`` text files.

:func:`load_mission` reads either file type, recognised by content; :func:`save_mission`
writes the type given by the extension.
"""

from __future__ import annotations

import os
from pathlib import Path

from longwing.mission.fence import (
    BreachReturnPoint,
    Fence,
    FenceCircle,
    FencePolygon,
    RallyPoint,
    geodesic_distance_m,
)
from longwing.mission.items import (
    COMMAND_SPECS,
    MavCmd,
    MavFrame,
    MissionError,
    MissionItem,
    PlanAltitude,
    resolve_alt_amsl_m,
    validate_item,
)
from longwing.mission.model import Home, MavlinkItem, Mission, PlanInfo, QgcComplexItem
from longwing.mission.planfile import (
    dumps_plan,
    load_plan,
    parse_plan,
    plan_to_dict,
    read_text,
    save_plan,
)
from longwing.mission.wpl import dumps_wpl, load_wpl, parse_wpl, save_wpl

__all__ = [
    "COMMAND_SPECS",
    "PLAN_EXTENSIONS",
    "WPL_EXTENSIONS",
    "BreachReturnPoint",
    "Fence",
    "FenceCircle",
    "FencePolygon",
    "Home",
    "MavCmd",
    "MavFrame",
    "MavlinkItem",
    "Mission",
    "MissionError",
    "MissionItem",
    "PlanAltitude",
    "PlanInfo",
    "QgcComplexItem",
    "RallyPoint",
    "dumps_plan",
    "dumps_wpl",
    "geodesic_distance_m",
    "load_mission",
    "load_plan",
    "load_wpl",
    "parse_mission",
    "parse_plan",
    "parse_wpl",
    "plan_to_dict",
    "resolve_alt_amsl_m",
    "save_mission",
    "save_plan",
    "save_wpl",
    "validate_item",
]

#: Extensions :func:`save_mission` writes as ``.plan`` JSON.
PLAN_EXTENSIONS = (".plan",)
#: Extensions :func:`save_mission` writes as ``QGC WPL 110``.
WPL_EXTENSIONS = (".waypoints", ".txt")


def parse_mission(text: str, source: str | None = None) -> Mission:
    """A mission from the text of a ``.plan`` (JSON) or ``QGC WPL`` file, by content."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return parse_plan(text, source)
    if head.startswith("QGC WPL"):
        return parse_wpl(text, source)
    raise MissionError(
        "not a mission file: expected a QGroundControl .plan (JSON) file or a "
        "'QGC WPL 110' waypoint file (.waypoints, .txt)",
        source=source,
    )


def load_mission(path: str | os.PathLike[str], terrain=None) -> Mission:
    """Read a mission file: ``.plan`` JSON or ``QGC WPL 110`` text, recognised by content
    (a ``.plan`` file that is not JSON is reported as invalid JSON). ``terrain`` (the
    world's DEM, a ``TerrainFn``) computes a ``.plan``'s AltitudeMode 3 altitudes."""
    source = str(path)
    text = read_text(path)
    if Path(path).suffix.lower() in PLAN_EXTENSIONS:
        return parse_plan(text, source, terrain)
    return parse_mission(text, source)


def save_mission(
    mission: Mission, path: str | os.PathLike[str], *, drop_extras: bool = False
) -> None:
    """Write ``mission`` as ``.plan`` or ``QGC WPL 110`` according to the extension
    (``drop_extras``: see :func:`~longwing.mission.wpl.dumps_wpl`)."""
    suffix = Path(path).suffix.lower()
    if suffix in PLAN_EXTENSIONS:
        save_plan(mission, path)
    elif suffix in WPL_EXTENSIONS:
        save_wpl(mission, path, drop_extras=drop_extras)
    else:
        raise MissionError(
            f"unknown mission file extension {suffix or '(none)'!r}; use "
            f"{', '.join(PLAN_EXTENSIONS + WPL_EXTENSIONS)}",
            source=str(path),
        )
