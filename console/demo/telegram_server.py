"""A local Telegram Bot API server: real HTTP on 127.0.0.1, an ephemeral port, started and
stopped by its owner (a test, or the demo).

It answers ``/bot<token>/METHOD`` (GET or POST; parameters in the query string, a form or a
JSON body) as https://core.telegram.org/bots/api#making-requests describes: ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description", "parameters"}``.

``getMe``
    The bot's User.
``getUpdates`` (https://core.telegram.org/bots/api#getupdates)
    ``offset`` confirms every update below it (they are forgotten), ``limit`` 1-100,
    ``timeout`` waits (long polling) until an update arrives, ``allowed_updates`` filters the
    updates made after the call.
``sendMessage`` (https://core.telegram.org/bots/api#sendmessage)
    ``chat_id``, ``text`` (1-4096 characters), ``reply_parameters`` or ``reply_to_message_id``;
    400 ``Bad Request: message is too long`` / ``message text is empty`` / ``chat not found`` /
    ``message to be replied not found``, 403 ``Forbidden: bot was blocked by the user``.

A wrong or revoked token gets 401 ``Unauthorized``. The fault switches are those of
:class:`console.demo._local.Faults`; a 429 carries ``parameters.retry_after``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from console.demo._local import Fault, Faults, FaultyHandler, LocalServer, Reply

MAX_TEXT = 4096
LONG_POLL_CAP_S = 50.0


@dataclass
class TgChat:
    """A chat the bot is in (private chats: the person's details)."""

    id: int
    type: str = "private"
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The Chat object."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("username", "first_name", "last_name", "title"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    def user(self) -> dict[str, Any]:
        """The User object of a private chat's person."""
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name or ""}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        return out


