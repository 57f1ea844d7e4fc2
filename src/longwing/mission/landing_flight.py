"""The landing half of the mission manager: the final approach, its direction in the wind,
the go-around, and the failsafe landings (a part of
:class:`~longwing.mission.manager.MissionManager`, which holds the state it uses).

* Direction (:mod:`longwing.mission.landing_choice`): decided on the estimated wind when a
  DO_LAND_START sequence starts (RTL autoland: among all of them), re-checked once at the
  start of the final; a mirrored landing flies the sequence's approach points reflected
  through the landing point.
* Go-around: the compiled loop judges the approach below the decision height
  (:func:`longwing.control.landing.go_around_code`) and ends its chunk; a ground station
  commands one with :meth:`LandingFlight.command_go_around` (MAV_CMD_DO_GO_AROUND); a
  DO_GO_AROUND mission item asks for one at the next approach's decision height. The
  go-around is a take-off target: full throttle, at least the climb pitch, along the final
  course up to the abort altitude (NAV_LAND param1 above the landing point, DO_GO_AROUND
  param1, else the start of the final); then the landing is flown again from its
  DO_LAND_START (direction re-decided), or from the navigation item before the NAV_LAND.
  After LAND_ATTEMPTS approaches, no more: the aircraft returns over home at RTL_ALTITUDE
  and loiters there (autoland suppressed) for the operator to decide (docs/landing.md).
"""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.control.landing import GA_COMMANDED, GA_NAMES, flare_distance_m
from longwing.geo.point import GeoPoint as Position
from longwing.mission.items import MavCmd, MavFrame, MissionItem
from longwing.mission.landing_choice import (
    LandingChoice,
    choose_landing,
    course_deg,
    landing_sequences,
    mirror_needed,
    mirror_point,
    site_landing_course_deg,
    wind_on_course,
)

FS_APPROACH_M = 1200.0  # failsafe landing: length of the final approach
FS_APPROACH_AGL_M = 60.0  # ... and its height at the start
FS_GLIDE_SPIRAL_AGL_M = 150.0  # engine out: spiral down over the site to this height
GO_AROUND_LEG_M = 5000.0  # length of the climb-out line of a go-around
FENCE_CEILING_MARGIN_M = 10.0  # the loiter after abandoned landings stays this far below it


