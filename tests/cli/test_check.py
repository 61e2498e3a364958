"""`kpitui check`: exit 0 when clean, 1 with each problem listed; overpayments are notes."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from . import fixtures as fx

BAD_ID = 77  # the offending row's id, distinctive in the output


def problem_lines(run: fx.Run) -> list[str]:
    return [line for line in run.out_lines if line.startswith("problem:")]


def note_lines(run: fx.Run) -> list[str]:
    return [line for line in run.out_lines if line.startswith("note:")]


def due_before_issued(rows: fx.Rows) -> None:
    rows["invoices"].append({"id": BAD_ID, "number": "INV-0077", "client_id": 2,
                             "issued_on": "2026-06-10", "due_on": "2026-05-10",
                             "amount_cents": 10_000})


def payment_on_void_invoice(rows: fx.Rows) -> None:
    rows["invoices"].append({"id": 76, "number": "INV-0076", "client_id": 2,
                             "issued_on": "2026-06-10", "due_on": "2026-06-25",
                             "amount_cents": 10_000, "void": 1})
    rows["payments"].append({"id": BAD_ID, "invoice_id": 76, "paid_on": "2026-06-12",
                             "amount_cents": 10_000, "method": "wire"})


def orphan_payment(rows: fx.Rows) -> None:
    rows["payments"].append({"id": BAD_ID, "invoice_id": 999, "paid_on": "2026-06-12",
                             "amount_cents": 10_000, "method": "wire"})


def unknown_followup_kind(rows: fx.Rows) -> None:
    rows["followups"].append({"id": BAD_ID, "invoice_id": 2, "at": "2026-06-12T09:00:00",
                              "kind": "telepathy"})


def unknown_payment_method(rows: fx.Rows) -> None:
    rows["payments"].append({"id": BAD_ID, "invoice_id": 3, "paid_on": "2026-06-12",
                             "amount_cents": 1_000, "method": "seashells"})


def unparseable_paid_on(rows: fx.Rows) -> None:
    rows["payments"].append({"id": BAD_ID, "invoice_id": 3, "paid_on": "2026-02-30",
                             "amount_cents": 1_000, "method": "ach"})


def duplicate_client_name(rows: fx.Rows) -> None:
    rows["clients"].append({"id": BAD_ID, "name": "Northwind Traders"})


# problem -> (how to make it, what its one line says: regex, case-insensitive)
PROBLEMS: dict[str, tuple[Callable[[fx.Rows], None], str]] = {
    "due-before-issued": (due_before_issued, r"invoice.*due before.*issued"),
    "payment-on-void-invoice": (payment_on_void_invoice, r"payment.*void"),
    "orphan-payment": (orphan_payment,
                       r"payment.*(invoice that does not exist|orphan|unknown invoice)"),
    "unknown-followup-kind": (unknown_followup_kind, r"follow-?up.*unknown kind"),
    "unknown-payment-method": (unknown_payment_method, r"payment.*unknown method"),
    "unparseable-date": (unparseable_paid_on, r"payments.*paid_on"),
    "duplicate-client-names": (duplicate_client_name,
                               r"client.*(shar|same|duplicate).*name"),
}


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_each_problem_is_listed_and_exits_1(kind: str, tmp_path: Path) -> None:
    spoil, says = PROBLEMS[kind]
    rows = fx.clean_rows()
    spoil(rows)
    path = fx.build_ledger(tmp_path / "ledger.db", rows)
    before = fx.snapshot(path)

    run = fx.kpitui(["check", "--db", path], fx.cli_env(tmp_path))

    assert run.returncode == 1, run
    assert "Traceback" not in run.stderr, run
    found = problem_lines(run)
    assert len(found) == 1, run
    assert re.search(says, found[0], re.IGNORECASE), f"{says!r} not in: {found[0]}"
    assert re.search(rf"\b{BAD_ID}\b", found[0]), f"row {BAD_ID} not named: {found[0]}"
    assert fx.snapshot(path) == before


def test_clean_ledger_exits_0(tmp_path: Path) -> None:
    path = fx.build_ledger(tmp_path / "ledger.db", fx.clean_rows())
    run = fx.kpitui(["check", "--db", path], fx.cli_env(tmp_path))
    assert run.returncode == 0, run
    assert problem_lines(run) == [], run
    assert note_lines(run) == [], run
    assert "no problems" in run.stdout, run


def test_overpayment_alone_is_a_note_not_a_problem(tmp_path: Path) -> None:
    rows = fx.clean_rows()
    # INV-0077 is 500.00; 600.00 arrives: a 100.00 credit for the client.
    rows["invoices"].append({"id": BAD_ID, "number": "INV-0077", "client_id": 2,
                             "issued_on": "2026-06-01", "due_on": "2026-06-16",
                             "amount_cents": 50_000})
    rows["payments"].append({"id": 90, "invoice_id": BAD_ID, "paid_on": "2026-06-14",
                             "amount_cents": 60_000, "method": "ach"})
    path = fx.build_ledger(tmp_path / "ledger.db", rows)

    run = fx.kpitui(["check", "--db", path], fx.cli_env(tmp_path))

    assert run.returncode == 0, run
    assert problem_lines(run) == [], run
    notes = note_lines(run)
    assert len(notes) == 1, run
    assert re.search(r"overpa|credit", notes[0], re.IGNORECASE), notes
    assert re.search(rf"\b{BAD_ID}\b", notes[0]), notes


def test_damaged_page_that_still_answers_is_found_by_quick_check(tmp_path: Path) -> None:
    """600 random bytes in the middle of an index leaf page (not page 1).

    Table scans never read that page, so the ledger still answers queries (count, sum);
    only `PRAGMA quick_check` sees the damage. `check` must report it and exit 1.
    """
    path = fx.big_ledger(tmp_path / "ledger.db", invoices=3000)
    page = fx.damage_index_page(path)
    assert page > 1
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 3000
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    finally:
        conn.close()
    before = fx.snapshot(path)

    run = fx.kpitui(["check", "--db", path], fx.cli_env(tmp_path))

    assert run.returncode == 1, run
    assert "Traceback" not in run.stderr, run
    assert re.search(r"damage|corrupt|malformed", run.stdout, re.IGNORECASE), run
    assert fx.snapshot(path) == before
