"""The clinic's routing rules and threshold, kept in the database and used as messages arrive."""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.domain import Priority, Role
from console.ingest import ingest
from console.routing import (
    ConditionKind,
    InvalidRule,
    InvalidRulePattern,
    Rule,
    RulePatternTooSlow,
    starter_model,
)
from console.routing import command as route_command
from console.routing.rules import MAX_PATTERN_CHARS
from console.routing.stored import branch_name, load_rules, routing_threshold, rule_rows
from console.routing.triage import Triage
from console.services import Actor
from console.store import Store, open_store
from console.store.models import AuditEvent, Conversation, PendingOp, RoutingRule
from tests.helpers.factory import add_account, add_operator, now_ms

SYSTEM = Actor(None)


def _names(store: Store) -> list[str]:
    return [r.name for r in rule_rows(store)]


def _arrive(store: Store, account: str, text: str, handle: str, triage: Triage) -> Conversation:
    m = InboundMessage(f"m-{handle}", f"t-{handle}", handle, handle, "in", text, now_ms())
    ingest(store, account, FetchResult([m], handle), triage)
    with store.read() as s:
        return s.scalars(
            select(Conversation).where(Conversation.external_thread_id == f"t-{handle}")
        ).one()


def test_rules_are_added_in_order_moved_enabled_and_deleted(store: Store) -> None:
    manager = Actor(add_operator(store, "박팀장", Role.MANAGER))
    first = services.add_rule(store, manager, Rule("실비 서류", "general", keywords_any=("실비",)))
    second = services.add_rule(store, manager, Rule("임플란트", "dental", keywords_any=("임플",)))
    top = services.add_rule(store, manager, Rule("VIP", "plastic", handles=("vip",)), position=0)
    assert _names(store) == ["VIP", "실비 서류", "임플란트"]

    services.move_rule(store, manager, second, 0)
    assert _names(store) == ["임플란트", "VIP", "실비 서류"]
    services.move_rule(store, manager, second, 99)  # clamped to the end
    assert _names(store) == ["VIP", "실비 서류", "임플란트"]

    services.set_rule_enabled(store, manager, first, False)
    rows = {r.name: r for r in rule_rows(store)}
    assert rows["실비 서류"].rule is not None and rows["실비 서류"].rule.enabled is False

    services.update_rule(
        store,
        manager,
        top,
        Rule("VIP 고객", "plastic", handles=("vip",), priority=Priority.HIGH, labels=("VIP",)),
    )
    services.delete_rule(store, manager, second)
    assert _names(store) == ["VIP 고객", "실비 서류"]
    assert [r.position for r in rule_rows(store)] == [0, 1]
    with store.read() as s:
        tombstone = s.get(RoutingRule, second)
        assert tombstone is not None and tombstone.deleted and tombstone.hlc
        actions = s.scalars(select(AuditEvent.action)).all()
        ops = s.scalars(select(PendingOp.field).where(PendingOp.tbl == "routing_rule")).all()
    assert {"add_rule", "move_rule", "disable_rule", "update_rule", "delete_rule"} <= set(actions)
    assert {"name", "keywords_any", "position", "enabled", "deleted"} <= set(ops)
    with pytest.raises(services.RuleNotFound):
        services.delete_rule(store, manager, second)


def test_a_rule_name_is_taken_once_and_the_department_and_assignee_must_exist(
    store: Store,
) -> None:
    services.add_rule(store, SYSTEM, Rule("실비", "general", keywords_any=("실비",)))
    with pytest.raises(InvalidRule) as caught:
        services.add_rule(store, SYSTEM, Rule("실비", "derm", keywords_any=("보험",)))
    assert caught.value.params["reason"] == "duplicate_name"
    with pytest.raises(errors.OperatorNotFound):
        services.add_rule(
            store, SYSTEM, Rule("배정", "derm", keywords_any=("여드름",), assignee_id="nobody")
        )
    assert _names(store) == ["실비"]


