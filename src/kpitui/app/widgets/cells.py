"""Table cells as rich Text: ledger strings stay plain text; statuses get a word and a colour."""

from __future__ import annotations

from rich.text import Text

from ...kpis.money import fmt_money
from ..themes import STATUS_VARIABLE


def plain(value: object) -> Text:
    """Any value as inert text (markup like [b] or [@click] is shown as typed)."""
    return Text("" if value is None else str(value), no_wrap=True, overflow="ellipsis")


def money(cents: int | None, currency: str, style: str = "") -> Text:
    """Right-aligned money."""
    return Text(fmt_money(cents, currency), style=style, justify="right", no_wrap=True)


def number(value: object, style: str = "") -> Text:
    return Text("-" if value is None else str(value), style=style, justify="right")


def status(app, word: str | None) -> Text:
    """A status word coloured by the theme's status variable (readable without colour too)."""
    word = word or ""
    variable = STATUS_VARIABLE.get(word)
    colour = app.status_colour(variable) if variable else ""
    return Text(word, style=f"bold {colour}" if colour else "", no_wrap=True)
