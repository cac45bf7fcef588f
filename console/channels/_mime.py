"""Reading Internet mail as it arrives in a Korean clinic's inbox, into plain text.

Everything here is pure: bytes in, values out, no network. It reads:

- headers (RFC 5322), with RFC 2047 encoded words (``=?EUC-KR?B?...?=``, ``=?UTF-8?Q?...?=``)
  and raw 8-bit header bytes, decoded by our own charset rules rather than the stdlib's;
- bodies in any transfer encoding (RFC 2045: quoted-printable, base64, 8bit), in UTF-8,
  EUC-KR/CP949, ISO-2022-KR or a broken or missing charset label, never failing: undecodable
  bytes become U+FFFD;
- MIME structure (RFC 2046): ``multipart/alternative`` prefers ``text/plain``, HTML-only mail is
  turned into text by :func:`html_to_text` (never rendered), other parts become attachment
  metadata (names may use RFC 2231 parameters);
- threading keys: Message-ID, In-Reply-To and References (RFC 5322 section 3.6.4) and a subject
  key for replies whose mailer dropped those headers.

Korean mail labelled ``euc-kr`` is decoded as CP949 (Unified Hangul Code), its superset: Korean
mailers write CP949 bytes under the old label, and Python's ``euc_kr`` codec rejects syllables
such as 똠 or 뷁 that only CP949 has.

Quoted reply history is trimmed when it trails the new text (see :func:`trim_quoted`): each
message is shown as its own bubble next to the earlier ones, so the copy of the thread that
mailers append only buries what the customer just wrote. Inline answers between quoted lines
are kept whole, and a message that would be left empty is kept whole.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.utils
import hashlib
import quopri
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from console.channels.base import Attachment

__all__ = [
    "MAX_BODY_CHARS",
    "ParsedMail",
    "clean_text",
    "decode_header_value",
    "decode_text",
    "html_to_text",
    "id_key",
    "parse_message",
    "raw_hash",
    "strip_reply_prefixes",
    "subject_key",
    "trim_quoted",
]

MAX_BODY_CHARS = 100_000
"""Longest body kept, in characters; a longer one is cut and ends with an ellipsis."""

MAX_PART_BYTES = 4 * 1024 * 1024
"""Most bytes of one text part that are decoded (the rest of a huge part is dropped)."""

MAX_ID_CHARS = 200
"""Longest message or thread id stored as is; longer ids are replaced by a hash."""

MAX_REFERENCES = 20
"""References kept per message: the thread root and the latest ones."""

_MAX_DEPTH = 30
_MAX_PARTS = 500
_MAX_HEADER_CHARS = 16_384
_MAX_NAME_CHARS = 200
_MAX_SUBJECT_CHARS = 1000

# -- charsets ------------------------------------------------------------------------------

_ALIASES = {
    # Korean: every EUC-KR label means CP949 in practice.
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "euckr": "cp949",
    "x-euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "ks_x_1001": "cp949",
    "korean": "cp949",
    "csksc56011987": "cp949",
    "cseuckr": "cp949",
    "iso-ir-149": "cp949",
    "windows-949": "cp949",
    "x-windows-949": "cp949",
    "ms949": "cp949",
    "uhc": "cp949",
    "cp949": "cp949",
    "iso-2022-kr": "iso2022_kr",
    "csiso2022kr": "iso2022_kr",
    # ASCII labels routinely hide UTF-8 (a superset): read them as UTF-8.
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    # Western labels usually mean Windows-1252 (a superset of Latin-1).
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "windows-1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
}
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}")
_GUESSES = ("utf-8", "cp949")


def _codec(label: str | None) -> str | None:
    """The Python text codec for a charset label, or None (missing, unknown or not text)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if not _LABEL.fullmatch(label):
        return None
    name = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, rot13, zlib ... are codecs but not charsets
    return info.name


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError, TypeError):
        return None


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode bytes in a declared charset without ever failing.

    A known label is tried first (EUC-KR labels as CP949); then UTF-8 and CP949, the two
    encodings Korean mail really uses; then the declared codec, or UTF-8, replacing what
    cannot be decoded. A missing or unknown label goes straight to the guesses.

    Args:
        data: The bytes (already transfer-decoded).
        charset: The label from the message, or None.

    Returns:
        The text, with undecodable bytes as U+FFFD.
    """
    codec = _codec(charset)
    candidates = [codec] if codec else []
    candidates += [c for c in _GUESSES if c != codec]
    for candidate in candidates:
        text = _try(data, candidate)
        if text is not None:
            return text
    best = ""
    for candidate in candidates:
        try:
            text = data.decode(candidate, errors="replace")
        except (UnicodeError, LookupError, ValueError, TypeError):
            continue
        if not best or text.count("\ufffd") < best.count("\ufffd"):
            best = text
    return best or data.decode("utf-8", errors="replace")


_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalise line breaks and drop control and bidi-override characters (keeps tab, LF)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", text)


def _cap(text: str, limit: int = MAX_BODY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- headers (RFC 5322, RFC 2047) -----------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(=\?[^?\s]{1,60}\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)")
_FOLD = re.compile(r"\r?\n[ \t]*")


def _raw_bytes(value: str) -> bytes:
    """The header's original bytes (the parser keeps 8-bit bytes as surrogate escapes)."""
    return value.encode("utf-8", errors="surrogateescape")


