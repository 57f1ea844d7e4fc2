"""Layout of the sensor error state (one flat float64 array per run, updated in place).

Every slowly varying sensor error lives here, with its index named once:

    [0:3]   gyro bias, body x y z                   rad/s      (random walk)
    [3:6]   accelerometer bias, body x y z          m/s^2      (random walk)
    [6]     barometric altitude bias                m          (random walk: weather, drift)
    [7:10]  magnetometer bias (hard iron residual), body x y z   gauss   (constant)
    [10:15] fault codes per sensor: IMU, GNSS, baro, pitot, mag (0.0 = healthy)

The fault slots are reserved for fault injection (a later issue): no kernel reads them yet,
and :func:`new_sensor_state` sets them to 0 (healthy).
"""

from __future__ import annotations

import numpy as np

from longwing.sensors.params import SensorParams

GYRO_BIAS = 0  # 3 slots, rad/s
ACCEL_BIAS = 3  # 3 slots, m/s^2
BARO_BIAS = 6  # 1 slot, m
MAG_BIAS = 7  # 3 slots, gauss
FAULT_IMU, FAULT_GNSS, FAULT_BARO, FAULT_PITOT, FAULT_MAG = 10, 11, 12, 13, 14
SENSOR_STATE_SIZE = 15

GYRO_BIAS_SLICE = slice(GYRO_BIAS, GYRO_BIAS + 3)
ACCEL_BIAS_SLICE = slice(ACCEL_BIAS, ACCEL_BIAS + 3)
MAG_BIAS_SLICE = slice(MAG_BIAS, MAG_BIAS + 3)
FAULT_SLICE = slice(FAULT_IMU, FAULT_MAG + 1)


def new_sensor_state(rng: np.random.Generator, p: SensorParams) -> np.ndarray:
    """A fresh sensor error state with turn-on biases drawn from ``rng``.

    Gyro, accelerometer, baro and magnetometer biases are independent zero-mean normals with
    the ``*_bias_init_sigma*`` of ``p``; fault codes are 0 (healthy). Draws exactly 10 normals
    (gyro xyz, accel xyz, baro, mag xyz, in that order), so the run's random stream stays
    reproducible.
    """
    n = rng.standard_normal(10)
    s = np.zeros(SENSOR_STATE_SIZE)
    s[GYRO_BIAS_SLICE] = p.gyro_bias_init_sigma_radps * n[0:3]
    s[ACCEL_BIAS_SLICE] = p.accel_bias_init_sigma_mps2 * n[3:6]
    s[BARO_BIAS] = p.baro_bias_init_sigma_m * n[6]
    s[MAG_BIAS_SLICE] = p.mag_bias_sigma_gauss * n[7:10]
    return s
