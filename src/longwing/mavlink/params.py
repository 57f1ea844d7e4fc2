"""The simulated vehicle's parameters (the MAVLink parameter protocol that serves them:
:mod:`longwing.mavlink.param_protocol`).

:class:`ParamStore` holds every parameter the vehicle exposes, in a stable order (the index a
GCS caches):

1. the autopilot table of :mod:`longwing.control.params` (table order, units as there:
   degrees, percent; defaults from :func:`~longwing.control.params.defaults_for` of the
   airframe);
2. the :class:`~longwing.mission.failsafe.FailsafeSettings` rows, then 3. the
   :class:`~longwing.mission.manager.MissionSettings` rows not already in 1 (both tables in
   :mod:`longwing.mavlink.param_table`, which maps each parameter to its settings field:
   ArduPlane names where ArduPlane has the setting, ``LW_`` names for longwing's own, e.g.
   ``LW_FS_FUEL_ACTN`` -> ``FailsafeSettings.FS_FUEL_ACTN``; ``FENCE_ACTION`` translates
   ArduPlane's values 0/1/6 to the field's). Three names are in the autopilot table and
   MissionSettings and are one parameter feeding both: ``AIRSPEED_CRUISE`` (default: the
   airframe's cruise), ``WP_RADIUS`` and ``WP_LOITER_RAD`` (default: MissionSettings', 120 m,
   the radius the mission manager flies; the L1 record's copy is not read by the kernels).
   ``TKOFF_LVL_PITCH`` and ``LAND_ABORT_DEG`` are in **degrees** as ArduPlane's
   (MissionSettings holds radians; :meth:`ParamStore.mission_settings` converts);
   ``TKOFF_LVL_PITCH``'s default and ``TKOFF_ROTATE_SPD``'s are the airframe's launch values;
4. vehicle parameters: ``SYSID_THISMAV`` (INT16, 1..255, this vehicle's MAVLink system id),
   ``SIM_SPEEDUP`` (REAL32, read-only: the instance's simulation speed-up), and
   ``TERRAIN_ENABLE``/``TERRAIN_SPACING`` (the terrain protocol, mavlink/terrain_protocol.py);
5. the ArduPlane families of :mod:`longwing.mavlink.param_ardupilot` (FLTMODE*, RCn_*,
   SERVOn_*, SRn_*, FENCE_*, BATT_*, ARSPD_*, LOG_*, ...), accepted but ignored for now.

Types (MAV_PARAM_TYPE): REAL32 for every float, INT8/INT16/INT32 for integers as
ArduPilot's AP_Int8/16/32. Integer parameters hold Python ``int``; honoured ones refuse
non-integral values, ignored ones store them as ArduPilot does
(:func:`~longwing.mavlink.param_table.ardupilot_int`).

Validation (docs/parameters.md, "Out-of-range values"): an honoured parameter must be in its
range (enumerations: one of their values) and pass the control table's cross-parameter
orderings (:func:`~longwing.control.params.validate_values`) and ``FailsafeSettings`` /
``MissionSettings`` construction; an accepted-but-ignored one takes any value its type holds,
as ArduPilot's parameter store does. A refused set changes nothing.

Reading them: :meth:`ParamStore.get` (``store.get("FLTMODE_CH")``), :meth:`ParamStore.info`
(type, unit, range, values), :meth:`ParamStore.names`.

Values on the wire (PARAM_ENCODE_C_CAST): :mod:`longwing.mavlink.param_protocol`.

Files: ArduPilot's ``.parm`` text (MAVProxy ``param save``/``param load``): one
``NAME VALUE`` per line (name padded to 16, alphabetical; integers written as integers,
floats as the shortest decimal that reads back exactly), ``#`` starts a comment, commas are
accepted as separators on reading. A file may hold a subset; names it does not mention keep
their values; read-only parameters in a file are skipped. Unknown names and bad values raise
:class:`ParamFileError` naming the file, line and parameter. Writes are atomic (a temporary
file in the same directory, then ``os.replace``). A file of an earlier longwing version
(one holding a name of :data:`~longwing.mavlink.param_table.RENAMED`) is read with today's
names and FENCE_ACTION's numbering.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import fields, replace
from pathlib import Path

from longwing.airframe.params import Airframe
from longwing.control.params import MAX_NAME_LEN, PARAMS, default_values, defaults_for
from longwing.control.params import validate_values as validate_autopilot
from longwing.mavlink.param_ardupilot import ardupilot_rows
from longwing.mavlink.param_table import (
    FAILSAFE_ROWS,
    INT_BOUNDS,
    LEGACY_FENCE_ACTION,
    MISSION_ALIASES,
    MISSION_DEFAULT_WINS,
    MISSION_ROWS,
    REAL32,
    RENAMED,
    SHARED_MISSION,
    TYPE_NAMES,
    VEHICLE_ROWS,
    ParamInfo,
    coerce,
    is_number,
)
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.manager import MissionSettings
from longwing.mission.planfile import atomic_write_text

__all__ = [
    "INT_BOUNDS", "MISSION_ALIASES", "REAL32", "TYPE_NAMES", "ParamFileError", "ParamInfo",
    "ParamStore", "is_number",
]  # fmt: skip
GROUPS = ("autopilot", "failsafe", "mission", "vehicle", "ardupilot")


class ParamFileError(ValueError):
    """A parameter file that cannot be used; the message names file, line and parameter."""


def _fmt(v: float | int) -> str:
    """A value as written to files: integers plain, floats the shortest exact decimal."""
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


def _int_or_none(text: str) -> int | None:
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return None


def _to_param(raw: float | int, scale: float, value_map: tuple[tuple[int, int], ...]) -> object:
    """A settings field's value as its parameter's (the inverse of the field mapping)."""
    if value_map:
        back = {f: p for p, f in value_map}
        return back.get(raw, raw)  # a field value with no parameter value: refused later
    return float(round(raw / scale, 9)) if scale != 1.0 else raw


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
            self._infos[name] = replace(info, default=coerce(info, default))

        for p in PARAMS:
            groups = ("autopilot", "mission") if p.name in SHARED_MISSION else ("autopilot",)
            default = ap_defaults[p.name]
            field = p.name if p.name in SHARED_MISSION else ""
            if p.name in MISSION_DEFAULT_WINS:
                default = getattr(ms_defaults, p.name)
            add(p.name, REAL32, p.unit, default, p.lo, p.hi, p.doc, groups, field=field)
        rows = [(s, "failsafe", getattr(fs_defaults, s.field)) for s in FAILSAFE_ROWS] + [
            (s, "mission", ms_field_defaults.get(s.field, getattr(ms_defaults, s.field)))
            for s in MISSION_ROWS
        ]
        for s, group, raw in rows:
            add(s.name, s.param_type, s.unit, _to_param(raw, s.scale, s.value_map), s.lo, s.hi,
                s.doc, (group,), values=s.values, field=s.field, value_map=s.value_map,
                scale=s.scale)  # fmt: skip
        vehicle_defaults = {"SYSID_THISMAV": sysid, "SIM_SPEEDUP": sim_speedup,
                            "TERRAIN_ENABLE": 1, "TERRAIN_SPACING": 100}  # fmt: skip
        for s in VEHICLE_ROWS:
            add(s.name, s.param_type, s.unit, vehicle_defaults[s.name], s.lo, s.hi, s.doc,
                ("vehicle",), read_only=s.read_only, values=s.values)  # fmt: skip
        for s in ardupilot_rows():
            add(s.name, s.param_type, s.unit, s.default, s.lo, s.hi, s.doc, ("ardupilot",),
                values=s.values, bitmask=s.bitmask, ignored=not s.honoured, user=s.user,
                display=s.display)  # fmt: skip
        self._names = tuple(self._infos)
        self._by_group = {
            g: tuple(n for n, i in self._infos.items() if g in i.groups) for g in GROUPS
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
        if name in RENAMED:
            return f"unknown parameter {name!r} (now {RENAMED[name]}, see docs/parameters.md)"
        close = difflib.get_close_matches(name, self._names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown parameter {name!r}{hint}"

    def _apply(self, values: Mapping[str, object], persist: bool = True) -> None:
        cand = dict(self._values)
        for name, value in values.items():
            info = self._infos.get(name) if isinstance(name, str) else None
            if info is None:
                raise ValueError(self.unknown_name_text(name))
            v = coerce(info, value)
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
            return dict(info.value_map).get(int(v), int(v))
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
                out[n] = _to_param(getattr(settings, info.field), info.scale, info.value_map)
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
        rows: list[tuple[int, str, str]] = []
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p for p in _SPLIT.split(line) if p]
            if len(parts) != 2:
                raise ParamFileError(f"{path}:{lineno}: expected 'NAME VALUE', got {line!r}")
            rows.append((lineno, parts[0], parts[1]))
        legacy = any(name in RENAMED for _, name, _ in rows)  # an earlier version's file
        for lineno, name, text_value in rows:
            where = f"{path}:{lineno}"
            if legacy and name in RENAMED:
                name = RENAMED[name]
            elif legacy and name == "FENCE_ACTION":
                text_value = str(LEGACY_FENCE_ACTION.get(_int_or_none(text_value), text_value))
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
                found[name] = (coerce(info, value), lineno)
            except ValueError as exc:
                raise ParamFileError(f"{where}: {exc}") from None
        try:
            self._apply({n: v for n, (v, _) in found.items()}, persist=persist)
        except ValueError as exc:
            msg = str(exc)
            lines = [ln for n, (_, ln) in found.items() if re.search(rf"\b{n}\b", msg)]
            where = f"{path}:{max(lines)}" if lines else f"{path}"
            raise ParamFileError(f"{where}: {msg}") from None
