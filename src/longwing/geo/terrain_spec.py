"""A synthetic world terrain from a command-line spec (``--dem synthetic:KIND[,KEY=VALUE...]``),
centred on home and shifted so that home is on its ground.

Kinds and keys (defaults in brackets):

* ``fractal``, ``hills`` (:func:`~longwing.geo.terrain_synthetic.synthetic_terrain`):
  ``relief_m`` [300], ``size_km`` [100], ``spacing_m`` [100], ``seed`` [1], ``hurst`` [0.8,
  fractal only];
* ``ridge`` (:func:`~longwing.geo.terrain_synthetic.ridge_terrain`: an east-west ridge):
  ``height_m`` [150], ``half_width_m`` [1500], ``north_km`` [10, the crest north of home],
  ``size_km``, ``spacing_m``.

Example: ``synthetic:fractal,relief_m=400,seed=7``. Every mistake is a
:class:`~longwing.geo.terrain_grid.TerrainError` with one line naming the key. Pure.
"""

from __future__ import annotations

import math

import numpy as np

from longwing.geo.terrain_grid import Terrain, TerrainError
from longwing.geo.terrain_synthetic import ridge_terrain, synthetic_terrain

PREFIX = "synthetic:"
_KEYS = {
    "fractal": {"relief_m": 300.0, "size_km": 100.0, "spacing_m": 100.0, "seed": 1.0,
                "hurst": 0.8},
    "hills": {"relief_m": 300.0, "size_km": 100.0, "spacing_m": 100.0, "seed": 1.0},
    "ridge": {"height_m": 150.0, "half_width_m": 1500.0, "north_km": 10.0, "size_km": 100.0,
              "spacing_m": 100.0},
}  # fmt: skip


def is_spec(text: str) -> bool:
    return str(text).startswith(PREFIX)


def _values(text: str) -> tuple[str, dict[str, float]]:
    body = text[len(PREFIX) :]
    kind, *pairs = [p.strip() for p in body.split(",")]
    if kind not in _KEYS:
        raise TerrainError(f"{text}: kind {kind!r} is not one of {', '.join(_KEYS)}")
    values = dict(_KEYS[kind])
    for pair in pairs:
        key, eq, raw = pair.partition("=")
        if not eq or key.strip() not in values:
            raise TerrainError(f"{text}: {pair!r} is not KEY=VALUE with a key of {kind} "
                               f"({', '.join(values)})")  # fmt: skip
        try:
            value = float(raw)
        except ValueError:
            raise TerrainError(f"{text}: {key.strip()} = {raw!r} is not a number") from None
        if not math.isfinite(value):
            raise TerrainError(f"{text}: {key.strip()} must be finite")
        values[key.strip()] = value
    for key in ("size_km", "spacing_m"):
        if not values[key] > 0.0:
            raise TerrainError(f"{text}: {key} must be > 0")
    if values["size_km"] * 1000.0 / values["spacing_m"] > 8000.0:
        raise TerrainError(f"{text}: size_km / spacing_m gives more than 8,000 samples a side")
    if kind != "ridge" and not (values["seed"].is_integer() and values["seed"] >= 0):
        raise TerrainError(f"{text}: seed must be a whole number >= 0")
    return kind, values


def terrain_from_spec(text: str, home_lat_deg: float, home_lon_deg: float,
                      home_alt_m: float) -> Terrain:  # fmt: skip
    """The terrain ``text`` describes around home, its height at home equal to home's
    altitude."""
    kind, v = _values(text)
    lat, lon = home_lat_deg, home_lon_deg
    if kind == "ridge":
        crest = lat + math.degrees(v["north_km"] * 1000.0 / 6_371_000.0)
        t = ridge_terrain(crest, lon, v["size_km"], v["spacing_m"], height_m=v["height_m"],
                          half_width_m=v["half_width_m"], base_m=0.0)  # fmt: skip
    else:
        rng = np.random.default_rng(int(v["seed"]))
        extra = {"hurst": v["hurst"]} if kind == "fractal" else {}
        t = synthetic_terrain(lat, lon, v["size_km"], v["spacing_m"], rng,
                              relief_m=v["relief_m"], base_m=0.0, kind=kind,
                              **extra)  # fmt: skip
    at_home = float(t(lat, lon))
    if not math.isfinite(at_home):
        raise TerrainError(f"{text}: the terrain does not cover home")
    shift = home_alt_m - at_home
    return Terrain(np.asarray(t.heights_m) + shift, t.lat0_deg, t.lon0_deg, t.dlat_deg,
                   t.dlon_deg, text)  # fmt: skip
