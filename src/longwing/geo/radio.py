"""Radio links between ground stations and the aircraft: line of sight and link budget.

A link between a :class:`GroundStation` and the aircraft (:class:`AircraftRadio`) is *ok*
when the path has line of sight (LOS) and the worse of its two directions keeps at least the
required fade margin (:attr:`RadioConfig.fade_margin_db`):

- Link budget (dB): free-space path loss over the slant range r (the straight line between
  the antennas, from ECEF), ``FSPL = 20 log10(4 pi r f / c)`` (far field; r is floored at
  1 m). Uplink: station tx power - station cable loss + station gain - FSPL + aircraft gain
  - aircraft cable loss, margin against the aircraft's rx sensitivity. Downlink: aircraft tx
  power - aircraft cable loss + aircraft gain - FSPL + station gain - station cable loss,
  margin against the station's sensitivity. ``margin_db`` is the smaller of the two. It is
  the free-space budget whether or not there is LOS (no diffraction or obstruction loss).
- Line of sight over an effective Earth of radius k R (R = 6,371,008.8 m, k = 4/3 for
  standard refraction): along the path, at ground distance d from the station (D in all),
  the ray at height ``h_s + (h_a - h_s) d / D`` must clear the terrain plus the Earth bulge
  ``d (D - d) / (2 k R)`` plus ``fresnel_fraction`` times the first Fresnel radius
  ``sqrt(lambda d (D - d) / D)``. Heights are AMSL (the station's ground height plus its
  antenna height; the aircraft's altitude). Without terrain the ground is the sea-level
  sphere, which reproduces the smooth-Earth radio horizon
  ``D = sqrt(2 k R h_s) + sqrt(2 k R h_a)`` exactly.

Approximations, and their size:

- Ground distance D comes from the chord between the two points on the ellipsoid,
  ``D = 2 R asin(chord / 2 R)``: within about 1 m of the geodesic below 300 km and 10 m at
  700 km (the local radius of curvature differs from R by up to 0.5 %, and D - chord is only
  ``chord^3 / (24 R^2)``).
- The terrain is sampled at ``los_samples - 1`` points evenly spaced along the path, which
  runs on the great circle of the geocentric directions of the two ends (the central
  projection onto the ellipsoid). That path is within 1.5 m of the geodesic at 150 km and
  10 m at 400 km, far less than a DEM pixel. A terrain feature narrower than the sample
  spacing ``D / los_samples`` can fall between samples (e.g. 2.3 km at 150 km with the
  default 64 samples): raise ``los_samples`` for narrow ridges on long paths.
- Terrain samples without data (outside the DEM or nodata) count as sea level (the smooth
  Earth); such links are flagged ``terrain_missing``. Diffraction, multipath, rain and
  atmospheric absorption are not modelled: the fade margin is there for them.

Rays are evaluated only within the smooth-Earth radio horizon over the lowest terrain of the
DEM (beyond it there is certainly no LOS), in vectorised chunks. 3,000 route points against
three stations with a DEM, all within range, take about 0.1 s.

Radio file (TOML, read by :func:`load_radio`; units are in the key names)::

    # longwing radio configuration
    fade_margin_db = 10.0        # required margin of the worse direction (default 10)
    k_factor = 1.3333333         # effective Earth radius factor (default 4/3)
    fresnel_fraction = 0.0       # part of the first Fresnel zone that must be clear
                                 # (default 0: geometric LOS; 0.6 is a common design rule)

    [aircraft]
    tx_power_dbm = 30.0          # transmit power at the radio
    antenna_gain_dbi = 2.0
    rx_sensitivity_dbm = -105.0  # weakest signal the radio decodes
    cable_loss_db = 0.5          # optional, default 0

    [[station]]
    name = "base"                # unique, non-empty
    lat_deg = 52.0
    lon_deg = 5.0
    alt_m = 12.0                 # ground height AMSL; omit to take it from the terrain
    antenna_agl_m = 10.0         # antenna height above the ground
    tx_power_dbm = 30.0
    antenna_gain_dbi = 9.0
    rx_sensitivity_dbm = -105.0
    frequency_mhz = 915.0        # carrier frequency of this station's link
    cable_loss_db = 1.5          # optional, default 0

    [[station]]
    name = "relay"
    ...

Allowed ranges (file units): lat_deg [-90, 90], lon_deg [-180, 180], alt_m [-500, 9000],
antenna_agl_m [0, 1000], tx_power_dbm [-30, 60], antenna_gain_dbi [-20, 50],
rx_sensitivity_dbm [-160, 0], frequency_mhz [1, 100000], cable_loss_db [0, 50],
fade_margin_db [0, 60], k_factor [0.5, 10], fresnel_fraction [0, 2]; at least one station.
Problems raise :class:`RadioError` with a one-line message naming the file, the station and
the field.

This module is pure except for the explicit reader :func:`load_radio`.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from longwing.geo.terrain import Terrain, _slerp_surface
from longwing.geo.wgs84 import A_M, E2

__all__ = [
    "EARTH_RADIUS_M",
    "K_FACTOR_STANDARD",
    "SPEED_OF_LIGHT_MPS",
    "AircraftRadio",
    "GroundStation",
    "LinkResult",
    "RadioConfig",
    "RadioError",
    "RouteLinks",
    "StationLink",
    "evaluate_link",
    "evaluate_route",
    "free_space_path_loss_db",
    "fresnel_radius_m",
    "load_radio",
    "out_of_contact_segments",
    "radio_horizon_m",
]

SPEED_OF_LIGHT_MPS = 299_792_458.0
#: IUGG mean Earth radius, the R of the effective-Earth model.
EARTH_RADIUS_M = 6_371_008.8
#: Standard-atmosphere refraction: effective Earth radius factor.
K_FACTOR_STANDARD = 4.0 / 3.0
#: Rays evaluated at once (bounds the temporary arrays to a few MB).
_CHUNK_RAYS = 4096
_MIN_RANGE_M = 1.0

#: A vectorised terrain model: (lat_deg array, lon_deg array) -> height AMSL (m), NaN = none.
TerrainHeights = Callable[[np.ndarray, np.ndarray], np.ndarray]


class RadioError(ValueError):
    """A radio file or configuration that is not valid; the message is one line."""


# ----------------------------------------------------------------------------------------
# Fields: one table drives the file reader and the dataclass checks
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    key: str  # key in the file
    doc: str
    unit: str  # unit in the file
    lo: float
    hi: float
    attr: str = ""  # dataclass attribute (defaults to key)
    scale: float = 1.0  # SI value = file value * scale
    default: float | None = None  # None: required

    @property
    def name(self) -> str:
        return self.attr or self.key

    def range_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.lo:g}, {self.hi:g}]{unit}"

    def about(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.doc}{unit}, allowed {self.range_text()}"


_STATION_FIELDS = (
    _Field("lat_deg", "latitude", "deg", -90.0, 90.0),
    _Field("lon_deg", "longitude", "deg", -180.0, 180.0),
    _Field(
        "alt_m", "ground height AMSL (omit: from terrain)", "m", -500.0, 9000.0, default=math.nan
    ),
    _Field("antenna_agl_m", "antenna height above ground", "m", 0.0, 1000.0),
    _Field("tx_power_dbm", "transmit power", "dBm", -30.0, 60.0),
    _Field("antenna_gain_dbi", "antenna gain", "dBi", -20.0, 50.0),
    _Field("rx_sensitivity_dbm", "receiver sensitivity", "dBm", -160.0, 0.0),
    _Field(
        "frequency_mhz", "carrier frequency", "MHz", 1.0, 100_000.0, attr="frequency_hz", scale=1e6
    ),
    _Field("cable_loss_db", "cable and connector loss", "dB", 0.0, 50.0, default=0.0),
)
_AIRCRAFT_FIELDS = (
    _Field("tx_power_dbm", "transmit power", "dBm", -30.0, 60.0),
    _Field("antenna_gain_dbi", "antenna gain", "dBi", -20.0, 50.0),
    _Field("rx_sensitivity_dbm", "receiver sensitivity", "dBm", -160.0, 0.0),
    _Field("cable_loss_db", "cable and connector loss", "dB", 0.0, 50.0, default=0.0),
)
_TOP_FIELDS = (
    _Field("fade_margin_db", "required link margin", "dB", 0.0, 60.0, default=10.0),
    _Field("k_factor", "effective Earth radius factor", "", 0.5, 10.0, default=K_FACTOR_STANDARD),
    _Field("fresnel_fraction", "first Fresnel zone clearance", "", 0.0, 2.0, default=0.0),
)


def _range_problem(f: _Field, si_value: float) -> str | None:
    value = si_value / f.scale
    if f.default is not None and math.isnan(f.default) and math.isnan(value):
        return None  # optional NaN ("not given")
    if not (math.isfinite(value) and f.lo <= value <= f.hi):
        return f"field '{f.key}' = {value:g} is out of range {f.range_text()}"
    return None


def _check_record(obj: Any, fields: tuple[_Field, ...], where: str) -> None:
    for f in fields:
        value = getattr(obj, f.name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise RadioError(f"{where}: field '{f.name}' = {value!r} must be a number")
        problem = _range_problem(f, float(value))
        if problem:
            raise RadioError(f"{where}: {problem}")
        object.__setattr__(obj, f.name, float(value))


@dataclass(frozen=True)
class GroundStation:
    """A ground radio: position, antenna and link parameters (SI, dB).

    ``alt_m`` is the ground height AMSL under the antenna; NaN means "take it from the
    terrain model" at evaluation time. The station's ``frequency_hz`` is the carrier of its
    link with the aircraft (both directions).
    """

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    antenna_agl_m: float
    tx_power_dbm: float
    antenna_gain_dbi: float
    rx_sensitivity_dbm: float
    frequency_hz: float
    cable_loss_db: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise RadioError(f"station: name {self.name!r} must be a non-empty string")
        _check_record(self, _STATION_FIELDS, f"station '{self.name}'")

    @property
    def wavelength_m(self) -> float:
        return SPEED_OF_LIGHT_MPS / self.frequency_hz


@dataclass(frozen=True)
class AircraftRadio:
    """The aircraft's radio: transmit power, antenna gain, sensitivity, cable loss."""

    tx_power_dbm: float
    antenna_gain_dbi: float
    rx_sensitivity_dbm: float
    cable_loss_db: float = 0.0

    def __post_init__(self) -> None:
        _check_record(self, _AIRCRAFT_FIELDS, "aircraft")


