"""A JSBSim aircraft file as a longwing :class:`~longwing.airframe.params.Airframe`.

``jsbsim_airframe(name_or_path)`` reads the aircraft (:mod:`longwing.jsbsim.xml_model`),
compiles its aerodynamics (the flight kernels evaluate them through ``AeroParams.table``,
:mod:`longwing.physics.table_aero`) and fills the rest of the airframe from the file, or,
where a JSBSim file says nothing a longwing airframe needs, from rules stated here and in
docs/jsbsim.md:

* mass: the empty weight plus the point masses (pilot, passengers, baggage) as the dry mass,
  with their CG; inertia of the empty aircraft (JSBSim's; the point masses' own inertia
  about the CG is added as JSBSim does, m d^2); the tanks' capacity is the fuel capacity,
  the fuel a point mass at that CG (longwing's mass model);
* engine: the first engine's ``maxhp`` and ``bsfc`` (piston engines) in longwing's engine
  law (Gagg-Ferrar lapse, a propeller efficiency of 0.8), one engine's power times the
  number of engines;
* surfaces: the limits of the actuator (or surface scale) writing each surface's position,
  else 20 deg; rates 1.57 rad/s (JSBSim's c172x aileron actuator);
* ground: the lowest BOGEY contact on the centreline (nose or tail wheel), the lowest pair
  off it (main wheels), and the contact farthest out (a wingtip), with those wheels' mean
  spring, damping and rolling friction;
* envelope: from Vs, the least speed at the full weight where the aircraft flies (the stall
  at CLmax of the tables, flaps up, or the full-up elevator's trim limit in level flight and
  in a climb, whichever is higher: the planner's own limit): minimum airspeed 1.3 Vs, cruise
  1.9 Vs, maximum 2.6 Vs; bank 45 deg (navigation 30), pitch +-25;
* launch: a runway take-off rotating at 1.15 Vs; landing limits of light aircraft (FAR
  23.473 sink, a 10 kt tailwind over 1.3 Vs of ground speed, 8 deg of bank).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from longwing.airframe.params import (
    ActuatorParams,
    AeroParams,
    Airframe,
    Envelope,
    GroundParams,
    LandingLimits,
    Launch,
    MassParams,
    PropulsionParams,
)
from longwing.jsbsim.compile_aero import compile_aircraft, new_props
from longwing.jsbsim.errors import JSBSimModelError
from longwing.jsbsim.units import FT_M, LBF_N, LBM_KG
from longwing.jsbsim.xml_model import AircraftModel, Location, load_aircraft
from longwing.jsbsim.xml_tree import LineElement, number, parse_xml
from longwing.physics.table_aero import TableAero

G0_MPS2 = 9.80665
HP_W = 745.6998715822702
LB_PER_HPH_TO_KG_PER_J = LBM_KG / (HP_W * 3600.0)
DEFAULT_BSFC_LB_HPH = 0.45
PROP_ETA = 0.8
SURFACE_DEFAULT_RAD = math.radians(20.0)
SURFACE_RATE_RADPS = 1.57
SUMMARY_SPEED_MPS = 30.0
AILERON_INPUTS = ("fcs/effective-aileron-pos", "fcs/aileron-pos-rad")
SPRING_UNITS = {"LBS/FT": LBF_N / FT_M, "N/M": 1.0}
DAMPING_UNITS = {"LBS/FT/SEC": LBF_N / FT_M, "N/M/SEC": 1.0}


def _body(loc: Location, cg: Location) -> tuple[float, float, float]:
    """A structural-frame point (X aft, Y right, Z up) in body axes from the CG, m."""
    return cg.x_m - loc.x_m, loc.y_m - cg.y_m, cg.z_m - loc.z_m


def _loaded(model: AircraftModel) -> tuple[float, Location, tuple[float, float, float, float]]:
    """(dry mass, CG, (Jx, Jy, Jz, Jxz)): the empty aircraft plus its point masses."""
    mb = model.mass
    parts = [(mb.empty_mass_kg, mb.cg), *((p.mass_kg, p.location) for p in mb.point_masses)]
    m = sum(w for w, _ in parts)
    cg = Location(*(sum(w * getattr(loc, a) for w, loc in parts) / m for a in ("x_m", "y_m",
                                                                               "z_m")))  # fmt: skip
    jx, jy, jz, jxz = mb.ixx_kgm2, mb.iyy_kgm2, mb.izz_kgm2, mb.ixz_kgm2
    for w, loc in parts:  # parallel axes to the loaded CG (point masses: m d^2 only)
        x, y, z = _body(loc, cg)
        jx += w * (y * y + z * z)
        jy += w * (x * x + z * z)
        jz += w * (x * x + y * y)
        jxz += w * x * z
    return m, cg, (jx, jy, jz, jxz)


def _find_output(root: LineElement, prop: str) -> LineElement | None:
    for el in root.iter():
        out = el.find("output")
        if out is not None and (out.text or "").strip() == prop:
            return el
    return None


def _surface_limit(root: LineElement, prop: str) -> float:
    """The largest deflection the aircraft's FCS gives a surface (rad), else 20 deg."""
    el = _find_output(root, prop)
    clip = None if el is None else el.find("clipto")
    if clip is None or clip.find("min") is None or clip.find("max") is None:
        return SURFACE_DEFAULT_RAD
    return min(abs(number(clip.find("min"))), abs(number(clip.find("max"))))


