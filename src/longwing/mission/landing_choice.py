"""Which way to land: the one decision the mission manager (in flight, on the EKF's wind) and
the planner (`plan check`, on the planning wind) both make (see docs/landing.md).

A landing sequence is a ``DO_LAND_START`` and the items after it up to its ``NAV_LAND``: the
approach waypoints, then the touchdown point. Its *final course* is the course of the last
leg, from the last positioned navigation item before the ``NAV_LAND`` to the landing point.

Rules:

* the tailwind on final is the component of the wind along the final course;
* with several sequences, the one with the most headwind on its final is flown; sequences
  within ``TIE_MPS`` of it are tied and the nearest to the aircraft wins (ArduPlane's
  ``AP_Mission::get_landing_sequence_start`` takes the nearest DO_LAND_START; in calm air
  longwing does the same);
* if the chosen final's tailwind is above the airframe's ``max_tailwind_mps``, the approach is
  mirrored about the touchdown point: every approach point reflected through the landing
  point (same distance, opposite bearing, same altitude), so the glide slope and distances
  are the planned ones and the final is flown the other way;
* a landing site without a runway direction (a rally point, an alternate) lands into the
  wind, or along the inbound course in light wind (:func:`site_landing_course_deg`).

Pure functions of numbers and mission items; no state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

from longwing.mission.items import MavCmd, MissionItem

TIE_MPS = 1.0  # sequences whose headwinds differ by less than this are equally into the wind
INTO_WIND_MIN_MPS = 2.0  # a site without a direction lands into a wind above this


@dataclass(frozen=True)
class WindOnFinal:
    """The wind resolved on a final course: headwind (+ from ahead) and crosswind (+ from
    the right), m/s."""

    headwind_mps: float
    crosswind_mps: float

    @property
    def tailwind_mps(self) -> float:
        return -self.headwind_mps


def wind_on_course(course_deg: float, wind_n_mps: float, wind_e_mps: float) -> WindOnFinal:
    """Resolve the wind (the air's velocity, north/east, m/s) on ``course_deg``."""
    c = math.radians(course_deg)
    along = wind_n_mps * math.cos(c) + wind_e_mps * math.sin(c)  # + with the aircraft
    across = -wind_n_mps * math.sin(c) + wind_e_mps * math.cos(c)  # + toward the right
    return WindOnFinal(-along, -across)


def mirror_needed(course_deg: float, wind_n_mps: float, wind_e_mps: float,
                  max_tailwind_mps: float) -> bool:  # fmt: skip
    """Land the other way? True when the tailwind on ``course_deg`` is above the limit (at
    the limit exactly the planned direction is kept)."""
    return wind_on_course(course_deg, wind_n_mps, wind_e_mps).tailwind_mps > max_tailwind_mps


def mirror_point(land_lat_deg: float, land_lon_deg: float, lat_deg: float,
                 lon_deg: float) -> tuple[float, float]:  # fmt: skip
    """``(lat, lon)`` reflected through the landing point: on the geodesic from the landing
    point, the same distance the opposite way."""
    g = Geodesic.WGS84
    inv = g.Inverse(land_lat_deg, land_lon_deg, lat_deg, lon_deg)
    if inv["s12"] < 1e-6:
        return lat_deg, lon_deg
    d = g.Direct(land_lat_deg, land_lon_deg, inv["azi1"] + 180.0, inv["s12"])
    return d["lat2"], d["lon2"]


def course_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Course at the end of the geodesic from 1 to 2 (the final course at touchdown), deg."""
    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["azi2"] % 360.0


def site_landing_course_deg(inbound_deg: float, wind_n_mps: float, wind_e_mps: float) -> float:
    """A site without a runway direction: land into the wind (above INTO_WIND_MIN_MPS), else
    along the inbound course."""
    if math.hypot(wind_n_mps, wind_e_mps) >= INTO_WIND_MIN_MPS:
        return math.degrees(math.atan2(-wind_e_mps, -wind_n_mps)) % 360.0
    return inbound_deg % 360.0


@dataclass(frozen=True)
class LandingSequence:
    """One DO_LAND_START ... NAV_LAND sequence of a mission (item numbers 1-based)."""

    start_seq: int  # the DO_LAND_START
    land_seq: int  # its NAV_LAND
    land_lat_deg: float
    land_lon_deg: float
    from_lat_deg: float  # the start of the final (the last positioned item before NAV_LAND)
    from_lon_deg: float
    final_course_deg: float  # the planned final course at the landing point


@dataclass(frozen=True)
class LandingChoice:
    """The landing to fly: which sequence, and whether mirrored, with the wind on its final
    (in the direction flown)."""

    sequence: LandingSequence
    mirrored: bool
    course_deg: float  # the final course flown
    wind: WindOnFinal  # on the course flown

    def text(self) -> str:
        s = self.sequence
        how = "mirrored (into the wind)" if self.mirrored else "as planned"
        return (f"DO_LAND_START item {s.start_seq} -> NAV_LAND item {s.land_seq}, {how}: "
                f"final course {self.course_deg:.0f} deg, headwind "
                f"{self.wind.headwind_mps:+.1f} m/s, crosswind "
                f"{self.wind.crosswind_mps:+.1f} m/s")  # fmt: skip

    def as_dict(self) -> dict:
        s = self.sequence
        return {
            "do_land_start_seq": s.start_seq, "nav_land_seq": s.land_seq,
            "mirrored": self.mirrored, "planned_course_deg": s.final_course_deg,
            "course_deg": self.course_deg, "headwind_mps": self.wind.headwind_mps,
            "crosswind_mps": self.wind.crosswind_mps,
        }  # fmt: skip


def _position(item: MissionItem) -> tuple[float, float] | None:
    pos = item.position
    if pos is None or (pos[0] == 0.0 and pos[1] == 0.0):
        return None
    return pos[0], pos[1]


def landing_sequences(items: tuple[MissionItem, ...] | list[MissionItem]) -> list[LandingSequence]:
    """Every DO_LAND_START followed (before another DO_LAND_START) by a NAV_LAND with a
    position and a positioned navigation item before it."""
    out: list[LandingSequence] = []
    n = len(items)
    for i, it in enumerate(items):
        if it.command != MavCmd.DO_LAND_START:
            continue
        prev = None
        for j in range(i + 1, n):
            c = items[j]
            if c.command == MavCmd.DO_LAND_START:
                break
            if c.command == MavCmd.NAV_LAND:
                land = _position(c)
                if prev is None:  # the final starts before the sequence: the last positioned
                    for k in range(i - 1, -1, -1):  # navigation item before it
                        if items[k].is_nav and _position(items[k]) is not None:
                            prev = _position(items[k])
                            break
                if land is not None and prev is not None:
                    crs = course_deg(prev[0], prev[1], land[0], land[1])
                    out.append(LandingSequence(i + 1, j + 1, land[0], land[1], prev[0],
                                               prev[1], crs))  # fmt: skip
                break
            if c.is_nav and _position(c) is not None:
                prev = _position(c)
    return out


def choose_landing(
    sequences: list[LandingSequence], wind_n_mps: float, wind_e_mps: float,
    max_tailwind_mps: float, here_lat_deg: float | None = None,
    here_lon_deg: float | None = None,
) -> LandingChoice | None:  # fmt: skip
    """The landing to fly in this wind (see the module doc); None without sequences."""
    if not sequences:
        return None
    heads = [wind_on_course(s.final_course_deg, wind_n_mps, wind_e_mps).headwind_mps
             for s in sequences]  # fmt: skip
    best = max(heads)
    tied = [s for s, h in zip(sequences, heads, strict=True) if h >= best - TIE_MPS]
    if len(tied) > 1 and here_lat_deg is not None and here_lon_deg is not None:
        g = Geodesic.WGS84
        tied.sort(key=lambda s: g.Inverse(here_lat_deg, here_lon_deg, s.land_lat_deg,
                                          s.land_lon_deg)["s12"])  # fmt: skip
    seq = tied[0]
    mirrored = mirror_needed(seq.final_course_deg, wind_n_mps, wind_e_mps, max_tailwind_mps)
    crs = (seq.final_course_deg + (180.0 if mirrored else 0.0)) % 360.0
    return LandingChoice(seq, mirrored, crs, wind_on_course(crs, wind_n_mps, wind_e_mps))
