"""Sensors: IMU, GNSS, barometer, pitot and magnetometer sampled from the truth.

Each sensor is one small module with a compiled kernel; noise is pre-drawn
(:mod:`longwing.sensors.noise`), slowly varying errors live in one state array
(:mod:`longwing.sensors.state`), rates are the fast loop's business
(:mod:`longwing.sensors.rates`), figures are in :mod:`longwing.sensors.params`.
"""

from longwing.sensors.baro import baro_sample, baro_sample_pressure, pressure_altitude_m
from longwing.sensors.gnss import gnss_push, gnss_sample, new_gnss_buffer
from longwing.sensors.imu import imu_sample
from longwing.sensors.mag import mag_sample
from longwing.sensors.noise import N_SENSOR_NOISE, sensor_noise
from longwing.sensors.params import SensorParams, check_sensor_params
from longwing.sensors.pitot import pitot_sample
from longwing.sensors.rates import rate_divider
from longwing.sensors.state import SENSOR_STATE_SIZE, new_sensor_state

__all__ = [
    "N_SENSOR_NOISE",
    "SENSOR_STATE_SIZE",
    "SensorParams",
    "baro_sample",
    "baro_sample_pressure",
    "check_sensor_params",
    "gnss_push",
    "gnss_sample",
    "imu_sample",
    "mag_sample",
    "new_gnss_buffer",
    "new_sensor_state",
    "pitot_sample",
    "pressure_altitude_m",
    "rate_divider",
    "sensor_noise",
]
