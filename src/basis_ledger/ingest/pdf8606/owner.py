"""Whose filed form it is (--taxpayer, or the ledger taxpayer whose name or SSN last four match), and
--as-opening: a filed form's carried bases as opening events when the ledger has no earlier history."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from basis_ledger.model import Caution, InputError, Problem, Taxpayer
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd


def _norm(name: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (name or "").casefold()).split())


def resolve(file: str, forms: list[dict], taxpayer: str | None, people: dict[str, Taxpayer]) -> None:
    """Set each form's "taxpayer" in place, or raise naming the candidates."""
    for form in forms:
        ssn, name = form.get("ssn_last4"), form.get("name", "")
        said = f"name '{name or '?'}', SSN ending {ssn or '?'}"
        if taxpayer is not None:
            known = people.get(taxpayer)
            if known and known.ssn_last4 and ssn and known.ssn_last4 != ssn:
                raise InputError(
                    [
                        Problem(
                            file,
                            f"the form's SSN ends {ssn} but taxpayer '{taxpayer}' has "
                            f"{known.ssn_last4} on record; wrong file or wrong --taxpayer?",
                        )
                    ]
                )
            form["taxpayer"] = taxpayer
            continue
        by_ssn = {t for t, p in people.items() if ssn and p.ssn_last4 == ssn}
        by_name = {t for t, p in people.items() if name and p.full_name and _norm(p.full_name) == _norm(name)}
        matches = sorted(by_ssn | by_name)
        if len(matches) == 1:
            form["taxpayer"] = matches[0]
            continue
        how = (
            "give --taxpayer NAME, or record who it is with 'basis-ledger taxpayer set NAME --full-name ... "
            "--ssn-last4 ...'"
        )
        if matches:
            raise InputError(
                [
                    Problem(
                        file,
                        f"whose form is it ({said})? several taxpayers match: "
                        f"{', '.join(matches)}; give --taxpayer NAME",
                    )
                ]
            )
        known = ", ".join(sorted(people)) or "none"
        raise InputError(
            [
                Problem(
                    file,
                    f"whose form is it ({said})? no ledger taxpayer has that full name or SSN "
                    f"(candidates: {known}); {how}",
                )
            ]
        )


def opening_events(file: str, forms: list[dict], history: pd.DataFrame) -> tuple[pd.DataFrame, list[Caution]]:
    """Events that carry a filed form's bases into the ledger: line 14 -> basis_opening; Part III's line 22 and
    24, less what that year's line 19 took (the line 22 worksheet / line 24 chart), -> the Roth bases."""
    import pandas as pd

    from basis_ledger.ingest.base import EVENT_COLUMNS
    from basis_ledger.ingest.pdf8606.values import cents

    rows: list[dict] = []
    problems: list[Problem] = []
    cautions: list[Caution] = []
    read: list[str] = []  # the bases the forms did give, for the message when all of them are 0
    for form in forms:
        who, year, lines = form["taxpayer"], int(form["tax_year"]), form["lines"]
        mine = history[history["taxpayer"] == who] if not history.empty else history
        if not mine.empty:
            years = pd.concat([mine["tax_year"].astype("int64"), mine["date"].str.slice(0, 4).astype("int64")])
            if int(years.min()) <= year:
                problems.append(
                    Problem(
                        file,
                        f"--as-opening: the ledger already has history for '{who}' from "
                        f"{int(years.min())}; an opening balance from the {year} form would "
                        "overlap it (import the form without --as-opening to keep it as filed)",
                    )
                )
                continue
        amt = {k: cents(v[0]) for k, v in lines.items() if k != "10"}

        def add(kind: str, account_type: str, value: int, what: str, who=who, year=year) -> None:
            if value > 0:  # a zero basis is no opening at all (and the ledger refuses zero amounts)
                rows.append(
                    {
                        "taxpayer": who,
                        "date": f"{year}-12-31",
                        "tax_year": year,
                        "account": "",
                        "account_type": account_type,
                        "kind": kind,
                        "amount_cents": value,
                        "memo": f"{what} of the {year} Form 8606 in {file.rsplit('/', 1)[-1]}",
                        "source_line": 0,
                    }
                )

        if "14" in amt:
            add("basis_opening", "traditional", amt["14"], "line 14")
            read.append(f"line 14 = {format_cents(amt['14'], whole=False)}")
        if "19" in amt and "22" in amt:
            read.append(f"line 22 less line 19 = {format_cents(max(amt['22'] - amt['19'], 0), whole=False)}")
            add("roth_contribution_basis_opening", "roth", max(amt["22"] - amt["19"], 0), "line 22 less line 19")
            if "24" not in amt:
                cautions.append(
                    Caution(
                        "roth-conversion-basis-unknown",
                        f"line 24 is blank on the {year} form (line 23 is 0), so the Roth conversion basis is not "
                        "known from it; add a roth_conversion_basis_opening row if there is one",
                        file,
                    )
                )
            else:
                used = max(amt["19"] - amt["22"], 0)  # line 23 figured without line 20
                add("roth_conversion_basis_opening", "roth", max(amt["24"] - used, 0), "line 24 less line 23")
        elif "22" in amt or "24" in amt:
            problems.append(
                Problem(file, "--as-opening: Part III without line 19 cannot be carried; enter the Roth bases by hand")
            )
    if problems:
        raise InputError(problems)
    if not rows:
        why = (
            f"every basis it gives is zero ({'; '.join(read)}), so no opening balance is needed: import it "
            "without --as-opening to keep it as filed"
            if read
            else "no line 14, and no Part III lines 19 and 22"
        )
        raise InputError([Problem(file, f"--as-opening: the form has no basis to carry ({why})")])
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    for c in ("tax_year", "amount_cents", "source_line"):
        frame[c] = frame[c].astype("int64")
    return frame, cautions