def _contact_number(contact: LineElement, tag: str, units: dict[str, float]) -> float | None:
    el = contact.find(tag)
    if el is None:
        return None
    unit = el.get("unit", next(iter(units))).upper()
    if unit not in units:
        raise JSBSimModelError(f"{contact.source}:{el.line}: unit '{unit}' of <{tag}> is not "
                               f"one of {', '.join(units)}")  # fmt: skip
    return number(el) * units[unit]


def _ground(root: LineElement, model: AircraftModel, cg: Location) -> GroundParams:
    bogeys = [c for c in model.contacts if c.kind == "BOGEY"]
    centre = [c for c in bogeys if abs(c.location.y_m) < 0.05]
    side = [c for c in bogeys if c.location.y_m > 0.05]
    if not centre or not side:
        raise JSBSimModelError(f"{model.path}: longwing's ground model needs a wheel on the "
                               "centreline and a pair of main wheels (BOGEY contacts)")  # fmt: skip
    wheel = min(centre, key=lambda c: c.location.z_m)  # the lowest: wheels, not tail bumpers
    main = min(side, key=lambda c: c.location.z_m)
    tip = max(model.contacts, key=lambda c: abs(c.location.y_m))
    fx, _, fz = _body(wheel.location, cg)
    mx, my, mz = _body(main.location, cg)
    tx, ty, tz = _body(tip.location, cg)
    springs, dampers, rolling = [], [], []
    gr = root.find("ground_reactions")
    wheels = {wheel.name, main.name}
    for c in [] if gr is None else gr.findall("contact"):
        if c.get("name", "") not in wheels:
            continue
        for tag, units, out in (("spring_coeff", SPRING_UNITS, springs),
                                ("damping_coeff", DAMPING_UNITS, dampers)):  # fmt: skip
            v = _contact_number(c, tag, units)
            if v is not None:
                out.append(v)
        if c.find("rolling_friction") is not None:
            rolling.append(number(c.find("rolling_friction")))
    if not springs or not dampers:
        raise JSBSimModelError(f"{model.path}: the BOGEY contacts give no spring_coeff or "
                               "damping_coeff")  # fmt: skip
    return GroundParams(
        front_x_m=fx, front_z_m=fz, main_x_m=mx, main_y_m=abs(my), main_z_m=mz, tip_x_m=tx,
        tip_y_m=abs(ty), tip_z_m=tz, stiffness_npm=float(np.mean(springs)),
        damping_nspm=float(np.mean(dampers)),
        mu_long=float(np.mean(rolling)) if rolling else 0.02, mu_side=0.8, mu_brake=0.5,
        reach_m=max(math.hypot(fx, fz), math.hypot(mx, my, mz), math.hypot(tx, ty, tz)),
    )  # fmt: skip


