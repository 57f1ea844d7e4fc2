"""Gridded wind: a regular latitude x longitude x altitude grid, interpolated trilinearly.

The CSV format (``.csv``, UTF-8)
--------------------------------
One header line naming the columns, then one line per grid node; blank lines and lines
starting with ``#`` are ignored anywhere. Columns may come in any order:

- ``lat_deg``, ``lon_deg``: the node (WGS84 degrees; longitudes in [-180, 360]);
- ``alt_m``: altitude of the node, metres above mean sea level;
- the wind, as either ``wind_from_deg`` and ``speed_mps`` (meteorological: the direction
  the wind blows FROM, degrees clockwise from true north, and its speed), or ``u_mps`` and
  ``v_mps`` (the air's velocity toward east and toward north, as forecast models give it).

Example (a westerly strengthening with height)::

    # GFS 2026-11-24 12Z, Conception Bay
    lat_deg,lon_deg,alt_m,wind_from_deg,speed_mps
    47.0,-53.5,0,250,6
    47.0,-53.5,1500,260,14
    47.0,-52.5,0,250,7
    ...

The nodes must form a complete regular grid: every combination of the distinct latitudes,
longitudes and altitudes exactly once (any order, spacing need not be uniform; one value of
an axis makes the wind constant along it). A grid may cross the antimeridian (e.g. 170 to
-170) or go all the way round the Earth (then it wraps).

Interpolation and extrapolation: north and east components are interpolated (trilinear in
latitude, longitude, altitude), as :class:`~longwing.physics.wind.WindField` interpolates
its layers; outside the grid the nearest edge value is held (clamped).

Bad files raise :class:`WindGridError` (a ``ValueError``) with one line naming the file, the
line and the problem: ``wind.csv: line 7: speed_mps '-3' is negative``. The file is read by
:func:`longwing.io.wind_file.load_wind_csv` (``longwing plan check --wind-file``); GRIB2 and
NetCDF forecasts varying in time too are :mod:`longwing.planning.wind4d`.

:func:`as_wind_source` turns a constant or layered :class:`WindField` (or ``None``: calm) into
the same interface: anything with a vectorised ``at(lat_deg, lon_deg, alt_m) -> (wn_mps,
we_mps)``, which is what :func:`longwing.planning.predict.predict_mission` takes.
"""

from __future__ import annotations

import bisect
import difflib
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from longwing.physics.wind import MAX_WIND_SPEED_MPS, WindField

__all__ = [
    "LayeredWind",
    "WindGrid",
    "WindGridError",
    "WindSource",
    "as_wind_source",
    "parse_wind_csv",
]

_REQUIRED = ("lat_deg", "lon_deg", "alt_m")
_POLAR = ("wind_from_deg", "speed_mps")
_CARTESIAN = ("u_mps", "v_mps")
_KNOWN = _REQUIRED + _POLAR + _CARTESIAN


class WindGridError(ValueError):
    """A wind grid file that cannot be used. ``str()`` is one line:
    ``[source: ][line N: ]problem``; the parts are attributes too."""

    def __init__(self, problem: str, *, source: str | None = None, line: int | None = None):
        self.problem = problem
        self.source = source
        self.line = line
        parts = [source, None if line is None else f"line {line}", problem]
        super().__init__(": ".join(p for p in parts if p))


class WindSource(Protocol):
    """Anything that gives the horizontal wind (air velocity north, east; m/s). A source
    whose wind changes in time (:class:`~longwing.planning.wind4d.WindGrid4D`) says so with
    ``time_varying = True`` and also takes ``t_s``, seconds after the plan's start."""

    def at(self, lat_deg, lon_deg, alt_m) -> tuple[np.ndarray, np.ndarray]: ...


