"""The vehicle parameter table: types, metadata and the rows longwing feeds into its settings.

Every parameter the simulated vehicle exposes is one :class:`ParamInfo`: its ArduPlane name
(``LW_`` prefix for longwing's own), MAVLink type, unit, default, published range, enum
values or bitmask bits, a description, the ArduPilot user level, and how longwing uses it:

* **honoured** (``ignored`` False): the value feeds the flight (a settings field, the
  autopilot table of :mod:`longwing.control.params`, or the vehicle). A value outside the
  range (or not one of the enum's values) is refused: longwing's validation, documented as
  its one difference from ArduPilot (docs/parameters.md, "Out-of-range values").
* **accepted but ignored** (``ignored`` True): stored, saved and served like any other, so
  a GCS's setup pages and parameter files work, but nothing in longwing reads it yet. As
  ArduPilot does, any value the type can hold is accepted; the range is advice for the GCS.

This module holds the types, the record and the failsafe / mission / vehicle rows;
:mod:`longwing.mavlink.param_ardupilot` the ArduPlane families longwing accepts (RCn_,
SERVOn_, SRn_, FLTMODE, FENCE_, BATT_, ...); :mod:`longwing.mavlink.params` the store.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# MAVLink's MAV_PARAM_TYPE values (common.xml; tests check them against pymavlink). Written
# out so that `longwing fly --param` does not load the MAVLink dialect (11 MB resident).
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
REAL32_MAX = 3.4028234663852886e38

Labels = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class ParamInfo:
    """One exposed parameter. ``groups``: which of "autopilot", "failsafe", "mission",
    "vehicle", "ardupilot" it feeds; ``field`` and ``scale``: the settings field it sets with
    ``field value = value * scale`` (TKOFF_LVL_PITCH: degrees -> radians), ``value_map`` a
    parameter value -> field value translation (FENCE_ACTION); ``values``: the labelled
    values of an enumeration (honoured: the only ones allowed); ``bitmask``: labelled bits;
    ``ignored``: accepted and stored but not used (any value of the type is accepted)."""

    name: str
    index: int
    param_type: int
    unit: str
    default: float | int
    lo: float
    hi: float
    doc: str
    groups: tuple[str, ...]
    values: Labels = ()
    read_only: bool = False
    field: str = ""
    scale: float = 1.0
    value_map: tuple[tuple[int, int], ...] = ()
    bitmask: Labels = ()
    ignored: bool = False
    user: str = "Standard"
    display: str = ""

    @property
    def is_integer(self) -> bool:
        return self.param_type in INT_BOUNDS

    @property
    def allowed(self) -> tuple[int, ...]:
        """The permitted values of an honoured enumeration (empty: any in [lo, hi])."""
        return () if self.ignored else tuple(v for v, _ in self.values)

    def range_text(self) -> str:
        if self.allowed:
            return "one of " + ", ".join(str(v) for v in self.allowed)
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.lo:g}, {self.hi:g}]{unit}"


@dataclass(frozen=True)
class Row:
    """A failsafe / mission / vehicle / ArduPlane row (autopilot rows come from the control
    table). ``field``: the settings field ("" for vehicle and ArduPlane rows)."""

    name: str
    field: str
    param_type: int
    unit: str
    lo: float
    hi: float
    doc: str
    values: Labels = ()
    scale: float = 1.0
    read_only: bool = False
    value_map: tuple[tuple[int, int], ...] = ()
    bitmask: Labels = ()
    default: float | int | None = None  # the ArduPlane rows' default
    user: str = "Standard"
    display: str = ""
    honoured: bool = False  # an ArduPlane row longwing acts on (else accepted but ignored)


def is_number(value: object) -> bool:
    """A real number (not a bool): what a parameter value must be."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def ardupilot_int(value: float, param_type: int) -> int:
    """An integer parameter's value as ArduPilot's AP_Param::set_float stores ``value``:
    0.01 added away from zero, limited to the type's bounds, truncated toward zero."""
    lo, hi = INT_BOUNDS[param_type]
    v = value + (0.01 if value >= 0 else -0.01)
    return int(min(max(v, lo), hi))


