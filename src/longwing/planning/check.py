"""Feasibility check of a mission before take-off: ground, geofence, wind and fuel, terrain,
radio link.

:func:`check_mission` first refuses a mission with no navigation items
(:class:`~longwing.mission.items.MissionError`: bad input) and lists the pre-flight problems
(:func:`longwing.mission.preflight.preflight_problems`: items, rally points or the
breach-return point below the ground, against the DEM when one is given). It then runs the
wind/fuel prediction (:mod:`longwing.planning.predict`, the same performance model the
simulator flies) and checks the predicted route (every leg: take-off, legs, loiters, RTL,
landing) against the mission's geofence (:func:`fence_violations`); then, when given, the
terrain clearance along every leg but the landing, and the take-off once it has climbed the
minimum clearance (sampled every ``terrain_spacing_m`` on the geodesic against a DEM;
points where the DEM has no data make the leg's clearance unknown, a reason too) and the
radio link along the route (every ``radio_spacing_m``, line of sight over the 4/3 Earth with
the terrain, link budget both ways), and returns one :class:`CheckResult`: the verdict, the
reasons, totals, the point of no return and the per-leg table. Pure: no file or console I/O.

Reasons start with what failed: ``preflight:``, ``fuel``, ``fence:``, ``terrain:``,
``radio:`` or the leg (the prediction's own verdict).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from longwing.airframe.params import Airframe
from longwing.geo.radio_config import RadioConfig
from longwing.geo.radio_route import evaluate_route, out_of_contact_segments
from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_profile import alt_along_route_m, clearance_along_route, sample_route
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.fence import Fence, FencePolygon, geodesic_distance_m
from longwing.mission.items import MissionError
from longwing.mission.landing_choice import choose_landing, landing_sequences
from longwing.mission.manager import MissionSettings
from longwing.mission.model import Mission
from longwing.mission.preflight import NO_NAV_ITEMS, launch_weather_problems, preflight_problems
from longwing.planning.performance import PerformanceTable
from longwing.planning.predict import Prediction, predict_mission
from longwing.planning.reach import FuelReserve
from longwing.planning.windgrid import as_wind_source

MIN_CLEARANCE_M = 50.0
#: The fence check samples the route at most this many points (coarser than
#: ``fence_spacing_m`` on very long routes).
MAX_FENCE_POINTS = 20_000
_MEAN_RADIUS_M = 6_371_008.8  # only to rank distances on the sphere; reported ones are geodesic


@dataclass(frozen=True)
class CheckResult:
    feasible: bool
    reasons: tuple[str, ...]
    prediction: Prediction
    link_outages: tuple[dict, ...] = ()
    terrain_violations: tuple[dict, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    preflight_problems: tuple[str, ...] = ()
    fence_violations: tuple[dict, ...] = ()
    terrain_no_data: tuple[dict, ...] = ()
    landing: dict | None = None  # the landing direction in the planning wind (see below)

    def summary(self) -> dict:
        """JSON-ready: feasible, reasons, totals, pnr, legs, link outages, pre-flight
        problems, fence violations, terrain violations and legs without DEM data, notes."""
        p = self.prediction.summary()
        legs = []
        for leg in p["legs"]:
            legs.append({
                "from_seq": leg["from_seq"], "to_seq": leg["to_seq"], "kind": leg["kind"],
                "distance_m": leg["distance_m"], "course_deg": leg["course_deg"],
                "heading_deg": leg["heading_deg"], "airspeed_mps": leg["airspeed_mps"],
                "ground_speed_mps": leg["ground_speed_mps"], "time_s": leg["time_s"],
                "fuel_kg": leg["fuel_kg"], "fuel_remaining_kg": leg["fuel_remaining_kg"],
                "alt_start_m": leg["alt_start_m"], "alt_end_m": leg["alt_end_m"],
                "min_clearance_m": leg["min_clearance_m"], "link_ok": leg["link_ok"],
            })  # fmt: skip
        return {
            "feasible": self.feasible,
            "reasons": list(self.reasons),
            "total_time_s": p["time_s"],
            "total_distance_m": p["distance_m"],
            "total_fuel_kg": p["fuel_used_kg"],
            "fuel_at_launch_kg": p["fuel_kg"],
            "fuel_remaining_kg": p["fuel_remaining_kg"],
            "reserve_kg": p["reserve_kg"],
            "pnr": p["pnr"],
            "fuel_decision": p["fuel_decision"],
            "legs": legs,
            "link_outages": list(self.link_outages),
            "terrain_violations": list(self.terrain_violations),
            "terrain_no_data": list(self.terrain_no_data),
            "preflight_problems": list(self.preflight_problems),
            "fence_violations": list(self.fence_violations),
            "notes": list(self.notes) + p["notes"],
            "landing": self.landing,
        }


def _leg_label(leg) -> str:
    return f"leg {leg.index + 1} ({leg.kind}, item {leg.from_seq} -> {leg.to_seq})"


# --- the geofence along the predicted route ---------------------------------------------------


@dataclass(frozen=True)
class FenceViolation:
    """One fence rule broken on one leg, at its worst point.

    ``rule``: ``inclusion_polygon``, ``inclusion_circle``, ``exclusion_polygon``,
    ``exclusion_circle`` (``zone`` numbers it from 1, as QGC does), ``ceiling`` or ``floor``
    (``zone`` None). ``by_m``: how far outside an inclusion zone, inside an exclusion zone
    (to its boundary, geodesic), above the ceiling or below the floor. ``lat_deg``,
    ``lon_deg``, ``alt_m`` (AMSL) and ``alt_above_home_m``: the worst point. ``text``: the
    reason, one line.
    """

    leg: int
    kind: str
    from_seq: int
    to_seq: int
    rule: str
    zone: int | None
    by_m: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    alt_above_home_m: float
    text: str

    def as_dict(self) -> dict:
        """JSON-ready (without ``text``, which is the reason)."""
        return {k: getattr(self, k) for k in (
            "leg", "kind", "from_seq", "to_seq", "rule", "zone", "by_m", "lat_deg", "lon_deg",
            "alt_m", "alt_above_home_m")}  # fmt: skip


def _units(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Unit vectors of points, latitude taken on the sphere as :mod:`longwing.mission.fence`
    does (its polygon edges are great-circle arcs between such vectors)."""
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    c = np.cos(la)
    return np.stack((c * np.cos(lo), c * np.sin(lo), np.sin(la)), axis=-1)


