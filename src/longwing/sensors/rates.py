"""Sensor rates: the fast loop, not the kernels, decides when each sensor samples.

The fast loop runs at the IMU rate (100-200 Hz; dt = 1 / imu_rate_hz) and at step ``k``
(counted from the start of the run, not of the chunk):

* every step: ``imu_sample`` (dt = the step) and ``gnss_push`` of the truth;
* when ``k % div == 0`` for the sensor's divider ``div = rate_divider(imu_hz, sensor_hz)``:
  ``gnss_sample``, ``baro_sample`` (its dt = div * step), ``pitot_sample``, ``mag_sample``.

Integer step counters keep the schedule exact over 10 million steps (no accumulated float
time). The effective rate is ``imu_hz / div``.
"""

from __future__ import annotations

RATE_TOLERANCE = 0.01  # relative mismatch allowed between requested and effective rate


def rate_divider(imu_hz: float, sensor_hz: float) -> int:
    """Steps between samples of a sensor at ``sensor_hz`` in a loop at ``imu_hz``.

    The nearest integer to imu_hz / sensor_hz. Raises ``ValueError`` if a rate is not
    positive, the sensor is faster than the loop, or the effective rate imu_hz / divider
    differs from ``sensor_hz`` by more than 1 % (e.g. 50 Hz in a 120 Hz loop).
    """
    if imu_hz <= 0.0 or sensor_hz <= 0.0:
        raise ValueError(f"rates must be > 0 Hz, got imu {imu_hz} Hz, sensor {sensor_hz} Hz")
    if sensor_hz > imu_hz * (1.0 + RATE_TOLERANCE):
        raise ValueError(f"sensor rate {sensor_hz} Hz exceeds the loop rate {imu_hz} Hz")
    div = max(1, round(imu_hz / sensor_hz))
    if abs(imu_hz / div - sensor_hz) > RATE_TOLERANCE * sensor_hz:
        raise ValueError(
            f"sensor rate {sensor_hz} Hz is not a whole division of the loop rate {imu_hz} Hz "
            f"(nearest: {imu_hz / div:g} Hz every {div} steps)"
        )
    return div
