"""Value formatting for report.html, and the declarative tables of what the report shows.

Every summary value the report prints goes through a :class:`Row` (key, label, unit, format):
keys that no row names are not shown, and a missing, ``None`` or non-finite value gives no
row at all (never the text "None").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple


class Row(NamedTuple):
    """One summary row: ``key`` (dotted for nested dicts, e.g. ``touchdown.sink_mps``), the
    human ``label``, the ``unit`` and the format: a format spec (``.1f``, ``+.1f``, ``d``,
    ``.1%``) or one of ``duration``, ``clock``, ``yesno``, ``position``, ``list``, ``text``."""

    key: str
    label: str
    unit: str = ""
    fmt: str = ".1f"


# The summary table of `longwing fly` and `longwing sim`, in groups; keys are all optional.
SUMMARY_GROUPS: tuple[tuple[str, tuple[Row, ...]], ...] = (
    (
        "Flight",
        (
            Row("flight_time_s", "Flight time", "", "duration"),
            Row("distance_km", "Distance flown", "km"),
            Row("distance_flown_km", "Distance flown", "km"),
            Row("planned_route_km", "Planned route", "km"),
            Row("displacement_km", "Distance from start", "km"),
            Row("displacement_azimuth_deg", "Bearing from start", "°"),
            Row("fuel_used_kg", "Fuel used", "kg", ".3f"),
            Row("fuel_remaining_kg", "Fuel remaining", "kg", ".3f"),
            Row("fuel_exhausted_t_s", "Fuel exhausted at", "", "clock"),
            Row("mean_groundspeed_mps", "Mean ground speed", "m/s"),
            Row("mean_tas_mps", "Mean true airspeed", "m/s"),
            Row("camera_triggers", "Camera triggers", "", "d"),
            Row("final", "Final position", "", "position"),
        ),
    ),
    (
        "Tracking and navigation",
        (
            Row("rms_xtrack_m", "Cross-track RMS", "m"),
            Row("max_xtrack_m", "Cross-track max", "m"),
            Row("rms_alt_err_m", "Altitude error RMS", "m"),
            Row("max_abs_alt_err_m", "Altitude error max", "m"),
            Row("rms_airspeed_err_mps", "Airspeed error RMS", "m/s", ".2f"),
            Row("nav_rms_pos_err_m", "Navigation position error RMS", "m"),
            Row("nav_max_pos_err_m", "Navigation position error max", "m"),
            Row("nav_rms_wind_err_mps", "Wind estimate error RMS", "m/s", ".2f"),
        ),
    ),
    (
        "Touchdown",
        (
            Row("touchdown.t_s", "Time", "", "clock"),
            Row("touchdown.sink_mps", "Sink rate", "m/s", ".2f"),
            Row("touchdown.groundspeed_mps", "Ground speed", "m/s"),
            Row("touchdown.bank_deg", "Bank", "°"),
            Row("touchdown.pitch_deg", "Pitch", "°"),
            Row("touchdown.along_m", "Along the landing point (+ beyond)", "m", "+.1f"),
            Row("touchdown.across_m", "Across the landing point (+ right)", "m", "+.1f"),
            Row("touchdown.distance_m", "Distance from the landing point", "m"),
            Row("touchdown", "Position", "", "position"),
            Row("touchdown.within_limits", "Within the airframe's limits", "", "yesno"),
            Row("touchdown.violations", "Limits exceeded", "", "list"),
        ),
    ),
    (
        "Trim (start of flight)",
        (
            Row("trim.alpha_deg", "Angle of attack", "°", ".2f"),
            Row("trim.elevator_deg", "Elevator", "°", ".2f"),
            Row("trim.throttle", "Throttle", "", ".1%"),
        ),
    ),
    (
        "Run",
        (
            Row("wall_time_s", "Wall-clock time", "", "duration"),
            Row("realtime_factor", "Simulation speed", "× real time", ".0f"),
            Row("out_dir", "Run folder", "", "text"),
        ),
    ),
)

# The Scenario section: `summary["scenario"]` of `longwing fly`; for older or open-loop
# summaries the same keys are looked up at the top level.
SCENARIO_ROWS: tuple[Row, ...] = (
    Row("airframe", "Airframe", "", "text"),
    Row("start", "Start", "", "position"),
    Row("wind", "Wind", "", "text"),
    Row("turbulence", "Turbulence", "", "text"),
    Row("seed", "Random seed", "", "d"),
    Row("fuel_kg", "Fuel at launch", "kg", ".3f"),
    Row("max_duration_s", "Time limit", "", "duration"),
    Row("log_hz", "Log rate", "Hz", "g"),
    Row("dt_s", "Integration step", "s", ".4g"),
    Row("hold", "Hold loops", "", "yesno"),
)

END_STATES: Mapping[str, str] = MappingProxyType(
    {
        "landed": "Landed",
        "landed_out": "Landed out",
        "crashed": "Crashed",
        "airborne": "Still airborne",
        "aborted": "Take-off aborted",
        "interrupted": "Interrupted",
        "sim_error": "Simulation error",
    }
)

MISSING = "—"


def lookup(data: Mapping, key: str) -> object:
    """``data[key]`` for a dotted key (``touchdown.sink_mps``); None when any part is missing."""
    cur: object = data
    for part in key.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def is_number(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def finite(v: object) -> bool:
    return is_number(v) and math.isfinite(float(v))


def clock(t_s: float) -> str:
    """Time as hh:mm:ss (hours go past 24 on long flights); whole seconds, truncated."""
    sign = "-" if t_s < 0 else ""
    s = int(math.floor(abs(t_s)))
    return f"{sign}{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def duration(t_s: float) -> str:
    """A duration for people: ``12.3 s``, ``2 min 05 s``, ``1 h 02 min 13 s``."""
    if abs(t_s) < 59.95:
        return f"{t_s:.1f} s"
    s = round(t_s)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h} h {m:02d} min {sec:02d} s" if h else f"{m} min {sec:02d} s"


def lat_lon(lat: object, lon: object, alt: object = None) -> str | None:
    """``47.63012, -52.93011`` (5 decimals, about 1 m), ``, 120 m`` when the height is known."""
    if not (finite(lat) and finite(lon)):
        return None
    text = f"{float(lat):.5f}, {float(lon):.5f}"
    if finite(alt):
        text += f", {float(alt):.0f} m"
    return text


def with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit[0] in "°×%" else f"{text} {unit}"


def format_value(v: object, fmt: str, unit: str = "") -> str | None:
    """The text of one value, or None when there is nothing to show."""
    if v is None:
        return None
    if fmt == "text":
        text = str(v).strip()
        return with_unit(text, unit) if text else None
    if fmt == "yesno":
        return "yes" if v else "no"
    if fmt == "list":
        items = [str(x) for x in v] if isinstance(v, list | tuple) else [str(v)]
        return "; ".join(items) if items else None
    if fmt == "position":
        if not isinstance(v, Mapping):
            return None
        return lat_lon(v.get("lat_deg"), v.get("lon_deg"), v.get("alt_m"))
    if not finite(v):
        return None
    x = float(v)
    if fmt == "duration":
        return duration(x)
    if fmt == "clock":
        return clock(x)
    if fmt == "d":
        return with_unit(str(round(x)), unit)
    text = format(x, fmt)
    if text.startswith("-") and not any(d in text for d in "123456789"):  # -0.0: no sign
        text = ("+" if "+" in fmt else "") + text[1:]
    return with_unit(text, unit)


def format_row(data: Mapping, row: Row) -> str | None:
    return format_value(lookup(data, row.key), row.fmt, row.unit)


def short_sha(sha: object, n: int = 12) -> str | None:
    return str(sha)[:n] if sha else None


def fault_text(f: object) -> str:
    """A fault as the user would type it: ``KIND@T[:DURATION][,PARAM=V]`` (dicts) or as is."""
    if not isinstance(f, Mapping):
        return str(f)
    spec = str(f.get("kind", "?"))
    if finite(f.get("t_s")):
        spec += f"@{float(f['t_s']):g}"
    if finite(f.get("duration_s")):
        spec += f":{float(f['duration_s']):g}"
    extra = [f"{k}={v}" for k, v in f.items() if k not in ("kind", "t_s", "duration_s")]
    return ",".join([spec, *extra])


def param_value(v: object) -> str:
    if is_number(v):
        return f"{float(v):g}" if isinstance(v, float) else str(v)
    return str(v)