def coerce(info: ParamInfo, value: object) -> float | int:
    """``value`` as this parameter holds it; ValueError naming the parameter. Honoured
    parameters must be within their range (or one of their enum values) and integral for an
    integer type. Accepted-but-ignored ones take any finite value as ArduPilot does
    (integers: :func:`ardupilot_int`; floats: what a REAL32 holds)."""
    name = info.name
    if not is_number(value):
        raise ValueError(f"{name} must be a number in {info.range_text()}, got {value!r}")
    try:
        v = float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if info.is_integer and info.ignored:
        return ardupilot_int(v, info.param_type)
    if info.is_integer:
        if v != math.floor(v):
            raise ValueError(f"{name} must be an integer ({info.range_text()}), got {v:g}")
        iv = int(v)
        if info.allowed and iv not in info.allowed:
            raise ValueError(f"{name} = {iv}: expected {info.range_text()}")
        if not info.lo <= iv <= info.hi:
            raise ValueError(f"{name} = {iv} is outside {info.range_text()}")
        return iv
    if info.ignored:
        if abs(v) > REAL32_MAX:
            raise ValueError(f"{name} = {v:g} does not fit a REAL32")
        return v
    if not info.lo <= v <= info.hi:
        raise ValueError(f"{name} = {v:g} is outside {info.range_text()}")
    return v


def _on_off(what: str) -> Labels:
    return ((0, "Disabled"), (1, what))


_DAY_S = 86400.0
FAILSAFE_ROWS: tuple[Row, ...] = (
    Row("FS_GCS_ENABL", "FS_GCS_ENABL", INT8, "", 0, 1, "GCS link-loss failsafe: 0 off, 1 on",
        ((0, "Disabled"), (1, "Heartbeat"))),
    Row("FS_SHORT_ACTN", "FS_SHORT_ACTN", INT8, "", 0, 1,
        "short link loss: 0 CIRCLE (carry on in AUTO), 1 CIRCLE",
        ((0, "CIRCLE/no change(if already in AUTO, GUIDED, LOITER)"), (1, "CIRCLE"))),
    Row("FS_SHORT_TIMEOUT", "FS_SHORT_TIMEOUT", REAL32, "s", 0.1, 3600,
        "link loss before the short failsafe"),
    Row("FS_LONG_ACTN", "FS_LONG_ACTN", INT8, "", 0, 1,
        "long link loss: 0 carry on in AUTO (else RTL), 1 RTL",
        ((0, "Continue"), (1, "ReturnToLaunch"))),
    Row("FS_LONG_TIMEOUT", "FS_LONG_TIMEOUT", REAL32, "s", 0.1, _DAY_S,
        "link loss before the long failsafe (> FS_SHORT_TIMEOUT)"),
    Row("LW_FS_FUEL_ACTN", "FS_FUEL_ACTN", INT8, "", 0, 1,
        "low fuel (longwing; the fuel tank is ArduPilot's battery): 0 report only, 1 land at "
        "the landing site with the largest margin", ((0, "Report only"), (1, "Land at best site"))),
    Row("LW_FUEL_RSV_PCT", "FS_FUEL_RSV_PCT", REAL32, "%", 0, 100,
        "fuel reserve at touchdown, percent of tank capacity (the larger of the two)"),
    Row("LW_FUEL_RSV_KG", "FS_FUEL_RSV_KG", REAL32, "kg", 0, 1000,
        "fuel reserve at touchdown, kg (the larger of the two)"),
    Row("LW_LAUNCH_WX_CHK", "LAUNCH_WX_CHECK", INT8, "", 0, 1,
        "1: refuse a launch beyond the airframe's wind and turbulence limits", _on_off("Enabled")),
    Row("FENCE_ACTION", "FENCE_ACTION", INT8, "", 0, 7,
        "what to do on a fence breach: 0 report only, 1 RTL, 6 GUIDED to the fence return point",
        ((0, "Report Only"), (1, "RTL"), (6, "Guided")),
        value_map=((0, 2), (1, 4), (6, 1))),
    Row("LW_FS_GPS_TMOUT", "FS_GPS_TIMEOUT", REAL32, "s", 0.1, _DAY_S,
        "dead reckoning before LW_FS_GPS_ACTN"),
    Row("LW_FS_GPS_ACTN", "FS_GPS_ACTN", INT8, "", 0, 2,
        "GNSS lost: 0 carry on, 1 CIRCLE until it returns, 2 RTL",
        ((0, "Continue"), (1, "CIRCLE until GNSS returns"), (2, "RTL"))),
    Row("LW_FS_ENG_ACTN", "FS_ENGINE_ACTN", INT8, "", 0, 1,
        "engine out: 0 report only, 1 glide to a reachable site or land ahead",
        ((0, "Report only"), (1, "Glide to a reachable site"))),
    Row("LW_GLIDE_MARGIN", "GLIDE_MARGIN_M", REAL32, "m", 0, 10000,
        "height kept in hand when judging a glide's reach"),
)  # fmt: skip

