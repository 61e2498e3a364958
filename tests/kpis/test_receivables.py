"""Receivables (KPIS.md "Receivables"): every figure worked out by hand. D = 2024-06-30."""

from __future__ import annotations

import pytest

from .builders import (
    D,
    add_client,
    add_invoice,
    add_payment,
    day,
    set_meta,
    summary,
)

ZERO_BUCKETS = {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 0}


def rec(db, as_of=D):
    return summary(db, as_of)["receivables"]


# --- buckets -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
     (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")],
)
def test_each_bucket_boundary(db, dpd, bucket):
    add_client(db, 1)
    # due D - dpd, issued 30 days before that; 1234 cents unpaid
    add_invoice(db, 1, 1, day(-dpd - 30), day(-dpd), 1234)
    r = rec(db)
    assert r["total_cents"] == 1234
    assert r["buckets"] == {**ZERO_BUCKETS, bucket: 1234}


def test_buckets_all_at_once(db):
    add_client(db, 1)
    amounts = {-5: 100, 0: 200, 1: 400, 30: 800, 31: 1600, 60: 3200, 61: 6400, 90: 12800,
               91: 25600}
    for i, (dpd, cents) in enumerate(amounts.items(), start=1):
        add_invoice(db, i, 1, day(-dpd - 30), day(-dpd), cents)
    r = rec(db)
    assert r["buckets"] == {"current": 100 + 200, "1-30": 400 + 800, "31-60": 1600 + 3200,
                            "61-90": 6400 + 12800, "90+": 25600}
    assert r["total_cents"] == 51100
    assert r["credits_cents"] == 0
    # % current = 100 x 300 / 51100, % over 90 = 100 x 25600 / 51100
    assert r["pct_current"] == pytest.approx(100 * 300 / 51100)
    assert r["pct_over_90"] == pytest.approx(100 * 25600 / 51100)


def test_partial_overpaid_reversed_and_late_payments(db):
    add_client(db, 1)
    # 1: 10000 due D-10, 3000 paid -> open 7000 in 1-30
    add_invoice(db, 1, 1, day(-40), day(-10), 10000)
    add_payment(db, 1, day(-20), 3000)
    # 2: 5000 due D-40, 8000 paid -> open -3000: a credit, in no bucket
    add_invoice(db, 2, 1, day(-70), day(-40), 5000)
    add_payment(db, 2, day(-35), 8000)
    # 3: 6000 due D-70, paid then reversed -> open 6000 in 61-90
    add_invoice(db, 3, 1, day(-100), day(-70), 6000)
    add_payment(db, 3, day(-60), 6000)
    add_payment(db, 3, day(-50), -6000)
    # 4: 4000 due D+10, paid on D+1 (after D: does not count) -> open 4000 current
    add_invoice(db, 4, 1, day(-20), day(10), 4000)
    add_payment(db, 4, day(1), 4000)
    r = rec(db)
    assert r["total_cents"] == 7000 + 6000 + 4000
    assert r["credits_cents"] == 3000
    assert r["buckets"] == {**ZERO_BUCKETS, "current": 4000, "1-30": 7000, "61-90": 6000}
    # the day after, the D+1 payment counts and invoice 4 is closed
    r2 = rec(db, day(1))
    assert r2["total_cents"] == 7000 + 6000
    assert r2["buckets"]["current"] == 0


def test_credit_is_not_netted_and_zero_open_is_neither(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-10), day(20), 2500)            # open 2500
    add_invoice(db, 2, 1, day(-10), day(20), 1000)
    add_payment(db, 2, day(-5), 1700)                         # open -700
    add_invoice(db, 3, 1, day(-10), day(20), 900)
    add_payment(db, 3, day(-5), 900)                          # open 0
    r = rec(db)
    assert r["total_cents"] == 2500
    assert r["credits_cents"] == 700
    assert r["buckets"]["current"] == 2500


def test_invoice_issued_after_d_is_not_live(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-10), day(20), 1000)
    add_invoice(db, 2, 1, day(1), day(31), 5000)      # issued after D
    add_invoice(db, 3, 1, D, day(30), 300)            # issued on D: live
    r = rec(db)
    assert r["total_cents"] == 1000 + 300
    assert r["buckets"]["current"] == 1300


