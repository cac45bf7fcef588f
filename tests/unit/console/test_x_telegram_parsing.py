"""Parsing X and Telegram payloads: hostile or malformed input never crashes a connector; a bad
item is skipped with a reason and the rest are kept. Also the pieces with no network: the
weighted length, the rate budget, cursors, error mapping (over ``httpx.MockTransport``)."""

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
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.channels.telegram import TelegramChannel, parse_updates, utf16_length
from console.channels.x import (
    ParsedPage,
    RateBudget,
    XChannel,
    clean_text,
    parse_dm_events,
    parse_mentions,
    weighted_length,
)

ME = "1590000000000000001"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "<script>alert('x')</script>",
            "**굵게** _기울임_ [링크](javascript:alert(1))",
            "\x00\x01\x1b[31m\u202e\ud800",
            "\ufeff\u200d" * 10,
            "",
        ]
    ),
)
ids = st.one_of(
    st.integers(min_value=1, max_value=2**62).map(str),
    st.integers(min_value=1, max_value=2**62),
    json_values,
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, json_values)


tweets = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "text": _maybe(hostile_text),
        "author_id": ids,
        "conversation_id": ids,
        "created_at": _maybe(st.sampled_from(["2024-01-15T10:30:00.000Z", "yesterday", "9" * 40])),
    },
)
dm_events = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "event_type": _maybe(st.sampled_from(["MessageCreate", "ParticipantsJoin", "Weird"])),
        "text": _maybe(hostile_text),
        "dm_conversation_id": _maybe(st.sampled_from([f"{ME}-42", "42", "a-b", ""])),
        "sender_id": _maybe(st.sampled_from([ME, "42"])),
        "created_at": _maybe(st.just("2024-01-15T10:30:00Z")),
    },
)
users = st.fixed_dictionaries(
    {}, optional={"id": ids, "username": _maybe(hostile_text), "name": _maybe(hostile_text)}
)


def _check(messages: list[InboundMessage]) -> None:
    """What every normalised message must be, whatever came in."""
    for m in messages:
        assert m.external_id and m.thread_id and m.handle
        assert m.direction in ("in", "out")
        assert isinstance(m.sent_at, int)
        for text in (m.body, m.handle, m.contact_name, m.thread_id):
            text.encode("utf-8")  # storable: no lone surrogates
            assert "\x00" not in text


@FAST
@given(payload=json_values)
def test_x_pages_of_any_shape_never_crash(payload: Any) -> None:
    parsers: list[Callable[[Any], ParsedPage]] = [
        lambda p: parse_mentions(p, ME),
        lambda p: parse_dm_events(p, ME),
    ]
    for parse in parsers:
        try:
            page = parse(payload)
        except Rejected as exc:
            assert exc.reason == "malformed_page"
        else:
            _check(page.messages)


@FAST
@given(
    items=st.lists(st.one_of(tweets, json_values), max_size=8),
    includes=st.lists(users, max_size=4),
    meta=_maybe(st.fixed_dictionaries({}, optional={"next_token": _maybe(st.text(max_size=10))})),
)
def test_bad_mentions_are_skipped_and_good_ones_kept(
    items: list[Any], includes: list[Any], meta: Any
) -> None:
    good = {
        "id": "1800000000000000099",
        "text": "@sotong_clinic <b>문의</b>",
        "author_id": "42",
        "conversation_id": "1800000000000000001",
        "created_at": "2024-01-15T10:30:00.000Z",
    }
    payload = {"data": [*items, good], "includes": {"users": includes}, "meta": meta}
    page = parse_mentions(payload, ME)
    _check(page.messages)
    assert len(page.messages) + len(page.skipped) == len(items) + 1
    kept = [m for m in page.messages if m.external_id == good["id"]]
    assert kept and kept[-1].body == "@sotong_clinic <b>문의</b>"
    assert kept[-1].thread_id == "1800000000000000001"


@FAST
@given(items=st.lists(st.one_of(dm_events, json_values), max_size=8))
def test_bad_dm_events_are_skipped_and_good_ones_kept(items: list[Any]) -> None:
    good = {
        "id": "1800000000000000099",
        "event_type": "MessageCreate",
        "text": "**예약** 문의",
        "dm_conversation_id": f"42-{ME}",
        "sender_id": "42",
    }
    page = parse_dm_events({"data": [*items, good]}, ME, {"42": ("minji", "민지")})
    _check(page.messages)
    assert len(page.messages) + len(page.skipped) == len(items) + 1
    last = page.messages[-1]
    assert (last.thread_id, last.handle, last.contact_name, last.direction) == (
        f"dm:42-{ME}",
        "minji",
        "민지",
        "in",
    )


