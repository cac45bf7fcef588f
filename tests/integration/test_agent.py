"""``sotong agent`` processes against a real PostgreSQL server and real channel servers.

Each agent is a ``sotong agent`` process of its own (its own data folder, so its own
"machine"), started and stopped by PID; it reads the server's and the channels' secrets from
a keyring (a file-backed test keyring, through ``console.secrets``). The local demo channel
(which deduplicates by reply id) and the local Telegram server (which does not) record what
they were sent, so "sent once" is counted where it counts: at the channel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import URL, func, make_url, select

from console import services
from console.demo.server import DemoData, DemoServer, thread_id_for
from console.demo.telegram_server import TelegramServer
from console.settings import ServerSettings, save_server_settings
from console.store import Store
from console.store.models import Conversation, Message, Outbox
from console.store.server import open_server_store
from console.sync.leader import current_leader
from tests.conftest import MemoryKeyring
from tests.helpers.filekeyring import write_keyring
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]


@dataclass
class Agent:
    """One ``sotong agent`` process."""

    proc: subprocess.Popen[bytes]
    data_dir: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        path = self.data_dir / "agent.log"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        return text + (self.data_dir / "stderr.txt").read_text(encoding="utf-8")

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.proc.pid, sig)

    def wait(self, timeout: float = 20) -> int:
        return self.proc.wait(timeout=timeout)


@dataclass
class Clinic:
    """The server store, its URL without the password, and the channel servers."""

    store: Store
    url: str
    password: str
    demo: DemoServer
    telegram: TelegramServer
    kakao: str  # account ids
    tg: str
    keyring_file: Path
    tmp: Path
    agents: list[Agent]

    def start(self, name: str, *extra: str, failpoint: str = "", url: bool = True) -> Agent:
        data_dir = self.tmp / name
        data_dir.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PYTHON_KEYRING_BACKEND": "tests.helpers.filekeyring.FileKeyring",
            "SOTONG_TEST_KEYRING": str(self.keyring_file),
            "SOTONG_FAILPOINT": failpoint,
        }
        with (data_dir / "stderr.txt").open("wb") as err:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "console.cli",
                    "agent",
                    *(["--server-url", self.url] if url else []),
                    "--data-dir",
                    str(data_dir),
                    "--poll-interval",
                    "0.3",
                    "--standby-retry",
                    "0.3",
                    *extra,
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        agent = Agent(proc, data_dir)
        self.agents.append(agent)
        return agent

    def leader_pid(self) -> int | None:
        info = current_leader(self.store)
        return None if info is None else info.pid

    def outbox(self, reply_id: str) -> Outbox:
        with self.store.read() as s:
            row = s.get(Outbox, reply_id)
        assert row is not None
        return row

    def messages(self) -> int:
        with self.store.read() as s:
            return int(s.scalar(select(func.count()).select_from(Message)) or 0)

    def conversation(self, thread: str) -> str | None:
        with self.store.read() as s:
            return s.scalar(
                select(Conversation.id).where(Conversation.external_thread_id == thread)
            )

    def demo_sent(self) -> list[str]:
        return [m.text for m in self.demo.data.messages if m.direction == "out"]

    def telegram_sent(self) -> list[str]:
        return [str(m["text"]) for m in self.telegram.data.sent]


def _demo_data() -> DemoData:
    data = DemoData()
    t = int(time.time() * 1000) - 3_600_000
    for i in range(3):
        data.add("kakaotalk", f"kakao_{i}", f"고객{i}", "in", f"문의 {i}: 보톡스 가격?", t + i)
    data.incoming = [
        {"channel": "kakaotalk", "handle": "kakao_new", "contact": "새고객", "text": "주차 되나요?"}
    ]
    return data


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Clinic]:
    store = open_server_store(pg_url)
    actor = services.Actor(None)
    with DemoServer(interval_s=0, data=_demo_data()) as demo, TelegramServer() as telegram:
        kakao = services.add_account(
            store,
            actor,
            kind="kakaotalk",
            connector="demo",
            external_id="kakao:clinic",
            display_name="소통의원 카카오톡 채널",
            config={"base_url": demo.base_url, "channel": "kakaotalk"},
            secret=demo.token,
        )
        tg = services.add_account(
            store,
            actor,
            kind="telegram",
            connector="telegram",
            external_id="sotong_bot",
            display_name="소통의원 텔레그램",
            config={"base_url": telegram.base_url, "timeout_s": "5"},
            secret=telegram.token,
        )
        password = pg_url.password
        assert isinstance(password, str)
        keyring_file = tmp_path / "keyring.json"
        write_keyring(
            keyring_file, {**memory_keyring.secrets, ("sotong", "clinic-server"): password}
        )
        clinic = Clinic(
            store,
            pg_url.set(password=None).render_as_string(hide_password=False),
            password,
            demo,
            telegram,
            kakao,
            tg,
            keyring_file,
            tmp_path,
            [],
        )
        try:
            yield clinic
        finally:
            for agent in clinic.agents:
                if agent.proc.poll() is None:
                    agent.signal(signal.SIGCONT)
                    agent.proc.kill()
                    agent.proc.wait(timeout=10)
            store.close()


def _until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait for ``condition``; returns the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if condition():
            return time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _polled(clinic: Clinic) -> None:
    """Wait until the leader has fetched both channels' history."""
    _until(
        lambda: (
            clinic.conversation(thread_id_for("kakaotalk", "kakao_0")) is not None
            and clinic.conversation("5034567890") is not None
        ),
        30,
        "the first poll",
    )


