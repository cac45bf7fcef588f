"""Full-text search index (SQLite only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Creates the search tables of console.store.search, empty. Indexing the history takes about a
minute per million messages (tokenised in Python), too long for a start-up migration that
shows nothing and holds one transaction, so it is left to console.store.search.ensure_index:
resumable batches with progress, run by open_store when the history is small and by the app
(or `sotong search`) otherwise. New messages are indexed as they are stored from now on.

The tables are not SQLAlchemy models (PostgreSQL will have its own search); the DDL is frozen
here, and console.store.search keeps the same statements for rebuilding a dropped index.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SPACING = 8  # console.store.search.SPACING when this migration was written
VERSION = 1  # console.store.search.VERSION when this migration was written

DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(b, c, content='', columnsize=0, detail=full,"
    " tokenize='ascii', prefix='1')",
    "CREATE TABLE search_doc (docid INTEGER PRIMARY KEY, message_id TEXT NOT NULL,"
    " conversation_id TEXT NOT NULL, sent_at INTEGER NOT NULL)",
    "CREATE INDEX ix_search_doc_sent ON search_doc (sent_at)",
    "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,"
    " high_water INTEGER NOT NULL, reserved INTEGER NOT NULL, prepared INTEGER NOT NULL,"
    " done INTEGER NOT NULL, total INTEGER NOT NULL, indexed INTEGER NOT NULL,"
    " max_sent INTEGER NOT NULL, misplaced INTEGER NOT NULL)",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for ddl in DDL:
        bind.exec_driver_sql(ddl)
    high, latest = bind.exec_driver_sql(
        "SELECT coalesce(max(rowid), 0), coalesce(max(sent_at), 0) FROM message"
    ).one()
    # Messages up to rowid `high` are the history to fill in (docids up to high * SPACING are
    # kept for them); an empty database is ready at once.
    prepared = 1 if high == 0 else 0
    bind.exec_driver_sql(
        "INSERT INTO search_state VALUES (1, ?, ?, ?, ?, 0, 0, 0, ?, 0)",
        (VERSION, high, high * SPACING, prepared, latest),
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in ("search_backfill", "search_state", "search_doc", "search_fts"):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
