"""Tiny row builders for hand-made format-1 ledgers (plain sqlite3, sensible defaults).

Every KPI test starts from an empty ledger file, inserts a handful of rows with these helpers
and asks for the summary JSON. Dates are ISO strings; `day(n)` is D + n days for the fixed
as-of date D used by most tests.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

D = "2024-06-30"  # the as-of date most tests use (2024 is a leap year: D-365 = 2023-07-01)


def day(offset: int, base: str = D) -> str:
    """The ISO date `offset` calendar days after `base` (before it when negative)."""
    return (date.fromisoformat(base) + timedelta(days=offset)).isoformat()


class Book:
    """A ledger file plus a lazily opened autocommit sqlite3 connection for the builders.

    The connection is closed before every summary: kpitui reads through connectorx, whose own
    SQLite copy in the same process reads a stale snapshot (and breaks later sqlite3 opens with
    "disk I/O error") while a WAL connection of the stdlib sqlite3 stays open on the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("PRAGMA synchronous = OFF")  # test files: no fsync per row
        return self._conn

    def insert(self, table: str, **values: object) -> int:
        cols = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                                tuple(values.values()))
        return int(cur.lastrowid)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def open_book(path: Path) -> Book:
    """A Book on an existing (empty) ledger file, e.g. the `empty_ledger` fixture."""
    return Book(path)


def fresh_book(directory: Path | str) -> Book:
    """Create a new empty format-1 ledger in `directory` (for hypothesis, where no fixture runs)."""
    from kpitui.ledger import schema

    path = Path(directory) / "ledger.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.create(conn)
    conn.close()
    return Book(path)


def summary(db: Book, as_of: str = D) -> dict:
    """The summary JSON object of the ledger as of `as_of` (conftest.summary_for)."""
    from conftest import summary_for

    db.close()
    return summary_for(db.path, as_of)


def set_meta(db: Book, key: str, value: str) -> None:
    db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def add_partner(db: Book, id: int, name: str | None = None, *, kind: str = "referral",
                started_on: str | None = None, revenue_share_bp: int = 0,
                annual_target_cents: int | None = None) -> int:
    return db.insert("partners", id=id, name=name or f"Partner {id}", kind=kind,
                     started_on=started_on, revenue_share_bp=revenue_share_bp,
                     annual_target_cents=annual_target_cents)


def add_client(db: Book, id: int, name: str | None = None, *, autopay: int = 0,
               partner_id: int | None = None, since: str | None = None,
               churned_on: str | None = None, terms_days: int = 30) -> int:
    return db.insert("clients", id=id, name=name or f"Client {id}", autopay=autopay,
                     partner_id=partner_id, since=since, churned_on=churned_on,
                     terms_days=terms_days)


def add_invoice(db: Book, id: int, client_id: int, issued: str, due: str, cents: int, *,
                number: str | None = None, recurring: int = 0, void: int = 0,
                written_off_on: str | None = None) -> int:
    return db.insert("invoices", id=id, number=number or f"INV-{id:04d}", client_id=client_id,
                     issued_on=issued, due_on=due, amount_cents=cents, recurring=recurring,
                     void=void, written_off_on=written_off_on)


def add_payment(db: Book, invoice_id: int, paid_on: str, cents: int, *, method: str = "ach",
                id: int | None = None) -> int:
    return db.insert("payments", id=id, invoice_id=invoice_id, paid_on=paid_on,
                     amount_cents=cents, method=method)


def add_followup(db: Book, invoice_id: int, kind: str, at: str, *,
                 promised_on: str | None = None, promised_cents: int | None = None,
                 until: str | None = None, undoes: int | None = None, note: str | None = None,
                 id: int | None = None) -> int:
    """`at` may be a date (10:00 that day is used) or a full timestamp."""
    stamp = at if "T" in at else f"{at}T10:00:00"
    return db.insert("followups", id=id, invoice_id=invoice_id, at=stamp, kind=kind, note=note,
                     promised_on=promised_on, promised_cents=promised_cents, until=until,
                     by="tester", undoes=undoes)


def add_opp(db: Book, id: int, created_on: str, *, qualified_on: str | None = None,
            appointment_on: str | None = None, proposal_on: str | None = None,
            closed_on: str | None = None, outcome: str | None = None, mrr_cents: int = 0,
            onetime_cents: int = 0, upsell_offered: int = 0, upsell_taken: int = 0,
            partner_id: int | None = None, client_id: int | None = None,
            name: str | None = None) -> int:
    return db.insert("opportunities", id=id, name=name or f"Deal {id}", client_id=client_id,
                     partner_id=partner_id, source="web", owner="rep",
                     created_on=created_on, qualified_on=qualified_on,
                     appointment_on=appointment_on, proposal_on=proposal_on,
                     closed_on=closed_on, outcome=outcome, mrr_cents=mrr_cents,
                     onetime_cents=onetime_cents, upsell_offered=upsell_offered,
                     upsell_taken=upsell_taken)


def add_cost(db: Book, partner_id: int, incurred_on: str, cents: int, *,
             category: str = "marketing", id: int | None = None) -> int:
    return db.insert("partner_costs", id=id, partner_id=partner_id, incurred_on=incurred_on,
                     amount_cents=cents, category=category, note=None)


def add_goal(db: Book, id: int, metric: str, start: str, end: str, target: int) -> int:
    return db.insert("goals", id=id, metric=metric, period_start=start, period_end=end,
                     target=target)
