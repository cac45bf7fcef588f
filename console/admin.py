"""``sotong account`` and ``sotong fetch``: channel administration for clinic IT, scriptable.

Output is JSON (one object per line where there are several) so scripts can read it; exit
status 0 means success, 1 a refused or failed action (the JSON says why), 2 bad usage.
Secrets are read from standard input (``--secret-stdin``) or asked for without echo, never
taken from the command line, and never printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from console import services
from console.accounts import build_runtime, check_connection, list_accounts
from console.errors import SotongError
from console.store import open_store
from console.store.engine import Store


def _say(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False))


def _config(pairs: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"--config wants KEY=VALUE, got {pair!r}")
        config[key.strip()] = value
    return config


def _read_secret(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("token or password (not shown): ")


def run_account(args: argparse.Namespace, data_dir: Path) -> int:
    """Carry out ``sotong account ACTION``."""
    store = open_store(data_dir)
    try:
        return _account(args, store)
    except SotongError as exc:
        _say({"ok": False, "error": exc.code, **{k: str(v) for k, v in exc.params.items()}})
        return 1
    finally:
        store.close()


def _account(args: argparse.Namespace, store: Store) -> int:
    actor = services.Actor(None)
    if args.action == "add":
        secret = None if args.no_secret else _read_secret(args.secret_stdin)
        account_id = services.add_account(
            store,
            actor,
            kind=args.kind,
            connector=args.connector or args.kind,
            external_id=args.external_id,
            display_name=args.name,
            config=_config(args.config),
            secret=secret or None,
        )
        _say({"ok": True, "id": account_id})
        return 0
    if args.action == "list":
        for row in list_accounts(store):
            _say(dataclasses.asdict(row))
        return 0
    known = {row.id: row for row in list_accounts(store)}
    if args.account_id not in known:
        _say({"ok": False, "error": "account_not_found", "account_id": args.account_id})
        return 1
    if args.action == "test":
        error = check_connection(known[args.account_id])
        _say({"ok": error is None, "error": error, "id": args.account_id})
        return 0 if error is None else 1
    if args.action == "remove":
        services.remove_account(store, actor, args.account_id)
    else:
        services.set_account_enabled(store, actor, args.account_id, args.action == "enable")
    _say({"ok": True, "id": args.account_id})
    return 0


def run_fetch(args: argparse.Namespace, data_dir: Path) -> int:
    """One round of polling and sending: ``sotong fetch [--account ID] --once``."""
    store = open_store(data_dir)
    runtime = build_runtime(store, only=args.account)
    try:
        runtime.recover_interrupted()
        report = runtime.poll_once()
        sent = runtime.send_due()
        _say(
            {
                "ok": not report.errors,
                "accounts": len(runtime.channels),
                "fetched": report.fetched,
                "errors": report.errors,
                "outbox_changed": sent.outbox,
            }
        )
        return 0 if not report.errors else 1
    finally:
        runtime.close()
        store.close()
