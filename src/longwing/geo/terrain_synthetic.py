"""Synthetic and analytic terrain for tests and demos (:class:`~.terrain_grid.Terrain` grids).

:func:`synthetic_terrain` (seeded fractal noise or random hills, from the caller's
``numpy.random.Generator``), :func:`ridge_terrain` (an analytic east-west ridge, exact under
bilinear interpolation) and :func:`terrain_from_function` (any height function of the north
and east offsets from a centre). Each is a square grid centred on a point, an odd number of
samples a side. Pure: no files, and randomness only from the ``rng`` passed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np

from longwing.geo.terrain_grid import Terrain, TerrainError
from longwing.geo.wgs84 import A_M, E2

__all__ = ["MAX_GRID_SIDE", "ridge_terrain", "synthetic_terrain", "terrain_from_function"]

#: Largest synthetic grid side (samples).
MAX_GRID_SIDE = 8193


class _LocalGrid(NamedTuple):
    n: int  # samples per side (odd: the centre sample is at lat0, lon0)
    dlat_deg: float  # negative (north-up)
    dlon_deg: float
    north_m: np.ndarray  # (n,) north offset of each row from the centre
    east_m: np.ndarray  # (n,) east offset of each column from the centre


def _local_grid(lat0_deg: float, lon0_deg: float, size_km: float, spacing_m: float) -> _LocalGrid:
    if not (math.isfinite(size_km) and size_km > 0.0):
        raise TerrainError(f"synthetic terrain: size_km must be positive, not {size_km}")
    if not (math.isfinite(spacing_m) and spacing_m > 0.0):
        raise TerrainError(f"synthetic terrain: spacing_m must be positive, not {spacing_m}")
    if not (math.isfinite(lat0_deg) and abs(lat0_deg) <= 85.0 and math.isfinite(lon0_deg)):
        raise TerrainError(
            f"synthetic terrain: centre ({lat0_deg}, {lon0_deg}) must have |lat| <= 85 deg"
        )
    half = int(round(size_km * 1000.0 / (2.0 * spacing_m)))
    n = 2 * half + 1
    if half < 1 or n > MAX_GRID_SIDE:
        raise TerrainError(
            f"synthetic terrain: {size_km} km at {spacing_m} m gives {n} samples a side; "
            f"allowed 3 to {MAX_GRID_SIDE}"
        )
    phi = math.radians(lat0_deg)
    w2 = 1.0 - E2 * math.sin(phi) ** 2
    m_m = A_M * (1.0 - E2) / (w2 * math.sqrt(w2))  # meridian radius of curvature
    n_m = A_M / math.sqrt(w2)  # prime-vertical radius of curvature
    dlat = -math.degrees(spacing_m / m_m)
    dlon = math.degrees(spacing_m / (n_m * math.cos(phi)))
    if abs(lat0_deg) + half * abs(dlat) > 90.0:
        raise TerrainError("synthetic terrain: grid reaches beyond a pole")
    offsets = (np.arange(n) - half) * spacing_m
    return _LocalGrid(n, dlat, dlon, -offsets, offsets)


def terrain_from_function(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    height_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    source: str = "analytic",
) -> Terrain:
    """A square grid centred on (lat0, lon0) with heights ``height_fn(north_m, east_m)``.

    The grid has an odd number of samples a side, ``spacing_m`` apart (the centre sample is
    at lat0, lon0), about ``size_km`` across. ``north_m``/``east_m`` are 2-D arrays of the
    offsets of the sample centres from the centre: exact along the central meridian and
    parallel, equirectangular elsewhere (latitude steps use the meridian radius at lat0,
    longitude steps the parallel's radius at lat0).
    """
    g = _local_grid(lat0_deg, lon0_deg, size_km, spacing_m)
    north, east = np.meshgrid(g.north_m, g.east_m, indexing="ij")
    heights = np.broadcast_to(np.asarray(height_fn(north, east), dtype=np.float64), north.shape)
    half = g.n // 2
    return Terrain(
        heights,
        lat0_deg - half * g.dlat_deg,
        lon0_deg - half * g.dlon_deg,
        g.dlat_deg,
        g.dlon_deg,
        source,
    )


def ridge_terrain(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    *,
    height_m: float,
    half_width_m: float,
    base_m: float = 0.0,
) -> Terrain:
    """An east-west ridge: ``base_m`` plus a triangle of ``height_m`` whose crest is the
    parallel through lat0 and whose flanks reach the base ``half_width_m`` north and south.

    The crest is a row of pixel centres and the heights depend on the row only, so when
    ``half_width_m`` is a multiple of ``spacing_m`` bilinear interpolation reproduces the
    ridge exactly (a piecewise-linear function of latitude).
    """
    if not half_width_m > 0.0:
        raise TerrainError(f"ridge terrain: half_width_m must be positive, not {half_width_m}")

    def ridge(north_m: np.ndarray, east_m: np.ndarray) -> np.ndarray:
        return base_m + height_m * np.maximum(0.0, 1.0 - np.abs(north_m) / half_width_m)

    return terrain_from_function(lat0_deg, lon0_deg, size_km, spacing_m, ridge, "ridge")


def synthetic_terrain(
    lat0_deg: float,
    lon0_deg: float,
    size_km: float,
    spacing_m: float,
    rng: np.random.Generator,
    *,
    relief_m: float = 500.0,
    base_m: float = 100.0,
    kind: Literal["fractal", "hills"] = "fractal",
    hurst: float = 0.8,
) -> Terrain:
    """Plausible random terrain centred on (lat0, lon0), deterministic for a given ``rng``.

    ``kind="fractal"``: spectral synthesis of fractional Brownian relief (amplitude spectrum
    ~ k^-(hurst+1), rolled off below one cycle per grid size; computed on a grid twice the
    size and cropped, so it does not wrap around). ``kind="hills"``: a sum of 8-24 Gaussian
    hills of random position, width (size/20 to size/5) and height. Either is then scaled so
    its lowest point is exactly ``base_m`` and its highest exactly ``base_m + relief_m``.
    The grid is that of :func:`terrain_from_function`. Only ``rng`` supplies randomness.
    """
    if not (math.isfinite(relief_m) and relief_m >= 0.0 and math.isfinite(base_m)):
        raise TerrainError(
            f"synthetic terrain: relief_m must be >= 0 and base_m finite ({relief_m}, {base_m})"
        )
    g = _local_grid(lat0_deg, lon0_deg, size_km, spacing_m)
    size_m = g.n * spacing_m
    if kind == "fractal":
        if not 0.0 < hurst <= 1.0:
            raise TerrainError(f"synthetic terrain: hurst must be in (0, 1], not {hurst}")
        m = 2 * g.n
        white = rng.standard_normal((m, m))
        kk = np.hypot(
            np.fft.fftfreq(m, d=spacing_m)[:, None], np.fft.rfftfreq(m, d=spacing_m)[None, :]
        )
        k0 = 1.0 / size_m
        amplitude = (kk * kk + k0 * k0) ** (-(hurst + 1.0) / 2.0)
        amplitude[0, 0] = 0.0
        field_ = np.fft.irfft2(np.fft.rfft2(white) * amplitude, s=(m, m))[: g.n, : g.n]
    elif kind == "hills":
        n_hills = int(rng.integers(8, 25))
        cn = rng.uniform(-0.5, 0.5, n_hills) * size_m
        ce = rng.uniform(-0.5, 0.5, n_hills) * size_m
        sigma = rng.uniform(size_m / 20.0, size_m / 5.0, n_hills)
        amp = rng.uniform(0.3, 1.0, n_hills)
        north, east = np.meshgrid(g.north_m, g.east_m, indexing="ij")
        field_ = np.zeros((g.n, g.n))
        for a, n0, e0, s in zip(amp, cn, ce, sigma, strict=True):
            field_ += a * np.exp(-((north - n0) ** 2 + (east - e0) ** 2) / (2.0 * s * s))
    else:
        raise TerrainError(f"synthetic terrain: kind must be 'fractal' or 'hills', not {kind!r}")
    lo, hi = float(field_.min()), float(field_.max())
    span = hi - lo if hi > lo else 1.0
    heights = base_m + relief_m * (field_ - lo) / span
    half = g.n // 2
    return Terrain(
        heights,
        lat0_deg - half * g.dlat_deg,
        lon0_deg - half * g.dlon_deg,
        g.dlat_deg,
        g.dlon_deg,
        f"synthetic {kind}",
    )
