"""Textual's Footer, recomposed only when the keys it would show have changed."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What the footer's keys are made of: every active binding, its state and tooltip."""
    return tuple((b.key, b.action, b.description, b.show, b.group, enabled, tooltip)
                 for _, b, enabled, tooltip in screen.active_bindings.values())


class KeyFooter(Footer):
    """The stock Footer rebuilds its ~20 keys whenever bindings may have changed: on closing
    every form, although the keys are then the same as before it opened. Skipping that
    rebuild takes about 0.05 s off each recorded payment or follow-up."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = shown_keys(screen)
        if shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown   # a rebuild with these keys is on its way
