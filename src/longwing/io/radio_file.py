"""The radio file: ground stations and the aircraft radio, as TOML -> :class:`RadioConfig`.

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
Problems raise :class:`~longwing.geo.radio_config.RadioError` (re-exported here) with a
one-line message naming the file, the station and the field. The field table (keys, units,
ranges, defaults) is :mod:`longwing.geo.radio_config`'s, shared with the records' checks.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from pathlib import Path
from typing import Any

from longwing.geo.radio_config import (
    AIRCRAFT_FIELDS,
    STATION_FIELDS,
    TOP_FIELDS,
    AircraftRadio,
    GroundStation,
    RadioConfig,
    RadioError,
    RadioField,
    range_problem,
)

__all__ = ["RadioError", "load_radio"]


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
    table: dict[str, Any], fields: tuple[RadioField, ...], where: str, extra: tuple[str, ...] = ()
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
        problem = range_problem(f, float(value) * f.scale)
        if problem or math.isnan(value):
            raise RadioError(f"{where}: {problem or f'field {f.key!r} is NaN'}")
        values[f.name] = float(value) * f.scale
    return values


def _config_from_document(document: dict[str, Any], label: str) -> RadioConfig:
    top_known = [f.key for f in TOP_FIELDS] + ["aircraft", "station"]
    for key in document:
        if key not in top_known:
            raise RadioError(_unknown(key, top_known, label))
    top = {k: v for k, v in document.items() if k not in ("aircraft", "station")}
    top_values = _read_table(top, TOP_FIELDS, label)

    aircraft_table = document.get("aircraft")
    if aircraft_table is None:
        raise RadioError(f"{label}: missing [aircraft] section (the aircraft's radio)")
    if not isinstance(aircraft_table, dict):
        raise RadioError(f"{label}: 'aircraft' must be an [aircraft] section")
    aircraft = AircraftRadio(**_read_table(aircraft_table, AIRCRAFT_FIELDS, f"{label}: aircraft"))

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
        values = _read_table(table, STATION_FIELDS, where, extra=("name",))
        stations.append(GroundStation(name=name, **values))
    return RadioConfig(tuple(stations), aircraft, source=label, **top_values)
