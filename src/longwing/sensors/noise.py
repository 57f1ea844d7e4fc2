"""Standard normals for the sensor kernels: the layout of one noise vector.

The sensor kernels never draw: they take standard normals as arguments, drawn from the
run's seeded ``numpy.random.Generator``. The closed loop draws each sensor's columns itself
(numba calls the same generator), where and when the sensor samples, so the stream depends
on the seed and the flight alone, not on how the flight is cut into chunks;
:func:`sensor_noise` draws whole rows in Python for tests and open-loop use.

Columns (K = N_SENSOR_NOISE = 24)::

    0-2    IMU gyro white noise x y z            (imu_sample noise12[0:3])
    3-5    IMU accel white noise x y z           (noise12[3:6])
    6-8    IMU gyro bias random walk x y z       (noise12[6:9])
    9-11   IMU accel bias random walk x y z      (noise12[9:12])
    12-14  GNSS position north, east, up         (gnss_sample noise6[0:3])
    15-17  GNSS velocity north, east, down       (noise6[3:6])
    18     baro white noise                      (baro_sample noise2[0])
    19     baro bias random walk                 (noise2[1])
    20     pitot white noise                     (pitot_sample noise1[0])
    21-23  magnetometer white noise x y z        (mag_sample noise3)

Pass slices of a row, e.g. ``noise[k, IMU0:IMU0 + N_IMU_NOISE]`` (a view, no copy).
"""

from __future__ import annotations

import numpy as np

from longwing.sensors.baro import N_BARO_NOISE
from longwing.sensors.gnss import N_GNSS_NOISE
from longwing.sensors.imu import N_IMU_NOISE
from longwing.sensors.mag import N_MAG_NOISE
from longwing.sensors.pitot import N_PITOT_NOISE

IMU0 = 0
GNSS0 = IMU0 + N_IMU_NOISE  # 12
BARO0 = GNSS0 + N_GNSS_NOISE  # 18
PITOT0 = BARO0 + N_BARO_NOISE  # 20
MAG0 = PITOT0 + N_PITOT_NOISE  # 21
N_SENSOR_NOISE = MAG0 + N_MAG_NOISE  # 24

IMU_COLS = slice(IMU0, GNSS0)
GNSS_COLS = slice(GNSS0, BARO0)
BARO_COLS = slice(BARO0, PITOT0)
PITOT_COLS = slice(PITOT0, MAG0)
MAG_COLS = slice(MAG0, N_SENSOR_NOISE)


def sensor_noise(rng: np.random.Generator, n_steps: int) -> np.ndarray:
    """Standard normals for ``n_steps`` steps, shape (n_steps, N_SENSOR_NOISE): the row layout
    the sensor kernels take (the closed loop draws the same columns itself, from the run's
    generator, where and when a sensor samples)."""
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    return rng.standard_normal((n_steps, N_SENSOR_NOISE))
