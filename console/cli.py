"""The ``sotong`` command.

``sotong`` (or ``sotong gui``) opens the console on this PC's store; ``sotong demo`` opens it
against the demo channels; ``sotong bench`` measures speed; ``sotong doctor`` reports on the
installation for clinic IT; ``sotong search`` searches every conversation (JSON Lines out) and
``sotong search --rebuild`` rebuilds the search index; ``sotong report`` writes the manager's
figures for a period (CSV/XLSX) and ``sotong export`` conversations (JSON Lines/CSV, masked);
``sotong agent`` is the headless process for the clinic server (polls channels and sends
replies while it leads). The desktop commands load the Qt UI lazily, so the others run on a
machine without a display (or without Qt at all).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console import __version__, report_command
from console.routing import command as route_command
from console.settings import default_data_dir

log = logging.getLogger("sotong")

COMMANDS = frozenset(
    {
        "gui",
        "demo",
        "bench",
        "doctor",
        "account",
        "fetch",
        "route",
        "search",
        "report",
        "export",
        "agent",
    }
)


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder holding the database and settings (default: the per-user data folder)",
    )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser = argparse.ArgumentParser(prog="sotong", description="소통 — clinic operator console")
    parser.add_argument("--version", action="version", version=f"sotong {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    gui = sub.add_parser("gui", parents=[common], help="open the console (the default)")
    _add_data_dir(gui)
    gui.add_argument("--language", choices=("ko", "en"), help="UI language for this run")

    demo = sub.add_parser("demo", parents=[common], help="open the console on the demo channels")
    _add_data_dir(demo)
    demo.add_argument("--language", choices=("ko", "en"), help="UI language for this run")
    demo.add_argument("--screenshot", type=Path, help="save a PNG of the window and quit")
    demo.add_argument("--quit-after", type=float, help="quit after this many seconds")
    demo.add_argument(
        "--show",
        choices=("main", "dashboard"),
        default="main",
        help="what --screenshot shows: the main window or the managers' dashboard",
    )
    demo.add_argument(
        "--interval", type=float, default=6.0, help="seconds between new demo messages (default 6)"
    )

    bench = sub.add_parser("bench", parents=[common], help="measure speed on a generated store")
    bench.add_argument("--conversations", type=int, default=100_000)
    bench.add_argument("--messages", type=int, default=1_000_000)
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--keep", type=Path, help="build the store here and keep it")
    bench.add_argument("--skip-ui", action="store_true", help="do not measure the first paint")
    bench.add_argument(
        "--server-url",
        help="a PostgreSQL server to measure sync against (postgresql://user:pw@host/db;"
        " the bench makes and drops a database of its own there)",
    )
    bench.add_argument(
        "--sync-scale", type=float, default=1.0, help="share of 100,000 conversations to sync"
    )
    bench.add_argument("--sync-only", action="store_true", help="only the sync figures")

    doctor = sub.add_parser("doctor", parents=[common], help="check the installation and the store")
    _add_data_dir(doctor)

    account = sub.add_parser("account", help="connect and manage channel accounts")
    acts = account.add_subparsers(dest="action", required=True)
    leaf = argparse.ArgumentParser(add_help=False, parents=[common])
    _add_data_dir(leaf)
    add = acts.add_parser(
        "add", parents=[leaf], help="connect an account (the secret is read from stdin or asked)"
    )
    add.add_argument(
        "--kind", required=True, help="channel: facebook, instagram, x, telegram, email ..."
    )
    add.add_argument("--connector", help="connector code (default: the kind)")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--external-id", required=True, help="page id, bot name, address ...")
    add.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="connector setting (repeatable; never a secret)",
    )
    add.add_argument(
        "--secret-stdin", action="store_true", help="read the token or password from standard input"
    )
    add.add_argument("--no-secret", action="store_true", help="the account needs no secret")
    listing = acts.add_parser("list", parents=[leaf], help="list accounts")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    for name, text in (
        ("test", "try an account's connection"),
        ("remove", "disconnect an account"),
        ("enable", "resume polling an account"),
        ("disable", "pause an account"),
    ):
        act = acts.add_parser(name, parents=[leaf], help=text)
        act.add_argument("account_id")

    route_command.add_parser(sub, parents=[common])
    report_command.add_parsers(sub, parents=[common])

    find = sub.add_parser(
        "search", parents=[common], help="search every conversation (one JSON object per line)"
    )
    _add_data_dir(find)
    find.add_argument(
        "query", nargs="?", help="terms, \"phrases\" and filters, e.g. '쌍수 dept:plastic'"
    )
    find.add_argument("--limit", type=int, default=50, help="most conversations (default 50)")
    find.add_argument(
        "--rebuild", action="store_true", help="rebuild the search index (progress on stderr)"
    )

    agent = sub.add_parser(
        "agent",
        parents=[common],
        help="run headless on the clinic server: poll channels and send replies while leading",
    )
    _add_data_dir(agent)
    agent.add_argument(
        "--server-url",
        help="postgresql://USER@HOST:PORT/DATABASE[?sslmode=verify-full&sslrootcert=CA.pem];"
        " the password is read from the keyring (default: this machine's server settings)",
    )
    agent.add_argument(
        "--log-file",
        type=Path,
        help="rotating log file (default: agent.log in the data folder)",
    )
    agent.add_argument(
        "--poll-interval",
        type=float,
        help="seconds between polling rounds while leading (default: the settings' value)",
    )
    agent.add_argument(
        "--standby-retry",
        type=float,
        default=3.0,
        help="seconds between a standby agent's attempts to lead (default 3)",
    )
    agent.add_argument(
        "--store-password",
        action="store_true",
        help="read the clinic server's password (standard input, or asked) into this"
        " machine's keyring, then exit",
    )
    agent.add_argument(
        "--store-secret",
        metavar="ACCOUNT_ID",
        help="read a channel account's token or password (standard input, or asked) into this"
        " machine's keyring, then exit",
    )
    agent.add_argument(
        "--list-accounts",
        action="store_true",
        help="list the server's channel accounts and whether this machine's keyring has each"
        " one's secret (one JSON object a line), then exit",
    )
    agent.add_argument(
        "--migrate-only",
        action="store_true",
        help="bring the server's tables up to this version, then exit (run it with the role"
        " that owns the tables after an upgrade)",
    )
    agent.add_argument(
        "--stale-after",
        type=float,
        help="seconds a leader may go without a heartbeat before a standby replaces it"
        " (default 30)",
    )
    agent.add_argument(
        "--log-keep-days",
        type=float,
        default=30.0,
        help="days the leader keeps the server's change log and applied ops; a PC away"
        " longer copies everything afresh (default 30)",
    )
    agent_sub = agent.add_subparsers(dest="agent_command", metavar="{secret}")
    secret = agent_sub.add_parser(
        "secret", help="channel tokens in this machine's keyring (the leader needs them)"
    )
    secret_sub = secret.add_subparsers(dest="keyring_action", required=True)
    secret_set = secret_sub.add_parser(
        "set",
        help="read an account's token (standard input, or asked without echo) into this"
        " machine's keyring",
    )
    secret_set.add_argument("account", metavar="ACCOUNT_ID_OR_NAME")
    secret_list = secret_sub.add_parser(
        "list",
        help="the server's channel accounts and whether this machine's keyring has each"
        " one's token (never the token; one JSON object a line)",
    )
    for p in (secret_set, secret_list):
        p.add_argument(
            "--server-url",
            dest="secret_server_url",
            help="as for `sotong agent` (default: this machine's server settings)",
        )
        p.add_argument(
            "--data-dir",
            dest="secret_data_dir",
            type=Path,
            default=None,
            help="as for `sotong agent`",
        )

    fetch = sub.add_parser("fetch", parents=[common], help="poll channel accounts now")
    _add_data_dir(fetch)
    fetch.add_argument("--account", help="only this account id")
    fetch.add_argument(
        "--once",
        action="store_true",
        required=True,
        help="one round of polling and sending, then exit",
    )
    return parser


def _run_gui(args: argparse.Namespace, demo: bool) -> int:
    # Imported by name so the core never depends on Qt; only these two commands need it.
    app = importlib.import_module("ui.app")
    data_dir = args.data_dir or (default_data_dir() / "demo" if demo else default_data_dir())
    options = app.AppOptions(
        data_dir=data_dir,
        demo=demo,
        language=args.language,
        screenshot=getattr(args, "screenshot", None),
        quit_after=getattr(args, "quit_after", None),
        demo_interval_s=getattr(args, "interval", 6.0),
        show=getattr(args, "show", "main"),
    )
    return int(app.run(options))


def _run_agent(args: argparse.Namespace) -> int:
    from console.agent import LOG_FILE, Agent, resolve_server, setup_logging
    from console.settings import load_settings

    data_dir = args.data_dir or getattr(args, "secret_data_dir", None) or default_data_dir()
    if args.store_password or args.store_secret:
        from console.agent import store_secret

        return store_secret(args.store_secret)
    settings = load_settings(data_dir)
    url, password = resolve_server(
        args.server_url or getattr(args, "secret_server_url", None), data_dir
    )
    if args.agent_command == "secret":
        from console.agent import list_server_accounts, secret_set

        if args.keyring_action == "set":
            return secret_set(url, password, args.account)
        return list_server_accounts(url, password)
    if args.migrate_only:
        from console.agent import migrate_only

        return migrate_only(url, password)
    if args.list_accounts:
        from console.agent import list_server_accounts

        return list_server_accounts(url, password)
    setup_logging(args.log_file or data_dir / LOG_FILE, args.verbose)
    agent = Agent(
        url,
        password=password,
        data_dir=data_dir,
        poll_interval_s=args.poll_interval or settings.poll_interval_s,
        standby_retry_s=args.standby_retry,
        proxy=settings.proxy,
        stale_after_s=args.stale_after,
        log_keep_days=args.log_keep_days,
    )
    agent.install_signal_handlers()
    return agent.run()


def _run_bench(args: argparse.Namespace) -> int:
    from console import bench

    say = None if args.json else print
    figures: dict[str, Any] = {}
    if not args.sync_only:
        figures = bench.run(
            conversations=args.conversations,
            messages=args.messages,
            keep=args.keep,
            measure_ui=not args.skip_ui,
            progress=say,
        )
    if args.server_url:
        from console.sync import bench as sync_bench

        figures.update(sync_bench.measure(args.server_url, args.sync_scale, say))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(bench.format_table(figures))
    return 0


def _run_search(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from console.store import open_store, search

    if args.query is None and not args.rebuild:
        parser.error("search: a query or --rebuild is required")

    def progress(done: int, total: int) -> None:
        print(json.dumps({"indexed": done, "total": total}), file=sys.stderr, flush=True)

    store = open_store(args.data_dir or default_data_dir())
    try:
        if args.rebuild:
            search.rebuild(store, progress)
        elif not search.index_status(store).ready:
            search.ensure_index(store, progress)  # finish indexing the history first
        if args.query is not None:
            for hit in search.search(store, args.query, limit=args.limit):
                row = {
                    "conversation_id": hit.conversation_id,
                    "snippet": hit.snippet,
                    "score": hit.score,
                }
                print(json.dumps(row, ensure_ascii=False))
    finally:
        store.close()
    return 0


def doctor_report(data_dir: Path) -> dict[str, Any]:
    """What clinic IT needs to know about this installation (no secret in it)."""
    import keyring

    from console.store.engine import DB_NAME, sqlite_engine
    from console.store.schema import current_revision, head_revision

    report: dict[str, Any] = {"version": __version__, "data_dir": str(data_dir)}
    db = data_dir / DB_NAME
    report["database"] = str(db)
    report["database_exists"] = db.exists()
    report["schema_head"] = head_revision()
    if db.exists():
        engine = sqlite_engine(db)
        try:
            report["schema_current"] = current_revision(engine)
        finally:
            engine.dispose()
    backend = keyring.get_keyring()
    report["keyring_backend"] = type(backend).__name__
    report["keyring_usable"] = "fail" not in type(backend).__module__
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sotong`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not (set(argv) & (COMMANDS | {"-h", "--help", "--version"})):
        argv.insert(0, "gui")  # plain `sotong [--data-dir D]` opens the console
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for noisy in ("alembic", "httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    command = args.command
    if command == "gui":
        return _run_gui(args, demo=False)
    if command == "demo":
        return _run_gui(args, demo=True)
    if command == "bench":
        return _run_bench(args)
    if command == "account":
        from console.admin import run_account

        return run_account(args, args.data_dir or default_data_dir())
    if command == "agent":
        return _run_agent(args)
    if command == "fetch":
        from console.admin import run_fetch

        return run_fetch(args, args.data_dir or default_data_dir())
    if command == "route":
        return route_command.run(args)
    if command == "search":
        return _run_search(args, parser)
    if command in ("report", "export"):
        return report_command.run(args)
    if command == "doctor":
        report = doctor_report(args.data_dir or default_data_dir())
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
