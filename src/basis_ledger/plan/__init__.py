"""The what-if planner: hypothetical events applied to the ledger in memory, before and after, with findings.

Nothing here writes the ledger. whatif.py evaluates a plan (yearend.py supplies its 31 December values);
isolate.py and backdoor.py build plans from the ledger's state with builder.py; audit/pool.py (shared with the
audit) estimates the pool's value and basis on a day; limits.py gives the tax calendar's limits; render.py prints
a plan for people.
"""
