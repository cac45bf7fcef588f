"""What the Facebook Page and Instagram connectors share: the Graph API client with its error
mapping and rate budget, reply windows, the parsers and the polling cursor.

The connectors themselves live in :mod:`console.channels.meta_facebook` and
:mod:`console.channels.meta_instagram`. Endpoints (Graph API v21.0) and the pages they follow:

``GET /{page-id}/conversations?platform=messenger|instagram&fields=...``
    https://developers.facebook.com/docs/messenger-platform/conversations and
    https://developers.facebook.com/docs/graph-api/reference/page/conversations (newest
    ``updated_time`` first; "time-based pagination is not available for the conversations
    endpoint", so there is no ``since``). Messages are read as the nested edge
    ``messages.limit(n){id,message,from,to,created_time,attachments,sticker,is_unsupported}``
    and continued with ``GET /{conversation-id}/messages`` (newest first):
    https://developers.facebook.com/docs/graph-api/reference/conversation and
    https://developers.facebook.com/docs/graph-api/reference/message
Cursor paging (``data``, ``paging.cursors.before/after``, ``paging.next`` only when there is
more; cursors must not be stored for long)
    https://developers.facebook.com/docs/graph-api/results
Send API ``POST /{page-id}/messages`` (``recipient``, ``messaging_type`` RESPONSE or
MESSAGE_TAG with ``tag: HUMAN_AGENT``, ``message.text``, ``message.metadata``)
    https://developers.facebook.com/docs/messenger-platform/reference/send-api and
    https://developers.facebook.com/docs/messenger-platform/send-messages (the 24-hour standard
    window; a human agent may answer up to 7 days after the person's last message).
Rate limits: the Conversations API allows 2 calls per second per Page (and per Instagram
professional account)
    https://developers.facebook.com/documentation/business-messaging/messenger-platform/overview/rate-limiting
    and https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
Errors (``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``)
    https://developers.facebook.com/docs/graph-api/guides/error-handling and
    https://developers.facebook.com/docs/messenger-platform/error-codes

Polling. Each source (direct messages, comments) keeps in the cursor a watermark ``wm`` (the
newest activity seen by the last complete pass, in seconds) and the one before it, ``prev``. A
pass walks the containers (conversations, posts, media) newest first and stops at the first one
older than ``wm``; inside each container it reads items back to ``prev`` (two passes back, so a
conversation that moved while a pass was paging is still read in full next time). At most
``max_pages`` requests are made per :meth:`fetch`; an unfinished pass is kept in the cursor
(the list page's ``after`` cursor, the containers already done on it and, if a container was cut
short, its own ``after`` cursor) and ``more`` is True. Items read twice are dropped by external
id when stored, so re-reading is cheap and a cursor that was never stored (a crash mid-page)
simply repeats the page.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from console.channels.base import (
    Attachment,
    AuthExpired,
    Capabilities,
    Channel,
    ChannelError,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
    checked,
    make_client,
    raise_for_status,
)
from console.channels.windows import (
    HUMAN_AGENT_WINDOW_S,
    STANDARD_WINDOW_S,
    WindowState,
    meta_window,
)

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com/v21.0"

HOUR_S = 3600
DAY_S = 24 * HOUR_S
PRIVATE_REPLY_WINDOW_S = 7 * DAY_S
SEND_MARGIN_S = 60
"""A reply needs this much of its window left, or it goes out under the next rule (or not)."""

CONVERSATIONS_PER_S = 2.0
MESSAGES_PER_PAGE = 20
MAX_BODY_CHARS = 65_536
MAX_ID_CHARS = 200  # the store's id and handle columns
LOOKBACK_S = 120
MAX_EDGE_PAGES = 50
DEFAULT_RATE_LIMIT_S = 60.0

MESSAGE_FIELDS = "id,message,from,to,created_time,attachments,sticker,shares,is_unsupported"

__all__ = [
    "GRAPH_URL",
    "Container",
    "Edge",
    "MetaChannel",
    "SkipItem",
    "TokenBucket",
    "WindowState",
    "clean_text",
    "config_bool",
    "config_float",
    "config_id",
    "config_int",
    "graph_error",
    "graph_url",
    "ig_commenter",
    "item_time_ms",
    "parse_dm",
    "parse_fb_comment",
    "parse_ig_comment",
    "parse_time_ms",
    "path_id",
    "reply_window",
    "shared_bucket",
    "split_comment_thread",
]


# -- reply windows ---------------------------------------------------------------------------


# One rule, shared with the composer's window indicator (console.channels.windows).
reply_window = meta_window


# -- rate budget -----------------------------------------------------------------------------


class TokenBucket:
    """A token bucket that blocks until a request may go out.

    With ``capacity`` 1 the requests are spaced ``1 / rate`` seconds apart, so no window of one
    second ever holds more than ``rate`` of them.

    Args:
        rate: Tokens added per second.
        capacity: Most tokens held (the burst).
        clock: Monotonic seconds (injectable for tests).
        sleep: How to wait (injectable for tests).
    """

    def __init__(
        self,
        rate: float = CONVERSATIONS_PER_S,
        capacity: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting for it if need be.

        Returns:
            Seconds waited.
        """
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                delay = (1.0 - self._tokens) / self.rate
                self._sleep(delay)
                waited += delay


