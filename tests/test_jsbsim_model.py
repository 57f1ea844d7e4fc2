"""The JSBSim reader and compiler: records, units, files, tables, operations, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from longwing.jsbsim import properties as P
from longwing.jsbsim.aero import aero_forces_moments
from longwing.jsbsim.compile_aero import compile_aircraft, new_props
from longwing.jsbsim.errors import JSBSimModelError
from longwing.jsbsim.functions import evaluate
from longwing.jsbsim.units import FT_M, IN_M, LBM_KG, SLUGFT2_KGM2
from longwing.jsbsim.xml_model import load_aircraft

pytest.importorskip("jsbsim")  # the aircraft files come with the jsbsim package

AIRCRAFT = ("c172x", "c172p", "c310", "J3Cub", "pa28")


def _aircraft(folder, aero: str, metrics: str = "", extra: str = "") -> str:
    """A small aircraft file in folder; returns its path."""
    metrics = (
        metrics
        or """
        <wingarea unit="FT2"> 100 </wingarea>
        <wingspan unit="FT"> 30 </wingspan>
        <chord unit="FT"> 4 </chord>
        <location name="AERORP" unit="IN"> <x>40</x> <y>0</y> <z>10</z> </location>"""
    )
    text = f"""<?xml version="1.0"?>
<fdm_config name="test">
    <metrics>{metrics}
    </metrics>
    <mass_balance>
        <emptywt unit="LBS"> 1000 </emptywt>
        <location name="CG" unit="IN"> <x>42</x> <y>0</y> <z>12</z> </location>
    </mass_balance>
    {extra}
    {aero}