def _b_decode(data: str) -> bytes:
    data = re.sub(r"[^A-Za-z0-9+/]", "", data)
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _q_decode(data: str) -> bytes:
    return quopri.decodestring(data.replace("_", " ").encode("ascii", errors="replace"))


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, payload = match.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix: =?UTF-8*ko?...
    data = _b_decode(payload) if encoding in "bB" else _q_decode(payload)
    return decode_text(data, charset)


def decode_header_value(value: str) -> str:
    """Decode one raw header value: unfold, read 8-bit bytes, decode RFC 2047 encoded words.

    Whitespace between two encoded words is dropped (RFC 2047 section 6.2). Encoded words
    inside quoted strings, which many mailers write, are decoded too.

    Args:
        value: The value as the parser stored it (8-bit bytes as surrogate escapes).

    Returns:
        Clean single-line text.
    """
    value = _FOLD.sub(" ", value[:_MAX_HEADER_CHARS])
    if _LONE_SURROGATE.search(value):
        value = decode_text(_raw_bytes(value), None)
    if "=?" in value:
        value = _ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1", value))
    value = clean_text(value).replace("\n", " ").replace("\t", " ")
    return " ".join(value.split())


def _unquote_name(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1]
    return name.strip()


_ADDR = re.compile(r"[^\s<>\"(),;:@]+@[^\s<>\"(),;:@]+")


