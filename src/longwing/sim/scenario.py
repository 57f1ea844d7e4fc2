"""What a flight is given (:class:`FlightScenario`), what it returns (:class:`FlightResult`)
and where it starts (:func:`launch_state`): split from :mod:`longwing.sim.runner`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from longwing.airframe.params import Airframe
from longwing.estimation.ekf import EkfParams
from longwing.geo.rotation import dcm_to_quat, euler_to_dcm
from longwing.geo.terrain_grid import Terrain
from longwing.geo.wgs84 import OMEGA_EARTH_RADPS, geodetic_to_ecef, ned_to_ecef_dcm
from longwing.mission.failsafe import FailsafeSettings
from longwing.mission.manager import MissionEvent, MissionManager, MissionSettings
from longwing.mission.model import Mission
from longwing.mission.preflight import release_airspeed_mps
from longwing.physics.state import FUEL, N_STATE, POS, QUAT, RATES
from longwing.physics.trim import TrimCondition, trim_on_ellipsoid
from longwing.physics.turbulence import Turbulence
from longwing.physics.wind import WindField, gridded_wind_ne, steady_wind_ned
from longwing.planning.wind4d import WindGrid4D
from longwing.sensors.params import SensorParams
from longwing.sensors.rates import rate_divider
from longwing.sim.faults import Fault


@dataclass(frozen=True)
class FlightScenario:
    airframe: Airframe
    mission: Mission
    # the truth's steady wind: constant/layered, or a forecast grid (t = 0 at launch)
    wind: WindField | WindGrid4D = field(default_factory=WindField.calm)
    turbulence: Turbulence = Turbulence.NONE
    seed: int = 1
    fuel_kg: float | None = None  # None: full tank
    dt_s: float = 0.01
    log_hz: float = 10.0
    # autopilot loop rate (ArduPlane's SCHED_LOOP_RATE, 50 Hz for planes): EKF, guidance and
    # control run at this rate, the physics and the IMU at 1 / dt_s
    loop_rate_hz: float = 50.0
    truth_nav: bool = False
    max_duration_s: float | None = None  # None: from the route length
    settings: MissionSettings = field(default_factory=MissionSettings)
    autopilot: dict[str, float] = field(default_factory=dict)  # ArduPlane-name overrides
    sensors: SensorParams = field(default_factory=SensorParams)
    ekf: EkfParams = field(default_factory=EkfParams)
    faults: tuple[Fault, ...] = ()
    failsafe: FailsafeSettings = field(default_factory=FailsafeSettings)
    # the ground: a DEM (geo.terrain_grid.Terrain) everywhere; None: flat at home's elevation
    terrain: Terrain | None = None
    # what the autopilot knows of the ground (terrain following, landing heights): None, the
    # world's DEM; the SITL passes the terrain a ground station sent (terrain protocol)
    autopilot_terrain: Terrain | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.dt_s <= 0.02:
            raise ValueError(f"time step must be in (0, 0.02] s, got {self.dt_s} s")
        rate_divider(1.0 / self.dt_s, self.loop_rate_hz)  # a whole division of the physics
        if not 1.0 <= self.log_hz <= self.loop_rate_hz:
            raise ValueError(f"log rate must be in [1, {self.loop_rate_hz:g}] Hz")
        if self.max_duration_s is not None and not (
            math.isfinite(self.max_duration_s) and self.max_duration_s > 0.0
        ):
            raise ValueError(f"time limit {self.max_duration_s:g} s must be > 0")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed {self.seed} must be in [0, 2^63)")
        cap = self.airframe.mass.fuel_capacity_kg
        if self.fuel_kg is not None and not 0.0 < self.fuel_kg <= cap:
            raise ValueError(f"fuel {self.fuel_kg} kg is outside (0, {cap:g}] kg")


@dataclass(frozen=True)
class FlightResult:
    log: np.ndarray  # (n, closedloop.N_LOG), kernel units
    triggers: np.ndarray  # (n, closedloop.N_TRIG)
    events: tuple[MissionEvent, ...]
    summary: dict
    # (first log row, flight mode, guidance target kind) from each row on: the mode and the
    # target change only between chunks, so each logged row has one of each
    segments: tuple[tuple[int, str, str], ...] = ()


def truth_wind_ned(
    wind: WindField | WindGrid4D, t_s: float, lat_deg: float, lon_deg: float, alt_m: float
) -> tuple[float, float, float]:
    """The truth's steady wind (wn, we, wd), m/s, at a time after launch and a place: the
    compiled lookups the loop uses (a layered wind depends on the altitude only)."""
    if isinstance(wind, WindField):
        return steady_wind_ned(alt_m, *wind.arrays())
    wn, we = gridded_wind_ne(t_s, math.radians(lat_deg), math.radians(lon_deg), alt_m,
                             wind.kernel_grid())  # fmt: skip
    return wn, we, 0.0


ProgressFn = Callable[[float, float, float, int], None]  # (t_s, fuel_kg, distance_m, seq)


def launch_state(
    sc: FlightScenario, mgr: MissionManager, fuel: float, ground_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Truth state and actuator positions at release (catapult) or on the runway, from the
    ground at home ``ground_m`` (m AMSL: the DEM's there, else home's altitude)."""
    af = sc.airframe
    home = sc.mission.home
    w_sfc = truth_wind_ned(sc.wind, 0.0, home.lat_deg, home.lon_deg, home.alt_m)
    heading = math.radians(mgr.launch_heading_deg((w_sfc[0], w_sfc[1])))
    lat, lon = math.radians(home.lat_deg), math.radians(home.lon_deg)
    ground = ground_m
    if af.launch.method == "catapult":
        alt = ground + af.launch.launch_height_m
        w0 = truth_wind_ned(sc.wind, 0.0, home.lat_deg, home.lon_deg, alt)
        cond = TrimCondition(release_airspeed_mps(af.launch, sc.turbulence), alt, lat, fuel)
        tr, x = trim_on_ellipsoid(af, cond, lon, heading, w0)
        act = tr.controls()
        act[3] = 1.0  # the engine is run up to full power before the release
        return x, act
    # runway: at rest on the ground, on its contact points, brakes released by take-off
    gp = af.ground
    sag = af.mass_kg(fuel) * 9.8 / (3.0 * gp.stiffness_npm)
    pitch = math.atan2(gp.main_z_m - gp.front_z_m, gp.front_x_m - gp.main_x_m)
    c_nb = euler_to_dcm(0.0, pitch, heading)
    c_eb = ned_to_ecef_dcm(lat, lon) @ c_nb
    x = np.zeros(N_STATE)
    x[POS] = geodetic_to_ecef(lat, lon, ground + gp.main_z_m - sag)
    x[QUAT] = dcm_to_quat(c_eb)
    x[RATES] = c_eb.T @ np.array([0.0, 0.0, OMEGA_EARTH_RADPS])
    x[FUEL] = fuel
    return x, np.zeros(4)
