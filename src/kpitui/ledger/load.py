"""SQLite -> Polars frames: the columns kpitui needs, typed, text cleaned once, bad rows apart.

The raw read is ledger/fetch.py: connectorx (PERF-BASELINES.md: 2.5x faster than sqlite3
rows at a million invoices), whose Arrow output becomes frames here. A table connectorx
cannot type (mistyped values, non-UTF-8 text, an immutable WAL ledger) is read through
sqlite3 instead, with each value checked by `typeof`.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

import polars as pl

from ..text import CONTROL, SPACE_LIKE, clean_text
from .connection import Handle, connect, others_open
from .fetch import COLUMNS, DATE, INT, LEAN, STAMP, STR, Fetch, columns, read_range, start

MAX_CENTS = 2**53  # beyond this an amount is garbage, not money

# Rows missing one of these (or holding an unreadable value there) cannot count anywhere.
REQUIRED = {
    "partners": ("id",), "clients": ("id",),
    "invoices": ("id", "number", "client_id", "issued_on", "due_on", "amount_cents"),
    "payments": ("id", "invoice_id", "paid_on", "amount_cents"),
    "followups": ("id", "invoice_id", "at", "kind"),
    "opportunities": ("id", "created_on"),
    "partner_costs": ("id", "partner_id", "incurred_on", "amount_cents"),
    "goals": ("id", "metric", "period_start", "period_end", "target"),
}
# Dates whose text does not parse make the whole row unsound (it would count wrongly).
STRICT_DATES = {"invoices": ("written_off_on",), "payments": (), "goals": ()}
DEFAULT_ZERO = ("recurring", "void", "autopay", "revenue_share_bp", "terms_days", "mrr_cents",
                "onetime_cents", "upsell_offered", "upsell_taken")
MONEY = {"invoices": ("amount_cents",), "payments": ("amount_cents",),
         "partner_costs": ("amount_cents",), "followups": ("promised_cents",),
         "opportunities": ("mrr_cents", "onetime_cents"), "partners": ("annual_target_cents",)}



@dataclass
class Problem:
    """A kind of unsound row, how many, and a few ids to find them by."""

    table: str
    what: str
    count: int
    ids: list[int] = field(default_factory=list)

    def line(self) -> str:
        shown = ", ".join(str(i) for i in self.ids[:5])
        more = f" (ids {shown}{', ...' if self.count > 5 else ''})" if shown else ""
        return f"{self.table}: {self.count} {self.what}{more}"


@dataclass
class Ledger:
    """Every frame the KPIs need, plus the ledger's settings and what was set apart."""

    path: Path
    meta: dict[str, str]
    frames: dict[str, pl.DataFrame]
    problems: list[Problem]
    # Derived frames shared by several KPIs (kpis.memo); a refreshed Ledger starts empty.
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    # table -> columns a lean read left out (fetch.LEAN): lookup reads them when asked.
    deferred: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pl.DataFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "USD") or "USD"

    @property
    def company(self) -> str:
        """meta.company (made inert), else the file name."""
        return clean_text(self.meta.get("company", "")) or self.path.stem

    @property
    def pinned_as_of(self) -> date | None:
        try:
            return date.fromisoformat(self.meta.get("as_of", ""))
        except ValueError:
            return None

    def meta_number(self, key: str, default: int) -> Fraction:
        """A numeric meta setting, exactly (62.5 stays 62.5); unreadable -> default + warning."""
        raw = self.meta.get(key)
        if raw is None or not str(raw).strip():
            return Fraction(default)
        try:
            return Fraction(str(raw).strip())
        except (ValueError, ZeroDivisionError):
            if not any(p.table == "meta" and key in p.what for p in self.problems):
                self.problems.append(Problem("meta", f"{key} {raw!r} is not a number "
                                                     f"(using {default})", 1))
            return Fraction(default)

    def with_frames(self, frames: dict[str, pl.DataFrame]) -> Ledger:
        """The same ledger holding other frames (an empty cache: nothing derived carries)."""
        return Ledger(self.path, self.meta, frames, self.problems, deferred=self.deferred)

    def lookup(self, table: str, col: str, ids: pl.Series) -> pl.DataFrame:
        """(id, col) of the rows with these ids: what a figure needs of a column for a few
        rows only (the queue's invoice numbers, the recent payments' methods). Read from the
        file now when a lean read left the column out."""
        if col in self.deferred.get(table, ()):
            return read_column(self.path, table, col, ids)
        return (self.frames[table].select("id", col)
                .filter(pl.col("id").is_in(ids.implode())))

    @property
    def bad_rows(self) -> int:
        return sum(p.count for p in self.problems)


