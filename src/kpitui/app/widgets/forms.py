"""Modal forms for the collections actions: validate as you type, reason beside the field.

Nothing is written until every field is valid; Esc at any point writes nothing. A failed
write (ledger busy) keeps the form open with what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from ...ledger.schema import PAYMENT_METHODS
from ...text import clean_text

MAX_CENTS = 2**53 - 1


def parse_money(text: str) -> tuple[int | None, str]:
    """Positive money with at most two decimals -> (cents, ''), else (None, reason)."""
    raw = text.strip().replace(",", "").lstrip("$")
    if not raw:
        return None, "enter an amount"
    if not re.fullmatch(r"[0-9]*\.?[0-9]*", raw):     # ASCII digits only (not "１２")
        return None, "digits and one decimal point only (like 1250.00)"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "not an amount"
    if value.as_tuple().exponent < -2:
        return None, "at most two decimals"
    cents = int(value * 100)
    if cents <= 0:
        return None, "must be more than zero"
    if cents > MAX_CENTS:
        return None, "too large"
    return cents, ""


def parse_day(text: str, *, not_before: date | None = None, after: date | None = None,
              not_after: date | None = None) -> tuple[date | None, str]:
    """A real YYYY-MM-DD date, optionally bounded; else (None, reason)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None, "a real date like 2026-11-30"
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):   # 20261130, 2026-W47-1
        return None, "write it as YYYY-MM-DD"
    if not_after and day > not_after:
        return None, f"cannot be after {not_after.isoformat()}"
    if not_before and day < not_before:
        return None, f"cannot be before {not_before.isoformat()}"
    if after and day <= after:
        return None, f"must be after {after.isoformat()}"
    return day, ""


@dataclass
class Field:
    """One form field: its parser returns (value, reason)."""

    name: str
    label: str
    default: str = ""
    parse: Callable[[str], tuple[object, str]] | None = None
    choices: tuple[str, ...] = ()


class ActionForm(ModalScreen[dict | None]):
    """A small form; `on_submit(values, form)` starts the write and closes it when done.

    `context` is a line of plain text under the title (the invoice's open balance...)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel (writes nothing)")]

    def __init__(self, title: str, fields: list[Field],
                 on_submit: Callable[[dict, ActionForm], None], context: str = "") -> None:
        super().__init__()
        self.context = context
        self.form_title = title
        self.fields = fields
        self.on_submit = on_submit
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.form_title), classes="form-title")
            if self.context:
                yield Static(Text(self.context), classes="context")
            for f in self.fields:
                with Horizontal():
                    yield Static(f.label, classes="label")
                    if f.choices:
                        yield Select([(c, c) for c in f.choices], value=f.default or
                                     f.choices[0], allow_blank=False, id=f"f-{f.name}")
                    else:
                        yield Input(f.default, id=f"f-{f.name}", select_on_focus=True)
                yield Static("", id=f"r-{f.name}", classes="reason")
            yield Static("", classes="form-error")
            yield Static("Enter saves · Esc cancels", classes="hint")

    def values(self) -> tuple[dict, bool]:
        """Parse every field, showing each reason; (values, all valid)."""
        out, ok = {}, True
        for f in self.fields:
            widget = self.query_one(f"#f-{f.name}")
            raw = widget.value if f.choices else clean_text(widget.value)
            value, reason = f.parse(raw) if f.parse else (raw, "")
            self.query_one(f"#r-{f.name}", Static).update(Text(reason))
            ok = ok and not reason
            out[f.name] = value
        return out, ok

    def on_input_changed(self) -> None:
        self.values()

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        values, ok = self.values()
        if ok and not self.busy:
            self.busy = True
            self.query_one(".form-error", Static).update(Text("saving…"))
            self.on_submit(values, self)

    def failed(self, message: str) -> None:
        """The write did not happen: say why, keep what was typed."""
        self.busy = False
        self.query_one(".form-error", Static).update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)


def note_form(title: str, on_submit, context: str = "") -> ActionForm:
    return ActionForm(title, [Field("note", "Note")], on_submit, context)


def promise_form(title: str, open_cents: int, today: date, on_submit, context: str = ""
                 ) -> ActionForm:
    return ActionForm(title, [
        Field("on", "Date", today.isoformat(), lambda s: parse_day(s, not_before=today)),
        Field("cents", "Amount", cents_text(open_cents), parse_money),
        Field("note", "Note")], on_submit, context)


def snooze_form(title: str, today: date, on_submit, context: str = "") -> ActionForm:
    from datetime import timedelta

    return ActionForm(title, [
        Field("until", "Until", (today + timedelta(days=7)).isoformat(),
              lambda s: parse_day(s, after=today)),
        Field("note", "Note")], on_submit, context)


def payment_form(title: str, open_cents: int, today: date, on_submit, context: str = ""
                 ) -> ActionForm:
    return ActionForm(title, [
        Field("cents", "Amount", cents_text(max(open_cents, 0)), parse_money),
        Field("paid_on", "Paid on", today.isoformat(),
              lambda s: parse_day(s, not_after=today)),
        Field("method", "Method", "ach", choices=PAYMENT_METHODS)], on_submit, context)


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class Confirm(ModalScreen[bool]):
    """A yes/no question: only y confirms (so a stray Enter never writes); n or Esc declines."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"),
                Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield Static(Text(self.question + "\n\ny: yes   n / Esc: no"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DateForm(ModalScreen[date | None]):
    """Ask for one date (the palette's "Set as-of date")."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: date) -> None:
        super().__init__()
        self.form_title = title
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title)
            yield Input(self.default.isoformat(), id="when")
            yield Static("", classes="reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        day, reason = parse_day(event.value)
        self.query_one(".reason", Static).update(reason)
        if day:
            self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
