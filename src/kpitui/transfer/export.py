"""Export a pane's figures as CSV, JSON or Markdown (the CLI and the app's palette share this).

Money cells carry integer cents or decimals (`--money cents|decimal`); numbers stay numbers,
negative ones included; text cells a spreadsheet would run as a formula (= + - @, tab, CR at
the start) are prefixed with ' in CSV and Markdown (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..kpis.cockpit import Cockpit
from ..kpis.goals import MONEY_METRICS
from ..kpis.pipeline import STAGES
from ..kpis.receivables import BUCKETS
from ..ledger.load import Ledger, clean_text
from . import EXPORT_FORMATS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LONG = ["section", "figure", "value", "unit"]


@dataclass(frozen=True)
class Money:
    """A money cell: integer cents, shown as cents or decimals when written."""

    cents: int


@dataclass
class Table:
    """A pane's figures as one table."""

    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)


def as_money(cents: int | None) -> Money | None:
    """Wrap cents as a money cell (None stays empty)."""
    return None if cents is None else Money(int(cents))


def neutralise(text: str) -> str:
    """Prefix ' to text a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def overview_table(led: Ledger, c: Cockpit) -> Table:
    """Headline figures, the cash-in forecast and the goals, one figure per row."""
    h, cur = c.headline, led.currency
    t = Table(LONG)
    r = [("AR total", as_money(h.total_cents), cur), ("credits", as_money(h.credits_cents), cur),
         *[(f"aging {b}", as_money(h.buckets[b]), cur) for b in BUCKETS],
         ("DSO", h.dso, "days"), ("best possible DSO", h.best_possible_dso, "days"),
         ("ADD", h.add, "days"), ("CEI", h.cei, "%"), ("current", h.pct_current, "%"),
         ("over 90", h.pct_over_90, "%"), ("MRR", as_money(h.mrr_cents), cur),
         ("months behind", h.months_behind, "months"),
         ("collected 30d", as_money(h.collected_30d_cents), cur),
         ("bad debt", c.bad_debt_pct, "%"), ("autopay", h.autopay_pct, "%")]
    t.rows += [["receivables", f, v, u] for f, v, u in r]
    t.rows += [["payment mix", m, v, "%"] for m, v in c.payment_mix.items()]
    for k, cents in enumerate(c.cash.weeks, start=1):
        start, end = c.as_of + timedelta(days=7 * k - 6), c.as_of + timedelta(days=7 * k)
        t.rows.append(["cash forecast", f"week {k} ({start} to {end})", as_money(cents), cur])
    t.rows += [["cash forecast", "at risk (over 90 days past due)",
                as_money(c.cash.at_risk_cents), cur],
               ["cash forecast", "disputed", as_money(c.cash.disputed_cents), cur]]
    for g in c.goals:
        t.rows += [["goals", f"#{g.goal_id} {g.metric} {f}", v, u]
                   for f, v, u in goal_figures(g, cur)]
    return t


def goal_figures(g, cur: str) -> list[tuple[str, object, str]]:
    """A goal's target, actual, expected, pace and projection with their units."""
    is_money = g.metric in MONEY_METRICS
    unit = cur if is_money else "count"

    def amount(x: int) -> object:
        """Money for money metrics, a plain count otherwise."""
        return as_money(x) if is_money else x

    return [("target", amount(g.target), unit), ("actual", amount(g.actual), unit),
            ("expected to date", amount(g.expected), unit), ("pace", g.pace_pct, "%"),
            ("projected", amount(g.projected), unit)]


def aging_table(led: Ledger, c: Cockpit) -> Table:
    """Open balances by client and bucket."""
    t = Table(["client_id", "client", *BUCKETS, "total"])
    for r in c.aging.iter_rows(named=True):
        t.rows.append([r["client_id"], r["client"], *[as_money(r[b]) for b in BUCKETS],
                       as_money(r["total"])])
    return t


def queue_table(led: Ledger, c: Cockpit) -> Table:
    """The default collections queue (snoozed invoices left out), in queue order."""
    t = Table(["invoice_id", "number", "client", "open", "dpd", "due_on", "priority", "status",
               "last_contact", "promised_on", "promised"])
    for r in c.queue.filter(~pl.col("snoozed")).iter_rows(named=True):
        t.rows.append([r["invoice_id"], r["number"], r["client"], as_money(r["open_cents"]),
                       r["dpd"], r["due_on"], as_money(r["priority"]), r["status"],
                       r["last_contact"], r["promised_on"], as_money(r["promised_cents"])])
    return t


def pipeline_table(led: Ledger, c: Cockpit) -> Table:
    """The funnel of the last 365 days and the pipeline figures, one figure per row."""
    p, cur = c.pipeline, led.currency
    t = Table(LONG)
    t.rows += [["funnel", f"reached {s}", p.stages[s], "count"] for s in STAGES]
    t.rows.append(["funnel", "lost", p.lost, "count"])
    t.rows += [["conversion", f"to {s}", v, "%"] for s, v in p.conversion.items()]
    t.rows += [["win probability", f"from {s}", v, "%"] for s, v in p.probabilities.items()]
    t.rows += [["deals", f, v, u] for f, v, u in (
        ("win rate", p.win_rate, "%"), ("average won MRR", as_money(p.avg_won_mrr_cents), cur),
        ("average won one-time", as_money(p.avg_won_onetime_cents), cur),
        ("sales cycle", p.sales_cycle_days, "days"),
        ("upsell take rate", p.upsell_take_rate, "%"),
        ("forecast MRR", as_money(p.forecast_mrr_cents), cur))]
    return t


