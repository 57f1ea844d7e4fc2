"""Ground contact: static equilibrium, sliding friction, drops, and no force aloft."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from longwing.airframe.loader import load_airframe
from longwing.geo.rotation import dcm_to_quat, euler_to_dcm
from longwing.geo.wgs84 import (
    OMEGA_EARTH_RADPS,
    ecef_to_geodetic,
    ecef_to_ned_vec,
    geodetic_to_ecef,
    ned_to_ecef_dcm,
)
from longwing.physics.rigidbody import (
    ENV_BRAKE,
    ENV_GROUND_ALT,
    N_ENV,
    rk4_step,
)
from longwing.physics.state import FUEL, N_STATE, POS, QUAT, RATES, VEL

AF = load_airframe("aerosonde")
LAT, LON, GROUND = math.radians(47.6), math.radians(-52.7), 100.0
G = 9.80665


def state(h_agl: float, v_fwd: float, heading_deg: float = 30.0, pitch_deg: float = 0.0):
    c_nb = euler_to_dcm(0.0, math.radians(pitch_deg), math.radians(heading_deg))
    c_en = ned_to_ecef_dcm(LAT, LON)
    c_eb = c_en @ c_nb
    x = np.zeros(N_STATE)
    x[POS] = geodetic_to_ecef(LAT, LON, GROUND + h_agl)
    x[VEL] = c_eb @ np.array([v_fwd, 0.0, 0.0])
    x[QUAT] = dcm_to_quat(c_eb)
    x[RATES] = c_eb.T @ np.array([0.0, 0.0, OMEGA_EARTH_RADPS])
    x[FUEL] = 4.0
    return x


@njit
def _run(x, env, aero, mp, prop, gp, dt, n, out):
    ctrl = np.zeros(4)
    work = np.zeros((5, x.shape[0]))
    for i in range(n):
        rk4_step(x, ctrl, env, False, False, aero, mp, prop, gp, dt, work)
        out[i] = x


def run(x, seconds, brake=0.0, dt=0.005):
    env = np.zeros(N_ENV)
    env[ENV_GROUND_ALT] = GROUND
    env[ENV_BRAKE] = brake
    n = round(seconds / dt)
    out = np.zeros((n, N_STATE))
    _run(x, env, AF.aero, AF.mass, AF.prop, AF.ground, dt, n, out)
    return out


def heights_speeds(traj):
    hs, gs, vd = [], [], []
    for row in traj:
        lat, lon, h = ecef_to_geodetic(*row[POS])
        vn, ve, d = ecef_to_ned_vec(lat, lon, *row[VEL])
        hs.append(h)
        gs.append(math.hypot(vn, ve))
        vd.append(d)
    return np.array(hs), np.array(gs), np.array(vd)


def test_resting_on_the_ground_supports_the_weight():
    gp = AF.ground
    traj = run(state(gp.main_z_m, 0.0), 5.0)
    h, gs, vd = heights_speeds(traj)
    mass = AF.mass_kg(4.0)
    # Three contact points share the weight: static deflection m g / (3 k).
    deflection = mass * G / (3 * gp.stiffness_npm)
    assert h[-1] == pytest.approx(GROUND + gp.main_z_m - deflection, abs=2e-3)
    assert abs(vd[-1]) < 1e-3 and gs[-1] < 1e-3


def test_sliding_stops_in_the_friction_distance():
    v0 = 10.0
    traj = run(state(AF.ground.main_z_m - 0.014, v0), 8.0)
    h, gs, _ = heights_speeds(traj)
    assert gs[-1] < 0.05
    x0 = traj[0, POS]
    stop = int(np.argmax(gs < 0.05))
    dist = float(np.linalg.norm(traj[stop, POS] - x0))
    expected = v0**2 / (2 * AF.ground.mu_long * G)
    assert dist == pytest.approx(expected, rel=0.08)


def test_drop_bounces_and_settles():
    traj = run(state(1.0, 0.0), 6.0, dt=0.002)
    h, _, vd = heights_speeds(traj)
    assert np.min(h) > GROUND  # the CG never goes through the ground
    assert abs(vd[-1]) < 0.01
    # Impact speed sqrt(2 g 0.85) ~ 4.1 m/s is absorbed by 3 cm-class penetration.
    assert GROUND + AF.ground.main_z_m - np.min(h) < 0.10


def test_no_ground_force_aloft():
    x = state(50.0, 0.0)
    traj = run(x, 1.0)
    h, _, vd = heights_speeds(traj)
    # free fall for 1 s (aero and thrust off)
    assert h[-1] == pytest.approx(GROUND + 50.0 - 0.5 * 9.805 * 1.0**2, abs=0.02)
