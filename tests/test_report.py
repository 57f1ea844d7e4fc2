"""report.html: outcome first, human summary, scenario, events in time order, plots that show
only what means something (cross-track on legs only), offline and escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from longwing.logs.report import render_report


class _Doc(HTMLParser):
    """The parts of the report the tests look at: section order, tables, the outcome block."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.order: list[str] = []  # "outcome", then h2 texts, in document order
        self.tables: dict[str, list[list[str]]] = {}  # by class
        self.titles: dict[str, list[str | None]] = {}  # per table: title attr of first cells
        self.outcome_class = ""
        self.outcome_text = ""
        self._h2: list[str] | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._depth_outcome = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "div" and "outcome" in cls.split():
            self.order.append("outcome")
            self.outcome_class = cls
            self._depth_outcome = 1
        elif tag == "div" and self._depth_outcome:
            self._depth_outcome += 1
        if tag == "h2":
            self._h2 = []
        if tag == "table" and not self._depth_outcome:
            self._table = cls or "?"
            self.tables[self._table] = []
            self.titles[self._table] = []
        if tag == "tr" and self._table:
            self.tables[self._table].append([])
            self.titles[self._table].append(None)
        if tag in ("td", "th") and self._table:
            self._cell = []
            row = self.tables[self._table][-1]
            if not row:
                self.titles[self._table][-1] = a.get("title")

    def handle_endtag(self, tag):
        if tag == "div" and self._depth_outcome:
            self._depth_outcome -= 1
        if tag == "h2" and self._h2 is not None:
            self.order.append("".join(self._h2))
            self._h2 = None
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._h2 is not None:
            self._h2.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._depth_outcome:
            self.outcome_text += data + " "

    def kv(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.tables[table] if len(r) == 2}


NO_PLOTS = {"t_s": np.zeros(1)}  # a one-row log: no plots (fast)


def _fly_summary(**over) -> dict:
    s = {
        "end_state": "crashed",
        "end_reason": "touchdown sink 3.4 m/s beyond the airframe limit of 2.5 m/s",
        "completed": False,
        "nav_items_reached": 12,
        "nav_items_total": 14,
        "items_reached": [1, 2, 3],
        "flight_time_s": 3733.4,
        "distance_km": 407.23,
        "planned_route_km": 410.0,
        "fuel_used_kg": 1.2344,
        "fuel_remaining_kg": 3.5,
        "fuel_exhausted_t_s": None,
        "rms_xtrack_m": 2.08,
        "max_xtrack_m": 9.77,
        "rms_alt_err_m": 3.14,
        "rms_airspeed_err_mps": None,
        "nav_rms_pos_err_m": None,
        "nav_max_pos_err_m": float("nan"),
        "nav_rms_wind_err_mps": 0.51,
        "camera_triggers": 37,
        "final": {"lat_deg": 47.612345678, "lon_deg": -52.91, "alt_m": 61.2},
        "touchdown": {
            "t_s": 3700.0,
            "lat_deg": 47.6123,
            "lon_deg": -52.91,
            "sink_mps": 3.41,
            "bank_deg": -4.26,
            "pitch_deg": 2.0,
            "groundspeed_mps": 21.3,
            "along_m": 12.34,
            "across_m": -1.26,
            "within_limits": False,
            "violations": ["sink 3.41 > 2.5 m/s"],
        },  # fmt: skip
        "failsafes": [
            {
                "kind": "low_fuel",
                "t_s": 3723.9,
                "action": "RTL",
                "detail": "1.0 kg < 1.2 kg",
                "lat_deg": 47.7,
                "lon_deg": -52.8,
                "alt_m": 300.0,
            },
            {
                "kind": "gnss_loss",
                "t_s": 100.0,
                "action": "continue",
                "detail": "no fix 5 s",
                "lat_deg": None,
                "lon_deg": None,
                "alt_m": None,
            },
        ],  # fmt: skip
        "scenario": {
            "mission_file": "examples/short_survey.plan",
            "mission_sha256": "0123456789abcdef" * 4,
            "airframe": "aerosonde",
            "airframe_sha256": "fedcba9876543210" * 4,
            "wind": "60@5",
            "turbulence": "moderate",
            "seed": 7,
            "fuel_kg": None,
            "max_duration_s": None,
            "truth_nav": False,
            "log_hz": 10.0,
            "faults": ["gnss_loss@100:30", "engine_failure@3000"],
            "params": {"RTL_ALTITUDE": 150, "NAVL1_PERIOD": 17.5, "FS_LONG_ACTN": "rtl"},
        },
        "provenance": {
            "longwing_version": "0.1.0",
            "git_commit": "23b9b36abcdef0123456789",
            "command_line": ["longwing", "fly", "my plan.plan", "--wind", "60@5"],
            "python": "3.11.9",
            "numpy": "2.1.0",
            "numba": "0.60.0",
        },
        "wall_time_s": 30.2,
        "realtime_factor": 123.6,
        "some_debug_key_nobody_named": 42,
    }
    s.update(over)
    return s