def _reply(clinic: Clinic, thread: str, text: str) -> str:
    cid = clinic.conversation(thread)
    assert cid is not None
    return services.queue_reply(clinic.store, services.Actor(None), cid, text)


def test_a_killed_leader_is_replaced_within_30_s_and_work_goes_on(clinic: Clinic) -> None:
    first = clinic.start("pc-a")
    _until(lambda: clinic.leader_pid() == first.pid, 30, "the first agent to lead")
    _polled(clinic)
    second = clinic.start("pc-b")
    time.sleep(1.5)
    assert clinic.leader_pid() == first.pid  # the second stands by

    first.signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL
    took = _until(lambda: clinic.leader_pid() == second.pid, 30, "the second agent to lead")
    assert took < 30

    before = clinic.messages()
    clinic.demo.arrive()
    _until(lambda: clinic.messages() == before + 1, 20, "the new message to be fetched")
    rid = _reply(clinic, thread_id_for("kakaotalk", "kakao_1"), "네, 주차 가능합니다")
    _until(lambda: clinic.outbox(rid).state == "sent", 20, "the reply to be sent")
    assert clinic.demo_sent() == ["네, 주차 가능합니다"]
    assert clinic.outbox(rid).claimed_by == f"{os.uname().nodename}:{second.pid}"

    second.signal(signal.SIGTERM)
    assert second.wait() == 0


def test_sigterm_stops_cleanly_and_hands_the_lock_over_at_once(clinic: Clinic) -> None:
    first = clinic.start("pc-a")
    _until(lambda: clinic.leader_pid() == first.pid, 30, "the first agent to lead")
    _polled(clinic)
    second = clinic.start("pc-b")
    time.sleep(1.0)
    assert clinic.leader_pid() == first.pid

    first.signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    took = _until(lambda: clinic.leader_pid() == second.pid, 10, "the standby to lead")
    assert took < 2  # no waiting for a timeout: the lock was given back
    log = first.log()
    assert "signal SIGTERM: stopping" in log
    assert "leader lock released" in log and "agent stopped" in log
    assert (first.data_dir / "agent.log").exists()
    for agent in (first, second):
        assert clinic.password not in agent.log()

    second.signal(signal.SIGINT)
    assert second.wait(timeout=15) == 0
    assert clinic.leader_pid() is None


@pytest.mark.parametrize(
    ("failpoint", "channel", "expected"),
    [
        ("send_answered", "demo", "sent"),
        ("send_claimed", "demo", "sent"),
        ("send_answered", "telegram", "unknown"),
        ("send_claimed", "telegram", "unknown"),
    ],
)
def test_a_leader_killed_mid_send_never_sends_twice(
    clinic: Clinic, failpoint: str, channel: str, expected: str
) -> None:
    dying = clinic.start("pc-a", failpoint=failpoint)
    _until(lambda: clinic.leader_pid() == dying.pid, 30, "the agent to lead")
    _polled(clinic)
    thread = thread_id_for("kakaotalk", "kakao_2") if channel == "demo" else "5034567890"
    rid = _reply(clinic, thread, "Yes, we do! 예약 도와드릴게요")
    assert dying.wait(timeout=30) == -signal.SIGKILL
    interrupted = clinic.outbox(rid)
    assert interrupted.state == "sending"
    sent = clinic.demo_sent if channel == "demo" else clinic.telegram_sent
    assert len(sent()) == (1 if failpoint == "send_answered" else 0)

    taking_over = clinic.start("pc-b")
    _until(lambda: clinic.outbox(rid).state == expected, 30, f"the reply to be {expected}")
    time.sleep(1.0)  # a few more rounds: nothing is sent again
    row = clinic.outbox(rid)
    assert row.state == expected
    if channel == "demo":
        # The channel recognises the reply id: sent exactly once, whoever sent it.
        assert sent() == ["Yes, we do! 예약 도와드릴게요"]
        assert row.leader_epoch == 2
    else:
        # It cannot: at most once, and a person is asked to check.
        assert len(sent()) == (1 if failpoint == "send_answered" else 0)
        assert row.error == "interrupted"
    taking_over.signal(signal.SIGTERM)
    assert taking_over.wait() == 0


