"""Connecting a store to the demo: local API servers, accounts, staff, and earlier triage.

``sotong demo`` runs the real connectors wherever Sotong has one: Facebook and Instagram
talk to a local Graph API server, X to a local X API server, Telegram to a local Bot API
server. Channels with no polling API of their own yet (KakaoTalk, Naver TalkTalk, SMS, the
web form) and e-mail (whose real server, IMAP, a clinic PC does not have) are served by the
demo channel server. All of them listen on 127.0.0.1 only and stop with the session.

The first time a store meets the demo, the conversations the corpus marks with a department
are tagged, some assigned, labelled or resolved, through the ordinary services, as if the
staff had done it; conversations without one are routed as they arrive (when the app gives
a triage) or stay Untriaged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from console import services
from console.channels.base import Channel
from console.channels.demo import DemoChannel
from console.channels.registry import build_channel
from console.demo.graph_server import GraphServer, load_demo_graph
from console.demo.server import CHANNELS, DemoServer, corpus, load_demo_data
from console.demo.telegram_server import TelegramServer, load_telegram_data
from console.demo.x_server import CLINIC_ID, XServer, load_x_data
from console.domain import Role, Status
from console.ids import new_id
from console.routing.triage import Triage
from console.runtime import Runtime
from console.store.engine import Store
from console.store.models import ChannelAccount, Contact, Conversation, Operator

DEMO_STAFF: tuple[tuple[str, Role, tuple[str, ...]], ...] = (
    ("김지현", Role.FRONT_DESK, ("general",)),
    ("박서연", Role.COORDINATOR, ("plastic",)),
    ("이하늘", Role.COORDINATOR, ("derm",)),
    ("최민준", Role.COORDINATOR, ("dental",)),
    ("정유나", Role.COORDINATOR, ("obesity",)),
    ("한도윤", Role.MANAGER, ("plastic", "dental", "derm", "obesity", "general")),
)

LABELS_BY_DEPT = {
    "plastic": ("상담예약", "가격문의", "재수술"),
    "dental": ("상담예약", "가격문의", "통증"),
    "derm": ("이벤트", "가격문의", "상담예약"),
    "obesity": ("처방문의", "가격문의"),
    "general": ("주차", "서류", "불만"),
}

#: Channels the demo channel server serves; the rest have real connectors and local servers.
DEMO_CONNECTOR_CHANNELS = ("kakaotalk", "naver_talktalk", "sms", "email", "webform")
TELEGRAM_NAME = "소통의원 텔레그램 봇"
#: The demo clinic's branch name (fills {지점} in canned responses).
DEMO_BRANCH = "강남점"


@dataclass(frozen=True)
class _Account:
    kind: str
    connector: str
    name: str
    config: dict[str, Any]
    token: str = field(repr=False)  # never in a log or a traceback


@dataclass
class DemoSession:
    """The running local servers, with the store's accounts pointing at them."""

    servers: list[Any]
    runtime: Runtime
    operator_id: str
    specs: dict[str, _Account]  # account id -> how to connect it

    def channel_for(self, account_id: str) -> Channel | None:
        """A fresh connector for one of the demo's accounts (None for any other account)."""
        spec = self.specs.get(account_id)
        return None if spec is None else _connect(spec)

    @property
    def server(self) -> DemoServer:
        """The demo channel server."""
        found: DemoServer = next(s for s in self.servers if isinstance(s, DemoServer))
        return found

    def stop(self) -> None:
        """Close the connectors and stop every server."""
        self.runtime.close()
        for server in reversed(self.servers):
            server.stop()


def _ensure_staff(store: Store) -> str:
    """Create the demo staff if missing; return the front-desk operator's id."""
    now = time.time_ns() // 1_000_000
    with store.write() as s:
        existing = {o.name: o.id for o in s.scalars(select(Operator))}
        for name, role, depts in DEMO_STAFF:
            if name not in existing:
                existing[name] = new_id()
                s.add(
                    Operator(
                        id=existing[name],
                        name=name,
                        role=role.value,
                        departments=list(depts),
                        on_duty=True,
                        created_at=now,
                    )
                )
    return existing[DEMO_STAFF[0][0]]


