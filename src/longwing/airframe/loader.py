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
from dataclasses import replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from longwing.airframe.fields import FIELDS, Field, fmt_bound
from longwing.airframe.params import (
    ActuatorParams,
    AeroParams,
    Airframe,
    Envelope,
    GroundParams,
    LandingLimits,
    Launch,
    MassParams,
    PropulsionParams,
    Rangefinder,
)

__all__ = [
    "FIELDS",
    "AirframeError",
    "Field",
    "airframe_to_dict",
    "list_bundled_airframes",
    "load_airframe",
    "load_airframe_source",
]

J_PER_KWH = 3.6e6
INERTIA_REL_TOL = 1e-9
LAPSE_TOL = 1e-9
ASPECT_RATIO_MIN = 1.0
ASPECT_RATIO_MAX = 50.0
LAUNCH_METHODS = ("catapult", "runway")
TURBULENCE_LEVELS = ("none", "light", "moderate", "severe")  # as physics.turbulence names them
JSBSIM_PREFIX = "jsbsim:"
AUTOPILOT_SECTION = "autopilot"  # optional: autopilot parameters the airframe gives


class AirframeError(ValueError):
    """An airframe file or name that cannot be loaded; the message is one line."""


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
    return load_airframe_source(name_or_path)[0]


def load_airframe_source(name_or_path: str | Path) -> tuple[Airframe, bytes]:
    """:func:`load_airframe`, and the exact bytes of the file it was read from (to keep a
    copy with a run, so that the run can be flown again). A JSBSim aircraft (``jsbsim:NAME``
    or a path ending in ``.xml``) gives its aircraft file's bytes."""
    if is_jsbsim(name_or_path):
        return _load_jsbsim(name_or_path)
    label, raw, source = _resolve(name_or_path)
    return _load(raw, label, source), raw


def is_jsbsim(name_or_path: str | Path) -> bool:
    """A JSBSim aircraft: ``jsbsim:NAME`` (the installed jsbsim package's aircraft) or a
    path ending in ``.xml``."""
    text = str(name_or_path)
    return text.startswith(JSBSIM_PREFIX) or text.lower().endswith(".xml")


def _load_jsbsim(name_or_path: str | Path) -> tuple[Airframe, bytes]:
    from longwing.airframe.jsbsim_airframe import jsbsim_airframe
    from longwing.jsbsim.xml_model import aircraft_path

    text = str(name_or_path)
    name = text.removeprefix(JSBSIM_PREFIX) if text.startswith(JSBSIM_PREFIX) else Path(text)
    try:
        return jsbsim_airframe(name), aircraft_path(name).read_bytes()
    except (ValueError, OSError) as exc:  # JSBSimModelError is a ValueError
        raise AirframeError(f"{text}: {exc}") from None


def airframe_to_dict(af: Airframe) -> dict[str, dict[str, float | str]]:
    """The airframe back in file sections, keys and units (e.g. for summaries).

    Values are rounded to 12 significant digits to undo unit-conversion noise. The free-text
    description is not stored in :class:`Airframe` and so is not returned.
    """
    out: dict[str, dict[str, float | str]] = {}
    for field in FIELDS:
        value = _si_value(af, field)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue  # absent, or an optional limit left unset
        if not isinstance(value, str):
            value = float(f"{_from_si(field.unit, value):.12g}")
        out.setdefault(field.section, {})[field.key] = value
    if af.autopilot is not None:
        out[AUTOPILOT_SECTION] = dict(af.autopilot)
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
            "to load a file, give a path ending in .toml (or .xml, a JSBSim aircraft), or "
            "jsbsim:NAME for an aircraft of the jsbsim package"
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
    return (*dict.fromkeys(field.section for field in FIELDS), AUTOPILOT_SECTION)


def _load(raw: bytes, label: str, source: Path | None) -> Airframe:
    document = _parse_toml(raw, label)
    af = _build(_validate(document, label), source)
    autopilot = _check_autopilot(document.get(AUTOPILOT_SECTION), label)
    return af if autopilot is None else replace(af, autopilot=autopilot)


def _check_autopilot(
    table: dict[str, Any] | None, label: str
) -> tuple[tuple[str, float], ...] | None:
    """The optional [autopilot] table: autopilot parameters (ArduPlane names, the units of
    ``longwing params``), each a number in its range."""
    if table is None:
        return None
    from longwing.control.params import check_value  # numba: only when a file has one

    out = []
    for name, value in table.items():
        try:
            out.append((name, check_value(name, value)))
        except ValueError as exc:
            raise AirframeError(f"{label}: [{AUTOPILOT_SECTION}] {exc}") from None
    return tuple(out)


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
    for section in sections[:-1]:  # [autopilot]'s keys are checked by _check_autopilot
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
    wx = values.get("launch.max_turbulence")
    if wx is not None and wx not in TURBULENCE_LEVELS:
        raise AirframeError(
            f"{label}: field 'launch.max_turbulence' = {wx!r} must be one of "
            f"{', '.join(repr(m) for m in TURBULENCE_LEVELS)}"
        )
    method = values.get("launch.method")
    if method not in LAUNCH_METHODS:
        raise AirframeError(
            f"{label}: field 'launch.method' = {method!r} must be one of "
            f"{', '.join(repr(m) for m in LAUNCH_METHODS)}"
        )
    if not v["landing.min_pitch_deg"] < v["landing.max_pitch_deg"]:
        raise AirframeError(
            f"{label}: field 'landing.min_pitch_deg' = {v['landing.min_pitch_deg']:g} must be "
            f"below 'landing.max_pitch_deg' = {v['landing.max_pitch_deg']:g} deg"
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
            f"is out of range [{fmt_bound(ASPECT_RATIO_MIN)}, {fmt_bound(ASPECT_RATIO_MAX)}]"
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
        landing=LandingLimits(**records["landing"]),
        rangefinder=_rangefinder(records.get("rangefinder"), source),
    )


def _rangefinder(record: dict | None, source: Path | None) -> Rangefinder | None:
    """The optional [rangefinder]: all of its keys or none."""
    if not record:
        return None
    keys = ("max_range_m", "noise_m", "rate_hz")
    missing = [k for k in keys if k not in record]
    if missing:
        raise AirframeError(f"{source or 'airframe'}: section [rangefinder] needs "
                            f"{', '.join(keys)}; missing {', '.join(missing)}")  # fmt: skip
    return Rangefinder(**record)


def _si_value(af: Airframe, field: Field) -> float | str | None:
    """The SI value ``field`` maps to in ``af`` (None if the airframe does not keep it)."""
    if field.name == "propulsion.idle_power_fraction":
        return af.prop.idle_power_w / af.prop.power_sl_w
    if field.target is None:
        return None
    record, attr = field.target.split(".")
    obj = af if record == "airframe" else getattr(af, record)
    return None if obj is None else getattr(obj, attr)


# ----------------------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------------------


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text
