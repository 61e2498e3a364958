"""Hostile ledger text in a real terminal: the bytes kpitui sends carry none of it as control.

The real app runs in a pseudo-terminal (the console script, TERM=xterm-256color, 100x30) and
we read every byte it writes. Text typed or pasted into forms is cleaned the same way.
"""

from __future__ import annotations

import re

from textual import events

from app.conftest import rows, settle, text_of
from kpitui.app.app import KpiApp

from .builders import INJECTED, KPITUI, Pty, cli_env, untrusted_ledger, visible_text

# The names and the note as they must read on screen: literal, controls gone.
SHOWN = ["Quit [@click=app.quit]now[/]", "Acme [Ltd]", "Red [31mALERT", "Wipe [2JSCREEN",
         "Title0 ]0;pwned x", "Title2 ]2;pwned\\ y", "Clip ]52;c;cGF5bWU= z", "C1 CSIDCS",
         "Bidi evil", "株式会社テスト", "[Ltd] ]0;pwned ]2;pwned\\ ]52;c;cGF5bWU="]


def test_hostile_text_never_reaches_the_terminal(tmp_path):
    ledger = untrusted_ledger(tmp_path / "evil.db")
    env = cli_env(tmp_path, TERM="xterm-256color", LANG="C.UTF-8")
    for name in ("COLUMNS", "LINES", "TEXTUAL"):
        env.pop(name, None)
    term = Pty([str(KPITUI), "--db", str(ledger)], env, cols=100, rows=30)
    quit_sent = False
    try:
        assert term.wait_for(b"Evil Co", 30), visible_text(term.output)[-3000:]
        term.pump(1.0)
        term.send(b"3")                                # the queue: every hostile name
        assert term.wait_for("株式会社テスト".encode(), 15), visible_text(term.output)[-3000:]
        term.pump(0.5)
        term.send(b"\x1b[B")                           # down: E-2, its hostile note
        assert term.wait_for(b"]52;c;cGF5bWU= ", 10), visible_text(term.output)[-3000:]
        term.pump(1.5)
        assert term.proc.poll() is None, "the app quit (an injected [@click=app.quit]?)"
        term.send(b"q")
        quit_sent = True
    finally:
        if not quit_sent and term.proc.poll() is None:
            term.send(b"q")
        code = term.finish(15)
    out = bytes(term.output)
    assert code == 0, visible_text(out)[-3000:]
    for injected in INJECTED:
        assert injected not in out, f"{injected!r} reached the terminal"
    # The only OSC kpitui's terminal sees is Textual's own pointer shape (OSC 22).
    assert set(re.findall(rb"\x1b\](\d*)", out)) <= {b"22"}
    # No C1 control and no bidi override, in any encoding of them.
    assert not re.search("[\x80-\x9f\u202a-\u202e\u2066-\u2069]", out.decode("utf-8"))
    shown = visible_text(out)
    for text in SHOWN:
        assert text in shown, f"{text!r} is not on screen"


PASTED = "will pay \x1b]0;pwned\x07 soon\u202e [b]ok[/b]\x9b\x1b[2J\x07 end"
SAVED = "will pay ]0;pwned soon [b]ok[/b][2J end"


async def test_text_pasted_into_a_form_is_saved_clean(ledger):
    app = KpiApp(db=ledger)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("3", "c")                    # a call on G-1
        await pilot.pause()
        note = app.screen.query_one("#f-note")
        note.post_message(events.Paste(PASTED))
        await pilot.pause()
        assert "\x1b" in note.value, "premise: the Input keeps pasted controls"
        await pilot.press("enter")
        await settle(pilot, app)
        assert SAVED in text_of(app, "#queue-history")
    saved = rows(ledger, "SELECT kind, note FROM followups WHERE id > 2")
    assert saved == [("call", SAVED)]                  # the ledger gets it clean
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", saved[0][1])
