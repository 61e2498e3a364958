"""The columns a lean read leaves out (fetch.LEAN) and looks up for a few rows afterwards.

`summary` on a big ledger reads invoices without `number` and payments without `method`, then
reads the queue's numbers and the last 90 days' methods by id (Ledger.lookup). Like every KPI
test this runs through the three readers; the figures, the set-apart rows and the cleaned
text must be the same through each. D = 2024-06-30.
"""

from __future__ import annotations

import sqlite3

from faults.builders import LOOSE_DDL

from .builders import Book, D, day, summary

BETWEEN = range(3, 50)   # invoices 3..49: paid in full, so the queue's ids are 1 and 50


def loose_ledger(db: Book) -> Book:
    """A hand-made ledger (no NOT NULL anywhere) in place of the fixture's format-1 file."""
    db.close()
    db.path.unlink()
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.executescript(LOOSE_DDL)
    conn.close()
    return db


def fill(db: Book) -> None:
    db.insert("meta", key="as_of", value=D)
    db.insert("clients", id=1, name="Northwind", terms_days=30, autopay=0)
    row = {"client_id": 1, "recurring": 0, "void": 0}
    db.insert("invoices", id=1, number="A-1", issued_on=day(-70), due_on=day(-40),
              amount_cents=100_000, **row)
    # No number: the row counts nowhere (its 5,000 is in no figure).
    db.insert("invoices", id=2, number=None, issued_on=day(-70), due_on=day(-40),
              amount_cents=5_000, **row)
    for i in BETWEEN:
        db.insert("invoices", id=i, number=f"P-{i}", issued_on=day(-300), due_on=day(-270),
                  amount_cents=1_000, **row)
        db.insert("payments", id=i, invoice_id=i, paid_on=day(-265), amount_cents=1_000,
                  method="check")
    # A number holding an escape sequence and a line break: shown inert, on one line.
    db.insert("invoices", id=50, number="Z\x1b[31m-50\nX", issued_on=day(-50),
              due_on=day(-20), amount_cents=30_000, **row)
    # The last 90 days' receipts (ids 60..62): one method with a tab in it.
    db.insert("payments", id=60, invoice_id=1, paid_on=day(-10), amount_cents=30_000,
              method="card")
    db.insert("payments", id=61, invoice_id=1, paid_on=day(-5), amount_cents=10_000,
              method="ach\t")
    db.insert("payments", id=62, invoice_id=50, paid_on=day(-3), amount_cents=10_000,
              method="card")


def read(db: Book, *, lean: bool):
    """The ledger loaded in-process, through a lean read or not."""
    from kpitui.ledger import fetch
    from kpitui.ledger.connection import open_ledger
    from kpitui.ledger.load import load

    db.close()
    handle = open_ledger(db.path)
    try:
        return load(handle, fetch.start(handle, lean))
    finally:
        handle.close()


def test_left_out_columns_are_looked_up_for_their_rows(db, reader):
    fill(loose_ledger(db))
    got = summary(db)

    # Open: invoice 1 100000 - 40000 = 60000 (40 days past due, 31-60), invoice 50 30000 -
    # 10000 = 20000 (20 days, 1-30). Invoice 2 has no number: set apart, in no figure.
    rec = got["receivables"]
    assert rec["total_cents"] == 80_000
    assert rec["buckets"] == {"current": 0, "1-30": 20_000, "31-60": 60_000, "61-90": 0,
                              "90+": 0}
    assert [(w["table"], w["what"], w["count"], w["ids"]) for w in got["data_warnings"]] == [
        ("invoices", "rows without a readable number", 1, [2])]
    # Priorities: 60000 x 40 = 2,400,000 and 20000 x 20 = 400,000.
    assert [(q["invoice_id"], q["number"], q["priority"]) for q in got["collections_queue"]] \
        == [(1, "A-1", 2_400_000), (50, "Z[31m-50 X", 400_000)]
    # Positive receipts in (D-90, D]: card 30000 + 10000, "ach\t" (made "ach ") 10000.
    assert rec["payment_mix_pct"] == {"card": 80.0, "ach ": 20.0}


def test_a_lean_read_leaves_the_columns_out(db, reader):
    """The test above would pass without any lean read: this one shows it happened."""
    fill(loose_ledger(db))
    led = read(db, lean=reader == "lean")
    if reader == "lean":
        # (followups and opportunities are empty here: an empty table is read the careful
        # way, every column)
        assert led.deferred == {"invoices": ("number",), "payments": ("method",),
                                "clients": ("email", "phone")}
        assert "number" not in led.invoices.columns and "method" not in led.payments.columns
    else:
        assert led.deferred == {}
    assert led.invoices["id"].to_list() == [1, *BETWEEN, 50]


def test_a_long_run_of_ids_is_looked_up_whole(db, reader):
    """25,000 payments in a row: a lean lookup reads them as one range, in two halves."""
    count = 25_000
    db.insert("clients", id=1, name="Northwind")
    db.insert("invoices", id=1, number="A-1", client_id=1, issued_on=day(-70),
              due_on=day(-40), amount_cents=count)
    db.conn.executemany(
        "INSERT INTO payments (id, invoice_id, paid_on, amount_cents, method) "
        "VALUES (?, 1, ?, 1, ?)",
        [(i, day(-(i % 60)), "card" if i % 3 else "ach") for i in range(1, count + 1)])
    led = read(db, lean=reader == "lean")
    ids = led.payments["id"]
    methods = led.lookup("payments", "method", ids).sort("id")
    assert methods["id"].to_list() == list(range(1, count + 1))
    assert methods["method"].to_list() == ["card" if i % 3 else "ach"
                                           for i in range(1, count + 1)]
