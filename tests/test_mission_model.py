"""Mission items, the Mission model, geofence and rally points (no file I/O)."""

from __future__ import annotations

import math

import pytest
from geographiclib.geodesic import Geodesic

from longwing.mission import (
    COMMAND_SPECS,
    Fence,
    FenceCircle,
    FencePolygon,
    Home,
    MavCmd,
    MavFrame,
    MavlinkItem,
    Mission,
    MissionError,
    MissionItem,
    RallyPoint,
    geodesic_distance_m,
)

GEOD = Geodesic.WGS84
HOME = Home(47.63, -52.93, 60.0)
WP = MissionItem.waypoint


def offset(lat: float, lon: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    d = GEOD.Direct(lat, lon, azimuth_deg, distance_m)
    return d["lat2"], d["lon2"]


def local(east_m: float, north_m: float, lat0: float = 47.63, lon0: float = -52.93):
    """A point east/north of (lat0, lon0): north first, then east (both geodesic)."""
    lat, lon = offset(lat0, lon0, 0.0 if north_m >= 0 else 180.0, abs(north_m))
    return offset(lat, lon, 90.0 if east_m >= 0 else 270.0, abs(east_m))


def message(fn) -> str:
    with pytest.raises(MissionError) as info:
        fn()
    return str(info.value)


# --- enums and items -----------------------------------------------------------------------


def test_mavlink_numbers() -> None:
    assert {c.name: c.value for c in MavCmd} == {
        "NAV_WAYPOINT": 16,
        "NAV_LOITER_UNLIM": 17,
        "NAV_LOITER_TURNS": 18,
        "NAV_LOITER_TIME": 19,
        "NAV_RETURN_TO_LAUNCH": 20,
        "NAV_LAND": 21,
        "NAV_TAKEOFF": 22,
        "NAV_LOITER_TO_ALT": 31,
        "DO_JUMP": 177,
        "DO_CHANGE_SPEED": 178,
        "DO_SET_HOME": 179,
        "DO_LAND_START": 189,
        "DO_GO_AROUND": 191,
        "DO_SET_CAM_TRIGG_DIST": 206,
    }
    assert {f.name: f.value for f in MavFrame} == {
        "GLOBAL": 0,
        "MISSION": 2,
        "GLOBAL_RELATIVE_ALT": 3,
        "GLOBAL_INT": 5,
        "GLOBAL_RELATIVE_ALT_INT": 6,
        "GLOBAL_TERRAIN_ALT": 10,
        "GLOBAL_TERRAIN_ALT_INT": 11,
    }
    assert set(COMMAND_SPECS) == {c.value for c in MavCmd}


def test_constructors_fill_mavlink_param_slots() -> None:
    w = WP(47.7, -52.9, 100.0, hold_s=5.0, acceptance_radius_m=30.0, pass_radius_m=-20.0)
    assert (w.command, w.frame, w.params) == (16, 3, (5.0, 30.0, -20.0, 0.0))
    assert (w.hold_s, w.acceptance_radius_m, w.pass_radius_m, w.yaw_deg) == (5.0, 30.0, -20.0, 0.0)
    assert w.position == (47.7, -52.9, 100.0) and w.is_nav and w.name == "NAV_WAYPOINT"

    lu = MissionItem.loiter_unlim(47.7, -52.9, 100.0, radius_m=-80.0)
    assert lu.params == (0.0, 0.0, -80.0, 0.0)
    assert lu.radius_m == -80.0 and not lu.loiter_clockwise

    lt = MissionItem.loiter_turns(47.7, -52.9, 100.0, turns=3, radius_m=120, heading_required=True)
    assert lt.params == (3.0, 1.0, 120.0, 0.0)
    assert lt.turns == 3.0 and lt.heading_required and lt.loiter_clockwise and lt.xtrack == 0.0

    ltime = MissionItem.loiter_time(47.7, -52.9, 100.0, loiter_time_s=90.0, radius_m=60.0)
    assert ltime.command == 19 and ltime.loiter_time_s == 90.0 and ltime.radius_m == 60.0

    rtl = MissionItem.return_to_launch()
    assert (rtl.command, rtl.frame, rtl.position) == (20, 2, None)

    land = MissionItem.land(47.7, -52.9, 0.0, abort_alt_m=40.0, land_mode=1)
    assert land.params == (40.0, 1.0, 0.0, 0.0) and land.abort_alt_m == 40.0
    assert land.land_mode == 1

    to = MissionItem.takeoff(47.7, -52.9, 80.0, pitch_deg=12.0)
    assert (to.command, to.pitch_deg, to.alt_m) == (22, 12.0, 80.0)

    lta = MissionItem.loiter_to_alt(47.7, -52.9, 300.0, radius_m=-150.0, heading_required=True)
    assert lta.command == 31 and lta.params == (1.0, -150.0, 0.0, 0.0)
    assert lta.radius_m == -150.0 and lta.heading_required

    j = MissionItem.jump(3, repeat=2)
    assert (j.command, j.frame, j.jump_target_seq, j.jump_repeat) == (177, 2, 3, 2)
    assert j.position is None and not j.is_nav

    cs = MissionItem.change_speed(22.0)
    assert cs.params == (0.0, 22.0, -1.0, 0.0)
    assert (cs.speed_type, cs.speed_mps, cs.throttle_pct) == (0, 22.0, -1.0)

    sh = MissionItem.set_home(57.48, -7.36, 6.0)
    assert (sh.command, sh.frame, sh.use_current, sh.position) == (179, 0, False, (57.48, -7.36, 6))
    assert MissionItem.set_home(use_current=True).use_current

    ls = MissionItem.land_start()
    assert (ls.command, ls.frame, ls.position) == (189, 2, None)
    assert MissionItem.land_start(47.7, -52.9, 50.0).position == (47.7, -52.9, 50.0)

    ct = MissionItem.cam_trigger_distance(40.0, shutter_ms=2.0, trigger_once=True)
    assert ct.params == (40.0, 2.0, 1.0, 0.0)
    assert (ct.trigger_distance_m, ct.shutter_ms, ct.trigger_once) == (40.0, 2.0, True)


def test_accessor_for_another_command_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NAV_WAYPOINT item has no parameter 'turns'"):
        _ = WP(47.7, -52.9, 100.0).turns
    assert not hasattr(MissionItem.jump(1), "radius_m")


def test_param_1_to_7() -> None:
    w = WP(47.7, -52.9, 100.0, hold_s=5.0)
    assert [w.param(n) for n in range(1, 8)] == [5.0, 0.0, 0.0, 0.0, 47.7, -52.9, 100.0]
    with pytest.raises(IndexError):
        w.param(8)


def test_nan_params_compare_equal_and_hash() -> None:
    a = MissionItem(16, 3, (0, 0, 0, float("nan")), 47.7, -52.9, 100)
    b = MissionItem(16, 3, (0, 0, 0, float("nan")), 47.7, -52.9, 100)
    assert a == b and hash(a) == hash(b)
    assert a != WP(47.7, -52.9, 100.0)


# --- validation: exact one-line messages with the item number --------------------------------


GOOD = WP(47.7, -52.9, 100.0)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            MissionItem(16, 3, (0, 0, 0, 0), 95.0, -52.9, 100.0),
            "item 3 (NAV_WAYPOINT): latitude 95.0 is outside [-90, 90]",
        ),
        (
            WP(47.7, -252.9, 100.0),
            "item 3 (NAV_WAYPOINT): longitude -252.9 is outside [-180, 180]",
        ),
        (WP(math.nan, -52.9, 100.0), "item 3 (NAV_WAYPOINT): latitude nan is not a finite number"),
        (WP(47.7, -52.9, math.inf), "item 3 (NAV_WAYPOINT): altitude inf is not a finite number"),
        (
            MissionItem(84, 3),
            "item 3 (MAV_CMD 84): unsupported command 84 (supported: 16 NAV_WAYPOINT, "
            "17 NAV_LOITER_UNLIM, 18 NAV_LOITER_TURNS, 19 NAV_LOITER_TIME, "
            "20 NAV_RETURN_TO_LAUNCH, 21 NAV_LAND, 22 NAV_TAKEOFF, 31 NAV_LOITER_TO_ALT, "
            "177 DO_JUMP, 178 DO_CHANGE_SPEED, 179 DO_SET_HOME, 189 DO_LAND_START, "
            "191 DO_GO_AROUND, "
            "206 DO_SET_CAM_TRIGG_DIST)",
        ),
        (WP(47.7, -52.9, 100.0, frame=1), "item 3 (NAV_WAYPOINT): unknown frame 1"),
        (
            WP(47.7, -52.9, 100.0, frame=MavFrame.MISSION),
            "item 3 (NAV_WAYPOINT): frame MISSION (2) is not valid for NAV_WAYPOINT (allowed: "
            "GLOBAL (0), GLOBAL_RELATIVE_ALT (3), GLOBAL_INT (5), GLOBAL_RELATIVE_ALT_INT (6), "
            "GLOBAL_TERRAIN_ALT (10), GLOBAL_TERRAIN_ALT_INT (11))",
        ),
        (
            WP(47.7, -52.9, 100.0, hold_s=-1.0),
            "item 3 (NAV_WAYPOINT): hold_s (param1) is -1.0; must be >= 0",
        ),
        (
            WP(47.7, -52.9, 100.0, acceptance_radius_m=-5.0),
            "item 3 (NAV_WAYPOINT): acceptance_radius_m (param2) is -5.0; must be >= 0",
        ),
        (
            WP(47.7, -52.9, 100.0, yaw_deg=math.inf),
            "item 3 (NAV_WAYPOINT): yaw_deg (param4) is inf; must be finite (or NaN)",
        ),
        (
            MissionItem.loiter_turns(47.7, -52.9, 100.0, turns=-1.0),
            "item 3 (NAV_LOITER_TURNS): turns (param1) is -1.0; must be >= 0",
        ),
        (
            MissionItem(18, 3, (1, 0.5, 0, 0), 47.7, -52.9, 100.0),
            "item 3 (NAV_LOITER_TURNS): heading_required (param2) is 0.5; must be 0 or 1",
        ),
        (
            MissionItem.loiter_time(47.7, -52.9, 100.0, loiter_time_s=-5.0),
            "item 3 (NAV_LOITER_TIME): loiter_time_s (param1) is -5.0; must be >= 0",
        ),
        (
            MissionItem.loiter_unlim(47.7, -52.9, 100.0, radius_m=math.nan),
            "item 3 (NAV_LOITER_UNLIM): radius_m (param3) is nan; must be finite",
        ),
        (
            MissionItem.land(47.7, -52.9, abort_alt_m=-10.0),
            "item 3 (NAV_LAND): abort_alt_m (param1) is -10.0; must be >= 0",
        ),
        (
            MissionItem.takeoff(47.7, -52.9, 80.0, pitch_deg=95.0),
            "item 3 (NAV_TAKEOFF): pitch_deg (param1) is 95.0; must be in [-90, 90]",
        ),
        (
            MissionItem(20, 2, (math.inf, 0, 0, 0)),
            "item 3 (NAV_RETURN_TO_LAUNCH): param1 is inf; must be finite (or NaN)",
        ),
        (
            MissionItem.change_speed(25.0, speed_type=7),
            "item 3 (DO_CHANGE_SPEED): speed_type (param1) is 7.0; must be an integer in [0, 3]",
        ),
        (
            MissionItem.change_speed(-5.0),
            "item 3 (DO_CHANGE_SPEED): speed_mps (param2) is -5.0; must be >= 0 or -1 or -2",
        ),
        (
            MissionItem.change_speed(20.0, throttle_pct=120.0),
            "item 3 (DO_CHANGE_SPEED): throttle_pct (param3) is 120.0; must be in [0, 100] or "
            "-1 or -2",
        ),
        (
            MissionItem(179, 2, (0, 0, 0, 0)),
            "item 3 (DO_SET_HOME): use_current (param1) is 0, so the home position needs a "
            "global frame",
        ),
        (
            MissionItem.cam_trigger_distance(-3.0),
            "item 3 (DO_SET_CAM_TRIGG_DIST): trigger_distance_m (param1) is -3.0; must be >= 0",
        ),
        (
            MissionItem(206, 2, (10, 0, 2, 0)),
            "item 3 (DO_SET_CAM_TRIGG_DIST): trigger_once (param3) is 2.0; must be 0 or 1",
        ),
        (
            MissionItem.jump(0),
            "item 3 (DO_JUMP): jump_target_seq (param1) is 0.0; must be an integer >= 1",
        ),
        (
            MissionItem(177, 2, (1.5, 1, 0, 0)),
            "item 3 (DO_JUMP): jump_target_seq (param1) is 1.5; must be an integer >= 1",
        ),
        (
            MissionItem.jump(1, repeat=-3),
            "item 3 (DO_JUMP): jump_repeat (param2) is -3.0; must be an integer >= -1",
        ),
        (
            MissionItem.jump(3),
            "item 3 (DO_JUMP): jump_target_seq (param1) is 3: the DO_JUMP itself",
        ),
        (
            MissionItem.jump(9),
            "item 3 (DO_JUMP): jump_target_seq (param1) is 9; no such item (items are 1..4)",
        ),
    ],
)
def test_item_errors_name_the_seq_and_the_problem(bad: MissionItem, expected: str) -> None:
    items = (GOOD, GOOD, bad, GOOD)
    assert message(lambda: Mission(HOME, items)) == expected


