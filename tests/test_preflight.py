"""mission.preflight: missions with nothing to fly or with points below the ground, against
the flat world of the simulator and against a DEM; the bundled and generated missions pass."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_synthetic import ridge_terrain
from longwing.mission import load_mission
from longwing.mission.fence import BreachReturnPoint, Fence, RallyPoint
from longwing.mission.items import MavFrame, MissionError, MissionItem
from longwing.mission.model import Home, Mission
from longwing.mission.preflight import (
    LAND_DEM_TOLERANCE_M,
    NO_NAV_ITEMS,
    check_preflight,
    preflight_problems,
)
from longwing.planning.area import SurveyArea
from longwing.planning.camera import Camera
from longwing.planning.survey import plan_survey

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOME = Home(47.63, -52.93, 60.0)
AMSL = MavFrame.GLOBAL
REL = MavFrame.GLOBAL_RELATIVE_ALT
TERR = MavFrame.GLOBAL_TERRAIN_ALT


def mission(*items: MissionItem, **kw) -> Mission:
    return Mission(home=HOME, items=items, **kw)


def flat_dem(height_m: float, south=47.5, west=-53.1, north=47.8, east=-52.7) -> Terrain:
    return Terrain.from_bounds(np.full((30, 40), height_m), (south, west, north, east), "flat.tif")


TAKEOFF = MissionItem.takeoff(47.632, -52.925, 80.0)
WP = MissionItem.waypoint(47.64, -52.90, 120.0)


# --- the bundled and generated missions ------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["short_survey.plan", "short_survey.waypoints", "long_range.plan", "laima.plan"]
)
def test_bundled_examples_pass(name: str):
    m = load_mission(EXAMPLES / name)
    assert preflight_problems(m) == []
    check_preflight(m)  # does not raise


def test_make_examples_missions_pass():
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    me = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(me)
    for build in (me.short_survey, me.long_range, me.laima):
        assert preflight_problems(build()) == []


def test_short_survey_passes_over_a_dem_below_it_and_fails_over_one_above_it():
    m = load_mission(EXAMPLES / "short_survey.plan")
    assert preflight_problems(m, flat_dem(0.0)) == []
    # a plateau at 130 m AMSL: the approach waypoint (50 m above home = 110 m AMSL) and
    # the landing (60 m AMSL, 70 m below: beyond the tolerance) are below it
    problems = preflight_problems(m, flat_dem(130.0))
    assert any(
        p.startswith("item 18 (NAV_WAYPOINT): altitude 110 m AMSL is 20 m below") for p in problems
    )
    assert any(
        p.startswith("item 19 (NAV_LAND): altitude 60 m AMSL is 70 m below") for p in problems
    )
    # the 120 m survey lines (180 m AMSL) are above it
    assert not any(p.startswith("item 6 ") for p in problems)


def test_generated_survey_passes_with_and_without_a_dem():
    area = SurveyArea.from_points(
        [(47.60, -52.95), (47.60, -52.93), (47.61, -52.93), (47.61, -52.95)]
    )
    cam = Camera(13.2, 8.8, 10.4, 5472, 3648)
    flat = plan_survey(area, cam, turn_radius_m=150.0, alt_m=100.0, home=(47.595, -52.96, 60.0),
                       cruise_airspeed_mps=25.0, finish="land")  # fmt: skip
    assert flat.mission is not None and preflight_problems(flat.mission) == []
    ridge = ridge_terrain(47.605, -52.94, 20.0, 100.0, height_m=300.0, half_width_m=500.0)
    dem = plan_survey(area, cam, turn_radius_m=150.0, alt_m=100.0, home=(47.595, -52.96),
                      terrain=ridge, cruise_airspeed_mps=25.0)  # fmt: skip
    assert dem.mission is not None and preflight_problems(dem.mission, ridge) == []


# --- nothing to fly ---------------------------------------------------------------------------


def test_a_mission_without_navigation_items():
    assert preflight_problems(mission()) == [NO_NAV_ITEMS]
    only_do = mission(MissionItem.change_speed(20.0), MissionItem.cam_trigger_distance(30.0))
    assert preflight_problems(only_do) == [NO_NAV_ITEMS]
    with pytest.raises(MissionError, match="^the mission has no navigation items$"):
        check_preflight(only_do)
    assert preflight_problems(mission(MissionItem.return_to_launch())) == []


# --- the flat world ----------------------------------------------------------------------------


def test_a_waypoint_far_below_the_ground_is_named_with_its_altitude_and_the_ground():
    m = mission(
        TAKEOFF, MissionItem.change_speed(22.0), MissionItem.waypoint(47.65, -52.9, -5000.0, AMSL)
    )
    assert preflight_problems(m) == [
        "item 3 (NAV_WAYPOINT): altitude -5000 m AMSL is 5060 m below the ground "
        "(60 m AMSL, the home elevation)"
    ]
    with pytest.raises(MissionError, match=r"^item 3 \(NAV_WAYPOINT\): altitude -5000 m AMSL"):
        check_preflight(m)


def test_relative_altitudes_resolve_against_home_and_the_boundary_is_the_ground():
    # 0.0 above home: on the ground, not below it; -0.1: below it
    assert preflight_problems(mission(TAKEOFF, MissionItem.waypoint(47.64, -52.9, 0.0))) == []
    (p,) = preflight_problems(mission(TAKEOFF, MissionItem.waypoint(47.64, -52.9, -0.1)))
    assert p == ("item 2 (NAV_WAYPOINT): altitude 59.9 m AMSL is 0.1 m below the ground "
                 "(60 m AMSL, the home elevation)")  # fmt: skip
    # AMSL: 59.9 m is below a 60 m home as well; 60 m is not
    assert preflight_problems(mission(MissionItem.waypoint(47.64, -52.9, 60.0, AMSL))) == []
    assert len(preflight_problems(mission(MissionItem.waypoint(47.64, -52.9, 59.9, AMSL)))) == 1


def test_every_kind_of_positioned_nav_item_is_checked():
    low = -10.0  # 50 m AMSL
    items = [
        MissionItem.takeoff(47.632, -52.925, low),
        MissionItem.loiter_unlim(47.64, -52.9, low),
        MissionItem.loiter_turns(47.64, -52.9, low, turns=2.0),
        MissionItem.loiter_time(47.64, -52.9, low, loiter_time_s=30.0),
        MissionItem.loiter_to_alt(47.64, -52.9, low),
    ]
    problems = preflight_problems(mission(*items))
    names = [p.split(":")[0] for p in problems]
    assert names == ["item 1 (NAV_TAKEOFF)", "item 2 (NAV_LOITER_UNLIM)",
                     "item 3 (NAV_LOITER_TURNS)", "item 4 (NAV_LOITER_TIME)",
                     "item 5 (NAV_LOITER_TO_ALT)"]  # fmt: skip


def test_a_landing_below_home_is_its_own_ground_without_a_dem():
    """A destination at sea level, 60 m below home: fine in the flat world."""
    m = mission(TAKEOFF, WP, MissionItem.land(47.70, -52.80, 0.0, AMSL))
    assert preflight_problems(m) == []


def test_do_commands_are_skipped_even_with_a_position():
    m = mission(
        TAKEOFF,
        MissionItem.set_home(47.70, -52.80, 6.0),  # the new home, 54 m below the old one
        MissionItem.land_start(47.70, -52.80, -40.0, AMSL),
        MissionItem.waypoint(47.69, -52.81, 70.0, AMSL),
        MissionItem.land(47.70, -52.80, 6.0, AMSL),
    )
    assert preflight_problems(m) == []


def test_do_set_home_moves_the_reference_of_relative_altitudes():
    """After DO_SET_HOME at 6 m AMSL, 20 m relative is 26 m AMSL: below the flat world's
    ground (the launch elevation, 60 m), where the simulator's aircraft would hit it."""
    m = mission(
        TAKEOFF,
        MissionItem.waypoint(47.64, -52.9, 20.0),  # 80 m AMSL: fine
        MissionItem.set_home(47.70, -52.80, 6.0),
        MissionItem.waypoint(47.69, -52.81, 20.0),
        MissionItem.land(47.70, -52.80, 0.0),
    )
    assert preflight_problems(m) == [
        "item 4 (NAV_WAYPOINT): altitude 26 m AMSL is 34 m below the ground "
        "(60 m AMSL, the home elevation)"
    ]


