"""The work the leader does in the background: poll channels, send the outbox, wake snoozes,
and — on the clinic server — hand out waiting conversations when staff came on duty on any PC.

Plain Python with no thread of its own: the desktop app calls these from a worker thread on a
timer, and the headless agent from its loop. Each call does a bounded amount of work.

The same code runs on a PC's SQLite store (the app is its own leader; writers take
``BEGIN IMMEDIATE``) and on the clinic server's PostgreSQL store, where the leader passes its
:class:`Fence`: then every write the runtime makes — a fetched page, an outbox claim, a
settlement — first checks in its own transaction that this process still leads.

A reply is claimed before it is sent: ``sending`` is committed with a lease (who claimed it,
until when, under which leader epoch) before the API call, with ``FOR UPDATE SKIP LOCKED`` on
the server. A ``sending`` row whose claimant died — its lease expired, or it was claimed under
an older leader, who can no longer settle it — is sent again where the channel recognises a
repeat by the reply id, and otherwise set ``unknown`` for a person to check: never sent twice.
"""

from __future__ import annotations

import logging
import os
import platform
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from console.channels.base import (
    AuthExpired,
    Channel,
    ChannelError,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
)
from console.domain import Direction, OutboxState, Status
from console.failpoints import failpoint
from console.ids import new_id
from console.ingest import apply_message, ingest
from console.services import Changes, DutyWatch, reopen_in
from console.store import search
from console.store.engine import Store
from console.store.models import (
    AuditEvent,
    ChannelAccount,
    ContactIdentity,
    Conversation,
    Message,
    Outbox,
)

if TYPE_CHECKING:
    from console.routing.triage import Triage

log = logging.getLogger(__name__)

MAX_PAGES_PER_POLL = 20
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
#: Longest single wait for server push before asking again (IMAP servers drop IDLE at ~30 min).
WATCH_WAIT_S = 600.0
#: How long a claim on a reply lasts: well beyond the longest send (connectors time out at
#: 15-60 s). A ``sending`` row older than this was left by a process that died.
LEASE_S = 120.0


class Fence(Protocol):
    """The leader's fencing token, as the runtime uses it (:class:`console.sync.leader.Leader`).

    Attributes:
        epoch: The leader's epoch, recorded on each claim (None when not leading).
        holder: ``machine:pid``, recorded on each claim.
    """

    @property
    def epoch(self) -> int | None: ...

    holder: str

    def check(self, session: Session) -> None:
        """Raise :class:`~console.errors.StaleLeader` unless this process still leads."""


