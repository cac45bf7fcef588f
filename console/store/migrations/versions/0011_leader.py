"""The leader's fencing epoch (clinic server only) and the outbox's send lease

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_MS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("outbox", sa.Column("claimed_by", sa.String(length=120), nullable=True))
    op.add_column("outbox", sa.Column("lease_until", _MS, nullable=True))
    op.add_column("outbox", sa.Column("leader_epoch", _MS, nullable=True))
    if op.get_context().dialect.name == "postgresql":
        # One row: the current leader (console.sync.leader). Not a model: a PC's SQLite store
        # has no leader but itself, so the table exists only on the clinic server.
        op.execute(
            "CREATE TABLE leader ("
            " id integer PRIMARY KEY CHECK (id = 1),"
            " epoch bigint NOT NULL,"
            " machine varchar(120) NOT NULL,"
            " pid integer NOT NULL,"
            " since bigint NOT NULL,"
            " heartbeat bigint NOT NULL)"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TABLE leader")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("leader_epoch")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
