"""How a flight ended: the end states, and a touchdown judged against the airframe's limits.

Pure (no I/O, no numba): the runner, the MAVLink vehicle, batch statistics and the report
all take their verdicts from here. See docs/end_states.md for the user's view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from longwing.airframe.params import LandingLimits


class EndState(StrEnum):
    """Every flight ends in exactly one of these."""

    LANDED = "landed"  # touched down within the limits at a landing site and stopped
    LANDED_OUT = "landed_out"  # intact, but away from any landing site (forced landing)
    CRASHED = "crashed"  # a touchdown beyond the limits, or ground contact outside a landing
    AIRBORNE = "airborne"  # still flying: time limit, or the plan ends in the air by design
    ABORTED = "aborted"  # never got airborne (a take-off that stopped on the ground)
    INTERRUPTED = "interrupted"  # stopped by its caller before it ended (e.g. SITL shut down)
    SIM_ERROR = "sim_error"  # the simulation broke down (non-finite state): no verdict


END_STATE_DOC = {
    EndState.LANDED: "touched down within the airframe's limits at a landing site, stopped",
    EndState.LANDED_OUT: "intact on the ground, but away from any landing site",
    EndState.CRASHED: "a touchdown beyond the airframe's limits, or ground contact outside "
    "a landing",
    EndState.AIRBORNE: "still in the air at the end (time limit, or the plan ends in the air)",
    EndState.ABORTED: "never got airborne: the take-off stopped on the ground",
    EndState.INTERRUPTED: "stopped by its caller before the flight ended",
    EndState.SIM_ERROR: "the simulation broke down (non-finite state); no verdict",
}


@dataclass(frozen=True)
class Touchdown:
    """The first ground contact: when, where and how (truth)."""

    t_s: float
    lat_deg: float
    lon_deg: float
    sink_mps: float  # vertical speed, + down
    bank_rad: float
    pitch_rad: float
    groundspeed_mps: float

    def as_dict(self) -> dict:
        return {
            "t_s": self.t_s, "lat_deg": self.lat_deg, "lon_deg": self.lon_deg,
            "sink_mps": self.sink_mps, "bank_deg": math.degrees(self.bank_rad),
            "pitch_deg": math.degrees(self.pitch_rad), "groundspeed_mps": self.groundspeed_mps,
        }  # fmt: skip

    def text(self) -> str:
        return (f"sink {self.sink_mps:.2f} m/s, ground speed {self.groundspeed_mps:.1f} m/s, "
                f"bank {math.degrees(self.bank_rad):.1f} deg, pitch "
                f"{math.degrees(self.pitch_rad):.1f} deg")  # fmt: skip


def touchdown_violations(td: Touchdown, limits: LandingLimits) -> tuple[str, ...]:
    """Each way the touchdown exceeds the airframe's limits, in words with both figures
    (empty: within the limits). A non-finite figure is a violation."""
    out = []
    deg = math.degrees
    checks = (
        (td.sink_mps <= limits.max_sink_mps,
         f"sink {td.sink_mps:.2f} m/s > {limits.max_sink_mps:g} m/s"),
        (td.groundspeed_mps <= limits.max_groundspeed_mps,
         f"ground speed {td.groundspeed_mps:.1f} m/s > {limits.max_groundspeed_mps:g} m/s"),
        (abs(td.bank_rad) <= limits.max_bank_rad,
         f"bank {deg(td.bank_rad):.1f} deg beyond +/-{deg(limits.max_bank_rad):g} deg"),
        (td.pitch_rad >= limits.min_pitch_rad,
         f"pitch {deg(td.pitch_rad):.1f} deg < {deg(limits.min_pitch_rad):g} deg (nose first)"),
        (td.pitch_rad <= limits.max_pitch_rad,
         f"pitch {deg(td.pitch_rad):.1f} deg > {deg(limits.max_pitch_rad):g} deg (tail strike)"),
    )  # fmt: skip
    for ok, text in checks:
        if not ok:  # False for NaN too
            out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class Outcome:
    """The verdict on a flight: its end state, why (a sentence with the figures), and
    whether it flew its mission as planned."""

    end_state: EndState
    reason: str
    completed: bool
    why_not_completed: tuple[str, ...] = ()  # each reason, in words (empty when completed)

    def __post_init__(self) -> None:
        if self.completed and self.end_state not in (EndState.LANDED, EndState.AIRBORNE):
            raise ValueError(f"a flight that ended {self.end_state} cannot be completed")
        if self.completed and self.why_not_completed:
            raise ValueError("a completed flight has no reason for not being completed")


def landing_outcome(
    distance_from_point_m: float | None, at_site: bool, limits: LandingLimits, site_label: str
) -> tuple[EndState, str]:
    """An intact landing, stopped: at the site (``landed``) or not (``landed_out``).

    ``distance_from_point_m`` is the touchdown's distance from the planned landing point
    (None if unknown); ``at_site`` False for a forced landing ahead with no site."""
    if not at_site:
        return EndState.LANDED_OUT, f"forced landing away from any landing site ({site_label})"
    if distance_from_point_m is None or not math.isfinite(distance_from_point_m):
        return EndState.LANDED, f"landed at {site_label}"
    if distance_from_point_m > limits.site_radius_m:
        return EndState.LANDED_OUT, (
            f"landed intact {distance_from_point_m:.0f} m from the landing point of "
            f"{site_label} (the site extends {limits.site_radius_m:g} m)"
        )
    return EndState.LANDED, (
        f"landed at {site_label}, {distance_from_point_m:.0f} m from the landing point"
    )
