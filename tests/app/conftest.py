"""A small cockpit ledger whose every figure is known, and a helper to drive the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

TODAY = "2026-11-15"

ROWS = """
INSERT INTO meta VALUES ('company', 'Test MSP'), ('as_of', '2026-11-15');
INSERT INTO partners VALUES (1, 'Acme Referrals', 'referral', '2025-01-01', 1000, 100000);
INSERT INTO clients VALUES
  (1, 'Alpha [Ltd]', NULL, NULL, 30, 1, 1, '2025-06-01', NULL),
  (2, 'Beta Dental', NULL, NULL, 30, 0, NULL, '2024-01-01', NULL),
  (3, 'Gamma Logistics', NULL, NULL, 30, 0, NULL, '2024-01-01', NULL);
INSERT INTO invoices VALUES
  (1, 'A-1', 1, '2026-09-01', '2026-10-01', 10000, 1, 0, NULL),
  (2, 'A-2', 1, '2026-10-01', '2026-10-31', 20000, 1, 0, NULL),
  (3, 'B-1', 2, '2026-06-01', '2026-07-01', 5000, 0, 0, NULL),
  (4, 'B-2', 2, '2026-11-01', '2026-12-01', 7000, 0, 0, NULL),
  (5, 'G-1', 3, '2026-09-15', '2026-10-15', 30000, 0, 0, NULL);
INSERT INTO payments VALUES
  (1, 1, '2026-10-05', 10000, 'ach'),
  (2, 2, '2026-11-10', 5000, 'card');
INSERT INTO followups VALUES
  (1, 3, '2026-11-01T10:00:00', 'promise', NULL, '2026-11-30', 2000, NULL, 'me', NULL),
  (2, 2, '2026-11-12T09:00:00', 'call', 'left a message', NULL, NULL, NULL, 'me', NULL);
INSERT INTO goals VALUES (1, 'revenue', '2026-01-01', '2026-12-31', 1000000);
"""
# At 2026-11-15 the queue (priority = open x dpd) is:
#   G-1  30000 x 31 = 930000  new
#   B-1   5000 x 137 = 685000 promised (promise 2026-11-30)
#   A-2  15000 x 15 = 225000  contacted


@pytest.fixture
def ledger(empty_ledger: Path) -> Path:
    conn = sqlite3.connect(empty_ledger)
    conn.executescript(ROWS)
    conn.commit()
    conn.close()
    return empty_ledger


def rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read what the app wrote, straight from SQLite."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def settle(pilot, app) -> None:
    """Wait for loading and writing workers, then for the screen to catch up."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def table_rows(app, selector: str) -> list[list[str]]:
    """A table's rows (DataTable or FrameTable) as plain strings, as a person reads them."""
    table = app.screen.query_one(selector)
    return [[getattr(c, "plain", str(c)) for c in table.get_row_at(i)]
            for i in range(table.row_count)]


def text_of(app, selector: str) -> str:
    """The plain text a Static shows."""
    widget = app.screen.query_one(selector)
    content = widget.content if hasattr(widget, "content") else widget.render()
    return getattr(content, "plain", str(content))
