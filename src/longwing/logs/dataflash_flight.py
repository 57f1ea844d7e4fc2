"""A flight as an ArduPilot DataFlash log (``.bin``), streamed while it flies.

:class:`FlightDataflash` takes the flight's log rows as they are produced (the
:class:`~longwing.logs.logfile.LogWriter` interface: ``append(rows, labels)``, ``close()``), so
a 27 h flight is written block by block and never held in memory. It follows the
:class:`~longwing.sim.runner.Flight` for what is not in the rows: mission events (``MSG``,
``EV``), camera triggers (``CAM``), the guidance target (``NTUN``), the faults (GPS status),
the mission (``CMD``) and, at the start, the parameters (``PARM``).

Records (ArduPlane 4.x names, formats and columns; a record holds the columns longwing has,
see docs/logs.md): one of ``ATT CTUN NTUN GPS POS BAT IMU BARO ARSP XKF1 XKF2`` per log row
(the log rate, ``--log-hz``, 10 Hz by default), ``MODE`` at every change of flight mode,
``MSG`` and ``EV`` at events, ``CAM`` at every photo, ``PARM`` and ``CMD`` at the start.
``TimeUS`` is the flight's time plus ``time_offset_s`` (the SITL's boot time at the launch).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np

from longwing.control import target as tg
from longwing.geo.atmosphere import isa_arrays
from longwing.logs.dataflash import DataflashWriter
from longwing.mission.manager import Mode

# ArduPilot's LogEvent ids (AP_Logger.h)
EV_ARMED, EV_DISARMED, EV_LAND_COMPLETE = 10, 11, 18
MODE_REASON_UNKNOWN = 0  # ModeReason::UNKNOWN: longwing does not record why
GPS_FIX_3D, GPS_NO_FIX = 3, 1
RHO0_KGPM3 = 1.225  # sea-level ISA density (EAS)
GROUND_END_STATES = ("landed", "landed_out", "crashed", "aborted")
FLUSH_ROWS = 2048  # rows buffered before they are packed and written (0.8 MB)

#: (name, format, columns, units, multipliers) of every record type: ArduPlane's names, a
#: subset of its fields (docs/logs.md); units and multipliers are FMTU ids (UNITS, MULTS)
FORMATS = (
    ("PARM", "QNff", "TimeUS,Name,Value,Default", "s---", "F---"),
    ("MODE", "QMBB", "TimeUS,Mode,ModeNum,Rsn", "s---", "F---"),
    ("MSG", "QZ", "TimeUS,Message", "s-", "F-"),
    ("EV", "QB", "TimeUS,Id", "s-", "F-"),
    ("CMD", "QHHHffffLLfB", "TimeUS,CTot,CNum,CId,Prm1,Prm2,Prm3,Prm4,Lat,Lng,Alt,Frame",
     "s-------DUm-", "F-------GG0-"),
    ("CAM", "QBHIHLLeeefff", "TimeUS,I,Img,GPSTime,GPSWeek,Lat,Lng,Alt,RelAlt,GPSAlt,R,P,Y",
     "s#---DUmmmddh", "F----GGBBB000"),
    ("ATT", "Qfffff", "TimeUS,DesRoll,Roll,DesPitch,Pitch,Yaw", "sddddh", "F00000"),
    ("CTUN", "Qccccfff", "TimeUS,NavRoll,Roll,NavPitch,Pitch,ThO,As,E2T", "sdddd%n-",
     "FBBBB00-"),
    ("NTUN", "QfcfffLLff", "TimeUS,Dist,TBrg,AltE,XT,AsE,TLat,TLng,TAlt,TAsp", "smdmmnDUmn",
     "F0B000GG00"),
    ("GPS", "QBBIHLLeffff", "TimeUS,I,Status,GMS,GWk,Lat,Lng,Alt,Spd,GCrs,VZ,U",
     "s#-s-DUmnhn-", "F--C-GGB000-"),
    ("POS", "QLLff", "TimeUS,Lat,Lng,Alt,RelHomeAlt", "sDUmm", "FGG00"),
    ("BAT", "QBffffB", "TimeUS,Inst,Volt,Curr,CurrTot,RemPct,H", "s#v--%-", "F-0--0-"),
    ("IMU", "QBfff", "TimeUS,I,GyrX,GyrY,GyrZ", "s#EEE", "F-000"),
    ("BARO", "QBfffcfB", "TimeUS,I,Alt,AltAMSL,Press,Temp,CRt,H", "s#mmPOn-", "F-000B0-"),
    ("ARSP", "QBffcBB", "TimeUS,I,Airspeed,DiffPress,Temp,U,H", "s#nPO--", "F-00B--"),
    ("XKF1", "QBccCffffff", "TimeUS,C,Roll,Pitch,Yaw,VN,VE,VD,PN,PE,PD", "s#ddhnnnmmm",
     "F-BBB000000"),
    ("XKF2", "QBff", "TimeUS,C,VWN,VWE", "s#nn", "F-00"),
)  # fmt: skip
#: ArduPilot's UNIT ids and labels (LogStructure.h) for the ids used above
UNITS = {
    "-": "", "#": "instance", "%": "%", "d": "deg", "D": "deglatitude", "E": "rad/s",
    "h": "degheading", "m": "m", "n": "m/s", "O": "degC", "P": "Pa", "s": "s",
    "U": "deglongitude", "v": "V",
}  # fmt: skip
#: ArduPilot's MULT ids ("-": no multiplier)
MULTS = {"-": 0.0, "0": 1.0, "B": 1e-2, "C": 1e-3, "F": 1e-6, "G": 1e-7}
PER_ROW = ("ATT", "CTUN", "NTUN", "GPS", "POS", "BAT", "IMU", "BARO", "ARSP", "XKF1", "XKF2")

LOCATION_SCALING_M_PER_DEG = 111318.84502145034  # ArduPilot's LOCATION_SCALING_FACTOR x 1e7
_WGS84_A = 6378137.0
_WGS84_E2 = 6.69437999014e-3


def _ecef(lat_rad, lon_rad, h_m) -> np.ndarray:
    """WGS84 geodetic -> ECEF, arrays (n, 3)."""
    sl, cl = np.sin(lat_rad), np.cos(lat_rad)
    n = _WGS84_A / np.sqrt(1.0 - _WGS84_E2 * sl * sl)
    return np.stack([(n + h_m) * cl * np.cos(lon_rad), (n + h_m) * cl * np.sin(lon_rad),
                     (n * (1.0 - _WGS84_E2) + h_m) * sl], axis=-1)  # fmt: skip


def ned_from(lat0_deg: float, lon0_deg: float, alt0_m: float, lat_rad, lon_rad, h_m):
    """North, east, down (m) of points from an origin: the ECEF difference in the origin's
    local level frame (exact on the ellipsoid)."""
    la, lo = math.radians(lat0_deg), math.radians(lon0_deg)
    d = _ecef(lat_rad, lon_rad, h_m) - _ecef(np.array(la), np.array(lo), np.array(alt0_m))
    sl, cl, so, co = math.sin(la), math.cos(la), math.sin(lo), math.cos(lo)
    n = -sl * co * d[:, 0] - sl * so * d[:, 1] + cl * d[:, 2]
    e = -so * d[:, 0] + co * d[:, 1]
    dn = -cl * co * d[:, 0] - cl * so * d[:, 1] - sl * d[:, 2]
    return n, e, dn


def _geodetic_deg(x: float, y: float, z: float) -> tuple[float, float]:
    """ECEF -> latitude, longitude (deg), Bowring's formula (sub-mm at flight heights)."""
    b = _WGS84_A * math.sqrt(1.0 - _WGS84_E2)
    ep2 = _WGS84_E2 / (1.0 - _WGS84_E2)
    p = math.hypot(x, y)
    th = math.atan2(z * _WGS84_A, p * b)
    lat = math.atan2(z + ep2 * b * math.sin(th) ** 3, p - _WGS84_E2 * _WGS84_A * math.cos(th) ** 3)
    return math.degrees(lat), math.degrees(math.atan2(y, x))