def load(handle: Handle, fetch: Fetch | None = None) -> Ledger:
    """Read the whole ledger into typed, cleaned frames; damage found now is one line.
    `fetch`: a read already started (fetch.start) while the caller imported Polars."""
    try:
        return _load(handle, fetch or start(handle))
    except sqlite3.DatabaseError as exc:
        from .connection import describe
        from .errors import LedgerError

        raise LedgerError(describe(exc, handle.path)) from exc


def _load(handle: Handle, fetch: Fetch) -> Ledger:
    """Frames from connectorx's reads, each made while the next table is still being read;
    then sqlite3 for every table connectorx did not type. Frames and problems come out in
    COLUMNS order whatever the order of reading."""
    made: dict[str, tuple[pl.DataFrame, list[Problem]]] = {}
    deferred: dict[str, tuple[str, ...]] = {}
    with closing(fetch.arrivals()) as arrivals:   # the handle is open again after
        for table, result in arrivals:
            lean = fetch.lean and table in LEAN
            cols = columns(table, lean)
            raw = typed_frame(result, cols)
            if raw is not None:
                made[table] = _frame(table, raw, cols, fetch.nulls.get(table) if lean else None)
                if lean:
                    deferred[table] = LEAN[table]
    for table in COLUMNS:   # the careful way reads every column
        if table not in made:
            made[table] = _frame(table, read_table_sqlite(handle.conn, table, COLUMNS[table]),
                                 COLUMNS[table], None)
    if fetch.reads:
        give_back_freed_memory()
    frames = {t: made[t][0] for t in COLUMNS}
    problems = [p for t in COLUMNS for p in made[t][1]]
    return Ledger(handle.path, fetch.meta, frames, problems, deferred=deferred)


def _frame(table: str, raw: pl.DataFrame, cols: dict[str, str],
           nulls: dict[str, list[int]] | None) -> tuple[pl.DataFrame, list[Problem]]:
    """A table's tidy frame (ids flagged sorted) and the problems found in it."""
    problems: list[Problem] = []
    return flag_sorted(tidy(table, raw, cols, problems, nulls)), problems


