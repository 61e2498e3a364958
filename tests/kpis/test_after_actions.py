"""After an action the app computes only what the action touched (issue 7): the figures must
be exactly those of a fresh read of the whole ledger, for every kind of action."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import SAMPLE
from kpitui.kpis.cockpit import compute
from kpitui.kpis.receivables import carry_over
from kpitui.kpis.summary import to_dict
from kpitui.ledger import actions
from kpitui.ledger.connection import open_ledger
from kpitui.ledger.load import load, refresh

D = date(2026, 11, 16)   # the sample's meta.as_of


def fresh(path: Path, handle):
    """The cockpit from a whole new read (our handle closed meanwhile: connectorx)."""
    handle.close()
    other = open_ledger(path)
    try:
        led = load(other)
    finally:
        other.close()
    handle.reopen()
    return led, compute(led, D)


def overdue(path: Path, n: int) -> list[tuple[int, int]]:
    """(invoice id, open cents at D) of n overdue invoices nobody has followed up yet, from
    SQL (not from the code under test)."""
    rows = sqlite3.connect(path).execute(
        "SELECT i.id, i.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM payments p"
        " WHERE p.invoice_id = i.id AND p.paid_on <= ?), 0) AS open FROM invoices i"
        " WHERE i.void = 0 AND i.written_off_on IS NULL AND i.due_on < ? AND i.issued_on <= ?"
        " AND open > 1000 AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.invoice_id = i.id)"
        " ORDER BY i.id LIMIT ?", (D.isoformat(),) * 3 + (n,)).fetchall()
    return [(int(a), int(b)) for a, b in rows]


def applied(handle, led, cockpit, written):
    """What the app does after an action: re-read the written rows, patch, recompute."""
    new = refresh(handle, led, written.rows())
    carry_over(led, new, written.rows())
    return new, compute(new, D, before=cockpit, changed=written.tables())


def assert_same_as_full_read(path: Path, handle, led, cockpit) -> None:
    full_led, full = fresh(path, handle)
    assert to_dict(led, cockpit) == to_dict(full_led, full)
    assert cockpit.series == full.series
    assert cockpit.previous == full.previous


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "sample.db"
    shutil.copy(SAMPLE, path)
    return path


def test_every_action_leaves_the_same_figures_as_a_full_read(ledger: Path):
    handle = open_ledger(ledger)
    led = load(handle)
    cockpit = compute(led, D)
    (a, open_a), (b, _), (c, _) = overdue(ledger, 3)
    steps = [
        lambda: actions.log(handle, a, "call", "left a message", D),
        lambda: actions.promise(handle, a, D + timedelta(days=5), 1000, D),
        lambda: actions.snooze(handle, b, D + timedelta(days=7), D),
        lambda: actions.log(handle, b, "dispute", "wrong rate", D),
        lambda: actions.payment(handle, a, 1000, D, "ach", D),
        lambda: actions.payment(handle, c, 500, D - timedelta(days=120), "card", D),
        lambda: actions.write_off(handle, b, D),
    ]
    written = []
    try:
        for step in steps:
            written.append(step())
            led, cockpit = applied(handle, led, cockpit, written[-1])
            assert_same_as_full_read(ledger, handle, led, cockpit)
        for w in reversed(written[-3:]):          # undo the write-off and both payments
            led, cockpit = applied(handle, led, cockpit,
                                   actions.undo(handle, w.followups[-1], D))
            assert_same_as_full_read(ledger, handle, led, cockpit)
    finally:
        handle.close()
    assert open_a > 1000


def test_a_payment_lowers_ar_by_its_amount_and_a_call_changes_no_total(ledger: Path):
    handle = open_ledger(ledger)
    try:
        led = load(handle)
        before = compute(led, D)
        (inv, open_cents), = overdue(ledger, 1)
        new, after_call = applied(handle, led, before, actions.log(handle, inv, "call", "", D))
        assert after_call.headline == before.headline
        status = dict(zip(after_call.queue["invoice_id"], after_call.queue["status"],
                          strict=True))
        assert status[inv] == "contacted"
        _, after_pay = applied(handle, new, after_call,
                               actions.payment(handle, inv, 700, D, "check", D))
        assert after_pay.headline.total_cents == before.headline.total_cents - 700
        assert (after_pay.headline.collected_30d_cents
                == before.headline.collected_30d_cents + 700)
        opens = dict(zip(after_pay.opens["id"], after_pay.opens["open_cents"], strict=True))
        assert opens[inv] == open_cents - 700
    finally:
        handle.close()
