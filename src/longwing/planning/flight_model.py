"""The flight model of the mission prediction: how the aircraft flies a straight leg, a
turn and the join onto a leg, step by step (speed, heading, climb, fuel).

:class:`FlightModel` is the mutable state of one :func:`~longwing.planning.predict.predict_mission`
(position, time, fuel, the current leg's accumulators) with the airframe's trim performance
(:class:`~longwing.planning.performance.PerformanceTable`), the wind and the autopilot's
limits; it flies the way the closed loop does:

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
    The altitude demand (:class:`AltitudeProfile`) slopes linearly from the previous
    point's altitude to the next, as the simulator's does; the aircraft follows it at the
    demanded rate limited to ``TECS_CLMB_MAX`` (and the full-throttle climb the table allows
    at ``THR_MAX``) and to ``TECS_SINK_MAX`` or the idle glide's sink at that speed,
    whichever is less (TECS holds the speed at idle), lagging behind a steeper demand. A leg
    ends at the waypoint's acceptance radius (``WP_RADIUS``) before it, where the simulator
    switches.
Turns and joins
    L1 guidance as the simulator flies it: at a waypoint the aircraft turns at the
    navigation bank limit ``LW_NAV_ROLL_DEG`` onto the new course (a circle of radius
    ``V^2 / (g tan(bank))`` in the air mass, drifting with the wind, the shorter way round
    in ground course), then captures the track at 45 deg; from well behind a leg's start
    (by more than 45 deg and farther than the L1 distance: the guidance's own
    :func:`~longwing.control.l1.behind_leg_start` and :func:`~longwing.control.l1.l1_distance_m`)
    it flies back to the start first. The turns are flown at their load factor
    ``1 / cos(bank)``. After the climb-out the kinetic energy above the cruise speed is
    credited as throttle not needed.

Everything is SI inside; degrees only in latitude, longitude, course and heading. Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from geographiclib.geodesic import Geodesic

from longwing.airframe.params import Airframe
from longwing.control.l1 import behind_leg_start, l1_distance_m
from longwing.control.params import AutopilotParams
from longwing.geo.atmosphere import RHO0_KGPM3, isa
from longwing.geo.constants import G0_MPS2
from longwing.geo.wgs84 import radii_of_curvature
from longwing.mathx import clamp, wrap_pi
from longwing.mission.manager import MissionSettings
from longwing.planning.performance import PerformanceTable
from longwing.planning.route import RouteLeg
from longwing.planning.windgrid import WindSource

__all__ = ["AltitudeProfile", "FlightModel", "LegAccumulator", "PredictionStopped"]

GEOD = Geodesic.WGS84
_POS = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.AZIMUTH
ALT_TOL_M = 0.5
REVERSAL_DEG = 175.0  # course reversals closer to 180 deg turn the shorter way in heading


class PredictionStopped(Exception):
    """The flight cannot go on (no progress against the wind)."""


@dataclass
class AltitudeProfile:
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
class LegAccumulator:
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


class FlightModel:
    """Mutable state of one prediction (local to
    :func:`~longwing.planning.predict.predict_mission`) and how it flies: speeds, limits,
    straight legs, turns and joins. Take-off, loiters and landings are
    :mod:`longwing.planning.flight_phases`."""

    def __init__(
        self,
        af: Airframe,
        table: PerformanceTable,
        wind: WindSource,
        ap: AutopilotParams,
        settings: MissionSettings,
        fuel_kg: float,
        speed_is_eas: bool,
        speed_to_fly: bool,
        max_step_m: float,
        min_gs: float,
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
        self.release_speed_mps = af.launch.launch_speed_mps  # a catapult's, in calm air
        self.terrain = None  # a TerrainFn: terrain-frame waypoints follow it
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
        self.acc = LegAccumulator()
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

    # --- small helpers --------------------------------------------------------------------

    def mass(self) -> float:
        return self.af.mass.dry_mass_kg + max(self.fuel, 0.0)

    def wind_ne(self, lat: float, lon: float, h: float) -> tuple[float, float]:
        if getattr(self.wind, "time_varying", False):  # a forecast: at this time of the flight
            wn, we = self.wind.at(lat, lon, h, t_s=self.t)
        else:
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
        return clamp(v, lo, hi)

    def climb_limit(self, h: float, v: float) -> float:
        rate = float(self.table.climb_rate_mps(self.mass(), h, v, self.thr_max))
        return clamp(rate, 0.0, self.climb_max)

    def sink_limit(self, h: float, v: float) -> float:
        """TECS_SINK_MAX, or less: the sink at idle (TECS holds the speed, so a descent
        steeper than the idle glide is not flown)."""
        sink = float(self.table.idle_sink_mps(self.mass(), h, v))
        return clamp(sink, 0.05, self.sink_max)

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
        return course_deg - math.degrees(math.asin(clamp(wx / v, -1.0, 1.0)))

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
        d = wrap_pi(psi2 - psi1)
        dchi = (course_deg - self.course + 180.0) % 360.0 - 180.0
        if abs(dchi) < 1.0:
            return
        if abs(dchi) < REVERSAL_DEG and d * dchi < 0.0:
            # L1 turns the shorter way in ground course; in a crosswind the heading may
            # have to turn the longer way round for that
            d += math.copysign(2.0 * math.pi, dchi)
        sign = 1.0 if d > 0.0 else -1.0
        r = v * v / (G0_MPS2 * math.tan(self.bank_nav))
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
        prof: AltitudeProfile,
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
        prof: AltitudeProfile,
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
            ds = min(self.max_step, getattr(prof, "max_step_m", math.inf), total - s)
            pm = line.Position(s + 0.5 * ds, _POS)
            chi = math.radians(pm["azi2"])
            wn, we = self.wind_ne(pm["lat2"], pm["lon2"], self.h)
            wa = wn * math.cos(chi) + we * math.sin(chi)
            wx = -wn * math.sin(chi) + we * math.cos(chi)
            v = self.tas_for(speed, self.h, wa, wx, cruise=cruise)
            gs0 = math.sqrt(max(v * v - wx * wx, 0.0)) + wa
            if gs0 < 0.5:
                self.acc.min_gs = min(self.acc.min_gs, gs0)
                raise PredictionStopped(
                    f"ground speed {gs0:.1f} m/s: cannot make progress against the wind"
                )
            err = h_dem - self.h
            following = abs(err) <= ALT_TOL_M
            want = slope * gs0 if following else math.copysign(math.inf, err)
            up = self.climb_limit(self.h, v) if want > 0.0 else 0.0
            if want > 0.0 and up < self.climb_max:
                self.acc.climb_power_limited = v  # full throttle sets the climb rate
            down = self.sink_limit(self.h, v) if want < 0.0 else 0.0
            rate = clamp(want, -down, up)
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
            gamma = math.asin(clamp(rate / v, -0.5, 0.5))
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
                a.heading = math.degrees(chi - math.asin(clamp(wx / v, -1.0, 1.0))) % 360.0
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
        if behind_leg_start(along, d_a, l1_distance_m(self.ap.l1, gs_est)):
            return 0.0, True
        return clamp(along + abs(cross), 0.0, stop), False

    def join_and_fly(
        self, leg: RouteLeg, prof: AltitudeProfile, speed: float, cruise: bool, end_rem: float = 0.0
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
        if math.hypot(dn, de) < l1_distance_m(self.ap.l1, self.tas_for(speed, self.h, 0.0, 0.0)):
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
