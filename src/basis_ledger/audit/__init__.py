"""Audit and plan: findings about a history (real or hypothetical), each with its evidence."""
