"""Survey limits: photos (estimated before the layout), MAVLink mission items, the camera's
minimum trigger interval, endurance on a full tank; the planner's progress callback."""

from __future__ import annotations

import math
import time

import pytest
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.mission import MavFrame
from longwing.mission.items import MissionItem
from longwing.mission.model import Home, Mission
from longwing.planning.area import SurveyArea
from longwing.planning.camera import Camera
from longwing.planning.performance import PerformanceTable
from longwing.planning.predict import predict_mission
from longwing.planning.survey import SurveyError, plan_survey
from longwing.planning.survey_limits import (
    MAX_PHOTOS,
    endurance_problems,
    endurance_s,
    estimate_photo_count,
    reserve_s,
)

GEOD = Geodesic.WGS84
RX100 = Camera(13.2, 8.8, 10.4, 5472, 3648)
SITE = (47.60, -52.90)
HOME = (47.57, -52.93, 60.0)


def rectangle(length_m: float, width_m: float, rot_deg: float = 0.0) -> SurveyArea:
    """A rectangle centred on SITE, its length along ``rot_deg`` (geodesic offsets)."""
    hl, hw = length_m / 2, width_m / 2
    pts = []
    for x, y in ((-hl, -hw), (hl, -hw), (hl, hw), (-hl, hw)):
        az = rot_deg + math.degrees(math.atan2(y, x))
        r = GEOD.Direct(SITE[0], SITE[1], az, math.hypot(x, y))
        pts.append((r["lat2"], r["lon2"]))
    return SurveyArea.from_points(pts)


def test_photo_limit_refuses_before_the_layout():
    """0.01 mm/px over 2.2 km2: ~2e11 photos. Refused from the estimate at once."""
    area = rectangle(2000.0, 1100.0)
    t0 = time.perf_counter()
    with pytest.raises(SurveyError) as info:
        plan_survey(area, RX100, gsd_m=1e-5, turn_radius_m=150.0, home=HOME)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.2, f"{elapsed:.2f} s"
    # the estimate: ~ area / (spacing x trigger distance), spacing and trigger from the camera
    alt = RX100.alt_for_gsd_m(1e-5)
    across, along = RX100.footprint_m(alt)
    cells = 2000.0 * 1100.0 / (across * 0.4 * along * 0.3)
    text = str(info.value)
    count = int(text.split("about ")[1].split(" photos")[0].replace(",", ""))
    assert count == pytest.approx(cells, rel=1e-3)
    assert "at most 100,000 are planned per survey" in text and MAX_PHOTOS == 100_000
    assert "raise the GSD or the height" in text


@pytest.mark.parametrize(("length_m", "width_m", "rot_deg"), [(3000.0, 2000.0, 0.0),
                                                              (5000.0, 800.0, 33.0)])  # fmt: skip
def test_photo_estimate_matches_the_planned_count(length_m, width_m, rot_deg):
    area = rectangle(length_m, width_m, rot_deg)
    plan = plan_survey(area, RX100, gsd_m=0.02, turn_radius_m=100.0, home=HOME)
    # the width across the lines: the rectangle's smaller side (lines along the longer)
    est = estimate_photo_count(plan.area_m2, width_m, plan.trigger_distance_m, plan.line_count,
                               plan.trigger_distance_m)  # fmt: skip
    assert est == pytest.approx(plan.photo_count, rel=0.005)
    # the limit applies to the estimate (before) and to the planned count (after)
    with pytest.raises(SurveyError, match=f"needs about {est:,} photos"):
        plan_survey(area, RX100, gsd_m=0.02, turn_radius_m=100.0, home=HOME, max_photos=est - 1)
    limit = max(est, plan.photo_count)
    ok = plan_survey(area, RX100, gsd_m=0.02, turn_radius_m=100.0, home=HOME, max_photos=limit)
    assert ok.photo_count == plan.photo_count
    if plan.photo_count > est:
        with pytest.raises(SurveyError, match=f"needs {plan.photo_count:,} photos"):
            plan_survey(area, RX100, gsd_m=0.02, turn_radius_m=100.0, home=HOME, max_photos=est)


def test_mission_item_limit():
    """More lines than a MAVLink mission can hold items for (6 per line): refused early."""
    area = rectangle(2000.0, 1100.0)
    with pytest.raises(SurveyError, match="mission items; a MAVLink mission holds at most 65,534"):
        plan_survey(area, RX100, gsd_m=2e-5, turn_radius_m=150.0, max_photos=10**12)


