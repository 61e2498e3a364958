"""What a person types: every bad amount and date is refused beside its field, nothing written.

Runs on the tests/app/conftest.py ledger (as of 2026-11-15; G-1 is the first queue row).
"""

from __future__ import annotations

from app.conftest import rows, settle, text_of
from kpitui.app.app import KpiApp
from kpitui.app.widgets.forms import ActionForm

DIGITS = "digits and one decimal point only (like 1250.00)"
REAL_DATE = "a real date like 2026-11-30"
BAD_AMOUNTS = [("abc", DIGITS), ("1e5", DIGITS), ("12.345", "at most two decimals"),
               ("0", "must be more than zero"), ("0.00", "must be more than zero"),
               ("-5", DIGITS), ("", "enter an amount"), ("1.2.3", DIGITS),
               ("99999999999999999", "too large")]
BAD_PROMISE_DATES = [("2026-11-14", "cannot be before 2026-11-15"),
                     ("2026-11-01", "cannot be before 2026-11-15"),
                     ("2026-02-30", REAL_DATE), ("2026-04-31", REAL_DATE),
                     ("31/12/2026", REAL_DATE), ("20261130", "write it as YYYY-MM-DD")]
BAD_SNOOZES = [("2026-11-15", "must be after 2026-11-15"),
               ("2026-11-01", "must be after 2026-11-15"),
               ("2026-11-31", REAL_DATE), ("next week", REAL_DATE)]
BAD_PAYMENT_DATES = [("2026-02-29", REAL_DATE), ("2026-13-01", REAL_DATE),
                     ("2026-11-15T10:00", REAL_DATE)]


def written(path) -> tuple[int, int]:
    return (rows(path, "SELECT count(*) FROM followups")[0][0],
            rows(path, "SELECT count(*) FROM payments")[0][0])


async def refuse_each(pilot, app, ledger, field: str, cases, good: str) -> None:
    """Each bad value: its reason beside the field, Enter writes nothing, the form stays."""
    form = app.screen
    assert isinstance(form, ActionForm)
    box = form.query_one(f"#f-{field}")
    for value, reason in cases:
        box.value = value
        await pilot.pause()
        assert text_of(app, f"#r-{field}") == reason, value
        box.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is form, f"{value!r}: the form closed"
        assert written(ledger) == (2, 2), f"{value!r} was written"
    box.value = good
    await pilot.pause()
    assert text_of(app, f"#r-{field}") == ""


async def type_letters(pilot, app, field: str) -> None:
    """Letters typed key by key into an amount are refused as they are typed."""
    box = app.screen.query_one(f"#f-{field}")
    box.value = ""
    box.focus()
    await pilot.press("1", "2", "a", "b")
    await pilot.pause()
    assert box.value == "12ab"
    assert text_of(app, f"#r-{field}") == DIGITS


async def open_form(pilot, app, key: str) -> None:
    await settle(pilot, app)
    await pilot.press("3", key)
    await pilot.pause()
    assert isinstance(app.screen, ActionForm)


async def test_payment_form_refuses_bad_amounts_and_dates(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, app, "dollar_sign")
        await type_letters(pilot, app, "cents")
        await refuse_each(pilot, app, ledger, "cents", BAD_AMOUNTS, "10.00")
        await refuse_each(pilot, app, ledger, "paid_on", BAD_PAYMENT_DATES, "2026-11-15")
        await pilot.press("escape")
        await settle(pilot, app)
    assert written(ledger) == (2, 2)


async def test_promise_form_refuses_bad_amounts_and_dates(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, app, "p")
        await type_letters(pilot, app, "cents")
        await refuse_each(pilot, app, ledger, "cents", BAD_AMOUNTS, "100.00")
        await refuse_each(pilot, app, ledger, "on", BAD_PROMISE_DATES, "2026-11-15")
        await pilot.press("escape")
        await settle(pilot, app)
    assert written(ledger) == (2, 2)


async def test_snooze_form_refuses_until_on_or_before_today(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, app, "s")
        await refuse_each(pilot, app, ledger, "until", BAD_SNOOZES, "2026-11-16")
        await pilot.press("escape")
        await settle(pilot, app)
    assert written(ledger) == (2, 2)
