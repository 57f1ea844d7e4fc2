"""Aircraft performance from the airframe's own trim: a small table, interpolated cheaply.

The table (:mod:`longwing.planning.trim_table`) holds every steady, wings-level flight of
the simulator's own aircraft (its force kernels and engine law, as :func:`trim` solves them)
as one grid ``CT(CW, gamma)``: thrust coefficient against the weight coefficient
``CW = n m g / (qbar S)`` and the climb angle, so that mass, altitude, airspeed, gravity and
load factor only enter through ``CW``. The power follows from the propulsion law
``T = eta P / max(V, V_s)`` and the fuel flow from ``BSFC * max(P, P_idle)`` with ``P``
clipped to the full-throttle power ``P_max(rho)`` (Gagg-Ferrar), as the engine kernel does.

Interpolation is bilinear on the uniform grid; against :func:`trim` the power agrees to about
1e-5 relative (tests/test_performance.py checks < 1 % at random off-grid points).

Turns: a coordinated level turn at bank ``phi`` is taken as straight flight at load factor
``n = 1 / cos(phi)`` (the lift of ``n`` times the weight); the pitch-rate terms of a real turn
(``CLq``, the elevator for ``Cmq q``) are left out: at 30 deg bank and 25 m/s they change the
power by about 1 %.

Outside the trimmable range (beyond the trim limit angle: "stalled"; more than full-throttle
power: "power limited"; less than zero power: "below idle", a descent steeper than the
engine-off glide) the table still returns smooth continuations so that interpolation never
sees holes; the flags say which values are not flyable.

Derived performance (all vectorised, SI units): best-endurance airspeed (least fuel flow),
best-range airspeed (most air distance per kg) and the speed to fly in a wind (most ground
distance per kg through the wind triangle), the full-throttle climb, ceiling, the engine-off
glide (best glide ratio and its airspeed) and the sink at idle. Speeds come back as true
airspeed (TAS); airspeed limits are given as equivalent airspeed (EAS), as ArduPlane's are.

The caller builds one :class:`PerformanceTable` per airframe and keeps it (there is no
module-level cache).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from longwing.airframe.params import Airframe
from longwing.geo.atmosphere import RHO0_KGPM3, isa
from longwing.geo.gravity import K_FREE_AIR_PER_S2, gravity_ned
from longwing.mathx import clamp
from longwing.physics.propulsion import max_power_w
from longwing.planning.trim_table import (
    GAMMA_MAX_RAD,
    GAMMA_MIN_RAD,
    RHO_ALT_MAX_M,
    RHO_ALT_MIN_M,
    RHO_D_ALT_M,
    build_trim_grid,
)

__all__ = [
    "ClimbResult",
    "GlideResult",
    "PerfPoint",
    "PerformanceTable",
    "SpeedResult",
    "eas_to_tas",
    "tas_to_eas",
]

N_SPEED_CANDIDATES = 49  # airspeeds tried per optimisation before the parabolic refinement
DEFAULT_LAT_RAD = math.radians(45.0)


def eas_to_tas(eas_mps, alt_m):
    """True airspeed (m/s) from equivalent airspeed at altitude (ISA)."""
    return np.asarray(eas_mps, float) * np.sqrt(RHO0_KGPM3 / _rho_exact(alt_m))


def tas_to_eas(tas_mps, alt_m):
    """Equivalent airspeed (m/s) from true airspeed at altitude (ISA)."""
    return np.asarray(tas_mps, float) * np.sqrt(_rho_exact(alt_m) / RHO0_KGPM3)


def _rho_exact(alt_m):
    alt = np.asarray(alt_m, float)
    flat = np.array([isa(float(h))[2] for h in alt.reshape(-1)])
    return flat.reshape(alt.shape) if alt.ndim else float(flat[0])


def _out(x: np.ndarray, scalar: bool):
    """A float for scalar queries, else the array."""
    return float(x) if scalar else x


@dataclass(frozen=True, eq=False)
class PerfPoint:
    """Steady flight at one (or many, broadcast) condition(s); arrays or floats.

    ``power_required_w`` is the shaft power the trim needs (negative: the descent is steeper
    than the engine-off glide; more than ``max_power_w``: beyond full throttle);
    ``throttle`` the unclipped throttle it corresponds to. ``power_w`` and
    ``fuel_flow_kgps`` are what the engine would actually do (power clipped to
    ``[0, max_power_w]``, fuel flow ``BSFC * max(P, P_idle)``).
    """

    power_required_w: np.ndarray | float
    power_w: np.ndarray | float
    max_power_w: np.ndarray | float
    throttle: np.ndarray | float
    thrust_n: np.ndarray | float
    fuel_flow_kgps: np.ndarray | float
    alpha_rad: np.ndarray | float
    elevator_rad: np.ndarray | float
    stalled: np.ndarray | bool  # beyond the trim limit (CLmax or full up-elevator)
    power_limited: np.ndarray | bool  # needs more than full throttle
    below_idle: np.ndarray | bool  # needs negative power: steeper than the engine-off glide

    @property
    def feasible(self):
        """Trimmable with the engine between idle and full throttle."""
        return np.logical_not(np.logical_or(self.stalled, self.power_limited))


@dataclass(frozen=True)
class SpeedResult:
    """An optimal airspeed and the flight there (arrays for array queries)."""

    tas_mps: np.ndarray | float
    eas_mps: np.ndarray | float
    fuel_flow_kgps: np.ndarray | float
    power_w: np.ndarray | float
    ground_speed_mps: np.ndarray | float  # equals TAS for no wind
    distance_per_kg_m: np.ndarray | float  # ground distance per kg of fuel


@dataclass(frozen=True)
class GlideResult:
    """Engine-off (or idle: zero thrust) glide at the best glide ratio."""

    glide_ratio: float  # horizontal distance / height lost = L/D
    tas_mps: float
    eas_mps: float
    sink_mps: float  # positive down
    gamma_rad: float  # flight-path angle (negative)
    alpha_rad: float


@dataclass(frozen=True)
class ClimbResult:
    """Best full-throttle climb at one mass and altitude."""

    climb_rate_mps: float
    tas_mps: float
    gamma_rad: float


@dataclass(frozen=True, eq=False)
class PerformanceTable:
    """Trim-derived performance of one airframe. Build with :meth:`build`.

    All query methods broadcast their array arguments (scalars give floats). Masses are
    total masses (dry + fuel), altitudes metres AMSL (ISA), airspeeds true airspeed unless
    named ``eas``.
    """

    airframe: Airframe
    cw0: float
    d_cw: float
    n_cw: int
    gamma0: float
    d_gamma: float
    n_gamma: int
    ct: np.ndarray = field(repr=False)  # (n_cw, n_gamma) thrust coefficient
    alpha: np.ndarray = field(repr=False)  # (n_cw, n_gamma) rad
    elevator: np.ndarray = field(repr=False)  # (n_cw, n_gamma) rad
    cw_lim: np.ndarray = field(repr=False)  # (n_gamma,) largest trimmable CW per gamma
    alpha_lim_rad: float
    alpha_clmax_rad: float
    sweep_alpha: np.ndarray = field(repr=False)  # the coefficient sweep (for glides)
    sweep_cx: np.ndarray = field(repr=False)
    sweep_cz: np.ndarray = field(repr=False)
    log_rho: np.ndarray = field(repr=False)  # ln(rho) every RHO_D_ALT_M from RHO_ALT_MIN_M
    g0_lat: np.ndarray = field(repr=False)  # Somigliana gravity every 0.25 deg of |lat|

    # --- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, af: Airframe) -> PerformanceTable:
        """Solve the trims of ``af`` (0.05 s; 0.3 s the first time in a process; see
        :mod:`longwing.planning.trim_table`)."""
        return cls(airframe=af, **build_trim_grid(af)._asdict())

    # --- atmosphere, gravity -------------------------------------------------------------

    def rho_kgpm3(self, alt_m):
        """ISA density (kg/m^3), interpolated in ln(rho) every 25 m (error < 1e-7)."""
        alt = np.asarray(alt_m, float)
        x = (np.clip(alt, RHO_ALT_MIN_M, RHO_ALT_MAX_M) - RHO_ALT_MIN_M) / RHO_D_ALT_M
        i = np.minimum(np.floor(x).astype(int), self.log_rho.size - 2)
        t = x - i
        return np.exp(self.log_rho[i] * (1.0 - t) + self.log_rho[i + 1] * t)

    def gravity_mps2(self, lat_rad, alt_m):
        """Normal gravity (m/s^2): Somigliana (tabulated every 0.25 deg) - free-air."""
        x = np.abs(np.degrees(np.asarray(lat_rad, float))) * 4.0
        i = np.minimum(np.floor(x).astype(int), self.g0_lat.size - 2)
        t = x - i
        g0 = self.g0_lat[i] * (1.0 - t) + self.g0_lat[i + 1] * t
        return g0 - K_FREE_AIR_PER_S2 * np.asarray(alt_m, float)

    def max_power_w(self, alt_m):
        """Full-throttle shaft power (W) at altitude (the engine kernel's law)."""
        p = self.airframe.prop
        rho = self.rho_kgpm3(alt_m)
        return np.maximum(0.0, p.power_sl_w * (p.lapse_a * rho / p.rho0_kgpm3 - p.lapse_b))

    def eas_to_tas(self, eas_mps, alt_m):
        return np.asarray(eas_mps, float) * np.sqrt(RHO0_KGPM3 / self.rho_kgpm3(alt_m))

    def tas_to_eas(self, tas_mps, alt_m):
        return np.asarray(tas_mps, float) * np.sqrt(self.rho_kgpm3(alt_m) / RHO0_KGPM3)

    # --- the table ------------------------------------------------------------------------

    def _lookup(self, cw, gamma):
        """Bilinear (CT, alpha, elevator, CW limit) at (CW, gamma); linear beyond the grid."""
        x = (cw - self.cw0) / self.d_cw
        y = (gamma - self.gamma0) / self.d_gamma
        i = np.clip(np.floor(x).astype(int), 0, self.n_cw - 2)
        j = np.clip(np.floor(y).astype(int), 0, self.n_gamma - 2)
        tx = x - i
        ty = y - j
        w00 = (1.0 - tx) * (1.0 - ty)
        w10 = tx * (1.0 - ty)
        w01 = (1.0 - tx) * ty
        w11 = tx * ty
        out = []
        for arr in (self.ct, self.alpha, self.elevator):
            out.append(
                w00 * arr[i, j]
                + w10 * arr[i + 1, j]
                + w01 * arr[i, j + 1]
                + w11 * arr[i + 1, j + 1]
            )
        cw_lim = self.cw_lim[j] * (1.0 - ty) + self.cw_lim[j + 1] * ty
        return out[0], out[1], out[2], cw_lim

    def point(
        self,
        mass_kg,
        alt_m,
        tas_mps,
        climb_rad=0.0,
        load_factor=1.0,
        lat_rad=DEFAULT_LAT_RAD,
    ) -> PerfPoint:
        """Steady flight: mass (kg), altitude (m), TAS (m/s), climb angle (rad), load factor
        (1 / cos(bank) for a level turn), latitude (for gravity). Broadcasts."""
        scalar = all(np.ndim(v) == 0 for v in (mass_kg, alt_m, tas_mps, climb_rad, load_factor))
        af = self.airframe
        alt = np.asarray(alt_m, float)
        v = np.asarray(tas_mps, float)
        rho = self.rho_kgpm3(alt)
        qs = 0.5 * rho * v * v * af.aero.S_m2
        weight = np.asarray(mass_kg, float) * self.gravity_mps2(lat_rad, alt)
        cw = np.asarray(load_factor, float) * weight / qs
        ct, alpha, de, cw_lim = self._lookup(cw, np.asarray(climb_rad, float))
        thrust = ct * qs
        p = af.prop
        power_req = thrust * np.maximum(v, p.thrust_min_speed_mps) / p.prop_eta
        pmax = np.maximum(0.0, p.power_sl_w * (p.lapse_a * rho / p.rho0_kgpm3 - p.lapse_b))
        power = np.clip(power_req, 0.0, pmax)
        ff = p.bsfc_kg_per_j * np.maximum(power, p.idle_power_w)
        with np.errstate(divide="ignore", invalid="ignore"):
            throttle = np.where(pmax > 0.0, power_req / pmax, np.inf)
        stalled = cw > cw_lim
        return PerfPoint(
            power_required_w=_out(power_req, scalar),
            power_w=_out(power, scalar),
            max_power_w=_out(pmax, scalar),
            throttle=_out(throttle, scalar),
            thrust_n=_out(thrust, scalar),
            fuel_flow_kgps=_out(ff, scalar),
            alpha_rad=_out(alpha, scalar),
            elevator_rad=_out(de, scalar),
            stalled=bool(stalled) if scalar else stalled,
            power_limited=bool(power_req > pmax) if scalar else power_req > pmax,
            below_idle=bool(power_req < 0.0) if scalar else power_req < 0.0,
        )

    def fuel_flow_kgps(
        self, mass_kg, alt_m, tas_mps, climb_rad=0.0, load_factor=1.0, lat_rad=DEFAULT_LAT_RAD
    ):
        """Fuel flow (kg/s) of steady flight (see :meth:`point`)."""
        return self.point(mass_kg, alt_m, tas_mps, climb_rad, load_factor, lat_rad).fuel_flow_kgps

    def power_required_w(
        self, mass_kg, alt_m, tas_mps, climb_rad=0.0, load_factor=1.0, lat_rad=DEFAULT_LAT_RAD
    ):
        """Shaft power (W) steady flight needs (unclipped, see :meth:`point`)."""
        pt = self.point(mass_kg, alt_m, tas_mps, climb_rad, load_factor, lat_rad)
        return pt.power_required_w

    def flight(
        self,
        mass_kg: float,
        alt_m: float,
        tas_mps: float,
        climb_rad: float = 0.0,
        load_factor: float = 1.0,
        lat_rad: float = DEFAULT_LAT_RAD,
    ) -> tuple[float, float, bool, bool]:
        """Scalar fast path for integrators: (fuel flow kg/s, required power W, stalled,
        power limited). Same numbers as :meth:`point` (exact ISA and gravity kernels)."""
        af = self.airframe
        _, _, rho = isa(alt_m)
        g = gravity_ned(lat_rad, alt_m)[2]
        qs = 0.5 * rho * tas_mps * tas_mps * af.aero.S_m2
        cw = load_factor * mass_kg * g / qs
        x = (cw - self.cw0) / self.d_cw
        y = (climb_rad - self.gamma0) / self.d_gamma
        i = clamp(int(math.floor(x)), 0, self.n_cw - 2)
        j = clamp(int(math.floor(y)), 0, self.n_gamma - 2)
        tx = x - i
        ty = y - j
        c = self.ct
        ct = (1.0 - ty) * ((1.0 - tx) * c[i, j] + tx * c[i + 1, j]) + ty * (
            (1.0 - tx) * c[i, j + 1] + tx * c[i + 1, j + 1]
        )
        cw_lim = self.cw_lim[j] * (1.0 - ty) + self.cw_lim[j + 1] * ty
        p = af.prop
        power_req = ct * qs * max(tas_mps, p.thrust_min_speed_mps) / p.prop_eta
        pmax = max_power_w(rho, p)
        ff = p.bsfc_kg_per_j * max(clamp(power_req, 0.0, pmax), p.idle_power_w)
        return ff, power_req, cw > cw_lim, power_req > pmax

    # --- limits ---------------------------------------------------------------------------

    def min_speed_mps(self, mass_kg, alt_m, load_factor=1.0, climb_rad=0.0):
        """Least trimmable TAS (m/s): the stall (CLmax) or full-up-elevator limit."""
        alt = np.asarray(alt_m, float)
        y = (np.asarray(climb_rad, float) - self.gamma0) / self.d_gamma
        j = np.clip(np.floor(y).astype(int), 0, self.n_gamma - 2)
        ty = y - j
        cw_lim = self.cw_lim[j] * (1.0 - ty) + self.cw_lim[j + 1] * ty
        w = np.asarray(load_factor, float) * np.asarray(mass_kg, float)
        w = w * self.gravity_mps2(DEFAULT_LAT_RAD, alt)
        v = np.sqrt(2.0 * w / (self.rho_kgpm3(alt) * self.airframe.aero.S_m2 * cw_lim))
        return _out(v, np.ndim(v) == 0)

    def _speed_bounds(self, mass, alt, eas_min, eas_max):
        env = self.airframe.envelope
        lo_eas = env.airspeed_min_mps if eas_min is None else eas_min
        hi_eas = env.airspeed_max_mps if eas_max is None else eas_max
        lo = np.maximum(self.eas_to_tas(lo_eas, alt), 1.001 * self.min_speed_mps(mass, alt))
        hi = self.eas_to_tas(hi_eas, alt)
        return lo, np.maximum(hi, lo)

    # --- optimal airspeeds ----------------------------------------------------------------

    def _optimise(self, objective, lo, hi, n=N_SPEED_CANDIDATES):
        """Maximise objective(v) (vectorised, shape (..., k)) for v in [lo, hi]."""
        lo = np.asarray(lo, float)
        hi = np.asarray(hi, float)
        frac = np.linspace(0.0, 1.0, n)
        v = lo[..., None] + (hi - lo)[..., None] * frac
        f = objective(v)
        k = np.argmax(f, axis=-1)
        # two passes of refinement around the best candidate
        for _ in range(2):
            step = (hi - lo) / (n - 1)
            centre = np.take_along_axis(v, k[..., None], -1)[..., 0]
            a = np.maximum(centre - step, lo)
            b = np.minimum(centre + step, hi)
            lo, hi = a, b
            v = lo[..., None] + (hi - lo)[..., None] * frac
            f = objective(v)
            k = np.argmax(f, axis=-1)
        return np.take_along_axis(v, k[..., None], -1)[..., 0]

    def best_endurance(self, mass_kg, alt_m, *, eas_min_mps=None, eas_max_mps=None) -> SpeedResult:
        """Airspeed of least fuel flow (longest time aloft) in level flight.

        The search is limited to the envelope's airspeeds (EAS; override with ``eas_min_mps``
        and ``eas_max_mps``) and to trimmable speeds."""
        return self.speed_to_fly(
            mass_kg, alt_m, endurance=True, eas_min_mps=eas_min_mps, eas_max_mps=eas_max_mps
        )

    def best_range(self, mass_kg, alt_m, *, eas_min_mps=None, eas_max_mps=None) -> SpeedResult:
        """Airspeed of most air distance per kg of fuel (max V / fuel flow), level flight."""
        return self.speed_to_fly(mass_kg, alt_m, eas_min_mps=eas_min_mps, eas_max_mps=eas_max_mps)

    def speed_to_fly(
        self,
        mass_kg,
        alt_m,
        wind_along_mps=0.0,
        wind_cross_mps=0.0,
        *,
        endurance: bool = False,
        eas_min_mps=None,
        eas_max_mps=None,
        lat_rad=DEFAULT_LAT_RAD,
    ) -> SpeedResult:
        """Airspeed that flies the most ground distance per kg of fuel in a wind.

        Maximises ``(sqrt(V^2 - w_cross^2) + w_along) / fuel_flow(V)``: the wind triangle
        with the heading corrected for the crosswind (``w_along`` > 0 a tailwind). A
        headwind raises the speed to fly, a tailwind lowers it (the classic MacCready-like
        construction: tangent from the point (-w_along, 0) to the fuel-flow curve). With
        ``endurance`` it minimises the fuel flow instead. Broadcasts.
        """
        scalar = all(np.ndim(x) == 0 for x in (mass_kg, alt_m, wind_along_mps, wind_cross_mps))
        m, h, wa, wx = np.broadcast_arrays(
            *(np.asarray(x, float) for x in (mass_kg, alt_m, wind_along_mps, wind_cross_mps))
        )
        lo, hi = self._speed_bounds(m, h, eas_min_mps, eas_max_mps)
        lo = np.maximum(lo, np.abs(wx) * 1.0001)
        hi = np.maximum(hi, lo)
        me, he, wae, wxe = (x[..., None] for x in (m, h, wa, wx))

        def objective(v):
            ff = self.point(me, he, v, 0.0, 1.0, lat_rad).fuel_flow_kgps
            if endurance:
                return -ff
            return (np.sqrt(np.maximum(v * v - wxe * wxe, 0.0)) + wae) / ff

        v = self._optimise(objective, lo, hi)
        pt = self.point(m, h, v, 0.0, 1.0, lat_rad)
        gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa
        return SpeedResult(
            tas_mps=_out(v, scalar),
            eas_mps=_out(self.tas_to_eas(v, h), scalar),
            fuel_flow_kgps=_out(np.asarray(pt.fuel_flow_kgps), scalar),
            power_w=_out(np.asarray(pt.power_w), scalar),
            ground_speed_mps=_out(gs, scalar),
            distance_per_kg_m=_out(gs / np.asarray(pt.fuel_flow_kgps), scalar),
        )

    # --- climb ----------------------------------------------------------------------------

    def climb_angle_rad(self, mass_kg, alt_m, tas_mps, throttle=1.0, lat_rad=DEFAULT_LAT_RAD):
        """Steady climb angle (rad) at ``throttle`` x full power and the given TAS
        (negative: the aircraft descends even at that power). Broadcasts."""
        scalar = all(np.ndim(x) == 0 for x in (mass_kg, alt_m, tas_mps, throttle))
        m, h, v, thr = np.broadcast_arrays(
            *(np.asarray(x, float) for x in (mass_kg, alt_m, tas_mps, throttle))
        )
        gam = np.linspace(GAMMA_MIN_RAD, GAMMA_MAX_RAD, self.n_gamma)
        p_req = self.point(m[..., None], h[..., None], v[..., None], gam, 1.0, lat_rad)
        target = thr * self.max_power_w(h)
        p = np.asarray(p_req.power_required_w)  # increasing with gamma
        n_below = np.sum(p < target[..., None], axis=-1)
        j = np.clip(n_below - 1, 0, self.n_gamma - 2)
        p0 = np.take_along_axis(p, j[..., None], -1)[..., 0]
        p1 = np.take_along_axis(p, (j + 1)[..., None], -1)[..., 0]
        t = (target - p0) / (p1 - p0)
        out = gam[j] + t * (gam[j + 1] - gam[j])
        return _out(out, scalar)

    def climb_rate_mps(self, mass_kg, alt_m, tas_mps, throttle=1.0, lat_rad=DEFAULT_LAT_RAD):
        """Steady rate of climb (m/s) at ``throttle`` x full power and the given TAS."""
        gam = self.climb_angle_rad(mass_kg, alt_m, tas_mps, throttle, lat_rad)
        return np.asarray(tas_mps) * np.sin(gam)

    def max_climb(self, mass_kg: float, alt_m: float, throttle: float = 1.0) -> ClimbResult:
        """Best rate of climb at full (or the given) throttle: rate, airspeed and angle.

        Searched over all trimmable airspeeds up to the envelope's maximum."""
        lo = 1.001 * self.min_speed_mps(mass_kg, alt_m)
        hi = max(float(self.eas_to_tas(self.airframe.envelope.airspeed_max_mps, alt_m)), lo)

        def objective(v):
            return v * np.sin(self.climb_angle_rad(mass_kg, alt_m, v, throttle))

        v = float(self._optimise(objective, np.array(lo), np.array(hi), n=25))
        gam = float(self.climb_angle_rad(mass_kg, alt_m, v, throttle))
        return ClimbResult(climb_rate_mps=v * math.sin(gam), tas_mps=v, gamma_rad=gam)

    def ceiling_m(self, mass_kg: float, min_climb_mps: float = 0.0, throttle: float = 1.0):
        """Altitude (m) where the best climb rate falls to ``min_climb_mps`` (0: absolute
        ceiling; 0.5 m/s is the usual service ceiling). ``inf`` above 20 km."""
        lo, hi = -500.0, RHO_ALT_MAX_M
        if self.max_climb(mass_kg, hi, throttle).climb_rate_mps > min_climb_mps:
            return math.inf
        if self.max_climb(mass_kg, lo, throttle).climb_rate_mps <= min_climb_mps:
            return lo
        while hi - lo > 1.0:
            mid = 0.5 * (lo + hi)
            if self.max_climb(mass_kg, mid, throttle).climb_rate_mps > min_climb_mps:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    # --- glide ----------------------------------------------------------------------------

    def best_glide(self, mass_kg: float, alt_m: float, lat_rad=DEFAULT_LAT_RAD) -> GlideResult:
        """Engine off (zero thrust): the best glide ratio (= the trimmed L/D maximum), its
        airspeed and sink rate."""
        cx, cz, al = self.sweep_cx, self.sweep_cz, self.sweep_alpha
        theta = np.arctan2(cx, -cz)  # pitch of the zero-thrust trim
        gamma = theta - al
        k = int(np.argmax(gamma))  # shallowest glide
        # parabolic refinement over the sampled angles
        if 0 < k < gamma.size - 1:
            y0, y1, y2 = gamma[k - 1], gamma[k], gamma[k + 1]
            den = y0 - 2.0 * y1 + y2
            s = 0.5 * (y0 - y2) / den if den < 0.0 else 0.0
        else:
            s = 0.0
        da = al[1] - al[0]
        a_best = float(al[k] + s * da)
        cx_b = float(np.interp(a_best, al, cx))
        cz_b = float(np.interp(a_best, al, cz))
        th_b = math.atan2(cx_b, -cz_b)
        g_b = th_b - a_best
        cw = math.hypot(cx_b, cz_b)
        rho = float(self.rho_kgpm3(alt_m))
        weight = mass_kg * float(self.gravity_mps2(lat_rad, alt_m))
        v = math.sqrt(2.0 * weight / (rho * self.airframe.aero.S_m2 * cw))
        return GlideResult(
            glide_ratio=-1.0 / math.tan(g_b),
            tas_mps=v,
            eas_mps=float(self.tas_to_eas(v, alt_m)),
            sink_mps=-v * math.sin(g_b),
            gamma_rad=g_b,
            alpha_rad=a_best,
        )

    def idle_sink_mps(self, mass_kg, alt_m, tas_mps):
        """Sink rate (m/s, positive down) at idle / engine off (zero thrust) at the TAS."""
        gam = self.climb_angle_rad(mass_kg, alt_m, tas_mps, throttle=0.0)
        return -np.asarray(tas_mps) * np.sin(gam)
