"""``sotong agent``: the headless process on the clinic server that polls channels and sends.

With a clinic server, exactly one process — the leader (:mod:`console.sync.leader`) — polls
the channel accounts and sends the outbox, against the server's store; the PCs see the
results by sync. The agent runs on the server (or any machine that stays on) so no front-desk
PC has to. Several agents may run: one leads, the others stand by and take over within
seconds when it stops, and within :data:`~console.sync.leader.STALE_AFTER_S` (or the server's
TCP keepalives, about 50 s) when it freezes or its machine vanishes.

The loop:

- standby: try the leader lock every :attr:`Agent.standby_retry_s` seconds;
- on becoming leader: build the connectors (``console.accounts.build_runtime``, fenced by the
  leader's epoch), settle the replies an earlier leader left ``sending``, start the heartbeat;
- as leader: poll the accounts, send due replies, wake snoozes, hand out waiting
  conversations when staff came on duty on a PC; then wait the poll interval
  (or less, when a channel with server push says there is news);
- a refused write (:class:`~console.errors.StaleLeader`) or a lost lock: stand down, back to
  standby; the server unreachable: log it, retry.

SIGTERM and SIGINT stop it cleanly: the step in progress finishes (no new reply is claimed
after the signal), the lock is given back at once so another agent takes over, connections
close, and the process exits 0. No Qt is imported here or below.
"""

from __future__ import annotations

import getpass
import json
import logging
import logging.handlers
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from sqlalchemy import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from console import secrets
from console.errors import NoSecretStore, SotongError, StaleLeader, StorageError
from console.runtime import Fence, Runtime
from console.store.engine import Store
from console.sync.config import SECRET_KEY

if TYPE_CHECKING:
    from console.accounts import AccountRow

log = logging.getLogger("sotong.agent")

#: The keyring entry (service ``sotong``) holding the clinic server's password: the same
#: one Settings → Clinic server writes on a PC.
SERVER_SECRET_KEY = SECRET_KEY

#: Seconds between a standby's attempts at the leader lock.
STANDBY_RETRY_S = 3.0

#: Seconds before trying the server again after it could not be reached.
UNREACHABLE_RETRY_S = 5.0

#: The rotating log: this many bytes per file, this many old files kept.
LOG_MAX_BYTES = 5_000_000
LOG_BACKUPS = 5

LOG_FILE = "agent.log"

#: While leading without some accounts' tokens, look in the keyring again this often: a
#: token stored meanwhile (``sotong agent secret set``) is used without a restart.
SECRET_RECHECK_S = 30.0


def safe_url(url: str | URL) -> str:
    """The URL as it may be logged or shown: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is not echoed at all
        return "<unreadable URL>"


def server_password(url: str | URL) -> str | None:
    """The password to log in with: the one in the URL if it has one (not recommended: the
    command line is visible to other users of the machine), else the keyring's.

    Raises:
        NoSecretStore: the URL has no password and there is no keyring backend.
    """
    if make_url(url).password is not None:
        return None
    return secrets.get_secret(SERVER_SECRET_KEY)


def setup_logging(log_file: Path, verbose: bool = False) -> logging.Handler:
    """Log to a size-limited rotating file (as well as standard error).

    Returns:
        The file handler (remove it when done).
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return handler


@dataclass
class AgentReport:
    """What a run did, for the log and for tests."""

    rounds: int = 0  # rounds done as leader
    terms: int = 0  # times this process became leader
    stood_down: int = 0  # times it found another had taken over


