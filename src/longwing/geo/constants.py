"""Physical constants shared across the packages (one definition each).

``G0_MPS2`` is standard gravity (CGPM 1901, ISO 80000-3): the constant of ``g``-loads,
bank-angle turn radii and the ISA's geopotential. Where the local value matters (the truth,
the trim) :mod:`longwing.geo.gravity` gives normal gravity instead.
"""

from __future__ import annotations

G0_MPS2 = 9.80665  # standard gravity, m/s^2 (exact by definition)
