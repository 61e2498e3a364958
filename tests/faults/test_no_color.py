"""NO_COLOR: every queue status still reads as a word, not only as a colour."""

from __future__ import annotations

from app.conftest import settle, table_rows
from kpitui.app.app import KpiApp

from .builders import ALL_STATUSES, all_statuses_ledger


async def test_every_status_is_a_word_without_colour(ledger, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    all_statuses_ledger(ledger)
    app = KpiApp(db=ledger)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        assert app.no_color
        queue = table_rows(app, "#queue")
        assert {r[0]: r[4] for r in queue} == ALL_STATUSES
        # ...and the words are what the table draws (after the cursor mark, "▸" or " ").
        table = app.screen.query_one("#queue")
        screen_lines = [table.render_line(y).text for y in range(table.region.height)]
        for number, status in ALL_STATUSES.items():
            line = next(line for line in screen_lines if line[1:].startswith(number + " "))
            assert f" {status} " in line, line
