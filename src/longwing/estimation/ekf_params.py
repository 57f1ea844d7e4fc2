"""Tuning of the navigation EKF: :class:`EkfParams` (the filter itself is described in
:mod:`longwing.estimation.ekf`, its public API).
"""

from __future__ import annotations

from typing import NamedTuple


class EkfParams(NamedTuple):
    """Tuning of the navigation EKF (SI units; sigmas are 1-sigma).

    Process noise is given as continuous-time densities, so the tuning does not depend on the
    IMU rate: a gyro white noise of sigma_s rad/s per sample at f Hz has the density
    sigma_s / sqrt(f) rad/s/sqrt(Hz). Defaults are matched to ``longwing.sensors``'
    ``SensorParams`` (ICM-42xxx/BMI088-class IMU, u-blox M8/M9 GNSS, MS5611 baro,
    MS4525DO pitot, IST8310-class magnetometer) with a margin of 1.5-4x for what the filter
    does not model (vibration, scale factors, misalignment, time-correlated GNSS errors).
    """

    # process noise
    gyro_noise_radps_rthz: float = 3.0e-4  # gyro white noise (angle random walk); sensor 1.5e-4
    accel_noise_mps2_rthz: float = 3.0e-3  # accel white noise (velocity RW); sensor 1.2e-3
    gyro_bias_rw_radps_rts: float = 1.0e-5  # gyro bias random walk, rad/s/sqrt(s); sensor 3e-6
    accel_bias_rw_mps2_rts: float = 2.0e-4  # accel bias random walk, m/s^2/sqrt(s); sensor 5e-5
    # horizontal mean-wind random walk (gusts are an air-data error, see _fuse_air), m/s/sqrt(s)
    wind_rw_mps_rts: float = 0.05
    baro_bias_rw_m_rts: float = 0.05  # baro bias random walk (weather), m/sqrt(s)
    mag_bias_rw_gauss_rts: float = 1.0e-5  # mag bias random walk, gauss/sqrt(s)
    # measurement noise
    gnss_pos_h_m: float = 2.0  # horizontal position per axis, m (sensor 1.7)
    gnss_pos_v_m: float = 3.5  # ellipsoidal height, m (sensor 3.0)
    gnss_vel_h_mps: float = 0.15  # horizontal velocity per axis, m/s (sensor 0.1)
    gnss_vel_v_mps: float = 0.2  # vertical velocity, m/s
    gnss_delay_s: float = 0.11  # GNSS latency compensated (<= HIST_LEN IMU steps), s
    baro_m: float = 0.5  # baro altitude, m (sensor 0.2)
    tas_mps: float = 0.5  # true airspeed, m/s (sensor 0.3); + learnt gusts, see _fuse_air
    mag_gauss: float = 0.01  # magnetometer per axis, gauss (sensor 0.005)
    beta_rad: float = 0.1  # synthetic sideslip (beta = 0), rad; + learnt gusts
    # innovation gates, sigmas
    gnss_pos_gate: float = 5.0
    gnss_vel_gate: float = 5.0
    baro_gate: float = 5.0
    tas_gate: float = 5.0
    mag_gate: float = 5.0
    beta_gate: float = 5.0
    gnss_reset_timeout_s: float = 5.0  # continuous GNSS rejection before a reset to GNSS, s
    # dead reckoning (see ekf_dead_reckoning): after this long without an accepted GNSS
    # position or velocity the wind is frozen; math.inf disables it, s
    dead_reckoning_after_s: float = 2.0
    # wind random walk assumed in the covariance while dead reckoning (the estimate is frozen
    # regardless): 0 takes the wind as constant; > 0 (e.g. 0.02) also covers real changes of
    # the mean wind in the position uncertainty of a long outage, m/s/sqrt(s)
    dead_reckoning_wind_rw_mps_rts: float = 0.0
    min_airspeed_mps: float = 8.0  # airspeed and sideslip are fused above this TAS, m/s
    mag_bias_learn_min_yaw_rate_radps: float = 0.05  # learn the mag bias only while turning
    # horizontal specific force below which the heading error is not coupled into velocity
    # (see _predict_covariance), m/s^2
    yaw_accel_deadband_mps2: float = 0.5
    # the covariance is predicted at most this far apart (and before every fusion), s
    cov_predict_max_dt_s: float = 0.1  # (ArduPilot EKF3: covariance steps up to 0.1 s)
    # airspeed/sideslip fusion (and the wind) start once the heading is known this well: with
    # a larger heading uncertainty the wind-heading correlation is too non-linear for an EKF
    wind_init_max_yaw_sigma_rad: float = 0.15
    # air data in turbulence (see _fuse_air): correlation length of the gusts, the high-pass
    # time constant and the averaging time of the gust-intensity estimate, and the gust
    # intensity assumed when the wind is initialised (before any is measured)
    gust_length_m: float = 300.0
    gust_hp_tau_s: float = 5.0
    gust_var_tau_s: float = 30.0
    wind_init_gust_mps: float = 2.0
    # IMU plausibility: ekf_predict skips a sample with a non-finite component or one beyond
    # these (beyond the full scale of any MEMS IMU: +-4000 deg/s, +-100 g), or a dt that is
    # not in (0, imu_max_dt_s]
    imu_max_rate_radps: float = 70.0
    imu_max_accel_mps2: float = 1000.0
    imu_max_dt_s: float = 1.0
    # initial uncertainty (1 sigma)
    init_pos_h_m: float = 5.0
    init_pos_v_m: float = 5.0
    init_vel_mps: float = 1.0
    init_tilt_rad: float = 0.1  # roll/pitch
    init_yaw_rad: float = 0.5
    init_gyro_bias_radps: float = 3.0e-3  # sensor turn-on residual 1e-3
    init_accel_bias_mps2: float = 0.15  # sensor turn-on residual 0.05
    init_wind_mps: float = 10.0
    init_baro_bias_m: float = 10.0  # replaced at the first baro sample
    init_mag_bias_gauss: float = 0.05  # sensor hard-iron residual 0.02
