"""QGroundControl plans as QGC writes them: survey, corridor scan and fixed-wing landing
pattern complex items read as the mission items QGC uploads, written back unchanged so QGC
reopens them editable, flown by `longwing fly`, and one-line errors for malformed ones.

The plans are built by tests/qgc_plan_builder.py, which follows QGC's JSON writers."""

from __future__ import annotations

import copy
import json
import math

import pytest
import qgc_plan_builder as qb
from geographiclib.geodesic import Geodesic
from test_cli import run_cli

from longwing.mission import MissionError, load_plan, parse_plan, plan_to_dict, save_plan

HOME = (47.63, -52.93, 60.0)
LAND = (47.6304497, -52.9288477, 0.0)


def _takeoff(seq: int = 1) -> dict:
    lat, lon = qb.point(*HOME[:2], 600.0, 60.0)
    return qb.simple_json(seq, 22, 3, (12.0, 0.0, 0.0, qb.NAN, lat, lon, 80.0), alt_keys=True)


def _landing(**kw) -> tuple[dict, list]:
    approach = (*qb.point(*LAND[:2], 1500.0, 240.0), 50.0)  # lands towards 060 deg
    return qb.fw_landing(approach, LAND, **kw)


def survey_plan(n_transects: int = 3, length_m: float = 400.0) -> tuple[dict, list]:
    """Take-off, a survey, a fixed-wing landing pattern; the items QGC uploads."""
    start = qb.point(*HOME[:2], 1500.0, 45.0)
    path = qb.lawnmower(*start, length_m, 120.0, n_transects, 50.0)
    s_obj, s_items = qb.survey(2, path, 100.0)
    l_obj, l_items = _landing()
    takeoff = _takeoff()
    items = [(22, 3, tuple(takeoff["params"][:3]) + (qb.NAN,) + tuple(takeoff["params"][4:]))]
    return qb.plan(HOME, [takeoff, s_obj, l_obj]), items + s_items + l_items


def corridor_plan() -> tuple[dict, list]:
    a = qb.point(*HOME[:2], 1200.0, 30.0)
    b = qb.point(*a, 500.0, 80.0)
    c = qb.point(*b, 400.0, 20.0)
    c_obj, c_items = qb.corridor(2, [a, b, c], 100.0, 110.0)
    l_obj, l_items = _landing()
    takeoff = _takeoff()
    items = [(22, 3, (12.0, 0.0, 0.0, qb.NAN, *takeoff["params"][4:]))]
    return qb.plan(HOME, [takeoff, c_obj, l_obj]), items + c_items + l_items


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def assert_items(mission, expected: list) -> None:
    assert len(mission.items) == len(expected)
    for seq, (item, (command, frame, params)) in enumerate(
        zip(mission.items, expected, strict=True), 1
    ):
        got = (*item.params, item.lat_deg, item.lon_deg, item.alt_m)
        assert (item.command, item.frame) == (command, frame), seq
        assert all(_same(g, e) for g, e in zip(got, params, strict=True)), (seq, got, params)
        assert item.autocontinue


# --- reading -------------------------------------------------------------------------------


def test_survey_reads_the_items_qgc_stored() -> None:
    doc, expected = survey_plan()
    mission = parse_plan(json.dumps(doc))
    # 3 transects: 12 waypoints + a trigger at the first turnaround, each entry, the end
    assert len(expected) == 1 + (12 + 1 + 3 + 1) + 3
    assert_items(mission, expected)
    survey = doc["mission"]["items"][1]["TransectStyleComplexItem"]["Items"]
    assert [it["doJumpId"] for it in survey] == list(range(2, 2 + len(survey)))
    # the camera trigger distance went through QGC's float: 25.3 -> 25.299999237...
    trigger = mission.items[2].params[0]
    assert trigger == pytest.approx(25.3, abs=1e-6) and trigger != 25.3
    (ci_survey, ci_land) = mission.plan_info.complex_items
    assert (ci_survey.kind, ci_survey.first_seq, ci_survey.last_seq) == ("survey", 2, 18)
    assert (ci_land.kind, ci_land.first_seq, ci_land.last_seq) == ("fwLandingPattern", 19, 21)
    assert mission.land_sequence_start() == 19


