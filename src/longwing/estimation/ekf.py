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
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.estimation.state import (
    A_DVAR,
    A_HPVAR,
    A_LP,
    A_PREV,
    A_T_PREV,
    AIR0,
    AIR_BETA,
    AIR_FIELDS,
    AIR_TAS,
    ALT,
    BARO_BIAS,
    BAX,
    BGX,
    CH0,
    CH_BARO,
    CH_BETA,
    CH_FIELDS,
    CH_GNSS_POS_H,
    CH_GNSS_POS_V,
    CH_GNSS_VEL,
    CH_MAG,
    CH_TAS,
    COV_DT,
    COV_F,
    E_BA,
    E_BB,
    E_BG,
    E_MB,
    E_P,
    E_TH,
    E_V,
    E_W,
    F_N_CONSEC_REJ,
    F_N_FUSED,
    F_N_NONFINITE,
    F_N_REJECTED,
    F_T_LAST_OK,
    F_T_NONFINITE,
    F_T_REJ_START,
    F_TEST_RATIO,
    FLAG_BARO_INIT,
    FLAG_DEAD_RECKONING,
    FLAG_WIND_INIT,
    FLAGS,
    HIST0,
    HIST_COUNT,
    HIST_FIELDS,
    HIST_HEAD,
    HIST_LEN,
    LAT,
    LON,
    MBX,
    N_CH,
    N_ERR,
    N_GNSS_RESETS,
    N_IMU_SKIPPED,
    N_NOM,
    N_NUMERICAL,
    QW,
    SCR_DX,
    SCR_H,
    SCR_PHT,
    T_DR_START,
    T_GNSS_RX,
    T_IMU_SKIPPED,
    T_S,
    VD,
    VE,
    VN,
    WE,
    WN,
    XK_SIZE,
    YAW_RATE,
)
from longwing.geo.gravity import gravity_ned_sc
from longwing.geo.rotation import quat_rotate, quat_rotate_inv
from longwing.geo.wgs84 import OMEGA_EARTH_RADPS, radii_of_curvature

Vec3 = np.ndarray | tuple[float, float, float]  # float64[3] array or a tuple of 3 floats

COS_LAT_MIN = 1.0e-4  # |lat| < 89.99 deg keeps the longitude rate finite


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


# variance limits per error-state block: (min, max)
VAR_LIMITS = (
    (1.0e-12, 1.0),  # attitude, rad^2
    (1.0e-8, 1.0e4),  # velocity, (m/s)^2
    (1.0e-6, 1.0e12),  # position, m^2
    (1.0e-16, 1.0e-2),  # gyro bias, (rad/s)^2
    (1.0e-12, 1.0),  # accel bias, (m/s^2)^2
    (1.0e-6, 900.0),  # wind, (m/s)^2
    (1.0e-6, 1.0e6),  # baro bias, m^2
    (1.0e-14, 0.25),  # mag bias, gauss^2
)
BLOCK_OF_ERR = (0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 7, 7)
# the same per error state (read-only constants the kernels inline)
_VAR_LO = np.array([VAR_LIMITS[b][0] for b in BLOCK_OF_ERR])
_VAR_HI = np.array([VAR_LIMITS[b][1] for b in BLOCK_OF_ERR])
_VAR_LO.setflags(write=False)
_VAR_HI.setflags(write=False)


# --------------------------------------------------------------------------------------------
# small helpers


@njit(cache=True)
def _wrap_pi(a: float) -> float:
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True)
def _dcm_nb(xk: np.ndarray) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Row-major C_nb (body -> NED) of the quaternion in ``xk``."""
    q0, q1, q2, q3 = xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3]
    return (
        q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3,
        2.0 * (q1 * q2 - q0 * q3),
        2.0 * (q1 * q3 + q0 * q2),
        2.0 * (q1 * q2 + q0 * q3),
        q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3,
        2.0 * (q2 * q3 - q0 * q1),
        2.0 * (q1 * q3 - q0 * q2),
        2.0 * (q2 * q3 + q0 * q1),
        q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
    )


@njit(cache=True)
def quat_to_euler(q0: float, q1: float, q2: float, q3: float) -> tuple[float, float, float]:
    """3-2-1 Euler angles (roll, pitch, yaw; rad) of q_nb."""
    roll = math.atan2(2.0 * (q0 * q1 + q2 * q3), 1.0 - 2.0 * (q1 * q1 + q2 * q2))
    pitch = math.asin(min(1.0, max(-1.0, 2.0 * (q0 * q2 - q3 * q1))))
    yaw = math.atan2(2.0 * (q0 * q3 + q1 * q2), 1.0 - 2.0 * (q2 * q2 + q3 * q3))
    return roll, pitch, yaw


@njit(cache=True)
def euler_to_quat(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    """q_nb (scalar first) of 3-2-1 Euler angles (rad)."""
    cr, sr = math.cos(0.5 * roll), math.sin(0.5 * roll)
    cp, sp = math.cos(0.5 * pitch), math.sin(0.5 * pitch)
    cy, sy = math.cos(0.5 * yaw), math.sin(0.5 * yaw)
    return (
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    )


@njit(cache=True)
def _quat_mul(
    a0: float, a1: float, a2: float, a3: float, b0: float, b1: float, b2: float, b3: float
) -> tuple[float, float, float, float]:
    return (
        a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3,
        a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
        a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1,
        a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0,
    )


@njit(cache=True)
def _rotvec_quat(x: float, y: float, z: float) -> tuple[float, float, float, float]:
    """Quaternion of the rotation vector (x, y, z) (rad)."""
    ang = math.sqrt(x * x + y * y + z * z)
    if ang < 1.0e-12:
        return 1.0, 0.5 * x, 0.5 * y, 0.5 * z
    s = math.sin(0.5 * ang) / ang
    return math.cos(0.5 * ang), x * s, y * s, z * s


@njit(cache=True)
def _set_quat(xk: np.ndarray, q0: float, q1: float, q2: float, q3: float) -> None:
    n = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
    if q0 < 0.0:
        n = -n
    xk[QW] = q0 / n
    xk[QW + 1] = q1 / n
    xk[QW + 2] = q2 / n
    xk[QW + 3] = q3 / n


@njit(cache=True)
def _ch(ch: int, field: int) -> int:
    return CH0 + ch * CH_FIELDS + field


@njit(cache=True)
def _record(xk: np.ndarray, ch: int, ratio: float, accepted: bool) -> None:
    """Book-keep one fusion attempt of channel ``ch``."""
    xk[_ch(ch, F_TEST_RATIO)] = ratio
    if accepted:
        xk[_ch(ch, F_N_FUSED)] += 1.0
        xk[_ch(ch, F_T_LAST_OK)] = xk[T_S]
        xk[_ch(ch, F_N_CONSEC_REJ)] = 0.0
    else:
        xk[_ch(ch, F_N_REJECTED)] += 1.0
        if xk[_ch(ch, F_N_CONSEC_REJ)] == 0.0:
            xk[_ch(ch, F_T_REJ_START)] = xk[T_S]
        xk[_ch(ch, F_N_CONSEC_REJ)] += 1.0


@njit(cache=True)
def _rejected_for(xk: np.ndarray, ch: int) -> float:
    """Time the channel has been rejected continuously (0 if its last attempt passed), s."""
    if xk[_ch(ch, F_N_CONSEC_REJ)] == 0.0:
        return 0.0
    return xk[T_S] - xk[_ch(ch, F_T_REJ_START)]


@njit(cache=True)
def _record_nonfinite(xk: np.ndarray, ch: int) -> None:
    """Book-keep a measurement of channel ``ch`` dropped for a NaN/inf input."""
    xk[_ch(ch, F_N_NONFINITE)] += 1.0
    xk[_ch(ch, F_T_NONFINITE)] = xk[T_S]


@njit(cache=True)
def _finite3(v: Vec3) -> bool:
    return math.isfinite(v[0]) and math.isfinite(v[1]) and math.isfinite(v[2])


@njit(cache=True)
def _t_gnss_fused(xk: np.ndarray) -> float:
    """Filter time of the last accepted GNSS horizontal position or velocity, s."""
    return max(xk[_ch(CH_GNSS_POS_H, F_T_LAST_OK)], xk[_ch(CH_GNSS_VEL, F_T_LAST_OK)])


@njit(cache=True)
def _is_dead_reckoning(xk: np.ndarray) -> bool:
    return int(xk[FLAGS]) & FLAG_DEAD_RECKONING != 0


@njit(cache=True)
def _update_dead_reckoning(xk: np.ndarray, p: EkfParams) -> None:
    """Set or clear FLAG_DEAD_RECKONING from the time since the last GNSS fusion."""
    dr = xk[T_S] - _t_gnss_fused(xk) > p.dead_reckoning_after_s
    flags = int(xk[FLAGS])
    if dr and flags & FLAG_DEAD_RECKONING == 0:
        xk[FLAGS] = flags | FLAG_DEAD_RECKONING
        xk[T_DR_START] = xk[T_S]
    elif not dr and flags & FLAG_DEAD_RECKONING != 0:
        xk[FLAGS] = flags & ~FLAG_DEAD_RECKONING


# --------------------------------------------------------------------------------------------
# covariance bookkeeping


@njit(cache=True)
def _limit_variances(P: np.ndarray) -> None:
    """Keep every variance within its block's limits (P stays PSD)."""
    for i in range(N_ERR):
        lo = _VAR_LO[i]
        v = P[i, i]
        if not v >= lo:  # also catches NaN
            for j in range(N_ERR):
                P[i, j] = 0.0
                P[j, i] = 0.0
            P[i, i] = lo
        elif v > _VAR_HI[i]:
            s = math.sqrt(_VAR_HI[i] / v)
            for j in range(N_ERR):
                P[i, j] *= s
                P[j, i] *= s
            P[i, i] = _VAR_HI[i]