def _axis_weights(values: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower index and weight of the upper node for piecewise-linear interpolation along a
    strictly ascending axis, clamped at the ends."""
    n = values.size
    if n == 1:
        return np.zeros(x.shape, dtype=int), np.zeros(x.shape)
    xc = np.clip(x, values[0], values[-1])
    i = np.clip(np.searchsorted(values, xc, side="right") - 1, 0, n - 2)
    t = (xc - values[i]) / (values[i + 1] - values[i])
    return i, t


@dataclass(frozen=True, eq=False)
class WindGrid:
    """Wind on a regular grid: ``wn_mps``/``we_mps`` of shape (n_lat, n_lon, n_alt).

    Axes are strictly ascending; longitudes are unwrapped to one continuous interval
    (``lon_deg[0]`` in [-180, 180)); ``periodic`` when they go round the Earth.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    wn_mps: np.ndarray
    we_mps: np.ndarray
    periodic: bool = False
    source: str = field(default="")

    @classmethod
    def from_arrays(
        cls,
        lat_deg,
        lon_deg,
        alt_m,
        wn_mps,
        we_mps,
        *,
        source: str = "",
    ) -> WindGrid:
        """Build from axes (any order, distinct values) and components shaped
        (n_lat, n_lon, n_alt) in the order given. Longitudes may wrap (see the module doc)."""
        lat = np.asarray(lat_deg, float).reshape(-1)
        lon = np.asarray(lon_deg, float).reshape(-1)
        alt = np.asarray(alt_m, float).reshape(-1)
        wn = np.asarray(wn_mps, float)
        we = np.asarray(we_mps, float)
        shape = (lat.size, lon.size, alt.size)
        if wn.shape != shape or we.shape != shape:
            raise WindGridError(f"wind arrays must have shape {shape}", source=source or None)
        for name, axis in (("lat_deg", lat), ("lon_deg", lon), ("alt_m", alt)):
            if axis.size == 0 or not np.all(np.isfinite(axis)):
                raise WindGridError(f"{name} axis is empty or not finite", source=source or None)
            if np.unique(axis).size != axis.size:
                raise WindGridError(f"{name} axis has repeated values", source=source or None)
        if not (np.all(np.isfinite(wn)) and np.all(np.isfinite(we))):
            raise WindGridError("wind components must be finite", source=source or None)
        # sort the axes
        ia, io, ih = np.argsort(lat), np.argsort(lon), np.argsort(alt)
        lat, alt = lat[ia], alt[ih]
        wn = wn[ia][:, io][:, :, ih]
        we = we[ia][:, io][:, :, ih]
        lon = ((lon[io] + 180.0) % 360.0) - 180.0
        order = np.argsort(lon)
        lon, wn, we = lon[order], wn[:, order], we[:, order]
        periodic = False
        if lon.size > 1:
            gaps = np.diff(np.concatenate([lon, [lon[0] + 360.0]]))
            k = int(np.argmax(gaps))
            spacing = float(np.median(gaps))
            if gaps[k] <= 1.5 * spacing and lon.size > 2:
                periodic = True  # round the Earth: wrap by repeating the first column
                lon = np.concatenate([lon, [lon[0] + 360.0]])
                wn = np.concatenate([wn, wn[:, :1]], axis=1)
                we = np.concatenate([we, we[:, :1]], axis=1)
            elif k != lon.size - 1:  # the widest gap is inside: the grid crosses +/-180
                roll = k + 1
                lon = np.concatenate([lon[roll:], lon[:roll] + 360.0])
                wn = np.concatenate([wn[:, roll:], wn[:, :roll]], axis=1)
                we = np.concatenate([we[:, roll:], we[:, :roll]], axis=1)
        for arr in (lat, lon, alt, wn, we):
            arr.setflags(write=False)
        return cls(lat, lon, alt, wn, we, periodic, source)

    def __post_init__(self) -> None:
        # plain lists for the scalar path (an integrator asks for one point at a time)
        for name in ("lat_deg", "lon_deg", "alt_m"):
            object.__setattr__(self, f"_{name}_list", getattr(self, name).tolist())

    def _at_scalar(self, lat: float, lon: float, alt: float) -> tuple[float, float]:
        lats, lons, alts = self._lat_deg_list, self._lon_deg_list, self._alt_m_list
        lon0 = lons[0]
        lon_u = (lon - lon0) % 360.0 + lon0
        if not self.periodic and len(lons) > 1 and lon_u > lons[-1]:
            if lon0 + 360.0 - lon_u < lon_u - lons[-1]:
                lon_u = lon0
        idx = []
        for axis, x in ((lats, lat), (lons, lon_u), (alts, alt)):
            n = len(axis)
            if n == 1 or x <= axis[0]:
                idx.append((0, 0, 0.0))
            elif x >= axis[-1]:
                idx.append((n - 1, n - 1, 0.0))
            else:
                i = bisect.bisect_right(axis, x) - 1
                idx.append((i, i + 1, (x - axis[i]) / (axis[i + 1] - axis[i])))
        (i0, i1, ti), (j0, j1, tj), (k0, k1, tk) = idx
        out = []
        for g in (self.wn_mps, self.we_mps):
            c0 = (g[i0, j0, k0] * (1.0 - tk) + g[i0, j0, k1] * tk) * (1.0 - tj) + (
                g[i0, j1, k0] * (1.0 - tk) + g[i0, j1, k1] * tk
            ) * tj
            c1 = (g[i1, j0, k0] * (1.0 - tk) + g[i1, j0, k1] * tk) * (1.0 - tj) + (
                g[i1, j1, k0] * (1.0 - tk) + g[i1, j1, k1] * tk
            ) * tj
            out.append(float(c0 * (1.0 - ti) + c1 * ti))
        return out[0], out[1]

    def at(self, lat_deg, lon_deg, alt_m) -> tuple[np.ndarray, np.ndarray]:
        """(wn_mps, we_mps): trilinear, broadcast over the arguments, clamped outside.
        Scalars in, floats out."""
        if np.ndim(lat_deg) == 0 and np.ndim(lon_deg) == 0 and np.ndim(alt_m) == 0:
            return self._at_scalar(float(lat_deg), float(lon_deg), float(alt_m))
        lat, lon, alt = np.broadcast_arrays(
            *(np.asarray(v, float) for v in (lat_deg, lon_deg, alt_m))
        )
        lon0 = self.lon_deg[0]
        lon_u = (lon - lon0) % 360.0 + lon0
        if not self.periodic and self.lon_deg.size > 1:
            # beyond the eastern edge: nearer the western edge the other way round?
            east = lon_u - self.lon_deg[-1]
            west = lon0 + 360.0 - lon_u
            lon_u = np.where((east > 0.0) & (west < east), lon0, lon_u)
        i, ti = _axis_weights(self.lat_deg, lat)
        j, tj = _axis_weights(self.lon_deg, lon_u)
        k, tk = _axis_weights(self.alt_m, alt)
        i1 = np.minimum(i + 1, self.lat_deg.size - 1)
        j1 = np.minimum(j + 1, self.lon_deg.size - 1)
        k1 = np.minimum(k + 1, self.alt_m.size - 1)
        out = []
        for g in (self.wn_mps, self.we_mps):
            c00 = g[i, j, k] * (1.0 - tk) + g[i, j, k1] * tk
            c01 = g[i, j1, k] * (1.0 - tk) + g[i, j1, k1] * tk
            c10 = g[i1, j, k] * (1.0 - tk) + g[i1, j, k1] * tk
            c11 = g[i1, j1, k] * (1.0 - tk) + g[i1, j1, k1] * tk
            c0 = c00 * (1.0 - tj) + c01 * tj
            c1 = c10 * (1.0 - tj) + c11 * tj
            out.append(c0 * (1.0 - ti) + c1 * ti)
        return out[0], out[1]

    def covers(self, lat_deg, lon_deg) -> np.ndarray:
        """True where the point lies inside the grid's latitude/longitude extent."""
        lat = np.asarray(lat_deg, float)
        lon0 = self.lon_deg[0]
        lon_u = (np.asarray(lon_deg, float) - lon0) % 360.0 + lon0
        inside_lat = (lat >= self.lat_deg[0]) & (lat <= self.lat_deg[-1])
        return inside_lat & (self.periodic | (lon_u <= self.lon_deg[-1]))


@dataclass(frozen=True, eq=False)
class LayeredWind:
    """A :class:`WindField` (constant or layered by altitude) behind the grid interface:
    the same wind everywhere horizontally, linear between layers, held outside them."""

    field: WindField

    def at(self, lat_deg, lon_deg, alt_m) -> tuple[np.ndarray, np.ndarray]:
        lat, lon, alt = np.broadcast_arrays(
            *(np.asarray(v, float) for v in (lat_deg, lon_deg, alt_m))
        )
        alt_tab, wn_tab, we_tab = self.field.arrays()
        return np.interp(alt, alt_tab, wn_tab), np.interp(alt, alt_tab, we_tab)


def as_wind_source(wind) -> WindSource:
    """``None`` -> calm; a :class:`WindField` -> :class:`LayeredWind`; anything with an
    ``at(lat_deg, lon_deg, alt_m)`` method is returned as it is."""
    if wind is None:
        return LayeredWind(WindField.calm())
    if isinstance(wind, WindField):
        return LayeredWind(wind)
    if callable(getattr(wind, "at", None)):
        return wind
    raise TypeError(f"not a wind source: {type(wind).__name__} has no at(lat, lon, alt)")


# --- CSV -------------------------------------------------------------------------------------


def _number(text: str, column: str, source: str | None, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise WindGridError(
            f"{column} {text.strip()!r} is not a number", source=source, line=line
        ) from None
    if not math.isfinite(value):
        raise WindGridError(f"{column} {text.strip()!r} is not finite", source=source, line=line)
    return value


def parse_wind_csv(text: str, source: str | None = None) -> WindGrid:
    """Read a wind grid from CSV text (format in the module doc); ``source`` names the file
    in errors."""
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [c.strip() for c in stripped.split(",")]
        if header is None:
            header, header_line = [c.lower() for c in cells], n
            continue
        rows.append((n, cells))
    if header is None:
        raise WindGridError("no header line (and no data)", source=source)
    for name in header:
        if name not in _KNOWN:
            close = difflib.get_close_matches(name, _KNOWN, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise WindGridError(
                f"unknown column {name!r}{hint}; expected "
                f"{', '.join(_REQUIRED)} and wind_from_deg, speed_mps or "
                "u_mps, v_mps",
                source=source,
                line=header_line,
            )
    if len(set(header)) != len(header):
        raise WindGridError("a column is named twice", source=source, line=header_line)
    missing = [c for c in _REQUIRED if c not in header]
    polar = all(c in header for c in _POLAR)
    cart = all(c in header for c in _CARTESIAN)
    if missing:
        raise WindGridError(f"missing column {missing[0]}", source=source, line=header_line)
    if polar == cart:
        what = "both {} and {}" if polar else "neither {} nor {}"
        text = what.format("wind_from_deg/speed_mps", "u_mps/v_mps") + ": give exactly one pair"
        raise WindGridError(text, source=source, line=header_line)
    if not rows:
        raise WindGridError("no data lines", source=source)
    col = {name: i for i, name in enumerate(header)}
    nodes: dict[tuple[float, float, float], tuple[int, float, float]] = {}
    for n, cells in rows:
        if len(cells) != len(header):
            raise WindGridError(
                f"{len(cells)} values, the header has {len(header)} columns", source=source, line=n
            )
        lat = _number(cells[col["lat_deg"]], "lat_deg", source, n)
        lon = _number(cells[col["lon_deg"]], "lon_deg", source, n)
        alt = _number(cells[col["alt_m"]], "alt_m", source, n)
        if not -90.0 <= lat <= 90.0:
            raise WindGridError(f"lat_deg {lat:g} is outside [-90, 90]", source=source, line=n)
        if not -180.0 <= lon <= 360.0:
            raise WindGridError(f"lon_deg {lon:g} is outside [-180, 360]", source=source, line=n)
        if not -1000.0 <= alt <= 50000.0:
            raise WindGridError(f"alt_m {alt:g} is outside [-1000, 50000]", source=source, line=n)
        if polar:
            frm = _number(cells[col["wind_from_deg"]], "wind_from_deg", source, n)
            spd = _number(cells[col["speed_mps"]], "speed_mps", source, n)
            if not 0.0 <= frm <= 360.0:
                raise WindGridError(
                    f"wind_from_deg {frm:g} is outside [0, 360]", source=source, line=n
                )
            if spd < 0.0:
                raise WindGridError(
                    f"speed_mps {cells[col['speed_mps']]!r} is negative", source=source, line=n
                )
            rad = math.radians(frm)
            wn, we = -spd * math.cos(rad), -spd * math.sin(rad)
        else:
            we = _number(cells[col["u_mps"]], "u_mps", source, n)
            wn = _number(cells[col["v_mps"]], "v_mps", source, n)
            spd = math.hypot(wn, we)
        if spd > MAX_WIND_SPEED_MPS:
            raise WindGridError(
                f"wind speed {spd:g} m/s exceeds {MAX_WIND_SPEED_MPS:g} m/s", source=source, line=n
            )
        key = (lat, ((lon + 180.0) % 360.0) - 180.0, alt)
        if key in nodes:
            raise WindGridError(
                f"node lat {lat:g}, lon {lon:g}, alt {alt:g} m repeats line {nodes[key][0]}",
                source=source,
                line=n,
            )
        nodes[key] = (n, wn, we)
    lats = sorted({k[0] for k in nodes})
    lons = sorted({k[1] for k in nodes})
    alts = sorted({k[2] for k in nodes})
    shape = (len(lats), len(lons), len(alts))
    if len(nodes) != shape[0] * shape[1] * shape[2]:
        for la in lats:
            for lo in lons:
                for al in alts:
                    if (la, lo, al) not in nodes:
                        raise WindGridError(
                            f"not a complete grid: node lat {la:g}, lon {lo:g}, alt {al:g} m is "
                            f"missing ({len(lats)} latitudes x {len(lons)} longitudes x "
                            f"{len(alts)} altitudes need {shape[0] * shape[1] * shape[2]} lines, "
                            f"found {len(nodes)})",
                            source=source,
                        )
    wn = np.empty(shape)
    we = np.empty(shape)
    li = {v: i for i, v in enumerate(lats)}
    oi = {v: i for i, v in enumerate(lons)}
    ai = {v: i for i, v in enumerate(alts)}
    for (la, lo, al), (_, n_, e_) in nodes.items():
        wn[li[la], oi[lo], ai[al]] = n_
        we[li[la], oi[lo], ai[al]] = e_
    return WindGrid.from_arrays(lats, lons, alts, wn, we, source=source or "")
