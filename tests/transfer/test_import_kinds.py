"""Generic files of the other kinds: payments, clients, partners, opportunities."""

from __future__ import annotations

import pytest

from kpitui.transfer.importer import ImportRefused

from .helpers import payments, query, run_import


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_payments_file_upserts_by_invoice_date_amount(empty_ledger, tmp_path):
    run_import(empty_ledger, "generic-invoices.csv")
    path = write(tmp_path, "pay.csv", "invoice,paid_on,amount,method\n"
                                      "00502,2026-11-02,900.00,check\n"
                                      "00502,2026-11-02,900.00,cheque\n"
                                      "00501,2026-09-28,\"1,800.00\",ach\n")
    out = run_import(empty_ledger, path)
    assert out.source.kind == "payments"
    assert out.lines()[-1] == "added 2, updated 0, unchanged 1"  # 00501's payment was there
    assert payments(empty_ledger)[-2:] == [("00502", "2026-11-02", 90000, "check"),
                                           ("00502", "2026-11-02", 90000, "check")]
    assert run_import(empty_ledger, path).lines()[-1] == "added 0, updated 0, unchanged 3"


def test_payment_for_an_unknown_invoice_is_refused(empty_ledger, tmp_path):
    path = write(tmp_path, "pay.csv", "invoice,paid_on,amount_cents\nX-1,2026-11-02,500\n")
    with pytest.raises(ImportRefused, match="row 2: no invoice numbered 'X-1' in the ledger"):
        run_import(empty_ledger, path)


def test_partners_then_clients_then_opportunities(empty_ledger, tmp_path):
    partners = write(tmp_path, "partners.csv",
                     "name,kind,started_on,revenue_share_bp,annual_target\n"
                     "Harborline CPA,referral,2025-01-01,1000,\"$120,000.00\"\n")
    run_import(empty_ledger, partners)
    assert query(empty_ledger, "SELECT name, kind, started_on, revenue_share_bp, "
                               "annual_target_cents FROM partners") == [
        ("Harborline CPA", "referral", "2025-01-01", 1000, 12000000)]
    people = write(tmp_path, "clients.csv", "name,email,terms_days,autopay,partner,since\n"
                                            "Ridgeway Clinic,ap@ridgeway.example,15,yes,"
                                            "Harborline CPA,2026-02-01\n")
    run_import(empty_ledger, people)
    assert query(empty_ledger, "SELECT name, email, terms_days, autopay, partner_id, since "
                               "FROM clients") == [
        ("Ridgeway Clinic", "ap@ridgeway.example", 15, 1, 1, "2026-02-01")]
    opps = write(tmp_path, "opps.csv", "name,client,partner,created_on,closed_on,outcome,mrr\n"
                                       "Ridgeway backup,Ridgeway Clinic,Harborline CPA,"
                                       "2026-03-01,2026-04-01,Won,450.00\n")
    run_import(empty_ledger, opps)
    assert query(empty_ledger, "SELECT name, client_id, partner_id, created_on, closed_on, "
                               "outcome, mrr_cents, onetime_cents FROM opportunities") == [
        ("Ridgeway backup", 1, 1, "2026-03-01", "2026-04-01", "won", 45000, 0)]


def test_clients_file_updates_what_differs(empty_ledger, tmp_path):
    first = write(tmp_path, "c1.csv", "name,email,terms_days\nRidgeway Clinic,a@x.example,30\n")
    run_import(empty_ledger, first)
    second = write(tmp_path, "c2.csv", "name,email,terms_days\nRidgeway Clinic,b@x.example,\n")
    lines = run_import(empty_ledger, second).lines()
    assert "update client 'Ridgeway Clinic': email a@x.example -> b@x.example" in lines
    assert lines[-1] == "added 0, updated 1, unchanged 0"
    assert query(empty_ledger, "SELECT email, terms_days FROM clients") == [("b@x.example", 30)]


def test_unknown_partner_is_refused(empty_ledger, tmp_path):
    path = write(tmp_path, "clients.csv", "name,partner\nRidgeway Clinic,Nobody LLC\n")
    with pytest.raises(ImportRefused, match="row 2: no partner named 'Nobody LLC'"):
        run_import(empty_ledger, path)


@pytest.mark.parametrize(("line", "expected"), [
    ("Subtotal", r"row 3: no client \(customer/contact\) name"),
    (",Acme Ltd,,,", r"row 3: only one value \('Acme Ltd'\) in the row"),
])
def test_a_lone_value_in_a_generic_file_is_refused(empty_ledger, tmp_path, line, expected):
    path = write(tmp_path, "lone.csv", "number,client,issued_on,due_on,amount\n"
                                       f"1,A,2026-11-01,2026-12-01,1.00\n{line}\n")
    with pytest.raises(ImportRefused, match=expected):
        run_import(empty_ledger, path)
