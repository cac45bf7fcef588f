"""The mail parser on its own: Korean charsets, RFC 2047 words, HTML, quoted history, threading
keys, and (with hypothesis) garbage, huge and control-character input that must never crash."""

from __future__ import annotations

import base64
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.channels._mime import (
    MAX_BODY_CHARS,
    decode_header_value,
    decode_text,
    html_to_text,
    id_key,
    parse_message,
    strip_reply_prefixes,
    subject_key,
    trim_quoted,
)

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def raw(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def assert_clean(text: str) -> None:
    assert isinstance(text, str)
    assert not CONTROL.search(text), repr(text[:200])


# -- charsets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        ("똠얌꿍 뷁 쌍꺼풀".encode("cp949"), "euc-kr", "똠얌꿍 뷁 쌍꺼풀"),
        ("똠얌꿍".encode("cp949"), "ks_c_5601-1987", "똠얌꿍"),
        ("스케일링 예약".encode("iso2022_kr"), "ISO-2022-KR", "스케일링 예약"),
        ("유니코드 본문".encode(), "euc-kr", "유니코드 본문"),  # mislabelled UTF-8
        ("라벨 없음".encode("cp949"), None, "라벨 없음"),
        ("엉뚱한 라벨".encode("cp949"), "x-klingon", "엉뚱한 라벨"),
        ("ascii라벨".encode(), "us-ascii", "ascii라벨"),
        ("café".encode("latin-1"), "iso-8859-1", "café"),
        (b"abc", "base64", "abc"),  # a codec, but not a charset
        (b"abc", "../../etc/passwd", "abc"),
    ],
)
def test_decode_text_reads_korean_mail(data: bytes, label: str | None, expected: str) -> None:
    assert decode_text(data, label) == expected


def test_undecodable_bytes_are_replaced_keeping_the_readable_part() -> None:
    text = decode_text("정상 부분 ".encode("cp949") + b"\xff\xfe\xff", "euc-kr")
    assert text.startswith("정상 부분 ") and "\ufffd" in text


# -- headers -------------------------------------------------------------------------------


def test_encoded_words_in_every_form_are_decoded() -> None:
    euckr = base64.b64encode("김똠희".encode("cp949")).decode()
    assert decode_header_value(f"=?EUC-KR?B?{euckr}?=") == "김똠희"
    assert decode_header_value("=?UTF-8?Q?=ED=94=BC=EB=B6=80=EA=B3=BC_=EB=AC=B8=EC=9D=98?=") == (
        "피부과 문의"
    )
    # Whitespace between two encoded words disappears (RFC 2047 section 6.2), folding too.
    first, second = (base64.b64encode(s.encode()).decode() for s in ("쌍꺼", "풀"))
    assert decode_header_value(f"=?utf-8?b?{first}?=\r\n =?utf-8?b?{second}?= 상담") == (
        "쌍꺼풀 상담"
    )
    assert decode_header_value("=?utf-8*ko?b?7JWI64WV?=") == "안녕"  # RFC 2231 language
    assert decode_header_value("=?utf-8?b?7JWI64W?=") == "안\ufffd"  # bad padding, no crash
    raw8 = "직접 쓴 8비트".encode().decode("utf-8", "surrogateescape")
    assert decode_header_value(raw8) == "직접 쓴 8비트"
    cp949 = "완성형 제목".encode("cp949").decode("utf-8", "surrogateescape")
    assert decode_header_value(cp949) == "완성형 제목"
    assert decode_header_value("a\x00b\x1b[31mc\u202ed") == "ab[31mcd"  # controls only


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: Re: 쌍꺼풀 상담", "쌍꺼풀 상담"),
        ("답장: 회신: 전달: FW: 치과", "치과"),
        ("Re[2]: 피부과", "피부과"),
        ("[외부메일] RE: 예약", "예약"),
        ("Fwd:   여러   칸", "여러 칸"),
        ("Re: ", ""),
        ("Report: 결과", "Report: 결과"),
    ],
)
def test_reply_prefixes_are_stripped(subject: str, expected: str) -> None:
    assert strip_reply_prefixes(subject) == expected


def test_subject_keys_ignore_prefixes_and_case_but_not_the_sender() -> None:
    key = subject_key("a@x.kr", "Re: 예약 Inquiry")
    assert key == subject_key("a@x.kr", "답장:예약 inquiry") == "subj:a@x.kr:예약 inquiry"
    assert key != subject_key("b@x.kr", "예약 inquiry")
    assert subject_key("a@x.kr", "RE:  ") is None
    long_key = subject_key("a@x.kr", "가" * 1000)
    assert long_key is not None and len(long_key) < 400


