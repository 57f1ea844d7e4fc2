"""Setting a flight up: autopilot gains, loop rates, the arrays the compiled loop works on,
the aligned EKF and the failsafe monitor. Split from :class:`longwing.sim.runner.Flight` so
the runner only runs the flight."""

from __future__ import annotations

import math

import numpy as np

from longwing.airframe.params import Airframe
from longwing.control.attitude import new_attitude_state
from longwing.control.l1 import new_l1_state
from longwing.control.params import AutopilotParams, build_params
from longwing.control.tecs import new_tecs_state
from longwing.estimation.ekf import ekf_init, new_ekf
from longwing.geo.atmosphere import isa
from longwing.geo.legs import LegFrame
from longwing.geo.wgs84 import ecef_to_geodetic, ecef_to_ned_sc
from longwing.mission.failsafe import FailsafeMonitor, best_glide
from longwing.physics.rigidbody import N_ENV, make_work
from longwing.physics.state import N_STATE, PX
from longwing.physics.terrain import TerrainGrid
from longwing.physics.trim import TrimCondition, TrimError, trim
from longwing.physics.turbulence import new_turb_state
from longwing.physics.wind import WindField, no_gridded_wind
from longwing.sensors.gnss import new_gnss_buffer
from longwing.sensors.noise import N_SENSOR_NOISE
from longwing.sensors.params import SensorParams
from longwing.sensors.rates import rate_divider
from longwing.sensors.state import new_sensor_state
from longwing.sim import closedloop as cl
from longwing.sim.fastloop import attitude_ned
from longwing.sim.loopstate import new_loop_state
from longwing.sim.scenario import FlightScenario

NAV_RATE_HZ = 10.0  # L1 guidance and target exit tests (ArduPlane navigate() runs at 10 Hz)
MAX_TRIGGERS = 100_000
TRIM_HEIGHT_M = 300.0  # the cruise trim that sets TRIM_THROTTLE: this far above home


def autopilot_params(sc: FlightScenario, fuel_kg: float) -> AutopilotParams:
    """The airframe's defaults, TRIM_THROTTLE from the trim at cruise, the user's
    overrides (ValueError naming a bad one)."""
    af = sc.airframe
    home = sc.mission.home
    try:
        cond = TrimCondition(af.envelope.airspeed_cruise_mps, home.alt_m + TRIM_HEIGHT_M,
                             math.radians(home.lat_deg), fuel_kg)  # fmt: skip
        trim_thr = {"TRIM_THROTTLE": round(100.0 * trim(af, cond).throttle, 1)}
    except TrimError:
        trim_thr = {}
    return build_params({**trim_thr, **sc.autopilot}, af)


def sensor_params(sc: FlightScenario) -> SensorParams:
    sp = sc.sensors._replace(imu_rate_hz=1.0 / sc.dt_s)
    rf = sc.airframe.rangefinder
    if rf is not None:
        sp = sp._replace(rng_max_m=rf.max_range_m, rng_noise_m=rf.noise_m, rng_rate_hz=rf.rate_hz)
    return sp


def loop_config(sc: FlightScenario, sp: SensorParams) -> cl.LoopConfig:
    """The loop's rates as whole divisions: physics (IMU) / autopilot / sensors / nav / log."""
    imu_hz = 1.0 / sc.dt_s
    ap_hz = sc.loop_rate_hz
    return cl.LoopConfig(
        dt=sc.dt_s,
        truth_nav=sc.truth_nav,
        severity=int(sc.turbulence),
        div_ap=rate_divider(imu_hz, ap_hz),
        div_gnss=rate_divider(ap_hz, sp.gnss_rate_hz),
        div_baro=rate_divider(ap_hz, sp.baro_rate_hz),
        div_pitot=rate_divider(ap_hz, sp.pitot_rate_hz),
        div_mag=rate_divider(ap_hz, sp.mag_rate_hz),
        div_rng=max(1, round(ap_hz / sp.rng_rate_hz)),
        div_nav=rate_divider(ap_hz, min(NAV_RATE_HZ, ap_hz)),
        log_every=max(1, round(ap_hz / sc.log_hz)),
    )


