"""The DataFlash writer (logs/dataflash.py) read back by pymavlink's own parser, and a `fly`
run's flight.bin checked against what the user sees in the run folder (log.parquet,
events.jsonl, summary.json, the mission), through pymavlink's DFReader and mavlogdump.py."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from geographiclib.geodesic import Geodesic
from pymavlink import DFReader
from test_cli import run_cli

from longwing.geo.wgs84 import geodetic_to_ecef, ned_to_ecef_dcm
from longwing.logs.dataflash import DataflashWriter
from longwing.mission import load_mission

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "examples" / "short_survey.plan"
MAVLOGDUMP = Path(sys.executable).with_name("mavlogdump.py")
PER_ROW = ("ATT", "CTUN", "NTUN", "GPS", "POS", "BAT", "IMU", "BARO", "ARSP", "XKF1", "XKF2")


def read_all(path: Path) -> dict[str, list]:
    r = DFReader.DFReader_binary(str(path), zero_time_base=True)
    out: dict[str, list] = {}
    while (m := r.recv_msg()) is not None:
        out.setdefault(m.get_type(), []).append(m)
    out["_reader"] = [r]
    return out


# --- the writer ------------------------------------------------------------------------------


def test_every_format_letter_round_trips_through_dfreader(tmp_path):
    path = tmp_path / "t.bin"
    with open(path, "wb") as f:
        w = DataflashWriter(f)
        w.define("ALL", "QbBhHiIfdnNZcCeE", "TimeUS,b,B,h,H,i,I,f,d,n,N,Z,c,C,e,E")
        w.define("LQ", "qL", "q,L")
        w.define("MODE", "QMBB", "TimeUS,Mode,ModeNum,Rsn")
        w.write("ALL", TimeUS=123456789012, b=-5, B=250, h=-30000, H=60000, i=-2_000_000_000,
                I=4_000_000_000, f=1.5, d=math.pi, n="abcd", N="sixteen chars ok",
                Z="a message of up to sixty-four characters", c=-123.45, C=654.32,
                e=-1234567.89, E=98765.43)  # fmt: skip
        w.write("LQ", q=-(2**62), L=-52.9299984)
        w.write("MODE", TimeUS=5, Mode=11, ModeNum=11, Rsn=0)
    msgs = read_all(path)
    m = msgs["ALL"][0]
    assert m.TimeUS == 123456789012
    assert (m.b, m.B, m.h, m.H, m.i, m.I) == (-5, 250, -30000, 60000, -2_000_000_000,
                                             4_000_000_000)  # fmt: skip
    assert m.f == 1.5 and m.d == math.pi
    assert (m.n, m.N, m.Z) == (
        "abcd",
        "sixteen chars ok",
        "a message of up to sixty-four characters",
    )
    assert m.c == pytest.approx(-123.45, abs=1e-9) and m.C == pytest.approx(654.32, abs=1e-9)
    assert m.e == pytest.approx(-1234567.89, abs=1e-6) and m.E == pytest.approx(98765.43)
    assert msgs["LQ"][0].q == -(2**62)
    assert msgs["LQ"][0].L == pytest.approx(-52.9299984, abs=1e-12)
    assert msgs["MODE"][0].ModeNum == 11
    assert msgs["_reader"][0].flightmode == "RTL"  # pymavlink's ArduPlane mode table
    # FMT's Length is what the reader steps by: the file is exactly the records
    fmts = {m.Name: m.Length for m in msgs["FMT"]}
    assert path.stat().st_size == 4 * 89 + fmts["ALL"] + fmts["LQ"] + fmts["MODE"]


def test_record_groups_interleave_rows_and_clip_integers(tmp_path):
    path = tmp_path / "g.bin"
    with open(path, "wb") as f:
        w = DataflashWriter(f)
        w.define("AAA", "QcL", "TimeUS,X,Lat")
        w.define("BBB", "QfB", "TimeUS,Y,Z")
        g = w.group(("AAA", "BBB"))
        rows = g.new(3)
        for name in ("AAA", "BBB"):
            g.set(rows, name, "TimeUS", [10, 20, 30])
        g.set(rows, "AAA", "X", [1.234, 1e9, np.nan])  # beyond int16: clipped; NaN: 0
        g.set(rows, "AAA", "Lat", [47.1234567, -52.0, 0.0])
        g.set(rows, "BBB", "Y", [0.5, 1.5, 2.5])
        g.set(rows, "BBB", "Z", [1, 300, -4])
        w.write_rows(rows)
    r = DFReader.DFReader_binary(str(path))
    seq = []
    while (m := r.recv_msg()) is not None:
        if m.get_type() != "FMT":
            seq.append((m.get_type(), m.TimeUS))
    assert seq == [("AAA", 10), ("BBB", 10), ("AAA", 20), ("BBB", 20), ("AAA", 30), ("BBB", 30)]
    msgs = read_all(path)
    assert [m.X for m in msgs["AAA"]] == pytest.approx([1.23, 327.67, 0.0])
    assert msgs["AAA"][0].Lat == pytest.approx(47.1234567, abs=1e-12)
    assert [m.Z for m in msgs["BBB"]] == [1, 255, 0]


def test_bad_definitions_are_refused(tmp_path):
    w = DataflashWriter(io.BytesIO())
    with pytest.raises(ValueError, match="1 to 4"):
        w.define("TOOLONG", "Q", "TimeUS")
    with pytest.raises(ValueError, match="unknown letters"):
        w.define("X", "Qx", "TimeUS,A")
    with pytest.raises(ValueError, match="columns"):
        w.define("X", "QB", "TimeUS")
    w.define("X", "Q", "TimeUS")
    with pytest.raises(ValueError, match="twice"):
        w.define("X", "Q", "TimeUS")
    with pytest.raises(KeyError, match="no field"):
        w.write("X", Nope=1)


# --- a flight ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """`longwing fly` of the survey with a link loss (AUTO -> RTL): the run folder."""
    out = tmp_path_factory.mktemp("fly") / "r"
    mp = pytest.MonkeyPatch()
    capsys = _Capture()
    try:
        code, _, _ = run_cli(mp, capsys, "fly", str(SURVEY), "--wind", "60@8", "--fault",
                             "link_loss@200", "--param", "WP_RADIUS=55", "--out",
                             str(out))  # fmt: skip
    finally:
        mp.undo()
    assert code == 0
    return out


class _Capture:  # run_cli reads captured output; a module fixture has no capsys
    def readouterr(self):
        class R:
            out = ""
            err = ""

        return R()


@pytest.fixture(scope="module")
def flight(run):
    log = pq.read_table(run / "log.parquet").to_pydict()
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    summary = json.loads((run / "summary.json").read_text())
    return read_all(run / "flight.bin"), {k: np.asarray(v) for k, v in log.items()}, events, summary


def test_one_record_of_each_series_per_log_row_at_its_time(flight):
    msgs, log, _, _ = flight
    t_us = np.rint(log["t_s"] * 1e6)
    for name in PER_ROW:
        assert [m.TimeUS for m in msgs[name]] == t_us.tolist(), name


def test_gps_rows_are_the_logged_flight_path(flight):
    msgs, log, _, _ = flight
    gps = msgs["GPS"]
    lat = np.array([m.Lat for m in gps])
    lon = np.array([m.Lng for m in gps])
    alt = np.array([m.Alt for m in gps])
    assert np.max(np.abs(lat - log["lat_deg"])) <= 0.51e-7  # int32 1e-7 deg
    assert np.max(np.abs(lon - log["lon_deg"])) <= 0.51e-7
    # alt in cm; the Parquet float32 keeps 16 significant bits (3 mm at 200 m)
    assert np.max(np.abs(alt - log["alt_m"])) <= 0.005 + 2.0**-16 * np.max(np.abs(alt))
    assert {m.Status for m in gps} == {3}
    spd = np.array([m.Spd for m in gps])
    assert np.max(np.abs(spd - log["groundspeed_mps"])) < 1e-3


def test_mode_records_match_the_mode_changes(flight, run):
    msgs, log, events, summary = flight
    numbers = {"AUTO": 10, "RTL": 11, "LOITER": 12, "CIRCLE": 1, "GUIDED": 15, "TAKEOFF": 13}
    # the mode DFReader has in force at every GPS row is the mode the Parquet row was flown in
    r = DFReader.DFReader_binary(str(run / "flight.bin"))
    seen = []
    while r.recv_match(type="GPS") is not None:
        seen.append(r.flightmode)
    assert seen == [str(v) for v in log["mode"]]
    # and every mode change the flight announced is a MODE record at its time, in order:
    # RTL by the link-loss failsafe, then AUTO at once (RTL_AUTOLAND via DO_LAND_START)
    changes = [(round(e["t_s"] * 1e6), numbers[e["mode"]]) for e in events if e["kind"] == "mode"]
    got = [(m.TimeUS, m.ModeNum) for m in msgs["MODE"]]
    assert [c for c in got if c in changes] == changes
    assert [m for _, m in got] == [10, 11, 10]
    assert summary["failsafes"][-1]["action"] == "RTL"


def test_cmd_records_are_the_mission_items(flight):
    msgs, _, _, _ = flight
    mission = load_mission(SURVEY)
    items = mission.to_mavlink_items()
    cmds = msgs["CMD"]
    assert len(cmds) == len(mission.items) + 1 == len(items)  # home is item 0, as ArduPilot's
    assert {m.CTot for m in cmds} == {len(items)}
    assert [m.CNum for m in cmds] == list(range(len(items)))
    assert [m.CId for m in cmds] == [it.command for it in items]
    for m, it in zip(cmds, items, strict=True):
        assert (m.Prm1, m.Prm2, m.Frame) == pytest.approx((it.param1, it.param2, it.frame))
        if it.command == 16:
            assert m.Lat == pytest.approx(it.x, abs=1e-7) and m.Alt == pytest.approx(it.z)


def test_cam_records_are_the_photos(flight):
    msgs, _, events, _ = flight
    photos = [e for e in events if e["kind"] == "camera_trigger"]
    cams = msgs["CAM"]
    assert len(photos) > 50 and len(cams) == len(photos)
    assert [m.Img for m in cams] == list(range(1, len(photos) + 1))
    for m, p in zip(cams, photos, strict=True):
        assert m.TimeUS == round(p["t_s"] * 1e6)
        assert m.Lat == pytest.approx(p["lat_deg"], abs=0.51e-7)
        assert m.Lng == pytest.approx(p["lon_deg"], abs=0.51e-7)
        assert m.Alt == pytest.approx(p["alt_m"], abs=0.0051)


def test_msg_and_ev_records_are_the_events(flight):
    msgs, _, events, _ = flight
    mission_events = [e for e in events if e["kind"] != "camera_trigger"]
    texts = [m.Message for m in msgs["MSG"][1:]]  # after the banner
    expect = [(e["kind"].replace("_", " ") + (f": {e['detail']}" if e["detail"] else ""))[:64]
              for e in mission_events]  # fmt: skip
    assert texts == expect
    ev = [m.Id for m in msgs["EV"]]
    assert ev[0] == 10 and ev[-1] == 11  # armed at the launch, disarmed at the end
    landed = [e for e in mission_events if e["kind"] == "landed"]
    assert len(landed) == 1 and 18 in ev  # LAND_COMPLETE
    assert msgs["EV"][ev.index(18)].TimeUS == round(landed[0]["t_s"] * 1e6)


def test_parm_records_are_the_parameters_flown(flight):
    from longwing.airframe.loader import load_airframe
    from longwing.mavlink.params import ParamStore

    msgs, _, _, _ = flight
    store = ParamStore(load_airframe("aerosonde"))
    store.update({"WP_RADIUS": 55})
    parms = {m.Name: m for m in msgs["PARM"]}
    assert list(parms) == list(store.names())
    for name, value in store.values().items():
        assert parms[name].Value == pytest.approx(value, rel=1e-6), name
        assert parms[name].Default == pytest.approx(store.info(name).default, rel=1e-6)
    assert parms["WP_RADIUS"].Value == 55 and parms["WP_RADIUS"].Default == 60
    assert msgs["_reader"][0].params["WP_RADIUS"] == 55  # DFReader's parameter table


def test_bat_is_the_fuel(flight):
    msgs, log, _, summary = flight
    bat = msgs["BAT"]
    used_g = np.array([m.CurrTot for m in bat])
    assert used_g[-1] == pytest.approx(summary["fuel_used_kg"] * 1000.0, abs=0.05)
    capacity = 4.0  # the Aerosonde's tank, flown full
    assert summary["fuel_used_kg"] + summary["fuel_remaining_kg"] == pytest.approx(capacity)
    assert bat[-1].RemPct == pytest.approx(100 * summary["fuel_remaining_kg"] / capacity,
                                           abs=1e-3)  # fmt: skip
    flow = np.array([m.Curr for m in bat])
    assert np.max(np.abs(flow - log["fuel_flow_kg_per_h"])) <= 1e-4 * np.max(flow)
    assert np.all(np.diff(used_g) >= -1e-3)


def test_ekf_records_against_geographiclib(flight):
    msgs, log, _, _ = flight
    home = load_mission(SURVEY).home
    xkf = msgs["XKF1"]
    pn = np.array([m.PN for m in xkf])
    pe = np.array([m.PE for m in xkf])
    pd = np.array([m.PD for m in xkf])
    c = ned_to_ecef_dcm(math.radians(home.lat_deg), math.radians(home.lon_deg))
    p0 = np.array(geodetic_to_ecef(math.radians(home.lat_deg), math.radians(home.lon_deg),
                                   home.alt_m))  # fmt: skip
    geod = Geodesic.WGS84
    for k in range(0, len(xkf), 97):
        lat, lon, h = log["est_lat_deg"][k], log["est_lon_deg"][k], log["est_alt_m"][k]
        p = np.array(geodetic_to_ecef(math.radians(lat), math.radians(lon), float(h)))
        ned = c.T @ (p - p0)  # the project's WGS84 (tested against references)
        assert (pn[k], pe[k], pd[k]) == pytest.approx(tuple(ned), abs=2e-3)
        g = geod.Inverse(home.lat_deg, home.lon_deg, lat, lon)
        # on the ellipsoid the horizontal distance is the geodesic's, grown by h/R at height
        grown = g["s12"] * (1.0 + h / 6.371e6)
        assert math.hypot(pn[k], pe[k]) == pytest.approx(grown, abs=2e-3 + 1e-6 * g["s12"])
        if g["s12"] > 100:
            brg = math.degrees(math.atan2(pe[k], pn[k]))
            assert (brg - g["azi1"] + 180) % 360 - 180 == pytest.approx(0, abs=0.01)
    roll = np.array([m.Roll for m in xkf])
    assert np.max(np.abs(roll - log["est_roll_deg"])) <= 0.006  # centidegrees + float32
    vwn = np.array([m.VWN for m in msgs["XKF2"]])
    assert np.max(np.abs(vwn - log["est_wind_n_mps"])) < 1e-3


def test_mavlogdump_reads_it(run, flight):
    _, log, _, _ = flight
    out = subprocess.run([sys.executable, str(MAVLOGDUMP), "--types", "GPS", "--format", "csv",
                          str(run / "flight.bin")], capture_output=True, text=True,
                         timeout=300, check=True)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == len(log["t_s"])
    lat = np.array([float(r["Lat"]) for r in rows])
    assert np.max(np.abs(lat - log["lat_deg"])) <= 0.51e-7
    modes = subprocess.run([sys.executable, str(MAVLOGDUMP), "--types", "MODE,EV",
                            str(run / "flight.bin")], capture_output=True, text=True,
                           timeout=300, check=True).stdout.splitlines()  # fmt: skip
    assert sum("MODE {" in line for line in modes) == len(flight[0]["MODE"])
    assert "Id : 10" in modes[0] and "Id : 11" in modes[-1]


def test_units_as_readers_show_them(flight):
    msgs, _, _, _ = flight
    r = msgs["_reader"][0]

    def unit(name: str, col: str) -> str:
        return r.formats[r.name_to_id[name]].get_unit(col)

    assert unit("GPS", "Alt") == "m" and unit("GPS", "Lat") == "deglatitude"
    assert unit("GPS", "TimeUS") == "µs"  # seconds with the 1e-6 multiplier
    assert unit("XKF1", "VN") == "m/s" and unit("XKF1", "Yaw") == "degheading"
    assert unit("BARO", "Press") == "Pa" and unit("BARO", "Temp") == "degC"
    assert unit("IMU", "GyrX") == "rad/s" and unit("BAT", "RemPct") == "%"
    assert unit("BAT", "CurrTot") == ""  # grams of fuel: no ArduPilot unit says so


def test_unit_ids_need_labels():
    w = DataflashWriter(io.BytesIO())
    w.define("X", "Qf", "TimeUS,A", units="sm", mults="F0")
    with pytest.raises(ValueError, match=r"\['m'\]"):
        w.write_units({"s": "s"}, {"F": 1e-6, "0": 1.0})
    with pytest.raises(ValueError, match="unit/multiplier ids"):
        w.define("Y", "Qf", "TimeUS,A", units="s")


def test_rows_reach_the_file_as_they_stream(tmp_path):
    """Memory stays bounded on a long flight: rows are packed and written every
    FLUSH_ROWS rows, not kept until the end."""
    from longwing.airframe.loader import load_airframe
    from longwing.logs.dataflash_flight import FLUSH_ROWS, FlightDataflash
    from longwing.sim import closedloop as cl
    from longwing.sim.runner import Flight, FlightScenario

    flight = Flight(FlightScenario(load_airframe("aerosonde"), load_mission(SURVEY)))
    rows = np.zeros((100, cl.N_LOG))
    rows[:, cl.LOG_COLUMNS.index("alt_m")] = 100.0
    with open(tmp_path / "f.bin", "wb") as f:
        d = FlightDataflash(f, flight, cl.LOG_COLUMNS, [])
        sizes = []
        for k in range(50):
            rows[:, 0] = 10.0 * k + 0.1 * np.arange(100)
            d.append(rows, ("AUTO", "leg"))
            f.flush()
            sizes.append((tmp_path / "f.bin").stat().st_size)
        d.close()
    per_row = sum(d.group.types[n].length for n in PER_ROW)
    held = [(k + 1) * 100 * per_row - (s - sizes[0]) for k, s in enumerate(sizes)]
    assert max(held) <= (FLUSH_ROWS + 100) * per_row  # never more than one batch behind
    assert (tmp_path / "f.bin").stat().st_size >= 5000 * per_row


def test_ntun_is_the_navigation_to_the_waypoint(flight):
    """TLat/TLng are the mission's points; Dist and TBrg are ArduPlane's flat-Earth distance
    and bearing (Location::get_distance), within their approximation of the geodesic."""
    msgs, log, _, _ = flight
    mission = load_mission(SURVEY)
    points = {(round(it.lat_deg, 6), round(it.lon_deg, 6)) for it in mission.items}
    points.add((round(mission.home.lat_deg, 6), round(mission.home.lon_deg, 6)))
    ntun = msgs["NTUN"]
    seen = {(round(m.TLat, 6), round(m.TLng, 6)) for m in ntun}
    assert len(seen) > 5 and len(seen - points) <= 1  # the take-off's climb-out point
    geod = Geodesic.WGS84
    for k in range(0, len(ntun), 53):
        m = ntun[k]
        g = geod.Inverse(log["est_lat_deg"][k], log["est_lon_deg"][k], m.TLat, m.TLng)
        assert m.Dist == pytest.approx(g["s12"], rel=5e-3, abs=0.5)  # measured 1.1e-3
        if g["s12"] > 200:
            assert (m.TBrg - g["azi1"] + 180) % 360 - 180 == pytest.approx(0, abs=0.3)  # 0.1
    xt = np.array([m.XT for m in ntun])
    assert np.max(np.abs(xt - log["xtrack_m"])) <= 1e-3 * np.max(np.abs(xt)) + 1e-3
