"""The route a mission flies, on the WGS84 ellipsoid: legs, loiters, map export, splitting.

:func:`mission_route` walks a :class:`~longwing.mission.model.Mission` the way the
simulator's :class:`~longwing.mission.manager.MissionManager` executes it, and returns a
:class:`Route`: the sequence of :class:`RouteLeg` s the aircraft flies.

- Start: a ``takeoff`` leg from home (climb along the launch heading to the altitude of a
  first ``NAV_TAKEOFF``, or to ``TKOFF_ALT`` above home when there is none; the position of a
  take-off item is not used, as in the simulator). The next leg starts from home, at the
  take-off altitude.
- ``NAV_WAYPOINT``: a ``leg`` from the previous point to the waypoint along the WGS84
  geodesic; the altitude demand slopes linearly along it.
- ``NAV_LOITER_TURNS`` / ``_TIME`` / ``_TO_ALT`` / ``_UNLIM``: a ``loiter`` about the item
  (radius 0 -> ``WP_LOITER_RAD``; > 0 clockwise), leaving after the turns, the time, or on
  reaching the altitude; the next leg starts at its centre. ``UNLIM`` ends the route.
- ``NAV_RETURN_TO_LAUNCH``: with ``RTL_AUTOLAND`` and a ``DO_LAND_START`` the walk continues
  there; otherwise an ``rtl`` leg to home at ``RTL_ALTITUDE``, then the next item.
- ``NAV_LAND``: a ``land`` leg from the previous point to the landing point; the route ends.
- ``DO_JUMP`` is followed with its repeat count, per jump item, exactly as the manager counts
  (a repeat of -1 loops until ``max_legs``, and the route says so);
  ``DO_CHANGE_SPEED`` sets the speed demand of the legs after it (any speed type, as the
  simulator does); ``DO_SET_HOME`` moves home (later relative altitudes and RTL use it).
- Items past the end: the simulator loiters there and stops; so does the route.
- Latitude/longitude 0/0 on a take-off or landing item means "here" (the previous point).

Geometry is geographiclib's geodesic (distances, courses, intermediate points). The
simulator flies a leg along the normal section through its ends (:mod:`longwing.geo.legs`):
0.58 mm from the geodesic on a 100 km leg, 0.58 m on 1,000 km.

Map export: :meth:`Route.to_geojson` / :meth:`Route.to_kml` (GeoJSON and KML, in
:mod:`longwing.planning.route_export`, whose functions this module re-exports). And
:func:`split_route` cuts a polyline into geodesic pieces no longer than a limit (for
``longwing plan route``).

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.mission.items import TERRAIN_FRAMES, MavCmd, MissionItem, TerrainFn, command_name
from longwing.mission.manager import MissionSettings
from longwing.mission.model import Home, Mission
from longwing.planning.route_export import to_geojson, to_kml

__all__ = [
    "Route",
    "RouteLeg",
    "Waypoint",
    "densify_geodesic",
    "loiter_circle",
    "mission_route",
    "split_route",
    "to_geojson",
    "to_kml",
]

GEOD = Geodesic.WGS84
DEFAULT_MAX_LEGS = 10_000
LOITER_CIRCLE_POINTS = 72


@dataclass(frozen=True)
class Waypoint:
    """A positioned mission item (or home, seq 0) as a point for maps."""

    seq: int
    command: int
    lat_deg: float
    lon_deg: float
    alt_m: float  # AMSL

    @property
    def label(self) -> str:
        return "0 HOME" if self.seq == 0 else f"{self.seq} {command_name(self.command)}"


@dataclass(frozen=True)
class RouteLeg:
    """One thing the aircraft flies: ``takeoff``, ``leg``, ``loiter``, ``rtl`` or ``land``.

    ``lat1/lon1/alt1`` is where it starts (for ``leg``/``rtl``/``land``: the previous point,
    the simulator's leg origin A), ``lat2/lon2/alt2`` where it ends (B; for a loiter its
    centre and altitude). Altitudes are AMSL. ``speed_mps`` is the mission's airspeed demand
    in effect (``DO_CHANGE_SPEED``). Loiters: ``radius_m`` (signed, > 0 clockwise),
    ``exit`` (``turns``, ``time``, ``alt``, ``unlimited``) and ``exit_value`` (turns or
    seconds). ``home`` is the home in effect (``DO_SET_HOME``).
    """

    kind: str
    from_seq: int
    to_seq: int
    lat1_deg: float
    lon1_deg: float
    alt1_m: float
    lat2_deg: float
    lon2_deg: float
    alt2_m: float
    speed_mps: float
    distance_m: float
    course1_deg: float  # initial geodesic azimuth (deg from north); NaN for a point
    course2_deg: float  # final azimuth at the end
    home: Home
    radius_m: float = 0.0
    exit: str = ""
    exit_value: float = 0.0
    accept_m: float = 0.0  # waypoint acceptance radius: the leg ends this far before B
    hagl_m: float = math.nan  # a terrain-frame waypoint: its height above the terrain

    def position(self, s_m) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude (deg) at distances ``s_m`` from the start along the
        geodesic (arrays)."""
        s = np.atleast_1d(np.asarray(s_m, float))
        if self.distance_m <= 0.0:
            return np.full(s.shape, self.lat1_deg), np.full(s.shape, self.lon1_deg)
        line = GEOD.InverseLine(self.lat1_deg, self.lon1_deg, self.lat2_deg, self.lon2_deg)
        lat = np.empty(s.shape)
        lon = np.empty(s.shape)
        for k, sk in enumerate(s):
            p = line.Position(float(sk), Geodesic.LATITUDE | Geodesic.LONGITUDE)
            lat[k], lon[k] = p["lat2"], p["lon2"]
        return lat, lon

    def densify(self, spacing_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points every at most ``spacing_m`` along the leg, both ends included, with the
        altitude linear in distance. A loiter gives the way from the previous point to its
        circle (see :meth:`circle` for the circle), a take-off its start and end (the same
        place, different altitudes)."""
        if self.kind == "loiter" and self.distance_m > abs(self.radius_m):
            end = self.position(self.distance_m - abs(self.radius_m))
            lat, lon = densify_geodesic(
                self.lat1_deg, self.lon1_deg, float(end[0][0]), float(end[1][0]), spacing_m
            )
            frac = np.linspace(0.0, 1.0, lat.size)
            return lat, lon, self.alt1_m + frac * (self.alt2_m - self.alt1_m)
        if self.kind == "loiter" or self.distance_m <= 0.0:
            return (
                np.array([self.lat1_deg, self.lat2_deg]),
                np.array([self.lon1_deg, self.lon2_deg]),
                np.array([self.alt1_m, self.alt2_m]),
            )
        lat, lon = densify_geodesic(
            self.lat1_deg, self.lon1_deg, self.lat2_deg, self.lon2_deg, spacing_m
        )
        frac = np.linspace(0.0, 1.0, lat.size)
        return lat, lon, self.alt1_m + frac * (self.alt2_m - self.alt1_m)

    def circle(self, spacing_m: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A loiter's circle (closed ring: lat, lon, alt arrays); empty for other legs."""
        if self.kind != "loiter":
            return np.zeros(0), np.zeros(0), np.zeros(0)
        lat, lon = loiter_circle(self.lat2_deg, self.lon2_deg, abs(self.radius_m), spacing_m)
        return lat, lon, np.full(lat.shape, self.alt2_m)


@dataclass(frozen=True)
class Route:
    """The legs a mission flies (see the module doc) and its positioned items."""

    home: Home
    legs: tuple[RouteLeg, ...]
    waypoints: tuple[Waypoint, ...]
    end: str  # "landed", "mission_complete", "loiter_unlimited", "loops_forever", "empty"
    notes: tuple[str, ...] = field(default=())

    @property
    def length_m(self) -> float:
        """Sum of the geodesic lengths of the legs (to loiter centres; circles not
        counted), m."""
        return float(sum(leg.distance_m for leg in self.legs))

    def densify(self, spacing_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The whole route as one polyline (lat, lon, alt arrays), legs densified to at most
        ``spacing_m`` (loiter circles are left out; see :meth:`RouteLeg.circle`)."""
        lats, lons, alts = [], [], []
        for leg in self.legs:
            la, lo, al = leg.densify(spacing_m)
            if lats and la.size and lats[-1][-1] == la[0] and lons[-1][-1] == lo[0]:
                la, lo, al = la[1:], lo[1:], al[1:]
            lats.append(la)
            lons.append(lo)
            alts.append(al)
        if not lats:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        return np.concatenate(lats), np.concatenate(lons), np.concatenate(alts)

    def to_geojson(self, spacing_m: float = 1000.0) -> dict:
        return to_geojson(self, spacing_m)

    def to_kml(self, spacing_m: float = 1000.0, name: str = "longwing route") -> str:
        return to_kml(self, spacing_m, name)


# --- geodesic helpers ---------------------------------------------------------------------


def densify_geodesic(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, spacing_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Points along the geodesic from 1 to 2 at equal steps of at most ``spacing_m``, both
    ends included exactly (latitude, longitude arrays in degrees; longitudes in
    [-180, 180])."""
    if not spacing_m > 0.0:
        raise ValueError(f"spacing must be positive, got {spacing_m!r} m")
    line = GEOD.InverseLine(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    n = max(1, math.ceil(line.s13 / spacing_m - 1e-9))
    lat = np.empty(n + 1)
    lon = np.empty(n + 1)
    lat[0], lon[0] = lat1_deg, lon1_deg
    lat[n], lon[n] = lat2_deg, lon2_deg
    for k in range(1, n):
        p = line.Position(line.s13 * k / n, Geodesic.LATITUDE | Geodesic.LONGITUDE)
        lat[k], lon[k] = p["lat2"], p["lon2"]
    return lat, lon


def loiter_circle(
    lat_deg: float, lon_deg: float, radius_m: float, spacing_m: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Closed ring of points at geodesic distance ``radius_m`` around a centre."""
    n = LOITER_CIRCLE_POINTS
    if spacing_m > 0.0:
        n = max(n, math.ceil(2.0 * math.pi * radius_m / spacing_m))
    az = np.linspace(0.0, 360.0, n + 1)
    lat = np.empty(n + 1)
    lon = np.empty(n + 1)
    for k in range(n):
        p = GEOD.Direct(lat_deg, lon_deg, float(az[k]), radius_m)
        lat[k], lon[k] = p["lat2"], p["lon2"]
    lat[n], lon[n] = lat[0], lon[0]
    return lat, lon


def split_route(
    points: Sequence[Sequence[float]], max_leg_m: float = 200_000.0
) -> list[tuple[float, ...]]:
    """Cut a polyline into legs no longer than ``max_leg_m`` along the geodesics.

    ``points`` are ``(lat_deg, lon_deg)`` or ``(lat_deg, lon_deg, alt_m)``; every segment
    longer than ``max_leg_m`` is divided into the fewest equal geodesic parts that fit (the
    altitude linear in distance). The given points are all kept, exactly. Returns the new
    points as tuples of the same length.
    """
    if not max_leg_m > 0.0:
        raise ValueError(f"max leg length must be positive, got {max_leg_m!r} m")
    pts = [tuple(float(v) for v in p) for p in points]
    if not pts:
        return []
    width = len(pts[0])
    if width not in (2, 3) or any(len(p) != width for p in pts):
        raise ValueError("points must all be (lat, lon) or all (lat, lon, alt)")
    out = [pts[0]]
    for a, b in zip(pts, pts[1:], strict=False):
        line = GEOD.InverseLine(a[0], a[1], b[0], b[1])
        n = max(1, math.ceil(line.s13 / max_leg_m - 1e-12))
        for k in range(1, n):
            p = line.Position(line.s13 * k / n, Geodesic.LATITUDE | Geodesic.LONGITUDE)
            q = (p["lat2"], p["lon2"])
            if width == 3:
                q = (*q, a[2] + (b[2] - a[2]) * k / n)
            out.append(q)
        out.append(b)
    return out


# --- mission walk -------------------------------------------------------------------------


@dataclass
class _Walk:
    """Mutable state of one walk (local to :func:`mission_route`)."""

    mission: Mission
    settings: MissionSettings
    terrain: TerrainFn | None
    home: Home
    speed: float
    lat: float
    lon: float
    alt: float
    legs: list[RouteLeg] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def alt_of(self, seq: int) -> float:
        return self.mission.resolve_alt(seq, home_alt_m=self.home.alt_m, terrain=self.terrain)

    def pos_of(self, seq: int, item: MissionItem) -> tuple[float, float, float]:
        lat, lon = item.lat_deg, item.lon_deg
        if lat == 0.0 and lon == 0.0:
            lat, lon = self.lat, self.lon
        return lat, lon, self.alt_of(seq)

    def add(
        self,
        kind: str,
        from_seq: int,
        to_seq: int,
        end: tuple[float, float, float],
        start: tuple[float, float, float] | None = None,
        **extra,
    ) -> None:
        lat1, lon1, alt1 = (self.lat, self.lon, self.alt) if start is None else start
        lat2, lon2, alt2 = end
        if lat1 == lat2 and lon1 == lon2:
            dist, az1, az2 = 0.0, math.nan, math.nan
        else:
            inv = GEOD.Inverse(lat1, lon1, lat2, lon2)
            dist, az1, az2 = inv["s12"], inv["azi1"] % 360.0, inv["azi2"] % 360.0
        speed = self.settings.LAND_APPROACH_SPD if kind == "land" else self.speed
        self.legs.append(
            RouteLeg(
                kind,
                from_seq,
                to_seq,
                lat1,
                lon1,
                alt1,
                lat2,
                lon2,
                alt2,
                speed,
                dist,
                az1,
                az2,
                self.home,
                **extra,
            )
        )


def mission_route(
    mission: Mission,
    settings: MissionSettings | None = None,
    *,
    terrain: TerrainFn | None = None,
    max_legs: int = DEFAULT_MAX_LEGS,
) -> Route:
    """The legs the simulator flies for ``mission`` (see the module doc).

    ``settings`` are the navigation settings the mission manager uses (default
    :class:`MissionSettings`); ``terrain`` resolves terrain-frame altitudes; ``max_legs``
    bounds DO_JUMP loops that repeat forever. Raises
    :class:`~longwing.mission.items.MissionError` for altitudes that cannot be resolved.
    """
    s = settings or MissionSettings()
    home = mission.home
    w = _Walk(
        mission,
        s,
        terrain,
        home,
        mission.cruise_speed_mps or s.AIRSPEED_CRUISE,
        home.lat_deg,
        home.lon_deg,
        home.alt_m,
    )
    items = mission.items
    waypoints = [Waypoint(0, int(MavCmd.NAV_WAYPOINT), home.lat_deg, home.lon_deg, home.alt_m)]
    seen: set[int] = set()

    def note_point(seq: int, item: MissionItem, pos: tuple[float, float, float]) -> None:
        if seq not in seen:
            seen.add(seq)
            waypoints.append(Waypoint(seq, int(item.command), *pos))

    # take-off
    if items and items[0].command == MavCmd.NAV_TAKEOFF:
        alt = w.alt_of(1)
        w.add("takeoff", 0, 1, (home.lat_deg, home.lon_deg, alt))
        seq = 2
    else:
        alt = home.alt_m + s.TKOFF_ALT
        w.add("takeoff", 0, 0, (home.lat_deg, home.lon_deg, alt))
        w.notes.append(f"no NAV_TAKEOFF first: climbing to {s.TKOFF_ALT:g} m above home")
        seq = 1
    w.alt = alt
    jumps: dict[int, int] = {}
    forever = False
    end = "mission_complete"
    guard = 0
    while True:
        guard += 1
        if len(w.legs) >= max_legs or guard > 10 * max_legs:
            end = "loops_forever"
            why = "a DO_JUMP repeats forever" if forever else f"max_legs is {max_legs}"
            w.notes.append(f"route cut after {len(w.legs)} legs: {why}")
            break
        if seq > len(items):
            end = "mission_complete"
            break
        item = items[seq - 1]
        cmd = item.command
        if cmd == MavCmd.DO_JUMP:
            done = jumps.get(seq, 0)
            if item.jump_repeat < 0 or done < item.jump_repeat:
                forever = forever or item.jump_repeat < 0
                jumps[seq] = done + 1
                seq = item.jump_target_seq
            else:
                seq += 1
            continue
        if cmd == MavCmd.DO_CHANGE_SPEED:
            if item.speed_mps > 0:
                w.speed = item.speed_mps
        elif cmd == MavCmd.DO_SET_HOME:
            if item.use_current:
                w.home = Home(w.lat, w.lon, w.alt)
            else:
                w.home = Home(item.lat_deg, item.lon_deg, w.alt_of(seq))
        if not item.is_nav:
            seq += 1
            continue
        if cmd == MavCmd.NAV_WAYPOINT:
            pos = w.pos_of(seq, item)
            note_point(seq, item, pos)
            accept = item.acceptance_radius_m if item.acceptance_radius_m > 0 else s.WP_RADIUS
            hagl = item.alt_m if item.frame in TERRAIN_FRAMES else math.nan
            w.add("leg", _last_seq(w), seq, pos, accept_m=accept, hagl_m=hagl)
            w.lat, w.lon, w.alt = pos
        elif cmd in (
            MavCmd.NAV_LOITER_UNLIM,
            MavCmd.NAV_LOITER_TURNS,
            MavCmd.NAV_LOITER_TIME,
            MavCmd.NAV_LOITER_TO_ALT,
        ):
            pos = w.pos_of(seq, item)
            note_point(seq, item, pos)
            radius = item.radius_m if item.radius_m != 0.0 else s.WP_LOITER_RAD
            if cmd == MavCmd.NAV_LOITER_TURNS:
                kind, value = "turns", item.turns
            elif cmd == MavCmd.NAV_LOITER_TIME:
                kind, value = "time", item.loiter_time_s
            elif cmd == MavCmd.NAV_LOITER_TO_ALT:
                kind, value = "alt", 0.0
            else:
                kind, value = "unlimited", 0.0
            w.add("loiter", _last_seq(w), seq, pos, radius_m=radius, exit=kind, exit_value=value)
            w.lat, w.lon, w.alt = pos
            if kind == "unlimited":
                end = "loiter_unlimited"
                break
        elif cmd == MavCmd.NAV_RETURN_TO_LAUNCH:
            land_start = mission.land_sequence_start()
            if s.RTL_AUTOLAND and land_start is not None:
                seq = land_start
                continue
            pos = (w.home.lat_deg, w.home.lon_deg, w.home.alt_m + s.RTL_ALTITUDE)
            w.add("rtl", _last_seq(w), seq, pos, accept_m=s.WP_RADIUS)
            w.lat, w.lon, w.alt = pos
        elif cmd == MavCmd.NAV_LAND:
            pos = w.pos_of(seq, item)
            note_point(seq, item, pos)
            w.add("land", _last_seq(w), seq, pos)
            end = "landed"
            break
        elif cmd == MavCmd.NAV_TAKEOFF:
            alt = w.alt_of(seq)
            w.add("takeoff", _last_seq(w), seq, (w.lat, w.lon, alt))
            w.alt = alt
        seq += 1
    if not w.legs:
        end = "empty"
    return Route(home, tuple(w.legs), tuple(waypoints), end, tuple(w.notes))


def _last_seq(w: _Walk) -> int:
    return w.legs[-1].to_seq if w.legs else 0
