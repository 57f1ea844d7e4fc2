"""What a ground station asks of the mission manager outside the mission: GUIDED go-to and
orbit, altitude changes, pausing the mission, jumping to its landing (ArduPlane's
``mode_guided.cpp``, ``GCS_Mavlink.cpp`` and ``AP_Mission`` in role).

A mixin of :class:`~longwing.mission.manager.MissionManager` (it uses the manager's target
writers and events); positions are :class:`~longwing.geo.point.GeoPoint` with AMSL
altitudes, already resolved from the command's frame by the caller.
"""

from __future__ import annotations

from longwing.control import target as tg
from longwing.geo.point import GeoPoint


class GuidedFlight:
    """GCS commands on the manager (see the module doc)."""

    def _init_guided(self) -> None:
        self.guided_radius_m = 0.0  # signed (+ clockwise); 0: WP_LOITER_RAD
        self.paused_seq: int | None = None  # DO_PAUSE_CONTINUE: the item a pause left

    def guided_goto(self, t_s: float, here: GeoPoint, dest: GeoPoint,
                    radius_m: float = 0.0) -> None:  # fmt: skip
        """GUIDED: fly to ``dest`` and loiter there (DO_REPOSITION, a guided MISSION_ITEM,
        SET_POSITION_TARGET_GLOBAL_INT); ``radius_m`` the loiter's (signed, + clockwise; 0:
        the one set before, else WP_LOITER_RAD)."""
        from longwing.mission.manager import Mode

        self.mode = Mode.GUIDED
        self.paused_seq = None
        self._landing_interrupted()
        if radius_m:
            self.guided_radius_m = radius_m
        self._event(t_s, "guided", here, f"to {dest.lat_deg:.6f}, {dest.lon_deg:.6f}, "
                    f"{dest.alt_m:.0f} m")  # fmt: skip
        self._leg(here, dest, self.s.WP_RADIUS, True)
        self.prev = dest

    def guided_loiter_radius(self) -> float:
        return self.guided_radius_m or self.s.WP_LOITER_RAD

    def guided_orbit(self, t_s: float, here: GeoPoint, centre: GeoPoint, radius_m: float,
                     turns: float) -> None:  # fmt: skip
        """GUIDED: circle ``centre`` at ``radius_m`` (+ clockwise), ``turns`` times (0: until
        told otherwise; then the loiter goes on, as ArduPlane's), MAV_CMD_DO_ORBIT."""
        from longwing.mission.manager import Mode

        self.mode = Mode.GUIDED
        self.paused_seq = None
        self._landing_interrupted()
        self.guided_radius_m = radius_m
        self._event(t_s, "guided", here, f"orbit {centre.lat_deg:.6f}, {centre.lon_deg:.6f}, "
                    f"r {radius_m:+.0f} m")  # fmt: skip
        self.prev = centre
        self._loiter(centre, radius_m, tg.EXIT_NONE, 0.0)

    def change_altitude(self, t_s: float, here: GeoPoint, alt_m: float) -> None:
        """The point being flown to (or circled) at ``alt_m`` AMSL (DO_CHANGE_ALTITUDE,
        GUIDED_CHANGE_ALTITUDE): the target's end altitude; a leg keeps its slope from its
        start."""
        t = self.tgt
        self.prev = GeoPoint(self.prev.lat_deg, self.prev.lon_deg, alt_m)
        t[tg.ALT_B] = alt_m
        if int(t[tg.KIND]) == tg.TK_LOITER:
            t[tg.ALT_A] = alt_m
        t[tg.TF_ON] = 0.0  # an altitude above sea level, no longer above the terrain
        self._event(t_s, "altitude", here, f"{alt_m:.0f} m")

    def pause_mission(self, t_s: float, here: GeoPoint) -> bool:
        """DO_PAUSE_CONTINUE 0 in AUTO: loiter where the aircraft is, the mode stays AUTO;
        False if not flying the mission, or landing."""
        from longwing.mission.manager import Mode

        if self.mode != Mode.AUTO or self.paused_seq is not None or self.finished:
            return False
        if int(self.tgt[tg.KIND]) in (tg.TK_LAND, tg.TK_TAKEOFF, tg.TK_GROUND):
            return False
        self.paused_seq = self.seq
        self._event(t_s, "paused", here, f"at item {self.seq}")
        self._loiter(GeoPoint(here.lat_deg, here.lon_deg, here.alt_m), self.s.WP_LOITER_RAD,
                     tg.EXIT_NONE, 0.0)  # fmt: skip
        return True

    def continue_mission(self, t_s: float, here: GeoPoint) -> bool:
        """DO_PAUSE_CONTINUE 1: the paused item again; False if nothing is paused."""
        from longwing.mission.manager import Mode

        if self.paused_seq is None or self.mode != Mode.AUTO:
            return False
        seq, self.paused_seq = self.paused_seq, None
        self._event(t_s, "continued", here, f"at item {seq}")
        self._advance(t_s, here, seq)
        return True

    def jump_to_landing(self, t_s: float, here: GeoPoint) -> bool:
        """MAV_CMD_DO_LAND_START: fly the mission's landing sequence (the one most into the
        wind, as RTL_AUTOLAND chooses) in AUTO; False if the mission has none."""
        from longwing.mission.manager import Mode

        start = self._choose_landing(t_s, here, None, log=False)
        if start is None:
            start = self.mission.land_sequence_start()
        if start is None:
            return False
        self.paused_seq = None
        self.fs_items = None
        self.resume_to = None
        self._landing_interrupted()
        self.mode = Mode.AUTO
        self._event(t_s, "mode", here, f"AUTO (landing sequence, item {start})")
        self._advance(t_s, here, start)
        return True

    def set_camera_distance(self, dist_m: float) -> None:
        """DO_SET_CAM_TRIGG_DIST as a command: trigger every ``dist_m`` m (0: stop)."""
        self.cam_dist_m = dist_m
        self.tgt[tg.CAM_DIST] = dist_m
