"""`longwing sitl`: the simulated ArduPlane on MAVLink for QGroundControl, MAVProxy, MAVSDK.

Per instance k (0-based; sysid k + 1) it sends to UDP ``--gcs`` (QGroundControl's
127.0.0.1:14550) and ``--mavsdk`` (127.0.0.1:14540), both + 10 k, reading the replies on the
same sockets, and listens on TCP ``--tcp-port`` + 10 k (MAVProxy ``--master=tcp:...``).
Parameters persist per instance in ``OUT/instanceK/params.parm``; every session writes
``OUT/instanceK/session.tlog`` (readable by pymavlink / MAVExplorer).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from longwing.cli_errors import UsageFailure

err = Console(stderr=True)
STALL_S = 0.5  # behind the wall clock by more than this: reset the pacing, don't catch up


def _host_port(text: str, what: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    try:
        p = int(port)
    except ValueError:
        raise UsageFailure(f"{what} {text!r} must be HOST:PORT") from None
    if not sep or not host or not 1 <= p <= 65535:
        raise UsageFailure(f"{what} {text!r} must be HOST:PORT with a port in 1-65535")
    return host, p


def _home(text: str):
    from longwing.mission.model import Home

    parts = text.split(",")
    try:
        vals = [float(v) for v in parts]
    except ValueError:
        raise UsageFailure(f"--home {text!r} must be LAT,LON,ALT (deg, deg, m AMSL)") from None
    if len(vals) != 3 or not all(math.isfinite(v) for v in vals):
        raise UsageFailure(f"--home {text!r} must be LAT,LON,ALT (deg, deg, m AMSL)")
    if not (-90 <= vals[0] <= 90 and -180 <= vals[1] <= 180):
        raise UsageFailure(f"--home {text!r} is outside [-90, 90], [-180, 180] deg")
    return Home(*vals)


def build_vehicles(
    airframe: str = "aerosonde",
    home: str | None = None,
    mission_file: Path | None = None,
    wind: str = "calm",
    turbulence: str = "none",
    seed: int = 1,
    instances: int = 1,
    gcs: str = "127.0.0.1:14550",
    mavsdk: str = "127.0.0.1:14540",
    tcp_port: int = 5760,
    out_dir: Path = Path("runs/sitl"),
    speedup: float = 1.0,
):
    """The vehicles of a session (see the module doc); raises UsageFailure on bad input."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.mavlink.link import Links, TcpServer, TlogWriter, UdpLink
    from longwing.mavlink.mission_protocol import MissionProtocol
    from longwing.mavlink.params import ParamProtocol, ParamStore
    from longwing.mavlink.vehicle import SitlVehicle
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError
    from longwing.mission.model import Home
    from longwing.physics.turbulence import parse_turbulence
    from longwing.physics.wind import parse_wind

    if not 1 <= instances <= 50:
        raise UsageFailure(f"--instances {instances} must be in 1-50")
    try:
        af = load_airframe(airframe)
        wf = parse_wind(wind)
        tb = parse_turbulence(turbulence)
        mission = load_mission(mission_file) if mission_file is not None else None
    except (AirframeError, MissionError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    h = (
        _home(home)
        if home
        else (mission.home if mission is not None else Home(47.63, -52.93, 60.0))
    )
    if mission is not None and home:
        import dataclasses

        mission = dataclasses.replace(mission, home=h)
    gh, gp = _host_port(gcs, "--gcs")
    mh, mp = _host_port(mavsdk, "--mavsdk")
    vehicles = []
    for k in range(instances):
        folder = out_dir / f"instance{k}"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            links = [UdpLink(gh, gp + 10 * k), UdpLink(mh, mp + 10 * k),
                     TcpServer("0.0.0.0", tcp_port + 10 * k)]  # fmt: skip
        except OSError as exc:
            raise UsageFailure(f"cannot open the MAVLink ports of instance {k}: {exc}") from None
        try:
            store = ParamStore(af, sysid=k + 1, sim_speedup=speedup,
                               path=folder / "params.parm")  # fmt: skip
        except ValueError as exc:  # a bad saved parameter file: named, line and parameter
            raise UsageFailure(str(exc)) from None
        vehicle_links = Links(links, TlogWriter(folder / "session.tlog"))

        def mission_factory(v):
            return MissionProtocol(
                v.mav, v.on_mission_change, target=(v.sysid, v.compid), home=v.home,
                on_error=lambda text, v=v: v.statustext(text, 3),
                on_set_current=lambda seq, v=v: v._set_current(seq) == 0,
                on_guided=v.on_guided,
            )  # fmt: skip

        def param_factory(v, store=store):
            return ParamProtocol(store, v.mav, lambda name, value: None)

        v = SitlVehicle(
            af, h, vehicle_links, sysid=int(store.get("SYSID_THISMAV")), mission=mission,
            wind=wf, turbulence=tb, seed=seed + k, params=store,
            mission_protocol_factory=mission_factory, param_protocol_factory=param_factory,
        )  # fmt: skip
        if mission is not None:
            v.mission_proto.load(mission)
        vehicles.append(v)
    return vehicles


def warm_up(airframe) -> None:
    """Load (or, on a fresh install, compile) the closed-loop kernels before the first
    HEARTBEAT, with a 1 s throwaway flight: a launch must not stall the link."""
    from longwing.mission.items import MissionItem
    from longwing.mission.model import Home, Mission
    from longwing.sim.runner import FlightScenario, fly

    home = Home(0.0, 0.0, 0.0)
    m = Mission(home=home, items=(MissionItem.waypoint(0.1, 0.0, 100.0),))
    fly(FlightScenario(airframe, m, max_duration_s=1.0))


def serve(vehicles, speedup: float, duration_s: float | None = None) -> None:
    """Run the vehicles in lockstep at ``speedup`` x real time (all advance one slice per
    iteration; the loop waits for the wall clock, never the other way round)."""
    wall0 = time.monotonic()
    t0 = vehicles[0].sim_t
    try:
        while duration_s is None or vehicles[0].sim_t - t0 < duration_s:
            for v in vehicles:
                for _, msg in v.links.poll(0.0):
                    v.handle(msg)
                v.step()
            lag = (vehicles[0].sim_t - t0) / speedup - (time.monotonic() - wall0)
            while lag > 0.0:  # wait for the wall clock, serving messages meanwhile
                for v in vehicles:
                    for _, msg in v.links.poll(lag / len(vehicles)):
                        v.handle(msg)
                lag = (vehicles[0].sim_t - t0) / speedup - (time.monotonic() - wall0)
            if lag < -STALL_S:  # fell behind (a stall): carry on from now, no burst
                wall0 = time.monotonic()
                t0 = vehicles[0].sim_t
    finally:
        for v in vehicles:
            v.links.close()


def sitl(
    airframe: Annotated[str, typer.Option(help="Bundled airframe or TOML file.")] = "aerosonde",
    home: Annotated[str | None, typer.Option(help="LAT,LON,ALT (deg, deg, m AMSL).")] = None,
    mission: Annotated[
        Path | None, typer.Option(help="Mission to preload (.plan/.waypoints).")
    ] = None,
    speedup: Annotated[float, typer.Option(help="Sim time per wall time (lockstep).")] = 1.0,
    wind: Annotated[str, typer.Option(help="DIR_DEG@SPEED_MPS or layers.")] = "calm",
    turbulence: Annotated[str, typer.Option(help="none|light|moderate|severe")] = "none",
    seed: Annotated[int, typer.Option(help="Random seed (instance k: seed + k).")] = 1,
    instances: Annotated[int, typer.Option(help="Vehicles: sysid 1..K, ports + 10 k.")] = 1,
    gcs: Annotated[str, typer.Option(help="UDP out to the GCS.")] = "127.0.0.1:14550",
    mavsdk: Annotated[str, typer.Option(help="UDP out to MAVSDK.")] = "127.0.0.1:14540",
    tcp_port: Annotated[int, typer.Option(help="TCP server port (MAVProxy).")] = 5760,
    duration_s: Annotated[
        float | None, typer.Option(help="Stop after this much sim time, s.")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for tlogs and params.")] = Path(
        "runs/sitl"
    ),
) -> None:
    """Run the simulated vehicle(s) as ArduPlane on MAVLink 2 (Ctrl-C to stop)."""
    if not (math.isfinite(speedup) and 0.01 <= speedup <= 10000.0):
        raise UsageFailure(f"--speedup {speedup:g} must be in [0.01, 10000]")
    if duration_s is not None and not (math.isfinite(duration_s) and duration_s > 0.0):
        raise UsageFailure("--duration-s must be > 0")
    vehicles = build_vehicles(airframe, home, mission, wind, turbulence, seed, instances, gcs,
                              mavsdk, tcp_port, out_dir, speedup)  # fmt: skip
    warm_up(vehicles[0].af)
    err.print(
        f"longwing sitl: {instances} vehicle(s) at {speedup:g}x; GCS udp {gcs}, MAVSDK udp "
        f"{mavsdk}, MAVProxy tcp:{tcp_port} (+10 per instance); logs in {out_dir}"
    )
    try:
        serve(vehicles, speedup, duration_s)
    except KeyboardInterrupt:
        err.print("stopped")
