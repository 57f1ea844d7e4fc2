"""`longwing sitl`: the simulated ArduPlane on MAVLink for QGroundControl, MAVProxy, MAVSDK.

Per instance k (0-based; sysid k + 1) it sends to UDP ``--gcs`` (QGroundControl's
127.0.0.1:14550) and ``--mavsdk`` (127.0.0.1:14540), both + 20 k, reading the replies on the
same sockets, and listens on TCP ``--tcp-port`` + 10 k (MAVProxy ``--master=tcp:...``, as
ArduPilot's SITL instances). The UDP step of 20 keeps the two UDP series apart (with + 10,
instance 1's MAVSDK port was instance 0's GCS port); custom ports whose series would meet
are refused.
Every socket is bound to ``--bind`` (127.0.0.1: this machine only); another address is
warned about, since whoever reaches the ports can command the vehicle.

``OUT`` is a sitl folder (marked, see :mod:`longwing.logs.outputs`), reused by every session:
parameters persist per instance in ``OUT/instanceK/params.parm``; each session writes a new
``OUT/instanceK/session-YYYYmmdd-HHMMSS.tlog`` (UTC start time; ``-2``, ``-3`` ... if taken),
readable by pymavlink / MAVExplorer. All input (options, mission, output folder, the ports
themselves) is checked before anything is created: a mistake is one line, exit code 2.

SIGINT (Ctrl-C) and SIGTERM stop it cleanly (the loop ends, the sockets close, the tlogs are
flushed and closed) with exit code 0, as does the end of ``--duration-s``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from longwing.cli_errors import UsageFailure
from longwing.cli_options import DemOption

err = Console(stderr=True)
STALL_S = 0.5  # behind the wall clock by more than this: reset the pacing, don't catch up
TLOG_FLUSH_S = 1.0  # wall time between tlog flushes (a reader sees the session so far)
MAX_INSTANCES = 50
PORT_STEP = 10  # instance k listens on TCP --tcp-port + PORT_STEP * k (ArduPilot's step)
UDP_PORT_STEP = 20  # and sends to --gcs / --mavsdk + UDP_PORT_STEP * k
MAX_PORT = 65535
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """A stop asked for by a signal: the handler only records it; the serve loop reads it."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, _frame: object) -> None:  # the signal handler
        self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum is not None else ""


