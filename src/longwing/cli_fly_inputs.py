"""The inputs of a `longwing fly`: checked and built into a scenario (:func:`prepare`),
and read back from an earlier run folder (:func:`load_rerun`). Every problem is a
ValueError with one line for the user."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

WIND_COPY_MAX_BYTES = 50 * 1024 * 1024  # wind files up to this are copied into the run


@dataclass(frozen=True)
class FlyArgs:
    """The inputs of a flight, as the user gave them (strings where the CLI takes strings)."""

    mission_file: str
    airframe: str = "aerosonde"
    wind: str = "calm"
    wind_file: str | None = None  # a forecast/CSV grid instead of --wind
    start_time: str | None = None  # ISO 8601 UTC of the launch (a wind file's time)
    turbulence: str = "none"
    seed: int = 1
    fuel_kg: float | None = None
    truth_nav: bool = False
    max_duration_s: float | None = None
    log_hz: float = 10.0
    faults: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    # the ground: DEM files (GeoTIFF, VRT, ...; several are mosaicked) or one synthetic
    # spec; None: flat
    dem: tuple[str, ...] | None = None
    ignore_terrain: bool = False  # fly legs plan check calls terrain conflicts anyway
    min_clearance_m: float = 50.0  # plan check's --min-clearance-m for the terrain gate
    # a Monte Carlo scenario's run (longwing batch): the flight is that run's, bit for bit
    scenario: str | None = None
    run: int | None = None


@dataclass(frozen=True)
class Prepared:
    """A checked flight: the scenario, and what the run folder records about its inputs."""

    scenario: object  # longwing.sim.runner.FlightScenario
    mission_bytes: bytes
    airframe_bytes: bytes
    params: dict[str, float | int]
    wind_sha256: str | None = None
    wind_bytes: bytes | None = None  # the wind file when small enough to copy into the run
    dem_sha256: list[str] | None = None  # per DEM file (None: none, or a synthetic spec)
    drawn: dict | None = None  # a batch scenario's run: the inputs drawn for it


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_params(pairs, airframe) -> tuple[dict[str, float], object, object, dict]:
    """``NAME=VALUE`` strings (ArduPlane names, as the SITL's parameter list) -> (autopilot
    overrides, FailsafeSettings, MissionSettings, the values set by name). Each value is
    checked against its parameter's type and range; ValueError naming it otherwise."""
    from longwing.mavlink.params import ParamStore

    store = ParamStore(airframe)
    values: dict[str, float] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip().upper()
        if not eq or not name:
            raise ValueError(f"--param {pair!r}: expected NAME=VALUE")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"--param {pair!r}: {text.strip()!r} is not a number") from None
        if name not in store:
            raise ValueError(f"--param {pair!r}: {store.unknown_name_text(name)}")
        if name in values:
            raise ValueError(f"--param {name} is given twice")
        if store.info(name).read_only:
            raise ValueError(f"--param {name} is read-only")
        values[name] = value
    try:
        store.update(values)
    except ValueError as exc:
        raise ValueError(f"--param: {exc}") from None
    given = {n: store.get(n) for n in values}
    ap = {n: float(v) for n, v in given.items() if "autopilot" in store.info(n).groups}
    return ap, store.failsafe_settings(), store.mission_settings(), given


def prepare(args: FlyArgs) -> Prepared:
    """Check every input and build the scenario; ValueError (one line) if one is bad."""
    from longwing.airframe.loader import load_airframe_source
    from longwing.mission import load_mission
    from longwing.mission.preflight import check_preflight
    from longwing.physics.turbulence import parse_turbulence
    from longwing.sim.faults import parse_fault
    from longwing.sim.runner import FlightScenario

    af, af_bytes = load_airframe_source(args.airframe)
    if args.scenario is not None:
        return _prepare_scenario_run(args, af, af_bytes)
    path = Path(args.mission_file)
    try:
        mission_bytes = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the mission: {exc.strerror or exc}") from None
    terrain, dem_sha = _load_dem(args)
    mission = load_mission(path, terrain)
    check_preflight(mission, terrain)  # something to fly, nothing below the ground
    if args.max_duration_s is not None and not (
        math.isfinite(args.max_duration_s) and args.max_duration_s > 0.0
    ):
        raise ValueError(f"--max-duration-s {args.max_duration_s:g} must be > 0")
    if not 0 <= args.seed < 2**63:
        raise ValueError(f"--seed {args.seed} must be in [0, 2^63)")
    faults = tuple(parse_fault(f) for f in args.faults)
    ap, fs, ms, given = parse_params(args.params, af)
    wind, wind_sha, wind_bytes = _truth_wind(args, mission, af)
    turbulence = parse_turbulence(args.turbulence)
    _terrain_gate(args, mission, af, terrain, wind, ap, ms, turbulence)
    sc = FlightScenario(
        airframe=af, mission=mission, wind=wind, turbulence=turbulence, seed=args.seed,
        fuel_kg=args.fuel_kg, truth_nav=args.truth_nav, max_duration_s=args.max_duration_s,
        log_hz=args.log_hz, faults=faults, autopilot=ap, failsafe=fs, settings=ms,
        terrain=terrain,
    )  # fmt: skip
    return Prepared(sc, mission_bytes, af_bytes, given, wind_sha, wind_bytes, dem_sha)


