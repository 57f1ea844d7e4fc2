"""What keeps a flight over a DEM from being flown into the ground unannounced: the checks
`fly --dem` (and the SITL with a DEM) make before launch, from the same prediction and
clearance rule as `plan check --dem` (:func:`~longwing.planning.check.check_mission`).

* Home must be on the DEM's ground: the aircraft is launched from the terrain at home, while
  the mission's relative altitudes count from the home altitude it gives; a home more than
  :data:`HOME_DEM_TOL_M` from the DEM's height there would shift every one of them.
* Every leg `plan check` calls a terrain conflict (below the minimum clearance, or off the
  DEM) or an item below the DEM's ground refuses the flight, naming the leg and the
  clearance; flown anyway (``force``), such a leg ends in terrain like any other contact.

Pure: no I/O.
"""

from __future__ import annotations

import math

from longwing.planning.check import MIN_CLEARANCE_M, check_mission

HOME_DEM_TOL_M = 10.0  # home altitude vs the DEM's height at home


def home_problem(mission, terrain) -> str | None:
    """The home altitude against the DEM at home, or None when they agree."""
    home = mission.home
    ground = float(terrain(home.lat_deg, home.lon_deg))
    if not math.isfinite(ground):
        return (f"home {home.lat_deg:.5f}, {home.lon_deg:.5f} is outside the DEM "
                f"{terrain.source or ''}".rstrip())  # fmt: skip
    if abs(home.alt_m - ground) > HOME_DEM_TOL_M:
        return (f"home altitude {home.alt_m:.1f} m AMSL is {home.alt_m - ground:+.1f} m from "
                f"the DEM's {ground:.1f} m there (more than {HOME_DEM_TOL_M:g} m): give the "
                "plan home's ground altitude, or the DEM of that place")  # fmt: skip
    return None


def terrain_refusals(
    mission, airframe, terrain, min_clearance_m: float = MIN_CLEARANCE_M, **check_kwargs
) -> list[str]:
    """Why a flight of ``mission`` over ``terrain`` must not launch (empty: it may):
    home off the DEM's ground, then plan check's terrain and below-ground reasons, in plan
    check's words. ``check_kwargs`` go to ``check_mission`` (wind, fuel_kg, settings,
    autopilot, turbulence, table) so that the prediction is the flight's."""
    problem = home_problem(mission, terrain)
    if problem is not None:
        return [problem]
    result = check_mission(mission, airframe, terrain=terrain, min_clearance_m=min_clearance_m,
                           **check_kwargs)  # fmt: skip
    return [r for r in result.reasons if r.startswith(("terrain:", "preflight:"))]
