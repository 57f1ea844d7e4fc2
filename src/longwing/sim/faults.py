"""Fault injection: what breaks, when, for how long.

A :class:`Fault` is data: a kind, a start time, an optional duration (``None``: until the
end of the flight) and the kind's parameters. The runner applies it between chunks of the
compiled loop (sensor fault flags, engine state, fuel leak, the simulated GCS link) and the
kernels model its effect; the failsafe logic only sees what the autopilot would see.

CLI syntax (:func:`parse_fault`): ``KIND@T[:DURATION][,PARAM=V...]``, times in seconds::

    gnss_loss@1800:600            no GNSS fixes from t = 1800 s for 600 s
    gnss_drift@900:300,rate=0.5   GNSS position drifting away at 0.5 m/s (dir=45 deg)
    pitot_blocked@1200            pitot reading stuck at its value at t = 1200 s
    mag_fail@600                  no magnetometer data
    engine_failure@3000           engine stops for good
    fuel_leak@3600,rate=0.2       extra fuel loss of 0.2 kg/h
    link_loss@1800:300            GCS link (heartbeats) lost for 300 s
    gust@600,amp=8,len=3          one (1 - cos) vertical gust, 8 m/s up, 3 s long
    sensor_nan@300:5,mask=31      every sensor outputs NaN for 5 s (bits: 1 IMU, 2 GNSS,
                                  4 baro, 8 pitot, 16 magnetometer)

Kinds and their parameters are one table, :data:`FAULT_KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from numba import njit

from longwing.geo.wgs84 import radii_of_curvature

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "FaultError",
    "FaultKind",
    "gnss_drift",
    "gust_down_mps",
    "parse_fault",
]


class FaultError(ValueError):
    """A fault specification that cannot be used (one-line message naming the problem)."""


@dataclass(frozen=True)
class FaultParam:
    name: str
    unit: str
    default: float
    lo: float
    hi: float
    doc: str
    integer: bool = False


@dataclass(frozen=True)
class FaultKind:
    name: str
    doc: str
    params: tuple[FaultParam, ...] = ()
    has_duration: bool = True  # False: the fault is an event (a gust) or permanent


FAULT_KINDS: Mapping[str, FaultKind] = MappingProxyType(
    {
        k.name: k
        for k in (
            FaultKind("gnss_loss", "no GNSS fixes (jamming, antenna or receiver failure)"),
            FaultKind(
                "gnss_drift",
                "GNSS position walks away from the truth (spoofing-like drift)",
                (
                    FaultParam("rate", "m/s", 0.5, 0.0, 50.0, "drift speed"),
                    FaultParam("dir", "deg", 45.0, 0.0, 360.0, "drift direction from north"),
                ),
            ),
            FaultKind("pitot_blocked", "pitot reading stuck at its value at the onset"),
            FaultKind("mag_fail", "no magnetometer data"),
            FaultKind("engine_failure", "the engine stops", has_duration=False),
            FaultKind(
                "fuel_leak",
                "fuel lost overboard on top of the engine's burn",
                (FaultParam("rate", "kg/h", 0.2, 0.0, 50.0, "leak rate"),),
            ),
            FaultKind("link_loss", "no GCS heartbeats reach the aircraft"),
            FaultKind(
                "sensor_nan",
                "sensors output NaN (a glitching driver): tests that NaN is stopped where it "
                "enters",
                (
                    FaultParam(
                        "mask",
                        "",
                        31.0,
                        1.0,
                        31.0,
                        "bits: 1 IMU, 2 GNSS, 4 baro, 8 pitot, 16 magnetometer",
                        integer=True,
                    ),
                ),
            ),
            FaultKind(
                "gust",
                "one discrete (1 - cos) vertical gust, MIL-F-8785C shape",
                (
                    FaultParam("amp", "m/s", 5.0, -30.0, 30.0, "peak gust, + up"),
                    FaultParam("len", "s", 2.0, 0.1, 60.0, "gust duration"),
                ),
                has_duration=False,
            ),
        )
    }
)


@dataclass(frozen=True)
class Fault:
    """One injected fault; ``duration_s`` ``None`` means until the end of the flight."""

    kind: str
    t_s: float
    duration_s: float | None = None
    params: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spec = FAULT_KINDS.get(self.kind)
        if spec is None:
            raise FaultError(
                f"unknown fault kind {self.kind!r}: expected one of {', '.join(FAULT_KINDS)}"
            )
        if not (math.isfinite(self.t_s) and self.t_s >= 0.0):
            raise FaultError(f"{self.kind}: start time {self.t_s!r} s must be >= 0")
        if self.duration_s is not None:
            if not spec.has_duration:
                raise FaultError(f"{self.kind}: takes no duration")
            if not (math.isfinite(self.duration_s) and self.duration_s > 0.0):
                raise FaultError(f"{self.kind}: duration {self.duration_s!r} s must be > 0")
        known = {p.name: p for p in spec.params}
        values = {}
        for name, value in self.params.items():
            p = known.get(name)
            if p is None:
                allowed = ", ".join(known) or "none"
                raise FaultError(f"{self.kind}: unknown parameter {name!r} (allowed: {allowed})")
            v = float(value)
            if not p.lo <= v <= p.hi:  # False for NaN
                raise FaultError(
                    f"{self.kind}: {name} = {v:g} {p.unit} is outside [{p.lo:g}, {p.hi:g}]"
                )
            if p.integer and v != math.floor(v):
                raise FaultError(f"{self.kind}: {name} = {v:g} must be a whole number")
            values[name] = v
        for p in spec.params:
            values.setdefault(p.name, p.default)
        object.__setattr__(self, "params", MappingProxyType(values))

    @property
    def end_s(self) -> float:
        """End time (inf for a permanent fault; the onset for an event)."""
        if not FAULT_KINDS[self.kind].has_duration:
            return self.t_s
        return math.inf if self.duration_s is None else self.t_s + self.duration_s

    def active(self, t_s: float) -> bool:
        return self.t_s <= t_s < self.end_s

    def as_dict(self) -> dict:
        return {"kind": self.kind, "t_s": self.t_s, "duration_s": self.duration_s,
                **dict(self.params)}  # fmt: skip


def _number(text: str, what: str, spec: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise FaultError(f"fault {spec!r}: {what} {text!r} is not a number") from None
    if not math.isfinite(v):
        raise FaultError(f"fault {spec!r}: {what} {text!r} is not finite")
    return v


def parse_fault(spec: str) -> Fault:
    """A :class:`Fault` from ``KIND@T[:DURATION][,PARAM=V...]`` (see the module doc)."""
    text = spec.strip()
    head, *rest = text.split(",")
    if "@" not in head:
        raise FaultError(f"fault {spec!r}: expected KIND@T[:DURATION][,PARAM=V], e.g. "
                         "gnss_loss@1800:600")  # fmt: skip
    kind, when = head.split("@", 1)
    kind = kind.strip().lower()
    if kind not in FAULT_KINDS:
        raise FaultError(
            f"fault {spec!r}: unknown kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
        )
    t_text, _, d_text = when.partition(":")
    t_s = _number(t_text.strip(), "time", spec)
    duration = _number(d_text.strip(), "duration", spec) if d_text.strip() else None
    params: dict[str, float] = {}
    for part in rest:
        name, eq, value = part.partition("=")
        if not eq:
            raise FaultError(f"fault {spec!r}: parameter {part!r} must be NAME=VALUE")
        params[name.strip().lower()] = _number(value.strip(), name.strip(), spec)
    try:
        return Fault(kind, t_s, duration, params)
    except FaultError as exc:
        raise FaultError(f"fault {spec!r}: {exc}") from None


# --- the faults' effects, compiled (called by the closed loop) ---------------------------


@njit(cache=True, inline="always")
def gust_down_mps(t_s: float, t0_s: float, length_s: float, amp_mps: float) -> float:
    """The discrete (1 - cos) vertical gust of a ``gust`` fault, down positive (``amp_mps``
    is up positive, MIL-F-8785C shape); 0 outside it."""
    if length_s > 0.0 and t0_s <= t_s < t0_s + length_s:
        ph = 2.0 * math.pi * (t_s - t0_s) / length_s
        return -0.5 * amp_mps * (1.0 - math.cos(ph))
    return 0.0


@njit(cache=True, inline="always")
def gnss_drift(
    lat_rad: float, lon_rad: float, rate_mps: float, dir_rad: float, t0_s: float, t_s: float
) -> tuple[float, float]:
    """A GNSS fix walked away from the truth by a ``gnss_drift`` fault: ``rate_mps`` since
    ``t0_s`` toward ``dir_rad`` (from north), on the ellipsoid's radii of curvature."""
    d = rate_mps * max(t_s - t0_s, 0.0)
    m, n = radii_of_curvature(lat_rad)
    lat = lat_rad + d * math.cos(dir_rad) / m
    return lat, lon_rad + d * math.sin(dir_rad) / (n * math.cos(lat))