def _epoch(store: Store) -> int:
    """When this store first met the demo (ms): the servers' history is dated from it, so a
    restarted demo serves the same messages with the same ids, and nothing is fetched twice."""
    with store.read() as s:
        for config in s.scalars(
            select(ChannelAccount.config).where(ChannelAccount.external_id.like("demo:%"))
        ):
            if isinstance(config, dict) and isinstance(config.get("epoch_ms"), int):
                return int(config["epoch_ms"])
    return time.time_ns() // 1_000_000


def _ensure_accounts(
    store: Store, specs: list[_Account], epoch: int
) -> tuple[dict[str, str], bool]:
    """Point (creating on first use) one account per demo channel at its local server.

    Returns:
        channel kind -> account id, and whether the accounts were just created.
    """
    now = time.time_ns() // 1_000_000
    ids: dict[str, str] = {}
    created = False
    with store.write() as s:
        rows = {
            a.external_id: a
            for a in s.scalars(
                select(ChannelAccount).where(ChannelAccount.external_id.like("demo:%"))
            )
        }
        for spec in specs:
            account = rows.get(f"demo:{spec.kind}")
            if account is None:
                account = ChannelAccount(
                    id=new_id(),
                    kind=spec.kind,
                    external_id=f"demo:{spec.kind}",
                    display_name=spec.name,
                    secret_ref=None,
                    enabled=True,
                    created_at=now,
                )
                s.add(account)
                created = True
            # The token lives only in this session's memory: the demo needs no keyring.
            account.connector = spec.connector
            account.config = {**spec.config, "demo": True, "epoch_ms": epoch}
            ids[spec.kind] = account.id
    return ids, created


def seed_triage(store: Store, accounts: dict[str, str], rng: random.Random) -> None:
    """Replay the clinic's earlier triage of the corpus through the services."""
    staff = _staff_ids(store)
    by_dept = {
        d: [staff[n] for n, _r, ds in DEMO_STAFF if d in ds and n in staff] for d in LABELS_BY_DEPT
    }
    with store.read() as s:
        rows = s.execute(
            select(
                Conversation.account_id,
                Contact.display_name,
                Conversation.id,
                Conversation.waiting_since,
            ).join(Contact, Contact.id == Conversation.contact_id)
        ).all()
    convs = {(a, name): (cid, waiting) for a, name, cid, waiting in rows}
    desk = services.Actor(staff.get("김지현"))
    # The manager shares the work out: a corpus contact may come back, and handing a
    # conversation on from a colleague is not front-desk work (Permission.REASSIGN).
    manager = services.Actor(staff.get("한도윤"))
    for item in corpus():
        dept = item.get("department")
        key = (accounts.get(item["channel"], ""), item["contact"])
        if key not in convs or not dept:
            continue
        cid, waiting = convs[key]
        services.tag_department(store, desk, cid, dept)
        roll = rng.random()
        if roll < 0.55 and by_dept.get(dept):
            services.assign(store, manager, cid, rng.choice(by_dept[dept]))
        if rng.random() < 0.35:
            services.add_label(store, desk, cid, rng.choice(LABELS_BY_DEPT[dept]))
        last_minutes = item["messages"][-1]["minutes_ago"]
        if waiting is None and last_minutes > 60 * 24 * 3:
            services.set_status(store, desk, cid, Status.RESOLVED.value)
        elif waiting is None and roll > 0.8:
            services.set_status(store, desk, cid, Status.PENDING.value)
        if waiting is None or roll > 0.3:
            services.mark_read(store, desk, cid)


def _staff_ids(store: Store) -> dict[str, str]:
    with store.read() as s:
        return {o.name: o.id for o in s.scalars(select(Operator))}


