"""The vehicle's small services as ArduPilot's GCS_MAVLink has them (issue 14, item 7).

:class:`VehicleServices` belongs to one :class:`~longwing.mavlink.vehicle.SitlVehicle` and
holds what those need between calls:

* **Fence**: MAV_CMD_DO_FENCE_ENABLE (param1 0 disable, 1 enable (FAILED without such a
  fence), 2 disable the floor only; param2 the fence types, ArduPilot's FENCE_TYPE bits,
  0 = all) applied to the flight's failsafe monitor, and the state FENCE_STATUS and
  SYS_STATUS report (:meth:`fence_state`): breaches counted since boot, over every flight.
  An uploaded fence is enabled until a command disables it (longwing enforces the fence it
  is given; ArduPlane's FENCE_ENABLE parameter is not modelled here).
* **Answers**: TIMESYNC (tc1 = our time since boot in ns, ts1 echoed), PING (echoed to its
  sender), AUTOPILOT_VERSION_REQUEST, and the start-up banner (on the first step and on
  MAV_CMD_DO_SEND_BANNER).
* **Camera**: one CAMERA_FEEDBACK per camera trigger of the flight (DO_SET_CAM_TRIGG_DIST),
  with the true position and attitude at the trigger, image index counting up from 1.
* **Wording**: "Reached waypoint #N dist Nm" for a NAV_WAYPOINT reached, as ArduPlane words
  it (MAVProxy and QGC show it; scripts wait for it).

A reboot (PREFLIGHT_REBOOT_SHUTDOWN) starts them afresh (:meth:`reboot`), the banner too.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import TYPE_CHECKING

from geographiclib.geodesic import Geodesic
from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mavlink.telemetry import FIRMWARE_VERSION
from longwing.mission.items import MavCmd
from longwing.provenance import version

if TYPE_CHECKING:
    from longwing.mavlink.vehicle import SitlVehicle

M = mavlink2
# ArduPilot's FENCE_TYPE bits
FENCE_ALT_MAX, FENCE_CIRCLE, FENCE_POLYGON, FENCE_ALT_MIN = 1, 2, 4, 8
FENCE_ALL = FENCE_ALT_MAX | FENCE_CIRCLE | FENCE_POLYGON | FENCE_ALT_MIN
REPORT_ONLY_ACTIONS = (0, 2)  # longwing's FENCE_ACTION values that take no action


@dataclasses.dataclass(frozen=True)
class FenceState:
    """The fence as FENCE_STATUS and SYS_STATUS report it."""

    present: bool  # a fence is uploaded (of a type that can be enabled)
    enabled: bool  # some of its types are enabled
    report_only: bool  # FENCE_ACTION takes no action on a breach
    breached: bool  # outside now (the failsafe monitor's last check)
    breach_count: int  # breaches since boot
    breach_type: int  # FENCE_BREACH_* of the present breach (NONE when inside)
    breach_time_ms: int  # time since boot of the last breach


class VehicleServices:
    """See the module doc."""

    def __init__(self, v: SitlVehicle) -> None:
        self.v = v
        self.start_unix_s: float | None = time.time()  # UTC of the session's start
        self.reboot()

    def reboot(self) -> None:
        """What an autopilot starts with: every fence type enabled, no breach, no image
        taken, the banner still to send (the RTC keeps its time)."""
        self.fence_types = FENCE_ALL  # the enabled fence types
        self.banner_sent = False
        self.images = 0  # CAMERA_FEEDBACK sent since boot
        self._flight = None  # the flight whose breaches and triggers are counted
        self._breaches_before = 0  # in the flights before it
        self._trig_sent = 0  # its triggers already announced

    # --- fence -------------------------------------------------------------------------

    def fence_present(self) -> int:
        """The FENCE_TYPE bits of the uploaded fence."""
        f = self.v.mission.fence
        if f is None:
            return 0
        bits = FENCE_ALT_MAX if f.max_alt_above_home_m is not None else 0
        bits |= FENCE_ALT_MIN if f.min_alt_above_home_m is not None else 0
        bits |= FENCE_CIRCLE if f.circles else 0
        bits |= FENCE_POLYGON if f.polygons else 0
        return bits

    def effective_fence(self):
        """The uploaded fence with its disabled types taken out; None if nothing is left."""
        f = self.v.mission.fence
        on = self.fence_present() & self.fence_types
        if f is None or not on:
            return None
        return dataclasses.replace(
            f,
            max_alt_above_home_m=f.max_alt_above_home_m if on & FENCE_ALT_MAX else None,
            min_alt_above_home_m=f.min_alt_above_home_m if on & FENCE_ALT_MIN else None,
            circles=f.circles if on & FENCE_CIRCLE else (),
            polygons=f.polygons if on & FENCE_POLYGON else (),
        )

    def apply_fence(self) -> None:
        """Give the flight's failsafe monitor the fence as enabled now and have it checked
        at once (a breach of a fence no longer enforced is cleared, as ArduPilot does)."""
        f = self.v.flight
        if f is None:
            return
        if f is not self._flight:
            self._new_flight(f)
        fence = self.effective_fence()
        f.monitor.fence = fence
        if fence is None:
            f.monitor.fence_breached = False
        f.next_check_t = f.t_s

    def _new_flight(self, f) -> None:
        self._breaches_before += self._flight_breaches(self._flight)
        self._flight = f
        self._trig_sent = 0

    @staticmethod
    def _flight_breaches(f) -> int:
        return 0 if f is None else sum(fs["kind"] == "fence_breach" for fs in f.failsafes)

    def fence_state(self) -> FenceState:
        v = self.v
        present = self.fence_present()
        enabled = bool(present & self.fence_types)
        action = self._fence_action()
        f = v.flight
        breached = f is not None and enabled and bool(f.monitor.fence_breached)
        count = self._breaches_before
        btype, btime = M.FENCE_BREACH_NONE, 0
        if f is not None:
            if f is not self._flight:
                count += self._flight_breaches(self._flight)
            last = [fs for fs in f.failsafes if fs["kind"] == "fence_breach"]
            count += len(last)
            if last:
                btime = int((v.launch_t + last[-1]["t_s"]) * 1000.0)
                if breached:
                    btype = self._breach_type(last[-1], f.monitor.home[2])
        return FenceState(bool(present), enabled, action in REPORT_ONLY_ACTIONS, breached,
                          count, btype, btime)  # fmt: skip

    def _fence_action(self) -> int | None:
        """FENCE_ACTION from the parameters (None without a parameter store)."""
        try:
            return None if self.v.params is None else int(self.v.params.get("FENCE_ACTION"))
        except (KeyError, ValueError, TypeError):  # not (or no longer) a parameter here
            return None

    def _breach_type(self, fs: dict, ground_alt_m: float) -> int:
        fence = self.effective_fence()
        if fence is None:
            return M.FENCE_BREACH_NONE
        h = fs["alt_m"] - ground_alt_m
        if fence.max_alt_above_home_m is not None and h > fence.max_alt_above_home_m:
            return M.FENCE_BREACH_MAXALT
        if fence.min_alt_above_home_m is not None and h < fence.min_alt_above_home_m:
            return M.FENCE_BREACH_MINALT
        return M.FENCE_BREACH_BOUNDARY

    def _fence_enable(self, action: float, types: float) -> int:
        bits = int(types) & FENCE_ALL if math.isfinite(types) else 0
        bits = bits or FENCE_ALL
        if action == 0:
            self.fence_types &= ~bits
        elif action == 1:
            if not self.fence_present() & bits:
                return M.MAV_RESULT_FAILED  # nothing of those types to enable
            self.fence_types |= bits
        elif action == 2:
            self.fence_types &= ~FENCE_ALT_MIN
        else:
            return M.MAV_RESULT_FAILED
        self.apply_fence()
        return M.MAV_RESULT_ACCEPTED

    # --- commands and messages ---------------------------------------------------------------

    def command(self, cmd: int, p: list[float]) -> int | None:
        """The MAV_RESULT of a command handled here; None if it is not one of these."""
        if cmd == M.MAV_CMD_DO_FENCE_ENABLE:
            return self._fence_enable(p[0], p[1])
        if cmd == M.MAV_CMD_DO_SEND_BANNER:
            self.banner()
            return M.MAV_RESULT_ACCEPTED
        return None

    def handle(self, msg) -> bool:
        """Answer TIMESYNC, PING, AUTOPILOT_VERSION_REQUEST; True if ``msg`` was one."""
        try:
            return self._answer(msg)
        except (ValueError, TypeError, OverflowError, AttributeError):  # never raise on input
            return True

    def _answer(self, msg) -> bool:
        v = self.v
        t = msg.get_type()
        src = (msg.get_srcSystem(), msg.get_srcComponent())
        if t == "TIMESYNC":
            if msg.tc1 == 0:  # a request (tc1 != 0: an answer to someone's request)
                v.send(v.mav.timesync_encode(int(v.sim_t * 1e9), msg.ts1))
            return True
        if t == "PING":
            if msg.target_system == 0 and msg.target_component == 0:  # a request
                v.send(v.mav.ping_encode(msg.time_usec, msg.seq, *src))
            return True
        if t == "AUTOPILOT_VERSION_REQUEST":
            v.send_message("AUTOPILOT_VERSION")
            return True
        return False

    def banner(self) -> None:
        """The start-up STATUSTEXTs: the firmware line GCSs parse for the version (this is
        longwing speaking ArduPlane's MAVLink, and says so), then the simulated aircraft."""
        v = self.v
        major, minor, patch = FIRMWARE_VERSION
        v.statustext(f"ArduPlane V{major}.{minor}.{patch} (longwing {version()})",
                     M.MAV_SEVERITY_INFO)  # fmt: skip
        v.statustext(f"longwing SITL: simulated {v.af.name}, sysid {v.sysid}",
                     M.MAV_SEVERITY_INFO)  # fmt: skip

    def tick(self) -> None:
        """After each step: the boot banner once, CAMERA_FEEDBACK for new triggers."""
        if not self.banner_sent:
            self.banner_sent = True
            self.banner()
        f = self.v.flight
        if f is None:
            return
        if f is not self._flight:
            self._new_flight(f)
        n = int(f.state["veh"]["n_trig"])
        while self._trig_sent < n:
            self._camera_feedback(f.arrays.trig[self._trig_sent])
            self._trig_sent += 1

    def _camera_feedback(self, row) -> None:
        v = self.v
        self.images += 1
        t_s, lat, lon, alt, roll, pitch, yaw = (float(x) for x in row[:7])
        boot_s = v.launch_t + t_s
        t_us = int(((self.start_unix_s or 0.0) + boot_s) * 1e6)
        deg = math.degrees
        v.send(v.mav.camera_feedback_encode(
            t_us, v.sysid, 0, self.images & 0xFFFF, int(round(deg(lat) * 1e7)),
            int(round(deg(lon) * 1e7)), alt, alt - v.home.alt_m, deg(roll), deg(pitch),
            deg(yaw) % 360.0, 0.0, M.CAMERA_FEEDBACK_PHOTO, self.images & 0xFFFF,
        ), broadcast=True)  # fmt: skip

    def event_text(self, ev) -> str | None:
        """ArduPlane's words for a mission event where a GCS reads them; None: longwing's."""
        if ev.kind != "item_reached":
            return None
        items = self.v.mission.items
        if not 1 <= ev.seq <= len(items):
            return None
        item = items[ev.seq - 1]
        if item.command != MavCmd.NAV_WAYPOINT:
            return None
        dist = Geodesic.WGS84.Inverse(ev.lat_deg, ev.lon_deg, item.lat_deg, item.lon_deg)
        return f"Reached waypoint #{ev.seq} dist {int(dist['s12'])}m"
