"""Pilot modes: what ArduPlane's MANUAL, STABILIZE, TRAINING, ACRO, FBWA and FBWB make of
the sticks (``mode_manual.cpp``, ``mode_stabilize.cpp``, ``mode_training.cpp``,
``mode_acro.cpp``, ``mode_fbwa.cpp``, ``mode_fbwb.cpp`` in role, in SI units).

The sticks arrive normalised (ArduPilot's ``RC_Channel::norm_input``): roll, pitch and yaw in
[-1, 1] (+ right wing down, nose up, nose right), throttle in [0, 1]; the slow loop writes
them into the loop's ``PILOT`` record (:mod:`longwing.sim.loopstate`) with the mode.

* MANUAL: the sticks move the surfaces directly about their trim, the throttle stick is the
  throttle. The trim is the deflection held when the mode is engaged (ArduPlane's servo
  trims, which a pilot sets with the transmitter's trims or TRIM_AUTO).
* STABILIZE: the attitude loops hold wings level and the pitch at 0, and the sticks add to
  their output (ArduPlane's direct stick mixing).
* TRAINING: manual surfaces, except that a stick pushing toward a roll or pitch limit gets
  no more deflection than the attitude loop flying to that limit asks: the aircraft stops
  at the limit (and is flown back to it from beyond).
* ACRO: the sticks demand roll and pitch rates (ACRO_ROLL_RATE, ACRO_PITCH_RATE); centred,
  the attitude reached is held (ACRO_LOCKING in role). The attitude loops work on Euler
  angles and limit the bank, so the held attitude stays within ROLL_LIMIT and +/-80 deg of
  pitch: no rolls or loops (ArduPlane's ACRO allows them).
* FBWA: roll stick -> bank demand up to ROLL_LIMIT, pitch stick -> pitch demand up to
  PTCH_LIM_MAX / PTCH_LIM_MIN; throttle stick is the throttle; the yaw loop coordinates
  turns, the rudder stick adds to it.
* FBWB: roll as FBWA; the pitch stick moves the demanded altitude at up to FBWB_CLIMB_RATE,
  the throttle stick sets the airspeed between AIRSPEED_MIN and AIRSPEED_MAX; TECS flies
  them.

This module is pure (numba kernels over the record); no I/O.
"""

from __future__ import annotations

import math

from numba import njit

from longwing.mathx import clamp

PM_MANUAL, PM_STABILIZE, PM_TRAINING, PM_ACRO, PM_FBWA, PM_FBWB = 0, 2, 3, 4, 5, 6
PILOT_MODE_NAMES = {PM_MANUAL: "MANUAL", PM_STABILIZE: "STABILIZE", PM_TRAINING: "TRAINING",
                    PM_ACRO: "ACRO", PM_FBWA: "FBWA", PM_FBWB: "FBWB"}  # fmt: skip
ACRO_PITCH_MAX_RAD = math.radians(80.0)
STICK_DEADBAND = 0.05  # ACRO: a stick within this of centre holds the attitude


@njit(cache=True)
def pilot_engage(pl, de: float, da: float, dr: float, phi: float, theta: float,
                 alt_m: float) -> None:  # fmt: skip
    """On the first tick of a pilot mode: the surfaces' trim is where they are, ACRO holds
    the attitude it finds, FBWB the altitude."""
    pl.engaged = True
    pl.trim_de = de
    pl.trim_da = da
    pl.trim_dr = dr
    pl.bank_hold_rad = phi  # ACRO clamps it to the roll limit on its first stick input
    pl.pitch_hold_rad = clamp(theta, -ACRO_PITCH_MAX_RAD, ACRO_PITCH_MAX_RAD)
    pl.alt_dem_m = alt_m


