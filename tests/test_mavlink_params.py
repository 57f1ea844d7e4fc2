"""The vehicle's parameter store and the MAVLink parameter protocol (longwing.mavlink.params).

Socket-free: messages are built and parsed with pymavlink's MAVLink 2 codec.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.airframe.loader import load_airframe
from longwing.control.params import PARAMS, build_params, defaults_for
from longwing.mavlink.param_ardupilot import ardupilot_rows
from longwing.mavlink.param_protocol import ParamProtocol, decode_c_cast, encode_c_cast
from longwing.mavlink.param_table import (
    FAILSAFE_ROWS,
    INT8,
    INT16,
    INT_BOUNDS,
    MISSION_ALIASES,
    REAL32,
    REAL64,
)
from longwing.mavlink.params import ParamFileError, ParamStore
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.manager import MissionSettings

AF = load_airframe("aerosonde")
SYS, COMP = 1, 1


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _mav(sysid: int = SYS) -> mavlink2.MAVLink:
    return mavlink2.MAVLink(None, srcSystem=sysid, srcComponent=COMP)


GCS = mavlink2.MAVLink(None, srcSystem=255, srcComponent=190)


def _proto(store: ParamStore | None = None, **kw):
    calls: list[tuple[str, float]] = []
    store = store or ParamStore(AF)
    proto = ParamProtocol(store, _mav(), lambda n, v: calls.append((n, v)), **kw)
    return store, proto, calls


def _set(name: str, value: float, ptype: int = REAL32, ts: int = SYS, tc: int = COMP):
    return GCS.param_set_encode(ts, tc, name.encode(), value, ptype)


def _read(name: str = "", index: int = -1, ts: int = SYS, tc: int = COMP):
    return GCS.param_request_read_encode(ts, tc, name.encode(), index)


def _wire(msg, mav: mavlink2.MAVLink | None = None):
    """Pack ``msg`` as MAVLink 2 bytes and parse them back with a fresh parser."""
    data = msg.pack(mav or GCS)
    assert data[0] == 0xFD  # MAVLink 2 start-of-frame
    parsed = mavlink2.MAVLink(None).parse_buffer(data)
    assert parsed is not None and len(parsed) == 1
    return parsed[0]


def _field_name(name: str) -> str:
    """MissionSettings field -> parameter name."""
    return MISSION_ALIASES.get(name, name)


# --- the store --------------------------------------------------------------------------------


def test_store_holds_every_parameter_with_its_default():
    st = ParamStore(AF)
    names = st.names()
    assert len(names) == len(set(names)) == len(st)
    assert all(0 < len(n) <= 16 and n.isascii() for n in names)
    assert [st.index(n) for n in names] == list(range(len(st)))
    assert [st.name_at(i) for i in range(len(st))] == list(names)

    ap = defaults_for(AF)
    for p in PARAMS:
        expected = MissionSettings().WP_LOITER_RAD if p.name == "WP_LOITER_RAD" else ap[p.name]
        assert st.get(p.name) == expected, p.name
        info = st.info(p.name)
        assert info.param_type == REAL32 and (info.lo, info.hi) == (p.lo, p.hi)
        assert "autopilot" in info.groups
    rows = {r.field: r for r in FAILSAFE_ROWS}
    for f in dataclasses.fields(FailsafeSettings):
        info = st.info(rows[f.name].name)  # every field has its parameter
        assert info.field == f.name
        is_int = f.type in (int, "int")
        assert info.param_type == (INT8 if is_int else REAL32), f.name
        assert isinstance(st.get(info.name), int if is_int else float)
        if f.name != "FENCE_ACTION":  # ArduPlane's numbering: 1 is the field's 4 (RTL)
            assert st.get(info.name) == getattr(FailsafeSettings(), f.name)
    assert st.get("FENCE_ACTION") == 1 and FailsafeSettings().FENCE_ACTION == 4
    assert st.failsafe_settings() == FailsafeSettings()

    ms = MissionSettings()
    for f in dataclasses.fields(MissionSettings):
        assert _field_name(f.name) in st, f.name
    assert st.get("TECS_LAND_ARSPD") == ms.LAND_APPROACH_SPD
    assert st.get("TKOFF_LVL_PITCH") == pytest.approx(math.degrees(AF.launch.climb_pitch_rad))
    assert st.info("TKOFF_LVL_PITCH").unit == "deg"
    assert st.get("TKOFF_ROTATE_SPD") == AF.launch.rotate_speed_mps
    assert st.info("RTL_AUTOLAND").param_type == INT8 and st.get("RTL_AUTOLAND") == 2
    expected_ms = dataclasses.replace(
        ms,
        AIRSPEED_CRUISE=AF.envelope.airspeed_cruise_mps,
        TKOFF_CLIMB_PITCH=AF.launch.climb_pitch_rad,
        TKOFF_ROTATE_SPD=AF.launch.rotate_speed_mps,
    )
    got = st.mission_settings()
    assert got.TKOFF_CLIMB_PITCH == pytest.approx(expected_ms.TKOFF_CLIMB_PITCH, abs=1e-12)
    assert dataclasses.replace(got, TKOFF_CLIMB_PITCH=0.0) == dataclasses.replace(
        expected_ms, TKOFF_CLIMB_PITCH=0.0
    )

    assert st.get("SYSID_THISMAV") == 1 and st.info("SYSID_THISMAV").param_type == INT16
    assert st.get("SIM_SPEEDUP") == 1.0 and st.info("SIM_SPEEDUP").read_only
    n_ardupilot = len(ardupilot_rows())
    assert len(st) == len(PARAMS) + 14 + 16 + 4 + n_ardupilot  # 14 failsafe, 16 mission
    # modes 8, RCMAP 4, THR_FS 2, RC_OVERRIDE_TIME, FBWB_CLIMB_RATE, ACRO_ROLL/PITCH_RATE 4,
    # ARMING 1, FENCE 6, BATT 8, ARSPD 5, LOG 4, AFS 2, RC1..16 x 6, SERVO1..16 x 5,
    # SR0..6 x 10 groups
    assert n_ardupilot == 8 + 4 + 2 + 4 + 1 + 6 + 8 + 5 + 4 + 2 + 16 * 6 + 16 * 5 + 7 * 10
    assert st.defaults() == st.values()

    # the overrides rebuild the same autopilot (TRIM_THROTTLE left to the runner at default)
    ov = st.autopilot_overrides()
    assert "TRIM_THROTTLE" not in ov and set(ov) == {p.name for p in PARAMS} - {"TRIM_THROTTLE"}
    built = build_params(ov, AF)
    assert built.tecs == build_params(None, AF).tecs
    assert built.attitude == build_params(None, AF).attitude
    assert built.l1.loiter_radius_m == 120.0


def test_airframe_envelope_sets_defaults_and_overrides_stand_alone():
    env = dataclasses.replace(
        AF.envelope, airspeed_min_mps=30.0, airspeed_cruise_mps=40.0, airspeed_max_mps=55.0
    )
    af = dataclasses.replace(AF, envelope=env)
    st = ParamStore(af)
    assert (st.get("AIRSPEED_MIN"), st.get("AIRSPEED_CRUISE"), st.get("AIRSPEED_MAX")) == (
        30.0, 40.0, 55.0,
    )  # fmt: skip
    assert st.mission_settings().AIRSPEED_CRUISE == 40.0
    ok, value, _ = st.set("AIRSPEED_MIN", 32.0)
    assert ok and value == 32.0
    # complete: valid with or without the airframe's defaults underneath
    assert build_params(st.autopilot_overrides()).tecs.airspeed_min_mps == 32.0
    assert build_params(st.autopilot_overrides(), af).tecs.airspeed_cruise_mps == 40.0
    ok, _, _ = st.set("TRIM_THROTTLE", 40.0 + 1.0)
    assert ok and st.autopilot_overrides()["TRIM_THROTTLE"] == 41.0


def test_without_airframe_the_table_defaults():
    st = ParamStore()
    assert all(st.get(p.name) == p.default for p in PARAMS if p.name != "WP_LOITER_RAD")
    assert st.get("TKOFF_LVL_PITCH") == 8.0 and st.get("TKOFF_ROTATE_SPD") == 20.0
    assert st.mission_settings() == MissionSettings()


def test_initial_values_from_scenario_settings():
    st = ParamStore(
        AF,
        autopilot={"NAVL1_PERIOD": 20.0},
        failsafe=FailsafeSettings(FS_GPS_TIMEOUT=120.0, FENCE_ACTION=2),
        mission=MissionSettings(TKOFF_CLIMB_PITCH=math.radians(10.0), RTL_ALTITUDE=300.0),
        sysid=7,
        sim_speedup=20.0,
    )
    assert st.get("NAVL1_PERIOD") == 20.0
    assert st.get("LW_FS_GPS_TMOUT") == 120.0 and st.get("FENCE_ACTION") == 0  # field 2: report
    assert st.get("TKOFF_LVL_PITCH") == 10.0 and st.get("RTL_ALTITUDE") == 300.0
    assert st.mission_settings().TKOFF_CLIMB_PITCH == pytest.approx(math.radians(10.0))
    assert st.failsafe_settings().FS_GPS_TIMEOUT == 120.0
    assert st.get("SYSID_THISMAV") == 7 and st.get("SIM_SPEEDUP") == 20.0
    with pytest.raises(ValueError, match="SYSID_THISMAV"):
        ParamStore(AF, sysid=0)
    with pytest.raises(ValueError, match="AIRSPEED_MIN"):
        ParamStore(AF, autopilot={"AIRSPEED_MIN": 30.0})
    with pytest.raises(ValueError, match="unknown parameter 'NAVL1_PERIOX'.*NAVL1_PERIOD"):
        ParamStore(AF, autopilot={"NAVL1_PERIOX": 20.0})


def test_store_set_and_update():
    st = ParamStore(AF)
    assert st.set("AIRSPEED_MIN", 22) == (True, 22.0, "AIRSPEED_MIN = 22.0")
    assert isinstance(st.get("AIRSPEED_MIN"), float)
    before = st.values()
    refused = {
        ("AIRSPEED_MIN", 25.0): "AIRSPEED_MIN .* must be < AIRSPEED_CRUISE",
        ("ROLL_LIMIT_DEG", 100.0): r"outside \[5, 85\] deg",
        ("LW_NAV_ROLL_DEG", 50.0): "LW_NAV_ROLL_DEG .* must be <= ROLL_LIMIT_DEG",
        ("THR_MAX", 30.0): "TRIM_THROTTLE .* must be <= THR_MAX",
        ("FS_LONG_TIMEOUT", 1.0): "FS_LONG_TIMEOUT must be longer",
        ("LW_FS_GPS_ACTN", 1.5): "LW_FS_GPS_ACTN must be an integer",
        ("LW_FS_GPS_ACTN", 3): "LW_FS_GPS_ACTN = 3: expected one of 0, 1, 2",
        ("FENCE_ACTION", 3): "one of 0, 1, 6",
        ("SYSID_THISMAV", 256): "SYSID_THISMAV = 256 is outside",
        ("SIM_SPEEDUP", 2.0): "SIM_SPEEDUP is read-only",
        ("WP_RADIUS", math.nan): "must be finite",
        ("WP_RADIUS", math.inf): "must be finite",
        ("WP_RADIUS", "60"): "must be a number",
        ("FS_GCS_ENABL", True): "must be a number",
        ("WP_RADIUS", None): "must be a number",
    }
    for (name, value), pattern in refused.items():
        ok, now, msg = st.set(name, value)
        assert not ok and now == before[name], (name, value, msg)
        assert re.search(pattern, msg), (name, msg)
    assert st.values() == before
    assert st.set("NO_SUCH_PARAM", 1.0)[:2] == (False, None)
    assert st.set(42, 1.0)[0] is False  # type: ignore[arg-type]
    assert st.set("SIM_SPEEDUP", 1.0)[0]  # read-only, but unchanged: fine
    # numpy scalars are numbers
    assert st.set("LW_FS_GPS_ACTN", np.int64(2)) == (True, 2, "LW_FS_GPS_ACTN = 2")
    assert st.set("RTL_ALTITUDE", np.float32(200.0))[:2] == (True, 200.0)
    # orderings are checked on the result of a joint update
    st.update({"AIRSPEED_MIN": 28.0, "AIRSPEED_CRUISE": 30.0})
    assert (st.get("AIRSPEED_MIN"), st.get("AIRSPEED_CRUISE")) == (28.0, 30.0)
    with pytest.raises(ValueError, match="AIRSPEED_CRUISE .* must be < AIRSPEED_MAX"):
        st.update({"AIRSPEED_CRUISE": 40.0, "WP_RADIUS": 80.0})
    assert st.get("WP_RADIUS") == 60.0  # all or nothing


# --- wire encoding ----------------------------------------------------------------------------


@pytest.mark.parametrize("ptype", sorted(INT_BOUNDS))
def test_c_cast_round_trip_every_integer_type(ptype):
    lo, hi = INT_BOUNDS[ptype]
    if hi < 2**16:  # 8 and 16 bit: every value, exactly
        values = range(lo, hi + 1)
    else:
        rng = np.random.default_rng(ptype)
        small = rng.integers(max(lo, -(2**24)), 2**24 + 1, 2000)
        values = [lo, hi, 0, 1, 2**24, lo + 1, hi - 1] + [int(v) for v in small]
        values += [int(v) for v in rng.integers(lo // 2, hi // 2, 2000, dtype=np.int64)]
    mav = _mav()
    for v in values:
        w = encode_c_cast(v, ptype)
        assert w == float(np.float32(v))  # the C cast
        back = decode_c_cast(w, ptype)
        assert isinstance(back, int) and lo <= back <= hi
        if abs(v) <= 2**24:
            assert back == v
        else:  # nearest single, clamped to the type's limit
            assert abs(back - v) <= 2.0 ** (math.floor(math.log2(abs(v))) - 23)
            assert back == min(int(w), hi)
    # through MAVLink 2 bytes
    for v in (lo, hi, 0, min(hi, 100)):
        msg = mav.param_value_encode(b"X", encode_c_cast(v, ptype), ptype, 1, 0)
        p = _wire(msg, mav)
        assert p.param_type == ptype
        expected = v if abs(v) <= 2**24 else min(int(np.float32(v)), hi)
        assert decode_c_cast(p.param_value, p.param_type) == expected
    # what the type cannot hold
    for bad in (lo - 1, hi + 1, 0.5, math.nan, math.inf):
        with pytest.raises(ValueError):
            encode_c_cast(bad, ptype)
        if not math.isfinite(bad) or abs(bad) <= 2**24:  # beyond, a single rounds to the limit
            with pytest.raises(ValueError):
                decode_c_cast(bad, ptype)


def test_c_cast_reals():
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2**32, 20000, dtype=np.uint64).astype(np.uint32)
    singles = bits.view(np.float32)
    for s in singles[np.isfinite(singles)]:
        w = float(s)
        v = decode_c_cast(w, REAL32)
        assert encode_c_cast(v, REAL32) == w  # the shortest decimal rounds back to the single
    assert decode_c_cast(f32(0.1), REAL32) == 0.1
    assert decode_c_cast(f32(20.1), REAL64) == 20.1
    assert encode_c_cast(0.1, REAL32) == f32(0.1)
    for bad in (math.nan, math.inf, -math.inf, 1e39):
        with pytest.raises(ValueError):
            decode_c_cast(bad, REAL32)
    with pytest.raises(ValueError):
        encode_c_cast(1e39, REAL32)
    with pytest.raises(ValueError):
        decode_c_cast(1.0, 42)
    for junk in ("1", None, True, 10**400, -(10**400)):
        for ptype in (REAL32, INT8, INT16):
            with pytest.raises(ValueError):
                encode_c_cast(junk, ptype)  # type: ignore[arg-type]
            with pytest.raises(ValueError):
                decode_c_cast(junk, ptype)  # type: ignore[arg-type]
    assert math.isnan(encode_c_cast(math.nan, REAL32))  # a single carries NaN/inf as such


# --- the protocol -----------------------------------------------------------------------------


def test_request_list_returns_each_parameter_once():
    st, proto, _ = _proto()
    out = proto.handle(GCS.param_request_list_encode(SYS, COMP), 0.0)
    assert len(out) == len(st)
    assert [m.get_type() for m in out] == ["PARAM_VALUE"] * len(st)
    assert [m.param_index for m in out] == list(range(len(st)))
    assert {m.param_count for m in out} == {len(st)}
    assert [m.param_id for m in out] == list(st.names())
    for m in out:
        p = _wire(m, proto.mav)  # valid MAVLink 2 bytes
        info = st.info(p.param_id)
        assert (p.param_index, p.param_count, p.param_type) == (
            info.index, len(st), info.param_type,
        )  # fmt: skip
        assert decode_c_cast(p.param_value, p.param_type) == pytest.approx(
            st.get(p.param_id), rel=1e-7
        )
    by_name = {m.param_id: m for m in out}
    assert by_name["FENCE_ACTION"].param_value == 1.0  # C cast, not the int's bytes
    assert by_name["FENCE_ACTION"].param_type == INT8
    # broadcast addresses are ours too; other systems/components are not
    assert len(proto.handle(GCS.param_request_list_encode(0, 0), 0.0)) == len(st)
    assert len(proto.handle(GCS.param_request_list_encode(SYS, 0), 0.0)) == len(st)
    assert proto.handle(GCS.param_request_list_encode(2, COMP), 0.0) == []
    assert proto.handle(GCS.param_request_list_encode(SYS, 5), 0.0) == []


def test_request_read_by_name_and_index():
    st, proto, _ = _proto()
    for name in ("WP_RADIUS", "LW_FS_GPS_ACTN", "SYSID_THISMAV"):
        (m,) = proto.handle(_read(name), 0.0)
        assert m.param_id == name and m.param_index == st.index(name)
        assert m.param_value == encode_c_cast(st.get(name), st.info(name).param_type)
    for i in (0, 17, len(st) - 1):
        (m,) = proto.handle(_read("IGNORED_NAME", i), 0.0)
        assert m.param_id == st.name_at(i) and m.param_index == i
    assert proto.handle(_read("NO_SUCH_PARAM"), 0.0) == []
    assert proto.handle(_read("", -1), 0.0) == []
    assert proto.handle(_read("", len(st)), 0.0) == []
    assert proto.handle(_read("", 1000), 0.0) == []
    assert proto.handle(_read("WP_RADIUS", -2), 0.0)[0].param_id == "WP_RADIUS"
    assert proto.handle(_read("WP_RADIUS", ts=3), 0.0) == []


def test_sixteen_character_names_without_terminator():
    st, proto, calls = _proto()
    sixteen = [n for n in st.names() if len(n) == 16]
    assert {"PTCH_LIM_MAX_DEG", "FS_SHORT_TIMEOUT", "TKOFF_ROTATE_SPD"} <= set(sixteen)
    for name in sixteen:
        req = _wire(_read(name))
        assert req.param_id == name
        (m,) = proto.handle(req, 0.0)
        raw = m.pack(proto.mav)
        assert name.encode() in raw and name.encode() + b"\0" not in raw  # no terminator
        assert _wire(m, proto.mav).param_id == name
    (m,) = proto.handle(_wire(_set("FS_SHORT_TIMEOUT", 2.5)), 0.0)
    assert m.param_id == "FS_SHORT_TIMEOUT" and m.param_value == 2.5
    assert calls == [("FS_SHORT_TIMEOUT", 2.5)]


def test_param_set_accepted():
    st, proto, calls = _proto()
    (m,) = proto.handle(_set("AIRSPEED_MIN", 22.0), 1.0)
    assert (m.param_id, m.param_value, m.param_index) == ("AIRSPEED_MIN", 22.0, 1)
    assert st.get("AIRSPEED_MIN") == 22.0 and calls == [("AIRSPEED_MIN", 22.0)]
    # a single's rounding is undone: the range limit itself is accepted
    (m,) = proto.handle(_set("NAVL1_XTRACK_I", f32(0.1)), 1.0)
    assert st.get("NAVL1_XTRACK_I") == 0.1 and m.param_value == f32(0.1)
    # integers: read as the parameter's type whatever param_type the GCS declares
    (m,) = proto.handle(_set("LW_FS_GPS_ACTN", 2.0, INT8), 1.0)
    assert st.get("LW_FS_GPS_ACTN") == 2 and m.param_type == INT8 and m.param_value == 2.0
    (m,) = proto.handle(_set("FENCE_ACTION", 1.0, REAL32), 1.0)
    assert st.get("FENCE_ACTION") == 1 and m.param_type == INT8
    assert st.failsafe_settings().FENCE_ACTION == 4  # ArduPlane's 1 (RTL): the field's 4
    (m,) = proto.handle(_set("FENCE_ACTION", 6.0, INT8), 1.0)
    assert st.failsafe_settings().FENCE_ACTION == 1  # ArduPlane's 6 (GUIDED)
    (m,) = proto.handle(_set("TKOFF_LVL_PITCH", 12.0), 1.0)
    assert st.mission_settings().TKOFF_CLIMB_PITCH == pytest.approx(math.radians(12.0))
    (m,) = proto.handle(_wire(_set("SYSID_THISMAV", 42.0, INT16)), 1.0)
    assert st.get("SYSID_THISMAV") == 42 and calls[-1] == ("SYSID_THISMAV", 42)
    assert len(calls) == 7


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("ROLL_LIMIT_DEG", 100.0, "outside"),
        ("AIRSPEED_MIN", 25.0, "must be < AIRSPEED_CRUISE"),
        ("AIRSPEED_MIN", 30.0, "must be < AIRSPEED_CRUISE"),
        ("FS_LONG_TIMEOUT", 1.0, "FS_LONG_TIMEOUT must be longer"),
        ("WP_RADIUS", math.nan, "not a finite number"),
        ("WP_RADIUS", math.inf, "not a finite number"),
        ("LW_FS_GPS_ACTN", -math.inf, "not a finite number"),
        ("LW_FS_GPS_ACTN", 1.5, "not an integer"),
        ("LW_FS_GPS_ACTN", 3.0, "expected one of 0, 1, 2"),
        ("LW_FS_GPS_ACTN", 300.0, "outside the INT8 range"),
        ("LW_FS_GPS_ACTN", struct.unpack("<f", struct.pack("<i", 2))[0], "not an integer"),
        ("SIM_SPEEDUP", 10.0, "read-only"),
        ("SYSID_THISMAV", 0.0, "outside"),
    ],
)
def test_param_set_refused_keeps_the_old_value(name, value, why):
    st, proto, calls = _proto()
    before = st.values()
    out = proto.handle(_set(name, value), 1.0)
    assert [m.get_type() for m in out] == ["PARAM_VALUE", "STATUSTEXT"]
    m, text = out
    assert m.param_id == name and m.param_value == encode_c_cast(before[name], m.param_type)
    assert why in text.text and text.severity == mavlink2.MAV_SEVERITY_WARNING
    assert len(text.text) <= 50
    assert st.values() == before and calls == []
    _wire(m, proto.mav)  # valid MAVLink 2
    _wire(text, proto.mav)
    # without announcements: the PARAM_VALUE alone
    _, quiet, _ = _proto(st, announce_refusals=False)
    assert [r.get_type() for r in quiet.handle(_set(name, value), 1.0)] == ["PARAM_VALUE"]


def test_param_set_malformed_never_raises():
    st, proto, calls = _proto()
    before = st.values()
    assert proto.handle(_set("NO_SUCH_PARAM", 1.0), 0.0) == []  # unknown: no reply
    assert proto.handle(_set("WP_RADIUS", 80.0, ts=9), 0.0) == []  # not ours
    assert proto.handle(_set("WP_RADIUS", 80.0, tc=9), 0.0) == []
    msg = _set("WP_RADIUS", 80.0)
    for attr, bad in (
        ("param_value", "80"), ("param_value", None), ("param_value", True),
        ("param_value", 10**400), ("param_value", [1.0]),
    ):  # fmt: skip
        m = _set("WP_RADIUS", 80.0)
        setattr(m, attr, bad)
        out = proto.handle(m, 0.0)
        assert out[0].param_id == "WP_RADIUS" and out[0].param_value == 60.0, bad
    for attr, bad in (
        ("param_id", b"\xff\xfe"), ("param_id", None), ("param_id", "WP_RADIUS_TOO_LONG_"),
        ("param_id", 5), ("target_system", None), ("target_system", "1"),
        ("target_component", 1.0),
    ):  # fmt: skip
        m = _set("WP_RADIUS", 80.0)
        setattr(m, attr, bad)
        assert proto.handle(m, 0.0) == [], (attr, bad)
    msg.param_id = b"WP_RADIUS\0garbage"
    assert proto.handle(msg, 0.0)[0].param_value == 80.0  # raw bytes: up to the NUL
    st.set("WP_RADIUS", 60.0)
    for junk in (None, 42, object(), GCS.heartbeat_encode(6, 8, 0, 0, 0)):
        assert proto.handle(junk, 0.0) == []
    r = _read("WP_RADIUS")
    r.param_index = None
    assert proto.handle(r, 0.0) == []
    assert st.values() == before and calls == [("WP_RADIUS", 80.0)]


def test_messages_are_valid_mavlink2_bytes():
    st, proto, _ = _proto()
    mav = proto.mav
    msgs = proto.handle(GCS.param_request_list_encode(SYS, COMP), 0.0)
    msgs += proto.handle(_set("AIRSPEED_MIN", 30.0), 0.0)  # refused: PARAM_VALUE + STATUSTEXT
    stream = b"".join(m.pack(mav) for m in msgs)
    parser = mavlink2.MAVLink(None)
    parsed = parser.parse_buffer(stream)
    assert len(parsed) == len(msgs) == len(st) + 2
    assert parser.total_receive_errors == 0
    for sent, got in zip(msgs, parsed, strict=True):
        assert got.get_type() == sent.get_type()
        assert got.get_srcSystem() == SYS and got.get_srcComponent() == COMP
        if got.get_type() == "PARAM_VALUE":
            assert (got.param_id, got.param_value, got.param_type, got.param_index) == (
                sent.param_id, sent.param_value, sent.param_type, sent.param_index,
            )  # fmt: skip
        else:
            assert got.text == sent.text
    # param_value_msg for a change made elsewhere
    st.set("RTL_ALTITUDE", 250.0)
    m = _wire(proto.param_value_msg("RTL_ALTITUDE"), mav)
    assert (m.param_value, m.param_index) == (250.0, st.index("RTL_ALTITUDE"))


# --- files ------------------------------------------------------------------------------------


def test_persistence_every_accepted_set(tmp_path: Path):
    path = tmp_path / "sitl0" / "params.parm"
    st = ParamStore(AF, path=path)
    assert path.exists()  # created with the initial values
    _, proto, _ = _proto(st)
    proto.handle(_set("AIRSPEED_MIN", 21.5), 0.0)
    proto.handle(_set("LW_FS_GPS_ACTN", 2.0, INT8), 0.0)
    proto.handle(_set("TKOFF_LVL_PITCH", f32(9.3)), 0.0)
    text = path.read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert len(lines) == len(st)
    assert [ln.split()[0] for ln in lines] == sorted(st.names())
    assert "AIRSPEED_MIN     21.5" in lines and "LW_FS_GPS_ACTN   2" in lines
    assert "TKOFF_LVL_PITCH  9.3" in lines
    # a refused set does not touch the file
    proto.handle(_set("AIRSPEED_MIN", 40.0), 0.0)
    assert path.read_text() == text
    assert os.listdir(path.parent) == ["params.parm"]  # no temporary files left
    # a new instance on the same file has the same values
    again = ParamStore(AF, path=path)
    assert again.values() == st.values()
    assert again.failsafe_settings().FS_GPS_ACTN == 2
    # save / load without a persistent path
    other = tmp_path / "copy.parm"
    st.save(other)
    fresh = ParamStore(AF)
    fresh.load(other)
    assert fresh.values() == st.values()
    # the file cannot be written: the set is refused, nothing changes
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    st.path = blocker / "params.parm"
    ok, value, msg = st.set("WP_RADIUS", 70.0)
    assert not ok and value == 60.0 and "cannot save" in msg


def test_load_mavproxy_style_file(tmp_path: Path):
    path = tmp_path / "mp.parm"
    path.write_text(
        "# saved by MAVProxy\n"
        "AIRSPEED_CRUISE  27.000000\n"
        "AIRSPEED_MIN,21.000000\n"
        "\n"
        "FENCE_ACTION\t0.000000  # report only\n"
        "SIM_SPEEDUP      5.000000\n"  # read-only: skipped
        "NAVL1_XTRACK_I 0.100000\n"
    )
    st = ParamStore(AF)
    st.load(path)
    assert st.get("AIRSPEED_CRUISE") == 27.0 and st.get("AIRSPEED_MIN") == 21.0
    assert st.get("FENCE_ACTION") == 0 and isinstance(st.get("FENCE_ACTION"), int)
    assert st.failsafe_settings().FENCE_ACTION == 2  # report only
    assert st.get("SIM_SPEEDUP") == 1.0 and st.get("NAVL1_XTRACK_I") == 0.1
    assert st.get("WP_RADIUS") == 60.0  # not in the file: unchanged


@pytest.mark.parametrize(
    ("body", "line", "pattern"),
    [
        ("WP_RADIUS 70\nNO_SUCH_PARAM 1\n", 2, "unknown parameter 'NO_SUCH_PARAM'"),
        ("WP_RADIUS 7O\n", 1, "WP_RADIUS: '7O' is not a number"),
        ("\n\nROLL_LIMIT_DEG 100\n", 3, r"ROLL_LIMIT_DEG = 100 is outside \[5, 85\] deg"),
        ("LW_FS_GPS_ACTN 1.5\n", 1, "LW_FS_GPS_ACTN must be an integer"),
        ("FENCE_ACTION 3\n", 1, "FENCE_ACTION = 3: expected one of 0, 1, 6"),
        ("WP_RADIUS nan\n", 1, "WP_RADIUS must be finite"),
        ("AIRSPEED_MIN 22\nWP_RADIUS 80\nAIRSPEED_CRUISE 21\n", 3,
         "AIRSPEED_MIN .* must be < AIRSPEED_CRUISE"),
        ("FS_LONG_TIMEOUT 1\n", 1, "FS_LONG_TIMEOUT must be longer"),
        ("WP_RADIUS 70\nWP_RADIUS 80\n", 2, "WP_RADIUS set again .first on line 1"),
        ("1 1 WP_RADIUS 70 9\n", 1, "expected 'NAME VALUE'"),
    ],
)  # fmt: skip
def test_bad_file_names_file_line_and_parameter(tmp_path: Path, body, line, pattern):
    path = tmp_path / "bad.parm"
    path.write_text(body)
    st = ParamStore(AF)
    before = st.values()
    where = re.escape(f"{path}:{line}: ")
    with pytest.raises(ParamFileError, match=f"^{where}{pattern}") as exc:
        st.load(path)
    assert "\n" not in str(exc.value)
    assert st.values() == before  # all or nothing
    with pytest.raises(ParamFileError, match=f"^{where}"):
        ParamStore(AF, path=path)  # a SITL instance refuses to start on it


def test_unreadable_files(tmp_path: Path):
    st = ParamStore(AF)
    with pytest.raises(ParamFileError, match="missing.parm: cannot read parameter file"):
        st.load(tmp_path / "missing.parm")
    binary = tmp_path / "binary.parm"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParamFileError, match="binary.parm: cannot read parameter file"):
        st.load(binary)
    with pytest.raises(ParamFileError, match="cannot read parameter file"):
        st.load(tmp_path)  # a directory


# --- fuzz -------------------------------------------------------------------------------------


def test_fuzz_param_messages_never_raise_or_corrupt():
    rng = np.random.default_rng(20240611)
    st, proto, calls = _proto()
    names = list(st.names())
    n = len(names)
    bogus = ["", "X", "airspeed_min", "AIRSPEED_MIN_X", "LW_FS_GPS_ACTN\0X", "WP_RADIUS " * 2,
             "TKOFF_CLIMB_PITCH", "LAND_APPROACH_SPD", "\x7f\x01", "NAVL1_PERIO"]  # fmt: skip
    specials = [math.nan, math.inf, -math.inf, 1e30, -1e30, 1e-40, 0.0, -0.0, 3.4e38]
    counts = {"accepted": 0, "refused": 0, "ignored": 0}
    for k in range(20_000):
        r = rng.random()
        ts, tc = (SYS, COMP) if rng.random() < 0.85 else (int(rng.integers(0, 4)),) * 2
        if rng.random() < 0.9:
            name = names[int(rng.integers(n))]
        else:
            name = bogus[int(rng.integers(len(bogus)))]
        if r < 0.75:
            info = st.info(name) if name in st else None
            u = rng.random()
            if info is None or u < 0.1:
                value = specials[int(rng.integers(len(specials)))]
            elif u < 0.2:
                bits = np.array([rng.integers(0, 2**32)], dtype=np.uint32)
                value = float(bits.view(np.float32)[0])
            else:
                span = info.hi - info.lo
                value = float(rng.uniform(info.lo - 0.2 * span, info.hi + 0.2 * span))
                if info.is_integer or rng.random() < 0.3:
                    value = float(round(value))
            ptype = int(rng.choice([REAL32, INT8, INT16, 6, int(rng.integers(0, 256))]))
            msg = GCS.param_set_encode(ts, tc, name.encode("latin-1"), value, ptype)
        elif r < 0.87:
            msg = GCS.param_request_read_encode(ts, tc, name.encode("latin-1"), -1)
        elif r < 0.995:
            idx = int(rng.integers(-5, n + 5))
            msg = GCS.param_request_read_encode(ts, tc, b"", idx)
        else:
            msg = GCS.param_request_list_encode(ts, tc)
        if k % 7 == 0:  # also through the bytes: names as a GCS's bytes decode
            msg = _wire(msg)
        elif k % 101 == 0:  # a malformed object
            setattr(msg, "param_value" if rng.random() < 0.5 else "target_system", "junk")
        before = st.values()
        n_calls = len(calls)
        out = proto.handle(msg, k * 0.01)

        # the configuration is always one longwing accepts (checked whenever it changed)
        if st.values() != before or k % 100 == 0:
            build_params(st.autopilot_overrides())
            build_params(st.autopilot_overrides(), AF)
            st.failsafe_settings()
            st.mission_settings()
        for m in out:
            if m.get_type() == "PARAM_VALUE":
                info = st.info(m.param_id)
                assert m.param_value == encode_c_cast(st.get(m.param_id), info.param_type)
                assert (m.param_index, m.param_count, m.param_type) == (
                    info.index, n, info.param_type,
                )  # fmt: skip
        if msg.get_type() == "PARAM_SET":
            if not out:
                counts["ignored"] += 1
                assert st.values() == before and len(calls) == n_calls
            elif len(out) == 2:
                counts["refused"] += 1
                assert out[1].get_type() == "STATUSTEXT"
                assert st.values() == before and len(calls) == n_calls
            else:
                counts["accepted"] += 1
                assert out[0].param_id == msg.param_id
                assert calls[-1] == (msg.param_id, st.get(msg.param_id))
                changed = {a for a in before if before[a] != st.get(a)}
                assert changed <= {msg.param_id}
    assert min(counts.values()) > 500, counts
    assert counts["accepted"] > 3000, counts


def test_param_type_codes_are_mavlinks():
    """The MAV_PARAM_TYPE values written out in params.py are the dialect's (pymavlink)."""
    from longwing.mavlink import param_table as params

    spec = {v.name.removeprefix("MAV_PARAM_TYPE_"): k
            for k, v in mavlink2.enums["MAV_PARAM_TYPE"].items() if k != 11}  # fmt: skip
    assert {name: getattr(params, name) for name in spec} == spec
    assert dict(params.TYPE_NAMES) == {k: n for n, k in spec.items()}


def test_param_list_paced():
    """With list_chunk the list comes in chunks released by tick() on the caller's clock;
    a new PARAM_REQUEST_LIST restarts it; PARAM_SET replies are never held back."""
    st = ParamStore(AF)
    proto = ParamProtocol(st, _mav(), list_chunk=25, list_interval_s=0.02)
    first = proto.handle(GCS.param_request_list_encode(SYS, COMP), 0.0)
    assert [m.param_index for m in first] == list(range(25))
    second = proto.tick(0.0)
    assert [m.param_index for m in second] == list(range(25, 50))
    assert proto.tick(0.01) == []  # too soon: the next chunk 0.02 s after the last
    got = [m.param_index for m in first + second]
    t = 0.02
    while len(got) < len(st):
        chunk = proto.tick(t)
        assert len(chunk) <= 25
        got += [m.param_index for m in chunk]
        t += 0.02
    assert got == list(range(len(st))) and proto.tick(t + 1.0) == []
    assert proto.handle(_set("AIRSPEED_MIN", 22.0), 0.0)[0].param_id == "AIRSPEED_MIN"
    again = proto.handle(GCS.param_request_list_encode(SYS, COMP), 0.0)
    assert [m.param_index for m in again] == list(range(25))
