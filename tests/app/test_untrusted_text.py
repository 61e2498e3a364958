"""Ledger text with markup and terminal escapes renders literally and nothing fires."""

from __future__ import annotations

import sqlite3

from kpitui.app.app import KpiApp

from .conftest import settle, table_rows, text_of

EVIL = "ACME [@click=app.quit]Pay now[/] [bold]x\x1b]2;pwned\x07\x1b[31mred\u202e"


async def test_markup_and_escapes_are_inert(ledger):
    conn = sqlite3.connect(ledger)
    conn.execute("UPDATE clients SET name = ? WHERE id = 3", (EVIL,))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'company'", ("[b]Co[/b]\x1b[2J",))
    conn.execute("INSERT INTO followups (invoice_id, at, kind, note) VALUES "
                 "(5, '2026-11-14T08:00:00', 'note', '[Ltd] \x1b]52;c;cGF5\x07 done')")
    conn.commit()
    conn.close()
    app = KpiApp(db=ledger)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "[b]Co[/b][2J" in text_of(app, "#header")
        await pilot.press("3")
        await pilot.pause()
        shown = table_rows(app, "#queue")[0][1]
        assert shown == "ACME [@click=app.quit]Pay now[/] [bold]x]2;pwned[31mred"
        assert "[Ltd] ]52;c;cGF5 done" in text_of(app, "#queue-history")
        # clicking the client cell must not run the injected action
        await pilot.click("#queue", offset=(14, 1))
        await pilot.pause()
        assert app.is_running
        await pilot.press("2")
        await pilot.pause()
        assert EVIL not in str(table_rows(app, "#aging"))
        assert "ACME [@click=app.quit]Pay now[/]" in table_rows(app, "#aging")[0][0]
