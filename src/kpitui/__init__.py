"""kpitui: a terminal cockpit for the finance owner of a small IT services business."""

__version__ = "0.1.0"