def _deliverer(graph: GraphServer, x: XServer) -> Callable[[dict[str, Any]], bool]:
    """Live arrivals for the channels that have their own local API server."""

    def deliver(item: dict[str, Any]) -> bool:
        channel = item["channel"]
        if channel in ("facebook", "instagram"):
            platform = "messenger" if channel == "facebook" else "instagram"
            conv = graph.data.add_conversation(platform, item["handle"], item["contact"])
            graph.data.add_message(conv.id, item["text"])
            return True
        if channel == "x":
            x.data.dm_in(str(item["handle"]).removeprefix("x_"), item["text"], item["contact"])
            return True
        return False

    return deliver


def start_demo(
    store: Store,
    interval_s: float = 6.0,
    seed: int | None = None,
    triage: Triage | None = None,
) -> DemoSession:
    """Start the local servers, connect the store's demo accounts and fetch the history.

    The first fetch runs here (a few hundred conversations), so the window opens on a full
    inbox.
    """
    servers: list[Any] = []
    epoch = _epoch(store)
    try:
        graph = GraphServer(load_demo_graph(now=epoch / 1000))
        x = XServer(load_x_data(now_ms=epoch))
        telegram = TelegramServer(load_telegram_data(now_s=epoch // 1000))
        demo = DemoServer(
            data=load_demo_data(now_ms=epoch, channels=DEMO_CONNECTOR_CHANNELS),
            interval_s=interval_s,
            seed=seed,
            channels=DEMO_CONNECTOR_CHANNELS,
            deliver=_deliverer(graph, x),
        )
        for server in (graph, x, telegram, demo):
            server.start()
            servers.append(server)
        page, ig = graph.data.page_id, graph.data.ig_user_id
        specs = [
            _Account(
                kind,
                "demo",
                CHANNELS[kind],
                {"base_url": demo.base_url, "channel": kind},
                demo.token,
            )
            for kind in DEMO_CONNECTOR_CHANNELS
        ] + [
            _Account(
                "facebook",
                "facebook",
                CHANNELS["facebook"],
                {
                    "page_id": page,
                    "graph_url": graph.base_url,
                    "backfill_days": 60,
                    "requests_per_s": 50,
                },
                graph.token,
            ),
            _Account(
                "instagram",
                "instagram",
                CHANNELS["instagram"],
                {
                    "page_id": page,
                    "ig_user_id": ig,
                    "graph_url": graph.base_url,
                    "backfill_days": 60,
                    "requests_per_s": 50,  # the local server; Meta's own limit is 2/s
                },
                graph.token,
            ),
            _Account(
                "x",
                "x",
                CHANNELS["x"],
                {
                    "user_id": CLINIC_ID,
                    "base_url": x.base_url,
                    "backfill_pages": 10,
                    "poll_interval_s": 10,
                },
                x.token,
            ),
            _Account(
                "telegram",
                "telegram",
                TELEGRAM_NAME,
                {"base_url": telegram.base_url},
                telegram.token,
            ),
        ]
        operator_id = _ensure_staff(store)
        accounts, created = _ensure_accounts(store, specs, epoch)
        by_id = {accounts[spec.kind]: spec for spec in specs}
        channels = {account_id: _connect(spec) for account_id, spec in by_id.items()}
        runtime = Runtime(store, channels, triage=triage)
        runtime.recover_interrupted()
        runtime.poll_once()
        if created:
            seed_triage(store, accounts, random.Random(seed if seed is not None else 7))
            # The demo clinic's branch, so canned responses read as they would in a clinic.
            services.set_branch_name(store, services.Actor(None), DEMO_BRANCH)
    except BaseException:
        for server in reversed(servers):
            server.stop()
        raise
    return DemoSession(servers, runtime, operator_id, by_id)


def _connect(spec: _Account) -> Channel:
    if spec.connector == "demo":
        return DemoChannel(str(spec.config["base_url"]), spec.kind, spec.token)
    return build_channel(spec.connector, spec.config, spec.token)
