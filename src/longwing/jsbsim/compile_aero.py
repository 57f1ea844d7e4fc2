"""An aircraft's <aerodynamics> compiled: the program, the axes and the slots.

``compile_aircraft(model)`` returns a ``CompiledAircraft``: ``kernel`` (an ``AeroKernel``
of arrays and numbers, what the compiled code reads) and the names of every slot. The
functions run in FGAerodynamics' order: the functions outside the axes in file order,
then the axes DRAG/X/AXIAL, SIDE/Y, LIFT/Z/NORMAL (each axis' functions, then its
``apply_at_cg`` ones), then ROLL, PITCH, YAW. A function may read a function run before it;
reading one run after it is refused (JSBSim would read the previous step's value).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from longwing.jsbsim import properties as P
from longwing.jsbsim.errors import error_at
from longwing.jsbsim.functions import FunctionCompiler, Program
from longwing.jsbsim.units import FT_M, IN_M
from longwing.jsbsim.xml_model import AircraftModel
from longwing.jsbsim.xml_tree import LineElement

AXIS_INDEX = MappingProxyType(
    {"DRAG": 0, "SIDE": 1, "LIFT": 2, "ROLL": 3, "PITCH": 4, "YAW": 5}
    | {"AXIAL": 0, "NORMAL": 2, "X": 0, "Y": 1, "Z": 2}
)
AXIS_NAMES = ("DRAG", "SIDE", "LIFT", "ROLL", "PITCH", "YAW")  # by index (wind names)

# force axis systems (FGAerodynamics' eAxisType)
FORCES_WIND, FORCES_BODY, FORCES_AXIAL_NORMAL, FORCES_STABILITY = 0, 1, 2, 3
# moment axis systems
MOMENTS_BODY, MOMENTS_STABILITY, MOMENTS_WIND = 0, 1, 2

# values FGAerodynamics computes after its functions outside the axes have run: those
# functions would read the previous step's value in JSBSim, so they may not read them
_SET_AFTER_PRE_FUNCTIONS = frozenset(
    {"aero/qbar-area", "aero/bi2vel", "aero/ci2vel", "aero/alpha-wing-rad", "aero/stall-hyst-norm"}
)


class AeroKernel(NamedTuple):
    """What the compiled kernels read (arrays and numbers only)."""

    program: Program
    n_slots: int  # props holds n_slots + program.stack_size values
    sum_slot: np.ndarray  # int64: the slots summed into the axes, in JSBSim's order
    sum_axis: np.ndarray  # int64: 0..5 (DRAG/X, SIDE/Y, LIFT/Z, ROLL, PITCH, YAW)
    sum_at_cg: np.ndarray  # int64: 1 for apply_at_cg functions (no moment transfer)
    force_axes: int  # FORCES_*
    moment_axes: int  # MOMENTS_*
    rp_x_in: float  # AERORP in the structural frame (X aft, Y right, Z up), inches
    rp_y_in: float
    rp_z_in: float
    hyst_min_rad: float  # hysteresis_limits (0, 0: none)
    hyst_max_rad: float


class AeroFunction(NamedTuple):
    name: str  # the function's name ("" when unnamed)
    axis: str  # DRAG ... YAW, or "" for a function outside the axes
    slot: int
    at_cg: bool


class CompiledAircraft(NamedTuple):
    model: AircraftModel
    kernel: AeroKernel
    slot_names: tuple[str, ...]  # every slot below n_slots, by slot
    aircraft_inputs: tuple[str, ...]  # the aircraft's own FCS properties the functions read
    functions: tuple[AeroFunction, ...]  # in evaluation order

    def slot(self, name: str) -> int:
        """The slot of a property (standard, aircraft input or function)."""
        c = P.canonical_name(name)
        try:
            return self.slot_names.index(c)
        except ValueError:
            raise KeyError(f"{self.model.path}: no property '{name}' in this model") from None


def _axis_systems(model: AircraftModel) -> tuple[int, int]:
    force = moment = None
    frames = {"": None, "BODY": None, "STABILITY": None, "WIND": None}
    for ax in model.aero.axes:
        if ax.name not in AXIS_INDEX:
            raise error_at(ax.element, f"unknown axis '{ax.name}'")
        if ax.frame not in frames:
            raise error_at(ax.element, f"unknown axis frame '{ax.frame}'")
        if ax.name in ("ROLL", "PITCH", "YAW"):
            kind = {"": MOMENTS_BODY, "BODY": MOMENTS_BODY}.get(ax.frame)
            kind = (
                kind
                if kind is not None
                else (MOMENTS_STABILITY if ax.frame == "STABILITY" else MOMENTS_WIND)
            )
            if moment is not None and moment != kind:
                raise error_at(ax.element, "mixed moment axis systems are not supported")
            moment = kind
            continue
        if ax.name in ("LIFT", "DRAG"):
            kind = FORCES_WIND
        elif ax.name in ("AXIAL", "NORMAL"):
            kind = FORCES_AXIAL_NORMAL
        elif ax.name == "SIDE":
            kind = force  # SIDE goes with any of them
        else:  # X, Y, Z
            kind = {"": FORCES_BODY, "BODY": FORCES_BODY, "STABILITY": FORCES_STABILITY}.get(
                ax.frame, FORCES_WIND
            )
        if kind is not None:
            if force is not None and force != kind:
                raise error_at(ax.element, "mixed force axis systems are not supported")
            force = kind
    return (FORCES_WIND if force is None else force), (MOMENTS_BODY if moment is None else moment)


def _ordered(model: AircraftModel) -> list[tuple[LineElement, str, bool]]:
    """(function, axis name, at CG) in FGAerodynamics' evaluation order."""
    by_index: dict[int, tuple[str, tuple[LineElement, ...], LineElement]] = {}
    for ax in model.aero.axes:
        idx = AXIS_INDEX[ax.name]
        if idx in by_index:
            raise error_at(ax.element, f"axis {ax.name} given twice (JSBSim keeps the last)")
        by_index[idx] = (ax.name, ax.functions, ax.element)
    order: list[tuple[LineElement, str, bool]] = [(f, "", False) for f in model.aero.pre_functions]
    for idx in range(6):
        if idx not in by_index:
            continue
        name, fns, _ = by_index[idx]
        regular = [f for f in fns if f.get("apply_at_cg") != "true"]
        at_cg = [f for f in fns if f.get("apply_at_cg") == "true"]
        if at_cg and idx >= 3:
            raise error_at(at_cg[0], "apply_at_cg on a moment axis is not supported")
        order += [(f, AXIS_NAMES[idx], False) for f in regular]
        order += [(f, AXIS_NAMES[idx], True) for f in at_cg]
    return order


