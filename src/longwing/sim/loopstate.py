"""The closed loop's own state between steps, as named records (numpy structured dtypes).

One record per concern, nested in :data:`LOOP_STATE`; the loop gets one array of one element
and kernels take the sub-record they work on (``st.landing``, ``st.imu``...). Records work
with numba's disk cache (a jitclass does not), read and write at fixed offsets (as fast as
numbered slots) and give EKF3's "named fields over flat memory".
"""

from __future__ import annotations

import numpy as np

F8 = np.float64
B1 = np.bool_
I8 = np.int64

# IMU samples summed since the last autopilot tick, and the last good tick mean (the
# autopilot coasts on it through a tick without a valid sample)
# (scalar fields, not sub-arrays: a sub-array view costs more per step than the arithmetic)
IMU_ACCUM = np.dtype([
    ("gx_sum", F8), ("gy_sum", F8), ("gz_sum", F8), ("ax_sum", F8), ("ay_sum", F8),
    ("az_sum", F8), ("n", I8), ("gx", F8), ("gy", F8), ("gz", F8), ("ax", F8), ("ay", F8),
    ("az", F8),
], align=True)  # fmt: skip

# what the attitude loops (every physics step) hold between autopilot ticks: the demands,
# the estimated attitude, airspeed and EAS->TAS ratio, and the EKF's gyro biases and lateral
# accelerometer bias (to correct each fresh IMU sample)
HELD = np.dtype([
    ("bank_rad", F8), ("pitch_rad", F8), ("throttle", F8), ("phi_rad", F8), ("theta_rad", F8),
    ("tas_mps", F8), ("eas2tas", F8), ("gyro_bias_x", F8), ("gyro_bias_y", F8),
    ("gyro_bias_z", F8), ("accel_bias_y", F8),
], align=True)  # fmt: skip

# guidance outputs held between navigation updates; ``run_now`` forces an update on the next
# tick (new target); ``leg_ok`` the target's leg frame is built
GUIDANCE = np.dtype([
    ("bank_rad", F8), ("alt_dem_m", F8), ("xtrack_m", F8), ("remaining_m", F8),
    ("run_now", B1), ("leg_ok", B1),
], align=True)  # fmt: skip

# the loiter circle: captured (and when), the last bearing from the centre, the angle turned
LOITER = np.dtype([
    ("captured", B1), ("t0_s", F8), ("brg_rad", F8), ("angle_rad", F8),
], align=True)  # fmt: skip

# the flare (and the pitch at its start); abort_code: why the approach is to be abandoned
# (control.landing GA_*, 0 none), read by the loop's events, cleared by the slow loop
# rng_agl_m: the rangefinder's height above the ground (its slant range levelled with the
# estimated attitude), NaN without a valid reading
LANDING = np.dtype([("flare", B1), ("flare_pitch_rad", F8), ("abort_code", I8),
                    ("rng_agl_m", F8)], align=True)  # fmt: skip

# the first ground contact (truth)
TOUCHDOWN = np.dtype([
    ("seen", B1), ("t_s", F8), ("sink_mps", F8), ("bank_rad", F8), ("pitch_rad", F8),
    ("lat_rad", F8), ("lon_rad", F8), ("groundspeed_mps", F8),
], align=True)  # fmt: skip

# sensor health the failsafes read, and the counts of what was refused
HEALTH = np.dtype([
    ("tas_meas_mps", F8), ("baro_meas_m", F8), ("gnss_t_s", F8), ("pitot_failed", B1),
    ("pitot_err_mps", F8), ("wind_known", B1), ("nonfinite_cmds", I8), ("nan_inputs", I8),
], align=True)  # fmt: skip

# the vehicle: engine running, on the ground, gliding (engine out: TECS flies airspeed),
# distance flown over the ground, camera triggers
VEHICLE = np.dtype([
    ("engine_on", B1), ("on_ground", B1), ("glide", B1), ("dist_m", F8), ("cam_last_m", F8),
    ("n_trig", I8),
], align=True)  # fmt: skip

# injected faults as the loop applies them (written by the runner between chunks, see
# longwing.sim.faults): GNSS off, GNSS drifting, pitot stuck at a value, magnetometer off, a
# discrete gust, sensors outputting NaN (nan_mask bits NAN_*)
FAULTS = np.dtype([
    ("gnss_off", B1), ("drift_rate_mps", F8), ("drift_dir_rad", F8), ("drift_t0_s", F8),
    ("pitot_stuck", B1), ("pitot_value_mps", F8), ("mag_off", B1), ("gust_t0_s", F8),
    ("gust_len_s", F8), ("gust_amp_mps", F8), ("nan_mask", I8),
], align=True)  # fmt: skip
NAN_IMU, NAN_GNSS, NAN_BARO, NAN_PITOT, NAN_MAG = 1, 2, 4, 8, 16

# a pilot mode (control.pilot): the mode (ArduPlane's number), the sticks (normalised: roll,
# pitch, yaw in [-1, 1], throttle in [0, 1]) and per-mode settings, written by the slow loop;
# engaged: the loop has taken the trims and holds below on the mode's first tick
PILOT = np.dtype([
    ("mode", I8), ("roll_in", F8), ("pitch_in", F8), ("yaw_in", F8), ("thr_in", F8),
    ("fbwb_climb_mps", F8), ("acro_roll_radps", F8), ("acro_pitch_radps", F8),
    ("engaged", B1), ("trim_de", F8), ("trim_da", F8), ("trim_dr", F8),
    ("bank_hold_rad", F8), ("pitch_hold_rad", F8), ("alt_dem_m", F8),
], align=True)  # fmt: skip

LOOP_STATE = np.dtype([
    ("imu", IMU_ACCUM), ("held", HELD), ("guid", GUIDANCE), ("loiter", LOITER),
    ("landing", LANDING), ("td", TOUCHDOWN), ("health", HEALTH), ("veh", VEHICLE),
    ("faults", FAULTS), ("pilot", PILOT),
], align=True)  # fmt: skip


def new_loop_state() -> np.ndarray:
    """One zeroed :data:`LOOP_STATE` record (an array of one element: kernels take ``[0]``)."""
    return np.zeros(1, dtype=LOOP_STATE)
