"""The MAVLink mission microservice, vehicle side, as ArduPilot implements it (no sockets).

:class:`MissionProtocol` turns the mission messages a ground station sends into the
messages the vehicle answers with, and hands complete, validated uploads to the vehicle
through a callback. It never packs or sends anything: ``handle()`` and ``tick()`` return
pymavlink message objects built with the ``mav`` given to the constructor, and the link
layer packs and sends them. Time is passed in (``now_s``), so tests drive it with a fake
clock.

The three plan types (``mission_type``) are stored and transferred independently, as
MAVLink asks and ArduPilot does: 0 MISSION (seq 0 is home, the first real item is seq 1),
1 FENCE and 2 RALLY (no home: the first item is seq 0).

Upload (ground station -> vehicle)::

    GCS  MISSION_COUNT(n)          ->  vehicle  MISSION_REQUEST_INT(0)
    GCS  MISSION_ITEM_INT(0)       ->  vehicle  MISSION_REQUEST_INT(1)
    ...
    GCS  MISSION_ITEM_INT(n-1)     ->  vehicle  MISSION_ACK(ACCEPTED or the refusal)

Items are collected in an upload buffer and checked one by one as they arrive (an invalid
item ends the upload with the matching MISSION_ACK code); when the last one arrives the
whole list is converted through longwing's model (:class:`~longwing.mission.model.Mission`,
:class:`~longwing.mission.fence.Fence`, :class:`~longwing.mission.fence.RallyPoint`),
``on_change(mission_type, obj)`` is called and only then is the new list stored. An upload
that stops half-way, is refused, or whose ``on_change`` raises
:class:`~longwing.mission.items.MissionError` leaves the previous plan untouched. (ArduPilot
buffers fence and rally uploads like this but writes mission items straight to storage; here
all three are buffered.)

If an awaited item does not arrive within ``timeout_s`` the request is sent again, up to
``retries`` times; then the upload is abandoned with MISSION_ACK OPERATION_CANCELLED (as
ArduPilot, which re-requests every second and gives up after 8 s) - call :meth:`tick`
regularly (10 Hz or more).

Download (vehicle -> ground station): MISSION_REQUEST_LIST -> MISSION_COUNT, then each
MISSION_REQUEST_INT -> MISSION_ITEM_INT (a legacy MISSION_REQUEST -> MISSION_ITEM), and the
ground station's final MISSION_ACK. Downloads are stateless, as in ArduPilot. The items go
back exactly as they were uploaded (command, frame, param1-4, x/y/z, autocontinue).

ArduPilot behaviour reproduced: one upload per plan type at a time (MISSION_COUNT from
another system or component during an upload -> DENIED, the same one -> the upload restarts;
MISSION_REQUEST_LIST / MISSION_REQUEST_INT of that type during an upload -> DENIED;
MISSION_CLEAR_ALL during an upload -> ERROR; an item when no upload is running -> ERROR; an
item out of order -> INVALID_SEQUENCE, the upload goes on); count above the limit ->
NO_SPACE; unknown plan types -> UNSUPPORTED (requests for them are ignored); messages for
another system or component are ignored (target 0 is broadcast); MISSION_SET_CURRENT
answers MISSION_CURRENT with the requested seq, or nothing when refused; a mission item with
``current`` 2 (guided "fly to") or 3 (change altitude) is not part of an upload but a
guided request (``on_guided``).

Differences from ArduPilot, on purpose: MISSION_CLEAR_ALL with MAV_MISSION_TYPE_ALL (255)
clears all three plans (ArduPilot answers UNSUPPORTED); a MISSION_ACK other than ACCEPTED
from the uploading system cancels its upload at once (MAVLink's rule; ArduPilot lets it time
out); uploads are requested with MISSION_REQUEST_INT (ArduPilot still sends the deprecated
MISSION_REQUEST); downloads return ``autocontinue`` and fence/rally frames and altitudes as
uploaded (ArduPilot returns autocontinue 1 and frame 0 / z 0 for fence items);
MISSION_WRITE_PARTIAL_LIST is answered UNSUPPORTED.

Refusal codes (MISSION_ACK ``type``) for an uploaded item or plan: UNSUPPORTED for an unknown
command, UNSUPPORTED_FRAME for a frame the command does not allow, INVALID_PARAM1..4 for a
bad param1..4, INVALID_PARAM5_X / PARAM6_Y for a latitude / longitude out of range or not
finite, INVALID_PARAM7 for a bad altitude, ERROR for anything else (polygon geometry, two
fence return points...). The problem as one line of text is kept in
:attr:`MissionProtocol.last_error` and passed to ``on_error`` (for a STATUSTEXT).

Home: MISSION item 0 in an absolute frame (GLOBAL / GLOBAL_INT, as QGroundControl and
Mission Planner send it) becomes the mission's home. In any other frame (scripts often send a
dummy item 0 in GLOBAL_RELATIVE_ALT) it is stored as sent but the current home is kept, as
ArduPilot ignores uploaded item 0. :meth:`MissionProtocol.set_home` moves item 0 when the
vehicle sets its home.

Coordinates: MISSION_ITEM_INT carries latitude/longitude of global frames as
``round(deg * 1e7)``; :class:`~longwing.mission.model.MavlinkItem` holds them in degrees
(``x / 1e7``, which converts back to the same integer exactly). For other frames x/y are
passed through as numbers.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mission.fence import (
    BreachReturnPoint,
    Fence,
    FenceCircle,
    FencePolygon,
    RallyPoint,
)
from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    GLOBAL_FRAMES,
    RELATIVE_FRAMES,
    TERRAIN_FRAMES,
    MavCmd,
    MavFrame,
    MissionError,
    MissionItem,
    frame_name,
    validate_item,
    validate_lat_lon_alt,
)
from longwing.mission.model import Home, MavlinkItem, Mission

__all__ = [
    "FENCE_CIRCLE_EXCLUSION",
    "FENCE_CIRCLE_INCLUSION",
    "FENCE_POLYGON_VERTEX_EXCLUSION",
    "FENCE_POLYGON_VERTEX_INCLUSION",
    "FENCE_RETURN_POINT",
    "MISSION_TYPES",
    "RALLY_POINT",
    "MissionProtocol",
    "fence_from_mavlink_items",
    "fence_to_mavlink_items",
    "mission_item_result",
    "mission_result_for_error",
    "rally_from_mavlink_items",
    "rally_to_mavlink_items",
]

# --- MAVLink numbers ---------------------------------------------------------------------

TYPE_MISSION = mavlink2.MAV_MISSION_TYPE_MISSION  # 0
TYPE_FENCE = mavlink2.MAV_MISSION_TYPE_FENCE  # 1
TYPE_RALLY = mavlink2.MAV_MISSION_TYPE_RALLY  # 2
TYPE_ALL = mavlink2.MAV_MISSION_TYPE_ALL  # 255
#: The plan types stored (MAV_MISSION_TYPE).
MISSION_TYPES = (TYPE_MISSION, TYPE_FENCE, TYPE_RALLY)
_TYPE_NAMES = {TYPE_MISSION: "Mission", TYPE_FENCE: "Fence", TYPE_RALLY: "Rally"}

FENCE_RETURN_POINT = mavlink2.MAV_CMD_NAV_FENCE_RETURN_POINT  # 5000
FENCE_POLYGON_VERTEX_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION  # 5001
FENCE_POLYGON_VERTEX_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION  # 5002
FENCE_CIRCLE_INCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION  # 5003
FENCE_CIRCLE_EXCLUSION = mavlink2.MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION  # 5004
RALLY_POINT = mavlink2.MAV_CMD_NAV_RALLY_POINT  # 5100
_POLYGON_CMDS = (FENCE_POLYGON_VERTEX_INCLUSION, FENCE_POLYGON_VERTEX_EXCLUSION)
_CIRCLE_CMDS = (FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION)
_FENCE_CMDS = frozenset((FENCE_RETURN_POINT, *_POLYGON_CMDS, *_CIRCLE_CMDS))

ACCEPTED = mavlink2.MAV_MISSION_ACCEPTED
ERROR = mavlink2.MAV_MISSION_ERROR
UNSUPPORTED_FRAME = mavlink2.MAV_MISSION_UNSUPPORTED_FRAME
UNSUPPORTED = mavlink2.MAV_MISSION_UNSUPPORTED
NO_SPACE = mavlink2.MAV_MISSION_NO_SPACE
INVALID_SEQUENCE = mavlink2.MAV_MISSION_INVALID_SEQUENCE
DENIED = mavlink2.MAV_MISSION_DENIED
OPERATION_CANCELLED = mavlink2.MAV_MISSION_OPERATION_CANCELLED
_INVALID_PARAM = {
    1: mavlink2.MAV_MISSION_INVALID_PARAM1,
    2: mavlink2.MAV_MISSION_INVALID_PARAM2,
    3: mavlink2.MAV_MISSION_INVALID_PARAM3,
    4: mavlink2.MAV_MISSION_INVALID_PARAM4,
    5: mavlink2.MAV_MISSION_INVALID_PARAM5_X,
    6: mavlink2.MAV_MISSION_INVALID_PARAM6_Y,
    7: mavlink2.MAV_MISSION_INVALID_PARAM7,
}

_I32_MIN = -(2**31)
_I32_MAX = 2**31 - 1
_U16_MAX = 2**16 - 1
_F32 = struct.Struct("<f")
_PARAM_RE = re.compile(r"\bparam([1-7])\b")


# --- number conversion for the wire ------------------------------------------------------


def _f32(value: float) -> float:
    """``value`` as a float32 would carry it (out of range -> +-inf), so packing never fails."""
    try:
        return _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _clamp_i32(value: float) -> int:
    """Nearest int32 (NaN -> 0)."""
    if math.isnan(value):
        return 0
    if value >= _I32_MAX:
        return _I32_MAX
    if value <= _I32_MIN:
        return _I32_MIN
    return int(round(value))


def _int(value: Any) -> int | None:
    """A message's integer field, ``None`` when it is not an integer (never raises)."""
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def _x_to_int(value: float, frame: int) -> int:
    """MavlinkItem x/y -> MISSION_ITEM_INT x/y: degrees * 1e7 for global frames."""
    return _clamp_i32(value * 1e7 if frame in GLOBAL_FRAMES else value)


