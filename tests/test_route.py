"""Route model: geodesic legs, densifying, splitting, the mission walk, GeoJSON and KML.

Geometry is checked against geographiclib's Inverse/Direct directly; the mission walk
against the simulator's own MissionManager driven target by target.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.mission.items import MissionItem
from longwing.mission.manager import MissionManager, MissionSettings, Position
from longwing.mission.model import Home, Mission
from longwing.planning.route import (
    densify_geodesic,
    loiter_circle,
    mission_route,
    split_route,
    to_geojson,
    to_kml,
)

G = Geodesic.WGS84
HOME = Home(47.63, -52.93, 60.0)
REL = 3


def off_geodesic_m(lat1, lon1, lat2, lon2, lat, lon) -> float:
    """Distance (m) of (lat, lon) from the geodesic 1 -> 2: the point of the geodesic at the
    same distance from 1 compared with it."""
    az = G.Inverse(lat1, lon1, lat2, lon2)["azi1"]
    s = G.Inverse(lat1, lon1, lat, lon)["s12"]
    on = G.Direct(lat1, lon1, az, s)
    return G.Inverse(on["lat2"], on["lon2"], lat, lon)["s12"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((47.63, -52.93), (57.48, -7.36)),
        ((-33.9, 151.2), (-36.8, 174.8)),
        ((10.0, 179.0), (12.0, -170.0)),
    ],
)
def test_densified_points_lie_on_the_geodesic(a, b):
    lat, lon = densify_geodesic(*a, *b, 50_000.0)
    s_total = G.Inverse(*a, *b)["s12"]
    assert lat.size == math.ceil(s_total / 50_000.0) + 1
    assert (lat[0], lon[0]) == a and (lat[-1], lon[-1]) == b
    gaps = [G.Inverse(lat[i], lon[i], lat[i + 1], lon[i + 1])["s12"] for i in range(lat.size - 1)]
    assert max(gaps) <= 50_000.0 + 1e-6
    assert max(gaps) - min(gaps) < 1e-3  # equal steps
    worst = max(off_geodesic_m(*a, *b, la, lo) for la, lo in zip(lat[1:-1], lon[1:-1], strict=True))
    assert worst < 1e-3


def test_split_3000_km_leg_into_200_km_pieces():
    a = (47.63, -52.93, 100.0)
    inv = G.Inverse(a[0], a[1], 57.48, -7.36)  # Bell Island -> Benbecula
    assert inv["s12"] > 3_000_000.0
    b = (57.48, -7.36, 1600.0)
    pts = split_route([a, b], 200_000.0)
    n = math.ceil(inv["s12"] / 200_000.0)
    assert len(pts) == n + 1
    assert pts[0] == a and pts[-1] == b
    lengths = [G.Inverse(p[0], p[1], q[0], q[1])["s12"] for p, q in zip(pts, pts[1:], strict=False)]
    assert max(lengths) <= 200_000.0
    assert sum(lengths) == pytest.approx(inv["s12"], rel=1e-6)
    assert max(off_geodesic_m(a[0], a[1], b[0], b[1], p[0], p[1]) for p in pts[1:-1]) < 1e-3
    # altitude linear in distance along the leg
    along = np.cumsum([0.0, *lengths])
    alts = np.array([p[2] for p in pts])
    assert np.allclose(alts, a[2] + (b[2] - a[2]) * along / along[-1], atol=1e-6)


def test_split_route_keeps_points_and_short_legs():
    pts = [(47.0, -53.0), (47.1, -53.0), (49.0, -50.0), (49.0, -50.0)]
    out = split_route(pts, 150_000.0)
    for p in pts:
        assert p in out
    assert out[:2] == pts[:2]  # an 11 km leg stays whole
    assert len(split_route(pts, 1e9)) == len(pts)
    assert split_route([], 1000.0) == []
    with pytest.raises(ValueError, match="positive"):
        split_route(pts, 0.0)
    with pytest.raises(ValueError, match="all"):
        split_route([(1.0, 2.0), (1.0, 2.0, 3.0)], 1000.0)


def test_loiter_circle_radius():
    lat, lon = loiter_circle(47.63, -52.93, 350.0)
    r = [G.Inverse(47.63, -52.93, la, lo)["s12"] for la, lo in zip(lat, lon, strict=True)]
    assert np.allclose(r, 350.0, atol=1e-6)
    assert (lat[0], lon[0]) == (lat[-1], lon[-1])


def wp(lat, lon, alt=150.0, accept=0.0):
    return MissionItem(16, REL, (0, accept, 0, 0), lat, lon, alt)


def sim_nav_sequence(mission: Mission, settings: MissionSettings, max_targets: int = 200):
    """Drive the simulator's MissionManager target by target (each reached at its end
    point): the (kind, seq, speed) of every target until it lands or finishes."""
    mgr = MissionManager(mission, settings, tg.new_target())
    here = Position(mission.home.lat_deg, mission.home.lon_deg, mission.home.alt_m)
    mgr.start(0.0, here)
    out = []
    for k in range(max_targets):
        t = mgr.tgt
        out.append((int(t[tg.KIND]), mgr.seq, float(t[tg.SPEED])))
        if t[tg.KIND] == tg.TK_LAND or mgr.finished:
            break
        lat, lon, h = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
        mgr.on_target_done(float(k), Position(math.degrees(lat), math.degrees(lon), h))
    return out


KIND = {
    "takeoff": tg.TK_TAKEOFF,
    "leg": tg.TK_LEG,
    "loiter": tg.TK_LOITER,
    "rtl": tg.TK_LEG,
    "land": tg.TK_LAND,
}


def test_mission_walk_follows_the_mission_manager():
    """Take-off, DO_CHANGE_SPEED, a DO_JUMP repeated twice, loiters by turns and time, a
    landing: the route's legs are the manager's targets, in order, with its speeds."""
    items = (
        MissionItem(22, REL, (12, 0, 0, 0), 0, 0, 100.0),  # 1
        MissionItem(178, 2, (0, 23.0, -1, 0)),  # 2
        wp(47.70, -52.95),  # 3
        wp(47.72, -52.85, 200.0),  # 4
        wp(47.66, -52.80),  # 5
        MissionItem(177, 2, (4, 2, 0, 0)),  # 6: back to 4, twice
        MissionItem(18, REL, (2, 0, -180.0, 0), 47.65, -52.85, 120.0),  # 7
        MissionItem(178, 2, (0, 26.0, -1, 0)),  # 8
        MissionItem(19, REL, (90, 0, 0, 0), 47.62, -52.88, 120.0),  # 9: default radius
        MissionItem(189, 2, (0, 0, 0, 0)),  # 10
        wp(47.615, -52.93, 60.0),  # 11
        MissionItem(21, REL, (0, 0, 0, 0), HOME.lat_deg, HOME.lon_deg, 0.0),  # 12
    )
    mission = Mission(home=HOME, items=items)
    settings = MissionSettings()
    route = mission_route(mission, settings)
    sim = sim_nav_sequence(mission, settings)
    ours = [(KIND[leg.kind], leg.to_seq, leg.speed_mps) for leg in route.legs]
    # the take-off's speed demand is set before DO_CHANGE_SPEED runs: compare the rest
    assert [(k, s) for k, s, _ in ours] == [(k, s) for k, s, _ in sim]
    assert [sp for *_, sp in ours[1:]] == [sp for *_, sp in sim[1:]]
    assert ours[-1][2] == settings.LAND_APPROACH_SPD
    assert route.end == "landed"
    assert [leg.to_seq for leg in route.legs].count(4) == 3  # once + two repeats
    loiters = [leg for leg in route.legs if leg.kind == "loiter"]
    assert (loiters[0].exit, loiters[0].exit_value, loiters[0].radius_m) == ("turns", 2.0, -180.0)
    assert (loiters[1].exit, loiters[1].exit_value) == ("time", 90.0)
    assert loiters[1].radius_m == settings.WP_LOITER_RAD
    # relative altitudes resolved against home; legs start where the last one ended
    assert route.legs[0].alt2_m == pytest.approx(160.0)
    for p, q in zip(route.legs, route.legs[1:], strict=False):
        assert (q.lat1_deg, q.lon1_deg, q.alt1_m) == (p.lat2_deg, p.lon2_deg, p.alt2_m)
    # geodesic length and course of a leg
    leg = route.legs[2]
    inv = G.Inverse(leg.lat1_deg, leg.lon1_deg, leg.lat2_deg, leg.lon2_deg)
    assert leg.distance_m == pytest.approx(inv["s12"], abs=1e-6)
    assert leg.course1_deg == pytest.approx(inv["azi1"] % 360.0, abs=1e-9)
    assert leg.course2_deg == pytest.approx(inv["azi2"] % 360.0, abs=1e-9)
    assert leg.accept_m == settings.WP_RADIUS


def test_rtl_with_and_without_a_landing_sequence():
    base = (
        MissionItem(22, REL, (12, 0, 0, 0), 0, 0, 100.0),
        wp(47.70, -52.95),
        MissionItem(20, 2, (0, 0, 0, 0)),
    )
    r = mission_route(Mission(home=HOME, items=base))
    assert [leg.kind for leg in r.legs] == ["takeoff", "leg", "rtl"]
    assert r.legs[-1].alt2_m == HOME.alt_m + MissionSettings().RTL_ALTITUDE
    assert r.end == "mission_complete"
    land = (
        MissionItem(189, 2, (0, 0, 0, 0)),
        wp(47.615, -52.93, 60.0),
        MissionItem(21, REL, (0, 0, 0, 0), 0.0, 0.0, 0.0),
    )
    r = mission_route(Mission(home=HOME, items=base + land))
    assert [leg.kind for leg in r.legs] == ["takeoff", "leg", "leg", "land"]
    assert r.legs[-1].lat2_deg == 47.615  # lat/lon 0/0: land "here"
    assert r.end == "landed"


def test_no_takeoff_item_and_set_home():
    items = (
        wp(47.70, -52.95),
        MissionItem(179, 0, (0, 0, 0, 0), 47.7, -52.9, 30.0),
        MissionItem(20, 2, (0, 0, 0, 0)),
    )
    r = mission_route(Mission(home=HOME, items=items))
    assert r.legs[0].kind == "takeoff" and r.legs[0].to_seq == 0
    assert r.legs[0].alt2_m == HOME.alt_m + MissionSettings().TKOFF_ALT
    assert r.legs[-1].kind == "rtl"
    assert (r.legs[-1].lat2_deg, r.legs[-1].lon2_deg) == (47.7, -52.9)  # the new home
    assert r.notes


def test_jump_forever_is_cut():
    items = (wp(47.70, -52.95), wp(47.72, -52.90), MissionItem(177, 2, (1, -1, 0, 0)))
    r = mission_route(Mission(home=HOME, items=items), max_legs=50)
    assert r.end == "loops_forever" and len(r.legs) == 50


def test_geojson_and_kml_export():
    items = (
        MissionItem(22, REL, (12, 0, 0, 0), 0, 0, 100.0),
        wp(47.70, -52.95),
        MissionItem(18, REL, (1, 0, 200.0, 0), 48.5, -50.0, 300.0),
        MissionItem(21, REL, (0, 0, 0, 0), HOME.lat_deg, HOME.lon_deg, 0.0),
    )
    route = mission_route(Mission(home=HOME, items=items))
    gj = to_geojson(route, spacing_m=5000.0)
    json.dumps(gj)  # serialisable
    assert gj["type"] == "FeatureCollection"
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    rings = [f for f in lines if f["properties"]["kind"] == "loiter_circle"]
    points = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    assert [p["properties"]["seq"] for p in points] == [0, 2, 3, 4]
    assert points[1]["properties"]["label"] == "2 NAV_WAYPOINT"
    assert points[1]["geometry"]["coordinates"][:2] == [-52.95, 47.70]  # lon first
    # the way to the loiter (ending on its circle) and the landing leg, along geodesics
    long_leg = next(f for f in lines if f["properties"]["kind"] == "loiter")
    coords = long_leg["geometry"]["coordinates"]
    leg = route.legs[2]
    assert len(coords) == math.ceil((leg.distance_m - 200.0) / 5000.0) + 1
    assert G.Inverse(48.5, -50.0, coords[-1][1], coords[-1][0])["s12"] == pytest.approx(200.0)
    worst = max(
        off_geodesic_m(leg.lat1_deg, leg.lon1_deg, leg.lat2_deg, leg.lon2_deg, c[1], c[0])
        for c in coords[1:]
    )
    assert worst < 1e-3
    land = next(f for f in lines if f["properties"]["kind"] == "land")
    assert len(land["geometry"]["coordinates"]) == math.ceil(route.legs[3].distance_m / 5000) + 1
    assert len(rings) == 1 and rings[0]["properties"]["radius_m"] == 200.0
    assert route.length_m == pytest.approx(sum(leg.distance_m for leg in route.legs))
    kml = to_kml(route, spacing_m=5000.0)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.fromstring(kml)
    marks = root.findall(".//k:Placemark", ns)
    assert len(marks) == len(route.legs) + 1 + len(route.waypoints)  # + the loiter circle
    first = root.find(".//k:Point/k:coordinates", ns).text.split(",")
    assert float(first[0]) == pytest.approx(HOME.lon_deg) and float(first[1]) == HOME.lat_deg


def test_geojson_cuts_at_the_antimeridian():
    home = Home(52.0, 178.0, 10.0)
    items = (MissionItem(22, REL, (12, 0, 0, 0), 0, 0, 100.0), wp(53.0, -175.0, 500.0))
    gj = to_geojson(mission_route(Mission(home=home, items=items)), spacing_m=20_000.0)
    geom = next(f["geometry"] for f in gj["features"] if f["properties"].get("to_seq") == 2)
    assert geom["type"] == "MultiLineString"
    west, east = geom["coordinates"]
    assert west[-1][0] == 180.0 and east[0][0] == -180.0
    assert west[-1][1] == pytest.approx(east[0][1])
    assert all(c[0] > 0 for c in west) and all(c[0] < 0 for c in east)
