"""What the filter tells its users (ArduPilot: AP_NavEKF3_Outputs).

The navigation solution and its uncertainty, the biases, the learnt gust intensity, the
synthetic airspeed and its consistency with a pitot reading, and health: finite state,
innovation failures, dead reckoning.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.estimation.ekf_core import _ch, _is_dead_reckoning, _rejected_for, _t_gnss_fused
from longwing.estimation.ekf_params import EkfParams
from longwing.estimation.fuse_airdata import _gust_var
from longwing.estimation.state import (
    AIR_TAS,
    ALT,
    BARO_BIAS,
    BAX,
    BGX,
    CH_BARO,
    CH_GNSS_POS_H,
    CH_GNSS_VEL,
    CH_MAG,
    CH_TAS,
    E_P,
    E_TH,
    E_V,
    E_W,
    F_N_FUSED,
    F_N_NONFINITE,
    F_T_LAST_OK,
    F_TEST_RATIO,
    FLAG_WIND_INIT,
    FLAGS,
    LAT,
    LON,
    MBX,
    N_CH,
    N_ERR,
    N_IMU_SKIPPED,
    N_NOM,
    N_NUMERICAL,
    QW,
    T_S,
    VD,
    VE,
    VN,
    WE,
    WN,
)
from longwing.geo.rotation import quat_to_euler


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


@njit(cache=True, inline="always")
def ekf_biases(
    xk: np.ndarray,
) -> tuple[float, float, float, float, float, float, float, float, float, float]:
    """(gyro bias x, y, z rad/s, accel bias x, y, z m/s^2, baro bias m, mag bias x, y, z G)."""
    return (
        xk[BGX], xk[BGX + 1], xk[BGX + 2], xk[BAX], xk[BAX + 1], xk[BAX + 2],
        xk[BARO_BIAS], xk[MBX], xk[MBX + 1], xk[MBX + 2],
    )  # fmt: skip


@njit(cache=True)
def ekf_gust_sigma(xk: np.ndarray, tas_mps: float, params: EkfParams) -> float:
    """The filter's estimate of the longitudinal gust intensity (1-sigma, m/s) it has learnt
    from the airspeed innovations (0 before the wind is initialised)."""
    if int(xk[FLAGS]) & FLAG_WIND_INIT == 0:
        return 0.0
    t_corr = params.gust_length_m / max(tas_mps, 1.0)
    return math.sqrt(_gust_var(xk, AIR_TAS, t_corr, params))


@njit(cache=True, inline="always")
def ekf_synthetic_airspeed(xk: np.ndarray) -> float:
    """The filter's true airspeed |v_n - (w_n, w_e, 0)| (m/s): ground velocity minus the
    horizontal wind (vertical wind 0), the prediction the airspeed fusion compares a pitot
    reading with. Before the wind is initialised (``FLAG_WIND_INIT``) the wind is 0 and this
    is the ground speed."""
    van = xk[VN] - xk[WN]
    vae = xk[VE] - xk[WE]
    vad = xk[VD]
    return math.sqrt(van * van + vae * vae + vad * vad)


@njit(cache=True, inline="always")
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
