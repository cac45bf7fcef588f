"""Saved searches: saved, renamed, reordered and deleted through the services, with the
permission rule (own ones for anyone, shared ones for managers), and counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console import errors, services
from console.domain import Role
from console.services import Actor
from console.store.engine import Store
from console.store.models import AuditEvent, PendingOp
from console.store.queries import count_list, saved_search_counts, saved_searches
from tests.helpers.factory import add_account, add_conversation


@pytest.fixture
def staff(store: Store) -> tuple[Actor, Actor, Actor]:
    desk = services.add_operator(store, Actor(None), "김접수", Role.FRONT_DESK)
    other = services.add_operator(store, Actor(None), "이상담", Role.COORDINATOR)
    boss = services.add_operator(store, Actor(None), "박실장", Role.MANAGER)
    return Actor(desk), Actor(other), Actor(boss)


def test_anyone_saves_their_own_and_sees_shared_ones_first(
    store: Store, staff: tuple[Actor, Actor, Actor]
) -> None:
    desk, other, boss = staff
    mine = services.save_search(store, desk, "  쌍수   문의 ", "쌍수", "department", "plastic")
    shared = services.save_search(store, boss, "임플란트", "임플란트", shared=True)
    services.save_search(store, other, "이상담 것", "치아")
    rows = saved_searches(store, desk.operator_id)
    assert [(r.id, r.name, r.shared) for r in rows] == [
        (shared, "임플란트", True),
        (mine, "쌍수 문의", False),
    ]
    flt = rows[1].list_filter(desk.operator_id)
    assert (flt.view.value, flt.value, flt.text) == ("department", "plastic", "쌍수")
    with store.read() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
        ops = s.scalars(select(PendingOp.tbl).where(PendingOp.tbl == "saved_search")).all()
    assert actions.count("save_search") == 3 and len(ops) == 6


def test_shared_searches_need_manage_routing(
    store: Store, staff: tuple[Actor, Actor, Actor]
) -> None:
    desk, other, boss = staff
    with pytest.raises(errors.NotPermitted):
        services.save_search(store, desk, "모두", "예약", shared=True)
    shared = services.save_search(store, boss, "모두", "예약", shared=True)
    for verb in (
        lambda a: services.rename_saved_search(store, a, shared, "새 이름"),
        lambda a: services.move_saved_search(store, a, shared, 1),
        lambda a: services.delete_saved_search(store, a, shared),
    ):
        with pytest.raises(errors.NotPermitted):
            verb(desk)
    # Nobody changes a colleague's own search, not even a manager.
    own = services.save_search(store, other, "내 것", "예약")
    with pytest.raises(errors.NotPermitted):
        services.rename_saved_search(store, boss, own, "빼앗기")
    with pytest.raises(errors.NotPermitted):
        services.delete_saved_search(store, desk, own)
    services.rename_saved_search(store, boss, shared, "예약 전체")
    assert saved_searches(store, None)[0].name == "예약 전체"
    services.delete_saved_search(store, boss, shared)
    assert saved_searches(store, None) == []
    with pytest.raises(errors.SavedSearchNotFound):
        services.delete_saved_search(store, boss, shared)


def test_bad_input_is_refused(store: Store, staff: tuple[Actor, Actor, Actor]) -> None:
    desk, _, _ = staff
    for name, query, view, value in [
        ("", "쌍수", "all_open", None),
        ("가" * 61, "쌍수", "all_open", None),
        ("이름", "  ", "all_open", None),
        ("이름", "쌍수", "nowhere", None),
        ("이름", "쌍수", "department", None),
    ]:
        with pytest.raises(errors.InvalidInput):
            services.save_search(store, desk, name, query, view, value)
    with pytest.raises(errors.UnknownDepartment):
        services.save_search(store, desk, "이름", "쌍수", "department", "nope")
    with pytest.raises(errors.InvalidInput):
        services.save_search(store, Actor(None), "시스템", "쌍수")  # owns nothing
    assert saved_searches(store, desk.operator_id) == []


def test_moving_reorders_within_the_group(store: Store, staff: tuple[Actor, Actor, Actor]) -> None:
    desk, _, _ = staff
    a, b, c = (services.save_search(store, desk, n, n) for n in ("가", "나", "다"))
    assert services.move_saved_search(store, desk, c, -1)
    assert [r.id for r in saved_searches(store, desk.operator_id)] == [a, c, b]
    assert not services.move_saved_search(store, desk, a, -1)  # already first
    assert services.move_saved_search(store, desk, a, 5)
    assert [r.id for r in saved_searches(store, desk.operator_id)] == [c, b, a]


def test_counts_follow_new_conversations(store: Store, staff: tuple[Actor, Actor, Actor]) -> None:
    desk, _, _ = staff
    kakao = add_account(store, "kakaotalk")
    add_conversation(store, kakao, [("in", "임플란트 가격 문의")], contact="가")
    add_conversation(store, kakao, [("in", "쌍수 상담")], contact="나")
    implant = services.save_search(store, desk, "임플란트", "임플란트")
    kakao_only = services.save_search(store, desk, "카톡 상담", "상담", "channel", "kakaotalk")
    rows = saved_searches(store, desk.operator_id)
    assert saved_search_counts(store, rows, desk.operator_id) == {implant: 1, kakao_only: 1}
    add_conversation(store, kakao, [("in", "임플란트 상담 예약")], contact="다")
    assert saved_search_counts(store, rows, desk.operator_id) == {implant: 2, kakao_only: 2}
    assert count_list(store, rows[0].list_filter(desk.operator_id)) == 2
