"""Sync: field conflicts shown to staff, and a pruned change log

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26

Both databases: ``pending_op.base_hlc`` (for an edit of a conversation field, the stamp the
field had before it: what the edit was made on top of) and ``sync_field_conflict`` (a PC's
own record of its field edits that a concurrent edit on another PC overwrote; never
replicated, empty on the server).

PostgreSQL only (the clinic server): ``sync_field_loss`` (a pushed edit that overwrote a
concurrent one from another PC: the losing PC reads it when it pulls the conversation),
``change_log.at`` (when the entry was written, so old entries can be pruned) and the floor
below which the log was pruned (``sync_meta.floor_xid``, ``floor_seq``): a PC whose cursor is
below it makes a fresh first copy. Plain DDL, like 0010: not models.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SERVER_DDL = (
    "CREATE TABLE sync_field_loss (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " conversation_id text NOT NULL, field text NOT NULL, loser_hlc text NOT NULL,"
    " loser_value jsonb, winner_value jsonb, winner_hlc text NOT NULL,"
    " at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX ix_sync_field_loss_conversation ON sync_field_loss (conversation_id)",
    "ALTER TABLE change_log ADD COLUMN at timestamptz NOT NULL DEFAULT now()",
    "ALTER TABLE sync_meta ADD COLUMN floor_xid xid8 NOT NULL DEFAULT '0'",
    "ALTER TABLE sync_meta ADD COLUMN floor_seq bigint NOT NULL DEFAULT 0",
)


def upgrade() -> None:
    op.add_column("pending_op", sa.Column("base_hlc", sa.String(length=48), nullable=True))
    op.create_table(
        "sync_field_conflict",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("mine", sa.JSON(), nullable=True),
        sa.Column("theirs", sa.JSON(), nullable=True),
        sa.Column("winner_node", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("winner_hlc", sa.String(length=48), nullable=False, server_default=""),
        sa.Column("at", _BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "field", name=op.f("pk_sync_field_conflict")),
    )
    if op.get_context().dialect.name == "postgresql":
        bind = op.get_bind()
        for ddl in SERVER_DDL:
            bind.exec_driver_sql(ddl)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        bind = op.get_bind()
        bind.exec_driver_sql("ALTER TABLE sync_meta DROP COLUMN floor_seq")
        bind.exec_driver_sql("ALTER TABLE sync_meta DROP COLUMN floor_xid")
        bind.exec_driver_sql("ALTER TABLE change_log DROP COLUMN at")
        bind.exec_driver_sql("DROP TABLE sync_field_loss")
    op.drop_table("sync_field_conflict")
    with op.batch_alter_table("pending_op") as batch_op:
        batch_op.drop_column("base_hlc")
