"""Opening the local SQLite store: pragmas, schema check, sessions.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed change survives a power cut)
and foreign keys on. Writes take the database lock up front (``BEGIN IMMEDIATE``) so two
writers never deadlock upgrading a read lock.
"""

from __future__ import annotations

import copy
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.errors import StorageError
from console.hlc import Clock, Stamp
from console.ids import new_id
from console.store.models import Department, SyncState

log = logging.getLogger(__name__)

DB_NAME = "sotong.db"


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # Autocommit at the driver level; SQLAlchemy's "begin" event below emits BEGIN itself,
    # which is the documented way to get correct SQLite transactions from pysqlite.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_engine(path: Path) -> Engine:
    """Create an engine for a SQLite file with Sotong's pragmas."""
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 10},
        pool_size=4,
        max_overflow=4,
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


#: The newest migration this version ships; checked against Alembic's head by a test, so the
#: start-up path can skip importing Alembic (a third of a second) when nothing is to migrate.
SCHEMA_HEAD = "0015"


def schema_version(engine: Engine) -> str | None:
    """The migration a database is at (None for a new, empty database), read without Alembic."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).first()
        else:  # the clinic server (console.store.server)
            exists = conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
        if exists is None:
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def ensure_schema(engine: Engine, path: Path | None) -> Path | None:
    """Migrate the database if it is not at :data:`SCHEMA_HEAD` (see :func:`schema.migrate`)."""
    if schema_version(engine) == SCHEMA_HEAD:
        return None
    from console.store import schema

    return schema.migrate(engine, path)


class Store:
    """The local database: engine, sessions, the node's clock.

    Args:
        engine: An engine made by :func:`sqlite_engine` (or by
            :func:`console.store.server.server_engine` for the clinic server).
        path: The database file, if there is one.
        node_id: This process's node id, for its clock's stamps and its audit events
            (default: the database's own, in ``sync_state``: a PC's). Processes sharing the
            clinic server's database each pass their own (:func:`console.store.server.node_for`).
    """

    def __init__(
        self, engine: Engine, path: Path | None = None, *, node_id: str | None = None
    ) -> None:
        self.engine = engine
        self.path = path
        self._fence: Callable[[Session], None] | None = None
        self._reader = sessionmaker(engine, expire_on_commit=False)
        # Marks write transactions: BEGIN IMMEDIATE on SQLite, the write lock on PostgreSQL.
        self._writer = sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        with self._writer.begin() as s:
            state = s.get(SyncState, 1)
            if state is None:
                state = SyncState(id=1, node_id=new_id()[-12:], hlc="")
                s.add(state)
            node, last = node_id or state.node_id, state.hlc
        self.node_id = node
        self.clock = Clock(node, Stamp.parse(last) if last else None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on error.

        Raises:
            StorageError: the disk is full, read-only or the file is damaged.
        """
        try:
            with self._writer.begin() as session:
                if self._fence is not None:
                    self._fence(session)
                yield session
                state = session.get(SyncState, 1)
                stamp = str(self.clock.last)
                # Several processes may share the row (the clinic server): it keeps the
                # highest stamp, from which a clock restarts.
                if state is not None and stamp > state.hlc:
                    state.hlc = stamp
        except OperationalError as exc:
            reason = str(exc.orig) if exc.orig is not None else type(exc).__name__
            raise StorageError(reason=reason) from exc

    def fenced(self, check: Callable[[Session], None]) -> Store:
        """This store, seen by a writer whose every write transaction first runs ``check``.

        The leader's writes go through such a view: ``check`` reads the fencing epoch in the
        transaction and raises (:class:`~console.errors.StaleLeader`) if another process
        has taken over, so nothing the write does is committed. Engine, sessions and clock
        are shared with this store.

        Args:
            check: Runs at the start of each write transaction, in it.

        Returns:
            The fenced view (closing it closes this store).
        """
        view = copy.copy(self)
        view._fence = check
        return view

    def departments(self) -> list[Department]:
        """The clinic's departments in display order."""
        with self.read() as s:
            return list(s.scalars(select(Department).order_by(Department.sort_order)))

    def close(self) -> None:
        """Release every connection (the file can then be copied or removed)."""
        self.engine.dispose()


def open_store(data_dir: Path) -> Store:
    """Open (creating and migrating as needed) the store in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_NAME
    engine = sqlite_engine(path)
    ensure_schema(engine, path)
    store = Store(engine, path)
    _catch_up_search(store)
    return store


#: A search index missing at most this many messages is completed while the store opens
#: (about 1.5 s); a longer history is indexed by the app in the background, with progress.
SEARCH_CATCH_UP = 20_000


def _catch_up_search(store: Store) -> None:
    from console.store import search

    if not search.index_status(store).ready:
        search.ensure_index(store, max_pending=SEARCH_CATCH_UP)


def open_memory_store() -> Store:
    """A throwaway in-memory store (tests and quick experiments)."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    ensure_schema(engine, None)
    return Store(engine, None)
