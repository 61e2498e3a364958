"""Read a CSV export as text: BOM, cp1252 fallback, row numbers, report headings and totals.

Every cell stays text (invoice 00123 keeps its zeros); control characters are cleaned out.
Accounting reports put a title block above the column titles, section headings ("Current",
a contact's name) between rows and "Total for ..." rows under them: those are told apart here.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..ledger.load import clean_text

DATA, HEADING, TOTAL = "data", "heading", "total"
MAX_FIELD = 1_000_000
HEADER_SCAN = 50
_TOTAL = re.compile(r"^total\b", re.IGNORECASE)


@dataclass
class Refusal:
    """One refused row of the file and why (row 0: the file as a whole)."""

    row: int
    reason: str

    def line(self) -> str:
        """'row 7: reason' (the reason alone for the whole file)."""
        return f"row {self.row}: {self.reason}" if self.row else self.reason


@dataclass
class Row:
    """A record of the file: its line number, cells, kind and the section heading above it."""

    number: int
    cells: list[str]
    kind: str = DATA
    section: str = ""


@dataclass
class Sheet:
    """The column titles, the rows under them and the text lines around them."""

    path: Path
    header: list[str]
    header_row: int
    rows: list[Row]
    notes: list[str] = field(default_factory=list)    # title block and footer lines
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def title_text(self) -> str:
        """The title block, headings and footer as one line (for recognising reports)."""
        return " | ".join(self.notes)


class CsvRefused(ValueError):
    """The file cannot be read as CSV at all (one line)."""


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding): UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def delimiter(text: str) -> str:
    """Comma, unless tabs or semicolons clearly separate the fields of the first lines."""
    lines = text.splitlines()[:30]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """(first line number, cleaned cells) of every record, blank records included."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out, start = [], 1
    try:
        for cells in reader:
            out.append((start, [clean_text(c).strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvRefused(f"row {start}: not readable as CSV ({exc})") from None
    return out


def filled(cells: list[str]) -> list[str]:
    """The non-empty cells."""
    return [c for c in cells if c]


def find_header(recs: list[tuple[int, list[str]]]) -> int:
    """Index of the column titles: the first record filling 2+ cells and half the widest."""
    widest = max((len(filled(c)) for _, c in recs[:HEADER_SCAN]), default=0)
    for i, (_, cells) in enumerate(recs[:HEADER_SCAN]):
        if len(filled(cells)) >= max(2, widest / 2):
            return i
    raise CsvRefused("no row of column titles found (a CSV file with two or more columns)")


def classify(cells: list[str]) -> str:
    """data, a section heading (one filled cell) or a total row ("Total for ...", "TOTAL")."""
    values = filled(cells)
    if values and _TOTAL.match(values[0]):
        return TOTAL
    return HEADING if len(values) == 1 else DATA


def read_sheet(path: Path) -> Sheet:
    """Read the whole file; rows with the wrong number of fields are refused by number."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    text, _ = decode(data)
    recs = records(text, delimiter(text))
    at = find_header(recs)
    header_row, header = recs[at]
    sheet = Sheet(path, header, header_row, [])
    sheet.notes = [" ".join(filled(c)) for _, c in recs[:at] if filled(c)]
    section = ""
    for number, cells in recs[at + 1:]:
        if not filled(cells):
            continue
        kind = classify(cells)
        if kind == HEADING:
            section = filled(cells)[0]
            sheet.notes.append(section)
        sheet.rows.append(Row(number, fit(cells, len(header), number, sheet), kind, section))
    return sheet


def fit(cells: list[str], width: int, number: int, sheet: Sheet) -> list[str]:
    """Cells padded to the header's width; a data row of another width is refused."""
    extra = cells[width:]
    if len(cells) == width or (len(cells) > width and not filled(extra)):
        return cells[:width]
    if classify(cells) == DATA:
        sheet.refusals.append(Refusal(number, f"{len(cells)} fields where the column titles "
                                              f"have {width}"))
    return (cells + [""] * width)[:width]
