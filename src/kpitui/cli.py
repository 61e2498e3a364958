"""The command line: the app (no subcommand), summary, init, check, demo, import, export.

Every ledger problem is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import date
from pathlib import Path

# Polars' allocator (jemalloc) keeps freed pages for 10 s by default: a summary of a million
# invoices peaked at 670 MB, 530 MB when they go back within 0.2 s, at no cost in time
# (bench/README.md). Read when Polars is first loaded, so set before any import of it; a
# value already in the environment wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:200,muzzy_decay_ms:0")

import click  # noqa: E402

from . import config
from .cli_common import (
    AS_OF_OPTION,
    DB_OPTION,
    fail,
    one_line_errors,
    open_chosen,
    parse_as_of,
    today_for,
)
from .ledger.errors import LedgerError
from .transfer.commands import export_cmd, import_cmd


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h",
                                                                                   "--help"]})
@DB_OPTION
@AS_OF_OPTION
@click.option("--theme", metavar="NAME", help="Theme (remembered in config.toml).")
@click.option("--read-only", "read_only", is_flag=True, help="Look, never write.")
@click.version_option(package_name="kpitui")
@click.pass_context
def main(ctx: click.Context, db: str | None, as_of: str | None, theme: str | None,
         read_only: bool) -> None:
    """kpitui: where the money is, in ten seconds. With no command, opens the cockpit."""
    if ctx.invoked_subcommand is None:
        run_app(db, parse_as_of(as_of), theme, read_only)


@one_line_errors
def run_app(db: str | None, as_of: date | None, theme: str | None, read_only: bool) -> None:
    """Open the Textual app, after checking the ledger opens (a bad file is one line, exit 2)."""
    if not sys.stdout.isatty():
        fail("the cockpit needs a terminal; for a report use: kpitui summary "
             "(or kpitui summary --json)")
    from .ledger.connection import open_ledger

    choice = config.choose_ledger(db)
    path = config.sample_scratch() if choice.is_sample else choice.path
    open_ledger(path, readonly=read_only).close()
    from .app.app import KpiApp

    KpiApp(db=path, as_of=as_of, theme_name=theme, is_sample=choice.is_sample,
           readonly=read_only).run()


@main.command()
@DB_OPTION
@AS_OF_OPTION
@click.option("--json", "as_json", is_flag=True, help="The KPIS.md JSON object on stdout.")
@one_line_errors
def summary(db: str | None, as_of: str | None, as_json: bool) -> None:
    """Every figure at once: a compact report, or the KPIS.md JSON object."""
    from .kpis.cockpit import compute
    from .kpis.summary import to_json

    when = parse_as_of(as_of)
    choice, ledger = open_chosen(db, lean=True)
    d = today_for(ledger, when)
    cockpit = compute(ledger, d, with_series=False)
    if as_json:
        click.echo(to_json(ledger, cockpit))
    else:
        from .report import text_report

        click.echo(text_report(ledger, cockpit, sample=choice.is_sample))
    leave_at_once()


def leave_at_once() -> None:
    """Exit as soon as the output is out. Tearing the interpreter down frees a big ledger's
    frames one object at a time: 0.1 s at a million invoices, after the answer was complete.
    Only as a real process (a test's CliRunner swaps stdout, and must live on)."""
    if sys.stdout is not sys.__stdout__:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:   # a closed pipe: the usual exit reports it
        return
    os._exit(0)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
def init(path: Path) -> None:
    """Create an empty format-1 ledger (WAL, with its indexes) at PATH."""
    from .ledger.schema import create

    if path.exists():
        fail(f"{path} already exists; kpitui init never overwrites a file")
    if not path.parent.exists():
        fail(f"{path.parent} does not exist")
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        create(conn)
        conn.close()
    except sqlite3.Error as exc:
        fail(f"could not create {path}: {exc}")
    click.echo(f"created an empty kpitui ledger at {path}")


@main.command()
@DB_OPTION
@one_line_errors
def check(db: str | None) -> None:
    """Check the file (quick_check) and list data problems a person should fix; exit 1 if any."""
    from .kpis.quality import data_problems, notes
    from .ledger.connection import open_ledger, quick_check
    from .ledger.load import load

    choice = config.choose_ledger(db)
    handle = open_ledger(choice.path, readonly=True)
    try:
        damage = quick_check(handle)
        ledger = load(handle)
    except LedgerError:
        if not damage:
            raise
        ledger = None   # too damaged to read: the damage is the report
    finally:
        handle.close()
    problems = damage
    if ledger is not None:
        problems += [p.line() for p in ledger.problems] + data_problems(ledger)
    for line in problems:
        click.echo(f"problem: {line}")
    for line in notes(ledger) if ledger is not None else []:
        click.echo(f"note: {line}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {choice.path}")
        sys.exit(1)
    click.echo(f"{choice.path}: no problems found")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--seed", default=None, type=int, help="Random seed (default 7).")
@click.option("--clients", default=None, type=click.IntRange(1, 200_000),
              help="How many clients (default 150).")
def demo(path: Path, seed: int | None, clients: int | None) -> None:
    """Write a believable MSP ledger to PATH (sample.db is its default output)."""
    from . import demo as demo_mod

    if path.exists():
        fail(f"{path} already exists; kpitui demo never overwrites a file")
    demo_mod.generate(path, seed=demo_mod.DEFAULT_SEED if seed is None else seed,
                      clients=demo_mod.DEFAULT_CLIENTS if clients is None else clients)
    click.echo(f"wrote a demo ledger to {path}")


main.add_command(import_cmd)
main.add_command(export_cmd)
