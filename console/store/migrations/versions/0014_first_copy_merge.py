"""The server epoch a PC's own rows were merged into on its first copy

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26

``sync_progress.merged_into`` is set in the transaction that clears the pending ops a merge
(``console.sync._merge``) made redundant, so a first copy that is interrupted after the merge
does not merge the partly copied rows again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_progress", sa.Column("merged_into", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_progress") as batch_op:
        batch_op.drop_column("merged_into")
