"""Dispersed inputs of a Monte Carlo batch: the distributions and the per-run draws.

Every run draws each dispersed input from a stream of its own: run ``i`` of a batch seeded
``seed`` takes ``SeedSequence(seed).spawn(N)[i]`` (numpy's spawn key ``(i,)``: the same
whatever the batch size N, the worker or the order runs are taken in), spawns one child per
name of :data:`DISPERSION_NAMES` in that fixed order, and draws name ``k`` from child ``k``;
the flight's own noise (turbulence, sensors) is seeded from one more child. So a run's inputs
do not depend on which other inputs are dispersed, and adding a dispersion to a scenario
leaves every other input's draws unchanged.

Distributions (fields as in the scenario file): ``normal`` (mean, sd > 0), ``uniform``
(low < high), ``truncnormal`` (mean, sd > 0, low < high: a normal cut to [low, high],
scipy's ``truncnorm``), ``choice`` (values, optional weights >= 0 with a positive sum).
:meth:`Dispersion.ppf` is each one's inverse CDF: a scenario with ``[run] design = "sobol"``
maps the rows of its Saltelli design through it instead of drawing.

Pure: no I/O (the scenario file is read by :mod:`longwing.batch.scenario`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, truncnorm

#: every input a scenario may disperse, in the order of their random streams (append only:
#: a new name goes last, so that the streams of the others keep their index)
DISPERSION_NAMES = (
    "wind_speed_mps", "wind_dir_deg", "turbulence", "fuel_kg", "mass_kg", "bsfc_scale",
    "drag_scale", "sensor_noise_scale", "gnss_loss_p", "engine_failure_p",
    "wind_speed_scale", "wind_dir_offset_deg",
)  # fmt: skip
#: what each means (docs/batch.md)
DISPERSION_DOC = {
    "wind_speed_mps": "speed of the steady wind, m/s (replaces the scenario's wind speed)",
    "wind_dir_deg": "direction the wind blows from, deg (replaces the scenario's)",
    "turbulence": "MIL-F-8785C severity: none, light, moderate, severe (choice)",
    "fuel_kg": "fuel at take-off, kg (at most the tank's capacity)",
    "mass_kg": "dry mass of the aircraft (without fuel), kg",
    "bsfc_scale": "factor on the engine's specific fuel consumption (engine efficiency)",
    "drag_scale": "factor on the airframe's drag coefficients",
    "sensor_noise_scale": "factor on every sensor's noise and bias",
    "gnss_loss_p": "probability that GNSS is lost for a while during the flight",
    "engine_failure_p": "probability that the engine fails during the flight",
    "wind_speed_scale": "factor on the wind's speed everywhere (a wind_file's or the "
    "scenario's wind): the forecast's speed error",
    "wind_dir_offset_deg": "veer of the wind everywhere, deg clockwise (a wind_file's or the "
    "scenario's wind): the forecast's direction error",
}
DISTRIBUTIONS = {"normal": ("mean", "sd"), "uniform": ("low", "high"),
                 "truncnormal": ("mean", "sd", "low", "high"), "choice": ("values",)}  # fmt: skip
OPTIONAL_FIELDS = {"choice": ("weights",)}
U_MIN = 1e-12  # quantiles Dispersion.ppf keeps away from 0 and 1


class DispersionError(ValueError):
    """A dispersion that cannot be drawn from; the message names the field."""


@dataclass(frozen=True)
class Dispersion:
    """One dispersed input: its distribution and fields (validated)."""

    name: str
    dist: str
    mean: float = math.nan
    sd: float = math.nan
    low: float = math.nan
    high: float = math.nan
    values: tuple = ()
    weights: tuple[float, ...] = ()

    def draw(self, rng: np.random.Generator):
        """One draw."""
        if self.dist == "normal":
            return float(rng.normal(self.mean, self.sd))
        if self.dist == "uniform":
            return float(rng.uniform(self.low, self.high))
        if self.dist == "truncnormal":
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            return float(truncnorm.rvs(a, b, loc=self.mean, scale=self.sd, random_state=rng))
        p = None
        if self.weights:
            w = np.asarray(self.weights, dtype=float)
            p = w / w.sum()
        return self.values[int(rng.choice(len(self.values), p=p))]

    def ppf(self, u: float):
        """The value at quantile ``u`` in [0, 1] (the inverse CDF: a uniform ``u`` gives a
        draw of this distribution); a ``choice`` takes the first value whose cumulative
        weight exceeds ``u``. ``u`` is kept inside [U_MIN, 1 - U_MIN] (finite normals)."""
        u = min(max(float(u), U_MIN), 1.0 - U_MIN)
        if self.dist == "normal":
            return float(norm.ppf(u, loc=self.mean, scale=self.sd))
        if self.dist == "uniform":
            return self.low + u * (self.high - self.low)
        if self.dist == "truncnormal":
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            return float(truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd))
        w = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        k = int(np.searchsorted(np.cumsum(w) / w.sum(), u, side="right"))
        return self.values[min(k, len(self.values) - 1)]


def _number(spec: Mapping, key: str, where: str) -> float:
    v = spec.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise DispersionError(f"{where}: '{key}' must be a finite number, got {v!r}")
    return float(v)


def parse_dispersion(name: str, spec: object) -> Dispersion:
    """A dispersion from its table (``{dist = "normal", mean = 8, sd = 2}``)."""
    where = f"[dispersions] {name}"
    if name not in DISPERSION_NAMES:
        raise DispersionError(f"{where}: unknown input; known: {', '.join(DISPERSION_NAMES)}")
    if not isinstance(spec, Mapping):
        raise DispersionError(f'{where}: expected a table like {{dist = "normal", ...}}')
    dist = spec.get("dist")
    if dist not in DISTRIBUTIONS:
        raise DispersionError(f"{where}: 'dist' must be one of {', '.join(DISTRIBUTIONS)}, "
                              f"got {dist!r}")  # fmt: skip
    allowed = {"dist", *DISTRIBUTIONS[dist], *OPTIONAL_FIELDS.get(dist, ())}
    for key in spec:
        if key not in allowed:
            raise DispersionError(f"{where}: '{key}' is not a field of {dist} "
                                  f"(fields: {', '.join(sorted(allowed - {'dist'}))})")  # fmt: skip
    for key in DISTRIBUTIONS[dist]:
        if key not in spec:
            raise DispersionError(f"{where}: {dist} needs '{key}'")
    if dist == "choice":
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise DispersionError(f"{where}: 'values' must be a non-empty list")
        weights = spec.get("weights", [])
        if "weights" in spec:
            if not isinstance(weights, list) or len(weights) != len(values):
                raise DispersionError(f"{where}: 'weights' must be a list as long as 'values'")
            w = [_number({"w": x}, "w", f"{where} weights") for x in weights]
            if min(w) < 0.0 or sum(w) <= 0.0:
                raise DispersionError(f"{where}: 'weights' must be >= 0 with a positive sum")
            weights = w
        return Dispersion(name, dist, values=tuple(values), weights=tuple(weights))
    f = {k: _number(spec, k, where) for k in DISTRIBUTIONS[dist]}
    if "sd" in f and not f["sd"] > 0.0:
        raise DispersionError(f"{where}: 'sd' must be > 0, got {f['sd']!r}")
    if "low" in f and not f["low"] < f["high"]:
        raise DispersionError(f"{where}: 'low' must be below 'high' ({f['low']!r} >= "
                              f"{f['high']!r})")  # fmt: skip
    return Dispersion(name, dist, **f)


def run_streams(seed: int, run: int) -> list[np.random.Generator]:
    """Run ``run``'s generators: one per :data:`DISPERSION_NAMES` entry, then the flight's."""
    ss = np.random.SeedSequence(seed, spawn_key=(run,))  # = SeedSequence(seed).spawn(N)[run]
    return [np.random.default_rng(c) for c in ss.spawn(len(DISPERSION_NAMES) + 1)]


def flight_seed(seed: int, run: int) -> int:
    """The seed of run ``run``'s own flight noise (turbulence, sensors): [0, 2^63)."""
    rng = run_streams(seed, run)[-1]
    return int(rng.integers(0, 2**63 - 1))


def draw_run(dispersions: Mapping[str, Dispersion], seed: int, run: int) -> dict:
    """The inputs of run ``run``: name -> value, for the dispersed names."""
    streams = run_streams(seed, run)
    return {name: d.draw(streams[DISPERSION_NAMES.index(name)])
            for name, d in dispersions.items()}  # fmt: skip
