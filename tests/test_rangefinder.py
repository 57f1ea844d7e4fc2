"""The airframe's optional rangefinder and ArduPlane's RNGFND_LANDING (issue 13, landing on
real ground): the reading's geometry, the [rangefinder] section, and landings on ground the
autopilot's terrain has wrong: without the rangefinder the aircraft touches down far short or
long of the point, with it at the point."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from test_terrain_flight import AF, HOME, _mission, _pt

from longwing.airframe.loader import AirframeError, airframe_to_dict, load_airframe
from longwing.airframe.params import Rangefinder
from longwing.geo.terrain_grid import Terrain
from longwing.geo.terrain_synthetic import terrain_from_function
from longwing.mission.manager import MissionSettings
from longwing.sensors.rangefinder import rangefinder_agl_m
from longwing.sim.runner import FlightScenario, fly

AEROSONDE = (Path(__file__).resolve().parents[1] / "src" / "longwing" / "airframe" / "data"
             / "aerosonde.toml").read_text()  # fmt: skip
SECTION = "\n[rangefinder]\nmax_range_m = 40.0\nnoise_m = 0.05\nrate_hz = 20.0\n"


def test_reading_geometry():
    b = math.radians(30.0)
    # banked 30 deg at 10 m: the slant is 10 / cos 30; levelled with the attitude: 10 m
    assert rangefinder_agl_m(10.0, b, 0.0, b, 0.0, 0.0, 40.0) == pytest.approx(10.0)
    # an attitude estimate 2 deg off in pitch levels it slightly wrong
    got = rangefinder_agl_m(10.0, b, 0.0, b, math.radians(2.0), 0.0, 40.0)
    assert got == pytest.approx(10.0 * math.cos(math.radians(2.0)))
    assert rangefinder_agl_m(10.0, 0.0, 0.0, 0.0, 0.0, 0.3, 40.0) == pytest.approx(10.3)
    assert math.isnan(rangefinder_agl_m(39.0, b, 0.0, b, 0.0, 0.0, 40.0))  # slant 45 m
    assert math.isnan(rangefinder_agl_m(5.0, math.radians(85.0), 0.0, 0.0, 0.0, 0.0, 40.0))


def test_section_loads_round_trips_and_must_be_whole(tmp_path):
    path = tmp_path / "rf.toml"
    path.write_text(AEROSONDE + SECTION)
    af = load_airframe(str(path))
    assert af.rangefinder == Rangefinder(40.0, 0.05, 20.0)
    assert airframe_to_dict(af)["rangefinder"] == {"max_range_m": 40.0, "noise_m": 0.05,
                                                   "rate_hz": 20.0}  # fmt: skip
    assert load_airframe("aerosonde").rangefinder is None
    path.write_text(AEROSONDE + "\n[rangefinder]\nmax_range_m = 40.0\n")
    with pytest.raises(AirframeError, match=r"section \[rangefinder\] needs .*missing "
                                            r"noise_m, rate_hz"):  # fmt: skip
        load_airframe(str(path))


def _landing(rise_m: float, rngfnd: int) -> dict:
    """The landing 2 km north of home on ground ``rise_m`` above (or below) home, while the
    autopilot's terrain says the ground is at home's elevation."""
    c = _pt(0.0, 2_000.0)

    def rise(north_m, east_m):
        return HOME.alt_m + rise_m * np.exp(-(north_m**2 + east_m**2) / (2.0 * 800.0**2))

    world = terrain_from_function(c[0], c[1], 30.0, 50.0, rise, "rise")
    wrong = Terrain.from_bounds(np.full((60, 60), HOME.alt_m), (47.4, -53.2, 47.9, -52.7),
                                "flat database")  # fmt: skip
    af = dataclasses.replace(AF, rangefinder=Rangefinder(40.0, 0.05, 20.0))
    return fly(FlightScenario(af, _mission(), seed=1, terrain=world, autopilot_terrain=wrong,
                              settings=MissionSettings(RNGFND_LANDING=rngfnd))).summary  # fmt: skip


@pytest.mark.parametrize(("rise_m", "off_m"), [(15.0, 410.0), (-10.0, 253.0)])
def test_rngfnd_landing_lands_at_the_point_on_ground_the_database_has_wrong(rise_m, off_m):
    """Measured (seed 1): ground 15 m higher: 410 m short without, 1 m with; 10 m lower:
    253 m long without, 1 m with."""
    without = _landing(rise_m, 0)
    assert without["end_state"] == "landed_out"
    assert without["touchdown"]["distance_m"] == pytest.approx(off_m, rel=0.1)
    with_rf = _landing(rise_m, 1)
    assert with_rf["end_state"] == "landed" and with_rf["touchdown"]["within_limits"]
    assert with_rf["touchdown"]["distance_m"] < 10.0
