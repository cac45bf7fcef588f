"""A PC that worked alone joins a clinic server (a real PostgreSQL) that already holds another
PC's data: its first copy merges its own history into the server — nothing lost, nothing
twice, the demo's practice data left out — and a queued reply is sent once, by the leader."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select

from console import secrets, services
from console.channels.base import Channel, FetchResult, InboundMessage, OutgoingReply
from console.ingest import ingest
from console.runtime import Runtime
from console.store.engine import Store, open_store
from console.store.models import (
    ChannelAccount,
    Conversation,
    ConversationLabel,
    DepartmentAssignment,
    Draft,
    Message,
    Note,
    Operator,
    Outbox,
    PendingOp,
)
from console.store.server import open_server_store
from console.sync.engine import SyncEngine
from tests.helpers.factory import add_operator, now_ms
from tests.helpers.filekeyring import write_keyring
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHARED = "kakao:clinic-main"  # the clinic's KakaoTalk channel, connected on both PCs
T0 = now_ms() - 3_600_000


def _account(
    store: Store, external_id: str, connector: str = "test", config: dict[str, object] | None = None
) -> str:
    from console.ids import new_id

    account_id = new_id()
    with store.write() as s:
        s.add(
            ChannelAccount(
                id=account_id,
                kind="kakaotalk",
                connector=connector,
                external_id=external_id,
                display_name=f"채널 {external_id}",
                config=config or {},
                secret_ref=account_id,
                enabled=True,
                created_at=now_ms(),
            )
        )
    return account_id


def _ingest(store: Store, account: str, thread: str, items: list[tuple[str, str]]) -> str:
    """Ingest messages ``(external id, text)`` from one customer; the conversation's id."""
    msgs = [
        InboundMessage(
            external_id=ext,
            thread_id=thread,
            handle=f"handle-{thread}",
            contact_name="고객 " + thread,
            direction="in",
            body=body,
            sent_at=T0 + int(ext.rsplit("-", 1)[-1]) * 1000,
        )
        for ext, body in items
    ]
    ingest(store, account, FetchResult(msgs, f"cursor-{thread}"))
    with store.read() as s:
        cid = s.scalar(select(Conversation.id).where(Conversation.external_thread_id == thread))
    assert cid is not None
    return cid


class Recorder(Channel):
    """A channel that records what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult([], cursor)

    def send(self, reply: OutgoingReply) -> str:
        self.sent.append(reply.reply_id)
        return f"sent-{reply.reply_id}"


@dataclass
class Clinic:
    """The server with PC B's data, and PC A's folder holding A's own history."""

    url: URL
    server: Store
    b: Store
    sync_b: SyncEngine
    a_dir: Path
    server_shared: str  # the shared account's id on the server
    a_shared: str  # the same account's id on PC A
    a_only: str
    shared_b: str  # the conversation both PCs fetched, by the server's id
    a1: str
    a2: str
    reply: str
    b_conv: str

    def pc_a(self) -> tuple[Store, SyncEngine]:
        local = open_store(self.a_dir)
        return local, SyncEngine(local, open_server_store(self.url))


def _build(url: URL, root: Path) -> Clinic:
    server = open_server_store(url)
    server_shared = _account(server, SHARED)
    shared_b = _ingest(
        server, server_shared, "t-shared", [("e-1", "쌍수 문의"), ("e-2", "가격은요?")]
    )
    b_conv = _ingest(server, server_shared, "t-b", [("e-10", "피부과 예약")])
    staff_b = add_operator(server, "김지현")
    b = open_store(root / "b")
    sync_b = SyncEngine(b, open_server_store(url))
    sync_b.sync_once()
    services.add_label(b, services.Actor(staff_b), b_conv, "VIP")
    services.save_draft(b, services.Actor(staff_b), shared_b, "B의 초안")
    sync_b.sync_once()

    a_dir = root / "a"
    a = open_store(a_dir)
    a_shared = _account(a, SHARED)
    secrets.set_secret(a_shared, "kakao-token")
    a_only = _account(a, "kakao:branch")
    demo = _account(a, "demo:kakaotalk", connector="demo", config={"demo": True})
    shared_a = _ingest(a, a_shared, "t-shared", [("e-1", "쌍수 문의"), ("e-3", "내일 가능?")])
    a1 = _ingest(a, a_only, "t-a1", [("e-20", "코 성형 상담")])
    a2 = _ingest(a, a_only, "t-a2", [("e-21", "레이저 문의"), ("e-22", "주말도 하나요?")])
    _ingest(a, demo, "t-demo", [("e-30", "데모 대화")])
    staff_a = services.Actor(add_operator(a, "박서연"))
    services.tag_department(a, staff_a, a1, "plastic")
    services.add_label(a, staff_a, a1, "신규")
    services.tag_department(a, staff_a, shared_a, "plastic")
    services.add_note(a, staff_a, shared_a, "전화로 한 번 더 안내")
    services.save_draft(a, staff_a, a2, "주말 진료 안내 초안")
    services.save_draft(a, staff_a, shared_a, "A의 초안")
    reply = services.queue_reply(a, staff_a, a1, "예약 도와드릴게요")
    services.set_assignment_mode(a, services.Actor(None), "derm", "least_loaded")
    a.close()
    return Clinic(
        url, server, b, sync_b, a_dir, server_shared, a_shared, a_only, shared_b, a1, a2,
        reply, b_conv,
    )  # fmt: skip


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path) -> Iterator[Clinic]:
    c = _build(pg_url, tmp_path)
    yield c
    c.sync_b.close()
    c.sync_b.server.close()
    c.b.close()
    c.server.close()


