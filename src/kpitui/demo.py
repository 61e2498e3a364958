"""The sample ledger generator behind `kpitui demo`: a deterministic, believable MSP story.

Northwind Managed IT (fictional) bills its clients monthly per agreement (managed services,
backup, licensing, security, VoIP) plus one-time projects, over the three years before the
as-of date. Everything random comes from one `random.Random(seed)` and no clock is read, so a
seed and its arguments always give a byte-identical file. All money is integer cents.
"""

from __future__ import annotations

import bisect
import operator
import random
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .ledger import schema

DEFAULT_SEED = 7
DEFAULT_CLIENTS = 150
DEFAULT_AS_OF = date(2026, 11, 16)

COMPANY = "Northwind Managed IT"
MARKUP_CLIENT = "Smith [Ltd] & Co"  # markup-like text: the display must show it as is
STAFF = ("Dana Whitfield", "Marcus Lee")  # AR specialist, controller
REPS = ("Priya Natarajan", "Tom Okafor", "Elena Brooks")
METHODS = ("ach", "card", "check", "wire")
SPAN_DAYS = 3 * 365 + 1  # the story covers the three years before as_of
by_date = operator.itemgetter(0)

# How a client pays. DEADBEAT pays late, then stops paying some months before it churns.
AUTOPAY, EARLY, ONTIME, LATE, CHRONIC, DEADBEAT = range(6)
HABIT_WEIGHTS = ((AUTOPAY, 33), (EARLY, 10), (ONTIME, 30), (LATE, 20), (CHRONIC, 7))
METHOD_WEIGHTS = (("ach", 35), ("card", 25), ("check", 30), ("wire", 10))

# Recurring agreements: (invoice label, chance a client has it, unit prices in cents, quantity).
SEATS, FLAT, PHONES = range(3)
LINES = (
    ("Managed services", 100, (11500, 12500, 13500, 14500, 15500, 16500, 17500), SEATS),
    ("Cloud backup", 55, (14900, 24900, 39900, 59900, 89900), FLAT),
    ("Microsoft 365 licensing", 45, (1250, 2200, 3600), SEATS),
    ("Security (EDR + SOC)", 25, (850, 1100, 1450), SEATS),
    ("Hosted VoIP", 15, (2495, 2995), PHONES),
)

PREFIXES = (
    "Harbor", "Cedar", "Summit", "Maple", "Riverside", "Gristmill", "Lakeshore", "Oakridge",
    "Pioneer", "Brightwater", "Northfield", "Willow", "Redwood", "Bayview", "Stonebridge",
    "Silverline", "Evergreen", "Meadowbrook", "Ironwood", "Clearwater", "Highland", "Fairview",
    "Westgate", "Eastside", "Sunrise", "Bluebird", "Copper", "Juniper", "Aspen", "Birchwood",
    "Crescent", "Driftwood", "Foxglove", "Glenwood", "Hillcrest", "Kingsley", "Larkspur",
    "Mill Creek", "Northstar", "Orchard", "Parkside", "Quarry", "Ridgeline", "Sandstone",
    "Tidewater", "Valley", "Wildflower", "Anchor", "Beacon", "Canyon", "Delta", "Falcon",
    "Garnet", "Heron", "Ivy", "Jasper", "Kestrel", "Lighthouse", "Marigold", "Nautilus",
    "Osprey", "Prairie", "Quail", "Raven", "Sage", "Timber", "Upland", "Vista", "Wren", "Alder",
    "Bramble", "Chestnut", "Dogwood", "Emerald", "Fern", "Gable", "Hawthorn", "Linden",
    "Mesa", "Pebble", "Rosewood", "Saltmarsh", "Thornbury", "Whitcomb", "Ashford", "Bellamy",
    "Corwin", "Dunmore", "Ellery", "Fenwick",
)
TRADES = (
    "Dental", "Logistics", "Law Group", "Veterinary Clinic", "Accounting", "Family Practice",
    "Realty", "Construction", "Insurance Agency", "Architects", "Pharmacy", "Auto Repair",
    "Engineering", "Physical Therapy", "Chiropractic", "Optometry", "Title Company",
    "Wealth Advisors", "Property Management", "Landscaping", "Plumbing", "Electric", "HVAC",
    "Bakery", "Brewing", "Marketing", "Printing", "Staffing", "Manufacturing", "Fabrication",
    "Foods", "Distributors", "Montessori School", "Fitness", "Animal Hospital", "Orthodontics",
    "Dermatology", "Surveying", "Consulting", "Design Studio", "Community Foundation",
    "Home Health", "Senior Living", "Inn", "Marina", "Winery", "Outfitters", "Cabinetry",
    "Roofing", "Freight", "Tax Services", "Pediatrics", "Mortgage", "Signs", "Machine Works",
    "Counseling", "Interiors", "Credit Advisors", "Moving", "Pet Resort",
)
SUFFIXES = ("", "", "", " LLC", " LLC", " Inc.", " & Co", " Partners")
AREA_CODES = ("206", "312", "503", "617", "720", "512", "614", "919")

# name, kind, revenue share (bp), start (days after the story starts; negative: before),
# sourcing weight, target plan (on = on track, risk = at risk, off = off track, none = NULL).
PARTNERS = (
    ("Bluewater Business Alliance", "referral", 1000, -420, 5, "on"),
    ("Keystone CPA Group", "referral", 1000, -150, 4, "on"),
    ("Vantage Cloud Distribution", "distributor", 800, -300, 2, "risk"),
    ("Ironbark Security Software", "vendor", 500, 60, 2, "on"),
    ("Summit Tech Resellers", "reseller", 1500, 200, 3, "off"),
    ("Copperline Telecom", "reseller", 1200, 330, 2, "on"),
    ("Pinecrest Chamber of Commerce", "referral", 750, 670, 2, "none"),
)
ON_TRACK_PCT = (88, 93, 97, 85)  # targets as % of trailing revenue, one per on-track partner
COST_NOTES = {
    "marketing": ("Co-hosted lunch-and-learn", "Joint webinar promotion",
                  "Trade show booth share", "Newsletter sponsorship"),
    "mdf": ("Quarterly MDF campaign", "MDF: security awareness mailer",
            "MDF: cloud migration promo"),
    "enablement": ("Certification exam vouchers", "Partner sales training",
                   "Technical onboarding workshop"),
    "other": ("Referral thank-you gifts", "Quarterly business review dinner",
              "Partner portal fees"),
}

