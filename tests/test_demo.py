"""The demo generator: same seed, same bytes; a sound WAL ledger; the story it promises."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from kpitui import demo
from kpitui.ledger import schema

SAMPLE = Path(__file__).resolve().parents[1] / "sample.db"
AS_OF = demo.DEFAULT_AS_OF.isoformat()

# Every money column (and goal targets): integer cents, never REAL.
MONEY = (("invoices", "amount_cents"), ("payments", "amount_cents"),
         ("followups", "promised_cents"), ("opportunities", "mrr_cents"),
         ("opportunities", "onetime_cents"), ("partner_costs", "amount_cents"),
         ("partners", "annual_target_cents"), ("goals", "target"))
# Dates of things that happened: none may be after as_of.
PAST = (("clients", "since"), ("clients", "churned_on"), ("invoices", "issued_on"),
        ("invoices", "written_off_on"), ("payments", "paid_on"), ("followups", "substr(at, 1, 10)"),
        ("opportunities", "created_on"), ("opportunities", "qualified_on"),
        ("opportunities", "appointment_on"), ("opportunities", "proposal_on"),
        ("opportunities", "closed_on"), ("partner_costs", "incurred_on"))


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo ledger, generated once for this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.generate(path)
    return path


@pytest.fixture
def db(ledger: Path):
    """A plain sqlite3 connection to the default demo ledger."""
    conn = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    yield conn
    conn.close()


def one(conn: sqlite3.Connection, sql: str, *args: object) -> object:
    """The single value a query returns."""
    return conn.execute(sql, args).fetchone()[0]


def open_balances(conn: sqlite3.Connection, as_of: str) -> list[tuple[int, str, int]]:
    """(invoice id, due_on, open cents) of every invoice live at as_of (KPIS.md)."""
    return conn.execute(
        "SELECT i.id, i.due_on, i.amount_cents - COALESCE((SELECT SUM(p.amount_cents) "
        "FROM payments p WHERE p.invoice_id = i.id AND p.paid_on <= ?1), 0) "
        "FROM invoices i WHERE i.void = 0 AND i.issued_on <= ?1 "
        "AND (i.written_off_on IS NULL OR i.written_off_on > ?1)", (as_of,)).fetchall()


def bucket(due_on: str, as_of: str) -> str:
    """The aging bucket of an invoice due on `due_on`."""
    dpd = (date.fromisoformat(as_of) - date.fromisoformat(due_on)).days
    return ("current" if dpd <= 0 else "1-30" if dpd <= 30 else "31-60" if dpd <= 60
            else "61-90" if dpd <= 90 else "90+")


def check_sound(conn: sqlite3.Connection, as_of: str) -> None:
    """What holds for any generated ledger, whatever its size, seed and date."""
    assert one(conn, "PRAGMA integrity_check") == "ok"
    assert one(conn, "PRAGMA application_id") == schema.APPLICATION_ID == 1263552852
    assert one(conn, "PRAGMA user_version") == 1
    assert one(conn, "PRAGMA journal_mode") == "wal"
    assert one(conn, "SELECT COUNT(*) FROM invoices WHERE due_on < issued_on") == 0
    for table, column in MONEY:
        kinds = {r[0] for r in conn.execute(f"SELECT DISTINCT typeof({column}) FROM {table}")}
        assert kinds <= {"integer", "null"}, (table, column, kinds)
    for table, column in PAST:
        for (value,) in conn.execute(f"SELECT DISTINCT {column} FROM {table} "
                                     f"WHERE {column} IS NOT NULL"):
            assert date.fromisoformat(value).isoformat() == value <= as_of, (table, column)
    assert one(conn, "SELECT COUNT(*) FROM followups WHERE at NOT GLOB "
                     "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'"
               ) == 0
    assert {r[0] for r in conn.execute("SELECT DISTINCT kind FROM followups")} <= set(
        schema.FOLLOWUP_KINDS)
    assert {r[0] for r in conn.execute("SELECT DISTINCT method FROM payments")} <= set(
        schema.PAYMENT_METHODS)
    assert one(conn, "SELECT COUNT(*) FROM invoices WHERE amount_cents <= 0") == 0
    assert one(conn, "SELECT value FROM meta WHERE key = 'as_of'") == as_of


def test_same_seed_gives_byte_identical_files(ledger: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    demo.generate(again)
    assert again.read_bytes() == ledger.read_bytes()


def test_another_seed_gives_another_story(ledger: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    demo.generate(other, seed=demo.DEFAULT_SEED + 1)
    assert other.read_bytes() != ledger.read_bytes()


def test_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "taken.db"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        demo.generate(path)
    assert path.read_bytes() == b"mine"


def test_file_is_wal_at_rest_with_nothing_beside_it(ledger: Path) -> None:
    header = ledger.read_bytes()[:100]
    assert header[18] == header[19] == 2  # WAL read and write versions
    assert int.from_bytes(header[60:64], "big") == 1  # user_version
    assert int.from_bytes(header[68:72], "big") == 1263552852  # application_id
    assert not Path(f"{ledger}-wal").exists() and not Path(f"{ledger}-shm").exists()


def test_rows_are_sane(db: sqlite3.Connection) -> None:
    check_sound(db, AS_OF)
    assert one(db, "SELECT COUNT(*) FROM clients") == demo.DEFAULT_CLIENTS
    assert one(db, "SELECT COUNT(*) FROM partners") == 7
    assert 5000 < one(db, "SELECT COUNT(*) FROM invoices") < 15000
    assert one(db, "SELECT COUNT(*) FROM payments") > one(db, "SELECT COUNT(*) FROM invoices")
    assert 200 < one(db, "SELECT COUNT(*) FROM opportunities") < 1000
    assert one(db, "SELECT COUNT(*) FROM followups") > 100
    assert one(db, "SELECT COUNT(*) FROM partner_costs") > 20
    assert one(db, "SELECT COUNT(*) FROM goals") == 6
    numbers = [r[0] for r in db.execute("SELECT number FROM invoices ORDER BY id")]
    assert all(re.fullmatch(r"INV-\d{6}", n) for n in numbers)
    assert numbers == sorted(numbers)
    assert dict(db.execute("SELECT key, value FROM meta")) == {
        "currency": "USD", "company": "Northwind Managed IT", "as_of": AS_OF,
        "gross_margin_pct": "62", "client_lifetime_months": "48"}
    assert one(db, "SELECT COUNT(*) FROM invoices WHERE recurring = 1") > 10 * one(
        db, "SELECT COUNT(*) FROM invoices WHERE recurring = 0")
    assert one(db, "SELECT COUNT(DISTINCT terms_days) FROM clients") == 3


def test_receivables_story(db: sqlite3.Connection) -> None:
    balances = open_balances(db, AS_OF)
    aging = Counter(bucket(due, AS_OF) for _, due, cents in balances if cents > 0)
    assert set(aging) == {"current", "1-30", "31-60", "61-90", "90+"}
    assert sum(1 for _, _, cents in balances if cents < 0) >= 2  # overpayments: credits
    partial = db.execute("SELECT COUNT(*) FROM invoices i WHERE i.void = 0 AND (SELECT SUM("
                         "amount_cents) FROM payments p WHERE p.invoice_id = i.id) "
                         "BETWEEN 1 AND i.amount_cents - 1").fetchone()[0]
    assert partial >= 3
    assert one(db, "SELECT COUNT(*) FROM invoices WHERE void = 1") in (1, 2)
    assert one(db, "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id "
                   "WHERE i.void = 1") == 0
    written_off = [r[0] for r in db.execute("SELECT id FROM invoices "
                                            "WHERE written_off_on IS NOT NULL")]
    assert len(written_off) in (1, 2)
    for inv_id in written_off:
        assert one(db, "SELECT COUNT(*) FROM followups WHERE invoice_id = ? "
                       "AND kind = 'writeoff'", inv_id) == 1
    reversals = db.execute("SELECT invoice_id, method FROM payments "
                           "WHERE amount_cents < 0").fetchall()
    assert len(reversals) == 1 and reversals[0][1] == "ach"
    autopay = one(db, "SELECT AVG(autopay) FROM clients")
    assert 0.25 < autopay < 0.42
    assert one(db, "SELECT COUNT(*) FROM clients WHERE churned_on IS NOT NULL") >= 3
    assert one(db, "SELECT COUNT(DISTINCT method) FROM payments") == 4
    assert one(db, "SELECT COUNT(*) FROM clients WHERE name = 'Smith [Ltd] & Co'") == 1


def test_collections_story(db: sqlite3.Connection) -> None:
    """Every queue status shows up, snoozes both active and expired, promises kept."""
    statuses, snoozes = Counter(), Counter()
    rows: dict[int, list[tuple]] = {}
    undone = {r[0] for r in db.execute("SELECT undoes FROM followups WHERE kind = 'undo'")}
    for row in db.execute("SELECT id, invoice_id, kind, promised_on, until FROM followups "
                          "WHERE kind != 'undo' ORDER BY at, id"):
        if row[0] not in undone:
            rows.setdefault(row[1], []).append(row)
    for inv_id, due, cents in open_balances(db, AS_OF):
        if cents <= 0 or due >= AS_OF:
            continue
        log = rows.get(inv_id, [])
        disputes = [r[2] for r in log if r[2] in ("dispute", "resolve")]
        promises = [r[3] for r in log if r[2] == "promise"]
        snoozed = [r[4] for r in log if r[2] == "snooze"]
        if snoozed:
            snoozes["active" if snoozed[-1] > AS_OF else "expired"] += 1
        statuses["disputed" if disputes and disputes[-1] == "dispute"
                 else "broken" if promises and promises[-1] < AS_OF
                 else "promised" if promises
                 else "escalated" if any(r[2] == "escalate" for r in log)
                 else "contacted" if any(r[2] in ("call", "email") for r in log) else "new"] += 1
    assert set(statuses) == {"disputed", "broken", "promised", "escalated", "contacted", "new"}
    assert set(snoozes) == {"active", "expired"}
    assert one(db, "SELECT COUNT(DISTINCT invoice_id) FROM followups WHERE kind = 'resolve'") >= 1
    kept = one(db, "SELECT COUNT(*) FROM followups f WHERE kind = 'promise' AND EXISTS ("
                   "SELECT 1 FROM payments p WHERE p.invoice_id = f.invoice_id "
                   "AND p.paid_on <= f.promised_on)")
    assert kept >= 5
    assert {r[0] for r in db.execute("SELECT DISTINCT by FROM followups")} == set(demo.STAFF)


def test_partner_story(db: sqlite3.Connection) -> None:
    """Statuses at as_of (KPIS.md): on track, exactly one at risk and one off track, one NULL."""
    status = {}
    for pid, target in db.execute("SELECT id, annual_target_cents FROM partners"):
        revenue = one(db, "SELECT COALESCE(SUM(i.amount_cents), 0) FROM invoices i "
                          "JOIN clients c ON c.id = i.client_id WHERE c.partner_id = ? "
                          "AND i.void = 0 AND i.issued_on > date(?, '-365 days') "
                          "AND i.issued_on <= ?", pid, AS_OF, AS_OF)
        variance = None if not target else 100 * (revenue - target) / target
        status[pid] = ("no target" if variance is None else "on track" if variance >= 0
                       else "at risk" if variance >= -10 else "off track")
    counts = Counter(status.values())
    assert counts["at risk"] == counts["off track"] == counts["no target"] == 1
    assert counts["on track"] >= 3
    kinds = {r[0] for r in db.execute("SELECT kind FROM partners")}
    assert kinds == {"referral", "vendor", "reseller", "distributor"}
    sourced = one(db, "SELECT AVG(partner_id IS NOT NULL) FROM clients")
    assert 0.35 < sourced < 0.65
    categories = {r[0] for r in db.execute("SELECT DISTINCT category FROM partner_costs")}
    assert categories == {"marketing", "mdf", "enablement", "other"}


def test_pipeline_and_goals_story(db: sqlite3.Connection) -> None:
    outcomes = dict(db.execute("SELECT COALESCE(outcome, 'open'), COUNT(*) "
                               "FROM opportunities GROUP BY 1"))
    assert outcomes["won"] > 50 and outcomes["lost"] > 50 and outcomes["open"] >= 5
    stalled = one(db, "SELECT COUNT(*) FROM opportunities WHERE outcome IS NULL "
                      "AND created_on < date(?, '-100 days')", AS_OF)
    assert stalled >= 3
    assert {r[0] for r in db.execute("SELECT DISTINCT source FROM opportunities")} == {
        "referral", "web", "event", "outbound"}
    assert one(db, "SELECT COUNT(*) FROM opportunities WHERE source = 'referral' "
                   "AND partner_id IS NULL") == 0
    assert one(db, "SELECT COUNT(DISTINCT owner) FROM opportunities") == 3
    assert one(db, "SELECT COUNT(*) FROM opportunities WHERE client_id IS NOT NULL") > 10
    assert one(db, "SELECT SUM(upsell_taken) FROM opportunities WHERE outcome = 'won'") > 0
    assert one(db, "SELECT COUNT(*) FROM opportunities WHERE outcome = 'won' AND "
                   "(qualified_on IS NULL OR appointment_on IS NULL)") > 0  # skipped stages
    paces = {}
    for gid, metric, start, end, target in db.execute("SELECT * FROM goals"):
        actual = goal_actual(db, metric, start, min(end, AS_OF))
        elapsed = (date.fromisoformat(min(end, AS_OF)) - date.fromisoformat(start)).days + 1
        total = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
        paces[gid] = 100 * actual / (target * elapsed / total)
    assert any(p >= 100 for p in paces.values()) and any(p < 100 for p in paces.values())
    periods = {r[0] for r in db.execute("SELECT period_start || '..' || period_end FROM goals")}
    assert periods == {"2026-01-01..2026-12-31", "2026-10-01..2026-12-31"}


def goal_actual(db: sqlite3.Connection, metric: str, start: str, end: str) -> int:
    """A goal metric over [start, end] (KPIS.md)."""
    sql = {
        "revenue": "SELECT SUM(amount_cents) FROM invoices WHERE void = 0 "
                   "AND issued_on BETWEEN ?1 AND ?2",
        "collections": "SELECT SUM(p.amount_cents) FROM payments p JOIN invoices i "
                       "ON i.id = p.invoice_id WHERE i.void = 0 AND paid_on BETWEEN ?1 AND ?2",
        "new_mrr": "SELECT SUM(mrr_cents) FROM opportunities WHERE outcome = 'won' "
                   "AND closed_on BETWEEN ?1 AND ?2",
        "won_deals": "SELECT COUNT(*) FROM opportunities WHERE outcome = 'won' "
                     "AND closed_on BETWEEN ?1 AND ?2",
        "new_leads": "SELECT COUNT(*) FROM opportunities WHERE created_on BETWEEN ?1 AND ?2",
    }[metric]
    return db.execute(sql, (start, end)).fetchone()[0] or 0


def test_committed_sample_is_what_generator_makes(tmp_path: Path) -> None:
    assert SAMPLE.exists(), f"{SAMPLE} is missing: run demo.generate with the defaults"
    fresh = tmp_path / "sample.db"
    demo.generate(fresh)
    written_by = int.from_bytes(SAMPLE.read_bytes()[96:100], "big")
    if written_by == sqlite3.sqlite_version_info[0] * 1000000 + sqlite3.sqlite_version_info[
            1] * 1000 + sqlite3.sqlite_version_info[2]:
        assert fresh.read_bytes() == SAMPLE.read_bytes(), "sample.db is stale: regenerate it"
    else:  # another SQLite library may lay out pages differently: compare the content
        with sqlite3.connect(fresh) as a, sqlite3.connect(f"file:{SAMPLE}?mode=ro", uri=True) as b:
            assert list(a.iterdump()) == list(b.iterdump()), "sample.db is stale: regenerate it"


def test_sample_is_small() -> None:
    assert SAMPLE.stat().st_size < 5 * 1024 * 1024


def test_two_thousand_clients(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    demo.generate(path, clients=2000)
    conn = sqlite3.connect(path)
    try:
        check_sound(conn, AS_OF)
        assert one(conn, "SELECT COUNT(*) FROM clients") == 2000
        assert 70000 < one(conn, "SELECT COUNT(*) FROM invoices") < 150000
        aging = {bucket(due, AS_OF) for _, due, cents in open_balances(conn, AS_OF) if cents > 0}
        assert aging == {"current", "1-30", "31-60", "61-90", "90+"}
    finally:
        conn.close()


@pytest.mark.parametrize(("clients", "as_of"), [(1, date(2026, 11, 16)), (5, date(2024, 2, 29)),
                                                (40, date(2025, 12, 31)),
                                                (40, date(2027, 1, 1))])
def test_any_size_and_date_gives_a_sound_ledger(tmp_path: Path, clients: int,
                                                 as_of: date) -> None:
    path = tmp_path / "any.db"
    demo.generate(path, seed=3, clients=clients, as_of=as_of)
    conn = sqlite3.connect(path)
    try:
        check_sound(conn, as_of.isoformat())
        assert one(conn, "SELECT COUNT(*) FROM clients") == clients
    finally:
        conn.close()
