"""Coming on duty with a clinic server: the PC where staff press the duty button hands out
nothing itself; the leader PC hands out the waiting conversations after its sync round, and
the first PC shows who got them (two app contexts, real lanes, a real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import URL, select

from console import services
from console.domain import AssignMode, Role
from console.runtime import Fence, Runtime
from console.settings import ServerSettings
from console.store import open_store
from console.store.engine import Store
from console.store.models import Conversation
from console.store.queries import conversation_row
from console.store.server import open_server_store
from console.sync.config import SECRET_KEY
from tests.conftest import MemoryKeyring
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401
from tests.unit.ui.conftest import Clinic as LocalClinic
from tests.unit.ui.test_server_wiring import _connect
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.tasks import Tasks

SYSTEM = services.Actor(None)


def test_with_a_server_the_duty_button_leaves_handing_out_to_the_leader(
    window: MainWindow, clinic: LocalClinic
) -> None:
    store, me = clinic.store, clinic.operator_id
    services.set_on_duty(store, services.Actor(me), me, False)
    window.ctx._operators = None
    services.set_assignment_mode(store, SYSTEM, "general", AssignMode.ROUND_ROBIN)
    for cid in (clinic.first, clinic.second):
        services.tag_department(store, SYSTEM, cid, "general")
    link = window.ctx.server_link
    link.settings = ServerSettings(enabled=True, host="127.0.0.1", database="sotong", user="x")
    try:
        assert not window.ctx.hands_out_here()
        window.ctx.toggle_duty()
        assert window.duty_button.isChecked()
        for cid in (clinic.first, clinic.second):
            assert conversation_row(store, cid).assignee_id is None  # type: ignore[union-attr]
    finally:
        link.settings = ServerSettings()
    # Alone again, the same button hands them out at once.
    window.ctx.toggle_duty()
    window.ctx.toggle_duty()
    assert conversation_row(store, clinic.first).assignee_id == me  # type: ignore[union-attr]


class Clinic:
    """A clinic server where dermatology assigns in turn, 김민지 (dermatology) is off duty and
    three dermatology conversations wait; the PCs opened on it."""

    def __init__(self, url: URL, root: Path) -> None:
        self.url, self.root = url, root
        seed = open_server_store(url)
        try:
            account = add_account(seed, "kakaotalk", "소통의원 카카오톡")
            self.manager = add_operator(seed, "박팀장", Role.MANAGER, ("general",))
            self.minji = add_operator(seed, "김민지", Role.COORDINATOR, ("derm",))
            services.set_on_duty(seed, SYSTEM, self.minji, False)
            services.set_assignment_mode(seed, SYSTEM, "derm", AssignMode.ROUND_ROBIN)
            self.waiting = [
                add_conversation(
                    seed, account, [("in", f"여드름 흉터 문의 {n}")], contact=f"고객{n}"
                )
                for n in range(3)
            ]
            for cid in self.waiting:
                services.tag_department(seed, SYSTEM, cid, "derm")
        finally:
            seed.close()
        self.pcs: list[tuple[AppContext, Store]] = []

    def pc(self, name: str, operator_id: str) -> AppContext:
        def build(store: Store, fence: Fence | None = None) -> Runtime:
            return Runtime(store, {}, fence=fence)

        store = open_store(self.root / name)
        ctx = AppContext(store, operator_id, Tasks(), runtime_factory=build)
        self.pcs.append((ctx, store))
        return ctx

    def close(self) -> None:
        for ctx, store in self.pcs:
            ctx.stop()
            ctx.tasks.shutdown()
            ctx.server_link.close()
            ctx.close_runtime()
            store.close()


@pytest.fixture
def server_clinic(
    qapp: object, pg_url: URL, tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[Clinic]:
    memory_keyring.set_password("sotong", SECRET_KEY, str(pg_url.password))
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _assignees(store: Store, ids: list[str]) -> list[str | None]:
    with store.read() as s:
        return list(s.scalars(select(Conversation.assignee_id).where(Conversation.id.in_(ids))))


@pytest.mark.slow
def test_on_duty_on_one_pc_the_leader_pc_hands_out_and_both_see_it(
    qtbot: QtBot, server_clinic: Clinic
) -> None:
    c = server_clinic
    desk = c.pc("desk", c.manager)  # the first to connect leads
    desk.start()
    _connect(qtbot, c, desk)  # type: ignore[arg-type]
    qtbot.wait_until(lambda: desk.server_link.leading, timeout=20_000)
    qtbot.wait_until(lambda: desk.runtime is not None, timeout=10_000)
    derm = c.pc("derm", c.minji)  # 김민지's PC in dermatology
    derm.start()
    _connect(qtbot, c, derm)  # type: ignore[arg-type]
    assert not derm.server_link.leading

    derm.toggle_duty()  # 김민지 comes on duty on her own PC
    qtbot.wait_until(derm.on_duty, timeout=5_000)
    # Her PC hands nothing out; the leader's round after the push does, once, and both
    # PCs show her as the assignee.
    qtbot.wait_until(lambda: _assignees(desk.store, c.waiting) == [c.minji] * 3, timeout=30_000)
    qtbot.wait_until(lambda: _assignees(derm.store, c.waiting) == [c.minji] * 3, timeout=30_000)
    with derm.store.read() as s:
        from console.store.models import AuditEvent

        mine = s.scalars(select(AuditEvent.action).where(AuditEvent.action == "auto_assign"))
        assert list(mine) == []  # assigned by the leader, not on her PC
