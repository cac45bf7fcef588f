"""The manager's figures and SLA breach counts on a real PostgreSQL server: the hand-checked
tests of ``tests/unit/console/test_reports.py`` run again, unchanged, on a server database
(the cutoff ``VALUES`` list, ``IS NOT DISTINCT FROM``, the partial indexes and the bucketed
volumes are dialect-specific SQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.store import Store
from console.store.server import open_server_store
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
)
from tests.unit.console.test_reports import (  # noqa: F401
    clinic,
    test_a_channel_target_overrides_the_departments,
    test_a_public_holiday_stops_the_clock,
    test_a_reopened_conversation_starts_a_new_episode,
    test_response_and_resolution_times,
    test_sla_changes_need_the_right_role,
    test_the_queue_now,
    test_trends,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reports_template(pg_server: PgServer) -> str:
    """A database migrated once, copied for each test."""
    name = pg_server.create_database()
    open_server_store(pg_server.url(name)).close()
    return name


@pytest.fixture
def store(pg_server: PgServer, reports_template: str) -> Iterator[Store]:
    """A store on its own migrated PostgreSQL database."""
    name = pg_server.create_database(template=reports_template)
    s = open_server_store(pg_server.url(name))
    try:
        yield s
    finally:
        s.close()
        pg_server.drop_database(name)
