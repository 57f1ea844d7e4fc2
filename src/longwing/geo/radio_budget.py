"""Radio link budget: free-space path loss, the margin of each direction, radio horizon.

Link budget (dB): free-space path loss over the slant range r (the straight line between the
antennas, from ECEF), ``FSPL = 20 log10(4 pi r f / c)`` (far field; r is floored at
:data:`MIN_RANGE_M`). Uplink: station tx power - station cable loss + station gain - FSPL +
aircraft gain - aircraft cable loss, margin against the aircraft's rx sensitivity. Downlink:
aircraft tx power - aircraft cable loss + aircraft gain - FSPL + station gain - station cable
loss, margin against the station's sensitivity. A link's ``margin_db`` is the smaller of the
two. It is the free-space budget whether or not there is line of sight (no diffraction or
obstruction loss; :mod:`longwing.geo.radio_los` decides LOS).

Also the smooth-Earth radio horizon ``sqrt(2 k R h1) + sqrt(2 k R h2)`` over an effective
Earth of radius k R, and the first Fresnel radius ``sqrt(lambda d1 d2 / (d1 + d2))``. Pure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from longwing.geo.radio_config import AircraftRadio, GroundStation

__all__ = [
    "EARTH_RADIUS_M",
    "K_FACTOR_STANDARD",
    "MIN_RANGE_M",
    "SPEED_OF_LIGHT_MPS",
    "downlink_margin_db",
    "free_space_path_loss_db",
    "fresnel_radius_m",
    "radio_horizon_m",
    "uplink_margin_db",
]

SPEED_OF_LIGHT_MPS = 299_792_458.0
#: IUGG mean Earth radius, the R of the effective-Earth model.
EARTH_RADIUS_M = 6_371_008.8
#: Standard-atmosphere refraction: effective Earth radius factor.
K_FACTOR_STANDARD = 4.0 / 3.0
#: Shortest slant range of the budget (m): the far-field formula needs r > 0.
MIN_RANGE_M = 1.0


def free_space_path_loss_db(distance_m, frequency_hz):
    """Free-space path loss ``20 log10(4 pi d f / c)`` in dB (float or array)."""
    d = np.asarray(distance_m, dtype=np.float64)
    f = np.asarray(frequency_hz, dtype=np.float64)
    out = 20.0 * np.log10(4.0 * math.pi * d * f / SPEED_OF_LIGHT_MPS)
    return float(out) if out.ndim == 0 else out


def uplink_margin_db(station: GroundStation, aircraft: AircraftRadio, path_loss_db):
    """Margin (dB) of the station -> aircraft direction over a path loss (float or array)."""
    return (
        station.tx_power_dbm
        - station.cable_loss_db
        + station.antenna_gain_dbi
        - path_loss_db
        + aircraft.antenna_gain_dbi
        - aircraft.cable_loss_db
        - aircraft.rx_sensitivity_dbm
    )


def downlink_margin_db(station: GroundStation, aircraft: AircraftRadio, path_loss_db):
    """Margin (dB) of the aircraft -> station direction over a path loss (float or array)."""
    return (
        aircraft.tx_power_dbm
        - aircraft.cable_loss_db
        + aircraft.antenna_gain_dbi
        - path_loss_db
        + station.antenna_gain_dbi
        - station.cable_loss_db
        - station.rx_sensitivity_dbm
    )


def radio_horizon_m(
    h1_m: float,
    h2_m: float,
    k_factor: float = K_FACTOR_STANDARD,
    earth_radius_m: float = EARTH_RADIUS_M,
) -> float:
    """Smooth-Earth LOS range between antennas at heights h1, h2 above the surface (m)."""
    a = 2.0 * k_factor * earth_radius_m
    return math.sqrt(a * max(h1_m, 0.0)) + math.sqrt(a * max(h2_m, 0.0))


def fresnel_radius_m(d1_m, d2_m, frequency_hz):
    """First Fresnel zone radius (m) at distances d1, d2 from the two ends."""
    lam = SPEED_OF_LIGHT_MPS / np.asarray(frequency_hz, dtype=np.float64)
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    out = np.sqrt(lam * d1 * d2 / (d1 + d2))
    return float(out) if out.ndim == 0 else out
