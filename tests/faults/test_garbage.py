"""Garbage in the ledger: what is sound still shows, the rest is counted, listed, never summed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from app.conftest import settle, table_rows, text_of
from kpitui.app.app import KpiApp

from .builders import (
    GARBAGE_AGING,
    GARBAGE_BUCKETS,
    GARBAGE_CHECK_LINES,
    GARBAGE_COLLECTED_30D,
    GARBAGE_QUEUE,
    GARBAGE_SET_APART,
    GARBAGE_TOTAL,
    MANGLED_NAME,
    garbage_ledger,
    run_kpitui,
)


@pytest.mark.parametrize("reader", ["careful", "fast"])
def test_summary_shows_only_the_sound_rows_and_check_lists_the_rest(tmp_path, monkeypatch,
                                                                    reader):
    """Through either reader: connectorx must refuse a mistyped table, not misread it."""
    monkeypatch.setenv("KPITUI_READER", reader)
    from kpitui.kpis.summary import summary_dict
    from kpitui.ledger.connection import open_ledger
    from kpitui.ledger.load import load

    ledger = garbage_ledger(tmp_path / "garbage.db")
    before = ledger.read_bytes()
    with ThreadPoolExecutor(max_workers=2) as pool:
        summary = pool.submit(run_kpitui, ["summary", "--json", "--db", ledger], tmp_path)
        check = pool.submit(run_kpitui, ["check", "--db", ledger], tmp_path)
        summary, check = summary.result(), check.result()

    assert summary.returncode == 0, summary
    assert summary.stderr == (f"kpitui: {GARBAGE_SET_APART} unsound rows set apart "
                              f"(see: kpitui check --db {ledger})\n"), summary
    got = summary.json()
    rec = got["receivables"]
    assert rec["total_cents"] == GARBAGE_TOTAL
    assert rec["credits_cents"] == 0
    assert rec["buckets"] == GARBAGE_BUCKETS
    assert rec["collected_30d_cents"] == GARBAGE_COLLECTED_30D
    assert rec["payment_mix_pct"] == {"ach": 100.0}     # the void invoice's wire counts nowhere
    assert [(r["invoice_id"], r["number"], r["open_cents"], r["dpd"], r["status"])
            for r in got["collections_queue"]] == GARBAGE_QUEUE
    assert {r["client"]: r["total"] for r in got["aging_by_client"]} == GARBAGE_AGING
    assert sum(w["count"] for w in got["data_warnings"]) == GARBAGE_SET_APART

    # Every figure, not only the ones above, equals the sound rows' alone.
    sound = garbage_ledger(tmp_path / "sound.db", garbage=False)
    handle = open_ledger(sound)
    try:
        expected = summary_dict(load(handle), date(2026, 6, 30))
    finally:
        handle.close()
    assert expected["data_warnings"] == []
    assert {k: v for k, v in got.items() if k != "data_warnings"} == {
        k: v for k, v in expected.items() if k != "data_warnings"}

    assert check.returncode == 1, check
    assert check.stderr == "", check
    problems = [line.removeprefix("problem: ") for line in check.stdout.splitlines()
                if line.startswith("problem: ")]
    assert problems == GARBAGE_CHECK_LINES, check
    assert check.stdout.splitlines()[-1] == f"{len(GARBAGE_CHECK_LINES)} problem(s) in {ledger}"
    assert ledger.read_bytes() == before


async def test_app_loads_garbage_warns_and_keeps_its_layout(tmp_path):
    ledger = garbage_ledger(tmp_path / "garbage.db")
    app = KpiApp(db=ledger)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        assert f"{GARBAGE_SET_APART} BAD ROWS" in text_of(app, "#header")
        await pilot.press("3")
        await pilot.pause()
        queue = table_rows(app, "#queue")
        assert [r[0] for r in queue] == [n for _, n, *_ in GARBAGE_QUEUE]
        assert [r[1] for r in queue] == ["Northwind Traders", MANGLED_NAME, "Contoso",
                                         "Contoso"]
        assert [r[4] for r in queue] == ["new"] * 4
        await pilot.press("down")                         # INV-2, with the 100 kB note
        await pilot.pause()
        panel = app.screen.query_one("#queue-history")
        assert "long note xxxx" in text_of(app, "#queue-history")
        assert panel.region.height == 7                   # the panel did not grow
        table = app.screen.query_one("#queue")
        assert table.region.height >= 4                   # the queue was not pushed away
        assert panel.region.bottom <= app.screen.region.bottom - 1   # footer still there
        shown = [panel.render_line(y).text for y in range(panel.region.height)]
        note_lines = [line for line in shown if "long note" in line]
        assert len(note_lines) == 1, shown                # one line, cut
        assert note_lines[0].rstrip().endswith("…"), note_lines[0]
        assert not any("END" in line for line in shown)
        assert all(len(line) <= panel.region.width for line in shown)
        assert app.is_running
