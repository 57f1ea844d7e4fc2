"""Forecast wind files written for the tests: NetCDF with xarray, GRIB2 with ecCodes.

Fields are given on (time, level, lat, lon) arrays; GRIB2 values are packed as IEEE
64-bit floats (``grid_ieee``, precision 2), so both formats carry the same numbers exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

T0 = np.datetime64("2026-12-07T00:00", "s")


LATLON_UNITS = ("degrees_north", "degrees_east")


def write_nc(path: Path, lat, lon, levels, times, u, v, *, level_name="pressure_level",
             level_units="hPa", z=None, engine="h5netcdf", lat_name="latitude",
             lon_name="longitude", extra_vars=None, latlon_units=LATLON_UNITS,
             names=("u", "v")) -> Path:  # fmt: skip
    """A NetCDF file with u/v (and z) on (time, level, lat, lon); ``times`` None: no time
    dimension (then the arrays have no time axis either)."""
    import xarray as xr

    dims = ("time", level_name, lat_name, lon_name) if times is not None else (
        level_name, lat_name, lon_name)  # fmt: skip
    coords = {
        level_name: (level_name, np.asarray(levels, float), {"units": level_units}),
        lat_name: (lat_name, np.asarray(lat, float), {"units": latlon_units[0]}),
        lon_name: (lon_name, np.asarray(lon, float), {"units": latlon_units[1]}),
    }
    if times is not None:
        coords["time"] = ("time", np.asarray(times, "datetime64[ns]"))
    data = {
        names[0]: (dims, np.asarray(u, float), {"units": "m s**-1"}),
        names[1]: (dims, np.asarray(v, float), {"units": "m s**-1"}),
    }
    if z is not None:
        data["z"] = (dims, np.asarray(z, float), {"units": "m**2 s**-2"})
    for name, arr in (extra_vars or {}).items():
        data[name] = (dims, np.asarray(arr, float), {"units": "K"})
    ds = xr.Dataset(data, coords=coords)
    ds.to_netcdf(path, engine=engine)
    return path


def write_grib(path: Path, lat, lon, levels_hpa, times, u, v, *, steps: bool = False,
               type_of_level: str = "isobaricInhPa", params=(131, 132),
               mode: str = "wb") -> Path:  # fmt: skip
    """A GRIB2 file: one message per time, level and component (u: paramId 131, v: 132) on
    a regular lat/lon grid, scanned north to south as forecast centres write them.
    ``steps``: one forecast run from the first time, the times as forecast steps (hours);
    ``mode`` "ab" appends (a file of several level types)."""
    import eccodes as ec

    lat = np.asarray(lat, float)
    lon = np.asarray(lon, float)
    north_first = np.argsort(-lat)
    with open(path, mode) as fh:
        for it, t in enumerate(times):
            step_h = int((np.datetime64(t, "h") - np.datetime64(times[0], "h")).astype(int))
            if steps:
                t = times[0]
            ts = str(np.datetime64(t, "m"))
            date, hhmm = int(ts[:10].replace("-", "")), int(ts[11:13] + ts[14:16])
            for k, lev in enumerate(levels_hpa):
                for param, field in ((params[0], u), (params[1], v)):
                    h = ec.codes_grib_new_from_samples("regular_ll_pl_grib2")
                    try:
                        ec.codes_set(h, "Ni", lon.size)
                        ec.codes_set(h, "Nj", lat.size)
                        ec.codes_set(h, "latitudeOfFirstGridPointInDegrees", float(lat.max()))
                        ec.codes_set(h, "latitudeOfLastGridPointInDegrees", float(lat.min()))
                        ec.codes_set(h, "longitudeOfFirstGridPointInDegrees", float(lon[0]))
                        ec.codes_set(h, "longitudeOfLastGridPointInDegrees", float(lon[-1]))
                        ec.codes_set(h, "iDirectionIncrementInDegrees",
                                     float(abs(lon[1] - lon[0])))  # fmt: skip
                        ec.codes_set(h, "jDirectionIncrementInDegrees",
                                     float(abs(lat[1] - lat[0])))  # fmt: skip
                        ec.codes_set(h, "dataDate", date)
                        ec.codes_set(h, "dataTime", hhmm)
                        ec.codes_set(h, "paramId", param)
                        ec.codes_set(h, "typeOfLevel", type_of_level)
                        ec.codes_set(h, "level", int(lev))
                        if steps:
                            ec.codes_set(h, "forecastTime", step_h)
                        ec.codes_set(h, "packingType", "grid_ieee")
                        ec.codes_set(h, "precision", 2)  # 64-bit
                        values = np.asarray(field, float)[it, k][north_first]
                        ec.codes_set_values(h, values.reshape(-1))
                        ec.codes_write(h, fh)
                    finally:
                        ec.codes_release(h)
    return path


def grid(lat, lon, levels, n_times):
    """Index arrays T, K, Y, X of shape (n_times, n_levels, n_lat, n_lon)."""
    return np.meshgrid(np.arange(n_times, dtype=float), np.arange(len(levels), dtype=float),
                       np.asarray(lat, float), np.asarray(lon, float), indexing="ij")  # fmt: skip


def times(n: int, step_h: float = 3.0) -> np.ndarray:
    return T0 + (np.arange(n) * step_h * 3600.0).astype("timedelta64[s]")
