"""`db`: a Book (connection + path) on the shared `empty_ledger` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .builders import Book, open_book


@pytest.fixture
def db(empty_ledger: Path) -> Iterator[Book]:
    book = open_book(empty_ledger)
    try:
        yield book
    finally:
        book.close()
