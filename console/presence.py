"""Who else has a conversation open, or is writing a reply to it.

Each PC with a clinic server says every few seconds (:func:`beat`) which conversation its
member of staff has open and whether they are typing; :func:`others` reads who else is on a
conversation. Rows live in the ``presence`` table of the clinic server's store only (UNLOGGED
on PostgreSQL; never replicated, never on a PC's own store): one row per (member of staff,
PC), replaced by each beat, deleted when they close the conversation or the app. A row whose
last beat is older than :data:`EXPIRY_MS` means nothing (the PC vanished), and beats sweep
such rows away.

Times are the database's clock, never a PC's, so PCs whose clocks disagree still agree on
what is fresh. Presence is not domain data: it is written here directly, not through a
service, has no audit event and no pending op. No Qt here: the UI calls these on a worker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, not_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from console.store.engine import Store
from console.store.models import Presence

#: A beat older than this (ms) no longer counts: its PC stopped beating.
EXPIRY_MS = 15_000
#: Rows older than this (ms) are deleted by the next beat.
SWEEP_MS = 60_000


class PresenceState(enum.StrEnum):
    """What someone is doing with a conversation."""

    VIEWING = "viewing"
    TYPING = "typing"


@dataclass(frozen=True)
class Colleague:
    """Someone else on a conversation.

    Attributes:
        operator_id: Who.
        node: On which PC.
        state: A :class:`PresenceState` value.
        age_ms: How long ago they last said so.
    """

    operator_id: str
    node: str
    state: str
    age_ms: int


def _db_now_ms(conn: Connection) -> ColumnElement[int]:
    """The database's current time in ms, as an SQL expression."""
    if conn.dialect.name == "postgresql":
        return func.floor(func.extract("epoch", func.clock_timestamp()) * 1000).cast(
            Presence.at.type
        )
    return func.cast((func.julianday("now") - 2440587.5) * 86_400_000, Presence.at.type)


def beat(
    server: Store,
    operator_id: str,
    node: str,
    conversation_id: str | None,
    state: PresenceState = PresenceState.VIEWING,
) -> None:
    """Say what this member of staff on this PC is doing now: ``conversation_id`` open
    (viewing or typing), or nothing open (None: their row goes)."""
    with server.engine.begin() as conn:
        now = _db_now_ms(conn)
        mine = and_(Presence.operator_id == operator_id, Presence.node == node)
        if conversation_id is None:
            conn.execute(delete(Presence).where(mine))
        else:
            values = {
                "operator_id": operator_id,
                "node": node,
                "conversation_id": conversation_id,
                "state": PresenceState(state).value,
                "at": now,
            }
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(Presence).values(**values)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[Presence.operator_id, Presence.node],
                    set_={k: insert.excluded[k] for k in ("conversation_id", "state", "at")},
                )
            )
        conn.execute(delete(Presence).where(Presence.at < now - SWEEP_MS))


def others(server: Store, conversation_id: str, operator_id: str, node: str) -> list[Colleague]:
    """Who else has ``conversation_id`` open now (typing first, then by who said so last);
    this member of staff on this PC is left out, the same person on another PC is not."""
    with server.engine.connect() as conn:
        now = _db_now_ms(conn)
        age = (now - Presence.at).label("age")
        rows = conn.execute(
            select(Presence.operator_id, Presence.node, Presence.state, age)
            .where(
                Presence.conversation_id == conversation_id,
                Presence.at >= now - EXPIRY_MS,
                not_(and_(Presence.operator_id == operator_id, Presence.node == node)),
            )
            .order_by((Presence.state != PresenceState.TYPING.value), age, Presence.operator_id)
        ).all()
    return [Colleague(str(o), str(n), str(s), max(0, int(a))) for o, n, s, a in rows]


def leave(server: Store, operator_id: str, node: str) -> None:
    """This member of staff on this PC has nothing open any more (the app is closing)."""
    beat(server, operator_id, node, None)
