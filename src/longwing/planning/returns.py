"""The fuel and time from points of a flight to places, and the point of no return.

:func:`site_costs`: from every sample point the fuel and time to each destination
(:func:`return_destinations`: home, the rally points, any home set by ``DO_SET_HOME``;
or planning/reach.py's landing sites) straight along the geodesic at the sample's
altitude, every 25 km the speed that flies farthest per kg in the local wind (mass held at
the sample's: slightly conservative; the final descent and landing are left out).
:func:`path_cost`: the same along a path at given airspeeds (reach.py's route costs).
:func:`point_of_no_return`: where a margin (fuel left - fuel home - reserve) first falls
below zero. The reserve rule is planning/reach.py's ``FuelReserve``.

Vectorised over the samples (numpy); SI inside, degrees for latitude and longitude. Pure:
no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.geo.atmosphere import RHO0_KGPM3
from longwing.mission.model import Mission
from longwing.planning.performance import PerformanceTable
from longwing.planning.route import Route
from longwing.planning.windgrid import WindSource

__all__ = [
    "PointOfNoReturn",
    "lambert_distance_m",
    "path_cost",
    "point_of_no_return",
    "return_destinations",
    "site_costs",
]

GEOD = Geodesic.WGS84
RETURN_STEP_M = 25_000.0
RETURN_SPEEDS = 24
RETURN_CHUNK = 200_000  # elements of the (samples x pieces x speeds) arrays per chunk


@dataclass(frozen=True)
class PointOfNoReturn:
    """The last point from which the aircraft can still get back (home or a rally point)
    with the reserve: position, distance flown from launch, time, leg, fuel left there."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    along_m: float
    t_s: float
    leg_index: int
    fuel_remaining_kg: float


# --- return costs --------------------------------------------------------------------------


def _unit(lat_deg, lon_deg):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def lambert_distance_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Distance on the WGS84 ellipsoid by Lambert's formula (vectorised; about 10 m off
    the geodesic over thousands of kilometres, far inside a fuel estimate's needs)."""
    f = 1.0 / 298.257223563
    b1 = np.arctan((1.0 - f) * np.tan(np.radians(lat1)))
    b2 = np.arctan((1.0 - f) * np.tan(np.radians(lat2)))
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    hav = np.sin(0.5 * (b2 - b1)) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(0.5 * dl) ** 2
    sig = 2.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    p, q = 0.5 * (b1 + b2), 0.5 * (b2 - b1)
    c2, s2 = np.cos(0.5 * sig) ** 2, np.sin(0.5 * sig) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sig - np.sin(sig)) * np.sin(p) ** 2 * np.cos(q) ** 2 / c2
        y = (sig + np.sin(sig)) * np.cos(p) ** 2 * np.sin(q) ** 2 / s2
    corr = np.where(sig > 1e-12, x + y, 0.0)
    return 6378137.0 * (sig - 0.5 * f * corr)


