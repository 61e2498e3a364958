"""Which export a CSV is (by its column titles), and its rows as typed records.

Layouts: QuickBooks Online's invoice list and A/R Aging Detail, Xero's invoice export (one
row per line item) and Aged Receivables, and a generic file whose titles are LEDGER.md field
names (`client`, `partner`, `invoice` are names/numbers in place of the *_id columns).
`--map COLUMN=field` gives any other title a field's meaning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..ledger.schema import PAYMENT_METHODS
from . import parse
from .csvread import HEADING, TOTAL, CsvRefused, Refusal, Row, Sheet, read_sheet

DATES = {"issued_on", "due_on", "written_off_on", "paid_on", "since", "churned_on", "started_on",
         "created_on", "qualified_on", "appointment_on", "proposal_on", "closed_on"}
MONEY = {"amount", "open_balance", "paid", "annual_target", "mrr", "onetime", "total", "due",
         "credited", "line_amount", "tax_amount"}
FLAGS = {"recurring", "void", "autopay"}
INTS = {"terms_days", "revenue_share_bp", "upsell_offered", "upsell_taken"}
METHODS = {"cheque": "check", "credit card": "card", "debit card": "card", "eft": "ach",
           "direct debit": "ach", "bank transfer": "wire", "transfer": "wire"}
PARTNER_KINDS = ("referral", "vendor", "reseller", "distributor")

QBO_FIELDS = {
    "number": ("Num", "No.", "Number", "Invoice Number", "Invoice No"),
    "client": ("Customer", "Name", "Customer full name", "Customer Name"),
    "issued_on": ("Date", "Invoice Date", "Transaction Date"),
    "due_on": ("Due Date",), "amount": ("Amount", "Total"),
    "open_balance": ("Open Balance", "Balance"), "type": ("Transaction Type", "Type"),
    "currency": ("Currency",)}
XERO_FIELDS = {
    "number": ("InvoiceNumber",), "client": ("ContactName",), "email": ("EmailAddress",),
    "issued_on": ("InvoiceDate",), "due_on": ("DueDate",), "total": ("Total",),
    "paid": ("InvoiceAmountPaid",), "due": ("InvoiceAmountDue",), "line_amount": ("LineAmount",),
    "tax_amount": ("TaxAmount",), "status": ("Status",), "type": ("Type",),
    "currency": ("Currency",)}
AGED_FIELDS = {
    "number": ("Invoice Number", "Number", "Reference"), "client": ("Contact", "ContactName"),
    "issued_on": ("Invoice Date", "Date"), "due_on": ("Due Date",),
    "total": ("Total", "Invoice Total"), "paid": ("Paid",), "credited": ("Credited",),
    "due": ("Due", "Amount Due"), "currency": ("Currency",)}
INVOICE_KEYS = (("number",), ("client",), ("issued_on",), ("due_on",))

# Generic files: LEDGER.md field names. Money fields take decimals (`amount`) or cents
# (`amount_cents`); `client`, `partner` are names and `invoice` a number.
GENERIC = {
    "invoices": ("number client issued_on due_on amount", "email recurring void "
                 "written_off_on paid_on paid method open_balance"),
    "payments": ("invoice paid_on amount", "method"),
    "clients": ("name", "email phone terms_days autopay partner since churned_on"),
    "partners": ("name", "kind started_on revenue_share_bp annual_target"),
    "opportunities": ("name created_on", "client partner source owner qualified_on "
                      "appointment_on proposal_on closed_on outcome mrr onetime "
                      "upsell_offered upsell_taken"),
}
SIGNATURES = (("invoices", {"number"}), ("payments", {"invoice", "paid_on"}),
              ("opportunities", {"created_on"}), ("partners", {"revenue_share_bp"}),
              ("partners", {"annual_target"}), ("partners", {"started_on"}),
              ("clients", {"name"}))


@dataclass(frozen=True)
class Layout:
    """A file layout: its fields and the column titles each may have."""

    name: str
    label: str
    fields: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each entry: one of these fields
    balance: bool = False       # amount and open balance, no payment dates
    month_first: bool = False   # US dates (QuickBooks)
    report: bool = False        # section headings and total rows belong to the layout


LAYOUTS = {
    "qbo-invoices": Layout("qbo-invoices", "QuickBooks Online invoice list", QBO_FIELDS,
                           INVOICE_KEYS + (("amount",), ("open_balance",)), True, True, True),
    "qbo-aging": Layout("qbo-aging", "QuickBooks Online A/R Aging Detail", QBO_FIELDS,
                        INVOICE_KEYS + (("amount",), ("open_balance",)), True, True, True),
    "xero-invoices": Layout("xero-invoices", "Xero invoice export", XERO_FIELDS,
                            INVOICE_KEYS + (("line_amount",),), True),
    "xero-aged": Layout("xero-aged", "Xero Aged Receivables", AGED_FIELDS,
                        (("number",), ("issued_on",), ("due_on",), ("total", "due")), True,
                        report=True),
}


def generic_layout(kind: str) -> Layout:
    """The generic layout of one kind of row."""
    required, optional = (s.split() for s in GENERIC[kind])
    names = required + optional
    fields = {name: (name,) for f in names for name in (f, f"{f}_cents" if f in MONEY else f)}
    return Layout("generic", f"generic {kind} file", fields, tuple((f,) for f in required),
                  balance="open_balance" in names)


@dataclass
class PaymentIn:
    """A payment the file states (or implies)."""

    row: int
    invoice: str
    paid_on: date
    amount_cents: int
    method: str = "other"


@dataclass
class InvoiceIn:
    """An invoice as the file gives it."""

    row: int
    number: str
    client: str
    issued_on: date
    due_on: date
    amount_cents: int | None        # None: the file gives only the open balance
    open_cents: int | None = None   # the open balance on the report date, when given
    email: str | None = None
    currency: str | None = None
    extra: dict[str, object] = field(default_factory=dict)  # void, recurring, written_off_on
    payments: list[PaymentIn] = field(default_factory=list)


@dataclass
class Record:
    """A generic client, partner or opportunity row: field -> value for the columns present."""

    row: int
    values: dict[str, object]


@dataclass
class Source:
    """Everything read from one file, ready to plan."""

    layout: Layout
    kind: str
    invoices: list[InvoiceIn] = field(default_factory=list)
    payments: list[PaymentIn] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    report_date: date | None = None
    notes: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def norm(title: str) -> str:
    """A column title reduced to letters and digits, lower case ('Due Date' -> 'duedate')."""
    return re.sub(r"[^0-9a-z]", "", title.casefold())


def parse_maps(maps: tuple[str, ...] | list[str]) -> dict[str, str]:
    """--map COLUMN=field options -> {column title: field}."""
    out = {}
    for item in maps:
        column, sep, name = item.rpartition("=")
        if not sep or not column.strip() or not name.strip():
            raise CsvRefused(f"--map {item!r} should look like COLUMN=field")
        out[column.strip()] = name.strip()
    return out


def apply_maps(header: list[str], maps: dict[str, str]) -> dict[str, int]:
    """Field -> column index for each --map; refuse titles the file lacks."""
    forced = {}
    for column, name in maps.items():
        hits = [i for i, t in enumerate(header) if t == column] or \
               [i for i, t in enumerate(header) if norm(t) == norm(column)]
        if not hits:
            raise CsvRefused(f"--map {column}={name}: no column titled {column!r} "
                             f"(the titles are: {', '.join(t for t in header if t)})")
        forced[name] = hits[0]
    return forced


def detect(sheet: Sheet, titles: set[str]) -> str | None:
    """The layout whose column titles (normalised) the file has, or None."""
    notes = sheet.title_text.casefold()
    if {"invoicenumber", "contactname"} <= titles:
        return "xero-invoices"
    if titles & {"issuedon", "paidon", "createdon"}:
        return "generic"
    if "openbalance" in titles:
        aging = "pastdue" in titles or "aging" in notes or "days past due" in notes
        return "qbo-aging" if aging else "qbo-invoices"
    if "duedate" in titles and (titles & {"due", "older", "current"}
                                or "aged receivables" in notes):
        return "xero-aged"
    return "generic" if generic_kind(titles) else None


def generic_kind(titles: set[str]) -> str | None:
    """Which kind of generic file these titles describe (invoices first)."""
    for kind, needed in SIGNATURES:
        if all(norm(f) in titles or norm(f + "_cents") in titles for f in needed):
            return kind
    return None


def choose(sheet: Sheet, fmt: str, kind: str | None, forced: dict[str, int]) -> tuple[Layout, str]:
    """The layout and kind to read the file with (by --format/--kind, else by its titles)."""
    titles = {norm(t) for t in sheet.header} | {norm(f) for f in forced}
    name = detect(sheet, titles) if fmt == "auto" else fmt
    if name is None:
        raise CsvRefused(f"{sheet.path.name}: cannot tell which export this is from its column "
                         f"titles ({', '.join(t for t in sheet.header if t)}); use --format, "
                         f"or --map COLUMN=field for a generic file")
    if name != "generic":
        if kind not in (None, "invoices"):
            raise CsvRefused(f"a {LAYOUTS[name].label} holds invoices, not {kind}")
        return LAYOUTS[name], "invoices"
    kind = kind or generic_kind(titles) or "invoices"
    return generic_layout(kind), kind


def resolve(layout: Layout, sheet: Sheet, forced: dict[str, int]) -> dict[str, int]:
    """Field -> column index: --map first, then the layout's titles in order of preference."""
    unknown = [f for f in forced if f not in layout.fields]
    if unknown:
        raise CsvRefused(f"--map: {unknown[0]!r} is not a field of a {layout.label} "
                         f"(fields: {', '.join(layout.fields)})")
    normed = [norm(t) for t in sheet.header]
    cols = dict(forced)
    for name, titles in layout.fields.items():
        free = [i for i, t in enumerate(normed) if i not in cols.values()]
        hit = next((i for t in (*titles, name) for i in free if normed[i] == norm(t)), None)
        if name not in cols and hit is not None:
            cols[name] = hit
    for options in layout.required:
        if not any(o in cols or f"{o}_cents" in cols for o in options):
            raise CsvRefused(missing_column(layout, options))
    return cols


