"""The simulated vehicle's parameters (the MAVLink parameter protocol that serves them:
:mod:`longwing.mavlink.param_protocol`).

:class:`ParamStore` holds every parameter the vehicle exposes, in a stable order (the index a
GCS caches):

1. the autopilot table of :mod:`longwing.control.params` (table order, units as there:
   degrees, percent; defaults from :func:`~longwing.control.params.defaults_for` of the
   airframe);
2. the :class:`~longwing.mission.failsafe.FailsafeSettings` fields (field order);
3. the :class:`~longwing.mission.manager.MissionSettings` fields not already in 1. Three names
   are in both tables and are one parameter feeding both: ``AIRSPEED_CRUISE`` (default: the
   airframe's cruise), ``WP_RADIUS`` and ``WP_LOITER_RAD`` (default: MissionSettings', 120 m,
   the radius the mission manager flies; the L1 record's copy is not read by the kernels).
   Two fields are longer than the 16 characters MAVLink carries and travel under the
   ArduPlane parameter of the same meaning (see :data:`MISSION_ALIASES`):
   ``LAND_APPROACH_SPD`` -> ``TECS_LAND_ARSPD`` (m/s) and ``TKOFF_CLIMB_PITCH`` ->
   ``TKOFF_LVL_PITCH``, in **degrees** as ArduPlane's (MissionSettings holds radians;
   :meth:`ParamStore.mission_settings` converts). Its default and ``TKOFF_ROTATE_SPD``'s are
   the airframe's launch values, which the runner flies;
4. vehicle parameters: ``SYSID_THISMAV`` (INT16, 1..255, this vehicle's MAVLink system id),
   ``SIM_SPEEDUP`` (REAL32, read-only: the instance's simulation speed-up), and
   ``TERRAIN_ENABLE``/``TERRAIN_SPACING`` (the terrain protocol, mavlink/terrain_protocol.py).

Types (MAV_PARAM_TYPE): REAL32 for every float; INT8 for the enumerated settings
(``FS_GCS_ENABL``, ``FS_*_ACTN``, ``FENCE_ACTION``, ``RTL_AUTOLAND``); INT16 for
``SYSID_THISMAV``. Integer parameters hold Python ``int`` and refuse non-integral values.

Validation is longwing's own: the control table's ranges and cross-parameter orderings
(:func:`~longwing.control.params.validate_values`), ``FailsafeSettings`` /
``MissionSettings`` construction (ValueError), plus the sanity range of each failsafe,
mission and vehicle row below. A refused set changes nothing.

Values on the wire (PARAM_ENCODE_C_CAST): :mod:`longwing.mavlink.param_protocol`.

Files: ArduPilot's ``.parm`` text (MAVProxy ``param save``/``param load``): one
``NAME VALUE`` per line (name padded to 16, alphabetical; integers written as integers,
floats as the shortest decimal that reads back exactly), ``#`` starts a comment, commas are
accepted as separators on reading. A file may hold a subset; names it does not mention keep
their values; read-only parameters in a file are skipped. Unknown names and bad values raise
:class:`ParamFileError` naming the file, line and parameter. Writes are atomic (a temporary
file in the same directory, then ``os.replace``).
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import MappingProxyType

from longwing.airframe.params import Airframe
from longwing.control.params import MAX_NAME_LEN, PARAMS, default_values, defaults_for
from longwing.control.params import validate_values as validate_autopilot
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.manager import MissionSettings
from longwing.mission.planfile import atomic_write_text

# MAVLink's MAV_PARAM_TYPE values (common.xml; tests/test_params.py checks them against
# pymavlink). Written out so that `longwing fly --param` does not load the MAVLink dialect
# (11 MB resident).
UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64, REAL32, REAL64 = range(1, 11)

#: bounds of the integer MAV_PARAM_TYPEs
INT_BOUNDS: Mapping[int, tuple[int, int]] = MappingProxyType({
    UINT8: (0, 2**8 - 1), INT8: (-(2**7), 2**7 - 1),
    UINT16: (0, 2**16 - 1), INT16: (-(2**15), 2**15 - 1),
    UINT32: (0, 2**32 - 1), INT32: (-(2**31), 2**31 - 1),
    UINT64: (0, 2**64 - 1), INT64: (-(2**63), 2**63 - 1),
})  # fmt: skip
TYPE_NAMES: Mapping[int, str] = MappingProxyType(dict(zip(
    range(1, 11),
    ("UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "UINT64", "INT64", "REAL32", "REAL64"),
    strict=True,
)))  # fmt: skip

#: MissionSettings field -> the (ArduPlane) parameter name it travels under
MISSION_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "LAND_APPROACH_SPD": "TECS_LAND_ARSPD",
        "TKOFF_CLIMB_PITCH": "TKOFF_LVL_PITCH",
        "LAND_ABORT_SLOPE": "LAND_ABORT_DEG",
    }
)


class ParamFileError(ValueError):
    """A parameter file that cannot be used; the message names file, line and parameter."""


# --- the parameter table ------------------------------------------------------------------


@dataclass(frozen=True)
class ParamInfo:
    """One exposed parameter. ``groups``: which of "autopilot", "failsafe", "mission",
    "vehicle" it feeds; ``field`` and ``scale``: the settings field it sets with
    ``field value = value * scale`` (TKOFF_LVL_PITCH: degrees -> radians); ``allowed``: the
    permitted values of an enumeration (empty: any value in [lo, hi])."""

    name: str
    index: int
    param_type: int
    unit: str
    default: float | int
    lo: float
    hi: float
    doc: str
    groups: tuple[str, ...]
    allowed: tuple[int, ...] = ()
    read_only: bool = False
    field: str = ""
    scale: float = 1.0

    @property
    def is_integer(self) -> bool:
        return self.param_type in INT_BOUNDS

    def range_text(self) -> str:
        if self.allowed:
            return "one of " + ", ".join(str(v) for v in self.allowed)
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.lo:g}, {self.hi:g}]{unit}"


@dataclass(frozen=True)
class _Spec:
    """A failsafe / mission / vehicle row (autopilot rows come from the control table)."""

    name: str
    field: str
    param_type: int
    unit: str
    lo: float
    hi: float
    doc: str
    allowed: tuple[int, ...] = ()
    scale: float = 1.0
    read_only: bool = False


_DAY_S = 86400.0
_FAILSAFE: tuple[_Spec, ...] = (
    _Spec("FS_GCS_ENABL", "FS_GCS_ENABL", INT8, "", 0, 1, "GCS link-loss failsafe: 0 off, 1 on",
          (0, 1)),
    _Spec("FS_SHORT_ACTN", "FS_SHORT_ACTN", INT8, "", 0, 1,
          "short link loss: 0 CIRCLE (carry on in AUTO), 1 CIRCLE", (0, 1)),
    _Spec("FS_SHORT_TIMEOUT", "FS_SHORT_TIMEOUT", REAL32, "s", 0.1, 3600,
          "link loss before the short failsafe"),
    _Spec("FS_LONG_ACTN", "FS_LONG_ACTN", INT8, "", 0, 1,
          "long link loss: 0 carry on in AUTO (else RTL), 1 RTL", (0, 1)),
    _Spec("FS_LONG_TIMEOUT", "FS_LONG_TIMEOUT", REAL32, "s", 0.1, _DAY_S,
          "link loss before the long failsafe (> FS_SHORT_TIMEOUT)"),
    _Spec("FS_FUEL_ACTN", "FS_FUEL_ACTN", INT8, "", 0, 1,
          "low fuel: 0 report only, 1 land at the landing site with the largest margin", (0, 1)),
    _Spec("FS_FUEL_RSV_PCT", "FS_FUEL_RSV_PCT", REAL32, "%", 0, 100,
          "fuel reserve at touchdown, percent of tank capacity (the larger of the two)"),
    _Spec("FS_FUEL_RSV_KG", "FS_FUEL_RSV_KG", REAL32, "kg", 0, 1000,
          "fuel reserve at touchdown, kg (the larger of the two)"),
    _Spec("LAUNCH_WX_CHECK", "LAUNCH_WX_CHECK", INT8, "", 0, 1,
          "1: refuse a launch beyond the airframe's wind and turbulence limits", (0, 1)),
    _Spec("FENCE_ACTION", "FENCE_ACTION", INT8, "", 0, 4,
          "fence breach: 0 none, 1 guided to the return point, 2 report, 4 RTL", (0, 1, 2, 4)),
    _Spec("FS_GPS_TIMEOUT", "FS_GPS_TIMEOUT", REAL32, "s", 0.1, _DAY_S,
          "dead reckoning before FS_GPS_ACTN"),
    _Spec("FS_GPS_ACTN", "FS_GPS_ACTN", INT8, "", 0, 2,
          "GNSS lost: 0 carry on, 1 CIRCLE until it returns, 2 RTL", (0, 1, 2)),
    _Spec("FS_ENGINE_ACTN", "FS_ENGINE_ACTN", INT8, "", 0, 1,
          "engine out: 0 report only, 1 glide to a reachable site or land ahead", (0, 1)),
    _Spec("GLIDE_MARGIN_M", "GLIDE_MARGIN_M", REAL32, "m", 0, 10000,
          "height kept in hand when judging a glide's reach"),
)  # fmt: skip

_MISSION: tuple[_Spec, ...] = (
    _Spec("RTL_ALTITUDE", "RTL_ALTITUDE", REAL32, "m", 0, 10000, "RTL altitude above home"),
    _Spec("RTL_AUTOLAND", "RTL_AUTOLAND", INT8, "", 0, 2,
          "RTL: 0 loiter at home, 1/2 fly the DO_LAND_START sequence", (0, 1, 2)),
    _Spec("TKOFF_ALT", "TKOFF_ALT", REAL32, "m", 0, 10000,
          "take-off altitude above home (mission without NAV_TAKEOFF)"),
    _Spec("LAND_FLARE_ALT", "LAND_FLARE_ALT", REAL32, "m", 0, 30,
          "flare height above the landing point"),
    _Spec("LAND_FLARE_SINK", "LAND_FLARE_SINK", REAL32, "m/s", 0, 5,
          "sink rate demanded in the flare"),
    _Spec("LAND_FLARE_SEC", "LAND_FLARE_SEC", REAL32, "s", 0, 10,
          "flare this long before the ground at the present sink"),
    _Spec("TECS_LAND_ARSPD", "LAND_APPROACH_SPD", REAL32, "m/s", 5, 150,
          "airspeed on the final approach (MissionSettings.LAND_APPROACH_SPD)"),
    _Spec("TKOFF_LVL_PITCH", "TKOFF_CLIMB_PITCH", REAL32, "deg", 0, 45,
          "minimum pitch in the climb-out (MissionSettings.TKOFF_CLIMB_PITCH, in rad)",
          scale=math.pi / 180.0),
    _Spec("TKOFF_ROTATE_SPD", "TKOFF_ROTATE_SPD", REAL32, "m/s", 0, 150,
          "airspeed to rotate on a runway take-off"),
    _Spec("ECO_SPEED", "ECO_SPEED", INT8, "", 0, 1,
          "economy speed: 1 straight legs fly the speed to fly for range in the estimated "
          "wind (within the airspeed limits), 0 the mission's airspeed", (0, 1)),
    _Spec("LAND_DECIDE_ALT", "LAND_DECIDE_ALT", REAL32, "m", 0, 1000,
          "height of the glide slope from which the approach is judged (go-around)"),
    _Spec("LAND_ABORT_DEG", "LAND_ABORT_SLOPE", REAL32, "deg", 0, 90,
          "go around when the touchdown zone needs a slope this much steeper than planned "
          "(MissionSettings.LAND_ABORT_SLOPE, in rad)", scale=math.pi / 180.0),
    _Spec("LAND_ATTEMPTS", "LAND_ATTEMPTS", INT8, "", 1, 10,
          "approaches to one landing before loitering over home"),
    _Spec("TERRAIN_LOOKAHD", "TERRAIN_LOOKAHD", REAL32, "m", 0, 10000,
          "terrain ahead a terrain-following leg climbs for (with a DEM)"),
    _Spec("TERRAIN_FOLLOW", "TERRAIN_FOLLOW", INT8, "", 0, 1,
          "1: RTL flies home at RTL_ALTITUDE above the terrain (needs terrain)", (0, 1)),
    _Spec("RNGFND_LANDING", "RNGFND_LANDING", INT8, "", 0, 1,
          "1: landings take the height above the ground from the airframe's rangefinder",
          (0, 1)),
)  # fmt: skip

_VEHICLE: tuple[_Spec, ...] = (
    _Spec("SYSID_THISMAV", "", INT16, "", 1, 255, "MAVLink system id of this vehicle"),
    _Spec(
        "SIM_SPEEDUP",
        "",
        REAL32,
        "",
        0.01,
        10000,
        "simulation speed relative to real time (read-only)",
        read_only=True,
    ),
    _Spec(
        "TERRAIN_ENABLE",
        "",
        INT8,
        "",
        0,
        1,
        "1: ask the ground station for terrain (TERRAIN_REQUEST) when the SITL has no "
        "--dem, and report it (TERRAIN_REPORT)",
        (0, 1),
    ),
    _Spec("TERRAIN_SPACING", "", INT16, "m", 5, 1000, "grid spacing of the terrain asked for"),
)

_SHARED_MISSION = ("AIRSPEED_CRUISE", "WP_RADIUS", "WP_LOITER_RAD")
_MISSION_DEFAULT_WINS = ("WP_LOITER_RAD",)  # the manager flies MissionSettings' value


def is_number(value: object) -> bool:
    """A real number (not a bool): what a parameter value must be."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _coerce(info: ParamInfo, value: object) -> float | int:
    """``value`` as this parameter holds it; ValueError naming the parameter."""
    name = info.name
    if not is_number(value):
        raise ValueError(f"{name} must be a number in {info.range_text()}, got {value!r}")
    try:
        v = float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if info.is_integer:
        if v != math.floor(v):
            raise ValueError(f"{name} must be an integer ({info.range_text()}), got {v:g}")
        iv = int(v)
        if info.allowed and iv not in info.allowed:
            raise ValueError(f"{name} = {iv}: expected {info.range_text()}")
        if not info.lo <= iv <= info.hi:
            raise ValueError(f"{name} = {iv} is outside {info.range_text()}")
        return iv
    if not info.lo <= v <= info.hi:
        raise ValueError(f"{name} = {v:g} is outside {info.range_text()}")
    return v


