"""MAVLink 2 transports for the simulated vehicle: UDP to a GCS, a TCP server, a .tlog.

* :class:`UdpLink` sends to a fixed address (QGroundControl listens on 127.0.0.1:14550,
  MAVSDK on 14540) from its own socket and reads the replies that come back to it, as
  ArduPilot SITL's "udpclient" outputs do.
* :class:`TcpServer` listens (MAVProxy ``--master=tcp:127.0.0.1:5760``) and keeps any number
  of clients; each is a link of its own.
* :class:`Links` polls them all without blocking and parses the bytes with one pymavlink
  parser per link in robust mode: a bad CRC, a truncated frame or an unknown id becomes a
  ``BAD_DATA`` message that the caller drops, never an exception. A UDP datagram is parsed
  on its own (a frame never spans datagrams, so a garbage datagram cannot swallow the next
  one); a TCP stream is parsed as a stream.
* Every endpoint (a UDP link, a TCP client) is a link of its own, as a SERIALn port is to
  ArduPilot: :meth:`Links.send_to` answers the one that asked, :meth:`Links.send` goes to
  all; each endpoint carries its own stream rates (``rates``, ``next_send``) and the
  systems seen on it (``seen``), so a message addressed to a system goes where it lives.
* :class:`TlogWriter` writes every message sent and received as a telemetry log that
  pymavlink and MAVExplorer read: an 8-byte big-endian microsecond timestamp before each frame.
  A tlog is always a new file (:func:`open_new_tlog`): an earlier session's is never replaced.

Every socket listens on ``bind_host``: the loopback address (127.0.0.1) unless the caller
asks for another, so the simulated vehicle cannot be commanded from the network by default.

Wall-clock time appears here only, at the edge (tlog timestamps); the simulation's time is
the vehicle's.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

MAX_DATAGRAM = 65535
MAX_DATAGRAMS_PER_POLL = 64  # the rest waits for the next poll (the kernel buffers it)
MAX_TCP_READS_PER_POLL = 4  # x 64 KiB
ACCEPT_EVERY_S = 0.05  # how often the TCP server looks for new clients (wall time)
UDP_RCVBUF_BYTES = 4 << 20  # asked of the kernel (it may cap it at net.core.rmem_max)
LOOPBACK = "127.0.0.1"
MAX_TLOG_SUFFIX = 999  # session-STAMP-2.tlog ... session-STAMP-999.tlog on name collisions


class RouteError(OSError):
    """A UDP destination that cannot be reached from the address the link is bound to."""


def new_parser(sysid: int = 255, compid: int = 0) -> mavlink2.MAVLink:
    """A pymavlink MAVLink 2 parser/encoder that never raises on bad input."""
    mav = mavlink2.MAVLink(None, srcSystem=sysid, srcComponent=compid)
    mav.robust_parsing = True
    return mav


@dataclass(eq=False)
class _Endpoint:
    name: str
    parser: mavlink2.MAVLink = field(default_factory=new_parser)
    rx_bytes: int = 0
    rx_msgs: int = 0
    rx_bad: int = 0
    last_rx_wall: float = 0.0
    datagrams: bool = False  # UDP: each read is a whole number of frames
    write: object = None  # bytes -> None: sends to this endpoint only
    rates: dict = field(default_factory=dict)  # message name -> Hz (the vehicle sets them)
    next_send: dict = field(default_factory=dict)  # message name -> wall time due
    seen: set = field(default_factory=set)  # (sysid, compid) heard on this endpoint
    tx_seq: int = 0  # the sequence number of our next frame here (one series per link)
    channel: int = 0  # ArduPilot's link number n, whose SRn_ stream rates apply
    next_any: float = 0.0  # wall time the next stream message is due (0: rates changed)


Endpoint = _Endpoint


class UdpLink:
    """Send to ``(host, port)``; receive what comes back to our socket, which is bound to
    ``(bind_host, bind_port)``. OSError if it cannot bind; :class:`RouteError` if ``host``
    cannot be reached from ``bind_host`` (e.g. another machine from 127.0.0.1)."""

    def __init__(self, host: str, port: int, bind_port: int = 0, bind_host: str = LOOPBACK) -> None:
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.setblocking(False)
            # room for a burst (garbage from anyone on the port must not crowd out the GCS)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RCVBUF_BYTES)
            self.sock.bind((bind_host, bind_port))
            _check_route(bind_host, self.addr)
        except OSError:
            self.sock.close()
            raise
        self.ep = _Endpoint(f"udp:{host}:{port}", datagrams=True, write=self.send)
        self.peer: tuple[str, int] | None = None

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendto(data, self.addr)
        except OSError:
            pass  # nobody listening (ICMP port unreachable): a GCS may come later

    def read(self) -> list[tuple[_Endpoint, bytes]]:
        out = []
        for _ in range(MAX_DATAGRAMS_PER_POLL):  # a budget per poll: a flood cannot stall
            try:
                data, peer = self.sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break  # e.g. ECONNREFUSED reported for an earlier send
            self.peer = peer
            out.append((self.ep, data))
        return out

    def close(self) -> None:
        self.sock.close()


def _check_route(bind_host: str, addr: tuple[str, int]) -> None:
    """RouteError if a datagram from ``bind_host`` cannot go to ``addr`` (the kernel's route
    lookup, by connecting a throwaway socket: nothing is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.bind((bind_host, 0))
        probe.connect(addr)
    except OSError as exc:
        raise RouteError(exc.errno, exc.strerror) from None
    finally:
        probe.close()


class TcpServer:
    """A TCP socket listening on ``(host, port)``; every accepted client is an endpoint."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((host, port))
            self.sock.listen(8)
            self.sock.setblocking(False)
        except OSError:
            self.sock.close()
            raise
        self.host, self.port = self.sock.getsockname()[:2]
        self.clients: dict[socket.socket, _Endpoint] = {}
        self.channel = 0  # the SRn_ link number of its clients (set by Links)
        self.next_accept = 0.0

    def accept(self) -> None:
        now = time.monotonic()
        if now < self.next_accept:
            return  # a new client waits at most ACCEPT_EVERY_S
        self.next_accept = now + ACCEPT_EVERY_S
        while True:
            try:
                conn, peer = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.clients[conn] = _Endpoint(f"tcp:{peer[0]}:{peer[1]}", write=self._sender(conn),
                                           channel=self.channel)  # fmt: skip

    def send(self, data: bytes) -> None:
        for conn in list(self.clients):
            self._send_one(conn, data)

    def _sender(self, conn: socket.socket):
        return lambda data: self._send_one(conn, data)

    def _send_one(self, conn: socket.socket, data: bytes) -> None:
        if conn not in self.clients:
            return  # gone
        try:
            conn.sendall(data)
        except OSError:
            self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        self.clients.pop(conn, None)
        try:
            conn.close()
        except OSError:
            pass

    def read(self) -> list[tuple[_Endpoint, bytes]]:
        self.accept()
        out = []
        for conn, ep in list(self.clients.items()):
            for _ in range(MAX_TCP_READS_PER_POLL):  # a budget per poll, as for UDP
                try:
                    data = conn.recv(MAX_DATAGRAM)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    self._drop(conn)
                    break
                if not data:
                    self._drop(conn)
                    break
                out.append((ep, data))
        return out

    def close(self) -> None:
        for conn in list(self.clients):
            self._drop(conn)
        self.sock.close()


class TlogWriter:
    """Every frame with an 8-byte big-endian microsecond timestamp (the .tlog format), in a
    file created here: FileExistsError if ``path`` exists (a tlog is never overwritten)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.f = open(self.path, "xb")  # noqa: SIM115 - kept open for the session

    def write(self, frame: bytes) -> None:
        self.f.write(struct.pack(">Q", int(time.time() * 1e6)) + frame)

    def flush(self) -> None:
        self.f.flush()

    def close(self) -> None:
        self.f.close()


def open_new_tlog(folder: str | os.PathLike[str], stem: str) -> TlogWriter:
    """A new tlog in the existing ``folder``: ``stem.tlog``, or ``stem-2.tlog``, ``stem-3.tlog``
    ... if taken (each created exclusively, so two sessions never share or replace one)."""
    folder = Path(folder)
    for n in range(1, MAX_TLOG_SUFFIX + 1):
        try:
            return TlogWriter(folder / (f"{stem}.tlog" if n == 1 else f"{stem}-{n}.tlog"))
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: {stem}.tlog and {MAX_TLOG_SUFFIX - 1} numbered ones exist")


class Links:
    """All transports of one vehicle: poll, parse, send to all or one."""

    def __init__(self, links: list, tlog: TlogWriter | None = None) -> None:
        """``links`` in the SITL's order: the GCS UDP link, the MAVSDK UDP link, the TCP
        server. Their SRn_ numbers are ArduPilot SITL's: TCP clients (MAVProxy's port,
        SERIAL0) 0, then the UDP links 1, 2, ..."""
        self.links = links
        self.tlog = tlog
        n_udp = 0
        for lk in links:
            if isinstance(lk, TcpServer):
                lk.channel = 0
            else:
                n_udp += 1
                lk.ep.channel = n_udp

    def poll(self, timeout_s: float = 0.0) -> list[tuple[_Endpoint, object]]:
        """Messages received since the last poll (bad frames dropped and counted)."""
        socks = [lk.sock for lk in self.links]
        for lk in self.links:
            if isinstance(lk, TcpServer):
                socks += list(lk.clients)
        if timeout_s > 0.0:
            try:
                select.select(socks, [], [], timeout_s)
            except (OSError, ValueError):
                pass
        out = []
        for lk in self.links:
            for ep, data in lk.read():
                ep.rx_bytes += len(data)
                ep.last_rx_wall = time.monotonic()
                if ep.datagrams:  # a frame never spans datagrams: forget any partial one
                    ep.parser.buf = bytearray()
                    ep.parser.buf_index = 0
                    ep.parser.expected_length = mavlink2.HEADER_LEN_V1 + 2
                try:
                    msgs = ep.parser.parse_buffer(data) or []
                except Exception:  # pymavlink in robust mode should not raise; be sure
                    ep.rx_bad += 1
                    continue
                for m in msgs:
                    if m.get_type() == "BAD_DATA":
                        ep.rx_bad += 1
                        continue
                    ep.rx_msgs += 1
                    ep.seen.add((m.get_srcSystem(), m.get_srcComponent()))
                    if self.tlog is not None:
                        self.tlog.write(m.get_msgbuf())
                    out.append((ep, m))
        return out

    def send(self, frame: bytes) -> None:
        for lk in self.links:
            lk.send(frame)
        if self.tlog is not None:
            self.tlog.write(frame)

    def send_to(self, ep: _Endpoint, frame: bytes, log: bool = True) -> None:
        """To one endpoint only (a reply to what it sent); ``log``: into the tlog too."""
        ep.write(frame)
        if log and self.tlog is not None:
            self.tlog.write(frame)

    def endpoints(self) -> list[_Endpoint]:
        """Every link: the UDP links and the TCP clients connected now."""
        out = []
        for lk in self.links:
            if isinstance(lk, TcpServer):
                out += list(lk.clients.values())
            else:
                out.append(lk.ep)
        return out

    def endpoint_of(self, sysid: int, compid: int) -> _Endpoint | None:
        """The endpoint a system was last heard on (None: not heard, or on several)."""
        found = [ep for ep in self.endpoints() if (sysid, compid) in ep.seen]
        return found[0] if len(found) == 1 else None

    def flush(self) -> None:
        """Write the buffered tlog out (a reader sees the session so far)."""
        if self.tlog is not None:
            self.tlog.flush()

    def close(self) -> None:
        """Close every socket, then flush and close the tlog."""
        for lk in self.links:
            lk.close()
        if self.tlog is not None:
            self.tlog.close()
