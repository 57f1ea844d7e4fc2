"""`longwing params`: the vehicle's parameters (as the SITL serves them) and their metadata.

* ``longwing params`` lists every parameter: name, default, unit, range, and whether
  longwing acts on it (docs/parameters.md has the same table with meanings).
* ``longwing params --pdef-xml OUT`` writes the metadata in ArduPilot's ``apm.pdef.xml``
  form for QGroundControl / Mission Planner (:mod:`longwing.mavlink.param_pdef`): atomically,
  and only as a new file or over one longwing wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from longwing.cli_errors import UsageFailure


def params(
    pdef_xml: Annotated[
        Path | None,
        typer.Option("--pdef-xml", help="Write the parameter metadata (apm.pdef.xml form) here."),
    ] = None,
    airframe: Annotated[
        str, typer.Option("--airframe", help="Bundled airframe name or TOML file (defaults).")
    ] = "aerosonde",
) -> None:
    """List the vehicle's parameters, or write their metadata for a ground station."""
    from longwing.airframe.loader import AirframeError, load_airframe
    from longwing.logs.outputs import OutputError
    from longwing.mavlink.param_pdef import write_pdef
    from longwing.mavlink.params import ParamStore

    try:
        store = ParamStore(load_airframe(airframe))
    except (AirframeError, ValueError) as exc:
        raise UsageFailure(str(exc)) from None
    out = Console(highlight=False, soft_wrap=True)
    if pdef_xml is not None:
        try:
            n = write_pdef(store, pdef_xml)
        except OutputError as exc:
            raise UsageFailure(str(exc)) from None
        out.print(f"wrote {n} parameters to {pdef_xml}", markup=False)
        return
    for name in store.names():
        info = store.info(name)
        use = "ignored" if info.ignored else ("read-only" if info.read_only else "honoured")
        default = info.default if isinstance(info.default, int) else f"{info.default:g}"
        out.print(f"{name:<16} {default!s:>10} {info.unit:<12} {info.range_text():<28} {use}",
                  markup=False)  # fmt: skip
