"""The Monte Carlo scenario file (TOML): what to fly, in what weather, what varies from run to
run, what counts as success, how many runs (docs/batch.md).

::

    [mission]       plan = "short_survey.plan"   airframe = "aerosonde"   fuel_kg = 4.0
    [environment]   wind = "270@8"  (or wind_file = "PATH", start_time = "...")
                    turbulence = "light"
    [dispersions]   wind_speed_mps = {dist = "normal", mean = 8, sd = 2}   ...
    [success]       landed_within_m = 100   min_fuel_kg = 0.2   no_fence_breach = true
    [run]           runs = 200   seed = 1   design = "random" (or "sobol": a Saltelli design)

Paths are relative to the scenario file. :func:`load_scenario` checks everything it can
before any flight (the plan and wind file exist and load, the airframe loads, every number
is in its range) and raises :class:`ScenarioError` with one line naming the file and key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from longwing.batch.dispersions import Dispersion, DispersionError, parse_dispersion
from longwing.batch.sensitivity import DESIGNS, saltelli_base, saltelli_counts

SECTIONS = {
    "mission": {"plan": str, "airframe": str, "fuel_kg": float},
    "environment": {"wind": str, "wind_file": str, "start_time": str, "turbulence": str},
    "success": {"landed_within_m": float, "min_fuel_kg": float, "no_fence_breach": bool},
    "run": {"runs": int, "seed": int, "design": str},
}
REQUIRED = {"mission": ("plan",), "run": ("runs",)}
MAX_RUNS = 10_000_000
TURBULENCE_NAMES = ("none", "light", "moderate", "severe")


class ScenarioError(ValueError):
    """A scenario file that cannot be flown; the message is one line naming file and key."""


@dataclass(frozen=True)
class SuccessCriteria:
    """What a successful run is: landed (at a site) within ``landed_within_m`` of the
    planned landing point, with at least ``min_fuel_kg`` left, and (if asked) no fence
    breach. None: not a criterion."""

    landed_within_m: float | None = None
    min_fuel_kg: float | None = None
    no_fence_breach: bool = False


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file (paths absolute)."""

    path: Path
    plan: Path
    airframe: str = "aerosonde"
    fuel_kg: float | None = None
    wind: str = "calm"
    wind_file: Path | None = None
    start_time: str | None = None
    turbulence: str = "none"
    dispersions: dict[str, Dispersion] = field(default_factory=dict)
    success: SuccessCriteria = field(default_factory=SuccessCriteria)
    runs: int = 1
    seed: int = 1
    design: str = "random"  # or "sobol": run i is row i of a Saltelli design (sensitivity.py)