def test_write_offs_before_on_and_after_d(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-100), day(-70), 1000, written_off_on=day(-5))   # not live
    add_invoice(db, 2, 1, day(-100), day(-70), 2000, written_off_on=D)         # not live
    add_invoice(db, 3, 1, day(-100), day(-70), 4000, written_off_on=day(1))    # live at D
    add_invoice(db, 4, 1, day(-100), day(-70), 8000)                           # live
    add_payment(db, 1, day(-90), 2500)    # overpaid but written off: no credit either
    r = rec(db)
    assert r["total_cents"] == 4000 + 8000
    assert r["credits_cents"] == 0
    assert r["buckets"] == {**ZERO_BUCKETS, "61-90": 12000}
    # a day before, invoice 2 was still live too (dpd 69 -> 61-90)
    assert rec(db, day(-1))["total_cents"] == 2000 + 4000 + 8000


def test_void_invoice_counts_nowhere(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-20), day(10), 6000)                   # sales, AR 6000 current
    add_invoice(db, 2, 1, day(-20), day(-5), 9000, void=1)           # void: no AR, no sales
    add_invoice(db, 3, 1, day(-20), day(-5), 1000, void=1, recurring=1)
    add_payment(db, 2, day(-3), 4000, method="card")                 # payment on a void invoice
    add_payment(db, 3, day(-3), 5000, method="wire")                 # overpays void: no credit
    add_payment(db, 1, day(-2), 1000, method="ach")
    r = rec(db)
    assert r["total_cents"] == 5000
    assert r["credits_cents"] == 0
    assert r["mrr_cents"] == 0
    # sales(D-90, D] = 6000 only -> DSO = 5000 / 6000 x 90 = 75
    assert r["dso"] == pytest.approx(75.0)
    assert r["collected_30d_cents"] == 1000
    assert r["payment_mix_pct"] == {"ach": pytest.approx(100.0)}


def test_due_before_issue_ages_from_due_date(db):
    add_client(db, 1)
    # issued D-10 but due D-20 (a data error): dpd = D - due = 20 -> 1-30
    add_invoice(db, 1, 1, day(-10), day(-20), 3000)
    r = summary(db)
    assert r["receivables"]["buckets"] == {**ZERO_BUCKETS, "1-30": 3000}
    q = r["collections_queue"]
    assert [(row["invoice_id"], row["dpd"], row["priority"]) for row in q] == [(1, 20, 60000)]


# --- DSO, best possible DSO, ADD, CEI, % current / over 90 ----------------------------------

def _dso_ledger(db):
    add_client(db, 1)
    # A: issued D-60, due D-30, 30000; 10000 paid on D-5 -> open 20000, dpd 30 (1-30)
    add_invoice(db, 1, 1, day(-60), day(-30), 30000)
    add_payment(db, 1, day(-5), 10000)
    # B: issued D-10, due D+20, 20000 unpaid -> current
    add_invoice(db, 2, 1, day(-10), day(20), 20000)
    # C: issued exactly D-90 (outside (D-90, D]), fully paid D-50
    add_invoice(db, 3, 1, day(-90), day(-60), 50000)
    add_payment(db, 3, day(-50), 50000)
    # E: issued D-89 (inside), fully paid D-40
    add_invoice(db, 4, 1, day(-89), day(-59), 10000)
    add_payment(db, 4, day(-40), 10000)


def test_dso_best_add(db):
    _dso_ledger(db)
    r = rec(db)
    # AR = 20000 + 20000 = 40000; AR_current = 20000; sales(D-90, D] = 30000 + 20000 + 10000
    assert r["total_cents"] == 40000
    assert r["dso"] == pytest.approx(40000 / 60000 * 90)                 # 60
    assert r["best_possible_dso"] == pytest.approx(20000 / 60000 * 90)   # 30
    assert r["add"] == pytest.approx(60.0 - 30.0)
    assert r["pct_current"] == pytest.approx(50.0)
    assert r["pct_over_90"] == pytest.approx(0.0)


def test_cei(db):
    _dso_ledger(db)
    r = rec(db)
    # AR(D-30): A open 30000 (its payment is on D-5), B not issued yet, C and E paid -> 30000
    # sales(D-30, D] = B 20000; AR(D) = 40000; AR_current(D) = 20000
    # CEI = 100 x (30000 + 20000 - 40000) / (30000 + 20000 - 20000) = 33.33
    assert r["cei"] == pytest.approx(100 * 10000 / 30000)


