"""Radio links along a route: every ground station against every aircraft position.

A link between a :class:`~longwing.geo.radio_config.GroundStation` and the aircraft
(:class:`~longwing.geo.radio_config.AircraftRadio`) is *ok* when the path has line of sight
(LOS, :mod:`longwing.geo.radio_los`) and the worse of its two directions keeps at least the
required fade margin (:attr:`~longwing.geo.radio_config.RadioConfig.fade_margin_db`) in the
free-space link budget (:mod:`longwing.geo.radio_budget`). :func:`evaluate_route` evaluates
many positions at once (:class:`RouteLinks`), :func:`evaluate_link` one
(:class:`LinkResult`), and :func:`out_of_contact_segments` turns the per-point verdicts into
stretches of a route without a link.

Ground distance D between station and aircraft comes from the chord between the two points
on the ellipsoid, ``D = 2 R asin(chord / 2 R)`` (see :mod:`longwing.geo.radio_los` for its
accuracy). Rays are evaluated only within the smooth-Earth radio horizon over the lowest
terrain of the DEM (beyond it there is certainly no LOS), in vectorised chunks. 3,000 route
points against three stations with a DEM, all within range, take about 0.1 s. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from longwing.geo.radio_budget import (
    EARTH_RADIUS_M,
    MIN_RANGE_M,
    downlink_margin_db,
    free_space_path_loss_db,
    uplink_margin_db,
)
from longwing.geo.radio_config import RadioConfig, RadioError
from longwing.geo.radio_los import (
    TerrainHeights,
    ecef_points_m,
    ray_clearance_m,
    station_ground_m,
    terrain_heights,
)
from longwing.geo.terrain_grid import Terrain

__all__ = [
    "LinkResult",
    "RouteLinks",
    "StationLink",
    "evaluate_link",
    "evaluate_route",
    "out_of_contact_segments",
]

#: Rays evaluated at once (bounds the temporary arrays to a few MB).
_CHUNK_RAYS = 4096


@dataclass(frozen=True)
class StationLink:
    """The link to one station from one aircraft position.

    ``los_clearance_m``: smallest clearance of the ray over terrain + bulge (+ Fresnel
    allowance) along the path (LOS when >= 0); NaN where the path is beyond the smooth-Earth
    horizon over the lowest terrain (no LOS, not evaluated). ``terrain_missing``: some
    terrain sample had no data and counted as sea level.
    """

    station: str
    ok: bool
    los: bool
    margin_db: float
    uplink_margin_db: float
    downlink_margin_db: float
    path_loss_db: float
    slant_range_m: float
    ground_distance_m: float
    los_clearance_m: float
    terrain_missing: bool


@dataclass(frozen=True)
class LinkResult:
    """Link of one aircraft position: the best station and every station's link.

    The best station is the one with the largest margin among the ok links, else among the
    LOS links, else among all. ``distance_m`` is its slant range.
    """

    ok: bool
    station: str
    distance_m: float
    ground_distance_m: float
    los: bool
    margin_db: float
    path_loss_db: float
    stations: tuple[StationLink, ...]


@dataclass(frozen=True, eq=False)
class RouteLinks:
    """Links along many aircraft positions (N points, S stations).

    Per point (N,): ``ok`` (some station's link is ok), ``station_index`` (best station, as
    in :class:`LinkResult`), its ``margin_db``, ``los`` and ``slant_range_m``.
    Per point and station (N, S): the ``station_*`` arrays (see :class:`StationLink`).
    """

    station_names: tuple[str, ...]
    ok: np.ndarray
    station_index: np.ndarray
    margin_db: np.ndarray
    los: np.ndarray
    slant_range_m: np.ndarray
    station_ok: np.ndarray
    station_los: np.ndarray
    station_margin_db: np.ndarray
    station_uplink_margin_db: np.ndarray
    station_downlink_margin_db: np.ndarray
    station_path_loss_db: np.ndarray
    station_slant_range_m: np.ndarray
    station_ground_distance_m: np.ndarray
    station_los_clearance_m: np.ndarray
    station_terrain_missing: np.ndarray

    @property
    def station(self) -> np.ndarray:
        """Name of the best station at each point (object array)."""
        return np.asarray(self.station_names, dtype=object)[self.station_index]


def evaluate_route(
    config: RadioConfig,
    lat_deg: np.ndarray | list[float],
    lon_deg: np.ndarray | list[float],
    alt_m: np.ndarray | list[float] | float,
    terrain: Terrain | TerrainHeights | None = None,
    *,
    los_samples: int = 64,
) -> RouteLinks:
    """Links from every station to aircraft positions (lat/lon in degrees, alt AMSL in m).

    ``terrain`` is a :class:`~longwing.geo.terrain_grid.Terrain` or a vectorised callable
    ``(lat_deg array, lon_deg array) -> height AMSL``; None means the smooth sea-level Earth.
    ``los_samples``: the path is divided into this many steps for the terrain check.
    """
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    alt = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), lat.shape).astype(np.float64)
    if lat.shape != lon.shape:
        raise RadioError("evaluate_route: lat_deg and lon_deg must have the same length")
    if int(los_samples) < 2:
        raise RadioError(f"evaluate_route: los_samples must be at least 2, not {los_samples}")
    heights = terrain_heights(terrain)
    k_r = config.k_factor * EARTH_RADIUS_M
    low_m = 0.0
    prefilter = True
    if heights is not None:
        lowest = getattr(terrain, "min_height_m", None)
        if lowest is None:
            prefilter = False  # unknown terrain model: evaluate every ray
        elif math.isfinite(lowest):
            low_m = min(0.0, float(lowest))

    n, s_count = lat.size, len(config.stations)
    shape = (n, s_count)
    out = {
        name: np.full(shape, np.nan)
        for name in (
            "margin",
            "up",
            "down",
            "fspl",
            "slant",
            "ground",
            "clearance",
        )
    }
    los = np.zeros(shape, dtype=bool)
    missing = np.zeros(shape, dtype=bool)
    air = ecef_points_m(lat, lon, alt)
    air_surface = ecef_points_m(lat, lon, 0.0)
    ac = config.aircraft
    valid = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt)

    for si, st in enumerate(config.stations):
        ground_m = station_ground_m(st, heights)
        h_s = ground_m + st.antenna_agl_m
        sta_surface = ecef_points_m(np.array(st.lat_deg), np.array(st.lon_deg), 0.0)
        sta = ecef_points_m(np.array(st.lat_deg), np.array(st.lon_deg), h_s)
        slant = np.maximum(np.linalg.norm(air - sta, axis=-1), MIN_RANGE_M)
        chord = np.linalg.norm(air_surface - sta_surface, axis=-1)
        dist = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / (2.0 * EARTH_RADIUS_M), 1.0))
        fspl = free_space_path_loss_db(slant, st.frequency_hz)
        up = uplink_margin_db(st, ac, fspl)
        down = downlink_margin_db(st, ac, fspl)
        out["slant"][:, si] = slant
        out["ground"][:, si] = dist
        out["fspl"][:, si] = fspl
        out["up"][:, si] = up
        out["down"][:, si] = down
        out["margin"][:, si] = np.minimum(up, down)

        a = 2.0 * k_r
        with np.errstate(invalid="ignore"):
            horizon = np.sqrt(a * max(h_s - low_m, 0.0)) + np.sqrt(a * np.maximum(alt - low_m, 0.0))
            candidates = valid & (dist <= horizon) if prefilter else valid
        idx = np.flatnonzero(candidates)
        fresnel_m2 = config.fresnel_fraction**2 * st.wavelength_m
        for start in range(0, idx.size, _CHUNK_RAYS):
            chunk = idx[start : start + _CHUNK_RAYS]
            clearance, miss = ray_clearance_m(
                sta_surface,
                h_s,
                air_surface[chunk],
                alt[chunk],
                dist[chunk],
                heights,
                k_r,
                fresnel_m2,
                int(los_samples),
            )
            out["clearance"][chunk, si] = clearance
            missing[chunk, si] = miss
        with np.errstate(invalid="ignore"):
            los[:, si] = out["clearance"][:, si] >= 0.0

    margin = out["margin"]
    with np.errstate(invalid="ignore"):
        station_ok = los & (margin >= config.fade_margin_db)
    score = np.where(np.isnan(margin), -np.inf, margin) + 1e4 * los + 1e4 * station_ok
    best = np.argmax(score, axis=1)
    rows = np.arange(n)
    return RouteLinks(
        station_names=config.station_names,
        ok=station_ok.any(axis=1),
        station_index=best,
        margin_db=margin[rows, best],
        los=los[rows, best],
        slant_range_m=out["slant"][rows, best],
        station_ok=station_ok,
        station_los=los,
        station_margin_db=margin,
        station_uplink_margin_db=out["up"],
        station_downlink_margin_db=out["down"],
        station_path_loss_db=out["fspl"],
        station_slant_range_m=out["slant"],
        station_ground_distance_m=out["ground"],
        station_los_clearance_m=out["clearance"],
        station_terrain_missing=missing,
    )


def evaluate_link(
    config: RadioConfig,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    terrain: Terrain | TerrainHeights | None = None,
    *,
    los_samples: int = 64,
) -> LinkResult:
    """The link from the stations to one aircraft position (see :func:`evaluate_route`)."""
    r = evaluate_route(config, [lat_deg], [lon_deg], [alt_m], terrain, los_samples=los_samples)
    links = tuple(
        StationLink(
            station=name,
            ok=bool(r.station_ok[0, i]),
            los=bool(r.station_los[0, i]),
            margin_db=float(r.station_margin_db[0, i]),
            uplink_margin_db=float(r.station_uplink_margin_db[0, i]),
            downlink_margin_db=float(r.station_downlink_margin_db[0, i]),
            path_loss_db=float(r.station_path_loss_db[0, i]),
            slant_range_m=float(r.station_slant_range_m[0, i]),
            ground_distance_m=float(r.station_ground_distance_m[0, i]),
            los_clearance_m=float(r.station_los_clearance_m[0, i]),
            terrain_missing=bool(r.station_terrain_missing[0, i]),
        )
        for i, name in enumerate(r.station_names)
    )
    best = links[int(r.station_index[0])]
    return LinkResult(
        ok=bool(r.ok[0]),
        station=best.station,
        distance_m=best.slant_range_m,
        ground_distance_m=best.ground_distance_m,
        los=best.los,
        margin_db=best.margin_db,
        path_loss_db=best.path_loss_db,
        stations=links,
    )


def out_of_contact_segments(
    distance_along_m: np.ndarray | list[float], ok: np.ndarray | list[bool]
) -> list[tuple[float, float]]:
    """Stretches of a route without a link, as (start_m, end_m) along the route.

    Conservative: a stretch runs from the last point with a link before it to the first
    point with a link after it (contact is only known at the points); from the first point
    if the route starts without a link, to the last point if it ends without one.
    """
    d = np.asarray(distance_along_m, dtype=np.float64).ravel()
    good = np.asarray(ok, dtype=bool).ravel()
    if d.shape != good.shape:
        raise RadioError("out_of_contact_segments: distances and ok flags differ in length")
    if d.size == 0:
        return []
    bad = (~good).astype(np.int8)
    edges = np.diff(np.concatenate(([0], bad, [0])))
    starts = np.flatnonzero(edges == 1)  # first bad index of each run
    ends = np.flatnonzero(edges == -1) - 1  # last bad index of each run
    segments = []
    last = d.size - 1
    for i0, i1 in zip(starts, ends, strict=True):
        a = d[max(i0 - 1, 0)]
        b = d[min(i1 + 1, last)]
        segments.append((float(a), float(b)))
    return segments