def _typed(value: object, kind: type, where: str):
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"{where}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ScenarioError(f"{where}: expected a finite number, got {value!r}")
        return float(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{where}: expected a whole number, got {value!r}")
        return value
    if not isinstance(value, kind):
        raise ScenarioError(f"{where}: expected a {kind.__name__}, got {value!r}")
    return value


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read it: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def parse_scenario(data: Mapping, path: Path) -> Scenario:
    """The scenario from its parsed TOML (``path`` names it in errors and anchors paths);
    checks types, ranges and names, not the files it points to (see :func:`load_scenario`)."""
    where0 = str(path)
    for section in data:
        if section not in SECTIONS and section != "dispersions":
            raise ScenarioError(f"{where0}: unknown section [{section}]; known: "
                                f"{', '.join([*SECTIONS, 'dispersions'])}")  # fmt: skip
        if not isinstance(data[section], Mapping):
            raise ScenarioError(f"{where0}: [{section}] must be a table")
    values: dict[str, object] = {}
    for section, keys in SECTIONS.items():
        table = data.get(section, {})
        for key in table:
            if key not in keys:
                raise ScenarioError(f"{where0}: [{section}] {key}: unknown key; known: "
                                    f"{', '.join(keys)}")  # fmt: skip
            values[key] = _typed(table[key], keys[key], f"{where0}: [{section}] {key}")
        for key in REQUIRED.get(section, ()):
            if key not in table:
                raise ScenarioError(f"{where0}: [{section}] {key} is required")
    if "wind" in values and "wind_file" in values:
        raise ScenarioError(f"{where0}: [environment] give wind or wind_file, not both")
    if "start_time" in values and "wind_file" not in values:
        raise ScenarioError(f"{where0}: [environment] start_time is the time of a wind_file")
    turb = str(values.get("turbulence", "none")).lower()
    if turb not in TURBULENCE_NAMES:
        raise ScenarioError(f"{where0}: [environment] turbulence: expected one of "
                            f"{', '.join(TURBULENCE_NAMES)}, got {turb!r}")  # fmt: skip
    runs, seed = values["runs"], values.get("seed", 1)
    if not 1 <= runs <= MAX_RUNS:
        raise ScenarioError(f"{where0}: [run] runs: must be in 1..{MAX_RUNS}, got {runs}")
    if not 0 <= seed < 2**63:
        raise ScenarioError(f"{where0}: [run] seed: must be in [0, 2^63), got {seed}")
    for key in ("fuel_kg", "landed_within_m", "min_fuel_kg"):
        if key in values and not values[key] > 0.0 and not (key == "min_fuel_kg"
                                                            and values[key] == 0.0):  # fmt: skip
            raise ScenarioError(f"{where0}: {key}: must be > 0, got {values[key]!r}")
    disp = {}
    for name, spec in data.get("dispersions", {}).items():
        try:
            disp[name] = parse_dispersion(name, spec)
        except DispersionError as exc:
            raise ScenarioError(f"{where0}: {exc}") from None
    for absolute, relative in (("wind_speed_mps", "wind_speed_scale"),
                               ("wind_dir_deg", "wind_dir_offset_deg")):  # fmt: skip
        if absolute in disp and "wind_file" in values:
            raise ScenarioError(f"{where0}: [dispersions] {absolute}: a wind_file's wind is "
                                f"not one speed and direction; disperse {relative}")  # fmt: skip
        if absolute in disp and relative in disp:
            raise ScenarioError(f"{where0}: [dispersions] give {absolute} or {relative}, "
                                "not both")  # fmt: skip
    if "turbulence" in disp:
        d = disp["turbulence"]
        if d.dist != "choice" or any(str(v).lower() not in TURBULENCE_NAMES for v in d.values):
            raise ScenarioError(f"{where0}: [dispersions] turbulence: a choice of "
                                f"{', '.join(TURBULENCE_NAMES)}")  # fmt: skip
    _check_design(values, len(disp), where0)
    base = path.parent
    wind_file = values.get("wind_file")
    return Scenario(
        path=path, plan=(base / str(values["plan"])).resolve(),
        airframe=str(values.get("airframe", "aerosonde")), fuel_kg=values.get("fuel_kg"),
        wind=str(values.get("wind", "calm")),
        wind_file=None if wind_file is None else (base / str(wind_file)).resolve(),
        start_time=values.get("start_time"), turbulence=turb, dispersions=disp,
        success=SuccessCriteria(values.get("landed_within_m"), values.get("min_fuel_kg"),
                                bool(values.get("no_fence_breach", False))),
        runs=runs, seed=seed, design=values.get("design", "random"),
    )  # fmt: skip


def _check_design(values: Mapping, n_factors: int, where0: str) -> None:
    """``[run] design``: one of DESIGNS; a Sobol design flies N * (D + 2) runs, N a power of
    2 (SALib's Saltelli design; D the dispersed inputs)."""
    design = values.get("design", "random")
    if design not in DESIGNS:
        raise ScenarioError(f"{where0}: [run] design: expected one of {', '.join(DESIGNS)}, "
                            f"got {design!r}")  # fmt: skip
    if design != "sobol":
        return
    if n_factors == 0:
        raise ScenarioError(f"{where0}: [run] design: sobol needs at least one dispersed input")
    if saltelli_base(values["runs"], n_factors) is None:
        counts = ", ".join(map(str, saltelli_counts(n_factors)))
        raise ScenarioError(f"{where0}: [run] runs: a sobol design of {n_factors} dispersed "
                            f"inputs flies N x {n_factors + 2} runs, N a power of 2: {counts}, "
                            f"...; got {values['runs']}")  # fmt: skip


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file, and what it points to: the plan loads, the airframe
    loads (and ``fuel_kg`` fits its tank), the wind parses or the wind file exists."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError
    from longwing.physics.wind import parse_wind

    path = Path(path)
    sc = parse_scenario(_read(path), path)
    try:
        af = load_airframe(sc.airframe)
    except AirframeError as exc:
        raise ScenarioError(f"{path}: [mission] airframe: {exc}") from None
    if sc.fuel_kg is not None and sc.fuel_kg > af.mass.fuel_capacity_kg:
        raise ScenarioError(f"{path}: [mission] fuel_kg: {sc.fuel_kg:g} kg is more than the "
                            f"tank holds ({af.mass.fuel_capacity_kg:g} kg)")  # fmt: skip
    if not sc.plan.is_file():
        raise ScenarioError(f"{path}: [mission] plan: {sc.plan}: no such file")
    try:
        load_mission(sc.plan)
    except (MissionError, ValueError, OSError) as exc:
        raise ScenarioError(f"{path}: [mission] plan: {exc}") from None
    if sc.wind_file is not None and not sc.wind_file.is_file():
        raise ScenarioError(f"{path}: [environment] wind_file: {sc.wind_file}: no such file")
    try:
        parse_wind(sc.wind)
    except ValueError as exc:
        raise ScenarioError(f"{path}: [environment] wind: {exc}") from None
    return sc


def scenario_wind(sc: Scenario, airframe, mission):
    """The scenario's wind before any dispersion: its ``wind`` (a WindField), or its
    ``wind_file`` read for the mission from ``start_time`` (a WindGrid4D); ScenarioError
    naming the key when the file cannot serve the mission."""
    from longwing.physics.wind import parse_wind

    if sc.wind_file is None:
        return parse_wind(sc.wind)
    from longwing.io.wind_file import load_mission_wind
    from longwing.planning.wind4d import WindGrid4D

    try:
        grid = load_mission_wind(sc.wind_file, mission, airframe, sc.start_time)
    except (ValueError, OSError) as exc:  # WindFileError is a ValueError
        raise ScenarioError(f"{sc.path}: [environment] wind_file: {exc}") from None
    return grid if isinstance(grid, WindGrid4D) else WindGrid4D.from_windgrid(grid)
