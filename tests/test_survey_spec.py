"""plan_survey's settings as one SurveySpec, and the keyword path kept for callers."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields, replace

import pytest

from longwing.geo.terrain_synthetic import ridge_terrain
from longwing.planning.area import SurveyArea
from longwing.planning.camera import Camera
from longwing.planning.survey import SurveyError, SurveySpec, plan_survey

RX100 = Camera(13.2, 8.8, 10.4, 5472, 3648)
AREA = SurveyArea.from_points([(47.60, -52.95), (47.60, -52.93), (47.61, -52.93),
                               (47.615, -52.94), (47.61, -52.95)])  # fmt: skip
RIDGE = ridge_terrain(47.605, -52.94, 20.0, 100.0, height_m=300.0, half_width_m=500.0)


def _same(a, b) -> bool:
    return all(repr(getattr(a, f.name)) == repr(getattr(b, f.name))
               for f in fields(a) if f.name != "projection")  # fmt: skip


@pytest.mark.parametrize("kw", [
    dict(turn_radius_m=150.0, alt_m=100.0, home=(47.595, -52.96, 60.0), cruise_airspeed_mps=25.0,
         finish="land"),
    dict(turn_radius_m=120.0, gsd_m=0.03, terrain=RIDGE, home=(47.595, -52.96), portrait=True,
         front_overlap=0.8, side_overlap=0.7, heading_deg=33.0, max_segment_m=400.0),
])  # fmt: skip
def test_spec_and_keywords_plan_the_same(kw):
    spec = SurveySpec(RX100, **kw)
    assert _same(plan_survey(AREA, spec), plan_survey(AREA, RX100, **kw))


def test_spec_is_frozen_and_checked_at_planning():
    spec = SurveySpec(RX100, turn_radius_m=60.0, alt_m=100.0)
    with pytest.raises(FrozenInstanceError):
        spec.alt_m = 50.0  # type: ignore[misc]
    with pytest.raises(SurveyError, match="finish"):
        plan_survey(AREA, replace(spec, finish="crash"))
    with pytest.raises(TypeError):
        plan_survey(AREA, spec, alt_m=80.0)  # settings in one place only
