"""Planning speed: a 3,000 km / 200-leg route check with a gridded wind and a DEM, and a
100 km^2 survey grid (issue 6 targets: < 0.5 s and < 1 s on this machine).

    .venv/bin/python benchmarks/bench_planning.py [--repeats 3] [--json]

The route: 200 legs of 15 km zig-zagging through a 300 km x 300 km box south-east of
Newfoundland at 600 m above home, landing back at home. Wind: a 1-degree grid at 3
altitudes, direction and speed varying with position (documented CSV format of
longwing.planning.windgrid). DEM: a synthetic fractal terrain over the box (500 m pixels,
0-400 m). The check samples the terrain every 100 m along every leg (~30,000 points). The
performance table (built once per airframe and reusable) is timed separately.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.airframe.loader import load_airframe
from longwing.geo.terrain_synthetic import synthetic_terrain
from longwing.mission.items import MavFrame, MissionItem
from longwing.mission.model import Home, Mission
from longwing.planning.area import SurveyArea
from longwing.planning.camera import parse_camera
from longwing.planning.check import check_mission
from longwing.planning.performance import PerformanceTable
from longwing.planning.survey import plan_survey
from longwing.planning.windgrid import WindGrid

HOME = (46.5, -52.0, 50.0)


def _route() -> Mission:
    g = Geodesic.WGS84
    home = Home(*HOME)
    amsl = MavFrame.GLOBAL
    items = [MissionItem.takeoff(HOME[0], HOME[1], 150.0, amsl)]
    lat, lon = HOME[0], HOME[1]
    for k in range(200):
        # zig-zag: 15 km legs alternating 060 / 120 deg, turning back west every 20 legs
        az = (60.0 if k % 2 == 0 else 120.0) + (180.0 if (k // 20) % 2 else 0.0)
        p = g.Direct(lat, lon, az, 15_000.0)
        lat, lon = p["lat2"], p["lon2"]
        items.append(MissionItem.waypoint(lat, lon, HOME[2] + 600.0, amsl))
    app = g.Direct(HOME[0], HOME[1], 90.0, 1500.0)
    items += [MissionItem.land_start(HOME[0], HOME[1]),
              MissionItem.waypoint(app["lat2"], app["lon2"], HOME[2] + 50.0, amsl),
              MissionItem.land(HOME[0], HOME[1], HOME[2], amsl)]  # fmt: skip
    return Mission(home=home, items=tuple(items))


def _wind() -> WindGrid:
    lats = np.arange(44.0, 49.01, 1.0)
    lons = np.arange(-56.0, -47.99, 1.0)
    alts = np.array([0.0, 1000.0, 3000.0])
    la, lo, al = np.meshgrid(lats, lons, alts, indexing="ij")
    speed = 6.0 + 0.5 * (la - 44.0) + 0.002 * al
    from_rad = np.radians(250.0 + 5.0 * (lo + 52.0))
    wn, we = -speed * np.cos(from_rad), -speed * np.sin(from_rad)
    return WindGrid.from_arrays(lats, lons, alts, wn, we)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    af = load_airframe("aerosonde")
    t0 = time.perf_counter()
    table = PerformanceTable.build(af)
    t_table = time.perf_counter() - t0
    mission = _route()
    wind = _wind()
    dem = synthetic_terrain(47.8, -50.0, 420.0, 500.0, np.random.default_rng(1), relief_m=400.0,
                            base_m=0.0)  # fmt: skip
    check_mission(mission, af, table=table, wind=wind, terrain=dem)  # warm-up
    walls = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        res = check_mission(mission, af, table=table, wind=wind, terrain=dem)
        walls.append(time.perf_counter() - t0)
    s = res.summary()
    area = SurveyArea.from_points([(47.60, -52.95), (47.60, -52.8177), (47.69, -52.8177),
                                   (47.69, -52.95)])  # fmt: skip
    cam = parse_camera("13.2,8.8,10.4,5472,3648")
    survey_walls = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        plan = plan_survey(area, cam, turn_radius_m=120.0, gsd_m=0.03, home=(47.595, -52.96))
        survey_walls.append(time.perf_counter() - t0)
    out = {
        "table_build_s": t_table,
        "route_km": s["total_distance_m"] / 1000.0,
        "route_legs": len(s["legs"]),
        "route_check_s_best": min(walls),
        "route_check_s_all": walls,
        "route_feasible": s["feasible"],
        "survey_area_km2": plan.area_m2 / 1e6,
        "survey_lines": plan.line_count,
        "survey_s_best": min(survey_walls),
        "targets": {"route_check_s": 0.5, "survey_s": 1.0},
    }
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"performance table build: {t_table:.2f} s (once per airframe)")
    print(f"route check: {out['route_km']:.0f} km, {out['route_legs']} legs, gridded wind + DEM "
          f"(terrain every 100 m): {out['route_check_s_best']:.3f} s best of {args.repeats} "
          f"(target < 0.5 s)")  # fmt: skip
    print(f"survey grid: {out['survey_area_km2']:.1f} km^2, {plan.line_count} lines at 3 cm "
          f"GSD: {out['survey_s_best']:.3f} s (target < 1 s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
