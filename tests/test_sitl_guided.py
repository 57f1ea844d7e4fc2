"""GUIDED and the GCS commands as ArduPlane answers them (issue 14, items 2 and 8), seen by a
pymavlink ground station: DO_REPOSITION in the frame it names (relative to home, not AMSL),
NaN meaning "unchanged", its loiter radius and direction; DO_CHANGE_ALTITUDE; DO_ORBIT;
SET_POSITION_TARGET_GLOBAL_INT; DO_PAUSE_CONTINUE; DO_LAND_START; outputs (DO_SET_SERVO,
DO_SET_RELAY); flight termination (refused unless AFS_ENABLE); and the pilot modes from
RC_CHANNELS_OVERRIDE with the RC failsafe. Positions and distances are checked with
geographiclib from GLOBAL_POSITION_INT, the message a GCS draws the aircraft from."""

from __future__ import annotations

import math
import time
from pathlib import Path

from geographiclib.geodesic import Geodesic
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, heartbeat, port_base, recv, sitl_gcs

PLAN = str(Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan")
HOME_ALT_M = 60.0
GEOD = Geodesic.WGS84
NAN = math.nan


def _positions(conn, seconds: float, cond=None):
    """GLOBAL_POSITION_INT samples for ``seconds`` of wall time (until ``cond`` if given)."""
    out = []
    end = time.time() + seconds
    while time.time() < end:
        heartbeat(conn)
        m = conn.recv_match(type="GLOBAL_POSITION_INT", blocking=True, timeout=0.5)
        if m is None:
            continue
        out.append(m)
        if cond is not None and cond(m):
            break
    return out


def _dist(m, lat: float, lon: float) -> float:
    return GEOD.Inverse(m.lat / 1e7, m.lon / 1e7, lat, lon)["s12"]


def _mode(conn) -> int:
    hb = recv(conn, "HEARTBEAT", cond=lambda m: m.get_srcSystem() == 1)
    return hb.custom_mode


def _airborne(conn) -> None:
    assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                   10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
    assert command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
    got = _positions(conn, 60, lambda m: m.relative_alt > 100_000)
    assert got and got[-1].relative_alt > 100_000, "never climbed out"


def _command_int(conn, cmd, frame, p1, p2, p3, p4, lat, lon, z):
    conn.mav.command_int_send(1, 1, frame, cmd, 0, 0, p1, p2, p3, p4, int(lat * 1e7),
                              int(lon * 1e7), z)  # fmt: skip
    return recv(conn, "COMMAND_ACK", cond=lambda m: m.command == cmd)


def test_reposition_frames_nan_radius_and_altitude_changes(tmp_path):
    with sitl_gcs(tmp_path / "s", port_base(35000), "--mission", PLAN, "--speedup", "25",
                  "--duration-s", "5000") as (conn, _):  # fmt: skip
        _airborne(conn)
        # 140 m above home (frame 6), 250 m clockwise (param4 NaN: MAVSDK's "keep yaw")
        lat, lon = 47.615, -52.94
        ack = _command_int(
            conn,
            M.MAV_CMD_DO_REPOSITION,
            M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
            -1,
            M.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE,
            250,
            NAN,
            lat,
            lon,
            140,
        )
        assert ack.result == M.MAV_RESULT_ACCEPTED
        assert _mode(conn) == 15
        _positions(conn, 30, lambda m: _dist(m, lat, lon) < 150)  # over the point
        _positions(conn, 5)  # out onto the circle
        circle = _positions(conn, 8)  # 200 s of sim time on the circle
        d = [_dist(m, lat, lon) for m in circle]
        rel = [m.relative_alt / 1000 for m in circle]
        assert abs(sum(d) / len(d) - 250) < 30 and max(abs(x - 250) for x in d) < 60, d
        assert all(abs(r - 140) < 8 for r in rel[len(rel) // 2 :]), rel  # not 140 m AMSL
        brg = [GEOD.Inverse(lat, lon, m.lat / 1e7, m.lon / 1e7)["azi1"] for m in circle]
        turn = sum((b2 - b1 + 180) % 360 - 180 for b1, b2 in zip(brg, brg[1:], strict=False))
        assert turn > 180  # clockwise: the bearing from the centre grows
        # DO_CHANGE_ALTITUDE (COMMAND_LONG, param2 the frame): 110 m above home
        ack = command(conn, M.MAV_CMD_DO_CHANGE_ALTITUDE, 110,
                      M.MAV_FRAME_GLOBAL_RELATIVE_ALT)  # fmt: skip
        assert ack.result == M.MAV_RESULT_ACCEPTED
        got = _positions(conn, 10)
        assert abs(got[-1].relative_alt / 1000 - 110) < 8
        # 43001 in AMSL (frame 0): 180 m AMSL = 120 m above home
        ack = _command_int(conn, M.MAV_CMD_GUIDED_CHANGE_ALTITUDE, M.MAV_FRAME_GLOBAL,
                           0, 0, 0, 0, 0, 0, 180)  # fmt: skip
        assert ack.result == M.MAV_RESULT_ACCEPTED
        got = _positions(conn, 10)
        assert abs(got[-1].relative_alt / 1000 - 120) < 8
        # DO_ORBIT: 300 m counter-clockwise about a new centre, altitude NaN: unchanged
        clat, clon = 47.622, -52.945
        ack = _command_int(conn, M.MAV_CMD_DO_ORBIT, M.MAV_FRAME_GLOBAL_INT, -300, NAN, 0, 0,
                           clat, clon, NAN)  # fmt: skip
        assert ack.result == M.MAV_RESULT_ACCEPTED
        _positions(conn, 30, lambda m: abs(_dist(m, clat, clon) - 300) < 40)
        _positions(conn, 3)
        circle = _positions(conn, 8)
        d = [_dist(m, clat, clon) for m in circle]
        assert abs(sum(d) / len(d) - 300) < 30, d
        brg = [GEOD.Inverse(clat, clon, m.lat / 1e7, m.lon / 1e7)["azi1"] for m in circle]
        turn = sum((b2 - b1 + 180) % 360 - 180 for b1, b2 in zip(brg, brg[1:], strict=False))
        assert turn < -180  # counter-clockwise
        assert all(abs(m.relative_alt / 1000 - 120) < 8 for m in circle)
        # SET_POSITION_TARGET_GLOBAL_INT (GUIDED): a point 100 m above home, frame 6
        plat, plon = 47.612, -52.95
        mask = 0b0000111111111000  # position only
        conn.mav.set_position_target_global_int_send(
            0, 1, 1, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT, mask, int(plat * 1e7),
            int(plon * 1e7), 100, 0, 0, 0, 0, 0, 0, 0, 0)  # fmt: skip
        got = _positions(conn, 30, lambda m: _dist(m, plat, plon) < 300)
        assert _dist(got[-1], plat, plon) < 300
        got = _positions(conn, 6)
        assert abs(got[-1].relative_alt / 1000 - 100) < 10
        # a DO_REPOSITION with no CHANGE_MODE flag outside GUIDED: FAILED (ArduPlane)
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       12).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        ack = _command_int(conn, M.MAV_CMD_DO_REPOSITION, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                           -1, 0, 0, 0, lat, lon, 140)  # fmt: skip
        assert ack.result == M.MAV_RESULT_FAILED
        # a terrain frame with no terrain known: DENIED
        ack = _command_int(conn, M.MAV_CMD_DO_REPOSITION, M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT,
                           -1, 1, 0, 0, lat, lon, 140)  # fmt: skip
        assert ack.result == M.MAV_RESULT_DENIED


def test_pause_continue_land_start_outputs_and_termination(tmp_path):
    with sitl_gcs(tmp_path / "s", port_base(35500), "--mission", PLAN, "--speedup", "25",
                  "--duration-s", "6000") as (conn, _):  # fmt: skip
        # outputs before flight: SERVO5 free, SERVO1 (aileron) refused; a relay
        assert command(conn, M.MAV_CMD_DO_SET_SERVO, 5, 1800).result == M.MAV_RESULT_ACCEPTED
        assert command(conn, M.MAV_CMD_DO_SET_SERVO, 1, 1800).result == M.MAV_RESULT_FAILED
        assert command(conn, M.MAV_CMD_DO_SET_RELAY, 0, 1).result == M.MAV_RESULT_ACCEPTED
        # termination refused: AFS_ENABLE is 0
        assert command(conn, M.MAV_CMD_DO_FLIGHTTERMINATION, 1).result == M.MAV_RESULT_FAILED
        _airborne(conn)
        # pause in AUTO: the mode stays AUTO, the aircraft circles where it was
        mc = recv(conn, "MISSION_CURRENT")
        assert command(conn, M.MAV_CMD_DO_PAUSE_CONTINUE, 0).result == M.MAV_RESULT_ACCEPTED
        here = _positions(conn, 2)[-1]
        held = _positions(conn, 8)
        assert _mode(conn) == 10
        far = max(_dist(m, here.lat / 1e7, here.lon / 1e7) for m in held)
        assert far < 500, far  # within a loiter circle's diameter (WP_LOITER_RAD 200 m)
        assert recv(conn, "MISSION_CURRENT").seq == mc.seq
        assert command(conn, M.MAV_CMD_DO_PAUSE_CONTINUE, 1).result == M.MAV_RESULT_ACCEPTED
        # DO_LAND_START: straight to the landing sequence (DO_LAND_START is item 17)
        assert command(conn, M.MAV_CMD_DO_LAND_START).result == M.MAV_RESULT_ACCEPTED
        m = recv(conn, "MISSION_CURRENT", cond=lambda m: m.seq >= 17, timeout=20)
        assert m is not None
        end = time.time() + 120
        text = None
        while time.time() < end and text is None:
            st = recv(conn, "STATUSTEXT", timeout=2)
            if st is not None and st.text.startswith("flight ended"):
                text = st.text
        assert text is not None and text.startswith("flight ended: landed"), text


def test_fbwa_from_rc_override_and_the_rc_failsafe(tmp_path):
    with sitl_gcs(tmp_path / "s", port_base(36000), "--mission", PLAN, "--speedup", "20",
                  "--duration-s", "6000") as (conn, _):  # fmt: skip
        _airborne(conn)
        # FBWA with roll stick at 1700 (RC1 1100..1900, trim 1500): bank 0.5 x ROLL_LIMIT (45);
        # a little back stick (pitch 0 deg loses height at this speed), half throttle
        rc = [1700, 1530, 1500, 1500] + [0] * 4

        def override() -> None:
            conn.mav.rc_channels_override_send(1, 1, *rc)

        override()
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       5).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        rolls = []
        end = time.time() + 4
        while time.time() < end:
            override()
            heartbeat(conn)
            m = conn.recv_match(type="ATTITUDE", blocking=True, timeout=0.2)
            if m is not None:
                rolls.append(math.degrees(m.roll))
        assert abs(sum(rolls[-10:]) / 10 - 22.5) < 2.0, rolls
        hb = recv(conn, "HEARTBEAT", cond=lambda m: m.get_srcSystem() == 1)
        assert hb.custom_mode == 5 and hb.base_mode & M.MAV_MODE_FLAG_STABILIZE_ENABLED
        # the sticks stop: RC_OVERRIDE_TIME (3 s wall) later they are gone; CIRCLE after
        # FS_SHORT_TIMEOUT, then RTL after FS_LONG_TIMEOUT (sim time)
        texts, modes = [], []
        end = time.time() + 15
        while time.time() < end and 11 not in modes:
            m = recv(conn, ["STATUSTEXT", "HEARTBEAT"], timeout=1)
            if m is None:
                continue
            if m.get_type() == "STATUSTEXT":
                texts.append(m.text)
            elif m.get_srcSystem() == 1:
                modes.append(m.custom_mode)
        assert any(t.startswith("Failsafe. Short event on") for t in texts), (texts, modes)
        assert any(t.startswith("Failsafe. Long event on") for t in texts), texts
        assert 1 in modes and modes[-1] == 11, modes  # CIRCLE, then RTL


def test_camera_commands_and_flight_termination(tmp_path):
    """DO_DIGICAM_CONTROL (shoot) and IMAGE_START_CAPTURE give one CAMERA_FEEDBACK per photo;
    DO_FLIGHTTERMINATION with AFS_ENABLE 1: the engine stops (throttle output at its minimum)
    and the flight ends where the ground decides, never in a mode change."""
    with sitl_gcs(tmp_path / "s", port_base(36000) + 10, "--mission", PLAN, "--speedup",
                  "10", "--duration-s", "6000") as (conn, _):  # fmt: skip
        _airborne(conn)
        conn.mav.command_long_send(1, 1, M.MAV_CMD_DO_DIGICAM_CONTROL, 0, 0, 0, 0, 0, 1, 0, 0)
        fb = recv(conn, "CAMERA_FEEDBACK", timeout=10)
        assert fb is not None
        first = fb.img_idx
        # (its position and attitude against GLOBAL_POSITION_INT: test_sitl_telemetry.py)
        ack = command(conn, M.MAV_CMD_IMAGE_START_CAPTURE, 0, 2, 3)  # 3 photos, 2 s apart
        assert ack.result == M.MAV_RESULT_ACCEPTED
        idx = [recv(conn, "CAMERA_FEEDBACK", timeout=10).img_idx for _ in range(3)]
        assert idx == [first + 1, first + 2, first + 3]
        conn.mav.param_set_send(1, 1, b"AFS_ENABLE", 1, M.MAV_PARAM_TYPE_INT8)
        assert recv(conn, "PARAM_VALUE", cond=lambda m: m.param_id == "AFS_ENABLE").param_value == 1
        ack = command(conn, M.MAV_CMD_DO_FLIGHTTERMINATION, 1)
        assert ack.result == M.MAV_RESULT_ACCEPTED
        servo = recv(conn, "SERVO_OUTPUT_RAW", timeout=5, cond=lambda m: m.servo3_raw <= 1100)
        assert servo is not None  # SERVO3 (throttle) at SERVO3_MIN
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_FAILED  # fmt: skip
        end = recv(conn, "STATUSTEXT", timeout=60, cond=lambda m: m.text.startswith("flight ended"))
        assert end is not None and not end.text.startswith("flight ended: airborne")
