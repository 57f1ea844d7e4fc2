"""Fly again in one SITL session (issue 14, item 3): after a landing the vehicle re-arms and
flies the mission a second time from where it stands (ArduPlane sets home on arming), as a
pymavlink GCS sees it."""

from __future__ import annotations

import time
from pathlib import Path

from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, heartbeat, port_base, sitl_gcs

PLAN = str(Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan")


def _until_ended(conn, timeout_s: float) -> str | None:
    end = time.time() + timeout_s
    while time.time() < end:
        heartbeat(conn)
        m = conn.recv_match(type="STATUSTEXT", blocking=True, timeout=0.5)
        if m is not None and m.text.startswith("flight ended"):
            return m.text
    return None


def test_land_rearm_and_fly_again(tmp_path):
    with sitl_gcs(tmp_path / "sitl", port_base(33500), "--mission", PLAN, "--speedup", "50",
                  "--duration-s", "6000") as (conn, _):  # fmt: skip
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        for flight in (1, 2):
            ack = command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
            assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED, flight
            text = _until_ended(conn, 240)
            assert text is not None and text.startswith("flight ended: landed"), (flight, text)
