"""Propellers, piston engines and tanks against JSBSim itself (the jsbsim package).

(a) The propeller: at 100 random states per aircraft (airspeed, height, attitude, body
rates, throttle, mixture, governor setting, engine running or not, 1..400 steps flown),
one more JSBSim step is compared with ours fed with JSBSim's rpm and blade angle of the
start of that step, its density, sound speed, the air velocity along the shaft (from its
aerodynamic velocity, body rates, CG and the thruster location) and its engine power:
advance ratio, blade angle, thrust coefficient, thrust, power absorbed, induced velocity,
helical tip Mach, torque and the new rpm agree to 1e-6 (relative, with a small floor).

(b) The engine and propeller in steady flight: JSBSim with its integrators off (airspeed and
height held) runs 6000 steps (50 s) at full and part throttle at three heights; ours steps
the same way from the same rpm. Power, rpm, manifold pressure, thrust, fuel flow and the
burn of the last step from each tank are compared: within 2.9e-5 relative (power over the
rated power, thrust over |thrust| + 10 lbf) -- JSBSim converts psf to Pa with 47.88, ours
exactly; fed JSBSim's 47.88 the differences are below 2.5e-8. Mixture: leaned to an
equivalence ratio of 1.2 (full rich floods the engines at 11000 ft, in JSBSim as here).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

jsbsim = pytest.importorskip("jsbsim")

from longwing.jsbsim.errors import JSBSimModelError  # noqa: E402
from longwing.jsbsim.piston import drain_tanks, engine_propeller_step, fuel_available  # noqa: E402
from longwing.jsbsim.propeller import (  # noqa: E402
    governor_pitch,
    propeller_moments,
    propeller_rpm_step,
    propeller_thrust_power,
)
from longwing.jsbsim.propulsion_model import (  # noqa: E402
    HP_W,
    load_propulsion,
    read_piston,
    tank_arrays,
)
from longwing.jsbsim.units import FT_M, LBF_N, LBM_KG, PSF_PA, SLUG_KG  # noqa: E402
from longwing.jsbsim.xml_tree import parse_xml  # noqa: E402

AIRCRAFT = ("c172x", "c172p", "c310", "J3Cub", "pa28")
ENVELOPE_KTS = {
    "c172x": (0.0, 140.0),
    "c172p": (0.0, 140.0),
    "c310": (0.0, 220.0),
    "J3Cub": (0.0, 90.0),
    "pa28": (0.0, 150.0),
}
N_STATES = 100
RTOL = 1e-6
FTLB_NM = LBF_N * FT_M
RHO_SI = SLUG_KG / FT_M**3
INTEGRATORS = (
    "rate/rotational",
    "rate/translational",
    "position/rotational",
    "position/translational",
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # c172x's <output> file lands there


def _fdm(name: str):
    fdm = jsbsim.FGFDMExec(None)
    fdm.set_debug_level(0)
    assert fdm.load_model(name)
    fdm.disable_output()
    return fdm


def _close(ours: float, theirs: float, floor: float, what: str) -> float:
    err = abs(ours - theirs)
    assert err <= RTOL * abs(theirs) + floor, f"{what}: ours {ours!r}, JSBSim {theirs!r}"
    return err / max(abs(theirs), floor)


def _axial_velocity_fps(fdm, loc_in, e: int) -> float:
    """FGPropeller's Vel: the aerodynamic velocity plus the body rates crossed with the
    thruster's arm from the CG (StructuralToBody), along the shaft (orient 0)."""
    dy = (loc_in[1] - fdm["inertia/cg-y-in"]) / 12.0
    dz = -(loc_in[2] - fdm["inertia/cg-z-in"]) / 12.0
    q = fdm["velocities/q-aero-rad_sec"]
    r = fdm["velocities/r-aero-rad_sec"]
    return fdm["velocities/u-aero-fps"] + q * dz - r * dy


