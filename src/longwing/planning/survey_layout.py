"""Survey line layout: the lines over the polygon, their order, turns and terrain profiles.

The geometry of :func:`longwing.planning.survey.plan_survey` (which builds the mission items
and the figures from it).

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

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from longwing.geo.constants import G0_MPS2

__all__ = [
    "CAM_OFF",
    "CAM_ON",
    "TERRAIN",
    "TURN",
    "Edges",
    "Pass",
    "Progress",
    "SurveyError",
    "Turns",
    "best_traversal",
    "check_angle",
    "check_positive",
    "ground_turn_radius_m",
    "layout_passes",
    "line_order",
    "line_passes",
    "merge_intervals",
    "min_width_heading",
    "pass_points",
    "turn_length_m",
]


#: ``progress(stage, done, total)``: how far the planner is (for a caller's progress bar).
Progress = Callable[[str, int, int], None]


class SurveyError(ValueError):
    """Survey settings that cannot be planned (one-line message naming the setting)."""


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
    airspeed_mps: float, bank_deg: float, wind_mps: float = 0.0, g_mps2: float = G0_MPS2
) -> float:
    """Largest radius over the ground of a coordinated turn at ``bank_deg``:
    ``(airspeed + wind)^2 / (g tan(bank))`` (the downwind part of the turn)."""
    v = check_positive(airspeed_mps, "airspeed_mps") + check_positive(wind_mps, "wind_mps", True)
    bank = check_positive(bank_deg, "bank_deg")
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


def min_width_heading(x: np.ndarray, y: np.ndarray) -> float:
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
class Edges:
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
        return merge_intervals(ivals, 1e-6)


def merge_intervals(ivals: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
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


# --- the planner ---------------------------------------------------------------------------


@dataclass
class Pass:
    index: int
    v: float
    cam: list[tuple[float, float]]  # camera-on intervals, increasing u
    ext_lo: float  # polygon/camera extent at the low-u end
    ext_hi: float
    lead_lo: float = 0.0
    lead_hi: float = 0.0
    direction: int = 1


def line_passes(
    edges: Edges,
    v0: float,
    n_lines: int,
    spacing: float,
    margin: float,
    trig: float,
    progress: Progress | None = None,
) -> list[Pass]:
    """The lines ``v0 + k * spacing`` (k < ``n_lines``) that cross the polygon, sorted
    across, each with its camera intervals (its own strip of the polygon, widened by
    ``margin`` at both ends, gaps shorter than ``trig`` joined) and its extent."""
    passes: list[Pass] = []
    half = 0.5 * spacing
    for k in range(n_lines):
        if progress is not None and k % 64 == 0:
            progress("lines", k, n_lines)
        vk = v0 + k * spacing
        own = edges.strip_intervals(vk - half, vk + half)
        if not own:
            continue
        cam = merge_intervals([(a - margin, b + margin) for a, b in own], trig)
        wide = edges.strip_intervals(vk - spacing, vk + spacing)
        passes.append(Pass(k, vk, cam, min(cam[0][0], wide[0][0]), max(cam[-1][1], wide[-1][1])))
    if progress is not None:
        progress("lines", n_lines, n_lines)
    return passes


def check_positive(value: Any, name: str, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SurveyError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v) or v < 0.0 or (v == 0.0 and not allow_zero):
        raise SurveyError(f"{name} {v!r} must be {'>= 0' if allow_zero else '> 0'}")
    return v


def check_angle(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SurveyError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v):
        raise SurveyError(f"{name} {v!r} must be finite")
    return v


@dataclass(frozen=True)
class Turns:
    radius_m: float
    lead_m: float  # turn waypoint beyond the camera/polygon extent
    tight_lead_m: float  # the same for turns tighter than the turn diameter
    approach_m: float  # the first pass's approach waypoint before its turn waypoint


def layout_passes(
    passes: list[Pass], order: list[int], d0: int, turns: Turns
) -> tuple[list[Pass], int]:
    """The passes flown in ``order`` (indices into ``passes``, which are sorted across),
    the first in direction ``d0``: directions and turn waypoints, and the number of tight
    turns. The turn-side ends of the two passes of a turn are aligned to the furthest
    extent of every line between them."""
    flown = [
        Pass(p.index, p.v, p.cam, p.ext_lo, p.ext_hi, direction=d0 * (1 if t % 2 == 0 else -1))
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
TURN, CAM_ON, CAM_OFF, TERRAIN = 0, 1, 2, -1


def pass_points(flown: list[Pass], approach_m: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Along-line positions and kinds of each pass's waypoints, in flight order."""
    pass_u: list[np.ndarray] = []
    pass_kind: list[np.ndarray] = []
    for t, p in enumerate(flown):
        us = [p.lead_lo]
        kinds = [TURN]
        if t == 0 and p.direction > 0:
            us.append(p.lead_lo + approach_m)
            kinds.append(TURN)
        for a, b in p.cam:
            us += [a, b]
            kinds += [CAM_ON, CAM_OFF]
        if t == 0 and p.direction < 0:
            us.append(p.lead_hi - approach_m)
            kinds.append(TURN)
        us.append(p.lead_hi)
        kinds.append(TURN)
        ua = np.array(us)
        ka = np.array(kinds)
        if p.direction < 0:  # flown backwards: camera-off points become camera-on points
            ua = ua[::-1]
            ka = ka[::-1].copy()
            on = ka == CAM_ON
            ka[ka == CAM_OFF] = CAM_ON
            ka[on] = CAM_OFF
        pass_u.append(ua)
        pass_kind.append(ka)
    return pass_u, pass_kind


def best_traversal(
    passes: list[Pass],
    order: list[int],
    turns: Turns,
    home_xy: tuple[float, float] | None,
    to_xy: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> tuple[list[Pass], int]:
    """The passes flown (:func:`layout_passes`) from either end of ``order``, either
    direction first: the one whose entry and exit are nearest home (the first without a
    home); and its number of tight turns."""
    best: tuple[float, list[Pass], int] | None = None
    for seq in (order, order[::-1]):
        for d0 in (1, -1):
            flown, tight = layout_passes(passes, seq, d0, turns)
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
                return flown, tight
    assert best is not None
    return best[1], best[2]