def missing_column(layout: Layout, options: tuple[str, ...]) -> str:
    """Name the field a file lacks and the titles that would have supplied it."""
    titles = [t for o in options for t in layout.fields.get(o, (o,))]
    return (f"this {layout.label} has no column for {' or '.join(options)} (looked for "
            f"{', '.join(repr(t) for t in titles)}); use --map COLUMN={options[0]}")


def read(path: Path, *, fmt: str = "auto", kind: str | None = None,
         maps: tuple[str, ...] = (), date_format: str | None = None) -> Source:
    """Read, recognise and type a whole file; refused rows are listed in Source.refusals."""
    sheet = read_sheet(path)
    forced = apply_maps(sheet.header, parse_maps(maps))
    layout, kind = choose(sheet, fmt, kind, forced)
    cols = resolve(layout, sheet, forced)
    src = Source(layout, kind, refusals=list(sheet.refusals))
    rows = keep_rows(sheet, layout, cols, src)
    order = settle(layout, rows, cols, date_format)
    cells = [(r, {f: r.cells[i] for f, i in cols.items()}) for r in rows]
    if layout.balance and layout.report:
        src.report_date = report_date(sheet)
    ignored = [t for i, t in enumerate(sheet.header) if t and i not in cols.values()]
    if ignored:
        more = f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""
        src.notes.append(f"columns not used: {', '.join(ignored[:8])}{more}")
    build(src, cells, order, date_format)
    return src


