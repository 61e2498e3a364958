"""Open deals, the stalled rule, the expected close month and the forecast split by month
(docs/pipeline.md, whose worked example is `_example`), owner / source filtering; and the
partner detail figures (kpis/partner_detail.py). D = 2024-06-30: split months Jun, Jul, Aug.
Every expected figure below is worked out by hand."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from kpitui.kpis import deals
from kpitui.kpis import partner_detail as pdet
from kpitui.kpis.cockpit import compute
from kpitui.ledger.connection import open_ledger
from kpitui.ledger.load import load

from .builders import (
    D,
    add_client,
    add_cost,
    add_invoice,
    add_opp,
    add_partner,
    add_payment,
    day,
)

DD = date.fromisoformat(D)
JUN, JUL, AUG = date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1)


def ledger_of(db):
    """Close the builder's connection and load the ledger as the app does."""
    db.close()
    handle = open_ledger(db.path)
    try:
        return load(handle)
    finally:
        handle.close()


def who(db, deal_id: int, owner: str, source: str) -> None:
    db.conn.execute("UPDATE opportunities SET owner = ?, source = ? WHERE id = ?",
                    (owner, source, deal_id))


def _example(db):
    """The worked example of docs/pipeline.md."""
    # won in (D-365, D]: the sample the medians come from
    add_opp(db, 1, day(-100), qualified_on=day(-90), appointment_on=day(-80),
            proposal_on=day(-70), closed_on=day(-50), outcome="won", mrr_cents=1)
    add_opp(db, 2, day(-60), qualified_on=day(-56), proposal_on=day(-40),
            closed_on=day(-30), outcome="won", mrr_cents=1)           # skipped appointment
    add_opp(db, 3, day(-200), qualified_on=day(-195), appointment_on=day(-150),
            proposal_on=day(-149), closed_on=day(-120), outcome="won", mrr_cents=1)
    add_opp(db, 4, day(-300), qualified_on=day(-290), appointment_on=day(-285),
            proposal_on=day(-280), closed_on=day(-270), outcome="won", mrr_cents=1)
    add_opp(db, 5, day(-600), closed_on=day(-400), outcome="won")      # too old: not used
    # lost in the window: one at lead, one after the appointment
    add_opp(db, 21, day(-100), closed_on=day(-20), outcome="lost")
    add_opp(db, 22, day(-100), qualified_on=day(-90), appointment_on=day(-80),
            closed_on=day(-10), outcome="lost")
    # open at D
    add_opp(db, 31, day(-3), mrr_cents=1000)                                       # O1
    add_opp(db, 32, day(-40), qualified_on=day(-30), mrr_cents=1001)               # O2
    add_opp(db, 33, day(-60), qualified_on=day(-50), appointment_on=day(-10),
            mrr_cents=332)                                                         # O3
    add_opp(db, 34, day(-90), proposal_on=day(-40), mrr_cents=2001)                # O4
    add_opp(db, 35, day(-60), appointment_on=day(-11), mrr_cents=1)                # O5
    add_opp(db, 36, day(-200), mrr_cents=500)                                      # O6
    add_opp(db, 37, day(-10), qualified_on=day(-5), appointment_on=day(3),
            mrr_cents=10)                                                          # O7
    add_opp(db, 38, day(-1), closed_on=day(5), outcome="won", mrr_cents=700)       # W6


def test_norms_medians(db):
    _example(db)
    nm = deals.norms(ledger_of(db).opportunities, DD)
    assert nm.sample == 4 and nm.recent
    # days from reaching the stage to closing (W1, W2, W3, W4): W2 reached the
    # appointment on its proposal date (-40)
    #   lead 50 30 80 30 -> 40; qualified 40 26 75 20 -> 33
    #   appointment 30 10 30 15 -> 22.5; proposal 20 10 29 10 -> 15
    assert nm.to_close == {"lead": 40.0, "qualified": 33.0, "appointment": 22.5,
                           "proposal": 15.0}
    # days in the stage: lead 10 4 5 10 -> 7.5; qualified 10 16 45 5 -> 13;
    # appointment 10 1 5 (W2 skipped it: left out) -> 5; proposal 20 10 29 10 -> 15
    assert nm.in_stage == {"lead": 7.5, "qualified": 13.0, "appointment": 5.0,
                           "proposal": 15.0}
    assert [nm.stall_after(s) for s in deals.OPEN_STAGES] == [15, 26, 10, 30]
    assert [nm.close_after(s) for s in deals.OPEN_STAGES] == [40, 33, 23, 15]


