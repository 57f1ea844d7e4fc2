"""Build the example mission files in this folder and print their route lengths.

    .venv/bin/python examples/make_examples.py

Writes ``short_survey.plan``, ``short_survey.waypoints``, ``bay_survey.plan``,
``long_range.plan`` and
``laima.plan`` next to this script. Coordinates are rounded to 1e-7 degree (MAVLink
``MISSION_ITEM_INT`` resolution). Every positioned item and every leg (sampled every
200 m) is checked against the plan's own geofence before writing.
"""

from __future__ import annotations

from math import atan2, degrees
from pathlib import Path

from geographiclib.geodesic import Geodesic

from longwing.mission import (
    Fence,
    FenceCircle,
    FencePolygon,
    Home,
    MavFrame,
    Mission,
    MissionItem,
    RallyPoint,
    save_plan,
    save_wpl,
)

HERE = Path(__file__).resolve().parent
GEOD = Geodesic.WGS84

# Launch site of the 1998 Aerosonde "Laima" flight, Bell Island, Conception Bay, Newfoundland.
# Altitude is an approximate ground height (the island is a plateau); notional launch strip.
BELL_ISLAND = Home(47.63, -52.93, 60.0)
# Benbecula airport, Outer Hebrides (approximate reference point; elevation ~6 m).
BENBECULA = (57.4811, -7.3628, 6.0)
# St. John's International (CYYT) - kept clear with an exclusion circle.
CYYT = (47.6186, -52.7519)

AMSL = MavFrame.GLOBAL
REL = MavFrame.GLOBAL_RELATIVE_ALT


def r7(x: float) -> float:
    """Round to MAVLink's 1e-7 degree."""
    return round(x, 7)


