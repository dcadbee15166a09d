"""basis_ledger: the after-tax basis of IRAs, year after year, and Form 8606 from it."""

__version__ = "0.1.0"
