"""Writes the filed Form 8606s of sample_data/messy-household/ as printed PDFs (self-made look-alikes from
tests/pdf/formfixture.py, the way tax software prints a form; no IRS file is copied).

Run on purpose only: .venv/bin/python -m tests.audit.make_messy_household

Dana's forms, by hand (her software rounds line 10 to 4 places and never filed a 2020 form):
  2019: right: 1 = 6,000, 2 = 11,000, 3 = 17,000, 14 = 17,000.
  2021: line 2 = 17,000 (2019's line 14: the 2020 contribution's basis is lost), 3 = 5 = 23,000,
        6 = 71,825, 8 = 6,000, 9 = 77,825, 10 = 23,000 / 77,825 = 0.2955, 11 = 13 = 6,000 x 0.2955 = 1,773,
        14 = 23,000 - 1,773 = 21,227, 16 = 6,000, 17 = 1,773, 18 = 4,227.
  2022: 1 = 6,000, 2 = 21,227, 3 = 14 = 27,227.
  2023: 1 = 6,500, 2 = 27,227, 3 = 5 = 33,727, 6 = 69,710 (the 5498s: 50,310 + 19,400), 8 = 6,500,
        9 = 76,210, 10 = 33,727 / 76,210 = 0.4426, 11 = 13 = 6,500 x 0.4426 = 2,877 (2,876.9),
        14 = 33,727 - 2,877 = 30,850, 16 = 6,500, 17 = 2,877, 18 = 3,623.
Lee's forms are right (2021, 2022, 2023); he deducted his 2024 contribution and filed no 2024 form.
"""

from __future__ import annotations

from pathlib import Path

from tests.pdf.formfixture import printed_form

OUT = Path(__file__).resolve().parents[2] / "sample_data" / "messy-household"
DANA = ("Dana Q. Messy", "XXX-XX-1111")
LEE = ("Lee R. Messy", "XXX-XX-2222")
FORMS = {
    ("dana", 2019): {"1": "6,000", "2": "11,000", "3": "17,000", "14": "17,000"},
    ("dana", 2021): {
        "1": "6,000",
        "2": "17,000",
        "3": "23,000",
        "4": "0",
        "5": "23,000",
        "6": "71,825",
        "7": "0",
        "8": "6,000",
        "9": "77,825",
        "10": "0.2955",
        "11": "1,773",
        "12": "0",
        "13": "1,773",
        "14": "21,227",
        "15a": "0",
        "15b": "0",
        "15c": "0",
        "16": "6,000",
        "17": "1,773",
        "18": "4,227",
    },
    ("dana", 2022): {"1": "6,000", "2": "21,227", "3": "27,227", "14": "27,227"},
    ("dana", 2023): {
        "1": "6,500",
        "2": "27,227",
        "3": "33,727",
        "4": "0",
        "5": "33,727",
        "6": "69,710",
        "7": "0",
        "8": "6,500",
        "9": "76,210",
        "10": "0.4426",
        "11": "2,877",
        "12": "0",
        "13": "2,877",
        "14": "30,850",
        "15a": "0",
        "15b": "0",
        "15c": "0",
        "16": "6,500",
        "17": "2,877",
        "18": "3,623",
    },
    ("lee", 2021): {"1": "6,000", "2": "0", "3": "6,000", "14": "6,000"},
    ("lee", 2022): {
        "1": "6,000",
        "2": "6,000",
        "3": "12,000",
        "4": "0",
        "5": "12,000",
        "6": "0",
        "7": "0",
        "8": "15,000",
        "9": "15,000",
        "10": "0.8000",
        "11": "12,000",
        "12": "0",
        "13": "12,000",
        "14": "0",
        "15a": "0",
        "15b": "0",
        "15c": "0",
        "16": "15,000",
        "17": "12,000",
        "18": "3,000",
    },
    ("lee", 2023): {"19": "4,000", "20": "0", "21": "4,000", "22": "0", "23": "4,000", "24": "15,000", "25a": "0"},
}


def main() -> None:
    for (who, year), values in FORMS.items():
        name, ssn = DANA if who == "dana" else LEE
        printed_form(OUT / f"f8606-{year}-{who}.pdf", year, values, name=name, ssn=ssn)


if __name__ == "__main__":
    main()