def _x_from_int(value: int, frame: int) -> float:
    """MISSION_ITEM_INT x/y -> MavlinkItem x/y (inverse of :func:`_x_to_int`, exactly)."""
    return value / 1e7 if frame in GLOBAL_FRAMES else float(value)


# --- result codes ------------------------------------------------------------------------


def mission_result_for_error(error: MissionError) -> int:
    """The MAV_MISSION_RESULT that best describes a :class:`MissionError` (from its text).

    Unsupported command -> UNSUPPORTED; ``paramN`` named -> INVALID_PARAMN (5, 6 -> PARAM5_X,
    PARAM6_Y); latitude -> INVALID_PARAM5_X; longitude -> INVALID_PARAM6_Y; altitude ->
    INVALID_PARAM7; frame -> UNSUPPORTED_FRAME; anything else -> ERROR.
    """
    text = error.problem
    if "unsupported command" in text:
        return UNSUPPORTED
    m = _PARAM_RE.search(text)
    if m is not None:
        return _INVALID_PARAM[int(m.group(1))]
    if "latitude" in text:
        return _INVALID_PARAM[5]
    if "longitude" in text:
        return _INVALID_PARAM[6]
    if "altitude" in text:
        return _INVALID_PARAM[7]
    if "frame" in text:
        return UNSUPPORTED_FRAME
    return ERROR


