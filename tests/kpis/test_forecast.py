"""Cash-in forecast (KPIS.md "Cash-in forecast"). D = 2024-06-30.

Week k (1..13) holds the days (D + 7(k-1), D + 7k]: D+1..D+7 is week 1 (index 0),
D+8..D+14 week 2, D+15..D+21 week 3, ..., D+85..D+91 week 13.
"""

from __future__ import annotations

from .builders import (
    D,
    add_client,
    add_followup,
    add_invoice,
    add_payment,
    day,
    summary,
)


def weeks(**cents_by_week: int) -> list[int]:
    """weeks(w1=100, w3=50) -> the 13-week list with those entries."""
    out = [0] * 13
    for key, cents in cents_by_week.items():
        out[int(key[1:]) - 1] += cents
    return out


def cash(db, as_of=D):
    return summary(db, as_of)["cash_forecast"]


def paid_history(db, inv_id, client_id, due_offset, late_days, cents=1000):
    """An invoice due D+due_offset, paid in full `late_days` after its due date."""
    add_invoice(db, inv_id, client_id, day(due_offset - 30), day(due_offset), cents)
    add_payment(db, inv_id, day(due_offset + late_days), cents)


# --- lateness -------------------------------------------------------------------------------

def test_lateness_odd_count_median(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -100, 5)       # +5
    paid_history(db, 2, 1, -80, -2)       # -2 (early)
    # +10: paid in two parts, the running sum reaches 1000 on D-50
    add_invoice(db, 3, 1, day(-90), day(-60), 1000)
    add_payment(db, 3, day(-58), 500)
    add_payment(db, 3, day(-50), 500)
    # median(-2, 5, 10) = 5 -> 3000 due D+10 expected on D+15: week 3
    add_invoice(db, 4, 1, day(-20), day(10), 3000)
    c = cash(db)
    assert c["weeks"] == weeks(w3=3000)
    assert c["at_risk_cents"] == 0 and c["disputed_cents"] == 0


def test_lateness_even_count_negative_rounds_down(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -100, -2)
    paid_history(db, 2, 1, -50, -3)
    # mean of -2 and -3 = -2.5 -> floor -3 (not -2): due D+10 -> D+7, week 1
    add_invoice(db, 3, 1, day(-20), day(10), 700)
    # due D+2 -> D-1, not after D -> D+1, week 1
    add_invoice(db, 4, 1, day(-20), day(2), 11)
    assert cash(db)["weeks"] == weeks(w1=700 + 11)


def test_lateness_even_count_positive(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -100, 4)
    paid_history(db, 2, 1, -70, 7)
    # (4 + 7) / 2 = 5.5 -> 5: due D+9 -> D+14, week 2 (6 would be D+15, week 3)
    add_invoice(db, 3, 1, day(-20), day(9), 900)
    assert cash(db)["weeks"] == weeks(w2=900)


def test_lateness_even_count_takes_the_middle_two(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -200, 20)
    paid_history(db, 2, 1, -150, 1)
    paid_history(db, 3, 1, -100, 10)
    paid_history(db, 4, 1, -60, 2)
    # sorted 1, 2, 10, 20 -> (2 + 10) / 2 = 6 (the mean would be 8.25 -> 8):
    # due D+8 -> D+14, week 2 (7 or more would be week 3)
    add_invoice(db, 5, 1, day(-20), day(8), 400)
    assert cash(db)["weeks"] == weeks(w2=400)


def test_lateness_window_void_and_zero_amount_ignored(db):
    add_client(db, 1)
    # fully paid on D-365 exactly: outside (D-365, D] -> ignored (would be +35)
    paid_history(db, 1, 1, -400, 35)
    # fully paid on D-290: +10 counts
    paid_history(db, 2, 1, -300, 10)
    # a void invoice "paid" 50 days late: its payments do not count -> ignored
    add_invoice(db, 3, 1, day(-130), day(-100), 1000, void=1)
    add_payment(db, 3, day(-50), 1000)
    # a zero-amount invoice, "paid" 60 days late -> ignored (amount_cents > 0 only)
    add_invoice(db, 4, 1, day(-130), day(-100), 0)
    add_payment(db, 4, day(-40), 0)
    # lateness 10: due D+1 -> D+11, week 2
    add_invoice(db, 5, 1, day(-20), day(1), 1200)
    assert cash(db)["weeks"] == weeks(w2=1200)