@contextlib.contextmanager
def stop_on_signals(stop: StopRequest) -> Iterator[StopRequest]:
    """SIGINT and SIGTERM set ``stop`` while inside (the previous handlers come back after).
    Outside the main thread (where Python cannot install handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def parse_bind(text: str) -> str:
    """The IPv4 address to listen on (``--bind``), normalised; UsageFailure if it is not one."""
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        raise UsageFailure(f"--bind {text!r} is not an IP address (127.0.0.1 for this machine "
                           "only, 0.0.0.0 for every interface)") from None  # fmt: skip
    if ip.version != 4:
        raise UsageFailure(f"--bind {text}: only IPv4 addresses are supported")
    return str(ip)


def bind_warning(bind: str) -> str | None:
    """The one-line warning for a --bind that is reachable from other machines, or None."""
    if ipaddress.ip_address(bind).is_loopback:
        return None
    return (f"warning: --bind {bind} exposes the simulated vehicle's MAVLink ports to the "
            "network: anyone who can reach them can command it")  # fmt: skip


def _check_ports(what: str, port: int, instances: int, text: str | None = None,
                 step: int = PORT_STEP) -> None:  # fmt: skip
    """``port`` and the ports of the later instances (+ ``step`` each) are in 1-MAX_PORT."""
    shown = text if text is not None else str(port)
    if not 1 <= port <= MAX_PORT:
        raise UsageFailure(f"{what} {shown}: the port must be in 1-{MAX_PORT}")
    last = port + step * (instances - 1)
    if last > MAX_PORT:
        raise UsageFailure(f"{what} {shown}: instance {instances - 1} would use port {last} "
                           f"(+{step} per instance), beyond {MAX_PORT}")  # fmt: skip


def _check_udp_series(gcs: tuple[str, int], mavsdk: tuple[str, int], instances: int) -> None:
    """The GCS and MAVSDK destinations of all instances never coincide."""
    if gcs[0] != mavsdk[0]:
        return
    g = {gcs[1] + UDP_PORT_STEP * k: k for k in range(instances)}
    for k in range(instances):
        p = mavsdk[1] + UDP_PORT_STEP * k
        if p in g:
            raise UsageFailure(f"--mavsdk {mavsdk[0]}:{mavsdk[1]}: instance {k} would send to "
                               f"port {p}, instance {g[p]}'s --gcs port; choose ports whose "
                               f"series (+{UDP_PORT_STEP} per instance) do not meet")  # fmt: skip


def _host_port(text: str, what: str, instances: int = 1) -> tuple[str, int]:
    """HOST:PORT of a UDP destination, the host resolved to an IPv4 address once."""
    host, sep, port = text.rpartition(":")
    try:
        p = int(port)
    except ValueError:
        raise UsageFailure(f"{what} {text!r} must be HOST:PORT") from None
    if not sep or not host or not 1 <= p <= MAX_PORT:
        raise UsageFailure(f"{what} {text!r} must be HOST:PORT with a port in 1-{MAX_PORT}")
    _check_ports(what, p, instances, text, UDP_PORT_STEP)
    try:
        infos = socket.getaddrinfo(host, p, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        raise UsageFailure(f"{what} {text!r}: cannot resolve {host!r} to an IPv4 address") from None
    return str(infos[0][4][0]), p


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


def _open_instance(
    bind: str, gcs: tuple[str, int], mavsdk: tuple[str, int], tcp_port: int, k: int, links: list
) -> None:
    """Append instance ``k``'s sockets [UDP GCS, UDP MAVSDK, TCP server] to ``links``, all
    bound to ``bind``; UsageFailure names the one that cannot be opened."""
    from longwing.mavlink.link import RouteError, TcpServer, UdpLink

    for what, (host, port) in (("--gcs", gcs), ("--mavsdk", mavsdk)):
        dest = f"{what} {host}:{port + UDP_PORT_STEP * k} (instance {k})"
        try:
            links.append(UdpLink(host, port + UDP_PORT_STEP * k, bind_host=bind))
        except RouteError as exc:
            raise UsageFailure(f"{dest} cannot be reached from --bind {bind}: {exc.strerror}; "
                               "give --bind 0.0.0.0 or this machine's address on that "
                               "network") from None  # fmt: skip
        except OSError as exc:
            why = exc.strerror or exc
            raise UsageFailure(f"cannot open a UDP socket on {bind} for {dest}: {why}") from None
    port = tcp_port + PORT_STEP * k
    try:
        links.append(TcpServer(bind, port))
    except OSError as exc:
        raise UsageFailure(f"cannot listen on tcp {bind}:{port} (--tcp-port, instance {k}): "
                           f"{exc.strerror or exc}") from None  # fmt: skip


def _close_all(all_links: list[list]) -> None:
    for links in all_links:
        for lk in links:
            lk.close()


def _open_links(
    bind: str, gcs: tuple[str, int], mavsdk: tuple[str, int], tcp_port: int, instances: int
) -> list[list]:
    """Every instance's sockets; on a failure the ones opened so far are closed."""
    opened: list[list] = []
    try:
        for k in range(instances):
            opened.append([])
            _open_instance(bind, gcs, mavsdk, tcp_port, k, opened[-1])
    except BaseException:
        _close_all(opened)
        raise
    return opened


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
    bind: str = "127.0.0.1",
    wind_file: Path | None = None,
    start_time: str | None = None,
    duration_s: float | None = None,
    dem: list[Path] | None = None,
    min_clearance_m: float = 50.0,
):
    """The vehicles of a session (see the module doc). Everything is checked, and every socket
    opened, before anything is written; UsageFailure on bad input (nothing created then)."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.logs.outputs import OutputError, check_run_dir, mark_dir
    from longwing.mavlink.link import Links, open_new_tlog
    from longwing.mavlink.params import ParamStore
    from longwing.mission import load_mission
    from longwing.mission.items import MissionError
    from longwing.mission.model import Home, Mission
    from longwing.physics.turbulence import parse_turbulence
    from longwing.physics.wind import parse_wind

    if not 1 <= instances <= MAX_INSTANCES:
        raise UsageFailure(f"--instances {instances} must be in 1-{MAX_INSTANCES}")
    bind = parse_bind(bind)
    _check_ports("--tcp-port", tcp_port, instances)
    gcs_addr = _host_port(gcs, "--gcs", instances)
    mavsdk_addr = _host_port(mavsdk, "--mavsdk", instances)
    _check_udp_series(gcs_addr, mavsdk_addr, instances)
    try:
        check_run_dir(out_dir, "sitl")
        af = load_airframe(airframe)
        wf = parse_wind(wind)
        tb = parse_turbulence(turbulence)
        terrain = _load_dem(dem, home, mission_file)
        mission = load_mission(mission_file, terrain) if mission_file is not None else None
    except (AirframeError, MissionError, OutputError, ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    h = (
        _home(home)
        if home
        else (mission.home if mission is not None else Home(47.63, -52.93, 60.0))
    )
    if mission is not None and home:
        import dataclasses

        mission = dataclasses.replace(mission, home=h)
    if mission is not None:
        from longwing.mission.preflight import check_preflight

        try:
            # something to fly, nothing below the ground; terrain frames without a DEM are
            # checked at arming, once the ground station has sent the terrain
            check_preflight(mission, terrain, terrain_later=terrain is None)
        except MissionError as exc:
            raise UsageFailure(f"--mission {mission_file}: {exc}") from None
    if wind_file is not None or start_time is not None:
        wf = _forecast_wind(wind, wind_file, start_time, mission, af, duration_s)
    if terrain is not None:  # the vehicle stands on the DEM's ground at home
        from longwing.planning.terrain_gate import home_problem

        problem = home_problem(mission if mission is not None else Mission(home=h), terrain)
        if problem is not None:
            raise UsageFailure(f"--dem {' + '.join(str(d) for d in dem)}: {problem}")

    def param_store(k: int) -> ParamStore:
        # a saved file is read (nothing written); a missing one is created with the defaults
        try:
            return ParamStore(af, sysid=k + 1, sim_speedup=speedup,
                              path=out_dir / f"instance{k}" / "params.parm")  # fmt: skip
        except ValueError as exc:  # a bad saved parameter file: named, line and parameter
            raise UsageFailure(str(exc)) from None

    folders = [out_dir / f"instance{k}" for k in range(instances)]
    for folder in folders:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise UsageFailure(f"--out {out_dir}: {folder.name} is not a folder; refusing to "
                               "write through it")  # fmt: skip
    saved = [(folder / "params.parm").exists() for folder in folders]
    stores = [param_store(k) if saved[k] else None for k in range(instances)]
    all_links = _open_links(bind, gcs_addr, mavsdk_addr, tcp_port, instances)
    # from here on things are written: the folders, new parameter files, the tlogs
    vehicles: list = []
    try:
        mark_dir(out_dir, "sitl")
        stem = "session-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime())  # UTC
        for k, links in enumerate(all_links):
            folders[k].mkdir(exist_ok=True)
            store = stores[k] or param_store(k)
            vehicle_links = Links(links, open_new_tlog(folders[k], stem))
            vehicles.append(_vehicle(af, h, vehicle_links, store, mission, wf, tb, seed + k,
                                     terrain, min_clearance_m))  # fmt: skip
    except BaseException as exc:
        _close_all(all_links[len(vehicles) :])
        for v in vehicles:
            v.links.close()
        if isinstance(exc, OSError):
            raise UsageFailure(f"--out {out_dir}: cannot write: {exc}") from None
        raise
    return vehicles


def _forecast_wind(wind, wind_file, start_time, mission, af, duration_s):
    """--wind-file (GRIB2/NetCDF forecast or CSV grid, docs/winds.md) as the truth's wind,
    read for the preloaded mission's box and time span (from --start-time, else the file's
    first time; every flight of the session starts there); UsageFailure (one line) if it
    cannot be used."""
    from longwing.io.wind_file import load_mission_wind
    from longwing.planning.wind4d import WindGrid4D

    if wind_file is None:
        raise UsageFailure("--start-time is the time of a --wind-file; give one")
    if wind != "calm":
        raise UsageFailure("give --wind or --wind-file, not both")
    if mission is None:
        raise UsageFailure("--wind-file needs --mission: the forecast is read for that "
                           "mission's area and time span")  # fmt: skip
    try:
        grid = load_mission_wind(wind_file, mission, af, start_time, duration_s)
    except (ValueError, OSError) as exc:
        raise UsageFailure(str(exc)) from None
    return grid if isinstance(grid, WindGrid4D) else WindGrid4D.from_windgrid(grid)


def _load_dem(dem, home: str | None, mission_file):
    """--dem: the ground of the world, a DEM file or a synthetic spec around home (home
    must be on it; the mission's legs are checked at arming, as `plan check --dem`); None
    without one. TerrainError: one line."""
    if not dem:
        return None
    from longwing.io.dem import load_world_terrain, plan_home

    def where():
        if home:
            h = _home(home)
            return h.lat_deg, h.lon_deg, h.alt_m
        return plan_home(mission_file) if mission_file is not None else (47.63, -52.93, 60.0)

    return load_world_terrain(dem, where)


def _vehicle(af, home, links, store, mission, wind, turbulence, seed: int, terrain=None,
             min_clearance_m: float = 50.0):  # fmt: skip
    from longwing.mavlink.gcs_requests import set_current
    from longwing.mavlink.mission_protocol import MissionProtocol
    from longwing.mavlink.param_protocol import ParamProtocol
    from longwing.mavlink.vehicle import SitlVehicle

    def mission_factory(v):
        return MissionProtocol(
            v.mav, v.on_mission_change, target=(v.sysid, v.compid), home=v.home,
            on_error=lambda text, v=v: v.statustext(text, 3),
            on_set_current=lambda seq, v=v: set_current(v, seq) == 0,
            on_guided=v.on_guided,
        )  # fmt: skip

    def param_factory(v):
        return ParamProtocol(store, v.mav, lambda name, value: None, list_chunk=25,
                             list_interval_s=0.02)  # fmt: skip

    v = SitlVehicle(
        af, home, links, sysid=int(store.get("SYSID_THISMAV")), mission=mission,
        wind=wind, turbulence=turbulence, seed=seed, params=store, terrain=terrain,
        min_clearance_m=min_clearance_m,
        mission_protocol_factory=mission_factory, param_protocol_factory=param_factory,
    )  # fmt: skip
    if mission is not None:
        v.mission_proto.load(mission)
    return v


def warm_up(airframe) -> None:
    """Load (or, on a fresh install, compile) the closed-loop kernels before the first
    HEARTBEAT, with a 1 s throwaway flight: a launch must not stall the link."""
    from longwing.cli_fly import note_compile
    from longwing.mission.items import MissionItem
    from longwing.mission.model import Home, Mission
    from longwing.sim.runner import FlightScenario, fly

    note_compile()
    home = Home(0.0, 0.0, 0.0)
    m = Mission(home=home, items=(MissionItem.waypoint(0.1, 0.0, 100.0),))
    fly(FlightScenario(airframe, m, max_duration_s=1.0))


def serve(
    vehicles, speedup: float, duration_s: float | None = None, stop: StopRequest | None = None
) -> None:
    """Run the vehicles in lockstep at ``speedup`` x real time (all advance one slice per
    iteration; the loop waits for the wall clock, never the other way round) until
    ``duration_s`` of sim time or ``stop`` is requested; then close every link and tlog."""
    stop = stop if stop is not None else StopRequest()
    wall0 = time.monotonic()
    t0 = vehicles[0].sim_t
    flush_wall = wall0 + TLOG_FLUSH_S
    try:
        while not stop.requested and (duration_s is None or vehicles[0].sim_t - t0 < duration_s):
            for v in vehicles:
                for ep, msg in v.links.poll(0.0):
                    v.handle(msg, ep)
                v.step()
            lag = (vehicles[0].sim_t - t0) / speedup - (time.monotonic() - wall0)
            while lag > 0.0 and not stop.requested:  # wait for the wall clock, serving meanwhile
                for v in vehicles:
                    for ep, msg in v.links.poll(lag / len(vehicles)):
                        v.handle(msg, ep)
                lag = (vehicles[0].sim_t - t0) / speedup - (time.monotonic() - wall0)
            if lag < -STALL_S:  # fell behind (a stall): carry on from now, no burst
                wall0 = time.monotonic()
                t0 = vehicles[0].sim_t
            if time.monotonic() >= flush_wall:
                for v in vehicles:
                    v.links.flush()
                flush_wall = time.monotonic() + TLOG_FLUSH_S
    finally:
        for v in vehicles:
            v.logs.finish()  # the flight's DataFlash log, as far as it flew
            v.links.close()


def banner(vehicles, speedup: float, bind: str) -> list[str]:
    """The start lines: where each instance listens and sends, and its tlog."""
    scope = "this machine only" if bind_warning(bind) is None else "reachable from the network"
    lines = [f"longwing sitl: {len(vehicles)} vehicle(s) at {speedup:g}x, MAVLink ports bound "
             f"to {bind} ({scope})"]  # fmt: skip
    for k, v in enumerate(vehicles):
        gcs, sdk, tcp = v.links.links
        lines.append(
            f"  instance {k} (sysid {v.sysid}): GCS udp {gcs.addr[0]}:{gcs.addr[1]}, MAVSDK udp "
            f"{sdk.addr[0]}:{sdk.addr[1]}, MAVProxy tcp:{tcp.host}:{tcp.port}, "
            f"tlog {v.links.tlog.path}"
        )
    lines.append("Ctrl-C or SIGTERM stops it (exit code 0)")
    return lines


def sitl(
    airframe: Annotated[str, typer.Option(help="Bundled airframe or TOML file.")] = "aerosonde",
    home: Annotated[str | None, typer.Option(help="LAT,LON,ALT (deg, deg, m AMSL).")] = None,
    mission: Annotated[
        Path | None, typer.Option(help="Mission to preload (.plan/.waypoints).")
    ] = None,
    speedup: Annotated[float, typer.Option(help="Sim time per wall time (lockstep).")] = 1.0,
    wind: Annotated[str, typer.Option(help="DIR_DEG@SPEED_MPS or layers.")] = "calm",
    wind_file: Annotated[
        Path | None,
        typer.Option(help="The truth's wind: GRIB2, NetCDF or CSV grid (needs --mission)."),
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(help="Launch time, ISO 8601 UTC, for --wind-file [its first time]."),
    ] = None,
    turbulence: Annotated[str, typer.Option(help="none|light|moderate|severe")] = "none",
    dem: DemOption = None,
    min_clearance_m: Annotated[
        float, typer.Option(help="With --dem: the terrain clearance arming requires, m.")
    ] = 50.0,
    seed: Annotated[int, typer.Option(help="Random seed (instance k: seed + k).")] = 1,
    instances: Annotated[
        int, typer.Option(help="Vehicles: sysid 1..K; UDP ports + 20 k, TCP + 10 k.")
    ] = 1,
    gcs: Annotated[str, typer.Option(help="UDP out to the GCS.")] = "127.0.0.1:14550",
    mavsdk: Annotated[str, typer.Option(help="UDP out to MAVSDK.")] = "127.0.0.1:14540",
    tcp_port: Annotated[int, typer.Option(help="TCP server port (MAVProxy).")] = 5760,
    bind: Annotated[
        str,
        typer.Option(help="Listen on this IPv4 address (0.0.0.0: every interface; warned)."),
    ] = "127.0.0.1",
    duration_s: Annotated[
        float | None, typer.Option(help="Stop after this much sim time, s.")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="sitl folder (reused): params, a new tlog per session.")
    ] = Path("runs/sitl"),
) -> None:
    """Run the simulated vehicle(s) as ArduPlane on MAVLink 2 (Ctrl-C or SIGTERM stops it,
    exit code 0)."""
    if not (math.isfinite(speedup) and 0.01 <= speedup <= 10000.0):
        raise UsageFailure(f"--speedup {speedup:g} must be in [0.01, 10000]")
    if duration_s is not None and not (math.isfinite(duration_s) and duration_s > 0.0):
        raise UsageFailure("--duration-s must be > 0")
    if not (math.isfinite(min_clearance_m) and min_clearance_m >= 0.0):
        raise UsageFailure("--min-clearance-m must be >= 0")
    with stop_on_signals(StopRequest()) as stop:
        vehicles = build_vehicles(airframe, home, mission, wind, turbulence, seed, instances,
                                  gcs, mavsdk, tcp_port, out_dir, speedup, bind, wind_file,
                                  start_time, duration_s, dem, min_clearance_m)  # fmt: skip
        bind = parse_bind(bind)
        try:
            warm_up(vehicles[0].af)
        except BaseException:
            for v in vehicles:
                v.links.close()
            raise
        warning = bind_warning(bind)
        if warning is not None:
            err.print(warning, markup=False, highlight=False, soft_wrap=True)
        for line in banner(vehicles, speedup, bind):
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        serve(vehicles, speedup, duration_s, stop)
        why = f"by {stop.name}" if stop.requested else "at the end of --duration-s"
        err.print(f"longwing sitl: stopped {why}; tlogs closed", markup=False, highlight=False)
