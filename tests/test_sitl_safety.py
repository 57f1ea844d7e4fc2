"""`longwing sitl` safety: it listens on 127.0.0.1 unless told otherwise (`--bind`, warned),
SIGTERM and SIGINT stop it cleanly (exit code 0, a complete tlog), every session writes a new
tlog, and bad input is one line, exit code 2, with nothing written and no socket left open."""

from __future__ import annotations

import gc
import hashlib
import ipaddress
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as M

from longwing.logs.outputs import MARKER, marker_text

os.environ.setdefault("MAVLINK20", "1")
STOP_WAIT_S = 3.0  # a signalled sitl ends within this (it checks the flag every 20 ms slice)


def _port_base() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    k = int(worker.replace("gw", "") or 0) if worker.startswith("gw") else 0
    return 26550 + 100 * k  # distinct from tests/test_sitl.py (24550 + 100 k)


def _non_loopback_ipv4() -> str | None:
    """One of this machine's own IPv4 addresses that is not a loopback one, or None."""
    try:
        words = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                               timeout=5).stdout.split()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        words = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:  # the address of the default route's interface (connecting sends nothing)
        probe.connect(("192.0.2.1", 9))
        words.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    for w in words:
        try:
            ip = ipaddress.ip_address(w)
        except ValueError:
            continue
        if ip.version == 4 and not ip.is_loopback and not ip.is_unspecified:
            return w
    return None


