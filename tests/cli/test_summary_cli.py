"""`kpitui summary`: --as-of, the 80-column human report, untrusted text, and the bare app."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from . import fixtures as fx

# KPIS.md: the fixed top-level keys of `summary --json`.
JSON_KEYS = {"as_of", "currency", "receivables", "cash_forecast", "aging_by_client",
             "collections_queue", "pipeline", "partners", "goals"}


def test_as_of_that_is_not_a_date_is_one_line(tmp_path: Path) -> None:
    path = fx.build_ledger(tmp_path / "ledger.db", fx.clean_rows())
    runs = fx.kpitui_many([["summary", "--db", path, "--as-of", "2026-13-01"],
                           ["summary", "--db", path, "--as-of", "2026-13-01", "--json"]],
                          fx.cli_env(tmp_path))
    for run in runs:
        assert run.returncode == 2, run
        assert "Traceback" not in run.stderr, run
        assert len(run.err_lines) == 1, run
        assert "2026-13-01" in run.err_lines[0], run
        assert "--as-of" in run.err_lines[0], run
        assert run.stdout == "", run


def test_as_of_overrides_meta_as_of(tmp_path: Path) -> None:
    # meta.as_of 2026-06-30; the only invoice is issued 2026-05-01 (1,234.56).
    path = fx.build_ledger(tmp_path / "ledger.db", fx.one_open_invoice(123_456))
    pinned, earlier = fx.kpitui_many([["summary", "--json", "--db", path],
                                      ["summary", "--json", "--db", path,
                                       "--as-of", "2026-03-15"]], fx.cli_env(tmp_path))
    assert pinned.returncode == 0, pinned
    assert earlier.returncode == 0, earlier
    assert set(pinned.json()) >= JSON_KEYS, sorted(pinned.json())
    assert pinned.json()["as_of"] == fx.AS_OF
    assert pinned.json()["receivables"]["total_cents"] == 123_456
    assert earlier.json()["as_of"] == "2026-03-15"
    # On 15 March the invoice did not exist yet: the figures follow --as-of, not only the label.
    assert earlier.json()["receivables"]["total_cents"] == 0


def long_names_rows(name: str) -> fx.Rows:
    """Every name that reaches the report made long; one open invoice of 1,234.56."""
    return {
        "partners": [{"id": 1, "name": "Partner " + name, "kind": "reseller",
                      "annual_target_cents": 9_999_999_999}],
        "clients": [{"id": 1, "name": name, "partner_id": 1, "since": "2026-01-10"},
                    {"id": 2, "name": name + " (second office)", "since": "2026-01-10"}],
        "invoices": [{"id": 1, "number": "INV-2026-000000000001-" + "X" * 30, "client_id": 1,
                      "issued_on": "2026-05-01", "due_on": "2026-05-31",
                      "amount_cents": 123_456},
                     {"id": 2, "number": "INV-2", "client_id": 2, "issued_on": "2026-01-05",
                      "due_on": "2026-02-04", "amount_cents": 98_765_432_100},
                     {"id": 3, "number": "INV-3", "client_id": 2, "issued_on": "2026-01-05",
                      "due_on": "2026-02-04", "amount_cents": 98_765_432_100}],
        "payments": [{"id": 1, "invoice_id": 3, "paid_on": "2026-03-01",
                      "amount_cents": 98_765_432_100, "method": "wire"}],
        "followups": [{"id": 1, "invoice_id": 2, "at": "2026-06-01T10:00:00",
                       "kind": "promise", "promised_on": "2026-07-15",
                       "promised_cents": 98_765_432_100, "note": name}],
        "opportunities": [{"id": 1, "name": "Deal " + name, "partner_id": 1,
                           "created_on": "2026-02-01", "closed_on": "2026-04-01",
                           "outcome": "won", "mrr_cents": 12_345_678}],
        "goals": [{"id": 1, "metric": "revenue", "period_start": "2026-01-01",
                   "period_end": "2026-12-31", "target": 999_999_999_999},
                  {"id": 2, "metric": "won_deals", "period_start": "2026-01-01",
                   "period_end": "2026-12-31", "target": 12}],
    }


LONG_NAME = ("Consolidated Amalgamated International Managed Services Holdings "
             "and Subsidiaries of the Greater Metropolitan Area, Incorporated")


def test_human_report_fits_80_columns_and_formats_money(tmp_path: Path) -> None:
    path = fx.build_ledger(tmp_path / "ledger.db", long_names_rows(LONG_NAME),
                           meta={"company": "The " + LONG_NAME})
    run = fx.kpitui(["summary", "--db", path], fx.cli_env(tmp_path))
    assert run.returncode == 0, run
    assert run.err_lines == [], run
    too_long = [line for line in run.out_lines if len(line) > 80]
    assert too_long == [], "\n".join(too_long)
    assert "$1,234.56" in run.stdout, run
    assert "$987,654,321.00" in run.stdout, run
    assert not re.search(r"\d{4,}\.\d\d", run.stdout), "money without thousands separators"


def test_human_report_never_cuts_a_figure_or_the_date(tmp_path: Path) -> None:
    """Names may be shortened inside their column; figures and the as-of date never."""
    path = fx.build_ledger(tmp_path / "ledger.db", fx.realistic_rows(),
                           meta={"company": "The " + LONG_NAME})
    run = fx.kpitui(["summary", "--db", path], fx.cli_env(tmp_path))
    assert run.returncode == 0, run
    wrong = [f"no as-of date in: {run.out_lines[0]}"] if f"as of {fx.AS_OF}" not in \
        run.out_lines[0] else []
    wrong += [f"cut: {line}" for line in run.out_lines if line.endswith("…")]
    assert wrong == [], "\n".join(wrong)


def cells(line: str) -> int:
    """Terminal columns of a line: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_human_report_fits_80_terminal_columns_with_wide_names(tmp_path: Path) -> None:
    wide = "株式会社グローバル・マネージドサービス・ホールディングス東日本支社"
    path = fx.build_ledger(tmp_path / "ledger.db", long_names_rows(wide),
                           meta={"company": wide})
    run = fx.kpitui(["summary", "--db", path], fx.cli_env(tmp_path))
    assert run.returncode == 0, run
    too_wide = [line for line in run.out_lines if cells(line) > 80]
    assert too_wide == [], "\n".join(too_wide)


