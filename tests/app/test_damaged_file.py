"""A file with a damaged page that still answers queries: the app finds it in the background
after the first frame, turns read-only and says so in a red banner."""

from __future__ import annotations

import sqlite3

from cli import fixtures as fx  # tests/ is on sys.path (rootdir-relative packages)
from kpitui.app.app import KpiApp

from .conftest import settle, text_of


async def test_damage_found_after_first_frame_makes_the_app_read_only(tmp_path):
    path = fx.big_ledger(tmp_path / "damaged.db")
    fx.damage_index_page(path)
    before = sqlite3.connect(path).execute("SELECT count(*) FROM followups").fetchone()[0]
    app = KpiApp(db=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for _ in range(50):
            await pilot.pause(0.1)
            if app.query_one("#banner").has_class("-shown"):
                break
        assert "DAMAGED FILE" in text_of(app, "#banner")
        assert "READ-ONLY" in text_of(app, "#header")
        await pilot.press("3", "c")
        await pilot.pause()
        assert len(app.screen_stack) == 1          # the write key is refused
    after = sqlite3.connect(path).execute("SELECT count(*) FROM followups").fetchone()[0]
    assert after == before


async def test_sound_file_has_no_banner(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        assert not app.query_one("#banner").has_class("-shown")
