"""Read-only look-ups: documented lists (regions) and Graph reads (group display names)."""
