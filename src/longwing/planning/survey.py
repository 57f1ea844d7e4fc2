"""Survey (mapping) coverage planning: parallel camera lines over a polygon, as a mission.

:func:`plan_survey` turns a :class:`~longwing.planning.area.SurveyArea` and a
:class:`~longwing.planning.camera.Camera` into plain MAVLink mission items (a
:class:`SurveyPlan`, and a :class:`~longwing.mission.model.Mission` when home is known).

Geometry
--------
Everything is planned on the local tangent plane centred on the polygon
(:class:`~longwing.planning.area.LocalProjection`; its distortion is ~3e-6 at 25 km from
the centre) and converted back to latitude/longitude at the end. ``u`` is the coordinate
along the lines (in the direction ``heading_deg``), ``v`` across them (to the right).

- Height above ground ``alt_m`` comes from ``alt_m`` or from the GSD; the footprint,
  line spacing ``s = footprint_across * (1 - side_overlap)`` and trigger distance
  ``d = footprint_along * (1 - front_overlap)`` follow (:mod:`~longwing.planning.camera`).
- Lines: the polygon's width across the lines is ``W``; ``ceil(W / s)`` lines, ``s``
  apart, centred on the polygon, so every point of it is within ``s / 2`` of a line (the
  outermost lines lie at most ``s / 2`` inside the edges).
- Each line is responsible for the strip ``|v - v_line| <= s / 2``. The camera is on
  wherever the polygon lies inside that strip (exact: the projection of the strip's part of
  the polygon), widened by ``camera_margin_m`` (default ``d``) at both ends, so photos
  ``d`` apart with a footprint ``footprint_along > d`` cover the polygon whether the
  autopilot fires its first photo at once or one trigger distance later.
- Concave polygons: where a line leaves the polygon and enters it again (the strip is
  empty in between), the line is still flown as one straight pass, with the camera off
  over the gap (``DO_SET_CAM_TRIGG_DIST 0`` at the exit, ``d`` again at re-entry). Lines
  are never split into separate cells, so the boustrophedon order holds; for strongly
  concave shapes (U, C) choose a heading along the arms or plan the parts separately.
- Turns happen outside the polygon: each pass starts and ends at a turn waypoint
  ``lead_in_m`` (default ``2 * turn_radius_m``) beyond both the camera interval and the
  polygon's extent within ``s`` of the line, and the turn-side ends of the two passes of
  each turn are aligned to the furthest extent of all lines between them. So every turn
  waypoint is at least ``min(lead_in_m, s)`` from the polygon, and the turn stays clear of
  it and of the camera intervals. Two turn radii, because an L1 controller passes the
  turn waypoint still flying across the lines and needs a quarter turn (one radius) plus
  its convergence before it is straight and level on the new line (checked in longwing's
  closed-loop simulator: photos are taken at under ~11 deg of bank in calm air). The
  first pass starts with an approach waypoint ``2 R`` before its turn waypoint, since
  the aircraft arrives from anywhere.
- Line order: plain boustrophedon when ``s >= 2 * turn_radius_m``. A fixed-wing cannot
  U-turn onto a line closer than its turn diameter, so otherwise lines are interleaved
  (:func:`line_order`): with ``k = ceil(2 R / s)``, blocks of about ``2 k + 1`` lines are
  flown as racetracks (line ``i``, then ``i + k + 1``, then ``i + 1``...), each block
  starting on the side that keeps the step from the previous block long enough, so every
  turn spans at least ``k`` lines (at least the turn diameter), typically ``k`` or
  ``k + 1``. With fewer than ``2 k`` lines some turns must be tighter; they are counted in
  :attr:`SurveyPlan.tight_turns` and both their turn waypoints are moved out to
  ``max(lead_in_m, 3 R)`` so the aircraft has room for the loop (an omega turn, or an
  overshoot and S-turn back) outside the polygon.
- ``turn_radius_m`` is the radius over the ground: in wind, use the downwind one
  (:func:`ground_turn_radius_m`), or lines flown along the wind get too short a lead-in.
- Orientation: ``heading_deg`` if given; else along ``wind_from_deg`` if given (lines into
  and down the wind, no crab); else the direction of least width of the polygon's convex
  hull (always parallel to a hull edge), which minimises the number of lines and turns.
  The traversal (which end of which outer line first) is chosen to be nearest home.

Altitudes
---------
- No terrain model: ``GLOBAL_RELATIVE_ALT`` at ``alt_m`` (the area is assumed level with
  home).
- ``terrain`` given (``terrain(lat_deg, lon_deg) -> metres AMSL``, NaN where unknown):
  waypoints are ``GLOBAL`` (AMSL) at ``terrain + alt_m``. Each pass's terrain profile is
  sampled every ``terrain_step_m`` and extra waypoints are added (Douglas-Peucker on the
  height profile) until straight-line altitude interpolation between waypoints stays within
  ``terrain_tolerance_m`` of ``terrain + alt_m`` at every sample, and no leg is longer than
  ``max_segment_m``. The chord of each turn is sampled too and its two turn waypoints
  raised if the straight chord would come below ``terrain + alt_m``. Terrain between
  samples and the part of a turn beyond its chord are not checked.
- ``terrain_frame=True``: ``GLOBAL_TERRAIN_ALT`` at ``alt_m``: the autopilot follows its
  own terrain database and no extra waypoints are added (longwing's simulator needs AMSL).

Mission items
-------------
``NAV_TAKEOFF`` to ``takeoff_alt_m`` above home (default ``min(50 m, alt_m)``, when home is
given and ``takeoff``), ``DO_CHANGE_SPEED`` (when ``cruise_airspeed_mps`` is given),
``NAV_LOITER_TO_ALT`` over home at the altitude of the first waypoint (``climb_over_home``:
the aircraft reaches survey height before it leaves, so a long climb-out cannot overrun
the first line's waypoints), then per pass: turn waypoint, camera-on waypoint,
``DO_SET_CAM_TRIGG_DIST d``, waypoints along (terrain), camera-off waypoint,
``DO_SET_CAM_TRIGG_DIST 0`` (repeated per camera interval of a concave line), turn
waypoint; then ``NAV_RETURN_TO_LAUNCH`` (``finish="rtl"``), a landing sequence
(``"land"``: ``DO_LAND_START``, approach waypoint, ``NAV_LAND`` at home) or nothing
(``"none"``). Latitudes and longitudes are rounded to 1e-7 deg (MAVLink's integer
resolution, ~1 cm), altitudes to 1 cm. The predicted flight length and time count the
passes, the turns (:func:`turn_length_m`) and the legs from and back to home, not the
climb over home; no wind.

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.mission.items import MavFrame, MissionItem, TerrainFn
from longwing.mission.model import Home, Mission
from longwing.planning.area import LocalProjection, SurveyArea
from longwing.planning.camera import Camera, check_overlap

__all__ = [
    "SurveyError",
    "SurveyLine",
    "SurveyPlan",
    "ground_turn_radius_m",
    "line_order",
    "plan_survey",
    "turn_length_m",
]

_FINISHES = ("rtl", "land", "none")
#: Default take-off altitude above home, m (ArduPlane's TKOFF_ALT default), capped at the
#: survey height.
DEFAULT_TAKEOFF_ALT_M = 50.0


class SurveyError(ValueError):
    """Survey settings that cannot be planned (one-line message naming the setting)."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyLine:
    """One pass over the area, in flight order.

    ``index`` is the line's position across the area (0 = leftmost looking along
    ``heading_deg``); ``reverse`` is True when it is flown against ``heading_deg``.
    ``lead_in``/``lead_out`` are the first and last waypoints of the pass, outside the
    polygon (for the first pass, ``lead_in`` is its approach waypoint); ``start``/``end``
    the first camera-on and last camera-off points; ``camera_intervals`` every
    ``(on_lat, on_lon, off_lat, off_lon)`` (more than one on concave polygons).
    ``length_m`` runs from ``lead_in`` to ``lead_out``, ``camera_length_m`` sums the camera
    intervals and ``photo_count`` predicts the photos of the pass.
    """

    index: int
    reverse: bool
    lead_in_lat_deg: float
    lead_in_lon_deg: float
    start_lat_deg: float
    start_lon_deg: float
    end_lat_deg: float
    end_lon_deg: float
    lead_out_lat_deg: float
    lead_out_lon_deg: float
    camera_intervals: tuple[tuple[float, float, float, float], ...]
    length_m: float
    camera_length_m: float
    photo_count: int


