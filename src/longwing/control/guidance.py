"""Guidance at the navigation rate: L1 on the target's leg or loiter circle, the altitude
profile along it, and whether the target is done (ArduPlane's ``navigate()`` + the mission
item's ``verify``).

Per target kind (:mod:`longwing.control.target`):

* leg: L1 on A -> B, the height sloping from A's to B's altitude; done when B is reached
  (acceptance radius, or passed for a pass-through waypoint);
* take-off: L1 along the climb-out line, the take-off altitude; done at that altitude;
* land: L1 on the final approach, the glide slope (:mod:`longwing.control.landing`);
* loiter: the circle; once captured the angle turned is integrated, and the loiter is done
  after N turns, T seconds or at its altitude.

State: the L1 record (:mod:`longwing.control.l1`), the held outputs (``GUIDANCE`` record:
bank, height demand, cross-track, distance to B; the target's leg frame built once) and the
loiter record (``LOITER``), all owned by the caller and cleared when the target changes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.control import target as tg
from longwing.control.l1 import L1Params, l1_leg, l1_loiter, waypoint_reached
from longwing.control.landing import glide_slope_alt_m
from longwing.control.takeoff import takeoff_bank_rad, takeoff_done
from longwing.geo.legs import LegFrame, leg_frame, loiter_geometry
from longwing.mathx import clamp, wrap_pi


@njit(cache=True)
def target_leg_frame(t: np.ndarray, guid, leg: np.ndarray) -> LegFrame:
    """The LegFrame of the target's A -> B, built on first use and kept in ``leg``."""
    if not guid.leg_ok:
        f = leg_frame(t[tg.AX], t[tg.AY], t[tg.AZ], t[tg.BX], t[tg.BY], t[tg.BZ])
        for i in range(len(f)):
            leg[i] = f[i]
        guid.leg_ok = True
        return f
    return LegFrame(leg[0], leg[1], leg[2], leg[3], leg[4], leg[5], leg[6], leg[7], leg[8],
                    leg[9], leg[10], leg[11], leg[12], leg[13], leg[14], leg[15], leg[16],
                    leg[17], leg[18], leg[19])  # fmt: skip


@njit(cache=True, inline="always")
def loiter_progress(loiter, captured: bool, brg_rad: float, direction: float, t_s: float) -> None:
    """Start counting at capture, then integrate the angle turned in the loiter direction."""
    if captured and not loiter.captured:
        loiter.captured = True
        loiter.t0_s = t_s
        loiter.brg_rad = brg_rad
        loiter.angle_rad = 0.0
    elif loiter.captured:
        d = wrap_pi(brg_rad - loiter.brg_rad)
        loiter.angle_rad += d * (1.0 if direction >= 0.0 else -1.0)
        loiter.brg_rad = brg_rad


@njit(cache=True)
def loiter_done(loiter, t: np.ndarray, t_s: float, alt_m: float) -> bool:
    if not loiter.captured:
        return False
    ex = t[tg.EXIT]
    if ex == tg.EXIT_TURNS:
        return loiter.angle_rad >= 2.0 * math.pi * t[tg.EXIT_VALUE]
    if ex == tg.EXIT_TIME:
        return t_s - loiter.t0_s >= t[tg.EXIT_VALUE]
    if ex == tg.EXIT_ALT:
        return abs(alt_m - t[tg.ALT_B]) <= tg.ALT_TOL_M
    return False


@njit(cache=True)
def guidance_update(
    l1: np.ndarray, lp: L1Params, t: np.ndarray, guid, loiter, leg: np.ndarray, t_s: float,
    dt_nav_s: float, px: float, py: float, pz: float, vn: float, ve: float, alt_m: float,
    agl_m: float,
) -> bool:  # fmt: skip
    """One navigation update from the estimated position (ECEF) and ground velocity: writes
    the bank demand, height demand, cross-track and distance to B into ``guid``; returns
    whether the target is done."""
    kind = int(t[tg.KIND])
    bank = 0.0
    alt_dem = t[tg.ALT_B]
    xtrack = 0.0
    remaining = 0.0
    done = False
    if (kind == tg.TK_LEG or kind == tg.TK_LAND) and t[tg.LEG_LEN] < 1.0:
        done = kind == tg.TK_LEG  # a degenerate leg: nothing to fly
    elif kind == tg.TK_LEG or kind == tg.TK_TAKEOFF or kind == tg.TK_LAND:
        bank, _, xtrack, remaining = l1_leg(
            l1, lp, dt_nav_s, target_leg_frame(t, guid, leg), px, py, pz, vn, ve, t[tg.AX],
            t[tg.AY], t[tg.AZ], t[tg.BX], t[tg.BY], t[tg.BZ],
        )  # fmt: skip
        if kind == tg.TK_LAND:
            alt_dem = glide_slope_alt_m(t[tg.ALT_A], t[tg.GROUND_ALT], t[tg.FLARE_ALT],
                                        t[tg.LEG_LEN], t[tg.FLARE_DIST], remaining)  # fmt: skip
        else:
            frac = clamp(1.0 - remaining / max(t[tg.LEG_LEN], 1.0), 0.0, 1.0)
            alt_dem = t[tg.ALT_A] + frac * (t[tg.ALT_B] - t[tg.ALT_A])
        if kind == tg.TK_LEG and t[tg.EXIT] == tg.EXIT_REACH:
            if t[tg.PASS] > 0.5:
                done = waypoint_reached(xtrack, remaining, t[tg.ACCEPT])
            else:
                done = math.hypot(xtrack, remaining) <= t[tg.ACCEPT] or remaining <= 0.0
        elif kind == tg.TK_TAKEOFF:
            alt_dem = t[tg.ALT_B]
            done = takeoff_done(alt_m, t[tg.ALT_B])
            bank = takeoff_bank_rad(bank, agl_m)
    elif kind == tg.TK_LOITER:
        bank, _, rad_err, captured = l1_loiter(
            l1, lp, px, py, pz, vn, ve, t[tg.BX], t[tg.BY], t[tg.BZ], t[tg.RADIUS], t[tg.DIR],
        )  # fmt: skip
        xtrack = rad_err
        _, brg = loiter_geometry(px, py, pz, t[tg.BX], t[tg.BY], t[tg.BZ])
        loiter_progress(loiter, captured, brg, t[tg.DIR], t_s)
        done = loiter_done(loiter, t, t_s, alt_m)
    guid.bank_rad = bank
    guid.alt_dem_m = alt_dem
    guid.xtrack_m = xtrack
    guid.remaining_m = remaining
    return done
