"""MAVFTP: the MAVLink FILE_TRANSFER_PROTOCOL server of the vehicle, as ArduPilot's
GCS_FTP, read-only. No sockets: :meth:`VehicleFtp.handle` takes a received message and
returns the replies.

Files served:

* ``@PARAM/param.pck`` (and its ``?start=&count=&withdefaults=`` forms): every parameter
  in ArduPilot's packed format (:mod:`longwing.mavlink.param_pack`), which MAVProxy and
  QGroundControl fetch instead of a PARAM_VALUE list. The values are taken at the first
  read of a session; the padding follows that read's size.
* ``/APM/LOGS/<name>``: the regular files of the instance's log folder (the SITL's
  ``--out``/instanceK: tlogs, .parm, DataFlash logs), read from disk at each request, up to
  the size the file had when opened (the session's own tlog grows with every reply sent:
  read to its end it would never end).

Directories: ``/`` lists ``@PARAM`` and ``APM``, ``/APM`` lists ``LOGS``, ``/APM/LOGS`` the
log files (``F<name>\\t<size>``), ``@PARAM`` the packed file.

Payload (251 bytes): seq uint16, session, opcode, size, req_opcode, burst_complete, pad,
offset uint32, data[239]. Replies carry seq + 1, the request's session and opcode
(``req_opcode``), ACK (128) or NAK (129) with the error code in ``data[0]`` (FailErrno:
errno in ``data[1]``). Handled: None (ACK), TerminateSession, ResetSessions, ListDirectory,
OpenFileRO, ReadFile, BurstReadFile, CalcFileCRC32 (ArduPilot's crc_crc32: the reflected
CRC-32 table from 0, no final inversion). Everything else, the write operations included
(nothing here can be written), is answered NAK UnknownCommand, as ArduPilot answers an
opcode it does not implement; ACK/NAK from a client are ignored. A request whose ``size``
exceeds the data field gets NAK InvalidDataSize; a file name with a bad length too.

Sessions are keyed by (sysid, compid, session id) with ArduPilot's rules: one open file per
session (opening a second: NAK Fail, unless the first was idle 3 s), at most
:data:`MAX_SESSIONS` (a new one takes the least recently used if idle for 3 s, else NAK
NoSessionsAvailable), closed after 20 s idle. A request repeating the last one answered
(its seq + 1 equals the last reply's) gets that reply again. Bursts send up to
:data:`BURST_PACKETS` data packets, the last one flagged ``burst_complete`` (the client asks
for the next burst) or a NAK EndOfFile at the end of the file.
"""

from __future__ import annotations

import errno
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mavlink.param_pack import (
    PackRequest,
    estimated_size,
    pack_params,
    parse_pack_name,
)
from longwing.mavlink.params import ParamStore

PAYLOAD_LEN = 251
DATA_LEN = 239
HEADER = struct.Struct("<HBBBBBBI")  # seq, session, opcode, size, req_opcode, burst, pad, ofs
MAX_SESSIONS = 4
SESSION_BUSY_S = 3.0  # FTP_SESSION_TIMEOUT
SESSION_KILL_S = 20.0  # FTP_SESSION_KILL_TIMEOUT
BURST_PACKETS = 200  # data packets per BurstReadFile (ArduPilot: up to 2000, paced)

# opcodes (GCS_FTP.h FTP_OP)
OP_NONE, OP_TERMINATE, OP_RESET, OP_LIST, OP_OPEN_RO, OP_READ = 0, 1, 2, 3, 4, 5
OP_CRC32, OP_BURST_READ, OP_ACK, OP_NAK = 14, 15, 128, 129
# errors (FTP_ERROR)
ERR_FAIL, ERR_FAIL_ERRNO, ERR_INVALID_DATA_SIZE, ERR_INVALID_SESSION = 1, 2, 3, 4
ERR_NO_SESSIONS, ERR_EOF, ERR_UNKNOWN_COMMAND, ERR_FILE_NOT_FOUND = 5, 6, 7, 10

PARAM_DIR = "@PARAM"
LOG_DIR = "APM/LOGS"


@dataclass
class Request:
    seq: int
    session: int
    opcode: int
    size: int
    req_opcode: int
    burst_complete: int
    offset: int
    data: bytes  # DATA_LEN bytes


