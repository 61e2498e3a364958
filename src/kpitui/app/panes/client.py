"""A client's invoices (issued, due, amount, open, days past due, state) with each one's history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...kpis.money import fmt_money
from ..widgets import cells


class ClientScreen(Screen):
    """Esc goes back to the aging table."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        yield Static("", id="client-title")
        table = DataTable(id="invoices", cursor_type="row", zebra_stripes=True)
        for key in ("Number", "Issued", "Due", "Amount", "Open", "DPD", "State"):
            table.add_column(key, key=key.lower())
        yield table
        yield Static("", id="history")
        yield Footer()

    def on_mount(self) -> None:
        from ...kpis.receivables import client_invoices

        loaded, d = self.app.loaded, self.app.as_of
        led = loaded.ledger
        name = led.clients.filter(led.clients["id"] == self.client_id)["name"]
        title = Text(f" {name[0] if name.len() else self.client_id}  ·  invoices as of {d}")
        self.query_one("#client-title", Static).update(title)
        table = self.query_one("#invoices", DataTable)
        cur = led.currency
        for r in client_invoices(led, self.client_id, d).iter_rows(named=True):
            table.add_row(cells.plain(r["number"]), cells.plain(r["issued_on"]),
                          cells.plain(r["due_on"]), cells.money(r["amount_cents"], cur),
                          cells.money(r["open_cents"], cur), cells.number(r["dpd"]),
                          cells.status(self.app, r["state"]), key=str(r["id"]))
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value is None:
            return
        from ...kpis.collections import history

        led = self.app.loaded.ledger
        rows = history(led, int(event.row_key.value), self.app.as_of)
        self.query_one("#history", Static).update(history_text(rows, led.currency))


def history_text(rows, currency: str) -> Text:
    """Payments and follow-ups, newest first, as plain text."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if not rows.height:
        return Text("no payments or follow-ups yet", style="dim")
    for r in rows.iter_rows(named=True):
        what = r["what"]
        if what == "paid":
            what = f"paid {fmt_money(r['promised_cents'], currency)}"
        elif what.startswith("promise"):
            what = f"promise {fmt_money(r['promised_cents'], currency)} on {what.split()[-1]}"
        line = Text(f"{r['at'][:16]:<17}{what:<28} {r['note']}", no_wrap=True,
                    overflow="ellipsis", style="strike dim" if r["undone"] else "")
        out.append(line)
        out.append("\n")
    return out