@dataclass(frozen=True)
class SurveyPlan:
    """A planned survey: mission items and what they achieve.

    ``items`` are the mission items (no home); ``mission`` the validated
    :class:`~longwing.mission.model.Mission` when home was given (else ``None``; see
    :meth:`to_mission`). ``lines`` are the passes in flight order. ``alt_m`` is the height
    above ground and ``gsd_m`` the GSD there; ``heading_deg`` the lines' azimuth in
    [0, 180) at the area's centre; ``line_skip`` the minimum number of lines between
    consecutive passes (1: plain boustrophedon) and ``tight_turns`` the turns that are
    still narrower than the turn diameter; ``altitude_frame`` the MAV_FRAME of the survey
    waypoints. Lengths are horizontal: ``survey_length_m`` with the camera on,
    ``flight_length_m`` from home (or the first waypoint) over every pass and turn back to
    home (RTL/landing); ``predicted_time_s`` is the latter over the cruise airspeed (no
    wind, no climb), ``None`` without one. ``projection`` is the tangent plane used.
    """

    items: tuple[MissionItem, ...]
    mission: Mission | None
    home: Home | None
    lines: tuple[SurveyLine, ...]
    line_count: int
    line_spacing_m: float
    trigger_distance_m: float
    alt_m: float
    gsd_m: float
    footprint_across_m: float
    footprint_along_m: float
    heading_deg: float
    lead_in_m: float
    line_skip: int
    tight_turns: int
    area_m2: float
    photo_count: int
    survey_length_m: float
    flight_length_m: float
    predicted_time_s: float | None
    cruise_airspeed_mps: float | None
    altitude_frame: int
    projection: LocalProjection

    def line_endpoints_deg(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(start_lat, start_lon, end_lat, end_lon)`` of every pass's camera section, in
        flight order, as arrays (degrees)."""
        return (
            np.array([ln.start_lat_deg for ln in self.lines]),
            np.array([ln.start_lon_deg for ln in self.lines]),
            np.array([ln.end_lat_deg for ln in self.lines]),
            np.array([ln.end_lon_deg for ln in self.lines]),
        )

    def trigger_points_deg(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lat_deg, lon_deg)`` of the predicted photos: from each camera-on point every
        ``trigger_distance_m`` up to the camera-off point."""
        proj = self.projection
        xs: list[np.ndarray] = []
        ys: list[np.ndarray] = []
        for ln in self.lines:
            for on_lat, on_lon, off_lat, off_lon in ln.camera_intervals:
                x, y = proj.to_local([on_lat, off_lat], [on_lon, off_lon])
                length = math.hypot(x[1] - x[0], y[1] - y[0])
                n = int(math.floor(length / self.trigger_distance_m + 1e-9)) + 1
                f = np.arange(n) * self.trigger_distance_m / max(length, 1e-9)
                xs.append(x[0] + f * (x[1] - x[0]))
                ys.append(y[0] + f * (y[1] - y[0]))
        if not xs:
            return np.zeros(0), np.zeros(0)
        return proj.to_geodetic(np.concatenate(xs), np.concatenate(ys))

    def to_mission(self, home: Home | None = None) -> Mission:
        """The items as a :class:`Mission` with ``home`` (default: the planned home)."""
        h = home if home is not None else self.home
        if h is None:
            raise SurveyError("no home position: give one to plan_survey() or to_mission()")
        return Mission(home=h, items=self.items, cruise_speed_mps=self.cruise_airspeed_mps)


# --- line ordering -------------------------------------------------------------------------


def _interleave(b: int, a: int, c: int, high_first: bool) -> list[int]:
    """Lines ``b..b+a-1`` (low half) and ``b+a..b+a+c-1`` (high half) alternately."""
    low = list(range(b, b + a))
    high = list(range(b + a, b + a + c))
    first, second = (high, low) if high_first else (low, high)
    out: list[int] = []
    for i in range(max(a, c)):
        if i < len(first):
            out.append(first[i])
        if i < len(second):
            out.append(second[i])
    return out


def _block(m: int, high_first: bool) -> tuple[int, bool, int]:
    """A racetrack block of ``m`` lines: (sum of its steps, ends at its top line, size of
    its high half)."""
    if high_first:  # a low, c = a or a + 1 high: steps a (H->L) and a + 1 (L->H)
        a = m // 2
        c = m - a
        return a * a + (m - 1 - a) * (a + 1), c > a, c
    a = (m + 1) // 2  # c = a or a - 1 high: steps a (L->H) and a - 1 (H->L)
    c = m - a
    return c * a + (m - 1 - c) * (a - 1), c == a, c


def line_order(n: int, skip: int) -> list[int]:
    """An order of lines ``0..n-1`` in which consecutive lines are at least ``skip`` apart,
    with the smallest total of the steps.

    ``skip <= 1``: ``0, 1, 2...``. Else the lines are cut into blocks, each flown as a
    racetrack: low half first (``b, b+h, b+1, b+h+1...``, at least ``2 skip + 1`` lines)
    or high half first (``b+h, b, b+h+1, b+1...``, at least ``2 skip`` lines). A block
    that ends on its top line is followed by a high-half-first block and one that ends in
    its middle by a low-half-first block, so the steps between blocks are as short as
    those within. The block sizes are chosen by dynamic programming to minimise the total
    step (i.e. the turn lengths); steps are then ``skip`` or ``skip + 1`` lines for most
    counts. Guaranteed for ``n >= 2 skip``; with fewer lines the smallest step is
    ``n // 2`` (the best possible).
    """
    if n <= 0:
        return []
    if skip <= 1 or n <= 2:
        return list(range(n))
    if n <= 2 * skip + 1:
        a = n // 2
        return _interleave(0, a, n - a, high_first=True)
    inf = math.inf
    sizes = range(2 * skip, 4 * skip + 4)
    # state 0: ends at a top line (next block high half first); 1: in a middle (next low
    # half first, its entry step already counted); fin1: as 1 without that entry step.
    cost = [[inf] * (n + 1), [inf] * (n + 1)]
    fin1 = [inf] * (n + 1)
    back: list[list[tuple[int, int, bool] | None]] = [[None] * (n + 1), [None] * (n + 1)]
    back_fin: list[tuple[int, int, bool] | None] = [None] * (n + 1)
    for b in range(n):
        starts = [(-1, 0.0)] if b == 0 else [(0, cost[0][b]), (1, cost[1][b])]
        for state, c0 in starts:
            if c0 == inf:
                continue
            for m in sizes:
                if b + m > n:
                    break
                for high_first in (False, True):
                    if state == 0 and not high_first or state == 1 and high_first:
                        continue
                    if not high_first and m < 2 * skip + 1:
                        continue
                    steps, top, c = _block(m, high_first)
                    entry = (m // 2 + 1) if state == 0 else 0  # top -> first high line
                    total = c0 + steps + entry
                    e = b + m
                    if top:
                        if total < cost[0][e]:
                            cost[0][e] = total
                            back[0][e] = (state, m, high_first)
                    else:
                        if total + c + 1 < cost[1][e]:
                            cost[1][e] = total + c + 1
                            back[1][e] = (state, m, high_first)
                        if total < fin1[e]:
                            fin1[e] = total
                            back_fin[e] = (state, m, high_first)
    if cost[0][n] == inf and fin1[n] == inf:  # cannot happen for n > 2 skip + 1
        a = n // 2
        return _interleave(0, a, n - a, high_first=True)
    blocks: list[tuple[int, bool]] = []
    e = n
    step = back[0][n] if cost[0][n] <= fin1[n] else back_fin[n]
    while step is not None:
        state, m, high_first = step
        blocks.append((m, high_first))
        e -= m
        step = back[state][e] if state >= 0 else None
    order: list[int] = []
    b = 0
    for m, high_first in reversed(blocks):
        a = m // 2 if high_first else (m + 1) // 2
        order += _interleave(b, a, m - a, high_first)
        b += m
    return order


def ground_turn_radius_m(
    airspeed_mps: float, bank_deg: float, wind_mps: float = 0.0, g_mps2: float = 9.80665
) -> float:
    """Largest radius over the ground of a coordinated turn at ``bank_deg``:
    ``(airspeed + wind)^2 / (g tan(bank))`` (the downwind part of the turn)."""
    v = _positive(airspeed_mps, "airspeed_mps") + _positive(wind_mps, "wind_mps", True)
    bank = _positive(bank_deg, "bank_deg")
    if bank >= 89.0:
        raise SurveyError(f"bank_deg {bank!r} must be < 89")
    return v * v / (g_mps2 * math.tan(math.radians(bank)))


def turn_length_m(gap_m: float, turn_radius_m: float) -> float:
    """Length of the shortest fixed-wing 180-degree turn onto a parallel line ``gap_m`` away
    (flown in the opposite direction), with turn radius ``R``: ``pi R + gap - 2 R`` when the
    gap is at least the turn diameter, else an omega turn ``R (pi + 4 acos((gap + 2 R) /
    4 R))`` (7 pi R / 3 at zero gap)."""
    r = turn_radius_m
    if gap_m >= 2.0 * r:
        return math.pi * r + gap_m - 2.0 * r
    return r * (math.pi + 4.0 * math.acos((gap_m + 2.0 * r) / (4.0 * r)))


# --- plane geometry --------------------------------------------------------------------------


def _convex_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the convex hull (counter-clockwise, monotone chain)."""
    idx = sorted(range(len(x)), key=lambda i: (x[i], y[i]))

    def cross(o: int, a: int, b: int) -> float:
        return (x[a] - x[o]) * (y[b] - y[o]) - (y[a] - y[o]) * (x[b] - x[o])

    lower: list[int] = []
    for i in idx:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], i) <= 0:
            lower.pop()
        lower.append(i)
    upper: list[int] = []
    for i in reversed(idx):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], i) <= 0:
            upper.pop()
        upper.append(i)
    return np.array(lower[:-1] + upper[:-1])


def _min_width_heading(x: np.ndarray, y: np.ndarray) -> float:
    """Line azimuth (rad, [0, pi)) minimising the polygon's width across the lines: the
    direction of one of its convex hull's edges."""
    hull = _convex_hull(x, y)
    hx, hy = x[hull], y[hull]
    best_w = math.inf
    best = 0.0
    for i in range(len(hull)):
        dx = hx[(i + 1) % len(hull)] - hx[i]
        dy = hy[(i + 1) % len(hull)] - hy[i]
        if dx == 0.0 and dy == 0.0:
            continue
        theta = math.atan2(dx, dy) % math.pi
        v = hx * math.cos(theta) - hy * math.sin(theta)
        w = float(v.max() - v.min())
        eps = 1e-9 * max(w, 1.0)
        if w < best_w - eps or (abs(w - best_w) <= eps and theta < best):
            best_w = w
            best = theta
    return best


@dataclass(frozen=True)
class _Edges:
    """Polygon edges in line coordinates (u along, v across)."""

    u1: np.ndarray
    v1: np.ndarray
    u2: np.ndarray
    v2: np.ndarray

    def chord_intervals(self, v0: float) -> list[tuple[float, float]]:
        """Intervals of the line ``v = v0`` inside the polygon (even-odd, half-open)."""
        cross = (self.v1 <= v0) != (self.v2 <= v0)
        if not np.any(cross):
            return []
        u1, v1, u2, v2 = self.u1[cross], self.v1[cross], self.u2[cross], self.v2[cross]
        uc = np.sort(u1 + (v0 - v1) * (u2 - u1) / (v2 - v1))
        return [(float(uc[i]), float(uc[i + 1])) for i in range(0, len(uc) - 1, 2)]

    def strip_intervals(self, vlo: float, vhi: float) -> list[tuple[float, float]]:
        """The projection on ``u`` of the polygon's part in the strip ``vlo <= v <= vhi``,
        as sorted disjoint intervals. It is the projection of that part's boundary: the
        polygon edges clipped to the strip and the polygon's chords on the strip's edges."""
        dv = self.v2 - self.v1
        flat = dv == 0.0
        safe = np.where(flat, 1.0, dv)
        ta = (vlo - self.v1) / safe
        tb = (vhi - self.v1) / safe
        inside_flat = (self.v1 >= vlo) & (self.v1 <= vhi)
        t0 = np.where(flat, np.where(inside_flat, 0.0, 2.0), np.maximum(0.0, np.minimum(ta, tb)))
        t1 = np.where(flat, np.where(inside_flat, 1.0, -1.0), np.minimum(1.0, np.maximum(ta, tb)))
        ok = t0 <= t1
        du = self.u2 - self.u1
        ua = (self.u1 + t0 * du)[ok]
        ub = (self.u1 + t1 * du)[ok]
        ivals = list(zip(np.minimum(ua, ub).tolist(), np.maximum(ua, ub).tolist(), strict=True))
        ivals += self.chord_intervals(vlo) + self.chord_intervals(vhi)
        return _merge(ivals, 1e-6)


def _merge(ivals: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Union of intervals, joining those less than ``gap`` apart."""
    if not ivals:
        return []
    ivals = sorted(ivals)
    out = [list(ivals[0])]
    for a, b in ivals[1:]:
        if a - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


# --- terrain ---------------------------------------------------------------------------------


def _terrain_heights(terrain: TerrainFn, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Terrain heights at many points: one vectorised call if the model accepts arrays,
    else one call per point."""
    if lat.size == 0:
        return np.zeros(0)
    if lat.size > 1:
        try:
            h = np.asarray(terrain(lat, lon), dtype=float)  # type: ignore[arg-type]
            if h.shape == lat.shape:
                return h
        except Exception:  # noqa: BLE001 - a scalar-only model: fall back to point calls
            pass
    return np.array(
        [float(terrain(float(a), float(b))) for a, b in zip(lat, lon, strict=True)], dtype=float
    )


def _check_terrain(h: np.ndarray, lat: np.ndarray, lon: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(h)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise SurveyError(
            f"no terrain data at latitude {lat[k]:.6f}, longitude {lon[k]:.6f} ({what})"
        )


def _simplify(s: np.ndarray, z: np.ndarray, keep: np.ndarray, tol: float, max_len: float) -> list:
    """Indices of the samples to keep so that linear interpolation between kept samples is
    within ``tol`` of ``z`` everywhere and no two kept samples are more than ``max_len``
    apart (Douglas-Peucker on the profile; ``keep`` marks samples that must stay)."""
    forced = np.flatnonzero(keep).tolist()
    kept = set(forced)
    stack = list(zip(forced[:-1], forced[1:], strict=True))
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        inner = slice(i + 1, j)
        frac = (s[inner] - s[i]) / (s[j] - s[i])
        dev = np.abs(z[inner] - (z[i] + frac * (z[j] - z[i])))
        m = int(np.argmax(dev))
        if dev[m] > tol:
            split = i + 1 + m
        elif s[j] - s[i] > max_len:
            split = int(np.searchsorted(s, 0.5 * (s[i] + s[j])))
            split = min(max(split, i + 1), j - 1)
        else:
            continue
        kept.add(split)
        stack.append((i, split))
        stack.append((split, j))
    return sorted(kept)


# --- the planner ---------------------------------------------------------------------------


@dataclass
class _Pass:
    index: int
    v: float
    cam: list[tuple[float, float]]  # camera-on intervals, increasing u
    ext_lo: float  # polygon/camera extent at the low-u end
    ext_hi: float
    lead_lo: float = 0.0
    lead_hi: float = 0.0
    direction: int = 1


def _positive(value: Any, name: str, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SurveyError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v) or v < 0.0 or (v == 0.0 and not allow_zero):
        raise SurveyError(f"{name} {v!r} must be {'>= 0' if allow_zero else '> 0'}")
    return v


def _angle(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SurveyError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v):
        raise SurveyError(f"{name} {v!r} must be finite")
    return v


def _home(home: Home | Sequence[float] | None, terrain: TerrainFn | None) -> Home | None:
    if home is None or isinstance(home, Home):
        return home
    try:
        vals = [float(v) for v in home]
    except (TypeError, ValueError):
        raise SurveyError("home must be (lat_deg, lon_deg) or (lat_deg, lon_deg, alt_m)") from None
    if len(vals) == 3:
        return Home(*vals)
    if len(vals) != 2:
        raise SurveyError("home must be (lat_deg, lon_deg) or (lat_deg, lon_deg, alt_m)")
    alt = 0.0
    if terrain is not None:
        h = float(terrain(vals[0], vals[1]))
        if math.isfinite(h):
            alt = h
    return Home(vals[0], vals[1], alt)


def _r7(x: float) -> float:
    return round(float(x), 7)


def _r2(x: float) -> float:
    return round(float(x), 2)


@dataclass(frozen=True)
class _Turns:
    radius_m: float
    lead_m: float  # turn waypoint beyond the camera/polygon extent
    tight_lead_m: float  # the same for turns tighter than the turn diameter
    approach_m: float  # the first pass's approach waypoint before its turn waypoint


def _layout(
    passes: list[_Pass], order: list[int], d0: int, turns: _Turns
) -> tuple[list[_Pass], int]:
    """The passes flown in ``order`` (indices into ``passes``, which are sorted across),
    the first in direction ``d0``: directions and turn waypoints, and the number of tight
    turns. The turn-side ends of the two passes of a turn are aligned to the furthest
    extent of every line between them."""
    flown = [
        _Pass(p.index, p.v, p.cam, p.ext_lo, p.ext_hi, direction=d0 * (1 if t % 2 == 0 else -1))
        for t, p in enumerate(passes[i] for i in order)
    ]
    first = flown[0]
    if first.direction > 0:
        first.lead_lo = first.ext_lo - turns.lead_m - turns.approach_m
    else:
        first.lead_hi = first.ext_hi + turns.lead_m + turns.approach_m
    tight = 0
    for t in range(len(flown) - 1):
        a, b = flown[t], flown[t + 1]
        lo_i, hi_i = sorted((order[t], order[t + 1]))
        is_tight = abs(b.v - a.v) < 2.0 * turns.radius_m * (1.0 - 1e-9)
        tight += is_tight
        lead = turns.tight_lead_m if is_tight else turns.lead_m
        if a.direction > 0:  # turn at the high-u end
            a.lead_hi = b.lead_hi = max(passes[i].ext_hi for i in range(lo_i, hi_i + 1)) + lead
        else:
            a.lead_lo = b.lead_lo = min(passes[i].ext_lo for i in range(lo_i, hi_i + 1)) - lead
    last = flown[-1]
    if last.direction > 0:
        last.lead_hi = last.ext_hi + turns.lead_m
    else:
        last.lead_lo = last.ext_lo - turns.lead_m
    return flown, tight


#: Point kinds along a pass: turn/approach waypoint, camera on, camera off, terrain waypoint.
_TURN, _CAM_ON, _CAM_OFF, _TERRAIN = 0, 1, 2, -1


def _pass_points(
    flown: list[_Pass], approach_m: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Along-line positions and kinds of each pass's waypoints, in flight order."""
    pass_u: list[np.ndarray] = []
    pass_kind: list[np.ndarray] = []
    for t, p in enumerate(flown):
        us = [p.lead_lo]
        kinds = [_TURN]
        if t == 0 and p.direction > 0:
            us.append(p.lead_lo + approach_m)
            kinds.append(_TURN)
        for a, b in p.cam:
            us += [a, b]
            kinds += [_CAM_ON, _CAM_OFF]
        if t == 0 and p.direction < 0:
            us.append(p.lead_hi - approach_m)
            kinds.append(_TURN)
        us.append(p.lead_hi)
        kinds.append(_TURN)
        ua = np.array(us)
        ka = np.array(kinds)
        if p.direction < 0:  # flown backwards: camera-off points become camera-on points
            ua = ua[::-1]
            ka = ka[::-1].copy()
            on = ka == _CAM_ON
            ka[ka == _CAM_OFF] = _CAM_ON
            ka[on] = _CAM_OFF
        pass_u.append(ua)
        pass_kind.append(ka)
    return pass_u, pass_kind


def _follow_terrain(
    flown: list[_Pass],
    pass_u: list[np.ndarray],
    pass_kind: list[np.ndarray],
    to_xy: Any,
    proj: LocalProjection,
    terrain: TerrainFn,
    h_agl: float,
    step: float,
    tol: float,
    max_seg: float,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Terrain-following profiles: every pass sampled every ``step``, waypoints kept where
    needed (:func:`_simplify`), AMSL altitudes ``terrain + h_agl``; turn waypoints raised
    where the straight chord of a turn would come below that."""
    samples_u: list[np.ndarray] = []
    keys_mask: list[np.ndarray] = []
    for ua in pass_u:
        n_s = max(2, math.ceil(abs(ua[-1] - ua[0]) / step) + 1)
        grid = np.linspace(ua[0], ua[-1], n_s)[1:-1]
        if grid.size:  # no sample within 1 cm of a waypoint
            grid = grid[np.min(np.abs(grid[:, None] - ua[None, :]), axis=1) >= 0.01]
        allu = np.concatenate([grid, ua])
        sgn = 1.0 if ua[-1] >= ua[0] else -1.0
        idx = np.argsort(sgn * allu, kind="stable")
        samples_u.append(allu[idx])
        keys_mask.append(np.concatenate([np.zeros(grid.size, bool), np.ones(len(ua), bool)])[idx])
    all_u = np.concatenate(samples_u)
    all_v = np.concatenate([np.full(len(su), p.v) for su, p in zip(samples_u, flown, strict=True)])
    slat, slon = proj.to_geodetic(*to_xy(all_u, all_v))
    hts = _terrain_heights(terrain, slat, slon)
    _check_terrain(hts, slat, slon, "survey lines")
    prof_u: list[np.ndarray] = []
    prof_kind: list[np.ndarray] = []
    prof_alt: list[np.ndarray] = []
    pos = 0
    for ka, su, km in zip(pass_kind, samples_u, keys_mask, strict=True):
        z = hts[pos : pos + len(su)] + h_agl
        pos += len(su)
        keep = _simplify(np.abs(su - su[0]), z, km, tol, max_seg)
        kind_at = dict(zip(np.flatnonzero(km).tolist(), ka.tolist(), strict=True))
        prof_u.append(su[keep])
        prof_kind.append(np.array([kind_at.get(i, _TERRAIN) for i in keep]))
        prof_alt.append(z[keep].copy())
    for t in range(len(flown) - 1):
        ax, ay = to_xy(prof_u[t][-1], flown[t].v)
        bx, by = to_xy(prof_u[t + 1][0], flown[t + 1].v)
        n_s = max(2, math.ceil(math.hypot(bx - ax, by - ay) / step) + 1)
        f = np.linspace(0.0, 1.0, n_s)
        clat, clon = proj.to_geodetic(ax + f * (bx - ax), ay + f * (by - ay))
        ch = _terrain_heights(terrain, clat, clon)
        _check_terrain(ch, clat, clon, f"turn after pass {t + 1}")
        za, zb = prof_alt[t][-1], prof_alt[t + 1][0]
        deficit = float(np.max(ch + h_agl - (za + f * (zb - za))))
        if deficit > 0.0:
            prof_alt[t][-1] += deficit
            prof_alt[t + 1][0] += deficit
    return prof_u, prof_kind, prof_alt


def plan_survey(
    area: SurveyArea,
    camera: Camera,
    *,
    turn_radius_m: float,
    gsd_m: float | None = None,
    alt_m: float | None = None,
    front_overlap: float = 0.7,
    side_overlap: float = 0.6,
    portrait: bool = False,
    home: Home | Sequence[float] | None = None,
    terrain: TerrainFn | None = None,
    terrain_frame: bool = False,
    heading_deg: float | None = None,
    wind_from_deg: float | None = None,
    cruise_airspeed_mps: float | None = None,
    lead_in_m: float | None = None,
    camera_margin_m: float | None = None,
    terrain_step_m: float = 30.0,
    terrain_tolerance_m: float = 2.0,
    max_segment_m: float = 1000.0,
    takeoff: bool = True,
    takeoff_alt_m: float | None = None,
    climb_over_home: bool = True,
    finish: str = "rtl",
    land_heading_deg: float | None = None,
    land_approach_m: float = 1500.0,
    land_approach_alt_m: float = 50.0,
    land_abort_alt_m: float = 40.0,
) -> SurveyPlan:
    """Plan a camera survey of ``area`` (see the module doc for the method).

    - ``turn_radius_m``: the aircraft's turn radius over the ground (sets the line order
      and the turn waypoints).
    - ``gsd_m`` | ``alt_m``: exactly one: ground sample distance (m/px) or height above
      ground (m); ``front_overlap``/``side_overlap`` fractions in [0, 0.95];
      ``portrait`` puts the sensor's long side along the track.
    - ``home``: a :class:`~longwing.mission.model.Home`, ``(lat_deg, lon_deg, alt_m)``
      (AMSL) or ``(lat_deg, lon_deg)`` (altitude from ``terrain``, else 0); ``None``: no
      take-off, no :class:`Mission` (see :meth:`SurveyPlan.to_mission`).
    - ``terrain`` (``(lat_deg, lon_deg) -> m AMSL``, NaN unknown; arrays accepted if the
      model takes them), ``terrain_frame``, ``terrain_step_m``, ``terrain_tolerance_m``,
      ``max_segment_m``: terrain following (module doc).
    - ``heading_deg`` (line azimuth), ``wind_from_deg``: orientation (module doc).
    - ``cruise_airspeed_mps``: ``DO_CHANGE_SPEED`` and the predicted time.
    - ``lead_in_m`` (default ``2 turn_radius_m``), ``camera_margin_m`` (default the
      trigger distance): straight run before/after the camera, camera beyond the polygon.
    - ``takeoff``, ``takeoff_alt_m``, ``climb_over_home``; ``finish`` ``"rtl"``,
      ``"land"`` or ``"none"``; ``land_heading_deg`` (default ``wind_from_deg``, else the
      line heading), ``land_approach_m``, ``land_approach_alt_m`` (above home),
      ``land_abort_alt_m``.

    Raises :class:`SurveyError` (a ``ValueError``, one line naming the setting) for
    unusable settings, and for terrain without data under the route.
    """
    # --- settings ---
    if (gsd_m is None) == (alt_m is None):
        raise SurveyError("give exactly one of gsd_m and alt_m")
    if alt_m is not None:
        h_agl = _positive(alt_m, "alt_m")
    else:
        h_agl = camera.alt_for_gsd_m(_positive(gsd_m, "gsd_m"))
    try:
        fo = check_overlap(front_overlap, "front_overlap")
        so = check_overlap(side_overlap, "side_overlap")
    except ValueError as exc:
        raise SurveyError(str(exc)) from None
    radius = _positive(turn_radius_m, "turn_radius_m")
    lead = 2.0 * radius if lead_in_m is None else _positive(lead_in_m, "lead_in_m")
    across_m, along_m = camera.footprint_m(h_agl, portrait)
    spacing = across_m * (1.0 - so)
    trig = along_m * (1.0 - fo)
    margin = (
        trig if camera_margin_m is None else _positive(camera_margin_m, "camera_margin_m", True)
    )
    step = _positive(terrain_step_m, "terrain_step_m")
    tol = _positive(terrain_tolerance_m, "terrain_tolerance_m")
    max_seg = _positive(max_segment_m, "max_segment_m")
    if cruise_airspeed_mps is not None:
        cruise_airspeed_mps = _positive(cruise_airspeed_mps, "cruise_airspeed_mps")
    if finish not in _FINISHES:
        raise SurveyError(f"finish {finish!r} must be one of {', '.join(_FINISHES)}")
    plan_home = _home(home, terrain)
    if finish == "land" and plan_home is None:
        raise SurveyError("finish='land' needs a home position (the touchdown point)")
    follow = terrain is not None and not terrain_frame
    if terrain_frame:
        frame = MavFrame.GLOBAL_TERRAIN_ALT
    elif follow:
        frame = MavFrame.GLOBAL
    else:
        frame = MavFrame.GLOBAL_RELATIVE_ALT

    # --- orientation, line coordinates ---
    proj = area.projection()
    x, y = area.local_m(proj)
    if heading_deg is not None:
        theta = math.radians(_angle(heading_deg, "heading_deg")) % math.pi
    elif wind_from_deg is not None:
        theta = math.radians(_angle(wind_from_deg, "wind_from_deg")) % math.pi
    else:
        theta = _min_width_heading(x, y)
    st, ct = math.sin(theta), math.cos(theta)
    u = x * st + y * ct
    v = x * ct - y * st
    edges = _Edges(u, v, np.roll(u, -1), np.roll(v, -1))

    def to_xy(uu: np.ndarray, vv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return uu * st + vv * ct, uu * ct - vv * st

    # --- lines and their camera intervals ---
    vmin, vmax = float(v.min()), float(v.max())
    width = vmax - vmin
    n_lines = max(1, math.ceil(width / spacing - 1e-9))
    v0 = vmin + 0.5 * (width - (n_lines - 1) * spacing)
    half = 0.5 * spacing
    passes: list[_Pass] = []
    for k in range(n_lines):
        vk = v0 + k * spacing
        own = edges.strip_intervals(vk - half, vk + half)
        if not own:
            continue
        cam = _merge([(a - margin, b + margin) for a, b in own], trig)
        wide = edges.strip_intervals(vk - spacing, vk + spacing)
        passes.append(
            _Pass(
                k,
                vk,
                cam,
                min(cam[0][0], wide[0][0]),
                max(cam[-1][1], wide[-1][1]),
            )
        )
    skip = 1 if spacing >= 2.0 * radius * (1.0 - 1e-9) else math.ceil(2.0 * radius / spacing - 1e-9)
    turns = _Turns(radius, lead, max(lead, 3.0 * radius), 2.0 * radius)
    base_order = line_order(len(passes), skip)
    home_xy: tuple[float, float] | None = None
    if plan_home is not None:
        hx, hy = proj.to_local(plan_home.lat_deg, plan_home.lon_deg)
        home_xy = (float(hx), float(hy))
    # traversal: either end of the order, either direction first; nearest home wins
    best: tuple[float, list[_Pass], int] | None = None
    for order in (base_order, base_order[::-1]):
        for d0 in (1, -1):
            flown, tight = _layout(passes, order, d0, turns)
            cost = 0.0
            if home_xy is not None:
                f, g = flown[0], flown[-1]
                u_in = f.lead_lo if f.direction > 0 else f.lead_hi
                u_out = g.lead_hi if g.direction > 0 else g.lead_lo
                px, py = to_xy(np.array([u_in, u_out]), np.array([f.v, g.v]))
                cost = math.hypot(px[0] - home_xy[0], py[0] - home_xy[1]) + math.hypot(
                    px[1] - home_xy[0], py[1] - home_xy[1]
                )
            if best is None or cost < best[0] - 1e-6:
                best = (cost, flown, tight)
            if home_xy is None:
                break
        if home_xy is None:
            break
    assert best is not None
    _, flown, tight_turns = best
    pass_u, pass_kind = _pass_points(flown, turns.approach_m)

    # --- altitudes: profile per pass (u, kind, altitude in the frame) ---
    if follow:
        assert terrain is not None
        prof_u, prof_kind, prof_alt = _follow_terrain(
            flown, pass_u, pass_kind, to_xy, proj, terrain, h_agl, step, tol, max_seg
        )
    else:
        prof_u, prof_kind = pass_u, pass_kind
        prof_alt = [np.full(len(ua), h_agl) for ua in pass_u]

    # --- lat/lon of every profile point, at once ---
    counts = [len(pu) for pu in prof_u]
    all_u = np.concatenate(prof_u)
    all_v = np.concatenate([np.full(c, p.v) for c, p in zip(counts, flown, strict=True)])
    px, py = to_xy(all_u, all_v)
    plat, plon = proj.to_geodetic(px, py)

    # --- items ---
    items: list[MissionItem] = []
    if plan_home is not None and takeoff:
        to_alt = (
            min(h_agl, DEFAULT_TAKEOFF_ALT_M)
            if takeoff_alt_m is None
            else _positive(takeoff_alt_m, "takeoff_alt_m")
        )
        items.append(
            MissionItem.takeoff(
                _r7(plan_home.lat_deg),
                _r7(plan_home.lon_deg),
                _r2(to_alt),
                MavFrame.GLOBAL_RELATIVE_ALT,
            )
        )
    if cruise_airspeed_mps is not None:
        items.append(MissionItem.change_speed(cruise_airspeed_mps))
    if plan_home is not None and takeoff and climb_over_home:
        items.append(
            MissionItem.loiter_to_alt(
                _r7(plan_home.lat_deg),
                _r7(plan_home.lon_deg),
                _r2(prof_alt[0][0]),
                frame,
                radius_m=radius,
            )
        )
    lines: list[SurveyLine] = []
    pos = 0
    photo_total = 0
    survey_len = 0.0
    for p, pu, pk, pa in zip(flown, prof_u, prof_kind, prof_alt, strict=True):
        n = len(pu)
        lat = plat[pos : pos + n]
        lon = plon[pos : pos + n]
        pos += n
        intervals: list[tuple[float, float, float, float]] = []
        cam_len = 0.0
        photos = 0
        on_at: int | None = None
        for j in range(n):
            la, lo = _r7(lat[j]), _r7(lon[j])
            items.append(MissionItem.waypoint(la, lo, _r2(pa[j]), frame))
            if pk[j] == _CAM_ON:
                items.append(MissionItem.cam_trigger_distance(trig))
                on_at = j
            elif pk[j] == _CAM_OFF:
                items.append(MissionItem.cam_trigger_distance(0.0))
                assert on_at is not None
                seg = abs(pu[j] - pu[on_at])
                cam_len += seg
                photos += int(math.floor(seg / trig + 1e-9)) + 1
                intervals.append((_r7(lat[on_at]), _r7(lon[on_at]), la, lo))
                on_at = None
        photo_total += photos
        survey_len += cam_len
        lines.append(
            SurveyLine(
                index=p.index,
                reverse=p.direction < 0,
                lead_in_lat_deg=_r7(lat[0]),
                lead_in_lon_deg=_r7(lon[0]),
                start_lat_deg=intervals[0][0],
                start_lon_deg=intervals[0][1],
                end_lat_deg=intervals[-1][2],
                end_lon_deg=intervals[-1][3],
                lead_out_lat_deg=_r7(lat[-1]),
                lead_out_lon_deg=_r7(lon[-1]),
                camera_intervals=tuple(intervals),
                length_m=float(abs(pu[-1] - pu[0])),
                camera_length_m=float(cam_len),
                photo_count=photos,
            )
        )

    geod = Geodesic.WGS84
    flight = sum(ln.length_m for ln in lines)
    for t in range(len(flown) - 1):
        flight += turn_length_m(abs(flown[t + 1].v - flown[t].v), radius)
    land_items: list[MissionItem] = []
    if plan_home is not None:
        first, last = lines[0], lines[-1]
        flight += geod.Inverse(
            plan_home.lat_deg, plan_home.lon_deg, first.lead_in_lat_deg, first.lead_in_lon_deg
        )["s12"]
        if finish == "rtl":
            flight += geod.Inverse(
                last.lead_out_lat_deg, last.lead_out_lon_deg, plan_home.lat_deg, plan_home.lon_deg
            )["s12"]
        elif finish == "land":
            if land_heading_deg is not None:
                lh = _angle(land_heading_deg, "land_heading_deg")
            elif wind_from_deg is not None:
                lh = float(wind_from_deg)
            else:
                lh = math.degrees(theta)
            app = geod.Direct(
                plan_home.lat_deg,
                plan_home.lon_deg,
                lh + 180.0,
                _positive(land_approach_m, "land_approach_m"),
            )
            app_lat, app_lon = _r7(app["lat2"]), _r7(app["lon2"])
            app_alt = _r2(_positive(land_approach_alt_m, "land_approach_alt_m"))
            rel = MavFrame.GLOBAL_RELATIVE_ALT
            land_items = [
                MissionItem.land_start(app_lat, app_lon, app_alt, rel),
                MissionItem.waypoint(app_lat, app_lon, app_alt, rel, acceptance_radius_m=30.0),
                MissionItem.land(
                    _r7(plan_home.lat_deg),
                    _r7(plan_home.lon_deg),
                    0.0,
                    rel,
                    abort_alt_m=_positive(land_abort_alt_m, "land_abort_alt_m", True),
                ),
            ]
            flight += geod.Inverse(last.lead_out_lat_deg, last.lead_out_lon_deg, app_lat, app_lon)[
                "s12"
            ]
            flight += float(land_approach_m)
    if finish == "rtl":
        items.append(MissionItem.return_to_launch())
    items += land_items

    plan_items = tuple(items)
    mission = (
        Mission(home=plan_home, items=plan_items, cruise_speed_mps=cruise_airspeed_mps)
        if plan_home is not None
        else None
    )
    return SurveyPlan(
        items=plan_items,
        mission=mission,
        home=plan_home,
        lines=tuple(lines),
        line_count=len(lines),
        line_spacing_m=spacing,
        trigger_distance_m=trig,
        alt_m=h_agl,
        gsd_m=camera.gsd_m(h_agl),
        footprint_across_m=across_m,
        footprint_along_m=along_m,
        heading_deg=math.degrees(theta) % 180.0,
        lead_in_m=lead,
        line_skip=skip,
        tight_turns=tight_turns,
        area_m2=area.area_m2(),
        photo_count=photo_total,
        survey_length_m=survey_len,
        flight_length_m=flight,
        predicted_time_s=None if cruise_airspeed_mps is None else flight / cruise_airspeed_mps,
        cruise_airspeed_mps=cruise_airspeed_mps,
        altitude_frame=int(frame),
        projection=proj,
    )
