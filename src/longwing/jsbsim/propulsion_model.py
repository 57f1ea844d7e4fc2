"""A JSBSim aircraft's propulsion read into named records: piston engines, propellers, tanks.

``load_propulsion(name_or_path)`` reads the aircraft's ``<propulsion>`` section, each
``<engine file=...>`` (``<piston_engine>``) and its ``<thruster file=...>`` (``<propeller>``),
and the ``<tank>`` elements. The numeric records (``PistonEngine``, ``Propeller``) hold only
numbers and arrays (numba passes them to the njit models of piston.py and propeller.py);
``EngineModel``, ``Tank`` and ``PropulsionModel`` carry names and paths beside them.

Values are in SI unless the field name says otherwise: a few of FGPiston's constants keep
JSBSim's units (``*_in``, ``*_fps``, ``isfc_lb_hp_h``) so the engine model computes with
JSBSim's own formulas. Conversions use JSBSim's factors (FGXMLElement).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from longwing.jsbsim import units
from longwing.jsbsim.errors import JSBSimModelError, error_at
from longwing.jsbsim.tables import TableBuilder, TableSet
from longwing.jsbsim.xml_model import Location, aircraft_path, default_root
from longwing.jsbsim.xml_tree import LineElement, number, parse_xml, resolve_file

HP_W = 550.0 * units.LBF_N * units.FT_M  # JSBSim's hptoftlbssec = 550 ft lbf/s, in W
INHG_PA = 3386.38  # JSBSim's inhgtopa (FGPiston's manifold pressures)
_STANDARD_PRESSURE_PA = 101320.73  # FGPiston's standard_pressure

# (unit, JSBSim's unit) -> factor, as FGXMLElement's conversion table
_CONVERT = {
    ("INHG", "INHG"): 1.0,
    ("PA", "INHG"): 1.0 / 3386.0,
    ("PSI", "INHG"): 2.03625437,
    ("ATM", "INHG"): 29.9246899,
    ("PSF", "INHG"): 1.0 / 70.7180803,
    ("IN3", "IN3"): 1.0,
    ("CC", "IN3"): 1.0 / 16.387064,
    ("LTR", "IN3"): 61.0237441,
    ("FT3", "IN3"): 1728.0,
    ("HP", "HP"): 1.0,
    ("WATTS", "HP"): 0.001341022,
    ("LBS/HP*HR", "LBS/HP*HR"): 1.0,
    ("KG/KW*HR", "LBS/HP*HR"): 1.0 / 0.6083,
    ("IN", "IN"): 1.0,
    ("FT", "IN"): 12.0,
    ("M", "IN"): 3.2808399 * 12.0,
    ("CM", "IN"): 0.032808399 * 12.0,
    ("FT", "FT"): 1.0,
    ("IN", "FT"): 1.0 / 12.0,
    ("M", "FT"): 3.2808399,
    ("CM", "FT"): 0.032808399,
    ("LBS", "LBS"): 1.0,
    ("KG", "LBS"): 1.0 / 0.45359237,
    ("SLUG*FT2", "SLUG*FT2"): 1.0,
    ("KG*M2", "SLUG*FT2"): 1.0 / 1.35594,
    ("GAL", "GAL"): 1.0,
    ("LTR", "GAL"): 61.0237441 / 1728.0 / 0.133681,
    ("IN3", "GAL"): 1.0 / 1728.0 / 0.133681,
    ("LBS/GAL", "LBS/GAL"): 1.0,
    ("KG/L", "LBS/GAL"): 8.3454045,
    ("PA", "PA"): 1.0,
    ("DEG", "RAD"): math.pi / 180.0,
    ("RAD", "RAD"): 1.0,
}
_GAL_M3 = 231.0 * units.IN_M**3  # US gallon
_LBS_PER_GAL_KG_M3 = units.LBM_KG / _GAL_M3

# FGPiston's built-in mixture efficiency (fuel/air ratio -> efficiency)
_MIXTURE_DEFAULT = (
    (0.05000, 0.05137, 0.05179, 0.05430, 0.05842, 0.06312, 0.06942, 0.07786),
    (0.00000, 0.00862, 0.21552, 0.48276, 0.70690, 0.83621, 0.93103, 1.00000),
    (0.08845, 0.09270, 0.10120, 0.11455, 0.12158, 0.12435, 0.12500),
    (1.00000, 0.98276, 0.93103, 0.72414, 0.45690, 0.23276, 0.00000),
)


class PistonEngine(NamedTuple):
    """FGPiston's constants for one engine (njit: piston.py)."""

    max_power_w: float  # maxhp
    idle_rpm: float
    max_rpm: float
    displacement_m3: float
    stroke_in: float
    cycles: float
    volumetric_efficiency: float
    compression_ratio: float
    ram_air_factor: float
    static_friction_w: float
    isfc_lb_hp_h: float  # the file's bsfc, or FGPiston's estimate from maxhp
    fmep_dynamic_pa: float  # per m/s of mean piston speed
    fmep_static_pa: float
    peak_piston_speed_fps: float
    z_airbox: float  # intake impedance (FGPiston's, derived when not given)
    z_throttle: float  # throttle impedance constant
    min_map_pa: float
    max_map_pa: float
    man_press_lag_s: float  # read, not modelled (steady manifold pressure)
    mixture_table: int  # fuel/air ratio -> mixture efficiency, in tables
    tables: TableSet


