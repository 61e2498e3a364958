"""What the app knows at a moment: the open ledger, its frames, and the figures at an as-of date."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the figures' modules pull in Polars: import them in the workers only
    from ..kpis.cockpit import Cockpit
    from ..ledger.connection import Handle
    from ..ledger.load import Ledger


@dataclass
class Loaded:
    """A consistent pair: the frames and the figures computed from them."""

    ledger: Ledger
    cockpit: Cockpit


@dataclass
class Session:
    """The app's ledger session: one handle kept open (writes, change polling), and today."""

    handle: Handle
    today: date
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_version: int = 0
    undo_stack: list[int] = field(default_factory=list)   # follow-up ids written this session

    def changed_elsewhere(self) -> bool:
        """True when another connection committed since the last look (PRAGMA data_version)."""
        if not self.lock.acquire(blocking=False):
            return False
        try:
            version = self.handle.conn.execute("PRAGMA data_version").fetchone()[0]
        except Exception:  # noqa: BLE001 - a vanished file is reported by the next reload
            return False
        finally:
            self.lock.release()
        changed = bool(self.data_version) and version != self.data_version
        self.data_version = version
        return changed
