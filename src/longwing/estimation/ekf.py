"""Navigation EKF: IMU-driven error-state filter aided by GNSS, baro, airspeed and magnetometer.

Design (layout of the arrays: :mod:`longwing.estimation.state`)
----------------------------------------------------------------
* **Error-state EKF with a geodetic nominal state.** ``xk`` holds latitude, longitude,
  ellipsoidal height (float64), NED velocity, the quaternion q_nb, gyro and accelerometer
  biases, horizontal wind, the baro bias and the magnetometer bias. ``P`` (21 x 21) is the
  covariance of a small error state in metres and radians (NED position error, NED-axis
  attitude error vector, ...). Every fusion injects the estimated error into ``xk`` and resets
  it to zero, so the local NED error frame is re-centred on the current position at every step
  and nothing depends on a flat-earth origin: 1,000 km legs at 70 deg latitude fly the same as
  the first kilometre.
* **Strapdown mechanisation on the rotating ellipsoid** (``ekf_predict``, at the IMU rate)::

      q_nb  <- q_nb (x) exp((gyro - b_g - C_bn w_in_n) dt)       w_in = Earth rate + transport
      v_n   <- v_n + (C_nb (accel - b_a) + g_n - (2 w_ie_n + w_en_n) x v_n) dt
      lat   <- lat + vn / (M + h) dt,  lon <- lon + ve / ((N + h) cos(lat)) dt,  h <- h - vd dt

  with the specific force rotated by the mid-step attitude, trapezoidal position update,
  WGS84 radii of curvature and Somigliana normal gravity (``longwing.geo.gravity``, which
  includes the centrifugal term and the plumb-line north component). Earth rate and transport
  rate are **included** in both the attitude and the velocity (Coriolis) equations, so the
  filter is exact to first order on the rotating Earth; a gyro that senses Earth rate (as the
  simulated IMU does, it measures the inertial rate) is handled correctly.
  The position equations are singular at the poles: the filter is valid for |lat| < 89.9 deg.
* **Error dynamics** (continuous, first order; small Earth/transport-rate couplings of the
  error state are neglected -- they are 1e-4 /s against aiding time constants of seconds)::

      dtheta' = -C_nb d_bg                    dv' = -[C_nb f x] dtheta - C_nb d_ba
      dp'     =  dv                           biases, wind: random walks

  The covariance is propagated exactly as P <- F P F^T + Q with F = I + A dt, applied as sparse
  in-place row and column operations (no n^3 product, no allocation), then symmetrised and its
  variances limited (a capped variance scales its row and column so P stays positive).
  The state follows every IMU sample; the covariance follows in steps of at most
  ``cov_predict_max_dt_s`` (50 ms) and before every fusion, with the interval's mean specific
  force -- the costly O(n^2) propagation at a fifth of the IMU rate, as ArduPilot's EKF3 does.
* **Aiding** by sequential scalar updates (no matrix inverse): each scalar innovation is
  corrected for the error already estimated in its group, P <- P - (P H^T)(P H^T)^T / S; an
  update that would make any variance negative is skipped and counted (``N_NUMERICAL``).
* **Innovation gates**: each measurement group's test ratio innovation^2 / (gate^2 S) is formed
  with the prior covariance; a group is rejected when any ratio > 1, counted per channel, and
  exposed with the time of the last accepted fusion (:func:`ekf_health`). When GNSS position
  (or velocity) has been rejected continuously for ``gnss_reset_timeout_s`` the state is reset
  to GNSS (a diverged filter must not reject good data forever).
* **Bad samples are caught where they enter**: an IMU sample with a NaN/inf or implausible
  component or a bad dt is skipped by :func:`ekf_predict`, and a measurement with a NaN/inf
  input is dropped by its ``ekf_fuse_*`` kernel, in both cases before anything (not even the
  deferred covariance prediction) touches the state, and counted with its time (per channel
  ``F_N_NONFINITE``/``F_T_NONFINITE``; ``N_IMU_SKIPPED``/``T_IMU_SKIPPED``). A filter that
  went bad anyway is detected by :func:`ekf_is_finite`.
* **GNSS-denied dead reckoning** (:func:`ekf_dead_reckoning`): after
  ``dead_reckoning_after_s`` without GNSS the wind is frozen (no process noise; a consider
  state of the air-data fusions), so airspeed and sideslip hold the velocity against the
  last wind known with GNSS while the position covariance grows with the wind, heading and
  air-data errors; the first fix after the outage is fused, or resets the state if it
  fails the gate.
* **GNSS latency**: the measurement is compared with the state at the measurement time,
  formed from the current state minus the prediction increments of the last
  ``gnss_delay_s`` (a ring buffer in ``xk``, linearly interpolated); the resulting correction
  is applied to the current state with the current covariance. This removes the 2.5-5 m
  along-track error of ignoring a 0.1-0.2 s latency at 25 m/s at the cost of approximating
  the cross-covariance between delayed and current error by the current P (cheap, and exact
  as dt -> 0; EKF2 runs a full delayed-horizon filter instead). The buffer holds
  ``HIST_LEN`` = 128 IMU steps (1.28 s at 100 Hz), which bounds the usable delay. Other
  sensors are fused without latency compensation.
* **Air data**: each pitot sample (:func:`ekf_fuse_airspeed`) fuses TAS = |v_n - (w_n, w_e,
  0)| and the **synthetic sideslip** beta = 0 (fixed-wing). TAS observes only the wind along
  the air velocity; the sideslip observes it across the heading (without it the cross wind
  is unobservable in straight flight and, in turbulence, drifts without bound). Both start
  once the heading sigma is below ``wind_init_max_yaw_sigma_rad``: the first such airspeed
  sample initialises the wind from the ground velocity and heading, with the matching
  covariance (with a worse heading the wind-heading correlation is too non-linear for an EKF).
* **Turbulence**: the wind state is the *mean* wind. Gusts reach the air data as an error
  that is large (1-3 m/s, 0.05-0.1 rad in moderate turbulence) and correlated over
  L / V ~ 10-25 s; fused as white noise at 20 Hz they would make the wind chase the gusts
  with a sigma claiming 0.1-0.3 m/s. Each air-data channel learns its gust intensity from
  its own high-passed innovations, gates on the per-sample variance and fuses with the white
  noise equivalent to the correlated gust error (:func:`_fuse_air`); in calm air nothing
  changes.
* **Magnetometer**: 3-axis fusion of m_b = C_bn B_n + b_m against a reference field
  ``field_ned`` supplied by the caller (``longwing.geo.magfield.mag_field_ned``), with the
  body-axis bias estimated while turning and treated as a Schmidt *consider* state in
  straight flight (see :func:`ekf_fuse_mag`).
* **Heading consistency.** In straight, unaccelerated flight the heading is not observable
  (it trades against the mag bias and the wind). An EKF re-linearised at its own noisy
  estimate nevertheless "learns" heading there -- through the horizontal specific force
  produced by its own tilt noise and through the rotating mag-bias Jacobian -- and becomes
  confidently wrong (seen here: 10 deg errors with a 2 deg sigma after an hour). Two
  measures keep it honest: the heading-to-velocity coupling of the covariance prediction has
  a dead band on the horizontal specific force (``yaw_accel_deadband_mps2``; turns are far
  above it), and the consider-state mag bias. Heading becomes known in the first turn.
* **Baro** fuses baro_alt = h + b_baro; the bias is initialised from the first sample and
  absorbs the geoid/weather offset between pressure altitude and ellipsoidal height.
* **Uncertainty** reported by :func:`ekf_output` is the filter's: for position it is relative
  to the GNSS receiver's own slowly varying error (~1 m for single-frequency receivers),
  which no filter fusing only that receiver can observe.

Vectors passed as ``gyro_radps``, ``accel_mps2``, ``mag_body``, ``field_ned`` may be float64
arrays or tuples of 3 floats.

Where the parts live
--------------------
This module is the EKF's public API: it re-exports the public names of the modules below
(split as ArduPilot's EKF3 is), all in ``longwing.estimation``::

    ekf_params       EkfParams, the tuning
    ekf_init         new_ekf, ekf_init, ekf_init_from_sensors, attitude_from_sensors
    ekf_predict      ekf_predict: strapdown mechanisation, prediction history
    ekf_covariance   covariance prediction (_predict_covariance, _flush_covariance),
                     symmetry and variance limits
    ekf_update       sequential scalar update and error injection, shared by the fusions
    fuse_gnss        ekf_fuse_gnss: latency compensation, gates, resets to GNSS
    fuse_baro        ekf_fuse_baro
    fuse_airdata     ekf_fuse_airspeed, ekf_fuse_sideslip: wind initialisation, gusts (_fuse_air)
    fuse_mag         ekf_fuse_mag
    ekf_output       ekf_output, ekf_biases, ekf_gust_sigma, ekf_synthetic_airspeed,
                     airspeed_consistency, ekf_health, ekf_is_finite, ekf_dead_reckoning,
                     ekf_time_gnss_fused
    ekf_core         what every part shares: channel records, the dead-reckoning flag

Quaternion helpers (euler_to_quat, quat_to_euler, ...) are in :mod:`longwing.geo.rotation`.
"""

