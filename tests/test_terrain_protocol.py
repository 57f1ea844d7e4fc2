"""ArduPlane's terrain protocol in the SITL, against pymavlink acting as the ground station
(answering as MAVProxy's terrain module does): the vehicle asks for the grids its
terrain-frame mission needs, refuses to arm until they are in ("PreArm: waiting for terrain
data"), reports TERRAIN_REPORT, answers TERRAIN_CHECK with the heights it was sent; with
--dem it asks for nothing and answers from its DEM."""

from __future__ import annotations

import math
import time

import pytest
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, heartbeat, port_base, recv, sitl_gcs
from test_terrain_flight import HOME, _follow_mission, _follow_ridge

from longwing.io.dem import save_dem
from longwing.mavlink.terrain_protocol import TerrainDatabase
from longwing.mission.planfile import save_plan

R_GCS = 6378100.0  # MAVProxy's gps_offset radius


def _gcs_offset(lat, lon, east, north):
    """The ground station's own offset (MAVProxy's mp_util.gps_offset formula)."""
    return (lat + math.degrees(north / R_GCS),
            lon + math.degrees(east / (R_GCS * math.cos(math.radians(lat)))))  # fmt: skip


def _answer(conn, req, ter) -> int:
    """Every block the request asks for, as TERRAIN_DATA; how many were sent."""
    lat0, lon0, sp = req.lat * 1e-7, req.lon * 1e-7, req.grid_spacing
    sent = 0
    for bit in range(56):
        if not req.mask & (1 << bit):
            continue
        blat, blon = _gcs_offset(lat0, lon0, 4 * sp * (bit % 8), 4 * sp * (bit // 8))
        data = []
        for i in range(16):
            plat, plon = _gcs_offset(blat, blon, sp * (i % 4), sp * (i // 4))
            data.append(round(float(ter(plat, plon))))
        conn.mav.terrain_data_send(req.lat, req.lon, sp, bit, data)
        sent += 1
    return sent


def _terrain_check(conn, lat: float, lon: float):
    """TERRAIN_CHECK at a point and the TERRAIN_REPORT answering it (None if none came)."""
    la, lo = round(lat * 1e7), round(lon * 1e7)
    conn.mav.terrain_check_send(la, lo)
    return recv(conn, "TERRAIN_REPORT", 10, lambda m: m.lat == la and m.lon == lo)


def test_database_geometry_matches_the_ground_station():
    """A block sent with the GCS's geometry is read back at its points (int16 heights)."""
    ter = _follow_ridge()
    db = TerrainDatabase(100.0)
    key = db.want(47.70, -52.93)
    lat0, lon0 = key[0] * 1e-7, key[1] * 1e-7
    for bit in range(56):
        blat, blon = _gcs_offset(lat0, lon0, 400 * (bit % 8), 400 * (bit // 8))
        pts = [_gcs_offset(blat, blon, 100 * (i % 4), 100 * (i // 4)) for i in range(16)]
        assert db.accept(key[0], key[1], 100, bit, [round(float(ter(*p))) for p in pts])
    assert db.counts() == (0, 56) and db.missing() is None
    for bit in (0, 27, 55):
        blat, blon = _gcs_offset(lat0, lon0, 400 * (bit % 8), 400 * (bit // 8))
        p = _gcs_offset(blat, blon, 200.0, 200.0)  # a point of the block
        assert db.height_m(*p) == pytest.approx(round(float(ter(*p))), abs=0.05)
    assert not db.accept(key[0] + 1, key[1], 100, 0, [0] * 16)  # not asked for


def test_sitl_fills_its_terrain_from_the_ground_station(tmp_path):
    plan = tmp_path / "follow.plan"
    save_plan(_follow_mission(), plan)
    ter = _follow_ridge()
    with sitl_gcs(tmp_path / "sitl", port_base(32000), "--mission", str(plan)) as (conn, _):
        # before any data: arming refused in ArduPlane's words
        conn.mav.command_long_send(1, 1, M.MAV_CMD_COMPONENT_ARM_DISARM, 0, 1, 0, 0, 0, 0, 0, 0)
        text = recv(conn, "STATUSTEXT", 20, lambda m: m.text.startswith("PreArm"))
        assert text is not None and text.text == "PreArm: waiting for terrain data"
        blocks, grids = 0, set()
        end = time.time() + 60
        report = None
        while time.time() < end:
            heartbeat(conn)
            m = conn.recv_match(type=["TERRAIN_REQUEST", "TERRAIN_REPORT"], blocking=True,
                                timeout=0.5)  # fmt: skip
            if m is None:
                continue
            if m.get_type() == "TERRAIN_REQUEST":
                assert m.grid_spacing == 100
                grids.add((m.lat, m.lon))
                blocks += _answer(conn, m, ter)
            elif blocks and m.pending == 0:
                report = m
                break
        assert report is not None, (blocks, grids)
        # home's grid and the grids of the two terrain-frame waypoints (3 and 15 km north)
        assert len(grids) == 3 and blocks == report.loaded == 3 * 56
        assert report.spacing == 100
        assert report.terrain_height == pytest.approx(HOME.alt_m, abs=0.6)
        # TERRAIN_CHECK on the ridge's flank: the height it was sent, interpolated
        lat, lon = 47.63 + 0.0722, -52.93  # about 8.0 km north, 1 km south of the crest
        rep = _terrain_check(conn, lat, lon)
        assert rep is not None
        # the 8 km point lies in none of the three grids: unknown (spacing 0)
        assert rep.spacing == 0
        lat, lon = 47.63 + 0.0271, -52.93  # about 3 km north: in a received grid, flat
        rep = _terrain_check(conn, lat, lon)
        assert rep is not None and rep.spacing == 100
        assert rep.terrain_height == pytest.approx(float(ter(lat, lon)), abs=0.6)
        ack = command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED


def test_sitl_with_a_dem_uses_its_own(tmp_path):
    plan = tmp_path / "follow.plan"
    save_plan(_follow_mission(), plan)
    ter = _follow_ridge()
    dem = tmp_path / "ridge.tif"
    save_dem(ter, dem, dtype="float64")
    with sitl_gcs(tmp_path / "sitl", port_base(32000), "--mission", str(plan), "--dem",
                  str(dem)) as (conn, _):  # fmt: skip
        lat, lon = 47.63 + 0.0722, -52.93
        rep = _terrain_check(conn, lat, lon)
        assert rep is not None and rep.spacing == 100 and rep.pending == 0
        assert rep.terrain_height == pytest.approx(float(ter(lat, lon)), abs=1e-3)
        assert recv(conn, "TERRAIN_REQUEST", 3) is None  # nothing asked of the GCS


def test_qgc_frames_over_mavlink_fly_as_in_fly(tmp_path):
    """The QGC-shaped mission uploaded over MAVLink as QGroundControl sends it (AltitudeMode
    3 items as frame 0 with the computed AMSL altitude, mode 4 as frame 10) to `sitl --dem`:
    downloaded back identical; flown in AUTO it reaches the frame-10 waypoint 100 m above
    the DEM there (within 10 m, as `fly` does: test_terrain_flight), and the vehicle
    advertises the terrain protocol (MAV_PROTOCOL_CAPABILITY_TERRAIN)."""
    from test_terrain_flight import QGC_HOME, _qgc_dem, _qgc_plan

    from longwing.mission import load_mission

    dem = _qgc_dem()
    dem_path = tmp_path / "dem.tif"
    save_dem(dem, dem_path, dtype="float64")
    m = load_mission(_qgc_plan(tmp_path / "qgc.plan"), dem)
    home = ",".join(str(v) for v in QGC_HOME)
    # its approach waypoints at 40-60 m above home pass 45 m over a hill: below the 50 m
    # default clearance arming requires (plan check's), so 30 m as in test_terrain_flight
    with sitl_gcs(tmp_path / "sitl", port_base(32500), "--dem", str(dem_path), "--home", home,
                  "--speedup", "50", "--duration-s", "3000", "--min-clearance-m",
                  "30") as (conn, _):  # fmt: skip
        ack = command(conn, M.MAV_CMD_REQUEST_MESSAGE, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED
        ver = recv(conn, "AUTOPILOT_VERSION", 10)
        assert ver is not None and ver.capabilities & M.MAV_PROTOCOL_CAPABILITY_TERRAIN
        wire = [(0, M.MAV_FRAME_GLOBAL, 16, 0, 0, 0, 0, *QGC_HOME)]  # seq 0: home
        for it in m.items:
            p = it.params
            wire.append((len(wire), it.frame, it.command, *p, it.lat_deg, it.lon_deg, it.alt_m))
        conn.mav.mission_count_send(1, 1, len(wire), M.MAV_MISSION_TYPE_MISSION)
        while True:
            r = recv(conn, ["MISSION_REQUEST_INT", "MISSION_REQUEST", "MISSION_ACK"], 15)
            assert r is not None, "upload stalled"
            if r.get_type() == "MISSION_ACK":
                assert r.type == M.MAV_MISSION_ACCEPTED
                break
            seq, frame, cmd, p1, p2, p3, p4, lat, lon, alt = wire[r.seq]
            positioned = frame in (0, 3, 10)
            conn.mav.mission_item_int_send(
                1, 1, seq, frame, cmd, 0, 1, p1, p2, p3, p4,
                round(lat * 1e7) if positioned else int(lat),
                round(lon * 1e7) if positioned else int(lon), alt,
                M.MAV_MISSION_TYPE_MISSION,
            )  # fmt: skip
        conn.mav.mission_request_list_send(1, 1, M.MAV_MISSION_TYPE_MISSION)
        cnt = recv(conn, "MISSION_COUNT", 10)
        assert cnt is not None and cnt.count == len(wire)
        for seq in range(1, cnt.count):
            conn.mav.mission_request_int_send(1, 1, seq, M.MAV_MISSION_TYPE_MISSION)
            got = recv(conn, "MISSION_ITEM_INT", 10, lambda x, s=seq: x.seq == s)
            assert got is not None
            _, frame, cmd, *_rest, alt = wire[seq]
            assert (got.frame, got.command) == (frame, cmd)
            assert got.z == pytest.approx(alt, abs=1e-3)
        conn.mav.mission_ack_send(1, 1, M.MAV_MISSION_ACCEPTED, M.MAV_MISSION_TYPE_MISSION)
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        ack = command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        assert ack is not None and ack.result == M.MAV_RESULT_ACCEPTED, ack
        reached = recv(conn, "MISSION_ITEM_REACHED", 120, lambda x: x.seq == 5)
        assert reached is not None
        pos = recv(conn, "GLOBAL_POSITION_INT", 5)
        ground = float(dem(pos.lat * 1e-7, pos.lon * 1e-7))
        assert pos.alt * 1e-3 == pytest.approx(ground + 100.0, abs=10.0)