def this_process() -> str:
    """``machine:pid``: how outbox claims and the leader row name a process."""
    return f"{platform.node() or 'unknown'}:{os.getpid()}"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def backoff_s(failures: int, rng: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff: a random delay up to 2 s x 2^failures, capped at 5 min."""
    cap = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0 ** max(0, failures - 1))
    return float(rng()) * cap


@dataclass
class PollReport:
    """What one polling round did."""

    changes: Changes = field(default_factory=Changes)
    fetched: int = 0  # new messages stored (a re-fetched message does not count)
    errors: dict[str, str] = field(default_factory=dict)  # account id -> error code


@dataclass
class _AccountState:
    failures: int = 0
    next_poll: float = 0.0


class Runtime:
    """Polls the enabled accounts and sends due replies.

    Args:
        store: The local store.
        channels: A connector per account id.
        clock: Monotonic seconds (injectable for tests).
        triage: Routes new conversations as they arrive (None: they stay Untriaged).
        fence: The leader's fencing token on the clinic server (None on a PC's own store):
            every write checks it first, and is refused once another process leads.
        lease_s: How long a claim on a reply lasts.
    """

    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        clock: Callable[[], float] = time.monotonic,
        triage: Triage | None = None,
        fence: Fence | None = None,
        lease_s: float = LEASE_S,
    ) -> None:
        self.store = store if fence is None else store.fenced(fence.check)
        self.fence = fence
        self.holder = fence.holder if fence is not None else this_process()
        self.lease_ms = int(lease_s * 1000)
        self.channels = dict(channels)
        self.triage = triage
        self._clock = clock
        self._accounts: dict[str, _AccountState] = {}
        self._stopping = threading.Event()
        self._winding_down = threading.Event()
        self._watchers: list[threading.Thread] = []
        self._duty = DutyWatch()

    def stop_soon(self) -> None:
        """Finish the reply or page in progress and start nothing new (a clean shutdown;
        safe to call from a signal handler or another thread)."""
        self._winding_down.set()

    def close(self) -> None:
        """Stop watching, and close every connector's network resources."""
        self._stopping.set()
        for channel in self.channels.values():
            channel.close()  # also ends a wait in progress (e-mail IDLE)
        for watcher in self._watchers:
            watcher.join(timeout=5)
        self._watchers.clear()

    # -- server push ---------------------------------------------------------------------

    def watch(self, on_news: Callable[[], None]) -> int:
        """Wait for the server's word of new messages (IMAP IDLE) on the channels that offer
        it, each in a thread of its own, and call ``on_news`` (from that thread) when it
        comes, so the next poll runs at once instead of on the timer. :meth:`close` stops
        the threads.

        Returns:
            How many channels are watched.
        """
        for account_id, channel in self.channels.items():
            wait = getattr(channel, "idle", None)  # connectors with push: e-mail
            if callable(wait):
                thread = threading.Thread(
                    target=self._watch,
                    args=(wait, on_news),
                    name=f"sotong-watch-{account_id[:8]}",
                    daemon=True,
                )
                thread.start()
                self._watchers.append(thread)
        return len(self._watchers)

    def _watch(self, wait: Callable[[float], bool], on_news: Callable[[], None]) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                news = wait(WATCH_WAIT_S)
                failures = 0
            except ChannelError as exc:
                failures += 1
                log.info("watching for new mail paused (%s)", exc.code)
                self._stopping.wait(1.0 + backoff_s(failures))
                continue
            except Exception as exc:  # a connector bug must not end the watch for good
                failures += 1
                log.warning("watching for new mail failed (%s)", type(exc).__name__)
                self._stopping.wait(1.0 + backoff_s(failures))
                continue
            if news and not self._stopping.is_set():
                on_news()

    # -- polling -------------------------------------------------------------------------

    def poll_once(self) -> PollReport:
        """Fetch every due account until it has no more pages (at most 20 pages each)."""
        report = PollReport()
        for account_id, channel in self.channels.items():
            if self._winding_down.is_set():
                break
            state = self._accounts.setdefault(account_id, _AccountState())
            if self._clock() < state.next_poll or not channel.capabilities.can_poll:
                continue
            interval = channel.capabilities.min_poll_interval_s
            skipped_before = dict(channel.skipped_counts())
            try:
                for _ in range(MAX_PAGES_PER_POLL):
                    with self.store.read() as s:
                        cursor = s.scalar(
                            select(ChannelAccount.cursor).where(ChannelAccount.id == account_id)
                        )
                    result = channel.fetch(cursor)
                    stored = ingest(self.store, account_id, result, self.triage)
                    report.changes |= stored
                    report.fetched += stored.messages
                    if not result.more:
                        break
                state.failures = 0
                state.next_poll = self._clock() + interval if interval else 0.0
                self._count_skipped(account_id, skipped_before, channel.skipped_counts())
            except ChannelError as exc:
                state.failures += 1
                delay = backoff_s(state.failures)
                if isinstance(exc, RateLimited):
                    delay = max(delay, exc.retry_after)
                state.next_poll = self._clock() + delay
                report.errors[account_id] = exc.code
                self._set_account_error(account_id, exc.code)
                log.warning("fetch failed for account %s: %s", account_id, exc.code)
        return report

    def _count_skipped(
        self, account_id: str, before: Mapping[str, int], after: Mapping[str, int]
    ) -> None:
        """Add the items the connector left out this round to the account's health."""
        new = {reason: n - before.get(reason, 0) for reason, n in after.items()}
        new = {reason: n for reason, n in new.items() if n > 0}
        if not new:
            return
        with self.store.write() as s:
            account = s.get(ChannelAccount, account_id)
            if account is not None:
                account.skipped_items += sum(new.values())
                account.last_skip_reason = max(new, key=lambda r: new[r])[:80]

    def _set_account_error(self, account_id: str, code: str) -> None:
        with self.store.write() as s:
            account = s.get(ChannelAccount, account_id)
            if account is not None:
                account.last_error = code

    # -- outbox --------------------------------------------------------------------------

    def recover_interrupted(self) -> Changes:
        """Settle replies left in ``sending`` by a process that is gone: retry where the
        channel dedupes, otherwise mark ``unknown`` for a person to check. Call once at
        start-up, and on the server each time this process becomes the leader (every claim
        of an older epoch belongs to a leader that can no longer settle it)."""
        epoch = self.fence.epoch if self.fence is not None else None
        if epoch is None:
            return self._recover(Outbox.state == OutboxState.SENDING.value)
        return self._recover(
            Outbox.state == OutboxState.SENDING.value,
            or_(Outbox.leader_epoch.is_(None), Outbox.leader_epoch != epoch),
        )

    def recover_expired(self) -> Changes:
        """Settle replies whose claim outlived its lease (as :meth:`recover_interrupted`)."""
        return self._recover(
            Outbox.state == OutboxState.SENDING.value, Outbox.lease_until < _now_ms()
        )

    def _recover(self, *where: ColumnElement[bool]) -> Changes:
        with self.store.read() as s:
            if s.scalar(select(Outbox.id).where(*where).limit(1)) is None:
                return Changes()  # the usual case: no write transaction at all
        changed: set[str] = set()
        now = _now_ms()
        with self.store.write() as s:
            for row in s.scalars(select(Outbox).where(*where).with_for_update(skip_locked=True)):
                channel = self.channels.get(row.account_id)
                safe = channel is not None and channel.capabilities.dedupes
                row.state = OutboxState.QUEUED.value if safe else OutboxState.UNKNOWN.value
                row.error = None if safe else "interrupted"
                row.lease_until = None
                row.updated_at = now
                if safe:
                    row.next_attempt_at = now
                log.warning(
                    "reply %s was left sending by %s: %s",
                    row.id,
                    row.claimed_by or "a process that is gone",
                    "sending again" if safe else "outcome unknown",
                )
                changed.add(row.conversation_id)
        ids = frozenset(changed)
        return Changes(conversations=ids, threads=ids, outbox=bool(ids))

    def _claim(self) -> tuple[Outbox, OutgoingReply] | None:
        """Move the oldest due reply to ``sending`` under a lease, and commit before any
        network call. On the server, a row another transaction holds is skipped."""
        now = _now_ms()
        accounts = list(self.channels)
        with self.store.write() as s:
            row = s.scalars(
                select(Outbox)
                .where(
                    Outbox.state == OutboxState.QUEUED.value,
                    Outbox.next_attempt_at <= now,
                    Outbox.account_id.in_(accounts),
                )
                .order_by(Outbox.created_at, Outbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            row.state, row.attempts, row.updated_at = (
                OutboxState.SENDING.value,
                row.attempts + 1,
                now,
            )
            row.claimed_by, row.lease_until = self.holder, now + self.lease_ms
            row.leader_epoch = self.fence.epoch if self.fence is not None else None
            conv = s.get(Conversation, row.conversation_id)
            assert conv is not None
            handle = (
                s.scalar(
                    select(ContactIdentity.handle).where(
                        ContactIdentity.contact_id == conv.contact_id,
                        ContactIdentity.account_id == conv.account_id,
                    )
                )
                or ""
            )
            latest_in = s.scalar(
                select(Message.external_id)
                .where(
                    Message.conversation_id == conv.id,
                    Message.direction == Direction.INBOUND.value,
                )
                .order_by(Message.sent_at.desc())
                .limit(1)
            )
            reply = OutgoingReply(
                row.id,
                conv.external_thread_id,
                handle,
                row.body,
                customer_last_at=conv.last_inbound_at,
                subject=conv.subject,
                reply_to_external_id=latest_in or "",
            )
            return row, reply

    def send_due(self, max_replies: int = 20) -> Changes:
        """Send replies that are due, one at a time, each claimed and settled in its own
        transaction."""
        changes = self.recover_expired()
        for _ in range(max_replies):
            if self._winding_down.is_set():
                break
            claimed = self._claim()
            if claimed is None:
                break
            row, reply = claimed
            failpoint("send_claimed")  # mid-lease: claimed, nothing sent yet
            channel = self.channels[row.account_id]
            try:
                external_id = channel.send(reply)
            except ChannelError as exc:
                self._settle_failure(row, channel, exc)
            else:
                failpoint("send_answered")  # the channel took it; `sent` not yet committed
                self._settle_sent(row, external_id)
            ids = frozenset({row.conversation_id})
            changes |= Changes(conversations=ids, threads=ids, outbox=True)
        return changes

    def _settle_sent(self, row: Outbox, external_id: str) -> None:
        now = _now_ms()
        with self.store.write() as s:
            out = s.get(Outbox, row.id)
            conv = s.get(Conversation, row.conversation_id)
            assert out is not None and conv is not None
            out.state, out.external_id, out.error, out.updated_at = (
                OutboxState.SENT.value,
                external_id,
                None,
                now,
            )
            out.lease_until = None
            existing = s.scalars(
                select(Message).where(
                    Message.account_id == row.account_id, Message.external_id == external_id
                )
            ).first()
            if existing is not None:  # a fetch saw it before we recorded it
                existing.outbox_id = row.id
                return
            message = Message(
                id=new_id(),
                conversation_id=row.conversation_id,
                account_id=row.account_id,
                external_id=external_id,
                direction=Direction.OUTBOUND.value,
                author="",
                body=row.body,
                sent_at=now,
                delivery_status="sent",
                outbox_id=row.id,
            )
            s.add(message)
            search.index_messages(
                s,
                [
                    {
                        "id": message.id,
                        "conversation_id": message.conversation_id,
                        "sent_at": now,
                        "body": message.body,
                    }
                ],
            )
            apply_message(conv, Direction.OUTBOUND.value, row.body, now, None)
            s.add(
                AuditEvent(
                    id=new_id(),
                    at=now,
                    operator_id=row.operator_id,
                    node=self.store.node_id,
                    action="reply_sent",
                    conversation_id=row.conversation_id,
                    detail={"reply_id": row.id},
                )
            )

    def _settle_failure(self, row: Outbox, channel: Channel, exc: ChannelError) -> None:
        now = _now_ms()
        with self.store.write() as s:
            out = s.get(Outbox, row.id)
            assert out is not None
            out.updated_at, out.lease_until = now, None
            if isinstance(exc, Rejected):
                out.state, out.error = OutboxState.FAILED.value, exc.reason
            elif isinstance(exc, Transient) and exc.ambiguous and not channel.capabilities.dedupes:
                out.state, out.error = OutboxState.UNKNOWN.value, exc.code
            else:
                delay = backoff_s(out.attempts)
                if isinstance(exc, RateLimited):
                    delay = max(delay, exc.retry_after)
                if isinstance(exc, AuthExpired):
                    delay = max(delay, 60.0)
                out.state, out.error = OutboxState.QUEUED.value, exc.code
                out.next_attempt_at = now + int(delay * 1000)
        log.warning("reply %s not sent: %s", row.id, exc.code)

    # -- snoozes -------------------------------------------------------------------------

    def wake_snoozed(self) -> Changes:
        """Reopen conversations whose snooze time has passed."""
        now = _now_ms()
        woken: set[str] = set()
        with self.store.write() as s:
            rows = s.scalars(
                select(Conversation).where(
                    Conversation.status == Status.SNOOZED.value,
                    Conversation.snoozed_until <= now,
                )
            ).all()
            for conv in rows:
                reopen_in(s, self.store, conv, "wake_snoozed")
                woken.add(conv.id)
        return Changes(conversations=frozenset(woken), new_conversations=bool(woken))

    # -- duty ----------------------------------------------------------------------------

    def hand_out_on_duty(self) -> Changes:
        """As leader on the clinic server: hand out the waiting conversations of departments
        where someone came on duty, gained the department, or whose mode was turned on —
        on any PC — once per change (:class:`console.services._duty.DutyWatch`, fenced like
        every write here). Nothing on a PC's own store, where those services hand out in
        their own transaction."""
        if self.fence is None:
            return Changes()
        return self._duty.check(self.store)
