"""A forecast wind file as the flight's truth and the planner's wind: a uniform file flies
bit for bit as ``--wind DIR@SPEED``, a wind changing in time is seen by the aircraft, the
planner asks for the wind at the flight's times, and ``fly --rerun`` flies the same file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from windfiles import grid, times, write_nc

from longwing.airframe.loader import load_airframe
from longwing.io.wind_file import load_mission_wind
from longwing.mission import load_mission
from longwing.mission.failsafe import FailsafeSettings
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import WindField, gridded_wind_many, wind_from_to_ne
from longwing.planning.performance import PerformanceTable
from longwing.planning.predict import predict_mission
from longwing.sim import closedloop as cl
from longwing.sim.runner import FlightScenario, fly

SURVEY = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"
LAT = np.arange(46.0, 49.01, 0.5)
LON = np.arange(-55.0, -51.0, 0.5)
LEV = [1000.0, 850.0, 700.0]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longwing.cli", *args], capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def _uniform(path: Path, from_deg: float, speed: float) -> Path:
    wn, we = wind_from_to_ne(from_deg, speed)
    T, _, _, _ = grid(LAT, LON, LEV, 3)
    return write_nc(path, LAT, LON, LEV, times(3), we + 0.0 * T, wn + 0.0 * T)


def test_a_uniform_file_flies_bit_for_bit_as_the_constant_wind(tmp_path):
    af = load_airframe("aerosonde")
    mission = load_mission(SURVEY)
    g = load_mission_wind(_uniform(tmp_path / "u.nc", 200.0, 8.0), mission, af, None, 300.0)
    common = dict(
        turbulence=Turbulence.MODERATE,
        seed=1,
        max_duration_s=300.0,
        failsafe=FailsafeSettings(LAUNCH_WX_CHECK=0),
    )  # beyond the launch limit
    a = fly(FlightScenario(af, mission, wind=WindField.constant(200.0, 8.0), **common))
    b = fly(FlightScenario(af, mission, wind=g, **common))
    assert a.log.shape == b.log.shape and a.log.shape[0] > 2900
    assert np.array_equal(a.log, b.log)
    assert np.array_equal(a.triggers, b.triggers)


def _changing(path: Path) -> Path:
    """Calm at 00:00, 12 m/s from the north from 00:10 on (linear in between)."""
    T, _, _, _ = grid(LAT, LON, LEV, 3)
    return write_nc(path, LAT, LON, LEV, times(3, step_h=10.0 / 60.0), 0.0 * T,
                    -12.0 * np.minimum(T, 1.0))  # fmt: skip


def test_a_wind_changing_in_time_is_seen_in_flight(tmp_path):
    af = load_airframe("aerosonde")
    mission = load_mission(SURVEY)
    g = load_mission_wind(_changing(tmp_path / "c.nc"), mission, af, None, 1200.0)
    res = fly(FlightScenario(af, mission, wind=g, seed=3, max_duration_s=1200.0))
    log = res.log
    c = {n: i for i, n in enumerate(cl.LOG_COLUMNS)}
    col = {n: np.ascontiguousarray(log[:, c[n]]) for n in c}
    wn, we = np.empty(len(log)), np.empty(len(log))
    gridded_wind_many(col["t_s"], col["lat_rad"], col["lon_rad"], col["alt_m"],
                      g.kernel_grid(), wn, we)  # fmt: skip
    # the logged truth wind (no turbulence) is the grid's at the row's time and place
    np.testing.assert_array_equal(col["wind_n_mps"], wn)
    np.testing.assert_array_equal(col["wind_e_mps"], we)
    # the air velocity is the ground velocity less this wind (sideslip, climb: < 0.25 m/s;
    # measured 0.14)
    air = np.hypot(col["vn_mps"] - wn, col["ve_mps"] - we)
    assert np.max(np.abs(air - col["tas_mps"])[col["t_s"] > 30.0]) < 0.25
    # ground speed: the airspeed early on (wind < 1.2 m/s: measured |gs - tas| <= 1.35),
    # +/- 12 m/s on the survey lines once the wind blows (measured -12.0 .. +12.0)
    gs_tas = col["groundspeed_mps"] - col["tas_mps"]
    t = col["t_s"]
    early = (t > 30.0) & (t < 60.0)
    assert np.max(np.abs(gs_tas[early])) < 1.5
    late = (t >= 600.0) & (t < 900.0)
    assert gs_tas[late].max() > 11.5 and gs_tas[late].min() < -11.5


class _Recording:
    """A time-varying wind source that records the times it is asked for."""

    time_varying = True

    def __init__(self, inner):
        self.inner = inner
        self.t_max = 0.0

    def at(self, lat_deg, lon_deg, alt_m, t_s=0.0):
        self.t_max = max(self.t_max, float(np.max(t_s)))
        return self.inner.at(lat_deg, lon_deg, alt_m, t_s=t_s)


def test_the_planner_asks_for_the_wind_at_the_flights_times(tmp_path):
    af = load_airframe("aerosonde")
    mission = load_mission(SURVEY)
    g = load_mission_wind(_changing(tmp_path / "c.nc"), mission, af, None)
    rec = _Recording(g)
    table = PerformanceTable.build(af)
    pred = predict_mission(mission, af, table, rec)
    assert 0.9 * pred.time_s < rec.t_max <= pred.time_s + 1.0
    calm = predict_mission(mission, af, table)
    assert abs(pred.time_s - calm.time_s) > 5.0  # the wind of later times counts


def test_fly_rerun_flies_the_same_wind_file(tmp_path):
    wind = _changing(tmp_path / "c.nc")
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    res = run("fly", str(SURVEY), "--wind-file", str(wind), "--start-time",
              "2026-12-07T00:05Z", "--max-duration-s", "120", "--out", str(a))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert (a / "wind.nc").read_bytes() == wind.read_bytes()
    res = run("fly", "--rerun", str(a), "--out", str(b))
    assert res.returncode == 0, res.stderr
    la, lb = pq.read_table(a / "log.parquet"), pq.read_table(b / "log.parquet")
    assert la.num_rows > 1000 and la.equals(lb)
    (a / "wind.nc").write_bytes(wind.read_bytes() + b"\0")
    res = run("fly", "--rerun", str(a), "--out", str(c))
    assert res.returncode == 2 and "differs from the run's record" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_sitl_flies_the_wind_file(tmp_path):
    """`longwing sitl --wind-file`: the file is the vehicle's truth. A uniform 25 m/s file
    (beyond the Aerosonde's 18 m/s launch limit): a pymavlink GCS's arming is refused with
    the PreArm naming the file's wind, as with ``--wind 270@25``."""
    from pymavlink.dialects.v20 import ardupilotmega as M
    from sitl_gcs import arm_refusal, port_base, sitl_gcs

    path = _uniform(tmp_path / "w.nc", 270.0, 25.0)
    with sitl_gcs(tmp_path / "sitl", port_base(31000), "--wind-file", str(path),
                  "--mission", str(SURVEY)) as (conn, _):  # fmt: skip
        ack, text = arm_refusal(conn)
        assert ack is not None and ack.result == M.MAV_RESULT_FAILED
        assert text and text.startswith("PreArm: launch weather: surface wind 25.0 m/s")
