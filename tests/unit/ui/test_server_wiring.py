"""Two PCs (two app contexts, each with its own SQLite store and real worker lanes) on one
clinic server: the first copy with its progress dialog, an edit on one PC reaching the other
through the wiring (debounced round, NOTIFY hint, ``changed``), and one of them leading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from console.runtime import Fence, Runtime
from console.services import Changes
from console.settings import ServerSettings
from console.store import open_store
from console.store.engine import Store
from console.store.models import Conversation
from console.store.server import open_server_store
from console.sync.config import SECRET_KEY
from tests.conftest import MemoryKeyring
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401
from ui.context import AppContext, Connection, RuntimeFactory
from ui.serversync import ServerMode
from ui.tasks import Tasks

pytestmark = pytest.mark.slow


def _settings(url: URL) -> ServerSettings:
    return ServerSettings(
        enabled=True,
        host=str(url.host),
        port=int(url.port or 5432),
        database=str(url.database),
        user=str(url.username),
        tls="disable",
    )


class Clinic:
    """A seeded clinic server and the PCs opened on it."""

    def __init__(self, url: URL, root: Path) -> None:
        self.url, self.root = url, root
        seed = open_server_store(url)
        try:
            account = add_account(seed, "kakaotalk", "소통의원 카카오톡")
            self.operator = add_operator(seed, "김지현")
            self.cid = add_conversation(seed, account, [("in", "쌍꺼풀 상담 가능할까요?")])
            self.others = [
                add_conversation(seed, account, [("in", f"문의 {n}번")], contact=f"고객{n}")
                for n in range(30)
            ]
        finally:
            seed.close()
        self.pcs: list[tuple[AppContext, Store]] = []

    def pc(self, name: str, factory: RuntimeFactory | None = None) -> AppContext:
        store = open_store(self.root / name)
        ctx = AppContext(store, self.operator, Tasks(), runtime_factory=factory)
        self.pcs.append((ctx, store))
        return ctx

    def close(self) -> None:
        for ctx, store in self.pcs:
            ctx.stop()
            ctx.tasks.shutdown()
            ctx.server_link.close()
            store.close()


@pytest.fixture
def clinic(
    qapp: object, pg_url: URL, tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[Clinic]:
    memory_keyring.set_password("sotong", SECRET_KEY, str(pg_url.password))
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _department(store: Store, cid: str) -> str | None:
    with store.read() as s:
        conv = s.get(Conversation, cid)
        return conv.department if conv is not None else "missing"


def _connect(qtbot: QtBot, clinic: Clinic, ctx: AppContext) -> list[tuple[int, int]]:
    progress: list[tuple[int, int]] = []
    link = ctx.server_link
    link.initial_sync_progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.wait_signal(link.initial_sync_finished, timeout=60_000) as finished:
        ctx.configure_server(_settings(clinic.url))
        qtbot.wait_until(lambda: link.progress_dialog is not None, timeout=30_000)
        dialog = link.progress_dialog
        assert dialog is not None and dialog.isVisible()
        assert "from the clinic server to this PC" in dialog.labelText()
        assert "Nothing is lost" in dialog.labelText()
    assert finished.args == [True]
    assert link.progress_dialog is None  # closed when done
    return progress


def test_an_edit_on_one_pc_reaches_the_other_through_the_wiring(
    qtbot: QtBot, clinic: Clinic
) -> None:
    a, b = clinic.pc("a"), clinic.pc("b")
    progress = _connect(qtbot, clinic, a)
    # The first copy reports rows done of rows in total, up to all of them.
    assert progress and all(0 <= done <= total for done, total in progress)
    assert progress[-1][0] == progress[-1][1] > 30
    _connect(qtbot, clinic, b)
    assert a.server is not None and b.server is not None
    assert _department(b.store, clinic.cid) is None

    seen: list[Changes] = []
    b.changed.connect(seen.append)
    a.tag_department(clinic.cid, "plastic")
    # A pushes after the debounce; the server's NOTIFY wakes B, whose round pulls it and
    # broadcasts the change so B's views refresh.
    qtbot.wait_until(lambda: _department(b.store, clinic.cid) == "plastic", timeout=20_000)
    qtbot.wait_until(lambda: any(clinic.cid in c.conversations for c in seen), timeout=5_000)
    qtbot.wait_until(lambda: a.server_link.state.pending_ops == 0, timeout=10_000)
    assert a.server_link.state.mode is ServerMode.ONLINE
    assert a.server_link.state.last_sync_at is not None

    # One of the two leads; the other stands by and names the leader.
    qtbot.wait_until(lambda: a.server_link.leading or b.server_link.leading, timeout=20_000)
    leader, standby = (a, b) if a.server_link.leading else (b, a)
    assert not standby.server_link.leading
    assert leader.server_link.state.leader_is_me
    standby.server_link.sync_now()
    qtbot.wait_until(lambda: standby.server_link.state.leader is not None, timeout=20_000)


def test_only_the_leader_polls_and_it_polls_the_server(qtbot: QtBot, clinic: Clinic) -> None:
    built: list[tuple[str, str, bool]] = []  # (pc, database kind, fenced)

    def factory_for(name: str) -> RuntimeFactory:
        def build(store: Store, fence: Fence | None = None) -> Runtime:
            built.append((name, store.engine.dialect.name, fence is not None))
            return Runtime(store, {}, fence=fence)

        return build

    a, b = clinic.pc("a", factory_for("a")), clinic.pc("b", factory_for("b"))
    for ctx in (a, b):
        ctx.start()  # a single PC first: its own store, its own leader
    qtbot.wait_until(lambda: a.runtime is not None and b.runtime is not None, timeout=10_000)
    assert sorted(built) == [("a", "sqlite", False), ("b", "sqlite", False)]
    built.clear()
    _connect(qtbot, clinic, a)
    _connect(qtbot, clinic, b)
    qtbot.wait_until(lambda: a.server_link.leading or b.server_link.leading, timeout=20_000)
    leader, standby = (a, b) if a.server_link.leading else (b, a)
    qtbot.wait_until(lambda: leader.runtime is not None, timeout=10_000)
    # The leader's runtime works on the clinic server, fenced by its epoch; the other PC
    # has none and says who checks the channels.
    assert leader.runtime is not None and leader.runtime.fence is leader.server_link.leader
    assert ("postgresql", True) in [(kind, fenced) for _, kind, fenced in built]
    assert standby.runtime is None
    assert standby.connection is Connection.BY_LEADER
    assert not [entry for entry in built if entry[1] == "sqlite"]
    # The leader goes back to working alone: the other PC takes over.
    leader.configure_server(ServerSettings())
    qtbot.wait_until(lambda: standby.server_link.leading, timeout=30_000)
    qtbot.wait_until(lambda: standby.runtime is not None, timeout=10_000)
    qtbot.wait_until(lambda: leader.runtime is not None, timeout=10_000)
    assert leader.runtime is not None and leader.runtime.fence is None


def test_a_pc_goes_back_to_working_alone(qtbot: QtBot, clinic: Clinic) -> None:
    a = clinic.pc("a")
    _connect(qtbot, clinic, a)
    a.configure_server(ServerSettings())
    assert a.server is None and a.server_link.engine is None
    assert a.server_link.state.mode is ServerMode.OFF
    # The copy stays on the PC, and edits are kept to send when a server is configured again.
    assert _department(a.store, clinic.cid) is None


def test_a_desktop_that_leads_prunes_the_servers_old_log_and_applied_ops(
    qtbot: QtBot, clinic: Clinic
) -> None:
    from sqlalchemy import text

    from console import services
    from console.sync.engine import SyncEngine

    # Weeks ago another PC (no window here) sent an edit.
    other, server = open_store(clinic.root / "other"), open_server_store(clinic.url)
    engine = SyncEngine(other, server)
    try:
        engine.sync_once()
        services.tag_department(other, services.Actor(clinic.operator), clinic.cid, "derm")
        engine.sync_once()
        node = other.node_id
    finally:
        engine.close()
        server.close()
        other.close()
    seed = open_server_store(clinic.url)
    try:
        with seed.engine.begin() as conn:
            conn.execute(text("UPDATE change_log SET at = now() - interval '40 days'"))
            conn.execute(text("UPDATE applied_op SET applied_at = now() - interval '40 days'"))
    finally:
        seed.close()

    a = clinic.pc("a")
    _connect(qtbot, clinic, a)
    assert _department(a.store, clinic.cid) == "derm"
    qtbot.wait_until(lambda: a.server_link.leading, timeout=30_000)
    assert a.server is not None
    look = a.server.engine

    def counts() -> tuple[int, int, int]:
        with look.connect() as conn:
            return tuple(  # type: ignore[return-value]
                int(conn.execute(text(sql)).scalar_one())
                for sql in (
                    "SELECT count(*) FROM change_log WHERE at < now() - interval '30 days'",
                    "SELECT count(*) FROM applied_op",
                    "SELECT count(*) FROM applied_floor",
                )
            )

    # Its leader thread prunes after its first heartbeat, with the default keep period.
    qtbot.wait_until(lambda: counts() == (0, 0, 1), timeout=30_000)
    with look.connect() as conn:
        assert conn.execute(text("SELECT node FROM applied_floor")).scalar_one() == node
        assert conn.execute(text("SELECT floor_seq FROM sync_meta")).scalar_one() > 0
