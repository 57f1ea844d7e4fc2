"""Mission execution and flight modes: turns mission items into guidance targets.

The slow-loop half of the autopilot (plain Python, a few calls per leg): it walks the
mission items with ArduPlane semantics, executes DO commands, owns the flight mode, and
hands the compiled loop one guidance target at a time (:mod:`longwing.control.target`). It
never touches physics; the runner tells it what happened (target done, touchdown, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.geo.point import GeoPoint
from longwing.geo.wgs84 import geodetic_to_ecef
from longwing.mission.guided import GuidedFlight
from longwing.mission.items import TERRAIN_FRAMES, MavCmd, MissionItem, resolve_alt_amsl_m
from longwing.mission.landing_flight import LandingFlight
from longwing.mission.model import Mission

TAKEOFF_LEG_M = 5000.0  # length of the climb-out line along the launch heading
CRUISE_LEG_M = 100_000.0  # length of the straight line CRUISE mode follows
MIN_LEG_M = 1.0  # legs shorter than this start from the aircraft instead
LAUNCH_INTO_WIND_MPS = 2.0  # launch into the wind above this surface wind


class Mode(IntEnum):
    """ArduPlane flight modes (custom_mode numbers) of a plane without QuadPlane that the
    simulator flies: the pilot modes (:data:`PILOT_MODES`) fly on stick input
    (:mod:`longwing.control.pilot`), the others on their own."""

    MANUAL = 0
    CIRCLE = 1
    STABILIZE = 2
    TRAINING = 3
    ACRO = 4
    FBWA = 5
    FBWB = 6
    CRUISE = 7
    AUTO = 10
    RTL = 11
    LOITER = 12
    TAKEOFF = 13
    GUIDED = 15


#: modes flown on the pilot's sticks (target kind TK_PILOT); without stick input (``fly``,
#: or a GCS that sends none) the sticks are centred and the throttle closed
PILOT_MODES = frozenset({Mode.MANUAL, Mode.STABILIZE, Mode.TRAINING, Mode.ACRO, Mode.FBWA,
                         Mode.FBWB})  # fmt: skip


@dataclass(frozen=True)
class MissionSettings:
    """Navigation settings (ArduPlane parameter names, SI units)."""

    WP_RADIUS: float = 60.0  # m, default acceptance radius
    WP_LOITER_RAD: float = 120.0  # m, default loiter radius (+ clockwise)
    RTL_ALTITUDE: float = 150.0  # m above home
    RTL_AUTOLAND: int = 2  # 0: loiter at home; 1, 2: fly the DO_LAND_START sequence
    TKOFF_ALT: float = 50.0  # m above home, when the mission has no NAV_TAKEOFF
    LAND_FLARE_ALT: float = 2.0  # m above the landing point
    LAND_FLARE_SINK: float = 0.4  # m/s sink demanded in the flare
    LAND_FLARE_SEC: float = 2.0  # s: flare this long before the ground at the current sink
    LAND_APPROACH_SPD: float = 22.0  # m/s airspeed on the final approach
    # go-around (docs/landing.md): the approach is judged once the glide slope is below
    # LAND_DECIDE_ALT above the landing point; too high when the slope still reaching the
    # touchdown zone is steeper than planned + LAND_ABORT_SLOPE (ArduPlane's LAND_ABORT_DEG in
    # role); LAND_ATTEMPTS approaches to one landing, then a loiter over home (RTL_ALTITUDE
    # within the fence)
    LAND_DECIDE_ALT: float = 15.0  # m
    LAND_ABORT_SLOPE: float = math.radians(3.0)  # rad
    LAND_ATTEMPTS: int = 2
    AIRSPEED_CRUISE: float = 25.0  # m/s
    TKOFF_CLIMB_PITCH: float = math.radians(8.0)  # rad, minimum pitch in the climb-out
    TKOFF_ROTATE_SPD: float = 20.0  # m/s airspeed to rotate on a runway take-off
    ECO_SPEED: int = 0  # 1: straight legs fly the speed to fly for range in the wind estimate
    TERRAIN_LOOKAHD: float = 2000.0  # m of terrain ahead a terrain-following leg climbs for
    RNGFND_LANDING: int = 0  # 1: landings use the airframe's rangefinder for the ground
    TERRAIN_FOLLOW: int = 0  # 1: RTL flies home at RTL_ALTITUDE above the terrain (a DEM)


@dataclass(frozen=True)
class MissionEvent:
    t_s: float
    kind: str  # item_reached, mode, touchdown, landed, camera_stop, do_command, ...
    seq: int
    mode: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    detail: str = ""

    def as_dict(self) -> dict:
        return {
            "t_s": self.t_s, "kind": self.kind, "seq": self.seq, "mode": self.mode,
            "lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "alt_m": self.alt_m,
            "detail": self.detail,
        }  # fmt: skip


#: A position the manager flies from or to (``alt_m`` above mean sea level): the one
#: :class:`~longwing.geo.point.GeoPoint`, frozen (a new position is a new point).
Position = GeoPoint


def _distance_m(a: Position, b: Position) -> float:
    return Geodesic.WGS84.Inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)["s12"]


class MissionManager(LandingFlight, GuidedFlight):
    """Executes a :class:`Mission`; writes guidance targets into ``target`` (in place).
    ``landing_limits``: the airframe's LandingLimits (the tailwind limit of the landing
    direction, the automatic go-around); None: neither."""

    def __init__(self, mission: Mission, settings: MissionSettings, target: np.ndarray,
                 landing_limits=None):  # fmt: skip
        self.mission = mission
        self.s = settings
        self.tgt = target
        self.mode = Mode.AUTO
        self.home = Position(mission.home.lat_deg, mission.home.lon_deg, mission.home.alt_m)
        self.ground_alt_m = mission.home.alt_m
        # (lat_deg, lon_deg) -> the ground there, m AMSL, when the world has terrain (a DEM):
        # landings touch down on it; None: a landing point's altitude is the mission's
        self.ground_fn: Callable[[float, float], float] | None = None
        self.seq = 0  # current item (1..N), 0 before start
        self.speed_mps = mission.cruise_speed_mps or settings.AIRSPEED_CRUISE
        self.cam_dist_m = 0.0
        self.jumps_done: dict[int, int] = {}
        self.prev = Position(self.home.lat_deg, self.home.lon_deg, self.home.alt_m)
        self.items_reached: list[int] = []
        self.events: list[MissionEvent] = []
        self.finished = False
        self.landed = False
        self.last_land: tuple[Position, Position] | None = None  # (approach start, land point)
        # the landing being flown: where (in words) and whether it is a landing site (home,
        # the mission's NAV_LAND, a rally point) or a forced landing ahead with none
        self.land_label = ""
        self.land_at_site = True
        self.fs_at_site = True  # the failsafe sequence in flight lands at a site
        # a failsafe's own item sequence (land at a rally point, glide to a site), flown in
        # place of the mission's items; and the mode/item a short failsafe resumes
        self.fs_items: tuple[MissionItem, ...] | None = None
        self.fs_label = ""
        self.resume_to: tuple[Mode, int] | None = None
        self._init_landing(landing_limits)
        self._init_guided()

    # --- progress figures ---------------------------------------------------------------

    def nav_seqs(self) -> tuple[int, ...]:
        """Item numbers (1-based) of the mission's navigation items."""
        return tuple(seq for seq, _ in self.mission.nav_items())

    def current_item(self) -> MissionItem | None:
        """The item being flown (a failsafe sequence's own item while one is flown)."""
        items = self._items()
        return items[self.seq - 1] if 1 <= self.seq <= len(items) else None

    def nav_reached(self) -> tuple[int, ...]:
        """The navigation items reached so far (each once, in item order)."""
        nav = set(self.nav_seqs())
        return tuple(sorted(nav.intersection(self.items_reached)))

    # --- helpers --------------------------------------------------------------------------

    def _event(self, t_s: float, kind: str, pos: Position, detail: str = "", seq=None) -> None:
        self.events.append(
            MissionEvent(
                t_s,
                kind,
                self.seq if seq is None else seq,
                self.mode.name,
                pos.lat_deg,
                pos.lon_deg,
                pos.alt_m,
                detail,
            )  # fmt: skip
        )

    def _set_points(self, a: Position, b: Position) -> None:
        t = self.tgt
        t[tg.AX : tg.AZ + 1] = geodetic_to_ecef(
            math.radians(a.lat_deg), math.radians(a.lon_deg), a.alt_m
        )
        t[tg.BX : tg.BZ + 1] = geodetic_to_ecef(
            math.radians(b.lat_deg), math.radians(b.lon_deg), b.alt_m
        )
        t[tg.ALT_A] = a.alt_m
        t[tg.ALT_B] = b.alt_m
        t[tg.LEG_LEN] = Geodesic.WGS84.Inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)["s12"]

    def _common(self, kind: int) -> None:
        t = self.tgt
        t[:] = 0.0
        t[tg.KIND] = kind
        t[tg.SPEED] = self.speed_mps
        t[tg.CAM_DIST] = self.cam_dist_m
        t[tg.GROUND_ALT] = self.ground_alt_m
        t[tg.SEQ] = self.seq
        t[tg.ACCEPT] = self.s.WP_RADIUS
        t[tg.CLIMB_PITCH] = self.s.TKOFF_CLIMB_PITCH

    def _leg(self, a: Position, b: Position, accept_m: float, pass_through: bool) -> None:
        self._common(tg.TK_LEG)
        self._set_points(a, b)
        t = self.tgt
        t[tg.EXIT] = tg.EXIT_REACH
        t[tg.ACCEPT] = accept_m if accept_m > 0 else self.s.WP_RADIUS
        t[tg.PASS] = 1.0 if pass_through else 0.0

    def _loiter(self, centre: Position, radius_m: float, exit_kind: int, value: float) -> None:
        self._common(tg.TK_LOITER)
        self._set_points(centre, centre)
        t = self.tgt
        r = radius_m if radius_m != 0.0 else self.s.WP_LOITER_RAD
        t[tg.RADIUS] = abs(r)
        t[tg.DIR] = 1.0 if r > 0 else -1.0
        t[tg.EXIT] = exit_kind
        t[tg.EXIT_VALUE] = value

    def _alt(self, item: MissionItem) -> float:
        if self.fs_items is not None:  # a failsafe's own items (not in the mission)
            return resolve_alt_amsl_m(item, self.home.alt_m, self.ground_fn)
        return self.mission.resolve_alt(item, home_alt_m=self.home.alt_m, terrain=self.ground_fn)

    def _items(self) -> tuple[MissionItem, ...]:
        return self.fs_items if self.fs_items is not None else self.mission.items

    def _item(self, seq: int) -> MissionItem:
        return self._items()[seq - 1]

    def _pos(self, item: MissionItem, here: Position) -> Position:
        lat, lon = item.lat_deg, item.lon_deg
        if lat == 0.0 and lon == 0.0:  # MAVLink convention: "here"
            lat, lon = here.lat_deg, here.lon_deg
        pos = Position(lat, lon, self._alt(item))
        return self._mirrored(pos) if self._in_mirrored_sequence() else pos

    # --- starting ---------------------------------------------------------------------------

    def launch_heading_deg(self, wind_ne_mps: tuple[float, float] = (0.0, 0.0)) -> float:
        """Heading of the launch and climb-out: into the wind when there is some (as an
        operator launches), else toward the first positioned NAV item after take-off."""
        wn, we = wind_ne_mps
        if math.hypot(wn, we) >= LAUNCH_INTO_WIND_MPS:
            return math.degrees(math.atan2(-we, -wn)) % 360.0
        for _, it in self.mission.nav_items():
            pos = it.position
            if it.command == MavCmd.NAV_TAKEOFF or pos is None:
                continue
            if pos[0] == 0.0 and pos[1] == 0.0:
                continue
            inv = Geodesic.WGS84.Inverse(self.home.lat_deg, self.home.lon_deg, pos[0], pos[1])
            if inv["s12"] > 1.0:
                return inv["azi1"] % 360.0
        return 0.0

    def start(
        self, t_s: float, here: Position, wind_ne_mps: tuple[float, float] = (0.0, 0.0)
    ) -> None:
        """Begin AUTO from the launch: a take-off target, then the items."""
        self._event(t_s, "mode", here, "AUTO")
        first = self.mission.items[0] if self.mission.items else None
        if first is not None and first.command == MavCmd.NAV_TAKEOFF:
            self.seq = 1
            alt = self._alt(first)
        else:
            alt = self.home.alt_m + self.s.TKOFF_ALT
            self._event(t_s, "takeoff_inserted", here,
                        f"no NAV_TAKEOFF first: climbing to {self.s.TKOFF_ALT:g} m")  # fmt: skip
        self._takeoff(here, alt, wind_ne_mps)

    def _takeoff(
        self, here: Position, alt_m: float, wind_ne_mps: tuple[float, float] = (0.0, 0.0)
    ) -> None:
        heading = self.launch_heading_deg(wind_ne_mps)
        ahead = Geodesic.WGS84.Direct(here.lat_deg, here.lon_deg, heading, TAKEOFF_LEG_M)
        self._common(tg.TK_TAKEOFF)
        self._set_points(here, Position(ahead["lat2"], ahead["lon2"], alt_m))
        self.tgt[tg.ALT_A] = alt_m
        self.tgt[tg.ROTATE_SPEED] = self.s.TKOFF_ROTATE_SPD
        self.prev = Position(here.lat_deg, here.lon_deg, alt_m)

    # --- progress -----------------------------------------------------------------------------

    def on_target_done(self, t_s: float, here: Position) -> None:
        """The compiled loop finished the current target: advance."""
        if self.going_around is not None:
            self._after_go_around(t_s, here)
        elif self.final_pending:
            self._land(self._item(self.seq), here, t_s)
        elif self.fs_items is not None:
            self._event(t_s, "failsafe_step", here,
                        f"{self.fs_label}: {self._item(self.seq).name} done")  # fmt: skip
            self._advance(t_s, here, self.seq + 1)
        elif self.mode == Mode.AUTO:
            if self.seq > 0:
                self.items_reached.append(self.seq)
                self._event(t_s, "item_reached", here, self._item(self.seq).name)
            self._advance(t_s, here, self.seq + 1)
        elif self.mode == Mode.TAKEOFF:
            self._loiter(here, self.s.WP_LOITER_RAD, tg.EXIT_NONE, 0.0)
        elif self.mode == Mode.RTL:
            over = self.prev if self.landing_abandoned else self.home_at_rtl_alt()
            self._loiter(over, self.s.WP_LOITER_RAD, tg.EXIT_NONE, 0.0)
        elif self.mode == Mode.GUIDED:
            self._loiter(self.prev, self.guided_loiter_radius(), tg.EXIT_NONE, 0.0)
        elif self.mode == Mode.CRUISE:
            inv = Geodesic.WGS84.Inverse(self.prev.lat_deg, self.prev.lon_deg, here.lat_deg,
                                         here.lon_deg)  # fmt: skip
            self.set_mode(t_s, Mode.CRUISE, here, inv["azi2"])

    def on_touchdown(self, t_s: float, here: Position, detail: str) -> None:
        self._event(t_s, "touchdown", here, detail)

    def on_stopped(self, t_s: float, here: Position) -> None:
        if self.seq > 0 and self._item(self.seq).command == MavCmd.NAV_LAND:
            if self.fs_items is None:
                self.items_reached.append(self.seq)
            self._event(t_s, "item_reached", here, "NAV_LAND")
        self._event(t_s, "landed", here)
        self.landed = True
        self.finished = True
        self._common(tg.TK_GROUND)

    def home_at_rtl_alt(self) -> Position:
        return Position(self.home.lat_deg, self.home.lon_deg, self.home.alt_m + self.s.RTL_ALTITUDE)

    def _advance(self, t_s: float, here: Position, seq: int) -> None:
        """Run DO commands from ``seq`` on until the next NAV command, and fly that."""
        items = self._items()
        guard = 0
        while True:
            guard += 1
            if guard > 10 * (len(items) + 1):
                raise RuntimeError("mission loops through DO commands without a NAV item")
            if seq > len(items):
                self.seq = len(items)
                self._event(t_s, "mission_complete", here)
                self.finished = True
                self._loiter(Position(here.lat_deg, here.lon_deg, self.prev.alt_m),
                             self.s.WP_LOITER_RAD, tg.EXIT_NONE, 0.0)  # fmt: skip
                return
            self.seq = seq
            item = items[seq - 1]
            cmd = item.command
            if cmd == MavCmd.DO_JUMP:
                done = self.jumps_done.get(seq, 0)
                repeat = item.jump_repeat
                if repeat < 0 or done < repeat:
                    self.jumps_done[seq] = done + 1
                    self._event(t_s, "do_jump", here, f"to item {item.jump_target_seq}")
                    seq = item.jump_target_seq
                else:
                    seq += 1
                continue
            if not item.is_nav:
                self._do_command(t_s, here, item)
                seq += 1
                continue
            self._fly_nav(t_s, here, item)
            return

    def _do_command(self, t_s: float, here: Position, item: MissionItem) -> None:
        cmd = item.command
        if cmd == MavCmd.DO_CHANGE_SPEED:
            if item.speed_mps > 0:
                self.speed_mps = item.speed_mps
            detail = f"speed {self.speed_mps:g} m/s"
        elif cmd == MavCmd.DO_SET_CAM_TRIGG_DIST:
            self.cam_dist_m = max(0.0, item.trigger_distance_m)
            detail = f"camera trigger distance {self.cam_dist_m:g} m"
        elif cmd == MavCmd.DO_SET_HOME:
            if item.use_current:
                self.home = Position(here.lat_deg, here.lon_deg, here.alt_m)
            else:
                self.home = Position(item.lat_deg, item.lon_deg, self._alt(item))
            detail = f"home {self.home.lat_deg:.6f}, {self.home.lon_deg:.6f}"
        elif cmd == MavCmd.DO_LAND_START:
            if self.fs_items is None:
                self._choose_landing(t_s, here, self.seq)
            detail = "landing sequence"
        elif cmd == MavCmd.DO_GO_AROUND:
            self.go_around_asked = item.abort_alt_m if item.abort_alt_m > 0.0 else -1.0
            detail = "go-around at the next approach's decision height"
        else:
            detail = "ignored"
        self._event(t_s, "do_command", here, f"{item.name}: {detail}")

    def _fly_nav(self, t_s: float, here: Position, item: MissionItem) -> None:
        cmd = item.command
        if cmd == MavCmd.NAV_WAYPOINT:
            b = self._pos(item, here)
            a = self.prev
            if _distance_m(a, b) < MIN_LEG_M:  # repeated waypoint: fly to it from here
                a = Position(here.lat_deg, here.lon_deg, self.prev.alt_m)
            self._leg(a, b, item.acceptance_radius_m, item.hold_s <= 0.0)
            self._terrain_follow(item, a)
            self.prev = b
        elif cmd in (MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS, MavCmd.NAV_LOITER_TIME,
                     MavCmd.NAV_LOITER_TO_ALT):  # fmt: skip
            c = self._pos(item, here)
            if cmd == MavCmd.NAV_LOITER_UNLIM:
                self._loiter(c, item.radius_m, tg.EXIT_NONE, 0.0)
            elif cmd == MavCmd.NAV_LOITER_TURNS:
                self._loiter(c, item.radius_m, tg.EXIT_TURNS, item.turns)
            elif cmd == MavCmd.NAV_LOITER_TIME:
                self._loiter(c, item.radius_m, tg.EXIT_TIME, item.loiter_time_s)
            else:
                self._loiter(c, item.radius_m, tg.EXIT_ALT, 0.0)
            self._terrain_follow(item, None)
            self.prev = c
        elif cmd == MavCmd.NAV_RETURN_TO_LAUNCH:
            self._rtl(t_s, here, from_mission=True)
        elif cmd == MavCmd.NAV_LAND:
            self._land(item, here, t_s)
        elif cmd == MavCmd.NAV_TAKEOFF:
            self._takeoff(here, self._alt(item))
        else:
            raise RuntimeError(f"unhandled NAV command {item.name}")

    def _terrain_follow(self, item: MissionItem, a: Position | None) -> None:
        """A terrain-frame item over a DEM: the loop holds the height above the terrain
        under the aircraft (from the height at ``a`` to the item's; a loiter: the item's),
        as ArduPlane does with terrain data."""
        if item.frame not in TERRAIN_FRAMES or self.ground_fn is None:
            return
        t = self.tgt
        t[tg.TF_ON] = 1.0
        t[tg.TF_HAGL_B] = item.alt_m
        t[tg.TF_HAGL_A] = item.alt_m
        if a is not None:
            ground_a = self.ground_fn(a.lat_deg, a.lon_deg)
            if math.isfinite(ground_a):
                t[tg.TF_HAGL_A] = a.alt_m - ground_a
        t[tg.TF_LOOKAHEAD] = self.s.TERRAIN_LOOKAHD

    def _rtl(self, t_s: float, here: Position, from_mission: bool = False) -> None:
        land_start = None
        if self.s.RTL_AUTOLAND and not self.landing_abandoned:
            # the sequence most into the wind (its direction is decided at its DO_LAND_START)
            land_start = self._choose_landing(t_s, here, None, log=False)
            if land_start is None:
                land_start = self.mission.land_sequence_start()
        if land_start is not None:
            if from_mission and self.fs_items is None:  # the mission's RTL item is done
                self.items_reached.append(self.seq)
            self._event(t_s, "rtl", here, f"autoland via DO_LAND_START (item {land_start})")
            self.mode = Mode.AUTO
            self._advance(t_s, here, land_start)
            return
        if not from_mission:
            self.mode = Mode.RTL
        b = self.home_at_rtl_alt()
        self._leg(here, b, self.s.WP_RADIUS, True)
        if self.s.TERRAIN_FOLLOW and self.ground_fn is not None:
            # ArduPlane's TERRAIN_FOLLOW: the way home at RTL_ALTITUDE above the terrain
            t = self.tgt
            t[tg.TF_ON] = 1.0
            t[tg.TF_HAGL_A] = t[tg.TF_HAGL_B] = self.s.RTL_ALTITUDE
            t[tg.TF_LOOKAHEAD] = self.s.TERRAIN_LOOKAHD
        self.prev = b

    # --- modes ----------------------------------------------------------------------------

    def set_mode(self, t_s: float, mode: int, here: Position, heading_deg: float = 0.0) -> None:
        """Switch flight mode (ArduPlane numbering)."""
        try:
            m = Mode(mode)
        except ValueError:
            raise ValueError(f"unknown flight mode {mode}") from None
        self.mode = m
        self.paused_seq = None
        self._event(t_s, "mode", here, m.name)
        self._landing_interrupted()
        if m == Mode.AUTO:  # the operator's AUTO: landings may be tried again
            self.attempts = 0
            self.landing_abandoned = False
            self._advance(t_s, here, max(self.seq, 1))
        elif m == Mode.RTL:
            self._rtl(t_s, here)
        elif m in (Mode.LOITER, Mode.CIRCLE):
            self._loiter(here, self.s.WP_LOITER_RAD, tg.EXIT_NONE, 0.0)
        elif m == Mode.CRUISE:
            ahead = Geodesic.WGS84.Direct(here.lat_deg, here.lon_deg, heading_deg, CRUISE_LEG_M)
            self._leg(here, Position(ahead["lat2"], ahead["lon2"], here.alt_m), 0.0, True)
        elif m == Mode.TAKEOFF:
            self._takeoff(here, self.home.alt_m + self.s.TKOFF_ALT)
        elif m == Mode.GUIDED:
            self._loiter(here, self.s.WP_LOITER_RAD, tg.EXIT_NONE, 0.0)
        elif m in PILOT_MODES:
            self._common(tg.TK_PILOT)  # the runner hands the loop the mode (Flight.retarget)

    # --- failsafe commands ----------------------------------------------------------------

    def failsafe_circle(self, t_s: float, here: Position) -> None:
        """Circle here (a short failsafe); :meth:`failsafe_resume` returns to the mode and
        item flown before."""
        if self.resume_to is None:
            self.resume_to = (self.mode, self.seq)
        self.set_mode(t_s, Mode.CIRCLE, here)

    def failsafe_resume(self, t_s: float, here: Position) -> None:
        if self.resume_to is None or self.fs_items is not None:
            return
        mode, seq = self.resume_to
        self.resume_to = None
        if mode == Mode.AUTO:
            self.mode = Mode.AUTO
            self._event(t_s, "mode", here, "AUTO")
            self._advance(t_s, here, max(seq, 1))
        else:
            self.set_mode(t_s, mode, here)

    def failsafe_rtl(self, t_s: float, here: Position) -> None:
        self.resume_to = None
        if self.fs_items is None and self.mode != Mode.RTL:
            self.set_mode(t_s, Mode.RTL, here)

    def failsafe_land_sequence(self, t_s: float, here: Position, land_start_seq: int,
                               label: str) -> None:  # fmt: skip
        """Leave the mission for its landing sequence at DO_LAND_START ``land_start_seq``."""
        self.fs_items = None
        self.resume_to = None
        self.mode = Mode.AUTO
        self._event(t_s, "mode", here, f"AUTO ({label})")
        self._advance(t_s, here, land_start_seq)

    def _fly_sequence(self, t_s: float, here: Position, items: list[MissionItem],
                      label: str, at_site: bool = True) -> None:  # fmt: skip
        self._landing_interrupted()
        self.fs_items = tuple(items)
        self.fs_label = label
        self.fs_at_site = at_site
        self.resume_to = None
        self.mode = Mode.AUTO
        self._event(t_s, "mode", here, f"AUTO ({label})")
        self._advance(t_s, here, 1)
