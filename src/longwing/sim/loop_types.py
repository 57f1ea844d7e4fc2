"""The records the closed loop is given and returns (:mod:`longwing.sim.closedloop`): its
parameters, configuration, arrays, the navigation solution of a tick, and the log layout."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from longwing.airframe.params import ActuatorParams, AeroParams, MassParams, PropulsionParams
from longwing.physics.ground import GroundParams
from longwing.physics.terrain import TerrainGrid
from longwing.physics.wind import GriddedWind

# Log columns (kernel units: SI, radians).
LOG_COLUMNS = (
    "t_s", "lat_rad", "lon_rad", "alt_m", "roll_rad", "pitch_rad", "yaw_rad",
    "vn_mps", "ve_mps", "vd_mps", "tas_mps", "alpha_rad", "beta_rad",
    "p_radps", "q_radps", "r_radps", "elevator_rad", "aileron_rad", "rudder_rad", "throttle",
    "power_w", "fuel_kg", "fuel_flow_kgps", "wind_n_mps", "wind_e_mps", "wind_d_mps",
    "groundspeed_mps", "mass_kg", "distance_m",
    "est_lat_rad", "est_lon_rad", "est_alt_m", "est_roll_rad", "est_pitch_rad", "est_yaw_rad",
    "est_vn_mps", "est_ve_mps", "est_vd_mps", "est_wind_n_mps", "est_wind_e_mps",
    "est_pos_err_m", "est_sigma_pos_m", "meas_tas_mps",
    "roll_cmd_rad", "pitch_cmd_rad", "alt_cmd_m", "tas_cmd_mps", "xtrack_m", "seq",
    "est_sigma_wind_mps", "loiter_captured",
)  # fmt: skip
N_LOG = len(LOG_COLUMNS)


class VehicleParams(NamedTuple):
    aero: AeroParams
    mass: MassParams
    prop: PropulsionParams
    ground: GroundParams
    act: ActuatorParams


class LoopConfig(NamedTuple):
    dt: float  # physics (and IMU) step, s
    div_ap: int  # physics steps per autopilot tick (SCHED_LOOP_RATE)
    truth_nav: bool
    severity: int
    # the rest count autopilot ticks
    div_gnss: int
    div_baro: int
    div_pitot: int
    div_mag: int
    div_rng: int  # rangefinder readings (when the airframe has one)
    div_nav: int  # guidance (L1 and target exits) every div_nav ticks
    log_every: int


class LoopArrays(NamedTuple):
    x: np.ndarray  # truth state
    act: np.ndarray  # actuator positions
    cmd: np.ndarray  # actuator commands
    env: np.ndarray  # wind, turbulence, ground level, brake
    turb: np.ndarray  # Dryden filter state
    turb_c: np.ndarray  # Dryden coefficients (8) and intensities (3), held between nav steps
    work: np.ndarray  # RK4 scratch (5, N_STATE)
    xdot: np.ndarray  # derivative scratch (N_STATE)
    sens: np.ndarray  # sensor biases
    gnss_buf: np.ndarray  # GNSS latency buffer
    ekf_x: np.ndarray
    ekf_p: np.ndarray
    att: np.ndarray
    tecs: np.ndarray
    l1: np.ndarray
    tgt: np.ndarray  # guidance target (control.target)
    st: np.ndarray  # the loop's state: one LOOP_STATE record (sim.loopstate)
    wind_alt: np.ndarray
    wind_n: np.ndarray
    wind_e: np.ndarray
    wind_grid: GriddedWind  # a forecast grid (physics.wind); empty: the layers above
    terrain: TerrainGrid  # the DEM (physics.terrain); empty: flat at the target's ground
    ap_terrain: TerrainGrid  # the autopilot's terrain (terrain following): usually the same
    noise: np.ndarray  # standard normals in use: sensors (noise.py layout), then turbulence (3)
    leg: np.ndarray  # the current target's LegFrame fields (guid.leg_ok)
    trig: np.ndarray  # camera triggers (n, N_TRIG)
    log: np.ndarray  # (n, N_LOG)


class NavSolution(NamedTuple):
    """What the autopilot flies on at a tick (the EKF's, or the truth with --truth-nav)."""

    lat: float
    lon: float
    alt: float
    vn: float
    ve: float
    vd: float
    phi: float
    theta: float
    psi: float
    wind_n: float
    wind_e: float
    sigma_pos: float
    sigma_wind: float
    ax: float  # forward specific force, bias corrected (TECS)
    tas: float
    gyro_bias_x: float
    gyro_bias_y: float
    gyro_bias_z: float
    accel_bias_y: float


@njit(cache=True, inline="always")
def draw_normals(rng: np.random.Generator, buf: np.ndarray, i0: int, n: int) -> None:
    """``n`` standard normals from the run's generator into ``buf[i0:i0 + n]``: drawn where
    and when a model uses them, so the stream does not depend on how the flight is cut into
    chunks."""
    for i in range(i0, i0 + n):
        buf[i] = rng.standard_normal()
