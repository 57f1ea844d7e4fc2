"""Load and validate airframe files (TOML) into :class:`~longwing.airframe.params.Airframe`.

An airframe file uses human-friendly units, written into the key names (``dry_mass_kg``,
``elevator_max_deg``, ``bsfc_kg_per_kwh``...). Every allowed field is declared once in
:data:`FIELDS` with its unit, allowed range and where it goes in the SI records; validation,
conversion and :func:`airframe_to_dict` are all driven by that table.

Validation reports the first problem only, in a fixed order: file access, TOML syntax,
unknown sections and keys (file order), then every field in table order (missing, wrong
type, out of range), then the cross-field checks. Each problem raises :class:`AirframeError`
whose message is a single line naming the file and the field.

This module is pure: it never prints or exits.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from longwing.airframe.params import (
    ActuatorParams,
    AeroParams,
    Airframe,
    Envelope,
    Launch,
    MassParams,
    PropulsionParams,
)
from longwing.physics.ground import GroundParams

__all__ = [
    "FIELDS",
    "AirframeError",
    "Field",
    "airframe_to_dict",
    "list_bundled_airframes",
    "load_airframe",
]

J_PER_KWH = 3.6e6
INERTIA_REL_TOL = 1e-9
LAPSE_TOL = 1e-9
ASPECT_RATIO_MIN = 1.0
ASPECT_RATIO_MAX = 50.0
LAUNCH_METHODS = ("catapult", "runway")


class AirframeError(ValueError):
    """An airframe file or name that cannot be loaded; the message is one line."""


@dataclass(frozen=True)
class Field:
    """One allowed key of an airframe file.

    ``unit`` is the unit as written in the file ("" for dimensionless); ``lo``/``hi`` the
    allowed range in file units (``lo_open``/``hi_open`` exclude the bound); ``target`` is
    ``"record.attribute"`` of the SI value (``None`` for fields handled specially).
    """

    section: str
    key: str
    doc: str
    unit: str = ""
    lo: float = -math.inf
    hi: float = math.inf
    target: str | None = None
    lo_open: bool = False
    hi_open: bool = False
    required: bool = True
    is_text: bool = False

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    def range_text(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{_fmt_bound(self.lo)}, {_fmt_bound(self.hi)}{right}"

    def contains(self, value: float) -> bool:
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below  # False for NaN


def _text(key: str, doc: str, attr: str | None, *, required: bool) -> Field:
    """A text field of the [airframe] section."""
    return Field(
        "airframe",
        key,
        doc,
        target=f"airframe.{attr}" if attr else None,
        required=required,
        is_text=True,
    )


def _section(
    section: str, record: str, *rows: tuple[str, str, str, str, str | None]
) -> tuple[Field, ...]:
    """Numeric fields of one section; each row is (key, doc, unit, range, record attribute).

    The range is written as in the messages: "[0.1, 10000]" or "(0, 60]" (parenthesis =
    bound excluded). The attribute is None for fields converted specially.
    """
    fields = []
    for key, doc, unit, range_text, attr in rows:
        lo_text, hi_text = range_text[1:-1].split(",")
        fields.append(
            Field(
                section,
                key,
                doc,
                unit,
                lo=float(lo_text),
                hi=float(hi_text),
                target=f"{record}.{attr}" if attr else None,
                lo_open=range_text[0] == "(",
                hi_open=range_text[-1] == ")",
            )
        )
    return tuple(fields)


_R = "1/rad"  # aerodynamic derivatives are per radian (of angle, deflection or rate)

# Every allowed field, in validation order. Ranges are generous (0.1 kg to multi-tonne UAVs)
# but reject nonsense; signs are forced only where physics requires them: positive drag,
# side force opposing sideslip, negative damping (Clp, Cmq, Cnr) and static pitch stability.
FIELDS: tuple[Field, ...] = (
    _text("name", "airframe name", "name", required=True),
    _text("description", "free-text description", None, required=False),
    *_section(
        "mass",
        "mass",
        ("dry_mass_kg", "dry mass", "kg", "[0.1, 10000]", "dry_mass_kg"),
        ("Jx_kgm2", "roll inertia", "kg m^2", "(0, 100000]", "Jx"),
        ("Jy_kgm2", "pitch inertia", "kg m^2", "(0, 100000]", "Jy"),
        ("Jz_kgm2", "yaw inertia", "kg m^2", "(0, 100000]", "Jz"),
        ("Jxz_kgm2", "xz product of inertia", "kg m^2", "[-100000, 100000]", "Jxz"),
    ),
    *_section(
        "geometry",
        "aero",
        ("wing_area_m2", "wing area", "m^2", "(0, 500]", "S_m2"),
        ("span_m", "wing span", "m", "(0, 100]", "b_m"),
        ("chord_m", "mean aerodynamic chord", "m", "(0, 20]", "c_m"),
        ("oswald_e", "Oswald efficiency", "", "(0.3, 1]", "e_oswald"),
    ),
    *_section(
        "aero",
        "aero",
        ("CL0", "lift coefficient at zero alpha", "", "[-1, 2]", "CL0"),
        ("CLalpha", "lift-curve slope", _R, "[0.5, 10]", "CLalpha"),
        ("CLq", "lift due to pitch rate", _R, "[-100, 100]", "CLq"),
        ("CLde", "lift due to elevator", _R, "[-10, 10]", "CLde"),
        ("CDp", "parasitic drag coefficient", "", "(0, 1]", "CDp"),
        ("CDq", "drag due to pitch rate", _R, "[-100, 100]", "CDq"),
        ("CDde", "drag due to elevator", _R, "[-10, 10]", "CDde"),
        ("CY0", "side force at zero sideslip", "", "[-1, 1]", "CY0"),
        ("CYbeta", "side force due to sideslip", _R, "[-100, 0]", "CYbeta"),
        ("CYp", "side force due to roll rate", _R, "[-100, 100]", "CYp"),
        ("CYr", "side force due to yaw rate", _R, "[-100, 100]", "CYr"),
        ("CYda", "side force due to aileron", _R, "[-10, 10]", "CYda"),
        ("CYdr", "side force due to rudder", _R, "[-10, 10]", "CYdr"),
        ("Cl0", "rolling moment at zero sideslip", "", "[-1, 1]", "Cl0"),
        ("Clbeta", "roll due to sideslip", _R, "[-100, 100]", "Clbeta"),
        ("Clp", "roll damping", _R, "[-100, 0)", "Clp"),
        ("Clr", "roll due to yaw rate", _R, "[-100, 100]", "Clr"),
        ("Clda", "roll due to aileron", _R, "[-10, 10]", "Clda"),
        ("Cldr", "roll due to rudder", _R, "[-10, 10]", "Cldr"),
        ("Cm0", "pitching moment at zero alpha", "", "[-1, 1]", "Cm0"),
        ("Cmalpha", "pitch stiffness", _R, "[-100, 0)", "Cmalpha"),
        ("Cmq", "pitch damping", _R, "[-1000, 0)", "Cmq"),
        ("Cmde", "pitch due to elevator", _R, "[-10, 10]", "Cmde"),
        ("Cn0", "yawing moment at zero sideslip", "", "[-1, 1]", "Cn0"),
        ("Cnbeta", "yaw due to sideslip", _R, "[-100, 100]", "Cnbeta"),
        ("Cnp", "yaw due to roll rate", _R, "[-100, 100]", "Cnp"),
        ("Cnr", "yaw damping", _R, "[-100, 0)", "Cnr"),
        ("Cnda", "yaw due to aileron", _R, "[-10, 10]", "Cnda"),
        ("Cndr", "yaw due to rudder", _R, "[-10, 10]", "Cndr"),
        ("stall_blend_M", "stall blending sharpness", _R, "[1, 1000]", "stall_M"),
        ("alpha0_rad", "stall angle", "rad", "[0.05, 1]", "alpha0_rad"),
    ),
    *_section(
        "propulsion",
        "prop",
        ("power_sl_w", "sea-level shaft power", "W", "(0, 1000000]", "power_sl_w"),
        ("lapse_a", "power lapse factor a", "", "[0.5, 2]", "lapse_a"),
        ("lapse_b", "power lapse offset b", "", "[-1, 1]", "lapse_b"),
        ("rho0_kgpm3", "reference air density", "kg/m^3", "[1, 1.5]", "rho0_kgpm3"),
        ("prop_efficiency", "propeller efficiency", "", "(0.1, 0.95]", "prop_eta"),
        ("thrust_min_speed_mps", "thrust speed floor", "m/s", "(0, 100]", "thrust_min_speed_mps"),
        ("bsfc_kg_per_kwh", "specific fuel consumption", "kg/kWh", "[0.1, 2]", "bsfc_kg_per_j"),
        ("idle_power_fraction", "idle power / sea-level power", "", "[0, 0.5]", None),
    ),
    *_section(
        "fuel",
        "mass",
        ("capacity_kg", "usable fuel capacity", "kg", "[0, 10000]", "fuel_capacity_kg"),
    ),
    *_section(
        "limits",
        "actuators",
        ("elevator_max_deg", "elevator deflection limit", "deg", "(0, 60]", "de_max_rad"),
        ("elevator_rate_dps", "elevator rate limit", "deg/s", "(0, 2000]", "de_rate_radps"),
        ("aileron_max_deg", "aileron deflection limit", "deg", "(0, 60]", "da_max_rad"),
        ("aileron_rate_dps", "aileron rate limit", "deg/s", "(0, 2000]", "da_rate_radps"),
        ("rudder_max_deg", "rudder deflection limit", "deg", "(0, 60]", "dr_max_rad"),
        ("rudder_rate_dps", "rudder rate limit", "deg/s", "(0, 2000]", "dr_rate_radps"),
        ("throttle_rate_per_s", "throttle rate limit", "1/s", "(0, 100]", "dt_rate_per_s"),
    ),
    *_section(
        "ground",
        "ground",
        ("front_x_m", "front contact, forward of the CG", "m", "[-50, 50]", "front_x_m"),
        ("front_z_m", "front contact, below the CG", "m", "[-10, 10]", "front_z_m"),
        ("main_x_m", "main contacts, forward of the CG", "m", "[-50, 50]", "main_x_m"),
        ("main_y_m", "main contacts, half spacing", "m", "[0, 50]", "main_y_m"),
        ("main_z_m", "main contacts, below the CG", "m", "[-10, 10]", "main_z_m"),
        ("tip_x_m", "wingtip contacts, forward of the CG", "m", "[-50, 50]", "tip_x_m"),
        ("tip_y_m", "wingtip contacts, half span", "m", "[0, 100]", "tip_y_m"),
        ("tip_z_m", "wingtip contacts, below the CG", "m", "[-10, 10]", "tip_z_m"),
        (
            "stiffness_n_per_m",
            "contact stiffness per point",
            "N/m",
            "(0, 100000000]",
            "stiffness_npm",
        ),
        ("damping_ns_per_m", "contact damping per point", "N s/m", "[0, 10000000]", "damping_nspm"),
        ("friction_long", "friction along the heading (rolling or skid)", "", "[0, 2]", "mu_long"),
        ("friction_side", "friction across the heading", "", "[0, 2]", "mu_side"),
        ("friction_brake", "friction along the heading, full brakes", "", "[0, 2]", "mu_brake"),
    ),
    Field(
        "launch",
        "method",
        "launch method: 'catapult' (also car roof, hand) or 'runway'",
        target="launch.method",
        is_text=True,
    ),
    *_section(
        "launch",
        "launch",
        (
            "launch_speed_mps",
            "airspeed at release (catapult)",
            "m/s",
            "[0, 300]",
            "launch_speed_mps",
        ),
        (
            "launch_height_m",
            "release height above ground (catapult)",
            "m",
            "[0, 100]",
            "launch_height_m",
        ),
        ("rotate_speed_mps", "rotation airspeed (runway)", "m/s", "(0, 300]", "rotate_speed_mps"),
        ("climb_pitch_deg", "initial climb pitch", "deg", "(0, 45]", "climb_pitch_rad"),
    ),
    *_section(
        "envelope",
        "envelope",
        ("airspeed_min_mps", "minimum airspeed", "m/s", "(0, 300]", "airspeed_min_mps"),
        ("airspeed_cruise_mps", "cruise airspeed", "m/s", "(0, 300]", "airspeed_cruise_mps"),
        ("airspeed_max_mps", "maximum airspeed", "m/s", "(0, 300]", "airspeed_max_mps"),
        ("bank_max_deg", "bank angle limit", "deg", "(0, 80]", "bank_max_rad"),
        ("bank_nav_deg", "navigation bank limit", "deg", "(0, 80]", "bank_nav_rad"),
        ("pitch_min_deg", "pitch-down limit", "deg", "[-90, 0)", "pitch_min_rad"),
        ("pitch_max_deg", "pitch-up limit", "deg", "(0, 90]", "pitch_max_rad"),
    ),
)


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------


def list_bundled_airframes() -> list[str]:
    """Names of the airframes shipped with longwing (``longwing/airframe/data/*.toml``)."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _data_dir().iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )


def load_airframe(name_or_path: str | Path) -> Airframe:
    """Load a bundled airframe by name (e.g. ``"aerosonde"``) or a ``.toml`` file by path.

    A ``Path``, or a string containing a path separator or ending in ``.toml``, is a path;
    any other string is a bundled name. Raises :class:`AirframeError` on the first problem.
    """
    label, raw, source = _resolve(name_or_path)
    document = _parse_toml(raw, label)
    values = _validate(document, label)
    return _build(values, source)


def airframe_to_dict(af: Airframe) -> dict[str, dict[str, float | str]]:
    """The airframe back in file sections, keys and units (e.g. for summaries).

    Values are rounded to 12 significant digits to undo unit-conversion noise. The free-text
    description is not stored in :class:`Airframe` and so is not returned.
    """
    out: dict[str, dict[str, float | str]] = {}
    for field in FIELDS:
        value = _si_value(af, field)
        if value is None:
            continue
        if not isinstance(value, str):
            value = float(f"{_from_si(field.unit, value):.12g}")
        out.setdefault(field.section, {})[field.key] = value
    return out


# ----------------------------------------------------------------------------------------
# Locating and reading
# ----------------------------------------------------------------------------------------


def _data_dir() -> Traversable:
    return files("longwing.airframe").joinpath("data")


def _looks_like_path(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return True
    return "/" in name_or_path or os.sep in name_or_path or name_or_path.endswith(".toml")


def _bundled_names_text() -> str:
    return ", ".join(list_bundled_airframes()) or "none"


def _resolve(name_or_path: str | Path) -> tuple[str, bytes, Path | None]:
    """Return (label for messages, raw file bytes, source path or None)."""
    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        return str(name_or_path), _read_path(path, str(name_or_path)), path
    name = name_or_path
    if name not in list_bundled_airframes():
        raise AirframeError(
            f"unknown airframe '{name}': bundled airframes are {_bundled_names_text()}; "
            "to load a file, give a path ending in .toml"
        )
    resource = _data_dir().joinpath(f"{name}.toml")
    source = resource if isinstance(resource, Path) else None
    return f"{name}.toml (bundled)", resource.read_bytes(), source


def _read_path(path: Path, label: str) -> bytes:
    if not path.exists():
        raise AirframeError(f"{label}: file not found (bundled airframes: {_bundled_names_text()})")
    if not path.is_file():
        raise AirframeError(f"{label}: is not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AirframeError(f"{label}: cannot read file ({exc.strerror or exc})") from exc


def _parse_toml(raw: bytes, label: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AirframeError(f"{label}: is not valid TOML: file is not UTF-8 text") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AirframeError(f"{label}: is not valid TOML: {exc}") from exc


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------


def _sections() -> tuple[str, ...]:
    return tuple(dict.fromkeys(field.section for field in FIELDS))


def _validate(document: dict[str, Any], label: str) -> dict[str, float | str]:
    """Check structure, fields and cross-field rules; return ``{"section.key": value}``."""
    _check_structure(document, label)
    values: dict[str, float | str] = {}
    for field in FIELDS:
        value = _check_field(document.get(field.section, {}), field, label)
        if value is not None:
            values[field.name] = value
    _check_cross_fields(values, label)
    return values


def _check_structure(document: dict[str, Any], label: str) -> None:
    sections = _sections()
    for section, table in document.items():
        if section not in sections:
            raise AirframeError(
                f"{label}: unknown section '{section}' (known sections: {', '.join(sections)})"
            )
        if not isinstance(table, dict):
            raise AirframeError(
                f"{label}: '{section}' must be a [{section}] section, not {table!r}"
            )
    for section in sections:
        known = [field.key for field in FIELDS if field.section == section]
        for key in document.get(section, {}):
            if key not in known:
                raise AirframeError(f"{label}: {_unknown_key_text(section, key, known)}")


def _unknown_key_text(section: str, key: str, known: list[str]) -> str:
    text = f"unknown field '{section}.{key}'"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        text += f" (did you mean '{section}.{close[0]}'?)"
    return text


def _check_field(table: dict[str, Any], field: Field, label: str) -> float | str | None:
    if field.key not in table:
        if field.required:
            raise AirframeError(f"{label}: missing required field '{field.name}' ({_about(field)})")
        return None
    value = table[field.key]
    if field.is_text:
        if not isinstance(value, str) or not value.strip():
            raise AirframeError(
                f"{label}: field '{field.name}' = {value!r} must be a non-empty string"
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AirframeError(
            f"{label}: field '{field.name}' = {value!r} must be a number ({_about(field)})"
        )
    number = float(value)
    if not field.contains(number):
        raise AirframeError(
            f"{label}: field '{field.name}' = {value!r} is out of range "
            f"{_with_unit(field.range_text(), field.unit)}"
        )
    return number


def _about(field: Field) -> str:
    """Parenthetical help for a field: 'lift-curve slope, 1/rad, allowed [0.5, 10]'."""
    if field.is_text:
        return f"{field.doc}, text"
    parts = [field.doc, field.unit, f"allowed {field.range_text()}"]
    return ", ".join(part for part in parts if part)


def _check_cross_fields(values: dict[str, float | str], label: str) -> None:
    v = {name: value for name, value in values.items() if isinstance(value, float)}
    for check in (_check_inertia, _check_geometry, _check_lapse, _check_envelope):
        problem = check(v)
        if problem:
            raise AirframeError(f"{label}: {problem}")
    method = values.get("launch.method")
    if method not in LAUNCH_METHODS:
        raise AirframeError(
            f"{label}: field 'launch.method' = {method!r} must be one of "
            f"{', '.join(repr(m) for m in LAUNCH_METHODS)}"
        )
    if method == "catapult" and not v["launch.launch_speed_mps"] > 0.0:
        raise AirframeError(
            f"{label}: field 'launch.launch_speed_mps' must be positive for a catapult launch"
        )


def _check_inertia(v: dict[str, float]) -> str | None:
    jx, jy, jz, jxz = (v[f"mass.J{axis}_kgm2"] for axis in ("x", "y", "z", "xz"))
    if not jx * jz > jxz**2:
        return (
            "inertia is not positive definite: mass.Jx_kgm2 * mass.Jz_kgm2 = "
            f"{jx * jz:.6g} must exceed mass.Jxz_kgm2^2 = {jxz**2:.6g}"
        )
    moments = {"Jx": jx, "Jy": jy, "Jz": jz}
    for big in moments:
        a, b = (name for name in moments if name != big)
        total = moments[a] + moments[b]
        if total < moments[big] * (1 - INERTIA_REL_TOL):
            return (
                f"inertia violates the triangle inequality: mass.{a}_kgm2 + mass.{b}_kgm2 = "
                f"{total:.6g} is less than mass.{big}_kgm2 = {moments[big]:.6g}"
            )
    return None


def _check_geometry(v: dict[str, float]) -> str | None:
    aspect_ratio = v["geometry.span_m"] ** 2 / v["geometry.wing_area_m2"]
    if not ASPECT_RATIO_MIN <= aspect_ratio <= ASPECT_RATIO_MAX:
        return (
            f"aspect ratio geometry.span_m^2 / geometry.wing_area_m2 = {aspect_ratio:.4g} "
            f"is out of range [{_fmt_bound(ASPECT_RATIO_MIN)}, {_fmt_bound(ASPECT_RATIO_MAX)}]"
        )
    return None


def _check_lapse(v: dict[str, float]) -> str | None:
    a, b = v["propulsion.lapse_a"], v["propulsion.lapse_b"]
    if abs(a - b - 1.0) > LAPSE_TOL:
        return (
            f"propulsion.lapse_a - propulsion.lapse_b = {a - b:.6g} must equal 1 "
            "(full power_sl_w at rho0_kgpm3)"
        )
    return None


def _check_envelope(v: dict[str, float]) -> str | None:
    v_min, v_cruise, v_max = (
        v[f"envelope.airspeed_{which}_mps"] for which in ("min", "cruise", "max")
    )
    if not v_min < v_cruise < v_max:
        return (
            "airspeeds must satisfy envelope.airspeed_min_mps < envelope.airspeed_cruise_mps"
            f" < envelope.airspeed_max_mps, got {v_min:g} / {v_cruise:g} / {v_max:g} m/s"
        )
    bank_nav, bank_max = v["envelope.bank_nav_deg"], v["envelope.bank_max_deg"]
    if bank_nav > bank_max:
        return (
            f"field 'envelope.bank_nav_deg' = {bank_nav:g} must not exceed "
            f"'envelope.bank_max_deg' = {bank_max:g} deg"
        )
    return None


# ----------------------------------------------------------------------------------------
# Conversion
# ----------------------------------------------------------------------------------------


def _to_si(unit: str, value: float) -> float:
    if unit in ("deg", "deg/s"):
        return math.radians(value)
    if unit == "kg/kWh":
        return value / J_PER_KWH
    return value


def _from_si(unit: str, value: float) -> float:
    if unit in ("deg", "deg/s"):
        return math.degrees(value)
    if unit == "kg/kWh":
        return value * J_PER_KWH
    return value


def _build(values: dict[str, float | str], source: Path | None) -> Airframe:
    records: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        if field.target is None or field.name not in values:
            continue
        record, attr = field.target.split(".")
        value = values[field.name]
        if not isinstance(value, str):
            value = _to_si(field.unit, value)
        records.setdefault(record, {})[attr] = value
    aero, prop, ground = records["aero"], records["prop"], records["ground"]
    aero["AR"] = aero["b_m"] ** 2 / aero["S_m2"]
    ground["reach_m"] = max(
        math.hypot(ground["front_x_m"], ground["front_z_m"]),
        math.hypot(ground["main_x_m"], ground["main_y_m"], ground["main_z_m"]),
        math.hypot(ground["tip_x_m"], ground["tip_y_m"], ground["tip_z_m"]),
    )
    prop["idle_power_w"] = values["propulsion.idle_power_fraction"] * prop["power_sl_w"]
    return Airframe(
        name=records["airframe"]["name"],
        source=source,
        aero=AeroParams(**aero),
        mass=MassParams(**records["mass"]),
        prop=PropulsionParams(**prop),
        actuators=ActuatorParams(**records["actuators"]),
        envelope=Envelope(**records["envelope"]),
        ground=GroundParams(**ground),
        launch=Launch(**records["launch"]),
    )


def _si_value(af: Airframe, field: Field) -> float | str | None:
    """The SI value ``field`` maps to in ``af`` (None if the airframe does not keep it)."""
    if field.name == "propulsion.idle_power_fraction":
        return af.prop.idle_power_w / af.prop.power_sl_w
    if field.target is None:
        return None
    record, attr = field.target.split(".")
    return getattr(af if record == "airframe" else getattr(af, record), attr)


# ----------------------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------------------


def _fmt_bound(x: float) -> str:
    """10000.0 -> '10000', 0.1 -> '0.1', 1e5 -> '100000'."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text
