"""report.html: a self-contained flight report (plots embedded as PNG, no network needed).

Sections, in order: how the flight ended (end state, reason, completion, navigation items
reached) with the failsafes right under it; the summary (human names and units, from the
declarative rows of :mod:`longwing.logs.report_format`); the scenario (wind, turbulence,
seed, fuel, faults, parameters, files and their sha256, version, command line); the plots
(:mod:`longwing.logs.report_plots`); the events in time order. Every key of the summary is
optional, so the open-loop summary of ``longwing sim`` renders too. All text from the
summary, the events and the title is HTML-escaped.
"""

from __future__ import annotations

import html
import shlex
from collections.abc import Mapping, Sequence

import numpy as np

from longwing.logs import report_format as rf
from longwing.logs.report_plots import figures

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ccc;padding:3px 8px}
th{background:#f2f2f2;text-align:left} th.group{background:#e4e8ee} img{max-width:100%}
td.num{text-align:right;font-variant-numeric:tabular-nums} td.lines{white-space:pre-line}
code{font-size:.9em;word-break:break-all}
.outcome{border-left:10px solid #9e9e9e;background:#f5f5f5;padding:.8em 1.2em;margin:1em 0}
.outcome .state{font-size:1.7em;font-weight:700;letter-spacing:.03em}
.outcome .reason{font-size:1.1em;margin:.3em 0 .6em}
.outcome table td,.outcome table th{border:none;background:none;padding:1px 12px 1px 0}
.outcome.landed{border-color:#2e7d32;background:#e8f5e9} .landed .state{color:#1b5e20}
.outcome.landed_out{border-color:#ef6c00;background:#fff3e0} .landed_out .state{color:#e65100}
.outcome.crashed{border-color:#c62828;background:#ffebee} .crashed .state{color:#b71c1c}
.outcome.airborne{border-color:#1565c0;background:#e3f2fd} .airborne .state{color:#0d47a1}
.outcome.interrupted{border-color:#616161} .interrupted .state{color:#424242}
.outcome.aborted{border-color:#ef6c00} .outcome.sim_error{border-color:#6a1b9a}
tr.failsafe td{background:#fff0f0} p.note{color:#555;font-style:italic}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """A table whose cells are already HTML (escaped by the caller)."""
    h = "".join(f"<th>{_e(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    c = f" class='{cls}'" if cls else ""
    return f"<table{c}><tr>{h}</tr>{body}</table>"


def _kv_rows(pairs: Sequence[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)


# ---------------------------------------------------------------- outcome and failsafes


def _items_reached(summary: Mapping) -> tuple[str, str] | None:
    n, m = summary.get("nav_items_reached"), summary.get("nav_items_total")
    if rf.is_number(n) and rf.is_number(m):
        return "Navigation items reached", f"{n} of {m}"
    reached, total = summary.get("items_reached"), summary.get("items_total")
    if isinstance(reached, list) and rf.is_number(total):  # summaries before nav_items_*
        return "Mission items reached", f"{len(reached)} of {total}"
    return None


def _outcome(summary: Mapping) -> str:
    """The end state, why, whether completed and the items reached, as one block."""
    reason = summary.get("end_reason") or summary.get("stop_reason")
    state = summary.get("end_state")
    if state is None:  # e.g. `longwing sim`: no verdict, just how it ended
        if not reason:
            return ""
        return f"<p class='reason'><b>Ended:</b> {_e(str(reason).replace('_', ' '))}</p>"
    state = str(state)
    cls = state if state in rf.END_STATES else "other"
    label = rf.END_STATES.get(state, state.replace("_", " "))
    pairs: list[tuple[str, str]] = []
    if "completed" in summary and summary["completed"] is not None:
        done = "yes" if summary["completed"] else "no"
        why = summary.get("why_not_completed") or ()
        pairs.append(("Mission completed", done + (f" ({'; '.join(why)})" if why else "")))
    items = _items_reached(summary)
    if items:
        pairs.append(items)
    flight_time = rf.format_value(summary.get("flight_time_s"), "duration")
    if flight_time:
        pairs.append(("Flight time", flight_time))
    parts = [
        f"<div class='outcome {cls}' id='outcome'>",
        f"<div class='state' data-end-state='{_e(state)}'>{_e(label)}</div>",
    ]
    if reason:
        parts.append(f"<div class='reason'>{_e(reason)}</div>")
    if pairs:
        parts.append(f"<table>{_kv_rows(pairs)}</table>")
    parts.append("</div>")
    return "".join(parts)


def _failsafes(failsafes: Sequence[Mapping]) -> str:
    if not failsafes:
        return ""
    rows = []
    for f in sorted(failsafes, key=_time_key):
        t = f.get("t_s")
        where = rf.lat_lon(f.get("lat_deg"), f.get("lon_deg"), f.get("alt_m")) or rf.MISSING
        rows.append((
            _time_cell(t), f"<td>{_e(f.get('kind') or '')}</td>",
            f"<td>{_e(f.get('action') or '')}</td>", f"<td>{_e(where)}</td>",
            f"<td>{_e(f.get('detail') or '')}</td>",
        ))  # fmt: skip
    head = ("Time", "Failsafe", "Action", "Where (lat, lon, height)", "Detail")
    return "<h2 id='failsafes'>Failsafes</h2>" + _table(head, rows, "failsafes")


# ---------------------------------------------------------------- summary and scenario


def _summary_table(summary: Mapping) -> str:
    body = []
    for group, rows in rf.SUMMARY_GROUPS:
        seen: set[str] = set()
        lines = []
        for row in rows:
            text = rf.format_row(summary, row)
            if text is None or row.label in seen:  # e.g. distance_km / distance_flown_km
                continue
            seen.add(row.label)
            lines.append(f"<tr><th>{_e(row.label)}</th><td>{_e(text)}</td></tr>")
        if lines:
            body.append(f"<tr><th class='group' colspan='2'>{_e(group)}</th></tr>")
            body.extend(lines)
    if not body:
        return ""
    return "<h2 id='summary'>Summary</h2><table class='summary'>" + "".join(body) + "</table>"


def _scenario_pairs(summary: Mapping) -> list[tuple[str, str]]:
    sc = summary.get("scenario")
    sc = sc if isinstance(sc, Mapping) else {}

    def get(key: str) -> object:
        return sc[key] if key in sc else summary.get(key)

    pairs: list[tuple[str, str]] = []
    mission = get("mission_file")
    if mission:
        sha = rf.short_sha(get("mission_sha256"))
        pairs.append(("Mission", f"{mission}" + (f" (sha256 {sha})" if sha else "")))
    for row in rf.SCENARIO_ROWS:
        text = rf.format_value(get(row.key), row.fmt, row.unit)
        if row.key == "fuel_kg" and text is None and "fuel_kg" in sc:
            text = "full tank"
        if text is None:
            continue
        if row.key == "airframe":
            sha = rf.short_sha(get("airframe_sha256"))
            text += f" (sha256 {sha})" if sha else ""
        pairs.append((row.label, text))
    if get("truth_nav") is not None:
        nav = "true state (debug: --truth-nav)" if get("truth_nav") else "EKF estimate"
        pairs.append(("Flown on", nav))
    faults = get("faults")
    if isinstance(faults, list | tuple):
        pairs.append(("Faults", "\n".join(rf.fault_text(f) for f in faults) or "none"))
    params = sc.get("params")
    if isinstance(params, Mapping):
        lines = [f"{k} = {rf.param_value(v)}" for k, v in sorted(params.items())]
        pairs.append(("Parameters (non-default)", "\n".join(lines) or "none (all defaults)"))
    return pairs


def _provenance_pairs(summary: Mapping) -> list[tuple[str, str]]:
    pv = summary.get("provenance")
    if not isinstance(pv, Mapping):
        return []
    pairs: list[tuple[str, str]] = []
    if pv.get("longwing_version"):
        pairs.append(("longwing version", str(pv["longwing_version"])))
    commit = rf.short_sha(pv.get("git_commit"))
    if commit:
        pairs.append(("git commit", commit))
    libs = [f"{name} {pv[name]}" for name in ("python", "numpy", "numba") if pv.get(name)]
    if libs:
        pairs.append(("Python and libraries", ", ".join(libs)))
    return pairs


def _scenario(summary: Mapping) -> str:
    pairs = _scenario_pairs(summary) + _provenance_pairs(summary)
    pv = summary.get("provenance")
    cmd = pv.get("command_line") if isinstance(pv, Mapping) else None
    rows = "".join(f"<tr><th>{_e(k)}</th><td class='lines'>{_e(v)}</td></tr>" for k, v in pairs)
    if isinstance(cmd, list | tuple) and cmd:
        rows += (
            f"<tr><th>Command line</th><td><code>{_e(shlex.join(map(str, cmd)))}</code></td></tr>"
        )
    if not rows:
        return ""
    return f"<h2 id='scenario'>Scenario</h2><table class='scenario'>{rows}</table>"


# ---------------------------------------------------------------- events

_EVENT_HEAD = ("Time", "Event", "Item", "Mode", "Detail", "Lat", "Lon", "Height, m")


def _time_key(ev: Mapping) -> float:
    t = ev.get("t_s")
    return float(t) if rf.finite(t) else float("inf")


def _time_cell(t: object) -> str:
    if not rf.finite(t):
        return f"<td>{rf.MISSING}</td>"
    return f"<td class='num' title='t = {float(t):.3f} s'>{rf.clock(float(t))}</td>"


def _num_cell(v: object, fmt: str) -> str:
    return f"<td class='num'>{format(float(v), fmt)}</td>" if rf.finite(v) else "<td></td>"


def _events(events: Sequence[Mapping]) -> str:
    if not events:
        return ""
    rows = []
    for ev in sorted(events, key=_time_key):  # stable: same-time events keep their order
        seq = ev.get("seq")
        cells = (
            _time_cell(ev.get("t_s")), f"<td>{_e(ev.get('kind') or '')}</td>",
            f"<td class='num'>{_e(seq) if seq is not None else ''}</td>",
            f"<td>{_e(ev.get('mode') or '')}</td>", f"<td>{_e(ev.get('detail') or '')}</td>",
            _num_cell(ev.get("lat_deg"), ".5f"), _num_cell(ev.get("lon_deg"), ".5f"),
            _num_cell(ev.get("alt_m"), ".0f"),
        )  # fmt: skip
        tr = "<tr class='failsafe'>" if ev.get("kind") == "failsafe" else "<tr>"
        rows.append(tr + "".join(cells) + "</tr>")
    head = "".join(f"<th>{_e(x)}</th>" for x in _EVENT_HEAD)
    body = "".join(rows)
    return f"<h2 id='events'>Events</h2><table class='events'><tr>{head}</tr>{body}</table>"


# ---------------------------------------------------------------- the report


# the log columns the report reads (file names); the rest of the log is not needed
PLOT_COLUMNS = (
    "t_s", "lat_deg", "lon_deg", "alt_m", "est_alt_m", "alt_cmd_m", "tas_mps",
    "groundspeed_mps", "tas_cmd_mps", "fuel_kg", "est_pos_err_m", "est_sigma_pos_m",
    "xtrack_m", "mode", "target",
)  # fmt: skip


def render_report(
    title: str,
    cols: Mapping[str, np.ndarray],
    summary: Mapping,
    events: Sequence[Mapping],
) -> str:
    """The HTML text of the report for log columns ``cols`` (file units), the run's
    ``summary`` (every key optional) and its ``events``."""
    esc_title = _e(title)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc_title}</title>"
        f"<style>{_CSS}</style></head><body><h1>{esc_title}</h1>",
        _outcome(summary),
    ]
    fs = [f for f in summary.get("failsafes") or () if isinstance(f, Mapping)]
    parts.append(_failsafes(fs))
    parts.append(_summary_table(summary))
    parts.append(_scenario(summary))
    marks = [
        (float(f["t_s"]), f"{f.get('kind', 'failsafe')}: {f.get('action', '')}")
        for f in fs
        if rf.finite(f.get("t_s"))
    ]
    plots, note = figures(cols, events, marks)
    for name, png in plots:
        parts.append(f"<h2>{_e(name)}</h2><img alt='{_e(name)}' src='data:image/png;base64,{png}'>")
    if note:
        parts.append(f"<p class='note'>{_e(note)}</p>")
    parts.append(_events(events))
    parts.append("</body></html>")
    return "".join(parts)
