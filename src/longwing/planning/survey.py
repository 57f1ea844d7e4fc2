"""Survey (mapping) coverage planning: parallel camera lines over a polygon, as a mission.

:func:`plan_survey` turns a :class:`~longwing.planning.area.SurveyArea` and a
:class:`~longwing.planning.camera.Camera` into plain MAVLink mission items (a
:class:`SurveyPlan`, and a :class:`~longwing.mission.model.Mission` when home is known).

Geometry
--------
The lines, their order, the turns and the terrain profiles: see
:mod:`longwing.planning.survey_layout`.

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
from longwing.planning.survey_layout import (
    CAM_OFF,
    CAM_ON,
    Edges,
    Progress,
    SurveyError,
    Turns,
    best_traversal,
    check_angle,
    check_positive,
    ground_turn_radius_m,
    line_order,
    line_passes,
    min_width_heading,
    pass_points,
    turn_length_m,
)
from longwing.planning.survey_limits import (
    MAX_MISSION_ITEMS,
    MAX_PHOTOS,
    items_problem,
    photo_limit_problem,
    size_problem,
    trigger_interval_problem,
)
from longwing.planning.survey_terrain import follow_terrain

__all__ = [
    "SurveyError",
    "SurveyLine",
    "SurveyPlan",
    "SurveySpec",
    "ground_turn_radius_m",
    "line_order",
    "plan_survey",
    "turn_length_m",
]

_FINISHES = ("rtl", "land", "none")
#: Default take-off altitude above home, m (ArduPlane's TKOFF_ALT default), capped at the
#: survey height.
DEFAULT_TAKEOFF_ALT_M = 50.0


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
class SurveySpec:
    """What to survey and how: the settings of :func:`plan_survey` (checked there; see the
    module doc for the method).

    - ``camera``: the :class:`~longwing.planning.camera.Camera` (with its
      ``min_interval_s``, the shortest time between photos); ``turn_radius_m``: the
      aircraft's turn radius over the ground (sets the line order and the turn waypoints).
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
    - ``cruise_airspeed_mps``: ``DO_CHANGE_SPEED``, the predicted time and the check of the
      camera's minimum interval.
    - ``lead_in_m`` (default ``2 turn_radius_m``), ``camera_margin_m`` (default the
      trigger distance): straight run before/after the camera, camera beyond the polygon.
    - ``takeoff``, ``takeoff_alt_m``, ``climb_over_home``; ``finish`` ``"rtl"``,
      ``"land"`` or ``"none"``; ``land_heading_deg`` (default ``wind_from_deg``, else the
      line heading), ``land_approach_m``, ``land_approach_alt_m`` (above home),
      ``land_abort_alt_m``.
    - ``max_photos``: the photo limit (:mod:`~longwing.planning.survey_limits`, checked
      from an estimate before the layout and on the plan after it).
    """

    camera: Camera
    turn_radius_m: float
    gsd_m: float | None = None
    alt_m: float | None = None
    front_overlap: float = 0.7
    side_overlap: float = 0.6
    portrait: bool = False
    home: Home | Sequence[float] | None = None
    terrain: TerrainFn | None = None
    terrain_frame: bool = False
    heading_deg: float | None = None
    wind_from_deg: float | None = None
    cruise_airspeed_mps: float | None = None
    lead_in_m: float | None = None
    camera_margin_m: float | None = None
    terrain_step_m: float = 30.0
    terrain_tolerance_m: float = 2.0
    max_segment_m: float = 1000.0
    takeoff: bool = True
    takeoff_alt_m: float | None = None
    climb_over_home: bool = True
    finish: str = "rtl"
    land_heading_deg: float | None = None
    land_approach_m: float = 1500.0
    land_approach_alt_m: float = 50.0
    land_abort_alt_m: float = 40.0
    max_photos: int = MAX_PHOTOS


def plan_survey(
    area: SurveyArea,
    spec: SurveySpec | Camera,
    *,
    progress: Progress | None = None,
    **settings: Any,
) -> SurveyPlan:
    """Plan a camera survey of ``area`` as ``spec`` says (see the module doc for the method).

    ``spec``: a :class:`SurveySpec`; or the camera followed by the other fields of a spec as
    keywords (``plan_survey(area, camera, turn_radius_m=..., alt_m=...)``).
    ``progress``: called as ``progress(stage, done, total)`` while the lines are laid out
    (``"lines"``) and turned into items (``"items"``); a caller's progress bar.

    Raises :class:`SurveyError` (a ``ValueError``, one line naming the setting) for
    unusable settings, a survey beyond the limits, and terrain without data under the
    route.
    """
    if isinstance(spec, Camera):
        spec = SurveySpec(spec, **settings)
    elif settings:
        raise TypeError("give the settings in the SurveySpec or as keywords after a Camera")
    # --- settings ---
    camera = spec.camera
    if (spec.gsd_m is None) == (spec.alt_m is None):
        raise SurveyError("give exactly one of gsd_m and alt_m")
    if spec.alt_m is not None:
        h_agl = check_positive(spec.alt_m, "alt_m")
    else:
        h_agl = camera.alt_for_gsd_m(check_positive(spec.gsd_m, "gsd_m"))
    try:
        fo = check_overlap(spec.front_overlap, "front_overlap")
        so = check_overlap(spec.side_overlap, "side_overlap")
    except ValueError as exc:
        raise SurveyError(str(exc)) from None
    radius = check_positive(spec.turn_radius_m, "turn_radius_m")
    lead = 2.0 * radius if spec.lead_in_m is None else check_positive(spec.lead_in_m, "lead_in_m")
    across_m, along_m = camera.footprint_m(h_agl, spec.portrait)
    spacing = across_m * (1.0 - so)
    trig = along_m * (1.0 - fo)
    if spec.camera_margin_m is None:
        margin = trig
    else:
        margin = check_positive(spec.camera_margin_m, "camera_margin_m", allow_zero=True)
    step = check_positive(spec.terrain_step_m, "terrain_step_m")
    tol = check_positive(spec.terrain_tolerance_m, "terrain_tolerance_m")
    max_seg = check_positive(spec.max_segment_m, "max_segment_m")
    cruise = spec.cruise_airspeed_mps
    if cruise is not None:
        cruise = check_positive(cruise, "cruise_airspeed_mps")
    if spec.finish not in _FINISHES:
        raise SurveyError(f"finish {spec.finish!r} must be one of {', '.join(_FINISHES)}")
    plan_home = _home(spec.home, spec.terrain)
    if spec.finish == "land" and plan_home is None:
        raise SurveyError("finish='land' needs a home position (the touchdown point)")
    follow = spec.terrain is not None and not spec.terrain_frame
    if spec.terrain_frame:
        frame = MavFrame.GLOBAL_TERRAIN_ALT
    elif follow:
        frame = MavFrame.GLOBAL
    else:
        frame = MavFrame.GLOBAL_RELATIVE_ALT

    # --- orientation, line coordinates ---
    proj = area.projection()
    x, y = area.local_m(proj)
    if spec.heading_deg is not None:
        theta = math.radians(check_angle(spec.heading_deg, "heading_deg")) % math.pi
    elif spec.wind_from_deg is not None:
        theta = math.radians(check_angle(spec.wind_from_deg, "wind_from_deg")) % math.pi
    else:
        theta = min_width_heading(x, y)
    st, ct = math.sin(theta), math.cos(theta)
    u = x * st + y * ct
    v = x * ct - y * st
    edges = Edges(u, v, np.roll(u, -1), np.roll(v, -1))

    def to_xy(uu: np.ndarray, vv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return uu * st + vv * ct, uu * ct - vv * st

    # --- lines and their camera intervals ---
    vmin, vmax = float(v.min()), float(v.max())
    width = vmax - vmin
    n_lines = max(1, math.ceil(width / spacing - 1e-9))
    problem = size_problem(area.area_m2(), camera.gsd_m(h_agl), width, trig, margin, n_lines,
                           spec.max_photos)  # fmt: skip
    if problem is None and cruise is not None:
        problem = trigger_interval_problem(trig, cruise, camera.min_interval_s)
    if problem is not None:
        raise SurveyError(problem)
    v0 = vmin + 0.5 * (width - (n_lines - 1) * spacing)
    passes = line_passes(edges, v0, n_lines, spacing, margin, trig, progress)
    skip = 1 if spacing >= 2.0 * radius * (1.0 - 1e-9) else math.ceil(2.0 * radius / spacing - 1e-9)
    turns = Turns(radius, lead, max(lead, 3.0 * radius), 2.0 * radius)
    base_order = line_order(len(passes), skip)
    home_xy: tuple[float, float] | None = None
    if plan_home is not None:
        hx, hy = proj.to_local(plan_home.lat_deg, plan_home.lon_deg)
        home_xy = (float(hx), float(hy))
    flown, tight_turns = best_traversal(passes, base_order, turns, home_xy, to_xy)
    pass_u, pass_kind = pass_points(flown, turns.approach_m)

    # --- altitudes: profile per pass (u, kind, altitude in the frame) ---
    if follow:
        assert spec.terrain is not None
        prof_u, prof_kind, prof_alt = follow_terrain(
            flown, pass_u, pass_kind, to_xy, proj, spec.terrain, h_agl, step, tol, max_seg
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
    if plan_home is not None and spec.takeoff:
        to_alt = (
            min(h_agl, DEFAULT_TAKEOFF_ALT_M)
            if spec.takeoff_alt_m is None
            else check_positive(spec.takeoff_alt_m, "takeoff_alt_m")
        )
        items.append(
            MissionItem.takeoff(
                _r7(plan_home.lat_deg),
                _r7(plan_home.lon_deg),
                _r2(to_alt),
                MavFrame.GLOBAL_RELATIVE_ALT,
            )
        )
    if cruise is not None:
        items.append(MissionItem.change_speed(cruise))
    if plan_home is not None and spec.takeoff and spec.climb_over_home:
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
    for t, (p, pu, pk, pa) in enumerate(zip(flown, prof_u, prof_kind, prof_alt, strict=True)):
        if progress is not None:
            progress("items", t, len(flown))
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
            if pk[j] == CAM_ON:
                items.append(MissionItem.cam_trigger_distance(trig))
                on_at = j
            elif pk[j] == CAM_OFF:
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
        if spec.finish == "rtl":
            flight += geod.Inverse(
                last.lead_out_lat_deg, last.lead_out_lon_deg, plan_home.lat_deg, plan_home.lon_deg
            )["s12"]
        elif spec.finish == "land":
            if spec.land_heading_deg is not None:
                lh = check_angle(spec.land_heading_deg, "land_heading_deg")
            elif spec.wind_from_deg is not None:
                lh = float(spec.wind_from_deg)
            else:
                lh = math.degrees(theta)
            app = geod.Direct(
                plan_home.lat_deg,
                plan_home.lon_deg,
                lh + 180.0,
                check_positive(spec.land_approach_m, "land_approach_m"),
            )
            app_lat, app_lon = _r7(app["lat2"]), _r7(app["lon2"])
            app_alt = _r2(check_positive(spec.land_approach_alt_m, "land_approach_alt_m"))
            rel = MavFrame.GLOBAL_RELATIVE_ALT
            land_items = [
                MissionItem.land_start(app_lat, app_lon, app_alt, rel),
                MissionItem.waypoint(app_lat, app_lon, app_alt, rel, acceptance_radius_m=30.0),
                MissionItem.land(
                    _r7(plan_home.lat_deg),
                    _r7(plan_home.lon_deg),
                    0.0,
                    rel,
                    abort_alt_m=check_positive(spec.land_abort_alt_m, "land_abort_alt_m", True),
                ),
            ]
            flight += geod.Inverse(last.lead_out_lat_deg, last.lead_out_lon_deg, app_lat, app_lon)[
                "s12"
            ]
            flight += float(spec.land_approach_m)
    if spec.finish == "rtl":
        items.append(MissionItem.return_to_launch())
    items += land_items

    plan_items = tuple(items)
    if progress is not None:
        progress("items", len(flown), len(flown))
    problem = photo_limit_problem(photo_total, camera.gsd_m(h_agl), area.area_m2(), spec.max_photos,
                                  estimated=False)  # fmt: skip
    if problem is not None:
        raise SurveyError(problem)
    if len(plan_items) >= MAX_MISSION_ITEMS:
        raise SurveyError(items_problem(len(plan_items)))
    mission = (
        Mission(home=plan_home, items=plan_items, cruise_speed_mps=cruise)
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
        predicted_time_s=None if cruise is None else flight / cruise,
        cruise_airspeed_mps=cruise,
        altitude_frame=int(frame),
        projection=proj,
    )
