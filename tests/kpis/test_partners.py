"""Partner scorecards (KPIS.md "Partner scorecards"). D = 2024-06-30, T = (D-365, D] =
(2023-07-01, 2024-06-30]."""

from __future__ import annotations

import pytest

from .builders import (
    D,
    add_client,
    add_cost,
    add_invoice,
    add_opp,
    add_partner,
    day,
    set_meta,
    summary,
)


def partners(db, as_of=D):
    return summary(db, as_of)["partners"]


def card(db, partner_id, as_of=D):
    rows = [p for p in partners(db, as_of) if p["partner_id"] == partner_id]
    assert len(rows) == 1
    return rows[0]


def _acme(db, *, bp=1500, target=100000):
    add_partner(db, 1, "Acme Referrals", revenue_share_bp=bp, annual_target_cents=target)
    add_client(db, 1, partner_id=1, since=day(-100))                      # new, active
    add_client(db, 2, partner_id=1, since=day(-400))                      # old, active
    add_client(db, 3, partner_id=1, since=day(-50), churned_on=day(-10))  # new, churned
    add_client(db, 4, partner_id=1, since=day(-365))                      # D-365: not new
    add_client(db, 5, partner_id=1, since=day(10))                        # not yet a client
    add_client(db, 9)                                                     # not sourced
    add_invoice(db, 1, 1, day(-10), day(20), 30000)
    add_invoice(db, 2, 1, day(-400), day(-370), 50000)                    # before T
    add_invoice(db, 3, 1, day(-20), day(10), 10000, void=1)               # void
    add_invoice(db, 4, 2, day(-364), day(-334), 20000)                    # first day of T
    add_invoice(db, 5, 2, day(1), day(31), 5000)                          # after D
    add_invoice(db, 6, 3, day(-30), D, 40000, written_off_on=day(-5))     # billed: counts
    add_invoice(db, 7, 4, day(-365), day(-335), 6000)                     # D-365: outside T
    add_invoice(db, 8, 9, day(-10), day(20), 77777)                       # not sourced
    add_cost(db, 1, day(-10), 1000)
    add_cost(db, 1, day(-364), 2000, category="mdf")
    add_cost(db, 1, day(-365), 500)                                       # outside T
    add_cost(db, 1, day(1), 700)                                          # after D
    add_opp(db, 1, day(-40), closed_on=day(-10), outcome="won", partner_id=1)
    add_opp(db, 2, day(-500), closed_on=day(-365), outcome="won", partner_id=1)   # outside
    add_opp(db, 3, day(-40), closed_on=day(1), outcome="won", partner_id=1)       # after D
    add_opp(db, 4, day(-40), closed_on=day(-5), outcome="lost", partner_id=1)
    add_opp(db, 5, day(-500), closed_on=day(-364), outcome="won", partner_id=1)   # counts
    add_opp(db, 6, day(-40), closed_on=day(-5), outcome="won")                    # no partner


def test_scorecard(db):
    _acme(db)
    p = card(db, 1)
    assert p["partner"] == "Acme Referrals"
    # revenue over T: 30000 + 20000 + 40000 = 90000
    assert p["revenue_cents"] == 90000
    # share 90000 x 1500 / 10000 = 13500; costs 1000 + 2000 + 13500 = 16500
    assert p["costs_cents"] == 16500
    assert p["profit_cents"] == 90000 - 16500
    assert p["margin_pct"] == pytest.approx(100 * 73500 / 90000)
    assert p["roi_pct"] == pytest.approx(100 * 73500 / 16500)
    # new clients: 1 (D-100) and 3 (D-50); CAC = (16500 - 13500) / 2
    assert p["new_clients"] == 2
    assert p["cac_cents"] == 1500
    # active sourced clients: 1, 2, 4 -> CLV = 90000 / 3 / 12 x 36 x 100 / 100 = 90000
    assert p["clv_cents"] == 90000
    assert p["won_deals"] == 2
    assert p["target_cents"] == 100000
    # variance 100 x (90000 - 100000) / 100000 = -10 exactly -> at risk
    assert p["variance_pct"] == pytest.approx(-10.0)
    assert p["status"] == "at risk"


def test_clv_uses_meta(db):
    _acme(db)
    set_meta(db, "client_lifetime_months", "24")
    set_meta(db, "gross_margin_pct", "60")
    # 90000 / 3 / 12 x 24 x 60 / 100 = 2500 x 24 x 0.6 = 36000
    assert card(db, 1)["clv_cents"] == 36000


def test_clv_rounded_once(db):
    add_partner(db, 1)
    for cid in (1, 2, 3):
        add_client(db, cid, partner_id=1, since=day(-500))
    add_invoice(db, 1, 1, day(-10), day(20), 10001)
    set_meta(db, "client_lifetime_months", "10")
    set_meta(db, "gross_margin_pct", "55")
    # 10001 / 3 / 12 x 10 x 55 / 100 = 5500550 / 3600 = 1527.93... -> 1528
    assert card(db, 1)["clv_cents"] == 1528


