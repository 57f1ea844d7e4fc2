"""report.html: a self-contained flight report (plots embedded as PNG, no network needed).

Plots are drawn with matplotlib (Agg backend) from whatever log columns exist: the track
(on a local equirectangular projection with a metric scale, events marked), altitude,
airspeed, fuel, and cross-track error when the log has them.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping, Sequence

import numpy as np

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ccc;padding:3px 8px}
th{background:#f2f2f2;text-align:left} img{max-width:100%}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(height: float = 3.0):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(10, height))


def _track_plot(cols: Mapping[str, np.ndarray], events: Sequence[Mapping]) -> str:
    lat = cols["lat_deg"]
    lon = cols["lon_deg"]
    lon_unwrapped = np.degrees(np.unwrap(np.radians(lon)))
    lat0 = float(np.mean(lat))
    # km on a local equirectangular projection (fine for a picture of the route)
    x_km = (lon_unwrapped - lon_unwrapped[0]) * 111.32 * math.cos(math.radians(lat0))
    y_km = (lat - lat[0]) * 110.57
    fig, ax = _figure(5.5)
    ax.plot(x_km, y_km, lw=1.2, color="tab:blue", label="track")
    ax.plot(x_km[0], y_km[0], "go", label="start")
    ax.plot(x_km[-1], y_km[-1], "rs", label="end")
    for ev in events:
        if "lat_deg" in ev and "lon_deg" in ev:
            ex = (
                ((ev["lon_deg"] - lon_unwrapped[0] + 180.0) % 360.0 - 180.0)
                * 111.32
                * math.cos(math.radians(lat0))
            )
            ey = (ev["lat_deg"] - lat[0]) * 110.57
            kind = str(ev.get("kind", ""))
            label = f"#{ev['seq']}" if kind == "item_reached" and "seq" in ev else kind
            if kind == "failsafe":  # red, labelled with its trigger
                ax.plot(ex, ey, "rX", ms=9)
                label = str(ev.get("detail", "failsafe")).split(":")[0]
            else:
                ax.plot(ex, ey, "k^", ms=5)
            ax.annotate(label, (ex, ey), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(f"east of start, km (start {lat[0]:.4f}, {lon[0]:.4f})")
    ax.set_ylabel("north of start, km")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


def _series_plot(
    t_s: np.ndarray,
    series: Sequence[tuple[str, np.ndarray]],
    ylabel: str,
    marks: Sequence[tuple[float, str]] = (),
) -> str:
    fig, ax = _figure()
    scale = 3600.0 if t_s[-1] > 7200 else 1.0
    t = t_s / scale
    for label, y in series:
        ax.plot(t, y, lw=1.0, label=label)
    for t_mark, text in marks:  # failsafes on the timeline
        ax.axvline(t_mark / scale, color="tab:red", lw=0.8, ls="--")
        ax.annotate(text, (t_mark / scale, 1.0), xycoords=("data", "axes fraction"),
                    fontsize=7, color="tab:red", rotation=90, va="top", ha="right")  # fmt: skip
    ax.set_xlabel("time, h" if t_s[-1] > 7200 else "time, s")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=8)
    return _png(fig)


def _decimate(cols: Mapping[str, np.ndarray], max_points: int = 20000) -> dict[str, np.ndarray]:
    n = len(next(iter(cols.values())))
    step = max(1, n // max_points)
    return {k: np.asarray(v)[::step] for k, v in cols.items()}


def render_report(
    title: str,
    cols: Mapping[str, np.ndarray],
    summary: Mapping,
    events: Sequence[Mapping],
) -> str:
    """The HTML text of the report for log columns ``cols`` (file units)."""
    c = _decimate(cols)
    esc_title = html.escape(title)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc_title}</title>"
        f"<style>{_CSS}</style></head><body><h1>{esc_title}</h1>"
    ]
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>"
        for k, v in summary.items()
        if not isinstance(v, dict | list)
    )
    parts.append(f"<h2>Summary</h2><table>{rows}</table>")
    figs: list[tuple[str, str]] = []
    fs = list(summary.get("failsafes", ()))
    marks = [(float(f["t_s"]), f"{f['kind']}: {f['action']}") for f in fs]
    if fs:
        keys = ("t_s", "kind", "action", "detail", "lat_deg", "lon_deg")
        head = "".join(f"<th>{k}</th>" for k in keys)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(f.get(k, '')))}</td>" for k in keys)
            + "</tr>"
            for f in fs
        )  # fmt: skip
        parts.append(f"<h2>Failsafes</h2><table><tr>{head}</tr>{body}</table>")
    if len(c.get("t_s", ())) >= 2 and "lat_deg" in c:
        figs.append(("Track", _track_plot(c, events)))
        t = c["t_s"]
        alt = [("altitude", c["alt_m"])]
        for name, label in (("est_alt_m", "estimated"), ("alt_cmd_m", "commanded")):
            if name in c:
                alt.append((label, c[name]))
        figs.append(("Altitude", _series_plot(t, alt, "altitude, m", marks)))
        spd = [("true airspeed", c["tas_mps"])]
        for name, label in (("groundspeed_mps", "ground speed"), ("tas_cmd_mps", "commanded")):
            if name in c:
                spd.append((label, c[name]))
        figs.append(("Speed", _series_plot(t, spd, "m/s", marks)))
        if "fuel_kg" in c:
            figs.append(("Fuel", _series_plot(t, [("fuel", c["fuel_kg"])], "fuel, kg", marks)))
        if "est_pos_err_m" in c:
            nav = [("position error", c["est_pos_err_m"])]
            if "est_sigma_pos_m" in c:
                nav.append(("EKF 1-sigma", c["est_sigma_pos_m"]))
            figs.append(("Navigation error (estimate - truth, horizontal)",
                         _series_plot(t, nav, "m", marks)))  # fmt: skip
        if "xtrack_m" in c:
            figs.append(("Cross-track error",
                         _series_plot(t, [("cross-track", c["xtrack_m"])], "m")))  # fmt: skip
    for name, png in figs:
        parts.append(f"<h2>{name}</h2><img alt='{name}' src='data:image/png;base64,{png}'>")
    if events:
        keys = sorted({k for ev in events for k in ev})
        head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(ev.get(k, '')))}</td>" for k in keys) + "</tr>"
            for ev in events
        )
        parts.append(f"<h2>Events</h2><table><tr>{head}</tr>{body}</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