def keep_rows(sheet: Sheet, layout: Layout, cols: dict[str, int], src: Source) -> list[Row]:
    """Data rows: a report's headings and totals skipped, a lone value elsewhere refused."""
    key = cols.get("number", cols.get("name", cols.get("invoice")))
    kept, skipped = [], Counter()
    for row in sheet.rows:
        text = row.cells[key] if key is not None else ""
        keyless = not text or text.casefold().startswith("total")
        if row.kind == TOTAL and keyless:
            skipped["total rows"] += 1
        elif row.kind == HEADING and keyless and layout.report:
            skipped["heading rows"] += 1
        elif row.kind == HEADING and keyless:
            lone = next(c for c in row.cells if c)
            src.refusals.append(Refusal(row.number, f"only one value ({lone!r}) in the row"))
        else:
            kept.append(row)
    if skipped:
        src.notes.append("skipped " + ", ".join(f"{n} {w}" for w, n in skipped.items()))
    return kept


def settle(layout: Layout, rows: list[Row], cols: dict[str, int], date_format: str | None
           ) -> str | None:
    """Numeric dates' order: month-first for QuickBooks, else settled by the whole file."""
    if date_format:
        return None
    if layout.month_first:
        return parse.MDY
    cells = [(r.number, r.cells[i]) for r in rows for f, i in cols.items() if f in DATES]
    order, dmy, mdy = parse.settle_order(cells)
    if dmy and mdy:
        raise CsvRefused(f"row {mdy[0]}: dates read month-first there but day-first in row "
                         f"{dmy[0]}; use --date-format %d/%m/%Y or %m/%d/%Y")
    unsettled = [(row, text) for row, text in cells if parse.numeric_parts(text)]
    if order is None and unsettled:
        row, text = unsettled[0]
        raise CsvRefused(f"row {row}: dates like {text} could be day-first or month-first and "
                         f"no date in the file settles it; use --date-format %d/%m/%Y or "
                         f"%m/%d/%Y")
    return order


