"""The vehicle's auxiliary outputs a ground station commands: servo outputs with no
autopilot function (DO_SET_SERVO, DO_REPEAT_SERVO), relays (DO_SET_RELAY) and timed camera
capture (IMAGE_START_CAPTURE). Timed sequences run on the simulation's time.

Pure state: the vehicle reads it for SERVO_OUTPUT_RAW / RELAY_STATUS and asks
:meth:`Outputs.tick` which photos are due.
"""

from __future__ import annotations

from dataclasses import dataclass, field

N_SERVOS = 16
N_RELAYS = 6


@dataclass
class ServoRepeat:
    channel: int  # 1-based
    pwm: int
    toggles_left: int  # half-periods still to run
    half_period_s: float
    next_t_s: float
    trim: int


@dataclass
class Capture:
    interval_s: float
    left: int  # photos still to take; -1: until stopped
    next_t_s: float


@dataclass
class Outputs:
    servo_pwm: list[int] = field(default_factory=lambda: [0] * N_SERVOS)  # 0: no pulses
    relays: list[int] = field(default_factory=lambda: [0] * N_RELAYS)
    repeat: ServoRepeat | None = None
    capture: Capture | None = None

    def start_repeat(self, channel: int, pwm: int, count: int, period_s: float, t_s: float,
                     trim: int = 1500) -> None:  # fmt: skip
        """``count`` cycles of ``pwm`` for half the period, then the trim for the other
        half (ArduPilot's DO_REPEAT_SERVO)."""
        self.servo_pwm[channel - 1] = pwm
        self.repeat = ServoRepeat(channel, pwm, 2 * count - 1, period_s / 2.0,
                                  t_s + period_s / 2.0, trim)  # fmt: skip

    def start_capture(self, interval_s: float, total: int, t_s: float) -> None:
        self.capture = Capture(interval_s, total if total > 0 else -1, t_s)

    def tick(self, t_s: float) -> int:
        """Advance the timed sequences to ``t_s``; the number of photos due now."""
        r = self.repeat
        while r is not None and t_s >= r.next_t_s:
            ch = r.channel - 1
            self.servo_pwm[ch] = r.trim if self.servo_pwm[ch] == r.pwm else r.pwm
            r.toggles_left -= 1
            r.next_t_s += r.half_period_s
            if r.toggles_left <= 0:
                self.repeat = r = None
        photos = 0
        c = self.capture
        while c is not None and t_s >= c.next_t_s:
            photos += 1
            c.next_t_s += c.interval_s
            if c.left > 0:
                c.left -= 1
                if c.left == 0:
                    self.capture = c = None
            if c is not None and c.interval_s <= 0.0:
                self.capture = c = None
        return photos
