"""Where can the aircraft still land, and with what fuel: the one model that `plan check`,
`fly` and `sitl` decide with (issue 12).

* :class:`FuelReserve`: the one reserve rule, ``max(FS_FUEL_RSV_PCT % of the tank,
  FS_FUEL_RSV_KG)``, kept at touchdown whatever the site.
* :func:`landing_sites`: home, the NAV_LAND of every DO_LAND_START sequence of the mission
  (the destination is the last one) and the rally points (alternates), as
  :class:`LandingSite` records.
* :class:`RouteCosts`: the fuel and time to finish the mission from any point of its route,
  at the mission's airspeeds, in a wind (uniform: the EKF's estimate; or a forecast grid).
* :func:`~longwing.planning.returns.site_costs`: the fuel and time to each site straight
  along the geodesic at the airspeed that flies farthest per kg in the local wind.
* :func:`decide`: continue while the mission can be finished with the reserve; otherwise the
  site with the largest margin (fuel left - fuel to the site - reserve).

The model (per piece of at most 25 km of a geodesic, at the piece's wind; each leg at the
mass left after the legs before it, the leg in progress at the present mass): fuel flow
from the airframe's :class:`~longwing.planning.performance.PerformanceTable` at the
piece's climb angle, ground
speed from the wind triangle. Loiters cost their turns, time or climb at the loiter speed
(from the loiter's start whenever the aircraft is in one: conservative). The final descent
and flare are the route's ``land`` leg (idle-power descent costs little).

Pure: numpy only, no I/O. SI inside; latitude and longitude in degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.geo.atmosphere import RHO0_KGPM3
from longwing.mission.items import MavCmd
from longwing.mission.model import Mission
from longwing.planning.performance import PerformanceTable
from longwing.planning.returns import (
    RETURN_SPEEDS,
    lambert_distance_m,
    path_cost,
    site_costs,
)
from longwing.planning.route import Route
from longwing.planning.windgrid import WindSource

__all__ = [
    "FuelDecision",
    "FuelReserve",
    "LandingSite",
    "RouteCosts",
    "SiteMargin",
    "decide",
    "landing_sites",
    "site_costs",
]

MASS_GRID = 9  # masses (dry .. full) the route's leg costs are tabulated at
LOITER_CLIMB_RAD = math.radians(4.0)  # climb/descent angle assumed on a loiter-to-altitude


@dataclass(frozen=True)
class FuelReserve:
    """Fuel to have left at touchdown: the larger of ``pct_capacity`` % of the tank and
    ``min_kg`` (ArduPlane-style parameters FS_FUEL_RSV_PCT and FS_FUEL_RSV_KG)."""

    pct_capacity: float = 10.0
    min_kg: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pct_capacity) and 0.0 <= self.pct_capacity <= 100.0):
            raise ValueError(f"reserve {self.pct_capacity!r} % must be in [0, 100]")
        if not (math.isfinite(self.min_kg) and self.min_kg >= 0.0):
            raise ValueError(f"reserve {self.min_kg!r} kg must be >= 0")

    def kg(self, capacity_kg: float) -> float:
        return max(self.pct_capacity / 100.0 * capacity_kg, self.min_kg)


@dataclass(frozen=True)
class LandingSite:
    """A place the aircraft can land: ``kind`` is ``home``, ``landing`` (a DO_LAND_START
    sequence of the mission, entered at item ``land_start_seq``) or ``rally``."""

    name: str
    kind: str
    lat_deg: float
    lon_deg: float
    ground_alt_m: float  # AMSL
    land_start_seq: int | None = None


def landing_sites(mission: Mission) -> tuple[LandingSite, ...]:
    """Home, each DO_LAND_START sequence's NAV_LAND (the last one named ``destination``),
    then the rally points. Rally points and home are on the home's ground (the simulated
    world is flat at the home elevation)."""
    home = mission.home
    sites = [LandingSite("home", "home", home.lat_deg, home.lon_deg, home.alt_m)]
    sequences: list[tuple[int, int]] = []  # (DO_LAND_START seq, NAV_LAND seq)
    start = None
    for seq, it in enumerate(mission.items, start=1):
        if it.command == MavCmd.DO_LAND_START:
            start = seq
        elif it.command == MavCmd.NAV_LAND and start is not None:
            sequences.append((start, seq))
            start = None
    for k, (start_seq, land_seq) in enumerate(sequences, start=1):
        land = mission.items[land_seq - 1]
        name = "destination" if k == len(sequences) else f"landing {k}"
        sites.append(LandingSite(name, "landing", land.lat_deg, land.lon_deg,
                                 mission.resolve_alt(land_seq), start_seq))  # fmt: skip
    for k, rp in enumerate(mission.rally, start=1):
        sites.append(LandingSite(f"rally point {k}", "rally", rp.lat_deg, rp.lon_deg,
                                 home.alt_m))  # fmt: skip
    return tuple(sites)


# --- the rest of the mission -------------------------------------------------------------


LOITER_EXITS = {"time": 1, "turns": 2, "alt": 3, "unlimited": 4}  # else: none (0)


class RouteCosts:
    """Fuel and time to finish ``route`` (to its touchdown) from a point of it, in ``wind``,
    at the mission's airspeeds. The full legs are tabulated once (per wind) at
    :data:`MASS_GRID` masses and interpolated in mass; the leg in progress is costed from
    the point itself. Vectorised: every row its own leg."""

    def __init__(self, route: Route, table: PerformanceTable, wind: WindSource,
                 dry_mass_kg: float, capacity_kg: float, eas_min_mps: float,
                 eas_max_mps: float, eco: bool = False) -> None:  # fmt: skip
        self.route = route
        self.eco = eco  # straight legs at the speed to fly for range (ECO_SPEED)
        self.eas_min_mps = eas_min_mps
        self.eas_max_mps = max(eas_max_mps, eas_min_mps)
        self.table = table
        self.wind = wind
        self.dry_mass_kg = dry_mass_kg
        self.masses = dry_mass_kg + np.linspace(0.0, capacity_kg, MASS_GRID)
        self.ends_landed = route.end == "landed"
        legs = route.legs
        n = len(legs)

        def col(get) -> np.ndarray:
            return np.array([get(leg) for leg in legs], dtype=float).reshape(n)

        self.lat2, self.lon2, self.alt2 = (col(lambda g: g.lat2_deg), col(lambda g: g.lon2_deg),
                                           col(lambda g: g.alt2_m))  # fmt: skip
        # the mission's airspeed as a true airspeed within the EAS limits, as flown
        mid = 0.5 * (col(lambda g: g.alt1_m) + self.alt2)
        e2t = np.sqrt(RHO0_KGPM3 / np.asarray(table.rho_kgpm3(mid), float)) if n else mid
        self.v = np.clip(np.maximum(col(lambda g: g.speed_mps), 1.0), self.eas_min_mps * e2t,
                         self.eas_max_mps * e2t)  # fmt: skip
        self.is_loiter = np.array([g.kind == "loiter" for g in legs], dtype=bool)
        self.exit = np.array([LOITER_EXITS.get(g.exit, 0) for g in legs], dtype=int)
        self.exit_value = col(lambda g: g.exit_value)
        self.radius = np.abs(col(lambda g: g.radius_m))
        self.eco_leg = np.array([eco and g.kind == "leg" for g in legs], dtype=bool)
        rows = np.repeat(np.arange(n), MASS_GRID)
        lat1, lon1, alt1 = (col(lambda g: g.lat1_deg), col(lambda g: g.lon1_deg),
                            col(lambda g: g.alt1_m))  # fmt: skip
        f, t = self.leg_costs(rows, lat1[rows], lon1[rows], alt1[rows], np.tile(self.masses, n))
        self.leg_fuel = f.reshape(n, MASS_GRID)  # each full leg, at each grid mass
        self.leg_time = t.reshape(n, MASS_GRID)

    def leg_costs(self, j, lat, lon, alt, mass) -> tuple[np.ndarray, np.ndarray]:
        """Fuel and time from (lat, lon, alt) to the end of leg ``j``, per row."""
        lat2, lon2, alt2, v = self.lat2[j], self.lon2[j], self.alt2[j], self.v[j]
        dist = lambert_distance_m(lat, lon, lat2, lon2)
        gamma = np.where(self.is_loiter[j], 0.0, np.arctan2(alt2 - alt, np.maximum(dist, 1.0)))
        mid_alt = np.where(self.is_loiter[j], alt, 0.5 * (alt + alt2))
        fuel = np.empty(j.shape)
        time = np.empty(j.shape)
        eco = self.eco_leg[j]
        if np.any(~eco):
            k = ~eco
            ff = np.asarray(self.table.point(mass[k], mid_alt[k], v[k], gamma[k]).fuel_flow_kgps)
            fuel[k], time[k] = path_cost(self.wind, lat[k], lon[k], mid_alt[k], v[k],
                                         np.broadcast_to(ff, v[k].shape).copy(),
                                         (lat2[k], lon2[k]), dist[k])  # fmt: skip
        if np.any(eco):  # each piece at the candidate airspeed costing least per metre
            k = eco
            e2t = np.sqrt(RHO0_KGPM3 / self.table.rho_kgpm3(mid_alt[k]))
            v_stall = np.asarray(self.table.min_speed_mps(mass[k], mid_alt[k]))
            lo = np.maximum(self.eas_min_mps * e2t, 1.001 * v_stall)
            hi = np.maximum(self.eas_max_mps * e2t, lo)
            vc = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, RETURN_SPEEDS)
            ffc = np.asarray(self.table.point(mass[k][:, None], mid_alt[k][:, None], vc,
                                              gamma[k][:, None]).fuel_flow_kgps)  # fmt: skip
            fuel[k], time[k] = path_cost(self.wind, lat[k], lon[k], mid_alt[k], vc, ffc,
                                         (lat2[k], lon2[k]), dist[k])  # fmt: skip
        if np.any(self.is_loiter[j]):
            lt, lf = self._loiter(j, alt, mass)
            fuel += lf
            time += lt
        return fuel, time

    def _loiter(self, j, alt, mass) -> tuple[np.ndarray, np.ndarray]:
        """Time and fuel of the loiters of legs ``j`` (zero for other legs), from ``alt``."""
        v, alt2, ex, val = self.v[j], self.alt2[j], self.exit[j], self.exit_value[j]
        on = self.is_loiter[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.select(
                [ex == 1, ex == 2, ex == 3, ex == 4],
                [val, 2.0 * math.pi * self.radius[j] * val / v,
                 np.abs(alt2 - alt) / (v * math.sin(LOITER_CLIMB_RAD)), np.full(j.shape, np.inf)],
                0.0,
            )  # fmt: skip
        t = np.where(on, t, 0.0)
        gamma = np.where(ex == 3, np.where(alt2 >= alt, LOITER_CLIMB_RAD, -LOITER_CLIMB_RAD), 0.0)
        ff = np.asarray(self.table.point(mass, alt2, v, gamma).fuel_flow_kgps, float)
        with np.errstate(invalid="ignore"):
            return t, np.where(t > 0.0, ff * t, 0.0)

    def from_point(self, leg_index, lat, lon, alt, fuel_kg) -> tuple[np.ndarray, np.ndarray]:
        """Fuel (kg) and time (s) to finish from points on legs ``leg_index`` (arrays
        broadcast); ``inf`` when the route does not end in a landing."""
        j = np.atleast_1d(np.asarray(leg_index, int))
        lat, lon, alt, fuel = (np.broadcast_to(np.asarray(x, float), j.shape).copy()
                               for x in (lat, lon, alt, fuel_kg))  # fmt: skip
        if not self.ends_landed:
            return np.full(j.shape, np.inf), np.full(j.shape, np.inf)
        mass = self.dry_mass_kg + np.maximum(fuel, 0.0)
        f_now, t_now = self.leg_costs(j, lat, lon, alt, mass)
        # the legs after, in order, each at the mass left after the ones before
        fuel_out, time_out = f_now.copy(), t_now.copy()
        mass = mass - np.where(np.isfinite(f_now), f_now, 0.0)
        grid = np.arange(MASS_GRID)
        for leg_i in range(int(j.min()) + 1, len(self.route.legs)):
            on = j < leg_i
            w = np.interp(mass[on], self.masses, grid)
            k = np.minimum(np.floor(w).astype(int), MASS_GRID - 2)
            t = w - k
            f = _lerp(self.leg_fuel[leg_i, k], self.leg_fuel[leg_i, k + 1], t)
            fuel_out[on] += f
            time_out[on] += _lerp(self.leg_time[leg_i, k], self.leg_time[leg_i, k + 1], t)
            mass[on] -= np.where(np.isfinite(f), f, 0.0)
        return fuel_out, time_out


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """a + (b - a) t, infinite where either end is (a leg the wind does not allow)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(a) | np.isinf(b), np.inf, a + (b - a) * t)


