"""One partner in detail (24 months of sourced revenue against its monthly target, costs by
category, sourced clients with their open AR, its deals), the program summary over every
partner, and the scorecards as a sortable frame."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import polars as pl

from ..ledger.load import Ledger
from . import series as series_mod
from .money import pct, round_half_away
from .partners import Scorecard, in_window
from .pipeline import with_stages
from .receivables import unvoided

STATUSES = ("on track", "at risk", "off track", "no target")
WORST_FIRST = ("off track", "at risk", "on track", "no target")   # status sort order
# scorecard frame column -> Scorecard attribute
CARD_COLUMNS = {"partner": "partner", "revenue": "revenue_cents", "costs": "costs_cents",
                "profit": "profit_cents", "margin": "margin_pct", "roi": "roi_pct",
                "new": "new_clients", "cac": "cac_cents", "clv": "clv_cents",
                "won": "won_deals", "target": "target_cents", "variance": "variance_pct",
                "status": "status"}
SHARE = "revenue share"


@dataclass
class Program:
    """The partner program as a whole over the trailing 12 months."""

    revenue_cents: int
    costs_cents: int
    profit_cents: int
    roi_pct: float | None                  # 100 x sum(profit) / sum(costs)
    by_status: dict[str, int]              # every status, in STATUSES order


def program(cards: list[Scorecard]) -> Program:
    """Totals, blended ROI and the count of partners per status."""
    costs = sum(c.costs_cents for c in cards)
    profit = sum(c.profit_cents for c in cards)
    counts = {s: sum(1 for c in cards if c.status == s) for s in STATUSES}
    return Program(sum(c.revenue_cents for c in cards), costs, profit, pct(profit, costs), counts)


def card_frame(cards: list[Scorecard]) -> pl.DataFrame:
    """The scorecards as a frame (one row per partner), with a status rank for sorting."""
    rank = {s: i for i, s in enumerate(WORST_FIRST)}
    rows = [{"partner_id": c.partner_id, **{k: getattr(c, a) for k, a in CARD_COLUMNS.items()},
             "status_rank": rank.get(c.status, len(STATUSES))} for c in cards]
    schema = {"partner_id": pl.Int64, "partner": pl.String, "revenue": pl.Int64,
              "costs": pl.Int64, "profit": pl.Int64, "margin": pl.Float64, "roi": pl.Float64,
              "new": pl.Int64, "cac": pl.Int64, "clv": pl.Int64, "won": pl.Int64,
              "target": pl.Int64, "variance": pl.Float64, "status": pl.String,
              "status_rank": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def sort_cards(frame: pl.DataFrame, key: str, descending: bool) -> pl.DataFrame:
    """Sort by a column, empty values last; status ascending is off track, at risk, on track,
    no target; ties by partner id."""
    by = {"status": "status_rank"}.get(key, key)
    if key == "partner":
        return frame.sort([pl.col("partner").str.to_lowercase(), "partner_id"],
                          descending=[descending, False], nulls_last=True)
    return frame.sort([by, "partner_id"], descending=[descending, False], nulls_last=True)


@dataclass
class PartnerView:
    """What the partner detail screen shows."""

    card: Scorecard
    months: list[date]                     # month starts, 24 months up to D's month
    revenue_cents: list[int]               # sourced revenue issued each month (up to D)
    monthly_target_cents: int | None       # annual target / 12, rounded once
    costs: list[tuple[str, int]]           # category -> cents, biggest first, then the share
    clients: pl.DataFrame                  # client_id, client, since, churned_on, revenue, open
    deals: pl.DataFrame                    # the partner's deals created by D, newest first


def monthly_target(annual_cents: int | None) -> int | None:
    """annual target / 12, exact and rounded once; None without a target."""
    return round_half_away(Fraction(annual_cents, 12)) if annual_cents else None


def cost_lines(card: Scorecard) -> list[tuple[str, int]]:
    """Direct costs by category (biggest first, then A-Z) and the revenue share last."""
    lines = sorted(card.costs_by_category.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [(str(k or "uncategorised"), int(v)) for k, v in lines] + [(SHARE, card.share_cents)]


def sourced_clients(led: Ledger, d: date, pid: int, opens: pl.DataFrame) -> pl.DataFrame:
    """The partner's clients: revenue over (D-365, D] and open AR at D (positive balances)."""
    mine = led.clients.filter(pl.col("partner_id") == pid).select(
        pl.col("id").alias("client_id"), pl.col("name").alias("client"), "since", "churned_on")
    rev = (unvoided(led).filter(in_window("issued_on", d))
           .group_by("client_id").agg(pl.col("amount_cents").sum().alias("revenue_cents")))
    ar = (opens.filter(pl.col("open_cents") > 0).group_by("client_id")
          .agg(pl.col("open_cents").sum().alias("open_cents")))
    return (mine.join(rev, on="client_id", how="left").join(ar, on="client_id", how="left")
            .with_columns(pl.col("revenue_cents").fill_null(0), pl.col("open_cents").fill_null(0))
            .sort(["open_cents", "revenue_cents", "client_id"], descending=[True, True, False]))


def partner_deals(led: Ledger, d: date, pid: int) -> pl.DataFrame:
    """The partner's deals created by D: state at D (won, lost or the open stage), newest first."""
    opps = led.opportunities.filter((pl.col("partner_id") == pid) & (pl.col("created_on") <= d))
    state = (pl.when(pl.col("won")).then(pl.lit("won")).when(pl.col("lost")).then(pl.lit("lost"))
             .otherwise(pl.col("stage")))
    closed = pl.when(pl.col("won") | pl.col("lost")).then(pl.col("closed_on"))
    return (with_stages(opps, d).with_columns(state.alias("state"), closed.alias("closed"))
            .select("id", "name", "owner", "created_on", "closed", "state", "mrr_cents",
                    "onetime_cents")
            .sort(["created_on", "id"], descending=[True, True]))


def detail(led: Ledger, d: date, card: Scorecard, opens: pl.DataFrame,
           ser: series_mod.Series | None = None) -> PartnerView:
    """Everything the detail screen shows for one partner (`opens`: open balances at D)."""
    pid = card.partner_id
    if ser is not None and pid in ser.partner_revenue:
        months, revenue = ser.partner_months, ser.partner_revenue[pid]
    else:
        months, per = series_mod.partner_revenue(led, d)
        revenue = per.get(pid, [0] * len(months))
    return PartnerView(card, months, revenue, monthly_target(card.target_cents),
                       cost_lines(card), sourced_clients(led, d, pid, opens),
                       partner_deals(led, d, pid))