def report_date(sheet: Sheet) -> date | None:
    """The date a report states: 'As of November 23, 2026', else its run-time footer."""
    for note in sheet.notes:
        if re.search(r"\bas (of|at)\b", note, re.IGNORECASE):
            found = parse.find_text_date(note) or _iso_in(note)
            if found:
                return found
    for note in sheet.notes:
        if re.search(r"\d{1,2}:\d{2}", note):
            found = parse.find_text_date(note)
            if found:
                return found
    return None


def _iso_in(text: str) -> date | None:
    """A YYYY-MM-DD date inside a line."""
    m = re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    try:
        return date.fromisoformat(m[0]) if m else None
    except ValueError:
        return None


def typed(name: str, text: str, order: str | None, fmt: str | None) -> object:
    """One cell as its field's type (None when blank); ParseError when it cannot be."""
    if name.endswith("_cents"):
        return parse.parse_cents(text)
    if name in MONEY:
        return parse.parse_amount(text)
    if name in DATES:
        return parse.parse_date(text, order, fmt)
    if name in FLAGS:
        return parse.parse_flag(text, name)
    if name in INTS:
        return parse.parse_int(text, name)
    return text or None


def typed_row(cells: dict[str, str], order: str | None, fmt: str | None
              ) -> tuple[dict[str, object], list[str]]:
    """All cells of a row typed, money fields merged (`amount_cents` -> `amount`); reasons."""
    out: dict[str, object] = {}
    why = []
    for name, text in cells.items():
        try:
            value = typed(name, text, order, fmt)
        except parse.ParseError as exc:
            why.append(f"{name} {exc}")
            continue
        base = name.removesuffix("_cents") if name.endswith("_cents") else name
        if value is not None or base not in out:
            out[base] = value
    return out, why


def build(src: Source, cells: list[tuple[Row, dict[str, str]]], order: str | None,
          fmt: str | None) -> None:
    """Typed rows -> invoices, payments or records (Xero line items grouped by invoice)."""
    typed_rows = []
    for row, raw in cells:
        values, why = typed_row(raw, order, fmt)
        if why:
            src.refusals.append(Refusal(row.number, "; ".join(why)))
        else:
            typed_rows.append((row, values))
    if src.layout.name == "xero-invoices":
        typed_rows = group_lines(typed_rows, src)
    for row, values in typed_rows:
        try:
            add_row(src, row, values)
        except parse.ParseError as exc:
            src.refusals.append(Refusal(row.number, str(exc)))


def group_lines(rows: list[tuple[Row, dict]], src: Source) -> list[tuple[Row, dict]]:
    """Xero line items -> one row per InvoiceNumber, amount = the lines summed (with tax)."""
    groups: dict[str, list[tuple[Row, dict]]] = {}
    for row, values in rows:
        groups.setdefault(values.get("number") or f"(row {row.number})", []).append((row, values))
    out = []
    for number, lines in groups.items():
        first_row, first = lines[0]
        for row, values in lines[1:]:
            for name in ("client", "issued_on", "due_on", "total", "paid", "due", "status"):
                if values.get(name) != first.get(name):
                    src.refusals.append(Refusal(row.number, f"line of {number} disagrees with "
                                                            f"row {first_row.number} on {name}"))
                    break
        merged = dict(first)
        merged["line_amount"] = sum(v.get("line_amount") or 0 for _, v in lines)
        merged["tax_amount"] = sum(v.get("tax_amount") or 0 for _, v in lines)
        out.append((first_row, merged))
    return out


def add_row(src: Source, row: Row, v: dict[str, object]) -> None:
    """Turn one typed row into the Source's invoices, payments or records."""
    if src.kind == "payments":
        src.payments.append(PaymentIn(row.number, need(v, "invoice"), need(v, "paid_on"),
                                      need(v, "amount"), method_of(v.get("method"))))
    elif src.kind != "invoices":
        src.records.append(Record(row.number, checked_record(src.kind, v)))
    elif skip_reason(src.layout, v):
        src.notes.append(f"row {row.number}: skipped, {skip_reason(src.layout, v)}")
    else:
        src.invoices.append(invoice_of(src.layout, row, v))


def need(v: dict[str, object], name: str) -> object:
    """A value the row must have."""
    value = v.get(name)
    if value is None:
        raise parse.ParseError(f"no {name}")
    return value


def method_of(text: object) -> str:
    """A payment method among LEDGER.md's (common synonyms accepted); blank is 'other'."""
    if text is None:
        return "other"
    word = str(text).strip().casefold()
    word = METHODS.get(word, word)
    if word not in PAYMENT_METHODS:
        raise parse.ParseError(f"method {text!r} is not one of {', '.join(PAYMENT_METHODS)}")
    return word


