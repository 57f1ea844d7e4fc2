"""Survey cameras: ground sample distance, image footprint, line spacing, trigger distance.

A :class:`Camera` is a pinhole camera looking straight down (nadir), fixed to the airframe
with its image axes along and across the track. Sensor sizes and the focal length are in
millimetres as datasheets give them (only their ratios matter); everything derived is SI.

Orientation: the sensor's *long* side is across the track by default ("landscape"), which
gives the widest swath and so the fewest lines; ``portrait=True`` puts the long side along
the track (fewer photos per line, more lines).

Ground sample distance (GSD) at height ``h`` above the ground, per image axis::

    gsd_w = sensor_w * h / (focal * px_w)        gsd_h = sensor_h * h / (focal * px_h)

When the pixels are not square the worse (larger) of the two is the camera's GSD, so the
requested GSD is met on both axes.

``min_interval_s`` is the shortest time between two photos the camera can keep up
(shutter, processing, writing to the card): :data:`DEFAULT_MIN_INTERVAL_S`, 1 s, for a
typical mapping camera (a 20-megapixel compact or mirrorless writing JPEGs; the survey
planner refuses a trigger distance the aircraft covers faster).

Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_MIN_INTERVAL_S", "Camera", "check_overlap", "parse_camera"]

#: Shortest interval between photos of a typical mapping camera, s.
DEFAULT_MIN_INTERVAL_S = 1.0


def check_overlap(value: float, name: str) -> float:
    """``value`` as a float if it is a usable overlap fraction in [0, 0.95], else ValueError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 0.95], not {value!r}") from None
    if not (math.isfinite(v) and 0.0 <= v <= 0.95):
        raise ValueError(f"{name} {v!r} must be in [0, 0.95] (a fraction, not a percentage)")
    return v


@dataclass(frozen=True)
class Camera:
    """A nadir survey camera.

    ``sensor_w_mm`` x ``sensor_h_mm`` is the sensor's active area, ``focal_mm`` the focal
    length and ``px_w`` x ``px_h`` the image size in pixels (``px_w`` along ``sensor_w``);
    ``min_interval_s`` the shortest time between photos. Construction raises
    :class:`ValueError` naming the bad field.
    """

    sensor_w_mm: float
    sensor_h_mm: float
    focal_mm: float
    px_w: int
    px_h: int
    min_interval_s: float = DEFAULT_MIN_INTERVAL_S

    def __post_init__(self) -> None:
        for name in ("sensor_w_mm", "sensor_h_mm", "focal_mm", "min_interval_s"):
            raw = getattr(self, name)
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValueError(f"camera {name} must be a number, not {raw!r}") from None
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"camera {name} {value!r} must be > 0")
            object.__setattr__(self, name, value)
        for name in ("px_w", "px_h"):
            raw = getattr(self, name)
            if isinstance(raw, bool):
                raise ValueError(f"camera {name} must be a whole number of pixels, not {raw!r}")
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValueError(f"camera {name} must be a whole number, not {raw!r}") from None
            if not (math.isfinite(value) and value.is_integer() and value >= 1):
                raise ValueError(f"camera {name} {raw!r} must be a whole number of pixels >= 1")
            object.__setattr__(self, name, int(value))

    # --- ground sample distance -------------------------------------------------------------

    def gsd_axes_m(self, alt_m: float) -> tuple[float, float]:
        """GSD along the sensor's width and height axes at ``alt_m`` above ground, m/px."""
        h = _positive(alt_m, "alt_m")
        return (
            self.sensor_w_mm * h / (self.focal_mm * self.px_w),
            self.sensor_h_mm * h / (self.focal_mm * self.px_h),
        )

    def gsd_m(self, alt_m: float) -> float:
        """Ground sample distance at ``alt_m`` above ground, m/px (the worse axis)."""
        return max(self.gsd_axes_m(alt_m))

    def alt_for_gsd_m(self, gsd_m: float) -> float:
        """Height above ground at which :meth:`gsd_m` equals ``gsd_m``, m."""
        g = _positive(gsd_m, "gsd_m")
        per_m = max(
            self.sensor_w_mm / (self.focal_mm * self.px_w),
            self.sensor_h_mm / (self.focal_mm * self.px_h),
        )
        return g / per_m

    # --- footprint --------------------------------------------------------------------------

    def footprint_m(self, alt_m: float, portrait: bool = False) -> tuple[float, float]:
        """Ground footprint ``(across_m, along_m)`` of one image at ``alt_m`` above ground.

        Landscape (default): the sensor's long side across the track; portrait: along it.
        """
        h = _positive(alt_m, "alt_m")
        long_m = max(self.sensor_w_mm, self.sensor_h_mm) * h / self.focal_mm
        short_m = min(self.sensor_w_mm, self.sensor_h_mm) * h / self.focal_mm
        return (short_m, long_m) if portrait else (long_m, short_m)

    def line_spacing_m(self, alt_m: float, side_overlap: float, portrait: bool = False) -> float:
        """Distance between adjacent survey lines: ``footprint_across * (1 - side_overlap)``."""
        ov = check_overlap(side_overlap, "side_overlap")
        return self.footprint_m(alt_m, portrait)[0] * (1.0 - ov)

    def trigger_distance_m(
        self, alt_m: float, front_overlap: float, portrait: bool = False
    ) -> float:
        """Distance between photos along a line: ``footprint_along * (1 - front_overlap)``."""
        ov = check_overlap(front_overlap, "front_overlap")
        return self.footprint_m(alt_m, portrait)[1] * (1.0 - ov)


def _positive(value: float, name: str) -> float:
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{name} {v!r} must be > 0")
    return v


def parse_camera(text: str) -> Camera:
    """A :class:`Camera` from ``"W_MM,H_MM,FOCAL_MM,PX_W,PX_H[,MIN_INTERVAL_S]"`` (the CLI's
    ``--camera``), e.g. ``"13.2,8.8,10.4,5472,3648"`` or ``"13.2,8.8,10.4,5472,3648,2"``
    (without the sixth number: :data:`DEFAULT_MIN_INTERVAL_S`); :class:`ValueError` with a
    one-line message."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) not in (5, 6):
        raise ValueError(
            f"camera {text!r} must be W_MM,H_MM,FOCAL_MM,PX_W,PX_H[,MIN_INTERVAL_S] "
            f"(5 or 6 numbers, got {len(parts)})"
        )
    names = ("sensor_w_mm", "sensor_h_mm", "focal_mm", "px_w", "px_h", "min_interval_s")
    values: list[float] = []
    for name, part in zip(names, parts, strict=False):
        try:
            values.append(float(part))
        except ValueError:
            raise ValueError(f"camera {name} {part!r} is not a number") from None
    return Camera(*values)  # type: ignore[arg-type]
