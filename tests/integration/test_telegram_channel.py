"""The Telegram connector against the local Bot API server over real HTTP on 127.0.0.1:
updates and offsets, the cursor across crashes, sends, every error class, and a token that
never shows up in an exception or a log line."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from console import services
from console.channels.base import (
    AuthExpired,
    ChannelError,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.channels.telegram import TelegramChannel
from console.demo.telegram_server import TelegramData, TelegramServer
from console.ingest import ingest
from console.runtime import Runtime
from console.store import Store, open_memory_store
from console.store.models import ChannelAccount, Conversation, Message, Outbox
from tests.helpers.factory import add_account

pytestmark = pytest.mark.slow

ANNA = 5034567890
JIHUN = 5023456789


@pytest.fixture
def server() -> Iterator[TelegramServer]:
    with TelegramServer() as srv:
        yield srv


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture
def make(server: TelegramServer) -> Iterator[Callable[..., TelegramChannel]]:
    """Build connectors to ``server`` (closed after the test)."""
    made: list[TelegramChannel] = []

    def build(token: str | None = None, **config: Any) -> TelegramChannel:
        channel = TelegramChannel.from_config(
            {"base_url": server.base_url, "timeout_s": 2.0, **config},
            server.token if token is None else token,
        )
        made.append(channel)
        return channel

    yield build
    for channel in made:
        channel.close()


def _busy(n: int) -> TelegramData:
    data = TelegramData()
    for i in range(n):
        data.chat(6_000_000_000 + i % 7, f"고객{i % 7}")
        data.say(6_000_000_000 + i % 7, f"문의 {i}", at=1_700_000_000 + i)
    return data


def _cursor(store: Store, account: str) -> str | None:
    with store.read() as s:
        return s.scalar(select(ChannelAccount.cursor).where(ChannelAccount.id == account))


def _count(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def test_seeded_chats_are_normalised(
    server: TelegramServer, make: Callable[..., TelegramChannel]
) -> None:
    channel = make()
    result = channel.fetch(None)
    by_id = {m.external_id: m for m in result.messages}
    assert len(by_id) == 7 and not result.more
    assert channel.skipped == {"update:callback_query": 1, "channel_post": 1}
    first = by_id["5012345678:1"]
    assert (first.thread_id, first.handle, first.contact_name) == (
        "5012345678",
        "minji_k",
        "민지 김",
    )
    edits = [m for m in result.messages if ":edit:" in m.external_id]
    assert [m.body for m in edits] == ["안녕하세요 턱 보톡스 예약 가능할까요?"]
    photo = by_id[f"{JIHUN}:1"]
    assert photo.handle == str(JIHUN) and photo.body == "이 부위 여드름 흉터 치료 가능한가요?"
    assert [(a.name, a.size) for a in photo.attachments] == [("photo", 182_044)]
    sticker = by_id[f"{JIHUN}:2"]
    assert sticker.body == "" and sticker.attachments[0].name == "sticker🙏"
    assert by_id[f"{ANNA}:1"].body.endswith("<b>urgent</b> *please*")
    document = by_id["5045678901:1"].attachments[0]
    assert (document.name, document.mime_type) == ("검진결과.pdf", "application/pdf")
    assert {m.direction for m in result.messages} == {"in"}


def test_paging_follows_offsets_and_confirms_only_stored_pages(store: Store) -> None:
    account = add_account(store, "telegram")
    with TelegramServer(data=_busy(250)) as srv:
        channel = TelegramChannel.from_config({"base_url": srv.base_url}, srv.token)
        try:
            page = channel.fetch(None)
            assert len(page.messages) == 100 and page.more
            # The process dies before storing: nothing was confirmed, the same page comes back.
            again = channel.fetch(None)
            assert [m.external_id for m in again.messages] == [m.external_id for m in page.messages]
            assert len(srv.data.pending) == 250
            ingest(store, account, again)
            second = channel.fetch(_cursor(store, account))
            assert len(srv.data.pending) == 150  # the stored page is now confirmed
            ingest(store, account, second)
            ingest(store, account, channel.fetch(_cursor(store, account)))
            assert _count(store) == 250
            last = channel.fetch(_cursor(store, account))
            assert last.messages == [] and not last.more and srv.data.pending == []
            ingest(store, account, last)
            assert _count(store) == 250
        finally:
            channel.close()


def test_refetching_with_the_old_offset_adds_no_duplicates(
    make: Callable[..., TelegramChannel], store: Store
) -> None:
    account = add_account(store, "telegram")
    channel = make()
    ingest(store, account, channel.fetch(None))
    ingest(store, account, channel.fetch(None))
    assert _count(store) == 7
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 4


@pytest.mark.parametrize(
    ("setup", "error", "detail"),
    [
        (lambda srv: srv.faults.fail(1, 500), Transient, "http 500"),
        (lambda srv: srv.faults.fail(1, 502), Transient, "http 502"),
        (lambda srv: srv.faults.rate_limit(1, retry_after=7), RateLimited, "retry after 7s"),
        (lambda srv: srv.faults.malformed(1), Rejected, "malformed_page"),
        (lambda srv: srv.faults.drop(1), Transient, None),
        (lambda srv: srv.faults.slow(1, seconds=3.0), Transient, None),
        (lambda srv: srv.revoke(), AuthExpired, "http 401"),
    ],
    ids=["500", "502", "429", "malformed", "dropped", "slow", "revoked"],
)
def test_fetch_failures_map_to_the_error_tree(
    server: TelegramServer,
    make: Callable[..., TelegramChannel],
    setup: Callable[[TelegramServer], None],
    error: type[Exception],
    detail: str | None,
) -> None:
    channel = make(timeout_s=0.3)
    setup(server)
    with pytest.raises(error) as info:
        channel.fetch(None)
    if detail is not None:
        assert str(info.value) == detail


def test_a_wrong_or_missing_token_is_auth_expired(make: Callable[..., TelegramChannel]) -> None:
    with pytest.raises(AuthExpired):
        make(token="123:wrong").fetch(None)
    with pytest.raises(AuthExpired):
        make(token="").fetch(None)


def test_long_polling_returns_as_soon_as_a_message_arrives() -> None:
    with TelegramServer(data=TelegramData()) as srv:
        srv.data.chat(ANNA, "Anna")
        channel = TelegramChannel.from_config(
            {"base_url": srv.base_url, "long_poll_s": 5}, srv.token
        )
        try:
            timer = threading.Timer(0.2, lambda: srv.data.say(ANNA, "Are you open today?"))
            timer.start()
            result = channel.fetch(None)
            timer.join()
            assert [m.body for m in result.messages] == ["Are you open today?"]
            # allowed_updates now applies: other kinds are not even queued.
            assert srv.data.update("callback_query", {"id": "1"}) is None
        finally:
            channel.close()


def test_sending_a_message(server: TelegramServer, make: Callable[..., TelegramChannel]) -> None:
    channel = make()
    external = channel.send(
        OutgoingReply("r1", str(ANNA), "anna_spb", "Yes, Dr. Lee speaks English.")
    )
    sent = server.data.sent[-1]
    assert external == f"{ANNA}:{sent['message_id']}"
    assert sent["text"] == "Yes, Dr. Lee speaks English." and "reply_to_message" not in sent


def test_in_a_group_the_reply_quotes_the_latest_message(
    server: TelegramServer, make: Callable[..., TelegramChannel]
) -> None:
    group = -1009876543210
    server.data.chat(group, kind="supergroup", title="소통의원 상담방")
    asker = {"id": 5099, "is_bot": False, "first_name": "하늘", "username": "haneul"}
    asked = server.data.say(group, "단체 예약 되나요?", sender=asker)
    channel = make()
    message = channel.fetch(None).messages[-1]
    assert (message.thread_id, message.handle) == (str(group), "haneul")
    channel.send(OutgoingReply("r", str(group), "haneul", "네, 가능합니다."))
    assert server.data.sent[-1]["reply_to_message"]["message_id"] == asked["message_id"]


@pytest.mark.parametrize(
    ("chat", "setup", "reason"),
    [
        (ANNA, lambda srv: srv.data.blocked.add(ANNA), "blocked"),
        (42, lambda srv: None, "chat_not_found"),
        (ANNA, lambda srv: setattr(srv, "max_text", 10), "text_too_long"),
    ],
    ids=["blocked", "unknown-chat", "server-too-long"],
)
def test_refused_sends_are_rejected(
    server: TelegramServer,
    make: Callable[..., TelegramChannel],
    chat: int,
    setup: Callable[[TelegramServer], object],
    reason: str,
) -> None:
    setup(server)
    with pytest.raises(Rejected) as info:
        make().send(OutgoingReply("r", str(chat), "anna_spb", "안녕하세요 소통의원입니다"))
    assert info.value.reason == reason


def test_too_long_is_rejected_without_a_call(
    server: TelegramServer, make: Callable[..., TelegramChannel]
) -> None:
    channel = make()
    for body in ("가" * 4097, "😀" * 2049, " \n "):
        with pytest.raises(Rejected):
            channel.send(OutgoingReply("r", str(ANNA), "anna_spb", body))
    with pytest.raises(Rejected) as info:
        channel.send(OutgoingReply("r", "not-a-chat", "anna_spb", "hi"))
    assert info.value.reason == "bad_thread"
    assert server.count("sendMessage") == 0
    assert channel.send(OutgoingReply("r", str(ANNA), "anna_spb", "😀" * 2048))


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda srv: srv.faults.drop(1, path="sendMessage"), Transient),
        (lambda srv: srv.faults.slow(1, seconds=3.0, path="sendMessage"), Transient),
        (lambda srv: srv.faults.malformed(1, path="sendMessage"), Transient),
        (lambda srv: srv.faults.fail(1, 500, path="sendMessage"), Transient),
        (lambda srv: srv.faults.rate_limit(1, 3, path="sendMessage"), RateLimited),
    ],
    ids=["dropped", "slow", "malformed", "500", "429"],
)
def test_send_failures(
    server: TelegramServer,
    make: Callable[..., TelegramChannel],
    setup: Callable[[TelegramServer], None],
    error: type[ChannelError],
) -> None:
    setup(server)
    with pytest.raises(error) as info:
        make(timeout_s=0.3).send(OutgoingReply("r", str(ANNA), "anna_spb", "내일 뵙겠습니다"))
    if isinstance(info.value, Transient):
        assert info.value.ambiguous
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 3


def test_the_token_never_appears_in_errors_or_logs(
    caplog: pytest.LogCaptureFixture, store: Store
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with TelegramServer() as srv:
        token = srv.token
        channel = TelegramChannel.from_config({"base_url": srv.base_url, "timeout_s": 0.3}, token)
        account = add_account(store, "telegram")
        runtime = Runtime(store, {account: channel})
        runtime.poll_once()
        setups: list[Callable[[], object]] = [
            lambda: srv.faults.drop(1),
            lambda: srv.faults.slow(1, seconds=2.0),
            lambda: srv.faults.fail(1, 500),
            lambda: srv.faults.rate_limit(1, 5),
            lambda: srv.faults.malformed(1),
            lambda: srv.data.blocked.add(ANNA),
        ]
        calls: list[Callable[[], object]] = [
            lambda: channel.fetch(None),
            lambda: channel.send(OutgoingReply("r", str(ANNA), "a", "hi")),
        ]
        for setup in setups:
            setup()
            for call in calls:
                try:
                    call()
                except ChannelError as exc:
                    texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        srv.revoke()
        with pytest.raises(AuthExpired) as info:
            channel.fetch(None)
        texts.append("".join(traceback.format_exception(info.value)))
    with pytest.raises(Transient) as gone:  # the server is gone: connection refused
        channel.fetch(None)
    texts.append("".join(traceback.format_exception(gone.value)))
    channel.close()
    assert "getUpdates" in caplog.text and "sendMessage" in caplog.text  # httpx did log
    assert len(texts) >= 12
    secret = token.split(":", 1)[1]
    for text in [*texts, caplog.text]:
        assert secret not in text


def test_the_runtime_polls_and_replies_through_the_connector(
    server: TelegramServer, store: Store
) -> None:
    account = add_account(store, "telegram")
    channel = TelegramChannel.from_config({"base_url": server.base_url}, server.token)
    runtime = Runtime(store, {account: channel})
    try:
        assert runtime.poll_once().fetched == 7
        with store.read() as s:
            anna = s.scalar(
                select(Conversation.id).where(Conversation.external_thread_id == str(ANNA))
            )
            jihun = s.scalar(
                select(Conversation.id).where(Conversation.external_thread_id == str(JIHUN))
            )
        assert anna is not None and jihun is not None
        ok = services.queue_reply(store, services.Actor(None), anna, "Yes, we do!")
        server.data.blocked.add(JIHUN)
        refused = services.queue_reply(store, services.Actor(None), jihun, "네 가능합니다")
        runtime.send_due()
        with store.read() as s:
            assert s.get(Outbox, ok).state == "sent"  # type: ignore[union-attr]
            failed = s.get(Outbox, refused)
            assert failed is not None and (failed.state, failed.error) == ("failed", "blocked")
        server.data.say(ANNA, "Thank you!")
        assert runtime.poll_once().fetched == 1
    finally:
        runtime.close()