def test_invoice_fully_paid_after_d_is_not_history_but_is_expected(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -60, 3)              # +3
    # due D-40, paid in full on D+1: open at D, and no lateness sample (would be +41)
    add_invoice(db, 2, 1, day(-70), day(-40), 500)
    add_payment(db, 2, day(1), 500)
    # lateness 3: invoice 2 -> D-37 -> D+1 (week 1); invoice 3 due D+5 -> D+8 (week 2)
    add_invoice(db, 3, 1, day(-20), day(5), 800)
    assert cash(db)["weeks"] == weeks(w1=500, w2=800)


def test_full_payment_date_is_where_the_running_sum_reaches_the_amount(db):
    add_client(db, 1)
    # overpaid on the second payment: running sum 600, 1200 -> full on D-90: +10
    add_invoice(db, 1, 1, day(-130), day(-100), 1000)
    add_payment(db, 1, day(-95), 600)
    add_payment(db, 1, day(-90), 600)
    # lateness 10: due D+4 -> D+14, week 2
    add_invoice(db, 2, 1, day(-20), day(4), 250)
    assert cash(db)["weeks"] == weeks(w2=250)


def test_full_payment_date_first_reach_even_if_reversed_later(db):
    add_client(db, 1)
    # running sum (paid_on, id order): 1000 on D-98 (reaches: +2), 0 on D-97, 1000 on D-60
    add_invoice(db, 1, 1, day(-130), day(-100), 1000)
    add_payment(db, 1, day(-98), 1000)
    add_payment(db, 1, day(-97), -1000)
    add_payment(db, 1, day(-60), 1000)
    # lateness 2: due D+1 -> D+3, week 1 (40 would put it in week 6)
    add_invoice(db, 2, 1, day(-20), day(1), 640)
    assert cash(db)["weeks"] == weeks(w1=640)


def test_full_payment_date_counts_rows_within_a_day_in_id_order(db):
    add_client(db, 1)
    # On D-98: +1000 (id 10) then -1000 (id 11): the running sum is 1000 after id 10, so the
    # invoice is fully paid on D-98 (+2), although the day ends at 0. Paid again on D-60.
    add_invoice(db, 1, 1, day(-130), day(-100), 1000)
    add_payment(db, 1, day(-98), 1000, id=10)
    add_payment(db, 1, day(-98), -1000, id=11)
    add_payment(db, 1, day(-60), 1000, id=12)
    # On D-80, the other way round: -300 (id 20) then +300 (id 21) on 700 paid before: the
    # running sum is 400 then 700, never the 1000 it would need; paid in full on D-75 (+5).
    add_invoice(db, 3, 1, day(-110), day(-80), 1000)
    add_payment(db, 3, day(-85), 700, id=19)
    add_payment(db, 3, day(-80), -300, id=20)
    add_payment(db, 3, day(-80), 300, id=21)
    add_payment(db, 3, day(-75), 300, id=22)
    # median(+2, +5) = 3.5 -> 3: due D+1 -> D+4, week 1 (with D-60 as the date: +40, week 6)
    add_invoice(db, 2, 1, day(-20), day(1), 640)
    assert cash(db)["weeks"] == weeks(w1=640)


def test_lateness_is_per_client(db):
    add_client(db, 1)
    add_client(db, 2)                          # no history: lateness 0
    paid_history(db, 1, 1, -100, 20)           # client 1: +20
    add_invoice(db, 2, 1, day(-20), day(3), 100)   # D+23: week 4
    add_invoice(db, 3, 2, day(-20), day(3), 200)   # D+3: week 1
    assert cash(db)["weeks"] == weeks(w1=200, w4=100)


# --- which invoices, and which week ----------------------------------------------------------

def test_week_boundaries_and_horizon(db):
    add_client(db, 1)                          # no history: lateness 0
    add_invoice(db, 1, 1, day(-20), day(7), 1)        # D+7: week 1
    add_invoice(db, 2, 1, day(-20), day(8), 2)        # D+8: week 2
    add_invoice(db, 3, 1, day(-20), day(14), 4)       # week 2
    add_invoice(db, 4, 1, day(-20), day(15), 8)       # week 3
    add_invoice(db, 5, 1, day(-20), day(91), 16)      # D+91: week 13
    add_invoice(db, 6, 1, day(-20), day(92), 32)      # D+92: outside the forecast
    add_invoice(db, 7, 1, day(-20), day(1), 64)       # D+1: week 1
    add_invoice(db, 8, 1, day(-20), D, 128)           # due D: not after D -> D+1, week 1
    assert cash(db)["weeks"] == weeks(w1=1 + 64 + 128, w2=2 + 4, w3=8, w13=16)


