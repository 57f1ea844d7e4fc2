"""MAV_CMD_DO_GO_AROUND from a real pymavlink GCS: refused before the approach, accepted on
final; the aircraft climbs away, flies the landing again and lands (as ArduPlane)."""

from __future__ import annotations

import time
from pathlib import Path

from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, port_base, recv, sitl_gcs

from longwing.mission import load_mission

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_go_around_commanded_by_a_gcs(tmp_path):
    mission = load_mission(EXAMPLES / "short_survey.plan")
    nav = [k + 1 for k, it in enumerate(mission.items) if it.is_nav]
    plan = str(EXAMPLES / "short_survey.plan")
    with sitl_gcs(tmp_path / "sitl", port_base(25550), "--speedup", "50", "--mission", plan,
                  "--duration-s", "3000") as (conn, _):  # fmt: skip
        assert command(conn, M.MAV_CMD_DO_GO_AROUND).result == M.MAV_RESULT_DENIED  # on ground
        assert command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
        ack = command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10)
        assert ack.result == M.MAV_RESULT_ACCEPTED
        # in the survey: no approach to abandon
        assert recv(conn, "MISSION_ITEM_REACHED", 60, lambda m: m.seq == nav[1]) is not None
        assert command(conn, M.MAV_CMD_DO_GO_AROUND).result == M.MAV_RESULT_FAILED
        # the approach waypoint reached: on final
        assert recv(conn, "MISSION_ITEM_REACHED", 120, lambda m: m.seq == nav[-2]) is not None
        ack = command(conn, M.MAV_CMD_DO_GO_AROUND, 60.0)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED
        texts: list[str] = []
        end = time.time() + 120
        while time.time() < end and not any("flight ended" in t for t in texts):
            m = recv(conn, "STATUSTEXT", 5)
            if m is not None:
                texts.append(m.text)
        assert any(t.startswith("go around") for t in texts), texts
        assert any("flight ended: landed" in t for t in texts), texts
