"""Month-end series for the charts: computed from one open_at pass, not per month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from ..ledger.load import Ledger
from .receivables import Headline, memo, unvoided

HEADLINE_FIELDS = ("total_cents", "dso", "best_possible_dso", "add", "cei", "pct_current",
                   "pct_over_90", "collected_30d_cents", "months_behind", "autopay_pct")


def month_end(d: date) -> date:
    """Last day of d's month."""
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def month_ends(d: date, n: int = 12) -> list[date]:
    """The n month-ends on or before d, oldest first."""
    end = month_end(d)
    if end > d:
        end = d.replace(day=1) - timedelta(days=1)
    out = [end]
    while len(out) < n:
        out.append(out[-1].replace(day=1) - timedelta(days=1))
    return out[::-1]


def month_starts(d: date, n: int) -> list[date]:
    """First days of the n months up to and including d's month, oldest first."""
    out = [d.replace(day=1)]
    while len(out) < n:
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return out[::-1]


@dataclass
class Series:
    """What the panes chart."""

    month_ends: list[date]
    headline: dict[str, list[float | None]]     # field -> value at each month-end
    months: list[date]                          # month starts, 12 months
    new_leads: list[int]
    won_mrr_cents: list[int]
    partner_months: list[date]                  # month starts, 24 months
    partner_revenue: dict[int, list[int]]       # partner_id -> sourced revenue per month


def headline_series(points: dict[date, Headline], ends: list[date]) -> dict[str, list]:
    """Pick each headline field at each month-end."""
    return {f: [getattr(points[e], f) for e in ends] for f in HEADLINE_FIELDS}


def per_month(df: pl.DataFrame, on: str, value: pl.Expr, months: list[date]) -> list[int]:
    """Sum `value` by the calendar month of `on`, for the given month starts."""
    start, end = months[0], month_end(months[-1])
    got = dict(df.filter((pl.col(on) >= start) & (pl.col(on) <= end))
               .group_by(pl.col(on).dt.truncate("1mo").alias("m")).agg(value.alias("v"))
               .iter_rows())
    return [int(got.get(m, 0) or 0) for m in months]


def pipeline_months(led: Ledger, d: date) -> tuple[list[date], list[int], list[int]]:
    """New leads and won MRR per month, the 12 months up to d's month (up to d)."""
    months = month_starts(d, 12)
    opps = led.opportunities.filter(pl.col("created_on") <= d)
    leads = per_month(opps, "created_on", pl.len(), months)
    won = led.opportunities.filter((pl.col("outcome") == "won") & (pl.col("closed_on") <= d))
    return months, leads, per_month(won, "closed_on", pl.col("mrr_cents").sum(), months)


def sourced_invoices(led: Ledger) -> pl.DataFrame:
    """Unvoided invoices of partner-sourced clients, with the partner."""
    def build() -> pl.DataFrame:
        return (unvoided(led).select("id", "client_id", "issued_on", "amount_cents")
                .join(led.clients.select(pl.col("id").alias("client_id"), "partner_id"),
                      on="client_id").filter(pl.col("partner_id").is_not_null()))
    return memo(led, "sourced_invoices", build)


def partner_revenue(led: Ledger, d: date) -> tuple[list[date], dict[int, list[int]]]:
    """Monthly sourced revenue per partner for the 24 months up to d (issued on or before d)."""
    months = month_starts(d, 24)
    inv = sourced_invoices(led).filter(pl.col("issued_on") <= d)
    out = {}
    for pid in led.partners["id"].to_list():
        mine = inv.filter(pl.col("partner_id") == pid)
        out[pid] = per_month(mine, "issued_on", pl.col("amount_cents").sum(), months)
    return months, out