def aligned_ekf(sc: FlightScenario, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-flight alignment: the filter starts at the launch position and attitude with its
    initial uncertainty (GNSS fix and accelerometer/magnetometer levelling on the ground)."""
    ekf_x, ekf_p = new_ekf(sc.ekf)
    lat, lon, h = ecef_to_geodetic(x[PX], x[PX + 1], x[PX + 2])
    sl, cl_, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    vn, ve, vd = ecef_to_ned_sc(sl, cl_, so, co, x[3], x[4], x[5])
    phi, theta, psi = attitude_ned(x, sl, cl_, so, co)
    ekf_init(ekf_x, ekf_p, lat, lon, h, vn, ve, vd, phi, theta, psi, sc.ekf)
    return ekf_x, ekf_p


def loop_arrays(
    sc: FlightScenario, x: np.ndarray, act: np.ndarray, target: np.ndarray,
    rng: np.random.Generator, sp: SensorParams, world: TerrainGrid, known: TerrainGrid,
) -> cl.LoopArrays:  # fmt: skip
    """Everything the compiled loop reads and writes, allocated once for the flight
    (``world``/``known``: the ground's and the autopilot's terrain grids)."""
    ekf_x, ekf_p = aligned_ekf(sc, x)
    if isinstance(sc.wind, WindField):
        (wind_alt, wind_n, wind_e), grid = sc.wind.arrays(), no_gridded_wind()
    else:  # a forecast grid: the layers are unused (calm)
        (wind_alt, wind_n, wind_e), grid = WindField.calm().arrays(), sc.wind.kernel_grid()
    st = new_loop_state()
    s = st[0]
    s["veh"]["engine_on"] = True
    s["veh"]["on_ground"] = sc.airframe.launch.method == "runway"
    s["guid"]["run_now"] = True
    s["landing"]["rng_agl_m"] = math.nan
    return cl.LoopArrays(
        x=x, act=act, cmd=act.copy(), env=np.zeros(N_ENV), turb=new_turb_state(),
        turb_c=np.zeros(11), work=make_work(), xdot=np.zeros(N_STATE),
        sens=new_sensor_state(rng, sp), gnss_buf=new_gnss_buffer(sp, sc.loop_rate_hz),
        ekf_x=ekf_x, ekf_p=ekf_p, att=new_attitude_state(), tecs=new_tecs_state(),
        l1=new_l1_state(), tgt=target, st=st, wind_alt=wind_alt, wind_n=wind_n,
        wind_e=wind_e, wind_grid=grid, terrain=world, ap_terrain=known,
        noise=np.zeros(N_SENSOR_NOISE + 3),
        leg=np.zeros(len(LegFrame._fields)),
        trig=np.zeros((MAX_TRIGGERS, cl.N_TRIG)), log=np.zeros((1, cl.N_LOG)),
    )  # fmt: skip


def fuel_model(sc: FlightScenario, af: Airframe, settings, ap: AutopilotParams):
    """The aircraft's fuel decision: the planner's model (planning/reach.py) on the route
    the mission manager flies (``settings`` as the manager has them)."""
    from longwing.planning.performance import PerformanceTable
    from longwing.planning.reach import FlightFuelModel, FuelReserve, landing_sites
    from longwing.planning.route import mission_route

    fs = sc.failsafe
    return FlightFuelModel(
        mission_route(sc.mission, settings, terrain=sc.terrain), PerformanceTable.build(af),
        landing_sites(sc.mission), af.mass.dry_mass_kg, af.mass.fuel_capacity_kg,
        ap.tecs.airspeed_min_mps, ap.tecs.airspeed_max_mps,
        FuelReserve(fs.FS_FUEL_RSV_PCT, fs.FS_FUEL_RSV_KG), eco=bool(settings.ECO_SPEED),
    )  # fmt: skip


def _ground(sc: FlightScenario, lat_deg: float, lon_deg: float) -> float:
    if sc.terrain is None:
        return sc.mission.home.alt_m
    h = float(sc.terrain(lat_deg, lon_deg))
    return h if math.isfinite(h) else sc.mission.home.alt_m


def failsafe_monitor(
    sc: FlightScenario, af: Airframe, fuel_kg: float, fuel
) -> tuple[FailsafeMonitor, float]:
    """The failsafe monitor (``fuel``: its :func:`fuel_model`) and the best-glide airspeed
    (engine out)."""
    home = sc.mission.home
    # the ground under a rally point: the DEM's there, else the home elevation (the flat
    # world's ground)
    rally = tuple((rp.lat_deg, rp.lon_deg, _ground(sc, rp.lat_deg, rp.lon_deg))
                  for rp in sc.mission.rally)  # fmt: skip
    _, _, rho_cruise = isa(home.alt_m + 500.0)
    glide = best_glide(af.aero, af.mass_kg(0.5 * fuel_kg), rho_cruise)
    monitor = FailsafeMonitor(
        sc.failsafe, (home.lat_deg, home.lon_deg, home.alt_m), rally, sc.mission.fence, fuel,
        glide,
    )  # fmt: skip
    return monitor, glide[0]
