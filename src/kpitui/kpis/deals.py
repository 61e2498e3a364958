"""Open deals: time in stage, the stalled rule, the expected close month and the forecast split
by month (the two rules KPIS.md leaves open, defined in docs/pipeline.md); and every pipeline
figure for the deals of one owner or one source."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

import polars as pl

from ..ledger.load import Ledger
from . import series
from .money import round_half_away
from .pipeline import STAGE_DATES, STAGES, Pipeline, open_deals, pipeline, stage_probabilities

if TYPE_CHECKING:
    from .cockpit import Cockpit

OPEN_STAGES = STAGES[:-1]                                  # lead .. proposal
STAGE_ON = {"lead": "created_on", **STAGE_DATES}           # the date that starts each stage
# every date of a deal in stage order; a won deal's last one is closed_on
DATE_CHAIN = ("created_on", "qualified_on", "appointment_on", "proposal_on", "closed_on")
SPLIT_MONTHS = 3


@dataclass
class Norms:
    """Medians over the won deals of the sample, in days, per stage (None: no sample)."""

    to_close: dict[str, float | None]      # from reaching the stage to closed_on
    in_stage: dict[str, float | None]      # from the stage's own date to reaching the next
    sample: int                            # how many won deals they come from
    recent: bool                           # True: won in (D-365, D]; False: every deal won by D

    def stall_after(self, stage: str) -> int | None:
        """Days in `stage` beyond which a deal is stalled: 2 x the median (always whole)."""
        m = self.in_stage.get(stage)
        return None if m is None else round(2 * m)

    def close_after(self, stage: str) -> int | None:
        """Days from reaching `stage` to the expected close: the median, a half day rounded up."""
        m = self.to_close.get(stage)
        return None if m is None else math.ceil(m)


def won_sample(opps: pl.DataFrame, d: date) -> tuple[pl.DataFrame, bool]:
    """Deals won in (D-365, D]; if there are none, every deal won by D. And which it was."""
    won = opps.filter((pl.col("outcome") == "won") & (pl.col("closed_on") <= d))
    recent = won.filter(pl.col("closed_on") > d - timedelta(days=365))
    return (recent, True) if recent.height else (won, False)


def reached_on(won: pl.DataFrame) -> pl.DataFrame:
    """at_<stage>: the earliest of the stage's own date and every later date the deal has.

    With dates in order that is the stage's own date, or the next later one for a skipped stage.
    """
    return won.with_columns(
        pl.min_horizontal(*[pl.col(c) for c in DATE_CHAIN[i:]]).alias(f"at_{stage}")
        for i, stage in enumerate(STAGES))


def norms(opps: pl.DataFrame, d: date) -> Norms:
    """Median days to close and median days spent in each stage, over the won sample.

    Days in a stage count only the won deals that have that stage's own date (a deal that
    skipped the stage spent no time in it, and is left out rather than counted as 0 days).
    """
    won, recent = won_sample(opps, d)
    at = reached_on(won)
    to_close, in_stage = {}, {}
    for this, nxt in zip(OPEN_STAGES, STAGES[1:], strict=True):
        own = pl.col(STAGE_ON[this]).is_not_null()
        stay = (pl.col(f"at_{nxt}") - pl.col(f"at_{this}")).dt.total_days().filter(own)
        spans = at.select(
            (pl.col("at_won") - pl.col(f"at_{this}")).dt.total_days().median().alias("close"),
            stay.median().alias("stay"))
        close, stay = spans.row(0) if at.height else (None, None)
        to_close[this] = None if close is None else float(close)
        in_stage[this] = None if stay is None else float(stay)
    return Norms(to_close, in_stage, won.height, recent)


def stage_expr(mapping: dict[str, object], dtype: pl.DataType) -> pl.Expr:
    """A per-stage constant looked up from the `stage` column (None where missing)."""
    expr = pl.lit(None, dtype=dtype)
    for stage, value in mapping.items():
        expr = pl.when(pl.col("stage") == stage).then(pl.lit(value, dtype=dtype)).otherwise(expr)
    return expr


def deal_list(opps: pl.DataFrame, d: date, nm: Norms,
              probs: dict[str, Fraction | None]) -> pl.DataFrame:
    """Deals open at d with their stage date, days in stage, stalled flag and expected close.

    Oldest in their current stage first (then by id). `close_month` is the month start the
    deal counts in (D's month when `late`: expected before D).
    """
    stage_on = stage_expr({}, pl.Date)
    for stage, col in STAGE_ON.items():
        stage_on = pl.when(pl.col("stage") == stage).then(pl.col(col)).otherwise(stage_on)
    deals = open_deals(opps, d).with_columns(stage_on.alias("stage_on"))
    limits = {s: nm.stall_after(s) for s in OPEN_STAGES}
    closes = {s: nm.close_after(s) for s in OPEN_STAGES}
    days = (pl.lit(d) - pl.col("stage_on")).dt.total_days()
    expected = pl.col("stage_on") + pl.duration(days=stage_expr(closes, pl.Int64))
    deals = deals.with_columns(
        days.alias("days_in_stage"), stage_expr(limits, pl.Int64).alias("stall_after"),
        expected.alias("expected_on"))
    deals = deals.with_columns(
        (pl.col("days_in_stage") > pl.col("stall_after")).fill_null(False).alias("stalled"),
        (pl.col("expected_on") < d).fill_null(False).alias("late"),
        pl.when(pl.col("expected_on").is_not_null())
        .then(pl.max_horizontal(pl.col("expected_on"), pl.lit(d)).dt.truncate("1mo"))
        .alias("close_month"))
    return (with_weights(deals, probs)
            .sort(["days_in_stage", "id"], descending=[True, False], nulls_last=True))


def with_weights(deals: pl.DataFrame, probs: dict[str, Fraction | None]) -> pl.DataFrame:
    """Add p_pct (p(stage) in %) and weighted_cents (p x mrr, rounded for that deal alone)."""
    p_pct = {s: None if p is None else 100.0 * float(p) for s, p in probs.items()}
    weighted = [round_half_away((probs.get(s) or 0) * int(m or 0))
                for s, m in deals.select("stage", "mrr_cents").iter_rows()]
    return deals.with_columns(stage_expr(p_pct, pl.Float64).alias("p_pct"),
                              pl.Series("weighted_cents", weighted, dtype=pl.Int64))


def with_names(deals: pl.DataFrame, led: Ledger) -> pl.DataFrame:
    """Add the client's and the partner's names (None where the deal has none)."""
    clients = led.clients.select(pl.col("id").alias("client_id"), pl.col("name").alias("client"))
    partners = led.partners.select(pl.col("id").alias("partner_id"),
                                   pl.col("name").alias("partner"))
    return (deals.join(clients, on="client_id", how="left", maintain_order="left")
            .join(partners, on="partner_id", how="left", maintain_order="left"))


@dataclass
class Split:
    """Weighted MRR of the open deals by the month they are expected to close."""

    months: list[date]          # month starts: D's month and the next two
    cents: list[int]            # each month's sum, exact, rounded once
    later_cents: int            # expected after those months, or no expected date at all


def add_months(first: date, n: int) -> date:
    """The first day of the month n months after `first` (a month start)."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_split(deals: pl.DataFrame, d: date, probs: dict[str, Fraction | None]) -> Split:
    """Sum p(stage) x mrr per expected close month for the next three months, exactly."""
    months = [add_months(d.replace(day=1), k) for k in range(SPLIT_MONTHS)]
    sums = {m: Fraction(0) for m in months}
    later = Fraction(0)
    for stage, mrr, month in deals.select("stage", "mrr_cents", "close_month").iter_rows():
        value = (probs.get(stage) or 0) * int(mrr or 0)
        if month in sums:
            sums[month] += value
        else:
            later += value
    return Split(months, [round_half_away(sums[m]) for m in months], round_half_away(later))


def choices(led: Ledger, column: str) -> list[str]:
    """The distinct owners (or sources) of the ledger's deals, A to Z (empty ones left out)."""
    values = led.opportunities.get_column(column).drop_nulls().unique().to_list()
    return sorted((v for v in values if str(v).strip()), key=lambda v: (v.casefold(), v))


def next_choice(values: list[str], current: str | None) -> str | None:
    """Cycle all (None) -> each value -> all."""
    if current not in values:
        return values[0] if values and current is None else None
    i = values.index(current)
    return values[i + 1] if i + 1 < len(values) else None


def only(led: Ledger, owner: str | None = None, source: str | None = None) -> Ledger:
    """The same ledger holding only the deals of this owner and/or source (None: any)."""
    opps = led.opportunities
    if owner is not None:
        opps = opps.filter(pl.col("owner") == owner)
    if source is not None:
        opps = opps.filter(pl.col("source") == source)
    return led.with_frames({**led.frames, "opportunities": opps})


@dataclass
class PipelineView:
    """What the Pipeline pane shows for one filter."""

    owner: str | None
    source: str | None
    pipeline: Pipeline
    split: Split
    deals: pl.DataFrame
    norms: Norms
    months: list[date]
    new_leads: list[int]
    won_mrr_cents: list[int]
    stalled: int = 0
    leads_12m: int = 0
    won_mrr_12m_cents: int = 0
    probabilities: dict[str, Fraction | None] = field(default_factory=dict)


def view(led: Ledger, d: date, owner: str | None = None, source: str | None = None,
         cockpit: Cockpit | None = None) -> PipelineView:
    """Pipeline figures, deals and the split for the filter (the Cockpit's when unfiltered).

    The probabilities follow the filter (as the forecast does); the time norms (medians) always
    come from every won deal of the ledger, so a deal's stalled flag and expected month do not
    change with the filter.
    """
    sub = only(led, owner, source)
    probs = stage_probabilities(sub.opportunities, d)
    nm = norms(led.opportunities, d)
    deals = with_names(deal_list(sub.opportunities, d, nm, probs), led)
    unfiltered = owner is None and source is None and cockpit is not None
    figures = cockpit.pipeline if unfiltered else pipeline(sub, d)
    ser = cockpit.series if unfiltered else None
    if ser is not None:
        months, leads, won = ser.months, ser.new_leads, ser.won_mrr_cents
    else:
        months, leads, won = series.pipeline_months(sub, d)
    return PipelineView(owner, source, figures, month_split(deals, d, probs), deals, nm,
                        months, leads, won, stalled=int(deals["stalled"].sum()),
                        leads_12m=sum(leads), won_mrr_12m_cents=sum(won), probabilities=probs)


def deal_row(deals: pl.DataFrame, deal_id: int) -> dict | None:
    """One deal of the list as a dict (None if it is not there)."""
    rows = deals.filter(pl.col("id") == deal_id).to_dicts()
    return rows[0] if rows else None
