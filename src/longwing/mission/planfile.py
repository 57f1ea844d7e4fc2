"""QGroundControl ``.plan`` files (JSON): read and write, exactly.

Format (QGC's plan file format, file ``version`` 1)::

    {"fileType": "Plan", "version": 1, "groundStation": "...",
     "mission": {"version": 2, "firmwareType": 3, "vehicleType": 1, "cruiseSpeed": 25,
                 "hoverSpeed": 5, "globalPlanAltitudeMode": 1,
                 "plannedHomePosition": [lat, lon, alt_amsl],
                 "items": [{"type": "SimpleItem", "command": 16, "frame": 3,
                            "params": [p1, p2, p3, p4, lat, lon, alt], "autoContinue": true,
                            "doJumpId": 1, "AltitudeMode": 1, "Altitude": 100,
                            "AMSLAltAboveTerrain": null}, ...]},
     "geoFence": {"version": 2, "polygons": [{"inclusion": true, "polygon": [[lat, lon], ...],
                                              "version": 1}],
                  "circles": [{"inclusion": true, "circle": {"center": [lat, lon],
                                                              "radius": 500}, "version": 1}],
                  "breachReturn": [lat, lon, alt]},
     "rallyPoints": {"version": 2, "points": [[lat, lon, alt_above_home], ...]}}

Notes:

- JSON ``null`` params are NaN (QGC writes NaN as null) and are written back as null.
- Item ``i`` (0-based) of ``mission.items`` has seq ``i + 1``; ``doJumpId`` is written as
  that seq, as QGC does. A DO_JUMP's param1 in the file is the target's ``doJumpId``; on
  reading it becomes the target's seq (identical for files QGC wrote).
- ``ComplexItem`` entries are read as the mission items QGC uploads for them (survey and
  corridor scan: the items QGC stored inside; fixed-wing landing pattern: the sequence QGC
  generates; :mod:`longwing.mission.planfile_complex`), numbered on as QGC numbers them. A
  complex item whose items are still in the mission unchanged is written back as the same
  JSON object, so QGC reopens it editable; otherwise its items are written as simple items.
- Rally point altitudes in ``.plan`` files are above home; rally points in an absolute
  frame are converted with the home altitude on writing.
- Geofence altitude limits (metres above home) have no QGC key; longwing stores them as
  ``geoFence.longwing = {"maxAltAboveHomeM": ..., "minAltAboveHomeM": ...}``, which QGC
  ignores.
- Writing always emits ``geoFence`` and ``rallyPoints`` (as QGC does), keys sorted (as Qt
  does), integral numbers as integers. So a file written by QGC or by longwing reads and
  writes back to the same JSON content.

:func:`save_plan` writes atomically (a temporary file in the same folder, then renamed).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from longwing.mission.fence import (
    BreachReturnPoint,
    Fence,
    FenceCircle,
    FencePolygon,
    RallyPoint,
)
from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    RELATIVE_FRAMES,
    TERRAIN_FRAMES,
    MavCmd,
    MavFrame,
    MissionError,
    MissionItem,
    PlanAltitude,
    frame_name,
)
from longwing.mission.model import Home, Mission, PlanInfo, QgcComplexItem
from longwing.mission.planfile_complex import (
    complex_item_label,
    kept_complex_items,
    parse_complex_item,
)
from longwing.mission.planfile_json import (
    _ALT_MODE_ABSOLUTE,
    _ALT_MODE_CALC_ABOVE_TERRAIN,
    _ALT_MODE_RELATIVE,
    _ALT_MODE_TERRAIN_FRAME,
    _coordinate,
    _integer,
    _json_num,
    _list,
    _number,
    _obj,
    _parse_simple_item,
    _require,
)

__all__ = [
    "atomic_write_text",
    "dumps_plan",
    "load_plan",
    "parse_plan",
    "plan_to_dict",
    "read_text",
    "save_plan",
]

PLAN_FILE_VERSION = 1
MISSION_VERSION = 2
GEOFENCE_VERSION = 2
RALLY_VERSION = 2
SHAPE_VERSION = 1
LONGWING_FENCE_KEY = "longwing"


# --- file helpers (the only I/O of the mission package, with wpl.py) -----------------------


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a mission file (UTF-8, optional BOM); one-line MissionError on failure."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MissionError(f"cannot read the file: {exc.strerror or exc}", source=source) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MissionError("not a text file (not valid UTF-8)", source=source) from None


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename, so
    readers never see a half-written file."""
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


