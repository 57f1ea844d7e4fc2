"""Survey planning: camera geometry, area readers, the tangent plane, line layout, coverage,
turns, terrain following, mission items and the .plan round trip."""

from __future__ import annotations

import json
import math
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from longwing.mission import MavCmd, MavFrame, load_plan, save_plan
from longwing.planning.area import (
    AreaError,
    LocalProjection,
    SurveyArea,
    load_area,
    parse_geojson,
    parse_kml,
)
from longwing.planning.camera import DEFAULT_MIN_INTERVAL_S, Camera, parse_camera
from longwing.planning.survey import (
    SurveyError,
    SurveyPlan,
    ground_turn_radius_m,
    line_order,
    plan_survey,
    turn_length_m,
)

GEOD = Geodesic.WGS84
RX100 = Camera(13.2, 8.8, 10.4, 5472, 3648)
SITE = (47.60, -52.90)  # near Bell Island, Newfoundland
HOME = (47.57, -52.93, 60.0)


# --- helpers --------------------------------------------------------------------------------


def offset(lat: float, lon: float, az_deg: float, dist_m: float) -> tuple[float, float]:
    r = GEOD.Direct(lat, lon, az_deg, dist_m)
    return r["lat2"], r["lon2"]


def dist_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return GEOD.Inverse(lat1, lon1, lat2, lon2)["s12"]


def local_polygon(
    centre: tuple[float, float], pts_m: list[tuple[float, float]], rot_deg: float = 0.0
) -> SurveyArea:
    """A polygon from (x along rot_deg, y to its right) metre offsets around ``centre``."""
    out = []
    for xa, ya in pts_m:
        az = rot_deg + math.degrees(math.atan2(ya, xa))
        out.append(offset(centre[0], centre[1], az, math.hypot(xa, ya)))
    return SurveyArea.from_points(out)


def rectangle(length_m: float, width_m: float, rot_deg: float = 0.0, centre=SITE) -> SurveyArea:
    hl, hw = length_m / 2, width_m / 2
    return local_polygon(centre, [(-hl, -hw), (hl, -hw), (hl, hw), (-hl, hw)], rot_deg)


