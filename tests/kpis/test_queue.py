"""Collections queue (KPIS.md "Collections queue" and "Rows that count"). D = 2024-06-30."""

from __future__ import annotations

import pytest

from .builders import (
    D,
    add_client,
    add_followup,
    add_invoice,
    add_payment,
    day,
    summary,
)


def queue(db, as_of=D):
    return summary(db, as_of)["collections_queue"]


def ids(db, as_of=D):
    return [row["invoice_id"] for row in queue(db, as_of)]


def status_of(db, invoice_id, as_of=D):
    rows = [row for row in queue(db, as_of) if row["invoice_id"] == invoice_id]
    assert len(rows) == 1, f"invoice {invoice_id} not (once) in the queue"
    return rows[0]["status"]


def overdue(db, id, dpd=10, cents=1000, client_id=1):
    """An unpaid invoice `dpd` days past due."""
    add_invoice(db, id, client_id, day(-dpd - 30), day(-dpd), cents)


# --- candidates ---------------------------------------------------------------------------

def test_candidates(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-30), D, 1000)                  # dpd 0: not yet late
    add_invoice(db, 2, 1, day(-31), day(-1), 100)             # dpd 1: in
    add_invoice(db, 3, 1, day(-40), day(-10), 1000)           # fully paid: out
    add_payment(db, 3, day(-5), 1000)
    add_invoice(db, 4, 1, day(-40), day(-10), 1000)           # overpaid: out
    add_payment(db, 4, day(-5), 1500)
    add_invoice(db, 5, 1, day(-40), day(-10), 1000, void=1)   # void: out
    add_invoice(db, 6, 1, day(-40), day(-10), 1000, written_off_on=D)       # written off: out
    add_invoice(db, 7, 1, day(-40), day(-10), 1000, written_off_on=day(1))  # still live: in
    add_invoice(db, 8, 1, day(1), day(-5), 1000)              # issued after D: out
    add_invoice(db, 9, 1, day(-40), day(-10), 1000)           # paid after D: in
    add_payment(db, 9, day(1), 1000)
    add_invoice(db, 10, 1, day(-40), day(-10), 1000)          # partly paid: in with 400
    add_payment(db, 10, day(-3), 600)
    q = queue(db)
    assert sorted(row["invoice_id"] for row in q) == [2, 7, 9, 10]
    by_id = {row["invoice_id"]: row for row in q}
    assert by_id[10]["open_cents"] == 400
    assert by_id[10]["priority"] == 400 * 10
    assert by_id[2]["dpd"] == 1
    assert all(row["snoozed"] is False for row in q)


def test_priority_and_order(db):
    add_client(db, 1, "Acme")
    add_client(db, 2, "Globex")
    # A (id 9, INV-0001): 1000 x 10 = 10000
    add_invoice(db, 9, 1, day(-40), day(-10), 1000, number="INV-0001")
    # E (id 5, INV-0002): same due date and priority as A -> after A by number
    add_invoice(db, 5, 2, day(-40), day(-10), 1000, number="INV-0002")
    # B: 500 x 20 = 10000, due earlier than A -> before A
    add_invoice(db, 3, 2, day(-50), day(-20), 500, number="INV-0003")
    # C: 2000 x 10 = 20000 -> first
    add_invoice(db, 4, 1, day(-40), day(-10), 2000, number="INV-0004")
    # F: 300 x 1 = 300 -> last
    add_invoice(db, 1, 1, day(-31), day(-1), 300, number="INV-0005")
    q = queue(db)
    got = [(r["invoice_id"], r["number"], r["open_cents"], r["dpd"], r["priority"]) for r in q]
    assert got == [
        (4, "INV-0004", 2000, 10, 20000),
        (3, "INV-0003", 500, 20, 10000),
        (9, "INV-0001", 1000, 10, 10000),
        (5, "INV-0002", 1000, 10, 10000),
        (1, "INV-0005", 300, 1, 300),
    ]
    assert [(r["client_id"], r["client"]) for r in q] == [
        (1, "Acme"), (2, "Globex"), (1, "Acme"), (2, "Globex"), (1, "Acme")]
    assert all(r["status"] == "new" for r in q)


# --- which follow-ups count ---------------------------------------------------------------

def test_followups_after_d_are_ignored(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "dispute", day(1))
    overdue(db, 2)
    add_followup(db, 2, "call", "2024-07-01T00:00:00")
    overdue(db, 3)
    add_followup(db, 3, "dispute", "2024-06-30T23:59:59")    # on D (late evening): counts
    assert status_of(db, 1) == "new"
    assert status_of(db, 2) == "new"
    assert status_of(db, 3) == "disputed"
    # one day later they all count
    assert status_of(db, 1, day(1)) == "disputed"
    assert status_of(db, 2, day(1)) == "contacted"


