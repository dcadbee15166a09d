"""basis-unknown, roth-five-year and deductibility-unknown: what the history itself leaves open."""

from __future__ import annotations

from basis_ledger.ledger.store import Ledger
from tests.audit.helpers import audit, build_ledger, only

CONVERT_2021 = [
    "ed,2021-03-01,2021,FID-IRA,traditional,nondeductible_contribution,6000,",
    "ed,2021-03-05,,FID-IRA,traditional,conversion,6000,",
    "ed,2021-12-31,,FID-IRA,traditional,year_end_value,0,",
]


def run(tmp_path, rows, **kw):
    return audit(build_ledger(tmp_path / "l.db", rows, **kw))


def test_basis_unknown_without_an_anchor(tmp_path):
    (f,) = only(run(tmp_path, CONVERT_2021), "basis-unknown")
    assert (f.tax_year, f.severity, f.found) == (2021, "warning", "history starts 2021")
    assert "basis_opening" in f.message and [e.where for e in f.evidence] == ["line 3"]


def test_basis_opening_anchors_the_history(tmp_path):
    rows = ["ed,2021-01-02,2020,,traditional,basis_opening,0,never made one", *CONVERT_2021]
    assert not only(run(tmp_path, rows), "basis-unknown")


def test_a_filed_8606_anchors_the_history(tmp_path):
    filed = [{"taxpayer": "ed", "tax_year": 2021, "lines": {"1": "6000", "2": "0", "3": "6000"}}]
    assert not only(run(tmp_path, CONVERT_2021, filed=filed), "basis-unknown")


def test_no_distribution_no_basis_unknown(tmp_path):
    assert not only(run(tmp_path, CONVERT_2021[:1]), "basis-unknown")


# roth-five-year. Ann (born 1980) converts 10,000 in 2021 with no basis: Part II only, line 16 = 10,000,
# line 17 = 0, line 18 = 10,000 taxable. In 2023 (age 43) she takes 3,000 from her Roth with no regular
# contributions: line 19 = 3,000, line 22 = 0, line 23 = 3,000, line 24 = 10,000: all 3,000 come out of the
# 2021 conversion, 2023 - 2021 = 2 < 5 years, all of it was taxable at conversion: 10% of 3,000 = $300.
ROTH = [
    "ann,2021-01-02,2020,,traditional,basis_opening,0,",
    "ann,2021-05-01,,VG-IRA,traditional,conversion,10000,",
    "ann,2021-12-31,,VG-IRA,traditional,year_end_value,0,",
]


def dist(year: int, amount: str = "3000") -> str:
    return f"ann,{year}-06-01,,VG-ROTH,roth,roth_distribution,{amount},"


def test_roth_five_year_under_59_and_a_half(tmp_path):
    (f,) = only(run(tmp_path, [*ROTH, dist(2023)], taxpayers={"ann": {"birth_date": "1980-02-01"}}), "roth-five-year")
    assert (f.tax_year, f.severity, f.found) == (2023, "warning", "$3,000 from 2021")
    assert "$300" in f.message and "Form 5329" in f.message


def test_roth_five_year_after_five_years(tmp_path):
    # 2026 - 2021 = 5: the conversion's own clock has run
    assert not only(
        run(tmp_path, [*ROTH, dist(2026)], taxpayers={"ann": {"birth_date": "1980-02-01"}}), "roth-five-year"
    )


def test_roth_five_year_not_before_59_and_a_half(tmp_path):
    # born 1960: 63 in 2023. Nonqualified (first Roth year 2021 is under five years back) but no 10% tax.
    assert not only(
        run(tmp_path, [*ROTH, dist(2023)], taxpayers={"ann": {"birth_date": "1960-02-01"}}), "roth-five-year"
    )


def test_regular_contributions_come_out_first(tmp_path):
    rows = [*ROTH, "ann,2022-04-01,2022,VG-ROTH,roth,roth_contribution,5000,", dist(2023)]
    assert not only(run(tmp_path, rows, taxpayers={"ann": {"birth_date": "1980-02-01"}}), "roth-five-year")


def test_unknown_birth_date_is_said(tmp_path):
    (f,) = only(run(tmp_path, [*ROTH, dist(2023)]), "roth-five-year")
    assert "birth date is not recorded" in f.message


def test_oldest_conversion_first(tmp_path):
    # conversions: 2015 (4,000, taxable in full) and 2021 (10,000). A 2023 distribution of 5,000 takes 4,000 from
    # 2015 (8 years old: fine) and 1,000 from 2021: $1,000 reached, 10% = $100.
    rows = [
        "ann,2015-01-02,2014,,traditional,basis_opening,0,",
        "ann,2015-05-01,,VG-IRA,traditional,conversion,4000,",
        "ann,2015-12-31,,VG-IRA,traditional,year_end_value,0,",
        *ROTH[1:],
        dist(2023, "5000"),
    ]
    (f,) = only(run(tmp_path, rows, taxpayers={"ann": {"birth_date": "1980-02-01"}}), "roth-five-year")
    assert f.found == "$1,000 from 2021" and "$100" in f.message


def test_deductibility_unknown_until_declared(tmp_path):
    rows = [
        "ed,2024-02-01,2024,FID-IRA,traditional,traditional_contribution,7000,",
        "ed,2024-12-31,,FID-IRA,traditional,year_end_value,7100,",
    ]
    path = build_ledger(tmp_path / "l.db", rows)
    (f,) = only(audit(path), "deductibility-unknown")
    assert (f.tax_year, f.line, f.found, f.severity) == (2024, "1", "$7,000 undeclared", "warning")
    assert [e.where for e in f.evidence] == ["line 2"]
    store = Ledger.open(path, write=True)
    store.declare("ed", 2024, None)
    store.close()
    assert not only(audit(path), "deductibility-unknown")


def test_the_rows_with_a_caution_are_read_from_the_engines_columns_as_from_the_frame(tmp_path):
    # deductibility-unknown finds its rows from the Lines' caution columns where the context holds the frame
    # they made, else by walking the frame's `cautions` lists: the same rows either way
    from basis_ledger.audit import history
    from basis_ledger.commands.audit import load_context

    rows = [
        "ed,2024-02-01,2024,FID-IRA,traditional,traditional_contribution,7000,",
        "ed,2024-12-31,,FID-IRA,traditional,year_end_value,7100,",
        "al,2023-02-01,2023,AL-IRA,traditional,traditional_contribution,6500,",
        "al,2024-03-01,2024,AL-IRA,traditional,traditional_contribution,7000,",
    ]
    ctx = load_context(str(build_ledger(tmp_path / "l.db", rows)), None, 5, False, "2026-01-01")
    frame = ctx.lines
    walked = [
        i for i, ws in enumerate(frame["cautions"].tolist()) if any(c.code == "deductibility-unknown" for c in ws)
    ]
    assert len(walked) >= 2
    assert history._rows_with_caution(ctx, frame, "deductibility-unknown") == walked
    assert history._rows_with_caution(ctx, frame.copy(), "deductibility-unknown") == walked  # another frame: walked
    assert history._rows_with_caution(ctx, frame, "no-such-code") == []
