"""Stores with known content for the UI tests, built through the real ingest path and services.

:func:`bulk_conversations` ingests many one-message conversations in a single page (fast enough
to make hundreds per test); :func:`long_thread` makes one conversation with many messages.
"""

from __future__ import annotations

import itertools

from console.channels.base import FetchResult, InboundMessage
from console.ingest import ingest
from console.store.engine import Store
from console.store.queries import ListFilter, View, conversation_ids
from tests.helpers.factory import now_ms

_batch = itertools.count(1)

HTML_BODY = "<img src=x onerror=alert(1)><b>굵게</b>"


def bulk_conversations(
    store: Store, account_id: str, n: int, text: str = "예약 문의드립니다", minutes_apart: int = 1
) -> list[str]:
    """Ingest ``n`` conversations (one inbound message each, newest first in the list).

    Returns:
        Their ids, newest first (the list's default order).
    """
    batch = next(_batch)
    start = now_ms() - n * minutes_apart * 60_000
    msgs = [
        InboundMessage(
            external_id=f"bulk-{batch}-{i}",
            thread_id=f"bulk-{batch}-{i}",
            handle=f"bulk{batch}_{i}",
            contact_name=f"고객 {batch}-{i:04d}",
            direction="in",
            body=f"{text} #{i}",
            sent_at=start + i * minutes_apart * 60_000,
        )
        for i in range(n)
    ]
    before = {cid for cid, _ in conversation_ids(store, ListFilter(View.ALL_OPEN), limit=10**6)}
    ingest(store, account_id, FetchResult(msgs, f"bulk-cursor-{batch}"))
    after = conversation_ids(store, ListFilter(View.ALL_OPEN), limit=10**6)
    return [cid for cid, _ in after if cid not in before]


def long_thread(store: Store, account_id: str, n: int, contact: str = "정다혜") -> str:
    """One conversation with ``n`` messages alternating in and out.

    Returns:
        The conversation id.
    """
    batch = next(_batch)
    start = now_ms() - n * 60_000
    body = "안녕하세요, 시술 후 관리 방법이 궁금합니다. 세안은 언제부터 가능한가요? "
    msgs = [
        InboundMessage(
            external_id=f"long-{batch}-{i}",
            thread_id=f"long-{batch}",
            handle=f"long{batch}",
            contact_name=contact,
            direction="in" if i % 2 == 0 else "out",
            body=body * (1 + i % 3) + f"({i})",
            sent_at=start + i * 60_000,
        )
        for i in range(n)
    ]
    changes = ingest(store, account_id, FetchResult(msgs, f"long-cursor-{batch}"))
    (cid,) = changes.threads
    return cid
