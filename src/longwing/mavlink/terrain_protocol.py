"""ArduPlane's terrain protocol, the vehicle's side (https://mavlink.io/en/services/terrain.html):
the vehicle asks the ground station for terrain with TERRAIN_REQUEST, fills its terrain
database from TERRAIN_DATA, reports with TERRAIN_REPORT and answers TERRAIN_CHECK.

A *grid* is 8 x 7 blocks of 4 x 4 points (32 points east, 28 north) ``spacing`` metres apart
whose south-west point is the request's lat/lon. Block ``bit`` (0-55, row major) starts
``4 spacing (bit % 8)`` m east and ``4 spacing (bit // 8)`` m north of it; point ``i`` of a
block ``spacing (i % 4)`` m east and ``spacing (i // 4)`` m north of the block's start, offsets
taken on a sphere of radius 6,378,100 m as MAVProxy's terrain module and ArduPilot do
(:func:`offset_deg`). Grids are laid on a lattice from the whole degree south-west of a
point, so the same grid is asked for wherever the aircraft is inside it.

Heights are int16 m AMSL as the message carries them. Pure: messages are built with the
pymavlink encoder the vehicle passes in; no sockets.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_R_M = 6_378_100.0  # the radius ArduPilot's and MAVProxy's location offsets use
BLOCKS_E, BLOCKS_N, BLOCK_N = 8, 7, 4
POINTS_E, POINTS_N = BLOCKS_E * BLOCK_N, BLOCKS_N * BLOCK_N  # 32 x 28
ALL_BLOCKS = (1 << (BLOCKS_E * BLOCKS_N)) - 1


def offset_deg(lat_deg: float, lon_deg: float, east_m, north_m):
    """The point ``east_m``/``north_m`` from (lat, lon) on the sphere of :data:`EARTH_R_M`
    (the longitude step uses the starting latitude)."""
    lat2 = lat_deg + np.degrees(np.asarray(north_m) / EARTH_R_M)
    lon2 = lon_deg + np.degrees(np.asarray(east_m) / (EARTH_R_M * math.cos(math.radians(lat_deg))))
    return lat2, lon2


class TerrainDatabase:
    """The vehicle's terrain from a ground station: grids keyed by their south-west point
    (degE7), each with its 28 x 32 heights (NaN until received) and the blocks received."""

    def __init__(self, spacing_m: float = 100.0) -> None:
        self.spacing_m = float(spacing_m)
        self.grids: dict[tuple[int, int], tuple[np.ndarray, list[int]]] = {}

    def grid_key(self, lat_deg: float, lon_deg: float) -> tuple[int, int]:
        """The south-west point (degE7) of the grid holding (lat, lon) on the lattice."""
        lat0, lon0 = math.floor(lat_deg), math.floor(lon_deg)
        size_n = (POINTS_N - 1) * self.spacing_m  # grids overlap by one row/column of points
        size_e = (POINTS_E - 1) * self.spacing_m
        north = math.radians(lat_deg - lat0) * EARTH_R_M
        east = math.radians(lon_deg - lon0) * EARTH_R_M * math.cos(math.radians(lat0))
        la, lo = offset_deg(lat0, lon0, math.floor(east / size_e) * size_e,
                            math.floor(north / size_n) * size_n)  # fmt: skip
        return round(float(la) * 1e7), round(float(lo) * 1e7)

    def want(self, lat_deg: float, lon_deg: float) -> tuple[int, int]:
        """Register the grid under (lat, lon) as needed; its key."""
        key = self.grid_key(lat_deg, lon_deg)
        if key not in self.grids:
            self.grids[key] = (np.full((POINTS_N, POINTS_E), np.nan), [0])
        return key

    def missing(self) -> tuple[tuple[int, int], int] | None:
        """The first needed grid with blocks not yet received, and their mask."""
        for key, (_, got) in self.grids.items():
            if got[0] != ALL_BLOCKS:
                return key, ALL_BLOCKS & ~got[0]
        return None

    def accept(self, lat_e7: int, lon_e7: int, spacing_m: int, bit: int, data) -> bool:
        """Store one TERRAIN_DATA block; False if it answers no request of ours."""
        grid = self.grids.get((int(lat_e7), int(lon_e7)))
        if grid is None or int(spacing_m) != round(self.spacing_m) or not 0 <= bit < 56:
            return False
        heights, got = grid
        r0, c0 = BLOCK_N * (bit // BLOCKS_E), BLOCK_N * (bit % BLOCKS_E)
        block = np.asarray(data, float).reshape(BLOCK_N, BLOCK_N)  # [north][east]
        heights[r0 : r0 + BLOCK_N, c0 : c0 + BLOCK_N] = block
        got[0] |= 1 << bit
        return True

    def counts(self) -> tuple[int, int]:
        """(blocks pending, blocks loaded) over the needed grids."""
        loaded = sum(bin(got[0]).count("1") for _, got in self.grids.values())
        return len(self.grids) * BLOCKS_E * BLOCKS_N - loaded, loaded

    def height_m(self, lat_deg: float, lon_deg: float) -> float:
        """Terrain AMSL (m) at a point, bilinear in the grid's points; NaN without data."""
        key = self.grid_key(lat_deg, lon_deg)
        grid = self.grids.get(key)
        if grid is None:
            return math.nan
        heights = grid[0]
        la0, lo0 = key[0] * 1e-7, key[1] * 1e-7
        north = math.radians(lat_deg - la0) * EARTH_R_M / self.spacing_m
        east = (math.radians(lon_deg - lo0) * EARTH_R_M * math.cos(math.radians(la0))
                / self.spacing_m)  # fmt: skip
        i = min(max(int(math.floor(north)), 0), POINTS_N - 2)
        j = min(max(int(math.floor(east)), 0), POINTS_E - 2)
        fn = min(max(north - i, 0.0), 1.0)
        fe = min(max(east - j, 0.0), 1.0)
        h = heights[i : i + 2, j : j + 2]
        top = h[0, 0] + fe * (h[0, 1] - h[0, 0])
        bot = h[1, 0] + fe * (h[1, 1] - h[1, 0])
        return float(top + fn * (bot - top))

    def __call__(self, lat_deg: float, lon_deg: float) -> float:
        return self.height_m(lat_deg, lon_deg)


