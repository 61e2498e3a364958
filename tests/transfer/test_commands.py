"""The click commands, through click's test runner; the console script once cli.py has them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpitui.transfer.commands import export_cmd, import_cmd

from .helpers import DATA, dump, query

KPITUI = Path(sys.executable).parent / "kpitui"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    """A runner whose config and data dirs are private, with no $KPITUI_DB."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("KPITUI_DB", raising=False)
    return CliRunner()


def test_import_prints_changes_and_the_count_last(runner, empty_ledger):
    result = runner.invoke(import_cmd, [str(DATA / "qbo-invoice-list.csv"), "--db",
                                        str(empty_ledger)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "added 9, updated 0, unchanged 0"
    again = runner.invoke(import_cmd, [str(DATA / "qbo-invoice-list.csv"), "--db",
                                       str(empty_ledger)])
    assert again.stdout.splitlines()[-1] == "added 0, updated 0, unchanged 4"


def test_import_dry_run(runner, empty_ledger):
    before = dump(empty_ledger)
    result = runner.invoke(import_cmd, [str(DATA / "xero-invoices.csv"), "--db",
                                        str(empty_ledger), "--dry-run"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == ("dry run, nothing written: added 7, updated 0, "
                                              "unchanged 0")
    assert dump(empty_ledger) == before


def test_refused_file_is_one_line_and_exit_2(runner, empty_ledger):
    result = runner.invoke(import_cmd, [str(DATA / "bad-amount.csv"), "--db",
                                        str(empty_ledger)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("kpitui: bad-amount.csv refused, nothing imported: row 3:")
    assert query(empty_ledger, "SELECT count(*) FROM invoices") == [(0,)]


def test_map_and_date_format_options(runner, empty_ledger, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Inv,Who,Billed,Due,Total\nA-1,Lantern Books,03.04.2026,03.05.2026,10.00\n")
    result = runner.invoke(import_cmd, [str(path), "--db", str(empty_ledger), "--map",
                                        "Inv=number", "--map", "Who=client", "--map",
                                        "Billed=issued_on", "--map", "Due=due_on", "--map",
                                        "Total=amount", "--date-format", "%d.%m.%Y"])
    assert result.exit_code == 0, result.output
    assert query(empty_ledger, "SELECT number, issued_on, due_on, amount_cents FROM invoices"
                 ) == [("A-1", "2026-04-03", "2026-05-03", 1000)]


@pytest.mark.parametrize(("args", "message"), [
    (["--date-format", "%d/%m"], "does not give a year, month and day"),
    (["--map", "nonsense"], "--map 'nonsense' should look like COLUMN=field"),
])
def test_bad_options_are_one_line(runner, empty_ledger, args, message):
    result = runner.invoke(import_cmd, [str(DATA / "generic-invoices.csv"), "--db",
                                        str(empty_ledger), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_file_and_missing_ledger(runner, empty_ledger, tmp_path):
    result = runner.invoke(import_cmd, [str(tmp_path / "nope.csv"), "--db", str(empty_ledger)])
    assert (result.exit_code, result.stderr.strip()) == (2, f"kpitui: {tmp_path}/nope.csv: "
                                                            f"no such file")
    result = runner.invoke(import_cmd, [str(DATA / "generic-invoices.csv"), "--db",
                                        str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no ledger at" in result.stderr


def test_import_refuses_the_bundled_sample(runner):
    result = runner.invoke(import_cmd, [str(DATA / "generic-invoices.csv")])
    assert result.exit_code == 2
    assert "give --db PATH" in result.stderr


def test_export_to_stdout_and_to_a_file(runner, empty_ledger, tmp_path):
    runner.invoke(import_cmd, [str(DATA / "generic-invoices.csv"), "--db", str(empty_ledger)])
    shown = runner.invoke(export_cmd, ["aging", "--db", str(empty_ledger), "--as-of",
                                       "2026-11-23", "--money", "cents"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[2] == "2,'@Home Networks,0,64025,0,0,0,64025"
    out = tmp_path / "aging.json"
    written = runner.invoke(export_cmd, ["aging", "--db", str(empty_ledger), "--as-of",
                                         "2026-11-23", "--output", str(out)])
    assert written.exit_code == 0
    assert f"to {out}" in written.stderr
    assert json.loads(out.read_text())["rows"][1]["total"] == 640.25
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".aging")] == []


def test_export_refuses_a_bad_date_and_pane(runner, empty_ledger):
    bad = runner.invoke(export_cmd, ["aging", "--db", str(empty_ledger), "--as-of", "2026-02-30"])
    assert bad.exit_code == 2
    assert "is not a date" in bad.stderr
    assert runner.invoke(export_cmd, ["ledger", "--db", str(empty_ledger)]).exit_code == 2


def registered() -> bool:
    """Whether the installed console script has the import command yet."""
    if not KPITUI.exists():
        return False
    done = subprocess.run([str(KPITUI), "import", "--help"], capture_output=True, timeout=60)
    return done.returncode == 0


@pytest.mark.skipif(not registered(), reason="cli.py does not register `kpitui import` yet")
def test_console_script_import_and_export(empty_ledger, tmp_path):
    done = subprocess.run([str(KPITUI), "import", str(DATA / "qbo-ar-aging-detail.csv"),
                           "--db", str(empty_ledger)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "added 9, updated 0, unchanged 0"
    bad = subprocess.run([str(KPITUI), "import", str(DATA / "bad-field-count.csv"), "--db",
                          str(empty_ledger)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "row 3" in bad.stderr
    shown = subprocess.run([str(KPITUI), "export", "aging", "--db", str(empty_ledger),
                            "--as-of", "2026-11-23", "--format", "csv"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1].startswith("3,Osprey Freight Co.,")


def test_export_into_a_missing_folder_is_one_line(runner, empty_ledger, tmp_path):
    result = runner.invoke(export_cmd, ["goals", "--db", str(empty_ledger), "--output",
                                        str(tmp_path / "no" / "goals.md")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "is not a directory" in result.stderr
