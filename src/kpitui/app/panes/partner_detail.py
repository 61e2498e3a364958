"""One partner: every scorecard figure, 24 months of sourced revenue against its monthly
target, costs by category, its sourced clients with their open AR, and its deals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from ...kpis.money import fmt_money, fmt_short
from ..state import Loaded
from ..widgets import cells
from ..widgets.chart import BarChart
from ..widgets.footer import KeyFooter
from .base import DetailScreen

if TYPE_CHECKING:
    from ...kpis.partner_detail import PartnerView
    from ...kpis.partners import Scorecard

COSTS_WIDTH = 32   # #partner-costs width in partner_detail.tcss: keep the two equal


def month_labels(months: list) -> list[str]:
    """'Jan 25' for every month (plotext shows the ones that fit)."""
    return [m.strftime("%b %y") for m in months]


def pct_text(value: float | None, fmt: str = ".1f") -> str:
    """A percentage for display ('-' when undefined)."""
    return "-" if value is None else f"{value:{fmt}}%"


class PartnerScreen(DetailScreen):
    """Esc goes back to the scorecards."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall"), (34, "-roomy")]

    def __init__(self, partner_id: int) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.view: PartnerView | None = None

    def compose(self) -> ComposeResult:
        """Title, figures, chart beside costs, clients, deals, footer."""
        yield Static("", id="partner-title")
        yield Static("", id="partner-figures")
        with Horizontal(id="partner-top"):
            yield BarChart(id="revenue-chart")
            yield Static("", id="partner-costs")
        yield DataTable(id="partner-clients", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="partner-deals", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#partner-deals").border_title = "Its deals, newest first"
        self.query_one("#partner-costs").border_title = "Costs, last 12 months"
        super().on_mount()
        self.query_one("#partner-clients", DataTable).focus()

    def show(self, loaded: Loaded) -> None:
        """Compute the partner's detail from the figures on screen and draw it; back to the
        scorecards when the partner has no scorecard at this date."""
        from ...kpis.partner_detail import detail

        c = loaded.cockpit
        card = next((s for s in c.partners if s.partner_id == self.partner_id), None)
        if card is None:
            if self.is_current:
                self.app.pop_screen()
            return
        self.view = detail(loaded.ledger, c.as_of, card, c.opens, c.series)
        self.query_one("#partner-clients").border_title = \
            f"Sourced clients, open AR at {c.as_of}"
        self.render_view()

    @property
    def cur(self) -> str:
        """The ledger's currency."""
        return self.app.loaded.ledger.currency

    def on_resize(self) -> None:
        """Column widths follow the width."""
        self.render_view()

    def render_view(self) -> None:
        """Draw every part (also on resize: the tables' widths follow the screen)."""
        v = self.view
        if v is None:
            return
        self.query_one("#partner-title", Static).update(self.title_text(v.card))
        self.query_one("#partner-figures", Static).update(self.figures_text(v.card))
        self.query_one("#revenue-chart").border_title = self.chart_title(v)
        self.query_one("#revenue-chart", BarChart).plot(
            month_labels(v.months), [x / 100_000 for x in v.revenue_cents],
            line=None if v.monthly_target_cents is None else v.monthly_target_cents / 100_000)
        self.query_one("#partner-costs", Static).update(self.costs_text(v))
        self.fill_clients(v)
        self.fill_deals(v)

    def title_text(self, card: Scorecard) -> Text:
        """Name, kind, status word and as-of date."""
        out = Text(" ", no_wrap=True, overflow="ellipsis")
        out.append(card.partner)
        if card.kind:
            out.append(" · ")
            out.append(card.kind)
        out.append(" · ")
        out.append_text(cells.status(self.app, card.status))
        out.append(f" · 12 months to {self.app.loaded.cockpit.as_of}", style="dim")
        return out

    def figures_text(self, card: Scorecard) -> Text:
        """Every scorecard figure, labelled."""
        cur = self.cur
        whole = (self.size.width or 80) < 120

        def money(cents: int | None) -> str:
            return fmt_money(cents, cur, decimals=not whole)
        lines = ([("Revenue", money(card.revenue_cents)), ("Costs", money(card.costs_cents)),
                  ("Profit", money(card.profit_cents)), ("Margin", pct_text(card.margin_pct)),
                  ("ROI", pct_text(card.roi_pct, ".0f"))],
                 [("New clients", str(card.new_clients)), ("CAC", money(card.cac_cents)),
                  ("CLV", money(card.clv_cents)), ("Won", str(card.won_deals)),
                  ("Target", money(card.target_cents)),
                  ("Var", pct_text(card.variance_pct, "+.1f"))])
        out = Text(no_wrap=True, overflow="ellipsis")
        for n, parts in enumerate(lines):
            for label, value in parts:
                out.append(f" {label} ", style="dim")
                out.append(f"{value} ")
            out.append("\n" if n == 0 else "")
        return out

    def chart_title(self, v: PartnerView) -> str:
        """What the bars and the line are."""
        target = "no target" if v.monthly_target_cents is None else \
            f"line: target {fmt_short(v.monthly_target_cents, self.cur)}/mo"
        return f"Revenue/mo (k) · {target}"

    def costs_text(self, v: PartnerView) -> Text:
        """Costs by category over the trailing 12 months, the revenue share, the total."""
        cur = self.cur
        out = Text(no_wrap=True)
        value_w = COSTS_WIDTH - 15
        for label, cents in v.costs:
            out.append(Text(f"{label[:14]:<15}", no_wrap=True))
            out.append(f"{fmt_money(cents, cur):>{value_w}}\n")
        out.append(f"{'total':<15}", style="bold")
        out.append(f"{fmt_money(v.card.costs_cents, cur):>{value_w}}", style="bold")
        return out

    def fill_clients(self, v: PartnerView) -> None:
        """Sourced clients: since, active or churned, revenue over 12 months, open AR at D."""
        table = self.query_one("#partner-clients", DataTable)
        width, cur = self.size.width or 80, self.cur
        cols = [("since", "Since", 10), ("state", "State", 7), ("revenue", "Revenue 12 mo", 14),
                ("open", "Open AR", 13)]
        name_w = max(12, width - 2 - sum(w + 2 for _, _, w in cols) - 2)
        cells.set_columns(table, [("client", "Client", name_w), *cols])
        d = self.app.loaded.cockpit.as_of
        for r in v.clients.iter_rows(named=True):
            churned = r["churned_on"] is not None and r["churned_on"] <= d
            table.add_row(cells.plain(r["client"] or f"client #{r['client_id']}"),
                          cells.plain(r["since"]), cells.plain("churned" if churned else "active"),
                          cells.money(r["revenue_cents"], cur), cells.money(r["open_cents"], cur),
                          key=str(r["client_id"]))

    def fill_deals(self, v: PartnerView) -> None:
        """The partner's deals: state at D, created, closed, MRR (and one-time when wide)."""
        table = self.query_one("#partner-deals", DataTable)
        width, cur = self.size.width or 80, self.cur
        cols = [("state", "State", 11), ("created", "Created", 10), ("closed", "Closed", 10),
                ("mrr", "MRR", 11)]
        if width >= 110:
            cols += [("onetime", "One-time", 12), ("owner", "Owner", 16)]
        name_w = max(12, width - 2 - sum(w + 2 for _, _, w in cols) - 2)
        cells.set_columns(table, [("deal", "Deal", name_w), *cols])
        for r in v.deals.iter_rows(named=True):
            row = [cells.plain(r["name"] or f"deal #{r['id']}"), cells.plain(r["state"]),
                   cells.plain(r["created_on"]), cells.plain(r["closed"]),
                   cells.money(r["mrr_cents"], cur)]
            if width >= 110:
                row += [cells.money(r["onetime_cents"], cur), cells.plain(r["owner"])]
            table.add_row(*row, key=str(r["id"]))