def _sim_summary() -> dict:
    return {
        "airframe": "aerosonde",
        "end_reason": "completed",
        "flight_time_s": 300.0,
        "distance_flown_km": 9.87,
        "displacement_km": 9.5,
        "displacement_azimuth_deg": 61.2,
        "fuel_used_kg": 0.0345,
        "fuel_remaining_kg": 4.9655,
        "start": {"lat_deg": 47.63, "lon_deg": -52.93, "alt_m": 1500.0},
        "final": {"lat_deg": 47.67, "lon_deg": -52.81, "alt_m": 1499.0},
        "mean_groundspeed_mps": 32.9,
        "mean_tas_mps": 25.0,
        "rms_alt_err_m": 1.2,
        "max_abs_alt_err_m": 3.4,
        "trim": {"alpha_deg": 2.345, "elevator_deg": -3.21, "throttle": 0.532},
        "events": [],
        "seed": 1,
        "dt_s": 1 / 120,
        "hold": True,
        "turbulence": "moderate",
        "wall_time_s": 2.0,
        "realtime_factor": None,
    }


def test_outcome_block_first_with_failsafes_right_under_it():
    text = render_report("t", NO_PLOTS, _fly_summary(), [])
    doc = _Doc(text)
    assert doc.order[:3] == ["outcome", "Failsafes", "Summary"]
    assert "crashed" in doc.outcome_class.split()
    out = " ".join(doc.outcome_text.split())
    assert "Crashed" in out
    assert "touchdown sink 3.4 m/s beyond the airframe limit of 2.5 m/s" in out
    assert "Mission completed no" in out and "Navigation items reached 12 of 14" in out
    rows = doc.tables["failsafes"]
    assert rows[0] == ["Time", "Failsafe", "Action", "Where (lat, lon, height)", "Detail"]
    assert rows[1] == ["00:01:40", "gnss_loss", "continue", "—", "no fix 5 s"]  # time order
    assert rows[2] == ["01:02:03", "low_fuel", "RTL", "47.70000, -52.80000, 300 m",
                       "1.0 kg < 1.2 kg"]  # fmt: skip


@pytest.mark.parametrize(
    "state,label", [("landed", "Landed"), ("landed_out", "Landed out"), ("airborne", "airborne")]
)
def test_outcome_styled_by_end_state(state, label):
    doc = _Doc(render_report("t", NO_PLOTS, _fly_summary(end_state=state, completed=True), []))
    assert state in doc.outcome_class.split()
    assert label in doc.outcome_text and "Mission completed yes" in " ".join(
        doc.outcome_text.split()
    )
    assert "Failsafes" in doc.order


def test_summary_human_names_units_and_no_none():
    text = render_report("t", NO_PLOTS, _fly_summary(), [])
    kv = _Doc(text).kv("summary")
    assert kv["Flight time"] == "1 h 02 min 13 s"
    assert kv["Distance flown"] == "407.2 km"
    assert kv["Planned route"] == "410.0 km"
    assert kv["Fuel used"] == "1.234 kg"
    assert kv["Cross-track RMS"] == "2.1 m"
    assert kv["Cross-track max"] == "9.8 m"
    assert kv["Camera triggers"] == "37"
    assert kv["Final position"] == "47.61235, -52.91000, 61 m"
    assert kv["Wind estimate error RMS"] == "0.51 m/s"
    # touchdown
    assert kv["Sink rate"] == "3.41 m/s"
    assert kv["Ground speed"] == "21.3 m/s"
    assert kv["Bank"] == "-4.3°" and kv["Pitch"] == "2.0°"
    assert kv["Along the landing point (+ beyond)"] == "+12.3 m"
    assert kv["Across the landing point (+ right)"] == "-1.3 m"
    assert kv["Within the airframe's limits"] == "no"
    assert kv["Limits exceeded"] == "sink 3.41 > 2.5 m/s"
    # None / NaN values give no row; unknown keys are not dumped
    for label in ("Airspeed error RMS", "Navigation position error RMS",
                  "Navigation position error max", "Fuel exhausted at"):  # fmt: skip
        assert label not in kv
    assert "None" not in text and "nan" not in text.lower().replace("nano", "")
    assert "some_debug_key_nobody_named" not in text
    assert "flight_time_s" not in text


