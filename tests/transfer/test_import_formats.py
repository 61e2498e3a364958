"""Each hand-written export in tests/data imports row by row into a fresh ledger."""

from __future__ import annotations

from conftest import summary_for

from .helpers import clients, invoices, payments, run_import


def test_qbo_invoice_list(empty_ledger):
    out = run_import(empty_ledger, "qbo-invoice-list.csv")
    assert out.source.layout.name == "qbo-invoices"
    assert out.source.report_date.isoformat() == "2026-11-23"  # the report's run-time footer
    assert clients(empty_ledger) == [(1, "Bluefin Dental Group", None, 30),
                                     (2, "Cedar Lane Law", None, 30),
                                     (3, "Marigold Bakery, Inc.", None, 30)]
    assert invoices(empty_ledger) == [
        ("1001", "Bluefin Dental Group", "2026-10-01", "2026-10-31", 125000, 0, 0, None),
        ("1002", "Cedar Lane Law", "2026-10-05", "2026-11-04", 480000, 0, 0, None),
        ("1003", "Bluefin Dental Group", "2026-10-15", "2026-11-14", 95000, 0, 0, None),
        ("01004", "Marigold Bakery, Inc.", "2026-11-01", "2026-12-01", 210050, 0, 0, None)]
    # amount - open balance, paid on the report's date
    assert payments(empty_ledger) == [("1002", "2026-11-23", 480000, "other"),
                                      ("1003", "2026-11-23", 50000, "other")]
    lines = out.lines()
    assert lines[-1] == "added 9, updated 0, unchanged 0"
    assert any("no payment dates" in line and "2026-11-23" in line for line in lines)
    rec = summary_for(empty_ledger, "2026-11-23")["receivables"]
    assert rec["total_cents"] == 125000 + 45000 + 210050
    assert rec["buckets"] == {"current": 210050, "1-30": 125000 + 45000, "31-60": 0,
                              "61-90": 0, "90+": 0}
    assert rec["collected_30d_cents"] == 480000 + 50000


def test_qbo_aging_detail(empty_ledger):
    out = run_import(empty_ledger, "qbo-ar-aging-detail.csv")
    assert out.source.layout.name == "qbo-aging"
    assert out.source.report_date.isoformat() == "2026-11-23"  # "As of November 23, 2026"
    assert [c[1] for c in clients(empty_ledger)] == ["Bluefin Dental Group", "Cedar Lane Law",
                                                     "Osprey Freight Co."]
    assert invoices(empty_ledger) == [
        ("2001", "Bluefin Dental Group", "2026-11-10", "2026-12-10", 150000, 0, 0, None),
        ("2002", "Cedar Lane Law", "2026-10-12", "2026-11-11", 300000, 0, 0, None),
        ("2003", "Osprey Freight Co.", "2026-09-15", "2026-10-15", 225000, 0, 0, None),
        ("2004", "Osprey Freight Co.", "2026-06-01", "2026-07-01", 80000, 0, 0, None)]
    assert payments(empty_ledger) == [("2002", "2026-11-23", 200000, "other"),
                                      ("2004", "2026-11-23", 20000, "other")]
    lines = out.lines()
    assert any("row 11: skipped, a Credit Memo" in line for line in lines)
    assert lines[-1] == "added 9, updated 0, unchanged 0"
    summary = summary_for(empty_ledger, "2026-11-23")
    assert summary["receivables"]["total_cents"] == 150000 + 100000 + 225000 + 60000
    assert summary["receivables"]["buckets"] == {"current": 150000, "1-30": 100000,
                                                 "31-60": 225000, "61-90": 0, "90+": 60000}
    assert [(a["client"], a["total"]) for a in summary["aging_by_client"]] == [
        ("Osprey Freight Co.", 285000), ("Bluefin Dental Group", 150000),
        ("Cedar Lane Law", 100000)]


