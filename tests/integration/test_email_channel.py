"""The e-mail connector against a real dovecot (IMAP) and a real aiosmtpd (SMTP) on 127.0.0.1.

Korean mail is written here as raw bytes the way real mailers write it (EUC-KR/CP949,
ISO-2022-KR, RFC 2047 words, quoted-printable, base64, HTML-only, attachments), delivered with
IMAP APPEND and read back through ``EmailChannel.fetch``.
"""

from __future__ import annotations

import base64
import email
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Protocol

import pytest
from sqlalchemy import func, select

from console.channels.base import (
    AuthExpired,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    Rejected,
    Transient,
)
from console.channels.email import EmailChannel, InvalidEmailConfig
from console.ingest import ingest
from console.store import Store, open_memory_store
from console.store.models import Conversation, Message
from tests.helpers.factory import add_account
from tests.helpers.mailservers import (  # noqa: F401 - fixtures
    Dovecot,
    MailUser,
    SmtpServer,
    dovecot_fixture,
    fresh_dovecot_fixture,
    smtp_server_fixture,
)

pytestmark = [
    pytest.mark.slow,
    # aiosmtpd 1.4 warns about its own legacy attribute on every successful AUTH.
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

CUSTOMER = "minji.kim@example.com"


def b_word(text: str, charset: str = "EUC-KR") -> str:
    """An RFC 2047 B-encoded word, with CP949 bytes for EUC-KR as Korean mailers send."""
    codec = "cp949" if charset.upper() == "EUC-KR" else charset
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def mail(
    body: bytes,
    *,
    subject: str = "문의",
    headers: str = "",
    content: str = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit",
    sender: str = f"{CUSTOMER}",
    message_id: str | None = "auto",
    date: str = "Tue, 05 Mar 2024 14:13:00 +0900",
) -> bytes:
    """A raw RFC 5322 message (headers ASCII unless the caller encodes otherwise)."""
    mid = f"<{time.monotonic_ns()}.{id(body)}@example.com>" if message_id == "auto" else message_id
    lines = [
        f"From: {sender}",
        "To: =?UTF-8?B?7IaM7Ya1IOydmOybkA==?= <clinic@sotong.test>",
        f"Subject: {subject if subject.isascii() else b_word(subject, 'UTF-8')}",
        f"Date: {date}",
        "MIME-Version: 1.0",
    ]
    if mid:
        lines.append(f"Message-ID: {mid}")
    if headers:
        lines.append(headers)
    lines.append(content)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- samples -------------------------------------------------------------------------------

EUCKR_TEXT = "안녕하세요. 똠얌꿍 먹고 붓기가 심해요, 뷁. 쌍꺼풀 수술 상담 받고 싶습니다."
EUCKR = mail(
    EUCKR_TEXT.encode("cp949") + b"\r\n",
    subject="ignored",
    sender=f"{b_word('김똠희')} <MinJi.Kim@Example.com>",
    message_id="<euckr-1@example.com>",
    content="Content-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: 8bit",
).replace(b"Subject: ignored", f"Subject: {b_word('쌍꺼풀 상담 문의 똠')}".encode())

ISO2022 = mail(
    "치과 스케일링 예약 가능한가요?\r\n".encode("iso2022_kr"),
    subject="치과 예약",
    sender="lee@example.org",
    content="Content-Type: text/plain; charset=ISO-2022-KR\r\nContent-Transfer-Encoding: 7bit",
)

QP = mail(
    b"=EC=97=AC=EB=93=9C=EB=A6=84 =ED=9D=89=ED=84=B0 =EB=A0=88=EC=9D=B4=EC=A0=80 =\r\n"
    b"=EA=B0=80=EA=B2=A9 =EB=AC=B8=EC=9D=98=EB=93=9C=EB=A0=A4=EC=9A=94.\r\n",
    subject="unused",
    sender="=?UTF-8?Q?=EB=B0=95=EC=84=9C=EC=97=B0?= <park@example.net>",
    content="Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: quoted-printable",
).replace(
    b"Subject: unused",
    b"Subject: =?UTF-8?Q?=ED=94=BC=EB=B6=80=EA=B3=BC_=EB=AC=B8=EC=9D=98?=",
)

B64 = mail(
    base64.encodebytes("비만클리닉 상담 시간이 궁금합니다.\n토요일도 하나요?".encode()),
    subject="비만클리닉",
    sender="choi@example.com",
    content="Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64",
)


def html_only(pixel_port: int) -> bytes:
    html = (
        "<html><head><style>p { color: red }</style>"
        "<script>alert('해킹'); fetch('http://127.0.0.1/steal')</script></head>"
        "<body><p>피부과 &amp; 레이저 토닝 문의입니다.</p>"
        f'<img src="http://127.0.0.1:{pixel_port}/pixel.gif" width="1" height="1">'
        "<div>가격이 어떻게 되나요?<br>감사합니다 &lt;3</div></body></html>"
    )
    return mail(
        html.encode("utf-8"),
        subject="HTML",
        sender="jung@example.com",
        content="Content-Type: text/html; charset=utf-8",
    )


def attached(photo_bytes: int = 1000) -> bytes:
    """multipart/mixed: text (plain and HTML alternatives), a photo and a PDF."""
    return mail(
        b"--b1\r\n"
        b"Content-Type: multipart/alternative; boundary=b2\r\n\r\n"
        b"--b2\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + "사진 첨부합니다. 상담 부탁드려요.\r\n".encode()
        + b"--b2\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>HTML version</p>\r\n"
        b"--b2--\r\n"
        b"--b1\r\n"
        b'Content-Type: image/jpeg; name="=?UTF-8?B?'
        + base64.b64encode("얼굴 사진.jpg".encode())
        + b'?="\r\n'
        b"Content-Disposition: attachment\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"\xff\xd8\xff" + bytes(photo_bytes - 3))
        + b"--b1\r\n"
        b"Content-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%EC%86%8C%EA%B2%AC%EC%84%9C.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"%PDF-1.4" + bytes(92))
        + b"--b1--\r\n",
        subject="사진 첨부",
        sender="yoon@example.com",
        content='Content-Type: multipart/mixed; boundary="b1"',
    )


ATTACHED = attached()


NO_ID = mail(
    "메시지 아이디가 없는 메일".encode(),
    subject="no id",
    sender="anon@example.com",
    message_id=None,
)

BAD_LABEL = mail(
    "라벨이 엉터리인 한국어 본문".encode("cp949") + b"\r\n\xff\xfe\x80 broken",
    subject="bad label",
    sender="odd@example.com",
    content="Content-Type: text/plain; charset=x-klingon-2024\r\nContent-Transfer-Encoding: 8bit",
)


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def user(dovecot: Dovecot) -> MailUser:
    return dovecot.add_user()


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture
def channels() -> Iterator[list[EmailChannel]]:
    made: list[EmailChannel] = []
    yield made
    for ch in made:
        ch.close()


class Connect(Protocol):
    """Makes a connector for a test user (closed after the test)."""

    def __call__(
        self, user: MailUser, secret: str | None = None, **overrides: object
    ) -> EmailChannel: ...


@pytest.fixture
def connect(channels: list[EmailChannel]) -> Connect:
    def make(user: MailUser, secret: str | None = None, **overrides: object) -> EmailChannel:
        ch = EmailChannel.from_config(
            user.config(**overrides), user.password if secret is None else secret
        )
        channels.append(ch)
        return ch

    return make


def fetch_all(ch: EmailChannel, cursor: str | None = None) -> tuple[list[InboundMessage], str]:
    out: list[InboundMessage] = []
    for _ in range(50):
        page = ch.fetch(cursor)
        out += page.messages
        assert page.next_cursor is not None
        cursor = page.next_cursor
        if not page.more:
            return out, cursor
    raise AssertionError("fetch never finished")


def by_subject(messages: list[InboundMessage]) -> dict[str, InboundMessage]:
    return {m.subject: m for m in messages}


# -- receiving -----------------------------------------------------------------------------


def test_korean_mail_of_every_kind_is_read(user: MailUser, connect: Connect) -> None:
    pixel = socket.socket()
    pixel.bind(("127.0.0.1", 0))
    pixel.listen(5)
    pixel.settimeout(0.05)
    try:
        user.deliver(EUCKR, ISO2022, QP, B64, html_only(pixel.getsockname()[1]), ATTACHED)
        user.deliver(NO_ID, BAD_LABEL)
        messages, cursor = fetch_all(connect(user))
        with pytest.raises(TimeoutError):
            pixel.accept()  # the <img> was never fetched
    finally:
        pixel.close()
    assert json.loads(cursor)["last_uid"] == 8
    got = by_subject(messages)
    euckr = got["쌍꺼풀 상담 문의 똠"]
    assert euckr.body == EUCKR_TEXT
    assert (euckr.handle, euckr.contact_name) == ("minji.kim@example.com", "김똠희")
    assert euckr.external_id == "euckr-1@example.com" == euckr.thread_id
    assert euckr.direction == "in"
    assert euckr.sent_at == 1709615580000
    assert got["치과 예약"].body == "치과 스케일링 예약 가능한가요?"
    qp = got["피부과 문의"]
    assert qp.body == "여드름 흉터 레이저 가격 문의드려요."
    assert qp.contact_name == "박서연"
    assert got["비만클리닉"].body == "비만클리닉 상담 시간이 궁금합니다.\n토요일도 하나요?"
    html = got["HTML"].body
    assert html == "피부과 & 레이저 토닝 문의입니다.\n\n가격이 어떻게 되나요?\n감사합니다 <3"
    for forbidden in ("alert", "해킹", "color", "pixel", "http", "<p", "<img", "&amp;"):
        assert forbidden not in html
    attached = got["사진 첨부"]
    assert attached.body == "사진 첨부합니다. 상담 부탁드려요."
    assert [(a.name, a.mime_type, a.size) for a in attached.attachments] == [
        ("얼굴 사진.jpg", "image/jpeg", 1000),
        ("소견서.pdf", "application/pdf", 100),
    ]
    no_id = got["no id"]
    assert no_id.external_id.startswith("sha256:") and no_id.thread_id == no_id.external_id
    assert no_id.body == "메시지 아이디가 없는 메일"
    bad = got["bad label"]
    assert bad.body.startswith("라벨이 엉터리인 한국어 본문\n")
    assert "\ufffd" in bad.body and bad.body.endswith("broken")


def test_fetching_again_stores_nothing_twice(
    user: MailUser, connect: Connect, store: Store
) -> None:
    user.deliver(EUCKR, NO_ID, QP)
    account = add_account(store, "email", "메일")
    ch = connect(user, batch_size=2)
    first = ch.fetch(None)
    assert len(first.messages) == 2 and first.more
    ingest(store, account, first)
    second = ch.fetch(first.next_cursor)
    assert len(second.messages) == 1 and not second.more
    ingest(store, account, second)
    # The same cursor again (a crash before the cursor was saved), then from scratch.
    ingest(store, account, ch.fetch(first.next_cursor))
    everything, _ = fetch_all(ch, None)
    ingest(store, account, FetchResult(everything, second.next_cursor))
    assert ch.fetch(second.next_cursor).messages == []
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 3
        assert s.scalar(select(func.count()).select_from(Conversation)) == 3


def test_batches_report_more_until_the_end(user: MailUser, connect: Connect) -> None:
    user.deliver(*(mail(f"본문 {i}".encode(), subject=f"n{i}") for i in range(5)))
    ch = connect(user, batch_size=2)
    pages = []
    cursor = None
    while True:
        page = ch.fetch(cursor)
        pages.append([m.subject for m in page.messages])
        cursor = page.next_cursor
        if not page.more:
            break
    assert pages == [["n0", "n1"], ["n2", "n3"], ["n4"]]
    assert json.loads(cursor or "") == {
        "uidvalidity": json.loads(cursor or "")["uidvalidity"],
        "last_uid": 5,
    }
    assert ch.fetch(cursor).messages == []  # nothing new: the newest UID is not repeated


def test_a_new_uidvalidity_starts_over_without_duplicates(
    user: MailUser,
    connect: Connect,
    store: Store,
) -> None:
    user.deliver(EUCKR, B64)
    account = add_account(store, "email", "메일")
    ch = connect(user)
    page = ch.fetch(None)
    ingest(store, account, page)
    old = json.loads(page.next_cursor or "")
    user.set_uidvalidity(old["uidvalidity"] + 1000)
    user.deliver(ISO2022)
    ch.close()  # a new session sees the new UIDVALIDITY
    again = ch.fetch(page.next_cursor)
    assert json.loads(again.next_cursor or "")["uidvalidity"] == old["uidvalidity"] + 1000
    assert len(again.messages) == 3  # everything again, from the first UID
    ingest(store, account, again)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 3


def test_a_huge_message_is_read_only_as_far_as_its_text(
    user: MailUser, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    import console.channels.email as email_module

    monkeypatch.setattr(email_module, "MAX_MESSAGE_BYTES", 4000)
    big = attached(photo_bytes=20_000)
    user.deliver(B64, big)
    small, huge = connect(user).fetch(None).messages
    assert small.body.startswith("비만클리닉")
    assert huge.body == "사진 첨부합니다. 상담 부탁드려요."
    assert [a.mime_type for a in huge.attachments] == ["image/jpeg"]  # cut inside the photo


def test_an_unreadable_cursor_starts_from_the_first_message(
    user: MailUser, connect: Connect
) -> None:
    user.deliver(B64)
    ch = connect(user)
    for cursor in ("not json", '{"uidvalidity": "x"}', "[]", ""):
        assert len(ch.fetch(cursor).messages) == 1


def test_replies_join_the_thread_by_references_and_by_subject(
    user: MailUser,
    connect: Connect,
    store: Store,
) -> None:
    reply_refs = mail(
        "네 다음 주 화요일 괜찮아요.".encode(),
        subject="unused",
        sender=f"{b_word('김똠희')} <minji.kim@example.com>",
        headers="In-Reply-To: <clinic-answer@sotong.test>\r\n"
        "References: <euckr-1@example.com> <clinic-answer@sotong.test>",
        date="Tue, 05 Mar 2024 15:00:00 +0900",
    ).replace(b"Subject: unused", f"Subject: RE: {b_word('쌍꺼풀 상담 문의 똠')}".encode())
    lost_headers = mail(
        "답장 헤더가 빠진 메일입니다.".encode(),
        subject="답장: Re: 쌍꺼풀 상담 문의 똠",
        sender="Minji.Kim@example.com",
        date="Tue, 05 Mar 2024 16:00:00 +0900",
    )
    other = mail("다른 문의".encode(), subject="다른 주제", sender="minji.kim@example.com")
    ours = mail(
        "클리닉에서 보낸 답장".encode(),
        subject="Re: 쌍꺼풀 상담 문의 똠",
        sender="=?UTF-8?B?7IaM7Ya1IOydmOybkA==?= <" + user.address + ">",
        headers="In-Reply-To: <euckr-1@example.com>\r\nReferences: <euckr-1@example.com>",
        date="Tue, 05 Mar 2024 14:30:00 +0900",
    ).replace(
        b"To: =?UTF-8?B?7IaM7Ya1IOydmOybkA==?= <clinic@sotong.test>", b"To: minji.kim@example.com"
    )
    user.deliver(EUCKR, ours, reply_refs, lost_headers, other)
    messages, _ = fetch_all(connect(user))
    first, out, by_refs, by_subject_key, unrelated = messages
    assert out.direction == "out" and out.handle == "minji.kim@example.com"
    assert by_refs.thread_id == "euckr-1@example.com"
    assert "clinic-answer@sotong.test" in by_refs.thread_refs
    key = "subj:minji.kim@example.com:쌍꺼풀 상담 문의 똠"
    assert key in first.thread_refs and key in by_subject_key.thread_refs
    assert by_subject_key.thread_id == by_subject_key.external_id
    account = add_account(store, "email", "메일")
    ingest(store, account, FetchResult(messages, None))
    with store.read() as s:
        counts = dict(
            s.execute(select(Conversation.external_thread_id, Conversation.message_count)).all()
        )
    assert counts == {"euckr-1@example.com": 4, unrelated.thread_id: 1}


def test_idle_wakes_up_on_new_mail(user: MailUser, connect: Connect) -> None:
    ch = connect(user)
    assert ch.idle(0.2) is True  # nothing fetched yet: go and fetch
    ch.fetch(None)
    assert ch.idle(0.2) is False
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(ch.idle(5)))
    started = time.monotonic()
    waiter.start()
    time.sleep(0.3)
    user.deliver(B64)
    waiter.join(6)
    assert woke == [True] and time.monotonic() - started < 3
    assert [m.subject for m in ch.fetch(None).messages] == ["비만클리닉"]


def test_closing_the_channel_ends_a_wait_with_a_channel_error(
    user: MailUser, connect: Connect
) -> None:
    """The runtime closes a channel while its watcher idles; the watcher must see a
    connection error it knows how to handle, whatever moment the close lands on."""
    for attempt in range(12):
        ch = connect(user)
        ch.fetch(None)
        outcome: list[object] = []

        def wait(ch: EmailChannel = ch, outcome: list[object] = outcome) -> None:
            try:
                outcome.append(ch.idle(5))
            except Exception as exc:  # what the watcher thread would meet
                outcome.append(exc)

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.3 + 0.01 * attempt)  # the waiter is idling now
        started = time.monotonic()
        ch.close()
        waiter.join(6)
        assert time.monotonic() - started < 3, "close() did not end the wait"
        [result] = outcome
        assert result is False or isinstance(result, Transient), repr(result)