def test_mentions_of_an_ordinary_page() -> None:
    payload = {
        "data": [
            {
                "id": "1301573587187331074",
                "text": "Hey @sotong_clinic, 쌍수 가격이요",
                "author_id": "1234567890",
                "conversation_id": "1301573587187331000",
                "created_at": "2024-01-15T10:30:00.000Z",
            },
            {"id": "1301573587187331075", "text": "no created_at", "author_id": "777"},
        ],
        "includes": {"users": [{"id": "1234567890", "username": "dev", "name": "Dev Person"}]},
        "errors": [
            {
                "value": "1301573587187330000",
                "detail": "Could not find tweet with ids: [1301573587187330000].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
        "meta": {"result_count": 2, "next_token": "t3buvdr5pujq9g7bggsnf3ep2ha28"},
    }
    page = parse_mentions(payload, ME)
    first, second = page.messages
    assert (first.handle, first.contact_name, first.thread_id) == (
        "dev",
        "Dev Person",
        "1301573587187331000",
    )
    assert first.sent_at == 1_705_314_600_000
    # No author in includes (suspended?), no created_at: the id and the snowflake stand in.
    assert (second.handle, second.thread_id) == ("777", "1301573587187331075")
    assert abs(second.sent_at - 1_599_000_000_000) < 10**9
    assert page.skipped == ["api_error:resource_not_found"]  # a deleted post
    assert page.next_token == "t3buvdr5pujq9g7bggsnf3ep2ha28"
    assert page.reply_targets == {
        "1301573587187331000": "1301573587187331074",
        "1301573587187331075": "1301573587187331075",
    }
    assert parse_mentions({"meta": {"result_count": 0}}, ME).messages == []


def test_dm_event_kinds_and_outgoing_messages() -> None:
    payload = {
        "data": [
            {"id": "5", "event_type": "ParticipantsJoin", "dm_conversation_id": "1-2"},
            {
                "id": "6",
                "event_type": "MessageCreate",
                "text": "",
                "dm_conversation_id": f"{ME}-99",
                "sender_id": ME,
                "attachments": {"media_keys": ["3_1", 7]},
            },
        ],
        "includes": {"users": [{"id": ME, "username": "sotong_clinic", "name": "소통의원"}]},
    }
    page = parse_dm_events(payload, ME, {"99": ("customer99", "고객")})
    assert page.skipped == ["event:participantsjoin"]
    (out,) = page.messages
    assert (out.direction, out.handle, out.contact_name, out.author) == (
        "out",
        "customer99",
        "고객",
        "sotong_clinic",
    )
    assert [a.name for a in out.attachments] == ["3_1"]
    assert page.ids == [5, 6]


def test_a_megabyte_of_text_is_kept_whole() -> None:
    body = "가<b>" * 300_000
    page = parse_mentions({"data": [{"id": "1", "text": body, "author_id": "2"}]}, ME)
    assert page.messages[0].body == body
    updates = [{"update_id": 1, "message": _tg_message(text=body)}]
    assert parse_updates(updates).messages[0].body == body


def test_clean_text_keeps_markup_and_fixes_only_what_cannot_be_stored() -> None:
    assert clean_text("<script>x</script> **b** \x1b[0m") == "<script>x</script> **b** \x1b[0m"
    assert clean_text("a\x00b\ud800c😀") == "a\ufffdb\ufffdc😀"


def test_weighted_length_follows_x_counting() -> None:
    assert weighted_length("a" * 280) == 280
    assert weighted_length("가" * 140) == 280
    assert weighted_length("😀") == 2
    assert weighted_length("see https://example.com/a/very/long/path/indeed ok") == 4 + 23 + 3
    assert weighted_length("cafe\u0301") == 4  # NFC


# -- Telegram ---------------------------------------------------------------------------------


def _tg_message(**fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 7,
        "from": {"id": 42, "is_bot": False, "first_name": "민지", "last_name": "김"},
        "chat": {"id": 42, "type": "private", "first_name": "민지"},
        "date": 1_700_000_000,
    }
    message.update(fields)
    return message


tg_messages = st.fixed_dictionaries(
    {},
    optional={
        "message_id": ids,
        "from": _maybe(
            st.fixed_dictionaries(
                {},
                optional={"id": ids, "username": _maybe(hostile_text), "first_name": json_values},
            )
        ),
        "chat": _maybe(st.fixed_dictionaries({}, optional={"id": ids, "type": json_values})),
        "date": _maybe(st.integers(min_value=-10, max_value=2**40)),
        "text": _maybe(hostile_text),
        "caption": _maybe(hostile_text),
        "photo": json_values,
        "sticker": json_values,
        "document": _maybe(
            st.fixed_dictionaries(
                {}, optional={"file_name": json_values, "mime_type": json_values, "file_size": ids}
            )
        ),
        "new_chat_members": json_values,
    },
)
tg_updates = st.fixed_dictionaries(
    {"update_id": _maybe(st.integers(min_value=1, max_value=2**40))},
    optional={
        "message": _maybe(tg_messages),
        "edited_message": _maybe(tg_messages),
        "callback_query": json_values,
        "channel_post": json_values,
    },
)


@FAST
@given(result=json_values)
def test_telegram_results_of_any_shape_never_crash(result: Any) -> None:
    try:
        parsed = parse_updates(result)
    except Rejected as exc:
        assert exc.reason == "malformed_page"
    else:
        _check(parsed.messages)


@FAST
@given(items=st.lists(st.one_of(tg_updates, json_values), max_size=8))
def test_bad_updates_are_skipped_and_good_ones_kept(items: list[Any]) -> None:
    # The highest id the parser takes (2**53 - 1): a generated item may hold any valid id,
    # and the offset must follow the highest one seen.
    top = 2**53 - 1
    good = {"update_id": top, "message": _tg_message(text="<i>예약</i> 문의")}
    parsed = parse_updates([*items, good])
    _check(parsed.messages)
    assert len(parsed.messages) + len(parsed.skipped) == len(items) + 1
    assert parsed.messages[-1].body == "<i>예약</i> 문의"
    assert parsed.last_update_id == top


@pytest.mark.parametrize("uid", [0, -1, -5, 2**53, 2**41 + 0.5, True])
def test_an_update_id_that_is_not_a_positive_integer_is_a_bad_update(uid: Any) -> None:
    parsed = parse_updates([{"update_id": uid, "message": _tg_message(text="hi")}])
    assert parsed.messages == [] and parsed.skipped == ["bad_update"]
    assert parsed.last_update_id is None


def test_a_negative_update_id_or_offset_never_reaches_telegram() -> None:
    """A negative offset tells Telegram to forget all but the last updates, unread."""
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"ok": True, "result": [{"update_id": -7}]})

    channel = TelegramChannel("1:a", page_size=1, transport=httpx.MockTransport(handler))
    result = channel.fetch(json.dumps({"offset": -3}))
    channel.fetch(result.next_cursor)
    assert [request.get("offset") for request in sent] == [None, None]
    assert result.messages == [] and not result.more
    assert channel.skipped == {"bad_update": 2}


