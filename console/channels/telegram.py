"""Connector for a Telegram bot (Bot API): updates in by ``getUpdates``, replies by ``sendMessage``.

The Bot API is documented on one page, https://core.telegram.org/bots/api; the parts used here:

Making requests (``https://api.telegram.org/bot<token>/METHOD``; answers ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description", "parameters":
{"retry_after", "migrate_to_chat_id"}}``)
    https://core.telegram.org/bots/api#making-requests and
    https://core.telegram.org/bots/api#responseparameters
``getUpdates`` (``offset``, ``limit`` 1-100, ``timeout`` for long polling, ``allowed_updates``)
    https://core.telegram.org/bots/api#getupdates and https://core.telegram.org/bots/api#update
``sendMessage`` (``chat_id``, ``text`` of 1-4096 characters, ``reply_parameters``)
    https://core.telegram.org/bots/api#sendmessage and
    https://core.telegram.org/bots/api#replyparameters
Messages (``text`` or ``caption``; ``photo``, ``document``, ``sticker`` ...)
    https://core.telegram.org/bots/api#message

Why re-fetching with the old offset is safe: Telegram keeps an update (for up to 24 hours) until
``getUpdates`` is called with an ``offset`` higher than its ``update_id``; only that call
confirms it. The cursor this connector returns holds that higher offset, and the runtime stores
the cursor in the same transaction as the page (:func:`console.ingest.ingest`). So the offset
that confirms a page is sent only after the page is safely stored: if the process dies first,
the next fetch sends the old offset and Telegram answers with the same updates again, which
ingest drops as duplicates by external id. Nothing is confirmed that is not stored.

Normalisation:
- thread id = chat id; handle = the sender's username, or their numeric id without one; contact
  name = first + last name.
- external id = ``{chat_id}:{message_id}`` (message ids are unique only within a chat). An
  edit becomes a new message ``{chat_id}:{message_id}:edit:{edit_date}`` carrying the new text,
  since stored messages never change.
- A caption stands in for text; photos, documents, stickers, voice notes ... are kept as
  attachment metadata. Text stays verbatim (HTML or Markdown included).
- Channel posts and every other update type are skipped, each with a logged and counted reason.

The bot token is part of every URL path. It is added by a small transport wrapper at the last
moment, so the URLs httpx logs, and puts in its exceptions and responses, hold a placeholder
and never the token.

``sendMessage`` takes no idempotency key, so ``dedupes`` is False: a send whose outcome is
unknown raises ``Transient(ambiguous=True)`` and the outbox marks it unknown.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
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

DEFAULT_BASE_URL = "https://api.telegram.org"
MAX_TEXT = 4096
ALLOWED_UPDATES = ("message", "edited_message")
_MARK = "__sotong_bot_token__"
_MAX_INT = 2**53
_NAME_CHARS = 200
_SLUG = re.compile(r"[^a-z0-9]+")
_CHAT = re.compile(r"-?[0-9]{1,16}")
_MAX_CACHE = 10_000

# Content a message can carry besides text: key -> default MIME type for the metadata.
_CONTENT: dict[str, str] = {
    "animation": "video/mp4",
    "audio": "audio/mpeg",
    "document": "application/octet-stream",
    "photo": "image/jpeg",
    "sticker": "image/webp",
    "video": "video/mp4",
    "video_note": "video/mp4",
    "voice": "audio/ogg",
    "contact": "text/vcard",
    "location": "application/geo+json",
    "venue": "application/geo+json",
    "poll": "application/x-telegram-poll",
    "dice": "application/x-telegram-dice",
    "story": "application/x-telegram-story",
}
_SKIPPED_KINDS = {"channel_post": "channel_post", "edited_channel_post": "channel_post"}


def clean_text(value: str) -> str:
    """Lone surrogates and NUL become U+FFFD; everything else is kept verbatim."""
    fixed = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return fixed.replace("\x00", "\ufffd")


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, which is at least what Telegram counts (never less)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= _MAX_INT:
        return None
    return value


def _str(value: Any) -> str:
    return clean_text(value)[:_NAME_CHARS] if isinstance(value, str) else ""


def _slug(value: str) -> str:
    return _SLUG.sub("_", value.lower()).strip("_")[:40] or "unknown"


def _size(value: Any) -> int:
    size = _int(value)
    return size if size is not None and size >= 0 else 0


def _attachments(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for key, default_mime in _CONTENT.items():
        value = message.get(key)
        mime = default_mime
        if value is None or (key == "document" and "animation" in message):
            continue  # an animation is sent with a copy of itself as a document
        if key == "photo":  # sizes of one picture: keep the largest
            sizes = [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []
            best = max(sizes, key=lambda p: _size(p.get("file_size")), default={})
            found.append(Attachment("photo", mime, _size(best.get("file_size"))))
        elif isinstance(value, dict):
            name = _str(value.get("file_name")) or key
            if key == "sticker":
                name = "sticker" + _str(value.get("emoji"))[:8]
                if value.get("is_animated") is True:
                    mime = "application/x-tgsticker"
                elif value.get("is_video") is True:
                    mime = "video/webm"
            kind = value.get("mime_type")
            mime = kind if isinstance(kind, str) and 0 < len(kind) <= 100 else mime
            found.append(Attachment(name, mime, _size(value.get("file_size"))))
        else:
            found.append(Attachment(key, mime, 0))
    return tuple(found)


@dataclass
class ParsedUpdates:
    """One ``getUpdates`` result, normalised.

    Attributes:
        messages: The messages that could be read.
        skipped: A reason code for every update left out.
        last_update_id: The highest valid ``update_id`` seen (kept or skipped).
        reply_targets: chat id -> latest message id on this page.
    """

    messages: list[InboundMessage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    last_update_id: int | None = None
    reply_targets: dict[str, int] = field(default_factory=dict)


def parse_message(message: Any, edited: bool) -> InboundMessage | str:
    """Normalise one Message object; returns a skip reason instead if it cannot."""
    if not isinstance(message, dict):
        return "bad_message"
    chat = message.get("chat")
    chat_id = _int(chat.get("id")) if isinstance(chat, dict) else None
    message_id = _int(message.get("message_id"))
    date = _int(message.get("edit_date") if edited else message.get("date"))
    if chat_id is None or message_id is None:
        return "bad_message"
    if date is None or date < 0:
        return "bad_date"
    sender = message.get("from")
    if not isinstance(sender, dict):
        sender = chat if isinstance(chat, dict) else {}
    user_id = _int(sender.get("id"))
    handle = _str(sender.get("username")) or (str(user_id) if user_id is not None else "")
    if not handle:
        return "no_sender"
    name = " ".join(p for p in (_str(sender.get("first_name")), _str(sender.get("last_name"))) if p)
    name = name or _str(sender.get("title")) or handle
    text = message.get("text")
    if not isinstance(text, str):
        text = message.get("caption")
    body = clean_text(text) if isinstance(text, str) else ""
    attachments = _attachments(message)
    if not body and not attachments:
        return "no_content"  # service messages: members joining, pins, ...
    external = f"{chat_id}:{message_id}" + (f":edit:{date}" if edited else "")
    return InboundMessage(
        external_id=external,
        thread_id=str(chat_id),
        handle=handle,
        contact_name=name,
        direction="in",
        body=body,
        sent_at=date * 1000,
        author=name,
        attachments=attachments,
    )


def parse_updates(result: Any) -> ParsedUpdates:
    """Normalise the ``result`` of ``getUpdates``.

    Raises:
        Rejected: The result is not a list (``malformed_page``).
    """
    if not isinstance(result, list):
        raise Rejected("malformed_page")
    parsed = ParsedUpdates()
    for update in result:
        uid = _int(update.get("update_id")) if isinstance(update, dict) else None
        if uid is None or uid < 1:
            # Update ids are positive: a negative offset would tell Telegram to drop every
            # update before the last few, unread.
            parsed.skipped.append("bad_update")
            continue
        if parsed.last_update_id is None or uid > parsed.last_update_id:
            parsed.last_update_id = uid
        kinds = [k for k in update if k != "update_id"]
        if not kinds:
            parsed.skipped.append("empty_update")
            continue
        kind = kinds[0]
        if kind not in ALLOWED_UPDATES:
            parsed.skipped.append(_SKIPPED_KINDS.get(kind) or f"update:{_slug(str(kind))}")
            continue
        message = parse_message(update[kind], edited=kind == "edited_message")
        if isinstance(message, str):
            parsed.skipped.append(message)
            continue
        parsed.messages.append(message)
        mid = _int(update[kind].get("message_id"))
        if mid is not None and mid > parsed.reply_targets.get(message.thread_id, 0):
            parsed.reply_targets[message.thread_id] = mid
    return parsed


def _load_offset(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor)
    except ValueError:
        value = None
    offset = _int(value.get("offset")) if isinstance(value, dict) else None
    if offset is not None and offset < 1:
        offset = None  # a negative offset would drop unread updates (see parse_updates)
    if offset is None:
        log.warning("telegram: unreadable cursor, starting from unconfirmed updates")
    return offset


class _TokenTransport(httpx.BaseTransport):
    """Puts the bot token into the URL path just before the request leaves.

    The client only ever sees ``/bot<placeholder>/METHOD``, so httpx's log lines, the URLs in
    its exceptions and ``response.request`` never hold the token.
    """

    def __init__(self, inner: httpx.BaseTransport, token: str) -> None:
        self._inner = inner
        self._path = f"/bot{_MARK}/".encode()
        self._real = f"/bot{quote(token, safe=':')}/".encode()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raw = request.url.raw_path
        if self._path in raw:
            request = httpx.Request(
                request.method,
                request.url.copy_with(raw_path=raw.replace(self._path, self._real, 1)),
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def _raise_error(status: int, payload: Any, *, sending: bool, retry_header: str | None) -> None:
    """Map a Bot API failure to the channel error tree (codes only, never the URL)."""
    body = payload if isinstance(payload, dict) else {}
    code = _int(body.get("error_code")) or status
    text = body.get("description")
    description = text.lower() if isinstance(text, str) else ""
    params = body.get("parameters")
    params = params if isinstance(params, dict) else {}
    if code == 401:
        raise AuthExpired("http 401")
    if code == 429:
        retry = _int(params.get("retry_after"))
        if retry is None and retry_header and retry_header.strip().isdigit():
            retry = int(retry_header.strip())
        raise RateLimited(max(1, retry if retry is not None else 30))
    if code >= 500 or code == 0:
        raise Transient(f"http {code}", ambiguous=sending)
    if code == 403:
        if "blocked" in description:
            raise Rejected("blocked")
        if "kicked" in description or "not a member" in description:
            raise Rejected("kicked")
        if "deactivated" in description:
            raise Rejected("deactivated")
        raise Rejected("forbidden")
    if code == 409:  # a webhook is set, or another process polls the same bot
        raise Rejected("webhook_active" if "webhook" in description else "conflict")
    if code == 400:
        if "too long" in description:
            raise Rejected("text_too_long")
        if "empty" in description:
            raise Rejected("empty_text")
        if "chat not found" in description:
            raise Rejected("chat_not_found")
        if _int(params.get("migrate_to_chat_id")) is not None:
            raise Rejected("chat_migrated")
        raise Rejected("bad_request")
    if code == 404:
        raise Rejected("not_found")
    raise Rejected(f"http_{code}")


class TelegramChannel(Channel):
    """One Telegram bot: the chats people start with it.

    Args:
        token: The bot token from @BotFather.
        base_url: The Bot API server.
        long_poll_s: ``getUpdates`` timeout (0: short polling, the runtime polls on a timer).
        page_size: Updates per request (1-100).
        timeout_s: Network timeout (the long-poll time is added to it).
        proxy: Proxy URL, if the clinic uses one.
        transport: Injected transport for tests.
    """

    capabilities = Capabilities(max_length=MAX_TEXT, dedupes=False)

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        long_poll_s: int = 0,
        page_size: int = 100,
        timeout_s: float = 15.0,
        proxy: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self.long_poll_s = max(0, long_poll_s)
        self.page_size = min(100, max(1, page_size))
        inner = transport or httpx.HTTPTransport(
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            proxy=proxy,
            trust_env=False,
        )
        self._client = make_client(
            base_url.rstrip("/"),
            timeout_s=timeout_s + self.long_poll_s,
            transport=_TokenTransport(inner, token),
        )
        self._reply_to: dict[str, int] = {}
        self.skipped: Counter[str] = Counter()

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        secret: str | None,
        transport: httpx.BaseTransport | None = None,
    ) -> TelegramChannel:
        """Build from an account's settings.

        Args:
            config: Optional ``base_url``, ``long_poll_s``, ``page_size``, ``timeout_s``,
                ``proxy``.
            secret: The bot token from the keyring.
            transport: Injected transport for tests.
        """
        return cls(
            secret or "",
            base_url=str(config.get("base_url") or DEFAULT_BASE_URL),
            long_poll_s=int(config.get("long_poll_s", 0)),
            page_size=int(config.get("page_size", 100)),
            timeout_s=float(config.get("timeout_s", 15.0)),
            proxy=str(config["proxy"]) if config.get("proxy") else None,
            transport=transport,
        )

    def _call(self, method: str, payload: dict[str, Any], *, sending: bool) -> Any:
        if not self._token:
            raise AuthExpired("no_token")
        with checked(sending=sending):
            response = self._client.post(f"/bot{_MARK}/{method}", json=payload)
        try:
            body = response.json()
        except ValueError:
            body = None
        ok = isinstance(body, dict) and body.get("ok") is True and "result" in body
        if response.is_success and ok:
            return body["result"]
        if response.is_success and not (isinstance(body, dict) and body.get("ok") is False):
            if sending:  # it was accepted, but we cannot tell what was sent
                raise Transient("malformed_response", ambiguous=True)
            raise Rejected("malformed_page")
        _raise_error(
            response.status_code,
            body,
            sending=sending,
            retry_header=response.headers.get("Retry-After"),
        )
        raise Transient("unreachable")  # pragma: no cover - _raise_error always raises

    def fetch(self, cursor: str | None) -> FetchResult:
        offset = _load_offset(cursor)
        payload: dict[str, Any] = {
            "limit": self.page_size,
            "timeout": self.long_poll_s,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        if offset is not None:
            payload["offset"] = offset
        result = self._call("getUpdates", payload, sending=False)
        parsed = parse_updates(result)
        if parsed.skipped:
            self.skipped.update(parsed.skipped)
            log.info(
                "telegram: skipped %d update(s): %s",
                len(parsed.skipped),
                dict(Counter(parsed.skipped)),
            )
        if len(self._reply_to) > _MAX_CACHE:
            self._reply_to.clear()
        self._reply_to.update(parsed.reply_targets)
        next_offset = offset
        if parsed.last_update_id is not None:
            next_offset = max(parsed.last_update_id + 1, offset or 0)
        next_cursor = cursor if next_offset is None else json.dumps({"offset": next_offset})
        more = isinstance(result, list) and len(result) >= self.page_size
        return FetchResult(parsed.messages, next_cursor, more and next_offset != offset)

    def send(self, reply: OutgoingReply) -> str:
        if not reply.body.strip():
            raise Rejected("empty_text")
        if utf16_length(reply.body) > MAX_TEXT:
            raise Rejected("text_too_long")
        if not _CHAT.fullmatch(reply.thread_id):
            raise Rejected("bad_thread")
        chat_id = int(reply.thread_id)
        payload: dict[str, Any] = {"chat_id": chat_id, "text": reply.body}
        target = self._reply_to.get(reply.thread_id)
        if chat_id < 0 and target is not None:  # in a group, say whom we answer
            payload["reply_parameters"] = {
                "message_id": target,
                "allow_sending_without_reply": True,
            }
        result = self._call("sendMessage", payload, sending=True)
        message_id = _int(result.get("message_id")) if isinstance(result, dict) else None
        if message_id is None:
            raise Transient("malformed_response", ambiguous=True)
        return f"{chat_id}:{message_id}"

    def close(self) -> None:
        self._client.close()


__all__ = [
    "ParsedUpdates",
    "TelegramChannel",
    "clean_text",
    "parse_message",
    "parse_updates",
    "utf16_length",
]
