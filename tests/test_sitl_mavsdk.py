"""`longwing sitl` driven from MAVSDK (the native 4.x binding, as a companion computer or a
MAVSDK script would fly it): MAVSDK discovers an ArduPlane, imports examples/short_survey.plan
with its own QGroundControl importer, uploads mission + fence + rally and reads them back,
arms, starts the mission and follows it through telemetry (flight mode, in-air and landed
state, mission progress, position, status texts) until the aircraft has landed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

mavsdk = pytest.importorskip("mavsdk", minversion="4")  # 4.x: the native binding, not gRPC

from mavsdk import Autopilot, ComponentType, Configuration, Mavsdk, Vehicle  # noqa: E402
from mavsdk.plugins.action import Action, ActionResult, OrbitYawBehavior  # noqa: E402
from mavsdk.plugins.mission_raw import MissionRaw, MissionRawError, MissionRawResult  # noqa: E402
from mavsdk.plugins.telemetry import FlightMode, LandedState, Telemetry  # noqa: E402

PLAN = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"
SPEEDUP = 100  # the flight (~13 min of sim time) takes ~8 s of wall time
NAV_LAND = 21


def _port_base() -> int:
    """Distinct ports per xdist worker (tests/test_sitl.py uses 24550 + 100 k)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    k = int(worker[2:] or 0) if worker.startswith("gw") else 0
    return 26550 + 100 * k


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * 6371008.8 * math.asin(math.sqrt(a))


def _wait_for(cond, timeout_s: float, step_s: float = 0.05) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step_s)
    return bool(cond())


class _Recorder:
    """Telemetry callbacks (called on MAVSDK's thread) -> one time-ordered list."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, object]] = []

    def on(self, kind: str):
        def callback(value, _user_data) -> None:
            self.events.append((time.monotonic(), kind, value))

        return callback

    def values(self, kind: str) -> list:
        return [v for _, k, v in list(self.events) if k == kind]

    def texts(self) -> list[str]:
        return [v.text for v in self.values("text")]


def _compile_flight_kernels() -> None:
    """Compile the simulation's numba kernels here (or load them from numba's on-disk cache)
    before the vehicle needs them. The vehicle builds its flight inside the command that
    launches it and compiles on its first step: with a cold cache it falls silent for 20-50
    s (no HEARTBEAT, no COMMAND_ACK; MAVSDK drops the link) and then runs that much sim time
    flat out to catch up, so MAVSDK's 1 Hz telemetry would skip most of the flight."""
    from longwing.airframe.loader import load_airframe
    from longwing.mission import load_mission
    from longwing.sim.runner import Flight, FlightScenario

    sc = FlightScenario(load_airframe("aerosonde"), load_mission(PLAN), max_duration_s=1e7)
    Flight(sc).run(1.0)


@pytest.fixture(scope="module")
def vehicle(tmp_path_factory):
    """The simulated ArduPlane (sending to MAVSDK's port) and a MAVSDK ground station."""
    _compile_flight_kernels()
    base = _port_base()
    out = tmp_path_factory.mktemp("sitl_mavsdk")
    log: list[str] = []

    def on_log(level, message, _file, _line) -> bool:
        log.append(f"{level.name}: {message}")
        return True  # keep MAVSDK's own console output quiet

    mavsdk.log_subscribe(on_log)
    stderr = out / "sitl.stderr"
    with open(stderr, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", str(SPEEDUP),
             "--gcs", f"127.0.0.1:{base}", "--mavsdk", f"127.0.0.1:{base + 1}",
             "--tcp-port", str(base + 2), "--out", str(out / "sitl"), "--duration-s", "3000"],
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    sdk = Mavsdk(Configuration.create_with_component_type(ComponentType.GROUND_STATION))
    try:
        # the vehicle sends to this port and MAVSDK answers to where it sends from
        sdk.add_any_connection(f"udpin://0.0.0.0:{base + 1}")
        system = sdk.first_autopilot(60.0)
        if system is None:
            pytest.fail(f"MAVSDK found no autopilot; sitl: {stderr.read_text()[-2000:]}")
        yield SimpleNamespace(
            system=system, proc=proc, log=log, action=Action(system),
            telemetry=Telemetry(system), mission_raw=MissionRaw(system),
        )  # fmt: skip
    finally:
        sdk.destroy()
        mavsdk.log_unsubscribe()
        proc.kill()
        proc.wait(timeout=10)