class Agent:
    """The agent's loop (see the module docstring).

    Args:
        url: The clinic server's URL (its password is not logged).
        password: The password, if it is not in the URL.
        data_dir: The agent's data folder (log, learned routing model).
        poll_interval_s: Seconds between polling rounds as leader.
        standby_retry_s: Seconds between attempts at the leader lock.
        proxy: HTTP proxy for the channel APIs.
        stale_after_s: How long a leader may be silent (no heartbeat) before a standby
            replaces it (default :data:`~console.sync.leader.STALE_AFTER_S`).
        runtime_factory: Builds the runtime on the server store for a leader (tests inject
            transports here); by default every enabled account's connector.
        log_keep_days: Days of change log and applied ops the leader keeps (pruned every
            :data:`~console.sync.housekeeping.PRUNE_EVERY_S` while leading).
    """

    def __init__(
        self,
        url: str | URL,
        *,
        password: str | None = None,
        data_dir: Path,
        poll_interval_s: float = 5.0,
        standby_retry_s: float = STANDBY_RETRY_S,
        proxy: str = "",
        stale_after_s: float | None = None,
        runtime_factory: Callable[[Store, Fence], Runtime] | None = None,
        log_keep_days: float | None = None,
    ) -> None:
        from console.sync.housekeeping import KEEP_DAYS
        from console.sync.leader import HEARTBEAT_S, STALE_AFTER_S, Leader

        self.url = url
        self.password = password
        self.data_dir = data_dir
        self.poll_interval_s = poll_interval_s
        self.standby_retry_s = standby_retry_s
        self.proxy = proxy
        stale_after = STALE_AFTER_S if stale_after_s is None else stale_after_s
        self.leader = Leader(url, password=password, stale_after_s=stale_after)
        self.heartbeat_s = min(HEARTBEAT_S, stale_after / 3)
        self.secret_recheck_s = min(SECRET_RECHECK_S, max(1.0, 5 * poll_interval_s))
        self.report = AgentReport()
        #: Its node id on the server: the same after every restart of this agent, another
        #: than any other process's (see :func:`console.store.server.node_for`).
        self.node_id = agent_node(data_dir)
        self._runtime_factory = runtime_factory
        self.log_keep_days = KEEP_DAYS if log_keep_days is None else log_keep_days
        self._pruned_at: float | None = None  # monotonic time of the last pruning
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._store: Store | None = None
        self._runtime: Runtime | None = None
        self._heartbeat: threading.Thread | None = None
        self._term_over = threading.Event()
        #: Accounts left out of this term's runtime for want of a token here, and when to
        #: look in the keyring for them again.
        self._missing: list[str] = []
        self._recheck_at = 0.0

    # -- control -------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to stop after the current step (safe from a signal handler)."""
        self._stop.set()
        self._wake.set()
        runtime = self._runtime
        if runtime is not None:
            runtime.stop_soon()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the agent cleanly (main thread only)."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: stopping", signal.Signals(signum).name)
            self.stop()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped. Returns the exit status (0: stopped cleanly)."""
        log.info("agent started for %s", safe_url(self.url))
        try:
            while not self._stop.is_set():
                self._step()
        finally:
            self._stand_down("stopping")
            self.leader.close()
            if self._store is not None:
                self._store.close()
                self._store = None
            log.info("agent stopped")
        return 0

    def _step(self) -> None:
        try:
            if self._runtime is None or not self.leader.is_leader:
                self._stand_down("the lock was lost")
                if self._store is None:
                    try:
                        self._open_store()  # migrates a new or older database
                    except StorageError as exc:
                        # A frozen leader may hold the store's write lock (opening writes):
                        # trying the leader lock is what ends its sessions.
                        log.warning("cannot open the server store yet: %s", exc.params)
                if not self.leader.try_acquire():
                    self._wait(self.standby_retry_s)
                    return
                self._become_leader(self._open_store())
            self._pick_up_tokens()
            runtime = self._runtime
            assert runtime is not None
            self._round(runtime)
            self.report.rounds += 1
            self._housekeep()
        except StaleLeader as exc:
            self.report.stood_down += 1
            log.warning(
                "write refused: another process leads now (epoch %s, ours was %s)",
                exc.params.get("current"),
                exc.params.get("epoch"),
            )
            self._stand_down("another process leads")
            return
        except StorageError as exc:
            log.warning("clinic server unavailable: %s", exc.params.get("reason", exc.code))
            self._wait(UNREACHABLE_RETRY_S)
            return
        except Exception:
            log.exception("agent step failed; standing down and trying again")
            self._stand_down("error")
            self._wait(UNREACHABLE_RETRY_S)
            return
        self._wait(self.poll_interval_s)

    def _round(self, runtime: Runtime) -> None:
        report = runtime.poll_once()
        if report.fetched:
            log.info("fetched %d new messages", report.fetched)
        for account_id, code in report.errors.items():
            log.info("account %s: %s", account_id, code)
        if not self._stop.is_set():
            runtime.send_due()
        if not self._stop.is_set():
            runtime.wake_snoozed()
        if not self._stop.is_set():
            given = runtime.hand_out_on_duty()
            if given.conversations:
                log.info(
                    "staff came on duty: handed out %d conversations", len(given.conversations)
                )

    def _housekeep(self) -> None:
        """As leader, prune the server's old change log and applied ops now and then."""
        from console.sync.housekeeping import PRUNE_EVERY_S, prune

        now = time.monotonic()
        if self._store is None or (
            self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY_S
        ):
            return
        self._pruned_at = now
        try:
            prune(self._store, self.log_keep_days)
        except SQLAlchemyError as exc:
            log.warning("pruning the change log failed: %s", type(exc).__name__)

    def _open_store(self) -> Store:
        if self._store is None:
            from console.store.server import open_server_store
            from console.sync.leader import session_name

            self._store = open_server_store(
                self.url,
                password=self.password,
                application_name=session_name(self.leader.holder),
                node_id=self.node_id,
            )
        return self._store

    def _become_leader(self, store: Store) -> None:
        """Start a term (the lock is held): heartbeat, connectors, settle earlier claims."""
        self.report.terms += 1
        # The heartbeat starts first: building the connectors and the classifier takes a
        # while, and a standby must not take this process for frozen meanwhile.
        term_over = self._term_over = threading.Event()
        self._heartbeat = threading.Thread(
            target=self._beat, args=(term_over,), name="sotong-leader-heartbeat", daemon=True
        )
        self._heartbeat.start()
        try:
            if self._runtime_factory is not None:
                runtime = self._runtime_factory(store, self.leader)
            else:
                runtime = self._build_runtime(store)
            self._runtime = runtime
            recovered = runtime.recover_interrupted()
            if recovered.outbox:
                log.info("settled replies an earlier leader left sending")
            runtime.watch(self._wake.set)
            self._note_missing(store)
        except BaseException:
            self._stand_down("start failed")
            raise
        log.info(
            "leading with %d channel accounts (epoch %s)", len(runtime.channels), self.leader.epoch
        )

    def _note_missing(self, store: Store) -> None:
        """Remember the accounts whose token this machine lacks (the runtime left them out,
        recording ``no_secret`` on the account for the PCs' status bars)."""
        self._missing = missing_secrets(store)
        self._recheck_at = time.monotonic() + self.secret_recheck_s
        for account_id in self._missing:
            log.warning(
                "account %s has no token in this machine's keyring: it is not polled and its"
                " replies wait (store one with `sotong agent secret set %s`)",
                account_id,
                account_id,
            )

    def _pick_up_tokens(self) -> None:
        """While leading without some tokens: every :attr:`secret_recheck_s` seconds (at most
        :data:`SECRET_RECHECK_S`, five polling intervals), look again; once one is there,
        build the runtime afresh (no restart needed)."""
        if not self._missing or time.monotonic() < self._recheck_at:
            return
        self._recheck_at = time.monotonic() + self.secret_recheck_s
        found = []
        for account_id in self._missing:
            try:
                if secrets.get_secret(account_id) is not None:
                    found.append(account_id)
            except NoSecretStore:
                return
        if not found or self._store is None:
            return
        log.info("token now stored for %s: connecting", ", ".join(found))
        old = self._runtime
        if self._runtime_factory is not None:
            runtime = self._runtime_factory(self._store, self.leader)
        else:
            runtime = self._build_runtime(self._store)
        self._runtime = runtime
        runtime.watch(self._wake.set)
        if old is not None:
            old.close()
        self._note_missing(self._store)

    def _build_runtime(self, store: Store) -> Runtime:
        from console.accounts import build_runtime
        from console.routing.triage import Triage

        triage = Triage.for_data_dir(self.data_dir)
        return build_runtime(store, triage=triage, proxy=self.proxy, fence=self.leader)

    def _beat(self, term_over: threading.Event) -> None:
        while not term_over.wait(self.heartbeat_s):
            if not self.leader.heartbeat():
                self._wake.set()  # the loop stands down at once
                return

    def _stand_down(self, why: str) -> None:
        """End this term, if there is one: stop the heartbeat, close the connectors, give
        the lock back (at once, so another agent can take over)."""
        runtime, self._runtime = self._runtime, None
        beat, self._heartbeat = self._heartbeat, None
        self._term_over.set()
        if beat is not None:
            beat.join(timeout=10)
        if runtime is not None:
            runtime.close()
        if runtime is not None or self.leader.is_leader:
            self.leader.release()
            log.info("no longer leading: %s", why)

    def _wait(self, seconds: float) -> None:
        self._wake.wait(seconds)
        if not self._stop.is_set():
            self._wake.clear()


