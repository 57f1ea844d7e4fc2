"""The MAVLink mission protocol, vehicle side (longwing.mavlink.mission_protocol).

The tests play the ground station: they build client messages with a second pymavlink
``MAVLink`` and, where it matters, send them through ``pack()`` / ``parse_buffer`` both ways
so the bytes are proven to be valid MAVLink 2.
"""

from __future__ import annotations

import math
import struct
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mavlink.mission_codec import (
    fence_from_mavlink_items,
    fence_to_mavlink_items,
    rally_from_mavlink_items,
    rally_to_mavlink_items,
)
from longwing.mavlink.mission_protocol import MissionProtocol
from longwing.mavlink.wire import (
    FENCE_CIRCLE_EXCLUSION,
    FENCE_CIRCLE_INCLUSION,
    FENCE_POLYGON_VERTEX_EXCLUSION,
    FENCE_POLYGON_VERTEX_INCLUSION,
    FENCE_RETURN_POINT,
    RALLY_POINT,
)
from longwing.mission import (
    BreachReturnPoint,
    Fence,
    FenceCircle,
    FencePolygon,
    Home,
    MavCmd,
    MavFrame,
    MavlinkItem,
    Mission,
    MissionError,
    MissionItem,
    RallyPoint,
    load_plan,
    save_plan,
)

M = mavlink2
VEHICLE = (1, 1)
GCS = (255, 190)
OTHER = (254, 191)
MISSION, FENCE, RALLY, ALL = 0, 1, 2, 255
GLOBAL_FRAMES = {0, 3, 5, 6, 10, 11}

HOME = Home(47.6312345, -52.9354321, 61.5)
WP = MissionItem.waypoint


def base_mission() -> Mission:
    """A mission using many commands, frames and odd values (NaN yaw, autocontinue 0)."""
    items = (
        MissionItem.takeoff(47.6312345, -52.9354321, 80.0, pitch_deg=12.5, yaw_deg=math.nan),
        WP(47.6401234, -52.9200001, 120.0, hold_s=2.0, acceptance_radius_m=30.0),
        MissionItem(
            MavCmd.NAV_WAYPOINT,
            MavFrame.GLOBAL_RELATIVE_ALT_INT,
            (0.0, 0.0, -25.0, math.nan),
            47.65,
            -52.91,
            130.25,
            False,
        ),
        MissionItem.change_speed(24.5, throttle_pct=-1.0),
        MissionItem.loiter_turns(47.66, -52.90, 140.0, turns=3.0, radius_m=-150.0),
        MissionItem.cam_trigger_distance(35.0, shutter_ms=-1.0),
        WP(47.67, -52.89, 90.0, frame=MavFrame.GLOBAL_TERRAIN_ALT),
        WP(47.68, -52.88, 700.0, frame=MavFrame.GLOBAL),
        MissionItem.jump(2, repeat=3),
        MissionItem.land_start(),
        MissionItem.loiter_to_alt(47.64, -52.93, 60.0, radius_m=120.0),
        MissionItem.land(47.6312345, -52.9354321, 0.0, abort_alt_m=40.0),
    )
    return Mission(home=HOME, items=items)


def base_fence() -> Fence:
    return Fence(
        polygons=(
            FencePolygon(((47.60, -52.97), (47.60, -52.85), (47.70, -52.85), (47.70, -52.97))),
            FencePolygon(((47.655, -52.92), (47.655, -52.91), (47.66, -52.915)), inclusion=False),
        ),
        circles=(
            FenceCircle(47.63, -52.93, 25_000.0),
            FenceCircle(47.62, -52.95, 300.0, inclusion=False),
        ),
        max_alt_above_home_m=400.0,
        min_alt_above_home_m=20.0,
        breach_return=BreachReturnPoint(47.635, -52.935, 150.0),
    )


def base_rally() -> tuple[RallyPoint, ...]:
    return (
        RallyPoint(47.64, -52.94, 100.0),
        RallyPoint(47.62, -52.92, 300.0, MavFrame.GLOBAL),
    )


# --- the ground station ------------------------------------------------------------------


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_bits(x: float) -> bytes:
    return struct.pack("<f", x)


def to_int(v: float, frame: int) -> int:
    return int(round(v * 1e7)) if frame in GLOBAL_FRAMES else int(round(v))


