"""Performance table: agreement with direct trims, optimal speeds, glide, climb, Breguet.

The reference values come from :func:`longwing.physics.trim.trim` (the simulator's own
equations) or from the airframe's coefficients evaluated here independently.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy.integrate import quad

from longwing.airframe.loader import load_airframe
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import gravity_ned
from longwing.physics.trim import TrimCondition, TrimError, trim
from longwing.planning.performance import PerformanceTable

AF = load_airframe("aerosonde")
LAT = math.radians(47.6)


@pytest.fixture(scope="module")
def table():
    PerformanceTable.build(AF)  # first build loads the kernels
    t0 = time.perf_counter()
    tab = PerformanceTable.build(AF)
    build_s = time.perf_counter() - t0
    assert build_s < 2.0, f"table build took {build_s:.2f} s"
    return tab


def test_table_matches_direct_trim_off_grid(table):
    """Random (mass, altitude, airspeed, climb angle, latitude): where trim() succeeds the
    table's power and fuel flow agree within 1 % (measured: ~1e-4) and alpha within
    1e-3 rad; where trim() refuses, the table flags the same limit."""
    rng = np.random.default_rng(7)
    worst_ff = worst_p = 0.0
    n_ok = n_refused = 0
    for _ in range(60):
        v = rng.uniform(16.0, 36.0)
        h = rng.uniform(0.0, 4500.0)
        fuel = rng.uniform(0.2, 4.0)
        gam = rng.uniform(-0.12, 0.15)
        lat = rng.uniform(-1.3, 1.3)
        p = table.point(AF.mass_kg(fuel), h, v, gam, 1.0, lat)
        try:
            tr = trim(AF, TrimCondition(v, h, lat, fuel, climb_rad=gam))
        except TrimError as exc:
            n_refused += 1
            msg = str(exc)
            if "beyond power" in msg:
                assert p.power_limited
            elif "too steep" in msg:
                assert p.below_idle
            else:  # below stall, elevator limit, no trim found at low speed
                assert p.stalled, msg
            continue
        n_ok += 1
        assert not p.stalled and not p.power_limited
        worst_ff = max(worst_ff, abs(p.fuel_flow_kgps / tr.fuel_flow_kgps - 1.0))
        worst_p = max(worst_p, abs(p.power_required_w / tr.power_w - 1.0))
        assert p.alpha_rad == pytest.approx(tr.alpha_rad, abs=1e-3)
        assert p.elevator_rad == pytest.approx(tr.elevator_rad, abs=3e-3)
        assert p.throttle == pytest.approx(tr.throttle, rel=1e-2, abs=1e-3)
    assert n_ok >= 25 and n_refused >= 5
    assert worst_ff < 0.01
    assert worst_p < 0.01


def test_scalar_path_equals_vector_path(table):
    m = AF.mass_kg(2.5)
    for v, h, g in ((22.0, 300.0, 0.0), (27.0, 2500.0, 0.05), (30.0, 100.0, -0.04)):
        ff, preq, stalled, plim = table.flight(m, h, v, g, 1.0, LAT)
        p = table.point(m, h, v, g, 1.0, LAT)
        assert ff == pytest.approx(p.fuel_flow_kgps, rel=1e-6)
        assert preq == pytest.approx(p.power_required_w, rel=1e-6)
        assert (stalled, plim) == (p.stalled, p.power_limited)


def test_level_turn_as_load_factor_agrees_with_turn_trim(table):
    """A coordinated 30 deg turn taken as straight flight at n = 1/cos(bank): within 2 % of
    the power of the turning trim (the pitch-rate terms are left out)."""
    v, h, fuel = 25.0, 300.0, 3.0
    radius = v * v / (9.81 * math.tan(math.radians(30.0)))
    tr = trim(AF, TrimCondition(v, h, LAT, fuel, turn_radius_m=radius))
    p = table.point(AF.mass_kg(fuel), h, v, 0.0, 1.0 / math.cos(tr.phi_rad), LAT)
    assert p.power_required_w == pytest.approx(tr.power_w, rel=0.02)


@pytest.mark.parametrize("alt_m", [0.0, 1500.0, 3000.0])
def test_best_range_faster_than_best_endurance(table, alt_m):
    m = AF.mass_kg(3.0)
    end = table.best_endurance(m, alt_m, eas_min_mps=5.0)
    rng = table.best_range(m, alt_m, eas_min_mps=5.0)
    assert float(rng.tas_mps) > float(end.tas_mps) + 0.2
    # each optimum really is one: neighbours are worse
    for dv in (-0.4, 0.4):
        assert table.fuel_flow_kgps(m, alt_m, end.tas_mps + dv) > end.fuel_flow_kgps
        v = rng.tas_mps + dv
        assert v / table.fuel_flow_kgps(m, alt_m, v) < rng.distance_per_kg_m
    # both at or above the least trimmable speed
    assert float(end.tas_mps) >= table.min_speed_mps(m, alt_m)


def test_envelope_limits_clip_the_optimum(table):
    """By default the search stays inside the envelope's airspeeds (EAS)."""
    m = AF.mass_kg(3.0)
    r = table.best_endurance(m, 1000.0)
    assert float(r.eas_mps) == pytest.approx(AF.envelope.airspeed_min_mps, abs=0.05)


