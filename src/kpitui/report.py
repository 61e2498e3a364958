"""The compact human report of `kpitui summary`: fits 80 terminal columns, money in the ledger
currency. Names are shortened inside their columns; figures are never cut."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from .kpis.cockpit import Cockpit
from .kpis.money import fmt_money
from .kpis.receivables import BUCKETS
from .ledger.load import Ledger

WIDTH = 80


def num(x: float | None, suffix: str = "", places: int = 1) -> str:
    """A float for the screen, '-' where undefined."""
    return "-" if x is None else f"{x:,.{places}f}{suffix}"


def fit(text: str, width: int) -> str:
    """Exactly `width` terminal cells: shortened with an ellipsis, or padded (wide CJK aware)."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def text_report(led: Ledger, c: Cockpit, *, sample: bool = False) -> str:
    """The whole report as one string."""
    cur = led.currency
    h = c.headline

    def m(x: int | None) -> str:
        return fmt_money(x, cur)

    tail = f" - as of {c.as_of.isoformat()}" + ("  [SAMPLE DATA]" if sample else "")
    out = [fit(led.company, min(cell_len(led.company), WIDTH - len(tail))).rstrip() + tail, ""]
    out.append(f"AR {m(h.total_cents)}   credits {m(h.credits_cents)}   "
               f"collected 30d {m(h.collected_30d_cents)}")
    out.append(f"DSO {num(h.dso)}  best possible {num(h.best_possible_dso)}  "
               f"ADD {num(h.add)}  CEI {num(h.cei, '%')}")
    out.append(f"current {num(h.pct_current, '%')}  over 90 days {num(h.pct_over_90, '%')}")
    out.append(f"MRR {m(h.mrr_cents)}   months behind {num(h.months_behind, '', 2)}   "
               f"autopay {num(h.autopay_pct, '%')}   bad debt {num(c.bad_debt_pct, '%', 2)}")
    out += ["", "Aging  " + "  ".join(f"{b} {m(h.buckets[b])}" for b in BUCKETS[:3]),
            "       " + "  ".join(f"{b} {m(h.buckets[b])}" for b in BUCKETS[3:])]
    out.append(f"Cash-in  30 days {m(c.cash.within(30))}  60 days {m(c.cash.within(60))}  "
               f"90 days {m(c.cash.within(90))}")
    out.append(f"         at risk (90+ days late) {m(c.cash.at_risk_cents)}  "
               f"in dispute {m(c.cash.disputed_cents)}")
    out += queue_lines(c, m) + pipeline_lines(c, m) + partner_lines(c, m) + goal_lines(c, cur)
    if led.problems:
        out += ["", f"Warning: {led.bad_rows} unsound rows set apart (kpitui check)"]
    return "\n".join(out)


def queue_lines(c: Cockpit, m) -> list[str]:
    queue = [r for r in c.queue.iter_rows(named=True) if not r["snoozed"]]
    out = ["", f"Collections queue: {len(queue)} invoices (top 10)",
           f"{'invoice':<12} {fit('client', 26)} {'open':>16} {'dpd':>5}  status"]
    for r in queue[:10]:
        out.append(f"{fit(r['number'], 12)} {fit(r['client'], 26)} {m(r['open_cents']):>16} "
                   f"{r['dpd']:>5}  {r['status']}")
    return out


def pipeline_lines(c: Cockpit, m) -> list[str]:
    p = c.pipeline
    return ["", "Pipeline (12 months) " + "  ".join(f"{s} {n}" for s, n in p.stages.items()),
            f"  win rate {num(p.win_rate, '%')}  cycle {num(p.sales_cycle_days, ' d', 0)}  "
            f"forecast MRR {m(p.forecast_mrr_cents)}"]


def partner_lines(c: Cockpit, m) -> list[str]:
    if not c.partners:
        return []
    out = ["", "Partners (12 months sourced revenue, variance to target)"]
    for s in c.partners:
        out.append(f"  {fit(s.partner, 30)} {m(s.revenue_cents):>18} "
                   f"{num(s.variance_pct, '%'):>9}  {s.status}")
    return out


def goal_lines(c: Cockpit, cur: str) -> list[str]:
    if not c.goals:
        return []
    out = ["", "Goals"]
    for g in c.goals:
        money = g.metric in ("revenue", "collections", "new_mrr")
        act = fmt_money(g.actual, cur) if money else str(g.actual)
        tgt = fmt_money(g.target, cur) if money else str(g.target)
        word = "ahead" if g.ahead else "behind"
        out.append(f"  #{g.goal_id:<3} {g.metric:<11} {act:>16} of {tgt:>16}  "
                   f"pace {num(g.pace_pct, '%', 0):>6} {word}")
    return out
