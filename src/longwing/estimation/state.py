"""Layout of the navigation EKF's arrays: the nominal state ``xk`` and the covariance ``P``.

The filter is an *error-state* (indirect) EKF. The nominal (total) state lives in ``xk`` in
the natural coordinates of the Earth: geodetic latitude, longitude and ellipsoidal height
(float64 radians and metres, so there is no local origin and nothing degrades with distance),
NED velocity, the body->NED quaternion q_nb and the sensor-error and wind states. The
covariance ``P`` describes a small *error* state expressed in metres and radians around the
current nominal state; after every fusion the estimated error is injected into ``xk`` and the
error is reset to zero (so the local NED position error frame moves with the vehicle).

Nominal state ``xk[0:N_NOM]`` (float64)::

    LAT, LON, ALT     geodetic latitude, longitude (rad), height above the WGS84 ellipsoid (m)
    VN, VE, VD        velocity relative to the Earth, local NED (m/s)
    QW, QX, QY, QZ    body -> NED quaternion q_nb (scalar first, Hamilton)
    BGX, BGY, BGZ     gyro bias, body axes (rad/s): gyro = omega_ib_b + bias + noise
    BAX, BAY, BAZ     accelerometer bias, body axes (m/s^2): accel = f_b + bias + noise
    WN, WE            horizontal wind, NED (m/s, the direction the air moves; vertical wind 0)
    BARO_BIAS         baro pressure altitude minus ellipsoidal height (m)
    MBX, MBY, MBZ     magnetometer bias, body axes (gauss)

Error state (rows/columns of ``P``, shape (N_ERR, N_ERR))::

    E_TH  (0:3)   attitude error, a rotation vector in NED axes (rad):
                  C_nb_true = (I + [dtheta x]) C_nb_est; E_TH+0/+1 are the north/east tilt
                  errors, E_TH+2 is the heading (yaw) error
    E_V   (3:6)   velocity error NED (m/s), true - estimate
    E_P   (6:9)   position error NED (m): (dlat (M+h), dlon (N+h) cos(lat), -dh)
    E_BG  (9:12)  gyro bias error (rad/s)
    E_BA  (12:15) accelerometer bias error (m/s^2)
    E_W   (15:17) wind error north, east (m/s)
    E_BB  (17)    baro bias error (m)
    E_MB  (18:21) magnetometer bias error (gauss)

Status, history and scratch (also in ``xk``, after the nominal state):

* ``T_S``: filter time (s since :func:`~longwing.estimation.ekf.ekf_init`, advanced by
  ``ekf_predict``).
* One record of ``CH_FIELDS`` floats per aiding channel (``CH_GNSS_POS_H`` ...):
  accepted-fusion count, rejected count, last innovation test ratio (innovation^2 /
  (gate^2 * innovation variance); > 1 means rejected), time of the last accepted fusion,
  consecutive rejections, the time the current run of rejections began, and the count and
  last time of measurements dropped because an input was NaN or infinite (they never reach
  the state). See :func:`channel` for the index of a field.
* ``N_NUMERICAL``: covariance updates skipped because they would have made P indefinite;
  ``N_GNSS_RESETS``: position/velocity resets to GNSS after persistent rejection (or a
  failed gate on re-acquisition after an outage);
  ``FLAGS``: bit field, ``FLAG_BARO_INIT`` once the baro bias has been initialised from the
  first baro sample, ``FLAG_WIND_INIT`` once the wind has been initialised from airspeed,
  ``FLAG_DEAD_RECKONING`` while no GNSS (horizontal position or velocity) has been fused for
  longer than ``EkfParams.dead_reckoning_after_s`` (see ``ekf.ekf_dead_reckoning``);
  ``YAW_RATE``: the last rotation rate of the body relative to NED about the down axis
  (rad/s; decides whether the magnetometer bias is observable).
* ``N_IMU_SKIPPED`` / ``T_IMU_SKIPPED``: IMU samples ``ekf_predict`` skipped (a non-finite or
  implausible gyro/accel component, or a dt outside (0, ``imu_max_dt_s``]) and the filter
  time of the last one; ``T_DR_START``: filter time the current dead-reckoning period began
  (meaningful while ``FLAG_DEAD_RECKONING`` is set); ``T_GNSS_RX``: filter time of the last
  GNSS fix with finite inputs, accepted or not (tells an outage from a disagreement).
* Air-data turbulence statistics, one record of ``AIR_FIELDS`` floats per air-data channel
  (``AIR_TAS``, ``AIR_BETA``; index with :func:`air`): the state of a high-pass filter on the
  innovations, the running mean squares of the high-passed innovation and of the difference
  of consecutive innovations (from which the gust intensity and the white noise are
  inferred), the previous innovation and the filter time of the channel's previous sample.
* A ring buffer of the last ``HIST_LEN`` prediction increments (dt, dlat, dlon, dh, dvn, dve,
  dvd) used to form GNSS innovations against the state at the (earlier) measurement time.
* Scratch vectors of length N_ERR (accumulated error estimate, measurement row, P H^T) so the
  kernels allocate nothing.
* The deferred covariance prediction: the time predicted since P was last propagated
  (``COV_DT``) and the integral of the NED specific force over it (``COV_F``).
"""

from __future__ import annotations

# --- nominal state -------------------------------------------------------------------------
LAT, LON, ALT = 0, 1, 2
VN, VE, VD = 3, 4, 5
QW, QX, QY, QZ = 6, 7, 8, 9
BGX, BGY, BGZ = 10, 11, 12
BAX, BAY, BAZ = 13, 14, 15
WN, WE = 16, 17
BARO_BIAS = 18
MBX, MBY, MBZ = 19, 20, 21
N_NOM = 22

