"""The JSBSim properties the compiled aerodynamics may read, as one fixed enumeration.

``PROPERTIES`` is the table (docs/jsbsim.md lists it): each property's slot in the
float64 ``props`` array the evaluator reads is its row number. Three kinds:

- ``input``: the caller's state (air data, rates, surfaces, the CG, propulsion values);
- ``metric``: the aircraft's constants, filled by ``aero.new_props``;
- ``derived``: computed from the others by ``complete_props`` exactly as JSBSim computes
  them (``aero/qbar-area``, ``aero/bi2vel``, degrees of angles, magnitudes).

Slots after the table are per aircraft: the properties its own flight control defines
(inputs too), then one per aerodynamic function (their values).
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numba import njit

RADTODEG = 180.0 / math.pi  # JSBSim's radtodeg


class PropertySpec(NamedTuple):
    name: str  # JSBSim's name ("[0]" indices dropped: propulsion/engine = engine[0])
    kind: str  # input, metric or derived
    description: str


def _engine_rows() -> tuple[PropertySpec, ...]:
    rows = []
    for i in range(4):
        e = "propulsion/engine" if i == 0 else f"propulsion/engine[{i}]"
        rows.append(
            PropertySpec(
                f"{e}/prop-induced-velocity_fps", "input", f"engine {i}: propeller induced velocity"
            )
        )
        rows.append(
            PropertySpec(f"{e}/thrust-coefficient", "input", f"engine {i}: thrust coefficient")
        )
    return tuple(rows)


PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec("aero/qbar-psf", "input", "dynamic pressure, lbf/ft^2"),
    PropertySpec("velocities/vt-fps", "input", "true airspeed, ft/s"),
    PropertySpec("aero/alpha-rad", "input", "angle of attack"),
    PropertySpec("aero/beta-rad", "input", "sideslip"),
    PropertySpec("aero/alphadot-rad_sec", "input", "rate of the angle of attack"),
    PropertySpec("aero/betadot-rad_sec", "input", "rate of the sideslip"),
    PropertySpec("velocities/p-aero-rad_sec", "input", "roll rate relative to the air"),
    PropertySpec("velocities/q-aero-rad_sec", "input", "pitch rate relative to the air"),
    PropertySpec("velocities/r-aero-rad_sec", "input", "yaw rate relative to the air"),
    PropertySpec("velocities/p-rad_sec", "input", "inertial roll rate, body axes"),
    PropertySpec("velocities/q-rad_sec", "input", "inertial pitch rate, body axes"),
    PropertySpec("velocities/r-rad_sec", "input", "inertial yaw rate, body axes"),
    PropertySpec("velocities/u-aero-fps", "input", "air-relative velocity, body x, ft/s"),
    PropertySpec("velocities/v-aero-fps", "input", "air-relative velocity, body y, ft/s"),
    PropertySpec("velocities/w-aero-fps", "input", "air-relative velocity, body z, ft/s"),
    PropertySpec("velocities/mach", "input", "Mach number"),
    PropertySpec("aero/h_b-mac-ft", "input", "height of the aero reference point / span"),
    PropertySpec("aero/h_b-cg-ft", "input", "height of the CG / span"),
    PropertySpec("aero/stall-hyst-norm", "input", "stall hysteresis state, 0 or 1"),
    PropertySpec("aero/cl-squared", "input", "CL^2 of the previous step (JSBSim's)"),
    PropertySpec("aero/Re", "input", "Reynolds number on the chord"),
    PropertySpec("atmosphere/rho-slugs_ft3", "input", "air density, slug/ft^3"),
    PropertySpec("fcs/elevator-pos-rad", "input", "elevator position"),
    PropertySpec("fcs/left-aileron-pos-rad", "input", "left aileron position"),
    PropertySpec("fcs/right-aileron-pos-rad", "input", "right aileron position"),
    PropertySpec("fcs/rudder-pos-rad", "input", "rudder position"),
    PropertySpec("fcs/flap-pos-deg", "input", "flap position, degrees"),
    PropertySpec("fcs/speedbrake-pos-rad", "input", "speed brake position"),
    PropertySpec("fcs/spoiler-pos-rad", "input", "spoiler position"),
    PropertySpec("gear/gear-pos-norm", "input", "landing gear position, 0 up .. 1 down"),
    PropertySpec("inertia/cg-x-in", "input", "CG, structural x (aft), inches"),
    PropertySpec("inertia/cg-y-in", "input", "CG, structural y (right), inches"),
    PropertySpec("inertia/cg-z-in", "input", "CG, structural z (up), inches"),
    *_engine_rows(),
    PropertySpec("metrics/Sw-sqft", "metric", "wing area, ft^2"),
    PropertySpec("metrics/bw-ft", "metric", "wing span, ft"),
    PropertySpec("metrics/cbarw-ft", "metric", "mean aerodynamic chord, ft"),
    PropertySpec("metrics/iw-rad", "metric", "wing incidence"),
    PropertySpec("metrics/Sh-sqft", "metric", "horizontal tail area, ft^2"),
    PropertySpec("metrics/lh-ft", "metric", "horizontal tail arm, ft"),
    PropertySpec("metrics/Sv-sqft", "metric", "vertical tail area, ft^2"),
    PropertySpec("metrics/lv-ft", "metric", "vertical tail arm, ft"),
    PropertySpec("aero/qbar-area", "derived", "qbar * Sw, lbf"),
    PropertySpec("aero/bi2vel", "derived", "span / (2 Vt), s (0 when Vt = 0)"),
    PropertySpec("aero/ci2vel", "derived", "chord / (2 Vt), s (0 when Vt = 0)"),
    PropertySpec("aero/alpha-deg", "derived", "angle of attack, degrees"),
    PropertySpec("aero/beta-deg", "derived", "sideslip, degrees"),
    PropertySpec("aero/mag-beta-rad", "derived", "|sideslip|"),
    PropertySpec("aero/mag-beta-deg", "derived", "|sideslip|, degrees"),
    PropertySpec("aero/alphadot-deg_sec", "derived", "rate of alpha, deg/s"),
    PropertySpec("aero/betadot-deg_sec", "derived", "rate of beta, deg/s"),
    PropertySpec("aero/alpha-wing-rad", "derived", "alpha + wing incidence"),
    PropertySpec("fcs/mag-elevator-pos-rad", "derived", "|elevator position|"),
    PropertySpec("fcs/elevator-pos-deg", "derived", "elevator position, degrees"),
    PropertySpec("fcs/rudder-pos-deg", "derived", "rudder position, degrees"),
    PropertySpec("fcs/left-aileron-pos-deg", "derived", "left aileron position, degrees"),
    PropertySpec("fcs/right-aileron-pos-deg", "derived", "right aileron position, degrees"),
    PropertySpec("fcs/flap-pos-rad", "derived", "flap position, radians"),
)

N_STANDARD = len(PROPERTIES)
SLOT: MappingProxyType[str, int] = MappingProxyType({p.name: i for i, p in enumerate(PROPERTIES)})

# the slots the kernels name
QBAR_PSF = SLOT["aero/qbar-psf"]
VT_FPS = SLOT["velocities/vt-fps"]
ALPHA_RAD = SLOT["aero/alpha-rad"]
BETA_RAD = SLOT["aero/beta-rad"]
ALPHADOT = SLOT["aero/alphadot-rad_sec"]
BETADOT = SLOT["aero/betadot-rad_sec"]
ELEVATOR_RAD = SLOT["fcs/elevator-pos-rad"]
LEFT_AILERON_RAD = SLOT["fcs/left-aileron-pos-rad"]
RIGHT_AILERON_RAD = SLOT["fcs/right-aileron-pos-rad"]
RUDDER_RAD = SLOT["fcs/rudder-pos-rad"]
FLAP_DEG = SLOT["fcs/flap-pos-deg"]
CG_X_IN = SLOT["inertia/cg-x-in"]
CG_Y_IN = SLOT["inertia/cg-y-in"]
CG_Z_IN = SLOT["inertia/cg-z-in"]
SW_SQFT = SLOT["metrics/Sw-sqft"]
BW_FT = SLOT["metrics/bw-ft"]
CBARW_FT = SLOT["metrics/cbarw-ft"]
IW_RAD = SLOT["metrics/iw-rad"]
SH_SQFT = SLOT["metrics/Sh-sqft"]
LH_FT = SLOT["metrics/lh-ft"]
SV_SQFT = SLOT["metrics/Sv-sqft"]
LV_FT = SLOT["metrics/lv-ft"]
QBAR_AREA = SLOT["aero/qbar-area"]
BI2VEL = SLOT["aero/bi2vel"]
CI2VEL = SLOT["aero/ci2vel"]
ALPHA_DEG = SLOT["aero/alpha-deg"]
BETA_DEG = SLOT["aero/beta-deg"]
MAG_BETA_RAD = SLOT["aero/mag-beta-rad"]
MAG_BETA_DEG = SLOT["aero/mag-beta-deg"]
ALPHADOT_DEG = SLOT["aero/alphadot-deg_sec"]
BETADOT_DEG = SLOT["aero/betadot-deg_sec"]
ALPHA_WING_RAD = SLOT["aero/alpha-wing-rad"]
MAG_ELEVATOR_RAD = SLOT["fcs/mag-elevator-pos-rad"]
ELEVATOR_DEG = SLOT["fcs/elevator-pos-deg"]
RUDDER_DEG = SLOT["fcs/rudder-pos-deg"]
LEFT_AILERON_DEG = SLOT["fcs/left-aileron-pos-deg"]
RIGHT_AILERON_DEG = SLOT["fcs/right-aileron-pos-deg"]
FLAP_RAD = SLOT["fcs/flap-pos-rad"]


def canonical_name(name: str) -> str:
    """A property name as the table spells it: whitespace stripped, ``[0]`` dropped (JSBSim
    treats ``node`` and ``node[0]`` as one)."""
    return name.strip().replace("[0]", "")


def input_names() -> tuple[str, ...]:
    """The names of the caller's inputs in the standard table."""
    return tuple(p.name for p in PROPERTIES if p.kind == "input")


