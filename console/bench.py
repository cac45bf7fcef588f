"""``sotong bench``: build a large store and measure what staff feel.

Figures (JSON keys are stable so versions can be compared):
``generate_rows_per_s`` (bulk generation of the store), ``first_paint_ms`` (cold start of the
main window to the first painted list, in a fresh process), ``queue_query_p50_ms`` /
``queue_query_p95_ms`` (a department queue: first page of ids plus the visible rows),
``open_conversation_p95_ms`` (a 200-message thread), ``service_call_p95_ms`` (tag and save
draft, each a committed transaction with fsync), ``search_index_build_s`` (indexing every
message for full-text search, as after migration 0004), ``search_p50_ms`` / ``search_p95_ms``
(:data:`SEARCH_QUERIES`: one-, two- and longer Korean terms, other scripts, phrases and
filters), ``index_size_ratio`` (the search index's pages over the message table's),
``contact_panel_p50_ms`` / ``contact_panel_p95_ms`` (the contact panel's reads for one
conversation),
``contact_merge_p95_ms`` (merging two contacts, committed), ``duplicate_suggestions_ms`` (likely
duplicates over the whole store, run on the read lane: the first run) and ``duplicates_ms``
(the median of five more),
``list_search_p95_ms`` (the list's search box: the whole searched list, read on the UI's read
worker, over the terms of :data:`SEARCH_QUERIES`), ``saved_search_counts_ms`` (median time to
count :data:`SAVED_SEARCHES`, as the navigation pane does after every change),
``peak_rss_mb`` (this process and its children), ``dashboard_ms`` (median time of
:func:`console.reports.dashboard`: the manager's figures over the whole store),
``breaches_today_list_ms`` (median time of the first page of the clinic's "breaches today"
list: waiting past the target now or answered late today, business time counted in SQL).
"""

from __future__ import annotations

import json
import os
import random
import resource as rlimit
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from console import services
from console.demo.server import CHANNELS
from console.ids import new_id
from console.resources import resource
from console.store import search
from console.store.engine import DB_NAME, Store, open_store
from console.store.queries import (
    ListFilter,
    Order,
    View,
    conversation_ids,
    conversation_rows,
    thread_items,
)

DEPARTMENTS = ("plastic", "dental", "derm", "obesity", "general", None)
STATUSES = ("open",) * 6 + ("pending", "resolved", "resolved", "snoozed")
LONG_THREADS = 50
LONG_THREAD_MESSAGES = 200
VISIBLE_ROWS = 40


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _texts() -> list[str]:
    convs = json.loads(resource("demo", "conversations.json").read_text(encoding="utf-8"))
    return [m["text"] for c in convs for m in c["messages"]] or ["안녕하세요"]


