"""The demo channel over real HTTP on 127.0.0.1: fetch, send, dedup and every error path."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from console import services
from console.channels.base import AuthExpired, OutgoingReply, Rejected, Transient
from console.channels.demo import DemoChannel
from console.demo.server import DemoData, DemoServer, thread_id_for
from console.runtime import Runtime
from console.store import Store, open_memory_store
from console.store import queries as q
from console.store.models import ChannelAccount, Message, Outbox
from tests.helpers.factory import add_operator, now_ms

pytestmark = pytest.mark.slow


def _data(n: int = 3) -> DemoData:
    data = DemoData()
    t = now_ms() - 3_600_000
    for i in range(n):
        data.add(
            "kakaotalk", f"kakao_{i}", f"고객{i}", "in", f"문의 {i}: 보톡스 가격 얼마에요?", t + i
        )
    data.add("instagram", "ig_minji", "minji", "in", "<b>급해요</b>", t + 100)
    data.incoming = [
        {
            "channel": "kakaotalk",
            "handle": "kakao_new",
            "contact": "새고객",
            "department": None,
            "text": "주차 되나요?",
        }
    ]
    return data


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(interval_s=0, data=_data()) as srv:
        yield srv


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def close_runtimes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every connector a test opened (no socket left behind)."""
    made: list[DemoChannel] = []
    original = DemoChannel.__init__

    def tracking(self: DemoChannel, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(DemoChannel, "__init__", tracking)
    yield
    for channel in made:
        channel.close()


def _account(store: Store, kind: str) -> str:
    from tests.helpers.factory import add_account

    return add_account(store, kind)


def _runtime(store: Store, server: DemoServer, token: str | None = None) -> tuple[Runtime, str]:
    account = _account(store, "kakaotalk")
    channel = DemoChannel(server.base_url, "kakaotalk", token or server.token)
    return Runtime(store, {account: channel}), account


def test_polling_stores_history_and_new_arrivals_once(store: Store, server: DemoServer) -> None:
    runtime, account = _runtime(store, server)
    report = runtime.poll_once()
    assert report.fetched == 3 and not report.errors
    assert q.nav_counts(store, None).all_open == 3
    server.arrive()
    assert runtime.poll_once().fetched == 1
    assert runtime.poll_once().fetched == 0
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 4
        assert s.get(ChannelAccount, account).last_fetch_at is not None  # type: ignore[union-attr]


def test_paging_follows_has_more_until_the_end(store: Store) -> None:
    with DemoServer(interval_s=0, data=_data(250)) as srv:
        runtime, _ = _runtime(store, srv)
        assert runtime.poll_once().fetched == 250


def test_a_queued_reply_is_sent_once_and_appears_as_sent(store: Store, server: DemoServer) -> None:
    runtime, _ = _runtime(store, server)
    runtime.poll_once()
    actor = services.Actor(add_operator(store))
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    rid = services.queue_reply(store, actor, cid, "안녕하세요 고객님, 보톡스는 3만원입니다 😊")
    assert runtime.send_due().outbox
    with store.read() as s:
        out = s.get(Outbox, rid)
        assert out is not None and out.state == "sent" and out.external_id
    row = q.conversation_row(store, cid)
    assert row is not None and row.queued == 0 and row.waiting_since is None
    assert row.snippet.startswith("안녕하세요 고객님")
    runtime.poll_once()  # the server now lists our reply too: it must not appear twice
    sent = [i for i in q.thread_items(store, cid) if i.direction == "out"]
    assert [(i.kind, i.body) for i in sent] == [
        ("message", "안녕하세요 고객님, 보톡스는 3만원입니다 😊")
    ]
    assert sum(1 for m in server.data.messages if m.direction == "out") == 1


def test_resending_after_a_crash_mid_send_does_not_duplicate(
    store: Store, server: DemoServer
) -> None:
    runtime, _ = _runtime(store, server)
    runtime.poll_once()
    actor = services.Actor(None)
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    rid = services.queue_reply(store, actor, cid, "예약 도와드릴게요")
    channel = next(iter(runtime.channels.values()))
    thread = thread_id_for("kakaotalk", "kakao_2")
    # The API call went through but the process died before recording it:
    channel.send(OutgoingReply(rid, thread, "kakao_2", "예약 도와드릴게요"))
    with store.write() as s:
        s.get(Outbox, rid).state = "sending"  # type: ignore[union-attr]
    restarted = Runtime(store, runtime.channels)
    restarted.recover_interrupted()
    restarted.send_due()
    assert sum(1 for m in server.data.messages if m.direction == "out") == 1
    with store.read() as s:
        assert s.get(Outbox, rid).state == "sent"  # type: ignore[union-attr]


def test_a_rejected_reply_is_failed_with_its_reason(store: Store, server: DemoServer) -> None:
    runtime, _ = _runtime(store, server)
    runtime.poll_once()
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    services.queue_reply(store, services.Actor(None), cid, "가" * 2500)
    runtime.send_due()
    failed = [i for i in q.thread_items(store, cid) if i.kind == "outbox"]
    assert [(i.state, i.error) for i in failed] == [("failed", "text_too_long")]
    assert q.health(store).failed_replies == 1


def test_a_wrong_token_is_reported_on_the_account(store: Store, server: DemoServer) -> None:
    runtime, account = _runtime(store, server, token="expired")
    report = runtime.poll_once()
    assert report.errors == {account: "auth_expired"}
    assert q.health(store).accounts_in_error == (("테스트 채널", "auth_expired"),)
    with pytest.raises(AuthExpired):
        DemoChannel(server.base_url, "kakaotalk", "expired").fetch(None)


def test_a_vanished_server_leaves_replies_queued_for_later(store: Store) -> None:
    with DemoServer(interval_s=0, data=_data()) as srv:
        runtime, _ = _runtime(store, srv)
        runtime.poll_once()
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    rid = services.queue_reply(store, services.Actor(None), cid, "네 가능합니다")
    runtime.send_due()
    with store.read() as s:
        out = s.get(Outbox, rid)
        assert out is not None and out.state == "queued" and out.error == "transient"
        assert out.next_attempt_at >= now_ms() - 10
    assert runtime.poll_once().errors  # fetch fails too, and says so


class _Odd(BaseHTTPRequestHandler):
    """A server answering with broken payloads."""

    body = b""
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"<html>not json</html>", Rejected),
        (200, json.dumps({"data": [{"id": 1}], "paging": {"cursor": "x"}}).encode(), Rejected),
        (200, json.dumps({"data": "nope", "paging": {"cursor": "x"}}).encode(), Rejected),
        (503, b"", Transient),
        (429, b"", Exception),
    ],
)
def test_malformed_or_failing_answers_raise_channel_errors(
    status: int, body: bytes, error: type[Exception]
) -> None:
    handler = type("H", (_Odd,), {"body": body, "status": status})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        channel = DemoChannel(f"http://127.0.0.1:{httpd.server_address[1]}", "kakaotalk", "t")
        with pytest.raises(error) as info:
            channel.fetch(None)
        assert getattr(info.value, "code", None) in {"rejected", "transient", "rate_limited"}
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_account_with_a_minimum_interval_is_not_polled_sooner(
    store: Store, server: DemoServer
) -> None:
    from console.channels.base import Capabilities

    class Billed(DemoChannel):
        capabilities = Capabilities(min_poll_interval_s=120)

    now = [1000.0]
    account = _account(store, "x")
    runtime = Runtime(
        store, {account: Billed(server.base_url, "kakaotalk", server.token)}, clock=lambda: now[0]
    )
    assert runtime.poll_once().fetched == 3
    server.arrive()
    now[0] += 60
    assert runtime.poll_once().fetched == 0  # too soon: no request made
    now[0] += 61
    assert runtime.poll_once().fetched == 1


def test_a_reply_names_the_customer_message_it_answers(store: Store, server: DemoServer) -> None:
    runtime, _ = _runtime(store, server)
    runtime.poll_once()
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    services.queue_reply(store, services.Actor(None), cid, "네")
    seen: list[OutgoingReply] = []
    channel = next(iter(runtime.channels.values()))
    original = channel.send

    def spy(reply: OutgoingReply) -> str:
        seen.append(reply)
        return original(reply)

    channel.send = spy  # type: ignore[method-assign]
    runtime.send_due()
    latest_in = [i for i in q.thread_items(store, cid) if i.direction == "in"][-1]
    with store.read() as s:
        external = s.get(Message, latest_in.id).external_id  # type: ignore[union-attr]
    assert seen[0].reply_to_external_id == external
    assert seen[0].customer_last_at is not None
