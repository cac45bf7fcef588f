"""The PostgreSQL roles of docs/agent.md, run as written on a real server: the owner role
creates the tables (``sotong agent --migrate-only``), the app role — no superuser, no DDL —
does everything the console and the agent do: open the store, lead, replace a frozen leader,
fetch, send. Secrets reach the agent through ``--store-password`` / ``--store-secret``.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import URL, select

from console import services
from console.accounts import build_runtime
from console.cli import main
from console.demo.server import DemoData, DemoServer
from console.store import Store
from console.store.models import Conversation
from console.store.server import open_server_store
from console.sync.leader import Leader
from tests.conftest import MemoryKeyring
from tests.helpers.pg import PgServer, fresh_pg_server_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

DOC = Path(__file__).parents[2] / "docs" / "agent.md"


def _roles_sql() -> tuple[list[str], list[str]]:
    """The statements of the documented block: before and after ``\\connect sotong``."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- roles\.sql.*?-->\s*```sql\n(.*?)```", text, re.S)
    assert block is not None, "docs/agent.md lost its roles block"
    before, _, after = block.group(1).partition("\\connect sotong\n")

    def statements(part: str) -> list[str]:
        return [s.strip() for s in part.split(";\n") if s.strip()]

    return statements(before), statements(after)


def _url(server: PgServer, user: str) -> URL:
    return URL.create(
        "postgresql+psycopg", username=user, host=server.host, port=server.port, database="sotong"
    )


@pytest.fixture
def roles(fresh_pg_server: PgServer) -> Iterator[PgServer]:
    before, after = _roles_sql()
    with fresh_pg_server.admin() as conn:
        for statement in before:
            conn.execute(statement.encode())
    with psycopg.connect(
        host=fresh_pg_server.host,
        port=fresh_pg_server.port,
        user=fresh_pg_server.user,
        password=fresh_pg_server.password,
        dbname="sotong",
        autocommit=True,
    ) as conn:
        for statement in after:
            conn.execute(statement.encode())
    yield fresh_pg_server


def _data() -> DemoData:
    data = DemoData()
    t = int(time.time() * 1000) - 60_000
    data.add("kakaotalk", "kakao_1", "고객", "in", "예약 가능할까요?", t)
    return data


def services_reply(store: Store) -> str:
    """Queue a reply to the one conversation, as staff on a PC would."""
    with store.read() as s:
        cid = s.scalar(select(Conversation.id))
    assert cid is not None
    return services.queue_reply(store, services.Actor(None), cid, "네 가능합니다")


def test_the_documented_roles_are_enough_and_no_more(
    roles: PgServer,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    owner, app = _url(roles, "sotong_owner"), _url(roles, "sotong_app")
    data_dir = str(tmp_path / "agent")

    # The owner's password goes to the keyring, and the owner creates the tables.
    monkeypatch.setattr("sys.stdin", io.StringIO("change-me-owner\n"))
    assert main(["agent", "--store-password", "--data-dir", data_dir]) == 0
    assert memory_keyring.secrets[("sotong", "clinic-server")] == "change-me-owner"
    owner_url = owner.render_as_string(hide_password=False)
    assert main(["agent", "--migrate-only", "--server-url", owner_url]) == 0

    # The app role: no superuser, no DDL.
    memory_keyring.secrets[("sotong", "clinic-server")] = "change-me-app"
    with psycopg.connect(
        host=roles.host,
        port=roles.port,
        user="sotong_app",
        password="change-me-app",
        dbname="sotong",
        autocommit=True,
    ) as conn:
        flags = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert flags == (False, False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE intruder (i int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE conversation")

    # ... and yet it does all the console and the agent do.
    store = open_server_store(app, password="change-me-app")
    first = Leader(app, password="change-me-app")
    frozen_out = Leader(app, password="change-me-app", stale_after_s=1)
    try:
        with DemoServer(interval_s=0, data=_data()) as demo:
            account = services.add_account(
                store,
                services.Actor(None),
                kind="kakaotalk",
                connector="demo",
                external_id="kakao:clinic",
                display_name="카카오톡",
                config={"base_url": demo.base_url, "channel": "kakaotalk"},
                secret=demo.token,
            )
            # Connected on a PC: the token is in that PC's keyring, not the agent's.
            del memory_keyring.secrets[("sotong", account)]
            app_url = app.render_as_string(hide_password=False)
            assert main(["agent", "--list-accounts", "--server-url", app_url]) == 0
            listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
            assert [(a["id"], a["secret_here"]) for a in listed] == [(account, False)]
            monkeypatch.setattr("sys.stdin", io.StringIO(demo.token + "\n"))
            assert main(["agent", "--store-secret", account]) == 0
            assert main(["agent", "--list-accounts", "--server-url", app_url]) == 0
            listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
            assert [(a["id"], a["secret_here"]) for a in listed] == [(account, True)]

            assert first.try_acquire()
            time.sleep(1.5)  # the first leader is silent: the second, same role, ends it
            assert frozen_out.try_acquire() and frozen_out.epoch == 2
            runtime = build_runtime(store, fence=frozen_out)
            try:
                assert runtime.poll_once().fetched == 1
                services_reply(store)
                runtime.send_due()
            finally:
                runtime.close()
            assert [m.text for m in demo.data.messages if m.direction == "out"] == ["네 가능합니다"]
    finally:
        first.release()
        frozen_out.release()
        store.close()
