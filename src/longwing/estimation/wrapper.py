"""A thin Python wrapper around the compiled EKF kernels, for tests and single use.

The fast loop calls the kernels of :mod:`longwing.estimation.ekf` directly on its own
``(xk, P)`` arrays; this class owns a pair of them and returns typed records.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from longwing.estimation.ekf import (
    EkfParams,
    Vec3,
    airspeed_consistency,
    ekf_biases,
    ekf_dead_reckoning,
    ekf_fuse_airspeed,
    ekf_fuse_baro,
    ekf_fuse_gnss,
    ekf_fuse_mag,
    ekf_fuse_sideslip,
    ekf_health,
    ekf_init,
    ekf_init_from_sensors,
    ekf_is_finite,
    ekf_output,
    ekf_predict,
    ekf_synthetic_airspeed,
    ekf_time_gnss_fused,
    new_ekf,
)
from longwing.estimation.state import (
    CHANNEL_NAMES,
    E_BA,
    E_BG,
    F_N_FUSED,
    F_N_NONFINITE,
    F_N_REJECTED,
    N_CH,
    N_GNSS_RESETS,
    N_IMU_SKIPPED,
    T_S,
    channel,
)


class EkfOutput(NamedTuple):
    """The navigation solution (SI units, radians) and its 1-sigma uncertainty."""

    lat_rad: float
    lon_rad: float
    alt_m: float
    vn_mps: float
    ve_mps: float
    vd_mps: float
    roll_rad: float
    pitch_rad: float
    yaw_rad: float
    wind_n_mps: float
    wind_e_mps: float
    sigma_pos_h_m: float
    sigma_vel_mps: float
    sigma_att_rad: float
    sigma_wind_mps: float
    sigma_alt_m: float
    sigma_yaw_rad: float


class EkfBiases(NamedTuple):
    """Estimated sensor errors and their 1-sigma uncertainty."""

    gyro_radps: tuple[float, float, float]
    accel_mps2: tuple[float, float, float]
    baro_m: float
    mag_gauss: tuple[float, float, float]
    sigma_gyro_radps: tuple[float, float, float]
    sigma_accel_mps2: tuple[float, float, float]


class EkfHealth(NamedTuple):
    """Health summary (see :func:`longwing.estimation.ekf.ekf_health`)."""

    healthy: bool
    gnss_aiding: bool
    time_since_gnss_pos_s: float
    ratio_gnss_pos_h: float
    ratio_gnss_vel: float
    ratio_baro: float
    ratio_airspeed: float
    ratio_mag: float
    max_innovation_ratio: float
    n_numerical: int
    n_imu_skipped: int
    n_meas_nonfinite: int
    dead_reckoning: bool
    wind_initialised: bool


def _field(field_ned: Vec3 | None, lat: float, lon: float, alt: float) -> tuple:
    if field_ned is not None:
        return tuple(float(v) for v in field_ned)
    from longwing.geo.magfield import mag_field_ned  # the shared reference-field model

    return tuple(float(v) for v in mag_field_ned(lat, lon, alt))


class Ekf:
    """One navigation filter: owns ``xk`` and ``P`` and forwards to the compiled kernels."""

    def __init__(self, params: EkfParams | None = None) -> None:
        self.params = params if params is not None else EkfParams()
        self.xk, self.P = new_ekf(self.params)

    def init(
        self,
        lat_rad: float,
        lon_rad: float,
        alt_m: float,
        vel_ned_mps: Vec3,
        roll_rad: float,
        pitch_rad: float,
        yaw_rad: float,
    ) -> None:
        """Start at a known position (geodetic, ellipsoidal height), velocity and attitude."""
        vn, ve, vd = (float(v) for v in vel_ned_mps)
        ekf_init(self.xk, self.P, lat_rad, lon_rad, alt_m, vn, ve, vd, roll_rad, pitch_rad,
                 yaw_rad, self.params)  # fmt: skip

    def init_from_sensors(
        self,
        lat_rad: float,
        lon_rad: float,
        alt_m: float,
        vel_ned_mps: Vec3,
        accel_mps2: Vec3,
        mag_body_gauss: Vec3,
        field_ned_gauss: Vec3 | None = None,
    ) -> None:
        """Start with tilt from the accelerometer and heading from the magnetometer."""
        vn, ve, vd = (float(v) for v in vel_ned_mps)
        field = _field(field_ned_gauss, lat_rad, lon_rad, alt_m)
        ekf_init_from_sensors(self.xk, self.P, lat_rad, lon_rad, alt_m, vn, ve, vd,
                              np.asarray(accel_mps2, float), np.asarray(mag_body_gauss, float),
                              np.asarray(field, float), self.params)  # fmt: skip

    def predict(self, gyro_radps: Vec3, accel_mps2: Vec3, dt_s: float) -> None:
        """One IMU sample (inertial rate rad/s, specific force m/s^2, body axes) over dt."""
        ekf_predict(self.xk, self.P, np.asarray(gyro_radps, float),
                    np.asarray(accel_mps2, float), dt_s, self.params)  # fmt: skip

    def fuse_gnss(
        self, lat_rad: float, lon_rad: float, alt_m: float, vel_ned_mps: Vec3
    ) -> tuple[float, float, float]:
        """GNSS fix; returns test ratios (horizontal position, height, velocity)."""
        vn, ve, vd = (float(v) for v in vel_ned_mps)
        return ekf_fuse_gnss(self.xk, self.P, lat_rad, lon_rad, alt_m, vn, ve, vd, self.params)

    def fuse_baro(self, baro_alt_m: float) -> float:
        return ekf_fuse_baro(self.xk, self.P, baro_alt_m, self.params)

    def fuse_airspeed(self, tas_mps: float) -> float:
        return ekf_fuse_airspeed(self.xk, self.P, tas_mps, self.params)

    def fuse_sideslip(self) -> float:
        return ekf_fuse_sideslip(self.xk, self.P, self.params)

    def fuse_mag(self, mag_body_gauss: Vec3, field_ned_gauss: Vec3 | None = None) -> float:
        """3-axis magnetometer; the reference field defaults to ``geo.magfield`` here."""
        field = _field(field_ned_gauss, *self.output()[:3])
        return ekf_fuse_mag(self.xk, self.P, np.asarray(mag_body_gauss, float),
                            np.asarray(field, float), self.params)  # fmt: skip

    def output(self) -> EkfOutput:
        return EkfOutput(*ekf_output(self.xk, self.P))

    def biases(self) -> EkfBiases:
        b = ekf_biases(self.xk)
        sg = tuple(math.sqrt(self.P[E_BG + i, E_BG + i]) for i in range(3))
        sa = tuple(math.sqrt(self.P[E_BA + i, E_BA + i]) for i in range(3))
        return EkfBiases(b[0:3], b[3:6], b[6], b[7:10], sg, sa)  # type: ignore[arg-type]

    def health(self) -> EkfHealth:
        return EkfHealth(*ekf_health(self.xk, self.P, self.params))

    def counters(self) -> dict[str, tuple[int, int]]:
        """(accepted, rejected) fusions per aiding channel, plus GNSS resets."""
        out = {
            CHANNEL_NAMES[ch]: (
                int(self.xk[channel(ch, F_N_FUSED)]),
                int(self.xk[channel(ch, F_N_REJECTED)]),
            )
            for ch in range(N_CH)
        }
        out["gnss_resets"] = (int(self.xk[N_GNSS_RESETS]), 0)
        return out

    def nonfinite(self) -> dict[str, int]:
        """Inputs dropped as NaN/inf per aiding channel, and IMU samples skipped ("imu")."""
        out = {CHANNEL_NAMES[ch]: int(self.xk[channel(ch, F_N_NONFINITE)]) for ch in range(N_CH)}
        out["imu"] = int(self.xk[N_IMU_SKIPPED])
        return out

    def is_finite(self) -> bool:
        return bool(ekf_is_finite(self.xk, self.P))

    @property
    def dead_reckoning(self) -> bool:
        """No GNSS fused for ``params.dead_reckoning_after_s``: wind frozen (see the kernel)."""
        return bool(ekf_dead_reckoning(self.xk))

    @property
    def time_gnss_fused_s(self) -> float:
        """Filter time of the last accepted GNSS horizontal position or velocity, s."""
        return float(ekf_time_gnss_fused(self.xk))

    def synthetic_airspeed(self) -> float:
        """|v_n - wind| (m/s), the true airspeed the filter predicts."""
        return float(ekf_synthetic_airspeed(self.xk))

    def airspeed_consistency(self, tas_meas_mps: float) -> float:
        """Measured minus synthetic true airspeed, m/s (call before fusing the sample)."""
        return float(airspeed_consistency(self.xk, tas_meas_mps))

    @property
    def time_s(self) -> float:
        return float(self.xk[T_S])