def test_scenario_section():
    text = render_report("t", NO_PLOTS, _fly_summary(), [])
    doc = _Doc(text)
    assert doc.order.index("Summary") < doc.order.index("Scenario")
    kv = doc.kv("scenario")
    assert kv["Mission"] == "examples/short_survey.plan (sha256 0123456789ab)"
    assert kv["Airframe"] == "aerosonde (sha256 fedcba987654)"
    assert kv["Wind"] == "60@5" and kv["Turbulence"] == "moderate" and kv["Random seed"] == "7"
    assert kv["Fuel at launch"] == "full tank"
    assert kv["Log rate"] == "10 Hz"
    assert kv["Faults"].split("\n") == ["gnss_loss@100:30", "engine_failure@3000"]
    assert kv["Parameters (non-default)"].split("\n") == [
        "FS_LONG_ACTN = rtl", "NAVL1_PERIOD = 17.5", "RTL_ALTITUDE = 150",
    ]  # fmt: skip
    assert kv["longwing version"] == "0.1.0"
    assert kv["git commit"] == "23b9b36abcde"
    assert kv["Python and libraries"] == "python 3.11.9, numpy 2.1.0, numba 0.60.0"
    assert kv["Command line"] == "longwing fly 'my plan.plan' --wind 60@5"
    assert "Time limit" not in kv  # None: no row


def test_events_in_time_order_fixed_columns():
    events = [
        {"t_s": 3725.5, "kind": "failsafe", "seq": 5, "mode": "RTL", "detail": "low_fuel: RTL",
         "lat_deg": 47.7, "lon_deg": -52.8, "alt_m": 300.4, "zzz": 1},
        {"t_s": 12.25, "kind": "mode", "seq": 0, "mode": "AUTO", "detail": "",
         "lat_deg": 47.6, "lon_deg": -52.9, "alt_m": 60.0},
        {"t_s": 400.0, "kind": "item_reached", "seq": 3, "mode": "AUTO", "detail": None,
         "lat_deg": 47.65, "lon_deg": -52.85, "alt_m": 150.0},
    ]  # fmt: skip
    text = render_report("t", NO_PLOTS, {}, events)
    doc = _Doc(text)
    rows = doc.tables["events"]
    assert rows[0] == ["Time", "Event", "Item", "Mode", "Detail", "Lat", "Lon", "Height, m"]
    assert [r[:4] for r in rows[1:]] == [
        ["00:00:12", "mode", "0", "AUTO"],
        ["00:06:40", "item_reached", "3", "AUTO"],
        ["01:02:05", "failsafe", "5", "RTL"],
    ]
    assert rows[3][4:] == ["low_fuel: RTL", "47.70000", "-52.80000", "300"]
    assert rows[2][4] == ""  # detail None: empty, not "None"
    assert doc.titles["events"][1:] == ["t = 12.250 s", "t = 400.000 s", "t = 3725.500 s"]
    assert "zzz" not in text and "None" not in text


def _fly_cols(n: int = 400) -> dict:
    t = np.arange(n) * 0.1
    target = np.array(["ground"] * 20 + ["takeoff"] * 30 + ["leg"] * 150 + ["loiter"] * 100
                      + ["leg"] * 60 + ["land"] * 30 + ["ground"] * 10, dtype=object)  # fmt: skip
    mode = np.array(["AUTO"] * 300 + ["RTL"] * 100, dtype=object)
    xt = np.where(target == "leg", np.sin(t), 28400.0)  # junk / radial error off the legs
    return {
        "t_s": t, "lat_deg": 47.6 + t * 1e-4, "lon_deg": -52.9 + t * 1e-4, "alt_m": 100 + t,
        "est_alt_m": 100 + t, "alt_cmd_m": np.where(target == "ground", -999.0, 150.0),
        "tas_mps": np.full(n, 25.0), "groundspeed_mps": np.full(n, 27.0),
        "tas_cmd_mps": np.where(target == "ground", 0.0, 25.0), "fuel_kg": 5 - t * 1e-3,
        "est_pos_err_m": np.full(n, 1.0), "est_sigma_pos_m": np.full(n, 2.0),
        "xtrack_m": xt, "seq": np.zeros(n, dtype=int), "mode": mode, "target": target,
    }  # fmt: skip


def test_cross_track_plotted_on_legs_only():
    from longwing.logs.report_plots import time_plots

    cols = _fly_cols()
    plots, note = time_plots(cols)
    xt = [p for p in plots if p.title.startswith("Cross-track")]
    assert len(xt) == 1 and note == ""
    y = xt[0].series[0].y
    leg = cols["target"] == "leg"
    assert np.array_equal(y[leg], cols["xtrack_m"][leg])
    assert np.isnan(y[~leg]).all()  # the line breaks off the legs
    assert np.nanmax(np.abs(y)) <= 1.0  # no 28 km spike
    # commands are not drawn on the ground
    alt = next(p for p in plots if p.title == "Altitude")
    cmd = dict(alt.series)["commanded"]
    assert np.isnan(cmd[cols["target"] == "ground"]).all()
    assert np.all(cmd[cols["target"] != "ground"] == 150.0)