def test_do_jump_valid_targets() -> None:
    items = (
        MissionItem.takeoff(47.7, -52.9, 80.0),
        WP(47.71, -52.9, 100.0),
        WP(47.72, -52.9, 100.0),
        MissionItem.jump(2, repeat=3),
        MissionItem.jump(6, repeat=-1),  # forward jump; -1 repeats forever
        MissionItem.return_to_launch(),
    )
    mission = Mission(HOME, items)
    assert mission.item(4).jump_target_seq == 2
    assert mission.item(5).jump_repeat == -1
    # DO commands in a global frame (Mission Planner writes frame 3) are accepted
    Mission(HOME, (GOOD, MissionItem(177, 3, (1, 1, 0, 0))))


def test_other_errors() -> None:
    assert message(lambda: Mission(Home(95.0, 0.0, 0.0))) == (
        "home: latitude 95.0 is outside [-90, 90]"
    )
    assert message(lambda: Mission(HOME, rally=(RallyPoint(47.7, -52.9, 50.0, frame=2),))) == (
        "rally point 1: frame MISSION (2) is not a global frame"
    )
    assert message(lambda: Mission(HOME, rally=(RallyPoint(47.7, 190.0, 50.0),))) == (
        "rally point 1: longitude 190.0 is outside [-180, 180]"
    )
    assert message(lambda: Mission(HOME, cruise_speed_mps=0)) == (
        "mission: cruise_speed_mps 0.0 must be > 0"
    )
    err = pytest.raises(MissionError, Mission, HOME, (GOOD, WP(95.0, 0.0, 1.0))).value
    assert (err.item_seq, err.where, err.source, err.line) == (
        2,
        "item 2 (NAV_WAYPOINT)",
        None,
        None,
    )
    assert err.problem == "latitude 95.0 is outside [-90, 90]"
    assert isinstance(err, ValueError)
    assert str(err.with_context(source="a.plan")) == (
        "a.plan: item 2 (NAV_WAYPOINT): latitude 95.0 is outside [-90, 90]"
    )


