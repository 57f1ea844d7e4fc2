"""ArduPlane's telemetry from the SITL vehicle (issue 14, item 7), decoded by pymavlink as a
ground station would: each new message with values checked against references computed here
(an ISA table, the mission's own items, GLOBAL_POSITION_INT and SYSTEM_TIME), the fence as
FENCE_STATUS, SYS_STATUS and MAVProxy's fence module read it, DO_FENCE_ENABLE, TIMESYNC,
PING, AUTOPILOT_VERSION_REQUEST, the banner and "Reached waypoint" wording. The vehicle runs
in this process (its frames captured, so the checks can run at any sim time) and, for the
stream rates over a real UDP link, as a `longwing sitl` process."""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
import time
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, port_base, recv, sitl_gcs

from longwing.airframe.loader import load_airframe
from longwing.mavlink.link import Endpoint, Links
from longwing.mavlink.vehicle import SLICE_S, SitlVehicle
from longwing.mission import load_mission
from longwing.mission.fence import Fence

PLAN = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"
AF = load_airframe("aerosonde")
GEOFENCE = M.MAV_SYS_STATUS_GEOFENCE
# QGroundControl's test of the banner's firmware line (APMFirmwarePlugin's pattern)
FIRMWARE_LINE = re.compile(r"^(ArduPlane|APM:Plane)\s+V(\d+)\.(\d+)\.(\d+)")
REACHED = re.compile(r"^Reached waypoint #(\d+) dist (\d+)m$")


