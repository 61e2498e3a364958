"""Receivables: aging by client with totals, sorting, drill-down to invoices and back."""

from __future__ import annotations

import sqlite3

from kpitui.app.app import KpiApp

from .conftest import settle, table_rows, text_of


async def test_aging_table_and_totals(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await pilot.pause()
        # 2026-11-15: Gamma G-1 30000 (dpd 31: 31-60); Alpha A-2 15000 (dpd 15: 1-30);
        # Beta B-1 5000 (dpd 137: 90+) + B-2 7000 (current) = 12000. Sorted by total.
        got = table_rows(app, "#aging")
        assert [r[0] for r in got] == ["Gamma Logistics", "Alpha [Ltd]", "Beta Dental"]
        # at 80 columns the summary table shows whole dollars
        assert got[2] == ["Beta Dental", "$70", "$0", "$0", "$0", "$50", "$120"]
        assert text_of(app, "#totals").startswith("Total $570.00 ")


async def test_sort_keys(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "s")          # total -> client (A..Z)
        await pilot.pause()
        assert [r[0] for r in table_rows(app, "#aging")] == [
            "Alpha [Ltd]", "Beta Dental", "Gamma Logistics"]
        await pilot.press("r")
        await pilot.pause()
        assert [r[0] for r in table_rows(app, "#aging")][0] == "Gamma Logistics"


async def test_enter_opens_client_invoices_and_escape_returns(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "down", "down", "enter")     # Beta Dental
        await pilot.pause()
        assert "Beta Dental" in text_of(app, "#client-title")
        invoices = {r[0]: r for r in table_rows(app, "#invoices")}
        assert invoices["B-1"][4:] == ["$50.00", "137", "promised"]
        assert invoices["B-2"][4:] == ["$70.00", "-16", "current"]
        await pilot.press("escape", "up", "enter")                     # Alpha [Ltd]
        await pilot.pause()
        invoices = {r[0]: r for r in table_rows(app, "#invoices")}
        # A-1 was paid in full on 10-05: nothing is past due, though its due date passed
        assert invoices["A-1"][4:] == ["$0.00", "-", "paid"]
        assert invoices["A-2"][4:] == ["$150.00", "15", "contacted"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#aging")


async def test_palette_goes_to_a_pane(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to collections")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "tab-collections"


async def test_client_screen_follows_a_reload_and_the_as_of_keys(ledger):
    """Open over the aging table, the client's invoices follow the figures: another program's
    payment (after g), then a month back ([)."""
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "down", "down", "enter", "down")   # Beta Dental, on B-1
        await pilot.pause()
        assert app.screen.query_one("#invoices").cursor_row == 1
        conn = sqlite3.connect(ledger)
        conn.execute("INSERT INTO payments VALUES (3, 3, '2026-11-14', 2000, 'check')")
        conn.commit()
        conn.close()
        await pilot.press("g")
        await settle(pilot, app)
        invoices = {r[0]: r for r in table_rows(app, "#invoices")}
        assert invoices["B-1"][4:] == ["$30.00", "137", "promised"]     # 5000 - 2000
        assert app.screen.query_one("#invoices").cursor_row == 1        # still on B-1
        assert "paid $20.00" in text_of(app, "#history").splitlines()[0]
        await pilot.press("left_square_bracket")                        # as of 2026-10-15
        await settle(pilot, app)
        assert "invoices as of 2026-10-15" in text_of(app, "#client-title")
        # B-2 (issued 11-01) not yet issued; B-1's payment of 11-14 not yet made;
        # 2026-10-15 - 2026-07-01 = 106 days past due
        assert [r[0] for r in table_rows(app, "#invoices")] == ["B-1"]
        assert table_rows(app, "#invoices")[0][4:6] == ["$50.00", "106"]
