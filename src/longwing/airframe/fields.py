"""The airframe file's fields: one declarative table (unit, allowed range, SI target).

Every allowed key of an airframe TOML file is a :class:`Field` row of :data:`FIELDS`;
validation, conversion and :func:`longwing.airframe.loader.airframe_to_dict` are all driven
by it (see :mod:`longwing.airframe.loader`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One allowed key of an airframe file.

    ``unit`` is the unit as written in the file ("" for dimensionless); ``lo``/``hi`` the
    allowed range in file units (``lo_open``/``hi_open`` exclude the bound); ``target`` is
    ``"record.attribute"`` of the SI value (``None`` for fields handled specially).
    """

    section: str
    key: str
    doc: str
    unit: str = ""
    lo: float = -math.inf
    hi: float = math.inf
    target: str | None = None
    lo_open: bool = False
    hi_open: bool = False
    required: bool = True
    is_text: bool = False

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    def range_text(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{fmt_bound(self.lo)}, {fmt_bound(self.hi)}{right}"

    def contains(self, value: float) -> bool:
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below  # False for NaN


def _text(key: str, doc: str, attr: str | None, *, required: bool) -> Field:
    """A text field of the [airframe] section."""
    return Field(
        "airframe",
        key,
        doc,
        target=f"airframe.{attr}" if attr else None,
        required=required,
        is_text=True,
    )


def _section(
    section: str, record: str, *rows: tuple[str, str, str, str, str | None]
) -> tuple[Field, ...]:
    """Numeric fields of one section; each row is (key, doc, unit, range, record attribute).

    The range is written as in the messages: "[0.1, 10000]" or "(0, 60]" (parenthesis =
    bound excluded). The attribute is None for fields converted specially.
    """
    fields = []
    for key, doc, unit, range_text, attr in rows:
        lo_text, hi_text = range_text[1:-1].split(",")
        fields.append(
            Field(
                section,
                key,
                doc,
                unit,
                lo=float(lo_text),
                hi=float(hi_text),
                target=f"{record}.{attr}" if attr else None,
                lo_open=range_text[0] == "(",
                hi_open=range_text[-1] == ")",
            )
        )
    return tuple(fields)


_R = "1/rad"  # aerodynamic derivatives are per radian (of angle, deflection or rate)

# Every allowed field, in validation order. Ranges are generous (0.1 kg to multi-tonne UAVs)
# but reject nonsense; signs are forced only where physics requires them: positive drag,
# side force opposing sideslip, negative damping (Clp, Cmq, Cnr) and static pitch stability.
FIELDS: tuple[Field, ...] = (
    _text("name", "airframe name", "name", required=True),
    _text("description", "free-text description", None, required=False),
    *_section(
        "mass",
        "mass",
        ("dry_mass_kg", "dry mass", "kg", "[0.1, 10000]", "dry_mass_kg"),
        ("Jx_kgm2", "roll inertia", "kg m^2", "(0, 100000]", "Jx"),
        ("Jy_kgm2", "pitch inertia", "kg m^2", "(0, 100000]", "Jy"),
        ("Jz_kgm2", "yaw inertia", "kg m^2", "(0, 100000]", "Jz"),
        ("Jxz_kgm2", "xz product of inertia", "kg m^2", "[-100000, 100000]", "Jxz"),
    ),
    *_section(
        "geometry",
        "aero",
        ("wing_area_m2", "wing area", "m^2", "(0, 500]", "S_m2"),
        ("span_m", "wing span", "m", "(0, 100]", "b_m"),
        ("chord_m", "mean aerodynamic chord", "m", "(0, 20]", "c_m"),
        ("oswald_e", "Oswald efficiency", "", "(0.3, 1]", "e_oswald"),
    ),
    *_section(
        "aero",
        "aero",
        ("CL0", "lift coefficient at zero alpha", "", "[-1, 2]", "CL0"),
        ("CLalpha", "lift-curve slope", _R, "[0.5, 10]", "CLalpha"),
        ("CLq", "lift due to pitch rate", _R, "[-100, 100]", "CLq"),
        ("CLde", "lift due to elevator", _R, "[-10, 10]", "CLde"),
        ("CDp", "parasitic drag coefficient", "", "(0, 1]", "CDp"),
        ("CDq", "drag due to pitch rate", _R, "[-100, 100]", "CDq"),
        ("CDde", "drag due to elevator", _R, "[-10, 10]", "CDde"),
        ("CY0", "side force at zero sideslip", "", "[-1, 1]", "CY0"),
        ("CYbeta", "side force due to sideslip", _R, "[-100, 0]", "CYbeta"),
        ("CYp", "side force due to roll rate", _R, "[-100, 100]", "CYp"),
        ("CYr", "side force due to yaw rate", _R, "[-100, 100]", "CYr"),
        ("CYda", "side force due to aileron", _R, "[-10, 10]", "CYda"),
        ("CYdr", "side force due to rudder", _R, "[-10, 10]", "CYdr"),
        ("Cl0", "rolling moment at zero sideslip", "", "[-1, 1]", "Cl0"),
        ("Clbeta", "roll due to sideslip", _R, "[-100, 100]", "Clbeta"),
        ("Clp", "roll damping", _R, "[-100, 0)", "Clp"),
        ("Clr", "roll due to yaw rate", _R, "[-100, 100]", "Clr"),
        ("Clda", "roll due to aileron", _R, "[-10, 10]", "Clda"),
        ("Cldr", "roll due to rudder", _R, "[-10, 10]", "Cldr"),
        ("Cm0", "pitching moment at zero alpha", "", "[-1, 1]", "Cm0"),
        ("Cmalpha", "pitch stiffness", _R, "[-100, 0)", "Cmalpha"),
        ("Cmq", "pitch damping", _R, "[-1000, 0)", "Cmq"),
        ("Cmde", "pitch due to elevator", _R, "[-10, 10]", "Cmde"),
        ("Cn0", "yawing moment at zero sideslip", "", "[-1, 1]", "Cn0"),
        ("Cnbeta", "yaw due to sideslip", _R, "[-100, 100]", "Cnbeta"),
        ("Cnp", "yaw due to roll rate", _R, "[-100, 100]", "Cnp"),
        ("Cnr", "yaw damping", _R, "[-100, 0)", "Cnr"),
        ("Cnda", "yaw due to aileron", _R, "[-10, 10]", "Cnda"),
        ("Cndr", "yaw due to rudder", _R, "[-10, 10]", "Cndr"),
        ("stall_blend_M", "stall blending sharpness", _R, "[1, 1000]", "stall_M"),
        ("alpha0_rad", "stall angle", "rad", "[0.05, 1]", "alpha0_rad"),
    ),
    *_section(
        "propulsion",
        "prop",
        ("power_sl_w", "sea-level shaft power", "W", "(0, 1000000]", "power_sl_w"),
        ("lapse_a", "power lapse factor a", "", "[0.5, 2]", "lapse_a"),
        ("lapse_b", "power lapse offset b", "", "[-1, 1]", "lapse_b"),
        ("rho0_kgpm3", "reference air density", "kg/m^3", "[1, 1.5]", "rho0_kgpm3"),
        ("prop_efficiency", "propeller efficiency", "", "(0.1, 0.95]", "prop_eta"),
        ("thrust_min_speed_mps", "thrust speed floor", "m/s", "(0, 100]", "thrust_min_speed_mps"),
        ("bsfc_kg_per_kwh", "specific fuel consumption", "kg/kWh", "[0.1, 2]", "bsfc_kg_per_j"),
        ("idle_power_fraction", "idle power / sea-level power", "", "[0, 0.5]", None),
    ),
    *_section(
        "fuel",
        "mass",
        ("capacity_kg", "usable fuel capacity", "kg", "[0, 10000]", "fuel_capacity_kg"),
    ),
    *_section(
        "limits",
        "actuators",
        ("elevator_max_deg", "elevator deflection limit", "deg", "(0, 60]", "de_max_rad"),
        ("elevator_rate_dps", "elevator rate limit", "deg/s", "(0, 2000]", "de_rate_radps"),
        ("aileron_max_deg", "aileron deflection limit", "deg", "(0, 60]", "da_max_rad"),
        ("aileron_rate_dps", "aileron rate limit", "deg/s", "(0, 2000]", "da_rate_radps"),
        ("rudder_max_deg", "rudder deflection limit", "deg", "(0, 60]", "dr_max_rad"),
        ("rudder_rate_dps", "rudder rate limit", "deg/s", "(0, 2000]", "dr_rate_radps"),
        ("throttle_rate_per_s", "throttle rate limit", "1/s", "(0, 100]", "dt_rate_per_s"),
    ),
    *_section(
        "ground",
        "ground",
        ("front_x_m", "front contact, forward of the CG", "m", "[-50, 50]", "front_x_m"),
        ("front_z_m", "front contact, below the CG", "m", "[-10, 10]", "front_z_m"),
        ("main_x_m", "main contacts, forward of the CG", "m", "[-50, 50]", "main_x_m"),
        ("main_y_m", "main contacts, half spacing", "m", "[0, 50]", "main_y_m"),
        ("main_z_m", "main contacts, below the CG", "m", "[-10, 10]", "main_z_m"),
        ("tip_x_m", "wingtip contacts, forward of the CG", "m", "[-50, 50]", "tip_x_m"),
        ("tip_y_m", "wingtip contacts, half span", "m", "[0, 100]", "tip_y_m"),
        ("tip_z_m", "wingtip contacts, below the CG", "m", "[-10, 10]", "tip_z_m"),
        (
            "stiffness_n_per_m",
            "contact stiffness per point",
            "N/m",
            "(0, 100000000]",
            "stiffness_npm",
        ),
        ("damping_ns_per_m", "contact damping per point", "N s/m", "[0, 10000000]", "damping_nspm"),
        ("friction_long", "friction along the heading (rolling or skid)", "", "[0, 2]", "mu_long"),
        ("friction_side", "friction across the heading", "", "[0, 2]", "mu_side"),
        ("friction_brake", "friction along the heading, full brakes", "", "[0, 2]", "mu_brake"),
    ),
    Field(
        "launch",
        "method",
        "launch method: 'catapult' (also car roof, hand) or 'runway'",
        target="launch.method",
        is_text=True,
    ),
    *_section(
        "launch",
        "launch",
        (
            "launch_speed_mps",
            "airspeed at release (catapult)",
            "m/s",
            "[0, 300]",
            "launch_speed_mps",
        ),
        (
            "launch_height_m",
            "release height above ground (catapult)",
            "m",
            "[0, 100]",
            "launch_height_m",
        ),
        ("rotate_speed_mps", "rotation airspeed (runway)", "m/s", "(0, 300]", "rotate_speed_mps"),
        ("climb_pitch_deg", "initial climb pitch", "deg", "(0, 45]", "climb_pitch_rad"),
    ),
    Field(
        "launch",
        "max_wind_mps",
        "surface wind above which a launch is refused (LAUNCH_WX_CHECK)",
        "m/s",
        0.0,
        100.0,
        target="launch.max_wind_mps",
        required=False,
    ),
    Field(
        "launch",
        "max_turbulence",
        "turbulence above which a launch is refused: none, light, moderate or severe",
        target="launch.max_turbulence",
        required=False,
        is_text=True,
    ),
    *_section(
        "envelope",
        "envelope",
        ("airspeed_min_mps", "minimum airspeed", "m/s", "(0, 300]", "airspeed_min_mps"),
        ("airspeed_cruise_mps", "cruise airspeed", "m/s", "(0, 300]", "airspeed_cruise_mps"),
        ("airspeed_max_mps", "maximum airspeed", "m/s", "(0, 300]", "airspeed_max_mps"),
        ("bank_max_deg", "bank angle limit", "deg", "(0, 80]", "bank_max_rad"),
        ("bank_nav_deg", "navigation bank limit", "deg", "(0, 80]", "bank_nav_rad"),
        ("pitch_min_deg", "pitch-down limit", "deg", "[-90, 0)", "pitch_min_rad"),
        ("pitch_max_deg", "pitch-up limit", "deg", "(0, 90]", "pitch_max_rad"),
    ),
    *_section(
        "landing",
        "landing",
        ("max_sink_mps", "touchdown vertical speed limit", "m/s", "(0, 20]", "max_sink_mps"),
        (
            "max_groundspeed_mps",
            "touchdown ground speed limit (gear or skids)",
            "m/s",
            "(0, 300]",
            "max_groundspeed_mps",
        ),
        ("max_bank_deg", "touchdown bank limit", "deg", "(0, 90]", "max_bank_rad"),
        ("min_pitch_deg", "lowest touchdown pitch", "deg", "[-90, 90]", "min_pitch_rad"),
        ("max_pitch_deg", "highest touchdown pitch", "deg", "[-90, 90]", "max_pitch_rad"),
        (
            "site_radius_m",
            "touchdown distance from the landing point still at the site",
            "m",
            "(0, 100000]",
            "site_radius_m",
        ),
        (
            "max_tailwind_mps",
            "most tailwind on final before landing the other way",
            "m/s",
            "[0, 100]",
            "max_tailwind_mps",
        ),
    ),
    # optional: a downward rangefinder (all three keys, or none: no rangefinder)
    *(
        dataclasses.replace(f, required=False)
        for f in _section(
            "rangefinder",
            "rangefinder",
            ("max_range_m", "rangefinder's maximum range", "m", "(0, 1000]", "max_range_m"),
            ("noise_m", "rangefinder's noise (1 sigma)", "m", "[0, 10]", "noise_m"),
            ("rate_hz", "rangefinder's reading rate", "Hz", "(0, 50]", "rate_hz"),
        )
    ),
)


def fmt_bound(x: float) -> str:
    """10000.0 -> '10000', 0.1 -> '0.1', 1e5 -> '100000'."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)
