"""ArduPlane's parameters on the vehicle (issue 14 item 6): the families a GCS's setup pages
use with ArduPlane's names, types and defaults; values outside the range as ArduPilot's
parameter store takes them (honoured ones refused, documented); the typed views; the
apm.pdef.xml export and its command."""

from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pymavlink.dialects.v20 import ardupilotmega as M

from longwing import cli
from longwing.airframe.loader import load_airframe
from longwing.mavlink.link import new_parser
from longwing.mavlink.param_ardupilot import (
    flight_modes,
    rc_input,
    rc_map,
    servo_output,
    stream_rates_hz,
)
from longwing.mavlink.param_pdef import PDEF_MARKER, pdef_xml
from longwing.mavlink.param_protocol import ParamProtocol
from longwing.mavlink.params import ParamStore

AF = load_airframe("aerosonde")
GCS = new_parser(255, 190)
I8, I16, I32, F = (M.MAV_PARAM_TYPE_INT8, M.MAV_PARAM_TYPE_INT16, M.MAV_PARAM_TYPE_INT32,
                   M.MAV_PARAM_TYPE_REAL32)  # fmt: skip


def test_arduplane_names_types_and_defaults():
    st = ParamStore(AF)
    # ArduPlane/config.h FLIGHT_MODE_1..6 and FLTMODE_CH; Parameters.cpp types (AP_Int8)
    assert [st.get(f"FLTMODE{i}") for i in range(1, 7)] == [11, 11, 5, 5, 0, 0]
    assert st.get("FLTMODE_CH") == 8 and st.info("FLTMODE1").param_type == I8
    assert st.get("INITIAL_MODE") == 0
    # a plane's servo functions: aileron, elevator, throttle, rudder; the rest disabled
    assert [st.get(f"SERVO{i}_FUNCTION") for i in range(1, 17)] == [4, 19, 70, 21] + [0] * 12
    for i in (1, 16):
        assert [st.get(f"SERVO{i}_{k}") for k in ("MIN", "TRIM", "MAX", "REVERSED")] == [
            1100, 1500, 1900, 0]  # fmt: skip
        rc = ("MIN", "TRIM", "MAX", "REVERSED", "DZ", "OPTION")
        assert [st.get(f"RC{i}_{k}") for k in rc] == [1100, 1500, 1900, 0, 0, 0]
        assert st.info(f"RC{i}_MIN").param_type == I16 and st.info(f"RC{i}_MIN").unit == "PWM"
    assert [st.get(f"RCMAP_{a}") for a in ("ROLL", "PITCH", "THROTTLE", "YAW")] == [1, 2, 3, 4]
    # ArduPlane/GCS_Mavlink.cpp stream rates: 1 Hz, PARAMS 10, ADSB 5, on every link
    for k in range(7):
        groups = ("RAW_SENS", "EXT_STAT", "RC_CHAN", "RAW_CTRL", "POSITION", "EXTRA1",
                  "EXTRA2", "EXTRA3", "PARAMS", "ADSB")  # fmt: skip
        rates = {g: st.get(f"SR{k}_{g}") for g in groups}
        assert rates == {**dict.fromkeys(rates, 1), "PARAMS": 10, "ADSB": 5}
        assert st.info(f"SR{k}_EXTRA1").param_type == I16 and st.info(f"SR{k}_ADSB").unit == "Hz"
    assert "SR7_EXTRA1" not in st
    # AC_Fence for a plane: disabled, polygon type, RTL on breach
    assert (st.get("FENCE_ENABLE"), st.get("FENCE_TYPE"), st.get("FENCE_ACTION")) == (0, 4, 1)
    assert (st.get("FENCE_ALT_MAX"), st.get("FENCE_RADIUS")) == (100.0, 300.0)
    assert st.info("FENCE_ALT_MAX").param_type == F
    assert (st.get("ARMING_CHECK"), st.info("ARMING_CHECK").param_type) == (1, I32)
    assert (st.get("THR_FAILSAFE"), st.get("THR_FS_VALUE")) == (1, 950)
    assert (st.get("AFS_ENABLE"), st.get("AFS_TERM_ACTION")) == (0, 0)
    assert (st.get("LOG_BITMASK"), st.get("LOG_DISARMED")) == (65535, 0)
    assert st.get("BATT_MONITOR") == 4 and st.info("BATT_CAPACITY").unit == "mAh"
    # the non-ArduPlane settings live under LW_, ArduPlane's names mean ArduPlane's things
    for gone in ("NAV_ROLL_LIM_DEG", "FS_GPS_ACTN", "FS_FUEL_ACTN", "FS_ENGINE_ACTN",
                 "GLIDE_MARGIN_M", "ECO_SPEED", "LAUNCH_WX_CHECK", "LAND_ATTEMPTS"):  # fmt: skip
        assert gone not in st, gone
    own = [n for n in st.names() if n.startswith("LW_")]
    assert own == [
        "LW_NAV_ROLL_DEG", "LW_FS_FUEL_ACTN", "LW_FUEL_RSV_PCT", "LW_FUEL_RSV_KG",
        "LW_LAUNCH_WX_CHK", "LW_FS_GPS_TMOUT", "LW_FS_GPS_ACTN", "LW_FS_ENG_ACTN",
        "LW_GLIDE_MARGIN", "LW_ECO_SPEED", "LW_LAND_DECIDE", "LW_LAND_ATTEMPTS",
    ]  # fmt: skip
    assert all(not st.info(n).ignored for n in own)


