"""``.plan`` files shaped exactly as QGroundControl saves them, built by following QGC's
JSON writers (mavlink/qgroundcontrol ``src/MissionManager``): ``MissionController`` (the
file), ``SimpleMissionItem`` / ``MissionItem::save`` (simple items, also inside complex
items), ``SurveyComplexItem::_saveCommon`` (version 5), ``CorridorScanComplexItem::save``
(version 2), ``TransectStyleComplexItem::_save`` (version 2, its ``Items`` built as
``_buildAndAppendMissionItems`` builds them for a fixed wing: camera triggering with images
in the turnarounds, no hover-and-capture, no CONDITION_GATE), ``CameraCalc::save`` (manual
camera), ``FixedWingLandingComplexItem::save`` (version 2) with ``LandingComplexItem::_save``.

Every builder returns the JSON object and the mission items QGC uploads for it, as
``(command, frame, (param1..param7))`` tuples (NaN for QGC's NaN)."""

from __future__ import annotations

import math

import numpy as np
from geographiclib.geodesic import Geodesic

NAN = math.nan
WGS84 = Geodesic.WGS84
# coordinate types of TransectStyleComplexItem::CoordType
INTERIOR, ENTRY, EXIT, TURNAROUND = "interior", "entry", "exit", "turnaround"


def f32(x: float) -> float:
    return float(np.float32(x))


def _json(x: float) -> float | int | None:
    """A number as Qt writes it: NaN -> null, integral doubles as integers."""
    if math.isnan(x):
        return None
    return int(x) if float(x).is_integer() else x


def point(lat: float, lon: float, dist_m: float, az_deg: float) -> tuple[float, float]:
    g = WGS84.Direct(lat, lon, az_deg, dist_m)
    return round(g["lat2"], 9), round(g["lon2"], 9)


def simple_json(seq: int, command: int, frame: int, params: tuple, alt_keys: bool) -> dict:
    """SimpleMissionItem::save: MissionItem::save plus, for items with a coordinate, the
    altitude display keys (AltitudeMode 1 = relative)."""
    obj = {
        "autoContinue": True,
        "command": command,
        "doJumpId": seq,
        "frame": frame,
        "params": [_json(p) for p in params],
        "type": "SimpleItem",
    }
    if alt_keys:
        obj.update({"AMSLAltAboveTerrain": None, "Altitude": _json(params[6]), "AltitudeMode": 1})
    return obj


def _item_json(seq: int, item: tuple) -> dict:
    """MissionItem::save (the items inside TransectStyleComplexItem.Items)."""
    command, frame, params = item
    return {
        "autoContinue": True,
        "command": command,
        "doJumpId": seq,
        "frame": frame,
        "params": [_json(p) for p in params],
        "type": "SimpleItem",
    }


def _transect_items(path: list[tuple[float, float, str]], alt_m: float, trigger_m: float) -> list:
    """TransectStyleComplexItem::_buildAndAppendMissionItems for relative altitudes, a
    camera trigger distance, images in the turnarounds, no hover and capture."""
    trig = f32(trigger_m)  # _appendCameraTriggerDistance takes a float

    def wp(lat, lon):
        return (16, 3, (0.0, 0.0, 0.0, NAN, lat, lon, alt_m))

    def cam(d):
        return (206, 2, (d, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0))

    out = []
    last = len(path) - 1
    for k, (lat, lon, kind) in enumerate(path):
        if kind == TURNAROUND and k in (0, last):  # addTriggerAtFirstAndLastPoint
            out += [wp(lat, lon), cam(trig if k == 0 else 0.0)]
        elif kind == ENTRY:  # a trigger start at every survey entry
            out += [wp(lat, lon), cam(trig)]
        else:  # interior, exit (images in turnaround), inner turnarounds
            out.append(wp(lat, lon))
    return out


def _transect_style(
    first_seq: int, path: list, alt_m: float, trigger_m: float, turnaround_m: float
) -> tuple[dict, list]:
    items = _transect_items(path, alt_m, trigger_m)
    camera_calc = {
        "AdjustedFootprintFrontal": trigger_m,
        "AdjustedFootprintSide": 60,
        "CameraName": "Manual (no camera specs)",
        "DistanceMode": 1,
        "DistanceToSurface": alt_m,
        "version": 2,
    }
    inner = {
        "CameraCalc": camera_calc,
        "CameraShots": 24,
        "CameraTriggerInTurnAround": True,
        "HoverAndCapture": False,
        "Items": [_item_json(first_seq + k, it) for k, it in enumerate(items)],
        "Refly90Degrees": False,
        "TurnAroundDistance": turnaround_m,
        "VisualTransectPoints": [[lat, lon] for lat, lon, _ in path],
        "version": 2,
    }
    return inner, items


def lawnmower(
    lat0: float,
    lon0: float,
    length_m: float,
    spacing_m: float,
    n: int,
    turnaround_m: float,
    az_deg: float = 90.0,
) -> list:
    """A survey's flight path: ``n`` transects ``length_m`` long, alternate directions, each
    with its turnaround extensions, entry and exit."""
    path = []
    for k in range(n):
        start = point(lat0, lon0, k * spacing_m, az_deg - 90.0)  # transects step to the left
        end = point(*start, length_m, az_deg)
        a, b, az = (start, end, az_deg) if k % 2 == 0 else (end, start, az_deg + 180.0)
        path += [
            (*point(*a, turnaround_m, az + 180.0), TURNAROUND),
            (*a, ENTRY),
            (*b, EXIT),
            (*point(*b, turnaround_m, az), TURNAROUND),
        ]
    return path


