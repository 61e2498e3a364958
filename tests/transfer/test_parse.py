"""Amounts to integer cents with Decimal; dates ISO, text-month, patterned or settled."""

from __future__ import annotations

from datetime import date

import pytest

from kpitui.transfer.parse import (
    DMY,
    MDY,
    ParseError,
    check_date_format,
    parse_amount,
    parse_cents,
    parse_date,
    settle_order,
)


@pytest.mark.parametrize(("text", "cents"), [
    ("1,234.56", 123456), ("$2,000", 200000), ("(500.00)", -50000), ("-$12.30", -1230),
    ("$-12.30", -1230), ("£250.00", 25000), ("USD 12", 1200), ("12 USD", 1200),
    ("US$ 3.10", 310), ("0.1", 10), (".5", 50), ("12.500", 1250), (" 7 ", 700), ("", None),
    ("1\u00a0234.00", None)])
def test_amounts(text, cents):
    if cents is None and text.strip():
        with pytest.raises(ParseError):
            parse_amount(text)
    else:
        assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["12.345", "1.234,56", "1,23", "abc", "1e5", "-", "$",
                                  "((5))", "(-5)", "9" * 20])
def test_refused_amounts(text):
    with pytest.raises(ParseError):
        parse_amount(text)


def test_float_drift_cannot_happen():
    assert sum(parse_amount(x) for x in ["10.10", "10.20", "10.30"]) == 3060


def test_cents_columns_are_whole_numbers():
    assert parse_cents("-1250") == -1250
    with pytest.raises(ParseError):
        parse_cents("12.50")


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2026-11-23", None, date(2026, 11, 23)), ("2026-11-23T00:00:00", None, date(2026, 11, 23)),
    ("2026/11/23", None, date(2026, 11, 23)), ("23 Nov 2026", None, date(2026, 11, 23)),
    ("23-Nov-2026", None, date(2026, 11, 23)), ("November 23, 2026", None, date(2026, 11, 23)),
    ("03/04/2026", MDY, date(2026, 3, 4)), ("03/04/2026", DMY, date(2026, 4, 3)),
    ("1/2/2013 0:00", MDY, date(2013, 1, 2))])
def test_dates(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(("text", "order", "reason"), [
    ("2026-02-30", None, "is not a real date"), ("31/04/2026", DMY, "is not a real date"),
    ("03/04/2026", None, "could be day-first or month-first"),
    ("1/2/24", MDY, "two-digit year"), ("soon", None, "is not a date")])
def test_refused_dates(text, order, reason):
    with pytest.raises(ParseError, match=reason):
        parse_date(text, order)


def test_date_format_pattern():
    assert parse_date("23.11.2026", fmt="%d.%m.%Y") == date(2026, 11, 23)
    assert parse_date("2026-11-23", fmt="%d.%m.%Y") == date(2026, 11, 23)  # ISO always works
    with pytest.raises(ParseError, match="does not match --date-format"):
        parse_date("11/23/2026", fmt="%d.%m.%Y")
    assert check_date_format("%d/%m/%Y") is None
    assert "no % fields" in check_date_format("dd/mm/yyyy")


def test_one_date_settles_the_column():
    assert settle_order([(2, "03/04/2026"), (3, "20/10/2026")]) == (DMY, [3], [])
    assert settle_order([(2, "03/04/2026"), (3, "10/20/2026")]) == (MDY, [], [3])
    assert settle_order([(2, "03/04/2026")]) == (None, [], [])
    assert settle_order([(2, "20/10/2026"), (3, "10/20/2026")]) == (None, [2], [3])
