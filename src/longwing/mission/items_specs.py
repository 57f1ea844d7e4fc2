"""Per-command specs of the supported MAVLink mission commands and the validation of one
item: :class:`ParamSpec`, :class:`CommandSpec`, :data:`COMMAND_SPECS` (the one table of the
parameter meanings, units and allowed ranges), :func:`validate_item`,
:func:`validate_lat_lon_alt`. Split from :mod:`longwing.mission.items`, which re-exports them.

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from longwing.mission.items_errors import MissionError
from longwing.mission.items_mavlink import GLOBAL_FRAMES, MavCmd, MavFrame, frame_name, item_label

if TYPE_CHECKING:
    from longwing.mission.items import MissionItem

__all__ = [
    "COMMAND_SPECS",
    "CommandSpec",
    "ParamSpec",
    "validate_item",
    "validate_lat_lon_alt",
]

_KNOWN_FRAMES = frozenset(f.value for f in MavFrame)
#: DO commands: the MISSION frame, or a global frame (Mission Planner writes frame 3 for them).
_DO_FRAMES = frozenset({MavFrame.MISSION} | GLOBAL_FRAMES)

_INF = math.inf


@dataclass(frozen=True)
class ParamSpec:
    """Meaning and allowed values of one of param1..param4 of a command.

    A value is allowed when it is one of ``specials``, or when it is finite, within
    ``[lo, hi]`` and (if ``integer``) a whole number; NaN is allowed only when ``nan_ok``
    (MAVLink uses NaN for "keep the current value/behaviour", e.g. yaw).
    """

    index: int
    name: str
    doc: str
    lo: float = -_INF
    hi: float = _INF
    integer: bool = False
    nan_ok: bool = False
    specials: tuple[float, ...] = ()

    def requirement(self) -> str:
        """The rule as text, e.g. ``must be >= 0`` or ``must be 0 or 1``."""
        if self.integer and self.lo == 0 and self.hi == 1:
            rule = "must be 0 or 1"
        else:
            kind = "an integer " if self.integer else ""
            if self.lo > -_INF and self.hi < _INF:
                rule = f"must be {kind}in [{_num(self.lo)}, {_num(self.hi)}]"
            elif self.lo > -_INF:
                rule = f"must be {kind}>= {_num(self.lo)}"
            elif self.hi < _INF:
                rule = f"must be {kind}<= {_num(self.hi)}"
            else:
                rule = "must be finite"
        if self.specials:
            rule += " or " + " or ".join(_num(s) for s in self.specials)
        if self.nan_ok:
            rule += " (or NaN)"
        return rule

    def check(self, value: float) -> str | None:
        """``None`` if ``value`` is allowed, else the problem as text."""
        if value in self.specials:
            return None
        if math.isnan(value):
            if self.nan_ok:
                return None
        elif math.isfinite(value) and self.lo <= value <= self.hi:
            if not self.integer or value.is_integer():
                return None
        return f"{self.name} (param{self.index}) is {value!r}; {self.requirement()}"


@dataclass(frozen=True)
class CommandSpec:
    """A supported MAV_CMD: allowed frames, parameter meanings, position semantics.

    ``position`` is ``"required"`` for NAV commands that fly to a point (x/y/z are always
    latitude, longitude, altitude), ``"optional"`` for commands whose x/y/z are a location
    when the frame is global, and ``"none"`` when x/y/z are unused.
    """

    command: MavCmd
    frames: frozenset[int]
    params: tuple[ParamSpec, ...]
    position: str
    doc: str

    def param(self, name: str) -> ParamSpec | None:
        """The spec of the parameter called ``name``, if this command has one."""
        for p in self.params:
            if p.name == name:
                return p
        return None


def _yaw() -> ParamSpec:
    return ParamSpec(4, "yaw_deg", "yaw angle, deg (NaN: current yaw mode)", nan_ok=True)


def _xtrack() -> ParamSpec:
    return ParamSpec(
        4,
        "xtrack",
        "exit cross-track: 0 centre line, 1 exit-point line, else exit angle deg",
        nan_ok=True,
    )


def _heading_required(index: int) -> ParamSpec:
    return ParamSpec(index, "heading_required", "leave only when heading to next (0/1)", 0, 1, True)


def _radius(index: int) -> ParamSpec:
    return ParamSpec(index, "radius_m", "loiter radius, m; > 0 clockwise, < 0 counter-clockwise")


_SPEC_LIST = (
    CommandSpec(
        MavCmd.NAV_WAYPOINT,
        GLOBAL_FRAMES,
        (
            ParamSpec(1, "hold_s", "hold time at the waypoint, s", 0.0),
            ParamSpec(2, "acceptance_radius_m", "acceptance radius, m (0: default)", 0.0),
            ParamSpec(
                3,
                "pass_radius_m",
                "0: pass through; > 0 pass by clockwise at this radius, < 0 counter-clockwise",
            ),
            _yaw(),
        ),
        "required",
        "fly to a point",
    ),
    CommandSpec(
        MavCmd.NAV_LOITER_UNLIM,
        GLOBAL_FRAMES,
        (_radius(3), _yaw()),
        "required",
        "loiter around a point until the mission is changed",
    ),
    CommandSpec(
        MavCmd.NAV_LOITER_TURNS,
        GLOBAL_FRAMES,
        (
            ParamSpec(1, "turns", "number of turns", 0.0),
            _heading_required(2),
            _radius(3),
            _xtrack(),
        ),
        "required",
        "loiter a number of turns",
    ),
    CommandSpec(
        MavCmd.NAV_LOITER_TIME,
        GLOBAL_FRAMES,
        (
            ParamSpec(1, "loiter_time_s", "loiter time, s", 0.0),
            _heading_required(2),
            _radius(3),
            _xtrack(),
        ),
        "required",
        "loiter for a time",
    ),
    CommandSpec(
        MavCmd.NAV_RETURN_TO_LAUNCH,
        _DO_FRAMES,
        (),
        "none",
        "return to the launch (home) point",
    ),
    CommandSpec(
        MavCmd.NAV_LAND,
        GLOBAL_FRAMES,
        (
            ParamSpec(1, "abort_alt_m", "altitude to climb to on an aborted landing, m", 0.0),
            ParamSpec(
                2,
                "land_mode",
                "precision land mode (0 off, 1 opportunistic, 2 required)",
                0,
                2,
                True,
            ),
            _yaw(),
        ),
        "required",
        "land at a point (lat/lon 0/0: here)",
    ),
    CommandSpec(
        MavCmd.NAV_TAKEOFF,
        GLOBAL_FRAMES,
        (ParamSpec(1, "pitch_deg", "minimum climb pitch, deg", -90.0, 90.0), _yaw()),
        "required",
        "take off and climb to the altitude",
    ),
    CommandSpec(
        MavCmd.NAV_LOITER_TO_ALT,
        GLOBAL_FRAMES,
        (_heading_required(1), _radius(2), _xtrack()),
        "required",
        "loiter until an altitude is reached",
    ),
    CommandSpec(
        MavCmd.DO_JUMP,
        _DO_FRAMES,
        (
            ParamSpec(1, "jump_target_seq", "seq of the item to jump to", 1.0, integer=True),
            ParamSpec(2, "jump_repeat", "times to repeat (-1: forever)", -1.0, integer=True),
        ),
        "none",
        "jump to an item a number of times",
    ),
    CommandSpec(
        MavCmd.DO_CHANGE_SPEED,
        _DO_FRAMES,
        (
            ParamSpec(
                1, "speed_type", "0 airspeed, 1 ground speed, 2 climb, 3 descent", 0, 3, True
            ),
            ParamSpec(
                2,
                "speed_mps",
                "speed, m/s (-1: no change, -2: default)",
                0.0,
                specials=(-1.0, -2.0),
            ),
            ParamSpec(
                3,
                "throttle_pct",
                "throttle, % (-1: no change, -2: default)",
                0.0,
                100.0,
                specials=(-1.0, -2.0),
            ),
            ParamSpec(4, "relative", "0 absolute, 1 relative (deprecated)", 0, 1, True),
        ),
        "none",
        "change the target speed and/or throttle",
    ),
    CommandSpec(
        MavCmd.DO_SET_HOME,
        _DO_FRAMES,
        (
            ParamSpec(1, "use_current", "1: use the current position, 0: use x/y/z", 0, 1, True),
            ParamSpec(2, "roll_deg", "surface roll, deg", nan_ok=True),
            ParamSpec(3, "pitch_deg", "surface pitch, deg", nan_ok=True),
            _yaw(),
        ),
        "optional",
        "set the home position",
    ),
    CommandSpec(
        MavCmd.DO_LAND_START,
        _DO_FRAMES,
        (),
        "optional",
        "marker for the start of a landing sequence",
    ),
    CommandSpec(
        MavCmd.DO_GO_AROUND,
        _DO_FRAMES,
        (ParamSpec(1, "abort_alt_m", "altitude to climb to above the landing point, m", 0.0),),
        "none",
        "go around at the next approach's decision height (a planned missed approach)",
    ),
    CommandSpec(
        MavCmd.DO_SET_CAM_TRIGG_DIST,
        _DO_FRAMES,
        (
            ParamSpec(1, "trigger_distance_m", "camera trigger distance, m (0: stop)", 0.0),
            ParamSpec(2, "shutter_ms", "shutter integration time, ms (-1 or 0: ignore)", -1.0),
            ParamSpec(3, "trigger_once", "trigger once now (0/1)", 0, 1, True),
        ),
        "none",
        "trigger the camera every given distance",
    ),
)

#: Every supported command, by MAV_CMD number.
COMMAND_SPECS: MappingProxyType[int, CommandSpec] = MappingProxyType(
    {spec.command.value: spec for spec in _SPEC_LIST}
)


def _num(x: float) -> str:
    """A number as short text: ``0``, ``-2``, ``0.5``, ``nan``."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def validate_lat_lon_alt(lat_deg: float, lon_deg: float, alt_m: float) -> str | None:
    """``None`` for a usable position, else the problem (latitude first)."""
    for label, value, limit in (("latitude", lat_deg, 90), ("longitude", lon_deg, 180)):
        if not math.isfinite(value):
            return f"{label} {value!r} is not a finite number"
        if not -limit <= value <= limit:
            return f"{label} {value!r} is outside [-{limit}, {limit}]"
    if not math.isfinite(alt_m):
        return f"altitude {alt_m!r} is not a finite number"
    return None