def _engine(model: AircraftModel) -> PropulsionParams:
    if not model.engines:
        raise JSBSimModelError(f"{model.path}: no engine: longwing flies powered aircraft")
    eng = parse_xml(model.engines[0].engine_path)
    if eng.tag != "piston_engine" or eng.find("maxhp") is None:
        raise JSBSimModelError(f"{model.engines[0].engine_path}: a <piston_engine> with <maxhp> "
                               f"is needed (found <{eng.tag}>)")  # fmt: skip
    power_w = number(eng.find("maxhp")) * HP_W * len(model.engines)
    bsfc = number(eng.find("bsfc")) if eng.find("bsfc") is not None else DEFAULT_BSFC_LB_HPH
    return PropulsionParams(power_sl_w=power_w, lapse_a=1.132, lapse_b=0.132,
                            rho0_kgpm3=1.225, prop_eta=PROP_ETA, thrust_min_speed_mps=5.0,
                            bsfc_kg_per_j=bsfc * LB_PER_HPH_TO_KG_PER_J,
                            idle_power_w=0.05 * power_w)  # fmt: skip


def _table_aero(model: AircraftModel, cg: Location) -> TableAero:
    compiled = compile_aircraft(model)
    props = new_props(compiled)
    k = compiled.kernel
    from longwing.jsbsim import properties as P

    props[P.CG_X_IN], props[P.CG_Y_IN], props[P.CG_Z_IN] = (cg.x_m / 0.0254, cg.y_m / 0.0254,
                                                            cg.z_m / 0.0254)  # fmt: skip
    aileron = []
    for name in compiled.aircraft_inputs:
        if name not in AILERON_INPUTS:
            raise JSBSimModelError(f"{model.path}: the aerodynamics read '{name}', a property of "
                                   "the aircraft's own flight controls longwing does not fly; "
                                   f"known: {', '.join(AILERON_INPUTS)}")  # fmt: skip
        aileron.append(compiled.slot(name))
    return TableAero(kernel=k, props=props, aileron_slots=np.array(aileron, dtype=np.int64),
                     drag_scale=1.0)  # fmt: skip


def _coefficients(aero: AeroParams, alpha: float, beta: float = 0.0, rates=(0.0, 0.0, 0.0),
                  surfaces=(0.0, 0.0, 0.0)) -> tuple[float, ...]:  # fmt: skip
    """(CL, CD, CY, Cl, Cm, Cn) of the tables at SUMMARY_SPEED_MPS, sea-level density; body
    rates given non-dimensional (p b/2V, q c/2V, r b/2V)."""
    from longwing.physics.aero import aero_forces_moments

    va, rho = SUMMARY_SPEED_MPS, 1.225
    u = va * math.cos(alpha) * math.cos(beta)
    v, w = va * math.sin(beta), va * math.sin(alpha) * math.cos(beta)
    p_, q_, r_ = (rates[0] * 2 * va / aero.b_m, rates[1] * 2 * va / aero.c_m,
                  rates[2] * 2 * va / aero.b_m)  # fmt: skip
    fx, fy, fz, ml, mm, mn = aero_forces_moments(u, v, w, p_, q_, r_, *surfaces, rho, aero)
    qs = 0.5 * rho * va * va * aero.S_m2
    sa, ca = math.sin(alpha), math.cos(alpha)
    return ((fx * sa - fz * ca) / qs, -(fx * ca + fz * sa) / qs, fy / qs, ml / (qs * aero.b_m),
            mm / (qs * aero.c_m), mn / (qs * aero.b_m))  # fmt: skip


