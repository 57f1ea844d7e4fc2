"""Speed of `longwing sitl` with a ground station attached (issue "MAVLink SITL", part 9).

(a) The highest stable ``--speedup``: ``longwing sitl --mission examples/short_survey.plan``
runs as a subprocess at each requested speed-up while a pymavlink GCS on UDP (QGroundControl's
side) sends its HEARTBEAT at 1 Hz and reads everything the vehicle sends (telemetry at the
standard rates). The GCS arms in AUTO; once the flight is stepping (the first slices load the
compiled kernels), the achieved speed-up is sim time over wall time across a fixed wall
window: sim time from the ``time_boot_ms`` of ATTITUDE / GLOBAL_POSITION_INT, wall time from
their arrival. The window ends early when the flight does (short_survey is 738 s of sim
time: under 1 s of wall time at 1000x). Stable: achieved >= 95 % of requested.

(b) Mission transfer over loopback UDP: a pymavlink GCS uploads a 700-item mission
(MISSION_COUNT, a MISSION_ITEM_INT for each MISSION_REQUEST_INT, until the MISSION_ACK) and
downloads it back (MISSION_REQUEST_LIST, MISSION_COUNT, a MISSION_REQUEST_INT per item, the
final MISSION_ACK); wall times, best and median of ``--repeats``, the download checked
against the upload.

    .venv/bin/python benchmarks/bench_sitl.py [--speedups 10,50,100,200,500,1000]
        [--window 5] [--items 700] [--repeats 3] [--only speedup|transfer] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("MAVLINK20", "1")

from pymavlink import mavutil  # noqa: E402
from pymavlink.dialects.v20 import ardupilotmega as M  # noqa: E402

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
STABLE = 0.95  # achieved / requested
HOME = (47.63, -52.93, 60.0)  # longwing sitl's default home


def _free_ports() -> tuple[int, int, int]:
    """Two free UDP ports (GCS, MAVSDK) and a free TCP port."""
    socks = [socket.socket(socket.AF_INET, t) for t in
             (socket.SOCK_DGRAM, socket.SOCK_DGRAM, socket.SOCK_STREAM)]  # fmt: skip
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = tuple(s.getsockname()[1] for s in socks)
    for s in socks:
        s.close()
    return ports  # type: ignore[return-value]


@contextmanager
def sitl(speedup: float, mission: Path | None = None):
    """``longwing sitl`` in a subprocess and a pymavlink GCS on its GCS port (sysid 255)."""
    gcs, mavsdk, tcp = _free_ports()
    with tempfile.TemporaryDirectory() as out:
        conn = mavutil.mavlink_connection(
            f"udpin:127.0.0.1:{gcs}", source_system=255, source_component=190
        )
        args = [sys.executable, "-m", "longwing.cli", "sitl", "--speedup", f"{speedup:g}",
                "--gcs", f"127.0.0.1:{gcs}", "--mavsdk", f"127.0.0.1:{mavsdk}",
                "--tcp-port", str(tcp), "--out", out, "--duration-s", "1e7"]  # fmt: skip
        if mission is not None:
            args += ["--mission", str(mission)]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            if conn.wait_heartbeat(timeout=60) is None:
                proc.kill()
                raise RuntimeError("no heartbeat from longwing sitl: " + proc.stderr.read()[-2000:])
            yield conn
        finally:
            proc.kill()
            proc.wait(timeout=10)
            conn.close()


def _gcs_heartbeat(conn) -> None:
    conn.mav.heartbeat_send(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0)


def _command(conn, cmd: int, *params: float) -> int:
    p = list(params) + [0.0] * (7 - len(params))
    conn.mav.command_long_send(1, 1, cmd, 0, *p)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        m = conn.recv_match(type="COMMAND_ACK", blocking=True, timeout=0.5)
        if m is not None and m.command == cmd:
            return m.result
    raise RuntimeError(f"no COMMAND_ACK for command {cmd}")


# --- (a) speed-up -----------------------------------------------------------------------------


def bench_speedup(speedup: float, window_s: float) -> dict:
    """Achieved sim/wall speed-up at ``speedup`` while flying short_survey with a GCS.

    The window opens once the flight steps and the loop has caught up with its schedule:
    the first slices of a flight load the compiled kernels (a stall of about a second), after
    which the lockstep loop runs flat out until sim time is back on ``speedup`` x wall time.
    """
    with sitl(speedup, EXAMPLES / "short_survey.plan") as conn:
        _gcs_heartbeat(conn)
        mode = _command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 10)
        arm = _command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        if (mode, arm) != (M.MAV_RESULT_ACCEPTED, M.MAV_RESULT_ACCEPTED):
            raise RuntimeError(f"AUTO / arm refused: {mode}, {arm}")
        launched = time.monotonic()
        next_hb = 0.0
        seen: list[tuple[float, int]] = []  # (wall, time_boot_ms) since the launch
        counts: dict[str, int] = {}
        ended = False
        first_step = start = end = math.inf
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_hb:
                _gcs_heartbeat(conn)
                next_hb = now + 1.0
            if now - launched > 60.0 and start == math.inf:
                raise RuntimeError("the flight never got going")
            m = conn.recv_match(blocking=True, timeout=0.05)
            if m is None or m.get_type() == "BAD_DATA" or m.get_srcSystem() != 1:
                continue
            now = time.monotonic()
            t = m.get_type()
            if t == "STATUSTEXT" and "flight ended" in m.text:
                ended = True
                break
            if start <= now:
                counts[t] = counts.get(t, 0) + 1
            if t not in ("ATTITUDE", "GLOBAL_POSITION_INT"):
                continue
            if first_step == math.inf:
                first_step = now  # the first telemetry after the launch slice
            seen.append((now, m.time_boot_ms))
            if start == math.inf:
                back = [w for w in seen if now - w[0] >= 0.5]
                if back and seen[-1][1] - seen[0][1] >= 1000:
                    w0, tb0 = back[-1]
                    recent = (m.time_boot_ms - tb0) / 1000.0 / (now - w0)
                    if recent <= 1.01 * speedup or now - first_step > 5.0:
                        start, end = now, now + window_s
                        catch_up = now - first_step
                        seen = [seen[-1]]
    if len(seen) < 2:
        raise RuntimeError("the flight ended before the window opened")
    (w0, s0), (w1, s1) = seen[0], seen[-1]
    wall, sim = w1 - w0, (s1 - s0) / 1000.0
    achieved = sim / wall
    return {
        "requested": speedup, "achieved": achieved, "ratio": achieved / speedup,
        "stable": achieved >= STABLE * speedup, "wall_s": wall, "sim_s": sim,
        "flight_ended": ended, "launch_stall_s": first_step - launched,
        "settle_s": catch_up, "rx_msgs_per_s": sum(counts.values()) / wall,
        "attitude_hz": counts.get("ATTITUDE", 0) / wall,
        "heartbeat_hz": counts.get("HEARTBEAT", 0) / wall,
    }  # fmt: skip


# --- (b) mission transfer ---------------------------------------------------------------------


def survey_items(n: int) -> list[tuple]:
    """``n`` MAVLink items (frame, command, p1-p4, x, y, z; x/y degE7 in global frames): home,
    a take-off, a lawn-mower of waypoints 75 m apart in a box north of home, RTL."""
    lat0, lon0, alt0 = HOME
    m_lat = 1.0 / 111_200.0
    m_lon = m_lat / math.cos(math.radians(lat0))
    items = [(M.MAV_FRAME_GLOBAL, M.MAV_CMD_NAV_WAYPOINT, 0, 0, 0, 0, lat0, lon0, alt0),
             (M.MAV_FRAME_GLOBAL_RELATIVE_ALT, M.MAV_CMD_NAV_TAKEOFF, 12, 0, 0, 0,
              lat0 + 300 * m_lat, lon0, 80.0)]  # fmt: skip
    cols = 27
    for k in range(n - 3):
        row, col = divmod(k, cols)
        col = col if row % 2 == 0 else cols - 1 - col
        items.append((M.MAV_FRAME_GLOBAL_RELATIVE_ALT, M.MAV_CMD_NAV_WAYPOINT, 0, 0, 0, 0,
                      lat0 + (500 + 75 * row) * m_lat, lon0 + (75 * col - 1000) * m_lon,
                      120.0))  # fmt: skip
    items.append((M.MAV_FRAME_MISSION, M.MAV_CMD_NAV_RETURN_TO_LAUNCH, 0, 0, 0, 0, 0, 0, 0))
    return [(*it[:6], round(it[6] * 1e7), round(it[7] * 1e7), it[8]) for it in items]


def _upload(conn, items: list[tuple]) -> float:
    t0 = time.perf_counter()
    conn.mav.mission_count_send(1, 1, len(items), M.MAV_MISSION_TYPE_MISSION)
    while True:
        m = conn.recv_match(type=["MISSION_REQUEST_INT", "MISSION_REQUEST", "MISSION_ACK"],
                            blocking=True, timeout=10)  # fmt: skip
        if m is None:
            raise RuntimeError("upload stalled")
        if m.get_type() == "MISSION_ACK":
            if m.type != M.MAV_MISSION_ACCEPTED:
                raise RuntimeError(f"mission refused: MISSION_ACK {m.type}")
            return time.perf_counter() - t0
        frame, cmd, p1, p2, p3, p4, x, y, z = items[m.seq]
        conn.mav.mission_item_int_send(1, 1, m.seq, frame, cmd, 0, 1, p1, p2, p3, p4, x, y, z,
                                       M.MAV_MISSION_TYPE_MISSION)  # fmt: skip


def _download(conn) -> tuple[float, list]:
    t0 = time.perf_counter()
    conn.mav.mission_request_list_send(1, 1, M.MAV_MISSION_TYPE_MISSION)
    cnt = conn.recv_match(type="MISSION_COUNT", blocking=True, timeout=10)
    if cnt is None:
        raise RuntimeError("no MISSION_COUNT")
    got = []
    for seq in range(cnt.count):
        conn.mav.mission_request_int_send(1, 1, seq, M.MAV_MISSION_TYPE_MISSION)
        while True:
            m = conn.recv_match(type="MISSION_ITEM_INT", blocking=True, timeout=10)
            if m is None:
                raise RuntimeError(f"no MISSION_ITEM_INT {seq}")
            if m.seq == seq:
                break
        got.append(m)
    conn.mav.mission_ack_send(1, 1, M.MAV_MISSION_ACCEPTED, M.MAV_MISSION_TYPE_MISSION)
    return time.perf_counter() - t0, got


def bench_transfer(n_items: int, repeats: int, speedup: float) -> dict:
    items = survey_items(n_items)
    ups, downs, mismatches = [], [], 0
    with sitl(speedup) as conn:
        _gcs_heartbeat(conn)
        for _ in range(repeats):
            ups.append(_upload(conn, items))
            down, got = _download(conn)
            downs.append(down)
            mismatches += len(got) != len(items) or any(
                (m.frame, m.command, m.x, m.y) != (it[0], it[1], it[6], it[7])
                or abs(m.z - it[8]) > 1e-3
                for m, it in zip(got, items, strict=False)
            )
    return {
        "items": n_items, "speedup": speedup, "upload_s": ups, "download_s": downs,
        "upload_s_best": min(ups), "upload_s_median": statistics.median(ups),
        "download_s_best": min(downs), "download_s_median": statistics.median(downs),
        "upload_items_per_s": n_items / min(ups), "download_items_per_s": n_items / min(downs),
        "downloads_differing": mismatches,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speedups", default="10,50,100,200,500,1000",
                    help="requested speed-ups, comma-separated")  # fmt: skip
    ap.add_argument("--window", type=float, default=5.0, help="wall seconds measured per speed-up")
    ap.add_argument("--items", type=int, default=700, help="mission items to transfer")
    ap.add_argument("--repeats", type=int, default=3, help="uploads + downloads")
    ap.add_argument("--transfer-speedup", type=float, default=1.0,
                    help="the vehicle's --speedup during the transfers")  # fmt: skip
    ap.add_argument("--only", choices=("speedup", "transfer"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out: dict = {"cpus": os.cpu_count()}
    if args.only != "transfer":
        rows = [bench_speedup(float(s), args.window) for s in args.speedups.split(",")]
        stable = [r["requested"] for r in rows if r["stable"]]
        out["speedup"] = {"window_s": args.window, "stable_ratio": STABLE, "rows": rows,
                          "max_stable": max(stable) if stable else None}  # fmt: skip
    if args.only != "speedup":
        out["transfer"] = bench_transfer(args.items, args.repeats, args.transfer_speedup)
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    if "speedup" in out:
        sp = out["speedup"]
        print(
            f"longwing sitl flying short_survey.plan, pymavlink GCS on UDP (heartbeat 1 Hz, "
            f"reading everything), {args.window:g} s wall windows, {out['cpus']} CPUs:"
        )
        print(" requested  achieved  ratio  stable   sim s  wall s  GCS rx msg/s  ATTITUDE Hz"
              "  launch stall s  settle s")  # fmt: skip
        for r in sp["rows"]:
            note = "  (window cut: flight ended)" if r["flight_ended"] else ""
            print(f" {r['requested']:9g} {r['achieved']:9.1f} {r['ratio']:6.2f}  "
                  f"{'yes' if r['stable'] else 'no':>6} {r['sim_s']:7.1f} {r['wall_s']:7.2f} "
                  f"{r['rx_msgs_per_s']:13.1f} {r['attitude_hz']:12.1f} "
                  f"{r['launch_stall_s']:15.2f} {r['settle_s']:9.2f}{note}")  # fmt: skip
        best = sp["max_stable"]
        ceiling = max(r["achieved"] for r in sp["rows"])
        best_s = "none" if best is None else f"{best:g}x"
        print(
            f"max stable speed-up (achieved >= {STABLE:.0%} of requested): {best_s}; "
            f"fastest achieved {ceiling:.0f}x"
        )
    if "transfer" in out:
        tr = out["transfer"]
        print(f"mission transfer over loopback UDP, {tr['items']} items, vehicle at "
              f"{tr['speedup']:g}x, best / median of {len(tr['upload_s'])}:")  # fmt: skip
        print(f"  upload   {tr['upload_s_best']:.2f} / {tr['upload_s_median']:.2f} s "
              f"({tr['upload_items_per_s']:,.0f} items/s)")  # fmt: skip
        print(f"  download {tr['download_s_best']:.2f} / {tr['download_s_median']:.2f} s "
              f"({tr['download_items_per_s']:,.0f} items/s); downloads differing from the "
              f"upload: {tr['downloads_differing']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