@dataclass
class Recorder:
    changes: list[tuple[int, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    set_current: list[int] = field(default_factory=list)
    guided: list[MavlinkItem] = field(default_factory=list)

    def on_change(self, mission_type: int, obj: Any) -> None:
        self.changes.append((mission_type, obj))


def make(**kw: Any) -> tuple[MissionProtocol, Recorder]:
    rec = Recorder()
    mav = M.MAVLink(None, srcSystem=VEHICLE[0], srcComponent=VEHICLE[1])
    kw.setdefault("on_error", rec.errors.append)
    proto = MissionProtocol(mav, rec.on_change, target=VEHICLE, **kw)
    return proto, rec


class Client:
    """A ground station: builds messages, optionally sends everything through the wire."""

    def __init__(self, src: tuple[int, int] = GCS, wire: bool = False) -> None:
        self.src = src
        self.mav = M.MAVLink(None, srcSystem=src[0], srcComponent=src[1])
        self.wire = wire
        self._vehicle_parser = M.MAVLink(None, srcSystem=VEHICLE[0], srcComponent=VEHICLE[1])
        self._gcs_parser = M.MAVLink(None, srcSystem=src[0], srcComponent=src[1])
        self._server_packer = M.MAVLink(None, srcSystem=VEHICLE[0], srcComponent=VEHICLE[1])

    def send(self, proto: MissionProtocol, msg: Any, now: float = 0.0) -> list[Any]:
        if not self.wire:
            return proto.handle(msg, now, self.src)
        data = msg.pack(self.mav)
        assert data[0] == 0xFD  # MAVLink 2 magic
        (parsed,) = self._vehicle_parser.parse_buffer(data)
        assert (parsed.get_srcSystem(), parsed.get_srcComponent()) == self.src
        out = []
        for reply in proto.handle(parsed, now):  # sender taken from the header
            raw = reply.pack(self._server_packer)
            assert raw[0] == 0xFD
            (back,) = self._gcs_parser.parse_buffer(raw)
            assert back.get_type() == reply.get_type()
            out.append(back)
        return out

    # message builders (target: the vehicle)
    def count(self, n: int, t: int = MISSION) -> Any:
        return self.mav.mission_count_encode(*VEHICLE, n, t)

    def request_list(self, t: int = MISSION) -> Any:
        return self.mav.mission_request_list_encode(*VEHICLE, t)

    def request_int(self, seq: int, t: int = MISSION) -> Any:
        return self.mav.mission_request_int_encode(*VEHICLE, seq, t)

    def item_int(self, mi: MavlinkItem, t: int | None = None, seq: int | None = None) -> Any:
        return self.mav.mission_item_int_encode(
            *VEHICLE,
            mi.seq if seq is None else seq,
            mi.frame,
            mi.command,
            mi.current,
            mi.autocontinue,
            mi.param1,
            mi.param2,
            mi.param3,
            mi.param4,
            to_int(mi.x, mi.frame),
            to_int(mi.y, mi.frame),
            mi.z,
            mi.mission_type if t is None else t,
        )

    def item_float(self, mi: MavlinkItem) -> Any:
        return self.mav.mission_item_encode(
            *VEHICLE,
            mi.seq,
            mi.frame,
            mi.command,
            mi.current,
            mi.autocontinue,
            mi.param1,
            mi.param2,
            mi.param3,
            mi.param4,
            mi.x,
            mi.y,
            mi.z,
            mi.mission_type,
        )

    def ack(self, code: int, t: int = MISSION) -> Any:
        return self.mav.mission_ack_encode(*VEHICLE, code, t)

    def clear(self, t: int = MISSION) -> Any:
        return self.mav.mission_clear_all_encode(*VEHICLE, t)

    # whole transfers
    def upload(
        self,
        proto: MissionProtocol,
        items: tuple[MavlinkItem, ...],
        t: int = MISSION,
        now: float = 0.0,
        legacy: bool = False,
    ) -> tuple[Any, list[Any]]:
        """Answer the vehicle's requests until it acknowledges; returns (ack, items sent)."""
        sent = []
        out = self.send(proto, self.count(len(items), t), now)
        for _ in range(len(items) + 1):
            (reply,) = out
            if reply.get_type() == "MISSION_ACK":
                assert (reply.target_system, reply.target_component) == self.src
                assert reply.mission_type == t
                return reply, sent
            assert reply.get_type() == "MISSION_REQUEST_INT"
            assert (reply.target_system, reply.target_component) == self.src
            assert reply.mission_type == t
            mi = items[reply.seq]
            msg = self.item_float(mi) if legacy else self.item_int(mi, t)
            sent.append(msg)
            out = self.send(proto, msg, now)
        raise AssertionError("upload did not end")

    def download(self, proto: MissionProtocol, t: int = MISSION, legacy: bool = False) -> list:
        (count,) = self.send(proto, self.request_list(t))
        assert count.get_type() == "MISSION_COUNT" and count.mission_type == t
        got = []
        for seq in range(count.count):
            req = (
                self.mav.mission_request_encode(*VEHICLE, seq, t)
                if legacy
                else self.request_int(seq, t)
            )
            (item,) = self.send(proto, req)
            assert item.get_type() == ("MISSION_ITEM" if legacy else "MISSION_ITEM_INT")
            assert item.seq == seq and item.mission_type == t
            assert (item.target_system, item.target_component) == self.src
            got.append(item)
        assert self.send(proto, self.ack(M.MAV_MISSION_ACCEPTED, t)) == []
        return got


def wire_fields(msg: Any) -> tuple:
    """What must survive a round trip, floats compared bit for bit (NaN included)."""
    return (
        msg.seq,
        msg.command,
        msg.frame,
        msg.autocontinue,
        *(f32_bits(getattr(msg, f"param{i}")) for i in range(1, 5)),
        msg.x,
        msg.y,
        f32_bits(msg.z),
    )


def as_mavlink_items(msgs: list[Any], t: int) -> tuple[MavlinkItem, ...]:
    """Downloaded MISSION_ITEM_INT messages back as MavlinkItems."""
    return tuple(
        MavlinkItem(
            m.seq,
            m.frame,
            m.command,
            0,
            m.autocontinue,
            m.param1,
            m.param2,
            m.param3,
            m.param4,
            m.x / 1e7 if m.frame in GLOBAL_FRAMES else float(m.x),
            m.y / 1e7 if m.frame in GLOBAL_FRAMES else float(m.y),
            m.z,
            t,
        )
        for m in msgs
    )


def only(out: list[Any], kind: str) -> Any:
    assert len(out) == 1, [o.get_type() for o in out]
    assert out[0].get_type() == kind, out[0]
    return out[0]


def ack_code(out: list[Any]) -> int:
    return only(out, "MISSION_ACK").type


# --- upload / download ---------------------------------------------------------------------


def test_mission_upload_then_download_is_bit_identical_over_the_wire() -> None:
    proto, rec = make()
    gcs = Client(wire=True)
    items = base_mission().to_mavlink_items()
    ack, sent = gcs.upload(proto, items)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    assert [t for t, _ in rec.changes] == [MISSION]
    mission = rec.changes[0][1]
    assert isinstance(mission, Mission)
    assert mission.home == HOME
    assert mission.items == base_mission().items
    assert proto.mission == mission and proto.items(MISSION) == items
    assert rec.errors == []

    got = gcs.download(proto)
    assert len(got) == len(items) == len(sent)
    for up, down in zip(sent, got, strict=True):
        assert wire_fields(up) == wire_fields(down)
    # the autocontinue 0 and NaN yaw survived
    assert got[3].autocontinue == 0 and math.isnan(got[3].param4)
    # legacy download of the same list: MISSION_ITEM with float degrees
    legacy = gcs.download(proto, legacy=True)
    assert [m.command for m in legacy] == [m.command for m in got]
    assert legacy[2].x == pytest.approx(47.6401234, abs=1e-5)


def test_legacy_mission_item_upload_is_stored_as_deg_e7() -> None:
    proto, _ = make()
    gcs = Client(wire=True)
    items = base_mission().to_mavlink_items()
    ack, _ = gcs.upload(proto, items, legacy=True)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    got = gcs.download(proto)
    for mi, down in zip(items, got, strict=True):
        if mi.frame in GLOBAL_FRAMES:
            # float32 on the wire, then degE7: within float32 resolution of the original
            assert abs(down.x - mi.x * 1e7) <= 64 and abs(down.y - mi.y * 1e7) <= 64
        assert down.command == mi.command and down.frame == mi.frame
    stored = proto.items(MISSION)
    assert all(to_int(m.x, m.frame) / 1e7 == m.x for m in stored if m.frame in GLOBAL_FRAMES)


def test_fence_upload_and_download() -> None:
    proto, rec = make()
    proto.load(Mission(home=HOME, fence=Fence(max_alt_above_home_m=400.0)))
    gcs = Client(wire=True)
    items = fence_to_mavlink_items(base_fence())
    assert [m.command for m in items] == [5001] * 4 + [5002] * 3 + [5003, 5004, 5000]
    assert [m.param1 for m in items[:7]] == [4.0] * 4 + [3.0] * 3
    ack, sent = gcs.upload(proto, items, FENCE)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    ((t, fence),) = rec.changes
    assert t == FENCE and isinstance(fence, Fence)
    assert fence.polygons == base_fence().polygons
    assert fence.circles == base_fence().circles
    assert fence.breach_return == base_fence().breach_return
    # altitude limits are parameters in ArduPilot, not fence items: carried over
    assert fence.max_alt_above_home_m == 400.0 and fence.min_alt_above_home_m is None
    assert proto.fence == fence and proto.mission.fence == fence
    got = gcs.download(proto, FENCE)
    assert [wire_fields(m) for m in got] == [wire_fields(m) for m in sent]
    assert fence_from_mavlink_items(
        as_mavlink_items(got, FENCE), max_alt_above_home_m=400.0
    ) == replace_fence_alt(fence)
    # the mission download still holds just home
    assert len(gcs.download(proto, MISSION)) == 1


def replace_fence_alt(fence: Fence) -> Fence:
    return Fence(fence.polygons, fence.circles, 400.0, None, fence.breach_return)


def test_fence_return_point_in_absolute_frame_is_converted_to_above_home() -> None:
    proto, rec = make(home=HOME)
    items = (
        MavlinkItem(0, 0, FENCE_RETURN_POINT, 0, 1, 0, 0, 0, 0, 47.6, -52.9, 261.5, FENCE),
        MavlinkItem(1, 5, FENCE_CIRCLE_INCLUSION, 0, 1, 5000.0, 0, 0, 0, 47.6, -52.9, 0, FENCE),
    )
    ack, _ = Client().upload(proto, items, FENCE)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    assert rec.changes[0][1].breach_return == BreachReturnPoint(47.6, -52.9, 200.0)


def test_rally_upload_and_download() -> None:
    proto, rec = make()
    gcs = Client(wire=True)
    items = rally_to_mavlink_items(base_rally())
    ack, sent = gcs.upload(proto, items, RALLY)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    ((t, rally),) = rec.changes
    assert t == RALLY and rally == base_rally()
    assert proto.rally == rally and proto.mission.rally == rally
    got = gcs.download(proto, RALLY)
    assert [wire_fields(m) for m in got] == [wire_fields(m) for m in sent]
    assert rally_from_mavlink_items(as_mavlink_items(got, RALLY)) == base_rally()
    assert all(m.command == RALLY_POINT for m in got)


def test_load_plan_file_then_download_all_three(tmp_path) -> None:
    full = Mission(
        home=HOME, items=base_mission().items, fence=base_fence(), rally=base_rally()[:1]
    )
    path = tmp_path / "survey.plan"
    save_plan(full, path)
    planned = load_plan(path)
    proto, rec = make()
    proto.load(planned)
    assert rec.changes == []
    proto.load(planned, notify=True)
    assert [t for t, _ in rec.changes] == [MISSION, FENCE, RALLY]
    gcs = Client(wire=True)
    mission_msgs = gcs.download(proto, MISSION)
    assert as_mavlink_items(mission_msgs, MISSION) == planned.to_mavlink_items()
    fence = fence_from_mavlink_items(
        as_mavlink_items(gcs.download(proto, FENCE), FENCE),
        home_alt_m=HOME.alt_m,
        max_alt_above_home_m=400.0,
        min_alt_above_home_m=20.0,
    )
    assert fence == planned.fence
    assert rally_from_mavlink_items(as_mavlink_items(gcs.download(proto, RALLY), RALLY)) == (
        planned.rally
    )
    # mission_current and item_reached helpers build valid messages
    cur = proto.mission_current_msg(3)
    assert (cur.seq, cur.total, cur.mission_state) == (3, 12, M.MISSION_STATE_NOT_STARTED)
    assert proto.mission_item_reached_msg(4).seq == 4
    packer = M.MAVLink(None, 1, 1)
    for msg in (cur, proto.mission_item_reached_msg(4)):
        assert msg.pack(packer)[0] == 0xFD


def test_count_zero_clears_and_keeps_home() -> None:
    proto, rec = make()
    proto.load(base_mission())
    ack, _ = Client().upload(proto, ())
    assert ack.type == M.MAV_MISSION_ACCEPTED
    assert rec.changes[-1][1] == Mission(home=HOME)
    assert len(proto.items(MISSION)) == 1 and proto.items(MISSION)[0].x == HOME.lat_deg


def test_on_change_refusal_keeps_previous() -> None:
    proto, rec = make()
    proto.load(base_mission())
    before = proto.items(MISSION)

    def refuse(t: int, obj: Any) -> None:
        raise MissionError("item 2 (NAV_WAYPOINT): altitude 5 m is below the minimum")

    proto._on_change = refuse
    ack, _ = Client().upload(
        proto, Mission(home=HOME, items=(WP(47.6, -52.9, 5.0),)).to_mavlink_items()
    )
    assert ack.type == M.MAV_MISSION_INVALID_PARAM7
    assert proto.items(MISSION) == before
    assert "below the minimum" in proto.last_error


# --- timeouts, retries, a half-way upload ----------------------------------------------------


def test_timeout_retries_then_cancel_keeps_previous_mission() -> None:
    proto, rec = make(timeout_s=1.5, retries=5)
    proto.load(base_mission())
    before = proto.items(MISSION)
    gcs = Client()
    new = Mission(home=HOME, items=(WP(47.7, -52.8, 100.0), WP(47.71, -52.8, 100.0)))
    items = new.to_mavlink_items()
    assert only(gcs.send(proto, gcs.count(3), 10.0), "MISSION_REQUEST_INT").seq == 0
    assert only(gcs.send(proto, gcs.item_int(items[0]), 10.2), "MISSION_REQUEST_INT").seq == 1
    assert proto.receiving(MISSION) and proto.receiving()
    # downloads are refused while receiving (ArduPilot)
    assert ack_code(gcs.send(proto, gcs.request_list(), 10.3)) == M.MAV_MISSION_DENIED
    assert ack_code(gcs.send(proto, gcs.request_int(0), 10.3)) == M.MAV_MISSION_DENIED
    # the GCS goes quiet: re-requests every timeout_s, then gives up
    assert proto.tick(11.0) == []
    assert proto.tick(11.69) == []
    now = 10.2
    for retry in range(5):
        now += 1.5
        req = only(proto.tick(now), "MISSION_REQUEST_INT")
        assert req.seq == 1 and (req.target_system, req.target_component) == GCS, retry
        assert proto.tick(now + 0.1) == []
    now += 1.5
    assert ack_code(proto.tick(now)) == M.MAV_MISSION_OPERATION_CANCELLED
    assert proto.tick(now + 10) == []
    assert not proto.receiving()
    assert proto.items(MISSION) == before and proto.mission == base_mission()
    assert rec.changes == [] and proto.last_error == "Mission upload timeout"
    # a late item now gets ERROR (no upload running), as in ArduPilot
    assert ack_code(gcs.send(proto, gcs.item_int(items[1]), now + 1)) == M.MAV_MISSION_ERROR
    assert gcs.download(proto) and proto.items(MISSION) == before


def test_lost_item_is_re_requested_and_upload_completes() -> None:
    proto, rec = make(timeout_s=1.0, retries=2)
    gcs = Client()
    items = base_mission().to_mavlink_items()
    out = gcs.send(proto, gcs.count(len(items)), 0.0)
    now = 0.0
    dropped = False
    while out[0].get_type() == "MISSION_REQUEST_INT":
        seq = out[0].seq
        if seq == 5 and not dropped:  # this item is lost on the link
            dropped = True
            now += 1.01
            out = proto.tick(now)
            assert only(out, "MISSION_REQUEST_INT").seq == 5
            continue
        now += 0.05
        out = gcs.send(proto, gcs.item_int(items[seq]), now)
    assert ack_code(out) == M.MAV_MISSION_ACCEPTED and dropped
    assert proto.items(MISSION) == items


def test_half_way_upload_abandoned_keeps_previous_for_all_types() -> None:
    for t, new_items in (
        (MISSION, base_mission().to_mavlink_items()),
        (FENCE, fence_to_mavlink_items(base_fence())),
        (RALLY, rally_to_mavlink_items(base_rally())),
    ):
        proto, rec = make(retries=0)
        proto.load(Mission(home=HOME, items=(WP(47.6, -52.9, 50.0),), fence=Fence(), rally=()))
        before = proto.items(t)
        gcs = Client()
        gcs.send(proto, gcs.count(len(new_items), t), 0.0)
        for mi in new_items[: len(new_items) // 2]:
            gcs.send(proto, gcs.item_int(mi, t), 0.1)
        assert ack_code(proto.tick(5.0)) == M.MAV_MISSION_OPERATION_CANCELLED
        assert proto.items(t) == before and rec.changes == []
        assert rec.errors[-1].endswith("upload timeout")


def test_client_cancel_ends_upload_at_once() -> None:
    proto, rec = make()
    proto.load(base_mission())
    gcs = Client()
    items = Mission(home=HOME, items=(WP(47.6, -52.9, 50.0),)).to_mavlink_items()
    gcs.send(proto, gcs.count(2), 0.0)
    gcs.send(proto, gcs.item_int(items[0]), 0.1)
    other = Client(OTHER)
    assert other.send(proto, other.ack(M.MAV_MISSION_OPERATION_CANCELLED), 0.2) == []
    assert proto.receiving(MISSION)  # only the uploader can cancel
    assert gcs.send(proto, gcs.ack(M.MAV_MISSION_OPERATION_CANCELLED), 0.2) == []
    assert not proto.receiving() and proto.tick(100.0) == []
    assert proto.mission == base_mission() and rec.changes == []


# --- refusals --------------------------------------------------------------------------------


def mission_with(bad: MavlinkItem) -> tuple[MavlinkItem, ...]:
    """home, a good waypoint, then ``bad`` at seq 2."""
    good = Mission(home=HOME, items=(WP(47.6, -52.9, 100.0),)).to_mavlink_items()
    return (*good, MavlinkItem(2, *_fields(bad)))


def _fields(mi: MavlinkItem) -> tuple:
    return (
        mi.frame,
        mi.command,
        0,
        mi.autocontinue,
        mi.param1,
        mi.param2,
        mi.param3,
        mi.param4,
        mi.x,
        mi.y,
        mi.z,
    )


def item(command: int, frame: int = 3, params=(0.0, 0.0, 0.0, 0.0), x=47.6, y=-52.9, z=100.0):
    return MavlinkItem(0, frame, command, 0, 1, *params, x, y, z)


MISSION_REFUSALS = [
    ("unknown command", item(84), M.MAV_MISSION_UNSUPPORTED, "unsupported command 84"),
    ("LOCAL_NED frame", item(16, frame=1), M.MAV_MISSION_UNSUPPORTED_FRAME, "unknown frame"),
    ("waypoint in MISSION frame", item(16, frame=2), M.MAV_MISSION_UNSUPPORTED_FRAME, "frame"),
    ("latitude 95", item(16, x=95.0), M.MAV_MISSION_INVALID_PARAM5_X, "latitude"),
    ("longitude 190", item(16, y=190.0), M.MAV_MISSION_INVALID_PARAM6_Y, "longitude"),
    ("altitude NaN", item(16, z=math.nan), M.MAV_MISSION_INVALID_PARAM7, "altitude"),
    ("hold -1", item(16, params=(-1.0, 0, 0, 0)), M.MAV_MISSION_INVALID_PARAM1, "hold_s"),
    ("hold NaN", item(16, params=(math.nan, 0, 0, 0)), M.MAV_MISSION_INVALID_PARAM1, "param1"),
    ("land mode 5", item(21, params=(0, 5.0, 0, 0)), M.MAV_MISSION_INVALID_PARAM2, "land_mode"),
    (
        "throttle 150 %",
        item(178, frame=2, params=(0, 20.0, 150.0, 0)),
        M.MAV_MISSION_INVALID_PARAM3,
        "throttle_pct",
    ),
    (
        "speed relative 2",
        item(178, frame=2, params=(0, 20.0, -1.0, 2.0)),
        M.MAV_MISSION_INVALID_PARAM4,
        "relative",
    ),
    (
        "jump to a missing item",
        item(177, frame=2, params=(99.0, 1.0, 0, 0)),
        M.MAV_MISSION_INVALID_PARAM1,
        "no such item",
    ),
]


@pytest.mark.parametrize(
    ("bad", "code", "text"),
    [case[1:] for case in MISSION_REFUSALS],
    ids=[case[0] for case in MISSION_REFUSALS],
)
def test_mission_refusal_codes_keep_previous(bad: MavlinkItem, code: int, text: str) -> None:
    proto, rec = make()
    proto.load(base_mission())
    before = proto.items(MISSION)
    ack, _ = Client().upload(proto, mission_with(bad))
    assert ack.type == code
    assert proto.items(MISSION) == before and rec.changes == []
    assert text in proto.last_error and rec.errors == [proto.last_error]
    assert not proto.receiving()


@pytest.mark.parametrize(
    ("home", "code"),
    [
        (
            MavlinkItem(0, 0, 16, 0, 1, 0, 0, 0, 0, 100.0, -52.9, 0.0),
            M.MAV_MISSION_INVALID_PARAM5_X,
        ),
        (MavlinkItem(0, 5, 16, 0, 1, 0, 0, 0, 0, 47.6, 181.0, 0.0), M.MAV_MISSION_INVALID_PARAM6_Y),
    ],
)
def test_home_refusals(home: MavlinkItem, code: int) -> None:
    proto, _ = make()
    items = (home, *Mission(home=HOME, items=(WP(47.6, -52.9, 9.0),)).to_mavlink_items()[1:])
    ack, _ = Client().upload(proto, items)
    assert ack.type == code and "home" in proto.last_error


def test_item_zero_not_in_an_absolute_frame_keeps_the_current_home() -> None:
    proto, rec = make(home=HOME)
    dummy = MavlinkItem(0, 3, 16, 1, 1, 0, 0, 0, 0, 0.0, 0.0, 0.0)  # a script's dummy home
    items = (dummy, *Mission(home=HOME, items=(WP(47.6, -52.9, 9.0),)).to_mavlink_items()[1:])
    ack, _ = Client().upload(proto, items)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    assert rec.changes[0][1].home == HOME and proto.mission.home == HOME
    stored = proto.items(MISSION)
    assert stored[1:] == items[1:] and stored[0] == MavlinkItem(0, 3, 16, 0, 1, *(0.0,) * 7)


def fence_items(*rows: tuple) -> tuple[MavlinkItem, ...]:
    """rows: (command, param1, lat, lon[, frame])."""
    out = []
    for seq, row in enumerate(rows):
        cmd, p1, lat, lon = row[:4]
        frame = row[4] if len(row) > 4 else 0
        out.append(MavlinkItem(seq, frame, cmd, 0, 1, p1, 0, 0, 0, lat, lon, 50.0, FENCE))
    return tuple(out)


V_IN, V_OUT = FENCE_POLYGON_VERTEX_INCLUSION, FENCE_POLYGON_VERTEX_EXCLUSION
C_IN, C_OUT = FENCE_CIRCLE_INCLUSION, FENCE_CIRCLE_EXCLUSION
SQUARE = ((47.60, -52.97), (47.60, -52.85), (47.70, -52.85), (47.70, -52.97))

FENCE_REFUSALS = [
    (
        "two-vertex polygon",
        fence_items((V_IN, 2, 47.6, -52.9), (V_IN, 2, 47.7, -52.9)),
        M.MAV_MISSION_INVALID_PARAM1,
    ),
    (
        "vertex count mismatch",
        fence_items(*((V_IN, 4.0, *v) for v in SQUARE[:3]), (V_IN, 5.0, *SQUARE[3])),
        M.MAV_MISSION_INVALID_PARAM1,
    ),
    (
        "polygon cut short",
        fence_items(*((V_IN, 5.0, *v) for v in SQUARE)),
        M.MAV_MISSION_INVALID_PARAM1,
    ),
    (
        "inclusion then exclusion vertices",
        fence_items(
            *((V_IN, 4.0, *v) for v in SQUARE[:2]), *((V_OUT, 4.0, *v) for v in SQUARE[2:])
        ),
        M.MAV_MISSION_INVALID_PARAM1,
    ),
    (
        "self-intersecting polygon",
        fence_items(*((V_IN, 4.0, *v) for v in (SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3]))),
        M.MAV_MISSION_ERROR,
    ),
    ("circle radius 0", fence_items((C_IN, 0.0, 47.6, -52.9)), M.MAV_MISSION_INVALID_PARAM1),
    (
        "circle radius NaN",
        fence_items((C_OUT, math.nan, 47.6, -52.9)),
        M.MAV_MISSION_INVALID_PARAM1,
    ),
    ("waypoint as a fence item", fence_items((16, 0.0, 47.6, -52.9)), M.MAV_MISSION_UNSUPPORTED),
    ("MISSION frame", fence_items((C_IN, 100.0, 47.6, -52.9, 2)), M.MAV_MISSION_UNSUPPORTED_FRAME),
    ("latitude -91", fence_items((C_IN, 100.0, -91.0, -52.9)), M.MAV_MISSION_INVALID_PARAM5_X),
    ("longitude 200", fence_items((C_IN, 100.0, 47.6, 200.0)), M.MAV_MISSION_INVALID_PARAM6_Y),
    (
        "two return points",
        fence_items(
            (FENCE_RETURN_POINT, 0, 47.6, -52.9, 3), (FENCE_RETURN_POINT, 0, 47.6, -52.9, 3)
        ),
        M.MAV_MISSION_ERROR,
    ),
    (
        "return point in terrain frame",
        fence_items((FENCE_RETURN_POINT, 0, 47.6, -52.9, 10)),
        M.MAV_MISSION_UNSUPPORTED_FRAME,
    ),
]


@pytest.mark.parametrize(
    ("items", "code"),
    [case[1:] for case in FENCE_REFUSALS],
    ids=[case[0] for case in FENCE_REFUSALS],
)
def test_fence_refusal_codes_keep_previous(items: tuple, code: int) -> None:
    proto, rec = make()
    proto.load(Mission(home=HOME, fence=base_fence()))
    before = proto.items(FENCE)
    ack, _ = Client().upload(proto, items, FENCE)
    assert ack.type == code
    assert proto.items(FENCE) == before and proto.fence == base_fence() and rec.changes == []
    assert proto.last_error


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (
            MavlinkItem(0, 3, 16, 0, 1, 0, 0, 0, 0, 47.6, -52.9, 9.0, RALLY),
            M.MAV_MISSION_UNSUPPORTED,
        ),
        (
            MavlinkItem(0, 2, RALLY_POINT, 0, 1, 0, 0, 0, 0, 47.6, -52.9, 9.0, RALLY),
            M.MAV_MISSION_UNSUPPORTED_FRAME,
        ),
        (
            MavlinkItem(0, 3, RALLY_POINT, 0, 1, 0, 0, 0, 0, 47.6, -252.9, 9.0, RALLY),
            M.MAV_MISSION_INVALID_PARAM6_Y,
        ),
        (
            MavlinkItem(0, 3, RALLY_POINT, 0, 1, 0, 0, 0, 0, 47.6, -52.9, math.inf, RALLY),
            M.MAV_MISSION_INVALID_PARAM7,
        ),
    ],
)
def test_rally_refusal_codes(bad: MavlinkItem, code: int) -> None:
    proto, rec = make()
    proto.load(Mission(home=HOME, rally=base_rally()))
    ack, _ = Client().upload(
        proto, (*rally_to_mavlink_items(base_rally()[:1]), replace_seq(bad, 1)), RALLY
    )
    assert ack.type == code and proto.rally == base_rally() and rec.changes == []


