"""Issue 6: nothing lost, nothing crashes (faults, bad data, concurrent writers, untrusted text).

Each case builds its own ledger with one builder of `builders.py` and asserts the exact
message a person sees.
"""
