"""Wind in a Monte Carlo scenario (issue 15): a forecast file as the scenario's wind, its
speed and direction errors dispersed (``wind_speed_scale``, ``wind_dir_offset_deg``). The
veer and scale against wind_from_to_ne's components of the veered, scaled wind; a batch on a
uniform file flies each run as the constant wind of that speed and direction (bit for bit); `fly
--scenario --run` equals the row and records what it flew."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from windfiles import grid, times, write_nc

from longwing.airframe.loader import load_airframe
from longwing.batch.dispersions import flight_seed
from longwing.mission import load_mission
from longwing.physics.wind import WindField, veer_scale_ne, wind_from_to_ne
from longwing.planning.wind4d import WindGrid4D
from longwing.sim.runner import FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LAT = np.arange(46.0, 49.01, 0.5)
LON = np.arange(-55.0, -51.0, 0.5)
LEV = [1000.0, 850.0, 700.0]


@pytest.mark.parametrize(("frm", "speed", "k", "veer"), [
    (270.0, 8.0, 1.5, 10.0), (45.0, 3.0, 0.5, -60.0), (180.0, 12.0, 1.0, 350.0),
    (300.0, 5.0, 0.0, 20.0),
])  # fmt: skip
def test_veer_and_scale_are_a_direction_and_speed_error(frm, speed, k, veer):
    wn, we = wind_from_to_ne(frm, speed)
    want = wind_from_to_ne((frm + veer) % 360.0, k * speed)
    assert np.allclose(veer_scale_ne(wn, we, k, veer), want, atol=1e-12)
    field = WindField.layered([(0.0, frm, speed), (3000.0, frm, 2 * speed)])
    got = field.veered_scaled(k, veer)
    assert np.allclose(got.at(3000.0)[:2], wind_from_to_ne((frm + veer) % 360, 2 * k * speed))
    g = WindGrid4D(np.zeros(1), LAT, LON, np.broadcast_to(np.array([0.0, 3000.0])[None, :, None,
                   None], (1, 2, LAT.size, LON.size)), np.full((1, 2, LAT.size, LON.size), wn),
                   np.full((1, 2, LAT.size, LON.size), we))  # fmt: skip
    assert np.allclose(g.veered_scaled(k, veer).at(47.3, -53.1, 1200.0), want, atol=1e-12)


def _scenario(tmp_path: Path, runs: int) -> Path:
    wn, we = wind_from_to_ne(250.0, 7.0)
    T, _, _, _ = grid(LAT, LON, LEV, 3)
    write_nc(tmp_path / "fc.nc", LAT, LON, LEV, times(3), we + 0.0 * T, wn + 0.0 * T)
    (tmp_path / "short_survey.plan").write_bytes((EXAMPLES / "short_survey.plan").read_bytes())
    path = tmp_path / "s.toml"
    path.write_text('[mission]\nplan = "short_survey.plan"\nfuel_kg = 3.0\n'
                    '[environment]\nwind_file = "fc.nc"\n[dispersions]\n'
                    'wind_speed_scale = {dist = "uniform", low = 0.5, high = 1.5}\n'
                    'wind_dir_offset_deg = {dist = "normal", mean = 0, sd = 30}\n'
                    f'[run]\nruns = {runs}\nseed = 7\n')  # fmt: skip
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longwing.cli", *args], capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def test_a_forecast_file_scenario_flies_its_dispersed_wind(tmp_path):
    scen = _scenario(tmp_path, 3)
    r = _cli("batch", str(scen), "--workers", "2", "--out", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    rows = pq.read_table(tmp_path / "b" / "runs.parquet").sort_by("run").to_pylist()
    assert [row["run"] for row in rows] == [0, 1, 2]
    ks = [row["in_wind_speed_scale"] for row in rows]
    veers = [row["in_wind_dir_offset_deg"] for row in rows]
    assert all(0.5 <= k <= 1.5 for k in ks) and len(set(veers)) == 3
    af, mission = load_airframe("aerosonde"), load_mission(scen.parent / "short_survey.plan")
    row = rows[1]  # the same flight in the constant wind of that speed and direction
    ref = fly(FlightScenario(af, mission, wind=WindField.constant(
        (250.0 + veers[1]) % 360.0, 7.0 * ks[1]), seed=flight_seed(7, 1), fuel_kg=3.0))  # fmt: skip
    s = ref.summary
    assert row["end_state"] == s["end_state"] == "landed"
    # measured: equal to the last bit (the veered, scaled grid is the constant wind exactly)
    assert row["flight_time_s"] == s["flight_time_s"]
    assert row["fuel_remaining_kg"] == s["fuel_remaining_kg"]
    assert row["landing_error_m"] == s["touchdown"]["distance_m"]
    # fly --scenario --run: the row bit for bit, and the run folder says what it flew
    r = _cli("fly", "--scenario", str(scen), "--run", "1", "--out", str(tmp_path / "r1"),
             "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fuel_remaining_kg"] == row["fuel_remaining_kg"]
    rec = json.loads((tmp_path / "r1" / "summary.json").read_text())["scenario"]
    assert rec["wind"].startswith(str(scen.parent / "fc.nc")) and "veered" in rec["wind"]
    assert rec["seed"] == flight_seed(7, 1) and rec["fuel_kg"] == 3.0
    assert rec["drawn"]["wind_dir_offset_deg"] == veers[1]


def test_a_wind_file_that_does_not_cover_the_mission_is_refused_before_any_run(tmp_path):
    scen = _scenario(tmp_path, 2)
    lat = np.arange(10.0, 12.01, 0.5)  # far from the survey
    T, _, _, _ = grid(lat, LON, LEV, 3)
    write_nc(tmp_path / "fc.nc", lat, LON, LEV, times(3), 1.0 + 0.0 * T, 0.0 * T)
    r = _cli("batch", str(scen), "--out", str(tmp_path / "b"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "[environment] wind_file" in r.stderr and not (tmp_path / "b").exists()
