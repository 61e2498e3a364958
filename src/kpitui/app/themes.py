"""Themes are files in themes/ (TOML with a [theme] table) turned into textual.theme.Theme."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

from ..config import themes_dir

DEFAULT_THEME = "kpitui-dark"
# Fallbacks for the app's own variables, so any theme (built-in ones too) has them.
STATUS_DEFAULTS = {"overdue": "#E06C75", "at-risk": "#E5B567", "on-track": "#6FBF73"}
STATUS_VARIABLE = {
    "broken": "overdue", "disputed": "overdue", "off track": "overdue", "90+": "overdue",
    "promised": "at-risk", "escalated": "at-risk", "at risk": "at-risk", "61-90": "at-risk",
    "on track": "on-track", "ahead": "on-track", "behind": "overdue", "stalled": "overdue",
}


def load_themes(folder: Path | None = None) -> list[Theme]:
    """Every readable theme file; a broken one is skipped rather than stopping the app."""
    themes = []
    for path in sorted((folder or themes_dir()).glob("*.toml")):
        try:
            themes.append(Theme(**tomllib.loads(path.read_text(encoding="utf-8"))["theme"]))
        except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError):
            continue
    return themes


def rich_colour(value: str | None) -> str:
    """A theme variable value as a Rich colour (ansi_red -> red)."""
    if not value or value == "ansi_default":
        return ""
    return value.removeprefix("ansi_")
