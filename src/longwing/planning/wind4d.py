"""Forecast wind on a grid of time x level x latitude x longitude (GRIB2/NetCDF forecasts,
read by :mod:`longwing.io.wind_file`), behind the planner's wind interface and as the
flight's truth.

:class:`WindGrid4D` holds the window of a forecast that a flight needs: the times from the
flight's reference time on (``t_s`` = seconds after it: the plan's start time), the levels
as altitudes (m above mean sea level, the ellipsoid in longwing; per column and time, since
pressure levels move with the weather), and the air velocity north/east. One compiled
lookup (:func:`longwing.physics.wind.gridded_wind_ne`) serves the planner (``at``) and the
simulated truth (``kernel_grid`` goes into the closed loop), so both see the same wind.

Interpolation: linear in time, latitude and longitude between the 8 surrounding columns;
in each column linear in altitude between its levels, the end levels held below and above
(quadrilinear when the levels are at fixed heights). ``at`` refuses times outside the
window (:class:`WindSpanError`); horizontally the edge is held (the route is checked to lie
inside the file when it is read, with a margin for turns and loiters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from longwing.geo.atmosphere import H_MAX_M, H_MIN_M, R0_GEOPOTENTIAL_M, isa_geopotential
from longwing.physics.wind import (
    GriddedWind,
    gridded_wind_many,
    gridded_wind_ne,
    veer_scale_ne,
)

__all__ = [
    "WindGrid4D", "WindSpanError", "geopotential_height_to_alt_m", "pressure_altitude_m",
    "route_box",
]  # fmt: skip

TIME_SLACK_S = 1.0  # times this close outside the window are taken as its end


class WindSpanError(ValueError):
    """A time (or place) the wind grid does not cover; ``str()`` is one line naming the file."""


def iso_utc(t: np.datetime64) -> str:
    """'2026-12-07T12:00Z' (to the minute, or to the second when it has seconds)."""
    s = str(np.datetime_as_string(t.astype("datetime64[s]"), unit="s"))
    return (s[:-3] if s.endswith(":00") else s) + "Z"


@dataclass(frozen=True, eq=False)
class WindGrid4D:
    """Gridded wind varying in time, altitude, latitude and longitude (see the module doc).

    ``t_s`` (nt,), ``lat_deg`` (nlat,), ``lon_deg`` (nlon,) strictly ascending (longitudes
    unwrapped to one interval); ``alt_m``, ``wn_mps``, ``we_mps`` shaped (nt, nz, nlat, nlon),
    ``alt_m`` strictly ascending along the level axis. ``ref_time`` is the UTC time of
    ``t_s = 0`` (None: a grid without times, constant in time).
    """

    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    wn_mps: np.ndarray
    we_mps: np.ndarray
    ref_time: np.datetime64 | None = None
    source: str = ""
    levels: str = ""  # how the levels became altitudes (for reports)
    time_varying: bool = field(default=True, init=False)  # the planner passes t_s to at()

    def __post_init__(self) -> None:
        arrays = {}
        for name in ("t_s", "lat_deg", "lon_deg", "alt_m", "wn_mps", "we_mps"):
            arr = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            if not np.all(np.isfinite(arr)):
                raise WindSpanError(self._msg(f"{name} has values that are not finite"))
            arr.setflags(write=False)
            arrays[name] = arr
            object.__setattr__(self, name, arr)
        nt, nlat, nlon = arrays["t_s"].size, arrays["lat_deg"].size, arrays["lon_deg"].size
        shape = arrays["wn_mps"].shape
        if nt == 0 or nlat == 0 or nlon == 0 or len(shape) != 4 or shape[1] == 0:
            raise WindSpanError(self._msg("the wind grid is empty"))
        if shape != (nt, shape[1], nlat, nlon):
            raise WindSpanError(self._msg(f"wind shape {shape} does not match the axes"))
        if arrays["we_mps"].shape != shape or arrays["alt_m"].shape != shape:
            raise WindSpanError(self._msg("wind and altitude arrays differ in shape"))
        for name in ("t_s", "lat_deg", "lon_deg"):
            if np.any(np.diff(arrays[name]) <= 0.0):
                raise WindSpanError(self._msg(f"{name} is not strictly ascending"))
        if np.any(np.diff(arrays["alt_m"], axis=1) <= 0.0):
            raise WindSpanError(self._msg("level altitudes are not strictly ascending"))
        g = GriddedWind(arrays["t_s"], np.radians(arrays["lat_deg"]),
                        np.radians(arrays["lon_deg"]), arrays["alt_m"], arrays["wn_mps"],
                        arrays["we_mps"])  # fmt: skip
        object.__setattr__(self, "_kernel", g)

    def _msg(self, problem: str) -> str:
        return f"{self.source}: {problem}" if self.source else problem

    def kernel_grid(self) -> GriddedWind:
        """The arrays the compiled lookup (and the closed loop) reads."""
        return self._kernel

    def veered_scaled(self, scale: float, veer_deg: float) -> WindGrid4D:
        """The grid with every wind times ``scale`` and veered by ``veer_deg`` (clockwise),
        :func:`longwing.physics.wind.veer_scale_ne`: a forecast's speed and direction error."""
        wn, we = veer_scale_ne(self.wn_mps, self.we_mps, scale, veer_deg)
        return WindGrid4D(self.t_s, self.lat_deg, self.lon_deg, self.alt_m, wn, we,
                          self.ref_time, self.source, self.levels)  # fmt: skip

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(times, levels, latitudes, longitudes) held in memory."""
        return self.wn_mps.shape

    def time_of(self, t_s: float) -> str:
        """UTC time of ``t_s`` seconds after the reference time ('+N s' without one)."""
        if self.ref_time is None:
            return f"+{t_s:.0f} s"
        return iso_utc(self.ref_time + np.timedelta64(round(t_s), "s"))

    def check_span(self, t0_s: float, t1_s: float) -> None:
        """WindSpanError unless [t0_s, t1_s] lies within the grid's times (a grid with one
        time, or none, holds it for ever)."""
        if self.t_s.size == 1:
            return
        lo, hi = float(self.t_s[0]), float(self.t_s[-1])
        if t0_s < lo - TIME_SLACK_S or t1_s > hi + TIME_SLACK_S:
            bad = t0_s if t0_s < lo - TIME_SLACK_S else t1_s
            raise WindSpanError(self._msg(
                f"time {self.time_of(bad)} is outside the file's span "
                f"{self.time_of(lo)} to {self.time_of(hi)}"))  # fmt: skip

    def at(self, lat_deg, lon_deg, alt_m, t_s=0.0) -> tuple:
        """(wn_mps, we_mps) at the points (broadcast; scalars in, floats out) and times
        ``t_s`` after the reference time. WindSpanError for a time outside the grid."""
        if all(np.ndim(v) == 0 for v in (lat_deg, lon_deg, alt_m, t_s)):  # the integrator's
            t = float(t_s)
            self.check_span(t, t)
            # np.radians as for the axes: a node's latitude converts to the axis's value
            wn, we = gridded_wind_ne(t, float(np.radians(float(lat_deg))),
                                     float(np.radians(float(lon_deg))), float(alt_m),
                                     self._kernel)  # fmt: skip
            return float(wn), float(we)
        lat, lon, alt, t = np.broadcast_arrays(
            *(np.asarray(v, dtype=np.float64) for v in (lat_deg, lon_deg, alt_m, t_s))
        )
        if t.size:
            self.check_span(float(t.min()), float(t.max()))
        shape = lat.shape
        flat = [np.ascontiguousarray(a.reshape(-1)) for a in (t, lat, lon, alt)]
        wn = np.empty(flat[0].size)
        we = np.empty(flat[0].size)
        gridded_wind_many(flat[0], np.radians(flat[1]), np.radians(flat[2]), flat[3],
                          self._kernel, wn, we)  # fmt: skip
        if shape == ():
            return float(wn[0]), float(we[0])
        return wn.reshape(shape), we.reshape(shape)

    def covers(self, lat_deg, lon_deg) -> np.ndarray:
        """True where the point lies inside the grid's latitude/longitude extent (an axis
        with one value covers everything along it)."""
        lat = np.asarray(lat_deg, float)
        lon0 = self.lon_deg[0]
        lon_u = (np.asarray(lon_deg, float) - lon0) % 360.0 + lon0
        ok_lat = (lat >= self.lat_deg[0]) & (lat <= self.lat_deg[-1])
        ok_lon = lon_u <= self.lon_deg[-1]
        if self.lat_deg.size == 1:
            ok_lat = np.ones_like(ok_lat)
        if self.lon_deg.size == 1 or self.lon_deg[-1] - lon0 >= 360.0:
            ok_lon = np.ones_like(ok_lon)
        return ok_lat & ok_lon

    def describe(self) -> str:
        """One line for reports: the source, its window and how levels became altitudes."""
        nt, nz, nlat, nlon = self.shape
        span = (
            ""
            if self.ref_time is None
            else (f", {self.time_of(float(self.t_s[0]))} to {self.time_of(float(self.t_s[-1]))}")
        )
        return (f"{self.source or 'wind grid'}: {nt} times x {nz} levels x {nlat} x {nlon} "
                f"lat/lon{span}; {self.levels}")  # fmt: skip

    @classmethod
    def from_windgrid(cls, grid) -> WindGrid4D:
        """A CSV :class:`~longwing.planning.windgrid.WindGrid` (no time) as a 4-D grid with one
        time, so the flight's truth can use it too."""
        nlat, nlon, nz = grid.wn_mps.shape
        to4 = lambda a: np.ascontiguousarray(np.transpose(a, (2, 0, 1))[None])  # noqa: E731
        alt = np.broadcast_to(grid.alt_m[None, :, None, None], (1, nz, nlat, nlon))
        return cls(np.zeros(1), grid.lat_deg, grid.lon_deg, alt, to4(grid.wn_mps),
                   to4(grid.we_mps), None, grid.source, "altitudes above MSL (CSV)")  # fmt: skip