# Collections notes, by follow-up kind.
NOTES = {
    "email": ("Payment reminder sent", "Sent statement of account", "Second reminder sent",
              "Emailed invoice copy to AP"),
    "call": ("Left voicemail for AP", "Spoke with office manager; will check with owner",
             "AP says it is in the next check run", "No answer; left message"),
    "note": ("Client changed bookkeeper last month", "AP contact is out until next week",
             "Asked for a W-9 again"),
    "promise": ("Check going out Friday", "Will pay on the portal by card",
                "Paying with the next AP run", "Owner approved payment"),
    "dispute": ("Says 3 licensed seats were removed in August",
                "Disputes the after-hours rate on the server call",
                "Claims the backup add-on was cancelled by phone",
                "Questions the hardware markup on the firewall"),
    "resolve": ("Credit for the seats applied to next month; balance confirmed",
                "Walked through the timesheet; client agreed",
                "Sent the signed order; client accepted the charge"),
    "escalate": ("Final notice sent; service on hold warning", "Handed to the owner",
                 "Account on credit hold"),
    "snooze": ("Waiting on their insurance payout", "Owner travelling; back next week",
               "Grant funding arrives mid-month"),
}

GOAL_PACE = {  # pace % the year's targets are tuned to (some ahead, some behind)
    "revenue": 104, "collections": 96, "new_mrr": 82, "won_deals": 115, "new_leads": 93,
}
QUARTER_PACE = 103  # the current quarter's collections goal


@dataclass
class _Client:
    """One client and how it buys and pays."""

    id: int
    name: str
    since: int  # date ordinals throughout
    churned: int | None
    terms: int
    habit: int
    method: str
    split: bool
    bill_day: int
    partner_id: int | None = None
    lateness: int = 0
    cutoff: int = 0
    seats: int = 10
    onboarding: int = 0  # one-time onboarding fee invoiced on `since`
    lines: list[tuple[int, int, int, int]] = field(default_factory=list)  # kind, start, unit, qty

    @property
    def autopay(self) -> int:
        return 1 if self.habit == AUTOPAY else 0