def replace_seq(mi: MavlinkItem, seq: int) -> MavlinkItem:
    return MavlinkItem(seq, *_fields(mi), mission_type=mi.mission_type)


def test_count_above_the_limit_is_no_space() -> None:
    proto, _ = make()
    gcs = Client()
    assert ack_code(gcs.send(proto, gcs.count(10_001))) == M.MAV_MISSION_NO_SPACE
    assert ack_code(gcs.send(proto, gcs.count(65535, FENCE))) == M.MAV_MISSION_NO_SPACE
    assert "10000" in proto.last_error and not proto.receiving()
    assert only(gcs.send(proto, gcs.count(10_000)), "MISSION_REQUEST_INT").seq == 0


def test_sequence_and_session_rules() -> None:
    proto, rec = make()
    gcs, other = Client(), Client(OTHER)
    items = base_mission().to_mavlink_items()
    # an item with no upload running
    assert ack_code(gcs.send(proto, gcs.item_int(items[0]))) == M.MAV_MISSION_ERROR
    gcs.send(proto, gcs.count(len(items)))
    gcs.send(proto, gcs.item_int(items[0]))
    # out of order: INVALID_SEQUENCE, the upload goes on
    assert ack_code(gcs.send(proto, gcs.item_int(items[2]))) == M.MAV_MISSION_INVALID_SEQUENCE
    assert ack_code(gcs.send(proto, gcs.item_int(items[0]))) == M.MAV_MISSION_INVALID_SEQUENCE
    assert proto.receiving(MISSION)
    # another system: its items and its MISSION_COUNT are denied
    assert ack_code(other.send(proto, other.item_int(items[1]))) == M.MAV_MISSION_DENIED
    assert ack_code(other.send(proto, other.count(3))) == M.MAV_MISSION_DENIED
    assert ack_code(other.send(proto, other.clear())) == M.MAV_MISSION_ERROR
    # ...but it may upload a fence meanwhile (one transfer per plan type, as ArduPilot)
    ack, _ = other.upload(proto, fence_to_mavlink_items(base_fence()), FENCE)
    assert ack.type == M.MAV_MISSION_ACCEPTED
    # the same client restarting restarts the upload
    assert only(gcs.send(proto, gcs.count(len(items))), "MISSION_REQUEST_INT").seq == 0
    out = gcs.send(proto, gcs.item_int(items[0]))
    for mi in items[1:]:
        assert only(out, "MISSION_REQUEST_INT").seq == mi.seq
        out = gcs.send(proto, gcs.item_int(mi))
    assert ack_code(out) == M.MAV_MISSION_ACCEPTED
    assert [t for t, _ in rec.changes] == [FENCE, MISSION]
    assert proto.mission.fence == rec.changes[0][1]  # the mission carries the new fence
    # a late duplicate of the last item: no upload running -> ERROR, mission unchanged
    assert ack_code(gcs.send(proto, gcs.item_int(items[-1]))) == M.MAV_MISSION_ERROR
    assert proto.items(MISSION) == items


