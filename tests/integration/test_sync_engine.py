"""Two PCs and a clinic server (a real PostgreSQL): what staff on one PC do reaches the other,
and conflicts resolve by the rules of DESIGN.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import URL, func, select, text

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.store import search
from console.store.engine import Store, open_store
from console.store.models import (
    ChannelAccount,
    Conversation,
    ConversationLabel,
    Draft,
    Message,
    Outbox,
    PendingOp,
    SyncPoison,
    SyncProgress,
)
from console.store.server import open_server_store
from console.sync import engine as sync_engine
from console.sync.engine import LAST_SYNC_WRITE_MS, SyncEngine
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow


class Clinic:
    """A server store with one account, a member of staff and a conversation, and PCs."""

    def __init__(self, url: URL, root: Path) -> None:
        self.url = url
        self.root = root
        self.server = open_server_store(url)
        self.account = add_account(self.server)
        self.operator = add_operator(self.server)
        self.cid = add_conversation(self.server, self.account, [("in", "쌍수 상담 가능할까요?")])
        self.pcs: list[tuple[Store, Store, SyncEngine]] = []

    def pc(
        self, name: str, server_clock: Callable[[], int] | None = None, machine: str | None = None
    ) -> tuple[Store, SyncEngine]:
        local = open_store(self.root / name)
        server = open_server_store(self.url)
        engine = SyncEngine(local, server, server_clock=server_clock, machine=machine)
        self.pcs.append((local, server, engine))
        engine.sync_once()
        return local, engine

    def close(self) -> None:
        for local, server, engine in self.pcs:
            engine.close()
            local.close()
            server.close()
        self.server.close()


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path) -> Iterator[Clinic]:
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _conv(store: Store, cid: str) -> Conversation:
    with store.read() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        return conv


def test_a_new_pc_gets_everything_and_an_edit_reaches_the_other_pc(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    assert _conv(a, clinic.cid).snippet == "쌍수 상담 가능할까요?"
    actor = services.Actor(clinic.operator)
    services.tag_department(a, actor, clinic.cid, "plastic")
    services.add_label(a, actor, clinic.cid, "VIP")
    report = sync_a.sync_once()
    assert report.pushed == 2
    assert sync_a.status().pending_ops == 0
    report_b = sync_b.sync_once()
    assert clinic.cid in report_b.changes.conversations
    conv = _conv(b, clinic.cid)
    assert conv.department == "plastic"
    assert conv.department_source == "staff"
    with b.read() as s:
        label = s.get(ConversationLabel, (clinic.cid, "VIP"))
        assert label is not None and label.present
    # Nothing pulled made a pending op on B.
    assert sync_b.status().pending_ops == 0


def test_pulled_messages_are_searchable_and_counted_unread(clinic: Clinic) -> None:
    b, sync_b = clinic.pc("b")
    ingest(
        clinic.server,
        clinic.account,
        FetchResult(
            [
                InboundMessage(
                    external_id="late-1",
                    thread_id="thread-new",
                    handle="new-person",
                    contact_name="이서연",
                    direction="in",
                    body="코필러 재수술 문의드립니다",
                    sent_at=now_ms(),
                )
            ],
            "c2",
        ),
    )
    report = sync_b.sync_once()
    assert report.changes.new_conversations
    hits = search.search(b, "재수술")
    assert len(hits) == 1
    with b.read() as s:
        conv = s.scalars(select(Conversation).where(Conversation.snippet.like("코필러%"))).one()
        assert conv.unread == 1 and conv.folder == 1


def test_last_writer_wins_per_field_by_clock(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "pending")  # earlier
    services.set_priority(a, actor, clinic.cid, 3)
    services.set_status(b, actor, clinic.cid, "resolved")  # later: wins
    sync_b.sync_once()
    report = sync_a.sync_once()
    assert report.conflicts == 1  # A's status lost to B's later one
    sync_b.sync_once()
    for store in (a, b, clinic.server):
        conv = _conv(store, clinic.cid)
        assert (conv.status, conv.priority, conv.folder) == ("resolved", 3, 3)


def test_concurrent_draft_saves_keep_both_texts(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.save_draft(a, actor, clinic.cid, "안녕하세요")
    sync_a.sync_once()
    sync_b.sync_once()
    services.save_draft(a, actor, clinic.cid, "안녕하세요, 원장님 상담은 화요일")
    services.save_draft(b, actor, clinic.cid, "안녕하세요, 수요일 오후 가능")
    sync_a.sync_once()
    report = sync_b.sync_once()
    assert report.conflicts == 1
    sync_a.sync_once()
    for store in (a, b, clinic.server):
        with store.read() as s:
            drafts = {(d.body, d.is_conflict) for d in s.scalars(select(Draft))}
        assert drafts == {
            ("안녕하세요, 원장님 상담은 화요일", False),
            ("안녕하세요, 수요일 오후 가능", True),
        }
    assert sync_b.status().conflicts == 1


def test_a_conflict_copy_is_not_overwritten_by_another_line_of_edits(clinic: Clinic) -> None:
    """B's first draft became a conflict copy (A's draft was there first). B then edits the
    head it pulled while A edits it too: B's edit is a conflict again, and must not land on
    B's earlier copy, whose text nobody has seen replaced."""
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.save_draft(a, actor, clinic.cid, "A의 첫 초안")
    services.save_draft(b, actor, clinic.cid, "B의 첫 초안")
    sync_a.sync_once()
    sync_b.sync_once()  # B's draft: a conflict copy beside A's head; B pulls both
    services.save_draft(a, actor, clinic.cid, "A가 고친 초안")
    services.save_draft(b, actor, clinic.cid, "B가 고친 초안")  # over A's head, as B saw it
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    for store in (a, b, clinic.server):
        with store.read() as s:
            drafts = {(d.body, d.is_conflict) for d in s.scalars(select(Draft))}
        assert drafts == {
            ("A가 고친 초안", False),
            ("B의 첫 초안", True),
            ("B가 고친 초안", True),
        }


