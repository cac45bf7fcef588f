"""Full-text search over every message, in Korean, English, Japanese and Chinese (SQLite).

The index is an FTS5 table over text that Python tokenises itself, because SQLite's own
tokenizers cannot do what a Korean clinic needs: ``unicode61`` keeps ``쌍수를`` as one token, so
``쌍수`` would not find it, and ``trigram`` cannot match queries of one or two characters
(``코``, ``눈``, ``쌍수``, ``치과``).

Tokens (:func:`document_tokens`), after NFKC and case folding:

- a run of Hangul, Han or Kana gives one token per character: the bigram that starts there, and
  the lone character at the end of the run (``쌍수상담`` gives ``쌍수 수상 상담 담``);
- any other run of letters and digits is one word token (``implant``, ``3d``, ``010``);
- each emoji or other symbol is a token of its own; punctuation separates tokens.

A query term becomes an FTS5 phrase over the same tokens: ``쌍꺼풀`` is the phrase
``"쌍꺼 꺼풀"``, ``치과`` the bigram ``"치과"``, and a one-character term such as ``코`` the prefix
query ``"코"*`` (every occurrence of a character starts a token, so this finds them all),
answered from FTS5's one-character prefix index. A Latin word is a prefix too (``implan``
finds ``implant``). One index thus serves every length; a trigram table would have needed a
second index for short terms (measured at 1,000,000 messages: see ``ARCHITECTURE.md``).

The FTS table is contentless (text is never stored twice); ``search_doc`` maps each FTS rowid
("docid") to its message, conversation and time (``message`` has no integer key of its own, and
VACUUM may renumber an implicit rowid). Docids follow message time, spaced by
:data:`SPACING` so that a message that arrives late can usually be slotted in between its
neighbours; recency order and date filters then become rowid ranges. New messages are indexed
by :func:`index_messages` in the transaction that stores them; the history of an existing
database is filled in by :func:`ensure_index` / :func:`rebuild` in batches with progress.

Queries are parsed here (:func:`parse_query`); only phrases built from our own tokens, each in
double quotes, ever reach FTS5, so its query syntax (``NEAR``, ``OR``, ``*``, ``^``, column
filters) cannot be injected. Ranking is BM25, computed here over the newest matching messages
(at least :data:`WINDOW`, and as many more as it takes to fill the page with conversations),
one hit per conversation (its best message), ties broken by recency. FTS5's own ``bm25()``
first scans every match of every term (a second for ``안녕`` at a million messages), so a
common term is ranked among its recent matches rather than all of them.

Everything SQLite-specific about search lives in this module and migration 0004.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from console.store.engine import Store
from console.store.models import FOLDER_ACTIVE, FOLDER_RESOLVED, FOLDER_SNOOZED

__all__ = [
    "IndexStatus",
    "ParsedQuery",
    "SearchHit",
    "Term",
    "document_tokens",
    "ensure_index",
    "index_messages",
    "index_status",
    "is_search_table",
    "make_snippet",
    "match_spans",
    "parse_query",
    "rebuild",
    "search",
]

#: Version of the tokens and table layout; an index built by another version is rebuilt.
VERSION = 1
#: Distance between the docids of consecutive messages, leaving room for late arrivals.
SPACING = 8
#: Messages ranked at least, newest first, before the best message of each conversation wins.
WINDOW = 500
#: Up to this many conversations, filters are applied inside FTS5 (a set of conversation
#: tokens) rather than by joining each match to its conversation.
RESTRICT_MAX = 300
#: Document frequencies are counted up to this many messages (enough to rank rare terms).
DF_CAP = 5000
#: Longest query, in characters, and most terms; longer queries find nothing.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
#: Word tokens are cut to this many characters (documents and queries alike).
MAX_WORD = 64
#: Snippet length, and how much text is shown before the first match.
SNIPPET_CHARS = 120
SNIPPET_LEAD = 30
#: Messages per transaction when the history is indexed.
BATCH = 5000
#: BM25 parameters, and how many terms of a long query are scored.
K1, B = 1.2, 0.75
MAX_SCORED = 8

FILTER_KEYS = frozenset({"channel", "dept", "status", "from", "before", "after", "has"})
STATUSES = frozenset({"open", "pending", "snoozed", "resolved"})
_FOLDERS = {
    "open": FOLDER_ACTIVE,
    "pending": FOLDER_ACTIVE,
    "snoozed": FOLDER_SNOOZED,
    "resolved": FOLDER_RESOLVED,
}

_TABLES = frozenset({"search_fts", "search_doc", "search_state", "search_backfill"})
#: Keep in step with migration 0004 (the migration keeps its own frozen copy).
_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(b, c, content='', columnsize=0, detail=full,"
    " tokenize='ascii', prefix='1')",
    "CREATE TABLE search_doc (docid INTEGER PRIMARY KEY, message_id TEXT NOT NULL,"
    " conversation_id TEXT NOT NULL, sent_at INTEGER NOT NULL)",
    "CREATE INDEX ix_search_doc_sent ON search_doc (sent_at)",
    "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,"
    " high_water INTEGER NOT NULL, reserved INTEGER NOT NULL, prepared INTEGER NOT NULL,"
    " done INTEGER NOT NULL, total INTEGER NOT NULL, indexed INTEGER NOT NULL,"
    " max_sent INTEGER NOT NULL, misplaced INTEGER NOT NULL)",
)

# --- tokens --------------------------------------------------------------------------------

#: Scripts written without spaces between words (or, for Korean, with particles glued on).
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3040-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f"
)
_RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)|([^\\w\\s])")
_BIDI = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_SPACE = re.compile(r"\s+")
_GRAMS = re.compile(r"(?=(..?))", re.DOTALL)  # the bigram at each character, then the last one
_NOT_ID = re.compile(r"[^0-9a-z]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc

CJK, WORD, SYMBOL = "c", "w", "s"


def normalize(text: str) -> str:
    """Text as the index sees it: NFKC (full-width Latin, half-width Kana, compatibility
    jamo) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold()


