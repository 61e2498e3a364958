"""The compact human report of `kpitui summary`: fits 80 columns, money in the ledger currency."""

from __future__ import annotations

import polars as pl

from .kpis.cockpit import Cockpit
from .kpis.money import fmt_money
from .kpis.receivables import BUCKETS
from .ledger.load import Ledger

WIDTH = 80


def num(x: float | None, suffix: str = "", places: int = 1) -> str:
    """A float for the screen, '-' where undefined."""
    return "-" if x is None else f"{x:,.{places}f}{suffix}"


def clip(text: str, width: int) -> str:
    """Cut text to width with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def text_report(led: Ledger, c: Cockpit, *, sample: bool = False) -> str:
    """The whole report as one string."""
    cur = led.currency
    h = c.headline

    def m(x: int | None) -> str:
        return fmt_money(x, cur)

    out = [clip(f"{led.company} - as of {c.as_of.isoformat()}"
                + ("   [SAMPLE DATA]" if sample else ""), WIDTH), ""]
    out.append(f"AR {m(h.total_cents)}   credits {m(h.credits_cents)}   "
               f"collected 30d {m(h.collected_30d_cents)}")
    out.append(f"DSO {num(h.dso)}  best {num(h.best_possible_dso)}  ADD {num(h.add)}  "
               f"CEI {num(h.cei, '%')}  current {num(h.pct_current, '%')}  "
               f"over 90 {num(h.pct_over_90, '%')}")
    out.append(f"MRR {m(h.mrr_cents)}   months behind {num(h.months_behind, '', 2)}   "
               f"autopay {num(h.autopay_pct, '%')}   bad debt {num(c.bad_debt_pct, '%', 2)}")
    out += ["", "Aging  " + "  ".join(f"{b} {m(h.buckets[b])}" for b in BUCKETS[:3]),
            "       " + "  ".join(f"{b} {m(h.buckets[b])}" for b in BUCKETS[3:])]
    out.append(f"Cash-in next 30/60/90 days {m(c.cash.within(30))} / {m(c.cash.within(60))} / "
               f"{m(c.cash.within(90))}  at risk {m(c.cash.at_risk_cents)}")
    queue = c.queue.filter(~pl.col("snoozed"))
    out += ["", f"Collections queue: {queue.height} invoices (top 10)",
            f"{'invoice':<12} {'client':<26} {'open':>14} {'dpd':>5}  status"]
    for r in queue.head(10).iter_rows(named=True):
        out.append(f"{clip(r['number'], 12):<12} {clip(r['client'], 26):<26} "
                   f"{m(r['open_cents']):>14} {r['dpd']:>5}  {r['status']}")
    p = c.pipeline
    out += ["", "Pipeline (12 months) " + "  ".join(f"{s} {p.stages[s]}" for s in p.stages),
            f"  win rate {num(p.win_rate, '%')}  cycle {num(p.sales_cycle_days, ' d', 0)}  "
            f"forecast MRR {m(p.forecast_mrr_cents)}"]
    if c.partners:
        out += ["", "Partners"]
        for s in c.partners:
            out.append(f"  {clip(s.partner, 30):<30} {m(s.revenue_cents):>14}  "
                       f"{num(s.variance_pct, '%'):>8}  {s.status}")
    if c.goals:
        out += ["", "Goals"]
        for g in c.goals:
            shown = fmt_money if g.metric in ("revenue", "collections", "new_mrr") else None
            act = shown(g.actual, cur) if shown else str(g.actual)
            tgt = shown(g.target, cur) if shown else str(g.target)
            word = "ahead" if g.ahead else "behind"
            out.append(f"  #{g.goal_id} {g.metric:<12} {act:>14} of {tgt:>14}  "
                       f"pace {num(g.pace_pct, '%', 0):>6} {word}")
    if led.problems:
        out += ["", f"Warning: {led.bad_rows} unsound rows set apart (kpitui check)"]
    return "\n".join(clip(line, WIDTH) for line in out)
