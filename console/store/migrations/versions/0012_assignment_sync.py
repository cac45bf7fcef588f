"""Department assignment modes replicate: a clock for the round-robin turn, a change-log trigger

Revision ID: 0012
Revises: 0007
Create Date: 2026-11-26

``department_assignment`` (0007) becomes a replicated table: each field is merged by its own
clock stamp — ``mode_hlc`` existed; ``last_assignee_hlc`` is new — so a mode set on one PC
reaches every PC and the leader, and two concurrent edits resolve by stamp. On PostgreSQL (the
clinic server) the table gets its change-log trigger, as 0010 made for the tables of its time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLE = "department_assignment"


def _log_function(table: str, key: str) -> tuple[str, ...]:
    """The change-log trigger of one table (the DDL of migration 0010, frozen here)."""
    function = f"sotong_log_{table}"
    return (
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE r record;"
        " BEGIN IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;"
        f" INSERT INTO change_log (tbl, pk) VALUES ('{table}', r.{key}::text); RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_log AFTER INSERT OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_log_update AFTER UPDATE ON {table}"
        f" FOR EACH ROW WHEN (OLD::text IS DISTINCT FROM NEW::text) EXECUTE FUNCTION {function}()",
    )


def upgrade() -> None:
    op.add_column(
        _TABLE,
        sa.Column("last_assignee_hlc", sa.String(length=48), nullable=False, server_default=""),
    )
    if op.get_context().dialect.name == "postgresql":
        for ddl in _log_function(_TABLE, "department"):
            op.execute(ddl)
        # Rows written before the trigger existed reach PCs too (a PC that already synced
        # pulls them at its next round; a new PC copies the table whole).
        op.execute(f"INSERT INTO change_log (tbl, pk) SELECT '{_TABLE}', department FROM {_TABLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_log ON {_TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_log_update ON {_TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS sotong_log_{_TABLE}()")
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.drop_column("last_assignee_hlc")
