"""Pipeline (KPIS.md "Pipeline"). D = 2024-06-30; the cohort is created_on in (D-365, D]."""

from __future__ import annotations

import pytest

from .builders import D, add_opp, day, summary


def pipe(db, as_of=D):
    return summary(db, as_of)["pipeline"]


def _cohort(db):
    add_opp(db, 1, day(-400), qualified_on=day(-390), closed_on=day(-10), outcome="won",
            mrr_cents=99999)                                      # created before the cohort
    add_opp(db, 2, day(-365), qualified_on=day(-300))             # D-365: outside
    add_opp(db, 3, day(-364))                                     # lead only
    add_opp(db, 4, day(-200), qualified_on=day(-190))             # lead, qualified
    add_opp(db, 5, day(-200), proposal_on=day(-150))              # skipped: reaches proposal
    add_opp(db, 6, day(-100), closed_on=day(-20), outcome="won",  # won: every stage
            mrr_cents=5000, onetime_cents=100000, upsell_offered=2, upsell_taken=1)
    add_opp(db, 7, day(-100), qualified_on=day(-90), closed_on=day(-10), outcome="lost")
    add_opp(db, 8, day(-50), appointment_on=day(5))               # stage after D: lead only
    add_opp(db, 9, day(-50), qualified_on=day(-40), closed_on=day(3), outcome="won",
            mrr_cents=7777)                                       # won after D: still open
    add_opp(db, 10, day(1), qualified_on=day(2))                  # created after D
    add_opp(db, 11, day(-300), qualified_on=day(-290), appointment_on=day(-280),
            proposal_on=day(-270), closed_on=day(-260), outcome="won", mrr_cents=10001,
            onetime_cents=1, upsell_offered=1, upsell_taken=1)
    add_opp(db, 12, day(-30), qualified_on=day(-25), appointment_on=day(-20),
            closed_on=day(-5), outcome="lost", mrr_cents=3000)
    add_opp(db, 13, day(-60), closed_on=day(2), outcome="lost")  # lost after D: open


def test_stages_and_lost(db):
    _cohort(db)
    p = pipe(db)
    # lead: 3, 4, 5, 6, 7, 8, 9, 11, 12, 13
    # qualified: 4, 5, 6, 7, 9, 11, 12; appointment: 5, 6, 11, 12; proposal: 5, 6, 11
    # won: 6, 11; lost: 7, 12
    assert p["stages"] == {"lead": 10, "qualified": 7, "appointment": 4, "proposal": 3,
                           "won": 2}
    assert p["lost"] == 2


def test_conversion_and_win_rate(db):
    _cohort(db)
    p = pipe(db)
    assert p["conversion"] == pytest.approx({"qualified": 100 * 7 / 10,
                                             "appointment": 100 * 4 / 7,
                                             "proposal": 100 * 3 / 4,
                                             "won": 100 * 2 / 3})
    assert p["win_rate"] == pytest.approx(100 * 2 / (2 + 2))


def test_won_averages_cycle_and_upsell(db):
    _cohort(db)
    p = pipe(db)
    # mean MRR (5000 + 10001) / 2 = 7500.5 -> 7501 (half away from zero)
    assert p["avg_won_mrr_cents"] == 7501
    # mean one-time (100000 + 1) / 2 = 50000.5 -> 50001
    assert p["avg_won_onetime_cents"] == 50001
    # cycles: 6: D-100 -> D-20 = 80 days; 11: D-300 -> D-260 = 40 days
    assert p["sales_cycle_days"] == pytest.approx((80 + 40) / 2)
    # upsell taken (1 + 1) / offered (2 + 1)
    assert p["upsell_take_rate"] == pytest.approx(100 * 2 / 3)


