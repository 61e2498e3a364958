"""The Textual app: panes and widgets that only display and dispatch actions (no SQL, no KPIs)."""
