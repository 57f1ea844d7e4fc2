"""A JSBSim aircraft file read into named records (SI), with its aerodynamics elements.

``load_aircraft(path_or_name)`` reads ``<metrics>``, ``<mass_balance>``,
``<ground_reactions>`` contacts, the ``file=`` references of ``<propulsion>`` and the
``<aerodynamics>`` section (inline or ``file=``) whose functions functions.py compiles.
Locations are in JSBSim's structural frame (X aft, Y right, Z up) in metres. The names of
properties the aircraft's own flight control and systems define are collected too (the
aerodynamics may read them: the caller provides their values).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from longwing.jsbsim import units
from longwing.jsbsim.errors import JSBSimModelError, error_at
from longwing.jsbsim.xml_tree import LineElement, data_line, number, parse_xml, resolve_file


class Location(NamedTuple):
    """A point in JSBSim's structural frame (X aft, Y right, Z up), metres."""

    x_m: float
    y_m: float
    z_m: float


class Metrics(NamedTuple):
    wing_area_m2: float
    wingspan_m: float
    chord_m: float
    htail_area_m2: float
    htail_arm_m: float
    vtail_area_m2: float
    vtail_arm_m: float
    wing_incidence_rad: float
    aero_rp: Location  # AERORP (JSBSim's default: the origin)
    eyepoint: Location | None
    vrp: Location | None


class PointMass(NamedTuple):
    name: str
    mass_kg: float
    location: Location


class MassBalance(NamedTuple):
    empty_mass_kg: float
    cg: Location  # of the empty aircraft
    ixx_kgm2: float
    iyy_kgm2: float
    izz_kgm2: float
    ixy_kgm2: float
    ixz_kgm2: float
    iyz_kgm2: float
    point_masses: tuple[PointMass, ...]


class Contact(NamedTuple):
    name: str
    kind: str  # BOGEY or STRUCTURE
    location: Location


class EngineRef(NamedTuple):
    engine_name: str
    engine_path: Path
    thruster_name: str
    thruster_path: Path | None
    thruster_location: Location | None


class AeroAxis(NamedTuple):
    name: str  # DRAG, SIDE, LIFT, X, Y, Z, AXIAL, NORMAL, ROLL, PITCH, YAW
    frame: str  # "" (the axis' own), BODY, STABILITY or WIND
    functions: tuple[LineElement, ...]
    element: LineElement


class Aerodynamics(NamedTuple):
    element: LineElement
    pre_functions: tuple[LineElement, ...]  # <function> outside the axes, file order
    axes: tuple[AeroAxis, ...]  # file order
    alpha_limits_rad: tuple[float, float] | None  # alphalimits (min, max)
    hysteresis_limits_rad: tuple[float, float] | None  # hysteresis_limits (min, max)


class AircraftModel(NamedTuple):
    name: str
    path: Path
    metrics: Metrics
    mass: MassBalance
    aero: Aerodynamics
    engines: tuple[EngineRef, ...]
    contacts: tuple[Contact, ...]
    fcs_properties: frozenset[str]  # properties the aircraft's FCS and systems define


def default_root() -> Path:
    """The root folder of the installed jsbsim package (aircraft/, engine/, systems/)."""
    import jsbsim  # the reference FDM's data; imported only when asked for

    return Path(jsbsim.get_default_root_dir())


def aircraft_path(name_or_path: str | Path, root: Path | None = None) -> Path:
    """An aircraft file: a path to an .xml file, or a name in ``root/aircraft/name/``."""
    p = Path(name_or_path)
    if p.suffix == ".xml" or p.is_file():
        return p
    base = default_root() if root is None else root
    return base / "aircraft" / str(name_or_path) / f"{name_or_path}.xml"


def _value(parent: LineElement, tag: str, quantity: str, default: float | None) -> float:
    """A child's value in SI, read with its unit attribute as JSBSim converts it."""
    el = parent.find(tag)
    if el is None:
        if default is None:
            raise error_at(parent, f"<{parent.tag}> has no <{tag}>")
        return default
    unit = el.get("unit", units.DEFAULT_UNIT[quantity])
    v = units.to_jsbsim(number(el), unit, quantity)
    if v is None:
        raise error_at(
            el, f"unit '{unit}' of <{tag}> is not one of {', '.join(units.known_units(quantity))}"
        )
    return units.jsbsim_to_si(v, quantity)


