"""4 Pipeline: the funnel, the win figures, the weighted MRR forecast and its split by month,
lead and won-MRR sparklines, and the open deals (stalled ones flagged); `o` / `r` filter the
whole pane by owner / source, Enter shows a deal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Sparkline, Static

from ...kpis.money import fmt_money, fmt_short
from ..state import Loaded
from ..themes import rich_colour
from ..widgets import cells
from ..widgets.frame_table import Column, FrameTable
from .base import Pane

if TYPE_CHECKING:
    from ...kpis.deals import Norms, PipelineView

STAGE_LABELS = ("lead", "qualified", "appointment", "proposal", "won")
FIGURES_WIDTH = 27   # #figures width in pipeline.tcss: keep the two equal
FUNNEL_TIP = ("Count: deals created in the last 12 months that reached the stage. "
              "Conv: % of the stage above that got this far. p(win): of the deals closed in "
              "the last 12 months that reached the stage, the share won; an open deal at that "
              "stage adds p(win) x its MRR to the forecast.")


def pct_text(value: float | None, digits: int = 0) -> str:
    """A percentage for display ('-' when undefined)."""
    return "-" if value is None else f"{value:.{digits}f}%"


def month_label(month: date | None, *, year: bool = True) -> str:
    """'Nov 2026' (or 'Nov') for a month start."""
    if month is None:
        return "-"
    return month.strftime("%b %Y" if year else "%b")


def bar(count: int, top: int, width: int) -> str:
    """A horizontal bar of `count` scaled to `top` over `width` cells (at least one if > 0)."""
    if top <= 0 or count <= 0:
        return ""
    return "█" * max(1, round(width * count / top))


class PipelinePane(Pane):
    """The sales pipeline at the as-of date, for everyone or one owner / source."""

    main_selector = "FrameTable"

    BINDINGS = [
        Binding("o", "cycle('owner')", "Owner filter"),
        Binding("r", "cycle('source')", "Source filter"),
        Binding("enter", "open_deal", "Deal details"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.owner: str | None = None
        self.source: str | None = None
        self.view: PipelineView | None = None

    def compose(self) -> ComposeResult:
        """Filter line, funnel beside the figures, forecast, sparklines, the deals table."""
        yield Static("", id="pipe-status")
        with Horizontal(id="pipe-top"):
            yield Static("", id="funnel")
            yield Static("", id="figures")
        yield Static("", id="forecast")
        with Horizontal(id="sparks"):
            yield Static("New leads/mo", classes="muted")
            yield Sparkline([], id="leads-spark", summary_function=max)
            yield Static("", id="leads-total")
            yield Static("   Won MRR/mo", classes="muted")
            yield Sparkline([], id="won-spark", summary_function=max)
            yield Static("", id="won-total")
        yield FrameTable(id="deals")

    def on_mount(self) -> None:
        """Explain the funnel's columns on hover."""
        self.query_one("#funnel").tooltip = FUNNEL_TIP

    # -- display -------------------------------------------------------------------------
    def show(self, loaded: Loaded) -> None:
        """Compute the view for the current filter (a vanished owner or source resets it)."""
        from ...kpis.deals import choices, view

        led = loaded.ledger
        if self.owner not in choices(led, "owner"):
            self.owner = None
        if self.source not in choices(led, "source"):
            self.source = None
        self.view = view(led, loaded.cockpit.as_of, self.owner, self.source, loaded.cockpit)
        self.render_view()

    def render_view(self) -> None:
        """Draw every part from the view on screen (also on resize)."""
        v = self.view
        if v is None:
            return
        self.query_one("#pipe-status", Static).update(self.status_text(v))
        self.query_one("#funnel", Static).update(self.funnel_text(v))
        self.query_one("#figures", Static).update(self.figures_text(v))
        self.query_one("#forecast", Static).update(self.forecast_text(v))
        self.show_sparks(v)
        self.fill(v)

    def status_text(self, v: PipelineView) -> Text:
        """Which filter applies (the keys that change it), and what the funnel counts."""
        out = Text(" ")
        for label, value, key in (("Owner", v.owner, "o"), ("Source", v.source, "r")):
            out.append(f"{label}: ")
            out.append(value if value is not None else "all",
                       style="bold reverse" if value is not None else "bold")
            out.append(f" ({key})  ")
        out.append("· Enter: deal details", style="dim")
        out.no_wrap, out.overflow = True, "ellipsis"
        return out

    def funnel_text(self, v: PipelineView) -> Text:
        """Stage, bar, count, conversion from the stage above, p(win) used by the forecast."""
        p = v.pipeline
        width = (self.size.width or 80) - FIGURES_WIDTH - 4
        bar_w = min(40, max(4, width - 12 - 6 - 5 - 7))
        top = max(p.stages.values(), default=0)
        colour = rich_colour(self.app.theme_variables.get("primary"))
        cohort = "created, 12 mo"[:bar_w]
        out = Text(no_wrap=True)
        out.append(f"{'Stage':<12}", style="bold")
        out.append(f"{cohort:<{bar_w}}", style="dim")
        out.append(f"{'Count':>6}{'Conv':>5}{'p(win)':>7}\n", style="bold")
        for stage in STAGE_LABELS:
            count = p.stages.get(stage, 0)
            prob = "" if stage == "won" else pct_text(p.probabilities.get(stage))
            conv = pct_text(p.conversion.get(stage)) if stage != "lead" else ""
            out.append(f"{stage:<12}")
            out.append(f"{bar(count, top, bar_w):<{bar_w}}", style=colour)
            out.append(f"{count:>6}{conv:>5}{prob:>7}\n")
        out.rstrip()
        return out

    def figures_text(self, v: PipelineView) -> Text:
        """Win rate, lost, sales cycle, average won MRR / one-time, upsell take rate."""
        p, cur = v.pipeline, self.currency
        cycle = "-" if p.sales_cycle_days is None else f"{p.sales_cycle_days:.0f} days"
        rows = (("Win rate", pct_text(p.win_rate, 1)), ("Won / lost", f"{p.stages['won']} / "
                                                                      f"{p.lost}"),
                ("Sales cycle", cycle), ("Avg won MRR", fmt_money(p.avg_won_mrr_cents, cur)),
                ("Avg one-time", fmt_money(p.avg_won_onetime_cents, cur)),
                ("Upsell take", pct_text(p.upsell_take_rate, 1)))
        out = Text(no_wrap=True)
        for i, (label, value) in enumerate(rows):
            out.append(f"{label:<13}", style="dim")
            out.append(f"{value:>{FIGURES_WIDTH - 13}}" + ("\n" if i < len(rows) - 1 else ""))
        return out

    def forecast_text(self, v: PipelineView) -> Text:
        """The forecast MRR, the open and stalled deal counts, and the split by close month."""
        cur, s = self.currency, v.split
        whole = (self.size.width or 80) < 100
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append("Forecast MRR ", style="bold")
        out.append(fmt_money(v.pipeline.forecast_mrr_cents, cur), style="bold")
        out.append(f"  from {v.deals.height} open deals, ")
        if v.stalled:
            out.append(f"{v.stalled} ")
            out.append_text(cells.status(self.app, "stalled"))
        else:
            out.append("none stalled")
        out.append("\n")
        out.append("By close month ", style="dim")
        for month, cents in zip(s.months, s.cents, strict=True):
            out.append(f"{month_label(month, year=not whole)} ")
            out.append(f"{fmt_money(cents, cur, decimals=not whole)}  ")
        out.append("later ", style="dim")
        out.append(fmt_money(s.later_cents, cur, decimals=not whole))
        return out

    def show_sparks(self, v: PipelineView) -> None:
        """New leads and won MRR per month, 12 months, with their 12-month totals."""
        cur = self.currency
        self.query_one("#leads-spark", Sparkline).data = [float(x) for x in v.new_leads]
        self.query_one("#won-spark", Sparkline).data = [float(x) for x in v.won_mrr_cents]
        first = month_label(v.months[0]) if v.months else "-"
        self.query_one("#leads-total", Static).update(Text(f"{v.leads_12m} in 12 mo"))
        self.query_one("#won-total", Static).update(
            Text(f"{fmt_short(v.won_mrr_12m_cents, cur)} in 12 mo"))
        self.query_one("#sparks").tooltip = f"12 months from {first}, one cell per month"

    def fill(self, v: PipelineView) -> None:
        """The open deals, oldest in their current stage first; the cursor stays on its deal."""
        table = self.query_one("#deals", FrameTable)
        keep = self.selected_id()
        self.deals = v.deals
        width = self.size.width or 80
        biggest = int(v.deals["mrr_cents"].max() or 0) if v.deals.height else 0
        money_w = max(8, len(fmt_money(biggest, self.currency)))
        cols = [Column("stage", "Stage", 11), Column("days", "Days", 5, "right"),
                Column("flag", "Status", 7), Column("close", "Close", 8),
                Column("mrr", "MRR", money_w, "right")]
        if width >= 100:
            cols.insert(0, Column("owner", "Owner", 16))
        if width >= 120:
            cols.append(Column("weighted", "Weighted", money_w, "right"))
        name_w = max(12, width - 2 - sum(c.width + 2 for c in cols) - 2)
        ids = v.deals["id"] if v.deals.height else None
        index = int((ids == keep).arg_max()) if keep is not None and keep in ids else 0
        deals = v.deals
        table.set_rows([Column("deal", "Open deal", name_w), *cols], deals.height,
                       lambda i: self.deal_cells(deals.row(i, named=True), width), cursor=index)

    def deal_cells(self, r: dict, width: int) -> list[Text]:
        """One open deal as table cells (owner from 100 columns, weighted MRR from 120)."""
        cur = self.currency
        row = [cells.plain(r["name"] or f"deal #{r['id']}"), cells.plain(r["stage"]),
               cells.number(r["days_in_stage"]),
               cells.status(self.app, "stalled") if r["stalled"] else Text(""),
               cells.plain(month_label(r["close_month"])), cells.money(r["mrr_cents"], cur)]
        if width >= 100:
            row.insert(1, cells.plain(r["owner"]))
        if width >= 120:
            row.append(cells.money(r["weighted_cents"], cur))
        return row

    def on_resize(self) -> None:
        """Bars and column widths follow the width."""
        self.render_view()

    def selected_id(self) -> int | None:
        """The id of the highlighted deal."""
        table = self.query_one("#deals", FrameTable)
        deals = getattr(self, "deals", None)
        if deals is None or not table.row_count or table.cursor_row >= deals.height:
            return None
        return int(deals["id"][table.cursor_row])

    # -- actions -------------------------------------------------------------------------
    def action_cycle(self, what: str) -> None:
        """o / r: all -> each owner (source) -> all."""
        from ...kpis.deals import choices, next_choice

        loaded = self.app.loaded
        if loaded is None:
            return
        current = getattr(self, what)
        setattr(self, what, next_choice(choices(loaded.ledger, what), current))
        self.show(loaded)

    def on_frame_table_selected(self, event: FrameTable.Selected) -> None:
        """Enter on the table opens the deal."""
        event.stop()
        self.action_open_deal()

    def action_open_deal(self) -> None:
        """Show the highlighted deal's dates and values."""
        from ...kpis.deals import deal_row

        deal_id = self.selected_id()
        if deal_id is None or self.view is None:
            return
        row = deal_row(self.view.deals, deal_id)
        if row is not None:
            self.app.push_screen(DealScreen(row, self.view.norms, self.currency))


