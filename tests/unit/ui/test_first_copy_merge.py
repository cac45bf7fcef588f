"""A PC that worked alone is connected to the clinic server in the app: the first-copy dialog
says that this PC's conversations are merged into the server (and that the demo's stay out),
and afterwards the server and the PC hold both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import URL, func, select

from console.settings import ServerSettings
from console.store import open_store
from console.store.engine import Store
from console.store.models import ChannelAccount, Conversation
from console.store.server import open_server_store
from console.sync.config import SECRET_KEY
from tests.conftest import MemoryKeyring
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401
from ui.context import AppContext
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


def _conversations(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Conversation)) or 0)


@pytest.fixture
def server(qapp: object, pg_url: URL, memory_keyring: MemoryKeyring) -> Iterator[Store]:
    memory_keyring.set_password("sotong", SECRET_KEY, str(pg_url.password))
    store = open_server_store(pg_url)
    account = add_account(store, "kakaotalk", "소통의원 카카오톡")
    add_conversation(store, account, [("in", "서버에 있던 문의")])
    yield store
    store.close()


def test_the_first_copy_dialog_says_this_pcs_conversations_are_merged(
    qtbot: QtBot, server: Store, pg_url: URL, tmp_path: Path
) -> None:
    local = open_store(tmp_path / "alone")
    operator = add_operator(local, "박서연")
    own = add_account(local, "instagram", "지점 인스타그램")
    add_conversation(local, own, [("in", "이 PC에서 받은 문의")], contact="이서연")
    add_conversation(local, own, [("in", "또 다른 문의")], contact="최유리")
    demo = add_account(local, "kakaotalk", "데모")
    with local.write() as s:
        row = s.get(ChannelAccount, demo)
        assert row is not None
        row.config = {"demo": True}
    add_conversation(local, demo, [("in", "데모 대화")], contact="데모 고객")
    ctx = AppContext(local, operator, Tasks())
    link = ctx.server_link
    texts: list[str] = []

    def seen(_done: int, _total: int, _demo: int) -> None:
        dialog = link.progress_dialog
        if dialog is not None:
            texts.append(dialog.labelText())

    link.initial_sync_merging.connect(seen)
    try:
        with qtbot.wait_signal(link.initial_sync_finished, timeout=60_000) as finished:
            ctx.configure_server(_settings(pg_url))
        assert finished.args == [True]
        assert texts, "the dialog never spoke of the merge"
        assert "Merging this PC's 2 conversations into the clinic server" in texts[0]
        assert "The demo's 1 practice conversations stay out" in texts[0]
        assert "A copy of this PC's data was saved first" in texts[-1]
        assert "2 of 2 conversations" in texts[-1]
        assert _conversations(server) == 3  # the server's one and this PC's two
        assert _conversations(local) == 3
        assert list(tmp_path.joinpath("alone").glob("sotong.before-resync.*.db"))
    finally:
        ctx.stop()
        ctx.tasks.shutdown()
        link.close()
        local.close()
