"""Sync: label conflicts, the machine behind a winning edit, and pruned applied ops

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26

Both databases: ``sync_field_conflict.field`` holds ``label:`` and a label too (80
characters), and ``sync_field_conflict.winner_machine`` names the machine whose edit won
("" when it is not known).

PostgreSQL only (the clinic server), plain DDL like 0010 and 0013:

- ``sync_node``: each process's node id and the name of its machine, written by the process
  itself, so a PC can say which machine's edit replaced its own;
- ``applied_op.sent_hlc`` (the op's stamp as its PC sent it, before any clamping) and an index
  on ``applied_op.applied_at``, so the leader can prune old rows;
- ``applied_floor``: per node, the highest stamp of that node's pruned ops. Each PC pushes its
  ops in the order of their stamps, so an op at or below its node's floor was applied (or
  refused) before and is not applied again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SERVER_DDL = (
    "CREATE TABLE sync_node (node text PRIMARY KEY, machine text NOT NULL,"
    " seen_at timestamptz NOT NULL DEFAULT now())",
    "ALTER TABLE applied_op ADD COLUMN sent_hlc text",
    "CREATE INDEX ix_applied_op_applied_at ON applied_op (applied_at)",
    "CREATE TABLE applied_floor (node text PRIMARY KEY, hlc text NOT NULL)",
)


def upgrade() -> None:
    with op.batch_alter_table("sync_field_conflict") as batch_op:
        batch_op.alter_column(
            "field", existing_type=sa.String(length=40), type_=sa.String(length=80)
        )
        batch_op.add_column(
            sa.Column("winner_machine", sa.String(length=120), nullable=False, server_default="")
        )
    if op.get_context().dialect.name == "postgresql":
        bind = op.get_bind()
        for ddl in SERVER_DDL:
            bind.exec_driver_sql(ddl)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        bind = op.get_bind()
        bind.exec_driver_sql("DROP TABLE applied_floor")
        bind.exec_driver_sql("DROP INDEX ix_applied_op_applied_at")
        bind.exec_driver_sql("ALTER TABLE applied_op DROP COLUMN sent_hlc")
        bind.exec_driver_sql("DROP TABLE sync_node")
    with op.batch_alter_table("sync_field_conflict") as batch_op:
        batch_op.drop_column("winner_machine")
        batch_op.alter_column(
            "field", existing_type=sa.String(length=80), type_=sa.String(length=40)
        )
