"""The JSON values of QGroundControl ``.plan`` files: the checked readers of numbers,
objects and arrays (each error a one-line :class:`MissionError` naming where), one
``SimpleItem`` (also the items QGC stores inside complex items) and the writer's number
form. Shared by :mod:`longwing.mission.planfile` and
:mod:`longwing.mission.planfile_complex`.

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from typing import Any

from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    MissionError,
    MissionItem,
    PlanAltitude,
    command_name,
)

# QGC AltitudeMode values (QGroundControlQmlGlobal::AltMode)
_ALT_MODE_RELATIVE = 1
_ALT_MODE_ABSOLUTE = 2
_ALT_MODE_CALC_ABOVE_TERRAIN = 3
_ALT_MODE_TERRAIN_FRAME = 4


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, what: str, where: str | None = None, nullable: bool = False) -> float:
    if value is None and nullable:
        return math.nan
    if not _is_number(value):
        kind = "null" if value is None else type(value).__name__
        raise MissionError(f"{what} must be a number, not {kind}", where=where)
    return float(value)


def _integer(value: Any, what: str, where: str | None = None) -> int:
    number = _number(value, what, where)
    if not number.is_integer():
        raise MissionError(f"{what} must be an integer, not {value!r}", where=where)
    return int(number)


def _obj(value: Any, what: str, where: str | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MissionError(f"{what} must be a JSON object", where=where)
    return value


def _list(value: Any, what: str, where: str | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise MissionError(f"{what} must be a JSON array", where=where)
    return value


def _require(obj: dict[str, Any], key: str, what: str, where: str | None = None) -> Any:
    if key not in obj:
        raise MissionError(f"missing key '{key}' in {what}", where=where)
    return obj[key]


def _coordinate(value: Any, what: str, n: int, where: str | None = None) -> list[float]:
    arr = _list(value, what, where)
    if len(arr) != n:
        raise MissionError(f"{what} must hold {n} numbers, got {len(arr)}", where=where)
    return [_number(v, what, where) for v in arr]


def _calc_above_terrain(pa: PlanAltitude, alt_m: float, lat_deg: float, lon_deg: float,
                        terrain, where: str, seq: int) -> tuple[float, PlanAltitude]:  # fmt: skip
    """QGC's AltitudeMode 3 ("calculated above terrain": an AMSL item ``Altitude`` above
    the ground): with a DEM, the DEM's height there + ``Altitude`` (the world's ground, even
    when QGC computed one from its own terrain); without, QGC's computed AMSL altitude, or
    an error naming the item when QGC had none (a null altitude)."""
    if terrain is None:
        if math.isfinite(alt_m):
            return alt_m, pa
        raise MissionError("AltitudeMode 3 (calculated above terrain) has no computed "
                           "altitude: give a DEM (--dem) that covers it", where=where,
                           item_seq=seq)  # fmt: skip
    if not math.isfinite(pa.altitude_m):
        raise MissionError("AltitudeMode 3 (calculated above terrain) has no 'Altitude' "
                           "above the terrain", where=where, item_seq=seq)  # fmt: skip
    ground = float(terrain(lat_deg, lon_deg))
    if not math.isfinite(ground):
        raise MissionError(f"AltitudeMode 3 (calculated above terrain): the DEM has no "
                           f"height at {lat_deg:.5f}, {lon_deg:.5f}", where=where,
                           item_seq=seq)  # fmt: skip
    amsl = ground + pa.altitude_m
    return amsl, PlanAltitude(pa.mode, pa.altitude_m, amsl)


def _parse_simple_item(
    obj: dict[str, Any], seq: int, terrain=None, label: str | None = None
) -> tuple[MissionItem, int | None]:
    """One ``SimpleItem`` (mission seq ``seq``) and its ``doJumpId``; errors name it as
    ``label`` (default ``item <seq>``) and its command."""
    label = f"item {seq}" if label is None else label
    where = label
    command = _integer(_require(obj, "command", "the item", where), "'command'", where)
    where = f"{label} ({command_name(command)})"
    frame = _integer(_require(obj, "frame", "the item", where), "'frame'", where)
    params_raw = _list(_require(obj, "params", "the item", where), "'params'", where)
    if len(params_raw) != 7:
        raise MissionError(f"'params' must hold 7 values, got {len(params_raw)}", where=where)
    params = [_number(p, f"params[{k}]", where, nullable=True) for k, p in enumerate(params_raw)]
    auto = _require(obj, "autoContinue", "the item", where)
    if not isinstance(auto, bool):
        raise MissionError("'autoContinue' must be true or false", where=where)
    jump_id: int | None = None
    if "doJumpId" in obj:
        jump_id = _integer(obj["doJumpId"], "'doJumpId'", where)
    plan_alt: PlanAltitude | None = None
    alt_keys = ("AltitudeMode", "Altitude", "AMSLAltAboveTerrain")
    if any(k in obj for k in alt_keys):
        for k in alt_keys:
            _require(obj, k, "the item", where)
        amsl = obj["AMSLAltAboveTerrain"]
        plan_alt = PlanAltitude(
            _integer(obj["AltitudeMode"], "'AltitudeMode'", where),
            _number(obj["Altitude"], "'Altitude'", where, nullable=True),
            None if amsl is None else _number(amsl, "'AMSLAltAboveTerrain'", where),
        )
        if plan_alt.mode == _ALT_MODE_CALC_ABOVE_TERRAIN and frame in ABSOLUTE_FRAMES:
            params[6], plan_alt = _calc_above_terrain(plan_alt, params[6], params[4], params[5],
                                                      terrain, where, seq)  # fmt: skip
    item = MissionItem(
        command,
        frame,
        (params[0], params[1], params[2], params[3]),
        params[4],
        params[5],
        params[6],
        auto,
        plan_altitude=plan_alt,
    )
    return item, jump_id


def _json_num(x: float) -> float | int | None:
    """NaN -> null; integral values as JSON integers (as Qt writes them)."""
    x = float(x)
    if math.isnan(x):
        return None
    if math.isfinite(x) and x.is_integer() and abs(x) < 2.0**53:
        return int(x)
    return x
