"""Leader election and fencing on a real PostgreSQL server, and the outbox claimed there.

One process leads at a time; each takeover raises the epoch; a leader that lost its lock —
its lock session ended by the server, or by a standby because its heartbeat stopped — has its
next write refused (a fetched page is not stored, a reply is not claimed) and stands down.
Two senders racing on one outbox send each reply once. The channels are the local demo and
Telegram servers over real HTTP, which record what they were sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import URL, func, select, text
from sqlalchemy.exc import OperationalError

from console import services
from console.channels.base import OutgoingReply
from console.channels.demo import DemoChannel
from console.channels.telegram import TelegramChannel
from console.demo.server import DemoData, DemoServer
from console.demo.telegram_server import TelegramServer
from console.errors import StaleLeader
from console.runtime import Runtime
from console.store import Store
from console.store.engine import open_memory_store
from console.store.models import Conversation, Message, Outbox
from console.store.server import open_server_store
from console.sync.leader import LEADER_LOCK_KEY, Leader, current_leader, session_name
from tests.helpers.factory import add_account, now_ms
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def store(pg_url: URL) -> Iterator[Store]:
    s = open_server_store(pg_url)
    yield s
    s.close()


@pytest.fixture
def leaders(pg_url: URL) -> Iterator[list[Leader]]:
    made: list[Leader] = []
    yield made
    for leader in made:
        leader.release()


def _data() -> DemoData:
    data = DemoData()
    t = now_ms() - 3_600_000
    for i in range(3):
        data.add("kakaotalk", f"kakao_{i}", f"고객{i}", "in", f"문의 {i}: 보톡스 가격?", t + i)
    data.incoming = [
        {"channel": "kakaotalk", "handle": "kakao_new", "contact": "새고객", "text": "주차 되나요?"}
    ]
    return data


@pytest.fixture
def demo() -> Iterator[DemoServer]:
    with DemoServer(interval_s=0, data=_data()) as srv:
        yield srv


def _lock_holder_pid(pg_server: PgServer) -> int | None:
    unsigned = LEADER_LOCK_KEY & 0xFFFF_FFFF_FFFF_FFFF
    with pg_server.admin() as conn:
        row = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1",
            (unsigned >> 32, unsigned & 0xFFFF_FFFF),
        ).fetchone()
    if row is None:
        return None
    pid = row[0]
    assert isinstance(pid, int)
    return pid


def _terminate(pg_server: PgServer, pid: int) -> None:
    with pg_server.admin() as conn:
        conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def _messages(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def test_one_leader_at_a_time_and_each_takeover_raises_the_epoch(
    pg_url: URL, store: Store, leaders: list[Leader]
) -> None:
    a, b = Leader(pg_url), Leader(pg_url)
    leaders += [a, b]
    assert current_leader(store) is None
    assert a.try_acquire() and a.epoch == 1
    assert not b.try_acquire() and not b.is_leader
    info = current_leader(store)
    assert info is not None
    assert (f"{info.machine}:{info.pid}", info.epoch) == (a.holder, 1)
    assert info.heartbeat_age_s < 5
    assert a.heartbeat()

    a.release()  # the lock is given back at once
    assert not a.is_leader and current_leader(store) is None
    assert b.try_acquire() and b.epoch == 2
    assert not a.try_acquire()
    info = current_leader(store)
    assert info is not None and info.epoch == 2


def test_a_pc_store_has_no_leader_but_itself() -> None:
    local = open_memory_store()
    try:
        assert current_leader(local) is None
    finally:
        local.close()


def test_a_leader_whose_lock_session_ended_has_its_writes_refused(
    pg_server: PgServer, pg_url: URL, store: Store, demo: DemoServer, leaders: list[Leader]
) -> None:
    account = add_account(store, "kakaotalk")
    a, b = Leader(pg_url), Leader(pg_url)
    leaders += [a, b]
    assert a.try_acquire()
    runtime_a = Runtime(
        store, {account: DemoChannel(demo.base_url, "kakaotalk", demo.token)}, fence=a
    )
    assert runtime_a.poll_once().fetched == 3
    cid = services.queue_reply(
        store, services.Actor(None), _conversation(store, "kakao_0"), "네, 3만원입니다"
    )

    # A's lock session is ended (as the server does for a vanished machine); B takes over.
    pid = _lock_holder_pid(pg_server)
    assert pid is not None
    _terminate(pg_server, pid)
    assert _wait_for(b.try_acquire, 10)
    assert b.epoch == 2

    # A does not know yet: its next writes are refused, whole, and it stands down.
    demo.arrive()
    with pytest.raises(StaleLeader) as refused:
        runtime_a.poll_once()
    assert refused.value.params == {"epoch": 1, "current": 2}
    assert not a.is_leader
    assert _messages(store) == 3  # the page A fetched was not stored
    with pytest.raises(StaleLeader):
        runtime_a.send_due()
    with store.read() as s:
        out = s.get(Outbox, cid)
        assert out is not None and (out.state, out.claimed_by) == ("queued", None)
    assert [m for m in demo.data.messages if m.direction == "out"] == []
    assert not a.heartbeat()
    runtime_a.close()

    # B, the leader now, does both.
    runtime_b = Runtime(
        store, {account: DemoChannel(demo.base_url, "kakaotalk", demo.token)}, fence=b
    )
    try:
        assert runtime_b.poll_once().fetched == 1
        runtime_b.send_due()
    finally:
        runtime_b.close()
    with store.read() as s:
        out = s.get(Outbox, cid)
        assert out is not None and (out.state, out.leader_epoch) == ("sent", 2)
        assert out.claimed_by == b.holder
    assert [m.text for m in demo.data.messages if m.direction == "out"] == ["네, 3만원입니다"]


def test_a_frozen_leader_is_replaced_when_its_heartbeat_stops(
    pg_server: PgServer, pg_url: URL, store: Store, leaders: list[Leader]
) -> None:
    a, b = Leader(pg_url), Leader(pg_url, stale_after_s=2)
    leaders += [a, b]
    assert a.try_acquire()
    assert not b.try_acquire()  # A's heartbeat is fresh: B waits
    # A freezes in the middle of a write: its store session holds the store's write lock.
    frozen = open_server_store(pg_url, application_name=session_name(a.holder))
    session = frozen._writer()  # a write session, as Store.write opens it
    session.execute(text("SELECT 1"))  # BEGIN, and the write lock
    time.sleep(2.5)  # no heartbeat
    began = time.monotonic()
    assert b.try_acquire() and b.epoch == 2
    assert time.monotonic() - began < 5  # not held up by the frozen write (10 s lock wait)
    assert _lock_holder_pid(pg_server) != _backend_pid(a)
    with pytest.raises(OperationalError):
        session.execute(text("SELECT 1"))  # A's frozen transaction was ended, not committed
    session.close()
    frozen.close()
    # A wakes up: its heartbeat finds it replaced, and it stands down.
    assert not a.heartbeat() and not a.is_leader
    with store.write() as s, pytest.raises(StaleLeader):
        a.check(s)


def _backend_pid(leader: Leader) -> int | None:
    conn = leader._conn  # which session holds the lock
    return None if conn is None or conn.closed else conn.info.backend_pid


def test_two_senders_racing_on_one_outbox_send_each_reply_once(pg_url: URL) -> None:
    with TelegramServer() as telegram:
        first = open_server_store(pg_url)
        second = open_server_store(pg_url)
        try:
            account = add_account(first, "telegram")
            reader = TelegramChannel.from_config({"base_url": telegram.base_url}, telegram.token)
            Runtime(first, {account: reader}).poll_once()
            reader.close()
            with first.read() as s:
                conversations = list(s.scalars(select(Conversation.id)))
            texts = [f"답변 {i}" for i in range(12)]
            for i, body in enumerate(texts):
                cid = conversations[i % len(conversations)]
                services.queue_reply(first, services.Actor(None), cid, body)
            telegram.faults.slow(n=len(texts), seconds=0.1, path="sendMessage")
            sent_by: dict[str, list[str]] = {"first": [], "second": []}

            def counted(name: str) -> TelegramChannel:
                channel = TelegramChannel.from_config(
                    {"base_url": telegram.base_url}, telegram.token
                )
                send = channel.send

                def recording(reply: OutgoingReply) -> str:
                    external_id = send(reply)
                    sent_by[name].append(reply.body)
                    return external_id

                channel.send = recording  # type: ignore[method-assign]
                return channel

            runtimes = [
                Runtime(first, {account: counted("first")}),
                Runtime(second, {account: counted("second")}),
            ]
            start = threading.Barrier(2)

            def run(runtime: Runtime) -> None:
                start.wait()
                runtime.send_due(max_replies=50)

            threads = [threading.Thread(target=run, args=(r,)) for r in runtimes]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            for r in runtimes:
                r.close()
            assert sorted(m["text"] for m in telegram.data.sent) == sorted(texts)
            assert sent_by["first"] and sent_by["second"]  # they did race
            with first.read() as s:
                assert set(s.scalars(select(Outbox.state))) == {"sent"}
        finally:
            first.close()
            second.close()


def test_the_leader_row_exists_only_on_the_server(store: Store) -> None:
    with store.read() as s:
        assert s.execute(text("SELECT to_regclass('leader')")).scalar() == "leader"
    local = open_memory_store()
    try:
        with local.read() as s:
            tables = set(
                s.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
            )
        assert "leader" not in tables and "outbox" in tables
    finally:
        local.close()


def _conversation(store: Store, handle_suffix: str) -> str:
    from console.demo.server import thread_id_for

    with store.read() as s:
        cid = s.scalar(
            select(Conversation.id).where(
                Conversation.external_thread_id == thread_id_for("kakaotalk", handle_suffix)
            )
        )
    assert cid is not None
    return cid


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
