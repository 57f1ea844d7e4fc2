"""One point on the Earth: :class:`GeoPoint` (latitude, longitude in degrees, altitude in m).

The one lat/lon/alt record of the Python side (the kernels use arrays): the mission's home
(``mission.model.Home``), a fence's breach-return point (``mission.fence.BreachReturnPoint``),
the mission manager's positions (``mission.manager.Position``) are this type under the names
their modules always used; a rally point (``mission.fence.RallyPoint``) is one with a MAVLink
frame. The altitude's reference (above mean sea level, above home...) is given by where the
point is used, as the name there says; it is not part of the point.

This module is pure: no I/O, no numba.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GeoPoint"]


@dataclass(frozen=True)
class GeoPoint:
    """Latitude and longitude (degrees, WGS84) and altitude (m), immutable.

    The fields are stored as Python floats (numpy scalars and ints are converted), so two
    points with the same values compare equal and hash alike whatever they were built from.
    No range checks here: a point read from a file is checked where it is read (e.g.
    :func:`~longwing.mission.items.validate_lat_lon_alt`).
    """

    lat_deg: float
    lon_deg: float
    alt_m: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat_deg", float(self.lat_deg))
        object.__setattr__(self, "lon_deg", float(self.lon_deg))
        object.__setattr__(self, "alt_m", float(self.alt_m))