POS = slice(LAT, ALT + 1)
VEL = slice(VN, VD + 1)
QUAT = slice(QW, QZ + 1)
GYRO_BIAS = slice(BGX, BGZ + 1)
ACCEL_BIAS = slice(BAX, BAZ + 1)
WIND = slice(WN, WE + 1)
MAG_BIAS = slice(MBX, MBZ + 1)

# --- error state (covariance indices) -------------------------------------------------------
E_TH = 0  # 0, 1, 2: attitude error rotation vector, NED axes (rad)
E_V = 3  # 3, 4, 5: velocity error NED (m/s)
E_P = 6  # 6, 7, 8: position error NED (m)
E_BG = 9  # 9, 10, 11: gyro bias error (rad/s)
E_BA = 12  # 12, 13, 14: accel bias error (m/s^2)
E_W = 15  # 15, 16: wind error N, E (m/s)
E_BB = 17  # baro bias error (m)
E_MB = 18  # 18, 19, 20: mag bias error (gauss)
N_ERR = 21

# --- status ---------------------------------------------------------------------------------
T_S = N_NOM  # filter time, s

# aiding channels
CH_GNSS_POS_H = 0
CH_GNSS_POS_V = 1
CH_GNSS_VEL = 2
CH_BARO = 3
CH_TAS = 4
CH_MAG = 5
CH_BETA = 6
N_CH = 7
CHANNEL_NAMES = ("gnss_pos_h", "gnss_pos_v", "gnss_vel", "baro", "airspeed", "mag", "sideslip")

# fields of one channel record
F_N_FUSED = 0  # accepted fusions
F_N_REJECTED = 1  # rejected by the innovation gate
F_TEST_RATIO = 2  # last test ratio (innovation^2 / (gate^2 S)); > 1 rejected
F_T_LAST_OK = 3  # filter time of the last accepted fusion, s
F_N_CONSEC_REJ = 4  # consecutive rejections (0 after an accepted fusion)
F_T_REJ_START = 5  # filter time of the first rejection of the current run, s
F_N_NONFINITE = 6  # measurements dropped because an input was NaN/inf (state untouched)
F_T_NONFINITE = 7  # filter time of the last such measurement, s
CH_FIELDS = 8

CH0 = T_S + 1
N_NUMERICAL = CH0 + N_CH * CH_FIELDS  # skipped (non-positive) covariance updates
N_GNSS_RESETS = N_NUMERICAL + 1  # pos/vel resets to GNSS (persistent rejection, re-acquisition)
FLAGS = N_GNSS_RESETS + 1  # bit field (float-coded int)
FLAG_BARO_INIT = 1
FLAG_WIND_INIT = 2
FLAG_DEAD_RECKONING = 4  # no GNSS fused for longer than EkfParams.dead_reckoning_after_s
YAW_RATE = FLAGS + 1  # last body rate relative to NED, down component (rad/s)
N_IMU_SKIPPED = YAW_RATE + 1  # IMU samples skipped by ekf_predict (non-finite/implausible)
T_IMU_SKIPPED = N_IMU_SKIPPED + 1  # filter time of the last skipped IMU sample, s
T_DR_START = T_IMU_SKIPPED + 1  # filter time the current dead-reckoning period began, s
T_GNSS_RX = T_DR_START + 1  # filter time of the last GNSS fix received (fused or not), s
# air-data turbulence statistics (see fuse_airdata._fuse_air), one record of AIR_FIELDS per channel
AIR_TAS = 0  # true airspeed (m/s)
AIR_BETA = 1  # synthetic sideslip (rad)
A_LP = 0  # innovation low-passed over gust_hp_tau_s (the high-pass filter's state)
A_HPVAR = 1  # mean square of the high-passed innovation over gust_var_tau_s
A_DVAR = 2  # mean square of the sample-to-sample innovation difference over gust_var_tau_s
A_PREV = 3  # previous innovation
A_T_PREV = 4  # filter time of the previous sample, s (negative: none yet)
AIR_FIELDS = 5
AIR0 = T_GNSS_RX + 1

# --- prediction-increment history (for delayed GNSS) -----------------------------------------
HIST_LEN = 128  # prediction steps kept: 0.64 s at 200 Hz, 1.28 s at 100 Hz
HIST_FIELDS = 7  # dt, dlat, dlon, dh, dvn, dve, dvd
HIST_HEAD = AIR0 + 2 * AIR_FIELDS  # index of the most recent record (float-coded int)
HIST_COUNT = HIST_HEAD + 1  # valid records
HIST0 = HIST_COUNT + 1

# --- scratch --------------------------------------------------------------------------------
SCR_DX = HIST0 + HIST_LEN * HIST_FIELDS  # accumulated error estimate of one fusion (N_ERR)
SCR_H = SCR_DX + N_ERR  # measurement row (N_ERR)
SCR_PHT = SCR_H + N_ERR  # P H^T (N_ERR)

# --- deferred covariance prediction ---------------------------------------------------------
COV_DT = SCR_PHT + N_ERR  # time not yet propagated into P, s
COV_F = COV_DT + 1  # 3 slots: integral of the NED specific force over that time, m/s
XK_SIZE = COV_F + 3


def channel(ch: int, field: int) -> int:
    """Index in ``xk`` of ``field`` (``F_*``) of aiding channel ``ch`` (``CH_*``)."""
    return CH0 + ch * CH_FIELDS + field


def air(ch: int, field: int) -> int:
    """Index in ``xk`` of ``field`` (``A_*``) of air-data channel ``ch`` (``AIR_*``)."""
    return AIR0 + ch * AIR_FIELDS + field
