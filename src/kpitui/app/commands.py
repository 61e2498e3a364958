"""The app's own command palette entries (ctrl+p): panes, as-of date, reload, theme, export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial

from textual.app import SystemCommand


def cockpit_commands(app) -> Iterator[SystemCommand]:
    from .app import PANES

    for key, title, _ in PANES:
        yield SystemCommand(f"Go to {title[2:]}", f"Show pane {title}",
                            partial(app.action_pane, key))
    yield SystemCommand("Set as-of date", "Look at the figures on another date",
                        partial(ask_as_of, app))
    yield SystemCommand("Back to today", "As-of date = today", app.action_today)
    yield SystemCommand("Reload", "Read the ledger again", app.action_reload)
    for name in sorted(app.available_themes):
        yield SystemCommand(f"Theme: {name}", "Switch and remember the theme",
                            partial(setattr, app, "theme", name))
    if hasattr(app, "export_current_pane"):
        yield SystemCommand("Export this pane", "Write the pane's figures to a file",
                            app.export_current_pane)


def ask_as_of(app) -> None:
    from .widgets.forms import DateForm

    def chosen(value: date | None) -> None:
        if value is not None:
            app.set_as_of(value)

    app.push_screen(DateForm("As-of date", app.as_of or date.today()), chosen)