def test_cei_null_when_denominator_zero(db):
    add_client(db, 1)
    # current invoice issued inside (D-30, D]: sales 1000, AR_current 1000
    add_invoice(db, 1, 1, day(-5), day(25), 1000)
    # overdue invoice closed at D-30 and reopened by a reversal on D-10
    add_invoice(db, 2, 1, day(-100), day(-70), 2000)
    add_payment(db, 2, day(-80), 2000)
    add_payment(db, 2, day(-10), -2000)
    r = rec(db)
    # denominator = AR(D-30) 0 + sales 1000 - AR_current 1000 = 0 -> null
    assert r["total_cents"] == 3000
    assert r["cei"] is None


def test_cei_null_when_denominator_negative(db):
    add_client(db, 1)
    # issued D-60, due D+30; paid D-40, reversed D-10: AR(D-30) = 0, sales(D-30, D] = 0,
    # AR_current(D) = 5000 -> denominator -5000 -> null
    add_invoice(db, 1, 1, day(-60), day(30), 5000)
    add_payment(db, 1, day(-40), 5000)
    add_payment(db, 1, day(-10), -5000)
    r = rec(db)
    assert r["total_cents"] == 5000
    assert r["cei"] is None
    # the reversal lowers cash collected in (D-30, D]
    assert r["collected_30d_cents"] == -5000
    # payment mix only looks at positive payments
    assert r["payment_mix_pct"] == {"ach": pytest.approx(100.0)}


def test_ratios_null_on_empty_ledger(db):
    r = rec(db)
    assert r["total_cents"] == 0 and r["credits_cents"] == 0
    assert r["buckets"] == ZERO_BUCKETS
    for key in ("dso", "best_possible_dso", "add", "cei", "pct_current", "pct_over_90",
                "months_behind", "bad_debt_pct", "autopay_pct"):
        assert r[key] is None, key
    assert r["mrr_cents"] == 0
    assert r["payment_mix_pct"] == {}


def test_dso_null_without_sales_in_90_days(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-120), day(-91), 7000)   # only old sales
    r = rec(db)
    assert r["total_cents"] == 7000
    assert r["dso"] is None and r["best_possible_dso"] is None and r["add"] is None
    assert r["pct_over_90"] == pytest.approx(100.0)
    assert r["pct_current"] == pytest.approx(0.0)


def test_pct_over_90(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-200), day(-100), 10000)   # 90+
    add_invoice(db, 2, 1, day(-20), day(10), 30000)      # current
    r = rec(db)
    assert r["pct_over_90"] == pytest.approx(25.0)
    assert r["pct_current"] == pytest.approx(75.0)


# --- MRR, months behind ---------------------------------------------------------------------

def test_mrr_and_months_behind(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-30), D, 40000, recurring=1)       # issued D-30: outside
    add_payment(db, 1, day(-1), 40000)
    add_invoice(db, 2, 1, day(-29), day(1), 10000, recurring=1)  # inside, open
    add_invoice(db, 3, 1, D, day(30), 20000, recurring=1)        # issued on D: inside, open
    add_invoice(db, 4, 1, day(1), day(31), 70000, recurring=1)   # after D
    add_invoice(db, 5, 1, day(-5), day(25), 80000, recurring=1, void=1)
    add_invoice(db, 6, 1, day(-5), day(25), 7000)                # not recurring, open
    add_invoice(db, 7, 1, day(-10), day(20), 5000, recurring=1, written_off_on=day(-2))
    r = rec(db)
    # MRR = 10000 + 20000 + 5000 (written off, but billed) = 35000
    assert r["mrr_cents"] == 35000
    # AR = 10000 + 20000 + 7000 = 37000
    assert r["total_cents"] == 37000
    assert r["months_behind"] == pytest.approx(37000 / 35000)


def test_months_behind_null_without_mrr(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-10), day(20), 5000)
    add_invoice(db, 2, 1, day(-40), day(-10), 5000, recurring=1)   # recurring but too old
    r = rec(db)
    assert r["mrr_cents"] == 0
    assert r["total_cents"] == 10000
    assert r["months_behind"] is None


# --- collected 30d ----------------------------------------------------------------------------