def partners_table(led: Ledger, c: Cockpit) -> Table:
    """One scorecard per partner (trailing 12 months)."""
    t = Table(["partner_id", "partner", "kind", "revenue", "share", "costs", "profit",
               "margin_pct", "roi_pct", "new_clients", "cac", "clv", "won_deals", "target",
               "variance_pct", "status"])
    for s in c.partners:
        t.rows.append([s.partner_id, s.partner, s.kind, as_money(s.revenue_cents),
                       as_money(s.share_cents), as_money(s.costs_cents), as_money(s.profit_cents),
                       s.margin_pct, s.roi_pct, s.new_clients, as_money(s.cac_cents),
                       as_money(s.clv_cents), s.won_deals, as_money(s.target_cents), s.variance_pct,
                       s.status])
    return t


def goals_table(led: Ledger, c: Cockpit) -> Table:
    """Each started goal and its pace (money metrics in money, counts as counts)."""
    t = Table(["goal_id", "metric", "period_start", "period_end", "target", "actual",
               "expected", "pace_pct", "projected", "elapsed_days", "total_days"])
    for g in c.goals:
        f = {name: v for name, v, _ in goal_figures(g, led.currency)}
        t.rows.append([g.goal_id, g.metric, g.period_start, g.period_end, f["target"],
                       f["actual"], f["expected to date"], g.pace_pct, f["projected"],
                       g.elapsed, g.total])
    return t


BUILDERS = {"overview": overview_table, "aging": aging_table, "queue": queue_table,
            "pipeline": pipeline_table, "partners": partners_table, "goals": goals_table}


def plain(value: object, style: str) -> object:
    """A cell as a JSON/CSV value: money as cents (int) or Decimal, dates as ISO text."""
    if isinstance(value, Money):
        return value.cents if style == "cents" else Decimal(value.cents).scaleb(-2)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return clean_text(value)
    return value


def csv_cell(value: object, style: str) -> object:
    """A CSV cell: numbers written as numbers, text neutralised, None empty."""
    v = plain(value, style)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return neutralise(v) if isinstance(v, str) else v


def to_csv(t: Table, style: str) -> str:
    """Header and rows, RFC 4180 quoting, newline-terminated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(t.columns)
    for row in t.rows:
        writer.writerow([csv_cell(v, style) for v in row])
    return out.getvalue()


def json_value(value: object, style: str) -> object:
    """A JSON value: Decimal money becomes a number with the same digits."""
    v = plain(value, style)
    return float(v) if isinstance(v, Decimal) else v


def to_json(led: Ledger, c: Cockpit, pane: str, t: Table, style: str) -> str:
    """One object: pane, as_of, currency, money style, columns and rows as objects."""
    rows = [{k: json_value(v, style) for k, v in zip(t.columns, row, strict=True)}
            for row in t.rows]
    return json.dumps({"pane": pane, "as_of": c.as_of.isoformat(), "currency": led.currency,
                       "money": style, "columns": t.columns, "rows": rows},
                      ensure_ascii=False, indent=2) + "\n"


def md_cell(value: object, style: str) -> str:
    """A Markdown table cell: money grouped by thousands, floats to 1 place, pipes escaped."""
    v = plain(value, style)
    if v is None:
        return "-"
    if isinstance(v, Decimal):
        text = f"{v:,.2f}"
    elif isinstance(v, int) and not isinstance(v, bool):
        text = f"{v:,}" if isinstance(value, Money) else str(v)
    elif isinstance(v, float):
        text = f"{v:,.1f}"
    else:
        text = neutralise(str(v))
    return text.replace("\\", "\\\\").replace("|", "\\|")


def to_md(led: Ledger, c: Cockpit, pane: str, t: Table, style: str) -> str:
    """A heading and a GitHub table (numbers right-aligned)."""
    unit = "cents" if style == "cents" else led.currency
    head = f"# {md_cell(led.company, style)}: {pane} as of {c.as_of} (money in {unit})"
    numeric = [bool(t.rows) and all(isinstance(r[i], int | float | Money) or r[i] is None
                                    for r in t.rows) for i in range(len(t.columns))]
    lines = [head, "", "| " + " | ".join(t.columns) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(md_cell(v, style) for v in row) + " |" for row in t.rows]
    return "\n".join(lines) + "\n"


def export_pane(ledger: Ledger, cockpit: Cockpit, pane: str, fmt: str,
                money: str = "decimal") -> str:
    """The pane's figures as the text of a csv, json or md file."""
    if pane not in BUILDERS:
        raise ValueError(f"no pane {pane!r} (panes: {', '.join(BUILDERS)})")
    table = BUILDERS[pane](ledger, cockpit)
    if fmt == "csv":
        return to_csv(table, money)
    if fmt == "json":
        return to_json(ledger, cockpit, pane, table, money)
    if fmt == "md":
        return to_md(ledger, cockpit, pane, table, money)
    raise ValueError(f"no export format {fmt!r} (formats: {', '.join(EXPORT_FORMATS)})")


def export_filename(pane: str, fmt: str, as_of: date) -> str:
    """A default file name for an export: kpitui-aging-2026-11-23.csv."""
    return f"kpitui-{pane}-{as_of.isoformat()}.{fmt}"


def write_export(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so no half-written export is left (OSError)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
