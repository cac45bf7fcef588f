"""The clinic server's change log is pruned by the leader (a real PostgreSQL): a PC that was
away longer than the log is kept notices it and copies everything afresh instead of missing
changes; a PC that is caught up, and changes made since, are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select, text

from console import services
from console.store.engine import Store
from console.store.models import Conversation, ConversationLabel, Draft, SyncFieldConflict
from console.sync.engine import SyncEngine
from console.sync.housekeeping import prune, prune_change_log
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)
from tests.integration.test_sync_engine import Clinic

pytestmark = pytest.mark.slow


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path) -> Iterator[Clinic]:
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _age_log(store: Store, days: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE change_log SET at = now() - make_interval(days => :d)"), {"d": days}
        )
        conn.execute(
            text("UPDATE applied_op SET applied_at = now() - make_interval(days => :d)"),
            {"d": days},
        )


def _count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _log_size(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM change_log")).scalar_one())


def _state(store: Store, cid: str) -> tuple[str | None, str, bool]:
    with store.read() as s:
        conv = s.get(Conversation, cid)
        label = s.get(ConversationLabel, (cid, "VIP"))
        assert conv is not None
        return conv.department, conv.status, label is not None and label.present


def _away_pc_and_old_changes(clinic: Clinic) -> tuple[Store, SyncEngine, Store, SyncEngine]:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")  # then B is switched off for weeks
    actor = services.Actor(clinic.operator)
    services.tag_department(a, actor, clinic.cid, "derm")
    services.add_label(a, actor, clinic.cid, "VIP")
    sync_a.sync_once()
    _age_log(clinic.server, 40)
    return a, sync_a, b, sync_b


def test_a_pc_away_longer_than_the_log_is_kept_copies_afresh(clinic: Clinic) -> None:
    a, sync_a, b, sync_b = _away_pc_and_old_changes(clinic)
    report = prune_change_log(clinic.server, keep_days=30)
    assert report.entries > 0 and report.floor > (0, 0)
    assert _log_size(clinic.server) == 0
    assert not sync_a.needs_initial_sync()  # A had pulled everything that was pruned
    assert sync_b.needs_initial_sync()

    sync_b.sync_once()  # the entries for B's missing changes are gone: a fresh copy
    assert _state(b, clinic.cid) == ("derm", "open", True)
    assert not sync_b.needs_initial_sync()

    # Entries younger than the limit stay, and changes keep arriving by pull.
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "resolved")
    sync_a.sync_once()
    again = prune_change_log(clinic.server, keep_days=30)
    assert again.entries == 0 and again.floor == report.floor
    assert _log_size(clinic.server) > 0
    pulled = sync_b.sync_once()
    assert clinic.cid in pulled.changes.conversations
    assert _state(b, clinic.cid) == ("derm", "resolved", True)
    assert not sync_a.needs_initial_sync() and not sync_b.needs_initial_sync()


def test_pruning_in_the_middle_of_a_round_is_noticed(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    _a, _sync_a, b, sync_b = _away_pc_and_old_changes(clinic)
    refresh = sync_b._refresh_dirty

    def prune_meanwhile(conn):  # type: ignore[no-untyped-def]
        # The leader prunes after B checked the floor and before it pulls.
        prune_change_log(clinic.server, keep_days=30)
        return refresh(conn)

    monkeypatch.setattr(sync_b, "_refresh_dirty", prune_meanwhile)
    sync_b.sync_once()
    assert _log_size(clinic.server) == 0
    assert _state(b, clinic.cid) == ("derm", "open", True)


def test_the_leading_agent_prunes_once_an_hour(clinic: Clinic, tmp_path: Path) -> None:
    from console.agent import Agent

    _away_pc_and_old_changes(clinic)
    agent = Agent(clinic.url, data_dir=tmp_path / "agent", log_keep_days=30)
    agent._store = clinic.server  # as after becoming leader
    try:
        agent._housekeep()  # after its first round as leader
        assert _log_size(clinic.server) == 0
        assert _count(clinic.server, "SELECT count(*) FROM applied_op") == 0
        a, sync_a = clinic.pcs[0][0], clinic.pcs[0][2]
        services.set_status(a, services.Actor(clinic.operator), clinic.cid, "pending")
        sync_a.sync_once()
        _age_log(clinic.server, 40)
        agent._housekeep()  # the next rounds, within the hour: nothing
        assert _log_size(clinic.server) > 0
    finally:
        agent._store = None
        agent.leader.close()


def test_a_pc_that_lost_the_acknowledgement_and_came_back_later_applies_nothing_twice(
    clinic: Clinic,
) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "pending")
    services.save_draft(a, actor, clinic.cid, "예약 가능한 날짜 안내드립니다")
    # A's push reaches the server, but A is switched off before it hears back: its ops stay.
    sent = sync_a._read_batch()
    assert [o.result for o in sync_a._push_batch(sent)] == ["applied", "applied"]
    assert sync_a.status().pending_ops == 2
    # While A is away, B works on top of what A sent.
    sync_b.sync_once()
    services.set_status(b, actor, clinic.cid, "resolved")
    services.save_draft(b, actor, clinic.cid, "예약 가능한 날짜는 월요일입니다")
    sync_b.sync_once()
    # A is away for weeks (and its staff add a label meanwhile); the leader prunes.
    services.add_label(a, actor, clinic.cid, "재방문")
    _age_log(clinic.server, 40)
    report = prune(clinic.server, keep_days=30)
    assert report.applied == 4 and report.entries > 0  # A's two and B's two
    assert _count(clinic.server, "SELECT count(*) FROM applied_op") == 0
    assert sync_a.needs_initial_sync()

    report_a = sync_a.sync_once()  # pushes its pending ops, then a fresh first copy
    assert report_a.pushed == 3
    # The two ops the server had were not applied again: no conflict copy of the old draft
    # text, no note of a status "lost" to B's later one; the label made while away arrived.
    assert _count(clinic.server, "SELECT count(*) FROM draft WHERE is_conflict") == 0
    sync_b.sync_once()
    for store in (a, b):
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(SyncFieldConflict)) == 0
            drafts = [(d.body, d.is_conflict) for d in s.scalars(select(Draft))]
            assert drafts == [("예약 가능한 날짜는 월요일입니다", False)]
        assert _state(store, clinic.cid)[1] == "resolved"
        with store.read() as s:
            label = s.get(ConversationLabel, (clinic.cid, "재방문"))
            assert label is not None and label.present
    assert sync_a.status().pending_ops == 0


def test_applied_ops_younger_than_the_limit_stay_and_still_stop_a_second_apply(
    clinic: Clinic,
) -> None:
    a, sync_a = clinic.pc("a")
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "pending")
    sent = sync_a._read_batch()
    sync_a._push_batch(sent)  # the acknowledgement is lost
    report = prune(clinic.server, keep_days=30)
    assert report.applied == 0
    assert _count(clinic.server, "SELECT count(*) FROM applied_floor") == 0
    assert [o.result for o in sync_a._push_batch(sent)] == ["duplicate"]
    assert sync_a.sync_once().pushed == 1
    assert _count(clinic.server, "SELECT count(*) FROM applied_op") == 1


def test_the_servers_own_pending_ops_go_by_age(clinic: Clinic) -> None:
    # The leader's own changes on the server (here an assignment) write pending ops there
    # too; nothing ever pushes them.
    actor = services.Actor(clinic.operator)
    services.set_status(clinic.server, actor, clinic.cid, "pending")
    services.assign(clinic.server, actor, clinic.cid, clinic.operator)
    before = _count(clinic.server, "SELECT count(*) FROM pending_op")
    assert before >= 2
    with clinic.server.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE pending_op SET created_at = created_at - :old"
                " WHERE seq = (SELECT min(seq) FROM pending_op)"
            ),
            {"old": 40 * 86_400_000},
        )
    report = prune(clinic.server, keep_days=30)
    assert report.server_ops == 1
    assert _count(clinic.server, "SELECT count(*) FROM pending_op") == before - 1
