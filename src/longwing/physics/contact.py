"""Whether the aircraft touches the ground: any contact point (of :mod:`physics.ground`)
at or below the ground level."""

from __future__ import annotations

import numpy as np
from numba import njit

from longwing.airframe.params import GroundParams
from longwing.geo.rotation import quat_rotate
from longwing.geo.wgs84 import ecef_to_ned_sc
from longwing.physics.ground import N_CONTACTS, contact_point
from longwing.physics.state import QW


@njit(cache=True)
def touching(
    x: np.ndarray, sl: float, cl: float, so: float, co: float, h: float, ground_alt_m: float,
    gp: GroundParams,
) -> bool:  # fmt: skip
    """Any contact point at or below the ground plane at ``ground_alt_m``."""
    q0, q1, q2, q3 = x[QW], x[QW + 1], x[QW + 2], x[QW + 3]
    for i in range(N_CONTACTS):
        px, py, pz = contact_point(gp, i)
        dx, dy, dz = quat_rotate(q0, q1, q2, q3, px, py, pz)
        _, _, dd = ecef_to_ned_sc(sl, cl, so, co, dx, dy, dz)
        if h - dd <= ground_alt_m:
            return True
    return False
