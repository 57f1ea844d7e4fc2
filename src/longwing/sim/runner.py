"""Fly a mission: the slow loop around :func:`longwing.sim.closedloop.run_chunk`.

Sets up the vehicle at the launch point, then alternates: draw the chunk's noise from the
run's generator, run the compiled loop until it returns (chunk end or an event), hand
events to the :class:`~longwing.mission.manager.MissionManager`, which updates the guidance
target. Deterministic for a seed; no wall-clock time enters the simulation.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from longwing.control.attitude import new_attitude_state
from longwing.control.l1 import new_l1_state
from longwing.control.params import build_params
from longwing.control.tecs import new_tecs_state
from longwing.estimation.ekf import ekf_init, new_ekf
from longwing.estimation.state import ALT as E_ALT
from longwing.estimation.state import LAT as E_LAT
from longwing.estimation.state import LON as E_LON
from longwing.estimation.state import N_GNSS_RESETS as E_N_GNSS_RESETS
from longwing.estimation.state import VE as E_VE
from longwing.estimation.state import VN as E_VN
from longwing.estimation.state import WE as E_WE
from longwing.estimation.state import WN as E_WN
from longwing.geo.atmosphere import isa
from longwing.geo.legs import LegFrame
from longwing.geo.wgs84 import (
    ecef_to_geodetic,
    ecef_to_ned_sc,
)
from longwing.mission.failsafe import (
    FailsafeAction,
    FailsafeMonitor,
    NavSnapshot,
    best_glide,
)
from longwing.mission.items import MavCmd
from longwing.mission.manager import (
    MissionEvent,
    MissionManager,
    Mode,
    Position,
)
from longwing.physics.rigidbody import ENV_FUEL_LEAK, N_ENV, make_work
from longwing.physics.state import FUEL, N_STATE, PX
from longwing.physics.trim import TrimCondition, TrimError, trim
from longwing.physics.turbulence import new_turb_state
from longwing.physics.wind import steady_wind_ned
from longwing.sensors.gnss import new_gnss_buffer
from longwing.sensors.noise import N_SENSOR_NOISE
from longwing.sensors.rates import rate_divider
from longwing.sensors.state import new_sensor_state
from longwing.sim import closedloop as cl
from longwing.sim import target as tg
from longwing.sim.fastloop import attitude_ned
from longwing.sim.outcome import EndState, Outcome, landing_outcome, touchdown_violations
from longwing.sim.scenario import FlightResult, FlightScenario, ProgressFn, launch_state
from longwing.sim.summary import along_across, flight_summary, here_of, touchdown_of

CHUNK_S = 30.0
LOG_INIT_ROWS = 1 << 16  # log buffer rows to start with (1.8 h at 10 Hz)
FS_CHECK_S = 1.0  # failsafe checks while a fault is active or a fence is near
FS_CHECK_MAX_S = 30.0  # ... and at least this often (the fuel check's period)
FENCE_SPEED_MPS = 60.0  # an upper bound of the ground speed, for the next fence check
MAX_TRIGGERS = 100_000
NAV_RATE_HZ = 10.0  # L1 guidance and target exit tests (ArduPlane navigate() runs at 10 Hz)
STATS_RATE_HZ = 10.0  # tracking statistics sampling
# failsafe actions that keep the aircraft on its mission (the rest divert it)
NON_DIVERTING = frozenset(("continue", "none", "report", "dead reckoning", "synthetic airspeed",
                           "reset to GNSS", "resume", "CIRCLE"))  # fmt: skip


class Flight:
    """One flight of a scenario, advanced by its caller.

    :func:`fly` runs it from launch to the end; the MAVLink vehicle and the failsafe logic
    advance it in slices and act between them (mode changes, faults, link state). Every
    slice ends on a chunk boundary or an event; the simulation is deterministic for a seed
    whatever the slicing, except where the caller acts differently.
    """

    def __init__(self, sc: FlightScenario, progress: ProgressFn | None = None) -> None:
        self.wall0 = time.perf_counter()
        self.sc = sc
        self.progress = progress
        af = sc.airframe
        fuel0 = af.mass.fuel_capacity_kg if sc.fuel_kg is None else sc.fuel_kg
        rng = np.random.default_rng(sc.seed)
        target = tg.new_target()
        settings = sc.settings
        if af.launch.method == "runway":
            settings = replace(settings, TKOFF_ROTATE_SPD=af.launch.rotate_speed_mps,
                               TKOFF_CLIMB_PITCH=af.launch.climb_pitch_rad)  # fmt: skip
        else:
            settings = replace(settings, TKOFF_CLIMB_PITCH=af.launch.climb_pitch_rad)
        mgr = MissionManager(sc.mission, settings, target)

        # autopilot parameters: airframe defaults, trim throttle at cruise, user overrides
        try:
            home = sc.mission.home
            cond = TrimCondition(
                af.envelope.airspeed_cruise_mps,
                home.alt_m + 300.0,
                math.radians(home.lat_deg),
                fuel0,
            )
            cruise = trim(af, cond)
            trim_thr = {"TRIM_THROTTLE": round(100.0 * cruise.throttle, 1)}
        except TrimError:
            trim_thr = {}
        ap = build_params({**trim_thr, **sc.autopilot}, af)

        x, act = launch_state(sc, mgr, fuel0)
        dt = sc.dt_s
        imu_hz = 1.0 / dt
        ap_hz = sc.loop_rate_hz
        sp = sc.sensors._replace(imu_rate_hz=imu_hz)
        cfg = cl.LoopConfig(
            dt=dt,
            truth_nav=sc.truth_nav,
            severity=int(sc.turbulence),
            div_ap=rate_divider(imu_hz, ap_hz),
            div_gnss=rate_divider(ap_hz, sp.gnss_rate_hz),
            div_baro=rate_divider(ap_hz, sp.baro_rate_hz),
            div_pitot=rate_divider(ap_hz, sp.pitot_rate_hz),
            div_mag=rate_divider(ap_hz, sp.mag_rate_hz),
            div_nav=rate_divider(ap_hz, min(NAV_RATE_HZ, ap_hz)),
            div_stats=rate_divider(ap_hz, STATS_RATE_HZ),
            log_every=max(1, round(ap_hz / sc.log_hz)),
        )
        vp = cl.VehicleParams(af.aero, af.mass, af.prop, af.ground, af.actuators)
        ekf_x, ekf_p = new_ekf(sc.ekf)
        here = here_of(x)
        lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
        sl, cl_, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
        vn, ve, vd = ecef_to_ned_sc(sl, cl_, so, co, x[3], x[4], x[5])
        phi, theta, psi = attitude_ned(x, sl, cl_, so, co)
        # Pre-flight alignment: the filter starts at the launch position and attitude with its
        # initial uncertainty (GNSS fix and accelerometer/magnetometer levelling on the ground).
        ekf_init(ekf_x, ekf_p, lat, lon, h, vn, ve, vd, phi, theta, psi, sc.ekf)
        wind_alt, wind_n, wind_e = sc.wind.arrays()
        arrays = cl.LoopArrays(
            x=x, act=act, cmd=act.copy(), env=np.zeros(N_ENV), turb=new_turb_state(),
            turb_c=np.zeros(11), work=make_work(), xdot=np.zeros(N_STATE),
            sens=new_sensor_state(rng, sp), gnss_buf=new_gnss_buffer(sp, ap_hz), ekf_x=ekf_x,
            ekf_p=ekf_p,
            att=new_attitude_state(), tecs=new_tecs_state(), l1=new_l1_state(), tgt=target,
            ms=np.zeros(cl.N_MS), wind_alt=wind_alt, wind_n=wind_n, wind_e=wind_e,
            faults=np.zeros(cl.N_FT), noise=np.zeros(N_SENSOR_NOISE + 3),
            leg=np.zeros(len(LegFrame._fields)),
            trig=np.zeros((MAX_TRIGGERS, cl.N_TRIG)), log=np.zeros((1, cl.N_LOG)),
        )  # fmt: skip
        ms = arrays.ms
        ms[cl.MS_ENGINE_ON] = 1.0
        ms[cl.MS_STATS_ON] = 1.0
        ms[cl.MS_NAV_NOW] = 1.0
        if af.launch.method == "runway":
            ms[cl.MS_ON_GROUND] = 1.0
        w_sfc = steady_wind_ned(sc.mission.home.alt_m, wind_alt, wind_n, wind_e)
        mgr.start(0.0, here, (w_sfc[0], w_sfc[1]))

        self.af = af
        self.fuel0 = fuel0
        self.rng = rng
        self.target = target
        self.mgr = mgr
        self.ap = ap
        self.x = x
        self.cfg = cfg
        self.vp = vp
        self.sp = sp
        self.arrays = arrays
        self.ms = ms
        self.route_m = sc.mission.route_length_m()
        self.max_t = (
            sc.max_duration_s if sc.max_duration_s is not None
            else 3.0 * self.route_m / af.envelope.airspeed_min_mps + 3600.0
        )  # fmt: skip
        for f in sc.faults:
            if f.t_s >= self.max_t:
                raise ValueError(f"fault {f.kind}@{f.t_s:g}: starts after the flight's time "
                                 f"limit of {self.max_t:.0f} s")  # fmt: skip
        self.chunk = max(1, round(CHUNK_S / dt))
        # one log buffer the kernel writes into directly, grown by doubling
        # sized for the planned route at the minimum airspeed: np.zeros maps pages lazily,
        # so only the rows written cost memory, and a normal flight never regrows it
        expect = self.route_m / af.envelope.airspeed_min_mps * sc.log_hz * 1.2
        self.log_buf = np.zeros((max(LOG_INIT_ROWS, int(expect)), cl.N_LOG))
        self.n_log = 0
        self.segments: list[tuple[int, str, str]] = []
        self.step = 0
        self.end_state: EndState | None = None  # set when the flight ends (see _end)
        self.end_reason = ""
        self.by_design = False  # ended in the air as the plan intends
        self.touchdown: dict | None = None
        self.fuel_out_t: float | None = None
        self.done = False
        # failsafes and faults
        self.faults = tuple(sorted(sc.faults, key=lambda f: f.t_s))
        self.failsafes: list[dict] = []
        self.next_check_t = 0.0
        self.gcs_link_up = True  # set by a live link (MAVLink GCS heartbeats)
        home = sc.mission.home
        rally = tuple(
            # the ground under a rally point: the home elevation (the simulator's ground
            # is the plane of the current landing site; there is no terrain model in flight)
            (rp.lat_deg, rp.lon_deg, home.alt_m)
            for rp in sc.mission.rally
        )
        _, _, rho_cruise = isa(home.alt_m + 500.0)
        glide = best_glide(af.aero, af.mass_kg(0.5 * fuel0), rho_cruise)
        self.v_glide = glide[0]
        self.monitor = FailsafeMonitor(
            sc.failsafe, (home.lat_deg, home.lon_deg, home.alt_m), rally, sc.mission.fence,
            af.mass.fuel_capacity_kg, mgr.speed_mps, glide,
        )  # fmt: skip

    @property
    def t_s(self) -> float:
        """Simulated time, s."""
        return self.step * self.cfg.dt

    def run(self, until_s: float | None = None) -> bool:
        """Advance to ``until_s`` (default: the scenario's time limit) or the end of the
        flight, whichever comes first. Returns True once the flight has ended."""
        sc, cfg, dt, ms, mgr = self.sc, self.cfg, self.cfg.dt, self.ms, self.mgr
        stop_t = self.max_t if until_s is None else min(until_s, self.max_t)
        n_stop = round(stop_t / dt)
        while not self.done and self.step < n_stop:
            if self.t_s >= self.next_check_t - 0.5 * dt:
                self._slow_tick()
                if self.done:
                    break
            # the next failsafe check is also due at a fault's onset or end
            self.next_check_t = self._next_boundary_s()
            n_next = max(1, round(self.next_check_t / dt) - self.step)
            n = min(self.chunk, n_stop - self.step, n_next)
            rows = n // (cfg.log_every * cfg.div_ap) + 2
            if self.n_log + rows > self.log_buf.shape[0]:
                grown = np.zeros((max(2 * self.log_buf.shape[0], self.n_log + rows), cl.N_LOG))
                grown[: self.n_log] = self.log_buf[: self.n_log]
                self.log_buf = grown
            self.arrays = self.arrays._replace(log=self.log_buf[self.n_log : self.n_log + rows])
            done, ev, n_logged = cl.run_chunk(
                self.arrays, self.vp, self.ap, self.sp, sc.ekf, cfg, self.rng,
                self.step * dt, self.step, n,
            )  # fmt: skip
            if n_logged:
                seg = (self.mgr.mode.name, tg.KIND_NAMES[int(self.target[tg.KIND])])
                if not self.segments or self.segments[-1][1:] != seg:
                    self.segments.append((self.n_log, *seg))
            self.n_log += n_logged
            self.step += done
            if self.progress is not None:
                self.progress(self.t_s, float(self.x[FUEL]), float(ms[cl.MS_DIST]), mgr.seq)
            if ev != cl.EV_NONE:
                self._on_event(ev)
        if not self.done and self.step >= round(self.max_t / dt):
            self._end_in_the_air()
        return self.done

    def _end(self, state: EndState, reason: str) -> None:
        """The flight ends now, in ``state``, for ``reason`` (a sentence with figures)."""
        self.end_state = state
        self.end_reason = reason
        self.done = True

    def _end_in_the_air(self) -> None:
        """The time limit: still flying. By design if the mission's current item is a
        NAV_LOITER_UNLIM the aircraft is circling in AUTO (ArduPlane never leaves one)."""
        mgr = self.mgr
        item = mgr.current_item()
        if (
            mgr.mode == Mode.AUTO
            and mgr.fs_items is None
            and item is not None
            and item.command == MavCmd.NAV_LOITER_UNLIM
            and self.ms[cl.MS_LOIT_ON] > 0.5
        ):
            mgr.items_reached.append(mgr.seq)
            self.by_design = True
            self._end(
                EndState.AIRBORNE,
                f"loitering at item {mgr.seq} (NAV_LOITER_UNLIM) as "
                f"planned when the time limit of {self.max_t:g} s was reached",
            )
            return
        self._end(
            EndState.AIRBORNE,
            f"time limit of {self.max_t:g} s reached in {mgr.mode.name} at item {mgr.seq}",
        )

    # --- faults and failsafes (slow loop) --------------------------------------------------

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
        fa = self.arrays.faults
        ms = self.ms
        active = {f.kind: f for f in self.faults if f.active(t)}
        fa[cl.FT_GNSS_OFF] = 1.0 if "gnss_loss" in active else 0.0
        drift = active.get("gnss_drift")
        if drift is None:
            fa[cl.FT_DRIFT_RATE] = 0.0
        elif fa[cl.FT_DRIFT_RATE] == 0.0:
            fa[cl.FT_DRIFT_RATE] = drift.params["rate"]
            fa[cl.FT_DRIFT_DIR] = math.radians(drift.params["dir"])
            fa[cl.FT_DRIFT_T0] = drift.t_s
        if "pitot_blocked" in active:
            if fa[cl.FT_PITOT_STUCK] < 0.5:
                fa[cl.FT_PITOT_STUCK] = 1.0
                fa[cl.FT_PITOT_VALUE] = ms[cl.MS_TAS_MEAS]  # trapped at the onset reading
        else:
            fa[cl.FT_PITOT_STUCK] = 0.0
        fa[cl.FT_MAG_OFF] = 1.0 if "mag_fail" in active else 0.0
        nan = active.get("sensor_nan")
        fa[cl.FT_NAN_MASK] = 0.0 if nan is None else float(int(nan.params["mask"]))
        leak = active.get("fuel_leak")
        self.arrays.env[ENV_FUEL_LEAK] = 0.0 if leak is None else leak.params["rate"] / 3600.0
        for f in self.faults:
            if f.kind == "engine_failure" and t >= f.t_s:
                ms[cl.MS_ENGINE_ON] = 0.0
            if f.kind == "gust" and f.t_s + f.params["len"] > t:
                fa[cl.FT_GUST_T0] = f.t_s
                fa[cl.FT_GUST_LEN] = f.params["len"]
                fa[cl.FT_GUST_AMP] = f.params["amp"]
                break

    def _nav(self) -> NavSnapshot:
        """The autopilot's view: EKF position and wind (truth with --truth-nav)."""
        ms, xe = self.ms, self.arrays.ekf_x
        if self.sc.truth_nav:
            pos = here_of(self.x)
            lat, lon, alt = pos.lat_deg, pos.lon_deg, pos.alt_m
            wn, we, _ = steady_wind_ned(alt, self.arrays.wind_alt, self.arrays.wind_n,
                                        self.arrays.wind_e)  # fmt: skip
        else:
            lat, lon, alt = math.degrees(xe[E_LAT]), math.degrees(xe[E_LON]), xe[E_ALT]
            wn, we = xe[E_WN], xe[E_WE]
        t = self.t_s
        gnss_age = t - ms[cl.MS_GNSS_T] if not self.sc.truth_nav else 0.0
        return NavSnapshot(
            t_s=t, lat_deg=lat, lon_deg=lon, alt_m=alt, wind_n_mps=wn, wind_e_mps=we,
            fuel_kg=float(self.x[FUEL]), airborne=ms[cl.MS_ON_GROUND] < 0.5 and t > 5.0,
            link_ok=self.link_ok(t), gnss_age_s=gnss_age if t > 10.0 else 0.0,
            airspeed_failed=ms[cl.MS_ASPD_BAD] > 0.5,
            engine_running=ms[cl.MS_ENGINE_ON] > 0.5 and self.x[FUEL] > 0.0,
            ekf_resets=int(xe[E_N_GNSS_RESETS]),
        )  # fmt: skip

    def _slow_tick(self) -> None:
        t = self.t_s
        self._apply_faults()
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
        if cmd == "circle":
            mgr.failsafe_circle(t, here)
        elif cmd == "resume":
            mgr.failsafe_resume(t, here)
        elif cmd == "rtl":
            mgr.failsafe_rtl(t, here)
        elif cmd == "guided":
            dest = act.target or (mgr.home.lat_deg, mgr.home.lon_deg,
                                  mgr.home_at_rtl_alt().alt_m)  # fmt: skip
            mgr.guided_goto(t, here, Position(*dest))
        elif cmd == "land_at" and act.target is not None:
            mgr.failsafe_land_at(t, here, Position(*act.target), wind, act.action)
        elif cmd in ("glide_to", "land_ahead"):
            self.ms[cl.MS_GLIDE] = 1.0
            mgr.speed_mps = self.v_glide
            if cmd == "glide_to" and act.target is not None:
                mgr.failsafe_glide_to(t, here, Position(*act.target), wind, act.action)
            else:
                vn, ve = self.arrays.ekf_x[E_VN], self.arrays.ekf_x[E_VE]
                course = math.degrees(math.atan2(ve, vn))
                reach = max(nav.alt_m - mgr.ground_alt_m, 0.0) * self.monitor.ld * 0.7
                mgr.failsafe_land_ahead(t, here, course, reach, act.action)
        self.ms[cl.MS_NAV_NOW] = 1.0
        for flag in cl.PER_TARGET_FLAGS:
            self.ms[flag] = 0.0

    def _on_event(self, ev: int) -> None:
        ms, mgr, t_s = self.ms, self.mgr, self.t_s
        here = here_of(self.x)
        if ev == cl.EV_TARGET_DONE:
            mgr.on_target_done(t_s, here)
            for flag in cl.PER_TARGET_FLAGS:
                ms[flag] = 0.0
            ms[cl.MS_NAV_NOW] = 1.0  # guidance for the new target on the next step
            if mgr.finished and not mgr.landed:  # by design: the plan ends in the air
                self.by_design = True
                self._end(EndState.AIRBORNE, f"mission complete after item {mgr.seq}: "
                          "loitering over the last position")  # fmt: skip
        elif ev == cl.EV_TOUCHDOWN:
            td = touchdown_of(ms)
            bad = touchdown_violations(td, self.af.landing)
            self.touchdown = {**td.as_dict(), "within_limits": not bad, "violations": list(bad)}
            if mgr.last_land is not None:
                along, across = along_across(mgr.last_land, td.lat_deg, td.lon_deg)
                self.touchdown.update(along_m=along, across_m=across,
                                      distance_m=math.hypot(along, across))  # fmt: skip
            mgr.on_touchdown(t_s, here, td.text())
            if bad:
                mgr.events.append(MissionEvent(t_s, "crash", mgr.seq, mgr.mode.name,
                                               here.lat_deg, here.lon_deg, here.alt_m,
                                               "; ".join(bad)))  # fmt: skip
                self._end(EndState.CRASHED, "touchdown beyond the airframe's limits: "
                          + "; ".join(bad))  # fmt: skip
        elif ev == cl.EV_STOPPED:
            kind = self.target[tg.KIND]
            if kind == tg.TK_LAND:
                mgr.on_stopped(t_s, here)
                dist = None if self.touchdown is None else self.touchdown.get("distance_m")
                state, reason = landing_outcome(dist, mgr.land_at_site, self.af.landing,
                                                mgr.land_label)  # fmt: skip
                self._end(state, reason)
            elif kind == tg.TK_TAKEOFF and ms[cl.MS_TD] < 0.5:
                mgr.events.append(MissionEvent(t_s, "takeoff_failed", mgr.seq, mgr.mode.name,
                                               here.lat_deg, here.lon_deg, here.alt_m))  # fmt: skip
                self._end(EndState.ABORTED, f"take-off abandoned: still on the ground "
                          f"{t_s:.0f} s after the start of the take-off run")  # fmt: skip
            else:
                mgr.events.append(MissionEvent(t_s, "stopped_on_ground", mgr.seq,
                                               mgr.mode.name, here.lat_deg, here.lon_deg,
                                               here.alt_m))  # fmt: skip
                self._end(EndState.CRASHED, "stopped on the ground outside a landing")
        elif ev == cl.EV_GROUND_CONTACT:
            # the ground outside a landing (a waypoint below the ground, a sag after the
            # launch, a glide that falls short): the aircraft is wrecked
            td = touchdown_of(ms)
            bad = touchdown_violations(td, self.af.landing)
            self.touchdown = {**td.as_dict(), "within_limits": False, "violations": list(bad)}
            phase = tg.KIND_NAMES.get(int(self.target[tg.KIND]), "flight")
            mgr.events.append(MissionEvent(t_s, "ground_contact", mgr.seq, mgr.mode.name,
                                           here.lat_deg, here.lon_deg, here.alt_m,
                                           td.text()))  # fmt: skip
            self._end(EndState.CRASHED, f"hit the ground outside a landing ({phase}, "
                      f"{mgr.mode.name}, item {mgr.seq}) at {td.lat_deg:.5f}, "
                      f"{td.lon_deg:.5f}: {td.text()}")  # fmt: skip
        elif ev == cl.EV_FUEL_EXHAUSTED:
            self.fuel_out_t = t_s
            ms[cl.MS_ENGINE_ON] = 0.0
            mgr.events.append(MissionEvent(t_s, "fuel_exhausted", mgr.seq, mgr.mode.name,
                                           here.lat_deg, here.lon_deg, here.alt_m))  # fmt: skip
        elif ev == cl.EV_NONFINITE:
            self._end(EndState.SIM_ERROR, f"the simulated state became non-finite at "
                      f"t = {t_s:.2f} s")  # fmt: skip
        elif ev == cl.EV_HEALTH:
            self.next_check_t = self.t_s  # announce and act now
        elif ev == cl.EV_TRIGGERS_FULL:
            raise RuntimeError(f"more than {MAX_TRIGGERS} camera triggers")

    def outcome(self) -> Outcome:
        """The verdict so far: the end state (``interrupted`` while the flight has not
        ended), and whether the mission was flown as planned: every navigation item
        reached, no failsafe took it off the mission, and it ended landed at a site or in
        the air by design."""
        if not self.done or self.end_state is None:
            return Outcome(EndState.INTERRUPTED, f"stopped by the caller at t = "
                           f"{self.t_s:.1f} s, before the flight ended", False)  # fmt: skip
        why = []
        if self.end_state == EndState.AIRBORNE and not self.by_design:
            why.append("the flight was cut by the time limit")
        elif self.end_state not in (EndState.LANDED, EndState.AIRBORNE):
            why.append(f"it ended {self.end_state}")
        for f in self.failsafes:
            if f["action"] not in NON_DIVERTING:
                why.append(f"diverted by the {f['kind']} failsafe ({f['action']} at "
                           f"t = {f['t_s']:.0f} s)")  # fmt: skip
        missed = sorted(set(self.mgr.nav_seqs()) - set(self.mgr.items_reached))
        if missed:
            shown = ", ".join(str(k) for k in missed[:8]) + (", ..." if len(missed) > 8 else "")
            why.append(f"{len(missed)} navigation item(s) not reached: {shown}")
        return Outcome(self.end_state, self.end_reason, not why, tuple(why))

    def result(self) -> FlightResult:
        """The log, camera triggers, events and summary of the flight so far."""
        full_log = self.log_buf[: self.n_log]
        trig = self.arrays.trig[: int(self.ms[cl.MS_N_TRIG])].copy()
        wall = time.perf_counter() - self.wall0
        summary = flight_summary(
            self.mgr,
            self.x,
            self.ms,
            self.t_s,
            self.fuel0,
            len(trig),
            self.outcome(),
            self.fuel_out_t,
            self.route_m,
            self.touchdown,
        )
        if self.touchdown is not None:
            summary["landing_lat"] = self.touchdown["lat_deg"]
            summary["landing_lon"] = self.touchdown["lon_deg"]
        summary["failsafes"] = list(self.failsafes)
        summary["faults"] = [f.as_dict() for f in self.faults]
        summary["nonfinite_commands"] = int(self.ms[cl.MS_NONFINITE])
        summary["nonfinite_inputs"] = int(self.ms[cl.MS_NAN_IN])
        summary.update(
            airframe=self.af.name,
            seed=self.sc.seed,
            truth_nav=self.sc.truth_nav,
            turbulence=self.sc.turbulence.name.lower(),
            dt_s=self.sc.dt_s,
            wall_time_s=wall,
            realtime_factor=self.t_s / wall if wall > 0 else None,
        )
        return FlightResult(full_log, trig, tuple(self.mgr.events), summary, tuple(self.segments))


def fly(sc: FlightScenario, progress: ProgressFn | None = None) -> FlightResult:
    """Fly the mission of ``sc`` from launch to landing (or the end of the time limit)."""
    flight = Flight(sc, progress)
    flight.run()
    return flight.result()