def _inet_sockets(pid: int) -> list[tuple[str, str]]:
    """(protocol, local IPv4 address) of every socket ``pid`` holds (Linux /proc); an IPv6
    socket is reported as ("tcp6"/"udp6", its hex address)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = []
    for proto in ("tcp", "udp", "tcp6", "udp6"):
        table = Path(f"/proc/{pid}/net/{proto}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            cols = line.split()
            if cols[9] not in inodes:
                continue
            addr_hex = cols[1].split(":")[0]
            if proto.endswith("6"):
                out.append((proto, addr_hex))
            else:
                out.append((proto, socket.inet_ntoa(struct.pack("=I", int(addr_hex, 16)))))
    return out


class Sitl:
    """`longwing sitl` in a subprocess (stderr to a file) and a pymavlink GCS on its GCS port."""

    def __init__(self, out: Path, base: int, *extra: str, speedup: float = 10.0) -> None:
        self.base = base
        self.tcp_port = base + 2
        self.stderr_path = out.parent / f"{out.name}-{base}.stderr"
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", f"{speedup:g}",
                 "--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
                 "--tcp-port", str(self.tcp_port), "--out", str(out), "--duration-s", "1e6",
                 *extra],
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        self.conn = mavutil.mavlink_connection(f"udpin:127.0.0.1:{base}", source_system=255,
                                               dialect="ardupilotmega")  # fmt: skip
        if self.conn.wait_heartbeat(timeout=150) is None:
            self.close()
            pytest.fail("no heartbeat from longwing sitl: " + self.stderr()[-2000:])

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def talk(self, seconds: float) -> int:
        """GCS heartbeats out, vehicle heartbeats in, for ``seconds``: how many came in."""
        got = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.conn.mav.heartbeat_send(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0)
            m = self.conn.recv_match(type="HEARTBEAT", blocking=True, timeout=0.2)
            got += m is not None and m.get_srcSystem() == 1
        return got

    def tlog(self) -> Path:
        (path,) = re.findall(r"tlog (\S+\.tlog)", self.stderr())
        return Path(path)

    def close(self) -> None:
        self.conn.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _read_tlog(path: Path) -> list:
    """Every message of a tlog; asserts the file is whole: no bad frame, and the messages
    read (8-byte timestamp + frame each) account for every byte of it."""
    log = mavutil.mavlink_connection(str(path), dialect="ardupilotmega")
    msgs = []
    while (m := log.recv_msg()) is not None:
        msgs.append(m)
    log.close()
    assert msgs, f"{path} holds no message"
    assert all(m.get_type() != "BAD_DATA" for m in msgs)
    assert sum(8 + len(m.get_msgbuf()) for m in msgs) == path.stat().st_size, "a partial frame"
    return msgs


# -- 1. listening address -------------------------------------------------------------------


def test_listens_on_loopback_only_by_default(tmp_path):
    s = Sitl(tmp_path / "out", _port_base())
    try:
        banner = s.stderr()
        assert "bound to 127.0.0.1 (this machine only)" in banner
        assert f"MAVProxy tcp:127.0.0.1:{s.tcp_port}," in banner
        assert "warning" not in banner
        with socket.create_connection(("127.0.0.1", s.tcp_port), timeout=2):
            pass  # MAVProxy's way in works
        if Path(f"/proc/{s.proc.pid}/fd").exists():
            socks = _inet_sockets(s.proc.pid)
            assert len(socks) >= 3, socks  # 2 UDP + the TCP listener at least
            assert {addr for _, addr in socks} == {"127.0.0.1"}, socks
        other = _non_loopback_ipv4()
        if other is not None:  # this machine's own address on a network: nobody there
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((other, s.tcp_port), timeout=2).close()
    finally:
        s.close()


def test_bind_all_interfaces_warns_once_and_is_reachable(tmp_path):
    s = Sitl(tmp_path / "out", _port_base() + 10, "--bind", "0.0.0.0")
    try:
        lines = s.stderr().splitlines()
        warnings = [ln for ln in lines if ln.startswith("warning:")]
        assert warnings == [
            "warning: --bind 0.0.0.0 exposes the simulated vehicle's MAVLink ports to the "
            "network: anyone who can reach them can command it"
        ]
        assert f"MAVProxy tcp:0.0.0.0:{s.tcp_port}," in s.stderr()
        other = _non_loopback_ipv4()
        if other is not None:
            with socket.create_connection((other, s.tcp_port), timeout=2):
                pass
    finally:
        s.close()


# -- 2. signals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sig", "offset"), [(signal.SIGTERM, 20), (signal.SIGINT, 30)], ids=["SIGTERM", "SIGINT"]
)
def test_signal_stops_cleanly_with_a_complete_tlog(sig, offset, tmp_path):
    s = Sitl(tmp_path / "out", _port_base() + offset)
    try:
        assert s.talk(2.5) >= 2  # 1 Hz heartbeats in wall time
        s.proc.send_signal(sig)
        t0 = time.monotonic()
        rc = s.proc.wait(timeout=10)
        assert time.monotonic() - t0 < STOP_WAIT_S
    finally:
        s.close()
    assert rc == 0, s.stderr()
    err = s.stderr()
    assert f"stopped by {sig.name}; tlogs closed" in err and "Traceback" not in err
    msgs = _read_tlog(s.tlog())
    beats = [m for m in msgs if m.get_type() == "HEARTBEAT"]
    assert sum(m.get_srcSystem() == 1 for m in beats) >= 3  # sent, up to the end
    assert sum(m.get_srcSystem() == 255 for m in beats) >= 5  # received from the GCS, logged
    times = [m._timestamp for m in msgs]
    assert times == sorted(times) and times[-1] - times[0] < 10.0


# -- 3. a new tlog per session --------------------------------------------------------------


def _session(out: Path, base: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", "100", "--duration-s", "30",
         "--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
         "--tcp-port", str(base + 2), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_each_session_writes_a_new_tlog(tmp_path):
    out = tmp_path / "out"
    base = _port_base() + 40
    first = _session(out, base)
    assert first.returncode == 0, first.stderr
    assert "stopped at the end of --duration-s" in first.stderr
    (tlog1,) = (out / "instance0").glob("*.tlog")
    assert re.fullmatch(r"session-\d{8}-\d{6}(-\d+)?\.tlog", tlog1.name)
    assert f"tlog {tlog1}" in first.stderr
    digest1 = hashlib.sha256(tlog1.read_bytes()).hexdigest()
    params1 = (out / "instance0" / "params.parm").read_bytes()
    assert len(_read_tlog(tlog1)) >= 5  # 0.3 s of wall-paced telemetry
    assert json.loads((out / MARKER).read_text())["kind"] == "sitl"

    second = _session(out, base)  # the same folder: reused, not refused nor replaced
    assert second.returncode == 0, second.stderr
    tlogs = sorted((out / "instance0").glob("*.tlog"))
    assert len(tlogs) == 2 and tlog1 in tlogs
    (tlog2,) = set(tlogs) - {tlog1}
    assert f"tlog {tlog2}" in second.stderr
    assert hashlib.sha256(tlog1.read_bytes()).hexdigest() == digest1
    assert len(_read_tlog(tlog2)) >= 5
    assert (out / "instance0" / "params.parm").read_bytes() == params1


def test_tlog_names_never_collide(tmp_path):
    from longwing.mavlink.link import open_new_tlog

    (tmp_path / "session-x.tlog").write_bytes(b"earlier")
    (tmp_path / "session-x-2.tlog").write_bytes(b"earlier 2")
    w = open_new_tlog(tmp_path, "session-x")
    w.write(b"\xfd")
    w.close()
    assert w.path == tmp_path / "session-x-3.tlog"
    assert (tmp_path / "session-x.tlog").read_bytes() == b"earlier"
    assert (tmp_path / "session-x-2.tlog").read_bytes() == b"earlier 2"
    assert w.path.stat().st_size == 9  # timestamp + the frame


# -- 4/5. bad input: one line, exit code 2, nothing written, no socket left open ------------


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its content."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _open_fds() -> int | None:
    """Open file descriptors of this process (after collecting garbage), None without /proc."""
    gc.collect()
    fd_dir = Path("/proc/self/fd")
    return len(os.listdir(fd_dir)) if fd_dir.exists() else None


def _run_main(monkeypatch, capsys, args: list[str]) -> tuple[int, str]:
    from longwing.cli import main

    monkeypatch.setattr(sys, "argv", ["longwing", "sitl", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code, capsys.readouterr().err


def _prepare(tmp_path: Path, kind: str) -> Path:
    """The --out of a case: new (not yet there), a file, a user's folder, a `fly` folder."""
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("my notes\n")
    elif kind == "user-folder":
        out.mkdir()
        (out / "thesis.tex").write_text("\\section{}\n")
    elif kind == "fly-folder":
        out.mkdir()
        (out / MARKER).write_text(marker_text("fly"))
        (out / "summary.json").write_text("{}\n")
    (tmp_path / "garbage.plan").write_text("this is not json\n")
    return out


