"""Adapters between files and longwing's pure models: DEM rasters (:mod:`.dem`) and radio
configuration files (:mod:`.radio_file`). The algorithm packages (``geo/``, ``planning/``)
open no files; these modules do, and raise the models' own one-line errors."""
