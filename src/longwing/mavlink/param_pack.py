"""ArduPilot's packed parameter file, ``@PARAM/param.pck`` (AP_Filesystem_Param), which a
GCS downloads over MAVFTP instead of one PARAM_VALUE per parameter.

Layout (little-endian)::

    header:  uint16 magic (0x671b; 0x671c when defaults are included)
             uint16 num_params (in this file), uint16 total_params (on the vehicle)
    per parameter:
             uint8  type (low 4 bits: 1 INT8, 2 INT16, 3 INT32, 4 FLOAT) | flags << 4
                    (flag bit 0: the default follows the value)
             uint8  common_len (low 4 bits: name bytes shared with the previous name)
                    | (name_len - 1) << 4 (the bytes that follow)
             name[name_len], value[type size], [default[type size]]

Zero bytes before an entry are padding: ArduPilot inserts them so that no value straddles
a boundary of the reads the GCS makes (``read_size``: the size of its first read), so a
re-read block never holds half a value. Parameters are in the vehicle's index order.

URI options as ArduPilot's: ``param.pck?start=N&count=C&withdefaults=1`` (``start`` >=
the parameter count or an unknown option: not found; a default is included only where it
differs from the value).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from longwing.mavlink.param_table import INT8, INT16, INT32, REAL32
from longwing.mavlink.params import ParamStore

MAGIC = 0x671B
MAGIC_WITH_DEFAULTS = 0x671C
HEADER = struct.Struct("<HHH")
#: MAV_PARAM_TYPE -> (AP_Param type code, struct format)
AP_TYPES: Mapping[int, tuple[int, str]] = {INT8: (1, "<b"), INT16: (2, "<h"), INT32: (3, "<i"),
                                           REAL32: (4, "<f")}  # fmt: skip
PACKED_NAME = "param.pck"
UINT16_MAX = 0xFFFF


@dataclass(frozen=True)
class PackRequest:
    """The options of a ``param.pck`` path."""

    start: int = 0
    count: int = 0  # 0: to the end
    with_defaults: bool = False


def parse_pack_name(name: str) -> PackRequest | None:
    """``param.pck`` with its options, or None if ``name`` is not the packed file or an
    option is malformed (ArduPilot: ENOENT / EINVAL)."""
    base, _, query = name.partition("?")
    if base != PACKED_NAME:
        return None
    opts = {"start": 0, "count": 0, "withdefaults": 0}
    for part in query.split("&") if query else ():
        key, eq, text = part.partition("=")
        if not eq or key not in opts or not text.isdigit():
            return None
        v = int(text)
        if key in ("start", "count") and v >= UINT16_MAX:
            return None
        if key == "withdefaults" and v > 1:
            return None
        opts[key] = v
    return PackRequest(opts["start"], opts["count"], bool(opts["withdefaults"]))


def estimated_size(store: ParamStore) -> int:
    """What ArduPilot reports as the file's size before it is read: 12 bytes a parameter."""
    return 12 * len(store)


def pack_params(store: ParamStore, req: PackRequest, read_size: int) -> bytes | None:
    """The file for ``req`` with padding for reads of ``read_size`` bytes; None if
    ``req.start`` is not below the parameter count."""
    names = store.names()
    total = len(names)
    if total <= req.start:
        return None
    chosen = names[req.start :]
    if req.count:
        chosen = chosen[: req.count]
    out = bytearray(
        HEADER.pack(MAGIC_WITH_DEFAULTS if req.with_defaults else MAGIC, len(chosen), total)
    )
    last = b""
    for name in chosen:
        info = store.info(name)
        code, fmt = AP_TYPES[info.param_type]
        raw = name.encode("ascii")
        common = 0
        while common < min(len(raw), len(last), 15) and raw[common] == last[common]:
            common += 1
        if common == len(raw):  # never a zero-length tail
            common -= 1
        tail = raw[common:]
        value = store.get(name)
        add_default = req.with_defaults and value != info.default
        size = struct.calcsize(fmt)
        entry_len = 2 + len(tail) + size * (2 if add_default else 1)
        if size > 1 and read_size > 0:
            end = len(out) + entry_len
            mod = end % read_size
            if 0 < mod < size:
                out += bytes(size - mod)
        out.append(code | (int(add_default) << 4))
        out.append(common | ((len(tail) - 1) << 4))
        out += tail
        out += struct.pack(fmt, value)
        if add_default:
            out += struct.pack(fmt, info.default)
        last = raw
    return bytes(out)
