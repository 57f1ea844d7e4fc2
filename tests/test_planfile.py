"""Mission files: QGroundControl .plan JSON, QGC WPL 110 text, load_mission, the examples."""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from longwing.mission import (
    Fence,
    FenceCircle,
    Home,
    MavCmd,
    MavFrame,
    Mission,
    MissionError,
    MissionItem,
    PlanAltitude,
    RallyPoint,
    dumps_plan,
    dumps_wpl,
    load_mission,
    load_plan,
    load_wpl,
    parse_plan,
    parse_wpl,
    plan_to_dict,
    save_mission,
    save_plan,
    save_wpl,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MISSION_SUFFIXES = (".plan", ".waypoints", ".txt")

# A plan as QGroundControl writes it: nulls for NaN, altitude display keys, terrain-computed
# altitude mode, DO commands without altitude keys, fence circles and polygons, breach return.
QGC_PLAN = """{
    "fileType": "Plan",
    "geoFence": {
        "breachReturn": [47.3981, 8.5455, 40],
        "circles": [
            {"circle": {"center": [47.39756763610029, 8.544649762407738], "radius": 319.85},
             "inclusion": false, "version": 1}
        ],
        "polygons": [
            {"inclusion": true,
             "polygon": [[47.39807773798406, 8.543834631785785],
                         [47.39983519888905, 8.550024648373267],
                         [47.39641100087146, 8.54499282423751],
                         [47.395590322265186, 8.539435808992085]],
             "version": 1}
        ],
        "version": 2
    },
    "groundStation": "QGroundControl",
    "mission": {
        "cruiseSpeed": 15,
        "firmwareType": 12,
        "globalPlanAltitudeMode": 1,
        "hoverSpeed": 5,
        "items": [
            {"AMSLAltAboveTerrain": null, "Altitude": 50, "AltitudeMode": 1,
             "autoContinue": true, "command": 22, "doJumpId": 1, "frame": 3,
             "params": [15, 0, 0, null, 47.3985099, 8.5451002, 50], "type": "SimpleItem"},
            {"AMSLAltAboveTerrain": 587.5, "Altitude": 100, "AltitudeMode": 3,
             "autoContinue": true, "command": 16, "doJumpId": 2, "frame": 0,
             "params": [0, 0, 0, null, 47.3990, 8.5460, 587.5], "type": "SimpleItem"},
            {"autoContinue": true, "command": 178, "doJumpId": 3, "frame": 2,
             "params": [1, 12.5, -1, 0, 0, 0, 0], "type": "SimpleItem"},
            {"AMSLAltAboveTerrain": null, "Altitude": 60.25, "AltitudeMode": 1,
             "autoContinue": false, "command": 18, "doJumpId": 4, "frame": 3,
             "params": [2, 0, -75, 0, 47.3995, 8.5470, 60.25], "type": "SimpleItem"},
            {"autoContinue": true, "command": 177, "doJumpId": 5, "frame": 2,
             "params": [2, 3, 0, 0, 0, 0, 0], "type": "SimpleItem"},
            {"autoContinue": true, "command": 20, "doJumpId": 6, "frame": 2,
             "params": [0, 0, 0, 0, 0, 0, 0], "type": "SimpleItem"}
        ],
        "plannedHomePosition": [47.3977419, 8.545594, 487.989],
        "vehicleType": 1,
        "version": 2
    },
    "rallyPoints": {
        "points": [[47.39760401, 8.5509154, 50], [47.39902017, 8.54263274, 50]],
        "version": 2
    },
    "version": 1
}
"""


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in MISSION_SUFFIXES)


def error_of(fn) -> str:
    with pytest.raises(MissionError) as info:
        fn()
    return str(info.value)


def write(path: Path, doc: Any) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=4))
    return path


# --- .plan ----------------------------------------------------------------------------------


