"""Header badges (sample, read-only) and themes chosen by flag, palette and config."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from kpitui.app.app import KpiApp

from .conftest import rows, settle, text_of


def config_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "kpitui" / "config.toml"


async def test_sample_badge(ledger):
    app = KpiApp(db=ledger, is_sample=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert "SAMPLE DATA" in text_of(app, "#header")


async def test_read_only_badge_and_refused_writes(ledger):
    app = KpiApp(db=ledger, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert "READ-ONLY" in text_of(app, "#header")
        await pilot.press("3", "c")
        await pilot.pause()
        assert len(app.screen_stack) == 1      # no form opened
        assert any("read-only" in str(n.message) for n in app._notifications)
    assert rows(ledger, "SELECT count(*) FROM followups")[0][0] == 2


async def test_theme_flag_is_used_and_remembered(ledger):
    app = KpiApp(db=ledger, theme_name="kpitui-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.theme == "kpitui-light"
    assert tomllib.loads(config_file().read_text())["theme"] == "kpitui-light"
    again = KpiApp(db=ledger)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot, again)
        assert again.theme == "kpitui-light"


async def test_theme_from_palette_is_remembered(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.theme == "kpitui-dark"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme: kpitui-ansi")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "kpitui-ansi"
    assert tomllib.loads(config_file().read_text())["theme"] == "kpitui-ansi"


async def test_unknown_theme_falls_back(ledger):
    app = KpiApp(db=ledger, theme_name="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.theme == "kpitui-dark"
        assert any(n.message == "no theme named 'no-such-theme'; using kpitui-dark"
                   for n in app._notifications)


async def test_no_color_avoids_the_ansi_theme_and_marks_the_cursor(ledger, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = KpiApp(db=ledger, theme_name="kpitui-ansi")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.theme == "kpitui-dark"
        assert any(n.message.startswith("NO_COLOR is set: kpitui-ansi would be unreadable")
                   for n in app._notifications)
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#queue")
        line = "".join(seg.text for seg in table.render_line(1))   # first row under the header
        assert line.startswith("▸G-1")
