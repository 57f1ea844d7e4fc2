"""Map export of a :class:`~longwing.planning.route.Route`: GeoJSON and KML.

:func:`to_geojson` (RFC 7946: longitude first, legs densified along the geodesic and cut at
the antimeridian, loiter circles, waypoints as points labelled with their seq) and
:func:`to_kml` (KML 2.2, absolute altitudes). Both return text/dicts; the caller writes them.

Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np

from longwing.mission.items import command_name

if TYPE_CHECKING:
    from longwing.planning.route import Route

__all__ = ["to_geojson", "to_kml"]


def _split_antimeridian(lon: np.ndarray) -> list[slice]:
    """Index ranges of a polyline between crossings of the antimeridian."""
    jumps = np.nonzero(np.abs(np.diff(lon)) > 180.0)[0]
    starts = [0, *(j + 1 for j in jumps)]
    ends = [*(j + 1 for j in jumps), lon.size]
    return [slice(a, b) for a, b in zip(starts, ends, strict=True)]


def _line_geometry(lat: np.ndarray, lon: np.ndarray, alt: np.ndarray) -> dict:
    """GeoJSON LineString, or MultiLineString cut at the antimeridian (RFC 7946 3.1.9):
    each piece ends on +/-180 deg at the crossing latitude."""
    coords = [[float(x), float(y), float(z)] for x, y, z in zip(lon, lat, alt, strict=True)]
    parts = _split_antimeridian(lon)
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": coords}
    lines = []
    for k, part in enumerate(parts):
        piece = coords[part]
        if k > 0:  # start on the meridian where the previous piece left it
            piece = [lines[-1][-1][:], *piece]
            piece[0][0] = -piece[0][0]
        if k < len(parts) - 1:
            i = part.stop - 1
            lo1, lo2 = lon[i], lon[i + 1] + (360.0 if lon[i] > 0 else -360.0)
            edge = 180.0 if lon[i] > 0 else -180.0
            f = (edge - lo1) / (lo2 - lo1)
            piece = [
                *piece,
                [
                    edge,
                    float(lat[i] + f * (lat[i + 1] - lat[i])),
                    float(alt[i] + f * (alt[i + 1] - alt[i])),
                ],
            ]
        lines.append(piece)
    return {"type": "MultiLineString", "coordinates": lines}


def to_geojson(route: Route, spacing_m: float = 1000.0) -> dict:
    """The route as a GeoJSON FeatureCollection (a dict ready for ``json.dump``).

    Features: every leg as a LineString densified to ``spacing_m`` along the geodesic
    (MultiLineString when it crosses the antimeridian), loiter circles as closed rings, and
    home and the positioned items as Points. Coordinates are [lon, lat, alt AMSL m].
    Properties name the kind, seq numbers, distance and course of legs, and ``label``
    (``"3 NAV_WAYPOINT"``) and ``seq`` of points.
    """
    feats = []
    for i, leg in enumerate(route.legs):
        lat, lon, alt = leg.densify(spacing_m)
        props = {
            "leg": i,
            "kind": leg.kind,
            "from_seq": leg.from_seq,
            "to_seq": leg.to_seq,
            "distance_m": leg.distance_m,
            "course_deg": None if math.isnan(leg.course1_deg) else leg.course1_deg,
            "speed_mps": leg.speed_mps,
        }
        feats.append(
            {"type": "Feature", "geometry": _line_geometry(lat, lon, alt), "properties": props}
        )
        if leg.kind == "loiter":
            ring = leg.circle(spacing_m)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": _line_geometry(*ring),
                    "properties": {
                        "leg": i,
                        "kind": "loiter_circle",
                        "seq": leg.to_seq,
                        "radius_m": leg.radius_m,
                        "exit": leg.exit,
                        "exit_value": leg.exit_value,
                    },
                }
            )
    for wp in route.waypoints:
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [wp.lon_deg, wp.lat_deg, wp.alt_m]},
                "properties": {
                    "seq": wp.seq,
                    "command": command_name(wp.command) if wp.seq else "HOME",
                    "label": wp.label,
                    "alt_m": wp.alt_m,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _kml_coords(lat: np.ndarray, lon: np.ndarray, alt: np.ndarray) -> str:
    return " ".join(f"{x:.8f},{y:.8f},{z:.2f}" for x, y, z in zip(lon, lat, alt, strict=True))


def to_kml(route: Route, spacing_m: float = 1000.0, name: str = "longwing route") -> str:
    """The route as a KML 2.2 document (text): a folder of legs (LineStrings densified to
    ``spacing_m`` along the geodesic, absolute altitudes) and loiter circles, and a folder
    of waypoints (Points named by seq, described by command and altitude)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2">',
        "<Document>",
        f"<name>{escape(name)}</name>",
        "<Folder><name>legs</name>",
    ]
    for i, leg in enumerate(route.legs):
        lat, lon, alt = leg.densify(spacing_m)
        label = (
            f"{leg.kind} {leg.from_seq}-{leg.to_seq}"
            if leg.kind != "loiter"
            else (f"loiter {leg.to_seq}")
        )
        out.append(
            f"<Placemark><name>{escape(label)}</name>"
            f"<description>leg {i}: {leg.distance_m / 1000.0:.3f} km</description>"
            "<LineString><tessellate>1</tessellate><altitudeMode>absolute</altitudeMode>"
            f"<coordinates>{_kml_coords(lat, lon, alt)}</coordinates></LineString></Placemark>"
        )
        if leg.kind == "loiter":
            ring = leg.circle(spacing_m)
            out.append(
                f"<Placemark><name>loiter circle {leg.to_seq}</name>"
                f"<description>radius {abs(leg.radius_m):g} m, exit {escape(leg.exit)}"
                f" {leg.exit_value:g}</description>"
                "<LineString><tessellate>1</tessellate><altitudeMode>absolute</altitudeMode>"
                f"<coordinates>{_kml_coords(*ring)}</coordinates></LineString></Placemark>"
            )
    out.append("</Folder>")
    out.append("<Folder><name>waypoints</name>")
    for wp in route.waypoints:
        out.append(
            f"<Placemark><name>{wp.seq}</name>"
            f"<description>{escape(wp.label)}, {wp.alt_m:.1f} m AMSL</description>"
            "<Point><altitudeMode>absolute</altitudeMode>"
            f"<coordinates>{wp.lon_deg:.8f},{wp.lat_deg:.8f},{wp.alt_m:.2f}</coordinates>"
            "</Point></Placemark>"
        )
    out.append("</Folder>")
    out.append("</Document>")
    out.append("</kml>")
    return "\n".join(out) + "\n"