def _position_result(lat: float, lon: float, alt: float) -> int | None:
    if validate_lat_lon_alt(lat, 0.0, 0.0) is not None:
        return _INVALID_PARAM[5]
    if validate_lat_lon_alt(0.0, lon, 0.0) is not None:
        return _INVALID_PARAM[6]
    if not math.isfinite(alt):
        return _INVALID_PARAM[7]
    return None


def mission_item_result(item: MissionItem) -> int:
    """The MAV_MISSION_RESULT for one mission item (ACCEPTED when it is valid on its own).

    Follows :func:`~longwing.mission.items.validate_item`'s checks in its order, naming the
    field at fault instead of parsing its text.
    """
    spec = item.spec
    if spec is None:
        return UNSUPPORTED
    if item.frame not in spec.frames:
        return UNSUPPORTED_FRAME
    for p in spec.params:
        if p.check(item.params[p.index - 1]) is not None:
            return _INVALID_PARAM[p.index]
    used = {p.index for p in spec.params}
    for i in range(1, 5):
        if i not in used and math.isinf(item.params[i - 1]):
            return _INVALID_PARAM[i]
    if item.has_position:
        code = _position_result(item.lat_deg, item.lon_deg, item.alt_m)
        if code is not None:
            return code
    else:
        for i, value in ((5, item.lat_deg), (6, item.lon_deg), (7, item.alt_m)):
            if math.isinf(value):
                return _INVALID_PARAM[i]
    try:
        validate_item(item, 1)
    except MissionError as exc:  # a rule not covered above (DO_SET_HOME needs a global frame)
        return UNSUPPORTED_FRAME if "frame" in exc.problem else mission_result_for_error(exc)
    return ACCEPTED


# --- fence and rally <-> MAVLink items -----------------------------------------------------


def _fence_item_where(seq: int) -> str:
    return f"fence item {seq}"


def _fence_item_problem(mi: MavlinkItem) -> str | None:
    """What is wrong with one fence item on its own (``None``: fine)."""
    if mi.command not in _FENCE_CMDS:
        return (
            f"unsupported command {mi.command} for a fence item (supported: 5000 return "
            "point, 5001/5002 polygon vertex, 5003/5004 circle)"
        )
    if mi.frame not in GLOBAL_FRAMES:
        return f"frame {frame_name(mi.frame)} is not a global frame"
    bad = validate_lat_lon_alt(mi.x, mi.y, 0.0)
    if bad is not None:
        return bad
    if mi.command in _POLYGON_CMDS:
        n = mi.param1
        if not (math.isfinite(n) and n.is_integer() and 3 <= n <= _U16_MAX):
            return f"polygon vertex count (param1) is {n!r}; must be an integer >= 3"
    elif mi.command in _CIRCLE_CMDS:
        r = mi.param1
        if not (math.isfinite(r) and r > 0):
            return f"circle radius (param1) is {r!r}; must be > 0"
    else:  # return point: its altitude is used
        if not math.isfinite(mi.z):
            return f"altitude {mi.z!r} is not a finite number"
        if mi.frame in TERRAIN_FRAMES:
            return (
                f"frame {frame_name(mi.frame)} is relative to terrain; a fence return point "
                "needs a relative or absolute frame"
            )
    return None


def _check_seqs(items: Sequence[MavlinkItem]) -> None:
    for expected, mi in enumerate(items):
        if mi.seq != expected:
            raise MissionError(f"MAVLink item {expected} has seq {mi.seq}; expected {expected}")


