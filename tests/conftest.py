"""Shared fixtures: a real format-1 ledger file in tmp_path, and the summary of a ledger."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample.db"


def summary_for(path: Path | str, as_of: str) -> dict:
    """The `kpitui summary --json` object for a ledger, computed in-process.

    With $KPITUI_TEST_SERIES set (tests/kpis/conftest.py) it is computed the app's way: with
    the month-end series, whose many dates take the open-balance spans path. With
    $KPITUI_TEST_LEAN set, the ledger is read as `summary` reads it (fetch.LEAN).
    """
    from kpitui.kpis.cockpit import compute
    from kpitui.kpis.summary import to_dict
    from kpitui.ledger import fetch
    from kpitui.ledger.connection import open_ledger
    from kpitui.ledger.load import load

    handle = open_ledger(Path(path))
    try:
        ledger = load(handle, fetch.start(handle, bool(os.environ.get("KPITUI_TEST_LEAN"))))
    finally:
        handle.close()
    series = bool(os.environ.get("KPITUI_TEST_SERIES"))
    return to_dict(ledger, compute(ledger, date.fromisoformat(as_of), with_series=series))


@pytest.fixture
def empty_ledger(tmp_path: Path) -> Path:
    """A fresh, empty format-1 ledger file."""
    from kpitui.ledger import schema

    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.create(conn)
    conn.close()
    return path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A tmp_path copy of the bundled sample ledger (never write to the committed one)."""
    dest = tmp_path / "sample.db"
    shutil.copy(SAMPLE, dest)
    return dest


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never read or write the developer's own kpitui config or data (theme, db, scratch)."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("KPITUI_DB", raising=False)
    return home
