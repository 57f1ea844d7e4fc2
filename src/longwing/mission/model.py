"""The :class:`Mission`: home, items, geofence, rally points, validated as a whole.

Numbering: ``Mission.items`` holds the mission items without home. Item ``items[i]`` has
MAVLink seq ``i + 1``, because longwing follows ArduPilot, where seq 0 is home. This is
also QGroundControl's numbering of ``.plan`` items (shown from 1, home shown as 0) and
the index column of ``QGC WPL 110`` files (line 0 is home). Errors, DO_JUMP targets and
:meth:`Mission.land_sequence_start` all use this seq. :meth:`Mission.to_mavlink_items`
produces the full MAVLink list with home at seq 0; :meth:`Mission.from_mavlink_items`
reads one back, exactly.

Altitudes: ``home.alt_m`` is above mean sea level (AMSL), like MAVLink's home position;
item altitudes follow their frame (:meth:`Mission.resolve_alt`).

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from longwing.geo.point import GeoPoint
from longwing.mission.fence import Fence, RallyPoint, geodesic_distance_m
from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    MavCmd,
    MavFrame,
    MissionError,
    MissionItem,
    TerrainFn,
    _nan_key,
    frame_name,
    item_label,
    resolve_alt_amsl_m,
    validate_item,
    validate_lat_lon_alt,
)

__all__ = ["Home", "MavlinkItem", "Mission", "PlanInfo", "QgcComplexItem"]

#: MAV_AUTOPILOT_ARDUPILOTMEGA: the firmware longwing's plans say they were made for.
MAV_AUTOPILOT_ARDUPILOTMEGA = 3
#: MAV_TYPE_FIXED_WING
MAV_TYPE_FIXED_WING = 1


#: The home (launch) position: a :class:`~longwing.geo.point.GeoPoint` whose ``alt_m`` is
#: above mean sea level.
Home = GeoPoint


@dataclass(frozen=True)
class QgcComplexItem:
    """A QGroundControl complex item (survey, corridor scan, fixed-wing landing pattern) as
    read from a ``.plan`` file: ``kind`` (its ``complexItemType``), ``first_seq`` (the
    mission seq of its first item), the mission ``items`` it stands for (seq ``first_seq``
    on) and ``json_text``, its JSON object as the file held it (canonical: sorted keys).
    The writer puts the object back while those items are still there unchanged, so
    QGroundControl reopens it editable."""

    kind: str
    first_seq: int
    items: tuple[MissionItem, ...]
    json_text: str

    @property
    def last_seq(self) -> int:
        """The mission seq of its last item."""
        return self.first_seq + len(self.items) - 1


@dataclass(frozen=True)
class PlanInfo:
    """QGroundControl ``.plan`` bookkeeping that does not affect flight, kept for round trips.

    ``firmware_type`` is a MAV_AUTOPILOT value, ``vehicle_type`` a MAV_TYPE value,
    ``global_altitude_mode`` QGC's ``globalPlanAltitudeMode`` (``None``: not written),
    ``complex_items`` the complex items the file held (in mission order).
    """

    firmware_type: int = MAV_AUTOPILOT_ARDUPILOTMEGA
    vehicle_type: int | None = MAV_TYPE_FIXED_WING
    ground_station: str = "longwing"
    global_altitude_mode: int | None = None
    complex_items: tuple[QgcComplexItem, ...] = ()


@dataclass(frozen=True, eq=False)
class MavlinkItem:
    """One MAVLink ``MISSION_ITEM`` as the future MAVLink layer sends it.

    ``x``/``y`` are degrees for global frames (``MISSION_ITEM_INT`` carries them as
    ``round(deg * 1e7)``; latitudes and longitudes with at most 7 decimals survive that
    exactly), ``z`` metres. Equality treats NaN as equal to NaN.
    """

    seq: int
    frame: int
    command: int
    current: int
    autocontinue: int
    param1: float
    param2: float
    param3: float
    param4: float
    x: float
    y: float
    z: float
    mission_type: int = 0

    def to_mission_item(self) -> MissionItem:
        """The :class:`MissionItem` this carries (seq, current and mission_type dropped)."""
        return MissionItem(
            self.command,
            self.frame,
            (self.param1, self.param2, self.param3, self.param4),
            self.x,
            self.y,
            self.z,
            bool(self.autocontinue),
        )

    def _key(self) -> tuple[Any, ...]:
        return (
            self.seq,
            self.frame,
            self.command,
            self.current,
            self.autocontinue,
            *(_nan_key(v) for v in (self.param1, self.param2, self.param3, self.param4)),
            *(_nan_key(v) for v in (self.x, self.y, self.z)),
            self.mission_type,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavlinkItem):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class Mission:
    """A complete, validated mission.

    Fields: ``home``; ``items`` (seq 1..N, see the module doc); ``fence``; ``rally``
    points; ``cruise_speed_mps``/``hover_speed_mps`` if the plan gives them; ``plan_info``
    (``.plan`` bookkeeping). Construction validates every item, DO_JUMP targets, home,
    fence and rally points and raises :class:`~longwing.mission.items.MissionError`.
    """

    home: Home
    items: tuple[MissionItem, ...] = ()
    fence: Fence = field(default_factory=Fence)
    rally: tuple[RallyPoint, ...] = ()
    cruise_speed_mps: float | None = None
    hover_speed_mps: float | None = None
    plan_info: PlanInfo = field(default_factory=PlanInfo)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "rally", tuple(self.rally))
        bad = validate_lat_lon_alt(self.home.lat_deg, self.home.lon_deg, self.home.alt_m)
        if bad is not None:
            raise MissionError(bad, where="home", item_seq=0)
        n = len(self.items)
        for seq, item in enumerate(self.items, start=1):
            validate_item(item, seq)
            if item.command == MavCmd.DO_JUMP:
                target = item.jump_target_seq
                if target == seq:
                    raise MissionError(
                        f"jump_target_seq (param1) is {target}: the DO_JUMP itself",
                        where=item_label(seq, item.command),
                        item_seq=seq,
                    )
                if target > n:
                    raise MissionError(
                        f"jump_target_seq (param1) is {target}; no such item (items are 1..{n})",
                        where=item_label(seq, item.command),
                        item_seq=seq,
                    )
        for k, rp in enumerate(self.rally, start=1):
            bad = rp.problem()
            if bad is not None:
                raise MissionError(bad, where=f"rally point {k}")
        for name in ("cruise_speed_mps", "hover_speed_mps"):
            speed = getattr(self, name)
            if speed is None:
                continue
            speed = float(speed)
            object.__setattr__(self, name, speed)
            if not (math.isfinite(speed) and speed > 0):
                raise MissionError(f"{name} {speed!r} must be > 0", where="mission")

    # --- lookup -------------------------------------------------------------------------

    def item(self, seq: int) -> MissionItem:
        """The item with MAVLink seq ``seq`` (1..N; home is not an item)."""
        if not 1 <= seq <= len(self.items):
            raise IndexError(f"no item {seq}: items are 1..{len(self.items)}")
        return self.items[seq - 1]

    def seq_of(self, item: MissionItem) -> int:
        """MAVLink seq of ``item`` (the same object if present, else the first equal one)."""
        for seq, candidate in enumerate(self.items, start=1):
            if candidate is item:
                return seq
        for seq, candidate in enumerate(self.items, start=1):
            if candidate == item:
                return seq
        raise ValueError(f"{item.name} item is not in this mission")

    def nav_items(self) -> tuple[tuple[int, MissionItem], ...]:
        """``(seq, item)`` of every NAV command (those the vehicle flies), in order."""
        return tuple((seq, it) for seq, it in enumerate(self.items, start=1) if it.is_nav)

    def land_sequence_start(self) -> int | None:
        """Seq of the first DO_LAND_START (where RTL-autoland jumps to), ``None`` if none."""
        for seq, it in enumerate(self.items, start=1):
            if it.command == MavCmd.DO_LAND_START:
                return seq
        return None

    def resolve_alt(
        self,
        item: MissionItem | int,
        home_alt_m: float | None = None,
        terrain: TerrainFn | None = None,
    ) -> float:
        """Altitude AMSL (m) of an item given by object or seq.

        Relative frames add ``home_alt_m`` (default: the planned home altitude; pass the
        vehicle's actual home when it differs); terrain frames add
        ``terrain(lat_deg, lon_deg)`` and raise :class:`MissionError` without it.
        """
        if isinstance(item, int):
            seq = item
            obj = self.item(seq)
        else:
            obj = item
            seq = self.seq_of(item)
        home = self.home.alt_m if home_alt_m is None else home_alt_m
        return resolve_alt_amsl_m(obj, home, terrain, seq)

    def route_length_m(self) -> float:
        """Horizontal length of the planned route, m (WGS84 geodesics).

        The polyline home -> every positioned NAV item in order (loiters count as their
        centre, RTL returns to home, DO_JUMP is not followed; TAKEOFF/LAND at lat/lon 0/0
        mean "here" and are skipped).
        """
        points = [(self.home.lat_deg, self.home.lon_deg)]
        for _, it in self.nav_items():
            if it.command == MavCmd.NAV_RETURN_TO_LAUNCH:
                points.append((self.home.lat_deg, self.home.lon_deg))
                continue
            pos = it.position
            if pos is None:
                continue
            if (
                it.command in (MavCmd.NAV_TAKEOFF, MavCmd.NAV_LAND)
                and pos[0] == 0.0
                and pos[1] == 0.0
            ):
                continue
            points.append((pos[0], pos[1]))
        return sum(
            geodesic_distance_m(a[0], a[1], b[0], b[1])
            for a, b in zip(points, points[1:], strict=False)
        )

    # --- building -------------------------------------------------------------------------

    def with_items(self, items: Iterable[MissionItem]) -> Mission:
        """A copy with other items (validated)."""
        return replace(self, items=tuple(items))

    # --- MAVLink ---------------------------------------------------------------------------

    def to_mavlink_items(self) -> tuple[MavlinkItem, ...]:
        """The mission as MAVLink items, home at seq 0 (ArduPilot convention).

        Home is a NAV_WAYPOINT in the GLOBAL frame (AMSL). ``current`` is 0 everywhere; the
        MAVLink layer sets it. Fence and rally points are not included (they travel as
        separate MAVLink mission types).
        """
        home = MavlinkItem(
            0,
            MavFrame.GLOBAL,
            MavCmd.NAV_WAYPOINT,
            0,
            1,
            0.0,
            0.0,
            0.0,
            0.0,
            self.home.lat_deg,
            self.home.lon_deg,
            self.home.alt_m,
        )
        out = [home]
        for seq, it in enumerate(self.items, start=1):
            out.append(
                MavlinkItem(
                    seq,
                    it.frame,
                    it.command,
                    0,
                    int(it.autocontinue),
                    *it.params,
                    it.lat_deg,
                    it.lon_deg,
                    it.alt_m,
                )
            )
        return tuple(out)

    @classmethod
    def from_mavlink_items(
        cls,
        items: Iterable[MavlinkItem],
        *,
        fence: Fence | None = None,
        rally: Iterable[RallyPoint] = (),
        cruise_speed_mps: float | None = None,
        hover_speed_mps: float | None = None,
    ) -> Mission:
        """Build a mission from MAVLink items with home at seq 0 (inverse of
        :meth:`to_mavlink_items`). Items must be in seq order 0..N; home must be in an
        absolute frame (GLOBAL or GLOBAL_INT)."""
        seq_items = tuple(items)
        if not seq_items:
            raise MissionError("no items: MAVLink seq 0 (home) is required")
        for expected, mi in enumerate(seq_items):
            if mi.seq != expected:
                raise MissionError(f"MAVLink item {expected} has seq {mi.seq}; expected {expected}")
        home_item = seq_items[0]
        if home_item.frame not in ABSOLUTE_FRAMES:
            raise MissionError(
                f"home must be in frame GLOBAL (0) or GLOBAL_INT (5), not "
                f"{frame_name(home_item.frame)}",
                where="item 0 (home)",
                item_seq=0,
            )
        mission_items = tuple(mi.to_mission_item() for mi in seq_items[1:])
        return cls(
            home=Home(home_item.x, home_item.y, home_item.z),
            items=mission_items,
            fence=fence if fence is not None else Fence(),
            rally=tuple(rally),
            cruise_speed_mps=cruise_speed_mps,
            hover_speed_mps=hover_speed_mps,
        )
