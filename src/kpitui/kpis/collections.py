"""The collections queue (KPIS.md): follow-up state per invoice, status, snooze, priority."""

from __future__ import annotations

from datetime import date

import polars as pl

from ..ledger.load import Ledger
from .receivables import memo

STATUSES = ("disputed", "broken", "promised", "escalated", "contacted", "new")
CONTACT_KINDS = ("call", "email", "promise")


def counting_followups(led: Ledger, d: date) -> pl.DataFrame:
    """Follow-ups that count at d: dated <= d, not undone by an undo dated <= d, no undo rows,
    no promise without date or amount, no snooze without until; in (at, id) order."""
    fu = led.followups.filter(pl.col("at_date") <= d)
    undone = fu.filter(pl.col("kind") == "undo")["undoes"].drop_nulls()
    fu = fu.filter((pl.col("kind") != "undo") & ~pl.col("id").is_in(undone.implode()))
    broken_row = (((pl.col("kind") == "promise")
                   & (pl.col("promised_on").is_null() | pl.col("promised_cents").is_null()))
                  | ((pl.col("kind") == "snooze") & pl.col("until").is_null()))
    return fu.filter(~broken_row).sort("at", "id")


def followup_state(led: Ledger, d: date) -> pl.DataFrame:
    """Per invoice with follow-ups: the facts the status needs, and the last contact.
    (Kept per date until follow-ups change: the queue and the forecast both ask.)"""
    return memo(led, f"followups:state:{d}", lambda: _followup_state(led, d))


def _followup_state(led: Ledger, d: date) -> pl.DataFrame:
    fu = counting_followups(led, d)
    kind = pl.col("kind")
    return fu.group_by("invoice_id").agg(
        pl.col("kind").filter(kind.is_in(["dispute", "resolve"])).last().alias("last_dispute"),
        pl.col("promised_on").filter(kind == "promise").last().alias("promised_on"),
        pl.col("promised_cents").filter(kind == "promise").last().alias("promised_cents"),
        pl.col("until").filter(kind == "snooze").last().alias("snoozed_until"),
        (kind == "escalate").any().alias("escalated"),
        kind.is_in(["call", "email"]).any().alias("contacted"),
        pl.col("at").filter(kind.is_in(list(CONTACT_KINDS))).last().alias("last_contact"),
    )


def status_expr(d: date) -> pl.Expr:
    """First status that applies, in KPIS.md order."""
    return (pl.when(pl.col("last_dispute") == "dispute").then(pl.lit("disputed"))
            .when(pl.col("promised_on") < d).then(pl.lit("broken"))
            .when(pl.col("promised_on") >= d).then(pl.lit("promised"))
            .when(pl.col("escalated")).then(pl.lit("escalated"))
            .when(pl.col("contacted")).then(pl.lit("contacted"))
            .otherwise(pl.lit("new")))


def with_status(led: Ledger, invoices: pl.DataFrame, d: date) -> pl.DataFrame:
    """Join each invoice (column id) to its follow-up state; add status and snoozed."""
    state = followup_state(led, d)
    out = invoices.join(state, left_on="id", right_on="invoice_id", how="left")
    return out.with_columns(
        pl.col("escalated").fill_null(False), pl.col("contacted").fill_null(False)
    ).with_columns(
        status_expr(d).alias("status"),
        (pl.col("snoozed_until") > d).fill_null(False).alias("snoozed"),
    )


def queue(led: Ledger, opens_at_d: pl.DataFrame, d: date, *, with_snoozed: bool = False
          ) -> pl.DataFrame:
    """The collections queue at d, in queue order (priority desc, due asc, number asc)."""
    cand = opens_at_d.filter((pl.col("open_cents") > 0) & (pl.col("dpd") >= 1))
    rows = with_status(led, cand, d)
    if not with_snoozed:
        rows = rows.filter(~pl.col("snoozed"))
    names = led.clients.select(pl.col("id").alias("client_id"), pl.col("name").alias("client"))
    numbers = led.lookup("invoices", "number", rows["id"])
    return (rows.join(names, on="client_id", how="left").join(numbers, on="id", how="left")
            .with_columns(pl.col("client").fill_null(""),
                          (pl.col("open_cents") * pl.col("dpd")).alias("priority"))
            .sort(["priority", "due_on", "number"], descending=[True, False, False])
            .select(pl.col("id").alias("invoice_id"), "number", "client_id", "client",
                    "open_cents", "dpd", "priority", "status", "snoozed", "due_on",
                    "last_contact", "promised_on", "promised_cents", "snoozed_until"))


def narrow(queue: pl.DataFrame, text: str = "", *, with_snoozed: bool = False
           ) -> pl.DataFrame:
    """The queue as the pane shows it: snoozed rows only on request, filtered by a
    case-insensitive piece of the client name or invoice number."""
    if not with_snoozed:
        queue = queue.filter(~pl.col("snoozed"))
    if text:
        needle = text.lower()
        hit = (pl.col("client").str.to_lowercase().str.contains(needle, literal=True)
               | pl.col("number").str.to_lowercase().str.contains(needle, literal=True))
        queue = queue.filter(hit)
    return queue


def row_of(queue: pl.DataFrame, invoice_id: int) -> dict | None:
    """One queue row as a dict, or None when the invoice is not in it."""
    found = queue.filter(pl.col("invoice_id") == invoice_id)
    return found.row(0, named=True) if found.height else None


def history(led: Ledger, invoice_id: int, d: date) -> pl.DataFrame:
    """An invoice's payments and follow-ups dated on or before d, newest first.

    Columns: at (text), what, note, undone (bool). Undone rows stay visible, marked.
    """
    fu = led.followups.filter((pl.col("invoice_id") == invoice_id) & (pl.col("at_date") <= d))
    undone = fu.filter(pl.col("kind") == "undo")["undoes"].drop_nulls()
    detail = (pl.when(pl.col("kind") == "promise")
              .then(pl.concat_str(pl.lit("promise "), pl.col("promised_cents").cast(pl.String),
                                  pl.lit("c on "), pl.col("promised_on").cast(pl.String)))
              .when(pl.col("kind") == "snooze")
              .then(pl.concat_str(pl.lit("snooze until "), pl.col("until").cast(pl.String)))
              .otherwise(pl.col("kind")))
    fus = fu.select(pl.col("at"), detail.alias("what"), pl.col("note").fill_null(""),
                    pl.col("by").fill_null(""), pl.col("id").is_in(undone.implode())
                    .alias("undone"), pl.col("id"), pl.col("promised_cents"))
    pays = led.payments.filter((pl.col("invoice_id") == invoice_id)
                               & (pl.col("paid_on") <= d))
    pay_rows = pays.select(pl.col("paid_on").cast(pl.String).alias("at"),
                           pl.lit("paid").alias("what"), pl.col("method").alias("note"),
                           pl.lit("").alias("by"), pl.lit(False).alias("undone"),
                           pl.col("id"), pl.col("amount_cents").alias("promised_cents"))
    return pl.concat([fus, pay_rows], how="vertical_relaxed").sort("at", descending=True)
