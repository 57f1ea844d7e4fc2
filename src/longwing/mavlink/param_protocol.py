"""The MAVLink parameter protocol of the simulated vehicle (no sockets).

:class:`ParamProtocol` answers PARAM_REQUEST_LIST, PARAM_REQUEST_READ and PARAM_SET from the
vehicle's :class:`~longwing.mavlink.params.ParamStore`.

Values on the wire (PARAM_ENCODE_C_CAST, as ArduPilot): the MAVLink ``param_value`` float
holds the value cast to an IEEE single, ``param_type`` says what it is. Integers are exact
up to 2**24 in magnitude (all 8- and 16-bit values), larger 32/64-bit ones round to the
nearest single. A REAL32 arriving from a GCS is taken as the shortest decimal that rounds to
the same single (0.1f -> 0.1), so a value typed at a range limit is not refused for its
float rounding. The vehicle should advertise MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.control.params import MAX_NAME_LEN
from longwing.mavlink.param_table import INT_BOUNDS, REAL32, REAL64, TYPE_NAMES, is_number
from longwing.mavlink.params import ParamStore
from longwing.mavlink.wire import f32

__all__ = ["STATUSTEXT_LEN", "ParamProtocol", "decode_c_cast", "encode_c_cast"]

STATUSTEXT_LEN = 50


# --- wire encoding ------------------------------------------------------------------------


def _shortest_f32(w: float) -> float:
    """The shortest decimal that rounds to the single ``w`` (finite)."""
    for digits in range(1, 10):
        t = float(f"{w:.{digits}g}")
        if f32(t) == w:
            return t
    return w


def encode_c_cast(value: float | int, param_type: int) -> float:
    """The MAVLink ``param_value`` field for ``value`` of ``param_type`` (PARAM_ENCODE_C_CAST):
    the value cast to a single. Exact for singles and integers up to 2**24 in magnitude;
    larger integers round to the nearest single (REAL NaN/inf pass as such). ValueError if
    the value does not fit the type."""
    if param_type in INT_BOUNDS:
        lo, hi = INT_BOUNDS[param_type]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{value!r} is not an integer")
        if not (lo <= value <= hi and value == math.floor(value)):  # False for NaN
            raise ValueError(f"{value!r} is not a {TYPE_NAMES[param_type]}")
        return f32(float(int(value)))
    if param_type in (REAL32, REAL64):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{value!r} is not a number")
        try:
            x = float(value)
        except OverflowError:
            raise ValueError(f"{value!r} is outside the range of a single") from None
        w = f32(x)
        if math.isinf(w) and not math.isinf(x):
            raise ValueError(f"{value!r} is outside the range of a single")
        return w
    raise ValueError(f"unknown MAV_PARAM_TYPE {param_type!r}")


def decode_c_cast(wire: float, param_type: int) -> float | int:
    """The value a PARAM_ENCODE_C_CAST ``param_value`` carries for ``param_type``: an ``int``
    for the integer types (the float must be integral and within the type; a value the cast
    rounded one step past the type's limit, e.g. 2**32 for UINT32's 2**32 - 1, is that
    limit), for REAL32/REAL64 the shortest decimal that rounds to the same single. NaN, inf
    and values the type cannot hold raise ValueError."""
    if isinstance(wire, bool) or not isinstance(wire, numbers.Real):
        raise ValueError(f"{wire!r} is not a number")
    try:
        w = f32(float(wire))
    except OverflowError:
        w = math.inf
    if not math.isfinite(w):
        raise ValueError(f"{wire!r} is not a finite number")
    if param_type in INT_BOUNDS:
        lo, hi = INT_BOUNDS[param_type]
        if w != math.floor(w):
            raise ValueError(f"{w:g} is not an integer")
        iv = int(w)
        if iv > hi and w == f32(float(hi)):
            iv = hi
        if not lo <= iv <= hi:
            raise ValueError(f"{iv} is outside the {TYPE_NAMES[param_type]} range [{lo}, {hi}]")
        return iv
    if param_type in (REAL32, REAL64):
        return _shortest_f32(w)
    raise ValueError(f"unknown MAV_PARAM_TYPE {param_type!r}")


# --- the protocol -------------------------------------------------------------------------


def _as_int(x: object) -> int | None:
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    return None


def _param_name(raw: object) -> str | None:
    """The name in a ``param_id`` field (str as pymavlink decodes it, or the raw bytes):
    up to the first NUL, at most 16 ASCII characters (no terminator needed at 16)."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).split(b"\0", 1)[0].decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(raw, str):
        return None
    name = raw.split("\0", 1)[0]
    if not name or len(name) > MAX_NAME_LEN or not name.isascii():
        return None
    return name