def test_undo_on_or_before_d_cancels_its_target(db):
    add_client(db, 1)
    overdue(db, 1)
    f = add_followup(db, 1, "dispute", day(-5))
    add_followup(db, 1, "undo", day(-2), undoes=f)
    overdue(db, 2)
    f = add_followup(db, 2, "call", day(-5))
    add_followup(db, 2, "undo", D, undoes=f)                  # dated D: counts
    assert status_of(db, 1) == "new"
    assert status_of(db, 2) == "new"


def test_undo_after_d_does_not_cancel(db):
    add_client(db, 1)
    overdue(db, 1)
    f = add_followup(db, 1, "dispute", day(-5))
    add_followup(db, 1, "undo", day(1), undoes=f)
    assert status_of(db, 1) == "disputed"
    assert status_of(db, 1, day(1)) == "new"


def test_undo_of_a_resolve_brings_the_dispute_back(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "dispute", day(-10))
    r = add_followup(db, 1, "resolve", day(-5))
    add_followup(db, 1, "undo", day(-3), undoes=r)
    assert status_of(db, 1) == "disputed"


def test_undo_of_a_snooze_puts_the_invoice_back(db):
    add_client(db, 1)
    overdue(db, 1)
    s = add_followup(db, 1, "snooze", day(-3), until=day(10))
    add_followup(db, 1, "undo", day(-1), undoes=s)
    assert ids(db) == [1]


def test_undo_of_the_latest_promise_makes_the_earlier_one_latest(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "promise", day(-10), promised_on=day(5), promised_cents=500)
    p = add_followup(db, 1, "promise", day(-4), promised_on=day(-2), promised_cents=500)
    assert status_of(db, 1) == "broken"
    add_followup(db, 1, "undo", day(-1), undoes=p)
    assert status_of(db, 1) == "promised"


def test_promise_without_date_or_amount_counts_for_nothing(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "email", day(-6))
    add_followup(db, 1, "promise", day(-5), promised_on=day(5))          # no promised_cents
    overdue(db, 2)
    add_followup(db, 2, "promise", day(-5), promised_cents=1000)         # no promised_on
    overdue(db, 3)
    # a valid promise, then an incomplete one: the valid one is still the latest promise
    add_followup(db, 3, "promise", day(-10), promised_on=day(-1), promised_cents=1000)
    add_followup(db, 3, "promise", day(-2), promised_on=day(5))
    assert status_of(db, 1) == "contacted"
    assert status_of(db, 2) == "new"
    assert status_of(db, 3) == "broken"


def test_snooze_without_until_counts_for_nothing(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "snooze", day(-2))                    # no until: nothing
    overdue(db, 2)
    add_followup(db, 2, "snooze", day(-10), until=day(5))     # snoozed
    add_followup(db, 2, "snooze", day(-2))                    # no until: does not end it
    assert ids(db) == [1]


# --- snoozed ------------------------------------------------------------------------------

def test_snoozed(db):
    add_client(db, 1)
    overdue(db, 1, cents=1000)
    add_followup(db, 1, "snooze", day(-3), until=day(1))      # until > D: hidden
    overdue(db, 2, cents=2000)
    add_followup(db, 2, "snooze", day(-3), until=D)           # until = D: expired, shown
    overdue(db, 3, cents=3000)
    add_followup(db, 3, "snooze", day(-9), until=day(-3))     # expired
    overdue(db, 4, cents=4000)
    add_followup(db, 4, "snooze", day(-10), until=day(10))    # the latest snooze decides:
    add_followup(db, 4, "snooze", day(-2), until=day(-1))     # expired
    overdue(db, 5, cents=5000)
    add_followup(db, 5, "snooze", day(1), until=day(20))      # written after D: ignored
    overdue(db, 6, cents=6000)
    add_followup(db, 6, "snooze", day(-10), until=day(-5))
    add_followup(db, 6, "snooze", day(-2), until=day(3))      # latest: hidden
    q = queue(db)
    assert [r["invoice_id"] for r in q] == [5, 4, 3, 2]
    assert all(r["snoozed"] is False for r in q)