BAD = [
    (["--tcp-port", "70000"], "new", "--tcp-port 70000: the port must be in 1-65535"),
    (["--tcp-port", "0"], "new", "--tcp-port 0: the port must be in 1-65535"),
    (["--tcp-port", "-5"], "new", "--tcp-port -5: the port must be in 1-65535"),
    (["--tcp-port", "65530", "--instances", "2"], "new", "instance 1 would use port 65540"),
    (["--gcs", "127.0.0.1:65535", "--instances", "2"], "new", "--gcs 127.0.0.1:65535: inst"),
    (["--mavsdk", "127.0.0.1:65500", "--instances", "3"], "new", "would use port 65540"),
    (
        ["--gcs", "127.0.0.1:14550", "--mavsdk", "127.0.0.1:14530", "--instances", "2"],
        "new",
        "instance 1 would send to port 14550, instance 0's --gcs port",
    ),
    (["--instances", "0"], "new", "--instances 0 must be in 1-50"),
    (["--bind", "999.1.1.1"], "new", "--bind '999.1.1.1' is not an IP address"),
    (["--bind", "localhost"], "new", "--bind 'localhost' is not an IP address"),
    (["--bind", "::1"], "new", "--bind ::1: only IPv4"),
    (["--bind", "203.0.113.77"], "new", "cannot open a UDP socket on 203.0.113.77"),
    (["--gcs", "203.0.113.5:14550"], "new", "cannot be reached from --bind 127.0.0.1"),
    (["--mission", "MISSING.plan"], "new", "MISSING.plan"),
    (["--mission", "GARBAGE"], "new", "garbage.plan"),
    (["--mission", "TMP"], "new", "cannot read the file"),  # a folder, not a mission file
    ([], "file", "is an existing file"),
    ([], "user-folder", "is a folder longwing did not make"),
    ([], "fly-folder", "holds a longwing fly folder"),
]


@pytest.mark.parametrize(("args", "kind", "message"), BAD,
                         ids=[" ".join(a) or f"--out {k}" for a, k, _ in BAD])  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    args, kind, message, tmp_path, monkeypatch, capsys
):
    out = _prepare(tmp_path, kind)
    subs = {"MISSING.plan": str(tmp_path / "MISSING.plan"), "TMP": str(tmp_path),
            "GARBAGE": str(tmp_path / "garbage.plan")}  # fmt: skip
    args = [subs.get(a, a) for a in args]
    base = _port_base() + 60
    ports = ["--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
             "--tcp-port", str(base + 2)]  # fmt: skip
    before = _tree(tmp_path)
    fds = _open_fds()
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    code, err = _run_main(monkeypatch, capsys, [*ports, *args, "--out", str(out),
                                                "--duration-s", "1"])  # fmt: skip
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]
    assert _tree(tmp_path) == before  # nothing created, nothing changed
    assert _open_fds() == fds  # every socket opened was closed
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


