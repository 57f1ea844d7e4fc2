"""QGroundControl's complex items in ``.plan`` files, read as the mission items QGC uploads.

QGroundControl (``src/MissionManager``) saves a complex item as one ``"type":
"ComplexItem"`` object in ``mission.items``; on upload it stands for several mission items.
Which ones, per ``complexItemType``:

- ``survey`` (SurveyComplexItem, versions 4 and 5) and ``CorridorScan``
  (CorridorScanComplexItem, version 2): TransectStyleComplexItem stores the generated
  items in ``TransectStyleComplexItem.Items`` (SimpleItem objects, ``doJumpId`` = their
  mission seq) and, once loaded, QGC uploads exactly those items
  (``_appendLoadedMissionItems``). They are read as they are. Survey versions 2 and 3
  (QGC 3.x) stored no items: QGC rebuilt them from the polygon, so they are refused.
- ``fwLandingPattern`` (FixedWingLandingComplexItem, versions 1 and 2): QGC stores the
  pattern, not the items, and generates them on upload (``LandingComplexItem::
  appendMissionItems``): DO_LAND_START (MISSION frame, all parameters 0 - the form QGC
  sends to ArduPilot), DO_CHANGE_SPEED (airspeed, ``finalApproachSpeed`` truncated to an
  integer, throttle -1) when ``useDoChangeSpeed``, DO_SET_CAM_TRIGG_DIST 0 +
  IMAGE_STOP_CAPTURE when ``stopTakingPhotos``, VIDEO_STOP_CAPTURE when
  ``stopVideoPhotos``, then NAV_LOITER_TO_ALT (heading required 1, radius signed
  clockwise +, exit cross-track 1) at the approach point - or NAV_WAYPOINT when
  ``useLoiterToAlt`` is false - at the approach altitude rounded to float32 as QGC does,
  then NAV_LAND (parameters 0) at the landing point and altitude; frames
  GLOBAL_RELATIVE_ALT when ``altitudesAreRelative``, else GLOBAL. These are generated the
  same way here.
- ``StructureScan`` is refused: QGC offers it only for multirotors and VTOLs, stores no
  items, and its items aim a gimbal (DO_SET_ROI_WPNEXT_OFFSET / DO_SET_ROI_NONE), which
  longwing's aircraft has not.

Keys are checked as QGC's loaders check them (required keys, JSON types, versions); a
problem is one :class:`MissionError` naming the complex item (``survey at item 3``) and,
inside ``Items``, the entry. The JSON object itself is kept (:class:`QgcComplexItem`) so
a written plan gives it back to QGC.

This module is pure: no I/O.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from longwing.mission.items import MavFrame, MissionError, MissionItem
from longwing.mission.model import Mission, QgcComplexItem
from longwing.mission.planfile_json import (
    _coordinate,
    _integer,
    _is_number,
    _list,
    _number,
    _obj,
    _parse_simple_item,
)

__all__ = ["complex_item_label", "kept_complex_items", "parse_complex_item"]

# MAV_CMD numbers QGC's landing pattern may emit (MAVLink common.xml)
_DO_JUMP = 177
_DO_LAND_START = 189
_DO_CHANGE_SPEED = 178
_DO_SET_CAM_TRIGG_DIST = 206
_IMAGE_STOP_CAPTURE = 2001
_VIDEO_STOP_CAPTURE = 2501
_NAV_LOITER_TO_ALT = 31
_NAV_WAYPOINT = 16
_NAV_LAND = 21
_SPEED_TYPE_AIRSPEED = 0.0

_KINDS = {
    "survey": "survey",
    "CorridorScan": "corridor scan",
    "fwLandingPattern": "landing pattern",
    "StructureScan": "structure scan",
}

# (key, JSON type, required) as the QGC loaders validate them
_SURVEY_KEYS = (
    ("entryLocation", "number", True),
    ("angle", "number", True),
    ("flyAlternateTransects", "bool", False),
    ("polygon", "array", True),
)
_CORRIDOR_KEYS = (
    ("CorridorWidth", "number", True),
    ("EntryPoint", "number", True),
    ("polyline", "array", True),
)
_TRANSECT_KEYS = (
    ("TurnAroundDistance", "number", True),
    ("CameraTriggerInTurnAround", "bool", True),
    ("HoverAndCapture", "bool", True),
    ("Refly90Degrees", "bool", True),
    ("CameraCalc", "object", True),
    ("VisualTransectPoints", "array", True),
    ("Items", "array", True),
)
_LANDING_KEYS = (
    ("loiterRadius", "number", True),
    ("loiterClockwise", "bool", True),
    ("landCoordinate", "array", True),
    ("landingApproachCoordinate", "array", False),
    ("loiterCoordinate", "array", False),
    ("useLoiterToAlt", "bool", False),
    ("stopTakingPhotos", "bool", False),
    ("stopVideoPhotos", "bool", False),
    ("useDoChangeSpeed", "bool", False),
    ("finalApproachSpeed", "number", False),
)

_TYPE_CHECKS = {
    "number": _is_number,
    "bool": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}
_TYPE_NAMES = {
    "number": "a number",
    "bool": "true or false",
    "array": "a JSON array",
    "object": "a JSON object",
    "string": "a string",
}


def complex_item_label(kind: str, first_seq: int) -> str:
    """How errors name a complex item: ``survey at item 3``."""
    return f"{_KINDS.get(kind, repr(kind))} at item {first_seq}"


def _check_keys(obj: dict[str, Any], table: tuple, where: str, what: str) -> None:
    for key, kind, required in table:
        if key not in obj:
            if required:
                raise MissionError(f"missing key '{key}' in {what}", where=where)
            continue
        if not _TYPE_CHECKS[kind](obj[key]):
            raise MissionError(f"'{key}' must be {_TYPE_NAMES[kind]}", where=where)


def _version(obj: dict[str, Any], where: str, what: str) -> int:
    if "version" not in obj:
        raise MissionError(f"missing key 'version' in {what}", where=where)
    return _integer(obj["version"], "'version'", where)


def _vertices(value: list[Any], key: str, where: str) -> None:
    """QGC's polygon/polyline arrays: [lat, lon] (or [lat, lon, alt]) each."""
    for k, v in enumerate(value):
        what = f"'{key}'[{k}]"
        arr = _list(v, what, where)
        if len(arr) not in (2, 3):
            raise MissionError(f"{what} must hold 2 or 3 numbers, got {len(arr)}", where=where)
        for x in arr:
            _number(x, what, where)


