"""A local Meta Graph API server: real HTTP on 127.0.0.1, an ephemeral port, started and stopped
by the test or the demo that owns it. Standard library only.

It speaks the part of Graph API v21.0 the Facebook Page and Instagram connectors use, with the
documented JSON shapes (pages cited in :mod:`console.channels.meta`):

``GET /v21.0/{page-id}/conversations?platform=messenger|instagram``
    conversations, newest ``updated_time`` first, with ``participants`` and ``messages``.
``GET /v21.0/{conversation-id}/messages`` and ``GET /v21.0/{node-id}?fields=...``
    messages newest first; any node by id with ``fields`` (nested ``edge.limit(n){...}``,
    ``.filter(stream)``, ``.order(reverse_chronological)``).
``GET /v21.0/{page-id}/feed?since=``, ``GET /v21.0/{post-id}/comments``
    Page posts (``since`` applies to ``updated_time``) and their comments (``filter`` toplevel
    or stream, ``order`` chronological or reverse_chronological).
``GET /v21.0/{ig-user-id}/media?since=``, ``GET /v21.0/{media-id}/comments``,
``GET /v21.0/{ig-comment-id}/replies``
    Instagram media (newest first), top-level comments (newest first) and their replies.
``POST /v21.0/{page-id}/messages``
    the Send API: ``recipient.id`` with ``messaging_type`` RESPONSE/UPDATE (24 h after the
    person's last message) or MESSAGE_TAG + ``tag: HUMAN_AGENT`` (7 days), else error 10 /
    2018278; ``recipient.comment_id`` for a private reply (once per comment, error 10900 after;
    within 7 days). Answers ``{"recipient_id", "message_id"}``.
``POST /v21.0/{ig-comment-id}/replies`` (``message``)
    a public reply under a top-level Instagram comment; answers ``{"id"}``.

Lists page with ``limit``/``after``/``before``: ``{"data": [...], "paging": {"cursors":
{"before", "after"}, "next"}}``, ``next`` only when there is more. The access token is taken
from ``access_token`` (query or form) or an ``Authorization: Bearer``/``OAuth`` header; a wrong
one answers error 190, an expired one 190/463. Errors are ``{"error": {"message", "type",
"code", "error_subcode", "fbtrace_id"}}``.

Switches for tests (:meth:`GraphServer.fail_next`): the next N requests answer 500, a 429 with
error code 4 and ``Retry-After``, a slow answer, a dropped connection (the socket is closed
without an answer), malformed JSON, or any status and body; :meth:`GraphServer.expire_token`
makes every token expired. Every request is recorded in :attr:`GraphServer.hits`.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import logging
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from console.demo._local import LocalHandler, LocalServer, stable_hex
from console.resources import resource

log = logging.getLogger(__name__)

GRAPH_VERSION = "v21.0"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_BODY = 1 << 20
MAX_TEXT = {"messenger": 2000, "instagram": 1000}
STANDARD_WINDOW_S = 24 * 3600
HUMAN_AGENT_WINDOW_S = 7 * 24 * 3600
PRIVATE_REPLY_WINDOW_S = 7 * 24 * 3600


def graph_time(seconds: float) -> str:
    """A Graph API time string, e.g. ``2024-05-01T12:34:56+0000``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(seconds))


class GraphError(Exception):
    """An error the server answers with.

    Args:
        code: Graph error code.
        message: Graph's message (English, as Graph sends it).
        subcode: ``error_subcode``, if any.
        status: HTTP status.
        kind: ``type`` (``OAuthException``, ``GraphMethodException`` ...).
    """

    def __init__(
        self,
        code: int,
        message: str,
        subcode: int | None = None,
        status: int = 400,
        kind: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.subcode, self.status, self.kind = (
            code,
            message,
            subcode,
            status,
            kind,
        )

    def as_json(self) -> dict[str, Any]:
        err: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": secrets.token_urlsafe(8),
        }
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        return {"error": err}


# -- state -----------------------------------------------------------------------------------


@dataclass
class Message:
    """A Messenger or Instagram message. ``raw``, when set, is served verbatim."""

    id: str
    seq: int
    conversation_id: str
    from_customer: bool
    text: str
    created: float
    attachments: list[dict[str, Any]] = field(default_factory=list)
    sticker: str | None = None
    unsupported: bool = False
    deleted: bool = False
    metadata: str | None = None
    messaging_type: str | None = None
    tag: str | None = None
    raw: dict[str, Any] | None = None


@dataclass
class Conversation:
    """A conversation between the Page (or Instagram account) and one person."""

    id: str
    platform: str
    customer_id: str
    customer_name: str
    messages: list[Message] = field(default_factory=list)

    @property
    def updated(self) -> float:
        return max((m.created for m in self.messages), default=0.0)

    def last_from_customer(self) -> float | None:
        return max((m.created for m in self.messages if m.from_customer), default=None)


