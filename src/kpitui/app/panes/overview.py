"""1 Overview: headline tiles, the 13-week cash-in forecast, payment mix, goals on pace."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from ...kpis.money import fmt_money, fmt_short
from ..state import Loaded
from ..widgets.chart import BarChart
from ..widgets.tile import Tile
from .base import Pane

# field -> (label, how to show it, is it money)
TILES = {
    "total_cents": ("AR total", "money"), "dso": ("DSO (best)", "days"),
    "add": ("ADD", "days"), "cei": ("CEI", "pct"), "pct_current": ("% current", "pct"),
    "pct_over_90": ("% over 90", "pct"), "collected_30d_cents": ("Collected 30d", "money"),
    "months_behind": ("Mos behind", "ratio"), "autopay_pct": ("Autopay", "pct"),
    "best_possible_dso": ("Best DSO", "days"),
}
SHOWN = ("total_cents", "dso", "add", "cei", "pct_current", "pct_over_90",
         "collected_30d_cents", "months_behind", "autopay_pct")


def show_value(kind: str, value: float | None, currency: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return fmt_short(int(value), currency)
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:.1f} d"
    return f"{value:.2f}"


def show_change(kind: str, now: float | None, before: float | None, currency: str) -> str:
    """Change since the last month-end, with an arrow word-free readers can follow."""
    if now is None or before is None:
        return "-"
    delta = now - before
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
    if kind == "money":
        return f"{arrow} {fmt_short(int(delta), currency)}"
    unit = {"pct": " pt", "days": " d"}.get(kind, "")
    return f"{arrow} {delta:+.1f}{unit}"


def text_bar(fraction: float, width: int, marker: float | None = None) -> str:
    """A progress bar of block characters; `marker` (0-1) shows the expected-to-date point."""
    width = max(width, 4)
    filled = max(0, min(width, round(fraction * width)))
    cells = ["█"] * filled + ["░"] * (width - filled)
    if marker is not None:
        cells[max(0, min(width - 1, round(marker * width) - 1))] = "│"
    return "".join(cells)


class OverviewPane(Pane):
    """The ten-second look."""

    main_selector = "VerticalScroll"
    BINDINGS = []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            with Grid(id="tiles"):
                for field in SHOWN:
                    yield Tile(TILES[field][0], id=f"tile-{field}")
            yield Static("Cash-in forecast, next 13 weeks (thousands)", classes="section",
                         id="cash-title")
            yield BarChart(id="cash-chart")
            yield Static("", id="cash-totals")
            yield Static("", id="mix")
            yield Static("Goals", classes="section")
            yield Static("", id="goals")

    def show(self, loaded: Loaded) -> None:
        c, cur = loaded.cockpit, loaded.ledger.currency
        h, prev = c.headline, c.previous
        series = c.series.headline if c.series else {}
        for field in SHOWN:
            kind = TILES[field][1]
            now = getattr(h, field)
            value = show_value(kind, now, cur)
            if field == "dso":
                value += f" ({show_value('days', h.best_possible_dso, cur).removesuffix(' d')})"
            before = getattr(prev, field) if prev else None
            self.query_one(f"#tile-{field}", Tile).set(value, series.get(field, []),
                                                       show_change(kind, now, before, cur))
        self.show_cash(loaded)
        self.show_goals(loaded)

    def show_cash(self, loaded: Loaded) -> None:
        c, cur = loaded.cockpit, loaded.ledger.currency
        weeks = c.cash.weeks
        self.query_one("#cash-chart", BarChart).plot(
            [f"w{k}" for k in range(1, len(weeks) + 1)], [w / 100_000 for w in weeks])
        self.query_one("#cash-title", Static).update(
            f"Cash-in forecast, next 13 weeks (thousands of {cur})")
        line = Text()
        line.append("next 30 days ", style="bold")
        line.append(fmt_money(c.cash.within(30), cur))
        line.append("   60 days ", style="bold")
        line.append(fmt_money(c.cash.within(60), cur))
        line.append("   90 days ", style="bold")
        line.append(fmt_money(c.cash.within(90), cur))
        line.append("\nat risk (over 90 days, left out) ", style="bold")
        line.append(fmt_money(c.cash.at_risk_cents, cur),
                    style=self.app.status_colour("overdue"))
        line.append("   in dispute (inside) ", style="bold")
        line.append(fmt_money(c.cash.disputed_cents, cur))
        self.query_one("#cash-totals", Static).update(line)
        mix = "  ".join(f"{m} {v:.0f}%" for m, v in c.payment_mix.items()) or "no receipts"
        self.query_one("#mix", Static).update(Text(f"Payment mix, last 90 days: {mix}"))

    def show_goals(self, loaded: Loaded) -> None:
        c, cur = loaded.cockpit, loaded.ledger.currency
        if not c.goals:
            self.query_one("#goals", Static).update("no goals have started")
            return
        out = Text()
        width = max(10, self.size.width - 58) if self.size.width else 20
        for g in c.goals:
            money = g.metric in ("revenue", "collections", "new_mrr")

            def fmt(x: int, money: bool = money) -> str:
                return fmt_short(x, cur) if money else str(x)
            frac = g.actual / g.target if g.target else 0.0
            mark = g.elapsed / g.total
            word = "ahead" if g.ahead else "behind"
            colour = self.app.status_colour("on-track" if g.ahead else "overdue")
            out.append(f"{g.metric:<12}")
            out.append(text_bar(frac, width, mark))
            out.append(f" {fmt(g.actual):>7} of {fmt(g.target):<7} ")
            pace = "-" if g.pace_pct is None else f"{g.pace_pct:.0f}%"
            out.append(f"pace {pace:>5} ")
            out.append(f"{word:<6}", style=f"bold {colour}")
            out.append(f" → {fmt(g.projected)}\n")
        out.append("│ marks where the goal should be by now; → the projected end value",
                   style="dim")
        self.query_one("#goals", Static).update(out)
