"""The guidance target: what the mission manager hands the fast loop, one at a time.

A flat float64 array (``new_target()``), written by the slow loop (``mission.manager``) and
read by the compiled loop; the index of every field is named here once.
"""

from __future__ import annotations

import numpy as np

# kinds
TK_LEG = 0  # follow the leg A -> B (L1), altitude sloping from ALT_A to ALT_B
TK_LOITER = 1  # circle about B with RADIUS, DIR (+1 clockwise), at ALT_B
TK_TAKEOFF = 2  # climb out along A -> B at the launch pitch and full throttle to ALT_B
TK_LAND = 3  # approach along A -> B on the glide slope, flare FLARE_DIST before B, roll out
TK_GROUND = 4  # on the ground, engine idle, brakes on (before launch or after landing)
KIND_NAMES = {TK_LEG: "leg", TK_LOITER: "loiter", TK_TAKEOFF: "takeoff", TK_LAND: "land",
              TK_GROUND: "ground"}  # fmt: skip

# exit conditions
EXIT_NONE = 0  # hold until the manager changes the target (loiter unlimited, RTL loiter)
EXIT_REACH = 1  # leg: B reached (acceptance radius or passed, per PASS)
EXIT_TURNS = 2  # loiter: EXIT_VALUE full turns on the circle
EXIT_TIME = 3  # loiter: EXIT_VALUE seconds on the circle
EXIT_ALT = 4  # loiter or take-off: within ALT_TOL_M of ALT_B
EXIT_STOPPED = 5  # land: on the ground and stopped

ALT_TOL_M = 5.0

(
    KIND, AX, AY, AZ, BX, BY, BZ, ALT_A, ALT_B, SPEED, ACCEPT, PASS, RADIUS, DIR, EXIT,
    EXIT_VALUE, CAM_DIST, GROUND_ALT, FLARE_ALT, FLARE_SINK, CLIMB_PITCH, LEG_LEN, SEQ,
    FLARE_DIST, ROTATE_SPEED, FLARE_SEC,
) = range(26)  # fmt: skip
N_TARGET = 26


def new_target() -> np.ndarray:
    return np.zeros(N_TARGET)
