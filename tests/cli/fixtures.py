"""Builders for the command-line tests: ledger files made from the LEDGER.md spec, and a runner.

The ledgers are built from the format-1 DDL as LEDGER.md writes it (not from kpitui's own
schema module), so these tests hold the installed `kpitui` to the spec.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

KPITUI = Path(sys.executable).parent / "kpitui"
TIMEOUT_S = 60
APPLICATION_ID = 0x4B504954  # "KPIT", 1263552852
AS_OF = "2026-06-30"  # meta.as_of of the ledgers built here

# LEDGER.md, format 1 (comments dropped).
FORMAT1_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE partners (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'referral',
  started_on TEXT, revenue_share_bp INTEGER NOT NULL DEFAULT 0, annual_target_cents INTEGER);
CREATE TABLE clients (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT,
  terms_days INTEGER NOT NULL DEFAULT 30, autopay INTEGER NOT NULL DEFAULT 0,
  partner_id INTEGER REFERENCES partners(id), since TEXT, churned_on TEXT);
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,
  client_id INTEGER NOT NULL REFERENCES clients(id), issued_on TEXT NOT NULL,
  due_on TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
  recurring INTEGER NOT NULL DEFAULT 0, void INTEGER NOT NULL DEFAULT 0, written_off_on TEXT);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  paid_on TEXT NOT NULL, amount_cents INTEGER NOT NULL, method TEXT NOT NULL DEFAULT 'other');
CREATE TABLE followups (
  id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  at TEXT NOT NULL, kind TEXT NOT NULL, note TEXT, promised_on TEXT, promised_cents INTEGER,
  until TEXT, by TEXT, undoes INTEGER REFERENCES followups(id));
CREATE TABLE opportunities (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, client_id INTEGER REFERENCES clients(id),
  partner_id INTEGER REFERENCES partners(id), source TEXT, owner TEXT,
  created_on TEXT NOT NULL, qualified_on TEXT, appointment_on TEXT, proposal_on TEXT,
  closed_on TEXT, outcome TEXT CHECK (outcome IN ('won', 'lost')),
  mrr_cents INTEGER NOT NULL DEFAULT 0, onetime_cents INTEGER NOT NULL DEFAULT 0,
  upsell_offered INTEGER NOT NULL DEFAULT 0, upsell_taken INTEGER NOT NULL DEFAULT 0);
CREATE TABLE partner_costs (
  id INTEGER PRIMARY KEY, partner_id INTEGER NOT NULL REFERENCES partners(id),
  incurred_on TEXT NOT NULL, amount_cents INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT 'other', note TEXT);
CREATE TABLE goals (
  id INTEGER PRIMARY KEY, metric TEXT NOT NULL, period_start TEXT NOT NULL,
  period_end TEXT NOT NULL, target INTEGER NOT NULL);
"""

# Column name -> sqlite-utils type, per table (for the hand-made ledger).
HANDMADE_COLUMNS: dict[str, dict[str, type]] = {
    "meta": {"key": str, "value": str},
    "partners": {"id": int, "name": str, "kind": str, "started_on": str,
                 "revenue_share_bp": int, "annual_target_cents": int},
    "clients": {"id": int, "name": str, "email": str, "phone": str, "terms_days": int,
                "autopay": int, "partner_id": int, "since": str, "churned_on": str},
    "invoices": {"id": int, "number": str, "client_id": int, "issued_on": str, "due_on": str,
                 "amount_cents": int, "recurring": int, "void": int, "written_off_on": str},
    "payments": {"id": int, "invoice_id": int, "paid_on": str, "amount_cents": int,
                 "method": str},
    "followups": {"id": int, "invoice_id": int, "at": str, "kind": str, "note": str,
                  "promised_on": str, "promised_cents": int, "until": str, "by": str,
                  "undoes": int},
    "opportunities": {"id": int, "name": str, "client_id": int, "partner_id": int,
                      "source": str, "owner": str, "created_on": str, "qualified_on": str,
                      "appointment_on": str, "proposal_on": str, "closed_on": str,
                      "outcome": str, "mrr_cents": int, "onetime_cents": int,
                      "upsell_offered": int, "upsell_taken": int},
    "partner_costs": {"id": int, "partner_id": int, "incurred_on": str, "amount_cents": int,
                      "category": str, "note": str},
    "goals": {"id": int, "metric": str, "period_start": str, "period_end": str,
              "target": int},
}

Rows = dict[str, list[dict]]


# --- running the installed command ------------------------------------------------------------