@njit(cache=True)
def _constrain(P: np.ndarray) -> None:
    """Symmetrise P and keep every variance within its block's limits (P stays PSD)."""
    n = N_ERR
    for i in range(n):
        for j in range(i + 1, n):
            a = 0.5 * (P[i, j] + P[j, i])
            P[i, j] = a
            P[j, i] = a
    _limit_variances(P)


@njit(cache=True)
def _zero_cross(P: np.ndarray, i: int, var: float) -> None:
    """Decorrelate error state ``i`` from all others and set its variance."""
    for j in range(N_ERR):
        P[i, j] = 0.0
        P[j, i] = 0.0
    P[i, i] = var


@njit(cache=True)
def _clear_h(xk: np.ndarray) -> None:
    for i in range(N_ERR):
        xk[SCR_H + i] = 0.0


@njit(cache=True)
def _innov_var(xk: np.ndarray, P: np.ndarray, r_var: float) -> float:
    """H P H^T + R for the measurement row in the scratch area."""
    s = r_var
    for i in range(N_ERR):
        hi = xk[SCR_H + i]
        if hi != 0.0:
            for j in range(N_ERR):
                hj = xk[SCR_H + j]
                if hj != 0.0:
                    s += hi * P[i, j] * hj
    return s


@njit(cache=True)
def _fuse_scalar(
    xk: np.ndarray, P: np.ndarray, innov: float, r_var: float, c0: int, c1: int
) -> bool:
    """One sequential scalar update with the measurement row in the scratch area.

    ``innov`` is z - h(nominal state); it is corrected here for the error already estimated
    by earlier scalars of the same group (accumulated in the scratch dx). Error states
    ``c0 <= i < c1`` are *consider* states (Schmidt-Kalman): their uncertainty enters the
    innovation variance and their cross-covariances are updated, but their estimate and
    their own covariance block are left unchanged (pass c0 = c1 for a plain update).
    Returns False (and counts a numerical fault) if the update would make a variance negative.
    """
    y = innov
    for j in range(N_ERR):
        y -= xk[SCR_H + j] * xk[SCR_DX + j]
    # P H^T as a sum of the rows of P (= its columns, P being symmetric) picked by the
    # non-zero entries of H: no reduction chain, so the inner loop vectorises
    for i in range(N_ERR):
        xk[SCR_PHT + i] = 0.0
    for j in range(N_ERR):
        hj = xk[SCR_H + j]
        if hj != 0.0:
            for i in range(N_ERR):
                xk[SCR_PHT + i] += P[j, i] * hj
    s = r_var
    for i in range(N_ERR):
        s += xk[SCR_H + i] * xk[SCR_PHT + i]
    if not s > 0.0:
        xk[N_NUMERICAL] += 1.0
        return False
    for i in range(N_ERR):
        if xk[SCR_PHT + i] * xk[SCR_PHT + i] / s > P[i, i] and not c0 <= i < c1:
            xk[N_NUMERICAL] += 1.0
            return False
    inv_s = 1.0 / s
    for i in range(N_ERR):
        if not c0 <= i < c1:
            xk[SCR_DX + i] += xk[SCR_PHT + i] * inv_s * y
    # P <- P - K (P H^T)^T, leaving the consider block alone (branch-free outside its rows)
    for i in range(N_ERR):
        ki = xk[SCR_PHT + i] * inv_s
        if c0 <= i < c1:
            for j in range(N_ERR):
                if not c0 <= j < c1:
                    P[i, j] -= ki * xk[SCR_PHT + j]
        else:
            for j in range(N_ERR):
                P[i, j] -= ki * xk[SCR_PHT + j]
    return True


@njit(cache=True)
def _begin_group(xk: np.ndarray) -> None:
    for i in range(N_ERR):
        xk[SCR_DX + i] = 0.0


@njit(cache=True)
def _inject(xk: np.ndarray, P: np.ndarray) -> None:
    """Add the accumulated error estimate to the nominal state and reset it to zero."""
    dx = SCR_DX
    # attitude: C_true = (I + [dtheta x]) C_est  ->  q <- exp(dtheta) (x) q
    d0, d1, d2, d3 = _rotvec_quat(xk[dx + E_TH], xk[dx + E_TH + 1], xk[dx + E_TH + 2])
    q0, q1, q2, q3 = _quat_mul(d0, d1, d2, d3, xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3])
    _set_quat(xk, q0, q1, q2, q3)
    for i in range(3):
        xk[VN + i] += xk[dx + E_V + i]
        xk[BGX + i] += xk[dx + E_BG + i]
        xk[BAX + i] += xk[dx + E_BA + i]
        xk[MBX + i] += xk[dx + E_MB + i]
    m_rad, n_rad = radii_of_curvature(xk[LAT])
    h = xk[ALT]
    xk[LAT] += xk[dx + E_P] / (m_rad + h)
    xk[LON] = _wrap_pi(
        xk[LON] + xk[dx + E_P + 1] / ((n_rad + h) * max(math.cos(xk[LAT]), COS_LAT_MIN))
    )
    xk[ALT] -= xk[dx + E_P + 2]
    xk[WN] += xk[dx + E_W]
    xk[WE] += xk[dx + E_W + 1]
    xk[BARO_BIAS] += xk[dx + E_BB]
    for i in range(N_ERR):
        xk[dx + i] = 0.0
    # the scalar updates keep P symmetric to rounding; the covariance prediction (at most
    # cov_predict_max_dt_s later) symmetrises it
    _limit_variances(P)


# --------------------------------------------------------------------------------------------
# initialisation


