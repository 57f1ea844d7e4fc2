"""One run of a Monte Carlo batch (issue 15): run i's draws applied to the flight as
docs/batch.md says (checked on the FlightScenario the run flies), faults with their
probability, the same run flown twice identical, and the success verdict."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from longwing.airframe.loader import load_airframe
from longwing.batch.run_inputs import GNSS_LOSS_S, judge, run_scenario
from longwing.batch.scenario import SuccessCriteria, parse_scenario
from longwing.mission import load_mission
from longwing.physics.wind import parse_wind
from longwing.sensors.params import SensorParams
from longwing.sim.runner import fly
from longwing.sim.scenario import truth_wind_ned

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AF = load_airframe("aerosonde")
MISSION = load_mission(EXAMPLES / "short_survey.plan")


def _scenario(dispersions: dict, runs: int = 10):
    data = {"mission": {"plan": "short_survey.plan", "fuel_kg": 4.0},
            "environment": {"wind": "270@8"}, "dispersions": dispersions,
            "run": {"runs": runs, "seed": 3}}  # fmt: skip
    return parse_scenario(data, EXAMPLES / "x.toml")


def test_every_dispersed_input_reaches_the_flight():
    sc = _scenario({
        "wind_speed_mps": {"dist": "uniform", "low": 2, "high": 12},
        "wind_dir_deg": {"dist": "normal", "mean": 350, "sd": 30},
        "turbulence": {"dist": "choice", "values": ["moderate"]},
        "fuel_kg": {"dist": "uniform", "low": 2, "high": 3},
        "mass_kg": {"dist": "normal", "mean": 10, "sd": 0.5},
        "bsfc_scale": {"dist": "normal", "mean": 1.1, "sd": 0.05},
        "drag_scale": {"dist": "normal", "mean": 0.9, "sd": 0.05},
        "sensor_noise_scale": {"dist": "uniform", "low": 2, "high": 3},
    })  # fmt: skip
    for run in range(5):
        fs, got = run_scenario(sc, AF, MISSION, parse_wind("270@8"), run)
        wn, we, _ = truth_wind_ned(fs.wind, 0.0, 47.63, -52.93, 60.0)
        assert math.hypot(wn, we) == pytest.approx(got["wind_speed_mps"], abs=1e-9)
        frm = math.degrees(math.atan2(-we, -wn)) % 360.0
        assert 0.0 <= got["wind_dir_deg"] < 360.0
        assert min(abs(frm - got["wind_dir_deg"]), 360 - abs(frm - got["wind_dir_deg"])) < 1e-6
        assert int(fs.turbulence) == 2 and fs.fuel_kg == got["fuel_kg"]
        assert fs.airframe.mass.dry_mass_kg == got["mass_kg"]
        assert fs.airframe.prop.bsfc_kg_per_j == AF.prop.bsfc_kg_per_j * got["bsfc_scale"]
        assert fs.airframe.aero.CDp == AF.aero.CDp * got["drag_scale"]
        assert fs.airframe.aero.CL0 == AF.aero.CL0  # only the drag terms
        k = got["sensor_noise_scale"]
        assert fs.sensors.gnss_pos_sigma_h_m == SensorParams().gnss_pos_sigma_h_m * k
        assert fs.sensors.gnss_rate_hz == SensorParams().gnss_rate_hz  # not a noise


def test_fault_probabilities():
    planned = MISSION.route_length_m() / AF.envelope.airspeed_cruise_mps
    for p, expect in ((1.0, True), (0.0, False)):
        sc = _scenario({"engine_failure_p": {"dist": "choice", "values": [p]},
                        "gnss_loss_p": {"dist": "choice", "values": [p]}})  # fmt: skip
        for run in range(20):
            fs, got = run_scenario(sc, AF, MISSION, parse_wind("270@8"), run)
            assert got["engine_failure"] is expect and got["gnss_loss"] is expect
            assert len(fs.faults) == (2 if expect else 0)
            for f in fs.faults:
                assert 60.0 <= f.t_s <= 0.9 * planned
                assert f.duration_s == (GNSS_LOSS_S if f.kind == "gnss_loss" else None)
    sc = _scenario({"engine_failure_p": {"dist": "choice", "values": [0.3]}}, runs=2000)
    hits = sum(run_scenario(sc, AF, MISSION, parse_wind("270@8"), i)[1]["engine_failure"]
               for i in range(2000))  # fmt: skip
    assert abs(hits / 2000 - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 2000)


def test_a_run_flown_twice_is_identical_and_judged():
    sc = _scenario({"wind_speed_mps": {"dist": "normal", "mean": 6, "sd": 2},
                    "turbulence": {"dist": "choice", "values": ["light"]}})  # fmt: skip
    a = fly(run_scenario(sc, AF, MISSION, parse_wind("270@8"), 4)[0])
    b = fly(run_scenario(sc, AF, MISSION, parse_wind("270@8"), 4)[0])
    assert np.array_equal(a.log, b.log)
    assert a.summary["fuel_remaining_kg"] == b.summary["fuel_remaining_kg"]
    ok, why = judge(a.summary, SuccessCriteria(landed_within_m=100.0, min_fuel_kg=0.2))
    assert a.summary["end_state"] == "landed" and ok and why == []


@pytest.mark.parametrize(("change", "reason"), [
    ({"end_state": "crashed"}, "end state crashed"),
    ({"touchdown": {"distance_m": 150.0}}, "landed 150 m from the point (> 100 m)"),
    ({"fuel_remaining_kg": 0.1}, "fuel left 0.100 kg < 0.2"),
    ({"events": [{"kind": "failsafe", "detail": "fence_breach: RTL (max altitude)"}]},
     "fence breached"),
])  # fmt: skip
def test_judge_names_what_failed(change, reason):
    good = {"end_state": "landed", "touchdown": {"distance_m": 12.0}, "fuel_remaining_kg": 1.0,
            "events": [{"kind": "failsafe", "detail": "pnr: none"}]}  # fmt: skip
    crit = SuccessCriteria(landed_within_m=100.0, min_fuel_kg=0.2, no_fence_breach=True)
    assert judge(good, crit) == (True, [])
    ok, why = judge({**good, **change}, crit)
    assert not ok and why == [reason]
