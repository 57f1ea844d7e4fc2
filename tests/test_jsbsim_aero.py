"""The compiled aerodynamics against JSBSim itself (the jsbsim package, same aircraft files).

For each aircraft, random states in the envelope (airspeed, height including ground
effect, alpha up to past the stall, sideslip, body rates, surfaces, flaps, gear, power) are
set as JSBSim initial conditions; run_ic() then 1..60 steps of fdm.run() (so the
actuators and flaps move and alphadot/betadot are JSBSim's own, from its last
accelerations). Every input the compiled functions read is then read back from JSBSim, the
forces and moments computed here and compared with forces/fb*-aero-lbs and
moments/*-aero-lbsft: |ours - jsbsim| <= 1e-6 |jsbsim| + 1e-6 (lbf or lbf ft: the floor
for components near zero). The derived properties (qbar-area, bi2vel, ...) and every
named function are compared too, to say where a difference starts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

jsbsim = pytest.importorskip("jsbsim")

from longwing.jsbsim import properties as P  # noqa: E402
from longwing.jsbsim.aero import aero_forces_moments, aero_forces_moments_si  # noqa: E402
from longwing.jsbsim.compile_aero import compile_aircraft, new_props  # noqa: E402
from longwing.jsbsim.units import FT_M, LBF_N  # noqa: E402
from longwing.jsbsim.xml_model import load_aircraft  # noqa: E402

N_STATES = 200
RTOL = 1e-6
ATOL = 1e-6  # lbf, lbf ft
RESULTS = (
    "forces/fbx-aero-lbs",
    "forces/fby-aero-lbs",
    "forces/fbz-aero-lbs",
    "moments/l-aero-lbsft",
    "moments/m-aero-lbsft",
    "moments/n-aero-lbsft",
)
# true airspeed range, kts, per aircraft
ENVELOPE_KTS = {
    "c172x": (45.0, 140.0),
    "c172p": (45.0, 140.0),
    "c310": (70.0, 220.0),
    "J3Cub": (35.0, 90.0),
    "pa28": (50.0, 150.0),
}


def _fdm(name: str, tmp_path) -> jsbsim.FGFDMExec:
    fdm = jsbsim.FGFDMExec(None)
    fdm.set_debug_level(0)
    assert fdm.load_model(name)
    fdm.disable_output()
    return fdm


def _has(fdm, name: str) -> bool:
    return fdm.get_property_manager().hasNode(name)


def _random_state(fdm, rng: np.random.Generator, name: str, n_engines: int) -> None:
    lo, hi = ENVELOPE_KTS[name]
    fdm["ic/vt-kts"] = rng.uniform(lo, hi)
    low = rng.random() < 0.3  # in ground effect
    fdm["ic/h-agl-ft"] = rng.uniform(4.0, 40.0) if low else rng.uniform(100.0, 10000.0)
    fdm["ic/alpha-deg"] = rng.uniform(-8.0, 24.0)
    fdm["ic/beta-deg"] = rng.uniform(-12.0, 12.0)
    fdm["ic/phi-deg"] = rng.uniform(-30.0, 30.0)
    fdm["ic/theta-deg"] = rng.uniform(-10.0, 15.0)
    for axis in ("p", "q", "r"):
        fdm[f"ic/{axis}-rad_sec"] = rng.uniform(-0.6, 0.6)
    fdm["fcs/elevator-cmd-norm"] = rng.uniform(-1.0, 1.0)
    fdm["fcs/aileron-cmd-norm"] = rng.uniform(-1.0, 1.0)
    fdm["fcs/rudder-cmd-norm"] = rng.uniform(-1.0, 1.0)
    fdm["fcs/flap-cmd-norm"] = rng.uniform(0.0, 1.0)
    if _has(fdm, "gear/gear-cmd-norm"):
        fdm["gear/gear-cmd-norm"] = float(rng.random() < 0.5)
    for i in range(n_engines):
        fdm[f"fcs/throttle-cmd-norm[{i}]"] = rng.uniform(0.0, 1.0)
        fdm[f"fcs/mixture-cmd-norm[{i}]"] = 1.0
    fdm.run_ic()
    fdm["propulsion/set-running"] = -1
    for _ in range(int(rng.integers(1, 61))):
        fdm.run()


def _props_from(fdm, compiled) -> np.ndarray:
    """Our props array with every input JSBSim has (the metrics and CG from our parser,
    then JSBSim's CG, which includes the point masses and fuel)."""
    props = new_props(compiled)
    for spec_slot, spec in enumerate(P.PROPERTIES):
        if spec.kind == "input" and _has(fdm, spec.name):
            props[spec_slot] = fdm[spec.name]
    for name in compiled.aircraft_inputs:
        props[compiled.slot(name)] = fdm[name]
    return props


@pytest.mark.parametrize("name", ["c172x", "c172p", "c310", "J3Cub", "pa28"])
def test_forces_and_moments_agree_with_jsbsim(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # JSBSim may write its output files into the cwd
    compiled = compile_aircraft(load_aircraft(name))
    fdm = _fdm(name, tmp_path)
    rng = np.random.default_rng(16)
    for metric in ("metrics/Sw-sqft", "metrics/bw-ft", "metrics/cbarw-ft"):
        assert new_props(compiled)[P.SLOT[metric]] == pytest.approx(fdm[metric], rel=1e-12)
    derived = [p.name for p in P.PROPERTIES if p.kind == "derived" and _has(fdm, p.name)]
    named = [f for f in compiled.functions if f.name and _has(fdm, f.name)]
    worst_rel = 0.0
    worst_abs = 0.0
    hyst_seen = set()
    for k in range(N_STATES):
        _random_state(fdm, rng, name, len(compiled.model.engines))
        props = _props_from(fdm, compiled)
        ours = aero_forces_moments(compiled.kernel, props)
        hyst_seen.add(props[P.SLOT["aero/stall-hyst-norm"]])
        # where a difference would start: the derived inputs, then each function
        for d in derived:
            assert props[P.SLOT[d]] == pytest.approx(fdm[d], rel=1e-12, abs=1e-12), (k, d)
        for f in named:
            got, want = props[f.slot], fdm[f.name]
            assert abs(got - want) <= RTOL * abs(want) + ATOL, (k, f.name, got, want)
        for got, prop in zip(ours, RESULTS, strict=True):
            want = fdm[prop]
            err = abs(got - want)
            assert err <= RTOL * abs(want) + ATOL, (k, prop, got, want)
            worst_abs = max(worst_abs, err)
            if abs(want) > 1.0:
                worst_rel = max(worst_rel, err / abs(want))
        si = aero_forces_moments_si(compiled.kernel, props)
        assert si[0] == pytest.approx(ours[0] * LBF_N, rel=1e-12)
        assert si[4] == pytest.approx(ours[4] * LBF_N * FT_M, rel=1e-12)
    print(
        f"\n{name}: {N_STATES} states, max relative error {worst_rel:.3e} "
        f"(components > 1), max absolute error {worst_abs:.3e} lbf/lbf ft"
    )
    if name == "c172x":
        assert hyst_seen == {0.0, 1.0}  # both sides of the stall hysteresis were flown
    assert math.isfinite(worst_rel)


def test_a_wrong_model_fails_the_comparison(tmp_path, monkeypatch):
    """The comparison can fail: the constants 1 % off make the forces disagree."""
    monkeypatch.chdir(tmp_path)
    compiled = compile_aircraft(load_aircraft("c172x"))
    fdm = _fdm("c172x", tmp_path)
    rng = np.random.default_rng(3)
    _random_state(fdm, rng, "c172x", 1)
    props = _props_from(fdm, compiled)
    program = compiled.kernel.program
    consts = np.where(program.op == 0, program.farg * 1.01, program.farg)  # PUSH_CONST
    broken = compiled.kernel._replace(program=program._replace(farg=consts))
    good = aero_forces_moments(compiled.kernel, props.copy())
    bad = aero_forces_moments(broken, props.copy())
    want = [fdm[p] for p in RESULTS]
    assert all(abs(g - w) <= RTOL * abs(w) + ATOL for g, w in zip(good, want, strict=True))
    assert any(abs(b - w) > RTOL * abs(w) + ATOL for b, w in zip(bad, want, strict=True))
