"""Channel accounts: secrets in the keyring only, and the admin CLI that manages them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from console import services
from console.accounts import list_accounts
from console.cli import main
from console.demo.server import DemoServer
from console.secrets import NoSecretStore
from console.store import open_store
from tests.conftest import MemoryKeyring

TOKEN = "EAAG-secret-page-token-123"


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_adding_an_account_puts_the_secret_in_the_keyring_only(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    store = open_store(data_dir)
    account_id = services.add_account(
        store,
        services.Actor(None),
        kind="facebook",
        connector="demo",
        external_id="page-1",
        display_name="소통의원 Facebook",
        config={"base_url": "http://127.0.0.1:9"},
        secret=TOKEN,
    )
    store.close()
    assert memory_keyring.secrets[("sotong", account_id)] == TOKEN
    for path in data_dir.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path


def test_without_a_keyring_nothing_is_saved_and_it_says_so(data_dir: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    store = open_store(data_dir)
    with pytest.raises(NoSecretStore):
        services.add_account(
            store,
            services.Actor(None),
            kind="telegram",
            connector="demo",
            external_id="bot",
            display_name="bot",
            config={},
            secret=TOKEN,
        )
    assert list_accounts(store) == []
    store.close()


def test_bad_accounts_are_refused_with_codes(data_dir: Path) -> None:
    store = open_store(data_dir)
    actor = services.Actor(None)
    kwargs = {"external_id": "x", "display_name": "x", "config": {}, "secret": None}
    with pytest.raises(services.UnknownChannel):
        services.add_account(store, actor, kind="myspace", connector="demo", **kwargs)
    with pytest.raises(services.UnknownConnector):
        services.add_account(store, actor, kind="x", connector="carrier-pigeon", **kwargs)
    services.add_account(store, actor, kind="x", connector="demo", **kwargs)
    with pytest.raises(services.AccountExists):
        services.add_account(store, actor, kind="x", connector="demo", **kwargs)
    store.close()


def test_admin_cli_adds_tests_lists_and_removes(
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with DemoServer(interval_s=0) as server:
        monkeypatch.setattr("sys.stdin", io.StringIO(server.token + "\n"))
        code = main(
            [
                "account",
                "add",
                "--data-dir",
                str(data_dir),
                "--kind",
                "kakaotalk",
                "--connector",
                "demo",
                "--name",
                "카카오톡 채널",
                "--external-id",
                "demo:kakao",
                "--config",
                f"base_url={server.base_url}",
                "--config",
                "channel=kakaotalk",
                "--secret-stdin",
            ]
        )
        added = _lines(capsys.readouterr().out)[-1]
        assert code == 0 and added["ok"] is True
        account_id = str(added["id"])

        assert main(["account", "test", str(account_id), "--data-dir", str(data_dir)]) == 0
        assert _lines(capsys.readouterr().out)[-1] == {"ok": True, "error": None, "id": account_id}

        memory_keyring.secrets[("sotong", account_id)] = "revoked"
        assert main(["account", "test", account_id, "--data-dir", str(data_dir)]) == 1
        assert _lines(capsys.readouterr().out)[-1]["error"] == "auth_expired"

    assert main(["account", "list", "--data-dir", str(data_dir)]) == 0
    listed = capsys.readouterr().out
    assert "revoked" not in listed and server.token not in listed
    row = _lines(listed)[0]
    assert (row["display_name"], row["has_secret"], row["enabled"]) == ("카카오톡 채널", True, True)

    assert main(["account", "remove", account_id, "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    assert ("sotong", account_id) not in memory_keyring.secrets
    main(["account", "list", "--data-dir", str(data_dir)])
    assert _lines(capsys.readouterr().out)[0]["enabled"] is False


def test_the_secret_is_never_an_argument() -> None:
    with pytest.raises(SystemExit):
        main(
            [
                "account",
                "add",
                "--kind",
                "x",
                "--name",
                "n",
                "--external-id",
                "e",
                "--secret",
                TOKEN,
            ]
        )


def test_reconnecting_replaces_the_token_and_clears_the_error(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    store = open_store(data_dir)
    actor = services.Actor(None)
    account_id = services.add_account(
        store,
        actor,
        kind="telegram",
        connector="telegram",
        external_id="sotong_bot",
        display_name="봇",
        config={},
        secret="old-token",
    )
    with store.write() as s:
        from console.store.models import ChannelAccount

        s.get(ChannelAccount, account_id).last_error = "auth_expired"  # type: ignore[union-attr]
    services.reconnect_account(store, actor, account_id, "new-token")
    assert memory_keyring.secrets[("sotong", account_id)] == "new-token"
    assert list_accounts(store)[0].last_error is None
    store.close()


def test_a_removed_account_can_be_connected_again_with_its_conversations(data_dir: Path) -> None:
    store = open_store(data_dir)
    actor = services.Actor(None)
    kwargs = {
        "kind": "x",
        "connector": "x",
        "external_id": "123",
        "display_name": "@clinic",
        "config": {},
        "secret": "tok",
    }
    first = services.add_account(store, actor, **kwargs)  # type: ignore[arg-type]
    services.remove_account(store, actor, first)
    assert list_accounts(store)[0].removed
    again = services.add_account(store, actor, **kwargs)  # type: ignore[arg-type]
    assert again == first
    row = list_accounts(store)[0]
    assert (row.removed, row.enabled, row.has_secret) == (False, True, True)
    store.close()


def test_connectors_reach_the_apis_through_the_clinics_proxy(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from console.accounts import build_runtime

    seen: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)  # a proxy is asked for the absolute URL
            body = b'{"ok": true, "result": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    store = open_store(data_dir)
    try:
        services.add_account(
            store,
            services.Actor(None),
            kind="telegram",
            connector="telegram",
            external_id="sotong_bot",
            display_name="봇",
            config={"base_url": "http://api.telegram.invalid"},
            secret="123:abc",
        )
        runtime = build_runtime(store, proxy=f"http://127.0.0.1:{proxy.server_address[1]}")
        report = runtime.poll_once()
        runtime.close()
        assert report.errors == {}
        assert seen and seen[0].startswith("http://api.telegram.invalid/bot")
    finally:
        proxy.shutdown()
        proxy.server_close()
        store.close()


def test_items_a_connector_leaves_out_are_counted_in_the_accounts_health(data_dir: Path) -> None:
    from console.channels.telegram import TelegramChannel
    from console.demo.telegram_server import TelegramServer, load_telegram_data
    from console.runtime import Runtime

    store = open_store(data_dir)
    data = load_telegram_data()
    with TelegramServer(data) as server:
        account_id = services.add_account(
            store,
            services.Actor(None),
            kind="telegram",
            connector="telegram",
            external_id="bot",
            display_name="봇",
            config={"base_url": server.base_url},
            secret=None,
        )
        channel = TelegramChannel.from_config({"base_url": server.base_url}, server.token)
        runtime = Runtime(store, {account_id: channel})
        assert runtime.poll_once().fetched > 0
        before = list_accounts(store)[0].skipped_items
        data.update("message", {"message_id": "x", "text": "chat missing"})  # malformed
        data.update("message", {"message_id": 7, "chat": "not an object"})
        report = runtime.poll_once()
        runtime.poll_once()  # nothing new: the count does not grow
        runtime.close()
    assert not report.errors
    row = list_accounts(store)[0]
    assert row.skipped_items == before + 2 and row.last_skip_reason
    store.close()