def test_share_rounded_half_away_from_zero(db):
    add_partner(db, 1, revenue_share_bp=5000)
    add_client(db, 1, partner_id=1)
    add_invoice(db, 1, 1, day(-10), day(20), 93333)
    add_cost(db, 1, day(-3), 3000)
    # share 93333 x 5000 / 10000 = 46666.5; costs = 3000 + 46666.5 = 49666.5 -> 49667
    # (banker's rounding would give 49666)
    assert card(db, 1)["costs_cents"] == 49667


def test_share_fraction_rounded_to_nearest(db):
    add_partner(db, 1, revenue_share_bp=1000)
    add_client(db, 1, partner_id=1, since=day(-5))
    add_invoice(db, 1, 1, day(-10), day(20), 93337)
    # share 9333.7 -> costs 9333.7 -> 9334; profit 93337 - 9333.7 = 84003.3 -> 84003
    p = card(db, 1)
    assert p["costs_cents"] == 9334
    assert p["profit_cents"] == 84003
    # CAC = (costs - share) / 1 = 0
    assert p["cac_cents"] == 0


@pytest.mark.parametrize(
    ("target", "variance", "status"),
    [
        (80000, 100 * (90000 - 80000) / 80000, "on track"),     # +12.5
        (90000, 0.0, "on track"),                               # exactly 0
        (95000, 100 * (90000 - 95000) / 95000, "at risk"),      # -5.26
        (100000, -10.0, "at risk"),                             # exactly -10
        (100001, 100 * (90000 - 100001) / 100001, "off track"),  # -10.0009
        (200000, -55.0, "off track"),
        (0, None, "no target"),
        (None, None, "no target"),
    ],
)
def test_variance_and_status(db, target, variance, status):
    _acme(db, target=target)
    p = card(db, 1)
    assert p["target_cents"] == target
    if variance is None:
        assert p["variance_pct"] is None
    else:
        assert p["variance_pct"] == pytest.approx(variance)
    assert p["status"] == status


def test_partner_with_nothing(db):
    add_partner(db, 7, "Quiet Partner", revenue_share_bp=2000)
    p = card(db, 7)
    assert p["revenue_cents"] == 0
    assert p["costs_cents"] == 0
    assert p["profit_cents"] == 0
    assert p["margin_pct"] is None        # revenue 0
    assert p["roi_pct"] is None           # costs 0
    assert p["new_clients"] == 0
    assert p["cac_cents"] is None         # no new clients
    assert p["clv_cents"] is None         # no active sourced clients
    assert p["won_deals"] == 0
    assert p["target_cents"] is None
    assert p["variance_pct"] is None
    assert p["status"] == "no target"


def test_partner_with_costs_but_no_clients(db):
    add_partner(db, 1, annual_target_cents=50000)
    add_cost(db, 1, day(-30), 2500)
    p = card(db, 1)
    assert p["revenue_cents"] == 0
    assert p["costs_cents"] == 2500
    assert p["profit_cents"] == -2500
    assert p["margin_pct"] is None
    assert p["roi_pct"] == pytest.approx(-100.0)
    assert p["cac_cents"] is None
    assert p["clv_cents"] is None
    assert p["variance_pct"] == pytest.approx(-100.0)
    assert p["status"] == "off track"


def test_partner_without_costs(db):
    add_partner(db, 1)                    # no share, no costs
    add_client(db, 1, partner_id=1, since=day(-20))
    add_invoice(db, 1, 1, day(-10), day(20), 1200)
    p = card(db, 1)
    assert p["costs_cents"] == 0
    assert p["profit_cents"] == 1200
    assert p["margin_pct"] == pytest.approx(100.0)
    assert p["roi_pct"] is None
    assert p["new_clients"] == 1
    assert p["cac_cents"] == 0            # (0 - 0) / 1
    assert p["clv_cents"] == 1200 * 3     # 1200 / 1 / 12 x 36


def test_clv_null_when_no_sourced_client_is_active(db):
    add_partner(db, 1)
    add_client(db, 1, partner_id=1, since=day(-200), churned_on=day(-1))
    add_invoice(db, 1, 1, day(-100), day(-70), 5000)
    p = card(db, 1)
    assert p["revenue_cents"] == 5000
    assert p["clv_cents"] is None


def test_partners_in_id_order(db):
    add_partner(db, 3, "Charlie")
    add_partner(db, 1, "Alpha")
    add_partner(db, 2, "Bravo")
    assert [(p["partner_id"], p["partner"]) for p in partners(db)] == [
        (1, "Alpha"), (2, "Bravo"), (3, "Charlie")]


def test_revenue_is_per_partner(db):
    add_partner(db, 1)
    add_partner(db, 2)
    add_client(db, 1, partner_id=1)
    add_client(db, 2, partner_id=2)
    add_invoice(db, 1, 1, day(-10), day(20), 100)
    add_invoice(db, 2, 2, day(-10), day(20), 200)
    add_invoice(db, 3, 2, day(-300), day(-270), 400)
    assert [p["revenue_cents"] for p in partners(db)] == [100, 200 + 400]


def test_clv_with_a_fractional_gross_margin(db):
    _acme(db)
    # meta values are TEXT; a gross margin of 62.5 % is a plain percentage:
    # 90000 / 3 / 12 x 36 x 62.5 / 100 = 90000 x 0.625 = 56250
    set_meta(db, "gross_margin_pct", "62.5")
    assert card(db, 1)["clv_cents"] == 56250
