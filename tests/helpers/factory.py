"""Build small stores with known content for tests, through the real ingest path."""

from __future__ import annotations

import itertools
import time

from console.channels.base import FetchResult, InboundMessage
from console.domain import Role
from console.ids import new_id
from console.ingest import ingest
from console.store.engine import Store
from console.store.models import ChannelAccount, Operator

_counter = itertools.count(1)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def add_account(store: Store, kind: str = "kakaotalk", name: str = "테스트 채널") -> str:
    """Create a channel account and return its id."""
    account_id = new_id()
    with store.write() as s:
        s.add(
            ChannelAccount(
                id=account_id,
                kind=kind,
                connector="test",
                external_id=f"test:{account_id}",
                display_name=name,
                config={},
                secret_ref=None,
                enabled=True,
                created_at=now_ms(),
            )
        )
    return account_id


def add_operator(
    store: Store,
    name: str = "김지현",
    role: Role = Role.FRONT_DESK,
    departments: tuple[str, ...] = ("general",),
) -> str:
    """Create a member of staff and return their id."""
    oid = new_id()
    with store.write() as s:
        s.add(
            Operator(
                id=oid,
                name=name,
                role=role.value,
                departments=list(departments),
                on_duty=True,
                created_at=now_ms(),
            )
        )
    return oid


def add_conversation(
    store: Store,
    account_id: str,
    texts: list[tuple[str, str]] | None = None,
    contact: str = "김민지",
    handle: str | None = None,
    minutes_ago: int = 10,
) -> str:
    """Ingest a conversation of ``(direction, text)`` messages and return its id."""
    from sqlalchemy import select

    from console.store.models import Conversation

    texts = texts or [("in", "쌍수 상담 가능할까요?")]
    n = next(_counter)
    handle = handle or f"user{n}"
    thread = f"thread-{handle}"
    start = now_ms() - minutes_ago * 60_000
    msgs = [
        InboundMessage(
            external_id=f"m-{n}-{i}",
            thread_id=thread,
            handle=handle,
            contact_name=contact,
            direction=d,
            body=t,
            sent_at=start + i * 1000,
        )
        for i, (d, t) in enumerate(texts)
    ]
    ingest(store, account_id, FetchResult(msgs, f"cursor-{n}"))
    with store.read() as s:
        cid = s.scalar(
            select(Conversation.id).where(
                Conversation.account_id == account_id, Conversation.external_thread_id == thread
            )
        )
    assert cid is not None
    return cid
