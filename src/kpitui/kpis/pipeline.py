"""The sales pipeline (KPIS.md): funnel, conversion, win rate, cycle, weighted MRR forecast."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

import polars as pl

from ..ledger.load import Ledger
from .money import div_round, pct, round_half_away

STAGES = ("lead", "qualified", "appointment", "proposal", "won")
STAGE_DATES = {"qualified": "qualified_on", "appointment": "appointment_on",
               "proposal": "proposal_on"}


def with_stages(opps: pl.DataFrame, d: date) -> pl.DataFrame:
    """Add won/lost at d, reached_<stage> flags and the furthest stage reached."""
    won = (pl.col("outcome") == "won") & (pl.col("closed_on") <= d)
    lost = (pl.col("outcome") == "lost") & (pl.col("closed_on") <= d)
    out = opps.with_columns(won.fill_null(False).alias("won"),
                            lost.fill_null(False).alias("lost"))
    later = pl.col("won")
    for stage in ("proposal", "appointment", "qualified"):
        later = later | (pl.col(STAGE_DATES[stage]) <= d).fill_null(False)
        out = out.with_columns(later.alias(f"reached_{stage}"))
    out = out.with_columns(pl.lit(True).alias("reached_lead"),
                           pl.col("won").alias("reached_won"))
    furthest = pl.lit("lead")
    for stage in ("qualified", "appointment", "proposal"):
        furthest = pl.when(pl.col(f"reached_{stage}")).then(pl.lit(stage)).otherwise(furthest)
    return out.with_columns(furthest.alias("stage"))


@dataclass
class Pipeline:
    """The funnel of the opportunities created in the last 365 days, and the forecast."""

    stages: dict[str, int]
    lost: int
    conversion: dict[str, float | None]
    win_rate: float | None
    avg_won_mrr_cents: int | None
    avg_won_onetime_cents: int | None
    sales_cycle_days: float | None
    upsell_take_rate: float | None
    forecast_mrr_cents: int
    probabilities: dict[str, float | None] = field(default_factory=dict)


def cohort(opps: pl.DataFrame, d: date) -> pl.DataFrame:
    """Opportunities created in (D-365, D]."""
    return opps.filter((pl.col("created_on") > d - timedelta(days=365))
                       & (pl.col("created_on") <= d))


def stage_probabilities(opps: pl.DataFrame, d: date) -> dict[str, Fraction | None]:
    """p(s): won / (won + lost) among deals closed in (D-365, D] that reached stage s."""
    closed = with_stages(opps.filter((pl.col("closed_on") > d - timedelta(days=365))
                                     & (pl.col("closed_on") <= d)), d)
    probs: dict[str, Fraction | None] = {}
    for stage in STAGES[:-1]:
        reached = closed.filter(pl.col(f"reached_{stage}"))
        won, lost = int(reached["won"].sum()), int(reached["lost"].sum())
        probs[stage] = Fraction(won, won + lost) if won + lost else None
    return probs


def open_deals(opps: pl.DataFrame, d: date) -> pl.DataFrame:
    """Deals open at d (created by d, not won or lost by d), any age, with their stage."""
    staged = with_stages(opps.filter(pl.col("created_on") <= d), d)
    return staged.filter(~pl.col("won") & ~pl.col("lost"))


def forecast_mrr(opps: pl.DataFrame, d: date, probs: dict[str, Fraction | None]) -> int:
    """Sum of p(stage) x mrr over open deals, exact, rounded once."""
    per_stage = open_deals(opps, d).group_by("stage").agg(pl.col("mrr_cents").sum())
    total = Fraction(0)
    for stage, mrr in per_stage.iter_rows():
        total += (probs.get(stage) or 0) * int(mrr)
    return round_half_away(total)


def pipeline(led: Ledger, d: date) -> Pipeline:
    """Every pipeline figure of KPIS.md at d."""
    opps = led.opportunities
    c = with_stages(cohort(opps, d), d)
    reached = {s: int(c[f"reached_{s}"].sum()) for s in STAGES}
    won_rows = c.filter(pl.col("won"))
    won, lost = won_rows.height, int(c["lost"].sum())
    cycle = won_rows.select(
        (pl.col("closed_on") - pl.col("created_on")).dt.total_days().mean()).item()
    probs = stage_probabilities(opps, d)
    return Pipeline(
        stages=reached, lost=lost,
        conversion={nxt: pct(reached[nxt], reached[this])
                    for this, nxt in zip(STAGES, STAGES[1:], strict=False)},
        win_rate=pct(won, won + lost),
        avg_won_mrr_cents=div_round(int(won_rows["mrr_cents"].sum()), won),
        avg_won_onetime_cents=div_round(int(won_rows["onetime_cents"].sum()), won),
        sales_cycle_days=None if cycle is None else float(cycle),
        upsell_take_rate=pct(int(won_rows["upsell_taken"].sum()),
                             int(won_rows["upsell_offered"].sum())),
        forecast_mrr_cents=forecast_mrr(opps, d, probs),
        probabilities={s: None if p is None else 100.0 * float(p) for s, p in probs.items()},
    )