# --- mission helpers --------------------------------------------------------------------------


def survey_mission() -> Mission:
    return Mission(
        HOME,
        (
            MissionItem.takeoff(47.632, -52.925, 80.0),  # 1
            MissionItem.change_speed(22.0),  # 2
            WP(47.64, -52.92, 120.0),  # 3
            WP(47.64, -52.90, 500.0, frame=MavFrame.GLOBAL),  # 4
            MissionItem.loiter_turns(47.65, -52.90, 100.0, turns=2, radius_m=-150.0),  # 5
            MissionItem.land_start(),  # 6
            WP(47.62, -52.95, 50.0),  # 7
            MissionItem.land(47.63, -52.93, 0.0, abort_alt_m=40.0),  # 8
        ),
        cruise_speed_mps=22.0,
    )


def test_nav_items_land_start_and_lookup() -> None:
    m = survey_mission()
    assert [seq for seq, _ in m.nav_items()] == [1, 3, 4, 5, 7, 8]
    assert m.land_sequence_start() == 6
    assert Mission(HOME, (GOOD,)).land_sequence_start() is None
    assert m.item(4).frame == MavFrame.GLOBAL
    assert m.seq_of(m.items[6]) == 7
    with pytest.raises(IndexError):
        m.item(0)


def test_with_items_revalidates() -> None:
    m = survey_mission()
    shorter = m.with_items(m.items[:3])
    assert len(shorter.items) == 3 and shorter.home == m.home and shorter.cruise_speed_mps == 22
    with pytest.raises(MissionError, match=r"^item 4 \(DO_JUMP\)"):
        m.with_items((*m.items[:3], MissionItem.jump(9)))