def compile_aircraft(model: AircraftModel) -> CompiledAircraft:
    """Compile the aircraft's aerodynamics (raises JSBSimModelError naming file and line)."""
    force_axes, moment_axes = _axis_systems(model)
    order = _ordered(model)
    names: list[str] = [p.name for p in P.PROPERTIES]
    slots: dict[str, int] = dict(P.SLOT)
    all_functions = {P.canonical_name(f.get("name", "")) for f, _, _ in order if f.get("name")}
    fcs = {P.canonical_name(n) for n in model.fcs_properties}
    aircraft_inputs: list[str] = []
    current_is_pre = [False]

    def resolve(text: str, el: LineElement) -> int:
        c = P.canonical_name(text)
        if current_is_pre[0] and c in _SET_AFTER_PRE_FUNCTIONS:
            raise error_at(
                el,
                f"property '{c}' in a function outside the axes is not supported "
                "(JSBSim sets it after those functions run)",
            )
        if c in slots:
            return slots[c]
        if c in all_functions:
            raise error_at(
                el,
                f"property '{c}' is a function evaluated later (JSBSim would "
                "read its previous value): not supported",
            )
        if c in fcs:
            slots[c] = len(names)
            names.append(c)
            aircraft_inputs.append(c)
            return slots[c]
        raise error_at(el, f"unsupported property '{c}'")

    comp = FunctionCompiler(resolve)
    functions = []
    for fn, axis, at_cg in order:
        name = P.canonical_name(fn.get("name", ""))
        if name and name in slots:
            raise error_at(fn, f"function '{name}' is defined twice or names a known property")
        current_is_pre[0] = axis == ""
        slot = len(names)
        names.append(name or f"<{axis or 'function'} #{len(functions)}>")
        comp.compile_function(fn, slot)
        if name:
            slots[name] = slot
        functions.append(AeroFunction(name, axis, slot, at_cg))
    in_axes = [f for f in functions if f.axis]
    rp = model.metrics.aero_rp
    hyst = model.aero.hysteresis_limits_rad or (0.0, 0.0)
    kernel = AeroKernel(
        program=comp.build(stack_base=len(names)),
        n_slots=len(names),
        sum_slot=np.array([f.slot for f in in_axes], dtype=np.int64),
        sum_axis=np.array([AXIS_NAMES.index(f.axis) for f in in_axes], dtype=np.int64),
        sum_at_cg=np.array([int(f.at_cg) for f in in_axes], dtype=np.int64),
        force_axes=force_axes,
        moment_axes=moment_axes,
        rp_x_in=rp.x_m / IN_M,
        rp_y_in=rp.y_m / IN_M,
        rp_z_in=rp.z_m / IN_M,
        hyst_min_rad=hyst[0],
        hyst_max_rad=hyst[1],
    )
    return CompiledAircraft(model, kernel, tuple(names), tuple(aircraft_inputs), tuple(functions))


def new_props(compiled: CompiledAircraft) -> np.ndarray:
    """A props array for the aircraft: zeros, its metrics, the CG of the empty aircraft."""
    k = compiled.kernel
    props = np.zeros(k.n_slots + k.program.stack_size, dtype=np.float64)
    m = compiled.model.metrics
    ft2 = FT_M * FT_M
    props[P.SW_SQFT] = m.wing_area_m2 / ft2
    props[P.BW_FT] = m.wingspan_m / FT_M
    props[P.CBARW_FT] = m.chord_m / FT_M
    props[P.IW_RAD] = m.wing_incidence_rad
    props[P.SH_SQFT] = m.htail_area_m2 / ft2
    props[P.LH_FT] = m.htail_arm_m / FT_M
    props[P.SV_SQFT] = m.vtail_area_m2 / ft2
    props[P.LV_FT] = m.vtail_arm_m / FT_M
    cg = compiled.model.mass.cg
    props[P.CG_X_IN] = cg.x_m / IN_M
    props[P.CG_Y_IN] = cg.y_m / IN_M
    props[P.CG_Z_IN] = cg.z_m / IN_M
    return props
