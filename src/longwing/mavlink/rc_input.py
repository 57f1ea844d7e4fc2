"""The pilot's radio as a ground station gives it: RC_CHANNELS_OVERRIDE and MANUAL_CONTROL.

ArduPlane in SITL takes stick input from the GCS as RC overrides; longwing has no receiver of
its own, so these are its only sticks. :class:`RcInput` keeps the 18 channels' PWM and when
each was last overridden, and turns them into the normalised sticks the pilot modes fly
(:mod:`longwing.control.pilot`) the way ArduPilot's ``RC_Channel`` does:

* RCMAP_ROLL/PITCH/THROTTLE/YAW say which channel is which stick (1, 2, 3, 4);
* an angle channel is ``(pwm - TRIM) / (MAX - TRIM)`` above its trim and
  ``(pwm - TRIM) / (TRIM - MIN)`` below, zero within ``DZ`` of the trim, negated when
  ``REVERSED``, in [-1, 1]; the throttle is ``(pwm - MIN) / (MAX - MIN)`` in [0, 1];
* RC_CHANNELS_OVERRIDE (MAVLink's rules): channels 1-8 at 0 release the override, at
  UINT16_MAX leave it as it is; channels 9-18 at 0 or UINT16_MAX leave it, at UINT16_MAX - 1
  release it;
* MANUAL_CONTROL (ArduPlane's mapping): ``y`` is roll, ``x`` pitch (forward stick, nose
  down, so reversed), ``r`` yaw, each in [-1000, 1000], and ``z`` the throttle in [0, 1000],
  onto the channel's RCn_MIN..RCn_MAX; INT16_MAX or a value out of range leaves it;
* an override lasts RC_OVERRIDE_TIME seconds (wall time, a GCS's clock) from the last
  message that set it; afterwards the channel has no input (0), as a receiver that has lost
  its transmitter: the RC failsafe (:class:`RcFailsafe`) then acts in the pilot modes;
* the flight-mode channel FLTMODE_CH selects FLTMODE1..6 by ArduPilot's PWM bands (<= 1230,
  1360, 1490, 1620, 1749, above), acting when the band changes.

Pure: no sockets; the vehicle passes messages and the wall time in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from longwing.mavlink.param_ardupilot import FLTMODE_DEFAULTS

N_CHANNELS = 18
UINT16_MAX = 65535
INT16_MAX = 32767
MODE_BANDS_US = (1230, 1360, 1490, 1620, 1749)  # ArduPilot's 6-position switch
PWM_MIN_US, PWM_MAX_US = 800, 2200  # outside this a channel value is no signal


ParamFn = Callable[[str, float], float]


def channel_defaults(ch: int) -> dict[str, float]:
    """RCn_MIN/MAX/TRIM/REVERSED/DZ defaults (ArduPilot's: 1100, 1900, 1500, 0, 0), for a
    parameter store without them."""
    return {f"RC{ch}_MIN": 1100, f"RC{ch}_MAX": 1900, f"RC{ch}_TRIM": 1500,
            f"RC{ch}_REVERSED": 0, f"RC{ch}_DZ": 0}  # fmt: skip


@dataclass
class Sticks:
    roll: float = 0.0  # [-1, 1], + right wing down
    pitch: float = 0.0  # [-1, 1], + nose up
    yaw: float = 0.0  # [-1, 1], + nose right
    throttle: float = 0.0  # [0, 1]


@dataclass
class RcInput:
    """The channels as the GCS last set them (see the module doc)."""

    pwm: list[int] = field(default_factory=lambda: [0] * N_CHANNELS)  # 0: no input
    set_wall: list[float] = field(default_factory=lambda: [-math.inf] * N_CHANNELS)
    mode_band: int | None = None  # the flight-mode switch's last band (0..5)

    def override(self, values: list[int], now: float) -> None:
        """RC_CHANNELS_OVERRIDE's chan1_raw..chan18_raw (MAVLink's keep/release rules)."""
        for i, v in enumerate(values[:N_CHANNELS]):
            low = i < 8
            if v == UINT16_MAX or (not low and v == 0):
                continue  # leave it
            if (low and v == 0) or (not low and v == UINT16_MAX - 1):
                self.pwm[i] = 0  # released: back to the (absent) receiver
                self.set_wall[i] = -math.inf
                continue
            if PWM_MIN_US <= v <= PWM_MAX_US:
                self.pwm[i] = int(v)
                self.set_wall[i] = now

    def manual_control(self, x: int, y: int, z: int, r: int, param: ParamFn, now: float) -> None:
        """MANUAL_CONTROL onto the mapped roll, pitch, throttle and yaw channels, over each
        channel's RCn_MIN..MAX as ArduPilot's ``manual_override``; INT16_MAX (or a value
        out of range) leaves a channel as it is."""

        def put(ch: int, value: int, offset: int, scaler: int, reverse: bool) -> None:
            if value == INT16_MAX or not 1 <= ch <= N_CHANNELS:
                return
            if reverse:
                value = -value
            if not 0 <= value + offset <= scaler:
                return
            lo, hi, _, _, _ = self._limits(ch, param)
            self.pwm[ch - 1] = round(lo + (hi - lo) * (value + offset) / scaler)
            self.set_wall[ch - 1] = now

        put(int(param("RCMAP_ROLL", 1)), y, 1000, 2000, False)
        put(int(param("RCMAP_PITCH", 2)), x, 1000, 2000, True)
        put(int(param("RCMAP_THROTTLE", 3)), z, 0, 1000, False)
        put(int(param("RCMAP_YAW", 4)), r, 1000, 2000, False)

    def expire(self, now: float, param: ParamFn) -> None:
        """Drop overrides older than RC_OVERRIDE_TIME (0 or less: they never expire)."""
        timeout = float(param("RC_OVERRIDE_TIME", 3.0))
        if timeout <= 0.0:
            return
        for i in range(N_CHANNELS):
            if self.pwm[i] and now - self.set_wall[i] > timeout:
                self.pwm[i] = 0
                self.set_wall[i] = -math.inf

    def has_sticks(self, param: ParamFn) -> bool:
        """Whether the roll, pitch and throttle channels all have input."""
        chans = (param("RCMAP_ROLL", 1), param("RCMAP_PITCH", 2), param("RCMAP_THROTTLE", 3))
        return all(1 <= int(c) <= N_CHANNELS and self.pwm[int(c) - 1] for c in chans)

    def sticks(self, param: ParamFn) -> Sticks:
        """The normalised sticks (centred, throttle closed where a channel has no input)."""
        return Sticks(
            roll=self._angle(int(param("RCMAP_ROLL", 1)), param),
            pitch=self._angle(int(param("RCMAP_PITCH", 2)), param),
            yaw=self._angle(int(param("RCMAP_YAW", 4)), param),
            throttle=self._range(int(param("RCMAP_THROTTLE", 3)), param),
        )

    def mode_switch(self, param: ParamFn) -> int | None:
        """The flight mode the switch asks for, once, when its band changes (None else)."""
        ch = int(param("FLTMODE_CH", 8))
        if not 1 <= ch <= N_CHANNELS or not self.pwm[ch - 1]:
            return None
        pwm = self.pwm[ch - 1]
        band = sum(pwm > b for b in MODE_BANDS_US)
        if band == self.mode_band:
            return None
        self.mode_band = band
        return int(param(f"FLTMODE{band + 1}", FLTMODE_DEFAULTS[band]))

    def _limits(self, ch: int, param: ParamFn) -> tuple[float, float, float, bool, float]:
        d = channel_defaults(ch)
        lo = float(param(f"RC{ch}_MIN", d[f"RC{ch}_MIN"]))
        hi = float(param(f"RC{ch}_MAX", d[f"RC{ch}_MAX"]))
        trim = float(param(f"RC{ch}_TRIM", d[f"RC{ch}_TRIM"]))
        rev = bool(param(f"RC{ch}_REVERSED", 0))
        dz = float(param(f"RC{ch}_DZ", 0))
        return lo, hi, min(max(trim, lo), hi), rev, dz

    def _angle(self, ch: int, param: ParamFn) -> float:
        if not 1 <= ch <= N_CHANNELS or not self.pwm[ch - 1]:
            return 0.0
        lo, hi, trim, rev, dz = self._limits(ch, param)
        pwm = float(self.pwm[ch - 1])
        if abs(pwm - trim) <= dz:
            return 0.0
        if pwm >= trim:
            v = (pwm - trim) / (hi - trim) if hi > trim else 0.0
        else:
            v = (pwm - trim) / (trim - lo) if trim > lo else 0.0
        v = min(max(v, -1.0), 1.0)
        return -v if rev else v

    def _range(self, ch: int, param: ParamFn) -> float:
        if not 1 <= ch <= N_CHANNELS or not self.pwm[ch - 1]:
            return 0.0
        lo, hi, _, rev, _ = self._limits(ch, param)
        v = (self.pwm[ch - 1] - lo) / (hi - lo) if hi > lo else 0.0
        v = min(max(v, 0.0), 1.0)
        return 1.0 - v if rev else v


@dataclass
class RcFailsafe:
    """ArduPlane's RC (throttle) failsafe in the pilot modes: sticks lost for
    FS_SHORT_TIMEOUT -> CIRCLE (FS_SHORT_ACTN 0 or 1), for FS_LONG_TIMEOUT -> RTL; sticks
    back during the short failsafe -> the mode flown before. Timed in sim time. In the
    autopilot's own modes (AUTO, GUIDED, RTL, LOITER, ...) RC loss changes nothing, as
    ArduPlane with FS_SHORT_ACTN 0 and FS_LONG_ACTN 0."""

    lost_t_s: float | None = None
    stage: int = 0  # 0 none, 1 short, 2 long
    mode_before: int | None = None

    def reset(self) -> None:
        """A mode chosen by the operator: the failsafe starts over."""
        self.lost_t_s = None
        self.stage = 0
        self.mode_before = None

    def update(self, applies: bool, sticks: bool, t_s: float, short_s: float, long_s: float,
               mode: int = -1) -> tuple[str, int | None, str] | None:  # fmt: skip
        """(kind "short"/"long"/"off", the mode to switch to or None, text) when something
        happens; ``applies``: in a pilot mode (or in the failsafe's own CIRCLE) with
        THR_FAILSAFE on."""
        if sticks:
            if self.lost_t_s is None:
                return None
            stage, before = self.stage, self.mode_before
            self.reset()
            if stage == 1:
                return "off", before, "Failsafe. Short event off: RC back"
            return ("off", None, "Failsafe. Long event off: RC back") if stage else None
        if not applies and self.stage == 0:
            self.lost_t_s = None
            return None
        if self.lost_t_s is None:
            self.lost_t_s = t_s
        lost = t_s - self.lost_t_s
        if self.stage < 2 and lost >= long_s:
            self.stage = 2
            return "long", 11, f"Failsafe. Long event on: RC lost {lost:.1f} s: RTL"
        if self.stage < 1 and lost >= short_s:
            self.stage = 1
            self.mode_before = mode
            return "short", 1, f"Failsafe. Short event on: RC lost {lost:.1f} s: CIRCLE"
        return None
