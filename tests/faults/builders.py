"""One builder per fault case of issue 6, and the runners they share (CLI, user nobody, pty).

Every builder writes a ledger (or starts a process) for exactly one case and documents the
figures a sound reading of it gives, worked out by hand.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KPITUI = Path(sys.executable).parent / "kpitui"
SYSTEM_PYTHON = Path("/usr/bin/python3.11")   # nobody cannot enter /root, where the venv's is
NOBODY = 65534
TIMEOUT_S = 60
AS_OF = "2026-06-30"


# --- running kpitui ---------------------------------------------------------------------------

@dataclass
class Run:
    """A finished command, its output decoded strictly (not UTF-8 fails the test)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)

    def __str__(self) -> str:   # shown in assertion messages
        return (f"$ {' '.join(self.args)}\nexit {self.returncode}\n--- stdout\n"
                f"{self.stdout[:4000]}\n--- stderr\n{self.stderr[:4000]}")


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """No $KPITUI_DB; config and data under `home`."""
    env = {k: v for k, v in os.environ.items() if k not in ("KPITUI_DB", "NO_COLOR")}
    env.update(XDG_CONFIG_HOME=str(home / "xdg-config"), XDG_DATA_HOME=str(home / "xdg-data"),
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run_command(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=TIMEOUT_S, check=False)
    return Run(argv, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def run_kpitui(args: Sequence[str | Path], home: Path) -> Run:
    """The installed console script, as the current user (root in CI)."""
    return run_command([str(KPITUI), *map(str, args)], cli_env(home))


# --- running kpitui as user nobody (permission bits do not bind root) --------------------------

def nobody_env(home: Path) -> dict[str, str]:
    purelib = sysconfig.get_paths()["purelib"]
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "PYTHONUTF8": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": f"{purelib}:{REPO / 'src'}",
            "XDG_CONFIG_HOME": str(home / "xdg-config"), "XDG_DATA_HOME": str(home / "xdg-data")}


def as_nobody(argv: Sequence[str]) -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def run_as_nobody(args: Sequence[str | Path], home: Path) -> Run:
    """`python -m kpitui ARGS` as nobody, with Debian's interpreter and the venv's packages."""
    return run_command(as_nobody([str(SYSTEM_PYTHON), "-m", "kpitui", *map(str, args)]),
                nobody_env(home), cwd=Path("/tmp"))


def nobody_unavailable() -> str:
    """Why kpitui cannot be run as nobody here ('' when it can)."""
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing"
    if os.geteuid() != 0:
        return "not root: cannot switch to user nobody"
    with public_dir() as root:
        home = nobody_home(root)
        probe = run_command(as_nobody([str(SYSTEM_PYTHON), "-c",
                                "import kpitui.cli, kpitui.kpis.cockpit, kpitui.transfer.export,"
                                " polars, connectorx; print('ok')"]),
                     nobody_env(home), cwd=Path("/tmp"))
    if probe.returncode != 0 or probe.stdout.strip() != "ok":
        return f"kpitui does not import as nobody: {probe.stderr.strip()[-300:]}"
    return ""


@contextmanager
def public_dir() -> Iterator[Path]:
    """A directory under /tmp that nobody can enter (pytest's tmp_path is 0700 root)."""
    root = Path(tempfile.mkdtemp(prefix="kpitui-faults-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for dirpath, _, _ in os.walk(root):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(root, ignore_errors=True)


def nobody_home(root: Path) -> Path:
    home = root / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    return home


# --- a sound ledger whose figures are known (the read-only cases) ------------------------------

SOUND_ROWS = """
INSERT INTO meta (key, value) VALUES ('company', 'Sound MSP'), ('as_of', '2026-06-30');
INSERT INTO clients (id, name, terms_days) VALUES (1, 'Northwind Traders', 30),
                                                  (2, 'Fabrikam Ltd', 30);
INSERT INTO invoices (id, number, client_id, issued_on, due_on, amount_cents) VALUES
  (1, 'INV-1', 1, '2026-04-01', '2026-05-01', 100000),
  (2, 'INV-2', 1, '2026-05-01', '2026-05-31', 100000),
  (3, 'INV-3', 2, '2026-06-15', '2026-07-15', 50000);
INSERT INTO payments (id, invoice_id, paid_on, amount_cents, method) VALUES
  (1, 1, '2026-04-28', 100000, 'ach'),
  (2, 2, '2026-06-10', 40000, 'card');
INSERT INTO followups (id, invoice_id, at, kind, note) VALUES
  (1, 2, '2026-06-05T10:00:00', 'call', 'left a message');
"""
# At 2026-06-30: INV-1 paid; INV-2 open 60000, 30 days past due (1-30); INV-3 50000 current.
SOUND_TOTAL = 110000
SOUND_BUCKETS = {"current": 50000, "1-30": 60000, "31-60": 0, "61-90": 0, "90+": 0}
SOUND_COLLECTED_30D = 40000                # (06-01 .. 06-30]: the 40000 card payment
SOUND_AGING = {"Northwind Traders": 60000, "Fabrikam Ltd": 50000}


def sound_ledger(path: Path, *, journal: str = "wal") -> Path:
    """A kpitui ledger (kpitui's own create, as `kpitui init` does) with SOUND_ROWS."""
    from kpitui.ledger import schema

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema.create(conn)
        conn.executescript(SOUND_ROWS)
        if journal != "wal":
            conn.execute(f"PRAGMA journal_mode = {journal}")
    finally:
        conn.close()
    return path


def readonly_file_case(root: Path, journal: str) -> Path:
    """Case 1a: the ledger file is mode 444, in a directory nobody may write."""
    folder = root / f"writable-{journal}"
    folder.mkdir()
    ledger = sound_ledger(folder / "ledger.db", journal=journal)
    ledger.chmod(0o444)
    os.chown(folder, NOBODY, NOBODY)
    return ledger


def readonly_dir_case(root: Path, home: Path) -> Path:
    """Case 1b: a WAL ledger made by `kpitui init`, checkpointed (no -wal left), in a 555
    directory: only `immutable=1` can open it (LEDGER.md)."""
    folder = root / "readonly-dir"
    folder.mkdir()
    ledger = folder / "ledger.db"
    made = run_kpitui(["init", ledger], home)
    assert made.returncode == 0, made
    conn = sqlite3.connect(ledger, isolation_level=None)
    try:
        conn.executescript(SOUND_ROWS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()                        # the last connection checkpoints and removes -wal
    assert not Path(f"{ledger}-wal").exists() and not Path(f"{ledger}-shm").exists()
    ledger.chmod(0o644)
    folder.chmod(0o555)
    return ledger


# --- a garbage ledger (case 2) -----------------------------------------------------------------

# The format-1 tables and columns, made by hand WITHOUT NOT NULL / CHECK / UNIQUE, so that
# garbage can get in (application_id and user_version stay 0: a hand-made ledger).
LOOSE_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE partners (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, started_on TEXT,
  revenue_share_bp INTEGER, annual_target_cents INTEGER);
CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT,
  terms_days INTEGER, autopay INTEGER, partner_id INTEGER, since TEXT, churned_on TEXT);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, number TEXT, client_id INTEGER, issued_on TEXT,
  due_on TEXT, amount_cents INTEGER, recurring INTEGER, void INTEGER, written_off_on TEXT);
CREATE TABLE payments (id INTEGER PRIMARY KEY, invoice_id INTEGER, paid_on TEXT,
  amount_cents INTEGER, method TEXT);
CREATE TABLE followups (id INTEGER PRIMARY KEY, invoice_id INTEGER, at TEXT, kind TEXT,
  note TEXT, promised_on TEXT, promised_cents INTEGER, until TEXT, by TEXT, undoes INTEGER);
CREATE TABLE opportunities (id INTEGER PRIMARY KEY, name TEXT, client_id INTEGER,
  partner_id INTEGER, source TEXT, owner TEXT, created_on TEXT, qualified_on TEXT,
  appointment_on TEXT, proposal_on TEXT, closed_on TEXT, outcome TEXT, mrr_cents INTEGER,
  onetime_cents INTEGER, upsell_offered INTEGER, upsell_taken INTEGER);
CREATE TABLE partner_costs (id INTEGER PRIMARY KEY, partner_id INTEGER, incurred_on TEXT,
  amount_cents INTEGER, category TEXT, note TEXT);
CREATE TABLE goals (id INTEGER PRIMARY KEY, metric TEXT, period_start TEXT, period_end TEXT,
  target INTEGER);
"""

# Sound rows, some of them suspicious but real (kpitui check lists them, totals use them as
# KPIS.md says): duplicate invoice numbers (two real invoices), a payment on a void invoice
# (counts nowhere: payments count only on void = 0), a follow-up of an unknown kind (counts
# for nothing), a client name that is not UTF-8, a 100 kB note.
GARBAGE_SOUND_ROWS = """
INSERT INTO meta VALUES ('currency', 'USD'), ('as_of', '2026-06-30'), ('company', 'Garbage Co');
INSERT INTO clients (id, name, terms_days, autopay) VALUES
  (1, 'Northwind Traders', 30, 0),
  (2, CAST(x'41636d65fffe204c7464' AS TEXT), 30, 0),
  (3, 'Contoso', 30, 0);
INSERT INTO invoices VALUES
  (1, 'INV-1', 1, '2026-04-01', '2026-05-01', 100000, 0, 0, NULL),
  (2, 'INV-2', 2, '2026-05-15', '2026-06-14', 50000, 0, 0, NULL),
  (3, 'DUP-1', 3, '2026-06-01', '2026-06-20', 30000, 0, 0, NULL),
  (4, 'DUP-1', 3, '2026-06-02', '2026-06-21', 20000, 0, 0, NULL),
  (5, 'VOID-1', 1, '2026-05-01', '2026-05-31', 70000, 0, 1, NULL);
INSERT INTO payments VALUES
  (1, 1, '2026-06-10', 40000, 'ach'),
  (2, 5, '2026-06-15', 70000, 'wire');
INSERT INTO followups (id, invoice_id, at, kind, note) VALUES
  (1, 1, '2026-06-20T10:00:00', 'telepathy', 'thought about paying');
"""
LONG_NOTE = "long note " + "x" * 100_000 + " END"

# Unsound rows, each with exactly one defect: kpitui sets them apart (counted, listed).
GARBAGE_ROWS = """
INSERT INTO invoices VALUES
  (10, 'G-NULL-AMOUNT', 1, '2026-05-01', '2026-05-31', NULL, 0, 0, NULL),
  (11, 'G-NULL-ISSUED', 1, NULL, '2026-05-31', 1000, 0, 0, NULL),
  (12, 'G-FEB-30', 1, '2026-02-30', '2026-05-31', 1000, 0, 0, NULL),
  (13, 'G-US-DATE', 1, '2026-05-01', '03/04/2026', 1000, 0, 0, NULL),
  (14, 'G-NEGATIVE', 1, '2026-05-01', '2026-05-31', -5000, 0, 0, NULL),
  (15, 'G-HUGE', 1, '2026-05-01', '2026-05-31', 9007199254740992, 0, 0, NULL),
  (16, 'G-TEXT', 1, '2026-05-01', '2026-05-31', 'abc', 0, 0, NULL),
  (17, 'G-REAL', 1, '2026-05-01', '2026-05-31', 12.5, 0, 0, NULL);
INSERT INTO payments VALUES
  (3, 2, '2026-06-20', 'abc', 'ach'),
  (4, 2, '2026-13-01', 1000, 'ach');
"""
GARBAGE_SET_APART = 10
# What `kpitui check` says, one line per kind of problem (exact text after "problem: ").
GARBAGE_CHECK_LINES = [
    "invoices: 2 rows without a readable issued_on (ids 11, 12)",
    "invoices: 1 rows without a readable due_on (ids 13)",
    "invoices: 3 rows without a readable amount_cents (ids 10, 16, 17)",
    "invoices: 1 rows whose amount_cents is absurd (at least 2^53 cents) (ids 15)",
    "invoices: 1 rows with a negative amount_cents (ids 14)",
    "payments: 1 rows without a readable paid_on (ids 4)",
    "payments: 1 rows without a readable amount_cents (ids 3)",
    "1 payments on void invoices (id 2)",
    "1 follow-ups of an unknown kind (id 1)",
    "2 invoices sharing a number with another (id 3, 4)",
]
# The sound rows alone, at 2026-06-30, by hand:
#   INV-1 100000 - 40000 = 60000 open, due 05-01: 60 days past due (31-60), priority 3600000
#   INV-2  50000 open, due 06-14: 16 days (1-30), priority 800000
#   DUP-1  30000 open, due 06-20: 10 days (1-30), priority 300000
#   DUP-1  20000 open, due 06-21:  9 days (1-30), priority 180000
#   VOID-1 void: not live, and its 70000 payment counts nowhere.
GARBAGE_TOTAL = 160000
GARBAGE_BUCKETS = {"current": 0, "1-30": 100000, "31-60": 60000, "61-90": 0, "90+": 0}
GARBAGE_COLLECTED_30D = 40000
GARBAGE_QUEUE = [(1, "INV-1", 60000, 60, "new"), (2, "INV-2", 50000, 16, "new"),
                 (3, "DUP-1", 30000, 10, "new"), (4, "DUP-1", 20000, 9, "new")]
MANGLED_NAME = "Acme\ufffd\ufffd Ltd"     # 0xff 0xfe are not UTF-8: each becomes U+FFFD
GARBAGE_AGING = {"Northwind Traders": 60000, MANGLED_NAME: 50000, "Contoso": 50000}


def garbage_ledger(path: Path, *, garbage: bool = True) -> Path:
    """Case 2: a hand-made ledger holding every kind of garbage (or, with garbage=False, the
    same ledger with the unsound rows left out: what the figures must equal)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(LOOSE_DDL)
        conn.executescript(GARBAGE_SOUND_ROWS)
        conn.execute("INSERT INTO followups (id, invoice_id, at, kind, note) VALUES "
                     "(2, 2, '2026-06-25T09:00:00', 'note', ?)", (LONG_NOTE,))
        if garbage:
            conn.executescript(GARBAGE_ROWS)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0
    finally:
        conn.close()
    return path


# --- untrusted text (case 4) -------------------------------------------------------------------

# Client names: (shown as, stored as). What is shown is the stored text with C0/C1 controls
# and bidi overrides removed (text.clean_text): literal, inert.
UNTRUSTED_NAMES = [
    "Quit [@click=app.quit]now[/]",
    "Acme [Ltd]",
    "Red \x1b[31mALERT",
    "Wipe \x1b[2JSCREEN",
    "Title0 \x1b]0;pwned\x07 x",
    "Title2 \x1b]2;pwned\x1b\\ y",
    "Clip \x1b]52;c;cGF5bWU=\x07 z",
    "C1 \x9bCSI\x90DCS",
    "Bidi \u202eevil",
    "株式会社テスト",
]
UNTRUSTED_NOTE = ("[Ltd] \x1b]0;pwned\x07 \x1b]2;pwned\x1b\\ \x1b]52;c;cGF5bWU=\x07 \x1b[2J "
                  "\x9b\x90 \u202e 株式会社テスト")
# Byte sequences that must never reach the terminal (each as injected).
INJECTED = [b"\x1b]0;pwned", b"\x1b]2;pwned", b"\x1b]52;c;cGF5bWU=", b"\x1b[31mALERT",
            b"\x1b[2JSCREEN", b"\xe2\x80\xae", b"\xc2\x9b", b"\xc2\x90", b"\x9bCSI", b"\x90DCS"]


def untrusted_ledger(path: Path) -> Path:
    """Case 4: one overdue invoice per hostile client name (E-1 .. E-10, in that queue order);
    E-2's history holds a hostile note."""
    from kpitui.ledger import schema

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema.create(conn)
        conn.execute("INSERT INTO meta VALUES ('company', 'Evil Co'), ('as_of', ?)", (AS_OF,))
        for i, name in enumerate(UNTRUSTED_NAMES, 1):
            conn.execute("INSERT INTO clients (id, name) VALUES (?, ?)", (i, name))
            conn.execute("INSERT INTO invoices (id, number, client_id, issued_on, due_on, "
                         "amount_cents) VALUES (?, ?, ?, '2026-04-01', '2026-05-01', ?)",
                         (i, f"E-{i}", i, 100_000 - 1000 * i))
        conn.execute("INSERT INTO followups (invoice_id, at, kind, note) VALUES "
                     "(2, '2026-06-20T10:00:00', 'note', ?)", (UNTRUSTED_NOTE,))
    finally:
        conn.close()
    return path


class Pty:
    """A program on the slave side of a pseudo-terminal; we are the terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int, rows: int) -> None:
        import fcntl
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()

    def pump(self, seconds: float) -> bool:
        """Read what the program writes for `seconds`; False once it has closed the pty."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                self.output.extend(data)
        return True

    def wait_for(self, needle: bytes, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while needle not in self.output and time.monotonic() < end:
            if not self.pump(0.2):
                break
        return needle in self.output

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 15) -> int | None:
        """Read until the program exits (or kill it after `timeout`); its exit status."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.pump(0.2) and self.proc.poll() is None:
            pass
        try:
            code = self.proc.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            code = None
        self.pump(0.2)
        os.close(self.master)
        return code


def visible_text(output: bytes) -> str:
    """What a terminal would print: escape sequences (CSI, OSC, charset) taken out."""
    escapes = rb"\x1b\[[0-9;?<>=$ ]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Z]"
    stripped = re.sub(escapes, b"", bytes(output))
    return stripped.decode("utf-8", "replace")


# --- other programs writing the same ledger (case 3) -------------------------------------------

LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""

OTHER_COMMIT = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute(sys.argv[2])
conn.execute("COMMIT")
print("committed", flush=True)
"""
OTHER_CALL = ("INSERT INTO followups (invoice_id, at, kind, note, by) VALUES "
              "(5, '2026-11-15T08:00:00', 'call', 'from the other desk', 'other')")


OTHER_DESK = """
import sys, time
from datetime import date
from kpitui.ledger import actions
from kpitui.ledger.connection import open_ledger

h = open_ledger(sys.argv[1])
today = date(2026, 11, 15)
print("ready", flush=True)
for i in range(10):
    actions.log(h, 5, "call", f"other desk {i}", today)
    actions.payment(h, 5, 100, today, "card", today)
    time.sleep(0.05)
print("done", flush=True)
"""


def other_desk(path: Path) -> subprocess.Popen:
    """Case 3e: a second kpitui process records 10 calls and 10 payments of 1.00 on G-1
    (invoice 5) through the ledger-actions code; returns once it has opened the ledger."""
    proc = subprocess.Popen([sys.executable, "-c", OTHER_DESK, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    line = read_line(proc, 20)
    if line != "ready":
        proc.kill()
        raise AssertionError(f"the other desk did not start: {proc.communicate(timeout=10)}")
    return proc


def read_line(proc: subprocess.Popen, timeout: float) -> str:
    """One line of a child's stdout, or '' after `timeout` seconds."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().decode().strip() if ready else ""


def hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Case 3a/3b: another process takes the write lock (BEGIN IMMEDIATE) for `seconds`;
    returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = read_line(proc, 20)
    if line != "locked":
        proc.kill()
        proc.wait(10)
        raise AssertionError(f"the lock holder did not take the lock: {line!r}")
    return proc


def commit_from_elsewhere(path: Path, sql: str = OTHER_CALL) -> None:
    """Case 3c: another process runs `sql` (by default: appends a call on G-1, invoice 5) in
    a transaction of its own and commits."""
    done = subprocess.run([sys.executable, "-c", OTHER_COMMIT, str(path), sql],
                          capture_output=True, timeout=TIMEOUT_S, check=False)
    assert done.stdout.decode().strip() == "committed", done


def books_closed_ledger(path: Path) -> Path:
    """A ledger whose owner added a guard trigger that rolls back any new payment (as a
    "books closed" rule would): SQLite ends the whole transaction itself, mid-write."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("CREATE TRIGGER books_closed BEFORE INSERT ON payments "
                     "BEGIN SELECT RAISE(ROLLBACK, 'the books are closed'); END")
    finally:
        conn.close()
    return path


# --- 200 rapid actions, killed at a random moment (case 3f) ------------------------------------

STORM_SCRIPT = """
import random, sys
from datetime import date
from kpitui.ledger import actions
from kpitui.ledger.connection import open_ledger

path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
h = open_ledger(path)
today = date(2026, 11, 15)
invoices = [r[0] for r in h.conn.execute("SELECT id FROM invoices ORDER BY id")]
written_off = set()
undoable = []           # (follow-up id, kind, invoice id)
print("ready", flush=True)
for i in range(200):
    roll, inv = rng.random(), rng.choice(invoices)
    free = [x for x in invoices if x not in written_off]
    if roll < 0.35:
        w = actions.payment(h, inv, 100 + i, today, rng.choice(["ach", "card", "wire"]), today)
        undoable.append((w.followups[0], "payment", inv))
        print(i, "payment", w.followups[0], w.payments[0], flush=True)
    elif roll < 0.55 and free:
        inv = rng.choice(free)
        w = actions.write_off(h, inv, today, note=f"bad debt {i}")
        written_off.add(inv)
        undoable.append((w.followups[0], "writeoff", inv))
        print(i, "writeoff", w.followups[0], inv, flush=True)
    elif roll < 0.8 and undoable:
        fid, kind, target = undoable.pop(rng.randrange(len(undoable)))
        w = actions.undo(h, fid, today)
        if kind == "writeoff":
            written_off.discard(target)
        print(i, "undo", w.followups[0], fid, *w.payments, flush=True)
    else:
        w = actions.log(h, inv, "call", f"call {i}", today)
        print(i, "log", w.followups[0], flush=True)
print("done", flush=True)
"""


def storm_ledger(path: Path) -> Path:
    """Case 3f: twelve open invoices to act on."""
    from kpitui.ledger import schema

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema.create(conn)
        conn.execute("INSERT INTO clients (id, name) VALUES (1, 'Storm Client')")
        conn.executemany("INSERT INTO invoices (id, number, client_id, issued_on, due_on, "
                         "amount_cents) VALUES (?, ?, 1, '2026-09-01', '2026-10-01', 500000)",
                         [(i, f"S-{i}") for i in range(1, 13)])
    finally:
        conn.close()
    return path


def storm_then_kill(path: Path, seed: int) -> tuple[list[list[str]], int, int]:
    """Run the storm; SIGKILL it once a seeded-random number of actions were acknowledged
    (plus a seeded-random sub-millisecond delay, so the kill lands mid-transaction at times).

    Returns the acknowledged actions (printed lines, split), the planned kill point, and the
    child's return code."""
    rng = random.Random(seed)
    kill_after = rng.randrange(5, 190)
    delay = rng.uniform(0, 0.004)
    proc = subprocess.Popen([sys.executable, "-c", STORM_SCRIPT, str(path), str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, bufsize=0)
    lines: list[str] = []
    buf = b""
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            lines += [d.decode() for d in done]
            if sum(1 for ln in lines if ln[:1].isdigit()) >= kill_after:
                time.sleep(delay)
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        rest, err = proc.communicate(timeout=30)
    # Only whole lines were acknowledged: a print cut short by the kill has no newline.
    lines += (buf + rest).decode(errors="replace").split("\n")[:-1]
    acked = [ln.split() for ln in lines if ln[:1].isdigit()]
    assert "ready" in lines, err.decode()
    return acked, kill_after, proc.returncode


# --- every queue status at once (case 6) -------------------------------------------------------

ALL_STATUSES_ROWS = """
INSERT INTO invoices VALUES
  (6, 'D-1', 3, '2026-09-01', '2026-10-01', 8000, 0, 0, NULL),
  (7, 'K-1', 3, '2026-09-01', '2026-10-01', 9000, 0, 0, NULL),
  (8, 'E-1', 2, '2026-09-01', '2026-10-01', 4000, 0, 0, NULL);
INSERT INTO followups (invoice_id, at, kind, note, promised_on, promised_cents) VALUES
  (6, '2026-11-05T10:00:00', 'dispute', 'wrong rate', NULL, NULL),
  (7, '2026-11-01T10:00:00', 'promise', NULL, '2026-11-10', 9000),
  (8, '2026-11-02T10:00:00', 'escalate', 'to the owner', NULL, NULL);
"""
# With tests/app/conftest.py ROWS: G-1 new, B-1 promised, A-2 contacted; D-1 disputed,
# K-1 broken (promised for 11-10, before 11-15), E-1 escalated.
ALL_STATUSES = {"G-1": "new", "B-1": "promised", "A-2": "contacted", "D-1": "disputed",
                "K-1": "broken", "E-1": "escalated"}


def all_statuses_ledger(path: Path) -> Path:
    """Case 6: the app fixture's ledger plus one invoice in each status it lacked."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(ALL_STATUSES_ROWS)
    finally:
        conn.close()
    return path
