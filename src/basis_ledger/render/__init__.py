"""Render: computed results for machines (JSON, CSV) and people (rich tables)."""
