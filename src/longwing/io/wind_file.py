"""Wind files -> wind sources: CSV grids, GRIB2 and NetCDF forecasts (``docs/winds.md``).

Formats are told by their first bytes: ``GRIB`` (GRIB2, or GRIB1, read with xarray + cfgrib
on the ecCodes library of the ``eccodeslib`` wheel; no index file is ever written beside the
user's file), ``CDF`` (netCDF-3: xarray's ``scipy`` engine) or the HDF5 signature (netCDF-4:
xarray's ``h5netcdf`` engine); anything else named ``.csv`` is the documented CSV grid
(:mod:`longwing.planning.windgrid`).

Forecast files are read lazily: the coordinates first, then only the route's latitude and
longitude box (with a margin and the surrounding grid nodes) and the flight's times (from
the last time at or before the start to the first at or after the end of the window) are
loaded. Every problem is a :class:`WindFileError` (a ``ValueError``): one line naming the
file.
"""

from pathlib import Path

import numpy as np

from longwing.io.wind_dataset import MARGIN_DEG, WindFileError, WindRequest, dataset_window
from longwing.planning.wind4d import WindGrid4D
from longwing.planning.windgrid import WindGrid, WindGridError, parse_wind_csv

__all__ = [
    "MARGIN_DEG", "WindFileError", "WindRequest", "load_mission_wind", "load_wind_csv",
    "load_wind_file", "mission_request", "parse_start_time", "sniff_format",
]  # fmt: skip


def parse_start_time(text: str) -> np.datetime64:
    """ISO 8601 UTC ('2026-12-07T12:00Z', '2026-12-07 12:00', '+00:00' offset) -> datetime64;
    ValueError naming the text."""
    from datetime import UTC, datetime

    t = text.strip()
    try:
        dt = datetime.fromisoformat(t[:-1] + "+00:00" if t.endswith(("Z", "z")) else t)
    except ValueError:
        raise ValueError(f"--start-time {text!r}: not an ISO 8601 time "
                         "(e.g. 2026-12-07T12:00Z)") from None  # fmt: skip
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(dt, "s")


def sniff_format(path: Path) -> str:
    """'grib', 'netcdf3', 'netcdf4' or 'csv' from the file's first bytes (and its name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise WindFileError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    if head.startswith(b"GRIB"):
        return "grib"
    if head.startswith(b"CDF"):
        return "netcdf3"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "netcdf4"
    if path.suffix.lower() in (".csv", ".txt"):
        return "csv"
    if b"GRIB" in head:  # a GRIB file behind a transmission header
        return "grib"
    raise WindFileError("not a wind file: neither GRIB, NetCDF nor CSV (.csv) by its content",
                        source=str(path))  # fmt: skip


def load_wind_csv(path: str | Path) -> WindGrid:
    """Read a wind grid CSV file (format: :mod:`longwing.planning.windgrid`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise WindGridError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    except UnicodeDecodeError:
        raise WindGridError("not UTF-8 text", source=str(path)) from None
    return parse_wind_csv(text, source=str(path))


def load_wind_file(path: str | Path, request: WindRequest | None) -> WindGrid | WindGrid4D:
    """The wind of a file: a :class:`WindGrid` for CSV, else the request's window of a
    GRIB/NetCDF forecast as a :class:`WindGrid4D` (``request`` None: the whole file, from
    its first time)."""
    p = Path(path)
    kind = sniff_format(p)
    if kind == "csv":
        return load_wind_csv(p)
    ds = _open(p, kind)
    try:
        return dataset_window(p, ds, request)
    finally:
        for d in ds:
            d.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _open(path: Path, kind: str) -> list:
    """The file's datasets (one for NetCDF; one per GRIB hypercube)."""
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover - a dependency
        raise WindFileError("reading GRIB/NetCDF needs xarray", source=str(path)) from None
    try:
        if kind == "grib":
            import logging
            import warnings

            import cfgrib

            # indexpath "": never write an index file beside the user's file; values as
            # float64 (cfgrib's default float32 would round 64-bit packed fields)
            kw = {"indexpath": "", "values_dtype": np.dtype("float64")}
            log = logging.getLogger("cfgrib")  # it logs bad messages with tracebacks
            level = log.level
            log.setLevel(logging.CRITICAL)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)  # xarray's merge defaults
                    found = list(cfgrib.open_datasets(str(path), backend_kwargs=kw, cache=False))
            finally:
                log.setLevel(level)
            if not any(len(d.data_vars) for d in found):
                raise WindFileError("cannot read as GRIB: no readable messages", source=str(path))
            return found
        engine = "h5netcdf" if kind == "netcdf4" else "scipy"
        return [xr.open_dataset(path, engine=engine, cache=False)]
    except WindFileError:
        raise
    except Exception as exc:  # the engines raise many kinds; one line for the user
        what = "GRIB" if kind == "grib" else "NetCDF"
        raise WindFileError(f"cannot read as {what}: {_first_line(exc)}",
                            source=str(path)) from None  # fmt: skip


def mission_request(
    mission, airframe, start: np.datetime64 | None, max_duration_s: float | None = None
) -> WindRequest:
    """What a flight of ``mission`` needs from a forecast: the box of home, the navigation
    items and the rally points; covered for the route at the cruise airspeed (at most
    ``max_duration_s``), loaded for the flight's time limit (the runner's: three times the
    route at the minimum airspeed plus an hour); heights above ground over home."""
    from longwing.planning.wind4d import route_box

    home = mission.home
    lats, lons = [home.lat_deg], [home.lon_deg]
    for _, it in mission.nav_items():
        if it.lat_deg != 0.0 or it.lon_deg != 0.0:
            lats.append(it.lat_deg)
            lons.append(it.lon_deg)
    for rp in mission.rally:
        lats.append(rp.lat_deg)
        lons.append(rp.lon_deg)
    env = airframe.envelope
    route_m = mission.route_length_m()
    need_s = route_m / env.airspeed_cruise_mps
    window_s = 3.0 * route_m / env.airspeed_min_mps + 3600.0
    if max_duration_s is not None:
        need_s, window_s = min(need_s, max_duration_s), max_duration_s
    return WindRequest(*route_box(lats, lons), start=start, need_s=need_s, window_s=window_s,
                       ground_alt_m=home.alt_m)  # fmt: skip


def load_mission_wind(
    path: str | Path, mission, airframe, start_time: str | None,
    max_duration_s: float | None = None,
) -> WindGrid | WindGrid4D:  # fmt: skip
    """The wind file for a mission (``start_time`` ISO 8601 UTC, None: the file's first
    time); :class:`WindFileError` or ValueError (one line) if it cannot serve it."""
    start = None if start_time is None else parse_start_time(start_time)
    return load_wind_file(path, mission_request(mission, airframe, start, max_duration_s))
