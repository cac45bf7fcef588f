"""Saved searches in the navigation pane

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-26

One row per saved search: its name, search text, the list it was made on, its owner (NULL:
shared with the clinic) and its place in its group. Plain DDL on SQLite and PostgreSQL alike.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None

_MS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("view", sa.String(length=16), nullable=False),
        sa.Column("view_value", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("position", _MS, nullable=False),
        sa.Column("created_at", _MS, nullable=False),
        sa.Column("updated_at", _MS, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["operator.id"], name=op.f("fk_saved_search_owner_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
    )
    op.create_index(
        "ix_saved_search_owner_position", "saved_search", ["owner_id", "position"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_saved_search_owner_position", table_name="saved_search")
    op.drop_table("saved_search")