def test_camera_trigger_interval():
    """At 100 m the photos are 25.4 m apart (70 % front overlap): 1.02 s at 25 m/s, 0.85 s
    at 30 m/s, for a camera that needs 1 s."""
    area = rectangle(1000.0, 500.0)
    trig = RX100.trigger_distance_m(100.0, 0.7)
    assert trig == pytest.approx(0.3 * 8.8 * 100.0 / 10.4)
    ok = plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, cruise_airspeed_mps=25.0)
    assert ok.trigger_distance_m / 25.0 >= RX100.min_interval_s
    with pytest.raises(SurveyError) as info:
        plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0, cruise_airspeed_mps=30.0)
    assert str(info.value) == (
        f"the camera would fire every {trig / 30.0:.2f} s ({trig:.1f} m apart at 30.0 m/s) "
        "but needs 1 s between photos: raise the GSD or the height, lower the front overlap, "
        f"or fly at most {trig:.1f} m/s"
    )
    # exactly at the camera's limit is fine; a faster camera takes the faster flight
    at_limit = Camera(13.2, 8.8, 10.4, 5472, 3648, min_interval_s=trig / 30.0)
    plan_survey(area, at_limit, alt_m=100.0, turn_radius_m=60.0, cruise_airspeed_mps=30.0)
    # without a cruise airspeed there is no speed to check against
    plan_survey(area, RX100, alt_m=100.0, turn_radius_m=60.0)


def test_progress_reports_lines_then_items():
    calls: list[tuple[str, int, int]] = []
    plan = plan_survey(rectangle(3000.0, 2000.0), RX100, gsd_m=0.02, turn_radius_m=100.0,
                       home=HOME, progress=lambda *a: calls.append(a))  # fmt: skip
    stages = [c[0] for c in calls]
    assert stages[0] == "lines" and stages[-1] == "items"
    assert stages == sorted(stages, key=["lines", "items"].index)
    lines = [c for c in calls if c[0] == "lines"]
    items = [c for c in calls if c[0] == "items"]
    assert lines[-1][1] == lines[-1][2] >= plan.line_count
    assert [c[1] for c in items] == list(range(plan.line_count + 1))
    assert all(c[2] == plan.line_count for c in items)


def test_endurance_matches_the_predicted_fuel_exhaustion():
    """A full tank at 25 m/s and 300 m: the same time as the route prediction (which flies
    the same trim table step by step) needs to run the tank dry on a long straight route."""
    af = load_airframe("aerosonde")
    table = PerformanceTable.build(af)
    home = Home(10.0, -30.0, 0.0)
    items = [MissionItem.takeoff(10.0, -30.0, 300.0, MavFrame.GLOBAL)]
    for k in range(1, 12):
        p = GEOD.Direct(10.0, -30.0, 90.0, k * 300e3)
        items.append(MissionItem.waypoint(p["lat2"], p["lon2"], 300.0, MavFrame.GLOBAL))
    pred = predict_mission(Mission(home=home, items=tuple(items), cruise_speed_mps=25.0), af,
                           table)  # fmt: skip
    out = [v for v in pred.verdict if v.startswith("fuel runs out")]
    t_out_h = float(out[0].split("runs out ")[1].split(" h")[0])
    assert endurance_s(af, table, 25.0, 300.0) / 3600.0 == pytest.approx(t_out_h, rel=0.01)
    # half the fuel: half the time, a little more (lighter)
    half = endurance_s(af, table, 25.0, 300.0, fuel_kg=af.mass.fuel_capacity_kg / 2)
    assert 0.5 < half / endurance_s(af, table, 25.0, 300.0) < 0.53


def test_endurance_refusal_and_reserve_warning():
    """Refused beyond the endurance; warned within the reserve: the larger of 30 min and
    10 % of the flight."""
    e = 20.0 * 3600.0
    refusal, warning = endurance_problems(e + 1.0, e)
    assert warning is None and refusal.startswith(
        "the survey's predicted flight of 20.0 h (no wind) is longer than the airframe's "
        "endurance of 20.0 h on a full tank at cruise"
    )
    # 10 % of an 18.5 h flight is 1.85 h > 30 min: 18.5 h leaves 1.5 h, less than that
    refusal, warning = endurance_problems(18.5 * 3600.0, e)
    assert refusal is None and "less than the 111 min reserve of the 20.0 h endurance" in warning
    assert reserve_s(18.5 * 3600.0) == pytest.approx(0.1 * 18.5 * 3600.0)
    assert reserve_s(3600.0) == 1800.0
    # just inside the reserve boundary: nothing
    f = e / 1.1  # 10 % of f leaves exactly the reserve
    assert endurance_problems(f - 1.0, e) == (None, None)
    assert endurance_problems(f + 1.0, e)[1] is not None