class Propeller(NamedTuple):
    """FGPropeller's constants for one propeller (njit: propeller.py)."""

    diameter_m: float
    ixx_kgm2: float
    gear_ratio: float  # engine rpm / propeller rpm
    num_blades: float
    min_pitch_deg: float
    max_pitch_deg: float  # == min_pitch_deg: fixed pitch
    min_rpm: float
    max_rpm: float
    constant_speed: int  # 1: the governor sets the pitch (maxrpm given, or constspeed)
    ct_factor: float
    cp_factor: float
    sense: float  # +1 clockwise seen from behind, -1 counter-clockwise
    sense_multiplier: float  # -1 for propeller files of version > 1.0 (gyroscopic sign)
    p_factor: float
    ct_table: int  # C_THRUST over J (and the blade angle, degrees, for variable pitch)
    cp_table: int  # C_POWER
    ct_mach_table: int  # CT_MACH over the helical tip Mach, -1 when absent
    cp_mach_table: int  # CP_MACH, -1 when absent
    tables: TableSet


class EngineModel(NamedTuple):
    name: str
    engine_path: Path
    thruster_path: Path
    piston: PistonEngine
    propeller: Propeller
    feed: tuple[int, ...]  # the tanks feeding it (indices into PropulsionModel.tanks)
    location: Location  # the thruster's, structural frame
    orient_rad: tuple[float, float, float]  # roll, pitch, yaw of the thruster


class Tank(NamedTuple):
    name: str
    kind: str  # FUEL or OXIDIZER
    location: Location
    capacity_kg: float
    contents_kg: float  # initial
    unusable_kg: float
    priority: int  # 0: not fed from
    density_kg_m3: float
    radius_m: float


class PropulsionModel(NamedTuple):
    engines: tuple[EngineModel, ...]
    tanks: tuple[Tank, ...]

    @property
    def fuel_kg(self) -> float:
        """The fuel on board (the sum of the FUEL tanks' contents)."""
        return sum(t.contents_kg for t in self.tanks if t.kind == "FUEL")


class TankArrays(NamedTuple):
    """The tanks as arrays for piston.drain_tanks (contents change in place)."""

    contents_kg: np.ndarray
    unusable_kg: np.ndarray
    priority: np.ndarray  # int64
    is_fuel: np.ndarray  # bool
    feed: np.ndarray  # bool, engines x tanks


def tank_arrays(model: PropulsionModel) -> TankArrays:
    """Fresh arrays of the tanks' initial state and the engines' feeds."""
    n = len(model.tanks)
    feed = np.zeros((len(model.engines), n), dtype=np.bool_)
    for e, eng in enumerate(model.engines):
        for k in eng.feed:
            feed[e, k] = True
    return TankArrays(
        contents_kg=np.array([t.contents_kg for t in model.tanks], dtype=np.float64),
        unusable_kg=np.array([t.unusable_kg for t in model.tanks], dtype=np.float64),
        priority=np.array([t.priority for t in model.tanks], dtype=np.int64),
        is_fuel=np.array([t.kind == "FUEL" for t in model.tanks], dtype=np.bool_),
        feed=feed,
    )


