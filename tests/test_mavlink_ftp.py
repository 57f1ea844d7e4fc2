"""MAVFTP (issue 14 item 5): @PARAM/param.pck decoded by MAVProxy's and pymavlink's own
decoders equals the PARAM_VALUE list; the log folder listed and read; CRC32 as ArduPilot's;
bad payloads answered with a NAK, never an exception; a real pymavlink MAVFTP client against
`longwing sitl`."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest
from MAVProxy.modules.lib.param_ftp import ftp_param_decode as mavproxy_decode
from pymavlink import mavftp, mavutil
from pymavlink.dialects.v20 import ardupilotmega as M

from longwing.airframe.loader import load_airframe
from longwing.mavlink.ftp import VehicleFtp
from longwing.mavlink.link import new_parser
from longwing.mavlink.param_protocol import ParamProtocol
from longwing.mavlink.params import ParamStore
from longwing.mavlink.telemetry import CAPABILITIES

AF = load_airframe("aerosonde")
GCS_SYS, GCS_COMP = 255, 190
# the wire format, written from the protocol's definition (not the server's code)
HDR = struct.Struct("<HBBBBBBI")
ACK, NAK = 128, 129
OPEN_RO, READ, BURST, LIST, TERMINATE, RESET, CRC32 = 4, 5, 15, 3, 1, 2, 14


class Client:
    """A GCS speaking FILE_TRANSFER_PROTOCOL through real MAVLink 2 frames."""

    def __init__(self, ftp: VehicleFtp, vehicle_mav) -> None:
        self.ftp = ftp
        self.gcs = new_parser(GCS_SYS, GCS_COMP)
        self.to_vehicle = new_parser(GCS_SYS, GCS_COMP)
        self.from_vehicle = new_parser(GCS_SYS, GCS_COMP)
        self.vehicle_mav = vehicle_mav
        self.seq = 0

    def send_payload(self, payload: bytes, target=(1, 1)) -> list[tuple]:
        msg = self.gcs.file_transfer_protocol_encode(0, target[0], target[1],
                                                      list(payload.ljust(251, b"\0")))  # fmt: skip
        (rx,) = self.to_vehicle.parse_buffer(msg.pack(self.gcs))
        out = []
        for reply in self.ftp.handle(rx):
            (m,) = self.from_vehicle.parse_buffer(reply.pack(self.vehicle_mav))
            assert (m.target_system, m.target_component) == (GCS_SYS, GCS_COMP)
            raw = bytes(m.payload)
            out.append((*HDR.unpack_from(raw), raw[12:]))
        return out

    def op(self, opcode: int, data: bytes = b"", size: int | None = None, offset: int = 0,
           session: int = 0, seq: int | None = None) -> list[tuple]:  # fmt: skip
        """Send a request (seq: one after the last reply, as pymavlink's client keeps it)."""
        seq = (self.seq + 1) & 0xFFFF if seq is None else seq
        size = len(data) if size is None else size
        self.sent_seq = seq
        out = self.send_payload(HDR.pack(seq, session, opcode, size, 0, 0, 0, offset) + data)
        self.seq = out[-1][0] if out else seq
        return out


def _vehicle(tmp_path: Path | None = None, store: ParamStore | None = None):
    mav = new_parser(1, 1)
    st = store or ParamStore(AF)
    return st, mav, VehicleFtp(mav, st, tmp_path)


def _download(c: Client, path: str, burst_size: int) -> bytes:
    (r,) = c.op(OPEN_RO, path.encode())
    seq, session, opcode, size, req_op, _, _, _, data = r
    assert (opcode, req_op, size) == (ACK, OPEN_RO, 4)
    content = bytearray()
    offset = 0
    while True:
        replies = c.op(BURST, size=burst_size, offset=offset, session=session)
        assert replies
        for _seq, _s, opcode, size, req_op, burst_complete, _, ofs, data in replies:
            assert req_op == BURST
            if opcode == NAK:
                assert data[0] == 6 and burst_complete  # EndOfFile
                c.op(TERMINATE, session=session)
                return bytes(content)
            assert ofs == len(content) and 0 < size <= burst_size
            content += data[:size]
        offset = len(content)


def _param_values(st: ParamStore) -> dict[str, tuple[float, int]]:
    """Name -> (param_value, param_type) as PARAM_VALUE carries them."""
    proto = ParamProtocol(st, new_parser(1, 1))
    out = proto.handle(new_parser(GCS_SYS, GCS_COMP).param_request_list_encode(1, 1), 0.0)
    return {m.param_id: (m.param_value, m.param_type) for m in out}


def _changed_store() -> ParamStore:
    st = ParamStore(AF)
    st.update({"AIRSPEED_CRUISE": 27.5, "FLTMODE3": 10, "SERVO7_FUNCTION": 33,
               "ARMING_CHECK": 2**20 + 5, "SR1_EXTRA1": 4, "NAVL1_XTRACK_I": 0.1})  # fmt: skip
    return st


AP_TO_MAV = {1: M.MAV_PARAM_TYPE_INT8, 2: M.MAV_PARAM_TYPE_INT16, 3: M.MAV_PARAM_TYPE_INT32,
             4: M.MAV_PARAM_TYPE_REAL32}  # fmt: skip


def _value_spans(data: bytes) -> tuple[list[tuple[int, int]], int]:
    """(start, end) file offsets of every value, walking the format as documented: zero
    bytes before an entry are padding; type in the low nibble, name tail length - 1 in the
    high nibble of the second byte (no defaults in these files)."""
    sizes = {1: 1, 2: 2, 3: 4, 4: 4}
    i, spans, pads = 6, [], 0
    while i < len(data):
        if data[i] == 0:
            i += 1
            pads += 1
            continue
        size = sizes[data[i] & 0x0F]
        name_len = (data[i + 1] >> 4) + 1
        start = i + 2 + name_len
        spans.append((start, start + size))
        i = start + size
    return spans, pads


@pytest.mark.parametrize("burst_size", [80, 239, 23])
def test_param_pck_decodes_to_the_param_value_list(burst_size):
    st, mav, ftp = _vehicle(store=_changed_store())
    data = _download(Client(ftp, mav), "@PARAM/param.pck", burst_size)
    expected = _param_values(st)
    for decoded in (mavproxy_decode(data), mavftp.MAVFTP.ftp_param_decode(data)):
        assert decoded is not None
        names = [n.decode() for n, _, _ in decoded.params]
        assert names == list(st.names())  # every parameter, in index order
        for name, value, ap_type in decoded.params:
            wire_value, mav_type = expected[name.decode()]
            assert float(value) == wire_value, name
            assert AP_TO_MAV[ap_type] == mav_type, name
    assert struct.unpack_from("<HHH", data) == (0x671B, len(st), len(st))
    # ArduPilot's padding: no value straddles a boundary of the client's reads
    spans, pads = _value_spans(data)
    assert len(spans) == len(st)
    assert all(s // burst_size == (e - 1) // burst_size for s, e in spans)
    assert pads > 0 or burst_size == 239  # 23- and 80-byte reads need padding here


def test_param_pck_with_defaults_and_a_window():
    st = _changed_store()
    st, mav, ftp = _vehicle(store=st)
    c = Client(ftp, mav)
    data = _download(c, "@PARAM/param.pck?withdefaults=1", 239)
    decoded = mavproxy_decode(data)
    assert decoded is not None and decoded.defaults is not None
    defaults = {n.decode(): v for n, v, _ in decoded.defaults}
    for name in st.names():
        d = st.info(name).default
        assert defaults[name] == pytest.approx(d, rel=1e-7), name
    assert defaults["AIRSPEED_CRUISE"] == AF.envelope.airspeed_cruise_mps
    # start/count: the header says how many follow and how many the vehicle has
    window = _download(c, "@PARAM/param.pck?start=10&count=5", 239)
    magic, n, total = struct.unpack_from("<HHH", window)
    assert (magic, n, total) == (0x671B, 5, len(st))
    (r,) = c.op(OPEN_RO, f"@PARAM/param.pck?start={len(st)}".encode())
    assert r[2] == ACK  # opens; the read then fails (ArduPilot: EINVAL)
    (r,) = c.op(READ, size=100, session=r[1])
    assert (r[2], r[8][0], r[8][1]) == (NAK, 2, 22)


def test_log_folder_listed_read_and_crc(tmp_path: Path):
    blob = bytes(random.Random(4).randrange(256) for _ in range(10_000))
    (tmp_path / "session-1.tlog").write_bytes(blob)
    (tmp_path / "params.parm").write_text("WP_RADIUS 60\n")
    (tmp_path / ".longwing-run").write_text("{}")  # hidden: not served
    (tmp_path / "sub").mkdir()
    st, mav, ftp = _vehicle(tmp_path)
    c = Client(ftp, mav)
    (r,) = c.op(LIST, b"/APM/LOGS")
    assert r[2] == ACK
    entries = r[8][: r[3]].split(b"\0")[:-1]
    assert entries == [b"Fparams.parm\t13", b"Fsession-1.tlog\t10000"]
    (r,) = c.op(LIST, b"/APM/LOGS", offset=2)
    assert (r[2], r[8][0]) == (NAK, 6)  # EndOfFile
    (r,) = c.op(LIST, b"/")
    assert r[8][: r[3]].split(b"\0")[:-1] == [b"D@PARAM", b"DAPM"]
    assert _download(c, "/APM/LOGS/session-1.tlog", 239) == blob
    # a file growing while it is read (the session's own tlog): served as it was at the open
    (r,) = c.op(OPEN_RO, b"/APM/LOGS/params.parm")
    with (tmp_path / "params.parm").open("a") as fh:
        fh.write("X" * 500)
    replies = c.op(BURST, size=239, session=r[1])
    assert [x[3] for x in replies] == [13, 1] and replies[-1][2] == NAK  # 13 bytes, then EOF
    c.op(TERMINATE, session=r[1])
    (tmp_path / "params.parm").write_text("WP_RADIUS 60\n")
    # ReadFile at an offset
    (r,) = c.op(OPEN_RO, b"/APM/LOGS/session-1.tlog")
    (r,) = c.op(READ, size=100, offset=5000, session=r[1])
    assert (r[2], r[3], r[7], r[8][:100]) == (ACK, 100, 5000, blob[5000:5100])
    c.op(TERMINATE, session=r[1])
    # CRC32: ArduPilot's crc_crc32 (bitwise reference here: reflected 0xEDB88320 from 0)
    crc = 0
    for byte in blob:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    (r,) = c.op(CRC32, b"/APM/LOGS/session-1.tlog")
    assert r[2] == ACK and struct.unpack_from("<I", r[8]) == (crc,)
    for bad in (b"/APM/LOGS/../secret", b"/APM/LOGS/sub", b"/APM/LOGS/.longwing-run",
                b"/etc/passwd", b"/APM/LOGS/none.bin", b"@PARAM/other.pck"):  # fmt: skip
        (r,) = c.op(OPEN_RO, bad)
        assert (r[2], r[8][0]) == (NAK, 10), bad  # FileNotFound


def test_sessions_and_protocol_errors(tmp_path: Path):
    st, mav, ftp = _vehicle(tmp_path)
    c = Client(ftp, mav)
    (r,) = c.op(OPEN_RO, b"@PARAM/param.pck", session=3)
    assert r[:3] == (c.sent_seq + 1, 3, ACK)
    assert struct.unpack_from("<I", r[8]) == (12 * len(st),)  # ArduPilot's estimate
    (r,) = c.op(OPEN_RO, b"@PARAM/param.pck", session=3)
    assert (r[2], r[8][0]) == (NAK, 1)  # one open file per session: Fail
    (r,) = c.op(READ, size=80, session=3)
    assert r[2] == ACK and r[3] == 80
    (r,) = c.op(READ, size=100, session=3)  # another read size than the first
    assert (r[2], r[3], r[8][0], r[8][1]) == (NAK, 2, 2, 22)  # FailErrno, EINVAL
    (r,) = c.op(READ, size=80, session=4)
    assert (r[2], r[8][0]) == (NAK, 10)  # no file open in that session
    (r,) = c.op(RESET)
    assert r[2] == ACK
    (r,) = c.op(READ, size=80, session=3)
    assert (r[2], r[8][0]) == (NAK, 10)  # reset closed it
    # a re-sent request (same seq: its reply was lost) gets the same reply, not a second
    # open (which would be refused: one file per session)
    (a,) = c.op(OPEN_RO, b"@PARAM/param.pck", session=5)
    (b,) = c.op(OPEN_RO, b"@PARAM/param.pck", session=5, seq=c.sent_seq)
    assert a == b and a[2] == ACK
    (r,) = c.op(OPEN_RO, b"@PARAM/param.pck", session=5)
    assert (r[2], r[8][0]) == (NAK, 1)
    # write operations and unknown opcodes: UnknownCommand, as ArduPilot's default case
    for opcode in (6, 7, 8, 9, 10, 11, 12, 13, 16, 99, 200):
        (r,) = c.op(opcode, b"x.txt")
        assert (r[2], r[4], r[8][0]) == (NAK, opcode, 7), opcode
    assert c.op(ACK) == [] and c.op(NAK) == []  # eaten
    (r,) = c.op(OPEN_RO, b"@PARAM/param.pck", size=240)
    assert (r[2], r[8][0]) == (NAK, 3)  # size beyond the data field: InvalidDataSize
    (r,) = c.op(OPEN_RO, b"@PARAM/param.pck", size=5)
    assert (r[2], r[8][0]) == (NAK, 3)  # name length disagrees with size
    (r,) = c.op(0)
    assert r[2] == ACK  # None: ACK (ArduPilot)
    assert c.op(LIST, b"/", session=1) and c.send_payload(b"", target=(2, 1)) == []


def test_garbage_payloads_get_a_nak_never_an_exception(tmp_path: Path):
    st, mav, ftp = _vehicle(tmp_path)
    c = Client(ftp, mav)
    rng = random.Random(7)
    n_replies = 0
    for _ in range(3000):
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 252)))
        for r in c.send_payload(payload):
            n_replies += 1
            assert r[2] in (ACK, NAK)
            if r[2] == NAK:
                assert 1 <= r[3] <= 2 and 1 <= r[8][0] <= 10
    assert n_replies > 2900  # all answered but ACK/NAK opcodes from a GCS (eaten)

    class Odd:
        target_system = target_component = 1
        payload = None

        def get_type(self):
            return "FILE_TRANSFER_PROTOCOL"

        def get_srcSystem(self):
            return 255

        def get_srcComponent(self):
            return 190

    assert ftp.handle(Odd()) == []
    Odd.payload = [300, -1]  # not bytes
    assert ftp.handle(Odd()) == []
    Odd.target_system = "x"
    assert ftp.handle(Odd()) == []


