"""The simulated vehicle as an ArduPlane on MAVLink 2.

:class:`SitlVehicle` owns the simulation (a :class:`~longwing.sim.runner.Flight` once
launched), the mission/fence/rally store and the parameters, and speaks MAVLink through
:class:`~longwing.mavlink.link.Links`. It identifies as ArduPlane (HEARTBEAT from component 1,
MAV_TYPE_FIXED_WING, MAV_AUTOPILOT_ARDUPILOTMEGA, ArduPlane custom modes), streams telemetry
(:mod:`longwing.mavlink.telemetry`) at the standard rates (changeable with REQUEST_DATA_STREAM
and MAV_CMD_SET_MESSAGE_INTERVAL), answers MAV_CMD_REQUEST_MESSAGE, runs the mission and
parameter microservices and the commands a GCS sends (each answered with COMMAND_ACK;
unsupported -> MAV_RESULT_UNSUPPORTED), and turns every flight event and failsafe into a
STATUSTEXT.

Time: the simulation advances in fixed slices of sim time (lockstep); the loop paces them
against the wall clock at ``speedup`` x real time, so what is flown does not depend on the
machine's load (a slow machine only runs slower than asked). The link is a wall-clock thing
at the edge: telemetry streams are paced at their rates in wall time (a GCS gets ATTITUDE at
10 Hz whatever the speedup), and no GCS heartbeat for ``GCS_TIMEOUT_S`` of wall time means
the link is down, which the flight's failsafe logic then times in sim time
(FS_SHORT/LONG_TIMEOUT).

Before launch the aircraft stands disarmed at home. Arming (MAV_CMD_COMPONENT_ARM_DISARM)
runs pre-arm checks (a mission to fly in AUTO, a home); armed in AUTO (or on
MAV_CMD_MISSION_START / NAV_TAKEOFF) it is launched with the airframe's method and flies the
mission; after landing it disarms itself.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from types import MappingProxyType

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.airframe.params import Airframe
from longwing.mavlink.commands import Command, run_command
from longwing.mavlink.ftp import VehicleFtp
from longwing.mavlink.gcs_requests import (
    command_of,
    init_rates,
    more_commands,
    on_param_set,
    pilot_step,
    position_target,
    request_data_stream,
)
from longwing.mavlink.link import Links, new_parser
from longwing.mavlink.log_protocol import VehicleLogs
from longwing.mavlink.outputs import Outputs
from longwing.mavlink.prearm import prearm_problem
from longwing.mavlink.rc_input import RcFailsafe, RcInput
from longwing.mavlink.services import VehicleServices
from longwing.mavlink.telemetry import base_mode_of, telemetry_message
from longwing.mavlink.terrain_protocol import VehicleTerrain, database_terrain, terrain_points
from longwing.mission.failsafe import NOTICE_KINDS
from longwing.mission.manager import Mode, Position
from longwing.mission.model import Home, Mission
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import WindField
from longwing.planning.wind4d import WindGrid4D
from longwing.sim import closedloop as cl
from longwing.sim.runner import Flight, FlightScenario

M = mavlink2
SLICE_S = 0.02  # sim time per loop iteration (the autopilot's 50 Hz tick)
RATE_MAX_HZ = 50.0  # the most any stream is sent at
GCS_TIMEOUT_S = 2.0  # no GCS heartbeat for this long (wall time, a GCS's clock): link down
# ArduPlane's modes for a plane without QuadPlane; the ones longwing cannot fly are refused
MODE_NAMES = MappingProxyType({
    0: "MANUAL", 1: "CIRCLE", 2: "STABILIZE", 3: "TRAINING", 4: "ACRO", 5: "FBWA", 6: "FBWB",
    7: "CRUISE", 8: "AUTOTUNE", 10: "AUTO", 11: "RTL", 12: "LOITER", 13: "TAKEOFF",
    14: "AVOID_ADSB", 15: "GUIDED", 24: "THERMAL",
})  # fmt: skip
FLYABLE = frozenset(int(m) for m in Mode)
NOT_FLOWN = MappingProxyType({
    8: "AUTOTUNE tunes gains in flight; longwing's gains come from its parameters",
    14: "AVOID_ADSB needs ADS-B traffic, which longwing does not simulate",
    24: "THERMAL needs soaring, which longwing does not simulate",
})  # fmt: skip
# commands whose params 1-4 may be NaN ("unchanged", "default"); any other with a NaN there
# is denied
NAN_PARAMS_OK = frozenset({M.MAV_CMD_DO_REPOSITION, M.MAV_CMD_DO_ORBIT,
                           M.MAV_CMD_DO_CHANGE_ALTITUDE, M.MAV_CMD_GUIDED_CHANGE_ALTITUDE,
                           M.MAV_CMD_DO_SET_HOME, M.MAV_CMD_IMAGE_START_CAPTURE})  # fmt: skip
EVENT_SEVERITY = MappingProxyType({
    "failsafe": M.MAV_SEVERITY_CRITICAL, "ground_contact": M.MAV_SEVERITY_CRITICAL,
    "fuel_exhausted": M.MAV_SEVERITY_CRITICAL, "stopped_on_ground": M.MAV_SEVERITY_WARNING,
})  # fmt: skip


class SitlVehicle:
    """One simulated ArduPlane (see the module doc)."""

    def __init__(
        self,
        airframe: Airframe,
        home: Home,
        links: Links,
        *,
        sysid: int = 1,
        mission: Mission | None = None,
        wind: WindField | WindGrid4D | None = None,  # a grid: t = 0 at each launch
        turbulence: Turbulence = Turbulence.NONE,
        seed: int = 1,
        params=None,
        terrain=None,  # the ground: a geo.terrain_grid.Terrain; None: flat at home
        min_clearance_m: float = 50.0,  # the PreArm's terrain clearance (plan check's)
        mission_protocol_factory: Callable | None = None,
        param_protocol_factory: Callable | None = None,
    ) -> None:
        self.af = airframe
        self.home = home
        self.links = links
        self.sysid = sysid
        self.compid = 1
        self.mav = new_parser(sysid, self.compid)  # encoder for our frames
        self.mission = mission or Mission(home=home)
        self.wind = wind or WindField.calm()
        self.turbulence = turbulence
        self.terrain = terrain
        self.seed = seed
        self.params = params
        self.mission_proto = mission_protocol_factory(self) if mission_protocol_factory else None
        self.param_proto = param_protocol_factory(self) if param_protocol_factory else None
        self.sim_t = 0.0
        self.last_gcs_hb: float | None = None
        self.statustext_id = 0
        self.stats = {"rx": 0, "tx": 0}
        self.reply_to = None  # the endpoint of the message being handled
        self.param_list_ep = None  # the endpoint of the last PARAM_REQUEST_LIST
        self.terrain_io = VehicleTerrain(self.mav, terrain, min_clearance_m)
        tlog = getattr(links, "tlog", None)  # MAVFTP serves the tlog's folder as /APM/LOGS
        self.ftp = VehicleFtp(self.mav, params, tlog.path.parent if tlog is not None else None)
        self.services = VehicleServices(self)  # fence, banner, camera feedback, answers
        self.logs = VehicleLogs(tlog.path.parent if tlog is not None else None, self.mav)
        self._boot()

    def _boot(self) -> None:
        """The state a (re)started autopilot has: disarmed in MANUAL, no flight, no stick
        input, outputs idle (parameters, mission, fence, rally and home are kept)."""
        self.armed = False
        self.mode = int(self.param("INITIAL_MODE", 0))  # ArduPlane's boot mode (MANUAL)
        if self.mode not in MODE_NAMES or self.mode in NOT_FLOWN:
            self.mode = 0
        self.launch_t = 0.0  # vehicle sim time of the launch (the flight's t = 0)
        self.flight: Flight | None = None
        self.landed_done = False
        self.n_events_sent = 0
        self.n_failsafes_sent = 0
        self.after_ack: list[str] = []  # messages a command asked for, sent after its ACK
        self.launch_pending = False
        self.reboot_pending = False
        self.rc = RcInput()
        self.rc_fs = RcFailsafe()
        self.outputs = Outputs()
        self.services.reboot()
        for ep in self.links.endpoints():
            ep.rates.clear()
            ep.next_send.clear()

    # --- sending ----------------------------------------------------------------------------

    def send(self, msg, broadcast: bool = False) -> None:
        """Encode and send: to the endpoint a message is addressed to (its target system
        heard there), else in reply to the message being handled, else (or ``broadcast``)
        to every link; each link numbers its frames in its own sequence, as ArduPilot's
        channels do."""
        ep = None
        if not broadcast:
            tsys = getattr(msg, "target_system", 0)
            if tsys:
                ep = self.links.endpoint_of(tsys, getattr(msg, "target_component", 0))
            if ep is None:
                ep = self.reply_to
        eps = [ep] if ep is not None else self.links.endpoints()
        for k, e in enumerate(eps):
            self.mav.seq = e.tx_seq
            try:
                frame = msg.pack(self.mav)
            except Exception:  # a field out of its wire range: never take the vehicle down
                return
            e.tx_seq = (e.tx_seq + 1) % 256
            self.links.send_to(e, frame, log=k == 0)
        self.stats["tx"] += 1

    def statustext(self, text: str, severity: int = M.MAV_SEVERITY_INFO) -> None:
        """STATUSTEXT to every link, in 50-character chunks (MAVLink 2 id/chunk_seq) when
        longer."""
        data = text.encode("ascii", "replace")
        self.statustext_id = (self.statustext_id % 65535) + 1
        chunks = [data[i : i + 50] for i in range(0, max(len(data), 1), 50)]
        for k, chunk in enumerate(chunks):
            sid = self.statustext_id if len(chunks) > 1 else 0
            self.send(self.mav.statustext_encode(severity, chunk, sid, k), broadcast=True)

    # --- state ------------------------------------------------------------------------------

    @property
    def flying(self) -> bool:
        return self.flight is not None and not self.flight.done

    def snapshot(self) -> dict:
        """The latest logged state (kernel units), or the aircraft standing at home."""
        f = self.flight
        if f is not None and f.n_log > 0:
            return dict(zip(cl.LOG_COLUMNS, f.last_row, strict=True))
        lat, lon = math.radians(self.home.lat_deg), math.radians(self.home.lon_deg)
        snap = dict.fromkeys(cl.LOG_COLUMNS, 0.0)
        snap.update(lat_rad=lat, lon_rad=lon, alt_m=self.home.alt_m, est_lat_rad=lat,
                    est_lon_rad=lon, est_alt_m=self.home.alt_m,
                    fuel_kg=self.af.mass.fuel_capacity_kg)  # fmt: skip
        return snap

    def here(self) -> Position:
        """The autopilot's estimate of where it is (AMSL)."""
        s = self.snapshot()
        return Position(math.degrees(s["est_lat_rad"]), math.degrees(s["est_lon_rad"]),
                        s["est_alt_m"])  # fmt: skip

    def time_boot_ms(self) -> int:
        return int(self.sim_t * 1000.0) & 0xFFFFFFFF

    def base_mode(self) -> int:
        return base_mode_of(self.mode, self.armed)

    def gnss_fix_type(self) -> int:
        """GPS_RAW_INT's fix type: 3 (3D), 0 while a GNSS-loss fault is active."""
        fix = 3
        if self.flight is not None and self.flight.gnss_off:
            fix = 0
        return fix

    def param(self, name: str, default: float) -> float:
        """Parameter ``name``'s value, ``default`` if the store has none of that name."""
        p = self.params
        if p is None or name not in p:
            return default
        return p.get(name)

    def servo_function(self, ch: int) -> int:
        """SERVOn_FUNCTION (ArduPlane's defaults: 1 aileron, 2 elevator, 3 throttle, 4
        rudder, the others none)."""
        return int(self.param(f"SERVO{ch}_FUNCTION", {1: 4, 2: 19, 3: 70, 4: 21}.get(ch, 0)))

    # --- telemetry --------------------------------------------------------------------------

    def _telemetry(self) -> None:
        # streams are paced in wall time, per link: at --speedup 100 a GCS still gets
        # ATTITUDE at 10 Hz, not 1,000 (events, MISSION_ITEM_REACHED and STATUSTEXT are
        # always sent); one link's requested rates never change another's
        now = time.monotonic()
        for ep in self.links.endpoints():
            init_rates(self, ep)
            if now < ep.next_any:
                continue  # nothing due on this link yet
            nxt = math.inf
            for name, hz in ep.rates.items():
                if hz <= 0.0:
                    continue
                due = ep.next_send.get(name, 0.0)
                if now >= due:
                    due = ep.next_send[name] = now + 1.0 / hz
                    self.reply_to = ep
                    self.send_message(name)
                nxt = min(nxt, due)
            ep.next_any = nxt
        self.reply_to = None

    def send_message(self, name: str) -> bool:
        """Send one message by name (also for MAV_CMD_REQUEST_MESSAGE); False if unknown or
        if a value cannot be encoded (a telemetry value never takes the vehicle down)."""
        try:
            msg = telemetry_message(self, name)
            if msg is None:
                return False
            self.send(msg)
            return True
        except (ValueError, ArithmeticError, TypeError):
            return False

    # --- events -> STATUSTEXT -----------------------------------------------------------------

    def _announce(self) -> None:
        f = self.flight
        if f is None:
            return
        events = f.mgr.events
        while self.n_events_sent < len(events):
            ev = events[self.n_events_sent]
            self.n_events_sent += 1
            if ev.kind == "item_reached":
                self.send(self.mav.mission_item_reached_encode(ev.seq), broadcast=True)
            text = self.services.event_text(ev) or (
                ev.kind.replace("_", " ") + (f": {ev.detail}" if ev.detail else "")
            )
            severity = EVENT_SEVERITY.get(ev.kind, M.MAV_SEVERITY_INFO)
            if ev.kind == "failsafe" and ev.detail.split(":", 1)[0] in NOTICE_KINDS:
                severity = M.MAV_SEVERITY_NOTICE  # an announcement, no action
            self.statustext(text, severity)
        if f.done and not self.landed_done:
            self.landed_done = True
            self.armed = False
            self.logs.finish()  # the flight's DataFlash log
            res = f.result().summary
            self.statustext(f"flight ended: {res['end_state']} ({res['end_reason']})",
                            M.MAV_SEVERITY_NOTICE)  # fmt: skip

    # --- arming, launch, modes --------------------------------------------------------------

    def prearm_problem(self) -> str | None:
        """Why arming must be refused (None: ready): :func:`prearm.prearm_problem`."""
        return prearm_problem(self)

    def arm(self, force: bool = False) -> int:
        why = self.prearm_problem()
        if why is not None and not force:
            self.statustext(why, M.MAV_SEVERITY_CRITICAL)
            return M.MAV_RESULT_FAILED
        self.armed = True
        self.statustext("Arming motors", M.MAV_SEVERITY_INFO)
        if self.mode in (10, 13):
            self.launch_pending = True  # on the next step: the COMMAND_ACK goes out first
        return M.MAV_RESULT_ACCEPTED

    def launch(self) -> None:
        """Create the flight (catapult or runway take-off) with the current settings."""
        if self.flying or not self.armed:
            return
        if self.landed_done:  # fly again: home is where the aircraft stands, as on arming
            self._new_home_after_landing()
        p = self.params
        kw = {}
        if p is not None:
            kw = dict(autopilot=p.autopilot_overrides(), failsafe=p.failsafe_settings(),
                      settings=p.mission_settings())  # fmt: skip
        mission = self.mission
        if not mission.items:  # TAKEOFF with no mission: a take-off, then loiter
            mission = dataclasses.replace(mission, items=())
        known = None
        if self.terrain is None and self.terrain_io.db is not None:  # the GCS's terrain
            known = database_terrain(self.terrain_io.db)
        sc = FlightScenario(self.af, mission, wind=self.wind, turbulence=self.turbulence,
                            seed=self.seed, max_duration_s=1e7, terrain=self.terrain,
                            autopilot_terrain=known, **kw)  # fmt: skip
        self.flight = Flight(sc)
        self.flight.stream_log_to(
            self.logs.start(self.flight, cl.LOG_COLUMNS, self.params, self.sim_t)
        )  # the .bin (telemetry: last row)
        self.launch_t = self.sim_t
        self.services.apply_fence()  # the fence as enabled (DO_FENCE_ENABLE)
        if self.mode == 13:
            self.flight.mgr.set_mode(0.0, int(Mode.TAKEOFF), self.here())
        self.statustext(f"launch: {self.af.launch.method}", M.MAV_SEVERITY_INFO)

    def set_mode(self, custom_mode: int) -> int:
        if custom_mode not in MODE_NAMES:
            return M.MAV_RESULT_DENIED
        if custom_mode in NOT_FLOWN:
            self.statustext(f"mode {MODE_NAMES[custom_mode]} refused: "
                            f"{NOT_FLOWN[custom_mode]}", M.MAV_SEVERITY_WARNING)  # fmt: skip
            return M.MAV_RESULT_DENIED
        if self.flying and self.flight.terminated:
            return M.MAV_RESULT_FAILED
        if custom_mode == self.mode and (self.flying or self.launch_pending):
            return M.MAV_RESULT_ACCEPTED  # already in that mode: nothing to restart
        self.mode = custom_mode
        if self.flying:
            f = self.flight
            f.mgr.set_mode(f.t_s, custom_mode, self.here())
            self.rc_fs.reset()
            self.retarget()
        elif self.armed and custom_mode in (10, 13):
            self.launch_pending = True  # on the next step: the COMMAND_ACK goes out first
        return M.MAV_RESULT_ACCEPTED

    def retarget(self) -> None:
        self.flight.retarget()

    def guided_goto(self, dest: Position, radius_m: float = 0.0) -> None:
        """GUIDED to ``dest`` (AMSL) and loiter there (``radius_m`` signed, 0: as before)."""
        f = self.flight
        f.mgr.guided_goto(f.t_s, self.here(), dest, radius_m)
        self.mode = int(Mode.GUIDED)
        self.retarget()

    def set_home(self, lat: float, lon: float, alt_m: float) -> None:
        self.home = Home(lat, lon, alt_m)
        self.mission = dataclasses.replace(self.mission, home=self.home)
        if self.flying:
            self.flight.mgr.home = Position(lat, lon, alt_m)
        self.send_message("HOME_POSITION")

    def more_commands(self, c: Command) -> int:
        result = self.services.command(c.cmd, c.p)
        return more_commands(self, c) if result is None else result

    def take_photo(self) -> bool:
        """One camera trigger now (a GCS's DO_DIGICAM_CONTROL, IMAGE_START_CAPTURE)."""
        return self.flying and self.flight.take_photo()

    # --- mission / parameter callbacks ----------------------------------------------------------

    def on_guided(self, item) -> bool:
        """A guided "fly to" (MISSION_ITEM with current = 2, as QGroundControl sends on a
        map click): GUIDED to that point, then loiter there."""
        if not self.flying or not (-90 <= item.x <= 90 and -180 <= item.y <= 180):
            return False
        try:
            from longwing.mission.items import resolve_alt_amsl_m

            alt = resolve_alt_amsl_m(item.to_mission_item(), self.home.alt_m,
                                     self.terrain_io.height_m)  # fmt: skip
        except ValueError:
            return False
        self.guided_goto(Position(item.x, item.y, alt))
        return True

    def on_mission_change(self, mission_type: int, obj) -> None:
        if mission_type == M.MAV_MISSION_TYPE_MISSION:
            self.mission = dataclasses.replace(obj, fence=self.mission.fence,
                                               rally=self.mission.rally)  # fmt: skip
            self.home = self.mission.home
        elif mission_type == M.MAV_MISSION_TYPE_FENCE:
            self.mission = dataclasses.replace(self.mission, fence=obj)
        elif mission_type == M.MAV_MISSION_TYPE_RALLY:
            self.mission = dataclasses.replace(self.mission, rally=tuple(obj))
        if self.flying:  # the manager flies the new items from the current seq on
            mgr = self.flight.mgr
            mgr.mission = self.mission
            self.services.apply_fence()

    # --- the loop ---------------------------------------------------------------------------

    def handle(self, msg, ep=None) -> None:
        """One message received on endpoint ``ep`` (replies go back there; None: to all)."""
        self.stats["rx"] += 1
        self.reply_to = ep
        try:
            self._handle(msg)
        finally:
            self.reply_to = None

    def _handle(self, msg) -> None:
        t = msg.get_type()
        tsys = getattr(msg, "target_system", None)
        if tsys is None:
            tsys = getattr(msg, "target", None)  # MANUAL_CONTROL
        if tsys is not None and tsys not in (0, self.sysid):
            return  # for another vehicle
        if self.services.handle(msg):
            return
        now = time.monotonic()
        if t == "HEARTBEAT":
            if msg.get_srcSystem() != self.sysid and msg.type == M.MAV_TYPE_GCS:
                self.last_gcs_hb = now
            return
        if t in ("COMMAND_LONG", "COMMAND_INT"):
            sender = (msg.get_srcSystem(), msg.get_srcComponent())
            p = (msg.param1, msg.param2, msg.param3, msg.param4)
            if msg.command not in NAN_PARAMS_OK and any(not math.isfinite(v) for v in p):
                self.send(self.mav.command_ack_encode(msg.command, M.MAV_RESULT_DENIED, 0, 0,
                                                      *sender))  # fmt: skip
                return
            try:
                result = run_command(self, command_of(msg))
            except Exception as exc:  # a command must never take the vehicle down
                self.statustext(f"command {msg.command} failed: {exc}"[:200],
                                M.MAV_SEVERITY_ERROR)  # fmt: skip
                result = M.MAV_RESULT_FAILED
            self.send(self.mav.command_ack_encode(msg.command, result, 0, 0, *sender))
            pending, self.after_ack = self.after_ack, []
            for name in pending:
                self.send_message(name)
            return
        if t == "SET_MODE":
            if msg.base_mode & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
                self.set_mode(int(msg.custom_mode))
            return
        if t == "REQUEST_DATA_STREAM":
            request_data_stream(self, msg)
            return
        if t == "RC_CHANNELS_OVERRIDE":
            self.rc.override([getattr(msg, f"chan{i}_raw") for i in range(1, 19)], now)
            return
        if t == "MANUAL_CONTROL":
            self.rc.manual_control(msg.x, msg.y, msg.z, msg.r, self.param, now)
            return
        if t == "SET_POSITION_TARGET_GLOBAL_INT":
            position_target(self, msg)
            return
        if t in ("TERRAIN_DATA", "TERRAIN_CHECK"):
            alt = self.snapshot()["est_alt_m"] if self.flying else self.home.alt_m
            for out in self.terrain_io.handle(msg, self._terrain_spacing(), alt):
                self.send(out)
            return
        if t.startswith("MISSION_") and self.mission_proto is not None:
            for out in self.mission_proto.handle(
                msg, now, (msg.get_srcSystem(), msg.get_srcComponent())
            ):
                self.send(out)
            return
        if t.startswith("LOG_"):
            for out in self.logs.handle(msg, self.reply_to):
                self.send(out)
            return
        if t == "FILE_TRANSFER_PROTOCOL":
            for out in self.ftp.handle(msg):
                self.send(out)
            return
        if t.startswith("PARAM_") and self.param_proto is not None:
            if t == "PARAM_REQUEST_LIST":
                self.param_list_ep = self.reply_to
            for out in self.param_proto.handle(msg, now):
                self.send(out, broadcast=t == "PARAM_SET")  # a change: every GCS hears it
                if t == "PARAM_SET" and out.get_type() == "PARAM_VALUE":
                    on_param_set(self, out.param_id)
            return

    def step(self) -> None:
        """One slice of sim time: the flight, link state, telemetry, announcements."""
        if self.reboot_pending:
            self._reboot()
        if self.launch_pending:
            self.launch_pending = False
            try:
                self.launch()
            except (ValueError, RuntimeError) as exc:  # TrimError, MissionError, ... at launch
                self.flight = None
                self.armed = False
                self.statustext(f"launch refused: {exc}"[:200], M.MAV_SEVERITY_CRITICAL)
        self.sim_t += SLICE_S
        now = time.monotonic()
        f = self.flight
        if self.flying:
            f.gcs_link_up = (self.last_gcs_hb is None
                             or now - self.last_gcs_hb < GCS_TIMEOUT_S)  # fmt: skip
            pilot_step(self, now)
            for _ in range(self.outputs.tick(self.sim_t)):
                self.take_photo()
            f.run(self.sim_t - self.launch_t)
            nf = len(f.failsafes)
            while self.n_failsafes_sent < nf:
                fs = f.failsafes[self.n_failsafes_sent]
                self.n_failsafes_sent += 1
                if fs["action"] in ("RTL", "CIRCLE", "GUIDED") or fs["action"].startswith(
                    ("land", "glide")
                ):
                    self.mode = {"RTL": 11, "CIRCLE": 1, "GUIDED": 15}.get(fs["action"], 10)
        if self.mission_proto is not None:
            for out in self.mission_proto.tick(now):
                self.send(out)
        self.reply_to = self.param_list_ep  # the rest of a PARAM_REQUEST_LIST, paced in wall
        for out in self.param_proto.tick(time.monotonic()) if self.param_proto else ():
            self.send(out)  # time, to the link that asked
        self.reply_to = self.logs.asker  # LOG_DATA, paced in wall time, to the link that asked
        for out in self.logs.tick():
            self.send(out)
        self.reply_to = None
        self._announce()
        self.services.tick()
        self._telemetry()
        here = self.here() if self.flying else Position(self.home.lat_deg, self.home.lon_deg,
                                                         self.home.alt_m)  # fmt: skip
        enabled = bool(self.param("TERRAIN_ENABLE", 1))
        for out in self.terrain_io.tick(now, enabled, self._terrain_spacing(),
                                        (here.lat_deg, here.lon_deg, here.alt_m),
                                        terrain_points(self.mission)):  # fmt: skip
            self.send(out)

    def _reboot(self) -> None:
        """PREFLIGHT_REBOOT_SHUTDOWN: the autopilot starts again (see :meth:`_boot`)."""
        self.statustext("Rebooting", M.MAV_SEVERITY_NOTICE)
        self._boot()
        self.statustext(f"ArduPlane (longwing SITL) sysid {self.sysid} restarted",
                        M.MAV_SEVERITY_INFO)  # fmt: skip

    def _new_home_after_landing(self) -> None:
        """ArduPlane sets home where it is armed: a second flight starts from the last one's
        stopping point (its ground), flies the mission from its first item."""
        f = self.flight
        if f.end_state.value != "aborted":  # an aborted launch never left home
            s = self.snapshot()
            self.home = Home(math.degrees(s["lat_rad"]), math.degrees(s["lon_rad"]),
                             f.mgr.ground_alt_m)  # fmt: skip
            self.mission = dataclasses.replace(self.mission, home=self.home)
        self.flight = None
        self.landed_done = False
        self.n_events_sent = 0
        self.n_failsafes_sent = 0

    def _terrain_spacing(self) -> float:
        return float(self.param("TERRAIN_SPACING", 100.0))
