"""Survey areas: one polygon on the WGS84 ellipsoid, read from GeoJSON or KML.

:class:`SurveyArea` holds the outer boundary as latitude/longitude vertex arrays (degrees,
the edge unit; open ring: the closing vertex is dropped) and is validated on construction:
at least 3 distinct vertices, latitudes in [-90, 90], longitudes in [-180, 180], no
self-intersection, a non-zero area and at most :data:`MAX_RADIUS_M` from its centre.

Readers (the only I/O of the planning package, with the explicit ``load_*`` functions):

- GeoJSON (RFC 7946, positions ``[lon, lat(, alt)]``): a ``Polygon``, a ``MultiPolygon``
  holding one polygon, a ``Feature`` or ``GeometryCollection`` of one, or a
  ``FeatureCollection`` with exactly one polygon feature (features of other geometry types,
  e.g. a take-off ``Point``, are ignored).
- KML: exactly one ``<Polygon><outerBoundaryIs><LinearRing><coordinates>`` anywhere in
  the document (``lon,lat[,alt]`` tuples separated by white space); ``.kmz`` archives are
  opened and their first ``.kml`` read. Documents with a DTD are refused.

Holes (GeoJSON inner rings, KML ``innerBoundaryIs``) are refused with an
:class:`AreaError` by default: a fixed-wing flies straight over a hole anyway. Pass
``ignore_holes=True`` to drop them and survey the whole outer polygon (the hole gets
photographed too).

Every problem is an :class:`AreaError` (a :class:`ValueError`) whose message is one line
naming the file and the problem, e.g. ``field.kml: polygon edges 2 and 4 cross
(self-intersecting)``.

:class:`LocalProjection` is the local tangent plane the planner works in: WGS84 points are
projected orthogonally onto the plane tangent to the ellipsoid at a centre (east, north in
metres), and back exactly along the centre's vertical. Horizontal distances in the plane
are shortened by about ``r**2 / (2 R**2)`` relative to the ground at ``r`` from the centre
(3e-6 at 25 km, 8e-5 at 125 km), far below any line spacing.
"""

from __future__ import annotations

import io
import json
import math
import os
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from longwing.geo.wgs84 import A_M, B_M, E2

__all__ = [
    "MAX_RADIUS_M",
    "AreaError",
    "LocalProjection",
    "SurveyArea",
    "load_area",
    "parse_geojson",
    "parse_kml",
]

#: Largest distance of a vertex from the area's centre, m (the tangent plane's limit).
MAX_RADIUS_M = 250_000.0


class AreaError(ValueError):
    """A survey area or area file that cannot be used; ``str()`` is one line
    ``[file: ]problem``. Attributes ``source`` and ``problem``."""

    def __init__(self, problem: str, source: str | None = None) -> None:
        self.problem = problem
        self.source = source
        super().__init__(f"{source}: {problem}" if source else problem)

    def with_source(self, source: str | None) -> AreaError:
        """The same error naming a file."""
        return AreaError(self.problem, source if source is not None else self.source)


# --- the local tangent plane -------------------------------------------------------------