def test_qgc_plan_reads_and_writes_back_the_same_content() -> None:
    mission = parse_plan(QGC_PLAN, "qgc.plan")
    assert plan_to_dict(mission) == json.loads(QGC_PLAN)
    # and the model holds what the file says
    assert mission.home == Home(47.3977419, 8.545594, 487.989)
    assert (mission.cruise_speed_mps, mission.hover_speed_mps) == (15.0, 5.0)
    assert mission.plan_info.firmware_type == 12
    assert mission.plan_info.ground_station == "QGroundControl"
    takeoff, wp, speed, loiter, jump, rtl = mission.items
    assert takeoff.command == MavCmd.NAV_TAKEOFF and takeoff.frame == MavFrame.GLOBAL_RELATIVE_ALT
    assert math.isnan(takeoff.yaw_deg)  # JSON null is NaN
    assert takeoff.plan_altitude == PlanAltitude(1, 50.0, None)
    assert wp.plan_altitude == PlanAltitude(3, 100.0, 587.5)
    assert speed.plan_altitude is None and speed.speed_type == 1 and speed.speed_mps == 12.5
    assert loiter.radius_m == -75.0 and not loiter.loiter_clockwise and not loiter.autocontinue
    assert (jump.jump_target_seq, jump.jump_repeat) == (2, 3)
    assert rtl.command == MavCmd.NAV_RETURN_TO_LAUNCH
    fence = mission.fence
    assert len(fence.polygons) == 1 and fence.polygons[0].inclusion
    assert fence.circles == (FenceCircle(47.39756763610029, 8.544649762407738, 319.85, False),)
    assert fence.breach_return is not None and fence.breach_return.alt_m == 40.0
    assert mission.rally[0] == RallyPoint(
        47.39760401, 8.5509154, 50.0, MavFrame.GLOBAL_RELATIVE_ALT
    )
    assert mission.resolve_alt(1) == pytest.approx(487.989 + 50.0)
    assert mission.resolve_alt(2) == 587.5


def test_plan_text_round_trip_is_exact(tmp_path: Path) -> None:
    mission = parse_plan(QGC_PLAN)
    path = tmp_path / "qgc.plan"
    save_plan(mission, path)
    text = path.read_text()
    assert load_plan(path) == mission
    assert dumps_plan(load_plan(path)) == text
    assert json.loads(text) == json.loads(QGC_PLAN)
    assert "NaN" not in text and "null" in text


def test_mission_round_trip_through_plan_and_wpl_and_mavlink(tmp_path: Path) -> None:
    mission = Mission(
        Home(47.63, -52.93, 60.0),
        (
            MissionItem.takeoff(47.6327, -52.9231, 80.0, pitch_deg=12.5),
            MissionItem(16, 3, (0, 0, 0, math.nan), 47.640123456789, -52.91, 120.0),
            MissionItem.waypoint(47.65, -52.90, 700.0, MavFrame.GLOBAL_INT, hold_s=1e-3),
            MissionItem.waypoint(47.66, -52.89, 90.0, MavFrame.GLOBAL_TERRAIN_ALT),
            MissionItem.jump(2, repeat=1),
            MissionItem.set_home(47.63, -52.93, 61.5),
            MissionItem.return_to_launch(),
        ),
    )
    assert parse_plan(dumps_plan(mission)) == mission
    assert parse_wpl(dumps_wpl(mission)) == mission
    assert Mission.from_mavlink_items(mission.to_mavlink_items()) == mission
    path = tmp_path / "m.waypoints"
    save_mission(mission, path)
    assert path.read_text() == dumps_wpl(mission)
    assert load_mission(path) == mission


def test_do_jump_uses_doJumpId_in_files() -> None:
    doc = json.loads(QGC_PLAN)
    for k, item in enumerate(doc["mission"]["items"]):
        item["doJumpId"] = 10 * (k + 1)
    doc["mission"]["items"][4]["params"][0] = 20  # the doJumpId of item 2
    mission = parse_plan(json.dumps(doc))
    assert mission.items[4].jump_target_seq == 2
    # written back with doJumpId = seq
    out = plan_to_dict(mission)["mission"]["items"]
    assert [it["doJumpId"] for it in out] == [1, 2, 3, 4, 5, 6]
    assert out[4]["params"][0] == 2

    doc["mission"]["items"][4]["params"][0] = 70
    assert error_of(lambda: parse_plan(json.dumps(doc), "x.plan")) == (
        "x.plan: item 5 (DO_JUMP): jump target doJumpId 70 matches no item"
    )


