"""A demo channel server: real HTTP on 127.0.0.1, an ephemeral port, started and stopped by
the app (or a test) that owns it.

It serves the "Sotong demo channel API v1", shaped like the social APIs it stands in for:

``GET /v1/channels``
    ``{"channels": [{"id": "kakaotalk", "name": "..."}]}``
``GET /v1/channels/{channel}/messages?after=CURSOR&limit=N``
    ``{"data": [message...], "paging": {"cursor": "...", "has_more": bool}}``; each message is
    ``{"id", "thread_id", "from": {"id", "name"}, "direction": "in"|"out", "text",
    "created_time": ms}``. A cursor from an earlier run of the server restarts from the top
    (clients deduplicate by id), like IMAP's UIDVALIDITY.
``POST /v1/channels/{channel}/messages``
    body ``{"thread_id", "text", "client_id"}`` -> ``{"id": "..."}``. A repeated ``client_id``
    returns the first id and sends nothing new, so a retried send is safe.

Errors are ``{"error": {"code": "...", "message": "..."}}`` with 400 (bad payload,
``empty_text``, ``text_too_long``), 401 (``invalid_token``), 404 (``unknown_thread``,
``unknown_channel``) and 405. New inbound messages arrive every ``interval_s`` seconds.
"""

from __future__ import annotations

import bisect
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from console.demo._local import LocalHandler, LocalServer, stable_hex
from console.resources import resource

log = logging.getLogger(__name__)

CHANNELS: dict[str, str] = {
    "kakaotalk": "소통의원 카카오톡 채널",
    "instagram": "@sotong_clinic",
    "naver_talktalk": "소통의원 네이버 톡톡",
    "facebook": "소통의원 Facebook",
    "sms": "대표번호 문자 1588-0000",
    "email": "contact@sotong-clinic.example",
    "webform": "홈페이지 상담 신청",
    "x": "@sotong_clinic (X)",
}
MAX_TEXT = 2000
PAGE_MAX = 200


def thread_id_for(channel: str, handle: str) -> str:
    """The demo's thread id for a contact on a channel (stable across runs)."""
    return "t_" + stable_hex(channel, handle)


@dataclass
class _Msg:
    seq: int
    id: str
    channel: str
    thread_id: str
    handle: str
    name: str
    direction: str
    text: str
    created_ms: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "thread_id": self.thread_id,
            "from": {"id": self.handle, "name": self.name},
            "direction": self.direction,
            "text": self.text,
            "created_time": self.created_ms,
        }


@dataclass
class DemoData:
    """The server's state: every message per channel, and the queue of live arrivals."""

    run: str = field(default_factory=lambda: secrets.token_hex(4))
    messages: list[_Msg] = field(default_factory=list)
    by_channel: dict[str, list[_Msg]] = field(default_factory=dict)
    threads: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # id -> chan, handle, name
    sent: dict[str, str] = field(default_factory=dict)  # client_id -> message id
    incoming: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        channel: str,
        handle: str,
        name: str,
        direction: str,
        text: str,
        created_ms: int,
        msg_id: str | None = None,
    ) -> _Msg:
        """Append a message (the caller holds ``lock``)."""
        tid = thread_id_for(channel, handle)
        self.threads.setdefault(tid, (channel, handle, name))
        seq = len(self.messages) + 1
        msg = _Msg(
            seq,
            msg_id or f"{self.run}-{seq}",
            channel,
            tid,
            handle,
            name,
            direction,
            text,
            created_ms,
        )
        self.messages.append(msg)
        self.by_channel.setdefault(channel, []).append(msg)
        return msg


def load_demo_data(now_ms: int | None = None, channels: Collection[str] | None = None) -> DemoData:
    """Seed the server from the shipped corpus, with times relative to now.

    Args:
        now_ms: "Now", for the relative times.
        channels: Serve only these channels (None: all of :data:`CHANNELS`).
    """
    now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    data = DemoData()
    convs = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    seeded = []
    for ci, conv in enumerate(convs):
        if channels is not None and conv["channel"] not in channels:
            continue
        for mi, m in enumerate(conv["messages"]):
            seeded.append((now - int(m["minutes_ago"]) * 60_000, ci, mi, conv, m))
    seeded.sort(key=lambda t: t[0])
    for created, ci, mi, conv, m in seeded:
        data.add(
            conv["channel"],
            conv["handle"],
            conv["contact"],
            m["dir"],
            m["text"],
            created,
            msg_id=f"seed-{ci}-{mi}",
        )
    data.incoming = json.loads(resource("demo", "incoming.json").read_text(encoding="utf-8"))
    return data


def corpus() -> list[dict[str, Any]]:
    """The shipped demo conversations (for seeding the clinic's triage)."""
    loaded: list[dict[str, Any]] = json.loads(
        resource("demo", "conversations.json").read_text(encoding="utf-8")
    )
    return loaded