def test_an_invalid_or_catastrophic_pattern_is_refused_in_words() -> None:
    with pytest.raises(InvalidRulePattern) as bad:
        Rule("전화번호", "general", pattern=r"010-(\d{4}")
    assert bad.value.code == "invalid_rule_pattern" and bad.value.params["offset"] == 4
    started = time.monotonic()
    with pytest.raises(RulePatternTooSlow) as slow:
        Rule("느린 패턴", "general", pattern=r"(a|aa)+$")
    assert slow.value.params["reason"] == "backtracking"
    assert time.monotonic() - started < 2
    with pytest.raises(RulePatternTooSlow) as long:
        Rule("긴 패턴", "general", pattern="a" * (MAX_PATTERN_CHARS + 1))
    assert long.value.params["reason"] == "too_long"
    # An ordinary pattern passes, and matches as before.
    assert Rule("예약", "general", pattern=r"예약\s*(변경|취소)").pattern


def test_triage_routes_with_the_stored_rules_and_follows_edits(
    store: Store, tmp_path: Path
) -> None:
    account = add_account(store, "email")
    triage = Triage.for_data_dir(tmp_path)
    services.add_rule(
        store,
        SYSTEM,
        Rule("상담은 원무로", "general", keywords_any=("상담",), labels=("상담",)),
    )
    conv = _arrive(store, account, "쌍꺼풀 수술 재수술 상담 받고 싶어요", "a", triage)
    assert (conv.department, conv.department_source) == ("general", "rule")

    # Disabling the rule takes effect for the next message, without restarting anything.
    rule_id = rule_rows(store)[0].id
    services.set_rule_enabled(store, SYSTEM, rule_id, False)
    conv = _arrive(store, account, "쌍꺼풀 수술 재수술 상담 받고 싶어요", "b", triage)
    assert (conv.department, conv.department_source) == ("plastic", "auto")


def test_the_stored_threshold_is_honoured(store: Store, tmp_path: Path) -> None:
    account = add_account(store, "kakaotalk")
    triage = Triage.for_data_dir(tmp_path)
    assert routing_threshold(store) == pytest.approx(0.85)
    text = "쌍꺼풀 수술 재수술 상담 받고 싶어요"
    assert _arrive(store, account, text, "a", triage).department == "plastic"
    services.set_routing_threshold(store, SYSTEM, 1.0)
    conv = _arrive(store, account, text, "b", triage)
    assert conv.department is None and conv.suggested_department == "plastic"
    with pytest.raises(errors.InvalidInput):
        services.set_routing_threshold(store, SYSTEM, 1.5)


def test_explain_names_the_rule_and_what_it_matched(store: Store) -> None:
    triage = Triage(starter_model())
    services.add_rule(store, SYSTEM, Rule("치아 미백", "dental", keywords_any=("미백", "화이트닝")))
    services.add_rule(store, SYSTEM, Rule("전화번호", "general", pattern=r"010-?\d{4}-?\d{4}"))
    decision = triage.explain(store, "치아 화이트닝 가격이 궁금해요", "kakaotalk")
    assert decision.rule_name == "치아 미백" and decision.department == "dental"
    assert decision.match is not None
    assert decision.match.reasons[0].condition is ConditionKind.KEYWORDS_ANY
    assert decision.match.reasons[0].values == ("화이트닝",)

    decision = triage.explain(store, "연락처는 010-1234-5678 입니다", "sms")
    assert decision.rule_name == "전화번호" and decision.match is not None
    assert decision.match.reasons[0].span == (5, 18)

    services.set_routing_threshold(store, SYSTEM, 0.99)
    decision = triage.explain(store, "보톡스 가격 문의", "kakaotalk")
    assert decision.rule_name is None and decision.suggestion == "derm"
    assert decision.auto_applied is (decision.confidence >= 0.99)