def read_column(path: Path, table: str, col: str, ids: pl.Series) -> pl.DataFrame:
    """(id, col) of the rows with these ids, read now and cleaned as tidy cleans text. A
    dense run of ids (the last 90 days' payments) is one connectorx range read; scattered
    ids (the queue's invoices) are looked up one by one in SQLite."""
    ids = ids.drop_nulls().unique().sort()
    cols = {"id": INT, col: STR}
    frame = None
    if ids.len() and int(ids[-1]) - int(ids[0]) < 4 * ids.len() and not others_open(path):
        try:
            frame = typed_frame(read_range(path, table, col, ids[0], ids[-1]), cols)
        except Exception:  # noqa: BLE001 - connectorx refused (a mistyped value): below
            frame = None
    if frame is None:   # as read_table_sqlite reads text: any value as text, NULL as null
        conn = connect(path, "ro")
        try:
            rows = conn.execute(f"SELECT id, CAST({col} AS TEXT) FROM {table} "
                                "WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(ids.to_list()),)).fetchall()
        finally:
            conn.close()
        frame = pl.DataFrame(rows, schema={"id": pl.Int64, col: pl.String}, orient="row")
    frame = frame.filter(pl.col("id").is_in(ids.implode()))
    return frame.with_columns(clean_text_expr(col)) if _dirty(frame[col]) else frame


def give_back_freed_memory() -> None:
    """Return the memory connectorx freed to the system. Its buffers come from the C
    allocator, which keeps freed memory for reuse: at a million invoices 70 MB of it was
    still held when the figures began (summary's peak: 590 -> 515 MiB, for 7 ms)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc (musl has no malloc_trim): nothing held
        pass


def flag_sorted(df: pl.DataFrame) -> pl.DataFrame:
    """Mark `id` as sorted when it is (a table read in rowid order): Polars then joins on it
    by merging, twice as fast as hashing (a million invoices: 50 -> 25 ms a join)."""
    ids = df["id"]
    if ids.null_count() or ids.flags["SORTED_ASC"] or not ids.is_sorted():
        return df
    return df.with_columns(ids.set_sorted())


def refresh(handle: Handle, led: Ledger, changed: dict[str, list[int]]) -> Ledger:
    """The ledger with just the given rows (table -> ids) read again: what one action wrote.

    An action must not re-read the whole ledger (issue 7); new rows are appended, changed
    rows replace their old version.
    """
    frames = dict(led.frames)
    for table, ids in changed.items():
        if not ids:
            continue
        marks = ", ".join("?" for _ in ids)
        raw = read_table_sqlite(handle.conn, table, COLUMNS[table], f"WHERE id IN ({marks})",
                                tuple(ids))
        fresh = tidy(table, raw, COLUMNS[table], [])
        frames[table] = replace_rows(frames[table], fresh, "id", ids)
    return led.with_frames(frames)


MAX_CHUNKS = 16   # a patched frame is made contiguous again past this many pieces


def _bounds(frame: pl.DataFrame, col: str, ids: list[int]
            ) -> list[tuple[int, int, int]] | None:
    """(id, first row, end row) of each id in a frame sorted by `col`; None when unsorted."""
    keys = frame[col]
    if keys.null_count() or not keys.is_sorted():
        return None
    return [(key, int(keys.search_sorted(key, side="left")),
             int(keys.search_sorted(key, side="right"))) for key in sorted(set(ids))]


def take_rows(frame: pl.DataFrame, col: str, ids: list[int]) -> pl.DataFrame:
    """The rows of `frame` whose `col` is in `ids`: slices when sorted by `col`, else a
    filter."""
    bounds = _bounds(frame, col, ids)
    if bounds is None:
        return frame.filter(pl.col(col).is_in(ids))
    pieces = [frame.slice(lo, hi - lo) for _, lo, hi in bounds if hi > lo]
    return pl.concat(pieces, rechunk=False) if pieces else frame.clear()


def replace_rows(old: pl.DataFrame, fresh: pl.DataFrame, col: str, ids: list[int]
                 ) -> pl.DataFrame:
    """`old` with its rows whose `col` is in `ids` replaced by `fresh` (rows with those ids).

    When `old` is sorted by `col` (tables by id, the per-invoice frames by invoice), the
    rest is kept as zero-copy slices around each id and the order is kept: an action on a
    million-row frame copies nothing. Otherwise the rest is filtered (one copy).
    """
    fresh = fresh.select(old.columns)
    if fresh.height:
        fresh = fresh.sort(col)
    bounds = _bounds(old, col, ids)
    if bounds is None:
        pieces = [old.filter(~pl.col(col).is_in(ids)), fresh]
    else:
        pieces, start = [], 0
        for key, lo, hi in bounds:
            pieces += [old.slice(start, lo - start), fresh.filter(pl.col(col) == key)]
            start = hi
        pieces.append(old.slice(start))
    joined = pl.concat([p for p in pieces if p.height] or [old.clear()],
                       how="vertical_relaxed", rechunk=False)
    return joined.rechunk() if joined.n_chunks() > MAX_CHUNKS else joined


def raw_dtype(kind: str) -> pl.DataType:
    return pl.Int64 if kind == INT else pl.String


def typed_frame(result, cols: dict[str, str]) -> pl.DataFrame | None:
    """A frame from connectorx's raw result when it typed every column exactly; None means:
    read the table carefully. Polars imports the Arrow pointers directly: no pyarrow (its
    import alone took 0.25 s), a third of the memory (286 MB against 720 MB at 1M invoices).
    """
    if result is None:
        return None
    want = {c: raw_dtype(k) for c, k in cols.items()}
    try:
        df = _arrow_frame(result)
    except Exception:  # noqa: BLE001 - an unreadable result: the careful way then
        return None
    if df is None or not all(df.schema.get(c) in (t, pl.Null) for c, t in want.items()):
        return None
    df = df.cast(want)
    return df if df["id"].is_sorted() else df.sort("id")


def _arrow_frame(result) -> pl.DataFrame | None:
    """A frame from connectorx's Arrow C pointers, batches put back in id order (the two
    halves arrive interleaved). Polars' importer takes (schema, array) pointer pairs (its
    docstring says the reverse; the reverse crashes)."""
    names, batches = result
    if not names or not batches:
        return None
    parts = [pl.DataFrame([pl.Series._import_arrow_from_c(name, [(b[i][1], b[i][0])])
                           for i, name in enumerate(names)]) for b in batches]
    parts = [p for p in parts if p.height] or parts[:1]
    if "id" in names:
        parts.sort(key=lambda p: p["id"][0] if p["id"][0] is not None else -1)
    return pl.concat(parts, rechunk=False)


def read_table_sqlite(conn: sqlite3.Connection, table: str, cols: dict[str, str],
                      where: str = "", params: tuple = ()) -> pl.DataFrame:
    """Read with sqlite3; a value of the wrong storage class becomes NULL (and is counted)."""
    parts = []
    for c, kind in cols.items():
        if kind == INT:
            parts.append(f"CASE WHEN typeof({c}) = 'integer' THEN {c} END AS {c}")
        else:
            parts.append(f"CASE WHEN {c} IS NULL THEN NULL ELSE CAST({c} AS TEXT) END AS {c}")
    rows = conn.execute(f"SELECT {', '.join(parts)} FROM {table} {where}", params).fetchall()
    raw = {c: pl.Int64 if k == INT else pl.String for c, k in cols.items()}
    kinds = ", ".join(f"typeof({c})" for c in cols)
    typed = conn.execute(f"SELECT {kinds} FROM {table} {where}", params).fetchall()
    df = pl.DataFrame(rows, schema=raw, orient="row")
    # Remember which INT cells held something that was not an integer (e.g. 'abc', 12.5).
    bad = [(c, [r[i] for r in typed]) for i, (c, k) in enumerate(cols.items()) if k == INT]
    mistyped = {c: pl.Series([t not in ("integer", "null") for t in ts], dtype=pl.Boolean)
                for c, ts in bad}
    return df.with_columns(
        pl.Series(f"__mistyped_{c}", s) for c, s in mistyped.items() if s.any()
    )


def tidy(table: str, df: pl.DataFrame, cols: dict[str, str], problems: list[Problem],
         nulls: dict[str, list[int]] | None = None) -> pl.DataFrame:
    """Clean text, parse dates, fill defaults, and set unsound rows apart as problems.
    `nulls`: for a column a lean read left out, the ids of the rows where it is NULL.

    Every check is counted in one pass; a column is rewritten or the frame filtered only
    when something needs it (a clean million-row table is not copied again)."""
    df = df.with_columns(_typed(df, cols))
    df = df.with_columns(pl.col(c).fill_null(0) for c in cols
                         if c in DEFAULT_ZERO and df[c].null_count())
    reasons = _reasons(table, df, cols, nulls or {})
    counts = df.select(expr.fill_null(False).sum().alias(str(i))
                       for i, (_, expr, _) in enumerate(reasons)).row(0) if reasons else ()
    bad = None
    for (what, expr, excludes), count in zip(reasons, counts, strict=True):
        if not count:
            continue
        hit = df.filter(expr.fill_null(False))
        problems.append(Problem(table, what, hit.height, hit["id"].head(5).to_list()))
        if excludes:
            bad = expr.fill_null(False) if bad is None else bad | expr.fill_null(False)
    if bad is not None:
        df = df.filter(~bad)
    return df.drop([c for c in df.columns if c.startswith("__")])


def _typed(df: pl.DataFrame, cols: dict[str, str]) -> list[pl.Expr]:
    """Text made inert (only the columns holding something to clean), dates parsed."""
    exprs: list[pl.Expr | pl.Series] = []
    dates = parse_dates(df, [c for c, kind in cols.items() if kind == DATE])
    for c, kind in cols.items():
        if kind == STR and _dirty(df[c]):
            exprs.append(clean_text_expr(c))
        elif kind == DATE:
            exprs.append(dates[c])
            exprs.append(pl.col(c).is_not_null().alias(f"__raw_{c}"))
        elif kind == STAMP:
            exprs.append(pl.col(c).str.replace_all(CONTROL, ""))
            exprs.append(parse_date(pl.col(c).str.slice(0, 10)).alias(f"{c}_date"))
    return exprs


def _dirty(text: pl.Series) -> bool:
    """Whether any value holds a control or line-breaking character (text.clean_text)."""
    return bool(text.str.contains(f"{SPACE_LIKE}|{CONTROL}").any())


def clean_text_expr(col: str) -> pl.Expr:
    """text.clean_text as a Polars expression: line breaks to spaces, controls removed."""
    return pl.col(col).str.replace_all(SPACE_LIKE, " ").str.replace_all(CONTROL, "")


def _reasons(table: str, df: pl.DataFrame, cols: dict[str, str], nulls: dict[str, list[int]]
             ) -> list[tuple[str, pl.Expr, bool]]:
    """Each check: what it finds, the rows it finds, and whether they are set apart."""
    required = REQUIRED.get(table, ())
    out = []
    for c in required:
        if c not in cols:   # left out by a lean read, which found where it is NULL
            missing = pl.col("id").is_in(nulls.get(c, []))
        else:
            missing = pl.col(f"{c}_date" if cols[c] == STAMP else c).is_null()
        out.append((f"rows without a readable {c}", missing, True))
    for c, kind in cols.items():
        if kind == DATE and c not in required:
            out.append((f"rows whose {c} is not a real date",
                        pl.col(f"__raw_{c}") & pl.col(c).is_null(),
                        c in STRICT_DATES.get(table, ())))
        if f"__mistyped_{c}" in df.columns and c not in required:
            out.append((f"rows whose {c} is not a whole number", pl.col(f"__mistyped_{c}"),
                        False))
    for c in MONEY.get(table, ()):
        out.append((f"rows whose {c} is absurd (at least 2^53 cents)",
                    pl.col(c).abs() >= MAX_CENTS, True))
    if table == "invoices":
        out.append(("rows with a negative amount_cents", pl.col("amount_cents") < 0, True))
    return out


def parse_dates(df: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The named text columns parsed as parse_date does. The text is tried as it is first,
    and trimmed only in a column where some text did not parse that way (trimming a
    million dates doubled the cost; the result is the same)."""
    fmt = "%Y-%m-%d"
    out = df.select(pl.col(c).str.to_date(fmt, strict=False) for c in names)
    redo = [c for c in names if (out[c].is_null() & df[c].is_not_null()).any()]
    return out.with_columns(df.select(parse_date(pl.col(c)) for c in redo)) if redo else out


def parse_date(expr: pl.Expr) -> pl.Expr:
    """ISO dates only; anything else (2026-02-30, 03/04/2026, '') is null."""
    return expr.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