def test_stale_qgc_altitude_keys_are_regenerated() -> None:
    mission = parse_plan(QGC_PLAN)
    loiter = mission.items[3]
    moved = MissionItem(
        loiter.command,
        loiter.frame,
        loiter.params,
        loiter.lat_deg,
        loiter.lon_deg,
        80.0,
        loiter.autocontinue,
        plan_altitude=loiter.plan_altitude,
    )
    out = plan_to_dict(mission.with_items((*mission.items[:3], moved, *mission.items[4:])))
    item = out["mission"]["items"][3]
    assert (item["AltitudeMode"], item["Altitude"], item["AMSLAltAboveTerrain"]) == (1, 80, None)


def test_rally_and_fence_extras_in_plan() -> None:
    mission = Mission(
        Home(47.63, -52.93, 60.0),
        fence=Fence(max_alt_above_home_m=150.0, min_alt_above_home_m=-5.5),
        rally=(RallyPoint(47.64, -52.92, 160.0, MavFrame.GLOBAL),),  # AMSL
        cruise_speed_mps=22.0,
    )
    doc = plan_to_dict(mission)
    assert doc["geoFence"]["longwing"] == {"maxAltAboveHomeM": 150, "minAltAboveHomeM": -5.5}
    assert doc["rallyPoints"]["points"] == [[47.64, -52.92, 100]]  # above home
    back = parse_plan(json.dumps(doc))
    assert back.fence == mission.fence
    assert back.rally == (RallyPoint(47.64, -52.92, 100.0, MavFrame.GLOBAL_RELATIVE_ALT),)
    terrain_rally = Mission(Home(47.63, -52.93, 60.0), rally=(RallyPoint(47.64, -52.92, 50.0, 10),))
    assert error_of(lambda: dumps_plan(terrain_rally)) == (
        "rally point 1: .plan files store rally altitudes above home; frame "
        "GLOBAL_TERRAIN_ALT (10) cannot be converted"
    )


def _item_doc() -> dict[str, Any]:
    return json.loads(QGC_PLAN)


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


