"""Command-line options several `longwing` commands share, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: --dem (fly, sitl): the world's ground (docs/terrain.md)
DemOption = Annotated[
    list[Path] | None,
    typer.Option(
        help="The ground: a DEM (GeoTIFF, VRT, any CRS; repeat for tiles), or "
        "synthetic:KIND[,KEY=VALUE] [flat at home]."
    ),
]