def _location(el: LineElement | None) -> Location | None:
    """A <location> (default unit IN) in metres; missing components are 0."""
    if el is None:
        return None
    unit = el.get("unit", "IN")
    out = []
    for axis in ("x", "y", "z"):
        child = el.find(axis)
        raw = 0.0 if child is None else number(child)
        v = units.to_jsbsim(raw, unit, "length_ft")
        if v is None:
            raise error_at(el, f"unit '{unit}' of <location> is not a length")
        # exact inches when the file gives inches (JSBSim keeps locations in inches)
        out.append(raw * units.IN_M if unit.upper() == "IN" else units.jsbsim_to_si(v, "length_ft"))
    return Location(*out)


def _named_location(metrics: LineElement, name: str) -> Location | None:
    for el in metrics.findall("location"):
        if el.get("name", "").upper() == name:
            return _location(el)
    return None


def _metrics(root: LineElement) -> Metrics:
    m = root.find("metrics")
    if m is None:
        raise error_at(root, "no <metrics> element")
    return Metrics(
        wing_area_m2=_value(m, "wingarea", "area_ft2", None),
        wingspan_m=_value(m, "wingspan", "length_ft", None),
        chord_m=_value(m, "chord", "length_ft", None),
        htail_area_m2=_value(m, "htailarea", "area_ft2", 0.0),
        htail_arm_m=_value(m, "htailarm", "length_ft", 0.0),
        vtail_area_m2=_value(m, "vtailarea", "area_ft2", 0.0),
        vtail_arm_m=_value(m, "vtailarm", "length_ft", 0.0),
        wing_incidence_rad=_value(m, "wing_incidence", "angle_rad", 0.0),
        aero_rp=_named_location(m, "AERORP") or Location(0.0, 0.0, 0.0),
        eyepoint=_named_location(m, "EYEPOINT"),
        vrp=_named_location(m, "VRP"),
    )


def _mass_balance(root: LineElement) -> MassBalance:
    mb = root.find("mass_balance")
    if mb is None:
        raise error_at(root, "no <mass_balance> element")
    cg = None
    for el in mb.findall("location"):
        if el.get("name", "CG").upper() == "CG":
            cg = _location(el)
    if cg is None:
        raise error_at(mb, "<mass_balance> has no CG <location>")
    points = []
    for pm in mb.findall("pointmass"):
        loc = _location(pm.find("location"))
        if loc is None:
            raise error_at(pm, "<pointmass> has no <location>")
        points.append(PointMass(pm.get("name", ""), _value(pm, "weight", "mass_lbs", None), loc))
    return MassBalance(
        empty_mass_kg=_value(mb, "emptywt", "mass_lbs", None),
        cg=cg,
        ixx_kgm2=_value(mb, "ixx", "inertia_slugft2", 0.0),
        iyy_kgm2=_value(mb, "iyy", "inertia_slugft2", 0.0),
        izz_kgm2=_value(mb, "izz", "inertia_slugft2", 0.0),
        ixy_kgm2=_value(mb, "ixy", "inertia_slugft2", 0.0),
        ixz_kgm2=_value(mb, "ixz", "inertia_slugft2", 0.0),
        iyz_kgm2=_value(mb, "iyz", "inertia_slugft2", 0.0),
        point_masses=tuple(points),
    )


def _contacts(root: LineElement) -> tuple[Contact, ...]:
    out = []
    for gr in root.findall("ground_reactions"):
        for c in gr.findall("contact"):
            loc = _location(c.find("location"))
            if loc is None:
                raise error_at(c, "<contact> has no <location>")
            out.append(Contact(c.get("name", ""), c.get("type", "BOGEY").upper(), loc))
    return tuple(out)


def _engines(root: LineElement, folder: Path, data_root: Path) -> tuple[EngineRef, ...]:
    prop = root.find("propulsion")
    if prop is None:
        return ()
    if prop.get("file"):
        raise error_at(prop, "<propulsion file=...> is not supported (only inline engines)")
    # FGPropulsion: the aircraft's Engines/ folder, then the aircraft folder, then engine/
    folders = [folder / "Engines", folder, data_root / "engine"]
    out = []
    for eng in prop.findall("engine"):
        name = eng.get("file", "")
        if not name:
            raise error_at(eng, "<engine> without file= is not supported")
        thr = eng.find("thruster")
        tname = "" if thr is None else thr.get("file", "")
        out.append(
            EngineRef(
                engine_name=name,
                engine_path=resolve_file(name, folders, eng),
                thruster_name=tname,
                thruster_path=resolve_file(tname, folders, thr)
                if thr is not None and tname
                else None,
                thruster_location=None if thr is None else _location(thr.find("location")),
            )
        )
    return tuple(out)


