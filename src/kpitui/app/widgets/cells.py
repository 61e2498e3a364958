"""Table cells as rich Text: ledger strings stay plain text; statuses get a word and a colour."""

from __future__ import annotations

from rich.text import Text

from ...kpis.money import fmt_money
from ..themes import STATUS_VARIABLE


def plain(value: object) -> Text:
    """Any value as inert text (markup like [b] or [@click] is shown as typed)."""
    return Text("" if value is None else str(value), no_wrap=True, overflow="ellipsis")


def money(cents: int | None, currency: str, style: str = "", *, whole: bool = False) -> Text:
    """Right-aligned money; `whole` rounds to units for summary tables on narrow screens."""
    return Text(fmt_money(cents, currency, decimals=not whole), style=style, justify="right",
                no_wrap=True)


def short_date(value: object) -> Text:
    """A date as 'Nov 16' (for columns where the year is plain from context)."""
    from datetime import date

    if value is None or value == "":
        return Text("")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return plain(value)
    return Text(value.strftime("%b %d"), no_wrap=True)


def set_columns(table, columns: list[tuple[str, str, int | None]]) -> None:
    """(Re)define a table's columns with fixed widths (None: fit the content)."""
    table.clear(columns=True)
    for key, label, width in columns:
        table.add_column(label, key=key, width=width)


def number(value: object, style: str = "") -> Text:
    return Text("-" if value is None else str(value), style=style, justify="right")


def status(app, word: str | None) -> Text:
    """A status word coloured by the theme's status variable (readable without colour too)."""
    word = word or ""
    variable = STATUS_VARIABLE.get(word)
    colour = app.status_colour(variable) if variable else ""
    return Text(word, style=f"bold {colour}" if colour else "", no_wrap=True)
