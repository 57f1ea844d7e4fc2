"""What the SITL vehicle does with a ground station's requests besides the commands of
:mod:`longwing.mavlink.commands`: reading COMMAND_LONG/INT into a :class:`Command`, the
stream requests (REQUEST_MESSAGE, SET_MESSAGE_INTERVAL, REQUEST_DATA_STREAM, per link),
the mission's current item, SET_POSITION_TARGET_GLOBAL_INT, and the pilot's sticks each
slice (RC input, flight-mode switch, RC failsafe). Functions of the
:class:`~longwing.mavlink.vehicle.SitlVehicle` ``v``.
"""

from __future__ import annotations

import math
import re

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mavlink.commands import (
    ABS_FRAMES,
    FRAME_LONG,
    REL_FRAMES,
    TERRAIN_FRAMES,
    Command,
    resolve_alt,
)
from longwing.mavlink.telemetry import DEFAULT_RATES, STREAMS
from longwing.mission.manager import PILOT_MODES, Mode, Position

M = mavlink2
RATE_MAX_HZ = 50.0  # the most any stream is sent at
# ArduPilot's SRn_ stream groups -> the REQUEST_DATA_STREAM ids carrying the same messages
SR_STREAMS = {"RAW_SENS": M.MAV_DATA_STREAM_RAW_SENSORS,
              "EXT_STAT": M.MAV_DATA_STREAM_EXTENDED_STATUS,
              "RC_CHAN": M.MAV_DATA_STREAM_RC_CHANNELS, "POSITION": M.MAV_DATA_STREAM_POSITION,
              "EXTRA1": M.MAV_DATA_STREAM_EXTRA1, "EXTRA2": M.MAV_DATA_STREAM_EXTRA2,
              "EXTRA3": M.MAV_DATA_STREAM_EXTRA3}  # fmt: skip
INT32_MAX = 2**31 - 1
PILOT = frozenset(int(m) for m in PILOT_MODES)


def command_of(msg) -> Command:
    """The command a COMMAND_LONG or COMMAND_INT carries (see :mod:`commands`)."""
    if msg.get_type() == "COMMAND_LONG":
        p = [msg.param1, msg.param2, msg.param3, msg.param4]
        p5, p6, alt = msg.param5, msg.param6, msg.param7
        lat = p5 if math.isfinite(p5) else None
        lon = p6 if math.isfinite(p6) else None
        frame = FRAME_LONG
    else:
        p = [msg.param1, msg.param2, msg.param3, msg.param4]
        p5, p6, alt = float(msg.x), float(msg.y), msg.z
        lat, lon = msg.x / 1e7, msg.y / 1e7
        if (msg.x == 0 and msg.y == 0) or INT32_MAX in (msg.x, msg.y):
            lat = lon = None  # MAVLink's "unchanged": where the aircraft is
        frame = msg.frame
    if lat is None or lon is None:
        lat = lon = None
    return Command(msg.command, p, lat, lon, alt, frame,
                   (msg.get_srcSystem(), msg.get_srcComponent()), p5, p6)  # fmt: skip


def more_commands(v, c: Command) -> int:
    """The commands about streams and the mission's current item."""
    if c.cmd == M.MAV_CMD_REQUEST_MESSAGE:
        name = _name_of(int(c.p[0])) if math.isfinite(c.p[0]) else None
        if name is None or name not in known_streams():
            return M.MAV_RESULT_UNSUPPORTED
        v.after_ack.append(name)  # the message follows its COMMAND_ACK
        return M.MAV_RESULT_ACCEPTED
    if c.cmd == M.MAV_CMD_SET_MESSAGE_INTERVAL:
        return set_interval(v, c)
    if c.cmd == M.MAV_CMD_DO_SET_MISSION_CURRENT and v.mission_proto is not None:
        return set_current(v, int(c.p[0]))
    return M.MAV_RESULT_UNSUPPORTED


def set_interval(v, c: Command) -> int:
    """SET_MESSAGE_INTERVAL for the link that asks (ArduPilot's per-channel rates)."""
    name = _name_of(int(c.p[0])) if math.isfinite(c.p[0]) else None
    if name is None or name not in known_streams():
        return M.MAV_RESULT_UNSUPPORTED
    interval_us = c.p[1]
    if interval_us == -1:
        hz = 0.0
    elif interval_us == 0:
        hz = DEFAULT_RATES.get(name, 1.0)
    elif interval_us > 0:
        hz = min(1e6 / interval_us, RATE_MAX_HZ)
    else:
        return M.MAV_RESULT_DENIED
    for rates in _asking_links(v):
        rates[name] = hz
    return M.MAV_RESULT_ACCEPTED


def _asking_links(v) -> list[dict]:
    """The stream rates of the link the request came on (every link's if unknown)."""
    eps = [v.reply_to] if v.reply_to is not None else v.links.endpoints()
    for ep in eps:
        init_rates(v, ep)
        ep.next_any = 0.0  # the rates change: look again at the next slice
    return [ep.rates for ep in eps]


def init_rates(v, ep) -> None:
    """A link's stream rates when it has none yet: :data:`DEFAULT_RATES`, with each SRn_
    group (n the link's number) that is set to other than its default applied to that
    group's messages (ArduPilot's SRn_ in role; 0: off)."""
    if ep.rates:
        return
    ep.rates.update(DEFAULT_RATES)
    apply_sr_params(v, ep)


