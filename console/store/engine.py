"""Opening the local SQLite store: pragmas, migrations (with a copy set aside first), sessions.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed change survives a power cut)
and foreign keys on. Writes take the database lock up front (``BEGIN IMMEDIATE``) so two
writers never deadlock upgrading a read lock.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def migrations_config(connection: Any = None, location: Path | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package.

    Args:
        connection: The connection migrations run on.
        location: Another migrations folder (tests).
    """
    cfg = Config()
    where = location or resources.files("console.store") / "migrations"
    cfg.set_main_option("script_location", str(where))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision(location: Path | None = None) -> str:
    """The newest migration shipped with this version."""
    head = ScriptDirectory.from_config(migrations_config(None, location)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration a database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_file(path: Path, tag: str) -> Path:
    """Copy a live SQLite database aside with the online backup API (WAL content included).

    Returns:
        The path of the copy, next to the original.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-{tag}.{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def migrate(engine: Engine, path: Path | None, location: Path | None = None) -> Path | None:
    """Bring the database up to the newest migration.

    A database that already holds data is copied aside first; a new one is simply created.

    Args:
        engine: The database.
        path: Its file, for the copy.
        location: Another migrations folder (tests).

    Returns:
        The backup path, if a copy was made.
    """
    current = current_revision(engine)
    head = head_revision(location)
    if current == head:
        return None
    backup = None
    if current is not None and path is not None and path.exists():
        backup = backup_file(path, current)
        log.info("database copied to %s before migrating %s -> %s", backup, current, head)
    with engine.begin() as conn:
        command.upgrade(migrations_config(conn, location), "head")
    return backup


class Store:
    """The local database: engine, sessions, the node's clock.

    Args:
        engine: An engine made by :func:`sqlite_engine` (or a PostgreSQL engine for the server).
        path: The database file, if there is one.
    """

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        with self._writer.begin() as s:
            state = s.get(SyncState, 1)
            if state is None:
                state = SyncState(id=1, node_id=new_id()[-12:], hlc="")
                s.add(state)
            node, last = state.node_id, state.hlc
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
                yield session
                state = session.get(SyncState, 1)
                if state is not None:
                    state.hlc = str(self.clock.last)
        except OperationalError as exc:
            reason = str(exc.orig) if exc.orig is not None else type(exc).__name__
            raise StorageError(reason=reason) from exc

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
    migrate(engine, path)
    return Store(engine, path)


def open_memory_store() -> Store:
    """A throwaway in-memory store (tests and quick experiments)."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    migrate(engine, None)
    return Store(engine, None)


def remove_store_files(data_dir: Path) -> None:
    """Delete a store and its WAL files (used by the benchmark for its scratch store)."""
    for suffix in ("", "-wal", "-shm"):
        p = data_dir / f"{DB_NAME}{suffix}"
        if p.exists():
            os.remove(p)
    shutil.rmtree(data_dir, ignore_errors=True)