def test_corridor_scan_reads_the_items_qgc_stored() -> None:
    doc, expected = corridor_plan()
    mission = parse_plan(json.dumps(doc))
    assert_items(mission, expected)
    nav = [it for it in mission.items if it.command == 16]
    assert len(nav) == 2 * 5  # two offset passes of turnaround/entry/interior/exit/turn
    assert {it.alt_m for it in nav} == {110.0}


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"clockwise": False, "radius_m": 120.0},
        {"loiter_to_alt": False},
        {"relative": False},
        {"change_speed": 17.9},
    ],
    ids=["loiter-cw", "loiter-ccw", "waypoint", "amsl", "change-speed"],
)
def test_fixed_wing_landing_pattern_is_arduplanes_landing_sequence(kw: dict) -> None:
    land = (LAND[0], LAND[1], 60.5) if kw.get("relative") is False else LAND
    approach = (*qb.point(*LAND[:2], 900.0, 250.0), 65.3 + (60.0 if land[2] else 0.0))
    l_obj, expected = qb.fw_landing(approach, land, **kw)
    doc = qb.plan(HOME, [_takeoff(), l_obj])
    mission = parse_plan(json.dumps(doc))
    assert_items(mission.with_items(mission.items[1:]), expected)
    frame = 0 if kw.get("relative") is False else 3
    items = mission.items[1:]
    assert items[0].command == 189 and items[0].frame == 2
    assert [it.command for it in items[-2:]] in ([31, 21], [16, 21])
    approach_item, land_item = items[-2:]
    assert approach_item.frame == land_item.frame == frame
    # the approach altitude as QGC's toFloat() leaves it; the landing point exactly
    assert approach_item.alt_m == float(__import__("numpy").float32(approach[2])) != approach[2]
    assert (land_item.lat_deg, land_item.lon_deg, land_item.alt_m) == land
    if "change_speed" in kw:
        assert items[1].params[:3] == (0.0, 17.0, -1.0)  # QGC passes the speed as an int


def test_version_1_landing_pattern_with_loiter_coordinate() -> None:
    l_obj, expected = _landing()
    v1 = {k: v for k, v in l_obj.items() if k not in ("altitudesAreRelative", "valueSetIsDistance")}
    v1.update(version=1, loiterAltitudeRelative=True, landAltitudeRelative=False)
    v1["loiterCoordinate"] = v1.pop("landingApproachCoordinate")
    mission = parse_plan(json.dumps(qb.plan(HOME, [_takeoff(), v1])))
    assert_items(mission.with_items(mission.items[1:]), expected)  # mixed -> relative, as QGC


# --- writing -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [survey_plan, corridor_plan])
def test_round_trip_keeps_the_complex_items_for_qgc(make, tmp_path) -> None:
    doc, _ = make()
    text = json.dumps(doc, indent=4, sort_keys=True)
    mission = parse_plan(text)
    assert plan_to_dict(mission) == json.loads(text)  # QGC reopens the same objects
    path = tmp_path / "out.plan"
    save_plan(mission, path)
    assert load_plan(path) == mission


def test_edited_complex_item_is_written_as_its_simple_items() -> None:
    doc, _ = survey_plan()
    mission = parse_plan(json.dumps(doc))
    items = list(mission.items)
    items[4] = items[4].__class__(16, 3, (0.0, 0.0, 0.0, math.nan), 47.64, -52.91, 130.0)
    edited = mission.with_items(items)
    out = plan_to_dict(edited)["mission"]["items"]
    kinds = [it.get("complexItemType", it["type"]) for it in out]
    assert kinds == ["SimpleItem"] * 18 + ["fwLandingPattern"]
    assert [it["doJumpId"] for it in out[:18]] == list(range(1, 19))
    back = parse_plan(json.dumps(plan_to_dict(edited)))
    assert back.items == edited.items
    # a DO_JUMP into the landing pattern: written as simple items (QGC could not name it)
    jumped = mission.with_items((*mission.items[:18], mission.items[0].jump(20, 1),
                                 *mission.items[18:]))  # fmt: skip
    out = plan_to_dict(jumped)["mission"]["items"]
    assert out[1]["complexItemType"] == "survey"
    assert all(it["type"] == "SimpleItem" for it in out[2:])


# --- errors --------------------------------------------------------------------------------


def _error(doc: dict, tmp_path) -> str:
    path = tmp_path / "mission.plan"
    path.write_text(json.dumps(doc))
    with pytest.raises(MissionError) as info:
        load_plan(path)
    text = str(info.value)
    assert "\n" not in text
    return text.replace(str(path), "mission.plan")


def _mutated(path: tuple, value) -> dict:
    doc, _ = survey_plan()
    doc = copy.deepcopy(doc)
    node = doc["mission"]["items"]
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