def agent_node(data_dir: Path) -> str:
    """The node id of the agent that keeps its files in ``data_dir`` on this machine."""
    from console.store.server import node_for

    return node_for("agent", platform.node(), str(data_dir.resolve()))


def resolve_server(url: str | None, data_dir: Path) -> tuple[str | URL, str | None]:
    """The server URL and password to use: ``--server-url`` if given, else the ``[server]``
    settings in the data folder (as Settings → Clinic server writes them on a PC); the
    password from the keyring either way.

    Raises:
        SystemExit: no server given or configured, or no keyring for the password.
    """
    try:
        if url:
            return url, server_password(url)
        from console.settings import load_settings
        from console.sync.config import server_url

        server = load_settings(data_dir).server
        if not server.configured:
            raise SystemExit(
                "no clinic server: give --server-url postgresql://USER@HOST:PORT/DATABASE, or"
                f" fill in the [server] table of {data_dir / 'settings.toml'} (enabled = true)"
                " (the password is read from the keyring)"
            )
        return server_url(server, secrets.get_secret(SERVER_SECRET_KEY)), None
    except NoSecretStore:
        raise SystemExit(
            "no keyring on this machine for the clinic server's password (see docs/agent.md)"
        ) from None
    except SotongError as exc:  # settings that miss something
        raise SystemExit(f"the clinic server settings are incomplete ({exc})") from None
    except SystemExit:
        raise
    except Exception as exc:  # a malformed URL: say so without echoing it
        raise SystemExit(f"--server-url is not a PostgreSQL URL ({type(exc).__name__})") from None