def _segments(normalized: str) -> list[tuple[str, str]]:
    """Runs of CJK characters, words and symbols, in order (punctuation dropped)."""
    out: list[tuple[str, str]] = []
    for m in _RUNS.finditer(normalized):
        cjk, word, other = m.groups()
        if cjk:
            out.append((CJK, cjk))
        elif word:
            out.append((WORD, word[:MAX_WORD]))
        elif unicodedata.category(other) == "So":
            out.append((SYMBOL, other))
    return out


def document_tokens(body: str) -> str:
    """The tokens of a message, space-separated, as stored in the FTS index."""
    tokens: list[str] = []
    for m in _RUNS.finditer(normalize(body)):  # _segments, inlined: this runs per message
        cjk, word, other = m.groups()
        if cjk:
            tokens += _GRAMS.findall(cjk)
        elif word:
            tokens.append(word[:MAX_WORD])
        elif unicodedata.category(other) == "So":
            tokens.append(other)
    return " ".join(tokens)


def _conversation_token(conversation_id: str) -> str:
    """The conversation's id as one token (the ascii tokenizer splits on ASCII punctuation)."""
    return _NOT_ID.sub("", conversation_id.lower())


_SAFE_TOKEN = re.compile(r"[0-9a-z\u0080-\U0010ffff]+")


