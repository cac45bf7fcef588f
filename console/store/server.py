"""Opening the clinic server's PostgreSQL database as a :class:`~console.store.engine.Store`.

The server holds the same tables as each PC, built by the same Alembic history, and is read
and written through the same ``Store`` class, so services, ingest and queries run on it as
they do on SQLite. What differs is how a connection is made and how writers are serialised:

- **Connections** use psycopg 3 (``postgresql+psycopg://``), a pool that pings a connection
  before handing it out (the server may have restarted since), a connect timeout, and TCP
  keepalives on both ends. The client's (libpq ``keepalives*``, ``tcp_user_timeout``) notice
  a vanished server; the server's (``tcp_keepalives_*``, ``tcp_user_timeout``, sent as session
  settings) notice a vanished PC, and only they free a lock that PC held: a leader that loses
  power or network loses its advisory lock after about 50 s (DESIGN.md: under a minute).
- **Writes** are serialised like SQLite's ``BEGIN IMMEDIATE``: a :meth:`Store.write` transaction
  first takes one transaction-scoped advisory lock (:data:`WRITE_LOCK_KEY`), so the services'
  read-then-write steps (draft revisions, message counts, "insert if absent") neither lose an
  update nor fail with a unique violation when two writers meet, and two writers can never
  deadlock on rows. Transactions run at READ COMMITTED, which is what makes this correct:
  each statement after the lock sees everything the previous holder committed (REPEATABLE
  READ would keep the snapshot taken before the wait). SERIALIZABLE would be correct too but
  turns every collision into an error the caller must retry by running its code again, which
  ``with store.write()`` cannot do. Waiting for the lock gives up after
  :data:`LOCK_TIMEOUT_MS` (SQLite's busy timeout), as a :class:`~console.errors.StorageError`.
- **Reads** run at READ COMMITTED without the lock: each statement sees the latest commit
  (SQLite's WAL reader keeps one snapshot for the whole read session instead).
- **Migrations** take their own advisory lock (see ``migrations/env.py``), so two processes
  opening a new database at once migrate it once. There is no file copy before migrating, as
  :func:`console.store.open_store` makes for SQLite: the clinic server is backed up by its
  administrator (``pg_dump``, base backups), and a PostgreSQL migration runs as one
  transaction, so one that fails leaves the database as it was.

Secrets: the password comes from the keyring in the product and may be passed apart from the
URL (``password=``); nothing here logs or raises a URL with its password.

Node ids: a PC's store keeps its node id in its ``sync_state`` row. On the server several
processes write at once (the agent, a PC that leads, a standby agent), so each opens the
store with a node id of its own (:func:`node_for`), stable across restarts: its stamps never
tie with another process's, its audit events say which process wrote them, and the PCs'
merge rules, which tell a PC's own stamps by their node, never mistake one for another's.
"""

from __future__ import annotations

import hashlib
import logging
import platform
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError

from console.errors import StorageError
from console.store.engine import Store, ensure_schema

log = logging.getLogger(__name__)

#: The SQLAlchemy driver name: psycopg 3.
DRIVER = "postgresql+psycopg"

#: Seconds to wait for the server to accept a connection.
CONNECT_TIMEOUT_S = 5

#: Client-side TCP keepalives (libpq): a server that vanished is noticed after 30 + 3 x 10 s.
CLIENT_KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}

#: Client-side cap, in ms, on data the server has not acknowledged (keepalives only probe an
#: idle connection): a write to a server that vanished fails within a minute as well.
CLIENT_TCP_USER_TIMEOUT_MS = 60_000

#: Server-side TCP settings for each session, in seconds (``tcp_user_timeout`` in ms): the
#: server drops the session of a PC that vanished after 20 + 3 x 10 = 50 s of silence (or 50 s
#: of unacknowledged data), releasing its locks.
SERVER_KEEPALIVES: dict[str, int] = {
    "tcp_keepalives_idle": 20,
    "tcp_keepalives_interval": 10,
    "tcp_keepalives_count": 3,
    "tcp_user_timeout": 50_000,
}

#: How long a statement waits for a lock (the write lock included) before it fails.
LOCK_TIMEOUT_MS = 10_000

#: A session left idle inside a transaction (a frozen process holding the write lock) is
#: ended by the server after this long.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def advisory_key(name: str) -> int:
    """A stable 64-bit advisory-lock key for a name (PostgreSQL's ``bigint`` key space).

    Args:
        name: What the lock protects, e.g. ``"sotong.store.write"``.

    Returns:
        A signed 64-bit integer, the same on every machine and version.
    """
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


#: Held by every :meth:`Store.write` transaction on the server, until it commits or rolls back.
WRITE_LOCK_KEY = advisory_key("sotong.store.write")

#: Held by the Alembic migration transaction (``migrations/env.py``).
MIGRATION_LOCK_KEY = advisory_key("sotong.store.migrate")