def inside(px: np.ndarray, py: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon for many points."""
    res = np.zeros(px.shape, dtype=bool)
    n = len(x)
    for i in range(n):
        x1, y1, x2, y2 = x[i], y[i], x[(i + 1) % n], y[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        res ^= crosses & (px < xc)
    return res


def dist_to_polygon(px: float, py: float, x: np.ndarray, y: np.ndarray) -> float:
    """Distance from a point to the polygon's boundary."""
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    dx, dy = x2 - x, y2 - y
    t = np.clip(((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy), 0, 1)
    return float(np.min(np.hypot(x + t * dx - px, y + t * dy - py)))


def random_points_inside(area: SurveyArea, proj: LocalProjection, n: int, seed: int = 1):
    x, y = area.local_m(proj)
    rng = np.random.default_rng(seed)
    px = rng.uniform(x.min(), x.max(), 4 * n)
    py = rng.uniform(y.min(), y.max(), 4 * n)
    keep = inside(px, py, x, y)
    return px[keep][:n], py[keep][:n]


def coverage(plan: SurveyPlan, px: np.ndarray, py: np.ndarray) -> tuple[float, np.ndarray]:
    """Fraction of points inside some photo's footprint (rectangle aligned with the lines),
    and each point's distance to the nearest camera section."""
    proj = plan.projection
    tlat, tlon = plan.trigger_points_deg()
    tx, ty = proj.to_local(tlat, tlon)
    th = math.radians(plan.heading_deg)
    du_dir = np.array([math.sin(th), math.cos(th)])
    dv_dir = np.array([math.cos(th), -math.sin(th)])
    half_along = plan.footprint_along_m / 2 + 1e-6
    half_across = plan.footprint_across_m / 2 + 1e-6
    covered = np.zeros(px.shape, dtype=bool)
    for k in range(0, len(px), 500):
        ex = px[k : k + 500, None] - tx[None, :]
        ey = py[k : k + 500, None] - ty[None, :]
        du = np.abs(ex * du_dir[0] + ey * du_dir[1])
        dv = np.abs(ex * dv_dir[0] + ey * dv_dir[1])
        covered[k : k + 500] = np.any((du <= half_along) & (dv <= half_across), axis=1)
    # distance to the nearest camera section
    segs = [iv for ln in plan.lines for iv in ln.camera_intervals]
    ax, ay = proj.to_local([s[0] for s in segs], [s[1] for s in segs])
    bx, by = proj.to_local([s[2] for s in segs], [s[3] for s in segs])
    dx, dy = bx - ax, by - ay
    t = np.clip(((px[:, None] - ax) * dx + (py[:, None] - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    d = np.hypot(ax + t * dx - px[:, None], ay + t * dy - py[:, None]).min(axis=1)
    return float(np.mean(covered)), d


def cross_track_m(a: tuple[float, float], b: tuple[float, float], p: tuple[float, float]) -> float:
    """Distance of p from the geodesic line through a and b (short distances)."""
    ab = GEOD.Inverse(a[0], a[1], b[0], b[1])
    ap = GEOD.Inverse(a[0], a[1], p[0], p[1])
    return ap["s12"] * math.sin(math.radians(ap["azi1"] - ab["azi1"]))


def turn_points(plan: SurveyPlan) -> list[tuple[float, float]]:
    pts = []
    for ln in plan.lines:
        pts.append((ln.lead_in_lat_deg, ln.lead_in_lon_deg))
        pts.append((ln.lead_out_lat_deg, ln.lead_out_lon_deg))
    return pts


# --- camera ---------------------------------------------------------------------------------


def test_gsd_of_a_one_inch_camera_at_100_m():
    # 13.2 mm * 100 m / (10.4 mm * 5472 px) = 2.3195 cm/px (width); height 8.8*100/(10.4*3648)
    assert RX100.gsd_axes_m(100.0) == pytest.approx((0.0231950, 0.0231950), rel=1e-5)
    assert RX100.gsd_m(100.0) == pytest.approx(0.023195, rel=1e-4)
    assert RX100.alt_for_gsd_m(0.023195) == pytest.approx(100.0, rel=1e-4)
    assert RX100.gsd_m(200.0) == pytest.approx(2 * RX100.gsd_m(100.0))
    # non-square pixels: the worse axis counts (height axis 2x coarser here)
    cam = Camera(13.2, 8.8, 10.4, 5472, 1824)
    assert cam.gsd_m(100.0) == pytest.approx(8.8 * 100 / (10.4 * 1824))
    assert cam.gsd_m(cam.alt_for_gsd_m(0.05)) == pytest.approx(0.05)


def test_footprint_landscape_portrait_spacing_and_trigger():
    across, along = RX100.footprint_m(100.0)
    assert across == pytest.approx(13.2 * 100 / 10.4)  # long side across the track
    assert along == pytest.approx(8.8 * 100 / 10.4)
    assert RX100.footprint_m(100.0, portrait=True) == pytest.approx((along, across))
    # a sensor described portrait-wise still puts its long side across in landscape
    assert Camera(8.8, 13.2, 10.4, 3648, 5472).footprint_m(100.0) == pytest.approx((across, along))
    assert RX100.line_spacing_m(100.0, 0.6) == pytest.approx(across * 0.4)
    assert RX100.trigger_distance_m(100.0, 0.7) == pytest.approx(along * 0.3)
    assert RX100.line_spacing_m(100.0, 0.6, portrait=True) == pytest.approx(along * 0.4)
    assert RX100.trigger_distance_m(100.0, 0.8, portrait=True) == pytest.approx(across * 0.2)


def test_camera_validation_and_parsing():
    assert parse_camera("13.2, 8.8,10.4,5472,3648") == RX100
    for bad, field in [
        ((0.0, 8.8, 10.4, 5472, 3648), "sensor_w_mm"),
        ((13.2, -1, 10.4, 5472, 3648), "sensor_h_mm"),
        ((13.2, 8.8, float("nan"), 5472, 3648), "focal_mm"),
        ((13.2, 8.8, 10.4, 5472.5, 3648), "px_w"),
        ((13.2, 8.8, 10.4, 5472, 0), "px_h"),
    ]:
        with pytest.raises(ValueError, match=field):
            Camera(*bad)
    with pytest.raises(ValueError, match="5 or 6 numbers, got 3"):
        parse_camera("13.2,8.8,10.4")
    with pytest.raises(ValueError, match="5 or 6 numbers, got 7"):
        parse_camera("13.2,8.8,10.4,5472,3648,1,1")
    # the sixth number: the camera's shortest interval between photos (default 1 s)
    assert RX100.min_interval_s == DEFAULT_MIN_INTERVAL_S == 1.0
    assert parse_camera("13.2,8.8,10.4,5472,3648,2.5").min_interval_s == 2.5
    with pytest.raises(ValueError, match="min_interval_s 0.0 must be > 0"):
        parse_camera("13.2,8.8,10.4,5472,3648,0")
    with pytest.raises(ValueError, match="focal_mm 'x'"):
        parse_camera("13.2,8.8,x,5472,3648")
    with pytest.raises(ValueError, match="side_overlap"):
        RX100.line_spacing_m(100.0, 60)  # a percentage, not a fraction


# --- tangent plane --------------------------------------------------------------------------


def test_local_projection_round_trip_and_distortion_over_50_km():
    proj = LocalProjection(*SITE)
    rng = np.random.default_rng(3)
    lat = SITE[0] + rng.uniform(-0.25, 0.25, 200)
    lon = SITE[1] + rng.uniform(-0.35, 0.35, 200)
    e, n = proj.to_local(lat, lon)
    lat2, lon2 = proj.to_geodetic(e, n)
    assert np.max(np.abs(lat2 - lat)) < 1e-11
    assert np.max(np.abs(lon2 - lon)) < 1e-11
    # 25 km from the centre each way: plane distances vs geodesics
    for az in (0.0, 45.0, 90.0, 135.0):
        a = offset(*SITE, az, 25_000.0)
        b = offset(*SITE, az + 180.0, 25_000.0)
        ea, na = proj.to_local(*a)
        eb, nb = proj.to_local(*b)
        assert math.hypot(eb - ea, nb - na) == pytest.approx(50_000.0, abs=0.5)
        # two points 50 m apart at the edge: error far below any line spacing
        c = offset(*a, az + 90.0, 50.0)
        ec, nc = proj.to_local(*c)
        assert math.hypot(ec - ea, nc - na) == pytest.approx(50.0, abs=1e-3)
    # across the antimeridian
    proj = LocalProjection(-16.5, 180.0)
    e, n = proj.to_local([-16.5, -16.5], [179.9, -179.9])
    assert e[1] - e[0] == pytest.approx(GEOD.Inverse(-16.5, 179.9, -16.5, -179.9)["s12"], rel=1e-5)


# --- line order and turn length -------------------------------------------------------------


def test_line_order_keeps_every_turn_at_least_skip_lines():
    for skip in range(1, 9):
        for n in range(1, 90):
            order = line_order(n, skip)
            assert sorted(order) == list(range(n))
            steps = [abs(a - b) for a, b in zip(order, order[1:], strict=False)]
            if not steps:
                continue
            if skip == 1:
                assert steps == [1] * (n - 1)
            elif n >= 2 * skip:
                assert min(steps) >= skip, (n, skip, order)
            else:
                assert min(steps) == n // 2  # the best possible with so few lines
            if n >= 10 * skip:  # short turns: near the minimum
                assert np.mean(steps) <= 1.5 * skip
            if n >= skip * (2 * skip + 1):
                assert np.mean(steps) <= skip + 1.5


def test_ground_turn_radius():
    # 22 m/s at 45 deg bank: 49.4 m; with 8 m/s of wind downwind: 30^2 / g = 91.8 m
    assert ground_turn_radius_m(22.0, 45.0) == pytest.approx(22.0**2 / 9.80665)
    assert ground_turn_radius_m(22.0, 45.0, 8.0) == pytest.approx(91.77, abs=0.01)
    with pytest.raises(SurveyError, match="bank_deg"):
        ground_turn_radius_m(22.0, 0.0)


def test_turn_length():
    r = 100.0
    assert turn_length_m(200.0, r) == pytest.approx(math.pi * r)
    assert turn_length_m(500.0, r) == pytest.approx(math.pi * r + 300.0)
    assert turn_length_m(0.0, r) == pytest.approx(7 * math.pi * r / 3)
    assert turn_length_m(199.999, r) == pytest.approx(math.pi * r, rel=1e-2)  # continuous


# --- rectangle: count, spacing, turns, coverage ---------------------------------------------


@pytest.fixture(scope="module")
def rect_plan() -> tuple[SurveyArea, SurveyPlan]:
    area = rectangle(2400.0, 1530.0, rot_deg=23.0)
    plan = plan_survey(
        area,
        RX100,
        alt_m=100.0,
        turn_radius_m=60.0,
        home=HOME,
        cruise_airspeed_mps=20.0,
    )
    return area, plan


def test_rectangle_line_count_spacing_and_heading(rect_plan):
    area, plan = rect_plan
    spacing = RX100.line_spacing_m(100.0, 0.6)
    assert plan.line_spacing_m == pytest.approx(spacing)
    assert plan.trigger_distance_m == pytest.approx(RX100.trigger_distance_m(100.0, 0.7))
    # lines along the long side; ceil(width / spacing) lines (1530 / 50.77 = 30.1 -> 31)
    assert plan.heading_deg == pytest.approx(23.0, abs=0.05)
    assert plan.line_count == math.ceil(1530.0 / spacing) == 31
    # spacing 50.8 m < the 120 m turn diameter: lines are skipped, no turn is tight
    assert plan.line_skip == math.ceil(120.0 / spacing) == 3
    assert plan.tight_turns == 0


def test_rectangle_lines_spaced_evenly_on_the_ground(rect_plan):
    _, plan = rect_plan
    by_index = sorted(plan.lines, key=lambda ln: ln.index)
    assert [ln.index for ln in by_index] == list(range(plan.line_count))
    for a, b in zip(by_index, by_index[1:], strict=False):
        mid = (
            0.5 * (a.start_lat_deg + a.end_lat_deg),
            0.5 * (a.start_lon_deg + a.end_lon_deg),
        )
        d = abs(
            cross_track_m((b.start_lat_deg, b.start_lon_deg), (b.end_lat_deg, b.end_lon_deg), mid)
        )
        assert d == pytest.approx(plan.line_spacing_m, rel=0.005)
    # boustrophedon: consecutive passes alternate direction
    assert all(p.reverse != q.reverse for p, q in zip(plan.lines, plan.lines[1:], strict=False))


def test_rectangle_full_coverage(rect_plan):
    area, plan = rect_plan
    px, py = random_points_inside(area, plan.projection, 3000)
    frac, d = coverage(plan, px, py)
    assert frac >= 0.999
    assert np.max(d) <= plan.line_spacing_m / 2 + 0.05


def test_turns_are_outside_the_polygon(rect_plan):
    area, plan = rect_plan
    proj = plan.projection
    x, y = area.local_m(proj)
    margin = min(plan.lead_in_m, plan.line_spacing_m)
    for lat, lon in turn_points(plan):
        e, n = proj.to_local(lat, lon)
        assert not inside(np.array([e]), np.array([n]), x, y)[0]
        assert dist_to_polygon(float(e), float(n), x, y) >= margin - 0.05
    # camera on/off points are inside the turn points: each line is straight in order
    for ln in plan.lines:
        pts = [
            (ln.lead_in_lat_deg, ln.lead_in_lon_deg),
            (ln.start_lat_deg, ln.start_lon_deg),
            (ln.end_lat_deg, ln.end_lon_deg),
            (ln.lead_out_lat_deg, ln.lead_out_lon_deg),
        ]
        e, n = proj.to_local([p[0] for p in pts], [p[1] for p in pts])
        s = np.hypot(e - e[0], n - n[0])
        assert np.all(np.diff(s) > 0)
        assert s[1] >= plan.lead_in_m - 0.05  # straight lead-in of at least the turn radius


@pytest.mark.parametrize("rot", [0.0, 37.0, 91.0, 123.0, 171.0])
def test_orientation_follows_the_long_axis(rot):
    area = rectangle(6000.0, 700.0, rot_deg=rot)
    plan = plan_survey(area, RX100, alt_m=120.0, turn_radius_m=80.0)
    diff = (plan.heading_deg - rot + 90.0) % 180.0 - 90.0
    assert abs(diff) < 0.05
    spacing = RX100.line_spacing_m(120.0, 0.6)
    assert plan.line_count == math.ceil(700.0 / spacing)


def test_wind_and_explicit_heading():
    area = rectangle(3000.0, 1000.0, rot_deg=10.0)
    p = plan_survey(area, RX100, alt_m=120.0, turn_radius_m=80.0, wind_from_deg=250.0)
    assert p.heading_deg == pytest.approx(70.0)
    p = plan_survey(
        area, RX100, alt_m=120.0, turn_radius_m=80.0, heading_deg=100.0, wind_from_deg=250.0
    )
    assert p.heading_deg == pytest.approx(100.0)


def test_tight_spacing_skips_lines_so_every_turn_is_wide_enough():
    area = rectangle(2000.0, 1500.0)
    plan = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=90.0, home=HOME)
    spacing = plan.line_spacing_m
    assert spacing < 2 * 90.0
    assert plan.line_skip == math.ceil(180.0 / spacing) == 4
    assert plan.tight_turns == 0
    for a, b in zip(plan.lines, plan.lines[1:], strict=False):
        gap = abs(
            cross_track_m(
                (b.start_lat_deg, b.start_lon_deg),
                (b.end_lat_deg, b.end_lon_deg),
                (a.end_lat_deg, a.end_lon_deg),
            )
        )
        assert gap >= 2 * 90.0 - 0.5
        # the turn joins the ends on one side: lead-out of a and lead-in of b are level
        ab = dist_m(a.lead_out_lat_deg, a.lead_out_lon_deg, b.lead_in_lat_deg, b.lead_in_lon_deg)
        assert ab == pytest.approx(gap, rel=0.01)
    # every line flown once, and coverage is still complete
    assert sorted(ln.index for ln in plan.lines) == list(range(plan.line_count))
    px, py = random_points_inside(area, plan.projection, 1500, seed=5)
    assert coverage(plan, px, py)[0] >= 0.999


def test_too_few_lines_for_skipping_reports_tight_turns():
    area = rectangle(1500.0, 130.0)  # 3 lines of 50.8 m spacing, turn diameter 300 m
    plan = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=150.0)
    assert plan.line_count == 3
    assert plan.tight_turns == 2
    # tight turns get a lead of three turn radii for the loop
    for ln in plan.lines:
        a = dist_m(ln.lead_in_lat_deg, ln.lead_in_lon_deg, ln.start_lat_deg, ln.start_lon_deg)
        assert a >= 450.0 - 0.1


# --- concave polygon ------------------------------------------------------------------------


def test_l_shaped_polygon_coverage_and_camera_gaps():
    pts = [(0, 0), (2000, 0), (2000, 600), (600, 600), (600, 2000), (0, 2000)]
    area = local_polygon(SITE, [(float(a), float(b)) for a, b in pts])
    plan = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, heading_deg=135.0)
    px, py = random_points_inside(area, plan.projection, 3000, seed=7)
    frac, d = coverage(plan, px, py)
    assert frac >= 0.999
    assert np.max(d) <= plan.line_spacing_m / 2 + 0.05
    # lines crossing the notch switch the camera off over it
    assert any(len(ln.camera_intervals) >= 2 for ln in plan.lines)
    proj = plan.projection
    x, y = area.local_m(proj)
    tx, ty = proj.to_local(*plan.trigger_points_deg())
    reach = math.hypot(plan.footprint_across_m, plan.footprint_along_m) / 2
    outside = ~inside(tx, ty, x, y)
    far = [
        dist_to_polygon(float(a), float(b), x, y)
        for a, b in zip(tx[outside], ty[outside], strict=True)
    ]
    assert max(far) <= reach + plan.trigger_distance_m  # no photos deep in the notch
    # the turn points are still outside the polygon
    for lat, lon in turn_points(plan):
        e, n = proj.to_local(lat, lon)
        assert not inside(np.array([e]), np.array([n]), x, y)[0]
    # automatic heading on the L also covers it
    auto = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0)
    assert coverage(auto, px, py)[0] >= 0.999


# --- terrain following ----------------------------------------------------------------------


def _legs_agl(plan: SurveyPlan, terrain, camera_only: bool) -> np.ndarray:
    """Height above terrain along every straight leg between waypoints (linear altitude
    interpolation), optionally only the legs flown with the camera on."""
    errs = []
    prev = None
    cam_on = False
    for it in plan.items:
        if it.command == MavCmd.DO_SET_CAM_TRIGG_DIST:
            cam_on = it.trigger_distance_m > 0
            continue
        if it.command != MavCmd.NAV_WAYPOINT:
            prev = None
            continue
        if prev is not None and (cam_on or not camera_only):
            f = np.linspace(0.0, 1.0, 25)
            lat = prev.lat_deg + f * (it.lat_deg - prev.lat_deg)
            lon = prev.lon_deg + f * (it.lon_deg - prev.lon_deg)
            alt = prev.alt_m + f * (it.alt_m - prev.alt_m)
            errs.append(alt - np.array([terrain(a, b) for a, b in zip(lat, lon, strict=True)]))
        prev = it
    return np.concatenate(errs)


def test_terrain_following_on_a_slope():
    def slope(lat: float, lon: float) -> float:  # 6 % up to the north-east, scalar only
        n = (lat - SITE[0]) * 111_000.0
        e = (lon - SITE[1]) * 111_000.0 * math.cos(math.radians(SITE[0]))
        return 250.0 + 0.06 * (0.6 * e + 0.8 * n)

    area = rectangle(3000.0, 1200.0, rot_deg=15.0)
    plan = plan_survey(area, RX100, alt_m=110.0, turn_radius_m=70.0, terrain=slope, home=HOME[:2])
    assert plan.altitude_frame == MavFrame.GLOBAL
    assert plan.home.alt_m == pytest.approx(slope(*HOME[:2]))
    wps = [it for it in plan.items if it.command == MavCmd.NAV_WAYPOINT]
    assert all(it.frame == MavFrame.GLOBAL for it in wps)
    agl = _legs_agl(plan, slope, camera_only=True)
    assert np.max(np.abs(agl - 110.0)) < 0.5
    # the slope is planar: no waypoints added except for the 1 km leg cap
    cap = sum(4 + math.ceil(ln.length_m / 1000.0) for ln in plan.lines) + 1
    assert 4 * plan.line_count + 1 < len(wps) <= cap
    assert _legs_agl(plan, slope, camera_only=False).min() > 110.0 - 0.5


def test_terrain_following_on_hills():
    def hills(lat, lon):  # vectorised: called with arrays
        n = (np.asarray(lat) - SITE[0]) * 111_000.0
        e = (np.asarray(lon) - SITE[1]) * 75_000.0
        return 300.0 + 40.0 * np.sin(2 * np.pi * n / 1500.0) * np.cos(2 * np.pi * e / 2200.0)

    area = rectangle(3000.0, 1000.0, rot_deg=0.0)
    plan = plan_survey(
        area,
        RX100,
        alt_m=100.0,
        turn_radius_m=60.0,
        terrain=hills,
        terrain_tolerance_m=2.0,
        home=HOME,
    )
    agl = _legs_agl(plan, lambda a, b: float(hills(a, b)), camera_only=True)
    assert np.max(np.abs(agl - 100.0)) < 2.0 + 0.3
    assert _legs_agl(plan, lambda a, b: float(hills(a, b)), camera_only=False).min() > 97.5
    # more waypoints than a flat plan: the profile is followed
    flat = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, home=HOME)
    assert len(plan.items) > 2 * len(flat.items)
    # the terrain-frame alternative leaves the following to the autopilot
    tf = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, terrain_frame=True)
    wps = [it for it in tf.items if it.command == MavCmd.NAV_WAYPOINT]
    assert all(it.frame == MavFrame.GLOBAL_TERRAIN_ALT and it.alt_m == 100.0 for it in wps)


