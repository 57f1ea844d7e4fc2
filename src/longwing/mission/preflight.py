"""Pre-flight sanity of a mission: something to fly, and nothing planned below the ground.

:func:`preflight_problems` lists what makes a mission unflyable before any performance is
considered; :func:`check_preflight` raises the first problems as one
:class:`~longwing.mission.items.MissionError`. The checks:

* the mission has at least one navigation item (MAV_CMD 16..95): without one there is
  nothing to fly (:data:`NO_NAV_ITEMS`);
* every positioned navigation item, every rally point and the geofence's breach-return
  point is at or above the ground under it. Altitudes are resolved in their own frame
  (AMSL; relative to the home in effect, which ``DO_SET_HOME`` moves, as the mission
  manager does; above the terrain of ``terrain``). The ground:

  - with a DEM (``terrain``, e.g. :class:`longwing.geo.terrain_grid.Terrain`: ``terrain(lat_deg,
    lon_deg) -> m AMSL``, NaN where it has no data): the DEM height under the point. A point
    outside the DEM's coverage is a problem of its own (its ground is unknown). A
    ``NAV_LAND`` (its altitude is the touchdown point, i.e. the ground itself) is a
    problem only when it is more than :data:`LAND_DEM_TOLERANCE_M` below the DEM, about
    the vertical error of a DEM;
  - without a DEM: the simulator's flat world, level with the home elevation (the
    planned home's: the simulator's ground stays there until a landing starts, whatever
    ``DO_SET_HOME`` says). A ``NAV_LAND`` defines its own ground (a destination may lie
    below home, e.g. at sea level) and is not checked.

  Items at latitude and longitude 0, 0 mean "here" in MAVLink (the aircraft's position
  when the item starts): their position is unknown, so they are compared with the home
  elevation (a ``NAV_LAND`` there is skipped). DO commands are not flown to and are
  skipped, even those that carry a position (``DO_SET_HOME``, ``DO_LAND_START``).
  ``NAV_RETURN_TO_LAUNCH`` has no altitude of its own (``RTL_ALTITUDE`` above home).

Items are named as everywhere in longwing: ``item 4 (NAV_WAYPOINT)``, the MAVLink seq (the
first item is 1, home is 0). Altitudes in messages are metres above mean sea level.

Pure: no I/O.
"""

from __future__ import annotations

import math

from longwing.mission.fence import RallyPoint
from longwing.mission.items import (
    ABSOLUTE_FRAMES,
    RELATIVE_FRAMES,
    TERRAIN_FRAMES,
    MavCmd,
    MissionError,
    TerrainFn,
    frame_name,
    item_label,
)
from longwing.mission.model import Mission
from longwing.physics.turbulence import mil8785c_intensity

__all__ = ["LAND_DEM_TOLERANCE_M", "NO_NAV_ITEMS", "check_preflight", "preflight_problems"]

#: The problem of a mission without navigation items.
NO_NAV_ITEMS = "the mission has no navigation items"
#: A NAV_LAND may lie this much below the DEM (a DEM's typical vertical error), m.
LAND_DEM_TOLERANCE_M = 10.0
#: At most this many problems are spelled out by :func:`check_preflight`.
MAX_LISTED = 5


def _m(x: float) -> str:
    """Metres as short text: ``-4940``, ``59.6``."""
    return f"{x:.1f}".removesuffix(".0")


def _dem_name(terrain: TerrainFn) -> str:
    source = getattr(terrain, "source", "")
    return f"the DEM ({source})" if source else "the DEM"


def _is_here(lat_deg: float, lon_deg: float) -> bool:
    return lat_deg == 0.0 and lon_deg == 0.0


def _ground(
    what: str,
    lat_deg: float,
    lon_deg: float,
    home_ground_m: float,
    terrain: TerrainFn | None,
) -> tuple[float | None, str, str | None]:
    """``(ground m AMSL, its description, problem)`` under a point: the DEM's height there,
    or the home elevation without a DEM or for a point at 0, 0 ("here")."""
    if terrain is None or _is_here(lat_deg, lon_deg):
        return home_ground_m, "the home elevation", None
    h = float(terrain(lat_deg, lon_deg))
    if not math.isfinite(h):
        return (
            None,
            "",
            (
                f"{what} at {lat_deg:.5f}, {lon_deg:.5f} is outside {_dem_name(terrain)}: "
                "the ground under it is unknown"
            ),
        )
    return h, _dem_name(terrain), None


def _below(what: str, alt_m: float, ground_m: float, source: str) -> str:
    return (
        f"{what}: altitude {_m(alt_m)} m AMSL is {_m(ground_m - alt_m)} m below the ground "
        f"({_m(ground_m)} m AMSL, {source})"
    )


def _point_problems(
    what: str,
    lat_deg: float,
    lon_deg: float,
    alt_amsl_m: float,
    home_ground_m: float,
    terrain: TerrainFn | None,
    tolerance_m: float = 0.0,
) -> list[str]:
    ground, source, problem = _ground(what, lat_deg, lon_deg, home_ground_m, terrain)
    if problem is not None:
        return [problem]
    assert ground is not None
    if alt_amsl_m < ground - tolerance_m:
        return [_below(what, alt_amsl_m, ground, source)]
    return []