def _on_begin(conn: Any) -> None:
    # Store marks its write sessions with the option that asks SQLite for BEGIN IMMEDIATE;
    # on PostgreSQL the same sessions take the write lock as their first statement.
    if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def server_options() -> str:
    """The session settings every server connection sends (``options``): keepalives and
    timeouts."""
    settings = {
        **SERVER_KEEPALIVES,
        "lock_timeout": LOCK_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def server_url(url: str | URL, password: str | None = None) -> URL:
    """Check a PostgreSQL URL and give it the psycopg driver (and the password, if given).

    Args:
        url: ``postgresql://user@host:port/database`` (or already ``postgresql+psycopg``).
        password: The password, kept apart from the URL in settings (it lives in the keyring).

    Returns:
        The URL to connect with.

    Raises:
        ValueError: not a PostgreSQL URL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL (backend {parsed.get_backend_name()!r})")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=DRIVER)
    if password is not None:
        parsed = parsed.set(password=password)
    return parsed


def _connect_args(connect_timeout: int, application_name: str) -> dict[str, Any]:
    """What every connection to the server passes besides the URL: timeouts, name, keepalives."""
    return {
        "connect_timeout": connect_timeout,
        "application_name": application_name,
        "options": server_options(),
        "tcp_user_timeout": CLIENT_TCP_USER_TIMEOUT_MS,
        **CLIENT_KEEPALIVES,
    }


def connect_kwargs(
    url: str | URL,
    password: str | None = None,
    *,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    application_name: str = "sotong",
) -> dict[str, Any]:
    """Keyword arguments for ``psycopg.connect`` that reach the server exactly as the store's
    engine does: host, port, user, password, database, every libpq setting of the URL's query
    (``sslmode``, ``sslrootcert`` …), and the engine's own connect arguments. For the
    connections made apart from the pool (the leader lock, LISTEN).

    Args:
        url: The server's URL (see :func:`server_url`).
        password: The password, if it is not in the URL.
        connect_timeout: Seconds to wait for the server (wins over the URL's).
        application_name: Shown in ``pg_stat_activity``.
    """
    parsed = server_url(url, password)
    kwargs: dict[str, Any] = parsed.translate_connect_args(username="user", database="dbname")
    for key, value in parsed.query.items():
        kwargs[key] = value if isinstance(value, str) else value[-1]
    return {**kwargs, **_connect_args(connect_timeout, application_name)}


def server_engine(
    url: str | URL,
    *,
    password: str | None = None,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    application_name: str = "sotong",
    pool_size: int = 4,
    max_overflow: int = 4,
) -> Engine:
    """Create an engine for the clinic's PostgreSQL server.

    Args:
        url: The server's URL (see :func:`server_url`).
        password: The password, if it is not in the URL.
        connect_timeout: Seconds to wait for a connection.
        application_name: Shown in ``pg_stat_activity``.
        pool_size: Connections kept open.
        max_overflow: Connections opened beyond that under load.

    Returns:
        An engine whose write transactions (``sqlite_begin="IMMEDIATE"``) take the write lock.
    """
    engine = create_engine(
        server_url(url, password),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        isolation_level="READ COMMITTED",
        connect_args=_connect_args(connect_timeout, application_name),
    )
    event.listen(engine, "begin", _on_begin)
    return engine


def node_for(*parts: str) -> str:
    """A stable node id (12 hex digits) for one process's writes to the clinic server.

    Args:
        parts: What names the process for good: the agent passes its role, machine and data
            folder; a PC the node id of its own store (so the PC's server writes never share
            its local stamps' node either).
    """
    return hashlib.blake2b("\x00".join(("sotong.node", *parts)).encode(), digest_size=6).hexdigest()


def register_machine(engine: Engine, node_id: str, machine: str | None = None) -> None:
    """Say on the server which machine a node id's process runs on (``sync_node``,
    migration 0015), so a PC whose edit another's replaced can name that machine.

    Args:
        engine: The server's engine.
        node_id: The process's node id.
        machine: Its machine's name (default: this machine's, as the leader row names it).
    """
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sync_node (node, machine) VALUES (:n, :m) ON CONFLICT (node)"
                " DO UPDATE SET machine = excluded.machine, seen_at = now()"
            ),
            {"n": node_id, "m": (machine or platform.node() or "")[:120]},
        )


def open_server_store(
    url: str | URL,
    *,
    password: str | None = None,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    application_name: str = "sotong",
    node_id: str | None = None,
) -> Store:
    """Open the clinic server's database as a :class:`Store`, migrating it first if needed.

    The migration is the same Alembic history as on each PC (no copy is set aside; see the
    module docstring).

    Args:
        url: The server's URL.
        password: The password, if it is not in the URL.
        connect_timeout: Seconds to wait for a connection.
        application_name: How its sessions are named in ``pg_stat_activity`` (the leader's
            are named after it, so a standby can end them all if it freezes).
        node_id: This process's node id (:func:`node_for`); None: the database's shared one
            (tools and tests).

    Returns:
        The store; call :meth:`Store.close` when done.

    Raises:
        StorageError: the server cannot be reached or refused the login.
        ValueError: not a PostgreSQL URL.
    """
    engine = server_engine(
        url, password=password, connect_timeout=connect_timeout, application_name=application_name
    )
    try:
        ensure_schema(engine, None)
        store = Store(engine, None, node_id=node_id)
        if node_id is not None:
            register_machine(engine, node_id)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig) if exc.orig is not None else type(exc).__name__
        raise StorageError(reason=reason) from exc
    except BaseException:
        engine.dispose()
        raise
    log.info("opened the server store %s", engine.url.render_as_string(hide_password=True))
    return store
