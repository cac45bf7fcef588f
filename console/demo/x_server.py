"""A local X API v2 server: real HTTP on 127.0.0.1, an ephemeral port, started and stopped by
its owner (a test, or the demo).

It speaks the documented shapes of the endpoints :mod:`console.channels.x` uses:

``GET /2/users/:id/mentions``
    https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart -
    ``since_id``, ``until_id``, ``pagination_token``, ``max_results`` (5-100, default 10),
    ``tweet.fields``, ``expansions=author_id``, ``user.fields``; newest first; ``data`` is left
    out when there is nothing, ``meta`` always has ``result_count``.
``GET /2/dm_events``
    https://docs.x.com/x-api/direct-messages/lookup/introduction - ``dm_event.fields``,
    ``event_types``, ``pagination_token``, ``max_results`` (1-100, default 100),
    ``expansions=sender_id``; newest first.
``POST /2/tweets``
    https://docs.x.com/x-api/posts/manage-tweets/quickstart - ``{"text", "reply":
    {"in_reply_to_tweet_id"}}`` -> 201 ``{"data": {"id", "text", "edit_history_tweet_ids"}}``;
    403 for duplicate content or a deleted post to reply to.
``POST /2/dm_conversations/:dm_conversation_id/messages`` and
``POST /2/dm_conversations/with/:participant_id/messages``
    https://developer.x.com/en/docs/x-api/direct-messages/manage - ``{"text"}`` -> 201
    ``{"data": {"dm_conversation_id", "dm_event_id"}}``.

Every answer to a rate-limited endpoint carries ``x-rate-limit-limit``, ``-remaining`` and
``-reset`` (epoch seconds) per https://docs.x.com/x-api/fundamentals/rate-limits; past the limit
it answers 429. Errors are problem JSON (``title``, ``detail``, ``type``, ``status``), with
``errors`` for invalid parameters. A wrong or revoked bearer token gets 401.

:class:`Faults` holds the switches a test flips for the next N requests: a 5xx, a 429, a slow
answer, a dropped connection (the socket closes without an answer, after the request took
effect), malformed JSON. The Telegram server uses the same switches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from console.demo._local import Fault, Faults, FaultyHandler, LocalServer, Reply
from console.resources import resource

log = logging.getLogger(__name__)

SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
WINDOW_S = 900
DEFAULT_LIMITS = {"mentions": 300, "dm_events": 300, "tweets": 100, "dm_send": 200}
POST_MAX = 280
DM_MAX = 10_000
CLINIC_ID = "1590000000000000001"
CLINIC_USERNAME = "sotong_clinic"
CLINIC_NAME = "소통의원"


# -- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XUser:
    """An X account."""

    id: str
    username: str
    name: str

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        """The user object with the requested ``user.fields``."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "username": self.username}
        if "created_at" in fields:
            out["created_at"] = "2020-01-01T00:00:00.000Z"
        return out


@dataclass
class Tweet:
    """A post."""

    id: int
    text: str
    author_id: str
    conversation_id: int
    created_ms: int
    in_reply_to_user_id: str | None = None
    deleted: bool = False

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        """The post object with the requested ``tweet.fields``."""
        out: dict[str, Any] = {
            "id": str(self.id),
            "text": self.text,
            "edit_history_tweet_ids": [str(self.id)],
        }
        if "author_id" in fields:
            out["author_id"] = self.author_id
        if "conversation_id" in fields:
            out["conversation_id"] = str(self.conversation_id)
        if "created_at" in fields:
            out["created_at"] = _iso(self.created_ms)
        if "in_reply_to_user_id" in fields and self.in_reply_to_user_id:
            out["in_reply_to_user_id"] = self.in_reply_to_user_id
        return out