def test_front_desk_may_not_edit_rules_or_the_threshold(store: Store) -> None:
    desk = Actor(add_operator(store, "이수진", Role.FRONT_DESK))
    coordinator = Actor(add_operator(store, "최실장", Role.COORDINATOR))
    rule = Rule("실비", "general", keywords_any=("실비",))
    for actor in (desk, coordinator):
        with pytest.raises(errors.NotPermitted):
            services.add_rule(store, actor, rule)
        with pytest.raises(errors.NotPermitted):
            services.set_routing_threshold(store, actor, 0.5)
    rule_id = services.add_rule(store, SYSTEM, rule)
    for call in (
        lambda: services.delete_rule(store, desk, rule_id),
        lambda: services.move_rule(store, desk, rule_id, 0),
        lambda: services.set_rule_enabled(store, desk, rule_id, False),
        lambda: services.update_rule(store, desk, rule_id, rule),
    ):
        with pytest.raises(errors.NotPermitted):
            call()
    assert _names(store) == ["실비"] and routing_threshold(store) == pytest.approx(0.85)


def test_branch_name_is_a_clinic_setting(store: Store) -> None:
    desk = Actor(add_operator(store, "이수진", Role.FRONT_DESK))
    coordinator = Actor(add_operator(store, "최실장", Role.COORDINATOR))
    assert branch_name(store) == ""
    with pytest.raises(errors.NotPermitted):
        services.set_branch_name(store, desk, "강남점")
    services.set_branch_name(store, coordinator, " 강남점 ")
    assert branch_name(store) == "강남점"


def test_a_stored_rule_that_became_invalid_never_fires_and_is_listed(store: Store) -> None:
    rule_id = services.add_rule(store, SYSTEM, Rule("옛 규칙", "derm", keywords_any=("x",)))
    with store.write() as s:
        row = s.get(RoutingRule, rule_id)
        assert row is not None
        row.pattern = "(unclosed"  # e.g. written by a newer version and synced here
    [listed] = rule_rows(store)
    assert listed.rule is None and listed.problem == "invalid_rule_pattern"
    with store.read() as s:
        assert load_rules(s) == []


def test_sotong_route_uses_the_rules_stored_in_a_data_folder(
    data_dir: Path, tmp_path: Path
) -> None:
    store = open_store(data_dir)
    try:
        services.add_rule(store, SYSTEM, Rule("재수술", "plastic", keywords_any=("재수술",)))
    finally:
        store.close()
    common = argparse.ArgumentParser(add_help=False)
    parser = argparse.ArgumentParser(prog="sotong")
    route_command.add_parser(parser.add_subparsers(dest="command"), parents=[common])
    args = parser.parse_args(["route", "--data-dir", str(data_dir)])
    stdin = io.BytesIO('{"id": 1, "text": "눈 재수술 문의"}\n'.encode())
    out = io.BytesIO()
    assert route_command.run(args, stdin=stdin, stdout=out) == route_command.EXIT_OK
    assert json.loads(out.getvalue())["rule"] == "재수술"
    args = parser.parse_args(["route", "--data-dir", str(tmp_path / "nothing")])
    assert route_command.run(args, stdin=io.BytesIO(b""), stdout=out) == route_command.EXIT_INPUT


def test_a_deciding_rule_adds_its_labels_and_priority(store: Store, tmp_path: Path) -> None:
    from console.store.models import ConversationLabel

    account = add_account(store, "kakaotalk")
    services.add_rule(
        store,
        SYSTEM,
        Rule(
            "불만 접수",
            "general",
            keywords_any=("환불",),
            labels=("불만",),
            priority=Priority.URGENT,
        ),
    )
    conv = _arrive(
        store,
        account,
        "시술 결과가 마음에 안 들어요 환불해 주세요",
        "a",
        Triage.for_data_dir(tmp_path),
    )
    assert conv.department == "general" and conv.priority == int(Priority.URGENT)
    assert conv.priority_hlc
    with store.read() as s:
        labels = s.scalars(
            select(ConversationLabel.label).where(ConversationLabel.conversation_id == conv.id)
        ).all()
        ops = s.scalars(select(PendingOp.tbl).where(PendingOp.pk.startswith(conv.id))).all()
    assert labels == ["불만"] and "conversation_label" in ops
