"""Full-text search: short Korean terms, other scripts, phrases, filters, ranking, hostile
queries, the index kept in the ingest transaction, rebuilds and snippets."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from console import services
from console.channels.base import Channel, FetchResult, InboundMessage, OutgoingReply
from console.ingest import ingest
from console.runtime import Runtime
from console.store import Store, open_memory_store, open_store
from console.store import search as S
from console.store.engine import DB_NAME, sqlite_engine
from tests.helpers.factory import add_account, add_operator, now_ms

_n = itertools.count(1)


def _utc(y: int, m: int, d: int, h: int = 12) -> int:
    return int(datetime(y, m, d, h, tzinfo=UTC).timestamp() * 1000)


def conv(
    store: Store,
    account: str,
    texts: list[str],
    contact: str = "고객",
    at: int | None = None,
    direction: str = "in",
) -> str:
    """Ingest one conversation of messages one minute apart; return its id."""
    n = next(_n)
    start = at if at is not None else now_ms() - 3_600_000 + n * 1000
    msgs = [
        InboundMessage(f"m{n}-{i}", f"t{n}", f"h{n}", contact, direction, body, start + i * 60_000)
        for i, body in enumerate(texts)
    ]
    changes = ingest(store, account, FetchResult(msgs, f"c{n}"))
    (cid,) = changes.conversations
    return cid


def ids(store: Store, query: str, **kw: object) -> list[str]:
    return [h.conversation_id for h in S.search(store, query, tz=UTC, **kw)]  # type: ignore[arg-type]


class Corpus:
    """A small clinic: who said what, on which channel, in which department."""

    def __init__(self) -> None:
        self.store = open_memory_store()
        s = self.store
        kakao = add_account(s, "kakaotalk")
        insta = add_account(s, "instagram")
        mail = add_account(s, "email")
        self.nose = conv(s, kakao, ["코 성형 상담 받고 싶어요", "코끝 수술 후기 있나요"], "김민지")
        self.eyes = conv(s, insta, ["눈 밑 지방 재배치 가격 문의드려요"], "이하나")
        self.brows = conv(s, insta, ["눈썹 문신 지워지나요"], "최유리")
        self.double = conv(s, kakao, ["쌍수 재수술 가능할까요? 쌍꺼풀이 풀렸어요"], "박지수")
        self.not_double = conv(s, kakao, ["쌍꺼풀 수술 상담이요"], "정수진")
        self.dental = conv(
            s,
            mail,
            ["치과 임플란트 가격이 궁금합니다", "Dental IMPLANT price, please"],
            "John Smith",
        )
        self.not_dental = conv(s, mail, ["치아 미백 과정이 궁금해요", "피부과 예약"], "한가람")
        self.japanese = conv(s, insta, ["ダウンタイムが少ない方がいいです"], "Yuki Tanaka")
        self.chinese = conv(s, mail, ["我想做热玛吉，请问价格多少？ 🙏"], "王芳")
        self.phrase_far = conv(s, kakao, ["성형 견적 받고 코 사진 보냈어요"], "오세훈")
        self.old = conv(s, kakao, ["보톡스 문의 (3월)"], "윤아", at=_utc(2025, 3, 10))
        self.mid = conv(s, kakao, ["보톡스 다시 문의 (6월)"], "윤아", at=_utc(2025, 6, 20))
        actor = services.Actor(add_operator(s))
        services.tag_department(s, actor, self.nose, "plastic")
        services.tag_department(s, actor, self.double, "plastic")
        services.tag_department(s, actor, self.dental, "dental")
        services.tag_department(s, actor, self.eyes, "derm")
        services.set_status(s, actor, self.eyes, "resolved")
        services.set_status(s, actor, self.double, "pending")
        services.save_draft(s, actor, self.chinese, "您好，热玛吉的价格是……")
        with s.read() as session:
            self.messages = int(session.execute(text("SELECT count(*) FROM message")).scalar_one())


@pytest.fixture(scope="module")
def corpus() -> Iterator[Corpus]:
    c = Corpus()
    yield c
    c.store.close()


# --- terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("코", {"nose", "phrase_far"}),
        ("눈", {"eyes", "brows"}),
        ("쌍수", {"double"}),  # not "쌍꺼풀 수술": both letters, never side by side
        ("치과", {"dental"}),  # not "치아 … 과정" nor "피부과"
        ("쌍꺼풀", {"double", "not_double"}),
        ("코끝", {"nose"}),
    ],
)
def test_short_korean_terms_find_exactly_their_conversations(
    corpus: Corpus, query: str, expected: set[str]
) -> None:
    found = {name for name, cid in vars(corpus).items() if cid in ids(corpus.store, query)}
    assert found == expected


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("implant", "dental"),
        ("IMPLAN", "dental"),  # a Latin word matches as a prefix, case folded
        ("ｉｍｐｌａｎｔ", "dental"),  # full-width Latin, as some IMEs type it
        ("ダウンタイム", "japanese"),
        ("ﾀﾞｳﾝﾀｲﾑ", "japanese"),  # half-width Kana
        ("热玛吉", "chinese"),
        ("🙏", "chinese"),
        ("코끝 수술", "nose"),
    ],
)
def test_other_scripts(corpus: Corpus, query: str, name: str) -> None:
    assert ids(corpus.store, query) == [getattr(corpus, name)]


def test_all_terms_must_match_one_message(corpus: Corpus) -> None:
    # "임플란트" and "price" are both in the conversation, in two different messages.
    assert ids(corpus.store, "임플란트 price") == []
    assert ids(corpus.store, "implant price") == [corpus.dental]


def test_terms_are_anded_and_quotes_keep_a_phrase_together(corpus: Corpus) -> None:
    assert set(ids(corpus.store, "코 성형")) == {corpus.nose, corpus.phrase_far}
    assert ids(corpus.store, '"코 성형"') == [corpus.nose]
    assert ids(corpus.store, '"성형 코"') == []
    assert ids(corpus.store, '"dental implant"') == [corpus.dental]
    assert ids(corpus.store, '"implant dental"') == []


# --- filters -------------------------------------------------------------------------------


def test_each_filter(corpus: Corpus) -> None:
    c = corpus
    assert set(ids(c.store, "channel:email")) == {c.dental, c.not_dental, c.chinese}
    assert set(ids(c.store, "눈 channel:instagram")) == {c.eyes, c.brows}
    assert ids(c.store, "눈 channel:kakaotalk") == []
    assert set(ids(c.store, "dept:plastic")) == {c.nose, c.double}
    assert ids(c.store, "코 dept:plastic") == [c.nose]
    assert c.nose not in ids(c.store, "dept:none")
    assert set(ids(c.store, "코 dept:none")) == {c.phrase_far}
    assert set(ids(c.store, "dept:derm dept:dental")) == {c.eyes, c.dental}
    assert ids(c.store, "status:resolved") == [c.eyes]
    assert ids(c.store, "status:pending") == [c.double]
    assert c.eyes not in ids(c.store, "눈 status:open") and c.brows in ids(
        c.store, "눈 status:open"
    )
    assert ids(c.store, "from:민지") == [c.nose]
    assert ids(c.store, "from:john") == [c.dental]  # ASCII case folded
    assert ids(c.store, 'from:"John Smith" 치과') == [c.dental]
    assert ids(c.store, "has:draft") == [c.chinese]
    assert ids(c.store, "热玛吉 has:draft") == [c.chinese]
    assert ids(c.store, "가격 has:draft") == []


def test_date_filters_use_the_message_time_and_local_dates(corpus: Corpus) -> None:
    c = corpus
    assert ids(c.store, "보톡스 before:2025-04-01") == [c.old]
    assert ids(c.store, "보톡스 after:2025-04-01") == [c.mid]
    # after: includes the day, before: excludes it
    assert ids(c.store, "after:2025-03-10 before:2025-03-11") == [c.old]
    assert ids(c.store, "before:2025-03-10") == []
    assert ids(c.store, "before:2025-07-01") == [c.mid, c.old]  # newest message first
    assert ids(c.store, "보톡스 after:2025-06-21") == []
    assert ids(c.store, "after:2025-03-11 before:2025-03-10") == []


def test_an_invalid_filter_finds_nothing_and_an_unknown_one_is_text(corpus: Corpus) -> None:
    assert S.parse_query("status:lost").problems == ("bad_status",)
    assert ids(corpus.store, "status:lost") == []
    assert ids(corpus.store, "코 before:2025-13-40") == []
    assert ids(corpus.store, "has:attachment") == []
    assert ids(corpus.store, "price:implant") == []  # the words "price" and "implant", apart
    assert ids(corpus.store, "dental:implant") == [corpus.dental]


# --- ranking -------------------------------------------------------------------------------


def test_ranking_prefers_more_and_denser_matches_then_newer(store: Store) -> None:
    account = add_account(store)
    base = now_ms() - 86_400_000
    long_one = conv(
        store,
        account,
        ["가격은 상담 후 안내드리며 진료 시간은 평일 10시부터 7시까지입니다"],
        at=base,
    )
    dense = conv(store, account, ["가격 가격 알려주세요"], at=base + 1000)
    older_twin = conv(store, account, ["가격 문의"], at=base + 2000)
    newer_twin = conv(store, account, ["가격 문의"], at=base + 3000)
    hits = S.search(store, "가격")
    assert [h.conversation_id for h in hits] == [dense, newer_twin, older_twin, long_one]
    assert hits[0].score > hits[1].score == hits[2].score > hits[3].score


def test_a_rare_term_weighs_more_than_a_common_one(store: Store) -> None:
    account = add_account(store)
    for i in range(6):
        conv(store, account, [f"가격 문의 {i}"])
    rare_heavy = conv(store, account, ["리프팅 리프팅 리프팅 가격"])
    common_heavy = conv(store, account, ["가격 가격 가격 리프팅"])
    assert ids(store, "가격 리프팅") == [rare_heavy, common_heavy]


def test_one_hit_per_conversation_through_its_best_message(store: Store) -> None:
    account = add_account(store)
    cid = conv(store, account, ["안녕하세요", "코 필러 가격", "코 필러 코 필러 상담", "감사합니다"])
    hits = S.search(store, "필러")
    assert len(hits) == 1
    assert hits[0].conversation_id == cid and hits[0].snippet == "코 필러 코 필러 상담"


# --- hostile queries -----------------------------------------------------------------------

HOSTILE_SAME_AS_NOSE = [
    '"코',
    '코"',
    "코*",
    "*코",
    "-코",
    "^코",
    "(코)",
    "코:",
    ":코",
    "\x00코\x07",
    "코\u202e",
]
HOSTILE_EMPTY = [
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(코 눈)",
    "코 OR 눈",
    "코 AND 눈",
    "NOT 코",
    "-",
    "^",
    ":",
    "(",
    ")",
    "b : 코",
    "c:코",
    "'; DROP TABLE message; --",
    "코 눈) OR (1=1",
    "x" * 5000,
    "코 " * 600,
    "\x00\x01\x02",
    "🙂",
    "\ud800",
]


@pytest.mark.parametrize("query", HOSTILE_SAME_AS_NOSE)
def test_punctuation_and_control_characters_are_ignored(corpus: Corpus, query: str) -> None:
    assert ids(corpus.store, query) == ids(corpus.store, "코") != []


@pytest.mark.parametrize("query", HOSTILE_EMPTY)
def test_fts_syntax_is_text_and_nonsense_finds_nothing(corpus: Corpus, query: str) -> None:
    # "OR", "AND", "NOT", "NEAR", "b", "c" are searched as words, which these messages lack.
    assert S.search(corpus.store, query) == []
    with corpus.store.read() as s:
        assert s.execute(text("SELECT count(*) FROM message")).scalar() == corpus.messages


def test_operator_words_are_searched_as_words(store: Store) -> None:
    account = add_account(store)
    yes = conv(store, account, ["Botox OR filler NEAR the nose"])
    conv(store, account, ["botox only"])
    assert ids(store, "botox OR") == [yes]
    assert ids(store, "NEAR(the") == [yes]  # one chunk: the phrase "near the"
    assert ids(store, "NEAR(nose") == []


_PHRASE = re.compile(r'"[^"\x00-\x1f]+"\*?')


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_query_parses_to_quoted_phrases_only(query: str) -> None:
    pq = S.parse_query(query)
    for term in pq.terms:
        assert _PHRASE.fullmatch(term.fts()), term.fts()
        assert '"' not in "".join(term.tokens)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from('코눈쌍수치과 "*():-^ORANDNEAR\x00🙏a1'), max_size=30))
def test_any_query_runs_without_raising(corpus: Corpus, query: str) -> None:
    for hit in S.search(corpus.store, query):
        assert hit.conversation_id


# --- the index follows the data ------------------------------------------------------------


def test_the_index_is_written_in_the_ingest_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = add_account(store)
    real = S.index_messages

    def index_then_fail(*args: object, **kw: object) -> None:
        real(*args, **kw)  # type: ignore[arg-type]
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(S, "index_messages", index_then_fail)
    page = FetchResult([InboundMessage("x1", "t", "h", "민지", "in", "코 성형", now_ms())], "c1")
    with pytest.raises(RuntimeError):
        ingest(store, account, page)
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM search_doc")).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM message")).scalar() == 0
    assert S.search(store, "코") == []
    monkeypatch.setattr(S, "index_messages", real)
    ingest(store, account, page)
    assert len(S.search(store, "코")) == 1  # searchable as soon as it is stored
    assert S.index_status(store) == S.IndexStatus(True, 1, 0, 0)


class _Sender(Channel):
    def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult([], cursor or "")

    def send(self, reply: OutgoingReply) -> str:
        return f"sent-{reply.reply_id}"


def test_a_sent_reply_is_searchable(store: Store) -> None:
    account = add_account(store)
    cid = conv(store, account, ["예약 가능한가요?"])
    actor = services.Actor(add_operator(store))
    services.queue_reply(store, actor, cid, "네, 목요일 오후 세시에 예약해 드렸습니다")
    runtime = Runtime(store, {account: _Sender()})
    runtime.send_due()
    runtime.close()
    (hit,) = S.search(store, "목요일")
    assert hit.conversation_id == cid


def test_late_messages_keep_time_order_and_date_filters_exact(store: Store) -> None:
    account = add_account(store)
    jan = conv(store, account, ["필러 1월"], at=_utc(2025, 1, 5))
    mar = conv(store, account, ["필러 3월"], at=_utc(2025, 3, 5))
    feb = conv(store, account, ["필러 2월"], at=_utc(2025, 2, 5))  # fetched late
    assert S.index_status(store).misplaced == 0
    assert ids(store, "필러 after:2025-02-01 before:2025-03-01") == [feb]
    assert ids(store, "after:2025-01-01 before:2025-12-31") == [mar, feb, jan]
    for i in range(6):  # docids are 8 apart: after three halvings, no room is left
        conv(store, account, [f"필러 2월 {i}"], at=_utc(2025, 2, 5) + i)
    assert S.index_status(store).misplaced > 0
    assert len(ids(store, "필러 after:2025-02-01 before:2025-03-01")) == 7  # still exact


# --- building the index --------------------------------------------------------------------


def _snapshot(store: Store) -> dict[str, list[tuple[str, str, float]]]:
    out = {}
    for q in (
        "코",
        "눈",
        "쌍수",
        "치과",
        "implant",
        "가격 dept:derm",
        '"코 성형"',
        "before:2025-07-01",
    ):
        out[q] = [(h.conversation_id, h.message_id, h.score) for h in S.search(store, q, tz=UTC)]
    return out


def test_rebuild_after_dropping_the_index_gives_the_same_results() -> None:
    c = Corpus()
    store = c.store
    before = _snapshot(store)
    with store.write() as s:
        for table in ("search_fts", "search_doc", "search_state"):
            s.execute(text(f"DROP TABLE {table}"))
    assert S.search(store, "코") == []  # a missing index finds nothing, and does not raise
    account = add_account(store)
    late = conv(store, account, ["리프팅 문의"])  # stored while the index was gone
    total = c.messages + 1
    seen: list[tuple[int, int]] = []
    status = S.rebuild(store, lambda done, n: seen.append((done, n)), batch=4)
    assert status == S.IndexStatus(True, total, 0, 0)
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 3
    assert _snapshot(store) == before
    assert ids(store, "리프팅") == [late]
    store.close()


def test_an_interrupted_build_resumes() -> None:
    c = Corpus()
    before = _snapshot(c.store)

    def stop(done: int, total: int) -> None:
        if done >= 8:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        S.rebuild(c.store, stop, batch=4)
    status = S.index_status(c.store)
    assert not status.ready and status.indexed == 8 and status.pending == c.messages - 8
    assert S.ensure_index(c.store, batch=4).ready
    assert _snapshot(c.store) == before
    c.store.close()


def test_migrating_an_existing_database_leaves_it_searchable(data_dir: Path) -> None:
    from alembic import command

    from console.store.schema import migrations_config

    engine = sqlite_engine(data_dir / DB_NAME)
    with engine.begin() as conn:
        command.upgrade(migrations_config(conn), "0003")
    # A 0003 database as the last version left it, written with that version's columns.
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO channel_account (id, kind, connector, external_id, display_name, config,"
            " enabled, created_at, skipped_items) VALUES ('a1', 'kakaotalk', 'test', 'x', 'x',"
            " '{}', 1, 0, 0)",
            "INSERT INTO contact (id, display_name, notes, created_at)"
            " VALUES ('p1', '고객', '', 0)",
            "INSERT INTO conversation (id, account_id, contact_id, external_thread_id, status,"
            " status_hlc, department_hlc, assignee_hlc, priority, priority_hlc, snooze_hlc,"
            " read_upto, created_at, last_message_at, snippet, message_count, department_source,"
            " subject) VALUES ('c1', 'a1', 'p1', 't1', 'open', '', '', '', 1, '', '', 0, 1000,"
            " 1000, '쌍수 상담 원해요', 1, '', '')",
            "INSERT INTO message (id, conversation_id, account_id, external_id, direction, author,"
            " body, sent_at) VALUES ('m1', 'c1', 'a1', 'e1', 'in', '', '쌍수 상담 원해요', 1000)",
        ):
            conn.exec_driver_sql(sql)
    engine.dispose()
    cid = "c1"
    store = open_store(data_dir)  # migrates past 0004 and indexes the (small) history
    assert S.index_status(store).ready
    assert ids(store, "쌍수") == [cid]
    store.close()


def test_open_store_leaves_a_long_history_to_the_background(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(data_dir)
    account = add_account(store)
    cid = conv(store, account, ["치과 예약", "치과 위치", "치과 주차"])
    with store.write() as s:
        s.execute(text("DROP TABLE search_state"))
    store.close()
    monkeypatch.setattr("console.store.engine.SEARCH_CATCH_UP", 2)
    store = open_store(data_dir)
    assert not S.index_status(store).ready
    assert S.ensure_index(store).ready
    assert ids(store, "치과") == [cid]
    store.close()


# --- snippets ------------------------------------------------------------------------------


def _check(hit: S.SearchHit, term: str) -> None:
    assert hit.highlights, hit
    for start, end in hit.highlights:
        assert hit.snippet[start:end].casefold() == term.casefold()
    assert len(hit.snippet) <= S.SNIPPET_CHARS
    assert not any(ch in hit.snippet for ch in "\n\r\t\x00")


def test_the_snippet_is_plain_text_around_the_first_match(store: Store) -> None:
    account = add_account(store)
    long_text = "안녕하세요 " * 30 + "<b>쌍꺼풀</b> 재수술\n문의\x00드립니다 " + "감사합니다 " * 30
    conv(store, account, [long_text])
    (hit,) = S.search(store, "쌍꺼풀")
    _check(hit, "쌍꺼풀")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<b>쌍꺼풀</b> 재수술 문의 드립니다" in hit.snippet  # the text as it is, nothing added
    assert hit.highlights[0][0] <= S.SNIPPET_LEAD + 1  # the match comes early


def test_highlights_point_at_every_match_in_the_snippet(corpus: Corpus) -> None:
    (hit,) = S.search(corpus.store, "IMPLANT")
    _check(hit, "implant")
    (hit,) = S.search(corpus.store, "ｉｍｐｌａｎｔ")
    _check(hit, "implant")
    (hit,) = S.search(corpus.store, "ﾀﾞｳﾝﾀｲﾑ")
    assert hit.snippet[slice(*hit.highlights[0])] == "ダウンタイム"
    (hit,) = S.search(corpus.store, "쌍수 쌍꺼풀")
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["쌍수", "쌍꺼풀"]


def test_highlights_follow_the_same_word_and_run_boundaries_as_the_index() -> None:
    (implant,) = S.parse_query("implant").terms
    assert S.make_snippet("reimplant, or implant", [implant]) == (
        "reimplant, or implant",
        ((14, 21),),
    )
    (phrase,) = S.parse_query('"코 성형"').terms
    assert S.make_snippet("눈코 성형, 코성형", [phrase])[1] == ((1, 5),)


def test_snippet_of_a_short_message_is_the_message() -> None:
    (term,) = S.parse_query("코").terms
    assert S.make_snippet("  코\n성형  ", [term]) == ("코 성형", ((0, 1),))


def test_highlights_cover_the_original_characters_when_the_text_needed_nfkc() -> None:
    (kana,) = S.parse_query("ダウンタイム").terms
    assert S.make_snippet("ﾀﾞｳﾝﾀｲﾑ 질문", [kana]) == ("ﾀﾞｳﾝﾀｲﾑ 질문", ((0, 7),))
    (korea,) = S.parse_query("한국").terms  # conjoining jamo, as macOS may send them
    assert S.make_snippet("저는 \u1112\u1161\u11ab\u1100\u116e\u11a8 사람", [korea])[1] == ((3, 9),)


# --- the schema ----------------------------------------------------------------------------


def test_the_models_match_the_migrations_apart_from_the_search_tables(data_dir: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from console.store.models import Base

    store = open_store(data_dir)
    with store.engine.connect() as conn:
        opts = {
            "include_name": lambda name, kind, _parent: (
                not (kind == "table" and S.is_search_table(str(name)))
            )
        }
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    store.close()
    assert diff == []


def test_match_spans_finds_terms_as_the_index_does_and_literals_as_the_list_does() -> None:
    text = "<b>쌍수</b> 재수술 문의, Implant 상담"
    spans = S.match_spans(text, "쌍수 implant")
    assert [text[a:b] for a, b in spans] == ["쌍수", "Implant"]
    # A word inside another word is not a term match, but the list's name filter (LIKE)
    # finds it anywhere: the literal text is highlighted then.
    assert [text[a:b] for a, b in S.match_spans(text, "mplan")] == ["mplan"]
    # Filters highlight nothing; nor does text that is not there.
    assert S.match_spans(text, "dept:plastic") == ()
    assert S.match_spans(text, "치과") == ()
    parsed = S.parse_query("재수술")
    assert [text[a:b] for a, b in S.match_spans(text, "재수술", parsed)] == ["재수술"]
