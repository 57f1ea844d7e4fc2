"""Steady (mean) wind: a horizontal wind profile layered by altitude.

Conventions
-----------
* Components are NED and give the velocity of the *air* (the direction it moves TOWARD), m/s:
  ``wn_mps`` north, ``we_mps`` east, ``wd_mps`` down. Airspeed = ground velocity - wind.
* Human/CLI input is meteorological: the direction the wind blows FROM, degrees clockwise from
  true north. ``270@8`` is a westerly: the air moves east at 8 m/s (wn = 0, we = +8).
* Between layers the north/east components are interpolated linearly in altitude (so a veering
  wind passes through a slightly lower speed); outside the table the end layer is held.

A forecast grid (time x altitude x latitude x longitude, :class:`GriddedWind`) has its own
compiled lookup, :func:`gridded_wind_ne` (see ``docs/winds.md``); files are read by
:mod:`longwing.io.wind_file`.

CLI syntax (:func:`parse_wind`): ``DIR@SPEED`` (``270@8``) for a uniform wind, or comma-separated
``ALT_M:DIR@SPEED`` layers with strictly ascending altitudes (``0:270@5,1000:250@12``); ``calm``
for no wind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit

MAX_WIND_SPEED_MPS = 100.0  # sanity bound for user input (~195 kt)

_WIND_SYNTAX = "expected DIR@SPEED (e.g. 270@8) or ALT_M:DIR@SPEED,... (e.g. 0:270@5,1000:250@12)"


def _frozen_array(values: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    """1-D read-only float64 copy of ``values``; ValueError if not finite."""
    arr = np.array(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"wind {name} must be finite")
    arr.setflags(write=False)
    return arr


def _check_direction(from_deg: float) -> None:
    if not (0.0 <= from_deg <= 360.0):
        raise ValueError(f"direction {from_deg:g} deg outside [0, 360]")


def _check_speed(speed_mps: float) -> None:
    if not math.isfinite(speed_mps):
        raise ValueError(f"speed {speed_mps:g} m/s is not finite")
    if speed_mps < 0.0:
        raise ValueError(f"speed {speed_mps:g} m/s is negative")
    if speed_mps > MAX_WIND_SPEED_MPS:
        raise ValueError(f"speed {speed_mps:g} m/s exceeds {MAX_WIND_SPEED_MPS:g} m/s")


def _check_ascending(alt_m: Sequence[float]) -> None:
    for lo, hi in zip(alt_m, alt_m[1:], strict=False):
        if not hi > lo:
            raise ValueError(f"altitudes must be strictly ascending ({hi:g} m after {lo:g} m)")


def wind_from_to_ne(from_deg: float, speed_mps: float) -> tuple[float, float]:
    """(north, east) air-velocity components (m/s) of a wind blowing FROM ``from_deg``.

    ``from_deg`` is degrees clockwise from north (meteorological); the air moves toward
    ``from_deg + 180``. Exact zeros are returned for cardinal directions.
    """
    _check_direction(from_deg)
    _check_speed(speed_mps)
    rad = math.radians(from_deg)
    wn = -speed_mps * math.cos(rad)
    we = -speed_mps * math.sin(rad)
    tiny = 1e-12 * speed_mps  # cos(270 deg) is 1.8e-16, not 0: snap rounding residue
    return (0.0 if abs(wn) < tiny else wn) + 0.0, (0.0 if abs(we) < tiny else we) + 0.0


def veer_scale_ne(wn_mps, we_mps, scale: float, veer_deg: float) -> tuple:
    """The horizontal wind ``(wn_mps, we_mps)`` (arrays or floats) times ``scale`` and veered
    by ``veer_deg`` (clockwise: a wind from 270 veered by 10 blows from 280): a forecast's
    speed and direction error applied to every point alike."""
    c, s = math.cos(math.radians(veer_deg)), math.sin(math.radians(veer_deg))
    return scale * (c * wn_mps - s * we_mps), scale * (s * wn_mps + c * we_mps)


@dataclass(frozen=True, eq=False)
class WindField:
    """Horizontal wind layered by altitude (m above MSL, ascending), NED air velocity in m/s.

    Arrays are stored read-only. ``wd_mps`` (vertical air velocity, positive down) defaults to
    zeros; the CLI never sets it.
    """

    alt_m: np.ndarray
    wn_mps: np.ndarray
    we_mps: np.ndarray
    wd_mps: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        alt = _frozen_array(self.alt_m, "alt_m")
        wn = _frozen_array(self.wn_mps, "wn_mps")
        we = _frozen_array(self.we_mps, "we_mps")
        wd = _frozen_array(np.zeros_like(alt) if self.wd_mps is None else self.wd_mps, "wd_mps")
        if alt.size == 0:
            raise ValueError("wind table needs at least one layer")
        if not (alt.size == wn.size == we.size == wd.size):
            raise ValueError("wind arrays alt_m, wn_mps, we_mps, wd_mps must have equal length")
        _check_ascending(alt.tolist())
        object.__setattr__(self, "alt_m", alt)
        object.__setattr__(self, "wn_mps", wn)
        object.__setattr__(self, "we_mps", we)
        object.__setattr__(self, "wd_mps", wd)

    @classmethod
    def calm(cls) -> WindField:
        """No wind anywhere."""
        return cls(np.zeros(1), np.zeros(1), np.zeros(1))

    @classmethod
    def constant(cls, from_deg: float, speed_mps: float) -> WindField:
        """Uniform wind blowing FROM ``from_deg`` (deg clockwise from north) at ``speed_mps``."""
        wn, we = wind_from_to_ne(from_deg, speed_mps)
        return cls(np.zeros(1), np.array([wn]), np.array([we]))

    @classmethod
    def layered(cls, layers: Sequence[tuple[float, float, float]]) -> WindField:
        """Wind from ``[(alt_m, from_deg, speed_mps), ...]`` with strictly ascending altitudes."""
        if len(layers) == 0:
            raise ValueError("wind table needs at least one layer")
        alts = [float(layer[0]) for layer in layers]
        if not all(math.isfinite(a) for a in alts):
            raise ValueError("layer altitudes must be finite")
        _check_ascending(alts)
        comps = [wind_from_to_ne(float(d), float(s)) for _, d, s in layers]
        return cls(np.array(alts), np.array([c[0] for c in comps]), np.array([c[1] for c in comps]))

    def veered_scaled(self, scale: float, veer_deg: float) -> WindField:
        """Every layer's horizontal wind by :func:`veer_scale_ne` (vertical wind unchanged)."""
        wn, we = veer_scale_ne(self.wn_mps, self.we_mps, scale, veer_deg)
        return WindField(self.alt_m, wn, we, self.wd_mps)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(alt_m, wn_mps, we_mps) float64 arrays for :func:`steady_wind_ned`."""
        return self.alt_m, self.wn_mps, self.we_mps

    def arrays_ned(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(alt_m, wn_mps, we_mps, wd_mps) float64 arrays for :func:`steady_wind_ned_wd`."""
        assert self.wd_mps is not None  # set in __post_init__
        return self.alt_m, self.wn_mps, self.we_mps, self.wd_mps

    def at(self, alt_m: float) -> tuple[float, float, float]:
        """(wn, we, wd) air velocity (m/s) at altitude ``alt_m`` (m); convenience, not hot path."""
        return steady_wind_ned_wd(float(alt_m), *self.arrays_ned())

    @property
    def is_calm(self) -> bool:
        """True if every layer has zero wind."""
        assert self.wd_mps is not None
        return not (np.any(self.wn_mps) or np.any(self.we_mps) or np.any(self.wd_mps))


