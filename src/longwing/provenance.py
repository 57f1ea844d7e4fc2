"""What made a result: the longwing version and, when run from a git checkout, its commit."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path


@cache
def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("longwing")
    except PackageNotFoundError:
        return "0+unknown"


@cache
def git_commit() -> str | None:
    """The commit of the source tree (with ``-dirty`` if it has changes), or None when
    longwing is not run from a git checkout."""
    src = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True,
            timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no", "--", "."],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head or None
