"""Wind-aware mission prediction: time, fuel, point of no return and a go/no-go verdict.

:func:`predict_mission` flies the legs of :func:`longwing.planning.route.mission_route`
(the mission as the simulator's mission manager executes it) through a wind field with the
airframe's trim performance (:class:`~longwing.planning.performance.PerformanceTable`), the
way the closed loop flies them. The model is in three parts:

- :mod:`~longwing.planning.flight_model`: the speeds (the mission's demand as a true
  airspeed within the EAS limits, or the speed to fly in the wind), straight legs
  integrated along the geodesic (wind triangle, climb and sink limits, fuel at the mass,
  altitude and climb angle), turns at the navigation bank limit and L1's join onto a leg;
- :mod:`~longwing.planning.flight_phases`: the take-off (catapult or runway), loiters and
  the landing (glide slope, flare, roll-out);
- :mod:`~longwing.planning.returns`: the fuel and time back from every sample point, the
  point of no return and the reserve.

This module walks the route leg by leg and keeps the record: a :class:`LegPrediction` per
leg (with its samples), the :class:`Prediction` of the flight with its verdict (problems:
fuel, reserve, stall, power, ceiling, headwind) and notes.

Everything is SI inside; degrees only in the latitude/longitude/course fields. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from longwing.airframe.params import Airframe
from longwing.control.params import AutopilotParams, build_params
from longwing.mission.items import TerrainFn
from longwing.mission.manager import MissionSettings
from longwing.mission.model import Mission
from longwing.mission.preflight import release_airspeed_mps
from longwing.physics.wind import WindField
from longwing.planning.flight_model import FlightModel, LegAccumulator
from longwing.planning.flight_phases import fly_route_leg
from longwing.planning.performance import PerformanceTable
from longwing.planning.reach import (
    FuelReserve,
    PlannedDecision,
    RouteCosts,
    landing_sites,
    planned_decision,
    sites_of,
)
from longwing.planning.returns import (
    PointOfNoReturn,
    point_of_no_return,
    return_destinations,
    site_costs,
)
from longwing.planning.route import Route, RouteLeg, mission_route
from longwing.planning.windgrid import WindSource, as_wind_source

__all__ = [
    "LegPrediction",
    "PointOfNoReturn",
    "Prediction",
    "predict_mission",
]

DEFAULT_MAX_STEP_M = 10_000.0
MIN_GROUND_SPEED_MPS = 5.0
CLIMB_SHORT_M = 50.0  # a leg ending this far below its altitude with a power-limited climb


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
    finish_margin_kg: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    fuel_decision: PlannedDecision | None = None  # where the aircraft would divert for fuel

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
            "fuel_decision": None if self.fuel_decision is None else self.fuel_decision.as_dict(),
            "legs": [leg.as_dict() for leg in self.legs],
            "verdict": list(self.verdict),
            "notes": list(self.notes),
        }


# --- the walk ------------------------------------------------------------------------------


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


def _leg_result(
    fl: FlightModel, i: int, leg: RouteLeg, t0: float, fuel0: float, h0: float
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
    reserve: FuelReserve | None = None,
    max_step_m: float = DEFAULT_MAX_STEP_M,
    min_ground_speed_mps: float = MIN_GROUND_SPEED_MPS,
    terrain: TerrainFn | None = None,
    turbulence: int = 0,
) -> Prediction:
    """Predict ``mission`` flown by ``airframe`` (see the module doc for the model).

    ``table``: the airframe's :class:`PerformanceTable` (build once, reuse).
    ``wind``: anything with ``at(lat_deg, lon_deg, alt_m) -> (wn, we)`` (a
    :class:`~longwing.planning.windgrid.WindGrid`), a :class:`WindField`, or ``None`` (calm).
    ``fuel_kg``: fuel at launch (default: full tank). ``settings`` and ``autopilot`` are the
    mission-manager settings and ArduPlane-named autopilot overrides, as in
    :class:`~longwing.sim.runner.FlightScenario` (the launch climb pitch is the airframe's,
    as the runner sets it). ``cruise_speed_mps`` replaces the mission's initial speed
    demand; ``speed_is_eas`` and ``speed_to_fly`` as in the module doc. ``reserve``: the
    :class:`~longwing.planning.reach.FuelReserve` rule the aircraft flies with (default
    10 % of the tank). ``max_step_m``: the longest integration step
    along a leg; ``min_ground_speed_mps``: slower legs are a problem ("headwind too
    strong"). ``terrain`` resolves terrain-frame altitudes. ``turbulence`` (level 0-3) sets
    a catapult's release airspeed as the flight's
    (:func:`~longwing.mission.preflight.release_airspeed_mps`).
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
    speed_to_fly = speed_to_fly or bool(s.ECO_SPEED)
    ap: AutopilotParams = build_params(dict(autopilot or {}), airframe)
    reserve = reserve or FuelReserve()
    route = mission_route(mission, s, terrain=terrain)
    fl = FlightModel(airframe, table, as_wind_source(wind), ap, s, fuel_kg, speed_is_eas,
                     speed_to_fly, float(max_step_m), float(min_ground_speed_mps))  # fmt: skip
    fl.release_speed_mps = release_airspeed_mps(airframe.launch, turbulence)
    fl.terrain = terrain
    home = mission.home
    fl.lat, fl.lon, fl.h = home.lat_deg, home.lon_deg, home.alt_m
    verdict = _ceiling_problems(route, table, airframe.mass_kg(fuel_kg), ap.tecs.thr_max)
    legs: list[LegPrediction] = []
    completed = True
    for i, leg in enumerate(route.legs):
        fl.acc = LegAccumulator()
        t0, fuel0, h0 = fl.t, fl.fuel, fl.h
        fl.record()
        completed = fly_route_leg(fl, mission, route, i, first_takeoff=i == 0)
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
    reserve_kg = reserve.kg(cap)
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

    # the landing sites, the return costs and the point of no return
    sites = landing_sites(mission)
    dests, codes = return_destinations(mission, route)
    places = sites_of(sites) + [d for d in dests if d not in sites_of(sites)]
    s_fuel, s_time = site_costs(table, fl.wind, airframe.mass.dry_mass_kg, fl.eas_min,
                                fl.eas_max, lat, lon, alt, fuel_arr, places)  # fmt: skip
    cols = [places.index(d) for d in dests]
    d_idx = np.argmin(s_fuel[:, cols], axis=1)
    rows = np.arange(lat.size)
    f_home = s_fuel[rows, np.asarray(cols)[d_idx]]
    t_home = s_time[rows, np.asarray(cols)[d_idx]]
    # the point of no return is for home (site 0), as the aircraft announces it
    margin = fuel_arr - s_fuel[:, 0] - reserve_kg
    pnr = point_of_no_return(margin, lat, lon, alt, along, t_arr, fuel_arr, leg_idx)
    if pnr is not None:
        notes.append(
            f"point of no return for home {pnr.along_m / 1000.0:.1f} km along the route, "
            f"{pnr.t_s / 3600.0:.2f} h after launch (leg {pnr.leg_index})"
        )
    elif margin.size and margin[0] < 0.0:
        notes.append("no return home with the reserve even from the launch")
    else:
        notes.append("the aircraft can return home with the reserve from every point of the route")
    if np.any(fuel_arr - f_home - reserve_kg < 0.0):
        notes.append("from part of the route no landing site (home, rally point, DO_SET_HOME) "
                     "is in reach with the reserve")  # fmt: skip

    # the in-flight fuel rule along the prediction (one model: planning/reach.py)
    costs = RouteCosts(route, table, fl.wind, airframe.mass.dry_mass_kg, cap, fl.eas_min,
                       fl.eas_max, eco=speed_to_fly)  # fmt: skip
    n_sites = len(sites)
    samples = {"lat_deg": lat, "lon_deg": lon, "alt_m": alt, "fuel_kg": fuel_arr, "t_s": t_arr,
               "along_m": along, "leg_index": leg_idx}  # fmt: skip
    finish_margin, decision = planned_decision(costs, sites, s_fuel[:, :n_sites],
                                               s_time[:, :n_sites], reserve_kg, fuel_kg,
                                               samples)  # fmt: skip
    if decision is not None:
        d = decision.decision
        where = (f"{decision.t_s / 3600.0:.2f} h, {decision.along_m / 1000.0:.0f} km along "
                 f"the route")  # fmt: skip
        text = f"fuel: the aircraft would stop the mission at {where}: {d.text()}"
        if route.end in ("loiter_unlimited", "loops_forever"):
            notes.append(text)
        else:
            fuel_problems.append(text)
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
        finish_margin_kg=finish_margin,
        fuel_decision=decision,
    )
