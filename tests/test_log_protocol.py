"""The SITL's log folder and MAVLink log protocol (mavlink/log_protocol.py): unit tests with
pymavlink's own message classes and parser, then a `longwing sitl` flight listed,
downloaded and erased by a pymavlink GCS, the bytes equal to the file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pymavlink import DFReader
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, heartbeat, port_base, recv, sitl_gcs

from longwing.mavlink.link import new_parser
from longwing.mavlink.log_protocol import DATA_BURST, DATA_LEN, DATA_RATE_HZ, VehicleLogs
from longwing.mission import load_mission

PLAN = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"


def _wire(msgs):
    """Messages through pymavlink's encoder and parser (what a GCS receives)."""
    mav = new_parser(1, 1)
    parser = M.MAVLink(None)
    out = []
    for m in msgs:
        out.append(parser.parse_char(m.pack(mav)))
    return out


class Clock:
    """Wall time for the pacing, moved on by the test."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _download(logs: VehicleLogs, log_id: int, ofs: int = 0, count: int = 0xFFFFFFFF):
    got = _wire(logs.handle(M.MAVLink_log_request_data_message(1, 1, log_id, ofs, count)))
    while logs.transfer is not None:
        logs.clock.t += 1.0
        got += _wire(logs.tick())
    return got


def _logs(folder) -> VehicleLogs:
    return VehicleLogs(folder, new_parser(1, 1), Clock())


@pytest.fixture
def folder(tmp_path):
    for k, size in ((1, 180), (2, 100), (7, 5)):
        (tmp_path / f"{k:08d}.BIN").write_bytes(bytes(range(256))[:size] * 1)
    (tmp_path / "notes.txt").write_text("the user's")  # not a log: never listed or erased
    return tmp_path


def test_list_numbers_logs_oldest_first(folder):
    logs = _logs(folder)
    entries = _wire(logs.handle(M.MAVLink_log_request_list_message(1, 1, 0, 0xFFFF)))
    assert [(e.id, e.num_logs, e.last_log_num, e.size) for e in entries] == [
        (1, 3, 3, 180), (2, 3, 3, 100), (3, 3, 3, 5)]  # fmt: skip
    some = _wire(logs.handle(M.MAVLink_log_request_list_message(1, 1, 2, 2)))
    assert [e.id for e in some] == [2]


def test_download_ends_with_a_short_packet(folder):
    logs = _logs(folder)
    data = (folder / "00000001.BIN").read_bytes()
    got = _download(logs, 1)  # 180 bytes: two full packets, then count 0
    assert [(d.ofs, d.count) for d in got] == [(0, 90), (90, 90), (180, 0)]
    assert b"".join(bytes(d.data[: d.count]) for d in got) == data
    got = _download(logs, 2)  # 100 bytes: 90, then 10
    assert [(d.ofs, d.count) for d in got] == [(0, 90), (90, 10)]
    assert bytes(got[1].data[:10]) == (folder / "00000002.BIN").read_bytes()[90:]
    got = _download(logs, 1, ofs=45, count=100)  # a part, as a GCS re-requests a gap
    assert [(d.ofs, d.count) for d in got] == [(45, 90), (135, 10)]
    assert b"".join(bytes(d.data[: d.count]) for d in got) == data[45:145]


def test_packets_are_paced_in_wall_time(tmp_path):
    (tmp_path / "00000001.BIN").write_bytes(b"x" * (DATA_LEN * 1000 + 1))
    logs = _logs(tmp_path)
    first = logs.handle(M.MAVLink_log_request_data_message(1, 1, 1, 0, 0xFFFFFFFF), "gcs2")
    assert len(first) == DATA_BURST
    assert logs.asker == "gcs2"  # the vehicle sends the rest to the link that asked
    assert logs.tick() == []  # no wall time has passed: nothing more, however many steps
    sent = 0
    for _ in range(100):  # 0.1 s in 1 ms steps
        logs.clock.t += 0.001
        sent += len(logs.tick())
    assert sent == pytest.approx(0.1 * DATA_RATE_HZ, abs=2)
    logs.handle(M.MAVLink_log_request_end_message(1, 1))
    logs.clock.t += 1.0
    assert logs.tick() == []


def test_bad_requests_are_ignored_and_erase_keeps_other_files(folder):
    logs = _logs(folder)
    for bad in (0, 4, 65535):
        assert logs.handle(M.MAVLink_log_request_data_message(1, 1, bad, 0, 90)) == []
    assert _download(logs, 3, ofs=10_000)[0].count == 0  # past the end: the end
    assert logs.handle(M.MAVLink_log_erase_message(1, 1)) == []
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    entries = _wire(logs.handle(M.MAVLink_log_request_list_message(1, 1, 0, 0xFFFF)))
    assert [(e.id, e.num_logs, e.size) for e in entries] == [(0, 0, 0)]  # ArduPilot's empty list
    assert VehicleLogs(None, new_parser(1, 1)).handle(
        M.MAVLink_log_request_list_message(1, 1, 0, 0xFFFF)) == []  # fmt: skip


def test_a_killed_sitls_partial_log_is_kept(folder):
    (folder / ".00000008.BIN.partial").write_bytes(b"abc")
    logs = _logs(folder)
    assert [p.name for p in logs.logs()][-1] == "00000008.BIN"
    assert logs._next_number() == 9


# --- a SITL flight through a pymavlink GCS ----------------------------------------------------


def _gcs_download(conn, log_id: int, size: int) -> bytes:
    """The log as MAVProxy fetches it: the whole log, then any gaps again."""
    buf: dict[int, bytes] = {}

    def take(timeout_s: float) -> bool:
        m = recv(conn, "LOG_DATA", timeout_s, cond=lambda m: m.id == log_id)
        if m is None:
            return False
        buf[m.ofs] = bytes(m.data[: m.count])
        return True

    conn.mav.log_request_data_send(1, 1, log_id, 0, 0xFFFFFFFF)
    while take(3.0):
        pass
    lost = [o for o in range(0, size, DATA_LEN) if o not in buf]
    for _ in range(20):  # each round asks again from the first gap to the last one
        gaps = [o for o in range(0, size, DATA_LEN) if o not in buf]
        if not gaps:
            break
        conn.mav.log_request_data_send(1, 1, log_id, gaps[0], gaps[-1] + DATA_LEN - gaps[0])
        while take(2.0):
            pass
    assert len(lost) < size // DATA_LEN // 2, "most of the log was lost on the way"
    return b"".join(buf[o] for o in sorted(buf))


def test_sitl_flight_log_listed_downloaded_and_erased(tmp_path):
    out = tmp_path / "sitl"
    with sitl_gcs(out, port_base(37500), "--mission", str(PLAN), "--speedup", "50",
                  "--duration-s", "6000") as (conn, _):  # fmt: skip
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        assert command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == 0
        texts = []
        end = time.time() + 240
        while time.time() < end:
            m = recv(conn, "STATUSTEXT", 1.0)
            if m is not None:
                texts.append(m.text)
                if m.text.startswith("flight ended"):
                    break
        assert texts and texts[-1].startswith("flight ended: landed"), texts[-5:]
        path = out / "instance0" / "00000001.BIN"
        assert path.is_file()
        conn.mav.log_request_list_send(1, 1, 0, 0xFFFF)
        entry = recv(conn, "LOG_ENTRY", 10)
        assert (entry.id, entry.num_logs, entry.size) == (1, 1, path.stat().st_size)
        data = _gcs_download(conn, 1, entry.size)
        assert data == path.read_bytes()
        # the log is the flight the GCS saw
        r = DFReader.DFReader_binary(str(path))
        msgs: dict[str, list] = {}
        while (m := r.recv_msg()) is not None:
            msgs.setdefault(m.get_type(), []).append(m)
        assert len(msgs["CMD"]) == len(load_mission(PLAN).items) + 1
        logged = {m.Message for m in msgs["MSG"]}
        announced = [t for t in texts if t.startswith(("item reached", "landed", "touchdown"))]
        # (a STATUSTEXT carries 50 characters; a longer text comes in chunks)
        assert announced and all(any(m.startswith(t[:50]) for m in logged) for t in announced)
        ev = [m.Id for m in msgs["EV"]]
        assert ev[0] == 10 and 18 in ev and ev[-1] == 11
        assert msgs["MODE"][0].ModeNum == 10
        assert msgs["GPS"][0].TimeUS > 0  # boot time at the launch, as ArduPilot's
        assert len(msgs["CAM"]) > 50
        # erased: the list is empty, the vehicle still answers
        conn.mav.log_erase_send(1, 1)
        deadline = time.time() + 10
        while path.exists() and time.time() < deadline:
            heartbeat(conn)
            time.sleep(0.1)
        assert not path.exists()
        conn.mav.log_request_list_send(1, 1, 0, 0xFFFF)
        entry = recv(conn, "LOG_ENTRY", 10)
        assert (entry.id, entry.num_logs) == (0, 0)


def test_each_flight_a_new_numbered_log_listed_once_finished(tmp_path):
    from longwing.airframe.loader import load_airframe
    from longwing.mavlink.params import ParamStore
    from longwing.sim import closedloop as cl
    from longwing.sim.runner import Flight, FlightScenario

    af = load_airframe("aerosonde")
    (tmp_path / "00000004.BIN").write_bytes(b"an earlier session's")
    logs = _logs(tmp_path)
    store = ParamStore(af)
    for number in (5, 6):
        flight = Flight(FlightScenario(af, load_mission(PLAN), max_duration_s=20.0))
        writer = logs.start(flight, cl.LOG_COLUMNS, store, time_offset_s=12.5)
        flight.stream_log_to(writer)
        partial = tmp_path / f".{number:08d}.BIN.partial"
        assert partial.is_file() and len(logs.logs()) == number - 4  # not listed yet
        flight.run()
        logs.finish()
        assert not partial.exists()
        path = tmp_path / f"{number:08d}.BIN"
        assert logs.logs()[-1] == path
        r = DFReader.DFReader_binary(str(path))
        gps = []
        while (m := r.recv_msg()) is not None:
            if m.get_type() == "GPS":
                gps.append(m.TimeUS)
        assert len(r.params) == len(store)
        assert gps[0] == 12_500_000 and len(gps) == 200  # 20 s at 10 Hz, from the boot time
