"""The phases of the mission prediction besides straight legs: take-off, loiters and the
landing, each flown on a :class:`~longwing.planning.flight_model.FlightModel`, and
:func:`fly_route_leg`, which flies one route leg of any kind.

Take-off
    Catapult: released at the release airspeed (the launch speed plus a gust margin in
    turbulence, :func:`~longwing.mission.preflight.release_airspeed_mps`)
    ``launch_height_m`` above home, heading into the wind if the surface wind is at least
    2 m/s (else toward the first waypoint), full
    throttle at the launch climb pitch: the table gives the climb angle at which
    ``alpha + gamma`` equals that pitch and the excess power accelerates the aircraft;
    integrated every 0.5 s until 5 m below the take-off altitude. Runway: a ground roll at
    full power (thrust minus rolling friction) to the rotation speed, then the same.
Loiters
    From the aircraft straight toward the centre until the circle, then round it; the exit
    counts (turns, time, altitude) start there. On the circle the ground speed follows the
    wind triangle at each bearing, the bank the L1 loiter law commands
    (``tan(phi) = Vg^2 / (g R)``, limited to ``LW_NAV_ROLL_DEG``; a radius too tight for
    the downwind side is widened there to what that bank holds), with its load factor in
    the fuel flow. The next leg starts where the circle is left (after a time exit, a point
    estimated from the mean angular rate). An altitude change is flown at the climb/sink
    limits from the start of the item.
Landing
    ``NAV_LAND``: the glide slope at ``LAND_APPROACH_SPD`` from the previous point to the
    flare point ``FLARE_DIST`` before touchdown (computed as the manager does, in
    :func:`land`), the flare at idle, and the roll-out on the skids/brakes (``mu_brake``) to
    a stop, in the direction the aircraft will land (the other way above the airframe's
    tailwind limit, :mod:`longwing.mission.landing_choice`). (A landing with a tailwind is
    noted: the simulator's aircraft can then slide on for a long time.)

Pure: no I/O.
"""

from __future__ import annotations

import math

import numpy as np
from geographiclib.geodesic import Geodesic

from longwing.control import target as tg
from longwing.control.landing import flare_distance_m
from longwing.geo.constants import G0_MPS2
from longwing.mathx import clamp
from longwing.mission.landing_choice import mirror_needed
from longwing.mission.manager import LAUNCH_INTO_WIND_MPS, MissionManager
from longwing.mission.model import Mission
from longwing.planning.flight_model import (
    ALT_TOL_M,
    AltitudeProfile,
    FlightModel,
    PredictionStopped,
)
from longwing.planning.route import Route, RouteLeg
from longwing.planning.terrain_follow import terrain_profile_for

__all__ = ["circle", "fly_route_leg", "ground_roll", "land", "loiter", "takeoff"]

GEOD = Geodesic.WGS84
TAKEOFF_DT_S = 0.5
TAKEOFF_MAX_S = 900.0
CIRCLE_POINTS = 72
TAILWIND_NOTE_MPS = 2.0  # a landing with more tailwind than this is noted


# --- one route leg ------------------------------------------------------------------------


def _fly_takeoff(
    fl: FlightModel, mission: Mission, route: Route, i: int, leg: RouteLeg, first: bool
) -> None:
    """The launch (the first take-off) or a take-off item later on, then the kinetic energy
    the climb-out leaves above the next speed."""
    af, s, home = fl.af, fl.s, mission.home
    if first:
        wn, we = fl.wind_ne(home.lat_deg, home.lon_deg, home.alt_m)
        heading = MissionManager(mission, s, tg.new_target()).launch_heading_deg((wn, we))
        if math.hypot(wn, we) >= LAUNCH_INTO_WIND_MPS:
            fl.notes.append(f"launch into the wind, heading {heading:.0f} deg")
        if af.launch.method == "catapult":
            v0 = fl.release_speed_mps
            h0 = home.alt_m + af.launch.launch_height_m
        else:
            ground_roll(fl, s.TKOFF_ROTATE_SPD)
            v0, h0 = s.TKOFF_ROTATE_SPD, home.alt_m
    else:
        heading = fl.course if fl.course is not None else 0.0
        v0, h0 = fl.tas_for(leg.speed_mps, fl.h, 0.0, 0.0), fl.h
    takeoff(fl, leg.alt2_m, heading, v0, h0)
    nxt = route.legs[i + 1].speed_mps if i + 1 < len(route.legs) else leg.speed_mps
    v_next = fl.tas_for(nxt, fl.h, 0.0, 0.0)
    fl.energy_credit = max(0.5 * fl.mass() * (fl.v_climbout**2 - v_next**2), 0.0)