def test_download_out_of_range_and_unknown_types() -> None:
    proto, _ = make()
    proto.load(Mission(home=HOME, items=(WP(47.6, -52.9, 50.0),), fence=base_fence()))
    gcs = Client()
    out = gcs.send(proto, gcs.request_int(2))
    assert [o.get_type() for o in out] == ["MISSION_COUNT", "MISSION_ACK"]
    assert out[0].count == 2 and out[1].type == M.MAV_MISSION_ERROR
    assert ack_code(gcs.send(proto, gcs.request_int(10, FENCE))) == M.MAV_MISSION_INVALID_SEQUENCE
    assert ack_code(gcs.send(proto, gcs.request_int(65535, RALLY))) == (
        M.MAV_MISSION_INVALID_SEQUENCE
    )
    # unknown plan types
    assert ack_code(gcs.send(proto, gcs.request_list(7))) == M.MAV_MISSION_UNSUPPORTED
    assert ack_code(gcs.send(proto, gcs.count(1, 3))) == M.MAV_MISSION_UNSUPPORTED
    assert ack_code(gcs.send(proto, gcs.clear(9))) == M.MAV_MISSION_UNSUPPORTED
    bad_type = MavlinkItem(0, 0, 16, 0, 1, 0, 0, 0, 0, 1.0, 1.0, 1.0)
    assert ack_code(gcs.send(proto, gcs.item_int(bad_type, t=4))) == M.MAV_MISSION_UNSUPPORTED
    assert gcs.send(proto, gcs.request_int(0, 5)) == []  # ArduPilot ignores these
    partial = gcs.mav.mission_write_partial_list_encode(*VEHICLE, 0, 1, 4)
    assert ack_code(gcs.send(proto, partial)) == M.MAV_MISSION_UNSUPPORTED