@dataclass
class Comment:
    """A comment on a Page post or an Instagram media (``platform`` says which)."""

    id: str
    seq: int
    object_id: str
    platform: str
    from_id: str
    from_name: str
    text: str
    created: float
    parent_id: str | None = None
    can_reply_privately: bool = True
    hidden: bool = False
    raw: dict[str, Any] | None = None


@dataclass
class Post:
    """A Page post (``kind`` ``post``) or an Instagram media (``kind`` ``media``)."""

    id: str
    seq: int
    kind: str
    text: str
    created: float
    comments: list[Comment] = field(default_factory=list)

    @property
    def updated(self) -> float:
        return max([self.created, *(c.created for c in self.comments)])


@dataclass
class Hit:
    """One request the server received."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    at: float


@dataclass
class Fault:
    """A failure to answer the next matching request with.

    Attributes:
        kind: ``error500``, ``rate_limit``, ``slow``, ``drop``, ``malformed`` or ``status``.
        status: HTTP status (``rate_limit``, ``status``).
        retry_after: ``Retry-After`` seconds (``rate_limit``).
        delay: Seconds to wait before answering normally (``slow``).
        body: Body to send (``status``).
        path: Only requests whose path contains this (None: any).
        method: Only requests with this method (None: any).
    """

    kind: str
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    body: bytes = b""
    path: str | None = None
    method: str | None = None


class GraphData:
    """Everything the server holds: one Page, its linked Instagram account, their
    conversations, posts, media and comments.

    Args:
        page_id: The Facebook Page id.
        page_name: The Page's name.
        ig_user_id: The linked Instagram professional account id.
        ig_username: Its username.
        now: Wall-clock seconds (injectable for tests).
    """

    def __init__(
        self,
        page_id: str = "100000000000001",
        page_name: str = "소통의원",
        ig_user_id: str = "17841400000000001",
        ig_username: str = "sotong_clinic",
        now: Callable[[], float] = time.time,
    ) -> None:
        self.page_id = page_id
        self.page_name = page_name
        self.ig_user_id = ig_user_id
        self.ig_username = ig_username
        self.now = now
        self.lock = threading.RLock()
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, Message] = {}
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self._seq = itertools.count(1)

    def _next(self) -> int:
        return next(self._seq)

    def conversation_with(self, platform: str, customer_id: str) -> Conversation | None:
        """The conversation with a person on a platform, if any."""
        with self.lock:
            for conv in self.conversations.values():
                if conv.platform == platform and conv.customer_id == customer_id:
                    return conv
        return None

    def add_conversation(self, platform: str, customer_id: str, customer_name: str) -> Conversation:
        """The conversation with this person (made if new)."""
        if platform not in MAX_TEXT:
            raise ValueError(platform)
        with self.lock:
            conv = self.conversation_with(platform, customer_id)
            if conv is None:
                # The same id for the same person on every start, as on the real platform:
                # a thread id that moved between starts would file one person's messages
                # under another's conversation in a store kept from an earlier start.
                prefix = "t_" if platform == "messenger" else "aWdf"
                conv = Conversation(
                    prefix + stable_hex(platform, customer_id),
                    platform,
                    customer_id,
                    customer_name,
                )
                self.conversations[conv.id] = conv
            return conv

    def add_message(
        self,
        conversation_id: str,
        text: str,
        *,
        from_customer: bool = True,
        created: float | None = None,
        attachments: Iterable[dict[str, Any]] = (),
        sticker: str | None = None,
        unsupported: bool = False,
        deleted: bool = False,
        raw: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> Message:
        """Append a message (``raw`` replaces its JSON, for hostile payloads; ``message_id``
        fixes its id, which is otherwise new and unique)."""
        with self.lock:
            conv = self.conversations[conversation_id]
            seq = self._next()
            msg = Message(
                id=message_id or f"m_{secrets.token_hex(6)}{seq:06d}",
                seq=seq,
                conversation_id=conv.id,
                from_customer=from_customer,
                text=text,
                created=self.now() if created is None else created,
                attachments=list(attachments),
                sticker=sticker,
                unsupported=unsupported,
                deleted=deleted,
                raw=raw,
            )
            conv.messages.append(msg)
            self.messages[msg.id] = msg
            return msg

    def add_post(self, text: str, created: float | None = None, kind: str = "post") -> Post:
        """A Page post (``kind="post"``) or an Instagram media (``kind="media"``)."""
        with self.lock:
            seq = self._next()
            post_id = f"{self.page_id}_{seq}" if kind == "post" else f"1790{seq:011d}"
            post = Post(post_id, seq, kind, text, self.now() if created is None else created)
            self.posts[post.id] = post
            return post

    def add_comment(
        self,
        object_id: str,
        from_id: str,
        from_name: str,
        text: str,
        created: float | None = None,
        parent_id: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Comment:
        """A comment on a post or media (or a reply, with ``parent_id``)."""
        with self.lock:
            post = self.posts[object_id]
            seq = self._next()
            platform = "messenger" if post.kind == "post" else "instagram"
            cid = f"{post.id}_{seq}" if post.kind == "post" else f"1780{seq:011d}"
            comment = Comment(
                cid,
                seq,
                post.id,
                platform,
                from_id,
                from_name,
                text,
                self.now() if created is None else created,
                parent_id,
                raw=raw,
            )
            post.comments.append(comment)
            self.comments[cid] = comment
            return comment

    def own(self, platform: str) -> dict[str, str]:
        """The Page's (or Instagram account's) person object."""
        if platform == "instagram":
            return {"username": self.ig_username, "id": self.ig_user_id}
        return {"name": self.page_name, "id": self.page_id}


def person(platform: str, pid: str, name: str) -> dict[str, str]:
    """A Graph person object as each platform shows it."""
    if platform == "instagram":
        return {"username": name, "id": pid}
    return {"name": name, "email": f"{pid}@facebook.com", "id": pid}


def load_demo_graph(now: float | None = None) -> GraphData:
    """Seed from the shipped corpus (channels ``facebook`` and ``instagram``), with times
    relative to now, plus a post and a media with a few comments from the live arrivals."""
    at = time.time() if now is None else now
    data = GraphData()
    convs = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    for conv in convs:
        platform = {"facebook": "messenger", "instagram": "instagram"}.get(conv["channel"])
        if platform is None:
            continue
        thread = data.add_conversation(platform, conv["handle"], conv["contact"])
        for n, m in enumerate(conv["messages"]):
            data.add_message(
                thread.id,
                m["text"],
                from_customer=m["dir"] == "in",
                created=at - int(m["minutes_ago"]) * 60,
                # the corpus's messages keep their ids from start to start, so a store kept
                # from an earlier start fetches each of them once
                message_id="m_" + stable_hex(thread.id, str(n)),
            )
    incoming = json.loads(resource("demo", "incoming.json").read_text(encoding="utf-8"))
    post = data.add_post("봄맞이 피부 관리 이벤트 안내", created=at - 2 * 86400)
    media = data.add_post("강남점 리뉴얼 오픈 🎉", created=at - 86400, kind="media")
    for target, channel in ((post, "facebook"), (media, "instagram")):
        picked = [i for i in incoming if i["channel"] == channel][:3]
        for n, item in enumerate(picked):
            data.add_comment(
                target.id, item["handle"], item["contact"], item["text"], at - (90 - n * 20) * 60
            )
    return data


# -- fields and paging -----------------------------------------------------------------------


@dataclass
class FieldSpec:
    """One requested field: ``name.mod(arg)...{sub}``."""

    name: str
    mods: dict[str, str] = field(default_factory=dict)
    sub: list[FieldSpec] | None = None


_NAME = re.compile(r"[A-Za-z0-9_]+")


def parse_fields(text: str) -> list[FieldSpec]:
    """Parse a ``fields`` parameter, e.g. ``id,messages.limit(20){id,from}``.

    Raises:
        GraphError: a syntax error (code 100).
    """
    specs, pos = _parse_specs(text, 0)
    if pos != len(text):
        raise GraphError(100, "Syntax error in fields", kind="GraphMethodException")
    return specs


def _parse_specs(text: str, pos: int) -> tuple[list[FieldSpec], int]:
    specs: list[FieldSpec] = []
    while pos < len(text):
        while pos < len(text) and text[pos] in " ,":
            pos += 1
        match = _NAME.match(text, pos)
        if match is None:
            break
        spec = FieldSpec(match.group())
        pos = match.end()
        while pos < len(text) and text[pos] == ".":
            mod = _NAME.match(text, pos + 1)
            if mod is None or mod.end() >= len(text) or text[mod.end()] != "(":
                raise GraphError(100, "Syntax error in fields", kind="GraphMethodException")
            close = text.find(")", mod.end())
            if close < 0:
                raise GraphError(100, "Syntax error in fields", kind="GraphMethodException")
            spec.mods[mod.group()] = text[mod.end() + 1 : close]
            pos = close + 1
        if pos < len(text) and text[pos] == "{":
            spec.sub, pos = _parse_specs(text, pos + 1)
            if pos >= len(text) or text[pos] != "}":
                raise GraphError(100, "Syntax error in fields", kind="GraphMethodException")
            pos += 1
        specs.append(spec)
        if pos < len(text) and text[pos] == "}":
            break
    return specs, pos


def _cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _uncursor(text: str) -> tuple[Any, ...]:
    try:
        padded = text + "=" * (-len(text) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list):
            raise TypeError
        return tuple(value)
    except (ValueError, TypeError):
        raise GraphError(100, "Invalid cursor", kind="GraphMethodException") from None


def _limit(value: str | None) -> int:
    try:
        return max(1, min(MAX_LIMIT, int(value))) if value else DEFAULT_LIMIT
    except ValueError:
        raise GraphError(100, "(#100) Param limit must be a number") from None


def page_of(
    items: list[Any],
    key: Callable[[Any], tuple[Any, ...]],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    next_url: Callable[[str], str] | None = None,
) -> tuple[list[Any], dict[str, Any] | None]:
    """One page of ``items`` (already in list order, sorted by ``key``) and its ``paging``."""
    chosen = items
    if after:
        mark = _uncursor(after)
        chosen = [i for i in items if key(i) > mark]
    elif before:
        mark = _uncursor(before)
        chosen = [i for i in items if key(i) < mark][-limit:]
    page = chosen[:limit]
    if not page:
        return page, None
    paging: dict[str, Any] = {
        "cursors": {"before": _cursor(key(page[0])), "after": _cursor(key(page[-1]))}
    }
    if len(chosen) > limit and next_url is not None:
        paging["next"] = next_url(paging["cursors"]["after"])
    return page, paging


# -- rendering -------------------------------------------------------------------------------


class _Renderer:
    """Turns state into Graph JSON for the fields asked (under the data lock)."""

    def __init__(self, data: GraphData, base_url: str, token_in_url: str | None) -> None:
        self.data = data
        self.base_url = base_url
        self.token_in_url = token_in_url

    def _url(self, path: str, params: dict[str, str]) -> Callable[[str], str]:
        def make(after: str) -> str:
            query = dict(params, after=after)
            if self.token_in_url:
                query["access_token"] = self.token_in_url
            return f"{self.base_url}/{path}?{urlencode(query)}"

        return make

    # edges ------------------------------------------------------------------------------

    def conversations(self, platform: str) -> list[Conversation]:
        return sorted(
            (c for c in self.data.conversations.values() if c.platform == platform),
            key=_conv_key,
        )

    def edge(self, kind: str, obj: Any, name: str, mods: dict[str, str]) -> list[tuple[Any, str]]:
        """Items of an edge as ``(item, kind)`` pairs, in list order."""
        if kind == "conversation" and name == "messages":
            return [(m, "message") for m in sorted(obj.messages, key=_msg_key)]
        if kind == "post" and name == "comments":
            stream = mods.get("filter") == "stream"
            chosen = [c for c in obj.comments if stream or c.parent_id is None]
            reverse = mods.get("order") == "reverse_chronological"
            chosen.sort(key=_rev_key if reverse else _chrono_key)
            return [(c, "comment") for c in chosen]
        if kind == "media" and name == "comments":
            chosen = sorted((c for c in obj.comments if c.parent_id is None), key=_rev_key)
            return [(c, "ig_comment") for c in chosen]
        if kind in ("comment", "ig_comment") and name in ("comments", "replies"):
            post = self.data.posts[obj.object_id]
            replies = sorted((c for c in post.comments if c.parent_id == obj.id), key=_chrono_key)
            return [(c, kind) for c in replies]
        raise _missing_field(name, kind)

    def render_edge(
        self,
        kind: str,
        obj: Any,
        name: str,
        spec: FieldSpec,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        mods = dict(spec.mods)
        if params:
            mods.update({k: v for k, v in params.items() if k in ("filter", "order")})
        items = self.edge(kind, obj, name, mods)
        after = (params or {}).get("after")
        before = (params or {}).get("before")
        limit = _limit((params or {}).get("limit") or mods.get("limit"))
        query = {k: v for k, v in (params or {}).items() if k not in ("after", "before")}
        if params is None:
            query = {k: v for k, v in mods.items() if k in ("filter", "order", "limit")}
            if spec.sub:
                query["fields"] = _fields_text(spec.sub)
        page, paging = page_of(
            items,
            key=lambda pair: _item_key(pair[0]),
            limit=limit,
            after=after,
            before=before,
            next_url=self._url(f"{obj.id}/{name}", query),
        )
        result: dict[str, Any] = {"data": [self.render(k, i, spec.sub) for i, k in page]}
        if paging:
            result["paging"] = paging
        return result

    # nodes ------------------------------------------------------------------------------

    def render(self, kind: str, obj: Any, specs: list[FieldSpec] | None) -> dict[str, Any]:
        if getattr(obj, "raw", None) is not None:
            raw: dict[str, Any] = obj.raw
            return raw
        specs = specs or [FieldSpec(n) for n in _DEFAULTS[kind]]
        out: dict[str, Any] = {}
        for spec in specs:
            if spec.name in _EDGES.get(kind, ()):
                out[spec.name] = self.render_edge(kind, obj, spec.name, spec)
                continue
            value = self.scalar(kind, obj, spec)
            if value is not None:
                out[spec.name] = value
        return out

    def scalar(self, kind: str, obj: Any, spec: FieldSpec) -> Any:
        name = spec.name
        getter = _SCALARS.get(kind, {}).get(name)
        if getter is None:
            raise _missing_field(name, kind)
        value = getter(self, obj)
        if spec.sub is not None and isinstance(value, dict):
            if name == "parent" and isinstance(obj, Comment) and obj.parent_id:
                return self.render(kind, self.data.comments[obj.parent_id], spec.sub)
            wanted = {s.name for s in spec.sub}
            return {k: v for k, v in value.items() if k in wanted}
        return value


def _missing_field(name: str, kind: str) -> GraphError:
    return GraphError(
        100,
        f"(#100) Tried accessing nonexisting field ({name}) on node type ({kind})",
        kind="GraphMethodException",
    )


def _fields_text(specs: list[FieldSpec]) -> str:
    parts = []
    for s in specs:
        text = s.name + "".join(f".{k}({v})" for k, v in s.mods.items())
        if s.sub is not None:
            text += "{" + _fields_text(s.sub) + "}"
        parts.append(text)
    return ",".join(parts)


def _conv_key(c: Conversation) -> tuple[Any, ...]:
    return (-c.updated, c.id)


def _msg_key(m: Message) -> tuple[Any, ...]:
    return (-m.created, -m.seq)


def _rev_key(c: Comment) -> tuple[Any, ...]:
    return (-c.created, -c.seq)


def _chrono_key(c: Comment) -> tuple[Any, ...]:
    return (c.created, c.seq)


def _item_key(item: Any) -> tuple[Any, ...]:
    """The sort key a cursor stores (consistent with each list's order)."""
    if isinstance(item, Conversation):
        return _conv_key(item)
    if isinstance(item, Message):
        return _msg_key(item)
    if isinstance(item, Post):
        return (-item.created, -item.seq)
    return (item.created, item.seq)


def _msg_from(r: _Renderer, m: Message) -> dict[str, str]:
    conv = r.data.conversations[m.conversation_id]
    if m.from_customer:
        return person(conv.platform, conv.customer_id, conv.customer_name)
    return r.data.own(conv.platform)


def _msg_to(r: _Renderer, m: Message) -> dict[str, Any]:
    conv = r.data.conversations[m.conversation_id]
    if m.from_customer:
        return {"data": [r.data.own(conv.platform)]}
    return {"data": [person(conv.platform, conv.customer_id, conv.customer_name)]}


def _participants(r: _Renderer, c: Conversation) -> dict[str, Any]:
    return {"data": [person(c.platform, c.customer_id, c.customer_name), r.data.own(c.platform)]}


def _comment_from(r: _Renderer, c: Comment) -> dict[str, str]:
    return person(c.platform, c.from_id, c.from_name)


def _parent(r: _Renderer, c: Comment) -> dict[str, Any] | None:
    if c.parent_id is None:
        return None
    parent = r.data.comments[c.parent_id]
    return {"id": parent.id, "from": _comment_from(r, parent)}


_Getter = Callable[[_Renderer, Any], Any]
_SCALARS: dict[str, dict[str, _Getter]] = {
    "conversation": {
        "id": lambda r, c: c.id,
        "updated_time": lambda r, c: graph_time(c.updated),
        "participants": _participants,
        "message_count": lambda r, c: len(c.messages),
        "unread_count": lambda r, c: 0,
        "link": lambda r, c: f"/{r.data.page_id}/inbox/{c.id}",
    },
    "message": {
        "id": lambda r, m: m.id,
        "message": lambda r, m: "" if m.deleted else m.text,
        "created_time": lambda r, m: graph_time(m.created),
        "from": _msg_from,
        "to": _msg_to,
        "attachments": lambda r, m: {"data": m.attachments} if m.attachments else None,
        "sticker": lambda r, m: m.sticker,
        "shares": lambda r, m: None,
        "is_unsupported": lambda r, m: m.unsupported,
        "tags": lambda r, m: {"data": []},
    },
    "post": {
        "id": lambda r, p: p.id,
        "message": lambda r, p: p.text,
        "created_time": lambda r, p: graph_time(p.created),
        "updated_time": lambda r, p: graph_time(p.updated),
        "permalink_url": lambda r, p: f"https://www.facebook.com/{p.id}",
    },
    "media": {
        "id": lambda r, p: p.id,
        "caption": lambda r, p: p.text,
        "timestamp": lambda r, p: graph_time(p.created),
        "comments_count": lambda r, p: len(p.comments),
        "media_type": lambda r, p: "IMAGE",
    },
    "comment": {
        "id": lambda r, c: c.id,
        "message": lambda r, c: c.text,
        "from": _comment_from,
        "created_time": lambda r, c: graph_time(c.created),
        "parent": _parent,
        "attachment": lambda r, c: None,
        "can_reply_privately": lambda r, c: c.can_reply_privately,
        "is_hidden": lambda r, c: c.hidden,
    },
    "ig_comment": {
        "id": lambda r, c: c.id,
        "text": lambda r, c: c.text,
        "timestamp": lambda r, c: graph_time(c.created),
        "from": _comment_from,
        "username": lambda r, c: c.from_name,
        "hidden": lambda r, c: c.hidden,
        "parent_id": lambda r, c: c.parent_id,
        "like_count": lambda r, c: 0,
        "media": lambda r, c: {"id": c.object_id},
    },
    "page": {
        "id": lambda r, p: r.data.page_id,
        "name": lambda r, p: r.data.page_name,
        "instagram_business_account": lambda r, p: {"id": r.data.ig_user_id},
    },
}
_EDGES: dict[str, tuple[str, ...]] = {
    "conversation": ("messages",),
    "post": ("comments",),
    "media": ("comments",),
    "comment": ("comments",),
    "ig_comment": ("replies",),
}
_DEFAULTS: dict[str, tuple[str, ...]] = {
    "conversation": ("id", "updated_time"),
    "message": ("id", "created_time"),
    "post": ("id", "message", "created_time"),
    "media": ("id",),
    "comment": ("id", "message", "from", "created_time"),
    "ig_comment": ("id", "text", "timestamp"),
    "page": ("id", "name"),
}


# -- HTTP ------------------------------------------------------------------------------------

_VERSION = re.compile(r"v\d+\.\d+")
_UNEXPECTED = "An unexpected error has occurred. Please retry your request later."


class _Handler(LocalHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("graph server: " + format, *args)

    # plumbing ---------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), headers)

    def _read(self) -> tuple[list[str], dict[str, str], Any]:
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        body: Any = None
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise GraphError(100, "(#100) Request body too large", status=413)
        raw = self.rfile.read(length) if length else b""
        if raw:
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise GraphError(100, "(#100) Invalid JSON body") from None
            else:
                body = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        path = [p for p in parts.path.split("/") if p]
        if path and _VERSION.fullmatch(path[0]):
            path = path[1:]
        return path, params, body

    def _token(self, params: dict[str, str], body: Any) -> str | None:
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value:
            return value.strip()
        if "access_token" in params:
            return params["access_token"]
        if isinstance(body, dict) and isinstance(body.get("access_token"), str):
            return str(body["access_token"])
        return None

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        if self.server.expired:
            raise GraphError(
                190,
                "Error validating access token: Session has expired.",
                subcode=463,
            )
        if not secrets.compare_digest(token, self.server.token):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")

    def _fault(self, method: str, path: str) -> bool:
        """Apply the next matching fault; True if the request is answered (or dropped)."""
        fault = self.server.take_fault(method, path)
        if fault is None:
            return False
        if fault.kind == "slow":
            self.server.stopping.wait(fault.delay)
            return False
        if fault.kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "malformed":
            self._send(200, b'{"data": [{"id": "m_1", "message": "')
            return True
        if fault.kind == "rate_limit":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            err = GraphError(4, "(#4) Application request limit reached", status=fault.status)
            self._json(fault.status, err.as_json(), headers)
            return True
        if fault.kind == "error500":
            err = GraphError(2, _UNEXPECTED, status=500)
            self._json(500, err.as_json())
            return True
        self._send(fault.status, fault.body)
        return True

    def _handle(self, method: str) -> None:
        try:
            path, params, body = self._read()
        except GraphError as exc:
            self.close_connection = True
            self._json(exc.status, exc.as_json())
            return
        self.server.record(Hit(method, "/" + "/".join(path), params, body, time.monotonic()))
        if self._fault(method, "/" + "/".join(path)):
            return
        try:
            self._check_token(self._token(params, body))
            token_in_url = params.get("access_token")
            api = _Api(self.server.data, self.server.base_url, token_in_url)
            payload = api.get(path, params) if method == "GET" else api.post(path, params, body)
        except GraphError as exc:
            headers = {}
            if exc.code == 190:
                headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
            self._json(exc.status, exc.as_json(), headers)
            return
        self._json(200, payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Api:
    """The endpoints, over the data (each call holds the data lock)."""

    def __init__(self, data: GraphData, base_url: str, token_in_url: str | None) -> None:
        self.data = data
        self.r = _Renderer(data, base_url, token_in_url)

    def _node(self, node_id: str) -> tuple[str, Any]:
        data = self.data
        if node_id in (data.page_id, "me"):
            return "page", data
        if node_id == data.ig_user_id:
            return "ig_user", data
        if node_id in data.conversations:
            return "conversation", data.conversations[node_id]
        if node_id in data.messages:
            return "message", data.messages[node_id]
        if node_id in data.posts:
            post = data.posts[node_id]
            return ("post" if post.kind == "post" else "media"), post
        if node_id in data.comments:
            comment = data.comments[node_id]
            return ("comment" if comment.platform == "messenger" else "ig_comment"), comment
        raise GraphError(
            100,
            f"Unsupported get request. Object with ID '{node_id}' does not exist",
            subcode=33,
            kind="GraphMethodException",
        )

    def get(self, path: list[str], params: dict[str, str]) -> dict[str, Any]:
        with self.data.lock:
            if len(path) == 1:
                kind, obj = self._node(path[0])
                if kind == "ig_user":
                    return {"id": self.data.ig_user_id, "username": self.data.ig_username}
                specs = parse_fields(params["fields"]) if params.get("fields") else None
                return self.r.render(kind, obj, specs)
            if len(path) != 2:
                raise GraphError(2500, "Unknown path components", kind="OAuthException")
            kind, obj = self._node(path[0])
            edge = path[1]
            specs = parse_fields(params["fields"]) if params.get("fields") else None
            if kind == "page" and edge == "conversations":
                return self._conversations(params, specs)
            if kind == "page" and edge in ("feed", "posts"):
                return self._posts("post", edge, params, specs)
            if kind == "ig_user" and edge == "media":
                return self._posts("media", edge, params, specs)
            spec = FieldSpec(edge, sub=specs)
            return self.r.render_edge(kind, obj, edge, spec, params)

    def _conversations(
        self, params: dict[str, str], specs: list[FieldSpec] | None
    ) -> dict[str, Any]:
        platform = params.get("platform", "messenger")
        if platform not in MAX_TEXT:
            raise GraphError(100, "(#100) param platform must be one of {MESSENGER, INSTAGRAM}")
        items = self.r.conversations(platform)
        query = {k: v for k, v in params.items() if k not in ("after", "before", "access_token")}
        page, paging = page_of(
            items,
            key=_conv_key,
            limit=_limit(params.get("limit")),
            after=params.get("after"),
            before=params.get("before"),
            next_url=self.r._url(f"{self.data.page_id}/conversations", query),
        )
        result: dict[str, Any] = {"data": [self.r.render("conversation", c, specs) for c in page]}
        if paging:
            result["paging"] = paging
        return result

    def _posts(
        self, kind: str, edge: str, params: dict[str, str], specs: list[FieldSpec] | None
    ) -> dict[str, Any]:
        since = _since(params.get("since"))
        items = sorted(
            (
                p
                for p in self.data.posts.values()
                if p.kind == kind and (p.updated if kind == "post" else p.created) >= since
            ),
            key=lambda p: (-p.created, -p.seq),
        )
        owner = self.data.page_id if kind == "post" else self.data.ig_user_id
        query = {k: v for k, v in params.items() if k not in ("after", "before", "access_token")}
        page, paging = page_of(
            items,
            key=lambda p: (-p.created, -p.seq),
            limit=_limit(params.get("limit")),
            after=params.get("after"),
            before=params.get("before"),
            next_url=self.r._url(f"{owner}/{edge}", query),
        )
        result: dict[str, Any] = {"data": [self.r.render(kind, p, specs) for p in page]}
        if paging:
            result["paging"] = paging
        return result

    def post(self, path: list[str], params: dict[str, str], body: Any) -> dict[str, Any]:
        fields: dict[str, Any] = dict(params)
        if isinstance(body, dict):
            fields.update(body)
        elif body is not None:
            raise GraphError(100, "(#100) Invalid request body")
        with self.data.lock:
            if len(path) == 2 and path[0] in (self.data.page_id, "me") and path[1] == "messages":
                return self._send(fields)
            if len(path) == 2 and path[1] == "replies":
                kind, obj = self._node(path[0])
                if kind == "ig_comment":
                    return self._ig_reply(obj, fields)
            raise GraphError(100, "(#100) Unsupported post request", kind="GraphMethodException")

    def _send(self, fields: dict[str, Any]) -> dict[str, Any]:
        recipient = _json_field(fields.get("recipient"))
        message = _json_field(fields.get("message"))
        if not isinstance(recipient, dict) or not recipient:
            raise GraphError(100, "(#100) param recipient must be non-empty.")
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            raise GraphError(100, "(#100) param message must have text")
        text: str = message["text"]
        if not text.strip():
            raise GraphError(100, "(#100) param message[text] must be non-empty.")
        metadata = message.get("metadata")
        if "comment_id" in recipient:
            return self._private_reply(str(recipient["comment_id"]), text, metadata)
        customer = str(recipient.get("id", ""))
        conv = next(
            (c for c in self.data.conversations.values() if c.customer_id == customer), None
        )
        if conv is None:
            raise GraphError(100, "(#100) No matching user found", subcode=2018001)
        if len(text) > MAX_TEXT[conv.platform]:
            raise GraphError(
                100, f"(#100) param message[text] longer than {MAX_TEXT[conv.platform]}"
            )
        kind = fields.get("messaging_type")
        tag = fields.get("tag")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            raise GraphError(
                100, "(#100) param messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG"
            )
        if kind == "MESSAGE_TAG" and tag != "HUMAN_AGENT":
            raise GraphError(100, "(#100) param tag must be HUMAN_AGENT")
        last = conv.last_from_customer()
        allowed = HUMAN_AGENT_WINDOW_S if kind == "MESSAGE_TAG" else STANDARD_WINDOW_S
        if last is None or self.data.now() - last > allowed:
            raise GraphError(
                10,
                "(#10) This message is sent outside of allowed window.",
                subcode=2018278,
            )
        msg = self.data.add_message(conv.id, text, from_customer=False)
        msg.metadata = metadata if isinstance(metadata, str) else None
        msg.messaging_type, msg.tag = str(kind), tag if isinstance(tag, str) else None
        return {"recipient_id": conv.customer_id, "message_id": msg.id}

    def _private_reply(self, comment_id: str, text: str, metadata: Any) -> dict[str, Any]:
        comment = self.data.comments.get(comment_id)
        if comment is None:
            raise GraphError(
                100, f"(#100) Object with ID '{comment_id}' does not exist", subcode=33
            )
        if comment.from_id in (self.data.page_id, self.data.ig_user_id):
            raise GraphError(10903, "This user can't reply to this activity")
        if self.data.now() - comment.created > PRIVATE_REPLY_WINDOW_S:
            raise GraphError(
                10,
                "(#10) This message is sent outside of allowed window.",
                subcode=2018278,
            )
        if not comment.can_reply_privately:
            raise GraphError(10900, "Activity already replied to")
        if len(text) > MAX_TEXT[comment.platform]:
            raise GraphError(100, "(#100) Length of param message[text] is too long")
        conv = self.data.add_conversation(comment.platform, comment.from_id, comment.from_name)
        msg = self.data.add_message(conv.id, text, from_customer=False)
        msg.metadata = metadata if isinstance(metadata, str) else None
        comment.can_reply_privately = False
        return {"recipient_id": comment.from_id, "message_id": msg.id}

    def _ig_reply(self, comment: Comment, fields: dict[str, Any]) -> dict[str, Any]:
        text = fields.get("message")
        if not isinstance(text, str) or not text.strip():
            raise GraphError(100, "(#100) The parameter message is required")
        if comment.hidden:
            raise GraphError(100, "(#100) Cannot reply to a hidden comment")
        top = comment if comment.parent_id is None else self.data.comments[comment.parent_id]
        reply = self.data.add_comment(
            top.object_id, self.data.ig_user_id, self.data.ig_username, text, parent_id=top.id
        )
        return {"id": reply.id}


def _json_field(value: Any) -> Any:
    """Form fields carry JSON objects as strings (``recipient={'id': ...}`` in Meta's curl
    examples, single quotes included)."""
    if isinstance(value, str):
        for text in (value, value.replace("'", '"')):
            try:
                return json.loads(text)
            except ValueError:
                continue
        return None
    return value


def _since(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return float(value)
    except ValueError:
        raise GraphError(100, "(#100) param since must be a Unix time") from None


class _Server(LocalServer):
    def __init__(self, data: GraphData, token: str) -> None:
        super().__init__(_Handler)
        self.data = data
        self.token = token
        self.expired = False
        self.hits: list[Hit] = []
        self.faults: list[Fault] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/{GRAPH_VERSION}"

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self.faults):
                if (fault.path is None or fault.path in path) and (
                    fault.method is None or fault.method == method
                ):
                    return self.faults.pop(i)
        return None


class GraphServer:
    """Runs the local Graph API in a background thread.

    Args:
        data: The state to serve (default: an empty Page and Instagram account).
        token: The valid access token (default: a random one).

    Attributes:
        data: The served state (tests add to it under ``data.lock`` or through its methods).
        token: The valid access token.
    """

    def __init__(self, data: GraphData | None = None, token: str | None = None) -> None:
        self.data = data if data is not None else GraphData()
        self.token = token or secrets.token_urlsafe(24)
        self._httpd = _Server(self.data, self.token)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v21.0``: the connectors' ``graph_url``."""
        return self._httpd.base_url

    @property
    def hits(self) -> list[Hit]:
        """A copy of the requests received so far."""
        with self._httpd._lock:
            return list(self._httpd.hits)

    def clear_hits(self) -> None:
        """Forget the requests received so far."""
        with self._httpd._lock:
            self._httpd.hits.clear()

    def fail_next(
        self,
        kind: str,
        n: int = 1,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        delay: float = 0.0,
        body: bytes = b"",
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``n`` matching requests fail.

        Args:
            kind: ``error500``, ``rate_limit`` (default status 429, error code 4),
                ``slow`` (wait ``delay`` s, then answer), ``drop`` (close the socket),
                ``malformed`` (200 with broken JSON) or ``status`` (``status`` and ``body``).
            n: How many requests.
            status: HTTP status for ``rate_limit`` and ``status``.
            retry_after: ``Retry-After`` seconds for ``rate_limit``.
            delay: Seconds for ``slow``.
            body: Body for ``status``.
            path: Only requests whose path contains this.
            method: Only requests with this method.
        """
        if kind not in ("error500", "rate_limit", "slow", "drop", "malformed", "status"):
            raise ValueError(kind)
        default = 429 if kind == "rate_limit" else 500
        fault = Fault(kind, status or default, retry_after, delay, body, path, method)
        with self._httpd._lock:
            self._httpd.faults.extend([fault] * n)

    def expire_token(self, expired: bool = True) -> None:
        """Make every token expired (error 190, subcode 463) until called with False."""
        self._httpd.expired = expired

    def start(self) -> GraphServer:
        """Start serving."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="graph-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and join the thread."""
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.drop_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = [
    "GRAPH_VERSION",
    "Comment",
    "Conversation",
    "Fault",
    "GraphData",
    "GraphError",
    "GraphServer",
    "Hit",
    "Message",
    "Post",
    "graph_time",
    "load_demo_graph",
    "parse_fields",
    "person",
]
