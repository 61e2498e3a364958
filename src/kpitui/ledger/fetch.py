"""The raw read of a ledger through connectorx, started before Polars is even imported.

connectorx reads in native threads without the GIL, so a command can start the read, then
import Polars and the KPI code while the tables arrive (load.load finishes it). This
module imports neither Polars nor pyarrow: connectorx hands back Arrow C pointers.

connectorx bundles its own SQLite library. Two SQLite libraries in one process do not see
each other's POSIX locks, so connectorx, on closing, would think it is alone and remove the
WAL under an open connection of ours ("disk I/O error"). So the handle's connection is
closed while connectorx reads, and opened again once every read has arrived.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .connection import Handle, describe, others_open
from .errors import LedgerError

INT, STR, DATE, STAMP = "int", "str", "date", "stamp"

# table -> column -> kind. Only what the KPIs and panes read.
COLUMNS: dict[str, dict[str, str]] = {
    "partners": {"id": INT, "name": STR, "kind": STR, "started_on": DATE,
                 "revenue_share_bp": INT, "annual_target_cents": INT},
    "clients": {"id": INT, "name": STR, "email": STR, "phone": STR, "terms_days": INT,
                "autopay": INT, "partner_id": INT, "since": DATE, "churned_on": DATE},
    "invoices": {"id": INT, "number": STR, "client_id": INT, "issued_on": DATE, "due_on": DATE,
                 "amount_cents": INT, "recurring": INT, "void": INT, "written_off_on": DATE},
    "payments": {"id": INT, "invoice_id": INT, "paid_on": DATE, "amount_cents": INT,
                 "method": STR},
    "followups": {"id": INT, "invoice_id": INT, "at": STAMP, "kind": STR, "note": STR,
                  "promised_on": DATE, "promised_cents": INT, "until": DATE, "by": STR,
                  "undoes": INT},
    "opportunities": {"id": INT, "name": STR, "client_id": INT, "partner_id": INT,
                      "source": STR, "owner": STR, "created_on": DATE, "qualified_on": DATE,
                      "appointment_on": DATE, "proposal_on": DATE, "closed_on": DATE,
                      "outcome": STR, "mrr_cents": INT, "onetime_cents": INT,
                      "upsell_offered": INT, "upsell_taken": INT},
    "partner_costs": {"id": INT, "partner_id": INT, "incurred_on": DATE, "amount_cents": INT,
                      "category": STR, "note": STR},
    "goals": {"id": INT, "metric": STR, "period_start": DATE, "period_end": DATE,
              "target": INT},
}
# Columns `summary` needs for a few rows only (the queue's invoice numbers, the last 90 days'
# payment methods) or not at all (the app's contact details, deal names, notes). A lean read
# leaves them out (a fifth of the read at a million invoices); Ledger.lookup reads them for
# the rows asked. A row without a number counts nowhere (load.REQUIRED), so the lean read
# still asks which rows have none (Fetch.nulls: free where number is NOT NULL, format 1).
LEAN = {"invoices": ("number",), "payments": ("method",), "clients": ("email", "phone"),
        "followups": ("note", "by"), "opportunities": ("name", "source", "owner")}
LEAN_NULLS = {"invoices": ("number",)}

# The order connectorx reads them in: the big ones first, the small ones fill the gaps.
READ_ORDER = ("invoices", "payments", "opportunities", "followups", "clients", "partners",
              "partner_costs", "goals")

SPLIT_ROWS = 20_000   # tables larger than this are read in two halves by id, on two cores
# Below this file size sqlite3 reads everything about as fast as connectorx starts up (the
# sample reads in 0.12 s).
CX_MIN_BYTES = 32 * 2**20
# Which reader load() uses: "auto" (connectorx from CX_MIN_BYTES on), "fast" (connectorx
# whenever it can) or "careful" (sqlite3 only). For diagnosis, and for the tests, which run
# every KPI figure through both readers.
READER_ENV = "KPITUI_READER"


def use_connectorx(path: Path) -> bool:
    """Whether $KPITUI_READER (default auto) and the file's size call for connectorx."""
    reader = os.environ.get(READER_ENV, "auto").strip().lower()
    if reader == "careful":
        return False
    return reader == "fast" or path.stat().st_size >= CX_MIN_BYTES


