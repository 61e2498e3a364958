"""Every Collections key against a real ledger: the rows written, then what the screen shows."""

from __future__ import annotations

import pytest

from kpitui.app.app import KpiApp

from .conftest import TODAY, rows, settle, table_rows, text_of


async def open_queue(pilot, app):
    await settle(pilot, app)
    await pilot.press("3")
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))


def statuses(app) -> dict[str, str]:
    return {r[0]: r[4] for r in table_rows(app, "#queue")}


@pytest.mark.parametrize("key,kind", [("c", "call"), ("e", "email"), ("n", "note"),
                                      ("x", "escalate")])
async def test_log_keys_write_one_followup(ledger, key, kind):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press(key)           # on G-1, the first row
        await pilot.pause()
        await type_text(pilot, "spoke to [b]Ann[/b]")
        await pilot.press("enter")
        await settle(pilot, app)
        written = rows(ledger, "SELECT invoice_id, kind, note, substr(at, 1, 10) FROM followups"
                               " WHERE id > 2")
        assert written == [(5, kind, "spoke to [b]Ann[/b]", TODAY)]
        expected = {"call": "contacted", "email": "contacted", "note": "new",
                    "escalate": "escalated"}[kind]
        assert statuses(app)["G-1"] == expected
        assert "spoke to [b]Ann[/b]" in text_of(app, "#queue-history")