def _quoted(tokens: Sequence[str]) -> str:
    # Tokens are made by _segments and hold no ASCII punctuation; checked again here so that
    # nothing but a plain quoted phrase can ever reach FTS5.
    assert all(_SAFE_TOKEN.fullmatch(t) for t in tokens), tokens
    return '"' + " ".join(tokens) + '"'


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One search term (a word or a quoted phrase) as FTS5 tokens.

    Attributes:
        text: The term as typed.
        tokens: Its tokens, in order.
        prefix: Whether the last token matches as a prefix.
        segments: Its runs of CJK (``c``), words (``w``) and symbols (``s``), normalised.
    """

    text: str
    tokens: tuple[str, ...]
    prefix: bool
    segments: tuple[tuple[str, str], ...]
    _pattern: re.Pattern[str] = field(compare=False, repr=False)

    def fts(self) -> str:
        """The FTS5 phrase."""
        return _quoted(self.tokens) + ("*" if self.prefix else "")

    def find(self, text: str) -> list[tuple[int, int]]:
        """Where the term occurs in normalised text, with the index's rules: a word starts a
        word, and where the term has a gap between runs, the text has one too."""
        found: list[tuple[int, int]] = []
        if len(self.segments) == 1 and self.segments[0][0] != WORD:  # no boundary to check
            seg = self.segments[0][1]
            at = text.find(seg)
            while at != -1:
                found.append((at, at + len(seg)))
                at = text.find(seg, at + len(seg))
            return found
        pos, n, last = 0, len(text), len(self.segments) - 1
        while pos <= n:
            m = self._pattern.search(text, pos)
            if m is None:
                break
            ok = True
            for i, (kind, _seg) in enumerate(self.segments, start=1):
                a, b = m.span(i)
                if kind == WORD:
                    ok = not (a and _is_word(text[a - 1])) and (
                        i - 1 == last or b == n or not _is_word(text[b])
                    )
                elif kind == CJK:
                    ok = (i == 1 or not a or not _is_cjk(text[a - 1])) and (
                        i - 1 == last or b == n or not _is_cjk(text[b])
                    )
                if not ok:
                    break
            if ok and m.end() > m.start():
                found.append((m.start(), m.end()))
                pos = m.end()
            else:
                pos = m.start() + 1
        return found


_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD_CHAR = re.compile(f"[^\\W_{_CJK}]")


def _is_cjk(ch: str) -> bool:
    return _CJK_CHAR.match(ch) is not None


def _is_word(ch: str) -> bool:
    return _WORD_CHAR.match(ch) is not None


def _term(text: str) -> Term | None:
    segs = _segments(normalize(text))
    if not segs:
        return None
    tokens: list[str] = []
    last_i = len(segs) - 1
    for i, (kind, seg) in enumerate(segs):
        if kind == CJK:
            grams = [seg[j : j + 2] for j in range(len(seg))]
            # The last character of the term is covered by the bigram before it; only a
            # one-character run at the end becomes a prefix query.
            tokens.extend(grams[:-1] if i == last_i and len(seg) > 1 else grams)
        else:
            tokens.append(seg)
    kind, seg = segs[-1]
    prefix = kind == WORD or (kind == CJK and len(seg) == 1)
    # Boundaries are checked in Term.find; the pattern only rules out the common case (an
    # ASCII letter before a word) with a class small enough to compile in microseconds.
    pattern = r"[\W_]*?".join(
        ("(?<![0-9a-z])" if kind == WORD else "") + f"({re.escape(seg)})" for kind, seg in segs
    )
    return Term(text, tuple(tokens), prefix, tuple(segs), re.compile(pattern))


@dataclass(frozen=True)
class ParsedQuery:
    """A query string taken apart: terms (all must match) and filters.

    Attributes:
        terms: Words and quoted phrases.
        channels: ``channel:`` values (any of them).
        departments: ``dept:`` values (any of them); None for ``dept:none``.
        statuses: ``status:`` values (any of them).
        contacts: ``from:`` values (the contact's name contains each).
        after: ``after:`` as epoch milliseconds (messages at or after local midnight).
        before: ``before:`` as epoch milliseconds (messages before local midnight).
        has_draft: ``has:draft``.
        problems: Codes of what could not be understood; such a query finds nothing.
    """

    terms: tuple[Term, ...] = ()
    channels: tuple[str, ...] = ()
    departments: tuple[str | None, ...] = ()
    statuses: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    after: int | None = None
    before: int | None = None
    has_draft: bool = False
    problems: tuple[str, ...] = ()

    @property
    def conversation_filters(self) -> bool:
        """Whether any filter is about the conversation rather than the message."""
        return bool(
            self.channels or self.departments or self.statuses or self.contacts or self.has_draft
        )

    @property
    def dated(self) -> bool:
        """Whether the messages' time is filtered."""
        return self.after is not None or self.before is not None

    @property
    def searchable(self) -> bool:
        """Whether the query can find anything: something to look for and nothing invalid."""
        return not self.problems and bool(self.terms or self.conversation_filters or self.dated)


_QUOTES = frozenset('"\u201c\u201d')
_FILTER = re.compile(r"([A-Za-z]+):(.+)", re.DOTALL)
_CODE = re.compile(r"[a-z0-9_]{1,32}")
_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")


def _clean(query: str) -> str:
    """Control and format characters become spaces (they are never part of a term)."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in query
    )


def _lex(query: str) -> list[tuple[str | None, str]]:
    """Split a query into ``(filter key or None, text)`` items; quoted text is never a filter."""
    out: list[tuple[str | None, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _QUOTES:
            j = i + 1
            while j < n and query[j] not in _QUOTES:
                j += 1
            out.append((None, query[i + 1 : j]))  # an unclosed quote runs to the end
            i = j + 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] not in _QUOTES:
            j += 1
        chunk = query[i:j]
        key = chunk[:-1].lower()
        if chunk.endswith(":") and key in FILTER_KEYS and j < n and query[j] in _QUOTES:
            k = j + 1
            while k < n and query[k] not in _QUOTES:
                k += 1
            out.append((key, query[j + 1 : k]))
            i = k + 1
            continue
        m = _FILTER.fullmatch(chunk)
        if m and m.group(1).lower() in FILTER_KEYS:
            out.append((m.group(1).lower(), m.group(2)))
        else:
            out.append((None, chunk))
        i = j
    return out


def _midnight(text: str, tz: tzinfo | None) -> int | None:
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        if tz is None:
            start = start.astimezone()  # the PC's local time zone on that day
        return int(start.timestamp() * 1000)
    except (ValueError, OverflowError, OSError):
        return None


def parse_query(query: str, tz: tzinfo | None = None) -> ParsedQuery:
    """Take a query string apart. Never raises.

    Args:
        query: What staff typed, e.g. ``쌍수 "재수술 가격" dept:plastic after:2025-01-01``.
        tz: Time zone of ``before:``/``after:`` dates (default: this PC's).

    Returns:
        The terms and filters; ``problems`` lists codes for anything invalid.
    """
    query = _clean(query)
    if len(query) > MAX_QUERY_CHARS:
        return ParsedQuery(problems=("query_too_long",))
    terms: list[Term] = []
    channels: list[str] = []
    departments: list[str | None] = []
    statuses: list[str] = []
    contacts: list[str] = []
    after: int | None = None
    before: int | None = None
    has_draft = False
    problems: list[str] = []
    for key, text in _lex(query):
        value = text.strip()
        if key is None or not value:
            term = _term(text if key is None else f"{key}:{text}")
            if term is not None:
                terms.append(term)
            continue
        low = value.casefold()
        if key == "channel":
            if _CODE.fullmatch(low):
                channels.append(low)
            else:
                problems.append("bad_channel")
        elif key == "dept":
            if low == "none":
                departments.append(None)
            elif _CODE.fullmatch(low):
                departments.append(low)
            else:
                problems.append("bad_department")
        elif key == "status":
            if low in STATUSES:
                statuses.append(low)
            else:
                problems.append("bad_status")
        elif key == "from":
            contacts.append(value)
        elif key == "has":
            if low == "draft":
                has_draft = True
            else:
                problems.append("bad_has")
        else:
            at = _midnight(value, tz)
            if at is None:
                problems.append("bad_date")
            elif key == "after":
                after = at if after is None else max(after, at)
            else:
                before = at if before is None else min(before, at)
    if len(terms) > MAX_TERMS:
        problems.append("too_many_terms")
    return ParsedQuery(
        tuple(terms),
        tuple(dict.fromkeys(channels)),
        tuple(dict.fromkeys(departments)),
        tuple(dict.fromkeys(statuses)),
        tuple(contacts),
        after,
        before,
        has_draft,
        tuple(problems),
    )


# --- snippets --------------------------------------------------------------------------------


def _display(body: str) -> str:
    """A message as one line of plain text: whitespace folded, control characters removed."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", body.translate(_BIDI))).strip()