def test_open_deals_days_stalled_and_expected_close(db):
    _example(db)
    v = deals.view(ledger_of(db), DD)
    got = {r["id"]: r for r in v.deals.to_dicts()}
    # oldest in their current stage first
    assert v.deals["id"].to_list() == [36, 34, 32, 35, 33, 37, 31, 38]
    expect = {  # id: (stage, days in stage, stalled, expected close, month counted in)
        36: ("lead", 200, True, date(2024, 1, 22), JUN),         # -200 + 40 = -160
        34: ("proposal", 40, True, date(2024, 6, 5), JUN),       # -40 + 15 = -25
        32: ("qualified", 30, True, date(2024, 7, 3), JUL),      # 30 > 26
        35: ("appointment", 11, True, date(2024, 7, 12), JUL),   # 11 > 10
        33: ("appointment", 10, False, date(2024, 7, 13), JUL),  # 10 is not > 10
        37: ("qualified", 5, False, date(2024, 7, 28), JUL),     # appointment after D
        31: ("lead", 3, False, date(2024, 8, 6), AUG),
        38: ("lead", 1, False, date(2024, 8, 8), AUG),           # won after D: open at D
    }
    for deal_id, (stage, days, stalled, expected, month) in expect.items():
        r = got[deal_id]
        assert (r["stage"], r["days_in_stage"], r["stalled"], r["expected_on"],
                r["close_month"]) == (stage, days, stalled, expected, month), deal_id
    assert v.stalled == 4
    assert {i for i, r in got.items() if r["late"]} == {36, 34}     # expected before D


def test_forecast_split_by_month(db):
    _example(db)
    v = deals.view(ledger_of(db), DD)
    # p(lead) = 4/6, p(qualified) = p(appointment) = 4/5, p(proposal) = 4/4
    assert v.probabilities == {"lead": Fraction(2, 3), "qualified": Fraction(4, 5),
                               "appointment": Fraction(4, 5), "proposal": Fraction(1)}
    # June: 2001 + 2/3 x 500 = 2334.33 -> 2334
    # July: 4/5 x (1001 + 1 + 332 + 10) = 1075.2 -> 1075 (deal by deal it would be 1076)
    # August: 2/3 x (1000 + 700) = 1133.33 -> 1133 (deal by deal 1134)
    assert v.split.months == [JUN, JUL, AUG]
    assert v.split.cents == [2334, 1075, 1133]
    assert v.split.later_cents == 0
    # the KPIS.md total rounds once: 4542.87 -> 4543
    assert v.pipeline.forecast_mrr_cents == 4543
    # each deal's own weighted value (for the detail view), e.g. 4/5 x 1001 = 800.8 -> 801
    assert dict(v.deals.select("id", "weighted_cents").iter_rows())[32] == 801