@dataclass
class Reply:
    seq: int
    session: int
    opcode: int = OP_ACK
    size: int = 0
    req_opcode: int = 0
    burst_complete: bool = False
    offset: int = 0
    data: bytearray = field(default_factory=lambda: bytearray(DATA_LEN))

    def payload(self) -> list[int]:
        head = HEADER.pack(self.seq & 0xFFFF, self.session, self.opcode, self.size,
                           self.req_opcode, int(self.burst_complete), 0, self.offset)  # fmt: skip
        return list(head + bytes(self.data))

    def nak(self, error: int, err_no: int | None = None) -> Reply:
        self.opcode = OP_NAK
        self.data = bytearray(DATA_LEN)
        self.data[0] = error
        self.size = 1
        if err_no is not None:
            self.data[1] = err_no & 0xFF
            self.size = 2
        return self


@dataclass
class _OpenFile:
    path: str  # as asked
    log_file: Path | None = None  # a log file; None: the packed parameters
    log_size: int = 0  # its size when opened: what is served (the live tlog grows)
    pack: PackRequest | None = None
    read_size: int = 0
    content: bytes | None = None  # the packed parameters, built at the first read


@dataclass
class _Session:
    key: tuple[int, int, int]
    last_s: float
    file: _OpenFile | None = None


def parse_request(payload: object) -> Request | None:
    """The request in a FILE_TRANSFER_PROTOCOL payload (missing bytes read as zero, as a
    MAVLink 2 receiver does), or None if it is not a sequence of bytes."""
    try:
        raw = bytes(payload)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    raw = raw[:PAYLOAD_LEN].ljust(PAYLOAD_LEN, b"\0")
    seq, session, opcode, size, req_op, burst, _pad, offset = HEADER.unpack_from(raw)
    return Request(seq, session, opcode, size, req_op, burst, offset, raw[HEADER.size :])


def ardupilot_crc32(data: bytes, crc: int = 0) -> int:
    """ArduPilot's crc_crc32 (reflected CRC-32 table, no inversions) continuing ``crc``."""
    return (~zlib.crc32(data, ~crc & 0xFFFFFFFF)) & 0xFFFFFFFF


def _name(req: Request) -> str | None:
    """The path in a request's data (GCS_FTP check_name_len: ``size`` is the length, or the
    length plus its terminating NUL); None if malformed or not ASCII."""
    n = req.data.find(b"\0")
    n = DATA_LEN if n < 0 else n
    if req.size == 0 or not (n == req.size or (req.size - n == 1 and req.data[-1] == 0)):
        return None
    try:
        return req.data[:n].decode("ascii")
    except UnicodeDecodeError:
        return None


