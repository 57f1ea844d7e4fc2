"""Numbers and messages on the wire for the vehicle's microservices (no sockets).

Shared by the mission and parameter protocols: a value as a float32 field carries it
(:func:`f32`, the one definition), int32 fields, integer fields of a received message that
may hold anything (:func:`int_field`, never raises).

For the mission microservice: its MAVLink numbers (plan types, fence and rally commands,
MAV_MISSION_RESULT codes) and its item messages - a stored
:class:`~longwing.mission.model.MavlinkItem` as the MISSION_ITEM_INT (or legacy MISSION_ITEM)
a download sends (:func:`item_message`), and a received MISSION_ITEM(_INT) back as a
MavlinkItem (:func:`decode_item`).

Coordinates: MISSION_ITEM_INT carries latitude/longitude of global frames as
``round(deg * 1e7)``; :class:`~longwing.mission.model.MavlinkItem` holds them in degrees
(``x / 1e7``, which converts back to the same integer exactly). For other frames x/y are
passed through as numbers.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mission.items import GLOBAL_FRAMES
from longwing.mission.model import MavlinkItem

# --- MAVLink numbers of the mission microservice ------------------------------------------

TYPE_MISSION = mavlink2.MAV_MISSION_TYPE_MISSION  # 0
TYPE_FENCE = mavlink2.MAV_MISSION_TYPE_FENCE  # 1
TYPE_RALLY = mavlink2.MAV_MISSION_TYPE_RALLY  # 2
TYPE_ALL = mavlink2.MAV_MISSION_TYPE_ALL  # 255
#: The plan types stored (MAV_MISSION_TYPE).
MISSION_TYPES = (TYPE_MISSION, TYPE_FENCE, TYPE_RALLY)
#: Plan type -> its name in messages ("Mission refused: ...").
TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {TYPE_MISSION: "Mission", TYPE_FENCE: "Fence", TYPE_RALLY: "Rally"}
)

FENCE_RETURN_POINT = mavlink2.MAV_CMD_NAV_FENCE_RETURN_POINT  # 5000
FENCE_POLYGON_VERTEX_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION  # 5001
FENCE_POLYGON_VERTEX_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION  # 5002
FENCE_CIRCLE_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION  # 5003
FENCE_CIRCLE_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION  # 5004
RALLY_POINT = mavlink2.MAV_CMD_NAV_RALLY_POINT  # 5100

# MAV_MISSION_RESULT
ACCEPTED = mavlink2.MAV_MISSION_ACCEPTED
ERROR = mavlink2.MAV_MISSION_ERROR
UNSUPPORTED_FRAME = mavlink2.MAV_MISSION_UNSUPPORTED_FRAME
UNSUPPORTED = mavlink2.MAV_MISSION_UNSUPPORTED
NO_SPACE = mavlink2.MAV_MISSION_NO_SPACE
INVALID_SEQUENCE = mavlink2.MAV_MISSION_INVALID_SEQUENCE
DENIED = mavlink2.MAV_MISSION_DENIED
OPERATION_CANCELLED = mavlink2.MAV_MISSION_OPERATION_CANCELLED
#: param index 1..7 -> MAV_MISSION_INVALID_PARAM1..4, PARAM5_X, PARAM6_Y, PARAM7
INVALID_PARAM: Mapping[int, int] = MappingProxyType(
    {
        1: mavlink2.MAV_MISSION_INVALID_PARAM1,
        2: mavlink2.MAV_MISSION_INVALID_PARAM2,
        3: mavlink2.MAV_MISSION_INVALID_PARAM3,
        4: mavlink2.MAV_MISSION_INVALID_PARAM4,
        5: mavlink2.MAV_MISSION_INVALID_PARAM5_X,
        6: mavlink2.MAV_MISSION_INVALID_PARAM6_Y,
        7: mavlink2.MAV_MISSION_INVALID_PARAM7,
    }
)

_I32_MIN = -(2**31)
_I32_MAX = 2**31 - 1
U16_MAX = 2**16 - 1
_F32 = struct.Struct("<f")


class ItemRefused(Exception):
    """A refusal with its MISSION_ACK code (``code``) and one line of text (``text``)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


# --- numbers ------------------------------------------------------------------------------


def f32(value: float) -> float:
    """``value`` as a float32 would carry it (out of range -> +-inf), so packing never fails."""
    try:
        return _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def clamp_i32(value: float) -> int:
    """Nearest int32 (NaN -> 0)."""
    if math.isnan(value):
        return 0
    if value >= _I32_MAX:
        return _I32_MAX
    if value <= _I32_MIN:
        return _I32_MIN
    return int(round(value))


def int_field(value: Any) -> int | None:
    """A message's integer field, ``None`` when it is not an integer (never raises)."""
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def x_to_int(value: float, frame: int) -> int:
    """MavlinkItem x/y -> MISSION_ITEM_INT x/y: degrees * 1e7 for global frames."""
    return clamp_i32(value * 1e7 if frame in GLOBAL_FRAMES else value)


def x_from_int(value: int, frame: int) -> float:
    """MISSION_ITEM_INT x/y -> MavlinkItem x/y (inverse of :func:`x_to_int`, exactly)."""
    return value / 1e7 if frame in GLOBAL_FRAMES else float(value)


# --- mission item messages ----------------------------------------------------------------


def item_message(
    mav: Any, to: tuple[int, int], mi: MavlinkItem, current: int, *, legacy: bool
) -> Any:
    """The MISSION_ITEM_INT (``legacy``: MISSION_ITEM, x/y as floats) carrying a stored item
    to ``to`` = (system, component), with the ``current`` flag given."""
    if legacy:
        encode = mav.mission_item_encode
        x, y = f32(mi.x), f32(mi.y)
    else:
        encode = mav.mission_item_int_encode
        x, y = x_to_int(mi.x, mi.frame), x_to_int(mi.y, mi.frame)
    return encode(
        to[0],
        to[1],
        mi.seq,
        mi.frame,
        mi.command,
        current,
        mi.autocontinue,
        f32(mi.param1),
        f32(mi.param2),
        f32(mi.param3),
        f32(mi.param4),
        x,
        y,
        f32(mi.z),
        mi.mission_type,
    )


def decode_item(msg: Any, mission_type: int, legacy: bool) -> MavlinkItem:
    """A received MISSION_ITEM(_INT) as a MavlinkItem; raises :class:`ItemRefused` for lat/lon
    that cannot be coordinates (legacy float items in a global frame)."""
    frame = int(msg.frame)
    if legacy:
        x, y = float(msg.x), float(msg.y)
        if frame in GLOBAL_FRAMES:
            # as ArduPilot: stored as degE7, so every later download reads the same
            if not (math.isfinite(x) and abs(x) <= 90.0):
                raise ItemRefused(INVALID_PARAM[5], f"latitude {x!r} is outside [-90, 90]")
            if not (math.isfinite(y) and abs(y) <= 180.0):
                raise ItemRefused(INVALID_PARAM[6], f"longitude {y!r} is outside [-180, 180]")
            x = round(x * 1e7) / 1e7
            y = round(y * 1e7) / 1e7
    else:
        x = x_from_int(int(msg.x), frame)
        y = x_from_int(int(msg.y), frame)
    return MavlinkItem(
        int(msg.seq),
        frame,
        int(msg.command),
        0,
        int(msg.autocontinue),
        float(msg.param1),
        float(msg.param2),
        float(msg.param3),
        float(msg.param4),
        x,
        y,
        float(msg.z),
        mission_type,
    )
