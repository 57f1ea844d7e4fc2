"""Mission planning before take-off: performance, wind/fuel route prediction, survey grids.

Pure libraries (no file or console I/O except the explicit readers); the CLI adapts them.
"""