def test_bare_kpitui_without_a_terminal_points_to_summary(tmp_path: Path) -> None:
    path = fx.build_ledger(tmp_path / "ledger.db", fx.clean_rows())
    run = fx.kpitui([], fx.cli_env(tmp_path, KPITUI_DB=str(path)))
    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr, run
    assert len(run.err_lines) == 1, run
    assert "kpitui summary" in run.err_lines[0], run
    assert run.stdout == "", run


# ESC, BEL, every other C0 control but newline, C1 controls (CSI/OSC in 8 bits), bidi overrides.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE_CLIENT = "ACME [@click=app.quit]Pay[/] \x1b]2;pwned\x07 \x1b[31mred"


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_untrusted_text_never_reaches_the_output(tmp_path: Path) -> None:
    rows = fx.one_open_invoice(50_000, client=HOSTILE_CLIENT,
                               number="INV-\x1b[2J\x1b[H-1\x9b31m")
    rows["partners"] = [{"id": 1, "name": "Partner \x1b]52;c;ZXZpbA==\x07 [Ltd] \u202eRTL",
                         "annual_target_cents": 100_000}]
    rows["clients"][0]["partner_id"] = 1
    rows["followups"] = [{"id": 1, "invoice_id": 1, "at": "2026-06-01T09:00:00",
                          "kind": "note", "note": "\x1b]0;title\x07\x1bc cleared"}]
    path = fx.build_ledger(tmp_path / "ledger.db", rows,
                           meta={"company": "Evil \x1b]0;owned\x07\x9d Co"})
    text, as_json = fx.kpitui_many([["summary", "--db", path],
                                    ["summary", "--json", "--db", path]],
                                   fx.cli_env(tmp_path))

    for run in (text, as_json):
        assert run.returncode == 0, run
        for stream in (run.stdout, run.stderr):
            assert "\x1b" not in stream and "\x07" not in stream, repr(stream)
            assert not FORBIDDEN.search(stream.replace("\n", "")), repr(stream)
    # JSON would escape an ESC as \u001b: look inside the decoded strings too.
    data = as_json.json()
    bad = [s for s in strings_in(data) if FORBIDDEN.search(s)]
    assert bad == [], bad
    # The text itself is kept (shown literally): markup is not interpreted or dropped.
    clients = [row["client"] for row in data["aging_by_client"]]
    assert len(clients) == 1
    assert "[@click=app.quit]Pay[/]" in clients[0]
    assert "pwned" in clients[0] and "red" in clients[0]
    assert "[@click=app.quit]" in text.stdout
