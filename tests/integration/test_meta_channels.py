"""The Facebook Page and Instagram connectors against the local Graph API server over real HTTP
on 127.0.0.1: paging, cursors, reply windows, private replies, every error class, the rate
budget, and storing what was fetched without duplicates."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from console.channels.base import (
    AuthExpired,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.channels.meta import MetaChannel, TokenBucket, graph_error, shared_bucket
from console.channels.meta_facebook import FacebookPageChannel
from console.channels.meta_instagram import InstagramChannel
from console.demo.graph_server import GraphData, GraphServer, load_demo_graph
from console.ingest import ingest
from console.resources import resource
from console.store import Store, open_memory_store
from console.store.models import Message
from tests.helpers.factory import add_account

pytestmark = pytest.mark.slow

HOUR = 3600.0
DAY = 24 * HOUR


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class Recording(httpx.BaseTransport):
    """Real HTTP, noting the fake time of every request."""

    def __init__(self, clock: FakeClock) -> None:
        self.inner = httpx.HTTPTransport()
        self.clock = clock
        self.times: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.times.append(self.clock.now())
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


Make = Callable[..., MetaChannel]


@pytest.fixture
def server() -> Iterator[GraphServer]:
    with GraphServer(GraphData()) as srv:
        yield srv


@pytest.fixture
def make(server: GraphServer) -> Iterator[Make]:
    """Build connectors for the server (closed after the test)."""
    made: list[MetaChannel] = []

    def build(
        cls: type[FacebookPageChannel | InstagramChannel] = FacebookPageChannel,
        token: str | None = None,
        bucket: TokenBucket | None = None,
        transport: httpx.BaseTransport | None = None,
        **config: Any,
    ) -> MetaChannel:
        cfg: dict[str, Any] = {
            "page_id": server.data.page_id,
            "ig_user_id": server.data.ig_user_id,
            "graph_url": server.base_url,
        }
        cfg.update(config)
        channel = cls.from_config(
            cfg,
            server.token if token is None else token,
            transport,
            bucket=bucket or TokenBucket(rate=1e6),
        )
        made.append(channel)
        return channel

    yield build
    for channel in made:
        channel.close()


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


def seed(data: GraphData, convs: int, per_conv: int = 2, ago: float = HOUR) -> set[str]:
    """Conversations with alternating in/out messages; returns the message ids."""
    ids = set()
    start = time.time() - ago
    for i in range(convs):
        conv = data.add_conversation("messenger", f"psid_{i:03d}", f"고객{i}")
        for j in range(per_conv):
            msg = data.add_message(
                conv.id, f"문의 {i}-{j}", from_customer=j % 2 == 0, created=start + i * 10 + j
            )
            ids.add(msg.id)
    return ids


def drain(
    channel: MetaChannel, cursor: str | None = None, calls: int = 60
) -> tuple[dict[str, InboundMessage], str | None, list[FetchResult]]:
    """Fetch until ``more`` is False."""
    seen: dict[str, InboundMessage] = {}
    results = []
    for _ in range(calls):
        result = channel.fetch(cursor)
        results.append(result)
        cursor = result.next_cursor
        for m in result.messages:
            seen[m.external_id] = m
        if not result.more:
            return seen, cursor, results
    raise AssertionError("fetch never finished")


def gets(server: GraphServer) -> int:
    return sum(1 for h in server.hits if h.method == "GET")


# -- fetching --------------------------------------------------------------------------------


def test_paging_reads_every_message_once_within_the_page_budget(
    server: GraphServer, make: Make
) -> None:
    data = server.data
    expected = seed(data, 60)
    long = data.add_conversation("messenger", "psid_long", "수다쟁이")
    for j in range(45):
        expected.add(data.add_message(long.id, f"긴 대화 {j}", created=time.time() - 600 + j).id)
    old = data.add_conversation("messenger", "psid_old", "옛 고객")
    data.add_message(old.id, "작년 문의", created=time.time() - 40 * DAY)
    channel = make(page_size=25, max_pages=2, comments=False)
    results: list[FetchResult] = []
    cursor = None
    seen: dict[str, InboundMessage] = {}
    while True:
        before = gets(server)
        result = channel.fetch(cursor)
        assert gets(server) - before <= 2
        results.append(result)
        cursor = result.next_cursor
        seen.update((m.external_id, m) for m in result.messages)
        if not result.more:
            break
    assert set(seen) == expected  # nothing older than the backfill, nothing missing
    assert len(results) >= 3 and all(r.more for r in results[:-1])
    sample = seen[next(iter(long.messages)).id]
    assert (sample.thread_id, sample.handle, sample.contact_name) == (
        long.id,
        "psid_long",
        "수다쟁이",
    )
    outs = [m for m in seen.values() if m.direction == "out"]
    assert outs and all(m.handle.startswith("psid_") and m.author == "소통의원" for m in outs)


def test_a_cursor_not_stored_before_a_crash_repeats_the_same_page(
    server: GraphServer, make: Make
) -> None:
    expected = seed(server.data, 70)
    channel = make(page_size=25, max_pages=1, comments=False)
    first = channel.fetch(None)
    assert first.more and first.messages
    # The process dies before the page is stored: the next run starts from the old cursor.
    again = make(page_size=25, max_pages=1, comments=False).fetch(None)
    assert {m.external_id for m in again.messages} == {m.external_id for m in first.messages}
    rest, _, _ = drain(channel, first.next_cursor)
    assert {m.external_id for m in first.messages} | set(rest) == expected


def test_a_conversation_that_moves_while_paging_is_read_in_full_next_time(
    server: GraphServer, make: Make
) -> None:
    data = server.data
    expected = seed(data, 60, per_conv=3)
    channel = make(page_size=25, max_pages=1, comments=False)
    first = channel.fetch(None)
    assert first.more
    # A conversation not read yet (it sits on the last page) jumps to the top mid-pass.
    quiet = data.conversation_with("messenger", "psid_000")
    assert quiet is not None
    expected.add(data.add_message(quiet.id, "아직 답이 없네요").id)
    seen, cursor, _ = drain(channel, first.next_cursor)
    seen.update((m.external_id, m) for m in first.messages)
    later, _, _ = drain(channel, cursor)
    assert set(seen) | set(later) == expected


def test_refetching_stores_nothing_twice_and_new_messages_arrive(
    server: GraphServer, make: Make, store: Store
) -> None:
    expected = seed(server.data, 30)
    account = add_account(store, "facebook", "소통의원 Facebook")
    channel = make(page_size=10, max_pages=2, comments=False)

    def poll(cursor: str | None) -> str | None:
        while True:
            result = channel.fetch(cursor)
            ingest(store, account, result)
            cursor = result.next_cursor
            if not result.more:
                return cursor

    def stored() -> int:
        with store.read() as s:
            return int(s.scalar(select(func.count()).select_from(Message)) or 0)

    cursor = poll(None)
    assert stored() == len(expected)
    cursor = poll(cursor)
    cursor = poll(cursor)
    assert stored() == len(expected)
    conv = server.data.conversation_with("messenger", "psid_007")
    assert conv is not None
    server.data.add_message(conv.id, "<b>내일</b> 10시 가능할까요?\n<script>x()</script>")
    poll(cursor)
    assert stored() == len(expected) + 1
    with store.read() as s:
        newest = s.scalars(select(Message).order_by(Message.sent_at.desc())).first()
    assert (
        newest is not None and newest.body == "<b>내일</b> 10시 가능할까요?\n<script>x()</script>"
    )


def test_odd_items_are_skipped_with_a_reason_and_the_rest_kept(
    server: GraphServer, make: Make
) -> None:
    data = server.data
    conv = data.add_conversation("messenger", "psid_odd", "이상한 고객")
    good = data.add_message(conv.id, "정상 메시지")
    photo = data.add_message(
        conv.id, "", attachments=[{"id": "a1", "mime_type": "image/jpeg", "name": "x.jpg"}]
    )
    data.add_message(conv.id, "지운 메시지", deleted=True)
    data.add_message(conv.id, "", unsupported=True)
    data.add_message(conv.id, "", raw={"id": "m_raw", "message": "from 없음"})
    data.add_message(conv.id, "", raw={"id": ["x"], "created_time": 5})
    channel = make(comments=False)
    seen, _, _ = drain(channel)
    assert set(seen) == {good.id, photo.id}
    assert seen[photo.id].body == "" and seen[photo.id].attachments[0].mime_type == "image/jpeg"
    assert channel.skipped == {"empty": 1, "unsupported": 1, "no_author": 1, "malformed": 1}


def test_an_unreadable_cursor_starts_again_instead_of_failing(
    server: GraphServer, make: Make
) -> None:
    expected = seed(server.data, 3)
    seen, _, _ = drain(make(comments=False), '{"v": 1, "dm": {"wm": "soon"}}')
    assert set(seen) == expected


def test_the_shipped_demo_corpus_is_served_and_read_in_full() -> None:
    import json

    corpus = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    with GraphServer(load_demo_graph()) as srv:
        data = srv.data
        config = {
            "page_id": data.page_id,
            "ig_user_id": data.ig_user_id,
            "graph_url": srv.base_url,
            "backfill_days": 60,
        }
        for cls, channel_name in (
            (FacebookPageChannel, "facebook"),
            (InstagramChannel, "instagram"),
        ):
            channel = cls.from_config(config, srv.token, bucket=TokenBucket(rate=1e6))
            try:
                seen, _, _ = drain(channel)
            finally:
                channel.close()
            dms = [m for m in seen.values() if not m.thread_id.startswith("comment:")]
            comments = [m for m in seen.values() if m.thread_id.startswith("comment:")]
            assert len(dms) == sum(
                len(c["messages"]) for c in corpus if c["channel"] == channel_name
            )
            assert len(comments) == 3 and all(m.direction == "in" for m in comments)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "options", "error", "code"),
    [
        ("error500", {}, Transient, "transient"),
        ("rate_limit", {"retry_after": 7}, RateLimited, "rate_limited"),
        ("rate_limit", {"status": 400}, RateLimited, "rate_limited"),
        ("drop", {}, Transient, "transient"),
        ("malformed", {}, Rejected, "rejected"),
        ("status", {"status": 401}, AuthExpired, "auth_expired"),
        ("status", {"status": 503, "body": b"<html>busy</html>"}, Transient, "transient"),
    ],
)
def test_every_failure_on_fetch_is_a_channel_error(
    server: GraphServer,
    make: Make,
    fault: str,
    options: dict[str, Any],
    error: type[Exception],
    code: str,
) -> None:
    seed(server.data, 2)
    channel = make(comments=False)
    server.fail_next(fault, **options)
    with pytest.raises(error) as info:
        channel.fetch(None)
    assert getattr(info.value, "code", None) == code
    if fault == "rate_limit":
        assert isinstance(info.value, RateLimited)
        assert info.value.retry_after == (7 if "retry_after" in options else 60)
    if fault == "malformed":
        assert isinstance(info.value, Rejected) and info.value.reason == "malformed_response"
    assert len(drain(channel)[0]) == 4  # the next call works again


def test_a_slow_answer_times_out_as_transient(server: GraphServer, make: Make) -> None:
    channel = make(comments=False, timeout_s=0.3)
    server.fail_next("slow", delay=2.0)
    started = time.monotonic()
    with pytest.raises(Transient):
        channel.fetch(None)
    assert time.monotonic() - started < 1.5


def test_a_wrong_or_expired_token_is_auth_expired_and_never_shown(
    server: GraphServer, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(server.data, 1)
    secret = "EAAG-wrong-" + "x" * 20
    with pytest.raises(AuthExpired) as wrong:
        make(token=secret, comments=False).fetch(None)
    server.expire_token()
    with pytest.raises(AuthExpired) as expired:
        make(comments=False).fetch(None)
    conv = next(iter(server.data.conversations.values()))
    reply = OutgoingReply("r-1", conv.id, conv.customer_id, "안녕하세요", int(time.time() * 1000))
    with pytest.raises(AuthExpired):
        make(comments=False).send(reply)
    server.expire_token(False)
    with pytest.raises(AuthExpired):
        make(token="", comments=False).fetch(None)
    for token in (secret, server.token):
        assert token not in caplog.text
        assert token not in f"{wrong.value!r}{expired.value!r}"
        assert all(token not in str(h.params) for h in server.hits)
    assert all("access_token" not in h.params for h in server.hits)


# -- sending ---------------------------------------------------------------------------------


def _customer(data: GraphData, ago: float, customer: str = "psid_w") -> tuple[str, int]:
    conv = data.add_conversation("messenger", customer, "김민지")
    at = time.time() - ago
    data.add_message(conv.id, "예약 가능할까요?", created=at)
    return conv.id, int(at * 1000)


def _posts(server: GraphServer) -> int:
    return sum(1 for h in server.hits if h.method == "POST")


@pytest.mark.parametrize(
    ("ago", "kind", "tag"),
    [(2 * HOUR, "RESPONSE", None), (30 * HOUR, "MESSAGE_TAG", "HUMAN_AGENT")],
)
def test_a_reply_goes_out_under_the_rule_of_its_window(
    server: GraphServer, make: Make, ago: float, kind: str, tag: str | None
) -> None:
    thread, last = _customer(server.data, ago)
    mid = make().send(OutgoingReply("reply-1", thread, "psid_w", "네 가능합니다 😊", last))
    sent = server.data.messages[mid]
    assert (sent.messaging_type, sent.tag, sent.metadata) == (kind, tag, "reply-1")
    assert not sent.from_customer and sent.text == "네 가능합니다 😊"


@pytest.mark.parametrize(("ago", "config"), [(8 * DAY, {}), (30 * HOUR, {"human_agent": "false"})])
def test_a_reply_outside_its_window_is_refused_without_calling_the_api(
    server: GraphServer, make: Make, ago: float, config: dict[str, Any]
) -> None:
    thread, last = _customer(server.data, ago)
    with pytest.raises(Rejected) as info:
        make(**config).send(OutgoingReply("reply-1", thread, "psid_w", "늦었지만...", last))
    assert info.value.reason == "outside_window"
    assert server.hits == []


def test_without_the_customers_time_the_window_is_read_from_the_conversation(
    server: GraphServer, make: Make
) -> None:
    thread, _ = _customer(server.data, 30 * HOUR)
    mid = make().send(OutgoingReply("reply-2", thread, "", "확인했습니다"))
    assert server.data.messages[mid].tag == "HUMAN_AGENT"
    old, _ = _customer(server.data, 9 * DAY, customer="psid_old")
    with pytest.raises(Rejected, match="outside_window"):
        make().send(OutgoingReply("reply-3", old, "psid_old", "확인했습니다"))
    assert _posts(server) == 1


def test_the_server_is_the_last_word_on_the_window(server: GraphServer, make: Make) -> None:
    thread, _ = _customer(server.data, 3 * HOUR * 24)
    stale_claim = (
        int(time.time() * 1000) - 3600_000
    )  # the console thinks the customer wrote 1 h ago
    with pytest.raises(Rejected) as info:
        make().send(OutgoingReply("reply-4", thread, "psid_w", "안녕하세요", stale_claim))
    assert info.value.reason == "outside_window"


@pytest.mark.parametrize(
    ("fault", "options", "error", "ambiguous"),
    [
        ("drop", {}, Transient, True),
        ("error500", {}, Transient, True),
        ("malformed", {}, Transient, True),
        ("rate_limit", {"retry_after": 3}, RateLimited, None),
    ],
)
def test_a_send_that_fails_says_whether_it_may_have_gone_out(
    server: GraphServer,
    make: Make,
    fault: str,
    options: dict[str, Any],
    error: type[Exception],
    ambiguous: bool | None,
) -> None:
    thread, last = _customer(server.data, HOUR)
    server.fail_next(fault, method="POST", **options)
    with pytest.raises(error) as info:
        make().send(OutgoingReply("reply-5", thread, "psid_w", "네", last))
    if ambiguous is not None:
        assert isinstance(info.value, Transient) and info.value.ambiguous is ambiguous


def test_bad_replies_are_refused_before_the_api(server: GraphServer, make: Make) -> None:
    thread, last = _customer(server.data, HOUR)
    channel = make()
    for body, reason in (("   ", "empty_text"), ("가" * 2001, "text_too_long")):
        with pytest.raises(Rejected) as info:
            channel.send(OutgoingReply("r", thread, "psid_w", body, last))
        assert info.value.reason == reason
    with pytest.raises(Rejected, match="text_too_long"):
        make(InstagramChannel).send(OutgoingReply("r", thread, "psid_w", "가" * 1001, last))
    assert server.hits == []


# -- comments --------------------------------------------------------------------------------


def test_a_comment_gets_one_private_reply_within_seven_days(
    server: GraphServer, make: Make
) -> None:
    data = server.data
    post = data.add_post("이벤트 안내", created=time.time() - 2 * DAY)
    comment = data.add_comment(post.id, "psid_c", "박서연", "가격 알려주세요", time.time() - HOUR)
    data.add_comment(post.id, data.page_id, "소통의원", "DM 드렸어요!", parent_id=comment.id)
    old_post = data.add_post("지난 공지", created=time.time() - 12 * DAY)
    data.add_comment(old_post.id, "psid_o", "이지은", "아직 하나요?", time.time() - 8 * DAY)
    channel = make(comment_days=14)
    seen, _, _ = drain(channel)
    thread = f"comment:{post.id}:psid_c"
    assert {(m.thread_id, m.direction) for m in seen.values()} == {
        (thread, "in"),
        (thread, "out"),
        (f"comment:{old_post.id}:psid_o", "in"),
    }
    mid = channel.send(OutgoingReply("reply-c", thread, "psid_c", "DM으로 안내드릴게요"))
    assert comment.can_reply_privately is False
    conv = data.conversation_with("messenger", "psid_c")
    assert conv is not None and [m.id for m in conv.messages] == [mid]
    assert conv.messages[0].metadata == "reply-c"
    for fresh in (channel, make()):  # this connector remembers; a new one asks the API
        with pytest.raises(Rejected, match="already_replied"):
            fresh.send(OutgoingReply("reply-d", thread, "psid_c", "한 번 더"))
    with pytest.raises(Rejected, match="outside_window"):
        channel.send(OutgoingReply("r", f"comment:{old_post.id}:psid_o", "psid_o", "늦은 답"))
    assert _posts(server) == 1
    # And the server itself refuses a second private reply to the same comment.
    response = httpx.post(
        f"{server.base_url}/{data.page_id}/messages",
        json={"recipient": {"comment_id": comment.id}, "message": {"text": "또"}},
        headers={"Authorization": f"Bearer {server.token}"},
    )
    error = graph_error(response.status_code, response.json())
    assert isinstance(error, Rejected) and error.reason == "already_replied"


def test_instagram_messages_and_comments_in_and_a_public_reply_out(
    server: GraphServer, make: Make
) -> None:
    data = server.data
    conv = data.add_conversation("instagram", "igsid_1", "minji_0312")
    data.add_message(conv.id, "DM 문의드려요", created=time.time() - 120)
    data.add_message(conv.id, "네 말씀하세요", from_customer=False, created=time.time() - 60)
    media = data.add_post("리뉴얼 오픈", created=time.time() - DAY, kind="media")
    top = data.add_comment(media.id, "igsid_2", "yeonnie.daily", "주차 되나요?", time.time() - 60)
    channel = make(InstagramChannel)
    seen, cursor, _ = drain(channel)
    dm = sorted((m for m in seen.values() if m.thread_id == conv.id), key=lambda m: m.sent_at)
    assert [(m.direction, m.handle, m.contact_name) for m in dm] == [
        ("in", "igsid_1", "minji_0312"),
        ("out", "igsid_1", "minji_0312"),
    ]
    thread = f"comment:{media.id}:igsid_2"
    assert [m.thread_id for m in seen.values() if m.external_id == top.id] == [thread]
    reply_id = channel.send(OutgoingReply("r-ig", thread, "igsid_2", "네 가능합니다"))
    post = [h for h in server.hits if h.method == "POST"]
    assert [h.path for h in post] == [f"/{top.id}/replies"]
    assert post[0].params == {} and post[0].body == {"message": "네 가능합니다"}
    later, _, _ = drain(channel, cursor)
    assert later[reply_id].thread_id == thread and later[reply_id].direction == "out"
    mid = channel.send(OutgoingReply("r-dm", conv.id, "igsid_1", "감사합니다", None))
    assert server.data.messages[mid].metadata is None  # Instagram takes no metadata


# -- rate budget -----------------------------------------------------------------------------


def test_requests_never_exceed_two_per_second(server: GraphServer, make: Make) -> None:
    seed(server.data, 90)
    clock = FakeClock()
    recording = Recording(clock)
    bucket = TokenBucket(clock=clock.now, sleep=clock.sleep)
    channel = make(bucket=bucket, transport=recording, page_size=10, max_pages=100, comments=False)
    seen, _, _ = drain(channel)
    times = recording.times
    assert len(seen) == 180 and len(times) >= 9
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 2
    assert clock.t - 1000.0 >= (len(times) - 1) / 2.0
    assert shared_bucket("page:1") is shared_bucket("page:1")
    assert shared_bucket("page:1") is not shared_bucket("ig:1")


def test_settings_are_checked_when_the_connector_is_built() -> None:
    good = {"page_id": "123", "ig_user_id": "456"}
    for bad in (
        {},
        {"page_id": "../x"},
        {"page_id": "123", "graph_url": "http://graph.example.com/v21.0"},
        {"page_id": "123", "max_pages": "many"},
        {"page_id": "123", "comments": "perhaps"},
    ):
        with pytest.raises(ValueError):
            FacebookPageChannel.from_config(bad, "t")
    with pytest.raises(ValueError):
        InstagramChannel.from_config({"page_id": "123"}, "t")
    for cls in (FacebookPageChannel, InstagramChannel):
        channel = cls.from_config(good, "t")
        assert channel.capabilities.reply_window_s == 7 * 24 * 3600
        assert channel.capabilities.dedupes is False and not channel.capabilities.attachments
        channel.close()