class DealScreen(ModalScreen[None]):
    """One open deal: its dates and values, why it is (not) stalled, when it should close."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, row: dict, norms: Norms, currency: str) -> None:
        super().__init__()
        self.row, self.norms, self.cur = row, norms, currency

    def compose(self) -> ComposeResult:
        """Name, the lines of the deal, how to close."""
        with Vertical():
            yield Static(Text(self.row["name"] or f"deal #{self.row['id']}"), id="deal-title")
            yield Static(self.body(), id="deal-body")
            yield Static("Esc closes", classes="muted")

    def body(self) -> Text:
        """Who, the stage dates, the time in stage, the expected close and the values."""
        r = self.row
        out = Text()

        def line(label: str, value: object) -> None:
            out.append(f"{label:<15}", style="dim")
            out.append("-" if value is None or value == "" else str(value))
            out.append("\n")
        line("Owner", r["owner"])
        line("Source", r["source"])
        line("Partner", r.get("partner"))
        line("Client", r.get("client"))
        for label, col in (("Created", "created_on"), ("Qualified", "qualified_on"),
                           ("Appointment", "appointment_on"), ("Proposal", "proposal_on")):
            line(label, r[col])
        line("Stage", f"{r['stage']} since {r['stage_on']}")
        out.append(f"{'Days in stage':<15}", style="dim")
        out.append(str(r["days_in_stage"]))
        out.append_text(self.stall_text())
        out.append("\n")
        self.values(line)
        out.rstrip()
        return out

    def values(self, line: Callable[[str, object], None]) -> None:
        """The expected close and the money lines."""
        r, cur = self.row, self.cur
        expected = r["expected_on"]
        note = f" (passed: counted in {month_label(r['close_month'])})" if r["late"] else ""
        line("Expected close", f"{expected or 'unknown (no won deals to learn from)'}{note}")
        line("MRR", fmt_money(r["mrr_cents"], cur))
        line("One-time", fmt_money(r["onetime_cents"], cur))
        line("p(win)", f"{pct_text(r['p_pct'], 1)} of MRR: weighted "
                       f"{fmt_money(r['weighted_cents'], cur)}")
        line("Upsell", f"offered {r['upsell_offered']}, taken {r['upsell_taken']}")

    def stall_text(self) -> Text:
        """'stalled' or 'moving', with the limit it is measured against."""
        r = self.row
        median = self.norms.in_stage.get(r["stage"])
        if r["stall_after"] is None or median is None:
            return Text(" (no won deal with this stage to compare with)", style="dim")
        out = Text(" · ")
        out.append_text(cells.status(self.app, "stalled") if r["stalled"] else Text("moving"))
        out.append(f" (limit {r['stall_after']} days = 2 x median {median:g})", style="dim")
        return out
