"""Goals (KPIS.md "Goals"). D = 2024-06-30."""

from __future__ import annotations

import pytest

from .builders import (
    D,
    add_client,
    add_goal,
    add_invoice,
    add_opp,
    add_payment,
    day,
    summary,
)


def goals(db, as_of=D):
    return summary(db, as_of)["goals"]


def goal(db, goal_id, as_of=D):
    rows = [g for g in goals(db, as_of) if g["goal_id"] == goal_id]
    assert len(rows) == 1
    return rows[0]


def _sales(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, "2024-05-31", "2024-06-30", 90000)              # before June
    add_invoice(db, 2, 1, "2024-06-01", "2024-07-01", 10000)              # first day
    add_invoice(db, 3, 1, "2024-06-30", "2024-07-30", 5000)               # D, last day
    add_invoice(db, 4, 1, "2024-07-01", "2024-07-31", 80000)              # after D
    add_invoice(db, 5, 1, "2024-06-15", "2024-07-15", 70000, void=1)      # void
    add_invoice(db, 6, 1, "2024-06-10", "2024-07-10", 2000, written_off_on="2024-06-20")


def test_revenue_month_ending_on_d(db):
    _sales(db)
    add_goal(db, 1, "revenue", "2024-06-01", "2024-06-30", 30000)
    g = goal(db, 1)
    # actual = 10000 + 5000 + 2000 (written off, but billed); elapsed = total = 30
    assert g == {"goal_id": 1, "metric": "revenue", "target": 30000, "actual": 17000,
                 "expected": 30000, "pace_pct": pytest.approx(100 * 17000 / 30000),
                 "projected": 17000}


def test_revenue_mid_period_rounding(db):
    _sales(db)
    # 2024-06-21 .. 2024-07-10: total 20 days, elapsed 06-21..06-30 = 10 days
    add_invoice(db, 7, 1, "2024-06-21", "2024-07-21", 333)
    add_invoice(db, 8, 1, "2024-07-05", "2024-08-05", 444)                # in period, after D
    add_goal(db, 1, "revenue", "2024-06-21", "2024-07-10", 1001)
    g = goal(db, 1)
    # actual = 333 + 5000 (issued on D) = 5333
    assert g["actual"] == 5333
    # expected = 1001 x 10 / 20 = 500.5 -> 501 (half away from zero; banker's gives 500)
    assert g["expected"] == 501
    # pace uses the unrounded expected: 100 x 5333 / 500.5
    assert g["pace_pct"] == pytest.approx(100 * 5333 / 500.5)
    # projected = 5333 x 20 / 10 = 10666
    assert g["projected"] == 10666


def test_projected_rounds_half_away_from_zero(db):
    # 2024-06-29 .. 2024-07-03: total 5 days, elapsed 06-29, 06-30 = 2 days
    add_opp(db, 1, "2024-06-28")                  # before the period
    add_opp(db, 2, "2024-06-29")                  # counts
    add_opp(db, 3, "2024-07-01")                  # after D
    add_goal(db, 1, "new_leads", "2024-06-29", "2024-07-03", 7)
    g = goal(db, 1)
    assert g["actual"] == 1
    assert g["expected"] == 3                     # 7 x 2 / 5 = 2.8 -> 3
    assert g["pace_pct"] == pytest.approx(100 * 1 / 2.8)
    assert g["projected"] == 3                    # 1 x 5 / 2 = 2.5 -> 3 (banker's: 2)


def test_expected_rounds_down_below_half(db):
    add_goal(db, 1, "won_deals", "2024-06-28", "2024-07-04", 10)
    g = goal(db, 1)
    # total 7, elapsed 3: expected 10 x 3 / 7 = 4.28 -> 4; actual 0
    assert g["expected"] == 4
    assert g["actual"] == 0
    assert g["pace_pct"] == pytest.approx(0.0)
    assert g["projected"] == 0


def test_not_started_goal_left_out_and_starting_today_included(db):
    add_goal(db, 1, "revenue", day(1), day(30), 1000)         # starts tomorrow
    add_goal(db, 2, "revenue", D, day(9), 1000)               # starts on D: elapsed 1 of 10
    gs = goals(db)
    assert [g["goal_id"] for g in gs] == [2]
    assert gs[0]["expected"] == 100                           # 1000 x 1 / 10
    # tomorrow both are there
    assert [g["goal_id"] for g in goals(db, day(1))] == [1, 2]


def test_goal_already_over(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, "2024-01-01", "2024-01-31", 1000)
    add_invoice(db, 2, 1, "2024-03-31", "2024-04-30", 2000)
    add_invoice(db, 3, 1, "2024-04-01", "2024-04-30", 4000)   # after the period
    add_invoice(db, 4, 1, "2023-12-31", "2024-01-30", 8000)   # before it
    # Q1 2024: 31 + 29 + 31 = 91 days, all elapsed
    add_goal(db, 1, "revenue", "2024-01-01", "2024-03-31", 6000)
    g = goal(db, 1)
    assert g["actual"] == 3000
    assert g["expected"] == 6000
    assert g["pace_pct"] == pytest.approx(50.0)
    assert g["projected"] == 3000