ITEMS = ("mission", "items")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            (*ITEMS, 3, "params", 4),
            95.0,
            "mission.plan: item 4 (NAV_LOITER_TURNS): latitude 95.0 is outside [-90, 90]",
        ),
        (
            (*ITEMS, 1, "params", 5),
            None,
            "mission.plan: item 2 (NAV_WAYPOINT): longitude nan is not a finite number",
        ),
        (
            (*ITEMS, 3, "params", 0),
            -2,
            "mission.plan: item 4 (NAV_LOITER_TURNS): turns (param1) is -2.0; must be >= 0",
        ),
        (
            (*ITEMS, 2, "frame"),
            1,
            "mission.plan: item 3 (DO_CHANGE_SPEED): unknown frame 1",
        ),
        (
            (*ITEMS, 4, "params", 0),
            5,
            "mission.plan: item 5 (DO_JUMP): jump_target_seq (param1) is 5: the DO_JUMP itself",
        ),
        (
            (*ITEMS, 2, "command"),
            84,
            "mission.plan: item 3 (MAV_CMD 84): unsupported command 84 (supported: "
            "16 NAV_WAYPOINT, 17 NAV_LOITER_UNLIM, 18 NAV_LOITER_TURNS, 19 NAV_LOITER_TIME, "
            "20 NAV_RETURN_TO_LAUNCH, 21 NAV_LAND, 22 NAV_TAKEOFF, 31 NAV_LOITER_TO_ALT, "
            "177 DO_JUMP, 178 DO_CHANGE_SPEED, 179 DO_SET_HOME, 189 DO_LAND_START, "
            "191 DO_GO_AROUND, "
            "206 DO_SET_CAM_TRIGG_DIST)",
        ),
        (
            (*ITEMS, 1, "params"),
            [0, 0, 0, 0, 47.3, 8.5],
            "mission.plan: item 2 (NAV_WAYPOINT): 'params' must hold 7 values, got 6",
        ),
        (
            (*ITEMS, 1, "params", 2),
            "x",
            "mission.plan: item 2 (NAV_WAYPOINT): params[2] must be a number, not str",
        ),
        (
            (*ITEMS, 1, "command"),
            KeyError,
            "mission.plan: item 2: missing key 'command' in the item",
        ),
        (
            (*ITEMS, 1, "autoContinue"),
            1,
            "mission.plan: item 2 (NAV_WAYPOINT): 'autoContinue' must be true or false",
        ),
        (
            (*ITEMS, 0, "AMSLAltAboveTerrain"),
            KeyError,
            "mission.plan: item 1 (NAV_TAKEOFF): missing key 'AMSLAltAboveTerrain' in the item",
        ),
        (
            (*ITEMS, 2),
            {"type": "ComplexItem", "complexItemType": "survey", "version": 5},
            "mission.plan: survey at item 3: missing key 'entryLocation' in the survey",
        ),
        (
            (*ITEMS, 2, "type"),
            "MissionItem",
            "mission.plan: item 3: unknown item type 'MissionItem'",
        ),
        (
            ("mission", "plannedHomePosition"),
            [47.0, 8.0],
            "mission.plan: mission: 'plannedHomePosition' must hold 3 numbers, got 2",
        ),
        (
            ("mission", "plannedHomePosition", 0),
            -91,
            "mission.plan: home: latitude -91.0 is outside [-90, 90]",
        ),
        (
            ("mission", "firmwareType"),
            KeyError,
            "mission.plan: missing key 'firmwareType' in 'mission'",
        ),
        (
            ("mission", "version"),
            1,
            "mission.plan: mission: unsupported mission version 1 (supported: 2)",
        ),
        (("fileType",), "Mission", "mission.plan: 'fileType' must be \"Plan\", not 'Mission'"),
        (("version",), 2, "mission.plan: unsupported plan file version 2 (supported: 1)"),
        (
            ("geoFence", "version"),
            1,
            "mission.plan: geoFence: unsupported geoFence version 1 (supported: 2)",
        ),
        (
            ("geoFence", "polygons", 0, "polygon"),
            [[47.39, 8.54], [47.40, 8.55]],
            "mission.plan: geofence polygon 1: needs at least 3 vertices, has 2",
        ),
        (
            ("geoFence", "circles", 0, "circle", "radius"),
            0,
            "mission.plan: geofence circle 1: radius 0.0 m must be > 0",
        ),
        (
            ("rallyPoints", "points", 1),
            [47.4, 8.5],
            "mission.plan: rally point 2: the point must hold 3 numbers, got 2",
        ),
        (
            ("mission", "cruiseSpeed"),
            -3,
            "mission.plan: mission: cruise_speed_mps -3.0 must be > 0",
        ),
    ],
)
def test_plan_errors_are_one_line_with_file_and_item(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: tuple[Any, ...],
    value: Any,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "mission.plan", _set(_item_doc(), path, value))
    msg = error_of(lambda: load_plan("mission.plan"))
    assert msg == expected
    assert "\n" not in msg


def test_plan_syntax_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "mission.plan", '{\n  "fileType": "Plan",\n  "version": 1,,\n}')
    assert error_of(lambda: load_plan("mission.plan")) == (
        "mission.plan: line 3: invalid JSON: Expecting property name enclosed in double quotes"
    )
    write(tmp_path / "list.plan", "[1, 2]")
    assert error_of(lambda: load_plan("list.plan")) == "list.plan: the file must be a JSON object"
    assert error_of(lambda: load_plan("missing.plan")) == (
        "missing.plan: cannot read the file: No such file or directory"
    )
    (tmp_path / "binary.plan").write_bytes(b"\xff\xfe\x00garbage")
    assert error_of(lambda: load_plan("binary.plan")) == (
        "binary.plan: not a text file (not valid UTF-8)"
    )


