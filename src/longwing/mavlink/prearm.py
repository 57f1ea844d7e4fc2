"""The SITL vehicle's pre-arm checks, in ArduPlane's words where ArduPlane has them
("PreArm: ..."): a mission for AUTO, terrain data for terrain-frame items, the mission's
ground rule, plan check --dem's terrain conflicts, an intact aircraft after a flight, and the
launch weather limits."""

from __future__ import annotations

import math

from longwing.mavlink.terrain_protocol import terrain_points
from longwing.mission.preflight import launch_weather_problems, preflight_problems
from longwing.sim.scenario import truth_wind_ned

ON_GROUND_INTACT = ("landed", "landed_out", "aborted")  # end states a new flight may follow


def prearm_problem(v) -> str | None:
    """Why the :class:`~longwing.mavlink.vehicle.SitlVehicle` ``v`` must not arm (None:
    ready)."""
    if v.flying:
        return "already flying"
    if v.mode == 10 and not v.mission.items:
        return "PreArm: no mission loaded for AUTO"
    points = terrain_points(v.mission)
    if v.terrain is None and points and v.terrain_io.pending(points):
        return "PreArm: waiting for terrain data"  # ArduPlane's words
    if v.mode == 10:
        known = v.terrain_io.height_m if points or v.terrain is not None else None
        problems = preflight_problems(v.mission, known)
        if problems:  # ArduPilot's mission pre-arm check, with longwing's ground rule
            return f"PreArm: mission: {problems[0]}"
    if v.terrain is not None and v.mission.items:  # plan check --dem's conflicts
        why = v.terrain_io.refusals(v.mission, v.af, v.wind, v.turbulence, v.params)
        if why:
            return f"PreArm: {why[0]}"
    if v.landed_done and v.flight.end_state.value not in ON_GROUND_INTACT:
        return "PreArm: the aircraft is wrecked; restart the vehicle to fly again"
    fs = v.params.failsafe_settings() if v.params is not None else None
    if fs is None or fs.LAUNCH_WX_CHECK:
        home = v.mission.home
        wn, we, _ = truth_wind_ned(v.wind, 0.0, home.lat_deg, home.lon_deg, home.alt_m)
        weather = launch_weather_problems(v.af.launch, math.hypot(wn, we), int(v.turbulence))
        if weather:
            return f"PreArm: launch weather: {weather[0]}"
    return None
