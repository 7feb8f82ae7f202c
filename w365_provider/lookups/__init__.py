"""Read-only look-ups: documented lists (regions, Windows languages) and Graph reads (service plans by
name, the tenant's regions, group display names)."""
