"""A JSBSim aircraft flies a mission in the closed loop (issue 16, item 6, for the c172x):
ground roll and rotation from the runway, the survey's waypoints, the loiter and the
landing, with gains designed from its own tables (it gives none), in calm air and in an
8 m/s wind with light turbulence; both end `landed` and `completed`.

Measured 2026-12-08: calm, seed 1: landed 38.8 m from the landing point, sink 0.51 m/s;
270@8 light turbulence, seed 2: 5.7 m from the point, sink 1.18 m/s (the site radius is
300 m). The c310 is too fast for
this survey's fence (it breaches it one minute after take-off) and the J3Cub does not trim
yet (docs/jsbsim.md): not flown here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import parse_wind
from longwing.sim import closedloop as cl
from longwing.sim.runner import FlightScenario, fly

pytest.importorskip("jsbsim")
SURVEY = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"


@pytest.mark.parametrize(("wind", "turbulence", "seed", "within_m"), [
    ("calm", Turbulence.NONE, 1, 60.0),
    ("270@8", Turbulence.LIGHT, 2, 60.0),
])  # fmt: skip
def test_c172x_flies_the_survey_from_the_runway_and_lands(wind, turbulence, seed, within_m):
    af = load_airframe("jsbsim:c172x")
    assert af.launch.method == "runway" and af.aero.table is not None
    res = fly(FlightScenario(af, load_mission(SURVEY), wind=parse_wind(wind),
                             turbulence=turbulence, seed=seed))  # fmt: skip
    s = res.summary
    assert s["end_state"] == "landed", (s["end_state"], s["end_reason"])
    assert s["completed"], s.get("why_not_completed")
    assert s["touchdown"]["distance_m"] < within_m
    assert not s["failsafes"]
    # a ground roll, not a launch: the first 3 s on its wheels (height held), speeding up
    col = {c: i for i, c in enumerate(cl.LOG_COLUMNS)}
    roll = res.log[res.log[:, col["t_s"]] <= 3.0]
    assert abs(roll[-1, col["alt_m"]] - roll[0, col["alt_m"]]) < 0.5
    assert roll[-1, col["groundspeed_mps"]] > roll[0, col["groundspeed_mps"]] + 3.0


def test_airframes_lists_the_jsbsim_piston_aircraft_and_each_named_loads():
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("longwing")
    plain = subprocess.run([str(exe), "airframes"], capture_output=True, text=True, check=True)
    assert plain.stdout.split() == ["aerosonde"]
    res = subprocess.run([str(exe), "airframes", "--jsbsim"], capture_output=True, text=True,
                         check=True)  # fmt: skip
    names = res.stdout.split()
    assert names[0] == "aerosonde"
    for name in ("jsbsim:c172x", "jsbsim:c310", "jsbsim:J3Cub", "jsbsim:pa28"):
        assert name in names
    for name in ("jsbsim:mk82", "jsbsim:737", "jsbsim:f16", "jsbsim:ball"):  # no piston engine
        assert name not in names
    assert load_airframe("jsbsim:c172p").aero.table is not None  # a listed one loads
