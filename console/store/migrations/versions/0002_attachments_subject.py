"""Attachments as metadata, conversation subjects, and thread references

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("message", sa.Column("attachments", sa.JSON(), nullable=True))
    op.add_column(
        "conversation",
        sa.Column("subject", sa.String(length=300), nullable=False, server_default=""),
    )
    op.create_table(
        "thread_ref",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("ref", sa.String(length=400), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["channel_account.id"],
            name=op.f("fk_thread_ref_account_id_channel_account"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"],
            name=op.f("fk_thread_ref_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("account_id", "ref", name=op.f("pk_thread_ref")),
    )
    op.create_index(
        op.f("ix_thread_ref_conversation_id"), "thread_ref", ["conversation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_thread_ref_conversation_id"), table_name="thread_ref")
    op.drop_table("thread_ref")
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_column("subject")
    with op.batch_alter_table("message") as batch_op:
        batch_op.drop_column("attachments")
