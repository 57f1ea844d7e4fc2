"""MAVLink mission items: the commands longwing flies, their frames and their validation.

One frozen :class:`MissionItem` holds a MAVLink ``MISSION_ITEM`` exactly as it travels
(``command``, ``frame``, ``param1..4`` as :attr:`MissionItem.params`, ``x/y/z`` as
:attr:`~MissionItem.lat_deg`, :attr:`~MissionItem.lon_deg`, :attr:`~MissionItem.alt_m`,
``autocontinue``), so every file format and the MAVLink layer round-trip it bit for bit.
Typed accessors (``item.hold_s``, ``item.radius_m``, ``item.jump_target_seq``...) read the
parameters by their MAVLink meaning, and constructors (:meth:`MissionItem.waypoint`,
:meth:`MissionItem.loiter_turns`...) build items with the right slots filled.

The parameter meanings, units and allowed ranges of every supported command live in one
table, :data:`COMMAND_SPECS`; :func:`validate_item` and the accessors are driven by it.

Sequence numbers ("seq"): longwing follows ArduPilot, where MAVLink seq 0 is the home
position and the first real mission item is seq 1. QGroundControl numbers the items of a
``.plan`` file the same way (home is shown as 0 and the first item as 1; ``doJumpId`` counts
from 1), and line 0 of a ``QGC WPL 110`` file is home. So "item 4" in an error message is
the same item in a ``.plan`` file, a ``.waypoints`` file and a MAVLink upload, and a
``DO_JUMP`` target is that seq.

Altitudes are metres. ``GLOBAL``/``GLOBAL_INT`` altitudes are above mean sea level (AMSL);
``*_RELATIVE_ALT*`` are above the home altitude; ``*_TERRAIN_ALT*`` are above the terrain
under the point (see :func:`resolve_alt_amsl_m`).

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "ABSOLUTE_FRAMES",
    "COMMAND_SPECS",
    "GLOBAL_FRAMES",
    "RELATIVE_FRAMES",
    "TERRAIN_FRAMES",
    "CommandSpec",
    "MavCmd",
    "MavFrame",
    "MissionError",
    "MissionItem",
    "ParamSpec",
    "PlanAltitude",
    "TerrainFn",
    "command_name",
    "frame_name",
    "item_label",
    "resolve_alt_amsl_m",
    "validate_item",
    "validate_lat_lon_alt",
]

#: Terrain model: ``terrain(lat_deg, lon_deg) -> terrain height AMSL in metres`` (NaN when
#: the model has no data there).
TerrainFn = Callable[[float, float], float]


class MissionError(ValueError):
    """A mission, item, fence or mission file that is not valid.

    ``str(error)`` is one line: ``[file: ][line N: ][where: ]problem``, e.g.
    ``mission.plan: item 4 (NAV_WAYPOINT): latitude 95.0 is outside [-90, 90]``.
    The parts are also attributes: ``source`` (file name as given), ``line`` (1-based line
    of a text file), ``where`` (``"item 4 (NAV_WAYPOINT)"``, ``"home"``,
    ``"geofence polygon 2"``...), ``item_seq`` (MAVLink seq of the item, home = 0) and
    ``problem``.
    """

    def __init__(
        self,
        problem: str,
        *,
        where: str | None = None,
        item_seq: int | None = None,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        self.problem = problem
        self.where = where
        self.item_seq = item_seq
        self.source = source
        self.line = line
        parts = [
            source,
            None if line is None else f"line {line}",
            where,
            problem,
        ]
        super().__init__(": ".join(p for p in parts if p))

    def with_context(self, *, source: str | None = None, line: int | None = None) -> MissionError:
        """The same error naming a file (and a line of it)."""
        return MissionError(
            self.problem,
            where=self.where,
            item_seq=self.item_seq,
            source=source if source is not None else self.source,
            line=line if line is not None else self.line,
        )


class MavCmd(IntEnum):
    """The MAV_CMD values longwing supports (numbers from MAVLink ``common.xml``)."""

    NAV_WAYPOINT = 16
    NAV_LOITER_UNLIM = 17
    NAV_LOITER_TURNS = 18
    NAV_LOITER_TIME = 19
    NAV_RETURN_TO_LAUNCH = 20
    NAV_LAND = 21
    NAV_TAKEOFF = 22
    NAV_LOITER_TO_ALT = 31
    DO_JUMP = 177
    DO_CHANGE_SPEED = 178
    DO_SET_HOME = 179
    DO_LAND_START = 189
    DO_SET_CAM_TRIGG_DIST = 206


class MavFrame(IntEnum):
    """The MAV_FRAME values allowed in missions (numbers from MAVLink ``common.xml``)."""

    GLOBAL = 0
    MISSION = 2
    GLOBAL_RELATIVE_ALT = 3
    GLOBAL_INT = 5
    GLOBAL_RELATIVE_ALT_INT = 6
    GLOBAL_TERRAIN_ALT = 10
    GLOBAL_TERRAIN_ALT_INT = 11


_KNOWN_FRAMES = frozenset(f.value for f in MavFrame)
#: Frames whose x/y/z are latitude, longitude and altitude.
GLOBAL_FRAMES = frozenset(
    {
        MavFrame.GLOBAL,
        MavFrame.GLOBAL_RELATIVE_ALT,
        MavFrame.GLOBAL_INT,
        MavFrame.GLOBAL_RELATIVE_ALT_INT,
        MavFrame.GLOBAL_TERRAIN_ALT,
        MavFrame.GLOBAL_TERRAIN_ALT_INT,
    }
)
#: Altitude above mean sea level.
ABSOLUTE_FRAMES = frozenset({MavFrame.GLOBAL, MavFrame.GLOBAL_INT})
#: Altitude above the home altitude.
RELATIVE_FRAMES = frozenset({MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_RELATIVE_ALT_INT})
#: Altitude above the terrain under the point.
TERRAIN_FRAMES = frozenset({MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT})
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


def command_name(command: int) -> str:
    """``NAV_WAYPOINT`` for a supported command, else ``MAV_CMD 84``."""
    try:
        return MavCmd(command).name
    except ValueError:
        return f"MAV_CMD {command}"


def frame_name(frame: int) -> str:
    """``GLOBAL_RELATIVE_ALT (3)`` for an allowed frame, else ``7``."""
    try:
        return f"{MavFrame(frame).name} ({frame})"
    except ValueError:
        return str(frame)


def item_label(seq: int, command: int) -> str:
    """How errors name an item: ``item 4 (NAV_WAYPOINT)``."""
    return f"item {seq} ({command_name(command)})"


@dataclass(frozen=True)
class PlanAltitude:
    """QGroundControl's altitude display data of a ``.plan`` item (not used for flying).

    ``mode`` is QGC's ``AltitudeMode`` (1 relative, 2 AMSL, 3 AMSL computed from terrain
    data, 4 terrain frame), ``altitude_m`` its ``Altitude`` and
    ``amsl_alt_above_terrain_m`` its ``AMSLAltAboveTerrain`` (``None`` for JSON null).
    Kept only so that ``.plan`` files round-trip exactly; MAVLink never sees it.
    """

    mode: int
    altitude_m: float
    amsl_alt_above_terrain_m: float | None = None

    def _key(self) -> tuple[Any, ...]:
        return (self.mode, _nan_key(self.altitude_m), _nan_key(self.amsl_alt_above_terrain_m))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlanAltitude):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def _nan_key(x: float | None) -> Any:
    """A stand-in for ``x`` that compares equal to itself when ``x`` is NaN."""
    if x is not None and math.isnan(x):
        return "nan"
    return x


@dataclass(frozen=True, eq=False)
class MissionItem:
    """One MAVLink mission item, stored exactly as MAVLink carries it.

    ``params`` are param1..param4; ``lat_deg``/``lon_deg``/``alt_m`` are x/y/z
    (param5..7): latitude and longitude in degrees and altitude in metres (reference set by
    ``frame``) for global frames, raw values for the MISSION frame. Equality treats NaN as
    equal to NaN, so items compare equal after a round trip through any file format.

    Construction only normalises types; :func:`validate_item` (called by
    :class:`~longwing.mission.model.Mission`) checks the values.
    """

    command: int
    frame: int
    params: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    lat_deg: float = 0.0
    lon_deg: float = 0.0
    alt_m: float = 0.0
    autocontinue: bool = True
    plan_altitude: PlanAltitude | None = field(default=None)

    def __post_init__(self) -> None:
        params = tuple(float(p) for p in self.params)
        if len(params) != 4:
            raise TypeError(f"params must hold 4 numbers (param1..param4), got {len(params)}")
        object.__setattr__(self, "command", int(self.command))
        object.__setattr__(self, "frame", int(self.frame))
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "lat_deg", float(self.lat_deg))
        object.__setattr__(self, "lon_deg", float(self.lon_deg))
        object.__setattr__(self, "alt_m", float(self.alt_m))
        object.__setattr__(self, "autocontinue", bool(self.autocontinue))

    # --- equality with NaN == NaN ---------------------------------------------------------

    def _key(self) -> tuple[Any, ...]:
        return (
            self.command,
            self.frame,
            tuple(_nan_key(p) for p in self.params),
            _nan_key(self.lat_deg),
            _nan_key(self.lon_deg),
            _nan_key(self.alt_m),
            self.autocontinue,
            self.plan_altitude,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MissionItem):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # --- general accessors ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """``NAV_WAYPOINT``, or ``MAV_CMD 84`` for an unsupported command."""
        return command_name(self.command)

    @property
    def spec(self) -> CommandSpec | None:
        """The command's :class:`CommandSpec`, ``None`` if unsupported."""
        return COMMAND_SPECS.get(self.command)

    @property
    def is_nav(self) -> bool:
        """True for NAV commands (MAV_CMD 16..95), which the vehicle flies one at a time."""
        return 16 <= self.command <= 95

    @property
    def has_position(self) -> bool:
        """True when x/y/z are a latitude, longitude and altitude."""
        spec = self.spec
        if spec is None or self.frame not in GLOBAL_FRAMES:
            return False
        return spec.position != "none"

    @property
    def position(self) -> tuple[float, float, float] | None:
        """``(lat_deg, lon_deg, alt_m)`` when the item has a position, else ``None``."""
        if not self.has_position:
            return None
        return (self.lat_deg, self.lon_deg, self.alt_m)

    def param(self, n: int) -> float:
        """MAVLink param ``n`` (1..7)."""
        if 1 <= n <= 4:
            return self.params[n - 1]
        if n == 5:
            return self.lat_deg
        if n == 6:
            return self.lon_deg
        if n == 7:
            return self.alt_m
        raise IndexError(f"MAVLink mission items have params 1..7, not {n}")

    def _named(self, name: str) -> float:
        spec = self.spec
        p = spec.param(name) if spec is not None else None
        if p is None:
            raise AttributeError(f"{self.name} item has no parameter {name!r}")
        return self.params[p.index - 1]

    # --- typed accessors (raise AttributeError for a command without that parameter) --------

    @property
    def hold_s(self) -> float:
        """NAV_WAYPOINT param1: hold time at the waypoint, s."""
        return self._named("hold_s")

    @property
    def acceptance_radius_m(self) -> float:
        """NAV_WAYPOINT param2: acceptance radius, m (0: vehicle default)."""
        return self._named("acceptance_radius_m")

    @property
    def pass_radius_m(self) -> float:
        """NAV_WAYPOINT param3: 0 passes through; > 0 orbit clockwise, < 0 counter-clockwise."""
        return self._named("pass_radius_m")

    @property
    def yaw_deg(self) -> float:
        """Yaw at the point, deg (NaN: keep the current yaw mode)."""
        return self._named("yaw_deg")

    @property
    def radius_m(self) -> float:
        """Loiter radius, m, signed: > 0 clockwise, < 0 counter-clockwise, 0 default."""
        return self._named("radius_m")

    @property
    def loiter_clockwise(self) -> bool:
        """True when the loiter turns clockwise (radius >= 0)."""
        return self.radius_m >= 0.0

    @property
    def turns(self) -> float:
        """NAV_LOITER_TURNS param1: number of turns."""
        return self._named("turns")

    @property
    def loiter_time_s(self) -> float:
        """NAV_LOITER_TIME param1: loiter time, s."""
        return self._named("loiter_time_s")

    @property
    def heading_required(self) -> bool:
        """Leave the loiter only when heading towards the next waypoint."""
        return self._named("heading_required") == 1.0

    @property
    def xtrack(self) -> float:
        """Loiter exit cross-track behaviour (param4 of loiter commands)."""
        return self._named("xtrack")

    @property
    def abort_alt_m(self) -> float:
        """NAV_LAND param1: altitude to climb to on an aborted landing, m."""
        return self._named("abort_alt_m")

    @property
    def land_mode(self) -> int:
        """NAV_LAND param2: precision land mode."""
        return int(self._named("land_mode"))

    @property
    def pitch_deg(self) -> float:
        """NAV_TAKEOFF param1: minimum climb pitch, deg (DO_SET_HOME: surface pitch)."""
        return self._named("pitch_deg")

    @property
    def jump_target_seq(self) -> int:
        """DO_JUMP param1: seq of the target item (first mission item is 1)."""
        return int(self._named("jump_target_seq"))

    @property
    def jump_repeat(self) -> int:
        """DO_JUMP param2: repeat count (-1: forever)."""
        return int(self._named("jump_repeat"))

    @property
    def speed_type(self) -> int:
        """DO_CHANGE_SPEED param1: 0 airspeed, 1 ground speed, 2 climb, 3 descent."""
        return int(self._named("speed_type"))

    @property
    def speed_mps(self) -> float:
        """DO_CHANGE_SPEED param2: speed, m/s (-1 no change, -2 default)."""
        return self._named("speed_mps")

    @property
    def throttle_pct(self) -> float:
        """DO_CHANGE_SPEED param3: throttle, % (-1 no change, -2 default)."""
        return self._named("throttle_pct")

    @property
    def use_current(self) -> bool:
        """DO_SET_HOME param1: use the current position instead of x/y/z."""
        return self._named("use_current") == 1.0

    @property
    def trigger_distance_m(self) -> float:
        """DO_SET_CAM_TRIGG_DIST param1: trigger distance, m (0: stop triggering)."""
        return self._named("trigger_distance_m")

    @property
    def shutter_ms(self) -> float:
        """DO_SET_CAM_TRIGG_DIST param2: shutter integration time, ms (-1 or 0: ignore)."""
        return self._named("shutter_ms")

    @property
    def trigger_once(self) -> bool:
        """DO_SET_CAM_TRIGG_DIST param3: trigger once immediately."""
        return self._named("trigger_once") == 1.0

    # --- constructors -----------------------------------------------------------------------

    @classmethod
    def waypoint(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        hold_s: float = 0.0,
        acceptance_radius_m: float = 0.0,
        pass_radius_m: float = 0.0,
        yaw_deg: float = 0.0,
    ) -> MissionItem:
        """NAV_WAYPOINT (16)."""
        return cls(
            MavCmd.NAV_WAYPOINT,
            frame,
            (hold_s, acceptance_radius_m, pass_radius_m, yaw_deg),
            lat_deg,
            lon_deg,
            alt_m,
        )

    @classmethod
    def loiter_unlim(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        radius_m: float = 0.0,
        yaw_deg: float = 0.0,
    ) -> MissionItem:
        """NAV_LOITER_UNLIM (17); ``radius_m`` < 0 loiters counter-clockwise."""
        return cls(
            MavCmd.NAV_LOITER_UNLIM, frame, (0.0, 0.0, radius_m, yaw_deg), lat_deg, lon_deg, alt_m
        )

    @classmethod
    def loiter_turns(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        turns: float = 1.0,
        radius_m: float = 0.0,
        heading_required: bool = False,
        xtrack: float = 0.0,
    ) -> MissionItem:
        """NAV_LOITER_TURNS (18)."""
        return cls(
            MavCmd.NAV_LOITER_TURNS,
            frame,
            (turns, float(heading_required), radius_m, xtrack),
            lat_deg,
            lon_deg,
            alt_m,
        )

    @classmethod
    def loiter_time(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        loiter_time_s: float,
        radius_m: float = 0.0,
        heading_required: bool = False,
        xtrack: float = 0.0,
    ) -> MissionItem:
        """NAV_LOITER_TIME (19)."""
        return cls(
            MavCmd.NAV_LOITER_TIME,
            frame,
            (loiter_time_s, float(heading_required), radius_m, xtrack),
            lat_deg,
            lon_deg,
            alt_m,
        )

    @classmethod
    def return_to_launch(cls) -> MissionItem:
        """NAV_RETURN_TO_LAUNCH (20)."""
        return cls(MavCmd.NAV_RETURN_TO_LAUNCH, MavFrame.MISSION)

    @classmethod
    def land(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float = 0.0,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        abort_alt_m: float = 0.0,
        land_mode: int = 0,
        yaw_deg: float = 0.0,
    ) -> MissionItem:
        """NAV_LAND (21)."""
        return cls(
            MavCmd.NAV_LAND,
            frame,
            (abort_alt_m, float(land_mode), 0.0, yaw_deg),
            lat_deg,
            lon_deg,
            alt_m,
        )

    @classmethod
    def takeoff(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        pitch_deg: float = 15.0,
        yaw_deg: float = 0.0,
    ) -> MissionItem:
        """NAV_TAKEOFF (22)."""
        return cls(
            MavCmd.NAV_TAKEOFF, frame, (pitch_deg, 0.0, 0.0, yaw_deg), lat_deg, lon_deg, alt_m
        )

    @classmethod
    def loiter_to_alt(
        cls,
        lat_deg: float,
        lon_deg: float,
        alt_m: float,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
        *,
        radius_m: float = 0.0,
        heading_required: bool = False,
        xtrack: float = 0.0,
    ) -> MissionItem:
        """NAV_LOITER_TO_ALT (31)."""
        return cls(
            MavCmd.NAV_LOITER_TO_ALT,
            frame,
            (float(heading_required), radius_m, 0.0, xtrack),
            lat_deg,
            lon_deg,
            alt_m,
        )

    @classmethod
    def jump(cls, target_seq: int, repeat: int = 1) -> MissionItem:
        """DO_JUMP (177) to the item with MAVLink seq ``target_seq`` (first item is 1)."""
        return cls(MavCmd.DO_JUMP, MavFrame.MISSION, (float(target_seq), float(repeat), 0.0, 0.0))

    @classmethod
    def change_speed(
        cls, speed_mps: float, speed_type: int = 0, throttle_pct: float = -1.0
    ) -> MissionItem:
        """DO_CHANGE_SPEED (178); ``speed_type`` 0 is airspeed."""
        return cls(
            MavCmd.DO_CHANGE_SPEED,
            MavFrame.MISSION,
            (float(speed_type), speed_mps, throttle_pct, 0.0),
        )

    @classmethod
    def set_home(
        cls,
        lat_deg: float = 0.0,
        lon_deg: float = 0.0,
        alt_m: float = 0.0,
        *,
        use_current: bool = False,
        frame: int = MavFrame.GLOBAL,
    ) -> MissionItem:
        """DO_SET_HOME (179): the given point (AMSL by default), or the current position."""
        if use_current:
            return cls(MavCmd.DO_SET_HOME, MavFrame.MISSION, (1.0, 0.0, 0.0, 0.0))
        return cls(MavCmd.DO_SET_HOME, frame, (0.0, 0.0, 0.0, 0.0), lat_deg, lon_deg, alt_m)

    @classmethod
    def land_start(
        cls,
        lat_deg: float | None = None,
        lon_deg: float | None = None,
        alt_m: float = 0.0,
        frame: int = MavFrame.GLOBAL_RELATIVE_ALT,
    ) -> MissionItem:
        """DO_LAND_START (189), optionally with a location (used to pick the nearest one)."""
        if lat_deg is None or lon_deg is None:
            return cls(MavCmd.DO_LAND_START, MavFrame.MISSION)
        return cls(MavCmd.DO_LAND_START, frame, (0.0, 0.0, 0.0, 0.0), lat_deg, lon_deg, alt_m)

    @classmethod
    def cam_trigger_distance(
        cls, distance_m: float, shutter_ms: float = 0.0, trigger_once: bool = False
    ) -> MissionItem:
        """DO_SET_CAM_TRIGG_DIST (206); ``distance_m`` 0 stops triggering."""
        return cls(
            MavCmd.DO_SET_CAM_TRIGG_DIST,
            MavFrame.MISSION,
            (distance_m, shutter_ms, float(trigger_once), 0.0),
        )


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