def test_closed_after_d_is_open_at_d(db):
    add_opp(db, 1, day(-50), qualified_on=day(-40), closed_on=day(3), outcome="won",
            mrr_cents=100)
    add_opp(db, 2, day(-50), closed_on=day(1), outcome="lost")
    p = pipe(db)
    assert p["stages"] == {"lead": 2, "qualified": 1, "appointment": 0, "proposal": 0,
                           "won": 0}
    assert p["lost"] == 0
    assert p["win_rate"] is None
    assert p["avg_won_mrr_cents"] is None and p["avg_won_onetime_cents"] is None
    assert p["sales_cycle_days"] is None and p["upsell_take_rate"] is None
    # three days on, deal 1 is won (reaching every stage) and deal 2 lost
    p3 = pipe(db, day(3))
    assert p3["stages"] == {"lead": 2, "qualified": 1, "appointment": 1, "proposal": 1,
                            "won": 1}
    assert p3["lost"] == 1
    assert p3["win_rate"] == pytest.approx(50.0)
    assert p3["avg_won_mrr_cents"] == 100
    assert p3["sales_cycle_days"] == pytest.approx(53.0)


def test_lost_deal_reaches_only_its_dated_stages(db):
    add_opp(db, 1, day(-50), appointment_on=day(-40), closed_on=day(-30), outcome="lost")
    p = pipe(db)
    assert p["stages"] == {"lead": 1, "qualified": 1, "appointment": 1, "proposal": 0,
                           "won": 0}
    assert p["conversion"]["proposal"] == pytest.approx(0.0)
    assert p["conversion"]["won"] is None          # reached(proposal) = 0
    assert p["win_rate"] == pytest.approx(0.0)


def test_upsell_null_when_nothing_offered(db):
    add_opp(db, 1, day(-50), closed_on=day(-30), outcome="won", mrr_cents=3, onetime_cents=-0)
    add_opp(db, 2, day(-50), closed_on=day(-29), outcome="won", mrr_cents=4)
    p = pipe(db)
    assert p["upsell_take_rate"] is None
    assert p["avg_won_mrr_cents"] == 4            # 3.5 -> 4
    assert p["avg_won_onetime_cents"] == 0
    assert p["sales_cycle_days"] == pytest.approx((20 + 21) / 2)


def test_empty_pipeline(db):
    p = pipe(db)
    assert p["stages"] == {"lead": 0, "qualified": 0, "appointment": 0, "proposal": 0,
                           "won": 0}
    assert p["conversion"] == {"qualified": None, "appointment": None, "proposal": None,
                               "won": None}
    assert p["forecast_mrr_cents"] == 0


# --- forecast MRR ---------------------------------------------------------------------------

def _closed_history(db):
    # closed in (D-365, D], any created_on:
    add_opp(db, 1, day(-500), qualified_on=day(-450), closed_on=day(-300), outcome="won")
    add_opp(db, 2, day(-100), qualified_on=day(-90), closed_on=day(-60), outcome="lost")
    add_opp(db, 3, day(-100), closed_on=day(-50), outcome="lost")
    add_opp(db, 4, day(-200), proposal_on=day(-150), closed_on=day(-100), outcome="won")
    add_opp(db, 6, day(-80), appointment_on=day(-70), closed_on=day(-40), outcome="lost")
    # closed on D-365 exactly: outside the window, ignored
    add_opp(db, 5, day(-600), closed_on=day(-365), outcome="won")
    # p(lead) = won / (won + lost) over 1 W, 2 L, 3 L, 4 W, 6 L = 2/5
    # p(qualified) over 1 W, 2 L, 4 W, 6 L = 2/4; p(appointment) over 1, 4, 6 = 2/3
    # p(proposal) over 1, 4 = 1


