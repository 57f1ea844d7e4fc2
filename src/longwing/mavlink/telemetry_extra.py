"""More of ArduPlane's telemetry, from the simulation's own state (issue 14, item 7).

:func:`extra_message` builds SYSTEM_TIME, RC_CHANNELS, SERVO_OUTPUT_RAW, SCALED_PRESSURE,
RAW_IMU, SCALED_IMU, EKF_STATUS_REPORT, AHRS, FENCE_STATUS and POSITION_TARGET_GLOBAL_INT
for :func:`longwing.mavlink.telemetry.telemetry_message`; :func:`sensor_bits` gives
SYS_STATUS its present/enabled/health bits. Everything is read at telemetry time from the
flight's latest log row and its state arrays (the IMU's last tick, the EKF's state and
covariance, sensor health, the guidance target): nothing is added to the simulation's step.
docs/telemetry.md lists each field's source.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.control import target as tg
from longwing.estimation import state as es
from longwing.geo.atmosphere import isa
from longwing.geo.magfield import mag_field_ned
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.sim.loopstate import NAN_BARO, NAN_GNSS, NAN_IMU, NAN_MAG, NAN_PITOT

if TYPE_CHECKING:
    from longwing.mavlink.vehicle import SitlVehicle

M = mavlink2
G0_MPS2 = 9.80665
PWM_MIN, PWM_TRIM, PWM_MAX = 1100, 1500, 1900  # ArduPlane's SERVOn_MIN/TRIM/MAX defaults
FN_AILERON, FN_ELEVATOR, FN_THROTTLE, FN_RUDDER = 4, 19, 70, 21  # SERVOn_FUNCTION values
RC_UNUSED = 65535  # RC_CHANNELS: channel not in use
# position target fields ArduPlane marks as ignored (only the position is meaningful)
TARGET_IGNORE = (M.POSITION_TARGET_TYPEMASK_VX_IGNORE | M.POSITION_TARGET_TYPEMASK_VY_IGNORE
                 | M.POSITION_TARGET_TYPEMASK_VZ_IGNORE | M.POSITION_TARGET_TYPEMASK_AX_IGNORE
                 | M.POSITION_TARGET_TYPEMASK_AY_IGNORE | M.POSITION_TARGET_TYPEMASK_AZ_IGNORE
                 | M.POSITION_TARGET_TYPEMASK_YAW_IGNORE
                 | M.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE)  # fmt: skip
EKF_ALIGNED = (M.EKF_ATTITUDE | M.EKF_VELOCITY_HORIZ | M.EKF_VELOCITY_VERT
               | M.EKF_POS_HORIZ_REL | M.EKF_POS_HORIZ_ABS | M.EKF_POS_VERT_ABS
               | M.EKF_PRED_POS_HORIZ_REL | M.EKF_PRED_POS_HORIZ_ABS)  # fmt: skip
BASE_SENSORS = (M.MAV_SYS_STATUS_SENSOR_3D_GYRO | M.MAV_SYS_STATUS_SENSOR_3D_ACCEL
                | M.MAV_SYS_STATUS_SENSOR_3D_MAG | M.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
                | M.MAV_SYS_STATUS_SENSOR_DIFFERENTIAL_PRESSURE | M.MAV_SYS_STATUS_SENSOR_GPS
                | M.MAV_SYS_STATUS_AHRS | M.MAV_SYS_STATUS_PREARM_CHECK)  # fmt: skip


def extra_message(v: SitlVehicle, s: dict, name: str) -> Any | None:
    """Message ``name`` from ``v`` and its snapshot ``s``; None if not one of these or if
    the vehicle has nothing to report (FENCE_STATUS without an enabled fence, a position
    target without a flight)."""
    builder = _BUILDERS.get(name)
    return None if builder is None else builder(v, s)


# --- SYS_STATUS bits -------------------------------------------------------------------------


def sensor_bits(v: SitlVehicle) -> tuple[int, int, int]:
    """(present, enabled, health) of SYS_STATUS: the sensors longwing simulates, each
    unhealthy while a fault or a NaN output takes it out (the pitot when the airspeed
    health check has failed it); the geofence as ArduPilot's AC_Fence reports it."""
    present = enabled = health = BASE_SENSORS
    f = v.flight
    if f is not None:
        st = f.state
        nan = int(st["faults"]["nan_mask"])
        bad = 0
        if nan & NAN_IMU:
            bad |= (M.MAV_SYS_STATUS_SENSOR_3D_GYRO | M.MAV_SYS_STATUS_SENSOR_3D_ACCEL
                    | M.MAV_SYS_STATUS_AHRS)  # fmt: skip
        if f.gnss_off or nan & NAN_GNSS:
            bad |= M.MAV_SYS_STATUS_SENSOR_GPS
        if nan & NAN_BARO:
            bad |= M.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
        if nan & NAN_PITOT or st["health"]["pitot_failed"]:
            bad |= M.MAV_SYS_STATUS_SENSOR_DIFFERENTIAL_PRESSURE
        if nan & NAN_MAG or st["faults"]["mag_off"]:
            bad |= M.MAV_SYS_STATUS_SENSOR_3D_MAG
        health &= ~bad
    fence = v.services.fence_state()
    g = M.MAV_SYS_STATUS_GEOFENCE
    if fence.present:
        present |= g
        if fence.enabled and not fence.report_only:
            enabled |= g
    if not (fence.present and fence.breached):
        health |= g
    return present, enabled, health


