"""Terrain following for survey lines: each pass's profile sampled against a terrain
model, waypoints kept where straight-line altitudes would stray from the terrain (see
"Altitudes" in :mod:`longwing.planning.survey`).

Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from longwing.mathx import clamp
from longwing.mission.items import TerrainFn
from longwing.planning.area import LocalProjection
from longwing.planning.survey_layout import TERRAIN, Pass, SurveyError

__all__ = ["follow_terrain"]


def terrain_heights(terrain: TerrainFn, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Terrain heights at many points: one vectorised call if the model accepts arrays,
    else one call per point."""
    if lat.size == 0:
        return np.zeros(0)
    if lat.size > 1:
        try:
            h = np.asarray(terrain(lat, lon), dtype=float)  # type: ignore[arg-type]
            if h.shape == lat.shape:
                return h
        except Exception:  # noqa: BLE001 - a scalar-only model: fall back to point calls
            pass
    return np.array(
        [float(terrain(float(a), float(b))) for a, b in zip(lat, lon, strict=True)], dtype=float
    )


def _check_terrain(h: np.ndarray, lat: np.ndarray, lon: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(h)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise SurveyError(
            f"no terrain data at latitude {lat[k]:.6f}, longitude {lon[k]:.6f} ({what})"
        )


def _simplify(s: np.ndarray, z: np.ndarray, keep: np.ndarray, tol: float, max_len: float) -> list:
    """Indices of the samples to keep so that linear interpolation between kept samples is
    within ``tol`` of ``z`` everywhere and no two kept samples are more than ``max_len``
    apart (Douglas-Peucker on the profile; ``keep`` marks samples that must stay)."""
    forced = np.flatnonzero(keep).tolist()
    kept = set(forced)
    stack = list(zip(forced[:-1], forced[1:], strict=True))
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        inner = slice(i + 1, j)
        frac = (s[inner] - s[i]) / (s[j] - s[i])
        dev = np.abs(z[inner] - (z[i] + frac * (z[j] - z[i])))
        m = int(np.argmax(dev))
        if dev[m] > tol:
            split = i + 1 + m
        elif s[j] - s[i] > max_len:
            split = int(np.searchsorted(s, 0.5 * (s[i] + s[j])))
            split = clamp(split, i + 1, j - 1)
        else:
            continue
        kept.add(split)
        stack.append((i, split))
        stack.append((split, j))
    return sorted(kept)


def follow_terrain(
    flown: list[Pass],
    pass_u: list[np.ndarray],
    pass_kind: list[np.ndarray],
    to_xy: Any,
    proj: LocalProjection,
    terrain: TerrainFn,
    h_agl: float,
    step: float,
    tol: float,
    max_seg: float,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Terrain-following profiles: every pass sampled every ``step``, waypoints kept where
    needed (:func:`_simplify`), AMSL altitudes ``terrain + h_agl``; turn waypoints raised
    where the straight chord of a turn would come below that."""
    samples_u: list[np.ndarray] = []
    keys_mask: list[np.ndarray] = []
    for ua in pass_u:
        n_s = max(2, math.ceil(abs(ua[-1] - ua[0]) / step) + 1)
        grid = np.linspace(ua[0], ua[-1], n_s)[1:-1]
        if grid.size:  # no sample within 1 cm of a waypoint
            grid = grid[np.min(np.abs(grid[:, None] - ua[None, :]), axis=1) >= 0.01]
        allu = np.concatenate([grid, ua])
        sgn = 1.0 if ua[-1] >= ua[0] else -1.0
        idx = np.argsort(sgn * allu, kind="stable")
        samples_u.append(allu[idx])
        keys_mask.append(np.concatenate([np.zeros(grid.size, bool), np.ones(len(ua), bool)])[idx])
    all_u = np.concatenate(samples_u)
    all_v = np.concatenate([np.full(len(su), p.v) for su, p in zip(samples_u, flown, strict=True)])
    slat, slon = proj.to_geodetic(*to_xy(all_u, all_v))
    hts = terrain_heights(terrain, slat, slon)
    _check_terrain(hts, slat, slon, "survey lines")
    prof_u: list[np.ndarray] = []
    prof_kind: list[np.ndarray] = []
    prof_alt: list[np.ndarray] = []
    pos = 0
    for ka, su, km in zip(pass_kind, samples_u, keys_mask, strict=True):
        z = hts[pos : pos + len(su)] + h_agl
        pos += len(su)
        keep = _simplify(np.abs(su - su[0]), z, km, tol, max_seg)
        kind_at = dict(zip(np.flatnonzero(km).tolist(), ka.tolist(), strict=True))
        prof_u.append(su[keep])
        prof_kind.append(np.array([kind_at.get(i, TERRAIN) for i in keep]))
        prof_alt.append(z[keep].copy())
    for t in range(len(flown) - 1):
        ax, ay = to_xy(prof_u[t][-1], flown[t].v)
        bx, by = to_xy(prof_u[t + 1][0], flown[t + 1].v)
        n_s = max(2, math.ceil(math.hypot(bx - ax, by - ay) / step) + 1)
        f = np.linspace(0.0, 1.0, n_s)
        clat, clon = proj.to_geodetic(ax + f * (bx - ax), ay + f * (by - ay))
        ch = terrain_heights(terrain, clat, clon)
        _check_terrain(ch, clat, clon, f"turn after pass {t + 1}")
        za, zb = prof_alt[t][-1], prof_alt[t + 1][0]
        deficit = float(np.max(ch + h_agl - (za + f * (zb - za))))
        if deficit > 0.0:
            prof_alt[t][-1] += deficit
            prof_alt[t + 1][0] += deficit
    return prof_u, prof_kind, prof_alt
