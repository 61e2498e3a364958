"""Every unusable file: one line on stderr, exit status 2, no traceback, the file untouched.

Each case runs `summary`, `summary --json` and `check` on the same file (at once, to keep the
directory fast). A hand-made ledger (sqlite-utils, application_id 0, user_version 0) that
matches format 1 is accepted.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from . import fixtures as fx

COMMANDS = (["summary"], ["summary", "--json"], ["check"])


def missing(tmp: Path) -> Path:
    return tmp / "no-such-ledger.db"


def directory(tmp: Path) -> Path:
    path = tmp / "ledger.db"
    path.mkdir()
    return path


def zero_bytes(tmp: Path) -> Path:
    path = tmp / "empty.db"
    path.write_bytes(b"")
    return path


def text_file(tmp: Path) -> Path:
    path = tmp / "notes.db"
    path.write_text("date,amount\n2026-01-05,120.00\nnot a ledger at all\n" * 50)
    return path


def truncated(tmp: Path) -> Path:
    """A real ledger made by `kpitui init`, filled with rows, then cut in half."""
    path = tmp / "truncated.db"
    made = fx.kpitui(["init", path], fx.cli_env(tmp))
    assert made.returncode == 0, made
    conn = sqlite3.connect(path)
    fx.insert_rows(conn, {
        "clients": [{"id": i, "name": f"Client {i}"} for i in range(1, 31)],
        "invoices": [{"id": i, "number": f"INV-{i:05d}", "client_id": 1 + i % 30,
                      "issued_on": "2026-04-01", "due_on": "2026-05-01",
                      "amount_cents": 1000 + i} for i in range(1, 1501)],
        "payments": [{"id": i, "invoice_id": i, "paid_on": "2026-04-20",
                      "amount_cents": 1000 + i, "method": "ach"} for i in range(1, 1001)],
    })
    conn.commit()
    conn.close()
    data = path.read_bytes()
    assert len(data) > 20 * 4096, "the ledger should span many pages before it is cut"
    path.write_bytes(data[: len(data) // 2])
    return path


def damaged_table_page(tmp: Path) -> Path:
    """Sound header and schema, but a leaf page of `invoices` overwritten: reading fails."""
    path = fx.big_ledger(tmp / "damaged.db", invoices=3000)
    fx.damage_index_page(path, index="invoices")
    return path


def newer_format(tmp: Path) -> Path:
    return fx.build_ledger(tmp / "v2.db", fx.clean_rows(), user_version=2)


def other_application(tmp: Path) -> Path:
    return fx.build_ledger(tmp / "other.db", app_id=0x47504B47, user_version=0)


def missing_table(tmp: Path) -> Path:
    return fx.build_ledger(tmp / "nogoals.db", fx.clean_rows(), drop_table="goals")


def missing_column(tmp: Path) -> Path:
    return fx.build_ledger(tmp / "nodue.db", fx.clean_rows(),
                           drop_column=("invoices", "due_on"))


# case -> (builder, what stderr must say: regexes, case-insensitive; {path} is the file)
BAD: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "missing": (missing, (r"kpitui init {path}",)),
    "directory": (directory, (r"directory",)),
    "zero-byte": (zero_bytes, (r"empty",)),
    "text": (text_file, (r"not an? (sqlite|database|kpitui)",)),
    "truncated": (truncated, (r"damaged|malformed|corrupt|truncated",)),
    "damaged-table-page": (damaged_table_page, (r"damaged|malformed|corrupt",)),
    "newer-format": (newer_format, (r"format 2", r"newer|upgrade")),
    "other-application": (other_application, (r"another application|not a kpitui",)),
    "missing-table": (missing_table, (r"\bgoals\b", r"table")),
    "missing-column": (missing_column, (r"\bdue_on\b", r"invoices")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_unusable_file_is_one_line_exit_2_and_untouched(case: str, tmp_path: Path) -> None:
    build, expected = BAD[case]
    home = tmp_path / "home"
    home.mkdir()
    path = build(tmp_path)
    before = fx.snapshot(path)
    listing = sorted(p.name for p in tmp_path.iterdir())

    commands = COMMANDS[:2] if case == "damaged-table-page" else COMMANDS
    runs = fx.kpitui_many([[*cmd, "--db", path] for cmd in commands], fx.cli_env(home))

    for run in runs:
        assert run.returncode == 2, run
        assert "Traceback" not in run.stderr, run
        assert len(run.err_lines) == 1, run
        line = run.err_lines[0]
        for pattern in expected:
            pattern = pattern.replace("{path}", re.escape(str(path)))
            assert re.search(pattern, line, re.IGNORECASE), f"{pattern!r} not in: {line}"
        assert str(path) in line, f"the message should name the file: {line}"
        assert run.stdout == "", run
    assert fx.snapshot(path) == before, "the file was changed"
    if case == "missing":
        assert not path.exists(), "a missing ledger must not be created"
        assert sorted(p.name for p in tmp_path.iterdir()) == listing, "files were created"


def test_check_reports_a_damaged_page_it_cannot_read_past(tmp_path: Path) -> None:
    """`check` on a file too damaged to load still lists what quick_check found (exit 1)."""
    path = damaged_table_page(tmp_path)
    before = fx.snapshot(path)
    run = fx.kpitui(["check", "--db", path], fx.cli_env(tmp_path))
    assert run.returncode == 1, run
    assert "problem: the file is damaged" in run.stdout
    assert all(line.startswith(("problem:", "note:")) or "problem(s)" in line
               for line in run.out_lines), run
    assert fx.snapshot(path) == before


def test_handmade_ledger_is_accepted_and_untouched(tmp_path: Path) -> None:
    """application_id 0, user_version 0, tables made with sqlite-utils: accepted as format 1."""
    path = fx.handmade_ledger(tmp_path / "handmade.db", fx.clean_rows())
    assert fx.pragma(path, "application_id") == 0
    assert fx.pragma(path, "user_version") == 0
    before = fx.snapshot(path)

    text, as_json, check = fx.kpitui_many([[*cmd, "--db", path] for cmd in COMMANDS],
                                          fx.cli_env(tmp_path))

    for run in (text, as_json, check):
        assert run.returncode == 0, run
        assert run.err_lines == [], run
    # open: INV-0002 100000 - 40000 paid, INV-0003 50000; INV-0001 is paid in full.
    assert as_json.json()["receivables"]["total_cents"] == 110_000
    assert "$1,100.00" in text.stdout, text
    assert not any(line.startswith("problem:") for line in check.out_lines), check
    assert fx.snapshot(path) == before, "kpitui changed a hand-made ledger (indexes, ids?)"


def test_damage_found_while_loading_names_the_file_chosen_by_env(tmp_path: Path) -> None:
    path = damaged_table_page(tmp_path)
    run = fx.kpitui(["summary", "--json"], fx.cli_env(tmp_path, KPITUI_DB=str(path)))
    assert run.returncode == 2, run
    assert len(run.err_lines) == 1, run
    assert str(path) in run.err_lines[0], run