def test_snoozed_status_is_kept(db):
    add_client(db, 1)
    overdue(db, 1)
    add_followup(db, 1, "call", day(-4))
    add_followup(db, 1, "snooze", day(-3), until=day(2))
    assert ids(db) == []
    # once the snooze runs out the invoice is back with its status
    assert status_of(db, 1, day(2)) == "contacted"


# --- status -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], "new"),
        ([("note", -3, {})], "new"),
        ([("call", -3, {})], "contacted"),
        ([("email", -3, {})], "contacted"),
        ([("call", -5, {}), ("escalate", -3, {})], "escalated"),
        ([("escalate", -5, {}), ("email", -3, {})], "escalated"),
        ([("escalate", -5, {}), ("promise", -3, {"promised_on": day(3), "promised_cents": 1})],
         "promised"),
        ([("promise", -3, {"promised_on": D, "promised_cents": 500})], "promised"),
        ([("promise", -3, {"promised_on": day(-1), "promised_cents": 500})], "broken"),
        ([("escalate", -5, {}), ("promise", -9, {"promised_on": day(-1), "promised_cents": 1})],
         "broken"),
        # the latest promise decides
        ([("promise", -20, {"promised_on": day(10), "promised_cents": 500}),
          ("promise", -5, {"promised_on": day(-1), "promised_cents": 500})], "broken"),
        ([("promise", -20, {"promised_on": day(-10), "promised_cents": 500}),
          ("promise", -5, {"promised_on": day(3), "promised_cents": 500})], "promised"),
        # disputed beats everything
        ([("promise", -5, {"promised_on": day(-1), "promised_cents": 500}),
          ("dispute", -9, {})], "disputed"),
        ([("escalate", -5, {}), ("call", -4, {}), ("dispute", -3, {})], "disputed"),
        # the latest of dispute / resolve decides
        ([("dispute", -5, {}), ("resolve", -3, {})], "new"),
        ([("dispute", -5, {}), ("resolve", -3, {}), ("call", -2, {})], "contacted"),
        ([("resolve", -5, {}), ("dispute", -3, {})], "disputed"),
        ([("dispute", -9, {}), ("resolve", -5, {}), ("dispute", -3, {})], "disputed"),
        ([("resolve", -5, {})], "new"),
        # kinds that never set a status
        ([("payment", -3, {}), ("writeoff", -2, {})], "new"),
    ],
)
def test_status(db, rows, expected):
    add_client(db, 1)
    overdue(db, 1)
    for kind, offset, extra in rows:
        add_followup(db, 1, kind, day(offset), **extra)
    assert status_of(db, 1) == expected


def test_latest_is_by_at_then_id(db):
    add_client(db, 1)
    at = "2024-06-25T09:00:00"
    overdue(db, 1)
    add_followup(db, 1, "dispute", at, id=10)
    add_followup(db, 1, "resolve", at, id=11)     # same moment, higher id: latest
    overdue(db, 2)
    add_followup(db, 2, "resolve", at, id=20)
    add_followup(db, 2, "dispute", at, id=21)     # same moment, higher id: latest
    overdue(db, 3)
    # inserted first with a higher id but a later time: time wins
    add_followup(db, 3, "dispute", "2024-06-25T15:00:00", id=31)
    add_followup(db, 3, "resolve", "2024-06-25T08:00:00", id=30)
    # the same calendar day, later time of day
    overdue(db, 4)
    add_followup(db, 4, "resolve", "2024-06-25T17:00:00", id=40)
    add_followup(db, 4, "dispute", "2024-06-25T08:00:00", id=41)
    assert status_of(db, 1) == "new"
    assert status_of(db, 2) == "disputed"
    assert status_of(db, 3) == "disputed"
    assert status_of(db, 4) == "new"


def test_followups_only_affect_their_invoice(db):
    add_client(db, 1)
    overdue(db, 1, cents=1000)
    overdue(db, 2, cents=2000)
    add_followup(db, 1, "dispute", day(-3))
    add_followup(db, 2, "snooze", day(-3), until=day(9))
    q = queue(db)
    assert [(r["invoice_id"], r["status"]) for r in q] == [(1, "disputed")]


def test_undo_of_an_undo_counts_for_nothing(db):
    add_client(db, 1)
    overdue(db, 1)
    f = add_followup(db, 1, "dispute", day(-6))
    u = add_followup(db, 1, "undo", day(-5), undoes=f)
    # every undo row counts for nothing, so undoing the undo cannot revive the dispute;
    # the dispute stays cancelled by the first undo (dated <= D)
    add_followup(db, 1, "undo", day(-4), undoes=u)
    assert status_of(db, 1) == "new"
