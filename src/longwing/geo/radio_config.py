"""Radio configuration records: ground stations, the aircraft radio and the link criteria.

:class:`GroundStation`, :class:`AircraftRadio` and :class:`RadioConfig` are frozen and
checked when made (values in SI and dB; frequency in Hz). One table of fields
(:data:`STATION_FIELDS`, :data:`AIRCRAFT_FIELDS`, :data:`TOP_FIELDS`: key and unit in the
radio file, allowed range, default) drives both these checks and the file reader
(:mod:`longwing.io.radio_file`). Allowed ranges (file units): lat_deg [-90, 90], lon_deg
[-180, 180], alt_m [-500, 9000], antenna_agl_m [0, 1000], tx_power_dbm [-30, 60],
antenna_gain_dbi [-20, 50], rx_sensitivity_dbm [-160, 0], frequency_mhz [1, 100000],
cable_loss_db [0, 50], fade_margin_db [0, 60], k_factor [0.5, 10], fresnel_fraction [0, 2];
at least one station, names unique. Problems raise :class:`RadioError` with a one-line
message naming the station and the field. Pure: no files.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from longwing.geo.radio_budget import K_FACTOR_STANDARD, SPEED_OF_LIGHT_MPS

__all__ = [
    "AIRCRAFT_FIELDS",
    "STATION_FIELDS",
    "TOP_FIELDS",
    "AircraftRadio",
    "GroundStation",
    "RadioConfig",
    "RadioError",
    "RadioField",
    "range_problem",
]


class RadioError(ValueError):
    """A radio file or configuration that is not valid; the message is one line."""


# ----------------------------------------------------------------------------------------
# Fields: one table drives the file reader and the dataclass checks
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadioField:
    """One field of a radio record: its key and unit in the file, allowed range, default."""

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


STATION_FIELDS = (
    RadioField("lat_deg", "latitude", "deg", -90.0, 90.0),
    RadioField("lon_deg", "longitude", "deg", -180.0, 180.0),
    RadioField(
        "alt_m", "ground height AMSL (omit: from terrain)", "m", -500.0, 9000.0, default=math.nan
    ),
    RadioField("antenna_agl_m", "antenna height above ground", "m", 0.0, 1000.0),
    RadioField("tx_power_dbm", "transmit power", "dBm", -30.0, 60.0),
    RadioField("antenna_gain_dbi", "antenna gain", "dBi", -20.0, 50.0),
    RadioField("rx_sensitivity_dbm", "receiver sensitivity", "dBm", -160.0, 0.0),
    RadioField(
        "frequency_mhz", "carrier frequency", "MHz", 1.0, 100_000.0, attr="frequency_hz", scale=1e6
    ),
    RadioField("cable_loss_db", "cable and connector loss", "dB", 0.0, 50.0, default=0.0),
)
AIRCRAFT_FIELDS = (
    RadioField("tx_power_dbm", "transmit power", "dBm", -30.0, 60.0),
    RadioField("antenna_gain_dbi", "antenna gain", "dBi", -20.0, 50.0),
    RadioField("rx_sensitivity_dbm", "receiver sensitivity", "dBm", -160.0, 0.0),
    RadioField("cable_loss_db", "cable and connector loss", "dB", 0.0, 50.0, default=0.0),
)
TOP_FIELDS = (
    RadioField("fade_margin_db", "required link margin", "dB", 0.0, 60.0, default=10.0),
    RadioField(
        "k_factor", "effective Earth radius factor", "", 0.5, 10.0, default=K_FACTOR_STANDARD
    ),
    RadioField("fresnel_fraction", "first Fresnel zone clearance", "", 0.0, 2.0, default=0.0),
)


def range_problem(f: RadioField, si_value: float) -> str | None:
    """What is wrong with an SI value of field ``f`` (in file units), or None."""
    value = si_value / f.scale
    if f.default is not None and math.isnan(f.default) and math.isnan(value):
        return None  # optional NaN ("not given")
    if not (math.isfinite(value) and f.lo <= value <= f.hi):
        return f"field '{f.key}' = {value:g} is out of range {f.range_text()}"
    return None


def _check_record(obj: Any, fields: tuple[RadioField, ...], where: str) -> None:
    for f in fields:
        value = getattr(obj, f.name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise RadioError(f"{where}: field '{f.name}' = {value!r} must be a number")
        problem = range_problem(f, float(value))
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
        _check_record(self, STATION_FIELDS, f"station '{self.name}'")

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
        _check_record(self, AIRCRAFT_FIELDS, "aircraft")


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
        _check_record(self, TOP_FIELDS, "radio config")

    @property
    def station_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stations)
