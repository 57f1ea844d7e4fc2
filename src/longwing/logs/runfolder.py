"""Run folders: log.parquet, summary.json, events.jsonl, written all-or-nothing.

Files are written into a staging directory next to the target, which is then renamed into
place, so an interrupted run never leaves a half-written result. The folder carries the
marker of :mod:`longwing.logs.outputs`; an existing folder at the path is replaced (only once
the new one is complete) if and only if it is a longwing run folder of the same kind - the
caller checks the path with :func:`~longwing.logs.outputs.check_run_dir` before the work, and
it is checked again here.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from longwing.logs.outputs import MARKER, check_run_dir, marker_text

# Kernel-unit suffix -> (file-unit suffix, factor)
_UNIT_CONVERSIONS = (
    ("_radps", "_dps", 180.0 / math.pi),
    ("_rad", "_deg", 180.0 / math.pi),
    ("_kgps", "_kg_per_h", 3600.0),
)


def to_file_units(columns: Sequence[str], data: np.ndarray) -> pa.Table:
    """Table with degrees and kg/h at the edge; SI names keep their unit suffix."""
    arrays = []
    names = []
    for i, name in enumerate(columns):
        col = data[:, i]
        for suffix, new_suffix, factor in _UNIT_CONVERSIONS:
            if name.endswith(suffix):
                name = name[: -len(suffix)] + new_suffix
                col = col * factor
                break
        names.append(name)
        arrays.append(pa.array(np.ascontiguousarray(col), type=pa.float64()))
    return pa.Table.from_arrays(arrays, names=names)


INTEGER_COLUMNS = ("seq",)  # logged as float64 by the kernels, written as int64
# written into log.parquet's metadata: what the columns' heights are measured from
ALTITUDE_DATUM = {
    "alt_m": "height above the WGS84 ellipsoid, m (truth)",
    "est_alt_m": "height above the WGS84 ellipsoid, m (EKF estimate)",
    "alt_cmd_m": "height above the WGS84 ellipsoid, m (demand)",
}


def log_table(
    columns: Sequence[str], data: np.ndarray, segments: Sequence[tuple[int, str, str]] = ()
) -> pa.Table:
    """The closed-loop log in file units: integer item numbers, and per row the flight
    ``mode`` and the guidance ``target`` kind (dictionary-encoded strings) from
    ``segments`` ((first row, mode, target), ...); the altitude datum in the metadata."""
    table = to_file_units(columns, data)
    for name in INTEGER_COLUMNS:
        if name in table.column_names:
            i = table.column_names.index(name)
            ints = np.rint(table.column(name).to_numpy()).astype(np.int64)
            table = table.set_column(i, name, pa.array(ints, type=pa.int64()))
    n = table.num_rows
    if segments:
        starts = [seg[0] for seg in segments] + [n]
        for k, name in ((1, "mode"), (2, "target")):
            labels = sorted({seg[k] for seg in segments})
            codes = np.empty(n, dtype=np.int8)
            for j, seg in enumerate(segments):
                codes[starts[j] : starts[j + 1]] = labels.index(seg[k])
            arr = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels))
            table = table.append_column(name, arr)
    datum = {k: v for k, v in ALTITUDE_DATUM.items() if k in table.column_names}
    meta = {"altitude_datum": "WGS84 ellipsoid", "columns": datum}
    return table.replace_schema_metadata({"longwing": json.dumps(meta)})


def _json_default(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps(obj: object) -> str:
    return json.dumps(obj, indent=2, default=_json_default, allow_nan=False)


def write_run_folder(
    out_dir: Path,
    log: pa.Table,
    summary: dict,
    events: Sequence[dict],
    extra_files: dict[str, str | bytes] | None = None,
    kind: str = "fly",
) -> Path:
    """Write the run folder atomically (plus ``extra_files``: name -> text or bytes); returns
    its path.
    OutputError if the path holds anything but a longwing run folder of ``kind``."""
    out_dir = Path(out_dir)
    check_run_dir(out_dir, kind)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    stage.chmod(0o755)
    try:
        (stage / MARKER).write_text(marker_text(kind), encoding="utf-8")
        pq.write_table(log, stage / "log.parquet", compression="zstd")
        with open(stage / "events.jsonl", "w") as f:
            for ev in events:
                f.write(json.dumps(ev, default=_json_default) + "\n")
        for name, content in (extra_files or {}).items():
            if isinstance(content, bytes):
                (stage / name).write_bytes(content)
            else:
                (stage / name).write_text(content, encoding="utf-8")
        (stage / "summary.json").write_text(dumps(summary) + "\n")
        if out_dir.exists():
            # an earlier run folder (checked above): moved aside under a unique name, the
            # new one renamed into place, then the old one removed
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            out_dir.rename(old / "run")
            stage.rename(out_dir)
            shutil.rmtree(old)
        else:
            stage.rename(out_dir)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out_dir