def resolve_alt_amsl_m(
    item: MissionItem,
    home_alt_m: float,
    terrain: TerrainFn | None = None,
    seq: int | None = None,
) -> float:
    """Altitude of a positioned item above mean sea level, m.

    ``GLOBAL``/``GLOBAL_INT``: ``alt_m`` as is; relative frames: ``home_alt_m + alt_m``;
    terrain frames: ``terrain(lat, lon) + alt_m`` (a :class:`MissionError` if ``terrain``
    is ``None`` or has no data there). ``seq`` names the item in errors.
    """
    where = item_label(seq, item.command) if seq is not None else item.name
    if not item.has_position:
        raise MissionError(
            f"frame {frame_name(item.frame)} carries no altitude", where=where, item_seq=seq
        )
    if item.frame in ABSOLUTE_FRAMES:
        return item.alt_m
    if item.frame in RELATIVE_FRAMES:
        return home_alt_m + item.alt_m
    if terrain is None:
        raise MissionError(
            f"frame {frame_name(item.frame)} is relative to terrain, but no terrain model "
            "was given",
            where=where,
            item_seq=seq,
        )
    ground_m = float(terrain(item.lat_deg, item.lon_deg))
    if not math.isfinite(ground_m):
        raise MissionError(
            f"no terrain data at latitude {item.lat_deg!r}, longitude {item.lon_deg!r}",
            where=where,
            item_seq=seq,
        )
    return ground_m + item.alt_m
