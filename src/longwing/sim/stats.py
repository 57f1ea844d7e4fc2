"""Tracking and navigation statistics of a flight, computed from what the loop logs (never
inside the kernel under test).

Counted as before they moved here, on the log's rows (10 Hz by default):

* cross-track (truth, from the logged position against the target's leg on the ellipsoid,
  :func:`longwing.geo.legs.leg_track`): on straight legs, once the aircraft has captured the
  leg (within :data:`CAPTURE_XTRACK_M` of the track and :data:`CAPTURE_COURSE_RAD` of its
  course; per target);
* height and airspeed errors (truth against the demands): on legs and captured loiters,
  once the height has come within :data:`CAPTURE_ALT_M` of the demand (per target);
* navigation: the EKF's horizontal position error on every row; the wind error (against the
  steady wind at the true height, without turbulence) once the EKF's wind sigma is below
  :data:`WIND_KNOWN_SIGMA_MPS`.

:class:`FlightStats` takes the rows as they come (a chunk at a time) with the guidance
target in force for them, so it works on a log streamed to disk as well as on one in memory.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from longwing.control import target as tg
from longwing.geo.legs import leg_frame, leg_track
from longwing.geo.wgs84 import geodetic_to_ecef
from longwing.mathx import wrap_pi

CAPTURE_XTRACK_M = 10.0
CAPTURE_COURSE_RAD = math.radians(10.0)
CAPTURE_ALT_M = 5.0
WIND_KNOWN_SIGMA_MPS = 1.0
BATCH_ROWS = 4096  # rows counted at once (a few minutes of flight at 10 Hz)


@njit(cache=True)
def _leg_errors(tgt: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray,
                vn: np.ndarray, ve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Truth cross-track (m) and course error (rad) of each row against the target's leg."""
    f = leg_frame(tgt[tg.AX], tgt[tg.AY], tgt[tg.AZ], tgt[tg.BX], tgt[tg.BY], tgt[tg.BZ])
    n = lat.shape[0]
    xt = np.empty(n)
    crs = np.empty(n)
    for i in range(n):
        px, py, pz = geodetic_to_ecef(lat[i], lon[i], alt[i])
        xt[i], _, _, trk = leg_track(f, px, py, pz)
        crs[i] = wrap_pi(math.atan2(ve[i], vn[i]) - trk)
    return xt, crs


def _captured(cond: np.ndarray, already: bool) -> np.ndarray:
    """Rows at or after the first where ``cond`` holds (or all, if ``already``)."""
    if already:
        return np.ones(cond.shape, dtype=bool)
    return np.maximum.accumulate(cond) if cond.size else cond