def fence_from_mavlink_items(
    items: Iterable[MavlinkItem],
    *,
    home_alt_m: float = 0.0,
    max_alt_above_home_m: float | None = None,
    min_alt_above_home_m: float | None = None,
) -> Fence:
    """A :class:`Fence` from MAVLink fence items (seq 0..N-1, no home).

    Polygon vertices (5001 inclusion / 5002 exclusion) come in runs of ``param1`` (the
    vertex count) consecutive items of the same command and count; circles (5003/5004)
    have ``param1`` = radius in metres; one optional return point (5000) whose altitude is
    above home in relative frames and converted with ``home_alt_m`` in absolute frames.
    Altitude limits are not fence items (ArduPilot keeps them in FENCE_ALT_MAX/MIN); pass
    them to carry them over. Raises :class:`MissionError` with ``item_seq`` set.
    """
    seq_items = tuple(items)
    _check_seqs(seq_items)
    polygons: list[FencePolygon] = []
    circles: list[FenceCircle] = []
    breach: BreachReturnPoint | None = None
    n = len(seq_items)
    i = 0
    while i < n:
        mi = seq_items[i]
        bad = _fence_item_problem(mi)
        if bad is not None:
            raise MissionError(bad, where=_fence_item_where(i), item_seq=i)
        if mi.command in _POLYGON_CMDS:
            count = int(mi.param1)
            inclusion = mi.command == FENCE_POLYGON_VERTEX_INCLUSION
            kind = "inclusion" if inclusion else "exclusion"
            if i + count > n:
                raise MissionError(
                    f"vertex count (param1) is {count} but the {kind} polygon starting at "
                    f"item {i} has only {n - i} vertices",
                    where=_fence_item_where(i),
                    item_seq=i,
                )
            vertices = []
            for j in range(i, i + count):
                v = seq_items[j]
                bad = _fence_item_problem(v)
                if bad is not None:
                    raise MissionError(bad, where=_fence_item_where(j), item_seq=j)
                if v.command != mi.command or v.param1 != mi.param1:
                    raise MissionError(
                        f"expected vertex {j - i + 1} of the {count}-vertex {kind} polygon "
                        f"starting at item {i} (command {mi.command}, param1 {count}); got "
                        f"command {v.command} with vertex count (param1) {v.param1!r}",
                        where=_fence_item_where(j),
                        item_seq=j,
                    )
                vertices.append((v.x, v.y))
            polygon = FencePolygon(tuple(vertices), inclusion)
            bad = polygon.problem()
            if bad is not None:
                raise MissionError(
                    f"polygon {len(polygons) + 1} (items {i}-{i + count - 1}): {bad}",
                    where=_fence_item_where(i),
                    item_seq=i,
                )
            polygons.append(polygon)
            i += count
            continue
        if mi.command in _CIRCLE_CMDS:
            circles.append(FenceCircle(mi.x, mi.y, mi.param1, mi.command == FENCE_CIRCLE_INCLUSION))
        else:
            if breach is not None:
                raise MissionError(
                    "a second fence return point (only one is allowed)",
                    where=_fence_item_where(i),
                    item_seq=i,
                )
            alt = mi.z if mi.frame in RELATIVE_FRAMES else mi.z - home_alt_m
            breach = BreachReturnPoint(mi.x, mi.y, alt)
        i += 1
    try:
        return Fence(
            tuple(polygons), tuple(circles), max_alt_above_home_m, min_alt_above_home_m, breach
        )
    except MissionError as exc:
        raise MissionError(exc.problem, where=exc.where or "fence") from None


def fence_to_mavlink_items(fence: Fence) -> tuple[MavlinkItem, ...]:
    """The fence as MAVLink fence items (as QGroundControl uploads it): every polygon's
    vertices (frame GLOBAL, param1 = vertex count), the circles (param1 = radius) and the
    return point (GLOBAL_RELATIVE_ALT, z above home). Altitude limits are not items."""
    out: list[MavlinkItem] = []

    def add(frame: int, command: int, p1: float, x: float, y: float, z: float) -> None:
        out.append(
            MavlinkItem(len(out), frame, command, 0, 1, p1, 0.0, 0.0, 0.0, x, y, z, TYPE_FENCE)
        )

    for polygon in fence.polygons:
        cmd = (
            FENCE_POLYGON_VERTEX_INCLUSION if polygon.inclusion else FENCE_POLYGON_VERTEX_EXCLUSION
        )
        for lat, lon in polygon.vertices:
            add(int(MavFrame.GLOBAL), cmd, float(len(polygon.vertices)), lat, lon, 0.0)
    for circle in fence.circles:
        cmd = FENCE_CIRCLE_INCLUSION if circle.inclusion else FENCE_CIRCLE_EXCLUSION
        add(
            int(MavFrame.GLOBAL),
            cmd,
            circle.radius_m,
            circle.center_lat_deg,
            circle.center_lon_deg,
            0.0,
        )
    br = fence.breach_return
    if br is not None:
        add(
            int(MavFrame.GLOBAL_RELATIVE_ALT),
            FENCE_RETURN_POINT,
            0.0,
            br.lat_deg,
            br.lon_deg,
            br.alt_m,
        )
    return tuple(out)


def _rally_item_problem(mi: MavlinkItem) -> str | None:
    if mi.command != RALLY_POINT:
        return f"unsupported command {mi.command} for a rally point (expected 5100)"
    return RallyPoint(mi.x, mi.y, mi.z, mi.frame).problem()


def rally_from_mavlink_items(items: Iterable[MavlinkItem]) -> tuple[RallyPoint, ...]:
    """Rally points from MAVLink rally items (MAV_CMD_NAV_RALLY_POINT, seq 0..N-1)."""
    seq_items = tuple(items)
    _check_seqs(seq_items)
    out = []
    for k, mi in enumerate(seq_items):
        bad = _rally_item_problem(mi)
        if bad is not None:
            raise MissionError(bad, where=f"rally item {k}", item_seq=k)
        out.append(RallyPoint(mi.x, mi.y, mi.z, mi.frame))
    return tuple(out)


def rally_to_mavlink_items(rally: Iterable[RallyPoint]) -> tuple[MavlinkItem, ...]:
    """Rally points as MAVLink rally items (MAV_CMD_NAV_RALLY_POINT in the point's frame)."""
    return tuple(
        MavlinkItem(
            k, rp.frame, RALLY_POINT, 0, 1, 0.0, 0.0, 0.0, 0.0, rp.lat_deg, rp.lon_deg, rp.alt_m, 2
        )
        for k, rp in enumerate(rally)
    )


def _home_item(home: Home) -> MavlinkItem:
    return MavlinkItem(
        0,
        int(MavFrame.GLOBAL),
        int(MavCmd.NAV_WAYPOINT),
        0,
        1,
        0.0,
        0.0,
        0.0,
        0.0,
        home.lat_deg,
        home.lon_deg,
        home.alt_m,
    )


# --- the protocol --------------------------------------------------------------------------


class _Refused(Exception):  # internal control flow: a refusal with its ACK code
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


@dataclass(slots=True)
class _Upload:
    """One upload in progress."""

    src: tuple[int, int]
    count: int
    items: list[MavlinkItem]
    last_request_s: float
    retries_done: int = 0

    @property
    def next_seq(self) -> int:
        return len(self.items)


OnChange = Callable[[int, Any], None]


