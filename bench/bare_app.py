"""The bare-app baseline of issue 7: kpitui's widget tree, with stock widgets, no data, no CSS
file and no kpitui import.

Node for node what KpiApp composes (header, banner, five tab panes with their tiles,
sparklines, tables and charts, the too-small notice, the footer): a DataTable stands in for
kpitui's FrameTable, a Static for its header and bar charts. What it costs Textual alone to
show the cockpit's frame; bench/run.py prints both apps' node counts beside the times, so a
drift between the two trees shows. (`python bench/bare_app.py` shows it; q quits.)
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Sparkline, Static, TabbedContent, TabPane

TILES = 9   # kpitui's Overview tiles


def tile() -> ComposeResult:
    with Vertical():
        yield Static("label")
        yield Static("…")
        yield Sparkline([])
        yield Static("")


def overview() -> ComposeResult:
    with VerticalScroll():
        with Grid():
            for _ in range(TILES):
                yield from tile()
        for _ in range(6):   # cash title, cash chart, cash totals, mix, goals title, goals
            yield Static("")


def receivables() -> ComposeResult:
    yield DataTable()
    for _ in range(3):       # totals, credits, bucket chart
        yield Static("")


def collections() -> ComposeResult:
    yield Input(placeholder="filter")
    yield Static("")
    yield DataTable()
    yield Static("")


def pipeline() -> ComposeResult:
    yield Static("")
    with Horizontal():
        yield Static("")
        yield Static("")
    yield Static("")
    with Horizontal():
        for _ in range(2):
            yield Static("")
            yield Sparkline([])
            yield Static("")
    yield DataTable()


def partners() -> ComposeResult:
    yield Static("")
    yield DataTable()


PANES = (("overview", "1 Overview", overview), ("receivables", "2 Receivables", receivables),
         ("collections", "3 Collections", collections), ("pipeline", "4 Pipeline", pipeline),
         ("partners", "5 Partners", partners))


class BareApp(App):
    """The cockpit's frame, empty."""

    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("kpitui", id="header")
        yield Static("", id="banner")
        with TabbedContent(id="main"):
            for key, title, content in PANES:
                with TabPane(title, id=f"tab-{key}"), Vertical(id=key):
                    yield from content()
        yield Static("Terminal too small", id="too-small")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