def _angle_rad(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.arctan2(np.linalg.norm(np.cross(p, a), axis=-1), p @ a)


def _edge_closest(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angular distance (rad) from points ``p`` (N x 3) to the great-circle arc a-b, and the
    closest points of the arc (N x 3)."""
    n = np.cross(a, b)
    nn = float(np.linalg.norm(n))
    to_a, to_b = _angle_rad(p, a), _angle_rad(p, b)
    end = np.where((to_a <= to_b)[:, None], a, b)
    d_end = np.minimum(to_a, to_b)
    if nn < 1e-15:
        return d_end, np.broadcast_to(end, p.shape)
    n = n / nn
    s = p @ n
    c = p - s[:, None] * n
    norm = np.linalg.norm(c, axis=-1)
    c = c / np.where(norm > 0.0, norm, 1.0)[:, None]
    on_arc = (np.cross(a, c) @ n >= 0.0) & (np.cross(c, b) @ n >= 0.0) & (norm > 0.0)
    d = np.where(on_arc, np.arcsin(np.clip(np.abs(s), 0.0, 1.0)), d_end)
    return d, np.where(on_arc[:, None], c, end)


def _boundary_angle(
    polygon: FencePolygon, lat_deg: np.ndarray, lon_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Angle (rad, on the sphere) from points to the polygon's boundary, and the nearest
    boundary points as unit vectors."""
    p = _units(lat_deg, lon_deg)
    v = _units(*(np.array(x) for x in zip(*polygon.vertices, strict=True)))
    best = np.full(p.shape[0], np.inf)
    near = np.zeros_like(p)
    for i in range(v.shape[0]):
        d, c = _edge_closest(p, v[i], v[(i + 1) % v.shape[0]])
        better = d < best
        best = np.where(better, d, best)
        near = np.where(better[:, None], c, near)
    return best, near


def _to_lat_lon(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(np.arcsin(np.clip(u[:, 2], -1.0, 1.0))), np.degrees(
        np.arctan2(u[:, 1], u[:, 0])
    )


def polygon_boundary_distance_m(
    polygon: FencePolygon, lat_deg: np.ndarray, lon_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance (m) from points to the polygon's boundary (its great-circle edges) and the
    nearest boundary points ``(distance_m, lat_deg, lon_deg)``. The nearest point is found
    on the sphere; the distance to it is the WGS84 geodesic one (geographiclib)."""
    lat, lon = np.atleast_1d(lat_deg), np.atleast_1d(lon_deg)
    _, near = _boundary_angle(polygon, lat, lon)
    n_lat, n_lon = _to_lat_lon(near)
    dist = np.array([geodesic_distance_m(a, b, c, d)
                     for a, b, c, d in zip(lat, lon, n_lat, n_lon, strict=True)])  # fmt: skip
    return dist, n_lat, n_lon


def _top(estimate: np.ndarray, n: int = 8) -> np.ndarray:
    """Indices of the ``n`` largest estimates: the candidates for the worst point (the
    distances on the sphere are within ~0.5 % of the geodesic ones)."""
    return np.argsort(estimate)[-n:]


def _dense_leg(leg, spacing_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leg's predicted path at most ``spacing_m`` apart (geodesics between the
    prediction's samples; altitude linear between them)."""
    if leg.lat_deg.size < 2:
        return leg.lat_deg, leg.lon_deg, leg.alt_m
    pts = sample_route(leg.lat_deg, leg.lon_deg, spacing_m)
    return pts.lat_deg, pts.lon_deg, alt_along_route_m(pts, leg.alt_m)


def _km(d_m: float) -> str:
    return f"{d_m / 1000.0:.1f} km" if d_m >= 1000.0 else f"{d_m:.0f} m"


def _violation(leg, lat, lon, alt, home_alt_m: float, k: int, rule: str, zone: int | None,
               by_m: float, what: str) -> FenceViolation:  # fmt: skip
    return FenceViolation(
        leg.index + 1, leg.kind, leg.from_seq, leg.to_seq, rule, zone, float(by_m),
        float(lat[k]), float(lon[k]), float(alt[k]), float(alt[k] - home_alt_m),
        f"{_leg_label(leg)} {what} at {lat[k]:.5f}, {lon[k]:.5f}",
    )  # fmt: skip


def _zone_violations(leg, lat, lon, alt, fence: Fence, home_alt_m: float) -> list[FenceViolation]:
    """The polygons and circles the leg's points break, each at its worst point. Membership
    is :mod:`longwing.mission.fence`'s own test; the distances are geodesic."""
    out: list[FenceViolation] = []
    units = _units(lat, lon)
    for z, poly in enumerate(fence.polygons, start=1):
        inside = np.array([poly.contains_point(a, b) for a, b in zip(lat, lon, strict=True)])
        bad = np.flatnonzero(~inside if poly.inclusion else inside)
        if not bad.size:
            continue
        ang, near = _boundary_angle(poly, lat[bad], lon[bad])
        n_lat, n_lon = _to_lat_lon(near)
        top = _top(ang)
        dist = [geodesic_distance_m(lat[bad[i]], lon[bad[i]], n_lat[i], n_lon[i]) for i in top]
        j, by_m = int(bad[top[int(np.argmax(dist))]]), float(max(dist))
        kind, verb = ("inclusion", "leaves") if poly.inclusion else ("exclusion", "enters")
        out.append(_violation(leg, lat, lon, alt, home_alt_m, j, f"{kind}_polygon", z, by_m,
                              f"{verb} {kind} polygon {z} by {_km(by_m)}"))  # fmt: skip
    for z, circle in enumerate(fence.circles, start=1):
        centre = _units(np.array([circle.center_lat_deg]), np.array([circle.center_lon_deg]))[0]
        d_est = _MEAN_RADIUS_M * _angle_rad(units, centre)
        # the sphere decides clear cases; the geodesic (fence's own test) the others
        unsure = np.abs(d_est - circle.radius_m) <= 0.01 * d_est + 10.0
        d = d_est.copy()
        d[unsure] = [circle.distance_m(lat[i], lon[i]) for i in np.flatnonzero(unsure)]
        excess = d - circle.radius_m if circle.inclusion else circle.radius_m - d
        bad = np.flatnonzero(excess > 0.0)
        if not bad.size:
            continue
        sign = 1.0 if circle.inclusion else -1.0
        top = bad[_top(excess[bad])]
        worst = [sign * (circle.distance_m(lat[i], lon[i]) - circle.radius_m) for i in top]
        j, by_m = int(top[int(np.argmax(worst))]), float(max(worst))
        kind, verb = ("inclusion", "leaves") if circle.inclusion else ("exclusion", "enters")
        out.append(_violation(leg, lat, lon, alt, home_alt_m, j, f"{kind}_circle", z, by_m,
                              f"{verb} {kind} circle {z} by {_km(by_m)}"))  # fmt: skip
    return out


def fence_violations(
    legs, fence: Fence, home_alt_m: float, *, spacing_m: float = 100.0
) -> list[FenceViolation]:
    """The fence rules the predicted legs break, each once per leg at its worst point.

    ``legs``: :class:`~longwing.planning.predict.LegPrediction` (their sample arrays),
    densified to ``spacing_m`` (coarser if the route would need more than
    :data:`MAX_FENCE_POINTS` points; altitude extremes are exact, being at the samples).
    Every leg counts for the zones and the ceiling (take-off and landing included); the
    floor (``min_alt_above_home_m``) counts from where the route first reaches it to the
    start of a landing, as ArduPilot arms its minimum-altitude fence only once above it.
    Altitude limits are above ``home_alt_m`` (the planned home, as the failsafe uses).
    """
    if fence.is_empty or not legs:
        return []
    total_m = sum(float(leg.distance_m) for leg in legs)
    spacing = max(float(spacing_m), total_m / MAX_FENCE_POINTS)
    out: list[FenceViolation] = []
    floor_armed = False
    top, bottom = fence.max_alt_above_home_m, fence.min_alt_above_home_m
    for leg in legs:
        lat, lon, alt = _dense_leg(leg, spacing)
        if lat.size == 0:
            continue
        h = alt - home_alt_m
        if top is not None and np.any(h > top):
            k = int(np.argmax(h))
            out.append(_violation(leg, lat, lon, alt, home_alt_m, k, "ceiling", None, h[k] - top,
                                  f"climbs to {h[k]:.0f} m above home, {h[k] - top:.0f} m "
                                  f"above the fence ceiling of {top:.0f} m"))  # fmt: skip
        if bottom is not None and leg.kind != "land":
            armed = floor_armed | np.maximum.accumulate(h >= bottom)
            floor_armed = bool(armed[-1])
            low = armed & (h < bottom)
            if np.any(low):
                k = int(np.argmin(np.where(low, h, np.inf)))
                out.append(_violation(leg, lat, lon, alt, home_alt_m, k, "floor", None,
                                      bottom - h[k], f"descends to {h[k]:.0f} m above home, "
                                      f"{bottom - h[k]:.0f} m below the fence floor of "
                                      f"{bottom:.0f} m"))  # fmt: skip
        out += _zone_violations(leg, lat, lon, alt, fence, home_alt_m)
    return out


def _terrain_checks(
    legs, terrain: Terrain, min_clearance_m: float, spacing_m: float
) -> tuple[list[float | None], list[dict], list[dict], list[str]]:
    """Per leg: the least clearance over the DEM, the legs below ``min_clearance_m`` and
    those with points off the DEM, and the reasons. The landing goes to the ground by
    design and is not checked; the take-off only once it has climbed ``min_clearance_m``
    above its start (it starts on the ground)."""
    clearances: list[float | None] = [None] * len(legs)
    violations: list[dict] = []
    no_data: list[dict] = []
    reasons: list[str] = []
    for i, leg in enumerate(legs):
        if leg.lat_deg.size < 2 or leg.kind == "land":
            continue
        c = clearance_along_route(terrain, leg.lat_deg, leg.lon_deg, leg.alt_m,
                                  spacing_m=spacing_m)  # fmt: skip
        where = {"leg": leg.index + 1, "from_seq": leg.from_seq, "to_seq": leg.to_seq}
        if c.n_no_data:
            gap = np.flatnonzero(~np.isfinite(c.terrain_m))
            km0 = float(leg.along_m[0] + c.distance_m[gap[0]]) / 1000.0
            km1 = float(leg.along_m[0] + c.distance_m[gap[-1]]) / 1000.0
            no_data.append({**where, "points": c.n_no_data, "start_km": km0, "end_km": km1})
            reasons.append(
                f"terrain: {_leg_label(leg)} has {c.n_no_data} points outside the DEM "
                f"(from km {km0:.1f} to {km1:.1f}): its clearance is unknown"
            )
        counted = np.isfinite(c.clearance_m)
        if leg.kind == "takeoff":
            counted &= c.alt_m - c.alt_m[0] >= min_clearance_m
        if not counted.any():
            continue
        k = int(np.argmin(np.where(counted, c.clearance_m, np.inf)))
        low, lat, lon = float(c.clearance_m[k]), float(c.lat_deg[k]), float(c.lon_deg[k])
        clearances[i] = low
        if low < min_clearance_m:
            violations.append({**where, "clearance_m": low, "lat_deg": lat, "lon_deg": lon})
            reasons.append(
                f"terrain: {_leg_label(leg)} passes {low:.0f} m above the ground at "
                f"{lat:.5f}, {lon:.5f} (minimum {min_clearance_m:.0f} m)"
            )
    return clearances, violations, no_data, reasons


def planned_landing(mission: Mission, airframe: Airframe, legs, wind=None) -> dict | None:
    """The landing the aircraft will fly in the planning wind, decided as in flight
    (:func:`longwing.mission.landing_choice.choose_landing`, the wind at the start of the
    final): the DO_LAND_START sequence of the route's landing (the first one if the route
    lands elsewhere), planned or mirrored; None without a DO_LAND_START ... NAV_LAND."""
    seqs = landing_sequences(mission.items)
    if not seqs:
        return None
    land_seqs = [leg.to_seq for leg in legs if leg.kind == "land"]
    chosen = [s for s in seqs if land_seqs and s.land_seq == land_seqs[-1]] or seqs[:1]
    seq = chosen[0]
    start = next((leg for leg in legs if leg.kind == "land" and leg.to_seq == seq.land_seq),
                 None)  # fmt: skip
    alt = start.alt_start_m if start is not None else mission.home.alt_m
    wn, we = as_wind_source(wind).at(seq.from_lat_deg, seq.from_lon_deg, alt)
    wn, we = float(wn), float(we)
    choice = choose_landing([seq], wn, we, airframe.landing.max_tailwind_mps)
    return {**choice.as_dict(), "wind_n_mps": wn, "wind_e_mps": we, "text": choice.text(),
            "max_tailwind_mps": airframe.landing.max_tailwind_mps}  # fmt: skip


def check_mission(
    mission: Mission,
    airframe: Airframe,
    *,
    table: PerformanceTable | None = None,
    wind=None,
    fuel_kg: float | None = None,
    terrain: Terrain | None = None,
    radio: RadioConfig | None = None,
    min_clearance_m: float = MIN_CLEARANCE_M,
    failsafe: FailsafeSettings | None = None,
    settings: MissionSettings | None = None,
    autopilot: Mapping[str, float] | None = None,
    turbulence: int = 0,
    terrain_spacing_m: float = 100.0,
    radio_spacing_m: float = 1000.0,
    fence_spacing_m: float = 100.0,
) -> CheckResult:
    """Predict and check ``mission`` (see the module doc). Raises
    :class:`~longwing.mission.items.MissionError` for a mission without navigation items."""
    if not mission.nav_items():
        raise MissionError(NO_NAV_ITEMS)
    table = table or PerformanceTable.build(airframe)
    fs = failsafe or FailsafeSettings()
    ground = tuple(preflight_problems(mission, terrain))
    reserve = FuelReserve(fs.FS_FUEL_RSV_PCT, fs.FS_FUEL_RSV_KG)
    pred = predict_mission(mission, airframe, table, wind, fuel_kg, terrain=terrain,
                           reserve=reserve, settings=settings, autopilot=autopilot,
                           turbulence=turbulence)  # fmt: skip
    reasons = [f"preflight: {p}" for p in ground] + list(pred.verdict)
    if fs.LAUNCH_WX_CHECK:  # the launch the aircraft would refuse (LAUNCH_WX_CHECK)
        home = mission.home
        wn, we = as_wind_source(wind).at(home.lat_deg, home.lon_deg, home.alt_m)
        speed = math.hypot(float(np.asarray(wn)), float(np.asarray(we)))
        reasons += [f"launch: {p}" for p in
                    launch_weather_problems(airframe.launch, speed, int(turbulence))]  # fmt: skip
    fence = tuple(fence_violations(pred.legs, mission.fence, mission.home.alt_m,
                                   spacing_m=fence_spacing_m))  # fmt: skip
    reasons += [f"fence: {v.text}" for v in fence]
    notes: list[str] = []
    violations: list[dict] = []
    no_data: list[dict] = []
    clearances: list[float | None] = [None] * len(pred.legs)
    links: list[bool | None] = [None] * len(pred.legs)
    outages: list[dict] = []
    if terrain is not None:
        clearances, violations, no_data, why = _terrain_checks(
            pred.legs, terrain, min_clearance_m, terrain_spacing_m
        )
        reasons += why
    if radio is not None:
        lat = np.concatenate([leg.lat_deg for leg in pred.legs])
        lon = np.concatenate([leg.lon_deg for leg in pred.legs])
        alt = np.concatenate([leg.alt_m for leg in pred.legs])
        along = np.concatenate([leg.along_m for leg in pred.legs])
        t_s = np.concatenate([leg.t_s for leg in pred.legs])
        idx = np.concatenate([np.full(leg.lat_deg.size, k) for k, leg in enumerate(pred.legs)])
        # resample to radio_spacing_m along the flown distance
        n = max(2, int(math.ceil((along[-1] - along[0]) / radio_spacing_m)) + 1)
        d = np.linspace(along[0], along[-1], n)
        order = np.argsort(along, kind="stable")
        along_s = along[order]
        lat_r = np.interp(d, along_s, lat[order])
        lon_r = np.interp(d, along_s, np.degrees(np.unwrap(np.radians(lon[order]))))
        lon_r = (lon_r + 180.0) % 360.0 - 180.0
        alt_r = np.interp(d, along_s, alt[order])
        t_r = np.interp(d, along_s, t_s[order])
        leg_r = idx[order][np.clip(np.searchsorted(along_s, d, side="right") - 1, 0, n - 1)]
        res = evaluate_route(radio, lat_r, lon_r, alt_r, terrain)
        for k in range(len(pred.legs)):
            on = leg_r == k
            if on.any():
                links[k] = bool(np.all(res.ok[on]))
        for start, end in out_of_contact_segments(d, res.ok):
            t0 = float(np.interp(start, d, t_r))
            t1 = float(np.interp(end, d, t_r))
            dur = t1 - t0
            if dur > fs.FS_LONG_TIMEOUT:
                action = (
                    "continues in AUTO (FS_LONG_ACTN 0)"
                    if fs.FS_LONG_ACTN == 0
                    else f"returns home (RTL) {fs.FS_LONG_TIMEOUT:g} s after the loss"
                )
            elif dur > fs.FS_SHORT_TIMEOUT:
                action = "short failsafe only: carries on in AUTO"
            else:
                action = "none (shorter than FS_SHORT_TIMEOUT)"
            outages.append({
                "start_km": start / 1000.0, "end_km": end / 1000.0, "start_t_s": t0,
                "duration_s": dur, "failsafe": action,
                "start_lat_deg": float(np.interp(start, d, lat_r)),
                "start_lon_deg": float(np.interp(start, d, lon_r)),
                "start_alt_m": float(np.interp(start, d, alt_r)),
            })  # fmt: skip
            if dur > fs.FS_LONG_TIMEOUT and fs.FS_LONG_ACTN != 0:
                reasons.append(
                    f"radio: out of contact from km {start / 1000:.1f} to {end / 1000:.1f} "
                    f"({dur:.0f} s): the link-loss failsafe {action}"
                )
            else:
                notes.append(f"radio: out of contact km {start / 1000:.1f}-{end / 1000:.1f} "
                             f"({dur:.0f} s): {action}")  # fmt: skip
    pred = pred.with_leg_checks(
        clearances if terrain is not None else None, links if radio is not None else None
    )
    landing = planned_landing(mission, airframe, pred.legs, wind)
    return CheckResult(not reasons, tuple(reasons), pred, tuple(outages), tuple(violations),
                       tuple(notes), ground, tuple(v.as_dict() for v in fence),
                       tuple(no_data), landing)  # fmt: skip