def _linear_summary(aero: AeroParams) -> AeroParams:
    """The tables' linear coefficients (Beard & McLain form) by finite differences at
    SUMMARY_SPEED_MPS and 2 deg of alpha, and a parabolic polar fitted from -2 to 8 deg: a
    summary for first guesses (trim) and estimates (best glide), not what is flown."""
    a0 = math.radians(2.0)
    base = _coefficients(aero, a0)
    alphas = np.radians(np.linspace(-2.0, 8.0, 11))
    polar = np.array([_coefficients(aero, float(a))[:2] for a in alphas])
    k, cdp = np.polyfit(polar[:, 0] ** 2, polar[:, 1], 1)
    cl_a, cl_0 = np.polyfit(alphas, polar[:, 0], 1)
    d = 0.02

    def slope(i: int, **kw) -> float:
        return (_coefficients(aero, a0, **kw)[i] - base[i]) / d

    cm_a = (_coefficients(aero, a0 + d)[4] - base[4]) / d
    ce = {i: slope(i, surfaces=(d, 0.0, 0.0)) for i in (0, 1, 4)}
    ca = {i: slope(i, surfaces=(0.0, d, 0.0)) for i in (2, 3, 5)}
    cr = {i: slope(i, surfaces=(0.0, 0.0, d)) for i in (2, 3, 5)}
    cb = {i: (_coefficients(aero, a0, beta=d)[i] - base[i]) / d for i in (2, 3, 5)}
    cp = {i: slope(i, rates=(d, 0.0, 0.0)) for i in (2, 3, 5)}
    cq = {i: slope(i, rates=(0.0, d, 0.0)) for i in (0, 1, 4)}
    crr = {i: slope(i, rates=(0.0, 0.0, d)) for i in (2, 3, 5)}
    e = 1.0 / (math.pi * aero.AR * k) if k > 0.0 else 0.8
    return aero._replace(
        e_oswald=float(min(max(e, 0.3), 1.0)), CL0=float(cl_0), CLalpha=float(cl_a), CLq=cq[0],
        CLde=ce[0], CDp=max(float(cdp), 1e-3), CDq=cq[1], CDde=ce[1], CY0=base[2],
        CYbeta=cb[2], CYp=cp[2], CYr=crr[2], CYda=ca[2], CYdr=cr[2], Cl0=base[3], Clbeta=cb[3],
        Clp=cp[3], Clr=crr[3], Clda=ca[3], Cldr=cr[3], Cm0=base[4] - cm_a * a0, Cmalpha=cm_a,
        Cmq=cq[4], Cmde=ce[4], Cn0=base[5], Cnbeta=cb[5], Cnp=cp[5], Cnr=crr[5], Cnda=ca[5],
        Cndr=cr[5],
    )  # fmt: skip