class LandingFlight:
    """Mixed into :class:`~longwing.mission.manager.MissionManager`."""

    def _init_landing(self, limits) -> None:
        """``limits``: the airframe's LandingLimits (None: no tailwind limit, no automatic
        go-around)."""
        self.limits = limits
        self.wind_fn = None  # () -> (north, east) m/s: the estimated wind (set by the flight)
        self.landing: LandingChoice | None = None  # the DO_LAND_START landing being flown
        self.land_rechecked = False  # its direction re-checked at the start of the final
        self.final_pending = False  # flying to a mirrored final's start, then the final
        self.attempts = 0  # approaches abandoned (go-arounds) to the present landing
        self.going_around: tuple[int, str] | None = None  # (land seq, why) while climbing
        self.go_around_asked = 0.0  # DO_GO_AROUND item: abort altitude (> 0: armed; -1 default)
        self.landing_abandoned = False  # LAND_ATTEMPTS used up: no autoland
        self.can_go_around = True  # False on an engine-out landing

    def _landing_interrupted(self) -> None:
        """A mode change or a failsafe sequence: no go-around climb or mirrored-final leg
        is in progress any more."""
        self.going_around = None
        self.final_pending = False

    # --- direction ------------------------------------------------------------------------

    def _wind(self) -> tuple[float, float]:
        return (0.0, 0.0) if self.wind_fn is None else tuple(self.wind_fn())

    @property
    def max_tailwind_mps(self) -> float:
        return math.inf if self.limits is None else self.limits.max_tailwind_mps

    def _choose_landing(self, t_s: float, here: Position, start_seq: int | None,
                        log: bool = True) -> int | None:  # fmt: skip
        """Decide the landing in the estimated wind: the DO_LAND_START at ``start_seq`` (None:
        among all the mission's sequences, RTL autoland); logs it; returns the chosen
        sequence's DO_LAND_START item, None if it has no usable sequence."""
        seqs = landing_sequences(self.mission.items)
        if start_seq is not None:
            seqs = [s for s in seqs if s.start_seq == start_seq]
        wn, we = self._wind()
        choice = choose_landing(seqs, wn, we, self.max_tailwind_mps, here.lat_deg,
                                here.lon_deg)  # fmt: skip
        self.landing = choice
        self.land_rechecked = False
        if choice is None:
            return None
        if log:
            self._event(t_s, "landing_direction", here, f"wind {_wind_text(wn, we)}: "
                        f"{choice.text()}", seq=choice.sequence.start_seq)  # fmt: skip
        return choice.sequence.start_seq

    def _in_mirrored_sequence(self) -> bool:
        c = self.landing
        return (c is not None and c.mirrored and self.fs_items is None
                and c.sequence.start_seq < self.seq < c.sequence.land_seq)  # fmt: skip

    def _mirrored(self, p: Position) -> Position:
        s = self.landing.sequence
        lat, lon = mirror_point(s.land_lat_deg, s.land_lon_deg, p.lat_deg, p.lon_deg)
        return Position(lat, lon, p.alt_m)

    def _recheck_final(self, t_s: float, here: Position) -> bool:
        """At the start of the final (the NAV_LAND of the chosen sequence): the direction in
        the present wind estimate; if it changed, fly the sequence again the other way (once
        per approach). Returns True if the sequence was restarted."""
        c = self.landing
        if (c is None or self.fs_items is not None or self.seq != c.sequence.land_seq
                or self.land_rechecked):  # fmt: skip
            return False
        self.land_rechecked = True
        wn, we = self._wind()
        s = c.sequence
        mirror = mirror_needed(s.final_course_deg, wn, we, self.max_tailwind_mps)
        if mirror == c.mirrored:
            return False
        crs = (s.final_course_deg + (180.0 if mirror else 0.0)) % 360.0
        self.landing = LandingChoice(s, mirror, crs, wind_on_course(crs, wn, we))
        self._event(t_s, "landing_direction", here, f"re-checked at the start of the final, "
                    f"wind {_wind_text(wn, we)}: {self.landing.text()}")  # fmt: skip
        self._advance(t_s, here, s.start_seq + 1)
        return True

    # --- the final approach -----------------------------------------------------------------

    def _land(self, item: MissionItem, here: Position, t_s: float = 0.0) -> None:
        if self._recheck_final(t_s, here):
            return
        land = self._pos(item, here)
        if self.ground_fn is not None:  # the terrain's height there (a DEM in the world)
            land = Position(land.lat_deg, land.lon_deg, self.ground_fn(land.lat_deg, land.lon_deg))
        c = self.landing
        if (c is not None and c.mirrored and self.fs_items is None
                and self.seq == c.sequence.land_seq and not self.final_pending):  # fmt: skip
            # the final starts at the mirrored start of the planned final: fly there first
            # when the sequence has no approach point of its own (it was flown already)
            start = self._mirrored(Position(c.sequence.from_lat_deg, c.sequence.from_lon_deg,
                                            self.prev.alt_m))  # fmt: skip
            inv = Geodesic.WGS84.Inverse(self.prev.lat_deg, self.prev.lon_deg, start.lat_deg,
                                         start.lon_deg)  # fmt: skip
            if inv["s12"] > self.s.WP_RADIUS:
                self.final_pending = True
                self._leg(self.prev, start, self.s.WP_RADIUS, True)
                self.prev = start
                return
        self.final_pending = False
        if self.fs_items is None:
            self.land_label = f"the mission's NAV_LAND (item {self.seq})"
            self.land_at_site = True
        else:
            self.land_label = self.fs_label
            self.land_at_site = self.fs_at_site
        self.ground_alt_m = land.alt_m
        self.last_land = (Position(self.prev.lat_deg, self.prev.lon_deg, self.prev.alt_m), land)
        self._common(tg.TK_LAND)
        self._set_points(self.prev, land)
        t = self.tgt
        s = self.s
        t[tg.GROUND_ALT] = land.alt_m
        t[tg.SPEED] = s.LAND_APPROACH_SPD
        t[tg.FLARE_ALT] = s.LAND_FLARE_ALT
        t[tg.FLARE_SINK] = s.LAND_FLARE_SINK
        t[tg.FLARE_SEC] = s.LAND_FLARE_SEC
        t[tg.FLARE_DIST] = flare_distance_m(s.LAND_APPROACH_SPD, s.LAND_FLARE_ALT,
                                            s.LAND_FLARE_SINK, self.prev.alt_m - land.alt_m,
                                            t[tg.LEG_LEN])  # fmt: skip
        t[tg.EXIT] = tg.EXIT_STOPPED
        t[tg.RNG_LAND] = float(s.RNGFND_LANDING)
        asked = self.go_around_asked != 0.0 and self.can_go_around
        if (self.limits is not None and self.can_go_around) or asked:
            t[tg.GA_ON] = 1.0
            t[tg.GA_DECIDE_ALT] = s.LAND_DECIDE_ALT
            t[tg.GA_ASKED] = 1.0 if asked else 0.0
            lim = self.limits
            t[tg.GA_MAX_GS] = math.inf if lim is None else lim.max_groundspeed_mps
            t[tg.GA_ZONE] = math.inf if lim is None else lim.site_radius_m
            t[tg.GA_SLOPE] = math.inf if lim is None else s.LAND_ABORT_SLOPE
            drop = self.prev.alt_m - land.alt_m - s.LAND_FLARE_ALT
            t[tg.GA_SLOPE_PLAN] = math.atan2(
                max(drop, 0.0), max(t[tg.LEG_LEN] - t[tg.FLARE_DIST], 1.0)
            )

    # --- go-around ----------------------------------------------------------------------------

    def on_landing(self) -> bool:
        """Flying a final approach (a go-around is possible)."""
        return int(self.tgt[tg.KIND]) == tg.TK_LAND and not self.landed

    def command_go_around(self, t_s: float, here: Position, alt_m: float = 0.0) -> bool:
        """MAV_CMD_DO_GO_AROUND from a ground station: abandon the approach now, climb to
        ``alt_m`` above the landing point (0: the default). False (refused) when no approach
        is being flown or the engine is out."""
        if not self.on_landing() or not self.can_go_around:
            self._event(t_s, "go_around_refused", here, "not on a powered final approach")
            return False
        self.go_around(t_s, here, GA_COMMANDED, alt_m)
        return True

    def go_around(self, t_s: float, here: Position, code: int, alt_m: float = 0.0) -> None:
        """Abandon the approach (why: a control.landing GA_* code): climb straight ahead at
        full throttle to the abort altitude, then fly the landing again, or after
        LAND_ATTEMPTS approaches give up (see the module doc)."""
        if not self.on_landing():
            return
        item = self.current_item()
        land = self.last_land[1] if self.last_land is not None else here
        start = self.last_land[0] if self.last_land is not None else here
        self.attempts += 1
        if alt_m <= 0.0 and self.go_around_asked > 0.0:
            alt_m = self.go_around_asked
        self.go_around_asked = 0.0
        if alt_m <= 0.0 and item is not None and item.command == MavCmd.NAV_LAND:
            alt_m = item.abort_alt_m
        abort_alt = land.alt_m + alt_m if alt_m > 0.0 else max(start.alt_m, here.alt_m)
        why = GA_NAMES.get(code, f"code {code}")
        self._event(t_s, "go_around", here, f"approach {self.attempts} of "
                    f"{self.s.LAND_ATTEMPTS} abandoned: {why}; climbing to "
                    f"{abort_alt - land.alt_m:.0f} m above the landing point")  # fmt: skip
        crs = course_deg(start.lat_deg, start.lon_deg, land.lat_deg, land.lon_deg)
        ahead = Geodesic.WGS84.Direct(here.lat_deg, here.lon_deg, crs, GO_AROUND_LEG_M)
        self.going_around = (self.seq, why)
        self._common(tg.TK_TAKEOFF)
        self._set_points(here, Position(ahead["lat2"], ahead["lon2"], abort_alt))
        self.tgt[tg.ALT_A] = abort_alt
        self.tgt[tg.ROTATE_SPEED] = self.s.TKOFF_ROTATE_SPD
        self.prev = Position(here.lat_deg, here.lon_deg, abort_alt)

    def _after_go_around(self, t_s: float, here: Position) -> None:
        """The go-around's climb is done: the landing again, or the alternative."""
        land_seq, _ = self.going_around
        self.going_around = None
        if self.attempts >= self.s.LAND_ATTEMPTS:
            self.landing_abandoned = True
            self.fs_items = None
            self.landing = None
            b = self.home_at_rtl_alt()
            ceiling = self.mission.fence.max_alt_above_home_m
            if ceiling is not None:  # RTL_ALTITUDE, but inside the geofence's ceiling
                top = self.home.alt_m + ceiling - FENCE_CEILING_MARGIN_M
                b = Position(b.lat_deg, b.lon_deg, max(min(b.alt_m, top), here.alt_m))
            self._event(t_s, "landing_abandoned", here, f"{self.attempts} approaches "
                        f"abandoned (LW_LAND_ATTEMPTS {self.s.LAND_ATTEMPTS}): loitering over "
                        f"home at {b.alt_m - self.home.alt_m:.0f} m for the "
                        f"operator")  # fmt: skip
            self.mode = self.mode.__class__.RTL
            self._event(t_s, "mode", here, "RTL")
            self._leg(here, b, self.s.WP_RADIUS, True)
            self.prev = b
            return
        if self.fs_items is not None:  # a failsafe landing: its sequence again
            self._event(t_s, "landing_restart", here, f"{self.fs_label}: approach again")
            self._advance(t_s, here, 1)
            return
        start = None
        for s in landing_sequences(self.mission.items):
            if s.land_seq == land_seq:
                start = s.start_seq
        if start is not None:
            self._event(t_s, "landing_restart", here, f"from DO_LAND_START item {start}")
            self._advance(t_s, here, start)
            return
        prev_nav = max((q for q in self.nav_seqs() if q < land_seq), default=land_seq)
        self._event(t_s, "landing_restart", here, f"from item {prev_nav}")
        self._advance(t_s, here, prev_nav)

    # --- failsafe landings ------------------------------------------------------------------

    def _approach_items(
        self, site: Position, inbound_deg: float, wind_ne_mps: tuple[float, float],
        start_alt_agl_m: float | None,
    ) -> list[MissionItem]:  # fmt: skip
        """Items to land at ``site`` (its ground altitude AMSL in ``alt_m``): optionally over
        it and a spiral down to ``start_alt_agl_m``, then a final into the wind (or along the
        inbound course in light wind) from APPROACH_M out at APPROACH_AGL_M."""
        g = Geodesic.WGS84
        amsl = MavFrame.GLOBAL
        land_dir = site_landing_course_deg(inbound_deg, *wind_ne_mps)
        a = g.Direct(site.lat_deg, site.lon_deg, land_dir + 180.0, FS_APPROACH_M)
        items: list[MissionItem] = []
        if start_alt_agl_m is not None:
            items.append(
                MissionItem.loiter_to_alt(
                    site.lat_deg, site.lon_deg, site.alt_m + start_alt_agl_m, amsl
                )
            )
        items.append(
            MissionItem.waypoint(a["lat2"], a["lon2"], site.alt_m + FS_APPROACH_AGL_M, amsl)
        )
        items.append(MissionItem.land(site.lat_deg, site.lon_deg, site.alt_m, amsl))
        return items

    def failsafe_land_at(self, t_s: float, here: Position, site: Position,
                         wind_ne_mps: tuple[float, float], label: str) -> None:  # fmt: skip
        """Fly to ``site`` (ground altitude AMSL), descend over it and land there."""
        inbound = Geodesic.WGS84.Inverse(here.lat_deg, here.lon_deg, site.lat_deg,
                                         site.lon_deg)["azi2"]  # fmt: skip
        self.ground_alt_m = site.alt_m
        self.attempts = 0  # a new landing
        self.can_go_around = True
        items = self._approach_items(site, inbound, wind_ne_mps, FS_APPROACH_AGL_M)
        self._fly_sequence(t_s, here, items, label)

    def failsafe_glide_to(self, t_s: float, here: Position, site: Position,
                          wind_ne_mps: tuple[float, float], label: str) -> None:  # fmt: skip
        """Engine out: glide to ``site``, spiral down over it, land into the wind."""
        inbound = Geodesic.WGS84.Inverse(here.lat_deg, here.lon_deg, site.lat_deg,
                                         site.lon_deg)["azi2"]  # fmt: skip
        self.ground_alt_m = site.alt_m
        self.can_go_around = False  # no engine
        items = [
            MissionItem.waypoint(
                site.lat_deg,
                site.lon_deg,
                here.alt_m,
                MavFrame.GLOBAL,
                acceptance_radius_m=self.s.WP_LOITER_RAD,
            )
        ]
        items += self._approach_items(site, inbound, wind_ne_mps, FS_GLIDE_SPIRAL_AGL_M)
        self._fly_sequence(t_s, here, items, label)

    def failsafe_land_ahead(self, t_s: float, here: Position, course_deg: float,
                            distance_m: float, label: str) -> None:  # fmt: skip
        """Engine out, nothing in reach: land straight ahead on the present course."""
        d = Geodesic.WGS84.Direct(here.lat_deg, here.lon_deg, course_deg, max(distance_m, 50.0))
        g_alt = self.ground_alt_m
        self.can_go_around = False  # no engine
        items = [MissionItem.land(d["lat2"], d["lon2"], g_alt, MavFrame.GLOBAL)]
        self.prev = Position(here.lat_deg, here.lon_deg, here.alt_m)
        self._fly_sequence(t_s, here, items, label, at_site=False)


def _wind_text(wn: float, we: float) -> str:
    """The wind as 'DIR@SPEED' (from, deg; m/s), as the CLI takes it."""
    return f"{math.degrees(math.atan2(-we, -wn)) % 360.0:03.0f}@{math.hypot(wn, we):.1f} m/s"
