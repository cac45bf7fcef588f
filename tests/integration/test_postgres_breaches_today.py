"""The "breaches today" list filter's SQL (business time computed by the database) on a real
PostgreSQL, with the same example as on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import URL

from console.store.server import open_server_store
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)
from tests.unit.console.test_breaches_today import check_breaches_today_list

pytestmark = pytest.mark.slow


def test_the_breaches_today_list_on_postgresql(pg_url: URL) -> None:
    store = open_server_store(pg_url)
    try:
        check_breaches_today_list(store)
    finally:
        store.close()