def test_overdue_up_to_90_days_expected_tomorrow_and_at_risk_beyond(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-60), day(-5), 1000)         # dpd 5 -> D+1
    add_invoice(db, 2, 1, day(-120), day(-90), 2000)       # dpd 90: still expected -> D+1
    add_invoice(db, 3, 1, day(-121), day(-91), 4000)       # dpd 91: at risk
    add_invoice(db, 4, 1, day(-200), day(-150), 9000)      # dpd 150, partly paid: at risk 6000
    add_payment(db, 4, day(-100), 3000)
    add_invoice(db, 5, 1, day(-200), day(-150), 500, written_off_on=day(-1))   # not live
    add_invoice(db, 6, 1, day(-200), day(-120), 700, written_off_on=day(5))    # live: at risk
    add_invoice(db, 7, 1, day(-200), day(-150), 800, void=1)                   # void
    add_invoice(db, 8, 1, day(-200), day(-150), 900)                           # overpaid
    add_payment(db, 8, day(-140), 1000)
    c = cash(db)
    assert c["weeks"] == weeks(w1=1000 + 2000)
    assert c["at_risk_cents"] == 4000 + 6000 + 700


def test_open_balance_only(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-20), day(3), 1000)
    add_payment(db, 1, day(-2), 400)              # open 600
    add_invoice(db, 2, 1, day(-20), day(3), 1000)
    add_payment(db, 2, day(-2), 1500)             # credit: nothing
    add_invoice(db, 3, 1, day(-20), day(3), 1000)
    add_payment(db, 3, day(2), 1000)              # paid after D: still 1000 expected
    add_invoice(db, 4, 1, day(1), day(3), 5000)   # issued after D: not live
    add_invoice(db, 5, 1, day(-20), day(3), 300, void=1)
    assert cash(db)["weeks"] == weeks(w1=600 + 1000)


def test_snoozed_invoices_are_still_expected(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-40), day(-3), 1000)
    add_followup(db, 1, "snooze", day(-1), until=day(20))
    assert cash(db)["weeks"] == weeks(w1=1000)


# --- promises -------------------------------------------------------------------------------

def test_promise_splits_the_open_balance(db):
    add_client(db, 1)                          # lateness 0
    # 10000 due D+20, promise of 4000 on D+10: 4000 in week 2, 6000 on D+20 in week 3
    add_invoice(db, 1, 1, day(-10), day(20), 10000)
    add_followup(db, 1, "promise", day(-1), promised_on=day(10), promised_cents=4000)
    assert cash(db)["weeks"] == weeks(w2=4000, w3=6000)


def test_promise_larger_than_open(db):
    add_client(db, 1)
    # open 3000 - 1000 = 2000, promise of 5000 on D+3 -> 2000 in week 1, nothing else
    add_invoice(db, 1, 1, day(-35), day(-5), 3000)
    add_payment(db, 1, day(-4), 1000)
    add_followup(db, 1, "promise", day(-2), promised_on=day(3), promised_cents=5000)
    assert cash(db)["weeks"] == weeks(w1=2000)


def test_broken_promise_is_ignored(db):
    add_client(db, 1)
    # promise on D-1 < D: broken -> the whole 5000 on due D+30 (week 5), no split
    add_invoice(db, 1, 1, day(-10), day(30), 5000)
    add_followup(db, 1, "promise", day(-5), promised_on=day(-1), promised_cents=2000)
    assert cash(db)["weeks"] == weeks(w5=5000)


def test_promise_due_today_goes_to_tomorrow(db):
    add_client(db, 1)
    # promised on D (status promised): 1500 on D -> D+1 (week 1); rest 1000 on D+50 (week 8)
    add_invoice(db, 1, 1, day(-10), day(50), 2500)
    add_followup(db, 1, "promise", day(-5), promised_on=D, promised_cents=1500)
    assert cash(db)["weeks"] == weeks(w1=1500, w8=1000)


