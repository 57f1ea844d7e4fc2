"""The one error of the mission package, :class:`MissionError` (bad missions, items, fences
and mission files), split from :mod:`longwing.mission.items`, which re-exports it.

This module is pure: no I/O.
"""

from __future__ import annotations

__all__ = ["MissionError"]


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