TS = (1, "TransectStyleComplexItem")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            (1, "version"),
            3,
            "survey at item 2: survey version 3 (QGroundControl 3) stores no "
            "mission items; open the plan in QGroundControl 4 or later and save it again",
        ),
        ((1, "version"), 9, "survey at item 2: unsupported survey version 9 (supported: 4, 5)"),
        ((1, "polygon"), KeyError, "survey at item 2: missing key 'polygon' in the survey"),
        ((1, "angle"), "0", "survey at item 2: 'angle' must be a number"),
        (
            (1, "TransectStyleComplexItem"),
            KeyError,
            "survey at item 2: missing key 'TransectStyleComplexItem'",
        ),
        (
            (*TS, "Items"),
            [],
            "survey at item 2: 'TransectStyleComplexItem.Items' is empty: "
            "QGroundControl saved no mission items for it",
        ),
        (
            (*TS, "version"),
            3,
            "survey at item 2: unsupported TransectStyleComplexItem version 3 (supported: 1, 2)",
        ),
        (
            (*TS, "Items", 2, "params"),
            [0, 0, 0],
            "survey at item 2, Items[2] (NAV_WAYPOINT): 'params' must hold 7 values, got 3",
        ),
        (
            (*TS, "Items", 3, "type"),
            "MissionItem",
            "survey at item 2, Items[3]: 'type' must be \"SimpleItem\", not 'MissionItem'",
        ),
        (
            (*TS, "Items", 4, "params", 4),
            95.0,
            "item 6 (NAV_WAYPOINT) of the survey at item 2: latitude 95.0 is outside [-90, 90]",
        ),
        (
            (2, "landCoordinate"),
            [47.6, -52.9],
            "landing pattern at item 19: 'landCoordinate' must hold 3 numbers, got 2",
        ),
        (
            (2, "altitudesAreRelative"),
            KeyError,
            "landing pattern at item 19: missing key 'altitudesAreRelative' in the landing pattern",
        ),
        (
            (2, "version"),
            3,
            "landing pattern at item 19: unsupported fwLandingPattern version 3 (supported: 1, 2)",
        ),
        (
            (2, "complexItemType"),
            "VTOLLandingPattern",
            "'VTOLLandingPattern' at item 19: unsupported complex item type 'VTOLLandingPattern'",
        ),
        (
            (2, "stopTakingPhotos"),
            True,
            "item 21 (MAV_CMD 2001) of the landing pattern at item 19: unsupported command 2001",
        ),
    ],
)
def test_malformed_complex_items_give_one_line_naming_the_item(path, value, expected,
                                                                tmp_path) -> None:  # fmt: skip
    msg = _error(_mutated(path, value), tmp_path)
    assert msg.startswith(f"mission.plan: {expected}"), msg


def test_structure_scan_is_refused_with_the_reason(tmp_path) -> None:
    scan = {"complexItemType": "StructureScan", "type": "ComplexItem", "version": 3,
            "Altitude": 50, "StructureHeight": 25, "Layers": 1, "GimbalPitch": 0,
            "StartFromTop": False, "EntranceAltitude": 50, "CameraCalc": {},
            "polygon": [[47.64, -52.92], [47.641, -52.92], [47.641, -52.919]]}  # fmt: skip
    msg = _error(qb.plan(HOME, [_takeoff(), scan]), tmp_path)
    assert msg.startswith("mission.plan: structure scan at item 2: QGroundControl stores no "
                          "mission items for a structure scan")  # fmt: skip


def test_cli_plan_check_accepts_and_refuses(monkeypatch, capsys, tmp_path) -> None:
    doc, _ = survey_plan()
    good = tmp_path / "survey.plan"
    good.write_text(json.dumps(doc, indent=4))
    code, out, err = run_cli(monkeypatch, capsys, "plan", "check", str(good))
    assert code == 0, err
    assert "landing: DO_LAND_START item 19 -> NAV_LAND item 21" in out and "FEASIBLE" in out
    bad = tmp_path / "bad.plan"
    bad.write_text(json.dumps(_mutated((2, "loiterRadius"), "75")))
    code, out, err = run_cli(monkeypatch, capsys, "plan", "check", str(bad))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {bad}: landing pattern at item 19: 'loiterRadius' must be a number"
    ]


# --- flying --------------------------------------------------------------------------------


