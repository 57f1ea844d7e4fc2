"""The plots of report.html: what to plot (:func:`time_plots`, pure numpy, tested alone) and
drawing it (matplotlib, object API with the Agg canvas: no pyplot, no global backend state).

Log columns are in file units. ``target`` (per row: leg, loiter, takeoff, land, ground) says
what guidance was flying: the cross-track error is plotted on legs only (the ``xtrack_m``
column holds the radial error on loiters and nothing meaningful elsewhere), and commands
are not plotted on the ground. ``mode`` (per row: AUTO, RTL, LOITER, ...) shades the time
plots where the aircraft was not in AUTO.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

MAX_POINTS = 20000
MAX_MODE_SPANS = 200  # more mode changes than this: the shading would be noise
NORMAL_MODE = "AUTO"
_MODE_COLOURS = ("tab:orange", "tab:purple", "tab:green", "tab:red", "tab:brown", "tab:pink",
                 "tab:olive", "tab:cyan", "tab:gray")  # fmt: skip


class Series(NamedTuple):
    label: str
    y: np.ndarray


class TimePlot(NamedTuple):
    title: str
    ylabel: str
    series: tuple[Series, ...]


class ModeSpan(NamedTuple):
    t0_s: float
    t1_s: float
    mode: str


def decimate(cols: Mapping[str, np.ndarray], max_points: int = MAX_POINTS) -> dict:
    """Every k-th row of every column, at most about ``max_points`` rows."""
    if not cols:
        return {}
    n = min(len(v) for v in cols.values())
    step = max(1, n // max_points)
    return {k: np.asarray(v)[:n:step] for k, v in cols.items()}


def target_is(cols: Mapping[str, np.ndarray], name: str, *targets: str) -> np.ndarray | None:
    """Column ``name`` as float with NaN (a break in the line) where the row's target is not
    one of ``targets``; None when the log has no ``target`` column or no ``name``."""
    if name not in cols or "target" not in cols:
        return None
    y = np.asarray(cols[name], dtype=float).copy()
    y[~np.isin(np.asarray(cols["target"]).astype(str), targets)] = np.nan
    return y


def airborne(cols: Mapping[str, np.ndarray], name: str) -> np.ndarray | None:
    """Column ``name`` with NaN on the ground (when the log says), for commands."""
    if name not in cols:
        return None
    if "target" not in cols:
        return np.asarray(cols[name], dtype=float)
    y = np.asarray(cols[name], dtype=float).copy()
    y[np.asarray(cols["target"]).astype(str) == "ground"] = np.nan
    return y


def mode_spans(t_s: np.ndarray, mode: np.ndarray) -> list[ModeSpan]:
    """Runs of one flight mode: [t0, t1) of each, t1 the next run's start (or the last row)."""
    if len(t_s) == 0:
        return []
    m = np.asarray(mode).astype(str)
    starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
    ends = np.r_[starts[1:], len(m) - 1]
    return [
        ModeSpan(float(t_s[a]), float(t_s[b]), str(m[a])) for a, b in zip(starts, ends, strict=True)
    ]


def time_plots(c: Mapping[str, np.ndarray]) -> tuple[list[TimePlot], str]:
    """The time plots for columns ``c``, and a note for anything left out on purpose."""
    plots: list[TimePlot] = []
    note = ""

    def add(title: str, ylabel: str, *series: tuple[str, np.ndarray | None]) -> None:
        kept = tuple(Series(label, y) for label, y in series if y is not None)
        if kept:
            plots.append(TimePlot(title, ylabel, kept))

    def col(name: str) -> np.ndarray | None:
        return np.asarray(c[name], dtype=float) if name in c else None

    alt_cmd, tas_cmd = airborne(c, "alt_cmd_m"), airborne(c, "tas_cmd_mps")
    add("Altitude", "altitude, m", ("altitude", col("alt_m")), ("estimated", col("est_alt_m")),
        ("commanded", alt_cmd))  # fmt: skip
    add("Speed", "m/s", ("true airspeed", col("tas_mps")),
        ("ground speed", col("groundspeed_mps")), ("commanded", tas_cmd))  # fmt: skip
    add("Fuel", "fuel, kg", ("fuel", col("fuel_kg")))
    if "est_pos_err_m" in c:
        pos_err, sigma = col("est_pos_err_m"), col("est_sigma_pos_m")
        add("Navigation error (estimate - truth, horizontal)", "m",
            ("position error", pos_err), ("EKF 1-sigma", sigma))  # fmt: skip
    if "xtrack_m" in c:
        xt = target_is(c, "xtrack_m", "leg")
        if xt is None:
            note = ("Cross-track error: not plotted, because the log does not say which rows "
                    "fly a leg (no target column).")  # fmt: skip
        elif np.isfinite(xt).any():
            add("Cross-track error (on legs)", "cross-track, m", ("cross-track", xt))
        else:
            note = "Cross-track error: not plotted, no leg was flown."
    return plots, note


def _time_axis(t_s: np.ndarray) -> tuple[float, str]:
    span = float(t_s[-1] - t_s[0]) if len(t_s) else 0.0
    if span > 7200.0:
        return 3600.0, "time, h"
    if span > 600.0:
        return 60.0, "time, min"
    return 1.0, "time, s"