def test_collected_30d_window(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-200), day(-170), 100000)
    add_invoice(db, 2, 1, day(-200), day(-170), 100000, void=1)
    add_invoice(db, 3, 1, day(-200), day(-170), 100000, written_off_on=day(-100))
    add_payment(db, 1, day(-30), 1)       # D-30: outside
    add_payment(db, 1, day(-29), 20)      # inside
    add_payment(db, 1, D, 300)            # inside
    add_payment(db, 1, day(1), 4000)      # after D
    add_payment(db, 1, day(-3), -50)      # reversal inside: counts
    add_payment(db, 2, day(-5), 60000)    # void invoice: never counts
    add_payment(db, 3, day(-4), 700)      # recovery on a written-off invoice: a payment
    r = rec(db)
    assert r["collected_30d_cents"] == 20 + 300 - 50 + 700


def test_padded_dates_count_and_impossible_ones_do_not(db):
    """A date typed with spaces around it is still that date; 2024-06-31 is no date at all
    (its payment is set apart: it counts nowhere)."""
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-200), day(-170), 100000)
    add_payment(db, 1, f" {day(-2)}\t", 40)    # inside, once trimmed
    add_payment(db, 1, "2024-06-31", 5000)     # D is 2024-06-30: an impossible date
    add_payment(db, 1, day(-1), 300)
    r = rec(db)
    assert r["collected_30d_cents"] == 40 + 300
    assert r["total_cents"] == 100000 - 340


# --- bad debt % -------------------------------------------------------------------------------

def test_bad_debt_pct(db):
    add_client(db, 1)
    # W1: 10000, 4000 paid before the write-off on D-100, 1000 recovered later -> 6000
    add_invoice(db, 1, 1, day(-200), day(-170), 10000, written_off_on=day(-100))
    add_payment(db, 1, day(-150), 4000)
    add_payment(db, 1, day(-50), 1000)
    # W2: issued D-400 (not in sales window), written off D-300 (inside) -> 8000
    add_invoice(db, 2, 1, day(-400), day(-370), 8000, written_off_on=day(-300))
    # W3: written off after D -> not bad debt yet (still live); in sales
    add_invoice(db, 3, 1, day(-100), day(-70), 5000, written_off_on=day(5))
    # W4: written off exactly D-365 -> outside (D-365, D]; issued outside too
    add_invoice(db, 4, 1, day(-500), day(-470), 3000, written_off_on=day(-365))
    # W5: overpaid before its write-off -> max(2000 - 3000, 0) = 0; in sales
    add_invoice(db, 5, 1, day(-50), day(-20), 2000, written_off_on=day(-30))
    add_payment(db, 5, day(-40), 3000)
    # W6: void -> neither bad debt nor sales
    add_invoice(db, 6, 1, day(-60), day(-30), 9000, void=1, written_off_on=day(-10))
    # W7: paid 1500 on the write-off date itself (counts in paid at that date) -> 2500
    add_invoice(db, 7, 1, day(-80), day(-50), 4000, written_off_on=day(-20))
    add_payment(db, 7, day(-20), 1500)
    # N1: a plain invoice
    add_invoice(db, 8, 1, day(-10), day(20), 20000)
    r = rec(db)
    # sales(D-365, D] = 10000 + 5000 + 2000 + 4000 + 20000 = 41000
    # WO = 6000 + 8000 + 0 + 2500 = 16500
    assert r["bad_debt_pct"] == pytest.approx(100 * 16500 / 41000)


def test_bad_debt_null_without_sales(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-400), day(-370), 8000, written_off_on=day(-300))
    assert rec(db)["bad_debt_pct"] is None


def test_bad_debt_zero(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-40), day(-10), 8000)
    assert rec(db)["bad_debt_pct"] == pytest.approx(0.0)


# --- payment mix ------------------------------------------------------------------------------

def test_payment_mix(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-200), day(-170), 1_000_000)
    add_invoice(db, 2, 1, day(-200), day(-170), 1_000_000, void=1)
    add_payment(db, 1, day(-10), 4000, method="ach")
    add_payment(db, 1, D, 2000, method="ach")
    add_payment(db, 1, day(-5), -2000, method="ach")     # reversal: not in the mix
    add_payment(db, 1, day(-20), 3000, method="card")
    add_payment(db, 1, day(-89), 1000, method="check")   # inside (D-90, D]
    add_payment(db, 1, day(-90), 5000, method="wire")    # D-90: outside -> wire left out
    add_payment(db, 1, day(-3), -500, method="cash")     # only a reversal -> cash left out
    add_payment(db, 1, day(1), 7000, method="card")      # after D
    add_payment(db, 2, day(-1), 9000, method="credit")   # on a void invoice
    r = rec(db)
    # positive payments in the window: ach 6000, card 3000, check 1000 -> 10000
    assert r["payment_mix_pct"] == pytest.approx({"ach": 60.0, "card": 30.0, "check": 10.0})
    assert set(r["payment_mix_pct"]) == {"ach", "card", "check"}


