"""Launch weather limits (airframe [launch] max_wind_mps, max_turbulence; LAUNCH_WX_CHECK):
`fly` refuses the launch beyond them (aborted, with the reason, nothing flown), `plan check`
says NOT FEASIBLE for the same reason, the SITL refuses to arm, and the check can be turned
off. The Aerosonde's limits come from measured flights (its airframe file says which)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import arm_refusal, port_base, sitl_gcs
from test_cli import run_cli

from longwing.airframe.loader import load_airframe
from longwing.mission import load_mission
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.preflight import launch_weather_problems, release_airspeed_mps
from longwing.physics.turbulence import parse_turbulence
from longwing.physics.wind import parse_wind
from longwing.sim.runner import FlightScenario, fly

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SURVEY = str(EXAMPLES / "short_survey.plan")
AF = load_airframe("aerosonde")


def _sigma_u_20ft_mps(w20_kt: float) -> float:
    """MIL-F-8785C low-altitude sigma_u at h = 20 ft: 0.1 W20 / (0.177 + 0.000823 h)^0.4."""
    return 0.1 * w20_kt * 1852.0 / 3600.0 / (0.177 + 0.000823 * 20.0) ** 0.4


def test_release_airspeed_adds_the_gust_margin():
    """The release airspeed is the calm-air launch speed + 1.5 sigma_u at 20 ft (W20 = 15 /
    30 / 45 kt for light / moderate / severe), computed here from MIL-F-8785C's formula."""
    got = [release_airspeed_mps(AF.launch, level) for level in range(4)]
    want = [22.0] + [22.0 + 1.5 * _sigma_u_20ft_mps(w) for w in (15.0, 30.0, 45.0)]
    assert got == pytest.approx(want, rel=1e-9)
    assert got[3] == pytest.approx(28.70, abs=0.01)


def _launch_losses(turb: str, seeds: range) -> int:
    """Flights of short_survey.plan in 270@12 that hit the ground in their first 30 s."""
    m = load_mission(SURVEY)
    lost = 0
    for seed in seeds:
        s = fly(FlightScenario(AF, m, wind=parse_wind("270@12"),
                               turbulence=parse_turbulence(turb), seed=seed,
                               failsafe=FailsafeSettings(LAUNCH_WX_CHECK=0),
                               max_duration_s=30.0)).summary  # fmt: skip
        lost += s["end_state"] == "crashed"
    return lost


def test_catapult_releases_survive_the_gusts():
    """Full power and the gust margin at release: severe 270@12 lost 18 of 40 releases
    before (22 m/s, trim throttle), 2 of 60 now; moderate 10 of 100 before, none now
    (docs/failsafes.md, "The release")."""
    assert _launch_losses("severe", range(1, 61)) <= 2
    assert _launch_losses("moderate", range(1, 61)) == 0


def test_the_rule():
    launch = AF.launch
    assert (launch.max_wind_mps, launch.max_turbulence) == (18.0, "moderate")
    assert launch_weather_problems(launch, 18.0, 2) == []
    over = launch_weather_problems(launch, 18.5, 3)
    assert over == ["surface wind 18.5 m/s above the airframe's launch limit of 18 m/s",
                    "severe turbulence beyond the airframe's launch limit (moderate)"]  # fmt: skip


@pytest.mark.parametrize(("args", "why"), [
    (["--turbulence", "severe"],
     "severe turbulence beyond the airframe's launch limit (moderate)"),
    (["--wind", "60@19"], "surface wind 19.0 m/s above the airframe's launch limit of 18 m/s"),
])  # fmt: skip
def test_fly_refuses_the_launch(monkeypatch, capsys, tmp_path, args, why):
    out = tmp_path / "run"
    code, stdout, _ = run_cli(monkeypatch, capsys, "fly", SURVEY, *args, "--out", str(out),
                              "--json")  # fmt: skip
    assert code == 0
    s = json.loads(stdout)
    assert s["end_state"] == "aborted" and s["end_reason"] == f"launch refused: {why}"
    assert s["flight_time_s"] == 0.0 and s["fuel_used_kg"] == 0.0 and not s["completed"]
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "launch_refused" for e in events)


def test_plan_check_says_the_same(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "check", SURVEY, "--wind", "60@8",
                           "--turbulence", "severe", "--json")  # fmt: skip
    assert code == 0
    c = json.loads(out)
    assert not c["feasible"]
    assert "launch: severe turbulence beyond the airframe's launch limit (moderate)" in c["reasons"]
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "check", SURVEY, "--wind", "60@8",
                           "--turbulence", "light", "--json")  # fmt: skip
    assert json.loads(out)["feasible"]


def test_the_check_can_be_turned_off(monkeypatch, capsys, tmp_path):
    """LAUNCH_WX_CHECK=0 (for deliberate flights beyond the limits): it flies."""
    code, stdout, _ = run_cli(monkeypatch, capsys, "fly", SURVEY, "--turbulence", "severe",
                              "--wind", "60@10", "--seed", "3", "--max-duration-s", "120",
                              "--param", "LW_LAUNCH_WX_CHK=0", "--out", str(tmp_path / "r"),
                              "--json")  # fmt: skip
    assert code == 0
    s = json.loads(stdout)
    assert s["end_state"] == "airborne" and s["flight_time_s"] == pytest.approx(120.0)


def test_sitl_refuses_to_arm(tmp_path):
    """A pymavlink GCS arming `longwing sitl --turbulence severe`: COMMAND_ACK failed and
    the PreArm STATUSTEXT naming the limit."""
    with sitl_gcs(tmp_path / "sitl", port_base(26550), "--turbulence", "severe",
                  "--mission", SURVEY) as (conn, _):  # fmt: skip
        ack, text = arm_refusal(conn)
        assert ack is not None and ack.result == M.MAV_RESULT_FAILED
        assert text and text.startswith("PreArm: launch weather: severe turbulence")