def test_resolve_alt_frames() -> None:
    m = survey_mission()
    assert m.resolve_alt(3) == 60.0 + 120.0  # relative to the planned home
    assert m.resolve_alt(m.items[2], home_alt_m=10.0) == 130.0  # relative to the actual home
    assert m.resolve_alt(4) == 500.0  # AMSL
    assert m.resolve_alt(4, home_alt_m=10.0) == 500.0

    terrain_item = WP(47.64, -52.91, 90.0, frame=MavFrame.GLOBAL_TERRAIN_ALT)
    tm = Mission(HOME, (GOOD, terrain_item))
    assert message(lambda: tm.resolve_alt(2)) == (
        "item 2 (NAV_WAYPOINT): frame GLOBAL_TERRAIN_ALT (10) is relative to terrain, but no "
        "terrain model was given"
    )
    assert tm.resolve_alt(2, terrain=lambda lat, lon: 42.5) == 132.5
    assert message(lambda: tm.resolve_alt(2, terrain=lambda lat, lon: math.nan)) == (
        "item 2 (NAV_WAYPOINT): no terrain data at latitude 47.64, longitude -52.91"
    )
    assert message(lambda: m.resolve_alt(2)) == (
        "item 2 (DO_CHANGE_SPEED): frame MISSION (2) carries no altitude"
    )