# --- the decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteMargin:
    site: LandingSite
    fuel_kg: float  # to get there
    time_s: float
    margin_kg: float  # fuel left - fuel_kg - reserve


@dataclass(frozen=True)
class FuelDecision:
    """``continue`` the mission or ``divert`` to ``site``; the figures it was decided on."""

    action: str
    site: LandingSite | None
    fuel_kg: float
    reserve_kg: float
    finish_fuel_kg: float  # inf: the mission does not end in a landing
    finish_margin_kg: float
    sites: tuple[SiteMargin, ...]

    def text(self) -> str:
        """One line: the decision and the margins."""
        finish = ("mission ends airborne" if not math.isfinite(self.finish_fuel_kg) else
                  f"finish needs {self.finish_fuel_kg:.2f} kg")  # fmt: skip
        margins = ", ".join(f"{s.site.name} {s.margin_kg:+.2f}" for s in self.sites
                            if math.isfinite(s.margin_kg))  # fmt: skip
        head = ("continue" if self.action == "continue" else
                f"divert to {self.site.name}" if self.site else "no site in reach")  # fmt: skip
        return (
            f"{head}: fuel {self.fuel_kg:.2f} kg, {finish}, reserve "
            f"{self.reserve_kg:.2f} kg; site margins kg: {margins or 'none'}"
        )