def test_items_at_0_0_mean_here_and_are_checked_against_home():
    here_takeoff = MissionItem.takeoff(0.0, 0.0, -20.0)
    (p,) = preflight_problems(mission(here_takeoff, WP))
    assert p.startswith("item 1 (NAV_TAKEOFF): altitude 40 m AMSL is 20 m below")
    # with a DEM that does not cover 0, 0: still against home, not "outside the DEM"
    (p,) = preflight_problems(mission(here_takeoff, WP), flat_dem(0.0))
    assert p.endswith("(60 m AMSL, the home elevation)")
    # a landing "here" is skipped, with or without a DEM
    land_here = MissionItem.land(0.0, 0.0, -500.0)
    assert preflight_problems(mission(TAKEOFF, WP, land_here)) == []
    assert preflight_problems(mission(TAKEOFF, WP, land_here), flat_dem(0.0)) == []


def test_rally_points_and_the_breach_return_point():
    rally = (RallyPoint(47.62, -52.92, 80.0), RallyPoint(47.61, -52.91, 40.0, AMSL),
             RallyPoint(47.60, -52.90, -15.0))  # fmt: skip
    fence = Fence(breach_return=BreachReturnPoint(47.63, -52.92, -30.0))
    problems = preflight_problems(mission(TAKEOFF, WP, rally=rally, fence=fence))
    flat = "(60 m AMSL, the home elevation)"
    assert problems == [
        f"rally point 2: altitude 40 m AMSL is 20 m below the ground {flat}",
        f"rally point 3: altitude 45 m AMSL is 15 m below the ground {flat}",
        f"geofence breach return point: altitude 30 m AMSL is 30 m below the ground {flat}",
    ]


