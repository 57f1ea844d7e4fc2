"""``QGC WPL 110`` waypoint files (``.waypoints``, ``.txt``): read and write.

Format: the first line is ``QGC WPL 110``; then one line per item, 12 tab-separated fields::

    INDEX  CURRENT_WP  COORD_FRAME  COMMAND  PARAM1  PARAM2  PARAM3  PARAM4
    PARAM5/X/LATITUDE  PARAM6/Y/LONGITUDE  PARAM7/Z/ALTITUDE  AUTOCONTINUE

Line 0 (INDEX 0) is home, as ArduPilot and Mission Planner write it: a NAV_WAYPOINT in the
GLOBAL frame with the home altitude AMSL. INDEX is the MAVLink seq, so item N of the
mission is ``INDEX N`` (see :mod:`longwing.mission.model`).

Reading accepts tabs or spaces between fields, ``\\r\\n`` line ends, blank lines and any
number format Python's ``float`` reads (``nan`` included); CURRENT_WP is ignored. Writing
uses tabs, ``\\n``, the shortest exact decimal of every number (integral values without a
decimal point) and CURRENT_WP 1 on the home line only, so written files read back to the
same mission and write back to the same text.

The format has no geofence, rally points or cruise speed: :func:`dumps_wpl` refuses to
drop them unless asked (``drop_extras=True``).

Errors name the file, the line (1-based) and the item, e.g.
``survey.waypoints: line 6: item 4 (NAV_WAYPOINT): latitude 95.0 is outside [-90, 90]``.
"""

from __future__ import annotations

import math
import os

from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    MavCmd,
    MavFrame,
    MissionError,
    MissionItem,
    frame_name,
)
from longwing.mission.model import Home, Mission
from longwing.mission.planfile import atomic_write_text, read_text

__all__ = ["WPL_HEADER", "dumps_wpl", "load_wpl", "parse_wpl", "save_wpl"]

WPL_HEADER = "QGC WPL 110"
_FIELDS = (
    "INDEX",
    "CURRENT_WP",
    "COORD_FRAME",
    "COMMAND",
    "PARAM1",
    "PARAM2",
    "PARAM3",
    "PARAM4",
    "PARAM5/X/LATITUDE",
    "PARAM6/Y/LONGITUDE",
    "PARAM7/Z/ALTITUDE",
    "AUTOCONTINUE",
)


def _fmt(x: float) -> str:
    """Shortest exact text of a number; integral values without ``.0``; ``nan``."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _parse_line(fields: list[str], line_no: int) -> tuple[int, int, int, list[float], int]:
    def fail(problem: str) -> MissionError:
        return MissionError(problem, line=line_no)

    if len(fields) != len(_FIELDS):
        raise fail(f"expected {len(_FIELDS)} tab-separated fields, got {len(fields)}")
    ints: list[int] = []
    for k in (0, 1, 2, 3, 11):
        try:
            ints.append(int(fields[k]))
        except ValueError:
            raise fail(f"field {k + 1} ({_FIELDS[k]}) {fields[k]!r} is not an integer") from None
    numbers: list[float] = []
    for k in range(4, 11):
        try:
            numbers.append(float(fields[k]))
        except ValueError:
            raise fail(f"field {k + 1} ({_FIELDS[k]}) {fields[k]!r} is not a number") from None
    index, _current, frame, command, auto = ints
    if auto not in (0, 1):
        raise fail(f"field 12 (AUTOCONTINUE) is {auto}; must be 0 or 1")
    return index, frame, command, numbers, auto


def parse_wpl(text: str, source: str | None = None) -> Mission:
    """A :class:`Mission` from ``QGC WPL 110`` text; errors name ``source`` and the line."""
    lines = text.splitlines()
    header = lines[0].split() if lines else []
    if header[:2] != ["QGC", "WPL"]:
        raise MissionError(
            f"not a waypoint file: the first line must be '{WPL_HEADER}'", source=source, line=1
        )
    if header != WPL_HEADER.split():
        raise MissionError(
            f"unsupported waypoint file version {' '.join(header[2:])!r} "
            f"(supported: '{WPL_HEADER}')",
            source=source,
            line=1,
        )
    home: Home | None = None
    items: list[MissionItem] = []
    line_of_seq: dict[int, int] = {}
    for line_no, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        try:
            index, frame, command, p, auto = _parse_line(fields, line_no)
        except MissionError as exc:
            raise exc.with_context(source=source) from None
        expected = 0 if home is None else len(items) + 1
        if index != expected:
            raise MissionError(
                f"index {index} is out of sequence (expected {expected})",
                source=source,
                line=line_no,
            )
        line_of_seq[index] = line_no
        if home is None:
            if frame not in ABSOLUTE_FRAMES:
                raise MissionError(
                    f"home must be in frame GLOBAL (0) or GLOBAL_INT (5), not {frame_name(frame)}",
                    where="item 0 (home)",
                    item_seq=0,
                    source=source,
                    line=line_no,
                )
            home = Home(p[4], p[5], p[6])
            continue
        items.append(
            MissionItem(command, frame, (p[0], p[1], p[2], p[3]), p[4], p[5], p[6], bool(auto))
        )
    if home is None:
        raise MissionError("no home line (index 0) after the header", source=source)
    try:
        return Mission(home=home, items=tuple(items))
    except MissionError as exc:
        line = line_of_seq.get(exc.item_seq) if exc.item_seq is not None else None
        raise exc.with_context(source=source, line=line) from None


def load_wpl(path: str | os.PathLike[str]) -> Mission:
    """Read a ``QGC WPL 110`` file."""
    return parse_wpl(read_text(path), str(path))


def _line(seq: int, current: int, frame: int, command: int, values: list[float], auto: int) -> str:
    fields = [str(seq), str(current), str(frame), str(command)]
    fields += [_fmt(v) for v in values]
    fields.append(str(auto))
    return "\t".join(fields)


def dumps_wpl(mission: Mission, *, drop_extras: bool = False) -> str:
    """``QGC WPL 110`` text of a mission (home on line 0).

    Raises :class:`MissionError` if the mission has a geofence, rally points or speeds,
    which the format cannot hold, unless ``drop_extras`` is True.
    """
    if not drop_extras:
        lost = []
        if not mission.fence.is_empty or mission.fence.breach_return is not None:
            lost.append("geofence")
        if mission.rally:
            lost.append("rally points")
        if mission.cruise_speed_mps is not None or mission.hover_speed_mps is not None:
            lost.append("cruise/hover speed")
        if lost:
            raise MissionError(
                f"WPL files cannot hold the {', '.join(lost)}; write a .plan file, or pass "
                "drop_extras=True to write the items only"
            )
    home = mission.home
    out = [
        WPL_HEADER,
        _line(
            0,
            1,
            MavFrame.GLOBAL,
            MavCmd.NAV_WAYPOINT,
            [0.0, 0.0, 0.0, 0.0, home.lat_deg, home.lon_deg, home.alt_m],
            1,
        ),
    ]
    for seq, it in enumerate(mission.items, start=1):
        values = [it.param(n) for n in range(1, 8)]
        out.append(_line(seq, 0, it.frame, it.command, values, int(it.autocontinue)))
    return "\n".join(out) + "\n"


def save_wpl(mission: Mission, path: str | os.PathLike[str], *, drop_extras: bool = False) -> None:
    """Write a ``QGC WPL 110`` file atomically (see :func:`dumps_wpl`)."""
    try:
        text = dumps_wpl(mission, drop_extras=drop_extras)
    except MissionError as exc:
        raise exc.with_context(source=str(path)) from None
    atomic_write_text(path, text)
