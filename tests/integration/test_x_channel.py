"""The X connector against the local X API server over real HTTP on 127.0.0.1: paging, the
cursor across crashes, the rate budget, sends, and every error class."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from console import services
from console.channels.base import (
    AuthExpired,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.channels.x import XChannel
from console.demo.x_server import XData, XServer, dm_conversation_id, load_x_data
from console.ingest import ingest
from console.runtime import Runtime
from console.store import Store, open_memory_store
from console.store.models import ChannelAccount, Conversation, Message, Outbox
from tests.helpers.factory import add_account, now_ms

pytestmark = pytest.mark.slow


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _data(mentions: int = 12, dms: int = 7) -> XData:
    data = XData()
    start = now_ms() - 3_600_000
    for i in range(mentions):
        fan = data.user(f"fan{i}", f"팬{i}")
        data.post(fan, f"@sotong_clinic 보톡스 문의 {i}", start + i * 1000)
    for i in range(dms):
        customer = data.user(f"dm{i}", f"고객{i}")
        data.dm(customer, data.me, f"DM 문의 {i} <b>급해요</b>", start + 100_000 + i * 1000)
    return data


@pytest.fixture
def server() -> Iterator[XServer]:
    with XServer(data=_data()) as srv:
        yield srv


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture
def make(server: XServer) -> Iterator[Callable[..., XChannel]]:
    """Build connectors to ``server`` (closed after the test)."""
    made: list[XChannel] = []

    def build(token: str | None = None, **kwargs: Any) -> XChannel:
        options: dict[str, Any] = {
            "base_url": server.base_url,
            "poll_interval_s": 0,
            "page_size": 5,
            "backfill_pages": 10,
            "timeout_s": 2.0,
        }
        options.update(kwargs)
        channel = XChannel(server.data.me.id, server.token if token is None else token, **options)
        made.append(channel)
        return channel

    yield build
    for channel in made:
        channel.close()


def _cursor(store: Store, account: str) -> str | None:
    with store.read() as s:
        return s.scalar(select(ChannelAccount.cursor).where(ChannelAccount.id == account))


def _drain(channel: XChannel, store: Store, account: str, pages: int = 50) -> int:
    """Fetch and store pages until there are no more; the number of messages fetched."""
    fetched = 0
    for _ in range(pages):
        result = channel.fetch(_cursor(store, account))
        ingest(store, account, result)
        fetched += len(result.messages)
        if not result.more:
            return fetched
    raise AssertionError("paging never ended")


def _stored(store: Store) -> list[str]:
    with store.read() as s:
        return sorted(s.scalars(select(Message.external_id)))


def _ids(result: FetchResult) -> list[str]:
    return [m.external_id for m in result.messages]


def test_paging_reads_every_mention_and_dm_once(
    server: XServer, make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make()
    assert _drain(channel, store, account) == 19
    assert len(_stored(store)) == 19
    assert server.count("/mentions") == 3 and server.count("/dm_events") == 2
    # A new round reads only what is new.
    server.data.mention("newfan", "주말 진료 하나요?", "새팬")
    event = server.data.dm_in("dm0", "예약 변경 가능할까요?")
    assert _drain(channel, store, account) == 2
    assert _drain(channel, store, account) == 0
    assert len(_stored(store)) == 21
    with store.read() as s:
        threads = set(s.scalars(select(Conversation.external_thread_id)))
    assert f"dm:{event.conversation_id}" in threads
    assert server.count("/mentions") == 5


def test_messages_are_normalised(server: XServer, make: Callable[..., XChannel]) -> None:
    customer = server.data.user("dm0")
    sent = server.data.dm(server.data.me, customer, "답장 드렸어요")
    result = make(page_size=100).fetch(None)
    by_id = {m.external_id: m for m in result.messages}
    mention = next(m for m in result.messages if not m.thread_id.startswith("dm:"))
    tweet = next(t for t in server.data.tweets if str(t.id) == mention.external_id)
    assert mention.thread_id == str(tweet.conversation_id)
    assert mention.handle.startswith("fan") and mention.contact_name.startswith("팬")
    assert mention.direction == "in" and mention.sent_at == tweet.created_ms
    out = by_id[str(sent.id)]
    assert out.direction == "out" and out.handle == "dm0" and out.contact_name == "고객0"
    assert out.thread_id == f"dm:{dm_conversation_id(server.data.me.id, customer.id)}"
    inbound = next(m for m in result.messages if m.thread_id == out.thread_id and m is not out)
    assert inbound.direction == "in" and inbound.body.endswith("<b>급해요</b>")


def test_the_first_round_reads_only_the_backfill(
    server: XServer, make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make(backfill_pages=1)
    assert _drain(channel, store, account) == 10  # the newest page of each
    server.data.mention("late", "늦은 문의")
    assert _drain(channel, store, account) == 1
    assert server.count("/mentions") == 2


def test_a_crash_mid_page_loses_nothing(
    server: XServer, make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make()
    first = channel.fetch(None)
    assert first.more
    # The process dies before the page is stored; a restarted connector starts again.
    again = make().fetch(None)
    assert _ids(again) == _ids(first)
    ingest(store, account, again)
    second = channel.fetch(_cursor(store, account))
    again = make().fetch(_cursor(store, account))  # crash again, one page further
    assert _ids(again) == _ids(second)
    _drain(channel, store, account)
    assert len(_stored(store)) == 19


def test_a_refused_pagination_token_restarts_the_sweep(
    server: XServer, make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make()
    ingest(store, account, channel.fetch(None))
    with store.write() as s:
        row = s.get(ChannelAccount, account)
        assert row is not None and row.cursor is not None
        row.cursor = row.cursor.replace('"token":"', '"token":"ffff')  # expired, say
    restarted = channel.fetch(_cursor(store, account))
    assert restarted.messages == [] and restarted.more
    assert '"token":null' in (restarted.next_cursor or "")
    ingest(store, account, restarted)
    _drain(channel, store, account)
    assert len(_stored(store)) == 19


def test_refetching_a_stored_page_adds_no_duplicates(
    make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make()
    ingest(store, account, channel.fetch(None))
    ingest(store, account, channel.fetch(None))
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 10


@pytest.mark.parametrize(
    ("setup", "error", "detail"),
    [
        (lambda srv: srv.faults.fail(1, 500), Transient, "http 500"),
        (lambda srv: srv.faults.fail(1, 503), Transient, "http 503"),
        (lambda srv: srv.faults.rate_limit(1, retry_after=42), RateLimited, None),
        (lambda srv: srv.faults.malformed(1), Rejected, "malformed_page"),
        (lambda srv: srv.faults.drop(1), Transient, None),
        (lambda srv: srv.faults.slow(1, seconds=3.0), Transient, None),
        (lambda srv: srv.revoke(), AuthExpired, None),
    ],
    ids=["500", "503", "429", "malformed", "dropped", "slow", "revoked"],
)
def test_fetch_failures_map_to_the_error_tree(
    server: XServer,
    make: Callable[..., XChannel],
    setup: Callable[[XServer], None],
    error: type[Exception],
    detail: str | None,
) -> None:
    channel = make(timeout_s=0.3)
    setup(server)
    with pytest.raises(error) as info:
        channel.fetch(None)
    if detail is not None:
        assert str(info.value) == detail
    if isinstance(info.value, RateLimited):
        assert 40 <= info.value.retry_after <= 43


def test_a_wrong_token_is_auth_expired(make: Callable[..., XChannel]) -> None:
    with pytest.raises(AuthExpired):
        make(token="not-the-token").fetch(None)
    with pytest.raises(AuthExpired):
        make(token="").fetch(None)


def test_the_budget_stops_before_the_api_does() -> None:
    clock = Clock()
    with XServer(data=_data(mentions=40, dms=0)) as srv:
        channel = XChannel(
            srv.data.me.id,
            srv.token,
            base_url=srv.base_url,
            poll_interval_s=0,
            page_size=5,
            backfill_pages=10,
            dms=False,
            mentions_per_window=3,
            clock=clock,
        )
        try:
            cursor = None
            for _ in range(3):
                cursor = channel.fetch(cursor).next_cursor
            assert channel.budget() == (3, 3, 900.0)
            with pytest.raises(RateLimited) as info:
                channel.fetch(cursor)
            assert srv.count("/mentions") == 3  # the fourth request never left
            assert 0 < info.value.retry_after <= 900
            clock.now += 900
            assert channel.fetch(cursor).messages
            assert channel.budget() == (1, 3, 900.0)
        finally:
            channel.close()


def test_the_servers_rate_headers_are_obeyed() -> None:
    with XServer(data=_data(mentions=20, dms=0), limits={"mentions": 2}) as srv:
        channel = XChannel(
            srv.data.me.id, srv.token, base_url=srv.base_url, poll_interval_s=0, page_size=5,
            backfill_pages=10, dms=False,
        )  # fmt: skip
        try:
            cursor = channel.fetch(None).next_cursor
            cursor = channel.fetch(cursor).next_cursor  # remaining: 0
            with pytest.raises(RateLimited) as info:
                channel.fetch(cursor)
            assert srv.count("/mentions") == 2
            assert 800 <= info.value.retry_after <= 900
        finally:
            channel.close()


def test_a_429_blocks_the_next_calls_until_the_reset(
    server: XServer, make: Callable[..., XChannel]
) -> None:
    channel = make()
    server.faults.rate_limit(1, retry_after=60, path="/mentions")
    with pytest.raises(RateLimited):
        channel.fetch(None)
    with pytest.raises(RateLimited) as info:
        channel.fetch(None)
    assert server.count("/mentions") == 0 and 55 <= info.value.retry_after <= 60


def test_rounds_are_spaced_by_the_poll_interval(
    server: XServer, make: Callable[..., XChannel]
) -> None:
    clock = Clock()
    channel = make(poll_interval_s=120, clock=clock, page_size=100)
    cursor = channel.fetch(None).next_cursor
    assert server.count("/mentions") == 1
    skipped = channel.fetch(cursor)
    assert skipped == FetchResult([], cursor, False) and server.count("/mentions") == 1
    clock.now += 120
    server.faults.fail(1, 500, path="/dm_events")
    with pytest.raises(Transient):
        channel.fetch(cursor)
    channel.fetch(cursor)  # a failed round is retried at once, not after the interval
    assert server.count("/mentions") == 3
    assert channel.monthly_requests_estimate() == 30 * 24 * 30 * 2
    assert make(dms=False, poll_interval_s=120).monthly_requests_estimate() == 21_600


def test_a_reply_post_answers_the_latest_mention(
    server: XServer, make: Callable[..., XChannel]
) -> None:
    channel = make(page_size=100)
    fan = server.data.user("fan3")
    root = next(t for t in server.data.tweets if t.author_id == fan.id)
    later = server.data.post(fan, "@sotong_clinic 추가 질문이요", reply_to=root)
    channel.fetch(None)
    post_id = channel.send(OutgoingReply("r1", str(root.conversation_id), "fan3", "네 가능합니다!"))
    sent = next(t for t in server.data.tweets if str(t.id) == post_id)
    assert sent.author_id == server.data.me.id and sent.in_reply_to_user_id == fan.id
    assert sent.conversation_id == root.conversation_id and sent.id > later.id
    # After a restart the connector has not seen the thread: it answers the root post.
    other = next(t for t in server.data.tweets if t.author_id == server.data.user("fan4").id)
    fresh = make()
    fresh.send(OutgoingReply("r2", str(other.conversation_id), "fan4", "안녕하세요 😊"))
    assert server.data.tweets[-1].conversation_id == other.conversation_id


def test_a_dm_reply_comes_back_as_outbound_once(
    server: XServer, make: Callable[..., XChannel], store: Store
) -> None:
    account = add_account(store, "x")
    channel = make(page_size=100)
    _drain(channel, store, account)
    customer = server.data.user("dm2")
    thread = f"dm:{dm_conversation_id(server.data.me.id, customer.id)}"
    event_id = channel.send(OutgoingReply("r1", thread, "dm2", "예약 도와드릴게요"))
    assert server.data.events[-1].id == int(event_id)
    ingest(store, account, FetchResult([_reply_as_stored(event_id, thread)], None))
    result = channel.fetch(_cursor(store, account))
    echoed = [m for m in result.messages if m.external_id == event_id]
    assert [(m.direction, m.handle) for m in echoed] == [("out", "dm2")]
    ingest(store, account, result)
    assert _stored(store).count(event_id) == 1


def _reply_as_stored(event_id: str, thread: str) -> InboundMessage:
    return InboundMessage(event_id, thread, "dm2", "고객2", "out", "예약 도와드릴게요", now_ms())


def test_too_long_replies_are_rejected_without_a_call(
    server: XServer, make: Callable[..., XChannel]
) -> None:
    channel = make()
    posts = server.count("/tweets")
    for body in ("a" * 281, "가" * 141, "😀" * 141):
        with pytest.raises(Rejected) as info:
            channel.send(OutgoingReply("r", "1", "fan1", body))
        assert info.value.reason == "text_too_long"
    with pytest.raises(Rejected):
        channel.send(OutgoingReply("r", "dm:1-2", "fan1", "가" * 10_001))
    with pytest.raises(Rejected) as info:
        channel.send(OutgoingReply("r", "1", "fan1", "  "))
    assert info.value.reason == "empty_text"
    assert server.count("/tweets") == posts and server.count("/dm_conversations") == 0
    assert channel.max_length_for("dm:1-2") == 10_000 and channel.max_length_for("1") == 280
    target = str(server.data.tweets[0].id)
    assert channel.send(OutgoingReply("r", target, "fan0", "가" * 140))  # 280 weighted: fits


@pytest.mark.parametrize(
    "setup",
    [
        lambda srv: srv.faults.drop(1, path="/tweets"),
        lambda srv: srv.faults.slow(1, seconds=3.0, path="/tweets"),
        lambda srv: srv.faults.malformed(1, path="/tweets"),
        lambda srv: srv.faults.fail(1, 503, path="/tweets"),
    ],
    ids=["dropped", "slow", "malformed", "503"],
)
def test_a_send_with_an_unknown_outcome_is_ambiguous(
    server: XServer, make: Callable[..., XChannel], setup: Callable[[XServer], None]
) -> None:
    channel = make(timeout_s=0.3)
    target = str(server.data.tweets[0].id)
    setup(server)
    with pytest.raises(Transient) as info:
        channel.send(OutgoingReply("r", target, "fan0", "확인 후 연락드릴게요"))
    assert info.value.ambiguous


@pytest.mark.parametrize(
    ("setup", "error", "reason"),
    [
        (lambda srv: srv.faults.rate_limit(1, 30, path="/tweets"), RateLimited, None),
        (lambda srv: srv.revoke(), AuthExpired, None),
        (lambda srv: srv.data.post(srv.data.me, "중복 답장"), Rejected, "duplicate_content"),
        (lambda srv: srv.data.delete(srv.data.tweets[0].id), Rejected, "forbidden"),
    ],
    ids=["429", "revoked", "duplicate", "deleted"],
)
def test_send_refusals_map_to_the_error_tree(
    server: XServer,
    make: Callable[..., XChannel],
    setup: Callable[[XServer], object],
    error: type[Exception],
    reason: str | None,
) -> None:
    channel = make()
    target = str(server.data.tweets[0].id)
    setup(server)
    with pytest.raises(error) as info:
        channel.send(OutgoingReply("r", target, "fan0", "중복 답장"))
    if reason is not None:
        assert getattr(info.value, "reason", None) == reason


def test_a_dm_to_someone_who_refuses_dms_is_rejected(
    server: XServer, make: Callable[..., XChannel]
) -> None:
    customer = server.data.user("dm1")
    server.data.blocked_dm.add(customer.id)
    thread = f"dm:{dm_conversation_id(server.data.me.id, customer.id)}"
    with pytest.raises(Rejected) as info:
        make().send(OutgoingReply("r", thread, "dm1", "안녕하세요"))
    assert info.value.reason == "forbidden"


def test_the_runtime_polls_and_replies_through_the_connector(server: XServer, store: Store) -> None:
    account = add_account(store, "x")
    channel = XChannel.from_config(
        {"user_id": server.data.me.id, "base_url": server.base_url, "poll_interval_s": 0,
         "page_size": 100, "timeout_s": 2},
        server.token,
    )  # fmt: skip
    runtime = Runtime(store, {account: channel})
    try:
        report = runtime.poll_once()
        assert report.fetched == 19 and not report.errors
        customer = server.data.user("dm4")
        thread = f"dm:{dm_conversation_id(server.data.me.id, customer.id)}"
        with store.read() as s:
            cid = s.scalar(select(Conversation.id).where(Conversation.external_thread_id == thread))
        assert cid is not None
        sent = services.queue_reply(store, services.Actor(None), cid, "내일 오전 10시 가능합니다")
        runtime.send_due()
        server.faults.drop(1, path="/messages")
        lost = services.queue_reply(store, services.Actor(None), cid, "주차도 가능합니다")
        runtime.send_due()
        runtime.poll_once()
        with store.read() as s:
            assert s.get(Outbox, sent).state == "sent"  # type: ignore[union-attr]
            assert s.get(Outbox, lost).state == "unknown"  # type: ignore[union-attr]
            outbound = s.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.conversation_id == cid, Message.direction == "out")
            )
        assert outbound == 2  # the lost one was delivered: it shows up once, never resent
        assert sum(1 for e in server.data.events if e.sender_id == server.data.me.id) == 2
    finally:
        runtime.close()


def test_the_seeded_demo_data_reads_cleanly() -> None:
    data = load_x_data()
    with XServer(data=data) as srv:
        channel = XChannel(
            srv.data.me.id, srv.token, base_url=srv.base_url, poll_interval_s=0,
            backfill_pages=10,
        )  # fmt: skip
        try:
            cursor, seen = None, []
            for _ in range(10):
                result = channel.fetch(cursor)
                seen += result.messages
                cursor = result.next_cursor
                if not result.more:
                    break
            assert not channel.skipped
            assert any("<script>" in m.body for m in seen)
            assert {m.direction for m in seen} == {"in", "out"}
            assert any(m.thread_id.startswith("dm:") for m in seen)
            assert any(m.handle == "kpopfan_emma" for m in seen)
        finally:
            channel.close()