def test_long_message_ids_are_hashed() -> None:
    assert id_key("<abc@x>") == "abc@x"
    assert id_key("<" + "a" * 300 + "@x>").startswith("mid-sha256:")


# -- HTML ----------------------------------------------------------------------------------


def test_html_becomes_text_without_any_markup_or_script() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>제목</title><style>b{}</style></head><body>"
        "<!--[if mso]>숨김<![endif]--><h1>문의</h1><p>레이저&nbsp;토닝 &amp; 필링<br/>"
        "가격?</p><script type='text/javascript'>document.write('x')</script>"
        "<ul><li>월요일<li>화요일</ul><table><tr><td>시간</td><td>10시</td></tr></table>"
        "<a href='http://127.0.0.1/track'>예약하기</a><img src='http://127.0.0.1/p.gif' alt='로고'>"
        "<pre>  들여쓴\n  줄</pre></body></html>"
    )
    assert html_to_text(html) == (
        "문의\n\n레이저 토닝 & 필링\n가격?\n\n- 월요일\n- 화요일\n\n"
        "시간 10시\n\n예약하기\n들여쓴\n줄"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)", ""),  # never closed: everything after it is script
        ("<style>p{}</style>본문", "본문"),
        ("<head><title>t</title><body>본문", "본문"),  # a <head> left open
        ("<p>a<p>b", "a\nb"),
        ("<b>굵게</b> &lt;태그&gt; &#xD55C;&#44544;", "굵게 <태그> 한글"),
        ("<scr<script>ipt>x</script>y", "ipt>xy"),
        ("a<br>b<BR>c", "a\nb\nc"),
    ],
)
def test_html_corner_cases(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# -- quoted history ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "네 가능합니다.\n\n2024년 3월 5일 (화) 오후 2:13, 소통 의원 <c@x.kr>님이 작성:\n"
        "> 예약?\n>\n> 감사",
        "네 가능합니다.\n\nOn Tue, Mar 5, 2024 at 2:13 PM Clinic <c@x.kr> wrote:\n> 예약?",
        "네 가능합니다.\n\n-----Original Message-----\nFrom: c@x.kr\n예약?",
        "네 가능합니다.\n\n----- 원본 메일 -----\n보낸사람: c@x.kr\n예약?",
        "네 가능합니다.\n________________________________\n보낸 사람: 소통 의원\n"
        "보낸 날짜: 2024년 3월 5일\n받는 사람: 나\n제목: 예약\n\n예약?",
        "네 가능합니다.\n\n> 예약?\n> 감사",
    ],
)
def test_trailing_history_is_trimmed(text: str) -> None:
    assert trim_quoted(text) == "네 가능합니다."


def test_inline_answers_and_all_quoted_mail_are_kept() -> None:
    inline = "On Tue wrote:\n> 가격?\n30만원입니다.\n> 시간?\n10시요."
    assert trim_quoted(inline) == inline
    quoted = "> 전부 인용"
    assert trim_quoted(quoted) == quoted


# -- structure -----------------------------------------------------------------------------


def test_alternatives_prefer_plain_text_then_html() -> None:
    alt = raw(
        'Content-Type: multipart/alternative; boundary="x"',
        b"--x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML</p>\r\n"
        b"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPLAIN\r\n--x--\r\n",
    )
    assert parse_message(alt).body == "PLAIN"
    empty_plain = alt.replace(b"PLAIN", b"   ")
    assert parse_message(empty_plain).body == "HTML"


def test_forwarded_mail_and_text_files_are_attachments() -> None:
    message = raw(
        'Subject: fwd\nContent-Type: multipart/mixed; boundary="m"',
        b"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "전달합니다".encode()
        + b"\r\n--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
        b"--m\r\nContent-Type: text/plain; name=memo.txt\r\n"
        b"Content-Disposition: attachment; filename=memo.txt\r\n\r\nmemo\r\n--m--\r\n",
    )
    parsed = parse_message(message)
    assert parsed.body == "전달합니다"
    assert [(a.name, a.mime_type) for a in parsed.attachments] == [
        ("", "message/rfc822"),
        ("memo.txt", "text/plain"),
    ]


