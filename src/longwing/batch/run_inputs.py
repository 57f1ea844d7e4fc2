"""One run of a batch: the scenario's flight with run ``i``'s draws applied, and its verdict.

:func:`run_scenario` turns a :class:`~longwing.batch.scenario.Scenario` and a run index into
the :class:`~longwing.sim.scenario.FlightScenario` to fly and the inputs it actually flies
(a draw outside what the aircraft can be is limited to it, and the row records the value
flown):

* ``wind_speed_mps`` / ``wind_dir_deg``: a constant wind of that speed (0..100 m/s) and
  direction (modulo 360); the one not dispersed comes from the scenario's wind at the
  surface;
* ``wind_speed_scale`` / ``wind_dir_offset_deg``: the scenario's wind (a ``wind`` or a
  ``wind_file``'s grid) with every point's speed times the scale (0..10) and its direction
  veered clockwise by the offset: a forecast's error;
* ``turbulence``: the severity; ``fuel_kg``: limited to (0, the tank]; ``mass_kg``: the dry
  mass (inertia unchanged), at least 10 % of the airframe's;
* ``bsfc_scale``, ``drag_scale`` (CDp, CDq, CDde), ``sensor_noise_scale`` (every noise,
  random-walk and bias sigma of the sensors): factors, at least 0.01;
* ``gnss_loss_p`` / ``engine_failure_p``: the run has the fault with that probability (a
  second draw of the same stream), starting at a uniform time between 60 s and 90 % of the
  planned flight time (route / cruise speed); a GNSS loss lasts 600 s, an engine failure is
  for good.

:func:`draw_inputs` is the one place the dispersed inputs are drawn, for the batch and for
`longwing fly --scenario S --run I`: from the run's streams (design ``random``), or row ``run``
of the scenario's Saltelli design mapped by each distribution's inverse CDF (``sobol``; the
fault draws and the flight's noise still come from the run's streams).

:func:`judge` says whether a finished flight met the scenario's success criteria, and why
not. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from longwing.airframe.params import Airframe
from longwing.batch.dispersions import DISPERSION_NAMES, flight_seed, run_streams
from longwing.batch.scenario import Scenario, SuccessCriteria
from longwing.batch.sensitivity import factors, saltelli_base, saltelli_unit
from longwing.mission.model import Mission
from longwing.physics.turbulence import parse_turbulence
from longwing.physics.wind import WindField, parse_wind
from longwing.planning.wind4d import WindGrid4D
from longwing.sensors.params import SensorParams
from longwing.sim.faults import Fault
from longwing.sim.scenario import FlightScenario, truth_wind_ned

GNSS_LOSS_S = 600.0
FAULT_START_MIN_S = 60.0
SCALE_MIN = 0.01
WIND_SCALE_MAX = 10.0
NOISE_FIELDS = ("noise", "sigma", "_rw_")  # SensorParams fields the noise scale multiplies


def _scaled_sensors(sp: SensorParams, k: float) -> SensorParams:
    return sp._replace(**{f: getattr(sp, f) * k for f in sp._fields
                          if any(s in f for s in NOISE_FIELDS)})  # fmt: skip


def _wind(base: WindField | WindGrid4D, mission: Mission, draws: dict):
    w = base
    if "wind_speed_mps" in draws or "wind_dir_deg" in draws:  # a WindField (scenario.py)
        home = mission.home
        wn, we, _ = truth_wind_ned(base, 0.0, home.lat_deg, home.lon_deg, home.alt_m)
        speed = draws.get("wind_speed_mps", math.hypot(wn, we))
        frm = draws.get("wind_dir_deg", math.degrees(math.atan2(-we, -wn)))
        draws["wind_speed_mps"] = speed = min(max(float(speed), 0.0), 100.0)
        draws["wind_dir_deg"] = frm = float(frm) % 360.0
        w = parse_wind(f"{frm!r}@{speed!r}")
    if "wind_speed_scale" in draws or "wind_dir_offset_deg" in draws:
        k = draws.get("wind_speed_scale", 1.0)
        draws["wind_speed_scale"] = k = min(max(float(k), 0.0), WIND_SCALE_MAX)
        veer = draws.get("wind_dir_offset_deg", 0.0)
        draws["wind_dir_offset_deg"] = veer = float(veer)
        w = w.veered_scaled(k, veer)
    return w


def design_matrix(sc: Scenario) -> np.ndarray | None:
    """A ``sobol`` design's unit-hypercube matrix (run i: row i; one column per dispersed
    input in DISPERSION_NAMES order), from the scenario alone; None for ``random``."""
    if sc.design != "sobol":
        return None
    names = factors(sc.dispersions)
    return saltelli_unit(len(names), saltelli_base(sc.runs, len(names)), sc.seed)


def draw_inputs(sc: Scenario, run: int, streams: list, unit: np.ndarray | None = None
                ) -> dict:  # fmt: skip
    """Run ``run``'s dispersed inputs (name -> value): design ``random``, each drawn from its
    own stream; ``sobol``, row ``run`` of the design (``unit``: :func:`design_matrix`,
    computed when not given) through each distribution's inverse CDF."""
    if sc.design != "sobol":
        return {name: d.draw(streams[DISPERSION_NAMES.index(name)])
                for name, d in sc.dispersions.items()}  # fmt: skip
    unit = design_matrix(sc) if unit is None else unit
    return {name: sc.dispersions[name].ppf(unit[run, j])
            for j, name in enumerate(factors(sc.dispersions))}  # fmt: skip


