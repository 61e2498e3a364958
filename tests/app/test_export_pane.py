"""The palette's "Export this pane" writes the pane on screen as CSV and says where."""

from __future__ import annotations

import csv

from kpitui.app.app import KpiApp

from .conftest import settle


async def test_export_this_pane_writes_the_queue(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("3", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"export this pane")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
    files = list(tmp_path.glob("*queue*.csv"))
    assert len(files) == 1, files
    assert any(str(files[0]) in s for s in said)
    with files[0].open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    # the queue at 2026-11-15, in order: G-1 (930000), B-1 (685000), A-2 (225000)
    assert [r["number"] for r in rows] == ["G-1", "B-1", "A-2"]
    assert rows[0]["open"] == "300.00"          # decimal money by default