_BUCKETS: dict[str, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def shared_bucket(key: str, rate: float = CONVERSATIONS_PER_S) -> TokenBucket:
    """The process-wide bucket of one Page or Instagram account (every connector of it shares
    the documented 2 calls per second; a local test server may allow more)."""
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(f"{key}@{rate:g}")
        if bucket is None:
            bucket = _BUCKETS[f"{key}@{rate:g}"] = TokenBucket(rate)
        return bucket


def requests_per_s(config: Mapping[str, Any]) -> float:
    """The account's request budget: ``requests_per_s`` from its settings, else Meta's 2/s."""
    rate = float(config.get("requests_per_s", CONVERSATIONS_PER_S))
    if not rate > 0:
        raise ValueError("requests_per_s")
    return rate


def common_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The settings every Graph connector reads the same way (paging, backfill, comments,
    window tag, timeout, proxy), as keyword arguments for :class:`MetaChannel`.

    Raises:
        ValueError: a setting is out of range.
    """
    return {
        "max_pages": config_int(config, "max_pages", 10, 1, 100),
        "page_size": config_int(config, "page_size", 25, 1, 100),
        "backfill_days": config_int(config, "backfill_days", 30, 0, 365),
        "comments": config_bool(config, "comments", True),
        "comment_days": config_int(config, "comment_days", 14, 1, 90),
        "human_agent": config_bool(config, "human_agent", True),
        "timeout_s": config_float(config, "timeout_s", 15.0, 0.1, 120.0),
        "proxy": str(config["proxy"]) if config.get("proxy") else None,
    }


# -- errors ----------------------------------------------------------------------------------

_RATE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80006})
_TOKEN_CODES = frozenset({102, 104, 190})
_TRANSIENT_CODES = frozenset({1, 2, 1200})
_WINDOW_SUBCODES = frozenset({2018278})
_REASONS: dict[int, str] = {
    10: "permission_denied",
    100: "invalid_parameter",
    368: "policy_blocked",
    551: "recipient_unavailable",
    10900: "already_replied",
    10903: "cannot_reply",
}
_SUBCODE_REASONS: dict[int, str] = {2018001: "recipient_not_found", 33: "not_found"}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _retry_after(headers: httpx.Headers) -> float:
    """Seconds to wait, from ``Retry-After`` or the business use case usage header."""
    value = headers.get("Retry-After", "")
    try:
        seconds = float(value)
        if math.isfinite(seconds):
            return max(0.0, seconds)
    except ValueError:
        pass
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage", "") or "null")
        minutes = [
            float(entry["estimated_time_to_regain_access"])
            for entries in (usage or {}).values()
            for entry in entries
            if isinstance(entry, dict) and "estimated_time_to_regain_access" in entry
        ]
        if minutes and max(minutes) > 0:
            return max(minutes) * 60.0
    except (ValueError, TypeError, AttributeError, KeyError):
        pass
    return DEFAULT_RATE_LIMIT_S


def graph_error(
    status: int, payload: Any, headers: httpx.Headers | None = None, *, sending: bool = False
) -> ChannelError | None:
    """The channel error for a Graph API error body, or None when the body carries none (the
    caller then falls back on :func:`console.channels.base.raise_for_status`).

    Args:
        status: The HTTP status.
        payload: The decoded JSON body (anything; ``{"error": {...}}`` when Graph says why).
        headers: Response headers (``Retry-After``, usage headers).
        sending: The request sent something: a server failure leaves the outcome unknown.

    Returns:
        ``AuthExpired`` for codes 102, 104 and 190; ``RateLimited`` for 4, 17, 32, 341, 613 and the
        messaging throttles (or HTTP 429); ``Rejected("outside_window")`` for subcode 2018278;
        ``Transient`` for 1, 2, 1200, ``is_transient`` or a 5xx; otherwise ``Rejected`` with a
        stable reason (``permission_denied`` for 10 and 200-299, ``invalid_parameter``,
        ``recipient_unavailable`` (551), ``already_replied`` ...) or ``graph_{code}``.
    """
    err = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(err, dict):
        return None
    headers = headers if headers is not None else httpx.Headers()
    code = _int(err.get("code"))
    sub = _int(err.get("error_subcode"))
    label = f"graph_{code}" if code is not None else f"http_{status}"
    if code in _TOKEN_CODES or (code is None and status == 401):
        return AuthExpired(label)
    if code in _RATE_CODES or status == 429:
        return RateLimited(_retry_after(headers))
    if sub in _WINDOW_SUBCODES:
        return Rejected("outside_window")
    if code in _TRANSIENT_CODES or err.get("is_transient") is True or status >= 500:
        return Transient(label, ambiguous=sending and code != 1200)
    if sub is not None and sub in _SUBCODE_REASONS:
        return Rejected(_SUBCODE_REASONS[sub])
    if code is not None and (code in _REASONS or 200 <= code <= 299):
        return Rejected(_REASONS.get(code, "permission_denied"))
    return Rejected(label)


# -- parsing ---------------------------------------------------------------------------------


class SkipItem(Exception):
    """An item that cannot become a message; ``reason`` is a stable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MIN_MS = 946_684_800_000  # 2000-01-01
_MAX_MS = 4_102_444_800_000  # 2100-01-01


def clean_text(value: str) -> str:
    """Plain text safe to store: no control characters but tab and newlines, no lone
    surrogates, at most 64 Ki characters. HTML stays verbatim (it is never rendered)."""
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))
    if len(text) > MAX_BODY_CHARS:
        log.info("meta: body cut at %d characters", MAX_BODY_CHARS)
        text = text[:MAX_BODY_CHARS]
    return text


