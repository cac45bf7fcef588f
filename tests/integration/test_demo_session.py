"""`sotong demo`'s back end: the shipped corpus served over HTTP and fetched into a store."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from console import services
from console.demo.session import DemoSession, start_demo
from console.resources import resource
from console.store import Store, open_store
from console.store import queries as q

pytestmark = pytest.mark.slow

HANGUL = re.compile("[가-힣]")
KANA = re.compile("[ぁ-ゟ゠-ヿ]")
HAN = re.compile("[一-鿿]")


def test_the_corpus_is_large_varied_and_mostly_korean() -> None:
    convs = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    assert len(convs) >= 300
    assert {c["channel"] for c in convs} >= {
        "facebook",
        "instagram",
        "x",
        "kakaotalk",
        "naver_talktalk",
        "email",
        "sms",
        "webform",
    }
    assert Counter(c["department"] for c in convs).keys() == {
        "plastic",
        "dental",
        "derm",
        "obesity",
        "general",
        None,
    }
    first = [c["messages"][0]["text"] for c in convs]
    korean = sum(bool(HANGUL.search(t)) for t in first)
    japanese = sum(bool(KANA.search(t)) for t in first)
    chinese = sum(
        bool(HAN.search(t)) and not KANA.search(t) and not HANGUL.search(t) for t in first
    )
    assert korean / len(first) > 0.7 and japanese >= 3 and chinese >= 3
    assert len(set(first)) == len(first)  # no copy-paste conversations
    assert any("만원" in t for t in first)


@pytest.fixture
def demo(data_dir: Path) -> Iterator[tuple[Store, DemoSession]]:
    store = open_store(data_dir)
    session = start_demo(store, interval_s=0, seed=3)
    yield store, session
    session.stop()
    store.close()


def test_demo_opens_on_a_triaged_clinic_inbox(demo: tuple[Store, DemoSession]) -> None:
    store, session = demo
    counts = q.nav_counts(store, session.operator_id)
    assert counts.all_open + counts.resolved + counts.snoozed >= 300
    assert set(counts.by_department) == {"plastic", "dental", "derm", "obesity", "general"}
    assert counts.untriaged > 0 and counts.resolved > 0 and counts.mine > 0
    assert set(counts.by_channel) == {
        "kakaotalk",
        "naver_talktalk",
        "sms",
        "email",
        "webform",
        "facebook",
        "instagram",
        "x",
        "telegram",
    }


def test_demo_runs_the_real_connectors_where_sotong_has_them(
    demo: tuple[Store, DemoSession],
) -> None:
    from console.accounts import list_accounts

    store, _session = demo
    connectors = {row.kind: row.connector for row in list_accounts(store)}
    assert connectors["facebook"] == "facebook" and connectors["instagram"] == "instagram"
    assert connectors["x"] == "x" and connectors["telegram"] == "telegram"
    assert connectors["kakaotalk"] == "demo"
    for row in list_accounts(store):
        assert not row.has_secret  # the demo's tokens live in memory, not in the keyring


def test_live_arrivals_and_replies_flow_through_the_channel(
    demo: tuple[Store, DemoSession],
) -> None:
    store, session = demo
    before = q.nav_counts(store, None)
    for _ in range(3):
        session.server.arrive()
    assert session.runtime.poll_once().fetched == 3
    after = q.nav_counts(store, None)
    assert after.unread > before.unread or after.all_open > before.all_open
    kakao = q.ListFilter(q.View.CHANNEL, "kakaotalk")
    cid = q.conversation_ids(store, kakao)[0][0]
    services.queue_reply(store, services.Actor(session.operator_id), cid, "확인 후 안내드릴게요 🙏")
    session.runtime.send_due()
    session.runtime.poll_once()
    outs = [i for i in q.thread_items(store, cid) if i.direction == "out"]
    assert [(i.kind, i.body) for i in outs][-1] == ("message", "확인 후 안내드릴게요 🙏")
    assert [m.text for m in session.server.data.messages if m.direction == "out"][-1] == (
        "확인 후 안내드릴게요 🙏"
    )


def test_restarting_the_demo_on_the_same_store_duplicates_nothing(data_dir: Path) -> None:
    store = open_store(data_dir)
    first = start_demo(store, interval_s=0, seed=1)
    first.stop()
    counts = q.nav_counts(store, None)
    messages = _message_count(store)
    second = start_demo(store, interval_s=0, seed=1)
    second.stop()
    again = q.nav_counts(store, None)
    assert again.by_department == counts.by_department
    assert again.all_open + again.resolved == counts.all_open + counts.resolved
    assert _message_count(store) == messages  # no message shown twice in its thread
    store.close()


def _message_count(store: Store) -> int:
    from sqlalchemy import func, select

    from console.store.models import Message

    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def test_demo_accounts_pass_the_connection_test_through_their_running_connector(
    demo: tuple[Store, DemoSession],
) -> None:
    from console.accounts import check_connection, list_accounts

    store, session = demo
    for row in list_accounts(store):
        assert check_connection(row, connected=session.runtime.channels[row.id]) is None, row.kind


def test_demo_has_canned_responses_filled_for_its_branch(demo: tuple[Store, DemoSession]) -> None:
    from console.canned import canned_for, fill, values_for_conversation
    from console.routing.stored import branch_name

    store, session = demo
    assert branch_name(store) == "강남점"
    cid = next(iter(q.conversation_rows(store, _some_ids(store))))
    offered = canned_for(store, None)
    assert {r.department for r in offered} == {"plastic", "dental", "derm", "obesity", "general"}
    values = values_for_conversation(store, cid, session.operator_id)
    greeting = next(r for r in offered if r.shortcut == "인사")
    filled = fill(greeting.body, values)
    assert "강남점" in filled.text and filled.unknown == () and filled.empty == ()


def _some_ids(store: Store) -> list[str]:
    from sqlalchemy import select

    from console.store.models import Conversation

    with store.read() as s:
        return list(s.scalars(select(Conversation.id).limit(3)))
