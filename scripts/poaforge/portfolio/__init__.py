"""Many cases: scaffolds, appeal history, re-appeal changes, rebuilds and the status page."""