async def test_escape_writes_nothing(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        for key in ("c", "p", "s", "dollar_sign"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("w", "escape")
        await settle(pilot, app)
    assert rows(ledger, "SELECT count(*) FROM followups")[0][0] == 2
    assert rows(ledger, "SELECT count(*) FROM payments")[0][0] == 2


async def test_promise_prefills_open_balance_and_validates(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-cents").value == "300.00"      # G-1 open 30000 cents
        form.query_one("#f-on").value = "2026-02-30"
        await pilot.pause()
        assert "real date" in text_of(app, "#r-on")
        form.query_one("#f-on").value = "2026-11-01"
        await pilot.pause()
        assert "before 2026-11-15" in text_of(app, "#r-on")
        await pilot.press("enter")
        await pilot.pause()
        assert rows(ledger, "SELECT count(*) FROM followups")[0][0] == 2   # nothing written
        form.query_one("#f-on").value = "2026-11-20"
        form.query_one("#f-cents").value = "1e5"
        await pilot.pause()
        assert text_of(app, "#r-cents") != ""
        form.query_one("#f-cents").value = "120.5"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert rows(ledger, "SELECT kind, promised_on, promised_cents FROM followups "
                            "WHERE id > 2") == [("promise", "2026-11-20", 12050)]
        assert statuses(app)["G-1"] == "promised"


async def test_snooze_hides_until_z(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#f-until").value = "2026-12-01"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert rows(ledger, "SELECT kind, until FROM followups WHERE id > 2") == [
            ("snooze", "2026-12-01")]
        assert [r[0] for r in table_rows(app, "#queue")] == ["B-1", "A-2"]
        # the cursor moved to the next invoice of the queue
        assert app.query_one("#queue").cursor_row == 0
        await pilot.press("z")
        await pilot.pause()
        assert [r[0] for r in table_rows(app, "#queue")] == ["G-1", "B-1", "A-2"]
        assert table_rows(app, "#queue")[0][4] == "new (snoozed)"


async def test_dispute_then_resolve(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("d", "enter")
        await settle(pilot, app)
        assert statuses(app)["G-1"] == "disputed"
        await pilot.press("d", "enter")
        await settle(pilot, app)
        assert statuses(app)["G-1"] == "new"
    assert rows(ledger, "SELECT kind FROM followups WHERE id > 2 ORDER BY id") == [
        ("dispute",), ("resolve",)]


async def test_payment_then_undo(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("down")                  # B-1, 5000 open
        await pilot.press("dollar_sign")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-cents").value == "50.00"
        assert form.query_one("#f-paid_on").value == TODAY
        form.query_one("#f-cents").value = "20.00"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        pay = rows(ledger, "SELECT id, invoice_id, paid_on, amount_cents, method FROM payments"
                           " WHERE id > 2")
        assert pay == [(3, 3, TODAY, 2000, "ach")]
        assert rows(ledger, "SELECT kind, note FROM followups WHERE id > 2") == [
            ("payment", "payment 3")]
        queue = {r[0]: r for r in table_rows(app, "#queue")}
        assert queue["B-1"][2] == "$30.00"
        # AR 57000 - 2000 = 55000 cents; collected 30d: 5000 (Nov 10) + 2000 = 7000
        assert app.loaded.cockpit.headline.total_cents == 55000
        assert app.loaded.cockpit.headline.collected_30d_cents == 7000
        assert app.loaded.cockpit.aging.filter(
            app.loaded.cockpit.aging["client"] == "Beta Dental")["90+"].item() == 3000
        assert app.query_one("#queue").get_row_at(app.query_one("#queue").cursor_row)[0].plain \
            == "B-1"                                # the cursor stayed on the invoice
        await pilot.press("u")
        await settle(pilot, app)
        assert rows(ledger, "SELECT invoice_id, paid_on, amount_cents, method FROM payments "
                            "WHERE id > 3") == [(3, TODAY, -2000, "ach")]
        assert rows(ledger, "SELECT kind, undoes FROM followups WHERE id > 3") == [
            ("undo", 3)]
        assert {r[0]: r for r in table_rows(app, "#queue")}["B-1"][2] == "$50.00"
        assert app.loaded.cockpit.headline.total_cents == 57000       # back as it was
        await pilot.press("u")                     # nothing left to undo
        await settle(pilot, app)
    assert rows(ledger, "SELECT count(*) FROM followups")[0][0] == 4


async def test_overpayment_asks_first(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("dollar_sign")
        await pilot.pause()
        app.screen.query_one("#f-cents").value = "400.00"     # G-1 has 300.00 open
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "more than the open balance" in str(app.screen.query_one("Static").render())
        await pilot.press("n")
        await pilot.pause()
        assert rows(ledger, "SELECT count(*) FROM payments")[0][0] == 2
        assert app.screen.query_one("#f-cents").value == "400.00"   # kept as typed
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")               # Enter alone never confirms
        await pilot.pause()
        assert rows(ledger, "SELECT count(*) FROM payments")[0][0] == 2
        await pilot.press("y")
        await settle(pilot, app)
    assert rows(ledger, "SELECT invoice_id, amount_cents FROM payments WHERE id > 2") == [
        (5, 40000)]


async def test_write_off_confirms_and_can_be_undone(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("w", "y")
        await settle(pilot, app)
        assert rows(ledger, "SELECT written_off_on FROM invoices WHERE id = 5") == [(TODAY,)]
        assert rows(ledger, "SELECT kind FROM followups WHERE id > 2") == [("writeoff",)]
        assert "G-1" not in statuses(app)
        await pilot.press("u")
        await settle(pilot, app)
        assert rows(ledger, "SELECT written_off_on FROM invoices WHERE id = 5") == [(None,)]
        assert "G-1" in statuses(app)


async def test_filter_and_clear(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("slash")
        await type_text(pilot, "alpha")
        await pilot.press("enter")
        await pilot.pause()
        assert [r[0] for r in table_rows(app, "#queue")] == ["A-2"]
        await pilot.press("slash")
        await type_text(pilot, "b-")
        await pilot.press("escape")
        await pilot.pause()
        assert [r[0] for r in table_rows(app, "#queue")] == ["G-1", "B-1", "A-2"]


async def test_copy_reminder(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, app)
        await pilot.press("y")
        await pilot.pause()
        text = app.clipboard
    assert "G-1" in text and "$300.00" in text and "31 days" in text
    assert "Gamma Logistics" in text
