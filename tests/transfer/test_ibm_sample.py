"""IBM's public AR sample (settled dates): each invoice plus its payment on SettledDate."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal

import pytest

from conftest import summary_for

from .helpers import IBM, IBM_MAP, query, run_import

pytestmark = pytest.mark.skipif(not IBM.exists(), reason="IBM sample not present")


def by_hand() -> tuple[int, int, dict[str, tuple[str, str, int]]]:
    """Invoice count, total cents, and number -> (issued, settled, cents), with csv + Decimal."""
    with IBM.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def iso(text: str) -> str:
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()

    each = {r["invoiceNumber"]: (iso(r["InvoiceDate"]), iso(r["SettledDate"]),
                                 int(Decimal(r["InvoiceAmount"]) * 100)) for r in rows}
    return len(rows), sum(c for _, _, c in each.values()), each


def test_ibm_sample_imports_by_map(empty_ledger):
    count, total, each = by_hand()
    out = run_import(empty_ledger, IBM, maps=IBM_MAP)
    assert out.lines()[-1] == f"added {100 + 2 * count}, updated 0, unchanged 0"
    assert query(empty_ledger, "SELECT count(*), sum(amount_cents) FROM invoices") == [
        (2466, total)]
    assert count == 2466
    assert query(empty_ledger, "SELECT count(*) FROM clients") == [(100,)]
    assert query(empty_ledger, "SELECT count(*), sum(amount_cents) FROM payments") == [
        (2466, total)]
    rows = query(empty_ledger, "SELECT i.number, i.issued_on, p.paid_on, i.amount_cents "
                               "FROM invoices i JOIN payments p ON p.invoice_id = i.id")
    assert {n: (a, b, c) for n, a, b, c in rows} == each
    assert "0000611365" in each  # leading zeros kept


def test_ibm_sample_reimport_changes_nothing_and_is_settled(empty_ledger):
    run_import(empty_ledger, IBM, maps=IBM_MAP)
    again = run_import(empty_ledger, IBM, maps=IBM_MAP)
    assert again.lines()[-1] == "added 0, updated 0, unchanged 4932"
    summary = summary_for(empty_ledger, "2014-01-31")  # after the last settlement
    assert summary["receivables"]["total_cents"] == 0
    assert summary["receivables"]["credits_cents"] == 0
