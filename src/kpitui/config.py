"""Which ledger and theme: --db beats $KPITUI_DB beats config.toml beats the bundled sample."""

from __future__ import annotations

import hashlib
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """A file shipped in the wheel (kpitui/NAME), or at the top of a source checkout."""
    inside = PACKAGE / name
    return inside if inside.exists() else PACKAGE.parents[1] / name


def sample_path() -> Path:
    return _bundled("sample.db")


def themes_dir() -> Path:
    return _bundled("themes")


def config_dir() -> Path:
    """The user config dir (XDG_CONFIG_HOME is honoured: tests point it at tmp_path)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("kpitui"))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("kpitui"))


def config_path() -> Path:
    return config_dir() / "config.toml"


def read_config() -> dict:
    """The config file's settings; an unreadable file counts as empty (and is never lost)."""
    try:
        return tomllib.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def write_setting(key: str, value: str) -> None:
    """Remember one top-level string setting (theme, db) in config.toml."""
    settings = read_config()
    settings[key] = value
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{k} = {_toml_str(str(v))}" for k, v in settings.items()
             if isinstance(v, str | int | float)]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Choice:
    """The ledger to open and why it was chosen."""

    path: Path
    source: str          # "--db", "$KPITUI_DB", "config", "sample"

    @property
    def is_sample(self) -> bool:
        return self.source == "sample"


def choose_ledger(cli_db: str | None) -> Choice:
    """Apply the precedence rules of issue 2."""
    if cli_db:
        return Choice(Path(cli_db).expanduser(), "--db")
    if os.environ.get("KPITUI_DB"):
        return Choice(Path(os.environ["KPITUI_DB"]).expanduser(), "$KPITUI_DB")
    configured = read_config().get("db")
    if isinstance(configured, str) and configured:
        return Choice(Path(configured).expanduser(), "config")
    return Choice(sample_path(), "sample")


def sample_scratch() -> Path:
    """A private copy of the bundled sample for the app to write to (the bundle stays pristine).

    Refreshed whenever the bundled sample changes (a new kpitui version).
    """
    bundled = sample_path()
    digest = hashlib.sha256(bundled.read_bytes()).hexdigest()[:16]
    folder = data_dir()
    scratch = folder / "sample-scratch.db"
    stamp = folder / "sample-scratch.sha"
    if not scratch.exists() or not stamp.exists() or stamp.read_text() != digest:
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        shutil.copyfile(bundled, scratch)
        stamp.write_text(digest)
    return scratch
