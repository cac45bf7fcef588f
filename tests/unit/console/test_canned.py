"""Canned responses: placeholders filled, starter responses, editing with permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console import errors, services
from console.canned import (
    canned_for,
    canned_responses,
    fill,
    placeholder_values,
    values_for_conversation,
)
from console.domain import Role
from console.services import Actor
from console.store import Store
from console.store.models import CannedResponse, PendingOp
from tests.helpers.factory import add_account, add_conversation, add_operator

SYSTEM = Actor(None)
DEPARTMENTS = ("plastic", "dental", "derm", "obesity", "general")


def test_korean_names_fill_the_placeholders() -> None:
    values = placeholder_values("김민지", "강남점", "박소연", "이수진")
    filled = fill("안녕하세요, {고객명}님. {지점} {담당자}입니다.", values)
    assert filled.text == "안녕하세요, 김민지님. 강남점 박소연입니다."
    assert filled.unknown == () and filled.empty == ()


def test_without_an_assignee_the_operator_writing_signs() -> None:
    values = placeholder_values("김민지", "강남점", None, "이수진")
    assert fill("{담당자}입니다", values).text == "이수진입니다"


def test_unknown_and_empty_placeholders_stay_visible_and_are_reported() -> None:
    values = placeholder_values("김민지", "", None, "이수진")
    filled = fill("{고객명}님, {지점} {예약일}에 뵙겠습니다. {예약일} {고객명}", values)
    assert filled.text == "김민지님, {지점} {예약일}에 뵙겠습니다. {예약일} 김민지"
    assert filled.unknown == ("예약일",) and filled.empty == ("지점",)
    # Braces that are not placeholders (JSON, emoticons across lines) are left alone.
    assert fill("{\n}", values).text == "{\n}"


def test_every_department_has_starter_responses(store: Store) -> None:
    rows = canned_responses(store)
    assert {r.department for r in rows} == set(DEPARTMENTS)
    general = canned_responses(store, "general")
    assert len(general) >= 4 and all(r.title and r.body for r in general)
    assert [r.sort_order for r in general] == sorted(r.sort_order for r in general)
    for row in rows:
        assert fill(row.body, placeholder_values("김", "강남점", "박", "이")).unknown == ()


def test_the_conversation_department_comes_first_then_the_front_desk(store: Store) -> None:
    offered = canned_for(store, "dental")
    departments = [r.department for r in offered]
    assert departments[0] == "dental" and set(departments) == {"dental", "general"}
    assert departments.index("general") > max(i for i, d in enumerate(departments) if d == "dental")
    untriaged = [r.department for r in canned_for(store, None)]
    assert untriaged[0] == "general" and set(untriaged) == set(DEPARTMENTS)


def test_values_for_a_conversation_read_contact_branch_and_assignee(store: Store) -> None:
    account = add_account(store)
    cid = add_conversation(store, account, contact="정하늘")
    me = add_operator(store, "이수진", Role.FRONT_DESK)
    colleague = add_operator(store, "박소연", Role.COORDINATOR)
    services.set_branch_name(store, SYSTEM, "강남점")
    assert values_for_conversation(store, cid, me) == {
        "고객명": "정하늘",
        "지점": "강남점",
        "담당자": "이수진",
    }
    services.assign(store, Actor(me), cid, colleague)
    assert values_for_conversation(store, cid, me)["담당자"] == "박소연"


def test_responses_are_added_edited_moved_and_deleted(store: Store) -> None:
    coordinator = Actor(add_operator(store, "최실장", Role.COORDINATOR))
    before = [r.id for r in canned_responses(store, "derm")]
    new = services.add_canned(
        store, coordinator, "derm", "  레이저  토닝 ", "{고객명}님, 토닝은 …", "토닝"
    )
    rows = canned_responses(store, "derm")
    assert [r.id for r in rows] == [*before, new] and rows[-1].title == "레이저 토닝"
    services.update_canned(store, coordinator, new, "레이저 토닝 안내", "본문", "토닝")
    services.move_canned(store, coordinator, new, 0)
    rows = canned_responses(store, "derm")
    assert rows[0].id == new and rows[0].title == "레이저 토닝 안내"
    services.delete_canned(store, coordinator, new)
    assert [r.id for r in canned_responses(store, "derm")] == before
    with store.read() as s:
        row = s.get(CannedResponse, new)
        assert row is not None and row.deleted and row.hlc
        fields = set(s.scalars(select(PendingOp.field).where(PendingOp.pk == new)))
    assert {"title", "body", "shortcut", "sort_order", "deleted"} <= fields
    with pytest.raises(services.CannedNotFound):
        services.update_canned(store, coordinator, new, "x", "y")


def test_canned_input_is_checked(store: Store) -> None:
    with pytest.raises(services.InvalidCanned) as empty:
        services.add_canned(store, SYSTEM, "derm", " ", "본문")
    assert empty.value.params == {"field": "title", "reason": "empty"}
    with pytest.raises(services.InvalidCanned) as spaces:
        services.add_canned(store, SYSTEM, "derm", "제목", "본문", "두 단어")
    assert spaces.value.params["field"] == "shortcut"
    with pytest.raises(errors.UnknownDepartment):
        services.add_canned(store, SYSTEM, "ortho", "제목", "본문")


def test_front_desk_may_not_edit_canned_responses(store: Store) -> None:
    desk = Actor(add_operator(store, "이수진", Role.FRONT_DESK))
    first = canned_responses(store, "general")[0]
    with pytest.raises(errors.NotPermitted):
        services.add_canned(store, desk, "general", "제목", "본문")
    with pytest.raises(errors.NotPermitted):
        services.update_canned(store, desk, first.id, "제목", "본문")
    with pytest.raises(errors.NotPermitted):
        services.delete_canned(store, desk, first.id)
    with pytest.raises(errors.NotPermitted):
        services.move_canned(store, desk, first.id, 3)
    assert canned_responses(store, "general")[0] == first
