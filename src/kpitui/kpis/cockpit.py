"""Everything the cockpit shows at one as-of date, computed once from a loaded ledger."""

from __future__ import annotations

from dataclasses import dataclass
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


def compute(led: Ledger, d: date, *, with_series: bool = True) -> Cockpit:
    """All figures at d; the month-end series come from the same open-balance pass."""
    ends = series.month_ends(d, 12) if with_series else []
    dates = sorted({d, *ends})
    opens_all = receivables.open_at(led, dates + [x - timedelta(days=30) for x in dates])
    points = receivables.headlines(led, dates, opens_all)
    opens = opens_all.filter(pl.col("as_of") == d)
    before = [e for e in ends if e < d]
    ser = None
    if with_series:
        months, leads, won = series.pipeline_months(led, d)
        pmonths, prev = series.partner_revenue(led, d)
        ser = series.Series(ends, series.headline_series(points, ends), months, leads, won,
                            pmonths, prev)
    return Cockpit(
        as_of=d, headline=points[d], previous=points[before[-1]] if before else None,
        bad_debt_pct=receivables.bad_debt_pct(led, d),
        payment_mix=receivables.payment_mix(led, d), opens=opens,
        aging=receivables.aging_by_client(led, opens),
        credits=receivables.credits_by_client(led, opens),
        queue=collections.queue(led, opens, d, with_snoozed=True),
        cash=forecast.cash_forecast(led, opens, d),
        pipeline=pipeline.pipeline(led, d), partners=partners.scorecards(led, d),
        goals=goals.goals(led, d), series=ser)
