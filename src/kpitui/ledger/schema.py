"""Format-1 DDL, the ledger's identity (application_id / user_version), validation, migration."""

from __future__ import annotations

import sqlite3

from .errors import LedgerError

APPLICATION_ID = 0x4B504954  # "KPIT"
FORMAT_VERSION = 1

DDL = """
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE partners (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL,
  kind                TEXT NOT NULL DEFAULT 'referral',
  started_on          TEXT,
  revenue_share_bp    INTEGER NOT NULL DEFAULT 0,
  annual_target_cents INTEGER
);
CREATE TABLE clients (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT,
  phone      TEXT,
  terms_days INTEGER NOT NULL DEFAULT 30,
  autopay    INTEGER NOT NULL DEFAULT 0,
  partner_id INTEGER REFERENCES partners(id),
  since      TEXT,
  churned_on TEXT
);
CREATE TABLE invoices (
  id             INTEGER PRIMARY KEY,
  number         TEXT NOT NULL UNIQUE,
  client_id      INTEGER NOT NULL REFERENCES clients(id),
  issued_on      TEXT NOT NULL,
  due_on         TEXT NOT NULL,
  amount_cents   INTEGER NOT NULL CHECK (amount_cents >= 0),
  recurring      INTEGER NOT NULL DEFAULT 0,
  void           INTEGER NOT NULL DEFAULT 0,
  written_off_on TEXT
);
CREATE TABLE payments (
  id           INTEGER PRIMARY KEY,
  invoice_id   INTEGER NOT NULL REFERENCES invoices(id),
  paid_on      TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  method       TEXT NOT NULL DEFAULT 'other'
);
CREATE TABLE followups (
  id             INTEGER PRIMARY KEY,
  invoice_id     INTEGER NOT NULL REFERENCES invoices(id),
  at             TEXT NOT NULL,
  kind           TEXT NOT NULL,
  note           TEXT,
  promised_on    TEXT,
  promised_cents INTEGER,
  until          TEXT,
  by             TEXT,
  undoes         INTEGER REFERENCES followups(id)
);
CREATE TABLE opportunities (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  client_id      INTEGER REFERENCES clients(id),
  partner_id     INTEGER REFERENCES partners(id),
  source         TEXT,
  owner          TEXT,
  created_on     TEXT NOT NULL,
  qualified_on   TEXT,
  appointment_on TEXT,
  proposal_on    TEXT,
  closed_on      TEXT,
  outcome        TEXT CHECK (outcome IN ('won', 'lost')),
  mrr_cents      INTEGER NOT NULL DEFAULT 0,
  onetime_cents  INTEGER NOT NULL DEFAULT 0,
  upsell_offered INTEGER NOT NULL DEFAULT 0,
  upsell_taken   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE partner_costs (
  id           INTEGER PRIMARY KEY,
  partner_id   INTEGER NOT NULL REFERENCES partners(id),
  incurred_on  TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  category     TEXT NOT NULL DEFAULT 'other',
  note         TEXT
);
CREATE TABLE goals (
  id           INTEGER PRIMARY KEY,
  metric       TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end   TEXT NOT NULL,
  target       INTEGER NOT NULL
);
"""

# The indexes the reads need; `kpitui init` / `demo` create them, kpitui never adds them itself.
INDEXES = """
CREATE INDEX invoices_client ON invoices(client_id);
CREATE INDEX payments_invoice ON payments(invoice_id, paid_on, amount_cents);
CREATE INDEX followups_invoice ON followups(invoice_id);
CREATE INDEX opportunities_partner ON opportunities(partner_id);
"""

# Every column kpitui reads, by table: validation names what is missing.
REQUIRED: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "partners": ("id", "name", "kind", "revenue_share_bp", "annual_target_cents"),
    "clients": ("id", "name", "terms_days", "autopay", "partner_id", "since", "churned_on"),
    "invoices": ("id", "number", "client_id", "issued_on", "due_on", "amount_cents",
                 "recurring", "void", "written_off_on"),
    "payments": ("id", "invoice_id", "paid_on", "amount_cents", "method"),
    "followups": ("id", "invoice_id", "at", "kind", "note", "promised_on", "promised_cents",
                  "until", "by", "undoes"),
    "opportunities": ("id", "name", "client_id", "partner_id", "source", "owner", "created_on",
                      "qualified_on", "appointment_on", "proposal_on", "closed_on", "outcome",
                      "mrr_cents", "onetime_cents", "upsell_offered", "upsell_taken"),
    "partner_costs": ("id", "partner_id", "incurred_on", "amount_cents", "category"),
    "goals": ("id", "metric", "period_start", "period_end", "target"),
}

FOLLOWUP_KINDS = ("call", "email", "note", "promise", "snooze", "escalate", "dispute",
                  "resolve", "payment", "writeoff", "undo")
PAYMENT_METHODS = ("ach", "card", "check", "wire", "cash", "credit", "other")


def create(conn: sqlite3.Connection) -> None:
    """Create an empty format-1 ledger (tables, indexes, identity) in one transaction."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for stmt in (DDL + INDEXES).split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute("INSERT INTO meta(key, value) VALUES ('currency', 'USD')")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def validate(conn: sqlite3.Connection, label: str) -> None:
    """Refuse what is not a usable format-1 ledger, naming the reason; migrate older formats."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise LedgerError(f"{label} belongs to another application "
                          f"(application_id {app_id:#x}); it is not a kpitui ledger")
    if version > FORMAT_VERSION:
        raise LedgerError(f"{label} is ledger format {version}, newer than this kpitui "
                          f"understands (format {FORMAT_VERSION}): upgrade kpitui")
    if app_id == APPLICATION_ID and 0 < version < FORMAT_VERSION:
        migrate(conn, version, label)
    check_tables(conn, label)


def check_tables(conn: sqlite3.Connection, label: str) -> None:
    """Name the first missing table or column kpitui needs."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        raise LedgerError(f"{label} is an empty database, not a kpitui ledger "
                          f"(create one with: kpitui init {label})")
    for table, columns in REQUIRED.items():
        if table not in tables:
            raise LedgerError(f"{label} has no table '{table}': not a format-1 kpitui ledger")
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in columns if c not in have]
        if missing:
            raise LedgerError(f"{label}: table '{table}' has no column "
                              f"{', '.join(repr(c) for c in missing)}")


# Migrations from format N to N+1 go here, each one function run inside one transaction
# after a backup copy (LEDGER.md). Format 1 is the first: there is nothing to migrate yet.
MIGRATIONS: dict[int, object] = {}


def migrate(conn: sqlite3.Connection, version: int, label: str) -> None:
    """Bring a lower format up to FORMAT_VERSION (none exist before format 1)."""
    raise LedgerError(f"{label} is ledger format {version}; no migration to format "
                      f"{FORMAT_VERSION} exists")
