"""The store on a real PostgreSQL server, as the clinic server will run it.

The same Alembic history builds exactly the models; the SQLite suites' own tests of services,
ingest and lists run again here, unchanged, on a server database (they are imported below and
pick up this module's ``store`` fixture); two writers at once neither deadlock nor lose an
update; a server that goes away is a :class:`StorageError` that never shows the password.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, func, select, text

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.store import Store
from console.store import queries as q
from console.store import server as server_module
from console.store.engine import SCHEMA_HEAD, schema_version
from console.store.models import Base, Conversation, Department, Draft, Message, PendingOp
from console.store.schema import migrations_config
from console.store.server import (
    CLIENT_TCP_USER_TIMEOUT_MS,
    LOCK_TIMEOUT_MS,
    SERVER_KEEPALIVES,
    WRITE_LOCK_KEY,
    open_server_store,
    server_engine,
)
from console.sync.schema import include_name
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    free_port,
    fresh_pg_server_fixture,
    pg_server_fixture,
    pg_url_fixture,
)

# The SQLite suites' tests, collected again in this module so they run on PostgreSQL. Left
# out: the full-disk test (it fills SQLite with PRAGMA max_page_count).
from tests.unit.console.test_ingest_and_lists import (  # noqa: F401
    test_a_new_message_reopens_a_resolved_conversation,
    test_a_reply_that_lost_its_thread_id_joins_through_a_reference,
    test_fetching_the_same_page_twice_stores_each_message_once,
    test_huge_and_empty_bodies_are_stored_whole,
    test_list_search_matches_names_and_text_literally,
    test_lists_page_by_keyset_without_gaps_or_repeats,
    test_navigation_counts_cover_every_view,
    test_the_same_message_twice_in_one_page_is_stored_once,
    test_waiting_order_puts_the_longest_waiting_customer_first,
    test_waiting_time_starts_at_the_first_unanswered_message,
)
from tests.unit.console.test_services import (  # noqa: F401
    test_drafts_are_saved_revised_and_removed,
    test_each_command_writes_an_audit_event_and_a_pending_op_with_a_clock,
    test_field_clocks_follow_each_write,
    test_invalid_input_raises_a_typed_error_and_changes_nothing,
    test_labels_are_added_and_removed,
    test_mark_read_clears_unread_and_never_moves_back,
    test_queueing_a_reply_consumes_the_draft_and_keys_the_reply_by_its_revision,
    test_status_moves_conversations_between_views,
    test_tagging_a_department_shows_in_lists_and_counts,
    test_text_typed_after_the_last_autosave_is_what_gets_queued,
    world,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def migrated_template(pg_server: PgServer) -> str:
    """A database migrated once, copied for each test that just needs a store."""
    name = pg_server.create_database()
    open_server_store(pg_server.url(name)).close()
    return name


@pytest.fixture
def store(pg_server: PgServer, migrated_template: str) -> Iterator[Store]:
    """A store on its own migrated PostgreSQL database (the imported tests use it too).

    The tests that migrate use ``pg_url``, a database made from ``template0``.
    """
    name = pg_server.create_database(template=migrated_template)
    s = open_server_store(pg_server.url(name))
    try:
        yield s
    finally:
        s.close()
        pg_server.drop_database(name)


def test_the_migrations_build_exactly_the_models_on_postgresql(pg_url: URL) -> None:
    store = open_server_store(pg_url)
    try:
        assert schema_version(store.engine) == SCHEMA_HEAD
        _assert_schema_matches_the_models(store)
        with store.engine.connect() as conn:
            generated: dict[str, str] = dict(
                conn.execute(
                    text(
                        "SELECT column_name, is_generated FROM information_schema.columns"
                        " WHERE table_name = 'conversation' AND is_generated <> 'NEVER'"
                    )
                ).all()
            )
            head_index = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_draft_head'")
            ).scalar_one()
        assert generated == {"folder": "ALWAYS", "queue_key": "ALWAYS", "unread": "ALWAYS"}
        assert head_index.startswith("CREATE UNIQUE INDEX") and "WHERE (NOT is_conflict)" in (
            head_index
        )
        assert [d.code for d in store.departments()] == [
            "plastic",
            "dental",
            "derm",
            "obesity",
            "general",
        ]
        # The history goes down and up again cleanly (no SQLite-only batch steps left behind).
        with store.engine.begin() as conn:
            command.downgrade(migrations_config(conn), "base")
        with store.engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            assert set(tables) == {"alembic_version"}
    finally:
        store.close()
    again = open_server_store(pg_url)
    try:
        _assert_schema_matches_the_models(again)
    finally:
        again.close()


def _assert_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                # change_log, applied_op, sync_meta: server-only, made without models
                "include_name": include_name,
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_computed_columns_follow_writes_on_postgresql(store: Store) -> None:
    account = add_account(store)
    actor = services.Actor(add_operator(store))
    cid = add_conversation(store, account, minutes_ago=5)
    services.snooze(store, actor, cid, now_ms() + 3_600_000)
    services.mark_read(store, actor, cid)
    with store.read() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        assert (conv.folder, conv.unread) == (2, 0)
        assert conv.queue_key == conv.waiting_since


_OPENER = """
import os, sys
from console.store.server import open_server_store
print("ready", flush=True)
sys.stdin.readline()
store = open_server_store(os.environ["SOTONG_TEST_PG_URL"])
print(store.node_id, len(store.departments()), flush=True)
store.close()
"""


def test_two_processes_opening_a_new_database_migrate_it_once(pg_url: URL) -> None:
    # Processes, not threads: Alembic's ``context`` is one per process.
    env = {**os.environ, "SOTONG_TEST_PG_URL": pg_url.render_as_string(hide_password=False)}
    root = Path(__file__).parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPENER],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for p in procs:  # both have imported everything: now they start together
            assert p.stdout is not None and p.stdout.readline() == "ready\n"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [p.communicate(timeout=30) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in results]
    (node_a, depts_a), (node_b, depts_b) = (out.split() for out, _ in results)
    assert node_a == node_b  # one sync_state row, made once
    assert depts_a == depts_b == "5"


def test_two_writers_at_once_neither_deadlock_nor_lose_an_update(pg_url: URL) -> None:
    first = open_server_store(pg_url)
    second = open_server_store(pg_url)  # another process: its own engine and pool
    try:
        account = add_account(first)
        actor = services.Actor(add_operator(first))
        cid = add_conversation(first, account, [("in", "예약 문의")], handle="minji")
        rounds = 12
        start = threading.Barrier(2)

        def writer(store: Store, name: str) -> None:
            start.wait(timeout=10)
            for i in range(rounds):
                # Read-then-write steps: the draft's revision and the message count.
                services.save_draft(store, actor, cid, f"{name} 초안 {i}")
                msg = InboundMessage(
                    f"{name}-{i}", "thread-minji", "minji", "김민지", "in", "추가", now_ms()
                )
                ingest(store, account, FetchResult([msg], f"{name}-{i}"))

        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(writer, first, "a"), pool.submit(writer, second, "b")]
            for f in futures:
                f.result(timeout=60)

        with first.read() as s:
            draft = s.scalars(select(Draft).where(Draft.conversation_id == cid)).one()
            conv = s.get(Conversation, cid)
            messages = s.scalar(
                select(func.count()).select_from(Message).where(Message.conversation_id == cid)
            )
            drafts_ops = s.scalar(
                select(func.count()).select_from(PendingOp).where(PendingOp.tbl == "draft")
            )
        assert conv is not None
        assert draft.rev == 2 * rounds  # every save built on the one before it
        assert messages == conv.message_count == 1 + 2 * rounds
        assert drafts_ops == 2 * rounds
    finally:
        first.close()
        second.close()


def test_server_sessions_keep_alive_and_writes_take_the_write_lock(store: Store) -> None:
    with store.engine.connect() as conn:
        settings: dict[str, str] = dict(
            conn.execute(text("SELECT name, setting FROM pg_settings")).all()
        )
        for name, value in SERVER_KEEPALIVES.items():
            assert settings[name] == str(value), name
        assert settings["lock_timeout"] == str(LOCK_TIMEOUT_MS)
        client = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert (client["keepalives"], client["keepalives_idle"]) == ("1", "30")
        assert (client["keepalives_interval"], client["keepalives_count"]) == ("10", "3")
        assert client["tcp_user_timeout"] == str(CLIENT_TCP_USER_TIMEOUT_MS)
        assert "password" not in client
        assert conn.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"
    held = text(  # a bigint key is shown as two oids: the high and the low 32 bits
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        " AND ((classid::bigint << 32) | objid::bigint) = :key"
    )
    key = WRITE_LOCK_KEY
    with store.write() as s:
        s.execute(select(1))
        with store.engine.connect() as other:
            assert other.execute(held, {"key": key}).scalar_one() == 1
    with store.engine.connect() as other:
        assert other.execute(held, {"key": key}).scalar_one() == 0
    with store.read() as s:
        s.execute(select(1))
        with store.engine.connect() as other:
            assert other.execute(held, {"key": key}).scalar_one() == 0


def test_a_writer_that_waits_too_long_for_the_lock_is_a_storage_error(
    pg_server: PgServer, migrated_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "LOCK_TIMEOUT_MS", 300)  # instead of 10 s
    name = pg_server.create_database(template=migrated_template)
    store = open_server_store(pg_server.url(name))
    try:
        with store.engine.connect() as holder:  # another writer, stuck mid-transaction
            holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": WRITE_LOCK_KEY})
            with pytest.raises(errors.StorageError, match="lock timeout"), store.write() as s:
                s.execute(select(1))
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WRITE_LOCK_KEY})
        with store.write() as s:
            s.execute(select(1))
    finally:
        store.close()
        pg_server.drop_database(name)


def test_a_server_that_stops_is_a_storage_error_without_the_password(
    fresh_pg_server: PgServer,
) -> None:
    server = fresh_pg_server
    url = server.url(server.create_database())
    store = open_server_store(url, connect_timeout=2)
    try:
        account = add_account(store)
        actor = services.Actor(add_operator(store))
        cid = add_conversation(store, account)
        services.save_draft(store, actor, cid, "저장된 초안")

        caught: list[errors.StorageError] = []
        # Stopped inside a transaction:
        with pytest.raises(errors.StorageError) as mid, store.write() as s:
            s.execute(select(1))
            server.stop()
            s.add(Department(code="eyes", name_ko="안과", name_en="Eyes", colour="#000"))
        caught.append(mid.value)
        with pytest.raises(errors.StorageError) as after:  # and between transactions
            services.save_draft(store, actor, cid, "새 초안")
        caught.append(after.value)
        for err in caught:
            reason = str(err.params["reason"])
            assert reason and server.password not in reason
            assert server.password not in str(err) and server.password not in repr(err)
            assert server.password not in str(err.__cause__)

        server.start()  # the same data and port: the pool replaces its dead connections
        assert services.save_draft(store, actor, cid, "다시 연결됨") == 2
        draft = q.draft_for(store, cid, actor.operator_id)
        assert draft is not None and draft.body == "다시 연결됨"
        assert "eyes" not in [d.code for d in store.departments()]
    finally:
        store.close()


def test_a_wrong_password_or_no_server_is_a_storage_error(pg_server: PgServer) -> None:
    wrong = pg_server.url().set(password="not-the-password-xyzzy")
    with pytest.raises(errors.StorageError) as bad_login:
        open_server_store(wrong)
    assert "password authentication failed" in str(bad_login.value.params["reason"])
    assert "xyzzy" not in str(bad_login.value) and "xyzzy" not in str(bad_login.value.__cause__)

    nobody = pg_server.url().set(port=_closed_port(pg_server))
    with pytest.raises(errors.StorageError) as refused:
        open_server_store(nobody, connect_timeout=2)
    assert pg_server.password not in str(refused.value.params["reason"])


def _closed_port(server: PgServer) -> int:
    port = free_port()
    assert port != server.port
    return port


@pytest.mark.parametrize("url", ["sqlite:///x.db", "mysql+pymysql://u@127.0.0.1/x"])
def test_only_postgresql_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        server_engine(url)


def test_duplicate_suggestions_work_on_postgresql(store: Store) -> None:
    from console.contacts import suggest_duplicates

    sms = add_account(store, "sms", "문자")
    kakao = add_account(store, "kakaotalk", "카카오")
    mail = add_account(store, "email", "메일")
    add_conversation(store, sms, [("in", "예약 확인 부탁드려요")], "민지", "01012345678")
    add_conversation(store, kakao, [("in", "제 번호는 010-1234-5678 이에요")], "김민지", "k-1")
    add_conversation(store, mail, [("in", "문의")], "박 지훈", "Park@Example.com")
    add_conversation(store, kakao, [("in", "메일은 park@example.com")], "박지훈", "k-2")
    found = {(g.reason, g.value, len(g.contact_ids)) for g in suggest_duplicates(store)}
    assert found == {
        ("phone", "01012345678", 2),
        ("email", "park@example.com", 2),
    }  # the two 박지훈 are already one group by address
