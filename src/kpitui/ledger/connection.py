"""Open a ledger file: refuse what is not one (one line each), pick read-write or read-only."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import schema
from .errors import LedgerError

BUSY_TIMEOUT_S = 5.0
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Handle:
    """An open, validated ledger connection and how it may be used."""

    path: Path
    conn: sqlite3.Connection
    readonly: bool = False
    immutable: bool = False  # WAL ledger in a read-only directory: others' changes won't show
    why_readonly: str = ""

    def close(self) -> None:
        self.conn.close()

    def reopen(self) -> None:
        """A fresh connection in the same mode (after connectorx has read the file)."""
        self.conn = connect(self.path, "ro" if self.readonly else "rw", self.immutable)


def _uri(path: Path, mode: str, immutable: bool = False) -> str:
    uri = f"file:{quote(str(path.resolve()))}?mode={mode}"
    return uri + "&immutable=1" if immutable else uri


# How many of our sqlite3 connections are open per ledger file in this process. connectorx
# bundles its own SQLite, which cannot see these connections' locks: it may only read a file
# none of them has open (ledger.load), or it would remove the WAL from under them.
_OPEN: dict[str, int] = {}


class TrackedConnection(sqlite3.Connection):
    """A sqlite3 connection that counts itself in _OPEN while open."""

    key = ""

    def close(self) -> None:
        if self.key:
            _OPEN[self.key] = max(0, _OPEN.get(self.key, 1) - 1)
            self.key = ""
        super().close()


def others_open(path: Path) -> bool:
    """Whether any of our connections to this file is open in this process."""
    return _OPEN.get(str(path.resolve()), 0) > 0


def connect(path: Path, mode: str = "rw", immutable: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN IMMEDIATE ourselves) with a busy timeout."""
    conn = sqlite3.connect(_uri(path, mode, immutable), uri=True, isolation_level=None,
                           timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                           factory=TrackedConnection)
    conn.key = str(path.resolve())
    _OPEN[conn.key] = _OPEN.get(conn.key, 0) + 1
    conn.text_factory = lambda b: b.decode("utf-8", "replace")  # non-UTF-8 text never crashes
    return conn


def check_file(path: Path) -> None:
    """Refuse, before SQLite sees it, a path that cannot be a ledger."""
    if not path.exists():
        raise LedgerError(f"no ledger at {path} (create one with: kpitui init {path})")
    if path.is_dir():
        raise LedgerError(f"{path} is a directory, not a ledger file")
    if not os.access(path, os.R_OK):
        raise LedgerError(f"{path} cannot be read (permission denied)")
    with path.open("rb") as fh:
        head = fh.read(16)
    if not head:
        raise LedgerError(f"{path} is an empty file, not a kpitui ledger "
                          f"(create one with: kpitui init PATH)")
    if head != SQLITE_HEADER:
        raise LedgerError(f"{path} is not an SQLite file, so not a kpitui ledger")
    check_identity(path)


def check_identity(path: Path) -> None:
    """Refuse another application's file or a newer format from the header alone, before
    SQLite opens it (a refused WAL file then gets no -wal/-shm files beside it)."""
    with path.open("rb") as fh:
        header = fh.read(72)
    if len(header) < 72:
        raise LedgerError(f"{path} is truncated (shorter than an SQLite header); "
                          f"restore it from a backup")
    version = int.from_bytes(header[60:64], "big", signed=True)
    app_id = int.from_bytes(header[68:72], "big", signed=True)
    if app_id not in (0, schema.APPLICATION_ID):
        raise LedgerError(f"{path} belongs to another application (application_id "
                          f"{app_id:#x}); it is not a kpitui ledger")
    if version > schema.FORMAT_VERSION:
        raise LedgerError(f"{path} is ledger format {version}, newer than this kpitui "
                          f"understands (format {schema.FORMAT_VERSION}): upgrade kpitui")


def _is_wal(path: Path) -> bool:
    with path.open("rb") as fh:
        header = fh.read(20)
    return len(header) >= 20 and header[18] == 2  # file format write version 2 = WAL


def needs_immutable(path: Path) -> bool:
    """Whether this process must open a WAL ledger with immutable=1 (LEDGER.md).

    In a read-only directory SQLite cannot create the -wal/-shm files at all; a reader that
    cannot write the file itself, in a writable directory, would create them as its own and
    block the owner's next write. With no -wal file there is nothing uncommitted to miss.
    Decided by real permissions, never by a --read-only choice.
    """
    if not _is_wal(path):
        return False
    if not os.access(path.parent, os.W_OK):
        return True
    wal_files = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    return not os.access(path, os.W_OK) and not wal_files


def _writable(path: Path) -> tuple[bool, str]:
    if not os.access(path, os.W_OK):
        return False, "the file is read-only"
    if not os.access(path.parent, os.W_OK):
        return False, "its directory is read-only"
    return True, ""


def open_ledger(path: Path | str, *, readonly: bool = False) -> Handle:
    """Open and validate a ledger; raise LedgerError with one line a person can act on."""
    path = Path(path)
    check_file(path)
    writable, why = _writable(path)
    immutable = needs_immutable(path)
    if readonly and writable:
        writable, why = False, "opened read-only"
    try:
        conn = connect(path, "rw" if writable else "ro", immutable=immutable)
        schema.validate(conn, str(path))
        conn.execute("PRAGMA foreign_keys = OFF")
    except sqlite3.DatabaseError as exc:
        raise LedgerError(describe(exc, path)) from exc
    return Handle(path, conn, readonly=not writable, immutable=immutable, why_readonly=why)


def describe(exc: sqlite3.Error, path: Path) -> str:
    """Translate an SQLite error into one line."""
    text = str(exc)
    if "malformed" in text or "not a database" in text or "file is not" in text:
        return f"{path} is damaged or not a database ({text}); restore it from a backup"
    if "locked" in text or "busy" in text:
        return f"{path} is busy: another program holds its lock; try again in a moment"
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only: {text}"
    if "unable to open" in text:
        return f"{path} cannot be opened ({text})"
    return f"{path}: {text}"


def quick_check(handle: Handle) -> list[str]:
    """PRAGMA quick_check, as problem lines (empty when the file is sound)."""
    return quick_check_conn(handle.conn)


def quick_check_conn(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA quick_check on any connection, as problem lines."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [f"the file is damaged: {exc}"]
    if rows == ["ok"]:
        return []
    lines = [line.strip() for r in rows for line in str(r).splitlines() if line.strip()]
    shown = [f"the file is damaged: {line}" for line in lines[:10]]
    if len(lines) > 10:
        shown.append(f"the file is damaged: ... and {len(lines) - 10} more findings")
    return shown
