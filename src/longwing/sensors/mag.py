"""Magnetometer: the Earth's field rotated into body axes, plus hard-iron bias and noise.

    mag_body = C_ab^T B_a + b_m + sigma_m n      (gauss)

``B_a`` is the field in some frame a (NED from :func:`longwing.geo.magfield.mag_field_ned`,
or ECEF) and ``q_ab`` the body-to-a attitude quaternion: q_nb with a NED field, or the truth
state's q_eb with the field rotated to ECEF. The bias b_m is constant (state slots
``MAG_BIAS``). Noise ``noise3``: three standard normals (body x, y, z).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from longwing.geo.rotation import quat_rotate_inv
from longwing.sensors.params import SensorParams
from longwing.sensors.state import MAG_BIAS

N_MAG_NOISE = 3


@njit(cache=True)
def mag_sample(
    sens_state: np.ndarray,
    noise3: np.ndarray,
    q0: float,
    q1: float,
    q2: float,
    q3: float,
    bx: float,
    by: float,
    bz: float,
    p: SensorParams,
) -> tuple[float, float, float]:
    """Body-axis magnetometer reading (gauss) of field (bx, by, bz) given in frame a.

    ``q0..q3``: q_ab, body -> a (scalar first); the field components are in frame a.
    """
    mx, my, mz = quat_rotate_inv(q0, q1, q2, q3, bx, by, bz)
    s = p.mag_noise_gauss
    return (
        mx + sens_state[MAG_BIAS] + s * noise3[0],
        my + sens_state[MAG_BIAS + 1] + s * noise3[1],
        mz + sens_state[MAG_BIAS + 2] + s * noise3[2],
    )