def test_headers_thread_and_addresses() -> None:
    name = base64.b64encode("김민지".encode("cp949")).decode()
    parsed = parse_message(
        raw(
            f'From: "=?euc-kr?B?{name}?=" <MinJi@Example.COM>\n'
            "Reply-To: desk <Desk@Example.com>\n"
            "To: a@x.kr, =?utf-8?b?7ZWc6riA?= <b@x.kr>\nCc: c@x.kr\n"
            "Message-ID: <m3@x>\nIn-Reply-To: <m2@x>\n"
            "References: <m1@x>\n <m2@x> junk\nDate: Tue, 5 Mar 2024 14:13:00 +0900",
            b"hi",
        )
    )
    assert parsed.sender == ("김민지", "minji@example.com")
    assert parsed.reply_to == ("desk", "desk@example.com")
    assert parsed.recipients == (("", "a@x.kr"), ("한글", "b@x.kr"), ("", "c@x.kr"))
    assert (parsed.message_id, parsed.in_reply_to, parsed.references) == (
        "m3@x",
        "m2@x",
        ("m1@x", "m2@x"),
    )
    assert parsed.date_ms == 1709615580000


def test_many_references_keep_the_root_and_the_latest() -> None:
    refs = " ".join(f"<r{i}@x>" for i in range(100))
    parsed = parse_message(raw(f"References: {refs}", b""))
    assert parsed.references[0] == "r0@x" and parsed.references[-1] == "r99@x"
    assert len(parsed.references) == 20


def test_deeply_nested_and_headerless_messages_are_read() -> None:
    depth = 300
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    nested = head.encode() + b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    assert isinstance(parse_message(nested).body, str)
    assert parse_message(b"just text, no headers").body == "just text, no headers"
    assert parse_message(b"\r\n\r\nbody only").body == "body only"
    assert parse_message(b"").body == ""


def test_a_huge_body_is_cut_quickly() -> None:
    started = time.monotonic()
    body = ("가나다라마바사 " * 300_000).encode()
    parsed = parse_message(raw("Content-Type: text/plain; charset=utf-8", body))
    assert len(parsed.body) == MAX_BODY_CHARS and parsed.body.endswith("…")
    html = b"<p>" + b"<" * 500_000 + b"<div>" * 50_000
    parsed = parse_message(raw("Content-Type: text/html", html))
    assert_clean(parsed.body)
    assert time.monotonic() - started < 10


# -- never crash -------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
labels = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "utf-8",
            "euc-kr",
            "cp949",
            "iso-2022-kr",
            "us-ascii",
            "latin1",
            "utf-16",
            "utf-7",
            "base64",
            "rot13",
            "zlib",
            "idna",
            "punycode",
            "x-unknown",
            "",
            "utf-8\x00",
        ]
    ),
    st.text(max_size=20),
)


@FAST
@given(st.binary(max_size=4000))
def test_any_bytes_parse(data: bytes) -> None:
    parsed = parse_message(data)
    assert_clean(parsed.body)
    assert_clean(parsed.subject)
    assert all(isinstance(a.size, int) for a in parsed.attachments)


@FAST
@given(data=st.binary(max_size=2000), label=labels)
def test_any_bytes_decode_in_any_charset(data: bytes, label: str | None) -> None:
    assert isinstance(decode_text(data, label), str)


@FAST
@given(st.text(max_size=3000))
def test_any_text_converts_from_html(html: str) -> None:
    assert isinstance(html_to_text(html), str)


@FAST
@given(st.text(max_size=300))
def test_any_header_text_decodes(value: str) -> None:
    assert_clean(decode_header_value(value))
    assert isinstance(strip_reply_prefixes(value), str)


@FAST
@given(
    subject=st.text(max_size=200),
    sender=st.text(max_size=100),
    ctype=st.sampled_from(
        [
            "text/plain",
            "text/html",
            "multipart/alternative",
            "multipart/mixed",
            "image/png",
            "message/rfc822",
            "text/",
            "garbage",
        ]
    ),
    label=labels,
    cte=st.sampled_from(["base64", "quoted-printable", "8bit", "7bit", "x-uuencode", "bogus"]),
    body=st.binary(max_size=3000),
    control=st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=50),
)
def test_structured_garbage_parses(
    subject: str, sender: str, ctype: str, label: str | None, cte: str, body: bytes, control: str
) -> None:
    charset = "" if label is None else f"; charset={label!r}"
    head = (
        f"Subject: {subject}\nFrom: {sender}\nContent-Type: {ctype}{charset}; boundary=zz\n"
        f"Content-Transfer-Encoding: {cte}\nX-Control: {control}"
    )
    message = head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + body + control.encode()
    parsed = parse_message(message)
    assert_clean(parsed.body)
    assert_clean(parsed.subject)
    assert len(parsed.body) <= MAX_BODY_CHARS
