"""Which ledger: --db beats $KPITUI_DB beats config.toml `db` beats the bundled sample.

Three small ledgers with one open invoice each (111.11, 222.22, 333.33) and their own
company name tell which one was opened.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from . import fixtures as fx

TOTALS = {"flag": 11_111, "env": 22_222, "config": 33_333}


@pytest.fixture
def ledgers(tmp_path: Path) -> dict[str, Path]:
    return {
        source: fx.build_ledger(tmp_path / f"{source}.db", fx.one_open_invoice(cents),
                                meta={"company": f"Company via {source}"})
        for source, cents in TOTALS.items()
    }


def write_config(home: Path, db: Path) -> None:
    folder = home / "xdg-config" / "kpitui"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f"theme = \"textual-dark\"\ndb = {json.dumps(str(db))}\n",
                                        encoding="utf-8")


def opened_total(run: fx.Run) -> int:
    assert run.returncode == 0, run
    return run.json()["receivables"]["total_cents"]


def test_db_flag_beats_env_and_config(ledgers: dict[str, Path], tmp_path: Path) -> None:
    write_config(tmp_path, ledgers["config"])
    env = fx.cli_env(tmp_path, KPITUI_DB=str(ledgers["env"]))
    as_json, text = fx.kpitui_many([["summary", "--json", "--db", ledgers["flag"]],
                                    ["summary", "--db", ledgers["flag"]]], env)
    assert opened_total(as_json) == TOTALS["flag"]
    assert as_json.err_lines == [], as_json
    assert text.returncode == 0, text
    assert "Company via flag" in text.out_lines[0], text
    assert "SAMPLE" not in text.stdout + text.stderr


def test_env_beats_config(ledgers: dict[str, Path], tmp_path: Path) -> None:
    write_config(tmp_path, ledgers["config"])
    env = fx.cli_env(tmp_path, KPITUI_DB=str(ledgers["env"]))
    run = fx.kpitui(["summary", "--json"], env)
    assert opened_total(run) == TOTALS["env"]
    assert run.err_lines == [], run


def test_config_beats_sample(ledgers: dict[str, Path], tmp_path: Path) -> None:
    write_config(tmp_path, ledgers["config"])
    run = fx.kpitui(["summary", "--json"], fx.cli_env(tmp_path))
    assert opened_total(run) == TOTALS["config"]
    assert run.err_lines == [], run


def test_check_follows_the_same_precedence(ledgers: dict[str, Path], tmp_path: Path) -> None:
    write_config(tmp_path, ledgers["config"])
    run = fx.kpitui(["check"], fx.cli_env(tmp_path, KPITUI_DB=str(ledgers["env"])))
    assert run.returncode == 0, run
    assert str(ledgers["env"]) in run.stdout, run


def test_a_missing_db_flag_does_not_fall_back(ledgers: dict[str, Path], tmp_path: Path) -> None:
    """A mistyped --db is an error, never a silent switch to $KPITUI_DB or the sample."""
    missing = tmp_path / "typo.db"
    run = fx.kpitui(["summary", "--json", "--db", missing],
                    fx.cli_env(tmp_path, KPITUI_DB=str(ledgers["env"])))
    assert run.returncode == 2, run
    assert len(run.err_lines) == 1, run
    assert "kpitui init" in run.stderr
    assert run.stdout == ""
    assert not missing.exists()


def bundled_sample() -> Path:
    from kpitui.config import sample_path

    return sample_path()


def sample_is_usable() -> bool:
    path = bundled_sample()
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM invoices").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def test_sample_in_use_says_so_on_stderr(tmp_path: Path) -> None:
    """No --db, no $KPITUI_DB, no config: the sample, and stderr says SAMPLE DATA."""
    run = fx.kpitui(["summary", "--json"], fx.cli_env(tmp_path))
    assert "Traceback" not in run.stderr, run
    assert "SAMPLE DATA" in run.stderr, run
    assert "SAMPLE DATA" not in run.stdout, "the notice must stay out of the JSON"


@pytest.mark.skipif(not sample_is_usable(),
                    reason=f"the bundled sample ({bundled_sample()}) is not a ledger yet")
def test_sample_summary_json_is_valid_json(tmp_path: Path) -> None:
    before = fx.snapshot(bundled_sample())
    as_json, text = fx.kpitui_many([["summary", "--json"], ["summary"]], fx.cli_env(tmp_path))
    assert as_json.returncode == 0, as_json
    data = as_json.json()
    assert {"as_of", "currency", "receivables"} <= set(data)
    assert "SAMPLE DATA" in as_json.stderr
    assert text.returncode == 0, text
    assert "SAMPLE DATA" in text.stdout + text.stderr
    assert fx.snapshot(bundled_sample()) == before, "summary changed the bundled sample"
