"""The cockpit's header line: company, ledger file, badges, and the as-of date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual.widgets import Static


class CockpitHeader(Static):
    """One line; every ledger string in it is plain text (rich Text, never markup)."""

    def show(self, company: str, path: Path, as_of: date | None, today: date | None, *,
             sample: bool = False, readonly: str = "", warnings: int = 0) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" kpitui ", style="bold reverse")
        line.append(f" {company} ", style="bold")
        line.append(f"· {path.name} ")
        if sample:
            line.append(" SAMPLE DATA ", style="bold reverse")
            line.append(" ")
        if readonly:
            line.append(" READ-ONLY ", style="bold reverse")
            line.append(" ")
        if warnings:
            line.append(f" {warnings} BAD ROWS ", style="bold reverse")
            line.append(" ")
        if as_of is not None:
            line.append(f"as of {as_of.isoformat()}", style="bold")
            if today is not None and as_of != today:
                line.append("  (past view: t returns to today)", style="italic")
        self.update(line)