def test_a_server_hanging_up_during_idle_ends_the_wait_at_once(
    user: MailUser, connect: Connect
) -> None:
    ch = connect(user)
    ch.fetch(None)
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(ch.idle(20))
        except Exception as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)
    started = time.monotonic()
    user.kick()
    waiter.join(25)
    assert time.monotonic() - started < 3, "the wait went on after the server hung up"
    [result] = outcome
    assert isinstance(result, Transient)
    ch.fetch(None)  # the channel carries on with a new connection
    assert ch.idle(0.2) is False


def test_mail_arriving_between_fetch_and_idle_is_not_missed(
    user: MailUser, connect: Connect
) -> None:
    ch = connect(user)
    cursor = ch.fetch(None).next_cursor
    user.deliver(B64)
    assert ch.idle(5) is True
    assert len(ch.fetch(cursor).messages) == 1


# -- sending -------------------------------------------------------------------------------


def _reply(reply_id: str = "0190f7a2-5b1c-7def-8abc-1234567890ab") -> OutgoingReply:
    return OutgoingReply(
        reply_id=reply_id,
        thread_id="euckr-1@example.com",
        handle="minji.kim@example.com",
        body="김똠희 고객님, 안녕하세요.\n다음 주 화요일 오후 2시에 상담 가능합니다.",
        subject="쌍꺼풀 상담 문의 똠",
    )


