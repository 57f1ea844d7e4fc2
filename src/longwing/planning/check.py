"""Feasibility check of a mission before take-off: wind and fuel, terrain, radio link.

:func:`check_mission` runs the wind/fuel prediction (:mod:`longwing.planning.predict`, the
same performance model the simulator flies), then, when given, the terrain clearance along
every leg (sampled every ``terrain_spacing_m`` on the geodesic against a DEM) and the radio
link along the route (every ``radio_spacing_m``, line of sight over the 4/3 Earth with the
terrain, link budget both ways), and returns one :class:`CheckResult`: the verdict, the
reasons, totals, the point of no return and the per-leg table. Pure: no file or console I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from longwing.airframe.params import Airframe
from longwing.geo.radio import RadioConfig, evaluate_route, out_of_contact_segments
from longwing.geo.terrain import Terrain, clearance_along_route
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.model import Mission
from longwing.planning.performance import PerformanceTable
from longwing.planning.predict import Prediction, predict_mission

MIN_CLEARANCE_M = 50.0


@dataclass(frozen=True)
class CheckResult:
    feasible: bool
    reasons: tuple[str, ...]
    prediction: Prediction
    link_outages: tuple[dict, ...] = ()
    terrain_violations: tuple[dict, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> dict:
        """JSON-ready: feasible, reasons, totals, pnr, legs, link outages, notes."""
        p = self.prediction.summary()
        legs = []
        for leg in p["legs"]:
            legs.append({
                "from_seq": leg["from_seq"], "to_seq": leg["to_seq"], "kind": leg["kind"],
                "distance_m": leg["distance_m"], "course_deg": leg["course_deg"],
                "heading_deg": leg["heading_deg"], "airspeed_mps": leg["airspeed_mps"],
                "ground_speed_mps": leg["ground_speed_mps"], "time_s": leg["time_s"],
                "fuel_kg": leg["fuel_kg"], "fuel_remaining_kg": leg["fuel_remaining_kg"],
                "min_clearance_m": leg["min_clearance_m"], "link_ok": leg["link_ok"],
            })  # fmt: skip
        return {
            "feasible": self.feasible,
            "reasons": list(self.reasons),
            "total_time_s": p["time_s"],
            "total_distance_m": p["distance_m"],
            "total_fuel_kg": p["fuel_used_kg"],
            "fuel_at_launch_kg": p["fuel_kg"],
            "fuel_remaining_kg": p["fuel_remaining_kg"],
            "reserve_kg": p["reserve_kg"],
            "pnr": p["pnr"],
            "legs": legs,
            "link_outages": list(self.link_outages),
            "terrain_violations": list(self.terrain_violations),
            "notes": list(self.notes) + p["notes"],
        }


def _leg_label(leg) -> str:
    return f"leg {leg.index + 1} ({leg.kind}, item {leg.from_seq} -> {leg.to_seq})"


def check_mission(
    mission: Mission,
    airframe: Airframe,
    *,
    table: PerformanceTable | None = None,
    wind=None,
    fuel_kg: float | None = None,
    terrain: Terrain | None = None,
    radio: RadioConfig | None = None,
    min_clearance_m: float = MIN_CLEARANCE_M,
    failsafe: FailsafeSettings | None = None,
    terrain_spacing_m: float = 100.0,
    radio_spacing_m: float = 1000.0,
) -> CheckResult:
    """Predict and check ``mission`` (see the module doc)."""
    table = table or PerformanceTable.build(airframe)
    fs = failsafe or FailsafeSettings()
    pred = predict_mission(mission, airframe, table, wind, fuel_kg, terrain=terrain)
    reasons = list(pred.verdict)
    notes: list[str] = []
    violations: list[dict] = []
    clearances: list[float | None] = [None] * len(pred.legs)
    links: list[bool | None] = [None] * len(pred.legs)
    outages: list[dict] = []
    if terrain is not None:
        for i, leg in enumerate(pred.legs):
            if leg.lat_deg.size < 2 or leg.kind == "land":
                continue  # the landing goes to the ground by design
            c = clearance_along_route(terrain, leg.lat_deg, leg.lon_deg, leg.alt_m,
                                      spacing_m=terrain_spacing_m)  # fmt: skip
            if c.n_no_data:
                notes.append(f"{_leg_label(leg)}: {c.n_no_data} points outside the DEM")
            if math.isfinite(c.min_clearance_m):
                clearances[i] = float(c.min_clearance_m)
                if c.min_clearance_m < min_clearance_m:
                    violations.append({
                        "leg": leg.index + 1, "from_seq": leg.from_seq, "to_seq": leg.to_seq,
                        "clearance_m": float(c.min_clearance_m), "lat_deg": c.min_lat_deg,
                        "lon_deg": c.min_lon_deg,
                    })  # fmt: skip
                    reasons.append(
                        f"terrain: {_leg_label(leg)} passes {c.min_clearance_m:.0f} m above "
                        f"the ground at {c.min_lat_deg:.5f}, {c.min_lon_deg:.5f} (minimum "
                        f"{min_clearance_m:.0f} m)"
                    )
    if radio is not None:
        lat = np.concatenate([leg.lat_deg for leg in pred.legs])
        lon = np.concatenate([leg.lon_deg for leg in pred.legs])
        alt = np.concatenate([leg.alt_m for leg in pred.legs])
        along = np.concatenate([leg.along_m for leg in pred.legs])
        t_s = np.concatenate([leg.t_s for leg in pred.legs])
        idx = np.concatenate([np.full(leg.lat_deg.size, k) for k, leg in enumerate(pred.legs)])
        # resample to radio_spacing_m along the flown distance
        n = max(2, int(math.ceil((along[-1] - along[0]) / radio_spacing_m)) + 1)
        d = np.linspace(along[0], along[-1], n)
        order = np.argsort(along, kind="stable")
        along_s = along[order]
        lat_r = np.interp(d, along_s, lat[order])
        lon_r = np.interp(d, along_s, np.degrees(np.unwrap(np.radians(lon[order]))))
        lon_r = (lon_r + 180.0) % 360.0 - 180.0
        alt_r = np.interp(d, along_s, alt[order])
        t_r = np.interp(d, along_s, t_s[order])
        leg_r = idx[order][np.clip(np.searchsorted(along_s, d, side="right") - 1, 0, n - 1)]
        res = evaluate_route(radio, lat_r, lon_r, alt_r, terrain)
        for k in range(len(pred.legs)):
            on = leg_r == k
            if on.any():
                links[k] = bool(np.all(res.ok[on]))
        for start, end in out_of_contact_segments(d, res.ok):
            t0 = float(np.interp(start, d, t_r))
            t1 = float(np.interp(end, d, t_r))
            dur = t1 - t0
            if dur > fs.FS_LONG_TIMEOUT:
                action = (
                    "continues in AUTO (FS_LONG_ACTN 0)"
                    if fs.FS_LONG_ACTN == 0
                    else f"returns home (RTL) {fs.FS_LONG_TIMEOUT:g} s after the loss"
                )
            elif dur > fs.FS_SHORT_TIMEOUT:
                action = "short failsafe only: carries on in AUTO"
            else:
                action = "none (shorter than FS_SHORT_TIMEOUT)"
            outages.append({
                "start_km": start / 1000.0, "end_km": end / 1000.0, "start_t_s": t0,
                "duration_s": dur, "failsafe": action,
                "start_lat_deg": float(np.interp(start, d, lat_r)),
                "start_lon_deg": float(np.interp(start, d, lon_r)),
                "start_alt_m": float(np.interp(start, d, alt_r)),
            })  # fmt: skip
            if dur > fs.FS_LONG_TIMEOUT and fs.FS_LONG_ACTN != 0:
                reasons.append(
                    f"radio: out of contact from km {start / 1000:.1f} to {end / 1000:.1f} "
                    f"({dur:.0f} s): the link-loss failsafe {action}"
                )
            else:
                notes.append(f"radio: out of contact km {start / 1000:.1f}-{end / 1000:.1f} "
                             f"({dur:.0f} s): {action}")  # fmt: skip
    pred = pred.with_leg_checks(
        clearances if terrain is not None else None, links if radio is not None else None
    )
    return CheckResult(not reasons, tuple(reasons), pred, tuple(outages), tuple(violations),
                       tuple(notes))  # fmt: skip
