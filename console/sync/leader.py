"""Leader election on the clinic server: one process at a time polls channels and sends.

The leader is whoever holds a session-level advisory lock (:data:`LEADER_LOCK_KEY`) on a
connection of its own — made with psycopg directly, not taken from the store's pool, so no
pooled transaction can ever release it or be mistaken for it. That connection has TCP
keepalives on both ends (:mod:`console.store.server`): a leader whose machine vanishes loses
the lock when the server drops its session, in about 50 s; one that is killed loses it at
once, when its socket closes.

A lock alone does not stop a leader that *thinks* it still leads — one paused by the
operating system, or cut off from the server and reconnected through its pool — from writing
after another has taken over. So each acquisition also increments a fencing **epoch** in the
server's ``leader`` table (migration 0011), and every leader write checks it in its own
transaction (:meth:`Leader.check`, run by :meth:`console.store.Store.fenced`): a write from
an older epoch is refused with :class:`~console.errors.StaleLeader` and nothing it did is
committed. The bump and the checks are serialised by the store's write lock
(:data:`~console.store.server.WRITE_LOCK_KEY`), so a check that passed cannot be overtaken by
a takeover before its transaction commits.

A leader also writes a heartbeat into the row every few seconds. A process that is frozen but
whose machine still answers TCP (SIGSTOP, a debugger, a hung VM) keeps its lock; a standby
that sees the heartbeat older than :data:`STALE_AFTER_S` ends the holder's lock session
(``pg_terminate_backend``, allowed for sessions of the same role) and takes over. Should the
old leader wake up, its next write is refused and it stands down.

:func:`current_leader` tells the console's status bar who leads.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import URL, text
from sqlalchemy.orm import Session

from console.errors import StaleLeader
from console.runtime import this_process
from console.store.engine import Store
from console.store.server import (
    CONNECT_TIMEOUT_S,
    WRITE_LOCK_KEY,
    advisory_key,
    connect_kwargs,
)

__all__ = [
    "HEARTBEAT_S",
    "LEADER_LOCK_KEY",
    "STALE_AFTER_S",
    "Leader",
    "LeaderInfo",
    "current_leader",
    "this_process",
]

log = logging.getLogger(__name__)

#: The advisory lock whose holder is the leader.
LEADER_LOCK_KEY = advisory_key("sotong.leader")

#: Seconds between the leader's heartbeats.
HEARTBEAT_S = 5.0

#: A heartbeat older than this means the holder is frozen: a standby ends its sessions.
STALE_AFTER_S = 30.0


def session_name(holder: str) -> str:
    """The ``application_name`` of a leading process's store sessions (``machine:pid``
    inside), by which a standby finds them all when that process freezes; PostgreSQL keeps
    63 bytes of it."""
    return f"sotong-leader {holder}".encode()[:63].decode("utf-8", "ignore")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _lock_parts(key: int) -> tuple[int, int]:
    """The (classid, objid) under which ``pg_locks`` shows a bigint advisory key."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return unsigned >> 32, unsigned & 0xFFFF_FFFF


_HOLDER_SQL = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@dataclass(frozen=True)
class LeaderInfo:
    """The process that leads now, as the status bar shows it.

    Attributes:
        machine: The leader's machine name.
        pid: Its process id on that machine.
        since: When it became leader (ms since the epoch, UTC).
        epoch: Its fencing epoch (grows by one at each takeover).
        heartbeat_age_s: Seconds since its last heartbeat (a few normally; more than
            :data:`STALE_AFTER_S` means it is frozen and about to be replaced).
    """

    machine: str
    pid: int
    since: int
    epoch: int
    heartbeat_age_s: float


def current_leader(store: Store) -> LeaderInfo | None:
    """Who leads on the clinic server, or None when nobody holds the leader lock (or the
    store is a PC's SQLite, where the app is its own leader).

    Args:
        store: The server store (:func:`console.store.server.open_server_store`).
    """
    if store.engine.dialect.name != "postgresql":
        return None
    classid, objid = _lock_parts(LEADER_LOCK_KEY)
    with store.engine.connect() as conn:
        held = conn.exec_driver_sql(_HOLDER_SQL, (classid, objid)).first()
        if held is None:
            return None
        row = conn.execute(
            text("SELECT machine, pid, since, epoch, heartbeat FROM leader WHERE id = 1")
        ).first()
    if row is None:
        return None
    machine, pid, since, epoch, heartbeat = row
    age = max(0.0, (_now_ms() - int(heartbeat)) / 1000)
    return LeaderInfo(str(machine), int(pid), int(since), int(epoch), age)


def _connect_kwargs(url: str | URL, password: str | None, connect_timeout: int) -> dict[str, Any]:
    kwargs = connect_kwargs(
        url,
        password,
        connect_timeout=connect_timeout,
        application_name=session_name(this_process()),
    )
    return {**kwargs, "autocommit": True}


