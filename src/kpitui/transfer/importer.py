"""Plan an import against the ledger, then apply it in one BEGIN IMMEDIATE transaction.

Clients are matched by name (created when unseen), invoices upserted by number (fields
updated to match the source, each change reported), payments by (invoice, date, amount):
importing the same file twice changes nothing. An export that gives amount and open balance
but no payment dates becomes, per invoice, one payment for the paid part, dated on the
report's date (else the import date), method 'other'.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..kpis.money import fmt_money
from ..ledger.connection import open_ledger
from ..ledger.errors import LedgerError
from . import formats
from .csvread import CsvRefused, Refusal
from .formats import InvoiceIn, PaymentIn, Record, Source

TABLE_ORDER = ["partners", "clients", "invoices", "payments", "opportunities"]
SHOWN_REFUSALS = 5
SHOWN_ADDS = 20
CHUNK = 500
INVOICE_COLUMNS = ("id", "number", "client_id", "issued_on", "due_on", "amount_cents",
                   "recurring", "void", "written_off_on")
# Generic record fields -> ledger columns, per table; (name) references resolve to ids.
SIMPLE = {
    "clients": {"name": "name", "email": "email", "phone": "phone", "terms_days": "terms_days",
                "autopay": "autopay", "partner": "partner_id", "since": "since",
                "churned_on": "churned_on"},
    "partners": {"name": "name", "kind": "kind", "started_on": "started_on",
                 "revenue_share_bp": "revenue_share_bp",
                 "annual_target": "annual_target_cents"},
    "opportunities": {"name": "name", "client": "client_id", "partner": "partner_id",
                      "source": "source", "owner": "owner", "created_on": "created_on",
                      "qualified_on": "qualified_on", "appointment_on": "appointment_on",
                      "proposal_on": "proposal_on", "closed_on": "closed_on",
                      "outcome": "outcome", "mrr": "mrr_cents", "onetime": "onetime_cents",
                      "upsell_offered": "upsell_offered", "upsell_taken": "upsell_taken"},
}
NOT_NULL = {"name", "kind", "terms_days", "autopay", "revenue_share_bp", "created_on",
            "mrr_cents", "onetime_cents", "upsell_offered", "upsell_taken"}


class ImportRefused(LedgerError):
    """The file (or some of its rows) cannot be imported; nothing was written."""


@dataclass(frozen=True)
class Ref:
    """The id of a row added earlier in the same plan."""

    key: tuple


@dataclass
class Op:
    """One row to add or update."""

    table: str
    action: str                    # add | update
    label: str
    values: dict[str, object]
    row_id: int | None = None
    key: tuple | None = None       # an added row's id is remembered under this key
    changes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What the import would do."""

    ops: list[Op] = field(default_factory=list)
    unchanged: int = 0
    inferred: int = 0
    pay_date: date | None = None
    refusals: list[Refusal] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many rows the plan adds (or updates)."""
        return sum(op.action == action for op in self.ops)


def name_key(name: str) -> str:
    """Names match ignoring case and runs of spaces."""
    return " ".join(name.split()).casefold()


def iso(value: object) -> object:
    """Dates as LEDGER.md text; other values unchanged."""
    return value.isoformat() if isinstance(value, date) else value


class Planner:
    """Compares the source with the ledger (read inside the import's transaction)."""

    def __init__(self, conn: sqlite3.Connection, src: Source, today: date) -> None:
        self.conn, self.src, self.today = conn, src, today
        self.plan = Plan()
        self.currency = meta(conn, "currency") or "USD"
        self.names = {t: names(conn, t) for t in ("clients", "partners")}
        self.label_of: dict[object, str] = {}

    def money(self, cents: int) -> str:
        """Cents in the ledger's currency, for the summary."""
        return fmt_money(cents, self.currency)

    def refuse(self, row: int, reason: str) -> None:
        """Refuse one row of the file (the whole import is then refused)."""
        self.plan.refusals.append(Refusal(row, reason))

    def add(self, table: str, label: str, values: dict, key: tuple | None = None) -> Ref:
        """Plan a new row; its id will be known under `key`."""
        self.plan.ops.append(Op(table, "add", label, values, key=key))
        return Ref(key) if key else Ref(("", len(self.plan.ops)))

    def named(self, table: str, name: str, *, create: bool, email: str | None = None
              ) -> int | Ref | None:
        """The id of the client/partner called `name` (a new client when `create`)."""
        key = name_key(name)
        found = self.names[table].get(key)
        if found is None and create:
            found = self.add(table, f"client {name!r}",
                             {"name": name, **({"email": email} if email else {})},
                             key=(table, key))
            self.names[table][key] = found
        if found is not None:
            self.label_of[found] = name
        return found


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    """One meta value."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def names(conn: sqlite3.Connection, table: str) -> dict[str, int]:
    """name key -> id (the lowest id when two rows share a name)."""
    out: dict[str, int] = {}
    for rid, name in conn.execute(f"SELECT id, name FROM {table} ORDER BY id DESC"):
        out[name_key(str(name or ""))] = rid
    return out


def chunks(items: list, size: int = CHUNK):
    """Consecutive slices of at most `size` items."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def existing_invoices(conn: sqlite3.Connection, numbers: list[str]) -> dict[str, dict]:
    """number -> the ledger's invoice row, for the numbers the file names."""
    out = {}
    for part in chunks(sorted(set(numbers))):
        marks = ", ".join("?" * len(part))
        sql = f"SELECT {', '.join(INVOICE_COLUMNS)} FROM invoices WHERE number IN ({marks})"
        for row in conn.execute(sql, part):
            out[row[1]] = dict(zip(INVOICE_COLUMNS, row, strict=True))
    return out


def existing_payments(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[tuple]]:
    """invoice id -> [(paid_on, amount_cents)] of its payments."""
    out: dict[int, list[tuple]] = {}
    for part in chunks(sorted(set(ids))):
        marks = ", ".join("?" * len(part))
        sql = ("SELECT invoice_id, paid_on, amount_cents FROM payments "
               f"WHERE invoice_id IN ({marks})")
        for inv, paid_on, cents in conn.execute(sql, part):
            out.setdefault(inv, []).append((str(paid_on), cents))
    return out


def plan_invoices(p: Planner) -> None:
    """Clients, invoices and their payments from an invoices file."""
    src = p.src
    have = existing_invoices(p.conn, [i.number for i in src.invoices])
    pays = existing_payments(p.conn, [r["id"] for r in have.values()])
    p.plan.pay_date = src.report_date or p.today
    seen: dict[str, InvoiceIn] = {}
    for inv in src.invoices:
        if inv.currency and inv.currency.strip().upper() != p.currency:
            p.refuse(inv.row, f"currency {inv.currency}, but this ledger keeps {p.currency}")
        elif inv.number in seen:
            p.refuse(inv.row, f"invoice {inv.number} again (first in row {seen[inv.number].row})")
        else:
            seen[inv.number] = inv
            client = p.named("clients", inv.client, create=True, email=inv.email)
            row = have.get(inv.number)
            ref, amount = upsert_invoice(p, inv, row, client)
            plan_invoice_payments(p, inv, ref, amount, pays.get(row["id"], []) if row else [])


def upsert_invoice(p: Planner, inv: InvoiceIn, row: dict | None, client: int | Ref
                   ) -> tuple[int | Ref, int]:
    """Add the invoice, or update the fields that differ; (its id or Ref, its amount)."""
    amount = inv.amount_cents
    if amount is None:
        amount = row["amount_cents"] if row else inv.open_cents or 0
    want = {"client_id": client, "issued_on": iso(inv.issued_on), "due_on": iso(inv.due_on),
            "amount_cents": amount, **{k: iso(v) for k, v in inv.extra.items()}}
    if row is None:
        label = f"invoice {inv.number} ({inv.client}, {p.money(amount)}, due {inv.due_on})"
        return p.add("invoices", label, {"number": inv.number, **want},
                     key=("invoices", inv.number)), amount
    changes = {k: v for k, v in want.items() if v != row[k]}
    if not changes:
        p.plan.unchanged += 1
        return row["id"], amount
    said = [change_text(p, k, row[k], v) for k, v in changes.items()]
    p.plan.ops.append(Op("invoices", "update", f"invoice {inv.number}", changes,
                         row_id=row["id"], changes=said))
    return row["id"], amount


def change_text(p: Planner, column: str, old: object, new: object) -> str:
    """'due_on 2026-10-01 -> 2026-10-15' (client names and money shown as a person reads them)."""
    if column == "client_id":
        found = p.conn.execute("SELECT name FROM clients WHERE id = ?", (old,)).fetchone()
        return f"client {found[0] if found else old!r} -> {p.label_of.get(new, new)}"
    if column.endswith("_cents") and isinstance(old, int) and isinstance(new, int):
        return f"{column.removesuffix('_cents')} {p.money(old)} -> {p.money(new)}"
    return f"{column} {old} -> {new}"


def plan_invoice_payments(p: Planner, inv: InvoiceIn, ref: int | Ref, amount: int,
                          old: list[tuple]) -> None:
    """Dated payments by (invoice, date, amount); the paid part of an open-balance export."""
    left = Counter(old)
    known = list(old)
    for pay in inv.payments:
        if match_payment(p, left, pay, ref):
            continue
        known.append((iso(pay.paid_on), pay.amount_cents))
    if inv.open_cents is None:
        return
    on = p.plan.pay_date.isoformat()
    diff = amount - inv.open_cents - sum(c for d, c in known if d <= on)
    if diff:
        p.plan.inferred += 1
        p.add("payments", f"payment on {inv.number}: {on} {p.money(diff)} other (paid part)",
              {"invoice_id": ref, "paid_on": on, "amount_cents": diff, "method": "other"})


def match_payment(p: Planner, left: Counter, pay: PaymentIn, ref: int | Ref) -> bool:
    """Count a payment the ledger already has as unchanged; otherwise plan to add it."""
    key = (iso(pay.paid_on), pay.amount_cents)
    if left[key] > 0:
        left[key] -= 1
        p.plan.unchanged += 1
        return True
    p.add("payments", f"payment on {pay.invoice}: {key[0]} {p.money(pay.amount_cents)} "
                      f"{pay.method}",
          {"invoice_id": ref, "paid_on": key[0], "amount_cents": pay.amount_cents,
           "method": pay.method})
    return False


def plan_payments(p: Planner) -> None:
    """A payments file: each row names an invoice the ledger already has."""
    have = existing_invoices(p.conn, [x.invoice for x in p.src.payments])
    pays = existing_payments(p.conn, [r["id"] for r in have.values()])
    left = {inv_id: Counter(rows) for inv_id, rows in pays.items()}
    for pay in p.src.payments:
        row = have.get(pay.invoice)
        if row is None:
            p.refuse(pay.row, f"no invoice numbered {pay.invoice!r} in the ledger")
        else:
            match_payment(p, left.setdefault(row["id"], Counter()), pay, row["id"])


def record_key(table: str, values: dict) -> tuple:
    """Clients and partners by name; opportunities by name and created_on."""
    key = (name_key(str(values["name"])),)
    return key + (values["created_on"],) if table == "opportunities" else key


def columns_of(p: Planner, table: str, rec: Record) -> dict[str, object] | None:
    """A record's values as ledger columns, references resolved (None: refused)."""
    out = {}
    for name, value in rec.values.items():
        column = SIMPLE[table].get(name)
        if column is None:
            continue
        if column in ("client_id", "partner_id") and value is not None:
            ref_table = "clients" if column == "client_id" else "partners"
            value = p.named(ref_table, str(value), create=False)
            if value is None:
                p.refuse(rec.row, f"no {ref_table[:-1]} named {rec.values[name]!r} in the ledger")
                return None
        out[column] = iso(value)
    return out


def plan_records(p: Planner) -> None:
    """Clients, partners or opportunities: upsert by their natural key."""
    table = p.src.kind
    cols = sorted(set(SIMPLE[table].values()))
    current = {}
    for row in p.conn.execute(f"SELECT id, {', '.join(cols)} FROM {table} ORDER BY id DESC"):
        values = dict(zip(["id", *cols], row, strict=True))
        current[record_key(table, {**values, "name": values["name"] or ""})] = values
    seen: dict[tuple, int] = {}
    for rec in p.src.records:
        values = columns_of(p, table, rec)
        if values is None:
            continue
        key = record_key(table, values)
        if key in seen:
            p.refuse(rec.row, f"{values['name']!r} again (first in row {seen[key]})")
            continue
        seen[key] = rec.row
        upsert_record(p, table, values, current.get(key))


def upsert_record(p: Planner, table: str, values: dict, row: dict | None) -> None:
    """Add a record, or update the columns the file gives that differ."""
    label = f"{table[:-1]} {values['name']!r}"
    if row is None:
        p.add(table, label, {k: v for k, v in values.items() if v is not None})
        return
    changes = {k: v for k, v in values.items()
               if v != row[k] and not (v is None and k in NOT_NULL)}
    if not changes:
        p.plan.unchanged += 1
        return
    said = [f"{k} {row[k]} -> {v}" for k, v in changes.items()]
    p.plan.ops.append(Op(table, "update", label, changes, row_id=row["id"], changes=said))


def make_plan(conn: sqlite3.Connection, src: Source, today: date) -> Plan:
    """Everything the import would add and change."""
    p = Planner(conn, src, today)
    if src.kind == "invoices":
        plan_invoices(p)
    elif src.kind == "payments":
        plan_payments(p)
    else:
        plan_records(p)
    return p.plan


def apply(conn: sqlite3.Connection, plan: Plan) -> None:
    """Write the plan (inside the caller's transaction); Refs become the new rows' ids."""
    ids: dict[tuple, int] = {}
    for op in plan.ops:
        values = {k: ids[v.key] if isinstance(v, Ref) else v for k, v in op.values.items()}
        if op.action == "add":
            marks = ", ".join("?" * len(values))
            cur = conn.execute(f"INSERT INTO {op.table} ({', '.join(values)}) VALUES ({marks})",
                               list(values.values()))
            if op.key:
                ids[op.key] = cur.lastrowid
        else:
            sets = ", ".join(f"{c} = ?" for c in values)
            conn.execute(f"UPDATE {op.table} SET {sets} WHERE id = ?",
                         [*values.values(), op.row_id])


def refusal_message(path: Path, refusals: list[Refusal]) -> str:
    """One line: the first refused rows, by number, with their reasons."""
    ordered = sorted(refusals, key=lambda r: r.row)
    shown = "; ".join(r.line() for r in ordered[:SHOWN_REFUSALS])
    more = len(ordered) - SHOWN_REFUSALS
    tail = f"; and {more} more refused row(s)" if more > 0 else ""
    return f"{path.name} refused, nothing imported: {shown}{tail}"


@dataclass
class Outcome:
    """What an import did (or, for a dry run, would do)."""

    path: Path
    source: Source
    plan: Plan
    dry_run: bool

    def lines(self) -> list[str]:
        """The summary printed after an import; the last line is the count."""
        src, plan = self.source, self.plan
        when = f", report date {src.report_date}" if src.report_date else ""
        out = [f"{self.path.name}: {src.layout.label}{when}"]
        out += [f"note: {n}" for n in src.notes]
        out += op_lines(plan, self.dry_run)
        if plan.inferred:
            said = "the date the report states" if src.report_date else "the import date"
            out.append(f"note: the file gives amounts and open balances but no payment dates: "
                       f"{plan.inferred} invoice(s) get one payment for the paid part, dated "
                       f"{plan.pay_date} ({said}), method 'other'")
        counts = (f"added {plan.count('add')}, updated {plan.count('update')}, "
                  f"unchanged {plan.unchanged}")
        return out + [f"dry run, nothing written: {counts}" if self.dry_run else counts]


def op_lines(plan: Plan, dry_run: bool) -> list[str]:
    """Each update's changes; the additions (counted per table when there are many)."""
    add, update = ("would add", "would update") if dry_run else ("add", "update")
    out = []
    by_table: dict[str, list[Op]] = {}
    for op in plan.ops:
        if op.action == "add":
            by_table.setdefault(op.table, []).append(op)
        else:
            out += [f"{update} {op.label}: {c}" for c in op.changes]
    for table in sorted(by_table, key=TABLE_ORDER.index):
        ops = by_table[table]
        if len(ops) <= SHOWN_ADDS:
            out += [f"{add} {op.label}" for op in ops]
        else:
            out.append(f"{add} {len(ops)} {table}")
    return out


def import_date(conn: sqlite3.Connection) -> date:
    """Today for the ledger: its pinned meta.as_of, else the machine's date."""
    try:
        return date.fromisoformat(meta(conn, "as_of") or "")
    except ValueError:
        return date.today()


def read_source(path: Path, **options) -> Source:
    """formats.read, with every refusal turned into ImportRefused (one line)."""
    try:
        src = formats.read(path, **options)
    except CsvRefused as exc:
        raise ImportRefused(f"{path.name} refused, nothing imported: {exc}") from None
    if src.refusals:
        raise ImportRefused(refusal_message(path, src.refusals))
    return src


def import_file(ledger: Path | str, path: Path, *, fmt: str = "auto", kind: str | None = None,
                maps: tuple[str, ...] = (), date_format: str | None = None,
                dry_run: bool = False, today: date | None = None) -> Outcome:
    """Read FILE, plan against the ledger and (unless dry_run) apply it all in one transaction."""
    src = read_source(path, fmt=fmt, kind=kind, maps=maps, date_format=date_format)
    handle = open_ledger(ledger, readonly=dry_run)
    if handle.readonly and not dry_run:
        handle.close()
        raise LedgerError(f"{handle.path} cannot be written ({handle.why_readonly}); "
                          f"nothing imported")
    try:
        plan = run(handle.conn, src, path, dry_run, today)
    finally:
        handle.close()
    return Outcome(path, src, plan, dry_run)


def run(conn: sqlite3.Connection, src: Source, path: Path, dry_run: bool,
        today: date | None) -> Plan:
    """Plan and apply inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error)."""
    if not dry_run:
        conn.execute("BEGIN IMMEDIATE")
    try:
        plan = make_plan(conn, src, today or import_date(conn))
        if plan.refusals:
            raise ImportRefused(refusal_message(path, plan.refusals))
        if not dry_run:
            apply(conn, plan)
            conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return plan