_FCS_SECTIONS = ("flight_control", "autopilot", "system")
_COMPONENT_OUTPUT_TAGS = ("output",)


def _fcs_name(name: str) -> str:
    """A component name as JSBSim binds it: ``fcs/`` prefixed when it has no slash."""
    name = name.strip()
    return name if "/" in name else "fcs/" + name.replace(" ", "-").lower()


def _fcs_properties(root: LineElement, folder: Path, data_root: Path) -> frozenset[str]:
    """Property names the aircraft's flight control, autopilot and systems define."""
    names: set[str] = set()
    sections: list[LineElement] = []
    for tag in _FCS_SECTIONS:
        for sec in root.findall(tag):
            if sec.get("file"):
                folders = [folder / "Systems", folder / "systems", folder, data_root / "systems"]
                sections.append(parse_xml(resolve_file(sec.get("file", ""), folders, sec)))
            sections.append(sec)
    for sec in sections:
        for el in sec.iter():
            if el.tag == "property":  # interface property declarations
                names.add(data_line(el))
            elif el.tag in _COMPONENT_OUTPUT_TAGS:
                names.add(data_line(el))
            elif el.get("name") and el.tag not in (
                "channel",
                "system",
                "flight_control",
                "autopilot",
            ):
                names.add(_fcs_name(el.get("name", "")))
    return frozenset(n for n in names if n)


def _aerodynamics(root: LineElement, folder: Path) -> Aerodynamics:
    el = root.find("aerodynamics")
    if el is None:
        raise error_at(root, "no <aerodynamics> element")
    if el.get("file"):
        doc = parse_xml(resolve_file(el.get("file", ""), [folder], el))
        if doc.tag != "aerodynamics":
            raise error_at(doc, f"expected <aerodynamics>, found <{doc.tag}>")
        el = doc
    pre = []
    axes = []
    for child in el:
        if child.tag == "function":
            if child.get("type", "pre") == "template":
                raise error_at(child, "template functions are not supported")
            if child.get("type", "pre") != "pre":
                raise error_at(child, f"function type '{child.get('type')}' is not supported")
            pre.append(child)
        elif child.tag == "axis":
            fns = tuple(f for f in child if f.tag == "function")
            axes.append(AeroAxis(child.get("name", ""), child.get("frame", ""), fns, child))
        elif child.tag in ("alphalimits", "hysteresis_limits", "description", "documentation"):
            continue
        else:
            raise error_at(child, f"element <{child.tag}> in <aerodynamics> is not supported")
    return Aerodynamics(
        element=el,
        pre_functions=tuple(pre),
        axes=tuple(axes),
        alpha_limits_rad=_limits(el.find("alphalimits")),
        hysteresis_limits_rad=_limits(el.find("hysteresis_limits")),
    )


def _limits(el: LineElement | None) -> tuple[float, float] | None:
    if el is None:
        return None
    unit = el.get("unit", "RAD")
    lo = _value_unit(el, "min", unit)
    hi = _value_unit(el, "max", unit)
    return (lo, hi)


def _value_unit(parent: LineElement, tag: str, unit: str) -> float:
    child = parent.find(tag)
    if child is None:
        raise error_at(parent, f"<{parent.tag}> has no <{tag}>")
    v = units.to_jsbsim(number(child), unit, "angle_rad")
    if v is None:
        raise error_at(parent, f"unit '{unit}' of <{parent.tag}> is not an angle")
    return v


def load_aircraft(name_or_path: str | Path, root: Path | None = None) -> AircraftModel:
    """Read an aircraft: a path to its .xml file or its name under ``root/aircraft``
    (``root`` defaults to the installed jsbsim package's data)."""
    path = aircraft_path(name_or_path, root)
    data_root = default_root() if root is None else root
    if not path.is_file():
        raise JSBSimModelError("aircraft file not found", str(path))
    doc = parse_xml(path)
    if doc.tag != "fdm_config":
        raise error_at(doc, f"expected <fdm_config>, found <{doc.tag}>")
    folder = path.parent
    return AircraftModel(
        name=doc.get("name", path.stem),
        path=path,
        metrics=_metrics(doc),
        mass=_mass_balance(doc),
        aero=_aerodynamics(doc, folder),
        engines=_engines(doc, folder, data_root),
        contacts=_contacts(doc),
        fcs_properties=_fcs_properties(doc, folder, data_root),
    )