</fdm_config>
"""
    path = folder / "test.xml"
    path.write_text(text)
    return str(path)


def _pre_functions(body: str) -> str:
    return f"<aerodynamics>{body}</aerodynamics>"


@pytest.mark.parametrize("name", AIRCRAFT)
def test_the_bundled_aircraft_compile(name):
    compiled = compile_aircraft(load_aircraft(name))
    assert len(compiled.functions) > 25
    assert {f.axis for f in compiled.functions} >= {"DRAG", "SIDE", "LIFT", "ROLL", "PITCH", "YAW"}
    props = new_props(compiled)
    props[P.QBAR_PSF] = 30.0
    props[P.VT_FPS] = 160.0
    props[P.ALPHA_RAD] = 0.05
    assert all(math.isfinite(v) for v in aero_forces_moments(compiled.kernel, props))


def test_c172x_records():
    m = load_aircraft("c172x")
    assert m.metrics.wing_area_m2 == pytest.approx(174.0 * FT_M**2, rel=1e-15)
    assert m.metrics.wingspan_m == pytest.approx(36.0 * FT_M, rel=1e-15)
    assert m.metrics.chord_m == pytest.approx(4.9 * FT_M, rel=1e-15)
    assert m.metrics.aero_rp.x_m == pytest.approx(43.2 * IN_M, rel=1e-15)
    assert m.metrics.aero_rp.z_m == pytest.approx(59.4 * IN_M, rel=1e-15)
    assert m.mass.empty_mass_kg == pytest.approx(1454.0 * LBM_KG, rel=1e-15)
    assert m.mass.ixx_kgm2 == pytest.approx(948.0 * SLUGFT2_KGM2, rel=1e-15)
    assert m.mass.cg.x_m == pytest.approx(41.0 * IN_M, rel=1e-15)
    assert [p.name for p in m.mass.point_masses][:2] == ["PILOT", "CO-PILOT"]
    assert m.mass.point_masses[0].location.y_m == pytest.approx(-14.0 * IN_M)
    assert [c.name for c in m.contacts] == [
        "Nose Gear",
        "Left Main Gear",
        "Right Main Gear",
        "TAIL_SKID",
        "LEFT_TIP",
        "RIGHT_TIP",
    ]
    assert m.contacts[3].kind == "STRUCTURE"
    (engine,) = m.engines
    assert engine.engine_path.name == "eng_io320.xml" and engine.engine_path.is_file()
    assert engine.thruster_path is not None and engine.thruster_path.name == "prop_75in2f.xml"
    assert engine.thruster_location.x_m == pytest.approx(-37.7 * IN_M)
    assert m.aero.alpha_limits_rad == (-0.087, 0.28)
    assert m.aero.hysteresis_limits_rad == (0.09, 0.36)
    assert compile_aircraft(m).aircraft_inputs == ("fcs/effective-aileron-pos",)


def test_j3cub_engine_from_its_own_folder():
    (engine,) = load_aircraft("J3Cub").engines
    assert engine.engine_path.parent.name == "Engines"
    assert engine.thruster_name == "CM7445 MCCauley"


def test_units_are_converted_as_jsbsim_does(tmp_path):
    metrics = """
        <wingarea unit="M2"> 10 </wingarea>
        <wingspan unit="M"> 12 </wingspan>
        <chord unit="IN"> 36 </chord>
        <wing_incidence unit="DEG"> 2 </wing_incidence>"""
    m = load_aircraft(_aircraft(tmp_path, "<aerodynamics/>", metrics))
    # JSBSim's metre is 3.2808399 ft: within 2e-9 of the exact one
    assert m.metrics.wing_area_m2 == pytest.approx(10.0, rel=4e-9)
    assert m.metrics.wingspan_m == pytest.approx(12.0, rel=2e-9)
    assert m.metrics.chord_m == pytest.approx(36.0 * IN_M, rel=1e-15)
    assert m.metrics.wing_incidence_rad == pytest.approx(math.radians(2.0), rel=1e-15)
    assert m.metrics.aero_rp == (0.0, 0.0, 0.0)  # JSBSim's default


def test_aerodynamics_in_its_own_file(tmp_path):
    (tmp_path / "aero_part.xml").write_text(
        """<aerodynamics>
        <axis name="LIFT"><function name="aero/coefficient/CL0">
            <product><property>aero/qbar-area</property><value>0.3</value></product>
        </function></axis></aerodynamics>"""
    )
    c = compile_aircraft(load_aircraft(_aircraft(tmp_path, '<aerodynamics file="aero_part"/>')))
    assert [f.name for f in c.functions] == ["aero/coefficient/CL0"]
    assert c.model.aero.element.source.endswith("aero_part.xml")


def _run_pre(tmp_path, body: str, inputs: dict[str, float]) -> tuple:
    c = compile_aircraft(load_aircraft(_aircraft(tmp_path, _pre_functions(body))))
    props = new_props(c)
    for name, value in inputs.items():
        props[P.SLOT[name]] = value
    P.complete_props(props)
    evaluate(c.kernel.program, props)
    return c, props


def _value_of(c, props, name: str) -> float:
    return float(props[c.slot(name)])


TABLE_1D = """<function name="aero/t1"><table>
    <independentVar>aero/alpha-rad</independentVar>
    <tableData> -0.1 -1.0
                 0.0  0.5
                 0.2  2.5 </tableData></table></function>"""


@pytest.mark.parametrize(
    ("alpha", "want"),
    [(-1.0, -1.0), (-0.1, -1.0), (-0.05, -0.25), (0.1, 1.5), (0.2, 2.5), (9, 2.5)],
)
def test_1d_table_interpolates_and_holds_the_ends(tmp_path, alpha, want):
    c, props = _run_pre(tmp_path, TABLE_1D, {"aero/alpha-rad": alpha})
    assert _value_of(c, props, "aero/t1") == pytest.approx(want, rel=1e-14, abs=1e-15)


TABLE_2D = """<function name="aero/t2"><table>
    <independentVar lookup="row">aero/alpha-rad</independentVar>
    <independentVar lookup="column">fcs/flap-pos-deg</independentVar>
    <tableData>        0.0   10.0   30.0
                 0.0   1.0    2.0    4.0
                 0.1   3.0    5.0    9.0 </tableData></table></function>"""


@pytest.mark.parametrize(
    ("alpha", "flap", "want"),
    [
        (0.05, 0.0, 2.0),
        (0.05, 5.0, 2.75),  # rows then columns: (1+3)/2=2, (2+5)/2=3.5 -> 2.75
        (0.1, 20.0, 7.0),
        (-1.0, 40.0, 4.0),  # both keys held at their ends
        (1.0, -5.0, 3.0),
    ],
)
def test_2d_table(tmp_path, alpha, flap, want):
    c, props = _run_pre(tmp_path, TABLE_2D, {"aero/alpha-rad": alpha, "fcs/flap-pos-deg": flap})
    assert _value_of(c, props, "aero/t2") == pytest.approx(want, rel=1e-14)


TABLE_3D = """<function name="aero/t3"><table>
    <independentVar lookup="row">aero/alpha-rad</independentVar>
    <independentVar lookup="column">aero/beta-rad</independentVar>
    <independentVar lookup="table">fcs/flap-pos-deg</independentVar>
    <tableData breakPoint="0">   0.0  1.0
                           0.0   0.0  1.0
                           1.0   2.0  3.0 </tableData>
    <tableData breakPoint="20">  0.0  2.0
                           0.0  10.0 12.0
                           1.0  12.0 14.0 </tableData></table></function>"""


@pytest.mark.parametrize(
    ("flap", "want"), [(-5.0, 1.5), (0.0, 1.5), (10.0, 6.5), (20.0, 11.5), (30.0, 11.5)]
)
def test_3d_table_interpolates_between_breakpoints(tmp_path, flap, want):
    # alpha 0.5, beta 0.5: sub-table 1 gives 1.5, sub-table 2 gives 11.5
    c, props = _run_pre(
        tmp_path,
        TABLE_3D,
        {"aero/alpha-rad": 0.5, "aero/beta-rad": 0.5, "fcs/flap-pos-deg": flap},
    )
    assert _value_of(c, props, "aero/t3") == pytest.approx(want, rel=1e-14)


def test_operations_signs_and_functions_reading_functions(tmp_path):
    body = """
    <function name="aero/a"><sum><p>-aero/alpha-rad</p><value>1</value><pi/></sum></function>
    <function name="aero/b"><product><property>aero/a</property><v>2</v></product></function>
    <function name="aero/c"><difference><p>aero/b</p><v>1</v><v>0.5</v></difference></function>
    <function name="aero/d"><quotient><p>aero/c</p><v>0</v></quotient></function>
    <function name="aero/e"><pow><v>2</v><v>10</v></pow></function>
    <function name="aero/f"><max><v>1</v><abs><v>-7</v></abs><min><v>3</v><v>9</v></min></max>
    </function>
    <function name="aero/g"><sqrt><v>-1</v></sqrt></function>
    <function name="aero/h"><atan2><v>1</v><v>-1</v></atan2></function>
    <function name="aero/i"><ifthen><gt><p>aero/alpha-rad</p><v>0</v></gt>
        <sin><v>0.5</v></sin><cos><v>0.5</v></cos></ifthen></function>
    <function name="aero/j"><todegrees><tan><v>0.2</v></tan></todegrees></function>
    <function name="aero/k"><avg><v>1</v><v>2</v><v>6</v></avg></function>
    """
    c, props = _run_pre(tmp_path, body, {"aero/alpha-rad": 0.25})
    a = -0.25 + 1.0 + math.pi
    assert _value_of(c, props, "aero/a") == pytest.approx(a, rel=1e-15)
    assert _value_of(c, props, "aero/b") == pytest.approx(2 * a, rel=1e-15)
    assert _value_of(c, props, "aero/c") == pytest.approx(2 * a - 1.5, rel=1e-15)
    assert _value_of(c, props, "aero/d") == math.inf  # FGFunction's HUGE_VAL
    assert _value_of(c, props, "aero/e") == 1024.0
    assert _value_of(c, props, "aero/f") == 7.0
    assert _value_of(c, props, "aero/g") == -math.inf
    assert _value_of(c, props, "aero/h") == pytest.approx(math.atan2(1, -1), rel=1e-15)
    assert _value_of(c, props, "aero/i") == pytest.approx(math.sin(0.5), rel=1e-15)
    assert _value_of(c, props, "aero/j") == pytest.approx(math.degrees(math.tan(0.2)), rel=1e-15)
    assert _value_of(c, props, "aero/k") == pytest.approx(3.0, rel=1e-15)


def _error(tmp_path, aero: str, extra: str = "") -> JSBSimModelError:
    with pytest.raises(JSBSimModelError) as info:
        compile_aircraft(load_aircraft(_aircraft(tmp_path, aero, extra=extra)))
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
    return info.value


def test_an_unsupported_property_names_file_and_line(tmp_path):
    aero = """<aerodynamics>
      <axis name="LIFT">
        <function name="aero/coefficient/CLx">
          <product>
            <property>aero/qbar-area</property>
            <property>position/h-sl-ft</property>
          </product>
        </function>
      </axis></aerodynamics>"""
    err = _error(tmp_path, aero)
    path = str(tmp_path / "test.xml")
    line = (
        (tmp_path / "test.xml")
        .read_text()
        .splitlines()
        .index("            <property>position/h-sl-ft</property>")
    )
    assert str(err) == f"{path}:{line + 1}: unsupported property 'position/h-sl-ft'"


def test_an_unsupported_element_is_named(tmp_path):
    err = _error(tmp_path, _pre_functions('<function name="aero/x"><random/></function>'))
    assert "element <random> is not supported" in str(err) and err.line > 0


def test_a_function_read_before_it_is_computed_is_refused(tmp_path):
    aero = """<aerodynamics>
      <axis name="LIFT"><function name="aero/l"><p>aero/d</p></function></axis>
      <axis name="DRAG"><function name="aero/d"><p>aero/qbar-area</p></function></axis>
    </aerodynamics>"""
    # DRAG runs before LIFT in JSBSim: this reads a value of this step
    compile_aircraft(load_aircraft(_aircraft(tmp_path, aero)))
    aero = aero.replace('"LIFT"', '"TMP"').replace('"DRAG"', '"LIFT"').replace('"TMP"', '"DRAG"')
    assert "evaluated later" in str(_error(tmp_path, aero))


def test_aircraft_fcs_properties_are_inputs(tmp_path):
    fcs = """<flight_control name="fcs"><channel name="roll">
        <pure_gain name="fcs/my-aileron"><input>fcs/aileron-cmd-norm</input><gain>0.3</gain>
        </pure_gain></channel></flight_control>"""
    aero = _pre_functions('<function name="aero/x"><p>-fcs/my-aileron</p></function>')
    c = compile_aircraft(load_aircraft(_aircraft(tmp_path, aero, extra=fcs)))
    assert c.aircraft_inputs == ("fcs/my-aileron",)
    props = new_props(c)
    props[c.slot("fcs/my-aileron")] = 0.2
    evaluate(c.kernel.program, props)
    assert _value_of(c, props, "aero/x") == -0.2
    assert "unsupported property 'fcs/my-aileron'" in str(_error(tmp_path, aero))


def test_bad_table_and_xml_are_one_line_errors(tmp_path):
    bad = TABLE_1D.replace("0.2  2.5", "-0.2  2.5")
    assert "keys are not increasing" in str(_error(tmp_path, _pre_functions(bad)))
    (tmp_path / "broken.xml").write_text("<fdm_config><metrics></fdm_config>")
    with pytest.raises(JSBSimModelError, match=r"broken.xml:1: not well-formed"):
        load_aircraft(tmp_path / "broken.xml")


def test_new_props_has_the_metrics_and_room_for_the_stack():
    c = compile_aircraft(load_aircraft("c172x"))
    props = new_props(c)
    assert props.shape == (c.kernel.n_slots + c.kernel.program.stack_size,)
    assert props[P.SW_SQFT] == pytest.approx(174.0, rel=1e-15)
    assert props[P.CG_X_IN] == pytest.approx(41.0, rel=1e-15)
    assert np.all(props[P.SLOT["aero/qbar-psf"] : P.CG_X_IN] == 0.0)


def test_docs_list_every_supported_property():
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "jsbsim.md").read_text()
    for p in P.PROPERTIES:
        assert f"| `{p.name}` | {p.kind} |" in doc, p.name