def decide(
    fuel_kg: float,
    reserve_kg: float,
    finish_fuel_kg: float,
    sites: Sequence[LandingSite],
    site_fuel_kg: Sequence[float],
    site_time_s: Sequence[float],
    lead_kg: float = 0.0,
) -> FuelDecision:
    """Continue while the mission can be finished keeping ``reserve_kg`` (a mission that
    ends airborne: while some site is in reach with the reserve and ``lead_kg`` to spare,
    the fuel burnt until the next check); otherwise divert to the site with the largest
    margin (with or without the reserve: the best there is)."""
    margins = tuple(
        SiteMargin(s, float(f), float(t), float(fuel_kg - f - reserve_kg))
        for s, f, t in zip(sites, site_fuel_kg, site_time_s, strict=True)
    )
    finish_margin = fuel_kg - finish_fuel_kg - reserve_kg
    reachable = [m for m in margins if math.isfinite(m.margin_kg)]
    best = max(reachable, key=lambda m: m.margin_kg, default=None)
    if math.isfinite(finish_fuel_kg):
        go_on = finish_margin >= 0.0
    else:
        go_on = best is not None and best.margin_kg >= lead_kg
    action = "continue" if go_on or best is None else "divert"
    return FuelDecision(action, None if go_on or best is None else best.site, float(fuel_kg),
                        float(reserve_kg), float(finish_fuel_kg), float(finish_margin),
                        margins)  # fmt: skip


