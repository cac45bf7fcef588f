"""Sync killed at its failpoints (SIGKILL, as a power cut), and a server that crashes mid-sync:
nothing is lost and nothing is applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select, text

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.store.engine import Store, open_store
from console.store.models import Conversation, Message, Outbox, PendingOp
from console.store.server import open_server_store
from console.sync import engine as sync_engine
from console.sync.engine import SyncEngine
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    _as_server_user,
    fresh_pg_server_fixture,
    pg_bin,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _messages(n: int, start: int) -> FetchResult:
    return FetchResult(
        [
            InboundMessage(
                external_id=f"bulk-{start + i}",
                thread_id=f"bulk-thread-{(start + i) % 40}",
                handle=f"bulk-{(start + i) % 40}",
                contact_name="고객",
                direction="in",
                body=f"문의 {start + i}",
                sent_at=now_ms() + i,
            )
            for i in range(n)
        ],
        f"c{start}",
    )


class Setup:
    def __init__(self, url: URL, root: Path) -> None:
        self.url = url
        self.server = open_server_store(url)
        self.account = add_account(self.server)
        self.operator = add_operator(self.server)
        self.cid = add_conversation(self.server, self.account, [("in", "쌍수 상담 가능할까요?")])
        self.pc = root / "pc"
        local = open_store(self.pc)
        SyncEngine(local, self.server).sync_once()
        actor = services.Actor(self.operator)
        services.tag_department(local, actor, self.cid, "plastic")
        services.add_label(local, actor, self.cid, "VIP")
        services.save_draft(local, actor, self.cid, "예약 도와드릴게요")
        self.reply = services.queue_reply(local, actor, self.cid, "예약 도와드릴게요, 화요일")
        with local.read() as s:
            self.ops = s.scalar(select(func.count()).select_from(PendingOp))
        local.close()
        # Plenty for the PC to pull, in several pages.
        ingest(self.server, self.account, _messages(300, 0))

    def child(self, failpoint: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "SOTONG_FAILPOINT": failpoint,
            "SOTONG_TEST_SERVER_URL": self.url.render_as_string(hide_password=False),
            "SOTONG_TEST_PULL_PAGE": "40",
        }
        return subprocess.run(
            [sys.executable, "-m", "tests.helpers.sync_child", str(self.pc)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def check_whole(self) -> None:
        """The PC and the server agree, each edit and reply is there once."""
        local = open_store(self.pc)
        try:
            SyncEngine(local, self.server).sync_once()
            for store in (local, self.server):
                with store.read() as s:
                    conv = s.get(Conversation, self.cid)
                    assert conv is not None and conv.department == "plastic"
                    assert s.scalar(select(func.count()).select_from(Outbox)) == 1
                    assert s.get(Outbox, self.reply) is not None
                    assert s.scalar(select(func.count()).select_from(Message)) == 301
            with local.read() as s:
                assert s.scalar(select(func.count()).select_from(PendingOp)) == 0
            with self.server.read() as s:
                assert s.execute(text("SELECT count(*) FROM applied_op")).scalar() == self.ops
                counts = s.execute(text("SELECT sum(message_count) FROM conversation")).scalar()
            with local.read() as s:
                assert (
                    s.execute(text("SELECT sum(message_count) FROM conversation")).scalar()
                    == counts
                )
        finally:
            local.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def setup(pg_url: URL, tmp_path: Path) -> Iterator[Setup]:
    s = Setup(pg_url, tmp_path)
    yield s
    s.close()


@pytest.mark.parametrize(
    "failpoint",
    [
        "sync.push.before_server_commit",
        "sync.push.after_server_commit",
        "sync.push.before_local_commit",
        "sync.pull.before_local_commit",
        "sync.pull.between_pages",
    ],
)
def test_a_pc_killed_anywhere_in_a_round_loses_and_repeats_nothing(
    setup: Setup, failpoint: str
) -> None:
    done = setup.child(failpoint)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    setup.check_whole()


def test_a_pc_killed_during_its_first_copy_starts_it_again(pg_url: URL, tmp_path: Path) -> None:
    s = Setup(pg_url, tmp_path)
    try:
        fresh = tmp_path / "new-pc"
        s.pc, old = fresh, s.pc
        del old
        env_child = s.child("sync.initial.before_local_commit")
        assert env_child.returncode == -signal.SIGKILL
        local = open_store(fresh)
        try:
            engine = SyncEngine(local, s.server)
            assert engine.needs_initial_sync()
            engine.sync_once()
            with local.read() as db:
                assert db.scalar(select(func.count()).select_from(Message)) == 301
        finally:
            local.close()
    finally:
        s.close()


def test_two_pcs_reconnecting_at_once_with_the_same_reply_make_one(
    pg_url: URL, tmp_path: Path
) -> None:
    server = open_server_store(pg_url)
    account = add_account(server)
    operator = add_operator(server)
    cid = add_conversation(server, account, [("in", "예약 가능할까요?")])
    actor = services.Actor(operator)
    pcs: list[tuple[Store, SyncEngine]] = []
    for name in ("a", "b"):
        local = open_store(tmp_path / name)
        engine = SyncEngine(local, open_server_store(pg_url))
        engine.sync_once()
        pcs.append((local, engine))
    services.save_draft(pcs[0][0], actor, cid, "네, 화요일 오후 3시 가능합니다")
    pcs[0][1].sync_once()
    pcs[1][1].sync_once()
    rids = {
        services.queue_reply(local, actor, cid, "네, 화요일 오후 3시 가능합니다")
        for local, _ in pcs
    }
    assert len(rids) == 1
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def reconnect(engine: SyncEngine) -> None:
        try:
            barrier.wait()
            engine.sync_once()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=reconnect, args=(e,)) for _, e in pcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    for _, engine in pcs:
        engine.sync_once()
    for store in (server, *(local for local, _ in pcs)):
        with store.read() as s:
            assert s.scalars(select(Outbox.id)).all() == list(rids)
    for local, engine in pcs:
        engine.close()
        engine.server.close()
        local.close()
    server.close()


def test_a_server_restarted_mid_sync_loses_nothing(
    fresh_pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_pg_server.url(fresh_pg_server.create_database())
    s = Setup(url, tmp_path)
    # The test server commits asynchronously (synchronous_commit=off): make the seed durable,
    # so what the immediate stop may lose is only what sync itself was doing.
    with fresh_pg_server.admin() as admin:
        admin.execute("CHECKPOINT")
    local = open_store(s.pc)
    engine = SyncEngine(local, s.server)
    real = sync_engine.apply_ops
    crashed: list[bool] = []

    def crash_then_apply(*args: object, **kwargs: object) -> object:
        outcomes = real(*args, **kwargs)  # type: ignore[arg-type]
        if not crashed:
            crashed.append(True)
            subprocess.run(
                _as_server_user(
                    [
                        str(_pg_ctl()),
                        "stop",
                        "--pgdata",
                        str(fresh_pg_server.data),
                        "-m",
                        "immediate",
                    ]
                ),
                capture_output=True,
                check=True,
            )
        return outcomes

    monkeypatch.setattr(sync_engine, "apply_ops", crash_then_apply)
    try:
        with pytest.raises(errors.ServerUnavailable):
            engine.sync_once()
        fresh_pg_server.start()
        engine.sync_once()
        local.close()
        s.check_whole()
    finally:
        engine.close()
        local.close()
        s.close()


def _pg_ctl() -> Path:
    return pg_bin() / "pg_ctl"