MISSION_ROWS: tuple[Row, ...] = (
    Row("RTL_ALTITUDE", "RTL_ALTITUDE", REAL32, "m", 0, 10000, "RTL altitude above home"),
    Row("RTL_AUTOLAND", "RTL_AUTOLAND", INT8, "", 0, 2,
        "RTL: 0 loiter at home, 1/2 fly the DO_LAND_START sequence",
        ((0, "Disable"), (1, "Fly HOME then land"), (2, "Go directly to landing sequence"))),
    Row("TKOFF_ALT", "TKOFF_ALT", REAL32, "m", 0, 10000,
        "take-off altitude above home (mission without NAV_TAKEOFF)"),
    Row("LAND_FLARE_ALT", "LAND_FLARE_ALT", REAL32, "m", 0, 30,
        "flare height above the landing point"),
    Row("LAND_FLARE_SINK", "LAND_FLARE_SINK", REAL32, "m/s", 0, 5,
        "sink rate demanded in the flare"),
    Row("LAND_FLARE_SEC", "LAND_FLARE_SEC", REAL32, "s", 0, 10,
        "flare this long before the ground at the present sink"),
    Row("TECS_LAND_ARSPD", "LAND_APPROACH_SPD", REAL32, "m/s", 5, 150,
        "airspeed on the final approach (MissionSettings.LAND_APPROACH_SPD)"),
    Row("TKOFF_LVL_PITCH", "TKOFF_CLIMB_PITCH", REAL32, "deg", 0, 45,
        "minimum pitch in the climb-out (MissionSettings.TKOFF_CLIMB_PITCH, in rad)",
        scale=math.pi / 180.0),
    Row("TKOFF_ROTATE_SPD", "TKOFF_ROTATE_SPD", REAL32, "m/s", 0, 150,
        "airspeed to rotate on a runway take-off"),
    Row("LW_ECO_SPEED", "ECO_SPEED", INT8, "", 0, 1,
        "economy speed: 1 straight legs fly the speed to fly for range in the estimated "
        "wind (within the airspeed limits), 0 the mission's airspeed", _on_off("Enabled")),
    Row("LW_LAND_DECIDE", "LAND_DECIDE_ALT", REAL32, "m", 0, 1000,
        "height of the glide slope from which the approach is judged (go-around)"),
    Row("LAND_ABORT_DEG", "LAND_ABORT_SLOPE", REAL32, "deg", 0, 90,
        "go around when the touchdown zone needs a slope this much steeper than planned "
        "(MissionSettings.LAND_ABORT_SLOPE, in rad)", scale=math.pi / 180.0),
    Row("LW_LAND_ATTEMPTS", "LAND_ATTEMPTS", INT8, "", 1, 10,
        "approaches to one landing before loitering over home"),
    Row("TERRAIN_LOOKAHD", "TERRAIN_LOOKAHD", REAL32, "m", 0, 10000,
        "terrain ahead a terrain-following leg climbs for (with a DEM)"),
    Row("TERRAIN_FOLLOW", "TERRAIN_FOLLOW", INT8, "", 0, 1,
        "1: RTL flies home at RTL_ALTITUDE above the terrain (needs terrain)",
        _on_off("Enabled")),
    Row("RNGFND_LANDING", "RNGFND_LANDING", INT8, "", 0, 1,
        "1: landings take the height above the ground from the airframe's rangefinder",
        _on_off("Enabled")),
)  # fmt: skip