def _set(proto: ParamProtocol, name: str, value: float, ptype: int) -> list:
    msg = GCS.param_set_encode(1, 1, name.encode(), value, ptype)
    return proto.handle(msg, 0.0)


def test_out_of_range_values_as_arduplane_takes_them():
    """Accepted-but-ignored parameters: any value of their type, integers as AP_Param's
    set_float stores them (0.01 away from zero, limited to the type, truncated); honoured
    ones outside their range: refused, the PARAM_VALUE carries the value in force."""
    st = ParamStore(AF)
    proto = ParamProtocol(st, new_parser(1, 1))
    cases = [("SR0_ADSB", 500.0, I16, 500), ("FENCE_RADIUS", 5.0, F, 5.0),
             ("BATT_FS_LOW_ACT", 300.0, I8, 127), ("LOG_DISARMED", 1.5, I8, 1),
             ("BATT_FS_CRT_ACT", -1.5, I8, -1),
             ("SERVO3_MIN", 2.995, I16, 3), ("ARMING_CHECK", 1e12, I32, 2**31 - 1),
             ("THR_FS_VALUE", -40000.0, I16, -32768)]  # fmt: skip
    for name, value, ptype, stored in cases:
        (m,) = _set(proto, name, value, ptype)
        assert st.get(name) == stored, name
        wire = struct.unpack("<f", struct.pack("<f", float(stored)))[0]  # the C cast
        assert (m.param_id, m.param_value, m.param_type) == (name, wire, ptype)
    before = st.get("ROLL_LIMIT_DEG")
    out = _set(proto, "ROLL_LIMIT_DEG", 100.0, F)
    assert [m.get_type() for m in out] == ["PARAM_VALUE", "STATUSTEXT"]
    assert out[0].param_value == before and st.get("ROLL_LIMIT_DEG") == before
    assert "outside [5, 85]" in out[1].text
    (m, _) = _set(proto, "FENCE_ACTION", 4.0, I8)  # not one of ArduPlane's 0, 1, 6
    assert st.get("FENCE_ACTION") == 1
    (m, _) = _set(proto, "FLTMODE1", 300.0, I8)  # honoured (the pilot modes read it)
    assert st.get("FLTMODE1") == 11 and m.param_value == 11.0
    # NaN/inf are never stored (ArduPilot drops them too)
    (m, _) = _set(proto, "SR0_ADSB", float("nan"), I16)
    assert st.get("SR0_ADSB") == 500 and m.param_value == 500.0


def test_ignored_values_in_files_and_cli(tmp_path: Path):
    path = tmp_path / "x.parm"
    path.write_text("SR2_ADSB 80\nFLTMODE1 10\nSERVO5_MIN 1500.7\n")
    st = ParamStore(AF)
    st.load(path)
    assert (st.get("SR2_ADSB"), st.get("FLTMODE1"), st.get("SERVO5_MIN")) == (80, 10, 1500)
    from longwing.cli_fly_inputs import parse_params

    _, fs, _, given = parse_params(["FENCE_ACTION=6", "LW_FS_GPS_ACTN=2", "SR0_PARAMS=200"], AF)
    assert (fs.FENCE_ACTION, fs.FS_GPS_ACTN, given["SR0_PARAMS"]) == (1, 2, 200)
    with pytest.raises(ValueError, match="unknown parameter 'FS_GPS_ACTN'.*LW_FS_GPS_ACTN"):
        parse_params(["FS_GPS_ACTN=2"], AF)