from longwing.estimation.ekf_core import Vec3
from longwing.estimation.ekf_init import (
    attitude_from_sensors,
    ekf_init,
    ekf_init_from_sensors,
    new_ekf,
)
from longwing.estimation.ekf_output import (
    airspeed_consistency,
    ekf_biases,
    ekf_dead_reckoning,
    ekf_gust_sigma,
    ekf_health,
    ekf_is_finite,
    ekf_output,
    ekf_synthetic_airspeed,
    ekf_time_gnss_fused,
)
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.ekf_predict import ekf_predict
from longwing.estimation.fuse_airdata import ekf_fuse_airspeed, ekf_fuse_sideslip
from longwing.estimation.fuse_baro import ekf_fuse_baro
from longwing.estimation.fuse_gnss import ekf_fuse_gnss
from longwing.estimation.fuse_mag import ekf_fuse_mag
from longwing.geo.rotation import euler_to_quat, quat_to_euler

__all__ = [
    "EkfParams",
    "Vec3",
    "airspeed_consistency",
    "attitude_from_sensors",
    "ekf_biases",
    "ekf_dead_reckoning",
    "ekf_fuse_airspeed",
    "ekf_fuse_baro",
    "ekf_fuse_gnss",
    "ekf_fuse_mag",
    "ekf_fuse_sideslip",
    "ekf_gust_sigma",
    "ekf_health",
    "ekf_init",
    "ekf_init_from_sensors",
    "ekf_is_finite",
    "ekf_output",
    "ekf_predict",
    "ekf_synthetic_airspeed",
    "ekf_time_gnss_fused",
    "euler_to_quat",
    "new_ekf",
    "quat_to_euler",
]