# --- autopay % --------------------------------------------------------------------------------

def test_autopay_pct_active_clients(db):
    add_client(db, 1, autopay=1)                                   # active (no dates)
    add_client(db, 2, autopay=0, since=D)                          # active (since on D)
    add_client(db, 3, autopay=1, since=day(1))                     # not yet a client
    add_client(db, 4, autopay=1, churned_on=D)                     # churned on D: gone
    add_client(db, 5, autopay=1, since=day(-100), churned_on=day(1))   # still active
    add_client(db, 6, autopay=0, since=day(-100), churned_on=day(-50))  # gone
    # active: 1, 2, 5; with autopay: 1, 5 -> 2 / 3
    assert rec(db)["autopay_pct"] == pytest.approx(100 * 2 / 3)


def test_autopay_null_without_active_clients(db):
    add_client(db, 1, autopay=1, churned_on=day(-1))
    add_client(db, 2, autopay=1, since=day(3))
    assert rec(db)["autopay_pct"] is None


# --- aging by client --------------------------------------------------------------------------

def test_aging_by_client(db):
    add_client(db, 1, "Alpha")
    add_client(db, 2, "Bravo")
    add_client(db, 3, "Charlie")
    add_client(db, 4, "Delta")     # only a credit -> total 0 -> left out
    add_client(db, 5, "Echo")      # all paid -> left out
    # Alpha: 3000 current + 2000 in 31-60, plus an overpaid invoice (credit 2000, not netted)
    add_invoice(db, 1, 1, day(-10), day(20), 3000)
    add_invoice(db, 2, 1, day(-70), day(-40), 2000)
    add_invoice(db, 3, 1, day(-70), day(-40), 1000)
    add_payment(db, 3, day(-30), 3000)
    # Bravo: 9000 in 90+
    add_invoice(db, 4, 2, day(-200), day(-100), 9000)
    # Charlie: 5000 in 1-30 (same total as Alpha -> client_id decides)
    add_invoice(db, 5, 3, day(-30), day(-1), 5000)
    add_invoice(db, 6, 4, day(-30), day(-1), 100)
    add_payment(db, 6, day(-2), 400)
    add_invoice(db, 7, 5, day(-30), day(-1), 100)
    add_payment(db, 7, day(-2), 100)
    s = summary(db)
    assert s["aging_by_client"] == [
        {"client_id": 2, "client": "Bravo", **ZERO_BUCKETS, "90+": 9000, "total": 9000},
        {"client_id": 1, "client": "Alpha", **ZERO_BUCKETS, "current": 3000, "31-60": 2000,
         "total": 5000},
        {"client_id": 3, "client": "Charlie", **ZERO_BUCKETS, "1-30": 5000, "total": 5000},
    ]
    assert s["receivables"]["total_cents"] == 9000 + 5000 + 5000
    assert s["receivables"]["credits_cents"] == 2000 + 300


# --- the JSON object ------------------------------------------------------------------------

def test_summary_keys_and_currency(db):
    s = summary(db, "2024-02-29")
    assert s["as_of"] == "2024-02-29"
    assert s["currency"] == "USD"                  # meta.currency default
    for key in ("receivables", "cash_forecast", "aging_by_client", "collections_queue",
                "pipeline", "partners", "goals"):
        assert key in s, key
    assert set(s["receivables"]) >= {
        "total_cents", "credits_cents", "buckets", "dso", "best_possible_dso", "add", "cei",
        "pct_current", "pct_over_90", "mrr_cents", "months_behind", "collected_30d_cents",
        "bad_debt_pct", "autopay_pct", "payment_mix_pct"}
    assert list(s["receivables"]["buckets"]) == ["current", "1-30", "31-60", "61-90", "90+"]
    assert set(s["cash_forecast"]) >= {"weeks", "at_risk_cents", "disputed_cents"}
    assert set(s["pipeline"]) >= {
        "stages", "lost", "conversion", "win_rate", "avg_won_mrr_cents",
        "avg_won_onetime_cents", "sales_cycle_days", "upsell_take_rate", "forecast_mrr_cents"}
    set_meta(db, "currency", "EUR")
    assert summary(db)["currency"] == "EUR"