def test_speed_to_fly_headwind_faster_tailwind_slower(table):
    """Maximising ground distance per kg: the speed to fly rises with headwind and falls
    with tailwind (and a crosswind raises it a little too)."""
    m = AF.mass_kg(3.0)
    winds = np.array([-12.0, -8.0, -4.0, 0.0, 4.0, 8.0, 12.0])  # along-track, + tailwind
    v = np.asarray(table.speed_to_fly(m, 500.0, winds, 0.0, eas_min_mps=5.0).tas_mps)
    assert np.all(np.diff(v) < 0.0)
    assert v[0] > v[3] + 1.0
    v_x = float(table.speed_to_fly(m, 500.0, 0.0, 8.0, eas_min_mps=5.0).tas_mps)
    assert v_x > v[3]
    # it maximises (V + w) / ff: a brute-force check for the 8 m/s headwind
    vs = np.linspace(15.0, 40.0, 2501)
    ff = table.fuel_flow_kgps(m, 500.0, vs)
    best = vs[np.argmax((vs - 8.0) / ff)]
    assert v[1] == pytest.approx(best, abs=0.05)


def _trimmed_coefficients(alpha: np.ndarray):
    """CL and CD of the airframe with the elevator that balances the pitching moment,
    written out from the Beard & McLain model (independent of the table)."""
    a = AF.aero
    de = -(a.Cm0 + a.Cmalpha * alpha) / a.Cmde
    e1 = np.exp(-a.stall_M * (alpha - a.alpha0_rad))
    e2 = np.exp(a.stall_M * (alpha + a.alpha0_rad))
    sigma = (1.0 + e1 + e2) / ((1.0 + e1) * (1.0 + e2))
    cl_lin = a.CL0 + a.CLalpha * alpha
    cl = (1 - sigma) * cl_lin + sigma * 2 * np.sign(alpha) * np.sin(alpha) ** 2 * np.cos(alpha)
    cl = cl + a.CLde * de
    cd = a.CDp + cl_lin**2 / (math.pi * a.e_oswald * a.AR) + a.CDde * de
    return cl, cd, de


def test_best_glide_equals_max_lift_to_drag(table):
    """Engine off: the best glide ratio is max CL/CD over the trimmable angles of attack
    (the elevator within its limit), and its airspeed follows from CL."""
    alpha = np.linspace(-0.05, 0.25, 30001)
    cl, cd, de = _trimmed_coefficients(alpha)
    ok = (np.abs(de) <= AF.actuators.de_max_rad) & (alpha <= table.alpha_clmax_rad)
    ld = np.where(ok & (cl > 0), cl / cd, 0.0)
    k = int(np.argmax(ld))
    g = table.best_glide(AF.mass_kg(2.0), 1000.0, LAT)
    assert g.glide_ratio == pytest.approx(ld[k], rel=0.02)
    assert g.glide_ratio == pytest.approx(ld[k], rel=2e-3)  # measured ~1e-4
    gamma = -math.atan(1.0 / ld[k])
    rho = isa(1000.0)[2]
    weight = AF.mass_kg(2.0) * gravity_ned(LAT, 1000.0)[2]
    v = math.sqrt(2.0 * weight * math.cos(gamma) / (rho * AF.aero.S_m2 * cl[k]))
    assert g.tas_mps == pytest.approx(v, rel=0.01)
    assert g.sink_mps == pytest.approx(g.tas_mps / math.hypot(1.0, g.glide_ratio), rel=1e-3)
    # the sink at idle at the best-glide speed is that sink; a direct trim on that glide
    # path needs no thrust
    assert table.idle_sink_mps(AF.mass_kg(2.0), 1000.0, g.tas_mps) == pytest.approx(
        g.sink_mps, rel=0.01
    )
    tr = trim(AF, TrimCondition(g.tas_mps, 1000.0, LAT, 2.0, climb_rad=g.gamma_rad + 2e-3))
    assert tr.throttle == pytest.approx(0.0, abs=0.01)