class CaptureLink:
    """One link of the vehicle's that keeps the frames sent on it."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.ep = Endpoint("capture", write=self.frames.append)

    def send(self, frame: bytes) -> None:
        self.frames.append(frame)

    def read(self) -> list:
        return []

    def close(self) -> None:
        pass


class Gcs:
    """A pymavlink ground station (system 255) on a captured in-process vehicle."""

    def __init__(self, v: SitlVehicle, link: CaptureLink) -> None:
        self.v, self.link = v, link
        self.rx = M.MAVLink(None, 1, 1)  # decodes the vehicle's frames
        self.rx.robust_parsing = True
        self.tx = M.MAVLink(None, 255, 190)  # encodes ours
        link.ep.seen.add((255, 190))

    def drain(self) -> list:
        out = []
        for fr in self.link.frames:
            out += [m for m in self.rx.parse_buffer(fr) or [] if m.get_type() != "BAD_DATA"]
        self.link.frames.clear()
        return out

    def send(self, msg) -> None:
        for m in self.link.ep.parser.parse_buffer(msg.pack(self.tx)) or []:
            self.v.handle(m, self.link.ep)

    def ask(self, *names: str) -> dict:
        """The named messages as the vehicle would send them now."""
        self.drain()
        for n in names:
            self.v.send_message(n)
        return {m.get_type(): m for m in self.drain()}

    def command(self, cmd: int, *params: float):
        p = list(params) + [0.0] * (7 - len(params))
        self.send(self.tx.command_long_encode(1, 1, cmd, 0, *p))
        acks = [m for m in self.drain() if m.get_type() == "COMMAND_ACK" and m.command == cmd]
        return acks[-1] if acks else None


def _vehicle(mission) -> tuple[SitlVehicle, Gcs]:
    link = CaptureLink()
    v = SitlVehicle(AF, mission.home, Links([link]), mission=mission)
    return v, Gcs(v, link)


def _isa(h_m: float) -> tuple[float, float, float]:
    """(T K, p Pa, rho kg/m^3) of the ISA troposphere at geopotential height ``h_m``
    (U.S. Standard Atmosphere 1976 constants; geometric and geopotential heights differ by
    millimetres at these altitudes)."""
    t = 288.15 - 0.0065 * h_m
    p = 101325.0 * (t / 288.15) ** (9.80665 / (0.0065 * 287.05287))
    return t, p, p / (287.05287 * t)


@pytest.fixture(scope="module")
def survey():
    """The short survey flown for 240 s of sim time in AUTO; every 0.2 s the messages a GCS
    streams, everything else the vehicle sent kept as it came."""
    mission = load_mission(PLAN)
    v, gcs = _vehicle(mission)
    v.step()
    before = gcs.ask("SERVO_OUTPUT_RAW", "RC_CHANNELS", "SYS_STATUS", "EKF_STATUS_REPORT",
                     "POSITION_TARGET_GLOBAL_INT", "RAW_IMU")  # fmt: skip
    assert gcs.command(M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
    assert gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
    samples, stream = [], []
    names = ("GLOBAL_POSITION_INT", "ATTITUDE", "VFR_HUD", "SERVO_OUTPUT_RAW",
             "SCALED_PRESSURE", "RAW_IMU", "SCALED_IMU", "SYSTEM_TIME", "EKF_STATUS_REPORT",
             "AHRS", "POSITION_TARGET_GLOBAL_INT", "MISSION_CURRENT", "SYS_STATUS")  # fmt: skip
    for k in range(round(240.0 / SLICE_S)):
        v.step()
        stream += gcs.drain()
        if k % 10 == 0:
            samples.append(gcs.ask(*names))
    n_trig = len(v.flight.result().triggers)
    return {"v": v, "mission": mission, "before": before, "samples": samples,
            "stream": stream, "n_trig": n_trig}  # fmt: skip


def _in_flight(survey, *names):
    return [s for s in survey["samples"] if all(n in s for n in names)]


def test_scaled_pressure_is_isa_at_the_altitude(survey):
    checked = 0
    for s in _in_flight(survey, "SCALED_PRESSURE", "GLOBAL_POSITION_INT", "VFR_HUD"):
        h = s["GLOBAL_POSITION_INT"].alt / 1000.0  # the estimate; the pressure is the truth's
        t_k, p_pa, rho = _isa(h)
        sp = s["SCALED_PRESSURE"]
        # 1 m of altitude is 0.12 hPa here: the EKF's height error is a few metres at most
        assert abs(sp.press_abs - p_pa / 100.0) < 0.5, (sp, h)
        assert abs(sp.temperature / 100.0 - (t_k - 273.15)) < 0.05, (sp, h)
        tas = s["VFR_HUD"].airspeed
        assert sp.press_diff == pytest.approx(0.5 * rho * tas * tas / 100.0, rel=1e-3, abs=1e-3)
        checked += 1
    assert checked > 1000
    assert max(s["SCALED_PRESSURE"].press_diff for s in survey["samples"]) > 2.0  # flying


def test_servo_outputs_follow_the_actuators(survey):
    before = survey["before"]["SERVO_OUTPUT_RAW"]
    assert (before.servo1_raw, before.servo2_raw, before.servo3_raw, before.servo4_raw) == (
        1500,
        1500,
        1100,
        1500,
    )  # surfaces at trim, throttle off, before the launch
    thr = [(s["SERVO_OUTPUT_RAW"].servo3_raw, s["VFR_HUD"].throttle) for s in survey["samples"]]
    for pwm, pct in thr:  # SERVO3 (throttle): 1100..1900 as VFR_HUD's percentage
        assert abs(pwm - (1100 + 8 * pct)) <= 8, (pwm, pct)
    assert max(p for p, _ in thr[:100]) >= 1850  # the take-off at full throttle
    assert 1200 < thr[-1][0] < 1700  # cruise
    for s in survey["samples"]:
        so = s["SERVO_OUTPUT_RAW"]
        for pwm in (so.servo1_raw, so.servo2_raw, so.servo4_raw):
            assert 1100 <= pwm <= 1900
    # in a sustained bank the aileron and elevator move off trim
    banked = [s for s in survey["samples"] if abs(s["ATTITUDE"].roll) > math.radians(15)]
    assert banked
    assert any(s["SERVO_OUTPUT_RAW"].servo2_raw != 1500 for s in banked)


def test_rc_channels_and_aux_servos_report_the_gcs_inputs():
    """RC_CHANNELS shows the RC input (no receiver: nothing until a GCS overrides), SERVO5+
    what DO_SET_SERVO set."""
    v, gcs = _vehicle(load_mission(PLAN))
    v.step()
    rc = gcs.ask("RC_CHANNELS")["RC_CHANNELS"]
    assert rc.chancount == 0 and rc.chan1_raw == 65535
    gcs.send(gcs.tx.rc_channels_override_encode(1, 1, 1700, 1400, 1000, 1500, 0, 0, 1800, 0,
                                                *[0] * 10))  # fmt: skip
    rc = gcs.ask("RC_CHANNELS")["RC_CHANNELS"]
    assert rc.chancount == 7
    assert [rc.chan1_raw, rc.chan2_raw, rc.chan3_raw, rc.chan4_raw] == [1700, 1400, 1000, 1500]
    assert (rc.chan5_raw, rc.chan7_raw, rc.chan8_raw) == (0, 1800, 65535)
    so = gcs.ask("SERVO_OUTPUT_RAW")["SERVO_OUTPUT_RAW"]
    assert so.servo5_raw == 0  # no function, never set: no pulses
    assert gcs.command(M.MAV_CMD_DO_SET_SERVO, 5, 1234).result == M.MAV_RESULT_ACCEPTED
    so = gcs.ask("SERVO_OUTPUT_RAW")["SERVO_OUTPUT_RAW"]
    assert (so.servo5_raw, so.servo3_raw) == (1234, 1100)


def test_imu_reads_one_g_and_the_turn_rate(survey):
    level = 0
    for s in _in_flight(survey, "RAW_IMU", "SCALED_IMU", "ATTITUDE"):
        raw, sc, att = s["RAW_IMU"], s["SCALED_IMU"], s["ATTITUDE"]
        assert (raw.xacc, raw.zgyro, raw.xmag) == (sc.xacc, sc.zgyro, sc.xmag)
        if abs(att.roll) < math.radians(3) and abs(att.pitchspeed) < 0.02:
            level += 1
            g = math.sqrt(raw.xacc**2 + raw.yacc**2 + raw.zacc**2)
            assert 850 < g < 1150, raw  # mG: 1 g in steady level flight
            assert raw.zacc < -900
        # body rates (mrad/s) as ATTITUDE's, within the IMU's noise and the EKF's bias
        assert abs(raw.zgyro / 1000.0 - att.yawspeed) < 0.015, (raw, att)
        mag = math.sqrt(raw.xmag**2 + raw.ymag**2 + raw.zmag**2) / 1000.0
        assert 0.48 < mag < 0.56  # gauss: IGRF's total intensity there is ~0.52 G
    assert level > 100
    assert survey["before"]["RAW_IMU"].zacc == -1000  # standing level before the launch


def test_system_time_is_the_sessions_clock(survey):
    st = [s["SYSTEM_TIME"] for s in survey["samples"]]
    offsets = {t.time_unix_usec - 1000 * t.time_boot_ms for t in st}
    # unix time advances with the sim clock: time_boot_ms is whole milliseconds, so the
    # offset moves within one millisecond (+1 us of the unix time's own rounding)
    assert max(offsets) - min(offsets) <= 1001
    assert abs(min(offsets) / 1e6 - time.time()) < 3600  # started at the session's start
    assert st[-1].time_boot_ms - st[0].time_boot_ms == pytest.approx(
        (len(st) - 1) * 10 * SLICE_S * 1000, abs=1
    )


def test_position_target_is_the_waypoint_flown_to(survey):
    items = survey["mission"].items
    assert "POSITION_TARGET_GLOBAL_INT" not in survey["before"]  # nothing to fly to yet
    checked = 0
    for s in _in_flight(survey, "POSITION_TARGET_GLOBAL_INT", "MISSION_CURRENT"):
        item = items[s["MISSION_CURRENT"].seq - 1]
        if item.command != 16:
            continue
        pt = s["POSITION_TARGET_GLOBAL_INT"]
        assert pt.coordinate_frame == M.MAV_FRAME_GLOBAL
        d = Geodesic.WGS84.Inverse(pt.lat_int * 1e-7, pt.lon_int * 1e-7, item.lat_deg,
                                   item.lon_deg)["s12"]  # fmt: skip
        assert d < 0.05, (pt, item)
        assert pt.alt == pytest.approx(survey["mission"].home.alt_m + item.alt_m, abs=0.01)
        checked += 1
    assert checked > 100


def test_ekf_status_report_is_the_filters(survey):
    before = survey["before"]["EKF_STATUS_REPORT"]
    want = (M.EKF_ATTITUDE | M.EKF_VELOCITY_HORIZ | M.EKF_VELOCITY_VERT | M.EKF_POS_HORIZ_ABS
            | M.EKF_POS_VERT_ABS | M.EKF_PRED_POS_HORIZ_ABS)  # fmt: skip
    assert before.flags & want == want  # dronekit's "armable" needs these
    reports = [s["EKF_STATUS_REPORT"] for s in survey["samples"]]
    for r in reports:
        assert r.flags & want == want and not r.flags & M.EKF_CONST_POS_MODE
        for x in (r.velocity_variance, r.pos_horiz_variance, r.pos_vert_variance,
                  r.compass_variance):  # fmt: skip
            assert 0.0 <= x < 1.0  # sqrt test ratios of a healthy filter: inside the gate
    assert len({round(r.pos_horiz_variance, 4) for r in reports}) > 50  # they move
    ahrs = [s["AHRS"] for s in survey["samples"]]
    assert all(0.0 < a.error_rp < 0.1 and 0.0 < a.error_yaw < 0.2 for a in ahrs[50:])


def test_camera_feedback_at_each_trigger(survey):
    fb = [m for m in survey["stream"] if m.get_type() == "CAMERA_FEEDBACK"]
    assert survey["n_trig"] > 20
    assert len(fb) == survey["n_trig"]
    assert [m.img_idx for m in fb] == list(range(1, len(fb) + 1))
    # GLOBAL_POSITION_INT samples on SYSTEM_TIME's clock, interpolated at each trigger
    pos = [(s["SYSTEM_TIME"].time_unix_usec, s["GLOBAL_POSITION_INT"], s["ATTITUDE"])
           for s in survey["samples"]]  # fmt: skip
    times = [p[0] for p in pos]
    worst = 0.0
    for m in fb:
        k = bisect.bisect_left(times, m.time_usec)
        assert 0 < k < len(pos)
        (t0, a, att), (t1, b, _) = pos[k - 1], pos[k]
        w = (m.time_usec - t0) / (t1 - t0)
        lat = (a.lat + w * (b.lat - a.lat)) * 1e-7
        lon = (a.lon + w * (b.lon - a.lon)) * 1e-7
        d = Geodesic.WGS84.Inverse(m.lat * 1e-7, m.lng * 1e-7, lat, lon)["s12"]
        worst = max(worst, d)
        alt = (a.alt + w * (b.alt - a.alt)) / 1000.0
        assert abs(m.alt_msl - alt) < 1.5, (m, alt)
        assert m.alt_rel == pytest.approx(m.alt_msl - survey["mission"].home.alt_m, abs=0.01)
        dyaw = (m.yaw - math.degrees(att.yaw) + 180.0) % 360.0 - 180.0
        assert abs(dyaw) < 2.0, (m, att)
    assert worst < 2.0  # the EKF's error and the interpolation's


def test_reached_waypoint_is_worded_as_arduplane(survey):
    items = survey["mission"].items
    texts = [m.text for m in survey["stream"] if m.get_type() == "STATUSTEXT"]
    reached = [REACHED.match(t) for t in texts if t.startswith("Reached waypoint")]
    assert len(reached) >= 2 and all(reached)
    seqs = [m.seq for m in survey["stream"] if m.get_type() == "MISSION_ITEM_REACHED"]
    for r in reached:
        seq = int(r.group(1))
        assert seq in seqs and items[seq - 1].command == 16
        assert int(r.group(2)) < 100  # switched within the turn's reach
    assert any(t.startswith("item reached") for t in texts)  # longwing's words elsewhere


def _fence_bits(m) -> tuple[bool, bool, bool]:
    """MAVProxy's fence module: (present, enabled, healthy) from SYS_STATUS."""
    return (bool(m.onboard_control_sensors_present & GEOFENCE),
            bool(m.onboard_control_sensors_enabled & GEOFENCE),
            bool(m.onboard_control_sensors_health & GEOFENCE))  # fmt: skip


