"""Geofence and rally points: the model only (acting on a breach is the mission manager's job).

A :class:`Fence` is any number of inclusion/exclusion polygons and circles plus optional
altitude limits. :meth:`Fence.contains` says whether a point is allowed, and if not, why.

Semantics (those of ArduPilot and of MAVLink fence items in a single inclusion group):

- the point must be inside **every** inclusion zone (polygon or circle), and
- outside **every** exclusion zone, and
- within the altitude limits, which are metres **above the home altitude** (like
  ArduPilot's ``FENCE_ALT_MAX``/``FENCE_ALT_MIN`` and PX4's ``GF_MAX_VER_DIST``).

Geometry: polygon edges are great-circle arcs. The test projects the vertices and the point
with a gnomonic projection centred on the polygon (on a sphere, which maps great circles to
straight lines exactly), then counts crossings; concave polygons, the date line and large
polygons are handled, but a polygon must lie within one hemisphere and must not
self-intersect. Circle membership uses the WGS84 geodesic distance (geographiclib).

Numbers in messages are 1-based: "geofence polygon 1" is the first polygon, as in QGC.
This module is pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from geographiclib.geodesic import Geodesic

from longwing.geo.point import GeoPoint
from longwing.mission.items import (
    GLOBAL_FRAMES,
    MavFrame,
    MissionError,
    frame_name,
    validate_lat_lon_alt,
)

__all__ = [
    "BreachReturnPoint",
    "Fence",
    "FenceCircle",
    "FencePolygon",
    "RallyPoint",
    "geodesic_distance_m",
]

_Vec = tuple[float, float, float]


def geodesic_distance_m(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float
) -> float:
    """WGS84 geodesic distance between two points, m (geographiclib)."""
    return float(
        Geodesic.WGS84.Inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg, Geodesic.DISTANCE)["s12"]
    )


def _unit(lat_deg: float, lon_deg: float) -> _Vec:
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    c = math.cos(lat)
    return (c * math.cos(lon), c * math.sin(lon), math.sin(lat))


def _dot(a: _Vec, b: _Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: _Vec, b: _Vec) -> _Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _normalised(a: _Vec) -> _Vec:
    n = math.sqrt(_dot(a, a))
    return (a[0] / n, a[1] / n, a[2] / n)


@dataclass(frozen=True)
class _Gnomonic:
    """Spherical gnomonic projection about ``centre`` (great circles -> straight lines)."""

    centre: _Vec
    east: _Vec
    north: _Vec

    @classmethod
    def about(cls, centre: _Vec) -> _Gnomonic:
        east = _cross((0.0, 0.0, 1.0), centre)
        if _dot(east, east) < 1e-24:  # centre at a pole
            east = (1.0, 0.0, 0.0)
        east = _normalised(east)
        return cls(centre, east, _cross(centre, east))

    def project(self, p: _Vec) -> tuple[float, float] | None:
        """Plane coordinates of unit vector ``p``; ``None`` on the far hemisphere."""
        d = _dot(p, self.centre)
        if d <= 1e-9:
            return None
        return (_dot(p, self.east) / d, _dot(p, self.north) / d)


def _segments_cross(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], d: tuple[float, float]
) -> bool:
    """True if segments ab and cd intersect (touching counts)."""

    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def on_segment(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> bool:
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(
            p[1], q[1]
        )

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return (
        (o1 == 0 and on_segment(a, b, c))
        or (o2 == 0 and on_segment(a, b, d))
        or (o3 == 0 and on_segment(c, d, a))
        or (o4 == 0 and on_segment(c, d, b))
    )


@dataclass(frozen=True)
class FencePolygon:
    """A polygon zone: ``vertices`` are ``(lat_deg, lon_deg)`` pairs, not closed (the last
    vertex joins the first), in any winding; ``inclusion`` False makes it an exclusion zone.
    """

    vertices: tuple[tuple[float, float], ...]
    inclusion: bool = True

    def __post_init__(self) -> None:
        verts = tuple((float(lat), float(lon)) for lat, lon in self.vertices)
        object.__setattr__(self, "vertices", verts)
        object.__setattr__(self, "inclusion", bool(self.inclusion))

    def problem(self) -> str | None:
        """``None`` if the polygon is usable, else what is wrong with it."""
        if len(self.vertices) < 3:
            return f"needs at least 3 vertices, has {len(self.vertices)}"
        for k, (lat, lon) in enumerate(self.vertices, start=1):
            bad = validate_lat_lon_alt(lat, lon, 0.0)
            if bad is not None:
                return f"vertex {k}: {bad}"
        units = [_unit(lat, lon) for lat, lon in self.vertices]
        total = (sum(u[0] for u in units), sum(u[1] for u in units), sum(u[2] for u in units))
        if _dot(total, total) < 1e-18:
            return "vertices do not lie within one hemisphere"
        proj = _Gnomonic.about(_normalised(total))
        pts = [proj.project(u) for u in units]
        if any(p is None for p in pts):
            return "vertices do not lie within one hemisphere"
        plane = [p for p in pts if p is not None]
        n = len(plane)
        for i in range(n):
            a, b = plane[i], plane[(i + 1) % n]
            if a == b:
                return f"vertices {i + 1} and {(i + 1) % n + 1} are the same point"
            for j in range(i + 2, n):
                if i == 0 and j == n - 1:
                    continue  # adjacent through the closing edge
                if _segments_cross(a, b, plane[j], plane[(j + 1) % n]):
                    return f"edges {i + 1} and {j + 1} cross (the polygon self-intersects)"
        return None

    @cached_property
    def _projected(self) -> tuple[_Gnomonic, tuple[tuple[float, float], ...]]:
        units = [_unit(lat, lon) for lat, lon in self.vertices]
        total = (sum(u[0] for u in units), sum(u[1] for u in units), sum(u[2] for u in units))
        proj = _Gnomonic.about(_normalised(total))
        plane = tuple(p for p in (proj.project(u) for u in units) if p is not None)
        return proj, plane

    def contains_point(self, lat_deg: float, lon_deg: float) -> bool:
        """True if the point is inside (points exactly on an edge may go either way)."""
        proj, plane = self._projected
        p = proj.project(_unit(lat_deg, lon_deg))
        if p is None:
            return False
        x, y = p
        inside = False
        n = len(plane)
        for i in range(n):
            x1, y1 = plane[i]
            x2, y2 = plane[(i + 1) % n]
            if (y1 > y) != (y2 > y):
                x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                if x < x_cross:
                    inside = not inside
        return inside


@dataclass(frozen=True)
class FenceCircle:
    """A circular zone: centre and geodesic radius; ``inclusion`` False excludes it."""

    center_lat_deg: float
    center_lon_deg: float
    radius_m: float
    inclusion: bool = True

    def __post_init__(self) -> None:
        for name in ("center_lat_deg", "center_lon_deg", "radius_m"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "inclusion", bool(self.inclusion))

    def problem(self) -> str | None:
        """``None`` if the circle is usable, else what is wrong with it."""
        bad = validate_lat_lon_alt(self.center_lat_deg, self.center_lon_deg, 0.0)
        if bad is not None:
            return f"centre {bad}"
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            return f"radius {self.radius_m!r} m must be > 0"
        return None

    def distance_m(self, lat_deg: float, lon_deg: float) -> float:
        """Geodesic distance from the centre, m."""
        return geodesic_distance_m(self.center_lat_deg, self.center_lon_deg, lat_deg, lon_deg)

    def contains_point(self, lat_deg: float, lon_deg: float) -> bool:
        """True if the point is within ``radius_m`` of the centre (geodesic)."""
        return self.distance_m(lat_deg, lon_deg) <= self.radius_m


#: Where to go on a fence breach (QGC ``breachReturn``): a
#: :class:`~longwing.geo.point.GeoPoint` whose ``alt_m`` is above home, m.
BreachReturnPoint = GeoPoint


@dataclass(frozen=True)
class Fence:
    """Inclusion/exclusion polygons and circles plus altitude limits above home (m).

    Validated on construction (:class:`~longwing.mission.items.MissionError`).
    """

    polygons: tuple[FencePolygon, ...] = ()
    circles: tuple[FenceCircle, ...] = ()
    max_alt_above_home_m: float | None = None
    min_alt_above_home_m: float | None = None
    breach_return: BreachReturnPoint | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "polygons", tuple(self.polygons))
        object.__setattr__(self, "circles", tuple(self.circles))
        for name in ("max_alt_above_home_m", "min_alt_above_home_m"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))
        for k, polygon in enumerate(self.polygons, start=1):
            bad = polygon.problem()
            if bad is not None:
                raise MissionError(bad, where=f"geofence polygon {k}")
        for k, circle in enumerate(self.circles, start=1):
            bad = circle.problem()
            if bad is not None:
                raise MissionError(bad, where=f"geofence circle {k}")
        for name, value in (
            ("maximum altitude", self.max_alt_above_home_m),
            ("minimum altitude", self.min_alt_above_home_m),
        ):
            if value is not None and not math.isfinite(value):
                raise MissionError(f"{name} {value!r} m is not a finite number", where="geofence")
        if (
            self.max_alt_above_home_m is not None
            and self.min_alt_above_home_m is not None
            and self.min_alt_above_home_m >= self.max_alt_above_home_m
        ):
            raise MissionError(
                f"minimum altitude {self.min_alt_above_home_m!r} m must be below the maximum "
                f"{self.max_alt_above_home_m!r} m",
                where="geofence",
            )
        if self.breach_return is not None:
            br = self.breach_return
            bad = validate_lat_lon_alt(br.lat_deg, br.lon_deg, br.alt_m)
            if bad is not None:
                raise MissionError(bad, where="geofence breach return point")

    @property
    def is_empty(self) -> bool:
        """True when the fence constrains nothing."""
        return (
            not self.polygons
            and not self.circles
            and self.max_alt_above_home_m is None
            and self.min_alt_above_home_m is None
        )

    def contains(
        self, lat_deg: float, lon_deg: float, alt_above_home_m: float | None = None
    ) -> tuple[bool, str | None]:
        """``(True, None)`` if the point is allowed, else ``(False, reason)``.

        Altitude limits are skipped when ``alt_above_home_m`` is ``None``. The reason names
        the first violated rule in the order: maximum altitude, minimum altitude,
        exclusion zones, inclusion zones.
        """
        if alt_above_home_m is not None:
            top = self.max_alt_above_home_m
            if top is not None and alt_above_home_m > top:
                return (
                    False,
                    f"altitude {alt_above_home_m:.1f} m above home is above the "
                    f"maximum {top:.1f} m",
                )
            bottom = self.min_alt_above_home_m
            if bottom is not None and alt_above_home_m < bottom:
                return (
                    False,
                    f"altitude {alt_above_home_m:.1f} m above home is below the "
                    f"minimum {bottom:.1f} m",
                )
        for k, polygon in enumerate(self.polygons, start=1):
            if not polygon.inclusion and polygon.contains_point(lat_deg, lon_deg):
                return False, f"inside exclusion polygon {k}"
        for k, circle in enumerate(self.circles, start=1):
            if not circle.inclusion and circle.contains_point(lat_deg, lon_deg):
                return False, f"inside exclusion circle {k}"
        for k, polygon in enumerate(self.polygons, start=1):
            if polygon.inclusion and not polygon.contains_point(lat_deg, lon_deg):
                return False, f"outside inclusion polygon {k}"
        for k, circle in enumerate(self.circles, start=1):
            if circle.inclusion and not circle.contains_point(lat_deg, lon_deg):
                return False, f"outside inclusion circle {k}"
        return True, None


@dataclass(frozen=True)
class RallyPoint(GeoPoint):
    """A safe point to loiter at or land near: a :class:`~longwing.geo.point.GeoPoint` with
    the MAVLink ``frame`` that gives ``alt_m``'s reference (default above home, as in QGC
    ``.plan`` files)."""

    frame: int = field(default=MavFrame.GLOBAL_RELATIVE_ALT)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "frame", int(self.frame))

    def problem(self) -> str | None:
        """``None`` if usable, else what is wrong."""
        if self.frame not in GLOBAL_FRAMES:
            return f"frame {frame_name(self.frame)} is not a global frame"
        return validate_lat_lon_alt(self.lat_deg, self.lon_deg, self.alt_m)