@pytest.mark.parametrize("name", AIRCRAFT)
def test_propeller_agrees_with_jsbsim(name):
    model = load_propulsion(name)
    rng = np.random.default_rng(16)
    fdm = _fdm(name)
    n_eng = len(model.engines)
    dt = fdm.get_delta_t()
    worst = 0.0
    for _ in range(N_STATES):
        lo, hi = ENVELOPE_KTS[name]
        fdm["ic/vt-kts"] = rng.uniform(lo, hi)
        fdm["ic/h-agl-ft"] = rng.uniform(500.0, 14000.0)
        fdm["ic/alpha-deg"] = rng.uniform(-5.0, 15.0)
        fdm["ic/beta-deg"] = rng.uniform(-8.0, 8.0)
        for axis in ("p", "q", "r"):
            fdm[f"ic/{axis}-rad_sec"] = rng.uniform(-0.5, 0.5)
        for i in range(n_eng):
            fdm[f"fcs/throttle-cmd-norm[{i}]"] = rng.uniform(0.0, 1.0)
            fdm[f"fcs/mixture-cmd-norm[{i}]"] = rng.uniform(0.5, 1.0)
            fdm[f"fcs/advance-cmd-norm[{i}]"] = rng.uniform(0.0, 1.0)
        fdm.run_ic()
        fdm["propulsion/set-running"] = -1 if rng.random() < 0.9 else 0
        for _ in range(int(rng.integers(1, 400))):
            fdm.run()
        before = []
        for i in range(n_eng):
            base = f"propulsion/engine[{i}]/"
            before.append((fdm[base + "propeller-rpm"], fdm[base + "blade-angle"]))
        fdm.run()
        for i, eng in enumerate(model.engines):
            prop = eng.propeller
            base = f"propulsion/engine[{i}]/"
            rpm0, pitch0 = before[i]
            loc_in = [c / 0.0254 for c in eng.location]
            v = _axial_velocity_fps(fdm, loc_in, i) * FT_M
            rho = fdm["atmosphere/rho-slugs_ft3"] * RHO_SI
            a = fdm["atmosphere/a-fps"] * FT_M
            advance = fdm[f"fcs/advance-pos-norm[{i}]"]
            pitch = governor_pitch(prop, pitch0, rpm0, advance, dt)
            j, ct, thrust, power, v_ind, mach = propeller_thrust_power(prop, v, rpm0, rho, a, pitch)
            worst = max(worst, _close(pitch, fdm[base + "blade-angle"], 1e-9, "blade angle"))
            worst = max(worst, _close(j, fdm[base + "advance-ratio"], 1e-9, "J"))
            worst = max(worst, _close(ct, fdm[base + "thrust-coefficient"], 1e-12, "C_T"))
            worst = max(worst, _close(thrust / LBF_N, fdm[base + "thrust-lbs"], 1e-6, "thrust"))
            worst = max(
                worst,
                _close(power / FTLB_NM, fdm[base + "propeller-power-ftlbps"], 1e-6, "power"),
            )
            worst = max(
                worst,
                _close(v_ind / FT_M, fdm[base + "prop-induced-velocity_fps"], 1e-9, "v_ind"),
            )
            worst = max(worst, _close(mach, fdm[base + "helical-tip-Mach"], 1e-12, "tip Mach"))
            # the engine's power as the propeller took it (none negative when not turning)
            p_eng = fdm[base + "power-hp"] * HP_W
            if rpm0 * prop.gear_ratio <= 0.1:
                p_eng = max(p_eng, 0.0)
            torque, _, _ = propeller_moments(prop, p_eng, rpm0, 0.0, 0.0, 0.0)
            worst = max(
                worst, _close(torque / FTLB_NM, fdm[base + "propeller-torque-ftlb"], 1e-6, "Q")
            )
            if n_eng == 1:
                worst = max(worst, _close(torque / FTLB_NM, fdm["moments/l-prop-lbsft"], 1e-6, "L"))
            rpm1 = propeller_rpm_step(prop, rpm0, p_eng, power, dt)
            worst = max(worst, _close(rpm1, fdm[base + "propeller-rpm"], 1e-9, "rpm"))
            assert fdm[base + "engine-rpm"] == pytest.approx(
                fdm[base + "propeller-rpm"] * prop.gear_ratio, rel=1e-12
            )
    print(f"{name}: worst relative error {worst:.2e}")


