"""The simulated vehicle's telemetry: the messages it streams, encoded from its state.

:func:`telemetry_message` builds one message by name (HEARTBEAT, SYS_STATUS, GPS_RAW_INT,
ATTITUDE, GLOBAL_POSITION_INT, VFR_HUD, BATTERY_STATUS, HOME_POSITION, EXTENDED_SYS_STATE,
MISSION_CURRENT, NAV_CONTROLLER_OUTPUT, WIND, AUTOPILOT_VERSION here; the rest in
:mod:`longwing.mavlink.telemetry_extra`) from the
:class:`~longwing.mavlink.vehicle.SitlVehicle`'s latest logged state (the estimate where a
GCS expects the autopilot's view: attitude, position, wind); :data:`DEFAULT_RATES` are the
stream rates and :data:`STREAMS` the REQUEST_DATA_STREAM groups (ArduPlane's SRn_ groups:
RAW_SENS, EXT_STAT, RC_CHAN, POSITION, EXTRA1, EXTRA2, EXTRA3). The vehicle paces and sends
them. docs/telemetry.md lists them all with their rates and sources.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.control import target as tg
from longwing.mavlink.telemetry_extra import extra_message, sensor_bits

if TYPE_CHECKING:
    from longwing.mavlink.vehicle import SitlVehicle

M = mavlink2
CAPABILITIES = (M.MAV_PROTOCOL_CAPABILITY_MISSION_INT | M.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
                | M.MAV_PROTOCOL_CAPABILITY_MAVLINK2 | M.MAV_PROTOCOL_CAPABILITY_MISSION_FENCE
                | M.MAV_PROTOCOL_CAPABILITY_MISSION_RALLY
                | M.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST
                | M.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
                | M.MAV_PROTOCOL_CAPABILITY_TERRAIN
                | M.MAV_PROTOCOL_CAPABILITY_FTP)  # fmt: skip
FIRMWARE_VERSION = (4, 6, 0)  # the ArduPlane release whose MAVLink this vehicle speaks

# default message rates, Hz: the messages longwing had before at the rates a GCS normally
# sets; those added with issue 14 at their SRn group's rate (ArduPlane's SRn_ default, 1 Hz,
# or the group's rate here: AHRS with WIND, FENCE_STATUS with SYS_STATUS); 0: on request
DEFAULT_RATES: Mapping[str, float] = MappingProxyType({
    "HEARTBEAT": 1.0, "SYS_STATUS": 1.0, "GPS_RAW_INT": 5.0, "ATTITUDE": 10.0,
    "GLOBAL_POSITION_INT": 5.0, "VFR_HUD": 5.0, "BATTERY_STATUS": 1.0, "HOME_POSITION": 0.2,
    "EXTENDED_SYS_STATE": 1.0, "MISSION_CURRENT": 1.0, "NAV_CONTROLLER_OUTPUT": 5.0,
    "WIND": 1.0,
    "RAW_IMU": 1.0, "SCALED_PRESSURE": 1.0, "SCALED_IMU": 0.0,  # RAW_SENS
    "FENCE_STATUS": 1.0, "POSITION_TARGET_GLOBAL_INT": 1.0,  # EXT_STAT
    "RC_CHANNELS": 1.0, "SERVO_OUTPUT_RAW": 1.0,  # RC_CHAN
    "AHRS": 1.0, "SYSTEM_TIME": 1.0, "EKF_STATUS_REPORT": 1.0,  # EXTRA3
})  # fmt: skip
# REQUEST_DATA_STREAM stream ids -> the messages they carry (ArduPlane's GCS_Mavlink.cpp)
STREAMS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    M.MAV_DATA_STREAM_RAW_SENSORS: ("RAW_IMU", "SCALED_PRESSURE"),
    M.MAV_DATA_STREAM_EXTENDED_STATUS: ("SYS_STATUS", "GPS_RAW_INT", "MISSION_CURRENT",
                                        "NAV_CONTROLLER_OUTPUT", "FENCE_STATUS",
                                        "POSITION_TARGET_GLOBAL_INT"),
    M.MAV_DATA_STREAM_RC_CHANNELS: ("SERVO_OUTPUT_RAW", "RC_CHANNELS"),
    M.MAV_DATA_STREAM_POSITION: ("GLOBAL_POSITION_INT",),
    M.MAV_DATA_STREAM_EXTRA1: ("ATTITUDE",),
    M.MAV_DATA_STREAM_EXTRA2: ("VFR_HUD",),
    M.MAV_DATA_STREAM_EXTRA3: ("AHRS", "WIND", "SYSTEM_TIME", "BATTERY_STATUS",
                               "EKF_STATUS_REPORT", "EXTENDED_SYS_STATE", "HOME_POSITION"),
})  # fmt: skip


def telemetry_message(v: SitlVehicle, name: str) -> Any | None:
    """Message ``name`` with ``v``'s present state, ``None`` if it is not one of ours.
    A value that cannot be encoded raises ValueError, OverflowError or TypeError."""
    s = v.snapshot()
    mav = v.mav
    deg = math.degrees
    rel = s["est_alt_m"] - v.home.alt_m
    if name == "HEARTBEAT":
        status = M.MAV_STATE_ACTIVE if v.armed else M.MAV_STATE_STANDBY
        msg = mav.heartbeat_encode(M.MAV_TYPE_FIXED_WING, M.MAV_AUTOPILOT_ARDUPILOTMEGA,
                                   v.base_mode(), v.mode, status)  # fmt: skip
    elif name == "SYS_STATUS":
        fuel_pct = _fuel_pct(v, s)
        present, enabled, health = sensor_bits(v)
        msg = mav.sys_status_encode(present, enabled, health, 200, 12600, -1, fuel_pct,
                                    0, 0, 0, 0, 0, 0)  # fmt: skip
    elif name == "GPS_RAW_INT":
        fix = v.gnss_fix_type()
        gs = s["groundspeed_mps"]
        cog = (deg(math.atan2(s["ve_mps"], s["vn_mps"])) % 360.0) if gs > 0.5 else 0.0
        msg = mav.gps_raw_int_encode(
            int(v.sim_t * 1e6), fix, _e7(deg(s["lat_rad"])), _e7(deg(s["lon_rad"])),
            int(s["alt_m"] * 1000), 80, 120, int(gs * 100), int(cog * 100), 14,
        )  # fmt: skip
    elif name == "ATTITUDE":
        msg = mav.attitude_encode(v.time_boot_ms(), s["est_roll_rad"], s["est_pitch_rad"],
                                  s["est_yaw_rad"], s["p_radps"], s["q_radps"],
                                  s["r_radps"])  # fmt: skip
    elif name == "GLOBAL_POSITION_INT":
        hdg = int((deg(s["est_yaw_rad"]) % 360.0) * 100)
        msg = mav.global_position_int_encode(
            v.time_boot_ms(), _e7(deg(s["est_lat_rad"])), _e7(deg(s["est_lon_rad"])),
            int(s["est_alt_m"] * 1000), int(rel * 1000), _cm(s["est_vn_mps"]),
            _cm(s["est_ve_mps"]), _cm(s["est_vd_mps"]), hdg,
        )  # fmt: skip
    elif name == "VFR_HUD":
        hdg = int(deg(s["est_yaw_rad"]) % 360.0)
        msg = mav.vfr_hud_encode(s["meas_tas_mps"], s["groundspeed_mps"], hdg,
                                 int(100 * s["throttle"]), s["est_alt_m"],
                                 -s["est_vd_mps"])  # fmt: skip
    elif name == "BATTERY_STATUS":
        volts = [12600] + [65535] * 9
        msg = mav.battery_status_encode(0, M.MAV_BATTERY_FUNCTION_ALL,
                                        M.MAV_BATTERY_TYPE_UNKNOWN, 32767, volts, -1, -1,
                                        -1, _fuel_pct(v, s))  # fmt: skip
    elif name == "HOME_POSITION":
        h = v.home
        msg = mav.home_position_encode(_e7(h.lat_deg), _e7(h.lon_deg), int(h.alt_m * 1000),
                                       0.0, 0.0, 0.0, [1.0, 0.0, 0.0, 0.0], 0.0, 0.0, 0.0,
                                       int(v.sim_t * 1e6))  # fmt: skip
    elif name == "EXTENDED_SYS_STATE":
        if not v.flying:
            landed = M.MAV_LANDED_STATE_ON_GROUND
        elif v.flight.target[tg.KIND] == tg.TK_LAND:
            landed = M.MAV_LANDED_STATE_LANDING
        elif v.flight.target[tg.KIND] == tg.TK_TAKEOFF:
            landed = M.MAV_LANDED_STATE_TAKEOFF
        else:
            landed = M.MAV_LANDED_STATE_IN_AIR
        msg = mav.extended_sys_state_encode(M.MAV_VTOL_STATE_UNDEFINED, landed)
    elif name == "MISSION_CURRENT":
        seq = v.flight.mgr.seq if v.flight is not None else 0
        if v.mission_proto is not None:
            state = None
            if v.flight is not None:
                state = (M.MISSION_STATE_COMPLETE if v.flight.mgr.finished
                         else M.MISSION_STATE_ACTIVE)  # fmt: skip
            msg = v.mission_proto.mission_current_msg(seq, mission_state=state)
        else:
            msg = mav.mission_current_encode(seq)
    elif name == "NAV_CONTROLLER_OUTPUT":
        dist, brg = _to_target(v, s)
        msg = mav.nav_controller_output_encode(
            deg(s["roll_cmd_rad"]), deg(s["pitch_cmd_rad"]), brg, brg,
            min(round(dist), 65535), s["alt_cmd_m"] - s["est_alt_m"],
            s["tas_cmd_mps"] - s["meas_tas_mps"], s["xtrack_m"],
        )  # fmt: skip
    elif name == "WIND":
        wn, we = s["est_wind_n_mps"], s["est_wind_e_mps"]
        frm = deg(math.atan2(-we, -wn)) % 360.0
        msg = mav.wind_encode(frm, math.hypot(wn, we), 0.0)
    elif name == "AUTOPILOT_VERSION":
        major, minor, patch = FIRMWARE_VERSION
        sw = (major << 24) | (minor << 16) | (patch << 8) | M.FIRMWARE_VERSION_TYPE_OFFICIAL
        msg = mav.autopilot_version_encode(CAPABILITIES, sw, 0, 0,
                                           0, [0] * 8, [0] * 8, [0] * 8, 0, 0, v.sysid,
                                           [0] * 18)  # fmt: skip
    else:
        return extra_message(v, s, name)
    return msg


def _fuel_pct(v: SitlVehicle, s: dict) -> int:
    cap = v.af.mass.fuel_capacity_kg
    return int(max(0.0, min(100.0, 100.0 * s["fuel_kg"] / cap)))


def _e7(deg_value: float) -> int:
    return int(round(deg_value * 1e7))


def _cm(v: float) -> int:
    return int(max(-32768, min(32767, round(v * 100.0))))


def _to_target(v: SitlVehicle, s: dict) -> tuple[float, int]:
    """(distance m, bearing deg 0-359) from the estimated position to the guidance target's
    point B (the next waypoint, a loiter's centre); (0, heading) without a flight or a
    point (a pilot mode, on the ground). The
    bearing serves as both NAV_CONTROLLER_OUTPUT bearings (ArduPlane's nav_bearing is L1's
    reference point, which equals it on the track)."""
    from geographiclib.geodesic import Geodesic

    from longwing.control import target as tg
    from longwing.geo.wgs84 import ecef_to_geodetic

    f = v.flight
    heading = int(math.degrees(s["est_yaw_rad"]) % 360.0)
    if f is None or not v.flying:
        return 0.0, heading
    t = f.target
    if int(t[tg.KIND]) in (tg.TK_PILOT, tg.TK_GROUND):
        return 0.0, heading
    lat_b, lon_b, _ = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
    inv = Geodesic.WGS84.Inverse(math.degrees(s["est_lat_rad"]), math.degrees(s["est_lon_rad"]),
                                 math.degrees(lat_b), math.degrees(lon_b))  # fmt: skip
    return inv["s12"], int(round(inv["azi1"])) % 360


def base_mode_of(mode: int, armed: bool) -> int:
    """ArduPlane's base_mode bits for the mode (GCS_MAVLINK_Plane::base_mode)."""
    b = M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    if armed:
        b |= M.MAV_MODE_FLAG_SAFETY_ARMED
    if mode in (0, 3, 4):  # MANUAL, TRAINING, ACRO
        b |= M.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
    elif mode in (2, 5, 6, 7, 8):  # STABILIZE, FBWA, FBWB, CRUISE, AUTOTUNE
        b |= M.MAV_MODE_FLAG_STABILIZE_ENABLED
    else:  # AUTO, RTL, LOITER, GUIDED, CIRCLE, TAKEOFF
        b |= M.MAV_MODE_FLAG_GUIDED_ENABLED | M.MAV_MODE_FLAG_STABILIZE_ENABLED
    if mode != 0:
        b |= M.MAV_MODE_FLAG_STABILIZE_ENABLED
    return b  # never AUTO_ENABLED: ArduPlane does not set it in any mode
