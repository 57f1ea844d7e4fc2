"""The trim table behind :class:`~longwing.planning.performance.PerformanceTable`: every
steady flight of one airframe, solved once.

What the table holds
--------------------
Steady, wings-level, unaccelerated flight of the simulator's aircraft (the very force kernels
:func:`longwing.physics.aero.aero_forces_moments` and the engine law of
:mod:`longwing.physics.propulsion`, i.e. :func:`longwing.physics.trim.trim` with no turn):
the body-axis force balance along x and z and the pitching moment balance, with sideslip,
bank, body rates, aileron and rudder zero (a symmetric airframe) and pitch = alpha + gamma.

Divided by ``qbar S`` (dynamic pressure x wing area) the three trim equations depend on the
flight condition only through the weight coefficient ``CW = n m g / (qbar S)`` and the climb
angle ``gamma``:

    CX(alpha) + CT - CW sin(alpha + gamma) = 0       (x force; CT = thrust / (qbar S))
    CZ(alpha) + CW cos(alpha + gamma) = 0            (z force)
    Cm(alpha, elevator) = 0                          (moment -> elevator(alpha))

So one two-dimensional table ``CT(CW, gamma)`` (with ``alpha`` and ``elevator``) is every trim
of every mass, altitude, airspeed and latitude, exactly: mass, altitude (ISA density), true
airspeed, gravity (Somigliana with the free-air gradient, as :func:`trim` uses) and a load
factor ``n`` only enter through ``CW``.

Building: the coefficient kernels are sampled at ~1,600 angles of attack from -0.12 rad to
the trim limit (the smaller of the angle of maximum lift of :func:`trim.alpha_at_cl_max` and
the angle at which the moment balance needs the full up-elevator); for each of 81 climb
angles (-0.5..0.5 rad) the z equation gives ``CW(alpha)`` and the x equation ``CT(alpha)``
explicitly, which are resampled onto a uniform ``CW`` grid. No iteration at all: 0.05 s (0.3 s
the first time in a process, loading the compiled kernels). Beyond the trim limit the grid
continues along straight lines (smooth for interpolation; the queries flag it as stalled).
With it go ln(rho) of the ISA every 25 m and Somigliana gravity every 0.25 deg of latitude,
for the vectorised queries.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from longwing.airframe.params import Airframe
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import somigliana_mps2
from longwing.physics.aero import aero_forces_moments
from longwing.physics.trim import alpha_at_cl_max

__all__ = ["TrimGrid", "build_trim_grid"]

ALPHA_LOW_RAD = -0.12  # lowest angle of attack sampled (CW < 0: far beyond any airspeed)
N_ALPHA = 1601
GAMMA_MIN_RAD = -0.5
GAMMA_MAX_RAD = 0.5
N_GAMMA = 81
D_CW = 0.0025  # spacing of the weight-coefficient grid
CW_STALL_MARGIN = 1.15  # the grid extends this far beyond the largest trimmable CW
RHO_ALT_MIN_M = -1000.0
RHO_ALT_MAX_M = 20000.0
RHO_D_ALT_M = 25.0


class TrimGrid(NamedTuple):
    """The solved trims of one airframe (read-only arrays): the fields of a
    :class:`~longwing.planning.performance.PerformanceTable` besides its airframe."""

    cw0: float
    d_cw: float
    n_cw: int
    gamma0: float
    d_gamma: float
    n_gamma: int
    ct: np.ndarray  # (n_cw, n_gamma) thrust coefficient
    alpha: np.ndarray  # (n_cw, n_gamma) rad
    elevator: np.ndarray  # (n_cw, n_gamma) rad
    cw_lim: np.ndarray  # (n_gamma,) largest trimmable CW per gamma
    alpha_lim_rad: float
    alpha_clmax_rad: float
    sweep_alpha: np.ndarray  # the coefficient sweep (for glides)
    sweep_cx: np.ndarray
    sweep_cz: np.ndarray
    log_rho: np.ndarray  # ln(rho) every RHO_D_ALT_M from RHO_ALT_MIN_M
    g0_lat: np.ndarray  # Somigliana gravity every 0.25 deg of |lat|


def _coefficient_sweep(af: Airframe) -> dict[str, np.ndarray | float]:
    """Trimmed (moment-balanced) force coefficients at the sampled angles of attack."""
    a = af.aero
    rho_unit = 2.0 / a.S_m2  # with V = 1 m/s: qbar S = 1, forces are coefficients
    alpha_clmax, _ = alpha_at_cl_max(af)

    def moment_balance(alpha: float) -> tuple[float, float, float]:
        u, w = math.cos(alpha), math.sin(alpha)
        m0 = aero_forces_moments(u, 0.0, w, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rho_unit, a)[4]
        m1 = aero_forces_moments(u, 0.0, w, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, rho_unit, a)[4]
        de = -m0 / (m1 - m0)
        f = aero_forces_moments(u, 0.0, w, 0.0, 0.0, 0.0, de, 0.0, 0.0, rho_unit, a)
        return de, f[0], f[2]

    # the trim limit: CLmax, or the full up-elevator if it comes first
    de_max = af.actuators.de_max_rad
    lo, hi = ALPHA_LOW_RAD, alpha_clmax
    if abs(moment_balance(hi)[0]) > de_max:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if abs(moment_balance(mid)[0]) > de_max:
                hi = mid
            else:
                lo = mid
        alpha_lim = lo
    else:
        alpha_lim = alpha_clmax
    alphas = np.linspace(ALPHA_LOW_RAD, alpha_lim, N_ALPHA)
    rows = np.array([moment_balance(float(al)) for al in alphas])
    return {
        "alpha": alphas,
        "de": rows[:, 0],
        "cx": rows[:, 1],
        "cz": rows[:, 2],
        "alpha_lim": alpha_lim,
        "alpha_clmax": alpha_clmax,
    }


def build_trim_grid(af: Airframe) -> TrimGrid:
    """Solve the trims of ``af`` onto the ``CT(CW, gamma)`` grid (see the module doc)."""
    sw = _coefficient_sweep(af)
    alpha, cx, cz, de = sw["alpha"], sw["cx"], sw["cz"], sw["de"]
    gammas = np.linspace(GAMMA_MIN_RAD, GAMMA_MAX_RAD, N_GAMMA)
    theta = alpha[:, None] + gammas[None, :]
    cw_a = -cz[:, None] / np.cos(theta)  # z equation -> CW(alpha, gamma)
    ct_a = cw_a * np.sin(theta) - cx[:, None]  # x equation -> CT(alpha, gamma)
    if np.any(np.diff(cw_a, axis=0) <= 0.0):
        raise ValueError(
            f"airframe {af.name}: trimmed lift is not monotonic in angle of attack below "
            "the trim limit; the performance table cannot be built"
        )
    cw_lim = cw_a[-1, :].copy()
    n_cw = int(math.ceil(CW_STALL_MARGIN * float(cw_lim.max()) / D_CW)) + 1
    cws = np.arange(n_cw) * D_CW
    ct = np.empty((n_cw, N_GAMMA))
    al = np.empty((n_cw, N_GAMMA))
    el = np.empty((n_cw, N_GAMMA))
    # continuation beyond the trim limit: straight lines with the slopes of the last
    # 5 % of the sweep (smooth for interpolation; flagged as stalled)
    k = int(0.95 * (N_ALPHA - 1))
    for j in range(N_GAMMA):
        xs = cw_a[:, j]
        ct[:, j] = np.interp(cws, xs, ct_a[:, j])
        al[:, j] = np.interp(cws, xs, alpha)
        el[:, j] = np.interp(cws, xs, de)
        beyond = cws > xs[-1]
        if np.any(beyond):
            dx = xs[-1] - xs[k]
            for arr, ys in ((ct, ct_a[:, j]), (al, alpha), (el, de)):
                slope = (ys[-1] - ys[k]) / dx
                arr[beyond, j] = ys[-1] + slope * (cws[beyond] - xs[-1])
    alts = np.arange(RHO_ALT_MIN_M, RHO_ALT_MAX_M + 0.5 * RHO_D_ALT_M, RHO_D_ALT_M)
    log_rho = np.log([isa(float(h))[2] for h in alts])
    lats = np.radians(np.arange(0.0, 90.0 + 0.125, 0.25))
    g0 = np.array([somigliana_mps2(float(x)) for x in lats])
    for arr in (ct, al, el, cw_lim, log_rho, g0, alpha, cx, cz):
        arr.setflags(write=False)
    return TrimGrid(
        cw0=0.0,
        d_cw=D_CW,
        n_cw=n_cw,
        gamma0=GAMMA_MIN_RAD,
        d_gamma=(GAMMA_MAX_RAD - GAMMA_MIN_RAD) / (N_GAMMA - 1),
        n_gamma=N_GAMMA,
        ct=ct,
        alpha=al,
        elevator=el,
        cw_lim=cw_lim,
        alpha_lim_rad=float(sw["alpha_lim"]),
        alpha_clmax_rad=float(sw["alpha_clmax"]),
        sweep_alpha=alpha,
        sweep_cx=cx,
        sweep_cz=cz,
        log_rho=log_rho,
        g0_lat=g0,
    )
