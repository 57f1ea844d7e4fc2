"""Airframe files: the bundled aerosonde matches the reference, and bad files fail clearly."""

from __future__ import annotations

import math
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from longwing.airframe.loader import (
    AirframeError,
    airframe_to_dict,
    list_bundled_airframes,
    load_airframe,
)
from longwing.airframe.params import Airframe

# Values copied by hand from /work/shared/reference/aerosonde.md (SI / radians).
REF_AERO = {
    "S_m2": 0.55,
    "b_m": 2.8956,
    "c_m": 0.18994,
    "e_oswald": 0.9,
    "CL0": 0.23,
    "CLalpha": 5.61,
    "CLq": 7.95,
    "CLde": 0.13,
    "CDp": 0.043,
    "CDq": 0.0,
    "CDde": 0.0135,
    "CY0": 0.0,
    "CYbeta": -0.98,
    "CYp": 0.0,
    "CYr": 0.0,
    "CYda": 0.075,
    "CYdr": 0.19,
    "Cl0": 0.0,
    "Clbeta": -0.13,
    "Clp": -0.51,
    "Clr": 0.25,
    "Clda": 0.17,
    "Cldr": 0.0024,
    "Cm0": 0.0135,
    "Cmalpha": -2.74,
    "Cmq": -38.21,
    "Cmde": -0.99,
    "Cn0": 0.0,
    "Cnbeta": 0.073,
    "Cnp": 0.069,
    "Cnr": -0.095,
    "Cnda": -0.011,
    "Cndr": -0.069,
    "stall_M": 50.0,
    "alpha0_rad": 0.25,
}
REF_MASS = {
    "dry_mass_kg": 9.1,
    "Jx": 0.8244,
    "Jy": 1.135,
    "Jz": 1.759,
    "Jxz": 0.1204,
    "fuel_capacity_kg": 4.0,
}
REF_PROP = {
    "power_sl_w": 1000.0,
    "lapse_a": 1.132,
    "lapse_b": 0.132,
    "rho0_kgpm3": 1.225,
    "prop_eta": 0.70,
    "thrust_min_speed_mps": 12.0,
    "bsfc_kg_per_j": 0.5 / 3.6e6,
}
REF_ACTUATORS = {
    "de_max_rad": math.radians(30),
    "da_max_rad": math.radians(25),
    "dr_max_rad": math.radians(25),
    "de_rate_radps": math.radians(200),
    "da_rate_radps": math.radians(200),
    "dr_rate_radps": math.radians(200),
    "dt_rate_per_s": 2.0,
}
REF_ENVELOPE = {
    "airspeed_min_mps": 20.0,
    "airspeed_cruise_mps": 25.0,
    "airspeed_max_mps": 35.0,
    "bank_max_rad": math.radians(45),
    "bank_nav_rad": math.radians(30),
    "pitch_min_rad": math.radians(-25),
    "pitch_max_rad": math.radians(25),
}


def bundled_text() -> str:
    return files("longwing.airframe").joinpath("data", "aerosonde.toml").read_text("utf-8")


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the bundled file"
    return text.replace(old, new)


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(name_or_path: str | Path) -> str:
    with pytest.raises(AirframeError) as excinfo:
        load_airframe(name_or_path)
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def bundled_list_text() -> str:
    return ", ".join(list_bundled_airframes())


# --------------------------------------------------------------------------------------
# The bundled aerosonde
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aerosonde() -> Airframe:
    return load_airframe("aerosonde")


def test_aerosonde_is_bundled() -> None:
    assert "aerosonde" in list_bundled_airframes()


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("aero", REF_AERO),
        ("mass", REF_MASS),
        ("prop", REF_PROP),
        ("actuators", REF_ACTUATORS),
        ("envelope", REF_ENVELOPE),
    ],
)
def test_aerosonde_matches_reference_exactly(
    aerosonde: Airframe, record: str, expected: dict[str, float]
) -> None:
    values = getattr(aerosonde, record)
    for attr, value in expected.items():
        assert getattr(values, attr) == value, f"{record}.{attr}"


def test_aerosonde_derived_values(aerosonde: Airframe) -> None:
    assert aerosonde.name == "aerosonde"
    assert aerosonde.aero.AR == pytest.approx(2.8956**2 / 0.55, rel=1e-15)
    assert aerosonde.prop.idle_power_w == pytest.approx(0.05 * 1000.0, rel=1e-15)
    assert aerosonde.prop.bsfc_kg_per_j == 0.5 / 3.6e6
    assert aerosonde.actuators.de_max_rad == math.radians(30)
    assert aerosonde.mass_kg(4.0) == pytest.approx(13.1)


def test_every_record_field_is_a_float(aerosonde: Airframe) -> None:
    for record in (aerosonde.aero, aerosonde.mass, aerosonde.prop, aerosonde.actuators):
        for attr, value in record._asdict().items():
            if attr == "table":  # a JSBSim aircraft's compiled tables; none here
                assert value is None
                continue
            assert type(value) is float, attr


