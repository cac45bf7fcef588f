"""Connector for X (Twitter API v2): mentions and Direct Messages in, reply posts and DMs out.

Endpoints used, with the pages they follow:

``GET /2/users/:id/mentions``
    https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart
    (``since_id``, ``pagination_token``, ``max_results`` 5-100, ``tweet.fields``,
    ``expansions=author_id``, ``user.fields``; answer ``data``, ``includes.users``,
    ``meta.newest_id/oldest_id/result_count/next_token``). Newest first; ``next_token`` walks
    back towards ``since_id``.
``GET /2/dm_events``
    https://docs.x.com/x-api/direct-messages/lookup/introduction and
    https://docs.x.com/x-api/direct-messages/lookup/quickstart (``dm_event.fields``,
    ``event_types``, ``pagination_token``, ``meta.next_token``; events of the last 30 days,
    newest first, no ``since_id``).
``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``
    https://docs.x.com/x-api/posts/manage-tweets/quickstart
``POST /2/dm_conversations/:dm_conversation_id/messages``
    https://developer.x.com/en/docs/x-api/direct-messages/manage and
    https://docs.x.com/x-api/direct-messages/create-dm-message-by-participant-id
Rate limits and their headers (``x-rate-limit-limit/remaining/reset``, 429)
    https://docs.x.com/x-api/fundamentals/rate-limits and https://docs.x.com/fundamentals/rate-limits
Error bodies (problem JSON ``type``, ``title``, ``detail``, ``status``; or ``errors: [...]``)
    https://docs.x.com/xdks/typescript/reference/interfaces/Schemas.Problem
Counting characters (280 weighted; CJK and emoji weigh 2, URLs 23)
    https://docs.x.com/fundamentals/counting-characters

Conversations:
- A mention is a message in the thread ``conversation_id`` (the root post's id); its handle is
  the author's username. A reply goes out as a post replying to the latest mention this
  connector saw in that conversation (or to the root post after a restart).
- A DM is a message in the thread ``dm:{dm_conversation_id}``; it is ``"out"`` when the clinic's
  account sent it (from the X app or through :meth:`XChannel.send`), ``"in"`` otherwise.

The cursor is a small JSON object the runtime stores with each page. Mentions keep ``since_id``
(advanced only when a sweep of pages is complete) and the sweep's ``pagination_token``; DMs keep
the newest event id already stored (the sweep stops at it) and the sweep's token. A crash before
the page is stored means the next fetch starts again from the previous cursor; the messages it
returns again are dropped as duplicates by external id.

Costs: X bills API use, and ``GET /2/users/:id/mentions`` allows 300 requests per 15 minutes per
user. A new polling round starts at most every ``poll_interval_s`` seconds (default 120) and
every read request is counted by a :class:`RateBudget`; the server's own rate headers override
it. :meth:`XChannel.budget` and :meth:`XChannel.monthly_requests_estimate` are for the admin.

Neither endpoint that sends takes an idempotency key, so ``dedupes`` is False: a send whose
outcome is unknown raises ``Transient(ambiguous=True)`` and the outbox marks it unknown.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from console.channels.base import (
    Attachment,
    AuthExpired,
    Capabilities,
    Channel,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
    checked,
    make_client,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.x.com"
DEFAULT_POLL_INTERVAL_S = 120.0
MENTIONS_PER_WINDOW = 300
DM_EVENTS_PER_WINDOW = 300
RATE_WINDOW_S = 900.0
POST_MAX_WEIGHTED = 280
DM_MAX_CHARS = 10_000
SECONDS_PER_MONTH = 30 * 24 * 3600
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657

MENTION_FIELDS = "created_at,author_id,conversation_id"
DM_FIELDS = "id,text,event_type,dm_conversation_id,created_at,sender_id,attachments"
USER_FIELDS = "username,name"

_ID = re.compile(r"[0-9]{1,20}")
_DM_CONVERSATION = re.compile(r"[0-9]{1,20}(?:-[0-9]{1,20})?")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")
_MAX_CACHE = 10_000
_NAME_CHARS = 200

# twitter-text v3 configuration: code points in these ranges weigh 1, every other weighs 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_URL_WEIGHT = 23


def weighted_length(text: str) -> int:
    """The length X counts for a post, following the counting-characters page.

    Text is NFC-normalised; code points in the light ranges count 1, all others (Hangul, CJK,
    emoji) count 2; each URL counts 23. It over-counts emoji sequences joined by ZWJ (X counts
    them as 2 in all), so it never lets through a post X would refuse for length.
    """
    text = unicodedata.normalize("NFC", text)
    urls = _URL.findall(text)
    text = _URL.sub("", text)
    total = _URL_WEIGHT * len(urls)
    for ch in text:
        cp = ord(ch)
        total += 1 if any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES) else 2
    return total


def clean_text(value: str) -> str:
    """Make text safe to store without changing what it says.

    Lone UTF-16 surrogates (which JSON can carry but UTF-8 cannot) and NUL become U+FFFD;
    everything else, markup and control characters included, is kept verbatim.
    """
    fixed = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return fixed.replace("\x00", "\ufffd")


def snowflake_ms(tweet_id: str) -> int:
    """When an X id was made, from its snowflake bits (ms since the epoch)."""
    return (int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS


def _id(value: Any) -> str | None:
    """An X id as a decimal string, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 10**20:
        return str(value)
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    return None


