"""Real ground-station software that nobody here wrote flies `longwing sitl` as it flies
ArduPlane SITL (issue 14, item 12):

* MAVProxy (pip ``MAVProxy``, pinned), scripted through its stdin as a user types: it
  fetches the parameters by MAVFTP, ``param set``/``param fetch``, ``wp load`` of a QGC WPL
  file and ``wp list``, ``fence list``/``rally list``, ``arm throttle``, ``mode AUTO``,
  ``mode FBWA`` with ``rc 1 1700``, ``guided LAT LON ALT`` (relative to home), ``mode
  RTL``, until the aircraft has landed and disarmed; its console output is asserted;
* dronekit (``dronekit2``) connects and finds the vehicle armable (a GPS fix, the EKF's
  horizontal-position flag, not initialising) and reads its parameters and mode.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sitl_gcs import port_base

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLAN = EXAMPLES / "short_survey.plan"
WPL = EXAMPLES / "short_survey.waypoints"
MAVPROXY = Path(sys.executable).with_name("mavproxy.py")


class Console:
    """A process whose stdout is read line by line in a thread; ``expect`` waits for a
    line matching a pattern (after the ones already matched)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(args, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)  # fmt: skip
        self.lines: list[str] = []
        self.pos = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def send(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout_s: float) -> re.Match:
        rx = re.compile(pattern)
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            while self.pos < len(self.lines):
                m = rx.search(self.lines[self.pos])
                self.pos += 1
                if m:
                    return m
            time.sleep(0.05)
        tail = "\n".join(self.lines[-40:])
        raise AssertionError(f"no line matching {pattern!r} in {timeout_s} s; last lines:\n{tail}")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


def _sitl(tmp_path: Path, base: int, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "longwing.cli", "sitl", *args, "--gcs", f"127.0.0.1:{base}",
         "--mavsdk", f"127.0.0.1:{base + 1}", "--tcp-port", str(base + 2),
         "--out", str(tmp_path / "sitl")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_mavproxy_session_flies_the_vehicle(tmp_path):
    base = port_base(37000)
    sitl = _sitl(tmp_path, base, "--mission", str(PLAN), "--speedup", "10")
    mp = None
    try:
        time.sleep(1.0)
        mp = Console([sys.executable, str(MAVPROXY), f"--master=tcp:127.0.0.1:{base + 2}",
                      "--nowait"], tmp_path)  # fmt: skip
        mp.expect(r"Detected vehicle 1:1", 150)
        n = int(mp.expect(r"Received (\d+) parameters \(ftp\)", 60).group(1))
        assert n > 300  # MAVFTP's param.pck, not the ~11 s PARAM_VALUE fallback
        mp.send("param set WP_RADIUS 70")
        time.sleep(2.0)  # MAVProxy sets from a queue of its own: let it go out first
        mp.send("param fetch WP_RADIUS")
        mp.expect(r"WP_RADIUS = 70\.0", 20)
        mp.send(f"wp load {WPL}")
        mp.expect(r"Sent all 20 waypoints|Loaded 20 waypoints", 30)
        mp.send("wp list")
        mp.expect(r"Saved 20 waypoints|Requesting 20 waypoints", 30)
        mp.send("fence list")
        mp.expect(r"fence|Fence", 20)
        mp.send("rally list")
        mp.expect(r"[Rr]ally", 20)
        mp.send("arm throttle")
        mp.expect(r"ARMED", 30)
        mp.send("mode AUTO")
        mp.expect(r"AP: launch: catapult", 30)
        mp.expect(r"AP: Reached waypoint #3 dist \d+m", 120)
        for cmd in ("rc 1 1700", "rc 2 1530", "rc 3 1500", "mode FBWA"):
            mp.send(cmd)
        mp.expect(r"^FBWA> |Mode FBWA", 30)
        time.sleep(2.0)
        mp.send("mode GUIDED")
        mp.send("guided 47.615 -52.94 120")  # 120 m above home (60 m AMSL): 180 m AMSL
        mp.expect(r"AP: guided: to 47\.615000, -52\.940000, 180 m", 30)
        time.sleep(2.0)
        mp.send("mode RTL")
        mp.expect(r"AP: flight ended: landed", 240)
        mp.expect(r"DISARMED", 30)
        assert not any("fence breach" in ln for ln in mp.lines)  # no fence, no breach
    finally:
        if mp is not None:
            mp.close()
        sitl.kill()
        sitl.wait(timeout=10)


def test_dronekit_finds_the_vehicle_armable(tmp_path):
    dronekit = pytest.importorskip("dronekit")
    base = port_base(37000) + 10
    sitl = _sitl(tmp_path, base, "--mission", str(PLAN), "--speedup", "1")
    try:
        time.sleep(1.0)
        v = dronekit.connect(f"tcp:127.0.0.1:{base + 2}", wait_ready=True, timeout=150,
                             heartbeat_timeout=150)  # fmt: skip
        try:
            v.wait_for_armable(timeout=30)
            assert v.is_armable
            assert v.mode.name == "MANUAL" and not v.armed
            assert v.gps_0.fix_type == 3
            assert v.parameters["WP_RADIUS"] == pytest.approx(60.0)
            assert abs(v.location.global_frame.lat - 47.63) < 1e-4
        finally:
            v.close()
    finally:
        sitl.kill()
        sitl.wait(timeout=10)