def terrain_report(mav, lat_deg: float, lon_deg: float, terrain_m: float, alt_m: float,
                   spacing_m: float, pending: int, loaded: int):  # fmt: skip
    """TERRAIN_REPORT at a point (spacing 0 and heights 0 when the terrain is unknown)."""
    known = math.isfinite(terrain_m)
    return mav.terrain_report_encode(
        round(lat_deg * 1e7), round(lon_deg * 1e7), round(spacing_m) if known else 0,
        float(terrain_m) if known else 0.0, float(alt_m - terrain_m) if known else 0.0,
        pending, loaded,
    )  # fmt: skip


def database_terrain(db: TerrainDatabase):
    """The received terrain as a :class:`~longwing.geo.terrain_grid.Terrain` (a regular
    latitude/longitude grid at the database's spacing over its grids, NaN where nothing
    came), for the flight's autopilot; None when nothing has been received."""
    from longwing.geo.terrain_grid import Terrain

    if not db.grids or db.counts()[1] == 0:
        return None
    keys = np.array(list(db.grids), float) * 1e-7
    south, west = keys[:, 0].min(), keys[:, 1].min()
    dlat = math.degrees(db.spacing_m / EARTH_R_M)
    dlon = dlat / math.cos(math.radians(south))
    north = keys[:, 0].max() + (POINTS_N - 1) * dlat
    east = keys[:, 1].max() + (POINTS_E - 1) * dlon
    lats = np.arange(north, south - 0.5 * dlat, -dlat)
    lons = np.arange(west, east + 0.5 * dlon, dlon)
    heights = np.array([[db.height_m(a, o) for o in lons] for a in lats])
    return Terrain(heights, float(lats[0]), float(lons[0]), -dlat, dlon, "ground station")


