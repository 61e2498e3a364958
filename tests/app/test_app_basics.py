"""The app's frame: header, panes by number key, focus, as-of keys, help, watching, too small."""

from __future__ import annotations

import sqlite3

from kpitui.app.app import KpiApp
from kpitui.app.widgets.frame_table import FrameTable

from .conftest import rows, settle, table_rows, text_of


async def test_header_and_first_pane(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        header = text_of(app, "#header")
        assert "Test MSP" in header
        assert "as of 2026-11-15" in header
        assert "SAMPLE DATA" not in header
        # AR at 2026-11-15: A-2 15000 + B-1 5000 + G-1 30000 (B-2 is paid? no: 7000 open)
        tile = text_of(app, "#tile-total_cents .tile-value")
        assert tile == "$570"  # 15000 + 5000 + 30000 + 7000 = 57000 cents


async def test_number_keys_switch_panes_and_focus_the_table(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "tab-collections"
        assert isinstance(app.focused, FrameTable) and app.focused.id == "queue"
        assert app.focused.cursor_row == 0
        await pilot.press("2")
        await pilot.pause()
        assert app.focused.id == "aging"
        await pilot.press("5")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "tab-partners"


async def test_month_keys_move_the_as_of_date_and_refuse_writes(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("3", "left_square_bracket")
        await settle(pilot, app)
        assert "as of 2026-10-15" in text_of(app, "#header")
        # At 2026-10-15: A-2 not yet due, B-1 106 dpd, G-1 due that day (dpd 0): queue = B-1
        assert [r[0] for r in table_rows(app, "#queue")] == ["B-1"]
        await pilot.press("c")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no form: writes are refused in the past
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot, app)
        assert "as of 2026-12-15" in text_of(app, "#header")
        await pilot.press("t")
        await settle(pilot, app)
        assert "as of 2026-11-15" in text_of(app, "#header")
    assert rows(ledger, "SELECT count(*) FROM followups")[0][0] == 2


async def test_help_lists_every_collections_key(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("Static").render())
        for word in ("Call", "Promise", "Snooze", "Payment", "Write off", "Undo", "Filter",
                     "Copy email", "Month back", "Quit"):
            assert word in text
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_reloads_by_itself_when_another_program_writes(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("3", "down")       # on B-1, the second row
        await pilot.pause()
        conn = sqlite3.connect(ledger)
        conn.execute("INSERT INTO invoices VALUES (6, 'Z-9', 3, '2026-08-01', '2026-09-01',"
                     " 100000, 0, 0, NULL)")
        conn.commit()
        conn.close()
        for _ in range(30):
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            if table_rows(app, "#queue")[0][0] == "Z-9":
                break
        # Z-9: 100000 x 75 days = 7,500,000: first in the queue
        assert table_rows(app, "#queue")[0][0] == "Z-9"
        # the cursor stayed on B-1, now the third row
        queue = app.query_one("#queue")
        assert queue.cursor_row == 2
        assert queue.get_row_at(queue.cursor_row)[0].plain == "B-1"


async def test_terminal_too_small_and_back(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.resize_terminal(20, 6)
        await pilot.pause()
        assert app.query_one("#too-small").display
        assert app.screen.has_class("-narrow")
        for size in ((1, 1), (200, 60), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert not app.screen.has_class("-narrow")
        assert app.query_one("#main").display


def test_every_layout_file_is_loaded_and_no_layout_is_inline():
    """A .tcss file the app does not list would silently not apply; layout lives in .tcss
    files beside the code, never in DEFAULT_CSS strings."""
    from pathlib import Path

    import kpitui.app

    home = Path(kpitui.app.__file__).parent
    on_disk = {p.relative_to(home).as_posix() for p in home.rglob("*.tcss")}
    assert set(KpiApp.CSS_PATH) == on_disk
    inline = [p.name for p in home.rglob("*.py") if "DEFAULT_CSS" in p.read_text()]
    assert inline == []


def footer_keys(app) -> list[str]:
    return [k.description for k in app.screen.query("FooterKey")]


async def test_footer_follows_the_pane_and_is_not_rebuilt_after_a_form(ledger):
    """The footer shows the keys of the pane on screen; closing a form gives back the same
    keys, and then the footer keeps its widgets instead of building them again."""
    app = KpiApp(db=ledger)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        assert "Call" in footer_keys(app) and "Sort column" not in footer_keys(app)
        before = list(app.screen.query("FooterKey"))
        await pilot.press("c")                     # the call form, then Esc
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert list(app.screen.query("FooterKey")) == before
        await pilot.press("2")
        await settle(pilot, app)
        assert "Sort column" in footer_keys(app) and "Call" not in footer_keys(app)