@njit(cache=True)
def pilot_demands(pl, roll_limit_rad: float, pitch_max_rad: float, pitch_min_rad: float,
                  spd_min_mps: float, spd_max_mps: float, phi: float, theta: float,
                  alt_m: float, dt_s: float,
                  ) -> tuple[float, float, float, float, float, bool]:  # fmt: skip
    """One autopilot tick of the pilot mode in ``pl.mode``: (bank demand, pitch demand,
    throttle, height demand, airspeed demand (EAS), whether TECS flies pitch and throttle).

    Where the surfaces are the pilot's (MANUAL, TRAINING within its limits) the demands are
    the attitude itself, clamped to the limits: the loops' integrators do not wind up
    against a pilot, and TRAINING's loops fly an axis back to its limit."""
    mode = pl.mode
    roll = clamp(pl.roll_in, -1.0, 1.0)
    pitch = clamp(pl.pitch_in, -1.0, 1.0)
    thr = clamp(pl.thr_in, 0.0, 1.0)
    bank = clamp(phi, -roll_limit_rad, roll_limit_rad)
    pitch_dem = clamp(theta, pitch_min_rad, pitch_max_rad)
    if mode == PM_STABILIZE:
        bank = 0.0
        pitch_dem = 0.0
    if mode == PM_TRAINING:  # the loops fly toward the limit the stick pushes at
        if roll != 0.0:
            bank = roll_limit_rad if roll > 0.0 else -roll_limit_rad
        if pitch != 0.0:
            pitch_dem = pitch_max_rad if pitch > 0.0 else pitch_min_rad
    spd = spd_min_mps + thr * (spd_max_mps - spd_min_mps)
    if mode == PM_FBWA or mode == PM_FBWB:
        bank = roll * roll_limit_rad
        pitch_dem = pitch * (pitch_max_rad if pitch > 0.0 else -pitch_min_rad)
    if mode == PM_FBWB:
        pl.alt_dem_m += pitch * pl.fbwb_climb_mps * dt_s
        # never more than a few seconds of climb ahead of the aircraft (no wind-up)
        lead = 5.0 * pl.fbwb_climb_mps
        pl.alt_dem_m = clamp(pl.alt_dem_m, alt_m - lead, alt_m + lead)
        return bank, pitch_dem, thr, pl.alt_dem_m, spd, True
    if mode == PM_ACRO:
        if abs(roll) > STICK_DEADBAND:
            pl.bank_hold_rad = clamp(pl.bank_hold_rad + roll * pl.acro_roll_radps * dt_s,
                                     -roll_limit_rad, roll_limit_rad)  # fmt: skip
        if abs(pitch) > STICK_DEADBAND:
            pl.pitch_hold_rad = clamp(pl.pitch_hold_rad + pitch * pl.acro_pitch_radps * dt_s,
                                      -ACRO_PITCH_MAX_RAD, ACRO_PITCH_MAX_RAD)  # fmt: skip
        bank = pl.bank_hold_rad
        pitch_dem = pl.pitch_hold_rad
    return bank, pitch_dem, thr, alt_m, spd, False


@njit(cache=True)
def pilot_surfaces(pl, de_att: float, da_att: float, dr_att: float, phi: float, theta: float,
                   roll_limit_rad: float, pitch_max_rad: float, pitch_min_rad: float,
                   de_max: float, da_max: float, dr_max: float,
                   ) -> tuple[float, float, float]:  # fmt: skip
    """The surface commands of the pilot mode from the attitude loops' (``*_att``, which
    hold the demands of :func:`pilot_demands`) and the sticks. Elevator: trailing edge down
    is nose down, so a nose-up stick is a negative elevator (module
    :mod:`longwing.control.attitude`'s conventions)."""
    mode = pl.mode
    roll = clamp(pl.roll_in, -1.0, 1.0)
    pitch = clamp(pl.pitch_in, -1.0, 1.0)
    yaw = clamp(pl.yaw_in, -1.0, 1.0)
    de_stick = -pitch * de_max
    da_stick = roll * da_max
    dr_stick = -yaw * dr_max
    if mode == PM_MANUAL:
        de, da, dr = pl.trim_de + de_stick, pl.trim_da + da_stick, pl.trim_dr + dr_stick
    elif mode == PM_STABILIZE:
        de, da, dr = de_att + de_stick, da_att + da_stick, dr_att + dr_stick
    elif mode == PM_TRAINING:
        # the stick, but never more toward a limit than the loop flying to that limit asks
        # (aileron + is roll right; elevator + is nose down)
        da = pl.trim_da + da_stick
        if roll > 0.0 or phi > roll_limit_rad:
            da = min(da, da_att)
        elif roll < 0.0 or phi < -roll_limit_rad:
            da = max(da, da_att)
        de = pl.trim_de + de_stick
        if pitch > 0.0 or theta > pitch_max_rad:
            de = max(de, de_att)
        elif pitch < 0.0 or theta < pitch_min_rad:
            de = min(de, de_att)
        dr = pl.trim_dr + dr_stick
    else:  # FBWA, FBWB, ACRO: the loops fly the demands; the rudder stick adds to the yaw loop
        de, da, dr = de_att, da_att, dr_att + dr_stick
    return (clamp(de, -de_max, de_max), clamp(da, -da_max, da_max),
            clamp(dr, -dr_max, dr_max))  # fmt: skip
