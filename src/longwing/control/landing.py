"""Landing: glide slope, approach speed, flare trigger and flare law (ArduPilot's
``AP_Landing_Slope`` in role).

The approach is a straight glide slope from the start of the final leg (A, at its altitude)
to the flare point, ``flare_dist`` before the landing point B at ``LAND_FLARE_ALT`` above
the ground, so that the flare ends (touchdown) at B. The approach airspeed gets a gust
additive from the gust intensity the EKF has learnt, as a pilot adds half the gust factor.
The flare starts at ``LAND_FLARE_ALT``, or ``LAND_FLARE_SEC`` before the ground at the
present sink rate (a downdraft starts it higher), or ``flare_dist`` before B when near the
flare height. In the flare a sink-rate law on pitch, around the pitch at the flare start,
aims the touchdown at B; the throttle is idle unless a gust takes the airspeed well below
the approach speed or a downdraft sinks the aircraft faster than pitch alone can arrest.

:func:`flare_distance_m` is the one flare-distance model: the mission manager sets the
target with it and the planner predicts the landing with it.

Pure compiled functions of scalars, no state of their own (the flare flag and the pitch at
its start live in the loop's ``LANDING`` record).
"""

from __future__ import annotations

import math

from numba import njit

from longwing.mathx import clamp

FLARE_BANK_MAX_RAD = math.radians(5.0)  # wings nearly level in the flare (and near the ground)
WINGS_LEVEL_AGL_M = 1.0  # below this height the bank demand is zero (wings level at contact)
BANK_TAPER_AGL_M = 6.0  # from here down to WINGS_LEVEL_AGL_M the bank limit shrinks to zero
FLARE_SINK_MAX_MPS = 1.2  # the most sink the flare asks for
FLARE_PITCH_PER_SINK = 0.12  # rad of pitch per m/s of sink-rate error
FLARE_PITCH_MIN_RAD = math.radians(-2.0)
FLARE_PITCH_MAX_RAD = math.radians(12.0)
FLARE_PITCH_PER_DEFICIT = math.radians(3.0)  # less pitch-up per m/s below approach - margin
FLARE_SPEED_MARGIN_MPS = 2.0  # airspeed below the approach speed tolerated at idle
FLARE_THR_PER_MPS = 0.25  # throttle per m/s of airspeed below that
FLARE_THR_PER_SINK = 0.3  # throttle per m/s of sink beyond the demand + tolerance
FLARE_SINK_TOL_MPS = 0.5
FLARE_THR_MAX = 0.7
FLARE_DIST_MAX_AGL = 2.0  # the distance trigger needs the height within this x flare height
GUST_ADD_SIGMAS = 1.5  # approach-speed additive per m/s of learnt gust intensity
GUST_ADD_MAX_MPS = 5.0
MIN_MEAN_SINK_MPS = 0.1


@njit(cache=True)
def flare_distance_m(
    approach_speed_mps: float, flare_alt_m: float, flare_sink_mps: float, drop_m: float,
    leg_len_m: float,
) -> float:  # fmt: skip
    """Distance flown in the flare: from the approach sink (the glide slope of the final leg,
    ``drop_m`` over ``leg_len_m``) to the flare sink, at about the mean of the two, at the
    approach speed; at most half the final leg."""
    slope = max(drop_m, 0.0) / max(leg_len_m, 1.0)
    mean_sink = max(0.5 * (approach_speed_mps * slope + flare_sink_mps), MIN_MEAN_SINK_MPS)
    return min(approach_speed_mps * flare_alt_m / mean_sink, 0.5 * leg_len_m)


@njit(cache=True, inline="always")
def glide_slope_alt_m(
    alt_a_m: float, ground_alt_m: float, flare_alt_m: float, leg_len_m: float,
    flare_dist_m: float, remaining_m: float,
) -> float:  # fmt: skip
    """Height demand on the approach: from A's altitude down to the flare height at
    ``flare_dist_m`` before the landing point."""
    span = max(leg_len_m - flare_dist_m, 1.0)
    frac = clamp(1.0 - (remaining_m - flare_dist_m) / span, 0.0, 1.0)
    alt_end = ground_alt_m + flare_alt_m
    return alt_a_m + frac * (alt_end - alt_a_m)


@njit(cache=True, inline="always")
def approach_speed_mps(speed_mps: float, gust_sigma_mps: float) -> float:
    """The approach airspeed with the gust additive."""
    return speed_mps + min(GUST_ADD_SIGMAS * gust_sigma_mps, GUST_ADD_MAX_MPS)


@njit(cache=True, inline="always")
def landing_bank_limit_rad(agl_m: float) -> float:
    """The most bank the landing asks for near the ground: FLARE_BANK_MAX_RAD at
    BANK_TAPER_AGL_M, shrinking linearly to zero at WINGS_LEVEL_AGL_M (wings-level priority:
    a turbulent roll then starts from level, not from the limit, at contact)."""
    frac = (agl_m - WINGS_LEVEL_AGL_M) / (BANK_TAPER_AGL_M - WINGS_LEVEL_AGL_M)
    return FLARE_BANK_MAX_RAD * clamp(frac, 0.0, 1.0)


