"""Parsing Meta Graph payloads: hostile and malformed input never crashes the parser; a bad
item is skipped with a reason and the rest of the page is kept. Also the error mapping, the
reply window and the cursor. No network: pages are served by ``httpx.MockTransport``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.channels.base import (
    AuthExpired,
    ChannelError,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.channels.meta import (
    MAX_BODY_CHARS,
    SkipItem,
    TokenBucket,
    WindowState,
    clean_text,
    graph_error,
    load_cursor,
    parse_dm,
    parse_fb_comment,
    parse_ig_comment,
    parse_time_ms,
    reply_window,
)
from console.channels.meta_facebook import FacebookPageChannel

PAGE = "100"
OWN = frozenset({PAGE, "17841"})
T = "2025-03-01T09:30:00+0000"
T_MS = 1_740_821_400_000
H = 3_600_000

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
message_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(min_size=1, max_size=300),
        "message": json_values | st.text(max_size=300),
        "from": json_values
        | st.fixed_dictionaries({"id": json_values | st.just("42"), "name": json_values}),
        "to": json_values,
        "created_time": json_values | st.just(T) | st.integers(0, 2**40),
        "attachments": json_values
        | st.fixed_dictionaries(
            {
                "data": st.lists(
                    json_values
                    | st.dictionaries(
                        st.sampled_from(["id", "name", "mime_type", "size", "image_data"]),
                        json_values,
                    ),
                    max_size=3,
                )
            }
        ),
        "sticker": json_values,
        "shares": json_values,
        "is_unsupported": json_values,
        "is_deleted": json_values,
        "parent": json_values,
        "attachment": json_values,
        "text": json_values,
        "timestamp": json_values | st.just(T),
        "username": json_values,
        "replies": json_values,
    },
)


def _parsers() -> list[Callable[[Any], InboundMessage]]:
    return [
        lambda item: parse_dm(item, thread_id="t_1", customer=("42", "민지"), own_ids=OWN),
        lambda item: parse_dm(item, thread_id="t_1", customer=None, own_ids=OWN),
        lambda item: parse_fb_comment(item, post_id="100_1", own_ids=OWN),
        lambda item: parse_ig_comment(item, media_id="1790", own_ids=OWN),
        lambda item: parse_ig_comment(item, media_id="1790", own_ids=OWN, parent=("9", "p")),
    ]


def _valid(msg: InboundMessage) -> None:
    assert msg.external_id and len(msg.external_id) <= 200
    assert msg.thread_id and len(msg.thread_id) <= 200 and msg.handle
    assert msg.direction in ("in", "out")
    assert len(msg.body) <= MAX_BODY_CHARS and "\x00" not in msg.body
    msg.body.encode("utf-8")  # no lone surrogates
    assert 946_684_800_000 <= msg.sent_at <= 4_102_444_800_000


@settings(max_examples=150, deadline=None)
@given(item=json_values | message_like)
def test_no_payload_crashes_a_parser(item: Any) -> None:
    for parse in _parsers():
        try:
            msg = parse(item)
        except SkipItem as skip:
            assert skip.reason in {
                "malformed",
                "unsupported",
                "deleted",
                "no_author",
                "bad_time",
                "empty",
                "no_customer",
                "own_comment",
            }
        else:
            _valid(msg)


def dm(mid: str = "m_1", /, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": mid,
        "message": "안녕하세요",
        "from": {"id": "42", "name": "김민지"},
        "to": {"data": [{"id": PAGE, "name": "소통의원"}]},
        "created_time": T,
    }
    item.update(fields)
    return {k: v for k, v in item.items() if v is not None}


def parse(item: Any) -> InboundMessage:
    return parse_dm(item, thread_id="t_1", customer=("42", "김민지"), own_ids=OWN)


def test_a_customer_message_and_a_page_message() -> None:
    inbound = parse(dm())
    assert (inbound.direction, inbound.handle, inbound.contact_name) == ("in", "42", "김민지")
    assert (inbound.sent_at, inbound.thread_id, inbound.body) == (T_MS, "t_1", "안녕하세요")
    out = parse(
        dm(
            "m_2",
            **{"from": {"id": PAGE, "name": "소통의원"}, "to": {"data": [{"id": "42"}]}},
        )
    )
    assert (out.direction, out.handle, out.contact_name, out.author) == (
        "out",
        "42",
        "김민지",
        "소통의원",
    )


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("not a dict", "malformed"),
        (dm(id=None), "malformed"),
        (dm(id=12.5), "malformed"),
        (dm(id="x" * 201), "malformed"),
        (dm(id="bad\nid"), "malformed"),
        (dm(**{"from": None}), "no_author"),
        (dm(**{"from": {"name": "no id"}}), "no_author"),
        (dm(created_time="yesterday"), "bad_time"),
        (dm(created_time=None), "bad_time"),
        (dm(message=None), "empty"),
        (dm(message=""), "empty"),
        (dm(message=["list"]), "malformed"),
        (dm(is_unsupported=True), "unsupported"),
        (dm(is_deleted=True), "deleted"),
        (dm(**{"from": {"id": PAGE}, "to": None}), "no_customer"),
    ],
)
def test_bad_items_are_skipped_with_a_reason(item: Any, reason: str) -> None:
    customer = None if reason == "no_customer" else ("42", "김민지")
    with pytest.raises(SkipItem) as info:
        parse_dm(item, thread_id="t_1", customer=customer, own_ids=OWN)
    assert info.value.reason == reason


def test_hostile_text_is_kept_verbatim_but_safe() -> None:
    html = '<script>alert("x")</script><b onmouseover=steal()>굵게</b>'
    assert parse(dm(message=html)).body == html
    assert parse(dm(message="a\x00b\x07c\td\ne\r\x7f\ud800f")).body == "abc\td\ne\r\ufffdf"
    huge = parse(dm(message="가" * (1 << 20)))
    assert len(huge.body) == MAX_BODY_CHARS
    name = parse(dm(**{"from": {"id": "42", "name": "x" * 5000}}))
    assert name.contact_name == "x" * 200


def test_attachments_only_and_unknown_kinds() -> None:
    photo = parse(
        dm(
            message=None,
            attachments={
                "data": [
                    {"id": "a1", "mime_type": "image/png", "name": "사진.png", "size": 2048},
                    {"id": "a2", "video_data": {"url": "https://x"}},
                    "garbage",
                    {"size": "huge", "mime_type": 7},
                ]
            },
        )
    )
    assert photo.body == ""
    assert [(a.name, a.mime_type, a.size) for a in photo.attachments] == [
        ("사진.png", "image/png", 2048),
        ("a2", "video/*", 0),
        ("attachment", "application/octet-stream", 0),
    ]
    sticker = parse(dm(message=None, sticker="https://sticker"))
    assert [a.name for a in sticker.attachments] == ["sticker"]
    shared = parse(dm(message=None, shares={"data": [{"link": "https://x", "name": "링크"}]}))
    assert [(a.name, a.mime_type) for a in shared.attachments] == [("링크", "text/uri-list")]
    odd = parse(dm(reactions={"data": [{"reaction": "❤"}]}, story={"mention": {}}))
    assert odd.body == "안녕하세요"  # unknown fields are ignored


def test_comments_thread_per_person_and_the_pages_replies_join_them() -> None:
    comment = {
        "id": "100_1_7",
        "message": "가격?",
        "from": {"id": "55", "name": "박서연"},
        "created_time": T,
    }
    inbound = parse_fb_comment(comment, post_id="100_1", own_ids=OWN)
    assert (inbound.thread_id, inbound.direction) == ("comment:100_1:55", "in")
    reply = dict(
        comment,
        id="100_1_8",
        **{
            "from": {"id": PAGE, "name": "소통의원"},
            "parent": {"id": "100_1_7", "from": {"id": "55", "name": "박서연"}},
        },
    )
    out = parse_fb_comment(reply, post_id="100_1", own_ids=OWN)
    assert (out.thread_id, out.direction, out.handle) == ("comment:100_1:55", "out", "55")
    with pytest.raises(SkipItem, match="own_comment"):
        parse_fb_comment(dict(reply, parent=None), post_id="100_1", own_ids=OWN)
    with pytest.raises(SkipItem, match="no_author"):
        parse_fb_comment(dict(comment, **{"from": None}), post_id="100_1", own_ids=OWN)
    photo = parse_fb_comment(
        dict(comment, message="", attachment={"type": "photo"}), post_id="100_1", own_ids=OWN
    )
    assert photo.body == "" and photo.attachments[0].mime_type == "image/*"
    ig = {"id": "1780", "text": "주차?", "timestamp": T, "username": "yeonnie"}
    assert parse_ig_comment(ig, media_id="1790", own_ids=OWN).thread_id == "comment:1790:yeonnie"
    mine = dict(ig, id="1781", **{"from": {"id": "17841", "username": "sotong"}})
    answer = parse_ig_comment(mine, media_id="1790", own_ids=OWN, parent=("yeonnie", "yeonnie"))
    assert (answer.direction, answer.thread_id) == ("out", "comment:1790:yeonnie")
    with pytest.raises(SkipItem, match="malformed"):
        parse_ig_comment(ig, media_id="1" * 200, own_ids=OWN)


def _page_channel(pages: list[Any]) -> FacebookPageChannel:
    """A connector whose conversations list answers these payloads in turn."""
    answers = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(next(answers)).encode())

    return FacebookPageChannel.from_config(
        {"page_id": PAGE, "comments": False, "backfill_days": 365},
        "token",
        httpx.MockTransport(handler),
        bucket=TokenBucket(rate=1e6),
        clock=lambda: T_MS / 1000 + 3600,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    junk=st.lists(json_values | message_like, max_size=8),
    slots=st.lists(st.integers(0, 8), min_size=3, max_size=3),
)
def test_a_page_keeps_its_good_items_whatever_sits_between_them(
    junk: list[Any], slots: list[int]
) -> None:
    good = [dm(f"m_good_{i}", message=f"정상 {i}") for i in range(3)]
    items: list[Any] = list(junk)
    for n, (slot, item) in enumerate(zip(slots, good, strict=True)):
        items.insert(min(slot + n, len(items)), item)
    conversation = {
        "id": "t_1",
        "updated_time": T,
        "participants": {"data": [{"id": "42", "name": "김민지"}, {"id": PAGE}]},
        "messages": {"data": items},
    }
    broken_conversation: Any = {"id": None, "messages": "nope"}
    channel = _page_channel([{"data": [broken_conversation, "junk", conversation]}])
    try:
        result = channel.fetch(None)
    finally:
        channel.close()
    ids = {m.external_id for m in result.messages}
    assert {g["id"] for g in good} <= ids
    assert sum(channel.skipped.values()) >= 2
    for msg in result.messages:
        _valid(msg)


@pytest.mark.parametrize(
    "payload",
    [["a", "list"], {"data": "nope"}, {"no": "data"}, "text", 12],
)
def test_a_page_that_is_not_a_page_is_rejected(payload: Any) -> None:
    channel = _page_channel([payload])
    with pytest.raises(Rejected) as info:
        channel.fetch(None)
    channel.close()
    assert info.value.reason in ("malformed_page", "malformed_response")


def test_deeply_nested_json_is_rejected_not_a_crash() -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    channel = FacebookPageChannel.from_config(
        {"page_id": PAGE}, "t", httpx.MockTransport(handler), bucket=TokenBucket(rate=1e6)
    )
    with pytest.raises(Rejected):
        channel.fetch(None)
    channel.close()


# -- errors, windows, times, cursors ---------------------------------------------------------


def err(code: int | None, sub: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message": "x", "type": "OAuthException", "fbtrace_id": "A"}
    if code is not None:
        body["code"] = code
    if sub is not None:
        body["error_subcode"] = sub
    body.update(extra)
    return {"error": body}


@pytest.mark.parametrize(
    ("status", "payload", "kind", "detail"),
    [
        (400, err(190), AuthExpired, None),
        (400, err(190, 463), AuthExpired, None),
        (401, err(None), AuthExpired, None),
        (400, err(102), AuthExpired, None),
        (400, err(4), RateLimited, 60.0),
        (403, err(17), RateLimited, 60.0),
        (400, err(32), RateLimited, 60.0),
        (400, err(613), RateLimited, 60.0),
        (429, err(100), RateLimited, 60.0),
        (400, err(10, 2018278), Rejected, "outside_window"),
        (400, err(10), Rejected, "permission_denied"),
        (400, err(200), Rejected, "permission_denied"),
        (400, err(230), Rejected, "permission_denied"),
        (400, err(551), Rejected, "recipient_unavailable"),
        (400, err(100, 2018001), Rejected, "recipient_not_found"),
        (400, err(100, 33), Rejected, "not_found"),
        (400, err(100), Rejected, "invalid_parameter"),
        (400, err(368), Rejected, "policy_blocked"),
        (400, err(10900), Rejected, "already_replied"),
        (400, err(12345), Rejected, "graph_12345"),
        (500, err(2), Transient, True),
        (400, err(1), Transient, True),
        (400, err(1200), Transient, False),
        (400, err(9999, is_transient=True), Transient, True),
        (200, {"data": []}, None, None),
        (500, "not json", None, None),
    ],
)
def test_graph_errors_map_to_the_channel_error_tree(
    status: int, payload: Any, kind: type[ChannelError] | None, detail: Any
) -> None:
    found = graph_error(status, payload, sending=True)
    if kind is None:
        assert found is None
        return
    assert isinstance(found, kind)
    if isinstance(found, RateLimited):
        assert found.retry_after == detail
    elif isinstance(found, Rejected):
        assert found.reason == detail
    elif isinstance(found, Transient):
        assert found.ambiguous is detail


def test_retry_after_comes_from_the_headers() -> None:
    headers = httpx.Headers({"Retry-After": "12"})
    found = graph_error(400, err(4), headers)
    assert isinstance(found, RateLimited) and found.retry_after == 12
    usage = {"123": [{"type": "messenger", "estimated_time_to_regain_access": 5}]}
    headers = httpx.Headers({"X-Business-Use-Case-Usage": json.dumps(usage)})
    found = graph_error(400, err(80006), headers)
    assert isinstance(found, RateLimited) and found.retry_after == 300


@settings(max_examples=100, deadline=None)
@given(status=st.integers(100, 599), payload=json_values)
def test_no_error_body_crashes_the_mapping(status: int, payload: Any) -> None:
    found = graph_error(status, payload, httpx.Headers({"Retry-After": "x"}))
    assert found is None or isinstance(found, ChannelError)


NOW = 1_750_000_000_000


@pytest.mark.parametrize(
    ("ago_ms", "state"),
    [
        (0, WindowState("open", 24 * 3600)),
        (-60_000, WindowState("open", 24 * 3600)),  # a clock a little behind
        (3 * H, WindowState("open", 21 * 3600)),
        (24 * H - 1000, WindowState("open", 1)),
        (24 * H, WindowState("human_agent", 6 * 24 * 3600)),
        (7 * 24 * H - 3 * H, WindowState("human_agent", 3 * 3600)),
        (7 * 24 * H, WindowState("closed", 0)),
        (400 * 24 * H, WindowState("closed", 0)),
    ],
)
def test_reply_window(ago_ms: int, state: WindowState) -> None:
    assert reply_window(NOW, NOW - ago_ms) == state


def test_reply_window_without_a_customer_message_is_closed() -> None:
    assert reply_window(NOW, None) == WindowState("closed", 0)


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        (T, T_MS),
        ("2025-03-01T09:30:00Z", T_MS),
        ("2025-03-01T18:30:00+09:00", T_MS),
        (T_MS // 1000, T_MS),
        (str(T_MS // 1000), T_MS),
        ("2025-03-01T09:30:00", T_MS),
        ("garbage", None),
        (True, None),
        (float("nan"), None),
        (10**30, None),
        ("1" * 500, None),
        (None, None),
    ],
)
def test_times(value: Any, ms: int | None) -> None:
    assert parse_time_ms(value) == ms


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_clean_text_never_fails(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in cleaned)


@settings(max_examples=100, deadline=None)
@given(cursor=st.text(max_size=200) | json_values.map(json.dumps))
def test_any_cursor_loads_or_starts_again(cursor: str) -> None:
    streams = load_cursor(cursor, ("dm", "cm"), 1000)
    assert set(streams) == {"dm", "cm"}
    assert all(isinstance(s.wm, int) and isinstance(s.prev, int) for s in streams.values())


def test_the_token_bucket_spaces_requests() -> None:
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    bucket = TokenBucket(rate=2.0, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(6):
        bucket.acquire()
        stamps.append(now[0])
    assert stamps == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
    with pytest.raises(ValueError):
        TokenBucket(rate=0)


def test_ids_from_the_wire_never_steer_a_request_elsewhere() -> None:
    bad_conversation = {
        "id": "t_1/../../me/feed",
        "updated_time": T,
        "messages": {"data": [dm("m_evil")]},
    }
    channel = _page_channel([{"data": [bad_conversation]}])
    result = channel.fetch(None)
    assert result.messages == [] and channel.skipped == {"malformed_conversation": 1}
    for thread in ("comment:../me:55", "t_1?fields=x", "a/b"):
        with pytest.raises(Rejected, match="no_recipient"):
            channel.send(OutgoingReply("r", thread, "" if "/" in thread else "55", "안녕"))
    channel.close()