def generate(data_dir: Path, conversations: int, messages: int, seed: int = 1) -> float:
    """Fill a fresh store with ``conversations`` / ``messages`` rows of realistic shape.

    Returns:
        Rows written per second (contacts, identities, conversations and messages).
    """
    store = open_store(data_dir)
    with store.write() as s:
        from console.store.models import Operator

        ops = [new_id() for _ in range(6)]
        for i, oid in enumerate(ops):
            s.add(
                Operator(
                    id=oid,
                    name=f"직원{i + 1}",
                    role="coordinator",
                    departments=["plastic"],
                    on_duty=True,
                    created_at=0,
                )
            )
    store.close()
    rng = random.Random(seed)
    texts = _texts()
    now = time.time_ns() // 1_000_000
    span = 2 * 365 * 86_400_000
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    start = time.perf_counter()
    conn.execute("BEGIN")
    accounts = []
    for kind, name in CHANNELS.items():
        aid = new_id()
        accounts.append(aid)
        conn.execute(
            "INSERT INTO channel_account (id, kind, connector, external_id, display_name, config,"
            " enabled, created_at) VALUES (?, ?, 'bench', ?, ?, '{}', 1, 0)",
            (aid, kind, f"bench:{kind}", name),
        )
    # Message counts per conversation: a few long threads, the rest spread to the total.
    long_n = min(LONG_THREADS, conversations)
    rest = max(0, messages - long_n * LONG_THREAD_MESSAGES)
    others = max(1, conversations - long_n)
    counts = [LONG_THREAD_MESSAGES] * long_n + [
        max(1, int(rng.expovariate(1 / max(1.0, rest / others)))) for _ in range(others)
    ]
    rows = 0
    batch_msgs: list[tuple[Any, ...]] = []
    batch_convs: list[tuple[Any, ...]] = []
    batch_contacts: list[tuple[Any, ...]] = []
    batch_ids: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO contact (id, display_name, notes, merged_into, created_at)"
            " VALUES (?, ?, '', NULL, ?)",
            batch_contacts,
        )
        conn.executemany(
            "INSERT INTO contact_identity (id, contact_id, account_id, handle, origin_contact_id)"
            " VALUES (?, ?, ?, ?, ?)",
            batch_ids,
        )
        conn.executemany(
            "INSERT INTO conversation (id, account_id, contact_id, identity_id,"
            " external_thread_id, status,"
            " status_hlc, department, department_hlc, assignee_id, assignee_hlc, priority,"
            " priority_hlc, snoozed_until, snooze_hlc, read_upto, created_at, last_message_at,"
            " last_inbound_at, waiting_since, snippet, message_count, opened_at,"
            " first_response_at, resolved_at, replied_at, replied_wait_from)"
            " VALUES (?, ?, ?, ?, ?, ?, '', ?, '', ?, '', 1, '', ?, '', ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?)",
            batch_convs,
        )
        conn.executemany(
            "INSERT INTO message (id, conversation_id, account_id, external_id, direction,"
            " author, body, sent_at) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            batch_msgs,
        )
        for b in (batch_contacts, batch_ids, batch_convs, batch_msgs):
            b.clear()

    for n, count in enumerate(counts):
        cid, contact = new_id(), new_id()
        account = accounts[n % len(accounts)]
        handle = f"h{n}"
        t = now - rng.randrange(span)
        created = t
        last_in = None
        last_out = None
        waiting = None
        opened = first_response = replied = replied_from = None
        body = ""
        for i in range(count):
            t += rng.randrange(60_000, 6 * 3_600_000)
            direction = "in" if (i == 0 or rng.random() < 0.6) else "out"
            body = rng.choice(texts)
            batch_msgs.append((new_id(t), cid, account, f"{handle}-{i}", direction, body, t))
            if direction == "in":
                last_in = t
                waiting = waiting or t
                opened = opened or t
            else:
                last_out = t
                first_response = first_response or t
                if waiting is not None:
                    replied, replied_from = t, waiting
                waiting = None
        status = rng.choice(STATUSES)
        snoozed = now + 86_400_000 if status == "snoozed" else None
        batch_contacts.append((contact, f"고객{n}", created))
        identity = new_id()
        batch_ids.append((identity, contact, account, handle, contact))
        batch_convs.append(
            (
                cid,
                account,
                contact,
                identity,
                f"t-{handle}",
                status,
                rng.choice(DEPARTMENTS),
                rng.choice([*ops, None, None]),
                snoozed,
                (last_in or 0) if rng.random() < 0.7 else 0,
                created,
                t,
                last_in,
                waiting,
                " ".join(body.split())[:120],
                count,
                opened,
                first_response,
                t if status == "resolved" else None,
                replied,
                replied_from,
            )
        )
        rows += 3 + count
        if len(batch_msgs) >= 50_000:
            flush()
        del last_out
    flush()
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return rows / elapsed


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure_queries(store: Store, seed: int = 2) -> dict[str, float]:
    """Queue query, thread open and service call timings on an existing store."""
    rng = random.Random(seed)
    queue: list[float] = []
    for _ in range(5):  # warm the page cache as a running console would be
        conversation_ids(store, ListFilter(View.DEPARTMENT, "derm", order=Order.WAITING))
    for i in range(200):
        dept = DEPARTMENTS[i % 5]
        flt = ListFilter(View.DEPARTMENT, dept, order=Order.WAITING)

        def q(flt: ListFilter = flt) -> None:
            ids = conversation_ids(store, flt, limit=200)
            conversation_rows(store, [cid for cid, _ in ids[:VISIBLE_ROWS]])

        queue += _timed(q, 1)
    with store.read() as s:
        from sqlalchemy import select

        from console.store.models import Conversation

        long_ids = list(
            s.scalars(
                select(Conversation.id)
                .where(Conversation.message_count == LONG_THREAD_MESSAGES)
                .limit(LONG_THREADS)
            )
        )
        sample = list(s.scalars(select(Conversation.id).limit(2000)))
        operator = s.scalar(
            select(Conversation.assignee_id).where(Conversation.assignee_id.is_not(None)).limit(1)
        )
    opening: list[float] = []
    for i in range(100):
        cid = long_ids[i % len(long_ids)] if long_ids else sample[0]
        opening += _timed(partial(thread_items, store, cid), 1)
    actor = services.Actor(operator)
    calls: list[float] = []
    for i in range(200):
        cid = rng.choice(sample)
        call: Callable[[], object]
        if i % 2:
            call = partial(services.tag_department, store, actor, cid, DEPARTMENTS[i % 5])
        else:
            text = f"안녕하세요 고객님, 상담 가능 시간 안내드립니다 ({i})"
            call = partial(services.save_draft, store, actor, cid, text)
        calls += _timed(call, 1)
    return {
        "queue_query_p50_ms": round(statistics.median(queue), 2),
        "queue_query_p95_ms": round(_percentile(queue, 95), 2),
        "open_conversation_p95_ms": round(_percentile(opening, 95), 2),
        "service_call_p95_ms": round(_percentile(calls, 95), 2),
    }


