"""Issue 7's benchmark: kpitui on a small and a large MSP ledger, against baselines, in one run.

    python bench/run.py                 # every measure, 5 repetitions each
    python bench/run.py --reps 3        # fewer repetitions
    python bench/run.py --quick         # the small ledgers only (s-150, l-5000), 3 reps
    python bench/run.py --time-demo     # also time `kpitui demo` for ledgers already cached

It prints tables (median, best, peak RSS, ratios) and the issue's targets with PASS/MISS, and
never asserts: a MISS is a finding. Ledgers are made by `kpitui demo` into bench/cache/ and
reused. Everything is measured as whole processes: commands by wall time from spawn to exit
and their own peak RSS (wait4), the app headless (App.run_test) in a probe subprocess that
timestamps its steps from its first line. Run it with an interpreter that has kpitui and
pandas (the `bench` dependency group); see bench/README.md.
"""

import time

T0 = time.perf_counter()  # the app probes count from here, before any other import

# ruff: noqa: E402 - T0 must come before the imports
import argparse
import asyncio
import compileall
import contextlib
import functools
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / "cache"
LEDGERS = {"s-150": 150, "l-5000": 5000, "xl-20000": 20000}   # name -> demo --clients
QUICK_LEDGERS = ("s-150", "l-5000")
PAST = "2026-03-31"                     # the past --as-of of step 1
SIZE = (120, 40)                        # the headless terminal of the app probes
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")

# Time limits (seconds): a slow path is reported, never waited for without end.
DEMO_TIMEOUT = 600
COMMAND_TIMEOUT = 300
START_TIMEOUT = 180
SESSION_TIMEOUT = 1500
LOAD_TIMEOUT = 240                      # inside the probe: the app reading the ledger
STEP_TIMEOUT = 60                       # inside the probe: one key to the screen current
PAGE_TIMEOUT = 10                       # inside the probe: one page move
PAGING_BUDGET = 400                     # inside the probe: all the page moves together

# -- the baselines: what someone without kpitui would write ---------------------------------

AGING_SQL = """
WITH d AS (SELECT COALESCE((SELECT value FROM meta WHERE key = 'as_of'),
                           date('now', 'localtime')) AS day),
paid AS (SELECT p.invoice_id, SUM(p.amount_cents) AS cents
         FROM payments p, d WHERE p.paid_on <= d.day GROUP BY p.invoice_id),
open AS (SELECT i.client_id, i.amount_cents - COALESCE(paid.cents, 0) AS cents,
                julianday(d.day) - julianday(i.due_on) AS dpd
         FROM invoices i CROSS JOIN d LEFT JOIN paid ON paid.invoice_id = i.id
         WHERE i.void = 0 AND i.issued_on <= d.day
           AND (i.written_off_on IS NULL OR i.written_off_on > d.day))
SELECT client_id,
       SUM(CASE WHEN dpd <= 0 THEN cents ELSE 0 END),
       SUM(CASE WHEN dpd > 0 AND dpd <= 30 THEN cents ELSE 0 END),
       SUM(CASE WHEN dpd > 30 AND dpd <= 60 THEN cents ELSE 0 END),
       SUM(CASE WHEN dpd > 60 AND dpd <= 90 THEN cents ELSE 0 END),
       SUM(CASE WHEN dpd > 90 THEN cents ELSE 0 END)
FROM open WHERE cents > 0 GROUP BY client_id
"""

# argv: ledger, SQL, bucket names. Prints the bucket totals (to check against kpitui).
SQL_SCRIPT = """
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall()
totals = [sum(r[i] for r in rows) for i in range(1, 6)]
print(json.dumps({"clients": len(rows), "buckets": dict(zip(sys.argv[3:], totals))}))
"""

# argv: ledger, bucket names. The notebook way: whole tables in, then pandas.
PANDAS_SCRIPT = """
import json, sqlite3, sys
import numpy as np
import pandas as pd
con = sqlite3.connect(sys.argv[1])
meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
day = pd.Timestamp(meta.get("as_of") or pd.Timestamp.today().normalize())
inv = pd.read_sql("SELECT * FROM invoices", con,
                  parse_dates=["issued_on", "due_on", "written_off_on"])
pay = pd.read_sql("SELECT * FROM payments", con, parse_dates=["paid_on"])
paid = pay[pay.paid_on <= day].groupby("invoice_id").amount_cents.sum().rename("paid")
live = inv[(inv.void == 0) & (inv.issued_on <= day)
           & (inv.written_off_on.isna() | (inv.written_off_on > day))]
live = live.merge(paid, left_on="id", right_index=True, how="left")
live["open"] = live.amount_cents - live.paid.fillna(0)
live = live[live.open > 0].copy()
dpd = (day - live.due_on).dt.days
live["bucket"] = pd.cut(dpd, [-np.inf, 0, 30, 60, 90, np.inf], labels=sys.argv[2:])
aging = live.groupby(["client_id", "bucket"], observed=False).open.sum().unstack(fill_value=0)
print(json.dumps({"clients": len(aging),
                  "buckets": {b: int(aging[b].sum()) for b in sys.argv[2:]}}))
"""