def offset(lat: float, lon: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along ``azimuth_deg`` (geodesic)."""
    d = GEOD.Direct(lat, lon, azimuth_deg, distance_m)
    return r7(d["lat2"]), r7(d["lon2"])


def local(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A point at (east, north) metres from (lat, lon), via one geodesic."""
    dist = (east_m**2 + north_m**2) ** 0.5
    if dist == 0:
        return r7(lat), r7(lon)
    return offset(lat, lon, degrees(atan2(east_m, north_m)), dist)


def check_inside_fence(mission: Mission, name: str) -> None:
    """Every positioned item and every leg between them lies inside the fence."""
    points = [(mission.home.lat_deg, mission.home.lon_deg)]
    for _, it in mission.nav_items():
        if it.position is not None:
            points.append((it.lat_deg, it.lon_deg))
    for a, b in zip(points, points[1:], strict=False):
        line = GEOD.InverseLine(a[0], a[1], b[0], b[1])
        n = max(1, int(line.s13 // 200.0))
        for k in range(n + 1):
            p = line.Position(line.s13 * k / n)
            ok, reason = mission.fence.contains(p["lat2"], p["lon2"])
            if not ok:
                raise SystemExit(f"{name}: leg {a} -> {b} leaves the fence: {reason}")
    for k, rp in enumerate(mission.rally, start=1):
        ok, reason = mission.fence.contains(rp.lat_deg, rp.lon_deg)
        if not ok:
            raise SystemExit(f"{name}: rally point {k} outside the fence: {reason}")


def landing_sequence(
    touchdown: tuple[float, float],
    landing_heading_deg: float,
    approach_m: float,
    approach_alt_m: float,
    land_alt_m: float,
    frame: int,
    abort_alt_m: float,
) -> list[MissionItem]:
    """DO_LAND_START, approach waypoint on the extended centreline, NAV_LAND."""
    app = offset(touchdown[0], touchdown[1], landing_heading_deg + 180.0, approach_m)
    return [
        MissionItem.land_start(app[0], app[1], approach_alt_m, frame),
        MissionItem.waypoint(app[0], app[1], approach_alt_m, frame, acceptance_radius_m=30.0),
        MissionItem.land(touchdown[0], touchdown[1], land_alt_m, frame, abort_alt_m=abort_alt_m),
    ]


def survey_mission(lines, trigger_m: float, fence_en: tuple[tuple[float, float], ...]) -> Mission:
    """Take-off from Bell Island, climb, a camera survey along ``lines`` (start, end) at 120 m
    above home, two loiter turns, the landing sequence; fence vertices (east, north) m."""
    home = BELL_ISLAND
    runway_heading = 60.0
    to_point = offset(home.lat_deg, home.lon_deg, runway_heading, 600.0)
    climb = offset(home.lat_deg, home.lon_deg, runway_heading, 1500.0)
    items = [
        MissionItem.takeoff(to_point[0], to_point[1], 80.0, REL, pitch_deg=12.0),
        MissionItem.change_speed(22.0),
        MissionItem.waypoint(climb[0], climb[1], 120.0, REL),
        MissionItem.waypoint(lines[0][0][0], lines[0][0][1], 120.0, REL),
        MissionItem.cam_trigger_distance(trigger_m),
    ]
    for start, end in lines:
        items.append(MissionItem.waypoint(start[0], start[1], 120.0, REL))
        items.append(MissionItem.waypoint(end[0], end[1], 120.0, REL))
    items.append(MissionItem.cam_trigger_distance(0.0))
    loiter = offset(home.lat_deg, home.lon_deg, 200.0, 1800.0)
    items.append(
        MissionItem.loiter_turns(loiter[0], loiter[1], 100.0, REL, turns=2.0, radius_m=-150.0)
    )
    items.append(MissionItem.change_speed(20.0))
    touchdown = offset(home.lat_deg, home.lon_deg, runway_heading, 100.0)
    items += landing_sequence(touchdown, runway_heading, 1500.0, 50.0, 0.0, REL, 40.0)
    fence_vertices = tuple(local(home.lat_deg, home.lon_deg, e, n) for e, n in fence_en)
    rally = offset(home.lat_deg, home.lon_deg, 150.0, 800.0)
    return Mission(
        home=home,
        items=tuple(items),
        fence=Fence(
            polygons=(FencePolygon(fence_vertices, inclusion=True),),
            max_alt_above_home_m=150.0,
        ),
        rally=(RallyPoint(rally[0], rally[1], 80.0, REL),),
        cruise_speed_mps=22.0,
    )


def _lines(origin, step_azimuth_deg: float, spacing_m: float, n: int, length_m: float):
    """``n`` lawnmower lines of ``length_m`` along 240 deg, ``spacing_m`` apart."""
    lines = []
    for k in range(n):
        start = offset(origin[0], origin[1], step_azimuth_deg, spacing_m * k)
        end = offset(start[0], start[1], 240.0, length_m)
        lines.append((start, end) if k % 2 == 0 else (end, start))
    return lines


def short_survey() -> Mission:
    """Take-off from Bell Island, a 4-line camera survey, loiter, landing sequence."""
    # Survey block south-west of the strip: 4 lines of 1.6 km along 060/240, 150 m apart.
    origin = offset(BELL_ISLAND.lat_deg, BELL_ISLAND.lon_deg, 225.0, 1200.0)
    fence = ((-3600.0, -3300.0), (300.0, -3400.0), (2400.0, -300.0), (2600.0, 2200.0),
             (-200.0, 1200.0), (-3800.0, -200.0))  # fmt: skip
    return survey_mission(_lines(origin, 150.0, 150.0, 4, 1600.0), 40.0, fence)


def bay_survey() -> Mission:
    """About an hour: take-off from Bell Island, a 10-line camera survey of Conception Bay
    north-west of the island (lines of 5 km, 300 m apart), loiter, landing sequence."""
    origin = offset(BELL_ISLAND.lat_deg, BELL_ISLAND.lon_deg, 330.0, 3000.0)
    fence = ((-3600.0, -3300.0), (300.0, -3400.0), (2400.0, -300.0), (2600.0, 2200.0),
             (-1000.0, 7600.0), (-9500.0, 3000.0), (-9000.0, -500.0))  # fmt: skip
    return survey_mission(_lines(origin, -30.0, 300.0, 10, 5000.0), 60.0, fence)


def long_range() -> Mission:
    """A coastal patrol of the Avalon Peninsula from Bell Island and back (> 300 km)."""
    home = BELL_ISLAND
    runway_heading = 60.0
    to_point = offset(home.lat_deg, home.lon_deg, runway_heading, 600.0)
    # Approximate coastal way-points, clockwise round the Avalon Peninsula.
    route = [
        ("Cape St. Francis", 47.81, -52.79),
        ("off St. John's", 47.62, -52.60),
        ("Cape Spear", 47.52, -52.62),
        ("Bay Bulls", 47.31, -52.71),
        ("Ferryland", 47.02, -52.86),
        ("Cape Race", 46.66, -53.07),
        ("Trepassey", 46.74, -53.36),
        ("St. Mary's", 46.92, -53.58),
        ("Cape St. Mary's", 46.82, -54.18),
        ("Placentia", 47.24, -53.96),
        ("Whitbourne", 47.42, -53.53),
        ("Holyrood", 47.39, -53.13),
    ]
    items = [
        MissionItem.takeoff(to_point[0], to_point[1], 150.0, REL, pitch_deg=12.0),
        MissionItem.change_speed(25.0),
    ]
    for k, (_name, lat, lon) in enumerate(route):
        items.append(MissionItem.waypoint(lat, lon, 400.0, REL, acceptance_radius_m=100.0))
        if k == 5:  # Cape Race: a timed loiter to look at the lighthouse
            items.append(
                MissionItem.loiter_time(lat, lon, 300.0, REL, loiter_time_s=300.0, radius_m=200.0)
            )
    loiter = offset(home.lat_deg, home.lon_deg, 240.0, 2500.0)
    items.append(MissionItem.loiter_to_alt(loiter[0], loiter[1], 100.0, REL, radius_m=150.0))
    touchdown = offset(home.lat_deg, home.lon_deg, runway_heading, 100.0)
    items += landing_sequence(touchdown, runway_heading, 1500.0, 50.0, 0.0, REL, 40.0)
    fence = Fence(
        polygons=(
            FencePolygon(
                (
                    (48.00, -52.55),
                    (47.45, -52.45),
                    (46.55, -52.85),
                    (46.55, -53.30),
                    (46.70, -54.35),
                    (47.50, -54.10),
                    (47.75, -53.30),
                    (47.75, -53.05),
                ),
                inclusion=True,
            ),
        ),
        circles=(FenceCircle(CYYT[0], CYYT[1], 5000.0, inclusion=False),),
        max_alt_above_home_m=600.0,
    )
    rally = offset(home.lat_deg, home.lon_deg, 240.0, 3000.0)
    return Mission(
        home=home,
        items=tuple(items),
        fence=fence,
        rally=(
            RallyPoint(rally[0], rally[1], 150.0, REL),
            RallyPoint(47.04, -52.95, 200.0, REL),
        ),
        cruise_speed_mps=25.0,
    )


def laima() -> Mission:
    """Bell Island to Benbecula along the great circle at 1,500-1,800 m AMSL."""
    home = BELL_ISLAND
    runway_heading = 60.0
    to_point = offset(home.lat_deg, home.lon_deg, runway_heading, 600.0)
    climb = offset(home.lat_deg, home.lon_deg, runway_heading, 8000.0)
    # Landing at Benbecula towards 240 deg; the descent loiter lies off the approach.
    land_heading = 240.0
    touchdown = (r7(BENBECULA[0]), r7(BENBECULA[1]))
    descent = offset(touchdown[0], touchdown[1], 60.0, 6000.0)

    # Cruise way-points at every 1/11 of the geodesic from the climb point to the descent.
    line = GEOD.InverseLine(climb[0], climb[1], descent[0], descent[1])
    n_legs = 11
    cruise_alts = (1600, 1600, 1700, 1700, 1800, 1800, 1800, 1700, 1600, 1500)
    items = [
        MissionItem.takeoff(to_point[0], to_point[1], 300.0, REL, pitch_deg=12.0),
        MissionItem.change_speed(20.0),  # best range for the crossing (tailwind)
        MissionItem.waypoint(climb[0], climb[1], 800.0, REL),
    ]
    for k in range(1, n_legs):
        p = line.Position(line.s13 * k / n_legs)
        items.append(
            MissionItem.waypoint(
                r7(p["lat2"]),
                r7(p["lon2"]),
                float(cruise_alts[k - 1]),
                AMSL,
                acceptance_radius_m=500.0,
            )
        )
    items += [
        MissionItem.loiter_to_alt(descent[0], descent[1], 300.0, AMSL, radius_m=300.0),
        MissionItem.set_home(touchdown[0], touchdown[1], BENBECULA[2]),
        MissionItem.change_speed(22.0),
    ]
    items += landing_sequence(touchdown, land_heading, 2000.0, 70.0, BENBECULA[2], AMSL, 60.0)
    return Mission(
        home=home,
        items=tuple(items),
        fence=Fence(max_alt_above_home_m=2500.0),
        rally=(RallyPoint(descent[0], descent[1], 300.0 - home.alt_m, REL),),
        cruise_speed_mps=25.0,
    )


def main() -> None:
    """Write the examples and print their route lengths."""
    missions = {
        "short_survey": short_survey(),
        "bay_survey": bay_survey(),
        "long_range": long_range(),
        "laima": laima(),
    }
    for name, mission in missions.items():
        check_inside_fence(mission, name)
        save_plan(mission, HERE / f"{name}.plan")
        length_km = mission.route_length_m() / 1000.0
        print(f"{name}.plan: {len(mission.items)} items, route {length_km:.1f} km")
    save_wpl(missions["short_survey"], HERE / "short_survey.waypoints", drop_extras=True)
    print("short_survey.waypoints written")
    g = GEOD.Inverse(BELL_ISLAND.lat_deg, BELL_ISLAND.lon_deg, BENBECULA[0], BENBECULA[1])
    print(f"Bell Island -> Benbecula geodesic: {g['s12'] / 1000:.1f} km")


if __name__ == "__main__":
    main()
