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
from longwing.sim import closedloop as cl
from longwing.sim.outcome import Outcome, Touchdown


def here_of(x: np.ndarray) -> Position:
    """The truth position of state ``x`` (degrees, m above the ellipsoid)."""
    lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    return Position(math.degrees(lat), math.degrees(lon), h)


def touchdown_of(ms: np.ndarray) -> Touchdown:
    """The first ground contact the loop recorded (``ms[MS_TD_*]``)."""
    return Touchdown(
        t_s=float(ms[cl.MS_TD_T]), lat_deg=math.degrees(ms[cl.MS_TD_LAT]),
        lon_deg=math.degrees(ms[cl.MS_TD_LON]), sink_mps=float(ms[cl.MS_TD_SINK]),
        bank_rad=float(ms[cl.MS_TD_ROLL]), pitch_rad=float(ms[cl.MS_TD_PITCH]),
        groundspeed_mps=float(ms[cl.MS_TD_GS]),
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


def _rms(sum2: float, n: float) -> float | None:
    return math.sqrt(sum2 / n) if n > 0 else None


def flight_summary(
    mgr: MissionManager, x: np.ndarray, ms: np.ndarray, t_s: float, fuel0: float,
    n_triggers: int, outcome: Outcome, fuel_out_t: float | None, route_m: float,
    touchdown: dict | None,
) -> dict:  # fmt: skip
    """The figures of a flight so far (JSON-ready; see docs/end_states.md for the verdict)."""
    here = here_of(x)
    nav_total = len(mgr.nav_seqs())
    out = {
        "end_state": str(outcome.end_state),
        "end_reason": outcome.reason,
        "completed": bool(outcome.completed),
        "why_not_completed": list(outcome.why_not_completed),
        "nav_items_reached": len(mgr.nav_reached()),
        "nav_items_total": nav_total,
        "items_reached": sorted(set(mgr.items_reached)),
        "flight_time_s": t_s,
        "distance_km": ms[cl.MS_DIST] / 1000.0,
        "planned_route_km": route_m / 1000.0,
        "fuel_used_kg": fuel0 - float(x[FUEL]),
        "fuel_remaining_kg": float(x[FUEL]),
        "fuel_exhausted_t_s": fuel_out_t,
        "rms_xtrack_m": _rms(ms[cl.MS_XT_SUM2], ms[cl.MS_XT_N]),
        "max_xtrack_m": ms[cl.MS_XT_MAX] if ms[cl.MS_XT_N] > 0 else None,
        "rms_alt_err_m": _rms(ms[cl.MS_ALT_SUM2], ms[cl.MS_ALT_N]),
        "rms_airspeed_err_mps": _rms(ms[cl.MS_SPD_SUM2], ms[cl.MS_SPD_N]),
        "nav_rms_pos_err_m": _rms(ms[cl.MS_NAV_SUM2], ms[cl.MS_NAV_N]),
        "nav_max_pos_err_m": ms[cl.MS_NAV_MAX] if ms[cl.MS_NAV_N] > 0 else None,
        "nav_rms_wind_err_mps": _rms(ms[cl.MS_WIND_SUM2], ms[cl.MS_WIND_N]),
        "camera_triggers": int(n_triggers),
        "final": {"lat_deg": here.lat_deg, "lon_deg": here.lon_deg, "alt_m": here.alt_m},
        "mode": mgr.mode.name,
        "events": [e.as_dict() for e in mgr.events],
    }
    if touchdown is not None:
        out["touchdown"] = touchdown
    return out
