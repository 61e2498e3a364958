"""Shared helpers for the import/export tests: fixture paths, importing, reading rows back."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
IBM = Path("/work/shared/data/ibm-accounts-receivable.csv")
IBM_MAP = ("invoiceNumber=number", "customerID=client", "InvoiceDate=issued_on",
           "DueDate=due_on", "InvoiceAmount=amount", "SettledDate=paid_on")
TODAY = date(2026, 11, 23)


def run_import(ledger: Path, name: str | Path, **options):
    """Import a tests/data file (or any path) into the ledger; the Outcome."""
    from kpitui.transfer.importer import import_file

    path = name if isinstance(name, Path) else DATA / name
    options.setdefault("today", TODAY)
    return import_file(ledger, path, **options)


def query(ledger: Path, sql: str, *args) -> list[tuple]:
    """Rows of a query in autocommit mode, on a connection closed before returning."""
    conn = sqlite3.connect(ledger, isolation_level=None)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def invoices(ledger: Path) -> list[tuple]:
    """(number, client, issued_on, due_on, amount_cents, recurring, void, written_off_on)."""
    return query(ledger, "SELECT i.number, c.name, i.issued_on, i.due_on, i.amount_cents, "
                         "i.recurring, i.void, i.written_off_on FROM invoices i "
                         "JOIN clients c ON c.id = i.client_id ORDER BY i.id")


def payments(ledger: Path) -> list[tuple]:
    """(invoice number, paid_on, amount_cents, method) in id order."""
    return query(ledger, "SELECT i.number, p.paid_on, p.amount_cents, p.method FROM payments p "
                         "JOIN invoices i ON i.id = p.invoice_id ORDER BY p.id")


def clients(ledger: Path) -> list[tuple]:
    """(id, name, email, terms_days) in id order."""
    return query(ledger, "SELECT id, name, email, terms_days FROM clients ORDER BY id")


def dump(ledger: Path) -> list[str]:
    """Every statement of an SQL dump: equal dumps mean nothing was written."""
    conn = sqlite3.connect(ledger)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
