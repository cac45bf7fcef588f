"""Every process that writes to the clinic server has a node id of its own (a real
PostgreSQL): the agent and each PC that leads stamp their writes with different, stable ids,
and the clock row they share only moves forward."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import URL, text

from console import services
from console.agent import Agent, agent_node
from console.hlc import Stamp
from console.store import open_store
from console.store.models import AuditEvent, Conversation
from console.store.server import node_for, open_server_store
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401

pytestmark = pytest.mark.slow


def test_each_process_stamps_its_writes_with_its_own_stable_node(
    pg_url: URL, tmp_path: Path
) -> None:
    pc = open_store(tmp_path / "pc")
    agent = Agent(pg_url, data_dir=tmp_path / "agent")
    other_agent = Agent(pg_url, data_dir=tmp_path / "agent-2")
    desk = open_server_store(pg_url, node_id=node_for("pc", pc.node_id))
    try:
        server = agent._open_store()  # as the agent opens it
        assert server.node_id == agent.node_id == agent_node(tmp_path / "agent")
        assert Agent(pg_url, data_dir=tmp_path / "agent").node_id == agent.node_id  # stable
        ids = {server.node_id, other_agent.node_id, desk.node_id, pc.node_id}
        assert len(ids) == 4  # nobody shares one, not even a PC with its own server writes

        account = add_account(server)
        operator = add_operator(server)
        cid = add_conversation(server, account, [("in", "예약 변경 가능할까요?")])
        actor = services.Actor(operator)
        services.set_status(server, actor, cid, "pending")
        with server.read() as s:
            conv = s.get(Conversation, cid)
            assert conv is not None and Stamp.parse(conv.status_hlc).node == agent.node_id
        services.set_status(desk, actor, cid, "resolved")
        with desk.read() as s:
            conv = s.get(Conversation, cid)
            assert conv is not None and Stamp.parse(conv.status_hlc).node == desk.node_id
            nodes = set(s.scalars(text("SELECT DISTINCT node FROM audit_event")).all())
            assert {agent.node_id, desk.node_id} <= nodes
            assert s.query(AuditEvent).count() >= 2
    finally:
        desk.close()
        agent.leader.close()
        if agent._store is not None:
            agent._store.close()
        pc.close()


def test_the_shared_clock_row_only_moves_forward(pg_url: URL) -> None:
    ahead = open_server_store(pg_url, node_id=node_for("pc", "ahead"))
    behind = open_server_store(pg_url, node_id=node_for("pc", "behind"))
    try:
        account = add_account(ahead)
        operator = add_operator(ahead)
        cid = add_conversation(ahead, account, [("in", "주차 가능한가요?")])
        actor = services.Actor(operator)
        # One process has seen a stamp ten minutes ahead; the other has not.
        later = time.time_ns() // 1_000_000 + 600_000
        ahead.clock.observe(Stamp(later, 0, "elsewhere"))
        services.set_priority(ahead, actor, cid, 2)
        with ahead.read() as s:
            high = s.scalar(text("SELECT hlc FROM sync_state WHERE id = 1"))
        assert Stamp.parse(high).wall_ms == later
        services.set_priority(behind, actor, cid, 3)
        with behind.read() as s:
            assert s.scalar(text("SELECT hlc FROM sync_state WHERE id = 1")) == high
        # A process opened afterwards starts after every stamp issued so far.
        fresh = open_server_store(pg_url, node_id=node_for("pc", "fresh"))
        try:
            assert fresh.clock.now() > Stamp.parse(high)
        finally:
            fresh.close()
    finally:
        ahead.close()
        behind.close()