def run_scenario(sc: Scenario, af: Airframe, mission: Mission, wind: WindField | WindGrid4D,
                 run: int, unit: np.ndarray | None = None
                 ) -> tuple[FlightScenario, dict]:  # fmt: skip
    """Run ``run``'s flight and the inputs it flies (name -> value, faults included);
    ``wind`` is the scenario's (:func:`~longwing.batch.scenario.scenario_wind`); ``unit``: a
    sobol design's matrix when the caller has it (:func:`draw_inputs`)."""
    streams = run_streams(sc.seed, run)
    draws = draw_inputs(sc, run, streams, unit)
    w = _wind(wind, mission, draws)
    turb = parse_turbulence(str(draws.get("turbulence", sc.turbulence)))
    fuel = sc.fuel_kg
    if "fuel_kg" in draws:
        fuel = draws["fuel_kg"] = min(max(draws["fuel_kg"], 1e-3), af.mass.fuel_capacity_kg)
    if "mass_kg" in draws:
        dry = draws["mass_kg"] = max(draws["mass_kg"], 0.1 * af.mass.dry_mass_kg)
        af = dataclasses.replace(af, mass=af.mass._replace(dry_mass_kg=dry))
    if "bsfc_scale" in draws:
        k = draws["bsfc_scale"] = max(draws["bsfc_scale"], SCALE_MIN)
        af = dataclasses.replace(af, prop=af.prop._replace(
            bsfc_kg_per_j=af.prop.bsfc_kg_per_j * k))  # fmt: skip
    if "drag_scale" in draws:
        k = draws["drag_scale"] = max(draws["drag_scale"], SCALE_MIN)
        a = af.aero
        af = dataclasses.replace(af, aero=a._replace(CDp=a.CDp * k, CDq=a.CDq * k,
                                                     CDde=a.CDde * k))  # fmt: skip
    sensors = SensorParams()
    if "sensor_noise_scale" in draws:
        k = draws["sensor_noise_scale"] = max(draws["sensor_noise_scale"], SCALE_MIN)
        sensors = _scaled_sensors(sensors, k)
    planned_s = mission.route_length_m() / af.envelope.airspeed_cruise_mps
    faults = []
    for name, kind, dur in (("gnss_loss_p", "gnss_loss", GNSS_LOSS_S),
                            ("engine_failure_p", "engine_failure", None)):  # fmt: skip
        if name not in draws:
            continue
        p = draws[name] = min(max(float(draws[name]), 0.0), 1.0)
        rng = streams[DISPERSION_NAMES.index(name)]  # the same stream, after p
        happens, u = rng.random() < p, rng.random()
        draws[name.removesuffix("_p")] = happens
        if happens:
            t0 = FAULT_START_MIN_S + u * max(0.9 * planned_s - FAULT_START_MIN_S, 0.0)
            faults.append(Fault(kind, round(t0, 1), dur))
            draws[name.removesuffix("_p") + "_t_s"] = round(t0, 1)
    fs = FlightScenario(af, mission, wind=w, turbulence=turb, seed=flight_seed(sc.seed, run),
                        fuel_kg=fuel, sensors=sensors, faults=tuple(faults))  # fmt: skip
    return fs, draws


def judge(summary: dict, success: SuccessCriteria) -> tuple[bool, list[str]]:
    """(success, the criteria not met) of a finished flight's summary."""
    why = []
    if summary["end_state"] != "landed":
        why.append(f"end state {summary['end_state']}")
    td = summary.get("touchdown") or {}
    lim = success.landed_within_m
    if lim is not None and summary["end_state"] == "landed":
        dist = td.get("distance_m")
        if dist is None or not dist <= lim:
            why.append(f"landed {dist if dist is None else round(dist)} m from the point "
                       f"(> {lim:g} m)")  # fmt: skip
    if success.min_fuel_kg is not None and summary["fuel_remaining_kg"] < success.min_fuel_kg:
        why.append(f"fuel left {summary['fuel_remaining_kg']:.3f} kg < {success.min_fuel_kg:g}")
    if success.no_fence_breach and any(
        e["kind"] == "failsafe" and e["detail"].startswith("fence_breach")
        for e in summary["events"]
    ):
        why.append("fence breached")
    return not why, why