def test_save_plan_is_atomic(tmp_path: Path) -> None:
    mission = parse_plan(QGC_PLAN)
    path = tmp_path / "out.plan"
    path.write_text("old content")
    save_plan(mission, path)
    assert load_plan(path) == mission
    assert sorted(os.listdir(tmp_path)) == ["out.plan"]  # no temporary file left behind
    assert (path.stat().st_mode & 0o777) == 0o644

    bad = Mission(Home(47.63, -52.93, 60.0), rally=(RallyPoint(47.6, -52.9, 5.0, 11),))
    before = path.read_text()
    with pytest.raises(MissionError, match=r"out\.plan: rally point 1: "):
        save_plan(bad, path)
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["out.plan"]


# --- QGC WPL 110 ----------------------------------------------------------------------------

MP_WPL = (
    "QGC WPL 110\r\n"
    "0\t1\t0\t16\t0.000000\t0.000000\t0.000000\t0.000000\t47.630000\t-52.930000\t60.000000\t1\r\n"
    "1\t0\t3\t22\t15.00000000\t0.00000000\t0.00000000\t0.00000000\t47.63270000\t-52.92310000"
    "\t80.000000\t1\r\n"
    "2\t0\t3\t178\t0.00000000\t22.00000000\t-1.00000000\t0.00000000\t0.00000000\t0.00000000"
    "\t0.000000\t1\r\n"
    "3 0 3 16 0 0 0 nan 47.64 -52.91 120 1\r\n"
    "4\t0\t3\t177\t3.00000000\t2.00000000\t0\t0\t0\t0\t0\t1\r\n"
    "\r\n"
    "5\t0\t3\t21\t40\t0\t0\t0\t47.6304\t-52.9288\t0\t1\r\n"
)


def test_wpl_reads_mission_planner_style() -> None:
    mission = parse_wpl(MP_WPL, "mp.waypoints")
    assert mission.home == Home(47.63, -52.93, 60.0)
    assert [it.command for it in mission.items] == [22, 178, 16, 177, 21]
    assert mission.items[0] == MissionItem.takeoff(47.6327, -52.9231, 80.0, pitch_deg=15.0)
    assert math.isnan(mission.items[2].yaw_deg)
    assert mission.items[3].frame == 3 and mission.items[3].jump_target_seq == 3
    assert mission.items[4].abort_alt_m == 40.0
    assert parse_wpl(dumps_wpl(mission)) == mission