def sites_of(sites: Sequence[LandingSite]) -> list[tuple[float, float]]:
    """``(lat_deg, lon_deg)`` of each site, as :func:`site_costs` takes them."""
    return [(s.lat_deg, s.lon_deg) for s in sites]


# --- the same decision along a predicted flight ----------------------------------------------

PLAN_FUEL_TOLERANCE = 0.03  # of the trip fuel: the planner's margin for the flight's own
# estimates (fuel gauge vs prediction, the EKF's wind vs the planning wind)


@dataclass(frozen=True)
class PlannedDecision:
    """Where along a predicted flight the aircraft would stop the mission for fuel."""

    index: int  # the sample
    t_s: float
    along_m: float
    lat_deg: float
    lon_deg: float
    decision: FuelDecision

    def as_dict(self) -> dict:
        d = self.decision
        return {
            "t_s": self.t_s, "along_m": self.along_m, "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg, "action": d.action,
            "site": None if d.site is None else d.site.name, "text": d.text(),
        }  # fmt: skip


def planned_decision(
    costs: RouteCosts,
    sites: Sequence[LandingSite],
    site_fuel: np.ndarray,
    site_time: np.ndarray,
    reserve_kg: float,
    fuel0_kg: float,
    samples: dict[str, np.ndarray],
) -> tuple[np.ndarray, PlannedDecision | None]:
    """The in-flight rule (:func:`decide`) at every sample of a predicted flight
    (``samples``: lat_deg, lon_deg, alt_m, fuel_kg, t_s, along_m, leg_index), each sample
    held to :data:`PLAN_FUEL_TOLERANCE` of the trip fuel on top of the reserve. Returns the
    finish margins (fuel left - finish - reserve; inf for a mission ending airborne) and the
    first sample where the aircraft would divert (None if it never would)."""
    fuel = samples["fuel_kg"]
    finish, _ = costs.from_point(samples["leg_index"], samples["lat_deg"],
                                 samples["lon_deg"], samples["alt_m"], fuel)  # fmt: skip
    margin = fuel - finish - reserve_kg
    tol = PLAN_FUEL_TOLERANCE * np.where(np.isfinite(finish), fuel0_kg - fuel + finish, 0.0)
    if costs.ends_landed:
        bad = np.nonzero(margin < tol)[0]
    else:
        best_site = np.max(fuel[:, None] - site_fuel - reserve_kg, axis=1, initial=-np.inf)
        bad = np.nonzero(best_site < 0.0)[0]
    if not bad.size:
        return margin, None
    k = int(bad[0])
    d = decide(float(fuel[k]), reserve_kg + float(tol[k]), float(finish[k]), sites,
               site_fuel[k], site_time[k])  # fmt: skip
    where = PlannedDecision(k, float(samples["t_s"][k]), float(samples["along_m"][k]),
                            float(samples["lat_deg"][k]), float(samples["lon_deg"][k]),
                            d)  # fmt: skip
    return margin, where