def skip_reason(layout: Layout, v: dict[str, object]) -> str | None:
    """Why an accounting row is not an issued invoice (payments, credits, drafts), or None."""
    kind = str(v.get("type") or "").casefold()
    if layout.name.startswith("qbo") and kind and kind != "invoice":
        return f"a {v['type']}, not an invoice"
    if layout.name == "xero-invoices" and "credit" in kind:
        return f"a {v['type']}, not an invoice"
    status = str(v.get("status") or "").casefold()
    if status in ("draft", "submitted", "deleted", "awaiting approval"):
        return f"status {v['status']}: not issued"
    return None


def invoice_of(layout: Layout, row: Row, v: dict[str, object]) -> InvoiceIn:
    """An InvoiceIn from a typed row of any layout."""
    client = v.get("client") or (row.section if layout.name == "xero-aged" else None)
    if not client:
        raise parse.ParseError("no client (customer/contact) name")
    amount, open_cents = amounts(layout, v)
    if amount is not None and amount < 0:
        raise parse.ParseError("a negative invoice amount (a credit note?) is not an invoice")
    inv = InvoiceIn(row.number, str(need(v, "number")), str(client), need(v, "issued_on"),
                    need(v, "due_on"), amount, open_cents, v.get("email"), v.get("currency"))
    if inv.due_on < inv.issued_on:
        raise parse.ParseError(f"due {inv.due_on} before issued {inv.issued_on}")
    extras(layout, inv, v)
    return inv


def amounts(layout: Layout, v: dict[str, object]) -> tuple[int | None, int | None]:
    """(amount, open balance) of an invoice row, by layout."""
    if layout.name == "xero-invoices":
        return xero_amount(v), balance(v)
    if layout.name == "xero-aged":
        if v.get("paid") is None and v.get("due") is None:
            return None, need(v, "total")          # bucket columns: open balances only
        total = need(v, "total")
        return total, balance(v, total)
    return need(v, "amount"), v.get("open_balance")


def xero_amount(v: dict[str, object]) -> int:
    """Lines summed, with their tax unless the lines already include it (they match Total)."""
    lines, tax, total = v["line_amount"], v.get("tax_amount") or 0, v.get("total")
    if total is None or total == lines + tax:
        return lines + tax
    if total == lines:
        return lines
    raise parse.ParseError(f"line items sum to {lines / 100:.2f} (tax {tax / 100:.2f}) "
                           f"but Total is {total / 100:.2f}")


def balance(v: dict[str, object], total: object = None) -> int | None:
    """Open balance from 'due', else total - paid - credited; None when the file does not say."""
    if v.get("due") is not None:
        return v["due"]
    if v.get("paid") is not None:
        total = v.get("total") if total is None else total
        return None if total is None else total - v["paid"] - (v.get("credited") or 0)
    return None


def extras(layout: Layout, inv: InvoiceIn, v: dict[str, object]) -> None:
    """Void/recurring/written-off flags and dated payments the file states."""
    status = str(v.get("status") or "").casefold()
    if layout.name == "xero-invoices" and "status" in v:
        inv.extra["void"] = 1 if status == "voided" else 0
    for name in ("void", "recurring", "written_off_on"):
        if layout.name == "generic" and name in v:
            inv.extra[name] = v[name] if v[name] is not None or name == "written_off_on" else 0
    if inv.extra.get("void"):
        inv.open_cents = None
    if layout.name == "generic" and v.get("paid_on") is not None:
        paid = v.get("paid") if v.get("paid") is not None else inv.amount_cents
        inv.payments.append(PaymentIn(inv.row, inv.number, v["paid_on"], paid,
                                      method_of(v.get("method"))))
    elif layout.name == "generic" and v.get("paid") is not None:
        raise parse.ParseError("a paid amount without paid_on")


def checked_record(kind: str, v: dict[str, object]) -> dict[str, object]:
    """Validate a generic client/partner/opportunity row's values; money fields in cents."""
    need(v, "name")
    if kind == "opportunities":
        need(v, "created_on")
        if v.get("outcome") is not None:
            v["outcome"] = str(v["outcome"]).casefold()
            if v["outcome"] not in ("won", "lost"):
                raise parse.ParseError(f"outcome {v['outcome']!r} is not won or lost")
    if kind == "partners" and v.get("kind") is not None:
        v["kind"] = str(v["kind"]).casefold()
        if v["kind"] not in PARTNER_KINDS:
            raise parse.ParseError(f"kind {v['kind']!r} is not one of "
                                   f"{', '.join(PARTNER_KINDS)}")
    return v
