"""Data problems a person should fix (`kpitui check`), found in the loaded frames."""

from __future__ import annotations

import polars as pl

from ..ledger.load import Ledger
from ..ledger.schema import FOLLOWUP_KINDS, PAYMENT_METHODS


def _ids(df: pl.DataFrame, col: str = "id") -> str:
    shown = ", ".join(str(i) for i in df[col].head(5).to_list())
    return f" ({col} {shown}{', ...' if df.height > 5 else ''})"


def _orphans(child: pl.DataFrame, fk: str, parent: pl.DataFrame) -> pl.DataFrame:
    return child.filter(pl.col(fk).is_not_null()).join(parent.select("id"), left_on=fk,
                                                        right_on="id", how="anti")


def data_problems(led: Ledger) -> list[str]:
    """One line per kind of problem, with a count and the first ids."""
    inv, pay, fu = led.invoices, led.payments, led.followups
    checks: list[tuple[str, pl.DataFrame]] = [
        ("invoices due before they were issued", inv.filter(pl.col("due_on")
                                                            < pl.col("issued_on"))),
        ("payments on void invoices", pay.join(inv.filter(pl.col("void") == 1).select("id"),
                                               left_on="invoice_id", right_on="id",
                                               how="semi")),
        ("invoices of a client that does not exist", _orphans(inv, "client_id", led.clients)),
        ("payments of an invoice that does not exist", _orphans(pay, "invoice_id", inv)),
        ("follow-ups of an invoice that does not exist", _orphans(fu, "invoice_id", inv)),
        ("clients of a partner that does not exist", _orphans(led.clients, "partner_id",
                                                              led.partners)),
        ("opportunities of a client that does not exist",
         _orphans(led.opportunities, "client_id", led.clients)),
        ("opportunities of a partner that does not exist",
         _orphans(led.opportunities, "partner_id", led.partners)),
        ("partner costs of a partner that does not exist",
         _orphans(led.partner_costs, "partner_id", led.partners)),
        ("follow-ups of an unknown kind", fu.filter(~pl.col("kind").is_in(FOLLOWUP_KINDS))),
        ("payments with an unknown method",
         pay.filter(~pl.col("method").fill_null("").is_in(PAYMENT_METHODS))),
        ("invoices sharing a number with another", inv.filter(pl.col("number").is_duplicated())),
        ("clients sharing a name with another",
         led.clients.filter(pl.col("name").is_not_null() & pl.col("name").is_duplicated())),
        ("partners sharing a name with another",
         led.partners.filter(pl.col("name").is_not_null() & pl.col("name").is_duplicated())),
        ("clients without a name", led.clients.filter(pl.col("name").is_null())),
        ("goals ending before they start",
         led.goals.filter(pl.col("period_end") < pl.col("period_start"))),
        ("goals of an unknown metric", led.goals.filter(~pl.col("metric").is_in(
            ["revenue", "collections", "new_mrr", "won_deals", "new_leads"]))),
    ]
    return [f"{df.height} {what}{_ids(df)}" for what, df in checks if df.height]


def notes(led: Ledger) -> list[str]:
    """Things worth knowing that are not errors: overpayments are legitimate credits."""
    pay = led.payments.group_by("invoice_id").agg(pl.col("amount_cents").sum().alias("paid"))
    over = (led.invoices.filter(pl.col("void") == 0)
            .join(pay, left_on="id", right_on="invoice_id")
            .filter(pl.col("paid") > pl.col("amount_cents")))
    if not over.height:
        return []
    return [f"{over.height} overpaid invoices hold a credit for the client{_ids(over)}"]