def test_mavsdk_discovers_an_arduplane(vehicle):
    system, tel = vehicle.system, vehicle.telemetry
    assert system.is_connected()
    assert system.get_system_id() == 1
    assert 1 in system.component_ids()
    assert system.has_autopilot()
    assert system.autopilot_type() == Autopilot.ARDUPILOT
    assert system.vehicle_type() == Vehicle.FIXED_WING
    # SYS_STATUS health bits and a GNSS position: MAVSDK calls it ready to arm
    assert _wait_for(lambda: tel.health().is_armable, 10.0), str(tel.health())
    assert _wait_for(lambda: tel.health().is_global_position_ok, 10.0), str(tel.health())
    assert _wait_for(lambda: tel.health().is_home_position_ok, 10.0), str(tel.health())
    assert _wait_for(lambda: tel.landed_state() == LandedState.ON_GROUND, 10.0)
    assert _wait_for(lambda: math.isfinite(tel.home().latitude_deg), 10.0)
    assert _wait_for(lambda: math.isfinite(tel.position().latitude_deg), 10.0)
    plan = json.loads(PLAN.read_text())
    lat, lon, alt = plan["mission"]["plannedHomePosition"]
    home = tel.home()
    assert _distance_m(home.latitude_deg, home.longitude_deg, lat, lon) < 1.0
    assert home.absolute_altitude_m == pytest.approx(alt, abs=0.5)
    pos = tel.position()
    assert _distance_m(pos.latitude_deg, pos.longitude_deg, lat, lon) < 5.0
    assert abs(pos.relative_altitude_m) < 1.0
    assert not tel.armed()
    assert not tel.in_air()


def _fields(it) -> tuple:
    return (it.seq, it.frame, it.command, it.autocontinue, it.x, it.y, it.mission_type,
            it.param1, it.param2, it.param3, it.param4, it.z)  # fmt: skip


def _start_mission(mission_raw, timeout_s: float) -> list[str]:
    """MissionRaw.start_mission (ArduPilot: DO_SET_MODE AUTO, then MAV_CMD_MISSION_START),
    tried again on a TIMEOUT / NO_SYSTEM as a ground station would: the vehicle builds the
    flight (trim, and the compiled kernels, loaded or compiled) inside the DO_SET_MODE
    handler, which can outlast MAVSDK's ~2 s command timeout. Returns the results seen."""
    results: list[str] = []
    end = time.monotonic() + timeout_s
    while True:
        try:
            results.append(mission_raw.start_mission().name)
            return results
        except MissionRawError as exc:
            results.append(exc.result.name)
            retry = exc.result in (MissionRawResult.TIMEOUT, MissionRawResult.NO_SYSTEM)
            if not retry or time.monotonic() > end:
                raise
            time.sleep(0.5)


