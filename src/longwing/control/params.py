"""The autopilot's parameters: one declarative table, ArduPlane names, units, ranges.

Every tunable of the attitude loops, TECS and L1 guidance is a :class:`Param` row of
:data:`PARAMS`: its name (the ArduPlane name where one exists, at most 16 characters so the
MAVLink parameter protocol can carry it), the unit it is set in (degrees, percent, as in
ArduPlane), default, allowed range, a one-line description, and the SI field(s) of the
kernel records it sets. Validation, conversion to the records and back
(:func:`param_values`) are all driven by the table.

Units differ from ArduPlane in one respect: the rate-loop gains act on surface deflection
in radians per rad/s of rate error (ArduPlane's act on a +/-45 deg normalised servo), and IMAX
limits are in degrees of surface.

The table's defaults are the bundled Aerosonde's hand-tuned gains (its airframe file gives
them in its ``[autopilot]`` table); :func:`defaults_for` takes the airspeeds, bank and pitch
limits from any airframe's envelope and designs the loop gains an airframe file does not
give from its model (:mod:`longwing.control.design`, docs/tuning.md).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from longwing.airframe.params import Airframe
from longwing.control.attitude import AttitudeParams
from longwing.control.l1 import L1Params
from longwing.control.tecs import TecsParams

MAX_NAME_LEN = 16
_DEG = math.pi / 180.0
_PCT = 0.01


@dataclass(frozen=True)
class Param:
    """One autopilot parameter. ``value_SI = value * scale`` goes to every target."""

    name: str
    unit: str
    default: float
    lo: float
    hi: float
    doc: str
    targets: tuple[str, ...]  # "record.field", record in attitude / tecs / l1
    scale: float = 1.0

    def range_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.lo:g}, {self.hi:g}]{unit}"


def _p(
    name: str, unit: str, default: float, rng: tuple[float, float], doc: str, *targets: str,
    scale: float = 1.0,
) -> Param:  # fmt: skip
    return Param(name, unit, default, rng[0], rng[1], doc, tuple(targets), scale)


PARAMS: tuple[Param, ...] = (
    # --- airspeeds and limits (shared) ---------------------------------------------------
    _p("AIRSPEED_CRUISE", "m/s", 25.0, (5, 150), "default airspeed demand (EAS)",
       "tecs.airspeed_cruise_mps"),
    _p("AIRSPEED_MIN", "m/s", 20.0, (5, 150), "minimum airspeed (EAS): TECS floor, underspeed",
       "tecs.airspeed_min_mps", "attitude.airspeed_min_mps"),
    _p("AIRSPEED_MAX", "m/s", 35.0, (5, 150), "maximum airspeed (EAS)", "tecs.airspeed_max_mps"),
    _p("ROLL_LIMIT_DEG", "deg", 45.0, (5, 85), "bank limit of the attitude loops",
       "attitude.roll_limit_rad", scale=_DEG),
    _p("PTCH_LIM_MAX_DEG", "deg", 25.0, (1, 85), "pitch-up limit of the attitude loops",
       "attitude.pitch_max_rad", scale=_DEG),
    _p("PTCH_LIM_MIN_DEG", "deg", -25.0, (-85, -1), "pitch-down limit of the attitude loops",
       "attitude.pitch_min_rad", scale=_DEG),
    # --- roll loop ---------------------------------------------------------------------
    _p("RLL2SRV_TCONST", "s", 0.4, (0.1, 2), "roll angle time constant (angle error / rate)",
       "attitude.roll_tconst_s"),
    _p("RLL_RATE_P", "rad/(rad/s)", 0.08, (0, 2), "roll-rate P: aileron per rate error",
       "attitude.roll_rate_p"),
    _p("RLL_RATE_I", "rad/rad", 0.15, (0, 2), "roll-rate I: aileron per integrated rate error",
       "attitude.roll_rate_i"),
    _p("RLL_RATE_D", "rad/(rad/s2)", 0.0, (0, 0.2), "roll-rate D: aileron per roll accel",
       "attitude.roll_rate_d"),
    _p("RLL_RATE_FF", "rad/(rad/s)", 0.17, (0, 2), "roll-rate feed-forward: aileron per rate",
       "attitude.roll_rate_ff"),
    _p("RLL_RATE_IMAX", "deg", 10.0, (0, 45), "roll integrator limit (aileron)",
       "attitude.roll_imax_rad", scale=_DEG),
    _p("RLL2SRV_RMAX", "deg/s", 90.0, (0, 360), "roll-rate demand limit (0: none)",
       "attitude.roll_rate_max_radps", scale=_DEG),
    # --- pitch loop --------------------------------------------------------------------
    _p("PTCH2SRV_TCONST", "s", 0.5, (0.1, 2), "pitch angle time constant (angle error / rate)",
       "attitude.pitch_tconst_s"),
    _p("PTCH_RATE_P", "rad/(rad/s)", 0.3, (0, 3), "pitch-rate P: elevator per rate error",
       "attitude.pitch_rate_p"),
    _p("PTCH_RATE_I", "rad/rad", 1.5, (0, 3), "pitch-rate I: elevator per integrated error",
       "attitude.pitch_rate_i"),
    _p("PTCH_RATE_D", "rad/(rad/s2)", 0.0, (0, 0.2), "pitch-rate D: elevator per pitch accel",
       "attitude.pitch_rate_d"),
    _p("PTCH_RATE_FF", "rad/(rad/s)", 0.5, (0, 3), "pitch-rate feed-forward: elevator per rate",
       "attitude.pitch_rate_ff"),
    _p("PTCH_RATE_IMAX", "deg", 25.0, (0, 45), "pitch integrator limit (elevator; holds trim)",
       "attitude.pitch_imax_rad", scale=_DEG),
    _p("PTCH2SRV_RMAX_UP", "deg/s", 30.0, (0, 180), "pitch-up rate demand limit (0: none)",
       "attitude.pitch_rate_max_up_radps", scale=_DEG),
    _p("PTCH2SRV_RMAX_DN", "deg/s", 30.0, (0, 180), "pitch-down rate demand limit (0: none)",
       "attitude.pitch_rate_max_dn_radps", scale=_DEG),
    _p("PTCH2SRV_RLL", "", 1.0, (0, 2), "turn pitch-rate feed-forward (1: coordinated turn)",
       "attitude.pitch_roll_ff"),
    # --- yaw -------------------------------------------------------------------------
    _p("YAW2SRV_DAMP", "rad/(rad/s)", 0.1, (0, 2), "yaw damper: rudder per excess yaw rate",
       "attitude.yaw_damp"),
    _p("YAW2SRV_SLIP", "rad/(m/s2)", 0.0, (0, 1), "sideslip P: rudder per lateral accel",
       "attitude.yaw_slip"),
    _p("YAW2SRV_INT", "rad/(m/s)", 0.0, (0, 1), "sideslip I: rudder per integrated lat accel",
       "attitude.yaw_int"),
    _p("YAW2SRV_IMAX", "deg", 10.0, (0, 45), "sideslip integrator limit (rudder)",
       "attitude.yaw_imax_rad", scale=_DEG),
    _p("YAW2SRV_RLL", "", 1.0, (0, 2), "turn yaw-rate term of the damper (1: coordinated)",
       "attitude.yaw_roll_ff"),
    _p("KFF_RDDRMIX", "", 0.0, (0, 1), "aileron-to-rudder mix (adverse yaw)",
       "attitude.rudder_mix"),
    _p("SCALING_SPEED", "m/s", 25.0, (5, 150), "EAS at which the attitude gains apply as set",
       "attitude.scaling_speed_mps"),
    # --- TECS ------------------------------------------------------------------------
    _p("TECS_TIME_CONST", "s", 5.0, (3, 10), "time constant of the energy loops",
       "tecs.time_const_s"),
    _p("TECS_CLMB_MAX", "m/s", 2.5, (0.1, 20), "maximum demanded climb rate",
       "tecs.climb_max_mps"),
    _p("TECS_SINK_MIN", "m/s", 2.0, (0.1, 10), "sink rate at THR_MIN and cruise airspeed",
       "tecs.sink_min_mps"),
    _p("TECS_SINK_MAX", "m/s", 4.0, (0.1, 20), "maximum demanded sink rate",
       "tecs.sink_max_mps"),
    _p("TECS_SPDWEIGHT", "", 1.0, (0, 2), "pitch priority: 0 height, 1 both, 2 airspeed",
       "tecs.spd_weight"),
    _p("TECS_PTCH_DAMP", "", 0.3, (0, 1), "damping of the pitch (energy balance) loop",
       "tecs.ptch_damp"),
    _p("TECS_INTEG_GAIN", "1/s", 0.3, (0, 0.5), "integrator gain of both energy loops",
       "tecs.integ_gain"),
    _p("TECS_THR_DAMP", "", 0.5, (0, 1), "damping of the throttle (total energy) loop",
       "tecs.thr_damp"),
    _p("TECS_RLL2THR", "m2/s3", 4.0, (0, 30), "energy-rate feed-forward at 45 deg bank",
       "tecs.rll2thr"),
    _p("TECS_SPD_OMEGA", "rad/s", 2.0, (0.5, 2), "airspeed complementary filter crossover",
       "tecs.spd_omega_radps"),
    _p("TECS_VERT_ACC", "m/s2", 7.0, (1, 10), "vertical acceleration limit (pitch rate)",
       "tecs.vert_acc_mps2"),
    _p("TECS_HDEM_TCONST", "s", 3.0, (1, 5), "time constant of the height demand filter",
       "tecs.hdem_tconst_s"),
    _p("TECS_PITCH_MAX", "deg", 15.0, (1, 45), "pitch-up limit of TECS", "tecs.pitch_max_rad",
       scale=_DEG),
    _p("TECS_PITCH_MIN", "deg", -15.0, (-45, 0), "pitch-down limit of TECS",
       "tecs.pitch_min_rad", scale=_DEG),
    _p("THR_MIN", "%", 0.0, (0, 100), "minimum throttle", "tecs.thr_min", scale=_PCT),
    _p("THR_MAX", "%", 100.0, (0, 100), "maximum throttle", "tecs.thr_max", scale=_PCT),
    _p("TRIM_THROTTLE", "%", 40.0, (0, 100), "throttle of level flight at cruise airspeed",
       "tecs.thr_cruise", scale=_PCT),
    _p("THR_SLEWRATE", "%/s", 100.0, (0, 500), "throttle slew-rate limit (0: none)",
       "tecs.thr_slew_per_s", scale=_PCT),
    _p("STALL_PREVENTION", "", 1.0, (0, 1), "raise min airspeed by sqrt(load factor): 0/1",
       "tecs.stall_prevention"),
    # --- L1 guidance and navigation -------------------------------------------------------
    _p("NAVL1_PERIOD", "s", 17.0, (1, 60), "period of the L1 tracking loop", "l1.period_s"),
    _p("NAVL1_DAMPING", "", 0.75, (0.6, 1), "damping ratio of the L1 tracking loop",
       "l1.damping"),
    _p("NAVL1_XTRACK_I", "1/s", 0.02, (0, 0.1), "cross-track integrator gain",
       "l1.xtrack_i"),
    _p("LW_NAV_ROLL_DEG", "deg", 30.0, (5, 85), "bank limit of navigation (<= ROLL_LIMIT_DEG)",
       "l1.bank_limit_rad", scale=_DEG),
    _p("WP_RADIUS", "m", 60.0, (1, 10000), "waypoint acceptance radius", "l1.wp_radius_m"),
    _p("WP_LOITER_RAD", "m", 200.0, (10, 100000), "default loiter radius",
       "l1.loiter_radius_m"),
)  # fmt: skip

PARAM_INDEX: Mapping[str, Param] = MappingProxyType({p.name: p for p in PARAMS})

_RECORDS = {"attitude": AttitudeParams, "tecs": TecsParams, "l1": L1Params}


class AutopilotParams(NamedTuple):
    """The kernel records, in SI units. ``tecs_glide`` is ``tecs`` for flight with the engine
    out: speed weighting 2 (pitch flies airspeed only) and the throttle held closed."""

    attitude: AttitudeParams
    tecs: TecsParams
    l1: L1Params
    tecs_glide: TecsParams


def glide_tecs(tecs: TecsParams) -> TecsParams:
    """TECS settings with the engine out (see :class:`AutopilotParams`)."""
    return tecs._replace(spd_weight=2.0, thr_min=0.0, thr_max=0.0, thr_cruise=0.0)


def default_values() -> dict[str, float]:
    """Name -> default, in table units."""
    return {p.name: p.default for p in PARAMS}


def defaults_for(airframe: Airframe) -> dict[str, float]:
    """Table defaults with the airframe's envelope: airspeeds (cruise is also the gain
    scaling speed), bank limits, pitch limits (TECS limits kept inside them); the loop gains
    of :data:`longwing.control.design.DESIGNED_GAINS` the airframe file does not give in its
    ``[autopilot]`` table designed from its model at cruise (:func:`~longwing.control.design.
    designed_defaults`); then the values its ``[autopilot]`` table gives."""
    from longwing.control.design import DESIGNED_GAINS, designed_defaults

    env = airframe.envelope
    vals = default_values()
    vals["AIRSPEED_MIN"] = env.airspeed_min_mps
    vals["AIRSPEED_CRUISE"] = env.airspeed_cruise_mps
    vals["AIRSPEED_MAX"] = env.airspeed_max_mps
    vals["SCALING_SPEED"] = env.airspeed_cruise_mps
    vals["ROLL_LIMIT_DEG"] = math.degrees(env.bank_max_rad)
    vals["LW_NAV_ROLL_DEG"] = math.degrees(env.bank_nav_rad)
    vals["PTCH_LIM_MAX_DEG"] = math.degrees(env.pitch_max_rad)
    vals["PTCH_LIM_MIN_DEG"] = math.degrees(env.pitch_min_rad)
    vals["TECS_PITCH_MAX"] = min(vals["TECS_PITCH_MAX"], vals["PTCH_LIM_MAX_DEG"])
    vals["TECS_PITCH_MIN"] = max(vals["TECS_PITCH_MIN"], vals["PTCH_LIM_MIN_DEG"])
    given = dict(airframe.autopilot or ())
    if any(name not in given for name in DESIGNED_GAINS):
        vals.update(designed_defaults(airframe))
    vals.update(given)
    return {k: float(round(v, 9)) for k, v in vals.items()}


def check_value(name: str, value: object) -> float:
    """``value`` as a float if ``name`` is a parameter and the value a number in its range;
    ValueError naming it (and the closest name, or the range) otherwise."""
    if name not in PARAM_INDEX:
        close = difflib.get_close_matches(name, PARAM_INDEX.keys(), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"unknown autopilot parameter {name!r}{hint}")
    p = PARAM_INDEX[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number in {p.range_text()}, got {value!r}")
    v = float(value)
    if not p.lo <= v <= p.hi:  # False for NaN
        raise ValueError(f"{name} = {v:g} is outside {p.range_text()}")
    return v


def _check_order(vals: Mapping[str, float], lo: str, hi: str, strict: bool = True) -> None:
    bad = vals[lo] >= vals[hi] if strict else vals[lo] > vals[hi]
    if bad:
        rel = "<" if strict else "<="
        raise ValueError(f"{lo} ({vals[lo]:g}) must be {rel} {hi} ({vals[hi]:g})")


def validate_values(values: Mapping[str, float]) -> dict[str, float]:
    """Check a complete or partial set (missing names take defaults): names, ranges and the
    cross-parameter orderings. Returns the complete set; raises ValueError naming the
    parameter and its allowed range."""
    vals = default_values()
    for name, value in values.items():
        vals[name] = check_value(name, value)
    _check_order(vals, "AIRSPEED_MIN", "AIRSPEED_CRUISE")
    _check_order(vals, "AIRSPEED_CRUISE", "AIRSPEED_MAX")
    _check_order(vals, "THR_MIN", "THR_MAX")
    _check_order(vals, "THR_MIN", "TRIM_THROTTLE", strict=False)
    _check_order(vals, "TRIM_THROTTLE", "THR_MAX", strict=False)
    _check_order(vals, "TECS_PITCH_MIN", "TECS_PITCH_MAX")
    _check_order(vals, "LW_NAV_ROLL_DEG", "ROLL_LIMIT_DEG", strict=False)
    return vals


def build_params(
    overrides: Mapping[str, float] | None = None, airframe: Airframe | None = None
) -> AutopilotParams:
    """Kernel records from the defaults (of ``airframe`` if given) with ``overrides``
    (table units) applied and validated."""
    base = defaults_for(airframe) if airframe is not None else default_values()
    vals = validate_values({**base, **(overrides or {})})
    fields: dict[str, dict[str, float]] = {rec: {} for rec in _RECORDS}
    for p in PARAMS:
        for target in p.targets:
            rec, attr = target.split(".")
            fields[rec][attr] = vals[p.name] * p.scale
    recs = {rec: cls(**fields[rec]) for rec, cls in _RECORDS.items()}
    return AutopilotParams(**recs, tecs_glide=glide_tecs(recs["tecs"]))


def param_values(ap: AutopilotParams) -> dict[str, float]:
    """Name -> value in table units of built records (the inverse of :func:`build_params`)."""
    out = {}
    for p in PARAMS:
        rec, attr = p.targets[0].split(".")
        out[p.name] = float(f"{getattr(getattr(ap, rec), attr) / p.scale:.12g}")
    return out
