"""Who set a department and the classifier's suggestion; removed accounts, skipped items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "conversation",
        sa.Column("department_source", sa.String(length=8), nullable=False, server_default=""),
    )
    op.add_column(
        "conversation", sa.Column("suggested_department", sa.String(length=32), nullable=True)
    )
    op.add_column("conversation", sa.Column("suggestion_confidence", sa.Float(), nullable=True))
    op.add_column(
        "channel_account",
        sa.Column(
            "removed_at", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
    )


    op.add_column(
        "channel_account",
        sa.Column(
            "skipped_items",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            server_default="0",
        ),
    )
    op.add_column(
        "channel_account", sa.Column("last_skip_reason", sa.String(length=80), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_account") as batch_op:
        batch_op.drop_column("last_skip_reason")
        batch_op.drop_column("skipped_items")
        batch_op.drop_column("removed_at")
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_column("suggestion_confidence")
        batch_op.drop_column("suggested_department")
        batch_op.drop_column("department_source")