def apply_sr_params(v, ep, only: str | None = None) -> None:
    """The SR<ep.channel>_ groups (or the group ``only``) set off their default, onto the
    link's rates."""
    p = v.params
    if p is None:
        return
    for group, stream in SR_STREAMS.items():
        name = f"SR{ep.channel}_{group}"
        if name not in p or (only is not None and group != only):
            continue
        value = p.get(name)
        if only is None and value == p.info(name).default:
            continue
        for msg in STREAMS.get(stream, ()):
            ep.rates[msg] = min(float(value), RATE_MAX_HZ)


def on_param_set(v, name: str) -> None:
    """A PARAM_SET of an SRn_ group: the links numbered n take the rate at once."""
    m = re.fullmatch(r"SR(\d)_([A-Z0-9_]+)", name)
    if m is None or m.group(2) not in SR_STREAMS:
        return
    for ep in v.links.endpoints():
        if ep.channel == int(m.group(1)):
            init_rates(v, ep)
            apply_sr_params(v, ep, only=m.group(2))
            ep.next_any = 0.0


def known_streams() -> set[str]:
    return set(DEFAULT_RATES) | {"AUTOPILOT_VERSION"}


def set_current(v, seq: int) -> int:
    if not 1 <= seq <= len(v.mission.items):
        return M.MAV_RESULT_DENIED
    if v.flying:
        f = v.flight
        f.mgr.mode = Mode.AUTO
        f.mgr.fs_items = None
        f.mgr.paused_seq = None
        f.mgr._advance(f.t_s, v.here(), seq)
        v.mode = 10
        v.retarget()
    return M.MAV_RESULT_ACCEPTED


def request_data_stream(v, msg) -> None:
    """REQUEST_DATA_STREAM: the group's messages at the rate, on the asking link."""
    names = STREAMS.get(msg.req_stream_id)
    if msg.req_stream_id == M.MAV_DATA_STREAM_ALL:
        names = tuple(n for n in DEFAULT_RATES if n != "HEARTBEAT")  # never stopped
    rate = min(float(msg.req_message_rate), RATE_MAX_HZ)
    for rates in _asking_links(v):
        for name in names or ():
            rates[name] = rate if msg.start_stop else 0.0


def position_target(v, msg) -> None:
    """SET_POSITION_TARGET_GLOBAL_INT in GUIDED (as ArduPlane: ignored elsewhere): the
    position (with its altitude) unless masked, else the altitude alone."""
    if not v.flying or v.mode != int(Mode.GUIDED):
        return
    frame = msg.coordinate_frame
    if frame not in ABS_FRAMES + REL_FRAMES + TERRAIN_FRAMES:
        v.statustext("Invalid coord frame in SET_POSITION_TARGET_GLOBAL_INT",
                     M.MAV_SEVERITY_WARNING)  # fmt: skip
        return
    mask = msg.type_mask
    use_xy = not mask & (M.POSITION_TARGET_TYPEMASK_X_IGNORE
                         | M.POSITION_TARGET_TYPEMASK_Y_IGNORE)  # fmt: skip
    use_z = not mask & M.POSITION_TARGET_TYPEMASK_Z_IGNORE
    here = v.here()
    lat = msg.lat_int / 1e7 if use_xy else here.lat_deg
    lon = msg.lon_int / 1e7 if use_xy else here.lon_deg
    c = Command(0, [0.0] * 4, lat, lon, msg.alt if use_z else math.nan, frame, (0, 0))
    alt = resolve_alt(v, c, lat, lon)
    if alt is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return
    if use_xy:
        v.guided_goto(Position(lat, lon, alt))
    elif use_z:
        f = v.flight
        f.mgr.change_altitude(f.t_s, here, alt)
        v.retarget()


def pilot_step(v, now: float) -> None:
    """The sticks to the flight; the flight-mode switch; the RC failsafe."""
    rc, param = v.rc, v.param
    if v.mode not in PILOT and v.rc_fs.stage == 0 and not any(rc.pwm):
        return  # no stick input, none needed: nothing to do
    rc.expire(now, param)
    wanted = rc.mode_switch(param)
    if wanted is not None and wanted != v.mode:
        if v.set_mode(wanted) != M.MAV_RESULT_ACCEPTED:
            v.statustext(f"flight mode switch: mode {wanted} refused",
                         M.MAV_SEVERITY_WARNING)  # fmt: skip
    s = rc.sticks(param)
    f = v.flight
    if not f.terminated:
        f.set_sticks(s.roll, s.pitch, s.yaw, s.throttle, param("FBWB_CLIMB_RATE", 2.0),
                     math.radians(param("ACRO_ROLL_RATE", 180.0)),
                     math.radians(param("ACRO_PITCH_RATE", 180.0)))  # fmt: skip
    fs = f.sc.failsafe
    action = v.rc_fs.update(
        v.mode in PILOT and bool(param("THR_FAILSAFE", 1)), rc.has_sticks(param),
        f.t_s, fs.FS_SHORT_TIMEOUT, fs.FS_LONG_TIMEOUT, v.mode,
    )  # fmt: skip
    if action is None:
        return
    kind, mode, text = action
    v.statustext(text, M.MAV_SEVERITY_WARNING if kind == "off" else M.MAV_SEVERITY_CRITICAL)
    if mode is not None and mode != v.mode:
        v.mode = mode  # not set_mode: that is the operator's, which resets the failsafe
        f.mgr.set_mode(f.t_s, mode, v.here())
        v.retarget()


def _name_of(msg_id: int) -> str | None:
    cls = M.mavlink_map.get(msg_id)
    return None if cls is None else cls.msgname