def test_telegram_update_kinds() -> None:
    updates = [
        {"update_id": 10, "message": _tg_message(text="hi")},
        {"update_id": 11, "edited_message": _tg_message(text="hi!", edit_date=1_700_000_100)},
        {"update_id": 12, "message": _tg_message(new_chat_members=[{"id": 1}])},
        {"update_id": 13, "poll_answer": {"poll_id": "1"}},
        {"update_id": 14, "channel_post": _tg_message(text="news")},
        {"update_id": 15},
        {"update_id": 16, "message": _tg_message(voice={"duration": 3, "file_size": 900})},
        {"update_id": 17, "message": _tg_message(location={"latitude": 37.5, "longitude": 127})},
        {"update_id": 18, "message": _tg_message(animation={"file_size": 5}, document={})},
        {"update_id": "19", "message": _tg_message(text="bad id")},
    ]
    parsed = parse_updates(updates)
    assert [m.external_id for m in parsed.messages] == [
        "42:7",
        "42:7:edit:1700000100",
        "42:7",
        "42:7",
        "42:7",
    ]
    assert parsed.skipped == [
        "no_content",
        "update:poll_answer",
        "channel_post",
        "empty_update",
        "bad_update",
    ]
    assert parsed.last_update_id == 18
    voice, location, animation = parsed.messages[2:]
    assert [(a.name, a.mime_type, a.size) for a in voice.attachments] == [
        ("voice", "audio/ogg", 900)
    ]
    assert location.attachments[0].name == "location"
    assert [a.name for a in animation.attachments] == ["animation"]
    assert parsed.messages[0].contact_name == "민지 김" and parsed.messages[0].handle == "42"


def test_utf16_length_is_never_below_the_code_point_count() -> None:
    assert utf16_length("가나다") == 3 and utf16_length("😀") == 2


