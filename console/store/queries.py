"""Narrow read queries for lists, counts and threads. They return light rows, never ORM objects.

Lists page by keyset (``after``) so the ten-thousandth page costs what the first does, and
every filter here is backed by an index in :mod:`console.store.models`.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from console.domain import OutboxState
from console.store.engine import Store
from console.store.models import (
    FOLDER_ACTIVE,
    FOLDER_RESOLVED,
    FOLDER_SNOOZED,
    ChannelAccount,
    Contact,
    Conversation,
    ConversationLabel,
    DepartmentAssignment,
    Draft,
    Message,
    Note,
    Operator,
    Outbox,
    SavedSearch,
    SyncFieldConflict,
)
from console.store.search import SearchHit, search


class View(enum.StrEnum):
    """The navigation entries a list can show."""

    ALL_OPEN = "all_open"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    UNTRIAGED = "untriaged"
    DEPARTMENT = "department"
    CHANNEL = "channel"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Order(enum.StrEnum):
    """How a list is sorted."""

    RECENT = "recent"  # last activity first
    WAITING = "waiting"  # longest-waiting customer first, answered ones after


@dataclass(frozen=True)
class ListFilter:
    """Which conversations a list shows.

    Attributes:
        view: The navigation entry.
        value: Department code or channel kind, for those views.
        operator_id: Who "Mine" means.
        text: Words the contact name or last message must contain.
        order: Sort order.
        department: Only this department's conversations ("" for untriaged ones), within
            the view (the dashboard's "unassigned in plastic surgery").
        channel: Only conversations on this channel kind, within the view.
        waiting: Only conversations whose customer waits for a reply.
        breached: Only conversations waiting past their SLA target now (:mod:`console.sla`).
        breached_today: Only conversations that breached their SLA target today — waiting
            past it now, or answered late today (the dashboard's "breaches today") — in
            any folder: one answered late may be resolved since.
    """

    view: View = View.ALL_OPEN
    value: str | None = None
    operator_id: str | None = None
    text: str = ""
    order: Order = Order.RECENT
    department: str | None = None
    channel: str | None = None
    waiting: bool = False
    breached: bool = False
    breached_today: bool = False


@dataclass(frozen=True)
class ConversationRow:
    """What a list row shows about one conversation."""

    id: str
    channel: str
    account_name: str
    contact_name: str
    snippet: str
    department: str | None
    status: str
    priority: int
    assignee_id: str | None
    last_message_at: int
    waiting_since: int | None
    snoozed_until: int | None
    unread: bool
    has_draft: bool
    queued: int
    failed: int
    labels: tuple[str, ...]
    department_source: str = ""  # "staff", "rule", "auto" or "" (nobody yet)
    suggested_department: str | None = None  # the classifier's proposal when not applied
    suggestion_confidence: float | None = None
    #: The clinic's first reply in the current episode (None: the first-response SLA target
    #: applies to the wait, else the next-response one).
    first_response_at: int | None = None
    has_conflict: bool = False  # a draft here has a conflict copy (sync kept the other text)
    #: A field edit made here was overwritten by a concurrent edit on another PC.
    field_conflict: bool = False


@dataclass(frozen=True)
class ThreadItem:
    """One bubble in a thread: a message, a private note or a reply in the outbox."""

    kind: str  # "message", "note" or "outbox"
    id: str
    direction: str  # "in" or "out"; notes count as "out"
    author: str
    body: str
    at: int
    state: str | None  # outbox state, message delivery status
    error: str | None
    handoff_to: str = ""  # for a hand-off note: the name of the colleague it was handed to


@dataclass(frozen=True)
class DraftRow:
    """The operator's current draft."""

    id: str
    body: str
    rev: int
    updated_at: int


@dataclass(frozen=True)
class DraftConflictRow:
    """A conflict copy of the operator's draft: the text that lost a concurrent save."""

    id: str
    body: str
    rev: int
    updated_at: int


@dataclass(frozen=True)
class FieldConflictRow:
    """A field edit of this PC that a concurrent edit on another PC overwrote.

    Attributes:
        field: The conversation field (``department``, ``assignee_id``, ``status`` …), or
            ``label:`` and a label (mine and theirs: whether it is on).
        mine: The value chosen on this PC.
        theirs: The value that was applied (the later edit's).
        winner_node: The node id of the PC whose edit won ("" if unknown).
        at: When this PC found out (ms).
        winner_machine: The name of the machine whose edit won ("" if unknown).
    """

    conversation_id: str
    field: str
    mine: object
    theirs: object
    winner_node: str
    at: int
    winner_machine: str = ""


@dataclass(frozen=True)
class OperatorRow:
    """A member of staff as pickers show them."""

    id: str
    name: str
    role: str
    departments: tuple[str, ...]
    on_duty: bool


@dataclass(frozen=True)
class NavCounts:
    """Conversation counts beside each navigation entry."""

    all_open: int
    mine: int
    unassigned: int
    untriaged: int
    snoozed: int
    resolved: int
    by_department: dict[str, int]
    by_channel: dict[str, int]
    unread: int


@dataclass(frozen=True)
class Health:
    """What the status bar shows."""

    waiting_to_send: int
    failed_replies: int  # refused by the channel, with a reason
    last_fetch_at: int | None
    accounts_in_error: tuple[tuple[str, str], ...]  # (display name, error code)
    #: Replies whose fate is unknown (the channel's answer was lost): staff check them.
    unknown_replies: int = 0


_T = TypeVar("_T")

_FOLDER = {View.SNOOZED: FOLDER_SNOOZED, View.RESOLVED: FOLDER_RESOLVED}


#: How many conversations the full-text part of a list search may add.
TEXT_SEARCH_LIMIT = 500


def _unindexed(column: ColumnElement[_T]) -> ColumnElement[_T]:
    """``column`` behind SQLite's unary ``+``: the same value, but no index is used for it."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _where(
    flt: ListFilter, found: Sequence[str] = (), *, scan: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions of a list; ``found`` are conversations full-text search matched.

    With ``scan`` (SQLite only) the view's columns are kept out of its indexes, so a query
    that has to look at every row of the view (a search by name and last message, a count)
    reads the table in one pass instead of fetching each row of an index walk on its own.
    """
    c = Conversation
    folder, assignee = c.folder.expression, c.assignee_id.expression
    department, account = c.department.expression, c.account_id.expression
    if scan:
        folder, assignee = _unindexed(folder), _unindexed(assignee)
        department, account = _unindexed(department), _unindexed(account)
    view = flt.view
    conds: list[ColumnElement[bool]] = []
    if not flt.breached_today:  # breached today: any folder (see ListFilter)
        conds.append(folder == _FOLDER.get(view, FOLDER_ACTIVE))
    if view is View.MINE:
        conds.append(assignee == flt.operator_id)
    elif view is View.UNASSIGNED:
        conds.append(assignee.is_(None))
    elif view is View.UNTRIAGED:
        conds.append(department.is_(None))
    elif view is View.DEPARTMENT:
        conds.append(department == flt.value)
    elif view is View.CHANNEL:
        conds.append(account.in_(select(ChannelAccount.id).where(ChannelAccount.kind == flt.value)))
    if flt.department is not None:
        conds.append(department.is_(None) if flt.department == "" else department == flt.department)
    if flt.channel is not None:
        conds.append(
            account.in_(select(ChannelAccount.id).where(ChannelAccount.kind == flt.channel))
        )
    if flt.waiting or flt.breached:
        conds.append(c.waiting_since.is_not(None))
    match = _text_match(flt)
    if match is not None:
        conds.append(or_(match, c.id.in_(list(found))) if found else match)
    return conds


def _text_match(flt: ListFilter, *, by_row: bool = False) -> ColumnElement[bool] | None:
    """The contact's name or the last message holds the search text (None without text).

    The names are read once for the whole query, or with ``by_row`` looked up for each row
    (cheaper for a few rows picked by id).
    """
    text = flt.text.strip()
    if not text:
        return None
    c = Conversation
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    named = Contact.display_name.like(pattern, escape="\\")
    name = (
        exists().where(Contact.id == c.contact_id, named)
        if by_row
        else c.contact_id.in_(select(Contact.id).where(named))
    )
    return or_(c.snippet.like(pattern, escape="\\"), name)


def _breached(store: Store) -> ColumnElement[bool]:
    """Waiting past the SLA target now: the cutoffs of :func:`console.sla.cutoffs` as a
    condition (one term per department, first-or-later reply and cutoff, over the accounts of
    the channels that share it), the same rule the dashboard counts with."""
    from console.sla import ANY, cutoffs  # the calendar is only needed for this filter

    cut = cutoffs(store, now_ms())
    with store.read() as s:
        kinds = dict(s.execute(select(ChannelAccount.id, ChannelAccount.kind)).all())
    accounts: dict[tuple[str, bool, int], list[str]] = {}
    for (department, channel, first), cutoff in cut.by_group.items():
        ids = [aid for aid, kind in kinds.items() if kind == channel]
        if ids:
            accounts.setdefault((department or ANY, first, cutoff), []).extend(ids)
    c = Conversation
    terms = [
        and_(
            func.coalesce(c.department, ANY) == department,
            c.account_id.in_(ids),
            c.first_response_at.is_(None) if first else c.first_response_at.is_not(None),
            c.waiting_since <= cutoff,
        )
        for (department, first, cutoff), ids in accounts.items()
    ]
    return or_(*terms) if terms else false()


def _breached_today(store: Store) -> ColumnElement[bool]:
    """Breached SLA today, as the dashboard counts "breaches today": active, waiting and
    past the target now (:func:`_breached`), or answered late since local midnight
    (:func:`console.sla.late_replies_select`, business time computed by the database)."""
    from console.sla import calendar_of, late_replies_select, read_calendar_settings

    now = now_ms()
    c = Conversation
    with store.read() as s:
        calendar = calendar_of(read_calendar_settings(s))
        midnight = calendar.day_start_ms(calendar.local_day(now))
        late = late_replies_select(s, midnight, now + 1)
    breached_now = and_(c.folder == FOLDER_ACTIVE, c.waiting_since.is_not(None), _breached(store))
    return or_(breached_now, c.id.in_(late)) if late is not None else breached_now


def _conditions(
    store: Store, flt: ListFilter, found: Sequence[str] = (), *, scan: bool = False
) -> list[ColumnElement[bool]]:
    return _where(flt, found, scan=scan) + _sla_conditions(store, flt)


def _sla_conditions(store: Store, flt: ListFilter) -> list[ColumnElement[bool]]:
    """The list's SLA conditions (``breached``, ``breached_today``), which need the store and
    the time: a query built in parts takes them once, so every part has the same "now"."""
    conds: list[ColumnElement[bool]] = []
    if flt.breached:
        conds.append(_breached(store))
    if flt.breached_today:
        conds.append(_breached_today(store))
    return conds


def conversation_ids(
    store: Store, flt: ListFilter, after: tuple[int, str] | None = None, limit: int = 200
) -> list[tuple[str, tuple[int, str]]]:
    """One page of conversation ids for a list, with the keyset key of each.

    Each view walks an index in order (see the ``ix_conversation_*`` indexes), so a page
    costs the same at the top of 100,000 conversations as anywhere else.

    Args:
        store: The store.
        flt: Which conversations.
        after: The key of the last row of the previous page, or None for the first page.
        limit: Page size.

    Returns:
        ``(id, key)`` pairs in list order; pass the last key as ``after`` for the next page.
    """
    c = Conversation
    found: list[str] = []
    if flt.text.strip():
        # Words anywhere in the history (full-text search), besides names and last messages.
        found = [hit.conversation_id for hit in search(store, flt.text, TEXT_SEARCH_LIMIT)]
    conds = _conditions(store, flt, found)
    if flt.order is Order.WAITING:
        key = tuple_(c.queue_key, c.id)
        if after is not None:
            conds.append(key > tuple_(literal(after[0]), literal(after[1])))
        query = select(c.queue_key, c.id).order_by(c.queue_key.asc(), c.id.asc())
    else:
        key = tuple_(c.last_message_at, c.id)
        if after is not None:
            conds.append(key < tuple_(literal(after[0]), literal(after[1])))
        query = select(c.last_message_at, c.id).order_by(c.last_message_at.desc(), c.id.desc())
    with store.read() as s:
        rows = s.execute(query.where(*conds).limit(limit)).all()
    return [(cid, (int(k), cid)) for k, cid in rows]


#: Most conversations a list search shows (and counts exactly).
SEARCH_LIST_LIMIT = 2000


@dataclass(frozen=True)
class SearchList:
    """A searched list, whole: what a search in the list shows.

    Attributes:
        ids: The conversations, in the list's order (at most ``SEARCH_LIST_LIMIT``).
        hits: The full-text hit (best message, snippet, highlights) of the conversations
            found through their history; those found by name or last message have none.
        more: True if more conversations match than ``ids`` holds.
    """

    ids: tuple[str, ...]
    hits: dict[str, SearchHit]
    more: bool

    @property
    def count(self) -> int:
        """How many conversations are shown."""
        return len(self.ids)


def search_list(store: Store, flt: ListFilter, limit: int = SEARCH_LIST_LIMIT) -> SearchList:
    """Every conversation a list with search text shows, in its order, with the hits.

    Slower than a page of :func:`conversation_ids` (full-text search, then the name and last
    message filter over the view): the UI runs it on its read worker. On a store in a file the
    full-text search runs on a thread and connection of its own while the view is read (see
    :func:`_searched_ids`).

    Args:
        store: The store.
        flt: The list, with ``text``.
        limit: Most conversations to return.

    Returns:
        The ids, the full-text hits by conversation, and whether there were more.
    """
    text = bool(flt.text.strip())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sotong-search") as pool:
        searched: Future[list[SearchHit]] | None = None
        done: list[SearchHit] = []
        if text and store.path is not None:
            searched = pool.submit(search, store, flt.text, TEXT_SEARCH_LIMIT)
        elif text:  # one connection (a store in memory): one thing at a time
            done = search(store, flt.text, TEXT_SEARCH_LIMIT)

        def hits_of() -> list[SearchHit]:
            return done if searched is None else searched.result()

        late = _sla_conditions(store, flt)  # one "now" for every part
        with store.read() as s:
            if s.get_bind().dialect.name == "sqlite":
                ids, found = _searched_ids(s, flt, late, hits_of, limit + 1)
            else:
                found = hits_of()
                query = _ordered(flt, select(Conversation.id))
                conds = _conditions(store, flt, [hit.conversation_id for hit in found])
                ids = list(s.scalars(query.where(*conds).limit(limit + 1)))
    hits = {hit.conversation_id: hit for hit in found}
    shown = tuple(ids[:limit])
    return SearchList(shown, {cid: hits[cid] for cid in shown if cid in hits}, len(ids) > limit)


#: Rows of a list a search walks in the list's order before it decides how to read the rest.
SEARCH_WALK = 3000
#: What fetching one row in an index walk costs, in rows of a scan of the whole table (each
#: fetched row is a b-tree descent; a scan reads every page once, in order). Measured at
#: 100,000 conversations: about 3.5 µs a walked row, 0.7 µs a scanned one.
WALK_COST = 5


_Ids = TypeVar("_Ids", bound=Select[*tuple[Any, ...]])


def _ordered(flt: ListFilter, query: _Ids) -> _Ids:
    """``query`` in the list's order."""
    c = Conversation
    if flt.order is Order.WAITING:
        return query.order_by(c.queue_key.asc(), c.id.asc())
    return query.order_by(c.last_message_at.desc(), c.id.desc())


def _searched_ids(
    s: Session,
    flt: ListFilter,
    breached: list[ColumnElement[bool]],
    hits_of: Callable[[], list[SearchHit]],
    limit: int,
) -> tuple[list[str], list[SearchHit]]:
    """The first ``limit`` conversations of a searched list, in order (SQLite), and the hits.

    Exactly what one ordered query over the view returns (``breached``: the view's SLA
    condition, if it has one). The conversations whose name or last message holds the text
    are read first, in two parts split at the key of the view's :data:`SEARCH_WALK`-th row:
    the head by a walk of the list's index (enough when the text is common, such as a first
    letter), the rest by whichever costs less — a walk on, when few more rows are expected to
    be fetched (a small view, or matches so far frequent), else one pass over the table,
    sorted. Then those full-text search found (``hits_of`` waits for them) are looked up by id.
    """
    c = Conversation
    waiting = flt.order is Order.WAITING
    column = c.queue_key if waiting else c.last_message_at
    key = tuple_(column, c.id)
    view = _where(replace(flt, text="")) + breached
    rows: set[tuple[int, str]] = set()
    walk = _ordered(flt, select(column, c.id)).where(*_where(flt), *breached)
    edge = s.execute(
        _ordered(flt, select(column, c.id)).where(*view).offset(SEARCH_WALK - 1).limit(1)
    ).first()
    if edge is None:  # the view is short: the walk covers all of it
        head = s.execute(walk.limit(limit)).all()
    else:
        at = tuple_(literal(edge[0]), literal(edge[1]))
        head = s.execute(walk.where(key <= at if waiting else key >= at).limit(limit)).all()
    rows.update((int(k), str(i)) for k, i in head)
    if edge is not None and len(head) < limit:
        total = int(s.scalar(select(func.count()).select_from(c)) or 0)
        remaining = int(s.scalar(select(func.count()).select_from(c).where(*view)) or 0)
        remaining -= SEARCH_WALK
        if head:  # at the rate found so far, the walk would stop after this many more rows
            remaining = min(remaining, (limit - len(head)) * SEARCH_WALK // len(head))
        if remaining * WALK_COST < total:
            rest = walk.where(key > at if waiting else key < at)
        else:
            plain = tuple_(_unindexed(column.expression), _unindexed(c.id.expression))
            rest = (
                _ordered(flt, select(column, c.id))
                .where(*_where(flt, scan=True), *breached)
                .where(plain > at if waiting else plain < at)
            )
        rows.update((int(k), str(i)) for k, i in s.execute(rest.limit(limit - len(head))))
    found = hits_of()  # the full-text search, done meanwhile
    if found:
        ids = [hit.conversation_id for hit in found]
        picked = select(column, c.id).where(*view, c.id.in_(ids))
        rows.update((int(k), str(i)) for k, i in s.execute(picked))
    ordered = sorted(rows, reverse=not waiting)  # ids are ASCII: Python orders them as SQLite
    return [cid for _, cid in ordered[:limit]], found


def conversation_rows(store: Store, ids: Sequence[str]) -> dict[str, ConversationRow]:
    """The list rows of the given conversations (missing ids are simply absent)."""
    if not ids:
        return {}
    c = Conversation
    has_draft = exists().where(Draft.conversation_id == c.id)
    has_conflict = exists().where(Draft.conversation_id == c.id, Draft.is_conflict)
    field_conflict = exists().where(SyncFieldConflict.conversation_id == c.id)
    queued = (
        select(func.count())
        .where(Outbox.conversation_id == c.id, Outbox.state.in_(("queued", "sending")))
        .scalar_subquery()
    )
    failed = (
        select(func.count())
        .where(Outbox.conversation_id == c.id, Outbox.state.in_(("failed", "unknown")))
        .scalar_subquery()
    )
    query = (
        select(
            c.id,
            ChannelAccount.kind,
            ChannelAccount.display_name,
            Contact.display_name,
            c.snippet,
            c.department,
            c.status,
            c.priority,
            c.assignee_id,
            c.last_message_at,
            c.waiting_since,
            c.snoozed_until,
            c.unread,
            has_draft,
            queued,
            failed,
            c.department_source,
            c.suggested_department,
            c.suggestion_confidence,
            has_conflict,
            c.first_response_at,
            field_conflict,
        )
        .join(ChannelAccount, ChannelAccount.id == c.account_id)
        .join(Contact, Contact.id == c.contact_id)
        .where(c.id.in_(list(ids)))
    )
    labels: dict[str, list[str]] = {}
    with store.read() as s:
        rows = s.execute(query).all()
        label_query = (
            select(ConversationLabel.conversation_id, ConversationLabel.label)
            .where(ConversationLabel.conversation_id.in_(list(ids)), ConversationLabel.present)
            .order_by(ConversationLabel.label)
        )
        for cid, label in s.execute(label_query):
            labels.setdefault(cid, []).append(label)
    return {
        r[0]: ConversationRow(
            id=r[0],
            channel=r[1],
            account_name=r[2],
            contact_name=r[3],
            snippet=r[4],
            department=r[5],
            status=r[6],
            priority=r[7],
            assignee_id=r[8],
            last_message_at=r[9],
            waiting_since=r[10],
            snoozed_until=r[11],
            unread=bool(r[12]),
            has_draft=bool(r[13]),
            queued=int(r[14]),
            failed=int(r[15]),
            labels=tuple(labels.get(r[0], ())),
            department_source=r[16],
            suggested_department=r[17],
            suggestion_confidence=r[18],
            has_conflict=bool(r[19]),
            first_response_at=r[20],
            field_conflict=bool(r[21]),
        )
        for r in rows
    }


def nav_counts(store: Store, operator_id: str | None) -> NavCounts:
    """Counts for every navigation entry, in a handful of indexed queries."""
    c = Conversation
    active = c.folder == FOLDER_ACTIVE
    with store.read() as s:
        by_folder = dict(s.execute(select(c.folder, func.count()).group_by(c.folder)).all())
        by_dept = dict(
            s.execute(
                select(c.department, func.count())
                .where(active, c.department.is_not(None))
                .group_by(c.department)
            ).all()
        )
        untriaged = s.scalar(select(func.count()).where(active, c.department.is_(None))) or 0
        unassigned = s.scalar(select(func.count()).where(active, c.assignee_id.is_(None))) or 0
        mine = 0
        if operator_id is not None:
            mine = s.scalar(select(func.count()).where(active, c.assignee_id == operator_id)) or 0
        by_channel: dict[str, int] = {}
        per_account = s.execute(
            select(c.account_id, func.count()).where(active).group_by(c.account_id)
        ).all()
        kinds = dict(s.execute(select(ChannelAccount.id, ChannelAccount.kind)).all())
        for account_id, n in per_account:
            kind = kinds.get(account_id, "")
            by_channel[kind] = by_channel.get(kind, 0) + n
        unread = s.scalar(select(func.count()).where(active, c.unread == 1)) or 0
    return NavCounts(
        all_open=by_folder.get(FOLDER_ACTIVE, 0),
        mine=mine,
        unassigned=unassigned,
        untriaged=untriaged,
        snoozed=by_folder.get(FOLDER_SNOOZED, 0),
        resolved=by_folder.get(FOLDER_RESOLVED, 0),
        by_department={str(k): int(v) for k, v in by_dept.items()},
        by_channel=by_channel,
        unread=unread,
    )


def thread_items(store: Store, conversation_id: str, limit: int = 2000) -> list[ThreadItem]:
    """Messages, notes and outbox replies of one conversation, oldest first.

    The newest ``limit`` messages are returned (a thread longer than that shows its tail).
    """
    with store.read() as s:
        return _thread_items(s, conversation_id, limit)


def _thread_items(s: Session, conversation_id: str, limit: int) -> list[ThreadItem]:
    names = dict(s.execute(select(Operator.id, Operator.name)).all())
    msgs = s.execute(
        select(
            Message.id,
            Message.direction,
            Message.author,
            Message.body,
            Message.sent_at,
            Message.delivery_status,
        )
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    items = [
        ThreadItem("message", mid, d, author, body, at, status, None)
        for mid, d, author, body, at, status in reversed(msgs)
    ]
    for nid, op, body, at, to in s.execute(
        select(Note.id, Note.operator_id, Note.body, Note.created_at, Note.handoff_to).where(
            Note.conversation_id == conversation_id
        )
    ):
        author, receiver = names.get(op or "", ""), names.get(to or "", "")
        items.append(ThreadItem("note", nid, "out", author, body, at, None, None, receiver))
    for oid, op, body, at, state, error in s.execute(
        select(
            Outbox.id,
            Outbox.operator_id,
            Outbox.body,
            Outbox.created_at,
            Outbox.state,
            Outbox.error,
        ).where(Outbox.conversation_id == conversation_id, Outbox.state != OutboxState.SENT.value)
    ):
        items.append(
            ThreadItem("outbox", oid, "out", names.get(op or "", ""), body, at, state, error)
        )
    items.sort(key=lambda i: (i.at, i.id))
    return items


def conversation_row(store: Store, conversation_id: str) -> ConversationRow | None:
    """The row of one conversation, or None if it does not exist."""
    return conversation_rows(store, [conversation_id]).get(conversation_id)


def draft_for(store: Store, conversation_id: str, operator_id: str | None) -> DraftRow | None:
    """The operator's head draft on a conversation."""
    query = select(Draft.id, Draft.body, Draft.rev, Draft.updated_at).where(
        Draft.conversation_id == conversation_id, Draft.is_conflict.is_(False)
    )
    query = query.where(
        Draft.operator_id.is_(None) if operator_id is None else Draft.operator_id == operator_id
    )
    with store.read() as s:
        row = s.execute(query).first()
    return DraftRow(*row) if row else None


def draft_conflicts(
    store: Store, conversation_id: str, operator_id: str | None
) -> list[DraftConflictRow]:
    """The conflict copies of the operator's draft on a conversation, newest first."""
    query = select(Draft.id, Draft.body, Draft.rev, Draft.updated_at).where(
        Draft.conversation_id == conversation_id, Draft.is_conflict.is_(True)
    )
    query = query.where(
        Draft.operator_id.is_(None) if operator_id is None else Draft.operator_id == operator_id
    )
    with store.read() as s:
        rows = s.execute(query.order_by(Draft.updated_at.desc(), Draft.id)).all()
    return [DraftConflictRow(*row) for row in rows]


def field_conflicts(store: Store, conversation_id: str) -> list[FieldConflictRow]:
    """This PC's field edits on a conversation that concurrent edits overwrote, newest first."""
    f = SyncFieldConflict
    with store.read() as s:
        rows = s.execute(
            select(
                f.conversation_id, f.field, f.mine, f.theirs, f.winner_node, f.at, f.winner_machine
            )
            .where(f.conversation_id == conversation_id)
            .order_by(f.at.desc(), f.field)
        ).all()
    return [FieldConflictRow(*row) for row in rows]


def operators(store: Store) -> list[OperatorRow]:
    """Every member of staff, by name."""
    with store.read() as s:
        rows = s.execute(
            select(
                Operator.id, Operator.name, Operator.role, Operator.departments, Operator.on_duty
            ).order_by(Operator.name)
        ).all()
    return [OperatorRow(i, n, r, tuple(d or ()), bool(o)) for i, n, r, d, o in rows]


def channel_kinds(store: Store) -> list[str]:
    """The channel kinds of the enabled accounts, in a stable order."""
    with store.read() as s:
        kinds = s.scalars(
            select(ChannelAccount.kind).where(ChannelAccount.enabled).distinct()
        ).all()
    return sorted(kinds)


def health(store: Store) -> Health:
    """Outbox and fetch figures for the status bar."""
    with store.read() as s:
        waiting = s.scalar(select(func.count()).where(Outbox.state.in_(("queued", "sending")))) or 0
        failed = s.scalar(select(func.count()).where(Outbox.state == "failed")) or 0
        unknown = s.scalar(select(func.count()).where(Outbox.state == "unknown")) or 0
        last = s.scalar(select(func.max(ChannelAccount.last_fetch_at)))
        errs = s.execute(
            select(ChannelAccount.display_name, ChannelAccount.last_error).where(
                ChannelAccount.enabled, ChannelAccount.last_error.is_not(None)
            )
        ).all()
    return Health(
        int(waiting), int(failed), last, tuple((n, e or "") for n, e in errs), int(unknown)
    )


def now_ms() -> int:
    """Current time in the store's unit."""
    return time.time_ns() // 1_000_000


def reply_context(store: Store, conversation_id: str) -> tuple[str, int | None] | None:
    """The connector of a conversation's account and when its customer last wrote, for the
    reply-window indicator (see :mod:`console.channels.windows`); None if it is gone."""
    with store.read() as s:
        row = s.execute(
            select(ChannelAccount.connector, Conversation.last_inbound_at)
            .join(ChannelAccount, ChannelAccount.id == Conversation.account_id)
            .where(Conversation.id == conversation_id)
        ).first()
    return None if row is None else (str(row[0]), row[1])


@dataclass(frozen=True)
class SavedSearchRow:
    """A saved search as the navigation pane lists it.

    Attributes:
        id: Its id.
        name: Its name.
        query: The search text.
        view: The list it was made on (a :class:`View` value).
        value: That list's department code or channel kind, or None.
        shared: For the whole clinic (else the operator's own).
    """

    id: str
    name: str
    query: str
    view: str
    value: str | None
    shared: bool

    def list_filter(self, operator_id: str | None, order: Order = Order.RECENT) -> ListFilter:
        """The list it shows, for ``operator_id`` (whose "Mine" it is)."""
        try:
            view = View(self.view)
        except ValueError:
            view = View.ALL_OPEN
        return ListFilter(view, self.value, operator_id, self.query, order)


def saved_searches(store: Store, operator_id: str | None) -> list[SavedSearchRow]:
    """The shared saved searches, then the operator's own, each group in its order."""
    s_ = SavedSearch
    mine: ColumnElement[bool] = s_.owner_id.is_(None)
    if operator_id is not None:
        mine = or_(mine, s_.owner_id == operator_id)
    query = (
        select(s_.id, s_.name, s_.query, s_.view, s_.view_value, s_.owner_id)
        .where(mine)
        .order_by(s_.owner_id.is_not(None), s_.position, s_.id)
    )
    with store.read() as s:
        rows = s.execute(query).all()
    return [SavedSearchRow(i, n, q, v, val, owner is None) for i, n, q, v, val, owner in rows]


def count_list(store: Store, flt: ListFilter) -> int:
    """How many conversations a list shows (with its search text, if any)."""
    return count_lists(store, [flt])[0]


def count_lists(store: Store, flts: Sequence[ListFilter]) -> list[int]:
    """How many conversations each list shows (with its search text, if any).

    The conversations whose name or last message holds the text are counted for every list
    together, in one pass over the conversations (such a count reads every row of its view
    anyway), while full-text search looks for each distinct text once — on a store in a file,
    on a thread and connection of its own. Those it found besides are then counted by id.
    """
    if not flts:
        return []
    texts = list(dict.fromkeys(flt.text for flt in flts if flt.text.strip()))

    def search_all() -> dict[str, list[str]]:
        return {
            text: [hit.conversation_id for hit in search(store, text, TEXT_SEARCH_LIMIT)]
            for text in texts
        }

    late = [_sla_conditions(store, flt) for flt in flts]  # one "now" each
    views = [
        _where(replace(flt, text="")) + breached for flt, breached in zip(flts, late, strict=True)
    ]
    matches = [_text_match(flt) for flt in flts]
    counts = [
        func.count().filter(and_(*view, *([] if match is None else [match])))
        for view, match in zip(views, matches, strict=True)
    ]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sotong-count") as pool:
        searched: Future[dict[str, list[str]]] | None = None
        found: dict[str, list[str]] = {}
        if texts and store.path is not None:
            searched = pool.submit(search_all)
        elif texts:  # one connection (a store in memory): one thing at a time
            found = search_all()
        with store.read() as s:
            row = s.execute(select(*counts).select_from(Conversation)).one()
            totals = [int(n or 0) for n in row]
            if searched is not None:
                found = searched.result()
            for i, (flt, breached) in enumerate(zip(flts, late, strict=True)):
                ids = found.get(flt.text)
                unmatched = _text_match(flt, by_row=True)
                if ids and unmatched is not None:
                    # Found by id: the view's indexes are kept out of the way of the key's.
                    more = (
                        select(func.count())
                        .select_from(Conversation)
                        .where(Conversation.id.in_(ids), ~unmatched)
                        .where(*_where(replace(flt, text=""), scan=True), *breached)
                    )
                    totals[i] += int(s.scalar(more) or 0)
    return totals


def saved_search_counts(
    store: Store, rows: Sequence[SavedSearchRow], operator_id: str | None
) -> dict[str, int]:
    """How many conversations each saved search finds now (:func:`count_lists`)."""
    counts = count_lists(store, [row.list_filter(operator_id) for row in rows])
    return {row.id: n for row, n in zip(rows, counts, strict=True)}


def assignment_modes(store: Store) -> dict[str, str]:
    """Each department's auto-assignment mode (``console.domain.AssignMode`` values); a
    department missing here assigns nobody automatically."""
    with store.read() as s:
        rows = s.execute(select(DepartmentAssignment.department, DepartmentAssignment.mode))
        return {str(code): str(mode) for code, mode in rows}
