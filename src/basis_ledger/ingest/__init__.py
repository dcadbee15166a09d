"""Ingest: turn a user's files into ledger events. Each importer identifies a file and extracts events."""