@dataclass
class DmEvent:
    """A Direct Message event."""

    id: int
    event_type: str
    conversation_id: str
    sender_id: str
    created_ms: int
    text: str = ""

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        """The event with the requested ``dm_event.fields``."""
        out: dict[str, Any] = {"id": str(self.id), "event_type": self.event_type}
        if "text" in fields and self.event_type == "MessageCreate":
            out["text"] = self.text
        if "dm_conversation_id" in fields:
            out["dm_conversation_id"] = self.conversation_id
        if "created_at" in fields:
            out["created_at"] = _iso(self.created_ms)
        if "sender_id" in fields:
            out["sender_id"] = self.sender_id
        return out


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def user_id_for(username: str) -> str:
    """A stable numeric user id for a demo username."""
    digest = hashlib.sha1(username.encode()).hexdigest()  # noqa: S324 - not security
    return str(10**15 + int(digest[:12], 16) % (9 * 10**15))


def dm_conversation_id(a: str, b: str) -> str:
    """The one-to-one conversation id of two users (smaller id first)."""
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"


@dataclass
class XData:
    """The server's state; hold ``lock`` while changing it."""

    me: XUser = field(default_factory=lambda: XUser(CLINIC_ID, CLINIC_USERNAME, CLINIC_NAME))
    users: dict[str, XUser] = field(default_factory=dict)
    tweets: list[Tweet] = field(default_factory=list)
    events: list[DmEvent] = field(default_factory=list)
    blocked_dm: set[str] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _last_id: int = 0

    def __post_init__(self) -> None:
        self.users.setdefault(self.me.id, self.me)

    def user(self, username: str, name: str | None = None) -> XUser:
        """The user with this username, made if new."""
        for user in self.users.values():
            if user.username == username:
                return user
        user = XUser(user_id_for(username), username, name or username)
        self.users[user.id] = user
        return user

    def next_id(self, ms: int) -> int:
        """A snowflake id for ``ms``, always above the last one handed out."""
        self._last_id = max(self._last_id + 1, (ms - SNOWFLAKE_EPOCH_MS) << 22)
        return self._last_id

    def post(
        self, author: XUser, text: str, ms: int | None = None, reply_to: Tweet | None = None
    ) -> Tweet:
        """Add a post (a reply when ``reply_to`` is given)."""
        with self.lock:
            ms = ms if ms is not None else time.time_ns() // 1_000_000
            tid = self.next_id(ms)
            tweet = Tweet(
                tid,
                text,
                author.id,
                reply_to.conversation_id if reply_to else tid,
                ms,
                reply_to.author_id if reply_to else None,
            )
            self.tweets.append(tweet)
            return tweet

    def mention(self, username: str, text: str, name: str | None = None) -> Tweet:
        """A customer mentions the clinic now (``@username`` is added if missing)."""
        with self.lock:
            if f"@{self.me.username}" not in text:
                text = f"@{self.me.username} {text}"
            return self.post(self.user(username, name), text)

    def dm(
        self, sender: XUser, other: XUser, text: str, ms: int | None = None, kind: str = ""
    ) -> DmEvent:
        """Add a DM event between two users."""
        with self.lock:
            ms = ms if ms is not None else time.time_ns() // 1_000_000
            event = DmEvent(
                self.next_id(ms),
                kind or "MessageCreate",
                dm_conversation_id(sender.id, other.id),
                sender.id,
                ms,
                text,
            )
            self.events.append(event)
            return event

    def dm_in(self, username: str, text: str, name: str | None = None) -> DmEvent:
        """A customer sends the clinic a DM now."""
        with self.lock:
            return self.dm(self.user(username, name), self.me, text)

    def delete(self, tweet_id: int) -> None:
        """Delete a post: it disappears from the timelines."""
        with self.lock:
            for tweet in self.tweets:
                if tweet.id == tweet_id:
                    tweet.deleted = True

    def mentions_of(self, user_id: str) -> list[Tweet]:
        """Live posts that mention the user, oldest first."""
        user = self.users.get(user_id)
        if user is None:
            return []
        tag = f"@{user.username}".lower()
        return [
            t
            for t in self.tweets
            if not t.deleted
            and t.author_id != user_id
            and (tag in t.text.lower() or t.in_reply_to_user_id == user_id)
        ]