def test_an_earlier_save_arriving_late_does_not_overwrite_the_later_one(clinic: Clinic) -> None:
    """B saves twice before it syncs, its first draft a conflict beside A's head, and the two
    saves reach the server in reverse order: the first must not overwrite the second on B's
    conflict copy (the later text is what B meant to keep)."""
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.save_draft(a, actor, clinic.cid, "A의 초안")
    sync_a.sync_once()
    services.save_draft(b, actor, clinic.cid, "B의 첫 저장")
    services.save_draft(b, actor, clinic.cid, "B의 두 번째 저장")
    batch = sync_b._read_batch()
    assert len(batch) == 2
    outcomes = sync_b._push_batch(list(reversed(batch)))
    by_id = {o.op_id: o for o in outcomes}
    sync_b._settle(batch, [by_id[op.op_id] for op in batch])
    for engine in (sync_b, sync_a, sync_b):
        engine.sync_once()
    for store in (a, b, clinic.server):
        with store.read() as s:
            bodies = {(d.body, d.is_conflict) for d in s.scalars(select(Draft))}
        assert ("A의 초안", False) in bodies
        assert ("B의 두 번째 저장", True) in bodies, bodies


def test_two_pcs_queueing_the_same_synced_draft_make_one_reply(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.save_draft(a, actor, clinic.cid, "예약 도와드릴게요")
    sync_a.sync_once()
    sync_b.sync_once()
    rid_a = services.queue_reply(a, actor, clinic.cid, "예약 도와드릴게요")
    rid_b = services.queue_reply(b, actor, clinic.cid, "예약 도와드릴게요")
    assert rid_a == rid_b
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    for store in (a, b, clinic.server):
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(Outbox)) == 1
            assert s.scalar(select(func.count()).select_from(Draft)) == 0


