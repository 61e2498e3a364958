"""The help screen: every key of the app and of each pane, from their bindings (scrollable)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
             "dollar_sign": "$", "slash": "/", "escape": "Esc", "enter": "Enter"}


def key_label(key: str) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in key.split(","))


def describe(title: str, bindings: list) -> Text:
    """A titled block of 'key  description' lines."""
    out = Text(f"{title}\n", style="bold")
    for b in bindings:
        b = b if isinstance(b, Binding) else Binding(*b)
        out.append(f"  {key_label(b.key):<10} {b.description}\n")
    return out


class HelpScreen(ModalScreen[None]):
    """All keys; Esc, q or ? closes."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        from .app import PANES, KpiApp

        blocks = [describe("Everywhere", KpiApp.BINDINGS + [Binding("ctrl+p", "", "Commands"),
                                                           Binding("1-5", "", "Go to pane")])]
        for _, title, pane in PANES:
            blocks.append(describe(title, getattr(pane, "BINDINGS", [])))
        with VerticalScroll():
            yield Static(Text("\n").join(blocks))
            yield Static("Esc closes. Every status is also written as a word.", classes="muted")
