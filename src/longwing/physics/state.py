"""Layout of the truth state vector (one flat float64 array; RK4 works on the whole array).

Position and velocity live in the Earth-centred Earth-fixed (ECEF, WGS84) frame, so the
vehicle can fly any distance, across the poles and the date line, with no flat-earth
approximation anywhere. Attitude is the body-to-ECEF quaternion (scalar first, Hamilton);
body rates are inertial (what a gyro measures), in body axes.
"""

from __future__ import annotations

PX, PY, PZ = 0, 1, 2  # ECEF position, m
VX, VY, VZ = 3, 4, 5  # velocity relative to the Earth, ECEF axes, m/s
QW, QX, QY, QZ = 6, 7, 8, 9  # body -> ECEF quaternion
WP, WQ, WR = 10, 11, 12  # inertial angular rate in body axes (p, q, r), rad/s
FUEL = 13  # fuel mass, kg
N_STATE = 14

POS = slice(PX, PZ + 1)
VEL = slice(VX, VZ + 1)
QUAT = slice(QW, QZ + 1)
RATES = slice(WP, WR + 1)

# Control vector (actuator positions): elevator, aileron, rudder (rad), throttle [0, 1].
DE, DA, DR, DT = 0, 1, 2, 3
N_CTRL = 4
