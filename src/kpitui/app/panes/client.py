"""A client's invoices (issued, due, amount, open, days past due, state) with each one's history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey

from ...kpis.money import fmt_money
from ..state import Loaded
from ..widgets import cells
from ..widgets.footer import KeyFooter
from .base import DetailScreen


class ClientScreen(DetailScreen):
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
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#invoices", DataTable).focus()

    def show(self, loaded: Loaded) -> None:
        """The client's invoices at the cockpit's date; the cursor stays on its invoice."""
        from ...kpis.receivables import client_invoices

        led, d = loaded.ledger, loaded.cockpit.as_of
        name = led.clients.filter(led.clients["id"] == self.client_id)["name"]
        title = Text(f" {name[0] if name.len() else self.client_id}  ·  invoices as of {d}")
        self.query_one("#client-title", Static).update(title)
        table = self.query_one("#invoices", DataTable)
        keep = self.invoice_at_cursor()
        table.clear()
        cur = led.currency
        for r in client_invoices(led, self.client_id, d).iter_rows(named=True):
            table.add_row(cells.plain(r["number"]), cells.plain(r["issued_on"]),
                          cells.plain(r["due_on"]), cells.money(r["amount_cents"], cur),
                          cells.money(r["open_cents"], cur), cells.number(r["dpd"]),
                          cells.status(self.app, r["state"]), key=str(r["id"]))
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self.show_history(self.invoice_at_cursor())

    def invoice_at_cursor(self) -> RowKey | None:
        """The row key of the invoice under the cursor (None in an empty table)."""
        table = self.query_one("#invoices", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_history(event.row_key)

    def show_history(self, key: RowKey | None) -> None:
        """The payments and follow-ups of the invoice under the cursor."""
        if key is None or key.value is None:
            return
        from ...kpis.collections import history

        loaded = self.app.loaded
        rows = history(loaded.ledger, int(key.value), loaded.cockpit.as_of)
        self.query_one("#history", Static).update(history_text(rows, loaded.ledger.currency))


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