def _convert(el: LineElement, target: str, default_unit: str | None = None) -> float:
    """The element's number converted to JSBSim's unit ``target`` (FindElementValueAsNumber-
    ConvertTo: without a unit= attribute the number is taken as it is)."""
    if not target:  # a plain number (FindElementValueAsNumber)
        return number(el)
    unit = el.get("unit", default_unit or target).upper()
    factor = _CONVERT.get((unit, target))
    if factor is None:
        known = ", ".join(u for u, t in _CONVERT if t == target)
        raise error_at(el, f"unit '{unit}' of <{el.tag}> cannot be converted to {target} ({known})")
    return number(el) * factor


def _get(parent: LineElement, tag: str, target: str, default: float) -> float:
    el = parent.find(tag)
    return default if el is None else _convert(el, target)


def _triplet(el: LineElement | None, names: tuple[str, str, str], target: str) -> tuple:
    """FindElementTripletConvertTo: three children in the parent's unit (missing: 0)."""
    if el is None:
        return (0.0, 0.0, 0.0)
    unit = el.get("unit", target).upper()
    factor = _CONVERT.get((unit, target))
    if factor is None:
        raise error_at(el, f"unit '{unit}' of <{el.tag}> cannot be converted to {target}")
    return tuple(0.0 if el.find(name) is None else number(el.find(name)) * factor for name in names)


def _location_in(el: LineElement | None) -> Location:
    x, y, z = _triplet(el, ("x", "y", "z"), "IN")
    return Location(x * units.IN_M, y * units.IN_M, z * units.IN_M)


def read_piston(el: LineElement) -> PistonEngine:
    """A <piston_engine> element (FGPiston's reading and derived constants)."""
    if el.tag != "piston_engine":
        raise error_at(el, f"<{el.tag}> engines are not supported (only <piston_engine>)")
    if el.find("numboostspeeds") is not None and _get(el, "numboostspeeds", "", 0.0) > 0:
        raise error_at(el, "turbo/supercharged piston engines (numboostspeeds) are not supported")
    min_mp = _get(el, "minmp", "INHG", 6.5)
    max_mp = _get(el, "maxmp", "INHG", 28.5)
    displacement = _get(el, "displacement", "IN3", 360.0)
    max_hp = _get(el, "maxhp", "HP", 200.0)
    friction_hp = _get(el, "static-friction", "HP", 1.5)
    cycles = _get(el, "cycles", "", 4.0)
    idle_rpm = _get(el, "idlerpm", "", 600.0)
    max_rpm = _get(el, "maxrpm", "", 2800.0)
    isfc = _get(el, "bsfc", "LBS/HP*HR", -1.0)
    ve = _get(el, "volumetric-efficiency", "", 0.85)
    cr = _get(el, "compression-ratio", "", 8.5)
    stroke = _get(el, "stroke", "IN", 4.375)
    z_airbox = _get(el, "air-intake-impedance-factor", "", -999.0)
    ram = _get(el, "ram-air-factor", "", 1.0)
    fmep_dyn = _get(el, "dynamic-fmep", "PA", 18400.0)
    fmep_static = _get(el, "static-fmep", "PA", 46500.0)
    peak_mps = _get(el, "peak-piston-speed", "", 100.0)
    lag = _get(el, "man-press-lag", "", 1.0)
    builder = TableBuilder()
    mixture = -1
    for t in el.findall("table"):
        name = t.get("name", "")
        if name == "MIXTURE":
            mixture, dims = builder.add(t)
            if dims != 1:
                raise error_at(t, "the MIXTURE table must be 1-D (fuel/air ratio)")
        elif name != "COMBUSTION":  # COMBUSTION feeds the exhaust temperature only
            raise error_at(t, f"unknown piston engine table '{name}'")
    if mixture < 0:
        k0, v0, k1, v1 = _MIXTURE_DEFAULT
        mixture = builder.add_1d(list(k0 + k1), list(v0 + v1))
    displacement_m3 = displacement * units.IN_M**3
    rated_mps = max_rpm * stroke / 360.0
    if isfc < 0:  # FGPiston's estimate of the specific fuel consumption
        pmep = (29.92 - max_mp) * INHG_PA * ve
        fmep = fmep_dyn * rated_mps * units.FT_M + fmep_static
        hp_loss = (pmep + fmep) * displacement_m3 * max_rpm / (cycles * 22371)
        isfc = (1.1 * displacement * max_rpm * ve * (max_mp / 29.92)) / (
            9411 * (max_hp + hp_loss - friction_hp)
        )
    max_mp = min(max_mp, 29.9)
    min_map = min_mp * INHG_PA
    max_map = max_mp * INHG_PA
    if z_airbox < 0.0:
        ze = peak_mps / rated_mps
        z_airbox = _STANDARD_PRESSURE_PA * ze / max_map - ze
    z_throttle = (peak_mps / (idle_rpm * stroke / 360.0)) * (
        _STANDARD_PRESSURE_PA / min_map - 1
    ) - z_airbox
    return PistonEngine(
        max_power_w=max_hp * HP_W,
        idle_rpm=idle_rpm,
        max_rpm=max_rpm,
        displacement_m3=displacement_m3,
        stroke_in=stroke,
        cycles=cycles,
        volumetric_efficiency=ve,
        compression_ratio=cr,
        ram_air_factor=ram,
        static_friction_w=friction_hp * HP_W,
        isfc_lb_hp_h=isfc,
        fmep_dynamic_pa=fmep_dyn,
        fmep_static_pa=fmep_static,
        peak_piston_speed_fps=peak_mps,
        z_airbox=z_airbox,
        z_throttle=z_throttle,
        min_map_pa=min_map,
        max_map_pa=max_map,
        man_press_lag_s=lag,
        mixture_table=mixture,
        tables=builder.build(),
    )