def parse_time_ms(value: Any) -> int | None:
    """Milliseconds since the epoch from a Graph time (``2024-05-01T12:34:56+0000``, ISO 8601
    or Unix seconds), or None."""
    ms: int | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value):
            ms = int(value * 1000)
    elif isinstance(value, str) and 0 < len(value) <= 40:
        text = value.strip()
        if text.isdigit():
            ms = int(text) * 1000
        else:
            try:
                stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                try:
                    stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
                except ValueError:
                    return None
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=UTC)
            ms = int(stamp.timestamp() * 1000)
    if ms is None or not _MIN_MS <= ms <= _MAX_MS:
        return None
    return ms


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and value.isprintable():
        return value
    return None


_PATH_ID = re.compile(r"[A-Za-z0-9_.=-]{1,200}")


def path_id(value: Any) -> str | None:
    """An id that may go into a URL path (no ``/``, ``?``, ``#`` or ``..``), or None."""
    found = _id(value)
    if found is None or not _PATH_ID.fullmatch(found) or found in (".", ".."):
        return None
    return found


def _cursor_text(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= 4096 and value.isprintable():
        return value
    return None


def _name(value: Any) -> str:
    return clean_text(value).strip()[:200] if isinstance(value, str) else ""


def _person(value: Any) -> tuple[str, str] | None:
    """``(id, name)`` of a Graph person object (``name`` on Messenger, ``username`` on
    Instagram)."""
    if not isinstance(value, dict):
        return None
    pid = _id(value.get("id"))
    if pid is None:
        return None
    return pid, _name(value.get("name")) or _name(value.get("username"))


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SkipItem("malformed")
    return clean_text(value)


def _size(value: Any) -> int:
    size = _int(value)
    return size if size is not None and 0 <= size < 2**53 else 0


def _dm_attachments(item: Mapping[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    raw = item.get("attachments")
    entries = raw.get("data") if isinstance(raw, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        mime = entry.get("mime_type")
        if not isinstance(mime, str) or not mime:
            mime = (
                "image/*"
                if "image_data" in entry
                else "video/*"
                if "video_data" in entry
                else "application/octet-stream"
            )
        name = _name(entry.get("name")) or _id(entry.get("id")) or "attachment"
        found.append(Attachment(name[:255], mime[:100], _size(entry.get("size"))))
    if isinstance(item.get("sticker"), str):
        found.append(Attachment("sticker", "image/*", 0))
    shares = item.get("shares")
    entries = shares.get("data") if isinstance(shares, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            found.append(
                Attachment((_name(entry.get("name")) or "share")[:255], "text/uri-list", 0)
            )
    return tuple(found)


def _comment_attachment(item: Mapping[str, Any]) -> tuple[Attachment, ...]:
    raw = item.get("attachment")
    if not isinstance(raw, dict):
        return ()
    kind = _name(raw.get("type")) or "attachment"
    mime = "image/*" if kind in ("photo", "sticker", "animated_image_share") else "video/*"
    if kind not in ("photo", "sticker", "animated_image_share", "video_inline", "video"):
        mime = "application/octet-stream"
    return (Attachment(kind[:255], mime, 0),)


def _flags(item: Mapping[str, Any]) -> None:
    if item.get("is_unsupported") is True:
        raise SkipItem("unsupported")
    if item.get("is_deleted") is True or item.get("is_unsent") is True:
        raise SkipItem("deleted")


def _basics(
    item: Any,
    author_of: Callable[[Mapping[str, Any]], tuple[str, str] | None],
    time_key: str = "created_time",
    text_key: str = "message",
) -> tuple[str, tuple[str, str], int, str]:
    """What messages and comments all carry: id, author, time and text.

    Raises:
        SkipItem: malformed, unsupported or deleted, without an author, or without a time.
    """
    if not isinstance(item, dict):
        raise SkipItem("malformed")
    item_id = _id(item.get("id"))
    if item_id is None:
        raise SkipItem("malformed")
    _flags(item)
    author = author_of(item)
    if author is None:
        raise SkipItem("no_author")
    sent_at = parse_time_ms(item.get(time_key))
    if sent_at is None:
        raise SkipItem("bad_time")
    return item_id, author, sent_at, _text(item, text_key)


def parse_dm(
    item: Any,
    *,
    thread_id: str,
    customer: tuple[str, str] | None,
    own_ids: frozenset[str],
) -> InboundMessage:
    """One Messenger or Instagram direct message.

    Args:
        item: The Graph message object.
        thread_id: The conversation id.
        customer: ``(id, name)`` of the person the conversation is with, if known.
        own_ids: The Page's (and Instagram account's) ids: their messages are ``"out"``.

    Raises:
        SkipItem: the item is malformed, unsupported, deleted or empty.
    """
    mid, sender, sent_at, body = _basics(item, lambda i: _person(i.get("from")))
    attachments = _dm_attachments(item)
    if not body and not attachments:
        raise SkipItem("empty")
    if sender[0] in own_ids:
        to = item.get("to")
        people = to.get("data") if isinstance(to, dict) else None
        recipient = next(
            (
                p
                for p in (_person(x) for x in (people if isinstance(people, list) else []))
                if p is not None and p[0] not in own_ids
            ),
            customer,
        )
        if recipient is None:
            raise SkipItem("no_customer")
        handle, name = recipient
        if customer is not None and customer[0] == handle:
            name = customer[1] or name
        direction, author = "out", sender[1]
    else:
        handle, name = sender
        if customer is not None and customer[0] == handle and not name:
            name = customer[1]
        direction, author = "in", name
    return InboundMessage(
        external_id=mid,
        thread_id=thread_id,
        handle=handle,
        contact_name=name or handle,
        direction=direction,
        body=body,
        sent_at=sent_at,
        author=author,
        attachments=attachments,
    )


def comment_thread(object_id: str, commenter: str) -> str:
    """The thread of one person's comments on one post or media."""
    return f"comment:{object_id}:{commenter}"


def _thread_of(object_id: str, commenter: str) -> str:
    thread = comment_thread(object_id, commenter)
    if len(thread) > MAX_ID_CHARS:
        raise SkipItem("malformed")
    return thread


def split_comment_thread(thread_id: str) -> tuple[str, str] | None:
    """``(post or media id, commenter)`` of a comment thread id, or None for a conversation.

    Raises:
        Rejected: ``no_recipient`` for a comment thread whose post or media id is not an id.
    """
    kind, _, rest = thread_id.partition(":")
    object_id, _, commenter = rest.partition(":")
    if kind != "comment" or not object_id or not commenter:
        return None
    if path_id(object_id) is None:
        raise Rejected("no_recipient")
    return object_id, commenter


def parse_fb_comment(item: Any, *, post_id: str, own_ids: frozenset[str]) -> InboundMessage:
    """One comment on a Page post (read with ``filter=stream``, so replies come flat with their
    ``parent``). The Page's own replies go to the thread of the person they answer.

    Raises:
        SkipItem: malformed, no author (missing permission), the Page's own top-level
            comment, or empty.
    """
    cid, author, sent_at, body = _basics(item, lambda i: _person(i.get("from")))
    attachments = _comment_attachment(item)
    if not body and not attachments:
        raise SkipItem("empty")
    if author[0] in own_ids:
        parent = item.get("parent")
        person = _person(parent.get("from")) if isinstance(parent, dict) else None
        if person is None or person[0] in own_ids:
            raise SkipItem("own_comment")
        handle, name, direction = person[0], person[1], "out"
    else:
        handle, name, direction = author[0], author[1], "in"
    return InboundMessage(
        external_id=cid,
        thread_id=_thread_of(post_id, handle),
        handle=handle,
        contact_name=name or handle,
        direction=direction,
        body=body,
        sent_at=sent_at,
        author=author[1],
        attachments=attachments,
    )


def ig_commenter(item: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(handle, username)`` of an Instagram comment's author: the IGSID in ``from.id`` when
    given, else the username."""
    person = _person(item.get("from"))
    username = _name(item.get("username"))
    if person is not None:
        return person[0], person[1] or username
    if username and _id(username):
        return username, username
    return None


def parse_ig_comment(
    item: Any,
    *,
    media_id: str,
    own_ids: frozenset[str],
    parent: tuple[str, str] | None = None,
) -> InboundMessage:
    """One comment (or reply, with its top-level comment's author as ``parent``) on an
    Instagram media. The business's replies go to the thread of the person they answer.

    Raises:
        SkipItem: malformed, no author, the business's own top-level comment, or empty.
    """
    cid, author, sent_at, body = _basics(item, ig_commenter, "timestamp", "text")
    if not body:
        raise SkipItem("empty")
    if author[0] in own_ids or author[1] in own_ids:
        if parent is None or parent[0] in own_ids:
            raise SkipItem("own_comment")
        handle, name, direction = parent[0], parent[1], "out"
    else:
        handle, name, direction = author[0], author[1], "in"
    return InboundMessage(
        external_id=cid,
        thread_id=_thread_of(media_id, handle),
        handle=handle,
        contact_name=name or handle,
        direction=direction,
        body=body,
        sent_at=sent_at,
        author=author[1],
    )


@dataclass
class Edge:
    """An edge page as read: its items, and the ``after`` cursor when ``paging.next`` says
    there is more."""

    items: list[Any]
    after: str | None

    @classmethod
    def of(cls, value: Any) -> Edge:
        """Read ``{"data": [...], "paging": {...}}``; anything else is an empty edge."""
        if not isinstance(value, dict) or not isinstance(value.get("data"), list):
            return cls([], None)
        paging = value.get("paging")
        after = None
        if isinstance(paging, dict) and paging.get("next"):
            cursors = paging.get("cursors")
            after = _cursor_text(cursors.get("after")) if isinstance(cursors, dict) else None
        return cls(list(value["data"]), after)


def item_time_ms(item: Any) -> int | None:
    """The time of a raw message or comment, whatever its kind."""
    if not isinstance(item, dict):
        return None
    return parse_time_ms(item.get("created_time", item.get("timestamp")))


# -- cursor ----------------------------------------------------------------------------------


@dataclass
class _Run:
    """An unfinished pass over one source's containers."""

    top: int
    page: str | None = None
    done: list[str] = field(default_factory=list)
    edge: dict[str, Any] | None = None  # {"id", "after", "ctx", "n"}

    def as_json(self) -> dict[str, Any]:
        return {"top": self.top, "page": self.page, "done": self.done, "edge": self.edge}

    @classmethod
    def of(cls, value: Any) -> _Run | None:
        if value is None:
            return None
        top, page, done, edge = (value[k] for k in ("top", "page", "done", "edge"))
        if not isinstance(top, int) or not (page is None or isinstance(page, str)):
            raise TypeError
        if not isinstance(done, list) or not all(isinstance(d, str) for d in done):
            raise TypeError
        if edge is not None:
            if not isinstance(edge.get("id"), str) or not isinstance(edge.get("after"), str):
                raise TypeError
            if not isinstance(edge.get("ctx"), dict) or not isinstance(edge.get("n"), int):
                raise TypeError
        return cls(top, page, done, edge)


@dataclass
class _Stream:
    """One source's place: watermarks (seconds) and the pass in progress."""

    wm: int
    prev: int
    run: _Run | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "wm": self.wm,
            "prev": self.prev,
            "run": self.run.as_json() if self.run else None,
        }

    @classmethod
    def of(cls, value: Any) -> _Stream:
        wm, prev = value["wm"], value["prev"]
        if not isinstance(wm, int) or not isinstance(prev, int):
            raise TypeError
        return cls(wm, prev, _Run.of(value["run"]))


def load_cursor(cursor: str | None, keys: tuple[str, ...], start: int) -> dict[str, _Stream]:
    """The streams stored in a cursor; a missing or unreadable cursor starts at ``start``."""
    fresh = {k: _Stream(start, start) for k in keys}
    if not cursor:
        return fresh
    try:
        value = json.loads(cursor)
        if not isinstance(value, dict) or value.get("v") != 1:
            raise TypeError
        return {k: _Stream.of(value[k]) if k in value else fresh[k] for k in keys}
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("meta: unreadable cursor, starting again")
        return fresh


def dump_cursor(streams: Mapping[str, _Stream]) -> str:
    """The cursor string for these streams."""
    value: dict[str, Any] = {"v": 1}
    value.update({k: s.as_json() for k, s in streams.items()})
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


# -- the connector ---------------------------------------------------------------------------


@dataclass
class Container:
    """A conversation, post or media met in a listing.

    Attributes:
        id: Its Graph id.
        activity_ms: When it last changed (None: unknown).
        ctx: What parsing its items needs (kept in the cursor if paging is cut short).
        edge: Its embedded items.
    """

    id: str
    activity_ms: int | None
    ctx: dict[str, str]
    edge: Edge


class _Budget:
    def __init__(self, pages: int) -> None:
        self.left = pages

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def config_int(config: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """An integer setting (strings from the command line accepted), within bounds."""
    value = config.get(key, default)
    number = _int(value)
    if number is None or not low <= number <= high:
        raise ValueError(key)
    return number


def config_float(
    config: Mapping[str, Any], key: str, default: float, low: float, high: float
) -> float:
    """A number setting (strings accepted), within bounds."""
    value = config.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(key) from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ValueError(key)
    return number


def config_bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    """A yes/no setting (``true``/``false``/``yes``/``no``/``1``/``0`` strings accepted)."""
    value = config.get(key, default)
    if isinstance(value, bool):
        return value
    words = {"1": True, "true": True, "yes": True, "on": True}
    words.update({"0": False, "false": False, "no": False, "off": False})
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError(key)


def config_id(config: Mapping[str, Any], key: str) -> str:
    """A required Graph id setting (digits, as Page and Instagram ids are)."""
    value = _id(config.get(key))
    if value is None or not value.isdigit():
        raise ValueError(key)
    return value


def graph_url(config: Mapping[str, Any]) -> str:
    """The Graph base URL: https, or plain http only on the loopback (the local server)."""
    url = str(config.get("graph_url") or GRAPH_URL).rstrip("/")
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError("graph_url")
    return url


class MetaChannel(Channel):
    """What both Meta connectors do: poll conversations (and comments) and send replies.

    Subclasses set ``platform`` (``messenger`` or ``instagram``) and fill in the comment
    source and how a comment thread is answered. ``skipped`` counts the items left out, by
    reason code, since the connector was made.

    Args:
        base_url: Graph API base, e.g. ``https://graph.facebook.com/v21.0``.
        token: The Page access token (kept in the HTTP client only; never logged).
        page_id: The Facebook Page (for Instagram: the Page linked to the account).
        own_ids: Ids whose messages are the clinic's.
        bucket: The rate budget (``from_config`` uses the process-wide one of the account).
        transport: Injected HTTP transport for tests.
        clock: Wall-clock seconds (injectable for tests).
        max_pages: Most Graph requests per :meth:`fetch`.
        page_size: Conversations (posts, media) per list page.
        backfill_days: How far back the first fetch reads.
        comments: Whether comments are polled too.
        comment_days: Posts or media published in the last N days are scanned for comments.
        human_agent: Whether the app may use the HUMAN_AGENT tag (24 h-7 d replies).
        max_length: Longest reply, in characters.
        timeout_s: HTTP read timeout.
        proxy: Proxy URL, if any.
    """

    platform = "messenger"
    streams: tuple[str, ...] = ("dm", "cm")

    def __init__(
        self,
        base_url: str,
        token: str,
        page_id: str,
        *,
        own_ids: frozenset[str],
        bucket: TokenBucket,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        max_pages: int = 10,
        page_size: int = 25,
        backfill_days: int = 30,
        comments: bool = True,
        comment_days: int = 14,
        human_agent: bool = True,
        max_length: int = 2000,
        timeout_s: float = 15.0,
        proxy: str | None = None,
    ) -> None:
        self.page_id = page_id
        self.own_ids = own_ids
        self.bucket = bucket
        self.max_pages = max_pages
        self.page_size = page_size
        self.backfill_days = backfill_days
        self.comments = comments
        self.comment_days = comment_days
        self.human_agent = human_agent
        self.skipped: Counter[str] = Counter()
        self._clock = clock
        self._has_token = bool(token)
        self._client = make_client(
            base_url, token=token or None, proxy=proxy, timeout_s=timeout_s, transport=transport
        )
        window = HUMAN_AGENT_WINDOW_S if human_agent else STANDARD_WINDOW_S
        self.capabilities = Capabilities(
            reply_window_s=window, max_length=max_length, attachments=False, dedupes=False
        )

    # -- HTTP --------------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _answer(self, response: httpx.Response, *, sending: bool) -> dict[str, Any]:
        try:
            payload: Any = response.json()
        except (ValueError, RecursionError):
            payload = None
        error = graph_error(response.status_code, payload, response.headers, sending=sending)
        if error is not None:
            raise error
        try:
            raise_for_status(response)
        except Transient as exc:
            raise Transient(str(exc), ambiguous=sending) from None
        if not isinstance(payload, dict):
            if sending:  # the message may well have gone out: let a person check
                raise Transient("malformed_response", ambiguous=True)
            raise Rejected("malformed_response")
        return payload

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        if not self._has_token:
            raise AuthExpired("no_token")
        self.bucket.acquire()
        with checked():
            response = self._client.get(path, params=params)
        return self._answer(response, sending=False)

    def _post(
        self, path: str, *, json_body: Any = None, form: dict[str, str] | None = None
    ) -> dict[str, Any]:
        if not self._has_token:
            raise AuthExpired("no_token")
        with checked(sending=True):
            response = self._client.post(path, json=json_body, data=form)
        return self._answer(response, sending=True)

    # -- fetch -------------------------------------------------------------------------------

    def _active_streams(self) -> tuple[str, ...]:
        return self.streams if self.comments else ("dm",)

    def fetch(self, cursor: str | None) -> FetchResult:
        """New messages and comments since ``cursor`` (see the module docstring)."""
        start = int(self._clock()) - self.backfill_days * DAY_S
        keys = self._active_streams()
        streams = load_cursor(cursor, keys, start)
        if all(s.run is None for s in streams.values()):
            for s in streams.values():
                s.run = _Run(top=s.wm)
        budget = _Budget(self.max_pages)
        out: dict[str, InboundMessage] = {}
        for key in keys:
            stream = streams[key]
            if stream.run is not None and not self._advance(key, stream, budget, out):
                break
        more = any(s.run is not None for s in streams.values())
        return FetchResult(list(out.values()), dump_cursor(streams), more)

    def _advance(
        self, key: str, stream: _Stream, budget: _Budget, out: dict[str, InboundMessage]
    ) -> bool:
        """Work on one source's pass; True when it is finished."""
        run = stream.run
        assert run is not None
        bound_ms = (stream.prev - LOOKBACK_S) * 1000
        stop_ms = (stream.wm - LOOKBACK_S) * 1000
        while True:
            if run.edge is not None:
                if not self._continue_edge(key, run, bound_ms, budget, out):
                    return False
                run.done.append(run.edge["id"])
                run.edge = None
            if not budget.take():
                return False
            payload = self._list(key, run.page)
            listing = Edge.of(payload)
            if not isinstance(payload.get("data"), list):
                raise Rejected("malformed_page")
            reached_end = False
            for raw in listing.items:
                container = self._container(key, raw)
                if container is None:
                    continue
                if container.activity_ms is not None:
                    run.top = max(run.top, container.activity_ms // 1000)
                    if self._ordered(key) and container.activity_ms < stop_ms:
                        reached_end = True
                        break
                if container.id in run.done:
                    continue
                if not self._take_items(key, container.ctx, container.edge, run, bound_ms, out):
                    run.done.append(container.id)
                    continue
                run.edge = {
                    "id": container.id,
                    "after": container.edge.after,
                    "ctx": container.ctx,
                    "n": 1,
                }
                if not self._continue_edge(key, run, bound_ms, budget, out):
                    return False
                run.done.append(container.id)
                run.edge = None
            if reached_end or listing.after is None:
                stream.prev, stream.wm = stream.wm, max(stream.wm, run.top)
                stream.run = None
                return True
            run.page, run.done = listing.after, []

    def _take_items(
        self,
        key: str,
        ctx: dict[str, str],
        edge: Edge,
        run: _Run,
        bound_ms: int,
        out: dict[str, InboundMessage],
    ) -> bool:
        """Keep an edge page's items newer than the bound; True if older ones may follow on a
        next page."""
        oldest: int | None = None
        for msg in self._parse_items(key, ctx, edge.items):
            if msg.sent_at >= bound_ms:
                out.setdefault(msg.external_id, msg)
            run.top = max(run.top, msg.sent_at // 1000)
        for item in edge.items:
            t = item_time_ms(item)
            if t is not None:
                oldest = t if oldest is None else min(oldest, t)
        return edge.after is not None and (oldest is None or oldest >= bound_ms)

    def _continue_edge(
        self,
        key: str,
        run: _Run,
        bound_ms: int,
        budget: _Budget,
        out: dict[str, InboundMessage],
    ) -> bool:
        """Follow a container's items page by page; True when done, False out of budget."""
        edge = run.edge
        assert edge is not None
        while True:
            if edge["n"] >= MAX_EDGE_PAGES:
                self._skip("edge_truncated")
                return True
            if not budget.take():
                return False
            page = Edge.of(self._edge_page(key, edge["id"], edge["ctx"], edge["after"]))
            edge["n"] += 1
            if not self._take_items(key, edge["ctx"], page, run, bound_ms, out):
                return True
            edge["after"] = page.after

    def _skip(self, reason: str, item_id: str = "") -> None:
        self.skipped[reason] += 1
        log.info("meta: skipped an item (%s) %s", reason, item_id[:80])

    def _parse_each(
        self, items: list[Any], parse: Callable[[Any], InboundMessage]
    ) -> Iterator[InboundMessage]:
        for item in items:
            try:
                yield parse(item)
            except SkipItem as skip:
                raw_id = item.get("id") if isinstance(item, dict) else None
                self._skip(skip.reason, raw_id if isinstance(raw_id, str) else "")

    # -- sources (conversations here; comments in the subclasses) -------------------------

    def _ordered(self, key: str) -> bool:
        """Whether the listing comes newest activity first (so a pass may stop early)."""
        return key == "dm"

    def _list(self, key: str, after: str | None) -> dict[str, Any]:
        if key != "dm":
            return self._list_comments(after)
        params = {
            "platform": self.platform,
            "fields": (
                "id,updated_time,participants,"
                f"messages.limit({MESSAGES_PER_PAGE}){{{MESSAGE_FIELDS}}}"
            ),
            "limit": str(self.page_size),
        }
        if after:
            params["after"] = after
        return self._get(f"/{self.page_id}/conversations", params)

    def _container(self, key: str, raw: Any) -> Container | None:
        if key != "dm":
            return self._comment_container(raw)
        if not isinstance(raw, dict) or path_id(raw.get("id")) is None:
            self._skip("malformed_conversation")
            return None
        ctx = {"thread": str(raw["id"])}
        people = raw.get("participants")
        entries = people.get("data") if isinstance(people, dict) else None
        for person in entries if isinstance(entries, list) else []:
            found = _person(person)
            if found is not None and found[0] not in self.own_ids:
                ctx["customer"], ctx["name"] = found
                break
        return Container(
            ctx["thread"],
            parse_time_ms(raw.get("updated_time")),
            ctx,
            Edge.of(raw.get("messages")),
        )

    def _edge_page(self, key: str, cid: str, ctx: dict[str, str], after: str) -> dict[str, Any]:
        if key != "dm":
            return self._comment_edge_page(cid, ctx, after)
        params = {"fields": MESSAGE_FIELDS, "limit": str(MESSAGES_PER_PAGE), "after": after}
        return self._get(f"/{cid}/messages", params)

    def _parse_items(
        self, key: str, ctx: dict[str, str], items: list[Any]
    ) -> Iterator[InboundMessage]:
        if key != "dm":
            return self._parse_comments(ctx, items)
        customer = (ctx["customer"], ctx.get("name", "")) if "customer" in ctx else None
        return self._parse_each(
            items,
            lambda item: parse_dm(
                item, thread_id=ctx["thread"], customer=customer, own_ids=self.own_ids
            ),
        )

    def _list_comments(self, after: str | None) -> dict[str, Any]:
        raise NotImplementedError

    def _comment_container(self, raw: Any) -> Container | None:
        raise NotImplementedError

    def _comment_edge_page(self, cid: str, ctx: dict[str, str], after: str) -> dict[str, Any]:
        raise NotImplementedError

    def _parse_comments(self, ctx: dict[str, str], items: list[Any]) -> Iterator[InboundMessage]:
        raise NotImplementedError

    def _since(self) -> str:
        return str(int(self._clock()) - self.comment_days * DAY_S)

    # -- send --------------------------------------------------------------------------------

    def send(self, reply: OutgoingReply) -> str:
        """Send one reply: a message in a conversation, or an answer to a comment thread.

        The reply window is checked first from ``reply.customer_last_at`` (or, if the
        runtime did not give it, from the conversation's latest messages): within 24 h it goes
        out as ``RESPONSE``, up to 7 days as ``MESSAGE_TAG``/``HUMAN_AGENT``, and after that it
        is refused without calling the API.

        Raises:
            Rejected: ``empty_text``, ``text_too_long``, ``outside_window``,
                ``no_recipient``, or the API's reason.
        """
        body = reply.body
        if not body.strip():
            raise Rejected("empty_text")
        if len(body) > self.capabilities.max_length:
            raise Rejected("text_too_long")
        target = split_comment_thread(reply.thread_id)
        if target is not None:
            return self._send_comment_reply(reply, *target)
        handle, last_at = reply.handle, reply.customer_last_at
        if not handle or last_at is None:
            handle, last_at = self._conversation_state(reply.thread_id, handle, last_at)
        payload: dict[str, Any] = {
            "recipient": {"id": handle},
            "message": self._message(reply),
        }
        payload.update(self._messaging_type(last_at))
        answer = self._post(f"/{self.page_id}/messages", json_body=payload)
        return self._message_id(answer)

    def _message(self, reply: OutgoingReply) -> dict[str, str]:
        return {"text": reply.body, "metadata": reply.reply_id}

    def _messaging_type(self, last_at: int | None) -> dict[str, str]:
        window = reply_window(self._now_ms(), last_at)
        if window.code == "open" and window.seconds_left > SEND_MARGIN_S:
            return {"messaging_type": "RESPONSE"}
        tag_ok = window.code == "open" or (
            window.code == "human_agent" and window.seconds_left > SEND_MARGIN_S
        )
        if tag_ok and self.human_agent:
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        raise Rejected("outside_window")

    @staticmethod
    def _message_id(answer: Mapping[str, Any]) -> str:
        mid = _id(answer.get("message_id", answer.get("id")))
        if mid is None:
            raise Transient("malformed_response", ambiguous=True)
        return mid

    def _conversation_state(
        self, thread_id: str, handle: str, last_at: int | None
    ) -> tuple[str, int | None]:
        """The customer's id and last message time, read from the conversation."""
        if path_id(thread_id) is None:
            raise Rejected("no_recipient")
        payload = self._get(
            f"/{thread_id}",
            {"fields": f"participants,messages.limit({MESSAGES_PER_PAGE}){{from,created_time}}"},
        )
        people = payload.get("participants")
        entries = people.get("data") if isinstance(people, dict) else None
        for person in entries if isinstance(entries, list) else []:
            found = _person(person)
            if not handle and found is not None and found[0] not in self.own_ids:
                handle = found[0]
        if last_at is None:
            for item in Edge.of(payload.get("messages")).items:
                sender = _person(item.get("from")) if isinstance(item, dict) else None
                at = item_time_ms(item)
                if sender is not None and sender[0] == handle and at is not None:
                    last_at = at if last_at is None else max(last_at, at)
        if not handle:
            raise Rejected("no_recipient")
        return handle, last_at

    def _send_comment_reply(self, reply: OutgoingReply, object_id: str, commenter: str) -> str:
        raise Rejected("unsupported_thread")

    def close(self) -> None:
        self._client.close()