def test_airframe_to_dict_gives_back_the_file_values(aerosonde: Airframe) -> None:
    in_file = tomllib.loads(bundled_text())
    del in_file["airframe"]["description"]  # not stored in Airframe
    assert airframe_to_dict(aerosonde) == in_file


# --------------------------------------------------------------------------------------
# User files
# --------------------------------------------------------------------------------------


def test_load_user_file_by_path(tmp_path: Path) -> None:
    text = mutate(bundled_text(), 'name = "aerosonde"', 'name = "myplane"')
    text = mutate(text, "CLalpha = 5.61", "CLalpha = 4.5")
    text = mutate(text, "dry_mass_kg = 9.1", "dry_mass_kg = 12")  # TOML integer is fine
    path = write(tmp_path, text, "myplane.toml")
    for given in (path, str(path)):
        af = load_airframe(given)
        assert af.name == "myplane"
        assert af.source == path
        assert af.aero.CLalpha == 4.5
        assert af.mass.dry_mass_kg == 12.0
        assert type(af.mass.dry_mass_kg) is float


def test_description_is_optional(tmp_path: Path) -> None:
    text = mutate(bundled_text(), 'description = "Aerosonde-class', '# description = "')
    assert load_airframe(write(tmp_path, text)).name == "aerosonde"


# --------------------------------------------------------------------------------------
# Exact error messages
# --------------------------------------------------------------------------------------

BAD_FILES = [
    pytest.param(
        "CLalpha = 5.61\n",
        "",
        "missing required field 'aero.CLalpha' (lift-curve slope, 1/rad, allowed [0.5, 10])",
        id="missing",
    ),
    pytest.param(
        "oswald_e = 0.9\n",
        "",
        "missing required field 'geometry.oswald_e' (Oswald efficiency, allowed (0.3, 1])",
        id="missing-dimensionless",
    ),
    pytest.param(
        'name = "aerosonde"\n',
        "",
        "missing required field 'airframe.name' (airframe name, text)",
        id="missing-name",
    ),
    pytest.param(
        "dry_mass_kg = 9.1",
        "dry_mass_kg = -3.0",
        "field 'mass.dry_mass_kg' = -3.0 is out of range [0.1, 10000] kg",
        id="out-of-range",
    ),
    pytest.param(
        "oswald_e = 0.9",
        "oswald_e = 1.2",
        "field 'geometry.oswald_e' = 1.2 is out of range (0.3, 1]",
        id="out-of-range-dimensionless",
    ),
    pytest.param(
        "prop_efficiency = 0.70",
        "prop_efficiency = 0.1",
        "field 'propulsion.prop_efficiency' = 0.1 is out of range (0.1, 0.95]",
        id="open-bound",
    ),
    pytest.param(
        "Cmq = -38.21",
        "Cmq = 38.21",
        "field 'aero.Cmq' = 38.21 is out of range [-1000, 0) 1/rad",
        id="wrong-sign-damping",
    ),
    pytest.param(
        "Cmq = -38.21",
        "Cmq = nan",
        "field 'aero.Cmq' = nan is out of range [-1000, 0) 1/rad",
        id="nan",
    ),
    pytest.param(
        "pitch_max_deg = 25.0",
        "pitch_max_deg = -5",
        "field 'envelope.pitch_max_deg' = -5 is out of range (0, 90] deg",
        id="pitch-max-not-positive",
    ),
    pytest.param(
        "CLalpha = 5.61",
        "CLalfa = 5.61",
        "unknown field 'aero.CLalfa' (did you mean 'aero.CLalpha'?)",
        id="unknown-field",
    ),
    pytest.param(
        "CLalpha = 5.61",
        "CLalpha = 5.61\nbanana = 1",
        "unknown field 'aero.banana'",
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        "[fuel]",
        "[payload]\ncamera_kg = 1.0\n\n[fuel]",
        "unknown section 'payload' (known sections: "
        "airframe, mass, geometry, aero, propulsion, fuel, limits, ground, launch, envelope, "
        "landing, rangefinder, autopilot)",
        id="unknown-section",
    ),
    pytest.param(
        "[fuel]\ncapacity_kg = 4.0     # usable avgas\n",
        "",
        "missing required field 'fuel.capacity_kg' (usable fuel capacity, kg, allowed [0, 10000])",
        id="missing-section",
    ),
    pytest.param(
        "CLalpha = 5.61",
        'CLalpha = "5.61"',
        "field 'aero.CLalpha' = '5.61' must be a number "
        "(lift-curve slope, 1/rad, allowed [0.5, 10])",
        id="non-numeric",
    ),
    pytest.param(
        "CLalpha = 5.61",
        "CLalpha = true",
        "field 'aero.CLalpha' = True must be a number (lift-curve slope, 1/rad, allowed [0.5, 10])",
        id="boolean",
    ),
    pytest.param(
        'name = "aerosonde"',
        'name = ""',
        "field 'airframe.name' = '' must be a non-empty string",
        id="empty-name",
    ),
    pytest.param(
        "Jxz_kgm2 = 0.1204",
        "Jxz_kgm2 = 1.3",
        "inertia is not positive definite: mass.Jx_kgm2 * mass.Jz_kgm2 = 1.45012 must exceed "
        "mass.Jxz_kgm2^2 = 1.69",
        id="inertia-not-positive-definite",
    ),
    pytest.param(
        "Jz_kgm2 = 1.759",
        "Jz_kgm2 = 2.5",
        "inertia violates the triangle inequality: mass.Jx_kgm2 + mass.Jy_kgm2 = 1.9594 "
        "is less than mass.Jz_kgm2 = 2.5",
        id="inertia-triangle",
    ),
    pytest.param(
        "span_m = 2.8956",
        "span_m = 0.5",
        "aspect ratio geometry.span_m^2 / geometry.wing_area_m2 = 0.4545 is out of range [1, 50]",
        id="aspect-ratio",
    ),
    pytest.param(
        "lapse_b = 0.132",
        "lapse_b = 0.2",
        "propulsion.lapse_a - propulsion.lapse_b = 0.932 must equal 1 "
        "(full power_sl_w at rho0_kgpm3)",
        id="lapse-inconsistent",
    ),
    pytest.param(
        "airspeed_max_mps = 35.0",
        "airspeed_max_mps = 24.0",
        "airspeeds must satisfy envelope.airspeed_min_mps < envelope.airspeed_cruise_mps "
        "< envelope.airspeed_max_mps, got 20 / 25 / 24 m/s",
        id="airspeed-order",
    ),
    pytest.param(
        "bank_nav_deg = 30.0",
        "bank_nav_deg = 50.0",
        "field 'envelope.bank_nav_deg' = 50 must not exceed 'envelope.bank_max_deg' = 45 deg",
        id="bank-nav-above-max",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD_FILES)
def test_bad_file_message(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, mutate(bundled_text(), old, new), "aerosonde_bad.toml")
    assert error_of(path) == f"{path}: {expected}"


def test_error_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, mutate(bundled_text(), "span_m = 2.8956", "span_m = -1"))
    with pytest.raises(ValueError, match=r"'geometry\.span_m' = -1 is out of range"):
        load_airframe(path)


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    text = mutate(bundled_text(), "[fuel]\ncapacity_kg = 4.0     # usable avgas\n", "")
    path = write(tmp_path, "fuel = 4.0\n" + text)
    assert error_of(path) == f"{path}: 'fuel' must be a [fuel] section, not 4.0"


