"""Build a truth state on the ellipsoid from a trim solution."""

from __future__ import annotations

import math

import numpy as np

from longwing.geo.wgs84 import OMEGA_EARTH_RADPS, geodetic_to_ecef, ned_to_ecef_dcm
from longwing.physics.rotation import dcm_to_quat, euler_to_dcm
from longwing.physics.state import FUEL, N_STATE, POS, QUAT, RATES, VEL
from longwing.physics.trim import TrimResult


def state_from_trim(
    tr: TrimResult,
    airspeed_mps: float,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    heading_rad: float,
    fuel_kg: float,
    wind_ned_mps: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> np.ndarray:
    """Truth state flying the trimmed condition at the given place, heading and air mass."""
    c_nb = euler_to_dcm(tr.phi_rad, tr.theta_rad, heading_rad)
    c_en = ned_to_ecef_dcm(lat_rad, lon_rad)
    c_eb = c_en @ c_nb
    v_air_b = airspeed_mps * np.array(
        [
            math.cos(tr.alpha_rad) * math.cos(tr.beta_rad),
            math.sin(tr.beta_rad),
            math.sin(tr.alpha_rad) * math.cos(tr.beta_rad),
        ]
    )
    v_ned = c_nb @ v_air_b + np.asarray(wind_ned_mps, dtype=float)
    earth_rate_b = c_eb.T @ np.array([0.0, 0.0, OMEGA_EARTH_RADPS])
    x = np.zeros(N_STATE)
    x[POS] = geodetic_to_ecef(lat_rad, lon_rad, alt_m)
    x[VEL] = c_en @ v_ned
    x[QUAT] = dcm_to_quat(c_eb)
    x[RATES] = np.array([tr.p_radps, tr.q_radps, tr.r_radps]) + earth_rate_b
    x[FUEL] = fuel_kg
    return x