@dataclass
class Run:
    """One finished `kpitui` subprocess, its output decoded (strictly: UTF-8 or the test fails)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    @property
    def out_lines(self) -> list[str]:
        return self.stdout.splitlines()

    def json(self) -> dict:
        return json.loads(self.stdout)

    def __str__(self) -> str:  # shown in assertion messages
        return (f"$ kpitui {' '.join(self.args)}\nexit {self.returncode}\n"
                f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a subprocess: no $KPITUI_DB, config and data dirs under `home`."""
    env = {k: v for k, v in os.environ.items() if k != "KPITUI_DB"}
    env["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    env["XDG_DATA_HOME"] = str(home / "xdg-data")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def kpitui(args: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None) -> Run:
    """Run the installed console script, output captured (so stdout is not a TTY)."""
    argv = [str(a) for a in args]
    proc = subprocess.run([str(KPITUI), *argv], env=env, cwd=cwd, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=TIMEOUT_S, check=False)
    return Run(argv, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def kpitui_many(arg_lists: Iterable[Sequence[str | Path]], env: dict[str, str],
                cwd: Path | None = None) -> list[Run]:
    """Several read-only runs at once (each costs about a second of start-up)."""
    arg_lists = list(arg_lists)
    with ThreadPoolExecutor(max_workers=len(arg_lists)) as pool:
        return list(pool.map(lambda a: kpitui(a, env, cwd), arg_lists))


# --- looking at files -------------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    data: bytes
    mtime_ns: int


def snapshot(path: Path) -> Snapshot | None:
    """The bytes and mtime of a file (None when there is no file there)."""
    if not path.is_file():
        return None
    return Snapshot(path.read_bytes(), path.stat().st_mtime_ns)


def pragma(path: Path, name: str):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


# --- building ledgers -------------------------------------------------------------------------

def insert_rows(conn: sqlite3.Connection, rows: Rows) -> None:
    for table, items in rows.items():
        for row in items:
            cols = ", ".join(f'"{c}"' for c in row)
            marks = ", ".join("?" for _ in row)
            conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))


