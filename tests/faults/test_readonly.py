"""Files that can be read but not safely written: a read-only file, a read-only directory.

Root ignores permission bits, so the command line runs as user nobody (setpriv), with Debian's
interpreter and the venv's packages. The app's read-only mode runs in Pilot.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.conftest import settle, text_of
from kpitui.app.app import KpiApp

from .builders import (
    SOUND_AGING,
    SOUND_BUCKETS,
    SOUND_COLLECTED_30D,
    SOUND_TOTAL,
    SYSTEM_PYTHON,
    as_nobody,
    nobody_env,
    nobody_home,
    nobody_unavailable,
    public_dir,
    readonly_dir_case,
    readonly_file_case,
    run_as_nobody,
    run_command,
    sound_ledger,
)


@pytest.fixture(scope="module")
def nobody() -> None:
    why = nobody_unavailable()
    if why:
        pytest.skip(f"cannot run kpitui as user nobody, so read-only files cannot be made "
                    f"real for root: {why}")


def nobody_can(path: Path, home: Path) -> tuple[bool, bool, bool]:
    """(read the file, write the file, write its directory) as nobody: proves the setup."""
    probe = run_command(as_nobody([str(SYSTEM_PYTHON), "-c",
                            "import os, sys; p = sys.argv[1]; print(os.access(p, os.R_OK), "
                            "os.access(p, os.W_OK), os.access(os.path.dirname(p), os.W_OK))",
                            str(path)]), nobody_env(home))
    assert probe.returncode == 0, probe
    return tuple(word == "True" for word in probe.stdout.split())


def summary_and_export(ledger: Path, home: Path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        summary = pool.submit(run_as_nobody, ["summary", "--json", "--db", ledger], home)
        export = pool.submit(run_as_nobody, ["export", "aging", "--money", "cents", "--db",
                                             ledger], home)
        return summary.result(), export.result()


def assert_sound_figures(summary, export) -> None:
    assert summary.returncode == 0, summary
    assert summary.stderr == "", summary
    got = summary.json()["receivables"]
    assert got["total_cents"] == SOUND_TOTAL
    assert got["buckets"] == SOUND_BUCKETS
    assert got["collected_30d_cents"] == SOUND_COLLECTED_30D
    assert [(r["number"], r["open_cents"]) for r in summary.json()["collections_queue"]] == [
        ("INV-2", 60000)]
    assert export.returncode == 0, export
    assert export.stderr == "", export
    table = list(csv.DictReader(io.StringIO(export.stdout)))
    assert {r["client"]: int(r["total"]) for r in table} == SOUND_AGING


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_read_only_file_summary_and_export(nobody, journal):
    with public_dir() as root:
        home = nobody_home(root)
        ledger = readonly_file_case(root, journal)
        assert nobody_can(ledger, home) == (True, False, True)
        before = ledger.read_bytes()
        summary, export = summary_and_export(ledger, home)
        assert_sound_figures(summary, export)
        assert ledger.read_bytes() == before
        assert oct(ledger.stat().st_mode & 0o777) == oct(0o444)


def test_wal_ledger_in_read_only_directory(nobody):
    with public_dir() as root:
        home = nobody_home(root)
        ledger = readonly_dir_case(root, home)
        assert nobody_can(ledger, home) == (True, False, False)
        before = ledger.read_bytes()
        summary, export = summary_and_export(ledger, home)
        assert_sound_figures(summary, export)
        assert ledger.read_bytes() == before
        assert sorted(p.name for p in ledger.parent.iterdir()) == ["ledger.db"]


OWNER = 54321   # another ordinary user: the ledger's owner


def test_reader_leaves_a_shared_wal_ledger_writable_for_its_owner(nobody):
    with public_dir() as root:
        home = nobody_home(root)
        folder = root / "shared"
        folder.mkdir()
        folder.chmod(0o777)
        ledger = sound_ledger(folder / "ledger.db")
        os.chown(ledger, OWNER, OWNER)
        ledger.chmod(0o644)
        summary = run_as_nobody(["summary", "--json", "--db", ledger], home)
        assert summary.returncode == 0, summary
        owner_writes = run_command(
            ["setpriv", f"--reuid={OWNER}", f"--regid={OWNER}", "--clear-groups",
             str(SYSTEM_PYTHON), "-c",
             "import sys; from datetime import date; from kpitui.ledger import actions; "
             "from kpitui.ledger.connection import open_ledger; h = open_ledger(sys.argv[1]); "
             "actions.log(h, 2, 'call', 'owner', date(2026, 6, 30)); print('written')",
             str(ledger)], nobody_env(home), cwd=Path("/tmp"))
        leftovers = sorted(p.name for p in folder.iterdir())
        assert (owner_writes.returncode, owner_writes.stdout.strip()) == (0, "written"), (
            f"{owner_writes}\nleft in the folder by the reader: {leftovers}")


WRITE_KEYS = ["c", "e", "n", "p", "s", "x", "d", "dollar_sign", "w", "u"]


def counts(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT count(*) FROM followups").fetchone()[0],
                conn.execute("SELECT count(*) FROM payments").fetchone()[0],
                conn.execute("SELECT count(*) FROM invoices WHERE written_off_on IS NOT NULL")
                .fetchone()[0])
    finally:
        conn.close()


async def test_app_read_only_refuses_every_write_key(tmp_path):
    ledger = sound_ledger(tmp_path / "ledger.db")
    before, data = counts(ledger), ledger.read_bytes()
    app = KpiApp(db=ledger, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert "READ-ONLY" in text_of(app, "#header")
        await pilot.press("3")
        await pilot.pause()
        for key in WRITE_KEYS:
            seen = len(app._notifications)
            await pilot.press(key)
            await settle(pilot, app)
            assert len(app.screen_stack) == 1, f"{key}: a form or question opened"
            said = [str(n.message) for n in list(app._notifications)[seen:]]
            assert said == ["read-only ledger (opened read-only)"], (key, said)
        assert app.is_running
    assert counts(ledger) == before
    assert ledger.read_bytes() == data
