"""Wind-aware mission prediction: time, fuel, point of no return and a go/no-go verdict.

:func:`predict_mission` flies the legs of :func:`longwing.planning.route.mission_route`
(the mission as the simulator's mission manager executes it) through a wind field with the
airframe's trim performance (:class:`~longwing.planning.performance.PerformanceTable`), the
way the closed loop flies them:

Speeds
    The mission's speed demand (``Mission.cruise_speed_mps``, else
    ``MissionSettings.AIRSPEED_CRUISE``; ``DO_CHANGE_SPEED`` from its item on) is what the
    simulator hands TECS, and the simulator flies it as a *true* airspeed, clipped to
    ``[AIRSPEED_MIN, AIRSPEED_MAX]`` (EAS, so those limits rise with altitude as TAS) and,
    in turns, the minimum raised by sqrt(load factor) (``STALL_PREVENTION``). With
    ``speed_is_eas=True`` the demand is taken as EAS instead (ArduPlane's meaning of
    ``AIRSPEED_CRUISE``). With ``speed_to_fly=True`` straight legs are flown at the speed
    that maximises ground distance per kg of fuel in the local wind (within the same limits).
Legs
    Integrated along the WGS84 geodesic in steps of at most ``max_step_m`` (10 km): at the
    middle of each step the wind at the position and current altitude gives, through the
    wind triangle, the heading (crosswind correction) and ground speed; mass falls with the
    fuel burnt; the fuel flow is the table's at the mass, altitude, airspeed and climb
    angle. Steps also end where the altitude meets its demand, so climbs are exact.
    The altitude demand slopes linearly from the previous point's altitude to the next, as
    the simulator's does; the aircraft follows it at the demanded rate limited to
    ``TECS_CLMB_MAX`` (and the full-throttle climb the table allows at ``THR_MAX``) and to
    ``TECS_SINK_MAX`` or the idle glide's sink at that speed, whichever is less (TECS holds
    the speed at idle), lagging behind a steeper demand. A leg ends at the waypoint's
    acceptance radius (``WP_RADIUS``) before it, where the simulator switches.
Turns and joins
    L1 guidance as the simulator flies it: at a waypoint the aircraft turns at the
    navigation bank limit ``NAV_ROLL_LIM_DEG`` onto the new course (a circle of radius
    ``V^2 / (g tan(bank))`` in the air mass, drifting with the wind, the shorter way round
    in ground course), then captures the track at 45 deg; from well behind a leg's start
    (by more than 45 deg and farther than the L1 distance) it flies back to the start first.
    The turns are flown at their load factor ``1 / cos(bank)``. After the climb-out the
    kinetic energy above the cruise speed is credited as throttle not needed.
Take-off
    Catapult: released at the launch speed ``launch_height_m`` above home, heading into the
    wind if the surface wind is at least 2 m/s (else toward the first waypoint), full
    throttle at the launch climb pitch: the table gives the climb angle at which
    ``alpha + gamma`` equals that pitch and the excess power accelerates the aircraft;
    integrated every 0.5 s until 5 m below the take-off altitude. Runway: a ground roll at
    full power (thrust minus rolling friction) to the rotation speed, then the same.
Loiters
    From the aircraft straight toward the centre until the circle, then round it; the exit
    counts (turns, time, altitude) start there. On the circle the ground speed follows the
    wind triangle at each bearing, the bank the L1 loiter law commands
    (``tan(phi) = Vg^2 / (g R)``, limited to ``NAV_ROLL_LIM_DEG``; a radius too tight for
    the downwind side is widened there to what that bank holds), with its load factor in
    the fuel flow. The next leg starts where the circle is left (after a time exit, a point
    estimated from the mean angular rate). An altitude change is flown at the climb/sink
    limits from the start of the item.
Landing
    ``NAV_LAND``: the glide slope at ``LAND_APPROACH_SPD`` from the previous point to the
    flare point ``FLARE_DIST`` before touchdown (computed as the manager does), the flare at
    idle, and the roll-out on the skids/brakes (``mu_brake``) to a stop. (A landing with a
    tailwind is noted: the simulator's aircraft can then slide on for a long time.)
Return, PNR, reserve
    From every sample point, the fuel and time to the nearest (by fuel) of home, the rally
    points and any home set by ``DO_SET_HOME``: straight along the geodesic at the sample's
    altitude, every 25 km the speed that flies farthest per kg in the local wind (mass held
    at the sample's: slightly conservative; the final descent and landing are left out: they
    cost less than the reserve's holding). The point of no return is where the fuel
    remaining minus that return fuel first falls below the reserve. The reserve is
    ``max(minutes of holding at best-endurance speed RTL_ALTITUDE above the last home,
    fraction x the fuel the mission needs)``.

Everything is SI inside; degrees only in the latitude/longitude/course fields. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.airframe.params import Airframe
from longwing.control.params import AutopilotParams, build_params
from longwing.geo.atmosphere import RHO0_KGPM3, isa
from longwing.geo.wgs84 import radii_of_curvature
from longwing.mission.items import TerrainFn
from longwing.mission.manager import LAUNCH_INTO_WIND_MPS, MissionManager, MissionSettings
from longwing.mission.model import Mission
from longwing.physics.wind import WindField
from longwing.planning.performance import PerformanceTable
from longwing.planning.route import Route, RouteLeg, mission_route
from longwing.planning.windgrid import WindSource, as_wind_source
from longwing.sim import target as tg

__all__ = [
    "LegPrediction",
    "PointOfNoReturn",
    "Prediction",
    "Reserve",
    "predict_mission",
]

GEOD = Geodesic.WGS84
_POS = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.AZIMUTH
G_MPS2 = 9.80665
DEFAULT_MAX_STEP_M = 10_000.0
RETURN_STEP_M = 25_000.0
RETURN_SPEEDS = 24
RETURN_CHUNK = 200_000  # elements of the (samples x pieces x speeds) arrays per chunk
MIN_GROUND_SPEED_MPS = 5.0
STALL_MARGIN = 1.0  # the demand must be at least the trim limit speed
TAKEOFF_DT_S = 0.5
TAKEOFF_MAX_S = 900.0
ALT_TOL_M = 0.5
CAPTURE_SIN = math.sqrt(0.5)
CIRCLE_POINTS = 72
CLIMB_SHORT_M = 50.0  # a leg ending this far below its altitude with a power-limited climb
TAILWIND_NOTE_MPS = 2.0  # a landing with more tailwind than this is noted
REVERSAL_DEG = 175.0  # course reversals closer to 180 deg turn the shorter way in heading


@dataclass(frozen=True)
class Reserve:
    """Fuel to keep: the larger of ``minutes`` of holding (best-endurance fuel flow at
    ``RTL_ALTITUDE`` above the last home, at the landing mass) and ``fraction`` of the fuel
    the mission needs (take-off to touchdown)."""

    minutes: float = 30.0
    fraction: float = 0.10

    def __post_init__(self) -> None:
        if not (math.isfinite(self.minutes) and self.minutes >= 0.0):
            raise ValueError(f"reserve minutes must be >= 0, got {self.minutes!r}")
        if not (math.isfinite(self.fraction) and 0.0 <= self.fraction <= 1.0):
            raise ValueError(f"reserve fraction must be in [0, 1], got {self.fraction!r}")

    def fuel_kg(self, holding_kgps: float, trip_fuel_kg: float) -> float:
        return max(self.minutes * 60.0 * holding_kgps, self.fraction * max(trip_fuel_kg, 0.0))


@dataclass(frozen=True, eq=False)
class LegPrediction:
    """One flown leg (``takeoff``, ``leg``, ``loiter``, ``rtl``, ``land``) of the route.

    Scalars: ground distance flown (joins, turns and circles included) and the planned
    geodesic length, initial course (geodesic azimuth; NaN for loiters and take-offs),
    heading at the start (wind-corrected), mean true airspeed (time-weighted), mean ground
    speed (distance / time), the slowest ground speed, time and fuel of the leg, fuel left at
    its end, start time, start and end altitude.

    Sample arrays (the step ends, at most ``max_step_m`` apart, first = the leg's start):
    ``lat_deg``, ``lon_deg``, ``alt_m``, ``along_m`` (ground distance from launch), ``t_s``
    and ``fuel_remaining_kg``: what a terrain or radio check needs. ``min_clearance_m`` and
    ``link_ok`` are left ``None`` for such a check to fill in (:meth:`Prediction.with_leg_checks`).
    """

    index: int
    kind: str
    from_seq: int
    to_seq: int
    distance_m: float
    planned_distance_m: float
    course_deg: float
    heading_deg: float
    airspeed_mps: float
    ground_speed_mps: float
    min_ground_speed_mps: float
    time_s: float
    fuel_kg: float
    fuel_remaining_kg: float
    t_start_s: float
    alt_start_m: float
    alt_end_m: float
    lat_deg: np.ndarray = field(repr=False)
    lon_deg: np.ndarray = field(repr=False)
    alt_m: np.ndarray = field(repr=False)
    along_m: np.ndarray = field(repr=False)
    t_s: np.ndarray = field(repr=False)
    fuel_remaining_kg_samples: np.ndarray = field(repr=False)
    min_clearance_m: float | None = None
    link_ok: bool | None = None

    def as_dict(self) -> dict:
        """JSON-ready scalars (no sample arrays)."""
        out = {}
        for k in (
            "index",
            "kind",
            "from_seq",
            "to_seq",
            "distance_m",
            "planned_distance_m",
            "course_deg",
            "heading_deg",
            "airspeed_mps",
            "ground_speed_mps",
            "min_ground_speed_mps",
            "time_s",
            "fuel_kg",
            "fuel_remaining_kg",
            "t_start_s",
            "alt_start_m",
            "alt_end_m",
            "min_clearance_m",
            "link_ok",
        ):
            v = getattr(self, k)
            out[k] = None if isinstance(v, float) and not math.isfinite(v) else v
        return out


@dataclass(frozen=True)
class PointOfNoReturn:
    """The last point from which the aircraft can still get back (home or a rally point)
    with the reserve: position, distance flown from launch, time, leg, fuel left there."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    along_m: float
    t_s: float
    leg_index: int
    fuel_remaining_kg: float


@dataclass(frozen=True, eq=False)
class Prediction:
    """The predicted flight. ``verdict`` lists the problems (empty: go), ``notes`` what is
    worth knowing but not a problem. Route-wide sample arrays are the legs' samples end to
    end; ``time_to_home_s``/``fuel_to_home_kg`` are the return costs from each (``inf`` if
    the wind does not allow it) and ``return_to`` the destination (0 home, k rally point k,
    -1 a home set by DO_SET_HOME)."""

    route: Route
    legs: tuple[LegPrediction, ...]
    fuel_kg: float
    time_s: float
    fuel_used_kg: float
    fuel_remaining_kg: float
    distance_m: float
    reserve_kg: float
    completed: bool  # flown to the route's end (not stopped by wind or fuel)
    lat_deg: np.ndarray = field(repr=False)
    lon_deg: np.ndarray = field(repr=False)
    alt_m: np.ndarray = field(repr=False)
    along_m: np.ndarray = field(repr=False)
    t_s: np.ndarray = field(repr=False)
    fuel_remaining_kg_samples: np.ndarray = field(repr=False)
    leg_index: np.ndarray = field(repr=False)
    time_to_home_s: np.ndarray = field(repr=False)
    fuel_to_home_kg: np.ndarray = field(repr=False)
    return_to: np.ndarray = field(repr=False)
    pnr: PointOfNoReturn | None
    verdict: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.verdict

    def with_leg_checks(
        self,
        min_clearance_m: Sequence[float | None] | None = None,
        link_ok: Sequence[bool | None] | None = None,
        problems: Sequence[str] = (),
    ) -> Prediction:
        """A copy with per-leg terrain clearance and/or radio link results filled in (one
        value per leg) and ``problems`` added to the verdict."""
        legs = list(self.legs)
        for i, leg in enumerate(legs):
            kw = {}
            if min_clearance_m is not None:
                kw["min_clearance_m"] = min_clearance_m[i]
            if link_ok is not None:
                kw["link_ok"] = link_ok[i]
            legs[i] = replace(leg, **kw)
        return replace(self, legs=tuple(legs), verdict=self.verdict + tuple(problems))

    def summary(self) -> dict:
        """JSON-ready totals, legs, PNR, verdict and notes."""
        pnr = (
            None
            if self.pnr is None
            else {
                k: getattr(self.pnr, k)
                for k in (
                    "lat_deg",
                    "lon_deg",
                    "alt_m",
                    "along_m",
                    "t_s",
                    "leg_index",
                    "fuel_remaining_kg",
                )
            }
        )
        return {
            "ok": self.ok,
            "completed": self.completed,
            "time_s": self.time_s,
            "distance_m": self.distance_m,
            "fuel_kg": self.fuel_kg,
            "fuel_used_kg": self.fuel_used_kg,
            "fuel_remaining_kg": self.fuel_remaining_kg,
            "reserve_kg": self.reserve_kg,
            "route_end": self.route.end,
            "pnr": pnr,
            "legs": [leg.as_dict() for leg in self.legs],
            "verdict": list(self.verdict),
            "notes": list(self.notes),
        }


# --- the integrator -----------------------------------------------------------------------


class _Stop(Exception):
    """The flight cannot go on (no progress against the wind)."""


@dataclass
class _Profile:
    """Altitude demand along a leg as the simulator slopes it: ``alt_end`` once the distance
    remaining to B is at most ``rem_end``, ``alt_start`` at ``rem_end + span`` and beyond,
    linear in between."""

    alt_start: float
    alt_end: float
    rem_end: float = 0.0
    span: float = 0.0

    def at(self, rem: float) -> tuple[float, float]:
        """(demand m, slope: dh_demand per metre of progress)."""
        if self.span <= 1.0:
            return self.alt_end, 0.0
        frac = (rem - self.rem_end) / self.span
        if frac >= 1.0:
            return self.alt_start, 0.0
        if frac <= 0.0:
            return self.alt_end, 0.0
        return self.alt_end + frac * (self.alt_start - self.alt_end), (
            self.alt_end - self.alt_start
        ) / self.span


@dataclass
class _LegAcc:
    """Per-leg accumulators and samples (local)."""

    dist: float = 0.0
    time: float = 0.0
    fuel: float = 0.0
    tas_time: float = 0.0  # integral of TAS over the airborne time
    air_time: float = 0.0
    min_gs: float = math.inf
    heading: float = math.nan
    ceiling_checked: bool = False
    climb_power_limited: float = 0.0  # TAS of a climb limited by full throttle, 0 if none
    lat: list = field(default_factory=list)
    lon: list = field(default_factory=list)
    alt: list = field(default_factory=list)
    along: list = field(default_factory=list)
    t: list = field(default_factory=list)
    fuel_rem: list = field(default_factory=list)
    problems: dict = field(default_factory=dict)


class _Flight:
    """Mutable state of one prediction (local to :func:`predict_mission`)."""

    def __init__(
        self, af, table, wind, ap, settings, fuel_kg, speed_is_eas, speed_to_fly, max_step_m, min_gs
    ):
        self.af = af
        self.table = table
        self.wind = wind
        self.ap = ap
        self.s = settings
        self.speed_is_eas = speed_is_eas
        self.stf = speed_to_fly
        self.max_step = max_step_m
        self.min_gs = min_gs
        self.fuel = fuel_kg
        self.t = 0.0
        self.along = 0.0
        self.lat = 0.0
        self.lon = 0.0
        self.h = 0.0
        self.course: float | None = None  # last ground course flown, deg
        self.energy_credit = 0.0  # J of kinetic energy above the cruise speed after a climb-out
        self.v_climbout = 0.0
        self.circle_t = 0.0  # time (s) and fraction of the loiter flown so far
        self.circle_f = 0.0
        self.acc = _LegAcc()
        self.notes: list[str] = []
        self.fuel_out: tuple[float, float] | None = None  # (t, along) when the tank ran dry
        tecs = ap.tecs
        self.climb_max = tecs.climb_max_mps
        self.sink_max = tecs.sink_max_mps
        self.eas_min = tecs.airspeed_min_mps
        self.eas_max = tecs.airspeed_max_mps
        self.thr_max = tecs.thr_max
        self.stall_prev = tecs.stall_prevention > 0.0
        self.bank_nav = ap.l1.bank_limit_rad
        self.l1_period = ap.l1.period_s
        self.l1_damping = ap.l1.damping

    # --- small helpers --------------------------------------------------------------------

    def mass(self) -> float:
        return self.af.mass.dry_mass_kg + max(self.fuel, 0.0)

    def wind_ne(self, lat: float, lon: float, h: float) -> tuple[float, float]:
        wn, we = self.wind.at(lat, lon, h)
        return float(wn), float(we)

    def e2t(self, h: float) -> float:
        return math.sqrt(RHO0_KGPM3 / isa(h)[2])

    def tas_for(
        self, speed: float, h: float, wa: float, wx: float, n: float = 1.0, cruise: bool = False
    ) -> float:
        """The true airspeed the aircraft flies for the mission's speed demand."""
        e2t = self.e2t(h)
        lo = self.eas_min * e2t * (math.sqrt(n) if self.stall_prev else 1.0)
        hi = max(self.eas_max * e2t, lo)
        if cruise and self.stf:
            v = float(
                self.table.speed_to_fly(
                    self.mass(), h, wa, wx, eas_min_mps=self.eas_min, eas_max_mps=self.eas_max
                ).tas_mps
            )
        else:
            v = speed * e2t if self.speed_is_eas else speed
        return min(max(v, lo), hi)

    def climb_limit(self, h: float, v: float) -> float:
        rate = float(self.table.climb_rate_mps(self.mass(), h, v, self.thr_max))
        return max(min(self.climb_max, rate), 0.0)

    def sink_limit(self, h: float, v: float) -> float:
        """TECS_SINK_MAX, or less: the sink at idle (TECS holds the speed, so a descent
        steeper than the idle glide is not flown)."""
        sink = float(self.table.idle_sink_mps(self.mass(), h, v))
        return max(min(self.sink_max, sink), 0.05)

    def record(self) -> None:
        a = self.acc
        a.lat.append(self.lat)
        a.lon.append(self.lon)
        a.alt.append(self.h)
        a.along.append(self.along)
        a.t.append(self.t)
        a.fuel_rem.append(self.fuel)

    def burn(self, kg: float) -> None:
        before = self.fuel
        self.fuel -= kg
        if before > 0.0 >= self.fuel and self.fuel_out is None:
            self.fuel_out = (self.t, self.along)

    def problem(self, key: str, text: str) -> None:
        """Note a problem once per leg (the first occurrence's text)."""
        self.acc.problems.setdefault(key, text)

    def check_flight(
        self, v: float, h: float, n: float, stalled: bool, plim: bool, preq: float
    ) -> None:
        if stalled:
            vs = float(self.table.min_speed_mps(self.mass(), h, n))
            self.problem(
                "stall", f"airspeed {v:.1f} m/s below the stall speed {vs:.1f} m/s at {h:.0f} m"
            )
        elif plim:
            pmax = float(self.table.max_power_w(h))
            self.problem(
                "power",
                f"{v:.1f} m/s at {h:.0f} m needs {preq / max(pmax, 1e-9):.0%}"
                " throttle: beyond full power",
            )

    # --- straight flight ------------------------------------------------------------------

    def heading_for(self, course_deg: float, v: float, wn: float, we: float) -> float:
        """Heading (deg) that makes good ``course_deg`` at TAS ``v`` in the wind."""
        chi = math.radians(course_deg)
        wx = -wn * math.sin(chi) + we * math.cos(chi)
        return course_deg - math.degrees(math.asin(max(-1.0, min(1.0, wx / v))))

    def arc_to(self, course_deg: float, speed: float) -> None:
        """Turn at the navigation bank limit from the last course to ``course_deg``: a
        circle of radius ``V^2 / (g tan(bank))`` in the air, drifting with the wind, the
        shorter way round (as L1 turns); the aircraft moves to the end of the arc."""
        if self.course is None or not math.isfinite(course_deg):
            return
        wn, we = self.wind_ne(self.lat, self.lon, self.h)
        v = self.tas_for(speed, self.h, 0.0, 0.0, 1.0 / math.cos(self.bank_nav))
        psi1 = math.radians(self.heading_for(self.course, v, wn, we))
        psi2 = math.radians(self.heading_for(course_deg, v, wn, we))
        d = (psi2 - psi1 + math.pi) % (2.0 * math.pi) - math.pi
        dchi = (course_deg - self.course + 180.0) % 360.0 - 180.0
        if abs(dchi) < 1.0:
            return
        if abs(dchi) < REVERSAL_DEG and d * dchi < 0.0:
            # L1 turns the shorter way in ground course; in a crosswind the heading may
            # have to turn the longer way round for that
            d += math.copysign(2.0 * math.pi, dchi)
        sign = 1.0 if d > 0.0 else -1.0
        r = v * v / (G_MPS2 * math.tan(self.bank_nav))
        dt = r * abs(d) / v
        # ground path: the air-relative circle plus the wind's drift, in 8 pieces
        n_pc = 8
        north = east = dist = 0.0
        for k in range(n_pc):
            pa = psi1 + d * k / n_pc
            pb = psi1 + d * (k + 1) / n_pc
            dn = sign * r * (math.sin(pb) - math.sin(pa)) + wn * dt / n_pc
            de = sign * r * (math.cos(pa) - math.cos(pb)) + we * dt / n_pc
            north += dn
            east += de
            dist += math.hypot(dn, de)
        n_load = 1.0 / math.cos(self.bank_nav)
        ff, _, _, _ = self.table.flight(self.mass(), self.h, v, 0.0, n_load, math.radians(self.lat))
        if math.hypot(north, east) > 0.01:
            p = GEOD.Direct(
                self.lat, self.lon, math.degrees(math.atan2(east, north)), math.hypot(north, east)
            )
            self.lat, self.lon = p["lat2"], p["lon2"]
        a = self.acc
        a.time += dt
        a.dist += dist
        a.fuel += ff * dt
        a.tas_time += v * dt
        a.air_time += dt
        self.t += dt
        self.along += dist
        self.burn(ff * dt)
        self.course = course_deg % 360.0
        self.record()

    def fly_line(
        self,
        lat2: float,
        lon2: float,
        prof: _Profile,
        speed: float,
        rem_after: float = 0.0,
        cruise: bool = False,
    ) -> None:
        """Straight along the geodesic from here to (lat2, lon2); ``rem_after`` is the
        distance from there on to the leg's B (for the altitude demand)."""
        line = GEOD.InverseLine(self.lat, self.lon, lat2, lon2)
        self.fly_geodesic(line, 0.0, line.s13, prof, speed, rem_after, cruise)

    def fly_geodesic(
        self,
        line,
        s_from: float,
        s_to: float,
        prof: _Profile,
        speed: float,
        rem_after: float = 0.0,
        cruise: bool = False,
    ) -> None:
        """Along the geodesic ``line`` from distance ``s_from`` (where the aircraft is) to
        ``s_to``, in steps; ``rem_after`` as in :meth:`fly_line`."""
        total = s_to
        end = line.Position(s_to, _POS)
        lat2, lon2 = end["lat2"], end["lon2"]
        if total - s_from < 0.01:
            self.lat, self.lon = lat2, lon2
            return
        s = s_from
        lat_rad = math.radians(self.lat)
        while total - s > 0.01:
            rem = total - s + rem_after
            h_dem, slope = prof.at(rem)
            ds = min(self.max_step, total - s)
            pm = line.Position(s + 0.5 * ds, _POS)
            chi = math.radians(pm["azi2"])
            wn, we = self.wind_ne(pm["lat2"], pm["lon2"], self.h)
            wa = wn * math.cos(chi) + we * math.sin(chi)
            wx = -wn * math.sin(chi) + we * math.cos(chi)
            v = self.tas_for(speed, self.h, wa, wx, cruise=cruise)
            gs0 = math.sqrt(max(v * v - wx * wx, 0.0)) + wa
            if gs0 < 0.5:
                self.acc.min_gs = min(self.acc.min_gs, gs0)
                raise _Stop(f"ground speed {gs0:.1f} m/s: cannot make progress against the wind")
            err = h_dem - self.h
            following = abs(err) <= ALT_TOL_M
            want = slope * gs0 if following else math.copysign(math.inf, err)
            up = self.climb_limit(self.h, v) if want > 0.0 else 0.0
            if want > 0.0 and up < self.climb_max:
                self.acc.climb_power_limited = v  # full throttle sets the climb rate
            down = self.sink_limit(self.h, v) if want < 0.0 else 0.0
            rate = min(max(want, -down), up)
            if want > 0.0 and up < 0.05 and err > 5.0 and not self.acc.ceiling_checked:
                self.acc.ceiling_checked = True
                ceiling = self.table.ceiling_m(self.mass(), 0.0, self.thr_max)
                self.problem(
                    "climb",
                    f"no climb above {self.h:.0f} m at {v:.1f} m/s (the "
                    f"ceiling is {ceiling:.0f} m at the best climb "
                    "speed)",
                )
            if not following or rate != want:
                closing = rate - slope * gs0
                if err * closing > 0.0:
                    ds_catch = gs0 * err / closing
                    if ds_catch < ds:
                        ds = max(ds_catch, min(1.0, total - s))
            gamma = math.asin(min(max(rate / v, -0.5), 0.5))
            gs = math.sqrt(max((v * math.cos(gamma)) ** 2 - wx * wx, 0.0)) + wa
            dt = ds / gs
            h_mid = self.h + 0.5 * rate * dt
            ff, preq, stalled, plim = self.table.flight(self.mass(), h_mid, v, gamma, 1.0, lat_rad)
            self.check_flight(v, h_mid, 1.0, stalled, plim and rate <= 0.0, preq)
            if self.energy_credit > 0.0:
                # kinetic energy left over from the climb-out: TECS takes it as throttle
                # it need not give (the fuel of that energy, at most 90 % of the step's)
                p = self.af.prop
                saved = min(self.energy_credit / p.prop_eta * p.bsfc_kg_per_j, 0.9 * ff * dt)
                self.energy_credit -= saved / p.bsfc_kg_per_j * p.prop_eta
                ff -= saved / dt
            a = self.acc
            if math.isnan(a.heading):
                a.heading = math.degrees(chi - math.asin(max(-1.0, min(1.0, wx / v)))) % 360.0
            a.min_gs = min(a.min_gs, gs)
            a.dist += ds
            a.time += dt
            a.fuel += ff * dt
            a.tas_time += v * dt
            a.air_time += dt
            self.t += dt
            self.burn(ff * dt)
            self.h += rate * dt
            if not following and abs(self.h - (h_dem + slope * ds)) < ALT_TOL_M:
                self.h = h_dem + slope * ds
            s += ds
            self.along += ds
            if total - s > 0.01:
                pe = line.Position(s, _POS)
                self.lat, self.lon = pe["lat2"], pe["lon2"]
                self.course = pe["azi2"]
            else:
                self.lat, self.lon = lat2, lon2
                self.course = end["azi2"]
            self.record()

    def l1_distance(self, gs: float) -> float:
        return self.l1_damping * self.l1_period * gs / math.pi

    def offset_from(self, lat_a: float, lon_a: float) -> tuple[float, float]:
        """North and east (m) of the aircraft from the point A: local radii of curvature
        within 20 km (plenty for joining a leg), the geodesic beyond."""
        lat_m = math.radians(0.5 * (lat_a + self.lat))
        dlon = (self.lon - lon_a + 180.0) % 360.0 - 180.0
        m_rad, n_rad = radii_of_curvature(lat_m)
        dn = math.radians(self.lat - lat_a) * m_rad
        de = math.radians(dlon) * n_rad * math.cos(lat_m)
        if dn * dn + de * de > 4e8:
            inv = GEOD.Inverse(lat_a, lon_a, self.lat, self.lon)
            az = math.radians(inv["azi1"])
            dn, de = inv["s12"] * math.cos(az), inv["s12"] * math.sin(az)
        return dn, de

    def join_plan(self, leg: RouteLeg, end_rem: float) -> tuple[float, bool]:
        """How L1 takes the aircraft onto the leg A -> B: the distance along the leg where
        it joins (captured at 45 deg) and whether it first flies back to A (from well
        behind it)."""
        chi = math.radians(leg.course1_deg)
        dn, de = self.offset_from(leg.lat1_deg, leg.lon1_deg)
        d_a = math.hypot(dn, de)
        along = dn * math.cos(chi) + de * math.sin(chi)
        cross = -dn * math.sin(chi) + de * math.cos(chi)
        stop = max(leg.distance_m - end_rem, 0.0)
        gs_est = self.tas_for(leg.speed_mps, self.h, 0.0, 0.0)
        if d_a > self.l1_distance(gs_est) and along < -CAPTURE_SIN * d_a:
            return 0.0, True
        return min(max(along + abs(cross), 0.0), stop), False

    def join_and_fly(
        self, leg: RouteLeg, prof: _Profile, speed: float, cruise: bool, end_rem: float = 0.0
    ) -> None:
        """Fly the leg A -> B from wherever the aircraft is, as L1 joins it (turn, capture
        at up to 45 deg, or back to A first), stopping ``end_rem`` before B."""
        length = leg.distance_m
        if length < 1.0:
            self.fly_line(leg.lat2_deg, leg.lon2_deg, prof, speed, 0.0, cruise)
            return
        line = GEOD.InverseLine(leg.lat1_deg, leg.lon1_deg, leg.lat2_deg, leg.lon2_deg)
        stop = max(length - end_rem, 0.0)
        dn, de = self.offset_from(leg.lat1_deg, leg.lon1_deg)
        if math.hypot(dn, de) < self.l1_distance(self.tas_for(speed, self.h, 0.0, 0.0)):
            self.arc_to(leg.course1_deg, speed)  # at the waypoint: turn onto the track
        else:
            s_x, to_a = self.join_plan(leg, end_rem)
            x = line.Position(s_x, Geodesic.LATITUDE | Geodesic.LONGITUDE)
            inv = GEOD.Inverse(self.lat, self.lon, x["lat2"], x["lon2"])
            if inv["s12"] > 1.0:
                self.arc_to(inv["azi1"], speed)  # turn toward the capture (or A)
        s_x, to_a = self.join_plan(leg, end_rem)
        x = line.Position(s_x, Geodesic.LATITUDE | Geodesic.LONGITUDE)
        self.fly_line(x["lat2"], x["lon2"], prof, speed, length - s_x, cruise)
        if s_x < stop - 0.01:
            self.acc.heading = math.nan  # the leg's heading is the one on its own track
            self.fly_geodesic(line, s_x, stop, prof, speed, end_rem, cruise)

    # --- take-off -------------------------------------------------------------------------

    def takeoff(self, alt_target: float, heading_deg: float, v0: float, h0: float) -> None:
        """Full-throttle climb at the launch pitch along the launch heading to 5 m below
        ``alt_target`` (see the module doc)."""
        af = self.af
        tab = self.table
        p = af.prop
        pitch = self.s.TKOFF_CLIMB_PITCH
        v, h = v0, h0
        lat_rad = math.radians(self.lat)
        chi = math.radians(heading_deg)
        line = GEOD.DirectLine(self.lat, self.lon, heading_deg, 1e7)
        s = 0.0
        t0 = self.t
        gamma = 0.0
        stop_alt = alt_target - tg.ALT_TOL_M
        next_rec = 5.0
        self.h = h
        while h < stop_alt:
            if self.t - t0 > TAKEOFF_MAX_S:
                self.problem(
                    "takeoff",
                    f"take-off: no climb to {alt_target:.0f} m within "
                    f"{TAKEOFF_MAX_S:.0f} s at full throttle",
                )
                break
            m = self.mass()
            for _ in range(3):
                alpha = float(tab.point(m, h, v, gamma, 1.0, lat_rad).alpha_rad)
                gamma = pitch - alpha
            ff, preq, stalled, _ = tab.flight(m, h, v, gamma, 1.0, lat_rad)
            pmax = float(tab.max_power_w(h)) * self.thr_max
            ff = p.bsfc_kg_per_j * max(pmax, p.idle_power_w)
            vdot = p.prop_eta * (pmax - preq) / (m * max(v, p.thrust_min_speed_mps))
            wn, we = self.wind_ne(self.lat, self.lon, h)
            wa = wn * math.cos(chi) + we * math.sin(chi)
            wx = -wn * math.sin(chi) + we * math.cos(chi)
            vh = v * math.cos(gamma)
            gs = math.sqrt(max(vh * vh - wx * wx, 0.0)) + wa
            dt = TAKEOFF_DT_S
            climb = v * math.sin(gamma)
            if climb > 0.0 and h + climb * dt > stop_alt:
                dt = (stop_alt - h) / climb
            h += climb * dt
            v = max(v + vdot * dt, 1.0)
            s += max(gs, 0.0) * dt
            self.t += dt
            self.burn(ff * dt)
            a = self.acc
            a.time += dt
            a.fuel += ff * dt
            a.dist += max(gs, 0.0) * dt
            a.tas_time += v * dt
            a.air_time += dt
            a.min_gs = min(a.min_gs, gs)
            if math.isnan(a.heading):
                a.heading = heading_deg % 360.0
            self.along += max(gs, 0.0) * dt
            pe = line.Position(s)
            self.lat, self.lon, self.h = pe["lat2"], pe["lon2"], h
            if self.t - t0 >= next_rec or h >= stop_alt:
                self.record()
                next_rec += 5.0
            if stalled:
                self.problem("stall", "take-off: the climb-out is below the stall speed")
        self.course = heading_deg
        self.v_climbout = v

    def ground_roll(self, v_rotate: float) -> None:
        """Runway take-off roll at full power to the rotation speed (no lift, no drag)."""
        af, p = self.af, self.af.prop
        v = 0.0
        mu = af.ground.mu_long
        while v < v_rotate:
            pmax = float(self.table.max_power_w(self.h)) * self.thr_max
            acc = p.prop_eta * pmax / (self.mass() * max(v, p.thrust_min_speed_mps)) - mu * G_MPS2
            if acc <= 0.05:
                self.problem("takeoff", "take-off: the engine cannot overcome the rolling friction")
                break
            dt = 0.5
            v += acc * dt
            self.t += dt
            ff = p.bsfc_kg_per_j * max(pmax, p.idle_power_w)
            self.burn(ff * dt)
            self.acc.time += dt
            self.acc.fuel += ff * dt

    # --- loiter ---------------------------------------------------------------------------

    def circle(self, c_lat: float, c_lon: float, radius: float, speed: float, h: float):
        """(time per turn s, fuel per turn kg, mean TAS, mean load factor, radius flown) of
        circling (c_lat, c_lon) at ``h``."""
        wn, we = self.wind_ne(c_lat, c_lon, h)
        chi = (np.arange(CIRCLE_POINTS) + 0.5) * (2.0 * math.pi / CIRCLE_POINTS)
        wa = wn * np.cos(chi) + we * np.sin(chi)
        wx = -wn * np.sin(chi) + we * np.cos(chi)
        v = np.full(chi.shape, self.tas_for(speed, h, 0.0, 0.0))
        tan_max = math.tan(self.bank_nav)
        gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa
        for _ in range(2):
            # where the bank limit cannot hold the radius the path widens to what it holds
            r_loc = np.maximum(radius, gs * gs / (G_MPS2 * tan_max))
            tan_b = np.minimum(gs * gs / (G_MPS2 * r_loc), tan_max)
            n = np.sqrt(1.0 + tan_b * tan_b)
            v = np.array([self.tas_for(speed, h, 0.0, 0.0, float(nk)) for nk in n])
            gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa
        if np.any(gs < 0.5):
            raise _Stop("the wind is stronger than the airspeed: the loiter cannot be held")
        r_loc = np.maximum(radius, gs * gs / (G_MPS2 * tan_max))
        dt = r_loc * (2.0 * math.pi / CIRCLE_POINTS) / gs
        r_eff = float(np.sum(r_loc * dt) / np.sum(dt))
        pt = self.table.point(self.mass(), h, v, 0.0, n, math.radians(c_lat))
        stalled = np.asarray(pt.stalled)
        if np.any(stalled):
            k = int(np.argmax(stalled))
            vs = float(self.table.min_speed_mps(self.mass(), h, float(n[k])))
            self.problem(
                "stall",
                f"loiter: airspeed {v[k]:.1f} m/s below the stall speed "
                f"{vs:.1f} m/s in the {math.degrees(math.atan(tan_b[k])):.0f}"
                " deg banked turn",
            )
        t_turn = float(np.sum(dt))
        fuel_turn = float(np.sum(np.asarray(pt.fuel_flow_kgps) * dt))
        self.acc.min_gs = min(self.acc.min_gs, float(np.min(gs)))
        return t_turn, fuel_turn, float(np.sum(v * dt) / t_turn), float(np.mean(n)), r_eff

    def loiter(self, leg: RouteLeg) -> None:
        c_lat, c_lon, alt = leg.lat2_deg, leg.lon2_deg, leg.alt2_m
        radius = abs(leg.radius_m)
        dirn = 1.0 if leg.radius_m >= 0.0 else -1.0
        speed = leg.speed_mps
        prof = _Profile(alt, alt)
        inv = GEOD.Inverse(c_lat, c_lon, self.lat, self.lon)
        if inv["s12"] > radius + 1.0:
            self.arc_to((inv["azi2"] + 180.0) % 360.0, speed)  # turn toward the centre
            inv = GEOD.Inverse(c_lat, c_lon, self.lat, self.lon)
        if inv["s12"] > radius + 1.0:
            entry_brg = inv["azi1"]
            e = GEOD.Direct(c_lat, c_lon, entry_brg, radius)
            self.fly_line(e["lat2"], e["lon2"], prof, speed)
        else:
            entry_brg = inv["azi1"] if inv["s12"] > 1.0 else 0.0
        t_turn, fuel_turn, v_mean, n_mean, r_eff = self.circle(c_lat, c_lon, radius, speed, alt)
        # altitude still to change on the circle
        dh = alt - self.h
        rate = self.climb_limit(self.h, v_mean) if dh > 0.0 else self.sink_limit(self.h, v_mean)
        t_alt = abs(dh) / rate if rate > 0.0 else math.inf
        if leg.exit == "turns":
            t_c = leg.exit_value * t_turn
        elif leg.exit == "time":
            t_c = leg.exit_value
        elif leg.exit == "alt":
            t_c = max(0.0, (abs(dh) - tg.ALT_TOL_M) / rate) if rate > 0.0 else math.inf
            if not math.isfinite(t_c):
                self.problem("climb", f"loiter: cannot reach {alt:.0f} m")
                t_c = 0.0
        else:  # unlimited: the flight holds here; predicted up to the capture
            t_c = 0.0
        ff_lvl = fuel_turn / t_turn
        t_chg = min(t_alt, t_c)
        extra = 0.0
        if t_chg > 0.0 and abs(dh) > ALT_TOL_M:
            gamma = math.asin(max(-0.5, min(0.5, math.copysign(rate, dh) / v_mean)))
            lat_rad = math.radians(c_lat)
            ff_c, _, _, _ = self.table.flight(
                self.mass(), self.h + 0.5 * dh, v_mean, gamma, n_mean, lat_rad
            )
            ff_0, _, _, _ = self.table.flight(
                self.mass(), self.h + 0.5 * dh, v_mean, 0.0, n_mean, lat_rad
            )
            extra = (ff_c - ff_0) * t_chg
            self.h += math.copysign(min(abs(dh), rate * t_chg), dh)
        angle = 360.0 * t_c / t_turn
        self.circle_t = 0.0
        self.circle_f = 0.0
        # samples round the circle (one turn at most), then the exit point
        n_s = int(min(angle, 360.0) // 30.0)
        for k in range(1, n_s + 1):
            frac = 30.0 * k / angle
            p = GEOD.Direct(c_lat, c_lon, entry_brg + dirn * 30.0 * k, r_eff)
            self._advance_circle(
                p["lat2"], p["lon2"], frac * t_c, frac, ff_lvl, extra, t_turn, r_eff, v_mean
            )
        exit_brg = entry_brg + dirn * angle
        p = GEOD.Direct(c_lat, c_lon, exit_brg, r_eff)
        self._advance_circle(p["lat2"], p["lon2"], t_c, 1.0, ff_lvl, extra, t_turn, r_eff, v_mean)
        self.course = (p["azi2"] + dirn * 90.0) % 360.0

    def _advance_circle(self, lat, lon, t_rel, frac, ff_lvl, extra, t_turn, r_eff, v_mean):
        """Move along the circle to the sample at ``t_rel`` s after capture."""
        t_prev, f_prev = self.circle_t, self.circle_f
        self.circle_t, self.circle_f = t_rel, frac
        dt = t_rel - t_prev
        fuel = ff_lvl * dt + extra * (frac - f_prev)
        dist = 2.0 * math.pi * r_eff * dt / t_turn
        a = self.acc
        a.time += dt
        a.fuel += fuel
        a.dist += dist
        a.tas_time += v_mean * dt
        a.air_time += dt
        self.t += dt
        self.along += dist
        self.burn(fuel)
        self.lat, self.lon = lat, lon
        self.record()

    # --- landing --------------------------------------------------------------------------

    def land(self, leg: RouteLeg) -> None:
        s = self.s
        speed = s.LAND_APPROACH_SPD
        ground = leg.alt2_m
        length = leg.distance_m
        alt_a = leg.alt1_m
        slope = max(alt_a - ground, 0.0) / max(length, 1.0)
        mean_sink = max(0.5 * (speed * slope + s.LAND_FLARE_SINK), 0.1)
        flare_dist = min(speed * s.LAND_FLARE_ALT / mean_sink, 0.5 * length)
        prof = _Profile(alt_a, ground + s.LAND_FLARE_ALT, flare_dist, max(length - flare_dist, 1.0))
        self.join_and_fly(leg, prof, speed, cruise=False, end_rem=flare_dist)
        # flare at idle to the landing point, then the roll-out to a stop
        p = self.af.prop
        ff_idle = p.bsfc_kg_per_j * p.idle_power_w
        wn, we = self.wind_ne(leg.lat2_deg, leg.lon2_deg, ground)
        chi = math.radians(leg.course2_deg if math.isfinite(leg.course2_deg) else 0.0)
        wa = wn * math.cos(chi) + we * math.sin(chi)
        wx = -wn * math.sin(chi) + we * math.cos(chi)
        v = self.tas_for(speed, ground, wa, wx)
        gs = max(math.sqrt(max(v * v - wx * wx, 0.0)) + wa, 0.5)
        if wa > TAILWIND_NOTE_MPS:
            self.notes.append(f"landing at item {leg.to_seq}: {wa:.1f} m/s tailwind on final")
        t_flare = flare_dist / gs if flare_dist > 0.0 else 0.0
        mu = self.af.ground.mu_brake
        t_roll = gs / (mu * G_MPS2) if mu > 0.0 else 0.0
        d_roll = gs * gs / (2.0 * mu * G_MPS2) if mu > 0.0 else 0.0
        dt = t_flare + t_roll
        a = self.acc
        a.time += dt
        a.fuel += ff_idle * dt
        a.dist += flare_dist + d_roll
        a.tas_time += v * t_flare
        a.air_time += t_flare
        a.min_gs = min(a.min_gs, gs)
        self.t += dt
        self.burn(ff_idle * dt)
        self.along += flare_dist + d_roll
        self.lat, self.lon, self.h = leg.lat2_deg, leg.lon2_deg, ground
        self.record()


# --- return costs -------------------------------------------------------------------------


def _unit(lat_deg, lon_deg):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _lambert_distance_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Distance on the WGS84 ellipsoid by Lambert's formula (vectorised; about 10 m off
    the geodesic over thousands of kilometres, far inside a fuel estimate's needs)."""
    f = 1.0 / 298.257223563
    b1 = np.arctan((1.0 - f) * np.tan(np.radians(lat1)))
    b2 = np.arctan((1.0 - f) * np.tan(np.radians(lat2)))
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    hav = np.sin(0.5 * (b2 - b1)) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(0.5 * dl) ** 2
    sig = 2.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    p, q = 0.5 * (b1 + b2), 0.5 * (b2 - b1)
    c2, s2 = np.cos(0.5 * sig) ** 2, np.sin(0.5 * sig) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sig - np.sin(sig)) * np.sin(p) ** 2 * np.cos(q) ** 2 / c2
        y = (sig + np.sin(sig)) * np.cos(p) ** 2 * np.sin(q) ** 2 / s2
    corr = np.where(sig > 1e-12, x + y, 0.0)
    return 6378137.0 * (sig - 0.5 * f * corr)


def _return_leg(
    fl: _Flight,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    vc: np.ndarray,
    ffc: np.ndarray,
    dest: tuple[float, float],
    dist: np.ndarray,
    k_sub: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuel and time from each sample straight to ``dest`` in ``k_sub`` pieces, each at the
    candidate airspeed (``vc``, fuel flows ``ffc``) that costs the least fuel per metre."""
    f = (np.arange(k_sub) + 0.5) / k_sub
    p0 = _unit(lat, lon)  # (n, 3)
    p1 = _unit(np.array(dest[0]), np.array(dest[1]))  # (3,)
    omega = np.arccos(np.clip(p0 @ p1, -1.0, 1.0))  # (n,)
    so = np.where(omega > 1e-9, np.sin(omega), 1.0)[:, None]
    small = (omega <= 1e-9)[:, None]
    w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * omega[:, None]) / so)
    w1 = np.where(small, f, np.sin(f * omega[:, None]) / so)
    pts = w0[..., None] * p0[:, None, :] + w1[..., None] * p1
    pts /= np.linalg.norm(pts, axis=-1, keepdims=True)
    plat = np.arcsin(np.clip(pts[..., 2], -1.0, 1.0))
    plon = np.arctan2(pts[..., 1], pts[..., 0])
    dlat_r, dlon_r = math.radians(dest[0]), math.radians(dest[1])
    y = np.sin(dlon_r - plon) * math.cos(dlat_r)
    x = np.cos(plat) * math.sin(dlat_r) - np.sin(plat) * math.cos(dlat_r) * np.cos(dlon_r - plon)
    chi = np.arctan2(y, x)  # great-circle course toward the destination, (n, k)
    wn, we = fl.wind.at(np.degrees(plat), np.degrees(plon), alt[:, None])
    wn = np.broadcast_to(np.asarray(wn, float), chi.shape)
    we = np.broadcast_to(np.asarray(we, float), chi.shape)
    wa = (wn * np.cos(chi) + we * np.sin(chi))[..., None]
    wx = (-wn * np.sin(chi) + we * np.cos(chi))[..., None]
    v = vc[:, None, :]
    gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa  # (n, k, nv)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(gs > 0.5, ffc[:, None, :] / gs, np.inf)  # kg per m
    j = np.argmin(cost, axis=-1)[..., None]
    c_best = np.take_along_axis(cost, j, -1)[..., 0]
    g_best = np.take_along_axis(gs, j, -1)[..., 0]
    seg = (dist / k_sub)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        fuel_d = np.sum(seg * c_best, axis=1)
        time_d = np.sum(np.where(g_best > 0.5, seg / g_best, np.inf), axis=1)
    home = dist < 1.0
    return np.where(home, 0.0, fuel_d), np.where(home, 0.0, time_d)


def _return_costs(
    fl: _Flight,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    fuel: np.ndarray,
    dests: list[tuple[float, float]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fuel (kg) and time (s) to the cheapest destination from each sample, and its index.

    Distances are ellipsoidal (:func:`_lambert_distance_m`); the path's intermediate points
    and courses, used for the wind only, are those of the great circle on the sphere. The
    samples go in chunks so that the arrays stay small."""
    n = lat.size
    table = fl.table
    mass = fl.af.mass.dry_mass_kg + np.maximum(fuel, 0.0)
    e2t = np.sqrt(RHO0_KGPM3 / table.rho_kgpm3(alt))
    lo = np.maximum(fl.eas_min * e2t, 1.001 * np.asarray(table.min_speed_mps(mass, alt)))
    hi = np.maximum(fl.eas_max * e2t, lo)
    vc = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, RETURN_SPEEDS)  # (n, nv)
    ffc = np.asarray(table.point(mass[:, None], alt[:, None], vc, 0.0).fuel_flow_kgps)
    best_fuel = np.full(n, np.inf)
    best_time = np.full(n, np.inf)
    best_dest = np.zeros(n, dtype=int)
    for d_i, dest in enumerate(dests):
        dist = _lambert_distance_m(lat, lon, dest[0], dest[1])
        fuel_d = np.empty(n)
        time_d = np.empty(n)
        # nearest first, in chunks of similar distance: pieces of at most RETURN_STEP_M
        order = np.argsort(dist)
        a = 0
        while a < n:
            k_sub = 1
            b = a
            while b < n:
                k_next = max(k_sub, math.ceil(float(dist[order[b]]) / RETURN_STEP_M))
                if b > a and (b - a + 1) * min(k_next, 400) * RETURN_SPEEDS > RETURN_CHUNK:
                    break
                k_sub = k_next
                b += 1
            k_sub = min(k_sub, 400)
            idx = order[a:b]
            fuel_d[idx], time_d[idx] = _return_leg(
                fl, lat[idx], lon[idx], alt[idx], vc[idx], ffc[idx], dest, dist[idx], k_sub
            )
            a = b
        better = fuel_d < best_fuel
        best_fuel = np.where(better, fuel_d, best_fuel)
        best_time = np.where(better, time_d, best_time)
        best_dest = np.where(better, d_i, best_dest)
    return best_fuel, best_time, best_dest


# --- the public function ------------------------------------------------------------------


def _leg_label(i: int, leg: RouteLeg) -> str:
    if leg.kind == "takeoff":
        return "take-off"
    if leg.kind == "loiter":
        return f"leg {i} (loiter at item {leg.to_seq})"
    if leg.kind == "land":
        return f"leg {i} (landing, item {leg.to_seq})"
    return f"leg {i} (item {leg.from_seq} -> {leg.to_seq})"


def _ceiling_problems(
    route: Route, table: PerformanceTable, mass_kg: float, thr_max: float
) -> list[str]:
    """Legs climbing above the ceiling at the take-off mass (the lowest ceiling of the
    flight); only computed when the route goes near it."""
    h_top = max((leg.alt2_m for leg in route.legs), default=-math.inf)
    if not route.legs or table.max_climb(mass_kg, h_top, thr_max).climb_rate_mps >= 0.5:
        return []
    ceiling = table.ceiling_m(mass_kg, 0.0, thr_max)
    return [
        f"{_leg_label(i, leg)}: climb to {leg.alt2_m:.0f} m beyond the ceiling "
        f"({ceiling:.0f} m at {mass_kg:.1f} kg)"
        for i, leg in enumerate(route.legs)
        if leg.alt2_m > ceiling
    ]


def _fly_takeoff(
    fl: _Flight, mission: Mission, route: Route, i: int, leg: RouteLeg, first: bool
) -> None:
    """The launch (the first take-off) or a take-off item later on, then the kinetic energy
    the climb-out leaves above the next speed."""
    af, s, home = fl.af, fl.s, mission.home
    if first:
        wn, we = fl.wind_ne(home.lat_deg, home.lon_deg, home.alt_m)
        heading = MissionManager(mission, s, tg.new_target()).launch_heading_deg((wn, we))
        if math.hypot(wn, we) >= LAUNCH_INTO_WIND_MPS:
            fl.notes.append(f"launch into the wind, heading {heading:.0f} deg")
        if af.launch.method == "catapult":
            v0 = af.launch.launch_speed_mps
            h0 = home.alt_m + af.launch.launch_height_m
        else:
            fl.ground_roll(s.TKOFF_ROTATE_SPD)
            v0, h0 = s.TKOFF_ROTATE_SPD, home.alt_m
    else:
        heading = fl.course if fl.course is not None else 0.0
        v0, h0 = fl.tas_for(leg.speed_mps, fl.h, 0.0, 0.0), fl.h
    fl.takeoff(leg.alt2_m, heading, v0, h0)
    nxt = route.legs[i + 1].speed_mps if i + 1 < len(route.legs) else leg.speed_mps
    v_next = fl.tas_for(nxt, fl.h, 0.0, 0.0)
    fl.energy_credit = max(0.5 * fl.mass() * (fl.v_climbout**2 - v_next**2), 0.0)


def _fly_leg(fl: _Flight, mission: Mission, route: Route, i: int, first_takeoff: bool) -> bool:
    """Fly route leg ``i``; False if the flight cannot go on."""
    leg = route.legs[i]
    try:
        if leg.kind == "takeoff":
            _fly_takeoff(fl, mission, route, i, leg, first_takeoff)
        elif leg.kind in ("leg", "rtl"):
            prof = _Profile(leg.alt1_m, leg.alt2_m, 0.0, leg.distance_m)
            end_rem = min(leg.accept_m, 0.5 * leg.distance_m)
            fl.join_and_fly(leg, prof, leg.speed_mps, cruise=True, end_rem=end_rem)
        elif leg.kind == "loiter":
            fl.loiter(leg)
            if leg.exit == "unlimited":
                fl.notes.append(
                    f"item {leg.to_seq}: NAV_LOITER_UNLIM: the aircraft holds there; "
                    "predicted up to reaching the circle"
                )
        elif leg.kind == "land":
            fl.land(leg)
    except _Stop as exc:
        fl.problem("stop", f"{exc}; prediction stopped")
        return False
    return True


def _leg_result(
    fl: _Flight, i: int, leg: RouteLeg, t0: float, fuel0: float, h0: float
) -> tuple[LegPrediction, list[str]]:
    """The leg's prediction from the accumulators, and its problems as verdict lines."""
    a = fl.acc
    if (
        leg.kind in ("leg", "rtl", "loiter")
        and fl.h < leg.alt2_m - CLIMB_SHORT_M
        and a.climb_power_limited > 0.0
    ):
        fl.problem(
            "short",
            f"reaches only {fl.h:.0f} m of {leg.alt2_m:.0f} m: a full-throttle climb at "
            f"{a.climb_power_limited:.1f} m/s is too slow",
        )
    if a.min_gs < fl.min_gs and "stop" not in a.problems and leg.kind not in ("takeoff", "land"):
        fl.problem(
            "wind",
            f"ground speed {a.min_gs:.1f} m/s < {fl.min_gs:g} m/s: headwind too strong",
        )
    problems = [f"{_leg_label(i, leg)}: {text}" for text in a.problems.values()]
    pred = LegPrediction(
        index=i,
        kind=leg.kind,
        from_seq=leg.from_seq,
        to_seq=leg.to_seq,
        distance_m=a.dist,
        planned_distance_m=leg.distance_m,
        course_deg=leg.course1_deg if leg.kind not in ("loiter", "takeoff") else math.nan,
        heading_deg=a.heading,
        airspeed_mps=a.tas_time / a.air_time if a.air_time > 0 else 0.0,
        ground_speed_mps=a.dist / a.time if a.time > 0 else 0.0,
        min_ground_speed_mps=a.min_gs if math.isfinite(a.min_gs) else 0.0,
        time_s=fl.t - t0,
        fuel_kg=fuel0 - fl.fuel,
        fuel_remaining_kg=fl.fuel,
        t_start_s=t0,
        alt_start_m=h0,
        alt_end_m=fl.h,
        lat_deg=np.array(a.lat),
        lon_deg=np.array(a.lon),
        alt_m=np.array(a.alt),
        along_m=np.array(a.along),
        t_s=np.array(a.t),
        fuel_remaining_kg_samples=np.array(a.fuel_rem),
    )
    return pred, problems


def _point_of_no_return(
    margin: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    along: np.ndarray,
    t_s: np.ndarray,
    fuel: np.ndarray,
    leg_idx: np.ndarray,
) -> PointOfNoReturn | None:
    """Where the return margin (fuel left - fuel home - reserve) first falls below zero,
    interpolated between the samples; None if it never does (or already at launch)."""
    bad = np.nonzero(margin < 0.0)[0]
    if not bad.size or bad[0] == 0:
        return None
    k = int(bad[0])
    w = float(margin[k - 1] / (margin[k - 1] - margin[k]))
    inv = GEOD.Inverse(lat[k - 1], lon[k - 1], lat[k], lon[k])
    if inv["s12"] > 0.0:
        p = GEOD.Direct(lat[k - 1], lon[k - 1], inv["azi1"], w * inv["s12"])
        p_lat, p_lon = p["lat2"], p["lon2"]
    else:
        p_lat, p_lon = lat[k], lon[k]

    def lerp(x: np.ndarray) -> float:
        return float(x[k - 1] + w * (x[k] - x[k - 1]))

    return PointOfNoReturn(
        lat_deg=float(p_lat),
        lon_deg=float(p_lon),
        alt_m=lerp(alt),
        along_m=lerp(along),
        t_s=lerp(t_s),
        leg_index=int(leg_idx[k]),
        fuel_remaining_kg=lerp(fuel),
    )


def predict_mission(
    mission: Mission,
    airframe: Airframe,
    table: PerformanceTable,
    wind: WindSource | WindField | None = None,
    fuel_kg: float | None = None,
    *,
    settings: MissionSettings | None = None,
    autopilot: Mapping[str, float] | None = None,
    cruise_speed_mps: float | None = None,
    speed_is_eas: bool = False,
    speed_to_fly: bool = False,
    reserve: Reserve | None = None,
    max_step_m: float = DEFAULT_MAX_STEP_M,
    min_ground_speed_mps: float = MIN_GROUND_SPEED_MPS,
    terrain: TerrainFn | None = None,
) -> Prediction:
    """Predict ``mission`` flown by ``airframe`` (see the module doc for the model).

    ``table``: the airframe's :class:`PerformanceTable` (build once, reuse).
    ``wind``: anything with ``at(lat_deg, lon_deg, alt_m) -> (wn, we)`` (a
    :class:`~longwing.planning.windgrid.WindGrid`), a :class:`WindField`, or ``None`` (calm).
    ``fuel_kg``: fuel at launch (default: full tank). ``settings`` and ``autopilot`` are the
    mission-manager settings and ArduPlane-named autopilot overrides, as in
    :class:`~longwing.sim.runner.FlightScenario` (the launch climb pitch is the airframe's,
    as the runner sets it). ``cruise_speed_mps`` replaces the mission's initial speed
    demand; ``speed_is_eas`` and ``speed_to_fly`` as in the module doc. ``reserve``:
    :class:`Reserve` (default 30 min / 10 %). ``max_step_m``: the longest integration step
    along a leg; ``min_ground_speed_mps``: slower legs are a problem ("headwind too
    strong"). ``terrain`` resolves terrain-frame altitudes.
    """
    cap = airframe.mass.fuel_capacity_kg
    fuel_kg = cap if fuel_kg is None else float(fuel_kg)
    if not 0.0 < fuel_kg <= cap:
        raise ValueError(f"fuel {fuel_kg} kg is outside (0, {cap:g}] kg")
    if not max_step_m > 0.0:
        raise ValueError(f"max step must be positive, got {max_step_m!r} m")
    s = replace(settings or MissionSettings(), TKOFF_CLIMB_PITCH=airframe.launch.climb_pitch_rad)
    if airframe.launch.method == "runway":
        s = replace(s, TKOFF_ROTATE_SPD=airframe.launch.rotate_speed_mps)
    if cruise_speed_mps is not None:
        s = replace(s, AIRSPEED_CRUISE=float(cruise_speed_mps))
        mission = replace(mission, cruise_speed_mps=None)
    ap: AutopilotParams = build_params(dict(autopilot or {}), airframe)
    reserve = reserve or Reserve()
    route = mission_route(mission, s, terrain=terrain)
    fl = _Flight(
        airframe,
        table,
        as_wind_source(wind),
        ap,
        s,
        fuel_kg,
        speed_is_eas,
        speed_to_fly,
        float(max_step_m),
        float(min_ground_speed_mps),
    )
    home = mission.home
    fl.lat, fl.lon, fl.h = home.lat_deg, home.lon_deg, home.alt_m
    verdict = _ceiling_problems(route, table, airframe.mass_kg(fuel_kg), ap.tecs.thr_max)
    legs: list[LegPrediction] = []
    completed = True
    for i, leg in enumerate(route.legs):
        fl.acc = _LegAcc()
        t0, fuel0, h0 = fl.t, fl.fuel, fl.h
        fl.record()
        completed = _fly_leg(fl, mission, route, i, first_takeoff=i == 0)
        pred, problems = _leg_result(fl, i, leg, t0, fuel0, h0)
        legs.append(pred)
        verdict += problems
        if not completed:
            break
        if route.end == "loops_forever" and fl.fuel <= 0.0:
            fl.notes.append(
                "the mission repeats forever (DO_JUMP): predicted until the fuel ran out"
            )
            completed = False
            break

    # route-wide samples
    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(leg, name) for leg in legs])

    lat, lon, alt = cat("lat_deg"), cat("lon_deg"), cat("alt_m")
    along, t_arr, fuel_arr = cat("along_m"), cat("t_s"), cat("fuel_remaining_kg_samples")
    leg_idx = np.concatenate([np.full(leg.lat_deg.size, leg.index) for leg in legs])

    # fuel and reserve
    trip_fuel = fuel_kg - fl.fuel
    last_home = route.legs[-1].home if route.legs else home
    hold = table.best_endurance(
        airframe.mass.dry_mass_kg + max(fl.fuel, 0.0),
        last_home.alt_m + s.RTL_ALTITUDE,
        eas_min_mps=fl.eas_min,
        eas_max_mps=fl.eas_max,
    )
    reserve_kg = reserve.fuel_kg(float(hold.fuel_flow_kgps), trip_fuel)
    fuel_problems = []
    if fl.fuel < reserve_kg:
        fuel_problems.append(
            f"fuel: needs {trip_fuel:.2f} kg + {reserve_kg:.2f} kg reserve, has {fuel_kg:.2f} kg"
        )
    if fl.fuel_out is not None:
        t_out, d_out = fl.fuel_out
        fuel_problems.append(
            f"fuel runs out {t_out / 3600.0:.2f} h into the flight, "
            f"{d_out / 1000.0:.0f} km along the route"
        )
    notes = list(route.notes) + fl.notes
    if route.end == "mission_complete":
        notes.append(
            "the mission ends airborne after its last item (no NAV_LAND): the simulator stops there"
        )

    # return costs and the point of no return
    dests = [(home.lat_deg, home.lon_deg)] + [(r.lat_deg, r.lon_deg) for r in mission.rally]
    codes = [0] + list(range(1, len(mission.rally) + 1))
    for leg in route.legs:
        if (leg.home.lat_deg, leg.home.lon_deg) not in dests:
            dests.append((leg.home.lat_deg, leg.home.lon_deg))
            codes.append(-1)
    f_home, t_home, d_idx = _return_costs(fl, lat, lon, alt, fuel_arr, dests)
    margin = fuel_arr - f_home - reserve_kg
    pnr = _point_of_no_return(margin, lat, lon, alt, along, t_arr, fuel_arr, leg_idx)
    if pnr is not None:
        notes.append(
            f"point of no return {pnr.along_m / 1000.0:.1f} km along the route, "
            f"{pnr.t_s / 3600.0:.2f} h after launch (leg {pnr.leg_index})"
        )
    elif margin.size and margin[0] < 0.0:
        notes.append("no return with the reserve even from the launch")
    else:
        notes.append("the aircraft can return with the reserve from every point of the route")
    return Prediction(
        route=route,
        legs=tuple(legs),
        fuel_kg=fuel_kg,
        time_s=fl.t,
        fuel_used_kg=trip_fuel,
        fuel_remaining_kg=fl.fuel,
        distance_m=fl.along,
        reserve_kg=reserve_kg,
        completed=completed,
        lat_deg=lat,
        lon_deg=lon,
        alt_m=alt,
        along_m=along,
        t_s=t_arr,
        fuel_remaining_kg_samples=fuel_arr,
        leg_index=leg_idx,
        time_to_home_s=t_home,
        fuel_to_home_kg=f_home,
        return_to=np.array(codes)[d_idx],
        pnr=pnr,
        verdict=tuple(fuel_problems + verdict),
        notes=tuple(notes),
    )