def measure_dashboard(store: Store, rounds: int = 15) -> dict[str, float]:
    """Median time of the manager's dashboard figures, after one warm-up call (a running
    console has its page cache and business calendar warm)."""
    from console.reports import dashboard
    from console.store.queries import ListFilter, View, conversation_ids

    now = time.time_ns() // 1_000_000
    dashboard(store, now)
    timings = _timed(lambda: dashboard(store, now), rounds)
    # The list behind "breaches today" (its first page), business time counted in SQL.
    breaches = ListFilter(View.ALL_OPEN, breached_today=True)
    conversation_ids(store, breaches)
    lists = _timed(lambda: conversation_ids(store, breaches), rounds)
    return {
        "dashboard_ms": round(statistics.median(timings), 1),
        "breaches_today_list_ms": round(statistics.median(lists), 1),
    }


#: The fixed query mix of ``search_p50_ms`` / ``search_p95_ms``; ``{year_ago}`` and
#: ``{month_ago}`` become dates relative to today.
SEARCH_QUERIES = (
    "코",
    "눈",
    "턱",
    "입",
    "쌍수",
    "치과",
    "필러",
    "가격",
    "예약",
    "상담",
    "쌍꺼풀",
    "리프팅",
    "주차장",
    "임플란트",
    "안녕하세요",
    "여드름 흉터",
    '"코 필러"',
    "코 필러",
    "implant",
    "ダウンタイム",
    "热玛吉",
    "dept:derm 보톡스",
    "status:open 가격",
    "channel:kakaotalk 예약",
    "dept:none 치과",
    "status:snoozed 코",
    "코 after:{year_ago}",
    "쌍수 before:{year_ago}",
    "상담 has:draft",
    "from:고객123",
    "dept:plastic",
    "after:{month_ago}",
    "channel:sms status:open",
)


def measure_contacts(store: Store, pairs: int = 100) -> dict[str, float]:
    """The contact panel's reads for a conversation (contact, card, every conversation), a
    merge, and the duplicate suggestions over the whole store."""
    from sqlalchemy import select

    from console.contacts import suggest_duplicates
    from console.store.contact_queries import contact_panel
    from console.store.models import Conversation

    with store.read() as s:
        sample = list(
            s.execute(select(Conversation.id, Conversation.contact_id).limit(pairs * 2)).all()
        )
    admin = services.Actor(None)  # the system actor may merge
    merging: list[float] = []
    for (_a, keep), (_b, other) in zip(sample[::2], sample[1::2], strict=False):
        merging += _timed(partial(services.merge_contacts, store, admin, keep, other), 1)

    reads: list[float] = []
    for cid, _contact in sample:
        reads += _timed(partial(contact_panel, store, cid), 1)
    t0 = time.perf_counter()
    suggest_duplicates(store)
    suggest_ms = (time.perf_counter() - t0) * 1000
    again = _timed(partial(suggest_duplicates, store), 5)
    return {
        "contact_panel_p50_ms": round(statistics.median(reads), 2),
        "contact_panel_p95_ms": round(_percentile(reads, 95), 2),
        "contact_merge_p95_ms": round(_percentile(merging, 95), 2) if merging else 0.0,
        "duplicate_suggestions_ms": round(suggest_ms, 1),
        "duplicates_ms": round(statistics.median(again), 1),
    }


def build_search_index(store: Store, progress: Callable[[str], object] | None = None) -> float:
    """Index every message for full-text search (the path a migrated database takes).

    Returns:
        Seconds taken.
    """
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done == total:
            last[0] = time.perf_counter()
            say(f"  search index {done:,}/{total:,}")

    search.rebuild(store, report)
    return time.perf_counter() - t0