# --- builders ------------------------------------------------------------------------------------


def _system_time(v: SitlVehicle, s: dict):
    start = v.services.start_unix_s
    unix_us = 0 if start is None else int((start + v.sim_t) * 1e6)
    return v.mav.system_time_encode(unix_us, v.time_boot_ms())


def _rc_channels(v: SitlVehicle, s: dict):
    """The RC inputs (the GCS's RC_CHANNELS_OVERRIDE / MANUAL_CONTROL: longwing has no
    receiver): chancount is the highest channel with input, 0 the PWM of one without."""
    pwm = [int(x) for x in v.rc.pwm[:18]]
    n = max((i + 1 for i, x in enumerate(pwm) if x), default=0)
    pwm = pwm[:n] + [RC_UNUSED] * (18 - n)
    return v.mav.rc_channels_encode(v.time_boot_ms(), n, *pwm, 255)


def servo_pwm(v: SitlVehicle, s: dict) -> list[int]:
    """SERVO1..16 as ArduPilot drives them: an output whose SERVOn_FUNCTION is aileron (4),
    elevator (19), throttle (70) or rudder (21) (ArduPlane's defaults on 1-4) from the
    actuator positions of the latest log row over SERVOn_MIN/TRIM/MAX (SERVOn_REVERSED
    flips it); higher is roll right, nose up, yaw right, more throttle, each surface's sense
    taken from the airframe's control derivatives. The others as DO_SET_SERVO /
    DO_REPEAT_SERVO left them (0: no pulses)."""
    a, act = v.af.aero, v.af.actuators
    surfaces = {
        FN_AILERON: _frac(s["aileron_rad"], act.da_max_rad, a.Clda),
        FN_ELEVATOR: _frac(s["elevator_rad"], act.de_max_rad, a.Cmde),
        FN_RUDDER: _frac(s["rudder_rad"], act.dr_max_rad, a.Cndr),
    }
    out = list(v.outputs.servo_pwm[:16])
    for ch in range(1, 17):
        fn = v.servo_function(ch)
        if fn not in surfaces and fn != FN_THROTTLE:
            continue
        lo = v.param(f"SERVO{ch}_MIN", PWM_MIN)
        hi = v.param(f"SERVO{ch}_MAX", PWM_MAX)
        trim = v.param(f"SERVO{ch}_TRIM", PWM_TRIM)
        rev = bool(v.param(f"SERVO{ch}_REVERSED", 0))
        if fn == FN_THROTTLE:
            thr = max(0.0, min(1.0, s["throttle"]))
            pwm = (hi - thr * (hi - lo)) if rev else (lo + thr * (hi - lo))
        else:
            frac = -surfaces[fn] if rev else surfaces[fn]
            pwm = trim + frac * ((hi - trim) if frac >= 0.0 else (trim - lo))
        out[ch - 1] = int(round(pwm))
    return out