def test_route_length_is_sum_of_geodesics() -> None:
    a, b = (47.70, -52.90), (47.70, -52.80)
    m = Mission(HOME, (WP(*a, 100.0), WP(*b, 100.0), MissionItem.return_to_launch()))
    g = GEOD
    expected = (
        g.Inverse(HOME.lat_deg, HOME.lon_deg, *a)["s12"]
        + g.Inverse(*a, *b)["s12"]
        + g.Inverse(*b, HOME.lat_deg, HOME.lon_deg)["s12"]
    )
    assert m.route_length_m() == pytest.approx(expected, rel=1e-12)
    # take-off/land at 0/0 mean "here" and are skipped
    here = Mission(HOME, (MissionItem.takeoff(0.0, 0.0, 50.0), MissionItem.land(0.0, 0.0)))
    assert here.route_length_m() == 0.0


# --- MAVLink ---------------------------------------------------------------------------------


def test_mavlink_round_trip_home_at_seq_0() -> None:
    m = Mission(
        HOME,
        (
            *survey_mission().items,
            MissionItem(16, 3, (0, 0, 0, math.nan), 47.7, -52.9, 100.0, autocontinue=False),
            MissionItem.jump(3, repeat=2),
        ),
    )
    mav = m.to_mavlink_items()
    assert len(mav) == len(m.items) + 1
    assert mav[0] == MavlinkItem(0, 0, 16, 0, 1, 0, 0, 0, 0, 47.63, -52.93, 60.0)
    assert [x.seq for x in mav] == list(range(len(mav)))
    assert mav[9].autocontinue == 0 and math.isnan(mav[9].param4)
    assert mav[10].param1 == 3.0  # DO_JUMP target is the MAVLink seq
    back = Mission.from_mavlink_items(mav)
    assert back == m
    assert back.to_mavlink_items() == mav


