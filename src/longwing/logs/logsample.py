"""A thinned copy of some log columns kept while the log streams to disk, for the report's
plots: every ``stride``-th row of the log, the stride doubling whenever the rows held would
exceed twice ``max_rows``, so memory stays bounded however long the flight, and the file
need not be read back (reading 1 M rows back cost ~20-30 MB of resident memory).

The rows kept are rows 0, stride, 2 stride, ... of the log, the same rows a reader that takes
every k-th row of the file would get for k = stride.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class LogSample:
    """Feed it every block of rows (kernel columns ``columns``, all of them) with the block's
    labels; :meth:`columns` gives the kept rows of ``keep`` (and of every label)."""

    def __init__(self, columns: Sequence[str], keep: Sequence[str], labels: Sequence[str],
                 max_rows: int) -> None:  # fmt: skip
        if max_rows < 1:
            raise ValueError(f"max_rows {max_rows} must be >= 1")
        self.keep = tuple(c for c in keep if c in columns)
        self._index = np.array([list(columns).index(c) for c in self.keep], dtype=np.int64)
        self.labels = tuple(labels)
        self.max_rows = max_rows
        self.stride = 1
        capacity = 2 * max_rows
        self._values = np.empty((capacity, len(self.keep)))
        self._rows = np.empty(capacity, dtype=np.int64)  # log row index of each kept row
        self._label_code = np.empty(capacity, dtype=np.int64)  # index into _label_sets
        self._label_sets: list[tuple[str, ...]] = []
        self.held = 0
        self.seen = 0  # rows fed so far

    def add(self, rows: np.ndarray, labels: Sequence[str] = ()) -> None:
        first = self.seen
        self.seen += rows.shape[0]
        while True:
            take = np.arange((-first) % self.stride, rows.shape[0], self.stride)
            if self.held + take.size <= self._rows.size:
                break
            self._thin()
        if take.size == 0:
            return
        key = tuple(labels)
        if key not in self._label_sets:
            self._label_sets.append(key)
        end = self.held + take.size
        self._values[self.held : end] = rows[np.ix_(take, self._index)]
        self._rows[self.held : end] = first + take
        self._label_code[self.held : end] = self._label_sets.index(key)
        self.held = end

    def _thin(self) -> None:
        """Double the stride, keeping the held rows that are on it."""
        self.stride *= 2
        on = np.flatnonzero(self._rows[: self.held] % self.stride == 0)
        n = on.size
        self._values[:n] = self._values[on]
        self._rows[:n] = self._rows[on]
        self._label_code[:n] = self._label_code[on]
        self.held = n

    def columns(self) -> dict[str, np.ndarray]:
        """Kept rows: kernel columns by kernel name (float64), labels as string arrays."""
        n = self.held
        out = {c: self._values[:n, i].copy() for i, c in enumerate(self.keep)}
        for k, name in enumerate(self.labels):
            values = np.array([s[k] if k < len(s) else "" for s in self._label_sets] or [""],
                              dtype=object)  # fmt: skip
            out[name] = values[self._label_code[:n]]
        return out
