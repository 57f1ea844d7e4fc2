"""The batch's ``report.html`` (one self-contained file): P(success) and its interval, the
end states, histograms of the fuel left and of the landing error, the landing cloud with
its 1-2-3 sigma ellipses, the track bundle on a map (longitude/latitude), the sensitivity
tables (S1, ST, delta as bars with their 95 % half-widths, the regression's sign), and the
worst runs with the command that replays each. Drawn from the rows and ``summary.json``,
with matplotlib's object API (no pyplot state)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from longwing.logs.report_plots import _figure, _png

WORST = 10
CSS = ("body{font-family:sans-serif;max-width:1000px;margin:auto}table{border-collapse:"
       "collapse}td,th{border:1px solid #ccc;padding:2px 6px}code{font-size:90%}"
       ".bar{display:inline-block;height:9px;background:#4878a8;margin-right:4px}")  # fmt: skip
SENS_FIELDS = ("S1", "ST", "delta")  # the indices shown as bars (those the summary has)
BAR_PX = 120  # the width of an index of 1


def _hist(values: np.ndarray, xlabel: str) -> str:
    fig, ax = _figure(2.6)
    v = values[np.isfinite(values)]
    ax.hist(v, bins=max(5, min(40, int(math.sqrt(max(len(v), 1))))), color="#4878a8")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("runs")
    return _png(fig)


def _cloud(rows: pa.Table, ell: Mapping | None) -> str:
    fig, ax = _figure(4.0)
    al = rows.column("landing_along_m").to_numpy(zero_copy_only=False)
    ac = rows.column("landing_across_m").to_numpy(zero_copy_only=False)
    ax.scatter(ac, al, s=6, color="#4878a8", label="touchdowns")
    if ell is not None:
        t = np.linspace(0.0, 2.0 * math.pi, 181)
        th = math.radians(ell["major_axis_deg"])
        for e in ell["ellipses"]:
            a, b = e["semi_major_m"], e["semi_minor_m"]
            x = ell["mean_along_m"] + a * np.cos(t) * math.cos(th) - b * np.sin(t) * math.sin(th)
            y = ell["mean_across_m"] + a * np.cos(t) * math.sin(th) + b * np.sin(t) * math.cos(th)
            ax.plot(y, x, lw=1, label=f"{e['sigma']} sigma")
    ax.plot([0], [0], "k+", ms=12, label="planned landing point")
    ax.set_xlabel("across the final approach, m")
    ax.set_ylabel("along the final approach, m")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8)
    return _png(fig)


def _tracks(rows: pa.Table) -> str:
    fig, ax = _figure(5.0)
    lats = rows.column("track_lat_deg").to_pylist()
    lons = rows.column("track_lon_deg").to_pylist()
    ok = rows.column("success").to_pylist()
    for la, lo, good in zip(lats, lons, ok, strict=True):
        ax.plot(lo, la, lw=0.5, alpha=0.5, color="#4878a8" if good else "#c03030")
    ax.set_xlabel("longitude, deg")
    ax.set_ylabel("latitude, deg")
    mid = math.radians(float(np.nanmean([np.mean(x) for x in lats if x] or [0.0])))
    ax.set_aspect(1.0 / max(math.cos(mid), 1e-3), adjustable="datalim")
    return _png(fig)


def render_batch_report(rows: pa.Table, summary: Mapping, scenario: str) -> str:
    """The HTML of the report."""
    e = html.escape
    lo, hi = summary["p_success_ci95"]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>longwing batch: "
             f"{e(scenario)}</title><style>{CSS}</style></head><body>",
             f"<h1>longwing batch: {e(scenario)}</h1>",
             f"<p><b>P(success) {summary['p_success']:.3f}</b> (95 % Wilson interval "
             f"{lo:.3f}-{hi:.3f}) over {summary['runs']} runs</p>",
             "<p>end states: " + ", ".join(f"{e(k)} {v}" for k, v in
                                          summary["end_states"].items()) + "</p>"]  # fmt: skip
    plots = [("fuel left, kg", _hist(rows.column("fuel_remaining_kg").to_numpy(), "fuel left, kg")),
             ("landing error, m", _hist(rows.column("landing_error_m").to_numpy(
                 zero_copy_only=False), "distance from the planned landing point, m")),
             ("landing cloud", _cloud(rows, summary.get("landing_ellipses"))),
             ("tracks (red: runs that failed)", _tracks(rows))]  # fmt: skip
    for name, png in plots:
        parts.append(f"<h2>{e(name)}</h2><img alt='{e(name)}' src='data:image/png;base64,{png}'>")
    parts.append(_sensitivity(summary.get("sensitivity") or {}))
    worst = sorted(rows.to_pylist(), key=lambda r: (r["success"], r["fuel_remaining_kg"]))
    parts.append("<h2>worst runs</h2><table><tr><th>run</th><th>end state</th><th>fuel "
                 "left, kg</th><th>why</th><th>replay</th></tr>")  # fmt: skip
    for r in worst[:WORST]:
        cmd = f"longwing fly --scenario {scenario} --run {r['run']} --out runs/run{r['run']}"
        parts.append(f"<tr><td>{r['run']}</td><td>{e(r['end_state'])}</td>"
                     f"<td>{r['fuel_remaining_kg']:.3f}</td><td>{e(r['why'] or '-')}</td>"
                     f"<td><code>{e(cmd)}</code></td></tr>")  # fmt: skip
    parts.append("</table></body></html>")
    return "".join(parts)


def _index_cell(v: float | None, conf: float | None) -> str:
    if v is None:
        return "<td>-</td>"
    width = round(BAR_PX * min(max(v, 0.0), 1.0))
    pm = "" if conf is None else f" &plusmn; {conf:.2f}"
    return f"<td><span class='bar' style='width:{width}px'></span>{v:.2f}{pm}</td>"


def _sensitivity(sens: Mapping) -> str:
    """One table per output: the inputs ranked, their indices as bars."""
    e = html.escape
    parts = ["<h2>sensitivity</h2><p>S1: the share of the output's variance an input explains "
             "alone; ST (Sobol design): with its interactions; delta: how much the output's "
             "whole distribution shifts with the input (0: not at all); SRC: the sign and "
             "size of a linear effect. docs/batch.md explains each.</p>"]  # fmt: skip
    for output, s in sens.items():
        parts.append(f"<h3>{e(output)}</h3>")
        if s.get("inputs") is None:
            parts.append(f"<p>not computed: {e(str(s.get('reason')))}</p>")
            continue
        shown = [k for k in SENS_FIELDS if any(i.get(k) is not None for i in s["inputs"])]
        parts.append(f"<p>design {e(s['design'])}, {s['runs']} runs, ranked by "
                     f"{e(s['ranked_by'])}</p><table><tr><th>input</th>"
                     + "".join(f"<th>{k}</th>" for k in shown) + "<th>SRC</th></tr>")  # fmt: skip
        for i in s["inputs"]:
            cells = "".join(_index_cell(i.get(k), i.get(f"{k}_conf")) for k in shown)
            srcv = "-" if i.get("src") is None else f"{i['src']:+.2f}"
            parts.append(f"<tr><td>{e(i['input'])}</td>{cells}<td>{srcv}</td></tr>")
        parts.append("</table>")
        parts.extend(f"<p><small>{e(n)}</small></p>" for n in s.get("notes") or [])
    return "".join(parts)
