"""Failsafes: what the autopilot does when something breaks, decided on what it can know.

:class:`FailsafeSettings` are the parameters (ArduPlane names where ArduPlane has one).
:class:`FailsafeMonitor` is the slow-loop logic: the runner hands it a
:class:`NavSnapshot` (the *estimated* state and sensor health, never the truth) a few times
a second, and it returns the :class:`FailsafeAction` to take, once per trigger; the runner
logs it and has the mission manager carry it out. The helpers (fuel to a point against the
wind, glide reach) are pure functions.

Actions, by trigger (see ``docs/failsafes.md`` for the test matrix):

* GCS link lost (``link_loss``): after ``FS_SHORT_TIMEOUT`` -> ``FS_SHORT_ACTN`` (0: CIRCLE,
  or carry on if in AUTO; 1: CIRCLE); after ``FS_LONG_TIMEOUT`` -> ``FS_LONG_ACTN`` (0: carry
  on in AUTO, else RTL; 1: RTL). Link back: the short-failsafe circle resumes the previous
  mode; an RTL goes on (as ArduPlane).
* Fuel (``low_fuel``), every 30 s, with the planner's own model
  (:class:`~longwing.planning.reach.FlightFuelModel`, in the estimated wind): while the
  mission can be finished keeping the reserve (``FS_FUEL_RSV_PCT`` of the tank or
  ``FS_FUEL_RSV_KG``, the larger), carry on; otherwise land at the site with the largest
  margin (home, a landing sequence of the mission, a rally point), at best-range airspeed.
  A mission that ends airborne carries on while some site is in reach with the reserve.
  While diverted, a site better by more than :data:`SITE_SWITCH_KG` takes over. Passing the
  point of no return for home while the destination is in reach is announced (``pnr``).
* Geofence (``fence_breach``) -> ``FENCE_ACTION`` (0: none, 2: report only, 4: RTL; 1: guided
  to the fence return point / home and loiter there; the field's numbering: the vehicle's
  FENCE_ACTION parameter takes ArduPlane's 0/1/6, mavlink/param_table.py); back inside ->
  ``fence_reentry``. Fields are named as before; their parameters: docs/parameters.md.
* GNSS lost (``gnss_loss``): the EKF dead-reckons; after ``FS_GPS_TIMEOUT`` without a fix
  -> ``FS_GPS_ACTN`` (0: carry on, 1: CIRCLE until GNSS returns, then resume, 2: RTL on the
  dead-reckoned position). GNSS back -> ``gnss_recovered``.
* Pitot failed (``airspeed_failure``): detected in the compiled loop by its disagreement with
  the EKF's GNSS/wind airspeed; the autopilot flies on that synthetic airspeed from then on.
* Engine out (``engine_failure``): best-glide airspeed toward the most reachable of home and
  the rally points (glide ratio from the airframe polar, wind along the course, a height
  margin), spiral down over it and land; none in reach: land straight ahead.
* Estimator (``ekf_reset``): a reset of the EKF to GNSS after persistent innovation
  rejections is announced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from geographiclib.geodesic import Geodesic

from longwing.airframe.params import AeroParams
from longwing.geo.constants import G0_MPS2

#: failsafe kinds that only announce (no action): shown as notices, not counted as failsafes
NOTICE_KINDS = ("pnr", "fence_reentry", "gnss_recovered")
FUEL_CHECK_S = 30.0  # the fuel decision is re-evaluated at least this often when tight,
FUEL_CHECK_MAX_S = 600.0  # at least this often in any case, and at once when the wind
FUEL_WIND_CHANGE_MPS = 1.0  # estimate has moved by more than this since the last decision
FUEL_MARGIN_SHARE = 0.2  # next check before this share of the margin can be burnt
SITE_SWITCH_KG = 0.05  # a diversion moves to another site only if its margin is this much larger


@dataclass(frozen=True)
class FailsafeSettings:
    """Failsafe parameters (ArduPlane names and numbering where ArduPlane has them)."""

    FS_GCS_ENABL: int = 1  # GCS link-loss failsafe on
    FS_SHORT_ACTN: int = 0  # 0: CIRCLE (carry on in AUTO), 1: CIRCLE
    FS_SHORT_TIMEOUT: float = 1.5  # s
    FS_LONG_ACTN: int = 1  # 0: carry on in AUTO (else RTL), 1: RTL
    FS_LONG_TIMEOUT: float = 20.0  # s
    FS_FUEL_ACTN: int = 1  # 0: report only, 1: RTL / land at a rally point
    FS_FUEL_RSV_PCT: float = 10.0  # reserve at touchdown, % of tank capacity
    FS_FUEL_RSV_KG: float = 0.0  # reserve at touchdown, at least this many kg
    FENCE_ACTION: int = 4  # 0: none, 1: guided to the return point, 2: report, 4: RTL
    FS_GPS_TIMEOUT: float = 300.0  # s of dead reckoning before FS_GPS_ACTN
    FS_GPS_ACTN: int = 1  # 0: carry on, 1: CIRCLE until GNSS returns, 2: RTL
    FS_ENGINE_ACTN: int = 1  # 0: report only, 1: glide to a reachable site or land ahead
    GLIDE_MARGIN_M: float = 100.0  # height kept in hand when judging a glide's reach
    LAUNCH_WX_CHECK: int = 1  # 1: no launch beyond the airframe's wind/turbulence limits

    def __post_init__(self) -> None:
        allowed = {
            "FS_GCS_ENABL": (0, 1), "FS_SHORT_ACTN": (0, 1), "FS_LONG_ACTN": (0, 1),
            "FS_FUEL_ACTN": (0, 1), "FENCE_ACTION": (0, 1, 2, 4), "FS_GPS_ACTN": (0, 1, 2),
            "FS_ENGINE_ACTN": (0, 1), "LAUNCH_WX_CHECK": (0, 1),
        }  # fmt: skip
        for name, values in allowed.items():
            if getattr(self, name) not in values:
                raise ValueError(f"{name} = {getattr(self, name)!r}: expected one of {values}")
        for name in ("FS_SHORT_TIMEOUT", "FS_LONG_TIMEOUT", "FS_GPS_TIMEOUT"):
            if not getattr(self, name) > 0.0:
                raise ValueError(f"{name} must be > 0 s")
        if self.FS_LONG_TIMEOUT <= self.FS_SHORT_TIMEOUT:
            raise ValueError("FS_LONG_TIMEOUT must be longer than FS_SHORT_TIMEOUT")
        if self.FS_FUEL_RSV_PCT > 100.0:
            raise ValueError("FS_FUEL_RSV_PCT must be <= 100")
        for name in ("FS_FUEL_RSV_PCT", "FS_FUEL_RSV_KG", "GLIDE_MARGIN_M"):
            if not getattr(self, name) >= 0.0:
                raise ValueError(f"{name} must be >= 0")


@dataclass(frozen=True)
class NavSnapshot:
    """What the autopilot knows at ``t_s``: estimated position/velocity/wind, fuel gauge,
    sensor and link health."""

    t_s: float
    lat_deg: float
    lon_deg: float
    alt_m: float  # AMSL
    wind_n_mps: float
    wind_e_mps: float
    fuel_kg: float
    airborne: bool
    link_ok: bool
    gnss_age_s: float  # since the last fix was delivered
    airspeed_failed: bool
    engine_running: bool
    ekf_resets: int
    mission_seq: int | None = None  # the mission item flown in AUTO (None: off the mission)
    tas_mps: float = 0.0  # estimated true airspeed


class FsCommand(StrEnum):
    """What a failsafe asks the mission manager to do."""

    NONE = "none"  # nothing (a report, dead reckoning, ...)
    CIRCLE = "circle"  # circle here, then resume
    RESUME = "resume"  # back to the mode and item flown before the circle
    RTL = "rtl"
    LAND_SEQUENCE = "land_sequence"  # jump to the mission's DO_LAND_START ``seq``
    GUIDED = "guided"  # fly to ``target`` (the fence's return point) and loiter
    LAND_AT = "land_at"  # fly to the site ``target`` and land
    GLIDE_TO = "glide_to"  # engine out: glide to the site ``target`` and land
    LAND_AHEAD = "land_ahead"  # engine out, no site in reach: land straight ahead


@dataclass(frozen=True)
class FailsafeAction:
    """``kind`` (trigger), ``action`` (what is done), ``detail`` (why, in words); the
    manager-level command is ``command`` with an optional ``target`` (lat, lon, alt AMSL)."""

    kind: str
    action: str
    detail: str
    command: FsCommand
    target: tuple[float, float, float] | None = None
    seq: int | None = None  # LAND_SEQUENCE: the DO_LAND_START item
    speed_mps: float | None = None  # an airspeed (TAS) to fly the diversion at

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", FsCommand(self.command))


# --- pure helpers -----------------------------------------------------------------------------


def ground_speed_along_mps(
    course_deg: float, tas_mps: float, wind_n_mps: float, wind_e_mps: float
) -> float:
    """Ground speed along ``course_deg`` flying ``tas_mps`` in the wind (the direction the air
    moves, NED); 0 if the headwind is too strong to make way."""
    c = math.radians(course_deg)
    along = wind_n_mps * math.cos(c) + wind_e_mps * math.sin(c)
    cross = -wind_n_mps * math.sin(c) + wind_e_mps * math.cos(c)
    if abs(cross) >= tas_mps:
        return 0.0
    return max(math.sqrt(tas_mps * tas_mps - cross * cross) + along, 0.0)


def time_to_reach_s(
    lat_deg: float, lon_deg: float, dest: tuple[float, float], tas_mps: float,
    wind_n_mps: float, wind_e_mps: float,
) -> float:  # fmt: skip
    """Time to fly the geodesic to ``dest`` at ``tas_mps`` in a uniform wind (inf if the
    headwind stops it). The course changes along a long geodesic; the wind triangle is
    solved at the mid-point course."""
    inv = Geodesic.WGS84.Inverse(lat_deg, lon_deg, dest[0], dest[1])
    dist = inv["s12"]
    if dist < 1.0:
        return 0.0
    course = 0.5 * (inv["azi1"] + inv["azi2"])
    if abs(inv["azi1"] - inv["azi2"]) > 180.0:
        course += 180.0
    gs = ground_speed_along_mps(course, tas_mps, wind_n_mps, wind_e_mps)
    return math.inf if gs <= 0.5 else dist / gs


def best_glide(aero: AeroParams, mass_kg: float, rho: float) -> tuple[float, float]:
    """(best-glide TAS m/s, glide ratio L/D) of the parabolic polar
    CD = CDp + CL^2 / (pi e AR): max L/D = 0.5 sqrt(pi e AR / CDp) at CL = sqrt(CDp pi e AR)."""
    k = math.pi * aero.e_oswald * aero.AR
    cl = math.sqrt(aero.CDp * k)
    ld = 0.5 * math.sqrt(k / aero.CDp)
    v = math.sqrt(2.0 * mass_kg * G0_MPS2 / (rho * aero.S_m2 * cl))
    return v, ld


def glide_reach_margin_m(
    lat_deg: float, lon_deg: float, alt_m: float, dest: tuple[float, float, float],
    v_glide_mps: float, ld: float, wind_n_mps: float, wind_e_mps: float,
) -> float:  # fmt: skip
    """Height to spare (m) on arriving over ``dest`` (lat, lon, ground alt AMSL) in a glide:
    the sink over the ground distance is (distance / ground speed) x (V / (L/D))."""
    t = time_to_reach_s(lat_deg, lon_deg, (dest[0], dest[1]), v_glide_mps, wind_n_mps,
                        wind_e_mps)  # fmt: skip
    if not math.isfinite(t):
        return -math.inf
    sink = v_glide_mps / ld
    return alt_m - dest[2] - t * sink


# --- the monitor ------------------------------------------------------------------------------


class FailsafeMonitor:
    """Slow-loop failsafe logic; :meth:`check` returns the actions newly triggered."""

    def __init__(
        self,
        settings: FailsafeSettings,
        home: tuple[float, float, float],
        rally: tuple[tuple[float, float, float], ...],
        fence,
        fuel_model,
        glide: tuple[float, float],
    ) -> None:
        self.s = settings
        self.home = home  # (lat, lon, ground alt AMSL)
        self.rally = rally  # (lat, lon, ground alt AMSL)
        self.fence = fence
        self.fuel_model = fuel_model  # longwing.planning.reach.FlightFuelModel
        self.v_glide, self.ld = glide
        self.route_leg = 0  # the route leg being flown (follows the mission item)
        self.diverted_to = None  # the LandingSite of a fuel diversion
        self.pnr_announced = False
        self.last_decision = None
        self.fuel_wind = (0.0, 0.0)  # the wind estimate of the last fuel decision
        self.link_lost_t: float | None = None
        self.short_fired = False
        self.short_circled = False
        self.long_fired = False
        self.fuel_history: list[tuple[float, float]] = []
        self.fence_breached = False
        self.gnss_fired = False
        self.gnss_lost_announced = False
        self.aspd_fired = False
        self.engine_fired = False
        self.ekf_resets = 0
        self.next_fuel_t = 0.0

    # fence distance ---------------------------------------------------------------------

    def fence_margin_m(self, nav: NavSnapshot) -> float:
        """A lower bound of the distance (m) the aircraft must fly before it can breach the
        fence: to the nearest polygon edge or circle boundary on a local tangent plane, or
        (x 5, a steep climb's worth) to an altitude limit. ``inf`` without a fence."""
        f = self.fence
        if f is None or f.is_empty:
            return math.inf
        lat0, lon0 = nav.lat_deg, nav.lon_deg
        kx = 111_320.0 * math.cos(math.radians(lat0))
        ky = 110_574.0
        best = math.inf
        for poly in f.polygons:
            pts = [((lo - lon0 + 180.0) % 360.0 - 180.0) * kx for _, lo in poly.vertices]
            ys = [(la - lat0) * ky for la, _ in poly.vertices]
            n = len(pts)
            for i in range(n):
                x1, y1, x2, y2 = pts[i], ys[i], pts[(i + 1) % n], ys[(i + 1) % n]
                dx, dy = x2 - x1, y2 - y1
                L2 = dx * dx + dy * dy
                t = 0.0 if L2 == 0.0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / L2))
                best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
        for c in f.circles:
            best = min(best, abs(c.distance_m(lat0, lon0) - c.radius_m))
        h = nav.alt_m - self.home[2]
        if f.max_alt_above_home_m is not None:
            best = min(best, 5.0 * abs(f.max_alt_above_home_m - h))
        if f.min_alt_above_home_m is not None:
            best = min(best, 5.0 * abs(h - f.min_alt_above_home_m))
        # the local plane's error (~1e-4 of the distance here) is far inside the caller's margin
        return best

    # fuel ---------------------------------------------------------------------------------

    def burn_rate_kgps(self, t_s: float, fuel_kg: float,
                       alt_m: float = 0.0) -> tuple[float | None, float]:  # fmt: skip
        """Fuel-gauge burn rate and mean climb rate over the last ~120 s (None, 0 until
        there is enough history)."""
        hist = self.fuel_history
        hist.append((t_s, fuel_kg, alt_m))
        while len(hist) > 2 and t_s - hist[1][0] >= 120.0:
            hist.pop(0)
        t0, f0, h0 = hist[0]
        if t_s - t0 < 60.0:
            return None, 0.0
        return max((f0 - fuel_kg) / (t_s - t0), 0.0), (alt_m - h0) / (t_s - t0)

    # the check ------------------------------------------------------------------------------

    def check(self, nav: NavSnapshot, in_auto: bool) -> list[FailsafeAction]:
        out: list[FailsafeAction] = []
        s = self.s
        # engine ---------------------------------------------------------------------------
        if not nav.engine_running and not self.engine_fired and nav.airborne:
            self.engine_fired = True
            out.append(self._engine_out(nav))
        # link -----------------------------------------------------------------------------
        if s.FS_GCS_ENABL and nav.airborne:
            if not nav.link_ok:
                if self.link_lost_t is None:
                    self.link_lost_t = nav.t_s
                lost = nav.t_s - self.link_lost_t
                if lost >= s.FS_SHORT_TIMEOUT and not self.short_fired:
                    self.short_fired = True
                    self.short_circled = not (s.FS_SHORT_ACTN == 0 and in_auto)
                    if not self.short_circled:
                        out.append(
                            FailsafeAction(
                                "link_loss",
                                "continue",
                                f"short link loss ({lost:.1f} s): carry on in AUTO",
                                "none",
                            )
                        )
                    else:
                        out.append(
                            FailsafeAction(
                                "link_loss", "CIRCLE", f"short link loss ({lost:.1f} s)", "circle"
                            )
                        )
                if lost >= s.FS_LONG_TIMEOUT and not self.long_fired:
                    self.long_fired = True
                    if s.FS_LONG_ACTN == 0 and in_auto:
                        out.append(
                            FailsafeAction(
                                "link_loss",
                                "continue",
                                f"long link loss ({lost:.0f} s): carry on in AUTO",
                                "none",
                            )
                        )
                    else:
                        out.append(
                            FailsafeAction(
                                "link_loss", "RTL", f"long link loss ({lost:.0f} s)", "rtl"
                            )
                        )
            elif self.link_lost_t is not None:
                lost = nav.t_s - self.link_lost_t
                resume = self.short_circled and not self.long_fired
                out.append(FailsafeAction(
                    "link_recovered", "resume" if resume else "none",
                    f"GCS link back after {lost:.0f} s", "resume" if resume else "none",
                ))  # fmt: skip
                self.link_lost_t = None
                self.short_fired = self.long_fired = self.short_circled = False
        # GNSS -----------------------------------------------------------------------------
        if nav.airborne and nav.gnss_age_s > 5.0 and not self.gnss_lost_announced:
            self.gnss_lost_announced = True
            out.append(
                FailsafeAction(
                    "gnss_loss", "dead reckoning", f"no GNSS fix for {nav.gnss_age_s:.0f} s", "none"
                )
            )
        if nav.gnss_age_s > s.FS_GPS_TIMEOUT and not self.gnss_fired and nav.airborne:
            self.gnss_fired = True
            cmd = {0: "none", 1: "circle", 2: "rtl"}[s.FS_GPS_ACTN]
            name = {0: "continue", 1: "CIRCLE", 2: "RTL"}[s.FS_GPS_ACTN]
            out.append(
                FailsafeAction(
                    "gnss_loss",
                    name,
                    f"no GNSS fix for {nav.gnss_age_s:.0f} s: dead reckoning",
                    cmd,
                )
            )
        if nav.gnss_age_s < 1.0 and self.gnss_lost_announced:
            resume = self.gnss_fired and s.FS_GPS_ACTN == 1
            out.append(
                FailsafeAction(
                    "gnss_recovered",
                    "resume" if resume else "none",
                    "GNSS fixes back",
                    "resume" if resume else "none",
                )
            )
            self.gnss_lost_announced = self.gnss_fired = False
        # airspeed -------------------------------------------------------------------------
        if nav.airspeed_failed and not self.aspd_fired:
            self.aspd_fired = True
            out.append(
                FailsafeAction(
                    "airspeed_failure",
                    "synthetic airspeed",
                    "pitot disagrees with GNSS - wind",
                    "none",
                )
            )
        # estimator ------------------------------------------------------------------------
        if nav.ekf_resets > self.ekf_resets:
            self.ekf_resets = nav.ekf_resets
            out.append(
                FailsafeAction(
                    "ekf_reset", "reset to GNSS", "persistent GNSS innovation rejections", "none"
                )
            )
        # fence ----------------------------------------------------------------------------
        if self.fence is not None and not self.fence.is_empty and nav.airborne:
            ok, why = self.fence.contains(nav.lat_deg, nav.lon_deg, nav.alt_m - self.home[2])
            if not ok and not self.fence_breached:
                self.fence_breached = True
                act = s.FENCE_ACTION
                cmd = {0: "none", 1: "guided", 2: "none", 4: "rtl"}[act]
                name = {0: "none", 1: "GUIDED", 2: "report", 4: "RTL"}[act]
                tgt = None
                if act == 1:
                    br = self.fence.breach_return
                    tgt = (br.lat_deg, br.lon_deg, br.alt_m) if br is not None else None
                out.append(FailsafeAction("fence_breach", name, why or "", cmd, tgt))
            elif ok and self.fence_breached:
                self.fence_breached = False
                out.append(FailsafeAction("fence_reentry", "none", "back inside the fence", "none"))
        # fuel -----------------------------------------------------------------------------
        if (nav.airborne and nav.engine_running and s.FS_FUEL_ACTN
                and self.fuel_model is not None):  # fmt: skip
            out += self._fuel(nav)
        return out

    # fuel -------------------------------------------------------------------------------------

    def _leg_of(self, seq: int | None) -> int | None:
        """The route leg flying to item ``seq`` (the first at or after the last one found)."""
        if seq is None:
            return None
        legs = self.fuel_model.route.legs
        for j in range(self.route_leg, len(legs)):
            if legs[j].to_seq == seq:
                self.route_leg = j
                return j
        return self.route_leg if self.route_leg < len(legs) else None

    def _fuel(self, nav: NavSnapshot) -> list[FailsafeAction]:
        """The fuel decision when due: on its schedule, when the wind estimate has moved,
        or while the gauge shows a burn beyond the engine's (the burn rate is sampled at
        every check)."""
        rate, climb = self.burn_rate_kgps(nav.t_s, nav.fuel_kg, nav.alt_m)
        excess = self.fuel_model.excess_burn_kgps(rate, nav.fuel_kg, nav.alt_m, nav.tas_mps,
                                                  climb)  # fmt: skip
        wind = (nav.wind_n_mps, nav.wind_e_mps)
        moved = math.hypot(wind[0] - self.fuel_wind[0], wind[1] - self.fuel_wind[1])
        if nav.t_s < self.next_fuel_t and moved <= FUEL_WIND_CHANGE_MPS and excess == 0.0:
            return []
        self.next_fuel_t = nav.t_s + FUEL_CHECK_S
        lead = (rate or 0.0) * FUEL_CHECK_S
        leg = self._leg_of(nav.mission_seq) if self.diverted_to is None else None
        d = self.fuel_model.decide(leg, nav.lat_deg, nav.lon_deg, nav.alt_m, nav.fuel_kg, wind,
                                   lead, excess)  # fmt: skip
        self.last_decision = d
        self.fuel_wind = wind
        # the next decision before a share of the smallest margin that matters can be burnt
        margin = (d.finish_margin_kg if math.isfinite(d.finish_fuel_kg) else
                  max((m.margin_kg for m in d.sites), default=0.0))  # fmt: skip
        if self.diverted_to is None and rate and margin > 0.0:
            wait = FUEL_MARGIN_SHARE * margin / (rate + excess)
            self.next_fuel_t = nav.t_s + min(max(wait, FUEL_CHECK_S), FUEL_CHECK_MAX_S)
        if self.diverted_to is None:
            if d.action == "divert":
                why = ("cannot finish the mission with the reserve"
                       if leg is not None and math.isfinite(d.finish_fuel_kg)
                       else "last chance to reach a site with the reserve")  # fmt: skip
                if excess > 0.0:
                    why += f" (burning {excess * 3600.0:.2f} kg/h more than the engine should)"
                return [self._divert(nav, d, d.site, why)]
            home = next((m for m in d.sites if m.site.kind == "home"), None)
            if (not self.pnr_announced and home is not None and home.margin_kg < 0.0
                    and math.isfinite(d.finish_fuel_kg)):  # fmt: skip
                self.pnr_announced = True
                return [FailsafeAction("pnr", "none", "past the point of no return for home; "
                                       + d.text(), FsCommand.NONE)]  # fmt: skip
            return []
        now = next(m for m in d.sites if m.site == self.diverted_to)
        best = max((m for m in d.sites if math.isfinite(m.margin_kg)),
                   key=lambda m: m.margin_kg, default=now)  # fmt: skip
        if best.site != now.site and best.margin_kg > now.margin_kg + SITE_SWITCH_KG:
            return [self._divert(nav, d, best.site, f"{best.site.name} now has "
                                 f"{best.margin_kg - now.margin_kg:.2f} kg more margin than "
                                 f"{now.site.name}")]  # fmt: skip
        return []

    def _divert(self, nav: NavSnapshot, d, site, why: str) -> FailsafeAction:
        self.diverted_to = site
        wind = (nav.wind_n_mps, nav.wind_e_mps)
        speed = self.fuel_model.range_speed_mps(site, nav.lat_deg, nav.lon_deg, nav.alt_m,
                                                nav.fuel_kg, wind)  # fmt: skip
        detail = f"{why}: {d.text()}"
        if site.kind == "landing" and site.land_start_seq is not None:
            return FailsafeAction("low_fuel", f"land at {site.name}", detail,
                                  FsCommand.LAND_SEQUENCE, seq=site.land_start_seq,
                                  speed_mps=speed)  # fmt: skip
        target = (site.lat_deg, site.lon_deg, site.ground_alt_m)
        return FailsafeAction("low_fuel", f"land at {site.name}", detail, FsCommand.LAND_AT,
                              target, speed_mps=speed)  # fmt: skip

    def _engine_out(self, nav: NavSnapshot) -> FailsafeAction:
        if not self.s.FS_ENGINE_ACTN:
            return FailsafeAction("engine_failure", "none", "engine stopped", "none")
        sites = [("home", self.home)] + [
            (f"rally point {k}", rp) for k, rp in enumerate(self.rally, start=1)
        ]
        best = None
        for name, site in sites:
            m = glide_reach_margin_m(nav.lat_deg, nav.lon_deg, nav.alt_m, site, self.v_glide,
                                     self.ld, nav.wind_n_mps, nav.wind_e_mps)  # fmt: skip
            if m >= self.s.GLIDE_MARGIN_M and (best is None or m > best[0]):
                best = (m, name, site)
        if best is None:
            return FailsafeAction("engine_failure", "land ahead",
                                  "engine stopped; no landing site within glide reach",
                                  "land_ahead")  # fmt: skip
        m, name, site = best
        return FailsafeAction("engine_failure", f"glide to {name}",
                              f"engine stopped; {name} in glide reach with {m:.0f} m to spare",
                              "glide_to", site)  # fmt: skip
