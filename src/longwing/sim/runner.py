"""Fly a mission: the slow loop around :func:`longwing.sim.closedloop.run_chunk`.

Sets up the vehicle at the launch point (:mod:`longwing.sim.setup`), then alternates: run
the compiled loop until it returns (chunk end or an event), hand events to the
:class:`~longwing.mission.manager.MissionManager`, which updates the guidance target; apply
faults and run the failsafes between chunks (:mod:`longwing.sim.slowloop`). Every target
change goes through :meth:`Flight.retarget`. Deterministic for a seed; no wall-clock time
enters the simulation.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.control.l1 import l1_reset
from longwing.mission.items import MavCmd
from longwing.mission.manager import MissionEvent, MissionManager, Mode
from longwing.mission.preflight import launch_weather_problems
from longwing.physics.state import FUEL
from longwing.physics.terrain import terrain_grid, terrain_height_m
from longwing.sensors.camera import record_photo
from longwing.sim import closedloop as cl
from longwing.sim import events as ev_
from longwing.sim.outcome import EndState, Outcome, landing_outcome, touchdown_violations
from longwing.sim.scenario import (
    FlightResult,
    FlightScenario,
    ProgressFn,
    launch_state,
    truth_wind_ned,
)
from longwing.sim.setup import (
    MAX_TRIGGERS,
    autopilot_params,
    failsafe_monitor,
    fuel_model,
    loop_arrays,
    loop_config,
    sensor_params,
)
from longwing.sim.slowloop import FaultsAndFailsafes
from longwing.sim.stats import FlightStats
from longwing.sim.summary import along_across, flight_summary, here_of, touchdown_of

CHUNK_S = 30.0
LOG_INIT_ROWS = 1 << 16  # log buffer rows to start with (1.8 h at 10 Hz)
# failsafe actions that keep the aircraft on its mission (the rest divert it)
NON_DIVERTING = frozenset(("continue", "none", "report", "dead reckoning", "synthetic airspeed",
                           "reset to GNSS", "resume", "CIRCLE"))  # fmt: skip


class Flight(FaultsAndFailsafes):
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
        af = self.af = sc.airframe
        fuel0 = self.fuel0 = af.mass.fuel_capacity_kg if sc.fuel_kg is None else sc.fuel_kg
        self.rng = np.random.default_rng(sc.seed)
        self.target = tg.new_target()
        settings = replace(sc.settings, TKOFF_CLIMB_PITCH=af.launch.climb_pitch_rad)
        if af.launch.method == "runway":
            settings = replace(settings, TKOFF_ROTATE_SPD=af.launch.rotate_speed_mps)
        self.mgr = MissionManager(sc.mission, settings, self.target, af.landing)
        self.ap = autopilot_params(sc, fuel0)
        # the DEMs as the kernels take them, made once: the world's ground and the
        # autopilot's terrain (the same grid unless a ground station sent another)
        world = terrain_grid(sc.terrain)
        known = world if sc.autopilot_terrain is None else terrain_grid(sc.autopilot_terrain)
        if known.heights_m.shape[0] > 0:  # the autopilot's terrain: landings, terrain frames
            self.mgr.ground_fn = lambda lat, lon: terrain_height_m(
                math.radians(lat), math.radians(lon), known, math.nan
            )
        home = sc.mission.home
        ground0 = terrain_height_m(math.radians(home.lat_deg), math.radians(home.lon_deg),
                                   world, home.alt_m)  # fmt: skip
        if sc.terrain is not None:
            self.mgr.ground_alt_m = ground0
        self.x, act = launch_state(sc, self.mgr, fuel0, ground0)
        self.sp = sensor_params(sc)
        self.cfg = loop_config(sc, self.sp)
        self.vp = cl.VehicleParams(af.aero, af.mass, af.prop, af.ground, af.actuators)
        self.arrays = loop_arrays(sc, self.x, act, self.target, self.rng, self.sp, world, known)
        self.state = self.arrays.st[0]  # the loop's named state (sim.loopstate), a view
        home = sc.mission.home
        w_sfc = truth_wind_ned(sc.wind, 0.0, home.lat_deg, home.lon_deg, home.alt_m)
        self.mgr.wind_fn = self._wind_estimate  # the landing direction's wind
        self.mgr.start(0.0, here_of(self.x), (w_sfc[0], w_sfc[1]))

        self.route_m = sc.mission.route_length_m()
        self.max_t = (
            sc.max_duration_s if sc.max_duration_s is not None
            else 3.0 * self.route_m / af.envelope.airspeed_min_mps + 3600.0
        )  # fmt: skip
        for f in sc.faults:
            if f.t_s >= self.max_t:
                raise ValueError(f"fault {f.kind}@{f.t_s:g}: starts after the flight's time "
                                 f"limit of {self.max_t:.0f} s")  # fmt: skip
        self.chunk = max(1, round(CHUNK_S / sc.dt_s))
        # the whole log in memory, in one buffer the kernel writes into directly, grown by
        # doubling; sized for the planned route at the minimum airspeed: np.zeros maps pages
        # lazily, so only the rows written cost memory, and a normal flight never regrows it.
        # stream_log_to() switches to one chunk's rows at a time, handed to a writer.
        self.log_writer = None
        self.streaming = False
        expect = self.route_m / af.envelope.airspeed_min_mps * sc.log_hz * 1.2
        self.log_buf = np.zeros((max(LOG_INIT_ROWS, int(expect)), cl.N_LOG))
        self.n_log = 0  # rows logged so far
        self.last_row = np.zeros(cl.N_LOG)  # the latest row (telemetry)
        # (first log row, flight mode, target) from that row on; a new entry at every
        # change of either (see retarget)
        self.targets: list[tuple[int, str, np.ndarray]] = []
        self.target_id = 0
        self._flown = self.target.copy()  # the target the loop's per-target state is for
        self.stats = FlightStats(cl.LOG_COLUMNS, sc.wind, sc.truth_nav)
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
        self.terminated = False  # DO_FLIGHTTERMINATION: engine off, surfaces neutral
        # the planner's fuel model: the fuel failsafe and economy speed (ECO_SPEED) use it
        use = sc.failsafe.FS_FUEL_ACTN or settings.ECO_SPEED
        fuel = fuel_model(sc, af, settings, self.ap) if use else None
        self.monitor, self.v_glide = failsafe_monitor(sc, af, fuel0, fuel)

    @property
    def t_s(self) -> float:
        """Simulated time, s."""
        return self.step * self.cfg.dt

    def retarget(self) -> None:
        """The one place a new guidance target takes effect: call it after the mission
        manager has written one (the runner does after every event and failsafe; the MAVLink
        vehicle after a mode change). Clears the per-target state of the loop (loiter,
        flare, the leg frame), resets L1's memory (cross-track integrator, turn direction)
        and asks for guidance on the next tick; a no-op if the target did not change (a new
        airspeed or camera distance alone is the same target)."""
        self.eco_speed()
        pilot = self.state["pilot"]
        if self.target[tg.KIND] == tg.TK_PILOT and pilot["mode"] != int(self.mgr.mode):
            pilot["mode"] = int(self.mgr.mode)  # a new pilot mode engages afresh
            pilot["engaged"] = False
        self._flown[tg.SPEED] = self.target[tg.SPEED]
        self._flown[tg.CAM_DIST] = self.target[tg.CAM_DIST]
        if np.array_equal(self.target, self._flown):
            return
        self._flown[:] = self.target
        st = self.state
        st["guid"]["run_now"] = True
        st["guid"]["leg_ok"] = False
        st["loiter"] = np.zeros(1, dtype=st["loiter"].dtype)[0]
        st["landing"]["flare"] = False
        st["landing"]["abort_code"] = 0
        st["pilot"]["engaged"] = False
        l1_reset(self.arrays.l1)
        self.target_id += 1

    def set_sticks(self, roll: float, pitch: float, yaw: float, throttle: float,
                   fbwb_climb_mps: float, acro_roll_radps: float,
                   acro_pitch_radps: float) -> None:  # fmt: skip
        """The pilot's sticks (normalised: roll, pitch, yaw in [-1, 1], throttle in [0, 1])
        and the pilot modes' settings, for the chunks that follow (control.pilot)."""
        pl = self.state["pilot"]
        pl["roll_in"], pl["pitch_in"], pl["yaw_in"], pl["thr_in"] = roll, pitch, yaw, throttle
        pl["fbwb_climb_mps"] = fbwb_climb_mps
        pl["acro_roll_radps"], pl["acro_pitch_radps"] = acro_roll_radps, acro_pitch_radps

    def take_photo(self) -> bool:
        """A camera trigger now, at the true position and attitude (a ground station's
        DO_DIGICAM_CONTROL); False when the trigger buffer is full."""
        veh = self.state["veh"]
        n = int(veh["n_trig"])
        if n >= self.arrays.trig.shape[0]:
            return False
        row = self.last_row
        c = cl.LOG_COLUMNS
        vals = [row[c.index(k)] for k in ("t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad",
                                           "pitch_rad", "yaw_rad")]  # fmt: skip
        vals[0] = self.t_s
        record_photo(self.arrays.trig, n, *vals)
        veh["n_trig"] = n + 1
        return True

    def terminate(self) -> None:
        """Flight termination (ArduPlane's AFS with AFS_TERM_ACTION): the engine stops and
        the surfaces go to neutral for the rest of the flight, whatever is commanded."""
        self.terminated = True
        self.stop_engine()
        self.mgr.set_mode(self.t_s, int(Mode.MANUAL), here_of(self.x))
        self.retarget()
        pl = self.state["pilot"]
        pl["engaged"] = True  # trims of zero: neutral surfaces
        pl["trim_de"] = pl["trim_da"] = pl["trim_dr"] = 0.0
        pl["roll_in"] = pl["pitch_in"] = pl["yaw_in"] = pl["thr_in"] = 0.0

    def stop_engine(self) -> None:
        """The engine stops (a forced disarm in flight): the failsafes see it next check."""
        self.state["veh"]["engine_on"] = False

    @property
    def gnss_off(self) -> bool:
        return bool(self.state["faults"]["gnss_off"])

    def launch_refusal(self) -> list[str]:
        """Why the launch is refused (LAUNCH_WX_CHECK): the weather at home beyond the
        airframe's launch limits; empty when it may go."""
        sc = self.sc
        if not sc.failsafe.LAUNCH_WX_CHECK:
            return []
        home = sc.mission.home
        wn, we, _ = truth_wind_ned(sc.wind, 0.0, home.lat_deg, home.lon_deg, home.alt_m)
        return launch_weather_problems(self.af.launch, math.hypot(wn, we), int(sc.turbulence))

    def run(self, until_s: float | None = None) -> bool:
        """Advance to ``until_s`` (default: the scenario's time limit) or the end of the
        flight, whichever comes first. Returns True once the flight has ended."""
        sc, cfg, dt, mgr = self.sc, self.cfg, self.cfg.dt, self.mgr
        if self.step == 0 and not self.done:
            refused = self.launch_refusal()
            if refused:
                self._event("launch_refused", here_of(self.x), "; ".join(refused))
                self._end(EndState.ABORTED, "launch refused: " + "; ".join(refused))
                return True
        stop_t = self.max_t if until_s is None else min(until_s, self.max_t)
        n_stop = round(stop_t / dt)
        while not self.done and self.step < n_stop:
            if self.t_s >= self.next_check_t - 0.5 * dt:
                self._slow_tick()
                if self.done:
                    break
            self.retarget()  # a no-op unless something changed the target
            # the next failsafe check is also due at a fault's onset or end
            self.next_check_t = self._next_boundary_s()
            n_next = max(1, round(self.next_check_t / dt) - self.step)
            n = min(self.chunk, n_stop - self.step, n_next)
            self.arrays = self.arrays._replace(log=self._log_window(n))
            done, ev, n_logged = cl.run_chunk(
                self.arrays, self.vp, self.ap, self.sp, sc.ekf, cfg, self.rng, self.step, n,
            )  # fmt: skip
            if n_logged:
                self._logged(n_logged)
            self.step += done
            if self.progress is not None:
                self.progress(self.t_s, float(self.x[FUEL]),
                              float(self.state["veh"]["dist_m"]), mgr.seq)  # fmt: skip
            if ev != ev_.EV_NONE:
                self._on_event(ev)
        if not self.done and self.step >= round(self.max_t / dt):
            self._end_in_the_air()
        return self.done

    def stream_log_to(self, writer) -> None:
        """Hand the log rows to ``writer`` (a :class:`~longwing.logs.logfile.LogWriter`), or
        with None keep only the latest row (``last_row``), instead of the whole log in
        memory; call it before the flight runs."""
        if self.n_log:
            raise RuntimeError("stream_log_to must be called before the flight runs")
        self.log_writer = writer
        self.streaming = True
        self.log_buf = np.zeros((self.chunk // (self.cfg.log_every * self.cfg.div_ap) + 2,
                                 cl.N_LOG))  # fmt: skip

    def _log_window(self, n_steps: int) -> np.ndarray:
        """Where the kernel writes the rows of the next ``n_steps``."""
        rows = n_steps // (self.cfg.log_every * self.cfg.div_ap) + 2
        if self.streaming:
            return self.log_buf[:rows]
        if self.n_log + rows > self.log_buf.shape[0]:
            grown = np.zeros((max(2 * self.log_buf.shape[0], self.n_log + rows), cl.N_LOG))
            grown[: self.n_log] = self.log_buf[: self.n_log]
            self.log_buf = grown
        return self.log_buf[self.n_log : self.n_log + rows]

    def _logged(self, n_rows: int) -> None:
        """New log rows, all flown under the present mode and target: note them, add them
        to the statistics, hand them to the writer."""
        mode = self.mgr.mode.name
        if (
            not self.targets
            or self.targets[-1][1] != mode
            or not np.array_equal(self.targets[-1][2], self.target)
        ):
            self.targets.append((self.n_log, mode, self.target.copy()))
        rows = self.arrays.log[:n_rows]
        self.stats.add(rows, self.target, self.target_id)
        if self.log_writer is not None:
            self.log_writer.append(rows, (mode, tg.KIND_NAMES[int(self.target[tg.KIND])]))
        self.last_row[:] = rows[-1]
        self.n_log += n_rows

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
            and self.state["loiter"]["captured"]
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

    def _on_event(self, ev: int) -> None:
        mgr, t_s = self.mgr, self.t_s
        st = self.state
        here = here_of(self.x)
        if ev == ev_.EV_TARGET_DONE:
            mgr.on_target_done(t_s, here)
            self.retarget()
            if mgr.finished and not mgr.landed:  # by design: the plan ends in the air
                self.by_design = True
                self._end(EndState.AIRBORNE, f"mission complete after item {mgr.seq}: "
                          "loitering over the last position")  # fmt: skip
        elif ev == ev_.EV_TOUCHDOWN:
            td = touchdown_of(st["td"])
            bad = touchdown_violations(td, self.af.landing)
            self.touchdown = {**td.as_dict(), "within_limits": not bad, "violations": list(bad)}
            if mgr.last_land is not None:
                along, across = along_across(mgr.last_land, td.lat_deg, td.lon_deg)
                self.touchdown.update(along_m=along, across_m=across,
                                      distance_m=math.hypot(along, across))  # fmt: skip
            mgr.on_touchdown(t_s, here, td.text())
            if bad:
                self._event("crash", here, "; ".join(bad))
                self._end(EndState.CRASHED, "touchdown beyond the airframe's limits: "
                          + "; ".join(bad))  # fmt: skip
        elif ev == ev_.EV_STOPPED:
            kind = self.target[tg.KIND]
            if kind == tg.TK_LAND:
                mgr.on_stopped(t_s, here)
                dist = None if self.touchdown is None else self.touchdown.get("distance_m")
                state, reason = landing_outcome(dist, mgr.land_at_site, self.af.landing,
                                                mgr.land_label)  # fmt: skip
                self._end(state, reason)
            elif kind == tg.TK_PILOT and self.touchdown is not None:
                # a pilot's landing: intact (judged at the touchdown); at home or not
                mgr.on_stopped(t_s, here)
                home = mgr.home
                dist = Geodesic.WGS84.Inverse(home.lat_deg, home.lon_deg, here.lat_deg,
                                              here.lon_deg)["s12"]  # fmt: skip
                self._end(*landing_outcome(dist, True, self.af.landing, "home"))
            elif kind == tg.TK_TAKEOFF and not st["td"]["seen"]:
                self._event("takeoff_failed", here)
                self._end(EndState.ABORTED, f"take-off abandoned: still on the ground "
                          f"{t_s:.0f} s after the start of the take-off run")  # fmt: skip
            else:
                self._event("stopped_on_ground", here)
                self._end(EndState.CRASHED, "stopped on the ground outside a landing")
        elif ev == ev_.EV_GROUND_CONTACT:
            # the ground outside a landing (a waypoint below the ground, a sag after the
            # launch, a glide that falls short): the aircraft is wrecked
            td = touchdown_of(st["td"])
            bad = touchdown_violations(td, self.af.landing)
            self.touchdown = {**td.as_dict(), "within_limits": False, "violations": list(bad)}
            phase = tg.KIND_NAMES.get(int(self.target[tg.KIND]), "flight")
            what = "the ground outside a landing"
            if self.sc.terrain is not None:  # named by the DEM's height there
                ground = terrain_height_m(math.radians(td.lat_deg), math.radians(td.lon_deg),
                                          self.arrays.terrain, math.nan)  # fmt: skip
                what = f"terrain ({ground:.0f} m AMSL)"
            self._event("ground_contact", here, td.text())
            self._end(EndState.CRASHED, f"hit {what} ({phase}, {mgr.mode.name}, item "
                      f"{mgr.seq}) at {td.lat_deg:.5f}, {td.lon_deg:.5f}: {td.text()}")  # fmt: skip
        elif ev == ev_.EV_FUEL_EXHAUSTED:
            self.fuel_out_t = t_s
            st["veh"]["engine_on"] = False
            self._event("fuel_exhausted", here)
        elif ev == ev_.EV_NONFINITE:
            self._end(EndState.SIM_ERROR, f"the simulated state became non-finite at "
                      f"t = {t_s:.2f} s")  # fmt: skip
        elif ev == ev_.EV_GO_AROUND:
            self._on_go_around()
        elif ev == ev_.EV_HEALTH:
            self.next_check_t = self.t_s  # announce and act now
        elif ev == ev_.EV_TRIGGERS_FULL:
            raise RuntimeError(f"more than {MAX_TRIGGERS} camera triggers")

    def _event(self, kind: str, here, detail: str = "") -> None:
        mgr = self.mgr
        mgr.events.append(MissionEvent(self.t_s, kind, mgr.seq, mgr.mode.name, here.lat_deg,
                                       here.lon_deg, here.alt_m, detail))  # fmt: skip

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
        st = self.state
        trig = self.arrays.trig[: int(st["veh"]["n_trig"])].copy()
        wall = time.perf_counter() - self.wall0
        summary = flight_summary(self.mgr, self.x, self.t_s, self.fuel0, float(st["veh"]["dist_m"]),
                                 len(trig), self.outcome(), self.fuel_out_t, self.route_m,
                                 self.touchdown, self.stats.summary())  # fmt: skip
        if self.touchdown is not None:
            summary["landing_lat"] = self.touchdown["lat_deg"]
            summary["landing_lon"] = self.touchdown["lon_deg"]
        summary["failsafes"] = list(self.failsafes)
        summary["faults"] = [f.as_dict() for f in self.faults]
        summary["nonfinite_commands"] = int(st["health"]["nonfinite_cmds"])
        summary["nonfinite_inputs"] = int(st["health"]["nan_inputs"])
        summary.update(
            airframe=self.af.name,
            seed=self.sc.seed,
            truth_nav=self.sc.truth_nav,
            turbulence=self.sc.turbulence.name.lower(),
            dt_s=self.sc.dt_s,
            wall_time_s=wall,
            realtime_factor=self.t_s / wall if wall > 0 else None,
        )
        segments = tuple((row, mode, tg.KIND_NAMES[int(t[tg.KIND])])
                         for row, mode, t in self.targets)  # fmt: skip
        log = self.log_buf[:0] if self.streaming else self.log_buf[: self.n_log]
        return FlightResult(log, trig, tuple(self.mgr.events), summary, segments)


def fly(sc: FlightScenario, progress: ProgressFn | None = None) -> FlightResult:
    """Fly the mission of ``sc`` from launch to landing (or the end of the time limit)."""
    flight = Flight(sc, progress)
    flight.run()
    return flight.result()
