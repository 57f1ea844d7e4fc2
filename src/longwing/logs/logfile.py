"""log.parquet, streamed: rows are appended as the flight produces them and written to disk in
row groups, so memory stays flat however long the flight.

The file's layout:

* units at the edge: radians become degrees (``_rad`` -> ``_deg``, ``_radps`` -> ``_dps``),
  kg/s becomes kg/h; every other name keeps its SI unit suffix;
* time, latitude and longitude (truth and estimate) are float64; ``seq`` is int64; the flight
  ``mode`` and guidance ``target`` (when given) are dictionary-encoded strings; every other
  column is float32 rounded to :data:`SIGNIFICANT_BITS` significant bits (a relative
  resolution of 1.5e-5: 2 cm in 1,500 m, 0.003 deg in 180 deg, 0.5 mm/s in 30 m/s), far
  below any sensor's noise, which lets zstd compress the byte-split floats about 3x;
* the schema's metadata (key ``longwing``) states the altitude datum (heights above the
  WGS84 ellipsoid) and every column's unit.

pyarrow, pandas and polars read it like any Parquet file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from longwing.logs.logsample import LogSample

# Kernel-unit suffix -> (file-unit suffix, factor)
UNIT_CONVERSIONS = (
    ("_radps", "_dps", 180.0 / math.pi),
    ("_rad", "_deg", 180.0 / math.pi),
    ("_kgps", "_kg_per_h", 3600.0),
)
FLOAT64_COLUMNS = ("t_s", "lat_rad", "lon_rad", "est_lat_rad", "est_lon_rad")
INTEGER_COLUMNS = ("seq",)
SIGNIFICANT_BITS = 16  # of float32's 24
ROW_GROUP_ROWS = 16_384  # rows per row group (and per write: memory stays ~7 MB)
ZSTD_LEVEL = 6
ALTITUDE_DATUM = {
    "alt_m": "height above the WGS84 ellipsoid, m (truth)",
    "est_alt_m": "height above the WGS84 ellipsoid, m (EKF estimate)",
    "alt_cmd_m": "height above the WGS84 ellipsoid, m (demand)",
}
_DROP_BITS = 24 - SIGNIFICANT_BITS


def file_name(name: str) -> tuple[str, float]:
    """The column's name in the file and the factor from kernel units."""
    for suffix, new_suffix, factor in UNIT_CONVERSIONS:
        if name.endswith(suffix):
            return name[: -len(suffix)] + new_suffix, factor
    return name, 1.0