def scenario_run_args(scenario: Path, run: int) -> FlyArgs:
    """The inputs of run ``run`` of a batch scenario, for `fly --scenario S --run I`."""
    from longwing.batch.scenario import load_scenario

    sc = load_scenario(scenario)
    if not 0 <= run < sc.runs:
        raise ValueError(f"--run {run}: the scenario has runs 0..{sc.runs - 1}")
    return FlyArgs(mission_file=str(sc.plan), airframe=sc.airframe, scenario=str(scenario),
                   run=run)  # fmt: skip


def _prepare_scenario_run(args: FlyArgs, af, af_bytes: bytes) -> Prepared:
    """Run ``args.run`` of the scenario: the FlightScenario the batch flies for it."""
    from longwing.batch.run_inputs import run_scenario
    from longwing.batch.scenario import load_scenario, scenario_wind
    from longwing.mission import load_mission

    sc = load_scenario(args.scenario)
    path = Path(args.mission_file)
    try:
        mission_bytes = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the mission: {exc.strerror or exc}") from None
    mission = load_mission(path)
    wind_sha = None if sc.wind_file is None else file_sha256(sc.wind_file)
    fs, drawn = run_scenario(sc, af, mission, scenario_wind(sc, af, mission), int(args.run))
    return Prepared(fs, mission_bytes, af_bytes, {}, wind_sha, drawn=drawn)


def _load_dem(args: FlyArgs):
    """(the DEM, its sha256) for --dem; (None, None) without one."""
    if args.dem is None:
        if args.ignore_terrain:
            raise ValueError("--ignore-terrain is about a --dem; give one")
        return None, None
    from longwing.geo.terrain_spec import is_spec
    from longwing.io.dem import load_world_terrain, plan_home

    terrain = load_world_terrain(args.dem, lambda: plan_home(args.mission_file))
    if any(is_spec(d) for d in args.dem):
        return terrain, None
    return terrain, [file_sha256(Path(d)) for d in args.dem]


def _terrain_gate(args: FlyArgs, mission, af, terrain, wind, ap, ms, turbulence) -> None:
    """The terrain checks `plan check --dem` makes (planning/terrain_gate.py): ValueError
    naming the first problem unless --ignore-terrain (home must be on the DEM's ground
    even then)."""
    if terrain is None:
        return
    from longwing.planning.terrain_gate import home_problem, terrain_refusals

    if args.ignore_terrain:  # the flight ends in terrain where plan check says it would
        problem = home_problem(mission, terrain)
        if problem is not None:  # not a matter of the route: never flown
            raise ValueError(f"--dem {' + '.join(args.dem)}: {problem}")
        return
    if not (math.isfinite(args.min_clearance_m) and args.min_clearance_m >= 0.0):
        raise ValueError("--min-clearance-m must be >= 0")
    why = terrain_refusals(mission, af, terrain, args.min_clearance_m, wind=wind,
                           fuel_kg=args.fuel_kg, settings=ms, autopilot=ap,
                           turbulence=int(turbulence))  # fmt: skip
    if why:
        more = f" (and {len(why) - 1} more: plan check --dem lists them)" if len(why) > 1 else ""
        raise ValueError(f"--dem {' + '.join(args.dem)}: {why[0]}{more}; --ignore-terrain "
                         "flies it anyway")  # fmt: skip