def build_ledger(path: Path, rows: Rows | None = None, *, meta: dict[str, str] | None = None,
                 app_id: int = APPLICATION_ID, user_version: int = 1, wal: bool = True,
                 with_indexes: bool = True, drop_table: str | None = None,
                 drop_column: tuple[str, str] | None = None) -> Path:
    """A ledger per LEDGER.md, with rows, then (optionally) a table or column taken away."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        for stmt in FORMAT1_DDL.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        if with_indexes:
            for stmt in ("CREATE INDEX invoices_client ON invoices(client_id)",
                         "CREATE INDEX payments_invoice ON payments(invoice_id, paid_on, "
                         "amount_cents)",
                         "CREATE INDEX followups_invoice ON followups(invoice_id)",
                         "CREATE INDEX opportunities_partner ON opportunities(partner_id)"):
                conn.execute(stmt)
        all_meta = {"currency": "USD", "as_of": AS_OF, **(meta or {})}
        insert_rows(conn, {"meta": [{"key": k, "value": v} for k, v in all_meta.items()]})
        insert_rows(conn, rows or {})
        if drop_table:
            conn.execute(f'DROP TABLE "{drop_table}"')
        if drop_column:
            table, column = drop_column
            conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA application_id = {app_id}")
        conn.execute(f"PRAGMA user_version = {user_version}")
    finally:
        conn.close()  # the last connection checkpoints and removes the -wal file
    return path


def handmade_ledger(path: Path, rows: Rows | None = None) -> Path:
    """A ledger made with sqlite-utils, as a person would: application_id 0, user_version 0."""
    import sqlite_utils

    db = sqlite_utils.Database(path)
    for table, columns in HANDMADE_COLUMNS.items():
        pk = "key" if table == "meta" else "id"
        db[table].create(columns, pk=pk)
    db["meta"].insert_all([{"key": "currency", "value": "USD"},
                           {"key": "as_of", "value": AS_OF}])
    for table, items in (rows or {}).items():
        db[table].insert_all(items)
    db.close()
    return path


def one_open_invoice(amount_cents: int = 123456, client: str = "Northwind Traders",
                     number: str = "INV-0001", issued_on: str = "2026-05-01",
                     due_on: str = "2026-05-31") -> Rows:
    """One client with one unpaid, overdue invoice."""
    return {
        "clients": [{"id": 1, "name": client, "terms_days": 30}],
        "invoices": [{"id": 1, "number": number, "client_id": 1, "issued_on": issued_on,
                      "due_on": due_on, "amount_cents": amount_cents}],
    }


def clean_rows() -> Rows:
    """A small, sound ledger: two clients, invoices paid, part-paid and open, a follow-up."""
    return {
        "partners": [{"id": 1, "name": "Contoso Referrals", "kind": "referral",
                      "started_on": "2025-01-01", "revenue_share_bp": 1000,
                      "annual_target_cents": 5_000_000}],
        "clients": [{"id": 1, "name": "Northwind Traders", "terms_days": 30, "partner_id": 1,
                     "since": "2025-02-01"},
                    {"id": 2, "name": "Fabrikam Ltd", "terms_days": 15, "autopay": 1,
                     "since": "2025-03-01"}],
        "invoices": [
            {"id": 1, "number": "INV-0001", "client_id": 1, "issued_on": "2026-04-01",
             "due_on": "2026-05-01", "amount_cents": 100_000},
            {"id": 2, "number": "INV-0002", "client_id": 1, "issued_on": "2026-05-01",
             "due_on": "2026-05-31", "amount_cents": 100_000, "recurring": 1},
            {"id": 3, "number": "INV-0003", "client_id": 2, "issued_on": "2026-06-01",
             "due_on": "2026-06-16", "amount_cents": 50_000, "recurring": 1}],
        "payments": [
            {"id": 1, "invoice_id": 1, "paid_on": "2026-04-28", "amount_cents": 100_000,
             "method": "ach"},
            {"id": 2, "invoice_id": 2, "paid_on": "2026-06-10", "amount_cents": 40_000,
             "method": "card"}],
        "followups": [{"id": 1, "invoice_id": 2, "at": "2026-06-05T10:00:00", "kind": "call",
                       "note": "left a message", "by": "sam"}],
        "opportunities": [{"id": 1, "name": "Fabrikam backup", "client_id": 2,
                           "created_on": "2026-03-01", "qualified_on": "2026-03-10",
                           "mrr_cents": 20_000}],
        "partner_costs": [{"id": 1, "partner_id": 1, "incurred_on": "2026-02-01",
                           "amount_cents": 30_000, "category": "marketing"}],
        "goals": [{"id": 1, "metric": "revenue", "period_start": "2026-01-01",
                   "period_end": "2026-12-31", "target": 1_000_000}],
    }


def big_ledger(path: Path, invoices: int = 3000) -> Path:
    """A sound ledger spanning many pages (for truncation and damage)."""
    rng = random.Random(20261123)
    rows: Rows = {
        "clients": [{"id": i, "name": f"Client {i:04d}"} for i in range(1, 51)],
        "invoices": [{"id": i, "number": f"INV-{i:06d}", "client_id": 1 + i % 50,
                      "issued_on": "2026-05-01", "due_on": "2026-05-31",
                      "amount_cents": rng.randrange(1_000, 1_000_000)}
                     for i in range(1, invoices + 1)],
    }
    return build_ledger(path, rows)


def damage_index_page(path: Path, index: str = "sqlite_autoindex_invoices_1",
                      size: int = 600, seed: int = 6) -> int:
    """Overwrite `size` bytes in the middle of one leaf page of an index with random bytes.

    Queries that scan the tables never read that page, so the ledger still answers them;
    only an integrity check walks the index. Returns the damaged page's number (never 1).
    """
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (index,))]
    finally:
        conn.close()
    assert len(pages) >= 3, f"{index} has too few leaf pages to damage: {pages}"
    pageno = pages[len(pages) // 2]
    assert pageno != 1
    offset = (pageno - 1) * page_size + (page_size - size) // 2
    junk = random.Random(seed).randbytes(size)
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(junk)
    return pageno


def realistic_rows(clients: int = 40, invoices: int = 240, paid: int = 150) -> Rows:
    """An MSP-sized book: about $1.2M open over six months of invoices of $2k-$25k."""
    rng = random.Random(1)
    rows: Rows = {
        "clients": [{"id": i, "name": f"Client {i}", "terms_days": 30}
                    for i in range(1, clients + 1)],
        "invoices": [{"id": i, "number": f"INV-{i:05d}", "client_id": 1 + i % clients,
                      "issued_on": f"2026-{1 + i % 6:02d}-{1 + i % 27:02d}",
                      "due_on": f"2026-{2 + i % 6:02d}-{1 + i % 27:02d}",
                      "amount_cents": rng.randrange(200_000, 2_500_000)}
                     for i in range(1, invoices + 1)],
    }
    rows["payments"] = [{"id": i, "invoice_id": inv["id"], "paid_on": "2026-06-20",
                         "amount_cents": inv["amount_cents"], "method": "ach"}
                        for i, inv in enumerate(rows["invoices"][:paid], 1)]
    return rows