def test_split_later_bucket_and_month_boundaries(db):
    # one won deal: 100 days from lead to close, 100 days as a lead
    add_opp(db, 1, day(-150), closed_on=day(-50), outcome="won", mrr_cents=1)
    add_opp(db, 2, day(-100), closed_on=day(-60), outcome="lost")      # p(lead) = 1/2
    add_opp(db, 3, day(-10), mrr_cents=301)     # -10 + 100 = +90 = Sep 28: later
    add_opp(db, 4, day(-69), mrr_cents=100)     # +31 = Jul 31: July
    add_opp(db, 5, day(-68), mrr_cents=100)     # +32 = Aug 1: August
    add_opp(db, 6, day(-38), mrr_cents=3)       # +62 = Aug 31: August
    add_opp(db, 7, day(-37), mrr_cents=5)       # +63 = Sep 1: later
    add_opp(db, 8, day(-100), mrr_cents=7)      # +0 = D: June
    v = deals.view(ledger_of(db), DD)
    # June 7/2 = 3.5 -> 4; July 50; August (100 + 3)/2 = 51.5 -> 52; later (301 + 5)/2 = 153
    assert v.split.cents == [4, 50, 52]
    assert v.split.later_cents == 153
    # stalled after 2 x 100 days: none of them
    assert v.stalled == 0


def test_old_won_deals_used_when_none_recent(db):
    add_opp(db, 1, day(-500), qualified_on=day(-480), closed_on=day(-400), outcome="won",
            mrr_cents=1)
    add_opp(db, 2, day(-700), qualified_on=day(-690), closed_on=day(-600), outcome="won",
            mrr_cents=1)
    add_opp(db, 3, day(-100), qualified_on=day(-50), mrr_cents=1000)
    v = deals.view(ledger_of(db), DD)
    assert v.norms.sample == 2 and not v.norms.recent
    # to close from qualified: 80 and 90 -> 85; in qualified: 80 and 90 -> 85 -> limit 170
    r = v.deals.to_dicts()[0]
    assert r["expected_on"] == date.fromisoformat(day(35))
    assert r["stall_after"] == 170 and not r["stalled"]
    # nothing closed in the last 365 days: p(qualified) is null, counted as 0
    assert v.split.cents == [0, 0, 0] and v.split.later_cents == 0


def test_no_won_deals_nothing_stalled_no_expected_date(db):
    add_opp(db, 1, day(-300), mrr_cents=1000)
    add_opp(db, 2, day(-200), closed_on=day(-100), outcome="lost")
    v = deals.view(ledger_of(db), DD)
    r = v.deals.to_dicts()[0]
    assert r["stall_after"] is None and r["stalled"] is False
    assert r["expected_on"] is None and r["close_month"] is None
    assert v.stalled == 0
    assert v.split.cents == [0, 0, 0] and v.split.later_cents == 0    # p(lead) = 0/1


def test_empty_ledger_view(db):
    v = deals.view(ledger_of(db), DD)
    assert v.deals.height == 0 and v.stalled == 0
    assert v.split.cents == [0, 0, 0]
    assert v.pipeline.stages["lead"] == 0
    assert v.leads_12m == 0 and v.won_mrr_12m_cents == 0


# --- owner / source filter -------------------------------------------------------------------

def _two_owners(db):
    add_opp(db, 1, day(-100), closed_on=day(-50), outcome="won", mrr_cents=1000)     # ann web
    add_opp(db, 2, day(-80), closed_on=day(-40), outcome="lost")                     # ann web
    add_opp(db, 3, day(-10), mrr_cents=300)                                          # ann web
    add_opp(db, 4, day(-60), qualified_on=day(-50), closed_on=day(-20), outcome="won",
            mrr_cents=2000)                                                          # bob event
    add_opp(db, 5, day(-30), qualified_on=day(-25), mrr_cents=600)                   # bob event
    add_opp(db, 6, day(-90), mrr_cents=900)                                          # bob web
    for i in (1, 2, 3):
        who(db, i, "ann", "web")
    who(db, 4, "bob", "event")
    who(db, 5, "bob", "event")
    who(db, 6, "bob", "web")


def test_choices_and_cycle(db):
    _two_owners(db)
    led = ledger_of(db)
    assert deals.choices(led, "owner") == ["ann", "bob"]
    assert deals.choices(led, "source") == ["event", "web"]
    seen, cur = [], None
    for _ in range(3):
        cur = deals.next_choice(["ann", "bob"], cur)
        seen.append(cur)
    assert seen == ["ann", "bob", None]
    assert deals.next_choice([], None) is None
    assert deals.next_choice(["ann"], "gone") is None


