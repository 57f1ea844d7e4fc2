"""Altitude resolution of positioned mission items: :func:`resolve_alt_amsl_m` (AMSL from
the item's frame, the home altitude and a terrain model, :data:`TerrainFn`). Split from
:mod:`longwing.mission.items`, which re-exports them.

This module is pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from longwing.mission.items_errors import MissionError
from longwing.mission.items_mavlink import ABSOLUTE_FRAMES, RELATIVE_FRAMES, frame_name, item_label

if TYPE_CHECKING:
    from longwing.mission.items import MissionItem

__all__ = ["TerrainFn", "resolve_alt_amsl_m"]

#: Terrain model: ``terrain(lat_deg, lon_deg) -> terrain height AMSL in metres`` (NaN when
#: the model has no data there).
TerrainFn = Callable[[float, float], float]


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
