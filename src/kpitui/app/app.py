"""KpiApp: tabs for the five panes, the as-of date, loading in workers, writes, change watching."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from .header import CockpitHeader
from .panes.base import DetailScreen
from .panes.collections import CollectionsPane
from .panes.overview import OverviewPane
from .panes.partners import PartnersPane
from .panes.pipeline import PipelinePane
from .panes.receivables import ReceivablesPane
from .state import Loaded, Session
from .themes import DEFAULT_THEME, STATUS_DEFAULTS, load_themes, rich_colour
from .widgets.footer import KeyFooter

PANES = (("overview", "1 Overview", OverviewPane), ("receivables", "2 Receivables",
                                                     ReceivablesPane),
         ("collections", "3 Collections", CollectionsPane), ("pipeline", "4 Pipeline",
                                                            PipelinePane),
         ("partners", "5 Partners", PartnersPane))
WATCH_SECONDS = 1.0


def shift_month(d: date, months: int) -> date:
    """The same day `months` away, clamped to the month's end."""
    import calendar

    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


class KpiApp(App):
    """The finance owner's morning cockpit."""

    # Each pane, screen and widget keeps its layout in a .tcss file beside its module.
    CSS_PATH = ["app.tcss", "help.tcss",
                *(f"panes/{name}.tcss" for name in ("overview", "receivables", "collections",
                                                    "pipeline", "partners", "client",
                                                    "partner_detail")),
                *(f"widgets/{name}.tcss" for name in ("frame_table", "tile", "chart", "forms"))]
    TITLE = "kpitui"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall")]
    BINDINGS = [
        Binding("1", "pane('overview')", "Overview", show=False),
        Binding("2", "pane('receivables')", "Receivables", show=False),
        Binding("3", "pane('collections')", "Collections", show=False),
        Binding("4", "pane('pipeline')", "Pipeline", show=False),
        Binding("5", "pane('partners')", "Partners", show=False),
        Binding("left_square_bracket", "shift(-1)", "Month back"),
        Binding("right_square_bracket", "shift(1)", "Month fwd"),
        Binding("t", "today", "Today"),
        Binding("g", "reload", "Reload"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, db: Path, as_of: date | None = None, theme_name: str | None = None,
                 is_sample: bool = False, readonly: bool = False) -> None:
        super().__init__()
        self.readonly = readonly
        self.db = Path(db)
        self.requested_as_of = as_of
        self.requested_theme = theme_name
        self.is_sample = is_sample
        self.session: Session | None = None
        self.loaded: Loaded | None = None
        self.as_of: date | None = None
        self.stale: set[str] = set()     # panes whose figures are older than self.loaded
        # The theme is set before the first frame: set on mount, it restyled every widget
        # again (0.2 s of the first frame).
        for theme in load_themes():
            self.register_theme(theme)
        self.theme_notice: tuple[str, str] | None = None
        self.theme = self.pick_theme()

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield CockpitHeader(id="header")
        yield Static("", id="banner")
        with TabbedContent(id="main"):
            for key, title, pane in PANES:
                with TabPane(title, id=f"tab-{key}"):
                    yield pane(id=key)
        yield Static("Terminal too small: kpitui needs at least 60x16 (80x24 is best).\n"
                     "Enlarge the window, or use: kpitui summary", id="too-small")
        yield KeyFooter()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_DEFAULTS)

    def status_colour(self, variable: str) -> str:
        """A status variable of the current theme as a Rich colour."""
        return rich_colour(self.theme_variables.get(variable, STATUS_DEFAULTS.get(variable)))

    def on_mount(self) -> None:
        if self.theme_notice:
            message, severity = self.theme_notice
            self.notify(message, markup=False, severity=severity)
        self.query_one("#main").loading = True
        self.load_ledger()
        self.set_interval(WATCH_SECONDS, self.watch_ledger)

    def pick_theme(self) -> str:
        """The theme asked for (--theme, else the remembered one), if it exists and can be
        read; what was wrong with it waits in theme_notice until there is a screen."""
        import os

        from ..config import read_config, write_setting

        wanted = self.requested_theme or read_config().get("theme") or DEFAULT_THEME
        ansi = getattr(self.available_themes.get(wanted), "ansi", False)
        if os.environ.get("NO_COLOR") and ansi:
            # Textual greys ANSI-only themes to black on black under NO_COLOR.
            self.theme_notice = (f"NO_COLOR is set: {wanted} would be unreadable, using "
                                 f"{DEFAULT_THEME}", "information")
            return DEFAULT_THEME
        if wanted not in self.available_themes:
            self.theme_notice = (f"no theme named {wanted!r}; using {DEFAULT_THEME}",
                                 "warning")
            return DEFAULT_THEME
        if self.requested_theme:
            write_setting("theme", wanted)
        return wanted

    def watch_theme(self, name: str) -> None:
        """Remember a theme picked from the palette; recolour the status words."""
        from ..config import write_setting

        if self.session is not None and name != self.requested_theme:
            with contextlib.suppress(OSError):
                write_setting("theme", name)
        if self.loaded is not None:
            self.show(self.loaded)

    # -- loading and computing (workers: the UI never waits) ------------------------------
    @work(thread=True, exclusive=True, group="ledger")
    def load_ledger(self) -> None:
        """Open (once) and read the whole ledger, then compute at the as-of date."""
        from ..kpis.cockpit import compute
        from ..ledger.connection import open_ledger
        from ..ledger.errors import LedgerError
        from ..ledger.load import load

        try:
            if self.session is None:
                handle = open_ledger(self.db, readonly=self.readonly)
                pinned = load(handle)
                today = self.requested_as_of or pinned.pinned_as_of or date.today()
                self.session = Session(handle, today)
                self.session.changed_elsewhere()
                ledger = pinned
            else:
                with self.session.lock:
                    ledger = load(self.session.handle)
            self.as_of = self.as_of or self.session.today
            loaded = Loaded(ledger, compute(ledger, self.as_of))
        except LedgerError as exc:
            self.call_from_thread(self.fatal, str(exc))
            return
        first = self.loaded is None
        self.call_from_thread(self.show, loaded)
        if first:
            self.call_from_thread(self.check_file)

    @work(thread=True, group="check")
    def check_file(self) -> None:
        """After the first frame: PRAGMA quick_check on a connection of its own (no lock held
        on the app's). A damaged file turns the app read-only, with a red banner."""
        from ..ledger.connection import connect, quick_check_conn

        session = self.session
        conn = connect(self.db, "ro", session.handle.immutable)
        try:
            damage = quick_check_conn(conn)
        finally:
            conn.close()
        if damage:
            session.handle.readonly = True
            session.handle.why_readonly = "the file is damaged: kpitui check lists what"
            self.call_from_thread(self.show_damage, damage)

    def show_damage(self, damage: list[str]) -> None:
        from rich.text import Text

        banner = self.query_one("#banner", Static)
        banner.update(Text(f" DAMAGED FILE - read-only until repaired. {damage[0]}  "
                           f"(kpitui check --db {self.db})", no_wrap=True, overflow="ellipsis"))
        banner.add_class("-shown")
        if self.loaded is not None:
            self.show(self.loaded)

    @work(thread=True, exclusive=True, group="ledger")
    def recompute(self) -> None:
        """Figures at a new as-of date from the frames already in memory."""
        from ..kpis.cockpit import compute

        if self.loaded is None or self.as_of is None:
            return
        loaded = Loaded(self.loaded.ledger, compute(self.loaded.ledger, self.as_of))
        self.call_from_thread(self.show, loaded)

    def fatal(self, message: str) -> None:
        self.query_one("#main").loading = False
        self.notify(message, title="Cannot open the ledger", severity="error", markup=False,
                    timeout=30)

    def show(self, loaded: Loaded) -> None:
        """Hand fresh figures to every pane and the header."""
        self.loaded = loaded
        session = self.session
        self.query_one("#main").loading = False
        self.query_one(CockpitHeader).show(
            loaded.ledger.company, self.db, self.as_of, session.today if session else None,
            sample=self.is_sample, readonly=session.handle.why_readonly if session else "",
            warnings=loaded.ledger.bad_rows)
        # Only the pane on screen redraws now; the others when they are next shown (an action
        # on a big ledger must not wait for five panes).
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        self.stale = {key for key, _, _ in PANES} - {active}
        self.query_one(f"#{active}").show(loaded)
        for screen in self.screen_stack:   # a client or partner open over the panes
            if isinstance(screen, DetailScreen) and screen.is_mounted:
                screen.show(loaded)

    def watch_ledger(self) -> None:
        """Reload by itself when another program commits to the ledger."""
        if self.session is not None and self.session.changed_elsewhere():
            self.load_ledger()

    # -- writes ---------------------------------------------------------------------------
    def write_refusal(self) -> str:
        """Why writes are refused right now, or '' when they are allowed."""
        if self.session is None or self.loaded is None:
            return "the ledger is still loading"
        if self.session.handle.readonly:
            return f"read-only ledger ({self.session.handle.why_readonly})"
        if self.as_of != self.session.today:
            return (f"viewing {self.as_of}: actions are taken today "
                    f"({self.session.today}); press t first")
        return ""

    @work(thread=True, group="write")
    def perform(self, action: Callable, on_done: Callable | None = None,
                on_error: Callable[[str], None] | None = None) -> None:
        """Run one ledger action (one transaction), then refresh only what it wrote."""
        from ..kpis.cockpit import compute
        from ..kpis.receivables import carry_over
        from ..ledger.errors import LedgerError
        from ..ledger.load import load, refresh

        session = self.session
        version = "PRAGMA data_version"
        try:
            with session.lock:
                # Another program's commit since the last poll must not pass for seen.
                others = session.handle.conn.execute(version).fetchone()[0]
                written = action(session.handle, session.today)
                changed = written.rows()
                before = self.loaded
                if others != session.data_version:
                    ledger, before = load(session.handle), None   # everything may differ
                else:
                    ledger = refresh(session.handle, before.ledger, changed)
                    carry_over(before.ledger, ledger, changed)
                session.data_version = session.handle.conn.execute(version).fetchone()[0]
        except LedgerError as exc:
            self.call_from_thread(on_error or self.notify_error, str(exc))
            return
        if written.followups and written.undoable:
            session.undo_stack.append(written.followups[-1])
        loaded = Loaded(ledger, compute(ledger, self.as_of, before=before and before.cockpit,
                                        changed=written.tables()))
        self.call_from_thread(self.show, loaded)
        if on_done:
            self.call_from_thread(on_done)

    def notify_error(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)

    # -- actions --------------------------------------------------------------------------
    def action_pane(self, key: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == f"tab-{key}":
            self.query_one(f"#{key}").focus_main()
        tabs.active = f"tab-{key}"     # TabActivated redraws a stale pane and focuses it

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        key = event.pane.id.removeprefix("tab-")
        if key in self.stale and self.loaded is not None:
            self.stale.discard(key)
            self.query_one(f"#{key}").show(self.loaded)
        self.query_one(f"#{key}").focus_main()

    def action_shift(self, months: int) -> None:
        if self.as_of is None:
            return
        self.as_of = shift_month(self.as_of, months)
        self.recompute()

    def action_today(self) -> None:
        if self.session is None:
            return
        self.as_of = self.session.today
        self.recompute()

    def set_as_of(self, when: date) -> None:
        self.as_of = when
        self.recompute()

    def action_reload(self) -> None:
        self.notify("reloading the ledger")
        self.load_ledger()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.push_screen(HelpScreen())

    EXPORT_NAMES = {"overview": "overview", "receivables": "aging", "collections": "queue",
                    "pipeline": "pipeline", "partners": "partners"}

    def export_current_pane(self) -> None:
        """Write the pane on screen to a CSV file (as `kpitui export` would) and say where."""
        from ..config import data_dir
        from ..transfer.export import export_filename, export_pane, write_export

        if self.loaded is None or self.as_of is None:
            return
        key = self.query_one(TabbedContent).active.removeprefix("tab-")
        pane = self.EXPORT_NAMES[key]
        text = export_pane(self.loaded.ledger, self.loaded.cockpit, pane, "csv", "decimal")
        name = export_filename(pane, "csv", self.as_of)
        for folder in (Path.cwd(), data_dir() / "exports"):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_export(folder / name, text)
            except OSError:
                continue
            self.notify(f"exported {pane} to {folder / name}", markup=False)
            return
        self.notify_error("could not write the export anywhere (no writable folder)")

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        from .commands import cockpit_commands

        yield from cockpit_commands(self)
