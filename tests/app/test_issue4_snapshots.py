"""How the Pipeline and Partners panes, the partner detail and a deal look on sample.db at
80x24 and 120x40 (review the SVGs when they change: run this file with --snapshot-update,
then look at snapshot_report.html)."""

from __future__ import annotations

import pytest

from kpitui.app.app import KpiApp

from .conftest import settle

SIZES = [(80, 24), (120, 40)]
VIEWS = {"pipeline": ["4"], "partners": ["5"], "partner_detail": ["5", "enter"],
         "deal": ["4", "enter"]}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_issue4_view_looks_right(snap_compare, sample_copy, view, size):
    async def go(pilot):
        await settle(pilot, pilot.app)
        for key in VIEWS[view]:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot, pilot.app)

    assert snap_compare(KpiApp(db=sample_copy, is_sample=True), run_before=go,
                        terminal_size=size)
