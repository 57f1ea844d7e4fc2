"""Where longwing may write: never over anything it did not make.

Every folder longwing writes (a `fly`/`sim` run folder, a `sitl` session folder) carries a
marker file, :data:`MARKER`, naming the command that made it. Before any work starts, a
command checks its output path with :func:`check_run_dir` (or :func:`check_plan_file` for a
single ``.plan``):

* an existing file where a folder is wanted is refused;
* an existing non-empty folder without the marker (the user's own files) is refused;
* a folder longwing made may be replaced (run folders, atomically) or reused (sitl);
* the path must be writable: a probe is created and removed in the nearest existing
  ancestor, so a read-only place is found before a long flight, not after it.

Refusals raise :class:`OutputError` (a ``ValueError``: one line for the user, exit code 2).
No function here writes anything at the output path itself except :func:`mark_dir`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MARKER = ".longwing-run"
PLAN_GROUND_STATION = "longwing"  # the .plan files longwing writes say this


class OutputError(ValueError):
    """An output path longwing must not (or cannot) write: one line for the user."""


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def _probe_writable(path: Path, what: str) -> None:
    """Create and remove a probe next to ``path`` (in its nearest existing ancestor)."""
    base = _nearest_existing(path.parent if path.exists() else path)
    if not base.is_dir():
        raise OutputError(f"{what} {path}: {base} is not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=".longwing-probe.", dir=base)
        os.rmdir(probe)
    except OSError as exc:
        raise OutputError(f"{what} {path}: cannot write in {base}: {exc.strerror or exc}") from None


def read_marker(folder: Path) -> dict | None:
    """The marker of a longwing folder (``{"made_by": "longwing", "kind": ...}``), or None."""
    m = Path(folder) / MARKER
    if not m.is_file():
        return None
    try:
        data = json.loads(m.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("made_by") != "longwing":
        return None
    return data


LEGACY_RUN_FILES = frozenset(("summary.json", "log.parquet", "events.jsonl", "report.html"))


def _legacy_run(folder: Path) -> str | None:
    """A run folder written before markers existed (exactly its four files, and a summary
    that says how the run ended): its kind, else None."""
    try:
        names = {p.name for p in folder.iterdir()}
        if names != LEGACY_RUN_FILES:
            return None
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(summary, dict):
        return None
    if "end_state" in summary and "mission_file" in summary:
        return "fly"
    if "end_reason" in summary and "trim" in summary:
        return "sim"
    return None


def marker_text(kind: str) -> str:
    from longwing.provenance import version

    return json.dumps({"made_by": "longwing", "kind": kind, "version": version()}) + "\n"


def check_run_dir(path: Path, kind: str, what: str = "--out") -> Path:
    """Check, before any work, that ``path`` may become (or be reused as) a longwing folder
    of ``kind``. Returns the path; raises OutputError naming it otherwise."""
    path = Path(path)
    name = path.absolute().name
    if str(path) in ("", ".", "..") or name in ("", ".", ".."):
        raise OutputError(f"{what} {path}: give a folder of its own for the results, "
                          "not the current or a parent folder")  # fmt: skip
    if path.is_symlink():
        raise OutputError(f"{what} {path} is a symbolic link; refusing to write through it")
    if path.exists():
        if not path.is_dir():
            raise OutputError(f"{what} {path} is an existing file; refusing to replace it")
        marker = read_marker(path)
        legacy = _legacy_run(path) if marker is None else None
        if legacy is not None:
            marker = {"made_by": "longwing", "kind": legacy}
        if marker is None and any(path.iterdir()):
            raise OutputError(
                f"{what} {path} is a folder longwing did not make (no {MARKER}); refusing to "
                "write into it: choose a new or empty folder"
            )
        if marker is not None and marker.get("kind") != kind:
            raise OutputError(
                f"{what} {path} holds a longwing {marker.get('kind')!s} folder, not a {kind} "
                "folder; choose another"
            )
    _probe_writable(path, what)
    return path


def mark_dir(folder: Path, kind: str) -> None:
    """Create ``folder`` (and parents) if needed and put the marker in it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if read_marker(folder) is None:
        (folder / MARKER).write_text(marker_text(kind), encoding="utf-8")


def check_plan_file(path: Path, what: str = "--out") -> Path:
    """A ``.plan`` to write: new, or a .plan longwing wrote (its groundStation says so).
    Anything else at the path is the user's and is refused."""
    path = Path(path)
    if path.suffix.lower() != ".plan":
        raise OutputError(f"{what} {path}: the mission is written as a .plan file")
    if path.is_symlink():
        raise OutputError(f"{what} {path} is a symbolic link; refusing to write through it")
    if path.exists():
        if path.is_dir():
            raise OutputError(f"{what} {path} is a folder")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not (isinstance(data, dict) and data.get("groundStation") == PLAN_GROUND_STATION):
            raise OutputError(f"{what} {path} exists and was not written by longwing; "
                              "refusing to replace it")  # fmt: skip
    _probe_writable(path, what)
    return path
