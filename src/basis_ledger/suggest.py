"""'Did you mean ...?' for a mistyped name: an event kind, a column, a profile, a command, a finding code."""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to `word` (difflib, case-insensitive; also a name one typo away in a word)."""
    import difflib

    options = list(choices)
    lowered = {c.lower(): c for c in options}
    hits = difflib.get_close_matches(word.lower().strip(), list(lowered), n=n, cutoff=0.6)
    if not hits:  # 'tax year' for 'tax_year', 'Box5 FMV' for 'box5_fmv'
        squashed = {c.lower().replace("_", "").replace("-", ""): c.lower() for c in options}
        key = word.lower().strip().replace(" ", "").replace("_", "").replace("-", "")
        hits = [squashed[h] for h in difflib.get_close_matches(key, list(squashed), n=n, cutoff=0.6)]
    if not hits and "_" in word:  # 'box5_fair_market_value' for 'box5_fmv': the one name sharing its first word
        first = word.lower().split("_", 1)[0]
        same = [c for c in lowered if c.split("_", 1)[0] == first]
        hits = same if len(same) == 1 else []
    return [lowered[h] for h in hits]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'' or " (did you mean 'conversion'?)" to append to a message."""
    hits = close_matches(word, choices)
    if not hits:
        return ""
    return " (did you mean " + " or ".join(f"'{h}'" for h in hits) + "?)"