class _Story:
    """Builds every row of the ledger in memory; `write` stores them."""

    def __init__(self, seed: int, clients: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.n = clients
        self.k = max(1, round(clients / DEFAULT_CLIENTS))  # how many of each special case
        self.d = as_of.toordinal()
        self.start = self.d - SPAN_DAYS
        self.base = self.start - 800
        self.isos = [date.fromordinal(o).isoformat() for o in range(self.base, self.d + 400)]
        self.partners: list[list] = []
        self.clients: list[_Client] = []
        self.drafts: list[tuple[int, int, int, int, int, int]] = []
        self.invoices: list[tuple] = []
        self.payments: list[tuple[str, int, int, str]] = []  # paid_on, invoice, cents, method
        self.followups: list[list] = []
        self.opps: list[tuple] = []
        self.costs: list[tuple] = []
        self.goals: list[tuple] = []
        self.opened: dict[int, list[int]] = {}  # invoice id -> [client id, due, amount, paid]
        self.pools: dict[str, list] = {"reversal": [], "overpay": [], "kept": []}
        self.revenue_by_partner = [0] * (len(PARTNERS) + 1)  # [0]: clients with no partner
        self.revenue_ytd = 0
        self.reversed: dict[int, int] = {}  # invoice id -> day its ACH debit came back
        self.prospects: list[str] = []

    # small helpers -------------------------------------------------------------------------
    def iso(self, o: int | None) -> str | None:
        """ISO text of a date ordinal (None stays None)."""
        return None if o is None else self.isos[o - self.base]

    @staticmethod
    def _month(o: int) -> int:
        """Months since year 0 of a date ordinal."""
        d = date.fromordinal(o)
        return d.year * 12 + d.month - 1

    @staticmethod
    def _month_first(m: int) -> int:
        """Ordinal of the first day of a month counted as in `_month`."""
        return date(m // 12, m % 12 + 1, 1).toordinal()

    def pay(self, o: int, inv_id: int, cents: int, method: str) -> None:
        """Record a payment made on day `o`."""
        self.payments.append((self.iso(o), inv_id, cents, method))

    def between(self, lo: int, hi: int) -> int:
        """A uniform integer in [lo, hi] (hi < lo gives lo)."""
        return lo + int(self.rng.random() * (hi - lo + 1)) if hi > lo else lo

    def pick(self, weighted: tuple) -> object:
        """One value of a ((value, weight), ...) table."""
        total = sum(w for _, w in weighted)
        x = self.rng.random() * total
        for value, w in weighted:
            x -= w
            if x < 0:
                return value
        return weighted[-1][0]

    def chance(self, pct: float) -> bool:
        """True with the given percent probability."""
        return self.rng.random() * 100 < pct

    # the story, in order -------------------------------------------------------------------
    def build(self) -> None:
        """Generate every table's rows."""
        self.make_partners()
        names = self.make_names(self.n * 2)
        self.prospects = names[self.n:]
        self.make_clients(names[: self.n])
        self.draft_invoices()
        self.bill()
        self.drafts.clear()  # numbered into self.invoices now; frees ~150 MB at 20000 clients
        self.write_offs()
        self.reversals()
        self.partials()
        self.overpayments()
        self.payments.sort(key=by_date)  # ids follow the calendar; stable: ties keep invoice order
        self.collections_log()
        self.pipeline()
        self.partner_targets()
        self.partner_costs()
        self.make_goals()

    def make_partners(self) -> None:
        """The partner roster (targets are set once revenue is known)."""
        for i, (name, kind, bp, offset, _, _) in enumerate(PARTNERS, 1):
            self.partners.append([i, name, kind, self.start + offset, bp, None])

    def make_names(self, count: int) -> list[str]:
        """Distinct fictional company names (numbered once the word lists run out)."""
        combos = len(PREFIXES) * len(TRADES) * len(SUFFIXES)
        picks = self.rng.sample(range(combos), min(count, combos))
        names = []
        for x in picks:
            p, rest = divmod(x, len(TRADES) * len(SUFFIXES))
            t, s = divmod(rest, len(SUFFIXES))
            names.append(f"{PREFIXES[p]} {TRADES[t]}{SUFFIXES[s]}")
        names += [f"{names[i % len(names)]} {i // len(names) + 1}"
                  for i in range(len(names), count)]
        return names

    def make_clients(self, names: list[str]) -> None:
        """Clients: when they joined and left, who sourced them, how they pay, what they buy."""
        markup = min(16, self.n - 1)
        others = [i for i in range(self.n) if i != markup]
        deadbeats = set(self.rng.sample(others, min(self.k, len(others))))
        for i, name in enumerate(names):
            role = "markup" if i == markup else "deadbeat" if i in deadbeats else ""
            self.clients.append(self.make_client(i + 1, MARKUP_CLIENT if role == "markup"
                                                 else name, role))
        self.clients.sort(key=lambda c: c.since)  # stable; ids follow the order clients joined
        for cid, c in enumerate(self.clients, 1):
            c.id = cid

    def make_client(self, cid: int, name: str, role: str) -> _Client:
        """One client; `role` forces the markup-named or the deadbeat story."""
        founding = role != "" or self.chance(25)
        since = (self.start + self.between(0, 45) if founding
                 else self.between(self.start + 46, self.d - 10))
        habit = self.pick(HABIT_WEIGHTS)
        churned = None
        if since < self.d - 200 and self.chance(8):
            churned = self.between(since + 180, self.d - 14)
        if role == "markup":
            habit, churned = CHRONIC, None
        c = _Client(cid, name, since, churned, self.pick(((30, 60), (15, 25), (45, 15))),
                    habit, self.pick(METHOD_WEIGHTS), habit != AUTOPAY and self.chance(50),
                    1 if self.chance(60) else min(date.fromordinal(since).day, 28))
        c.lateness = 52 if role == "markup" else self.between(45, 100)
        if role == "deadbeat":
            c.habit, c.split, c.churned = DEADBEAT, False, self.d - self.between(150, 220)
            c.cutoff = c.churned - self.between(75, 100)
        c.partner_id = self.source_partner(since)
        c.seats = 4 + int(self.rng.random() ** 2 * 60)
        if role == "deadbeat":  # a sizeable account, so that its bad debt shows
            c.seats = self.between(25, 45)
        self.add_lines(c)
        return c

    def source_partner(self, since: int, always: bool = False) -> int | None:
        """The partner who sourced a client (about half of them) or lead on `since`."""
        live = tuple((p[0], PARTNERS[p[0] - 1][4]) for p in self.partners if p[3] <= since)
        if not live or not (always or self.chance(52)):
            return None
        return self.pick(live)

    def add_lines(self, c: _Client) -> None:
        """The client's recurring agreements; some start later (an upsell)."""
        end = self.end_of(c)
        for kind, (_, pct, prices, qty) in enumerate(LINES):
            if not self.chance(pct):
                continue
            start = c.since
            if kind and self.chance(25):
                start = self.between(c.since + 30, c.since + 540)
                if start >= end:
                    continue
            unit = prices[int(self.rng.random() * len(prices))]
            count = {SEATS: 0, FLAT: 1, PHONES: max(2, c.seats // 2 + self.between(-2, 2))}[qty]
            c.lines.append((kind, start, unit, count))  # count 0: per seat, follows headcount

    def end_of(self, c: _Client) -> int:
        """The last day the client is billed."""
        return self.d if c.churned is None else min(self.d, c.churned - 1)

    def headcount(self, c: _Client) -> list[int]:
        """The client's seats month by month from `since` (people join and leave)."""
        r, seats, headcount = self.rng.random, [], c.seats
        for _ in range(self._month(c.since), self._month(self.end_of(c)) + 1):
            x = r()
            if x < 0.12:
                headcount += 1 + int(x * 20) % 2
            elif x > 0.93 and headcount > 3:
                headcount -= 1
            seats.append(headcount)
        return seats

    def draft_invoices(self) -> None:
        """Every invoice as (issued, client, seq, due, cents, recurring), made in issue order.

        Making them in order (not per client, then sorted) keeps the rows in memory in the
        order they are read next: several times faster at a million invoices."""
        by_day: list[list[tuple]] = [[] for _ in range(32)]  # bill days are 1..28
        days: dict[int, list[tuple]] = {}
        for c in self.clients:
            by_day[c.bill_day].append((c.id, c.since, self.end_of(c), self._month(c.since),
                                       c.terms, c.lines, self.headcount(c)))
            for issued, seq, cents in self.projects(c):
                days.setdefault(issued, []).append((issued, c.id, seq, issued + c.terms,
                                                    cents, 0))
        drafts = self.drafts
        for o in range(self.start, self.d + 1):
            day, when = days.get(o, []), date.fromordinal(o)
            month = when.year * 12 + when.month - 1
            for cid, since, end, m0, terms, lines, seats in by_day[when.day]:
                if since <= o <= end:
                    for kind, start, unit, qty in lines:
                        if start <= o:
                            cents = unit * (qty or seats[month - m0])
                            day.append((o, cid, kind, o + terms,
                                        cents * (100 + 3 * ((o - start) // 365)) // 100, 1))
            day.sort()
            drafts += day

    def projects(self, c: _Client) -> list[tuple[int, int, int]]:
        """One-time invoices as (issued, seq, cents): onboarding, then projects and hardware."""
        out, end = [], self.end_of(c)
        if c.since > self.start + 45 and self.chance(70):
            c.onboarding = c.seats * 15000
            out.append((c.since, 10, c.onboarding))
        for seq in range(11, 11 + int((end - c.since) / 30.4 / 9 + self.rng.random())):
            issued = self.between(c.since + 20, end)
            band = self.rng.random()
            cents = (self.between(35000, 250000) if band < 0.6 else
                     self.between(250000, 1500000) if band < 0.92 else
                     self.between(1500000, 4500000))
            if issued <= end:
                out.append((issued, seq, cents))
        return out

    def bill(self) -> None:
        """Number the invoices in issue order and pay each the way its client pays."""
        d, r, base, isos = self.d, self.rng.random, self.base, self.isos
        invoices, pays, opened = self.invoices, self.payments, self.opened
        split_pay = self.pay_in_parts
        voids = self.pick_voids()
        t365, ys = d - 365, date(date.fromordinal(d).year, 1, 1).toordinal()
        by_partner, ytd = self.revenue_by_partner, 0
        reversal, overpay, kept = (self.pools[k] for k in ("reversal", "overpay", "kept"))
        profile = [()] + [(c.habit, c.method, c.split, c.lateness, c.cutoff, c.partner_id or 0)
                          for c in self.clients]
        for inv_id, (issued, cid, _, due, amount, rec) in enumerate(self.drafts, 1):
            if inv_id in voids:
                invoices.append((f"INV-{inv_id:06d}", cid, isos[issued - base],
                                 isos[due - base], amount, rec, 1, None))
                continue
            due_on = isos[due - base]
            invoices.append((f"INV-{inv_id:06d}", cid, isos[issued - base], due_on, amount, rec,
                             0, None))
            habit, method, split, lateness, cutoff, partner = profile[cid]
            if issued > t365:
                by_partner[partner] += amount
            if issued >= ys:
                ytd += amount
            if habit == AUTOPAY:
                if due <= d:
                    pays.append((due_on, inv_id, amount, "ach"))
                    if d - 25 <= due <= d - 6:
                        reversal.append((inv_id, due, amount))
                else:
                    opened[inv_id] = [cid, due, amount, 0]
                continue
            x = r()
            if habit == ONTIME:
                pay = due - 1 + int(x * 5)
            elif habit == LATE:
                pay = due + 3 + int(x * 18)
            elif habit == EARLY:
                pay = max(due - 2 - int(x * 9), issued + 1)
            elif habit == CHRONIC:
                pay = due + max(20, lateness - 15 + int(x * 31))
            elif issued >= cutoff:  # a deadbeat that stopped paying
                opened[inv_id] = [cid, due, amount, 0]
                continue
            else:
                pay = due + 3 + int(x * 18)
            y = r()
            if y < 0.08:  # now and then another method than the usual one
                method = METHODS[int(y * 50)]
            if split and y >= 0.2:
                paid = split_pay(inv_id, issued, pay, amount, method)
            elif pay <= d:
                pays.append((isos[pay - base], inv_id, amount, method))
                paid = amount
                if pay - due >= 20 and pay > d - 120:
                    kept.append((inv_id, due, pay, amount))
                elif inv_id % 41 == 0 and pay > d - 300 and habit != CHRONIC:
                    overpay.append((len(pays) - 1, inv_id))
            else:
                paid = 0
            if paid < amount:
                opened[inv_id] = [cid, due, amount, paid]
        self.revenue_ytd = ytd

    def pick_voids(self) -> set[int]:
        """Invoice ids (1-based draft positions) of the project invoices issued in error."""
        lo, hi = self.d - 400, self.d - 40
        pool = [i + 1 for i, x in enumerate(self.drafts)
                if x[5] == 0 and lo <= x[0] <= hi and self.clients[x[1] - 1].habit != DEADBEAT]
        return set(self.rng.sample(pool, min(2 * self.k, len(pool))))

    def pay_in_parts(self, inv_id: int, issued: int, pay: int, amount: int, method: str) -> int:
        """Pay an invoice in two or three pieces (cards, cheques) ending on `pay`; return what
        is paid by D."""
        r, d, pays, isos, base = self.rng.random, self.d, self.payments, self.isos, self.base
        x = r()
        gap = int(x * 4)  # the pieces arrive at most days apart
        cuts = (25 + int(r() * 50),) if x < 0.7 else (20 + int(r() * 25), 50 + int(r() * 25))
        paid, prev, n = 0, 0, len(cuts)
        for j, upto in enumerate([amount * c // 100 for c in cuts] + [amount]):
            when = max(pay - gap * (n - j), issued + 1)
            if when <= d:
                pays.append((isos[when - base], inv_id, upto - prev, method))
                paid += upto - prev
            prev = upto
        return paid

    # the special cases ---------------------------------------------------------------------
    def write_offs(self) -> None:
        """Each deadbeat's two oldest unpaid invoices are written off (one partly paid)."""
        unpaid: dict[int, list[int]] = {}
        for inv_id, v in self.opened.items():
            if v[1] < self.d - 120:
                unpaid.setdefault(v[0], []).append(inv_id)
        for c in (c for c in self.clients if c.habit == DEADBEAT):
            mine = unpaid.get(c.id, [])[:2]
            wo = max([self.d - self.between(30, 120)] + [self.opened[i][1] + 100 for i in mine])
            for j, inv_id in enumerate(mine):
                due, amount = self.opened[inv_id][1], self.opened[inv_id][2]
                if j == 1:
                    self.pay(due + 25, inv_id, amount * 35 // 100, c.method)
                self.invoices[inv_id - 1] = self.invoices[inv_id - 1][:7] + (self.iso(wo),)
                del self.opened[inv_id]
                self.writeoff_log(inv_id, due, wo)

    def reversals(self) -> None:
        """A returned autopay ACH debit: a negative 'ach' payment; the first stays unpaid."""
        pool = self.pools["reversal"]
        for j, (inv_id, due, amount) in enumerate(self.rng.sample(pool, min(self.k, len(pool)))):
            back = due + self.between(2, 4)
            self.pay(back, inv_id, -amount, "ach")
            again = back + self.between(5, 9)
            if j % 2 and again <= self.d:
                self.pay(again, inv_id, amount, "card")
            else:
                cid = self.invoices[inv_id - 1][1]
                self.opened[inv_id] = [cid, due, amount, 0]
                self.reversed[inv_id] = back

    def partials(self) -> None:
        """A few overdue invoices that got part of their balance paid."""
        pool = [i for i, (cid, due, amount, paid) in self.opened.items()
                if paid == 0 and due <= self.d - 6 and i not in self.reversed
                and self.clients[cid - 1].habit in (LATE, CHRONIC)]
        for inv_id in self.rng.sample(pool, min(3 * self.k, len(pool))):
            cid, due, amount, _ = self.opened[inv_id]
            part = amount * self.between(25, 60) // 100
            self.pay(self.between(due + 1, self.d - 1), inv_id, part, self.clients[cid - 1].method)
            self.opened[inv_id][3] = part

    def overpayments(self) -> None:
        """Credits: one invoice paid twice, a few paid rounded up to the next hundred dollars."""
        pool = self.pools["overpay"]
        for j, (idx, inv_id) in enumerate(self.rng.sample(pool, min(3 * self.k, len(pool)))):
            when, _, amount, method = self.payments[idx]
            if j == 0:
                again = date.fromisoformat(when).toordinal() + self.between(4, 15)
                self.pay(min(again, self.d), inv_id, amount, "check")
            else:
                self.payments[idx] = (when, inv_id, amount + 10000 - amount % 10000, method)

    # the collections log -------------------------------------------------------------------
    def writeoff_log(self, inv_id: int, due: int, wo: int) -> None:
        """The chase that ended in a write-off."""
        t = _Thread(self, inv_id, due + 1)
        t.add(due + 5, "email", NOTES["email"][0])
        t.add(due + 21, "call", NOTES["call"][3])
        t.add(due + 60, "escalate", "Final demand letter sent", by=STAFF[1])
        t.add(wo - 10, "note", "Client closed its office; phones disconnected")
        t.add(wo, "writeoff", "Uncollectible: written off as bad debt", by=STAFF[1])

    def collections_log(self) -> None:
        """Follow-ups: every overdue invoice at D gets a story; late payers kept promises."""
        d = self.d
        cands = [(i, v[1], d - v[1]) for i, v in self.opened.items()
                 if v[1] < d and v[2] > v[3]]
        states = self.assign_states(cands)
        for (inv_id, due, dpd), state in zip(cands, states, strict=True):
            t = _Thread(self, inv_id, due + 1)
            if inv_id in self.reversed:
                t.add(self.reversed[inv_id], "note", "ACH debit returned (R01: insufficient funds)")
            getattr(self, f"log_{state}")(t, due, dpd, self.opened[inv_id])
        for inv_id, due, pay, amount in self.pools["kept"]:
            if self.chance(35):
                t = _Thread(self, inv_id, due + 1)
                t.add(due + 4, "email", NOTES["email"][0])
                t.add(pay - self.between(3, 8), "promise", self.note("promise"),
                      promised_on=pay, cents=amount)

    def assign_states(self, cands: list[tuple[int, int, int]]) -> list[str]:
        """A status story per overdue invoice: each kind at least once, the rest by age."""
        states = [""] * len(cands)
        must = (("disputed", 15), ("resolved", 20), ("escalated", 45), ("broken", 15),
                ("promised", 3), ("snoozed", 5), ("unsnoozed", 20), ("undone", 10),
                ("contacted", 1), ("new", 1))
        for state, min_dpd in must:
            fits = [j for j, c in enumerate(cands) if c[2] >= min_dpd and not states[j]
                    and (state != "new" or c[2] <= 10)]
            if fits:
                states[fits[int(self.rng.random() * len(fits))]] = state
        for j, (_, _, dpd) in enumerate(cands):
            if not states[j]:
                states[j] = self.pick(_state_weights(dpd))
        return states

    def note(self, kind: str) -> str:
        """A note for a follow-up kind."""
        notes = NOTES[kind]
        return notes[int(self.rng.random() * len(notes))]

    def contact(self, t: _Thread, due: int, dpd: int) -> None:
        """The usual opening: a reminder email, then a call once it is two weeks late."""
        t.add(due + self.between(2, 5), "email", self.note("email"))
        if dpd > 14:
            t.add(due + self.between(10, min(dpd, 25)), "call", self.note("call"))

    def log_new(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """Nothing done yet."""

    def log_contacted(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """Reminded and called."""
        self.contact(t, due, dpd)
        if dpd > 40 and self.chance(40):
            t.add(self.d - self.between(0, 10), "note", self.note("note"))

    def log_undone(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """Contacted, then escalated by mistake and undone."""
        self.contact(t, due, dpd)
        when = self.d - self.between(0, min(3, dpd - 1))
        tag = t.add(when, "escalate", "Escalated", by=STAFF[0])
        t.add(when, "undo", "Wrong invoice", by=STAFF[0], undoes=tag)

    def log_promised(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """A promise that is not yet due (promised_on on or after D)."""
        self.contact(t, due, dpd)
        cents = inv[2] - inv[3] if self.chance(75) else (inv[2] - inv[3]) // 2
        t.add(self.d - self.between(0, min(6, dpd - 1)), "promise", self.note("promise"),
              promised_on=self.d + self.between(0, 10), cents=cents)

    def log_broken(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """A promise whose date passed with no payment."""
        self.contact(t, due, dpd)
        made = self.between(due + 3, self.d - 4)
        t.add(made, "promise", self.note("promise"),
              promised_on=min(made + self.between(3, 10), self.d - 1), cents=inv[2] - inv[3])
        if self.chance(50):
            t.add(self.d - self.between(0, 2), "call", "Promise missed; left voicemail")

    def log_escalated(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """Chased, then escalated."""
        self.contact(t, due, dpd)
        t.add(due + self.between(30, dpd), "escalate", self.note("escalate"), by=STAFF[1])

    def log_disputed(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """An open dispute."""
        t.add(due + self.between(2, 5), "email", self.note("email"))
        t.add(due + self.between(6, dpd), "dispute", self.note("dispute"))

    def log_resolved(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """A dispute settled; sometimes a promise follows."""
        raised = due + self.between(3, max(3, dpd // 2))
        t.add(raised, "dispute", self.note("dispute"))
        t.add(self.between(raised + 3, self.d), "resolve", self.note("resolve"), by=STAFF[1])
        if self.chance(50):
            t.add(self.d, "promise", self.note("promise"),
                  promised_on=self.d + self.between(2, 12), cents=inv[2] - inv[3])

    def log_snoozed(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """Snoozed until after D."""
        self.contact(t, due, dpd)
        t.add(self.d - self.between(0, min(5, dpd - 1)), "snooze", self.note("snooze"),
              until=self.d + self.between(3, 21))

    def log_unsnoozed(self, t: _Thread, due: int, dpd: int, inv: list[int]) -> None:
        """A snooze that has run out, then a fresh call."""
        self.contact(t, due, dpd)
        made = self.between(due + 5, self.d - 8)
        t.add(made, "snooze", self.note("snooze"), until=min(made + self.between(3, 7), self.d))
        t.add(self.d - self.between(0, 1), "call", self.note("call"))

    # the pipeline --------------------------------------------------------------------------
    def pipeline(self) -> None:
        """Opportunities: the wins behind clients and upsells, lost and open deals, stalls."""
        raw: list[tuple] = []
        for c in self.clients:
            raw += self.client_deals(c)
        wins = len(raw)
        for _ in range(wins * 9 // 5):
            raw.append(self.lost_or_open())
        for _ in range(4 * self.k):
            raw.append(self.stalled())
        raw.sort(key=lambda x: x[0])  # stable: ties keep their generation order
        iso = self.iso
        self.opps = [(name, cid, pid, src, owner, iso(cr), iso(q), iso(a), iso(p), iso(cl), out,
                      mrr, one, uo, ut)
                     for cr, name, cid, pid, src, owner, q, a, p, cl, out, mrr, one, uo, ut
                     in raw]

    def stages(self, created: int, closed: int) -> tuple[int | None, int | None, int | None]:
        """Stage dates between creation and close, one now and then skipped."""
        span = max(closed - created, 4)
        q = created + max(1, span * self.between(8, 20) // 100)
        a = created + max(2, span * self.between(30, 45) // 100)
        p = created + max(3, span * self.between(55, 80) // 100)
        x = self.rng.random()
        return (None if x < 0.08 else q, None if 0.08 <= x < 0.14 else a, p)

    def client_deals(self, c: _Client) -> list[tuple]:
        """The won deal that brought a client in, and a won upsell per later agreement."""
        out = []
        if c.since > self.start + 45:
            closed = c.since - self.between(3, 14)
            created = closed - self.between(20, 100)
            mrr = sum(self.first_amount(c, ln) for ln in c.lines if ln[1] == c.since)
            src = "referral" if c.partner_id else self.pick((("web", 4), ("event", 2),
                                                             ("outbound", 3)))
            offered = self.chance(35)
            out.append((created, f"{c.name}: managed IT", None, c.partner_id, src,
                        self.rep(), *self.stages(created, closed), closed, "won", mrr,
                        c.onboarding, int(offered), int(offered and self.chance(50))))
        for ln in c.lines:
            if ln[1] > c.since:
                closed = ln[1] - self.between(3, 10)
                created = closed - self.between(14, 60)
                out.append((created, f"{c.name}: {LINES[ln[0]][0]}", c.id, None, "outbound",
                            self.rep(), *self.stages(created, closed), closed, "won",
                            self.first_amount(c, ln), 0, 0, 0))
        return out

    def first_amount(self, c: _Client, ln: tuple[int, int, int, int]) -> int:
        """The first monthly amount of an agreement."""
        return ln[2] * (ln[3] or c.seats)

    def rep(self) -> str:
        """A sales rep."""
        return REPS[int(self.rng.random() * len(REPS))]

    def lost_or_open(self) -> tuple:
        """A prospect that was lost at some stage, or is still open at D."""
        created = self.between(self.start, self.d)
        src = self.pick((("referral", 3), ("web", 3), ("event", 2), ("outbound", 3)))
        pid = None
        if src == "referral":
            pid = self.source_partner(created, always=True)
            src = src if pid else "web"
        depth = 0
        while depth < 3 and self.chance((65, 70, 65)[depth]):
            depth += 1
        closed = created + self.between(5, 30) + depth * self.between(7, 25)
        q, a, p = (x if depth > j else None for j, x in enumerate(self.stages(created, closed)))
        if closed > self.d:  # still open at D: later stage dates have not happened
            q, a, p = (x if x is not None and x <= self.d else None for x in (q, a, p))
            closed, outcome = None, None
        else:
            outcome = "lost"
        mrr = self.between(40, 900) * 1000
        onetime = self.between(10, 250) * 10000 if self.chance(30) else 0
        name = self.prospects[int(self.rng.random() * len(self.prospects))]
        return (created, name, None, pid, src, self.rep(), q, a, p, closed, outcome, mrr,
                onetime, 0, 0)

    def stalled(self) -> tuple:
        """An open deal created long ago and stuck at a stage."""
        created = self.d - self.between(120, 330)
        depth = self.between(1, 3)
        q = created + self.between(3, 12)
        a = q + self.between(5, 20) if depth >= 2 else None
        p = (a or q) + self.between(7, 25) if depth == 3 else None
        name = self.prospects[int(self.rng.random() * len(self.prospects))]
        return (created, name, None, None, "outbound", self.rep(), q, a, p, None, None,
                self.between(80, 600) * 1000, 0, 0, 0)

    # partners and goals --------------------------------------------------------------------
    def partner_targets(self) -> None:
        """Set each partner's annual target from its trailing-12-month sourced revenue."""
        on = iter(ON_TRACK_PCT * len(PARTNERS))
        for p in self.partners:
            revenue, plan = self.revenue_by_partner[p[0]], PARTNERS[p[0] - 1][5]
            if plan == "none":
                continue
            if plan == "on":
                exact = revenue * next(on) // 100
            elif plan == "risk":
                exact = revenue * 100 // 95  # variance about -5 %
            else:
                exact = revenue * 100 // 72  # variance about -28 %
            exact = max(exact, 100)
            rounded = max((exact + 25000) // 50000 * 50000, 100)
            p[5] = rounded if _status(revenue, rounded) == _status(revenue, exact) else exact

    def partner_costs(self) -> None:
        """Two years of partner costs; larger books spend proportionally more."""
        scale, first = self.n, self.d - 730
        for p in self.partners:
            kind = p[2]
            for m in range(self._month(first), self._month(self.d) + 1):
                for category, pct, lo, hi in _cost_plan(kind, m % 3 == 0):
                    if not self.chance(pct):
                        continue
                    when = self._month_first(m) + self.between(0, 27)
                    if p[3] <= when <= self.d and when > first:
                        cents = self.between(lo, hi) * scale // DEFAULT_CLIENTS
                        self.costs.append((p[0], self.iso(when), cents, category,
                                           self.note_of(category)))

    def note_of(self, category: str) -> str:
        """A partner cost note."""
        notes = COST_NOTES[category]
        return notes[int(self.rng.random() * len(notes))]

    def make_goals(self) -> None:
        """This year's goals per metric and this quarter's collections goal, tuned to pace."""
        d = date.fromordinal(self.d)
        ys, ye = date(d.year, 1, 1).toordinal(), date(d.year, 12, 31).toordinal()
        qm = (d.month - 1) // 3 * 3 + 1
        qs = date(d.year, qm, 1).toordinal()
        qe = (date(d.year + 1, 1, 1) if qm == 10 else date(d.year, qm + 3, 1)).toordinal() - 1
        actual = self.goal_actuals(ys)
        for metric, pace in GOAL_PACE.items():
            self.goals.append((metric, self.iso(ys), self.iso(ye),
                               _goal_target(actual[metric], ys, ye, self.d, pace,
                                            metric in ("won_deals", "new_leads"))))
        collected = self.collected_since(qs)
        self.goals.append(("collections", self.iso(qs), self.iso(qe),
                           _goal_target(collected, qs, qe, self.d, QUARTER_PACE, False)))

    def goal_actuals(self, ys: int) -> dict[str, int]:
        """Each goal metric over [ys, D]."""
        lo, hi = self.iso(ys), self.iso(self.d)
        won = [o for o in self.opps if o[10] == "won" and lo <= o[9] <= hi]
        return {
            "revenue": self.revenue_ytd,
            "collections": self.collected_since(ys),
            "new_mrr": sum(o[11] for o in won),
            "won_deals": len(won),
            "new_leads": sum(1 for o in self.opps if lo <= o[5] <= hi),
        }

    def collected_since(self, start: int) -> int:
        """Payments from `start` to D (the payments are sorted and none is after D)."""
        first = bisect.bisect_left(self.payments, self.iso(start), key=by_date)
        return sum(p[2] for p in self.payments[first:])

    # storing -------------------------------------------------------------------------------
    def write(self, conn: sqlite3.Connection, as_of: date) -> None:
        """Insert every row (the caller holds the transaction)."""
        meta = (("currency", "USD"), ("company", COMPANY), ("as_of", as_of.isoformat()),
                ("gross_margin_pct", "62"), ("client_lifetime_months", "48"))
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta)
        iso = self.iso
        conn.executemany("INSERT INTO partners VALUES (?, ?, ?, ?, ?, ?)",
                         [(i, n, k, iso(s), bp, t) for i, n, k, s, bp, t in self.partners])
        conn.executemany("INSERT INTO clients VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [self.client_row(c) for c in self.clients])
        # Rows go in id order without their ids: SQLite's append path is much faster.
        conn.executemany("INSERT INTO invoices(number, client_id, issued_on, due_on, "
                         "amount_cents, recurring, void, written_off_on) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.invoices)
        conn.executemany("INSERT INTO payments(paid_on, invoice_id, amount_cents, method) "
                         "VALUES (?, ?, ?, ?)", self.payments)
        conn.executemany("INSERT INTO followups(invoice_id, at, kind, note, promised_on, "
                         "promised_cents, until, by, undoes) VALUES (?,?,?,?,?,?,?,?,?)",
                         self.followup_rows())
        conn.executemany("INSERT INTO opportunities(name, client_id, partner_id, source, owner, "
                         "created_on, qualified_on, appointment_on, proposal_on, closed_on, "
                         "outcome, mrr_cents, onetime_cents, upsell_offered, upsell_taken) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.opps)
        self.costs.sort(key=lambda x: (x[1], x[0]))
        conn.executemany("INSERT INTO partner_costs(partner_id, incurred_on, amount_cents, "
                         "category, note) VALUES (?, ?, ?, ?, ?)", self.costs)
        conn.executemany("INSERT INTO goals(metric, period_start, period_end, target) "
                         "VALUES (?, ?, ?, ?)", self.goals)

    def client_row(self, c: _Client) -> tuple:
        """A clients row."""
        slug = "".join(ch for ch in c.name.lower() if ch.isalnum())
        phone = f"({AREA_CODES[c.id % len(AREA_CODES)]}) 555-01{c.id * 37 % 100:02d}"
        return (c.id, c.name, f"ap@{slug}.example", phone, c.terms, c.autopay, c.partner_id,
                self.iso(c.since), self.iso(c.churned))

    def followup_rows(self) -> list[tuple]:
        """Follow-ups in time order, with `undoes` pointing at the final row ids."""
        self.followups.sort(key=lambda x: (x[0], x[1], x[2]))
        ids = {row[2]: n for n, row in enumerate(self.followups, 1)}
        return [(inv, at, kind, note, self.iso(pr), cents, self.iso(until), by,
                 ids[undoes] if undoes is not None else None)
                for at, inv, _, kind, note, pr, cents, until, by, undoes in self.followups]


class _Thread:
    """The follow-ups of one invoice, kept in time order on working days, never after D."""

    def __init__(self, story: _Story, inv_id: int, lo: int) -> None:
        self.story, self.inv, self.lo = story, inv_id, lo
        self.day, self.sec = 0, 0

    def add(self, o: int, kind: str, note: str | None = None, *, promised_on: int | None = None,
            cents: int | None = None, until: int | None = None, by: str | None = None,
            undoes: int | None = None) -> int:
        """Append one follow-up at (about) day `o`; return its tag for `undoes`."""
        s = self.story
        weekday = (o - 1) % 7  # ordinal 1 was a Monday
        o = o - (weekday - 4) if weekday > 4 else o
        o = min(max(o, self.lo, self.day), s.d)
        if o == self.day:
            sec = min(self.sec + s.between(300, 3600), 86399)
        else:
            sec = 8 * 3600 + s.between(0, 9 * 3600)
        self.day, self.sec = o, sec
        at = f"{s.iso(o)}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
        tag = len(s.followups)
        who = by or (STAFF[0] if s.chance(75) else STAFF[1])
        s.followups.append([at, self.inv, tag, kind, note, promised_on, cents, until, who,
                            undoes])
        return tag


def _state_weights(dpd: int) -> tuple[tuple[str, int], ...]:
    """How likely each collections story is for an invoice this many days past due."""
    if dpd <= 7:
        return (("new", 55), ("contacted", 30), ("promised", 10), ("snoozed", 5))
    if dpd <= 30:
        return (("new", 8), ("contacted", 45), ("promised", 20), ("broken", 10),
                ("snoozed", 5), ("unsnoozed", 5), ("disputed", 7))
    if dpd <= 90:
        return (("contacted", 30), ("promised", 15), ("broken", 20), ("escalated", 15),
                ("disputed", 10), ("resolved", 5), ("unsnoozed", 5))
    return (("escalated", 40), ("broken", 25), ("disputed", 15), ("contacted", 10),
            ("resolved", 10))


def _cost_plan(kind: str, quarter: bool) -> tuple[tuple[str, int, int, int], ...]:
    """(category, percent chance this month, low, high cents) by partner kind."""
    if kind == "referral":
        return (("marketing", 70 if quarter else 5, 60000, 250000), ("other", 25, 15000, 60000))
    if kind in ("vendor", "distributor"):
        return (("mdf", 90 if quarter else 0, 150000, 600000),
                ("enablement", 15, 80000, 300000))
    return (("marketing", 30, 50000, 200000), ("enablement", 15, 80000, 300000),
            ("other", 10, 20000, 80000))


def _status(revenue: int, target: int) -> str:
    """A partner's status for a revenue and a target (KPIS.md)."""
    variance = 100 * (revenue - target) / target
    return "on" if variance >= 0 else "risk" if variance >= -10 else "off"


def _goal_target(actual: int, start: int, end: int, d: int, pace: int, count: bool) -> int:
    """A target that puts `actual` at `pace` percent of the expected-to-date amount."""
    elapsed, total = min(d, end) - start + 1, end - start + 1
    exact = actual * total * 100 // (elapsed * pace)
    if count:
        return max(1, exact)
    return max(100000, (exact + 50000) // 100000 * 100000)


def generate(path: Path, seed: int = DEFAULT_SEED, clients: int = DEFAULT_CLIENTS,
             as_of: date = DEFAULT_AS_OF) -> None:
    """Write a new demo ledger at `path` (refused if the file exists)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose a new path")
    if clients < 1:
        raise ValueError("clients must be at least 1")
    story = _Story(seed, clients, as_of)
    story.build()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _store(conn, story, as_of)
    except BaseException:
        conn.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    conn.close()


def _store(conn: sqlite3.Connection, story: _Story, as_of: date) -> None:
    """Create the schema, insert the story in one transaction, leave no WAL content behind.

    The read indexes are dropped while the rows go in and built again at the end, from
    schema.INDEXES itself: sorting once is faster than a million scattered index inserts."""
    schema.create(conn)
    conn.execute("PRAGMA synchronous = OFF")  # a half-written demo file is deleted anyway
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in re.findall(r"CREATE INDEX (\w+)", schema.INDEXES):
            conn.execute(f"DROP INDEX {name}")
        story.write(conn, as_of)
        for statement in schema.INDEXES.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