def test_typed_views():
    st = ParamStore(AF)
    st.update({"RC2_REVERSED": 1, "RC2_DZ": 30, "SERVO3_MIN": 1000, "FLTMODE6": 10,
               "SR1_EXTRA1": 4, "RCMAP_YAW": 5})  # fmt: skip
    assert rc_input(st.get, 2).reversed and rc_input(st.get, 2).dead_zone_pwm == 30
    assert rc_input(st.get, 1).trim_pwm == 1500
    s3 = servo_output(st.get, 3)
    assert (s3.min_pwm, s3.max_pwm, s3.function) == (1000, 1900, 70)
    assert flight_modes(st.get) == (11, 11, 5, 5, 0, 10)
    assert stream_rates_hz(st.get, 1)["EXTRA1"] == 4 and stream_rates_hz(st.get, 0)["EXTRA1"] == 1
    assert rc_map(st.get).yaw == 5
    for bad in (lambda: rc_input(st.get, 17), lambda: servo_output(st.get, 0),
                lambda: stream_rates_hz(st.get, 7)):  # fmt: skip
        with pytest.raises(ValueError):
            bad()


def _params_of(root: ET.Element) -> dict[str, ET.Element]:
    out = {}
    (plane,) = root.findall("./vehicles/parameters")
    assert plane.get("name") == "ArduPlane"
    for p in plane.findall("param"):
        name = p.get("name")
        assert name.startswith("ArduPlane:")
        out[name.removeprefix("ArduPlane:")] = p
    for group in root.findall("./libraries/parameters"):
        for p in group.findall("param"):
            assert p.get("name").startswith(group.get("name")) and p.get("name") not in out
            out[p.get("name")] = p
    return out


