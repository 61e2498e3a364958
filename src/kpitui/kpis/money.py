"""Exact money arithmetic: fractions of integers rounded once, half away from zero."""

from __future__ import annotations

from fractions import Fraction


def round_half_away(x: Fraction | int) -> int:
    """Round an exact fraction to the nearest integer, halves away from zero."""
    x = Fraction(x)
    q, r = divmod(abs(x.numerator), x.denominator)
    if 2 * r >= x.denominator:
        q += 1
    return q if x >= 0 else -q


def div_round(num: int, den: int) -> int | None:
    """num / den rounded once; None when den is 0."""
    return None if den == 0 else round_half_away(Fraction(num, den))


def ratio(num: float | int, den: float | int, scale: float = 1.0) -> float | None:
    """A float ratio (times scale), None where the denominator is 0."""
    return None if not den else scale * num / den


def pct(num: float | int, den: float | int) -> float | None:
    """100 x num / den, None where den is 0."""
    return ratio(num, den, 100.0)


def fmt_money(cents: int | None, currency: str = "USD", *, decimals: bool = True) -> str:
    """Format integer cents for display (the only place cents become a decimal string)."""
    if cents is None:
        return "-"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$", "NZD": "$"}.get(
        currency, "")
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    body = f"{units:,}.{rest:02d}" if decimals else f"{units + (rest >= 50):,}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def fmt_short(cents: int | None, currency: str = "USD") -> str:
    """Compact money for tiles and charts: $1.2M, $350k, $980."""
    if cents is None:
        return "-"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$"}.get(currency, "")
    value = abs(cents) / 100
    sign = "-" if cents < 0 else ""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            shown = value / limit
            text = f"{shown:.1f}" if shown < 100 else f"{shown:.0f}"
            return f"{sign}{symbol}{text}{suffix}"
    return f"{sign}{symbol}{value:.0f}"
