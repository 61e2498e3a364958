"""The 13-week cash-in forecast (KPIS.md): when the open balances are expected to arrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from ..ledger.load import Ledger
from .collections import with_status
from .receivables import days_between, memo, payment_steps, unvoided

WEEKS = 13
HORIZONS = (30, 60, 90)   # the "next N days" totals shown beside the weekly chart


@dataclass
class CashForecast:
    """Expected receipts per week 1..13, and what is left out or shown apart."""

    weeks: list[int]
    at_risk_cents: int
    disputed_cents: int
    horizons: dict[int, int] = field(default_factory=dict)   # days -> expected in (D, D+days]

    def within(self, days: int) -> int:
        """Expected receipts dated in (D, D + days] (30, 60 and 90 are kept)."""
        return self.horizons[days]


def full_paid(led: Ledger) -> pl.DataFrame:
    """Per invoice with amount > 0 ever paid in full: the first payment date at which the
    running total, in (paid_on, id) order, reaches the amount (`peak`: within the day).
    Independent of the as-of date, so computed once."""
    def build() -> pl.DataFrame:
        inv = unvoided(led).filter(pl.col("amount_cents") > 0).select(
            "id", "client_id", "due_on", "amount_cents")
        # Steps are in (invoice, date) order: an invoice's first step that reaches is its
        # first row here. Narrow joins, no group-by: 40 MB and 20 ms less at 1M invoices.
        reach = (payment_steps(led).select("invoice_id", "paid_on", "peak")
                 .join(inv.select("id", "amount_cents"), left_on="invoice_id", right_on="id",
                       maintain_order="left")
                 .filter(pl.col("peak") >= pl.col("amount_cents")))
        ids = pl.col("invoice_id")
        first = reach.filter((ids != ids.shift(1)).fill_null(True))
        return (first.select("invoice_id", pl.col("paid_on").alias("paid_in_full"))
                .join(inv.select("id", "client_id", "due_on"), left_on="invoice_id",
                      right_on="id", how="left", maintain_order="left"))
    return memo(led, "full_paid", build)


def lateness(led: Ledger, d: date) -> pl.DataFrame:
    """Per client: floor of the median days late of its invoices fully paid in (D-365, D].
    Kept per date; after an action, carry_over recomputes it for the touched clients."""
    return memo(led, f"lateness:{d}", lambda: lateness_of(full_paid(led), d))


def lateness_of(full: pl.DataFrame, d: date) -> pl.DataFrame:
    """lateness from full_paid rows (all of them, or a few clients'), sorted by client."""
    start = d - timedelta(days=365)
    late = full.filter((pl.col("paid_in_full") > start) & (pl.col("paid_in_full") <= d))
    return late.group_by("client_id").agg(
        days_between(pl.col("paid_in_full"), pl.col("due_on")).median().floor()
        .cast(pl.Int64).alias("lateness")).sort("client_id")


def expected_receipts(led: Ledger, opens_at_d: pl.DataFrame, d: date) -> pl.DataFrame:
    """Rows (invoice id, client_id, status, on, cents) of each expected receipt."""
    live = opens_at_d.filter((pl.col("open_cents") > 0) & (pl.col("dpd") <= 90))
    rows = with_status(led, live, d).join(lateness(led, d), on="client_id", how="left")
    late = pl.col("due_on") + pl.duration(days=pl.col("lateness").fill_null(0))
    promised = pl.col("status") == "promised"
    part = pl.min_horizontal(pl.col("promised_cents"), pl.col("open_cents"))
    kept = rows.filter(promised).select(
        "id", "client_id", "status", pl.col("promised_on").alias("on"), part.alias("cents"))
    rest = rows.select(
        "id", "client_id", "status", late.alias("on"),
        pl.when(promised).then(pl.col("open_cents") - part)
        .otherwise(pl.col("open_cents")).alias("cents"))
    out = pl.concat([kept, rest]).filter(pl.col("cents") > 0)
    return out.with_columns(
        pl.when(pl.col("on") <= d).then(pl.lit(d + timedelta(days=1)))
        .otherwise(pl.col("on")).alias("on"))


def cash_forecast(led: Ledger, opens_at_d: pl.DataFrame, d: date) -> CashForecast:
    """Sum the expected receipts into weeks (D + 7(k-1), D + 7k]."""
    exp = expected_receipts(led, opens_at_d, d)
    week = ((days_between(pl.col("on"), d) + 6) // 7).alias("week")
    by_week = dict(exp.with_columns(week).group_by("week").agg(pl.col("cents").sum())
                   .iter_rows())
    risky = opens_at_d.filter((pl.col("open_cents") > 0) & (pl.col("dpd") > 90))
    # A disputed invoice is never `promised`: its one expected row holds its open balance.
    disputed = exp.filter(pl.col("status") == "disputed")
    ahead = days_between(pl.col("on"), d)
    return CashForecast(
        horizons={n: int(exp.filter(ahead <= n)["cents"].sum()) for n in HORIZONS},
        weeks=[int(by_week.get(k, 0)) for k in range(1, WEEKS + 1)],
        at_risk_cents=int(risky["open_cents"].sum()),
        disputed_cents=int(disputed["cents"].sum()))
