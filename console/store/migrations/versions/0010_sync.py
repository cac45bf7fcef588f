"""Sync: the server's change log, applied ops and epoch; each PC's aside, draft and dirty tables

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-26

Both databases: ``draft.hlc`` (the stamp of the save the server accepted last) and the
tables a PC keeps for sync (``sync_poison``, ``sync_draft``, ``sync_dirty``,
``sync_progress``; empty on the server). On SQLite a trigger records each new
draft's conversation and member of staff in ``sync_draft``.

PostgreSQL only (the clinic server): ``change_log`` filled by one trigger per replicated table
(insert, delete, and an update that changed something), a statement trigger that calls
``pg_notify('sotong_sync', '')``, ``applied_op`` and ``sync_meta`` with the epoch. These are
not models (``xid8`` has no SQLAlchemy type); ``console.sync.schema.include_name`` keeps them
out of schema comparisons. The DDL is frozen here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Replicated tables and their primary-key columns when this migration was written.
REPLICATED = {
    "department": ("code",),
    "operator": ("id",),
    "channel_account": ("id",),
    "contact": ("id",),
    "contact_identity": ("id",),
    "conversation": ("id",),
    "thread_ref": ("account_id", "ref"),
    "conversation_label": ("conversation_id", "label"),
    "message": ("id",),
    "draft": ("id",),
    "outbox": ("id",),
    "note": ("id",),
    "canned_response": ("id",),
    "saved_search": ("id",),
    "sla_target": ("department", "channel"),
    "business_calendar": ("id",),
    "calendar_day": ("day",),
}

_INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SERVER_DDL = (
    "CREATE TABLE change_log (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " xid xid8 NOT NULL DEFAULT pg_current_xact_id(), tbl text NOT NULL, pk text NOT NULL)",
    "CREATE INDEX ix_change_log_xid_seq ON change_log (xid, seq)",
    "CREATE TABLE applied_op (op_id text PRIMARY KEY, hlc text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE sync_meta (id int PRIMARY KEY CHECK (id = 1), epoch text NOT NULL)",
    "INSERT INTO sync_meta VALUES (1, gen_random_uuid()::text)",
    "CREATE FUNCTION sotong_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_notify('sotong_sync', ''); RETURN NULL; END $$",
    "CREATE TRIGGER change_log_notify AFTER INSERT ON change_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION sotong_notify()",
)


def _log_function(table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    key = " || '/' || ".join(f"r.{c}::text" for c in columns)
    function = f"sotong_log_{table}"
    return (
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE r record;"
        " BEGIN IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;"
        f" INSERT INTO change_log (tbl, pk) VALUES ('{table}', {key}); RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_log AFTER INSERT OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_log_update AFTER UPDATE ON {table}"
        f" FOR EACH ROW WHEN (OLD::text IS DISTINCT FROM NEW::text) EXECUTE FUNCTION {function}()",
    )


SQLITE_DDL = (
    "CREATE TRIGGER sync_draft_slot AFTER INSERT ON draft BEGIN"
    " INSERT OR IGNORE INTO sync_draft (draft_id, conversation_id, operator_id, base_hlc)"
    " VALUES (NEW.id, NEW.conversation_id, NEW.operator_id, ''); END",
)


def upgrade() -> None:
    bind = op.get_bind()
    # Plain ADD COLUMN (no table copy on SQLite: draft's partial unique index stays as it is).
    op.add_column("draft", sa.Column("hlc", sa.String(length=48), nullable=False, server_default=""))
    op.create_table(
        "sync_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", _INT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_progress")),
    )
    op.create_table(
        "sync_poison",
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("pk", sa.String(length=120), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("hlc", sa.String(length=48), nullable=False),
        sa.Column("parent_rev", _INT, nullable=True),
        sa.Column("created_at", _INT, nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("set_aside_at", _INT, nullable=False),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_sync_poison")),
    )
    op.create_table(
        "sync_draft",
        sa.Column("draft_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=True),
        sa.Column("base_hlc", sa.String(length=48), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("draft_id", name=op.f("pk_sync_draft")),
    )
    op.create_table(
        "sync_dirty",
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("pk", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "pk", name=op.f("pk_sync_dirty")),
    )
    if bind.dialect.name == "sqlite":
        for ddl in SQLITE_DDL:
            bind.exec_driver_sql(ddl)
        # Drafts already on this PC belong to their slots too.
        bind.exec_driver_sql(
            "INSERT OR IGNORE INTO sync_draft (draft_id, conversation_id, operator_id, base_hlc)"
            " SELECT id, conversation_id, operator_id, '' FROM draft"
        )
        return
    for ddl in SERVER_DDL:
        bind.exec_driver_sql(ddl)
    for table, columns in REPLICATED.items():
        for ddl in _log_function(table, columns):
            bind.exec_driver_sql(ddl)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS sync_draft_slot")
    else:
        for table in REPLICATED:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_log ON {table}")
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_log_update ON {table}")
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS sotong_log_{table}()")
        for table in ("change_log", "applied_op", "sync_meta"):
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS sotong_notify()")
    for table in ("sync_dirty", "sync_draft", "sync_poison", "sync_progress"):
        op.drop_table(table)
    op.drop_column("draft", "hlc")