@njit(cache=True, inline="always")
def flare_due(
    agl_m: float, sink_mps: float, remaining_m: float, flare_alt_m: float, flare_sec_s: float,
    flare_dist_m: float,
) -> bool:  # fmt: skip
    """Start the flare now? (height, time to the ground at the present sink, or distance to
    the landing point when near the flare height)."""
    flare_h = max(flare_alt_m, flare_sec_s * sink_mps)
    near = remaining_m <= flare_dist_m and agl_m <= FLARE_DIST_MAX_AGL * flare_alt_m
    return agl_m <= flare_h or near


@njit(cache=True, inline="always")
def flare_sink_demand(
    agl_m: float, groundspeed_mps: float, remaining_m: float, flare_sink_mps: float
) -> float:
    """The sink rate that reaches the ground at the landing point, within [flare sink, max];
    past the point, the flare sink."""
    if remaining_m > 1.0:
        gs = max(groundspeed_mps, 1.0)
        return clamp(agl_m * gs / remaining_m, flare_sink_mps, FLARE_SINK_MAX_MPS)
    return flare_sink_mps


@njit(cache=True)
def flare_commands(
    flare_pitch0_rad: float, sink_mps: float, sink_dem_mps: float, speed_dem_mps: float,
    tas_mps: float, base_speed_mps: float = -1.0,
) -> tuple[float, float]:  # fmt: skip
    """(pitch, throttle) in the flare: a sink-rate hold on pitch around the pitch at the
    flare start (less pitch-up as the airspeed falls below the approach speed without its
    gust additive, ``base_speed_mps`` (negative: ``speed_dem_mps``), - margin: the additive
    is energy to flare with, not a higher stall speed); idle, unless slow (below the approach
    speed with its additive - margin) or sinking too fast."""
    ref = speed_dem_mps if base_speed_mps < 0.0 else min(base_speed_mps, speed_dem_mps)
    deficit = max(ref - FLARE_SPEED_MARGIN_MPS - tas_mps, 0.0)
    pitch_max = max(FLARE_PITCH_MAX_RAD - FLARE_PITCH_PER_DEFICIT * deficit, FLARE_PITCH_MIN_RAD)
    pitch = clamp(flare_pitch0_rad + FLARE_PITCH_PER_SINK * (sink_mps - sink_dem_mps),
                  FLARE_PITCH_MIN_RAD, pitch_max)  # fmt: skip
    thr = clamp(FLARE_THR_PER_MPS * (speed_dem_mps - FLARE_SPEED_MARGIN_MPS - tas_mps)
                + FLARE_THR_PER_SINK * (sink_mps - sink_dem_mps - FLARE_SINK_TOL_MPS),
                0.0, FLARE_THR_MAX)  # fmt: skip
    return pitch, thr


# --- go-around ------------------------------------------------------------------------------
# why an approach is abandoned (the loop's LANDING.abort_code; 0: it is not)
GA_NONE = 0
GA_GROUNDSPEED = 1  # ground speed above the touchdown limit
GA_HIGH = 2  # too high: it cannot get down into the touchdown zone on a usable slope
GA_OFFSET = 3  # too far off the final's line to touch down at the site
GA_PLANNED = 4  # the mission asks for a go-around at the decision height (DO_GO_AROUND)
GA_COMMANDED = 5  # commanded (DO_GO_AROUND from the ground station, the manager's API)
GA_NAMES = {GA_GROUNDSPEED: "ground speed above the touchdown limit",
            GA_HIGH: "too high to touch down in the zone", GA_OFFSET: "off the final's line",
            GA_PLANNED: "planned go-around (DO_GO_AROUND)",
            GA_COMMANDED: "commanded (DO_GO_AROUND)"}  # fmt: skip


@njit(cache=True)
def go_around_code(
    slope_agl_m: float, decide_agl_m: float, agl_m: float, flare_alt_m: float,
    remaining_m: float, flare_dist_m: float, planned_slope_rad: float, slope_margin_rad: float,
    zone_m: float, groundspeed_mps: float, max_groundspeed_mps: float, xtrack_m: float,
    planned: bool,
) -> int:  # fmt: skip
    """Abandon the approach now? Judged (before the flare) once the glide slope's height
    above the landing point, ``slope_agl_m``, is below the decision height: the ground speed
    above the touchdown limit; too high (the slope from here down to the flare height that
    still touches down within ``zone_m`` past the landing point is steeper than the planned
    one + ``slope_margin_rad``); farther than ``zone_m`` off the final's line; or a planned
    go-around. Returns a GA_* code (GA_NONE: carry on)."""
    if slope_agl_m > decide_agl_m:
        return GA_NONE
    if planned:
        return GA_PLANNED
    if groundspeed_mps > max_groundspeed_mps:
        return GA_GROUNDSPEED
    if abs(xtrack_m) > zone_m:
        return GA_OFFSET
    run_m = max(remaining_m - flare_dist_m + zone_m, 1.0)
    need = math.atan2(max(agl_m - flare_alt_m, 0.0), run_m)
    if need > planned_slope_rad + slope_margin_rad:
        return GA_HIGH
    return GA_NONE