def round_float32(values: np.ndarray) -> np.ndarray:
    """float32 rounded to nearest at :data:`SIGNIFICANT_BITS` significant bits (NaN and inf
    kept)."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    u = a.view(np.uint32)
    mask = np.uint32((0xFFFFFFFF >> _DROP_BITS) << _DROP_BITS)
    rounded = (u + np.uint32(1 << (_DROP_BITS - 1))) & mask
    out = rounded.view(np.float32)
    return np.where(np.isfinite(a), out, a)


def arrow_numbers(values: np.ndarray) -> pa.Array:
    """A numeric numpy array as an Arrow array, built from its buffer. (``pa.array`` would
    import pandas, ~45 MB resident, to check for pandas objects.)"""
    a = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), len(a), [None, pa.py_buffer(a)])


def arrow_strings(values: Sequence[str]) -> pa.Array:
    """Strings as an Arrow string array, without ``pa.array`` (see :func:`arrow_numbers`)."""
    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(data), buffers)


def numpy_of(array: pa.Array) -> np.ndarray:
    """A numeric Arrow array (nulls as NaN) as a numpy copy, read from its buffer
    (``Array.to_numpy`` would import pandas, see :func:`arrow_numbers`)."""
    dtype = np.dtype(array.type.to_pandas_dtype())
    data = array.buffers()[1]
    out = np.frombuffer(data, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
    if array.null_count:
        out = out.astype(np.float64)
        bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
        valid = bits[array.offset : array.offset + len(array)]
        out[valid == 0] = np.nan
        return out
    return out.copy()


def _unit_of(name: str) -> str:
    for unit in ("_kg_per_h", "_mps", "_dps", "_deg", "_kg", "_m", "_s", "_w"):
        if name.endswith(unit):
            return unit[1:]
    return ""


class LogWriter:
    """Append rows (kernel units, ``columns``) to a Parquet file; :meth:`close` finishes it.
    ``labels`` adds dictionary-encoded string columns given per appended block. With
    ``plot_columns`` (file names) it also keeps a thinned copy of those for plots
    (:meth:`plot_sample`: at most ~2 x ``plot_rows`` rows, as the file holds them)."""

    def __init__(self, path: Path, columns: Sequence[str], labels: Sequence[str] = (),
                 plot_columns: Sequence[str] = (), plot_rows: int = 20_000) -> None:  # fmt: skip
        self.path = Path(path)
        self.columns = tuple(columns)
        self.labels = tuple(labels)
        self.names = [file_name(c)[0] for c in self.columns]
        fields = []
        for c, n in zip(self.columns, self.names, strict=True):
            if c in INTEGER_COLUMNS:
                typ = pa.int64()
            elif c in FLOAT64_COLUMNS:
                typ = pa.float64()
            else:
                typ = pa.float32()
            fields.append(pa.field(n, typ))
        fields += [pa.field(lab, pa.dictionary(pa.int8(), pa.string())) for lab in self.labels]
        units = {n: _unit_of(n) for n in self.names}
        datum = {k: v for k, v in ALTITUDE_DATUM.items() if k in self.names}
        meta = {"altitude_datum": "WGS84 ellipsoid", "columns": datum, "units": units,
                "float32_significant_bits": SIGNIFICANT_BITS}  # fmt: skip
        self.schema = pa.schema(fields, metadata={"longwing": json.dumps(meta)})
        floats = [f.name for f in fields if pa.types.is_floating(f.type)]
        self._writer = pq.ParquetWriter(
            self.path, self.schema, compression="zstd", compression_level=ZSTD_LEVEL,
            use_dictionary=list(self.labels),
            use_byte_stream_split=floats,
        )  # fmt: skip
        self._buf = np.empty((ROW_GROUP_ROWS, len(self.columns)))  # one row group, reused
        self._labels: list[tuple[int, tuple[str, ...]]] = []  # (rows, labels) per block
        self._pending = 0
        self.rows = 0
        keep = [c for c in self.columns if file_name(c)[0] in plot_columns]
        self._sample = LogSample(self.columns, keep, self.labels, plot_rows) if keep else None

    def append(self, rows: np.ndarray, labels: Sequence[str] = ()) -> None:
        """Rows of one block (all with the same ``labels``), copied into the row-group buffer
        (the caller may reuse its array)."""
        if self._sample is not None:
            self._sample.add(rows, labels)
        done = 0
        while done < rows.shape[0]:
            n = min(rows.shape[0] - done, ROW_GROUP_ROWS - self._pending)
            self._buf[self._pending : self._pending + n] = rows[done : done + n]
            self._labels.append((n, tuple(labels)))
            self._pending += n
            self.rows += n
            done += n
            if self._pending == ROW_GROUP_ROWS:
                self._flush()

    def _flush(self) -> None:
        if self._pending == 0:
            return
        data = self._buf[: self._pending]
        arrays = []
        for i, (c, f) in enumerate(zip(self.columns, self.schema, strict=False)):
            _, factor = file_name(c)
            col = data[:, i] * factor if factor != 1.0 else data[:, i]
            if c in INTEGER_COLUMNS:
                arrays.append(arrow_numbers(np.rint(col).astype(np.int64)))
            elif pa.types.is_float64(f.type):
                arrays.append(arrow_numbers(col))
            else:
                arrays.append(arrow_numbers(round_float32(col)))
        for k in range(len(self.labels)):
            values = sorted({labels[k] for _, labels in self._labels})
            codes = np.concatenate([
                np.full(n, values.index(labels[k]), dtype=np.int8) for n, labels in self._labels
            ])  # fmt: skip
            dictionary = arrow_strings(values)
            arrays.append(pa.DictionaryArray.from_arrays(arrow_numbers(codes), dictionary))
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self._labels = []
        self._pending = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._buf = np.empty((0, len(self.columns)))  # the row-group buffer (6 MB) is done

    def plot_sample(self) -> dict[str, np.ndarray]:
        """The thinned plot columns by file name, in file units and precision, and the
        labels (every ``stride``-th row of the file; empty without ``plot_columns``)."""
        if self._sample is None:
            return {}
        out = {}
        for c, values in self._sample.columns().items():
            if c in self.labels:
                out[c] = values
                continue
            name, factor = file_name(c)
            v = values * factor
            out[name] = v if c in FLOAT64_COLUMNS or c in INTEGER_COLUMNS else round_float32(v)
        return out

    def abort(self) -> None:
        """Close without writing what is pending (the file is then removed by its owner)."""
        self._pending = 0
        self._writer.close()


class LogTee:
    """Hands every block of log rows to several writers (e.g. log.parquet and the DataFlash
    log); closing stays with the owner of each."""

    def __init__(self, *writers) -> None:
        self.writers = writers

    def append(self, rows: np.ndarray, labels: Sequence[str] = ()) -> None:
        for w in self.writers:
            w.append(rows, labels)


def file_columns(columns: Sequence[str], data: np.ndarray) -> dict[str, np.ndarray]:
    """A log held in memory (kernel units) as named columns in file units (for plots)."""
    out = {}
    for i, c in enumerate(columns):
        name, factor = file_name(c)
        out[name] = data[:, i] * factor
    return out


def write_log(path: Path, columns: Sequence[str], data: np.ndarray) -> None:
    """A whole log at once (e.g. `longwing sim`)."""
    w = LogWriter(path, columns)
    w.append(data)
    w.close()


def read_columns(path: Path, names: Sequence[str], max_rows: int | None = None) -> dict:
    """Columns of a log (those present among ``names``) as numpy arrays, every k-th row so
    that at most ``max_rows`` come back (for plots)."""
    pf = pq.ParquetFile(path, pre_buffer=False)  # pre-buffering doubles the peak
    present = [n for n in names if n in pf.schema_arrow.names]
    n_rows = pf.metadata.num_rows
    step = 1 if max_rows is None else max(1, n_rows // max_rows)
    parts: dict[str, list[np.ndarray]] = {n: [] for n in present}
    first = 0  # index of the batch's first row in the file
    for batch in pf.iter_batches(columns=present, batch_size=ROW_GROUP_ROWS, use_threads=False):
        take = np.arange((-first) % step, batch.num_rows, step)
        first += batch.num_rows
        if take.size == 0:
            continue
        for n in present:
            col = batch.column(n).take(arrow_numbers(take))
            if pa.types.is_dictionary(col.type):
                values = np.asarray(col.dictionary.to_pylist(), dtype=object)
                parts[n].append(values[numpy_of(col.indices)])
            else:
                parts[n].append(numpy_of(col))
    return {n: np.concatenate(p) if p else np.empty(0) for n, p in parts.items()}
