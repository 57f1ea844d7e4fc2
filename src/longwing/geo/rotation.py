"""Quaternion and direction-cosine helpers (scalar-first Hamilton quaternions).

A quaternion q_ab rotates components from frame b to frame a: v_a = q ⊗ v_b ⊗ q*. Shared by
the truth (``physics``: q_eb, body -> ECEF) and the estimator (``estimation``: q_nb, body ->
NED), so neither imports the other. The hot-path kernels return tuples of floats and
allocate nothing; the matrix ones (``quat_to_dcm``, ``dcm_to_quat``, ``euler_to_dcm``) are
for set-up and tests.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "dcm_to_euler",
    "dcm_to_quat",
    "euler_to_dcm",
    "euler_to_quat",
    "quat_mul",
    "quat_rotate",
    "quat_rotate_inv",
    "quat_to_dcm",
    "quat_to_euler",
    "rotvec_to_quat",
]


@njit(cache=True)
def quat_rotate(
    q0: float, q1: float, q2: float, q3: float, x: float, y: float, z: float
) -> tuple[float, float, float]:
    """Rotate (x, y, z) from frame b to frame a with q_ab."""
    r00 = q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3
    r01 = 2.0 * (q1 * q2 - q0 * q3)
    r02 = 2.0 * (q1 * q3 + q0 * q2)
    r10 = 2.0 * (q1 * q2 + q0 * q3)
    r11 = q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3
    r12 = 2.0 * (q2 * q3 - q0 * q1)
    r20 = 2.0 * (q1 * q3 - q0 * q2)
    r21 = 2.0 * (q2 * q3 + q0 * q1)
    r22 = q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3
    return (
        r00 * x + r01 * y + r02 * z,
        r10 * x + r11 * y + r12 * z,
        r20 * x + r21 * y + r22 * z,
    )


@njit(cache=True, inline="always")
def quat_rotate_inv(
    q0: float, q1: float, q2: float, q3: float, x: float, y: float, z: float
) -> tuple[float, float, float]:
    """Rotate (x, y, z) from frame a to frame b with q_ab (i.e. apply q*)."""
    return quat_rotate(q0, -q1, -q2, -q3, x, y, z)


@njit(cache=True)
def quat_to_dcm(q: np.ndarray) -> np.ndarray:
    """Direction cosine matrix C_ab of quaternion q_ab."""
    q0, q1, q2, q3 = q[0], q[1], q[2], q[3]
    c = np.empty((3, 3))
    c[0, 0] = q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3
    c[0, 1] = 2.0 * (q1 * q2 - q0 * q3)
    c[0, 2] = 2.0 * (q1 * q3 + q0 * q2)
    c[1, 0] = 2.0 * (q1 * q2 + q0 * q3)
    c[1, 1] = q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3
    c[1, 2] = 2.0 * (q2 * q3 - q0 * q1)
    c[2, 0] = 2.0 * (q1 * q3 - q0 * q2)
    c[2, 1] = 2.0 * (q2 * q3 + q0 * q1)
    c[2, 2] = q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3
    return c


@njit(cache=True)
def dcm_to_quat(c: np.ndarray) -> np.ndarray:
    """Quaternion q_ab of a proper rotation matrix C_ab (Shepperd's method, q0 >= 0)."""
    tr = c[0, 0] + c[1, 1] + c[2, 2]
    q = np.empty(4)
    if tr > 0.0:
        s = 2.0 * math.sqrt(1.0 + tr)
        q[0] = 0.25 * s
        q[1] = (c[2, 1] - c[1, 2]) / s
        q[2] = (c[0, 2] - c[2, 0]) / s
        q[3] = (c[1, 0] - c[0, 1]) / s
    elif c[0, 0] > c[1, 1] and c[0, 0] > c[2, 2]:
        s = 2.0 * math.sqrt(1.0 + c[0, 0] - c[1, 1] - c[2, 2])
        q[0] = (c[2, 1] - c[1, 2]) / s
        q[1] = 0.25 * s
        q[2] = (c[0, 1] + c[1, 0]) / s
        q[3] = (c[0, 2] + c[2, 0]) / s
    elif c[1, 1] > c[2, 2]:
        s = 2.0 * math.sqrt(1.0 + c[1, 1] - c[0, 0] - c[2, 2])
        q[0] = (c[0, 2] - c[2, 0]) / s
        q[1] = (c[0, 1] + c[1, 0]) / s
        q[2] = 0.25 * s
        q[3] = (c[1, 2] + c[2, 1]) / s
    else:
        s = 2.0 * math.sqrt(1.0 + c[2, 2] - c[0, 0] - c[1, 1])
        q[0] = (c[1, 0] - c[0, 1]) / s
        q[1] = (c[0, 2] + c[2, 0]) / s
        q[2] = (c[1, 2] + c[2, 1]) / s
        q[3] = 0.25 * s
    if q[0] < 0.0:
        q *= -1.0
    return q


@njit(cache=True)
def euler_to_dcm(phi_rad: float, theta_rad: float, psi_rad: float) -> np.ndarray:
    """C_nb (body -> NED) from 3-2-1 Euler angles (roll, pitch, yaw)."""
    cf, sf = math.cos(phi_rad), math.sin(phi_rad)
    ct, st = math.cos(theta_rad), math.sin(theta_rad)
    cp, sp = math.cos(psi_rad), math.sin(psi_rad)
    c = np.empty((3, 3))
    c[0, 0] = ct * cp
    c[0, 1] = sf * st * cp - cf * sp
    c[0, 2] = cf * st * cp + sf * sp
    c[1, 0] = ct * sp
    c[1, 1] = sf * st * sp + cf * cp
    c[1, 2] = cf * st * sp - sf * cp
    c[2, 0] = -st
    c[2, 1] = sf * ct
    c[2, 2] = cf * ct
    return c


@njit(cache=True)
def dcm_to_euler(c_nb: np.ndarray) -> tuple[float, float, float]:
    """3-2-1 Euler angles (roll, pitch, yaw in (-pi, pi]) from C_nb."""
    phi = math.atan2(c_nb[2, 1], c_nb[2, 2])
    theta = -math.asin(min(1.0, max(-1.0, c_nb[2, 0])))
    psi = math.atan2(c_nb[1, 0], c_nb[0, 0])
    return phi, theta, psi


@njit(cache=True)
def quat_to_euler(q0: float, q1: float, q2: float, q3: float) -> tuple[float, float, float]:
    """3-2-1 Euler angles (roll, pitch, yaw; rad) of q_nb."""
    roll = math.atan2(2.0 * (q0 * q1 + q2 * q3), 1.0 - 2.0 * (q1 * q1 + q2 * q2))
    pitch = math.asin(min(1.0, max(-1.0, 2.0 * (q0 * q2 - q3 * q1))))
    yaw = math.atan2(2.0 * (q0 * q3 + q1 * q2), 1.0 - 2.0 * (q2 * q2 + q3 * q3))
    return roll, pitch, yaw


@njit(cache=True, inline="always")
def euler_to_quat(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    """q_nb (scalar first) of 3-2-1 Euler angles (rad)."""
    cr, sr = math.cos(0.5 * roll), math.sin(0.5 * roll)
    cp, sp = math.cos(0.5 * pitch), math.sin(0.5 * pitch)
    cy, sy = math.cos(0.5 * yaw), math.sin(0.5 * yaw)
    return (
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    )


@njit(cache=True, inline="always")
def quat_mul(
    a0: float, a1: float, a2: float, a3: float, b0: float, b1: float, b2: float, b3: float
) -> tuple[float, float, float, float]:
    """Hamilton product a (x) b: q_ac = quat_mul(q_ab, q_bc)."""
    return (
        a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3,
        a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
        a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1,
        a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0,
    )


@njit(cache=True, inline="always")
def rotvec_to_quat(x: float, y: float, z: float) -> tuple[float, float, float, float]:
    """Quaternion of the rotation vector (x, y, z) (rad)."""
    ang = math.sqrt(x * x + y * y + z * z)
    if ang < 1.0e-12:
        return 1.0, 0.5 * x, 0.5 * y, 0.5 * z
    s = math.sin(0.5 * ang) / ang
    return math.cos(0.5 * ang), x * s, y * s, z * s