@njit(cache=True)
def complete_props(props: np.ndarray) -> None:
    """Fill the derived slots from the inputs and metrics, as FGAerodynamics, FGAuxiliary
    and FGFCS compute them (bi2vel and ci2vel are 0 at Vt = 0, where JSBSim keeps its
    previous value)."""
    twovel = 2.0 * props[VT_FPS]
    if twovel != 0.0:
        props[BI2VEL] = props[BW_FT] / twovel
        props[CI2VEL] = props[CBARW_FT] / twovel
    else:
        props[BI2VEL] = 0.0
        props[CI2VEL] = 0.0
    props[QBAR_AREA] = props[SW_SQFT] * props[QBAR_PSF]
    alpha = props[ALPHA_RAD]
    beta = props[BETA_RAD]
    props[ALPHA_DEG] = alpha * RADTODEG
    props[BETA_DEG] = beta * RADTODEG
    props[MAG_BETA_RAD] = abs(beta)
    props[MAG_BETA_DEG] = abs(beta) * RADTODEG
    props[ALPHADOT_DEG] = props[ALPHADOT] * RADTODEG
    props[BETADOT_DEG] = props[BETADOT] * RADTODEG
    props[ALPHA_WING_RAD] = alpha + props[IW_RAD]
    props[MAG_ELEVATOR_RAD] = abs(props[ELEVATOR_RAD])
    props[ELEVATOR_DEG] = props[ELEVATOR_RAD] * RADTODEG
    props[RUDDER_DEG] = props[RUDDER_RAD] * RADTODEG
    props[LEFT_AILERON_DEG] = props[LEFT_AILERON_RAD] * RADTODEG
    props[RIGHT_AILERON_DEG] = props[RIGHT_AILERON_RAD] * RADTODEG
    props[FLAP_RAD] = props[FLAP_DEG] / RADTODEG
