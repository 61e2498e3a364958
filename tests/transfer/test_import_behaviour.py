"""All or nothing, idempotent, dry runs, updates reported, refusals naming rows."""

from __future__ import annotations

from datetime import date

import pytest

from kpitui.transfer.importer import ImportRefused

from .helpers import DATA, dump, invoices, payments, query, run_import

FIXTURES = ["qbo-invoice-list.csv", "qbo-ar-aging-detail.csv", "xero-invoices.csv",
            "xero-aged-receivables.csv", "generic-invoices.csv"]


@pytest.mark.parametrize("name", FIXTURES)
def test_second_import_changes_nothing(empty_ledger, name):
    first = run_import(empty_ledger, name)
    before = dump(empty_ledger)
    second = run_import(empty_ledger, name, today=date(2026, 12, 1))  # a later day, too
    assert dump(empty_ledger) == before
    added = first.plan.count("add")
    assert added > 0
    assert second.lines()[-1].startswith("added 0, updated 0, unchanged ")


@pytest.mark.parametrize("name", FIXTURES)
def test_dry_run_writes_nothing(empty_ledger, name):
    before = dump(empty_ledger)
    out = run_import(empty_ledger, name, dry_run=True)
    assert dump(empty_ledger) == before
    assert out.lines()[-1].startswith("dry run, nothing written: added ")
    assert any(line.startswith("would add invoice") for line in out.lines())


@pytest.mark.parametrize(("name", "expected"), [
    ("bad-ambiguous-dates.csv", "row 2: dates like 03/04/2026 could be day-first or "
                                "month-first"),
    ("bad-impossible-date.csv", "row 3: issued_on '2026-02-30' is not a real date"),
    ("bad-amount.csv", "row 3: amount '12.345' has more than 2 decimal places; "
                       "row 4: amount 'twelve' is not an amount"),
    ("bad-field-count.csv", "row 3: 6 fields where the column titles have 5"),
])
def test_bad_file_writes_nothing_and_names_the_row(empty_ledger, name, expected):
    run_import(empty_ledger, "generic-invoices.csv")
    before = dump(empty_ledger)
    with pytest.raises(ImportRefused) as err:
        run_import(empty_ledger, name)
    assert expected in str(err.value)
    assert "nothing imported" in str(err.value)
    assert "\n" not in str(err.value)
    assert dump(empty_ledger) == before


def test_ambiguous_dates_import_with_a_date_format(empty_ledger):
    run_import(empty_ledger, "bad-ambiguous-dates.csv", date_format="%d/%m/%Y")
    assert [r[2:4] for r in invoices(empty_ledger)] == [("2026-04-03", "2026-05-03"),
                                                        ("2026-04-04", "2026-05-04")]


def test_one_bad_row_among_good_ones_refuses_the_whole_file(empty_ledger, tmp_path):
    good = (DATA / "generic-invoices.csv").read_text().splitlines()
    bad = tmp_path / "mixed.csv"
    bad.write_text("\n".join(good + ["00505,Juniper Vet Clinic,31/02/2026,31/03/2026,5.00"]))
    with pytest.raises(ImportRefused, match=r"row 6: issued_on '31/02/2026' is not a real date"):
        run_import(empty_ledger, bad)
    assert query(empty_ledger, "SELECT count(*) FROM invoices") == [(0,)]
    assert query(empty_ledger, "SELECT count(*) FROM clients") == [(0,)]


def test_contradictory_date_orders_are_refused(empty_ledger, tmp_path):
    path = tmp_path / "mixed-order.csv"
    path.write_text("number,client,issued_on,due_on,amount\n"
                    "1,A,20/10/2026,19/11/2026,1.00\n2,A,10/20/2026,11/19/2026,1.00\n")
    with pytest.raises(ImportRefused, match="row 3: dates read month-first there but "
                                            "day-first in row 2"):
        run_import(empty_ledger, path)


def test_a_later_export_updates_fields_and_adds_the_newly_paid_part(empty_ledger, tmp_path):
    run_import(empty_ledger, "qbo-invoice-list.csv")
    text = (DATA / "qbo-invoice-list.csv").read_text()
    text = text.replace('10/31/2026,"$1,250.00","$1,250.00"', '11/15/2026,"$1,250.00",$250.00')
    text = text.replace("Monday, November 23, 2026", "Monday, November 30, 2026")
    later = tmp_path / "later.csv"
    later.write_text(text)
    out = run_import(empty_ledger, later)
    assert "update invoice 1001: due_on 2026-10-31 -> 2026-11-15" in out.lines()
    assert out.lines()[-1] == "added 1, updated 1, unchanged 3"
    assert payments(empty_ledger)[-1] == ("1001", "2026-11-30", 100000, "other")
    assert invoices(empty_ledger)[0][3] == "2026-11-15"


def test_amount_and_client_changes_are_reported(empty_ledger, tmp_path):
    run_import(empty_ledger, "generic-invoices.csv")
    path = tmp_path / "changed.csv"
    path.write_text("number,client,issued_on,due_on,amount\n"
                    "00503,Juniper Vet Clinic,2026-10-15,2026-11-14,700.00\n")
    lines = run_import(empty_ledger, path).lines()
    assert "update invoice 00503: client '@Home Networks' -> Juniper Vet Clinic" in lines
    assert "update invoice 00503: amount $640.25 -> $700.00" in lines
    assert lines[-1] == "added 0, updated 1, unchanged 0"
    assert invoices(empty_ledger)[2][:5] == ("00503", "Juniper Vet Clinic", "2026-10-15",
                                             "2026-11-14", 70000)