class VehicleTerrain:
    """The SITL vehicle's terrain: its own DEM (``--dem``), or the ground station's through
    the protocol (``TERRAIN_ENABLE``). :meth:`tick` (once a second of wall time) asks for the
    first grid still missing blocks around the aircraft, home and the mission's points and
    reports; :meth:`handle` takes TERRAIN_DATA and answers TERRAIN_CHECK."""

    PERIOD_S = 1.0

    def __init__(self, mav, dem=None, min_clearance_m: float = 50.0) -> None:
        self.mav = mav
        self.dem = dem
        self.min_clearance_m = min_clearance_m
        self.db: TerrainDatabase | None = None
        self.next_t = 0.0

    def height_m(self, lat_deg: float, lon_deg: float) -> float:
        if self.dem is not None:
            return float(self.dem(lat_deg, lon_deg))
        return math.nan if self.db is None else self.db.height_m(lat_deg, lon_deg)

    def _report(self, lat: float, lon: float, alt_m: float, spacing_m: float):
        if self.dem is not None:
            pending, loaded = 0, BLOCKS_E * BLOCKS_N
        elif self.db is not None:
            pending, loaded = self.db.counts()
        else:
            pending, loaded = 0, 0
        return terrain_report(self.mav, lat, lon, self.height_m(lat, lon), alt_m, spacing_m,
                              pending, loaded)  # fmt: skip

    def tick(self, now_s: float, enabled: bool, spacing_m: float, here, points) -> list:
        """The messages due at wall time ``now_s`` (``here``: (lat, lon, alt) of the
        aircraft; ``points``: (lat, lon) the mission needs terrain at)."""
        if not enabled or now_s < self.next_t:
            return []
        self.next_t = now_s + self.PERIOD_S
        out = []
        if self.dem is None:
            if self.db is None or self.db.spacing_m != spacing_m:
                self.db = TerrainDatabase(spacing_m)
            for lat, lon in ((here[0], here[1]), *points):
                self.db.want(lat, lon)
            missing = self.db.missing()
            if missing is not None:
                (lat_e7, lon_e7), mask = missing
                out.append(self.mav.terrain_request_encode(lat_e7, lon_e7, round(spacing_m),
                                                           mask))  # fmt: skip
        out.append(self._report(here[0], here[1], here[2], spacing_m))
        return out

    def handle(self, msg, spacing_m: float, alt_m: float) -> list:
        t = msg.get_type()
        if t == "TERRAIN_DATA" and self.db is not None:
            self.db.accept(msg.lat, msg.lon, msg.grid_spacing, msg.gridbit, msg.data)
        elif t == "TERRAIN_CHECK":
            return [self._report(msg.lat * 1e-7, msg.lon * 1e-7, alt_m, spacing_m)]
        return []

    def pending(self, points) -> int:
        """Blocks still missing for the grids under ``points`` (0 with a DEM)."""
        if self.dem is not None or self.db is None:
            return 0 if self.dem is not None else len(points) * BLOCKS_E * BLOCKS_N
        keys = {self.db.grid_key(lat, lon) for lat, lon in points}
        missing = 0
        for key in keys:
            got = self.db.grids.get(key, (None, [0]))[1][0]
            missing += BLOCKS_E * BLOCKS_N - bin(got).count("1")
        return missing

    def refusals(self, mission, airframe, wind, turbulence, params) -> list[str]:
        """plan check --dem's terrain reasons for ``mission`` over the DEM (the PreArm)."""
        from longwing.planning.terrain_gate import terrain_refusals

        kw = {}
        if params is not None:
            kw = dict(autopilot=params.autopilot_overrides(), settings=params.mission_settings())
        return terrain_refusals(mission, airframe, self.dem, self.min_clearance_m, wind=wind,
                                turbulence=int(turbulence), **kw)  # fmt: skip


def terrain_points(mission) -> list[tuple[float, float]]:
    """Where a mission's terrain-frame items need the terrain."""
    from longwing.mission.items import TERRAIN_FRAMES

    return [(it.lat_deg, it.lon_deg) for it in mission.items
            if it.frame in TERRAIN_FRAMES and it.has_position]  # fmt: skip
