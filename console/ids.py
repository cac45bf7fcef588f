"""Identifiers: time-ordered UUIDv7 (RFC 9562) for everything created on a PC.

Python 3.11's :mod:`uuid` has no ``uuid7``; this is the RFC's layout with a monotonic
sub-millisecond counter so ids made in one process always sort in creation order.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """Return a new UUIDv7: 48-bit Unix milliseconds, then 74 bits of counter and randomness.

    Args:
        now_ms: Timestamp to use instead of the clock (for generated data).
    """
    global _last_ms, _seq  # noqa: PLW0603
    with _lock:
        ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        if now_ms is None:
            if ms <= _last_ms:
                ms = _last_ms
                _seq += 1
                if _seq > 0xFFF:  # counter exhausted: borrow the next millisecond
                    ms += 1
                    _seq = 0
            else:
                _seq = int.from_bytes(os.urandom(2), "big") & 0x3FF
            _last_ms = ms
            seq = _seq
        else:
            seq = int.from_bytes(os.urandom(2), "big") & 0xFFF
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def new_id(now_ms: int | None = None) -> str:
    """Return a new time-ordered id as its canonical 36-character string."""
    return str(uuid7(now_ms))


_REPLY_NAMESPACE = uuid.UUID("6f1c2b9e-52d4-4b43-9d0e-5c0f7a3c2a10")


def reply_id(draft_id: str, rev: int) -> str:
    """Return the id of the reply made from one draft revision.

    Two PCs that queue the same synced draft revision make the same reply id, so the
    outbox holds it once.
    """
    return str(uuid.uuid5(_REPLY_NAMESPACE, f"{draft_id}:{rev}"))