def search_index_ratio(store: Store) -> float | None:
    """The search index's pages over the message table's (None without ``dbstat``)."""
    from sqlalchemy.exc import OperationalError

    try:
        with store.read() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT name, sum(pgsize) FROM dbstat WHERE aggregate = 0 GROUP BY name"
            )
            sizes = {str(name): int(size) for name, size in rows}
    except OperationalError:
        return None
    index = sum(
        v for k, v in sizes.items() if search.is_search_table(k) or k.startswith("ix_search")
    )
    return round(index / max(1, sizes.get("message", 1)), 3)


def measure_search(store: Store, rounds: int = 5) -> dict[str, float]:
    """Search timings over :data:`SEARCH_QUERIES`, a page of 50 conversations each."""
    today = time.time()
    dates = {
        "year_ago": time.strftime("%Y-%m-%d", time.localtime(today - 365 * 86_400)),
        "month_ago": time.strftime("%Y-%m-%d", time.localtime(today - 30 * 86_400)),
    }
    queries = [q.format(**dates) for q in SEARCH_QUERIES]
    for q in queries:  # warm the page cache as a running console would be
        search.search(store, q)
    timings: list[float] = []
    for _ in range(rounds):
        for q in queries:
            timings += _timed(partial(search.search, store, q), 1)
    return {
        "search_p50_ms": round(statistics.median(timings), 2),
        "search_p95_ms": round(_percentile(timings, 95), 2),
    }


#: Saved searches counted by ``saved_search_counts_ms``: (query, view, value).
SAVED_SEARCHES = (
    ("임플란트", "all_open", None),
    ("예약", "department", "dental"),
    ("가격", "unassigned", None),
    ("쌍꺼풀", "channel", "kakaotalk"),
    ("보톡스 status:open", "all_open", None),
)


def measure_list_search(store: Store, rounds: int = 3) -> dict[str, float]:
    """The list's search (the searched list, whole) and the saved searches' counts."""
    from console.store.queries import SavedSearchRow, saved_search_counts, search_list

    terms = [q for q in SEARCH_QUERIES if "{" not in q]
    for q in terms:  # warm the page cache as a running console would be
        search_list(store, ListFilter(text=q))
    lists: list[float] = []
    for _ in range(rounds):
        for q in terms:
            lists += _timed(partial(search_list, store, ListFilter(text=q)), 1)
    rows = [
        SavedSearchRow(f"bench-{i}", q, q, view, value, True)
        for i, (q, view, value) in enumerate(SAVED_SEARCHES)
    ]
    counts = _timed(partial(saved_search_counts, store, rows, None), 5)
    return {
        "list_search_p95_ms": round(_percentile(lists, 95), 2),
        "saved_search_counts_ms": round(statistics.median(counts), 2),
    }


def measure_first_paint(data_dir: Path, runs: int = 3) -> float:
    """Median cold start to first painted list, each in a fresh process."""
    values = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "ui.firstpaint", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
        )
        values.append(float(json.loads(out.stdout.strip().splitlines()[-1])["first_paint_ms"]))
    return statistics.median(values)


def measure_ingest(messages: int = 20_000, threads: int = 2_000) -> float:
    """Messages fetched over HTTP from a local channel server, normalised and stored, per
    second: the whole connector path (client, paging, parsing, dedup, transactions)."""
    from console.channels.demo import DemoChannel
    from console.demo.server import DemoData, DemoServer
    from console.runtime import Runtime
    from console.store import open_memory_store

    texts = _texts()
    data = DemoData()
    start = time.time_ns() // 1_000_000 - messages * 1000
    for i in range(messages):
        n = i % threads
        data.add(
            "kakaotalk",
            f"kakao_{n}",
            f"고객{n}",
            "in" if i % 3 else "out",
            texts[i % len(texts)],
            start + i * 1000,
        )
    store = open_memory_store()
    with tempfile.TemporaryDirectory(prefix="sotong-ingest-") as tmp:
        store.close()
        store = open_store(Path(tmp))
        with store.write() as s:
            from console.store.models import ChannelAccount

            s.add(
                ChannelAccount(
                    id="bench",
                    kind="kakaotalk",
                    connector="demo",
                    external_id="bench",
                    display_name="bench",
                    config={},
                    enabled=True,
                    created_at=0,
                )
            )
        with DemoServer(interval_s=0, data=data) as server:
            channel = DemoChannel(server.base_url, "kakaotalk", server.token)
            runtime = Runtime(store, {"bench": channel})
            t0 = time.perf_counter()
            got = 0
            while True:
                fetched = runtime.poll_once().fetched
                if not fetched:
                    break
                got += fetched
            elapsed = time.perf_counter() - t0
            runtime.close()
        store.close()
    return got / elapsed