def _rally_alt_m(rp: RallyPoint, home_alt_m: float, terrain: TerrainFn | None, what: str):
    """Rally point altitude AMSL, or a problem text."""
    if rp.frame in ABSOLUTE_FRAMES:
        return rp.alt_m, None
    if rp.frame in RELATIVE_FRAMES:
        return home_alt_m + rp.alt_m, None
    if terrain is None:
        return None, (
            f"{what}: frame {frame_name(rp.frame)} is relative to terrain, but no DEM was "
            "given: the ground under it is unknown"
        )
    h = float(terrain(rp.lat_deg, rp.lon_deg))
    if not math.isfinite(h):
        return None, (
            f"{what} at {rp.lat_deg:.5f}, {rp.lon_deg:.5f} is outside {_dem_name(terrain)}: "
            "the ground under it is unknown"
        )
    return h + rp.alt_m, None


def preflight_problems(
    mission: Mission, terrain: TerrainFn | None = None, terrain_later: bool = False
) -> list[str]:
    """What makes ``mission`` unflyable (see the module doc); empty when nothing does.

    ``terrain``: a DEM, ``terrain(lat_deg, lon_deg) -> m AMSL`` (NaN without data), or
    ``None`` for the simulator's flat world at the home elevation. ``terrain_later``:
    without a DEM, terrain-frame items are left to be checked once the terrain is known (the
    SITL gets it from the ground station before arming).
    """
    problems: list[str] = []
    if not mission.nav_items():
        problems.append(NO_NAV_ITEMS)
    home = mission.home
    home_ground = home.alt_m  # the flat world's ground (and the ground at "here")
    home_alt = home.alt_m  # the home in effect, for relative frames
    last_alt = home.alt_m  # where the aircraft is headed: DO_SET_HOME "current" uses it
    for seq, item in enumerate(mission.items, start=1):
        what = item_label(seq, item.command)
        if item.command == MavCmd.DO_SET_HOME:
            if item.use_current:
                home_alt = last_alt
            elif item.has_position:
                try:
                    home_alt = mission.resolve_alt(seq, home_alt_m=home_alt, terrain=terrain)
                except MissionError as exc:
                    problems.append(str(exc))
            continue
        if not item.is_nav or not item.has_position:
            continue
        if terrain is None and terrain_later and item.frame in TERRAIN_FRAMES:
            continue
        try:
            alt = mission.resolve_alt(seq, home_alt_m=home_alt, terrain=terrain)
        except MissionError as exc:
            problems.append(str(exc))
            continue
        last_alt = alt
        is_land = item.command == MavCmd.NAV_LAND
        if is_land and (terrain is None or _is_here(item.lat_deg, item.lon_deg)):
            continue  # its own altitude is its ground
        problems += _point_problems(
            what, item.lat_deg, item.lon_deg, alt, home_ground, terrain,
            LAND_DEM_TOLERANCE_M if is_land else 0.0,
        )  # fmt: skip
    for k, rp in enumerate(mission.rally, start=1):
        what = f"rally point {k}"
        alt, problem = _rally_alt_m(rp, home.alt_m, terrain, what)
        if problem is not None:
            problems.append(problem)
            continue
        problems += _point_problems(what, rp.lat_deg, rp.lon_deg, alt, home_ground, terrain)
    br = mission.fence.breach_return
    if br is not None:
        problems += _point_problems(
            "geofence breach return point", br.lat_deg, br.lon_deg, home.alt_m + br.alt_m,
            home_ground, terrain,
        )  # fmt: skip
    return problems


def check_preflight(
    mission: Mission, terrain: TerrainFn | None = None, terrain_later: bool = False
) -> None:
    """Raise :class:`MissionError` listing the problems of :func:`preflight_problems` in
    one line (the first :data:`MAX_LISTED`, then how many more); return if there are none."""
    problems = preflight_problems(mission, terrain, terrain_later)
    if not problems:
        return
    text = "; ".join(problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        text += f"; and {len(problems) - MAX_LISTED} more"
    raise MissionError(text)


TURBULENCE_NAMES = ("none", "light", "moderate", "severe")  # physics.turbulence levels 0-3

# The release airspeed of a catapult (car-roof) launch in turbulence: the calm-air launch
# speed plus this many sigma_u of the turbulence 20 ft above the site, as the landing adds
# GUST_ADD_SIGMAS of the learnt intensity to its approach speed (docs/landing.md).
LAUNCH_GUST_ADD_SIGMAS = 1.5
GUST_REF_AGL_M = 20.0 * 0.3048  # MIL-F-8785C's reference height for the low-altitude winds


def release_airspeed_mps(launch, turbulence_level: int) -> float:
    """The airspeed at which a catapult launch releases the aircraft (``launch``: an
    :class:`~longwing.airframe.params.Launch`) in the site's turbulence (level 0-3): the
    crew adds a gust margin for the day's conditions so that a gust from behind at release
    leaves the aircraft above its stall speed."""
    sigma_u = mil8785c_intensity(GUST_REF_AGL_M, int(turbulence_level))[0]
    return launch.launch_speed_mps + LAUNCH_GUST_ADD_SIGMAS * sigma_u


def launch_weather_problems(launch, wind_speed_mps: float, turbulence_level: int) -> list[str]:
    """What in the weather at the launch site is beyond the airframe's launch limits
    (``launch``: an :class:`~longwing.airframe.params.Launch`; the surface wind speed, m/s;
    the turbulence level 0-3); empty when nothing is."""
    problems = []
    if wind_speed_mps > launch.max_wind_mps:
        problems.append(f"surface wind {wind_speed_mps:.1f} m/s above the airframe's launch "
                        f"limit of {launch.max_wind_mps:g} m/s")  # fmt: skip
    limit = TURBULENCE_NAMES.index(launch.max_turbulence)
    if turbulence_level > limit:
        problems.append(f"{TURBULENCE_NAMES[turbulence_level]} turbulence beyond the "
                        f"airframe's launch limit ({launch.max_turbulence})")  # fmt: skip
    return problems