def parse_complex_item(obj: dict[str, Any], first_seq: int) -> QgcComplexItem:
    """The mission items a ``ComplexItem`` object stands for, first at seq ``first_seq``."""
    kind = obj.get("complexItemType")
    if not isinstance(kind, str):
        raise MissionError(
            "a ComplexItem needs a string 'complexItemType'",
            where=f"item {first_seq}",
            item_seq=first_seq,
        )
    where = complex_item_label(kind, first_seq)
    try:
        if kind in ("survey", "CorridorScan"):
            items = _transect_items(obj, kind, first_seq, where)
        elif kind == "fwLandingPattern":
            items = _landing_items(obj, where)
        elif kind == "StructureScan":
            raise MissionError(
                "QGroundControl stores no mission items for a structure scan and offers it "
                "only for multirotors and VTOLs (its items aim a gimbal); plan the orbit "
                "with simple items",
                where=where,
            )
        else:
            raise MissionError(f"unsupported complex item type {kind!r}", where=where)
        json_text = json.dumps(obj, sort_keys=True, allow_nan=False)
    except ValueError as exc:  # MissionError included; allow_nan: NaN/Infinity literals
        if isinstance(exc, MissionError):
            raise MissionError(exc.problem, where=exc.where, item_seq=first_seq) from None
        raise MissionError("holds a non-finite number", where=where, item_seq=first_seq) from None
    return QgcComplexItem(kind, first_seq, tuple(items), json_text)


def kept_complex_items(mission: Mission) -> dict[int, QgcComplexItem]:
    """The complex items a written plan can give back, by first seq: those whose items are
    still in the mission at their seq, unchanged, and that no DO_JUMP jumps into (a complex
    item has no ``doJumpId``). Any other is written as its simple items."""
    targets = {it.jump_target_seq for it in mission.items if it.command == _DO_JUMP}
    kept = {}
    for ci in mission.plan_info.complex_items:
        span = mission.items[ci.first_seq - 1 : ci.last_seq]
        if span == ci.items and not any(ci.first_seq <= t <= ci.last_seq for t in targets):
            kept[ci.first_seq] = ci
    return kept


# --- survey and corridor scan: the items QGC stored -------------------------------------


def _transect_items(obj: dict[str, Any], kind: str, first_seq: int, where: str) -> list:
    version = _version(obj, where, f"the {_KINDS[kind]}")
    if kind == "survey":
        if version in (2, 3):
            raise MissionError(
                f"survey version {version} (QGroundControl 3) stores no mission items; open "
                "the plan in QGroundControl 4 or later and save it again",
                where=where,
            )
        if version not in (4, 5):
            raise MissionError(
                f"unsupported survey version {version} (supported: 4, 5)", where=where
            )
        keys = _SURVEY_KEYS + ((("splitConcavePolygons", "bool", True),) if version == 5 else ())
        _check_keys(obj, keys, where, "the survey")
        _vertices(obj["polygon"], "polygon", where)
    else:
        if version != 2:
            raise MissionError(
                f"unsupported CorridorScan version {version} (supported: 2)", where=where
            )
        _check_keys(obj, _CORRIDOR_KEYS, where, "the corridor scan")
        _vertices(obj["polyline"], "polyline", where)
    if "TransectStyleComplexItem" not in obj:
        raise MissionError("missing key 'TransectStyleComplexItem'", where=where)
    inner = _obj(obj["TransectStyleComplexItem"], "'TransectStyleComplexItem'", where)
    inner_version = _integer(inner.get("version", 1), "'TransectStyleComplexItem' version", where)
    if inner_version not in (1, 2):
        raise MissionError(
            f"unsupported TransectStyleComplexItem version {inner_version} (supported: 1, 2)",
            where=where,
        )
    keys = _TRANSECT_KEYS + ((("CameraShots", "number", True),) if inner_version == 2 else ())
    _check_keys(inner, keys, where, "'TransectStyleComplexItem'")
    _vertices(inner["VisualTransectPoints"], "VisualTransectPoints", where)
    raw_items = inner["Items"]
    if not raw_items:
        raise MissionError(
            "'TransectStyleComplexItem.Items' is empty: QGroundControl saved "
            "no mission items for it",
            where=where,
        )
    items = []
    for k, raw in enumerate(raw_items):
        label = f"{where}, Items[{k}]"
        entry = _obj(raw, "the item", label)
        if entry.get("type") != "SimpleItem":
            raise MissionError(
                f"'type' must be \"SimpleItem\", not {entry.get('type')!r}", where=label
            )
        item, _ = _parse_simple_item(entry, first_seq + k, None, label)
        items.append(item)
    return items