def read_propeller(el: LineElement, thruster: LineElement | None = None) -> Propeller:
    """A <propeller> element; ``sense`` and ``p_factor`` come from the aircraft's
    <thruster> element (as FGPropeller reads them)."""
    if el.tag != "propeller":
        raise error_at(el, f"<{el.tag}> thrusters are not supported (only <propeller>)")
    for tag in ("reversepitch",):
        if el.find(tag) is not None:
            raise error_at(el.find(tag), f"<{tag}> is not supported")
    version = float(el.get("version", "0") or 0)
    builder = TableBuilder()
    found: dict[str, tuple[int, int]] = {}
    for t in el.findall("table"):
        name = t.get("name", "")
        if name not in ("C_THRUST", "C_POWER", "CT_MACH", "CP_MACH"):
            raise error_at(t, f"unknown propeller table '{name}'")
        t.attrib.pop("type", None)  # type="internal" (FGTable's default)
        found[name] = builder.add(t)
    for name in ("C_THRUST", "C_POWER"):
        if name not in found:
            raise error_at(el, f"the propeller has no {name} table")
    min_pitch = _get(el, "minpitch", "", 0.0)
    max_pitch = _get(el, "maxpitch", "", 0.0)
    want = 1 if min_pitch == max_pitch else 2
    for name in ("C_THRUST", "C_POWER"):
        if found[name][1] != want:
            kind = "fixed" if want == 1 else "variable"
            raise error_at(el, f"{name} must be {want}-D for a {kind}-pitch propeller")
    for name in ("CT_MACH", "CP_MACH"):
        if name in found and found[name][1] != 1:
            raise error_at(el, f"{name} must be 1-D (helical tip Mach)")
    constant_speed = 1 if el.find("maxrpm") is not None else 0
    if el.find("constspeed") is not None:
        constant_speed = int(_get(el, "constspeed", "", 0.0))
    sense = 1.0
    p_factor = 0.0
    if thruster is not None:
        if thruster.find("sense") is not None:
            sense = 1.0 if number(thruster.find("sense")) >= 0.0 else -1.0
        if thruster.find("p_factor") is not None:
            p_factor = number(thruster.find("p_factor"))
            if p_factor < 0:
                raise error_at(thruster.find("p_factor"), "p_factor must not be negative")
    return Propeller(
        diameter_m=max(_get(el, "diameter", "FT", 0.001), 0.001) * units.FT_M,
        ixx_kgm2=max(_get(el, "ixx", "SLUG*FT2", 1e-6), 1e-6) * units.SLUGFT2_KGM2,
        gear_ratio=max(_get(el, "gearratio", "", 1.0), 0.001),
        num_blades=float(int(_get(el, "numblades", "", 0.0))),
        min_pitch_deg=min_pitch,
        max_pitch_deg=max_pitch,
        min_rpm=_get(el, "minrpm", "", 0.0),
        max_rpm=_get(el, "maxrpm", "", 0.0),
        constant_speed=constant_speed,
        ct_factor=_get(el, "ct_factor", "", 1.0),
        cp_factor=_get(el, "cp_factor", "", 1.0),
        sense=sense,
        sense_multiplier=-1.0 if version > 1.0 else 1.0,
        p_factor=p_factor,
        ct_table=found["C_THRUST"][0],
        cp_table=found["C_POWER"][0],
        ct_mach_table=found["CT_MACH"][0] if "CT_MACH" in found else -1,
        cp_mach_table=found["CP_MACH"][0] if "CP_MACH" in found else -1,
        tables=builder.build(),
    )


