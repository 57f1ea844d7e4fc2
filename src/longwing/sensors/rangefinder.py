"""A downward rangefinder (lidar/radar altimeter, the airframe's [rangefinder]): the slant
range along the body's down axis to the ground plane under the aircraft, with white noise,
valid within (0, max range]; the autopilot levels it with its own attitude estimate, as
ArduPilot's rangefinder height (range x cos(roll) cos(pitch)). Pure compiled function."""

from __future__ import annotations

import math

from numba import njit

MIN_TILT_COS = 0.1  # beyond ~84 deg of tilt the beam misses the ground


@njit(cache=True, inline="always")
def rangefinder_agl_m(
    agl_m: float, phi_rad: float, theta_rad: float, est_phi_rad: float, est_theta_rad: float,
    noise_m: float, max_range_m: float,
) -> float:  # fmt: skip
    """The height above the ground the autopilot reads (NaN: no valid reading). ``agl_m``
    is the true height over the ground plane; ``noise_m`` the reading's noise draw (m)."""
    tilt = math.cos(phi_rad) * math.cos(theta_rad)
    if tilt < MIN_TILT_COS or agl_m < 0.0:
        return math.nan
    slant = agl_m / tilt + noise_m
    if not 0.0 < slant <= max_range_m:
        return math.nan
    return slant * math.cos(est_phi_rad) * math.cos(est_theta_rad)
