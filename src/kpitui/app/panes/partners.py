"""5 Partners: one scorecard row per partner (drill-down and charts are issue 4)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from ..state import Loaded
from ..widgets import cells
from .base import Pane


class PartnersPane(Pane):
    """Trailing-12-month scorecards, status as a word and a colour."""

    BINDINGS = []

    def compose(self) -> ComposeResult:
        table = DataTable(id="scorecards", cursor_type="row", zebra_stripes=True)
        for label in ("Partner", "Revenue", "Costs", "Profit", "ROI %", "Target", "Var %",
                      "Status"):
            table.add_column(label, key=label.lower())
        yield table

    def show(self, loaded: Loaded) -> None:
        table = self.query_one(DataTable)
        cur = loaded.ledger.currency
        table.clear()
        for s in loaded.cockpit.partners:
            table.add_row(cells.plain(s.partner), cells.money(s.revenue_cents, cur),
                          cells.money(s.costs_cents, cur), cells.money(s.profit_cents, cur),
                          cells.number(None if s.roi_pct is None else f"{s.roi_pct:.0f}"),
                          cells.money(s.target_cents, cur),
                          cells.number(None if s.variance_pct is None
                                       else f"{s.variance_pct:.1f}"),
                          cells.status(self.app, s.status), key=str(s.partner_id))
