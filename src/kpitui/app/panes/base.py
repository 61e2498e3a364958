"""What every pane and detail screen shares: receive fresh figures, put the focus where the
keys work."""

from __future__ import annotations

from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget

from ..state import Loaded


class Pane(Vertical):
    """A pane displays a Loaded snapshot and dispatches actions; it never runs SQL."""

    main_selector = "DataTable"

    def show(self, loaded: Loaded) -> None:  # pragma: no cover - each pane overrides
        raise NotImplementedError

    def focus_main(self) -> None:
        """Focus the main table with the cursor on its first row (if none is set yet)."""
        widgets = self.query(self.main_selector)
        if widgets:
            main: Widget = widgets.first()
            main.focus()

    @property
    def currency(self) -> str:
        loaded = self.app.loaded
        return loaded.ledger.currency if loaded else "USD"


class DetailScreen(Screen):
    """A screen over the cockpit (one client, one partner): drawn from every fresh Loaded,
    like the panes, so a reload or another as-of date never leaves it showing old figures."""

    def on_mount(self) -> None:
        self.show(self.app.loaded)

    def show(self, loaded: Loaded) -> None:  # pragma: no cover - each screen overrides
        raise NotImplementedError