def _sending(user: MailUser, smtp: SmtpServer, connect: Connect, **extra: object) -> EmailChannel:
    return connect(
        user, **smtp.settings(), smtp_username="clinic", **extra
    )  # IMAP logs in as the user


def test_a_reply_is_sent_with_thread_headers_and_kept_in_sent(
    user: MailUser,
    smtp_server: SmtpServer,
    connect: Connect,
) -> None:
    smtp_server.handler.password = user.password
    ch = _sending(user, smtp_server, connect)
    reply = _reply()
    external = ch.send(reply)
    assert external == f"{reply.reply_id}@sotong.test"
    [got] = smtp_server.handler.messages
    assert got.rcpt_tos == ["minji.kim@example.com"] and got.login == "clinic"
    assert got.mail_from == user.address
    raw_subject = next(
        line for line in got.data.split(b"\r\n") if line.lower().startswith(b"subject:")
    )
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()  # RFC 2047
    msg = email.message_from_bytes(got.data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Message-ID"] == f"<{reply.reply_id}@sotong.test>"
    assert msg["In-Reply-To"] == "<euckr-1@example.com>"
    assert msg["References"] == "<euckr-1@example.com>"
    assert msg["Subject"] == "Re: 쌍꺼풀 상담 문의 똠"
    assert msg["From"].addresses[0].display_name == "소통 의원"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content().replace("\r\n", "\n") == reply.body + "\n"
    [copy] = user.messages("Sent")
    assert copy == got.data
    # The copy reads back as an outbound message of the same thread.
    mine = connect(user, mailbox="Sent").fetch(None).messages
    assert [(m.external_id, m.direction, m.thread_id, m.handle) for m in mine] == [
        (external, "out", "euckr-1@example.com", "minji.kim@example.com")
    ]


def test_a_retried_reply_is_not_sent_twice(
    user: MailUser,
    smtp_server: SmtpServer,
    connect: Connect,
) -> None:
    smtp_server.handler.password = user.password
    ch = _sending(user, smtp_server, connect)
    assert ch.capabilities.dedupes
    first = ch.send(_reply())
    again = _sending(user, smtp_server, connect).send(_reply())  # another process, later
    assert first == again
    assert len(smtp_server.handler.messages) == 1 and len(user.messages("Sent")) == 1
    ch.send(_reply("0190f7a2-5b1c-7def-8abc-000000000002"))
    assert len(smtp_server.handler.messages) == 2


def test_a_refusal_is_rejected_or_transient_by_its_code(
    user: MailUser,
    smtp_server: SmtpServer,
    connect: Connect,
) -> None:
    smtp_server.handler.password = user.password
    ch = _sending(user, smtp_server, connect)
    smtp_server.handler.mode = "550"
    with pytest.raises(Rejected) as rejected:
        ch.send(_reply())
    assert rejected.value.reason == "smtp_550"
    smtp_server.handler.mode = "451"
    with pytest.raises(Transient) as later:
        ch.send(_reply())
    assert not later.value.ambiguous
    assert user.messages("Sent") == [] and smtp_server.handler.messages == []


def test_a_server_that_stalls_in_data_makes_an_ambiguous_failure(
    user: MailUser,
    smtp_server: SmtpServer,
    connect: Connect,
) -> None:
    smtp_server.handler.password = user.password
    smtp_server.handler.mode = "stall"
    smtp_server.handler.stall_s = 1.5
    ch = _sending(user, smtp_server, connect, timeout_s=0.5)
    with pytest.raises(Transient) as exc:
        ch.send(_reply())
    assert exc.value.ambiguous


def test_wrong_passwords_are_auth_expired_and_never_shown(
    user: MailUser,
    smtp_server: SmtpServer,
    connect: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wr0ng-Pa55-비밀번호"
    ch = connect(user, secret="wrong-imap-pw")
    with pytest.raises(AuthExpired) as imap_fetch:
        ch.fetch(None)
    with pytest.raises(AuthExpired):
        connect(user, secret="wrong-imap-pw", **smtp_server.settings()).send(_reply())
    assert smtp_server.handler.messages == []
    smtp_server.handler.password = wrong  # IMAP accepts the user's password, SMTP does not
    with pytest.raises(AuthExpired) as smtp_login:
        _sending(user, smtp_server, connect).send(_reply())
    assert smtp_login.value.code == "auth_expired"
    smtp_server.handler.require_auth = True
    with pytest.raises(AuthExpired):
        connect(user, **smtp_server.settings(), smtp_username="nobody").send(_reply())
    for exc in (imap_fetch.value, smtp_login.value):
        assert user.password not in f"{exc} {exc!r}" and "wrong" not in str(exc)
    assert user.password not in caplog.text and "wrong-imap-pw" not in caplog.text
    assert user.password not in repr(ch) and user.password not in repr(ch.config)


def test_no_password_is_auth_expired(user: MailUser, connect: Connect) -> None:
    ch = EmailChannel.from_config(user.config(), None)
    with pytest.raises(AuthExpired):
        ch.fetch(None)


def test_servers_that_are_gone_are_transient(
    fresh_dovecot: Dovecot,
    smtp_server: SmtpServer,
    connect: Connect,
) -> None:
    user = fresh_dovecot.add_user()
    smtp_server.handler.password = user.password
    ch = _sending(user, smtp_server, connect)
    user.deliver(B64)
    assert len(ch.fetch(None).messages) == 1  # the connection stays open
    smtp_server.stop()
    with pytest.raises(Transient) as smtp_gone:
        ch.send(_reply())
    assert not smtp_gone.value.ambiguous
    fresh_dovecot.stop()
    with pytest.raises(Transient) as imap_gone:
        ch.fetch(None)
    assert not imap_gone.value.ambiguous
    with pytest.raises(Transient):
        ch.send(_reply())
    with pytest.raises(Transient):
        ch.idle(0.1)


def test_settings_are_checked(user: MailUser) -> None:
    good = user.config()
    for key, value in [
        ("imap_tls", "none"),
        ("smtp_tls", "none"),
    ]:
        with pytest.raises(InvalidEmailConfig) as exc:
            EmailChannel.from_config(
                {
                    **good,
                    "imap_host": "mail.example.com",
                    "smtp_host": "mail.example.com",
                    key: value,
                },
                "pw",
            )
        assert exc.value.setting in ("imap_tls", "smtp_tls")
    for key, value in [
        ("imap_tls", "plain"),
        ("imap_port", 70000),
        ("from_address", "not an address"),
        ("imap_host", ""),
        ("username", None),
        ("mailbox", "INBOX\r\nA1 DELETE INBOX"),
    ]:
        with pytest.raises(InvalidEmailConfig) as exc:
            EmailChannel.from_config({**good, key: value}, "pw")
        assert exc.value.setting == ("username" if key == "username" else key)
        assert "pw" not in str(exc.value)
    cfg = EmailChannel.from_config(
        {"imap_host": "imap.example.com", "username": "desk@clinic.kr"}, "pw"
    ).config
    assert (cfg.imap_port, cfg.imap_tls, cfg.smtp_host, cfg.smtp_port, cfg.smtp_tls) == (
        993,
        "ssl",
        "imap.example.com",
        587,
        "starttls",
    )
    assert cfg.from_address == "desk@clinic.kr" and cfg.mailbox == "INBOX"


def test_the_runtime_polls_at_once_when_the_server_says_mail_arrived(
    user: MailUser, connect: Connect
) -> None:
    """IMAP IDLE, end to end: a watcher thread hears the server and asks for a poll."""
    from console.runtime import Runtime

    store = open_memory_store()
    account = add_account(store, "email")
    channel = connect(user)
    runtime = Runtime(store, {account: channel})
    heard = threading.Event()
    try:
        assert runtime.poll_once().errors == {}
        assert runtime.watch(heard.set) == 1
        time.sleep(0.3)  # the watcher is idling now
        user.deliver(B64)
        assert heard.wait(10), "the server's word never reached the runtime"
        assert runtime.poll_once().fetched == 1
    finally:
        runtime.close()
        store.close()
