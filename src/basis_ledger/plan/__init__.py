"""The what-if planner: hypothetical events applied to the ledger in memory, before and after, with findings.

Nothing here writes the ledger. whatif.py evaluates a plan; isolate.py and backdoor.py build plans from the
ledger's state; pool.py estimates the pool's value and basis on a day; limits.py reads schemas/limits.toml.
"""
