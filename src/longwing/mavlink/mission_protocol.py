"""The MAVLink mission microservice, vehicle side, as ArduPilot implements it (no sockets).

:class:`MissionProtocol` turns the mission messages a ground station sends into the
messages the vehicle answers with, and hands complete, validated uploads to the vehicle
through a callback. It never packs or sends anything: ``handle()`` and ``tick()`` return
pymavlink message objects built with the ``mav`` given to the constructor, and the link
layer packs and sends them. Time is passed in (``now_s``), so tests drive it with a fake
clock.

The three plan types (``mission_type``) are stored and transferred independently, as
MAVLink asks and ArduPilot does: 0 MISSION (seq 0 is home, the first real item is seq 1),
1 FENCE and 2 RALLY (no home: the first item is seq 0).

Upload (ground station -> vehicle)::

    GCS  MISSION_COUNT(n)          ->  vehicle  MISSION_REQUEST_INT(0)
    GCS  MISSION_ITEM_INT(0)       ->  vehicle  MISSION_REQUEST_INT(1)
    ...
    GCS  MISSION_ITEM_INT(n-1)     ->  vehicle  MISSION_ACK(ACCEPTED or the refusal)

Items are collected in an upload buffer and checked one by one as they arrive (an invalid
item ends the upload with the matching MISSION_ACK code); when the last one arrives the
whole list is converted through longwing's model (:class:`~longwing.mission.model.Mission`,
:class:`~longwing.mission.fence.Fence`, :class:`~longwing.mission.fence.RallyPoint`),
``on_change(mission_type, obj)`` is called and only then is the new list stored. An upload
that stops half-way, is refused, or whose ``on_change`` raises
:class:`~longwing.mission.items.MissionError` leaves the previous plan untouched. (ArduPilot
buffers fence and rally uploads like this but writes mission items straight to storage; here
all three are buffered.)

If an awaited item does not arrive within ``timeout_s`` the request is sent again, up to
``retries`` times; then the upload is abandoned with MISSION_ACK OPERATION_CANCELLED (as
ArduPilot, which re-requests every second and gives up after 8 s) - call :meth:`tick`
regularly (10 Hz or more).

Download (vehicle -> ground station): MISSION_REQUEST_LIST -> MISSION_COUNT, then each
MISSION_REQUEST_INT -> MISSION_ITEM_INT (a legacy MISSION_REQUEST -> MISSION_ITEM), and the
ground station's final MISSION_ACK. Downloads are stateless, as in ArduPilot. The items go
back exactly as they were uploaded (command, frame, param1-4, x/y/z, autocontinue).

ArduPilot behaviour reproduced: one upload per plan type at a time (MISSION_COUNT from
another system or component during an upload -> DENIED, the same one -> the upload restarts;
MISSION_REQUEST_LIST / MISSION_REQUEST_INT of that type during an upload -> DENIED;
MISSION_CLEAR_ALL during an upload -> ERROR; an item when no upload is running -> ERROR; an
item out of order -> INVALID_SEQUENCE, the upload goes on); count above the limit ->
NO_SPACE; unknown plan types -> UNSUPPORTED (requests for them are ignored); messages for
another system or component are ignored (target 0 is broadcast); MISSION_SET_CURRENT
answers MISSION_CURRENT with the requested seq, or nothing when refused; a mission item with
``current`` 2 (guided "fly to") or 3 (change altitude) is not part of an upload but a
guided request (``on_guided``).

Differences from ArduPilot, on purpose: MISSION_CLEAR_ALL with MAV_MISSION_TYPE_ALL (255)
clears all three plans (ArduPilot answers UNSUPPORTED); a MISSION_ACK other than ACCEPTED
from the uploading system cancels its upload at once (MAVLink's rule; ArduPilot lets it time
out); uploads are requested with MISSION_REQUEST_INT (ArduPilot still sends the deprecated
MISSION_REQUEST); downloads return ``autocontinue`` and fence/rally frames and altitudes as
uploaded (ArduPilot returns autocontinue 1 and frame 0 / z 0 for fence items).
MISSION_WRITE_PARTIAL_LIST (items start..end re-sent, replaced or appended) is run as
ArduPilot runs it, but applied only when complete: :mod:`longwing.mavlink.mission_upload`.

Refusal codes (MISSION_ACK ``type``): see :mod:`longwing.mavlink.mission_codec`, which
converts plans to and from MAVLink items and checks them. The problem as one line of text is
kept in :attr:`MissionProtocol.last_error` and passed to ``on_error`` (for a STATUSTEXT).

Home: MISSION item 0 in an absolute frame (GLOBAL / GLOBAL_INT, as QGroundControl and
Mission Planner send it) becomes the mission's home. In any other frame (scripts often send a
dummy item 0 in GLOBAL_RELATIVE_ALT) it is stored as sent but the current home is kept, as
ArduPilot ignores uploaded item 0. :meth:`MissionProtocol.set_home` moves item 0 when the
vehicle sets its home.

Coordinates and the item messages: :mod:`longwing.mavlink.wire`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from longwing.mavlink.mission_codec import (
    build_plan,
    check_item,
    fence_to_mavlink_items,
    home_item,
    mission_item_result,
    mission_result_for_error,
    rally_to_mavlink_items,
)
from longwing.mavlink.mission_upload import PARTIAL_REJECTED, Upload, partial_range
from longwing.mavlink.wire import (
    ACCEPTED,
    DENIED,
    ERROR,
    INVALID_SEQUENCE,
    MISSION_TYPES,
    NO_SPACE,
    OPERATION_CANCELLED,
    TYPE_ALL,
    TYPE_FENCE,
    TYPE_MISSION,
    TYPE_NAMES,
    TYPE_RALLY,
    U16_MAX,
    UNSUPPORTED,
    ItemRefused,
    decode_item,
    int_field,
    item_message,
)
from longwing.mission.fence import Fence, RallyPoint
from longwing.mission.items import MissionError, validate_item
from longwing.mission.model import Home, MavlinkItem, Mission

__all__ = ["MissionProtocol"]


# --- the protocol --------------------------------------------------------------------------


OnChange = Callable[[int, Any], None]


class MissionProtocol:
    """The vehicle side of the MAVLink mission protocol (see the module doc).

    ``mav`` is a pymavlink ``MAVLink`` object used only to build messages. ``target`` is our
    ``(sysid, compid)``: messages addressed to another system or component are ignored.
    Callbacks:

    - ``on_change(mission_type, obj)`` after a complete, valid upload or a clear, before it
      is acknowledged: ``obj`` is a :class:`Mission` (type 0; it carries the current fence
      and rally points), a :class:`Fence` (1; altitude limits carried over from the current
      fence) or a ``tuple[RallyPoint, ...]`` (2). Raising :class:`MissionError` refuses
      the plan (the ground station gets the matching code, the previous plan is kept).
    - ``on_error(text)``: a one-line problem for a STATUSTEXT (also in :attr:`last_error`).
    - ``on_set_current(seq) -> bool | None``: MISSION_SET_CURRENT / :meth:`set_current`
      with a seq that exists; returning ``False`` refuses it.
    - ``on_guided(item) -> bool``: a MISSION_ITEM(_INT) with ``current`` 2 (guided "fly to"
      this point) or 3 (change altitude); ``False`` is acknowledged as ERROR. Without it,
      such items are answered UNSUPPORTED.
    """

    #: The message types :meth:`handle` answers (others are ignored).
    MESSAGE_TYPES = frozenset({
        "MISSION_REQUEST_LIST", "MISSION_COUNT", "MISSION_REQUEST_INT", "MISSION_REQUEST",
        "MISSION_ITEM_INT", "MISSION_ITEM", "MISSION_ACK", "MISSION_CLEAR_ALL",
        "MISSION_SET_CURRENT", "MISSION_WRITE_PARTIAL_LIST",
    })  # fmt: skip

    def __init__(
        self,
        mav: Any,
        on_change: OnChange,
        *,
        target: tuple[int, int] = (1, 1),
        timeout_s: float = 1.5,
        retries: int = 5,
        max_items: int = 10_000,
        home: Home | None = None,
        on_error: Callable[[str], None] | None = None,
        on_set_current: Callable[[int], bool | None] | None = None,
        on_guided: Callable[[MavlinkItem], bool] | None = None,
    ) -> None:
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be > 0, not {timeout_s!r}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, not {retries!r}")
        if not 1 <= max_items <= U16_MAX:
            raise ValueError(f"max_items must be in [1, {U16_MAX}], not {max_items!r}")
        self._mav = mav
        self._on_change = on_change
        self._on_error = on_error
        self._on_set_current = on_set_current
        self._on_guided = on_guided
        self.sysid, self.compid = int(target[0]), int(target[1])
        self.timeout_s = float(timeout_s)
        self.retries = int(retries)
        self.max_items = int(max_items)
        home = home if home is not None else Home(0.0, 0.0, 0.0)
        self._mission = Mission(home=home)
        self._fence = Fence()
        self._rally: tuple[RallyPoint, ...] = ()
        self._items: dict[int, tuple[MavlinkItem, ...]] = {
            TYPE_MISSION: (home_item(home),),
            TYPE_FENCE: (),
            TYPE_RALLY: (),
        }
        self._uploads: dict[int, Upload] = {}
        #: The seq last set by MISSION_SET_CURRENT / :meth:`set_current` (0: none yet).
        self.current_seq = 0
        #: MISSION_CURRENT's ``mission_state`` (MISSION_STATE_*); ``None``: NO_MISSION when
        #: there are no items, else NOT_STARTED. The vehicle updates it as it flies.
        self.mission_state: int | None = None
        #: MISSION_CURRENT's ``mission_mode`` (1 when in a mode that flies the mission).
        self.mission_mode = 0
        #: The last problem reported (one line), ``None`` if none yet.
        self.last_error: str | None = None
        self._handlers: dict[str, Callable[[Any, float, tuple[int, int]], list[Any]]] = {
            "MISSION_REQUEST_LIST": self._on_request_list,
            "MISSION_COUNT": self._on_count,
            "MISSION_REQUEST_INT": self._on_request_int,
            "MISSION_REQUEST": self._on_request_legacy,
            "MISSION_ITEM_INT": self._on_item_int,
            "MISSION_ITEM": self._on_item_legacy,
            "MISSION_ACK": self._on_ack,
            "MISSION_CLEAR_ALL": self._on_clear_all,
            "MISSION_SET_CURRENT": self._on_set_current_msg,
            "MISSION_WRITE_PARTIAL_LIST": self._on_write_partial,
        }

    # --- state ----------------------------------------------------------------------------

    @property
    def mission(self) -> Mission:
        """The current mission (with the current fence and rally points)."""
        return self._mission

    @property
    def fence(self) -> Fence:
        """The current geofence."""
        return self._fence

    @property
    def rally(self) -> tuple[RallyPoint, ...]:
        """The current rally points."""
        return self._rally

    def items(self, mission_type: int = TYPE_MISSION) -> tuple[MavlinkItem, ...]:
        """The stored MAVLink items of a plan type (the MISSION list starts with home)."""
        if mission_type not in self._items:
            raise ValueError(f"mission_type must be one of {MISSION_TYPES}, not {mission_type!r}")
        return self._items[mission_type]

    def receiving(self, mission_type: int | None = None) -> bool:
        """True while an upload (of that type, or of any type) is in progress."""
        if mission_type is None:
            return bool(self._uploads)
        return mission_type in self._uploads

    def load(self, mission: Mission, *, notify: bool = False) -> None:
        """Replace all three plans with ``mission``'s (e.g. a ``.plan`` given at start-up).

        Any upload in progress is dropped silently. ``notify`` calls ``on_change`` for each
        plan type. Raises ``ValueError`` when a plan has more than ``max_items`` items.
        """
        lists = {
            TYPE_MISSION: mission.to_mavlink_items(),
            TYPE_FENCE: fence_to_mavlink_items(mission.fence),
            TYPE_RALLY: rally_to_mavlink_items(mission.rally),
        }
        for t, lst in lists.items():
            if len(lst) > self.max_items:
                raise ValueError(
                    f"{TYPE_NAMES[t].lower()} has {len(lst)} items; at most "
                    f"{self.max_items} are supported"
                )
        self._uploads.clear()
        self._items = dict(lists)
        self._mission = mission
        self._fence = mission.fence
        self._rally = tuple(mission.rally)
        if self.current_seq >= len(lists[TYPE_MISSION]):
            self.current_seq = 0
        if notify:
            self._on_change(TYPE_MISSION, self._mission)
            self._on_change(TYPE_FENCE, self._fence)
            self._on_change(TYPE_RALLY, self._rally)

    def set_home(self, home: Home) -> None:
        """Move home (mission item 0), e.g. when the vehicle sets it on arming, as ArduPilot
        reports its actual home as item 0. No ``on_change``: the vehicle made the change."""
        self._mission = replace(self._mission, home=home)
        self._items[TYPE_MISSION] = (home_item(home), *self._items[TYPE_MISSION][1:])

    # --- messages to send ------------------------------------------------------------------

    def mission_current_msg(
        self,
        seq: int | None = None,
        *,
        mission_state: int | None = None,
        mission_mode: int | None = None,
    ) -> Any:
        """MISSION_CURRENT (seq, total items without home, mission_state, mission_mode)."""
        seq = self.current_seq if seq is None else int(seq)
        total = max(len(self._items[TYPE_MISSION]) - 1, 0)
        state = self.mission_state if mission_state is None else mission_state
        if state is None:
            state = (
                mavlink2.MISSION_STATE_NO_MISSION
                if total == 0
                else mavlink2.MISSION_STATE_NOT_STARTED
            )
        mode = self.mission_mode if mission_mode is None else mission_mode
        return self._mav.mission_current_encode(
            min(max(seq, 0), U16_MAX), min(total, U16_MAX), int(state), int(mode)
        )

    def mission_item_reached_msg(self, seq: int) -> Any:
        """MISSION_ITEM_REACHED(seq)."""
        return self._mav.mission_item_reached_encode(min(max(int(seq), 0), U16_MAX))

    def set_current(self, seq: int) -> list[Any]:
        """Make ``seq`` the current mission item (MAV_CMD_DO_SET_MISSION_CURRENT,
        MISSION_SET_CURRENT). Returns ``[MISSION_CURRENT(seq)]``, or ``[]`` when refused
        (no such item, no mission, or ``on_set_current`` said no): answer DENIED then."""
        n = len(self._items[TYPE_MISSION])
        if not (0 <= seq < n) or n <= 1:
            return []
        if self._on_set_current is not None and self._on_set_current(seq) is False:
            return []
        self.current_seq = seq
        return [self.mission_current_msg(seq)]

    # --- input -----------------------------------------------------------------------------

    def handle(self, msg: Any, now_s: float, src: tuple[int, int] | None = None) -> list[Any]:
        """Answer one received message; returns the messages to send (possibly none).

        ``src`` is the sender's ``(sysid, compid)`` (default: the message header's). Messages
        of other types, or addressed to another system/component, are ignored. Never raises
        on malformed content.
        """
        try:
            handler = self._handlers.get(msg.get_type())
        except (AttributeError, TypeError):
            return []
        if handler is None or not self._for_us(msg):
            return []
        try:
            if src is None:
                src = (msg.get_srcSystem(), msg.get_srcComponent())
            sender = (int(src[0]) & 0xFF, int(src[1]) & 0xFF)
            now = float(now_s)
        except (AttributeError, TypeError, ValueError, IndexError):
            return []
        return handler(msg, now, sender)

    def tick(self, now_s: float) -> list[Any]:
        """Upload timeouts: re-request the awaited item after ``timeout_s``, up to ``retries``
        times, then abandon the upload (MISSION_ACK OPERATION_CANCELLED; previous plan kept).
        """
        out: list[Any] = []
        now = float(now_s)
        for t, up in list(self._uploads.items()):
            if not now - up.last_request_s >= self.timeout_s:
                continue
            if up.retries_done >= self.retries:
                del self._uploads[t]
                self._report(f"{TYPE_NAMES[t]} upload timeout")
                out.append(self._ack(up.src, OPERATION_CANCELLED, t))
            else:
                up.retries_done += 1
                up.last_request_s = now
                out.append(self._request(up.src, up.next_seq, t))
        return out

    # --- helpers ---------------------------------------------------------------------------

    def _for_us(self, msg: Any) -> bool:
        ts = getattr(msg, "target_system", 0)
        tc = getattr(msg, "target_component", 0)
        return ts in (0, self.sysid) and tc in (0, self.compid)

    def _report(self, text: str) -> None:
        self.last_error = text
        if self._on_error is not None:
            self._on_error(text)

    def _ack(self, src: tuple[int, int], code: int, mission_type: int) -> Any:
        return self._mav.mission_ack_encode(src[0], src[1], code, mission_type & 0xFF)

    def _request(self, src: tuple[int, int], seq: int, mission_type: int) -> Any:
        return self._mav.mission_request_int_encode(src[0], src[1], seq, mission_type)

    @staticmethod
    def _mission_type(msg: Any) -> int:
        t = int_field(getattr(msg, "mission_type", 0))
        return -1 if t is None else t

    # --- download ----------------------------------------------------------------------------

    def _on_request_list(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        if t in self._uploads:
            return [self._ack(src, DENIED, t)]
        return [self._mav.mission_count_encode(src[0], src[1], len(self._items[t]), t)]

    def _lookup(self, msg: Any, src: tuple[int, int]) -> tuple[MavlinkItem | None, list[Any]]:
        """The requested item, or the answer refusing the request."""
        t = self._mission_type(msg)
        if t not in self._items:
            return None, []  # ArduPilot ignores requests for unknown plan types
        if t in self._uploads:
            return None, [self._ack(src, DENIED, t)]
        seq = int_field(getattr(msg, "seq", None))
        items = self._items[t]
        if seq is not None and 0 <= seq < len(items):
            return items[seq], []
        if t == TYPE_MISSION:  # tell the GCS the real size, as ArduPilot does
            return None, [
                self._mav.mission_count_encode(src[0], src[1], len(items), t),
                self._ack(src, ERROR, t),
            ]
        return None, [self._ack(src, INVALID_SEQUENCE, t)]

    def _current_flag(self, mi: MavlinkItem) -> int:
        return int(mi.mission_type == TYPE_MISSION and mi.seq == self.current_seq)

    def _on_request_int(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._send_item(msg, src, legacy=False)

    def _on_request_legacy(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._send_item(msg, src, legacy=True)

    def _send_item(self, msg: Any, src: tuple[int, int], *, legacy: bool) -> list[Any]:
        mi, refusal = self._lookup(msg, src)
        if mi is None:
            return refusal
        return [item_message(self._mav, src, mi, self._current_flag(mi), legacy=legacy)]

    # --- upload ------------------------------------------------------------------------------

    def _on_count(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        up = self._uploads.get(t)
        if up is not None:
            if up.src != src:
                return [self._ack(src, DENIED, t)]
            del self._uploads[t]  # the same client starts again
        count = int_field(getattr(msg, "count", None))
        if count is None or not 0 <= count <= self.max_items:
            self._report(f"Only {self.max_items} items are supported")
            return [self._ack(src, NO_SPACE, t)]
        if count == 0:
            return self._complete(t, [], src)
        self._uploads[t] = Upload(src, count, [], now)
        return [self._request(src, 0, t)]

    def _on_item_int(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._on_item(msg, now, src, legacy=False)

    def _on_item_legacy(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        return self._on_item(msg, now, src, legacy=True)

    def _on_item(self, msg: Any, now: float, src: tuple[int, int], *, legacy: bool) -> list[Any]:
        t = self._mission_type(msg)
        seq = int_field(getattr(msg, "seq", None))
        current = int_field(getattr(msg, "current", None))
        if seq is None or current is None:
            return []
        if t == TYPE_MISSION and current in (2, 3):
            return self._guided(msg, src, legacy)
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        up = self._uploads.get(t)
        if up is None:
            return [self._ack(src, ERROR, t)]
        if seq != up.next_seq:
            return [self._ack(src, INVALID_SEQUENCE, t)]
        if src != up.src:
            return [self._ack(src, DENIED, t)]
        try:
            mi = decode_item(msg, t, legacy)
            check_item(mi)
        except ItemRefused as r:
            del self._uploads[t]
            self._report(r.text)
            return [self._ack(src, r.code, t)]
        except (AttributeError, TypeError, ValueError, OverflowError):
            del self._uploads[t]
            self._report(f"{TYPE_NAMES[t]} item {seq} could not be read")
            return [self._ack(src, ERROR, t)]
        up.items.append(mi)
        up.last_request_s = now
        up.retries_done = 0
        if up.next_seq < up.count:
            return [self._request(src, up.next_seq, t)]
        del self._uploads[t]
        return self._complete(t, up.result(), src)

    def _build(self, t: int, items: list[MavlinkItem]) -> Any:
        """The model object of a complete list (raises MissionError)."""
        return build_plan(t, items, home=self._mission.home, fence=self._fence, rally=self._rally)

    def _commit(self, t: int, items: Sequence[MavlinkItem], obj: Any) -> None:
        if t == TYPE_MISSION:
            self._mission = obj
            self._items[t] = tuple(items) if items else (home_item(obj.home),)
            if self.current_seq >= len(self._items[t]):
                self.current_seq = 0
        elif t == TYPE_FENCE:
            self._fence = obj
            self._mission = replace(self._mission, fence=obj)
            self._items[t] = tuple(items)
        else:
            self._rally = tuple(obj)
            self._mission = replace(self._mission, rally=self._rally)
            self._items[t] = tuple(items)

    def _complete(self, t: int, items: list[MavlinkItem], src: tuple[int, int]) -> list[Any]:
        """A complete upload: convert, validate, tell the vehicle, store, acknowledge."""
        try:
            obj = self._build(t, items)
            self._on_change(t, obj)
        except MissionError as exc:
            self._report(f"{TYPE_NAMES[t]} refused: {exc}")
            return [self._ack(src, mission_result_for_error(exc), t)]
        self._commit(t, items, obj)
        return [self._ack(src, ACCEPTED, t)]

    def _on_ack(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        # The end of a download needs nothing (ArduPilot ignores it). A failure ack from the
        # uploading system cancels its upload (MAVLink's rule for a GCS cancelling).
        t = self._mission_type(msg)
        up = self._uploads.get(t)
        if up is not None and up.src == src and int_field(getattr(msg, "type", None)) != ACCEPTED:
            del self._uploads[t]
        return []

    def _on_clear_all(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)
        if t == TYPE_ALL:
            types: tuple[int, ...] = MISSION_TYPES
        elif t in self._items:
            types = (t,)
        else:
            return [self._ack(src, UNSUPPORTED, t)]
        if any(k in self._uploads for k in types):
            return [self._ack(src, ERROR, t)]
        for k in types:
            try:
                obj = self._build(k, [])
                self._on_change(k, obj)
            except MissionError as exc:
                self._report(f"{TYPE_NAMES[k]} clear refused: {exc}")
                return [self._ack(src, ERROR, t)]
            self._commit(k, [], obj)
        return [self._ack(src, ACCEPTED, t)]

    def _on_set_current_msg(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        seq = int_field(getattr(msg, "seq", None))
        return [] if seq is None else self.set_current(seq)

    def _on_write_partial(self, msg: Any, now: float, src: tuple[int, int]) -> list[Any]:
        t = self._mission_type(msg)  # ArduPilot's rules: longwing.mavlink.mission_upload
        if t not in self._items:
            return [self._ack(src, UNSUPPORTED, t)]
        up = self._uploads.get(t)
        if up is not None and up.src != src:
            return [self._ack(src, DENIED, t)]
        span = partial_range(msg, len(self._items[t]))
        if span is None:
            self._report(PARTIAL_REJECTED)
            return [self._ack(src, ERROR, t)]
        self._uploads[t] = Upload(src, span[1] + 1, [], now, start=span[0], base=self._items[t])
        return [self._request(src, span[0], t)]

    def _guided(self, msg: Any, src: tuple[int, int], legacy: bool) -> list[Any]:
        try:
            mi = decode_item(msg, TYPE_MISSION, legacy)
        except ItemRefused as r:
            self._report(f"guided request: {r.text}")
            return [self._ack(src, r.code, TYPE_MISSION)]
        except (AttributeError, TypeError, ValueError, OverflowError):
            return [self._ack(src, ERROR, TYPE_MISSION)]
        mi = replace(mi, current=int(msg.current))
        item = mi.to_mission_item()
        code = mission_item_result(item)
        if code != ACCEPTED:
            try:
                validate_item(item, mi.seq)
            except MissionError as exc:
                self._report(f"guided request: {exc.problem}")
            return [self._ack(src, code, TYPE_MISSION)]
        if self._on_guided is None:
            return [self._ack(src, UNSUPPORTED, TYPE_MISSION)]
        ok = self._on_guided(mi)
        return [self._ack(src, ACCEPTED if ok else ERROR, TYPE_MISSION)]