def test_autopilot_version_advertises_ftp():
    assert CAPABILITIES & M.MAV_PROTOCOL_CAPABILITY_FTP


def test_pymavlink_mavftp_client_against_the_sitl(tmp_path: Path):
    """pymavlink's MAVFTP (MAVProxy's client) fetches param.pck from `longwing sitl`; the
    decoded values equal PARAM_VALUE's; it lists the log folder (the session's tlog)."""
    from sitl_gcs import heartbeat, port_base, sitl_gcs

    with sitl_gcs(tmp_path / "sitl", port_base(34000)) as (conn, _):
        heartbeat(conn)
        conn.target_system, conn.target_component = 1, 1
        client = mavftp.MAVFTP(conn, 1, 1)
        got = {}

        def keep(fh):
            got["data"] = fh.read()

        client.cmd_get(["@PARAM/param.pck"], callback=keep)
        ret = client.process_ftp_reply("OpenFileRO", timeout=20)
        assert ret.error_code == 0 and "data" in got
        decoded = mavproxy_decode(got["data"])
        assert decoded is not None
        conn.param_fetch_all()
        values: dict[str, float] = {}
        while len(values) < len(decoded.params):
            m = conn.recv_match(type="PARAM_VALUE", blocking=True, timeout=10)
            assert m is not None, f"{len(values)} PARAM_VALUEs"
            values[m.param_id] = m.param_value
        assert {n.decode(): float(v) for n, v, _ in decoded.params} == values
        ret = client.cmd_list(["/APM/LOGS"])
        names = [e.name for e in client.list_result]
        assert "params.parm" in names, names
        (tlog,) = [n for n in names if n.endswith(".tlog")]
        # the session's own tlog, growing as the download is logged: served as at the open
        client.cmd_get([f"/APM/LOGS/{tlog}"], callback=keep)
        ret = client.process_ftp_reply("OpenFileRO", timeout=30)
        assert ret.error_code == 0
        copy = tmp_path / "copy.tlog"
        copy.write_bytes(got["data"])
        assert got["data"] == (tmp_path / "sitl" / "instance0" / tlog).read_bytes()[
            : len(got["data"])]  # fmt: skip
        log = mavutil.mavlink_connection(str(copy), dialect="ardupilotmega")
        hb = log.recv_match(type="HEARTBEAT")
        assert hb is not None and hb.get_srcSystem() == 1