def test_wpl_text_round_trip_is_exact() -> None:
    text = (EXAMPLES / "short_survey.waypoints").read_text()
    mission = parse_wpl(text)
    assert dumps_wpl(mission) == text
    assert text.splitlines()[0] == "QGC WPL 110"
    assert text.splitlines()[1].split("\t")[:4] == ["0", "1", "0", "16"]  # home on line 0
    # the same items as the .plan it was made from
    plan = load_plan(EXAMPLES / "short_survey.plan")
    assert mission.items == plan.items and mission.home == plan.home


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "4\t0\t3\t16\t0\t0\t0\t0\t95\t-52.9\t100\t1",
            "m.waypoints: line 6: item 4 (NAV_WAYPOINT): latitude 95.0 is outside [-90, 90]",
        ),
        (
            "4\t0\t3\t16\t0\t-3\t0\t0\t47.6\t-52.9\t100\t1",
            "m.waypoints: line 6: item 4 (NAV_WAYPOINT): acceptance_radius_m (param2) is -3.0; "
            "must be >= 0",
        ),
        (
            "4\t0\t3\t177\t9\t1\t0\t0\t0\t0\t0\t1",
            "m.waypoints: line 6: item 4 (DO_JUMP): jump_target_seq (param1) is 9; no such item "
            "(items are 1..4)",
        ),
        (
            "4\t0\t3\t16\t0\t0\t0\t47.6\t-52.9\t100\t1",
            "m.waypoints: line 6: expected 12 tab-separated fields, got 11",
        ),
        (
            "4\t0\t3\t16\t0\tabc\t0\t0\t47.6\t-52.9\t100\t1",
            "m.waypoints: line 6: field 6 (PARAM2) 'abc' is not a number",
        ),
        (
            "4\t0\t3.5\t16\t0\t0\t0\t0\t47.6\t-52.9\t100\t1",
            "m.waypoints: line 6: field 3 (COORD_FRAME) '3.5' is not an integer",
        ),
        (
            "4\t0\t3\t16\t0\t0\t0\t0\t47.6\t-52.9\t100\t2",
            "m.waypoints: line 6: field 12 (AUTOCONTINUE) is 2; must be 0 or 1",
        ),
        (
            "7\t0\t3\t16\t0\t0\t0\t0\t47.6\t-52.9\t100\t1",
            "m.waypoints: line 6: index 7 is out of sequence (expected 4)",
        ),
    ],
)
def test_wpl_errors_name_line_and_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [
        "QGC WPL 110",
        "0\t1\t0\t16\t0\t0\t0\t0\t47.63\t-52.93\t60\t1",
        "1\t0\t3\t22\t15\t0\t0\t0\t47.6327\t-52.9231\t80\t1",
        "2\t0\t3\t16\t0\t0\t0\t0\t47.64\t-52.91\t120\t1",
        "3\t0\t3\t16\t0\t0\t0\t0\t47.65\t-52.90\t120\t1",
        line,
    ]
    write(tmp_path / "m.waypoints", "\n".join(lines) + "\n")
    assert error_of(lambda: load_wpl("m.waypoints")) == expected


def test_wpl_header_and_home_errors() -> None:
    assert error_of(lambda: parse_wpl("QGC WPL 120\n", "a.txt")) == (
        "a.txt: line 1: unsupported waypoint file version '120' (supported: 'QGC WPL 110')"
    )
    assert error_of(lambda: parse_wpl("hello\n", "a.txt")) == (
        "a.txt: line 1: not a waypoint file: the first line must be 'QGC WPL 110'"
    )
    assert error_of(lambda: parse_wpl("QGC WPL 110\n\n", "a.txt")) == (
        "a.txt: no home line (index 0) after the header"
    )
    rel_home = "QGC WPL 110\n0\t1\t3\t16\t0\t0\t0\t0\t47.63\t-52.93\t0\t1\n"
    assert error_of(lambda: parse_wpl(rel_home, "a.txt")) == (
        "a.txt: line 2: item 0 (home): home must be in frame GLOBAL (0) or GLOBAL_INT (5), "
        "not GLOBAL_RELATIVE_ALT (3)"
    )


def test_wpl_refuses_to_drop_fence_and_rally_silently(tmp_path: Path) -> None:
    plan = load_plan(EXAMPLES / "short_survey.plan")
    path = tmp_path / "s.waypoints"
    assert error_of(lambda: save_wpl(plan, path)) == (
        f"{path}: WPL files cannot hold the geofence, rally points, cruise/hover speed; write a "
        ".plan file, or pass drop_extras=True to write the items only"
    )
    assert not path.exists()
    save_mission(plan, path, drop_extras=True)
    assert load_wpl(path).items == plan.items


# --- load_mission / save_mission ------------------------------------------------------------


