"""GeoPoint: the one lat/lon/alt record, and the names the mission modules give it."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from longwing.geo.point import GeoPoint
from longwing.mission.fence import BreachReturnPoint, Fence, RallyPoint
from longwing.mission.items import MavFrame
from longwing.mission.manager import Position
from longwing.mission.model import Home


def test_fields_are_python_floats():
    p = GeoPoint(np.float64(47.5), np.float32(-52.25), 60)
    assert (p.lat_deg, p.lon_deg, p.alt_m) == (47.5, -52.25, 60.0)
    assert all(type(v) is float for v in (p.lat_deg, p.lon_deg, p.alt_m))
    assert repr(p) == "GeoPoint(lat_deg=47.5, lon_deg=-52.25, alt_m=60.0)"


def test_frozen_hashable_and_equal_by_value():
    p = GeoPoint(1.0, 2.0, 3.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.alt_m = 4.0  # type: ignore[misc]
    q = GeoPoint(np.float64(1.0), 2, 3.0)
    assert p == q and hash(p) == hash(q)
    assert len({p, q, GeoPoint(1.0, 2.0, 3.5)}) == 2
    assert dataclasses.replace(p, alt_m=4.0) == GeoPoint(1.0, 2.0, 4.0)
    assert pickle.loads(pickle.dumps(p)) == p


def test_nan_kept_for_later_validation():
    # no range checks in the point itself: a file reader reports bad values with context
    p = GeoPoint(float("nan"), 200.0, float("inf"))
    assert np.isnan(p.lat_deg) and p.lon_deg == 200.0 and p.alt_m == float("inf")


def test_mission_names_are_the_one_type():
    # home (AMSL), breach return (above home) and the manager's positions (AMSL) are one type
    assert Home is GeoPoint and BreachReturnPoint is GeoPoint and Position is GeoPoint
    assert Home(1, 2, 3) == Position(1.0, 2.0, 3.0)
    fence = Fence(breach_return=BreachReturnPoint(47.0, -52.0, 100))
    assert fence.breach_return == GeoPoint(47.0, -52.0, 100.0)


def test_rally_point_is_a_geopoint_with_a_frame():
    rp = RallyPoint(47.0, -52.0, np.float64(120.0))
    assert isinstance(rp, GeoPoint)
    assert rp.frame == MavFrame.GLOBAL_RELATIVE_ALT and type(rp.frame) is int
    assert type(rp.alt_m) is float
    amsl = RallyPoint(47.0, -52.0, 120.0, MavFrame.GLOBAL)
    assert amsl != rp and amsl.frame == 0
    # a rally point is not equal to the bare point (its frame says what alt_m means)
    assert rp != GeoPoint(47.0, -52.0, 120.0)
    assert rp.problem() is None
    assert "not a global frame" in RallyPoint(47.0, -52.0, 1.0, MavFrame.MISSION).problem()
    assert "latitude" in RallyPoint(95.0, -52.0, 1.0).problem()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rp.frame = 0  # type: ignore[misc]
