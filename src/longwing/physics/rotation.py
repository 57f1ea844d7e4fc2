"""Moved to :mod:`longwing.geo.rotation`: import from there. This re-export remains only for
sim/closedloop.py, runner.py, scenario.py and fastloop.py until their owner switches."""

from longwing.geo.rotation import *  # noqa: F403
