"""JSBSim's unit attributes: the factors JSBSim itself uses, and the exact SI factors.

JSBSim converts a value with a ``unit=`` attribute into its own units (feet, square feet,
inches for locations, pounds, slug ft^2, radians) with the factors of FGXMLElement; the
readers here do the same, then store SI (exact definitions of the foot and the pound).
"""

from __future__ import annotations

import math
from types import MappingProxyType

FT_M = 0.3048  # exact
IN_M = 0.0254  # exact
LBM_KG = 0.45359237  # exact (pound mass)
LBF_N = 4.4482216152605  # exact (pound force)
SLUG_KG = LBF_N / FT_M  # 14.593902937...
SLUGFT2_KGM2 = SLUG_KG * FT_M * FT_M
PSF_PA = LBF_N / (FT_M * FT_M)

_M_FT = 3.2808399  # JSBSim's metre in feet
_CM_FT = 0.032808399

# unit name -> (quantity, factor to JSBSim's unit of that quantity)
_TO_JSBSIM = MappingProxyType(
    {
        "FT": ("length_ft", 1.0),
        "M": ("length_ft", _M_FT),
        "CM": ("length_ft", _CM_FT),
        "KM": ("length_ft", 3280.8399),
        "IN": ("length_ft", 1.0 / 12.0),
        "FT2": ("area_ft2", 1.0),
        "M2": ("area_ft2", _M_FT * _M_FT),
        "CM2": ("area_ft2", _CM_FT * _CM_FT),
        "IN2": ("area_ft2", 1.0 / 144.0),
        "LBS": ("mass_lbs", 1.0),
        "KG": ("mass_lbs", 1.0 / 0.45359237),
        "SLUG": ("mass_lbs", 14.59390 / 0.45359237),
        "SLUG*FT2": ("inertia_slugft2", 1.0),
        "KG*M2": ("inertia_slugft2", 1.0 / 1.35594),
        "RAD": ("angle_rad", 1.0),
        "DEG": ("angle_rad", 1.0 / (180.0 / math.pi)),
    }
)

# JSBSim's unit of each quantity -> SI
_JSBSIM_TO_SI = MappingProxyType(
    {
        "length_ft": FT_M,
        "area_ft2": FT_M * FT_M,
        "mass_lbs": LBM_KG,
        "inertia_slugft2": SLUGFT2_KGM2,
        "angle_rad": 1.0,
    }
)

DEFAULT_UNIT = MappingProxyType(
    {
        "length_ft": "FT",
        "area_ft2": "FT2",
        "mass_lbs": "LBS",
        "inertia_slugft2": "SLUG*FT2",
        "angle_rad": "RAD",
    }
)


def known_units(quantity: str) -> tuple[str, ...]:
    """The unit attributes accepted for a quantity."""
    return tuple(u for u, (q, _) in _TO_JSBSIM.items() if q == quantity)


def to_jsbsim(value: float, unit: str, quantity: str) -> float | None:
    """value [unit] in JSBSim's unit of the quantity, or None when the unit does not fit."""
    entry = _TO_JSBSIM.get(unit.upper())
    if entry is None or entry[0] != quantity:
        return None
    return value * entry[1]


def jsbsim_to_si(value: float, quantity: str) -> float:
    """A value in JSBSim's unit of the quantity (ft, ft^2, lbs, slug ft^2, rad) in SI."""
    return value * _JSBSIM_TO_SI[quantity]