def route_box(lats_deg, lons_deg) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_lo, lon_hi) of points, the longitude interval the shortest one
    holding them all (it may cross +/-180: then lon_hi > 180)."""
    lat = np.asarray(lats_deg, float)
    lon = np.sort(np.mod(np.asarray(lons_deg, float), 360.0))
    gaps = np.diff(np.concatenate([lon, [lon[0] + 360.0]]))
    k = int(np.argmax(gaps))  # the widest gap between points is outside the box
    lo = float(lon[(k + 1) % lon.size])
    hi = lo + 360.0 - float(gaps[k])
    if lo >= 180.0:
        lo, hi = lo - 360.0, hi - 360.0
    return float(lat.min()), float(lat.max()), lo, hi if math.isfinite(hi) else lo


def geopotential_height_to_alt_m(h_gpm) -> np.ndarray:
    """Geometric altitude (m) of a geopotential height (m'), the 1976 standard's relation
    with its effective Earth radius (the inverse of
    :func:`longwing.geo.atmosphere.geopotential_altitude_m`)."""
    h = np.asarray(h_gpm, dtype=np.float64)
    return R0_GEOPOTENTIAL_M * h / (R0_GEOPOTENTIAL_M - h)


def pressure_altitude_m(p_pa) -> np.ndarray:
    """Geometric altitude (m) at which the ISA (U.S. Standard Atmosphere 1976) has the
    pressure ``p_pa``: :func:`longwing.geo.atmosphere.isa` inverted by bisection to 1 mm,
    clamped to the ISA's range (-5 km to 47 km geopotential)."""
    p = np.asarray(p_pa, dtype=np.float64)
    out = np.empty(p.shape)
    for idx, pk in np.ndenumerate(p):
        lo, hi = H_MIN_M, H_MAX_M  # geopotential; pressure falls with height
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            if isa_geopotential(mid)[1] > pk:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-4:
                break
        out[idx] = geopotential_height_to_alt_m(0.5 * (lo + hi))
    return out