class MissionProtocol:
    """The vehicle side of the MAVLink mission protocol (see the module doc).

    ``mav`` is a pymavlink ``MAVLink`` object used only to build messages. ``target`` is our
    ``(sysid, compid)``: messages addressed to another system or component are ignored.
    Callbacks:

    - ``on_change(mission_type, obj)`` after a complete, valid upload or a clear, before it
      is acknowledged: ``obj`` is a :class:`Mission` (type 0; it carries the current fence
      and rally points), a :class:`Fence` (1; altitude limits carried over from the current
      fence) or a ``tuple[RallyPoint, ...]`` (2). Raising :class:`MissionError` refuses
      the plan (the ground station gets the matching code, the previous plan is kept).
    - ``on_error(text)``: a one-line problem for a STATUSTEXT (also in :attr:`last_error`).
    - ``on_set_current(seq) -> bool | None``: MISSION_SET_CURRENT / :meth:`set_current`
      with a seq that exists; returning ``False`` refuses it.
    - ``on_guided(item) -> bool``: a MISSION_ITEM(_INT) with ``current`` 2 (guided "fly to"
      this point) or 3 (change altitude); ``False`` is acknowledged as ERROR. Without it,
      such items are answered UNSUPPORTED.
    """

    #: The message types :meth:`handle` answers (others are ignored).
    MESSAGE_TYPES = frozenset(
        {
            "MISSION_REQUEST_LIST",
            "MISSION_COUNT",
            "MISSION_REQUEST_INT",
            "MISSION_REQUEST",
            "MISSION_ITEM_INT",
            "MISSION_ITEM",
            "MISSION_ACK",
            "MISSION_CLEAR_ALL",
            "MISSION_SET_CURRENT",
            "MISSION_WRITE_PARTIAL_LIST",
        }
    )

    def __init__(
        self,
        mav: Any,
        on_change: OnChange,
        *,
        target: tuple[int, int] = (1, 1),
        timeout_s: float = 1.5,
        retries: int = 5,
        max_items: int = 10_000,
        home: Home | None = None,
        on_error: Callable[[str], None] | None = None,
        on_set_current: Callable[[int], bool | None] | None = None,
        on_guided: Callable[[MavlinkItem], bool] | None = None,
    ) -> None:
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be > 0, not {timeout_s!r}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, not {retries!r}")
        if not 1 <= max_items <= _U16_MAX:
            raise ValueError(f"max_items must be in [1, {_U16_MAX}], not {max_items!r}")
        self._mav = mav
        self._on_change = on_change
        self._on_error = on_error
        self._on_set_current = on_set_current
        self._on_guided = on_guided
        self.sysid, self.compid = int(target[0]), int(target[1])
        self.timeout_s = float(timeout_s)
        self.retries = int(retries)
        self.max_items = int(max_items)
        home = home if home is not None else Home(0.0, 0.0, 0.0)
        self._mission = Mission(home=home)
        self._fence = Fence()
        self._rally: tuple[RallyPoint, ...] = ()
        self._items: dict[int, tuple[MavlinkItem, ...]] = {
            TYPE_MISSION: (_home_item(home),),
            TYPE_FENCE: (),
            TYPE_RALLY: (),
        }
        self._uploads: dict[int, _Upload] = {}
        #: The seq last set by MISSION_SET_CURRENT / :meth:`set_current` (0: none yet).
        self.current_seq = 0
        #: MISSION_CURRENT's ``mission_state`` (MISSION_STATE_*); ``None``: NO_MISSION when
        #: there are no items, else NOT_STARTED. The vehicle updates it as it flies.
        self.mission_state: int | None = None
        #: MISSION_CURRENT's ``mission_mode`` (1 when in a mode that flies the mission).
        self.mission_mode = 0
        #: The last problem reported (one line), ``None`` if none yet.
        self.last_error: str | None = None
        self._handlers: dict[str, Callable[[Any, float, tuple[int, int]], list[Any]]] = {
            "MISSION_REQUEST_LIST": self._on_request_list,
            "MISSION_COUNT": self._on_count,
            "MISSION_REQUEST_INT": self._on_request_int,
            "MISSION_REQUEST": self._on_request_legacy,
            "MISSION_ITEM_INT": self._on_item_int,
            "MISSION_ITEM": self._on_item_legacy,
            "MISSION_ACK": self._on_ack,
            "MISSION_CLEAR_ALL": self._on_clear_all,
            "MISSION_SET_CURRENT": self._on_set_current_msg,
            "MISSION_WRITE_PARTIAL_LIST": self._on_write_partial,
        }

    # --- state ----------------------------------------------------------------------------

    @property
    def mission(self) -> Mission:
        """The current mission (with the current fence and rally points)."""
        return self._mission

    @property
    def fence(self) -> Fence:
        """The current geofence."""
        return self._fence

    @property
    def rally(self) -> tuple[RallyPoint, ...]:
        """The current rally points."""
        return self._rally

    def items(self, mission_type: int = TYPE_MISSION) -> tuple[MavlinkItem, ...]:
        """The stored MAVLink items of a plan type (the MISSION list starts with home)."""
        if mission_type not in self._items:
            raise ValueError(f"mission_type must be one of {MISSION_TYPES}, not {mission_type!r}")
        return self._items[mission_type]

    def receiving(self, mission_type: int | None = None) -> bool:
        """True while an upload (of that type, or of any type) is in progress."""
        if mission_type is None:
            return bool(self._uploads)
        return mission_type in self._uploads

    def load(self, mission: Mission, *, notify: bool = False) -> None:
        """Replace all three plans with ``mission``'s (e.g. a ``.plan`` given at start-up).

        Any upload in progress is dropped silently. ``notify`` calls ``on_change`` for each
        plan type. Raises ``ValueError`` when a plan has more than ``max_items`` items.
        """
        lists = {
            TYPE_MISSION: mission.to_mavlink_items(),
            TYPE_FENCE: fence_to_mavlink_items(mission.fence),
            TYPE_RALLY: rally_to_mavlink_items(mission.rally),
        }
        for t, lst in lists.items():
            if len(lst) > self.max_items:
                raise ValueError(
                    f"{_TYPE_NAMES[t].lower()} has {len(lst)} items; at most "
                    f"{self.max_items} are supported"
                )
        self._uploads.clear()
        self._items = dict(lists)
        self._mission = mission
        self._fence = mission.fence
        self._rally = tuple(mission.rally)
        if self.current_seq >= len(lists[TYPE_MISSION]):
            self.current_seq = 0
        if notify:
            self._on_change(TYPE_MISSION, self._mission)
            self._on_change(TYPE_FENCE, self._fence)
            self._on_change(TYPE_RALLY, self._rally)

    def set_home(self, home: Home) -> None:
        """Move home (mission item 0), e.g. when the vehicle sets it on arming, as ArduPilot
        reports its actual home as item 0. No ``on_change``: the vehicle made the change."""
        self._mission = replace(self._mission, home=home)
        self._items[TYPE_MISSION] = (_home_item(home), *self._items[TYPE_MISSION][1:])

    # --- messages to send ------------------------------------------------------------------

    def mission_current_msg(
        self,
        seq: int | None = None,
        *,
        mission_state: int | None = None,
        mission_mode: int | None = None,
    ) -> Any:
        """MISSION_CURRENT (seq, total items without home, mission_state, mission_mode)."""
        seq = self.current_seq if seq is None else int(seq)
        total = max(len(self._items[TYPE_MISSION]) - 1, 0)
        state = self.mission_state if mission_state is None else mission_state
        if state is None:
            state = (
                mavlink2.MISSION_STATE_NO_MISSION
                if total == 0
                else mavlink2.MISSION_STATE_NOT_STARTED
            )
        mode = self.mission_mode if mission_mode is None else mission_mode
        return self._mav.mission_current_encode(
            min(max(seq, 0), _U16_MAX), min(total, _U16_MAX), int(state), int(mode)
        )

    def mission_item_reached_msg(self, seq: int) -> Any:
        """MISSION_ITEM_REACHED(seq)."""
        return self._mav.mission_item_reached_encode(min(max(int(seq), 0), _U16_MAX))

    def set_current(self, seq: int) -> list[Any]:
        """Make ``seq`` the current mission item (MAV_CMD_DO_SET_MISSION_CURRENT,
        MISSION_SET_CURRENT). Returns ``[MISSION_CURRENT(seq)]``, or ``[]`` when refused
        (no such item, no mission, or ``on_set_current`` said no): answer DENIED then."""
        n = len(self._items[TYPE_MISSION])
        if not (0 <= seq < n) or n <= 1:
            return []
        if self._on_set_current is not None and self._on_set_current(seq) is False:
            return []
        self.current_seq = seq
        return [self.mission_current_msg(seq)]

    # --- input -----------------------------------------------------------------------------

    def handle(self, msg: Any, now_s: float, src: tuple[int, int] | None = None) -> list[Any]:
        """Answer one received message; returns the messages to send (possibly none).

        ``src`` is the sender's ``(sysid, compid)`` (default: the message header's). Messages
        of other types, or addressed to another system/component, are ignored. Never raises
        on malformed content.
        """
        try:
            handler = self._handlers.get(msg.get_type())
        except (AttributeError, TypeError):
            return []
        if handler is None or not self._for_us(msg):
            return []
        try:
            if src is None:
                src = (msg.get_srcSystem(), msg.get_srcComponent())
            sender = (int(src[0]) & 0xFF, int(src[1]) & 0xFF)
            now = float(now_s)
        except (AttributeError, TypeError, ValueError, IndexError):
            return []
        return handler(msg, now, sender)

    def tick(self, now_s: float) -> list[Any]:
        """Upload timeouts: re-request the awaited item after ``timeout_s``, up to ``retries``
        times, then abandon the upload (MISSION_ACK OPERATION_CANCELLED; previous plan kept).
        """
        out: list[Any] = []
        now = float(now_s)
        for t, up in list(self._uploads.items()):
            if not now - up.last_request_s >= self.timeout_s:
                continue
            if up.retries_done >= self.retries:
                del self._uploads[t]
                self._report(f"{_TYPE_NAMES[t]} upload timeout")
                out.append(self._ack(up.src, OPERATION_CANCELLED, t))
            else:
                up.retries_done += 1
                up.last_request_s = now
                out.append(self._request(up.src, up.next_seq, t))
        return out

    # --- helpers ---------------------------------------------------------------------------

    def _for_us(self, msg: Any) -> bool:
        ts = getattr(msg, "target_system", 0)
        tc = getattr(msg, "target_component", 0)
        return ts in (0, self.sysid) and tc in (0, self.compid)

    def _report(self, text: str) -> None:
        self.last_error = text
        if self._on_error is not None:
            self._on_error(text)

    def _ack(self, src: tuple[int, int], code: int, mission_type: int) -> Any:
        return self._mav.mission_ack_encode(src[0], src[1], code, mission_type & 0xFF)

    def _request(self, src: tuple[int, int], seq: int, mission_type: int) -> Any:
        return self._mav.mission_request_int_encode(src[0], src[1], seq, mission_type)

    @staticmethod
    def _mission_type(msg: Any) -> int:
        t = _int(getattr(msg, "mission_type", 0))
        return -1 if t is None else t

    # --- download ----------------------------------------------------------------------------

    def _on_request_list(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        if t in self._uploads:
            return [self._ack(src, DENIED, t)]
        return [self._mav.mission_count_encode(src[0], src[1], len(self._items[t]), t)]

    def _lookup(self, msg: Any, src: tuple[int, int]) -> tuple[MavlinkItem | None, list[Any]]:
        """The requested item, or the answer refusing the request."""
        t = self._mission_type(msg)
        if t not in self._items:
            return None, []  # ArduPilot ignores requests for unknown plan types
        if t in self._uploads:
            return None, [self._ack(src, DENIED, t)]
        seq = _int(getattr(msg, "seq", None))
        items = self._items[t]
        if seq is not None and 0 <= seq < len(items):
            return items[seq], []
        if t == TYPE_MISSION:  # tell the GCS the real size, as ArduPilot does
            return None, [
                self._mav.mission_count_encode(src[0], src[1], len(items), t),
                self._ack(src, ERROR, t),
            ]
        return None, [self._ack(src, INVALID_SEQUENCE, t)]

    def _current_flag(self, mi: MavlinkItem) -> int:
        return int(mi.mission_type == TYPE_MISSION and mi.seq == self.current_seq)

    def _on_request_int(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        mi, refusal = self._lookup(msg, src)
        if mi is None:
            return refusal
        return [
            self._mav.mission_item_int_encode(
                src[0],
                src[1],
                mi.seq,
                mi.frame,
                mi.command,
                self._current_flag(mi),
                mi.autocontinue,
                _f32(mi.param1),
                _f32(mi.param2),
                _f32(mi.param3),
                _f32(mi.param4),
                _x_to_int(mi.x, mi.frame),
                _x_to_int(mi.y, mi.frame),
                _f32(mi.z),
                mi.mission_type,
            )
        ]

    def _on_request_legacy(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        mi, refusal = self._lookup(msg, src)
        if mi is None:
            return refusal
        return [
            self._mav.mission_item_encode(
                src[0],
                src[1],
                mi.seq,
                mi.frame,
                mi.command,
                self._current_flag(mi),
                mi.autocontinue,
                _f32(mi.param1),
                _f32(mi.param2),
                _f32(mi.param3),
                _f32(mi.param4),
                _f32(mi.x),
                _f32(mi.y),
                _f32(mi.z),
                mi.mission_type,
            )
        ]

    # --- upload ------------------------------------------------------------------------------

    def _on_count(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        up = self._uploads.get(t)
        if up is not None:
            if up.src != src:
                return [self._ack(src, DENIED, t)]
            del self._uploads[t]  # the same client starts again
        count = _int(getattr(msg, "count", None))
        if count is None or not 0 <= count <= self.max_items:
            self._report(f"Only {self.max_items} items are supported")
            return [self._ack(src, NO_SPACE, t)]
        if count == 0:
            return self._complete(t, [], src)
        self._uploads[t] = _Upload(src, count, [], now)
        return [self._request(src, 0, t)]

    def _on_item_int(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._on_item(msg, now, src, legacy=False)

    def _on_item_legacy(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._on_item(msg, now, src, legacy=True)

    def _decode_item(self, msg: Any, mission_type: int, legacy: bool) -> MavlinkItem:
        """A received MISSION_ITEM(_INT) as a MavlinkItem; raises _Refused for lat/lon that
        cannot be coordinates (legacy float items in a global frame)."""
        frame = int(msg.frame)
        if legacy:
            x, y = float(msg.x), float(msg.y)
            if frame in GLOBAL_FRAMES:
                # as ArduPilot: stored as degE7, so every later download reads the same
                if not (math.isfinite(x) and abs(x) <= 90.0):
                    raise _Refused(_INVALID_PARAM[5], f"latitude {x!r} is outside [-90, 90]")
                if not (math.isfinite(y) and abs(y) <= 180.0):
                    raise _Refused(_INVALID_PARAM[6], f"longitude {y!r} is outside [-180, 180]")
                x = round(x * 1e7) / 1e7
                y = round(y * 1e7) / 1e7
        else:
            x = _x_from_int(int(msg.x), frame)
            y = _x_from_int(int(msg.y), frame)
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

    def _check_item(self, mi: MavlinkItem) -> None:
        """Check one uploaded item on its own; raises _Refused."""
        t = mi.mission_type
        if t == TYPE_MISSION:
            if mi.seq == 0:  # home: only its position matters (see _build)
                if mi.frame in GLOBAL_FRAMES:
                    code = _position_result(mi.x, mi.y, mi.z)
                    if code is not None:
                        bad = validate_lat_lon_alt(mi.x, mi.y, mi.z)
                        raise _Refused(code, f"Mission refused: item 0 (home): {bad}")
                return
            item = _as_mission_item(mi)
            try:
                validate_item(item, mi.seq)
            except MissionError as exc:
                code = mission_item_result(item)
                text = f"Mission refused: {exc}"
                raise _Refused(code if code != ACCEPTED else ERROR, text) from None
            return
        problem = _fence_item_problem(mi) if t == TYPE_FENCE else _rally_item_problem(mi)
        if problem is not None:
            where = _fence_item_where(mi.seq) if t == TYPE_FENCE else f"rally item {mi.seq}"
            err = MissionError(problem, where=where, item_seq=mi.seq)
            raise _Refused(mission_result_for_error(err), f"{_TYPE_NAMES[t]} refused: {err}")

    def _on_item(self, msg: Any, now: float, src: tuple[int, int], *, legacy: bool) -> list[Any]:
        t = self._mission_type(msg)
        seq = _int(getattr(msg, "seq", None))
        current = _int(getattr(msg, "current", None))
        if seq is None or current is None:
            return []
        if t == TYPE_MISSION and current in (2, 3):
            return self._guided(msg, src, legacy)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        up = self._uploads.get(t)
        if up is None:
            return [self._ack(src, ERROR, t)]
        if seq != up.next_seq:
            return [self._ack(src, INVALID_SEQUENCE, t)]
        if src != up.src:
            return [self._ack(src, DENIED, t)]
        try:
            mi = self._decode_item(msg, t, legacy)
            self._check_item(mi)
        except _Refused as r:
            del self._uploads[t]
            self._report(r.text)
            return [self._ack(src, r.code, t)]
        except (AttributeError, TypeError, ValueError, OverflowError):
            del self._uploads[t]
            self._report(f"{_TYPE_NAMES[t]} item {seq} could not be read")
            return [self._ack(src, ERROR, t)]
        up.items.append(mi)
        up.last_request_s = now
        up.retries_done = 0
        if up.next_seq < up.count:
            return [self._request(src, up.next_seq, t)]
        del self._uploads[t]
        return self._complete(t, up.items, src)

    def _build(self, t: int, items: list[MavlinkItem]) -> Any:
        """The model object of a complete list (raises MissionError)."""
        if t == TYPE_MISSION:
            if not items:
                return Mission(home=self._mission.home, fence=self._fence, rally=self._rally)
            if items[0].frame not in ABSOLUTE_FRAMES:
                # Not a usable home (ArduPilot ignores uploaded item 0 altogether): keep ours.
                items = [_home_item(self._mission.home), *items[1:]]
            return Mission.from_mavlink_items(items, fence=self._fence, rally=self._rally)
        if t == TYPE_FENCE:
            return fence_from_mavlink_items(
                items,
                home_alt_m=self._mission.home.alt_m,
                max_alt_above_home_m=self._fence.max_alt_above_home_m,
                min_alt_above_home_m=self._fence.min_alt_above_home_m,
            )
        return rally_from_mavlink_items(items)

    def _commit(self, t: int, items: Sequence[MavlinkItem], obj: Any) -> None:
        if t == TYPE_MISSION:
            self._mission = obj
            self._items[t] = tuple(items) if items else (_home_item(obj.home),)
            if self.current_seq >= len(self._items[t]):
                self.current_seq = 0
        elif t == TYPE_FENCE:
            self._fence = obj
            self._mission = replace(self._mission, fence=obj)
            self._items[t] = tuple(items)
        else:
            self._rally = tuple(obj)
            self._mission = replace(self._mission, rally=self._rally)
            self._items[t] = tuple(items)

    def _complete(self, t: int, items: list[MavlinkItem], src: tuple[int, int]) -> list[Any]:
        """A complete upload: convert, validate, tell the vehicle, store, acknowledge."""
        try:
            obj = self._build(t, items)
            self._on_change(t, obj)
        except MissionError as exc:
            self._report(f"{_TYPE_NAMES[t]} refused: {exc}")
            return [self._ack(src, mission_result_for_error(exc), t)]
        self._commit(t, items, obj)
        return [self._ack(src, ACCEPTED, t)]

    def _on_ack(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        # The end of a download needs nothing (ArduPilot ignores it). A failure ack from the
        # uploading system cancels its upload (MAVLink's rule for a GCS cancelling).
        t = self._mission_type(msg)
        up = self._uploads.get(t)
        if up is not None and up.src == src and _int(getattr(msg, "type", None)) != ACCEPTED:
            del self._uploads[t]
        return []

    def _on_clear_all(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t == TYPE_ALL:
            types: tuple[int, ...] = MISSION_TYPES
        elif t in self._items:
            types = (t,)
        else:
            return [self._ack(src, UNSUPPORTED, t)]
        if any(k in self._uploads for k in types):
            return [self._ack(src, ERROR, t)]
        for k in types:
            try:
                obj = self._build(k, [])
                self._on_change(k, obj)
            except MissionError as exc:
                self._report(f"{_TYPE_NAMES[k]} clear refused: {exc}")
                return [self._ack(src, ERROR, t)]
            self._commit(k, [], obj)
        return [self._ack(src, ACCEPTED, t)]

    def _on_set_current_msg(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        seq = _int(getattr(msg, "seq", None))
        return [] if seq is None else self.set_current(seq)

    def _on_write_partial(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return [self._ack(src, UNSUPPORTED, self._mission_type(msg))]

    def _guided(self, msg: Any, src: tuple[int, int], legacy: bool) -> list[Any]:
        try:
            mi = self._decode_item(msg, TYPE_MISSION, legacy)
        except _Refused as r:
            self._report(f"guided request: {r.text}")
            return [self._ack(src, r.code, TYPE_MISSION)]
        except (AttributeError, TypeError, ValueError, OverflowError):
            return [self._ack(src, ERROR, TYPE_MISSION)]
        mi = replace(mi, current=int(msg.current))
        item = _as_mission_item(mi)
        code = mission_item_result(item)
        if code != ACCEPTED:
            try:
                validate_item(item, mi.seq)
            except MissionError as exc:
                self._report(f"guided request: {exc.problem}")
            return [self._ack(src, code, TYPE_MISSION)]
        if self._on_guided is None:
            return [self._ack(src, UNSUPPORTED, TYPE_MISSION)]
        ok = self._on_guided(mi)
        return [self._ack(src, ACCEPTED if ok else ERROR, TYPE_MISSION)]


def _as_mission_item(mi: MavlinkItem) -> MissionItem:
    return mi.to_mission_item()
