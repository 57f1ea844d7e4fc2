"""Open-loop flight through the compiled fast loop: fuel, Breguet range, wind, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.airframe.loader import load_airframe
from longwing.control.holds import HoldGains, new_hold_state
from longwing.physics.rigidbody import N_ENV, make_work
from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
from longwing.physics.turbulence import Turbulence, new_turb_state
from longwing.physics.wind import WindField, parse_wind
from longwing.sim import fastloop as fl
from longwing.sim.events import EV_NONE
from longwing.sim.openloop import OpenLoopScenario, simulate_open_loop

AF = load_airframe("aerosonde")
COL = {name: i for i, name in enumerate(fl.LOG_COLUMNS)}


def scenario(**kw) -> OpenLoopScenario:
    base = dict(
        airframe=AF, airspeed_mps=25.0, alt_m=1500.0, lat_rad=math.radians(47.6),
        lon_rad=math.radians(-52.9), heading_rad=math.radians(60.0), duration_s=600.0,
        fuel_kg=4.0,
    )  # fmt: skip
    base.update(kw)
    return OpenLoopScenario(**base)


def test_calm_flight_holds_heading_altitude_speed():
    res = simulate_open_loop(scenario(duration_s=1800.0, log_hz=1.0))
    log = res.log
    assert res.summary["end_reason"] == "completed"
    assert np.max(np.abs(log[:, COL["alt_m"]] - 1500.0)) < 1.0
    assert np.max(np.abs(log[:, COL["tas_mps"]] - 25.0)) < 0.1
    # Holding a constant heading on the ellipsoid is a rhumb-ish line, and in still air the
    # ground distance equals airspeed x time (the path is flown at 1500 m, so the surface
    # distance is shorter by R / (R + h)).
    assert res.summary["distance_flown_km"] == pytest.approx(25.0 * 1800.0 / 1000.0, rel=1e-3)
    assert res.summary["displacement_km"] == pytest.approx(45.0 * 6371 / 6372.5, rel=2e-3)
    assert res.summary["displacement_azimuth_deg"] == pytest.approx(60.0, abs=0.5)


@pytest.mark.parametrize("heading,expected_gs", [(90.0, 33.0), (270.0, 17.0), (0.0, None)])
def test_wind_triangle(heading, expected_gs):
    """Wind from 270 at 8 m/s: downwind ground speed V+8, upwind V-8, crosswind drift."""
    res = simulate_open_loop(
        scenario(heading_rad=math.radians(heading), wind=parse_wind("270@8"), log_hz=1.0)
    )
    log = res.log[60:]
    gs = log[:, COL["groundspeed_mps"]]
    if expected_gs is not None:
        assert np.mean(gs) == pytest.approx(expected_gs, rel=0.005)
    else:
        assert np.mean(gs) == pytest.approx(math.hypot(25.0, 8.0), rel=0.005)
        track = np.degrees(np.arctan2(log[:, COL["ve_mps"]], log[:, COL["vn_mps"]]))
        assert np.mean(track) == pytest.approx(math.degrees(math.atan2(8.0, 25.0)), abs=0.3)


def test_fuel_flow_is_bsfc_times_power_and_engine_stops_when_empty():
    fuel0 = 0.004  # about 80 s at 0.18 kg/h
    res = simulate_open_loop(scenario(fuel_kg=fuel0, duration_s=200.0, log_hz=120.0))
    log = res.log
    kinds = [e.kind for e in res.events]
    assert kinds[0] == "fuel_exhausted"
    t_empty = res.events[0].t_s
    assert 60.0 < t_empty < 100.0
    t = log[:, COL["t_s"]]
    before = t < t_empty - 0.1
    after = t > t_empty + 0.1
    p = log[:, COL["power_w"]]
    ff = log[:, COL["fuel_flow_kgps"]]
    expected_ff = AF.prop.bsfc_kg_per_j * np.maximum(p, AF.prop.idle_power_w)
    np.testing.assert_allclose(ff[before], expected_ff[before], rtol=1e-12)
    # Fuel burnt equals the integral of the logged flow.
    burnt = np.trapezoid(ff[before], t[before])
    assert fuel0 - log[before, COL["fuel_kg"]][-1] == pytest.approx(burnt, rel=1e-3)
    assert np.all(p[after] == 0.0) and np.all(ff[after] == 0.0)
    assert np.all(log[after, COL["fuel_kg"]] == 0.0)
    assert np.all(log[after, COL["mass_kg"]] == AF.mass.dry_mass_kg)
    # Without power it cannot hold altitude: it glides down.
    assert log[-1, COL["alt_m"]] < 1500.0 - 20.0


def test_breguet_range_constant_lift_to_drag():
    """Constant alpha (V ~ sqrt(m)) cruise: range = eta/(BSFC g) L/D ln(m0/m1), within 2 %."""
    lat = math.radians(45.0)
    v0, alt, fuel0 = 25.0, 1000.0, 4.0
    cond = TrimCondition(v0, alt, lat, fuel0)
    tr, x = trim_on_ellipsoid(AF, cond, 0.0, math.radians(90.0))
    m0 = AF.mass_kg(fuel0)
    act = tr.controls()
    cmd = act.copy()
    env = np.zeros(N_ENV)
    hold, turb, work = new_hold_state(), new_turb_state(), make_work()
    ref = np.array([math.radians(90.0), alt, v0, tr.theta_rad])
    wind_alt, wind_n, wind_e = WindField.calm().arrays()
    dt = 1.0 / 100.0
    chunk = 6000
    noise = np.zeros((chunk, 3))
    log = np.zeros((2, fl.N_LOG))
    distance, step = 0.0, 0
    while x[13] > fuel0 - 1.0:
        m = AF.mass.dry_mass_kg + x[13]
        ref[2] = v0 * math.sqrt(m / m0)
        done, ev, _, distance = fl.run_chunk(
            x, act, cmd, env, hold, turb, work, noise, wind_alt, wind_n, wind_e, 0, 0.0, ref,
            tr.controls(), True, True, AF.aero, AF.mass, AF.prop, AF.ground, AF.actuators,
            HoldGains(gravity_mps2=tr.gravity_mps2), dt, step, chunk, 10**9, log,
            distance,
        )  # fmt: skip
        assert ev == EV_NONE
        step += done
    m1 = AF.mass.dry_mass_kg + x[13]
    g = tr.gravity_mps2
    breguet = AF.prop.prop_eta / (AF.prop.bsfc_kg_per_j * g) * tr.lift_to_drag * math.log(m0 / m1)
    assert distance == pytest.approx(breguet, rel=0.02)
    # And much tighter in practice: the controller holds alpha constant.
    assert distance == pytest.approx(breguet, rel=0.005)


def test_turbulence_is_seeded_and_deterministic():
    kw = dict(duration_s=120.0, turbulence=Turbulence.MODERATE, log_hz=5.0)
    a = simulate_open_loop(scenario(seed=7, **kw)).log
    b = simulate_open_loop(scenario(seed=7, **kw)).log
    c = simulate_open_loop(scenario(seed=8, **kw)).log
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a[:, COL["alt_m"]] - c[:, COL["alt_m"]])) > 0.5
    calm = simulate_open_loop(scenario(duration_s=120.0, log_hz=5.0)).log
    # Moderate turbulence at ~1500 m (sigma ~ 3 m/s) visibly disturbs the flight.
    assert np.std(a[:, COL["wind_d_mps"]]) > 1.0
    assert np.std(a[:, COL["tas_mps"]]) > 5 * np.std(calm[:, COL["tas_mps"]]) + 0.1


def test_scenario_validation_messages():
    with pytest.raises(ValueError, match="duration must be positive"):
        scenario(duration_s=0.0)
    with pytest.raises(ValueError, match="time step must be in"):
        scenario(dt_s=0.5)
    with pytest.raises(ValueError, match="is not above the ground"):
        scenario(alt_m=-10.0)
