"""Partner scorecards over the trailing 12 months (KPIS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

import polars as pl

from ..ledger.load import Ledger
from .money import div_round, pct, round_half_away
from .receivables import active_clients, unvoided


def status_of(variance: float | None) -> str:
    """on track / at risk / off track / no target, from the variance %."""
    if variance is None:
        return "no target"
    if variance >= 0:
        return "on track"
    return "at risk" if variance >= -10 else "off track"


@dataclass
class Scorecard:
    """One partner's trailing-12-month figures."""

    partner_id: int
    partner: str
    kind: str
    revenue_cents: int
    share_cents: int
    costs_cents: int
    profit_cents: int
    margin_pct: float | None
    roi_pct: float | None
    new_clients: int
    cac_cents: int | None
    clv_cents: int | None
    won_deals: int
    target_cents: int | None
    variance_pct: float | None
    status: str
    costs_by_category: dict[str, int] = field(default_factory=dict)


def in_window(col: str, d: date) -> pl.Expr:
    """col in (D-365, D]."""
    return (pl.col(col) > d - timedelta(days=365)) & (pl.col(col) <= d)


def scorecards(led: Ledger, d: date) -> list[Scorecard]:
    """One scorecard per partner, by partner_id."""
    clients = led.clients
    rev = (unvoided(led).filter(in_window("issued_on", d))
           .join(clients.select("id", "partner_id"), left_on="client_id", right_on="id")
           .group_by("partner_id").agg(pl.col("amount_cents").sum()))
    revenue = dict(rev.iter_rows())
    costs = led.partner_costs.filter(in_window("incurred_on", d))
    active = active_clients(clients, d)
    won = led.opportunities.filter((pl.col("outcome") == "won") & in_window("closed_on", d))
    lifetime = led.meta_number("client_lifetime_months", 36)
    margin = led.meta_number("gross_margin_pct", 100)
    cards = []
    for p in led.partners.sort("id").iter_rows(named=True):
        pid = p["id"]
        mine = costs.filter(pl.col("partner_id") == pid)
        by_cat = dict(mine.group_by("category").agg(pl.col("amount_cents").sum()).iter_rows())
        cards.append(scorecard(
            p, int(revenue.get(pid, 0) or 0), int(mine["amount_cents"].sum()),
            int(clients.filter((pl.col("partner_id") == pid) & in_window("since", d)).height),
            int(active.filter(pl.col("partner_id") == pid).height),
            int(won.filter(pl.col("partner_id") == pid).height), lifetime, margin, by_cat))
    return cards


def scorecard(p: dict, revenue: int, direct: int, new: int, active: int, won: int,
              lifetime: Fraction, margin: Fraction, by_cat: dict[str, int]) -> Scorecard:
    """Apply the KPIS.md formulas to one partner's ingredients."""
    share = round_half_away(Fraction(revenue * int(p["revenue_share_bp"] or 0), 10000))
    costs = direct + share
    profit = revenue - costs
    target = p["annual_target_cents"] or None
    variance = pct(revenue - target, target) if target else None
    clv = (round_half_away(Fraction(revenue) * lifetime * margin / (active * 12 * 100))
           if active else None)
    return Scorecard(
        partner_id=p["id"], partner=p["name"] or f"partner #{p['id']}", kind=p["kind"] or "",
        revenue_cents=revenue, share_cents=share, costs_cents=costs, profit_cents=profit,
        margin_pct=pct(profit, revenue), roi_pct=pct(profit, costs), new_clients=new,
        cac_cents=div_round(costs - share, new), clv_cents=clv, won_deals=won,
        target_cents=p["annual_target_cents"], variance_pct=variance,
        status=status_of(variance), costs_by_category=by_cat)
