"""The commands a ground station sends (COMMAND_LONG / COMMAND_INT), as ArduPlane answers
them: :func:`run_command` returns the MAV_RESULT for the COMMAND_ACK.

Locations: COMMAND_INT carries its frame (GLOBAL / GLOBAL_INT: above mean sea level;
GLOBAL_RELATIVE_ALT(_INT): above home; GLOBAL_TERRAIN_ALT(_INT): above the terrain the vehicle
knows, its DEM or the ground station's terrain data, refused where it knows none). A
COMMAND_LONG has no frame; its altitudes are relative to home, as ArduPilot converts a
COMMAND_LONG to a COMMAND_INT. A latitude and longitude of 0 (COMMAND_INT) or NaN
(COMMAND_LONG), and a NaN altitude, mean "where the aircraft is" (MAVLink's "unchanged").

Anything not handled here is answered MAV_RESULT_UNSUPPORTED (docs/mavlink.md lists what is).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.control import target as tg
from longwing.mavlink.outputs import N_RELAYS, N_SERVOS
from longwing.mission.manager import Mode, Position

M = mavlink2
ALT_MIN_M, ALT_MAX_M = -500.0, 10_000.0  # plausible altitudes for home and guided targets
ABS_FRAMES = (M.MAV_FRAME_GLOBAL, M.MAV_FRAME_GLOBAL_INT)
REL_FRAMES = (M.MAV_FRAME_GLOBAL_RELATIVE_ALT, M.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT)
TERRAIN_FRAMES = (M.MAV_FRAME_GLOBAL_TERRAIN_ALT, M.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT)
FRAME_LONG = -1  # a COMMAND_LONG: no frame (altitudes relative to home)
FORCE_ARM, FORCE_DISARM = 2989.0, 21196.0  # ArduPilot's magic numbers in param2
ACCEPTED, DENIED, FAILED = M.MAV_RESULT_ACCEPTED, M.MAV_RESULT_DENIED, M.MAV_RESULT_FAILED
UNSUPPORTED = M.MAV_RESULT_UNSUPPORTED
TEMP_REJECTED = M.MAV_RESULT_TEMPORARILY_REJECTED


@dataclass
class Command:
    """One command, COMMAND_LONG or COMMAND_INT alike: ``lat``/``lon`` None when the
    command gives no position; ``frame`` :data:`FRAME_LONG` for a COMMAND_LONG."""

    cmd: int
    p: list[float]  # param1..param4
    lat: float | None
    lon: float | None
    alt: float  # param7 / z (NaN: none)
    frame: int
    sender: tuple[int, int]
    p5: float = math.nan  # param5 / x as sent (not a position for most commands)
    p6: float = math.nan  # param6 / y as sent


def resolve_alt(v, c: Command, lat: float, lon: float) -> float | None:
    """The command's altitude above mean sea level at (lat, lon); the aircraft's own if
    NaN; None if its frame cannot be resolved (an unknown frame, no terrain there)."""
    if not math.isfinite(c.alt):
        return v.here().alt_m
    if c.frame in ABS_FRAMES:
        return c.alt
    if c.frame in REL_FRAMES or c.frame == FRAME_LONG:
        return v.home.alt_m + c.alt
    if c.frame in TERRAIN_FRAMES:
        ground = v.terrain_io.height_m(lat, lon)
        return ground + c.alt if math.isfinite(ground) else None
    return None


def _target(v, c: Command) -> Position | None:
    """The command's position (the aircraft's where it gives none), AMSL; None if
    invalid."""
    here = v.here()
    lat = here.lat_deg if c.lat is None else c.lat
    lon = here.lon_deg if c.lon is None else c.lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    alt = resolve_alt(v, c, lat, lon)
    if alt is None or not ALT_MIN_M <= alt <= ALT_MAX_M:
        return None
    return Position(lat, lon, alt)


# --- arming, modes ------------------------------------------------------------------------


def _arm_disarm(v, c: Command) -> int:
    if c.p[0] == 1.0:
        return v.arm(force=abs(c.p[1] - FORCE_ARM) < 0.5)
    if v.flying and abs(c.p[1] - FORCE_DISARM) > 0.5:
        v.statustext("disarm refused: flying", M.MAV_SEVERITY_WARNING)
        return FAILED
    v.armed = False
    if v.flying:  # forced in flight: the engine stops (the failsafe glides)
        v.flight.stop_engine()
        v.statustext("forced disarm in flight: engine stopped", M.MAV_SEVERITY_CRITICAL)
    return ACCEPTED


def _set_mode(v, c: Command) -> int:
    if not int(c.p[0]) & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
        return UNSUPPORTED
    return v.set_mode(int(c.p[1]))


def _mission_start(v, c: Command) -> int:
    if not v.mission.items:
        return FAILED
    return v.set_mode(int(Mode.AUTO))  # already flying it in AUTO: accepted, no restart


# --- guided -------------------------------------------------------------------------------


def _reposition(v, c: Command) -> int:
    """DO_REPOSITION: GUIDED to the point (param2 bit 0 changes the mode, else only when
    already GUIDED), loiter there at param3 m (> 0), counter-clockwise if param4 is set."""
    if not v.flying:
        return FAILED
    dest = _target(v, c)
    if dest is None:
        return DENIED
    change = int(c.p[1]) & M.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE if math.isfinite(c.p[1]) else 0
    if not change and v.mode != int(Mode.GUIDED):
        return FAILED
    radius = 0.0
    if math.isfinite(c.p[2]) and c.p[2] > 0.0:
        ccw = math.isfinite(c.p[3]) and c.p[3] != 0.0
        radius = -c.p[2] if ccw else c.p[2]
    v.guided_goto(dest, radius)
    return ACCEPTED


def _orbit(v, c: Command) -> int:
    """DO_ORBIT: circle the point (the aircraft's position where none is given) at param1 m
    (+ clockwise, - counter-clockwise; NaN/0: the loiter radius), param4 turns (0: on)."""
    if not v.flying:
        return FAILED
    centre = _target(v, c)
    if centre is None:
        return DENIED
    r = c.p[0] if math.isfinite(c.p[0]) and c.p[0] != 0.0 else v.flight.mgr.s.WP_LOITER_RAD
    if abs(r) < 1.0:
        return DENIED
    turns = c.p[3] if math.isfinite(c.p[3]) and c.p[3] > 0.0 else 0.0
    f = v.flight
    f.mgr.guided_orbit(f.t_s, v.here(), centre, r, turns)
    v.mode = int(Mode.GUIDED)
    v.retarget()
    return ACCEPTED


def _change_altitude(v, c: Command) -> int:
    """DO_CHANGE_ALTITUDE: param1 m in the frame param2 (a MAV_FRAME); GUIDED_CHANGE_ALTITUDE
    (43001): z in the command's frame, GUIDED only (ArduPlane refuses it elsewhere)."""
    if not v.flying:
        return FAILED
    here = v.here()
    if c.cmd == M.MAV_CMD_DO_CHANGE_ALTITUDE:
        frame = int(c.p[1]) if math.isfinite(c.p[1]) else M.MAV_FRAME_GLOBAL_RELATIVE_ALT
        c2 = Command(c.cmd, c.p, None, None, c.p[0], frame, c.sender, c.p5, c.p6)
    else:
        if v.mode != int(Mode.GUIDED):
            return FAILED
        if not math.isfinite(c.alt) or c.alt in (-1.0, 0.0):
            return DENIED
        c2 = c
    prev = v.flight.mgr.prev
    alt = resolve_alt(v, c2, prev.lat_deg, prev.lon_deg) if math.isfinite(c2.alt) else None
    if alt is None or not ALT_MIN_M <= alt <= ALT_MAX_M:
        return DENIED
    f = v.flight
    f.mgr.change_altitude(f.t_s, here, alt)
    v.retarget()
    return ACCEPTED


def _change_speed(v, c: Command) -> int:
    env = v.af.envelope
    if not (math.isfinite(c.p[1]) and env.airspeed_min_mps <= c.p[1] <= env.airspeed_max_mps):
        return DENIED
    if v.flying:
        if v.mode not in (int(Mode.AUTO), int(Mode.GUIDED)):
            return FAILED  # ArduPlane: a GCS speed only in AUTO and GUIDED
        f = v.flight
        f.mgr.speed_mps = c.p[1]
        f.target[tg.SPEED] = c.p[1]
    return ACCEPTED


def _go_around(v, c: Command) -> int:  # param1: altitude to climb to above the landing
    if not v.flying:
        return DENIED
    alt_m = c.p[0] if math.isfinite(c.p[0]) and c.p[0] > 0.0 else 0.0
    return ACCEPTED if v.flight.command_go_around(alt_m) else FAILED


def _pause_continue(v, c: Command) -> int:
    if not v.flying or v.mode != int(Mode.AUTO):
        return FAILED
    f = v.flight
    ok = (f.mgr.continue_mission(f.t_s, v.here()) if c.p[0] >= 0.5
          else f.mgr.pause_mission(f.t_s, v.here()))  # fmt: skip
    if ok:
        v.retarget()
    return ACCEPTED if ok else FAILED


def _land_start(v, c: Command) -> int:
    if not v.flying:
        return FAILED
    f = v.flight
    if not f.mgr.jump_to_landing(f.t_s, v.here()):
        return FAILED
    v.mode = int(Mode.AUTO)
    v.retarget()
    return ACCEPTED


# --- outputs: servos, relays, camera ----------------------------------------------------


def _set_servo(v, c: Command) -> int:
    """DO_SET_SERVO: an output with no function (SERVO5..16 by default) to a PWM; an output
    the autopilot drives (aileron, elevator, throttle, rudder) is refused, as ArduPilot."""
    ch, pwm = int(c.p[0]), int(c.p[1])
    if not 1 <= ch <= N_SERVOS or not 0 <= pwm <= 3000 or v.servo_function(ch) != 0:
        return FAILED
    v.outputs.servo_pwm[ch - 1] = pwm
    v.outputs.repeat = None
    return ACCEPTED


def _repeat_servo(v, c: Command) -> int:
    """DO_REPEAT_SERVO: toggle the output between the PWM and its trim, count times, every
    period/2 s (sim time)."""
    ch, pwm, count, period = int(c.p[0]), int(c.p[1]), int(c.p[2]), c.p[3]
    if (not 1 <= ch <= N_SERVOS or not 0 <= pwm <= 3000 or v.servo_function(ch) != 0
            or count < 1 or not period > 0.0):  # fmt: skip
        return FAILED
    v.outputs.start_repeat(ch, pwm, count, period, v.sim_t)
    return ACCEPTED


def _set_relay(v, c: Command) -> int:
    n, state = int(c.p[0]), int(c.p[1])
    if not 0 <= n < N_RELAYS or state not in (0, 1):
        return FAILED
    v.outputs.relays[n] = state
    return ACCEPTED


def _digicam(v, c: Command) -> int:
    """DO_DIGICAM_CONTROL with param5 (shoot) 1: one photo now (CAMERA_FEEDBACK follows)."""
    if not (math.isfinite(c.p5) and int(c.p5) == 1):
        return ACCEPTED  # nothing to shoot (zoom/focus settings: no simulated camera optics)
    return ACCEPTED if v.take_photo() else FAILED


def _image_start(v, c: Command) -> int:
    """IMAGE_START_CAPTURE: param3 photos (0: until stopped) every param2 s."""
    interval, total = c.p[1], int(c.p[2]) if math.isfinite(c.p[2]) else 0
    if total < 0 or (total != 1 and not (math.isfinite(interval) and interval > 0.0)):
        return DENIED
    if not v.flying:
        return FAILED
    v.outputs.start_capture(interval, total, v.sim_t)
    return ACCEPTED


def _image_stop(v, c: Command) -> int:
    v.outputs.capture = None
    return ACCEPTED


def _cam_trigg_dist(v, c: Command) -> int:
    if not (math.isfinite(c.p[0]) and c.p[0] >= 0.0):
        return DENIED
    if v.flying:
        v.flight.mgr.set_camera_distance(c.p[0])
    return ACCEPTED


# --- the vehicle ----------------------------------------------------------------------------


def _prearm(v, c: Command) -> int:
    if v.armed:
        return TEMP_REJECTED
    why = v.prearm_problem()
    if why is not None:
        v.statustext(why, M.MAV_SEVERITY_CRITICAL)
    return ACCEPTED


def _reboot(v, c: Command) -> int:
    """PREFLIGHT_REBOOT_SHUTDOWN param1 1: restart the vehicle after the ACK (parameters,
    mission, fence and rally kept, as ArduPilot's storage keeps them); refused when armed."""
    if int(c.p[0]) != 1:
        return UNSUPPORTED  # shutdown, bootloader: not for a simulated autopilot
    if v.armed:
        return FAILED
    v.reboot_pending = True
    return ACCEPTED


def _terminate(v, c: Command) -> int:
    """DO_FLIGHTTERMINATION param1 > 0.5: AFS_ENABLE 1 required; the engine stops and the
    surfaces go neutral (ArduPlane's AFS termination); there is no way back."""
    if not c.p[0] > 0.5:
        return ACCEPTED if not (v.flying and v.flight.terminated) else FAILED
    if not v.param("AFS_ENABLE", 0):
        v.statustext("flight termination refused: AFS_ENABLE is 0", M.MAV_SEVERITY_WARNING)
        return FAILED
    if v.flying:
        v.flight.terminate()
        v.statustext("Terminating due to GCS request", M.MAV_SEVERITY_CRITICAL)
    v.armed = v.armed and not v.flying
    return ACCEPTED


def _set_home(v, c: Command) -> int:
    if c.p[0] == 1.0:
        here = v.here()
        lat, lon, alt = here.lat_deg, here.lon_deg, here.alt_m
    else:
        if c.lat is None or not (-90 <= c.lat <= 90 and -180 <= c.lon <= 180):
            return DENIED
        lat, lon, alt = c.lat, c.lon, c.alt  # a NaN altitude is refused (below)
        if c.frame in REL_FRAMES:
            alt += v.home.alt_m
    if not (math.isfinite(alt) and ALT_MIN_M <= alt <= ALT_MAX_M):
        return DENIED
    v.set_home(lat, lon, alt)
    return ACCEPTED


def _after(name: str) -> Callable:
    def handler(v, c: Command) -> int:
        v.after_ack.append(name)
        return ACCEPTED

    return handler


HANDLERS: dict[int, Callable] = {
    M.MAV_CMD_COMPONENT_ARM_DISARM: _arm_disarm,
    M.MAV_CMD_DO_SET_MODE: _set_mode,
    M.MAV_CMD_MISSION_START: _mission_start,
    M.MAV_CMD_NAV_TAKEOFF: lambda v, c: v.set_mode(int(Mode.TAKEOFF)),
    M.MAV_CMD_NAV_RETURN_TO_LAUNCH: lambda v, c: v.set_mode(int(Mode.RTL)),
    M.MAV_CMD_NAV_LOITER_UNLIM: lambda v, c: v.set_mode(int(Mode.LOITER)),
    M.MAV_CMD_DO_GO_AROUND: _go_around,
    M.MAV_CMD_DO_CHANGE_SPEED: _change_speed,
    M.MAV_CMD_DO_REPOSITION: _reposition,
    M.MAV_CMD_DO_ORBIT: _orbit,
    M.MAV_CMD_DO_CHANGE_ALTITUDE: _change_altitude,
    M.MAV_CMD_GUIDED_CHANGE_ALTITUDE: _change_altitude,
    M.MAV_CMD_DO_PAUSE_CONTINUE: _pause_continue,
    M.MAV_CMD_DO_LAND_START: _land_start,
    M.MAV_CMD_DO_SET_SERVO: _set_servo,
    M.MAV_CMD_DO_REPEAT_SERVO: _repeat_servo,
    M.MAV_CMD_DO_SET_RELAY: _set_relay,
    M.MAV_CMD_DO_DIGICAM_CONTROL: _digicam,
    M.MAV_CMD_IMAGE_START_CAPTURE: _image_start,
    M.MAV_CMD_IMAGE_STOP_CAPTURE: _image_stop,
    M.MAV_CMD_DO_SET_CAM_TRIGG_DIST: _cam_trigg_dist,
    M.MAV_CMD_RUN_PREARM_CHECKS: _prearm,
    M.MAV_CMD_PREFLIGHT_REBOOT_SHUTDOWN: _reboot,
    M.MAV_CMD_DO_FLIGHTTERMINATION: _terminate,
    M.MAV_CMD_DO_SET_HOME: _set_home,
    M.MAV_CMD_GET_HOME_POSITION: _after("HOME_POSITION"),
    M.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES: _after("AUTOPILOT_VERSION"),
}  # fmt: skip


def run_command(v, c: Command) -> int:
    """The MAV_RESULT of command ``c`` on vehicle ``v`` (a
    :class:`~longwing.mavlink.vehicle.SitlVehicle`)."""
    handler = HANDLERS.get(c.cmd)
    if handler is None:
        return v.more_commands(c)
    return handler(v, c)
