"""Pure Polars KPI functions: (loaded ledger, as-of date) -> small frames / dataclasses.

Nothing here imports Textual or touches SQLite; every figure follows ../shared/KPIS.md.
"""
