"""Pitot-static airspeed: true airspeed from dynamic pressure and the ISA density at baro alt.

    q       = rho_true V^2 / 2                         (incompressible; V < ~80 m/s)
    V_ind   = sqrt(2 q / rho_ISA(baro_alt_m)) = V sqrt(rho_true / rho_ISA(baro_alt_m))
    tas_mps = max(0, V_ind' + sigma n),  V_ind' = V_ind if V_ind >= V_min else 0

Below the minimum measurable speed V_min the dynamic pressure is lost in the transducer's
offset and the reading is 0 + noise, clamped at 0 like the sqrt of a clamped differential
pressure (so at rest the reading is half-normal). Above V_min the noise is Gaussian (the clamp
never acts while V_min >> sigma). With the ISA truth atmosphere and a perfect baro,
V_ind = V exactly.

Noise (``noise1``): one standard normal. ``sens_state`` is unused today; it is in the
signature for pitot faults (blockage, icing) to come.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.geo.atmosphere import isa
from longwing.sensors.params import SensorParams

N_PITOT_NOISE = 1


@njit(cache=True)
def pitot_sample(
    sens_state: np.ndarray,
    noise1: np.ndarray,
    tas_mps: float,
    rho_kgpm3: float,
    baro_alt_m: float,
    p: SensorParams,
) -> float:
    """Measured true airspeed (m/s).

    ``tas_mps``: true airspeed (m/s); ``rho_kgpm3``: true air density (kg/m^3);
    ``baro_alt_m``: the baro altitude the air-data computer uses for density (m).
    """
    _, _, rho_isa = isa(baro_alt_m)
    v = tas_mps * math.sqrt(rho_kgpm3 / rho_isa)
    if v < p.pitot_min_speed_mps:
        v = 0.0
    return max(v + p.pitot_noise_mps * noise1[0], 0.0)
