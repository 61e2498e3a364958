"""`kpitui init PATH`: an empty format-1 WAL ledger, its identity and indexes; never overwrites."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from . import fixtures as fx


def index_columns(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """table -> the column lists of its explicit indexes (sqlite_master type='index')."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found: dict[str, list[tuple[str, ...]]] = {}
        for name, table in conn.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"):
            cols = tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{name}")'))
            found.setdefault(table, []).append(cols)
        return found
    finally:
        conn.close()


def table_columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def test_init_creates_a_format_1_wal_ledger_with_indexes(tmp_path: Path) -> None:
    path = tmp_path / "books.db"
    run = fx.kpitui(["init", path], fx.cli_env(tmp_path))
    assert run.returncode == 0, run
    assert run.err_lines == [], run
    assert path.is_file()

    assert fx.pragma(path, "journal_mode") == "wal"
    assert fx.pragma(path, "application_id") == 1263552852
    assert fx.pragma(path, "user_version") == 1

    indexes = index_columns(path)
    assert any(cols[:1] == ("client_id",) for cols in indexes.get("invoices", [])), indexes
    assert any(cols[:1] == ("invoice_id",) for cols in indexes.get("payments", [])), indexes
    assert any(cols[:1] == ("invoice_id",) for cols in indexes.get("followups", [])), indexes
    assert any(cols[:1] == ("partner_id",) for cols in indexes.get("opportunities", [])), indexes

    # Every table and column of LEDGER.md format 1, in order.
    spec = sqlite3.connect(":memory:")
    for stmt in fx.FORMAT1_DDL.split(";"):
        if stmt.strip():
            spec.execute(stmt)
    made = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert table_columns(made) == table_columns(spec)
    finally:
        made.close()
        spec.close()


def test_a_fresh_ledger_checks_clean_and_summarises(tmp_path: Path) -> None:
    path = tmp_path / "books.db"
    env = fx.cli_env(tmp_path)
    assert fx.kpitui(["init", path], env).returncode == 0
    check, summary = fx.kpitui_many([["check", "--db", path],
                                     ["summary", "--json", "--db", path]], env)
    assert check.returncode == 0, check
    assert summary.returncode == 0, summary
    assert summary.json()["receivables"]["total_cents"] == 0


@pytest.mark.parametrize("existing", ["ledger", "text"])
def test_init_refuses_to_overwrite(existing: str, tmp_path: Path) -> None:
    path = tmp_path / "books.db"
    if existing == "ledger":
        fx.build_ledger(path, fx.clean_rows())
    else:
        path.write_text("my precious notes\n")
    before = fx.snapshot(path)

    run = fx.kpitui(["init", path], fx.cli_env(tmp_path))

    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr
    assert len(run.err_lines) == 1, run
    assert str(path) in run.err_lines[0]
    assert "exists" in run.err_lines[0], run
    assert fx.snapshot(path) == before, "init changed an existing file"


def test_init_in_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "books.db"
    run = fx.kpitui(["init", path], fx.cli_env(tmp_path))
    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr
    assert len(run.err_lines) == 1, run
    assert "nowhere" in run.err_lines[0]
    assert not path.parent.exists()