def test_no_fence_reads_healthy_and_absent(survey):
    mission = dataclasses.replace(load_mission(PLAN), fence=None)
    v, gcs = _vehicle(mission)
    v.step()
    got = gcs.ask("SYS_STATUS", "FENCE_STATUS")
    assert _fence_bits(got["SYS_STATUS"]) == (False, False, True)  # no "fence breach"
    assert "FENCE_STATUS" not in got
    assert gcs.command(M.MAV_CMD_DO_FENCE_ENABLE, 1).result == M.MAV_RESULT_FAILED
    # the survey's fence (polygon and ceiling): present, inside, healthy throughout
    for s in survey["samples"]:
        present, _, healthy = _fence_bits(s["SYS_STATUS"])
        assert present and healthy


def test_fence_breach_status_and_enable():
    mission = load_mission(PLAN)
    home = mission.home
    mission = dataclasses.replace(mission, fence=Fence(max_alt_above_home_m=60.0))
    v, gcs = _vehicle(mission)
    v.step()
    assert gcs.command(M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
    assert gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
    first = gcs.ask("SYS_STATUS", "FENCE_STATUS")
    assert _fence_bits(first["SYS_STATUS"]) == (True, True, True)  # FENCE_ACTION 4: RTL
    assert first["FENCE_STATUS"].breach_status == 0
    breach = None
    for _ in range(round(120.0 / SLICE_S)):
        v.step()
        got = gcs.ask("SYS_STATUS", "FENCE_STATUS", "GLOBAL_POSITION_INT")
        if got["FENCE_STATUS"].breach_status:
            breach = got
            break
    assert breach is not None
    fs = breach["FENCE_STATUS"]
    assert (fs.breach_count, fs.breach_type) == (1, M.FENCE_BREACH_MAXALT)
    assert breach["GLOBAL_POSITION_INT"].alt / 1000.0 - home.alt_m > 60.0  # above the limit
    assert 0 <= breach["GLOBAL_POSITION_INT"].time_boot_ms - fs.breach_time <= 100  # just now
    assert _fence_bits(breach["SYS_STATUS"])[::2] == (True, False)  # present, breached
    # disable: no FENCE_STATUS, healthy again (ArduPilot clears the breach); enable: breached
    assert gcs.command(M.MAV_CMD_DO_FENCE_ENABLE, 0).result == M.MAV_RESULT_ACCEPTED
    got = gcs.ask("SYS_STATUS", "FENCE_STATUS")
    assert "FENCE_STATUS" not in got and _fence_bits(got["SYS_STATUS"]) == (True, False, True)
    assert v.flight.monitor.fence is None
    assert gcs.command(M.MAV_CMD_DO_FENCE_ENABLE, 1).result == M.MAV_RESULT_ACCEPTED
    for _ in range(10):
        v.step()
    fs = gcs.ask("FENCE_STATUS")["FENCE_STATUS"]
    assert fs.breach_status == 1 and fs.breach_count == 2
    # disabling the floor alone leaves the ceiling enforced
    assert gcs.command(M.MAV_CMD_DO_FENCE_ENABLE, 2).result == M.MAV_RESULT_ACCEPTED
    assert v.flight.monitor.fence.max_alt_above_home_m == 60.0
    assert gcs.command(M.MAV_CMD_DO_FENCE_ENABLE, 7).result == M.MAV_RESULT_FAILED


def test_timesync_ping_version_and_banner():
    v, gcs = _vehicle(load_mission(PLAN))
    v.step()
    texts = [m.text for m in gcs.drain() if m.get_type() == "STATUSTEXT"]
    assert FIRMWARE_LINE.match(texts[0]) and "longwing" in texts[0]  # the boot banner
    for _ in range(49):
        v.step()
    gcs.drain()
    gcs.send(gcs.tx.timesync_encode(0, 123456789))
    ts = [m for m in gcs.drain() if m.get_type() == "TIMESYNC"]
    assert len(ts) == 1 and ts[0].ts1 == 123456789
    assert ts[0].tc1 == pytest.approx(v.sim_t * 1e9, abs=1e6)  # ns since boot
    gcs.send(gcs.tx.timesync_encode(5, 6))  # an answer to someone's request: ignored
    assert not [m for m in gcs.drain() if m.get_type() == "TIMESYNC"]
    gcs.send(gcs.tx.ping_encode(2**63, 4_000_000_000, 0, 0))
    (ping,) = [m for m in gcs.drain() if m.get_type() == "PING"]
    assert (ping.time_usec, ping.seq, ping.target_system, ping.target_component) == (
        2**63,
        4_000_000_000,
        255,
        190,
    )
    gcs.send(gcs.tx.ping_encode(1, 1, 255, 190))  # a reply to a ping: not answered
    assert not [m for m in gcs.drain() if m.get_type() == "PING"]
    gcs.send(gcs.tx.autopilot_version_request_encode(1, 1))
    (av,) = [m for m in gcs.drain() if m.get_type() == "AUTOPILOT_VERSION"]
    ack = gcs.command(M.MAV_CMD_DO_SEND_BANNER)
    assert ack.result == M.MAV_RESULT_ACCEPTED
    gcs.send(gcs.tx.command_long_encode(1, 1, M.MAV_CMD_DO_SEND_BANNER, 0, 0, 0, 0, 0, 0, 0, 0))
    texts = [m.text for m in gcs.drain() if m.get_type() == "STATUSTEXT"]
    m = FIRMWARE_LINE.match(texts[0])
    sw = av.flight_sw_version
    assert m and tuple(int(x) for x in m.groups()[1:]) == (sw >> 24, (sw >> 16) & 255,
                                                           (sw >> 8) & 255)  # fmt: skip


def test_streams_over_udp_at_arduplanes_rates(tmp_path):
    new = ("SYSTEM_TIME", "RC_CHANNELS", "SERVO_OUTPUT_RAW", "SCALED_PRESSURE", "RAW_IMU",
           "EKF_STATUS_REPORT", "AHRS", "FENCE_STATUS")  # fmt: skip
    with sitl_gcs(tmp_path / "sitl", port_base(34000), "--mission", str(PLAN),
                  "--duration-s", "600") as (conn, _):  # fmt: skip
        counts = dict.fromkeys(new, 0)
        end = time.time() + 6.0
        while time.time() < end:
            m = recv(conn, list(new), 0.5)
            if m is not None:
                counts[m.get_type()] += 1
        for name, n in counts.items():  # 1 Hz each (SRn_ default) over 6 s
            assert 4 <= n <= 8, (name, counts)
        # a stream group switched off and on as MAVProxy's "set streamrate" does
        conn.mav.request_data_stream_send(1, 1, M.MAV_DATA_STREAM_RC_CHANNELS, 0, 0)
        time.sleep(1.5)
        while conn.recv_match(blocking=False) is not None:
            pass
        assert recv(conn, "SERVO_OUTPUT_RAW", 2.5) is None
        assert recv(conn, "RAW_IMU", 2.5) is not None
        conn.mav.timesync_send(0, 42)
        ts = recv(conn, "TIMESYNC", 5, lambda m: m.ts1 == 42)
        assert ts is not None and ts.tc1 > 0
        assert command(conn, M.MAV_CMD_DO_FENCE_ENABLE, 0).result == M.MAV_RESULT_ACCEPTED


def test_sensor_faults_show_in_sys_status_and_the_ekf_report():
    """A GNSS loss and a magnetometer failure injected into the flight (the runner's own
    fault list): SYS_STATUS marks those sensors unhealthy, GPS_RAW_INT loses its fix, the EKF
    report drops its absolute position while it dead-reckons; all back after the faults."""
    from longwing.sim.faults import Fault

    v, gcs = _vehicle(load_mission(PLAN))
    v.step()
    gcs.command(M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10)
    gcs.command(M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
    v.step()
    v.flight.faults = (Fault("gnss_loss", 60.0, 20.0), Fault("mag_fail", 60.0, 20.0))
    gps, mag = M.MAV_SYS_STATUS_SENSOR_GPS, M.MAV_SYS_STATUS_SENSOR_3D_MAG
    seen = []
    for k in range(round(100.0 / SLICE_S)):
        v.step()
        if k % 25 == 0:
            got = gcs.ask("SYS_STATUS", "GPS_RAW_INT", "EKF_STATUS_REPORT")
            seen.append((v.flight.t_s, got))
    for t, got in seen:
        health = got["SYS_STATUS"].onboard_control_sensors_health
        present = got["SYS_STATUS"].onboard_control_sensors_present
        assert present & gps and present & mag
        if abs(t - 60.0) < 0.1 or abs(t - 80.0) < 0.5:
            continue  # the edges: checked between slices
        inside = 60.0 < t < 80.0
        assert bool(health & gps) != inside and bool(health & mag) != inside, (t, health)
        assert (got["GPS_RAW_INT"].fix_type == 0) == inside
        flags = got["EKF_STATUS_REPORT"].flags
        if 63.0 < t < 79.5:  # dead reckoning after 2 s without GNSS
            assert not flags & M.EKF_POS_HORIZ_ABS and flags & M.EKF_POS_HORIZ_REL
        elif t < 59.5:
            assert flags & M.EKF_POS_HORIZ_ABS
    assert seen[-1][1]["EKF_STATUS_REPORT"].flags & M.EKF_POS_HORIZ_ABS  # GNSS back


class _Params(dict):
    """Just the parameters SERVO_OUTPUT_RAW reads (a store with ArduPilot's SERVOn_*)."""

    def get(self, name):
        return self[name]


def test_servo_functions_ranges_and_reversal_are_honoured():
    v, gcs = _vehicle(load_mission(PLAN))
    v.params = _Params(SERVO1_FUNCTION=0, SERVO6_FUNCTION=4, SERVO6_TRIM=1450,
                       SERVO3_REVERSED=1, SERVO3_MIN=1000, SERVO3_MAX=2000)  # fmt: skip
    v.step()
    so = gcs.ask("SERVO_OUTPUT_RAW")["SERVO_OUTPUT_RAW"]
    # no function on 1 (no pulses), the aileron on 6 at its trim, the throttle reversed:
    # idle at its maximum
    assert (so.servo1_raw, so.servo6_raw, so.servo3_raw, so.servo2_raw) == (0, 1450, 2000, 1500)