def _figure(height: float = 3.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _shade_modes(ax, spans: Sequence[ModeSpan], scale: float) -> None:
    shaded = sorted({s.mode for s in spans if s.mode != NORMAL_MODE})
    if not shaded or len(spans) > MAX_MODE_SPANS:
        return
    colour = {m: _MODE_COLOURS[i % len(_MODE_COLOURS)] for i, m in enumerate(shaded)}
    labelled: set[str] = set()
    for s in spans:
        if s.mode == NORMAL_MODE:
            continue
        ax.axvspan(s.t0_s / scale, s.t1_s / scale, color=colour[s.mode], alpha=0.12, lw=0,
                   label=None if s.mode in labelled else f"{s.mode} mode")  # fmt: skip
        labelled.add(s.mode)


def draw_time_plot(
    t_s: np.ndarray,
    plot: TimePlot,
    marks: Sequence[tuple[float, str]] = (),
    spans: Sequence[ModeSpan] = (),
) -> str:
    """One time plot as base64 PNG: failsafes as red dashed lines, modes as shading."""
    fig, ax = _figure()
    scale, xlabel = _time_axis(t_s)
    t = t_s / scale
    for label, y in plot.series:
        ax.plot(t, y, lw=1.0, label=label)
    _shade_modes(ax, spans, scale)
    for t_mark, text in marks:
        if not t_s[0] <= t_mark <= t_s[-1]:  # outside the log: would only stretch the axis
            continue
        ax.axvline(t_mark / scale, color="tab:red", lw=0.8, ls="--")
        ax.annotate(text, (t_mark / scale, 1.0), xycoords=("data", "axes fraction"),
                    fontsize=7, color="tab:red", rotation=90, va="top", ha="right")  # fmt: skip
    ax.set_xlabel(xlabel)
    ax.set_ylabel(plot.ylabel)
    ax.grid(True, alpha=0.3)
    if len(ax.get_legend_handles_labels()[1]) > 1:
        ax.legend(fontsize=8, loc="best")
    return _png(fig)


def _event_point(ev: Mapping) -> tuple[float, float] | None:
    lat, lon = ev.get("lat_deg"), ev.get("lon_deg")
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon)):
        return None
    return float(lat), float(lon)  # type: ignore[arg-type]


def draw_track(c: Mapping[str, np.ndarray], events: Sequence[Mapping]) -> str:
    """The ground track on a local equirectangular projection (km from the start), with the
    start, the end, items reached (#seq) and failsafes (red, with their trigger) marked."""
    lat = np.asarray(c["lat_deg"], dtype=float)
    lon_unwrapped = np.degrees(np.unwrap(np.radians(np.asarray(c["lon_deg"], dtype=float))))
    lat0, lon0 = float(lat[0]), float(lon_unwrapped[0])
    kx = 111.32 * math.cos(math.radians(float(np.mean(lat))))

    def xy(la, lo):
        return (((lo - lon0 + 180.0) % 360.0) - 180.0) * kx, (la - lat0) * 110.57

    x_km, y_km = (lon_unwrapped - lon0) * kx, (lat - lat0) * 110.57
    fig, ax = _figure(5.5)
    ax.plot(x_km, y_km, lw=1.2, color="tab:blue", label="track")
    if "target" in c:  # loiters (including loiter-to-altitude) drawn over the track
        lx = np.where(np.asarray(c["target"]).astype(str) == "loiter", x_km, np.nan)
        if np.isfinite(lx).any():
            ax.plot(lx, y_km, lw=1.2, color="tab:orange", label="loiter")
    ax.plot(x_km[0], y_km[0], "go", label="start")
    ax.plot(x_km[-1], y_km[-1], "rs", label="end")
    for ev in events:
        p = _event_point(ev)
        if p is None:
            continue
        ex, ey = xy(*p)
        kind = str(ev.get("kind", ""))
        if kind == "failsafe":
            ax.plot(ex, ey, "rX", ms=9)
            label = str(ev.get("detail") or "failsafe").split(":")[0]
        elif kind == "item_reached":
            ax.plot(ex, ey, "k^", ms=5)
            label = f"#{ev['seq']}" if ev.get("seq") is not None else ""
        elif kind in ("touchdown", "ground_contact", "fuel_exhausted"):
            ax.plot(ex, ey, "kv", ms=6)
            label = kind.replace("_", " ")
        else:
            continue
        ax.annotate(label, (ex, ey), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(f"east of start, km (start {lat0:.4f}, {float(c['lon_deg'][0]):.4f})")
    ax.set_ylabel("north of start, km")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


def figures(
    cols: Mapping[str, np.ndarray],
    events: Sequence[Mapping],
    marks: Sequence[tuple[float, str]] = (),
) -> tuple[list[tuple[str, str]], str]:
    """(title, base64 PNG) of every plot the log allows, and a note on what was left out."""
    c = decimate(cols)
    if len(c.get("t_s", ())) < 2:
        return [], ""
    out: list[tuple[str, str]] = []
    if "lat_deg" in c and "lon_deg" in c:
        out.append(("Track", draw_track(c, events)))
    t = np.asarray(c["t_s"], dtype=float)
    spans = mode_spans(t, c["mode"]) if "mode" in c else []
    plots, note = time_plots(c)
    for p in plots:
        out.append((p.title, draw_time_plot(t, p, marks, spans)))
    return out, note