class ParamProtocol:
    """The MAVLink parameter microservice of the vehicle, without sockets: feed it received
    messages, send what it returns (the caller paces a PARAM_REQUEST_LIST's replies).

    * PARAM_REQUEST_LIST -> every PARAM_VALUE, in index order, with ``param_count`` and
      ``param_index``. With ``list_chunk`` > 0 only that many come at once: the rest wait
      in a queue that :meth:`tick` releases, ``list_chunk`` at most every
      ``list_interval_s`` of the caller's (wall) clock, as ArduPilot streams a list rather
      than flooding the link (a burst of ~370 datagrams overflows a GCS socket's receive
      buffer). A new PARAM_REQUEST_LIST restarts the list.
    * PARAM_REQUEST_READ -> the PARAM_VALUE by ``param_index`` when it is >= 0, else by
      ``param_id``; unknown -> no reply (as ArduPilot).
    * PARAM_SET -> validate and set; reply PARAM_VALUE with the value now in force (the old
      one on refusal, as ArduPilot; plus a STATUSTEXT warning with the reason unless
      ``announce_refusals`` is False). ``on_change(name, value)`` is called after each
      accepted set (even to the same value). Unknown names -> no reply. NaN/inf, values that
      are not numbers or, for integer parameters, not integral are refused. The declared
      ``param_type`` of a PARAM_SET is not trusted: the value is read as the parameter's own
      type (PARAM_ENCODE_C_CAST).

    Messages for another system or component are ignored (0 = broadcast is accepted); ours
    are ``mav.srcSystem`` / ``mav.srcComponent`` at the time of the call. Malformed input
    never raises: it gets no reply (or, for a PARAM_SET of a known name, a refusal).
    """

    HANDLED = ("PARAM_REQUEST_LIST", "PARAM_REQUEST_READ", "PARAM_SET")

    def __init__(
        self,
        store: ParamStore,
        mav: mavlink2.MAVLink,
        on_change: Callable[[str, float | int], None] | None = None,
        *,
        announce_refusals: bool = True,
        list_chunk: int = 0,
        list_interval_s: float = 0.01,
    ) -> None:
        self.store = store
        self.mav = mav
        self.on_change = on_change
        self.announce_refusals = announce_refusals
        self.list_chunk = list_chunk
        self.list_interval_s = list_interval_s
        self._queue: list[str] = []  # names of a paced list still to send
        self._next_s = 0.0

    def tick(self, now_s: float) -> list[mavlink2.MAVLink_message]:
        """The next PARAM_VALUEs of a paced list (``now_s``: a monotonic clock, seconds)."""
        if not self._queue or now_s < self._next_s:
            return []
        chunk, self._queue = self._queue[: self.list_chunk], self._queue[self.list_chunk :]
        self._next_s = now_s + self.list_interval_s
        return [self.param_value_msg(n) for n in chunk if n in self.store]

    def param_value_msg(self, name: str) -> mavlink2.MAVLink_param_value_message:
        """The PARAM_VALUE of ``name`` (also for announcing a change made elsewhere)."""
        st = self.store
        info = st.info(name)
        return self.mav.param_value_encode(
            name.encode("ascii"),
            encode_c_cast(st.get(name), info.param_type),
            info.param_type,
            len(st),
            info.index,
        )

    def _addressed(self, msg: object) -> bool:
        ts = _as_int(getattr(msg, "target_system", None))
        tc = _as_int(getattr(msg, "target_component", None))
        if ts is None or tc is None:
            return False
        return ts in (0, self.mav.srcSystem) and tc in (0, self.mav.srcComponent)

    def handle(self, msg: object, now_s: float) -> list[mavlink2.MAVLink_message]:
        """The messages to send in reply to ``msg`` (received at ``now_s``; the replies do not
        depend on the time)."""
        get_type = getattr(msg, "get_type", None)
        mtype = get_type() if callable(get_type) else None
        if mtype not in self.HANDLED or not self._addressed(msg):
            return []
        st = self.store
        if mtype == "PARAM_REQUEST_LIST":
            names = list(st.names())
            if self.list_chunk > 0:
                names, self._queue = names[: self.list_chunk], names[self.list_chunk :]
                self._next_s = 0.0
            return [self.param_value_msg(n) for n in names]
        if mtype == "PARAM_REQUEST_READ":
            index = _as_int(getattr(msg, "param_index", None))
            if index is None:
                return []
            if index >= 0:
                return [self.param_value_msg(st.name_at(index))] if index < len(st) else []
            name = _param_name(getattr(msg, "param_id", None))
            return [self.param_value_msg(name)] if name in st else []
        return self._param_set(msg)

    def _param_set(self, msg: object) -> list[mavlink2.MAVLink_message]:
        st = self.store
        name = _param_name(getattr(msg, "param_id", None))
        if name is None or name not in st:
            return []
        info = st.info(name)
        raw = getattr(msg, "param_value", None)
        if not is_number(raw):
            ok, why = False, f"{name}: value {raw!r} is not a number"
        elif info.ignored and info.is_integer:  # any finite value, stored as ArduPilot does
            ok, _, why = st.set(name, f32(float(raw)) if math.isfinite(raw) else raw)
        else:
            try:
                value = decode_c_cast(raw, info.param_type)  # type: ignore[arg-type]
            except ValueError as exc:
                ok, why = False, f"{name}: {exc}"
            else:
                ok, _, why = st.set(name, value)
        out: list[mavlink2.MAVLink_message] = [self.param_value_msg(name)]
        if not ok and self.announce_refusals:
            text = why[:STATUSTEXT_LEN]
            out.append(
                self.mav.statustext_encode(
                    mavlink2.MAV_SEVERITY_WARNING, text.encode("ascii", "replace")
                )
            )
        if ok and self.on_change is not None:
            self.on_change(name, st.get(name))
        return out
