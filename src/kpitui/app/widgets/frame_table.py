"""FrameTable: a virtual table. Only the rows on screen are ever formatted or drawn.

The built-in DataTable measures every cell (about 5 s for 10k rows, 50 s for 100k, with the
UI frozen: PERF-BASELINES.md), so a queue of every overdue invoice of a big MSP cannot live in
it. FrameTable asks for a row only when it scrolls into view (`row_at(i)` -> cells), so
opening and paging cost the same at 100 rows or 100,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

HEADER = 1  # lines above the rows


@dataclass
class Column:
    """A column: key, header label, width in cells, and alignment."""

    key: str
    label: str
    width: int
    justify: str = "left"


class FrameTable(ScrollView, can_focus=True):
    """Rows are fetched lazily by index; the cursor is a row index."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES = {"frame-table--header", "frame-table--cursor", "frame-table--odd"}

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: FrameTable, index: int) -> None:
            super().__init__()
            self.table, self.index = table, index

    class Selected(Message):
        """Enter (or a click on the current row) on a row."""

        def __init__(self, table: FrameTable, index: int) -> None:
            super().__init__()
            self.table, self.index = table, index

    class HeaderClicked(Message):
        """A column header was clicked (sort by it)."""

        def __init__(self, table: FrameTable, key: str) -> None:
            super().__init__()
            self.table, self.key = table, key

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.columns: list[Column] = []
        self.row_count = 0
        self.cursor_row = 0
        self._row_at: Callable[[int], list[Text]] = lambda i: []
        self._lines: dict[int, Text] = {}

    # -- data -------------------------------------------------------------------------
    def set_rows(self, columns: list[Column], count: int,
                 row_at: Callable[[int], list[Text]], cursor: int = 0) -> None:
        """Show `count` rows; `row_at(i)` gives row i's cells when it comes into view."""
        self.columns, self.row_count, self._row_at = columns, count, row_at
        self._lines.clear()
        width = sum(c.width + 2 for c in columns)
        self.virtual_size = Size(width, count + HEADER)
        self.cursor_row = max(0, min(cursor, count - 1)) if count else 0
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_row))

    def get_row_at(self, index: int) -> list[Text]:
        """Row `index`'s cells (what a person reads)."""
        return self._row_at(index)

    # -- drawing ----------------------------------------------------------------------
    def _line(self, cells: list[Text]) -> Text:
        line = Text(no_wrap=True)
        for col, cell in zip(self.columns, cells, strict=False):
            cell = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            cell.no_wrap = True
            cell.truncate(col.width, overflow="ellipsis")
            pad = col.width - cell.cell_len
            left = pad if col.justify == "right" else 0
            line.append(" " * (1 + left))
            line.append(cell)
            line.append(" " * (1 + pad - left))
        return line

    def _row_line(self, index: int) -> Text:
        if index not in self._lines:
            if len(self._lines) > 2000:
                self._lines.clear()
            self._lines[index] = self._line(self._row_at(index))
        return self._lines[index]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if y < HEADER:
            text = self._line([Text(c.label) for c in self.columns])
            style = self.get_component_rich_style("frame-table--header")
        else:
            index = scroll_y + y - HEADER
            if index >= self.row_count:
                return Strip.blank(width, self.rich_style)
            text = self._row_line(index)
            style = self.rich_style
            if index == self.cursor_row:   # a marker too: NO_COLOR greys the highlight away
                text = Text("▸", style="bold") + text[1:]
                style = style + self.get_component_rich_style("frame-table--cursor")
            elif index % 2:
                style = style + self.get_component_rich_style("frame-table--odd")
        segments = [Segment(s.text, style + s.style if s.style else style)
                    for s in text.render(self.app.console)]
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, style)
        return strip

    # -- cursor -----------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        """Put the cursor on row `row` (clamped) and keep it in view."""
        if not self.row_count:
            return
        row = max(0, min(row, self.row_count - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self.post_message(self.Highlighted(self, row))
        self._scroll_cursor_into_view()
        self.refresh()

    def _page_size(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER)

    def _scroll_cursor_into_view(self) -> None:
        top = self.scroll_offset.y
        page = self._page_size()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._page_size())

    def action_jump(self, where: int) -> None:
        self.move_cursor(0 if where == 0 else self.row_count - 1)

    def action_select(self) -> None:
        if self.row_count:
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        """A header click sorts; a row click moves the cursor (again: opens)."""
        y = event.y
        if y < HEADER:
            x = event.x + self.scroll_offset.x
            for col in self.columns:
                if x < col.width + 2:
                    self.post_message(self.HeaderClicked(self, col.key))
                    return
                x -= col.width + 2
            return
        index = self.scroll_offset.y + y - HEADER
        if 0 <= index < self.row_count:
            if index == self.cursor_row:
                self.action_select()
            self.move_cursor(index)

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()