STEADY = ((1.0, 0.75), (0.6, 0.6))  # (throttle, fraction of the envelope's top speed)
HEIGHTS_FT = (1000.0, 6000.0, 11000.0)
N_STEPS = 6000  # 50 s: the constant-speed governors settle too
STEADY_TOL = 5e-5  # measured <= 2.9e-5 (JSBSim's psf->Pa is 47.88, ours exact)


@pytest.mark.parametrize("name", AIRCRAFT)
def test_engine_and_propeller_settle_as_jsbsim(name):
    model = load_propulsion(name)
    results = []
    for throttle, speed in STEADY:
        for h in HEIGHTS_FT:
            fdm = _fdm(name)
            fdm["ic/vt-kts"] = speed * ENVELOPE_KTS[name][1]
            fdm["ic/h-sl-ft"] = h
            fdm["ic/alpha-deg"] = 2.0
            fdm.run_ic()
            for k in INTEGRATORS:  # airspeed, height and attitude held
                fdm["simulation/integrator/" + k] = 0
            # leaned for the height: equivalence ratio 1.2 (best power)
            mixture = min(1.0, 1.2 * fdm["atmosphere/P-psf"] * 47.88 / (1.3 * 101325.0))
            fdm["propulsion/set-running"] = -1  # (sets the mixture: set it after)
            for i in range(len(model.engines)):
                fdm[f"fcs/throttle-cmd-norm[{i}]"] = throttle
                fdm[f"fcs/mixture-cmd-norm[{i}]"] = mixture
                fdm[f"fcs/advance-cmd-norm[{i}]"] = 1.0
            start = [
                (
                    fdm[f"propulsion/engine[{i}]/propeller-rpm"],
                    fdm[f"propulsion/engine[{i}]/blade-angle"],
                )
                for i in range(len(model.engines))
            ]
            for _ in range(N_STEPS - 1):
                fdm.run()
            n_tanks = len(model.tanks)
            before = np.array([fdm[f"propulsion/tank[{k}]/contents-lbs"] for k in range(n_tanks)])
            fdm.run()
            tanks = tank_arrays(model)
            v = fdm["velocities/u-aero-fps"] * FT_M
            rho = fdm["atmosphere/rho-slugs_ft3"] * RHO_SI
            a = fdm["atmosphere/a-fps"] * FT_M
            p = fdm["atmosphere/P-psf"] * PSF_PA
            pt = fdm["propulsion/pt-lbs_sqft"] * PSF_PA
            t = fdm["atmosphere/T-R"] / 1.8
            dt = fdm.get_delta_t()
            state = list(start)
            out = [None] * len(model.engines)
            for _ in range(N_STEPS):
                for i, eng in enumerate(model.engines):
                    fed = fuel_available(
                        tanks.contents_kg, tanks.unusable_kg, tanks.priority, tanks.is_fuel,
                        tanks.feed[i],
                    )  # fmt: skip
                    r = engine_propeller_step(
                        eng.piston, eng.propeller,
                        fdm[f"fcs/throttle-pos-norm[{i}]"], fdm[f"fcs/mixture-pos-norm[{i}]"],
                        fdm[f"fcs/advance-pos-norm[{i}]"], state[i][0], state[i][1],
                        v, rho, a, p, pt, t, fed, dt,
                    )  # fmt: skip
                    drain_tanks(
                        tanks.contents_kg, tanks.unusable_kg, tanks.priority, tanks.is_fuel,
                        tanks.feed[i], r.fuel_flow_kg_s * dt,
                    )  # fmt: skip
                    state[i] = (r.rpm, r.pitch_deg)
                    out[i] = r
            for i, eng in enumerate(model.engines):
                base = f"propulsion/engine[{i}]/"
                r = out[i]
                hp_ref = eng.piston.max_power_w / HP_W
                d_power = abs(r.engine_power_w / HP_W - fdm[base + "power-hp"]) / hp_ref
                d_rpm = abs(r.rpm - fdm[base + "propeller-rpm"]) / max(
                    fdm[base + "propeller-rpm"], 1.0
                )
                d_map = abs(r.map_pa / 3386.38 - fdm[base + "map-inhg"]) / fdm[base + "map-inhg"]
                d_thrust = abs(r.thrust_n / LBF_N - fdm[base + "thrust-lbs"]) / (
                    abs(fdm[base + "thrust-lbs"]) + 10.0
                )
                ff = fdm[base + "fuel-flow-rate-pps"]
                d_fuel = abs(r.fuel_flow_kg_s / LBM_KG - ff) / ff
                results.append((throttle, h, d_power, d_rpm, d_map, d_thrust, d_fuel))
                assert d_power < STEADY_TOL, (
                    throttle,
                    h,
                    r.engine_power_w / HP_W,
                    fdm[base + "power-hp"],
                )
                assert d_rpm < STEADY_TOL, (throttle, h, r.rpm, fdm[base + "propeller-rpm"])
                assert d_map < STEADY_TOL
                assert d_thrust < STEADY_TOL
                assert d_fuel < STEADY_TOL
            # the last step's burn, drained from JSBSim's tanks as they were before it
            tanks.contents_kg[:] = before * LBM_KG
            for i in range(len(model.engines)):
                drain_tanks(
                    tanks.contents_kg, tanks.unusable_kg, tanks.priority, tanks.is_fuel,
                    tanks.feed[i], out[i].fuel_flow_kg_s * dt,
                )  # fmt: skip
            after = np.array([fdm[f"propulsion/tank[{k}]/contents-lbs"] for k in range(n_tanks)])
            burn = before - after
            assert np.all(burn > 0.0)
            np.testing.assert_allclose(before - tanks.contents_kg / LBM_KG, burn, rtol=2e-5)
            assert after.sum() == pytest.approx(fdm["propulsion/total-fuel-lbs"], rel=1e-12)
    worst = np.max(np.array([r[2:] for r in results]), axis=0)
    print(f"{name}: worst power/max {worst[0]:.1e} rpm {worst[1]:.1e} map {worst[2]:.1e} "
          f"thrust {worst[3]:.1e} fuel flow {worst[4]:.1e}")  # fmt: skip