def test_promise_rest_uses_lateness(db):
    add_client(db, 1)
    paid_history(db, 1, 1, -100, 5)           # lateness 5
    # 8000 due D+20, promise 3000 on D+2: 3000 week 1, rest 5000 on D+25 (week 4)
    add_invoice(db, 2, 1, day(-10), day(20), 8000)
    add_followup(db, 2, "promise", day(-1), promised_on=day(2), promised_cents=3000)
    assert cash(db)["weeks"] == weeks(w1=3000, w4=5000)


def test_latest_promise_is_used(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-10), day(60), 9000)
    add_followup(db, 1, "promise", day(-9), promised_on=day(2), promised_cents=1000)
    add_followup(db, 1, "promise", day(-3), promised_on=day(16), promised_cents=2000)
    # 2000 on D+16 (week 3), 7000 on D+60 (week 9: (D+56, D+63])
    assert cash(db)["weeks"] == weeks(w3=2000, w9=7000)


def test_undone_promise_is_ignored(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-10), day(60), 9000)
    p = add_followup(db, 1, "promise", day(-9), promised_on=day(2), promised_cents=1000)
    add_followup(db, 1, "undo", day(-8), undoes=p)
    assert cash(db)["weeks"] == weeks(w9=9000)


# --- disputed -------------------------------------------------------------------------------

def test_disputed_inside_the_forecast_and_shown_apart(db):
    add_client(db, 1)
    # disputed, due D+10 -> week 2; counted in disputed
    add_invoice(db, 1, 1, day(-20), day(10), 2000)
    add_followup(db, 1, "dispute", day(-2))
    # disputed and 5 days late -> D+1 (week 1); counted
    add_invoice(db, 2, 1, day(-35), day(-5), 3000)
    add_payment(db, 2, day(-3), 1000)
    add_followup(db, 2, "dispute", day(-2))
    # disputed but 100 days late: at risk, not in disputed
    add_invoice(db, 3, 1, day(-130), day(-100), 7000)
    add_followup(db, 3, "dispute", day(-2))
    # dispute resolved: not disputed
    add_invoice(db, 4, 1, day(-20), day(10), 400)
    add_followup(db, 4, "dispute", day(-5))
    add_followup(db, 4, "resolve", day(-2))
    # disputed and promised: disputed wins, no split -> 4000 on D+40 (week 6)
    add_invoice(db, 5, 1, day(-20), day(40), 4000)
    add_followup(db, 5, "promise", day(-5), promised_on=day(5), promised_cents=1000)
    add_followup(db, 5, "dispute", day(-4))
    # disputed only after D: not disputed at D
    add_invoice(db, 6, 1, day(-20), day(10), 50)
    add_followup(db, 6, "dispute", day(1))
    c = cash(db)
    assert c["weeks"] == weeks(w1=2000, w2=2000 + 400 + 50, w6=4000)
    assert c["disputed_cents"] == 2000 + 2000 + 4000
    assert c["at_risk_cents"] == 7000


def test_next_30_60_90_days_are_exact_dates_not_whole_weeks(db):
    """The Overview's 'next 30/60/90 days' (not in the JSON): receipts dated in (D, D+N]."""
    from datetime import date

    from kpitui.kpis.cockpit import compute
    from kpitui.ledger.connection import open_ledger
    from kpitui.ledger.load import load

    add_client(db, 1)                       # no history: lateness 0, expected on the due date
    for i, (due, cents) in enumerate([(1, 500), (30, 700), (31, 1100), (60, 1300), (61, 1500),
                                      (90, 1700), (91, 1900)], start=1):
        add_invoice(db, i, 1, day(-5), day(due), cents)
    db.close()
    handle = open_ledger(db.path)
    try:
        cash_in = compute(load(handle), date.fromisoformat(D), with_series=False).cash
    finally:
        handle.close()
    assert cash_in.within(30) == 500 + 700
    assert cash_in.within(60) == 500 + 700 + 1100 + 1300
    assert cash_in.within(90) == 500 + 700 + 1100 + 1300 + 1500 + 1700
    # whole weeks would have said 28 days: 500 only
    assert sum(cash_in.weeks) == 500 + 700 + 1100 + 1300 + 1500 + 1700 + 1900   # D+91: week 13