def file_sha256(path: Path) -> str:
    """sha256 of a file read in 1 MB pieces (OSError to the caller)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _truth_wind(args: FlyArgs, mission, af):
    """(wind, sha256 and bytes of the wind file): --wind, or --wind-file (a forecast grid,
    or a CSV grid with no time) read for this mission and start time."""
    from longwing.physics.wind import parse_wind

    if args.wind_file is None:
        if args.start_time is not None:
            raise ValueError("--start-time is the time of a --wind-file; give one")
        return parse_wind(args.wind), None, None
    from longwing.io.wind_file import load_mission_wind
    from longwing.planning.wind4d import WindGrid4D

    path = Path(args.wind_file)
    grid = load_mission_wind(path, mission, af, args.start_time, args.max_duration_s)
    if not isinstance(grid, WindGrid4D):  # a CSV grid: one time
        grid = WindGrid4D.from_windgrid(grid)
    digest = hashlib.sha256()
    data = bytearray()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                if len(data) <= WIND_COPY_MAX_BYTES:
                    data += chunk
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    small = len(data) <= WIND_COPY_MAX_BYTES
    return grid, digest.hexdigest(), bytes(data) if small else None


def load_rerun(run_dir: Path) -> FlyArgs:
    """The inputs of an earlier `fly` run, with its own copies of the mission and airframe
    (checked against the hashes it recorded). ValueError (one line) otherwise."""
    from longwing.logs.outputs import read_marker

    marker = read_marker(run_dir)
    if marker is None or marker.get("kind") != "fly":
        raise ValueError(f"--rerun {run_dir}: not a longwing fly run folder")
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        sc = summary["scenario"]
        copies = {k: run_dir / sc[f"{k}_copy"] for k in ("mission", "airframe")}
        for k, path in copies.items():
            if sha256(path.read_bytes()) != sc[f"{k}_sha256"]:
                raise ValueError(f"--rerun {run_dir}: {path.name} differs from the run's "
                                 "record (sha256): it was changed after the run")  # fmt: skip
        return FlyArgs(
            mission_file=str(copies["mission"]), airframe=str(copies["airframe"]),
            wind="calm" if sc.get("wind_file") else str(sc["wind"]),
            wind_file=_rerun_wind_file(run_dir, sc),
            start_time=sc.get("start_time"), turbulence=str(sc["turbulence"]), seed=int(sc["seed"]),
            fuel_kg=sc["fuel_kg"], truth_nav=bool(sc["truth_nav"]),
            max_duration_s=sc["max_duration_s"], log_hz=float(sc["log_hz"]),
            faults=tuple(sc["faults"]),
            params=tuple(f"{n}={v!r}" for n, v in sc["params"].items()),
            dem=_rerun_dem(run_dir, sc), ignore_terrain=bool(sc.get("ignore_terrain", False)),
            min_clearance_m=float(sc.get("min_clearance_m", 50.0)),
            scenario=sc.get("scenario"), run=sc.get("run"),
        )  # fmt: skip
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"--rerun {run_dir}: cannot read the run's record "
                         f"({type(exc).__name__}: {exc})") from None  # fmt: skip


def _rerun_dem(run_dir: Path, sc: dict) -> tuple[str, ...] | None:
    """The run's DEM files (not copied: DEMs are large), each checked against its recorded
    sha256; or its synthetic spec, made again."""
    if not sc.get("dem"):
        return None
    dems = tuple(str(d) for d in sc["dem"])
    if sc.get("dem_sha256") is None:  # a synthetic terrain spec: made again from the text
        return dems
    for d, digest in zip(dems, sc["dem_sha256"], strict=True):
        if file_sha256(Path(d)) != digest:
            raise ValueError(f"--rerun {run_dir}: the DEM {d} differs from the run's "
                             "record (sha256): it was changed after the run")  # fmt: skip
    return dems


def _rerun_wind_file(run_dir: Path, sc: dict) -> str | None:
    """The run's wind file: its copy in the run folder, or (too large to copy) the file it
    was read from; either checked against the recorded sha256."""
    if not sc.get("wind_file"):
        return None
    path = run_dir / sc["wind_copy"] if sc.get("wind_copy") else Path(sc["wind_file"])
    if file_sha256(path) != sc["wind_sha256"]:  # OSError: reported by the caller
        raise ValueError(f"--rerun {run_dir}: the wind file {path} differs from the run's "
                         "record (sha256): it was changed after the run")  # fmt: skip
    return str(path)