@pytest.mark.parametrize("name", AIRCRAFT)
def test_tanks_and_records(name):
    model = load_propulsion(name)
    fdm = _fdm(name)
    fdm.run_ic()
    assert model.fuel_kg / LBM_KG == pytest.approx(fdm["propulsion/total-fuel-lbs"], rel=1e-12)
    for k, tank in enumerate(model.tanks):
        assert tank.kind == "FUEL"
        assert tank.location.x_m / 0.0254 == pytest.approx(fdm[f"propulsion/tank[{k}]/x-position"])
        assert tank.density_kg_m3 == pytest.approx(6.6 * LBM_KG / (231 * 0.0254**3))
    for i, eng in enumerate(model.engines):
        assert eng.location.x_m / 0.0254 == pytest.approx(
            fdm[f"propulsion/engine[{i}]/x-reference-position"]
        )
        assert eng.propeller.sense == fdm[f"propulsion/engine[{i}]/propeller-sense"]
        assert eng.piston.isfc_lb_hp_h == pytest.approx(
            fdm[f"propulsion/engine[{i}]/bsfc-lbs_hphr"]
        )
        assert eng.piston.z_airbox == pytest.approx(
            fdm[f"propulsion/engine[{i}]/air-intake-impedance-factor"]
        )
        assert eng.piston.static_friction_w / HP_W == pytest.approx(
            fdm[f"propulsion/engine[{i}]/friction-hp"]
        )


