"""Moved to :mod:`longwing.control.target` (the guidance target belongs to control); this
name stays until the planner's import is switched."""

from longwing.control.target import *  # noqa: F403
from longwing.control.target import ALT_TOL_M, KIND_NAMES, N_TARGET, new_target  # noqa: F401
