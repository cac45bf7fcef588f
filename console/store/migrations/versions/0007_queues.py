"""Queues: auto-assignment per department, hand-off notes, presence on the clinic server

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``department_assignment`` holds each department's auto-assignment mode and the round-robin
position (the member of staff who was given the last conversation), so it survives restarts.
``note.handoff_to`` marks a note written when a conversation was handed to a colleague.
``presence`` (who has which conversation open, or is typing) is only used on the clinic
server, where it is an UNLOGGED table: seconds-old state that a crash may lose, never
replicated.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "department_assignment",
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False, server_default="off"),
        sa.Column("mode_hlc", sa.String(length=48), nullable=False, server_default=""),
        sa.Column("last_assignee", sa.String(length=36), nullable=True),
        sa.Column("updated_at", _BIGINT, nullable=False),
        sa.ForeignKeyConstraint(
            ["department"],
            ["department.code"],
            name=op.f("fk_department_assignment_department_department"),
        ),
        sa.PrimaryKeyConstraint("department", name=op.f("pk_department_assignment")),
    )
    op.add_column("note", sa.Column("handoff_to", sa.String(length=36), nullable=True))
    unlogged = ["UNLOGGED"] if op.get_context().dialect.name == "postgresql" else []
    op.create_table(
        "presence",
        sa.Column("operator_id", sa.String(length=36), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("at", _BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("operator_id", "node", name=op.f("pk_presence")),
        prefixes=unlogged,
    )
    op.create_index(
        op.f("ix_presence_conversation_id"), "presence", ["conversation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_presence_conversation_id"), table_name="presence")
    op.drop_table("presence")
    with op.batch_alter_table("note") as batch_op:
        batch_op.drop_column("handoff_to")
    op.drop_table("department_assignment")
