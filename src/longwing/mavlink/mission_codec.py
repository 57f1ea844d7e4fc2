"""Mission, fence and rally <-> MAVLink mission items, and the refusal code of an item.

Converts between longwing's plan model (:class:`~longwing.mission.model.Mission`,
:class:`~longwing.mission.fence.Fence`, :class:`~longwing.mission.fence.RallyPoint`) and the
:class:`~longwing.mission.model.MavlinkItem` lists the mission microservice stores and
transfers (plan types 0 MISSION with home as seq 0, 1 FENCE, 2 RALLY), and checks uploaded
items one by one (:func:`check_item`) as :mod:`longwing.mavlink.mission_protocol` receives
them.

Refusal codes (MISSION_ACK ``type``) for an uploaded item or plan: UNSUPPORTED for an unknown
command, UNSUPPORTED_FRAME for a frame the command does not allow, INVALID_PARAM1..4 for a
bad param1..4, INVALID_PARAM5_X / PARAM6_Y for a latitude / longitude out of range or not
finite, INVALID_PARAM7 for a bad altitude, ERROR for anything else (polygon geometry, two
fence return points...).

Home: MISSION item 0 in an absolute frame (GLOBAL / GLOBAL_INT, as QGroundControl and
Mission Planner send it) becomes the mission's home. In any other frame (scripts often send a
dummy item 0 in GLOBAL_RELATIVE_ALT) the current home is kept (:func:`build_plan`), as
ArduPilot ignores uploaded item 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from longwing.mavlink.wire import (
    ACCEPTED,
    ERROR,
    FENCE_CIRCLE_EXCLUSION,
    FENCE_CIRCLE_INCLUSION,
    FENCE_POLYGON_VERTEX_EXCLUSION,
    FENCE_POLYGON_VERTEX_INCLUSION,
    FENCE_RETURN_POINT,
    INVALID_PARAM,
    RALLY_POINT,
    TYPE_FENCE,
    TYPE_MISSION,
    TYPE_NAMES,
    U16_MAX,
    UNSUPPORTED,
    UNSUPPORTED_FRAME,
    ItemRefused,
)
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
    "build_plan",
    "check_item",
    "fence_from_mavlink_items",
    "fence_to_mavlink_items",
    "home_item",
    "mission_item_result",
    "mission_result_for_error",
    "rally_from_mavlink_items",
    "rally_to_mavlink_items",
]

_POLYGON_CMDS = (FENCE_POLYGON_VERTEX_INCLUSION, FENCE_POLYGON_VERTEX_EXCLUSION)
_CIRCLE_CMDS = (FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION)
_FENCE_CMDS = frozenset((FENCE_RETURN_POINT, *_POLYGON_CMDS, *_CIRCLE_CMDS))
_PARAM_RE = re.compile(r"\bparam([1-7])\b")


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
        return INVALID_PARAM[int(m.group(1))]
    if "latitude" in text:
        return INVALID_PARAM[5]
    if "longitude" in text:
        return INVALID_PARAM[6]
    if "altitude" in text:
        return INVALID_PARAM[7]
    if "frame" in text:
        return UNSUPPORTED_FRAME
    return ERROR


def _position_result(lat: float, lon: float, alt: float) -> int | None:
    if validate_lat_lon_alt(lat, 0.0, 0.0) is not None:
        return INVALID_PARAM[5]
    if validate_lat_lon_alt(0.0, lon, 0.0) is not None:
        return INVALID_PARAM[6]
    if not math.isfinite(alt):
        return INVALID_PARAM[7]
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
            return INVALID_PARAM[p.index]
    used = {p.index for p in spec.params}
    for i in range(1, 5):
        if i not in used and math.isinf(item.params[i - 1]):
            return INVALID_PARAM[i]
    if item.has_position:
        code = _position_result(item.lat_deg, item.lon_deg, item.alt_m)
        if code is not None:
            return code
    else:
        for i, value in ((5, item.lat_deg), (6, item.lon_deg), (7, item.alt_m)):
            if math.isinf(value):
                return INVALID_PARAM[i]
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
        if not (math.isfinite(n) and n.is_integer() and 3 <= n <= U16_MAX):
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


def home_item(home: Home) -> MavlinkItem:
    """Mission item 0: home, a waypoint in the GLOBAL frame (absolute altitude)."""
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


# --- uploads ------------------------------------------------------------------------------


def check_item(mi: MavlinkItem) -> None:
    """Check one uploaded item on its own; raises :class:`ItemRefused` (code and text)."""
    t = mi.mission_type
    if t == TYPE_MISSION:
        if mi.seq == 0:  # home: only its position matters (see build_plan)
            if mi.frame in GLOBAL_FRAMES:
                code = _position_result(mi.x, mi.y, mi.z)
                if code is not None:
                    bad = validate_lat_lon_alt(mi.x, mi.y, mi.z)
                    raise ItemRefused(code, f"Mission refused: item 0 (home): {bad}")
            return
        item = mi.to_mission_item()
        try:
            validate_item(item, mi.seq)
        except MissionError as exc:
            code = mission_item_result(item)
            text = f"Mission refused: {exc}"
            raise ItemRefused(code if code != ACCEPTED else ERROR, text) from None
        return
    problem = _fence_item_problem(mi) if t == TYPE_FENCE else _rally_item_problem(mi)
    if problem is not None:
        where = _fence_item_where(mi.seq) if t == TYPE_FENCE else f"rally item {mi.seq}"
        err = MissionError(problem, where=where, item_seq=mi.seq)
        raise ItemRefused(mission_result_for_error(err), f"{TYPE_NAMES[t]} refused: {err}")


def build_plan(
    t: int,
    items: list[MavlinkItem],
    *,
    home: Home,
    fence: Fence,
    rally: tuple[RallyPoint, ...],
) -> Any:
    """The model object of a complete list of plan type ``t`` (raises MissionError): a
    :class:`Mission` carrying ``fence`` and ``rally`` (an empty list, or an item 0 not in an
    absolute frame, keeps ``home``), a :class:`Fence` with ``fence``'s altitude limits (its
    return point's absolute altitude taken above ``home``), or a tuple of rally points."""
    if t == TYPE_MISSION:
        if not items:
            return Mission(home=home, fence=fence, rally=rally)
        if items[0].frame not in ABSOLUTE_FRAMES:
            # Not a usable home (ArduPilot ignores uploaded item 0 altogether): keep ours.
            items = [home_item(home), *items[1:]]
        return Mission.from_mavlink_items(items, fence=fence, rally=rally)
    if t == TYPE_FENCE:
        return fence_from_mavlink_items(
            items,
            home_alt_m=home.alt_m,
            max_alt_above_home_m=fence.max_alt_above_home_m,
            min_alt_above_home_m=fence.min_alt_above_home_m,
        )
    return rally_from_mavlink_items(items)
