"""JSBSim <table> elements as flat arrays, and their lookups as FGTable does them.

A table set is one float64 ``data`` array and, per table, a record: ``kind`` (1, 2 or 3
dimensions), ``offset`` into ``data``, ``nrows``, ``ncols`` and ``first_sub``. Layouts:

- 1-D: row keys (nrows), values (nrows);
- 2-D: column keys (ncols), row keys (nrows), values (nrows x ncols, row-major);
- 3-D: breakpoints (nrows); its 2-D sub-tables are the tables first_sub .. first_sub+nrows-1.

Lookups follow FGTable exactly: linear interpolation, the end values held outside the keys
(no extrapolation), rows then columns in 2-D, breakpoints over 2-D tables in 3-D.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.jsbsim.errors import error_at
from longwing.jsbsim.xml_tree import LineElement


class TableSet(NamedTuple):
    kind: np.ndarray  # int64 per table: 1, 2 or 3
    offset: np.ndarray  # int64 per table: start in data
    nrows: np.ndarray  # int64 per table (breakpoints in 3-D)
    ncols: np.ndarray  # int64 per table (1 in 1-D and 3-D)
    first_sub: np.ndarray  # int64 per table: the first 2-D sub-table of a 3-D table, else -1
    data: np.ndarray  # float64


def _lines(el: LineElement) -> list[list[float]]:
    rows = []
    for k, raw in enumerate((el.text or "").splitlines()):
        parts = raw.split()
        if not parts:
            continue
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            raise error_at(
                el, f"<tableData> line {k + 1} holds a non-number: {raw.strip()}"
            ) from None
    if not rows:
        raise error_at(el, "<tableData> is empty")
    return rows


def _increasing(keys: list[float], el: LineElement, what: str) -> None:
    for a, b in zip(keys, keys[1:], strict=False):
        if b <= a:
            raise error_at(el, f"{what} keys are not increasing ({a} then {b})")


class TableBuilder:
    """Collects tables into one TableSet (one per compiled aircraft)."""

    def __init__(self) -> None:
        self.kind: list[int] = []
        self.offset: list[int] = []
        self.nrows: list[int] = []
        self.ncols: list[int] = []
        self.first_sub: list[int] = []
        self.data: list[float] = []

    def _new(self, kind: int, nrows: int, ncols: int, first_sub: int) -> int:
        self.kind.append(kind)
        self.offset.append(len(self.data))
        self.nrows.append(nrows)
        self.ncols.append(ncols)
        self.first_sub.append(first_sub)
        return len(self.kind) - 1

    def _leaf(self, el: LineElement) -> tuple[int, int]:
        """A leaf <tableData> (1-D or 2-D as FGTable infers it) -> (table index, dims)."""
        rows = _lines(el)
        if len(rows) > 1 and len(rows[1]) == len(rows[0]) + 1:
            cols = rows[0]
            body = rows[1:]
            if any(len(r) != len(cols) + 1 for r in body):
                raise error_at(el, "2-D <tableData> rows differ in length")
            _increasing(cols, el, "column")
            _increasing([r[0] for r in body], el, "row")
            idx = self._new(2, len(body), len(cols), -1)
            self.data.extend(cols)
            self.data.extend(r[0] for r in body)
            for r in body:
                self.data.extend(r[1:])
            return idx, 2
        if any(len(r) != 2 for r in rows):
            raise error_at(el, "1-D <tableData> needs two numbers per line")
        _increasing([r[0] for r in rows], el, "row")
        idx = self._new(1, len(rows), 1, -1)
        self.data.extend(r[0] for r in rows)
        self.data.extend(r[1] for r in rows)
        return idx, 1

    def add(self, el: LineElement) -> tuple[int, int]:
        """A <table> element -> (table index, dimensions)."""
        if el.get("type"):
            raise error_at(el, f"table type '{el.get('type')}' is not supported")
        datas = el.findall("tableData")
        if not datas:
            raise error_at(el, "<table> has no <tableData>")
        if len(datas) == 1 and not datas[0].get("breakPoint"):
            return self._leaf(datas[0])
        breakpoints = []
        for d in datas:
            if d.get("breakPoint") is None:
                raise error_at(d, "<tableData> of a 3-D table needs a breakPoint")
            if d.find("tableData") is not None:
                raise error_at(d, "tables of more than 3 dimensions are not supported")
            try:
                breakpoints.append(float(d.get("breakPoint", "")))
            except ValueError:
                raise error_at(d, f"breakPoint '{d.get('breakPoint')}' is not a number") from None
        _increasing(breakpoints, el, "breakPoint")
        # the sub-tables first, contiguous, then the 3-D record pointing at them
        subs = [self._leaf(d) for d in datas]
        for (_, dims), d in zip(subs, datas, strict=True):
            if dims != 2:
                raise error_at(d, "a 3-D table's <tableData> must each hold a 2-D table")
        idx = self._new(3, len(datas), 1, subs[0][0])
        self.data.extend(breakpoints)
        return idx, 3

    def add_1d(self, keys: list[float], values: list[float]) -> int:
        """A 1-D table from its rows (a table JSBSim builds in code) -> its index."""
        idx = self._new(1, len(keys), 1, -1)
        self.data.extend(float(k) for k in keys)
        self.data.extend(float(v) for v in values)
        return idx

    def build(self) -> TableSet:
        return TableSet(
            kind=np.array(self.kind, dtype=np.int64),
            offset=np.array(self.offset, dtype=np.int64),
            nrows=np.array(self.nrows, dtype=np.int64),
            ncols=np.array(self.ncols, dtype=np.int64),
            first_sub=np.array(self.first_sub, dtype=np.int64),
            data=np.array(self.data, dtype=np.float64),
        )


@njit(cache=True)
def _constrain01(x: float) -> float:
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@njit(cache=True)
def lookup_1d(data: np.ndarray, off: int, n: int, key: float) -> float:
    """FGTable::GetValue(key): keys at off, values at off + n."""
    if key <= data[off]:
        return data[off + n]
    if key >= data[off + n - 1]:
        return data[off + 2 * n - 1]
    r = 1
    while data[off + r] < key:
        r += 1
    x0 = data[off + r - 1]
    factor = (key - x0) / (data[off + r] - x0)
    y0 = data[off + n + r - 1]
    return factor * (data[off + n + r] - y0) + y0


@njit(cache=True)
def lookup_2d(
    data: np.ndarray, off: int, nr: int, nc: int, row_key: float, col_key: float
) -> float:
    """FGTable::GetValue(rowKey, colKey): column keys, row keys, values."""
    rk = off + nc  # row keys
    v = rk + nr  # values, row-major
    if nc == 1:
        # a single column: the 1-D lookup on the row keys
        if row_key <= data[rk]:
            return data[v]
        if row_key >= data[rk + nr - 1]:
            return data[v + nr - 1]
        r = 1
        while data[rk + r] < row_key:
            r += 1
        x0 = data[rk + r - 1]
        factor = (row_key - x0) / (data[rk + r] - x0)
        y0 = data[v + r - 1]
        return factor * (data[v + r] - y0) + y0
    c = 1
    while data[off + c] < col_key and c < nc - 1:
        c += 1
    x0 = data[off + c - 1]
    c_factor = _constrain01((col_key - x0) / (data[off + c] - x0))
    if nr == 1:
        y0 = data[v + c - 1]
        return c_factor * (data[v + c] - y0) + y0
    r = 1
    while data[rk + r] < row_key and r < nr - 1:
        r += 1
    x0 = data[rk + r - 1]
    r_factor = _constrain01((row_key - x0) / (data[rk + r] - x0))
    lo = v + (r - 1) * nc
    hi = v + r * nc
    col1 = r_factor * data[hi + c - 1] + (1.0 - r_factor) * data[lo + c - 1]
    col2 = r_factor * data[hi + c] + (1.0 - r_factor) * data[lo + c]
    return c_factor * (col2 - col1) + col1


@njit(cache=True)
def _sub2d(tables: TableSet, t: int, row_key: float, col_key: float) -> float:
    return lookup_2d(
        tables.data, tables.offset[t], tables.nrows[t], tables.ncols[t], row_key, col_key
    )


@njit(cache=True)
def lookup(tables: TableSet, t: int, k0: float, k1: float, k2: float) -> float:
    """Table t at the keys (row, column, table); unused keys are ignored."""
    kind = tables.kind[t]
    off = tables.offset[t]
    n = tables.nrows[t]
    if kind == 1:
        return lookup_1d(tables.data, off, n, k0)
    if kind == 2:
        return lookup_2d(tables.data, off, n, tables.ncols[t], k0, k1)
    first = tables.first_sub[t]
    bp = tables.data
    if k2 <= bp[off]:
        return _sub2d(tables, first, k0, k1)
    if k2 >= bp[off + n - 1]:
        return _sub2d(tables, first + n - 1, k0, k1)
    r = 1
    while bp[off + r] < k2:
        r += 1
    x0 = bp[off + r - 1]
    factor = (k2 - x0) / (bp[off + r] - x0)
    y0 = _sub2d(tables, first + r - 1, k0, k1)
    return factor * (_sub2d(tables, first + r, k0, k1) - y0) + y0
