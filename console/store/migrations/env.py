"""Alembic environment: runs on the connection handed over by console.store.engine.migrate.

On PostgreSQL (the clinic server) the migration transaction first takes an advisory lock, so
two processes opening a new or older database at once migrate it once: the second waits,
then finds the database at the head. Batch mode (copy-and-move tables) is for SQLite only.
"""

from alembic import context

from console.store.models import Base
from console.sync.schema import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through console.store.engine.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
    include_name=include_name,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        from console.store.server import MIGRATION_LOCK_KEY

        # Before Alembic reads alembic_version; at READ COMMITTED it then sees the winner's.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    context.run_migrations()