def fly_route_leg(
    fl: FlightModel, mission: Mission, route: Route, i: int, first_takeoff: bool
) -> bool:
    """Fly route leg ``i`` (each kind as the module docs say); False if the flight cannot go
    on."""
    leg = route.legs[i]
    try:
        if leg.kind == "takeoff":
            _fly_takeoff(fl, mission, route, i, leg, first_takeoff)
        elif leg.kind in ("leg", "rtl"):
            prof = terrain_profile_for(leg, fl.terrain, fl.s.TERRAIN_LOOKAHD,
                                       fl.ap.tecs.climb_max_mps) or AltitudeProfile(
                leg.alt1_m, leg.alt2_m, 0.0, leg.distance_m)  # fmt: skip
            end_rem = min(leg.accept_m, 0.5 * leg.distance_m)
            fl.join_and_fly(leg, prof, leg.speed_mps, cruise=True, end_rem=end_rem)
        elif leg.kind == "loiter":
            loiter(fl, leg)
            if leg.exit == "unlimited":
                fl.notes.append(
                    f"item {leg.to_seq}: NAV_LOITER_UNLIM: the aircraft holds there; "
                    "predicted up to reaching the circle"
                )
        elif leg.kind == "land":
            land(fl, leg)
    except PredictionStopped as exc:
        fl.problem("stop", f"{exc}; prediction stopped")
        return False
    return True


# --- take-off -----------------------------------------------------------------------------


def takeoff(fl: FlightModel, alt_target: float, heading_deg: float, v0: float, h0: float) -> None:
    """Full-throttle climb at the launch pitch along the launch heading to 5 m below
    ``alt_target`` (see the module doc)."""
    af = fl.af
    tab = fl.table
    p = af.prop
    pitch = fl.s.TKOFF_CLIMB_PITCH
    v, h = v0, h0
    lat_rad = math.radians(fl.lat)
    chi = math.radians(heading_deg)
    line = GEOD.DirectLine(fl.lat, fl.lon, heading_deg, 1e7)
    s = 0.0
    t0 = fl.t
    gamma = 0.0
    stop_alt = alt_target - tg.ALT_TOL_M
    next_rec = 5.0
    fl.h = h
    while h < stop_alt:
        if fl.t - t0 > TAKEOFF_MAX_S:
            fl.problem(
                "takeoff",
                f"take-off: no climb to {alt_target:.0f} m within "
                f"{TAKEOFF_MAX_S:.0f} s at full throttle",
            )
            break
        m = fl.mass()
        for _ in range(3):
            alpha = float(tab.point(m, h, v, gamma, 1.0, lat_rad).alpha_rad)
            gamma = pitch - alpha
        ff, preq, stalled, _ = tab.flight(m, h, v, gamma, 1.0, lat_rad)
        pmax = float(tab.max_power_w(h)) * fl.thr_max
        ff = p.bsfc_kg_per_j * max(pmax, p.idle_power_w)
        vdot = p.prop_eta * (pmax - preq) / (m * max(v, p.thrust_min_speed_mps))
        wn, we = fl.wind_ne(fl.lat, fl.lon, h)
        wa = wn * math.cos(chi) + we * math.sin(chi)
        wx = -wn * math.sin(chi) + we * math.cos(chi)
        vh = v * math.cos(gamma)
        gs = math.sqrt(max(vh * vh - wx * wx, 0.0)) + wa
        dt = TAKEOFF_DT_S
        climb = v * math.sin(gamma)
        if climb > 0.0 and h + climb * dt > stop_alt:
            dt = (stop_alt - h) / climb
        h += climb * dt
        v = max(v + vdot * dt, 1.0)
        s += max(gs, 0.0) * dt
        fl.t += dt
        fl.burn(ff * dt)
        a = fl.acc
        a.time += dt
        a.fuel += ff * dt
        a.dist += max(gs, 0.0) * dt
        a.tas_time += v * dt
        a.air_time += dt
        a.min_gs = min(a.min_gs, gs)
        if math.isnan(a.heading):
            a.heading = heading_deg % 360.0
        fl.along += max(gs, 0.0) * dt
        pe = line.Position(s)
        fl.lat, fl.lon, fl.h = pe["lat2"], pe["lon2"], h
        if fl.t - t0 >= next_rec or h >= stop_alt:
            fl.record()
            next_rec += 5.0
        if stalled:
            fl.problem("stall", "take-off: the climb-out is below the stall speed")
    fl.course = heading_deg
    fl.v_climbout = v


