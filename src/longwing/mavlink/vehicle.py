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
from longwing.control import target as tg
from longwing.mavlink.ftp import VehicleFtp
from longwing.mavlink.link import Links, new_parser
from longwing.mavlink.prearm import prearm_problem
from longwing.mavlink.telemetry import DEFAULT_RATES, STREAMS, telemetry_message
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
ALT_MIN_M, ALT_MAX_M = -500.0, 10_000.0  # plausible altitudes for home and guided targets
RATE_MAX_HZ = 50.0  # the most any stream is sent at
GCS_TIMEOUT_S = 2.0  # no GCS heartbeat for this long (wall time, a GCS's clock): link down
MODE_NAMES = MappingProxyType({
    0: "MANUAL", 1: "CIRCLE", 2: "STABILIZE", 5: "FBWA", 6: "FBWB", 7: "CRUISE", 10: "AUTO",
    11: "RTL", 12: "LOITER", 13: "TAKEOFF", 15: "GUIDED",
})  # fmt: skip
FLYABLE = frozenset(int(m) for m in Mode)
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
        self.armed = False
        self.mode = 0  # MANUAL until a mode is chosen (ArduPlane boots in MANUAL)
        self.launch_t = 0.0  # vehicle sim time of the launch (the flight's t = 0)
        self.flight: Flight | None = None
        self.landed_done = False
        self.rates = dict(DEFAULT_RATES)
        self.next_send = dict.fromkeys(self.rates, 0.0)
        self.last_gcs_hb: float | None = None
        self.n_events_sent = 0
        self.n_failsafes_sent = 0
        self.statustext_id = 0
        self.stats = {"rx": 0, "tx": 0}
        self.after_ack: list[str] = []  # messages a command asked for, sent after its ACK
        self.launch_pending = False
        self.terrain_io = VehicleTerrain(self.mav, terrain, min_clearance_m)
        tlog = getattr(links, "tlog", None)  # MAVFTP serves the tlog's folder as /APM/LOGS
        self.ftp = VehicleFtp(self.mav, params, tlog.path.parent if tlog is not None else None)

    # --- sending ----------------------------------------------------------------------------

    def send(self, msg) -> None:
        try:
            frame = msg.pack(self.mav)
        except Exception:  # a field out of its wire range: never take the vehicle down
            return
        self.mav.seq = (self.mav.seq + 1) % 256  # pack() uses it but does not advance it
        self.links.send(frame)
        self.stats["tx"] += 1

    def statustext(self, text: str, severity: int = M.MAV_SEVERITY_INFO) -> None:
        """STATUSTEXT, in 50-character chunks (MAVLink 2 id/chunk_seq) when longer."""
        data = text.encode("ascii", "replace")
        self.statustext_id = (self.statustext_id % 65535) + 1
        chunks = [data[i : i + 50] for i in range(0, max(len(data), 1), 50)]
        for k, chunk in enumerate(chunks):
            sid = self.statustext_id if len(chunks) > 1 else 0
            self.send(self.mav.statustext_encode(severity, chunk, sid, k))

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

    def time_boot_ms(self) -> int:
        return int(self.sim_t * 1000.0) & 0xFFFFFFFF

    def base_mode(self) -> int:
        b = M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        if self.armed:
            b |= M.MAV_MODE_FLAG_SAFETY_ARMED
        if self.mode in (10, 11, 12, 13, 1, 15, 7):
            b |= M.MAV_MODE_FLAG_STABILIZE_ENABLED | M.MAV_MODE_FLAG_GUIDED_ENABLED
        if self.mode == 10:
            b |= M.MAV_MODE_FLAG_AUTO_ENABLED
        return b

    def gnss_fix_type(self) -> int:
        """GPS_RAW_INT's fix type: 3 (3D), 0 while a GNSS-loss fault is active."""
        fix = 3
        if self.flight is not None and self.flight.gnss_off:
            fix = 0
        return fix

    # --- telemetry --------------------------------------------------------------------------

    def _telemetry(self) -> None:
        # streams are paced in wall time: at --speedup 100 a GCS still gets ATTITUDE at
        # 10 Hz, not 1,000 (events, MISSION_ITEM_REACHED and STATUSTEXT are always sent)
        now = time.monotonic()
        for name, hz in self.rates.items():
            if hz <= 0.0 or now < self.next_send.get(name, 0.0):
                continue
            self.next_send[name] = now + 1.0 / hz
            self.send_message(name)

    def send_message(self, name: str) -> bool:
        """Send one message by name (also for MAV_CMD_REQUEST_MESSAGE); False if unknown or
        if a value cannot be encoded (a telemetry value never takes the vehicle down)."""
        try:
            msg = telemetry_message(self, name)
            if msg is None:
                return False
            self.send(msg)
            return True
        except (ValueError, OverflowError, TypeError):
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
                self.send(self.mav.mission_item_reached_encode(ev.seq))
            text = ev.kind.replace("_", " ") + (f": {ev.detail}" if ev.detail else "")
            severity = EVENT_SEVERITY.get(ev.kind, M.MAV_SEVERITY_INFO)
            if ev.kind == "failsafe" and ev.detail.split(":", 1)[0] in NOTICE_KINDS:
                severity = M.MAV_SEVERITY_NOTICE  # an announcement, no action
            self.statustext(text, severity)
        if f.done and not self.landed_done:
            self.landed_done = True
            self.armed = False
            res = f.result().summary
            self.statustext(f"flight ended: {res['end_state']} ({res['end_reason']})",
                            M.MAV_SEVERITY_NOTICE)  # fmt: skip

    # --- commands ---------------------------------------------------------------------------

    def _ack(self, command: int, result: int, to: tuple[int, int] = (0, 0)) -> None:
        """COMMAND_ACK addressed to the sender (``to`` = its system, component)."""
        self.send(self.mav.command_ack_encode(command, result, 0, 0, to[0], to[1]))

    def _here(self) -> Position:
        s = self.snapshot()
        return Position(math.degrees(s["est_lat_rad"]), math.degrees(s["est_lon_rad"]),
                        s["est_alt_m"])  # fmt: skip

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
        self.flight.stream_log_to(None)  # telemetry reads the latest row; keep no log
        self.launch_t = self.sim_t
        if self.mode == 13:
            self.flight.mgr.set_mode(0.0, int(Mode.TAKEOFF), self._here())
        self.statustext(f"launch: {self.af.launch.method}", M.MAV_SEVERITY_INFO)

    def set_mode(self, custom_mode: int) -> int:
        if custom_mode not in MODE_NAMES:
            return M.MAV_RESULT_DENIED
        if custom_mode not in FLYABLE:
            self.statustext(f"mode {MODE_NAMES[custom_mode]} needs pilot input: refused",
                            M.MAV_SEVERITY_WARNING)  # fmt: skip
            return M.MAV_RESULT_DENIED
        if custom_mode == self.mode and (self.flying or self.launch_pending):
            return M.MAV_RESULT_ACCEPTED  # already in that mode: nothing to restart
        self.mode = custom_mode
        if self.flying:
            f = self.flight
            f.mgr.set_mode(f.t_s, custom_mode, self._here())
            self._retarget()
        elif self.armed and custom_mode in (10, 13):
            self.launch_pending = True  # on the next step: the COMMAND_ACK goes out first
        return M.MAV_RESULT_ACCEPTED

    def _retarget(self) -> None:
        self.flight.retarget()

    def _command(self, cmd: int, p: list[float], lat: float | None, lon: float | None,
                 alt: float | None) -> int:  # fmt: skip
        if cmd == M.MAV_CMD_COMPONENT_ARM_DISARM:
            if p[0] == 1.0:
                return self.arm(force=abs(p[1] - 2989.0) < 0.5)
            if self.flying and abs(p[1] - 21196.0) > 0.5:
                self.statustext("disarm refused: flying", M.MAV_SEVERITY_WARNING)
                return M.MAV_RESULT_FAILED
            self.armed = False
            if self.flying:  # forced in flight: the engine stops (the failsafe glides)
                self.flight.stop_engine()
                self.statustext("forced disarm in flight: engine stopped", 2)
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_DO_SET_MODE:
            if not int(p[0]) & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
                return M.MAV_RESULT_UNSUPPORTED
            return self.set_mode(int(p[1]))
        if cmd == M.MAV_CMD_MISSION_START:
            if not self.mission.items:
                return M.MAV_RESULT_FAILED
            return self.set_mode(10)  # already flying it in AUTO: accepted, no restart
        if cmd == M.MAV_CMD_NAV_TAKEOFF:
            return self.set_mode(13)
        if cmd == M.MAV_CMD_NAV_RETURN_TO_LAUNCH:
            return self.set_mode(11)
        if cmd == M.MAV_CMD_DO_GO_AROUND:  # param1: altitude to climb to above the landing
            if not self.flying:
                return M.MAV_RESULT_DENIED
            alt_m = p[0] if math.isfinite(p[0]) and p[0] > 0.0 else 0.0
            ok = self.flight.command_go_around(alt_m)
            return M.MAV_RESULT_ACCEPTED if ok else M.MAV_RESULT_FAILED
        if cmd == M.MAV_CMD_DO_CHANGE_SPEED:
            env = self.af.envelope
            if not (math.isfinite(p[1]) and env.airspeed_min_mps <= p[1] <= env.airspeed_max_mps):
                return M.MAV_RESULT_DENIED
            if self.flying:
                f = self.flight
                f.mgr.speed_mps = p[1]
                f.target[tg.SPEED] = p[1]
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_DO_REPOSITION:
            if lat is None or not self.flying or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return M.MAV_RESULT_DENIED
            here = self._here()
            dest_alt = alt if alt is not None and math.isfinite(alt) else here.alt_m
            if not ALT_MIN_M <= dest_alt <= ALT_MAX_M:
                return M.MAV_RESULT_DENIED
            f = self.flight
            f.mgr.guided_goto(f.t_s, here, Position(lat, lon, dest_alt))
            self.mode = 15
            self._retarget()
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_DO_SET_HOME:
            if p[0] == 1.0:
                s = self.snapshot()
                lat, lon, alt = (math.degrees(s["est_lat_rad"]), math.degrees(s["est_lon_rad"]),
                                 s["est_alt_m"])  # fmt: skip
            if lat is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return M.MAV_RESULT_DENIED
            alt = self.home.alt_m if alt is None else alt
            if not (math.isfinite(alt) and ALT_MIN_M <= alt <= ALT_MAX_M):
                return M.MAV_RESULT_DENIED
            self.home = Home(lat, lon, alt)
            self.mission = dataclasses.replace(self.mission, home=self.home)
            if self.flying:
                self.flight.mgr.home = Position(lat, lon, self.home.alt_m)
            self.send_message("HOME_POSITION")
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_GET_HOME_POSITION:
            self.after_ack.append("HOME_POSITION")
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES:
            self.after_ack.append("AUTOPILOT_VERSION")
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_REQUEST_MESSAGE:
            name = _name_of(int(p[0]))
            if name is None or name not in self._known_streams():
                return M.MAV_RESULT_UNSUPPORTED
            self.after_ack.append(name)  # the message follows its COMMAND_ACK
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_SET_MESSAGE_INTERVAL:
            name = _name_of(int(p[0]))
            if name is None or name not in self._known_streams():
                return M.MAV_RESULT_UNSUPPORTED
            interval_us = p[1]
            if interval_us == -1:
                self.rates[name] = 0.0
            elif interval_us == 0:
                self.rates[name] = DEFAULT_RATES.get(name, 1.0)
            elif interval_us > 0:
                self.rates[name] = min(1e6 / interval_us, RATE_MAX_HZ)
            else:
                return M.MAV_RESULT_DENIED
            self.next_send.setdefault(name, 0.0)
            return M.MAV_RESULT_ACCEPTED
        if cmd == M.MAV_CMD_DO_SET_MISSION_CURRENT and self.mission_proto is not None:
            return self._set_current(int(p[0]))
        return M.MAV_RESULT_UNSUPPORTED

    def _known_streams(self) -> set[str]:
        return set(DEFAULT_RATES) | {"AUTOPILOT_VERSION"}

    def _set_current(self, seq: int) -> int:
        if not 1 <= seq <= len(self.mission.items):
            return M.MAV_RESULT_DENIED
        if self.flying:
            f = self.flight
            f.mgr.mode = Mode.AUTO
            f.mgr.fs_items = None
            f.mgr._advance(f.t_s, self._here(), seq)
            self.mode = 10
            self._retarget()
        return M.MAV_RESULT_ACCEPTED

    # --- mission / parameter callbacks ----------------------------------------------------------

    def on_guided(self, item) -> bool:
        """A guided "fly to" (MISSION_ITEM with current = 2, as QGroundControl sends on a
        map click): GUIDED to that point, then loiter there."""
        if not self.flying or not (-90 <= item.x <= 90 and -180 <= item.y <= 180):
            return False
        try:
            from longwing.mission.items import resolve_alt_amsl_m

            alt = resolve_alt_amsl_m(item.to_mission_item(), self.home.alt_m)
        except ValueError:
            return False
        f = self.flight
        f.mgr.guided_goto(f.t_s, self._here(), Position(item.x, item.y, alt))
        self.mode = 15
        self._retarget()
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
            self.flight.monitor.fence = self.mission.fence

    # --- the loop ---------------------------------------------------------------------------

    def handle(self, msg) -> None:
        self.stats["rx"] += 1
        t = msg.get_type()
        tsys = getattr(msg, "target_system", None)
        if tsys is not None and tsys not in (0, self.sysid):
            return  # for another vehicle
        if t == "HEARTBEAT":
            if msg.get_srcSystem() != self.sysid and msg.type == M.MAV_TYPE_GCS:
                self.last_gcs_hb = time.monotonic()
            return
        if t in ("COMMAND_LONG", "COMMAND_INT"):
            if t == "COMMAND_LONG":
                p = [msg.param1, msg.param2, msg.param3, msg.param4, msg.param5, msg.param6,
                     msg.param7]  # fmt: skip
                lat, lon, alt = p[4], p[5], p[6]
                lat = None if not math.isfinite(lat) else lat
                lon = None if not math.isfinite(lon) else lon
            else:
                p = [msg.param1, msg.param2, msg.param3, msg.param4, msg.x, msg.y, msg.z]
                lat, lon, alt = msg.x / 1e7, msg.y / 1e7, msg.z
                if msg.x == 0 and msg.y == 0:
                    lat = lon = None
            if any(not math.isfinite(v) for v in p[:4]):
                self._ack(msg.command, M.MAV_RESULT_DENIED,
                          (msg.get_srcSystem(), msg.get_srcComponent()))  # fmt: skip
                return
            try:
                result = self._command(msg.command, p, lat, lon, alt)
            except Exception as exc:  # a command must never take the vehicle down
                self.statustext(f"command {msg.command} failed: {exc}"[:200],
                                M.MAV_SEVERITY_ERROR)  # fmt: skip
                result = M.MAV_RESULT_FAILED
            self._ack(msg.command, result, (msg.get_srcSystem(), msg.get_srcComponent()))
            pending, self.after_ack = self.after_ack, []
            for name in pending:
                self.send_message(name)
            return
        if t == "SET_MODE":
            if msg.base_mode & M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
                self.set_mode(int(msg.custom_mode))
            return
        if t == "REQUEST_DATA_STREAM":
            names = STREAMS.get(msg.req_stream_id)
            if msg.req_stream_id == M.MAV_DATA_STREAM_ALL:
                names = tuple(n for n in DEFAULT_RATES if n != "HEARTBEAT")  # never stopped
            for name in names or ():
                rate = min(float(msg.req_message_rate), RATE_MAX_HZ)
                self.rates[name] = rate if msg.start_stop else 0.0
            return
        if t in ("TERRAIN_DATA", "TERRAIN_CHECK"):
            alt = self.snapshot()["est_alt_m"] if self.flying else self.home.alt_m
            for out in self.terrain_io.handle(msg, self._terrain_spacing(), alt):
                self.send(out)
            return
        if t.startswith("MISSION_") and self.mission_proto is not None:
            for out in self.mission_proto.handle(
                msg, self.sim_t, (msg.get_srcSystem(), msg.get_srcComponent())
            ):
                self.send(out)
            return
        if t == "FILE_TRANSFER_PROTOCOL":
            for out in self.ftp.handle(msg):
                self.send(out)
            return
        if t.startswith("PARAM_") and self.param_proto is not None:
            for out in self.param_proto.handle(msg, self.sim_t):
                self.send(out)
            return

    def step(self) -> None:
        """One slice of sim time: the flight, link state, telemetry, announcements."""
        if self.launch_pending:
            self.launch_pending = False
            try:
                self.launch()
            except (ValueError, RuntimeError) as exc:  # TrimError, MissionError, ... at launch
                self.flight = None
                self.armed = False
                self.statustext(f"launch refused: {exc}"[:200], M.MAV_SEVERITY_CRITICAL)
        self.sim_t += SLICE_S
        f = self.flight
        if self.flying:
            f.gcs_link_up = (self.last_gcs_hb is None
                             or time.monotonic() - self.last_gcs_hb < GCS_TIMEOUT_S)  # fmt: skip
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
            for out in self.mission_proto.tick(self.sim_t):
                self.send(out)
        for out in self.param_proto.tick(time.monotonic()) if self.param_proto else ():
            self.send(out)  # the rest of a PARAM_REQUEST_LIST, paced in wall time
        self._announce()
        self._telemetry()
        if self.flying:
            s = self.snapshot()
            here = (math.degrees(s["est_lat_rad"]), math.degrees(s["est_lon_rad"]),
                    s["est_alt_m"])  # fmt: skip
        else:
            here = (self.home.lat_deg, self.home.lon_deg, self.home.alt_m)
        enabled = self.params is None or bool(self.params.get("TERRAIN_ENABLE"))
        for out in self.terrain_io.tick(time.monotonic(), enabled, self._terrain_spacing(),
                                        here, terrain_points(self.mission)):  # fmt: skip
            self.send(out)

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
        return 100.0 if self.params is None else float(self.params.get("TERRAIN_SPACING"))


def _name_of(msg_id: int) -> str | None:
    cls = M.mavlink_map.get(msg_id)
    return None if cls is None else cls.msgname
