"""Connecting a store to the demo server: accounts, staff, and the clinic's earlier triage.

The first time a store meets the demo, the conversations the corpus marks with a department
are tagged, some assigned, labelled or resolved, through the ordinary services, as if the
staff had done it; conversations without one stay Untriaged.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from sqlalchemy import select

from console import services
from console.channels.demo import DemoChannel
from console.demo.server import CHANNELS, DemoServer, corpus, thread_id_for
from console.domain import Role, Status
from console.ids import new_id
from console.runtime import Runtime
from console.store.engine import Store
from console.store.models import ChannelAccount, Conversation, Operator

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


@dataclass
class DemoSession:
    """A running demo server with the store's accounts pointing at it."""

    server: DemoServer
    runtime: Runtime
    operator_id: str

    def stop(self) -> None:
        """Close the connectors and stop the server."""
        self.runtime.close()
        self.server.stop()


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


def _ensure_accounts(store: Store, base_url: str) -> tuple[dict[str, str], bool]:
    """Point (creating on first use) one account per demo channel at ``base_url``.

    Returns:
        channel -> account id, and whether the accounts were just created.
    """
    now = time.time_ns() // 1_000_000
    ids: dict[str, str] = {}
    created = False
    with store.write() as s:
        rows = {
            a.external_id: a
            for a in s.scalars(select(ChannelAccount).where(ChannelAccount.connector == "demo"))
        }
        for channel, name in CHANNELS.items():
            account = rows.get(f"demo:{channel}")
            if account is None:
                account = ChannelAccount(
                    id=new_id(),
                    kind=channel,
                    connector="demo",
                    external_id=f"demo:{channel}",
                    display_name=name,
                    config={},
                    secret_ref=None,
                    enabled=True,
                    created_at=now,
                )
                s.add(account)
                created = True
            account.config = {"base_url": base_url, "channel": channel}
            ids[channel] = account.id
    return ids, created


def seed_triage(store: Store, accounts: dict[str, str], rng: random.Random) -> None:
    """Replay the clinic's earlier triage of the corpus through the services."""
    staff = {name: oid for name, oid in _staff_ids(store).items()}
    by_dept = {
        d: [staff[n] for n, _r, ds in DEMO_STAFF if d in ds and n in staff] for d in LABELS_BY_DEPT
    }
    with store.read() as s:
        convs = {
            (c.account_id, c.external_thread_id): (c.id, c.waiting_since)
            for c in s.scalars(select(Conversation))
        }
    for item in corpus():
        dept = item.get("department")
        key = (accounts[item["channel"]], thread_id_for(item["channel"], item["handle"]))
        if key not in convs or not dept:
            continue
        cid, waiting = convs[key]
        desk = services.Actor(staff.get("김지현"))
        services.tag_department(store, desk, cid, dept)
        roll = rng.random()
        if roll < 0.55 and by_dept.get(dept):
            services.assign(store, desk, cid, rng.choice(by_dept[dept]))
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


def start_demo(store: Store, interval_s: float = 6.0, seed: int | None = None) -> DemoSession:
    """Start the demo server, connect the store's demo accounts and fetch the history.

    The first fetch runs here (a few hundred conversations: well under a second), so the
    window opens on a full inbox.
    """
    server = DemoServer(interval_s=interval_s, seed=seed).start()
    try:
        operator_id = _ensure_staff(store)
        accounts, created = _ensure_accounts(store, server.base_url)
        channels = {
            account_id: DemoChannel(server.base_url, channel, server.token)
            for channel, account_id in accounts.items()
        }
        runtime = Runtime(store, channels)
        runtime.recover_interrupted()
        runtime.poll_once()
        if created:
            seed_triage(store, accounts, random.Random(seed if seed is not None else 7))
    except BaseException:
        server.stop()
        raise
    return DemoSession(server, runtime, operator_id)
