"""IMU: gyro and accelerometer samples with white noise and random-walk biases.

Measurement model, per axis, for a sample covering the interval ``dt`` (s)::

    gyro  = omega_b + b_g + N_g / sqrt(dt) * n          (rad/s)
    accel = f_b     + b_a + N_a / sqrt(dt) * n          (m/s^2)
    b    <- b + K sqrt(dt) * n'                         (after the sample)

``omega_b`` is the inertial angular rate in body axes (the truth state's rates) and ``f_b``
the specific force in body axes, (aero + thrust) / m. N is the noise density and K the bias
random walk of :class:`~longwing.sensors.params.SensorParams`. The sample uses the bias
current at its time, then the bias steps, so the first sample after
:func:`~longwing.sensors.state.new_sensor_state` shows the turn-on bias exactly.

Noise (``noise12``, standard normals, columns of :mod:`longwing.sensors.noise`)::

    [0:3] gyro white x y z    [3:6] accel white x y z
    [6:9] gyro bias walk      [9:12] accel bias walk
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.sensors.params import SensorParams
from longwing.sensors.state import ACCEL_BIAS, GYRO_BIAS

N_IMU_NOISE = 12


@njit(cache=True)
def imu_sample_white(
    sens_state: np.ndarray,
    noise6: np.ndarray,
    wx: float,
    wy: float,
    wz: float,
    fx: float,
    fy: float,
    fz: float,
    p: SensorParams,
    dt: float,
) -> tuple[float, float, float, float, float, float]:
    """One IMU sample with the current biases and white noise (``noise6`` = noise12[0:6]);
    the biases are not advanced (see :func:`imu_bias_walk`)."""
    sg = p.gyro_noise_density_radps_rthz / math.sqrt(dt)
    sa = p.accel_noise_density_mps2_rthz / math.sqrt(dt)
    g = GYRO_BIAS
    a = ACCEL_BIAS
    return (
        wx + sens_state[g] + sg * noise6[0],
        wy + sens_state[g + 1] + sg * noise6[1],
        wz + sens_state[g + 2] + sg * noise6[2],
        fx + sens_state[a] + sa * noise6[3],
        fy + sens_state[a + 1] + sa * noise6[4],
        fz + sens_state[a + 2] + sa * noise6[5],
    )


@njit(cache=True)
def imu_bias_walk(sens_state: np.ndarray, noise6: np.ndarray, p: SensorParams, dt: float) -> None:
    """Advance the gyro and accelerometer biases by ``dt`` (``noise6`` = noise12[6:12]).

    A caller may step the biases less often than it samples (e.g. at the autopilot rate):
    over the longer ``dt`` the walk has the same statistics.
    """
    kg = p.gyro_bias_rw_radps_rts * math.sqrt(dt)
    ka = p.accel_bias_rw_mps2_rts * math.sqrt(dt)
    for i in range(3):
        sens_state[GYRO_BIAS + i] += kg * noise6[i]
        sens_state[ACCEL_BIAS + i] += ka * noise6[3 + i]


@njit(cache=True)
def imu_sample(
    sens_state: np.ndarray,
    noise12: np.ndarray,
    wx: float,
    wy: float,
    wz: float,
    fx: float,
    fy: float,
    fz: float,
    p: SensorParams,
    dt: float,
) -> tuple[float, float, float, float, float, float]:
    """One IMU sample (gx, gy, gz rad/s; ax, ay, az m/s^2); advances the biases in place.

    ``wx, wy, wz``: true inertial body rates (rad/s); ``fx, fy, fz``: true specific force in
    body axes (m/s^2); ``dt``: the sample interval (s), i.e. the fast-loop step.
    """
    out = imu_sample_white(sens_state, noise12[0:6], wx, wy, wz, fx, fy, fz, p, dt)
    imu_bias_walk(sens_state, noise12[6:12], p, dt)
    return out
