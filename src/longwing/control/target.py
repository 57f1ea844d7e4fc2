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
TK_PILOT = 5  # a pilot mode: the sticks in the loop's PILOT record (control.pilot) fly it
KIND_NAMES = {TK_LEG: "leg", TK_LOITER: "loiter", TK_TAKEOFF: "takeoff", TK_LAND: "land",
              TK_GROUND: "ground", TK_PILOT: "pilot"}  # fmt: skip

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
    FLARE_DIST, ROTATE_SPEED, FLARE_SEC, GA_ON, GA_DECIDE_ALT, GA_MAX_GS, GA_ZONE, GA_SLOPE,
    GA_ASKED, GA_SLOPE_PLAN, TF_ON, TF_HAGL_A, TF_HAGL_B, TF_LOOKAHEAD, RNG_LAND,
) = range(38)  # fmt: skip
N_TARGET = 38

# land: RNG_LAND 1: the landing takes its height above the ground from the rangefinder when
# it has a valid reading (ArduPlane's RNGFND_LANDING): the glide slope is shifted by the
# difference to the expected ground, and the flare is judged on the measured height

# terrain following (a terrain-frame item, GLOBAL_TERRAIN_ALT, with a DEM in the world):
# TF_ON 1: the altitude demand is the terrain under the aircraft plus the height sloping
# from TF_HAGL_A at A to TF_HAGL_B at B (m), raised where the terrain within TF_LOOKAHEAD m
# ahead needs more climb than the aircraft has (control.terrain_follow)

# land: the automatic go-around (control.landing.go_around_code): GA_ON 1 to judge the
# approach once the glide slope is below GA_DECIDE_ALT above the ground; GA_MAX_GS the ground
# speed limit at touchdown (m/s), GA_ZONE how far past the landing point a touchdown may be
# (m), GA_SLOPE how much steeper than the planned glide slope the approach may have to be to
# still touch down in that zone (rad), GA_SLOPE_PLAN the planned slope from A to the flare
# point (rad); GA_ASKED 1: a go-around at the decision height as
# the mission asks (DO_GO_AROUND item)


def new_target() -> np.ndarray:
    return np.zeros(N_TARGET)
