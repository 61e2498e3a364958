"""The bare-app baseline of issue 7: kpitui's widget tree with no data and no kpitui import.

A header Static, a TabbedContent of five TabPanes each holding an empty DataTable, and a
Footer: what Textual alone costs to show the cockpit's frame. bench/run.py times it against
kpitui (`python bench/bare_app.py` shows it in a terminal; q quits).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

PANES = (("overview", "1 Overview"), ("receivables", "2 Receivables"),
         ("collections", "3 Collections"), ("pipeline", "4 Pipeline"),
         ("partners", "5 Partners"))


class BareApp(App):
    """The cockpit's frame, empty."""

    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("kpitui", id="header")
        with TabbedContent(id="main"):
            for key, title in PANES:
                with TabPane(title, id=f"tab-{key}"):
                    yield DataTable(id=key)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