class Leader:
    """Takes, keeps and gives back the leader lock, and fences this process's writes.

    Thread-safe: the agent's loop and its heartbeat thread share one instance.

    Args:
        url: The server's URL.
        password: The password, if it is not in the URL (from the keyring).
        connect_timeout: Seconds to wait for the server.
        stale_after_s: Heartbeat age after which a frozen holder is replaced.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        password: str | None = None,
        connect_timeout: int = CONNECT_TIMEOUT_S,
        stale_after_s: float = STALE_AFTER_S,
    ) -> None:
        self._kwargs = _connect_kwargs(url, password, connect_timeout)
        self._stale_after_ms = int(stale_after_s * 1000)
        self.holder = this_process()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._lock = threading.RLock()
        self._epoch: int | None = None
        self._last_epoch: int | None = None  # the epoch of the latest term, for the record
        self.since: int | None = None

    # -- state ---------------------------------------------------------------------------

    @property
    def epoch(self) -> int | None:
        """This process's fencing epoch while it leads, else None."""
        return self._epoch

    @property
    def is_leader(self) -> bool:
        """True while this process holds the lock and has not been found stale."""
        return self._epoch is not None

    # -- taking and giving back ----------------------------------------------------------

    def try_acquire(self) -> bool:
        """Try once to become the leader (never waits for the lock).

        Returns:
            True if this process leads now (a new epoch was taken).
        """
        with self._lock:
            if self._epoch is not None:
                return True
            try:
                conn = self._connection()
                if not self._try_lock(conn) and not (self._replace_frozen(conn)):
                    return False
                epoch = self._take_epoch(conn)
            except psycopg.Error as exc:
                log.warning("leader lock: server unavailable (%s)", type(exc).__name__)
                self._drop_connection()
                return False
            self._epoch, self._last_epoch, self.since = epoch, epoch, _now_ms()
        log.info("this process leads now (epoch %d)", epoch)
        return True

    def release(self) -> None:
        """Stop leading: give the lock back at once (another process can take over) and
        close the lock connection. Safe to call when not leading."""
        with self._lock:
            was = self._epoch
            self._epoch = None
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                if was is not None and not conn.closed:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (LEADER_LOCK_KEY,))
            except psycopg.Error:
                pass  # the session is gone, and its lock with it
            finally:
                conn.close()
        if was is not None:
            log.info("leader lock released (epoch %d)", was)

    close = release

    # -- keeping it ----------------------------------------------------------------------

    def heartbeat(self) -> bool:
        """Record that this leader is alive; find out whether it still leads.

        Returns:
            False if it does not (its lock session ended, or a newer epoch took over): it
            has stood down, and :attr:`is_leader` is False.
        """
        with self._lock:
            epoch = self._epoch
            if epoch is None or self._conn is None:
                return False
            try:
                cur = self._conn.execute(
                    "UPDATE leader SET heartbeat = %s WHERE id = 1 AND epoch = %s",
                    (_now_ms(), epoch),
                )
                still = cur.rowcount == 1
            except psycopg.Error as exc:
                log.warning("leader heartbeat failed (%s)", type(exc).__name__)
                still = False
        if not still:
            log.warning("this process no longer leads (epoch %d): standing down", epoch)
            self.release()
        return still

    def check(self, session: Session) -> None:
        """The fence: run first in each leader write transaction (see
        :meth:`console.store.Store.fenced`).

        Raises:
            StaleLeader: this process does not lead, or another took over since; the
                transaction is rolled back and this process stands down.
        """
        mine = self._epoch
        current = session.execute(text("SELECT epoch FROM leader WHERE id = 1")).scalar()
        if mine is None or current != mine:
            log.warning(
                "write refused: this process's term (epoch %s) is over; the leader's epoch is %s",
                self._last_epoch,
                current,
            )
            if mine is not None and self._epoch == mine:
                self._epoch = None  # the loop sees it and releases the lock connection
            raise StaleLeader(epoch=self._last_epoch, current=current)

    # -- inside --------------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop_connection()
            self._conn = psycopg.connect(**self._kwargs)
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    @staticmethod
    def _try_lock(conn: psycopg.Connection[tuple[Any, ...]]) -> bool:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK_KEY,)).fetchone()
        return bool(row and row[0])

    def _replace_frozen(self, conn: psycopg.Connection[tuple[Any, ...]]) -> bool:
        """End the sessions of a leader whose heartbeat stopped — its lock session, and its
        store sessions, one of which may be frozen inside a write transaction holding the
        store's write lock — then take the lock."""
        row = conn.execute("SELECT heartbeat, machine, pid FROM leader WHERE id = 1").fetchone()
        if row is None or _now_ms() - int(row[0]) < self._stale_after_ms:
            return False
        holder = conn.execute(_HOLDER_SQL, _lock_parts(LEADER_LOCK_KEY)).fetchone()
        if holder is None:
            return self._try_lock(conn)  # released meanwhile
        log.warning(
            "the leader %s (pid %s) has been silent for %d s: ending its sessions",
            row[1],
            row[2],
            (_now_ms() - int(row[0])) // 1000,
        )
        try:
            conn.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND datname = current_database()"
                " AND (pid = %s OR application_name = %s)",
                (holder[0], session_name(f"{row[1]}:{row[2]}")),
            )
        except psycopg.errors.InsufficientPrivilege:
            log.warning("not allowed to end the frozen leader's sessions; waiting for them")
            return False
        return self._try_lock(conn)

    def _take_epoch(self, conn: psycopg.Connection[tuple[Any, ...]]) -> int:
        """Bump the epoch and name this process in the leader row (under the write lock, so
        no fenced write of the old epoch is half-way through)."""
        now = _now_ms()
        machine, _, pid = self.holder.rpartition(":")
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                row = conn.execute(
                    "INSERT INTO leader (id, epoch, machine, pid, since, heartbeat)"
                    " VALUES (1, 1, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO UPDATE SET epoch = leader.epoch + 1,"
                    " machine = EXCLUDED.machine, pid = EXCLUDED.pid,"
                    " since = EXCLUDED.since, heartbeat = EXCLUDED.heartbeat"
                    " RETURNING epoch",
                    (machine[:120], int(pid), now, now),
                ).fetchone()
        except psycopg.Error:
            if not conn.broken:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LEADER_LOCK_KEY,))
            raise
        assert row is not None
        return int(row[0])