def test_from_mavlink_errors() -> None:
    mav = survey_mission().to_mavlink_items()
    assert message(lambda: Mission.from_mavlink_items(mav[1:])) == (
        "MAVLink item 0 has seq 1; expected 0"
    )
    rel_home = MavlinkItem(0, 3, 16, 0, 1, 0, 0, 0, 0, 47.63, -52.93, 0.0)
    assert message(lambda: Mission.from_mavlink_items((rel_home,))) == (
        "item 0 (home): home must be in frame GLOBAL (0) or GLOBAL_INT (5), not "
        "GLOBAL_RELATIVE_ALT (3)"
    )
    assert message(lambda: Mission.from_mavlink_items(())) == (
        "no items: MAVLink seq 0 (home) is required"
    )


# --- geofence --------------------------------------------------------------------------------


def u_polygon() -> FencePolygon:
    """A concave U (open to the north): 3 km wide, 3 km tall, notch 1 km wide, 2 km deep."""
    corners = [
        (-1500, 0),
        (1500, 0),
        (1500, 3000),
        (500, 3000),
        (500, 1000),
        (-500, 1000),
        (-500, 3000),
        (-1500, 3000),
    ]
    return FencePolygon(tuple(local(e, n) for e, n in corners))


@pytest.mark.parametrize(
    ("east_m", "north_m", "inside"),
    [
        (0, 500, True),  # base of the U
        (-1000, 2500, True),  # left arm
        (1000, 2500, True),  # right arm
        (0, 2000, False),  # in the notch
        (0, 1100, False),  # just inside the notch
        (0, 900, True),  # just below the notch
        (-1450, 1500, True),
        (-1600, 1500, False),  # west of the U
        (0, -100, False),  # south of the U
        (1000, 3100, False),  # north of the right arm
    ],
)
def test_concave_polygon(east_m: float, north_m: float, inside: bool) -> None:
    polygon = u_polygon()
    lat, lon = local(east_m, north_m)
    assert polygon.contains_point(lat, lon) is inside
    fence = Fence(polygons=(polygon,))
    ok, reason = fence.contains(lat, lon)
    assert ok is inside
    assert reason == (None if inside else "outside inclusion polygon 1")


def test_polygon_edges_are_great_circles() -> None:
    # The north edge runs from (50 N, 40 W) to (50 N, 0): as a geodesic it bulges north to
    # about 51.7 N at 20 W, so points between 50 N and the arc are inside.
    polygon = FencePolygon(((40.0, -40.0), (50.0, -40.0), (50.0, 0.0), (40.0, 0.0)))
    line = GEOD.InverseLine(50.0, -40.0, 50.0, 0.0)
    mid = line.Position(line.s13 / 2)
    assert mid["lat2"] == pytest.approx(51.7, abs=0.1) and mid["lon2"] == pytest.approx(-20.0)
    assert polygon.contains_point(mid["lat2"] - 0.05, -20.0)  # would be outside on a lat/lon map
    assert polygon.contains_point(51.0, -20.0)
    assert not polygon.contains_point(mid["lat2"] + 0.05, -20.0)
    assert not polygon.contains_point(-45.0, 160.0)  # far side of the Earth


