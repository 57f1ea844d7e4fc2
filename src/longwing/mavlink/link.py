"""MAVLink 2 transports for the simulated vehicle: UDP to a GCS, a TCP server, a .tlog.

* :class:`UdpLink` sends to a fixed address (QGroundControl listens on 127.0.0.1:14550,
  MAVSDK on 14540) from its own socket and reads the replies that come back to it, as
  ArduPilot SITL's "udpclient" outputs do.
* :class:`TcpServer` listens (MAVProxy ``--master=tcp:127.0.0.1:5760``) and keeps any number
  of clients; each is a link of its own.
* :class:`Links` polls them all without blocking and parses the bytes with one pymavlink
  parser per link in robust mode: a bad CRC, a truncated frame or an unknown id becomes a
  ``BAD_DATA`` message that the caller drops, never an exception.
* :class:`TlogWriter` writes every message sent and received as a telemetry log that
  pymavlink and MAVExplorer read: an 8-byte big-endian microsecond timestamp before each frame.

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


def new_parser(sysid: int = 255, compid: int = 0) -> mavlink2.MAVLink:
    """A pymavlink MAVLink 2 parser/encoder that never raises on bad input."""
    mav = mavlink2.MAVLink(None, srcSystem=sysid, srcComponent=compid)
    mav.robust_parsing = True
    return mav


@dataclass
class _Endpoint:
    name: str
    parser: mavlink2.MAVLink = field(default_factory=new_parser)
    rx_bytes: int = 0
    rx_msgs: int = 0
    rx_bad: int = 0
    last_rx_wall: float = 0.0


class UdpLink:
    """Send to ``(host, port)``; receive what comes back to our socket."""

    def __init__(self, host: str, port: int, bind_port: int = 0) -> None:
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind(("0.0.0.0", bind_port))
        self.ep = _Endpoint(f"udp:{host}:{port}")
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


class TcpServer:
    """A listening TCP socket; every accepted client is an endpoint."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.clients: dict[socket.socket, _Endpoint] = {}

    def accept(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.clients[conn] = _Endpoint(f"tcp:{peer[0]}:{peer[1]}")

    def send(self, data: bytes) -> None:
        for conn in list(self.clients):
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
    """Every frame with an 8-byte big-endian microsecond timestamp (the .tlog format)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(self.path, "wb")  # noqa: SIM115 - kept open for the session

    def write(self, frame: bytes) -> None:
        self.f.write(struct.pack(">Q", int(time.time() * 1e6)) + frame)

    def close(self) -> None:
        self.f.close()


class Links:
    """All transports of one vehicle: poll, parse, send to all or one."""

    def __init__(self, links: list, tlog: TlogWriter | None = None) -> None:
        self.links = links
        self.tlog = tlog

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
                    if self.tlog is not None:
                        self.tlog.write(m.get_msgbuf())
                    out.append((ep, m))
        return out

    def send(self, frame: bytes) -> None:
        for lk in self.links:
            lk.send(frame)
        if self.tlog is not None:
            self.tlog.write(frame)

    def close(self) -> None:
        for lk in self.links:
            lk.close()
        if self.tlog is not None:
            self.tlog.close()
