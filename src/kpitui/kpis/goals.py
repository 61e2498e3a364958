"""Goals and the pace they are on (KPIS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import polars as pl

from ..ledger.load import Ledger
from .money import round_half_away
from .receivables import counted_payments, unvoided

METRICS = ("revenue", "collections", "new_mrr", "won_deals", "new_leads")
MONEY_METRICS = ("revenue", "collections", "new_mrr")


@dataclass
class GoalPace:
    """A goal's actual to date against the straight-line expectation."""

    goal_id: int
    metric: str
    period_start: date
    period_end: date
    target: int
    actual: int
    expected: int
    pace_pct: float | None
    projected: int
    elapsed: int
    total: int

    @property
    def ahead(self) -> bool:
        return self.pace_pct is not None and self.pace_pct >= 100


def actual(led: Ledger, metric: str, start: date, end: date) -> int:
    """The metric over [start, end], both ends included."""
    def between(col: str) -> pl.Expr:
        return (pl.col(col) >= start) & (pl.col(col) <= end)

    won = led.opportunities.filter((pl.col("outcome") == "won") & between("closed_on"))
    if metric == "revenue":
        return int(unvoided(led).filter(between("issued_on"))["amount_cents"].sum())
    if metric == "collections":
        return int(counted_payments(led).filter(between("paid_on"))["amount_cents"].sum())
    if metric == "new_mrr":
        return int(won["mrr_cents"].sum())
    if metric == "won_deals":
        return won.height
    return led.opportunities.filter(between("created_on")).height


def goals(led: Ledger, d: date) -> list[GoalPace]:
    """Every started goal with a known metric, by goal_id."""
    out = []
    for g in led.goals.filter(pl.col("period_start") <= d).sort("id").iter_rows(named=True):
        start, end, target = g["period_start"], g["period_end"], g["target"]
        if g["metric"] not in METRICS or end < start:
            continue
        upto = min(d, end)
        elapsed = (upto - start).days + 1
        total = (end - start).days + 1
        got = actual(led, g["metric"], start, upto)
        expected = Fraction(target * elapsed, total)
        out.append(GoalPace(
            goal_id=g["id"], metric=g["metric"], period_start=start, period_end=end,
            target=target, actual=got, expected=round_half_away(expected),
            pace_pct=None if expected == 0 else float(100 * got / expected),
            projected=round_half_away(Fraction(got * total, elapsed)),
            elapsed=elapsed, total=total))
    return out
