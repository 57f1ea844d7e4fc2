"""Parameter records the compiled kernels read (SI units, radians).

These are ``typing.NamedTuple`` records of floats: numba passes them as tuples, so a kernel
reads ``aero.CLalpha`` rather than an index. They are built once from a validated airframe
file (see :mod:`longwing.airframe.loader`) and never mutated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class AeroParams(NamedTuple):
    """Geometry and aerodynamic coefficients (per radian; Beard & McLain form)."""

    S_m2: float
    b_m: float
    c_m: float
    e_oswald: float
    AR: float
    CL0: float
    CLalpha: float
    CLq: float
    CLde: float
    CDp: float
    CDq: float
    CDde: float
    CY0: float
    CYbeta: float
    CYp: float
    CYr: float
    CYda: float
    CYdr: float
    Cl0: float
    Clbeta: float
    Clp: float
    Clr: float
    Clda: float
    Cldr: float
    Cm0: float
    Cmalpha: float
    Cmq: float
    Cmde: float
    Cn0: float
    Cnbeta: float
    Cnp: float
    Cnr: float
    Cnda: float
    Cndr: float
    stall_M: float
    alpha0_rad: float
    # a JSBSim aircraft's compiled tables (longwing.physics.table_aero.TableAero), which
    # then give every force and moment; None: the coefficients above
    table: object = None


class MassParams(NamedTuple):
    """Dry mass and inertia (body axes, dry, constant; fuel is a point mass at the CG)."""

    dry_mass_kg: float
    Jx: float
    Jy: float
    Jz: float
    Jxz: float
    fuel_capacity_kg: float


class PropulsionParams(NamedTuple):
    """Piston engine + fixed propeller: Gagg-Ferrar power lapse, constant BSFC."""

    power_sl_w: float
    lapse_a: float  # P_max = P_SL * (lapse_a * rho/rho0 - lapse_b)
    lapse_b: float
    rho0_kgpm3: float
    prop_eta: float
    thrust_min_speed_mps: float
    bsfc_kg_per_j: float
    idle_power_w: float


class ActuatorParams(NamedTuple):
    """Control surface and throttle position and rate limits (rad, rad/s, 1/s)."""

    de_max_rad: float
    da_max_rad: float
    dr_max_rad: float
    de_rate_radps: float
    da_rate_radps: float
    dr_rate_radps: float
    dt_rate_per_s: float


class GroundParams(NamedTuple):
    """Contact geometry (body axes, m; z positive down from the CG) and properties."""

    front_x_m: float
    front_z_m: float
    main_x_m: float
    main_y_m: float
    main_z_m: float
    tip_x_m: float
    tip_y_m: float
    tip_z_m: float
    stiffness_npm: float  # per contact point
    damping_nspm: float  # per contact point
    mu_long: float  # rolling (wheels) or sliding (skids) friction along the heading
    mu_side: float  # friction across the heading
    mu_brake: float  # along-heading friction with full brakes
    reach_m: float  # farthest any contact point can be from the CG (skip test above it)


@dataclass(frozen=True)
class Envelope:
    """Flight envelope limits used by trim checks and (later) the autopilot."""

    airspeed_min_mps: float
    airspeed_cruise_mps: float
    airspeed_max_mps: float
    bank_max_rad: float
    bank_nav_rad: float
    pitch_min_rad: float
    pitch_max_rad: float


@dataclass(frozen=True)
class Launch:
    """How the aircraft gets airborne (used by the take-off logic, not the physics)."""

    method: str  # "catapult" (also car roof / hand launch) or "runway"
    launch_speed_mps: float  # airspeed at release, catapult
    launch_height_m: float  # release height above ground, catapult
    rotate_speed_mps: float  # rotation airspeed, runway
    climb_pitch_rad: float  # initial climb pitch after release or rotation
    max_wind_mps: float = math.inf  # surface wind above which a launch is refused
    max_turbulence: str = "severe"  # turbulence above which a launch is refused


@dataclass(frozen=True)
class Rangefinder:
    """A downward-looking rangefinder (lidar/radar altimeter): the flare uses it with
    RNGFND_LANDING = 1 (as ArduPlane's)."""

    max_range_m: float
    noise_m: float  # 1 sigma, white, per reading
    rate_hz: float


@dataclass(frozen=True)
class LandingLimits:
    """What a touchdown may be and still leave the aircraft intact, and how close to the
    planned point it must be to count as a landing at the site (see docs/end_states.md)."""

    max_sink_mps: float  # vertical speed at first contact
    max_groundspeed_mps: float  # for the landing gear or skids
    max_bank_rad: float  # |bank| at first contact (wingtip strike beyond)
    min_pitch_rad: float  # nose-first contact below this
    max_pitch_rad: float  # tail / propeller strike above this
    site_radius_m: float  # a touchdown farther from the landing point is a landing out
    # the most tailwind on final a landing is planned with; more: land the other way
    max_tailwind_mps: float = 3.0


@dataclass(frozen=True)
class Airframe:
    """A validated airframe: everything the physics and autopilot need, in SI units."""

    name: str
    source: Path | None
    aero: AeroParams
    mass: MassParams
    prop: PropulsionParams
    actuators: ActuatorParams
    envelope: Envelope
    ground: GroundParams
    launch: Launch
    landing: LandingLimits
    rangefinder: Rangefinder | None = None
    # the file's [autopilot] table: (ArduPlane name, value in the autopilot table's units)
    # pairs, None if it has none; gains it does not give are designed from the model
    # (longwing.control.params.defaults_for, docs/tuning.md)
    autopilot: tuple[tuple[str, float], ...] | None = None

    def mass_kg(self, fuel_kg: float) -> float:
        return self.mass.dry_mass_kg + fuel_kg