def test_a_paused_leader_is_replaced_and_stands_down_when_it_resumes(clinic: Clinic) -> None:
    first = clinic.start("pc-a", "--stale-after", "5")
    _until(lambda: clinic.leader_pid() == first.pid, 30, "the first agent to lead")
    _polled(clinic)
    second = clinic.start("pc-b", "--stale-after", "5")
    time.sleep(1.0)
    assert clinic.leader_pid() == first.pid

    first.signal(signal.SIGSTOP)  # frozen, but its machine still answers TCP
    _until(lambda: clinic.leader_pid() == second.pid, 30, "the standby to replace it")
    rid = _reply(clinic, thread_id_for("kakaotalk", "kakao_0"), "내일 오전 10시 가능합니다")
    _until(lambda: clinic.outbox(rid).state == "sent", 20, "the new leader to send")

    first.signal(signal.SIGCONT)
    _until(lambda: "no longer lead" in first.log(), 20, "the old leader to stand down")
    time.sleep(2.0)
    assert first.proc.poll() is None  # it stands by, it does not crash
    assert clinic.leader_pid() == second.pid
    assert clinic.demo_sent() == ["내일 오전 10시 가능합니다"]
    for agent in (first, second):
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


def test_two_agents_started_together_send_each_reply_once(clinic: Clinic) -> None:
    # Make the conversations exist first, through one agent that then stops.
    warmup = clinic.start("pc-0")
    _until(lambda: clinic.leader_pid() == warmup.pid, 30, "the agent to lead")
    _polled(clinic)
    warmup.signal(signal.SIGTERM)
    assert warmup.wait() == 0
    texts = [f"답변 {i}" for i in range(8)]
    chats = ["5012345678", "5023456789", "5034567890", "5045678901"]
    rids = [_reply(clinic, chats[i % 4], body) for i, body in enumerate(texts)]

    agents = [clinic.start("pc-a"), clinic.start("pc-b")]
    _until(
        lambda: all(clinic.outbox(r).state == "sent" for r in rids), 30, "every reply to be sent"
    )
    time.sleep(1.0)
    assert sorted(clinic.telegram_sent()) == sorted(texts)
    holders = {clinic.outbox(r).claimed_by for r in rids}
    assert len(holders) == 1  # one leader sent them all
    for agent in agents:
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


def test_without_a_url_the_agent_uses_the_server_settings(clinic: Clinic) -> None:
    server = make_url(clinic.url)
    data_dir = clinic.tmp / "server-box"
    save_server_settings(
        data_dir,
        ServerSettings(
            enabled=True,
            host=str(server.host),
            port=int(server.port or 5432),
            database=str(server.database),
            user=str(server.username),
            tls="disable",
        ),
    )
    agent = clinic.start("server-box", url=False)
    _until(lambda: clinic.leader_pid() == agent.pid, 30, "the agent to lead")
    _polled(clinic)
    assert clinic.password not in agent.log()
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0


def test_the_agent_hands_out_when_a_pc_puts_someone_on_duty(clinic: Clinic) -> None:
    from console.domain import AssignMode, Role
    from console.store.engine import open_store
    from console.store.models import AuditEvent
    from console.sync.engine import SyncEngine
    from tests.helpers.factory import add_conversation, add_operator

    store, system = clinic.store, services.Actor(None)
    minji = add_operator(store, "김민지", Role.COORDINATOR, ("derm",))
    services.set_on_duty(store, system, minji, False)
    services.set_assignment_mode(store, system, "derm", AssignMode.ROUND_ROBIN)
    waiting = [
        add_conversation(store, clinic.kakao, [("in", f"여드름 흉터 문의 {n}")], handle=f"acne{n}")
        for n in range(2)
    ]
    for cid in waiting:
        services.tag_department(store, system, cid, "derm")

    def assignees() -> list[str | None]:
        with store.read() as s:
            rows = s.scalars(select(Conversation.assignee_id).where(Conversation.id.in_(waiting)))
            return list(rows)

    def looked() -> bool:
        with store.read() as s:
            return (
                s.scalar(select(AuditEvent.id).where(AuditEvent.action == "duty_seen")) is not None
            )

    agent = clinic.start("agent")
    _until(lambda: clinic.leader_pid() == agent.pid, 30, "the agent to lead")
    _until(looked, 30, "the agent's first look at who is on duty")

    # A front-desk PC marks 김민지 on duty; with a server it hands nothing out itself.
    pc_server = open_server_store(clinic.url, password=clinic.password)
    local = open_store(clinic.tmp / "front-desk")
    engine = SyncEngine(local, pc_server)
    try:
        engine.sync_once()
        services.set_on_duty(local, system, minji, True, hand_out=False)
        engine.sync_once()
        _until(lambda: assignees() == [minji, minji], 20, "the agent to hand them out")
        engine.sync_once()
        with local.read() as s:
            assert s.get(Conversation, waiting[0]).assignee_id == minji  # type: ignore[union-attr]
    finally:
        engine.close()
        local.close()
        pc_server.close()

    # Once per change: a conversation let go of stays unassigned over later rounds.
    services.assign(store, system, waiting[0], None)
    time.sleep(2.0)  # several polling rounds
    assert assignees()[0] is None
    assert "staff came on duty: handed out" in agent.log()
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0
