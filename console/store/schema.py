"""Schema migrations with Alembic: the history ships inside the package and runs at start-up.

A database that already holds data is copied aside before it is migrated. Imported only when
a migration is due (see :func:`console.store.engine.ensure_schema`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

log = logging.getLogger(__name__)


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
