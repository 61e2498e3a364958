"""`kpitui import` and `kpitui export` (registered on the main group by cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli_common import (
    AS_OF_OPTION,
    DB_OPTION,
    fail,
    one_line_errors,
    open_chosen,
    parse_as_of,
    today_for,
)
from . import EXPORT_FORMATS, IMPORT_FORMATS, KINDS, MONEY_STYLES, PANES


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto",
              show_default=True,
              help="The export's layout (auto: recognised by its column titles).")
@click.option("--kind", type=click.Choice(KINDS), default=None,
              help="What a generic file holds (default: told by its column titles).")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=field",
              help="Read COLUMN as a LEDGER.md field (repeatable), e.g. --map Inv=number.")
@click.option("--date-format", metavar="FMT",
              help="strftime pattern of the file's dates, e.g. %d/%m/%Y (ISO always works).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@one_line_errors
def import_cmd(file: Path, db: str | None, fmt: str, kind: str | None, maps: tuple[str, ...],
               date_format: str | None, dry_run: bool) -> None:
    """Import an accounting export (QuickBooks Online, Xero) or a generic CSV, all or nothing."""
    from .. import config
    from .importer import import_file
    from .parse import check_date_format

    if not file.is_file():
        fail(f"{file}: no such file")
    if date_format and check_date_format(date_format):
        fail(check_date_format(date_format))
    choice = config.choose_ledger(db)
    if choice.is_sample and not dry_run:
        fail("no ledger chosen, and the bundled sample is not for importing into: "
             "give --db PATH (create one with: kpitui init PATH)")
    outcome = import_file(choice.path, file, fmt=fmt, kind=kind, maps=maps,
                          date_format=date_format, dry_run=dry_run)
    for line in outcome.lines():
        click.echo(line)


@click.command("export")
@click.argument("pane", type=click.Choice(PANES))
@DB_OPTION
@AS_OF_OPTION
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="csv, json or md (default: from --output's suffix, else csv).")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--money", type=click.Choice(MONEY_STYLES), default="decimal", show_default=True,
              help="Money as decimals (1234.50) or integer cents (123450).")
@one_line_errors
def export_cmd(pane: str, db: str | None, as_of: str | None, fmt: str | None,
               output: Path | None, money: str) -> None:
    """Export one pane's figures (overview, aging, queue, pipeline, partners, goals)."""
    from ..kpis.cockpit import compute
    from .export import export_pane

    when = parse_as_of(as_of)
    fmt = fmt or suffix_format(output)
    _, ledger = open_chosen(db)
    cockpit = compute(ledger, today_for(ledger, when), with_series=False)
    text = export_pane(ledger, cockpit, pane, fmt, money)
    if output is None:
        click.echo(text, nl=False)
        return
    write_file(output, text)
    click.echo(f"kpitui: wrote the {pane} pane ({fmt}) to {output}", err=True)


def suffix_format(output: Path | None) -> str:
    """json or md when --output ends so; csv otherwise."""
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return {"json": "json", "md": "md", "markdown": "md"}.get(suffix, "csv")


def write_file(path: Path, text: str) -> None:
    """Write the export atomically; a problem is one line and exit 2."""
    from .export import write_export

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(f"cannot write {path}: {folder} is not a directory")
    try:
        write_export(path, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
