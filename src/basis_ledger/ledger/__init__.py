"""The ledger: validated, append-only events with provenance, in SQLite."""