def plane_distance_bearing(lat_rad, lon_rad, target_deg: np.ndarray):
    """Distance (m) and bearing (deg, 0-360) from positions to targets (rows of lat, lon in
    degrees; NaN: none, 0 out) as ArduPlane computes its waypoint distance and bearing
    (Location::get_distance, get_bearing): degrees of latitude and of longitude scaled by the
    cosine of the mean latitude, times LOCATION_SCALING_FACTOR."""
    lat, lon = np.degrees(lat_rad), np.degrees(lon_rad)
    tlat, tlon = target_deg[:, 0], target_deg[:, 1]
    scale = np.maximum(np.cos(np.radians(0.5 * (lat + tlat))), 0.01)
    north = (tlat - lat) * LOCATION_SCALING_M_PER_DEG
    east = ((tlon - lon + 180.0) % 360.0 - 180.0) * scale * LOCATION_SCALING_M_PER_DEG
    dist = np.hypot(north, east)
    brg = np.degrees(np.arctan2(east, north)) % 360.0
    known = np.isfinite(dist)
    return np.where(known, dist, 0.0), np.where(known, brg, 0.0)


def event_text(kind: str, detail: str) -> str:
    """An event as the SITL announces it in a STATUSTEXT (and the log's MSG)."""
    return kind.replace("_", " ") + (f": {detail}" if detail else "")


