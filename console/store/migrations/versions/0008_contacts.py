"""Contacts across channels: merge and split with their clocks

Revision ID: 0008
Revises: 0009
Create Date: 2026-11-26

A contact's name, notes and ``merged_into`` get a clock column each (sync merges them by
field). A conversation remembers the identity it is with (``identity_id``) so splitting one
channel identity off a merged contact moves exactly its conversations, and an identity
remembers the contact ingest first made for it (``origin_contact_id``) so a split can bring
that contact back with its name and notes. Existing rows are filled in: every conversation
gets the identity its contact has on its account, every identity its current contact.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def _hlc(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=48), nullable=False, server_default="")


def upgrade() -> None:
    op.add_column("contact", _hlc("name_hlc"))
    op.add_column("contact", _hlc("notes_hlc"))
    op.add_column("contact", _hlc("merged_hlc"))
    op.create_index("ix_contact_merged_into", "contact", ["merged_into"])
    op.add_column("contact_identity", _hlc("contact_hlc"))
    op.add_column(
        "contact_identity", sa.Column("origin_contact_id", sa.String(length=36), nullable=True)
    )
    op.add_column("conversation", _hlc("contact_hlc"))
    op.add_column("conversation", sa.Column("identity_id", sa.String(length=36), nullable=True))
    op.execute("UPDATE contact_identity SET origin_contact_id = contact_id")
    op.execute(
        "UPDATE conversation SET identity_id = (SELECT min(ci.id) FROM contact_identity ci"
        " WHERE ci.account_id = conversation.account_id"
        " AND ci.contact_id = conversation.contact_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_column("identity_id")
        batch_op.drop_column("contact_hlc")
    with op.batch_alter_table("contact_identity") as batch_op:
        batch_op.drop_column("origin_contact_id")
        batch_op.drop_column("contact_hlc")
    op.drop_index("ix_contact_merged_into", table_name="contact")
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_column("merged_hlc")
        batch_op.drop_column("notes_hlc")
        batch_op.drop_column("name_hlc")