def test_pdef_xml_lists_every_parameter_with_units_and_range():
    st = ParamStore(AF)
    text = pdef_xml(st)
    root = ET.fromstring(text.encode("utf-8"))
    params = _params_of(root)
    assert sorted(params) == sorted(st.names())
    for name, el in params.items():
        info = st.info(name)
        fields = {f.get("name"): f.text for f in el.findall("field")}
        assert el.get("humanName") and el.get("documentation") and el.get("user"), name
        if info.unit:
            assert fields["Units"] == info.unit, name
        values = {int(v.get("code")): v.text for v in el.findall("./values/value")}
        if not values and "Bitmask" not in fields:
            lo, hi = (float(x) for x in fields["Range"].split())
            assert (lo, hi) == (info.lo, info.hi), name
        assert ("accepted and stored but not used" in el.get("documentation")) == info.ignored
        if "Bitmask" in fields:  # QGroundControl reads "bit:label" pairs split on "," and ":"
            pairs = [item.split(":") for item in fields["Bitmask"].split(",")]
            assert all(len(p) == 2 and p[0].isdigit() for p in pairs), name
    f = {x.get("name"): x.text for x in params["FENCE_ALT_MAX"].findall("field")}
    assert (f["Range"], f["Units"], f["UnitText"]) == ("10 1000", "m", "meters")
    f = {x.get("name"): x.text for x in params["SR0_PARAMS"].findall("field")}
    assert (f["Range"], f["Units"]) == ("0 50", "Hz")
    modes = {int(v.get("code")): v.text for v in params["FLTMODE1"].findall("./values/value")}
    assert (modes[0], modes[5], modes[10], modes[11]) == ("Manual", "FBWA", "Auto", "RTL")
    bits = {x.get("name"): x.text for x in params["FENCE_TYPE"].findall("field")}["Bitmask"]
    assert bits.startswith("0:Max altitude,1:Circle")
    assert {x.get("name"): x.text for x in params["SIM_SPEEDUP"].findall("field")}[
        "ReadOnly"] == "True"  # fmt: skip
    assert params["SERVO1_FUNCTION"] in root.findall(
        "./libraries/parameters[@name='SERVO1_']/param"
    )


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["longwing", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_params_command_writes_only_its_own_files(monkeypatch, capsys, tmp_path: Path):
    out = tmp_path / "apm.pdef.xml"
    code, text, _ = _run(monkeypatch, capsys, "params", "--pdef-xml", str(out))
    assert code == 0 and f"wrote {len(ParamStore(AF))} parameters" in text
    assert PDEF_MARKER in out.read_text()[:200]
    ET.parse(out)
    code, _, _ = _run(monkeypatch, capsys, "params", "--pdef-xml", str(out))
    assert code == 0  # its own file: replaced
    assert [p.name for p in tmp_path.iterdir()] == ["apm.pdef.xml"]  # no temporary left
    foreign = tmp_path / "mine.xml"
    foreign.write_text("<my-data/>\n")
    code, _, err = _run(monkeypatch, capsys, "params", "--pdef-xml", str(foreign))
    assert code == 2 and "longwing did not write" in err and len(err.strip().splitlines()) == 1
    assert foreign.read_text() == "<my-data/>\n"
    for bad, why in ((tmp_path, "not a file"), (tmp_path / "no" / "x.xml", "does not exist")):
        code, _, err = _run(monkeypatch, capsys, "params", "--pdef-xml", str(bad))
        assert code == 2 and why in err
    code, text, _ = _run(monkeypatch, capsys, "params")
    lines = text.splitlines()
    assert len(lines) == len(ParamStore(AF))
    assert lines[0].split()[0] == "AIRSPEED_CRUISE" and lines[0].split()[-1] == "honoured"
    assert any(ln.split()[0] == "SR0_ADSB" and ln.split()[-1] == "ignored" for ln in lines)


def test_docs_table_is_the_store():
    """docs/parameters.md lists every parameter (families by their rows) with the default
    and the honoured / ignored status the store has."""
    text = (Path(__file__).parent.parent / "docs" / "parameters.md").read_text()
    table = text.split("## The table", 1)[1].split("Families", 1)[0]
    rows = [r.split("|")[1:-1] for r in table.splitlines() if r.startswith("| `")]
    st = ParamStore(AF)
    by_name = {cells[0].strip().strip("`"): [c.strip() for c in cells] for cells in rows}
    families = re.compile(r"^(RC\d+_|SERVO\d+_|SR\d_)")
    assert sorted(by_name) == sorted(n for n in st.names() if not families.match(n))
    for name, (_, _, unit, _, default, use) in by_name.items():
        info = st.info(name)
        expected = "accepted, ignored" if info.ignored else (
            "read-only" if info.read_only else "honoured")  # fmt: skip
        assert (use, unit) == (expected, info.unit), name
        assert float(default) == pytest.approx(float(info.default), abs=5e-4), name
    for fam in ("RC1_", "RC16_", "SERVO1_", "SERVO16_", "SR0_", "SR6_"):
        assert f"`{fam}`" in text


def test_parm_file_of_an_earlier_version_is_converted(tmp_path: Path):
    """A SITL folder's params.parm written before the renames (old names, FENCE_ACTION in the
    old numbering 0 none, 1 guided, 2 report, 4 RTL) loads with today's names and values, as
    ArduPilot converts old parameters on an upgrade; a lone old name is refused, naming the
    new one."""
    from longwing.mavlink.param_table import RENAMED

    path = tmp_path / "params.parm"
    old = {"FS_GPS_ACTN": 2, "FS_FUEL_RSV_PCT": 15.0, "NAV_ROLL_LIM_DEG": 28.0,
           "LAND_ATTEMPTS": 3, "WP_RADIUS": 70.0}  # fmt: skip
    for fence_old, fence_new, field in ((4, 1, 4), (1, 6, 1), (2, 0, 2), (0, 0, 2)):
        lines = [f"{n:<16} {v}" for n, v in old.items()] + [f"FENCE_ACTION     {fence_old}"]
        path.write_text("\n".join(lines) + "\n")
        st = ParamStore(AF, path=path)
        assert (st.get("FENCE_ACTION"), st.failsafe_settings().FENCE_ACTION) == (
            fence_new, field)  # fmt: skip
        for name, value in old.items():
            assert st.get(RENAMED.get(name, name)) == value, name
    st = ParamStore(AF)
    path.write_text("FENCE_ACTION 4\n")  # no old name in it: today's numbering, 4 refused
    with pytest.raises(ValueError, match="FENCE_ACTION = 4: expected one of 0, 1, 6"):
        st.load(path)
    assert "now LW_ECO_SPEED" in st.unknown_name_text("ECO_SPEED")
    assert st.set("ECO_SPEED", 1)[:2] == (False, None)
