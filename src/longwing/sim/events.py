"""Why a compiled loop returned: one set of codes for the open loop (`longwing sim`) and the
closed loop (`longwing fly`).

The kernels return plain ints (numba-friendly module constants); :class:`LoopEvent` names
them for the Python side.
"""

from __future__ import annotations

from enum import IntEnum

EV_NONE = 0  # the chunk ran to its end
EV_TARGET_DONE = 1  # the guidance target's exit condition was met
EV_TOUCHDOWN = 2  # first ground contact during a landing
EV_STOPPED = 3  # on the ground and stopped
EV_FUEL_EXHAUSTED = 4  # the tank ran dry
EV_GROUND_CONTACT = 5  # ground contact outside a landing
EV_NONFINITE = 6  # the state became non-finite
EV_TRIGGERS_FULL = 7  # the camera trigger buffer is full
EV_HEALTH = 8  # a sensor was declared failed (the failsafe logic acts now)
EV_GO_AROUND = 9  # the approach is to be abandoned (a go-around; the code in LANDING.abort_code)


class LoopEvent(IntEnum):
    NONE = EV_NONE
    TARGET_DONE = EV_TARGET_DONE
    TOUCHDOWN = EV_TOUCHDOWN
    STOPPED = EV_STOPPED
    FUEL_EXHAUSTED = EV_FUEL_EXHAUSTED
    GROUND_CONTACT = EV_GROUND_CONTACT
    NONFINITE = EV_NONFINITE
    TRIGGERS_FULL = EV_TRIGGERS_FULL
    HEALTH = EV_HEALTH
    GO_AROUND = EV_GO_AROUND
