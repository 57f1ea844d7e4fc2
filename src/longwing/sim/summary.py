"""The summary of a flight (summary.json): figures a user reads, from the loop's counters.

Split from :mod:`longwing.sim.runner` so the runner only runs the flight.
"""

from __future__ import annotations

import math

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.mission.manager import MissionManager, Position
from longwing.physics.state import FUEL, PX
from longwing.sim.outcome import Outcome, Touchdown


def here_of(x: np.ndarray) -> Position:
    """The truth position of state ``x`` (degrees, m above the ellipsoid)."""
    lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    return Position(math.degrees(lat), math.degrees(lon), h)


def touchdown_of(td) -> Touchdown:
    """The first ground contact the loop recorded (its ``TOUCHDOWN`` record)."""
    return Touchdown(
        t_s=float(td["t_s"]), lat_deg=math.degrees(td["lat_rad"]),
        lon_deg=math.degrees(td["lon_rad"]), sink_mps=float(td["sink_mps"]),
        bank_rad=float(td["bank_rad"]), pitch_rad=float(td["pitch_rad"]),
        groundspeed_mps=float(td["groundspeed_mps"]),
    )  # fmt: skip


def along_across(
    approach: tuple[Position, Position], lat: float, lon: float
) -> tuple[float, float]:
    """Touchdown relative to the landing point: along the approach (+ beyond it), across
    (+ right of it), metres."""
    a, b = approach
    g = Geodesic.WGS84
    app = g.Inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
    to_td = g.Inverse(b.lat_deg, b.lon_deg, lat, lon)
    ang = math.radians(to_td["azi1"] - app["azi2"])
    return to_td["s12"] * math.cos(ang), to_td["s12"] * math.sin(ang)


def flight_summary(
    mgr: MissionManager, x: np.ndarray, t_s: float, fuel0: float, dist_m: float,
    n_triggers: int, outcome: Outcome, fuel_out_t: float | None, route_m: float,
    touchdown: dict | None, stats: dict,
) -> dict:  # fmt: skip
    """The figures of a flight so far (JSON-ready; see docs/end_states.md for the verdict;
    ``stats`` from :class:`longwing.sim.stats.FlightStats`)."""
    here = here_of(x)
    out = {
        "end_state": str(outcome.end_state),
        "end_reason": outcome.reason,
        "completed": bool(outcome.completed),
        "why_not_completed": list(outcome.why_not_completed),
        "nav_items_reached": len(mgr.nav_reached()),
        "nav_items_total": len(mgr.nav_seqs()),
        "items_reached": sorted(set(mgr.items_reached)),
        "flight_time_s": t_s,
        "distance_km": dist_m / 1000.0,
        "planned_route_km": route_m / 1000.0,
        "fuel_used_kg": fuel0 - float(x[FUEL]),
        "fuel_remaining_kg": float(x[FUEL]),
        "fuel_exhausted_t_s": fuel_out_t,
        **stats,
        "camera_triggers": int(n_triggers),
        "final": {"lat_deg": here.lat_deg, "lon_deg": here.lon_deg, "alt_m": here.alt_m},
        "mode": mgr.mode.name,
        "events": [e.as_dict() for e in mgr.events],
    }
    if touchdown is not None:
        out["touchdown"] = touchdown
    return out
