"""planning.check against the geofence: the predicted route outside inclusion zones, inside
exclusion zones, above the ceiling or below the floor; distances checked against
geographiclib by brute force."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.fence import Fence, FenceCircle, FencePolygon
from longwing.planning.check import check_mission, fence_violations, polygon_boundary_distance_m

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
G = Geodesic.WGS84
AF = load_airframe("aerosonde")


def _unit(lat: float, lon: float) -> np.ndarray:
    la, lo = math.radians(lat), math.radians(lon)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def _arc_distance_m(a, b, lat: float, lon: float, f0: float, f1: float, n: int):
    """Least geographiclib distance to n + 1 points of the great-circle arc a-b between the
    fractions f0 and f1 (slerp), and the fraction where it is."""
    omega = math.acos(float(np.clip(a @ b, -1.0, 1.0)))
    f = np.linspace(f0, f1, n + 1)
    p = (np.sin((1 - f) * omega)[:, None] * a + np.sin(f * omega)[:, None] * b) / math.sin(omega)
    plat = np.degrees(np.arcsin(p[:, 2]))
    plon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    d = [G.Inverse(lat, lon, x, y)["s12"] for x, y in zip(plat, plon, strict=True)]
    j = int(np.argmin(d))
    return d[j], float(f[j])


def _polygon_distance_brute_m(vertices, lat: float, lon: float) -> float:
    """Distance to a polygon of great-circle edges (as mission.fence defines them): every
    edge sampled at 400 points, then 400 more around the nearest; the least geographiclib
    distance. Independent of planning.check."""
    best = math.inf
    n = len(vertices)
    for i in range(n):
        a, b = _unit(*vertices[i]), _unit(*vertices[(i + 1) % n])
        _, f = _arc_distance_m(a, b, lat, lon, 0.0, 1.0, 400)
        d, _ = _arc_distance_m(a, b, lat, lon, max(0.0, f - 0.0025), min(1.0, f + 0.0025), 400)
        best = min(best, d)
    return best


def test_a_leg_outside_the_inclusion_fence():
    """Item 7 of the short survey moved 7 km north: the legs to and from it leave the
    island's inclusion polygon; each is reported once, with its worst point, where the
    distance to the polygon is the geodesic one (checked by brute force)."""
    m = load_mission(EXAMPLES / "short_survey.plan")
    items = list(m.items)
    p = G.Direct(items[6].lat_deg, items[6].lon_deg, 0.0, 7000.0)
    items[6] = replace(items[6], lat_deg=round(p["lat2"], 7), lon_deg=round(p["lon2"], 7))
    d = check_mission(m.with_items(items), AF).summary()
    assert d["feasible"] is False
    fence = d["fence_violations"]
    assert [(v["leg"], v["from_seq"], v["to_seq"], v["rule"], v["zone"]) for v in fence] == [
        (5, 6, 7, "inclusion_polygon", 1), (6, 7, 8, "inclusion_polygon", 1)]  # fmt: skip
    verts = m.fence.polygons[0].vertices
    wp_out = _polygon_distance_brute_m(verts, items[6].lat_deg, items[6].lon_deg)
    for v in fence:
        # the reported distance is the worst point's geodesic distance to the polygon
        ref = _polygon_distance_brute_m(verts, v["lat_deg"], v["lon_deg"])
        assert v["by_m"] == pytest.approx(ref, abs=1.0)
        # the aircraft gets within the acceptance radius (60 m) of the waypoint and turns
        assert wp_out - 100.0 < v["by_m"] < wp_out + 300.0
    reasons = [r for r in d["reasons"] if r.startswith("fence:")]
    assert len(reasons) == 2
    first = fence[0]
    assert reasons[0] == (
        f"fence: leg 5 (leg, item 6 -> 7) leaves inclusion polygon 1 by "
        f"{first['by_m'] / 1000:.1f} km at {first['lat_deg']:.5f}, {first['lon_deg']:.5f}"
    )


class _Leg:
    """The parts of a LegPrediction the fence check reads."""

    def __init__(self, index, kind, from_seq, to_seq, lat, lon, alt):
        self.index, self.kind, self.from_seq, self.to_seq = index, kind, from_seq, to_seq
        self.lat_deg, self.lon_deg = np.asarray(lat, float), np.asarray(lon, float)
        self.alt_m = np.asarray(alt, float)
        self.distance_m = G.Inverse(lat[0], lon[0], lat[-1], lon[-1])["s12"]


def test_fence_ceiling_and_floor_on_predicted_legs():
    """Home at 60 m; ceiling 150 m and floor 50 m above home. The take-off (below the
    floor until it reaches it) and the landing are exempt from the floor; a leg that climbs
    to 550 m above home breaks the ceiling by 400 m, one that sinks to 30 m the floor."""
    fence = Fence(max_alt_above_home_m=150.0, min_alt_above_home_m=50.0)
    lat = [47.60, 47.61, 47.62]
    legs = [
        _Leg(0, "takeoff", 0, 1, lat, [-52.9] * 3, [60.0, 90.0, 140.0]),
        _Leg(1, "leg", 1, 2, lat, [-52.8] * 3, [140.0, 610.0, 200.0]),
        _Leg(2, "leg", 2, 3, lat, [-52.7] * 3, [200.0, 90.0, 150.0]),
        _Leg(3, "land", 3, 4, lat, [-52.6] * 3, [150.0, 80.0, 60.0]),
    ]
    v = fence_violations(legs, fence, 60.0)
    assert [(x.leg, x.rule) for x in v] == [(2, "ceiling"), (3, "floor")]
    assert v[0].by_m == pytest.approx(400.0) and v[0].alt_above_home_m == pytest.approx(550.0)
    assert v[0].text == ("leg 2 (leg, item 1 -> 2) climbs to 550 m above home, 400 m above "
                         "the fence ceiling of 150 m at 47.61000, -52.80000")  # fmt: skip
    assert v[1].by_m == pytest.approx(20.0)
    assert v[1].text.startswith("leg 3 (leg, item 2 -> 3) descends to 30 m above home, 20 m "
                                "below the fence floor of 50 m at 47.61")  # fmt: skip
    # a take-off that stays below the floor leaves it unarmed until the route reaches it
    low = [_Leg(0, "takeoff", 0, 1, lat, [-52.9] * 3, [60.0, 70.0, 80.0]),
           _Leg(1, "leg", 1, 2, lat, [-52.8] * 3, [80.0, 100.0, 140.0]),
           _Leg(2, "leg", 2, 3, lat, [-52.7] * 3, [140.0, 100.0, 140.0])]  # fmt: skip
    v = fence_violations(low, fence, 60.0)
    assert [(x.leg, x.rule) for x in v] == [(3, "floor")] and v[0].by_m == pytest.approx(10.0)
    assert fence_violations(low, Fence(), 60.0) == []


def test_polygon_boundary_distance_against_brute_force():
    poly = FencePolygon(((47.60, -52.98), (47.60, -52.90), (47.66, -52.90), (47.66, -52.98)))
    rng = np.random.default_rng(7)
    lat = 47.63 + rng.uniform(-0.15, 0.15, 12)
    lon = -52.94 + rng.uniform(-0.2, 0.2, 12)
    dist, n_lat, n_lon = polygon_boundary_distance_m(poly, lat, lon)
    for k in range(lat.size):
        ref = _polygon_distance_brute_m(poly.vertices, lat[k], lon[k])
        assert dist[k] == pytest.approx(ref, abs=0.5)
        assert G.Inverse(lat[k], lon[k], n_lat[k], n_lon[k])["s12"] == pytest.approx(dist[k])


def test_fence_circle_boundary_is_geodesic_to_the_metre():
    """A leg from the centre of a 5 km inclusion circle to 5,002 m out (geodesic) leaves it
    by 2 m; one to 4,998 m does not; an exclusion circle is entered by 5 km."""
    c_lat, c_lon = 47.6, -52.9
    for az in (0.0, 90.0, 225.0):
        far = G.Direct(c_lat, c_lon, az, 5002.0)
        near = G.Direct(c_lat, c_lon, az, 4998.0)
        out = _Leg(0, "leg", 1, 2, [c_lat, far["lat2"]], [c_lon, far["lon2"]], [100.0, 100.0])
        inn = _Leg(0, "leg", 1, 2, [c_lat, near["lat2"]], [c_lon, near["lon2"]], [100.0, 100.0])
        fence = Fence(circles=(FenceCircle(c_lat, c_lon, 5000.0),))
        (v,) = fence_violations([out], fence, 0.0)
        assert v.rule == "inclusion_circle" and v.by_m == pytest.approx(2.0, abs=1e-3)
        assert v.text.endswith(f"leaves inclusion circle 1 by 2 m at {far['lat2']:.5f}, "
                               f"{far['lon2']:.5f}")  # fmt: skip
        assert fence_violations([inn], fence, 0.0) == []
        keep_out = Fence(circles=(FenceCircle(c_lat, c_lon, 5000.0, inclusion=False),))
        (v,) = fence_violations([inn], keep_out, 0.0)
        assert v.rule == "exclusion_circle" and v.by_m == pytest.approx(5000.0, abs=1e-6)
