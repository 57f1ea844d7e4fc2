"""Total Energy Control System: height and airspeed demands -> pitch and throttle demands.

The ArduPlane AP_TECS algorithm (Riseborough, 2013), with its parameter semantics, rewritten
in SI units as a compiled kernel:

- Specific (per unit mass) energies: potential ``SPE = g h``, kinetic ``SKE = V^2 / 2``.
  Throttle controls the total ``STE = SPE + SKE`` (engine power changes it); pitch controls
  the balance ``SEB = w_p SPE - w_k SKE`` (pitch trades one for the other).
  ``TECS_SPDWEIGHT`` = w sets ``w_k = min(w, 1)``, ``w_p = min(2 - w, 1)``: 1 balances height
  and speed, 0 flies height on pitch only, 2 speed on pitch only.
- Throttle = feed-forward (``TRIM_THROTTLE`` plus the demanded energy rate mapped over the
  throttle range by the performance limits ``TECS_CLMB_MAX`` and ``TECS_SINK_MIN``, plus
  ``TECS_RLL2THR (1/cos^2(phi) - 1)`` for the induced drag of a bank) + P on the energy error
  over ``TECS_TIME_CONST`` + damping ``TECS_THR_DAMP`` on the filtered energy-rate error +
  integrator ``TECS_INTEG_GAIN`` with limits leaving 10 % of throttle range of saturation.
  Slew-limited by ``THR_SLEWRATE``, clipped to [``THR_MIN``, ``THR_MAX``].
- Pitch = (demanded balance rate + ``TECS_PTCH_DAMP`` x balance-rate error + integrators) /
  (V g), limited to [``TECS_PITCH_MIN``, ``TECS_PITCH_MAX``] and rate-limited by
  ``TECS_VERT_ACC``. The balance integrator also learns the angle of attack (pitch = flight
  path + alpha); it is limited to 5 deg beyond the pitch limits and fades while the pitch
  demand saturates (anti-windup). A second integrator trims the speed error (w_k > 0).
- Height demand: rate-limited to ``TECS_CLMB_MAX`` / ``TECS_SINK_MAX`` (scaled down while the
  aircraft cannot follow: pitch or throttle saturated), then a first-order lag
  ``TECS_HDEM_TCONST``; the lag's rate is the demanded climb rate. Airspeed demand: clipped
  to [``AIRSPEED_MIN``, ``AIRSPEED_MAX``] (EAS, converted with EAS2TAS; the minimum raised
  by sqrt(load factor) if ``STALL_PREVENTION``), rate-limited to half of what the energy rate
  limits allow.
- Underspeed protection: below 0.9 of the minimum airspeed the speed demand becomes the
  minimum, the weighting 2 (pitch flies speed only) and the throttle ``THR_MAX``; it ends
  when the demanded height is reached, or when the airspeed is back above 1.15 x minimum for
  3 s. (ArduPlane also requires the throttle to be near its maximum before declaring
  underspeed; here the protection engages on the airspeed alone.)

Inputs and filters: the height rate comes in as an input (the navigation filter's -v_down,
as ArduPlane uses the EKF's when it has one), so there is no baro-inertial height filter.
Airspeed is smoothed by ArduPlane's second-order complementary filter (``TECS_SPD_OMEGA``)
fusing the airspeed with the along-body acceleration ``vdot = a_x - g sin(theta)``
(``a_x``: accelerometer specific force, body x); the kinetic energy rates are high-passed
over ``TECS_TIME_CONST``, as in ArduPlane, to cancel accelerometer bias. Airspeed demands and
limits are equivalent airspeeds; the kernel works in true airspeed (``eas2tas``).
Not carried over: landing, flare, takeoff, gliding and no-airspeed modes, bad-descent
detection.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.geo.constants import G0_MPS2
from longwing.mathx import clamp

MIN_TAS_MPS = 3.0
UNDERSPEED_ENTER = 0.9  # fraction of the minimum airspeed
UNDERSPEED_EXIT = 1.15
UNDERSPEED_HOLD_S = 3.0
PITCH_INTEG_MARGIN_RAD = math.radians(5.0)


class TecsParams(NamedTuple):
    """TECS parameters (SI: m, m/s, rad, throttle as a fraction 0..1)."""

    time_const_s: float  # TECS_TIME_CONST
    climb_max_mps: float  # TECS_CLMB_MAX
    sink_min_mps: float  # TECS_SINK_MIN
    sink_max_mps: float  # TECS_SINK_MAX
    spd_weight: float  # TECS_SPDWEIGHT
    ptch_damp: float  # TECS_PTCH_DAMP
    integ_gain: float  # TECS_INTEG_GAIN
    thr_damp: float  # TECS_THR_DAMP
    rll2thr: float  # TECS_RLL2THR, m^2/s^3 of energy rate at 45 deg bank
    spd_omega_radps: float  # TECS_SPD_OMEGA
    vert_acc_mps2: float  # TECS_VERT_ACC
    hdem_tconst_s: float  # TECS_HDEM_TCONST
    pitch_max_rad: float  # TECS_PITCH_MAX
    pitch_min_rad: float  # TECS_PITCH_MIN
    thr_min: float  # THR_MIN
    thr_max: float  # THR_MAX
    thr_cruise: float  # TRIM_THROTTLE
    thr_slew_per_s: float  # THR_SLEWRATE, 0 = no limit
    airspeed_min_mps: float  # AIRSPEED_MIN (EAS)
    airspeed_cruise_mps: float  # AIRSPEED_CRUISE (EAS): the default demand, not used here
    airspeed_max_mps: float  # AIRSPEED_MAX (EAS)
    stall_prevention: float  # STALL_PREVENTION (0 or 1)


# Indices of the TECS state array (float64, owned by the caller).
TAS_STATE, INTEG_DTAS, VDOT_LPF = 0, 1, 2  # airspeed filter (m/s, m/s^2, m/s^2)
TAS_DEM_ADJ, TAS_RATE_DEM_LPF = 3, 4  # rate-limited TAS demand (m/s), its rate's low-pass
HDEM_RATE_LTD, HDEM_LPF, HDEM_PREV, HRATE_DEM = 5, 6, 7, 8  # height demand chain (m, m/s)
CLIMB_SCALER, SINK_SCALER = 9, 10  # 0..1, shrink the demand rate while it cannot be flown
INTEG_THR, INTEG_SEB, INTEG_KE = 11, 12, 13  # integrators (throttle, m^2/s^3, m^2/s^3)
STEDOT_ERR_LPF, LAST_THR, LAST_PITCH = 14, 15, 16
PITCH_DEM_UNC, THR_CLIP, SEB_CLIP = 17, 18, 19  # unclipped pitch; clip status -1/0/+1
UNDERSPEED, UNDERSPEED_T = 20, 21  # flag (0/1), time since last below the entry speed (s)
HGT_DEM, TAS_DEM, SKE_WEIGHT = 22, 23, 24  # for logging: demands in use, speed weight
N_TECS_STATE = 25


def new_tecs_state() -> np.ndarray:
    """A zeroed state; call :func:`tecs_reset` before the first update."""
    return np.zeros(N_TECS_STATE)


@njit(cache=True)
def tecs_reset(
    state: np.ndarray,
    p: TecsParams,
    hgt_m: float,
    tas_mps: float,
    theta_rad: float,
    throttle: float,
) -> None:
    """Start from the current flight condition with no transient: demands = current height
    and airspeed, integrators preloaded so the outputs equal ``theta_rad`` and ``throttle``."""
    state[:] = 0.0
    tas = max(tas_mps, MIN_TAS_MPS)
    state[TAS_STATE] = tas
    state[TAS_DEM_ADJ] = tas
    state[TAS_DEM] = tas
    state[HDEM_RATE_LTD] = hgt_m
    state[HDEM_LPF] = hgt_m
    state[HDEM_PREV] = hgt_m
    state[HGT_DEM] = hgt_m
    state[CLIMB_SCALER] = 1.0
    state[SINK_SCALER] = 1.0
    state[INTEG_THR] = throttle - p.thr_cruise
    state[LAST_THR] = p.thr_cruise
    state[INTEG_SEB] = theta_rad * tas * G0_MPS2
    state[LAST_PITCH] = theta_rad
    state[PITCH_DEM_UNC] = theta_rad
    state[SKE_WEIGHT] = clamp(p.spd_weight, 0.0, 2.0)
    state[UNDERSPEED_T] = UNDERSPEED_HOLD_S


@njit(cache=True)
def _update_speed(state: np.ndarray, p: TecsParams, dt: float, tas_mps: float, vdot: float) -> None:
    """Second-order complementary filter of airspeed with the along-body acceleration."""
    a = dt / (dt + p.time_const_s)
    state[VDOT_LPF] += a * (vdot - state[VDOT_LPF])
    w = p.spd_omega_radps
    err = tas_mps - state[TAS_STATE]
    integ_in = err * w * w
    if state[TAS_STATE] < MIN_TAS_MPS + 0.1:
        integ_in = max(integ_in, 0.0)
    state[INTEG_DTAS] += integ_in * dt
    state[TAS_STATE] += (state[INTEG_DTAS] + vdot + err * w * math.sqrt(2.0)) * dt
    state[TAS_STATE] = max(state[TAS_STATE], MIN_TAS_MPS)


@njit(cache=True)
def _update_speed_demand(
    state: np.ndarray, dt: float, tas_dem: float, tas_min: float, tas_max: float,
    stedot_min: float, stedot_max: float, time_const_s: float,
) -> float:  # fmt: skip
    """Rate-limit the TAS demand; return the demanded rate (m/s^2)."""
    if state[UNDERSPEED] > 0.0:
        tas_dem = tas_min
    tas_dem = clamp(tas_dem, tas_min, tas_max)
    state[TAS_DEM] = tas_dem
    v = state[TAS_STATE]
    rate_max = 0.5 * stedot_max / v
    rate_min = 0.5 * stedot_min / v
    prev = state[TAS_DEM_ADJ]
    rate = clamp((tas_dem - prev) / dt, rate_min, rate_max)
    state[TAS_DEM_ADJ] = clamp(prev + rate * dt, tas_min, tas_max)
    a = dt / (dt + time_const_s)
    state[TAS_RATE_DEM_LPF] += a * (rate - state[TAS_RATE_DEM_LPF])
    return rate


@njit(cache=True)
def _update_height_demand(state: np.ndarray, p: TecsParams, dt: float, hgt_dem: float) -> None:
    climb = p.climb_max_mps * state[CLIMB_SCALER]
    sink = p.sink_max_mps * state[SINK_SCALER]
    ltd = state[HDEM_RATE_LTD]
    state[HDEM_RATE_LTD] = clamp(hgt_dem, ltd - sink * dt, ltd + climb * dt)
    tc = max(p.hdem_tconst_s, dt)
    coef = dt / (dt + tc)
    state[HRATE_DEM] = (state[HDEM_RATE_LTD] - state[HDEM_LPF]) / tc
    state[HDEM_LPF] = coef * state[HDEM_RATE_LTD] + (1.0 - coef) * state[HDEM_LPF]
    h_dem = state[HDEM_LPF]
    # Do not let the demand run away from an aircraft that cannot follow it.
    climb_sat = state[PITCH_DEM_UNC] > p.pitch_max_rad or state[SEB_CLIP] > 0.0
    climb_sat = climb_sat or state[THR_CLIP] > 0.0
    sink_sat = state[PITCH_DEM_UNC] < p.pitch_min_rad or state[SEB_CLIP] < 0.0
    sink_sat = sink_sat or state[THR_CLIP] < 0.0
    if climb_sat and h_dem > state[HDEM_PREV]:
        state[CLIMB_SCALER] *= 1.0 - coef
    elif sink_sat and h_dem < state[HDEM_PREV]:
        state[SINK_SCALER] *= 1.0 - coef
    else:
        state[CLIMB_SCALER] += coef * (1.0 - state[CLIMB_SCALER])
        state[SINK_SCALER] += coef * (1.0 - state[SINK_SCALER])
    state[HDEM_PREV] = h_dem
    state[HGT_DEM] = h_dem


@njit(cache=True, inline="always")
def _detect_underspeed(state: np.ndarray, dt: float, tas_min: float, hgt_m: float) -> None:
    v = state[TAS_STATE]
    state[UNDERSPEED_T] += dt
    if state[UNDERSPEED] > 0.0 and v >= UNDERSPEED_EXIT * tas_min:
        if state[UNDERSPEED_T] > UNDERSPEED_HOLD_S:
            state[UNDERSPEED] = 0.0
    if v < UNDERSPEED_ENTER * tas_min:
        state[UNDERSPEED] = 1.0
        state[UNDERSPEED_T] = 0.0
    elif not (state[UNDERSPEED] > 0.0 and hgt_m < state[HGT_DEM]):
        state[UNDERSPEED] = 0.0


@njit(cache=True)
def _update_throttle(
    state: np.ndarray, p: TecsParams, dt: float, ste_err: float, stedot_dem: float,
    stedot_err: float, stedot_min: float, stedot_max: float, phi_rad: float,
) -> float:  # fmt: skip
    if state[UNDERSPEED] > 0.0:
        thr = p.thr_max
    else:
        thr_range = p.thr_max - p.thr_min
        k_ste2thr = thr_range / (p.time_const_s * (stedot_max - stedot_min))
        c = math.cos(phi_rad)
        stedot_ff = stedot_dem + p.rll2thr * (1.0 / clamp(c * c, 0.1, 1.0) - 1.0)
        ff = p.thr_cruise + stedot_ff / (stedot_max - stedot_min) * thr_range
        thr = (ste_err + stedot_err * p.thr_damp) * k_ste2thr + ff
        max_amp = 0.5 * (p.thr_max - max(p.thr_min, 0.0))
        i_max = clamp(p.thr_max - thr + 0.1, -max_amp, max_amp)
        i_min = clamp(p.thr_min - thr - 0.1, -max_amp, max_amp)
        integ = state[INTEG_THR] + ste_err * p.integ_gain * dt * k_ste2thr
        state[INTEG_THR] = clamp(integ, i_min, i_max)
        if p.thr_slew_per_s > 0.0:
            step = p.thr_slew_per_s * dt
            thr = clamp(thr, state[LAST_THR] - step, state[LAST_THR] + step)
        state[LAST_THR] = thr
        thr += state[INTEG_THR]
    if thr > p.thr_max:
        state[THR_CLIP] = 1.0
        thr = p.thr_max
    elif thr < p.thr_min:
        state[THR_CLIP] = -1.0
        thr = p.thr_min
    else:
        state[THR_CLIP] = 0.0
    return thr


@njit(cache=True)
def _update_pitch(
    state: np.ndarray, p: TecsParams, dt: float, spe_dem: float, ske_dem: float,
    spe_est: float, ske_est: float, spedot: float, skedot: float,
) -> float:  # fmt: skip
    w_k = 2.0 if state[UNDERSPEED] > 0.0 else clamp(p.spd_weight, 0.0, 2.0)
    state[SKE_WEIGHT] = w_k
    w_p = min(2.0 - w_k, 1.0)
    w_k = min(w_k, 1.0)
    tc = p.time_const_s
    seb_err = (spe_dem * w_p - ske_dem * w_k) - (spe_est * w_p - ske_est * w_k)
    sebdot_dem = state[HRATE_DEM] * G0_MPS2 * w_p + seb_err / tc
    lo = -p.sink_max_mps * G0_MPS2
    hi = p.climb_max_mps * G0_MPS2
    state[SEB_CLIP] = 1.0 if sebdot_dem > hi else (-1.0 if sebdot_dem < lo else 0.0)
    sebdot_dem = clamp(sebdot_dem, lo, hi)
    sebdot_err = sebdot_dem - (spedot * w_p - skedot * w_k)
    total = sebdot_dem + sebdot_err * p.ptch_damp
    gain_inv = state[TAS_STATE] * G0_MPS2
    i_min = gain_inv * (p.pitch_min_rad - PITCH_INTEG_MARGIN_RAD) - total
    i_max = gain_inv * (p.pitch_max_rad + PITCH_INTEG_MARGIN_RAD) - total
    span = i_max - i_min
    delta = clamp(sebdot_err * p.integ_gain * dt, -0.1 * span, 0.1 * span)
    unc = (total + state[INTEG_SEB] + delta + state[INTEG_KE]) / gain_inv
    if (unc > p.pitch_max_rad and delta > 0.0) or (unc < p.pitch_min_rad and delta < 0.0):
        fade = 1.0 - dt / (dt + tc)  # saturating: let the integrators fade out
        state[INTEG_SEB] *= fade
        state[INTEG_KE] *= fade
    else:
        state[INTEG_SEB] += delta
        state[INTEG_KE] += (ske_est - ske_dem) * w_k * dt / tc
    state[INTEG_SEB] = clamp(state[INTEG_SEB], i_min, i_max)
    ke_lim = 0.25 * (p.pitch_max_rad - p.pitch_min_rad) * gain_inv
    state[INTEG_KE] = clamp(state[INTEG_KE], -ke_lim, ke_lim)
    unc = (total + state[INTEG_SEB] + state[INTEG_KE]) / gain_inv
    state[PITCH_DEM_UNC] = unc
    pitch = clamp(unc, p.pitch_min_rad, p.pitch_max_rad)
    incr = dt * p.vert_acc_mps2 / state[TAS_STATE]
    pitch = clamp(pitch, state[LAST_PITCH] - incr, state[LAST_PITCH] + incr)
    state[LAST_PITCH] = pitch
    return pitch


@njit(cache=True)
def tecs_update(
    state: np.ndarray,
    p: TecsParams,
    dt: float,
    hgt_dem_m: float,
    eas_dem_mps: float,
    hgt_m: float,
    climb_rate_mps: float,
    tas_mps: float,
    eas2tas: float,
    ax_mps2: float,
    theta_rad: float,
    phi_rad: float,
) -> tuple[float, float, bool]:
    """One TECS step: (pitch demand rad, throttle demand 0..1, underspeed active).

    Inputs: demanded height (m) and equivalent airspeed (m/s); height (m) and climb rate
    (m/s, up positive) from navigation; true airspeed (m/s) and TAS/EAS; body-x specific
    force (m/s^2, accelerometer); pitch and bank (rad). Internals (filtered airspeed, demands
    in use, integrators, flags) are readable in ``state`` at the named indices.
    """
    g = G0_MPS2
    _update_speed(state, p, dt, tas_mps, ax_mps2 - g * math.sin(theta_rad))
    c = max(abs(math.cos(phi_rad)), 0.1)
    tas_min = p.airspeed_min_mps * eas2tas
    if p.stall_prevention > 0.0:
        tas_min *= math.sqrt(1.0 / c)
    tas_max = max(p.airspeed_max_mps * eas2tas, tas_min)
    stedot_max = p.climb_max_mps * g
    stedot_min = -p.sink_min_mps * g
    rate_dem = _update_speed_demand(state, dt, eas_dem_mps * eas2tas, tas_min, tas_max,
                                    stedot_min, stedot_max, p.time_const_s)  # fmt: skip
    _update_height_demand(state, p, dt, hgt_dem_m)
    _detect_underspeed(state, dt, tas_min, hgt_m)

    v = state[TAS_STATE]
    spe_dem = state[HGT_DEM] * g
    ske_dem = 0.5 * state[TAS_DEM_ADJ] ** 2
    spe_est = hgt_m * g
    ske_est = 0.5 * v * v
    skedot_dem = v * (rate_dem - state[TAS_RATE_DEM_LPF])
    spedot = climb_rate_mps * g
    skedot = v * (ax_mps2 - g * math.sin(theta_rad) - state[VDOT_LPF])

    # Total energy -> throttle (potential error limited so as not to over/underspeed).
    spe_err_max = max(ske_est - 0.5 * tas_min * tas_min, 0.0)
    spe_err_min = min(ske_est - 0.5 * tas_max * tas_max, 0.0)
    ste_err = clamp(spe_dem - spe_est, spe_err_min, spe_err_max) + ske_dem - ske_est
    stedot_dem = clamp((spe_dem - spe_est) / p.time_const_s + skedot_dem, stedot_min,
                        stedot_max)  # fmt: skip
    coef = min(2.0 * dt, 1.0)  # 0.5 s low-pass on the energy-rate error
    err = stedot_dem - spedot - skedot
    state[STEDOT_ERR_LPF] = coef * err + (1.0 - coef) * state[STEDOT_ERR_LPF]
    throttle = _update_throttle(state, p, dt, ste_err, stedot_dem, state[STEDOT_ERR_LPF],
                                stedot_min, stedot_max, phi_rad)  # fmt: skip
    pitch = _update_pitch(state, p, dt, spe_dem, ske_dem, spe_est, ske_est, spedot, skedot)
    return pitch, throttle, state[UNDERSPEED] > 0.0
