"""Take-off: the climb-out after a catapult release or a runway roll (ArduPlane's TAKEOFF
mode in role).

Full throttle and at least the launch climb pitch until the take-off altitude; on a runway,
wings and pitch level on the ground roll until the rotation airspeed; near the ground the
bank stays within a few degrees (a wingtip is close). Pure compiled functions.
"""

from __future__ import annotations

from numba import njit

from longwing.control.landing import FLARE_BANK_MAX_RAD
from longwing.control.target import ALT_TOL_M
from longwing.mathx import clamp

LOW_BANK_AGL_M = 10.0  # below this height the bank stays within FLARE_BANK_MAX_RAD


@njit(cache=True, inline="always")
def takeoff_bank_rad(bank_cmd_rad: float, agl_m: float) -> float:
    """The navigation bank demand, limited near the ground."""
    if agl_m < LOW_BANK_AGL_M:
        return clamp(bank_cmd_rad, -FLARE_BANK_MAX_RAD, FLARE_BANK_MAX_RAD)
    return bank_cmd_rad


@njit(cache=True, inline="always")
def takeoff_done(alt_m: float, takeoff_alt_m: float) -> bool:
    return alt_m >= takeoff_alt_m - ALT_TOL_M


@njit(cache=True, inline="always")
def takeoff_commands(
    pitch_cmd_rad: float, bank_cmd_rad: float, on_ground: bool, tas_mps: float,
    rotate_speed_mps: float, climb_pitch_rad: float,
) -> tuple[float, float, float]:  # fmt: skip
    """(pitch, throttle, bank) of the climb-out: full throttle, at least the climb pitch;
    level on the ground below the rotation airspeed."""
    pitch = max(pitch_cmd_rad, climb_pitch_rad)
    bank = bank_cmd_rad
    if on_ground and tas_mps < rotate_speed_mps:
        pitch = 0.0
        bank = 0.0
    return pitch, 1.0, bank
