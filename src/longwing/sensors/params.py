"""Sensor parameters: one ``NamedTuple`` of floats the compiled kernels read (SI, radians).

Defaults describe a typical small-UAV avionics set: a MEMS IMU of the InvenSense ICM-20xxx /
ICM-42xxx or Bosch BMI088 class, a u-blox M8/M9 GNSS receiver, an MS5611 barometer, an
MS4525DO-class differential-pressure airspeed sensor and an HMC5883L / IST8310-class
magnetometer. Datasheet figures are a floor; the defaults add a margin for vibration and
installation and are documented field by field.

Noise conventions
-----------------
* IMU white noise is a noise *density* N (rad/s/sqrt(Hz), m/s^2/sqrt(Hz)): a sample
  averaged over the interval dt has sigma = N / sqrt(dt), and the integrated angle (velocity)
  error grows as N sqrt(t) ("angle random walk").
* A bias *random walk* K (rad/s/sqrt(s), m/s^2/sqrt(s), m/sqrt(s)) makes the bias after t
  seconds differ from its start by a normal with sigma = K sqrt(t); Allan deviation
  K sqrt(tau / 3).
* GNSS, baro, pitot and magnetometer noises are per-sample sigmas in the output's units.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from longwing.geo.constants import G0_MPS2

DEG = math.pi / 180.0


class SensorParams(NamedTuple):
    """Sensor noise, bias, latency and rate figures (SI units, radians)."""

    # IMU, sampled every fast-loop step; the kernels take dt, this is the design rate that
    # sizes the GNSS buffer (120 Hz = the open-loop scenario's default 1/120 s step).
    imu_rate_hz: float = 120.0
    # Gyro white noise: 0.0086 deg/s/sqrt(Hz), between the ICM-42605 (0.0038) and BMI088
    # (0.014 deg/s/sqrt(Hz)) datasheet rate-noise densities.
    gyro_noise_density_radps_rthz: float = 1.5e-4
    # Gyro rate random walk: Allan deviation 5e-5 rad/s (~10 deg/h, consumer-MEMS bias
    # instability) reached at tau ~ 1000 s; the bias wanders 0.01 deg/s in an hour.
    gyro_bias_rw_radps_rts: float = 3.0e-6
    # Turn-on gyro bias left after the at-rest boot calibration (~0.06 deg/s).
    gyro_bias_init_sigma_radps: float = 1.0e-3
    # Accelerometer white noise: 120 ug/sqrt(Hz) (ICM-42605 70, BMI088 ~175 ug/sqrt(Hz)).
    accel_noise_density_mps2_rthz: float = 120e-6 * G0_MPS2
    # Accelerometer bias random walk: ~0.1 mg Allan deviation at tau ~ 1000 s.
    accel_bias_rw_mps2_rts: float = 5.0e-5
    # Turn-on accelerometer bias after factory/thermal calibration (~5 mg; the uncalibrated
    # zero-g offset of these parts is +-20-50 mg).
    accel_bias_init_sigma_mps2: float = 0.05
    # GNSS (u-blox M8N/M9N): horizontal accuracy 2.0 m CEP (multi-GNSS) -> per-axis sigma
    # CEP / 1.1774 = 1.7 m; vertical about twice that; velocity 0.05 m/s (50 %) -> 0.1 m/s
    # with margin. White noise per fix (real GNSS errors are also time-correlated).
    gnss_pos_sigma_h_m: float = 1.7
    gnss_pos_sigma_v_m: float = 3.0
    gnss_vel_sigma_mps: float = 0.1
    # Fix latency: PX4's EKF2_GPS_DELAY default (110 ms) for u-blox receivers.
    gnss_latency_s: float = 0.11
    gnss_rate_hz: float = 5.0
    # Barometer (MS5611): 0.012 mbar RMS at OSR 4096 is ~0.1 m; 0.2 m with airflow noise.
    baro_noise_m: float = 0.2
    # Slow bias drift, mostly weather: synoptic pressure tendencies of ~1 hPa per 3 h are
    # ~8 m per 3 h; 0.05 m/sqrt(s) gives 3 m after an hour and 16 m after 27 h (1 sigma).
    baro_bias_drift_m_rts: float = 0.05
    # Unknown offset of pressure altitude from ellipsoidal height at start (non-standard
    # day); the estimator calibrates it against GNSS.
    baro_bias_init_sigma_m: float = 5.0
    baro_rate_hz: float = 10.0  # ArduPlane's update_alt / EKF baro rate
    # Airspeed (MS4525DO-class): ~1-2 Pa differential-pressure noise is ~0.05 m/s at 25 m/s;
    # 0.3 m/s covers installation and turbulence.
    pitot_noise_mps: float = 0.3
    # Below this true airspeed the dynamic pressure (~15 Pa at 5 m/s) is lost in the
    # sensor's offset and the reading is 0 + noise.
    pitot_min_speed_mps: float = 5.0
    pitot_rate_hz: float = 10.0  # ArduPlane reads its airspeed sensor at 10 Hz
    # Magnetometer (HMC5883L ~2 mG, IST8310 ~3 mG noise) with margin for interference.
    mag_noise_gauss: float = 0.005
    # Hard-iron residual after calibration, per axis (~4 % of a 0.5 G field); constant.
    mag_bias_sigma_gauss: float = 0.02
    mag_rate_hz: float = 10.0  # ArduPlane reads its compass at 10 Hz
    # Rangefinder (the airframe's [rangefinder]; 0 m range: none): slant range to the ground
    # along the body's down axis, white noise per reading
    rng_max_m: float = 0.0
    rng_noise_m: float = 0.0
    rng_rate_hz: float = 10.0


def check_sensor_params(p: SensorParams) -> SensorParams:
    """Return ``p`` if every sigma is >= 0 and every rate > 0, else raise ``ValueError``."""
    for name, value in p._asdict().items():
        if not math.isfinite(value):
            raise ValueError(f"sensor parameter {name} must be finite, got {value}")
        if name.endswith("_hz"):
            if value <= 0.0:
                raise ValueError(f"sensor parameter {name} must be > 0 Hz, got {value}")
        elif value < 0.0:
            raise ValueError(f"sensor parameter {name} must be >= 0, got {value}")
    for name in ("gnss_rate_hz", "baro_rate_hz", "pitot_rate_hz", "mag_rate_hz"):
        if getattr(p, name) > p.imu_rate_hz:
            raise ValueError(f"sensor parameter {name} exceeds imu_rate_hz ({p.imu_rate_hz} Hz)")
    return p
