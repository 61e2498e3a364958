"""2 Receivables: aging by client (sortable, totals), bucket chart, credits; Enter drills in."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...kpis.money import fmt_money, fmt_short
from ..state import Loaded
from ..widgets import cells
from ..widgets.chart import BarChart
from ..widgets.frame_table import Column, FrameTable
from .base import Pane

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")   # KPIS.md aging buckets
COLUMNS = (("client", "Client"), *((b, b) for b in BUCKETS), ("total", "Total"))


class ReceivablesPane(Pane):
    """Who owes what, and how old it is."""

    main_selector = "FrameTable"
    BINDINGS = [
        Binding("enter", "open_client", "Invoices"),
        Binding("s", "sort_next", "Sort column"),
        Binding("r", "sort_reverse", "Reverse"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sort_by = "total"
        self.descending = True
        self.frame = None   # the aging frame
        self.sorted = None  # the same, in the order on screen

    def compose(self) -> ComposeResult:
        yield FrameTable(id="aging")
        yield Static("", id="totals")
        yield Static("", id="credits")
        yield BarChart(id="bucket-chart")

    def show(self, loaded: Loaded) -> None:
        self.frame = loaded.cockpit.aging
        self.fill()
        c, cur = loaded.cockpit, loaded.ledger.currency
        h = c.headline
        totals = Text(f"Total {fmt_money(h.total_cents, cur)} ", style="bold")
        totals.append(" ".join(f"{b} {fmt_short(h.buckets[b], cur)}" for b in BUCKETS))
        self.query_one("#totals", Static).update(totals)
        credit = Text(f"Credits (overpayments, not in aging): {fmt_money(h.credits_cents, cur)}"
                      f" across {c.credits.height} clients · chart in thousands", style="dim")
        self.query_one("#credits", Static).update(credit)
        self.query_one("#bucket-chart", BarChart).plot(
            list(BUCKETS), [h.buckets[b] / 100_000 for b in BUCKETS])

    def fill(self) -> None:
        """Show the table in the chosen order, keeping the cursor on the same client."""
        table = self.query_one("#aging", FrameTable)
        keep = self.selected_client()
        if self.frame is None:
            return
        frame = self.frame.sort([self.sort_by, "client_id"],
                                descending=[self.descending, False])
        self.sorted = frame
        width = self.size.width or 80
        wide = width >= 120
        cur = self.currency
        biggest = int(frame.select(BUCKETS + ("total",)).max().max_horizontal().item() or 0)
        money_w = max(6, len(fmt_money(biggest, cur, decimals=wide)))
        name_w = max(10, width - 2 - 6 * (money_w + 2) - 2)
        columns = [Column(k, lbl, name_w) if k == "client" else Column(k, lbl, money_w, "right")
                   for k, lbl in COLUMNS]
        ids = frame["client_id"]
        index = int((ids == keep).arg_max()) if keep is not None and keep in ids else 0

        def row_at(i: int) -> list[Text]:
            r = frame.row(i, named=True)
            return [cells.plain(r["client"]),
                    *(cells.money(r[b], cur, whole=not wide) for b in BUCKETS),
                    cells.money(r["total"], cur, "bold", whole=not wide)]

        table.set_rows(columns, frame.height, row_at, cursor=index)

    def on_resize(self) -> None:
        self.fill()

    def selected_client(self) -> int | None:
        table = self.query_one("#aging", FrameTable)
        frame = getattr(self, "sorted", None)
        if frame is None or not table.row_count or table.cursor_row >= frame.height:
            return None
        return int(frame["client_id"][table.cursor_row])

    def action_sort_next(self) -> None:
        keys = [k for k, _ in COLUMNS]
        self.sort_by = keys[(keys.index(self.sort_by) + 1) % len(keys)]
        self.descending = self.sort_by != "client"
        self.fill()
        self.notify(f"sorted by {self.sort_by}")

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.fill()

    def on_frame_table_header_clicked(self, event: FrameTable.HeaderClicked) -> None:
        key = event.key
        self.descending = not self.descending if key == self.sort_by else key != "client"
        self.sort_by = key
        self.fill()

    def on_frame_table_selected(self, event: FrameTable.Selected) -> None:
        event.stop()
        self.action_open_client()

    def action_open_client(self) -> None:
        client = self.selected_client()
        if client is not None:
            from .client import ClientScreen

            self.app.push_screen(ClientScreen(client))