@pytest.mark.parametrize(("instances", "busy_k"), [(1, 0), (2, 1)])
def test_port_in_use_closes_what_was_opened_and_writes_nothing(
    instances, busy_k, tmp_path, monkeypatch, capsys
):
    """The TCP port of instance ``busy_k`` is taken: the sockets of the instances before it
    (opened already) are closed, and no folder is made."""
    base = _port_base() + 70
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", base + 2 + 10 * busy_k))
    busy.listen(1)
    out = tmp_path / "out"
    fds = _open_fds()
    try:
        args = ["--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
                "--tcp-port", str(base + 2), "--instances", str(instances),
                "--out", str(out)]  # fmt: skip
        code, err = _run_main(monkeypatch, capsys, args)
        assert _open_fds() == fds  # nothing left open
    finally:
        busy.close()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"cannot listen on tcp 127.0.0.1:{base + 2 + 10 * busy_k}" in lines[0]
    assert f"instance {busy_k}" in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []
    # and every port is free again: a second process could take them
    for port in (base + 2, base + 12):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", port))
        s.close()


def test_bad_port_in_a_real_process(tmp_path):
    """The command itself, as a user runs it: no traceback, no empty instance0/ left."""
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "longwing.cli", "sitl", "--tcp-port", "70000",
                        "--out", str(out), "--duration-s", "1"],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == ["error: --tcp-port 70000: the port must be in 1-65535"]
    assert not out.exists()


def test_arming_in_auto_refuses_a_mission_below_the_ground(tmp_path):
    """A mission uploaded over MAVLink with a waypoint below the ground: arming in AUTO is
    refused with a PreArm STATUSTEXT naming the item (ArduPilot's mission pre-arm check)."""
    from longwing.cli_sitl import build_vehicles
    from longwing.mission.items import MavFrame, MissionItem
    from longwing.mission.model import Home, Mission

    base = _port_base() + 80
    v = build_vehicles(gcs=f"127.0.0.1:{base}", mavsdk=f"127.0.0.1:{base + 1}",
                       tcp_port=base + 2, out_dir=tmp_path / "sitl")[0]  # fmt: skip
    try:
        texts = []
        v.statustext = lambda text, severity=0: texts.append(text)
        home = Home(47.63, -52.93, 60.0)
        rel = MavFrame.GLOBAL_RELATIVE_ALT
        below = Mission(home=home, items=(
            MissionItem.takeoff(47.64, -52.93, 80.0, rel),
            MissionItem.waypoint(47.65, -52.93, -100.0, rel),
            MissionItem.land(47.63, -52.93, 0.0, rel),
        ))  # fmt: skip
        v.mission_proto.load(below, notify=True)
        assert v.set_mode(10) == M.MAV_RESULT_ACCEPTED
        assert v.arm() == M.MAV_RESULT_FAILED and not v.armed
        assert texts[-1] == ("PreArm: mission: item 2 (NAV_WAYPOINT): altitude -40 m AMSL is "
                             "100 m below the ground (60 m AMSL, the home elevation)")  # fmt: skip
        fixed = Mission(home=home, items=(*below.items[:1],
                                          MissionItem.waypoint(47.65, -52.93, 100.0, rel),
                                          below.items[2]))  # fmt: skip
        v.mission_proto.load(fixed, notify=True)
        assert v.arm() == M.MAV_RESULT_ACCEPTED
    finally:
        v.links.close()


def test_default_udp_port_series_never_meet():
    """Issue 14, item 11: with the defaults (GCS 14550, MAVSDK 14540, + 20 per instance) no
    instance's MAVSDK port is another's GCS port, up to the most instances allowed."""
    from longwing.cli_sitl import MAX_INSTANCES, UDP_PORT_STEP, _check_udp_series

    _check_udp_series(("127.0.0.1", 14550), ("127.0.0.1", 14540), MAX_INSTANCES)
    gcs = {14550 + UDP_PORT_STEP * k for k in range(MAX_INSTANCES)}
    sdk = {14540 + UDP_PORT_STEP * k for k in range(MAX_INSTANCES)}
    assert not gcs & sdk and len(gcs) == len(sdk) == MAX_INSTANCES
