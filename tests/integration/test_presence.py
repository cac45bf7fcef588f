"""Presence on the clinic server: who else has a conversation open or is typing, on a real
PostgreSQL (the server's clock decides what is fresh)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import URL, text, update

from console import presence
from console.presence import PresenceState
from console.store.engine import Store
from console.store.models import Presence
from console.store.server import open_server_store
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

CONV, OTHER = "conv-1", "conv-2"


@pytest.fixture
def server(pg_url: URL) -> Iterator[Store]:
    store = open_server_store(pg_url)
    yield store
    store.close()


def _age(server: Store, operator_id: str, ms: int) -> None:
    with server.engine.begin() as conn:
        conn.execute(
            update(Presence).where(Presence.operator_id == operator_id).values(at=Presence.at - ms)
        )


def test_each_sees_the_others_on_the_same_conversation(server: Store) -> None:
    presence.beat(server, "kim", "pc-desk", CONV)
    presence.beat(server, "park", "pc-derm", CONV, PresenceState.TYPING)
    presence.beat(server, "lee", "pc-dental", OTHER)
    seen_by_kim = presence.others(server, CONV, "kim", "pc-desk")
    assert [(c.operator_id, c.state) for c in seen_by_kim] == [("park", "typing")]
    seen_by_park = presence.others(server, CONV, "park", "pc-derm")
    assert [(c.operator_id, c.state) for c in seen_by_park] == [("kim", "viewing")]
    assert all(0 <= c.age_ms < presence.EXPIRY_MS for c in seen_by_kim + seen_by_park)
    # Nobody else is on conv-2 for lee; lee is nowhere on conv-1.
    assert presence.others(server, OTHER, "lee", "pc-dental") == []


def test_typing_comes_first_and_one_row_per_person_and_pc(server: Store) -> None:
    presence.beat(server, "kim", "pc-desk", CONV)
    presence.beat(server, "park", "pc-derm", CONV)
    presence.beat(server, "park", "pc-derm", CONV, PresenceState.TYPING)
    presence.beat(server, "kim", "pc-laptop", CONV)  # the same person on another PC
    seen = presence.others(server, CONV, "kim", "pc-desk")
    assert [(c.operator_id, c.node, c.state) for c in seen] == [
        ("park", "pc-derm", "typing"),
        ("kim", "pc-laptop", "viewing"),
    ]
    with server.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM presence")).scalar() == 3


def test_moving_on_closing_and_vanishing(server: Store) -> None:
    presence.beat(server, "park", "pc-derm", CONV)
    presence.beat(server, "park", "pc-derm", OTHER)  # opened another conversation
    assert presence.others(server, CONV, "kim", "pc-desk") == []
    assert [c.operator_id for c in presence.others(server, OTHER, "kim", "pc-desk")] == ["park"]
    presence.leave(server, "park", "pc-derm")
    assert presence.others(server, OTHER, "kim", "pc-desk") == []
    # A PC that stops beating drops out after the expiry, and a later beat sweeps it away.
    presence.beat(server, "lee", "pc-dental", CONV)
    _age(server, "lee", presence.EXPIRY_MS + 1_000)
    assert presence.others(server, CONV, "kim", "pc-desk") == []
    _age(server, "lee", presence.SWEEP_MS)
    presence.beat(server, "kim", "pc-desk", CONV)
    with server.engine.connect() as conn:
        assert conn.execute(text("SELECT operator_id FROM presence")).scalars().all() == ["kim"]


def test_the_table_is_unlogged_on_the_server(server: Store) -> None:
    with server.engine.connect() as conn:
        persistence = conn.execute(
            text("SELECT relpersistence FROM pg_class WHERE relname = 'presence'")
        ).scalar()
    assert persistence == "u"  # seconds-old state: no write-ahead log, lost on a crash