def _parse_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} {text.strip()!r} is not finite")
    return value


def _parse_dir_speed(text: str) -> tuple[float, float]:
    """'DIR@SPEED' -> (from_deg, speed_mps), validated."""
    parts = text.split("@")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ValueError(_WIND_SYNTAX)
    from_deg = _parse_number(parts[0], "direction")
    speed_mps = _parse_number(parts[1], "speed")
    _check_direction(from_deg)
    _check_speed(speed_mps)
    return from_deg, speed_mps


def _parse_layer(text: str) -> tuple[float, float, float]:
    """'ALT_M:DIR@SPEED' -> (alt_m, from_deg, speed_mps)."""
    parts = text.split(":")
    if len(parts) != 2 or not parts[0].strip():
        raise ValueError(_WIND_SYNTAX)
    alt_m = _parse_number(parts[0], "altitude")
    return (alt_m, *_parse_dir_speed(parts[1]))


def _parse_wind_spec(spec: str) -> WindField:
    if not spec:
        raise ValueError(f"empty; {_WIND_SYNTAX}")
    if spec.lower() == "calm":
        return WindField.calm()
    if ":" not in spec and "," not in spec:
        return WindField.constant(*_parse_dir_speed(spec))
    layers = [_parse_layer(item) for item in spec.split(",")]
    return WindField.layered(layers)