# --- the aircraft's side ---------------------------------------------------------------------

WIND_REBUILD_MPS = 1.0  # the route's leg costs are recomputed when the wind estimate moves more
EXCESS_BURN_RATIO = 2.0  # a gauge burn rate above this x the model's counts as a leak


class UniformWind:
    """A wind the same everywhere (the EKF's estimate), as a wind source."""

    def __init__(self, wn_mps: float, we_mps: float) -> None:
        self.wn_mps, self.we_mps = float(wn_mps), float(we_mps)

    def at(self, lat_deg, lon_deg, alt_m) -> tuple[np.ndarray, np.ndarray]:
        shape = np.broadcast(np.asarray(lat_deg), np.asarray(lon_deg), np.asarray(alt_m)).shape
        return np.full(shape, self.wn_mps), np.full(shape, self.we_mps)


class FlightFuelModel:
    """The fuel decision as the aircraft makes it, in its estimated wind: the same
    :class:`RouteCosts`, :func:`site_costs`, :class:`FuelReserve` and :func:`decide` the
    planner uses (the route's costs are rebuilt when the wind estimate moves by more than
    :data:`WIND_REBUILD_MPS`)."""

    def __init__(self, route: Route, table: PerformanceTable, sites: Sequence[LandingSite],
                 dry_mass_kg: float, capacity_kg: float, eas_min_mps: float,
                 eas_max_mps: float, reserve: FuelReserve, eco: bool = False) -> None:  # fmt: skip
        self.route = route
        self.eco = eco
        self.table = table
        self.sites = tuple(sites)
        self.dry_mass_kg = dry_mass_kg
        self.capacity_kg = capacity_kg
        self.eas = (eas_min_mps, eas_max_mps)
        self.reserve_kg = reserve.kg(capacity_kg)
        self._costs: RouteCosts | None = None
        self._wind = (math.nan, math.nan)

    def _route_costs(self, wn: float, we: float) -> RouteCosts:
        if self._costs is None or math.hypot(wn - self._wind[0],
                                             we - self._wind[1]) > WIND_REBUILD_MPS:  # fmt: skip
            self._costs = RouteCosts(self.route, self.table, UniformWind(wn, we),
                                     self.dry_mass_kg, self.capacity_kg, *self.eas,
                                     eco=self.eco)  # fmt: skip
            self._wind = (wn, we)
        return self._costs

    def excess_burn_kgps(self, burn_kgps: float | None, fuel_kg: float, alt_m: float,
                         tas_mps: float, climb_mps: float = 0.0) -> float:  # fmt: skip
        """Fuel the gauge shows going beyond what the engine should burn at this speed and
        mean climb rate (a leak; zero unless over :data:`EXCESS_BURN_RATIO` times that),
        kg/s."""
        if burn_kgps is None or not tas_mps > 1.0:
            return 0.0
        gamma = math.asin(max(-0.5, min(0.5, climb_mps / tas_mps)))
        model = float(self.table.point(self.dry_mass_kg + fuel_kg, alt_m, tas_mps,
                                       gamma).fuel_flow_kgps)  # fmt: skip
        return burn_kgps - model if burn_kgps > EXCESS_BURN_RATIO * model else 0.0

    def decide(self, leg_index: int | None, lat_deg: float, lon_deg: float, alt_m: float,
               fuel_kg: float, wind_ne_mps: tuple[float, float], lead_kg: float = 0.0,
               excess_kgps: float = 0.0) -> FuelDecision:  # fmt: skip
        """The decision from here; ``leg_index`` the route leg being flown (None: off the
        mission, which then counts as ending airborne); ``excess_kgps`` a burn beyond the
        model's (a leak: added for the time each way takes)."""
        wn, we = wind_ne_mps
        wind = UniformWind(wn, we)
        s_fuel, s_time = site_costs(self.table, wind, self.dry_mass_kg, *self.eas,
                                    np.array([lat_deg]), np.array([lon_deg]),
                                    np.array([alt_m]), np.array([fuel_kg]),
                                    sites_of(self.sites))  # fmt: skip
        finish = math.inf
        if leg_index is not None:
            costs = self._route_costs(wn, we)
            f, t = costs.from_point(leg_index, lat_deg, lon_deg, alt_m, fuel_kg)
            finish = float(f[0] + excess_kgps * t[0]) if excess_kgps > 0.0 else float(f[0])
        site_fuel = s_fuel[0] + excess_kgps * s_time[0] if excess_kgps > 0.0 else s_fuel[0]
        return decide(fuel_kg, self.reserve_kg, finish, self.sites, site_fuel, s_time[0],
                      lead_kg)  # fmt: skip

    def range_speed_mps(self, site: LandingSite, lat_deg: float, lon_deg: float, alt_m: float,
                        fuel_kg: float, wind_ne_mps: tuple[float, float]) -> float:  # fmt: skip
        """The airspeed (TAS) that flies farthest per kg toward ``site`` in the wind."""
        azi = Geodesic.WGS84.Inverse(lat_deg, lon_deg, site.lat_deg, site.lon_deg)["azi1"]
        return self.speed_to_fly_mps(math.radians(azi), alt_m, fuel_kg, wind_ne_mps)

    def speed_to_fly_mps(self, course_rad: float, alt_m: float, fuel_kg: float,
                         wind_ne_mps: tuple[float, float]) -> float:  # fmt: skip
        """The airspeed (TAS) that flies farthest per kg along ``course_rad`` in the wind,
        within the EAS limits (economy speed, ECO_SPEED)."""
        wn, we = wind_ne_mps
        along = wn * math.cos(course_rad) + we * math.sin(course_rad)
        cross = -wn * math.sin(course_rad) + we * math.cos(course_rad)
        res = self.table.speed_to_fly(self.dry_mass_kg + fuel_kg, alt_m, along, cross,
                                      eas_min_mps=self.eas[0], eas_max_mps=self.eas[1])  # fmt: skip
        return float(res.tas_mps)
