"""Parameter metadata in ArduPilot's ``apm.pdef.xml`` form, the file QGroundControl and
Mission Planner read to show each parameter's description, units, range and values.

The layout is the one ArduPilot's ``Tools/autotest/param_metadata`` XML emitter writes::

    <paramfile>
      <vehicles>
        <parameters name="ArduPlane">
          <param humanName="..." name="ArduPlane:NAME" documentation="..." user="Standard">
            <field name="Range">LO HI</field>
            <field name="Units">m</field> <field name="UnitText">meters</field>
            <values><value code="0">Disabled</value>...</values>
          </param>
        </parameters>
      </vehicles>
      <libraries>
        <parameters name="SERVO1_"> <param name="SERVO1_MIN" ...> ... </parameters>
      </libraries>
    </paramfile>

Vehicle-level parameters carry the ``ArduPlane:`` prefix; the ones of an ArduPilot library
group (RCn_, SERVOn_, SRn_, FENCE_, BATT_, TECS_, ...) are listed under ``<libraries>`` in
a ``<parameters>`` element named by the group prefix, without prefix. Bitmasks are a
``Bitmask`` field (``bit:label,...``). The documentation of an accepted-but-ignored
parameter says so. ``ReadOnly`` marks read-only ones (SIM_SPEEDUP).

:func:`write_pdef` writes atomically and only over a file longwing wrote (its first lines
hold :data:`PDEF_MARKER`); anything else at the path is refused (OutputError).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from longwing.logs.outputs import OutputError
from longwing.mavlink.param_table import ParamInfo
from longwing.mavlink.params import ParamStore
from longwing.mission.planfile import atomic_write_text

PDEF_MARKER = "longwing parameter metadata (ArduPilot apm.pdef.xml form)"
VEHICLE = "ArduPlane"
UNIT_TEXT = {
    "m": "meters", "m/s": "meters per second", "m/s2": "meters per square second",
    "deg": "degrees", "deg/s": "degrees per second", "s": "seconds", "%": "percent",
    "%/s": "percent per second", "PWM": "PWM in microseconds", "Hz": "hertz",
    "kg": "kilograms", "mAh": "milliampere hour", "V": "volt", "rad/s": "radians per second",
    "1/s": "per second",
}  # fmt: skip
_LIBRARY = re.compile(
    r"^(RC\d+_|SERVO\d+_|SR\d_|FENCE_|BATT_|ARSPD_|LOG_|AFS_|ARMING_|RCMAP_|TECS_|NAVL1_|"
    r"RLL_RATE_|PTCH_RATE_|TERRAIN_|LAND_|SIM_)"
)


def library_of(name: str) -> str | None:
    """The ArduPilot library group prefix of ``name`` (``"SERVO3_"``), None for the
    vehicle's own parameters."""
    m = _LIBRARY.match(name)
    return m.group(1) if m else None


def _num(x: float | int) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _param_element(info: ParamInfo, name: str) -> ET.Element:
    doc = info.doc[:1].upper() + info.doc[1:]
    if info.ignored:
        doc += ". longwing: accepted and stored but not used (docs/parameters.md)"
    attrs = {"humanName": info.display or info.doc.split(":")[0][:60], "name": name,
             "documentation": doc, "user": info.user}  # fmt: skip
    el = ET.Element("param", attrs)

    def field(key: str, text: str) -> None:
        ET.SubElement(el, "field", {"name": key}).text = text

    if not info.values and not info.bitmask:
        field("Range", f"{_num(info.lo)} {_num(info.hi)}")
    if info.is_integer and not info.bitmask and not info.values:
        field("Increment", "1")
    if info.unit:
        field("Units", info.unit)
        if info.unit in UNIT_TEXT:
            field("UnitText", UNIT_TEXT[info.unit])
    if info.bitmask:
        field("Bitmask", ",".join(f"{bit}:{label}" for bit, label in info.bitmask))
    if info.read_only:
        field("ReadOnly", "True")
    if info.values:
        values = ET.SubElement(el, "values")
        for code, label in info.values:
            ET.SubElement(values, "value", {"code": str(code)}).text = label
    return el


def pdef_xml(store: ParamStore) -> str:
    """Every parameter of ``store`` as apm.pdef.xml text (see the module doc)."""
    root = ET.Element("paramfile")
    vehicles = ET.SubElement(root, "vehicles")
    plane = ET.SubElement(vehicles, "parameters", {"name": VEHICLE})
    libraries = ET.SubElement(root, "libraries")
    groups: dict[str, ET.Element] = {}
    for name in store.names():
        info = store.info(name)
        lib = library_of(name)
        if lib is None:
            plane.append(_param_element(info, f"{VEHICLE}:{name}"))
            continue
        if lib not in groups:
            groups[lib] = ET.SubElement(libraries, "parameters", {"name": lib})
        groups[lib].append(_param_element(info, name))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {PDEF_MARKER} -->\n{body}\n'


def check_pdef_path(path: Path, what: str = "--pdef-xml") -> Path:
    """A path :func:`write_pdef` may write: new, or a file longwing wrote before."""
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{what} {path} is a symbolic link; refusing to write through it")
    if path.exists():
        if not path.is_file():
            raise OutputError(f"{what} {path} exists and is not a file; refusing to replace it")
        try:
            with path.open("rb") as fh:
                head = fh.read(300).decode("utf-8", "replace")
        except OSError as exc:
            raise OutputError(f"{what} {path}: cannot read: {exc.strerror or exc}") from None
        if PDEF_MARKER not in head:
            raise OutputError(f"{what} {path} is a file longwing did not write; refusing to "
                              "overwrite it: choose a new name")  # fmt: skip
    elif not path.parent.is_dir():
        raise OutputError(f"{what} {path}: folder {path.parent} does not exist")
    return path


def write_pdef(store: ParamStore, path: Path) -> int:
    """Write the metadata to ``path`` (checked, atomically); the number of parameters."""
    check_pdef_path(path)
    try:
        atomic_write_text(path, pdef_xml(store))
    except OSError as exc:
        raise OutputError(f"--pdef-xml {path}: cannot write: {exc.strerror or exc}") from None
    return len(store)
