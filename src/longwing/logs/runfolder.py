"""Run folders: log.parquet, summary.json, events.jsonl and the rest, written all-or-nothing.

A :class:`RunStage` is a hidden staging folder next to the target (``.NAME.xxxx``), created
once every input is checked: the log streams into it during the flight, the other files are
written at the end, and :meth:`RunStage.commit` renames it into place - so an interrupted run
never leaves a half-written result, and an earlier run folder is replaced only once the new
one is complete. The folder carries the marker of :mod:`longwing.logs.outputs`; the path is
checked (:func:`~longwing.logs.outputs.check_run_dir`) when the stage is made and again at
the commit.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from longwing.logs.logfile import arrow_numbers, file_name
from longwing.logs.outputs import MARKER, check_run_dir, marker_text


def to_file_units(columns: Sequence[str], data: np.ndarray) -> pa.Table:
    """A small table (camera triggers) with degrees and kg/h at the edge, float64."""
    arrays, names = [], []
    for i, name in enumerate(columns):
        new, factor = file_name(name)
        names.append(new)
        arrays.append(arrow_numbers(np.asarray(data[:, i] * factor, dtype=np.float64)))
    return pa.Table.from_arrays(arrays, names=names)


def _json_default(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps(obj: object) -> str:
    return json.dumps(obj, indent=2, default=_json_default, allow_nan=False)


class RunStage:
    """The staging folder of a run folder (see the module doc); a context manager that
    removes it unless committed."""

    def __init__(self, out_dir: Path, kind: str) -> None:
        self.out_dir = Path(out_dir)
        self.kind = kind
        check_run_dir(self.out_dir, kind)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.", dir=self.out_dir.parent))
        self.path.chmod(0o755)
        self.committed = False
        try:
            (self.path / MARKER).write_text(marker_text(kind), encoding="utf-8")
        except BaseException:
            self.discard()
            raise

    def __enter__(self) -> RunStage:
        return self

    def __exit__(self, *exc) -> None:
        if not self.committed:
            self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(
        self, summary: dict, events: Sequence[dict], extra_files: dict[str, str | bytes]
    ) -> Path:
        """Write the remaining files and rename the stage into place (replacing an earlier
        run folder of the same kind, checked again now). Returns the folder."""
        try:
            with open(self.path / "events.jsonl", "w", encoding="utf-8") as f:
                for ev in events:
                    f.write(json.dumps(ev, default=_json_default) + "\n")
            for name, content in extra_files.items():
                if isinstance(content, bytes):
                    (self.path / name).write_bytes(content)
                else:
                    (self.path / name).write_text(content, encoding="utf-8")
            (self.path / "summary.json").write_text(dumps(summary) + "\n", encoding="utf-8")
            out = self.out_dir
            check_run_dir(out, self.kind)
            if out.exists():
                # an earlier run folder: moved aside under a unique name, the new one renamed
                # into place, then the old one removed
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
                out.rename(old / "run")
                self.path.rename(out)
                shutil.rmtree(old)
            else:
                self.path.rename(out)
        except BaseException:
            self.discard()
            raise
        self.committed = True
        return out
