"""The constructors of :class:`~longwing.mission.items.MissionItem`
(:meth:`~ItemConstructors.waypoint`, :meth:`~ItemConstructors.loiter_turns`...): each builds
an item of one command with the right parameter slots filled. A mixin that
:class:`~longwing.mission.items.MissionItem` inherits; call them on ``MissionItem``.

This module is pure: no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from longwing.mission.items_mavlink import MavCmd, MavFrame

if TYPE_CHECKING:
    from longwing.mission.items import MissionItem

__all__ = ["ItemConstructors"]


class ItemConstructors:
    """``MissionItem.waypoint(...)``, ``MissionItem.land(...)``...: one classmethod per
    supported command (``cls`` is :class:`~longwing.mission.items.MissionItem`)."""

    __slots__ = ()

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