def test_names_match_ignoring_case_and_spaces(empty_ledger, tmp_path):
    run_import(empty_ledger, "generic-invoices.csv")
    path = tmp_path / "case.csv"
    path.write_text("number,client,issued_on,due_on,amount\n"
                    "00600,  juniper   VET clinic ,2026-11-01,2026-12-01,1.00\n")
    run_import(empty_ledger, path)
    assert query(empty_ledger, "SELECT count(*) FROM clients") == [(3,)]
    assert invoices(empty_ledger)[-1][1] == "Juniper Vet Clinic"


def test_duplicate_invoice_numbers_in_one_file_are_refused(empty_ledger, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("number,client,issued_on,due_on,amount\n"
                    "9,A,2026-11-01,2026-12-01,1.00\n9,A,2026-11-01,2026-12-01,2.00\n")
    with pytest.raises(ImportRefused, match=r"row 3: invoice 9 again \(first in row 2\)"):
        run_import(empty_ledger, path)


def test_another_currency_is_refused(empty_ledger, tmp_path):
    text = (DATA / "xero-invoices.csv").read_text().replace(",USD,", ",NZD,")
    path = tmp_path / "nzd.csv"
    path.write_text(text)
    with pytest.raises(ImportRefused, match="currency NZD, but this ledger keeps USD"):
        run_import(empty_ledger, path)


def test_control_characters_are_cleaned_from_names(empty_ledger, tmp_path):
    path = tmp_path / "esc.csv"
    path.write_bytes(b"number,client,issued_on,due_on,amount\n"
                     b"1,Evil\x1b[31m Corp\x07,2026-11-01,2026-12-01,1.00\n")
    run_import(empty_ledger, path)
    assert invoices(empty_ledger)[0][1] == "Evil[31m Corp"


def test_unrecognised_layout_is_refused_with_its_titles(empty_ledger, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Ref,Who,When\n1,A,2026-01-01\n")
    with pytest.raises(ImportRefused, match=r"cannot tell which export this is.*Ref, Who, When"):
        run_import(empty_ledger, path)


def test_map_names_a_missing_column(empty_ledger):
    with pytest.raises(ImportRefused, match="no column titled 'Nope'"):
        run_import(empty_ledger, "generic-invoices.csv", maps=("Nope=number",))


def test_map_refuses_an_unknown_field(empty_ledger):
    with pytest.raises(ImportRefused, match="'colour' is not a field"):
        run_import(empty_ledger, "generic-invoices.csv", maps=("client=colour",))


def test_forced_format_names_the_missing_column(empty_ledger):
    with pytest.raises(ImportRefused, match="has no column for open_balance"):
        run_import(empty_ledger, "generic-invoices.csv", fmt="qbo-invoices")


def test_written_rows_leave_extra_columns_and_tables_alone(empty_ledger):
    query(empty_ledger, "ALTER TABLE clients ADD COLUMN crm_id TEXT")
    query(empty_ledger, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    run_import(empty_ledger, "generic-invoices.csv")
    assert query(empty_ledger, "SELECT count(*) FROM clients WHERE crm_id IS NULL") == [(3,)]


def test_aged_receivables_with_bucket_columns_keeps_known_amounts(empty_ledger, tmp_path):
    run_import(empty_ledger, "xero-aged-receivables.csv")
    path = tmp_path / "buckets.csv"
    path.write_text("Aged Receivables Detail\nPohutukawa Tech Services\n"
                    "As at 30 November 2026\n\n"
                    "Invoice Date,Invoice Number,Due Date,Current,< 1 Month,1 Month,2 Months,"
                    "3 Months,Older,Total\n"
                    "Kestrel Analytics Ltd\n"
                    '15 Oct 2026,INV-0101,14 Nov 2026,0.00,"1,000.00",0.00,0.00,0.00,0.00,'
                    '"1,000.00"\n'
                    "01 Dec 2026,INV-0120,31 Dec 2026,50.00,0.00,0.00,0.00,0.00,0.00,50.00\n"
                    'Total Kestrel Analytics Ltd,,,50.00,"1,000.00",0.00,0.00,0.00,0.00,'
                    '"1,050.00"\n')
    out = run_import(empty_ledger, path)
    assert out.source.layout.name == "xero-aged"
    assert out.lines()[-1] == "added 1, updated 0, unchanged 1"
    assert invoices(empty_ledger)[0][4] == 115000  # the amount an earlier import gave stays
    assert invoices(empty_ledger)[-1][:5] == ("INV-0120", "Kestrel Analytics Ltd", "2026-12-01",
                                              "2026-12-31", 5000)


def test_generic_open_balance_is_paid_on_the_import_date(empty_ledger, tmp_path):
    path = tmp_path / "open.csv"
    path.write_text("number,client,issued_on,due_on,amount,open_balance\n"
                    "5,Lantern Books,2026-10-01,2026-10-31,100.00,40.00\n")
    out = run_import(empty_ledger, path)
    assert out.source.layout.name == "generic"  # not taken for QuickBooks' Open Balance
    assert payments(empty_ledger) == [("5", "2026-11-23", 6000, "other")]
    assert "dated 2026-11-23 (the import date)" in out.lines()[-2]


def test_a_held_write_lock_leaves_the_ledger_untouched(empty_ledger, monkeypatch):
    import sqlite3

    monkeypatch.setattr("kpitui.ledger.connection.BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(empty_ledger, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            run_import(empty_ledger, "generic-invoices.csv")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert query(empty_ledger, "SELECT count(*) FROM invoices") == [(0,)]


def test_map_to_a_cents_field(empty_ledger, tmp_path):
    path = tmp_path / "cents.csv"
    path.write_text("number,client,issued_on,due_on,Pennies\n6,A,2026-10-01,2026-10-31,1234\n")
    run_import(empty_ledger, path, maps=("Pennies=amount_cents",))
    assert invoices(empty_ledger)[0][4] == 1234