def test_addressing() -> None:
    proto, _ = make()
    mav = Client().mav
    assert proto.handle(mav.mission_request_list_encode(2, 1, 0), 0.0, GCS) == []
    assert proto.handle(mav.mission_request_list_encode(1, 50, 0), 0.0, GCS) == []
    assert only(proto.handle(mav.mission_request_list_encode(0, 0, 0), 0.0, GCS), "MISSION_COUNT")
    assert only(proto.handle(mav.mission_request_list_encode(1, 0, 0), 0.0, GCS), "MISSION_COUNT")
    # other message types are not ours
    assert proto.handle(mav.heartbeat_encode(6, 8, 0, 0, 0), 0.0, GCS) == []
    assert proto.handle(mav.mission_current_encode(3), 0.0, GCS) == []
    assert proto.handle(object(), 0.0, GCS) == []
    # the reply goes to whoever asked
    (count,) = proto.handle(mav.mission_request_list_encode(1, 1, 0), 0.0, (77, 5))
    assert (count.target_system, count.target_component) == (77, 5)


# --- clear all, set current, guided ------------------------------------------------------------


def test_clear_all() -> None:
    proto, rec = make()
    proto.load(
        Mission(home=HOME, items=base_mission().items, fence=base_fence(), rally=base_rally())
    )
    gcs = Client(wire=True)
    assert ack_code(gcs.send(proto, gcs.clear(MISSION))) == M.MAV_MISSION_ACCEPTED
    ((t, mission),) = rec.changes
    assert t == MISSION and mission.items == () and mission.home == HOME
    assert mission.fence == base_fence() and mission.rally == base_rally()
    assert len(gcs.download(proto)) == 1  # home stays
    assert len(proto.items(FENCE)) == 10 and len(proto.items(RALLY)) == 2

    assert ack_code(gcs.send(proto, gcs.clear(FENCE))) == M.MAV_MISSION_ACCEPTED
    cleared = rec.changes[-1][1]
    assert cleared.polygons == () and cleared.breach_return is None
    assert cleared.max_alt_above_home_m == 400.0  # a parameter, not a fence item

    proto.load(
        Mission(home=HOME, items=base_mission().items, fence=base_fence(), rally=base_rally())
    )
    rec.changes.clear()
    ack = only(gcs.send(proto, gcs.clear(ALL)), "MISSION_ACK")
    assert ack.type == M.MAV_MISSION_ACCEPTED and ack.mission_type == ALL
    assert [t for t, _ in rec.changes] == [MISSION, FENCE, RALLY]
    assert proto.rally == () and proto.fence.polygons == () and proto.mission.items == ()
    assert [len(proto.items(t)) for t in (MISSION, FENCE, RALLY)] == [1, 0, 0]
    # refused while an upload of that type runs
    gcs.send(proto, gcs.count(3, RALLY))
    assert ack_code(gcs.send(proto, gcs.clear(RALLY))) == M.MAV_MISSION_ERROR
    assert ack_code(gcs.send(proto, gcs.clear(ALL))) == M.MAV_MISSION_ERROR
    assert ack_code(gcs.send(proto, gcs.clear(MISSION))) == M.MAV_MISSION_ACCEPTED