def validate_item(item: MissionItem, seq: int) -> None:
    """Check one item on its own; raise :class:`MissionError` naming ``item <seq>``.

    Checks, in order: supported command, known frame, frame allowed for the command,
    param1..param4 against :data:`COMMAND_SPECS`, then the position (latitude in
    [-90, 90], longitude in [-180, 180], finite altitude) and any command-specific rule.
    Whether a DO_JUMP target exists is checked by the mission, which knows all items.
    """
    where = item_label(seq, item.command)

    def fail(problem: str) -> MissionError:
        return MissionError(problem, where=where, item_seq=seq)

    spec = item.spec
    if spec is None:
        supported = ", ".join(f"{c.value} {c.name}" for c in MavCmd)
        raise fail(f"unsupported command {item.command} (supported: {supported})")
    if item.frame not in _KNOWN_FRAMES:
        raise fail(f"unknown frame {item.frame}")
    if item.frame not in spec.frames:
        allowed = ", ".join(frame_name(f) for f in sorted(spec.frames))
        raise fail(
            f"frame {frame_name(item.frame)} is not valid for {spec.command.name} "
            f"(allowed: {allowed})"
        )
    used = {p.index for p in spec.params}
    for p in spec.params:
        problem = p.check(item.params[p.index - 1])
        if problem is not None:
            raise fail(problem)
    for i in range(1, 5):
        value = item.params[i - 1]
        if i not in used and math.isinf(value):
            raise fail(f"param{i} is {value!r}; must be finite (or NaN)")
    if item.has_position:
        problem = validate_lat_lon_alt(item.lat_deg, item.lon_deg, item.alt_m)
        if problem is not None:
            raise fail(problem)
    else:
        for i, value in ((5, item.lat_deg), (6, item.lon_deg), (7, item.alt_m)):
            if math.isinf(value):
                raise fail(f"param{i} is {value!r}; must be finite (or NaN)")
    if (
        spec.command == MavCmd.DO_SET_HOME
        and not item.use_current
        and item.frame not in GLOBAL_FRAMES
    ):
        raise fail("use_current (param1) is 0, so the home position needs a global frame")