# --- reading ----------------------------------------------------------------------------
def _resolve_jumps(items: list[MissionItem], jump_ids: list[int | None]) -> list[MissionItem]:
    """Turn DO_JUMP param1 from a ``doJumpId`` into the target's seq."""
    seq_of_id: dict[int, int] = {}
    for seq, jid in enumerate(jump_ids, start=1):
        if jid is None or jid < 0:
            continue
        if jid in seq_of_id:
            raise MissionError(
                f"doJumpId {jid} is also used by item {seq_of_id[jid]}",
                where=f"item {seq} ({items[seq - 1].name})",
                item_seq=seq,
            )
        seq_of_id[jid] = seq
    out = list(items)
    for seq, item in enumerate(items, start=1):
        if item.command != MavCmd.DO_JUMP:
            continue
        target_id = item.params[0]
        if not (math.isfinite(target_id) and target_id.is_integer()):
            continue  # validation reports it
        if int(target_id) not in seq_of_id:
            raise MissionError(
                f"jump target doJumpId {int(target_id)} matches no item",
                where=f"item {seq} ({item.name})",
                item_seq=seq,
            )
        target_seq = float(seq_of_id[int(target_id)])
        out[seq - 1] = MissionItem(
            item.command,
            item.frame,
            (target_seq, *item.params[1:]),
            item.lat_deg,
            item.lon_deg,
            item.alt_m,
            item.autocontinue,
            plan_altitude=item.plan_altitude,
        )
    return out


def _parse_fence(obj: dict[str, Any]) -> Fence:
    where = "geoFence"
    version = _integer(_require(obj, "version", "'geoFence'"), "'version'", where)
    if version != GEOFENCE_VERSION:
        raise MissionError(
            f"unsupported geoFence version {version} (supported: {GEOFENCE_VERSION})", where=where
        )
    polygons = []
    for k, raw in enumerate(_list(obj.get("polygons", []), "'polygons'", where), start=1):
        pw = f"geofence polygon {k}"
        poly = _obj(raw, "the polygon", pw)
        inclusion = _require(poly, "inclusion", "the polygon", pw)
        if not isinstance(inclusion, bool):
            raise MissionError("'inclusion' must be true or false", where=pw)
        verts = _list(_require(poly, "polygon", "the polygon", pw), "'polygon'", pw)
        vertices = []
        for j, v in enumerate(verts, start=1):
            lat, lon = _coordinate(v, f"vertex {j}", 2, pw)
            vertices.append((lat, lon))
        polygons.append(FencePolygon(tuple(vertices), inclusion))
    circles = []
    for k, raw in enumerate(_list(obj.get("circles", []), "'circles'", where), start=1):
        cw = f"geofence circle {k}"
        circ = _obj(raw, "the circle", cw)
        inclusion = _require(circ, "inclusion", "the circle", cw)
        if not isinstance(inclusion, bool):
            raise MissionError("'inclusion' must be true or false", where=cw)
        body = _obj(_require(circ, "circle", "the circle", cw), "'circle'", cw)
        lat, lon = _coordinate(_require(body, "center", "'circle'", cw), "'center'", 2, cw)
        radius = _number(_require(body, "radius", "'circle'", cw), "'radius'", cw)
        circles.append(FenceCircle(lat, lon, radius, inclusion))
    breach = None
    if "breachReturn" in obj:
        lat, lon, alt = _coordinate(obj["breachReturn"], "'breachReturn'", 3, where)
        breach = BreachReturnPoint(lat, lon, alt)
    max_alt = min_alt = None
    if LONGWING_FENCE_KEY in obj:
        ext = _obj(obj[LONGWING_FENCE_KEY], f"'{LONGWING_FENCE_KEY}'", where)
        if "maxAltAboveHomeM" in ext:
            max_alt = _number(ext["maxAltAboveHomeM"], "'maxAltAboveHomeM'", where)
        if "minAltAboveHomeM" in ext:
            min_alt = _number(ext["minAltAboveHomeM"], "'minAltAboveHomeM'", where)
    return Fence(tuple(polygons), tuple(circles), max_alt, min_alt, breach)