class _Handler(LocalHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo server: " + format, *args)

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        self._reply(status, {"error": {"code": code, "message": message}})

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.server.token}":
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "invalid_token", "missing or wrong access token")
        return False

    def _route(self) -> tuple[list[str], dict[str, list[str]]]:
        parts = urlsplit(self.path)
        return [p for p in parts.path.split("/") if p], parse_qs(parts.query)

    def do_GET(self) -> None:
        if not self._authorised():
            return
        path, query = self._route()
        if path == ["v1", "channels"]:
            self._reply(200, {"channels": [{"id": k, "name": v} for k, v in CHANNELS.items()]})
        elif len(path) == 4 and path[:2] == ["v1", "channels"] and path[3] == "messages":
            self._list(path[2], query)
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such endpoint")

    def _list(self, channel: str, query: dict[str, list[str]]) -> None:
        if channel not in CHANNELS:
            self._error(HTTPStatus.NOT_FOUND, "unknown_channel", channel)
            return
        data = self.server.data
        try:
            limit = min(PAGE_MAX, max(1, int(query.get("limit", ["100"])[0])))
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, "bad_limit", "limit must be a number")
            return
        after = 0
        cursor = query.get("after", [""])[0]
        if cursor:
            run, _, seq = cursor.partition(":")
            if run == data.run:
                try:
                    after = int(seq)
                except ValueError:
                    self._error(HTTPStatus.BAD_REQUEST, "bad_cursor", "unreadable cursor")
                    return
        with data.lock:
            mine = data.by_channel.get(channel, [])
            start = bisect.bisect_right(mine, after, key=lambda m: m.seq)
            page = mine[start : start + limit]
            more = start + limit < len(mine)
            last = page[-1].seq if more else len(data.messages)
        self._reply(
            200,
            {
                "data": [m.as_json() for m in page],
                "paging": {"cursor": f"{data.run}:{last}", "has_more": more},
            },
        )

    def do_POST(self) -> None:
        if not self._authorised():
            return
        path, _ = self._route()
        if not (len(path) == 4 and path[:2] == ["v1", "channels"] and path[3] == "messages"):
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such endpoint")
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            self._error(HTTPStatus.BAD_REQUEST, "bad_json", "body is not JSON")
            return
        if not isinstance(payload, dict) or not all(
            isinstance(payload.get(k), str) for k in ("thread_id", "text", "client_id")
        ):
            self._error(HTTPStatus.BAD_REQUEST, "bad_payload", "thread_id, text, client_id")
            return
        self._send(path[2], payload)

    def _send(self, channel: str, payload: dict[str, str]) -> None:
        data = self.server.data
        text = payload["text"]
        if not text.strip():
            self._error(HTTPStatus.BAD_REQUEST, "empty_text", "text is empty")
            return
        if len(text) > MAX_TEXT:
            self._error(HTTPStatus.BAD_REQUEST, "text_too_long", f"at most {MAX_TEXT}")
            return
        with data.lock:
            thread = data.threads.get(payload["thread_id"])
            if thread is None or thread[0] != channel:
                self._error(HTTPStatus.NOT_FOUND, "unknown_thread", payload["thread_id"])
                return
            known = data.sent.get(payload["client_id"])
            if known is None:
                msg = data.add(
                    channel, thread[1], thread[2], "out", text, time.time_ns() // 1_000_000
                )
                known = data.sent[payload["client_id"]] = msg.id
        self._reply(200, {"id": known})


class _Server(LocalServer):
    def __init__(self, data: DemoData, token: str) -> None:
        super().__init__(_Handler)
        self.data = data
        self.token = token


class DemoServer:
    """Runs the demo API in background threads.

    Args:
        interval_s: Seconds between live inbound messages (0 or less: none).
        data: Pre-built state (tests); by default the shipped corpus.
        seed: Random seed for which live message comes next.
        channels: Serve only these channels (None: all).
        deliver: Takes a live arrival for a channel this server does not serve (another local
            API server's), and says whether it did.
    """

    def __init__(
        self,
        interval_s: float = 6.0,
        data: DemoData | None = None,
        seed: int | None = None,
        channels: Collection[str] | None = None,
        deliver: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.token = secrets.token_urlsafe(24)
        self.data = data if data is not None else load_demo_data(channels=channels)
        self.channels = set(channels) if channels is not None else set(CHANNELS)
        self.deliver = deliver
        self.interval_s = interval_s
        self._rng = random.Random(seed)
        self._httpd = _Server(self.data, self.token)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> DemoServer:
        """Start serving (and the live arrivals, if any)."""
        serve = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="demo-http", daemon=True
        )
        serve.start()
        self._threads.append(serve)
        if self.interval_s > 0 and self.data.incoming:
            ticker = threading.Thread(target=self._tick, name="demo-arrivals", daemon=True)
            ticker.start()
            self._threads.append(ticker)
        return self

    def arrive(self) -> None:
        """Deliver the next live inbound message now."""
        item = self._rng.choice(self.data.incoming)
        if item["channel"] not in self.channels:
            if self.deliver is not None and self.deliver(item):
                return
            item = self._rng.choice(
                [i for i in self.data.incoming if i["channel"] in self.channels]
                or self.data.incoming
            )
        with self.data.lock:
            self.data.add(
                item["channel"],
                item["handle"],
                item["contact"],
                "in",
                item["text"],
                time.time_ns() // 1_000_000,
            )

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_s * (0.5 + self._rng.random())):
            self.arrive()

    def stop(self) -> None:
        """Stop serving and join the threads."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.drop_connections()
        self._httpd.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
