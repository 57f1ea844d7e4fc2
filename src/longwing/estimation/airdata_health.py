"""Air-data health beside the EKF's airspeed fusion: when to declare the pitot failed, and
the airspeed the autopilot flies on once it has (ArduPlane's synthetic airspeed).

The EKF's airspeed innovation test allows for the gusts it has learnt; it rejecting every
pitot sample for :data:`PITOT_FAIL_S`, with GNSS fixes arriving (fresh within
:data:`GNSS_FRESH_S`) and the wind known, means the pitot has failed (a blocked or iced
tube), not that the air is rough. From then on the airspeed is synthetic: the EKF's ground
velocity minus its wind (:func:`~longwing.estimation.ekf.ekf_synthetic_airspeed`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from longwing.estimation.ekf import ekf_synthetic_airspeed
from longwing.estimation.state import CH_TAS, F_N_CONSEC_REJ, channel

PITOT_FAIL_S = 10.0
GNSS_FRESH_S = 1.0
TAS_CONSEC_REJ = channel(CH_TAS, F_N_CONSEC_REJ)  # index in the EKF state


@njit(cache=True, inline="always")
def pitot_failed(xk: np.ndarray, dt_pitot_s: float, wind_known: bool, gnss_age_s: float) -> bool:
    """The pitot has failed: every sample rejected for PITOT_FAIL_S with the wind known and
    GNSS fresh."""
    rejected_s = xk[TAS_CONSEC_REJ] * dt_pitot_s
    return rejected_s >= PITOT_FAIL_S and wind_known and gnss_age_s < GNSS_FRESH_S


@njit(cache=True, inline="always")
def navigation_airspeed_mps(tas_meas_mps: float, failed: bool, xk: np.ndarray) -> float:
    """The airspeed the autopilot flies on: the pitot's, or synthetic once it has failed."""
    if failed:
        return ekf_synthetic_airspeed(xk)
    return tas_meas_mps
