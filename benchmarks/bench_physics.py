"""Steps per second of longwing's 6-DOF against JSBSim, at the same time step (1/120 s).

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_physics.py``). Measures, in one
run and on one core:

(a) physics only: a small numba driver in this file calling ``rigidbody.rk4_step`` n times with
    the trim controls held (aerosonde, 25 m/s, 1500 m);
(b) the full fast loop: ``simulate_open_loop`` with the hold loops on, calm air and moderate
    turbulence (end to end: trim, chunked kernel calls, noise, logging at 10 Hz, summary);
(c) JSBSim (PyPI ``jsbsim``, bundled ``c172x``), trimmed in level flight at 5000 ft and
    100 kt, ``fdm.run()`` called from a Python loop: how a Python user drives it.

Each figure is the best of ``--repeats`` timed runs of ``--seconds`` of simulated flight, after
a warm-up run; the warm-up (JIT compile or cache load, model load) is reported separately.
``--json`` prints one JSON object instead of the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numba
import numpy as np
from numba import njit

from longwing.airframe.loader import load_airframe
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.physics.rigidbody import N_ENV, make_work, rk4_step
from longwing.physics.state import PX, QW, VX
from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
from longwing.physics.turbulence import Turbulence
from longwing.sim.openloop import OpenLoopScenario, simulate_open_loop

DT_S = 1.0 / 120.0
TARGET_RATIO = 10.0

# Flight condition for longwing (aerosonde).
AIRFRAME = "aerosonde"
AIRSPEED_MPS = 25.0
ALT_M = 1500.0
LAT_RAD = math.radians(47.56)
LON_RAD = math.radians(-52.71)
HEADING_RAD = math.radians(60.0)
FUEL_KG = 4.0
GROUND_ALT_M = 0.0
ALT_CHECK_EVERY = 12  # steps between altitude checks in the physics-only driver (10 Hz)

# Flight condition for JSBSim (c172x).
JSB_MODEL = "c172x"
JSB_ALT_FT = 5000.0
JSB_SPEED_KT = 100.0
M_PER_FT = 0.3048
_OUTPUT_DIR = tempfile.TemporaryDirectory(prefix="bench_jsbsim_")


# --------------------------------------------------------------------------------------------
# (a) physics only


@njit
def physics_driver(
    x0, ctrl, env, engine_on, aero_on, aero, mass, prop, gp, dt, n_steps, work, ground_alt_m
):
    """Fly ``n_steps`` RK4 steps from ``x0`` with the controls held.

    The state is checked for NaN/inf every step and for ground contact every
    ``ALT_CHECK_EVERY`` steps; on either, the flight restarts from ``x0``, so every timed step
    is a step of real flight. Returns the final state and the number of restarts.
    """
    x = x0.copy()
    restarts = 0
    for i in range(n_steps):
        rk4_step(x, ctrl, env, engine_on, aero_on, aero, mass, prop, gp, dt, work)
        bad = not math.isfinite(x[PX] + x[VX] + x[VX + 1] + x[VX + 2] + x[QW])
        if not bad and i % ALT_CHECK_EVERY == 0:
            _, _, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
            bad = h <= ground_alt_m
        if bad:
            x[:] = x0
            restarts += 1
    return x, restarts


def bench_physics_only(n_steps: int, repeats: int) -> dict:
    t0 = time.perf_counter()
    af = load_airframe(AIRFRAME)
    cond = TrimCondition(AIRSPEED_MPS, ALT_M, LAT_RAD, FUEL_KG)
    tr, x0 = trim_on_ellipsoid(af, cond, LON_RAD, HEADING_RAD)
    ctrl = tr.controls()
    env = np.zeros(N_ENV)
    work = make_work()
    setup_s = time.perf_counter() - t0

    def run(n: int) -> tuple[np.ndarray, int]:
        return physics_driver(
            x0,
            ctrl,
            env,
            True,
            True,
            af.aero,
            af.mass,
            af.prop,
            af.ground,
            DT_S,
            n,
            work,
            GROUND_ALT_M,
        )

    t0 = time.perf_counter()
    run(1)  # JIT-compiles the driver (and loads or compiles the longwing kernels)
    warmup_s = time.perf_counter() - t0

    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        x, restarts = run(n_steps)
        walls.append(time.perf_counter() - t0)
    _, _, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    return _result(
        n_steps,
        walls,
        setup_s=setup_s,
        warmup_s=warmup_s,
        restarts=int(restarts),
        final_alt_m=float(h),
        final_finite=bool(np.all(np.isfinite(x))),
    )


# --------------------------------------------------------------------------------------------
# (b) full fast loop


def _scenario(seconds: float, turbulence: Turbulence) -> OpenLoopScenario:
    return OpenLoopScenario(
        airframe=load_airframe(AIRFRAME),
        airspeed_mps=AIRSPEED_MPS,
        alt_m=ALT_M,
        lat_rad=LAT_RAD,
        lon_rad=LON_RAD,
        heading_rad=HEADING_RAD,
        duration_s=seconds,
        fuel_kg=FUEL_KG,
        turbulence=turbulence,
        seed=1,
        dt_s=DT_S,
        hold=True,
    )


def bench_open_loop(seconds: float, repeats: int, turbulence: Turbulence) -> dict:
    t0 = time.perf_counter()
    simulate_open_loop(_scenario(1.0, turbulence))  # JIT compile or cache load of run_chunk
    warmup_s = time.perf_counter() - t0

    sc = _scenario(seconds, turbulence)
    n_steps = round(seconds / DT_S)
    walls = []
    summary: dict = {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = simulate_open_loop(sc)
        walls.append(time.perf_counter() - t0)
        summary = res.summary
    return _result(
        n_steps,
        walls,
        warmup_s=warmup_s,
        end_reason=summary["end_reason"],
        flight_time_s=summary["flight_time_s"],
        final_alt_m=summary["final"]["alt_m"],
        rms_alt_err_m=summary["rms_alt_err_m"],
    )


# --------------------------------------------------------------------------------------------
# (c) JSBSim


def _jsbsim_fdm(jsbsim: ModuleType) -> Any:
    """A trimmed c172x in level flight (``jsbsim`` is passed in: it is an optional import)."""
    fdm = jsbsim.FGFDMExec(None)  # None: the aircraft/engine/systems bundled with the wheel
    # c172x declares a CSV <output>; its file is created (header only) even with output
    # disabled, so point it at a throw-away directory rather than the working directory.
    fdm.set_output_path(_OUTPUT_DIR.name)
    fdm.disable_output()
    if not fdm.load_model(JSB_MODEL):
        raise RuntimeError(f"JSBSim could not load {JSB_MODEL} from {fdm.get_root_dir()}")
    fdm.disable_output()
    fdm["ic/h-sl-ft"] = JSB_ALT_FT
    fdm["ic/vt-kts"] = JSB_SPEED_KT
    fdm["ic/lat-geod-deg"] = math.degrees(LAT_RAD)
    fdm["ic/long-gc-deg"] = math.degrees(LON_RAD)
    fdm["ic/psi-true-deg"] = math.degrees(HEADING_RAD)
    fdm.set_dt(DT_S)
    fdm["propulsion/set-running"] = -1  # all engines running
    fdm["fcs/mixture-cmd-norm"] = 1.0
    fdm["fcs/throttle-cmd-norm"] = 0.75
    if not fdm.run_ic():
        raise RuntimeError("JSBSim run_ic() failed")
    fdm["simulation/do_simple_trim"] = 1  # full trim, level flight
    return fdm


def bench_jsbsim(n_steps: int, repeats: int) -> dict:
    try:
        import jsbsim
    except ImportError as exc:
        return {"error": f"jsbsim not importable: {exc}"}
    jsbsim.FGJSBBase().debug_lvl = 0  # no banner on stdout

    t0 = time.perf_counter()
    fdm = _jsbsim_fdm(jsbsim)
    load_s = time.perf_counter() - t0
    throttle = float(fdm["fcs/throttle-cmd-norm"])
    run = fdm.run
    t0 = time.perf_counter()
    for _ in range(120):  # warm-up: one simulated second
        run()
    warmup_s = load_s + time.perf_counter() - t0

    walls = []
    for _ in range(repeats):
        fdm = _jsbsim_fdm(jsbsim)  # fresh, trimmed aircraft for every timed run
        run = fdm.run
        t0 = time.perf_counter()
        for _ in range(n_steps):
            run()
        walls.append(time.perf_counter() - t0)
    final_alt_m = float(fdm["position/h-sl-ft"]) * M_PER_FT
    sim_time_s = float(fdm["simulation/sim-time-sec"])

    # Python cost of one bound-method call into the extension, from the same loop shape:
    # an estimate of the per-step overhead included in the figure above.
    call = fdm.get_sim_time
    overhead = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n_steps):
            call()
        overhead.append(time.perf_counter() - t0)
    overhead_s = min(overhead) / n_steps
    step_s = min(walls) / n_steps
    return _result(
        n_steps,
        walls,
        version=jsbsim.__version__,
        model=JSB_MODEL,
        root_dir=str(fdm.get_root_dir()),
        load_s=load_s,
        warmup_s=warmup_s,
        trim_throttle=throttle,
        sim_time_s=sim_time_s,
        final_alt_m=final_alt_m,
        python_call_overhead_ns=overhead_s * 1e9,
        steps_per_s_minus_call_overhead=1.0 / (step_s - overhead_s),
    )


# --------------------------------------------------------------------------------------------


def _result(n_steps: int, walls: list[float], **extra: object) -> dict:
    best = min(walls)
    return {
        "steps": n_steps,
        "wall_s_best": best,
        "wall_s_all": walls,
        "steps_per_s": n_steps / best,
        "realtime_factor": n_steps * DT_S / best,
        **extra,
    }


def _machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "platform": platform.platform(),
    }


def run_all(seconds: float, repeats: int, log: Callable[[str], None]) -> dict:
    n_steps = round(seconds / DT_S)
    log(f"(a) physics only: {n_steps} steps x {repeats}")
    phys = bench_physics_only(n_steps, repeats)
    log("(b) full fast loop, calm")
    calm = bench_open_loop(seconds, repeats, Turbulence.NONE)
    log("(b) full fast loop, moderate turbulence")
    turb = bench_open_loop(seconds, repeats, Turbulence.MODERATE)
    log(f"(c) JSBSim {JSB_MODEL}: {n_steps} steps x {repeats}")
    jsb = bench_jsbsim(n_steps, repeats)
    ref = jsb.get("steps_per_s")
    ratios = {}
    if ref:
        ratios = {
            "physics_only": phys["steps_per_s"] / ref,
            "fast_loop_calm": calm["steps_per_s"] / ref,
            "fast_loop_moderate": turb["steps_per_s"] / ref,
        }
    return {
        "dt_s": DT_S,
        "sim_seconds": seconds,
        "steps": n_steps,
        "repeats": repeats,
        "machine": _machine(),
        "longwing": {
            "airframe": AIRFRAME,
            "physics_only": phys,
            "fast_loop_calm": calm,
            "fast_loop_moderate": turb,
        },
        "jsbsim": jsb,
        "ratio_vs_jsbsim": ratios,
        "target_ratio": TARGET_RATIO,
    }


def print_table(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=max(Console().width, 100))  # keep table rows on one line in pipes
    m = res["machine"]
    jsb = res["jsbsim"]
    lw = res["longwing"]
    ratios = res["ratio_vs_jsbsim"]
    con.print(
        f"[bold]longwing vs JSBSim[/bold]  dt = 1/{round(1 / res['dt_s'])} s, "
        f"{res['sim_seconds']:g} s simulated = {res['steps']} steps, best of {res['repeats']}\n"
        f"{m['cpu']}, {m['nproc']} cores; Python {m['python']}, numba {m['numba']}, "
        f"JSBSim {jsb.get('version', 'n/a')}"
    )
    t = Table(show_lines=False)
    t.add_column("what")
    t.add_column("steps/s", justify="right")
    t.add_column("x realtime", justify="right")
    t.add_column("best wall s", justify="right")
    t.add_column("first run s", justify="right")
    t.add_column("vs JSBSim", justify="right")

    def ratio_cell(key: str) -> str:
        if key not in ratios:
            return "n/a"
        r = ratios[key]
        colour = "green" if r >= res["target_ratio"] else "red"
        return f"[{colour}]{r:.1f}x[/{colour}]"

    rows = [
        ("(a) longwing rk4_step only", lw["physics_only"], "physics_only"),
        ("(b) longwing fast loop, calm", lw["fast_loop_calm"], "fast_loop_calm"),
        ("(b) longwing fast loop, moderate", lw["fast_loop_moderate"], "fast_loop_moderate"),
    ]
    for name, r, key in rows:
        t.add_row(
            name,
            f"{r['steps_per_s']:,.0f}",
            f"{r['realtime_factor']:,.0f}",
            f"{r['wall_s_best']:.3f}",
            f"{r['warmup_s']:.2f}",
            ratio_cell(key),
        )
    if "error" in jsb:
        t.add_row(f"JSBSim {JSB_MODEL}", jsb["error"], "", "", "", "")
    else:
        t.add_row(
            f"JSBSim {jsb['model']} fdm.run() (Python)",
            f"{jsb['steps_per_s']:,.0f}",
            f"{jsb['realtime_factor']:,.0f}",
            f"{jsb['wall_s_best']:.3f}",
            f"{jsb['warmup_s']:.2f}",
            "1.0x",
        )
    con.print(t)
    phys = lw["physics_only"]
    con.print(
        f"target: longwing >= {res['target_ratio']:g}x JSBSim steps/s.  "
        f"first run s = JIT compile or numba-cache load (longwing), model load + trim + "
        f"1 s of flight (JSBSim)."
    )
    con.print(
        f"(a) restarts from the initial state: {phys['restarts']}; final altitude "
        f"{phys['final_alt_m']:.0f} m (held trim controls, no autopilot).  "
        f"(b) end to end: trim, chunked kernel calls, turbulence noise, 10 Hz log, summary."
    )
    if "error" not in jsb:
        con.print(
            f"JSBSim figure includes the Python call per step (~"
            f"{jsb['python_call_overhead_ns']:.0f} ns, measured with get_sim_time()); without it "
            f"~{jsb['steps_per_s_minus_call_overhead']:,.0f} steps/s. Trimmed level flight at "
            f"{JSB_ALT_FT:g} ft, {JSB_SPEED_KT:g} kt; altitude after the last run "
            f"{jsb['final_alt_m']:.0f} m."
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--seconds", type=float, default=600.0, help="simulated seconds per timed run (600)"
    )
    ap.add_argument("--repeats", type=int, default=3, help="timed runs; the best is kept (3)")
    ap.add_argument("--json", action="store_true", help="print one JSON object, no table")
    args = ap.parse_args(argv)
    if not args.seconds > 0.0:
        ap.error("--seconds must be positive")
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    res = run_all(args.seconds, args.repeats, log)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