def test_cross_track_not_plotted_without_target():
    from longwing.logs.report_plots import time_plots

    cols = _fly_cols()
    del cols["target"]
    plots, note = time_plots(cols)
    assert not any("Cross-track" in p.title for p in plots)
    assert "not plotted" in note
    assert np.all(dict(plots[0].series)["commanded"][:20] == -999.0)  # no target: as logged
    text = render_report("t", cols, {}, [])
    assert "Cross-track error: not plotted" in text
    assert text.count("data:image/png;base64,") == 5  # no cross-track image


def test_mode_spans():
    from longwing.logs.report_plots import mode_spans

    t = np.arange(6.0)
    spans = mode_spans(t, np.array(["AUTO", "AUTO", "RTL", "RTL", "LOITER", "AUTO"], dtype=object))
    assert [(s.t0_s, s.t1_s, s.mode) for s in spans] == [
        (0.0, 2.0, "AUTO"), (2.0, 4.0, "RTL"), (4.0, 5.0, "LOITER"), (5.0, 5.0, "AUTO"),
    ]  # fmt: skip


def test_fly_report_plots_offline_and_escaped():
    summary = _fly_summary(
        end_reason="crash <b>hard</b> & fast",
        scenario={"wind": "<script>w</script>", "params": {"X<1": "a&b"}, "faults": []},
    )
    events = [{"t_s": 1.0, "kind": "failsafe", "seq": 1, "mode": "AUTO",
               "detail": "<img src=x onerror=alert(1)>", "lat_deg": 47.6, "lon_deg": -52.9,
               "alt_m": 100.0}]  # fmt: skip
    text = render_report("<script>alert('t')</script>", _fly_cols(), summary, events)
    assert "<script>" not in text and "<b>hard" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in text
    assert "crash &lt;b&gt;hard&lt;/b&gt; &amp; fast" in text
    assert "X&lt;1 = a&amp;b" in text
    assert "http://" not in text and "https://" not in text
    # track, altitude, speed, fuel, navigation error, cross-track
    assert text.count("data:image/png;base64,") == 6
    order = _Doc(text).order
    assert order.index("Scenario") < order.index("Track") < order.index("Events")
    assert "Cross-track error (on legs)" in order


def test_sim_report_renders_without_fly_keys():
    n = 300
    t = np.arange(n) * 1.0
    cols = {"t_s": t, "lat_deg": 47.63 + t * 1e-5, "lon_deg": -52.93 + t * 2e-5,
            "alt_m": np.full(n, 1500.0), "tas_mps": np.full(n, 25.0),
            "groundspeed_mps": np.full(n, 30.0), "fuel_kg": 5 - t * 1e-4,
            "roll_deg": np.zeros(n)}  # fmt: skip
    events = [{"t_s": 299.0, "kind": "fuel_exhausted", "lat_deg": 47.6, "lon_deg": -52.9,
               "alt_m": 1500.0}]  # fmt: skip
    text = render_report("longwing sim: aerosonde", cols, _sim_summary(), events)
    doc = _Doc(text)
    assert "outcome" not in doc.order  # no end state without end_state
    assert re.search(r"Ended:</b>\s*completed", text)
    kv = doc.kv("summary")
    assert kv["Flight time"] == "5 min 00 s"
    assert kv["Distance flown"] == "9.9 km"
    assert kv["Bearing from start"] == "61.2°"
    assert kv["Fuel used"] == "0.035 kg"
    assert kv["Throttle"] == "53.2%"
    assert "Simulation speed" not in kv  # realtime_factor None
    sc = doc.kv("scenario")
    assert sc["Start"] == "47.63000, -52.93000, 1500 m" and sc["Turbulence"] == "moderate"
    assert sc["Hold loops"] == "yes" and sc["Random seed"] == "1"
    assert text.count("data:image/png;base64,") == 4  # track, altitude, speed, fuel
    assert "None" not in text and "Failsafes" not in doc.order
    assert doc.tables["events"][1][:2] == ["00:04:59", "fuel_exhausted"]
    assert "http://" not in text and "https://" not in text


def test_empty_inputs():
    text = render_report("empty", {}, {}, [])
    assert "<h1>empty</h1>" in text and "None" not in text


def test_why_not_completed_is_shown_with_the_verdict():
    from longwing.logs.report import render_report

    summary = {
        "end_state": "landed",
        "end_reason": "landed at home",
        "completed": False,
        "why_not_completed": ["diverted by the link_loss failsafe (RTL at t = 220 s)"],
    }
    html_text = render_report("t", {}, summary, [])
    assert "no (diverted by the link_loss failsafe (RTL at t = 220 s))" in html_text
    for state, label in (("aborted", "Take-off aborted"), ("sim_error", "Simulation error")):
        assert label in render_report("t", {}, {"end_state": state, "end_reason": "x"}, [])
