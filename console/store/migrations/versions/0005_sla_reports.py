"""SLA targets, business calendar and the fields the manager's figures read

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Adds to conversation the times response and resolution figures count from (opened_at,
first_response_at, resolved_at, replied_at, replied_wait_from) and fills them from the
history: opened_at is the first customer message, first_response_at the clinic's first
message after it, resolved_at the last activity of a resolved conversation (the history does
not say when it was resolved). replied_* stay empty for old conversations: they only feed
"answered late today". Creates sla_target (with the clinic default: first response 60
business minutes, next 120), business_calendar (Mon–Fri 09:30–18:30, Sat 09:30–14:00) and
calendar_day, and the indexes console.reports reads through.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE_SQL = "status IN ('open', 'pending')"
DEFAULT_WEEK = [[570, 1110, None, None]] * 5 + [[570, 840, None, None], None]


def upgrade() -> None:
    for name in ("opened_at", "first_response_at", "resolved_at", "replied_at", "replied_wait_from"):
        op.add_column("conversation", sa.Column(name, MS, nullable=True))
    bind = op.get_bind()
    bind.exec_driver_sql(
        "UPDATE conversation SET opened_at = (SELECT min(m.sent_at) FROM message m"
        " WHERE m.conversation_id = conversation.id AND m.direction = 'in')"
    )
    bind.exec_driver_sql(
        "UPDATE conversation SET first_response_at = (SELECT min(m.sent_at) FROM message m"
        " WHERE m.conversation_id = conversation.id AND m.direction = 'out'"
        " AND m.sent_at >= conversation.opened_at) WHERE opened_at IS NOT NULL"
    )
    bind.exec_driver_sql(
        "UPDATE conversation SET resolved_at = last_message_at WHERE status = 'resolved'"
    )
    op.create_index(
        "ix_conversation_active",
        "conversation",
        ["department", "account_id", "waiting_since", "first_response_at", "assignee_id", "status"],
        sqlite_where=sa.text(ACTIVE_SQL),
        postgresql_where=sa.text(ACTIVE_SQL),
    )
    # Covering: a period's openings, first replies, resolutions and replies read no rows.
    op.create_index(
        "ix_conversation_opened", "conversation", ["opened_at", "department", "account_id"]
    )
    op.create_index(
        "ix_conversation_first_response",
        "conversation",
        ["first_response_at", "opened_at", "department", "account_id"],
    )
    op.create_index(
        "ix_conversation_resolved",
        "conversation",
        ["resolved_at", "opened_at", "created_at", "department", "account_id"],
    )
    op.create_index(
        "ix_conversation_replied",
        "conversation",
        ["replied_at", "replied_wait_from", "first_response_at", "department", "account_id"],
    )
    op.create_index(
        "ix_message_inbound_sent",
        "message",
        ["sent_at"],
        sqlite_where=sa.text("direction = 'in'"),
        postgresql_where=sa.text("direction = 'in'"),
    )
    op.create_index("ix_outbox_state_updated", "outbox", ["state", "updated_at"])

    sla = op.create_table(
        "sla_target",
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("first_response_min", MS, nullable=False),
        sa.Column("next_response_min", MS, nullable=False),
        sa.Column("hlc", sa.String(length=48), nullable=False),
        sa.PrimaryKeyConstraint("department", "channel", name=op.f("pk_sla_target")),
    )
    calendar = op.create_table(
        "business_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week", sa.JSON(), nullable=False),
        sa.Column("public_holidays", sa.Boolean(), nullable=False),
        sa.Column("hlc", sa.String(length=48), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendar")),
    )
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=80), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("hlc", sa.String(length=48), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.bulk_insert(
        sla,
        [
            {
                "department": "",
                "channel": "",
                "first_response_min": 60,
                "next_response_min": 120,
                "hlc": "",
            }
        ],
    )
    op.bulk_insert(
        calendar,
        [
            {
                "id": 1,
                "timezone": "Asia/Seoul",
                "week": DEFAULT_WEEK,
                "public_holidays": True,
                "hlc": "",
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("calendar_day")
    op.drop_table("business_calendar")
    op.drop_table("sla_target")
    op.drop_index("ix_outbox_state_updated", table_name="outbox")
    op.drop_index("ix_message_inbound_sent", table_name="message")
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_index("ix_conversation_replied")
        batch_op.drop_index("ix_conversation_resolved")
        batch_op.drop_index("ix_conversation_first_response")
        batch_op.drop_index("ix_conversation_opened")
        batch_op.drop_index("ix_conversation_active")
        for name in ("replied_wait_from", "replied_at", "resolved_at", "first_response_at"):
            batch_op.drop_column(name)
        batch_op.drop_column("opened_at")
