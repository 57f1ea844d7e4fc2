"""A pymavlink ground station for the SITL tests: a `longwing sitl` process on ports of its
own per xdist worker, heartbeats while waiting, COMMAND_LONG with its ACK."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as M


def port_base(first: int) -> int:
    """``first`` for xdist worker gw0, 100 more per worker after it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    k = int(worker.replace("gw", "") or 0) if worker.startswith("gw") else 0
    return first + 100 * k


@contextlib.contextmanager
def sitl_gcs(out: Path, base: int, *args: str) -> Iterator[tuple]:
    """`longwing sitl ARGS` with its GCS link on UDP ``base`` (MAVSDK base+1, TCP base+2) and
    a pymavlink connection that has seen its heartbeat: yields (conn, proc); killed after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "longwing.cli", "sitl", *args, "--gcs", f"127.0.0.1:{base}",
         "--mavsdk", f"127.0.0.1:{base + 1}", "--tcp-port", str(base + 2), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        conn = mavutil.mavlink_connection(f"udpin:127.0.0.1:{base}", source_system=255,
                                          dialect="ardupilotmega")  # fmt: skip
        assert conn.wait_heartbeat(timeout=150) is not None, proc.stderr.read()[-2000:]
        yield conn, proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def heartbeat(conn) -> None:
    """One GCS heartbeat (the vehicle's link-loss failsafe listens for them)."""
    conn.mav.heartbeat_send(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0)


def recv(conn, types, timeout=10.0, cond=None):
    """The next message of ``types`` meeting ``cond``, sending GCS heartbeats meanwhile."""
    end = time.time() + timeout
    while time.time() < end:
        heartbeat(conn)
        m = conn.recv_match(type=types, blocking=True, timeout=0.5)
        if m is not None and (cond is None or cond(m)):
            return m
    return None


def command(conn, cmd, *params):
    """COMMAND_LONG ``cmd`` to system 1 and its COMMAND_ACK (None if none came)."""
    p = list(params) + [0.0] * (7 - len(params))
    conn.mav.command_long_send(1, 1, cmd, 0, *p)
    return recv(conn, "COMMAND_ACK", cond=lambda m: m.command == cmd)


def arm_refusal(conn, timeout_s: float = 20.0):
    """Ask system 1 to arm; (its COMMAND_ACK, the first PreArm STATUSTEXT's text), either
    None if it did not come within ``timeout_s``."""
    conn.mav.command_long_send(1, 1, M.MAV_CMD_COMPONENT_ARM_DISARM, 0, 1, 0, 0, 0, 0, 0, 0)
    ack, text = None, None
    end = time.time() + timeout_s
    while time.time() < end and (ack is None or text is None):
        m = recv(conn, ["COMMAND_ACK", "STATUSTEXT"], 0.5)
        if m is None:
            continue
        if m.get_type() == "COMMAND_ACK" and m.command == M.MAV_CMD_COMPONENT_ARM_DISARM:
            ack = m
        elif m.get_type() == "STATUSTEXT" and m.text.startswith("PreArm") and text is None:
            text = m.text
    return ack, text