def test_terrain_without_data_is_an_error():
    area = rectangle(1000.0, 500.0)
    with pytest.raises(SurveyError, match="no terrain data at latitude"):
        plan_survey(
            area,
            RX100,
            alt_m=100.0,
            turn_radius_m=60.0,
            terrain=lambda lat, lon: math.nan if lon > SITE[1] else 10.0,
        )


# --- mission items and the .plan file -------------------------------------------------------


def test_items_structure(rect_plan):
    _, plan = rect_plan
    items = plan.items
    assert items[0].command == MavCmd.NAV_TAKEOFF
    assert items[0].lat_deg == HOME[0] and items[0].alt_m == pytest.approx(50.0)
    assert items[1].command == MavCmd.DO_CHANGE_SPEED and items[1].speed_mps == 20.0
    # climb to survey height over home before leaving
    assert items[2].command == MavCmd.NAV_LOITER_TO_ALT
    assert (items[2].lat_deg, items[2].lon_deg, items[2].alt_m) == (HOME[0], HOME[1], 100.0)
    assert items[2].radius_m == 60.0
    assert items[-1].command == MavCmd.NAV_RETURN_TO_LAUNCH
    cams = [i for i, it in enumerate(items) if it.command == MavCmd.DO_SET_CAM_TRIGG_DIST]
    assert len(cams) == 2 * plan.line_count
    for k, i in enumerate(cams):
        assert items[i - 1].command == MavCmd.NAV_WAYPOINT  # at the line start / end
        want = plan.trigger_distance_m if k % 2 == 0 else 0.0
        assert items[i].trigger_distance_m == pytest.approx(want)
    for k in range(0, len(cams), 2):  # start and end are the line's camera points
        ln = plan.lines[k // 2]
        on, off = items[cams[k] - 1], items[cams[k + 1] - 1]
        assert (on.lat_deg, on.lon_deg) == (ln.start_lat_deg, ln.start_lon_deg)
        assert (off.lat_deg, off.lon_deg) == (ln.end_lat_deg, ln.end_lon_deg)
    wps = [it for it in items if it.command == MavCmd.NAV_WAYPOINT]
    assert len(wps) == 4 * plan.line_count + 1  # + the first pass's approach waypoint
    assert all(it.frame == MavFrame.GLOBAL_RELATIVE_ALT and it.alt_m == 100.0 for it in wps)
    # predictions
    assert plan.photo_count == len(plan.trigger_points_deg()[0])
    assert plan.predicted_time_s == pytest.approx(plan.flight_length_m / 20.0)
    assert plan.flight_length_m > plan.survey_length_m > 0.0
    assert plan.area_m2 == pytest.approx(2400.0 * 1530.0, rel=1e-4)
    # the mission's polyline differs from the flight length only by turns vs. their chords
    pairs = list(zip(plan.lines, plan.lines[1:], strict=False))
    gaps = [abs(a.index - b.index) * plan.line_spacing_m for a, b in pairs]
    turns = sum(turn_length_m(g, 60.0) for g in gaps)
    assert plan.mission.route_length_m() == pytest.approx(
        plan.flight_length_m - turns + sum(gaps), rel=1e-4
    )


def test_plan_file_round_trip(tmp_path, rect_plan):
    _, plan = rect_plan
    path = tmp_path / "survey.plan"
    save_plan(plan.mission, path)
    back = load_plan(path)
    assert back.items == plan.mission.items
    assert back.home == plan.mission.home
    assert back.cruise_speed_mps == 20.0
    doc = json.loads(path.read_text())
    assert doc["mission"]["items"][0]["command"] == MavCmd.NAV_TAKEOFF


def test_landing_finish_and_no_home():
    area = rectangle(1500.0, 600.0)
    plan = plan_survey(
        area,
        RX100,
        alt_m=100.0,
        turn_radius_m=60.0,
        home=HOME,
        finish="land",
        land_heading_deg=60.0,
    )
    tail = plan.items[-3:]
    assert [it.command for it in tail] == [
        MavCmd.DO_LAND_START,
        MavCmd.NAV_WAYPOINT,
        MavCmd.NAV_LAND,
    ]
    inv = GEOD.Inverse(tail[1].lat_deg, tail[1].lon_deg, HOME[0], HOME[1])
    assert inv["s12"] == pytest.approx(1500.0, abs=0.5)
    assert inv["azi2"] == pytest.approx(60.0, abs=0.01)
    assert plan.mission.land_sequence_start() == len(plan.items) - 2
    # without home: no take-off, no Mission until a home is given
    bare = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0)
    assert bare.mission is None and bare.items[0].command == MavCmd.NAV_WAYPOINT
    assert bare.to_mission(plan.home).home == plan.home
    with pytest.raises(SurveyError, match="no home"):
        bare.to_mission()
    with pytest.raises(SurveyError, match="needs a home"):
        plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, finish="land")