def parse_wind(text: str) -> WindField:
    """Parse a CLI wind string: ``DIR@SPEED``, ``ALT_M:DIR@SPEED,...`` or ``calm``.

    DIR is where the wind blows FROM (deg clockwise from north, in [0, 360]); SPEED in m/s
    (0..100); ALT_M in m, strictly ascending. Raises ValueError with a one-line message that
    names the offending text, e.g. ``invalid wind '400@8': direction 400 deg outside [0, 360]``.
    """
    try:
        return _parse_wind_spec(text.strip())
    except ValueError as exc:
        raise ValueError(f"invalid wind {text!r}: {exc}") from None


@njit(cache=True)
def _interp_clamped(x: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Piecewise-linear y(x) through ascending ``xs``; held constant outside the table."""
    n = xs.shape[0]
    if n == 1 or x <= xs[0]:
        return ys[0]
    if x >= xs[n - 1]:
        return ys[n - 1]
    i = 1
    while xs[i] < x:
        i += 1
    f = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    return ys[i - 1] + f * (ys[i] - ys[i - 1])


@njit(cache=True)
def steady_wind_ned(
    alt_m: float, alt_tab: np.ndarray, wn_tab: np.ndarray, we_tab: np.ndarray
) -> tuple[float, float, float]:
    """Steady wind (wn, we, wd) in m/s (air velocity, NED) at altitude ``alt_m`` (m).

    Linear in altitude between table layers, clamped outside; wd is always 0 here (see
    :func:`steady_wind_ned_wd` for fields with a vertical component).
    """
    wn = _interp_clamped(alt_m, alt_tab, wn_tab)
    we = _interp_clamped(alt_m, alt_tab, we_tab)
    return wn, we, 0.0


@njit(cache=True)
def steady_wind_ned_wd(
    alt_m: float, alt_tab: np.ndarray, wn_tab: np.ndarray, we_tab: np.ndarray, wd_tab: np.ndarray
) -> tuple[float, float, float]:
    """Like :func:`steady_wind_ned` but also interpolates the vertical component ``wd_tab``."""
    wn = _interp_clamped(alt_m, alt_tab, wn_tab)
    we = _interp_clamped(alt_m, alt_tab, we_tab)
    wd = _interp_clamped(alt_m, alt_tab, wd_tab)
    return wn, we, wd


# --- gridded (forecast) wind: time x altitude x latitude x longitude -------------------------


class GriddedWind(NamedTuple):
    """A forecast wind grid as the compiled lookup reads it (built by
    :class:`longwing.planning.wind4d.WindGrid4D`; an empty ``t_s`` means "no grid").

    ``t_s`` (nt,) seconds after the flight's reference time, ascending; ``lat_rad`` (nlat,)
    and ``lon_rad`` (nlon,) ascending (longitudes unwrapped to one continuous interval);
    ``alt_m``, ``wn_mps``, ``we_mps`` shaped (nt, nz, nlat, nlon): the altitude of each level
    in each column (ascending along the level axis; pressure levels move with the weather)
    and the air velocity north/east there.
    """

    t_s: np.ndarray
    lat_rad: np.ndarray
    lon_rad: np.ndarray
    alt_m: np.ndarray
    wn_mps: np.ndarray
    we_mps: np.ndarray


def no_gridded_wind() -> GriddedWind:
    """The empty grid: the loop uses the layered :class:`WindField` instead."""
    e1 = np.zeros(0)
    e4 = np.zeros((0, 0, 0, 0))
    return GriddedWind(e1, e1, e1, e4, e4, e4)


@njit(cache=True, inline="always")
def _bracket(x: float, axis: np.ndarray) -> tuple[int, int, float]:
    """(i0, i1, f) with ``axis[i0] <= x < axis[i1]`` and x = axis[i0] + f (axis[i1] -
    axis[i0]); clamped outside (f = 0 at the end node), so nodes give f = 0 exactly."""
    n = axis.shape[0]
    if n == 1 or x <= axis[0]:
        return 0, 0, 0.0
    if x >= axis[n - 1]:
        return n - 1, n - 1, 0.0
    lo = 0
    hi = n - 1
    while hi - lo > 1:  # bisection: axis[lo] <= x < axis[hi]
        mid = (lo + hi) // 2
        if axis[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo, hi, (x - axis[lo]) / (axis[hi] - axis[lo])


@njit(cache=True, inline="always")
def _lerp(a: float, b: float, f: float) -> float:
    """a + f (b - a): exactly ``a`` at f = 0 and when a == b (a uniform field stays exact)."""
    return a + f * (b - a)


@njit(cache=True, inline="always")
def _column(g: GriddedWind, it: int, i: int, j: int, alt_m: float) -> tuple[float, float]:
    """(wn, we) at ``alt_m`` in one column: linear in altitude between its levels, the end
    level's value held below the lowest and above the highest."""
    col = g.alt_m[it, :, i, j]
    k0, k1, f = _bracket(alt_m, col)
    return (_lerp(g.wn_mps[it, k0, i, j], g.wn_mps[it, k1, i, j], f),
            _lerp(g.we_mps[it, k0, i, j], g.we_mps[it, k1, i, j], f))  # fmt: skip


@njit(cache=True)
def gridded_wind_ne(
    t_s: float, lat_rad: float, lon_rad: float, alt_m: float, g: GriddedWind
) -> tuple[float, float]:
    """(wn, we) in m/s at a time, place and altitude: linear in time, latitude and longitude
    between the 8 surrounding columns, each interpolated linearly in altitude (quadrilinear
    when the levels are at fixed heights). Every axis is clamped: outside the grid the edge
    value is held (the callers check coverage before a flight or a prediction)."""
    lon0 = g.lon_rad[0]
    two_pi = 2.0 * math.pi
    lon_u = lon0 + (lon_rad - lon0) % two_pi
    nlon = g.lon_rad.shape[0]
    if nlon > 1 and lon_u > g.lon_rad[nlon - 1]:
        # beyond the eastern edge: the western edge may be nearer the other way round
        if lon0 + two_pi - lon_u < lon_u - g.lon_rad[nlon - 1]:
            lon_u = lon0
    t0, t1, ft = _bracket(t_s, g.t_s)
    i0, i1, fi = _bracket(lat_rad, g.lat_rad)
    j0, j1, fj = _bracket(lon_u, g.lon_rad)
    out_n = 0.0
    out_e = 0.0
    for tt in range(2):
        it = t0 if tt == 0 else t1
        n00, e00 = _column(g, it, i0, j0, alt_m)
        n01, e01 = _column(g, it, i0, j1, alt_m)
        n10, e10 = _column(g, it, i1, j0, alt_m)
        n11, e11 = _column(g, it, i1, j1, alt_m)
        wn = _lerp(_lerp(n00, n01, fj), _lerp(n10, n11, fj), fi)
        we = _lerp(_lerp(e00, e01, fj), _lerp(e10, e11, fj), fi)
        if tt == 0:
            out_n = wn
            out_e = we
            if ft == 0.0:
                break
        else:
            out_n = _lerp(out_n, wn, ft)
            out_e = _lerp(out_e, we, ft)
    return out_n, out_e


@njit(cache=True)
def gridded_wind_many(
    t_s: np.ndarray, lat_rad: np.ndarray, lon_rad: np.ndarray, alt_m: np.ndarray,
    g: GriddedWind, wn_out: np.ndarray, we_out: np.ndarray,
) -> None:  # fmt: skip
    """:func:`gridded_wind_ne` over flat arrays of equal length (the planner's vectorised
    lookup), into ``wn_out`` and ``we_out``."""
    for k in range(t_s.shape[0]):
        wn_out[k], we_out[k] = gridded_wind_ne(t_s[k], lat_rad[k], lon_rad[k], alt_m[k], g)