@dataclass(frozen=True)
class LocalProjection:
    """East/north metres on the plane tangent to the WGS84 ellipsoid at a centre.

    :meth:`to_local` projects ellipsoid points (height 0) orthogonally onto the plane;
    :meth:`to_geodetic` goes back along the centre's vertical to the ellipsoid, the exact
    inverse. Works across the antimeridian and near the poles (no latitude/longitude
    arithmetic). Arrays or scalars in, float arrays out.
    """

    lat0_deg: float
    lon0_deg: float
    _origin: np.ndarray = field(init=False, repr=False, compare=False)
    _axes: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lat = math.radians(float(self.lat0_deg))
        lon = math.radians(float(self.lon0_deg))
        sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
        n = A_M / math.sqrt(1.0 - E2 * sl * sl)
        origin = np.array([n * cl * co, n * cl * so, n * (1.0 - E2) * sl])
        axes = np.array(
            [
                [-so, co, 0.0],  # east
                [-sl * co, -sl * so, cl],  # north
                [cl * co, cl * so, sl],  # up (ellipsoid normal)
            ]
        )
        origin.flags.writeable = False
        axes.flags.writeable = False
        object.__setattr__(self, "lat0_deg", float(self.lat0_deg))
        object.__setattr__(self, "lon0_deg", float(self.lon0_deg))
        object.__setattr__(self, "_origin", origin)
        object.__setattr__(self, "_axes", axes)

    def to_local(self, lat_deg: Any, lon_deg: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(east_m, north_m)`` of points on the ellipsoid."""
        lat = np.radians(np.asarray(lat_deg, dtype=float))
        lon = np.radians(np.asarray(lon_deg, dtype=float))
        sl = np.sin(lat)
        cl = np.cos(lat)
        n = A_M / np.sqrt(1.0 - E2 * sl * sl)
        dx = n * cl * np.cos(lon) - self._origin[0]
        dy = n * cl * np.sin(lon) - self._origin[1]
        dz = n * (1.0 - E2) * sl - self._origin[2]
        ex, nx = self._axes[0], self._axes[1]
        east = dx * ex[0] + dy * ex[1] + dz * ex[2]
        north = dx * nx[0] + dy * nx[1] + dz * nx[2]
        return east, north

    def to_geodetic(self, east_m: Any, north_m: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(lat_deg, lon_deg)`` of the ellipsoid point below/above plane point(s)."""
        e = np.asarray(east_m, dtype=float)
        nn = np.asarray(north_m, dtype=float)
        ex, nx, up = self._axes
        o = self._origin
        w = [e * ex[k] + nn * nx[k] for k in range(3)]  # offset from the origin, ECEF axes
        d = (1.0 / (A_M * A_M), 1.0 / (A_M * A_M), 1.0 / (B_M * B_M))
        # (o + w + t*up) on the ellipsoid: A t^2 + 2 B t + C = 0, o on it already
        a_q = sum(d[k] * up[k] * up[k] for k in range(3))
        b_q = sum(d[k] * (o[k] + w[k]) * up[k] for k in range(3))
        c_q = sum(d[k] * (2.0 * o[k] + w[k]) * w[k] for k in range(3))
        t = -c_q / (b_q + np.sqrt(b_q * b_q - a_q * c_q))
        x = o[0] + w[0] + t * up[0]
        y = o[1] + w[1] + t * up[1]
        z = o[2] + w[2] + t * up[2]
        lat = np.degrees(np.arctan2(z, (1.0 - E2) * np.hypot(x, y)))
        lon = np.degrees(np.arctan2(y, x))
        return lat, lon


def _centre_deg(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[float, float]:
    """Centre of a set of points: the direction of the mean of their unit vectors (so it
    works across the antimeridian)."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    x = float(np.mean(np.cos(lat) * np.cos(lon)))
    y = float(np.mean(np.cos(lat) * np.sin(lon)))
    z = float(np.mean(np.sin(lat)))
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


# --- plane polygon helpers ---------------------------------------------------------------


def polygon_area_m2(x: np.ndarray, y: np.ndarray) -> float:
    """Signed shoelace area of a plane polygon (open ring), > 0 counter-clockwise."""
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def first_crossing(x: np.ndarray, y: np.ndarray) -> tuple[int, int] | None:
    """Indices ``(i, j)`` (0-based, ``i < j``) of a pair of non-adjacent edges of the
    closed polygon ``x, y`` that touch or cross, or ``None`` for a simple polygon.
    Edge ``i`` runs from vertex ``i`` to vertex ``i + 1``. A sweep along x: each edge is
    tested only against the edges whose x-range starts within its own."""
    n = len(x)
    if n < 4:
        return None
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9)
    eps = 1e-12 * span * span
    ax, ay = x, y
    bx, by = np.roll(x, -1), np.roll(y, -1)
    lo_x, hi_x = np.minimum(ax, bx), np.maximum(ax, bx)
    lo_y, hi_y = np.minimum(ay, by), np.maximum(ay, by)
    by_lo = np.argsort(lo_x, kind="stable")
    sorted_lo = lo_x[by_lo]

    def orient(px: Any, py: Any, qx: Any, qy: Any, rx: Any, ry: Any) -> np.ndarray:
        v = (qx - px) * (ry - py) - (qy - py) * (rx - px)
        return np.where(np.abs(v) <= eps, 0.0, np.sign(v))

    for pos in range(n):
        i = int(by_lo[pos])
        end = int(np.searchsorted(sorted_lo, hi_x[i], side="right"))
        j = by_lo[pos + 1 : end]
        j = j[(j != (i + 1) % n) & (j != (i - 1) % n)]
        j = j[(lo_y[j] <= hi_y[i]) & (hi_y[j] >= lo_y[i])]
        if j.size == 0:
            continue
        d1 = orient(ax[i], ay[i], bx[i], by[i], ax[j], ay[j])
        d2 = orient(ax[i], ay[i], bx[i], by[i], bx[j], by[j])
        d3 = orient(ax[j], ay[j], bx[j], by[j], ax[i], ay[i])
        d4 = orient(ax[j], ay[j], bx[j], by[j], bx[i], by[i])
        hit = (d1 * d2 <= 0) & (d3 * d4 <= 0)
        if np.any(hit):
            other = int(j[np.argmax(hit)])
            return min(i, other), max(i, other)
    return None


# --- the area ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyArea:
    """One polygon to survey: vertex latitudes and longitudes in degrees (open ring).

    Construction drops a closing vertex equal to the first and repeated consecutive
    vertices, then validates (see the module doc); problems raise :class:`AreaError`.
    """

    lat_deg: tuple[float, ...]
    lon_deg: tuple[float, ...]
    name: str = ""

    def __post_init__(self) -> None:
        try:
            lat = [float(v) for v in self.lat_deg]
            lon = [float(v) for v in self.lon_deg]
        except (TypeError, ValueError):
            raise AreaError("vertex coordinates must be numbers") from None
        if len(lat) != len(lon):
            raise AreaError(f"{len(lat)} latitudes but {len(lon)} longitudes")
        for k, (la, lo) in enumerate(zip(lat, lon, strict=True), start=1):
            if not math.isfinite(la) or not -90.0 <= la <= 90.0:
                raise AreaError(f"vertex {k}: latitude {la!r} is outside [-90, 90]")
            if not math.isfinite(lo) or not -180.0 <= lo <= 180.0:
                raise AreaError(f"vertex {k}: longitude {lo!r} is outside [-180, 180]")
        pts = list(zip(lat, lon, strict=True))
        clean: list[tuple[float, float]] = []
        for p in pts:
            if not clean or p != clean[-1]:
                clean.append(p)
        while len(clean) > 1 and clean[0] == clean[-1]:
            clean.pop()
        if len(clean) < 3:
            raise AreaError(
                f"the polygon has {len(clean)} distinct vertices; at least 3 are needed"
            )
        object.__setattr__(self, "lat_deg", tuple(p[0] for p in clean))
        object.__setattr__(self, "lon_deg", tuple(p[1] for p in clean))
        object.__setattr__(self, "name", str(self.name))
        proj = self.projection()
        x, y = proj.to_local(self.lat_deg, self.lon_deg)
        r_max = float(np.max(np.hypot(x, y)))
        if r_max > MAX_RADIUS_M:
            raise AreaError(
                f"the polygon reaches {r_max / 1000:.0f} km from its centre; at most "
                f"{MAX_RADIUS_M / 1000:.0f} km is supported (split the area)"
            )
        crossing = first_crossing(x, y)
        if crossing is not None:
            i, j = crossing
            raise AreaError(f"polygon edges {i + 1} and {j + 1} cross (self-intersecting)")
        if abs(polygon_area_m2(x, y)) < 1.0:
            raise AreaError("the polygon has no area (its vertices are on one line)")

    @classmethod
    def from_points(cls, points: Any, name: str = "") -> SurveyArea:
        """From ``[(lat_deg, lon_deg), ...]``."""
        pts = [tuple(p) for p in points]
        return cls(tuple(p[0] for p in pts), tuple(p[1] for p in pts), name)

    @property
    def vertex_count(self) -> int:
        return len(self.lat_deg)

    def centre_deg(self) -> tuple[float, float]:
        """``(lat_deg, lon_deg)`` of the vertices' mean direction (the projection centre)."""
        return _centre_deg(np.asarray(self.lat_deg), np.asarray(self.lon_deg))

    def projection(self) -> LocalProjection:
        """The local tangent plane centred on the area."""
        return LocalProjection(*self.centre_deg())

    def local_m(self, projection: LocalProjection | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Vertex ``(east_m, north_m)`` arrays on ``projection`` (default: the area's own)."""
        proj = projection if projection is not None else self.projection()
        return proj.to_local(self.lat_deg, self.lon_deg)

    def area_m2(self) -> float:
        """Area enclosed, m^2 (on the tangent plane)."""
        return abs(polygon_area_m2(*self.local_m()))


# --- GeoJSON ----------------------------------------------------------------------------


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2:
        raise AreaError(f"{where} must be a [longitude, latitude] array")
    lon, lat = value[0], value[1]
    for v in (lon, lat):
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise AreaError(f"{where} must hold numbers, not {v!r}")
    return float(lat), float(lon)


def _geojson_polygon(coords: Any, ignore_holes: bool) -> list[tuple[float, float]]:
    if not isinstance(coords, list) or not coords:
        raise AreaError("Polygon 'coordinates' must be a non-empty array of rings")
    if len(coords) > 1 and not ignore_holes:
        n = len(coords) - 1
        raise AreaError(
            f"the polygon has {n} hole{'s' if n > 1 else ''} (inner rings); holes are not "
            "supported: remove them, or ignore them to survey the whole outer polygon"
        )
    ring = coords[0]
    if not isinstance(ring, list):
        raise AreaError("the outer ring must be an array of positions")
    return [_position(p, f"position {k}") for k, p in enumerate(ring, start=1)]


def _geojson_polygons(obj: Any, depth: int = 0) -> list[Any]:
    """Polygon coordinate arrays found in a GeoJSON object; non-polygon geometries of a
    collection are skipped, a bare non-polygon is an error."""
    if not isinstance(obj, dict):
        raise AreaError("GeoJSON must be an object with a 'type'")
    kind = obj.get("type")
    if kind == "Polygon":
        return [obj.get("coordinates")]
    if kind == "MultiPolygon":
        coords = obj.get("coordinates")
        if not isinstance(coords, list):
            raise AreaError("MultiPolygon 'coordinates' must be an array")
        return list(coords)
    if kind == "Feature":
        geom = obj.get("geometry")
        if geom is None:
            if depth > 0:
                return []
            raise AreaError("the GeoJSON Feature has no geometry")
        return _geojson_polygons(geom, depth + 1)
    if kind in ("FeatureCollection", "GeometryCollection"):
        key = "features" if kind == "FeatureCollection" else "geometries"
        members = obj.get(key)
        if not isinstance(members, list):
            raise AreaError(f"{kind} '{key}' must be an array")
        found: list[Any] = []
        for member in members:
            if isinstance(member, dict) and member.get("type") in (
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
            ):
                continue
            if isinstance(member, dict) and member.get("type") == "Feature":
                geom = member.get("geometry")
                if not isinstance(geom, dict) or geom.get("type") not in (
                    "Polygon",
                    "MultiPolygon",
                    "GeometryCollection",
                ):
                    continue
            found.extend(_geojson_polygons(member, depth + 1))
        return found
    if kind in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        raise AreaError(f"GeoJSON {kind} is not a polygon; a survey area must be a Polygon")
    raise AreaError(f"unknown GeoJSON type {kind!r}; expected a Polygon")


def _geojson_name(obj: Any) -> str:
    if isinstance(obj, dict):
        if obj.get("type") == "Feature":
            props = obj.get("properties")
            if isinstance(props, dict) and isinstance(props.get("name"), str):
                return props["name"]
        if obj.get("type") == "FeatureCollection":
            for f in obj.get("features") or []:
                if isinstance(f, dict) and isinstance(f.get("geometry"), dict):
                    if f["geometry"].get("type") in ("Polygon", "MultiPolygon"):
                        return _geojson_name(f)
    return ""


def parse_geojson(
    text: str, source: str | None = None, *, ignore_holes: bool = False
) -> SurveyArea:
    """A :class:`SurveyArea` from GeoJSON text; errors name ``source``."""
    try:
        if not text.strip():
            raise AreaError("the file is empty")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AreaError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        except RecursionError:
            raise AreaError("invalid JSON: nested too deeply") from None
        polygons = _geojson_polygons(doc)
        if not polygons:
            raise AreaError("no Polygon in the GeoJSON; a survey area must be one polygon")
        if len(polygons) > 1:
            raise AreaError(
                f"{len(polygons)} polygons in the GeoJSON; a survey area must be one polygon "
                "(plan each separately)"
            )
        pts = _geojson_polygon(polygons[0], ignore_holes)
        return SurveyArea.from_points(pts, _geojson_name(doc))
    except AreaError as exc:
        raise exc.with_source(source) from None


# --- KML --------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _kml_coordinates(text: str | None) -> list[tuple[float, float]]:
    pts = []
    for k, token in enumerate((text or "").split(), start=1):
        parts = token.split(",")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise AreaError(f"coordinate {k} {token!r} is not lon,lat[,alt]") from None
        pts.append((lat, lon))
    return pts


def parse_kml(
    data: str | bytes, source: str | None = None, *, ignore_holes: bool = False
) -> SurveyArea:
    """A :class:`SurveyArea` from KML text; errors name ``source``."""
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if not raw.strip():
            raise AreaError("the file is empty")
        if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
            raise AreaError("KML with a DTD (<!DOCTYPE>/<!ENTITY>) is not accepted")
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else "?"
            msg = str(exc).split(":")[0]
            raise AreaError(f"invalid XML at line {line}: {msg}") from None
        parent = {c: p for p in root.iter() for c in p}
        polygons = [el for el in root.iter() if _local(el.tag) == "Polygon"]
        if not polygons:
            others = sorted(
                {
                    _local(el.tag)
                    for el in root.iter()
                    if _local(el.tag) in ("Point", "LineString", "LinearRing", "Track")
                }
            )
            found = f" (found {', '.join(others)})" if others else ""
            raise AreaError(f"no <Polygon> in the KML{found}; a survey area must be a polygon")
        if len(polygons) > 1:
            raise AreaError(
                f"{len(polygons)} <Polygon>s in the KML; a survey area must be one polygon "
                "(plan each separately)"
            )
        poly = polygons[0]
        outer = _children(poly, "outerBoundaryIs")
        rings = _children(outer[0], "LinearRing") if outer else []
        coords = _children(rings[0], "coordinates") if rings else []
        if not coords:
            raise AreaError("the <Polygon> has no <outerBoundaryIs><LinearRing><coordinates>")
        holes = len(_children(poly, "innerBoundaryIs"))
        if holes and not ignore_holes:
            raise AreaError(
                f"the polygon has {holes} hole{'s' if holes > 1 else ''} (innerBoundaryIs); "
                "holes are not supported: remove them, or ignore them to survey the whole "
                "outer polygon"
            )
        pts = _kml_coordinates(coords[0].text)
        name = ""
        el: ET.Element | None = poly
        while el is not None:
            if _local(el.tag) == "Placemark":
                names = _children(el, "name")
                name = (names[0].text or "").strip() if names else ""
                break
            el = parent.get(el)
        return SurveyArea.from_points(pts, name)
    except AreaError as exc:
        raise exc.with_source(source) from None


# --- files ------------------------------------------------------------------------------


def load_area(path: str | os.PathLike[str], *, ignore_holes: bool = False) -> SurveyArea:
    """Read a survey polygon from a ``.geojson``/``.json``, ``.kml`` or ``.kmz`` file (other
    extensions: recognised by content). One-line :class:`AreaError` on any problem."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AreaError(f"cannot read the file: {exc.strerror or exc}", source) from None
    suffix = Path(path).suffix.lower()
    if suffix == ".kmz" or data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".kml")]
                if not names:
                    raise AreaError("the KMZ archive holds no .kml file", source)
                data = zf.read("doc.kml" if "doc.kml" in names else names[0])
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise AreaError(f"not a readable KMZ (zip) archive: {exc}", source) from None
        return parse_kml(data, source, ignore_holes=ignore_holes)
    if suffix == ".kml":
        return parse_kml(data, source, ignore_holes=ignore_holes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AreaError("not a text file (not valid UTF-8)", source) from None
    if suffix in (".geojson", ".json") or not text.lstrip().startswith("<"):
        return parse_geojson(text, source, ignore_holes=ignore_holes)
    return parse_kml(data, source, ignore_holes=ignore_holes)
