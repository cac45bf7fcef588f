"""The local store: SQLite settings, migrations with a copy set aside, ids and clocks."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from console.hlc import Clock, Stamp
from console.ids import new_id, reply_id, uuid7
from console.store import open_store
from console.store.engine import DB_NAME, SCHEMA_HEAD, sqlite_engine
from console.store.schema import head_revision, migrate


def test_new_store_uses_wal_full_sync_and_foreign_keys(data_dir: Path) -> None:
    store = open_store(data_dir)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert [d.code for d in store.departments()] == [
        "plastic",
        "dental",
        "derm",
        "obesity",
        "general",
    ]
    store.close()


def test_reopening_keeps_node_id_and_clock(data_dir: Path) -> None:
    store = open_store(data_dir)
    node = store.node_id
    with store.write():
        stamp = store.clock.now()
    store.close()
    again = open_store(data_dir)
    assert again.node_id == node
    assert again.clock.now() > stamp
    again.close()


def _extra_migration(tmp_path: Path) -> Path:
    """The shipped migrations plus a newer one that adds a column."""
    shipped = Path(__file__).parents[3] / "console" / "store" / "migrations"
    folder = tmp_path / "migrations"
    shutil.copytree(shipped, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0099_test.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = '0099'\ndown_revision = '{SCHEMA_HEAD}'\nbranch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n    op.add_column('contact', sa.Column('nickname', sa.String(40)))\n"
        "def downgrade():\n    op.drop_column('contact', 'nickname')\n",
        encoding="utf-8",
    )
    return folder


def test_migration_copies_the_database_aside_first(data_dir: Path, tmp_path: Path) -> None:
    store = open_store(data_dir)
    with store.write() as s:
        s.execute(
            text(
                "INSERT INTO contact (id, display_name, notes, created_at)"
                " VALUES ('c1', '김민지', '', 1)"
            )
        )
    store.close()

    engine = sqlite_engine(data_dir / DB_NAME)
    backup = migrate(engine, data_dir / DB_NAME, location=_extra_migration(tmp_path))
    engine.dispose()

    assert backup is not None and backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("SELECT display_name FROM contact").fetchall() == [("김민지",)]
    assert "nickname" not in [r[1] for r in old.execute("PRAGMA table_info(contact)")]
    old.close()
    new = sqlite3.connect(data_dir / DB_NAME)
    assert "nickname" in [r[1] for r in new.execute("PRAGMA table_info(contact)")]
    assert new.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099",)
    new.close()


def test_a_fresh_database_is_not_copied(data_dir: Path) -> None:
    engine = sqlite_engine(data_dir / DB_NAME)
    assert migrate(engine, data_dir / DB_NAME) is None
    engine.dispose()
    assert list(data_dir.glob("*.before-*")) == []


def test_ids_are_uuid7_and_sort_in_creation_order() -> None:
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 7 for i in ids[:10])
    assert uuid7(1_700_000_000_000).hex[:12] == format(1_700_000_000_000, "012x")


def test_reply_id_depends_only_on_the_draft_revision() -> None:
    assert reply_id("d1", 3) == reply_id("d1", 3)
    assert reply_id("d1", 3) != reply_id("d1", 4)


def test_clock_is_monotonic_even_when_the_wall_clock_steps_back() -> None:
    walls = iter([1000, 1000, 500, 2000])
    clock = Clock("pc1", wall=lambda: next(walls))
    a, b, c, d = (clock.now() for _ in range(4))
    assert a < b < c < d
    assert str(c) == "0000000001000:0002:pc1"


def test_observing_a_remote_stamp_orders_later_local_stamps_after_it() -> None:
    clock = Clock("pc1", wall=lambda: 1000)
    clock.observe(Stamp(5000, 7, "pc2"))
    assert clock.now() > Stamp(5000, 7, "pc2")


@given(
    st.tuples(st.integers(0, 10**12), st.integers(0, 9999), st.sampled_from(["a", "pc1", "z9"])),
    st.tuples(st.integers(0, 10**12), st.integers(0, 9999), st.sampled_from(["a", "pc1", "z9"])),
)
def test_stamps_compare_the_same_as_text(x: tuple[int, int, str], y: tuple[int, int, str]) -> None:
    a, b = Stamp(*x), Stamp(*y)
    assert (a < b) == (str(a) < str(b))
    assert Stamp.parse(str(a)) == a


def test_the_start_up_shortcut_knows_the_newest_migration() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_the_migrations_build_exactly_the_models(data_dir: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from console.store.models import Base
    from console.store.search import include_name

    store = open_store(data_dir)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    store.close()
    assert diff == []
