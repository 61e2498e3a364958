"""Text cells -> values: amounts to integer cents (Decimal, never float), dates to `date`.

Dates: ISO always works; `--date-format` adds one strftime pattern; numeric dates like
03/04/2026 are read in an order ("mdy" or "dmy") that the caller settles for the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

MAX_CENTS = 2**53
MDY, DMY = "mdy", "dmy"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}\s*)?(?:[A-Z]{1,2})?[$€£¥]?|(?:\s*[A-Z]{3})$")
_BODY = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?$|^\.\d+$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}.*)?$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MON = r"([A-Za-z]{3,9})\.?"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[ -]{_MON}[ ,-]+(\d{{4}})\b")
_MONTH_DAY = re.compile(rf"\b{_MON} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)


class ParseError(ValueError):
    """A cell that cannot be read, with the reason a person should see."""


def parse_amount(text: str) -> int | None:
    """'$1,234.56', '(500.00)', '-€2,000', 'USD 12' -> integer cents; '' -> None."""
    s = _SPACES.sub(" ", text).strip()
    if not s:
        return None
    negative = s.startswith("(") and s.endswith(")")
    s = s[1:-1].strip() if negative else s
    s, sign = _strip_sign(s)
    s = _CURRENCY.sub("", s).strip()
    s, sign2 = _strip_sign(s)
    if not _BODY.match(s) or negative + sign + sign2 > 1:
        raise ParseError(f"{text.strip()!r} is not an amount like 1,234.56")
    cents = Decimal(s.replace(",", "")) * 100
    if cents != cents.to_integral_value():
        raise ParseError(f"{text.strip()!r} has more than 2 decimal places")
    value = int(cents) * (-1 if negative or sign or sign2 else 1)
    if abs(value) >= MAX_CENTS:
        raise ParseError(f"{text.strip()!r} is too large to be money")
    return value


def _strip_sign(s: str) -> tuple[str, bool]:
    """Remove one leading minus (or plus); report whether it was a minus."""
    if s[:1] in "-−+" and s:
        return s[1:].strip(), s[0] != "+"
    return s, False


def parse_cents(text: str) -> int | None:
    """A *_cents column: a whole number of cents ('' -> None)."""
    s = text.strip()
    if not s:
        return None
    if not re.fullmatch(r"[-+]?\d+", s):
        raise ParseError(f"{s!r} is not a whole number of cents")
    if abs(int(s)) >= MAX_CENTS:
        raise ParseError(f"{s!r} (cents) is too large to be money")
    return int(s)


def parse_int(text: str, what: str) -> int | None:
    """A whole number such as terms_days or revenue_share_bp ('' -> None)."""
    s = text.strip().replace(",", "")
    if not s:
        return None
    if not re.fullmatch(r"[-+]?\d+(\.0*)?", s):
        raise ParseError(f"{text.strip()!r} is not a whole number")
    return int(s.split(".")[0])


def parse_flag(text: str, what: str) -> int | None:
    """1/0, yes/no, true/false, y/n, x -> 1 or 0 ('' -> None)."""
    s = text.strip().casefold()
    if not s:
        return None
    if s in ("1", "yes", "y", "true", "t", "x"):
        return 1
    if s in ("0", "no", "n", "false", "f"):
        return 0
    return _raise(f"{text.strip()!r} is not yes/no or 1/0")


def _raise(message: str):
    """Raise a ParseError (lets one-expression parsers refuse)."""
    raise ParseError(message)


def numeric_parts(text: str) -> tuple[int, int, int] | None:
    """(a, b, year) of a numeric date like 03/04/2026 whose order is not yet known."""
    m = _NUMERIC.match(text.strip())
    return (int(m[1]), int(m[2]), int(m[3])) if m and len(m[3]) == 4 else None


def order_hint(text: str) -> str | None:
    """DMY when the first number can only be a day, MDY when the second can only be; else None."""
    parts = numeric_parts(text)
    if parts is None:
        return None
    a, b, _ = parts
    if a > 12 >= b:
        return DMY
    if b > 12 >= a:
        return MDY
    return None


def settle_order(cells: Iterable[tuple[int, str]]) -> tuple[str | None, list[int], list[int]]:
    """Read a column's numeric dates: (order or None, rows that say DMY, rows that say MDY)."""
    dmy, mdy = [], []
    for row, text in cells:
        hint = order_hint(text)
        if hint == DMY:
            dmy.append(row)
        elif hint == MDY:
            mdy.append(row)
    if dmy and not mdy:
        return DMY, dmy, mdy
    if mdy and not dmy:
        return MDY, dmy, mdy
    return None, dmy, mdy