def read_tank(el: LineElement) -> Tank:
    """A <tank> element (FGTank's defaults: density 6.6 lbs/gal, priority 1)."""
    kind = el.get("type", "").upper()
    if kind not in ("FUEL", "OXIDIZER"):
        raise error_at(el, f"tank type '{el.get('type', '')}' is not FUEL or OXIDIZER")
    if el.find("grain_config") is not None:
        raise error_at(el.find("grain_config"), "solid propellant tanks are not supported")
    if el.find("location") is None:
        raise error_at(el, "<tank> has no <location>")
    capacity = _get(el, "capacity", "LBS", 0.00001) or 0.00001
    contents = _get(el, "contents", "LBS", 0.0)
    density = _get(el, "density", "LBS/GAL", 6.6)
    if el.find("type") is not None:
        raise error_at(el.find("type"), "named fuel types are not supported (give <density>)")
    unusable = _get(el, "unusable-volume", "GAL", 0.0) * density
    if contents > capacity:
        raise error_at(el, f"tank contents ({contents} lbs) exceed its capacity ({capacity} lbs)")
    if capacity <= unusable:
        raise error_at(el, f"tank capacity ({capacity} lbs) is not above the unusable fuel")
    return Tank(
        name=el.get("name", ""),
        kind=kind,
        location=_location_in(el.find("location")),
        capacity_kg=capacity * units.LBM_KG,
        contents_kg=contents * units.LBM_KG,
        unusable_kg=unusable * units.LBM_KG,
        priority=int(_get(el, "priority", "", 1.0)),
        density_kg_m3=density * _LBS_PER_GAL_KG_M3,
        radius_m=_get(el, "radius", "IN", 0.0) * units.IN_M,
    )


def load_propulsion(name_or_path: str | Path, root: Path | None = None) -> PropulsionModel:
    """The propulsion of an aircraft (a path to its .xml file or its name under
    ``root/aircraft``, as ``load_aircraft``)."""
    path = aircraft_path(name_or_path, root)
    data_root = default_root() if root is None else root
    if not path.is_file():
        raise JSBSimModelError("aircraft file not found", str(path))
    doc = parse_xml(path)
    prop = doc.find("propulsion")
    if prop is None:
        return PropulsionModel((), ())
    if prop.get("file"):
        raise error_at(prop, "<propulsion file=...> is not supported (only inline engines)")
    folders = [path.parent / "Engines", path.parent, data_root / "engine"]
    tanks = tuple(read_tank(t) for t in prop.findall("tank"))
    engines = []
    for eng in prop.findall("engine"):
        thr = eng.find("thruster")
        if not eng.get("file") or thr is None or not thr.get("file"):
            raise error_at(eng, "an <engine> needs file= and a <thruster file=...>")
        engine_path = resolve_file(eng.get("file", ""), folders, eng)
        thruster_path = resolve_file(thr.get("file", ""), folders, thr)
        feed = tuple(int(number(f)) for f in eng.findall("feed"))
        for f, k in zip(eng.findall("feed"), feed, strict=True):
            if not 0 <= k < len(tanks):
                raise error_at(f, f"feed tank {k} does not exist ({len(tanks)} tanks)")
        if thr.find("pointing") is not None:
            raise error_at(thr.find("pointing"), "<pointing> is not supported (use <orient>)")
        engines.append(
            EngineModel(
                name=eng.get("file", ""),
                engine_path=engine_path,
                thruster_path=thruster_path,
                piston=read_piston(parse_xml(engine_path)),
                propeller=read_propeller(parse_xml(thruster_path), thr),
                feed=feed,
                location=_location_in(thr.find("location")),
                orient_rad=_triplet(thr.find("orient"), ("roll", "pitch", "yaw"), "RAD"),
            )
        )
    return PropulsionModel(tuple(engines), tanks)