def _count(store: Store, model: type, *where: object) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _check_union(c: Clinic) -> None:
    """The server holds B's data and A's own, each once; the demo's stayed out."""
    server = c.server
    assert _count(server, Conversation) == 4  # shared, B's, A's two
    assert _count(server, Conversation, Conversation.external_thread_id == "t-demo") == 0
    assert _count(server, ChannelAccount, ChannelAccount.external_id.like("demo:%")) == 0
    assert _count(server, ChannelAccount) == 2  # the shared channel once, A's branch channel
    with server.read() as s:
        shared = s.get(Conversation, c.shared_b)
        assert shared is not None
        bodies = sorted(
            s.scalars(select(Message.body).where(Message.conversation_id == c.shared_b))
        )
        assert bodies == sorted(["쌍수 문의", "가격은요?", "내일 가능?"])
        assert shared.message_count == 3
        assert shared.department == "plastic"  # A's edit: B never set one
        assert shared.snippet == "내일 가능?"  # A's message is the latest
        note = s.scalars(select(Note.body).where(Note.conversation_id == c.shared_b)).all()
        assert note == ["전화로 한 번 더 안내"]
        drafts = {d.body: d.is_conflict for d in s.scalars(select(Draft))}
        # B's head stays; A's two drafts kept (its own slots: A's member of staff).
        assert drafts == {"B의 초안": False, "A의 초안": False, "주말 진료 안내 초안": False}
        a1 = s.get(Conversation, c.a1)
        assert a1 is not None and a1.department == "plastic" and a1.account_id == c.a_only
        label = s.get(ConversationLabel, (c.a1, "신규"))
        assert label is not None and label.present
        vip = s.get(ConversationLabel, (c.b_conv, "VIP"))
        assert vip is not None and vip.present
        mode = s.get(DepartmentAssignment, "derm")
        assert mode is not None and mode.mode == "least_loaded"
        replies = s.scalars(select(Outbox)).all()
        assert [(r.id, r.state) for r in replies] == [(c.reply, "queued")]
    assert _count(server, Message) == 7


def test_a_pc_that_worked_alone_merges_its_history_into_the_server(clinic: Clinic) -> None:
    a, sync_a = clinic.pc_a()
    try:
        report = sync_a.sync_once()
        assert report.merged == 3  # the shared conversation and A's two; not the demo's
        _check_union(clinic)
        # A now holds the union, with nothing left to push.
        assert _count(a, Conversation) == 4
        assert _count(a, Message) == 7
        assert _count(a, PendingOp) == 0
        assert _count(a, Outbox, Outbox.id == clinic.reply) == 1
        # A's own store was copied aside first.
        assert list(clinic.a_dir.glob("sotong.before-resync.*.db"))
        # A's token of the shared channel is kept under the server's account id too.
        assert secrets.get_secret(clinic.server_shared) == "kakao-token"
        # B gets A's conversations.
        clinic.sync_b.sync_once()
        assert _count(clinic.b, Conversation) == 4
        assert _count(clinic.b, Outbox, Outbox.state == "queued") == 1
        # A later round changes nothing on the server (nothing pushed twice).
        assert sync_a.sync_once().pushed == 0
        _check_union(clinic)
        # The leader sends A's reply once.
        shared, branch = Recorder(), Recorder()
        leader = Runtime(clinic.server, {clinic.server_shared: shared, clinic.a_only: branch})
        leader.send_due()
        leader.send_due()
        leader.close()
        assert branch.sent == [clinic.reply] and shared.sent == []
        with clinic.server.read() as s:
            row = s.get(Outbox, clinic.reply)
            assert row is not None and row.state == "sent"
        sync_a.sync_once()
        with a.read() as s:
            row = s.get(Outbox, clinic.reply)
            assert row is not None and row.state == "sent"
    finally:
        sync_a.close()
        sync_a.server.close()
        a.close()


