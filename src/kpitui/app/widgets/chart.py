"""Bar charts drawn by plotext 6, shown as plain text in the theme's colour (redrawn on resize)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def bar_chart(labels: list[str], values: list[float], width: int, height: int,
              line: float | None = None) -> str:
    """plotext's rendering, colours stripped (the theme colours it; NO_COLOR stays readable)."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.theme("clear")
    fig.plot_size(max(width, 20), max(height, 5))
    fig.draw(fig.bar(labels, values))
    if line is not None:
        fig.line(line)
    return Text.from_ansi(fig.build().string()).plain


class BarChart(Static):
    """A plotext bar chart that fits its widget."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.labels: list[str] = []
        self.values: list[float] = []
        self.line: float | None = None

    def plot(self, labels: list[str], values: list[float], line: float | None = None) -> None:
        self.labels, self.values, self.line = labels, values, line
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if not self.labels or self.size.width < 10:
            self.update("")
            return
        self.update(Text(bar_chart(self.labels, self.values, self.size.width,
                                   self.size.height, self.line), no_wrap=True))
