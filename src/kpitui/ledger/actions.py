"""Every write the app makes (LEDGER.md): one BEGIN IMMEDIATE transaction each, append-only.

Each function returns the ids it wrote, so the caller can reload just those rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from ..text import clean_text
from .connection import Handle
from .errors import LedgerBusy, LedgerError, ReadOnlyLedger

NOTE_KINDS = ("call", "email", "note", "escalate", "dispute", "resolve")


@dataclass
class Written:
    """Ids of the rows one action appended (and whether it touched an invoice in place)."""

    followups: list[int] = field(default_factory=list)
    payments: list[int] = field(default_factory=list)
    invoices: list[int] = field(default_factory=list)   # written_off_on changed
    undoable: bool = True                                # False for an undo itself

    def rows(self) -> dict[str, list[int]]:
        """Table -> ids written: what load.refresh and receivables.carry_over take."""
        return {"followups": self.followups, "payments": self.payments,
                "invoices": self.invoices}

    def tables(self) -> set[str]:
        """The tables written to: what cockpit.compute's `changed` takes."""
        return {table for table, ids in self.rows().items() if ids}


@contextmanager
def transaction(handle: Handle) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error; busy and read-only in one line."""
    if handle.readonly:
        raise ReadOnlyLedger(f"read-only ledger ({handle.why_readonly}): nothing was written")
    conn = handle.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LedgerBusy("ledger busy: another program holds the write lock; "
                             "nothing was written, try again") from exc
        raise LedgerError(f"cannot write: {exc}") from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:    # an error may have ended it already (RAISE(ROLLBACK), I/O)
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise LedgerBusy("ledger busy: nothing was written, try again") from exc
        if isinstance(exc, sqlite3.Error):
            raise LedgerError(f"nothing was written: {exc}") from exc
        raise


def stamp(today: date) -> str:
    """A follow-up's `at`: the app's today with the current time of day."""
    return f"{today.isoformat()}T{datetime.now().strftime('%H:%M:%S')}"


def _insert_followup(conn: sqlite3.Connection, invoice_id: int, at: str, kind: str,
                     note: str | None = None, *, promised_on: date | None = None,
                     promised_cents: int | None = None, until: date | None = None,
                     by: str | None = None, undoes: int | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO followups (invoice_id, at, kind, note, promised_on, promised_cents, "
        "until, by, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (invoice_id, at, kind, clean_text(note) or None,
         promised_on.isoformat() if promised_on else None, promised_cents,
         until.isoformat() if until else None, clean_text(by) or None, undoes))
    return int(cur.lastrowid)


def _require_invoice(conn: sqlite3.Connection, invoice_id: int) -> tuple:
    row = conn.execute("SELECT id, number, void, written_off_on FROM invoices WHERE id = ?",
                       (invoice_id,)).fetchone()
    if row is None:
        raise LedgerError(f"invoice {invoice_id} no longer exists: nothing was written")
    return row


def log(handle: Handle, invoice_id: int, kind: str, note: str, today: date,
        by: str | None = None) -> Written:
    """A call, email, note, escalation, dispute or resolution: one follow-up row."""
    if kind not in NOTE_KINDS:
        raise ValueError(kind)
    with transaction(handle) as conn:
        _require_invoice(conn, invoice_id)
        return Written(followups=[_insert_followup(conn, invoice_id, stamp(today), kind, note,
                                                   by=by)])


def promise(handle: Handle, invoice_id: int, on: date, cents: int, today: date,
            note: str = "", by: str | None = None) -> Written:
    """A promise to pay `cents` on `on`."""
    with transaction(handle) as conn:
        _require_invoice(conn, invoice_id)
        fid = _insert_followup(conn, invoice_id, stamp(today), "promise", note,
                               promised_on=on, promised_cents=cents, by=by)
    return Written(followups=[fid])


def snooze(handle: Handle, invoice_id: int, until: date, today: date, note: str = "",
           by: str | None = None) -> Written:
    """Leave the queue until a date."""
    with transaction(handle) as conn:
        _require_invoice(conn, invoice_id)
        fid = _insert_followup(conn, invoice_id, stamp(today), "snooze", note, until=until,
                               by=by)
    return Written(followups=[fid])


def payment(handle: Handle, invoice_id: int, cents: int, paid_on: date, method: str,
            today: date, by: str | None = None) -> Written:
    """A payments row plus a `payment` follow-up that names it."""
    with transaction(handle) as conn:
        _require_invoice(conn, invoice_id)
        cur = conn.execute("INSERT INTO payments (invoice_id, paid_on, amount_cents, method) "
                           "VALUES (?, ?, ?, ?)", (invoice_id, paid_on.isoformat(), cents,
                                                   method))
        pid = int(cur.lastrowid)
        fid = _insert_followup(conn, invoice_id, stamp(today), "payment", f"payment {pid}",
                               by=by)
    return Written(followups=[fid], payments=[pid])


def write_off(handle: Handle, invoice_id: int, today: date, note: str = "",
              by: str | None = None) -> Written:
    """Set written_off_on (the one column rewritten in place) and log a `writeoff`."""
    with transaction(handle) as conn:
        row = _require_invoice(conn, invoice_id)
        if row[3] is not None:
            raise LedgerError(f"invoice {row[1]} is already written off: nothing was written")
        conn.execute("UPDATE invoices SET written_off_on = ? WHERE id = ?",
                     (today.isoformat(), invoice_id))
        fid = _insert_followup(conn, invoice_id, stamp(today), "writeoff", note, by=by)
    return Written(followups=[fid], invoices=[invoice_id])


def undo(handle: Handle, followup_id: int, today: date, by: str | None = None) -> Written:
    """Cancel a follow-up by appending an `undo`; reverse a payment; lift a write-off."""
    with transaction(handle) as conn:
        row = conn.execute("SELECT invoice_id, kind, note FROM followups WHERE id = ?",
                           (followup_id,)).fetchone()
        if row is None:
            raise LedgerError(f"follow-up {followup_id} does not exist: nothing was written")
        invoice_id, kind, note = row
        if conn.execute("SELECT 1 FROM followups WHERE kind = 'undo' AND undoes = ?",
                        (followup_id,)).fetchone():
            raise LedgerError("that action was already undone: nothing was written")
        written = Written(undoable=False)
        if kind == "payment":
            written.payments.append(_reverse_payment(conn, note))
        if kind == "writeoff":
            conn.execute("UPDATE invoices SET written_off_on = NULL WHERE id = ?",
                         (invoice_id,))
            written.invoices.append(invoice_id)
        written.followups.append(_insert_followup(conn, invoice_id, stamp(today), "undo",
                                                  f"undo {kind}", by=by, undoes=followup_id))
    return written


def _reverse_payment(conn: sqlite3.Connection, note: str | None) -> int:
    """Append the negative of the payment a `payment` follow-up names."""
    try:
        pid = int((note or "").split()[-1])
    except (ValueError, IndexError) as exc:
        raise LedgerError("the payment this follow-up records cannot be found") from exc
    pay = conn.execute("SELECT invoice_id, amount_cents, method, paid_on FROM payments "
                       "WHERE id = ?", (pid,)).fetchone()
    if pay is None:
        raise LedgerError(f"payment {pid} does not exist: nothing was written")
    # Dated like the payment it cancels, so the two net to nothing at every as-of date.
    cur = conn.execute("INSERT INTO payments (invoice_id, paid_on, amount_cents, method) "
                       "VALUES (?, ?, ?, ?)", (pay[0], pay[3], -pay[1], pay[2]))
    return int(cur.lastrowid)