def survey(
    first_seq: int, path: list, alt_m: float, trigger_m: float = 25.3, turnaround_m: float = 50.0
) -> tuple[dict, list]:
    """SurveyComplexItem::_saveCommon (version 5) over ``path``."""
    inner, items = _transect_style(first_seq, path, alt_m, trigger_m, turnaround_m)
    corners = [(lat, lon) for lat, lon, kind in path if kind != TURNAROUND]
    obj = {
        "TransectStyleComplexItem": inner,
        "angle": 90,
        "complexItemType": "survey",
        "entryLocation": 0,
        "flyAlternateTransects": False,
        "polygon": [[lat, lon] for lat, lon in corners],
        "splitConcavePolygons": False,
        "type": "ComplexItem",
        "version": 5,
    }
    return obj, items


def corridor(
    first_seq: int,
    polyline: list,
    width_m: float,
    alt_m: float,
    trigger_m: float = 25.3,
    turnaround_m: float = 50.0,
) -> tuple[dict, list]:
    """CorridorScanComplexItem::save (version 2): two transects offset either side of the
    polyline (its interior vertices are interior points), flown out and back."""
    half = width_m / 4.0
    path = []
    for side, pts in ((90.0, polyline), (-90.0, polyline[::-1])):
        az0 = WGS84.Inverse(*pts[0], *pts[1])["azi1"]
        off = [point(*p, half, az0 + side) for p in pts]
        path.append((*point(*off[0], turnaround_m, az0 + 180.0), TURNAROUND))
        path.append((*off[0], ENTRY))
        path += [(*p, INTERIOR) for p in off[1:-1]]
        path.append((*off[-1], EXIT))
        az1 = WGS84.Inverse(*pts[-2], *pts[-1])["azi2"]
        path.append((*point(*off[-1], turnaround_m, az1), TURNAROUND))
    inner, items = _transect_style(first_seq, path, alt_m, trigger_m, turnaround_m)
    obj = {
        "CorridorWidth": width_m,
        "EntryPoint": 0,
        "TransectStyleComplexItem": inner,
        "complexItemType": "CorridorScan",
        "polyline": [[lat, lon] for lat, lon in polyline],
        "type": "ComplexItem",
        "version": 2,
    }
    return obj, items


def fw_landing(
    approach: tuple[float, float, float],
    land: tuple[float, float, float],
    radius_m: float = 75.0,
    clockwise: bool = True,
    relative: bool = True,
    loiter_to_alt: bool = True,
    change_speed: float | None = None,
    stop_photos: bool = False,
    stop_video: bool = False,
) -> tuple[dict, list]:
    """FixedWingLandingComplexItem::save (version 2) and the items
    LandingComplexItem::appendMissionItems generates for ArduPilot."""
    frame = 3 if relative else 0
    obj = {
        "altitudesAreRelative": relative,
        "complexItemType": "fwLandingPattern",
        "finalApproachSpeed": change_speed if change_speed is not None else 0,
        "landCoordinate": list(land),
        "landingApproachCoordinate": list(approach),
        "loiterClockwise": clockwise,
        "loiterRadius": radius_m,
        "stopTakingPhotos": stop_photos,
        "stopVideoPhotos": stop_video,
        "type": "ComplexItem",
        "useDoChangeSpeed": change_speed is not None,
        "useLoiterToAlt": loiter_to_alt,
        "valueSetIsDistance": False,
        "version": 2,
    }
    items = [(189, 2, (0.0,) * 7)]
    if change_speed is not None:
        items.append((178, 2, (0.0, float(int(change_speed)), -1.0, 0.0, 0.0, 0.0, 0.0)))
    if stop_photos:
        items += [(206, 2, (0.0,) * 7), (2001, 2, (0.0, NAN, NAN, NAN, NAN, NAN, NAN))]
    if stop_video:
        items.append((2501, 2, (0.0, NAN, NAN, NAN, NAN, NAN, NAN)))
    a_lat, a_lon, a_alt = approach
    if loiter_to_alt:
        signed = radius_m if clockwise else -radius_m
        items.append((31, frame, (1.0, signed, 0.0, 1.0, a_lat, a_lon, f32(a_alt))))
    else:
        items.append((16, frame, (0.0, 0.0, 0.0, NAN, a_lat, a_lon, f32(a_alt))))
    items.append((21, frame, (0.0, 0.0, 0.0, 0.0, *land)))
    return obj, items


def plan(home: tuple[float, float, float], items: list[dict]) -> dict:
    """The file MissionController / PlanMasterController saves (ArduPilot fixed wing)."""
    return {
        "fileType": "Plan",
        "geoFence": {"circles": [], "polygons": [], "version": 2},
        "groundStation": "QGroundControl",
        "mission": {
            "cruiseSpeed": 22,
            "firmwareType": 3,
            "globalPlanAltitudeMode": 1,
            "hoverSpeed": 5,
            "items": items,
            "plannedHomePosition": list(home),
            "vehicleType": 1,
            "version": 2,
        },
        "rallyPoints": {"points": [], "version": 2},
        "version": 1,
    }
