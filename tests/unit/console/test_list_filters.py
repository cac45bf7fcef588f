"""The dashboard's narrower lists: a department or channel within a view, waiting ones, and
the counts of lists with search text."""

from __future__ import annotations

from console import services
from console.domain import Role
from console.services import Actor
from console.store.engine import Store
from console.store.queries import ListFilter, Order, View, conversation_ids, count_list, search_list
from tests.helpers.factory import add_account, add_conversation, add_operator


def _ids(store: Store, flt: ListFilter) -> list[str]:
    return [cid for cid, _ in conversation_ids(store, flt)]


def test_department_channel_and_waiting_narrow_a_view(store: Store) -> None:
    me = add_operator(store, "김지현", Role.MANAGER)
    kakao, insta = add_account(store, "kakaotalk"), add_account(store, "instagram")
    a = add_conversation(store, kakao, [("in", "쌍수 문의")], minutes_ago=30)
    b = add_conversation(store, insta, [("in", "코 성형")], minutes_ago=20)
    c = add_conversation(store, kakao, [("in", "스케일링"), ("out", "네")], minutes_ago=10)
    d = add_conversation(store, insta, [("in", "예약")], minutes_ago=5)
    actor = Actor(me)
    for cid, dept in ((a, "plastic"), (b, "plastic"), (c, "dental")):
        services.tag_department(store, actor, cid, dept)
    services.assign(store, actor, a, me)

    assert _ids(store, ListFilter(View.UNASSIGNED, department="plastic")) == [b]
    assert _ids(store, ListFilter(View.UNASSIGNED, department="")) == [d]  # untriaged
    assert _ids(store, ListFilter(View.UNASSIGNED, channel="kakaotalk")) == [c]
    assert _ids(store, ListFilter(View.CHANNEL, "kakaotalk", waiting=True)) == [a]
    waiting = ListFilter(View.ALL_OPEN, order=Order.WAITING, waiting=True)
    assert _ids(store, waiting) == [a, b, d]  # the answered one is not waiting
    assert count_list(store, waiting) == 3
    searched = ListFilter(View.ALL_OPEN, text="성형", department="plastic")
    assert search_list(store, searched).ids == (b,)
    assert count_list(store, searched) == 1
