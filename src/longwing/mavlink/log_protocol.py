"""The SITL's DataFlash logs: one ``.bin`` per flight in its log folder, and the MAVLink log
protocol that lists, downloads and erases them (LOG_REQUEST_LIST, LOG_REQUEST_DATA,
LOG_ERASE, LOG_REQUEST_END), as ArduPilot serves its ``logs/`` folder.

Files are ArduPilot's names, ``00000001.BIN``, ``00000002.BIN``, ... numbered on from the
highest in the folder (so sessions that reuse the folder never overwrite one). A flight's log
streams into a hidden ``.NNNNNNNN.BIN.partial`` and is renamed when the flight ends (or the
SITL stops): the protocol serves finished logs only. A partial log left by a SITL that was
killed is renamed at the next start (its records up to the kill are readable).

The protocol numbers logs 1..N, oldest first (LOG_ENTRY ``id``, ``num_logs``,
``last_log_num`` = N), as ArduPilot numbers its list; ``time_utc`` is the file's modification
time, ``size`` its bytes. LOG_REQUEST_DATA starts a transfer of ``count`` bytes from ``ofs``
(clipped to the file), sent as LOG_DATA of 90 bytes at :data:`DATA_RATE_HZ` of wall time
(whatever the speed-up: a ground station reads at its own pace), in bursts of at most
:data:`DATA_BURST` per :meth:`VehicleLogs.tick`; a transfer that reaches the end of the file
ends with a short LOG_DATA (``count`` < 90, 0 if the size is a multiple of 90), which is how
a GCS knows the download is complete. A new request replaces the transfer; LOG_REQUEST_END stops it.
LOG_ERASE deletes every finished log. Requests for logs that do not exist are ignored, as
ArduPilot does; nothing a GCS sends raises out of :meth:`VehicleLogs.handle`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from longwing.logs.dataflash_flight import FlightDataflash

LOG_NAME = re.compile(r"^(\d{8})\.BIN$")
PARTIAL = re.compile(r"^\.(\d{8})\.BIN\.partial$")
DATA_LEN = 90  # bytes per LOG_DATA
DATA_RATE_HZ = 3000.0  # LOG_DATA messages per second of wall time (270 kB/s)
DATA_BURST = 32  # the most sent by one tick
ALL_LOGS = 0xFFFF
FLUSH_ROWS = 256  # log rows held before they are written (25 s of flight at 10 Hz)


@dataclass
class _Transfer:
    log_id: int
    path: Path
    ofs: int
    end: int  # the byte after the last one to send
    to_eof: bool  # the request reaches the end of the file (ends with a short LOG_DATA)


class VehicleLogs:
    """The log folder of one SITL vehicle (``folder`` None: no logs, no protocol answers).
    ``mav`` is the vehicle's pymavlink encoder."""

    def __init__(self, folder: str | os.PathLike[str] | None, mav,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.folder = None if folder is None else Path(folder)
        self.mav = mav
        self.clock = clock
        self._budget = 0.0  # LOG_DATA messages that may go now
        self._budget_t = clock()
        self.writer: FlightDataflash | None = None
        self._file = None
        self._partial: Path | None = None
        self.transfer: _Transfer | None = None
        self.asker = None  # the link endpoint of the transfer's request (LOG_DATA goes there)
        if self.folder is not None:
            self._recover()

    # --- the folder -------------------------------------------------------------------------

    def logs(self) -> list[Path]:
        """Finished logs, oldest (lowest number) first."""
        if self.folder is None:
            return []
        try:
            names = [p.name for p in self.folder.iterdir()]
        except OSError:
            return []
        return [self.folder / n for n in sorted(n for n in names if LOG_NAME.match(n))]

    def _next_number(self) -> int:
        numbers = [0]
        for p in self.folder.iterdir():
            m = LOG_NAME.match(p.name) or PARTIAL.match(p.name)
            if m:
                numbers.append(int(m.group(1)))
        return max(numbers) + 1

    def _recover(self) -> None:
        """Rename the partial logs of a SITL that was killed to their finished names."""
        try:
            for p in self.folder.iterdir():
                m = PARTIAL.match(p.name)
                if m and not (self.folder / f"{m.group(1)}.BIN").exists():
                    p.rename(self.folder / f"{m.group(1)}.BIN")
        except OSError:
            pass

    # --- recording a flight -----------------------------------------------------------------

    def start(self, flight, columns: Sequence[str], params,
              time_offset_s: float) -> FlightDataflash | None:  # fmt: skip
        """A new log for ``flight`` (finishing any log still open): the writer to hand to
        ``flight.stream_log_to``, or None without a folder. ``params``: a ParamStore or
        None."""
        self.finish()
        if self.folder is None:
            return None
        triples = []
        if params is not None:
            triples = [(n, float(v), float(params.info(n).default))
                       for n, v in params.values().items()]  # fmt: skip
        try:
            number = self._next_number()
            self._partial = self.folder / f".{number:08d}.BIN.partial"
            self._file = open(self._partial, "wb")  # noqa: SIM115 - closed in finish()
            self.writer = FlightDataflash(self._file, flight, columns, triples,
                                          time_offset_s=time_offset_s,
                                          flush_rows=FLUSH_ROWS)  # fmt: skip
        except OSError:  # the folder went away or is full: this flight keeps no log
            if self._file is not None:
                self._file.close()
            self.writer = self._file = self._partial = None
        return self.writer

    def finish(self) -> None:
        """Close the flight's log (the flight ended or the SITL stops) and give it its name."""
        if self.writer is None:
            return
        try:
            try:
                self.writer.close()
            finally:
                self._file.close()
            self._partial.rename(self._partial.parent / self._partial.name[1 : -len(".partial")])
        except OSError:  # a full disk: the partial log is renamed at the next start
            pass
        finally:
            self.writer = self._file = self._partial = None

    # --- the protocol -----------------------------------------------------------------------

    def handle(self, msg, ep=None) -> list:
        """Replies to a LOG_* message received on endpoint ``ep`` (empty for others or
        without a folder)."""
        if self.folder is None:
            return []
        try:
            t = msg.get_type()
            if t == "LOG_REQUEST_LIST":
                return self._list(int(msg.start), int(msg.end))
            if t == "LOG_REQUEST_DATA":
                self.asker = ep
                return self._request(int(msg.id), int(msg.ofs), int(msg.count))
            if t == "LOG_ERASE":
                self.transfer = None
                for p in self.logs():
                    p.unlink(missing_ok=True)
            elif t == "LOG_REQUEST_END":
                self.transfer = None
        except (OSError, ValueError, AttributeError):
            self.transfer = None
        return []

    def _list(self, start: int, end: int) -> list:
        logs = self.logs()
        n = len(logs)
        if n == 0:  # ArduPilot: one empty entry
            return [self.mav.log_entry_encode(0, 0, 0, 0, 0)]
        if end == ALL_LOGS or end > n:
            end = n
        start = max(start, 1)
        out = []
        for log_id in range(start, end + 1):
            st = logs[log_id - 1].stat()
            out.append(self.mav.log_entry_encode(log_id, n, n, int(st.st_mtime) & 0xFFFFFFFF,
                                                 st.st_size & 0xFFFFFFFF))  # fmt: skip
        return out

    def _request(self, log_id: int, ofs: int, count: int) -> list:
        logs = self.logs()
        if not 1 <= log_id <= len(logs):
            return []
        path = logs[log_id - 1]
        size = path.stat().st_size
        ofs = min(ofs, size)
        end = min(size, ofs + count)
        self.transfer = _Transfer(log_id, path, ofs, end, ofs + count >= size)
        self._budget, self._budget_t = float(DATA_BURST), self.clock()
        return self.tick()

    def tick(self) -> list:
        """The next LOG_DATA messages of the transfer in progress."""
        tr = self.transfer
        if tr is None:
            return []
        now = self.clock()
        self._budget = min(DATA_BURST, self._budget + (now - self._budget_t) * DATA_RATE_HZ)
        self._budget_t = now
        n_send = int(self._budget)
        if n_send < 1:
            return []
        self._budget -= n_send
        out = []
        try:
            with open(tr.path, "rb") as f:
                f.seek(tr.ofs)
                for _ in range(n_send):
                    n = min(DATA_LEN, tr.end - tr.ofs)
                    if n <= 0 and not tr.to_eof:
                        self.transfer = None
                        break
                    data = f.read(n) if n > 0 else b""
                    out.append(self.mav.log_data_encode(tr.log_id, tr.ofs, len(data),
                                                        data.ljust(DATA_LEN, b"\0")))  # fmt: skip
                    tr.ofs += len(data)
                    if len(data) < DATA_LEN:  # the short packet that ends the log
                        self.transfer = None
                        break
        except OSError:  # erased or unreadable meanwhile
            self.transfer = None
        return out
