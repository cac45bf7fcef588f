"""``sotong agent secret set|list``: a channel token reaches the agent machine's keyring (never
the database, never the output), found by the account's id or name; a running agent that
leads without a token records ``no_secret`` for that account and, once the token is stored,
connects it without a restart."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select, text

from console import services
from console.cli import main
from console.demo.server import DemoData, DemoServer
from console.store import Store
from console.store.models import ChannelAccount, Conversation
from console.store.server import open_server_store
from tests.conftest import MemoryKeyring
from tests.helpers.filekeyring import write_keyring
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
NAME = "소통의원 카카오톡 채널"


@dataclass
class Clinic:
    store: Store
    url: str  # with its password: these tests pass it on the command line
    demo: DemoServer
    kakao: str


@pytest.fixture
def clinic(pg_url: URL, memory_keyring: MemoryKeyring) -> Iterator[Clinic]:
    store = open_server_store(pg_url)
    data = DemoData()
    t = int(time.time() * 1000) - 3_600_000
    data.add("kakaotalk", "kakao_0", "고객", "in", "보톡스 가격 문의", t)
    with DemoServer(interval_s=0, data=data) as demo:
        kakao = services.add_account(
            store,
            services.Actor(None),
            kind="kakaotalk",
            connector="demo",
            external_id="kakao:clinic",
            display_name=NAME,
            config={"base_url": demo.base_url, "channel": "kakaotalk"},
            secret=demo.token,
        )
        # Connected on a front-desk PC: the token is in that PC's keyring only.
        del memory_keyring.secrets[("sotong", kakao)]
        try:
            yield Clinic(store, pg_url.render_as_string(hide_password=False), demo, kakao)
        finally:
            store.close()


def _listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_secret_set_by_name_stores_the_token_here_and_list_never_shows_it(
    clinic: Clinic,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["agent", "secret", "list", "--server-url", clinic.url]) == 0
    listed = _listed(capsys)
    assert [(a["id"], a["display_name"], a["secret_here"]) for a in listed] == [
        (clinic.kakao, NAME, False)
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO(clinic.demo.token + "\n"))
    # By name (spaces around it are fine): no id needed.
    assert main(["agent", "secret", "set", f" {NAME} ", "--server-url", clinic.url]) == 0
    assert memory_keyring.secrets[("sotong", clinic.kakao)] == clinic.demo.token
    assert main(["agent", "secret", "list", "--server-url", clinic.url]) == 0
    captured = capsys.readouterr()
    listed = [json.loads(line) for line in captured.out.splitlines()]
    assert [a["secret_here"] for a in listed] == [True]
    assert clinic.demo.token not in captured.out + captured.err
    # The token went to the keyring only: no column of the server holds it.
    with clinic.store.read() as s:
        row = s.execute(text("SELECT row_to_json(a)::text FROM channel_account a")).scalar()
    assert clinic.demo.token not in str(row)
    # By id works too (a new token replaces the old one).
    monkeypatch.setattr("sys.stdin", io.StringIO("second-token\n"))
    assert main(["agent", "secret", "set", clinic.kakao, "--server-url", clinic.url]) == 0
    assert memory_keyring.secrets[("sotong", clinic.kakao)] == "second-token"


def test_an_unknown_or_ambiguous_name_stores_nothing(
    clinic: Clinic,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("token\n"))
    assert main(["agent", "secret", "set", "없는 채널", "--server-url", clinic.url]) == 1
    assert "no channel account has the id or name" in capsys.readouterr().err
    other = services.add_account(
        clinic.store,
        services.Actor(None),
        kind="kakaotalk",
        connector="demo",
        external_id="kakao:branch",
        display_name=NAME,
        config={"base_url": clinic.demo.base_url, "channel": "kakaotalk"},
        secret="x",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("token\n"))
    assert main(["agent", "secret", "set", NAME, "--server-url", clinic.url]) == 1
    err = capsys.readouterr().err
    assert "several channel accounts" in err and clinic.kakao in err and other in err
    assert ("sotong", clinic.kakao) not in memory_keyring.secrets
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["agent", "secret", "set", clinic.kakao, "--server-url", clinic.url]) == 1
    assert ("sotong", clinic.kakao) not in memory_keyring.secrets


def _last_error(store: Store, account: str) -> str | None:
    with store.read() as s:
        row = s.get(ChannelAccount, account)
        assert row is not None
        return row.last_error


def _conversations(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Conversation)) or 0)


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_leading_agent_without_the_token_says_so_and_picks_it_up_once_stored(
    clinic: Clinic, tmp_path: Path
) -> None:
    keyring_file = tmp_path / "keyring.json"
    write_keyring(keyring_file, {})
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "tests.helpers.filekeyring.FileKeyring",
        "SOTONG_TEST_KEYRING": str(keyring_file),
    }
    data_dir = tmp_path / "agent"
    data_dir.mkdir()
    with (data_dir / "stderr.txt").open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "console.cli", "agent", "--server-url", clinic.url,
             "--data-dir", str(data_dir), "--poll-interval", "0.3", "--standby-retry", "0.3"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:
        _until(lambda: _last_error(clinic.store, clinic.kakao) == "no_secret", 30, "no_secret")
        assert _conversations(clinic.store) == 0  # the channel is silent without its token
        stored = subprocess.run(
            [sys.executable, "-m", "console.cli", "agent", "secret", "set", NAME,
             "--server-url", clinic.url],
            cwd=ROOT, env=env, input=clinic.demo.token + "\n", capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert stored.returncode == 0, stored.stderr
        assert clinic.demo.token not in stored.stdout + stored.stderr
        # No restart: the running leader connects the account and fetches.
        _until(lambda: _conversations(clinic.store) == 1, 30, "the first fetch")
        _until(lambda: _last_error(clinic.store, clinic.kakao) is None, 10, "the error cleared")
        log = (data_dir / "agent.log").read_text(encoding="utf-8")
        assert "sotong agent secret set" in log and clinic.demo.token not in log
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
