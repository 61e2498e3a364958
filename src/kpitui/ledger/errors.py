"""LedgerError: one line a person can act on (the CLI prints it and exits 2)."""


class LedgerError(Exception):
    """A ledger that cannot be used, explained in one line."""


class LedgerBusy(LedgerError):
    """Another program held the write lock past the busy timeout; nothing was written."""


class ReadOnlyLedger(LedgerError):
    """A write was asked of a ledger opened read-only."""