def _return_leg(
    wind: WindSource,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    vc: np.ndarray,
    ffc: np.ndarray,
    dest: tuple,
    dist: np.ndarray,
    k_sub: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuel and time from each sample straight to ``dest`` (one point, or one per sample:
    a pair of arrays) in ``k_sub`` pieces, each at the candidate airspeed (``vc``, fuel
    flows ``ffc``) that costs the least fuel per metre."""
    f = (np.arange(k_sub) + 0.5) / k_sub
    dla = np.broadcast_to(np.asarray(dest[0], float), lat.shape)
    dlo = np.broadcast_to(np.asarray(dest[1], float), lat.shape)
    p0 = _unit(lat, lon)  # (n, 3)
    p1 = _unit(dla, dlo)  # (n, 3)
    omega = np.arccos(np.clip(np.sum(p0 * p1, axis=-1), -1.0, 1.0))  # (n,)
    so = np.where(omega > 1e-9, np.sin(omega), 1.0)[:, None]
    small = (omega <= 1e-9)[:, None]
    w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * omega[:, None]) / so)
    w1 = np.where(small, f, np.sin(f * omega[:, None]) / so)
    pts = w0[..., None] * p0[:, None, :] + w1[..., None] * p1[:, None, :]
    pts /= np.linalg.norm(pts, axis=-1, keepdims=True)
    plat = np.arcsin(np.clip(pts[..., 2], -1.0, 1.0))
    plon = np.arctan2(pts[..., 1], pts[..., 0])
    dlat_r, dlon_r = np.radians(dla)[:, None], np.radians(dlo)[:, None]
    y = np.sin(dlon_r - plon) * np.cos(dlat_r)
    x = np.cos(plat) * np.sin(dlat_r) - np.sin(plat) * np.cos(dlat_r) * np.cos(dlon_r - plon)
    chi = np.arctan2(y, x)  # great-circle course toward the destination, (n, k)
    wn, we = wind.at(np.degrees(plat), np.degrees(plon), alt[:, None])
    wn = np.broadcast_to(np.asarray(wn, float), chi.shape)
    we = np.broadcast_to(np.asarray(we, float), chi.shape)
    wa = (wn * np.cos(chi) + we * np.sin(chi))[..., None]
    wx = (-wn * np.sin(chi) + we * np.cos(chi))[..., None]
    v = vc[:, None, :]
    gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa  # (n, k, nv)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(gs > 0.5, ffc[:, None, :] / gs, np.inf)  # kg per m
    j = np.argmin(cost, axis=-1)[..., None]
    c_best = np.take_along_axis(cost, j, -1)[..., 0]
    g_best = np.take_along_axis(gs, j, -1)[..., 0]
    seg = (dist / k_sub)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        fuel_d = np.sum(seg * c_best, axis=1)
        time_d = np.sum(np.where(g_best > 0.5, seg / g_best, np.inf), axis=1)
    home = dist < 1.0
    return np.where(home, 0.0, fuel_d), np.where(home, 0.0, time_d)


def path_cost(
    wind: WindSource,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    tas_mps: np.ndarray,
    fuel_flow_kgps: np.ndarray,
    dest: tuple,
    dist: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuel and time from each point straight to ``dest`` (one point, or a pair of arrays:
    one per point; ``dist`` away) at one airspeed
    each (with its fuel flow), or (2-D ``tas_mps``, ``fuel_flow_kgps``: candidates per
    point) at the candidate costing least per metre in each piece of at most
    :data:`RETURN_STEP_M`."""
    if lat.size == 0:
        return np.zeros(0), np.zeros(0)
    k_sub = min(max(1, math.ceil(float(np.max(dist)) / RETURN_STEP_M)), 400)
    v = tas_mps if np.ndim(tas_mps) == 2 else np.asarray(tas_mps)[:, None]
    ff = fuel_flow_kgps if np.ndim(fuel_flow_kgps) == 2 else np.asarray(fuel_flow_kgps)[:, None]
    return _return_leg(wind, lat, lon, alt, v, ff, dest, dist, k_sub)


def site_costs(
    table: PerformanceTable,
    wind: WindSource,
    dry_mass_kg: float,
    eas_min_mps: float,
    eas_max_mps: float,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    fuel: np.ndarray,
    dests: list[tuple[float, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Fuel (kg) and time (s) from each sample (``lat``, ``lon``, ``alt``, ``fuel``
    remaining) to each destination, ``(n, len(dests))``, at airspeeds within
    ``[eas_min_mps, eas_max_mps]`` (EAS) and above the stall, with ``fuel`` added to
    ``dry_mass_kg``.

    Distances are ellipsoidal (:func:`lambert_distance_m`); the path's intermediate points
    and courses, used for the wind only, are those of the great circle on the sphere. The
    samples go in chunks so that the arrays stay small."""
    lat, lon, alt, fuel = (np.atleast_1d(np.asarray(x, float)) for x in (lat, lon, alt, fuel))
    n = lat.size
    mass = dry_mass_kg + np.maximum(fuel, 0.0)
    e2t = np.sqrt(RHO0_KGPM3 / table.rho_kgpm3(alt))
    lo = np.maximum(eas_min_mps * e2t, 1.001 * np.asarray(table.min_speed_mps(mass, alt)))
    hi = np.maximum(eas_max_mps * e2t, lo)
    vc = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, RETURN_SPEEDS)  # (n, nv)
    ffc = np.asarray(table.point(mass[:, None], alt[:, None], vc, 0.0).fuel_flow_kgps)
    fuel_out = np.empty((n, len(dests)))
    time_out = np.empty((n, len(dests)))
    for d_i, dest in enumerate(dests):
        dist = lambert_distance_m(lat, lon, dest[0], dest[1])
        # nearest first, in chunks of similar distance: pieces of at most RETURN_STEP_M
        order = np.argsort(dist)
        a = 0
        while a < n:
            k_sub = 1
            b = a
            while b < n:
                k_next = max(k_sub, math.ceil(float(dist[order[b]]) / RETURN_STEP_M))
                if b > a and (b - a + 1) * min(k_next, 400) * RETURN_SPEEDS > RETURN_CHUNK:
                    break
                k_sub = k_next
                b += 1
            k_sub = min(k_sub, 400)
            idx = order[a:b]
            fuel_out[idx, d_i], time_out[idx, d_i] = _return_leg(
                wind, lat[idx], lon[idx], alt[idx], vc[idx], ffc[idx], dest, dist[idx], k_sub
            )
            a = b
    return fuel_out, time_out


def return_destinations(
    mission: Mission, route: Route
) -> tuple[list[tuple[float, float]], list[int]]:
    """The places to return to, ``(lat_deg, lon_deg)``, and their codes: home (0), the
    rally points (1, 2, ...) and every other home the route sets with ``DO_SET_HOME`` (-1)."""
    home = mission.home
    dests = [(home.lat_deg, home.lon_deg)] + [(r.lat_deg, r.lon_deg) for r in mission.rally]
    codes = [0] + list(range(1, len(mission.rally) + 1))
    for leg in route.legs:
        if (leg.home.lat_deg, leg.home.lon_deg) not in dests:
            dests.append((leg.home.lat_deg, leg.home.lon_deg))
            codes.append(-1)
    return dests, codes


def point_of_no_return(
    margin: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    along: np.ndarray,
    t_s: np.ndarray,
    fuel: np.ndarray,
    leg_idx: np.ndarray,
) -> PointOfNoReturn | None:
    """Where the return margin (fuel left - fuel home - reserve) first falls below zero,
    interpolated between the samples; None if it never does (or already at launch)."""
    bad = np.nonzero(margin < 0.0)[0]
    if not bad.size or bad[0] == 0:
        return None
    k = int(bad[0])
    w = float(margin[k - 1] / (margin[k - 1] - margin[k]))
    inv = GEOD.Inverse(lat[k - 1], lon[k - 1], lat[k], lon[k])
    if inv["s12"] > 0.0:
        p = GEOD.Direct(lat[k - 1], lon[k - 1], inv["azi1"], w * inv["s12"])
        p_lat, p_lon = p["lat2"], p["lon2"]
    else:
        p_lat, p_lon = lat[k], lon[k]

    def lerp(x: np.ndarray) -> float:
        return float(x[k - 1] + w * (x[k] - x[k - 1]))

    return PointOfNoReturn(
        lat_deg=float(p_lat),
        lon_deg=float(p_lon),
        alt_m=lerp(alt),
        along_m=lerp(along),
        t_s=lerp(t_s),
        leg_index=int(leg_idx[k]),
        fuel_remaining_kg=lerp(fuel),
    )
