"""The slow loop's faults and failsafes, between chunks of the compiled loop (a part of
:class:`longwing.sim.runner.Flight`).

Faults (:mod:`longwing.sim.faults`) are applied to the loop's ``faults`` record and the
vehicle; the :class:`~longwing.mission.failsafe.FailsafeMonitor` judges the autopilot's view
(the EKF's, never the truth) every second while a fault is active or the link is down,
otherwise when the fence could first be reached and at least every 30 s; its commands
(:class:`~longwing.mission.failsafe.FsCommand`) go to the mission manager.
"""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.estimation.state import ALT as E_ALT
from longwing.estimation.state import LAT as E_LAT
from longwing.estimation.state import LON as E_LON
from longwing.estimation.state import N_GNSS_RESETS as E_N_GNSS_RESETS
from longwing.estimation.state import VE as E_VE
from longwing.estimation.state import VN as E_VN
from longwing.estimation.state import WE as E_WE
from longwing.estimation.state import WN as E_WN
from longwing.geo.wgs84 import ecef_to_geodetic
from longwing.mission.failsafe import FailsafeAction, FsCommand, NavSnapshot
from longwing.mission.manager import MissionEvent, Mode, Position
from longwing.physics.rigidbody import ENV_FUEL_LEAK
from longwing.physics.state import FUEL
from longwing.sim.loop_types import LOG_COLUMNS
from longwing.sim.scenario import truth_wind_ned
from longwing.sim.summary import here_of

FS_CHECK_S = 1.0  # failsafe checks while a fault is active or a fence is near
FS_CHECK_MAX_S = 30.0  # ... and at least this often (the fuel check's period)
FENCE_SPEED_MPS = 60.0  # an upper bound of the ground speed, for the next fence check
LAND_AHEAD_REACH = 0.7  # engine out, no site: land this fraction of the glide reach ahead
TAS_CMD_COL = LOG_COLUMNS.index("tas_cmd_mps")  # the airspeed demand, in the log