def test_filter_by_owner(db):
    _two_owners(db)
    led = ledger_of(db)
    # medians from every won deal (1 and 4): lead to close 50, 40 -> 45; in lead 50, 10 -> 30
    # (limit 60); qualified to close 0, 30 -> 15; in qualified only deal 4 (1 skipped it):
    # 30 (limit 60)
    ann = deals.view(led, DD, owner="ann")
    assert ann.pipeline.stages == {"lead": 3, "qualified": 1, "appointment": 1,
                                   "proposal": 1, "won": 1}
    assert ann.pipeline.lost == 1
    # ann's p(lead) = 1 won / 2 closed; deal 3: 300 / 2 = 150, expected -10 + 45 = Aug 4
    assert ann.pipeline.forecast_mrr_cents == 150
    assert ann.split.cents == [0, 0, 150]
    assert ann.deals["id"].to_list() == [3]
    bob = deals.view(led, DD, owner="bob")
    # bob's p(lead) = p(qualified) = 1/1: 600 + 900; deal 5 expected -25 + 15 = -10,
    # deal 6 -90 + 45 = -45: both late, so June
    assert bob.pipeline.forecast_mrr_cents == 1500
    assert bob.split.cents == [1500, 0, 0]
    assert bob.deals["id"].to_list() == [6, 5]
    assert bob.deals["stalled"].to_list() == [True, False]     # 90 > 60; 25 <= 60
    assert bob.leads_12m == 3


def test_filter_by_source_and_both(db):
    _two_owners(db)
    led = ledger_of(db)
    web = deals.view(led, DD, source="web")
    # web deals 1, 2, 3, 6: p(lead) = 1/2; 300 / 2 = 150 (Aug) + 900 / 2 = 450 (June)
    assert web.pipeline.stages["lead"] == 4
    assert web.pipeline.forecast_mrr_cents == 600
    assert web.split.cents == [450, 0, 150]
    both = deals.view(led, DD, owner="bob", source="web")
    # only deal 6; nothing of bob's on the web has closed: p(lead) null -> 0
    assert both.pipeline.stages["lead"] == 1
    assert both.pipeline.forecast_mrr_cents == 0
    assert both.deals["stalled"].to_list() == [True]     # the medians ignore the filter
    every = deals.view(led, DD)
    # p(lead) = 2/3 (1, 4 won; 2 lost), p(qualified) = 2/2: 200 + 600 + 600
    assert every.pipeline.forecast_mrr_cents == 1400


def test_unfiltered_view_reuses_the_cockpit(db):
    _two_owners(db)
    led = ledger_of(db)
    c = compute(led, DD)
    v = deals.view(led, DD, cockpit=c)
    assert v.pipeline is c.pipeline
    assert v.new_leads == c.series.new_leads
    assert deals.view(led, DD, owner="ann", cockpit=c).pipeline is not c.pipeline


# --- partner detail --------------------------------------------------------------------------

def test_monthly_target_rounds_once():
    assert pdet.monthly_target(100000) == 8333           # 8333.33
    assert pdet.monthly_target(100002) == 8334           # 8333.5 -> away from zero
    assert pdet.monthly_target(None) is None
    assert pdet.monthly_target(0) is None