def test_one_day_goal_collections(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-40), day(-10), 100000)
    add_invoice(db, 2, 1, day(-40), day(-10), 100000, void=1)
    add_payment(db, 1, D, 300)
    add_payment(db, 1, D, -50)                 # a reversal on the day
    add_payment(db, 1, day(-1), 4000)          # the day before
    add_payment(db, 1, day(1), 8000)           # the day after
    add_payment(db, 2, D, 9000)                # on a void invoice
    add_goal(db, 1, "collections", D, D, 500)
    g = goal(db, 1)
    # total 1, elapsed 1: expected = target, projected = actual
    assert g == {"goal_id": 1, "metric": "collections", "target": 500, "actual": 300 - 50,
                 "expected": 500, "pace_pct": pytest.approx(100 * 250 / 500),
                 "projected": 250}


def test_collections_by_paid_on(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, "2024-04-01", "2024-05-01", 100000)
    add_payment(db, 1, "2024-05-31", 1)        # before
    add_payment(db, 1, "2024-06-01", 20)
    add_payment(db, 1, "2024-06-30", 300)
    add_payment(db, 1, "2024-07-01", 4000)     # after D (inside the period)
    add_goal(db, 1, "collections", "2024-06-01", "2024-07-31", 6100)
    g = goal(db, 1)
    # total 61 days, elapsed 30
    assert g["actual"] == 320
    assert g["expected"] == 3000               # 6100 x 30 / 61
    assert g["pace_pct"] == pytest.approx(100 * 320 / 3000)
    assert g["projected"] == 651               # 320 x 61 / 30 = 650.67 -> 651


def test_new_mrr_and_won_deals(db):
    add_opp(db, 1, "2024-05-01", closed_on="2024-06-10", outcome="won", mrr_cents=1500)
    add_opp(db, 2, "2023-01-01", closed_on="2024-06-20", outcome="won", mrr_cents=2500)
    add_opp(db, 3, "2024-05-01", closed_on="2024-06-15", outcome="lost", mrr_cents=9999)
    add_opp(db, 4, "2024-05-01", closed_on="2024-07-01", outcome="won", mrr_cents=7000)
    add_opp(db, 5, "2024-05-01", closed_on="2024-05-31", outcome="won", mrr_cents=300)
    add_opp(db, 6, "2024-05-01", mrr_cents=100000)                        # open
    add_goal(db, 1, "new_mrr", "2024-06-01", "2024-07-31", 12200)
    add_goal(db, 2, "won_deals", "2024-06-01", "2024-07-31", 4)
    g1, g2 = goals(db)
    assert g1["goal_id"] == 1 and g2["goal_id"] == 2
    assert g1["actual"] == 1500 + 2500
    assert g1["expected"] == 6000              # 12200 x 30 / 61
    assert g1["projected"] == 8133             # 4000 x 61 / 30 = 8133.33
    assert g2["actual"] == 2
    assert g2["expected"] == 2                 # 4 x 30 / 61 = 1.97 -> 2
    assert g2["pace_pct"] == pytest.approx(100 * 2 / (4 * 30 / 61))
    assert g2["projected"] == 4                # 2 x 61 / 30 = 4.07 -> 4


def test_new_leads_by_created_on(db):
    add_opp(db, 1, "2024-06-01")
    add_opp(db, 2, "2024-06-30", closed_on="2024-06-30", outcome="lost")  # still a lead
    add_opp(db, 3, "2024-05-31")
    add_goal(db, 1, "new_leads", "2024-06-01", "2024-06-30", 3)
    g = goal(db, 1)
    assert g["actual"] == 2
    assert g["expected"] == 3
    assert g["projected"] == 2


def test_pace_null_when_target_zero(db):
    add_client(db, 1)
    add_invoice(db, 1, 1, day(-3), day(27), 5)
    add_goal(db, 1, "revenue", day(-9), day(10), 0)
    g = goal(db, 1)
    assert g["target"] == 0
    assert g["expected"] == 0
    assert g["pace_pct"] is None
    assert g["actual"] == 5
    assert g["projected"] == 10                # 5 x 20 / 10


def test_goals_in_id_order(db):
    add_goal(db, 3, "new_leads", "2024-06-01", "2024-06-30", 1)
    add_goal(db, 1, "won_deals", "2024-06-01", "2024-06-30", 1)
    add_goal(db, 2, "collections", "2024-06-01", "2024-06-30", 1)
    assert [(g["goal_id"], g["metric"]) for g in goals(db)] == [
        (1, "won_deals"), (2, "collections"), (3, "new_leads")]
