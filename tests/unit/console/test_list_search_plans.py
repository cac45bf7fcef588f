"""The list's search and the saved searches' counts read the store in parts (a walk of the
list's index, then a walk on or one pass over the table; one pass for every count), and must
show exactly what one plain query over the view shows: the same conversations, in the same
order, and the same counts. The expected lists here are worked out in Python from every row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console import bench
from console.store import queries
from console.store.engine import Store, open_store
from console.store.models import ChannelAccount, Contact, Conversation
from console.store.queries import (
    TEXT_SEARCH_LIMIT,
    ListFilter,
    Order,
    SavedSearchRow,
    View,
    count_list,
    count_lists,
    saved_search_counts,
    search_list,
)
from console.store.search import search

TEXTS = ("코", "쌍수", "예약", "임플란트", "고객1", "IMPLANT", "%")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store of 400 conversations and 14,000 messages in the bench's shape."""
    data = Path(tmp_path_factory.mktemp("lists"))
    bench.generate(data, 400, 14_000)
    store = open_store(data)
    bench.build_search_index(store)  # the bench writes its rows past the index
    try:
        yield store
    finally:
        store.close()


def _lists(store: Store) -> list[ListFilter]:
    with store.read() as s:
        operator = s.scalar(
            select(Conversation.assignee_id).where(Conversation.assignee_id.is_not(None))
        )
    views = [
        (View.ALL_OPEN, None),
        (View.MINE, None),
        (View.UNASSIGNED, None),
        (View.UNTRIAGED, None),
        (View.DEPARTMENT, "dental"),
        (View.CHANNEL, "kakaotalk"),
        (View.SNOOZED, None),
        (View.RESOLVED, None),
    ]
    return [
        ListFilter(view, value, operator, text, order)
        for view, value in views
        for text in TEXTS
        for order in Order
    ] + [
        ListFilter(View.ALL_OPEN, text="상담", department="plastic"),
        ListFilter(View.UNASSIGNED, text="예약", channel="sms", order=Order.WAITING),
        ListFilter(View.ALL_OPEN, text="코", waiting=True),
    ]


def _ascii_fold(text: str) -> str:
    """What SQLite's LIKE ignores: the case of ASCII letters, and only theirs."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


_EXPECTED: dict[ListFilter, list[str]] = {}


def _expected(store: Store, flt: ListFilter) -> list[str]:
    """Every conversation the list shows, in order, from all rows, in Python."""
    if flt not in _EXPECTED:
        _EXPECTED[flt] = _work_out(store, flt)
    return _EXPECTED[flt]


def _work_out(store: Store, flt: ListFilter) -> list[str]:
    folder = {View.SNOOZED: 2, View.RESOLVED: 3}.get(flt.view, 1)
    c = Conversation
    with store.read() as s:
        rows = s.execute(
            select(
                c.id,
                c.folder,
                c.assignee_id,
                c.department,
                ChannelAccount.kind,
                c.waiting_since,
                c.snippet,
                Contact.display_name,
                c.last_message_at,
                c.queue_key,
            )
            .join(ChannelAccount, ChannelAccount.id == c.account_id)
            .join(Contact, Contact.id == c.contact_id)
        ).all()
    found = {hit.conversation_id for hit in search(store, flt.text, TEXT_SEARCH_LIMIT)}
    needle = _ascii_fold(flt.text.strip())
    shown = []
    for cid, fold, assignee, dept, kind, waiting, snippet, name, last, queue in rows:
        in_view = fold == folder and {
            View.MINE: assignee == flt.operator_id,
            View.UNASSIGNED: assignee is None,
            View.UNTRIAGED: dept is None,
            View.DEPARTMENT: dept == flt.value,
            View.CHANNEL: kind == flt.value,
        }.get(flt.view, True)
        narrowed = (
            (flt.department is None or dept == (flt.department or None))
            and (flt.channel is None or kind == flt.channel)
            and (not flt.waiting or waiting is not None)
        )
        holds = needle in _ascii_fold(snippet) or needle in _ascii_fold(name) or cid in found
        if in_view and narrowed and holds:
            shown.append((queue, cid) if flt.order is Order.WAITING else (last, cid))
    shown.sort(reverse=flt.order is not Order.WAITING)
    return [cid for _, cid in shown]


@pytest.mark.parametrize(
    ("walk", "cost"),
    [(3000, 5), (25, 1), (25, 10_000), (1, 5)],
    ids=["short-views", "walk-on", "one-pass", "default-cost"],
)
def test_a_searched_list_shows_what_one_query_over_the_view_shows(
    big: Store, monkeypatch: pytest.MonkeyPatch, walk: int, cost: int
) -> None:
    monkeypatch.setattr(queries, "SEARCH_WALK", walk)
    monkeypatch.setattr(queries, "WALK_COST", cost)
    checked = 0
    for flt in _lists(big):
        expected = _expected(big, flt)
        for limit in (10, 2000):
            got = search_list(big, flt, limit)
            assert list(got.ids) == expected[:limit], flt
            assert got.more == (len(expected) > limit), flt
        checked += bool(expected)
    assert checked > 100  # most lists find something: the comparison is not of empty lists


def test_the_hits_shown_are_those_of_the_conversations_listed(big: Store) -> None:
    flt = ListFilter(text="상담")
    got = search_list(big, flt, 30)
    found = {hit.conversation_id: hit for hit in search(big, flt.text, TEXT_SEARCH_LIMIT)}
    assert got.hits == {cid: found[cid] for cid in got.ids if cid in found}
    assert got.hits  # the page shows some conversations found in their history


def test_lists_counted_together_count_what_each_shows(big: Store) -> None:
    flts = _lists(big)
    assert count_lists(big, flts) == [len(_expected(big, flt)) for flt in flts]
    assert count_list(big, flts[3]) == len(_expected(big, flts[3]))
    assert count_lists(big, []) == []


def test_saved_search_counts_follow_each_search_and_its_list(big: Store) -> None:
    rows = [
        SavedSearchRow("a", "임플란트", "임플란트", "all_open", None, True),
        SavedSearchRow("b", "예약", "예약", "department", "dental", True),
        SavedSearchRow("c", "예약", "예약", "channel", "kakaotalk", False),
        SavedSearchRow("d", "dept:plastic", "dept:plastic", "all_open", None, False),
    ]
    counts = saved_search_counts(big, rows, None)
    assert counts == {row.id: len(_expected(big, row.list_filter(None))) for row in rows}
    assert counts["b"] > 0 and counts["c"] > 0 and counts["b"] != counts["c"]
