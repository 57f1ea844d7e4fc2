"""Closed-loop speed over terrain: the same flight with no DEM (the flat world) and over a
DEM looked up every physics step (issue 13 target: within 10 % of flat ground).

    .venv/bin/python benchmarks/bench_terrain.py [--repeats 3] [--json]

The flight: examples/long_range.plan (about an hour) in a 90@8 wind, seed 1. The DEM: a
synthetic fractal terrain of 90 m pixels over the route's 120 km box, 0-40 m above home
(below every leg's clearance, so both flights fly the same route). Each flight is timed
warm (kernels compiled and cached by a first, untimed flight of each).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from longwing.airframe.loader import load_airframe
from longwing.geo.terrain_synthetic import synthetic_terrain
from longwing.mission import load_mission
from longwing.physics.wind import parse_wind
from longwing.sim.runner import FlightScenario, fly

PLAN = Path(__file__).resolve().parents[1] / "examples" / "long_range.plan"


def _time(sc: FlightScenario, repeats: int) -> tuple[float, dict]:
    fly(sc)  # warm-up: compile/load the kernels for this configuration
    best = float("inf")
    summary: dict = {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        summary = fly(sc).summary
        best = min(best, time.perf_counter() - t0)
    return best, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    af = load_airframe("aerosonde")
    mission = load_mission(PLAN)
    home = mission.home
    dem = synthetic_terrain(home.lat_deg, home.lon_deg, 120.0, 90.0, np.random.default_rng(1),
                            relief_m=40.0, base_m=home.alt_m - 5.0)  # fmt: skip
    common = dict(wind=parse_wind("90@8"), seed=1)
    flat_s, flat = _time(FlightScenario(af, mission, **common), args.repeats)
    dem_s, over = _time(FlightScenario(af, mission, terrain=dem, **common), args.repeats)
    out = {
        "flight_s": flat["flight_time_s"],
        "flat_wall_s": flat_s,
        "dem_wall_s": dem_s,
        "dem_over_flat": dem_s / flat_s,
        "dem_pixels": int(dem.heights_m.size),
        "end_states": [flat["end_state"], over["end_state"]],
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"long_range.plan, {out['flight_s']:.0f} s flown: flat {flat_s:.3f} s, over a "
          f"{dem.n_rows}x{dem.n_cols} DEM {dem_s:.3f} s (x{dem_s / flat_s:.3f}); "
          f"end states {out['end_states']}")  # fmt: skip


if __name__ == "__main__":
    main()