def test_mavproxy_fetches_the_parameters_by_ftp(tmp_path: Path):
    """MAVProxy (pinned; the client of issue 14's "waits ~11 s for its FTP parameter
    download, then falls back") gets every parameter through MAVFTP at once on connecting,
    and the values it saves are the vehicle's."""
    import os
    import shutil
    import subprocess
    import sys
    import time

    from sitl_gcs import port_base, sitl_gcs

    exe = shutil.which("mavproxy.py", path=os.path.dirname(sys.executable))
    assert exe is not None, "MAVProxy is in requirements.lock"
    base = port_base(34050)
    with sitl_gcs(tmp_path / "sitl", base) as (_conn, _):
        work = tmp_path / "mavproxy"
        work.mkdir()
        proc = subprocess.Popen(
            [sys.executable, exe, f"--master=tcp:127.0.0.1:{base + 2}", "--non-interactive",
             "--daemon", "--state-basedir", str(work)],
            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        lines, t_detected, t_params, saved_to = [], None, None, None
        try:
            end = time.time() + 60
            while time.time() < end and saved_to is None:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip())
                if "Detected vehicle 1:1" in line:
                    t_detected = time.time()
                if line.startswith("Received ") and "parameters" in line:
                    t_params = time.time()
                if line.startswith("Saved ") and " parameters to " in line:
                    saved_to = line.rstrip().split(" parameters to ", 1)[1]
        finally:
            proc.kill()
            proc.wait(timeout=10)
        store = ParamStore(AF, path=tmp_path / "sitl" / "instance0" / "params.parm")
        want = f"Received {len(store)} parameters (ftp)"
        assert want in lines, lines[-20:]
        # measured 0.5 s from "Detected vehicle" (MAVProxy's fallback comes after 11 s)
        assert t_detected is not None and t_params - t_detected < 5.0, t_params - t_detected
        saved = {}
        assert saved_to is not None, lines[-20:]
        for row in (work / saved_to).read_text().splitlines():
            name, value = row.split()[:2]
            saved[name] = float(value)
        assert set(saved) == set(store.names())
        for name in store.names():
            assert saved[name] == pytest.approx(float(store.get(name)), rel=1e-6), name