def test_climb_limits_agree_with_trim(table):
    m_fuel = 3.0
    m = AF.mass_kg(m_fuel)
    rates = [table.max_climb(m, h).climb_rate_mps for h in (0.0, 2000.0, 4000.0, 6000.0)]
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))
    c = table.max_climb(m, 1000.0)
    # just below the full-throttle climb angle trim succeeds, just above it is beyond power
    tr = trim(
        AF,
        TrimCondition(c.tas_mps, 1000.0, math.radians(45), m_fuel, climb_rad=c.gamma_rad - 0.005),
    )
    assert 0.95 < tr.throttle <= 1.0
    with pytest.raises(TrimError, match="beyond power"):
        trim(
            AF,
            TrimCondition(
                c.tas_mps, 1000.0, math.radians(45), m_fuel, climb_rad=c.gamma_rad + 0.005
            ),
        )
    ceiling = table.ceiling_m(m)
    assert table.max_climb(m, ceiling - 50.0).climb_rate_mps > 0.0
    assert table.max_climb(m, ceiling + 50.0).climb_rate_mps < 0.0
    assert table.ceiling_m(m, 0.5) < ceiling


def test_breguet_constant_airspeed_cruise(table):
    """A long cruise at constant airspeed and altitude: fuel integrated with the table
    against the closed-form Breguet-type integral of the parabolic polar.

    With CL and CD from the coefficients (linear and quadratic in alpha) the trimmed polar
    is exactly CD = c0 + c1 CL + c2 CL^2, so the drag is D = a + b m + c m^2 and the time to
    burn from m0 to m1 is  eta / (BSFC V) * integral dm / D(m)  (thrust ~ drag; the thrust
    line's small tilt is what separates the two, ~0.3 %)."""
    v, h = 24.0, 800.0
    rho = isa(h)[2]
    g = gravity_ned(LAT, h)[2]
    qs = 0.5 * rho * v * v * AF.aero.S_m2
    alpha = np.linspace(0.0, 0.12, 50)
    cl, cd, _ = _trimmed_coefficients(alpha)
    c2, c1, c0 = np.polyfit(cl, cd, 2)
    p = AF.prop
    m0, m1 = AF.mass_kg(4.0), AF.mass_kg(0.5)

    def drag(m):
        cl_m = m * g / qs
        return qs * (c0 + c1 * cl_m + c2 * cl_m * cl_m)

    t_analytic = p.prop_eta / (p.bsfc_kg_per_j * v) * quad(lambda m: 1.0 / drag(m), m1, m0)[0]
    # integrate the table: RK4 in time on the fuel mass
    fuel, t, dt = 4.0, 0.0, 60.0
    while fuel > 0.5:
        k1 = table.flight(AF.mass_kg(fuel), h, v, 0.0, 1.0, LAT)[0]
        k2 = table.flight(AF.mass_kg(fuel - 0.5 * dt * k1), h, v, 0.0, 1.0, LAT)[0]
        k3 = table.flight(AF.mass_kg(fuel - 0.5 * dt * k2), h, v, 0.0, 1.0, LAT)[0]
        k4 = table.flight(AF.mass_kg(fuel - dt * k3), h, v, 0.0, 1.0, LAT)[0]
        step = dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
        if fuel - step < 0.5:
            t += dt * (fuel - 0.5) / step
            break
        fuel -= step
        t += dt
    assert t == pytest.approx(t_analytic, rel=0.01)
    # range at that airspeed: some 25 h and 2,100+ km for 3.5 kg
    assert 20.0 * 3600.0 < t < 40.0 * 3600.0