def columns(table: str, lean: bool = False) -> dict[str, str]:
    """The columns read of a table: all of COLUMNS, or without the LEAN ones."""
    if not lean:
        return COLUMNS[table]
    return {c: k for c, k in COLUMNS[table].items() if c not in LEAN.get(table, ())}


@dataclass
class Fetch:
    """A read in progress: the ledger's meta, and connectorx's reads of its tables (lean:
    without the LEAN columns)."""

    handle: Handle
    meta: dict[str, str]
    reads: dict[str, Future] = field(default_factory=dict)
    pool: ThreadPoolExecutor | None = None
    lean: bool = False
    nulls: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # lean: LEAN_NULLS

    def arrivals(self) -> Iterator[tuple[str, tuple | None]]:
        """Each table's raw result as its read ends (in READ_ORDER), None where connectorx
        refused (that table is then read the careful way). The handle is open again once
        the last has arrived, or the caller stopped early."""
        try:
            for table, read in self.reads.items():
                yield table, _result(read)
        finally:
            if self.pool is not None:
                self.pool.shutdown()
                self.handle.reopen()


def start(handle: Handle, lean: bool = False) -> Fetch:
    """Read meta and start connectorx on every table, when the file and $KPITUI_READER allow
    it and no other connection of ours has the file open. lean: leave the LEAN columns out
    (for a one-shot command whose figures need them for a few rows only)."""
    conn = handle.conn
    try:
        meta = {k: str(v) for k, v in conn.execute("SELECT key, value FROM meta").fetchall()}
        if not use_connectorx(handle.path) or handle.immutable:
            return Fetch(handle, meta)
        sizes = {t: conn.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0
                 for t in COLUMNS}
        nulls = {t: {c: [r[0] for r in conn.execute(f"SELECT id FROM {t} WHERE {c} IS NULL")]
                     for c in cols} for t, cols in LEAN_NULLS.items()} if lean else {}
    except sqlite3.DatabaseError as exc:
        raise LedgerError(describe(exc, handle.path)) from exc
    handle.close()
    if others_open(handle.path):   # another connection of ours: the careful read only
        handle.reopen()
        return Fetch(handle, meta)
    uri = f"sqlite://{handle.path.resolve()}"
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpitui-read")
    reads = {t: pool.submit(_read, uri, _queries(t, columns(t, lean), sizes[t]))
             for t in READ_ORDER}
    return Fetch(handle, meta, reads, pool, lean, nulls)


def read_range(path: Path, table: str, col: str, lo: int, hi: int):
    """connectorx's raw read of (id, col) for ids lo..hi (Ledger.lookup; only while no
    connection of ours has the file open)."""
    lo, hi = int(lo), int(hi)
    select = f"SELECT id, {col} FROM {table} WHERE id BETWEEN"
    mid = (lo + hi) // 2
    queries = ([f"{select} {lo} AND {mid}", f"{select} {mid + 1} AND {hi}"]
               if hi - lo > SPLIT_ROWS else [f"{select} {lo} AND {hi}"])   # on two cores
    return _read(f"sqlite://{path.resolve()}", queries)


def _queries(table: str, cols: dict[str, str], max_id: int) -> list[str]:
    """The SELECT of the table's columns; two halves by id when the table is big."""
    select = f"SELECT {', '.join(cols)} FROM {table}"
    half = max_id // 2
    if max_id > SPLIT_ROWS and half:
        return [f"{select} WHERE id <= {half}", f"{select} WHERE id > {half}"]
    return [select]


def _read(uri: str, queries: list[str]):
    """connectorx's raw read: column names and, per batch, each column's Arrow C pointers."""
    from connectorx.connectorx import read_sql

    return read_sql(uri, "arrow", queries=queries, protocol="binary", partition_query=None,
                    pre_execution_queries=None)


def _result(future: Future):
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - any refusal means: read that table the careful way
        return None
