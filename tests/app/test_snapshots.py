"""How the panes look on sample.db, at 80x24 and 120x40 (review the SVGs when they change:
`pytest tests/app/test_snapshots.py --snapshot-update`, then look at snapshot_report.html)."""

from __future__ import annotations

import pytest

from kpitui.app.app import KpiApp

from .conftest import settle

SIZES = [(80, 24), (120, 40)]
PANES = {"overview": [], "receivables": ["2"], "collections": ["3"],
         "client": ["2", "enter"]}   # pipeline and partners: test_issue4_snapshots.py


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", list(PANES))
def test_pane_looks_right(snap_compare, sample_copy, pane, size):
    async def go(pilot):
        await settle(pilot, pilot.app)
        for key in PANES[pane]:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot, pilot.app)

    assert snap_compare(KpiApp(db=sample_copy, is_sample=True), run_before=go,
                        terminal_size=size)
