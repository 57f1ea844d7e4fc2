"""JSBSim aircraft in longwing's flight core (issue 16): the kernels' aerodynamics
(``physics.aero.aero_forces_moments`` with a table airframe, filled from the simulator's SI
state) against JSBSim itself at random states, and longwing's trim against JSBSim's own
``simulation/do_simple_trim``.

Forces: JSBSim is put in a random state by its initial conditions, out of ground effect
(longwing takes the reference point's height as the CG's); the SI state read back
(air-relative velocity, body rates, surfaces, density, height) fills longwing's properties
(``physics.table_aero.fill_props``; the Mach and Reynolds numbers within 0.2 % of
JSBSim's). Then what the flight core does not model yet is given JSBSim's values: alphadot
and betadot (0 in the flight core), the propeller's induced velocity and thrust coefficient
(J3Cub's tail reads them), the last step's CL^2, and the Mach and Reynolds numbers exactly;
the aircraft is evaluated and the body forces and moments must equal JSBSim's to 1e-6
relative (+ 1e-3 N or N m for components near zero). Measured: 3e-14 at worst.

Trim: both with the tanks nearly empty (longwing keeps its fuel at the CG, JSBSim's tanks
move the CG), wings level, no climb, at airspeeds and heights of each aircraft's cruise.
Measured 2026-12-08: alpha within 0.04 deg, elevator within 0.33 deg (the engine's thrust
line: longwing's thrust acts through the CG). The throttle is not compared: longwing flies
its own engine law (docs/jsbsim.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

jsbsim = pytest.importorskip("jsbsim")

from longwing.airframe.loader import AirframeError, load_airframe  # noqa: E402
from longwing.jsbsim import properties as P  # noqa: E402
from longwing.jsbsim.units import FT_M, LBF_N, SLUG_KG  # noqa: E402
from longwing.physics import trim as T  # noqa: E402
from longwing.physics.aero import aero_forces_moments  # noqa: E402
from longwing.physics.table_aero import fill_props, forces_from_props  # noqa: E402

RESULTS = ("forces/fbx-aero-lbs", "forces/fby-aero-lbs", "forces/fbz-aero-lbs",
           "moments/l-aero-lbsft", "moments/m-aero-lbsft", "moments/n-aero-lbsft")  # fmt: skip
KTS = {"c172x": (50.0, 130.0), "c310": (90.0, 200.0), "J3Cub": (40.0, 80.0)}


def _fdm(name: str):
    fdm = jsbsim.FGFDMExec(None)
    fdm.set_debug_level(0)
    assert fdm.load_model(name)
    fdm.disable_output()
    cat = [c.split(" ")[0] for c in fdm.get_property_catalog()]
    tanks = [c for c in cat if c.startswith("propulsion/tank") and c.endswith("/contents-lbs")]
    return fdm, tanks


@pytest.mark.parametrize("name", list(KTS))
def test_kernel_forces_from_the_si_state_equal_jsbsims(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    af = load_airframe(f"jsbsim:{name}")
    fdm, tanks = _fdm(name)
    rng = np.random.default_rng(3)
    worst, n, tries = 0.0, 0, 0
    while n < 60:
        tries += 1
        assert tries < 600, "too few states longwing can fly (antisymmetric ailerons, no flaps)"
        for tank in tanks:
            fdm[tank] = 0.0  # longwing's CG: the empty aircraft and its point masses
        fdm["ic/vt-kts"] = rng.uniform(*KTS[name])
        fdm["ic/h-agl-ft"] = rng.uniform(300.0, 9000.0)
        fdm["ic/alpha-deg"] = rng.uniform(-5.0, 14.0)
        fdm["ic/beta-deg"] = rng.uniform(-10.0, 10.0)
        for axis in ("p", "q", "r"):
            fdm[f"ic/{axis}-rad_sec"] = rng.uniform(-0.5, 0.5)
        for surface in ("elevator", "aileron", "rudder"):
            fdm[f"fcs/{surface}-cmd-norm"] = rng.uniform(-0.6, 0.6)
        fdm["fcs/flap-cmd-norm"] = 0.0
        fdm.run_ic()
        da = fdm["fcs/left-aileron-pos-rad"]
        if abs(fdm["fcs/right-aileron-pos-rad"] + da) > 1e-12:  # e.g. c172x: -20..+15 deg
            fdm["fcs/aileron-cmd-norm"] = 0.0  # longwing's aileron is antisymmetric
            fdm.run_ic()
            da = fdm["fcs/left-aileron-pos-rad"]
        if abs(fdm["fcs/right-aileron-pos-rad"] + da) > 1e-12 or fdm["fcs/flap-pos-deg"] != 0.0:
            continue  # its flaps stay up
        u, v, w = (fdm[f"velocities/{c}-aero-fps"] * FT_M for c in "uvw")
        p, q, r = (fdm[f"velocities/{c}-aero-rad_sec"] for c in "pqr")
        rho = fdm["atmosphere/rho-slugs_ft3"] * SLUG_KG / FT_M**3
        args = (u, v, w, p, q, r, fdm["fcs/elevator-pos-rad"], da, fdm["fcs/rudder-pos-rad"],
                rho, fdm["position/h-agl-ft"] * FT_M)  # fmt: skip
        t = af.aero.table
        vt = fill_props(t, *args)
        t.props[P.ALPHADOT] = fdm["aero/alphadot-rad_sec"]  # JSBSim's from its ic; the
        t.props[P.BETADOT] = fdm["aero/betadot-rad_sec"]  # flight core's are 0
        t.props[P.SLOT["aero/cl-squared"]] = fdm["aero/cl-squared"]  # JSBSim's last CL^2
        for prop in ("velocities/mach", "aero/Re"):  # ours from the ISA temperature
            if fdm.get_property_manager().hasNode(prop):
                assert t.props[P.SLOT[prop]] == pytest.approx(fdm[prop], rel=2e-3), prop
                t.props[P.SLOT[prop]] = fdm[prop]
        engine = [x for x in P.PROPERTIES if x.name.startswith("propulsion/engine")]
        for x in engine:  # the propeller's slipstream (J3Cub): 0 in the flight core so far
            if fdm.get_property_manager().hasNode(x.name):
                t.props[P.SLOT[x.name]] = fdm[x.name]
        got = forces_from_props(t, u, v, w, vt)
        if fdm["aero/alphadot-rad_sec"] == 0.0 and fdm["aero/betadot-rad_sec"] == 0.0:
            assert aero_forces_moments(*args[:10], af.aero, args[10]) == got  # the kernel's path
        for k, (g, prop) in enumerate(zip(got, RESULTS, strict=True)):
            want = fdm[prop] * (LBF_N if k < 3 else LBF_N * FT_M)
            assert abs(g - want) <= 1e-6 * abs(want) + 1e-3, (n, prop, g, want)
            if abs(want) > 10.0:
                worst = max(worst, abs(g - want) / abs(want))
        n += 1
    print(f"\n{name}: 60 states, max relative difference {worst:.2e}")


def _jsbsim_trim(name: str, v_mps: float, h_m: float) -> tuple[float, float, float]:
    fdm, tanks = _fdm(name)
    for t in tanks:
        fdm[t] = 1.0  # lb: the engine runs, the CG stays where longwing's is
    fdm["ic/h-sl-ft"] = h_m / FT_M
    fdm["ic/vt-fps"] = v_mps / FT_M
    fdm["ic/gamma-deg"] = 0.0
    fdm.run_ic()
    fdm["propulsion/set-running"] = -1
    fdm.run_ic()
    fdm["simulation/do_simple_trim"] = 1
    return fdm["aero/alpha-rad"], fdm["fcs/elevator-pos-rad"], len(tanks) * 0.45359237


@pytest.mark.parametrize(("name", "v_mps", "h_m"), [
    ("c172x", 35.0, 300.0), ("c172x", 45.0, 1000.0), ("c172x", 55.0, 2000.0),
    ("c310", 60.0, 1000.0), ("c310", 58.0, 1500.0),
])  # fmt: skip
def test_trim_agrees_with_jsbsims_trim(name, v_mps, h_m, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    alpha, elevator, fuel_kg = _jsbsim_trim(name, v_mps, h_m)
    tr = T.trim(load_airframe(f"jsbsim:{name}"), T.TrimCondition(
        airspeed_mps=v_mps, altitude_m=h_m, fuel_kg=fuel_kg, latitude_rad=0.0))  # fmt: skip
    print(f"\n{name} {v_mps} m/s {h_m} m: alpha {math.degrees(tr.alpha_rad - alpha):+.3f} deg, "
          f"elevator {math.degrees(tr.elevator_rad - elevator):+.3f} deg")  # fmt: skip
    assert abs(math.degrees(tr.alpha_rad - alpha)) < 0.1
    assert abs(math.degrees(tr.elevator_rad - elevator)) < 0.5


def test_what_cannot_be_flown_is_one_line():
    for spec, words in (("jsbsim:nope", "aircraft file not found"),
                        ("jsbsim:mk82", "no fuel tank")):  # fmt: skip
        with pytest.raises(AirframeError) as exc:
            load_airframe(spec)
        assert "\n" not in str(exc.value) and words in str(exc.value)