def load_x_data(now_ms: int | None = None) -> XData:
    """Seed from the shipped corpus (channel ``x``), times relative to now.

    A conversation whose first message mentions ``@sotong_clinic`` becomes a public thread of
    posts; every other becomes a DM conversation.
    """
    now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    data = XData()
    convs = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    steps: list[tuple[int, int, int, dict[str, Any], dict[str, Any]]] = []
    for ci, conv in enumerate(c for c in convs if c["channel"] == "x"):
        for mi, m in enumerate(conv["messages"]):
            steps.append((now - int(m["minutes_ago"]) * 60_000, ci, mi, conv, m))
    steps.sort(key=lambda s: (s[0], s[1], s[2]))
    public: dict[int, bool] = {}
    last: dict[int, Tweet] = {}
    for ms, ci, _, conv, m in steps:
        username = str(conv["handle"]).removeprefix("x_")
        customer = data.user(username, str(conv["contact"]).lstrip("@") or username)
        if ci not in public:
            public[ci] = f"@{data.me.username}" in m["text"]
        if public[ci]:
            author = customer if m["dir"] == "in" else data.me
            text = m["text"]
            if ci in last and m["dir"] == "in" and f"@{data.me.username}" not in text:
                text = f"@{data.me.username} {text}"
            elif m["dir"] == "out":
                text = f"@{customer.username} {text}"
            last[ci] = data.post(author, text, ms, last.get(ci))
        elif m["dir"] == "in":
            data.dm(customer, data.me, m["text"], ms)
        else:
            data.dm(data.me, customer, m["text"], ms)
    return data


# -- HTTP -------------------------------------------------------------------------------------


def _problem(
    status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any
) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return status, {"Content-Type": "application/problem+json"}, json.dumps(body).encode()


def _ok(status: int, payload: dict[str, Any]) -> Reply:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return status, {"Content-Type": "application/json; charset=utf-8"}, body


def _invalid(parameter: str, value: str, message: str) -> Reply:
    return _problem(
        400,
        "Invalid Request",
        "One or more parameters to your request was invalid.",
        "https://api.twitter.com/2/problems/invalid-request",
        errors=[{"parameters": {parameter: [value]}, "message": message}],
    )