def _addresses(raw: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of an address header; unparseable ones skipped."""
    raw = _FOLD.sub(" ", raw[:_MAX_HEADER_CHARS])
    pairs: list[tuple[str, str]] = []
    try:
        parsed = email.utils.getaddresses([raw])
    except Exception:
        parsed = []
    for name, addr in parsed:
        address = decode_text(_raw_bytes(addr), None).strip().lower()
        if "@" not in address or any(c.isspace() for c in address):
            continue
        pairs.append((_unquote_name(decode_header_value(name)), address[:_MAX_NAME_CHARS]))
    if not pairs:
        found = _ADDR.search(decode_text(_raw_bytes(raw), None))
        if found:
            pairs.append(("", found.group(0).lower()[:_MAX_NAME_CHARS]))
    return pairs


_MSG_ID = re.compile(r"<([^<>\s]{1,998})>")


def id_key(message_id: str) -> str:
    """The stored form of a Message-ID: without angle brackets, hashed if very long."""
    message_id = message_id.strip().strip("<>")
    if len(message_id) > MAX_ID_CHARS:
        return "mid-sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return message_id


def _message_ids(raw: str) -> list[str]:
    """Message-IDs in a header, in order (tokens with ``@`` when angle brackets are missing)."""
    text = decode_text(_raw_bytes(_FOLD.sub(" ", raw)), None)
    found = _MSG_ID.findall(text)
    if not found:
        found = [t for t in re.split(r"[\s,]+", text) if "@" in t]
    seen: list[str] = []
    for mid in found:
        key = id_key(clean_text(mid))
        if key and key not in seen:
            seen.append(key)
    return seen


_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?"
    r"(?:re|fw|fwd|aw|wg|sv|vs|tr|r|답장|회신|전달|답변|재전송)"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)


def strip_reply_prefixes(subject: str) -> str:
    """The subject without any ``Re:``, ``Fwd:``, ``답장:``, ``회신:``, ``전달:`` prefixes."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _PREFIX.sub("", subject, count=1)
    return " ".join(subject.split())


def subject_key(address: str, subject: str) -> str | None:
    """``subj:{address}:{normalised subject}``, which joins a reply that lost its headers.

    Returns:
        None for an empty subject: it would join every subject-less mail from the sender.
    """
    norm = strip_reply_prefixes(subject).casefold()
    if not norm:
        return None
    if len(norm) > 200:
        norm = "sha256:" + hashlib.sha256(norm.encode("utf-8")).hexdigest()
    return f"subj:{address}:{norm}"[:400]


def _date_ms(raw: str) -> int | None:
    try:
        when = email.utils.parsedate_to_datetime(_FOLD.sub(" ", raw).strip())
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        ms = int(when.timestamp() * 1000)
    except Exception:
        return None
    return ms if 0 < ms < 253_402_300_799_000 else None


# -- HTML to text ----------------------------------------------------------------------------


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


_BLOCK = _tags(
    "address article aside blockquote caption center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody tfoot thead tr ul"
)
_SKIP = _tags("script style head title template noscript svg math object iframe frameset select")
_VOID = _tags("area base br col embed hr img input link meta param source track wbr")
_MAX_HTML_CHARS = 2_000_000


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML document; nothing is fetched or executed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skip: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip = [t for t in self.skip if t != "head"]  # a <head> left open
        if tag in _SKIP and tag not in _VOID:
            self.skip.append(tag)
            return
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "li":
            self.pieces.append("\n- ")
        elif tag in ("td", "th"):
            self.pieces.append(" ")
        elif tag in _BLOCK:
            self.pieces.append("\n")
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return  # <script/> opens nothing
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass
            return
        if tag in _BLOCK:
            self.pieces.append("\n")
        if tag == "pre" and self.pre:
            self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.pieces.append(data if self.pre else re.sub(r"\s+", " ", data))


_TAG = re.compile(r"<[^>]*>?")


def html_to_text(html: str) -> str:
    """Readable text from HTML mail: scripts and styles dropped, block elements and ``<br>`` as
    line breaks, entities decoded, links and images reduced to their text (nothing is loaded).

    Args:
        html: The decoded HTML.

    Returns:
        Plain text; the result is never interpreted as markup by anyone.
    """
    html = html[:_MAX_HTML_CHARS]
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.pieces)
    except Exception:
        text = _TAG.sub(" ", html)
    text = re.sub(r"[ \t\xa0]*\n[ \t\xa0]*", "\n", text.replace("\xa0", " "))
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# -- quoted history --------------------------------------------------------------------------

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|original mail|원본 메시지|원본 ?메일|원문)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(r"(?:wrote|writes|작성|쓴 글|쓰셨습니다)\s*[:：]?\s*$", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\**(?:from|보낸 사람|보낸사람)\**\s*[:：]", re.IGNORECASE)
_HEADER_DATE = re.compile(r"^\s*\**(?:sent|date|보낸 날짜|날짜)\**\s*[:：]", re.IGNORECASE)
_HEADER_SUBJECT = re.compile(r"^\s*\**(?:subject|제목)\**\s*[:：]", re.IGNORECASE)


def _history_start(lines: list[str]) -> int | None:
    """Index of the first line of trailing quoted history, or None."""
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return i
        if _HEADER_FROM.match(line):
            window = lines[i + 1 : i + 6]
            if any(_HEADER_DATE.match(w) for w in window) and any(
                _HEADER_SUBJECT.match(w) for w in window
            ):
                start = i
                if i and set(lines[i - 1].strip()) <= {"_", "-"} and lines[i - 1].strip():
                    start = i - 1
                return start
        if _ATTRIBUTION.search(line):
            rest = [r for r in lines[i + 1 :] if r.strip()]
            if rest and all(r.lstrip().startswith(">") for r in rest):
                return i
    # A trailing block of quoted lines with no attribution.
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (lines[start - 1].lstrip().startswith(">") or not lines[start - 1].strip()):
        start -= 1
    return start if start < end else None


def trim_quoted(text: str) -> str:
    """Drop the quoted history a mailer appended below the new text.

    Trims from an ``-----Original Message-----`` or ``----- 원본 메시지 -----`` separator, an
    Outlook-style ``From:/Sent:/Subject:`` block, an ``On ... wrote:`` or ``...님이 작성:``
    line followed only by ``>`` lines, or a final block of ``>`` lines. Inline replies keep
    their quotes, and text that would be left empty is returned whole.

    Args:
        text: A plain-text body.

    Returns:
        The new text of the message.
    """
    lines = text.split("\n")
    start = _history_start(lines)
    if start is None:
        return text
    kept = "\n".join(lines[:start]).rstrip()
    return kept if kept.strip() else text


# -- MIME structure (RFC 2045, RFC 2046) -------------------------------------------------------


@dataclass(frozen=True)
class ParsedMail:
    """What the console needs from one message.

    Attributes:
        message_id: The Message-ID without angle brackets ("" when missing).
        in_reply_to: The first Message-ID of In-Reply-To ("" when missing).
        references: Message-IDs of References, oldest first (root and the latest few).
        subject: Decoded subject.
        sender: (name, address) of From (address lower-case; empty when missing).
        reply_to: (name, address) of the first Reply-To address, if any.
        recipients: (name, address) of To and Cc.
        date_ms: The Date header in ms since the epoch, or None.
        body: Plain text, quoted history trimmed.
        attachments: Attachments, as metadata.
    """

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    sender: tuple[str, str]
    reply_to: tuple[str, str] | None
    recipients: tuple[tuple[str, str], ...]
    date_ms: int | None
    body: str
    attachments: tuple[Attachment, ...]


def _headers(msg: Message) -> dict[str, list[str]]:
    """Raw header values by lower-case name, as the parser stored them."""
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(str(name).strip().lower(), []).append(str(value))
    return out


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _payload(part: Message) -> bytes:
    """The transfer-decoded payload of a leaf part (best effort on broken encodings)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return _raw_bytes(raw)
    return b""


def _param(part: Message, name: str, header: str) -> str:
    """A decoded header parameter (RFC 2231 ``name*=charset''...`` or RFC 2047 words)."""
    try:
        value = part.get_param(name, header=header)
    except Exception:
        return ""
    if isinstance(value, tuple):
        charset, _lang, text = value
        return decode_text(urllib.parse.unquote_to_bytes(str(text)), charset or None)
    if not isinstance(value, str):
        return ""
    return decode_header_value(email.utils.unquote(value))


def _filename(part: Message) -> str:
    name = _param(part, "filename", "content-disposition") or _param(part, "name", "content-type")
    name = re.split(r"[\\/]", clean_text(name))[-1].replace("\n", " ").strip()
    return name[:_MAX_NAME_CHARS]


def _is_body_text(part: Message) -> bool:
    return _content_type(part) in ("text/plain", "text/html") and _disposition(part) != "attachment"


def _leaf_text(part: Message) -> str:
    text = clean_text(decode_text(_payload(part)[:MAX_PART_BYTES], _charset(part)))
    if _content_type(part) == "text/html":
        text = html_to_text(text)
    return text


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)][:_MAX_PARTS]
    return []


def _body(part: Message, depth: int = 0) -> str:
    """The readable text of a part, choosing among alternatives (plain first)."""
    if depth > _MAX_DEPTH:
        return ""
    ctype = _content_type(part)
    if ctype.startswith("multipart/"):
        children = _children(part)
        if ctype == "multipart/alternative":
            rank = {"text/plain": 0, "text/html": 2}
            ordered = sorted(children, key=lambda c: rank.get(_content_type(c), 1))
            for child in ordered:
                if child.is_multipart() or _is_body_text(child):
                    text = _body(child, depth + 1)
                    if text.strip():
                        return text
            return ""
        texts = [_body(c, depth + 1) for c in children if c.is_multipart() or _is_body_text(c)]
        return "\n\n".join(t for t in texts if t.strip())
    if _is_body_text(part):
        return _leaf_text(part)
    return ""


def _attachments(part: Message, depth: int = 0) -> Iterator[Attachment]:
    """Every leaf that is not body text, as metadata (forwarded mails are not opened)."""
    if depth > _MAX_DEPTH:
        return
    ctype = _content_type(part)
    if ctype.startswith("multipart/"):
        for child in _children(part):
            yield from _attachments(child, depth + 1)
        return
    if _is_body_text(part):
        return
    if ctype == "message/rfc822":
        inner = part.get_payload()
        size = (
            len(inner[0].as_bytes())
            if isinstance(inner, list) and inner and isinstance(inner[0], Message)
            else 0
        )
        yield Attachment(_filename(part), ctype, size)
        return
    yield Attachment(_filename(part), ctype, len(_payload(part)))


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def _parse_structure(raw: bytes) -> tuple[dict[str, list[str]], str, tuple[Attachment, ...]]:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    headers = _headers(msg)
    return headers, _body(msg), tuple(_attachments(msg))


def _parse_fallback(raw: bytes) -> tuple[dict[str, list[str]], str, tuple[Attachment, ...]]:
    """Headers and body split by hand, for a message the MIME parser could not walk."""
    head, _sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    headers: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in head.decode("utf-8", errors="surrogateescape").split("\n"):
        if line[:1] in (" ", "\t") and current is not None:
            current[-1] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if colon:
            current = headers.setdefault(name.strip().lower(), [])
            current.append(value.strip())
    return headers, clean_text(decode_text(body[:MAX_PART_BYTES], None)), ()


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def parse_message(raw: bytes) -> ParsedMail:
    """Read one RFC 5322 message. Never raises: garbage gives empty fields and some text.

    Args:
        raw: The message exactly as the server holds it.

    Returns:
        The parsed message.
    """
    try:
        headers, body, attachments = _parse_structure(raw)
    except Exception:  # RecursionError included: a broken message is still read
        headers, body, attachments = _parse_fallback(raw)
    subject = decode_header_value(_first(headers, "subject"))
    senders = _addresses(_first(headers, "from")) or _addresses(_first(headers, "sender"))
    reply_to = _addresses(_first(headers, "reply-to"))
    recipients = [
        pair
        for name in ("to", "cc")
        for value in headers.get(name, [])[:5]
        for pair in _addresses(value)
    ]
    ids = _message_ids(_first(headers, "message-id"))
    in_reply_to = _message_ids(_first(headers, "in-reply-to"))
    references = _message_ids(" ".join(headers.get("references", [])[:3]))
    if len(references) > MAX_REFERENCES:
        references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
    text = _cap(trim_quoted(body).strip("\n"))
    return ParsedMail(
        message_id=ids[0] if ids else "",
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_unique(references),
        subject=subject[:_MAX_SUBJECT_CHARS],
        sender=senders[0] if senders else ("", ""),
        reply_to=reply_to[0] if reply_to else None,
        recipients=tuple(dict.fromkeys(recipients))[:50],
        date_ms=_date_ms(_first(headers, "date")),
        body=text,
        attachments=attachments[:100],
    )


def raw_hash(raw: bytes) -> str:
    """The id of a message without a Message-ID: a hash of its bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:40]
