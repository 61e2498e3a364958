"""5 Partners: the program on one line, then one scorecard row per partner, sortable by any
shown column; Enter opens the partner (chart, costs, clients, deals).

Columns: the partner name and as many figures as fit, in order of importance (revenue,
status, variance, ROI, costs, profit, target, margin, won deals, new clients, CAC, CLV); a
wider terminal shows more of them, and the detail screen shows every figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...kpis.money import fmt_money, fmt_short
from ..state import Loaded
from ..widgets import cells
from .base import Pane

if TYPE_CHECKING:
    import polars as pl

# key -> (label, kind); in display order
COLUMNS = {"partner": ("Partner", "text"), "revenue": ("Revenue", "money"),
           "costs": ("Costs", "money"), "profit": ("Profit", "money"),
           "margin": ("Margin %", "pct"), "roi": ("ROI %", "pct"), "new": ("New", "int"),
           "cac": ("CAC", "money"), "clv": ("CLV", "money"), "won": ("Won", "int"),
           "target": ("Target", "money"), "variance": ("Var %", "var"),
           "status": ("Status", "status")}
PRIORITY = ("revenue", "status", "variance", "roi", "costs", "profit", "target", "margin",
            "won", "new", "cac", "clv")
NAME_MIN = 18


def cell_text(kind: str, value: object) -> str:
    """How one scorecard value reads in the table (money in whole units)."""
    if value is None:
        return "-"
    if kind == "pct":
        return f"{value:.0f}"
    if kind == "var":
        return f"{value:+.1f}"
    return str(value)


class PartnersPane(Pane):
    """Trailing-12-month scorecards, status as a word and a colour."""

    BINDINGS = [
        Binding("enter", "open_partner", "Partner detail"),
        Binding("s", "sort_next", "Sort column"),
        Binding("r", "sort_reverse", "Reverse"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sort_by = "revenue"
        self.descending = True
        self.frame: pl.DataFrame | None = None
        self.shown: list[str] = list(COLUMNS)

    def compose(self) -> ComposeResult:
        """The program line above the scorecards table."""
        yield Static("", id="program")
        yield DataTable(id="scorecards", cursor_type="row", zebra_stripes=True)

    def show(self, loaded: Loaded) -> None:
        """Take the Cockpit's scorecards as a frame and fill the table."""
        from ...kpis.partner_detail import card_frame

        self.frame = card_frame(loaded.cockpit.partners)
        self.fill()

    def program_text(self) -> Text:
        """Total revenue and cost, blended ROI, partners per status; what is hidden and why."""
        from ...kpis.partner_detail import STATUSES, program

        loaded = self.app.loaded
        prog, cur = program(loaded.cockpit.partners), self.currency
        wide = (self.size.width or 80) >= 100

        def money(cents: int) -> str:
            return fmt_money(cents, cur, decimals=False) if wide else fmt_short(cents, cur)
        roi = "-" if prog.roi_pct is None else f"{prog.roi_pct:.0f}%"
        out = Text(" Program, 12 mo: ", style="bold", no_wrap=True, overflow="ellipsis")
        out.append(f"revenue {money(prog.revenue_cents)} · costs {money(prog.costs_cents)} · ")
        if wide:
            out.append(f"profit {money(prog.profit_cents)} · ")
        out.append(f"blended ROI {roi}\n ")
        for i, word in enumerate(STATUSES):
            out.append(f"{prog.by_status[word]} ")
            out.append_text(cells.status(self.app, word))
            out.append(" · " if i < len(STATUSES) - 1 else "")
        hidden = len(COLUMNS) - len(self.shown)
        if hidden:
            out.append(f"   (+{hidden} columns when wider)", style="dim")
        return out

    def widths(self, *, any_arrow: bool = False) -> dict[str, int]:
        """Each figure column's width: its widest cell or its label (with the sort arrow on
        the sorted column, or on every column: then sorting never changes what fits)."""
        out = {}
        for key, (label, kind) in COLUMNS.items():
            if key == "partner":
                continue
            texts = [self.cell(kind, v).plain for v in self.frame[key].to_list()]
            arrow = 2 if any_arrow or key == self.sort_by else 0
            out[key] = max([len(label) + arrow, *map(len, texts)])
        return out

    def cell(self, kind: str, value: object) -> Text:
        """One scorecard value as a table cell."""
        if kind == "money":
            return cells.money(value, self.currency, whole=True)
        if kind == "status":
            return cells.status(self.app, value)
        if kind == "text":
            return cells.plain(value)
        return cells.number(cell_text(kind, value))

    def choose_columns(self, width: int) -> list[str]:
        """The partner name and the most important figures that fit (in display order)."""
        widths = self.widths(any_arrow=True)
        room = width - 2 - (NAME_MIN + 2) - 2
        chosen = set()
        for key in PRIORITY:
            if widths[key] + 2 > room:
                break
            chosen.add(key)
            room -= widths[key] + 2
        self.shown = ["partner", *(k for k in COLUMNS if k in chosen)]
        return [k for k in COLUMNS if k in chosen]

    def fill(self) -> None:
        """Refill the table in the chosen order, keeping the cursor on the same partner."""
        from ...kpis.partner_detail import sort_cards

        if self.frame is None:
            return
        table = self.query_one("#scorecards", DataTable)
        keep = self.selected_partner()
        width = self.size.width or 80
        figures = self.choose_columns(width)
        widths = self.widths()
        name_w = max(NAME_MIN, width - 2 - sum(widths[k] + 2 for k in figures) - 2)
        cells.set_columns(table, [("partner", self.label("partner"), name_w),
                                  *((k, self.label(k), widths[k]) for k in figures)])
        for r in sort_cards(self.frame, self.sort_by, self.descending).iter_rows(named=True):
            table.add_row(*(self.cell(COLUMNS[k][1], r[k]) for k in self.shown),
                          key=str(r["partner_id"]))
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self.query_one("#program", Static).update(self.program_text())

    def label(self, key: str) -> str:
        """A column label, with an arrow on the sorted column."""
        label = COLUMNS[key][0]
        return f"{label} {'▼' if self.descending else '▲'}" if key == self.sort_by else label

    def on_resize(self) -> None:
        """Which columns fit depends on the width."""
        self.fill()

    def selected_partner(self) -> int | None:
        """The id of the highlighted partner."""
        table = self.query_one("#scorecards", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def sort_on(self, key: str) -> None:
        """Sort by a column: names and status ascending first, figures biggest first."""
        self.descending = not self.descending if key == self.sort_by else \
            key not in ("partner", "status")
        self.sort_by = key
        self.fill()

    def action_sort_next(self) -> None:
        """s: sort by the next shown column."""
        keys = self.shown
        nxt = keys[(keys.index(self.sort_by) + 1) % len(keys)] if self.sort_by in keys \
            else keys[0]
        self.sort_by = ""
        self.sort_on(nxt)
        self.notify(f"sorted by {COLUMNS[nxt][0]}")

    def action_sort_reverse(self) -> None:
        """r: reverse the order."""
        self.descending = not self.descending
        self.fill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it (again: reverses)."""
        event.stop()
        self.sort_on(event.column_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on the table opens the partner."""
        event.stop()
        self.action_open_partner()

    def action_open_partner(self) -> None:
        """Open the highlighted partner's detail screen."""
        pid = self.selected_partner()
        if pid is not None:
            from .partner_detail import PartnerScreen

            self.app.push_screen(PartnerScreen(pid))