def test_invalid_toml_syntax(tmp_path: Path) -> None:
    text = mutate(bundled_text(), "CLalpha = 5.61", "CLalpha = = 5.61")
    with pytest.raises(tomllib.TOMLDecodeError) as excinfo:
        tomllib.loads(text)
    path = write(tmp_path, text)
    assert error_of(path) == f"{path}: is not valid TOML: {excinfo.value}"
    assert "line" in str(excinfo.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00")
    assert error_of(path) == f"{path}: is not valid TOML: file is not UTF-8 text"


def test_nonexistent_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    assert error_of(path) == f"{path}: file not found (bundled airframes: {bundled_list_text()})"
    relative = "no/such/plane.toml"
    assert error_of(relative) == (
        f"{relative}: file not found (bundled airframes: {bundled_list_text()})"
    )


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path}: is not a file"


def test_unknown_bundled_name() -> None:
    assert error_of("cessna") == (
        f"unknown airframe 'cessna': bundled airframes are {bundled_list_text()}; "
        "to load a file, give a path ending in .toml (or .xml, a JSBSim aircraft), or "
        "jsbsim:NAME for an aircraft of the jsbsim package"
    )


def test_first_problem_in_table_order(tmp_path: Path) -> None:
    text = mutate(bundled_text(), "airspeed_min_mps = 20.0", "airspeed_min_mps = -1.0")
    text = mutate(text, "dry_mass_kg = 9.1", "dry_mass_kg = -3.0")
    path = write(tmp_path, text)
    expected = f"{path}: field 'mass.dry_mass_kg' = -3.0 is out of range [0.1, 10000] kg"
    assert error_of(path) == expected
    # Unknown keys are reported before range problems (a typo explains a 'missing' field).
    text = mutate(text, "Cnr = -0.095", "Cnrr = -0.095")
    path.write_text(text, encoding="utf-8")
    assert error_of(path) == f"{path}: unknown field 'aero.Cnrr' (did you mean 'aero.Cnr'?)"
