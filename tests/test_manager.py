"""Mission manager: item sequencing with ArduPlane semantics and flight modes (no physics)."""

from __future__ import annotations

import math

import pytest

from longwing.control import target as tg
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.mission.items import MissionItem
from longwing.mission.manager import MissionManager, MissionSettings, Mode, Position
from longwing.mission.model import Home, Mission

HOME = Home(47.63, -52.93, 60.0)
REL = 3  # MAV_FRAME_GLOBAL_RELATIVE_ALT


def wp(lat, lon, alt=100.0):
    return MissionItem(16, REL, (0, 0, 0, 0), lat, lon, alt)


def manager(items) -> MissionManager:
    return MissionManager(
        Mission(home=HOME, items=tuple(items)), MissionSettings(), tg.new_target()
    )


def target_b(m: MissionManager) -> tuple[float, float, float]:
    t = m.tgt
    lat, lon, h = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
    return round(math.degrees(lat), 4), round(math.degrees(lon), 4), round(h, 1)


HERE = Position(47.63, -52.93, 160.0)


def test_takeoff_then_waypoints_with_relative_altitudes():
    m = manager(
        [MissionItem(22, REL, (10, 0, 0, 0), 0, 0, 80.0), wp(47.64, -52.93), wp(47.65, -52.92, 150)]
    )
    m.start(0.0, Position(47.63, -52.93, 62.0))
    assert m.tgt[tg.KIND] == tg.TK_TAKEOFF and m.tgt[tg.ALT_B] == pytest.approx(140.0)
    m.on_target_done(30.0, HERE)
    assert m.seq == 2 and m.tgt[tg.KIND] == tg.TK_LEG
    assert target_b(m) == (47.64, -52.93, 160.0)
    assert m.tgt[tg.ALT_A] == pytest.approx(140.0)  # the leg starts at the take-off altitude
    m.on_target_done(60.0, HERE)
    assert target_b(m) == (47.65, -52.92, 210.0)
    m.on_target_done(90.0, HERE)
    assert m.finished and m.tgt[tg.KIND] == tg.TK_LOITER
    assert m.items_reached == [1, 2, 3]


def test_do_jump_repeats_then_continues():
    jump = MissionItem(177, 2, (1, 2, 0, 0))  # jump to item 1, twice
    m = manager([wp(47.64, -52.93), wp(47.65, -52.93), jump, wp(47.66, -52.93)])
    m.start(0.0, HERE)  # no NAV_TAKEOFF: one is inserted
    assert any(e.kind == "takeoff_inserted" for e in m.events)
    order = []
    for k in range(8):
        m.on_target_done(float(k), HERE)
        order.append(m.seq)
        if m.finished:
            break
    assert order == [1, 2, 1, 2, 1, 2, 4, 4]


def test_change_speed_and_camera_distance_reach_the_target():
    items = [MissionItem(178, 2, (0, 19.5, -1, 0)), MissionItem(206, 2, (35, 0, 0, 0)),
             wp(47.64, -52.93)]  # fmt: skip
    m = manager(items)
    m.start(0.0, HERE)
    m.on_target_done(1.0, HERE)
    assert m.tgt[tg.SPEED] == 19.5 and m.tgt[tg.CAM_DIST] == 35.0


def test_rtl_autolands_through_do_land_start():
    items = [wp(47.64, -52.93), MissionItem(189, 2, (0, 0, 0, 0)), wp(47.635, -52.935, 40),
             MissionItem(21, REL, (0, 0, 0, 0), 47.631, -52.931, 0.0)]  # fmt: skip
    m = manager(items)
    m.start(0.0, HERE)
    m.on_target_done(1.0, HERE)
    m.set_mode(5.0, int(Mode.RTL), HERE)
    assert m.mode == Mode.AUTO and m.seq == 3  # DO_LAND_START (2) runs, then flies item 3
    m.on_target_done(9.0, HERE)
    assert m.tgt[tg.KIND] == tg.TK_LAND and m.tgt[tg.GROUND_ALT] == pytest.approx(60.0)
    assert 0.0 < m.tgt[tg.FLARE_DIST] < 0.5 * m.tgt[tg.LEG_LEN] + 1e-9


def test_rtl_without_landing_sequence_returns_and_loiters_at_rtl_altitude():
    m = manager([wp(47.7, -52.93)])
    m.start(0.0, HERE)
    m.on_target_done(1.0, HERE)
    m.set_mode(2.0, int(Mode.RTL), Position(47.7, -52.93, 160.0))
    assert m.tgt[tg.KIND] == tg.TK_LEG and target_b(m) == (47.63, -52.93, 210.0)
    m.on_target_done(300.0, Position(47.63, -52.93, 210.0))
    assert m.tgt[tg.KIND] == tg.TK_LOITER and m.tgt[tg.EXIT] == tg.EXIT_NONE


def test_guided_goto_then_loiter_and_pilot_modes():
    m = manager([wp(47.7, -52.93)])
    m.start(0.0, HERE)
    m.guided_goto(1.0, HERE, Position(47.64, -52.90, 200.0), radius_m=-300.0)
    assert m.mode == Mode.GUIDED and target_b(m) == (47.64, -52.9, 200.0)
    m.on_target_done(100.0, HERE)
    assert m.tgt[tg.KIND] == tg.TK_LOITER and target_b(m) == (47.64, -52.9, 200.0)
    assert (m.tgt[tg.RADIUS], m.tgt[tg.DIR]) == (300.0, -1.0)  # DO_REPOSITION's radius, CCW
    for mode in (0, 2, 3, 4, 5, 6):  # MANUAL, STABILIZE, TRAINING, ACRO, FBWA, FBWB
        m.set_mode(2.0, mode, HERE)
        assert m.mode == mode and m.tgt[tg.KIND] == tg.TK_PILOT
    with pytest.raises(ValueError, match="unknown flight mode 99"):
        m.set_mode(2.0, 99, HERE)


def test_loiter_items_set_exit_conditions():
    items = [MissionItem(18, REL, (2.5, 0, -150, 0), 47.64, -52.93, 100),
             MissionItem(19, REL, (30, 0, 0, 0), 47.64, -52.93, 100),
             MissionItem(31, REL, (0, 0, 0, 0), 47.64, -52.93, 300)]  # fmt: skip
    m = manager(items)
    m.start(0.0, HERE)
    m.on_target_done(1.0, HERE)
    t = m.tgt
    assert (t[tg.EXIT], t[tg.EXIT_VALUE], t[tg.RADIUS], t[tg.DIR]) == (
        tg.EXIT_TURNS,
        2.5,
        150.0,
        -1.0,
    )
    m.on_target_done(2.0, HERE)
    assert (t[tg.EXIT], t[tg.EXIT_VALUE], t[tg.RADIUS]) == (tg.EXIT_TIME, 30.0, 120.0)
    m.on_target_done(3.0, HERE)
    assert t[tg.EXIT] == tg.EXIT_ALT and t[tg.ALT_B] == pytest.approx(360.0)
