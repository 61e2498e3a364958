"""The only code that touches SQLite: open, validate, load into Polars, write actions."""