# == the parent: processes, repetitions, tables =============================================

@dataclass
class Run:
    """One whole process: wall seconds from spawn to exit (None: failed), its own peak RSS."""

    seconds: float | None
    peak_mib: float | None
    out: str = ""
    problem: str = ""           # why seconds is None
    spawned: float = 0.0        # perf_counter at spawn (CLOCK_MONOTONIC, shared with children)


@dataclass
class Series:
    """Repetitions of one measure."""

    runs: list[Run] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs if r.seconds is not None]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times else None

    @property
    def peak(self) -> float | None:
        peaks = [r.peak_mib for r in self.runs if r.peak_mib is not None]
        return max(peaks) if peaks else None

    @property
    def problem(self) -> str:
        return next((r.problem for r in self.runs if r.problem), "")


GNU_TIME = "/usr/bin/time"


@functools.cache
def have_gnu_time() -> bool:
    """Is /usr/bin/time GNU time (which reports a child's own peak RSS with %M)?"""
    try:
        probe = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True)
    except OSError:
        return False
    return "GNU" in probe.stdout + probe.stderr


def run_process(argv: list[str], timeout: float, env: dict | None = None) -> Run:
    """Run one process to its end (its process group killed after `timeout` s); time it from
    spawn to exit and read its own peak RSS.

    The peak comes from GNU time when there is one: a child's ru_maxrss from wait4 starts at
    the spawning process's high-water mark (Linux keeps it across vfork and exec), so it
    would report this script's RSS for a small child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        wrap = [GNU_TIME, "-f", "%M", "-o", rss.name] if have_gnu_time() else []
        killed = threading.Event()
        spawned = time.perf_counter()
        proc = subprocess.Popen([*wrap, *argv], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, env=env, start_new_session=True)

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - spawned
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        reported = rss.read().split()
    kib = int(reported[-1]) if reported and reported[-1].isdigit() else usage.ru_maxrss
    peak = kib / 1024
    if killed.is_set():
        return Run(None, None, text, f"timed out after {timeout:.0f} s", spawned)
    if proc.returncode != 0:
        last = (errors.strip().splitlines() or ["no message"])[-1]
        return Run(None, peak, text, f"exit {proc.returncode}: {last[:120]}", spawned)
    return Run(seconds, peak, text, "", spawned)


def compile_kpitui() -> None:
    """Byte-compile kpitui's own modules, as an installed wheel has them. The dependencies
    are compiled at install (pyproject: compile-bytecode); an editable checkout's sources
    are not, and with PYTHONDONTWRITEBYTECODE every process would compile them again."""
    spec = importlib.util.find_spec("kpitui")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def kpitui_command() -> list[str]:
    """The console script next to this interpreter (as a user runs it), else -m kpitui."""
    script = Path(sys.executable).parent / "kpitui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kpitui"]


def child_env(scratch: Path) -> dict:
    """The environment of kpitui processes: config and data dirs of their own."""
    env = {k: v for k, v in os.environ.items() if k != "KPITUI_DB"}
    env.update(XDG_CONFIG_HOME=str(scratch / "config"), XDG_DATA_HOME=str(scratch / "data"))
    return env


# -- ledgers ---------------------------------------------------------------------------------

def make_ledger(path: Path, clients: int, env: dict) -> Run:
    """`kpitui demo` into a temporary name beside `path`, renamed on success (timed)."""
    part = path.with_name(f".part-{path.name}")
    for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        leftover.unlink(missing_ok=True)
    args = [] if clients == 150 else ["--clients", str(clients)]   # 150: demo's default
    run = run_process([*kpitui_command(), "demo", str(part), *args], DEMO_TIMEOUT, env)
    if run.seconds is not None:
        os.replace(part, path)
    else:
        part.unlink(missing_ok=True)
    return run


def ensure_ledgers(names: list[str], env: dict, scratch: Path, time_demo: bool
                   ) -> dict[str, Run | None]:
    """Build missing ledgers into bench/cache (timed); with time_demo, time cached ones too
    by building them again into the scratch dir. name -> the demo run, or None (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    demo_runs: dict[str, Run | None] = {}
    for name in names:
        path = CACHE / f"{name}.db"
        if not path.exists():
            print(f"  building {path.relative_to(BENCH.parent)} with kpitui demo ...",
                  flush=True)
            demo_runs[name] = make_ledger(path, LEDGERS[name], env)
        elif time_demo:
            print(f"  timing kpitui demo for {name} (the cached file stays) ...", flush=True)
            demo_runs[name] = make_ledger(scratch / f"{name}.db", LEDGERS[name], env)
            (scratch / f"{name}.db").unlink(missing_ok=True)
        else:
            demo_runs[name] = None
    return demo_runs


def ledger_facts(path: Path) -> str:
    """Clients, invoices, payments and size of a ledger, for the header."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("clients", "invoices", "payments")]
    finally:
        conn.close()
    size = path.stat().st_size / 2**20
    return (f"{counts[0]:>7,} clients {counts[1]:>10,} invoices {counts[2]:>10,} payments "
            f"{size:7.1f} MiB")


def stale_note(path: Path) -> str:
    """A warning when the cached ledger is older than the generator that made it."""
    spec = importlib.util.find_spec("kpitui")
    demo = Path(spec.origin).parent / "demo.py" if spec and spec.origin else None
    if demo and demo.exists() and demo.stat().st_mtime > path.stat().st_mtime:
        return "  (older than kpitui/demo.py: delete it to rebuild)"
    return ""


def copy_ledger(path: Path, scratch: Path) -> Path:
    """A private copy for the app to write to: the cached ledger is never written."""
    target = scratch / f"copy-{path.name}"
    for suffix in ("", "-wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{target}{suffix}")
    return target


def warm_up(names: list[str], sample: Path, env: dict, scratch: Path, pandas_ok: bool
            ) -> None:
    """Untimed: read every ledger (page cache) and run every kind of process once on the
    small one (bytecode compiled), so that no repetition pays a first-time cost."""
    print("warming up (untimed)", flush=True)
    for name in names:
        with (CACHE / f"{name}.db").open("rb") as fh:
            while fh.read(1 << 20):
                pass
    for argv in command_steps(CACHE / "s-150.db", pandas_ok).values():
        run_process(argv, COMMAND_TIMEOUT, env)
    for kind in ("start-bare", "start-kpitui"):
        run_process(probe_argv(kind, scratch / f"warm-{kind}.jsonl", str(sample)),
                    START_TIMEOUT, env)


# -- steps 1 and 2: whole processes ----------------------------------------------------------

def command_steps(db: Path, pandas_ok: bool) -> dict[str, list[str]]:
    """The interleaved round: summary, SQL, summary in the past, pandas."""
    kpitui = kpitui_command()
    steps = {
        "kpitui summary --json": [*kpitui, "summary", "--json", "--db", str(db)],
        "aging, one SQL statement (sqlite3)": [sys.executable, "-c", SQL_SCRIPT, str(db),
                                               AGING_SQL, *BUCKETS],
        f"kpitui summary --json --as-of {PAST}": [*kpitui, "summary", "--json", "--db",
                                                   str(db), "--as-of", PAST],
    }
    if pandas_ok:
        steps["aging, pandas read_sql + groupby"] = [sys.executable, "-c", PANDAS_SCRIPT,
                                                     str(db), *BUCKETS]
    return steps


def bench_commands(db: Path, reps: int, env: dict, pandas_ok: bool) -> dict[str, Series]:
    """Each step `reps` times, the steps interleaved (A B A' C, A B A' C, ...)."""
    steps = command_steps(db, pandas_ok)
    results = {name: Series() for name in steps}
    for rep in range(reps):
        for name, argv in steps.items():
            print(f"    {db.stem} rep {rep + 1}/{reps}: {name}", flush=True)
            results[name].runs.append(run_process(argv, COMMAND_TIMEOUT, env))
    return results


def aging_totals(name: str, run: Run) -> dict | None:
    """Bucket totals from a run's output (kpitui's JSON or a baseline's), or None."""
    try:
        data = json.loads(run.out)
    except ValueError:
        return None
    if name.startswith("kpitui"):
        return data.get("receivables", {}).get("buckets")
    return data.get("buckets")


def agreement(results: dict[str, Series]) -> str:
    """Do the baselines compute the same aging totals as kpitui summary (at meta.as_of)?"""
    found = {}
    for name, series in results.items():
        if "--as-of" in name:
            continue
        ok = [r for r in series.runs if r.seconds is not None]
        found[name] = aging_totals(name, ok[0]) if ok else None
    base = found.get("kpitui summary --json")
    if base is None:
        return "aging totals not compared (summary failed)"
    differ = [n for n, v in found.items() if v is not None and v != base]
    missing = [n for n, v in found.items() if v is None]
    if differ:
        return f"aging totals DIFFER from kpitui's: {', '.join(differ)}"
    return "aging totals of the baselines equal kpitui's" + (
        f" (not compared: {', '.join(missing)})" if missing else "")


# -- step 3: app start -----------------------------------------------------------------------

SPAWN_MARK = "spawn -> probe's first line"   # the interpreter's start (and GNU time's)

def probe_argv(kind: str, out: Path, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--probe", kind, str(out), *args]


def read_marks(path: Path) -> tuple[dict[str, float], dict[str, list[float]], list[str]]:
    """A probe's output: marks (s since its first line), step timings, infos and errors."""
    marks: dict[str, float] = {}
    steps: dict[str, list[float]] = {}
    notes: list[str] = []
    if not path.exists():
        return marks, steps, ["the probe wrote nothing"]
    for line in path.read_text().splitlines():
        try:
            item = json.loads(line)
        except ValueError:   # the last line of a probe killed while writing
            continue
        if "mark" in item:
            marks.setdefault(item["mark"], item["t"])
        elif "step" in item:
            steps.setdefault(item["step"], []).append(item["seconds"])
        else:
            notes.append(item.get("error") or item.get("info", ""))
    return marks, steps, notes


@dataclass
class StartRuns:
    """Repetitions of the start probes: mark -> Series (seconds since the probe's first line)."""

    marks: dict[str, Series] = field(default_factory=dict)
    steps: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, run: Run, marks: dict[str, float]) -> None:
        if "t0" in marks:
            marks[SPAWN_MARK] = marks.pop("t0") - run.spawned
        if "figures" in marks and "first_frame" in marks:
            marks["figures after first frame"] = marks["figures"] - marks["first_frame"]
        for name, seconds in marks.items():
            self.marks.setdefault(name, Series()).runs.append(Run(seconds, run.peak_mib))
        self.marks.setdefault("process", Series()).runs.append(run)


def bench_start(db: Path, reps: int, env: dict, scratch: Path) -> dict[str, StartRuns]:
    """The bare app and kpitui on `db`, interleaved, each to its first frame (kpitui then to
    the Collections pane showing its queue)."""
    results = {"bare": StartRuns(), "kpitui": StartRuns()}
    for rep in range(reps):
        for kind in results:
            print(f"    app start rep {rep + 1}/{reps}: {kind}", flush=True)
            out = scratch / f"start-{kind}-{rep}.jsonl"
            run = run_process(probe_argv(f"start-{kind}", out, str(db)), START_TIMEOUT, env)
            marks, steps, notes = read_marks(out)
            results[kind].add(run, marks)
            results[kind].steps += steps.get(FLOOR_STEP, [])
            results[kind].notes += notes + ([run.problem] if run.problem else [])
    return results


# -- steps 4 and 5: one app session ----------------------------------------------------------

@dataclass
class Session:
    """The session probe's marks, step timings and notes, and the process."""

    run: Run
    marks: dict[str, float]
    steps: dict[str, list[float]]
    notes: list[str]


def bench_session(db: Path, reps: int, env: dict, scratch: Path) -> Session:
    """Load `db` (a copy), open the queue, log calls, record payments, show every overdue
    invoice and page through them all, in one headless app."""
    out = scratch / "session.jsonl"
    print(f"    app session on {db.name} ({reps} follow-ups, {reps} payments, every page)",
          flush=True)
    run = run_process(probe_argv("session", out, str(db), str(reps)), SESSION_TIMEOUT, env)
    marks, steps, notes = read_marks(out)
    return Session(run, marks, steps, notes + ([run.problem] if run.problem else []))


# -- printing --------------------------------------------------------------------------------

def secs(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 0.1 else f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def mib(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MiB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def times_x(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * pct / 100) - 1)]


def table(headers: list[str], rows: list[list[str]], align: str) -> None:
    """Print rows under headers, padded; align has one letter a column: l(eft) or r(ight)."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w)
                                for c, w, a in zip(cells, widths, align, strict=True)).rstrip()
    print(line(headers))
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def print_header(args: argparse.Namespace, names: list[str]) -> None:
    print(f"\nkpitui benchmark (issue 7) · {datetime.now():%Y-%m-%d %H:%M} · "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {args.reps} reps"
          f"{' · quick' if args.quick else ''}")
    print(f"interpreter {sys.executable}; kpitui as {' '.join(kpitui_command())}")
    print(f"load average at the start {args.load_before}, at the end "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes add noise)")
    sample = BENCH.parent / "sample.db"
    for name in names:
        path = CACHE / f"{name}.db"
        same = (sample.exists() and path.stat().st_size == sample.stat().st_size
                and path.read_bytes() == sample.read_bytes())
        print(f"  {name:9} {ledger_facts(path)}{'  (= sample.db)' if same else ''}"
              f"{stale_note(path)}")


def print_demo(demo_runs: dict[str, Run | None]) -> None:
    print("\n0. kpitui demo (whole process, one run each)")
    rows = []
    for name, run in demo_runs.items():
        if run is None:
            rows.append([name, "cached, not timed (--time-demo times it)", "-"])
        else:
            rows.append([name, secs(run.seconds) if run.seconds else run.problem,
                         mib(run.peak_mib)])
    table(["ledger", "time", "peak RSS"], rows, "lrr")


def print_commands(results: dict[str, dict[str, Series]], reps: int) -> None:
    print(f"\n1-2. whole processes, interleaved per round, {reps} reps "
          "(ratio: median of kpitui summary over the baseline's median)")
    rows = []
    for ledger, steps in results.items():
        summary = steps["kpitui summary --json"].median
        for name, s in steps.items():
            is_base = not name.startswith("kpitui")
            rows.append([ledger, name, secs(s.median), secs(s.best), mib(s.peak),
                         f"summary/this {times_x(ratio(summary, s.median))}" if is_base else "",
                         s.problem])
    table(["ledger", "what", "median", "best", "peak RSS", "ratio", "problem"], rows,
          "llrrrll")
    for ledger, steps in results.items():
        print(f"  {ledger}: {agreement(steps)}")


def print_start(db: Path, start: dict[str, StartRuns], reps: int) -> None:
    print(f"\n3. app start, headless {SIZE[0]}x{SIZE[1]}, on {db.name}, interleaved, {reps} reps "
          "(seconds from the probe's first line)")
    rows = []
    for kind, runs in start.items():
        for mark in (SPAWN_MARK, "imported", "mount", "first_frame", "figures",
                     "figures after first frame"):
            s = runs.marks.get(mark)
            if s is not None:
                rows.append([kind, mark, secs(s.median), secs(s.best), ""])
        proc = runs.marks.get("process", Series())
        rows.append([kind, "whole probe process", secs(proc.median), secs(proc.best),
                     mib(proc.peak)])
    table(["app", "reached", "median", "best", "peak RSS"], rows, "llrrr")
    floor = start["bare"].steps
    if floor:
        print(f"  harness floor, {FLOOR_STEP}: median {secs(statistics.median(floor))}, "
              f"p95 {secs(percentile(floor, 95))} (n={len(floor)})")
    for kind, runs in start.items():
        for note in dict.fromkeys(n for n in runs.notes if n):
            print(f"  {kind}: {note}")


def print_session(db_name: str, session: Session) -> None:
    print(f"\n4-5. app session on a copy of {db_name}, headless {SIZE[0]}x{SIZE[1]}, one "
          f"process ({secs(session.run.seconds)}, peak RSS {mib(session.run.peak_mib)})")
    starts = {"first_frame": "start: first frame", "figures": "start: all figures (Overview)"}
    rows = [[starts[m], "1", secs(t), "", "", ""] for m, t in session.marks.items()
            if m in starts]
    for name, values in session.steps.items():
        rows.append([name, str(len(values)), secs(statistics.median(values)),
                     secs(min(values)), secs(percentile(values, 95)), secs(max(values))])
    table(["step (key -> screen current)", "n", "median", "best", "p95", "worst"], rows,
          "lrrrrr")
    for note in session.notes:
        print(f"  note: {note}")


# -- targets ---------------------------------------------------------------------------------

@dataclass
class Target:
    what: str
    measured: str
    ok: bool | None          # None: not measured
    where: str = ""          # the ledger it was measured on, when not the target's

    @property
    def verdict(self) -> str:
        if self.ok is None:
            return "not measured"
        if self.where:
            return f"{'pass' if self.ok else 'miss'} (on {self.where}, not XL)"
        return "PASS" if self.ok else "MISS"


def check(what: str, value: float | None, limit: float, shown: str, where: str = "",
          inclusive: bool = False) -> Target:
    """value < limit, or <= with inclusive (value None: not measured)."""
    if value is None:
        return Target(what, "-", None, where)
    return Target(what, shown, value <= limit if inclusive else value < limit, where)


def command_targets(results: dict[str, dict[str, Series]], big: str, where: str
                    ) -> list[Target]:
    steps = results.get(big, {})
    summary = steps.get("kpitui summary --json", Series())
    sql = steps.get("aging, one SQL statement (sqlite3)", Series())
    pandas = steps.get("aging, pandas read_sql + groupby", Series())
    to_sql, to_pandas = ratio(summary.median, sql.median), ratio(summary.median, pandas.median)
    return [
        check("summary --json <= 0.8x one SQL statement (medians)", to_sql, 0.8,
              f"{times_x(to_sql)} ({secs(summary.median)} / {secs(sql.median)})", where, True),
        check("summary --json < 0.25x pandas (medians)", to_pandas, 0.25,
              f"{times_x(to_pandas)} ({secs(summary.median)} / {secs(pandas.median)})",
              where),
        check("summary --json peak RSS < 600 MB (572 MiB)", summary.peak, 600e6 / 2**20,
              mib(summary.peak), where),
    ]


def start_targets(start: dict[str, StartRuns]) -> list[Target]:
    bare = start["bare"].marks.get("first_frame", Series()).median
    frame = start["kpitui"].marks.get("first_frame", Series())
    figures = start["kpitui"].marks.get("figures", Series())
    gap = start["kpitui"].marks.get("figures after first frame", Series()).median
    first = ratio(frame.median, bare)
    return [
        check("first frame <= 1.2x the bare Textual app (s-150)", first, 1.2,
              f"{times_x(first)} ({secs(frame.median)} / {secs(bare)})", inclusive=True),
        check("Collections figures on screen <= first frame + 1.0 s", gap, 1.0,
              f"+{secs(gap)} (at {secs(figures.median)})", inclusive=True),
    ]


def session_targets(session: Session | None, where: str) -> list[Target]:
    steps = session.steps if session else {}

    def med(name: str) -> float | None:
        values = steps.get(name)
        return statistics.median(values) if values else None

    def worst(name: str) -> str:
        return secs(max(steps.get(name) or [0]))

    pages = steps.get(PAGE_STEP, [])
    p50, p95 = med(PAGE_STEP), percentile(pages, 95)
    return [
        check("follow-up: screen current within 0.3 s (median)", med(CALL_STEP), 0.3,
              f"{secs(med(CALL_STEP))} (worst {worst(CALL_STEP)})", where, True),
        check("payment: aging current within 0.3 s (median)", med(PAY_STEP), 0.3,
              f"{secs(med(PAY_STEP))} (worst {worst(PAY_STEP)})", where, True),
        check("queue opens ('3') in under 1 s", med(OPEN_STEP), 1.0, secs(med(OPEN_STEP)),
              where),
        check("every overdue invoice shown ('z') in under 1 s", med(ALL_STEP), 1.0,
              secs(med(ALL_STEP)), where),
        check("page move median < 50 ms", p50, 0.050, f"{secs(p50)} over {len(pages)} pages",
              where),
        check("page move p95 < 100 ms", p95, 0.100, secs(p95), where),
    ]


def print_targets(targets: list[Target]) -> None:
    print("\ntargets (issue 7; a MISS is a finding, not a failure)")
    table(["target", "measured", "verdict"], [[t.what, t.measured, t.verdict] for t in targets],
          "lrl")


# -- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 5; 3 "
                        "with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="only the small ledgers (s-150, l-5000); the app session on L")
    parser.add_argument("--time-demo", action="store_true",
                        help="time `kpitui demo` even for ledgers already in bench/cache")
    args = parser.parse_args(argv)
    args.reps = max(1, args.reps or (3 if args.quick else 5))
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    names = list(QUICK_LEDGERS if args.quick else LEDGERS)
    big = names[-1]
    where = "" if big == "xl-20000" else big
    pandas_ok = importlib.util.find_spec("pandas") is not None
    scratch = Path(tempfile.mkdtemp(prefix="kpitui-bench-"))
    try:
        env = child_env(scratch)
        compile_kpitui()
        print("ledgers:", flush=True)
        demo_runs = ensure_ledgers(names, env, scratch, args.time_demo)
        missing = [n for n in names if not (CACHE / f"{n}.db").exists()]
        if missing:
            print(f"could not build {', '.join(missing)}: {demo_runs[missing[0]].problem}")
            return 0
        sample = copy_ledger(CACHE / "s-150.db", scratch)
        warm_up(names, sample, env, scratch, pandas_ok)
        print("steps 1-2: whole processes", flush=True)
        commands = {n: bench_commands(CACHE / f"{n}.db", args.reps, env, pandas_ok)
                    for n in names}
        print("step 3: app start", flush=True)
        start = bench_start(sample, args.reps, env, scratch)
        print("steps 4-5: app session", flush=True)
        session = bench_session(copy_ledger(CACHE / f"{big}.db", scratch), args.reps, env,
                                scratch)
        print_header(args, names)
        print_demo(demo_runs)
        print_commands(commands, args.reps)
        if not pandas_ok:
            print("  pandas is not installed: its baseline was skipped (bench/README.md)")
        print_start(sample, start, args.reps)
        print_session(f"{big}.db", session)
        xl_demo = demo_runs.get("xl-20000")
        targets = [check("kpitui demo --clients 20000 under 30 s",
                         xl_demo.seconds if xl_demo else None, 30.0,
                         secs(xl_demo.seconds) if xl_demo else "-")]
        targets += command_targets(commands, big, where)
        targets += start_targets(start) + session_targets(session, where)
        print_targets(targets)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


# == the probe: runs inside the app's own process ============================================

OPEN_STEP = "queue opens ('3', app loaded)"
CALL_STEP = "follow-up: enter -> queue and KPIs"
PAY_STEP = "payment: enter -> aging"
ALL_STEP = "every overdue invoice ('z')"
PAGE_STEP = "page move (pagedown)"
FLOOR_STEP = "a key + repaint on the bare app (pagedown, empty table)"
FLOOR_KEYS = 20


class Marks:
    """Timestamps and step timings, one JSON line each, written as they happen (a probe that
    is killed keeps what it measured)."""

    def __init__(self, path: str) -> None:
        self.fh = open(path, "a")  # noqa: SIM115 - open for the probe's whole life
        self.seen: set[str] = set()
        self.emit(mark="t0", t=T0)   # absolute: the parent subtracts its spawn time

    def emit(self, **item) -> None:
        self.fh.write(json.dumps(item) + "\n")
        self.fh.flush()

    def mark(self, name: str) -> None:
        if name not in self.seen:
            self.seen.add(name)
            self.emit(mark=name, t=time.perf_counter() - T0)


def probe_class(base: type, marks: Marks) -> type:
    """`base` with its mount and first frame timestamped; its CSS still found beside it."""
    import inspect

    home = Path(inspect.getfile(base)).parent
    css = getattr(base, "CSS_PATH", None)
    if isinstance(css, list | tuple):
        css = [str(home / p) for p in css]
    elif css is not None:
        css = str(home / css)

    class Probe(base):
        CSS_PATH = css

        def on_mount(self) -> None:   # runs before base's own on_mount
            marks.mark("mount")
            self.screen.call_after_refresh(marks.mark, "first_frame")

    return Probe


def queue_table(app):
    """The Collections queue table, by id on the main screen (whatever widget it is)."""
    return app.screen_stack[0].query_one("#collections").query_one("#queue")


def queue_rows(app) -> int:
    return getattr(queue_table(app), "row_count", 0)


def queue_cursor(app) -> int:
    return getattr(queue_table(app), "cursor_row", 0)


def queue_shown(app) -> bool:
    """The queue has rows and was part of the last screen update."""
    return queue_rows(app) > 0 and queue_table(app).is_on_screen


async def until(check, timeout: float, what: str) -> None:
    """Poll `check` on the app's event loop until it holds (TimeoutError after timeout)."""
    end = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > end:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        await asyncio.sleep(0.001)


async def drained(app) -> None:
    """The app, the screen and the Collections pane's nodes have handled what was already
    sent to them (only those: a round over every widget costs ~15 ms by itself)."""
    loop = asyncio.get_running_loop()
    waits = []
    pane = app.screen_stack[0].query_one("#collections")
    for node in [app, app.screen, *pane.walk_children(with_self=True)]:
        done = loop.create_future()
        if node.call_later(done.set_result, None):
            waits.append(done)
    await asyncio.gather(*waits)


async def on_screen(app, timeout: float = STEP_TIMEOUT) -> None:
    """Messages handled (twice over: a handler may send more), then the screen repainted.

    Pilot.press and Pilot.pause wait for the process to look idle (>= 60 ms of sleeps a
    key): too coarse for a 50 ms target, so keys are sent with app.simulate_key and this
    waits for exactly the work they cause."""
    async def settle() -> None:
        for _ in range(2):
            await drained(app)
        await app.screen.wait_for_refresh()
    await asyncio.wait_for(settle(), timeout)


async def timed_key(app, key: str, done, timeout: float, what: str) -> float:
    """Seconds from sending `key` to `done()` holding and the screen repainted after it."""
    start = time.perf_counter()
    app.simulate_key(key)
    await until(done, timeout, what)
    await on_screen(app, timeout)
    return time.perf_counter() - start


async def timed_write(app, pilot, opener: str, typed: str) -> tuple[float, object]:
    """Open a form with `opener` and type (untimed), then time 'enter' to the refreshed
    figures on screen: app.loaded replaced, the form gone, every worker done, repainted."""
    await pilot.press(opener)
    await until(lambda: len(app.screen_stack) > 1, STEP_TIMEOUT, f"form of {opener!r}")
    await pilot.pause()
    if typed:
        await pilot.press(*typed)
    before = app.loaded

    def current() -> bool:
        return app.loaded is not before and len(app.screen_stack) == 1

    start = time.perf_counter()
    app.simulate_key("enter")
    await until(current, STEP_TIMEOUT, f"write after {opener!r}")
    await asyncio.wait_for(app.workers.wait_for_complete(), STEP_TIMEOUT)
    await on_screen(app)
    return time.perf_counter() - start, before


async def phase(marks: Marks, pilot, coro) -> None:
    """Run one phase of the session; a timeout is written down and the next phase runs."""
    try:
        await coro
    except TimeoutError as exc:
        marks.emit(error=f"timed out: {exc}")
        await pilot.press("escape")


async def write_phase(app, pilot, marks: Marks, reps: int) -> None:
    """Log `reps` calls, then record `reps` full payments, each on the selected invoice."""
    for _ in range(reps):
        seconds, _ = await timed_write(app, pilot, "c", "bench call")
        marks.emit(step=CALL_STEP, seconds=seconds)
    for _ in range(reps):
        seconds, before = await timed_write(app, pilot, "$", "")
        marks.emit(step=PAY_STEP, seconds=seconds)
        if app.loaded.cockpit.headline.total_cents >= before.cockpit.headline.total_cents:
            marks.emit(info="a payment did not lower the open AR")


async def paging_phase(app, marks: Marks) -> None:
    """Show every overdue invoice ('z'), then pagedown from the top to the last row."""
    shown = queue_rows(app)

    def everything() -> bool:   # cockpit.queue holds every overdue invoice, snoozed or not
        return queue_rows(app) == app.loaded.cockpit.queue.height

    seconds = await timed_key(app, "z", everything, STEP_TIMEOUT, "'z'")
    marks.emit(step=ALL_STEP, seconds=seconds)
    marks.emit(info=f"queue with snoozed rows: {queue_rows(app):,} rows (was {shown:,})")
    budget_end = time.perf_counter() + PAGING_BUDGET
    pages = 0
    while queue_cursor(app) < queue_rows(app) - 1:
        if time.perf_counter() > budget_end:
            marks.emit(error=f"paging stopped after {PAGING_BUDGET} s at row "
                             f"{queue_cursor(app):,} of {queue_rows(app):,}")
            return
        row = queue_cursor(app)
        seconds = await timed_key(app, "pagedown", lambda row=row: queue_cursor(app) != row,
                                  PAGE_TIMEOUT, f"pagedown from row {row:,}")
        marks.emit(step=PAGE_STEP, seconds=seconds)
        pages += 1
    marks.emit(info=f"paged {pages} times to the last row ({queue_rows(app):,})")


async def session_scenario(app, pilot, marks: Marks, reps: int) -> None:
    """Steps 4-5: wait for the figures, open the queue, write, then page."""
    await until(lambda: app.loaded is not None, LOAD_TIMEOUT, "loading the ledger")
    await on_screen(app)
    marks.mark("figures")
    seconds = await timed_key(app, "3", lambda: queue_shown(app), STEP_TIMEOUT, "'3'")
    marks.emit(step=OPEN_STEP, seconds=seconds)
    await phase(marks, pilot, write_phase(app, pilot, marks, reps))
    await phase(marks, pilot, paging_phase(app, marks))


async def start_scenario(app, marks: Marks, kpitui: bool) -> None:
    """Step 3: the first frame; for kpitui, then the Collections pane showing its queue."""
    await until(lambda: "first_frame" in marks.seen, LOAD_TIMEOUT, "first frame")
    widgets = len(list(app.screen.walk_children(with_self=True)))
    marks.emit(info=f"{widgets} widgets on the screen at the first frame")
    if not kpitui:   # what a key costs the harness itself: the floor under page moves
        for _ in range(FLOOR_KEYS):
            seconds = await timed_key(app, "pagedown", lambda: True, STEP_TIMEOUT, "key")
            marks.emit(step=FLOOR_STEP, seconds=seconds)
        return
    app.simulate_key("3")
    await until(lambda: app.loaded is not None and queue_shown(app), LOAD_TIMEOUT,
                "Collections figures")
    await on_screen(app)
    marks.mark("figures")


async def probe_run(app, marks: Marks, scenario) -> None:
    try:
        async with app.run_test(size=SIZE) as pilot:
            await scenario(pilot)
    except BaseException as exc:  # noqa: BLE001 - the parent reads it from the marks file
        marks.emit(error=f"{type(exc).__name__}: {exc}")
    finally:
        os._exit(0)   # the app's teardown is not measured: leave now


def probe(argv: list[str]) -> None:
    """`--probe KIND OUT [DB [REPS]]`: run one headless app and write its marks to OUT."""
    kind, out, rest = argv[0], argv[1], argv[2:]
    marks = Marks(out)
    if kind == "start-bare":
        from bare_app import BareApp

        marks.mark("imported")
        app = probe_class(BareApp, marks)()
        asyncio.run(probe_run(app, marks, lambda p: start_scenario(app, marks, False)))
    from kpitui.app.app import KpiApp

    marks.mark("imported")
    app = probe_class(KpiApp, marks)(db=Path(rest[0]))
    if kind == "start-kpitui":
        asyncio.run(probe_run(app, marks, lambda p: start_scenario(app, marks, True)))
    reps = int(rest[1])
    asyncio.run(probe_run(app, marks, lambda p: session_scenario(app, p, marks, reps)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--probe"]:
        probe(sys.argv[2:])
    else:
        sys.exit(main(sys.argv[1:]))