def test_an_op_the_server_refuses_goes_aside_and_the_queue_moves_on(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    actor = services.Actor(clinic.operator)
    # A conversation only this PC has (it was never on the server).
    own = add_conversation(a, add_account(a), [("in", "로컬 전용")])
    services.add_label(a, actor, own, "로컬")
    services.tag_department(a, actor, clinic.cid, "derm")
    report = sync_a.sync_once()
    assert report.pushed >= 1
    status = sync_a.status()
    assert status.pending_ops == 0
    assert status.poison_ops >= 1
    with a.read() as s:
        reasons = {p.reason for p in s.scalars(select(SyncPoison))}
    assert reasons <= {"conversation_not_found", "foreign_key_violation"}
    assert _conv(clinic.server, clinic.cid).department == "derm"


def test_a_stamp_far_ahead_is_clamped_by_the_server(clinic: Clinic) -> None:
    two_minutes, two_hours = 120_000, 2 * 3600 * 1000
    a, sync_a = clinic.pc("a")
    # B acts two minutes after A, by B's clock and the server's.
    b, sync_b = clinic.pc("b", server_clock=lambda: now_ms() + two_minutes)
    actor = services.Actor(clinic.operator)
    a.clock._wall = lambda: now_ms() + two_hours
    services.set_status(a, actor, clinic.cid, "pending")
    sync_a.sync_once()
    stored = _conv(clinic.server, clinic.cid).status_hlc
    assert int(stored.split(":")[0]) <= now_ms() + 61_000
    # A correct PC's later decision is not undone by the fast clock.
    b.clock._wall = lambda: now_ms() + two_minutes
    services.set_status(b, actor, clinic.cid, "resolved")
    sync_b.sync_once()
    sync_a.sync_once()
    assert _conv(clinic.server, clinic.cid).status == "resolved"
    assert _conv(a, clinic.cid).status == "resolved"


def test_a_server_that_cannot_be_reached_raises_and_backs_off(
    clinic: Clinic, tmp_path: Path
) -> None:
    a, _ = clinic.pc("a")
    from console.store.server import server_engine

    dead = Store.__new__(Store)
    dead.engine = server_engine(clinic.url.set(port=1), connect_timeout=1)
    dead.path = None
    engine = SyncEngine(a, dead)
    actor = services.Actor(clinic.operator)
    services.set_priority(a, actor, clinic.cid, 2)
    with pytest.raises(errors.ServerUnavailable):
        engine.sync_once()
    status = engine.status()
    assert not status.online and status.pending_ops == 1
    dead.engine.dispose()


def test_a_transaction_that_commits_late_is_not_skipped(
    clinic: Clinic, pg_server: PgServer
) -> None:
    b, sync_b = clinic.pc("b")
    url = clinic.url
    params = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    with psycopg.connect(**params) as early, psycopg.connect(**params, autocommit=True) as later:
        # The early transaction gets its id first but commits last.
        early.execute(
            "UPDATE conversation SET priority = 3, priority_hlc = '9999999999999:0000:x'"
            " WHERE id = %s",
            (clinic.cid,),
        )
        later.execute(
            "UPDATE channel_account SET display_name = 'later' WHERE id = %s", (clinic.account,)
        )
        sync_b.sync_once()  # sees neither: the later one waits behind the early one
        assert _conv(b, clinic.cid).priority == 1
        early.commit()
    sync_b.sync_once()
    assert _conv(b, clinic.cid).priority == 3
    with b.read() as s:
        assert s.get(ChannelAccount, clinic.account).display_name == "later"  # type: ignore[union-attr]


def test_a_notification_wakes_a_waiting_pc(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    assert sync_b.wait_for_hint(0.1)  # the first call connects: a round is due
    assert not sync_b.wait_for_hint(0.1)
    services.set_priority(a, services.Actor(clinic.operator), clinic.cid, 2)
    sync_a.sync_once()
    assert sync_b.wait_for_hint(5.0)
    sync_b.sync_once()
    assert _conv(b, clinic.cid).priority == 2


def test_an_edit_made_during_a_pull_is_not_overwritten(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "pending")
    sync_a.sync_once()
    # B edits later than A, and pulls before pushing (as a concurrent edit would meet it).
    services.set_status(b, actor, clinic.cid, "resolved")
    with sync_b._server_reads() as conn:
        sync_b._pull_all(conn)
    assert _conv(b, clinic.cid).status == "resolved"
    sync_b.sync_once()
    sync_a.sync_once()
    for store in (a, b, clinic.server):
        assert _conv(store, clinic.cid).status == "resolved"
    with b.read() as s:
        assert s.scalar(select(func.count()).select_from(PendingOp)) == 0
    with clinic.server.read() as s:
        assert s.execute(text("SELECT count(*) FROM applied_op")).scalar() >= 2
    with a.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_contacts_targets_and_saved_searches_reach_the_other_pc(clinic: Clinic) -> None:
    from console.domain import Role
    from console.store.models import Contact, SavedSearch, SlaTarget

    manager = add_operator(clinic.server, "박관리", Role.MANAGER)
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(manager)
    contact_id = _conv(a, clinic.cid).contact_id
    services.rename_contact(a, actor, contact_id, "김민지 (쌍수)")
    services.set_sla_target(a, actor, "plastic", None, 30, 60)
    saved = services.save_search(a, actor, "VIP 상담", "쌍수", shared=True)
    sync_a.sync_once()
    services.set_sla_target(b, actor, "plastic", None, 15, 45)  # later: wins
    sync_b.sync_once()
    sync_a.sync_once()
    for store in (a, b, clinic.server):
        with store.read() as s:
            contact = s.get(Contact, contact_id)
            assert contact is not None and contact.display_name == "김민지 (쌍수)"
            target = s.get(SlaTarget, ("plastic", ""))
            assert target is not None
            assert (target.first_response_min, target.next_response_min) == (15, 45)
            search_row = s.get(SavedSearch, saved)
            assert search_row is not None and search_row.query == "쌍수"


def test_rules_threshold_and_canned_responses_reach_the_other_pc(clinic: Clinic) -> None:
    from console.canned import canned_responses
    from console.domain import Role
    from console.routing import Rule
    from console.routing.stored import branch_name, routing_threshold, rule_rows

    manager = add_operator(clinic.server, "박관리", Role.MANAGER)
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(manager)
    first = services.add_rule(a, actor, Rule("실비 서류", "general", keywords_any=("실비",)))
    services.add_rule(a, actor, Rule("재수술", "plastic", keywords_any=("재수술",)))
    services.set_routing_threshold(a, actor, 0.9)
    services.set_branch_name(a, actor, "강남점")
    starter = canned_responses(a, "derm")[0]
    services.update_canned(a, actor, starter.id, "피부 상담", "{고객명}님, 상담 안내드립니다.")
    added = services.add_canned(a, actor, "derm", "토닝", "토닝 안내", "토닝")
    report = sync_a.sync_once()
    assert report.pushed > 0
    sync_b.sync_once()
    for store in (b, clinic.server):
        assert [r.name for r in rule_rows(store)] == ["실비 서류", "재수술"]
        assert routing_threshold(store) == pytest.approx(0.9)
        assert branch_name(store) == "강남점"
        titles = {r.id: r.title for r in canned_responses(store, "derm")}
        assert titles[starter.id] == "피부 상담" and titles[added] == "토닝"
    # A deletion on B reaches A (the other rule moves up).
    services.delete_rule(b, actor, first)
    sync_b.sync_once()
    sync_a.sync_once()
    assert [r.name for r in rule_rows(a)] == ["재수술"]
    with a.read() as s:
        assert s.scalar(select(func.count()).select_from(SyncPoison)) == 0


def test_assignment_modes_reach_the_other_pc_and_concurrent_edits_resolve_by_clock(
    clinic: Clinic,
) -> None:
    from console.domain import AssignMode, Role
    from console.store.models import DepartmentAssignment, Operator

    manager = add_operator(clinic.server, "박관리", Role.MANAGER)
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(manager)

    def policy(store: Store, department: str) -> tuple[str, str | None]:
        with store.read() as s:
            row = s.get(DepartmentAssignment, department)
            return (row.mode, row.last_assignee) if row is not None else ("off", None)

    # A sets plastic surgery to round-robin; B shows the same mode after a sync.
    services.set_assignment_mode(a, actor, "plastic", AssignMode.ROUND_ROBIN)
    assert sync_a.sync_once().pushed == 1
    assert sync_b.sync_once().changes.staff  # B's staff settings and pickers read it again
    assert policy(b, "plastic") == ("round_robin", None)
    assert policy(clinic.server, "plastic") == ("round_robin", None)

    # Both change dental at once: B's later edit wins everywhere, whoever syncs first.
    services.set_assignment_mode(a, actor, "dental", AssignMode.LEAST_LOADED)
    services.set_assignment_mode(b, actor, "dental", AssignMode.ROUND_ROBIN)
    sync_b.sync_once()
    report = sync_a.sync_once()
    assert report.conflicts == 1  # A's earlier mode lost to B's
    sync_b.sync_once()
    for store in (a, b, clinic.server):
        assert policy(store, "dental")[0] == "round_robin"

    # The round-robin turn travels too: A hands a conversation out in turn, B continues after.
    services.set_assignment_mode(a, actor, "general", AssignMode.ROUND_ROBIN)
    services.tag_department(a, actor, clinic.cid, "general")
    assert _conv(a, clinic.cid).assignee_id == clinic.operator
    sync_a.sync_once()
    sync_b.sync_once()
    assert _conv(b, clinic.cid).assignee_id == clinic.operator
    assert policy(b, "general") == ("round_robin", clinic.operator)
    # Going off duty on B reaches A, and the leader's ingest would skip them there.
    services.set_on_duty(b, services.Actor(clinic.operator), clinic.operator, False)
    sync_b.sync_once()
    assert sync_a.sync_once().changes.staff
    for store in (a, clinic.server):
        with store.read() as s:
            duty = s.get(Operator, clinic.operator)
            assert duty is not None and duty.on_duty is False
    for store in (a, b):
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(SyncPoison)) == 0


def test_a_round_reports_its_time_and_stores_it_at_most_once_a_minute(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every round runs for a change anywhere in the clinic; storing its time each time would
    sync the PC's disk each time."""
    a, sync_a = clinic.pc("a")  # the initial sync stores its time

    def stored() -> int | None:
        with a.read() as s:
            progress = s.get(SyncProgress, 1)
            return progress.last_sync_at if progress is not None else None

    start = stored()
    assert start is not None and sync_a.status().last_sync_at == start
    monkeypatch.setattr(sync_engine, "_now_ms", lambda: start + 1_000)
    sync_a.sync_once()
    assert sync_a.status().last_sync_at == start + 1_000  # shown at once
    assert stored() == start
    monkeypatch.setattr(sync_engine, "_now_ms", lambda: start + 1_000 + LAST_SYNC_WRITE_MS)
    sync_a.sync_once()
    assert stored() == start + 1_000 + LAST_SYNC_WRITE_MS
    # A PC opened again (a new engine) shows the stored time.
    assert SyncEngine(a, sync_a.server).status().last_sync_at == stored()
