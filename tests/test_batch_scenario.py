"""The Monte Carlo scenario file and its dispersions (issue 15, item 1): every key checked
with one line naming it, and the draws: the distributions against scipy's own moments,
one stream per input (run i's inputs do not depend on the batch size, on the other inputs
dispersed, or on the order runs are drawn)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from longwing.batch.dispersions import (
    DISPERSION_NAMES,
    draw_run,
    flight_seed,
    parse_dispersion,
    run_streams,
)
from longwing.batch.scenario import ScenarioError, load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
N = 20_000


def test_bundled_scenario_loads():
    sc = load_scenario(EXAMPLES / "survey_mc.toml")
    assert sc.plan == (EXAMPLES / "short_survey.plan").resolve()
    assert (sc.runs, sc.seed, sc.fuel_kg, sc.turbulence) == (200, 1, 4.0, "light")
    assert set(sc.dispersions) <= set(DISPERSION_NAMES)
    assert sc.success.landed_within_m == 100.0 and sc.success.no_fence_breach


def _draws(spec: dict, n: int = N) -> np.ndarray:
    d = parse_dispersion("fuel_kg", spec)
    return np.array([d.draw(rng) for rng in (np.random.default_rng(k) for k in range(n))])


def test_distributions_match_scipy():
    x = _draws({"dist": "normal", "mean": 3.0, "sd": 0.2})
    assert abs(x.mean() - 3.0) < 4 * 0.2 / math.sqrt(N) and abs(x.std() - 0.2) < 0.005
    x = _draws({"dist": "uniform", "low": 3.0, "high": 4.0})
    assert x.min() >= 3.0 and x.max() < 4.0 and abs(x.mean() - 3.5) < 4 * 0.289 / math.sqrt(N)
    x = _draws({"dist": "truncnormal", "mean": 3.0, "sd": 0.5, "low": 2.8, "high": 4.0})
    ref = stats.truncnorm((2.8 - 3.0) / 0.5, (4.0 - 3.0) / 0.5, loc=3.0, scale=0.5)
    assert x.min() >= 2.8 and x.max() <= 4.0
    assert abs(x.mean() - ref.mean()) < 4 * ref.std() / math.sqrt(N)
    d = parse_dispersion("turbulence", {"dist": "choice", "values": ["light", "moderate"],
                                        "weights": [3, 1]})  # fmt: skip
    picks = [d.draw(np.random.default_rng(k)) for k in range(N)]
    frac = picks.count("moderate") / N
    assert abs(frac - 0.25) < 4 * math.sqrt(0.25 * 0.75 / N)


def test_run_streams_are_numpy_spawn_children_and_independent_of_the_batch():
    disp = {"wind_speed_mps": parse_dispersion("wind_speed_mps",
                                               {"dist": "normal", "mean": 8, "sd": 2})}  # fmt: skip
    # run i's stream is SeedSequence(seed).spawn(N)[i], whatever N
    child = np.random.SeedSequence(7).spawn(50)[13]
    ref = np.random.default_rng(child.spawn(len(DISPERSION_NAMES) + 1)[0]).normal(8, 2)
    assert draw_run(disp, 7, 13)["wind_speed_mps"] == ref
    forward = [draw_run(disp, 7, i) for i in range(20)]
    backward = [draw_run(disp, 7, i) for i in reversed(range(20))][::-1]
    assert forward == backward
    # another input dispersed too: the wind's draws do not change
    more = dict(disp, fuel_kg=parse_dispersion("fuel_kg", {"dist": "uniform", "low": 3,
                                                            "high": 4}))  # fmt: skip
    assert [draw_run(more, 7, i)["wind_speed_mps"] for i in range(20)] == [
        f["wind_speed_mps"] for f in forward]  # fmt: skip
    seeds = {flight_seed(7, i) for i in range(1000)}
    assert len(seeds) == 1000 and all(0 <= s < 2**63 for s in seeds)
    assert len(run_streams(7, 0)) == len(DISPERSION_NAMES) + 1


@pytest.mark.parametrize(("text", "message"), [
    ("[run]\nruns = 10\n", "[mission] plan is required"),
    ('[mission]\nplan = "short_survey.plan"\n', "[run] runs is required"),
    ('[mission]\nplan = "nope.plan"\n[run]\nruns = 1\n', "[mission] plan: "),
    ('[mission]\nplan = "short_survey.plan"\nfuel = 3\n[run]\nruns = 1\n',
     "[mission] fuel: unknown key"),
    ('[mission]\nplan = "short_survey.plan"\nfuel_kg = 9\n[run]\nruns = 1\n',
     "fuel_kg: 9 kg is more than the tank holds"),
    ('[mission]\nplan = "short_survey.plan"\n[run]\nruns = 0\n', "[run] runs: must be in"),
    ('[mission]\nplan = "short_survey.plan"\n[run]\nruns = 2.5\n', "[run] runs: expected a whole"),
    ('[mission]\nplan = "short_survey.plan"\n[environment]\nturbulence = "wild"\n[run]\nruns = 1\n',
     "[environment] turbulence: expected one of"),
    ('[mission]\nplan = "short_survey.plan"\n[environment]\nwind = "400@8"\n[run]\nruns = 1\n',
     "[environment] wind: invalid wind"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nwind_speed_mps = {dist = "normal", '
     'mean = 8, sd = 0}\n[run]\nruns = 1\n', "[dispersions] wind_speed_mps: 'sd' must be > 0"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nwind_speed = {dist = "normal", '
     'mean = 8, sd = 1}\n[run]\nruns = 1\n', "[dispersions] wind_speed: unknown input"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nfuel_kg = {dist = "uniform", '
     'low = 4, high = 3}\n[run]\nruns = 1\n', "'low' must be below 'high'"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nfuel_kg = {dist = "beta", a = 1}\n'
     '[run]\nruns = 1\n', "'dist' must be one of"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nturbulence = {dist = "choice", '
     'values = ["light"], weights = [1, 2]}\n[run]\nruns = 1\n', "'weights' must be a list as"),
    ('[mission]\nplan = "short_survey.plan"\n[weather]\nx = 1\n[run]\nruns = 1\n',
     "unknown section [weather]"),
    ("[mission\n", "not valid TOML"),
    ('[mission]\nplan = "short_survey.plan"\n[environment]\nwind_file = "w.grib2"\n'
     '[dispersions]\nwind_dir_deg = {dist = "normal", mean = 1, sd = 1}\n[run]\nruns = 1\n',
     "wind_dir_deg: a wind_file's wind is not one speed and direction; disperse "
     "wind_dir_offset_deg"),
    ('[mission]\nplan = "short_survey.plan"\n[dispersions]\nwind_speed_mps = {dist = '
     '"normal", mean = 1, sd = 1}\nwind_speed_scale = {dist = "normal", mean = 1, sd = 0.1}\n'
     '[run]\nruns = 1\n', "give wind_speed_mps or wind_speed_scale, not both"),
])  # fmt: skip
def test_bad_scenarios_give_one_line_naming_the_key(tmp_path, text, message):
    path = tmp_path / "s.toml"
    (tmp_path / "short_survey.plan").write_bytes((EXAMPLES / "short_survey.plan").read_bytes())
    path.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    line = str(exc.value)
    assert "\n" not in line and message in line and str(path) in line
