"""A routing rule that names an assignee, through the real ingest path: the demo channel
server on 127.0.0.1, its connector, the runtime's poll and the app's store-following triage.
What staff see is the conversation in the named person's "Mine" — or, when that person is off
duty, not there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console import services
from console.channels.demo import DemoChannel
from console.demo.server import DemoData, DemoServer
from console.domain import AssignMode, Role
from console.routing import Rule
from console.routing.triage import Triage
from console.runtime import Runtime
from console.store import Store, open_memory_store
from console.store import queries as q
from tests.helpers.factory import add_account, add_operator, now_ms

pytestmark = pytest.mark.slow

SYSTEM = services.Actor(None)


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture
def server() -> Iterator[DemoServer]:
    data = DemoData()
    t = now_ms() - 60_000
    data.add("kakaotalk", "kakao_implant", "이준호", "in", "임플란트 재수술 상담 받고 싶어요", t)
    data.add("kakaotalk", "kakao_parking", "박지민", "in", "주차 되나요?", t + 1)
    with DemoServer(interval_s=0, data=data) as srv:
        yield srv


def _poll(store: Store, server: DemoServer, tmp_path: Path) -> None:
    account = add_account(store, "kakaotalk")
    channel = DemoChannel(server.base_url, "kakaotalk", server.token)
    try:
        runtime = Runtime(store, {account: channel}, triage=Triage.for_data_dir(tmp_path))
        report = runtime.poll_once()
        assert report.fetched == 2 and not report.errors
    finally:
        channel.close()


def _mine(store: Store, operator_id: str) -> list[str]:
    ids = [
        cid for cid, _key in q.conversation_ids(store, q.ListFilter(q.View.MINE, None, operator_id))
    ]
    rows = q.conversation_rows(store, ids)
    return [rows[cid].snippet for cid in ids]


def _staff_and_rule(store: Store) -> tuple[str, str]:
    first = add_operator(store, "치과 상담 1", Role.COORDINATOR, ("dental",))
    named = add_operator(store, "치과 실장", Role.COORDINATOR, ("dental",))
    services.add_rule(
        store,
        SYSTEM,
        Rule("임플란트 재수술", "dental", keywords_any=("재수술",), assignee_id=named),
    )
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    return first, named


def test_a_conversation_a_rule_sorts_shows_up_in_the_named_persons_mine(
    store: Store, server: DemoServer, tmp_path: Path
) -> None:
    first, named = _staff_and_rule(store)
    _poll(store, server, tmp_path)
    assert _mine(store, named) == ["임플란트 재수술 상담 받고 싶어요"]
    assert _mine(store, first) == []
    row = q.conversation_rows(store, [c for c, _k in q.conversation_ids(store, q.ListFilter())])
    parking = [r for r in row.values() if r.snippet == "주차 되나요?"]
    assert parking and parking[0].assignee_id is None  # no rule: not given to anyone by it


def test_a_rule_naming_someone_off_duty_gives_it_to_someone_on_duty_instead(
    store: Store, server: DemoServer, tmp_path: Path
) -> None:
    first, named = _staff_and_rule(store)
    services.set_on_duty(store, services.Actor(named), named, False)
    _poll(store, server, tmp_path)
    assert _mine(store, named) == []
    assert _mine(store, first) == ["임플란트 재수술 상담 받고 싶어요"]