def _parse_rally(obj: dict[str, Any]) -> tuple[RallyPoint, ...]:
    where = "rallyPoints"
    version = _integer(_require(obj, "version", "'rallyPoints'"), "'version'", where)
    if version not in (1, RALLY_VERSION):
        raise MissionError(
            f"unsupported rallyPoints version {version} (supported: {RALLY_VERSION})", where=where
        )
    points = []
    for k, raw in enumerate(_list(obj.get("points", []), "'points'", where), start=1):
        lat, lon, alt = _coordinate(raw, "the point", 3, f"rally point {k}")
        points.append(RallyPoint(lat, lon, alt, MavFrame.GLOBAL_RELATIVE_ALT))
    return tuple(points)


def _parse_plan_dict(doc: Any, terrain=None) -> Mission:
    top = _obj(doc, "the file")
    if top.get("fileType") != "Plan":
        raise MissionError(f"'fileType' must be \"Plan\", not {top.get('fileType')!r}")
    version = _integer(_require(top, "version", "the file"), "'version'")
    if version != PLAN_FILE_VERSION:
        raise MissionError(
            f"unsupported plan file version {version} (supported: {PLAN_FILE_VERSION})"
        )
    ground_station = top.get("groundStation", "")
    if not isinstance(ground_station, str):
        raise MissionError("'groundStation' must be a string")
    mission = _obj(_require(top, "mission", "the file"), "'mission'")
    mver = _integer(_require(mission, "version", "'mission'"), "'version'", "mission")
    if mver != MISSION_VERSION:
        raise MissionError(
            f"unsupported mission version {mver} (supported: {MISSION_VERSION})", where="mission"
        )
    firmware = _integer(_require(mission, "firmwareType", "'mission'"), "'firmwareType'", "mission")
    vehicle = (
        _integer(mission["vehicleType"], "'vehicleType'", "mission")
        if "vehicleType" in mission
        else None
    )
    alt_mode = (
        _integer(mission["globalPlanAltitudeMode"], "'globalPlanAltitudeMode'", "mission")
        if "globalPlanAltitudeMode" in mission
        else None
    )
    cruise = (
        _number(mission["cruiseSpeed"], "'cruiseSpeed'", "mission")
        if "cruiseSpeed" in mission
        else None
    )
    hover = (
        _number(mission["hoverSpeed"], "'hoverSpeed'", "mission")
        if "hoverSpeed" in mission
        else None
    )
    lat, lon, alt = _coordinate(
        _require(mission, "plannedHomePosition", "'mission'"), "'plannedHomePosition'", 3, "mission"
    )
    items: list[MissionItem] = []
    jump_ids: list[int | None] = []
    complex_items: list[QgcComplexItem] = []
    for raw in _list(_require(mission, "items", "'mission'"), "'items'", "mission"):
        seq = len(items) + 1  # QGC numbers items as uploaded: a complex item takes several
        obj = _obj(raw, "the item", f"item {seq}")
        kind = obj.get("type")
        if kind == "ComplexItem":
            ci = parse_complex_item(obj, seq)
            complex_items.append(ci)
            items.extend(ci.items)
            jump_ids.extend([None] * len(ci.items))  # a DO_JUMP can only name simple items
            continue
        if kind != "SimpleItem":
            raise MissionError(f"unknown item type {kind!r}", where=f"item {seq}", item_seq=seq)
        item, jump_id = _parse_simple_item(obj, seq, terrain)
        items.append(item)
        jump_ids.append(jump_id)
    items = _resolve_jumps(items, jump_ids)
    fence = _parse_fence(_obj(top["geoFence"], "'geoFence'")) if "geoFence" in top else Fence()
    rally = _parse_rally(_obj(top["rallyPoints"], "'rallyPoints'")) if "rallyPoints" in top else ()
    info = PlanInfo(firmware, vehicle, ground_station, alt_mode, tuple(complex_items))
    try:
        return Mission(
            home=Home(lat, lon, alt),
            items=tuple(items),
            fence=fence,
            rally=rally,
            cruise_speed_mps=cruise,
            hover_speed_mps=hover,
            plan_info=info,
        )
    except MissionError as exc:
        raise _in_complex_item(exc, complex_items) from None


