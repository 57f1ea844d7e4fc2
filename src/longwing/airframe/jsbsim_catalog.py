"""The JSBSim aircraft longwing can fly from the installed ``jsbsim`` package, for
``longwing airframes``: those whose propulsion is piston engines (docs/jsbsim.md).

A text scan of the package's ``aircraft/NAME/NAME.xml`` files and the engine files they name,
without importing ``jsbsim`` (or numpy): the list must come as fast as the bundled names.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ENGINE_REF = re.compile(r"<engine\s+file\s*=\s*\"([^\"]+)\"")


def jsbsim_root() -> Path | None:
    """The installed jsbsim package's data folder (aircraft/, engine/), or None."""
    spec = importlib.util.find_spec("jsbsim")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _piston(root: Path, folder: Path, name: str) -> bool:
    """The engine file JSBSim would read (the aircraft's Engines/, its folder, engine/) is a
    piston engine."""
    fname = name if name.endswith(".xml") else f"{name}.xml"
    for place in (folder / "Engines", folder, root / "engine"):
        path = place / fname
        if path.is_file():
            try:
                return "<piston_engine" in path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return False
    return False


def list_jsbsim_aircraft() -> list[str]:
    """``jsbsim:NAME`` of every aircraft of the installed package whose engines are all
    piston engines (sorted; empty without the package)."""
    root = jsbsim_root()
    if root is None or not (root / "aircraft").is_dir():
        return []
    names = []
    for folder in sorted((root / "aircraft").iterdir(), key=lambda p: p.name.lower()):
        xml = folder / f"{folder.name}.xml"
        try:
            text = xml.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        engines = ENGINE_REF.findall(text)
        if engines and all(_piston(root, folder, e) for e in engines):
            names.append(f"jsbsim:{folder.name}")
    return names