def test_polygon_across_the_date_line() -> None:
    polygon = FencePolygon(((-16.0, 179.0), (-16.0, -179.0), (-18.0, -179.0), (-18.0, 179.0)))
    assert polygon.contains_point(-17.0, 180.0)
    assert polygon.contains_point(-17.0, -179.5)
    assert polygon.contains_point(-17.0, 179.5)
    assert not polygon.contains_point(-17.0, 178.5)
    assert not polygon.contains_point(-17.0, 0.0)


@pytest.mark.parametrize("azimuth_deg", [0.0, 45.0, 100.0, 180.0, 270.0, 333.0])
def test_circle_uses_geodesic_distance(azimuth_deg: float) -> None:
    centre = (57.4811, -7.3628)
    radius_m = 5000.0
    circle = FenceCircle(*centre, radius_m)
    for d, inside in ((radius_m - 1.0, True), (radius_m + 1.0, False), (0.0, True)):
        lat, lon = offset(*centre, azimuth_deg, d)
        assert circle.distance_m(lat, lon) == pytest.approx(d, abs=1e-6)
        assert circle.contains_point(lat, lon) is inside
        assert geodesic_distance_m(*centre, lat, lon) == pytest.approx(
            GEOD.Inverse(*centre, lat, lon)["s12"], abs=1e-9
        )


def test_fence_contains_rules_and_reasons() -> None:
    inclusion = u_polygon()
    keep_out = FencePolygon(
        tuple(local(e, n) for e, n in ((-200, 100), (200, 100), (0, 400))), inclusion=False
    )
    circle_in = FenceCircle(*local(0, 1500), 2000.0)
    circle_out = FenceCircle(*local(1000, 2500), 100.0, inclusion=False)
    fence = Fence(
        polygons=(inclusion, keep_out),
        circles=(circle_in, circle_out),
        max_alt_above_home_m=150.0,
        min_alt_above_home_m=20.0,
    )
    assert fence.contains(*local(-1000, 2000), 100.0) == (True, None)
    assert fence.contains(*local(-1000, 2000)) == (True, None)  # altitude not checked
    assert fence.contains(*local(-1000, 2000), 151.0) == (
        False,
        "altitude 151.0 m above home is above the maximum 150.0 m",
    )
    assert fence.contains(*local(-1000, 2000), 10.0) == (
        False,
        "altitude 10.0 m above home is below the minimum 20.0 m",
    )
    assert fence.contains(*local(0, 200), 100.0) == (False, "inside exclusion polygon 2")
    assert fence.contains(*local(1000, 2500), 100.0) == (False, "inside exclusion circle 2")
    # inside the U but outside the inclusion circle: every inclusion zone must hold the point
    assert fence.contains(*local(-1450, 100), 100.0) == (False, "outside inclusion circle 1")
    assert fence.contains(*local(0, 2000), 100.0) == (False, "outside inclusion polygon 1")
    assert Fence().contains(0.0, 0.0, 1e6) == (True, None) and Fence().is_empty


def test_fence_validation_messages() -> None:
    def poly(*vertices: tuple[float, float]) -> Fence:
        return Fence(polygons=(u_polygon(), FencePolygon(vertices)))

    assert message(lambda: poly((0, 0), (1, 1))) == (
        "geofence polygon 2: needs at least 3 vertices, has 2"
    )
    assert message(lambda: poly((0, 0), (1, 1), (1, 0), (0, 1))) == (
        "geofence polygon 2: edges 1 and 3 cross (the polygon self-intersects)"
    )
    assert message(lambda: poly((0, 0), (91, 1), (1, 0))) == (
        "geofence polygon 2: vertex 2: latitude 91.0 is outside [-90, 90]"
    )
    assert message(lambda: poly((0, 0), (0, 120), (0, -120))) == (
        "geofence polygon 2: vertices do not lie within one hemisphere"
    )
    assert message(lambda: Fence(circles=(FenceCircle(0, 0, -5),))) == (
        "geofence circle 1: radius -5.0 m must be > 0"
    )
    assert message(lambda: Fence(max_alt_above_home_m=10, min_alt_above_home_m=20)) == (
        "geofence: minimum altitude 20.0 m must be below the maximum 10.0 m"
    )
