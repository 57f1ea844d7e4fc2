"""Trim (wings-level, climbing, coordinated turns) and linearised modes.

Trim is solved on the local level frame at the given latitude and altitude, with the local
normal gravity and ISA density, using the very force and moment kernels the simulator flies.
The Earth's rotation and curvature terms (Coriolis ~ 2 Omega V ~ 4e-3 m/s^2 at 25 m/s, about
0.04 % of g) are left out of the trim equations, as is conventional: they change alpha by
under 0.003 deg.

Unknowns: alpha, bank phi, elevator, aileron, rudder, throttle, with sideslip beta = 0 (a
coordinated turn). Equations: the six body-axis accelerations vanish, with body rates from
the steady turn rate psi_dot = Va cos(gamma) / R.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from longwing.airframe.params import Airframe
from longwing.geo.atmosphere import isa
from longwing.geo.gravity import gravity_ned
from longwing.geo.rotation import dcm_to_quat, euler_to_dcm, quat_to_dcm
from longwing.geo.wgs84 import (
    OMEGA_EARTH_RADPS,
    geodetic_to_ecef,
    ned_to_ecef_dcm,
    radii_of_curvature,
)
from longwing.physics.aero import aero_forces_moments, air_data, lift_coefficient
from longwing.physics.propulsion import engine, max_power_w
from longwing.physics.rigidbody import N_ENV, derivatives, inertia_gammas
from longwing.physics.state import FUEL, N_STATE, POS, QUAT, RATES, VEL


class TrimError(ValueError):
    """The requested condition cannot be trimmed (one line says why)."""


@dataclass(frozen=True)
class TrimCondition:
    airspeed_mps: float
    altitude_m: float
    latitude_rad: float
    fuel_kg: float
    climb_rad: float = 0.0
    turn_radius_m: float = math.inf  # signed: > 0 right turn, < 0 left turn; inf = straight


@dataclass(frozen=True)
class TrimResult:
    alpha_rad: float
    beta_rad: float
    phi_rad: float
    theta_rad: float
    elevator_rad: float
    aileron_rad: float
    rudder_rad: float
    throttle: float
    p_radps: float
    q_radps: float
    r_radps: float
    power_w: float
    thrust_n: float
    fuel_flow_kgps: float
    mass_kg: float
    gravity_mps2: float
    rho_kgpm3: float
    lift_to_drag: float
    residual: float

    def controls(self) -> np.ndarray:
        return np.array([self.elevator_rad, self.aileron_rad, self.rudder_rad, self.throttle])

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def turn_rate_radps(cond: TrimCondition) -> float:
    if math.isinf(cond.turn_radius_m):
        return 0.0
    return cond.airspeed_mps * math.cos(cond.climb_rad) / cond.turn_radius_m


def pitch_from_flight_path(alpha: float, beta: float, phi: float, gamma: float) -> float:
    """Pitch angle that gives flight-path angle gamma for the given alpha, beta and bank."""
    a = math.cos(alpha) * math.cos(beta)
    b = math.sin(phi) * math.sin(beta) + math.cos(phi) * math.sin(alpha) * math.cos(beta)
    return math.asin(max(-1.0, min(1.0, math.sin(gamma) / math.hypot(a, b)))) + math.atan2(b, a)


def body_dynamics(
    af: Airframe,
    uvw: tuple[float, float, float],
    pqr: tuple[float, float, float],
    phi: float,
    theta: float,
    ctrl: np.ndarray,
    rho: float,
    g: float,
    fuel_kg: float,
) -> tuple[np.ndarray, float, float, float]:
    """Flat-earth body-axis accelerations [u', v', w', p', q', r'] and engine outputs."""
    u, v, w = uvw
    p, q, r = pqr
    mass = af.mass_kg(fuel_kg)
    fx, fy, fz, l_, m_, n_ = aero_forces_moments(
        u, v, w, p, q, r, ctrl[0], ctrl[1], ctrl[2], rho, af.aero
    )
    va, _, _ = air_data(u, v, w)
    thrust, power, fuel_flow = engine(ctrl[3], va, rho, True, fuel_kg, af.prop)
    if not 0.0 <= ctrl[3] <= 1.0:
        # Let the solver see throttle beyond its travel, so that "needs 115 % power" is a
        # finding rather than a failure to converge; the limit is checked afterwards.
        power = ctrl[3] * max_power_w(rho, af.prop)
        thrust = af.prop.prop_eta * power / max(va, af.prop.thrust_min_speed_mps)
    fx += thrust
    g1, g2, g3, g4, g5, g6, g7, g8 = inertia_gammas(af.mass)
    st, ct = math.sin(theta), math.cos(theta)
    sf, cf = math.sin(phi), math.cos(phi)
    acc = np.array(
        [
            r * v - q * w + fx / mass - g * st,
            p * w - r * u + fy / mass + g * ct * sf,
            q * u - p * v + fz / mass + g * ct * cf,
            g1 * p * q - g2 * q * r + g3 * l_ + g4 * n_,
            g5 * p * r - g6 * (p * p - r * r) + m_ / af.mass.Jy,
            g7 * p * q - g1 * q * r + g4 * l_ + g8 * n_,
        ]
    )
    return acc, power, thrust, fuel_flow


def _table_lift_coefficient(alpha: float, af: Airframe) -> float:
    """Static CL of table aerodynamics (surfaces neutral, no rates, out of ground effect)."""
    va, rho = 30.0, 1.225
    u, w = va * math.cos(alpha), va * math.sin(alpha)
    fx, _, fz, *_ = aero_forces_moments(u, 0.0, w, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rho, af.aero)
    return (fx * math.sin(alpha) - fz * math.cos(alpha)) / (0.5 * rho * va * va * af.aero.S_m2)


def alpha_at_cl_max(af: Airframe) -> tuple[float, float]:
    """Angle of attack (rad) of maximum static lift coefficient, and CLmax."""
    alphas = np.linspace(0.0, 0.6, 6001)
    if af.aero.table is not None:
        from longwing.physics.table_aero import reset_table_aero

        reset_table_aero(af.aero.table)  # below the hysteresis' stall: the unstalled curve
        cls = np.array([_table_lift_coefficient(a, af) for a in alphas])
        reset_table_aero(af.aero.table)
    else:
        cls = np.array([lift_coefficient(a, af.aero) for a in alphas])
    i = int(np.argmax(cls))
    return float(alphas[i]), float(cls[i])


def _state(cond: TrimCondition, alpha: float, phi: float):
    va = cond.airspeed_mps
    uvw = (va * math.cos(alpha), 0.0, va * math.sin(alpha))
    theta = pitch_from_flight_path(alpha, 0.0, phi, cond.climb_rad)
    psi_dot = turn_rate_radps(cond)
    pqr = (
        -psi_dot * math.sin(theta),
        psi_dot * math.sin(phi) * math.cos(theta),
        psi_dot * math.cos(phi) * math.cos(theta),
    )
    return uvw, pqr, theta


def trim(af: Airframe, cond: TrimCondition) -> TrimResult:
    """Solve the trim; raise :class:`TrimError` naming the limit if it is impossible."""
    if not cond.airspeed_mps > 0.0:
        raise TrimError(f"airspeed must be positive, got {cond.airspeed_mps} m/s")
    if not 0.0 <= cond.fuel_kg <= af.mass.fuel_capacity_kg:
        raise TrimError(f"fuel {cond.fuel_kg} kg is outside [0, {af.mass.fuel_capacity_kg}] kg")
    if cond.fuel_kg == 0.0:
        raise TrimError("no fuel: the engine is stopped, powered trim is impossible")
    _, _, rho = isa(cond.altitude_m)
    _, _, g = gravity_ned(cond.latitude_rad, cond.altitude_m)
    mass = af.mass_kg(cond.fuel_kg)
    va = cond.airspeed_mps
    qbar_s = 0.5 * rho * va * va * af.aero.S_m2
    psi_dot = turn_rate_radps(cond)
    phi0 = math.atan2(va * psi_dot, g)
    n_load = 1.0 / math.cos(phi0)
    alpha_max, cl_max = alpha_at_cl_max(af)
    cl_req = mass * g * n_load * math.cos(cond.climb_rad) / qbar_s
    if cl_req > cl_max:
        v_stall = math.sqrt(2.0 * mass * g * n_load / (rho * af.aero.S_m2 * cl_max))
        turn = f" in a {math.degrees(phi0):.0f} deg banked turn" if psi_dot else ""
        raise TrimError(
            f"below stall: {va:g} m/s{turn} needs CL {cl_req:.2f} > CLmax {cl_max:.2f} "
            f"(stall speed {v_stall:.1f} m/s at {mass:.2f} kg, {cond.altitude_m:g} m)"
        )
    if max_power_w(rho, af.prop) <= 0.0:
        raise TrimError(f"engine produces no power at {cond.altitude_m:g} m")
    a = af.aero
    alpha0 = (cl_req - a.CL0) / a.CLalpha
    de0 = -(a.Cm0 + a.Cmalpha * alpha0) / a.Cmde
    x0 = np.array([alpha0, phi0, de0, 0.0, 0.0, 0.4])
    scale = np.array([1.0, 1.0, 1.0, 10.0, 10.0, 10.0])

    def residual(z: np.ndarray) -> np.ndarray:
        alpha, phi = z[0], z[1]
        uvw, pqr, theta = _state(cond, alpha, phi)
        acc, _, _, _ = body_dynamics(af, uvw, pqr, phi, theta, z[2:], rho, g, cond.fuel_kg)
        return acc * scale

    sol = least_squares(residual, x0, xtol=1e-14, ftol=1e-14, gtol=1e-14, method="lm")
    z = sol.x
    res = float(np.max(np.abs(residual(z))))
    alpha, phi, de, da, dr, dt = (float(v) for v in z)
    if res > 1e-8:
        raise TrimError(f"no trim found at {va:g} m/s (residual {res:.2e}); condition infeasible")
    if alpha > alpha_max:
        raise TrimError(f"below stall: trim alpha {math.degrees(alpha):.1f} deg is past CLmax")
    act = af.actuators
    if dt > 1.0:
        raise TrimError(
            f"beyond power: needs throttle {dt:.2f} > 1 "
            f"({dt * max_power_w(rho, af.prop):.0f} W of {max_power_w(rho, af.prop):.0f} W)"
        )
    if dt < 0.0:
        raise TrimError(f"too steep a descent: needs throttle {dt:.2f} < 0 (negative thrust)")
    for name, val, lim in (
        ("elevator", de, act.de_max_rad),
        ("aileron", da, act.da_max_rad),
        ("rudder", dr, act.dr_max_rad),
    ):
        if abs(val) > lim:
            raise TrimError(
                f"beyond {name} limit: needs {math.degrees(val):.1f} deg, "
                f"limit +/-{math.degrees(lim):.0f} deg"
            )
    if abs(phi) > af.envelope.bank_max_rad:
        raise TrimError(
            f"beyond bank limit: needs {math.degrees(phi):.1f} deg bank, "
            f"limit {math.degrees(af.envelope.bank_max_rad):.0f} deg"
        )
    uvw, pqr, theta = _state(cond, alpha, phi)
    ctrl = np.array([de, da, dr, dt])
    _, power, thrust, fuel_flow = body_dynamics(
        af, uvw, pqr, phi, theta, ctrl, rho, g, cond.fuel_kg
    )
    fx, fy, fz, *_ = aero_forces_moments(*uvw, *pqr, de, da, dr, rho, af.aero)
    ca, sa = math.cos(alpha), math.sin(alpha)
    drag = -(fx * ca + fz * sa)
    lift = fx * sa - fz * ca
    return TrimResult(
        alpha_rad=alpha,
        beta_rad=0.0,
        phi_rad=phi,
        theta_rad=theta,
        elevator_rad=de,
        aileron_rad=da,
        rudder_rad=dr,
        throttle=dt,
        p_radps=pqr[0],
        q_radps=pqr[1],
        r_radps=pqr[2],
        power_w=power,
        thrust_n=thrust,
        fuel_flow_kgps=fuel_flow,
        mass_kg=mass,
        gravity_mps2=g,
        rho_kgpm3=rho,
        lift_to_drag=lift / drag,
        residual=res,
    )


# ---------------------------------------------------------------------------------------
# Linearised modes


@dataclass(frozen=True)
class Mode:
    name: str
    eigenvalues: tuple[complex, ...]
    frequency_radps: float  # natural frequency |lambda| (oscillatory) or |lambda| (real)
    damping: float  # zeta; 1 for a stable real root, -1 for an unstable one

    @property
    def time_constant_s(self) -> float:
        re = self.eigenvalues[0].real
        return math.inf if re == 0.0 else -1.0 / re

    def as_dict(self) -> dict:
        """JSON-ready: eigenvalues [re, im], frequency, damping, and for a real root its time
        constant (stable) or time to double amplitude (unstable, ln 2 / lambda)."""
        re = float(self.eigenvalues[0].real)
        out = {
            "eigenvalues": [[float(e.real), float(e.imag)] for e in self.eigenvalues],
            "frequency_rad_s": self.frequency_radps,
            "damping": self.damping,
            "time_constant_s": self.time_constant_s if re < 0.0 else None,
        }
        if re > 0.0:
            out["time_to_double_s"] = math.log(2.0) / re
        return out


def _nonlinear_rhs(
    af: Airframe, cond: TrimCondition, tr: TrimResult, x: np.ndarray, ctrl: np.ndarray
) -> np.ndarray:
    """Flat-earth 8-state model [u v w p q r phi theta] at the trim altitude."""
    u, v, w, p, q, r, phi, theta = x
    acc, _, _, _ = body_dynamics(
        af, (u, v, w), (p, q, r), phi, theta, ctrl, tr.rho_kgpm3, tr.gravity_mps2, cond.fuel_kg
    )
    sf, cf, tt = math.sin(phi), math.cos(phi), math.tan(theta)
    phi_dot = p + (q * sf + r * cf) * tt
    theta_dot = q * cf - r * sf
    return np.concatenate([acc, [phi_dot, theta_dot]])


def linearize(af: Airframe, cond: TrimCondition, tr: TrimResult) -> np.ndarray:
    """State matrix A (8x8) of [u v w p q r phi theta] by central differences."""
    va = cond.airspeed_mps
    x0 = np.array(
        [
            va * math.cos(tr.alpha_rad),
            0.0,
            va * math.sin(tr.alpha_rad),
            tr.p_radps,
            tr.q_radps,
            tr.r_radps,
            tr.phi_rad,
            tr.theta_rad,
        ]
    )
    ctrl = tr.controls()
    steps = np.array([1e-4 * va] * 3 + [1e-5] * 3 + [1e-6] * 2)
    a = np.zeros((8, 8))
    for j in range(8):
        dx = np.zeros(8)
        dx[j] = steps[j]
        fp = _nonlinear_rhs(af, cond, tr, x0 + dx, ctrl)
        fm = _nonlinear_rhs(af, cond, tr, x0 - dx, ctrl)
        a[:, j] = (fp - fm) / (2.0 * steps[j])
    return a


LON = [0, 2, 4, 7]  # u, w, q, theta
LAT = [1, 3, 5, 6]  # v, p, r, phi


def _pair_mode(name: str, eig: list[complex]) -> Mode:
    l1, l2 = eig
    if abs(l1.imag) > 1e-12:
        wn = abs(l1)
        return Mode(name, (l1, l2), wn, -l1.real / wn)
    prod = (l1 * l2).real
    wn = math.sqrt(abs(prod))
    zeta = -(l1.real + l2.real) / (2.0 * wn) if wn > 0 else 1.0
    return Mode(name, (l1, l2), wn, zeta)


def _real_mode(name: str, lam: complex) -> Mode:
    return Mode(name, (lam,), abs(lam.real), 1.0 if lam.real < 0 else -1.0)


def modes(af: Airframe, cond: TrimCondition, tr: TrimResult) -> dict[str, Mode]:
    """short_period, phugoid, roll, dutch_roll, spiral from the decoupled state matrices."""
    a = linearize(af, cond, tr)
    lon = sorted(np.linalg.eigvals(a[np.ix_(LON, LON)]), key=abs)
    lat = list(np.linalg.eigvals(a[np.ix_(LAT, LAT)]))
    out = {
        "short_period": _pair_mode("short_period", [complex(v) for v in lon[2:]]),
        "phugoid": _pair_mode("phugoid", [complex(v) for v in lon[:2]]),
    }
    cplx = [complex(v) for v in lat if abs(v.imag) > 1e-9]
    real = sorted((complex(v) for v in lat if abs(v.imag) <= 1e-9), key=lambda z: z.real)
    if len(cplx) == 2:
        out["roll"] = _real_mode("roll", real[0])
        out["spiral"] = _real_mode("spiral", real[-1])
        out["dutch_roll"] = _pair_mode("dutch_roll", cplx)
    else:  # all real: fastest is roll, slowest spiral, middle two dutch roll
        srt = sorted((complex(v) for v in lat), key=abs)
        out["roll"] = _real_mode("roll", srt[-1])
        out["spiral"] = _real_mode("spiral", srt[0])
        out["dutch_roll"] = _pair_mode("dutch_roll", srt[1:3])
    return out


def stall_speed_mps(af: Airframe, altitude_m: float, fuel_kg: float, lat_rad: float) -> float:
    """1-g stall speed from CLmax (no elevator lift)."""
    _, cl_max = alpha_at_cl_max(af)
    _, _, rho = isa(altitude_m)
    _, _, g = gravity_ned(lat_rad, altitude_m)
    return math.sqrt(2.0 * af.mass_kg(fuel_kg) * g / (rho * af.aero.S_m2 * cl_max))


# ---------------------------------------------------------------------------------------
# Trim on the rotating ellipsoid


def _ellipsoid_state(
    cond: TrimCondition, z: np.ndarray, lon_rad: float, heading_rad: float, wind_ned: np.ndarray
) -> np.ndarray:
    """Truth state for trim unknowns z = [alpha, phi, de, da, dr, dt] on the ellipsoid.

    The body turns with the local level frame (transport rate) plus the commanded turn, so
    the attitude relative to north-east-down stays constant along a geodesic or a circle.
    """
    alpha, phi = z[0], z[1]
    lat, h = cond.latitude_rad, cond.altitude_m
    theta = pitch_from_flight_path(alpha, 0.0, phi, cond.climb_rad)
    c_nb = euler_to_dcm(phi, theta, heading_rad)
    c_en = ned_to_ecef_dcm(lat, lon_rad)
    c_eb = c_en @ c_nb
    va = cond.airspeed_mps
    v_ned = c_nb @ np.array([va * math.cos(alpha), 0.0, va * math.sin(alpha)]) + wind_ned
    m_rad, n_rad = radii_of_curvature(lat)
    rho_n = np.array(
        [
            v_ned[1] / (n_rad + h),
            -v_ned[0] / (m_rad + h),
            -v_ned[1] * math.tan(lat) / (n_rad + h) + turn_rate_radps(cond),
        ]
    )
    w_eb_b = c_nb.T @ rho_n
    x = np.zeros(N_STATE)
    x[POS] = geodetic_to_ecef(lat, lon_rad, h)
    x[VEL] = c_en @ v_ned
    x[QUAT] = dcm_to_quat(c_eb)
    x[RATES] = w_eb_b + c_eb.T @ np.array([0.0, 0.0, OMEGA_EARTH_RADPS])
    x[FUEL] = cond.fuel_kg
    return x


def trim_on_ellipsoid(
    af: Airframe,
    cond: TrimCondition,
    lon_rad: float,
    heading_rad: float,
    wind_ned_mps: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> tuple[TrimResult, np.ndarray]:
    """Refine :func:`trim` with the full equations of motion on the rotating WGS84 Earth.

    Solves for zero rate of change of the body-axis velocity and body rates of the exact
    simulator state (Coriolis, transport rate and plumb-line gravity included) in a steady,
    uniform wind (NED, m/s).
    Returns the refined trim and the truth state to start a flight from.
    """
    flat = trim(af, cond)
    z0 = np.array(
        [flat.alpha_rad, flat.phi_rad, flat.elevator_rad, flat.aileron_rad, flat.rudder_rad,
         flat.throttle]
    )  # fmt: skip
    wind = np.asarray(wind_ned_mps, dtype=float)
    env = np.zeros(N_ENV)
    env[:3] = wind
    out = np.zeros(N_STATE)

    def residual(z: np.ndarray) -> np.ndarray:
        x = _ellipsoid_state(cond, z, lon_rad, heading_rad, wind)
        derivatives(x, z[2:].copy(), env, True, True, af.aero, af.mass, af.prop, af.ground, out)
        c_eb = quat_to_dcm(x[QUAT])
        v_b = c_eb.T @ x[VEL]
        w_eb_b = x[RATES] - c_eb.T @ np.array([0.0, 0.0, OMEGA_EARTH_RADPS])
        vdot_b = c_eb.T @ out[VEL] - np.cross(w_eb_b, v_b)
        return np.concatenate([vdot_b, 10.0 * out[RATES]])

    sol = least_squares(residual, z0, xtol=1e-15, ftol=1e-15, gtol=1e-15, method="lm")
    z = sol.x
    res = float(np.max(np.abs(residual(z))))
    if res > 1e-8:
        raise TrimError(
            f"no trim on the ellipsoid at {cond.airspeed_mps:g} m/s (residual {res:.1e})"
        )
    x = _ellipsoid_state(cond, z, lon_rad, heading_rad, wind)
    theta = pitch_from_flight_path(z[0], 0.0, z[1], cond.climb_rad)
    refined = replace(
        flat,
        alpha_rad=float(z[0]),
        phi_rad=float(z[1]),
        theta_rad=theta,
        elevator_rad=float(z[2]),
        aileron_rad=float(z[3]),
        rudder_rad=float(z[4]),
        throttle=float(z[5]),
        residual=res,
    )
    return refined, x
