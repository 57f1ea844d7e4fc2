"""The survey camera's trigger by distance flown (MAV_CMD_DO_SET_CAM_TRIGG_DIST), as
ArduPilot's AP_Camera: a photo each time the distance over the ground since the last one
reaches the trigger distance. The loop records when and where (truth) each photo was taken.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TRIGGER_COLUMNS = ("t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad", "pitch_rad", "yaw_rad")
N_TRIG = len(TRIGGER_COLUMNS)


@njit(cache=True, inline="always")
def camera_due(dist_m: float, last_m: float, trigger_dist_m: float) -> bool:
    return trigger_dist_m > 0.0 and dist_m - last_m >= trigger_dist_m


@njit(cache=True, inline="always")
def record_photo(
    trig: np.ndarray, i: int, t_s: float, lat_rad: float, lon_rad: float, alt_m: float,
    roll_rad: float, pitch_rad: float, yaw_rad: float,
) -> None:  # fmt: skip
    """Row ``i`` of the trigger buffer (columns :data:`TRIGGER_COLUMNS`)."""
    row = trig[i]
    row[0] = t_s
    row[1] = lat_rad
    row[2] = lon_rad
    row[3] = alt_m
    row[4] = roll_rad
    row[5] = pitch_rad
    row[6] = yaw_rad