@dataclass
class TelegramData:
    """The server's state; hold ``cond`` while changing it."""

    bot: dict[str, Any] = field(
        default_factory=lambda: {
            "id": 7000000001,
            "is_bot": True,
            "first_name": "소통의원",
            "username": "sotong_clinic_bot",
        }
    )
    chats: dict[int, TgChat] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    allowed: list[str] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    next_update_id: int = 500_000_001
    _message_ids: dict[int, int] = field(default_factory=dict)

    def chat(
        self,
        chat_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        kind: str = "private",
        title: str | None = None,
    ) -> TgChat:
        """The chat with this id, made if new."""
        with self.cond:
            if chat_id not in self.chats:
                self.chats[chat_id] = TgChat(chat_id, kind, username, first_name, last_name, title)
            return self.chats[chat_id]

    def _message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def update(self, kind: str, obj: Any) -> int | None:
        """Queue an update of any kind (None if ``allowed_updates`` filters it out)."""
        with self.cond:
            if self.allowed and kind not in self.allowed:
                return None
            uid = self.next_update_id
            self.next_update_id += 1
            self.pending.append({"update_id": uid, kind: obj})
            self.cond.notify_all()
            return uid

    def say(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        sender: dict[str, Any] | None = None,
        at: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A person writes to the bot: queue a ``message`` update and return the Message.

        Args:
            chat_id: The chat (made as a private chat if new).
            text: The text, if any.
            sender: The User (default: the private chat's person).
            at: Unix time (default: now).
            **content: Other Message fields (``caption``, ``photo``, ``sticker`` ...).
        """
        with self.cond:
            chat = self.chat(chat_id)
            message: dict[str, Any] = {
                "message_id": self._message_id(chat_id),
                "from": sender or chat.user(),
                "chat": chat.as_json(),
                "date": at if at is not None else int(time.time()),
            }
            if text is not None:
                message["text"] = text
            message.update(content)
            self.messages[(chat_id, message["message_id"])] = message
            self.update("message", message)
            return message

    def edit(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """A person edits an earlier message: queue an ``edited_message`` update."""
        with self.cond:
            message = dict(self.messages[(chat_id, message_id)])
            message["text"] = text
            message["edit_date"] = max(int(time.time()), int(message["date"]) + 1)
            self.messages[(chat_id, message_id)] = message
            self.update("edited_message", message)
            return message

    def bot_says(self, chat_id: int, text: str, reply_to: int | None) -> dict[str, Any]:
        """The bot sends a message (sendMessage)."""
        with self.cond:
            chat = self.chats[chat_id]
            message: dict[str, Any] = {
                "message_id": self._message_id(chat_id),
                "from": dict(self.bot),
                "chat": chat.as_json(),
                "date": int(time.time()),
                "text": text,
            }
            if reply_to is not None:
                message["reply_to_message"] = self.messages[(chat_id, reply_to)]
            self.messages[(chat_id, message["message_id"])] = message
            self.sent.append(message)
            return message


def load_telegram_data(now_s: int | None = None) -> TelegramData:
    """A few chats with the kinds of message a clinic bot sees."""
    now = now_s if now_s is not None else int(time.time())
    data = TelegramData()
    data.chat(5012345678, "민지", "김", "minji_k")
    data.chat(5023456789, "지훈", "박")
    data.chat(5034567890, "Anna", "Petrova", "anna_spb")
    data.chat(5045678901, "서연", None, "seoyeon__")
    first = data.say(5012345678, "안녕하세요 보톡스 예약 가능할까요?", at=now - 3600)
    data.say(5012345678, "토요일 오전이면 좋겠어요", at=now - 3500)
    data.edit(5012345678, first["message_id"], "안녕하세요 턱 보톡스 예약 가능할까요?")
    data.say(
        5023456789,
        at=now - 3000,
        caption="이 부위 여드름 흉터 치료 가능한가요?",
        photo=[
            {"file_id": "p-small", "file_unique_id": "s1", "width": 90, "height": 90},
            {
                "file_id": "p-big",
                "file_unique_id": "s2",
                "width": 1280,
                "height": 1280,
                "file_size": 182_044,
            },
        ],
    )
    data.say(
        5023456789,
        at=now - 2900,
        sticker={
            "file_id": "st-1",
            "file_unique_id": "st1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🙏",
            "file_size": 20_120,
        },
    )
    data.say(
        5034567890,
        "Hello! Do you have an English-speaking doctor? <b>urgent</b> *please*",
        at=now - 2000,
    )
    data.say(
        5045678901,
        at=now - 1500,
        caption="검진 결과지 보내드려요",
        document={
            "file_id": "d-1",
            "file_unique_id": "d1",
            "file_name": "검진결과.pdf",
            "mime_type": "application/pdf",
            "file_size": 523_114,
        },
    )
    data.update(
        "callback_query",
        {"id": "cb-1", "from": data.chats[5045678901].user(), "chat_instance": "1", "data": "x"},
    )
    data.update(
        "channel_post",
        {
            "message_id": 1,
            "chat": {"id": -1001234567890, "type": "channel", "title": "소통의원 소식"},
            "date": now - 1000,
            "text": "이번 달 이벤트 안내",
        },
    )
    return data


# -- HTTP -------------------------------------------------------------------------------------


def _answer(status: int, payload: dict[str, Any]) -> Reply:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return status, {"Content-Type": "application/json"}, body


def _error(code: int, description: str, **parameters: Any) -> Reply:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return _answer(code, payload)


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if not body:
        return params
    if "json" in content_type:
        try:
            loaded = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return params
        if isinstance(loaded, dict):
            params.update(loaded)
    else:
        params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params


def _json_param(value: Any) -> Any:
    """Form and query values of array/object parameters arrive JSON-serialised."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


class _Handler(FaultyHandler):
    server: _TgHttp

    def log_message(self, format: str, *args: Any) -> None:
        token = self.server.owner.token
        super().log_message("%s", (format % args).replace(token, "<token>"))

    def error_reply(self, fault: Fault) -> Reply:
        if fault.kind == "rate_limit":
            seconds = int(fault.seconds)
            return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        return _error(fault.status, "Internal Server Error")

    def route(self, method: str, body: bytes) -> Reply:
        owner = self.server.owner
        parts = urlsplit(self.path)
        segments = [p for p in parts.path.split("/") if p]
        if len(segments) != 2 or not segments[0].startswith("bot"):
            return _error(404, "Not Found")
        owner.log_request(segments[1])
        if segments[0][3:] != owner.token or owner.revoked:
            return _error(401, "Unauthorized")
        params = _params(parts.query, body, self.headers.get("Content-Type", ""))
        name = segments[1].lower()  # method names are case-insensitive
        if name == "getme":
            return _answer(200, {"ok": True, "result": owner.data.bot})
        if name == "getupdates":
            return owner.get_updates(params)
        if name == "sendmessage":
            return owner.send_message(params)
        return _error(404, "Not Found: method not found")


class _TgHttp(LocalServer):
    def __init__(self, owner: TelegramServer) -> None:
        handler = type("TelegramHandler", (_Handler,), {"faults": owner.faults})
        super().__init__(handler)
        self.owner = owner


class TelegramServer:
    """Runs the local Bot API in a background thread.

    Args:
        data: The state to serve (default: a few seeded chats).
        max_text: Longest text ``sendMessage`` accepts.
    """

    def __init__(self, data: TelegramData | None = None, max_text: int = MAX_TEXT) -> None:
        self.data = data if data is not None else load_telegram_data()
        self.token = f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)[:35]}"
        self.revoked = False
        self.max_text = max_text
        self.faults = Faults()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd = _TgHttp(self)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> TelegramServer:
        """Start serving."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="telegram-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end long polls and slow answers, close every connection."""
        self.faults.stopping.set()
        with self.data.cond:
            self.data.cond.notify_all()
        self._httpd.shutdown()
        self._httpd.drop_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TelegramServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def revoke(self) -> None:
        """Revoke the token (as /revoke in @BotFather): every later request gets 401."""
        self.revoked = True

    def log_request(self, method: str) -> None:
        """Record a request that got past the fault switches (tests count them)."""
        with self._lock:
            self.requests.append(method)

    def count(self, method: str) -> int:
        """Requests so far to ``method``."""
        with self._lock:
            return sum(1 for m in self.requests if m.lower() == method.lower())

    def get_updates(self, params: dict[str, Any]) -> Reply:
        """``getUpdates``."""
        data = self.data
        offset = _int(params.get("offset"))
        limit = min(100, max(1, _int(params.get("limit"), 100) or 100))
        timeout = min(LONG_POLL_CAP_S, max(0, _int(params.get("timeout"), 0) or 0))
        allowed = _json_param(params.get("allowed_updates"))
        deadline = time.monotonic() + timeout
        with data.cond:
            if isinstance(allowed, list):
                data.allowed = [a for a in allowed if isinstance(a, str)]
            if offset is not None and offset > 0:
                data.pending = [u for u in data.pending if u["update_id"] >= offset]
            elif offset is not None and offset < 0:
                data.pending = data.pending[offset:]
            while not data.pending and not self.faults.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                data.cond.wait(min(left, 0.5))
            result = [dict(u) for u in data.pending[:limit]]
        return _answer(200, {"ok": True, "result": result})

    def send_message(self, params: dict[str, Any]) -> Reply:
        """``sendMessage``."""
        data = self.data
        chat_id = _int(params.get("chat_id"))
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > self.max_text:
            return _error(400, "Bad Request: message is too long")
        reply = _json_param(params.get("reply_parameters"))
        reply_to = _int(params.get("reply_to_message_id"))
        allow_without = False
        if isinstance(reply, dict):
            reply_to = _int(reply.get("message_id"))
            allow_without = reply.get("allow_sending_without_reply") is True
        with data.cond:
            if chat_id is None or chat_id not in data.chats:
                return _error(400, "Bad Request: chat not found")
            if chat_id in data.blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
            if reply_to is not None and (chat_id, reply_to) not in data.messages:
                if not allow_without:
                    return _error(400, "Bad Request: message to be replied not found")
                reply_to = None
            message = data.bot_says(chat_id, text, reply_to)
        return _answer(200, {"ok": True, "result": message})


__all__ = ["TelegramData", "TelegramServer", "TgChat", "load_telegram_data"]
