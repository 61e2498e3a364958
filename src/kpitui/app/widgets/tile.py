"""A headline tile: label, value, a 12-month sparkline and the change since last month-end."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static


class Tile(Vertical):
    """One figure of the Overview."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label, no_wrap=True), classes="tile-label")
        yield Static("…", classes="tile-value")
        yield Sparkline([], summary_function=max)
        yield Static("", classes="tile-change")

    def set(self, value: str, series: list[float | None], change: str) -> None:
        self.query_one(".tile-value", Static).update(Text(value, no_wrap=True))
        self.query_one(Sparkline).data = [0.0 if v is None else float(v) for v in series]
        self.query_one(".tile-change", Static).update(Text(change, no_wrap=True))
