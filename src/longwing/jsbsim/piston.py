"""FGPiston's power, simplified, and one step of an engine and its propeller (njit, SI).

``engine_power`` is FGPiston's naturally aspirated model at a steady manifold pressure:

- manifold pressure: the ram pressure (ambient + ram_air_factor (total - ambient)) times
  Ze / (Ze + Z_airbox + (1 - throttle)^2 Z_throttle), Ze = peak mean piston speed / mean
  piston speed (FGPiston's impedances) -- without FGPiston's first-order lag
  (``man-press-lag``): the value it settles to;
- air flow: half the displacement per revolution times the volumetric efficiency (reduced
  by the manifold/ambient pressure ratio as FGPiston), at the manifold density p/(R T);
- fuel flow: the air flow times 1.3 mixture (101325 / p_ambient) / 14.7 (the mixture lever
  0..1 as FGPiston's);
- power: fuel flow (lb/h) / bsfc times the mixture efficiency (FGPiston's table of the
  fuel/air ratio, or the file's MIXTURE), minus the static friction, plus the pumping and
  friction mean effective pressures times the displacement and rpm; both magnetos on.
- running: while the engine turns above 0.8 idle rpm with fuel (JSBSim's rule, without its
  one-step memory); stopped, only the friction and pumping losses remain.

Left out of FGPiston: the manifold pressure lag, magnetos, starter and cranking,
super/turbocharging (refused by the reader), the exhaust, cylinder head and oil
temperatures and the oil pressure (they do not change the power).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.jsbsim.propeller import governor_pitch, propeller_rpm_step, propeller_thrust_power
from longwing.jsbsim.propulsion_model import HP_W, PistonEngine, Propeller
from longwing.jsbsim.tables import lookup_1d
from longwing.jsbsim.units import FT_M, LBM_KG

_R_AIR = 287.3  # FGPiston's gas constant, J/(kg K)
_LB_PER_KG = 2.2046  # FGPiston's (fuel flow)
_GAMMA = 1.3


class PistonPower(NamedTuple):
    power_w: float  # shaft power (negative: friction and pumping of a stopped engine)
    fuel_flow_kg_s: float
    map_pa: float  # manifold pressure
    running: bool


class StepResult(NamedTuple):
    rpm: float  # propeller rpm at the end of the step
    pitch_deg: float  # blade angle used in the step (and kept)
    thrust_n: float
    engine_power_w: float  # the engine's power in the step (JSBSim's power-hp)
    power_absorbed_w: float  # by the propeller
    torque_nm: float  # reaction torque on the airframe about the shaft (-sense P / omega)
    fuel_flow_kg_s: float
    advance_ratio: float
    induced_velocity_mps: float
    map_pa: float


@njit(cache=True)
def manifold_pressure(
    eng: PistonEngine, throttle: float, rpm_engine: float, p_amb_pa: float, p_total_pa: float
) -> float:
    """The steady manifold pressure, Pa (FGPiston's impedance model, no boost)."""
    piston_speed_fps = rpm_engine * eng.stroke_in / 360.0
    zt = (1.0 - throttle) * (1.0 - throttle) * eng.z_throttle
    ze = eng.peak_piston_speed_fps / piston_speed_fps if piston_speed_fps > 0.0 else 999999.0
    p_ram = (p_total_pa - p_amb_pa) * eng.ram_air_factor + p_amb_pa
    return p_ram * ze / (ze + eng.z_airbox + zt)


@njit(cache=True)
def engine_power(
    eng: PistonEngine,
    throttle: float,
    mixture: float,
    rpm_engine: float,
    p_amb_pa: float,
    p_total_pa: float,
    t_amb_k: float,
    fuel_available: bool,
) -> PistonPower:
    """The engine's power, fuel flow and manifold pressure at ``rpm_engine`` (the crank's
    rpm: propeller rpm times the gear ratio). ``p_total_pa`` is the total (pitot) pressure;
    pass ``p_amb_pa`` for no ram air."""
    map_pa = manifold_pressure(eng, throttle, rpm_engine, p_amb_pa, p_total_pa)
    pmep = (map_pa - p_amb_pa) * eng.volumetric_efficiency
    cr = eng.compression_ratio
    mratio = cr if map_pa < 1.0 else p_amb_pa / map_pa
    if mratio > cr:
        mratio = cr
    ve = (_GAMMA - 1.0) / _GAMMA + (cr - mratio) / (_GAMMA * (cr - 1.0))
    v_dot_air = eng.displacement_m3 * (rpm_engine / 60.0) / 2.0 * eng.volumetric_efficiency * ve
    m_dot_air = v_dot_air * map_pa / (_R_AIR * t_amb_k)
    m_dot_fuel = 0.0
    if fuel_available:
        m_dot_fuel = m_dot_air * (1.3 * mixture * 101325.0 / p_amb_pa) / 14.7
    fuel_pph = m_dot_fuel * _LB_PER_KG * 3600.0
    running = m_dot_fuel > 0.0 and rpm_engine >= 0.8 * eng.idle_rpm
    friction_hp = eng.static_friction_w / HP_W
    ihp = -friction_hp
    fmep = 0.0
    if running:
        t = eng.tables
        k = eng.mixture_table
        me = lookup_1d(t.data, t.offset[k], t.nrows[k], m_dot_fuel / m_dot_air)
        piston_speed_fps = rpm_engine * eng.stroke_in / 360.0
        fmep = -(eng.fmep_dynamic_pa * piston_speed_fps * FT_M + eng.fmep_static_pa)
        ihp = fuel_pph / eng.isfc_lb_hp_h * me - friction_hp
    pumping_hp = (pmep + fmep) * eng.displacement_m3 * rpm_engine / (eng.cycles * 22371.0)
    hp = ihp + pumping_hp
    return PistonPower(hp * HP_W, m_dot_fuel * _LB_PER_KG * LBM_KG, map_pa, running)


@njit(cache=True)
def drain_tanks(
    contents_kg: np.ndarray,
    unusable_kg: np.ndarray,
    priority: np.ndarray,
    is_fuel: np.ndarray,
    feed: np.ndarray,
    fuel_kg: float,
) -> bool:
    """Burn ``fuel_kg`` from the engine's feed tanks as FGPropulsion: shared equally by the
    fed fuel tanks of the best (lowest, non-zero) priority that hold more than their
    unusable fuel; a tank holds at least its unusable fuel. In place; returns True when no
    tank can feed the engine (starved: nothing drained)."""
    n = contents_kg.shape[0]
    for level in range(1, n + 1):
        count = 0
        for i in range(n):
            if feed[i] and is_fuel[i] and priority[i] == level and contents_kg[i] > unusable_kg[i]:
                count += 1
        if count == 0:
            continue
        share = fuel_kg / count
        for i in range(n):
            if feed[i] and is_fuel[i] and priority[i] == level and contents_kg[i] > unusable_kg[i]:
                if contents_kg[i] - share >= unusable_kg[i]:
                    contents_kg[i] -= share
                else:
                    contents_kg[i] = unusable_kg[i]
        return False
    return True


@njit(cache=True)
def fuel_available(
    contents_kg: np.ndarray, unusable_kg: np.ndarray, priority: np.ndarray,
    is_fuel: np.ndarray, feed: np.ndarray,
) -> bool:  # fmt: skip
    """Whether a fed fuel tank holds more than its unusable fuel."""
    for i in range(contents_kg.shape[0]):
        if feed[i] and is_fuel[i] and priority[i] > 0 and contents_kg[i] > unusable_kg[i]:
            return True
    return False


@njit(cache=True)
def engine_propeller_step(
    eng: PistonEngine,
    prop: Propeller,
    throttle: float,
    mixture: float,
    advance: float,
    rpm: float,
    pitch_deg: float,
    v_axial_mps: float,
    rho: float,
    sound_speed_mps: float,
    p_amb_pa: float,
    p_total_pa: float,
    t_amb_k: float,
    has_fuel: bool,
    dt: float,
) -> StepResult:
    """One step dt of an engine and its propeller in JSBSim's order (FGPiston::Calculate,
    FGPropeller::Calculate): the engine's power at the propeller's rpm of the start of the
    step (times the gear ratio), the governor, thrust and absorbed power, then the rpm
    integrated. ``rpm`` is the propeller's."""
    rpm_engine = rpm * prop.gear_ratio
    pw = engine_power(eng, throttle, mixture, rpm_engine, p_amb_pa, p_total_pa, t_amb_k, has_fuel)
    shaft = pw.power_w
    if rpm_engine <= 0.1 and shaft < 0.0:  # no negative power when not turning
        shaft = 0.0
    pitch = governor_pitch(prop, pitch_deg, rpm, advance, dt)
    j, _, thrust, absorbed, v_ind, _ = propeller_thrust_power(
        prop, v_axial_mps, rpm, rho, sound_speed_mps, pitch
    )
    omega = rpm / 60.0 * 2.0 * np.pi
    torque = -prop.sense * shaft / max(0.01, omega)
    new_rpm = propeller_rpm_step(prop, rpm, shaft, absorbed, dt)
    return StepResult(
        new_rpm, pitch, thrust, pw.power_w, absorbed, torque, pw.fuel_flow_kg_s, j, v_ind,
        pw.map_pa,
    )  # fmt: skip
