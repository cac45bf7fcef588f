"""Storing fetched messages and reading lists back: dedup, cursor, waiting time, paging."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console import services
from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.store import Store
from console.store import queries as q
from console.store.models import ChannelAccount, Message
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms


def _msg(
    n: int, direction: str = "in", body: str = "문의드려요", at: int = 0, thread: str = "t1"
) -> InboundMessage:
    return InboundMessage(f"x{n}", thread, "minji", "김민지", direction, body, at or now_ms())


def test_fetching_the_same_page_twice_stores_each_message_once(store: Store) -> None:
    account = add_account(store)
    page = FetchResult([_msg(1), _msg(2, body="가격 알려주세요")], "c1")
    first = ingest(store, account, page)
    again = ingest(store, account, page)
    assert first.new_conversations and not again.new_conversations
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        assert s.get(ChannelAccount, account).cursor == "c1"  # type: ignore[union-attr]


def test_waiting_time_starts_at_the_first_unanswered_message(store: Store) -> None:
    account = add_account(store)
    t = now_ms() - 3_600_000
    ingest(store, account, FetchResult([_msg(1, at=t), _msg(2, at=t + 60_000)], "c"))
    cid = q.conversation_ids(store, q.ListFilter())[0][0]
    assert q.conversation_row(store, cid).waiting_since == t  # type: ignore[union-attr]
    ingest(store, account, FetchResult([_msg(3, "out", "네 고객님", t + 120_000)], "c"))
    assert q.conversation_row(store, cid).waiting_since is None  # type: ignore[union-attr]
    ingest(store, account, FetchResult([_msg(4, at=t + 180_000, body="감사합니다")], "c"))
    row = q.conversation_row(store, cid)
    assert row is not None and row.waiting_since == t + 180_000 and row.snippet == "감사합니다"


def test_a_new_message_reopens_a_resolved_conversation(store: Store) -> None:
    account = add_account(store)
    actor = services.Actor(add_operator(store))
    cid = add_conversation(store, account, handle="hana")
    services.set_status(store, actor, cid, "resolved")
    ingest(
        store,
        account,
        FetchResult(
            [
                InboundMessage(
                    "late-1", "thread-hana", "hana", "하나", "in", "하나 더 여쭤볼게요", now_ms()
                )
            ],
            "c9",
        ),
    )
    assert q.conversation_row(store, cid).status == "open"  # type: ignore[union-attr]


def test_lists_page_by_keyset_without_gaps_or_repeats(store: Store) -> None:
    account = add_account(store)
    made = {add_conversation(store, account, minutes_ago=i) for i in range(45)}
    seen: list[str] = []
    after = None
    while True:
        page = q.conversation_ids(store, q.ListFilter(), after=after, limit=10)
        if not page:
            break
        seen += [cid for cid, _ in page]
        after = page[-1][1]
    assert len(seen) == len(set(seen)) == 45 and set(seen) == made
    # newest activity first
    rows = q.conversation_rows(store, seen)
    times = [rows[c].last_message_at for c in seen]
    assert times == sorted(times, reverse=True)


def test_waiting_order_puts_the_longest_waiting_customer_first(store: Store) -> None:
    account = add_account(store)
    recent = add_conversation(store, account, minutes_ago=5)
    oldest = add_conversation(store, account, minutes_ago=300)
    answered = add_conversation(store, account, [("in", "문의"), ("out", "답변")], minutes_ago=1)
    ids = [c for c, _ in q.conversation_ids(store, q.ListFilter(order=q.Order.WAITING))]
    assert ids == [oldest, recent, answered]


@pytest.mark.parametrize("needle", ["민지", "100%", "_", "'; DROP TABLE message; --"])
def test_list_search_matches_names_and_text_literally(store: Store, needle: str) -> None:
    account = add_account(store)
    hit = add_conversation(store, account, [("in", f"질문 {needle} 있어요")], contact="박민지")
    add_conversation(store, account, [("in", "다른 문의")], contact="이서준")
    ids = [c for c, _ in q.conversation_ids(store, q.ListFilter(text=needle))]
    assert ids == [hit]


def test_navigation_counts_cover_every_view(store: Store) -> None:
    kakao, insta = add_account(store, "kakaotalk"), add_account(store, "instagram")
    me = add_operator(store)
    actor = services.Actor(me)
    a = add_conversation(store, kakao)
    b = add_conversation(store, insta)
    c = add_conversation(store, insta)
    services.tag_department(store, actor, a, "dental")
    services.assign(store, actor, b, me)
    services.set_status(store, actor, c, "resolved")
    counts = q.nav_counts(store, me)
    assert counts.all_open == 2
    assert (counts.mine, counts.unassigned, counts.untriaged) == (1, 1, 1)
    assert counts.by_department == {"dental": 1}
    assert counts.by_channel == {"kakaotalk": 1, "instagram": 1}
    assert counts.resolved == 1
    views = {
        q.View.MINE: [b],
        q.View.UNASSIGNED: [a],
        q.View.UNTRIAGED: [b],
    }
    for view, expected in views.items():
        got = [x for x, _ in q.conversation_ids(store, q.ListFilter(view, operator_id=me))]
        assert got == expected, view
    dental = q.conversation_ids(store, q.ListFilter(q.View.DEPARTMENT, "dental"))
    assert [x for x, _ in dental] == [a]
    insta_open = q.conversation_ids(store, q.ListFilter(q.View.CHANNEL, "instagram"))
    assert [x for x, _ in insta_open] == [b]


def test_huge_and_empty_bodies_are_stored_whole(store: Store) -> None:
    account = add_account(store)
    huge = "가나다라마바사 " * 20_000
    cid = add_conversation(store, account, [("in", huge), ("in", "")])
    bodies = [i.body for i in q.thread_items(store, cid)]
    assert bodies == [huge, ""]
    assert len(q.conversation_row(store, cid).snippet) <= 120  # type: ignore[union-attr]


def test_a_reply_that_lost_its_thread_id_joins_through_a_reference(store: Store) -> None:
    from console.channels.base import Attachment

    account = add_account(store, "email")
    t = now_ms() - 60_000
    first = InboundMessage(
        "<a@x>",
        "<a@x>",
        "minji@example.com",
        "김민지",
        "in",
        "견적 문의드립니다",
        t,
        thread_refs=("subj:minji@example.com:임플란트 견적",),
        subject="임플란트 견적",
        attachments=(Attachment("사진.jpg", "image/jpeg", 120_000),),
    )
    # Same subject, but the mail client dropped References: its own id is a new thread id.
    second = InboundMessage(
        "<b@x>",
        "<b@x>",
        "minji@example.com",
        "김민지",
        "in",
        "사진 추가로 보내요",
        t + 1000,
        thread_refs=("subj:minji@example.com:임플란트 견적",),
    )
    ingest(store, account, FetchResult([first], "1"))
    ingest(store, account, FetchResult([second], "2"))
    ids = [c for c, _ in q.conversation_ids(store, q.ListFilter())]
    assert len(ids) == 1
    assert [i.body for i in q.thread_items(store, ids[0])] == [
        "견적 문의드립니다",
        "사진 추가로 보내요",
    ]
    with store.read() as s:
        from console.store.models import Conversation

        conv = s.get(Conversation, ids[0])
        assert conv is not None and conv.subject == "임플란트 견적"
        stored = s.scalars(select(Message).where(Message.external_id == "<a@x>")).one()
        assert stored.attachments == [
            {"name": "사진.jpg", "mime_type": "image/jpeg", "size": 120_000}
        ]


def test_the_same_message_twice_in_one_page_is_stored_once(store: Store) -> None:
    account = add_account(store)
    ingest(store, account, FetchResult([_msg(1), _msg(1)], "c"))
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_list_search_finds_words_anywhere_in_the_history(store: Store) -> None:
    account = add_account(store)
    old_word = add_conversation(
        store,
        account,
        [("in", "임플란트 가격 문의합니다"), ("out", "네 안내드릴게요"), ("in", "감사합니다")],
    )
    add_conversation(store, account, [("in", "주차 되나요")])
    found = [c for c, _ in q.conversation_ids(store, q.ListFilter(text="임플"))]
    assert found == [old_word]  # the word is in an earlier message, not the last one
    one_char = [c for c, _ in q.conversation_ids(store, q.ListFilter(text="차"))]
    assert len(one_char) == 1 and one_char[0] != old_word
