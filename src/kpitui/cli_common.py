"""What every command shares: one-line errors (exit 2), the ledger choice, the as-of date."""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from . import config
from .ledger.errors import LedgerError

EXIT_UNUSABLE = 2


def fail(message: str, status: int = EXIT_UNUSABLE) -> None:
    """Print one line on stderr and exit."""
    click.echo(f"kpitui: {message}", err=True)
    sys.exit(status)


def one_line_errors(fn: Callable) -> Callable:
    """Turn ledger problems into one line and exit status 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LedgerError as exc:
            fail(str(exc))
        except sqlite3.DatabaseError as exc:
            from .ledger.connection import describe

            fail(describe(exc, Path(kwargs.get("db") or "ledger")))
    return wrapper


def parse_as_of(value: str | None) -> date | None:
    """--as-of YYYY-MM-DD, refused in one line when it is not a real date."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not a date like 2026-11-23")
    return None


def open_chosen(db: str | None, *, readonly: bool = True, lean: bool = False):
    """Resolve, open and load the ledger; say on stderr when the sample is in use.
    lean: leave out the columns the figures need for a few rows only (fetch.LEAN)."""
    from .ledger import fetch
    from .ledger.connection import open_ledger

    choice = config.choose_ledger(db)
    if choice.is_sample:
        click.echo("kpitui: SAMPLE DATA - the bundled sample ledger is open "
                   "(use --db PATH or $KPITUI_DB for yours)", err=True)
    handle = open_ledger(choice.path, readonly=readonly)
    try:
        reading = fetch.start(handle, lean)   # the tables arrive while Polars is imported
        from .kpis import cockpit  # noqa: F401 - imported now, during the read
        from .ledger.load import load

        ledger = load(handle, reading)
    finally:
        handle.close()
    if ledger.problems:
        click.echo(f"kpitui: {ledger.bad_rows} unsound rows set apart "
                   f"(see: kpitui check --db {choice.path})", err=True)
    return choice, ledger


def today_for(ledger, as_of: date | None) -> date:
    """--as-of, else the ledger's pinned meta.as_of, else the machine's date."""
    return as_of or ledger.pinned_as_of or date.today()


DB_OPTION = click.option("--db", metavar="PATH", help="Ledger file (default: $KPITUI_DB, "
                         "config.toml, then the bundled sample).")
AS_OF_OPTION = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                            help="Compute as of this date.")