def test_bad_settings():
    area = rectangle(1000.0, 500.0)
    with pytest.raises(SurveyError, match="exactly one of gsd_m and alt_m"):
        plan_survey(area, RX100, turn_radius_m=60.0)
    with pytest.raises(SurveyError, match="exactly one of gsd_m and alt_m"):
        plan_survey(area, RX100, gsd_m=0.02, alt_m=100.0, turn_radius_m=60.0)
    with pytest.raises(SurveyError, match="turn_radius_m"):
        plan_survey(area, RX100, alt_m=100.0, turn_radius_m=0.0)
    with pytest.raises(SurveyError, match="front_overlap"):
        plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, front_overlap=1.0)
    with pytest.raises(SurveyError, match="finish"):
        plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, finish="crash")
    p = plan_survey(area, RX100, gsd_m=0.03, turn_radius_m=60.0)
    assert p.gsd_m == pytest.approx(0.03)
    assert p.alt_m == pytest.approx(RX100.alt_for_gsd_m(0.03))


def test_100_km2_plans_in_under_a_second():
    area = rectangle(10_000.0, 10_000.0, rot_deg=12.0)
    t0 = time.perf_counter()
    plan = plan_survey(
        area, RX100, gsd_m=0.03, turn_radius_m=150.0, home=HOME, cruise_airspeed_mps=22.0
    )
    elapsed = time.perf_counter() - t0
    assert plan.area_m2 == pytest.approx(1e8, rel=1e-3)
    assert plan.line_count == math.ceil(10_000.0 / plan.line_spacing_m)
    assert elapsed < 1.0, f"{elapsed:.2f} s"