def _read_value(what: str) -> str:
    """A secret from standard input, or asked for without echo at a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{what} (not shown): ")
    return sys.stdin.readline().rstrip("\r\n")


def store_secret(account_id: str | None) -> int:
    """Read a secret from standard input (or ask for it without echo) into the keyring: the
    clinic server's password, or a channel account's token (``account_id``). The agent's
    keyring is its own, apart from the PCs' where the accounts were connected.

    Returns:
        0 when stored, 1 when there is no keyring or nothing was given.
    """
    what = (
        f"the token or password of account {account_id}"
        if account_id
        else ("the clinic server's password")
    )
    value = _read_value(what)
    if not value:
        print(f"nothing stored: {what} was empty", file=sys.stderr)
        return 1
    try:
        secrets.set_secret(account_id or SERVER_SECRET_KEY, value)
    except NoSecretStore:
        print("no keyring on this machine (see docs/agent.md)", file=sys.stderr)
        return 1
    print(f"stored {what} in this machine's keyring", file=sys.stderr)
    return 0


class AccountLookupError(Exception):
    """No channel account, or more than one, answers to the id or name given."""


def find_account(accounts: Sequence[AccountRow], given: str) -> AccountRow:
    """The account whose id is ``given``, else the one (not removed) whose display name is
    ``given``, compared without case.

    Raises:
        AccountLookupError: none, or several by that name (the message lists their ids).
    """
    for account in accounts:
        if account.id == given:
            return account
    wanted = given.strip().casefold()
    named = [a for a in accounts if not a.removed and a.display_name.casefold() == wanted]
    if len(named) == 1:
        return named[0]
    if not named:
        raise AccountLookupError(
            f"no channel account has the id or name {given!r} (see `sotong agent secret list`)"
        )
    ids = ", ".join(f"{a.id} ({a.kind})" for a in named)
    raise AccountLookupError(f"several channel accounts are called {given!r}; give the id: {ids}")


def _server_store(url: str | URL, password: str | None) -> Store | None:
    """The clinic server's store, migrated to this version; ``None`` (logged) when the server
    cannot be reached."""
    from console.store.server import open_server_store

    try:
        return open_server_store(url, password=password)
    except StorageError as exc:
        log.error("clinic server unavailable: %s", exc.params.get("reason", exc.code))
        return None


def _secret_here(account_id: str) -> bool:
    """Whether this machine's keyring holds the account's token (no keyring: it does not)."""
    try:
        return secrets.get_secret(account_id) is not None
    except NoSecretStore:
        return False


def secret_set(url: str | URL, password: str | None, given: str) -> int:
    """``sotong agent secret set``: look the account up on the server by id or name, read its
    token (standard input, or asked without echo) into this machine's keyring under the
    account's id. A running agent picks it up within :data:`SECRET_RECHECK_S` seconds
    (without a restart).

    Returns:
        0 when stored; 1 when the server could not be reached, the account is unknown or
        needs no token, nothing was given, or there is no keyring.
    """
    from console.accounts import list_accounts

    store = _server_store(url, password)
    if store is None:
        return 1
    try:
        account = find_account(list_accounts(store), given)
    except AccountLookupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        store.close()
    label = f"{account.display_name} ({account.kind}, {account.id})"
    if not account.has_secret:
        print(f"{label} needs no token: nothing stored", file=sys.stderr)
        return 1
    value = _read_value(f"the token or password of {label}")
    if not value:
        print("nothing stored: the token was empty", file=sys.stderr)
        return 1
    try:
        secrets.set_secret(account.id, value)
    except NoSecretStore:
        print("no keyring on this machine (see docs/agent.md)", file=sys.stderr)
        return 1
    print(f"stored the token of {label} in this machine's keyring", file=sys.stderr)
    return 0


def missing_secrets(store: Store) -> list[str]:
    """The enabled accounts (not the demo's) that need a token this machine's keyring lacks."""
    from console.accounts import list_accounts

    missing = []
    for account in list_accounts(store):
        if not account.enabled or account.removed or not account.has_secret:
            continue
        if account.config.get("demo"):
            continue
        if not _secret_here(account.id):
            missing.append(account.id)
    return missing


def migrate_only(url: str | URL, password: str | None) -> int:
    """Bring the server's tables up to this version's schema, then stop.

    Returns:
        0 when the schema is current, 1 when the server could not be reached.
    """
    store = _server_store(url, password)
    if store is None:
        return 1
    store.close()
    log.info("the server's schema is current")
    return 0


def list_server_accounts(url: str | URL, password: str | None) -> int:
    """Print the server's channel accounts, one JSON object a line, each with
    ``secret_here``: whether this machine's keyring holds its secret (the agent needs it).

    Returns:
        0, or 1 when the server could not be reached.
    """
    from console.accounts import list_accounts

    store = _server_store(url, password)
    if store is None:
        return 1
    try:
        for account in list_accounts(store):
            here = not account.has_secret or _secret_here(account.id)
            row = {
                "id": account.id,
                "kind": account.kind,
                "display_name": account.display_name,
                "enabled": account.enabled and not account.removed,
                "secret_here": here,
            }
            print(json.dumps(row, ensure_ascii=False))
    finally:
        store.close()
    return 0
