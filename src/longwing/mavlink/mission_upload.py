"""One upload in progress of the mission microservice (:mod:`~longwing.mavlink.mission_protocol`):
a whole list (MISSION_COUNT) or a partial one (MISSION_WRITE_PARTIAL_LIST), as ArduPilot's
``MissionItemProtocol`` runs both.

A partial write, as ArduPilot handles MISSION_WRITE_PARTIAL_LIST(start_index, end_index):
refused with STATUSTEXT "Flight plan update rejected" and MISSION_ACK ERROR unless
``start_index <= end_index <= item count`` (the count includes home for the MISSION type);
otherwise the vehicle requests items ``start_index..end_index`` one by one; an item whose
seq is below the stored count replaces the stored one, an item at the count is appended.
Here the received items are laid over a copy of the stored list and the result goes through
the same conversion and checks as a complete upload when the last one arrives (ArduPilot
writes each mission item to storage as it arrives, so a partial write that stops half-way
leaves the items already sent; here it leaves the plan untouched, as a full upload does).

This module is pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from longwing.mavlink.wire import int_field
from longwing.mission.model import MavlinkItem

__all__ = ["PARTIAL_REJECTED", "Upload", "partial_range"]

#: ArduPilot's STATUSTEXT for a partial write outside the stored list.
PARTIAL_REJECTED = "Flight plan update rejected"


@dataclass(slots=True)
class Upload:
    """One upload in progress: from ``src``, items ``start..count-1`` awaited (``start`` 0
    and ``base`` empty for a whole list; for a partial write, ``base`` is the stored list
    the received items are laid over)."""

    src: tuple[int, int]
    count: int
    items: list[MavlinkItem]
    last_request_s: float
    retries_done: int = 0
    start: int = 0
    base: tuple[MavlinkItem, ...] = field(default=())

    @property
    def next_seq(self) -> int:
        return self.start + len(self.items)

    def result(self) -> list[MavlinkItem]:
        """The complete list once the last item arrived: the stored items with the received
        ones in their place (a whole upload: the received items)."""
        out = list(self.base[: self.start]) + self.items
        out += self.base[len(out) :]
        return [replace(mi, seq=k) if mi.seq != k else mi for k, mi in enumerate(out)]


def partial_range(msg: object, stored_count: int) -> tuple[int, int] | None:
    """``(start_index, end_index)`` of a MISSION_WRITE_PARTIAL_LIST ArduPilot accepts for a
    list of ``stored_count`` items, else ``None``."""
    start = int_field(getattr(msg, "start_index", None))
    end = int_field(getattr(msg, "end_index", None))
    if start is None or end is None or start < 0 or not start <= end <= stored_count:
        return None
    return start, end