def ground_roll(fl: FlightModel, v_rotate: float) -> None:
    """Runway take-off roll at full power to the rotation speed (no lift, no drag)."""
    af, p = fl.af, fl.af.prop
    v = 0.0
    mu = af.ground.mu_long
    while v < v_rotate:
        pmax = float(fl.table.max_power_w(fl.h)) * fl.thr_max
        acc = p.prop_eta * pmax / (fl.mass() * max(v, p.thrust_min_speed_mps)) - mu * G0_MPS2
        if acc <= 0.05:
            fl.problem("takeoff", "take-off: the engine cannot overcome the rolling friction")
            break
        dt = 0.5
        v += acc * dt
        fl.t += dt
        ff = p.bsfc_kg_per_j * max(pmax, p.idle_power_w)
        fl.burn(ff * dt)
        fl.acc.time += dt
        fl.acc.fuel += ff * dt


# --- loiter -------------------------------------------------------------------------------


def circle(fl: FlightModel, c_lat: float, c_lon: float, radius: float, speed: float, h: float):
    """(time per turn s, fuel per turn kg, mean TAS, mean load factor, radius flown) of
    circling (c_lat, c_lon) at ``h``."""
    wn, we = fl.wind_ne(c_lat, c_lon, h)
    chi = (np.arange(CIRCLE_POINTS) + 0.5) * (2.0 * math.pi / CIRCLE_POINTS)
    wa = wn * np.cos(chi) + we * np.sin(chi)
    wx = -wn * np.sin(chi) + we * np.cos(chi)
    v = np.full(chi.shape, fl.tas_for(speed, h, 0.0, 0.0))
    tan_max = math.tan(fl.bank_nav)
    gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa
    for _ in range(2):
        # where the bank limit cannot hold the radius the path widens to what it holds
        r_loc = np.maximum(radius, gs * gs / (G0_MPS2 * tan_max))
        tan_b = np.minimum(gs * gs / (G0_MPS2 * r_loc), tan_max)
        n = np.sqrt(1.0 + tan_b * tan_b)
        v = np.array([fl.tas_for(speed, h, 0.0, 0.0, float(nk)) for nk in n])
        gs = np.sqrt(np.maximum(v * v - wx * wx, 0.0)) + wa
    if np.any(gs < 0.5):
        raise PredictionStopped("the wind is stronger than the airspeed: the loiter cannot be held")
    r_loc = np.maximum(radius, gs * gs / (G0_MPS2 * tan_max))
    dt = r_loc * (2.0 * math.pi / CIRCLE_POINTS) / gs
    r_eff = float(np.sum(r_loc * dt) / np.sum(dt))
    pt = fl.table.point(fl.mass(), h, v, 0.0, n, math.radians(c_lat))
    stalled = np.asarray(pt.stalled)
    if np.any(stalled):
        k = int(np.argmax(stalled))
        vs = float(fl.table.min_speed_mps(fl.mass(), h, float(n[k])))
        fl.problem(
            "stall",
            f"loiter: airspeed {v[k]:.1f} m/s below the stall speed "
            f"{vs:.1f} m/s in the {math.degrees(math.atan(tan_b[k])):.0f}"
            " deg banked turn",
        )
    t_turn = float(np.sum(dt))
    fuel_turn = float(np.sum(np.asarray(pt.fuel_flow_kgps) * dt))
    fl.acc.min_gs = min(fl.acc.min_gs, float(np.min(gs)))
    return t_turn, fuel_turn, float(np.sum(v * dt) / t_turn), float(np.mean(n)), r_eff


