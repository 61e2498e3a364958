"""`db`: a Book (connection + path) on the shared `empty_ledger` fixture.

Every KPI test runs three times (`reader`): as `kpitui summary` computes on a small file (the
careful sqlite3 reader, open balances summed per date), as it computes on a big one (`lean`:
connectorx without the columns looked up later, fetch.LEAN), and as the app does (connectorx,
every column, the open-balance spans it builds for its month-end series). The figures must not
depend on the path taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .builders import Book, open_book


@pytest.fixture(autouse=True, params=["careful", "lean", "fast"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KPITUI_READER", "careful" if request.param == "careful" else "fast")
    monkeypatch.setenv("KPITUI_TEST_LEAN", "1" if request.param == "lean" else "")
    monkeypatch.setenv("KPITUI_TEST_SERIES", "1" if request.param == "fast" else "")
    return request.param


@pytest.fixture
def db(empty_ledger: Path) -> Iterator[Book]:
    book = open_book(empty_ledger)
    try:
        yield book
    finally:
        book.close()
