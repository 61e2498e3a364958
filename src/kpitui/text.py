"""Untrusted text made inert: C0/C1 controls and bidi overrides removed, line breaks to spaces.

Used once at load (ledger.load, with Polars twins of these patterns) and on every saved form.
"""

from __future__ import annotations

import re

SPACE_LIKE = "[\t\n\r\x0b\x0c]"
CONTROL = "[\x00-\x08\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_SPACE_RE = re.compile(SPACE_LIKE)
_CONTROL_RE = re.compile(CONTROL)


def clean_text(s: str | None) -> str:
    """Plain, one-line text safe to show in a terminal."""
    if s is None:
        return ""
    return _CONTROL_RE.sub("", _SPACE_RE.sub(" ", s))
