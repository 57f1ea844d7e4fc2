"""Interpreting a forecast dataset (xarray, from :mod:`longwing.io.wind_file`): which
variables are the wind and the geopotential, which axes are latitude, longitude, level and
time, and the request's window of them as a :class:`~longwing.planning.wind4d.WindGrid4D`
(see ``docs/winds.md``). Only the window's slices are loaded from the file."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from longwing.planning.wind4d import (
    WindGrid4D,
    WindSpanError,
    geopotential_height_to_alt_m,
    iso_utc,
    pressure_altitude_m,
)
from longwing.planning.windgrid import WindGridError

__all__ = ["MARGIN_DEG", "WindFileError", "WindRequest", "dataset_window"]

MARGIN_DEG = 0.2  # around the route's box (turns, loiters, patterns), clipped to the file
KNOT_MPS = 1852.0 / 3600.0
G0 = 9.80665  # the WMO's standard gravity, geopotential -> geopotential height

_U_NAMES = ("u", "ugrd", "u_component_of_wind", "uwnd", "ua", "u_wind", "eastward_wind")
_V_NAMES = ("v", "vgrd", "v_component_of_wind", "vwnd", "va", "v_wind", "northward_wind")
_U_AT = {"u10": 10.0, "10u": 10.0, "u100": 100.0, "100u": 100.0}  # fixed-height winds
_V_AT = {"v10": 10.0, "10v": 10.0, "v100": 100.0, "100v": 100.0}
_Z_NAMES = ("z", "gh", "hgt", "zg", "geopotential_height", "geopotential", "phi")
_LAT = ("latitude", "lat")
_LON = ("longitude", "lon")
_TIME = ("valid_time", "time", "step", "t")
_MEMBER = ("number", "realization", "member", "ensemble")
_PRESSURE = ("isobaricinhpa", "isobaricinpa", "pressure_level", "level", "plev", "lev",
             "pressure", "air_pressure", "pres", "isobaric")  # fmt: skip
_AGL = ("heightaboveground", "height")
# THREDDS/NCEP NetCDF names: u-component_of_wind_isobaric, isobaric1, height_above_ground1
_U_PREFIX = ("u-component_of_wind", "u_component_of_wind")
_V_PREFIX = ("v-component_of_wind", "v_component_of_wind")
_ASL = ("heightabovesea", "altitude", "height_above_sea_level")
_HPA_UNITS = ("hpa", "millibars", "millibar", "mbar", "mb")
_WIND_UNITS = ("m s**-1", "m/s", "m s-1", "m.s-1", "meters/second", "metre/second",
               "meter second-1", "m sec-1", "ms-1", "meters second-1")  # fmt: skip


class WindFileError(WindGridError):
    """A wind file that cannot be used; ``str()`` is one line ``FILE: problem``."""


@dataclass(frozen=True)
class WindRequest:
    """What a flight or a plan needs from a forecast.

    The route's box (degrees; ``lon_hi`` may exceed 180 for a box across the antimeridian),
    the start (UTC; None: the file's first time), the time the flight must be covered
    (``need_s``, refused if the file ends earlier) and the time to load (``window_s``,
    clipped to the file), the ground under heights-above-ground levels (m).
    """

    lat_min: float
    lat_max: float
    lon_lo: float
    lon_hi: float
    start: np.datetime64 | None = None
    need_s: float = 0.0
    window_s: float = 86400.0
    ground_alt_m: float = 0.0
    margin_deg: float = MARGIN_DEG


def _attr(da, key: str) -> str:
    return str(da.attrs.get(key, da.attrs.get(f"GRIB_{key}", ""))).strip().lower()


def _component(name: str, da, at: dict, names: tuple, prefix: tuple,
               standard: str) -> float | None:  # fmt: skip
    """None if ``name``/``da`` is not this wind component; else the fixed height AGL (nan
    for a profile)."""
    n = name.lower()
    if n in at:
        return at[n]
    if n in names or n.startswith(prefix) or _attr(da, "standard_name") == standard:
        return math.nan
    return None


def _is_u(name: str, da) -> float | None:
    """None if not an eastward wind; else the fixed height AGL (nan for a profile)."""
    return _component(name, da, _U_AT, _U_NAMES, _U_PREFIX, "eastward_wind")


def _is_v(name: str, da) -> float | None:
    return _component(name, da, _V_AT, _V_NAMES, _V_PREFIX, "northward_wind")


def _axis_kind(name: str, coord) -> str:
    """'lat', 'lon', 'time', 'member', 'pressure', 'agl', 'asl' or '' for a dimension."""
    n = name.lower()
    std = _attr(coord, "standard_name")
    units = _attr(coord, "units")
    if n in _LAT or std == "latitude" or units in ("degrees_north", "degree_north"):
        return "lat"
    if n in _LON or std == "longitude" or units in ("degrees_east", "degree_east"):
        return "lon"
    if n in _TIME or std == "time" or np.issubdtype(coord.dtype, np.datetime64):
        return "time"
    if n in _MEMBER:
        return "member"
    if n in _PRESSURE or n.startswith("isobaric") or std == "air_pressure" or units in (
        *_HPA_UNITS, "pa"):  # fmt: skip
        return "pressure"
    if n in _ASL or n.startswith(("altitude_above_msl", "height_above_sea")) or std == "altitude":
        return "asl"
    if n in _AGL or n.startswith("height_above_ground") or std == "height":
        return "agl"
    return ""


class _Reader:
    """One forecast file's interpretation and the request's window of it."""

    def __init__(self, path: Path, datasets: list, request: WindRequest | None) -> None:
        self.path = path
        self.src = str(path)
        self.datasets = datasets
        self.req = request

    def fail(self, problem: str) -> WindFileError:
        return WindFileError(problem, source=self.src)

    # --- what is in the file ------------------------------------------------------------

    def _pick(self):
        """(dataset, u, v, fixed height) of the best u/v pair: profiles first."""
        best = None
        names: list[str] = []
        for ds in self.datasets:
            us = {n: _is_u(n, da) for n, da in ds.data_vars.items()}
            vs = {n: _is_v(n, da) for n, da in ds.data_vars.items()}
            names += [str(n) for n in ds.data_vars]
            for un, uh in us.items():
                if uh is None:
                    continue
                for vn, vh in vs.items():
                    if vh is None or ds[un].dims != ds[vn].dims:
                        continue
                    if not (math.isnan(uh) and math.isnan(vh)) and uh != vh:
                        continue
                    score = ds[un].size if math.isnan(uh) else 0
                    if best is None or score > best[0]:
                        best = (score, ds, ds[un], ds[vn], uh)
        if best is None:
            have = ", ".join(sorted(set(names))) or "none"
            raise self.fail(f"no u/v wind variables (the file has: {have})")
        return best[1:]

    def _level(self, ds, u, fixed_h: float):
        """(dim or None, kind, values in Pa or m as float64) of u's vertical axis."""
        for d in u.dims:
            kind = _axis_kind(d, ds[d]) if d in ds.coords else ""
            if kind in ("pressure", "agl", "asl"):
                return d, kind, self._level_values(d, ds[d], kind)
        for name, c in u.coords.items():  # one level as a scalar coordinate (cfgrib)
            if c.ndim == 0 and str(name) not in u.dims:
                kind = _axis_kind(str(name), c)
                if kind in ("pressure", "agl", "asl"):
                    return None, kind, self._level_values(str(name), c, kind).reshape(1)
        if not math.isnan(fixed_h):
            return None, "agl", np.array([fixed_h])
        extra = [d for d in u.dims if d not in ds.coords or _axis_kind(d, ds[d]) == ""]
        if extra:
            raise self.fail(f"level dimension {extra[0]!r} is neither pressure nor height "
                            "(model levels are not supported)")  # fmt: skip
        raise self.fail("the wind has no level (pressure or height)")

    def _level_values(self, name: str, coord, kind: str) -> np.ndarray:
        vals = np.asarray(coord.values, dtype=np.float64).reshape(-1)
        units = _attr(coord, "units")
        if kind == "pressure":
            if units in _HPA_UNITS or name.lower() == "isobaricinhpa":
                return vals * 100.0
            if units == "pa" or name.lower() == "isobaricinpa":
                return vals
            if units:
                raise self.fail(f"pressure levels {name!r} in unknown units {units!r}")
            return vals * (1.0 if np.nanmax(vals) > 2000.0 else 100.0)
        if units in ("km", "kilometers", "kilometres"):
            return vals * 1000.0
        if units not in ("", "m", "meters", "metres", "meter", "metre"):
            raise self.fail(f"height levels {name!r} in unknown units {units!r}")
        return vals

    def _times(self, ds, u) -> tuple[str | None, np.ndarray | None]:
        """(time dim or None, valid times datetime64[s] or None) of u."""
        dims = [d for d in u.dims if d in ds.coords and _axis_kind(d, ds[d]) == "time"]
        varying = [d for d in dims if ds.sizes[d] > 1]
        if len(varying) > 1:
            raise self.fail(f"both {varying[0]!r} and {varying[1]!r} vary: give one forecast "
                            "run (steps) or analyses (times)")  # fmt: skip
        dim = varying[0] if varying else (dims[0] if dims else None)
        vt = None
        if "valid_time" in u.coords and (dim is None or u.coords["valid_time"].dims in
                                         ((), (dim,))):  # fmt: skip
            vt = u.coords["valid_time"].values
        elif dim is not None:
            vt = ds[dim].values
            if np.issubdtype(vt.dtype, np.timedelta64) and "time" in u.coords:
                vt = u.coords["time"].values + vt
        elif "time" in u.coords:
            vt = u.coords["time"].values
        if vt is None:
            return dim, None
        vt = np.asarray(vt).reshape(-1)
        if not np.issubdtype(vt.dtype, np.datetime64):
            raise self.fail(f"time axis {dim or 'time'!r} is not a date ({vt.dtype})")
        return dim, vt.astype("datetime64[s]")

    # --- the window ---------------------------------------------------------------------

    def _lat_slice(self, lat: np.ndarray) -> slice:
        r = self.req
        if lat.size == 1 or r is None:
            return slice(None)
        lo_f, hi_f = float(lat.min()), float(lat.max())
        if r.lat_min < lo_f or r.lat_max > hi_f:
            raise self.fail(f"route outside the file's coverage: latitudes {lo_f:g} to "
                            f"{hi_f:g} deg, the route spans {r.lat_min:.4f} to "
                            f"{r.lat_max:.4f}")  # fmt: skip
        lo = max(r.lat_min - r.margin_deg, lo_f)
        hi = min(r.lat_max + r.margin_deg, hi_f)
        lo = float(lat[lat <= lo].max())  # the node at or below
        hi = float(lat[lat >= hi].min())
        idx = np.nonzero((lat >= lo) & (lat <= hi))[0]
        return slice(int(idx[0]), int(idx[-1]) + 1)

    def _lon_runs(self, lon: np.ndarray) -> tuple[list[slice], np.ndarray]:
        """Slices of the file's longitude axis (two when the window wraps round the file's
        seam) and the window's unwrapped, ascending longitudes (deg)."""
        n = lon.size
        if n == 1:
            return [slice(None)], lon.astype(float)
        s360 = np.sort(np.mod(lon, 360.0))
        gaps = np.diff(np.concatenate([s360, [s360[0] + 360.0]]))
        k = int(np.argmax(gaps))
        spacing = float(np.median(gaps))
        periodic = n > 2 and gaps[k] <= 1.5 * spacing  # the file goes round the Earth
        west = float(s360[(k + 1) % n])  # the file's west edge and its span east of it
        span = 360.0 - float(gaps[k])
        r = self.req
        if r is None:
            lo, hi = west, west + span
        elif periodic:
            lo, hi = r.lon_lo - r.margin_deg, r.lon_hi + r.margin_deg
        else:
            a = float(np.mod(r.lon_lo - west, 360.0))
            width_r = r.lon_hi - r.lon_lo
            if a + width_r > span + 1e-9:
                raise self.fail(
                    f"route outside the file's coverage: longitudes {_deg(west)} to "
                    f"{_deg(west + span)} deg, the route spans {_deg(r.lon_lo)} to "
                    f"{_deg(r.lon_hi)}")  # fmt: skip
            lo = west + max(a - r.margin_deg, 0.0)
            hi = west + min(a + width_r + r.margin_deg, span)
        width = hi - lo
        tol = 1e-7
        off = np.mod(lon - lo, 360.0)
        off = np.where(off > 360.0 - tol, off - 360.0, off)
        u = np.where(off > 360.0 - spacing * (1.0 + 1e-6), off - 360.0, off)
        west_nodes = u <= tol
        east_nodes = u >= width - tol
        first = u[west_nodes].max() if np.any(west_nodes) else u.min()
        last = u[east_nodes].min() if np.any(east_nodes) else u.max()
        sel = np.nonzero((u >= first) & (u <= last))[0]
        sel = sel[np.argsort(u[sel])]
        runs: list[slice] = []
        start = prev = int(sel[0])
        step = 0
        for i in map(int, sel[1:]):
            d = i - prev
            if step == 0 and abs(d) == 1:
                step = d
            if d != step:
                runs.append(_run(start, prev, step))
                start, step = i, 0
            prev = i
        runs.append(_run(start, prev, step))
        # the file's own values, shifted by whole turns (exact) to run on from the window's edge
        lon_w = lon[sel] + 360.0 * np.round((lo + u[sel] - lon[sel]) / 360.0)
        return runs, lon_w - 360.0 * math.floor((lon_w[0] + 180.0) / 360.0)

    def grid(self) -> WindGrid4D:
        ds, u, v, fixed_h = self._pick()
        dims = {}
        for d in u.dims:
            kind = _axis_kind(d, ds[d]) if d in ds.coords else ""
            dims[d] = kind
        lat_d = next((d for d, k in dims.items() if k == "lat"), None)
        lon_d = next((d for d, k in dims.items() if k == "lon"), None)
        if lat_d is None or lon_d is None:
            raise self.fail("no latitude/longitude axes for the wind (its dimensions: "
                            f"{', '.join(map(str, u.dims)) or 'none'}); only regular lat/lon "
                            "grids are read")  # fmt: skip
        lev_d, lev_kind, lev = self._level(ds, u, fixed_h)
        time_d, vt = self._times(ds, u)
        sel: dict = {}
        for d, k in dims.items():
            if d in (lat_d, lon_d, lev_d, time_d):
                continue
            if k != "member" and ds.sizes[d] > 1:
                raise self.fail(f"unexpected dimension {d!r} ({ds.sizes[d]} values)")
            sel[d] = 0  # one value, or the first member (control) of an ensemble
        t_s, ref = self._time_window(vt, sel, time_d)
        lat = np.asarray(ds[lat_d].values, dtype=np.float64)
        lon = np.asarray(ds[lon_d].values, dtype=np.float64)
        sel[lat_d] = self._lat_slice(lat)
        runs, lon_u = self._lon_runs(lon)
        lat_w = lat[sel[lat_d]]
        order = [x for x in (time_d, lev_d, lat_d, lon_d) if x is not None]
        z = self._geopotential(ds, u, lev_kind) if lev_kind == "pressure" else None

        def load(da) -> np.ndarray:  # only the window is read from the file
            s = {d: i for d, i in sel.items() if d in da.dims}
            o = [d for d in order if d in da.dims]
            parts = [np.asarray(da.isel({**s, lon_d: run}).transpose(*o).values,
                                dtype=np.float64) for run in runs]  # fmt: skip
            arr = np.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]
            if time_d is None or time_d not in da.dims:
                arr = arr[None]
            if lev_d is None:
                arr = arr[:, None]
            return arr

        we, wn = load(u) * self._wind_scale(u), load(v) * self._wind_scale(v)
        if not (np.all(np.isfinite(we)) and np.all(np.isfinite(wn))):
            raise self.fail("the wind has missing values (NaN) in the route's window")
        shape = we.shape
        if lev_kind == "pressure":
            if z is not None:
                zh = load(z[0]) * z[1]
                if zh.shape[0] == 1 and shape[0] > 1:
                    zh = np.broadcast_to(zh, shape)
                alt = geopotential_height_to_alt_m(zh)
                how = "pressure levels; altitudes from the file's geopotential"
            else:
                alt = np.broadcast_to(pressure_altitude_m(lev)[None, :, None, None], shape)
                how = "pressure levels; altitudes from the ISA (pressure altitude)"
        elif lev_kind == "agl":
            ground = 0.0 if self.req is None else self.req.ground_alt_m
            alt = np.broadcast_to(ground + lev[None, :, None, None], shape)
            how = f"heights above ground, above the home elevation ({ground:.0f} m)"
        else:
            alt = np.broadcast_to(lev[None, :, None, None], shape)
            how = "heights above mean sea level"
        alt = np.array(alt, dtype=np.float64)
        k = np.argsort(alt[0, :, 0, 0])
        alt, wn, we = alt[:, k], wn[:, k], we[:, k]
        if np.any(np.diff(alt, axis=1) <= 0.0):
            raise self.fail("level altitudes are not strictly ascending in every column")
        if lat_w.size > 1 and lat_w[0] > lat_w[-1]:
            lat_w, alt, wn, we = lat_w[::-1], alt[:, :, ::-1], wn[:, :, ::-1], we[:, :, ::-1]
        if np.any(np.hypot(wn, we) > 150.0):
            raise self.fail("wind speeds above 150 m/s: not a wind in m/s")
        return WindGrid4D(t_s, lat_w, lon_u, alt, wn, we, ref, self.src, how)

    def _time_window(self, vt, sel: dict, time_d) -> tuple[np.ndarray, np.datetime64 | None]:
        r = self.req
        start = None if r is None else r.start
        if vt is None:
            return np.zeros(1), start
        order = np.argsort(vt, kind="stable")
        if np.any(np.diff(vt[order]) <= np.timedelta64(0, "s")):
            raise self.fail("repeated times")
        if time_d is None or vt.size == 1:  # one time: held for the whole flight
            return np.zeros(1), vt[0] if start is None else start
        if np.any(np.diff(vt) < np.timedelta64(0, "s")):
            raise self.fail("times are not in ascending order")
        first, last = vt[0], vt[-1]
        t0 = first if start is None else start
        if t0 < first or t0 > last:
            raise self.fail(f"times outside the file's span: start {iso_utc(t0)} is not within "
                            f"{iso_utc(first)} to {iso_utc(last)}")  # fmt: skip
        need = 0.0 if r is None else r.need_s
        end_need = t0 + np.timedelta64(round(need), "s")
        if end_need > last:
            raise self.fail(f"times outside the file's span: the flight needs winds until about "
                            f"{iso_utc(end_need)}, the file ends at {iso_utc(last)}")  # fmt: skip
        window = math.inf if r is None else r.window_s
        end = last if not math.isfinite(window) else min(
            last, t0 + np.timedelta64(round(window), "s"))  # fmt: skip
        i0 = int(np.nonzero(vt <= t0)[0][-1])
        i1 = int(np.nonzero(vt >= end)[0][0])
        sel[time_d] = slice(i0, i1 + 1)
        t_s = (vt[i0 : i1 + 1] - t0) / np.timedelta64(1, "s")
        return np.asarray(t_s, dtype=np.float64), t0

    def _wind_scale(self, da) -> float:
        units = _attr(da, "units")
        if units in ("", *_WIND_UNITS):
            return 1.0
        if units in ("knots", "knot", "kt", "kts"):
            return KNOT_MPS
        raise self.fail(f"wind {da.name!r} in unknown units {units!r}")

    def _geopotential(self, ds, u, lev_kind: str):
        """(geopotential variable, factor to geopotential height in m) on u's levels and
        lat/lon axes (time optional), or None."""
        need = {d for d in u.dims if d in ds.coords and _axis_kind(d, ds[d]) in
                ("lat", "lon", "pressure")}  # fmt: skip
        for name, da in ds.data_vars.items():
            n = str(name).lower()
            std = _attr(da, "standard_name")
            if not (n in _Z_NAMES or std in ("geopotential", "geopotential_height")):
                continue
            if not (need <= set(da.dims) <= set(u.dims)):
                continue
            units = _attr(da, "units")
            per_g = std == "geopotential" or "s**-2" in units or "s-2" in units or n == "z"
            if units in ("gpm", "m", "meters", "metres") or std == "geopotential_height":
                per_g = False
            return da, (1.0 / G0 if per_g else 1.0)
        return None


def _run(start: int, stop: int, step: int) -> slice:
    if step >= 0:
        return slice(start, stop + 1)
    return slice(start, stop - 1 if stop > 0 else None, -1)


def _deg(lon: float) -> str:
    return f"{((lon + 180.0) % 360.0) - 180.0:g}"


def dataset_window(path: Path, datasets: list, request: WindRequest | None) -> WindGrid4D:
    """The request's window of the wind in a file's datasets (one per GRIB hypercube)."""
    try:
        return _Reader(path, datasets, request).grid()
    except WindSpanError as exc:
        raise WindFileError(str(exc).removeprefix(f"{path}: "), source=str(path)) from None
