"""4 Pipeline: the funnel and the weighted MRR forecast (the full pane is issue 4)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...kpis.money import fmt_money
from ..state import Loaded
from .base import Pane


class PipelinePane(Pane):
    """The funnel of the last 12 months as text bars, with the headline pipeline figures."""

    main_selector = "VerticalScroll"
    BINDINGS = []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="funnel")

    def show(self, loaded: Loaded) -> None:
        p, cur = loaded.cockpit.pipeline, loaded.ledger.currency
        top = max(p.stages.values()) or 1
        out = Text("Funnel, opportunities created in the last 12 months\n\n", style="bold")
        for stage, count in p.stages.items():
            conv = p.conversion.get(stage)
            prob = p.probabilities.get(stage)
            out.append(f"{stage:<12}{'█' * max(1 if count else 0, round(40 * count / top)):<41}"
                       f"{count:>5}")
            out.append(f"  {'' if conv is None else f'{conv:.0f}% from previous'}")
            out.append(f"  {'' if prob is None else f'p(win) {prob:.0f}%'}\n")

        def pct(x):
            return "-" if x is None else f"{x:.1f}%"
        out.append(f"\nlost {p.lost}   win rate {pct(p.win_rate)}   sales cycle "
                   f"{'-' if p.sales_cycle_days is None else f'{p.sales_cycle_days:.0f} days'}\n")
        out.append(f"average won MRR {fmt_money(p.avg_won_mrr_cents, cur)}   one-time "
                   f"{fmt_money(p.avg_won_onetime_cents, cur)}   upsell take "
                   f"{pct(p.upsell_take_rate)}\n")
        out.append(f"forecast MRR from open deals {fmt_money(p.forecast_mrr_cents, cur)}\n",
                   style="bold")
        self.query_one("#funnel", Static).update(out)