# --- with a DEM ------------------------------------------------------------------------------


def test_against_a_dem_the_ground_is_the_dem_height_under_the_item():
    ridge = ridge_terrain(47.65, -52.90, 20.0, 100.0, height_m=300.0, half_width_m=1000.0,
                          base_m=20.0)  # fmt: skip
    on_crest = MissionItem.waypoint(47.65, -52.90, 250.0, AMSL)
    flank = MissionItem.waypoint(47.6545, -52.90, 250.0, AMSL)  # 500 m north: 170 m
    ground = float(ridge(47.65, -52.90))
    assert ground == pytest.approx(320.0, abs=0.01)
    (p,) = preflight_problems(mission(TAKEOFF, on_crest, flank), ridge)
    assert p.startswith("item 2 (NAV_WAYPOINT): altitude 250 m AMSL is 70 m below the ground "
                        "(320 m AMSL, the DEM (")  # fmt: skip
    # the same mission without the DEM: 250 m is above the flat world's 60 m
    assert preflight_problems(mission(TAKEOFF, on_crest, flank)) == []
    # the terrain frame adds the DEM height: 10 m above the crest is fine
    above = MissionItem.waypoint(47.65, -52.90, 10.0, TERR)
    assert preflight_problems(mission(TAKEOFF, above), ridge) == []


def test_items_outside_the_dem_are_problems_of_their_own():
    dem = flat_dem(0.0)
    far = MissionItem.waypoint(48.5, -52.9, 500.0, AMSL)
    (p,) = preflight_problems(mission(TAKEOFF, far), dem)
    assert p == ("item 2 (NAV_WAYPOINT) at 48.50000, -52.90000 is outside the DEM (flat.tif): "
                 "the ground under it is unknown")  # fmt: skip
    far_rally = (RallyPoint(49.0, -52.0, 100.0),)
    (p,) = preflight_problems(mission(TAKEOFF, rally=far_rally), dem)
    assert p.startswith("rally point 1 at 49.00000, -52.00000 is outside the DEM")


def test_a_landing_may_lie_within_the_tolerance_below_the_dem():
    dem = flat_dem(100.0)
    near = MissionItem.land(47.70, -52.80, 100.0 - LAND_DEM_TOLERANCE_M, AMSL)
    assert preflight_problems(mission(TAKEOFF, WP, near), dem) == []
    deep = MissionItem.land(47.70, -52.80, 100.0 - LAND_DEM_TOLERANCE_M - 0.5, AMSL)
    (p,) = preflight_problems(mission(TAKEOFF, WP, deep), dem)
    assert p.startswith("item 3 (NAV_LAND): altitude 89.5 m AMSL is 10.5 m below the ground")


def test_terrain_frames_without_a_dem_are_a_problem():
    m = mission(TAKEOFF, MissionItem.waypoint(47.64, -52.9, 100.0, TERR))
    (p,) = preflight_problems(m)
    assert p.startswith("item 2 (NAV_WAYPOINT)") and "terrain" in p


def test_check_preflight_lists_at_most_five_problems_then_counts():
    low = [MissionItem.waypoint(47.64, -52.9 + 0.001 * k, -1.0) for k in range(8)]
    with pytest.raises(MissionError) as info:
        check_preflight(mission(*low))
    text = str(info.value)
    assert "\n" not in text
    assert text.count("below the ground") == 5 and text.endswith("; and 3 more")
    assert text.startswith("item 1 (NAV_WAYPOINT)") and "item 5 (NAV_WAYPOINT)" in text
    assert "item 6 " not in text