@dataclass(frozen=True)
class RadioConfig:
    """Ground stations, the aircraft radio and the link criteria.

    ``fade_margin_db``: margin the worse direction must keep for the link to be ok.
    ``k_factor``: effective Earth radius factor (4/3 standard refraction).
    ``fresnel_fraction``: fraction of the first Fresnel radius the ray must clear the
    terrain by (0 = geometric line of sight). ``source`` names the file it came from.
    """

    stations: tuple[GroundStation, ...]
    aircraft: AircraftRadio
    fade_margin_db: float = 10.0
    k_factor: float = K_FACTOR_STANDARD
    fresnel_fraction: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "stations", tuple(self.stations))
        if not self.stations:
            raise RadioError("radio config: needs at least one station")
        names = [s.name for s in self.stations]
        for name in names:
            if names.count(name) > 1:
                raise RadioError(f"radio config: station name '{name}' is used twice")
        _check_record(self, _TOP_FIELDS, "radio config")

    @property
    def station_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stations)


# ----------------------------------------------------------------------------------------
# Reading the radio file
# ----------------------------------------------------------------------------------------


def load_radio(path: str | os.PathLike[str]) -> RadioConfig:
    """Read and validate a radio TOML file (format in the module docstring)."""
    label = str(path)
    p = Path(path)
    if not p.exists():
        raise RadioError(f"{label}: radio file not found")
    if not p.is_file():
        raise RadioError(f"{label}: is not a file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RadioError(f"{label}: cannot read file ({exc.strerror or exc})") from exc
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RadioError(f"{label}: is not valid TOML: file is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RadioError(f"{label}: is not valid TOML: {exc}") from exc
    return _config_from_document(document, label)


def _unknown(key: str, known: list[str], where: str) -> str:
    text = f"{where}: unknown field '{key}'"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        text += f" (did you mean '{close[0]}'?)"
    return text


def _read_table(
    table: dict[str, Any], fields: tuple[_Field, ...], where: str, extra: tuple[str, ...] = ()
) -> dict[str, float]:
    known = [f.key for f in fields] + list(extra)
    for key in table:
        if key not in known:
            raise RadioError(_unknown(key, known, where))
    values: dict[str, float] = {}
    for f in fields:
        if f.key not in table:
            if f.default is None:
                raise RadioError(f"{where}: missing required field '{f.key}' ({f.about()})")
            values[f.name] = f.default
            continue
        value = table[f.key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RadioError(f"{where}: field '{f.key}' = {value!r} must be a number ({f.about()})")
        problem = _range_problem(f, float(value) * f.scale)
        if problem or math.isnan(value):
            raise RadioError(f"{where}: {problem or f'field {f.key!r} is NaN'}")
        values[f.name] = float(value) * f.scale
    return values


def _config_from_document(document: dict[str, Any], label: str) -> RadioConfig:
    top_known = [f.key for f in _TOP_FIELDS] + ["aircraft", "station"]
    for key in document:
        if key not in top_known:
            raise RadioError(_unknown(key, top_known, label))
    top = {k: v for k, v in document.items() if k not in ("aircraft", "station")}
    top_values = _read_table(top, _TOP_FIELDS, label)

    aircraft_table = document.get("aircraft")
    if aircraft_table is None:
        raise RadioError(f"{label}: missing [aircraft] section (the aircraft's radio)")
    if not isinstance(aircraft_table, dict):
        raise RadioError(f"{label}: 'aircraft' must be an [aircraft] section")
    aircraft = AircraftRadio(**_read_table(aircraft_table, _AIRCRAFT_FIELDS, f"{label}: aircraft"))

    station_tables = document.get("station")
    if station_tables is None:
        raise RadioError(f"{label}: no [[station]] sections (at least one ground station)")
    if not isinstance(station_tables, list) or not all(isinstance(t, dict) for t in station_tables):
        raise RadioError(f"{label}: 'station' must be [[station]] sections")
    if not station_tables:
        raise RadioError(f"{label}: no [[station]] sections (at least one ground station)")
    stations: list[GroundStation] = []
    seen: set[str] = set()
    for number, table in enumerate(station_tables, start=1):
        name = table.get("name")
        where = f"{label}: station {number}"
        if name is None:
            raise RadioError(f"{where}: missing required field 'name' (unique station name)")
        if not isinstance(name, str) or not name.strip():
            raise RadioError(f"{where}: field 'name' = {name!r} must be a non-empty string")
        where = f"{label}: station {number} ('{name}')"
        if name in seen:
            raise RadioError(f"{where}: station name '{name}' is already used")
        seen.add(name)
        values = _read_table(table, _STATION_FIELDS, where, extra=("name",))
        stations.append(GroundStation(name=name, **values))
    return RadioConfig(tuple(stations), aircraft, source=label, **top_values)


# ----------------------------------------------------------------------------------------
# Physics
# ----------------------------------------------------------------------------------------


def free_space_path_loss_db(distance_m, frequency_hz):
    """Free-space path loss ``20 log10(4 pi d f / c)`` in dB (float or array)."""
    d = np.asarray(distance_m, dtype=np.float64)
    f = np.asarray(frequency_hz, dtype=np.float64)
    out = 20.0 * np.log10(4.0 * math.pi * d * f / SPEED_OF_LIGHT_MPS)
    return float(out) if out.ndim == 0 else out


def radio_horizon_m(
    h1_m: float,
    h2_m: float,
    k_factor: float = K_FACTOR_STANDARD,
    earth_radius_m: float = EARTH_RADIUS_M,
) -> float:
    """Smooth-Earth LOS range between antennas at heights h1, h2 above the surface (m)."""
    a = 2.0 * k_factor * earth_radius_m
    return math.sqrt(a * max(h1_m, 0.0)) + math.sqrt(a * max(h2_m, 0.0))


def fresnel_radius_m(d1_m, d2_m, frequency_hz):
    """First Fresnel zone radius (m) at distances d1, d2 from the two ends."""
    lam = SPEED_OF_LIGHT_MPS / np.asarray(frequency_hz, dtype=np.float64)
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    out = np.sqrt(lam * d1 * d2 / (d1 + d2))
    return float(out) if out.ndim == 0 else out


def _ecef(lat_deg: np.ndarray, lon_deg: np.ndarray, h_m: np.ndarray | float) -> np.ndarray:
    phi = np.radians(lat_deg)
    lam = np.radians(lon_deg)
    s = np.sin(phi)
    c = np.cos(phi)
    n = A_M / np.sqrt(1.0 - E2 * s * s)
    return np.stack(
        ((n + h_m) * c * np.cos(lam), (n + h_m) * c * np.sin(lam), (n * (1.0 - E2) + h_m) * s),
        axis=-1,
    )


# ----------------------------------------------------------------------------------------
# Link evaluation
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationLink:
    """The link to one station from one aircraft position.

    ``los_clearance_m``: smallest clearance of the ray over terrain + bulge (+ Fresnel
    allowance) along the path (LOS when >= 0); NaN where the path is beyond the smooth-Earth
    horizon over the lowest terrain (no LOS, not evaluated). ``terrain_missing``: some
    terrain sample had no data and counted as sea level.
    """

    station: str
    ok: bool
    los: bool
    margin_db: float
    uplink_margin_db: float
    downlink_margin_db: float
    path_loss_db: float
    slant_range_m: float
    ground_distance_m: float
    los_clearance_m: float
    terrain_missing: bool


@dataclass(frozen=True)
class LinkResult:
    """Link of one aircraft position: the best station and every station's link.

    The best station is the one with the largest margin among the ok links, else among the
    LOS links, else among all. ``distance_m`` is its slant range.
    """

    ok: bool
    station: str
    distance_m: float
    ground_distance_m: float
    los: bool
    margin_db: float
    path_loss_db: float
    stations: tuple[StationLink, ...]


@dataclass(frozen=True, eq=False)
class RouteLinks:
    """Links along many aircraft positions (N points, S stations).

    Per point (N,): ``ok`` (some station's link is ok), ``station_index`` (best station, as
    in :class:`LinkResult`), its ``margin_db``, ``los`` and ``slant_range_m``.
    Per point and station (N, S): the ``station_*`` arrays (see :class:`StationLink`).
    """

    station_names: tuple[str, ...]
    ok: np.ndarray
    station_index: np.ndarray
    margin_db: np.ndarray
    los: np.ndarray
    slant_range_m: np.ndarray
    station_ok: np.ndarray
    station_los: np.ndarray
    station_margin_db: np.ndarray
    station_uplink_margin_db: np.ndarray
    station_downlink_margin_db: np.ndarray
    station_path_loss_db: np.ndarray
    station_slant_range_m: np.ndarray
    station_ground_distance_m: np.ndarray
    station_los_clearance_m: np.ndarray
    station_terrain_missing: np.ndarray

    @property
    def station(self) -> np.ndarray:
        """Name of the best station at each point (object array)."""
        return np.asarray(self.station_names, dtype=object)[self.station_index]


def _terrain_fn(terrain: Terrain | TerrainHeights | None) -> TerrainHeights | None:
    if terrain is None:
        return None
    fn = getattr(terrain, "height_m", None)
    if callable(fn):
        return fn
    if callable(terrain):
        return terrain
    raise RadioError(f"terrain must be a Terrain or a vectorised callable, not {terrain!r}")


def _station_ground_m(station: GroundStation, heights: TerrainHeights | None) -> float:
    if not math.isnan(station.alt_m):
        return station.alt_m
    if heights is None:
        raise RadioError(
            f"station '{station.name}': alt_m is not given and there is no terrain model"
        )
    at = heights(np.array([station.lat_deg]), np.array([station.lon_deg]))
    ground = float(np.asarray(at, dtype=np.float64).ravel()[0])
    if not math.isfinite(ground):
        raise RadioError(
            f"station '{station.name}': alt_m is not given and the terrain model has no "
            f"height at ({station.lat_deg}, {station.lon_deg})"
        )
    return ground


def _ray_clearance(
    sta_surface: np.ndarray,
    h_s: float,
    air_surface: np.ndarray,
    h_a: np.ndarray,
    dist_m: np.ndarray,
    heights: TerrainHeights | None,
    k_r: float,
    fresnel_m2: float,
    n_samples: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest clearance along rays from one station to aircraft positions (m), and
    whether any terrain sample was missing."""
    t = np.arange(1, n_samples) / n_samples
    d = dist_m[:, None] * t
    d2 = dist_m[:, None] - d
    obstruction = d * d2 / (2.0 * k_r)
    if fresnel_m2 > 0.0:
        obstruction += np.sqrt(fresnel_m2 * d * d2 / np.maximum(dist_m, _MIN_RANGE_M)[:, None])
    missing = np.zeros(dist_m.shape, dtype=bool)
    if heights is not None:
        lat, lon = _slerp_surface(sta_surface[None, None, :], air_surface[:, None, :], t)
        ground = np.asarray(heights(lat, lon), dtype=np.float64)
        nan = np.isnan(ground)
        missing = nan.any(axis=1)
        obstruction += np.where(nan, 0.0, ground)
    ray = h_s + (h_a[:, None] - h_s) * t
    return (ray - obstruction).min(axis=1), missing


def evaluate_route(
    config: RadioConfig,
    lat_deg: np.ndarray | list[float],
    lon_deg: np.ndarray | list[float],
    alt_m: np.ndarray | list[float] | float,
    terrain: Terrain | TerrainHeights | None = None,
    *,
    los_samples: int = 64,
) -> RouteLinks:
    """Links from every station to aircraft positions (lat/lon in degrees, alt AMSL in m).

    ``terrain`` is a :class:`~longwing.geo.terrain.Terrain` or a vectorised callable
    ``(lat_deg array, lon_deg array) -> height AMSL``; None means the smooth sea-level Earth.
    ``los_samples``: the path is divided into this many steps for the terrain check.
    """
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    alt = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), lat.shape).astype(np.float64)
    if lat.shape != lon.shape:
        raise RadioError("evaluate_route: lat_deg and lon_deg must have the same length")
    if int(los_samples) < 2:
        raise RadioError(f"evaluate_route: los_samples must be at least 2, not {los_samples}")
    heights = _terrain_fn(terrain)
    k_r = config.k_factor * EARTH_RADIUS_M
    low_m = 0.0
    prefilter = True
    if heights is not None:
        lowest = getattr(terrain, "min_height_m", None)
        if lowest is None:
            prefilter = False  # unknown terrain model: evaluate every ray
        elif math.isfinite(lowest):
            low_m = min(0.0, float(lowest))

    n, s_count = lat.size, len(config.stations)
    shape = (n, s_count)
    out = {
        name: np.full(shape, np.nan)
        for name in (
            "margin",
            "up",
            "down",
            "fspl",
            "slant",
            "ground",
            "clearance",
        )
    }
    los = np.zeros(shape, dtype=bool)
    missing = np.zeros(shape, dtype=bool)
    air = _ecef(lat, lon, alt)
    air_surface = _ecef(lat, lon, 0.0)
    ac = config.aircraft
    valid = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt)

    for si, st in enumerate(config.stations):
        ground_m = _station_ground_m(st, heights)
        h_s = ground_m + st.antenna_agl_m
        sta_surface = _ecef(np.array(st.lat_deg), np.array(st.lon_deg), 0.0)
        sta = _ecef(np.array(st.lat_deg), np.array(st.lon_deg), h_s)
        slant = np.maximum(np.linalg.norm(air - sta, axis=-1), _MIN_RANGE_M)
        chord = np.linalg.norm(air_surface - sta_surface, axis=-1)
        dist = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / (2.0 * EARTH_RADIUS_M), 1.0))
        fspl = 20.0 * np.log10(4.0 * math.pi * slant * st.frequency_hz / SPEED_OF_LIGHT_MPS)
        up = (
            st.tx_power_dbm
            - st.cable_loss_db
            + st.antenna_gain_dbi
            - fspl
            + ac.antenna_gain_dbi
            - ac.cable_loss_db
            - ac.rx_sensitivity_dbm
        )
        down = (
            ac.tx_power_dbm
            - ac.cable_loss_db
            + ac.antenna_gain_dbi
            - fspl
            + st.antenna_gain_dbi
            - st.cable_loss_db
            - st.rx_sensitivity_dbm
        )
        out["slant"][:, si] = slant
        out["ground"][:, si] = dist
        out["fspl"][:, si] = fspl
        out["up"][:, si] = up
        out["down"][:, si] = down
        out["margin"][:, si] = np.minimum(up, down)

        a = 2.0 * k_r
        with np.errstate(invalid="ignore"):
            horizon = np.sqrt(a * max(h_s - low_m, 0.0)) + np.sqrt(a * np.maximum(alt - low_m, 0.0))
            candidates = valid & (dist <= horizon) if prefilter else valid
        idx = np.flatnonzero(candidates)
        fresnel_m2 = config.fresnel_fraction**2 * st.wavelength_m
        for start in range(0, idx.size, _CHUNK_RAYS):
            chunk = idx[start : start + _CHUNK_RAYS]
            clearance, miss = _ray_clearance(
                sta_surface,
                h_s,
                air_surface[chunk],
                alt[chunk],
                dist[chunk],
                heights,
                k_r,
                fresnel_m2,
                int(los_samples),
            )
            out["clearance"][chunk, si] = clearance
            missing[chunk, si] = miss
        with np.errstate(invalid="ignore"):
            los[:, si] = out["clearance"][:, si] >= 0.0

    margin = out["margin"]
    with np.errstate(invalid="ignore"):
        station_ok = los & (margin >= config.fade_margin_db)
    score = np.where(np.isnan(margin), -np.inf, margin) + 1e4 * los + 1e4 * station_ok
    best = np.argmax(score, axis=1)
    rows = np.arange(n)
    return RouteLinks(
        station_names=config.station_names,
        ok=station_ok.any(axis=1),
        station_index=best,
        margin_db=margin[rows, best],
        los=los[rows, best],
        slant_range_m=out["slant"][rows, best],
        station_ok=station_ok,
        station_los=los,
        station_margin_db=margin,
        station_uplink_margin_db=out["up"],
        station_downlink_margin_db=out["down"],
        station_path_loss_db=out["fspl"],
        station_slant_range_m=out["slant"],
        station_ground_distance_m=out["ground"],
        station_los_clearance_m=out["clearance"],
        station_terrain_missing=missing,
    )


def evaluate_link(
    config: RadioConfig,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    terrain: Terrain | TerrainHeights | None = None,
    *,
    los_samples: int = 64,
) -> LinkResult:
    """The link from the stations to one aircraft position (see :func:`evaluate_route`)."""
    r = evaluate_route(config, [lat_deg], [lon_deg], [alt_m], terrain, los_samples=los_samples)
    links = tuple(
        StationLink(
            station=name,
            ok=bool(r.station_ok[0, i]),
            los=bool(r.station_los[0, i]),
            margin_db=float(r.station_margin_db[0, i]),
            uplink_margin_db=float(r.station_uplink_margin_db[0, i]),
            downlink_margin_db=float(r.station_downlink_margin_db[0, i]),
            path_loss_db=float(r.station_path_loss_db[0, i]),
            slant_range_m=float(r.station_slant_range_m[0, i]),
            ground_distance_m=float(r.station_ground_distance_m[0, i]),
            los_clearance_m=float(r.station_los_clearance_m[0, i]),
            terrain_missing=bool(r.station_terrain_missing[0, i]),
        )
        for i, name in enumerate(r.station_names)
    )
    best = links[int(r.station_index[0])]
    return LinkResult(
        ok=bool(r.ok[0]),
        station=best.station,
        distance_m=best.slant_range_m,
        ground_distance_m=best.ground_distance_m,
        los=best.los,
        margin_db=best.margin_db,
        path_loss_db=best.path_loss_db,
        stations=links,
    )


def out_of_contact_segments(
    distance_along_m: np.ndarray | list[float], ok: np.ndarray | list[bool]
) -> list[tuple[float, float]]:
    """Stretches of a route without a link, as (start_m, end_m) along the route.

    Conservative: a stretch runs from the last point with a link before it to the first
    point with a link after it (contact is only known at the points); from the first point
    if the route starts without a link, to the last point if it ends without one.
    """
    d = np.asarray(distance_along_m, dtype=np.float64).ravel()
    good = np.asarray(ok, dtype=bool).ravel()
    if d.shape != good.shape:
        raise RadioError("out_of_contact_segments: distances and ok flags differ in length")
    if d.size == 0:
        return []
    bad = (~good).astype(np.int8)
    edges = np.diff(np.concatenate(([0], bad, [0])))
    starts = np.flatnonzero(edges == 1)  # first bad index of each run
    ends = np.flatnonzero(edges == -1) - 1  # last bad index of each run
    segments = []
    last = d.size - 1
    for i0, i1 in zip(starts, ends, strict=True):
        a = d[max(i0 - 1, 0)]
        b = d[min(i1 + 1, last)]
        segments.append((float(a), float(b)))
    return segments
