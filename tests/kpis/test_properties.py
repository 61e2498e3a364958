"""Property-based checks on random small ledgers around a fixed D (hypothesis).

Each example builds a fresh ledger file in its own temporary directory (function-scoped
fixtures do not mix with @given).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from .builders import (
    D,
    add_client,
    add_followup,
    add_invoice,
    add_payment,
    day,
    fresh_book,
    summary,
)

# Keep hypothesis' cache out of the checkout (no .hypothesis/ next to pyproject.toml).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kpitui-kpis-hypothesis")

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")

invoice_st = st.fixed_dictionaries({
    "client": st.integers(1, 3),
    "issued": st.integers(-200, 10),
    "terms": st.integers(-10, 60),           # negative: due before issue
    "cents": st.integers(0, 50_000),
    "void": st.sampled_from([0, 0, 0, 1]),
    "written_off": st.one_of(st.none(), st.integers(-150, 10)),
    "payments": st.lists(st.tuples(st.integers(-200, 10), st.integers(-30_000, 60_000)),
                         max_size=3),
    "followups": st.lists(st.tuples(st.sampled_from(["call", "dispute", "resolve", "escalate",
                                                     "promise", "snooze"]),
                                    st.integers(-30, 3), st.integers(-10, 10)),
                          max_size=2),
})
ledger_st = st.lists(invoice_st, min_size=0, max_size=7)


def build(invoices) -> tuple[object, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory()
    db = fresh_book(tmp.name)
    for cid in (1, 2, 3):
        add_client(db, cid, f"Client {cid}")
    for i, inv in enumerate(invoices, start=1):
        issued = inv["issued"]
        wo = inv["written_off"]
        add_invoice(db, i, inv["client"], day(issued), day(issued + inv["terms"]), inv["cents"],
                    void=inv["void"], written_off_on=None if wo is None else day(wo))
        for paid_on, cents in inv["payments"]:
            add_payment(db, i, day(paid_on), cents)
        for kind, at, offset in inv["followups"]:
            extra = {}
            if kind == "promise":
                extra = {"promised_on": day(offset), "promised_cents": 1000}
            elif kind == "snooze":
                extra = {"until": day(offset)}
            add_followup(db, i, kind, day(at), **extra)
    return db, tmp


def oracle_open(invoices):
    """Hand rule of KPIS.md: (client, open, dpd) of each live invoice at D."""
    d = date.fromisoformat(D)
    rows = []
    for inv in invoices:
        wo = inv["written_off"]
        live = inv["void"] == 0 and inv["issued"] <= 0 and (wo is None or wo > 0)
        if not live:
            continue
        paid = sum(c for on, c in inv["payments"] if on <= 0)
        due = date.fromisoformat(day(inv["issued"] + inv["terms"]))
        rows.append((inv["client"], inv["cents"] - paid, (d - due).days))
    return rows


def bucket(dpd: int) -> str:
    if dpd <= 0:
        return "current"
    if dpd <= 30:
        return "1-30"
    if dpd <= 60:
        return "31-60"
    return "61-90" if dpd <= 90 else "90+"


SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ledger_st)
def test_invariants(invoices):
    """One summary per example (each costs a ledger file), all the checks on it."""
    db, tmp = build(invoices)
    try:
        s = summary(db)
    finally:
        tmp.cleanup()
    rows = oracle_open(invoices)
    check_receivables(s, rows)
    check_queue(s, rows, invoices)
    check_forecast(s, rows)


def check_receivables(s, rows):
    r = s["receivables"]
    assert sum(r["buckets"].values()) == r["total_cents"]
    assert all(v >= 0 for v in r["buckets"].values())
    assert r["credits_cents"] >= 0
    if r["add"] is not None:
        assert r["add"] >= -1e-9
    if r["dso"] is not None:
        assert r["best_possible_dso"] <= r["dso"] + 1e-9
    assert sum(row["total"] for row in s["aging_by_client"]) == r["total_cents"]
    for row in s["aging_by_client"]:
        assert row["total"] > 0
        assert sum(row[b] for b in BUCKETS) == row["total"]
    keys = [(-row["total"], row["client_id"]) for row in s["aging_by_client"]]
    assert keys == sorted(keys)
    # the hand rules, independently of kpitui
    assert r["total_cents"] == sum(o for _, o, _ in rows if o > 0)
    assert r["credits_cents"] == -sum(o for _, o, _ in rows if o < 0)
    want = dict.fromkeys(BUCKETS, 0)
    for _, o, dpd in rows:
        if o > 0:
            want[bucket(dpd)] += o
    assert r["buckets"] == want


def check_queue(s, rows, invoices):
    q = s["collections_queue"]
    priorities = [row["priority"] for row in q]
    assert priorities == sorted(priorities, reverse=True)
    # full order: priority desc, then due_on asc, then number asc (invoice i is INV-000i)
    def due(row):
        inv = invoices[row["invoice_id"] - 1]
        return inv["issued"] + inv["terms"]

    keys = [(-row["priority"], due(row), row["number"]) for row in q]
    assert keys == sorted(keys)
    for row in q:
        assert row["open_cents"] > 0
        assert row["dpd"] >= 1
        assert row["priority"] == row["open_cents"] * row["dpd"]
        assert row["snoozed"] is False
        assert row["status"] in ("disputed", "broken", "promised", "escalated", "contacted",
                                 "new")
    # every candidate (live, open > 0, dpd >= 1) is in the queue unless snoozed
    candidates = sum(1 for _, o, dpd in rows if o > 0 and dpd >= 1)
    assert len(q) <= candidates
    if not any(k == "snooze" for inv in invoices for k, _, _ in inv["followups"]):
        assert len(q) == candidates
    assert sum(row["open_cents"] for row in q) <= s["receivables"]["total_cents"]


def check_forecast(s, rows):
    c = s["cash_forecast"]
    assert len(c["weeks"]) == 13
    assert all(w >= 0 for w in c["weeks"])
    at_risk = sum(o for _, o, dpd in rows if o > 0 and dpd > 90)
    expected = sum(o for _, o, dpd in rows if o > 0 and dpd <= 90)
    assert c["at_risk_cents"] == at_risk
    assert sum(c["weeks"]) <= expected
    assert 0 <= c["disputed_cents"] <= expected
    assert s["receivables"]["total_cents"] == expected + at_risk


@pytest.mark.parametrize("as_of", ["2024-01-01", D])
def test_empty_ledger_any_date(as_of):
    db, tmp = build([])
    try:
        s = summary(db, as_of)
    finally:
        tmp.cleanup()
    assert s["as_of"] == as_of
    assert s["receivables"]["total_cents"] == 0
    assert s["cash_forecast"]["weeks"] == [0] * 13
