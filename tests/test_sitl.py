"""`longwing sitl` with a real MAVLink client (pymavlink, as MAVProxy/QGroundControl talk):
identify as ArduPlane, parameters, mission + fence + rally upload and download, arm, AUTO,
every MISSION_ITEM_REACHED, landing, a tlog; and the errors of the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command as _command
from sitl_gcs import heartbeat as _gcs_heartbeat
from sitl_gcs import recv as _recv

from longwing.mavlink.mission_codec import fence_to_mavlink_items, rally_to_mavlink_items
from longwing.mission import load_mission

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
os.environ.setdefault("MAVLINK20", "1")


def _free_port_base(worker: str) -> int:
    # distinct ports per xdist worker
    k = int(worker.replace("gw", "") or 0) if worker.startswith("gw") else 0
    return 24550 + 100 * k


@pytest.fixture(scope="module")
def sitl(tmp_path_factory):
    base = _free_port_base(os.environ.get("PYTEST_XDIST_WORKER", "gw0"))
    out = tmp_path_factory.mktemp("sitl")
    proc = subprocess.Popen(
        [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", "100",
         "--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
         "--tcp-port", str(base + 2), "--out", str(out), "--duration-s", "3000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    conn = mavutil.mavlink_connection(f"udpin:127.0.0.1:{base}", source_system=255,
                                      dialect="ardupilotmega")  # fmt: skip
    hb = conn.wait_heartbeat(timeout=150)
    if hb is None:
        proc.kill()
        pytest.fail("no heartbeat from longwing sitl: " + proc.stderr.read()[-2000:])
    yield conn, proc, out
    proc.kill()
    proc.wait(timeout=10)


def _upload(conn, items, mission_type=M.MAV_MISSION_TYPE_MISSION):
    conn.mav.mission_count_send(1, 1, len(items), mission_type)
    while True:
        m = _recv(conn, ["MISSION_REQUEST_INT", "MISSION_REQUEST", "MISSION_ACK"], timeout=15)
        assert m is not None, "upload stalled"
        if m.get_type() == "MISSION_ACK":
            return m.type
        it = items[m.seq]
        conn.mav.mission_item_int_send(1, 1, m.seq, it.frame, it.command, 0,
                                       it.autocontinue, it.param1, it.param2, it.param3,
                                       it.param4, _xy(it.x, it.frame), _xy(it.y, it.frame),
                                       it.z, mission_type)  # fmt: skip


GLOBAL_FRAMES = {M.MAV_FRAME_GLOBAL, M.MAV_FRAME_GLOBAL_RELATIVE_ALT, M.MAV_FRAME_GLOBAL_INT,
                 M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, M.MAV_FRAME_GLOBAL_TERRAIN_ALT,
                 M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT}  # fmt: skip


def _xy(v: float, frame: int) -> int:
    """MISSION_ITEM_INT x/y: degrees x 1e7 in global frames, the value itself otherwise."""
    return int(round(v * 1e7)) if frame in GLOBAL_FRAMES else int(v)


def _download(conn, mission_type=M.MAV_MISSION_TYPE_MISSION):
    conn.mav.mission_request_list_send(1, 1, mission_type)
    cnt = _recv(conn, "MISSION_COUNT")
    out = []
    for seq in range(cnt.count):
        conn.mav.mission_request_int_send(1, 1, seq, mission_type)
        m = _recv(conn, "MISSION_ITEM_INT", cond=lambda m, seq=seq: m.seq == seq)
        out.append(m)
    conn.mav.mission_ack_send(1, 1, M.MAV_MISSION_ACCEPTED, mission_type)
    return out


def test_identifies_as_arduplane(sitl):
    conn, _, _ = sitl
    hb = _recv(conn, "HEARTBEAT", cond=lambda m: m.get_srcSystem() == 1)
    assert hb.type == M.MAV_TYPE_FIXED_WING
    assert hb.autopilot == M.MAV_AUTOPILOT_ARDUPILOTMEGA
    assert hb.base_mode & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    assert hb.get_srcComponent() == 1
    ack = _command(conn, M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    ver = _recv(conn, "AUTOPILOT_VERSION")
    for cap in (M.MAV_PROTOCOL_CAPABILITY_MISSION_INT, M.MAV_PROTOCOL_CAPABILITY_COMMAND_INT,
                M.MAV_PROTOCOL_CAPABILITY_MAVLINK2, M.MAV_PROTOCOL_CAPABILITY_MISSION_FENCE,
                M.MAV_PROTOCOL_CAPABILITY_MISSION_RALLY,
                M.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST):  # fmt: skip
        assert ver.capabilities & cap
    for name in ("SYS_STATUS", "GPS_RAW_INT", "ATTITUDE", "GLOBAL_POSITION_INT", "VFR_HUD",
                 "BATTERY_STATUS", "EXTENDED_SYS_STATE", "MISSION_CURRENT"):  # fmt: skip
        assert _recv(conn, name) is not None, name
    assert _command(conn, 31999).result == M.MAV_RESULT_UNSUPPORTED  # not a command


def test_parameters_list_and_set(sitl):
    conn, _, _ = sitl
    conn.mav.param_request_list_send(1, 1)
    first = _recv(conn, "PARAM_VALUE")
    assert first.param_count > 60  # autopilot gains, failsafe and mission settings
    got = {first.param_index: first.param_id}
    while len(got) < first.param_count:
        m = _recv(conn, "PARAM_VALUE", timeout=10)
        assert m is not None, f"{len(got)} of {first.param_count} parameters"
        got[m.param_index] = m.param_id
    assert sorted(got) == list(range(first.param_count))
    assert {"NAVL1_PERIOD", "TECS_TIME_CONST", "FS_LONG_ACTN", "RTL_ALTITUDE"} <= set(got.values())
    conn.mav.param_set_send(1, 1, b"NAVL1_PERIOD", 18.0, M.MAV_PARAM_TYPE_REAL32)
    m = _recv(conn, "PARAM_VALUE", cond=lambda m: m.param_id == "NAVL1_PERIOD")
    assert m.param_value == pytest.approx(18.0)
    conn.mav.param_set_send(1, 1, b"NAVL1_PERIOD", 1e6, M.MAV_PARAM_TYPE_REAL32)
    m = _recv(conn, "PARAM_VALUE", cond=lambda m: m.param_id == "NAVL1_PERIOD")
    assert m.param_value == pytest.approx(18.0)  # refused: the value in force


def test_mission_fly_and_land(sitl):
    """Upload examples/short_survey.plan (mission, fence, rally), download it back identical,
    arm, AUTO: every MISSION_ITEM_REACHED, then the landing; the tlog is readable."""
    conn, _, out = sitl
    mission = load_mission(EXAMPLES / "short_survey.plan")
    items = mission.to_mavlink_items()
    assert _upload(conn, items) == M.MAV_MISSION_ACCEPTED
    back = _download(conn)
    assert [(m.command, m.frame, m.x, m.y) for m in back] == [
        (it.command, it.frame, _xy(it.x, it.frame), _xy(it.y, it.frame)) for it in items
    ]
    assert all(abs(m.z - it.z) < 1e-3 for m, it in zip(back, items, strict=True))
    # the fence and the rally points travel too, and come back as sent
    for kind, these in (
        (M.MAV_MISSION_TYPE_FENCE, fence_to_mavlink_items(mission.fence)),
        (M.MAV_MISSION_TYPE_RALLY, rally_to_mavlink_items(mission.rally)),
    ):
        assert these and _upload(conn, these, kind) == M.MAV_MISSION_ACCEPTED
        got = _download(conn, kind)
        assert [(m.command, m.x, m.y) for m in got] == [
            (it.command, _xy(it.x, it.frame), _xy(it.y, it.frame)) for it in these
        ]
    ack = _command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    ack = _command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    reached: list[int] = []
    landed = False
    end = time.time() + 120
    while time.time() < end and not landed:
        m = _recv(conn, ["MISSION_ITEM_REACHED", "STATUSTEXT"], timeout=5)
        if m is None:
            continue
        if m.get_type() == "MISSION_ITEM_REACHED":
            reached.append(m.seq)
        elif "flight ended" in m.text:
            landed = "landed" in m.text
    assert landed
    nav = [k + 1 for k, it in enumerate(mission.items) if it.is_nav]
    assert set(reached) >= set(nav) - {nav[-1]} or len(reached) >= len(nav) - 2
    # the tlog
    (tlog,) = (out / "instance0").glob("session-*.tlog")  # this session's, the only one
    log = mavutil.mavlink_connection(str(tlog))
    n = 0
    while log.recv_match(type="HEARTBEAT") is not None:
        n += 1
    assert n > 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speedup", "0"], "--speedup"),
        (["--home", "95,0,0"], "--home"),
        (["--gcs", "nohost"], "--gcs"),
        (["--instances", "0"], "--instances"),
        (["--mission", "none.plan"], "none.plan"),
    ],
)
def test_sitl_bad_input_exit_2(args, message, tmp_path):
    r = subprocess.run([sys.executable, "-m", "longwing.cli", "sitl", *args, "--out",
                        str(tmp_path), "--duration-s", "1"], capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_two_instances_and_link_loss_failsafe(tmp_path):
    """--instances 2: sysid 2 answers on the UDP ports + 20; a preloaded mission; armed in AUTO,
    the GCS then goes silent: the link is declared lost, the long link-loss failsafe sends
    the aircraft home (STATUSTEXT), as FS_LONG_ACTN 1 says."""
    base = _free_port_base(os.environ.get("PYTEST_XDIST_WORKER", "gw0")) + 50
    proc = subprocess.Popen(
        [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", "20", "--instances", "2",
         "--mission", str(EXAMPLES / "short_survey.plan"),
         "--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
         "--tcp-port", str(base + 2), "--out", str(tmp_path), "--duration-s", "2000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        conn = mavutil.mavlink_connection(f"udpin:127.0.0.1:{base + 20}", source_system=255)
        hb = conn.wait_heartbeat(timeout=150)
        assert hb is not None and hb.get_srcSystem() == 2
        conn.target_system = 2
        conn.mav.command_long_send(2, 1, M.MAV_CMD_COMPONENT_ARM_DISARM, 0, 1, 0, 0, 0, 0, 0, 0)
        _gcs_heartbeat(conn)
        conn.mav.command_long_send(
            2, 1, M.MAV_CMD_DO_SET_MODE, 0, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10, 0, 0, 0, 0, 0
        )
        texts = []
        end = time.time() + 60
        while time.time() < end:  # no more GCS heartbeats from here on
            m = conn.recv_match(type="STATUSTEXT", blocking=True, timeout=1.0)
            if m is not None:
                texts.append(m.text)
                if "link_loss: RTL" in m.text:
                    break
        assert any("link_loss: RTL" in t for t in texts), texts
        assert (tmp_path / "instance1" / "params.parm").exists()
    finally:
        proc.kill()
        proc.wait(timeout=10)
