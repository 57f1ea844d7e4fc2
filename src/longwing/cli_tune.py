"""`longwing tune`: autopilot gains designed from the airframe's model (docs/tuning.md).

Prints the designed parameters as an ArduPilot ``.parm`` file (``NAME VALUE`` lines, the
design figures as ``#`` comments): `longwing sitl` loads it as a parameter file, and each line
is a ``fly --param NAME=VALUE``. ``--json`` prints one JSON object instead. Bad input (unknown
airframe, an airspeed it cannot trim at) is one line on stderr, exit code 2.
"""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer

from longwing.cli_errors import UsageFailure


def parm_text(design, airframe_name: str) -> str:
    """The design as .parm text: comments (condition, model, figures), then NAME VALUE."""
    m, f = design.model, design.figures
    lines = [
        f"# longwing tune: {airframe_name} at {design.airspeed_tas_mps:g} m/s TAS, "
        f"{design.altitude_m:g} m ({design.airspeed_eas_mps:.4g} m/s EAS); docs/tuning.md",
        f"# model: a_phi1 {m.a_phi1_per_s:.4g} a_phi2 {m.a_phi2_per_s2:.4g} "
        f"a_theta1 {m.a_theta1_per_s:.4g} a_theta2 {m.a_theta2_per_s2:.4g} "
        f"a_theta3 {m.a_theta3_per_s2:.4g} a_V1 {m.a_v1_per_s:.4g} a_V2 {m.a_v2_mps2:.4g} "
        f"a_V3 {m.a_v3_mps2:.4g} tau_gamma {m.path_lag_s:.3g} s",
        f"# roll: wn {f.roll_wn_radps:.3g} rad/s, damping {f.roll_damping:.3g}, bandwidth "
        f"{f.roll_bandwidth_radps:.3g} rad/s; course: wn {f.course_wn_radps:.3g} rad/s "
        f"({f.course_separation:.3g}x slower than roll)",
        f"# pitch: wn {f.pitch_wn_radps:.3g} rad/s, damping {f.pitch_damping:.3g}; "
        f"energy: TECS_TIME_CONST {f.energy_separation:.3g}x the pitch lag "
        f"{f.pitch_lag_s:.3g} s, damping {f.seb_damping:.2f} (pitch) {f.ste_damping:.2f} "
        "(throttle)",
    ]
    if design.clamped:
        lines.append(f"# limited to the table's range: {', '.join(design.clamped)}")
    lines += [f"{name:<16} {value:g}" for name, value in sorted(design.params.items())]
    return "\n".join(lines) + "\n"


def tune(
    airframe: Annotated[
        str, typer.Option("--airframe", help="Bundled airframe name or path to a TOML file.")
    ] = "aerosonde",
    airspeed: Annotated[
        float | None, typer.Option(help="True airspeed of the design, m/s [cruise].")
    ] = None,
    altitude: Annotated[float, typer.Option(help="Altitude, m above mean sea level.")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Design the roll, pitch, L1 and TECS gains from the airframe's model; print them as
    ArduPlane parameters (a .parm file) with the design figures."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.control.design import design_gains
    from longwing.physics.trim import TrimError

    for flag, value in (("--airspeed", airspeed), ("--altitude", altitude)):
        if value is not None and not math.isfinite(value):
            raise UsageFailure(f"{flag} must be a finite number, got {value}")
    if airspeed is not None and not airspeed > 0.0:
        raise UsageFailure(f"--airspeed must be positive, got {airspeed:g} m/s")
    if not -5000.0 <= altitude <= 20000.0:
        raise UsageFailure(f"--altitude {altitude:g} is outside [-5000, 20000] m")
    try:
        af = load_airframe(airframe)
        design = design_gains(af, airspeed, altitude)
    except (AirframeError, TrimError) as exc:
        raise UsageFailure(str(exc)) from None
    if as_json:
        print(json.dumps({
            "airframe": af.name,
            "airspeed_tas_mps": design.airspeed_tas_mps,
            "airspeed_eas_mps": design.airspeed_eas_mps,
            "altitude_m": design.altitude_m,
            "params": dict(design.params),
            "clamped": list(design.clamped),
            "figures": design.figures._asdict(),
            "model": design.model._asdict(),
        }, indent=2))  # fmt: skip
        return
    print(parm_text(design, af.name), end="")