def test_a_reply_already_sent_alone_is_not_sent_again(clinic: Clinic) -> None:
    a = open_store(clinic.a_dir)
    branch = Recorder()
    Runtime(a, {clinic.a_only: branch}).send_due()
    assert branch.sent == [clinic.reply]
    a.close()
    a, sync_a = clinic.pc_a()
    try:
        sync_a.sync_once()
        with clinic.server.read() as s:
            row = s.get(Outbox, clinic.reply)
            assert row is not None and row.state == "sent"
            assert s.scalar(select(func.count()).select_from(Message)) == 8  # with the reply
        leader_channel = Recorder()
        Runtime(clinic.server, {clinic.a_only: leader_channel}).send_due()
        assert leader_channel.sent == []
    finally:
        sync_a.close()
        sync_a.server.close()
        a.close()


def test_a_reply_queued_while_the_merge_runs_reaches_the_server(clinic: Clinic) -> None:
    a, sync_a = clinic.pc_a()
    with a.read() as s:
        staff = s.scalar(select(Operator.id).where(Operator.name == "박서연"))
    assert staff is not None
    queued: list[str] = []

    def merging(done: int, total: int) -> None:
        # Staff answer a conversation after the merge passed it, before the copy.
        if done == total and not queued:
            queued.append(
                services.queue_reply(a, services.Actor(staff), clinic.a2, "주말에도 진료합니다")
            )

    try:
        report = sync_a.initial_sync(merging=merging)
        assert queued and report.merged == 3
        with clinic.server.read() as s:
            row = s.get(Outbox, queued[0])
            assert row is not None and row.state == "queued" and row.body == "주말에도 진료합니다"
        assert _count(a, Outbox, Outbox.id == queued[0]) == 1
        assert _count(a, PendingOp) == 0
        assert _count(clinic.server, Conversation) == 4
        assert _count(clinic.server, Message) == 7
    finally:
        sync_a.close()
        sync_a.server.close()
        a.close()


def _child(c: Clinic, failpoint: str, keyring_file: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SOTONG_FAILPOINT": failpoint,
        "SOTONG_TEST_SERVER_URL": c.url.render_as_string(hide_password=False),
        "SOTONG_TEST_MERGE_CHUNK": "1",
        "PYTHON_KEYRING_BACKEND": "tests.helpers.filekeyring.FileKeyring",
        "SOTONG_TEST_KEYRING": str(keyring_file),
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.helpers.sync_child", str(c.a_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("failpoint", "merged"),
    [
        ("sync.merge.before_server_commit", False),
        ("sync.merge.between_chunks", False),
        ("sync.merge.before_local_commit", True),
        ("sync.initial.before_local_commit", True),
    ],
)
def test_a_merge_killed_anywhere_loses_and_duplicates_nothing(
    clinic: Clinic, tmp_path: Path, failpoint: str, merged: bool
) -> None:
    keyring_file = tmp_path / "keyring.json"
    write_keyring(keyring_file, {("sotong", clinic.a_shared): "kakao-token"})
    done = _child(clinic, failpoint, keyring_file)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    if merged:
        _check_union(clinic)
    a, sync_a = clinic.pc_a()
    try:
        assert sync_a.needs_initial_sync()
        sync_a.sync_once()
        _check_union(clinic)
        assert _count(a, Conversation) == 4
        assert _count(a, Message) == 7
        assert _count(a, PendingOp) == 0
        branch = Recorder()
        Runtime(clinic.server, {clinic.a_only: branch}).send_due()
        assert branch.sent == [clinic.reply]
    finally:
        sync_a.close()
        sync_a.server.close()
        a.close()


def test_an_edit_after_an_interrupted_first_copy_is_merged_on_restart(
    clinic: Clinic, tmp_path: Path
) -> None:
    keyring_file = tmp_path / "keyring.json"
    write_keyring(keyring_file, {})
    done = _child(clinic, "sync.initial.before_local_commit", keyring_file)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    _check_union(clinic)  # merged; the copy never replaced anything
    a = open_store(clinic.a_dir)
    with a.read() as s:
        staff = s.scalar(select(Operator.id).where(Operator.name == "박서연"))
    assert staff is not None
    later = services.queue_reply(a, services.Actor(staff), clinic.a2, "네, 토요일 오전 진료합니다")
    a.close()
    a, sync_a = clinic.pc_a()
    try:
        sync_a.sync_once()
        with clinic.server.read() as s:
            row = s.get(Outbox, later)
            assert row is not None and row.state == "queued"
        assert _count(clinic.server, Outbox) == 2
        assert _count(a, Outbox) == 2
        assert _count(a, PendingOp) == 0
        assert _count(clinic.server, Conversation) == 4
    finally:
        sync_a.close()
        sync_a.server.close()
        a.close()