def test_drain_by_priority_and_starving():
    contents = np.array([10.0, 5.0, 3.0, 4.0])
    unusable = np.array([1.0, 0.0, 0.0, 0.0])
    priority = np.array([1, 1, 2, 0], dtype=np.int64)
    is_fuel = np.array([True, True, True, True])
    feed = np.array([True, True, True, True])
    assert not drain_tanks(contents, unusable, priority, is_fuel, feed, 2.0)
    assert contents.tolist() == [9.0, 4.0, 3.0, 4.0]  # shared by the priority-1 tanks
    assert not drain_tanks(contents, unusable, priority, is_fuel, feed, 10.0)
    assert contents.tolist() == [4.0, 0.0, 3.0, 4.0]  # a tank is emptied, not below 0
    assert not drain_tanks(contents, unusable, priority, is_fuel, feed, 10.0)
    assert contents.tolist() == [1.0, 0.0, 3.0, 4.0]  # only to its unusable fuel
    assert not drain_tanks(contents, unusable, priority, is_fuel, feed, 1.0)
    assert contents.tolist() == [1.0, 0.0, 2.0, 4.0]  # then priority 2; priority 0 never
    drain_tanks(contents, unusable, priority, is_fuel, feed, 5.0)
    assert drain_tanks(contents, unusable, priority, is_fuel, feed, 1.0)  # starved
    assert not fuel_available(contents, unusable, priority, is_fuel, feed)


def _engine_file(tmp_path, body: str) -> str:
    path = tmp_path / "eng.xml"
    path.write_text(f'<?xml version="1.0"?>\n<piston_engine name="t">\n{body}\n</piston_engine>\n')
    return str(path)


def test_engine_units_and_refusals(tmp_path):
    eng = read_piston(parse_xml(_engine_file(tmp_path, """
        <displacement unit="CC"> 1638.7064 </displacement>
        <maxhp unit="WATTS"> 74570 </maxhp>
        <bsfc unit="KG/KW*HR"> 0.3 </bsfc>
        <stroke unit="M"> 0.1 </stroke>""")))  # fmt: skip
    assert eng.displacement_m3 == pytest.approx(100.0 * 0.0254**3)
    assert eng.max_power_w / HP_W == pytest.approx(74570 * 0.001341022)
    assert eng.isfc_lb_hp_h == pytest.approx(0.3 / 0.6083)
    assert eng.stroke_in == pytest.approx(0.1 * 3.2808399 * 12)
    with pytest.raises(JSBSimModelError, match=r"eng.xml:\d+: .*numboostspeeds"):
        read_piston(parse_xml(_engine_file(tmp_path, "<numboostspeeds> 1 </numboostspeeds>")))
    with pytest.raises(JSBSimModelError, match=r"eng.xml:\d+: unit 'FT' of <maxhp>"):
        read_piston(parse_xml(_engine_file(tmp_path, '<maxhp unit="FT"> 1 </maxhp>')))
    with pytest.raises(JSBSimModelError, match="unknown piston engine table 'X'"):
        read_piston(parse_xml(_engine_file(
            tmp_path, '<table name="X"><tableData> 0 1\n 1 2 </tableData></table>'
        )))  # fmt: skip


def test_stopped_engine_and_windmilling():
    eng = load_propulsion("c172x").engines[0]
    from longwing.jsbsim.piston import engine_power

    off = engine_power(eng.piston, 1.0, 0.0, 2000.0, 90000.0, 90000.0, 280.0, True)
    assert not off.running and off.fuel_flow_kg_s == 0.0 and off.power_w < 0.0
    idle = engine_power(eng.piston, 0.0, 1.0, 0.7 * 550.0, 90000.0, 90000.0, 280.0, True)
    assert not idle.running
    dry = engine_power(eng.piston, 1.0, 1.0, 2400.0, 90000.0, 90000.0, 280.0, False)
    assert not dry.running
    on = engine_power(eng.piston, 1.0, 1.0, 2400.0, 90000.0, 90000.0, 280.0, True)
    assert on.running and on.power_w > 0.5 * eng.piston.max_power_w
    assert math.isfinite(on.map_pa) and on.map_pa < 90000.0
