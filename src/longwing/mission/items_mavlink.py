"""MAVLink numbers of missions: the supported commands (:class:`MavCmd`), the frames
(:class:`MavFrame`) and their altitude references, and the names errors use for them.
Split from :mod:`longwing.mission.items`, which re-exports them.

Numbers from MAVLink ``common.xml``. This module is pure: no I/O.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "ABSOLUTE_FRAMES",
    "GLOBAL_FRAMES",
    "RELATIVE_FRAMES",
    "TERRAIN_FRAMES",
    "MavCmd",
    "MavFrame",
    "command_name",
    "frame_name",
    "item_label",
]


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
    DO_GO_AROUND = 191
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
