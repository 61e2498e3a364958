"""Exports of every pane: money as cents or decimals, numbers stay numbers, formulas defused."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from kpitui.transfer import PANES
from kpitui.transfer.export import Money, Table, export_pane, neutralise, to_csv

from .helpers import query, run_import

AS_OF = date(2026, 11, 23)


@pytest.fixture
def book(empty_ledger):
    """The generic fixture plus a loss-making partner with a formula-like name and two goals."""
    run_import(empty_ledger, "generic-invoices.csv")
    query(empty_ledger, "INSERT INTO partners (id, name) VALUES (1, '=Evil Partner')")
    query(empty_ledger, "INSERT INTO partner_costs (partner_id, incurred_on, amount_cents) "
                        "VALUES (1, '2026-10-01', 500000)")
    query(empty_ledger, "INSERT INTO goals (metric, period_start, period_end, target) VALUES "
                        "('revenue', '2026-11-01', '2026-11-30', 100000), "
                        "('won_deals', '2026-11-01', '2026-11-30', 3)")
    return empty_ledger


def export(path, pane: str, fmt: str = "csv", money: str = "decimal") -> str:
    from kpitui.kpis.cockpit import compute
    from kpitui.ledger.connection import open_ledger
    from kpitui.ledger.load import load

    handle = open_ledger(path, readonly=True)
    try:
        ledger = load(handle)
    finally:
        handle.close()
    return export_pane(ledger, compute(ledger, AS_OF), pane, fmt, money)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_aging_csv_in_decimals_and_cents(book):
    decimal = rows(export(book, "aging"))
    assert decimal[0] == ["client_id", "client", "current", "1-30", "31-60", "61-90", "90+",
                          "total"]
    assert decimal[1:] == [["1", "Juniper Vet Clinic", "0.00", "1800.00", "0.00", "0.00",
                            "0.00", "1800.00"],
                           ["2", "'@Home Networks", "0.00", "640.25", "0.00", "0.00", "0.00",
                            "640.25"]]
    cents = rows(export(book, "aging", money="cents"))
    assert cents[2] == ["2", "'@Home Networks", "0", "64025", "0", "0", "0", "64025"]


def test_negative_numbers_stay_numbers_and_formula_names_are_defused(book):
    text = export(book, "partners")
    table = rows(text)
    card = dict(zip(table[0], table[1], strict=True))
    assert card["partner"] == "'=Evil Partner"
    assert card["profit"] == "-5000.00"
    assert card["roi_pct"] == "-100.0"
    assert "\n1,'=Evil Partner,referral,0.00,0.00,5000.00,-5000.00,,-100.0," in text


def test_queue_in_queue_order(book):
    table = rows(export(book, "queue"))
    assert [r[1] for r in table[1:]] == ["00502", "00503"]  # 1800.00 x 23 days first
    first = dict(zip(table[0], table[1], strict=True))
    assert (first["open"], first["dpd"], first["priority"], first["status"]) == (
        "1800.00", "23", "41400.00", "new")  # 1800.00 x 23


def test_overview_has_headline_forecast_and_goals(book):
    table = rows(export(book, "overview"))
    assert table[0] == ["section", "figure", "value", "unit"]
    assert ["receivables", "AR total", "2440.25", "USD"] in table
    assert ["cash forecast", "week 1 (2026-11-24 to 2026-11-30)", "2440.25", "USD"] in table
    assert ["goals", "#1 revenue target", "1000.00", "USD"] in table
    assert ["goals", "#2 won_deals target", "3", "count"] in table


def test_goals_money_and_counts(book):
    table = rows(export(book, "goals", money="cents"))
    assert table[1][:6] == ["1", "revenue", "2026-11-01", "2026-11-30", "100000", "9999"]
    assert table[2][:6] == ["2", "won_deals", "2026-11-01", "2026-11-30", "3", "0"]


def test_pipeline_rows(book):
    table = rows(export(book, "pipeline"))
    assert ["funnel", "reached lead", "0", "count"] in table
    assert ["deals", "win rate", "", "%"] in table  # undefined: empty, not 0


def test_json_keeps_numbers_and_raw_text(book):
    data = json.loads(export(book, "aging", "json"))
    assert (data["pane"], data["as_of"], data["currency"], data["money"]) == (
        "aging", "2026-11-23", "USD", "decimal")
    assert data["rows"][1]["client"] == "@Home Networks"
    assert data["rows"][1]["total"] == 640.25
    cents = json.loads(export(book, "aging", "json", "cents"))
    assert cents["rows"][1]["total"] == 64025


def test_markdown_table(book):
    text = export(book, "aging", "md")
    lines = text.splitlines()
    assert lines[0].endswith("aging as of 2026-11-23 (money in USD)")
    assert lines[2] == "| client_id | client | current | 1-30 | 31-60 | 61-90 | 90+ | total |"
    assert lines[3] == "|---:|---|---:|---:|---:|---:|---:|---:|"
    assert lines[5] == "| 2 | '@Home Networks | 0.00 | 640.25 | 0.00 | 0.00 | 0.00 | 640.25 |"


@pytest.mark.parametrize("pane", PANES)
@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_every_pane_in_every_format(book, pane, fmt):
    assert export(book, pane, fmt).strip()


@pytest.mark.parametrize(("text", "expected"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1 555", "'+1 555"), ("-3 days", "'-3 days"),
    ("@Home", "'@Home"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Acme", "Acme"), ("", "")])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_csv_cells_by_type():
    t = Table(["money", "ratio", "count", "text", "none"],
              [[Money(-1250), -3.5, -2, "-5 overdue", None]])
    assert to_csv(t, "decimal") == "money,ratio,count,text,none\n-12.50,-3.5,-2,'-5 overdue,\n"
    assert to_csv(t, "cents").splitlines()[1] == "-1250,-3.5,-2,'-5 overdue,"


def test_write_export_and_default_name(tmp_path):
    from kpitui.transfer.export import export_filename, write_export

    name = export_filename("aging", "csv", AS_OF)
    assert name == "kpitui-aging-2026-11-23.csv"
    write_export(tmp_path / name, "a,b\n")
    assert (tmp_path / name).read_text() == "a,b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_every_pane_has_a_builder():
    from kpitui.transfer.export import BUILDERS

    assert tuple(BUILDERS) == PANES