class VehicleFtp:
    """The vehicle's MAVFTP server (see the module doc). ``log_dir``: the folder served as
    ``/APM/LOGS`` (None: an empty folder); ``clock``: seconds, monotonic (session timeouts)."""

    def __init__(self, mav: mavlink2.MAVLink, store: ParamStore | None,
                 log_dir: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.mav = mav
        self.store = store
        self.log_dir = log_dir
        self.clock = clock
        self.sessions: dict[tuple[int, int, int], _Session] = {}
        self.last: tuple[int, int, Reply] | None = None  # sysid, compid, the last reply

    # --- the message ----------------------------------------------------------------------

    def handle(self, msg: object) -> list[mavlink2.MAVLink_message]:
        """The replies to a FILE_TRANSFER_PROTOCOL message (others: none). Never raises on
        what a sender put in the message."""
        get_type = getattr(msg, "get_type", None)
        if not callable(get_type) or get_type() != "FILE_TRANSFER_PROTOCOL":
            return []
        try:
            ts, tc = int(msg.target_system), int(msg.target_component)  # type: ignore[attr-defined]
            src = (int(msg.get_srcSystem()), int(msg.get_srcComponent()))  # type: ignore[attr-defined]
        except (AttributeError, TypeError, ValueError):
            return []
        if ts not in (0, self.mav.srcSystem) or tc not in (0, self.mav.srcComponent):
            return []
        req = parse_request(getattr(msg, "payload", None))
        if req is None:
            return []
        try:
            replies = self._dispatch(req, src)
        except (OSError, ValueError, OverflowError, struct.error):  # a file that went away
            replies = [self._reply(req).nak(ERR_FAIL)]
        return [self._encode(r, src) for r in replies]

    def _encode(self, r: Reply, to: tuple[int, int]) -> mavlink2.MAVLink_message:
        return self.mav.file_transfer_protocol_encode(0, to[0], to[1], r.payload())

    @staticmethod
    def _reply(req: Request) -> Reply:
        return Reply(seq=(req.seq + 1) & 0xFFFF, session=req.session, req_opcode=req.opcode)

    # --- sessions -------------------------------------------------------------------------

    def _session(self, req: Request, src: tuple[int, int]) -> _Session | None:
        now = self.clock()
        for key, s in list(self.sessions.items()):
            if now - s.last_s > SESSION_KILL_S:
                del self.sessions[key]
        key = (src[0], src[1], req.session)
        s = self.sessions.get(key)
        if s is None:
            if len(self.sessions) >= MAX_SESSIONS:
                oldest = min(self.sessions.values(), key=lambda x: x.last_s)
                if now - oldest.last_s < SESSION_BUSY_S:
                    return None
                del self.sessions[oldest.key]
            s = self.sessions[key] = _Session(key, now)
        return s

    def _dispatch(self, req: Request, src: tuple[int, int]) -> list[Reply]:
        if req.opcode in (OP_ACK, OP_NAK):
            return []  # not expected from a client: eaten, as ArduPilot
        if req.opcode == OP_RESET:
            for key in [k for k in self.sessions if k[:2] == src]:
                del self.sessions[key]
            return [self._reply(req)]
        last = self.last
        if (last is not None and last[:2] == src and last[2].session == req.session
                and (req.seq + 1) & 0xFFFF == last[2].seq
                and last[2].data[0] != ERR_NO_SESSIONS):  # fmt: skip
            return [last[2]]  # a re-request: the same answer
        s = self._session(req, src)
        reply = self._reply(req)
        if s is None:
            return [reply.nak(ERR_NO_SESSIONS)]
        replies = self._op(s, req, reply)
        s.last_s = self.clock()
        if req.opcode == OP_TERMINATE:
            self.sessions.pop(s.key, None)
        if replies:
            self.last = (src[0], src[1], replies[-1])
        return replies

    def _op(self, s: _Session, req: Request, reply: Reply) -> list[Reply]:
        if req.size > DATA_LEN:
            return [reply.nak(ERR_INVALID_DATA_SIZE)]
        op = req.opcode
        if op == OP_TERMINATE:
            s.file = None
        if op in (OP_NONE, OP_TERMINATE):
            return [reply]
        if op == OP_LIST:
            return [self._list(req, reply)]
        if op == OP_OPEN_RO:
            return [self._open(s, req, reply)]
        if op == OP_CRC32:
            return [self._crc(req, reply)]
        if op in (OP_READ, OP_BURST_READ):
            if s.file is None:
                return [reply.nak(ERR_FILE_NOT_FOUND)]
            if op == OP_READ:
                return [self._read_one(s.file, req.offset, min(DATA_LEN, req.size), reply)]
            return self._burst(s.file, req, reply)
        return [reply.nak(ERR_UNKNOWN_COMMAND)]

    # --- files ----------------------------------------------------------------------------

    @staticmethod
    def _split(path: str) -> str:
        """A path without its leading and trailing slashes ("" is the root)."""
        return path.strip().strip("/")

    def _log_file(self, name: str) -> Path | None:
        if self.log_dir is None or not name or "/" in name or name.startswith("."):
            return None
        p = self.log_dir / name
        return p if p.is_file() and not p.is_symlink() else None

    def _log_entries(self) -> list[Path]:
        if self.log_dir is None or not self.log_dir.is_dir():
            return []
        files = (p for p in self.log_dir.iterdir() if p.is_file() and not p.is_symlink())
        return sorted(p for p in files if not p.name.startswith("."))

    def _entries(self, path: str) -> list[str] | None:
        """The listing of ``path`` as ListDirectory entries, None if it is no directory."""
        p = self._split(path)
        if p in ("", "."):
            return ["D" + PARAM_DIR, "DAPM"]
        if p == "APM":
            return ["DLOGS"]
        if p == LOG_DIR:
            return [f"F{f.name}\t{f.stat().st_size}" for f in self._log_entries()]
        if p == PARAM_DIR and self.store is not None:
            return [f"Fparam.pck\t{estimated_size(self.store)}"]
        return None

    def _list(self, req: Request, reply: Reply) -> Reply:
        reply.offset = req.offset
        path = _name(req)
        if path is None:
            return reply.nak(ERR_INVALID_DATA_SIZE)
        entries = self._entries(path)
        if entries is None:
            return reply.nak(ERR_FILE_NOT_FOUND)
        fitting = [e.encode("utf-8", "replace") + b"\0" for e in entries]
        fitting = [e for e in fitting if len(e) < DATA_LEN]  # never sendable: dropped
        if req.offset >= len(fitting):
            return reply.nak(ERR_EOF)
        out = bytearray()
        for e in fitting[req.offset :]:
            if len(out) + len(e) >= DATA_LEN:
                break
            out += e
        reply.data[: len(out)] = out
        reply.size = len(out)
        return reply

    def _resolve(self, path: str) -> _OpenFile | None:
        p = self._split(path)
        if p.startswith(PARAM_DIR + "/") and self.store is not None:
            pack = parse_pack_name(p[len(PARAM_DIR) + 1 :])
            return None if pack is None else _OpenFile(path, pack=pack)
        if p.startswith(LOG_DIR + "/"):
            f = self._log_file(p[len(LOG_DIR) + 1 :])
            return None if f is None else _OpenFile(path, log_file=f, log_size=f.stat().st_size)
        return None

    def _open(self, s: _Session, req: Request, reply: Reply) -> Reply:
        if s.file is not None and self.clock() - s.last_s > SESSION_BUSY_S:
            s.file = None  # the client gave up on the last open
        if s.file is not None:
            return reply.nak(ERR_FAIL)
        path = _name(req)
        if path is None:
            return reply.nak(ERR_INVALID_DATA_SIZE)
        f = self._resolve(path)
        if f is None:
            return reply.nak(ERR_FILE_NOT_FOUND)
        if f.log_file is not None:
            size = f.log_size
        else:
            size = estimated_size(self.store)  # type: ignore[arg-type]
        s.file = f
        reply.size = 4
        reply.data[:4] = struct.pack("<I", size & 0xFFFFFFFF)
        return reply

    def _read(self, f: _OpenFile, offset: int, count: int) -> bytes | None:
        """Up to ``count`` bytes at ``offset``; None for ArduPilot's EINVAL (a packed
        parameter read of another size than the first)."""
        if f.log_file is not None:
            with f.log_file.open("rb") as fh:
                fh.seek(offset)
                return fh.read(max(0, min(count, f.log_size - offset)))
        if f.read_size == 0 and count > 0:
            f.read_size = count
        if count != f.read_size:
            return None
        if f.content is None:
            f.content = pack_params(self.store, f.pack, f.read_size)  # type: ignore[arg-type]
            if f.content is None:
                return None
        return f.content[offset : offset + count]

    def _read_one(self, f: _OpenFile, offset: int, count: int, reply: Reply) -> Reply:
        data = self._read(f, offset, count)
        if data is None:
            return reply.nak(ERR_FAIL_ERRNO, errno.EINVAL)
        if not data:
            return reply.nak(ERR_EOF)
        reply.offset = offset
        reply.data[: len(data)] = data
        reply.size = len(data)
        return reply

    def _burst(self, f: _OpenFile, req: Request, first: Reply) -> list[Reply]:
        count = min(DATA_LEN, req.size if req.size else DATA_LEN)
        out: list[Reply] = []
        offset, seq = req.offset, first.seq
        for i in range(BURST_PACKETS):
            r = Reply(seq=seq, session=first.session, req_opcode=first.req_opcode, offset=offset)
            data = self._read(f, offset, count)
            if data is None or not data:
                r.burst_complete = True
                out.append(r.nak(ERR_FAIL_ERRNO, errno.EINVAL) if data is None else r.nak(ERR_EOF))
                break
            r.data[: len(data)] = data
            r.size = len(data)
            r.burst_complete = i == BURST_PACKETS - 1
            out.append(r)
            offset += len(data)
            seq = (seq + 1) & 0xFFFF
        return out

    def _crc(self, req: Request, reply: Reply) -> Reply:
        path = _name(req)
        if path is None:
            return reply.nak(ERR_INVALID_DATA_SIZE)
        f = self._resolve(path)
        if f is None:
            return reply.nak(ERR_FILE_NOT_FOUND)
        crc, offset = 0, 0
        while True:
            data = self._read(f, offset, DATA_LEN)
            if not data:
                break
            crc = ardupilot_crc32(data, crc)
            offset += len(data)
        reply.size = 4
        reply.data[:4] = struct.pack("<I", crc)
        return reply