def test_set_current() -> None:
    rec_seqs: list[int] = []
    allow = {"ok": True}

    def on_set_current(seq: int) -> bool:
        rec_seqs.append(seq)
        return allow["ok"]

    proto, _ = make(on_set_current=on_set_current)
    gcs = Client(wire=True)
    msg = gcs.mav.mission_set_current_encode(*VEHICLE, 4)
    assert gcs.send(proto, msg) == []  # no mission yet: refused silently (ArduPilot)
    proto.load(base_mission())
    cur = only(gcs.send(proto, msg), "MISSION_CURRENT")
    assert (cur.seq, cur.total) == (4, 12) and rec_seqs == [4] and proto.current_seq == 4
    # the current item is flagged in a download
    assert [m.current for m in gcs.download(proto)] == [int(s == 4) for s in range(13)]
    assert gcs.send(proto, gcs.mav.mission_set_current_encode(*VEHICLE, 13)) == []
    assert rec_seqs == [4]
    allow["ok"] = False
    assert gcs.send(proto, gcs.mav.mission_set_current_encode(*VEHICLE, 2)) == []
    assert proto.current_seq == 4
    allow["ok"] = True
    # MAV_CMD_DO_SET_MISSION_CURRENT goes through set_current()
    assert only(proto.set_current(7), "MISSION_CURRENT").seq == 7 and proto.current_seq == 7
    assert proto.set_current(-1) == [] and proto.set_current(99) == []
    proto.mission_state = M.MISSION_STATE_ACTIVE
    proto.mission_mode = 1
    cur = proto.mission_current_msg()
    assert (cur.seq, cur.mission_state, cur.mission_mode) == (7, M.MISSION_STATE_ACTIVE, 1)


def test_guided_items_are_not_uploads() -> None:
    guided: list[MavlinkItem] = []
    proto, rec = make(on_guided=lambda mi: guided.append(mi) or True)
    proto.load(base_mission())
    gcs = Client(wire=True)
    goto = MavlinkItem(0, 3, 16, 2, 1, 0, 0, 0, 0, 47.65, -52.95, 150.0)
    assert ack_code(gcs.send(proto, gcs.item_int(goto))) == M.MAV_MISSION_ACCEPTED
    assert len(guided) == 1 and guided[0].current == 2 and guided[0].x == 47.65
    bad = MavlinkItem(0, 3, 16, 2, 1, 0, 0, 0, 0, 97.0, -52.95, 150.0)
    assert ack_code(gcs.send(proto, gcs.item_int(bad))) == M.MAV_MISSION_INVALID_PARAM5_X
    assert len(guided) == 1 and proto.mission == base_mission() and rec.changes == []
    proto2, _ = make()
    assert ack_code(Client().send(proto2, gcs.item_int(goto))) == M.MAV_MISSION_UNSUPPORTED


def test_set_home_moves_item_zero() -> None:
    proto, _ = make()
    proto.load(base_mission())
    proto.set_home(Home(47.0, -52.0, 10.0))
    home = proto.items(MISSION)[0]
    assert (home.x, home.y, home.z, home.frame) == (47.0, -52.0, 10.0, 0)
    assert proto.mission.home == Home(47.0, -52.0, 10.0)
    assert proto.items(MISSION)[1:] == base_mission().to_mavlink_items()[1:]


# --- size and speed ----------------------------------------------------------------------------