def _fmt(v: float | int) -> str:
    """A value as written to files: integers plain, floats the shortest exact decimal."""
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


_SPLIT = re.compile(r"[\s,]+")


class ParamStore:
    """Every parameter of the simulated vehicle (see the module doc for order, types, units).

    Initial values: the defaults (of ``airframe`` if given), then the fields of ``failsafe``
    and ``mission`` if given (shared names take mission's value), then ``autopilot``
    overrides (control-table units), then, if ``path`` exists, that file. ``path`` given:
    every accepted change is written there at once (created with the initial values if
    missing), one file per SITL instance. ValueError (ParamFileError for the file) if the
    initial values are not valid.
    """

    def __init__(
        self,
        airframe: Airframe | None = None,
        *,
        autopilot: Mapping[str, float] | None = None,
        failsafe: FailsafeSettings | None = None,
        mission: MissionSettings | None = None,
        sysid: int = 1,
        sim_speedup: float = 1.0,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        self._infos: dict[str, ParamInfo] = {}
        self.path: Path | None = None
        ap_defaults = defaults_for(airframe) if airframe is not None else default_values()
        fs_defaults = FailsafeSettings()
        ms_defaults = MissionSettings()
        if airframe is not None:
            launch = airframe.launch
            ms_field_defaults = {
                "TKOFF_CLIMB_PITCH": launch.climb_pitch_rad,
                "TKOFF_ROTATE_SPD": launch.rotate_speed_mps,
            }
        else:
            ms_field_defaults = {}

        def add(name, param_type, unit, default, lo, hi, doc, groups, **kw) -> None:
            assert len(name) <= MAX_NAME_LEN and name not in self._infos, name
            info = ParamInfo(name, len(self._infos), param_type, unit, default, lo, hi, doc,
                             groups, **kw)  # fmt: skip
            self._infos[name] = replace(info, default=_coerce(info, default))

        for p in PARAMS:
            groups = ("autopilot", "mission") if p.name in _SHARED_MISSION else ("autopilot",)
            default = ap_defaults[p.name]
            field = p.name if p.name in _SHARED_MISSION else ""
            if p.name in _MISSION_DEFAULT_WINS:
                default = getattr(ms_defaults, p.name)
            add(p.name, REAL32, p.unit, default, p.lo, p.hi, p.doc, groups, field=field)
        for s in _FAILSAFE:
            add(s.name, s.param_type, s.unit, getattr(fs_defaults, s.field), s.lo, s.hi, s.doc,
                ("failsafe",), allowed=s.allowed, field=s.field)  # fmt: skip
        for s in _MISSION:
            raw = ms_field_defaults.get(s.field, getattr(ms_defaults, s.field))
            add(s.name, s.param_type, s.unit, float(round(raw / s.scale, 9)) if s.scale != 1.0
                else raw, s.lo, s.hi, s.doc, ("mission",), allowed=s.allowed, field=s.field,
                scale=s.scale)  # fmt: skip
        vehicle_defaults = {"SYSID_THISMAV": sysid, "SIM_SPEEDUP": sim_speedup,
                            "TERRAIN_ENABLE": 1, "TERRAIN_SPACING": 100}  # fmt: skip
        for s in _VEHICLE:
            add(s.name, s.param_type, s.unit, vehicle_defaults[s.name], s.lo, s.hi, s.doc,
                ("vehicle",), read_only=s.read_only, allowed=s.allowed)  # fmt: skip
        self._names = tuple(self._infos)
        self._by_group = {
            g: tuple(n for n, i in self._infos.items() if g in i.groups)
            for g in ("autopilot", "failsafe", "mission", "vehicle")
        }
        self._values: dict[str, float | int] = {n: i.default for n, i in self._infos.items()}
        self._check_config(self._values)

        initial: dict[str, object] = {}
        if failsafe is not None:
            initial.update(self._from_settings(failsafe, "failsafe"))
        if mission is not None:
            initial.update(self._from_settings(mission, "mission"))
        initial.update(autopilot or {})
        if initial:
            self._apply(initial, persist=False)
        if path is not None:
            p = Path(path)
            if p.exists():
                self._load(p, persist=False)
            self.path = p
            if not p.exists():
                try:
                    self.save(p)
                except OSError as exc:
                    raise ParamFileError(f"{p}: cannot write: {exc.strerror or exc}") from None

    # --- table access ---------------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        """All names, in index order."""
        return self._names

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._infos

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def info(self, name: str) -> ParamInfo:
        """Type, unit, default, range, doc of ``name`` (KeyError if unknown)."""
        return self._infos[name]

    def index(self, name: str) -> int:
        return self._infos[name].index

    def name_at(self, index: int) -> str:
        return self._names[index]

    def get(self, name: str) -> float | int:
        """The value in force (KeyError if unknown)."""
        return self._values[name]

    def values(self) -> dict[str, float | int]:
        """Name -> value, in index order (a copy)."""
        return dict(self._values)

    def defaults(self) -> dict[str, float | int]:
        return {n: i.default for n, i in self._infos.items()}

    # --- changes --------------------------------------------------------------------------

    def set(self, name: str, value: object) -> tuple[bool, float | int | None, str]:
        """Set one parameter: ``(accepted, value now in force, message)``. Refused (nothing
        changes) if unknown (value ``None``), read-only, of the wrong type, not finite, out of
        range, breaking a cross-parameter rule, or if the file cannot be written."""
        if not isinstance(name, str) or name not in self._infos:
            return False, None, self.unknown_name_text(name)
        try:
            self._apply({name: value})
        except ValueError as exc:
            return False, self._values[name], str(exc)
        v = self._values[name]
        return True, v, f"{name} = {_fmt(v)}"

    def update(self, values: Mapping[str, object]) -> None:
        """Set several parameters at once, validated together (orderings are checked on the
        result, so AIRSPEED_MIN and AIRSPEED_CRUISE can be raised together). ValueError
        naming the parameter; nothing changes then."""
        self._apply(values)

    def unknown_name_text(self, name: object) -> str:
        """Why ``name`` is not a parameter, with the closest name if one is near."""
        if not isinstance(name, str):
            return f"parameter name must be a string, got {name!r}"
        close = difflib.get_close_matches(name, self._names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown parameter {name!r}{hint}"

    def _apply(self, values: Mapping[str, object], persist: bool = True) -> None:
        cand = dict(self._values)
        for name, value in values.items():
            info = self._infos.get(name) if isinstance(name, str) else None
            if info is None:
                raise ValueError(self.unknown_name_text(name))
            v = _coerce(info, value)
            if info.read_only and v != self._values[name]:
                raise ValueError(f"{name} is read-only")
            cand[name] = v
        self._check_config(cand)
        if persist and self.path is not None and cand != self._values:
            try:
                _atomic_write(self.path, self._render(cand))
            except OSError as exc:
                raise ValueError(f"cannot save parameters to {self.path}: "
                                 f"{exc.strerror or exc}") from None  # fmt: skip
        self._values = cand

    def _check_config(self, vals: Mapping[str, float | int]) -> None:
        validate_autopilot({n: vals[n] for n in self._by_group["autopilot"]})
        try:
            self._failsafe_from(vals)
            self._mission_from(vals)
        except TypeError as exc:  # a settings class refusing a value's type
            raise ValueError(str(exc)) from None

    # --- settings -------------------------------------------------------------------------

    def _field_value(self, info: ParamInfo, v: float | int) -> float | int:
        if info.is_integer:
            return int(v)
        return float(v) * info.scale if info.scale != 1.0 else float(v)

    def _failsafe_from(self, vals: Mapping[str, float | int]) -> FailsafeSettings:
        infos = (self._infos[n] for n in self._by_group["failsafe"])
        return FailsafeSettings(**{i.field: self._field_value(i, vals[i.name]) for i in infos})

    def _mission_from(self, vals: Mapping[str, float | int]) -> MissionSettings:
        infos = (self._infos[n] for n in self._by_group["mission"])
        return MissionSettings(**{i.field: self._field_value(i, vals[i.name]) for i in infos})

    def _from_settings(self, settings: object, group: str) -> dict[str, object]:
        out: dict[str, object] = {}
        known = {f.name for f in fields(settings)}  # type: ignore[arg-type]
        for n in self._by_group[group]:
            info = self._infos[n]
            if info.field in known:
                raw = getattr(settings, info.field)
                out[n] = float(round(raw / info.scale, 9)) if info.scale != 1.0 else raw
        return out

    def autopilot_overrides(self) -> dict[str, float]:
        """The autopilot parameters for ``FlightScenario.autopilot`` / ``build_params``: the
        complete set (valid on its own, with or without the airframe), except
        ``TRIM_THROTTLE`` while it holds its default, so the runner's trim throttle at cruise
        applies as in ``longwing fly``."""
        out = {}
        for n in self._by_group["autopilot"]:
            v = float(self._values[n])
            if n == "TRIM_THROTTLE" and v == self._infos[n].default:
                continue
            out[n] = v
        return out

    def failsafe_settings(self) -> FailsafeSettings:
        return self._failsafe_from(self._values)

    def mission_settings(self) -> MissionSettings:
        """MissionSettings in its units (TKOFF_CLIMB_PITCH in radians)."""
        return self._mission_from(self._values)

    # --- files ----------------------------------------------------------------------------

    def _render(self, vals: Mapping[str, float | int]) -> str:
        lines = ["# longwing vehicle parameters (ArduPilot .parm: NAME VALUE)"]
        lines += [f"{n:<16} {_fmt(vals[n])}" for n in sorted(vals)]
        return "\n".join(lines) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every parameter to ``path`` (.parm, atomically). OSError if it cannot."""
        _atomic_write(Path(path), self._render(self._values))

    def load(self, path: str | os.PathLike[str]) -> None:
        """Apply a .parm file (validated as a whole: all or nothing); persisted if the store
        has a path. ParamFileError (one line: file, line, parameter, problem) if it cannot."""
        self._load(Path(path), persist=True)

    def _load(self, path: Path, persist: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise ParamFileError(f"{path}: cannot read parameter file: {why}") from None
        found: dict[str, tuple[float, int]] = {}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p for p in _SPLIT.split(line) if p]
            where = f"{path}:{lineno}"
            if len(parts) != 2:
                raise ParamFileError(f"{where}: expected 'NAME VALUE', got {line!r}")
            name, text_value = parts
            if name not in self._infos:
                raise ParamFileError(f"{where}: {self.unknown_name_text(name)}")
            if name in found:
                raise ParamFileError(f"{where}: {name} set again (first on line {found[name][1]})")
            try:
                value = float(text_value)
            except ValueError:
                raise ParamFileError(f"{where}: {name}: {text_value!r} is not a number") from None
            info = self._infos[name]
            if info.read_only:
                found[name] = (self._values[name], lineno)
                continue
            try:
                found[name] = (_coerce(info, value), lineno)
            except ValueError as exc:
                raise ParamFileError(f"{where}: {exc}") from None
        try:
            self._apply({n: v for n, (v, _) in found.items()}, persist=persist)
        except ValueError as exc:
            msg = str(exc)
            lines = [ln for n, (_, ln) in found.items() if re.search(rf"\b{n}\b", msg)]
            where = f"{path}:{max(lines)}" if lines else f"{path}"
            raise ParamFileError(f"{where}: {msg}") from None