def loiter(fl: FlightModel, leg: RouteLeg) -> None:
    c_lat, c_lon, alt = leg.lat2_deg, leg.lon2_deg, leg.alt2_m
    radius = abs(leg.radius_m)
    dirn = 1.0 if leg.radius_m >= 0.0 else -1.0
    speed = leg.speed_mps
    prof = AltitudeProfile(alt, alt)
    inv = GEOD.Inverse(c_lat, c_lon, fl.lat, fl.lon)
    if inv["s12"] > radius + 1.0:
        fl.arc_to((inv["azi2"] + 180.0) % 360.0, speed)  # turn toward the centre
        inv = GEOD.Inverse(c_lat, c_lon, fl.lat, fl.lon)
    if inv["s12"] > radius + 1.0:
        entry_brg = inv["azi1"]
        e = GEOD.Direct(c_lat, c_lon, entry_brg, radius)
        fl.fly_line(e["lat2"], e["lon2"], prof, speed)
    else:
        entry_brg = inv["azi1"] if inv["s12"] > 1.0 else 0.0
    t_turn, fuel_turn, v_mean, n_mean, r_eff = circle(fl, c_lat, c_lon, radius, speed, alt)
    # altitude still to change on the circle
    dh = alt - fl.h
    rate = fl.climb_limit(fl.h, v_mean) if dh > 0.0 else fl.sink_limit(fl.h, v_mean)
    t_alt = abs(dh) / rate if rate > 0.0 else math.inf
    if leg.exit == "turns":
        t_c = leg.exit_value * t_turn
    elif leg.exit == "time":
        t_c = leg.exit_value
    elif leg.exit == "alt":
        t_c = max(0.0, (abs(dh) - tg.ALT_TOL_M) / rate) if rate > 0.0 else math.inf
        if not math.isfinite(t_c):
            fl.problem("climb", f"loiter: cannot reach {alt:.0f} m")
            t_c = 0.0
    else:  # unlimited: the flight holds here; predicted up to the capture
        t_c = 0.0
    ff_lvl = fuel_turn / t_turn
    t_chg = min(t_alt, t_c)
    extra = 0.0
    if t_chg > 0.0 and abs(dh) > ALT_TOL_M:
        gamma = math.asin(clamp(math.copysign(rate, dh) / v_mean, -0.5, 0.5))
        lat_rad = math.radians(c_lat)
        ff_c, _, _, _ = fl.table.flight(fl.mass(), fl.h + 0.5 * dh, v_mean, gamma, n_mean, lat_rad)
        ff_0, _, _, _ = fl.table.flight(fl.mass(), fl.h + 0.5 * dh, v_mean, 0.0, n_mean, lat_rad)
        extra = (ff_c - ff_0) * t_chg
        fl.h += math.copysign(min(abs(dh), rate * t_chg), dh)
    angle = 360.0 * t_c / t_turn
    fl.circle_t = 0.0
    fl.circle_f = 0.0
    # samples round the circle (one turn at most), then the exit point
    n_s = int(min(angle, 360.0) // 30.0)
    for k in range(1, n_s + 1):
        frac = 30.0 * k / angle
        p = GEOD.Direct(c_lat, c_lon, entry_brg + dirn * 30.0 * k, r_eff)
        _advance_circle(
            fl, p["lat2"], p["lon2"], frac * t_c, frac, ff_lvl, extra, t_turn, r_eff, v_mean
        )
    exit_brg = entry_brg + dirn * angle
    p = GEOD.Direct(c_lat, c_lon, exit_brg, r_eff)
    _advance_circle(fl, p["lat2"], p["lon2"], t_c, 1.0, ff_lvl, extra, t_turn, r_eff, v_mean)
    fl.course = (p["azi2"] + dirn * 90.0) % 360.0


def _advance_circle(
    fl: FlightModel,
    lat: float,
    lon: float,
    t_rel: float,
    frac: float,
    ff_lvl: float,
    extra: float,
    t_turn: float,
    r_eff: float,
    v_mean: float,
) -> None:
    """Move along the circle to the sample at ``t_rel`` s after capture."""
    t_prev, f_prev = fl.circle_t, fl.circle_f
    fl.circle_t, fl.circle_f = t_rel, frac
    dt = t_rel - t_prev
    fuel = ff_lvl * dt + extra * (frac - f_prev)
    dist = 2.0 * math.pi * r_eff * dt / t_turn
    a = fl.acc
    a.time += dt
    a.fuel += fuel
    a.dist += dist
    a.tas_time += v_mean * dt
    a.air_time += dt
    fl.t += dt
    fl.along += dist
    fl.burn(fuel)
    fl.lat, fl.lon = lat, lon
    fl.record()


# --- landing ------------------------------------------------------------------------------


def land(fl: FlightModel, leg: RouteLeg) -> None:
    """``NAV_LAND``: the glide slope to the flare point, the flare at idle and the roll-out
    (see the module doc)."""
    s = fl.s
    speed = s.LAND_APPROACH_SPD
    ground = leg.alt2_m
    length = leg.distance_m
    alt_a = leg.alt1_m
    # the one flare-distance model, as the mission manager sets the aircraft's target
    flare_dist = flare_distance_m(speed, s.LAND_FLARE_ALT, s.LAND_FLARE_SINK, alt_a - ground,
                                  length)  # fmt: skip
    prof = AltitudeProfile(
        alt_a, ground + s.LAND_FLARE_ALT, flare_dist, max(length - flare_dist, 1.0)
    )
    fl.join_and_fly(leg, prof, speed, cruise=False, end_rem=flare_dist)
    # flare at idle to the landing point, then the roll-out to a stop
    p = fl.af.prop
    ff_idle = p.bsfc_kg_per_j * p.idle_power_w
    wn, we = fl.wind_ne(leg.lat2_deg, leg.lon2_deg, ground)
    crs = leg.course2_deg if math.isfinite(leg.course2_deg) else 0.0
    # the aircraft lands the other way above the airframe's tailwind limit (the same
    # decision as in flight, mission.landing_choice): the touchdown in that direction
    wn0, we0 = fl.wind_ne(leg.lat1_deg, leg.lon1_deg, alt_a)  # at the start of the final
    if mirror_needed(crs, wn0, we0, fl.af.landing.max_tailwind_mps):
        fl.notes.append(f"landing at item {leg.to_seq}: flown the other way (final course "
                        f"{(crs + 180.0) % 360.0:.0f} deg), into the wind")  # fmt: skip
        crs += 180.0
    chi = math.radians(crs)
    wa = wn * math.cos(chi) + we * math.sin(chi)
    wx = -wn * math.sin(chi) + we * math.cos(chi)
    v = fl.tas_for(speed, ground, wa, wx)
    gs = max(math.sqrt(max(v * v - wx * wx, 0.0)) + wa, 0.5)
    if wa > TAILWIND_NOTE_MPS:
        fl.notes.append(f"landing at item {leg.to_seq}: {wa:.1f} m/s tailwind on final")
    t_flare = flare_dist / gs if flare_dist > 0.0 else 0.0
    mu = fl.af.ground.mu_brake
    t_roll = gs / (mu * G0_MPS2) if mu > 0.0 else 0.0
    d_roll = gs * gs / (2.0 * mu * G0_MPS2) if mu > 0.0 else 0.0
    dt = t_flare + t_roll
    a = fl.acc
    a.time += dt
    a.fuel += ff_idle * dt
    a.dist += flare_dist + d_roll
    a.tas_time += v * t_flare
    a.air_time += t_flare
    a.min_gs = min(a.min_gs, gs)
    fl.t += dt
    fl.burn(ff_idle * dt)
    fl.along += flare_dist + d_roll
    fl.lat, fl.lon, fl.h = leg.lat2_deg, leg.lon2_deg, ground
    fl.record()