class FlightStats:
    """Running sums of the statistics (see the module doc); :meth:`summary` gives them."""

    def __init__(self, columns: tuple[str, ...], wind_arrays, truth_nav: bool) -> None:
        self.col = {n: i for i, n in enumerate(columns)}
        self.wind = wind_arrays
        self.truth_nav = truth_nav
        self.target_id = -1
        self.leg_cap = False
        self.alt_cap = False
        self.xt = [0.0, 0, 0.0]  # sum of squares, count, max |.|
        self.alt = [0.0, 0]
        self.spd = [0.0, 0]
        self.nav = [0.0, 0, 0.0]
        self.wind_err = [0.0, 0]
        # rows of the present target not yet counted: summed in batches, not per chunk
        self._pending: list[np.ndarray] = []
        self._n_pending = 0
        self._tgt = None

    def add(self, rows: np.ndarray, tgt: np.ndarray, target_id: int) -> None:
        """Rows (kernel units) flown under target ``tgt`` (id: a new id clears the per-target
        capture). Copied and counted in batches."""
        if rows.shape[0] == 0:
            return
        if target_id != self.target_id:
            self._flush()
        self._pending.append(np.array(rows))
        self._n_pending += rows.shape[0]
        self._tgt = tgt.copy()
        if target_id != self.target_id:
            self.target_id = target_id
            self.leg_cap = self.alt_cap = False
        if self._n_pending >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._n_pending:
            rows = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending = []
            self._n_pending = 0
            self._count(rows, self._tgt)

    def _count(self, rows: np.ndarray, tgt: np.ndarray) -> None:
        c = self.col
        lat, lon, alt = rows[:, c["lat_rad"]], rows[:, c["lon_rad"]], rows[:, c["alt_m"]]
        kind = int(tgt[tg.KIND])
        if kind == tg.TK_LEG and tgt[tg.LEG_LEN] >= 1.0:
            xt, crs = _leg_errors(tgt, lat, lon, alt, rows[:, c["vn_mps"]], rows[:, c["ve_mps"]])
            cap = _captured((np.abs(xt) < CAPTURE_XTRACK_M) & (np.abs(crs) < CAPTURE_COURSE_RAD),
                            self.leg_cap)  # fmt: skip
            self.leg_cap = bool(cap[-1])
            sel = xt[cap]
            self.xt[0] += float(np.sum(sel * sel))
            self.xt[1] += int(sel.size)
            if sel.size:
                self.xt[2] = max(self.xt[2], float(np.max(np.abs(sel))))
        if kind == tg.TK_LEG or kind == tg.TK_LOITER:
            alt_err = alt - rows[:, c["alt_cmd_m"]]
            ok = np.ones(alt.shape, dtype=bool)
            if kind == tg.TK_LOITER:
                ok = rows[:, c["loiter_captured"]] > 0.5
            cap = _captured(ok & (np.abs(alt_err) < CAPTURE_ALT_M), self.alt_cap) & ok
            self.alt_cap = self.alt_cap or bool(cap.any())
            spd_err = rows[:, c["tas_mps"]] - rows[:, c["tas_cmd_mps"]]
            self.alt[0] += float(np.sum(alt_err[cap] ** 2))
            self.alt[1] += int(np.count_nonzero(cap))
            self.spd[0] += float(np.sum(spd_err[cap] ** 2))
            self.spd[1] += int(np.count_nonzero(cap))
        if not self.truth_nav:
            e = rows[:, c["est_pos_err_m"]]
            self.nav[0] += float(np.sum(e * e))
            self.nav[1] += int(e.size)
            self.nav[2] = max(self.nav[2], float(np.max(e)))
            known = rows[:, c["est_sigma_wind_mps"]] < WIND_KNOWN_SIGMA_MPS
            if known.any():  # the steady wind (physics.wind: linear in height, clamped)
                wn_, we_ = self._steady_wind(rows[known], alt[known])
                dn = rows[known, c["est_wind_n_mps"]] - wn_
                de = rows[known, c["est_wind_e_mps"]] - we_
                self.wind_err[0] += float(np.sum(dn * dn + de * de))
                self.wind_err[1] += int(dn.size)

    def _steady_wind(self, rows: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The truth's steady wind at the rows: layers (a WindField or its arrays) by
        height, a forecast grid (physics.wind.GriddedWind lookup) by time and place."""
        w = self.wind
        if isinstance(w, tuple) or hasattr(w, "arrays"):
            wa, wn_, we_ = w if isinstance(w, tuple) else w.arrays()
            return np.interp(h, wa, wn_), np.interp(h, wa, we_)
        from longwing.physics.wind import gridded_wind_many

        c = self.col
        wn_, we_ = np.empty(h.size), np.empty(h.size)
        gridded_wind_many(np.ascontiguousarray(rows[:, c["t_s"]]),
                          np.ascontiguousarray(rows[:, c["lat_rad"]]),
                          np.ascontiguousarray(rows[:, c["lon_rad"]]),
                          np.ascontiguousarray(h), w.kernel_grid(), wn_, we_)  # fmt: skip
        return wn_, we_

    def summary(self) -> dict:
        self._flush()

        def rms(acc) -> float | None:
            return math.sqrt(acc[0] / acc[1]) if acc[1] > 0 else None

        return {
            "rms_xtrack_m": rms(self.xt),
            "max_xtrack_m": self.xt[2] if self.xt[1] > 0 else None,
            "rms_alt_err_m": rms(self.alt),
            "rms_airspeed_err_mps": rms(self.spd),
            "nav_rms_pos_err_m": rms(self.nav),
            "nav_max_pos_err_m": self.nav[2] if self.nav[1] > 0 else None,
            "nav_rms_wind_err_mps": rms(self.wind_err),
        }