def test_fly_a_qgc_survey_and_landing_pattern_lands_at_the_landing_point(
    monkeypatch, capsys, tmp_path
) -> None:
    doc, _ = survey_plan(n_transects=2, length_m=300.0)
    path = tmp_path / "qgc.plan"
    path.write_text(json.dumps(doc, indent=4))
    code, out, err = run_cli(monkeypatch, capsys, "fly", str(path), "--out", str(tmp_path / "r"))
    assert code == 0, err
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["end_state"] == "landed", out
    assert s["completed"], out
    td = s["touchdown"]
    g = Geodesic.WGS84.Inverse(LAND[0], LAND[1], td["lat_deg"], td["lon_deg"])
    assert g["s12"] < 30.0, (g["s12"], td)  # measured 4.7 m (no wind)
    assert "landed at the mission's NAV_LAND (item 16)" in out


# --- the SITL: a QGC plan served, then partly re-written by a pymavlink ground station --------


def test_sitl_serves_a_qgc_plan_and_takes_a_partial_write(tmp_path) -> None:
    from pymavlink.dialects.v20 import ardupilotmega as M
    from sitl_gcs import port_base, recv, sitl_gcs

    doc, expected = survey_plan(n_transects=2, length_m=300.0)
    plan_path = tmp_path / "qgc.plan"
    plan_path.write_text(json.dumps(doc, indent=4))
    with sitl_gcs(tmp_path / "sitl", port_base(34700), "--mission", str(plan_path)) as (conn, _):

        def download() -> list:
            conn.mav.mission_request_list_send(1, 1, 0)
            count = recv(conn, "MISSION_COUNT")
            got = []
            for seq in range(count.count):
                conn.mav.mission_request_int_send(1, 1, seq, 0)
                got.append(recv(conn, "MISSION_ITEM_INT", cond=lambda m, s=seq: m.seq == s))
            conn.mav.mission_ack_send(1, 1, M.MAV_MISSION_ACCEPTED, 0)
            return got

        items = download()
        assert [(m.command, m.frame) for m in items[1:]] == [(c, f) for c, f, _ in expected]
        assert [(m.x, m.y) for m in items[1:] if m.frame == 3] == [
            (round(p[4] * 1e7), round(p[5] * 1e7)) for c, f, p in expected if f == 3
        ]
        # QGC edits one survey waypoint's altitude: a partial write of seq 4 only
        wp = items[4]
        assert wp.command == 16
        conn.mav.mission_write_partial_list_send(1, 1, 4, 4, 0)
        req = recv(conn, "MISSION_REQUEST_INT")
        assert req.seq == 4
        p = (wp.param1, wp.param2, wp.param3, wp.param4)
        conn.mav.mission_item_int_send(1, 1, 4, wp.frame, 16, 0, 1, *p, wp.x, wp.y, 140.0, 0)
        ack = recv(conn, "MISSION_ACK")
        assert ack.type == M.MAV_MISSION_ACCEPTED
        after = download()
        assert len(after) == len(items) and after[4].z == 140.0
        assert [m.z for k, m in enumerate(after) if k != 4] == [
            m.z for k, m in enumerate(items) if k != 4
        ]
        # outside the list: ArduPilot's words, and ERROR
        conn.mav.mission_write_partial_list_send(1, 1, 5, len(items) + 1, 0)
        text = recv(conn, "STATUSTEXT", cond=lambda m: "rejected" in m.text)
        assert text.text == "Flight plan update rejected"


def test_random_damage_to_complex_items_gives_mission_errors_only() -> None:
    """Any value anywhere in the complex items replaced by junk: the plan reads, or one
    MissionError line; nothing else escapes."""
    import random

    doc, _ = survey_plan(n_transects=2, length_m=300.0)
    rng = random.Random(14)
    junk = [None, "x", [], {}, True, -1, 0, 1e308, -1e308, 1e400, float("nan"), 2**70, [1, 2],
            {"a": 1}, 3.5, -90.5]  # fmt: skip

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for k, v in node.items():
                yield from paths(v, (*prefix, k))
        elif isinstance(node, list):
            for k, v in enumerate(node):
                yield from paths(v, (*prefix, k))

    complex_paths = [p for k in (1, 2) for p in paths(doc["mission"]["items"][k], (k,))][1:]
    outcomes = {"read": 0, "error": 0}
    for _ in range(1500):
        damaged = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(complex_paths)
            node = damaged["mission"]["items"]
            try:
                for key in path[:-1]:
                    node = node[key]
                if rng.random() < 0.15 and isinstance(node, dict):
                    node.pop(path[-1], None)
                else:
                    node[path[-1]] = copy.deepcopy(rng.choice(junk))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed the path
        try:
            parse_plan(json.dumps(damaged))
            outcomes["read"] += 1
        except MissionError as exc:
            assert "\n" not in str(exc)
            outcomes["error"] += 1
    assert outcomes["error"] > 1200 and outcomes["read"] > 70, outcomes  # 1359, 141
