"""Pre-drawn standard normals for the sensor kernels: one row per fast-loop step.

The fast loop takes a chunk of noise drawn in Python from the run's seeded
``numpy.random.Generator`` (:func:`sensor_noise`); the kernels never draw. Row k belongs to
step k of the chunk; a sensor that does not fire at step k leaves its columns unused, so
every sensor's draws are fixed by the seed and the step number alone (changing one sensor's
rate does not shift another's noise).

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


def sensor_noise(
    rng: np.random.Generator,
    n_steps: int,
    step0: int = 0,
    dividers: tuple[int, int, int, int, int] | None = None,
) -> np.ndarray:
    """Standard normals for ``n_steps`` fast-loop steps, shape (n_steps, N_SENSOR_NOISE).

    With ``dividers = (imu_walk, gnss, baro, pitot, mag)`` -- the IMU biases step and each
    aiding sensor samples at the steps ``s`` with ``s % divider == 0``, counting from
    ``step0`` for row 0 -- only the cells that are read are drawn (the IMU white noise every
    row); the others are 0. A 100 Hz loop with a 50 Hz bias walk and 5-10 Hz aiding sensors
    draws 7 normals per step instead of 24.
    """
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    if dividers is None:
        return rng.standard_normal((n_steps, N_SENSOR_NOISE))
    z = np.zeros((n_steps, N_SENSOR_NOISE))
    z[:, IMU0 : IMU0 + 6] = rng.standard_normal((n_steps, 6))
    cols = (slice(IMU0 + 6, GNSS0), GNSS_COLS, BARO_COLS, PITOT_COLS, MAG_COLS)
    for div, c in zip(dividers, cols, strict=True):
        if div < 1:
            raise ValueError(f"sensor rate divider must be >= 1, got {div}")
        first = (-step0) % div  # first row whose step is a multiple of div
        rows = z[first::div, c]
        rows[...] = rng.standard_normal(rows.shape)
    return z