class FaultsAndFailsafes:
    """Mixed into :class:`~longwing.sim.runner.Flight` (which holds the state it uses)."""

    def _next_boundary_s(self) -> float:
        """Sim time of the next failsafe check or fault onset/end."""
        t = self.t_s + 1e-9
        nxt = self.next_check_t
        for f in self.faults:
            for edge in (f.t_s, f.end_s):
                if t < edge < nxt:
                    nxt = edge
        return nxt

    def link_ok(self, t_s: float) -> bool:
        """The simulated GCS link (heartbeats reaching the aircraft) at ``t_s``."""
        if not self.gcs_link_up:
            return False
        return not any(f.kind == "link_loss" and f.active(t_s) for f in self.faults)

    def _apply_faults(self) -> None:
        t = self.t_s
        st = self.state
        fa = st["faults"]
        active = {f.kind: f for f in self.faults if f.active(t)}
        fa["gnss_off"] = "gnss_loss" in active
        drift = active.get("gnss_drift")
        if drift is None:
            fa["drift_rate_mps"] = 0.0
        elif fa["drift_rate_mps"] == 0.0:
            fa["drift_rate_mps"] = drift.params["rate"]
            fa["drift_dir_rad"] = math.radians(drift.params["dir"])
            fa["drift_t0_s"] = drift.t_s
        if "pitot_blocked" in active:
            if not fa["pitot_stuck"]:
                fa["pitot_stuck"] = True
                # trapped at the onset reading
                fa["pitot_value_mps"] = st["health"]["tas_meas_mps"]
        else:
            fa["pitot_stuck"] = False
        fa["mag_off"] = "mag_fail" in active
        nan = active.get("sensor_nan")
        fa["nan_mask"] = 0 if nan is None else int(nan.params["mask"])
        leak = active.get("fuel_leak")
        self.arrays.env[ENV_FUEL_LEAK] = 0.0 if leak is None else leak.params["rate"] / 3600.0
        for f in self.faults:
            if f.kind == "engine_failure" and t >= f.t_s:
                st["veh"]["engine_on"] = False
            if f.kind == "gust" and f.t_s + f.params["len"] > t:
                fa["gust_t0_s"] = f.t_s
                fa["gust_len_s"] = f.params["len"]
                fa["gust_amp_mps"] = f.params["amp"]
                break

    def _nav(self) -> NavSnapshot:
        """The autopilot's view: EKF position and wind (truth with --truth-nav)."""
        st, xe = self.state, self.arrays.ekf_x
        if self.sc.truth_nav:
            pos = here_of(self.x)
            lat, lon, alt = pos.lat_deg, pos.lon_deg, pos.alt_m
            wn, we, _ = truth_wind_ned(self.sc.wind, self.t_s, lat, lon, alt)
        else:
            lat, lon, alt = math.degrees(xe[E_LAT]), math.degrees(xe[E_LON]), xe[E_ALT]
            wn, we = xe[E_WN], xe[E_WE]
        t = self.t_s
        gnss_age = t - st["health"]["gnss_t_s"] if not self.sc.truth_nav else 0.0
        return NavSnapshot(
            t_s=t, lat_deg=lat, lon_deg=lon, alt_m=alt, wind_n_mps=wn, wind_e_mps=we,
            fuel_kg=float(self.x[FUEL]), airborne=not st["veh"]["on_ground"] and t > 5.0,
            link_ok=self.link_ok(t), gnss_age_s=gnss_age if t > 10.0 else 0.0,
            airspeed_failed=bool(st["health"]["pitot_failed"]),
            engine_running=bool(st["veh"]["engine_on"]) and self.x[FUEL] > 0.0,
            ekf_resets=int(xe[E_N_GNSS_RESETS]),
            tas_mps=float(self.last_row[TAS_CMD_COL]),
            mission_seq=(self.mgr.seq if self.mgr.mode == Mode.AUTO and self.mgr.fs_items is None
                         else None),
        )  # fmt: skip

    def eco_speed(self) -> None:
        """Economy speed (ECO_SPEED): on a straight leg the airspeed demand becomes the
        speed to fly for range along the course to its end in the EKF's wind (re-evaluated
        at every new target and slow-loop check)."""
        fm = self.monitor.fuel_model
        t = self.target
        if not self.mgr.s.ECO_SPEED or fm is None or int(t[tg.KIND]) != tg.TK_LEG:
            return
        xe = self.arrays.ekf_x
        lat2, lon2, _ = ecef_to_geodetic(t[tg.BX], t[tg.BY], t[tg.BZ])
        lat, lon = math.degrees(xe[E_LAT]), math.degrees(xe[E_LON])
        azi = Geodesic.WGS84.Inverse(lat, lon, math.degrees(lat2), math.degrees(lon2))["azi1"]
        t[tg.SPEED] = fm.speed_to_fly_mps(math.radians(azi), float(xe[E_ALT]), float(self.x[FUEL]),
                                          (float(xe[E_WN]), float(xe[E_WE])))  # fmt: skip

    def _slow_tick(self) -> None:
        t = self.t_s
        self._apply_faults()
        self.eco_speed()
        if self.mgr.landed:
            self.next_check_t = t + FS_CHECK_MAX_S
            return
        nav = self._nav()
        for act in self.monitor.check(nav, self.mgr.mode == Mode.AUTO):
            self._failsafe(act, nav)
        # next check: soon while a fault is active or the link is down; otherwise when the
        # fence could first be reached, and at least every 30 s for the fuel
        if any(f.active(t) for f in self.faults) or not nav.link_ok or nav.gnss_age_s > 1.0:
            interval = FS_CHECK_S
        else:
            margin = self.monitor.fence_margin_m(nav)
            interval = min(max(margin / FENCE_SPEED_MPS, FS_CHECK_S), FS_CHECK_MAX_S)
        self.next_check_t = t + interval

    # --- landing: the wind its direction is decided on, the go-around --------------------

    def _wind_estimate(self) -> tuple[float, float]:
        """The autopilot's wind (north, east m/s): the EKF's (truth with --truth-nav)."""
        nav = self._nav()
        return nav.wind_n_mps, nav.wind_e_mps

    def _on_go_around(self) -> None:
        """The loop abandoned the approach (LANDING.abort_code): the manager climbs away."""
        st = self.state
        code = int(st["landing"]["abort_code"])
        st["landing"]["abort_code"] = 0
        nav = self._nav()
        self.mgr.go_around(self.t_s, Position(nav.lat_deg, nav.lon_deg, nav.alt_m), code)
        self.retarget()

    def command_go_around(self, alt_m: float = 0.0) -> bool:
        """MAV_CMD_DO_GO_AROUND (a ground station, a test): abandon the approach now."""
        nav = self._nav()
        ok = self.mgr.command_go_around(self.t_s, Position(nav.lat_deg, nav.lon_deg,
                                                           nav.alt_m), alt_m)  # fmt: skip
        self.retarget()
        return ok

    def _failsafe(self, act: FailsafeAction, nav: NavSnapshot) -> None:
        mgr, t = self.mgr, self.t_s
        here = Position(nav.lat_deg, nav.lon_deg, nav.alt_m)
        self.failsafes.append({
            "kind": act.kind, "t_s": round(t, 3), "action": act.action, "detail": act.detail,
            "lat_deg": nav.lat_deg, "lon_deg": nav.lon_deg, "alt_m": nav.alt_m,
        })  # fmt: skip
        mgr.events.append(MissionEvent(t, "failsafe", mgr.seq, mgr.mode.name, nav.lat_deg,
                                       nav.lon_deg, nav.alt_m,
                                       f"{act.kind}: {act.action} ({act.detail})"))  # fmt: skip
        wind = (nav.wind_n_mps, nav.wind_e_mps)
        cmd = act.command
        if act.speed_mps is not None:
            mgr.speed_mps = act.speed_mps
        if cmd == FsCommand.CIRCLE:
            mgr.failsafe_circle(t, here)
        elif cmd == FsCommand.RESUME:
            mgr.failsafe_resume(t, here)
        elif cmd == FsCommand.RTL:
            mgr.failsafe_rtl(t, here)
        elif cmd == FsCommand.GUIDED:
            dest = act.target or (mgr.home.lat_deg, mgr.home.lon_deg,
                                  mgr.home_at_rtl_alt().alt_m)  # fmt: skip
            mgr.guided_goto(t, here, Position(*dest))
        elif cmd == FsCommand.LAND_SEQUENCE and act.seq is not None:
            mgr.failsafe_land_sequence(t, here, act.seq, act.action)
        elif cmd == FsCommand.LAND_AT and act.target is not None:
            mgr.failsafe_land_at(t, here, Position(*act.target), wind, act.action)
        elif cmd in (FsCommand.GLIDE_TO, FsCommand.LAND_AHEAD):
            self.state["veh"]["glide"] = True
            mgr.speed_mps = self.v_glide
            if cmd == FsCommand.GLIDE_TO and act.target is not None:
                mgr.failsafe_glide_to(t, here, Position(*act.target), wind, act.action)
            else:
                vn, ve = self.arrays.ekf_x[E_VN], self.arrays.ekf_x[E_VE]
                course = math.degrees(math.atan2(ve, vn))
                reach = max(nav.alt_m - mgr.ground_alt_m, 0.0) * self.monitor.ld
                mgr.failsafe_land_ahead(t, here, course, reach * LAND_AHEAD_REACH, act.action)
        self.retarget()
