"""The app tests' `ledger` fixture (tests/app/conftest.py), shared with the fault tests."""

from __future__ import annotations

from app.conftest import ledger  # noqa: F401  (a fixture, used by name)
