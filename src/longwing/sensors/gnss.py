"""GNSS receiver: truth delayed by a fixed latency, plus white position and velocity noise.

Latency buffer
--------------
The fast loop pushes the true geodetic position and NED velocity every step
(:func:`gnss_push`); at each GNSS epoch :func:`gnss_sample` returns the truth at
``t - latency``, linearly interpolated between the two pushed samples that bracket it (exact
when the latency is a whole number of steps or the motion is linear over a step; otherwise
the error is below a dt^2/8 ~ 1e-4 m at 10 m/s^2 and dt = 1/120 s). Longitude is
interpolated across the date line. The measurement's time of validity is ``t - latency``;
the estimator fuses it against its own delayed state.

``buf`` is one float64 array of shape (1 + n, 7), allocated once (:func:`new_gnss_buffer`)::

    buf[0]      header: [next write row (0..n-1), rows filled (0..n), 0, 0, 0, 0, 0]
    buf[1 + i]  ring row i: [t_s, lat_rad, lon_rad, alt_m, vn_mps, ve_mps, vd_mps]

n = ceil(latency / dt) + 2 rows hold the newest sample, the ones back to t - latency and one
spare for rounding. Nothing is allocated per step.

Noise
-----
``noise6`` (standard normals): [0] north, [1] east, [2] up position; [3] vn, [4] ve, [5] vd.
Position noise is specified in metres and converted to angles with the WGS84 meridian (M)
and prime-vertical (N) radii at the fix: dlat = dn / (M + h), dlon = de / ((N + h) cos lat).
A fix pushed past a pole by the noise is reflected over it (lat -> +-pi - lat, lon + pi).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.geo.wgs84 import radii_of_curvature
from longwing.mathx import wrap_pi_upper
from longwing.sensors.params import SensorParams

N_GNSS_NOISE = 6
GNSS_ROW = 7  # t, lat, lon, alt, vn, ve, vd
TIME_EPS_S = 1e-9  # tolerance on "the query time is the newest sample's time"


def gnss_buffer_rows(latency_s: float, imu_hz: float) -> int:
    """Ring rows needed for ``latency_s`` when samples are pushed at ``imu_hz``."""
    if latency_s < 0.0 or imu_hz <= 0.0:
        raise ValueError("GNSS latency must be >= 0 s and the push rate > 0 Hz")
    return math.ceil(latency_s * imu_hz - 1e-9) + 2


def new_gnss_buffer(p: SensorParams, imu_hz: float | None = None) -> np.ndarray:
    """An empty latency buffer sized for ``p.gnss_latency_s`` at ``imu_hz`` (default
    ``p.imu_rate_hz``), shape (1 + n, 7)."""
    hz = p.imu_rate_hz if imu_hz is None else imu_hz
    return np.zeros((1 + gnss_buffer_rows(p.gnss_latency_s, hz), GNSS_ROW))


@njit(cache=True)
def gnss_reset(buf: np.ndarray) -> None:
    """Empty the buffer (e.g. after a reposition) without reallocating it."""
    buf[0, 0] = 0.0
    buf[0, 1] = 0.0


@njit(cache=True)
def gnss_push(
    buf: np.ndarray,
    t: float,
    lat: float,
    lon: float,
    alt: float,
    vn: float,
    ve: float,
    vd: float,
) -> None:
    """Append the truth at time ``t`` (s): geodetic lat, lon (rad), height (m), NED velocity.

    Times must increase from push to push; the oldest row is overwritten when full.
    """
    n = buf.shape[0] - 1
    i = int(buf[0, 0])
    row = buf[1 + i]
    row[0] = t
    row[1] = lat
    row[2] = lon
    row[3] = alt
    row[4] = vn
    row[5] = ve
    row[6] = vd
    buf[0, 0] = (i + 1) % n
    buf[0, 1] = min(buf[0, 1] + 1.0, float(n))


@njit(cache=True)
def gnss_delayed_truth(
    buf: np.ndarray, t_query: float
) -> tuple[bool, float, float, float, float, float, float]:
    """(valid, lat, lon, alt, vn, ve, vd) interpolated at ``t_query`` (s) from the buffer.

    Invalid (all zeros) when ``t_query`` is newer than the newest sample or older than the
    oldest one held (too little history yet, or a buffer too short for the latency).
    """
    n = buf.shape[0] - 1
    count = int(buf[0, 1])
    if count == 0:
        return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    i1 = (int(buf[0, 0]) - 1) % n
    r1 = buf[1 + i1]
    if t_query > r1[0] + TIME_EPS_S:
        return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    if t_query >= r1[0] - TIME_EPS_S:
        return True, r1[1], r1[2], r1[3], r1[4], r1[5], r1[6]
    for _ in range(count - 1):
        i0 = (i1 - 1) % n
        r0 = buf[1 + i0]
        if r0[0] <= t_query:
            w = (t_query - r0[0]) / (r1[0] - r0[0])
            lon = wrap_pi_upper(r0[2] + w * wrap_pi_upper(r1[2] - r0[2]))
            return (
                True,
                r0[1] + w * (r1[1] - r0[1]),
                lon,
                r0[3] + w * (r1[3] - r0[3]),
                r0[4] + w * (r1[4] - r0[4]),
                r0[5] + w * (r1[5] - r0[5]),
                r0[6] + w * (r1[6] - r0[6]),
            )
        i1 = i0
        r1 = r0
    return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0


@njit(cache=True)
def gnss_sample(
    buf: np.ndarray, t: float, noise6: np.ndarray, p: SensorParams
) -> tuple[bool, float, float, float, float, float, float]:
    """GNSS fix at time ``t`` (s): (valid, lat rad, lon rad, alt m, vn, ve, vd m/s).

    The truth at ``t - p.gnss_latency_s`` plus noise; push the truth at ``t`` first.
    Invalid (zeros) until enough history has been pushed.
    """
    ok, lat, lon, alt, vn, ve, vd = gnss_delayed_truth(buf, t - p.gnss_latency_s)
    if not ok:
        return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    m, nr = radii_of_curvature(lat)
    lat_n = lat + p.gnss_pos_sigma_h_m * noise6[0] / (m + alt)
    lon_n = lon + p.gnss_pos_sigma_h_m * noise6[1] / ((nr + alt) * max(math.cos(lat), 1e-12))
    if lat_n > 0.5 * math.pi:
        lat_n = math.pi - lat_n
        lon_n += math.pi
    elif lat_n < -0.5 * math.pi:
        lat_n = -math.pi - lat_n
        lon_n += math.pi
    sv = p.gnss_vel_sigma_mps
    return (
        True,
        lat_n,
        wrap_pi_upper(lon_n),
        alt + p.gnss_pos_sigma_v_m * noise6[2],
        vn + sv * noise6[3],
        ve + sv * noise6[4],
        vd + sv * noise6[5],
    )
