"""Links as ArduPilot's channels (issue 14, items 4 and 10): a reply goes to the link that
asked, stream rates are per link, broadcasts reach every link, each link numbers its frames;
garbage datagrams from another local port cannot deafen the vehicle to its GCS; protocol
timeouts run on the wall clock, not the simulation's (a GCS has the same time at any
speed-up). Two real pymavlink connections: the GCS on UDP, a second GCS over TCP (MAVProxy's
port)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import numpy as np
from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import heartbeat, port_base, recv, sitl_gcs

PLAN = str(Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan")


def _drain(conn) -> None:
    while conn.recv_match(blocking=False) is not None:
        pass


def _count(conns, mtype: str, seconds: float) -> list[tuple[int, list]]:
    """Per connection, read side by side for ``seconds``: (messages of ``mtype``, the
    sequence numbers of all the vehicle's frames)."""
    for c in conns:
        _drain(c)
    out = [[0, []] for _ in conns]
    end = time.time() + seconds
    while time.time() < end:
        for c, o in zip(conns, out, strict=True):
            heartbeat(c)
            m = c.recv_match(blocking=True, timeout=0.02)
            while m is not None:
                if m.get_srcSystem() == 1:
                    o[1].append(m.get_seq())
                    o[0] += m.get_type() == mtype
                m = c.recv_match(blocking=False)
    return [tuple(o) for o in out]


def _upload(conn, n_items: int, delay_s: float = 0.0, timeout_s: float = 10.0):
    """Upload ``n_items`` waypoints near home as QGroundControl does (MISSION_COUNT again
    each second until the vehicle asks for an item); wait ``delay_s`` before answering the
    first request. (The MISSION_ACK type, the MISSION_COUNTs sent); None if no ACK came."""
    end = time.time() + timeout_s
    first = True
    counts = 0
    while time.time() < end:
        if first:
            conn.mav.mission_count_send(1, 1, n_items, M.MAV_MISSION_TYPE_MISSION)
            counts += 1
        m = recv(conn, ["MISSION_REQUEST_INT", "MISSION_REQUEST", "MISSION_ACK"], timeout=1)
        if m is None:
            continue
        if m.get_type() == "MISSION_ACK":
            return m.type, counts
        if first and delay_s:
            time.sleep(delay_s)
        first = False
        lat, lon = 47.63 + 0.002 * m.seq, -52.93
        conn.mav.mission_item_int_send(
            1, 1, m.seq, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, M.MAV_CMD_NAV_WAYPOINT, 0, 1, 0,
            0, 0, 0, int(lat * 1e7), int(lon * 1e7), 100, M.MAV_MISSION_TYPE_MISSION,
        )  # fmt: skip
    return None


def _garbage(addr, stop: threading.Event) -> None:
    rng = np.random.default_rng(5)
    bad = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = 0
    while not stop.is_set():
        data = bytes(rng.integers(0, 256, int(rng.integers(1, 300)), dtype=np.uint8))
        if rng.random() < 0.5:
            data = b"\xfd\xff" + data[:20]  # a MAVLink 2 start announcing 255 bytes
        bad.sendto(data, addr)
        n += 1
        if n > 500:
            time.sleep(0.002)
    bad.close()


def test_replies_and_rates_per_link_and_garbage_from_another_port(tmp_path):
    base = port_base(36500)
    with sitl_gcs(tmp_path / "s", base, "--speedup", "1") as (udp, _):
        tcp = mavutil.mavlink_connection(f"tcp:127.0.0.1:{base + 2}", source_system=254,
                                         source_component=191, dialect="ardupilotmega")  # fmt: skip
        assert tcp.wait_heartbeat(timeout=20) is not None
        heartbeat(tcp)
        # a command from the TCP GCS: its ACK on TCP, none on UDP
        tcp.mav.command_long_send(1, 1, M.MAV_CMD_REQUEST_MESSAGE, 0,
                                  M.MAVLINK_MSG_ID_AUTOPILOT_VERSION, 0, 0, 0, 0, 0, 0)  # fmt: skip
        ack = recv(tcp, "COMMAND_ACK", timeout=5)
        assert ack is not None and ack.target_system == 254 and ack.target_component == 191
        assert recv(udp, "COMMAND_ACK", timeout=2) is None
        # ATTITUDE at 4 Hz for the TCP link only; UDP keeps its 10 Hz
        tcp.mav.command_long_send(1, 1, M.MAV_CMD_SET_MESSAGE_INTERVAL, 0,
                                  M.MAVLINK_MSG_ID_ATTITUDE, 250_000, 0, 0, 0, 0, 0)  # fmt: skip
        assert recv(tcp, "COMMAND_ACK", timeout=5).result == M.MAV_RESULT_ACCEPTED
        (n_tcp, seqs), (n_udp, _) = _count([tcp, udp], "ATTITUDE", 4.0)
        assert 13 <= n_tcp <= 19, n_tcp  # 4 Hz x 4 s
        assert 34 <= n_udp <= 46, n_udp  # 10 Hz x 4 s
        gaps = sum((b - a) % 256 != 1 for a, b in zip(seqs, seqs[1:], strict=False))
        assert gaps == 0  # the TCP link's own sequence, unbroken by what UDP was sent
        # garbage datagrams from a second local port to the vehicle's UDP socket, 500 before
        # and more all through the upload, many of them a frame's start (which, parsed as a
        # stream, would swallow the GCS's next datagram)
        (vehicle_addr,) = udp.clients  # where the vehicle sends from (its UDP socket)
        stop = threading.Event()
        sender = threading.Thread(target=_garbage, args=(vehicle_addr, stop), daemon=True)
        sender.start()
        time.sleep(0.5)
        try:  # the GCS is heard: an upload (at most one MISSION_COUNT resent), a download
            assert _upload(udp, 3) in ((M.MAV_MISSION_ACCEPTED, 1), (M.MAV_MISSION_ACCEPTED, 2))
        finally:
            stop.set()
            sender.join()
        udp.mav.mission_request_list_send(1, 1, M.MAV_MISSION_TYPE_MISSION)
        cnt = recv(udp, "MISSION_COUNT", timeout=5)
        assert cnt is not None and cnt.count == 3
        udp.mav.mission_ack_send(1, 1, M.MAV_MISSION_ACCEPTED, M.MAV_MISSION_TYPE_MISSION)
        # a broadcast (a STATUSTEXT of the arming refusal) reaches both links
        udp.mav.command_long_send(1, 1, M.MAV_CMD_RUN_PREARM_CHECKS, 0, 0, 0, 0, 0, 0, 0, 0)
        assert recv(udp, "COMMAND_ACK", timeout=5).result == M.MAV_RESULT_ACCEPTED
        tcp.close()


def test_protocol_timeouts_are_wall_clock_at_50x(tmp_path):
    """At 50x, 1 s of wall time is 50 s of simulation: an upload whose GCS answers the first
    item request after 1 s still completes (ArduPilot's 1.5 s item timeout on the GCS's
    clock); the vehicle gave up after 0.18 s of wall time when timeouts ran on sim time."""
    with sitl_gcs(tmp_path / "s", port_base(36500) + 10, "--speedup", "50") as (udp, _):
        assert _upload(udp, 3, delay_s=1.0) == (M.MAV_MISSION_ACCEPTED, 1)


def test_sr_params_per_link_and_reboot_keeps_parameters(tmp_path):
    """SR1_EXTRA1 (the GCS UDP link is link 1) set to 2 Hz: ATTITUDE at 2 Hz on that link,
    still 10 Hz on the TCP link (link 0). PREFLIGHT_REBOOT_SHUTDOWN 1: the vehicle restarts
    (banner again, MANUAL, disarmed) with the parameters it had."""
    base = port_base(36500) + 20
    with sitl_gcs(tmp_path / "s", base, "--speedup", "1") as (udp, _):
        tcp = mavutil.mavlink_connection(f"tcp:127.0.0.1:{base + 2}", source_system=254,
                                         source_component=191, dialect="ardupilotmega")  # fmt: skip
        assert tcp.wait_heartbeat(timeout=20) is not None
        for name, value in (("SR1_EXTRA1", 2.0), ("WP_RADIUS", 75.0)):
            udp.mav.param_set_send(1, 1, name.encode(), value, M.MAV_PARAM_TYPE_REAL32)
            got = recv(udp, "PARAM_VALUE", timeout=5, cond=lambda m, n=name: m.param_id == n)
            assert got is not None and got.param_value == value
        (n_tcp, _), (n_udp, _) = _count([tcp, udp], "ATTITUDE", 4.0)
        assert 6 <= n_udp <= 10, n_udp  # 2 Hz x 4 s
        assert 34 <= n_tcp <= 46, n_tcp  # 10 Hz x 4 s
        udp.mav.command_long_send(1, 1, M.MAV_CMD_PREFLIGHT_REBOOT_SHUTDOWN, 0, 1, 0, 0, 0, 0,
                                  0, 0)  # fmt: skip
        assert recv(udp, "COMMAND_ACK", timeout=5).result == M.MAV_RESULT_ACCEPTED
        banner = recv(udp, "STATUSTEXT", timeout=10, cond=lambda m: m.text.startswith("ArduPlane"))
        assert banner is not None
        hb = recv(udp, "HEARTBEAT", cond=lambda m: m.get_srcSystem() == 1)
        assert hb.custom_mode == 0 and not hb.base_mode & M.MAV_MODE_FLAG_SAFETY_ARMED
        udp.mav.param_request_read_send(1, 1, b"WP_RADIUS", -1)
        got = recv(udp, "PARAM_VALUE", timeout=5, cond=lambda m: m.param_id == "WP_RADIUS")
        assert got is not None and got.param_value == 75.0
        tcp.close()