def test_xero_invoices_grouped_by_number(empty_ledger):
    out = run_import(empty_ledger, "xero-invoices.csv")
    assert out.source.layout.name == "xero-invoices"
    assert clients(empty_ledger) == [(1, "Kestrel Analytics Ltd", "accounts@kestrel.example", 30),
                                     (2, "Tui Creative", "hello@tui.example", 30)]
    # INV-0001: lines 1000.00 + 150.00 plus tax 200.00 + 30.00; INV-0003 voided; draft skipped
    assert invoices(empty_ledger) == [
        ("INV-0001", "Kestrel Analytics Ltd", "2026-10-20", "2026-11-19", 138000, 0, 0, None),
        ("INV-0002", "Tui Creative", "2026-11-02", "2026-12-02", 60000, 0, 0, None),
        ("INV-0003", "Kestrel Analytics Ltd", "2026-11-05", "2026-12-05", 24000, 0, 1, None)]
    # no report date in an invoice export: the paid part is dated on the import date
    assert payments(empty_ledger) == [("INV-0001", "2026-11-23", 38000, "other"),
                                      ("INV-0002", "2026-11-23", 60000, "other")]
    assert any("status Draft" in line for line in out.lines())
    assert any("the import date" in line for line in out.lines())
    rec = summary_for(empty_ledger, "2026-11-23")["receivables"]
    assert rec["total_cents"] == 100000
    assert rec["buckets"]["1-30"] == 100000


def test_xero_aged_receivables(empty_ledger):
    out = run_import(empty_ledger, "xero-aged-receivables.csv")
    assert out.source.layout.name == "xero-aged"
    assert out.source.report_date.isoformat() == "2026-11-30"  # "As at 30 November 2026"
    assert invoices(empty_ledger) == [
        ("INV-0101", "Kestrel Analytics Ltd", "2026-10-15", "2026-11-14", 115000, 0, 0, None),
        ("INV-0107", "Kestrel Analytics Ltd", "2026-11-29", "2026-12-29", 57500, 0, 0, None),
        ("INV-0088", "Tui Creative", "2026-08-20", "2026-09-19", 92000, 0, 0, None)]
    assert payments(empty_ledger) == [("INV-0101", "2026-11-30", 15000, "other"),
                                      ("INV-0088", "2026-11-30", 12000, "other")]
    rec = summary_for(empty_ledger, "2026-11-30")["receivables"]
    assert rec["total_cents"] == 100000 + 57500 + 80000
    assert rec["buckets"] == {"current": 57500, "1-30": 100000, "31-60": 0, "61-90": 80000,
                              "90+": 0}


def test_generic_invoices_settle_day_first(empty_ledger):
    out = run_import(empty_ledger, "generic-invoices.csv")
    assert out.source.layout.name == "generic"
    assert invoices(empty_ledger) == [
        ("00501", "Juniper Vet Clinic", "2026-09-01", "2026-10-01", 180000, 1, 0, None),
        ("00502", "Juniper Vet Clinic", "2026-10-01", "2026-10-31", 180000, 1, 0, None),
        ("00503", "@Home Networks", "2026-10-15", "2026-11-14", 64025, 0, 0, None),
        ("00504", "Quill & Ink Stationers", "2026-11-03", "2026-12-03", 9999, 0, 0, None)]
    assert payments(empty_ledger) == [("00501", "2026-09-28", 180000, "ach"),
                                      ("00504", "2026-11-03", 9999, "card")]
    assert out.lines()[-1] == "added 9, updated 0, unchanged 0"
    summary = summary_for(empty_ledger, "2026-11-23")
    assert summary["receivables"]["total_cents"] == 180000 + 64025
    assert summary_for(empty_ledger, "2026-10-15")["receivables"]["mrr_cents"] == 180000


def test_cp1252_and_bom_files_read_the_same_names(empty_ledger, tmp_path):
    run_import(empty_ledger, "generic-cp1252.csv")
    assert invoices(empty_ledger) == [
        ("8001", "Café Olé Roasters", "2026-10-01", "2026-10-31", 25000, 0, 0, None),
        ("8002", "Naïve Design Studio", "2026-10-02", "2026-11-01", 7550, 0, 0, None)]
    again = run_import(empty_ledger, "generic-bom.csv")  # same rows, UTF-8 with a BOM
    assert again.lines()[-1] == "added 0, updated 0, unchanged 2"