def _frac(defl_rad: float, max_rad: float, derivative: float) -> float:
    """A surface's deflection as a fraction of its limit, + for a positive moment (roll
    right, nose up, yaw right)."""
    if max_rad <= 0.0:
        return 0.0
    return max(-1.0, min(1.0, math.copysign(1.0, derivative) * defl_rad / max_rad))


def _servo_output_raw(v: SitlVehicle, s: dict):
    t_us = int(v.sim_t * 1e6) & 0xFFFFFFFF
    return v.mav.servo_output_raw_encode(t_us, 0, *servo_pwm(v, s))


def _scaled_pressure(v: SitlVehicle, s: dict):
    t_k, p_pa, rho = isa(s["alt_m"])
    tas = s["meas_tas_mps"]
    q_pa = 0.5 * rho * tas * tas
    return v.mav.scaled_pressure_encode(v.time_boot_ms(), p_pa / 100.0, q_pa / 100.0,
                                        int(round((t_k - 273.15) * 100.0)))  # fmt: skip


def imu_values(v: SitlVehicle, s: dict) -> tuple[tuple, tuple, tuple]:
    """((ax, ay, az) m/s^2, (gx, gy, gz) rad/s, (mx, my, mz) gauss), body axes: the IMU's
    last autopilot-tick sample (noise and bias included) in flight, the true specific force
    and rates of the aircraft standing level before one; the magnetometer as the true Earth
    field (IGRF dipole) at the true position in the true attitude (its noisy samples are not
    kept)."""
    f = v.flight
    if f is not None and f.n_log > 0:
        imu = f.state["imu"]
        acc = (float(imu["ax"]), float(imu["ay"]), float(imu["az"]))
        gyro = (float(imu["gx"]), float(imu["gy"]), float(imu["gz"]))
    else:
        acc, gyro = (0.0, 0.0, -G0_MPS2), (0.0, 0.0, 0.0)
    bn, be, bd = mag_field_ned(s["lat_rad"], s["lon_rad"], s["alt_m"])
    mag = _ned_to_body((bn, be, bd), s["roll_rad"], s["pitch_rad"], s["yaw_rad"])
    return acc, gyro, mag


def _ned_to_body(w: tuple[float, float, float], phi: float, theta: float,
                 psi: float) -> tuple[float, float, float]:  # fmt: skip
    cf, sf = math.cos(phi), math.sin(phi)
    ct, st = math.cos(theta), math.sin(theta)
    cp, sp = math.cos(psi), math.sin(psi)
    n, e, d = w
    x = ct * cp * n + ct * sp * e - st * d
    y = (sf * st * cp - cf * sp) * n + (sf * st * sp + cf * cp) * e + sf * ct * d
    z = (cf * st * cp + sf * sp) * n + (cf * st * sp - sf * cp) * e + cf * ct * d
    return x, y, z


def _imu_fields(v: SitlVehicle, s: dict) -> list[int]:
    acc, gyro, mag = imu_values(v, s)
    out = [_i16(a / G0_MPS2 * 1000.0) for a in acc]  # mG
    out += [_i16(g * 1000.0) for g in gyro]  # mrad/s
    out += [_i16(m * 1000.0) for m in mag]  # mgauss
    return out


def _raw_imu(v: SitlVehicle, s: dict):
    return v.mav.raw_imu_encode(int(v.sim_t * 1e6), *_imu_fields(v, s), 0, 0)


def _scaled_imu(v: SitlVehicle, s: dict):
    return v.mav.scaled_imu_encode(v.time_boot_ms(), *_imu_fields(v, s), 0)