def jsbsim_airframe(name_or_path: str | Path) -> Airframe:
    """The airframe of a JSBSim aircraft (``c172x``, or a path to its XML file);
    JSBSimModelError (a ValueError, one line naming file and line) when it cannot be flown."""
    from longwing.physics.trim import stall_speed_mps

    model = load_aircraft(name_or_path)
    root = parse_xml(model.path)
    dry_kg, cg, (jx, jy, jz, jxz) = _loaded(model)
    m = model.metrics
    table = _table_aero(model, cg)
    aero = AeroParams(
        S_m2=m.wing_area_m2, b_m=m.wingspan_m, c_m=m.chord_m, e_oswald=0.8,
        AR=m.wingspan_m**2 / m.wing_area_m2, CL0=0.0, CLalpha=0.0, CLq=0.0, CLde=0.0, CDp=0.0,
        CDq=0.0, CDde=0.0, CY0=0.0, CYbeta=0.0, CYp=0.0, CYr=0.0, CYda=0.0, CYdr=0.0, Cl0=0.0,
        Clbeta=0.0, Clp=0.0, Clr=0.0, Clda=0.0, Cldr=0.0, Cm0=0.0, Cmalpha=0.0, Cmq=0.0,
        Cmde=0.0, Cn0=0.0, Cnbeta=0.0, Cnp=0.0, Cnr=0.0, Cnda=0.0, Cndr=0.0, stall_M=50.0,
        alpha0_rad=0.3, table=table,
    )  # fmt: skip
    aero = _linear_summary(aero)
    tanks = root.findall("propulsion/tank")
    capacity = 0.0
    for t in tanks:
        cap = t.find("capacity")
        if cap is not None:
            unit = cap.get("unit", "LBS").upper()
            capacity += number(cap) * (1.0 if unit == "KG" else LBM_KG)
    if capacity <= 0.0:
        raise JSBSimModelError(f"{model.path}: no fuel tank with a <capacity>")
    mass = MassParams(dry_mass_kg=dry_kg, Jx=jx, Jy=jy, Jz=jz, Jxz=jxz,
                      fuel_capacity_kg=capacity)  # fmt: skip
    surfaces = ("fcs/elevator-pos-rad", "fcs/left-aileron-pos-rad", "fcs/rudder-pos-rad")
    lim = {p: _surface_limit(root, p) for p in surfaces}
    act = ActuatorParams(lim["fcs/elevator-pos-rad"], lim["fcs/left-aileron-pos-rad"],
                         lim["fcs/rudder-pos-rad"], SURFACE_RATE_RADPS, SURFACE_RATE_RADPS,
                         SURFACE_RATE_RADPS, 1.0)  # fmt: skip
    provisional = Airframe(
        name=model.name, source=model.path, aero=aero, mass=mass, prop=_engine(model),
        actuators=act, envelope=Envelope(10.0, 20.0, 30.0, math.radians(45.0),
                                         math.radians(30.0), math.radians(-25.0),
                                         math.radians(25.0)),
        ground=_ground(root, model, cg),
        launch=Launch("runway", 0.0, 0.0, 0.0, math.radians(8.0)),
        landing=LandingLimits(2.1, 30.0, math.radians(8.0), math.radians(-5.0),
                              math.radians(15.0), 300.0, 5.1),
    )  # fmt: skip
    from longwing.planning.performance import PerformanceTable

    full_kg = dry_kg + capacity
    vs = stall_speed_mps(provisional, 0.0, capacity, math.radians(45.0))
    try:  # the trim-limited (full-up elevator) speeds the planner uses
        limits = PerformanceTable.build(provisional)
    except ValueError:  # no performance table (it does not trim: docs/jsbsim.md); the
        limits = None  # planner says so when asked to plan with it
    if limits is not None:
        vs = max(vs, *(float(limits.min_speed_mps(full_kg, 0.0, 1.0, g)) for g in (0.0, 0.15)))
    env = Envelope(1.3 * vs, 1.9 * vs, 2.6 * vs, math.radians(45.0), math.radians(30.0),
                   math.radians(-25.0), math.radians(25.0))  # fmt: skip
    wing_loading_lbft2 = (dry_kg + capacity) / LBM_KG / (m.wing_area_m2 / FT_M**2)
    sink = max(4.4 * wing_loading_lbft2**0.25, 7.0) * FT_M  # FAR 23.473(d), ft/s -> m/s
    return Airframe(
        name=model.name, source=model.path, aero=aero, mass=mass, prop=provisional.prop,
        actuators=act, envelope=env, ground=provisional.ground,
        launch=Launch("runway", 1.2 * vs, 0.0, 1.15 * vs, math.radians(8.0)),
        landing=LandingLimits(sink, 1.3 * vs + 5.1, math.radians(8.0), math.radians(-5.0),
                              math.radians(15.0), 300.0, 5.1),
    )  # fmt: skip