def parse_date(text: str, order: str | None = None, fmt: str | None = None) -> date | None:
    """ISO, text-month dates, the --date-format pattern, or a numeric date in `order`."""
    s = _SPACES.sub(" ", text).strip()
    if not s:
        return None
    for reader in (_iso, _text_month):
        found = reader(s)
        if found is not None:
            return found
    if fmt:
        return _with_format(s, fmt)
    return _numeric(s, order)


def _real(y: int, m: int, d: int, text: str) -> date:
    """date(y, m, d), refused with the original text when it does not exist."""
    try:
        return date(y, m, d)
    except ValueError:
        raise ParseError(f"{text!r} is not a real date") from None


def _iso(s: str) -> date | None:
    """2026-11-23 (with an optional time) or 2026/11/23."""
    m = _ISO.match(s) or _YMD.match(s)
    return _real(int(m[1]), int(m[2]), int(m[3]), s) if m else None


def _text_month(s: str) -> date | None:
    """'23 Nov 2026', '23-Nov-2026', 'November 23, 2026', 'Monday, November 23, 2026'."""
    s = _WEEKDAY.sub("", s)
    m = _DAY_MONTH.match(s)
    if m and m[2][:3].casefold() in _MONTHS:
        return _real(int(m[3]), _MONTHS[m[2][:3].casefold()], int(m[1]), s)
    m = _MONTH_DAY.match(s)
    if m and m[1][:3].casefold() in _MONTHS:
        return _real(int(m[3]), _MONTHS[m[1][:3].casefold()], int(m[2]), s)
    return None


def find_text_date(s: str) -> date | None:
    """The first text-month date anywhere in a line ('As of November 23, 2026'), or None."""
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        m = pattern.search(s)
        if m:
            try:
                return _text_month(m[0])
            except ParseError:
                return None
    return None


def _with_format(s: str, fmt: str) -> date:
    """The user's strftime pattern."""
    try:
        return datetime.strptime(s, fmt).date()
    except ValueError:
        raise ParseError(f"{s!r} does not match --date-format {fmt}") from None


def _numeric(s: str, order: str | None) -> date:
    """03/04/2026 read month-first or day-first; refuse what cannot be read."""
    m = _NUMERIC.match(s)
    if not m:
        raise ParseError(f"{s!r} is not a date (use YYYY-MM-DD or --date-format)")
    if len(m[3]) == 2:
        raise ParseError(f"{s!r} has a two-digit year; use --date-format such as %m/%d/%y")
    a, b, y = int(m[1]), int(m[2]), int(m[3])
    if order is None:
        raise ParseError(f"{s!r} could be day-first or month-first; "
                         f"use --date-format %d/%m/%Y or %m/%d/%Y")
    return _real(y, a, b, s) if order == MDY else _real(y, b, a, s)


def check_date_format(fmt: str) -> str | None:
    """Why a --date-format pattern cannot work, or None when a date round-trips through it."""
    if "%" not in fmt:
        return f"--date-format {fmt!r} has no % fields (e.g. %d/%m/%Y)"
    sample = date(2026, 11, 23)
    try:
        back = datetime.strptime(sample.strftime(fmt), fmt).date()
    except ValueError as exc:
        return f"--date-format {fmt!r} cannot be used: {exc}"
    if back != sample:
        return f"--date-format {fmt!r} does not give a year, month and day"
    return None