def test_load_mission_dispatches_on_content(tmp_path: Path) -> None:
    plan = parse_plan(QGC_PLAN)
    write(tmp_path / "a.plan", QGC_PLAN)
    write(tmp_path / "plan_in.txt", QGC_PLAN)
    write(tmp_path / "b.waypoints", MP_WPL)
    write(tmp_path / "b.txt", MP_WPL)
    write(tmp_path / "no_extension", MP_WPL)
    assert load_mission(tmp_path / "a.plan") == plan
    assert load_mission(tmp_path / "plan_in.txt") == plan
    wpl = parse_wpl(MP_WPL)
    for name in ("b.waypoints", "b.txt", "no_extension"):
        assert load_mission(tmp_path / name) == wpl
    write(tmp_path / "wpl.plan", MP_WPL)
    assert error_of(lambda: load_mission(tmp_path / "wpl.plan")) == (
        f"{tmp_path / 'wpl.plan'}: line 1: invalid JSON: Expecting value"
    )
    write(tmp_path / "notes.txt", "shopping list\n")
    assert error_of(lambda: load_mission(tmp_path / "notes.txt")) == (
        f"{tmp_path / 'notes.txt'}: not a mission file: expected a QGroundControl .plan (JSON) "
        "file or a 'QGC WPL 110' waypoint file (.waypoints, .txt)"
    )


def test_save_mission_by_extension(tmp_path: Path) -> None:
    plan = parse_plan(QGC_PLAN)
    save_mission(plan, tmp_path / "x.plan")
    assert load_mission(tmp_path / "x.plan") == plan
    assert error_of(lambda: save_mission(plan, tmp_path / "x.json")) == (
        f"{tmp_path / 'x.json'}: unknown mission file extension '.json'; use .plan, "
        ".waypoints, .txt"
    )


# --- the examples ---------------------------------------------------------------------------


def test_examples_exist() -> None:
    names = {p.name for p in example_files()}
    assert {"short_survey.plan", "short_survey.waypoints", "long_range.plan", "laima.plan"} <= names


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_loads_and_round_trips(path: Path) -> None:
    mission = load_mission(path)
    assert mission.items
    text = path.read_text()
    if path.suffix == ".plan":
        assert dumps_plan(mission) == text
        assert plan_to_dict(mission) == json.loads(text)
    else:
        assert dumps_wpl(mission) == text


@pytest.mark.parametrize("name", ["short_survey.plan", "long_range.plan", "laima.plan"])
def test_examples_end_with_a_landing_sequence(name: str) -> None:
    mission = load_plan(EXAMPLES / name)
    start = mission.land_sequence_start()
    assert start is not None
    assert mission.items[-1].command == MavCmd.NAV_LAND
    assert mission.items[0].command == MavCmd.NAV_TAKEOFF
    between = [it.command for it in mission.items[start:-1]]
    assert MavCmd.NAV_WAYPOINT in between  # an approach waypoint
    for seq, it in mission.nav_items():  # every positioned item inside the fence
        if it.position is not None:
            ok, reason = mission.fence.contains(it.lat_deg, it.lon_deg)
            assert ok, f"{name}: item {seq}: {reason}"


def test_short_survey_has_the_requested_items() -> None:
    mission = load_plan(EXAMPLES / "short_survey.plan")
    commands = [it.command for it in mission.items]
    for cmd in (
        MavCmd.DO_SET_CAM_TRIGG_DIST,
        MavCmd.DO_CHANGE_SPEED,
        MavCmd.NAV_LOITER_TURNS,
        MavCmd.DO_LAND_START,
    ):
        assert cmd in commands
    triggers = [it.trigger_distance_m for it in mission.items if it.command == 206]
    assert triggers[0] > 0 and triggers[-1] == 0  # camera on, then off
    assert mission.fence.polygons and mission.rally


def test_route_lengths() -> None:
    laima = load_plan(EXAMPLES / "laima.plan")
    assert laima.route_length_m() == pytest.approx(3_270_000.0, rel=0.05)
    last = laima.items[-1]
    assert (last.lat_deg, last.lon_deg) == pytest.approx((57.4811, -7.3628), abs=1e-3)
    cruise = [laima.resolve_alt(seq) for seq, it in laima.nav_items() if it.frame == 0]
    assert cruise and all(1500.0 <= a <= 1800.0 for a in cruise[:-3])
    assert load_plan(EXAMPLES / "long_range.plan").route_length_m() >= 300_000.0
