"""ArduPilot DataFlash (``.bin``) logs: a pure writer of the binary format.

The format (ArduPilot's ``AP_Logger``, read by pymavlink's ``DFReader``, MAVExplorer,
UAVLogViewer, Mission Planner): a stream of records, each ``0xA3 0x95 <type id>`` followed by
its fields packed little-endian without padding. Record type 128 (``FMT``, format ``BBnNZ``:
type, length, name, format, columns) describes every other type before its first use; the
format letters give each field's storage:

====  ==========  =====================================
b B   int8 uint8  h H int16 uint16, i I int32 uint32, q Q int64 uint64
f d   float32/64  n N Z char[4] char[16] char[64] (NUL padded)
c C   int16/uint16 x 100 (a reader divides by 100)
e E   int32/uint32 x 100
L     int32 x 1e7 (latitude/longitude, degrees)
M     uint8 (flight mode)
====  ==========  =====================================

Records are written one at a time (:meth:`DataflashWriter.write`, values in reader units:
degrees, not 1e-7 degrees) or, for time series, as numpy structured arrays whose every row
holds one record of each of several types (:class:`RecordGroup`), so a long flight is packed
without a Python loop per row and the records come out interleaved in time as ArduPilot's.
The writer streams to a binary file object; nothing is held but the format table.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

HEAD1 = 0xA3
HEAD2 = 0x95
FMT_TYPE = 128
FMT_FORMAT = "BBnNZ"
FMT_COLUMNS = "Type,Length,Name,Format,Columns"
FIRST_TYPE = 129  # ids given to the other types in order of definition
MAX_TYPE = 255

#: format letter -> (struct code, reader multiplier or None)
FORMAT_LETTERS: Mapping[str, tuple[str, float | None]] = {
    "b": ("b", None), "B": ("B", None), "h": ("h", None), "H": ("H", None),
    "i": ("i", None), "I": ("I", None), "q": ("q", None), "Q": ("Q", None),
    "f": ("f", None), "d": ("d", None), "M": ("B", None),
    "n": ("4s", None), "N": ("16s", None), "Z": ("64s", None),
    "c": ("h", 0.01), "C": ("H", 0.01), "e": ("i", 0.01), "E": ("I", 0.01),
    "L": ("i", 1e-7),
}  # fmt: skip
_STRING_SIZES = {"n": 4, "N": 16, "Z": 64}


@dataclass(frozen=True)
class MessageType:
    """One record type: its id, name (at most 4 characters), format letters and columns."""

    type_id: int
    name: str
    fmt: str
    columns: tuple[str, ...]
    units: str | None = None  # one UNIT id per column (FMTU's UnitIds)
    mults: str | None = None  # one MULT id per column (FMTU's MultIds)

    @property
    def struct(self) -> struct.Struct:
        return struct.Struct("<" + "".join(FORMAT_LETTERS[c][0] for c in self.fmt))

    @property
    def length(self) -> int:
        """Bytes of one record, header included (FMT's Length field)."""
        return 3 + self.struct.size

    def numpy_fields(self, prefix: str) -> list[tuple[str, str]]:
        """The record as packed numpy fields (header first), names ``prefix`` + column."""
        out = [(prefix + "_h1", "u1"), (prefix + "_h2", "u1"), (prefix + "_id", "u1")]
        for col, letter in zip(self.columns, self.fmt, strict=True):
            code = FORMAT_LETTERS[letter][0]
            out.append((prefix + col, "S" + code[:-1] if code.endswith("s") else "<" + code))
        return out


def _validate(name: str, fmt: str, columns: Sequence[str]) -> None:
    if not 1 <= len(name) <= 4 or not name.isascii():
        raise ValueError(f"DataFlash type name {name!r}: 1 to 4 ASCII characters")
    if not 1 <= len(fmt) <= 16 or any(c not in FORMAT_LETTERS for c in fmt):
        raise ValueError(f"{name}: format {fmt!r} has unknown letters or is too long")
    if len(columns) != len(fmt) or len(",".join(columns)) > 64:
        raise ValueError(f"{name}: {len(columns)} columns for {len(fmt)} format letters "
                         "(or the column list is over 64 characters)")  # fmt: skip


def _text(value: object, size: int) -> bytes:
    data = value if isinstance(value, bytes) else str(value).encode("ascii", "replace")
    return data[:size].ljust(size, b"\0")


def _stored(letter: str, value: object) -> object:
    """A reader-unit value as the integer or float the format letter stores."""
    if letter in _STRING_SIZES:
        return _text(value, _STRING_SIZES[letter])
    code, mult = FORMAT_LETTERS[letter]
    v = float(value)  # type: ignore[arg-type]
    if code in ("f", "d"):
        return v
    if mult is not None:
        v /= mult
    if v != v:  # NaN in an integer field: 0
        return 0
    info = np.iinfo(np.dtype("<" + code))
    return int(min(max(round(v), info.min), info.max))


class DataflashWriter:
    """Streams DataFlash records to ``stream`` (a binary file object, left open)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.types: dict[str, MessageType] = {}
        self.bytes_written = 0
        fmt = MessageType(FMT_TYPE, "FMT", FMT_FORMAT, tuple(FMT_COLUMNS.split(",")))
        self._fmt = fmt
        self._emit(fmt, (FMT_TYPE, fmt.length, "FMT", FMT_FORMAT, FMT_COLUMNS))

    def define(self, name: str, fmt: str, columns: str | Sequence[str],
               units: str | None = None, mults: str | None = None) -> MessageType:  # fmt: skip
        """Define a record type (writes its FMT record); returns it. ``units`` and
        ``mults``: a UNIT and a MULT id per column, written by :meth:`write_units`."""
        cols = tuple(columns.split(",")) if isinstance(columns, str) else tuple(columns)
        _validate(name, fmt, cols)
        for ids in (units, mults):
            if ids is not None and len(ids) != len(fmt):
                raise ValueError(f"{name}: {len(ids)} unit/multiplier ids for {len(fmt)} fields")
        if name in self.types:
            raise ValueError(f"DataFlash type {name} is defined twice")
        type_id = FIRST_TYPE + len(self.types)
        if type_id > MAX_TYPE:
            raise ValueError("more than 127 DataFlash record types")
        mt = MessageType(type_id, name, fmt, cols, units, mults)
        self.types[name] = mt
        self._emit(self._fmt, (type_id, mt.length, name, fmt, ",".join(cols)))
        return mt

    def _emit(self, mt: MessageType, values: Sequence[object]) -> None:
        packed = mt.struct.pack(*(_stored(c, v) for c, v in zip(mt.fmt, values, strict=True)))
        self.stream.write(bytes((HEAD1, HEAD2, mt.type_id)) + packed)
        self.bytes_written += mt.length

    def write_units(self, units: Mapping[str, str], mults: Mapping[str, float]) -> None:
        """ArduPilot's unit records: UNIT (id -> label) and MULT (id -> multiplier) for the
        ids given, then an FMTU per defined type that has units (what readers show as each
        field's unit; the stored values are unchanged). Call after the last define."""
        typed = [mt for mt in self.types.values() if mt.units is not None]
        used = {c for mt in typed for c in mt.units}
        missing = used - set(units)
        missing |= {c for mt in typed if mt.mults for c in mt.mults} - set(mults)
        if missing:
            raise ValueError(f"unit/multiplier ids without a label: {sorted(missing)}")
        self.define("UNIT", "QbZ", "TimeUS,Id,Label")
        self.define("MULT", "Qbd", "TimeUS,Id,Mult")
        self.define("FMTU", "QBNN", "TimeUS,FmtType,UnitIds,MultIds")
        for uid, label in units.items():
            self.write("UNIT", Id=ord(uid), Label=label)
        for mid, mult in mults.items():
            self.write("MULT", Id=ord(mid), Mult=mult)
        for mt in typed:
            self.write("FMTU", FmtType=mt.type_id, UnitIds=mt.units,
                       MultIds=mt.mults or "-" * len(mt.fmt))  # fmt: skip

    def write(self, name: str, **values: object) -> None:
        """One record of type ``name``; fields by column name in reader units (a missing
        field is 0 or empty)."""
        mt = self.types[name]
        unknown = set(values) - set(mt.columns)
        if unknown:
            raise KeyError(f"{name} has no field(s) {sorted(unknown)}")
        self._emit(mt, [values.get(c, b"" if l in _STRING_SIZES else 0)
                        for c, l in zip(mt.columns, mt.fmt, strict=True)])  # fmt: skip

    def group(self, names: Sequence[str]) -> RecordGroup:
        """A :class:`RecordGroup` of the defined types ``names`` (in that order per row)."""
        return RecordGroup([self.types[n] for n in names])

    def write_rows(self, rows: np.ndarray) -> None:
        """Rows of a :class:`RecordGroup` array, as they are (records in row order)."""
        data = np.ascontiguousarray(rows).tobytes()
        self.stream.write(data)
        self.bytes_written += len(data)


class RecordGroup:
    """Several record types packed side by side in one numpy structured dtype: an array of
    ``n`` rows is ``n`` records of each type, interleaved as row 0's records, row 1's ...
    Fill it with :meth:`new` and :meth:`set` (reader units), write it with
    :meth:`DataflashWriter.write_rows`."""

    def __init__(self, types: Sequence[MessageType]) -> None:
        self.types = {mt.name: mt for mt in types}
        fields: list[tuple[str, str]] = []
        for mt in types:
            fields += mt.numpy_fields(mt.name + ".")
        self.dtype = np.dtype(fields)  # packed: numpy adds no padding to a list of fields

    def new(self, n: int) -> np.ndarray:
        """``n`` rows with the headers set and every field 0."""
        rows = np.zeros(n, dtype=self.dtype)
        for name, mt in self.types.items():
            rows[name + "._h1"] = HEAD1
            rows[name + "._h2"] = HEAD2
            rows[name + "._id"] = mt.type_id
        return rows

    def set(self, rows: np.ndarray, name: str, column: str, values: object) -> None:
        """Field ``column`` of type ``name`` in every row, from reader-unit values (scaled,
        rounded and clipped to the storage type; NaN in an integer field is 0)."""
        mt = self.types[name]
        letter = mt.fmt[mt.columns.index(column)]
        key = f"{name}.{column}"
        if letter in _STRING_SIZES:
            rows[key] = values
            return
        code, mult = FORMAT_LETTERS[letter]
        v = np.asarray(values, dtype=np.float64)
        if code in ("f", "d"):
            rows[key] = v
            return
        if mult is not None:
            v = v / mult
        info = np.iinfo(np.dtype("<" + code))
        v = np.where(np.isfinite(v), np.rint(v), 0.0)
        rows[key] = np.clip(v, info.min, info.max).astype(np.dtype("<" + code))