class _Answer(Exception):
    """Stop handling a request and answer with ``reply``."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply[0])
        self.reply = reply


class _Handler(FaultyHandler):
    server: _XHttp

    def error_reply(self, fault: Fault) -> Reply:
        if fault.kind == "rate_limit":
            status, headers, body = _problem(429, "Too Many Requests", "Too Many Requests")
            reset = int(self.server.owner.clock()) + int(fault.seconds)
            headers.update(
                {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0"}
                | {"x-rate-limit-reset": str(reset)}
            )
            return status, headers, body
        return _problem(fault.status, "Service Unavailable", "Service Unavailable")

    def route(self, method: str, body: bytes) -> Reply:
        owner = self.server.owner
        owner.log_request(method, self.path)
        if self.headers.get("Authorization") != f"Bearer {owner.token}" or owner.revoked:
            return _problem(401, "Unauthorized", "Unauthorized")
        parts = urlsplit(self.path)
        path = [p for p in parts.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if (
            method == "GET"
            and len(path) == 4
            and path[:2] == ["2", "users"]
            and path[3] == "mentions"
        ):
            return owner.limited("mentions", lambda: owner.mentions(path[2], query))
        if method == "GET" and path == ["2", "dm_events"]:
            return owner.limited("dm_events", lambda: owner.dm_events(query))
        if method == "POST" and path == ["2", "tweets"]:
            return owner.limited("tweets", lambda: owner.create_post(body))
        if method == "POST" and len(path) >= 4 and path[:2] == ["2", "dm_conversations"]:
            if len(path) == 4 and path[3] == "messages":
                return owner.limited("dm_send", lambda: owner.send_dm(path[2], None, body))
            if len(path) == 5 and path[2] == "with" and path[4] == "messages":
                return owner.limited("dm_send", lambda: owner.send_dm(None, path[3], body))
        return _problem(404, "Not Found Error", "no such endpoint")


class _XHttp(LocalServer):
    def __init__(self, owner: XServer) -> None:
        handler = type("XHandler", (_Handler,), {"faults": owner.faults})
        super().__init__(handler)
        self.owner = owner


class XServer:
    """Runs the local X API in a background thread.

    Args:
        data: The state to serve (default: the shipped corpus).
        limits: Requests per 15-minute window per endpoint (``mentions``, ``dm_events``,
            ``tweets``, ``dm_send``).
        clock: Epoch seconds (injectable, for the rate-limit windows).
    """

    def __init__(
        self,
        data: XData | None = None,
        limits: dict[str, int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data = data if data is not None else load_x_data()
        self.token = secrets.token_urlsafe(24)
        self.revoked = False
        self.faults = Faults()
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.clock = clock
        self.requests: list[tuple[str, str]] = []
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._httpd = _XHttp(self)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> XServer:
        """Start serving."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="x-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end slow answers and close every connection."""
        self.faults.stopping.set()
        self._httpd.shutdown()
        self._httpd.drop_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> XServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def revoke(self) -> None:
        """Revoke the token: every later request gets 401."""
        self.revoked = True

    def log_request(self, method: str, path: str) -> None:
        """Record a request that got past the fault switches (tests count them)."""
        with self._lock:
            self.requests.append((method, urlsplit(path).path))

    def count(self, fragment: str) -> int:
        """Requests so far whose path contains ``fragment``."""
        with self._lock:
            return sum(1 for _, p in self.requests if fragment in p)

    # -- endpoints -----------------------------------------------------------------------

    def limited(self, key: str, work: Callable[[], Reply]) -> Reply:
        """Count a request against its 15-minute window; 429 past the limit."""
        now = self.clock()
        limit = self.limits[key]
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + WINDOW_S:
                start, used = now, 0
            over = used >= limit
            if not over:
                used += 1
            self._windows[key] = (start, used)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": str(int(start + WINDOW_S)),
        }
        if over:
            status, h, body = _problem(429, "Too Many Requests", "Too Many Requests")
        else:
            try:
                status, h, body = work()
            except _Answer as answer:
                status, h, body = answer.reply
        return status, {**h, **headers}, body

    def _token_for(self, item_id: int) -> str:
        return f"{self.token[:4].encode().hex()}{item_id:x}"

    def _from_token(self, token: str) -> int | None:
        prefix = self.token[:4].encode().hex()
        if not token.startswith(prefix):
            return None
        try:
            return int(token[len(prefix) :], 16)
        except ValueError:
            return None

    def _page(
        self,
        items: list[Any],
        query: dict[str, str],
        low: int,
        high: int,
        default: int,
    ) -> tuple[list[Any], str | None]:
        """Newest-first page of ``items`` (with ``.id``) after paging parameters.

        Raises:
            _Answer: A parameter is invalid (400).
        """
        raw = query.get("max_results", str(default))
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise _Answer(
                _invalid(
                    "max_results",
                    raw,
                    f"The `max_results` query parameter value [{raw}] is not valid",
                )
            )
        size = int(raw)
        since = query.get("since_id", "")
        until = query.get("until_id", "")
        for name, value in (("since_id", since), ("until_id", until)):
            if value and not value.isdigit():
                raise _Answer(
                    _invalid(name, value, f"The `{name}` query parameter value is not valid")
                )
        token = query.get("pagination_token")
        before: int | None = int(until) if until else None
        if token is not None:
            last = self._from_token(token)
            if last is None:
                raise _Answer(
                    _invalid("pagination_token", token, "The pagination token is invalid")
                )
            before = last if before is None else min(before, last)
        chosen = [
            i
            for i in reversed(items)
            if (not since or i.id > int(since)) and (before is None or i.id < before)
        ]
        page = chosen[:size]
        return page, self._token_for(page[-1].id) if len(chosen) > size else None

    def mentions(self, user_id: str, query: dict[str, str]) -> Reply:
        """``GET /2/users/:id/mentions``."""
        if not user_id.isdigit():
            return _invalid("id", user_id, "The `id` query parameter value is not valid")
        with self.data.lock:
            paged = self._page(self.data.mentions_of(user_id), query, 5, 100, 10)
            page, next_token = paged
            fields = set(query.get("tweet.fields", "").split(","))
            expansions = set(query.get("expansions", "").split(","))
            user_fields = set(query.get("user.fields", "").split(","))
            payload: dict[str, Any] = {"meta": {"result_count": len(page)}}
            if page:
                payload["data"] = [t.as_json(fields) for t in page]
                payload["meta"]["newest_id"] = str(page[0].id)
                payload["meta"]["oldest_id"] = str(page[-1].id)
                if "author_id" in expansions:
                    payload["includes"] = self._users([t.author_id for t in page], user_fields)
            if next_token:
                payload["meta"]["next_token"] = next_token
        return _ok(200, payload)

    def _users(self, ids: list[str], fields: set[str]) -> dict[str, Any]:
        """The ``includes.users`` expansion for these user ids (each once, in order)."""
        return {
            "users": [
                self.data.users[u].as_json(fields)
                for u in dict.fromkeys(ids)
                if u in self.data.users
            ]
        }

    def dm_events(self, query: dict[str, str]) -> Reply:
        """``GET /2/dm_events`` for the clinic's account."""
        me = self.data.me.id
        kinds = {k for k in query.get("event_types", "").split(",") if k}
        with self.data.lock:
            mine = [
                e
                for e in self.data.events
                if me in e.conversation_id.split("-") and (not kinds or e.event_type in kinds)
            ]
            paged = self._page(mine, query, 1, 100, 100)
            page, next_token = paged
            fields = set(query.get("dm_event.fields", "").split(","))
            expansions = set(query.get("expansions", "").split(","))
            user_fields = set(query.get("user.fields", "").split(","))
            payload: dict[str, Any] = {"meta": {"result_count": len(page)}}
            if page:
                payload["data"] = [e.as_json(fields) for e in page]
                if "sender_id" in expansions:
                    payload["includes"] = self._users([e.sender_id for e in page], user_fields)
            if next_token:
                payload["meta"]["next_token"] = next_token
        return _ok(200, payload)

    def create_post(self, body: bytes) -> Reply:
        """``POST /2/tweets`` as the clinic."""
        try:
            payload = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "Invalid Request", "body is not JSON")
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _invalid("text", "", "The `text` field is required")
        if len(text) > POST_MAX:
            return _invalid("text", "", "Your Tweet text is too long.")
        reply = payload.get("reply")
        with self.data.lock:
            target: Tweet | None = None
            if isinstance(reply, dict):
                wanted = str(reply.get("in_reply_to_tweet_id", ""))
                target = next((t for t in self.data.tweets if str(t.id) == wanted), None)
                if target is None or target.deleted:
                    return _problem(
                        403,
                        "Forbidden",
                        "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    )
            me = self.data.me
            if any(t.author_id == me.id and t.text == text for t in self.data.tweets):
                return _problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                )
            tweet = self.data.post(me, text, reply_to=target)
        data = {"id": str(tweet.id), "text": text, "edit_history_tweet_ids": [str(tweet.id)]}
        return _ok(201, {"data": data})

    def send_dm(self, conversation: str | None, participant: str | None, body: bytes) -> Reply:
        """``POST /2/dm_conversations/.../messages`` as the clinic."""
        try:
            payload = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "Invalid Request", "body is not JSON")
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _invalid("text", "", "The `text` field is required")
        if len(text) > DM_MAX:
            return _invalid("text", "", "The text is too long")
        me = self.data.me
        with self.data.lock:
            if participant is None and conversation is not None:
                ids = conversation.split("-")
                others = [i for i in ids if i != me.id]
                if len(ids) != 2 or me.id not in ids or len(others) != 1:
                    return _problem(404, "Not Found Error", "conversation not found")
                participant = others[0]
            other = self.data.users.get(participant or "")
            if other is None:
                return _problem(404, "Not Found Error", "user not found")
            if other.id in self.data.blocked_dm:
                return _problem(
                    403, "Forbidden", "You are not permitted to send messages to this user."
                )
            event = self.data.dm(me, other, text)
        data = {"dm_conversation_id": event.conversation_id, "dm_event_id": str(event.id)}
        return _ok(201, {"data": data})


__all__ = [
    "DmEvent",
    "Fault",
    "Faults",
    "FaultyHandler",
    "LocalServer",
    "Reply",
    "Tweet",
    "XData",
    "XServer",
    "XUser",
    "dm_conversation_id",
    "load_x_data",
    "user_id_for",
]
