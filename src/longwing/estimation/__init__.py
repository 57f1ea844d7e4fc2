"""Navigation estimation: the error-state EKF (attitude, geodetic position, velocity, IMU
biases, wind, baro and magnetometer biases) as compiled kernels over caller-owned arrays.

Kernels: :mod:`longwing.estimation.ekf`; array layout: :mod:`longwing.estimation.state`;
Python wrapper: :class:`longwing.estimation.wrapper.Ekf`.
"""

from longwing.estimation.ekf import (
    EkfParams,
    attitude_from_sensors,
    ekf_biases,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_fuse_sideslip,
    ekf_health,
    ekf_init,
    ekf_init_from_sensors,
    ekf_output,
    ekf_predict,
    new_ekf,
)
from longwing.estimation.wrapper import Ekf, EkfBiases, EkfHealth, EkfOutput

__all__ = [
    "Ekf",
    "EkfBiases",
    "EkfHealth",
    "EkfOutput",
    "EkfParams",
    "attitude_from_sensors",
    "ekf_biases",
    "ekf_fuse_airspeed",
    "ekf_fuse_baro",
    "ekf_fuse_gnss",
    "ekf_fuse_mag",
    "ekf_fuse_sideslip",
    "ekf_health",
    "ekf_init",
    "ekf_init_from_sensors",
    "ekf_output",
    "ekf_predict",
    "new_ekf",
]