def ekf_status(v: SitlVehicle) -> tuple[int, float, float, float, float, float]:
    """(flags, velocity, horizontal position, height, compass, airspeed) of
    EKF_STATUS_REPORT as ArduPilot's EKF3 fills it: the 'variances' are the square roots of
    the aiding channels' last innovation test ratios (innovation^2 / (gate^2 S), S from the
    covariance), 1 at the gate. Before a flight the standing aircraft's filter is aligned
    and unaided (ratios 0)."""
    f = v.flight
    if f is None:
        return EKF_ALIGNED, 0.0, 0.0, 0.0, 0.0, 0.0
    xk = f.arrays.ekf_x

    def ratio(ch: int) -> float:
        r = float(xk[es.channel(ch, es.F_TEST_RATIO)])
        return math.sqrt(r) if math.isfinite(r) and r > 0.0 else 0.0

    flags = EKF_ALIGNED
    if int(xk[es.FLAGS]) & es.FLAG_DEAD_RECKONING:  # no GNSS: relative position only
        flags &= ~(M.EKF_POS_HORIZ_ABS | M.EKF_PRED_POS_HORIZ_ABS)
    if xk[es.channel(es.CH_GNSS_POS_H, es.F_N_CONSEC_REJ)] > 0:
        flags |= M.EKF_GPS_GLITCHING
    return (flags, ratio(es.CH_GNSS_VEL), ratio(es.CH_GNSS_POS_H), ratio(es.CH_BARO),
            ratio(es.CH_MAG), ratio(es.CH_TAS))  # fmt: skip


def _ekf_status_report(v: SitlVehicle, s: dict):
    flags, vel, pos, hgt, mag, tas = ekf_status(v)
    return v.mav.ekf_status_report_encode(flags, vel, pos, hgt, mag, 0.0, tas)


def _ahrs(v: SitlVehicle, s: dict):
    """ArduPilot's AHRS: the gyro drift (minus the EKF's gyro biases) and, for DCM's error
    estimates, the EKF's 1-sigma attitude error (roll/pitch together, yaw)."""
    f = v.flight
    drift = (0.0, 0.0, 0.0)
    err_rp = err_yaw = 0.0
    if f is not None:
        xk, p = f.arrays.ekf_x, f.arrays.ekf_p
        drift = (-float(xk[es.BGX]), -float(xk[es.BGY]), -float(xk[es.BGZ]))
        d = np.diagonal(p)
        err_rp = math.sqrt(max(float(d[es.E_TH] + d[es.E_TH + 1]), 0.0))
        err_yaw = math.sqrt(max(float(d[es.E_TH + 2]), 0.0))
    return v.mav.ahrs_encode(*drift, 0.0, 0.0, err_rp, err_yaw)


def _fence_status(v: SitlVehicle, s: dict):
    fs = v.services.fence_state()
    if not (fs.present and fs.enabled):  # ArduPilot sends it only for an enabled fence
        return None
    return v.mav.fence_status_encode(int(fs.breached), fs.breach_count & 0xFFFF,
                                     fs.breach_type, fs.breach_time_ms & 0xFFFFFFFF,
                                     M.FENCE_MITIGATE_UNKNOWN)  # fmt: skip


def _position_target(v: SitlVehicle, s: dict):
    """The point the aircraft flies to (the guidance target's B: the next waypoint, a
    loiter's centre, the landing point) at its altitude AMSL, as ArduPlane's next_WP_loc."""
    f = v.flight
    if f is None or not v.flying or int(f.target[tg.KIND]) in (tg.TK_GROUND, tg.TK_PILOT):
        return None
    t = f.target
    lat, lon, _ = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
    return v.mav.position_target_global_int_encode(
        v.time_boot_ms(), M.MAV_FRAME_GLOBAL, TARGET_IGNORE, _e7(math.degrees(lat)),
        _e7(math.degrees(lon)), float(t[tg.ALT_B]), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    )  # fmt: skip


def _e7(deg_value: float) -> int:
    return int(round(deg_value * 1e7))


def _i16(x: float) -> int:
    return int(max(-32768, min(32767, round(x))))


_BUILDERS = MappingProxyType({
    "SYSTEM_TIME": _system_time, "RC_CHANNELS": _rc_channels,
    "SERVO_OUTPUT_RAW": _servo_output_raw, "SCALED_PRESSURE": _scaled_pressure,
    "RAW_IMU": _raw_imu, "SCALED_IMU": _scaled_imu, "EKF_STATUS_REPORT": _ekf_status_report,
    "AHRS": _ahrs, "FENCE_STATUS": _fence_status,
    "POSITION_TARGET_GLOBAL_INT": _position_target,
})  # fmt: skip