# --- fixed-wing landing pattern: the items QGC generates ---------------------------------


def _f32(x: float) -> float:
    """QGC passes the approach altitude through ``toFloat()`` (beyond float32: inf, which
    the item's check refuses)."""
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def _landing_items(obj: dict[str, Any], where: str) -> list[MissionItem]:
    version = _version(obj, where, "the landing pattern")
    if version not in (1, 2):
        raise MissionError(
            f"unsupported fwLandingPattern version {version} (supported: 1, 2)", where=where
        )
    _check_keys(obj, _LANDING_KEYS, where, "the landing pattern")
    if version == 2:
        _check_keys(
            obj,
            (("valueSetIsDistance", "bool", True), ("altitudesAreRelative", "bool", True)),
            where,
            "the landing pattern",
        )
        relative = obj["altitudesAreRelative"]
    else:
        _check_keys(
            obj,
            (("loiterAltitudeRelative", "bool", True), ("landAltitudeRelative", "bool", True)),
            where,
            "the landing pattern",
        )
        # QGC: different settings are no longer supported; both become relative
        relative = obj["loiterAltitudeRelative"] or obj["landAltitudeRelative"]
    key = "landingApproachCoordinate" if "landingApproachCoordinate" in obj else "loiterCoordinate"
    if key not in obj:
        raise MissionError("missing key 'landingApproachCoordinate'", where=where)
    a_lat, a_lon, a_alt = _coordinate(obj[key], f"'{key}'", 3, where)
    l_lat, l_lon, l_alt = _coordinate(obj["landCoordinate"], "'landCoordinate'", 3, where)
    radius = _number(obj["loiterRadius"], "'loiterRadius'", where)
    frame = MavFrame.GLOBAL_RELATIVE_ALT if relative else MavFrame.GLOBAL
    nan = math.nan
    items = [MissionItem(_DO_LAND_START, MavFrame.MISSION, (0.0, 0.0, 0.0, 0.0), 0.0, 0.0, 0.0)]
    if obj.get("useDoChangeSpeed", False):
        if "finalApproachSpeed" not in obj:
            raise MissionError(
                "'useDoChangeSpeed' is true but 'finalApproachSpeed' is missing", where=where
            )
        speed = _number(obj["finalApproachSpeed"], "'finalApproachSpeed'", where)
        if not math.isfinite(speed):
            raise MissionError(f"'finalApproachSpeed' {speed!r} is not finite", where=where)
        speed = float(math.trunc(speed))  # QGC passes it as an int
        items.append(
            MissionItem(
                _DO_CHANGE_SPEED,
                MavFrame.MISSION,
                (_SPEED_TYPE_AIRSPEED, speed, -1.0, 0.0),
                0.0,
                0.0,
                0.0,
            )
        )
    if obj.get("stopTakingPhotos", False):
        items.append(
            MissionItem(
                _DO_SET_CAM_TRIGG_DIST, MavFrame.MISSION, (0.0, 0.0, 0.0, 0.0), 0.0, 0.0, 0.0
            )
        )
        items.append(
            MissionItem(_IMAGE_STOP_CAPTURE, MavFrame.MISSION, (0.0, nan, nan, nan), nan, nan, nan)
        )
    if obj.get("stopVideoPhotos", False):
        items.append(
            MissionItem(_VIDEO_STOP_CAPTURE, MavFrame.MISSION, (0.0, nan, nan, nan), nan, nan, nan)
        )
    if obj.get("useLoiterToAlt", True):
        signed = radius * (1.0 if obj["loiterClockwise"] else -1.0)
        items.append(
            MissionItem(
                _NAV_LOITER_TO_ALT, frame, (1.0, signed, 0.0, 1.0), a_lat, a_lon, _f32(a_alt)
            )
        )
    else:
        items.append(
            MissionItem(_NAV_WAYPOINT, frame, (0.0, 0.0, 0.0, nan), a_lat, a_lon, _f32(a_alt))
        )
    items.append(MissionItem(_NAV_LAND, frame, (0.0, 0.0, 0.0, 0.0), l_lat, l_lon, l_alt))
    return items