VEHICLE_ROWS: tuple[Row, ...] = (
    Row("SYSID_THISMAV", "", INT16, "", 1, 255, "MAVLink system id of this vehicle"),
    Row("SIM_SPEEDUP", "", REAL32, "", 0.01, 10000,
        "simulation speed relative to real time (read-only)", read_only=True),
    Row("TERRAIN_ENABLE", "", INT8, "", 0, 1,
        "1: ask the ground station for terrain (TERRAIN_REQUEST) when the SITL has no --dem, "
        "and report it (TERRAIN_REPORT)", _on_off("Enable")),
    Row("TERRAIN_SPACING", "", INT16, "m", 5, 1000, "grid spacing of the terrain asked for"),
)  # fmt: skip

#: MissionSettings field -> the parameter name it travels under, where they differ
MISSION_ALIASES: Mapping[str, str] = MappingProxyType(
    {r.field: r.name for r in MISSION_ROWS if r.field != r.name}
)
#: FailsafeSettings field -> its parameter name, where they differ
FAILSAFE_ALIASES: Mapping[str, str] = MappingProxyType(
    {r.field: r.name for r in FAILSAFE_ROWS if r.field != r.name}
)

#: names of earlier longwing versions -> today's (docs/parameters.md, "Names"); a .parm file
#: holding one is read with today's names, as ArduPilot converts old parameters on upgrade
RENAMED: Mapping[str, str] = MappingProxyType({
    "NAV_ROLL_LIM_DEG": "LW_NAV_ROLL_DEG", "FS_FUEL_ACTN": "LW_FS_FUEL_ACTN",
    "FS_FUEL_RSV_PCT": "LW_FUEL_RSV_PCT", "FS_FUEL_RSV_KG": "LW_FUEL_RSV_KG",
    "LAUNCH_WX_CHECK": "LW_LAUNCH_WX_CHK", "FS_GPS_TIMEOUT": "LW_FS_GPS_TMOUT",
    "FS_GPS_ACTN": "LW_FS_GPS_ACTN", "FS_ENGINE_ACTN": "LW_FS_ENG_ACTN",
    "GLIDE_MARGIN_M": "LW_GLIDE_MARGIN", "ECO_SPEED": "LW_ECO_SPEED",
    "LAND_DECIDE_ALT": "LW_LAND_DECIDE", "LAND_ATTEMPTS": "LW_LAND_ATTEMPTS",
})  # fmt: skip
#: FENCE_ACTION in such a file (0 none, 1 guided, 2 report, 4 RTL) -> ArduPlane's numbering
LEGACY_FENCE_ACTION: Mapping[int, int] = MappingProxyType({0: 0, 1: 6, 2: 0, 4: 1})

#: parameters in both the autopilot table and MissionSettings (one parameter feeds both)
SHARED_MISSION = ("AIRSPEED_CRUISE", "WP_RADIUS", "WP_LOITER_RAD")
MISSION_DEFAULT_WINS = ("WP_LOITER_RAD",)  # the manager flies MissionSettings' value
