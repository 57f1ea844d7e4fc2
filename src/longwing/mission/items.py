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

The module is split along its seams; this one holds the :class:`MissionItem` record (and
:class:`PlanAltitude`) and re-exports the rest, so ``longwing.mission.items`` is still the
one import: :mod:`~longwing.mission.items_mavlink` (MAV_CMD/MAV_FRAME numbers, frame sets,
names), :mod:`~longwing.mission.items_specs` (per-command specs, validation),
:mod:`~longwing.mission.items_build` (the constructors), :mod:`~longwing.mission.items_altitude`
(altitude resolution) and :mod:`~longwing.mission.items_errors` (:class:`MissionError`).

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from longwing.mission.items_altitude import TerrainFn, resolve_alt_amsl_m
from longwing.mission.items_build import ItemConstructors
from longwing.mission.items_errors import MissionError
from longwing.mission.items_mavlink import (
    ABSOLUTE_FRAMES,
    GLOBAL_FRAMES,
    RELATIVE_FRAMES,
    TERRAIN_FRAMES,
    MavCmd,
    MavFrame,
    command_name,
    frame_name,
    item_label,
)
from longwing.mission.items_specs import (
    COMMAND_SPECS,
    CommandSpec,
    ParamSpec,
    validate_item,
    validate_lat_lon_alt,
)

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
class MissionItem(ItemConstructors):
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