def _joins_previous(ch: str) -> bool:
    """Whether a character composes with the one before it under NFKC (combining marks,
    half-width voicing marks, Hangul vowel and final jamo)."""
    code = ord(ch)
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF or code in (0xFF9E, 0xFF9F):
        return True
    return unicodedata.combining(ch) != 0


def _normalized_with_owners(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` normalised cluster by cluster (a character and the marks that compose with
    it), with the source start and end of the cluster each resulting character came from."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _joins_previous(text[j]):
            j += 1
        cluster = text[i:j]
        out = cluster.lower() if cluster.isascii() else normalize(cluster)
        chars.append(out)
        starts.extend([i] * len(out))
        ends.extend([j] * len(out))
        i = j
    return "".join(chars), starts, ends


def _find(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    return [span for term in terms for span in term.find(text)]


def _spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text``, merged and in order."""
    folded = text.casefold()
    found = _find(folded, terms) if len(folded) == len(text) else []
    if not found:  # what the index matched may need NFKC (full-width Latin, half-width Kana)
        normed, starts, ends = _normalized_with_owners(text)
        found = [(starts[a], ends[b - 1]) for a, b in _find(normed, terms)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def make_snippet(
    body: str, terms: Sequence[Term], width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A plain-text window of a message around its first match, and where the matches are.

    Args:
        body: The message.
        terms: The query's terms.
        width: Longest snippet, in characters (an ellipsis marks text cut at either end).

    Returns:
        The snippet and its highlights as ``(start, end)`` character offsets into it.
    """
    text = _display(body)
    spans = _spans(text[: width * 200], terms) if terms else []
    if len(text) <= width:
        return text, tuple(spans)
    start = 0
    if spans:
        first = spans[0][0]
        start = max(0, first - SNIPPET_LEAD)
        space = text.find(" ", start, first)
        if start and space != -1:
            start = space + 1
    if len(text) - start < width - 1:  # near the end: show a full window that ends there
        start = max(0, len(text) - (width - 1))
    lead = "…" if start else ""
    room = width - len(lead)
    end = start + room
    tail = ""
    if end < len(text):
        end -= 1
        tail = "…"
    snippet = lead + text[start:end] + tail
    shift = len(lead) - start
    shown: list[tuple[int, int]] = []
    for s, e in spans:
        s2, e2 = max(s, start) + shift, min(e, end) + shift
        if e2 > s2:
            shown.append((s2, e2))
    return snippet, tuple(shown)


def match_spans(
    text: str, query: str, parsed: ParsedQuery | None = None
) -> tuple[tuple[int, int], ...]:
    """Where a query matches a piece of plain text (a name, a list snippet), for highlighting.

    A term matches as the index matches it (:meth:`Term.find`); where no term does, the whole
    query's text is looked for as a literal, case-insensitive substring, as the list's name and
    last-message filter (``LIKE``) finds it. Filters (``dept:``, ``before:`` …) highlight
    nothing.

    Args:
        text: The text shown, as it is shown (offsets index into it).
        query: What staff typed.
        parsed: ``query`` already parsed (saves parsing it again for every row).

    Returns:
        Merged, ordered ``(start, end)`` character offsets into ``text``.
    """
    pq = parsed if parsed is not None else parse_query(query)
    spans = _spans(text, pq.terms) if pq.terms else []
    if spans:
        return tuple(spans)
    needle = query.strip().casefold()
    folded = text.casefold()
    if not needle or len(folded) != len(text):
        return ()
    found: list[tuple[int, int]] = []
    at = folded.find(needle)
    while at != -1:
        found.append((at, at + len(needle)))
        at = folded.find(needle, at + len(needle))
    return tuple(found)


# --- the index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStatus:
    """How complete the search index is.

    Attributes:
        ready: Every message is searchable.
        indexed: Messages in the index.
        pending: Messages of the history still to index.
        misplaced: Messages indexed out of time order (date filters and recency then take a
            slower exact path until :func:`rebuild`).
    """

    ready: bool
    indexed: int
    pending: int
    misplaced: int


@dataclass
class _State:
    version: int
    high_water: int
    reserved: int
    prepared: int
    done: int
    total: int
    indexed: int
    max_sent: int
    misplaced: int

    @property
    def ready(self) -> bool:
        return bool(self.prepared) and self.done >= self.total

    def pending(self) -> int:
        return max(0, self.total - self.done) if self.prepared else self.high_water


def is_search_table(name: str) -> bool:
    """Whether a table belongs to the search index (not a model: kept out of autogenerate)."""
    return name in _TABLES or name.startswith("search_fts_")


def include_name(name: str | None, kind: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: the search tables are SQLite-only and made by their
    migration, not by the models, so schema comparisons leave them out."""
    return not (kind == "table" and is_search_table(str(name)))


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _installed(conn: Connection) -> bool:
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE name IN (?, 'search_doc', 'search_state')",
        ("search_fts",),
    ).scalar()
    return found == 3


def _state(conn: Connection) -> _State | None:
    if not _installed(conn):
        return None
    row = conn.exec_driver_sql(
        "SELECT version, high_water, reserved, prepared, done, total, indexed, max_sent,"
        " misplaced FROM search_state WHERE id = 1"
    ).first()
    return None if row is None else _State(*(int(v) for v in row))


def _save(conn: Connection, st: _State) -> None:
    conn.exec_driver_sql(
        "UPDATE search_state SET version = ?, high_water = ?, reserved = ?, prepared = ?,"
        " done = ?, total = ?, indexed = ?, max_sent = ?, misplaced = ? WHERE id = 1",
        astuple(st),
    )


def _reset(conn: Connection) -> _State:
    """Drop and recreate the index, empty, with the whole history left to fill in."""
    for table in ("search_backfill", "search_state", "search_doc", "search_fts"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    for ddl in _DDL:
        conn.exec_driver_sql(ddl)
    high, latest = conn.exec_driver_sql(
        "SELECT coalesce(max(rowid), 0), coalesce(max(sent_at), 0) FROM message"
    ).one()
    st = _State(VERSION, int(high), int(high) * SPACING, 0, 0, 0, 0, int(latest), 0)
    conn.exec_driver_sql(
        "INSERT INTO search_state VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)", astuple(st)
    )
    return st


def _insert(conn: Connection, docs: list[tuple[int, str, str, int, str]]) -> None:
    """Add ``(docid, message id, conversation id, sent_at, body)`` rows to the index."""
    if not docs:
        return
    conn.exec_driver_sql(
        "INSERT INTO search_doc (docid, message_id, conversation_id, sent_at) VALUES (?, ?, ?, ?)",
        [(d, m, c, t) for d, m, c, t, _ in docs],
    )
    conn.exec_driver_sql(
        "INSERT INTO search_fts (rowid, b, c) VALUES (?, ?, ?)",
        [(d, document_tokens(body), _conversation_token(c)) for d, _, c, _, body in docs],
    )


def _late_docid(conn: Connection, sent_at: int) -> int | None:
    """A free docid between the neighbours in time of a message that arrived late, if any."""
    before = conn.exec_driver_sql(
        "SELECT docid FROM search_doc WHERE sent_at <= ? ORDER BY sent_at DESC, docid DESC LIMIT 1",
        (sent_at,),
    ).scalar()
    after = conn.exec_driver_sql(
        "SELECT docid FROM search_doc WHERE sent_at > ? ORDER BY sent_at, docid LIMIT 1",
        (sent_at,),
    ).scalar()
    low = int(before) if before is not None else 0
    if after is None or int(after) - low < 2:
        return None
    return (low + int(after)) // 2


def index_messages(session: Session | Connection, messages: Iterable[Mapping[str, Any]]) -> None:
    """Index messages stored in the current transaction (so both commit or roll back together).

    Call it from every writer of ``message``. Does nothing on other databases (PostgreSQL has
    its own search) or when the index has been dropped (:func:`ensure_index` rebuilds it).

    Args:
        session: The transaction that inserts the messages.
        messages: Each with ``id``, ``conversation_id``, ``sent_at`` and ``body``.
    """
    conn = session.connection() if isinstance(session, Session) else session
    items = sorted(messages, key=lambda m: int(m["sent_at"]))
    if not items or not _is_sqlite(conn):
        return
    st = _state(conn)
    if st is None:
        return
    top = conn.exec_driver_sql("SELECT max(docid) FROM search_doc").scalar()
    top = max(int(top or 0), st.reserved)
    appended: list[tuple[int, str, str, int, str]] = []
    for m in items:
        sent_at = int(m["sent_at"])
        doc = (str(m["id"]), str(m["conversation_id"]), sent_at, str(m["body"]))
        if sent_at < st.max_sent:
            docid = _late_docid(conn, sent_at) if st.ready and st.misplaced == 0 else None
            if docid is not None:
                _insert(conn, [(docid, *doc)])
                st.indexed += 1
                continue
            st.misplaced += 1
        top += SPACING
        appended.append((top, *doc))
        st.max_sent = max(st.max_sent, sent_at)
    _insert(conn, appended)
    st.indexed += len(appended)
    _save(conn, st)


def _has_table(conn: Connection, name: str) -> bool:
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,))
    return found.first() is not None


def _prepare(conn: Connection, st: _State, *, resume: bool = False) -> None:
    """Put the history in time order once, so the backfill can resume after a restart.

    The order depends only on the messages up to the high-water mark, so it can be made again
    (``resume``) without disturbing the part already indexed.
    """
    conn.exec_driver_sql("DROP TABLE IF EXISTS search_backfill")
    conn.exec_driver_sql(
        "CREATE TABLE search_backfill (seq INTEGER PRIMARY KEY, msg INTEGER NOT NULL)"
    )
    conn.exec_driver_sql(
        "INSERT INTO search_backfill (msg) SELECT rowid FROM message WHERE rowid <= ?"
        " ORDER BY sent_at, rowid",
        (st.high_water,),
    )
    st.total = int(conn.exec_driver_sql("SELECT count(*) FROM search_backfill").scalar() or 0)
    st.prepared = 1
    if not resume:
        st.done = 0
    _save(conn, st)


def _backfill_batch(conn: Connection, st: _State, size: int) -> None:
    rows = conn.exec_driver_sql(
        "SELECT o.seq, m.id, m.conversation_id, m.sent_at, m.body FROM search_backfill o"
        " JOIN message m ON m.rowid = o.msg WHERE o.seq > ? ORDER BY o.seq LIMIT ?",
        (st.done, size),
    ).all()
    _insert(
        conn, [(int(seq) * SPACING, mid, cid, int(at), body) for seq, mid, cid, at, body in rows]
    )
    st.indexed += len(rows)
    st.done = int(rows[-1][0]) if rows else st.total
    if len(rows) < size:
        st.done = st.total
    _save(conn, st)


Progress = Callable[[int, int], object]


def _status(st: _State | None) -> IndexStatus:
    if st is None:
        return IndexStatus(False, 0, 0, 0)
    return IndexStatus(st.ready, st.indexed, st.pending(), st.misplaced)


def index_status(store: Store) -> IndexStatus:
    """How complete the index is (a missing index counts as not ready)."""
    with store.read() as s:
        conn = s.connection()
        if not _is_sqlite(conn):
            return IndexStatus(True, 0, 0, 0)
        return _status(_state(conn))


def ensure_index(
    store: Store,
    progress: Progress | None = None,
    *,
    max_pending: int | None = None,
    batch: int = BATCH,
) -> IndexStatus:
    """Finish indexing the history: resume where it stopped, or rebuild a missing or outdated
    index. Each batch is its own short transaction, so other writers interleave.

    Args:
        store: The store.
        progress: Called with ``(done, total)`` after each batch.
        max_pending: Do nothing if more messages than this are still to index.
        batch: Messages per transaction.

    Returns:
        The index's status afterwards.
    """
    with store.write() as s:
        conn = s.connection()
        if not _is_sqlite(conn):
            return IndexStatus(True, 0, 0, 0)
        st = _state(conn)
        if st is None or st.version != VERSION:
            if max_pending is not None and st is None:
                count = conn.exec_driver_sql("SELECT count(*) FROM message").scalar()
                if int(count or 0) > max_pending:
                    return _status(st)
            st = _reset(conn)
        if st.ready:
            return _status(st)
        if max_pending is not None and st.pending() > max_pending:
            return _status(st)
        if not st.prepared:
            _prepare(conn, st)
    if progress is not None:
        progress(st.done, st.total)
    done = st.done >= st.total
    while not done:
        with store.write() as s:
            conn = s.connection()
            current = _state(conn)
            if current is not None and current.version == VERSION and current.prepared:
                st = current
                if st.done < st.total:
                    if not _has_table(conn, "search_backfill"):
                        _prepare(conn, st, resume=True)
                    _backfill_batch(conn, st, batch)
        if current is not st:  # dropped or rebuilt meanwhile: start again
            return ensure_index(store, progress, max_pending=max_pending, batch=batch)
        done = st.done >= st.total
        if progress is not None:
            progress(st.done, st.total)
    with store.write() as s:
        conn = s.connection()
        final = _state(conn)
        if final is None:
            return _status(final)
        # No 'optimize': FTS5's automatic merging keeps queries as fast (measured at 1,000,000
        # messages), and optimize would hold the write lock for seconds.
        conn.exec_driver_sql("DROP TABLE IF EXISTS search_backfill")
        return _status(final)


def rebuild(store: Store, progress: Progress | None = None, batch: int = BATCH) -> IndexStatus:
    """Build the index again from every message (after damage, or to restore time order).

    Args:
        store: The store.
        progress: Called with ``(done, total)`` after each batch.
        batch: Messages per transaction.

    Returns:
        The index's status afterwards.
    """
    with store.write() as s:
        conn = s.connection()
        if not _is_sqlite(conn):
            return IndexStatus(True, 0, 0, 0)
        _reset(conn)
    return ensure_index(store, progress, batch=batch)


# --- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One conversation found, through its best message.

    Attributes:
        conversation_id: The conversation.
        message_id: Its best-matching message (the newest one for a query of filters only).
        snippet: Plain text around the first match, at most about 120 characters.
        score: Relevance (higher is better; 0 for a query of filters only).
        highlights: ``(start, end)`` character offsets of the matches in ``snippet``.
    """

    conversation_id: str
    message_id: str
    snippet: str
    score: float
    highlights: tuple[tuple[int, int], ...]


@dataclass
class _Candidate:
    docid: int
    conversation_id: str
    message_id: str
    sent_at: int
    score: float = 0.0


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _conversation_where(pq: ParsedQuery) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``conversation c`` for the query's conversation filters."""
    conds: list[str] = []
    params: list[Any] = []
    if pq.channels:
        conds.append(
            "c.account_id IN (SELECT id FROM channel_account"  # noqa: S608
            f" WHERE kind IN ({_marks(len(pq.channels))}))"
        )
        params += pq.channels
    if pq.departments:
        named = [d for d in pq.departments if d is not None]
        either = [f"c.department IN ({_marks(len(named))})"] if named else []
        if None in pq.departments:
            either.append("c.department IS NULL")
        conds.append("(" + " OR ".join(either) + ")")
        params += named
    if pq.statuses:
        # The folder (an indexed generated column) narrows first; open and pending share one.
        folders = sorted({_FOLDERS[status] for status in pq.statuses})
        conds.append(f"c.folder IN ({_marks(len(folders))})")
        params += folders
        if len(set(pq.statuses) & {"open", "pending"}) == 1:
            conds.append(f"c.status IN ({_marks(len(pq.statuses))})")
            params += pq.statuses
    for name in pq.contacts:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(
            "c.contact_id IN (SELECT id FROM contact WHERE display_name LIKE ? ESCAPE '\\')"
        )
        params.append(f"%{escaped}%")
    if pq.has_draft:
        conds.append("EXISTS (SELECT 1 FROM draft WHERE draft.conversation_id = c.id)")
    return conds, params


class _Search:
    """One query's execution on one connection."""

    def __init__(self, conn: Connection, pq: ParsedQuery, limit: int, st: _State) -> None:
        self.conn = conn
        self.pq = pq
        self.limit = limit
        self.st = st
        self.conds, self.params = _conversation_where(pq)
        #: The conversations allowed, when the filters leave only a few; else None.
        self.allowed: list[str] | None = None

    def run(self) -> list[SearchHit]:
        if self.conds:
            ids = self.conn.exec_driver_sql(
                f"SELECT c.id FROM conversation c WHERE {' AND '.join(self.conds)} LIMIT ?",  # noqa: S608
                (*self.params, RESTRICT_MAX + 1),
            ).scalars()
            found = [str(i) for i in ids]
            if not found:
                return []
            if len(found) <= RESTRICT_MAX:
                self.allowed = found
        if self.pq.terms:
            return self._text()
        if self.pq.dated:
            return self._dated()
        return self._latest()

    # -- filters only --

    def _latest(self) -> list[SearchHit]:
        """Conversations matching the filters, latest activity first, with their last message."""
        if self.allowed is not None:
            where, params = f"c.id IN ({_marks(len(self.allowed))})", list(self.allowed)
        else:
            where, params = " AND ".join(self.conds), self.params
        ids = self.conn.exec_driver_sql(
            f"SELECT c.id FROM conversation c WHERE {where}"  # noqa: S608
            " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?",
            (*params, self.limit),
        ).scalars()
        hits = []
        for cid in ids:
            row = self.conn.exec_driver_sql(
                "SELECT id, body FROM message WHERE conversation_id = ?"
                " ORDER BY sent_at DESC LIMIT 1",
                (cid,),
            ).first()
            if row is not None:
                snippet, _ = make_snippet(str(row[1]), ())
                hits.append(SearchHit(str(cid), str(row[0]), snippet, 0.0, ()))
        return hits

    def _range(self) -> tuple[int, int]:
        low = self.pq.after if self.pq.after is not None else -(2**62)
        high = self.pq.before if self.pq.before is not None else 2**62
        return low, high

    def _dated(self) -> list[SearchHit]:
        """Conversations with a message in the date range, newest such message first."""
        low, high = self._range()
        picked: list[tuple[int, str, str]] = []  # (sent_at, conversation, message)
        if self.allowed is not None:
            for cid in self.allowed:
                row = self.conn.exec_driver_sql(
                    "SELECT sent_at, id FROM message WHERE conversation_id = ? AND sent_at >= ?"
                    " AND sent_at < ? ORDER BY sent_at DESC LIMIT 1",
                    (cid, low, high),
                ).first()
                if row is not None:
                    picked.append((int(row[0]), cid, str(row[1])))
            picked.sort(reverse=True)
            picked = picked[: self.limit]
        else:
            join = " CROSS JOIN conversation c ON c.id = d.conversation_id" if self.conds else ""
            extra = "".join(f" AND {c}" for c in self.conds)
            seen: set[str] = set()
            cursor: tuple[int, int] | None = None
            page = max(WINDOW, self.limit * 4)
            while len(picked) < self.limit:
                keyset = " AND (d.sent_at, d.docid) < (?, ?)" if cursor else ""
                rows = self.conn.exec_driver_sql(
                    "SELECT d.sent_at, d.docid, d.conversation_id, d.message_id FROM search_doc d"  # noqa: S608
                    f"{join} WHERE d.sent_at >= ? AND d.sent_at < ?{keyset}{extra}"
                    " ORDER BY d.sent_at DESC, d.docid DESC LIMIT ?",
                    (low, high, *(cursor or ()), *self.params, page),
                ).all()
                for at, _docid, cid, mid in rows:
                    if cid not in seen:
                        seen.add(cid)
                        picked.append((int(at), str(cid), str(mid)))
                if len(rows) < page:
                    break
                cursor = (int(rows[-1][0]), int(rows[-1][1]))
            picked = picked[: self.limit]
        bodies = self._bodies([mid for _, _, mid in picked])
        hits = []
        for _, cid, mid in picked:
            snippet, _ = make_snippet(bodies.get(mid, ""), ())
            hits.append(SearchHit(cid, mid, snippet, 0.0, ()))
        return hits

    # -- text --

    def _expression(self) -> str:
        expr = "b : (" + " AND ".join(t.fts() for t in self.pq.terms) + ")"
        if self.allowed is not None:
            tokens = [_conversation_token(cid) for cid in self.allowed]
            if all(tokens):
                expr += " AND c : (" + " OR ".join(_quoted([t]) for t in tokens) + ")"
        return expr

    def _docid_bounds(self) -> tuple[int, int] | None:
        """The docids of the date range (exact while docids follow time); None if empty."""
        lowest, highest = 0, 2**62
        if not self.pq.dated or self.st.misplaced:
            return lowest, highest
        low, high = self._range()
        if self.pq.after is not None:
            first = self.conn.exec_driver_sql(
                "SELECT docid FROM search_doc WHERE sent_at >= ? ORDER BY sent_at, docid LIMIT 1",
                (low,),
            ).scalar()
            if first is None:
                return None
            lowest = int(first)
        if self.pq.before is not None:
            last = self.conn.exec_driver_sql(
                "SELECT docid FROM search_doc WHERE sent_at < ?"
                " ORDER BY sent_at DESC, docid DESC LIMIT 1",
                (high,),
            ).scalar()
            if last is None:
                return None
            highest = int(last)
        return (lowest, highest) if lowest <= highest else None

    def _candidates(self, expr: str) -> list[_Candidate]:
        bounds = self._docid_bounds()
        if bounds is None:
            return []
        low, high = self._range()
        restricted = self.allowed is not None
        join = ""
        extra = ""
        params: list[Any] = []
        if self.conds and not restricted:
            join = " CROSS JOIN conversation c ON c.id = d.conversation_id"
            extra = "".join(f" AND {c}" for c in self.conds)
            params = self.params
        allowed = set(self.allowed or ())
        page = max(WINDOW, self.limit * 4)
        out: list[_Candidate] = []
        seen: set[str] = set()
        upper = bounds[1]
        while True:
            rows = self.conn.exec_driver_sql(
                "SELECT f.rowid, d.conversation_id, d.message_id, d.sent_at"  # noqa: S608
                f" FROM search_fts f CROSS JOIN search_doc d ON d.docid = f.rowid{join}"
                " WHERE search_fts MATCH ? AND f.rowid >= ? AND f.rowid <= ?"
                f" AND d.sent_at >= ? AND d.sent_at < ?{extra}"
                " ORDER BY f.rowid DESC LIMIT ?",
                (expr, bounds[0], upper, low, high, *params, page),
            ).all()
            for docid, cid, mid, at in rows:
                if restricted and cid not in allowed:
                    continue
                out.append(_Candidate(int(docid), str(cid), str(mid), int(at)))
                seen.add(str(cid))
            if len(rows) < page or (len(out) >= WINDOW and len(seen) >= self.limit):
                return out
            upper = int(rows[-1][0]) - 1

    def _idf(self, terms: Sequence[Term]) -> list[float]:
        """Inverse document frequency of each term, from counts capped at :data:`DF_CAP`."""
        if len(terms) < 2:
            return [1.0] * len(terms)  # one term: the same for every message
        total = max(1, self.st.indexed)
        weights = []
        for term in terms:
            df = self.conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)",
                (f"b : ({term.fts()})", DF_CAP),
            ).scalar()
            n = int(df or 0)
            weights.append(math.log(1 + (total - n + 0.5) / (n + 0.5)))
        return weights

    def _bodies(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            for mid, body in self.conn.exec_driver_sql(
                f"SELECT id, body FROM message WHERE id IN ({_marks(len(chunk))})",  # noqa: S608
                tuple(chunk),
            ):
                out[str(mid)] = str(body)
        return out

    def _text(self) -> list[SearchHit]:
        candidates = self._candidates(self._expression())
        if not candidates:
            return []
        bodies = self._bodies([c.message_id for c in candidates])
        terms = self.pq.terms
        # Every candidate has every term; the longest (most specific) ones rank them.
        scoring = sorted(terms, key=lambda t: len(t.tokens), reverse=True)[:MAX_SCORED]
        idf = self._idf(scoring)
        folded = {mid: body.casefold() for mid, body in bodies.items()}
        lengths = {mid: max(1, len(text)) for mid, text in folded.items()}
        average = sum(lengths.values()) / max(1, len(lengths))
        best: dict[str, _Candidate] = {}
        for cand in candidates:
            text = folded.get(cand.message_id, "")
            norm = K1 * (1 - B + B * lengths.get(cand.message_id, 1) / average)
            score = 0.0
            for term, weight in zip(scoring, idf, strict=True):
                # Counted in the case-folded text; where the index needed NFKC to match, the
                # term counts once.
                tf = max(1, len(term.find(text)))
                score += weight * tf * (K1 + 1) / (tf + norm)
            cand.score = round(score, 4)
            held = best.get(cand.conversation_id)
            if held is None or (cand.score, cand.sent_at, cand.docid) > (
                held.score,
                held.sent_at,
                held.docid,
            ):
                best[cand.conversation_id] = cand
        ranked = sorted(best.values(), key=lambda c: (c.score, c.sent_at, c.docid), reverse=True)
        hits = []
        for cand in ranked[: self.limit]:
            snippet, marks = make_snippet(bodies.get(cand.message_id, ""), terms)
            hits.append(
                SearchHit(cand.conversation_id, cand.message_id, snippet, cand.score, marks)
            )
        return hits


def search(
    store: Store, query: str, limit: int = 50, *, tz: tzinfo | None = None
) -> list[SearchHit]:
    """Find conversations: one hit per conversation, most relevant first, ties by recency.

    Terms must all match (quote a phrase to keep its words together); filters are
    ``channel:``, ``dept:`` (``dept:none`` for untriaged), ``status:``, ``from:``,
    ``before:``/``after:`` (``YYYY-MM-DD``, local dates) and ``has:draft``. Never raises on
    odd input: a query that cannot be understood finds nothing.

    Args:
        store: The store.
        query: What staff typed.
        limit: Most conversations to return.
        tz: Time zone of dates in the query (default: this PC's).

    Returns:
        The hits, best first.
    """
    pq = parse_query(query, tz)
    if limit <= 0 or not pq.searchable:
        return []
    with store.read() as s:
        conn = s.connection()
        if not _is_sqlite(conn):
            return []
        st = _state(conn)
        if st is None:
            return []
        return _Search(conn, pq, limit, st).run()
