"""Open-loop flight from trim: the slow loop (Python) around :func:`fastloop.run_chunk`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.airframe.params import Airframe
from longwing.control.holds import HoldGains, new_hold_state
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.physics.rigidbody import N_ENV, make_work
from longwing.physics.state import FUEL, PX
from longwing.physics.trim import TrimCondition, TrimResult, trim_on_ellipsoid
from longwing.physics.turbulence import Turbulence, new_turb_state, turbulence_noise
from longwing.physics.wind import WindField, steady_wind_ned
from longwing.sim import events as ev_
from longwing.sim import fastloop as fl

CHUNK_S = 60.0

EVENT_NAMES = {
    ev_.EV_FUEL_EXHAUSTED: "fuel_exhausted",
    ev_.EV_GROUND_CONTACT: "ground_contact",
    ev_.EV_NONFINITE: "non_finite_state",
}


@dataclass(frozen=True)
class OpenLoopScenario:
    airframe: Airframe
    airspeed_mps: float
    alt_m: float
    lat_rad: float
    lon_rad: float
    heading_rad: float
    duration_s: float
    fuel_kg: float
    wind: WindField = field(default_factory=WindField.calm)
    turbulence: Turbulence = Turbulence.NONE
    seed: int = 1
    dt_s: float = 1.0 / 120.0
    log_hz: float = 10.0
    hold: bool = True
    ground_alt_m: float = 0.0

    def __post_init__(self) -> None:
        for name in ("airspeed_mps", "alt_m", "lat_rad", "lon_rad", "heading_rad",
                     "duration_s", "fuel_kg", "dt_s", "log_hz"):  # fmt: skip
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number, got {getattr(self, name)}")
        if not self.airspeed_mps > 0.0:
            raise ValueError(f"airspeed must be positive, got {self.airspeed_mps} m/s")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed {self.seed} must be in [0, 2^63)")
        if not self.duration_s > 0.0:
            raise ValueError(f"duration must be positive, got {self.duration_s} s")
        if not 0.0 < self.dt_s <= 0.1:
            raise ValueError(f"time step must be in (0, 0.1] s, got {self.dt_s} s")
        if not 0.0 < self.log_hz <= 1.0 / self.dt_s:
            raise ValueError(f"log rate must be in (0, {1.0 / self.dt_s:g}] Hz")
        if not -90.0 <= math.degrees(self.lat_rad) <= 90.0:
            raise ValueError(f"latitude {math.degrees(self.lat_rad):g} deg is outside [-90, 90]")
        if self.alt_m <= self.ground_alt_m:
            raise ValueError(f"altitude {self.alt_m:g} m is not above the ground")


@dataclass(frozen=True)
class SimEvent:
    t_s: float
    kind: str
    lat_deg: float
    lon_deg: float
    alt_m: float

    def as_dict(self) -> dict:
        return {"t_s": self.t_s, "kind": self.kind, "lat_deg": self.lat_deg,
                "lon_deg": self.lon_deg, "alt_m": self.alt_m}  # fmt: skip


@dataclass(frozen=True)
class OpenLoopResult:
    log: np.ndarray  # (n, N_LOG) in kernel units, columns fl.LOG_COLUMNS
    events: tuple[SimEvent, ...]
    summary: dict
    trim: TrimResult


ProgressFn = Callable[[float, float, float], None]  # (t_s, fuel_kg, distance_m)


def start_state(sc: OpenLoopScenario) -> tuple[TrimResult, np.ndarray]:
    """The trim the flight starts from and its state on the ellipsoid (TrimError if the
    condition cannot be trimmed: call it first to refuse bad input before any work)."""
    wind_alt, wind_n, wind_e = sc.wind.arrays()
    w0 = steady_wind_ned(sc.alt_m, wind_alt, wind_n, wind_e)
    cond = TrimCondition(sc.airspeed_mps, sc.alt_m, sc.lat_rad, sc.fuel_kg)
    return trim_on_ellipsoid(sc.airframe, cond, sc.lon_rad, sc.heading_rad, w0)


def simulate_open_loop(
    sc: OpenLoopScenario,
    progress: ProgressFn | None = None,
    start: tuple[TrimResult, np.ndarray] | None = None,
) -> OpenLoopResult:
    """Fly the scenario from trim (``start``: from :func:`start_state`, computed here if not
    given); deterministic for a given seed."""
    af = sc.airframe
    wall0 = time.perf_counter()
    wind_alt, wind_n, wind_e = sc.wind.arrays()
    tr, x = start if start is not None else start_state(sc)
    x = x.copy()
    rng = np.random.default_rng(sc.seed)
    act = tr.controls()
    cmd = act.copy()
    env = np.zeros(N_ENV)
    hold_state = new_hold_state()
    turb_state = new_turb_state()
    work = make_work()
    gains = HoldGains(gravity_mps2=tr.gravity_mps2)
    ref = np.zeros(fl.N_REF)
    ref[fl.REF_HEADING] = sc.heading_rad
    ref[fl.REF_ALT] = sc.alt_m
    ref[fl.REF_AIRSPEED] = sc.airspeed_mps
    ref[fl.REF_THETA] = tr.theta_rad
    log_every = max(1, round(1.0 / (sc.log_hz * sc.dt_s)))
    n_total = round(sc.duration_s / sc.dt_s)
    chunk = max(1, round(CHUNK_S / sc.dt_s))
    logs: list[np.ndarray] = []
    events: list[SimEvent] = []
    step = 0
    distance_m = 0.0
    stop = False
    while step < n_total and not stop:
        n = min(chunk, n_total - step)
        noise = turbulence_noise(rng, n) if sc.turbulence != Turbulence.NONE else np.zeros((n, 3))
        log = np.zeros((n // log_every + 2, fl.N_LOG))
        done, ev, n_logged, distance_m = fl.run_chunk(
            x, act, cmd, env, hold_state, turb_state, work, noise, wind_alt, wind_n, wind_e,
            int(sc.turbulence), sc.ground_alt_m, ref, tr.controls(), sc.hold, True,
            af.aero, af.mass, af.prop, af.ground, af.actuators, gains,
            sc.dt_s, step, n, log_every, log, distance_m,
        )  # fmt: skip
        logs.append(log[:n_logged])
        step += done
        if ev != ev_.EV_NONE:
            lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
            events.append(SimEvent(step * sc.dt_s, EVENT_NAMES[ev], math.degrees(lat),
                                   math.degrees(lon), h))  # fmt: skip
            stop = ev in (ev_.EV_GROUND_CONTACT, ev_.EV_NONFINITE)
        if progress is not None:
            progress(step * sc.dt_s, float(x[FUEL]), distance_m)
    full_log = np.concatenate(logs) if logs else np.zeros((0, fl.N_LOG))
    wall = time.perf_counter() - wall0
    summary = _summary(sc, x, step * sc.dt_s, distance_m, full_log, events, tr, wall)
    return OpenLoopResult(full_log, tuple(events), summary, tr)


def _summary(
    sc: OpenLoopScenario,
    x: np.ndarray,
    t_s: float,
    distance_m: float,
    log: np.ndarray,
    events: list[SimEvent],
    tr: TrimResult,
    wall_s: float,
) -> dict:
    lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    lat0, lon0 = math.degrees(sc.lat_rad), math.degrees(sc.lon_rad)
    inv = Geodesic.WGS84.Inverse(lat0, lon0, math.degrees(lat), math.degrees(lon))
    col = {name: i for i, name in enumerate(fl.LOG_COLUMNS)}
    alt_err = log[:, col["alt_m"]] - sc.alt_m if len(log) else np.zeros(1)
    tas = log[:, col["tas_mps"]] if len(log) else np.zeros(1)
    end = events[-1].kind if events and events[-1].kind != "fuel_exhausted" else "completed"
    return {
        "airframe": sc.airframe.name,
        "end_reason": end,
        "flight_time_s": t_s,
        "distance_flown_km": distance_m / 1000.0,
        "displacement_km": inv["s12"] / 1000.0,
        "displacement_azimuth_deg": inv["azi1"] % 360.0,
        "fuel_used_kg": sc.fuel_kg - float(x[FUEL]),
        "fuel_remaining_kg": float(x[FUEL]),
        "start": {"lat_deg": lat0, "lon_deg": lon0, "alt_m": sc.alt_m},
        "final": {"lat_deg": math.degrees(lat), "lon_deg": math.degrees(lon), "alt_m": h},
        "mean_groundspeed_mps": distance_m / t_s if t_s > 0 else 0.0,
        "mean_tas_mps": float(np.mean(tas)),
        "rms_alt_err_m": float(np.sqrt(np.mean(alt_err**2))),
        "max_abs_alt_err_m": float(np.max(np.abs(alt_err))),
        "trim": {
            "alpha_deg": math.degrees(tr.alpha_rad),
            "elevator_deg": math.degrees(tr.elevator_rad),
            "throttle": tr.throttle,
        },  # fmt: skip
        "events": [e.as_dict() for e in events],
        "seed": sc.seed,
        "dt_s": sc.dt_s,
        "hold": sc.hold,
        "turbulence": sc.turbulence.name.lower(),
        "wall_time_s": wall_s,
        "realtime_factor": t_s / wall_s if wall_s > 0 else None,
    }