# --- area files -----------------------------------------------------------------------------

SQUARE = [[-52.90, 47.60], [-52.88, 47.60], [-52.88, 47.61], [-52.90, 47.61], [-52.90, 47.60]]
HOLE = [[-52.895, 47.603], [-52.885, 47.603], [-52.885, 47.607], [-52.895, 47.603]]


def _write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _kml(coords: str, extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Field 7</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing>
</outerBoundaryIs>{extra}</Polygon></Placemark></Document></kml>"""


def test_geojson_variants(tmp_path):
    poly = {"type": "Polygon", "coordinates": [SQUARE]}
    variants = [
        poly,
        {"type": "MultiPolygon", "coordinates": [[SQUARE]]},
        {"type": "Feature", "properties": {"name": "Field 7"}, "geometry": poly},
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "Point", "coordinates": [0, 0]},
                },
                {"type": "Feature", "properties": {"name": "Field 7"}, "geometry": poly},
            ],
        },
    ]
    for k, doc in enumerate(variants):
        area = load_area(_write(tmp_path, f"a{k}.geojson", doc))
        assert area.vertex_count == 4  # closing vertex dropped
        assert area.lat_deg[0] == 47.60 and area.lon_deg[0] == -52.90  # [lon, lat] order
        assert area.area_m2() == pytest.approx(0.02 * 75_100 * 0.01 * 111_180, rel=0.01)
    assert load_area(_write(tmp_path, "n.json", variants[2])).name == "Field 7"
    # holes: refused unless ignored
    holed = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    with pytest.raises(AreaError, match=r"holed\.geojson: the polygon has 1 hole"):
        load_area(_write(tmp_path, "holed.geojson", holed))
    area = load_area(tmp_path / "holed.geojson", ignore_holes=True)
    assert area.vertex_count == 4


def test_kml_and_kmz(tmp_path):
    coords = " ".join(f"{lon},{lat},0" for lon, lat in SQUARE)
    area = load_area(_write(tmp_path, "f.kml", _kml(coords)))
    assert area.vertex_count == 4 and area.name == "Field 7"
    assert area.lat_deg[1] == 47.60 and area.lon_deg[1] == -52.88
    kmz = tmp_path / "f.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", _kml(coords))
    assert load_area(kmz) == area
    hole = (
        "<innerBoundaryIs><LinearRing><coordinates>-52.89,47.605 -52.885,47.605 "
        "-52.885,47.607</coordinates></LinearRing></innerBoundaryIs>"
    )
    with pytest.raises(AreaError, match="1 hole"):
        load_area(_write(tmp_path, "h.kml", _kml(coords, hole)))
    assert load_area(tmp_path / "h.kml", ignore_holes=True) == area
    # sniffed by content with another extension
    assert load_area(_write(tmp_path, "f.txt", _kml(coords))) == area


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.geojson", "", "the file is empty"),
        ("bad.geojson", '{"type": "Polygon", ', "invalid JSON at line 1"),
        ("line.geojson", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
         "LineString is not a polygon"),
        ("two.geojson", {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
         "2 polygons"),
        ("few.geojson", {"type": "Polygon", "coordinates": [SQUARE[:2] + SQUARE[:1]]},
         "2 distinct vertices; at least 3"),
        ("bowtie.geojson", {"type": "Polygon", "coordinates": [[[-52.9, 47.6], [-52.88, 47.61],
         [-52.88, 47.6], [-52.9, 47.61]]]}, "edges 1 and 3 cross"),
        ("lat.geojson", {"type": "Polygon", "coordinates": [[[0, 95], [1, 0], [0, 1]]]},
         "vertex 1: latitude 95.0 is outside"),
        ("str.geojson", {"type": "Polygon", "coordinates": [[["a", 1], [1, 0], [0, 1]]]},
         "must hold numbers"),
        ("flat.geojson", {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [0, 2]]]},
         "no area"),
        ("empty.kml", "  \n", "the file is empty"),
        ("bad.kml", "<kml><Polygon></kml>", "invalid XML at line 1"),
        ("point.kml", "<kml><Placemark><Point><coordinates>1,2</coordinates></Point>"
         "</Placemark></kml>", "no <Polygon> in the KML \\(found Point\\)"),
        ("coord.kml", _kml("1,2 x,y 3,4"), "coordinate 2 'x,y' is not lon,lat"),
        ("ring.kml", "<kml><Polygon/></kml>", "has no <outerBoundaryIs>"),
        ("dtd.kml", '<!DOCTYPE kml [<!ENTITY a "b">]><kml/>', "DTD"),
        ("missing.geojson", None, "cannot read the file"),
        ("bin.geojson", b"\xff\xfe\x00\x01", "not a text file"),
    ],
)  # fmt: skip
def test_area_file_errors(tmp_path, name, content, message):
    path = tmp_path / name if content is None else _write(tmp_path, name, content)
    with pytest.raises(AreaError, match=message) as info:
        load_area(path)
    text = str(info.value)
    assert text.startswith(str(path) + ": ")
    assert "\n" not in text


def test_parse_functions_and_large_area():
    doc = json.dumps({"type": "Polygon", "coordinates": [SQUARE]})
    assert parse_geojson(doc).vertex_count == 4
    coords = " ".join(f"{lon},{lat}" for lon, lat in SQUARE)
    assert parse_kml(_kml(coords), "x.kml").vertex_count == 4
    with pytest.raises(AreaError, match="at most 250 km"):
        SurveyArea.from_points([(40.0, 0.0), (40.0, 8.0), (44.0, 4.0)])
