"""3 Collections: the queue in KPIS.md order, worked with the keyboard; history of the selection."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from ...kpis.money import fmt_money
from ...ledger import actions
from ..state import Loaded
from ..widgets import cells, forms
from ..widgets.frame_table import Column, FrameTable
from .base import Pane
from .client import history_text


def reminder(row: dict, company: str, currency: str) -> str:
    """A ready-to-send, polite reminder email for one invoice."""
    return (f"Subject: Invoice {row['number']} - {fmt_money(row['open_cents'], currency)} "
            f"now {row['dpd']} days overdue\n\n"
            f"Hello {row['client']},\n\n"
            f"Our records show invoice {row['number']} with "
            f"{fmt_money(row['open_cents'], currency)} still open, due on {row['due_on']} "
            f"({row['dpd']} days ago). Could you let us know when we can expect payment, "
            f"or tell us if anything about this invoice needs our attention?\n\n"
            f"Thank you,\n{company}\n")


class CollectionsPane(Pane):
    """Work the queue: every key acts on the selected invoice, in one transaction."""

    main_selector = "FrameTable"
    BINDINGS = [
        Binding("c", "log('call')", "Call"),
        Binding("e", "log('email')", "Email"),
        Binding("n", "log('note')", "Note"),
        Binding("p", "promise", "Promise"),
        Binding("s", "snooze", "Snooze"),
        Binding("x", "escalate", "Escalate"),
        Binding("d", "dispute", "Dispute/resolve"),
        Binding("dollar_sign", "payment", "Payment"),
        Binding("w", "write_off", "Write off"),
        Binding("u", "undo", "Undo"),
        Binding("slash", "filter", "Filter"),
        Binding("z", "toggle_snoozed", "Snoozed"),
        Binding("y", "copy_reminder", "Copy email"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_snoozed = False
        self.filter_text = ""
        self.rows = None   # the queue frame on screen

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter by client or invoice number; Enter applies, Esc clears",
                    id="queue-filter")
        yield Static("", id="queue-status")
        yield FrameTable(id="queue")
        yield Static("", id="queue-history")

    # -- display -------------------------------------------------------------------------
    def show(self, loaded: Loaded) -> None:
        from ...kpis.collections import narrow

        hidden = int(loaded.cockpit.queue["snoozed"].sum())
        queue = narrow(loaded.cockpit.queue, self.filter_text, with_snoozed=self.with_snoozed)
        self.fill(queue, loaded.ledger.currency)
        status = Text(f" {queue.height} overdue invoices, "
                      f"{fmt_money(int(queue['open_cents'].sum()), loaded.ledger.currency)} "
                      f"· snoozed {'shown' if self.with_snoozed else f'hidden: {hidden}'} (z)")
        if self.filter_text:
            status.append(f" · filter: {self.filter_text} (/ then Esc clears)")
        self.query_one("#queue-status", Static).update(status)

    def fill(self, queue, currency: str) -> None:
        """Show the queue, keeping the cursor on the same invoice, or the next one if it left
        (the row now at the old position)."""
        table = self.query_one("#queue", FrameTable)
        keep, index = self.selected_id(), table.cursor_row
        self.rows = queue
        width = self.size.width or 80
        last = width >= 100          # the last contact is also in the history panel
        fixed = [Column("number", "Invoice", 10), Column("open", "Open", 11, "right"),
                 Column("dpd", "DPD", 4, "right"), Column("status", "Status", 13),
                 Column("promise", "Promise", 7)]
        if last:
            fixed.append(Column("contact", "Last", 6))
        client_w = max(12, width - 2 - sum(c.width + 2 for c in fixed) - 2)
        columns = [fixed[0], Column("client", "Client", client_w), *fixed[1:]]
        ids = queue["invoice_id"]
        if keep is not None and keep in ids:
            index = int((ids == keep).arg_max())

        def row_at(i: int) -> list[Text]:
            r = queue.row(i, named=True)
            word = r["status"] + (" (snoozed)" if r["snoozed"] else "")
            row = [cells.plain(r["number"]), cells.plain(r["client"]),
                   cells.money(r["open_cents"], currency), cells.number(r["dpd"]),
                   cells.status(self.app, r["status"]).append(word[len(r["status"]):]),
                   cells.short_date(r["promised_on"])]
            if last:
                row.append(cells.short_date(r["last_contact"]))
            return row

        table.set_rows(columns, queue.height, row_at, cursor=index)
        self.show_history()

    def selected(self) -> dict | None:
        """The highlighted queue row."""
        from ...kpis.collections import row_of

        iid = self.selected_id()
        return None if iid is None or self.rows is None else row_of(self.rows, iid)

    def selected_id(self) -> int | None:
        table = self.query_one("#queue", FrameTable)
        if self.rows is None or not table.row_count or table.cursor_row >= self.rows.height:
            return None
        return int(self.rows["invoice_id"][table.cursor_row])

    def on_resize(self) -> None:
        if self.rows is not None:
            self.fill(self.rows, self.currency)

    def on_frame_table_highlighted(self) -> None:
        self.show_history()

    def show_history(self) -> None:
        row, loaded = self.selected(), self.app.loaded
        panel = self.query_one("#queue-history", Static)
        if row is None or loaded is None:
            panel.update(Text("nothing selected", style="dim"))
            return
        from ...kpis.collections import history

        rows = history(loaded.ledger, row["invoice_id"], self.app.as_of)
        panel.update(history_text(rows, loaded.ledger.currency))

    # -- actions -------------------------------------------------------------------------
    def target(self) -> dict | None:
        """The selected invoice, if a write may happen now (else say why, once)."""
        refusal = self.app.write_refusal()
        if refusal:
            self.notify(refusal, severity="warning", markup=False)
            return None
        row = self.selected()
        if row is None:
            self.notify("no invoice selected", severity="warning")
        return row

    def context(self, row: dict) -> str:
        """One line under a form's title: what the invoice stands at."""
        return (f"{row['client']} · open {fmt_money(row['open_cents'], self.currency)} · "
                f"{row['dpd']} days past due · {row['status']}")

    def run_form(self, form: forms.ActionForm) -> None:
        self.app.push_screen(form)

    def write(self, action, form: forms.ActionForm | None = None, done: str = "") -> None:
        """Hand one ledger action to the app; close the form only once it is written."""
        def finished() -> None:
            if form is not None:
                form.dismiss(None)
            if done:
                self.notify(done, markup=False)

        self.app.perform(action, on_done=finished,
                         on_error=form.failed if form is not None else None)

    def action_log(self, kind: str) -> None:
        row = self.target()
        if row is None:
            return
        iid = row["invoice_id"]

        def submit(values: dict, form: forms.ActionForm) -> None:
            self.write(lambda h, today: actions.log(h, iid, kind, values["note"], today),
                       form, f"{kind} logged on {row['number']}")
        self.run_form(forms.note_form(f"{kind.capitalize()} · {row['number']}", submit,
                                      self.context(row)))

    def action_escalate(self) -> None:
        self.action_log("escalate")

    def action_dispute(self) -> None:
        row = self.target()
        if row is None:
            return
        self.action_log("resolve" if row["status"] == "disputed" else "dispute")

    def action_promise(self) -> None:
        row = self.target()
        if row is None:
            return
        iid = row["invoice_id"]

        def submit(values: dict, form: forms.ActionForm) -> None:
            self.write(lambda h, today: actions.promise(h, iid, values["on"], values["cents"],
                                                        today, values["note"]),
                       form, f"promise recorded on {row['number']}")
        self.run_form(forms.promise_form(f"Promise to pay · {row['number']}",
                                         row["open_cents"], self.app.session.today, submit,
                                         self.context(row)))

    def action_snooze(self) -> None:
        row = self.target()
        if row is None:
            return
        iid = row["invoice_id"]

        def submit(values: dict, form: forms.ActionForm) -> None:
            self.write(lambda h, today: actions.snooze(h, iid, values["until"], today,
                                                       values["note"]),
                       form, f"{row['number']} snoozed until {values['until']}")
        self.run_form(forms.snooze_form(f"Snooze · {row['number']}", self.app.session.today,
                                        submit, self.context(row)))

    def action_payment(self) -> None:
        row = self.target()
        if row is None:
            return
        iid, open_cents = row["invoice_id"], row["open_cents"]

        def save(values: dict, form: forms.ActionForm) -> None:
            self.write(lambda h, today: actions.payment(h, iid, values["cents"],
                                                        values["paid_on"], values["method"],
                                                        today),
                       form, f"payment recorded on {row['number']}")

        def submit(values: dict, form: forms.ActionForm) -> None:
            if values["cents"] <= open_cents:
                save(values, form)
                return

            def answer(yes: bool | None) -> None:
                if yes:
                    save(values, form)
                else:
                    form.failed("not saved: change the amount or confirm the overpayment")
            self.app.push_screen(forms.Confirm(
                f"{fmt_money(values['cents'], self.currency)} is more than the open balance "
                f"{fmt_money(open_cents, self.currency)}: record it, leaving a credit?"),
                answer)
        self.run_form(forms.payment_form(f"Payment · {row['number']}", open_cents,
                                         self.app.session.today, submit, self.context(row)))

    def action_write_off(self) -> None:
        row = self.target()
        if row is None:
            return
        iid = row["invoice_id"]

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(lambda h, today: actions.write_off(h, iid, today),
                           done=f"{row['number']} written off")
        self.app.push_screen(forms.Confirm(
            f"Write off {row['number']} ({row['client']}), "
            f"{fmt_money(row['open_cents'], self.currency)} open, as bad debt?"), answer)

    def action_undo(self) -> None:
        refusal = self.app.write_refusal()
        if refusal:
            self.notify(refusal, severity="warning", markup=False)
            return
        stack = self.app.session.undo_stack
        if not stack:
            self.notify("nothing to undo in this session", severity="warning")
            return
        fid = stack.pop()
        self.write(lambda h, today: actions.undo(h, fid, today), done="undone")

    def action_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.add_class("-shown")
        box.value = self.filter_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self.close_filter()

    def on_key(self, event) -> None:
        box = self.query_one("#queue-filter", Input)
        if event.key == "escape" and box.has_class("-shown"):
            event.stop()
            self.filter_text = ""
            self.close_filter()

    def close_filter(self) -> None:
        self.query_one("#queue-filter", Input).remove_class("-shown")
        if self.app.loaded:
            self.show(self.app.loaded)
        self.focus_main()

    def action_toggle_snoozed(self) -> None:
        self.with_snoozed = not self.with_snoozed
        if self.app.loaded:
            self.show(self.app.loaded)

    def action_copy_reminder(self) -> None:
        row = self.selected()
        if row is None:
            return
        loaded = self.app.loaded
        self.app.copy_to_clipboard(reminder(row, loaded.ledger.company, loaded.ledger.currency))
        self.notify(f"reminder for {row['number']} copied to the clipboard", markup=False)