def test_forecast_mrr(db):
    _closed_history(db)
    add_opp(db, 11, day(-10), mrr_cents=1000)                              # lead: 0.4 x 1000
    add_opp(db, 12, day(-700), qualified_on=day(-600), mrr_cents=3000)     # old: 0.5 x 3000
    add_opp(db, 13, day(-20), appointment_on=day(-5), mrr_cents=1)         # 2/3 x 1
    add_opp(db, 14, day(-30), proposal_on=day(-1), mrr_cents=500)          # 1 x 500
    add_opp(db, 15, day(-40), qualified_on=day(-30), closed_on=day(10), outcome="won",
            mrr_cents=2000)                                                # open at D: 0.5 x 2000
    add_opp(db, 16, day(1), mrr_cents=99999)                               # created after D
    add_opp(db, 17, day(-5), proposal_on=day(2), mrr_cents=10)             # lead at D: 0.4 x 10
    add_opp(db, 18, day(-10), appointment_on=day(-8), mrr_cents=1)         # 2/3 x 1
    add_opp(db, 19, day(-500), qualified_on=day(-490), closed_on=day(-400), outcome="lost",
            mrr_cents=88888)                                   # closed before the window: neither
    # 400 + 1500 + 2/3 + 500 + 1000 + 4 + 2/3 = 3405 1/3 -> 3405, rounded once
    # (rounding each deal would give 3406)
    assert pipe(db)["forecast_mrr_cents"] == 3405


def test_forecast_mrr_rounds_half_away_from_zero(db):
    add_opp(db, 1, day(-100), closed_on=day(-50), outcome="won")
    add_opp(db, 2, day(-100), closed_on=day(-40), outcome="lost")
    # p(lead) = 1/2; 0.5 x 5 = 2.5 -> 3 (banker's rounding would give 2)
    add_opp(db, 3, day(-10), mrr_cents=5)
    assert pipe(db)["forecast_mrr_cents"] == 3


def test_forecast_null_probability_counts_as_zero(db):
    # the only deal closed in the window was lost at lead: p(lead) = 0, later p are null
    add_opp(db, 1, day(-100), closed_on=day(-50), outcome="lost")
    add_opp(db, 2, day(-600), closed_on=day(-365), outcome="won")   # outside the window
    add_opp(db, 3, day(-10), proposal_on=day(-5), mrr_cents=5000)    # p(proposal) null -> 0
    add_opp(db, 4, day(-10), mrr_cents=700)                          # p(lead) 0
    assert pipe(db)["forecast_mrr_cents"] == 0


def test_forecast_without_any_closed_deal_is_zero(db):
    add_opp(db, 1, day(-10), qualified_on=day(-5), mrr_cents=5000)
    assert pipe(db)["forecast_mrr_cents"] == 0


def test_forecast_mrr_closed_deal_moves_probabilities_not_the_sum(db):
    _closed_history(db)
    add_opp(db, 11, day(-10), mrr_cents=1000)
    add_opp(db, 12, day(-700), qualified_on=day(-600), mrr_cents=3000)
    add_opp(db, 13, day(-20), appointment_on=day(-5), mrr_cents=1)
    add_opp(db, 14, day(-30), proposal_on=day(-1), mrr_cents=500)
    add_opp(db, 15, day(-40), qualified_on=day(-30), closed_on=day(10), outcome="won",
            mrr_cents=2000)
    add_opp(db, 17, day(-5), proposal_on=day(2), mrr_cents=10)
    add_opp(db, 18, day(-10), appointment_on=day(-8), mrr_cents=1)
    # lost on D-2 after qualifying: not open, but one more loss at lead and qualified
    add_opp(db, 19, day(-10), qualified_on=day(-9), closed_on=day(-2), outcome="lost",
            mrr_cents=88888)
    # p(lead) = 2/6, p(qualified) = 2/5, p(appointment) = 2/3, p(proposal) = 1
    # 1000/3 + 3000 x 2/5 + 2/3 + 500 + 2000 x 2/5 + 10/3 + 2/3
    #   = 1014/3 + 1200 + 500 + 800 = 338 + 2500 = 2838
    assert pipe(db)["forecast_mrr_cents"] == 2838


def test_outcome_without_closed_on_is_still_open(db):
    add_opp(db, 1, day(-100), closed_on=day(-50), outcome="won")
    add_opp(db, 2, day(-100), closed_on=day(-40), outcome="lost")
    # "won" with no closed_on is not won at D (closed_on <= D does not hold): open at lead
    add_opp(db, 3, day(-10), outcome="won", mrr_cents=1000)
    p = pipe(db)
    assert p["stages"]["won"] == 1
    assert p["forecast_mrr_cents"] == 500          # p(lead) = 1/2