def new_ekf(params: EkfParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Allocate the filter arrays ``(xk, P)`` once per run (level attitude, zero covariance).

    Call :func:`ekf_init` (or :func:`ekf_init_from_sensors`) before the first prediction.
    ``params`` is accepted for symmetry with the other entry points (the sizes are fixed).
    """
    xk = np.zeros(XK_SIZE)
    xk[QW] = 1.0
    for ach in range(2):
        xk[AIR0 + ach * AIR_FIELDS + A_T_PREV] = -1.0
    return xk, np.zeros((N_ERR, N_ERR))


@njit(cache=True)
def ekf_init(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    roll_rad: float,
    pitch_rad: float,
    yaw_rad: float,
    params: EkfParams,
) -> None:
    """(Re)start the filter at a geodetic position, NED velocity and attitude.

    Biases and wind start at zero; the covariance is diagonal from the ``init_*`` sigmas of
    ``params``; counters, history and time are cleared.
    """
    for i in range(XK_SIZE):
        xk[i] = 0.0
    for ach in range(2):
        xk[AIR0 + ach * AIR_FIELDS + A_T_PREV] = -1.0  # no air-data sample yet
    xk[LAT] = lat_rad
    xk[LON] = _wrap_pi(lon_rad)
    xk[ALT] = alt_m
    xk[VN] = vn_mps
    xk[VE] = ve_mps
    xk[VD] = vd_mps
    q0, q1, q2, q3 = euler_to_quat(roll_rad, pitch_rad, yaw_rad)
    _set_quat(xk, q0, q1, q2, q3)
    for i in range(N_ERR):
        for j in range(N_ERR):
            P[i, j] = 0.0
    p = params
    P[E_TH, E_TH] = p.init_tilt_rad**2
    P[E_TH + 1, E_TH + 1] = p.init_tilt_rad**2
    P[E_TH + 2, E_TH + 2] = p.init_yaw_rad**2
    for i in range(3):
        P[E_V + i, E_V + i] = p.init_vel_mps**2
        P[E_BG + i, E_BG + i] = p.init_gyro_bias_radps**2
        P[E_BA + i, E_BA + i] = p.init_accel_bias_mps2**2
        P[E_MB + i, E_MB + i] = p.init_mag_bias_gauss**2
    P[E_P, E_P] = p.init_pos_h_m**2
    P[E_P + 1, E_P + 1] = p.init_pos_h_m**2
    P[E_P + 2, E_P + 2] = p.init_pos_v_m**2
    P[E_W, E_W] = p.init_wind_mps**2
    P[E_W + 1, E_W + 1] = p.init_wind_mps**2
    P[E_BB, E_BB] = p.init_baro_bias_m**2
    _constrain(P)


@njit(cache=True)
def attitude_from_sensors(
    accel_mps2: Vec3, mag_body: Vec3, field_ned: Vec3
) -> tuple[float, float, float]:
    """Roll, pitch from the gravity direction and yaw from the magnetometer (rad).

    Valid when the vehicle is not accelerating (on the ground, or steady straight flight);
    the magnetometer bias is taken as zero and the declination comes from ``field_ned``.
    """
    ax, ay, az = accel_mps2[0], accel_mps2[1], accel_mps2[2]
    roll = math.atan2(-ay, -az)
    pitch = math.atan2(ax, math.sqrt(ay * ay + az * az))
    cr, sr = math.cos(roll), math.sin(roll)
    cp, sp = math.cos(pitch), math.sin(pitch)
    mx, my, mz = mag_body[0], mag_body[1], mag_body[2]
    mxh = mx * cp + my * sr * sp + mz * cr * sp
    myh = my * cr - mz * sr
    decl = math.atan2(field_ned[1], field_ned[0])
    yaw = _wrap_pi(math.atan2(-myh, mxh) + decl)
    return roll, pitch, yaw


@njit(cache=True)
def ekf_init_from_sensors(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    accel_mps2: Vec3,
    mag_body: Vec3,
    field_ned: Vec3,
    params: EkfParams,
) -> None:
    """:func:`ekf_init` with the attitude from :func:`attitude_from_sensors`."""
    roll, pitch, yaw = attitude_from_sensors(accel_mps2, mag_body, field_ned)
    ekf_init(xk, P, lat_rad, lon_rad, alt_m, vn_mps, ve_mps, vd_mps, roll, pitch, yaw, params)


# --------------------------------------------------------------------------------------------
# prediction


@njit(cache=True)
def _imu_ok(gyro: Vec3, accel: Vec3, dt: float, p: EkfParams) -> bool:
    """The IMU sample is finite and plausible (comparisons with NaN are False)."""
    if not 0.0 < dt <= p.imu_max_dt_s:
        return False
    for k in range(3):
        if not abs(gyro[k]) <= p.imu_max_rate_radps:
            return False
        if not abs(accel[k]) <= p.imu_max_accel_mps2:
            return False
    return True


@njit(cache=True)
def ekf_predict(
    xk: np.ndarray,
    P: np.ndarray,
    gyro_radps: Vec3,
    accel_mps2: Vec3,
    dt: float,
    params: EkfParams,
) -> None:
    """Advance the filter by one IMU sample held over ``dt`` seconds (state and covariance).

    ``gyro_radps``: inertial angular rate in body axes (+ bias + noise), rad/s.
    ``accel_mps2``: specific force in body axes (+ bias + noise), m/s^2.

    A sample with a NaN/inf or implausible component (beyond ``params.imu_max_rate_radps``,
    ``params.imu_max_accel_mps2``) or a ``dt`` outside (0, ``params.imu_max_dt_s``] is
    skipped: state, covariance and filter time are left exactly as they were (the filter time
    is the integrated IMU time); it is counted in ``N_IMU_SKIPPED`` with its time in
    ``T_IMU_SKIPPED`` (:func:`ekf_health`).
    """
    if not _imu_ok(gyro_radps, accel_mps2, dt, params):
        xk[N_IMU_SKIPPED] += 1.0
        xk[T_IMU_SKIPPED] = xk[T_S]
        return
    lat, h = xk[LAT], xk[ALT]
    vn, ve, vd = xk[VN], xk[VE], xk[VD]
    wx = gyro_radps[0] - xk[BGX]
    wy = gyro_radps[1] - xk[BGX + 1]
    wz = gyro_radps[2] - xk[BGX + 2]
    fx = accel_mps2[0] - xk[BAX]
    fy = accel_mps2[1] - xk[BAX + 1]
    fz = accel_mps2[2] - xk[BAX + 2]

    sl, cl = math.sin(lat), math.cos(lat)
    cl = max(cl, COS_LAT_MIN)
    m_rad, n_rad = radii_of_curvature(lat)
    rm = m_rad + h
    rn = n_rad + h
    # Earth rate and transport rate, NED
    wie_n = OMEGA_EARTH_RADPS * cl
    wie_d = -OMEGA_EARTH_RADPS * sl
    wen_n = ve / rn
    wen_e = -vn / rm
    wen_d = -ve * sl / (cl * rn)

    # attitude: body increment minus the rotation of the navigation frame
    q0, q1, q2, q3 = xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3]
    bx, by, bz = quat_rotate_inv(q0, q1, q2, q3, wie_n + wen_n, wen_e, wie_d + wen_d)
    d0, d1, d2, d3 = _rotvec_quat((wx - bx) * dt, (wy - by) * dt, (wz - bz) * dt)
    n0, n1, n2, n3 = _quat_mul(q0, q1, q2, q3, d0, d1, d2, d3)
    _, _, xk[YAW_RATE] = quat_rotate(q0, q1, q2, q3, wx - bx, wy - by, wz - bz)
    # specific force in NED with the mid-step attitude
    an, ae, ad = quat_rotate(q0, q1, q2, q3, fx, fy, fz)
    cn, ce, cd = quat_rotate(n0, n1, n2, n3, fx, fy, fz)
    fn = 0.5 * (an + cn)
    fe = 0.5 * (ae + ce)
    fd = 0.5 * (ad + cd)
    _set_quat(xk, n0, n1, n2, n3)

    # velocity: specific force + gravity - Coriolis and transport-rate terms
    gn, ge, gd = gravity_ned_sc(sl, cl, h)
    on = 2.0 * wie_n + wen_n
    oe = wen_e
    od = 2.0 * wie_d + wen_d
    an_ = fn + gn - (oe * vd - od * ve)
    ae_ = fe + ge - (od * vn - on * vd)
    ad_ = fd + gd - (on * ve - oe * vn)
    vn1 = vn + an_ * dt
    ve1 = ve + ae_ * dt
    vd1 = vd + ad_ * dt
    xk[VN] = vn1
    xk[VE] = ve1
    xk[VD] = vd1
    dlat = 0.5 * (vn + vn1) / rm * dt
    dlon = 0.5 * (ve + ve1) / (rn * cl) * dt
    dh = -0.5 * (vd + vd1) * dt
    xk[LAT] = lat + dlat
    xk[LON] = _wrap_pi(xk[LON] + dlon)
    xk[ALT] = h + dh
    xk[T_S] += dt
    _update_dead_reckoning(xk, params)

    # increment history for delayed measurements
    head = (int(xk[HIST_HEAD]) + 1) % HIST_LEN
    xk[HIST_HEAD] = head
    xk[HIST_COUNT] = min(xk[HIST_COUNT] + 1.0, float(HIST_LEN))
    r = HIST0 + head * HIST_FIELDS
    xk[r] = dt
    xk[r + 1] = dlat
    xk[r + 2] = dlon
    xk[r + 3] = dh
    xk[r + 4] = vn1 - vn
    xk[r + 5] = ve1 - ve
    xk[r + 6] = vd1 - vd

    # the covariance follows in one step per interval (see _flush_covariance)
    xk[COV_DT] += dt
    xk[COV_F] += fn * dt
    xk[COV_F + 1] += fe * dt
    xk[COV_F + 2] += fd * dt
    if xk[COV_DT] >= params.cov_predict_max_dt_s:
        _flush_covariance(xk, P, params)


@njit(cache=True)
def _flush_covariance(xk: np.ndarray, P: np.ndarray, p: EkfParams) -> None:
    """Propagate P over the time predicted since the last covariance step, in one step.

    The state follows every IMU sample; the covariance, the costly part, follows in steps of
    at most ``cov_predict_max_dt_s`` and always before a fusion, with the interval's mean
    specific force (ArduPilot's EKF3 likewise predicts the covariance at a lower rate than
    the state, up to 0.1 s apart). Over <= 50 ms the transition is still first order:
    |A dt| <= 0.5 only in the tilt-to-velocity block, whose second-order term the
    process noise dominates.
    """
    t = xk[COV_DT]
    if t <= 0.0:
        return
    _predict_covariance(xk, P, xk[COV_F] / t, xk[COV_F + 1] / t, xk[COV_F + 2] / t, t, p)
    xk[COV_DT] = 0.0
    xk[COV_F] = 0.0
    xk[COV_F + 1] = 0.0
    xk[COV_F + 2] = 0.0


@njit(cache=True)
def _predict_covariance(
    xk: np.ndarray, P: np.ndarray, fn: float, fe: float, fd: float, dt: float, p: EkfParams
) -> None:
    """P <- F P F^T + Q, F = I + A dt, as sparse in-place row then column operations.

    Non-zero blocks of A: A[P, V] = I; A[V, TH] = -[f_n x]; A[V, BA] = -C_nb;
    A[TH, BG] = -C_nb. Rows are updated in an order that only reads rows not yet updated
    (P, then V, then TH), and the same for columns.
    """
    c = _dcm_nb(xk)
    n = N_ERR
    # -[f x] = [[0, fd, -fe], [-fd, 0, fn], [fe, -fn, 0]]. The yaw column couples the heading
    # error into velocity through the horizontal specific force; in unaccelerated flight that
    # force is mostly the estimate's own tilt error (noise), which would feed the filter
    # false heading information. A dead band keeps manoeuvres (turns: g tan(bank)) and drops
    # the noise.
    fh = math.sqrt(fn * fn + fe * fe)
    k_yaw = max(0.0, fh - p.yaw_accel_deadband_mps2) / fh if fh > 0.0 else 0.0
    m00, m01, m02 = 0.0, fd, -fe * k_yaw
    m10, m11, m12 = -fd, 0.0, fn * k_yaw
    m20, m21, m22 = fe, -fn, 0.0
    # rows: F P
    for j in range(n):
        for i in range(3):
            P[E_P + i, j] += dt * P[E_V + i, j]
        t0, t1, t2 = P[E_TH, j], P[E_TH + 1, j], P[E_TH + 2, j]
        a0, a1, a2 = P[E_BA, j], P[E_BA + 1, j], P[E_BA + 2, j]
        P[E_V, j] += dt * (m00 * t0 + m01 * t1 + m02 * t2 - (c[0] * a0 + c[1] * a1 + c[2] * a2))
        P[E_V + 1, j] += dt * (m10 * t0 + m11 * t1 + m12 * t2 - (c[3] * a0 + c[4] * a1 + c[5] * a2))
        P[E_V + 2, j] += dt * (m20 * t0 + m21 * t1 + m22 * t2 - (c[6] * a0 + c[7] * a1 + c[8] * a2))
        g0, g1, g2 = P[E_BG, j], P[E_BG + 1, j], P[E_BG + 2, j]
        P[E_TH, j] -= dt * (c[0] * g0 + c[1] * g1 + c[2] * g2)
        P[E_TH + 1, j] -= dt * (c[3] * g0 + c[4] * g1 + c[5] * g2)
        P[E_TH + 2, j] -= dt * (c[6] * g0 + c[7] * g1 + c[8] * g2)
    # columns: (F P) F^T
    for i in range(n):
        for k in range(3):
            P[i, E_P + k] += dt * P[i, E_V + k]
        t0, t1, t2 = P[i, E_TH], P[i, E_TH + 1], P[i, E_TH + 2]
        a0, a1, a2 = P[i, E_BA], P[i, E_BA + 1], P[i, E_BA + 2]
        P[i, E_V] += dt * (m00 * t0 + m01 * t1 + m02 * t2 - (c[0] * a0 + c[1] * a1 + c[2] * a2))
        P[i, E_V + 1] += dt * (m10 * t0 + m11 * t1 + m12 * t2 - (c[3] * a0 + c[4] * a1 + c[5] * a2))
        P[i, E_V + 2] += dt * (m20 * t0 + m21 * t1 + m22 * t2 - (c[6] * a0 + c[7] * a1 + c[8] * a2))
        g0, g1, g2 = P[i, E_BG], P[i, E_BG + 1], P[i, E_BG + 2]
        P[i, E_TH] -= dt * (c[0] * g0 + c[1] * g1 + c[2] * g2)
        P[i, E_TH + 1] -= dt * (c[3] * g0 + c[4] * g1 + c[5] * g2)
        P[i, E_TH + 2] -= dt * (c[6] * g0 + c[7] * g1 + c[8] * g2)
    # process noise
    q_th = p.gyro_noise_radps_rthz**2 * dt
    q_v = p.accel_noise_mps2_rthz**2 * dt
    q_bg = p.gyro_bias_rw_radps_rts**2 * dt
    q_ba = p.accel_bias_rw_mps2_rts**2 * dt
    q_mb = p.mag_bias_rw_gauss_rts**2 * dt
    for i in range(3):
        P[E_TH + i, E_TH + i] += q_th
        P[E_V + i, E_V + i] += q_v
        P[E_BG + i, E_BG + i] += q_bg
        P[E_BA + i, E_BA + i] += q_ba
        P[E_MB + i, E_MB + i] += q_mb
    # the wind is frozen while dead reckoning (see ekf_dead_reckoning)
    w_rw = p.dead_reckoning_wind_rw_mps_rts if _is_dead_reckoning(xk) else p.wind_rw_mps_rts
    q_w = w_rw * w_rw * dt
    P[E_W, E_W] += q_w
    P[E_W + 1, E_W + 1] += q_w
    P[E_BB, E_BB] += p.baro_bias_rw_m_rts**2 * dt
    _constrain(P)


# --------------------------------------------------------------------------------------------
# GNSS


@njit(cache=True)
def _history_delta(
    xk: np.ndarray, delay_s: float
) -> tuple[float, float, float, float, float, float]:
    """Sum of the prediction increments over the last ``delay_s`` (linear within a step)."""
    sums0 = sums1 = sums2 = sums3 = sums4 = sums5 = 0.0
    count = int(xk[HIST_COUNT])
    head = int(xk[HIST_HEAD])
    remaining = delay_s
    k = 0
    while remaining > 0.0 and k < count:
        r = HIST0 + ((head - k) % HIST_LEN) * HIST_FIELDS
        dt = xk[r]
        frac = 1.0 if dt <= remaining else remaining / dt
        sums0 += frac * xk[r + 1]
        sums1 += frac * xk[r + 2]
        sums2 += frac * xk[r + 3]
        sums3 += frac * xk[r + 4]
        sums4 += frac * xk[r + 5]
        sums5 += frac * xk[r + 6]
        remaining -= dt
        k += 1
    return sums0, sums1, sums2, sums3, sums4, sums5


@njit(cache=True)
def _reset_to_gnss(
    xk: np.ndarray,
    P: np.ndarray,
    pos: bool,
    vel: bool,
    innov: tuple[float, float, float, float, float, float],
    p: EkfParams,
) -> None:
    """Move the state by the GNSS innovation and reset the matching covariance."""
    _begin_group(xk)
    if pos:
        xk[SCR_DX + E_P] = innov[0]
        xk[SCR_DX + E_P + 1] = innov[1]
        _zero_cross(P, E_P, p.gnss_pos_h_m**2)
        _zero_cross(P, E_P + 1, p.gnss_pos_h_m**2)
    if vel:
        for i in range(3):
            xk[SCR_DX + E_V + i] = innov[3 + i]
        _zero_cross(P, E_V, p.gnss_vel_h_mps**2)
        _zero_cross(P, E_V + 1, p.gnss_vel_h_mps**2)
        _zero_cross(P, E_V + 2, p.gnss_vel_v_mps**2)
    _inject(xk, P)
    xk[N_GNSS_RESETS] += 1.0


@njit(cache=True)
def ekf_fuse_gnss(
    xk: np.ndarray,
    P: np.ndarray,
    lat_rad: float,
    lon_rad: float,
    alt_m: float,
    vn_mps: float,
    ve_mps: float,
    vd_mps: float,
    params: EkfParams,
) -> tuple[float, float, float]:
    """Fuse one GNSS fix (geodetic position, ellipsoidal height, NED velocity).

    The fix is taken to be ``params.gnss_delay_s`` old. Returns the test ratios
    (horizontal position, height, velocity); a ratio > 1 means that group was rejected.

    A fix with any NaN/inf input is dropped whole (state and covariance untouched, returns
    zeros) and counted on the channel(s) of the bad input(s) (``F_N_NONFINITE``).

    A group rejected continuously for ``params.gnss_reset_timeout_s`` resets the state to
    GNSS. **Re-acquisition after an outage**: the first fix after a gap in the GNSS data
    longer than ``params.dead_reckoning_after_s``, arriving while the filter is dead
    reckoning, resets a group that fails its gate at once (see :func:`ekf_dead_reckoning`).
    """
    bad_h = not (math.isfinite(lat_rad) and math.isfinite(lon_rad))
    bad_v = not math.isfinite(alt_m)
    bad_vel = not (math.isfinite(vn_mps) and math.isfinite(ve_mps) and math.isfinite(vd_mps))
    if bad_h or bad_v or bad_vel:
        if bad_h:
            _record_nonfinite(xk, CH_GNSS_POS_H)
        if bad_v:
            _record_nonfinite(xk, CH_GNSS_POS_V)
        if bad_vel:
            _record_nonfinite(xk, CH_GNSS_VEL)
        return 0.0, 0.0, 0.0
    _flush_covariance(xk, P, params)
    p = params
    # a fix after an outage (not after a run of rejected fixes) while dead reckoning
    reacquired = _is_dead_reckoning(xk) and xk[T_S] - xk[T_GNSS_RX] > p.dead_reckoning_after_s
    xk[T_GNSS_RX] = xk[T_S]
    d_lat, d_lon, d_h, d_vn, d_ve, d_vd = _history_delta(xk, p.gnss_delay_s)
    lat_d = xk[LAT] - d_lat
    m_rad, n_rad = radii_of_curvature(lat_d)
    h_d = xk[ALT] - d_h
    innov = (
        (lat_rad - lat_d) * (m_rad + h_d),
        _wrap_pi(lon_rad - (xk[LON] - d_lon)) * (n_rad + h_d) * math.cos(lat_d),
        -(alt_m - h_d),
        vn_mps - (xk[VN] - d_vn),
        ve_mps - (xk[VE] - d_ve),
        vd_mps - (xk[VD] - d_vd),
    )
    r_pos_h = p.gnss_pos_h_m**2
    r_pos_v = p.gnss_pos_v_m**2
    r_vel_h = p.gnss_vel_h_mps**2
    r_vel_v = p.gnss_vel_v_mps**2
    g_pos = p.gnss_pos_gate**2
    g_vel = p.gnss_vel_gate**2
    ratio_ph = max(
        innov[0] ** 2 / (g_pos * (P[E_P, E_P] + r_pos_h)),
        innov[1] ** 2 / (g_pos * (P[E_P + 1, E_P + 1] + r_pos_h)),
    )
    ratio_pv = innov[2] ** 2 / (g_pos * (P[E_P + 2, E_P + 2] + r_pos_v))
    ratio_v = max(
        innov[3] ** 2 / (g_vel * (P[E_V, E_V] + r_vel_h)),
        innov[4] ** 2 / (g_vel * (P[E_V + 1, E_V + 1] + r_vel_h)),
        innov[5] ** 2 / (g_vel * (P[E_V + 2, E_V + 2] + r_vel_v)),
    )
    ok_ph = ratio_ph <= 1.0
    ok_pv = ratio_pv <= 1.0
    ok_v = ratio_v <= 1.0
    _record(xk, CH_GNSS_POS_H, ratio_ph, ok_ph)
    _record(xk, CH_GNSS_POS_V, ratio_pv, ok_pv)
    _record(xk, CH_GNSS_VEL, ratio_v, ok_v)

    t_reset = p.gnss_reset_timeout_s
    reset_pos = (not ok_ph) and (reacquired or _rejected_for(xk, CH_GNSS_POS_H) > t_reset)
    reset_vel = (not ok_v) and (reacquired or _rejected_for(xk, CH_GNSS_VEL) > t_reset)
    if reset_pos or reset_vel:
        _reset_to_gnss(xk, P, reset_pos, reset_vel, innov, p)
        if reset_pos:
            _record(xk, CH_GNSS_POS_H, 0.0, True)
        if reset_vel:
            _record(xk, CH_GNSS_VEL, 0.0, True)
        _update_dead_reckoning(xk, p)
        return ratio_ph, ratio_pv, ratio_v

    _begin_group(xk)
    for i in range(6):
        if i < 2:
            use, r = ok_ph, r_pos_h
        elif i == 2:
            use, r = ok_pv, r_pos_v
        elif i < 5:
            use, r = ok_v, r_vel_h
        else:
            use, r = ok_v, r_vel_v
        if use:
            _clear_h(xk)
            xk[SCR_H + (E_P + i if i < 3 else E_V + i - 3)] = 1.0
            _fuse_scalar(xk, P, innov[i], r, 0, 0)
    _inject(xk, P)
    _update_dead_reckoning(xk, p)
    return ratio_ph, ratio_pv, ratio_v


# --------------------------------------------------------------------------------------------
# baro


@njit(cache=True)
def ekf_fuse_baro(xk: np.ndarray, P: np.ndarray, baro_alt_m: float, params: EkfParams) -> float:
    """Fuse a baro (pressure) altitude: baro_alt = h + baro_bias. Returns the test ratio.

    The first sample initialises the baro bias (ratio 0). A NaN/inf sample is dropped
    (state and covariance untouched, returns 0) and counted (``F_N_NONFINITE``).
    """
    if not math.isfinite(baro_alt_m):
        _record_nonfinite(xk, CH_BARO)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    r = p.baro_m**2
    flags = int(xk[FLAGS])
    if flags & FLAG_BARO_INIT == 0:
        xk[BARO_BIAS] = baro_alt_m - xk[ALT]
        _zero_cross(P, E_BB, P[E_P + 2, E_P + 2] + r)
        xk[FLAGS] = flags | FLAG_BARO_INIT
        _record(xk, CH_BARO, 0.0, True)
        return 0.0
    innov = baro_alt_m - (xk[ALT] + xk[BARO_BIAS])
    _clear_h(xk)
    xk[SCR_H + E_P + 2] = -1.0
    xk[SCR_H + E_BB] = 1.0
    s = _innov_var(xk, P, r)
    ratio = innov * innov / (p.baro_gate**2 * s)
    ok = ratio <= 1.0
    _record(xk, CH_BARO, ratio, ok)
    if ok:
        _begin_group(xk)
        _fuse_scalar(xk, P, innov, r, 0, 0)
        _inject(xk, P)
    return ratio


# --------------------------------------------------------------------------------------------
# air data


@njit(cache=True)
def _init_wind(xk: np.ndarray, P: np.ndarray, tas_mps: float, p: EkfParams) -> None:
    """Wind = ground velocity - TAS along the heading (zero sideslip), with its covariance.

    w = v_h - tas (cos psi, sin psi): the wind error is J x_err + noise with
    J = [I_2 on the horizontal velocity, tas (sin psi, -cos psi) on the yaw error]. The noise
    is that of the airspeed along the heading and of the zero-sideslip assumption across it,
    each with the prior gust intensity ``wind_init_gust_mps`` (one sample does not tell a gust
    from the mean wind; the gust variance is learnt only afterwards).
    """
    _, _, yaw = quat_to_euler(xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3])
    cy, sy = math.cos(yaw), math.sin(yaw)
    xk[WN] = xk[VN] - tas_mps * cy
    xk[WE] = xk[VE] - tas_mps * sy
    jy = (tas_mps * sy, -tas_mps * cy)
    g2 = p.wind_init_gust_mps**2
    r_along = p.tas_mps**2 + g2
    r_across = (tas_mps * p.beta_rad) ** 2 + g2
    u = (cy, sy)
    n = N_ERR
    # rows of J P (wind rows), using the velocity and yaw rows
    for a in range(2):
        for j in range(n):
            P[E_W + a, j] = P[E_V + a, j] + jy[a] * P[E_TH + 2, j]
    for a in range(2):
        for j in range(n):
            P[j, E_W + a] = P[E_W + a, j]
    # wind-wind block: J P J^T + r_along u u^T + r_across u' u'^T, u' = (-sin, cos)
    for a in range(2):
        for b in range(2):
            ua_ub = u[a] * u[b]
            perp = (1.0 if a == b else 0.0) - ua_ub  # u' u'^T = I - u u^T
            P[E_W + a, E_W + b] = (
                P[E_V + a, E_V + b]
                + jy[a] * P[E_TH + 2, E_V + b]
                + jy[b] * P[E_V + a, E_TH + 2]
                + jy[a] * jy[b] * P[E_TH + 2, E_TH + 2]
                + r_along * ua_ub
                + r_across * perp
            )
    for a in range(2):
        P[E_W + a, E_W + a] += 0.01  # keep the block strictly positive
    _constrain(P)
    xk[FLAGS] = int(xk[FLAGS]) | FLAG_WIND_INIT


@njit(cache=True)
def _hp_gain(ach: int, t_corr: float, p: EkfParams) -> float:
    """Fraction of a unit-variance Dryden gust that passes the first-order high-pass.

    Longitudinal (airspeed, first-order spectrum): tau / (T + tau); lateral (sideslip,
    Dryden v spectrum): tau (3 T + 2 tau) / (2 (T + tau)^2).
    """
    tau = p.gust_hp_tau_s
    if ach == AIR_TAS:
        return tau / (t_corr + tau)
    return tau * (3.0 * t_corr + 2.0 * tau) / (2.0 * (t_corr + tau) ** 2)


@njit(cache=True)
def _gust_var(xk: np.ndarray, ach: int, t_corr: float, p: EkfParams) -> float:
    """Per-sample variance of the gust error of air-data channel ``ach`` (see _fuse_air)."""
    i0 = AIR0 + ach * AIR_FIELDS
    r_white = 0.5 * xk[i0 + A_DVAR]
    return max(0.0, xk[i0 + A_HPVAR] - r_white) / _hp_gain(ach, t_corr, p)


@njit(cache=True)
def ekf_gust_sigma(xk: np.ndarray, tas_mps: float, params: EkfParams) -> float:
    """The filter's estimate of the longitudinal gust intensity (1-sigma, m/s) it has learnt
    from the airspeed innovations (0 before the wind is initialised)."""
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        return 0.0
    t_corr = params.gust_length_m / max(tas_mps, 1.0)
    return math.sqrt(_gust_var(xk, AIR_TAS, t_corr, params))


@njit(cache=True)
def _init_gust_stats(xk: np.ndarray, ach: int, sigma: float, t_corr: float, p: EkfParams) -> None:
    """Start the gust statistics of a channel at the prior gust intensity ``sigma``."""
    i0 = AIR0 + ach * AIR_FIELDS
    r_white = p.tas_mps**2 if ach == AIR_TAS else 0.0
    xk[i0 + A_LP] = 0.0
    xk[i0 + A_HPVAR] = sigma * sigma * _hp_gain(ach, t_corr, p) + r_white
    xk[i0 + A_DVAR] = 2.0 * r_white
    xk[i0 + A_PREV] = 0.0
    xk[i0 + A_T_PREV] = xk[T_S]


@njit(cache=True)
def _fuse_air(
    xk: np.ndarray,
    P: np.ndarray,
    innov: float,
    r_floor: float,
    airspeed: float,
    gate: float,
    ch: int,
    ach: int,
    p: EkfParams,
) -> float:
    """Gate and fuse one air-data scalar (row in the scratch H) in gusty air.

    Turbulence adds to the air-data innovation a gust error that the state does not model:
    large (sigma_g ~ 1-3 m/s of airspeed, 0.05-0.1 rad of sideslip in moderate turbulence)
    and correlated over T = gust_length / airspeed (10-25 s). Fused as white noise of
    variance ``r_floor`` at 20 Hz it makes the wind chase every gust (a 1 Hz wind bandwidth)
    with a sigma that claims 0.1 m/s, and it rejects the data outright while a gust exceeds
    the gate. Here:

    * sigma_g^2 is inferred from the innovations themselves: their high-passed part
      (time constant tau_h = ``gust_hp_tau_s``; a persistent error of the wind state does
      not pass) has the mean square (over ``gust_var_tau_s``) r_white + g sigma_g^2, with the
      gain g of :func:`_hp_gain` (tau_h / (T + tau_h) for the longitudinal spectrum). The
      white noise r_white is half the mean square of consecutive-sample differences (a gust
      hardly changes within one sample). In calm air sigma_g^2 is 0 and nothing changes. At
      the wind initialisation the statistics start from ``wind_init_gust_mps``, weighted as
      tau_h of data, so that the first seconds of gusty air cannot collapse the covariance;
    * the gate tests the innovation against its per-sample variance H P H^T + r_floor +
      sigma_g^2;
    * the update uses the white noise equivalent to the correlated gust error at the sampling
      interval dt, r_floor + sigma_g^2 max(1, 2 T / dt) (the same spectral density
      2 sigma_g^2 T at low frequency): N samples then carry the information they really hold,
      about one independent sample per 2 T, and the wind state estimates the mean wind under
      the gusts, with a covariance that says how well.

    Returns the test ratio; updates the channel's record and its gust statistics.
    """
    i0 = AIR0 + ach * AIR_FIELDS
    t = xk[T_S]
    dt = t - xk[i0 + A_T_PREV] if xk[i0 + A_T_PREV] >= 0.0 else 0.0
    xk[i0 + A_T_PREV] = t
    t_corr = p.gust_length_m / max(airspeed, p.min_airspeed_mps)
    var_g = _gust_var(xk, ach, t_corr, p)
    hph = _innov_var(xk, P, 0.0)
    s_gate = hph + r_floor + var_g
    ratio = innov * innov / (gate * gate * s_gate)
    # gust statistics of the innovation (clipped at the gate): mean squares of its high-passed
    # part and of its sample-to-sample difference (2 x the white noise)
    lim = gate * math.sqrt(s_gate)
    y = max(-lim, min(innov, lim))
    # averaging weight: a running mean in which the prior set at the wind initialisation
    # counts as gust_hp_tau_s of data, then an exponential average over gust_var_tau_s
    n_seen = xk[_ch(ch, F_N_FUSED)] + xk[_ch(ch, F_N_REJECTED)]
    a_var = min(1.0, dt / min(p.gust_var_tau_s, n_seen * dt + p.gust_hp_tau_s))
    h = y - xk[i0 + A_LP]
    d = y - xk[i0 + A_PREV]
    xk[i0 + A_LP] += min(dt / p.gust_hp_tau_s, 1.0) * h
    xk[i0 + A_HPVAR] += a_var * (h * h - xk[i0 + A_HPVAR])
    xk[i0 + A_DVAR] += a_var * (d * d - xk[i0 + A_DVAR])
    xk[i0 + A_PREV] = y
    ok = ratio <= 1.0
    _record(xk, ch, ratio, ok)
    if ok:
        # low-frequency spectral density (two-sided) of the gust error: 2 sigma^2 T for the
        # first-order longitudinal spectrum, sigma^2 T for the lateral one
        s0_t = 2.0 * t_corr if ach == AIR_TAS else t_corr
        k_white = max(1.0, s0_t / dt) if dt > 0.0 else 1.0
        # dead reckoning: the wind is a consider state (air data correct the velocity and
        # attitude against the frozen wind, see ekf_dead_reckoning)
        c0, c1 = (E_W, E_W + 2) if _is_dead_reckoning(xk) else (0, 0)
        _begin_group(xk)
        _fuse_scalar(xk, P, innov, r_floor + var_g * k_white, c0, c1)
        _inject(xk, P)
    return ratio


@njit(cache=True)
def _fuse_beta(xk: np.ndarray, P: np.ndarray, p: EkfParams) -> float:
    """Synthetic sideslip beta = v_air_body_y / v_air_body_x = 0 (see ekf_fuse_sideslip)."""
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        return 0.0
    a0 = xk[VN] - xk[WN]
    a1 = xk[VE] - xk[WE]
    a2 = xk[VD]
    c = _dcm_nb(xk)
    # v_air_body = C_bn a; C_bn row k = C_nb column k
    vx = c[0] * a0 + c[3] * a1 + c[6] * a2
    vy = c[1] * a0 + c[4] * a1 + c[7] * a2
    if vx < p.min_airspeed_mps:
        return 0.0
    beta = vy / vx
    # d(vb_k)/d(dtheta) = (C_bn row k) x a; d/d(dv) = C_bn row k; d/d(dw) = -(first two)
    rx0, rx1, rx2 = c[0], c[3], c[6]
    ry0, ry1, ry2 = c[1], c[4], c[7]
    tx = (rx1 * a2 - rx2 * a1, rx2 * a0 - rx0 * a2, rx0 * a1 - rx1 * a0)
    ty = (ry1 * a2 - ry2 * a1, ry2 * a0 - ry0 * a2, ry0 * a1 - ry1 * a0)
    rx = (rx0, rx1, rx2)
    ry = (ry0, ry1, ry2)
    inv = 1.0 / vx
    _clear_h(xk)
    for k in range(3):
        xk[SCR_H + E_TH + k] = (ty[k] - beta * tx[k]) * inv
        xk[SCR_H + E_V + k] = (ry[k] - beta * rx[k]) * inv
    for k in range(2):
        xk[SCR_H + E_W + k] = -xk[SCR_H + E_V + k]
    return _fuse_air(xk, P, -beta, p.beta_rad**2, vx, p.beta_gate, CH_BETA, AIR_BETA, p)


@njit(cache=True)
def ekf_fuse_airspeed(xk: np.ndarray, P: np.ndarray, tas_mps: float, params: EkfParams) -> float:
    """Fuse the air data of one pitot sample: true airspeed TAS = |v_n - (w_n, w_e, 0)| and,
    at the same epoch, the synthetic sideslip beta = 0 (:func:`ekf_fuse_sideslip`).

    Returns the airspeed test ratio (0: not fused). Fused only above
    ``params.min_airspeed_mps``. The first sample after the heading uncertainty has fallen
    below ``params.wind_init_max_yaw_sigma_rad`` initialises the wind; before that airspeed
    is not used (returns 0). TAS alone observes only the wind along the air velocity: in
    straight flight the wind across it would be unobservable (and, in turbulence, would
    drift without bound), so the sideslip is always fused with the airspeed. In turbulence
    both are fused as described in :func:`_fuse_air`.

    A NaN/inf sample is dropped (state and covariance untouched, returns 0) and counted
    (``F_N_NONFINITE`` of the airspeed channel). While dead reckoning the wind is a consider
    state of both fusions (see :func:`ekf_dead_reckoning`).
    """
    if not math.isfinite(tas_mps):
        _record_nonfinite(xk, CH_TAS)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    if tas_mps < p.min_airspeed_mps:
        return 0.0
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        if P[E_TH + 2, E_TH + 2] > p.wind_init_max_yaw_sigma_rad**2:
            return 0.0
        _init_wind(xk, P, tas_mps, p)
        _record(xk, CH_TAS, 0.0, True)
        t_corr = p.gust_length_m / tas_mps
        _init_gust_stats(xk, AIR_TAS, p.wind_init_gust_mps, t_corr, p)
        _init_gust_stats(xk, AIR_BETA, p.wind_init_gust_mps / tas_mps, t_corr, p)
        return 0.0
    van = xk[VN] - xk[WN]
    vae = xk[VE] - xk[WE]
    vad = xk[VD]
    tas_pred = math.sqrt(van * van + vae * vae + vad * vad)
    if tas_pred < 1.0:
        return 0.0
    _clear_h(xk)
    xk[SCR_H + E_V] = van / tas_pred
    xk[SCR_H + E_V + 1] = vae / tas_pred
    xk[SCR_H + E_V + 2] = vad / tas_pred
    xk[SCR_H + E_W] = -van / tas_pred
    xk[SCR_H + E_W + 1] = -vae / tas_pred
    r = p.tas_mps**2
    ratio = _fuse_air(xk, P, tas_mps - tas_pred, r, tas_pred, p.tas_gate, CH_TAS, AIR_TAS, p)
    _fuse_beta(xk, P, p)
    return ratio


@njit(cache=True)
def ekf_fuse_sideslip(xk: np.ndarray, P: np.ndarray, params: EkfParams) -> float:
    """Fuse the synthetic measurement beta = v_air_body_y / v_air_body_x = 0 (fixed-wing).

    Observes the wind across the heading. Fused once the wind is initialised (see
    :func:`ekf_fuse_airspeed`) and when the estimated air-relative speed
    along the body x axis exceeds ``params.min_airspeed_mps``. Returns the test ratio.

    :func:`ekf_fuse_airspeed` already fuses the sideslip with every airspeed sample; a call
    at the same epoch (no prediction in between) does not fuse it a second time and returns
    that fusion's test ratio. Call this on its own only for sideslip without airspeed.
    """
    _flush_covariance(xk, P, params)
    t_prev = xk[AIR0 + AIR_BETA * AIR_FIELDS + A_T_PREV]
    if t_prev >= 0.0 and t_prev == xk[T_S]:
        return xk[_ch(CH_BETA, F_TEST_RATIO)]
    return _fuse_beta(xk, P, params)


# --------------------------------------------------------------------------------------------
# magnetometer


@njit(cache=True)
def _mag_row(xk: np.ndarray, c: tuple, k: int, bn: float, be: float, bd: float) -> float:
    """Write the measurement row of mag axis ``k``; return the predicted reading (gauss)."""
    r0, r1, r2 = c[k], c[3 + k], c[6 + k]  # C_bn row k
    _clear_h(xk)
    xk[SCR_H + E_TH] = r1 * bd - r2 * be
    xk[SCR_H + E_TH + 1] = r2 * bn - r0 * bd
    xk[SCR_H + E_TH + 2] = r0 * be - r1 * bn
    xk[SCR_H + E_MB + k] = 1.0
    return r0 * bn + r1 * be + r2 * bd + xk[MBX + k]


@njit(cache=True)
def ekf_fuse_mag(
    xk: np.ndarray,
    P: np.ndarray,
    mag_body: Vec3,
    field_ned: Vec3,
    params: EkfParams,
) -> float:
    """Fuse a 3-axis magnetometer reading (gauss) against the reference field (NED, gauss).

    m_b = C_bn B_n + b_m; observes attitude (mostly heading) and the body mag bias.
    ``field_ned`` is the model field at the current position
    (``longwing.geo.magfield.mag_field_ned``). Returns the largest per-axis test ratio; all
    three axes are rejected if it exceeds 1.

    The bias is learnt only while the vehicle turns (|yaw rate| >=
    ``params.mag_bias_learn_min_yaw_rate_radps``). In straight flight bias and heading are
    not separable; estimating both there lets the EKF's re-linearisation invent heading
    information (the classic inconsistency), so the bias is then treated as a Schmidt
    *consider* state: its uncertainty limits what the magnetometer says about the heading,
    correctly for a constant error, but the reading does not change the bias estimate.

    A reading or reference field with a NaN/inf component is dropped (state and covariance
    untouched, returns 0) and counted (``F_N_NONFINITE``).
    """
    if not (_finite3(mag_body) and _finite3(field_ned)):
        _record_nonfinite(xk, CH_MAG)
        return 0.0
    _flush_covariance(xk, P, params)
    p = params
    c = _dcm_nb(xk)
    bn, be, bd = field_ned[0], field_ned[1], field_ned[2]
    r = p.mag_gauss**2
    gate2 = p.mag_gate**2
    ratio = 0.0
    for k in range(3):
        pred = _mag_row(xk, c, k, bn, be, bd)
        innov = mag_body[k] - pred
        s = _innov_var(xk, P, r)
        ratio = max(ratio, innov * innov / (gate2 * s))
    ok = ratio <= 1.0
    _record(xk, CH_MAG, ratio, ok)
    # the bias is only observable while the body turns in the field; otherwise it is a
    # consider state (see the docstring)
    c0 = E_MB
    c_n = 0 if abs(xk[YAW_RATE]) >= p.mag_bias_learn_min_yaw_rate_radps else 3
    if ok:
        _begin_group(xk)
        for k in range(3):
            pred = _mag_row(xk, c, k, bn, be, bd)
            _fuse_scalar(xk, P, mag_body[k] - pred, r, c0, c0 + c_n)
        _inject(xk, P)
    return ratio


# --------------------------------------------------------------------------------------------
# outputs


@njit(cache=True)
def ekf_output(
    xk: np.ndarray, P: np.ndarray
) -> tuple[
    float, float, float, float, float, float, float, float, float, float, float,
    float, float, float, float, float, float,
]:  # fmt: skip
    """The navigation solution and its uncertainty.

    Returns (lat_rad, lon_rad, alt_m, vn_mps, ve_mps, vd_mps, roll_rad, pitch_rad, yaw_rad,
    wind_n_mps, wind_e_mps, sigma_pos_h_m, sigma_vel_mps, sigma_att_rad, sigma_wind_mps,
    sigma_alt_m, sigma_yaw_rad). ``sigma_pos_h_m`` is sqrt(var N + var E) (the horizontal
    RMS radius), ``sigma_vel_mps`` the RMS norm of the 3-D velocity error, ``sigma_att_rad``
    the tilt (roll/pitch) error norm, ``sigma_wind_mps`` the horizontal wind error norm.
    """
    roll, pitch, yaw = quat_to_euler(xk[QW], xk[QW + 1], xk[QW + 2], xk[QW + 3])
    return (
        xk[LAT],
        xk[LON],
        xk[ALT],
        xk[VN],
        xk[VE],
        xk[VD],
        roll,
        pitch,
        yaw,
        xk[WN],
        xk[WE],
        math.sqrt(P[E_P, E_P] + P[E_P + 1, E_P + 1]),
        math.sqrt(P[E_V, E_V] + P[E_V + 1, E_V + 1] + P[E_V + 2, E_V + 2]),
        math.sqrt(P[E_TH, E_TH] + P[E_TH + 1, E_TH + 1]),
        math.sqrt(P[E_W, E_W] + P[E_W + 1, E_W + 1]),
        math.sqrt(P[E_P + 2, E_P + 2]),
        math.sqrt(P[E_TH + 2, E_TH + 2]),
    )


@njit(cache=True)
def ekf_biases(
    xk: np.ndarray,
) -> tuple[float, float, float, float, float, float, float, float, float, float]:
    """(gyro bias x, y, z rad/s, accel bias x, y, z m/s^2, baro bias m, mag bias x, y, z G)."""
    return (
        xk[BGX], xk[BGX + 1], xk[BGX + 2], xk[BAX], xk[BAX + 1], xk[BAX + 2],
        xk[BARO_BIAS], xk[MBX], xk[MBX + 1], xk[MBX + 2],
    )  # fmt: skip


@njit(cache=True)
def ekf_is_finite(xk: np.ndarray, P: np.ndarray) -> bool:
    """The nominal state, the filter time and the variances (diagonal of P) are all finite.

    Bad samples are caught where they enter (:func:`ekf_predict`, the ``ekf_fuse_*``
    kernels), so this should never be False; it is the caller's last line of defence (a
    filter that has gone bad anyway must be re-initialised, not trusted).
    """
    for i in range(N_NOM):
        if not math.isfinite(xk[i]):
            return False
    if not math.isfinite(xk[T_S]):
        return False
    for i in range(N_ERR):
        if not math.isfinite(P[i, i]):
            return False
    return True


@njit(cache=True)
def ekf_dead_reckoning(xk: np.ndarray) -> bool:
    """True while the filter is dead reckoning (no GNSS horizontal position or velocity
    accepted for longer than ``EkfParams.dead_reckoning_after_s``; ``FLAG_DEAD_RECKONING``).

    Without GNSS the horizontal position is the integral of the velocity, and the velocity is
    held by the air data: TAS and the synthetic sideslip tell the air velocity v - w along
    the heading. If the wind kept its random walk and stayed an estimated state, the air
    data would explain any velocity error as a wind change (the wind is much "looser" than
    the IMU-propagated velocity) and the velocity would drift like a free inertial solution.
    So, while dead reckoning:

    * the wind is **frozen**: no wind process noise in the covariance prediction (unless
      ``dead_reckoning_wind_rw_mps_rts`` > 0 is set to account for real changes of the mean
      wind over a long outage), and the wind error is a Schmidt *consider* state in the
      airspeed and sideslip fusions (its uncertainty and its correlations with velocity and
      heading enter the innovation variance and are carried, but the air data do not change
      the wind estimate or its variance). The air data then correct velocity and attitude
      against the last wind known with GNSS;
    * the horizontal position covariance grows honestly from what the filter cannot know:
      the frozen wind's error (constant, so linear in time), the heading error (the air
      velocity's direction) and the air-data noise. The magnetometer may still move the wind
      through its learnt correlation with the heading (that keeps the ground velocity
      consistent and is information, not drift);
    * when GNSS returns fusion resumes normally: a consistent filter's fix lies inside the
      (now wide) gate and is fused, correcting position, velocity and, through their
      correlations, the wind. If the first fix after a *gap in the GNSS data* fails its gate
      (an optimistic dead-reckoning covariance), the failing group (position and/or
      velocity) is reset to the fix at once (counted in ``N_GNSS_RESETS``) rather than after
      ``gnss_reset_timeout_s`` of rejections: after an outage it is the filter, not the
      receiver, that is known to be stale, and the gate has grown with the covariance, so
      the reset trusts the fix only where normal fusion would nearly have done so anyway.
      Fixes that keep *arriving* but are rejected (a glitching receiver) still need the
      full ``gnss_reset_timeout_s``, so a glitch is not turned into a reset by the
      dead-reckoning timer.

    The flag is cleared by the first accepted (or reset) GNSS fusion; the wind then resumes
    its random walk. ``dead_reckoning_after_s = math.inf`` disables all of this.
    """
    return _is_dead_reckoning(xk)


@njit(cache=True)
def ekf_time_gnss_fused(xk: np.ndarray) -> float:
    """Filter time (s) of the last accepted GNSS horizontal position or velocity fusion
    (0, the initialisation time, if none yet). The current dead-reckoning period began at
    ``xk[T_DR_START]`` (:mod:`longwing.estimation.state`)."""
    return _t_gnss_fused(xk)


@njit(cache=True)
def ekf_synthetic_airspeed(xk: np.ndarray) -> float:
    """The filter's true airspeed |v_n - (w_n, w_e, 0)| (m/s): ground velocity minus the
    horizontal wind (vertical wind 0), the prediction the airspeed fusion compares a pitot
    reading with. Before the wind is initialised (``FLAG_WIND_INIT``) the wind is 0 and this
    is the ground speed."""
    van = xk[VN] - xk[WN]
    vae = xk[VE] - xk[WE]
    vad = xk[VD]
    return math.sqrt(van * van + vae * vae + vad * vad)


@njit(cache=True)
def airspeed_consistency(xk: np.ndarray, tas_meas_mps: float) -> float:
    """Measured minus synthetic true airspeed, ``tas_meas_mps - ekf_synthetic_airspeed(xk)``
    (m/s): the airspeed innovation before fusion (call it before
    :func:`ekf_fuse_airspeed` for the same sample).

    For pitot fault detection: a healthy pitot scatters about 0 (noise and gusts, typically
    < 1-2 m/s); a blocked or iced pitot (reads low or frozen) shows as a persistent offset,
    which the caller low-passes against a threshold. A sudden failure is also kept out of
    the state by the airspeed gate (and readings below ``min_airspeed_mps`` are not fused),
    so the synthetic airspeed stays the reference; a slow drift is partly absorbed by the
    wind estimate while GNSS aids (in straight flight; turns expose it). The synthetic
    airspeed uses the EKF's wind, so it is only meaningful once the wind is initialised
    (``FLAG_WIND_INIT``, ``wind_initialised`` of :func:`ekf_health`) and best while GNSS aids
    (while dead reckoning the velocity is itself corrected by the airspeed, which shrinks the
    difference). The result is NaN/inf when ``tas_meas_mps`` is (the caller must not
    low-pass such a sample).
    """
    return tas_meas_mps - ekf_synthetic_airspeed(xk)


@njit(cache=True)
def ekf_health(
    xk: np.ndarray, P: np.ndarray, params: EkfParams
) -> tuple[
    bool, bool, float, float, float, float, float, float, float, int, int, int, bool, bool
]:  # fmt: skip
    """Health summary for failsafes.

    Returns (healthy, gnss_aiding, time_since_gnss_pos_s, ratio_gnss_pos_h, ratio_gnss_vel,
    ratio_baro, ratio_airspeed, ratio_mag, max_innovation_ratio, n_numerical,
    n_imu_skipped, n_meas_nonfinite, dead_reckoning, wind_initialised).

    ``gnss_aiding``: a GNSS position was accepted within ``gnss_reset_timeout_s``.
    ``healthy``: the state and covariance are finite (:func:`ekf_is_finite`) and no aiding
    channel has been rejected continuously for longer than ``gnss_reset_timeout_s``
    (persistent innovation failure = divergence). ``n_numerical``: covariance updates
    skipped as non-positive. ``n_imu_skipped``: IMU samples :func:`ekf_predict` skipped
    (non-finite/implausible); ``n_meas_nonfinite``: aiding measurements dropped for a NaN/inf
    input, all channels (per channel: ``F_N_NONFINITE``, ``F_T_NONFINITE``).
    ``dead_reckoning``: :func:`ekf_dead_reckoning`. ``wind_initialised``: the wind (and with
    it :func:`ekf_synthetic_airspeed`) has been initialised from the air data.
    """
    t = xk[T_S]
    finite = ekf_is_finite(xk, P)
    stuck = False
    max_ratio = 0.0
    for ch in range(N_CH):
        if _rejected_for(xk, ch) > params.gnss_reset_timeout_s:
            stuck = True
        max_ratio = max(max_ratio, xk[_ch(ch, F_TEST_RATIO)])
    n_fused_pos = xk[_ch(CH_GNSS_POS_H, F_N_FUSED)]
    t_since = t - xk[_ch(CH_GNSS_POS_H, F_T_LAST_OK)] if n_fused_pos > 0.0 else math.inf
    gnss_aiding = t_since <= params.gnss_reset_timeout_s
    n_num = int(xk[N_NUMERICAL])
    n_nonfinite = 0
    for ch in range(N_CH):
        n_nonfinite += int(xk[_ch(ch, F_N_NONFINITE)])
    healthy = finite and not stuck
    return (
        healthy,
        gnss_aiding,
        t_since,
        xk[_ch(CH_GNSS_POS_H, F_TEST_RATIO)],
        xk[_ch(CH_GNSS_VEL, F_TEST_RATIO)],
        xk[_ch(CH_BARO, F_TEST_RATIO)],
        xk[_ch(CH_TAS, F_TEST_RATIO)],
        xk[_ch(CH_MAG, F_TEST_RATIO)],
        max_ratio,
        n_num,
        int(xk[N_IMU_SKIPPED]),
        n_nonfinite,
        _is_dead_reckoning(xk),
        int(xk[FLAGS]) & FLAG_WIND_INIT != 0,
    )