def _time_ms(value: Any, item_id: str) -> int:
    """``created_at`` (ISO 8601) in ms; the id's snowflake time if it is missing or bad."""
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return int(parsed.timestamp() * 1000)
        except (ValueError, OverflowError):
            pass
    return snowflake_ms(item_id)


def _name(value: Any) -> str:
    return clean_text(value)[:_NAME_CHARS] if isinstance(value, str) else ""


def _slug(value: str) -> str:
    return _SLUG.sub("_", value.lower()).strip("_")[:40]


def _users(payload: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """``includes.users`` as id -> (username, name); malformed entries are ignored."""
    includes = payload.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    found: dict[str, tuple[str, str]] = {}
    if isinstance(users, list):
        for user in users:
            if isinstance(user, dict) and (uid := _id(user.get("id"))) is not None:
                found[uid] = (_name(user.get("username")), _name(user.get("name")))
    return found


def _items(payload: Any) -> tuple[Mapping[str, Any], list[Any], Mapping[str, Any], list[str]]:
    """Split a list answer into (payload, data, meta, skipped reasons for partial errors)."""
    if not isinstance(payload, dict):
        raise Rejected("malformed_page")
    data = payload.get("data", [])
    if data is None:
        data = []
    if not isinstance(data, list):
        raise Rejected("malformed_page")
    meta = payload.get("meta")
    errors = payload.get("errors")
    skipped = []
    if isinstance(errors, list):  # partial errors, e.g. a deleted post or a suspended author
        for err in errors:
            kind = err.get("type") if isinstance(err, dict) else None
            reason = _slug(kind.rsplit("/", 1)[-1]) if isinstance(kind, str) else ""
            skipped.append(f"api_error:{reason or 'unknown'}")
    return payload, data, meta if isinstance(meta, dict) else {}, skipped


@dataclass
class ParsedPage:
    """One API page, normalised.

    Attributes:
        messages: The messages that could be read.
        skipped: A reason code for every item left out.
        ids: Every valid item id seen (kept or skipped), to advance past them.
        next_token: ``meta.next_token``, if any.
        users: Users named in ``includes`` (id -> (username, name)).
        reply_targets: conversation id -> latest inbound post id on this page.
    """

    messages: list[InboundMessage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    next_token: str | None = None
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    reply_targets: dict[str, str] = field(default_factory=dict)


def _token(meta: Mapping[str, Any]) -> str | None:
    token = meta.get("next_token")
    return token if isinstance(token, str) and 0 < len(token) <= 512 else None


def parse_mentions(payload: Any, user_id: str) -> ParsedPage:
    """Normalise a ``GET /2/users/:id/mentions`` answer.

    Args:
        payload: The decoded JSON.
        user_id: The clinic's own X user id (its posts are ``"out"``).

    Raises:
        Rejected: The page as a whole is unreadable (``malformed_page``).
    """
    payload, data, meta, skipped = _items(payload)
    page = ParsedPage(skipped=skipped, next_token=_token(meta), users=_users(payload))
    for item in data:
        if not isinstance(item, dict) or (tid := _id(item.get("id"))) is None:
            page.skipped.append("bad_id")
            continue
        page.ids.append(int(tid))
        text = item.get("text")
        author = _id(item.get("author_id"))
        if not isinstance(text, str):
            page.skipped.append("no_text")
            continue
        if author is None:
            page.skipped.append("no_author")
            continue
        conversation = _id(item.get("conversation_id")) or tid
        username, name = page.users.get(author, ("", ""))
        direction = "out" if author == user_id else "in"
        page.messages.append(
            InboundMessage(
                external_id=tid,
                thread_id=conversation,
                handle=username or author,
                contact_name=name or username or author,
                direction=direction,
                body=clean_text(text),
                sent_at=_time_ms(item.get("created_at"), tid),
                author=username or author,
            )
        )
        if direction == "in":
            known = page.reply_targets.get(conversation)
            if known is None or int(tid) > int(known):
                page.reply_targets[conversation] = tid
    return page


def parse_dm_events(
    payload: Any, user_id: str, known_users: Mapping[str, tuple[str, str]] | None = None
) -> ParsedPage:
    """Normalise a ``GET /2/dm_events`` answer.

    Args:
        payload: The decoded JSON.
        user_id: The clinic's own X user id (events it sent are ``"out"``).
        known_users: Users seen before (id -> (username, name)), to name the customer of an
            outgoing message.

    Raises:
        Rejected: The page as a whole is unreadable (``malformed_page``).
    """
    payload, data, meta, skipped = _items(payload)
    page = ParsedPage(skipped=skipped, next_token=_token(meta), users=_users(payload))
    users = {**(known_users or {}), **page.users}
    for item in data:
        if not isinstance(item, dict) or (eid := _id(item.get("id"))) is None:
            page.skipped.append("bad_id")
            continue
        page.ids.append(int(eid))
        kind = item.get("event_type")
        if kind != "MessageCreate":
            page.skipped.append(f"event:{_slug(kind) if isinstance(kind, str) else 'unknown'}")
            continue
        conversation = item.get("dm_conversation_id")
        sender = _id(item.get("sender_id"))
        if not isinstance(conversation, str) or not _DM_CONVERSATION.fullmatch(conversation):
            page.skipped.append("no_conversation")
            continue
        if sender is None:
            page.skipped.append("no_sender")
            continue
        text = item.get("text", "")
        if not isinstance(text, str):
            page.skipped.append("no_text")
            continue
        outgoing = sender == user_id
        customer = sender
        if outgoing:
            others = [p for p in conversation.split("-") if p != user_id]
            customer = others[0] if others else sender
        username, name = users.get(customer, ("", ""))
        page.messages.append(
            InboundMessage(
                external_id=eid,
                thread_id=f"dm:{conversation}",
                handle=username or customer,
                contact_name=name or username or customer,
                direction="out" if outgoing else "in",
                body=clean_text(text),
                sent_at=_time_ms(item.get("created_at"), eid),
                author=users.get(sender, ("", ""))[0] or sender,
                attachments=_dm_attachments(item.get("attachments")),
            )
        )
    return page


def _dm_attachments(value: Any) -> tuple[Attachment, ...]:
    keys = value.get("media_keys") if isinstance(value, dict) else None
    if not isinstance(keys, list):
        return ()
    return tuple(
        Attachment(name=_name(k), mime_type="application/octet-stream", size=0)
        for k in keys[:20]
        if isinstance(k, str)
    )


class RateBudget:
    """Requests left in a sliding window, so the connector stops before the API says 429.

    Args:
        limit: Requests allowed per window.
        window_s: The window, in seconds.
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = max(1, limit)
        self.window_s = window_s
        self._clock = clock
        self._stamps: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def _wait(self, now: float) -> float:
        while self._stamps and self._stamps[0] <= now - self.window_s:
            self._stamps.popleft()
        wait = max(0.0, self._blocked_until - now)
        if len(self._stamps) >= self.limit:
            wait = max(wait, self._stamps[0] + self.window_s - now)
        return wait

    def used(self) -> int:
        """Requests made in the current window."""
        with self._lock:
            self._wait(self._clock())
            return len(self._stamps)

    def wait_s(self) -> float:
        """Seconds until the next request may go (0: now)."""
        with self._lock:
            return self._wait(self._clock())

    def take(self) -> None:
        """Count one request.

        Raises:
            RateLimited: The budget is spent; ``retry_after`` says for how long.
        """
        with self._lock:
            now = self._clock()
            wait = self._wait(now)
            if wait > 0:
                raise RateLimited(math.ceil(wait))
            self._stamps.append(now)

    def block_for(self, seconds: float) -> None:
        """The API said no requests are left for ``seconds``."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            self._blocked_until = max(self._blocked_until, until)

    def snapshot(self) -> tuple[int, int, float]:
        """``(used, limit, window_s)``."""
        return self.used(), self.limit, self.window_s


@dataclass(frozen=True)
class _Sweep:
    """Where one stream (mentions or DMs) stands."""

    mark: str | None = None  # mentions: since_id; DMs: newest event id stored
    token: str | None = None  # pagination token inside a sweep (None: no sweep under way)
    top: str | None = None  # newest id seen in the sweep under way
    pages: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"mark": self.mark, "token": self.token, "top": self.top, "pages": self.pages}

    @classmethod
    def from_json(cls, value: Any) -> _Sweep:
        if not isinstance(value, dict):
            return cls()
        mark, top = _id(value.get("mark")), _id(value.get("top"))
        token = value.get("token")
        pages = value.get("pages")
        return cls(
            mark=mark,
            token=token if isinstance(token, str) and token else None,
            top=top,
            pages=pages if isinstance(pages, int) and not isinstance(pages, bool) else 0,
        )

    def advance(self, ids: list[int], next_token: str | None, complete: bool) -> _Sweep:
        """The state after one page: carry on with ``next_token`` or close the sweep."""
        top = max([*ids, *([int(self.top)] if self.top else [])], default=None)
        top_s = str(top) if top is not None else None
        if next_token is None or complete:
            best = max(
                [int(x) for x in (self.mark, top_s) if x is not None],
                default=None,
            )
            return _Sweep(mark=str(best) if best is not None else None)
        return _Sweep(mark=self.mark, token=next_token, top=top_s, pages=self.pages + 1)


def _load_cursor(cursor: str | None) -> tuple[_Sweep, _Sweep]:
    if not cursor:
        return _Sweep(), _Sweep()
    try:
        value = json.loads(cursor)
    except ValueError:
        value = None
    if not isinstance(value, dict) or value.get("v") != 1:
        log.warning("x: unreadable cursor, starting over (duplicates are dropped)")
        return _Sweep(), _Sweep()
    return _Sweep.from_json(value.get("m")), _Sweep.from_json(value.get("d"))


def _dump_cursor(mentions: _Sweep, dms: _Sweep) -> str:
    return json.dumps(
        {"v": 1, "m": mentions.as_json(), "d": dms.as_json()}, sort_keys=True, separators=(",", ":")
    )


def _problem(payload: Any) -> str:
    """A short reason code from an X error body (problem JSON or ``errors``)."""
    if not isinstance(payload, dict):
        return ""
    kind = payload.get("type")
    if isinstance(kind, str) and "/problems/" in kind:
        return _slug(kind.rsplit("/", 1)[-1])
    detail = " ".join(str(payload.get(k, "")) for k in ("title", "detail"))
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        kind = first.get("type")
        if isinstance(kind, str) and "/problems/" in kind:
            return _slug(kind.rsplit("/", 1)[-1])
        detail += " " + str(first.get("message", ""))
        code = first.get("code")
        if isinstance(code, int) and not isinstance(code, bool) and not detail.strip():
            return f"x_{code}"
    if "duplicate" in detail.lower():
        return "duplicate_content"
    return ""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def estimate_monthly_requests(poll_interval_s: float, dms: bool = True) -> int:
    """Read requests a 30-day month of polling costs: X bills per request, so the admin sees
    this next to the polling interval. One request per polled endpoint per round; busy rounds
    that page cost more."""
    rounds = math.ceil(SECONDS_PER_MONTH / max(poll_interval_s, 1.0))
    return rounds * (2 if dms else 1)


class XChannel(Channel):
    """One X account: its mentions and DMs, replies by post or DM.

    Args:
        user_id: The clinic's X user id.
        token: A user-context OAuth 2.0 bearer token (scopes tweet.read, tweet.write,
            users.read, dm.read, dm.write).
        base_url: The API's address.
        poll_interval_s: Least time between the starts of two polling rounds.
        dms: Poll and send DMs too (needs DM access on the X plan).
        page_size: ``max_results`` per request (5-100).
        backfill_pages: Pages read on the very first round (each costs a request).
        mentions_per_window: Budget for the mentions endpoint per ``window_s``.
        dm_events_per_window: Budget for the DM events endpoint per ``window_s``.
        window_s: The rate-limit window.
        timeout_s: Network timeout.
        proxy: Proxy URL, if the clinic uses one.
        transport: Injected transport for tests.
        clock: Monotonic seconds (injectable for tests).
        wall_clock: Epoch seconds, to read ``x-rate-limit-reset`` (injectable for tests).
    """

    capabilities = Capabilities(max_length=POST_MAX_WEIGHTED, dedupes=False)

    def __init__(
        self,
        user_id: str,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
        dms: bool = True,
        page_size: int = 100,
        backfill_pages: int = 1,
        mentions_per_window: int = MENTIONS_PER_WINDOW,
        dm_events_per_window: int = DM_EVENTS_PER_WINDOW,
        window_s: float = RATE_WINDOW_S,
        timeout_s: float = 15.0,
        proxy: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if _id(user_id) is None:
            raise ValueError("user_id")
        self.user_id = user_id
        self.poll_interval_s = max(0.0, poll_interval_s)
        self.dms = dms
        self.page_size = min(100, max(5, page_size))
        self.backfill_pages = max(1, backfill_pages)
        self._token = token
        self._clock = clock
        self._wall = wall_clock
        self.mentions_budget = RateBudget(mentions_per_window, window_s, clock)
        self.dm_budget = RateBudget(dm_events_per_window, window_s, clock)
        self._client = make_client(
            base_url.rstrip("/"),
            token=token or None,
            proxy=proxy,
            timeout_s=timeout_s,
            transport=transport,
        )
        self._last_round: float | None = None
        self._users: dict[str, tuple[str, str]] = {}
        self._reply_to: dict[str, str] = {}
        self.skipped: Counter[str] = Counter()
        self.requests = 0
        self.items_read = 0

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        secret: str | None,
        transport: httpx.BaseTransport | None = None,
    ) -> XChannel:
        """Build from an account's settings.

        Args:
            config: ``user_id`` (required); optional ``base_url``, ``poll_interval_s``,
                ``dms``, ``page_size``, ``backfill_pages``, ``mentions_per_window``,
                ``dm_events_per_window``, ``timeout_s``, ``proxy``.
            secret: The user-context bearer token from the keyring.
            transport: Injected transport for tests.
        """
        return cls(
            str(config["user_id"]),
            secret or "",
            base_url=str(config.get("base_url") or DEFAULT_BASE_URL),
            poll_interval_s=float(config.get("poll_interval_s", DEFAULT_POLL_INTERVAL_S)),
            dms=bool(config.get("dms", True)),
            page_size=int(config.get("page_size", 100)),
            backfill_pages=int(config.get("backfill_pages", 1)),
            mentions_per_window=int(config.get("mentions_per_window", MENTIONS_PER_WINDOW)),
            dm_events_per_window=int(config.get("dm_events_per_window", DM_EVENTS_PER_WINDOW)),
            timeout_s=float(config.get("timeout_s", 15.0)),
            proxy=str(config["proxy"]) if config.get("proxy") else None,
            transport=transport,
        )

    # -- admin ---------------------------------------------------------------------------

    def budget(self) -> tuple[int, int, float]:
        """The mentions rate budget: ``(used, limit, window_s)``."""
        return self.mentions_budget.snapshot()

    def monthly_requests_estimate(self) -> int:
        """Read requests a 30-day month of polling costs at the configured interval."""
        return estimate_monthly_requests(self.poll_interval_s, self.dms)

    def max_length_for(self, thread_id: str) -> int:
        """The longest reply for a thread: 10,000 characters in DMs, 280 weighted in posts."""
        return DM_MAX_CHARS if thread_id.startswith("dm:") else POST_MAX_WEIGHTED

    # -- fetching ------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        if not self._token:
            raise AuthExpired("no_token")
        mentions, dms = _load_cursor(cursor)
        started = self._clock()
        new_round = mentions.token is None and dms.token is None
        if new_round:
            if self._last_round is not None and started - self._last_round < self.poll_interval_s:
                return FetchResult([], cursor, False)  # not due: no request, nothing changes
            do_mentions, do_dms = True, self.dms
        else:
            do_mentions, do_dms = mentions.token is not None, self.dms and dms.token is not None
        # Both budgets first: a page is fetched whole or not at all.
        waits = [
            b.wait_s()
            for b, on in ((self.mentions_budget, do_mentions), (self.dm_budget, do_dms))
            if on
        ]
        if any(w > 0 for w in waits):
            raise RateLimited(math.ceil(max(waits)))
        try:
            return self._fetch_page(mentions, dms, do_mentions, do_dms, started, new_round)
        except Rejected as exc:
            if new_round or exc.reason != "invalid_request":
                raise
            # A pagination token the API no longer takes: start the sweeps again from their
            # marks. What the lost sweep had stored comes again and is dropped as duplicates.
            log.warning("x: pagination token refused, restarting the sweep")
            restart = _dump_cursor(_Sweep(mark=mentions.mark), _Sweep(mark=dms.mark))
            return FetchResult([], restart, True)

    def _fetch_page(
        self,
        mentions: _Sweep,
        dms: _Sweep,
        do_mentions: bool,
        do_dms: bool,
        started: float,
        new_round: bool,
    ) -> FetchResult:
        messages: list[InboundMessage] = []
        if do_mentions:
            page = self._get_mentions(mentions)
            fresh = [
                m
                for m in page.messages
                if not mentions.mark or int(m.external_id) > int(mentions.mark)
            ]
            messages += fresh
            first_run = mentions.mark is None and mentions.pages + 1 >= self.backfill_pages
            mentions = mentions.advance(page.ids, page.next_token, complete=first_run)
            self._remember(page)
        if do_dms:
            page = self._get_dm_events(dms)
            mark = int(dms.mark) if dms.mark else None
            fresh = [m for m in page.messages if mark is None or int(m.external_id) > mark]
            reached = mark is not None and any(i <= mark for i in page.ids)
            first_run = mark is None and dms.pages + 1 >= self.backfill_pages
            messages += fresh
            dms = dms.advance(page.ids, page.next_token, complete=reached or first_run)
            self._remember(page)
        if new_round:  # only a round that worked counts: a failed one is retried when due
            self._last_round = started
        more = mentions.token is not None or (self.dms and dms.token is not None)
        self.items_read += len(messages)
        return FetchResult(messages, _dump_cursor(mentions, dms), more)

    def _remember(self, page: ParsedPage) -> None:
        if len(self._users) > _MAX_CACHE:
            self._users.clear()
        if len(self._reply_to) > _MAX_CACHE:
            self._reply_to.clear()
        self._users.update(page.users)
        for conversation, tid in page.reply_targets.items():
            known = self._reply_to.get(conversation)
            if known is None or int(tid) > int(known):
                self._reply_to[conversation] = tid
        if page.skipped:
            self.skipped.update(page.skipped)
            log.info("x: skipped %d item(s): %s", len(page.skipped), dict(Counter(page.skipped)))

    def _get_mentions(self, sweep: _Sweep) -> ParsedPage:
        params = {
            "max_results": str(self.page_size),
            "tweet.fields": MENTION_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if sweep.mark:
            params["since_id"] = sweep.mark
        if sweep.token:
            params["pagination_token"] = sweep.token
        payload = self._get(f"/2/users/{self.user_id}/mentions", params, self.mentions_budget)
        return parse_mentions(payload, self.user_id)

    def _get_dm_events(self, sweep: _Sweep) -> ParsedPage:
        params = {
            "max_results": str(min(self.page_size, 100)),
            "dm_event.fields": DM_FIELDS,
            "event_types": "MessageCreate",
            "expansions": "sender_id",
            "user.fields": USER_FIELDS,
        }
        if sweep.token:
            params["pagination_token"] = sweep.token
        payload = self._get("/2/dm_events", params, self.dm_budget)
        return parse_dm_events(payload, self.user_id, self._users)

    def _get(self, path: str, params: dict[str, str], budget: RateBudget) -> Any:
        budget.take()
        self.requests += 1
        with checked():
            response = self._client.get(path, params=params)
        self._observe(response, budget)
        self._raise_for(response, sending=False, budget=budget)
        payload = _json(response)
        if payload is None:
            raise Rejected("malformed_page")
        return payload

    # -- sending -------------------------------------------------------------------------

    def send(self, reply: OutgoingReply) -> str:
        if not reply.body.strip():
            raise Rejected("empty_text")
        if reply.thread_id.startswith("dm:"):
            return self._send_dm(reply.thread_id[3:], reply.body)
        return self._send_post(reply.thread_id, reply.body)

    def _send_post(self, thread_id: str, body: str) -> str:
        if weighted_length(body) > POST_MAX_WEIGHTED:
            raise Rejected("text_too_long")
        target = self._reply_to.get(thread_id) or _id(thread_id)
        if target is None:
            raise Rejected("bad_thread")
        payload = {"text": body, "reply": {"in_reply_to_tweet_id": target}}
        data = self._post("/2/tweets", payload)
        post_id = _id(data.get("id"))
        if post_id is None:
            raise Transient("malformed_response", ambiguous=True)
        return post_id

    def _send_dm(self, conversation: str, body: str) -> str:
        if len(body) > DM_MAX_CHARS:
            raise Rejected("text_too_long")
        if not _DM_CONVERSATION.fullmatch(conversation):
            raise Rejected("bad_thread")
        path = f"/2/dm_conversations/{quote(conversation, safe='-')}/messages"
        data = self._post(path, {"text": body})
        event_id = _id(data.get("dm_event_id"))
        if event_id is None:
            raise Transient("malformed_response", ambiguous=True)
        return event_id

    def _post(self, path: str, payload: dict[str, Any]) -> Mapping[str, Any]:
        if not self._token:
            raise AuthExpired("no_token")
        self.requests += 1
        with checked(sending=True):
            response = self._client.post(path, json=payload)
        self._raise_for(response, sending=True, budget=None)
        body = _json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):  # it was accepted, but we cannot tell what was made
            raise Transient("malformed_response", ambiguous=True)
        return data

    # -- errors --------------------------------------------------------------------------

    def _reset_in(self, response: httpx.Response) -> float | None:
        try:
            return float(response.headers["x-rate-limit-reset"]) - self._wall()
        except (KeyError, ValueError):
            return None

    def _observe(self, response: httpx.Response, budget: RateBudget) -> None:
        """Follow the server's rate headers: none left means wait for the reset."""
        if response.headers.get("x-rate-limit-remaining", "").strip() == "0":
            reset = self._reset_in(response)
            budget.block_for(reset if reset is not None else budget.window_s)

    def _raise_for(
        self, response: httpx.Response, *, sending: bool, budget: RateBudget | None
    ) -> None:
        status = response.status_code
        if status < 400:
            return
        payload = _json(response)
        reason = _problem(payload)
        if status == 401:
            raise AuthExpired("http 401")
        if status == 403:
            if not sending or reason in ("client_forbidden", "unsupported_authentication"):
                raise AuthExpired(f"http 403 {reason}".strip())
            raise Rejected(reason or "forbidden")
        if status == 429:
            wait = self._reset_in(response)
            if wait is None:
                try:
                    wait = float(response.headers["Retry-After"])
                except (KeyError, ValueError):
                    wait = 60.0
            wait = max(1.0, wait)
            if budget is not None:
                budget.block_for(wait)
            raise RateLimited(math.ceil(wait))
        if status >= 500:
            raise Transient(f"http {status}", ambiguous=sending)
        raise Rejected(reason or f"http_{status}")

    def close(self) -> None:
        self._client.close()


__all__ = [
    "ParsedPage",
    "RateBudget",
    "XChannel",
    "clean_text",
    "parse_dm_events",
    "parse_mentions",
    "weighted_length",
]
