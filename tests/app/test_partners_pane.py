"""Partners pane: the program line, scorecards sorted by s / r / a header click, Enter opens the
partner detail (chart, costs, clients with open AR, deals), Esc comes back.

The ledger, as of 2024-06-30 = D (trailing 12 months T = (2023-07-01, D]):
  1 Acme Referrals   share 10%, target $1,200: clients One (since D-100) and Two (churned)
  2 Bolt [Partners]  no target:                client Three
  3 Cobalt           target $500:              client Four
Worked out by hand:
  Acme:   revenue 500 + 100 = $600; share $60; costs 20 + 5 + 15 + 60 = $100; profit $500;
          ROI 500%; variance 100 x (600 - 1200) / 1200 = -50.0: off track
  Bolt:   revenue $40; costs $100; profit -$60; ROI -60%: no target
  Cobalt: revenue $480; costs $10; profit $470; ROI 4700%; variance -4.0: at risk
  Program: revenue $1,120, costs $210, blended ROI 100 x 910 / 210 = 433%.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from kpitui.app.app import KpiApp

from .conftest import settle, table_rows, text_of

D = date(2024, 6, 30)


def day(n: int) -> str:
    return (D + timedelta(days=n)).isoformat()


PARTNERS = [(1, "Acme Referrals", "referral", None, 1000, 120000),
            (2, "Bolt [Partners]", "reseller", None, 0, None),
            (3, "Cobalt", "vendor", None, 0, 50000)]
CLIENTS = [(1, "One", 1, day(-100), None), (2, "Two", 1, day(-500), day(-10)),
           (3, "Three", 2, day(-30), None), (4, "Four", 3, day(-200), None)]
INVOICES = [(1, "I-1", 1, day(-40), day(-10), 50000), (2, "I-2", 2, day(-70), day(-40), 10000),
            (3, "I-3", 2, day(-400), day(-370), 7000), (4, "I-4", 3, day(-5), day(25), 4000),
            (5, "I-5", 4, day(-100), day(-70), 48000)]
PAYMENTS = [(1, 1, day(-20), 30000, "ach"), (2, 2, day(-45), 10000, "card"),
            (3, 5, day(-60), 48000, "ach")]
COSTS = [(1, 1, day(-30), 2000, "marketing"), (2, 1, day(-60), 500, "events"),
         (3, 1, day(-90), 1500, "marketing"), (4, 2, day(-10), 10000, "mdf"),
         (5, 3, day(-20), 1000, "other")]
DEALS = [(1, "Won one", 1, day(-50), day(-20), "won", 10000),
         (2, "Open one", 1, day(-40), None, None, 20000),
         (3, "Lost one", 1, day(-60), day(-30), "lost", 5000)]


@pytest.fixture
def partner_ledger(empty_ledger: Path) -> Path:
    conn = sqlite3.connect(empty_ledger)
    conn.execute("INSERT INTO meta VALUES ('company', 'Partner MSP'), ('as_of', ?)",
                 (D.isoformat(),))
    conn.executemany("INSERT INTO partners VALUES (?, ?, ?, ?, ?, ?)", PARTNERS)
    conn.executemany("INSERT INTO clients (id, name, partner_id, since, churned_on) "
                     "VALUES (?, ?, ?, ?, ?)", CLIENTS)
    conn.executemany("INSERT INTO invoices (id, number, client_id, issued_on, due_on, "
                     "amount_cents) VALUES (?, ?, ?, ?, ?, ?)", INVOICES)
    conn.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?)", PAYMENTS)
    conn.executemany("INSERT INTO partner_costs (id, partner_id, incurred_on, amount_cents, "
                     "category) VALUES (?, ?, ?, ?, ?)", COSTS)
    conn.executemany("INSERT INTO opportunities (id, name, partner_id, created_on, "
                     "closed_on, outcome, mrr_cents) VALUES (?, ?, ?, ?, ?, ?, ?)", DEALS)
    conn.commit()
    conn.close()
    return empty_ledger


async def open_pane(pilot, app) -> None:
    await settle(pilot, app)
    await pilot.press("5")
    await pilot.pause()


def names(app) -> list[str]:
    return [r[0] for r in table_rows(app, "#scorecards")]


def header(app) -> list[str]:
    table = app.screen.query_one("#scorecards")
    return [str(c.label) for c in table.columns.values()]


async def test_program_line_and_scorecards(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        program = text_of(app, "#program")
        assert "revenue $1.1k · costs $210 · blended ROI 433%" in program
        assert "0 on track · 1 at risk · 1 off track · 1 no target" in program
        # revenue, biggest first; at 80 columns the figures that fit, by importance
        assert names(app) == ["Acme Referrals", "Cobalt", "Bolt [Partners]"]
        assert header(app) == ["Partner", "Revenue ▼", "Costs", "ROI %", "Var %", "Status"]
        assert "(+7 columns when wider)" in program
        rows = {r[0]: r[1:] for r in table_rows(app, "#scorecards")}
        assert rows["Acme Referrals"] == ["$600", "$100", "500", "-50.0", "off track"]
        assert rows["Bolt [Partners]"] == ["$40", "$100", "-60", "-", "no target"]
        assert rows["Cobalt"] == ["$480", "$10", "4700", "-4.0", "at risk"]


async def test_wide_terminal_shows_every_column(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_pane(pilot, app)
        assert header(app) == ["Partner", "Revenue ▼", "Costs", "Profit", "Margin %", "ROI %",
                               "New", "CAC", "CLV", "Won", "Target", "Var %", "Status"]
        rows = {r[0]: r[1:] for r in table_rows(app, "#scorecards")}
        # Acme: margin 100 x 500 / 600 = 83; new clients 1 (One, since D-100); CAC
        # (100 - 60) / 1 = $40; CLV 600 / 1 active / 12 x 36 x 100% = $1,800; won deals 1
        assert rows["Acme Referrals"][3:10] == ["83", "500", "1", "$40", "$1,800", "1",
                                                "$1,200"]
        assert "columns when wider" not in text_of(app, "#program")
        assert "profit $910" in text_of(app, "#program")


async def test_s_and_r_sort(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("s")                              # revenue -> costs, biggest first
        await pilot.pause()
        assert header(app)[2] == "Costs ▼"
        assert names(app) == ["Acme Referrals", "Bolt [Partners]", "Cobalt"]    # tie by id
        await pilot.press("s")                              # ROI %
        await pilot.pause()
        assert names(app) == ["Cobalt", "Acme Referrals", "Bolt [Partners]"]
        await pilot.press("r")
        await pilot.pause()
        assert header(app) == ["Partner", "Revenue", "Costs", "ROI % ▲", "Var %", "Status"]
        assert names(app) == ["Bolt [Partners]", "Acme Referrals", "Cobalt"]
        await pilot.press("s", "s")                         # Var %, Status: worst first
        await pilot.pause()
        assert header(app)[-1] == "Status ▲"
        assert names(app) == ["Acme Referrals", "Cobalt", "Bolt [Partners]"]
        await pilot.press("s")                              # wraps round to the name, A-Z
        await pilot.pause()
        assert names(app) == ["Acme Referrals", "Bolt [Partners]", "Cobalt"]


async def test_header_click_sorts(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        table = app.screen.query_one("#scorecards")
        x = 0
        for key, column in table.columns.items():
            if key.value == "variance":
                break
            x += column.get_render_width(table)
        await pilot.click("#scorecards", offset=(x + 2, 0))
        await pilot.pause()
        # variance, biggest first; no target last
        assert names(app) == ["Cobalt", "Acme Referrals", "Bolt [Partners]"]
        await pilot.click("#scorecards", offset=(x + 2, 0))
        await pilot.pause()
        assert names(app) == ["Acme Referrals", "Cobalt", "Bolt [Partners]"]


async def test_enter_opens_the_partner_and_escape_returns(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("enter")                          # Acme Referrals
        await settle(pilot, app)
        assert app.screen.__class__.__name__ == "PartnerScreen"
        title = text_of(app, "#partner-title")
        assert "Acme Referrals · referral · off track" in title
        figures = text_of(app, "#partner-figures")
        assert "Revenue $600" in figures and "Costs $100" in figures
        assert "CAC $40" in figures and "Target $1,200" in figures and "Var -50.0%" in figures
        costs = text_of(app, "#partner-costs").splitlines()
        assert [c.split()[-1] for c in costs] == ["$35.00", "$5.00", "$60.00", "$100.00"]
        assert costs[0].startswith("marketing") and costs[2].startswith("revenue share")
        # open AR at D: One 500 - 300; Two: I-3, issued D-400 and never paid
        clients = table_rows(app, "#partner-clients")
        assert [(r[0], r[2], r[3], r[4]) for r in clients] == [
            ("One", "active", "$500.00", "$200.00"), ("Two", "churned", "$100.00", "$70.00")]
        deals = table_rows(app, "#partner-deals")
        assert [(r[0], r[1], r[4]) for r in deals] == [
            ("Open one", "lead", "$200.00"),
            ("Won one", "won", "$100.00"), ("Lost one", "lost", "$50.00")]
        chart = app.screen.query_one("#revenue-chart")
        assert chart.border_title == "Revenue/mo (k) · line: target $100/mo"   # 1200 / 12
        assert chart.line == pytest.approx(0.1)             # $100 in thousands
        assert chart.values[-2] == pytest.approx(0.5)       # May 2024: I-1 $500
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#scorecards")
        assert names(app)[0] == "Acme Referrals"


async def test_partner_without_target_or_deals(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("down", "down", "enter")          # Bolt [Partners]
        await settle(pilot, app)
        assert "Bolt [Partners] · reseller · no target" in text_of(app, "#partner-title")
        assert app.screen.query_one("#revenue-chart").border_title.endswith("no target")
        assert table_rows(app, "#partner-deals") == []
        assert table_rows(app, "#partner-clients")[0][0] == "Three"
        await pilot.press("escape")
        await pilot.pause()
        assert names(app)[2] == "Bolt [Partners]"


async def test_as_of_key_recomputes_the_scorecards(partner_ledger):
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("left_square_bracket")             # as of 2024-05-30
        await settle(pilot, app)
        rows = {r[0]: r[1:] for r in table_rows(app, "#scorecards")}
        # Bolt's only invoice (D-5 = 06-25) is not issued yet: revenue $0, costs (mdf on
        # 06-20) not incurred yet: $0
        assert rows["Bolt [Partners]"][:2] == ["$0", "$0"]
        assert names(app)[-1] == "Bolt [Partners]"


async def test_partner_screen_follows_a_reload_and_the_as_of_keys(partner_ledger):
    """Open over the scorecards, the partner follows the figures: another program's payment
    (after g), then a month back ([)."""
    app = KpiApp(db=partner_ledger)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("enter")                          # Acme Referrals
        await settle(pilot, app)
        conn = sqlite3.connect(partner_ledger)
        conn.execute("INSERT INTO payments VALUES (4, 1, ?, 10000, 'ach')", (day(-1),))
        conn.commit()
        conn.close()
        await pilot.press("g")
        await settle(pilot, app)
        assert app.screen.__class__.__name__ == "PartnerScreen"
        clients = {r[0]: r for r in table_rows(app, "#partner-clients")}
        assert clients["One"][4] == "$100.00"               # I-1: 500 - 300 - 100
        await pilot.press("left_square_bracket")             # as of 2024-05-30
        await settle(pilot, app)
        assert "12 months to 2024-05-30" in text_of(app, "#partner-title")
        # at 05-30: I-1 (D-40 = 05-21) issued, its payments (D-20, D-1) not yet made
        clients = {r[0]: r for r in table_rows(app, "#partner-clients")}
        assert clients["One"][4] == "$500.00"