def test_700_item_transfer_time() -> None:
    lat0, lon0 = 47.6, -52.9
    wps = tuple(
        WP(round(lat0 + 0.001 * (k // 20), 7), round(lon0 + 0.0013 * (k % 20), 7), 120.0)
        for k in range(699)
    )
    items = Mission(home=HOME, items=wps).to_mavlink_items()
    assert len(items) == 700
    proto, rec = make()
    gcs = Client()
    spent = 0.0

    def timed(msg: Any) -> list[Any]:
        nonlocal spent
        t0 = time.perf_counter()
        out = proto.handle(msg, 0.0, GCS)
        spent += time.perf_counter() - t0
        return out

    out = timed(gcs.count(len(items)))
    while out[0].get_type() == "MISSION_REQUEST_INT":
        out = timed(gcs.item_int(items[out[0].seq]))
    assert ack_code(out) == M.MAV_MISSION_ACCEPTED
    upload_s = spent
    spent = 0.0
    (count,) = timed(gcs.request_list())
    got = [only(timed(gcs.request_int(seq)), "MISSION_ITEM_INT") for seq in range(count.count)]
    download_s = spent
    assert as_mavlink_items(got, MISSION) == items
    assert len(rec.changes[0][1].items) == 699
    print(f"\n700-item mission, handle() only: upload {upload_s * 1e3:.1f} ms, "
          f"download {download_s * 1e3:.1f} ms")  # fmt: skip
    assert upload_s < 2.0 and download_s < 2.0


# --- fuzz ------------------------------------------------------------------------------------


def test_fuzz_random_messages_never_raise_and_keep_the_accepted_plans() -> None:
    rng = np.random.default_rng(20240607)
    proto, rec = make(timeout_s=0.5, retries=1, max_items=64)
    full = Mission(home=HOME, items=base_mission().items, fence=base_fence(), rally=base_rally())
    proto.load(full)
    gcs = M.MAVLink(None, srcSystem=255, srcComponent=190)
    packer = M.MAVLink(None, srcSystem=1, srcComponent=1)
    vehicle_parser = M.MAVLink(None, srcSystem=1, srcComponent=1)
    sources = [GCS, GCS, GCS, OTHER, (1, 1), (0, 0)]
    last_request: dict[int, tuple[tuple[int, int], int]] = {}

    def pick(values: list) -> Any:
        return values[int(rng.integers(len(values)))]

    def u8() -> int:
        return int(pick([0, 1, 2, 3, 255, int(rng.integers(256))]))

    def u16() -> int:
        return int(pick([0, 1, 2, 3, 64, 65, 65535, int(rng.integers(65536))]))

    def i16() -> int:
        return int(pick([0, 1, -1, 32767, -32768, int(rng.integers(-32768, 32768))]))

    def i32() -> int:
        return int(
            pick(
                [
                    0,
                    1,
                    -1,
                    2**31 - 1,
                    -(2**31),
                    int(rng.integers(-(2**31), 2**31)),
                    int(rng.integers(-900_000_000, 900_000_001)),
                    int(rng.integers(476_000_000, 476_600_000)),
                ]
            )
        )

    def flt() -> float:
        return float(
            pick(
                [
                    0.0,
                    1.0,
                    -1.0,
                    3.0,
                    math.nan,
                    math.inf,
                    -math.inf,
                    3.0e38,
                    -3.0e38,
                    f32(float(rng.normal(0.0, 100.0))),
                    f32(float(rng.uniform(-200.0, 200.0))),
                ]
            )
        )

    def target() -> tuple[int, int]:
        return pick([(1, 1), (1, 1), (1, 1), (0, 0), (1, 0), (2, 1), (1, 7)])

    def mtype() -> int:
        return int(pick([0, 0, 1, 1, 2, 2, 3, 255, u8()]))

    def command() -> int:
        return int(
            pick(
                [
                    16,
                    17,
                    18,
                    19,
                    20,
                    21,
                    22,
                    31,
                    177,
                    178,
                    179,
                    189,
                    206,
                    5000,
                    5001,
                    5002,
                    5003,
                    5004,
                    5100,
                    u16(),
                ]
            )  # fmt: skip
        )

    # valid plans to answer with, so that some random uploads complete
    valid = {
        MISSION: Mission(home=HOME, items=base_mission().items[:3]).to_mavlink_items(),
        FENCE: fence_to_mavlink_items(base_fence())[7:],
        RALLY: rally_to_mavlink_items(base_rally()),
    }

    def mission_item(legacy: bool, src: tuple[int, int]) -> tuple[Any, tuple[int, int]]:
        t = mtype()
        seq = u16()
        if rng.random() < 0.6 and last_request:  # answer what the vehicle asked for
            t = pick(list(last_request))
            src, seq = last_request[t]
            if rng.random() < 0.8 and t in valid:
                mi = valid[t][seq % len(valid[t])]
                mi = MavlinkItem(seq, *_fields(mi), mission_type=t)
                client = Client(src)
                return (client.item_float(mi) if legacy else client.item_int(mi)), src
        frame = int(pick([0, 2, 3, 5, 6, 10, 11, u8()]))
        args = [*target(), seq, frame, command(), int(pick([0, 0, 1, 2, 3, u8()])), u8()]
        args += [flt(), flt(), flt(), flt()]
        if legacy:
            args += [flt(), flt(), flt(), t]
            return gcs.mission_item_encode(*args), src
        args += [i32(), i32(), flt(), t]
        return gcs.mission_item_int_encode(*args), src

    def count_msg() -> Any:
        t = mtype()
        n = len(valid[t]) if t in valid and rng.random() < 0.5 else u16()
        return gcs.mission_count_encode(*target(), n, t)

    builders = [
        lambda s: (gcs.mission_request_list_encode(*target(), mtype()), s),
        lambda s: (count_msg(), s),
        lambda s: (gcs.mission_request_int_encode(*target(), u16(), mtype()), s),
        lambda s: (gcs.mission_request_encode(*target(), u16(), mtype()), s),
        lambda s: mission_item(False, s),
        lambda s: mission_item(False, s),
        lambda s: mission_item(True, s),
        lambda s: (gcs.mission_ack_encode(*target(), u8(), mtype()), s),
        lambda s: (gcs.mission_clear_all_encode(*target(), mtype()), s),
        lambda s: (gcs.mission_set_current_encode(*target(), u16()), s),
        lambda s: (gcs.mission_write_partial_list_encode(*target(), i16(), i16(), mtype()), s),
    ]
    # a clear is rare, so that uploads have a chance to complete between clears
    weights = np.array([1, 2, 2, 1, 6, 6, 2, 1, 0.05, 1, 0.5])
    weights = weights / weights.sum()
    now = 0.0
    n_out = 0
    for k in range(20_000):
        msg, src = builders[int(rng.choice(len(builders), p=weights))](pick(sources))
        if k % 10 == 0:  # through the wire now and then: parsed messages, header as sender
            gcs.srcSystem, gcs.srcComponent = src
            (msg,) = vehicle_parser.parse_buffer(msg.pack(gcs))
            out = proto.handle(msg, now)
        else:
            out = proto.handle(msg, now, src)
        now += float(rng.exponential(0.05))
        if k % 7 == 0:
            out = out + proto.tick(now)
        for o in out:
            assert o.pack(packer)[0] == 0xFD  # every answer is a valid MAVLink 2 frame
            if o.get_type() == "MISSION_REQUEST_INT":
                last_request[o.mission_type] = ((o.target_system, o.target_component), o.seq)
        n_out += len(out)
    assert n_out > 10_000

    # let any upload still running time out, then check every plan is the last accepted one
    proto.tick(now + 100.0)
    proto.tick(now + 200.0)
    assert not proto.receiving()
    expected: dict[int, Any] = {MISSION: full, FENCE: full.fence, RALLY: full.rally}
    for t, obj in rec.changes:
        expected[t] = obj
        assert isinstance(obj, (Mission, Fence, tuple))
    assert proto.mission.items == expected[MISSION].items
    assert proto.mission.home == expected[MISSION].home
    assert proto.fence == expected[FENCE] and proto.rally == tuple(expected[RALLY])
    assert proto.mission.fence == proto.fence and proto.mission.rally == proto.rally
    # and a clean download gives exactly the stored lists, which rebuild the same objects
    client = Client(wire=True)
    for t in (MISSION, FENCE, RALLY):
        got = as_mavlink_items(client.download(proto, t), t)
        stored = proto.items(t)
        assert [wire_fields_item(m) for m in got] == [wire_fields_item(m) for m in stored]
    rebuilt = Mission.from_mavlink_items(proto.items(MISSION), fence=proto.fence, rally=proto.rally)
    assert rebuilt.items == proto.mission.items
    sizes = [len(o.items) if t == MISSION else len(o.polygons) + len(o.circles) if t == FENCE
             else len(o) for t, o in rec.changes]  # fmt: skip
    by_type = {t: sum(1 for k, _ in rec.changes if k == t) for t in (MISSION, FENCE, RALLY)}
    non_empty = sum(n > 0 for n in sizes)
    print(f"\nfuzz: {len(rec.changes)} plan changes accepted {by_type}, {non_empty} "
          f"non-empty; {len(rec.errors)} refusals/timeouts")  # fmt: skip
    assert non_empty > 20  # the fuzz does reach complete uploads


def wire_fields_item(mi: MavlinkItem) -> tuple:
    return (
        mi.seq,
        mi.command,
        mi.frame,
        mi.autocontinue,
        *(f32_bits(v) for v in (mi.param1, mi.param2, mi.param3, mi.param4)),
        to_int(mi.x, mi.frame) if math.isfinite(mi.x) else 0,
        to_int(mi.y, mi.frame) if math.isfinite(mi.y) else 0,
        f32_bits(mi.z),
    )


def test_fence_and_rally_item_helpers_round_trip() -> None:
    fence = base_fence()
    items = fence_to_mavlink_items(fence)
    assert (
        fence_from_mavlink_items(
            items, home_alt_m=0.0, max_alt_above_home_m=400.0, min_alt_above_home_m=20.0
        )
        == fence
    )
    assert items[0].command == FENCE_POLYGON_VERTEX_INCLUSION
    assert items[4].command == FENCE_POLYGON_VERTEX_EXCLUSION
    assert items[8].command == FENCE_CIRCLE_EXCLUSION
    assert rally_from_mavlink_items(rally_to_mavlink_items(base_rally())) == base_rally()
    with pytest.raises(MissionError) as err:
        fence_from_mavlink_items(items[:3])
    assert err.value.item_seq == 0


# --- MISSION_WRITE_PARTIAL_LIST ----------------------------------------------------------


def partial_upload(
    gcs: Client,
    proto: MissionProtocol,
    start: int,
    end: int,
    items: dict[int, MavlinkItem],
    t: int = MISSION,
    now: float = 0.0,
) -> list:
    """The GCS side of a partial write: answer each request with ``items[seq]``; returns the
    requested seqs and the final reply."""
    out = gcs.send(proto, gcs.mav.mission_write_partial_list_encode(*VEHICLE, start, end, t), now)
    asked = []
    for _ in range(end - start + 2):
        (reply,) = out
        if reply.get_type() == "MISSION_ACK":
            return [*asked, reply]
        assert reply.get_type() == "MISSION_REQUEST_INT" and reply.mission_type == t
        assert (reply.target_system, reply.target_component) == gcs.src
        asked.append(reply.seq)
        out = gcs.send(proto, gcs.item_int(items[reply.seq], t), now)
    raise AssertionError("partial write did not end")


def test_partial_write_replaces_items_over_the_wire() -> None:
    proto, rec = make()
    gcs = Client(wire=True)
    base = base_mission()
    assert gcs.upload(proto, base.to_mavlink_items())[0].type == M.MAV_MISSION_ACCEPTED
    new3 = WP(47.6455555, -52.9055555, 150.0)
    new4 = MissionItem.change_speed(19.0)
    changed = base.with_items((*base.items[:2], new3, new4, *base.items[4:]))
    want = changed.to_mavlink_items()
    *asked, ack = partial_upload(gcs, proto, 3, 4, {3: want[3], 4: want[4]})
    assert asked == [3, 4] and ack.type == M.MAV_MISSION_ACCEPTED
    assert proto.mission.items == changed.items and rec.changes[-1] == (MISSION, proto.mission)
    got = gcs.download(proto)
    assert as_mavlink_items(got, MISSION)[1:] == tuple(replace(mi, current=0) for mi in want[1:])


def test_partial_write_at_the_end_appends() -> None:
    proto, _ = make()
    gcs = Client()
    proto.load(Mission(home=HOME, items=(WP(47.6, -52.9, 50.0),)))
    extra = Mission(home=HOME, items=(WP(47.6, -52.9, 50.0), WP(47.61, -52.9, 60.0)))
    want = extra.to_mavlink_items()
    *asked, ack = partial_upload(gcs, proto, 2, 2, {2: want[2]})
    assert asked == [2] and ack.type == M.MAV_MISSION_ACCEPTED
    assert proto.mission.items == extra.items and len(proto.items(MISSION)) == 3


@pytest.mark.parametrize(("start", "end"), [(5, 4), (3, 14), (14, 14), (-1, 2)])
def test_partial_write_outside_the_list_is_rejected(start: int, end: int) -> None:
    proto, rec = make()
    proto.load(base_mission())  # 13 items with home: 0..12, 13 would append
    before = proto.items(MISSION)
    gcs = Client()
    msg = gcs.mav.mission_write_partial_list_encode(*VEHICLE, start, end, MISSION)
    assert ack_code(gcs.send(proto, msg)) == M.MAV_MISSION_ERROR
    assert rec.errors == ["Flight plan update rejected"]  # ArduPilot's STATUSTEXT
    assert not proto.receiving() and proto.items(MISSION) == before


def test_partial_write_refusals_and_timeout_keep_the_plan() -> None:
    proto, rec = make(timeout_s=1.0, retries=1)
    proto.load(base_mission())
    before = proto.items(MISSION)
    gcs, other = Client(), Client(OTHER)
    # a bad item ends it with the item's code
    bad = replace(before[2], x=95.0)
    *_, ack = partial_upload(gcs, proto, 2, 3, {2: bad})
    assert ack.type == M.MAV_MISSION_INVALID_PARAM5_X
    # a DO_JUMP made to point past the end: refused as a whole upload would be
    jump = replace(before[9], param1=40.0)
    *_, ack = partial_upload(gcs, proto, 9, 9, {9: jump})
    assert ack.type == M.MAV_MISSION_INVALID_PARAM1
    assert rec.errors[-1] == (
        "Mission refused: item 9 (DO_JUMP): jump_target_seq (param1) is 40; no such item "
        "(items are 1..12)"
    )
    # another GCS cannot take over a running partial write; the GCS going quiet cancels it
    msg = gcs.mav.mission_write_partial_list_encode(*VEHICLE, 1, 2, MISSION)
    assert only(gcs.send(proto, msg, 0.0), "MISSION_REQUEST_INT").seq == 1
    o = other.mav.mission_write_partial_list_encode(*VEHICLE, 1, 1, MISSION)
    assert ack_code(other.send(proto, o, 0.1)) == M.MAV_MISSION_DENIED
    assert only(proto.tick(1.0), "MISSION_REQUEST_INT").seq == 1
    assert ack_code(proto.tick(2.0)) == M.MAV_MISSION_OPERATION_CANCELLED
    assert proto.items(MISSION) == before and rec.changes == []


def test_partial_write_of_a_fence_vertex() -> None:
    proto, rec = make()
    proto.load(Mission(home=HOME, fence=base_fence()))
    gcs = Client()
    items = proto.items(FENCE)
    moved = replace(items[1], x=47.6012345)
    *asked, ack = partial_upload(gcs, proto, 1, 1, {1: moved}, t=FENCE)
    assert asked == [1] and ack.type == M.MAV_MISSION_ACCEPTED
    assert proto.fence.polygons[0].vertices[1] == (47.6012345, items[1].y)
    assert proto.items(FENCE)[1].x == 47.6012345 and rec.changes[-1][0] == FENCE
