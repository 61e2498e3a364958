"""One module per pane: overview, receivables, collections, pipeline, partners."""
