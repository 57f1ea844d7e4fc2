"""NAV_CONTROLLER_OUTPUT from `longwing sitl` as ArduPlane fills it (issue 14, item 9): the
distance and bearing to the waypoint being flown, checked with geographiclib from the
GLOBAL_POSITION_INT the vehicle sends next to it and the mission's own item positions."""

from __future__ import annotations

from pathlib import Path

from geographiclib.geodesic import Geodesic
from pymavlink.dialects.v20 import ardupilotmega as M
from sitl_gcs import command, port_base, recv, sitl_gcs

from longwing.mission import load_mission

PLAN = Path(__file__).resolve().parents[1] / "examples" / "short_survey.plan"


def test_wp_dist_and_bearings_are_to_the_current_waypoint(tmp_path):
    mission = load_mission(PLAN)
    with sitl_gcs(tmp_path / "sitl", port_base(33000), "--mission", str(PLAN), "--speedup",
                  "5", "--duration-s", "3000") as (conn, _):  # fmt: skip
        assert command(conn, M.MAV_CMD_DO_SET_MODE, M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                       10).result == M.MAV_RESULT_ACCEPTED  # fmt: skip
        assert command(conn, M.MAV_CMD_COMPONENT_ARM_DISARM, 1).result == M.MAV_RESULT_ACCEPTED
        checked = 0
        dists = []
        while checked < 8:
            cur = recv(conn, "MISSION_CURRENT", 60, lambda m: m.seq >= 2)
            assert cur is not None
            item = mission.items[cur.seq - 1]
            if not item.has_position or item.command != 16:  # NAV_WAYPOINT legs only
                continue
            nav = recv(conn, "NAV_CONTROLLER_OUTPUT", 5)
            pos = recv(conn, "GLOBAL_POSITION_INT", 5)
            cur2 = recv(conn, "MISSION_CURRENT", 5)
            if nav is None or pos is None or cur2 is None or cur2.seq != cur.seq:
                continue
            inv = Geodesic.WGS84.Inverse(pos.lat * 1e-7, pos.lon * 1e-7, item.lat_deg,
                                         item.lon_deg)  # fmt: skip
            # the two messages are up to ~0.2 s of wall time (1 s of flight at 5x) apart
            assert abs(nav.wp_dist - inv["s12"]) < 40.0 + 0.02 * inv["s12"], (nav, inv)
            if inv["s12"] > 300.0:  # the bearing is meaningful away from the point
                diff = (nav.target_bearing - inv["azi1"] + 180.0) % 360.0 - 180.0
                assert abs(diff) < 5.0, (nav.target_bearing, inv["azi1"])
            assert nav.nav_bearing == nav.target_bearing
            dists.append(nav.wp_dist)
            checked += 1
        assert max(dists) > 200  # not the old constant 0
