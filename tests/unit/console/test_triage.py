"""New conversations are routed as they arrive; staff decisions teach this PC's model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console import services
from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.routing import Rule, starter_model
from console.routing.triage import Triage
from console.store import Store, open_memory_store, open_store
from console.store.models import AuditEvent, Conversation, PendingOp
from tests.helpers.factory import add_account, now_ms


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


def _arrive(store: Store, account: str, text: str, handle: str, triage: Triage) -> Conversation:
    m = InboundMessage(f"m-{handle}", f"t-{handle}", handle, handle, "in", text, now_ms())
    ingest(store, account, FetchResult([m], handle), triage)
    with store.read() as s:
        return s.scalars(
            select(Conversation).where(Conversation.external_thread_id == f"t-{handle}")
        ).one()


def test_a_clear_message_is_tagged_automatically_and_recorded(store: Store) -> None:
    account = add_account(store, "kakaotalk")
    conv = _arrive(
        store, account, "쌍꺼풀 수술 재수술 상담 받고 싶어요", "a", Triage(starter_model())
    )
    assert (conv.department, conv.department_source) == ("plastic", "auto")
    assert conv.department_hlc
    with store.read() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
        ops = s.scalars(select(PendingOp.field).where(PendingOp.pk == conv.id)).all()
    assert "auto_tag" in actions and "department" in ops


def test_below_the_threshold_it_is_only_a_suggestion(store: Store) -> None:
    account = add_account(store, "kakaotalk")
    conv = _arrive(store, account, "보톡스", "b", Triage(starter_model(), threshold=1.01))
    assert conv.department is None and conv.department_source == ""
    assert conv.suggested_department == "derm"
    assert conv.suggestion_confidence is not None and 0 < conv.suggestion_confidence <= 1


def test_a_rule_decides_before_the_classifier(store: Store) -> None:
    account = add_account(store, "email")
    rule = Rule(name="보험 서류", department="general", keywords_any=("실비",))
    conv = _arrive(
        store,
        account,
        "코 수술 실비 청구 서류 부탁드려요",
        "c",
        Triage(starter_model(), rules=[rule]),
    )
    assert (conv.department, conv.department_source) == ("general", "rule")


def test_staff_corrections_teach_the_model_and_it_is_kept(data_dir: Path) -> None:
    store = open_store(data_dir)
    account = add_account(store, "instagram")
    triage = Triage.for_data_dir(data_dir, threshold=1.01)
    text = "소통 시그니처 케어 패키지 예약 가능한가요"
    conv = _arrive(store, account, text, "d", triage)
    services.tag_department(store, services.Actor(None), conv.id, "obesity")
    with store.read() as s:
        assert s.get(Conversation, conv.id).department_source == "staff"  # type: ignore[union-attr]
    for _ in range(3):
        triage.learn_from(store, conv.id, "obesity")
    assert triage.decide(text, "instagram", None, None).suggestion == "obesity"
    assert triage.save()
    again = Triage.for_data_dir(data_dir)
    assert again.decide(text, "instagram", None, None).suggestion == "obesity"
    assert Triage(starter_model()).decide(text, "instagram", None, None).suggestion != "obesity"
    store.close()
