"""Piston engine, fixed-pitch propeller and fuel burn.

Shaft power lapses with density (Gagg-Ferrar); thrust is eta_p * P / max(Va, V_s) along
body x through the CG; fuel flow is BSFC * max(P, P_idle) while the engine runs and the tank
is not empty. An empty tank stops the engine.
"""

from __future__ import annotations

from numba import njit

from longwing.airframe.params import PropulsionParams


@njit(cache=True, inline="always")
def max_power_w(rho: float, p: PropulsionParams) -> float:
    """Full-throttle shaft power at density rho (W), never negative."""
    return max(0.0, p.power_sl_w * (p.lapse_a * rho / p.rho0_kgpm3 - p.lapse_b))


@njit(cache=True, inline="always")
def engine(
    throttle: float,
    va_mps: float,
    rho: float,
    engine_on: bool,
    fuel_kg: float,
    p: PropulsionParams,
) -> tuple[float, float, float]:
    """Thrust (N), shaft power (W) and fuel flow (kg/s)."""
    if not engine_on or fuel_kg <= 0.0:
        return 0.0, 0.0, 0.0
    power = min(1.0, max(0.0, throttle)) * max_power_w(rho, p)
    thrust = p.prop_eta * power / max(va_mps, p.thrust_min_speed_mps)
    fuel_flow = p.bsfc_kg_per_j * max(power, p.idle_power_w)
    return thrust, power, fuel_flow