def test_mavsdk_flies_the_survey_and_lands(vehicle):
    """Import the QGroundControl plan in MAVSDK, upload and read back mission, fence and
    rally points, arm, start the mission: MAVSDK sees the mission mode, the aircraft in the
    air, mission progress up to the last item, then on the ground near the landing point."""
    mr, tel, action = vehicle.mission_raw, vehicle.telemetry, vehicle.action
    plan = json.loads(PLAN.read_text())

    imported = mr.import_qgroundcontrol_mission(str(PLAN))
    items = imported.mission_items
    assert len(items) == len(plan["mission"]["items"]) + 1  # home is item 0 (ArduPilot)
    assert len(imported.geofence_items) == len(plan["geoFence"]["polygons"][0]["polygon"])
    assert len(imported.rally_items) == len(plan["rallyPoints"]["points"])
    assert mr.upload_mission(items) == MissionRawResult.SUCCESS
    assert mr.upload_geofence(imported.geofence_items) == MissionRawResult.SUCCESS
    assert mr.upload_rally_points(imported.rally_items) == MissionRawResult.SUCCESS
    back = mr.download_mission()
    assert [_fields(it) for it in back] == [_fields(it) for it in items]
    fence = mr.download_geofence()
    assert [(it.command, it.x, it.y) for it in fence] == [
        (it.command, it.x, it.y) for it in imported.geofence_items
    ]
    rally = mr.download_rallypoints()
    assert [(it.command, it.x, it.y) for it in rally] == [
        (it.command, it.x, it.y) for it in imported.rally_items
    ]
    land = items[-1]
    assert land.command == NAV_LAND

    rec = _Recorder()
    tel.subscribe_in_air(rec.on("in_air"))
    tel.subscribe_landed_state(rec.on("landed"))
    tel.subscribe_armed(rec.on("armed"))
    tel.subscribe_flight_mode(rec.on("mode"))
    tel.subscribe_status_text(rec.on("text"))
    tel.subscribe_position(rec.on("position"))
    mr.subscribe_mission_progress(rec.on("progress"))
    assert _wait_for(lambda: rec.values("in_air") and rec.values("position"), 10.0)

    t_start = time.monotonic()
    assert action.arm() == ActionResult.SUCCESS
    assert _wait_for(lambda: True in rec.values("armed"), 10.0)
    started = _start_mission(mr, timeout_s=120.0)
    assert started[-1] == "SUCCESS", started

    def ended() -> bool:
        return any(t.startswith("flight ended") for t in rec.texts())

    def on_ground_again() -> bool:
        seen = rec.values("in_air")
        return True in seen and seen[-1] is False

    finished = _wait_for(lambda: ended() and on_ground_again(), 150.0, step_s=0.2)
    elapsed = time.monotonic() - t_start
    context = (
        f"after {elapsed:.0f} s; start_mission: {started}; texts: {rec.texts()[-15:]}; "
        f"mavsdk log: {vehicle.log[-15:]}"
    )
    assert finished, context
    assert any(t.startswith("flight ended: landed") for t in rec.texts()), context

    # in the air after being on the ground, and on the ground at the end
    in_air = rec.values("in_air")
    first_up = in_air.index(True)
    assert False in in_air[:first_up], context
    assert in_air[-1] is False and tel.in_air() is False
    landed = rec.values("landed")
    assert LandedState.IN_AIR in landed
    assert landed[-1] == LandedState.ON_GROUND == tel.landed_state()
    # AUTO is MAVSDK's MISSION mode; the aircraft disarms itself after landing
    modes = rec.values("mode")
    assert FlightMode.MISSION in modes, modes
    assert rec.values("armed")[-1] is False and tel.armed() is False

    # mission progress: forwards only, up to the last item, and MAVSDK calls it finished
    progress = rec.values("progress")
    current = [p.current for p in progress]
    assert current == sorted(current), current
    assert progress[-1].total == len(items)
    assert progress[-1].current == len(items), current
    assert len(set(current)) >= 8, current  # followed item by item, not only at the end
    assert mr.is_mission_finished()

    # climbed to the survey altitude, then came down at the landing point
    positions = rec.values("position")
    assert max(p.relative_altitude_m for p in positions) > 100.0
    end = tel.position()
    d_land = _distance_m(end.latitude_deg, end.longitude_deg, land.x / 1e7, land.y / 1e7)
    assert d_land < 300.0, f"{d_land:.0f} m from the landing point"
    assert abs(end.relative_altitude_m) < 5.0
    assert elapsed < 180.0


def test_mavsdk_goto_location_and_do_orbit(vehicle):
    """MAVSDK's Action on ArduPlane (issue 14, item 2): goto_location (DO_REPOSITION with an
    AMSL altitude and a NaN yaw, MAVSDK's "keep yaw") flies there; do_orbit circles the point
    at the radius. Flown after the survey test: the vehicle re-arms and takes off again from
    where it landed. (get_return_to_launch_altitude is answered UNSUPPORTED by MAVSDK 4.1
    itself for an ArduPilot autopilot: no request reaches the vehicle.)"""
    mr, tel, action = vehicle.mission_raw, vehicle.telemetry, vehicle.action
    assert action.arm() == ActionResult.SUCCESS
    assert _start_mission(mr, timeout_s=120.0)[-1] == "SUCCESS"
    assert _wait_for(lambda: tel.position().relative_altitude_m > 80.0, 60.0)
    home = tel.home()
    lat, lon = 47.615, -52.94
    target_alt = home.absolute_altitude_m + 120.0
    action.goto_location(lat, lon, target_alt, math.nan)

    def dist(la: float, lo: float) -> float:
        p = tel.position()
        return _distance_m(p.latitude_deg, p.longitude_deg, la, lo)

    assert _wait_for(lambda: dist(lat, lon) < 300.0, 30.0, step_s=0.02)
    time.sleep(1.0)  # 100 s of flight: settled on the loiter at the point
    assert tel.position().absolute_altitude_m == pytest.approx(target_alt, abs=10.0)
    clat, clon = 47.622, -52.945
    action.do_orbit(250.0, math.nan, OrbitYawBehavior.HOLD_FRONT_TO_CIRCLE_CENTER, clat, clon,
                    target_alt)  # fmt: skip
    assert _wait_for(lambda: abs(dist(clat, clon) - 250.0) < 40.0, 30.0, step_s=0.02)
    time.sleep(1.0)
    samples = []
    end = time.monotonic() + 3.0  # 300 s of sim time: about two turns
    while time.monotonic() < end:
        samples.append(dist(clat, clon))
        time.sleep(0.05)
    assert abs(sum(samples) / len(samples) - 250.0) < 30.0, samples
    assert max(abs(d - 250.0) for d in samples) < 60.0, samples
