"""Everything the cockpit shows at one as-of date, computed once from a loaded ledger.

After an action, `compute(..., before=, changed=)` computes again only the figures that read
a table the action wrote (READS): a follow-up changes the queue and the cash forecast, not
the pipeline or the partners, and the screen must be current within 0.3 s (issue 7).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

from ..ledger.load import Ledger
from . import collections, forecast, goals, partners, pipeline, receivables, series


@dataclass
class Cockpit:
    """The figures of every pane at `as_of` (frames stay frames: panes page through them)."""

    as_of: date
    headline: receivables.Headline
    previous: receivables.Headline | None     # at the last month-end before as_of
    bad_debt_pct: float | None
    payment_mix: dict[str, float]
    opens: pl.DataFrame                       # open balances at as_of (non-zero)
    aging: pl.DataFrame
    credits: pl.DataFrame
    queue: pl.DataFrame                       # with snoozed rows; `snoozed` tells them apart
    cash: forecast.CashForecast
    pipeline: pipeline.Pipeline
    partners: list[partners.Scorecard]
    goals: list[goals.GoalPace]
    series: series.Series | None


# The ledger tables each group of figures reads.
READS = {
    "receivables": {"invoices", "payments", "clients"},
    "collections": {"invoices", "payments", "clients", "followups"},
    "pipeline": {"opportunities"},
    "partners": {"invoices", "clients", "partners", "partner_costs", "opportunities"},
    "goals": {"goals", "invoices", "payments", "opportunities"},
    "partner_series": {"invoices", "clients", "partners"},
}


def compute(led: Ledger, d: date, *, with_series: bool = True, before: Cockpit | None = None,
            changed: set[str] | None = None) -> Cockpit:
    """All figures at d; the month-end series come from the same open-balance pass.

    `before` and `changed`: the cockpit at d before an action, and the tables the action
    wrote; the figures that read none of them are taken from `before`.
    """
    same = (before is not None and changed is not None and before.as_of == d
            and (before.series is not None) == with_series)
    stale = {g for g, tables in READS.items() if not same or tables & changed}
    c = before if same else None
    receivables.unvoided(led), receivables.counted_payments(led)   # shared: built once, first
    side = _SIDE.submit(_apart, led, d, stale, c)
    if "receivables" in stale:
        rec = _receivables(led, d, with_series)
    else:
        rec = {k: getattr(c, k) for k in ("headline", "previous", "bad_debt_pct", "opens",
                                          "aging", "credits")}
        rec["series"] = c.series
    opens = rec["opens"]
    out = Cockpit(
        as_of=d, **rec, **side.result(),
        queue=(collections.queue(led, opens, d, with_snoozed=True)
               if "collections" in stale else c.queue),
        cash=forecast.cash_forecast(led, opens, d) if "collections" in stale else c.cash)
    if with_series:
        out.series = _series(led, d, out.series, c.series if c else None, stale)
    return out


# The figures that share nothing with the open balances are computed on this thread while
# the caller's sums them (Polars and connectorx let go of the GIL: on two cores the two
# overlap; summary at a million invoices, 0.08 s sooner).
_SIDE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpitui-figures")


def _apart(led: Ledger, d: date, stale: set[str], c: Cockpit | None) -> dict:
    """Payment mix, pipeline, partners and goals (each taken from `c` unless stale)."""
    return {
        "payment_mix": (receivables.payment_mix(led, d) if "receivables" in stale
                        else c.payment_mix),
        "pipeline": pipeline.pipeline(led, d) if "pipeline" in stale else c.pipeline,
        "partners": partners.scorecards(led, d) if "partners" in stale else c.partners,
        "goals": goals.goals(led, d) if "goals" in stale else c.goals}


def _receivables(led: Ledger, d: date, with_series: bool) -> dict:
    """The receivables figures at d, and the headline at every month-end for the series
    (`series` holds only those points here; _series adds the rest)."""
    ends = series.month_ends(d, 12) if with_series else []
    dates = sorted({d, *ends})
    opens_all = receivables.open_at(led, dates + [x - timedelta(days=30) for x in dates])
    points = receivables.headlines(led, dates, opens_all)
    opens = opens_all.filter(pl.col("as_of") == d)
    before = [e for e in ends if e < d]
    points_series = (series.Series(ends, series.headline_series(points, ends), [], [], [],
                                   [], {}) if with_series else None)
    return {"headline": points[d], "previous": points[before[-1]] if before else None,
            "bad_debt_pct": receivables.bad_debt_pct(led, d), "opens": opens,
            "aging": receivables.aging_by_client(led, opens),
            "credits": receivables.credits_by_client(led, opens), "series": points_series}


def _series(led: Ledger, d: date, points: series.Series, previous: series.Series | None,
            stale: set[str]) -> series.Series:
    """The month-end series: the receivables points (already in `points`), then the pipeline
    and partner months, taken from `previous` unless stale."""
    if previous is not None and "pipeline" not in stale:
        months, leads, won = previous.months, previous.new_leads, previous.won_mrr_cents
    else:
        months, leads, won = series.pipeline_months(led, d)
    if previous is not None and "partner_series" not in stale:
        pmonths, prev = previous.partner_months, previous.partner_revenue
    else:
        pmonths, prev = series.partner_revenue(led, d)
    return replace(points, months=months, new_leads=leads, won_mrr_cents=won,
                   partner_months=pmonths, partner_revenue=prev)
