"""Masking personal data in exported text: resident registration numbers, phone numbers,
e-mail addresses, names and handles.

What counts as a 주민등록번호: six digits that are a real date (YYMMDD), a hyphen or space,
then a gender/century digit 1–8 and six more digits. Written without the separator, the same
thirteen digits also need the pre-2020 check digit to be right, or a word such as 주민 or
등록번호 just before — otherwise order numbers and long reference numbers would be taken for
one. Phone numbers: mobile numbers (010, 011, 016–019) with or without separators, the same
after +82, and area-code and 070 numbers written with separators. A date, an amount or an
order number is left alone.
"""

from __future__ import annotations

import datetime as dt
import re

_RRN = re.compile(r"(?<![\d-])(?P<date>\d{6})(?P<sep>[- ]?)(?P<rest>[1-8]\d{6})(?![\d-])")
_RRN_CONTEXT = re.compile(r"(주민|등록\s*번호|주번|resident)", re.IGNORECASE)
_MOBILE = re.compile(
    r"(?<![\d+])(?P<prefix>(?:\+82[- ]?|0082[- ]?)?\(?0?1[016789]\)?)"
    r"(?P<rest>[- .]?\d{3,4}[- .]?\d{4})(?![\d])"
)
_LANDLINE = re.compile(
    r"(?<![\d+])(?P<prefix>(?:\+82[- ]?|\(?0)(?:2|[3-6][1-5]|70)\)?)"
    r"(?P<rest>[- .)]\d{3,4}[- .]\d{4})(?!\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def _plausible_date(yymmdd: str, century_digit: str) -> bool:
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900}.get(century_digit, 2000)
    try:
        dt.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return False
    return True


def _check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:12], _WEIGHTS, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def _mask_digits(text: str) -> str:
    return re.sub(r"\d", "*", text)


def _rrn(match: re.Match[str]) -> str:
    date, sep, rest = match.group("date"), match.group("sep"), match.group("rest")
    if not _plausible_date(date, rest[0]):
        return match.group(0)
    if not sep:
        before = match.string[max(0, match.start() - 12) : match.start()]
        if not (_check_digit_ok(date + rest) or _RRN_CONTEXT.search(before)):
            return match.group(0)
    return _mask_digits(match.group(0))


def _phone(match: re.Match[str]) -> str:
    return match.group("prefix") + _mask_digits(match.group("rest"))


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)}***@{match.group(2)}"


def mask_text(text: str) -> str:
    """``text`` with resident registration numbers, phone numbers and e-mail addresses
    masked (digits become ``*``; a phone keeps its prefix, an address its first letter and
    domain)."""
    text = _RRN.sub(_rrn, text)
    text = _MOBILE.sub(_phone, text)
    text = _LANDLINE.sub(_phone, text)
    return _EMAIL.sub(_email, text)


def mask_name(name: str) -> str:
    """A person's name with all but its first letter (and, from three letters, its last)
    hidden: 김민지 → 김*지, 김민 → 김*, John Smith → J*** S****."""
    words = name.split(" ")
    if len(words) > 1:
        return " ".join(mask_name(w) for w in words)
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    if all("\uac00" <= ch <= "\ud7a3" for ch in name):
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return name[0] + "*" * (len(name) - 1)


def mask_handle(handle: str) -> str:
    """A channel handle with all but its first two characters hidden (an e-mail address
    keeps its domain)."""
    if "@" in handle and not handle.startswith("@"):
        return _EMAIL.sub(_email, handle)
    keep = 3 if handle.startswith("@") else 2
    return handle[:keep] + "*" * max(0, len(handle) - keep)