# -- no network: budget, cursors, error mapping -----------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_budget_slides_and_honours_server_blocks() -> None:
    clock = Clock()
    budget = RateBudget(2, 900, clock)
    budget.take()
    clock.now = 100
    budget.take()
    with pytest.raises(RateLimited) as info:
        budget.take()
    assert info.value.retry_after == 800
    clock.now = 900
    assert budget.snapshot() == (1, 2, 900)
    roomy = RateBudget(100, 900, clock)
    roomy.block_for(30)
    clock.now += 10
    with pytest.raises(RateLimited) as info:
        roomy.take()
    assert info.value.retry_after == 20  # the server's block, though the window has room


def _x(handler: Any, **kwargs: Any) -> XChannel:
    return XChannel(ME, "tok", transport=httpx.MockTransport(handler), poll_interval_s=0, **kwargs)


def test_an_unreadable_x_cursor_starts_over() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"meta": {"result_count": 0}})

    channel = _x(handler, dms=False)
    result = channel.fetch('{"v": 99}')
    assert not result.more and "since_id" not in seen[0]
    assert json.loads(result.next_cursor or "")["v"] == 1
    channel.fetch("not json")
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("status", "body", "headers", "sending", "error", "reason"),
    [
        (401, {"title": "Unauthorized", "type": "about:blank", "status": 401}, {}, False,
         AuthExpired, None),
        (403, {"type": "https://api.twitter.com/2/problems/client-forbidden"}, {}, True,
         AuthExpired, None),
        (403, {"detail": "You are not allowed to create a Tweet with duplicate content."}, {},
         True, Rejected, "duplicate_content"),
        (400, {"errors": [{"message": "bad"}], "type":
               "https://api.twitter.com/2/problems/invalid-request"}, {}, True, Rejected,
         "invalid_request"),
        (400, {"errors": [{"code": 187}]}, {}, True, Rejected, "x_187"),
        (429, {}, {"Retry-After": "12"}, True, RateLimited, None),
        (502, b"<html>", {}, True, Transient, None),
        (418, b"\xff\xfe", {}, True, Rejected, "http_418"),
    ],
)  # fmt: skip
def test_x_error_bodies_map_to_codes(
    status: int,
    body: Any,
    headers: dict[str, str],
    sending: bool,
    error: type[Exception],
    reason: str | None,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    channel = _x(handler)
    with pytest.raises(error) as info:
        if sending:
            channel.send(OutgoingReply("r", "1", "h", "hi"))
        else:
            channel.fetch(None)
    if reason is not None:
        assert getattr(info.value, "reason", None) == reason
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 12
    if isinstance(info.value, Transient):
        assert info.value.ambiguous


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (403, {"ok": False, "error_code": 403,
               "description": "Forbidden: bot was blocked by the user"}, Rejected, "blocked"),
        (403, {"ok": False, "error_code": 403,
               "description": "Forbidden: bot was kicked from the group chat"}, Rejected, "kicked"),
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"},
         Rejected, "text_too_long"),
        (400, {"ok": False, "error_code": 400,
               "description": "Bad Request: group chat was upgraded",
               "parameters": {"migrate_to_chat_id": -100123}}, Rejected, "chat_migrated"),
        (409, {"ok": False, "error_code": 409,
               "description": "Conflict: can't use getUpdates method while webhook is active"},
         Rejected, "webhook_active"),
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 9",
               "parameters": {"retry_after": 9}}, RateLimited, None),
        (200, {"ok": False, "error_code": 401, "description": "Unauthorized"}, AuthExpired, None),
        (200, {"ok": True}, Transient, None),
        (200, [1, 2], Transient, None),
    ],
)  # fmt: skip
def test_telegram_error_bodies_map_to_codes(
    status: int, body: Any, error: type[Exception], reason: str | None
) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, json=body)

    channel = TelegramChannel("123:SECRET", transport=httpx.MockTransport(handler))
    with pytest.raises(error) as info:
        channel.send(OutgoingReply("r", "42", "h", "hi"))
    if reason is not None:
        assert getattr(info.value, "reason", None) == reason
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 9
    if isinstance(info.value, Transient):
        assert info.value.ambiguous
    assert requests[0].url.path == "/bot123:SECRET/sendMessage"  # the token is added last
    assert "SECRET" not in str(info.value)


def test_a_bad_telegram_cursor_or_a_bad_update_id_does_not_stall() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        assert "offset" not in sent
        return httpx.Response(200, json={"ok": True, "result": [{"update_id": "x"}]})

    channel = TelegramChannel("1:a", page_size=1, transport=httpx.MockTransport(handler))
    result = channel.fetch("garbage")
    assert result.messages == [] and not result.more and result.next_cursor == "garbage"
    assert channel.skipped == {"bad_update": 1}
