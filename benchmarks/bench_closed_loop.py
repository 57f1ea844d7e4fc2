"""Real-time factor of longwing's full closed loop, against JSBSim's FDM alone, in one run.

The closed loop is everything `longwing fly` runs per 10 ms step: truth 6-DOF (RK4 on the
rotating WGS84 Earth), wind and Dryden turbulence, IMU/GNSS/baro/pitot/magnetometer models,
the navigation EKF, L1 guidance, TECS and the attitude loops, logging at 10 Hz. JSBSim
(PyPI ``jsbsim``, c172x, output disabled) is timed by ``bench_physics.bench_jsbsim`` at
1/120 s. Target (issue 3): closed-loop steps/s >= 3x JSBSim FDM-alone steps/s, and the
Laima replica (examples/laima.plan) in < 30 s wall.

    .venv/bin/python benchmarks/bench_closed_loop.py [--seconds 3600] [--repeats 3] [--laima]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_physics import bench_jsbsim  # noqa: E402

from longwing.airframe.loader import load_airframe  # noqa: E402
from longwing.mission import load_mission  # noqa: E402
from longwing.physics.turbulence import Turbulence  # noqa: E402
from longwing.physics.wind import parse_wind  # noqa: E402
from longwing.sim.runner import FlightScenario, fly  # noqa: E402

EXAMPLES = HERE.parent / "examples"


def bench_closed(seconds: float, repeats: int) -> dict:
    af = load_airframe("aerosonde")
    mission = load_mission(EXAMPLES / "long_range.plan")
    sc = FlightScenario(af, mission, wind=parse_wind("270@8"), turbulence=Turbulence.LIGHT,
                        seed=1, max_duration_s=seconds)  # fmt: skip
    t0 = time.perf_counter()
    fly(FlightScenario(af, mission, max_duration_s=1.0))  # compile or load the kernels
    warm = time.perf_counter() - t0
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = fly(sc)
        walls.append(time.perf_counter() - t0)
    steps = res.summary["flight_time_s"] / sc.dt_s
    best = min(walls)
    sim_s = res.summary["flight_time_s"]
    return {
        "steps": steps, "sim_s": sim_s, "wall_s_best": best, "wall_s_all": walls,
        "steps_per_s": steps / best, "realtime_factor": sim_s / best, "first_run_s": warm,
    }  # fmt: skip


def bench_laima() -> dict:
    af = load_airframe("aerosonde")
    mission = load_mission(EXAMPLES / "laima.plan")
    sc = FlightScenario(af, mission, wind=parse_wind("250@10"), seed=1)
    t0 = time.perf_counter()
    res = fly(sc)
    wall = time.perf_counter() - t0
    s = res.summary
    keys = ("flight_time_s", "distance_km", "end_state", "end_reason", "fuel_used_kg",
            "realtime_factor")  # fmt: skip
    return {"wall_s": wall, **{k: s[k] for k in keys}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3600.0, help="simulated flight per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--laima", action="store_true", help="also fly the Laima replica")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    closed = bench_closed(args.seconds, args.repeats)
    jsb = bench_jsbsim(72_000, args.repeats)
    ratio = closed["steps_per_s"] / jsb["steps_per_s"]
    out = {"closed_loop": closed, "jsbsim": jsb, "ratio_vs_jsbsim": ratio, "target_ratio": 3.0}
    if args.laima:
        out["laima"] = bench_laima()
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    rate, rtf = closed["steps_per_s"], closed["realtime_factor"]
    print(f"closed loop (long_range.plan, 270@8, light turbulence, EKF): {rate:,.0f} steps/s "
          f"at 100 Hz = {rtf:,.0f}x real time (best of {args.repeats}; "
          f"first run {closed['first_run_s']:.1f} s)")  # fmt: skip
    print(f"JSBSim c172x FDM alone at 120 Hz: {jsb['steps_per_s']:,.0f} steps/s")
    print(f"ratio: {out['ratio_vs_jsbsim']:.2f}x (target >= 3x)")
    if args.laima:
        la = out["laima"]
        print(f"Laima replica: {la['wall_s']:.1f} s wall for {la['flight_time_s'] / 3600:.1f} h "
              f"({la['distance_km']:.0f} km, {la['end_state']}: {la['end_reason']}; "
              f"target < 30 s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