class FlightDataflash:
    """Writes one flight's DataFlash log to ``stream`` (see the module doc). ``columns`` are
    the log rows' columns (kernel units); ``params`` (name, value, default) triples."""

    def __init__(self, stream: BinaryIO, flight, columns: Sequence[str],
                 params: Sequence[tuple[str, float, float]], *, time_offset_s: float = 0.0,
                 flush_rows: int = FLUSH_ROWS,
                 banner: str = "longwing flight log (ArduPlane-compatible)") -> None:  # fmt: skip
        self.stream = stream
        self.flight = flight
        self.col = {c: i for i, c in enumerate(columns)}
        self.offset_s = time_offset_s
        self.w = DataflashWriter(stream)
        for name, fmt, cols, units, mults in FORMATS:
            self.w.define(name, fmt, cols, units, mults)
        self.w.write_units(UNITS, MULTS)
        self.group = self.w.group(PER_ROW)
        sc = flight.sc
        self.home = sc.mission.home
        self.capacity_kg = flight.af.mass.fuel_capacity_kg
        self.fuel0 = flight.fuel0
        self.gnss_loss = [(f.t_s, math.inf if f.duration_s is None else f.t_s + f.duration_s)
                          for f in sc.faults if f.kind == "gnss_loss"]  # fmt: skip
        self.mode: str | None = None  # the mode of the last MODE record
        self._rows: list[np.ndarray] = []  # buffered blocks of rows
        self._targets: list[tuple[int, float, float]] = []  # (rows, target lat, lon)
        self._blocks: list[tuple[int, int, str | None]] = []  # (first row, events, mode)
        self._n_rows = 0
        self.n_events = 0
        self.n_trig = 0
        self.last_t = 0.0
        self.closed = False
        self.banner = banner
        self.flush_rows = flush_rows
        self._header(params, sc.mission)

    def _us(self, t_s: float) -> int:
        return max(0, round((t_s + self.offset_s) * 1e6))

    def _header(self, params, mission) -> None:
        w, t0 = self.w, self._us(0.0)
        w.write("MSG", TimeUS=t0, Message=self.banner)
        for name, value, default in params:
            w.write("PARM", TimeUS=t0, Name=name, Value=value, Default=default)
        items = mission.to_mavlink_items()  # home at 0, as ArduPilot's mission
        for it in items:
            located = abs(it.x) <= 90.0 and abs(it.y) <= 180.0
            w.write("CMD", TimeUS=t0, CTot=len(items), CNum=it.seq, CId=it.command,
                    Prm1=it.param1, Prm2=it.param2, Prm3=it.param3, Prm4=it.param4,
                    Lat=it.x if located else 0.0, Lng=it.y if located else 0.0, Alt=it.z,
                    Frame=it.frame)  # fmt: skip
        w.write("EV", TimeUS=t0, Id=EV_ARMED)  # a flight starts armed

    # --- the LogWriter interface ----------------------------------------------------------

    def append(self, rows: np.ndarray, labels: Sequence[str] = ()) -> None:
        """Rows of one block, all flown in the mode ``labels[0]`` under the flight's present
        target (copied: the caller may reuse its array). Written in batches of
        ``flush_rows`` rows with the events and photos since merged in."""
        if self.closed or rows.shape[0] == 0:
            return
        # the events so far came before these rows; the block's mode holds from its first row
        self._blocks.append((self._n_rows, len(self.flight.mgr.events),
                             labels[0] if labels else None))  # fmt: skip
        self._rows.append(rows.copy())
        self._targets.append((rows.shape[0], *self._target_deg()))
        self._n_rows += rows.shape[0]
        if self._n_rows >= self.flush_rows:
            self._flush()

    def _flush(self) -> None:
        """Pack the buffered rows and write them with the events and photos placed among
        them: an event before the first block appended after it, a photo by its time, a
        block's mode before its first row."""
        n = self._n_rows
        rows = np.concatenate(self._rows) if self._rows else np.empty((0, len(self.col)))
        t = rows[:, self.col["t_s"]]
        singles: list[tuple[int, int, int, str, object]] = []  # (row, order, seq, kind, what)
        f = self.flight
        events = f.mgr.events
        for i in range(self.n_events, len(events)):
            row = next((first for first, n_ev, _ in self._blocks if n_ev > i), n)
            singles.append((row, 0, i, "EVENT", events[i]))
        self.n_events = len(events)
        n_trig = int(f.state["veh"]["n_trig"])
        for k in range(self.n_trig, n_trig):
            photo = f.arrays.trig[k].copy()
            row = int(np.searchsorted(t, photo[0], side="right"))
            singles.append((row, 1, k, "CAM", (k, photo)))
        self.n_trig = n_trig
        for first, _, mode in self._blocks:
            if mode is not None:
                singles.append((first, 2, first, "MODE", (float(t[first]), mode)))
        singles.sort(key=lambda s: s[:3])
        target = np.array([tl for k, *tl in self._targets for _ in range(k)]).reshape(n, 2)
        self._rows, self._targets, self._blocks, self._n_rows = [], [], [], 0
        packed = self._pack(rows, target) if n else None
        start = 0
        for row, _, _, kind, payload in singles:
            if row > start:
                self.w.write_rows(packed[start:row])
                start = row
            self._single(kind, payload)
        if start < n:
            self.w.write_rows(packed[start:])
        if n:
            self.last_t = float(t[-1])

    def close(self) -> None:
        """Write what is buffered and what the flight did after its last row (events, the
        disarm), and flush the stream (which stays open)."""
        if self.closed:
            return
        self._flush()
        f = self.flight
        end = getattr(f.end_state, "value", None)
        if f.done and end in GROUND_END_STATES:
            self.w.write("EV", TimeUS=self._us(max(self.last_t, f.t_s)), Id=EV_DISARMED)
        self.stream.flush()
        self.closed = True

    # --- records --------------------------------------------------------------------------

    def _single(self, kind: str, payload) -> None:
        w = self.w
        if kind == "MODE":
            t_s, mode = payload
            self._mode(self._us(t_s), mode)
        elif kind == "EVENT":
            us = self._us(payload.t_s)
            w.write("MSG", TimeUS=us, Message=event_text(payload.kind, payload.detail)[:64])
            if payload.kind == "mode":  # a change the rows may not show (RTL -> AUTO at once)
                self._mode(us, payload.mode)
            if payload.kind == "landed":
                w.write("EV", TimeUS=us, Id=EV_LAND_COMPLETE)
        elif kind == "CAM":
            k, row = payload
            lat, lon, alt = math.degrees(row[1]), math.degrees(row[2]), float(row[3])
            w.write("CAM", TimeUS=self._us(float(row[0])), I=0, Img=k + 1, Lat=lat, Lng=lon,
                    Alt=alt, RelAlt=alt - self.home.alt_m, GPSAlt=alt, R=math.degrees(row[4]),
                    P=math.degrees(row[5]), Y=math.degrees(row[6]) % 360.0)  # fmt: skip

    def _mode(self, us: int, mode: str) -> None:
        """A MODE record if ``mode`` is not the one in force."""
        num = Mode.__members__.get(mode)  # ArduPlane's mode numbers
        if num is not None and mode != self.mode:
            self.mode = mode
            self.w.write("MODE", TimeUS=us, Mode=int(num), ModeNum=int(num),
                         Rsn=MODE_REASON_UNKNOWN)  # fmt: skip

    def _pack(self, rows: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The per-row records of a block (see :data:`PER_ROW`)."""
        g, c, n = self.group, self.col, rows.shape[0]

        def col(name: str) -> np.ndarray:
            return rows[:, c[name]]

        deg = np.degrees
        out = g.new(n)
        us = np.rint((col("t_s") + self.offset_s) * 1e6)
        for name in PER_ROW:
            g.set(out, name, "TimeUS", us)
        # attitude: the EKF's, and the demands
        roll, pitch = deg(col("est_roll_rad")), deg(col("est_pitch_rad"))
        yaw = deg(col("est_yaw_rad")) % 360.0
        g.set(out, "ATT", "DesRoll", deg(col("roll_cmd_rad")))
        g.set(out, "ATT", "Roll", roll)
        g.set(out, "ATT", "DesPitch", deg(col("pitch_cmd_rad")))
        g.set(out, "ATT", "Pitch", pitch)
        g.set(out, "ATT", "Yaw", yaw)
        # air data from the truth's altitude (the ISA the physics flies in)
        alt = col("alt_m")
        temp_k, press_pa, rho = isa_arrays(np.ascontiguousarray(alt, dtype=np.float64))
        e2t = np.sqrt(RHO0_KGPM3 / rho)
        tas = col("meas_tas_mps")
        g.set(out, "CTUN", "NavRoll", deg(col("roll_cmd_rad")))
        g.set(out, "CTUN", "Roll", roll)
        g.set(out, "CTUN", "NavPitch", deg(col("pitch_cmd_rad")))
        g.set(out, "CTUN", "Pitch", pitch)
        g.set(out, "CTUN", "ThO", 100.0 * col("throttle"))
        g.set(out, "CTUN", "As", tas / e2t)
        g.set(out, "CTUN", "E2T", e2t)
        # navigation: errors and the target
        dist, brg = plane_distance_bearing(col("est_lat_rad"), col("est_lon_rad"), target)
        g.set(out, "NTUN", "Dist", dist)
        g.set(out, "NTUN", "TBrg", brg)
        g.set(out, "NTUN", "AltE", col("alt_cmd_m") - col("est_alt_m"))
        g.set(out, "NTUN", "XT", col("xtrack_m"))
        g.set(out, "NTUN", "AsE", col("tas_cmd_mps") - tas)
        g.set(out, "NTUN", "TLat", target[:, 0])  # NaN (none): 0
        g.set(out, "NTUN", "TLng", target[:, 1])
        g.set(out, "NTUN", "TAlt", col("alt_cmd_m"))
        g.set(out, "NTUN", "TAsp", col("tas_cmd_mps"))
        # GPS: the true position and velocity (the log's truth columns)
        t = col("t_s")
        lost = np.zeros(n, dtype=bool)
        for a, b in self.gnss_loss:
            lost |= (t >= a) & (t < b)
        g.set(out, "GPS", "Status", np.where(lost, GPS_NO_FIX, GPS_FIX_3D))
        g.set(out, "GPS", "Lat", deg(col("lat_rad")))
        g.set(out, "GPS", "Lng", deg(col("lon_rad")))
        g.set(out, "GPS", "Alt", alt)
        g.set(out, "GPS", "Spd", col("groundspeed_mps"))
        g.set(out, "GPS", "GCrs", deg(np.arctan2(col("ve_mps"), col("vn_mps"))) % 360.0)
        g.set(out, "GPS", "VZ", col("vd_mps"))
        g.set(out, "GPS", "U", np.ones(n))
        # POS: the EKF's position
        g.set(out, "POS", "Lat", deg(col("est_lat_rad")))
        g.set(out, "POS", "Lng", deg(col("est_lon_rad")))
        g.set(out, "POS", "Alt", col("est_alt_m"))
        g.set(out, "POS", "RelHomeAlt", col("est_alt_m") - self.home.alt_m)
        # BAT: the fuel as ArduPilot's fuel monitors log it (1 V; see docs/logs.md)
        fuel = col("fuel_kg")
        g.set(out, "BAT", "Volt", np.ones(n))
        g.set(out, "BAT", "Curr", col("fuel_flow_kgps") * 3600.0)
        g.set(out, "BAT", "CurrTot", (self.fuel0 - fuel) * 1000.0)
        g.set(out, "BAT", "RemPct", 100.0 * fuel / self.capacity_kg)
        g.set(out, "BAT", "H", np.ones(n))
        # IMU: the body rates (the truth's, as logged)
        g.set(out, "IMU", "GyrX", col("p_radps"))
        g.set(out, "IMU", "GyrY", col("q_radps"))
        g.set(out, "IMU", "GyrZ", col("r_radps"))
        # BARO and ARSP: pressure and temperature of the ISA at the true altitude
        g.set(out, "BARO", "Alt", alt - self.home.alt_m)
        g.set(out, "BARO", "AltAMSL", alt)
        g.set(out, "BARO", "Press", press_pa)
        g.set(out, "BARO", "Temp", temp_k - 273.15)
        g.set(out, "BARO", "CRt", -col("vd_mps"))
        g.set(out, "BARO", "H", np.ones(n))
        g.set(out, "ARSP", "Airspeed", tas / e2t)
        g.set(out, "ARSP", "DiffPress", 0.5 * rho * tas * tas)
        g.set(out, "ARSP", "Temp", temp_k - 273.15)
        g.set(out, "ARSP", "U", np.ones(n))
        g.set(out, "ARSP", "H", np.ones(n))
        # XKF1/XKF2: the EKF's state, position from the origin (home)
        g.set(out, "XKF1", "Roll", roll)
        g.set(out, "XKF1", "Pitch", pitch)
        g.set(out, "XKF1", "Yaw", yaw)
        g.set(out, "XKF1", "VN", col("est_vn_mps"))
        g.set(out, "XKF1", "VE", col("est_ve_mps"))
        g.set(out, "XKF1", "VD", col("est_vd_mps"))
        h = self.home
        pn, pe, pd = ned_from(h.lat_deg, h.lon_deg, h.alt_m, col("est_lat_rad"),
                              col("est_lon_rad"), col("est_alt_m"))  # fmt: skip
        g.set(out, "XKF1", "PN", pn)
        g.set(out, "XKF1", "PE", pe)
        g.set(out, "XKF1", "PD", pd)
        g.set(out, "XKF2", "VWN", col("est_wind_n_mps"))
        g.set(out, "XKF2", "VWE", col("est_wind_e_mps"))
        return out

    def _target_deg(self) -> tuple[float, float]:
        """Latitude, longitude of the guidance target's point B (the waypoint, loiter
        centre or landing point flown to)."""
        t = self.flight.target
        x, y, z = float(t[tg.BX]), float(t[tg.BY]), float(t[tg.BZ])
        if x == 0.0 and y == 0.0 and z == 0.0:  # no target yet
            return math.nan, math.nan
        return _geodetic_deg(x, y, z)