def _partners(db):
    add_partner(db, 1, "Acme", revenue_share_bp=1000, annual_target_cents=120000)
    add_partner(db, 2, "Bolt", annual_target_cents=None)
    add_client(db, 1, "One", partner_id=1, since=day(-100))
    add_client(db, 2, "Two", partner_id=1, since=day(-500), churned_on=day(-10))
    add_client(db, 3, "Three", partner_id=2, since=day(-30))
    add_invoice(db, 1, 1, day(-40), day(-10), 50000)     # open 20000 after a payment
    add_payment(db, 1, day(-20), 30000)
    add_invoice(db, 2, 2, day(-70), day(-40), 10000)     # paid
    add_payment(db, 2, day(-45), 10000)
    add_invoice(db, 3, 2, day(-400), day(-370), 7000)    # before the 12 months, unpaid
    add_invoice(db, 4, 3, day(-5), day(25), 4000)
    add_cost(db, 1, day(-30), 2000, category="marketing")
    add_cost(db, 1, day(-60), 500, category="events")
    add_cost(db, 1, day(-90), 1500, category="marketing")
    add_cost(db, 2, day(-10), 10000, category="mdf")
    add_opp(db, 1, day(-50), closed_on=day(-20), outcome="won", mrr_cents=100,
            partner_id=1, name="Won one")
    add_opp(db, 2, day(-40), qualified_on=day(-30), mrr_cents=200, partner_id=1,
            name="Open one")
    add_opp(db, 3, day(-60), closed_on=day(-30), outcome="lost", partner_id=1)
    add_opp(db, 4, day(5), partner_id=1)                 # created after D: not shown


def test_partner_detail(db):
    _partners(db)
    led = ledger_of(db)
    c = compute(led, DD)
    acme = next(s for s in c.partners if s.partner_id == 1)
    v = pdet.detail(led, DD, acme, c.opens, c.series)
    # revenue in the 12 months: 50000 + 10000; share 10% = 6000; costs 2000 + 500 + 1500
    assert v.costs == [("marketing", 3500), ("events", 500), ("revenue share", 6000)]
    assert acme.costs_cents == 10000
    assert v.monthly_target_cents == 10000               # 120000 / 12
    assert len(v.months) == 24 and v.months[-1] == JUN
    by_month = dict(zip(v.months, v.revenue_cents, strict=True))
    assert by_month[date(2024, 5, 1)] == 50000           # issued D-40 = May 21
    assert by_month[date(2024, 4, 1)] == 10000           # issued D-70 = Apr 21
    assert by_month[date(2023, 5, 1)] == 7000            # issued D-400 = May 27, 2023
    clients = v.clients.select("client", "revenue_cents", "open_cents").rows()
    # open AR at D: One 50000 - 30000; Two 7000 (the old invoice)
    assert clients == [("One", 50000, 20000), ("Two", 10000, 7000)]
    # newest first: created -40, -50, -60 (deal 4 is created after D)
    assert v.deals.select("name", "state", "closed").rows() == [
        ("Open one", "qualified", None), ("Won one", "won", date.fromisoformat(day(-20))),
        ("Deal 3", "lost", date.fromisoformat(day(-30)))]


def test_program_and_sorting(db):
    _partners(db)
    led = ledger_of(db)
    cards = compute(led, DD).partners
    prog = pdet.program(cards)
    # Acme: revenue 60000, costs 10000, profit 50000; Bolt: revenue 4000, costs 10000,
    # profit -6000. Blended ROI = 100 x 44000 / 20000 = 220
    assert (prog.revenue_cents, prog.costs_cents, prog.profit_cents) == (64000, 20000, 44000)
    assert prog.roi_pct == pytest.approx(220.0)
    # Acme: 100 x (60000 - 120000) / 120000 = -50: off track; Bolt: no target
    assert prog.by_status == {"on track": 0, "at risk": 0, "off track": 1, "no target": 1}
    frame = pdet.card_frame(cards)
    assert pdet.sort_cards(frame, "revenue", True)["partner"].to_list() == ["Acme", "Bolt"]
    assert pdet.sort_cards(frame, "roi", False)["partner"].to_list() == ["Bolt", "Acme"]
    # empty variance (no target) sorts last either way
    assert pdet.sort_cards(frame, "variance", True)["partner"].to_list() == ["Acme", "Bolt"]
    assert pdet.sort_cards(frame, "variance", False)["partner"].to_list() == ["Acme", "Bolt"]
    assert pdet.sort_cards(frame, "partner", True)["partner"].to_list() == ["Bolt", "Acme"]
    assert pdet.sort_cards(frame, "status", False)["status"].to_list() == [
        "off track", "no target"]
