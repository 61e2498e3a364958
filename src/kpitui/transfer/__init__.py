"""Real data in and out (issue 5): import accounting exports, export every pane.

The names below are light (no Polars), so the command line can offer them as choices.
"""

IMPORT_FORMATS = ("auto", "qbo-invoices", "qbo-aging", "xero-invoices", "xero-aged", "generic")
KINDS = ("invoices", "payments", "clients", "opportunities", "partners")
PANES = ("overview", "aging", "queue", "pipeline", "partners", "goals")
EXPORT_FORMATS = ("csv", "json", "md")
MONEY_STYLES = ("decimal", "cents")
