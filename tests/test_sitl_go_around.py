"""MAV_CMD_DO_GO_AROUND from a real pymavlink GCS: refused before the approach, accepted on
final; the aircraft climbs away, flies the landing again and lands (as ArduPlane)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as M

from longwing.mission import load_mission

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _port_base() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    k = int(worker.replace("gw", "") or 0) if worker.startswith("gw") else 0
    return 25550 + 100 * k  # apart from test_sitl.py's ports


def _recv(conn, types, timeout=10.0, cond=None):
    end = time.time() + timeout
    while time.time() < end:
        conn.mav.heartbeat_send(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0)
        m = conn.recv_match(type=types, blocking=True, timeout=0.5)
        if m is not None and (cond is None or cond(m)):
            return m
    return None


def _command(conn, cmd, *params):
    p = list(params) + [0.0] * (7 - len(params))
    conn.mav.command_long_send(1, 1, cmd, 0, *p)
    return _recv(conn, "COMMAND_ACK", cond=lambda m: m.command == cmd)


def test_go_around_commanded_by_a_gcs(tmp_path):
    base = _port_base()
    mission = load_mission(EXAMPLES / "short_survey.plan")
    nav = [k + 1 for k, it in enumerate(mission.items) if it.is_nav]
    proc = subprocess.Popen(
        [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", "50",
         "--mission", str(EXAMPLES / "short_survey.plan"), "--gcs", f"127.0.0.1:{base}",
         "--mavsdk", f"127.0.0.1:{base + 1}", "--tcp-port", str(base + 2),
         "--out", str(tmp_path / "sitl"), "--duration-s", "3000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        conn = mavutil.mavlink_connection(f"udpin:127.0.0.1:{base}", source_system=255,
                                          dialect="ardupilotmega")  # fmt: skip
        assert conn.wait_heartbeat(timeout=60) is not None, proc.stderr.read()[-2000:]
        assert _command(conn, M.MAV_CMD_DO_GO_AROUND).result == M.MAV_RESULT_DENIED  # on ground
        assert _command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
        ack = _command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10)
        assert ack.result == M.MAV_RESULT_ACCEPTED
        # in the survey: no approach to abandon
        assert _recv(conn, "MISSION_ITEM_REACHED", 60, lambda m: m.seq == nav[1]) is not None
        assert _command(conn, M.MAV_CMD_DO_GO_AROUND).result == M.MAV_RESULT_FAILED
        # the approach waypoint reached: on final
        assert _recv(conn, "MISSION_ITEM_REACHED", 120, lambda m: m.seq == nav[-2]) is not None
        ack = _command(conn, M.MAV_CMD_DO_GO_AROUND, 60.0)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED
        texts: list[str] = []
        end = time.time() + 120
        while time.time() < end and not any("flight ended" in t for t in texts):
            m = _recv(conn, "STATUSTEXT", 5)
            if m is not None:
                texts.append(m.text)
        assert any(t.startswith("go around") for t in texts), texts
        assert any("flight ended: landed" in t for t in texts), texts
    finally:
        proc.kill()
        proc.wait(timeout=10)