def measure_routing_rules(rules: int = 50, rounds: int = 400) -> dict[str, float]:
    """The clinic's stored rules at ingest: checking whether they changed (once per fetched
    page) and routing one message through ``rules`` keyword and pattern rules that do not
    match, so every rule is tried before the classifier answers."""
    from console import services
    from console.routing import Rule, starter_model
    from console.routing.triage import Triage
    from console.store import open_memory_store

    store = open_memory_store()
    try:
        system = services.Actor(None)
        for n in range(rules):
            rule = (
                Rule(
                    f"규칙 {n}", str(DEPARTMENTS[n % 5]), keywords_any=(f"없는말{n}", f"키워드{n}")
                )
                if n % 2
                else Rule(
                    f"규칙 {n}", str(DEPARTMENTS[n % 5]), pattern=rf"예약\\s*번호\\s*{n}\\d{{4}}"
                )
            )
            services.add_rule(store, system, rule)
        triage = Triage(starter_model(), follow_store=True)
        texts = _texts()
        with store.read() as s:
            triage.refresh(s)
            refresh = _timed(lambda: triage.refresh(s), rounds)
        decide: list[float] = []
        for i in range(rounds):
            text = texts[i % len(texts)]
            t0 = time.perf_counter()
            triage.decide(text, "kakaotalk", None, None)
            decide.append((time.perf_counter() - t0) * 1000)
    finally:
        store.close()
    return {
        "rules_refresh_p95_ms": round(_percentile(refresh, 95), 3),
        "route_50_rules_p95_ms": round(_percentile(decide, 95), 3),
    }


def _peak_rss_mb() -> float:
    own = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss
    kids = rlimit.getrusage(rlimit.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)  # Linux reports KiB


def run(
    conversations: int = 100_000,
    messages: int = 1_000_000,
    keep: Path | None = None,
    measure_ui: bool = True,
    progress: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Build the store and take every measurement."""
    say = progress or (lambda _m: None)
    with tempfile.TemporaryDirectory(prefix="sotong-bench-") as tmp:
        data_dir = keep or Path(tmp)
        say(f"generating {conversations:,} conversations / about {messages:,} messages ...")
        rate = generate(data_dir, conversations, messages)
        store = open_store(data_dir)
        try:
            say("indexing every message for search ...")
            build_s = build_search_index(store, say)
            say("measuring queries and service calls ...")
            figures: dict[str, Any] = {
                "conversations": conversations,
                "messages": messages,
                "generate_rows_per_s": round(rate),
                "search_index_build_s": round(build_s, 1),
            }
            figures.update(measure_queries(store))
            say("measuring the dashboard ...")
            figures.update(measure_dashboard(store))
            say("measuring search ...")
            figures.update(measure_search(store))
            say("measuring the contact panel and merges ...")
            figures.update(measure_contacts(store))
            say("measuring the list's search and saved search counts ...")
            figures.update(measure_list_search(store))
            ratio = search_index_ratio(store)
            if ratio is not None:
                figures["index_size_ratio"] = ratio
        finally:
            store.close()
        say("measuring the department classifier ...")
        from console.routing.evaluate import bench as routing_bench

        figures.update({k: round(v, 2) for k, v in routing_bench().items()})
        figures.update(measure_routing_rules())
        say("measuring ingest through a local channel server ...")
        figures["ingest_msgs_per_s"] = round(measure_ingest())
        if measure_ui:
            say("measuring cold start to first paint ...")
            figures["first_paint_ms"] = round(measure_first_paint(data_dir), 1)
        figures["peak_rss_mb"] = _peak_rss_mb()
    return figures


TARGETS = {
    "learn_ms": 50,
    "first_paint_ms": 1500,
    "queue_query_p95_ms": 20,
    "open_conversation_p95_ms": 30,
    "service_call_p95_ms": 10,
    "search_p95_ms": 50,
    "contact_panel_p95_ms": 3,
    "peak_rss_mb": 400,
    "dashboard_ms": 200,
}


def format_table(figures: dict[str, Any]) -> str:
    """The figures as an aligned table with targets."""
    lines = [f"{'figure':<28}{'value':>14}{'target':>10}"]
    for key, value in figures.items():
        target = TARGETS.get(key)
        mark = "" if target is None else ("  ok" if value <= target else "  OVER")
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
        lines.append(f"{key:<28}{shown:>14}{'' if target is None else f'≤ {target}':>10}{mark}")
    return "\n".join(lines)