def _in_complex_item(exc: MissionError, complex_items: list[QgcComplexItem]) -> MissionError:
    """An item's error, saying which complex item the item came from."""
    for ci in complex_items:
        if exc.item_seq is not None and ci.first_seq <= exc.item_seq <= ci.last_seq:
            where = f"{exc.where} of the {complex_item_label(ci.kind, ci.first_seq)}"
            return MissionError(exc.problem, where=where, item_seq=exc.item_seq)
    return exc


def parse_plan(text: str, source: str | None = None, terrain=None) -> Mission:
    """A :class:`Mission` from ``.plan`` JSON text; errors name ``source``. ``terrain``
    (a :data:`~longwing.mission.items.TerrainFn`, the world's DEM) computes QGC's
    "calculated above terrain" altitudes (AltitudeMode 3)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MissionError(f"invalid JSON: {exc.msg}", source=source, line=exc.lineno) from None
    try:
        return _parse_plan_dict(doc, terrain)
    except MissionError as exc:
        raise exc.with_context(source=source) from None


def load_plan(path: str | os.PathLike[str], terrain=None) -> Mission:
    """Read a QGroundControl ``.plan`` file (``terrain``: see :func:`parse_plan`)."""
    return parse_plan(read_text(path), str(path), terrain)


# --- writing ----------------------------------------------------------------------------


def _altitude_mode(frame: int) -> int:
    if frame in RELATIVE_FRAMES:
        return _ALT_MODE_RELATIVE
    if frame in TERRAIN_FRAMES:
        return _ALT_MODE_TERRAIN_FRAME
    return _ALT_MODE_ABSOLUTE


def _plan_altitude_keys(item: MissionItem) -> dict[str, Any]:
    """QGC altitude keys for an item that had them; regenerated if they went stale."""
    pa = item.plan_altitude
    if pa is None:
        return {}
    fresh = _altitude_mode(item.frame)
    consistent = (pa.mode == fresh and pa.altitude_m == item.alt_m) or (
        pa.mode == _ALT_MODE_CALC_ABOVE_TERRAIN
        and item.frame in ABSOLUTE_FRAMES
        and pa.amsl_alt_above_terrain_m == item.alt_m
    )
    if not consistent:
        pa = PlanAltitude(fresh, item.alt_m, None)
    amsl = pa.amsl_alt_above_terrain_m
    return {
        "AltitudeMode": pa.mode,
        "Altitude": _json_num(pa.altitude_m),
        "AMSLAltAboveTerrain": None if amsl is None else _json_num(amsl),
    }


def _rally_alt_above_home(mission: Mission, k: int, rp: RallyPoint) -> float:
    if rp.frame in RELATIVE_FRAMES:
        return rp.alt_m
    if rp.frame in ABSOLUTE_FRAMES:
        return rp.alt_m - mission.home.alt_m
    raise MissionError(
        f".plan files store rally altitudes above home; frame {frame_name(rp.frame)} "
        "cannot be converted",
        where=f"rally point {k}",
    )


def plan_to_dict(mission: Mission) -> dict[str, Any]:
    """The ``.plan`` JSON document of a mission."""
    items = []
    kept = kept_complex_items(mission)
    skip_to = 0
    for seq, it in enumerate(mission.items, start=1):
        if seq < skip_to:
            continue
        if seq in kept:  # QGC's complex item, unchanged: written back as it was read
            items.append(json.loads(kept[seq].json_text))
            skip_to = kept[seq].last_seq + 1
            continue
        obj: dict[str, Any] = {
            "type": "SimpleItem",
            "command": it.command,
            "frame": it.frame,
            "params": [_json_num(it.param(n)) for n in range(1, 8)],
            "autoContinue": it.autocontinue,
            "doJumpId": seq,
        }
        obj.update(_plan_altitude_keys(it))
        items.append(obj)
    info = mission.plan_info
    mission_obj: dict[str, Any] = {
        "version": MISSION_VERSION,
        "firmwareType": info.firmware_type,
        "items": items,
        "plannedHomePosition": [
            _json_num(mission.home.lat_deg),
            _json_num(mission.home.lon_deg),
            _json_num(mission.home.alt_m),
        ],
    }
    if info.vehicle_type is not None:
        mission_obj["vehicleType"] = info.vehicle_type
    if info.global_altitude_mode is not None:
        mission_obj["globalPlanAltitudeMode"] = info.global_altitude_mode
    if mission.cruise_speed_mps is not None:
        mission_obj["cruiseSpeed"] = _json_num(mission.cruise_speed_mps)
    if mission.hover_speed_mps is not None:
        mission_obj["hoverSpeed"] = _json_num(mission.hover_speed_mps)

    fence = mission.fence
    fence_obj: dict[str, Any] = {
        "version": GEOFENCE_VERSION,
        "polygons": [
            {
                "inclusion": p.inclusion,
                "polygon": [[_json_num(lat), _json_num(lon)] for lat, lon in p.vertices],
                "version": SHAPE_VERSION,
            }
            for p in fence.polygons
        ],
        "circles": [
            {
                "inclusion": c.inclusion,
                "circle": {
                    "center": [_json_num(c.center_lat_deg), _json_num(c.center_lon_deg)],
                    "radius": _json_num(c.radius_m),
                },
                "version": SHAPE_VERSION,
            }
            for c in fence.circles
        ],
    }
    if fence.breach_return is not None:
        br = fence.breach_return
        fence_obj["breachReturn"] = [
            _json_num(br.lat_deg),
            _json_num(br.lon_deg),
            _json_num(br.alt_m),
        ]
    ext: dict[str, Any] = {}
    if fence.max_alt_above_home_m is not None:
        ext["maxAltAboveHomeM"] = _json_num(fence.max_alt_above_home_m)
    if fence.min_alt_above_home_m is not None:
        ext["minAltAboveHomeM"] = _json_num(fence.min_alt_above_home_m)
    if ext:
        fence_obj[LONGWING_FENCE_KEY] = ext

    rally_obj = {
        "version": RALLY_VERSION,
        "points": [
            [
                _json_num(rp.lat_deg),
                _json_num(rp.lon_deg),
                _json_num(_rally_alt_above_home(mission, k, rp)),
            ]
            for k, rp in enumerate(mission.rally, start=1)
        ],
    }
    return {
        "fileType": "Plan",
        "version": PLAN_FILE_VERSION,
        "groundStation": info.ground_station,
        "mission": mission_obj,
        "geoFence": fence_obj,
        "rallyPoints": rally_obj,
    }


def dumps_plan(mission: Mission) -> str:
    """``.plan`` JSON text (4-space indent, sorted keys, trailing newline)."""
    return json.dumps(plan_to_dict(mission), indent=4, sort_keys=True, allow_nan=False) + "\n"


def save_plan(mission: Mission, path: str | os.PathLike[str]) -> None:
    """Write a ``.plan`` file atomically."""
    try:
        text = dumps_plan(mission)
    except MissionError as exc:
        raise exc.with_context(source=str(path)) from None
    atomic_write_text(path, text)
